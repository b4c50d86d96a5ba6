// admin.test.mjs - the admin pages in a real browser against a real prosumd: projects and their keys, API tokens, people and their one-time links, who may see what.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, browser as openBrowser, signIn, checkA11y, shot, problems } from './harness.mjs';

let server;
let browser;

/* An API call with a token (the admin token that init made unless told). */
function call(method, path, { token = server.token, key, body } = {}) {
	const headers = {};
	if (token) headers.Authorization = `Bearer ${token}`;
	if (key) headers['X-Prosum-Key'] = key;
	return server.request(method, path, { headers, body });
}

function report(uuid) {
	return { uuid, kind: 'feedback', title: 'Love the toolbar', build: { version: '1.0' }, tester: { install_id: 'any' } };
}

async function unexpected(page) {
	return (await problems(page)).filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
}

before(async () => {
	server = await startServer();
	browser = await openBrowser();
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.close();
});

test('an admin creates a project whose shown DSN takes a report; settings saved; keys added and revoked', async () => {
	const ctx = await browser.newContext();
	await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
	const page = await ctx.newPage();
	await signIn(page, server, 'ann', 'admin');
	await page.goto(`${server.url}/admin/projects`);
	await page.getByRole('table', { name: 'Projects' }).getByRole('link', { name: 'demo' }).waitFor();

	// A name the API refuses: its message shows at the name field.
	await page.getByLabel('Name', { exact: true }).fill('Bad name!');
	await page.getByRole('button', { name: 'Create project' }).click();
	await page.locator('.field-error').first().waitFor();
	assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');

	await page.getByLabel('Name', { exact: true }).fill('viewer');
	await page.getByLabel('Commit URL').fill('https://git.example.org/viewer/commit/{id}');
	await page.getByRole('button', { name: 'Create project' }).click();
	const dsn = (await page.locator('code.dsn').innerText()).trim();
	assert.match(dsn, /^https:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/viewer$/);
	const key = dsn.slice('https://'.length, dsn.indexOf('@'));
	await page.getByRole('button', { name: 'Copy DSN' }).click();
	await page.getByText('Copied').waitFor();
	assert.equal(await page.evaluate(() => navigator.clipboard.readText()), dsn);
	await page.getByRole('table', { name: 'Projects' }).getByRole('link', { name: 'viewer' }).waitFor();

	// The shown key takes a report.
	const sent = await call('POST', '/api/v1/projects/viewer/reports', { token: null, key, body: report('0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9') });
	assert.equal(sent.status, 201, sent.text);
	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
	await shot(page, 'admin-projects');

	// One project's page: settings saved through the API, a key added, the first revoked.
	await page.getByRole('table', { name: 'Projects' }).getByRole('link', { name: 'viewer' }).click();
	await page.waitForURL(/\/admin\/projects\/viewer$/);
	await page.getByRole('heading', { name: 'Ingest keys' }).waitFor();
	assert.equal((await page.locator('code.dsn').first().innerText()).trim(), dsn);
	assert.equal(await page.getByLabel('Commit URL').inputValue(), 'https://git.example.org/viewer/commit/{id}');
	await page.getByLabel('Version tag pattern').fill('v{version}');
	await page.getByLabel(/^Public/).check();
	await page.getByRole('button', { name: 'Save settings' }).click();
	await page.getByText('Saved.').waitFor();
	const got = (await call('GET', '/api/v1/projects/viewer')).json;
	assert.equal(got.version_tag, 'v{version}');
	assert.equal(got.public, true);

	await page.getByRole('button', { name: 'Add a key' }).click();
	const keys = page.locator('section[aria-labelledby="keys-h"] tbody tr');
	await page.waitForFunction(() => document.querySelectorAll('section[aria-labelledby="keys-h"] tbody tr').length === 2);
	const row = keys.filter({ hasText: key });
	await row.getByRole('button', { name: `Revoke key ${key}` }).click();
	// Asked first: Cancel changes nothing.
	await row.getByRole('button', { name: 'Cancel' }).click();
	await row.getByRole('button', { name: `Revoke key ${key}` }).waitFor();
	assert.equal((await call('POST', '/api/v1/projects/viewer/reports', { token: null, key, body: report('0b1c2d3e-4f50-4617-8293-a4b5c6d7e8fa') })).status, 201);
	await row.getByRole('button', { name: `Revoke key ${key}` }).click();
	await row.getByRole('button', { name: 'Yes, revoke' }).click();
	await row.getByText(/^revoked/).waitFor();
	const refused = await call('POST', '/api/v1/projects/viewer/reports', { token: null, key, body: report('0b1c2d3e-4f50-4617-8293-a4b5c6d7e8fb') });
	assert.equal(refused.status, 401);
	// The page's DSN now names the new key.
	await page.waitForFunction((old) => !document.querySelector('code.dsn').textContent.includes(old), key);
	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
	await ctx.close();
});

