// intake_admin.test.mjs - the admin project page's Sentry intake section in a real browser: sessions per release, client discards and dropped items an SDK's envelope left.
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

/* An envelope as the SDKs send it: two sessions of one install (one crashes), a client report
 * and a transaction. */
function envelope() {
	const now = new Date().toISOString();
	const session = (sid, status, errors) => JSON.stringify({ sid, did: 'install-7', init: true, started: now, timestamp: now,
		status, errors, attrs: { release: 'app@1.0', environment: 'beta' } });
	return [
		JSON.stringify({ sent_at: now }),
		'{"type":"session"}', session('3f2a9b1c-0d4e-4f5a-8b6c-7d8e9f0a1b2c', 'exited', 0),
		'{"type":"session"}', session('4a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d', 'crashed', 1),
		'{"type":"client_report"}', JSON.stringify({ timestamp: now, discarded_events: [{ reason: 'before_send', category: 'error', quantity: 2 }] }),
		'{"type":"transaction"}', '{}',
		'',
	].join('\n');
}

test('an admin sees the sessions, client discards and dropped items of the last 30 days', async () => {
	const sent = await server.request('POST', '/api/1/envelope/', {
		headers: { 'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${server.ingestKey}`, 'Content-Type': 'text/plain' },
		body: envelope(),
	});
	assert.equal(sent.status, 200, sent.text);

	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'ida', 'admin');
	await page.goto(`${server.url}/admin/projects/demo`);
	await page.getByRole('heading', { name: 'Sentry intake, last 30 days' }).waitFor();

	const sessions = page.getByRole('table', { name: 'Sessions by release' });
	await sessions.waitFor();
	const row = sessions.getByRole('row').filter({ hasText: 'app@1.0' });
	assert.deepEqual((await row.getByRole('cell').allInnerTexts()).map((t) => t.trim()),
		['app@1.0', 'beta', '2', '1', '50.0 %', '1', '0.0 %']);
	await page.getByText('2 sessions started: 1 crashed').waitFor();

	const discards = page.getByRole('table', { name: 'Events the SDKs discarded before sending' });
	assert.deepEqual((await discards.getByRole('row').nth(1).getByRole('cell').allInnerTexts()).map((t) => t.trim()),
		['before_send', 'error', '2']);
	const dropped = page.getByRole('table', { name: 'Items prosum accepts and does not store' });
	assert.deepEqual((await dropped.getByRole('row').nth(1).getByRole('cell').allInnerTexts()).map((t) => t.trim()),
		['transaction', '1']);
	const items = page.getByRole('table', { name: 'Session and client report items' });
	await items.getByRole('row').filter({ hasText: 'session' }).filter({ hasText: 'kept' }).filter({ hasText: '2' }).first().waitFor();

	// The sign-in page asks for a session before there is one: that 401 is expected.
	assert.deepEqual((await problems(page)).filter((p) => !/status of 401 .*\/api\/v1\/session\)$/.test(p)), []);
	await checkA11y(page);
	await shot(page, 'admin-project-intake');
	await ctx.close();
});

test('the counts are an admin\'s: a developer\'s session is refused them', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'dev', 'developer');
	const status = await page.evaluate(async () => (await fetch('/api/v1/projects/demo/intake')).status);
	assert.equal(status, 403);
	await ctx.close();
});
