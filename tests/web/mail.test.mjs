// mail.test.mjs - e-mail settings in a real browser against a real prosumd: the account page's
// address and per-project alerts, the group page's Follow button, and what the API then holds.
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

// What went wrong in the page, less the refusals the test asks for (a 422, the sign-in's 401).
async function unexpected(page) {
	return (await problems(page)).filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
}

// The signed-in page's own API answer (its cookie), as the app reads it.
async function accountMail(page) {
	return page.evaluate(async () => (await fetch('/api/v1/account/mail')).json());
}

test('a developer sets an address, turns on new-group alerts and follows a group', async () => {
	await server.sendReport({ uuid: '6f1c2d3e-4f50-4617-8293-a4b5c6d7e8f9', kind: 'crash',
		title: 'Crash in the parser', build: { version: '1.0' }, tester: { install_id: 't1' },
		exception: { type: 'SIGSEGV' }, frames: [{ function: 'parse' }] });
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'ada', 'developer');

	await page.goto(`${server.url}/account`);
	await page.getByRole('heading', { name: 'E-mail' }).waitFor();
	// Not an address: the API's message shows.
	await page.getByLabel('Address').fill('not an address');
	await page.getByRole('button', { name: 'Save address' }).click();
	await page.getByText('must be an e-mail address').waitFor();
	await page.getByLabel('Address').fill('ada@example.com');
	await page.getByRole('button', { name: 'Save address' }).click();
	await page.getByText('Saved.').waitFor();
	await page.getByRole('group', { name: 'demo' }).getByLabel('New groups').check();
	await page.waitForFunction(async () => (await (await fetch('/api/v1/account/mail')).json())
		.follows.some((f) => f.kind === 'new_group'));
	let mail = await accountMail(page);
	assert.equal(mail.email, 'ada@example.com');
	assert.deepEqual(mail.follows, [{ project: 'demo', kind: 'new_group' }]);
	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
	await shot(page, 'account-mail');

	// The group page's Follow button, and back.
	await page.goto(`${server.url}/p/demo/groups/G-1`);
	await page.getByRole('button', { name: 'Follow' }).click();
	await page.getByRole('button', { name: 'Following' }).waitFor();
	mail = await accountMail(page);
	assert.ok(mail.follows.some((f) => f.kind === 'group' && f.group === 'G-1' && f.project === 'demo'));
	await page.goto(`${server.url}/account`);
	await page.getByRole('link', { name: 'demo G-1' }).waitFor();
	assert.equal(await page.getByLabel('Address').inputValue(), 'ada@example.com');
	await page.getByRole('button', { name: 'Stop' }).click();
	await page.getByText('None: use Follow').waitFor();
	mail = await accountMail(page);
	assert.deepEqual(mail.follows, [{ project: 'demo', kind: 'new_group' }]);
	await ctx.close();
});
