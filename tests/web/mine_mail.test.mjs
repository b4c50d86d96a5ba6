// mine_mail.test.mjs - a tester signed in by their build asks for e-mail on "Mine", changes the address and stops it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser as openBrowser, checkA11y, problems, shot, startServer } from './harness.mjs';

let server;
let b;

before(async () => {
	server = await startServer();
	b = await openBrowser();
});

after(async () => {
	if (b) await b.close();
	if (server) await server.close();
});

const INSTALL = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';

// The install's opt-in as the API reads it with the build's key.
async function optIn() {
	const r = await server.request('GET', '/api/v1/projects/demo/mail/tester', {
		headers: { 'X-Prosum-Key': server.ingestKey, 'X-Prosum-Install': INSTALL } });
	assert.equal(r.status, 200, r.text);
	return r.json.email;
}

test('a tester opts in to e-mail on "Mine", changes the address, and stops it', async () => {
	const link = await server.request('POST', '/api/v1/projects/demo/board-links', {
		headers: { 'X-Prosum-Key': server.ingestKey, 'X-Prosum-Install': INSTALL }, body: {} });
	assert.equal(link.status, 201, link.text);
	const u = new URL(link.json.url);
	const ctx = await b.newContext();
	const page = await ctx.newPage();
	await page.goto(`${server.url}${u.pathname}${u.hash}`);
	await page.waitForURL((url) => !url.pathname.endsWith('/signin'));
	await page.goto(`${server.url}/p/demo/mine`);
	const box = page.getByRole('region', { name: 'E-mail' });
	await box.getByText('Get an e-mail when your bugs are fixed').waitFor();
	assert.equal(await optIn(), null);

	// Not an address: the server's reason is shown, nothing is stored.
	await box.getByLabel('Your e-mail address').fill('not an address');
	await box.getByRole('button', { name: 'Mail me' }).click();
	await box.getByText(/an e-mail address such as/).waitFor();
	assert.equal(await optIn(), null);

	await box.getByLabel('Your e-mail address').fill('grace@example.com');
	await box.getByRole('button', { name: 'Mail me' }).click();
	await box.getByText('Saved: you will get e-mail').waitFor();
	await box.getByText('grace@example.com', { exact: true }).waitFor();
	assert.equal(await optIn(), 'grace@example.com');
	await checkA11y(page);
	await shot(page, 'mine-mail');

	await box.getByLabel('Your e-mail address').fill('grace@example.org');
	await box.getByRole('button', { name: 'Change address' }).click();
	await box.getByText('grace@example.org', { exact: true }).waitFor();
	assert.equal(await optIn(), 'grace@example.org');

	await box.getByRole('button', { name: 'Stop e-mail' }).click();
	await box.getByText('No more e-mail will be sent.').waitFor();
	await box.getByText('Get an e-mail when your bugs are fixed').waitFor();
	assert.equal(await optIn(), null);

	// Expected: the refused address's 422.
	assert.deepEqual((await problems(page)).filter((p) => !/status of (401|422) /.test(p)), []);
	await ctx.close();
});
