// admin.test.mjs - the admin pages in a real browser: projects and keys, API tokens, people and their one-time links, who may see what.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, browser as openBrowser, signIn, checkA11y, shot } from './harness.mjs';

let server;
let browser;
let api; // a browser context used only for direct API calls

async function call(method, path, { token = server.token, key, body } = {}) {
	const headers = {};
	if (token) headers.Authorization = `Bearer ${token}`;
	if (key) headers['X-Prosum-Key'] = key;
	if (body) headers['Content-Type'] = 'application/json';
	const r = await api.request.fetch(server.url + path, { method, headers, data: body ? JSON.stringify(body) : undefined });
	const text = await r.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		json = null;
	}
	return { status: r.status(), json, text };
}

async function desktop(opts = {}) {
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 }, ...opts });
	return { ctx, page: await ctx.newPage() };
}

before(async () => {
	server = await startServer();
	browser = await openBrowser();
	api = await browser.newContext({ ignoreHTTPSErrors: true });
	server.addUser('ann', 'admin');
	server.addUser('dev', 'developer');
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.close();
});

test('an admin creates a project, its shown DSN takes a report, keys are added and revoked', async () => {
	const { ctx, page } = await desktop();
	await signIn(page, server, 'ann', 'admin');
	await page.goto(`${server.url}/admin/projects`);
	await page.getByRole('link', { name: 'demo' }).waitFor();

	// A name the API refuses: its message shows at the name field.
	await page.getByLabel('Name', { exact: true }).fill('bad name!');
	await page.getByRole('button', { name: 'Create project' }).click();
	await page.locator('.field-error').first().waitFor();
	assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');

	await page.getByLabel('Name', { exact: true }).fill('viewer');
	await page.getByLabel('Commit URL').fill('https://git.example.org/viewer/commit/{id}');
	await page.getByRole('button', { name: 'Create project' }).click();
	const dsn = await page.locator('code.dsn').innerText();
	assert.match(dsn, /^https:\/\/[0-9a-f]{32}@.+\/viewer$/);
	const key = dsn.slice('https://'.length, dsn.indexOf('@'));
	await page.getByRole('link', { name: 'viewer' }).first().waitFor();

	// The shown key takes a report.
	const sent = await call('POST', '/api/v1/projects/viewer/reports', {
		token: null, key, body: {
			uuid: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9', kind: 'feedback', title: 'Love the toolbar',
			build: { version: '1.0' }, tester: { install_id: 'any' },
		},
	});
	assert.equal(sent.status, 201, sent.text);
	await checkA11y(page);
	await shot(page, 'admin-projects');

	// One project's page: settings saved through PATCH, keys added and revoked.
	await page.getByRole('link', { name: 'viewer' }).first().click();
	await page.waitForURL(/\/admin\/projects\/viewer$/);
	await page.getByRole('heading', { name: 'Ingest keys' }).waitFor();
	assert.equal(await page.locator('code.dsn').first().innerText(), dsn);
	await page.getByLabel('Version tag pattern').fill('v{version}');
	await page.getByRole('button', { name: 'Save settings' }).click();
	await page.getByText('Saved.').waitFor();
	assert.equal((await call('GET', '/api/v1/projects/viewer')).json.version_tag, 'v{version}');

	await page.getByRole('button', { name: 'Add a key' }).click();
	const keyRows = page.locator('section[aria-labelledby="keys-h"] tbody tr');
	await page.waitForFunction(() => document.querySelectorAll('section[aria-labelledby="keys-h"] tbody tr').length === 2);
	// Revoke the first key, confirming first.
	const row = keyRows.filter({ hasText: key });
	await row.getByRole('button', { name: 'Revoke' }).click();
	await row.getByRole('button', { name: 'Cancel' }).waitFor();
	await row.getByRole('button', { name: 'Yes, revoke' }).click();
	await row.getByText('revoked').waitFor();
	const refused = await call('POST', '/api/v1/projects/viewer/reports', {
		token: null, key, body: {
			uuid: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8fa', kind: 'feedback', title: 'Again',
			build: { version: '1.0' }, tester: { install_id: 'any' },
		},
	});
	assert.equal(refused.status, 401);
	await checkA11y(page);
	await ctx.close();
});

test('an admin makes an API token, shown once, that works until revoked', async () => {
	const { ctx, page } = await desktop();
	await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
	await signIn(page, server, 'ann', 'admin');
	await page.goto(`${server.url}/admin/tokens`);
	await page.getByLabel('Name', { exact: true }).fill('ci');
	await page.getByLabel('Role', { exact: true }).selectOption('developer');
	await page.getByRole('button', { name: 'Create token' }).click();
	const token = (await page.locator('code.secret').innerText()).trim();
	assert.match(token, /^pst_[0-9a-f]{48}$/);
	await page.locator('.once-secret').getByRole('button', { name: /Copy/ }).click();
	await page.waitForFunction(async (want) => (await navigator.clipboard.readText()) === want, token);

	const ok = await call('GET', '/api/v1/projects/demo/groups', { token });
	assert.equal(ok.status, 200);
	const row = page.locator('table.tokens tbody tr', { hasText: 'ci' });
	await row.waitFor();
	await checkA11y(page);
	await row.getByRole('button', { name: 'Revoke' }).click();
	await row.getByRole('button', { name: 'Yes, revoke ci' }).click();
	await page.waitForFunction(() => !document.querySelector('.once-secret'));
	assert.equal((await call('GET', '/api/v1/projects/demo/groups', { token })).status, 401);
	// The token is never shown again after a reload.
	await page.reload();
	await page.locator('table.tokens').waitFor();
	assert.ok(!(await page.content()).includes(token));
	await ctx.close();
});