test('an admin makes an API token, shown once, that works until revoked', async () => {
	const ctx = await browser.newContext();
	await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
	const page = await ctx.newPage();
	await signIn(page, server, 'abe', 'admin');
	await page.goto(`${server.url}/admin/tokens`);
	await page.getByRole('table', { name: 'API tokens' }).waitFor();
	await page.getByLabel('Name', { exact: true }).fill('ci');
	await page.getByLabel('Role', { exact: true }).selectOption('developer');
	await page.getByLabel('Limited to project').selectOption('demo');
	await page.getByRole('button', { name: 'Create token' }).click();
	const token = (await page.locator('.once-secret code.secret').innerText()).trim();
	assert.match(token, /^pst_[0-9a-f]{48}$/);
	await page.locator('.once-secret').getByRole('button', { name: 'Copy' }).click();
	await page.locator('.once-secret').getByText('Copied').waitFor();
	assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);

	assert.equal((await call('GET', '/api/v1/projects/demo/groups', { token })).status, 200);
	const row = page.getByRole('table', { name: 'API tokens' }).locator('tbody tr', { hasText: 'ci' });
	assert.match(await row.innerText(), /developer\s+demo/);
	await checkA11y(page);
	await row.getByRole('button', { name: 'Revoke ci' }).click();
	await row.getByRole('button', { name: 'Yes, revoke ci' }).click();
	await row.getByText('revoked').waitFor();
	assert.equal(await page.locator('.once-secret').count(), 0);
	assert.equal((await call('GET', '/api/v1/projects/demo/groups', { token })).status, 401);
	// Never shown again.
	await page.reload();
	await page.getByRole('table', { name: 'API tokens' }).waitFor();
	assert.ok(!(await page.content()).includes(token));
	assert.deepEqual(await unexpected(page), []);
	await ctx.close();
});

test('an admin adds a person whose one-time link signs them in elsewhere; role change, disable, new link', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'ada', 'admin');
	await page.goto(`${server.url}/admin/people`);
	await page.getByRole('table', { name: 'People' }).waitFor();
	await page.getByLabel('Name', { exact: true }).fill('pia');
	await page.getByLabel('Role', { exact: true }).selectOption('release');
	await page.getByLabel('Limited to project').selectOption('demo');
	await page.getByRole('button', { name: 'Add person' }).click();
	const link = (await page.locator('.once-secret code.secret').innerText()).trim();
	assert.match(link, /^https:\/\/127\.0\.0\.1:\d+\/welcome#.+/);
	const row = page.getByRole('table', { name: 'People' }).locator('tbody tr', { hasText: 'pia' });
	await row.getByText('invited').waitFor();
	await checkA11y(page);
	await shot(page, 'admin-people');

	// The link in a fresh browser context: set a password, signed in as pia.
	const other = await browser.newContext();
	const her = await other.newPage();
	await her.goto(link);
	await her.getByLabel('New password').fill('pia-correct horse battery staple');
	await her.getByLabel('The same password again').fill('pia-correct horse battery staple');
	await her.getByRole('button', { name: /set password/i }).click();
	await her.waitForURL((u) => !u.pathname.startsWith('/welcome'));
	const who = await her.evaluate(async () => (await fetch('/api/v1/session')).json());
	assert.deepEqual([who.name, who.role, who.project], ['pia', 'release', 'demo']);
	await page.reload();
	await row.getByText('active').waitFor();

	// A role change reaches the API.
	await row.getByLabel('Role of pia').selectOption('developer');
	await page.waitForFunction(async () => {
		const j = await (await fetch('/api/v1/users')).json();
		return j.items.some((u) => u.name === 'pia' && u.role === 'developer');
	});
	// Disable, confirmed first: her session stops working.
	await row.getByRole('button', { name: 'Disable pia' }).click();
	await row.getByRole('button', { name: 'Yes, disable pia' }).click();
	await row.getByText('disabled').waitFor();
	assert.equal(await her.evaluate(async () => (await fetch('/api/v1/session')).status), 401);

	// A new link, shown once, different from the first.
	await row.getByRole('button', { name: 'New sign-in link for pia' }).click();
	await page.locator('.once-secret strong', { hasText: 'Sign-in link for pia' }).waitFor();
	const again = (await page.locator('.once-secret code.secret').innerText()).trim();
	assert.match(again, /\/welcome#.+/);
	assert.notEqual(again, link);
	assert.deepEqual(await unexpected(page), []);
	await other.close();
	await ctx.close();
});

