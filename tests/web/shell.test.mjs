// shell.test.mjs - the app shell in a real browser: headers, CSP, sign-in from a one-time link, sign-out, CSRF, a11y.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkA11y, problems, shot, signIn, startServer } from './harness.mjs';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// Failed requests the page makes on purpose (asking who is signed in while nobody is, a wrong
// password, a write without the CSRF header) are logged by the browser as console errors; those
// are not problems of the page. Nor is a 404 from an endpoint this prosumd does not have yet
// (`missing`, found in before()).
const missing = [];
function unexpected(list) {
	return list.filter((p) => !/status of 40[13] /.test(p) &&
		!(/status of 404 /.test(p) && missing.some((m) => p.includes(m))));
}

let server;
let b;

before(async () => {
	server = await startServer();
	b = await browser();
	for (const path of ['/api/v1/session', '/api/v1/projects']) {
		if ((await server.request('GET', path)).status === 404)
			missing.push(path);
	}
});

after(async () => {
	await b?.close();
	await server?.close();
});

describe('served', () => {
	test('every kind of answer carries the security headers', async () => {
		for (const path of ['/', '/p/demo/groups?status=open', '/api/nope', '/healthz']) {
			const r = await server.request('GET', path);
			assert.equal(r.headers['content-security-policy'], CSP, path);
			assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
			assert.equal(r.headers['referrer-policy'], 'no-referrer', path);
			assert.equal(r.headers['x-frame-options'], 'DENY', path);
		}
		const page = await server.request('GET', '/signin');
		const js = /src="(\/assets\/app\.[0-9a-f]+\.js)"/.exec(page.text)[1];
		const asset = await server.request('GET', js, { headers: { 'Accept-Encoding': 'gzip' } });
		assert.equal(asset.status, 200);
		assert.equal(asset.headers['content-encoding'], 'gzip');
		assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
		assert.equal(asset.headers['content-security-policy'], CSP);
	});

	test('the app starts under the CSP with nothing inline, and a signed-out visitor is sent to sign in', async () => {
		const page = await b.newPage();
		const res = await page.goto(server.url + '/p/demo/groups?status=open');
		assert.equal(res.headers()['content-security-policy'], CSP);
		await page.waitForURL((u) => u.pathname === '/signin');
		assert.equal(new URL(page.url()).searchParams.get('next'), '/p/demo/groups?status=open');
		await page.getByRole('heading', { name: 'Sign in' }).waitFor();
		assert.equal(await page.title(), 'Sign in · prosum');
		// the document has no inline script or style for the CSP to block
		assert.equal(await page.locator('script:not([src])').count(), 0);
		assert.equal(await page.locator('style').count(), 0);
		assert.deepEqual(unexpected(await problems(page)), []);
		await checkA11y(page);
		await shot(page, 'shell-signin');
		await page.setViewportSize({ width: 375, height: 740 });
		await shot(page, 'shell-signin-phone');
		await page.close();
	});

	test('a page the app does not know says so', async () => {
		const page = await b.newPage();
		await page.goto(server.url + '/no/such/page');
		await page.getByRole('heading', { name: 'Page not found' }).waitFor();
		assert.deepEqual(unexpected(await problems(page)), []);
		await page.close();
	});

	test('an inline script is refused by the policy (the CSP is really in force)', async () => {
		const page = await b.newPage();
		await page.goto(server.url + '/signin');
		await page.getByRole('heading', { name: 'Sign in' }).waitFor();
		await page.evaluate(() => {
			const s = document.createElement('script');
			s.textContent = 'window.__inlineRan = true';
			document.body.appendChild(s);
		});
		assert.equal(await page.evaluate(() => window.__inlineRan === true), false);
		assert.ok((await problems(page)).some((p) => p.startsWith('csp: script-src')));
		await page.close();
	});
});

// The sign-in flow needs the session endpoints (POST /api/v1/session, /api/v1/password).
const sessions = async () => (await server.request('GET', '/api/v1/session')).status !== 404;

