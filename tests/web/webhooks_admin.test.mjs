// webhooks_admin.test.mjs - the admin project page's webhooks section in a real browser: add (the secret shown once), send a test and read the delivery log, disable, remove.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, browser as openBrowser, signIn, checkA11y, shot, problems } from './harness.mjs';

let server;
let browser;

before(async () => {
	server = await startServer();
	browser = await openBrowser();
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.close();
});

test('an admin adds a webhook, tests it, reads its log, disables and removes it', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'ida', 'admin');
	await page.goto(`${server.url}/admin/projects/demo`);
	const section = page.getByRole('region', { name: 'Webhooks' });
	await section.getByText('No webhooks').waitFor();

	// A refused field is named next to it.
	await section.getByLabel('URL').fill('ftp://example.org/hook');
	await section.getByRole('button', { name: 'Add webhook' }).click();
	await section.getByText('an http:// or https:// URL').waitFor();

	// This server refuses loopback addresses (no --webhook-allow-private): the log says so.
	const url = 'http://127.0.0.1:9/hook';
	await section.getByLabel('URL').fill(url);
	await section.getByLabel('Format').selectOption('slack');
	await section.getByLabel('Every event').uncheck();
	await section.getByLabel('group.regressed').check();
	await section.getByRole('button', { name: 'Add webhook' }).click();
	await section.getByText('Its signing secret, shown this once').waitFor();
	const secret = (await section.locator('.secret-row code').innerText()).trim();
	assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
	await section.getByText('slack · group.regressed · enabled').waitFor();
	const listed = await server.request('GET', '/api/v1/projects/demo/webhooks', { headers: { Authorization: `Bearer ${server.token}` } });
	assert.equal(listed.json.items.length, 1);
	assert.equal(listed.json.items[0].url, url);
	assert.equal(listed.json.items[0].secret, undefined);

	await section.getByRole('button', { name: `Send a test to ${url}` }).click();
	await section.getByText('Test event sent').waitFor();
	// The log opens by itself once a test is sent.
	await section.getByRole('button', { name: `Hide deliveries to ${url}` }).waitFor();
	const log = section.getByRole('table', { name: `Deliveries to ${url}` });
	// The sender tries within a second or so; the page is refreshed until the attempt shows.
	for (let i = 0; i < 120; i++) {
		if (await log.getByText('refused: 127.0.0.1').count()) break;
		await page.waitForTimeout(500);
		await section.getByRole('button', { name: `Refresh the deliveries to ${url}` }).click();
	}
	await log.getByText('refused: 127.0.0.1').waitFor();
	await log.getByRole('row').filter({ hasText: 'test' }).filter({ hasText: 'pending' }).waitFor();

	await checkA11y(page);
	await shot(page, 'admin-project-webhooks');

	await section.getByRole('button', { name: `Disable ${url}` }).click();
	await section.getByText('slack · group.regressed · disabled').waitFor();
	await section.getByRole('button', { name: `Remove ${url}` }).click();
	await section.getByRole('button', { name: 'Yes, remove' }).click();
	await section.getByText('No webhooks').waitFor();

	// Expected: the sign-in page's 401 before there is a session, and the refused ftp:// URL's 422.
	assert.deepEqual((await problems(page)).filter((p) => !/status of 401 .*\/api\/v1\/session\)$/.test(p) &&
		!/status of 422 .*\/webhooks\)$/.test(p)), []);
	await ctx.close();
});

test('webhooks are an admin\'s: a developer\'s session is refused them', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'dev', 'developer');
	const status = await page.evaluate(async () => (await fetch('/api/v1/projects/demo/webhooks')).status);
	assert.equal(status, 403);
	await ctx.close();
});