test('an admin adds a person whose one-time link signs them in; role change and disable', async () => {
	const { ctx, page } = await desktop();
	await signIn(page, server, 'ann', 'admin');
	await page.goto(`${server.url}/admin/people`);
	await page.locator('table.people').waitFor();
	await page.getByLabel('Name', { exact: true }).fill('pia');
	await page.getByLabel('Role', { exact: true }).selectOption('release');
	await page.getByLabel('Limited to project').selectOption('demo');
	await page.getByRole('button', { name: 'Add person' }).click();
	const linkText = (await page.locator('.once-secret code.secret').innerText()).trim();
	assert.match(linkText, /^https:\/\/.+\/welcome#.+/);
	await page.locator('table.people tbody tr', { hasText: 'pia' }).waitFor();
	await checkA11y(page);
	await shot(page, 'admin-people');

	// The link in a fresh browser: set a password, signed in as pia.
	const other = await desktop();
	const url = new URL(linkText);
	await other.page.goto(`${server.url}${url.pathname}${url.hash}`);
	await other.page.getByLabel(/password/i).first().fill('a long enough password 1');
	const again = other.page.getByLabel(/repeat|again|confirm/i);
	if (await again.count()) await again.first().fill('a long enough password 1');
	await other.page.getByRole('button', { name: /set|save|sign/i }).first().click();
	await other.page.waitForURL((u) => !u.pathname.startsWith('/welcome'));
	const who = await other.page.evaluate(async () => (await fetch('/api/v1/session')).json());
	assert.equal(who.name, 'pia');
	assert.equal(who.role, 'release');
	assert.equal(who.project, 'demo');

	// Role change, then disable (confirmed): her session stops working.
	const row = page.locator('table.people tbody tr', { hasText: 'pia' });
	await row.getByLabel('Role of pia').selectOption('developer');
	await page.waitForFunction(async () => {
		const r = await fetch('/api/v1/users');
		const j = await r.json();
		return j.items.some((u) => u.name === 'pia' && u.role === 'developer');
	});
	await row.getByRole('button', { name: 'Disable' }).click();
	await row.getByRole('button', { name: 'Yes, disable pia' }).click();
	await row.getByText('disabled').waitFor();
	const status = await other.page.evaluate(async () => (await fetch('/api/v1/session')).status);
	assert.equal(status, 401);

	// A new link is shown once.
	await row.getByRole('button', { name: 'New sign-in link' }).click();
	await page.getByText('Sign-in link for pia').waitFor();
	assert.notEqual((await page.locator('.once-secret code.secret').innerText()).trim(), linkText);
	await other.ctx.close();
	await ctx.close();
});

test('a developer sees no admin pages and the API refuses them', async () => {
	const { ctx, page } = await desktop();
	await signIn(page, server, 'dev', 'developer');
	await page.goto(`${server.url}/p/demo`);
	await page.locator('nav').first().waitFor();
	assert.equal(await page.locator('nav a[href^="/admin"]').count(), 0);
	for (const path of ['/admin/projects', '/admin/projects/demo', '/admin/people', '/admin/tokens']) {
		await page.goto(server.url + path);
		await page.getByText(/not allowed/).waitFor();
		assert.equal(await page.locator('table').count(), 0, path);
	}
	for (const path of ['/api/v1/users', '/api/v1/tokens', '/api/v1/projects/demo/keys']) {
		const status = await page.evaluate(async (p) => (await fetch(p)).status, path);
		assert.equal(status, 403, path);
	}
	await ctx.close();
});

test('a private project is invisible when signed out', async () => {
	const { ctx, page } = await desktop();
	for (const path of ['/p/demo/releases', '/p/demo/releases/1.0', '/p/demo/suggestions', '/admin/projects/demo']) {
		await page.goto(server.url + path);
		await page.waitForURL(/\/signin/);
		await page.getByLabel(/name/i).first().waitFor();
		const html = await page.content();
		assert.ok(!html.includes(server.ingestKey), `${path} leaks the key`);
		assert.ok(!/Releases|Suggestions|Ingest keys/.test(await page.locator('main').innerText()), path);
	}
	await ctx.close();
});

test('the admin pages work on a phone, in dark mode, with the keyboard', async () => {
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
	const page = await ctx.newPage();
	await signIn(page, server, 'ann', 'admin');
	for (const path of ['/admin/projects', '/admin/projects/demo', '/admin/people', '/admin/tokens']) {
		await page.goto(server.url + path);
		await page.locator('main form').first().waitFor();
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
		await checkA11y(page);
	}
	// Keyboard only: make a token by typing and pressing Enter.
	await page.goto(`${server.url}/admin/tokens`);
	await page.getByLabel('Name', { exact: true }).focus();
	await page.keyboard.type('kbd');
	await page.keyboard.press('Enter');
	await page.locator('.once-secret').waitFor();
	await ctx.close();
});