describe('signed in', () => {
	test('sign in from the one-time link, then out; a wrong password is refused', async (t) => {
		if (!(await sessions()))
			return t.skip('pending: this prosumd has no session endpoints yet');
		const ctx = await b.newContext();
		const page = await ctx.newPage();
		const who = await signIn(page, server, 'ada', 'admin');
		// the token left the address bar at once
		assert.ok(!page.url().includes('#'));
		// one project: straight to its home (without the projects endpoint, the start page
		// says what went wrong)
		if (missing.includes('/api/v1/projects'))
			await page.getByRole('heading', { name: 'Projects' }).waitFor();
		else
			await page.waitForURL((u) => u.pathname === '/p/demo');
		await shot(page, 'shell-start');
		await page.goto(server.url + '/account');
		await page.getByRole('heading', { name: 'Account' }).waitFor();
		assert.ok(await page.getByText('ada', { exact: true }).first().isVisible());
		await checkA11y(page);
		await shot(page, 'shell-account');
		// keyboard: the first Tab reaches the skip link, which moves the focus to the content
		await page.keyboard.press('Tab');
		assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
		await page.keyboard.press('Enter');
		assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
		// dark, on a phone: the menu opens from its button
		await page.emulateMedia({ colorScheme: 'dark' });
		await page.setViewportSize({ width: 375, height: 740 });
		await page.getByRole('button', { name: 'Menu' }).click();
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).waitFor();
		await checkA11y(page);
		await shot(page, 'shell-account-dark-phone');
		// Escape closes it from inside and gives the focus back to its button
		const toggle = page.getByRole('button', { name: 'Menu' });
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).focus();
		await page.keyboard.press('Escape');
		assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
		assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Menu');
		await page.emulateMedia({ colorScheme: 'light' });
		await page.setViewportSize({ width: 1280, height: 800 });

		// a write without the CSRF header is refused, from the page itself (cookie sent)
		const status = await page.evaluate(async () => (await fetch('/api/v1/sessions',
			{ method: 'DELETE', credentials: 'same-origin' })).status);
		assert.equal(status, 403);

		await page.getByRole('button', { name: 'Sign out', exact: true }).click();
		await page.waitForURL((u) => u.pathname === '/signin');
		assert.equal((await page.evaluate(async () => (await fetch('/api/v1/session')).status)), 401);

		// a wrong password shows an error and stays on the page
		await page.getByLabel('Name').fill('ada');
		await page.getByLabel('Password').fill('not the password');
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.getByRole('alert').filter({ hasText: /wrong name or password/i }).waitFor();
		assert.equal(new URL(page.url()).pathname, '/signin');
		await shot(page, 'shell-signin-error');

		// the right one, with next honoured
		await page.goto(server.url + '/signin?next=' + encodeURIComponent('/account'));
		await page.getByLabel('Name').fill(who.name);
		await page.getByLabel('Password').fill(who.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForURL((u) => u.pathname === '/account');
		assert.deepEqual(unexpected(await problems(page)), []);
		await ctx.close();
	});

	test('sign out everywhere ends the other sessions too', async (t) => {
		if (!(await sessions()))
			return t.skip('pending: this prosumd has no session endpoints yet');
		const one = await (await b.newContext()).newPage();
		const who = await signIn(one, server, 'bob', 'developer');
		const two = await (await b.newContext()).newPage();
		await two.goto(server.url + '/signin');
		await two.getByLabel('Name').fill(who.name);
		await two.getByLabel('Password').fill(who.password);
		await two.getByRole('button', { name: 'Sign in' }).click();
		await two.waitForURL((u) => u.pathname !== '/signin');
		await two.goto(server.url + '/account');
		await two.getByRole('button', { name: 'Sign out everywhere' }).click();
		await two.waitForURL((u) => u.pathname === '/signin');
		assert.equal(await one.evaluate(async () => (await fetch('/api/v1/session')).status), 401);
		// the first browser finds out at its next API call (the start page asks for the projects)
		// and is sent to sign in
		await one.getByRole('link', { name: 'prosum' }).click();
		await one.waitForURL((u) => u.pathname === '/signin');
		await one.getByLabel('Name').fill(who.name);
		await one.getByLabel('Password').fill(who.password);
		await one.getByRole('button', { name: 'Sign in' }).click();
		await one.waitForURL((u) => u.pathname === '/p/demo');
		await one.context().close();
		await two.context().close();
	});

	test('a used one-time link says so', async (t) => {
		if (!(await sessions()))
			return t.skip('pending: this prosumd has no session endpoints yet');
		const link = await server.addUser('cy', 'developer');
		const ctx = await b.newContext();
		const page = await ctx.newPage();
		await page.goto(link);
		await page.getByLabel('New password').waitFor();
		assert.ok(!page.url().includes('#'), 'the token leaves the address bar');
		// the length rule is told before a first try, not only in the refusal
		const pwHint = await page.getByLabel('New password').getAttribute('aria-describedby');
		assert.match(await page.locator(`[id="${pwHint}"]`).innerText(), /At least 10 characters/);
		await checkA11y(page);
		await shot(page, 'shell-welcome');
		await page.getByLabel('New password').fill('first password of cy');
		await page.getByLabel('The same password again').fill('a different one');
		await page.getByRole('button', { name: /set password/i }).click();
		await page.getByText('The two passwords differ.').waitFor();
		await page.getByLabel('The same password again').fill('first password of cy');
		await page.getByRole('button', { name: /set password/i }).click();
		await page.waitForURL((u) => !u.pathname.startsWith('/welcome'));
		await ctx.close();
		const again = await (await b.newContext()).newPage();
		await again.goto(link);
		await again.getByLabel('New password').fill('second password');
		await again.getByLabel('The same password again').fill('second password');
		await again.getByRole('button', { name: /set password/i }).click();
		await again.getByRole('alert').filter({ hasText: /already used/ }).waitFor();
		await checkA11y(again);
		assert.equal(new URL(again.url()).pathname, '/welcome');
		await again.context().close();
	});
});