test('a developer sees no admin pages: not in the nav, a clear message, and the API refuses', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'dev', 'developer');
	await page.goto(`${server.url}/p/demo/releases`);
	await page.getByRole('navigation', { name: 'Main' }).waitFor();
	assert.equal(await page.locator('nav a[href^="/admin"]').count(), 0);
	for (const path of ['/admin/projects', '/admin/projects/demo', '/admin/people', '/admin/tokens']) {
		await page.goto(server.url + path);
		await page.getByText(/You are not allowed to see/).waitFor();
		assert.equal(await page.locator('main table').count(), 0, path);
		assert.equal(await page.locator('main form').count(), 0, path);
		assert.ok(!(await page.content()).includes(server.ingestKey), path);
	}
	for (const path of ['/api/v1/users', '/api/v1/tokens', '/api/v1/projects/demo/keys']) {
		const status = await page.evaluate(async (p) => (await fetch(p)).status, path);
		assert.equal(status, 403, path);
	}
	await ctx.close();
});

test('a private project is invisible when signed out: the sign-in page and no project data', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	for (const path of ['/p/demo/releases', '/p/demo/releases/1.0', '/p/demo/suggestions', '/admin/projects/demo', '/admin/people']) {
		await page.goto(server.url + path);
		await page.waitForURL(/\/signin/);
		await page.getByRole('button', { name: /sign in/i }).waitFor();
		const html = await page.content();
		assert.ok(!html.includes(server.ingestKey), `${path} shows the ingest key`);
		assert.ok(!/Ingest keys|Register a release|Sync now/.test(await page.locator('main').innerText()), path);
	}
	await ctx.close();
});

test('the admin pages work on a phone, in dark mode, and with the keyboard alone', async () => {
	const ctx = await browser.newContext({ colorScheme: 'dark' });
	const page = await ctx.newPage();
	await signIn(page, server, 'amy', 'admin'); // on a wide screen: it waits for the name in the top bar
	await page.setViewportSize({ width: 375, height: 740 });
	for (const path of ['/admin/projects', '/admin/projects/demo', '/admin/people', '/admin/tokens']) {
		await page.goto(server.url + path);
		await page.locator('main table').first().waitFor();
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
		await checkA11y(page);
	}
	// Keyboard only: type a token's name, Enter submits; Tab to its Revoke, Enter, Enter confirms.
	await page.goto(`${server.url}/admin/tokens`);
	await page.getByRole('table', { name: 'API tokens' }).waitFor();
	await page.getByLabel('Name', { exact: true }).focus();
	await page.keyboard.type('kbd');
	await page.keyboard.press('Enter');
	await page.locator('.once-secret').waitFor();
	const revoke = page.getByRole('button', { name: 'Revoke kbd' });
	await revoke.focus();
	await page.keyboard.press('Enter');
	// The focus moved to the confirming button.
	await page.waitForFunction(() => document.activeElement && document.activeElement.textContent === 'Yes, revoke kbd');
	await page.keyboard.press('Enter');
	await page.getByRole('table', { name: 'API tokens' }).locator('tbody tr', { hasText: 'kbd' }).getByText('revoked').waitFor();
	await ctx.close();
});
