// webhooks_delivery.test.mjs - an admin drives a webhook end to end in a real browser against a local receiver: add (secret once), test, the delivery log, a 500 and its redelivery, edit, new secret, disable, remove; every request signed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { startServer, browser as openBrowser, signIn, checkA11y, shot, problems } from './harness.mjs';

let server;
let browser;
let receiver;

// A webhook receiver on 127.0.0.1: keeps every request, answers `status`.
function startReceiver() {
	const r = { hits: [], status: 200 };
	r.http = createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			r.hits.push({ method: req.method, path: req.url, headers: req.headers, body, status: r.status });
			res.writeHead(r.status, { 'Content-Type': 'text/plain' });
			res.end(r.status < 300 ? 'ok' : 'no');
		});
	});
	return new Promise((resolve) => r.http.listen(0, '127.0.0.1', () => {
		r.url = `http://127.0.0.1:${r.http.address().port}/hook`;
		resolve(r);
	}));
}

// Wait until the receiver holds n requests. Bounded generously: a loaded machine (no timing
// is asserted, the sender tries again within a few seconds).
async function hits(n) {
	for (let i = 0; i < 1200 && receiver.hits.length < n; i++)
		await new Promise((resolve) => setTimeout(resolve, 100));
	assert.ok(receiver.hits.length >= n, `the receiver got ${receiver.hits.length} requests, not ${n}`);
	return receiver.hits;
}

// The Standard Webhooks check a receiver makes: v1,base64(HMAC-SHA256(key, id.timestamp.body)),
// the key the base64 after "whsec_"; the timestamp within five minutes of now.
function signedWith(hit, secret) {
	const id = hit.headers['webhook-id'];
	const ts = hit.headers['webhook-timestamp'];
	const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
	const want = Buffer.from('v1,' + createHmac('sha256', key).update(`${id}.${ts}.${hit.body}`).digest('base64'));
	if (!id || !/^\d+$/.test(ts || '') || Math.abs(Date.now() / 1000 - Number(ts)) > 300)
		return false;
	return (hit.headers['webhook-signature'] || '').split(' ').some((s) => {
		const got = Buffer.from(s);
		return got.length === want.length && timingSafeEqual(got, want);
	});
}

before(async () => {
	receiver = await startReceiver();
	// The first retry after a failure waits about a second instead of 30 (a test-only setting).
	server = await startServer({ serveArgs: ['--webhook-allow-private'], env: { PROSUM_TEST_WEBHOOK_BASE_MS: '1000' } });
	browser = await openBrowser();
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.close();
	if (receiver) receiver.http.close();
});

test('an admin adds a webhook, tests it, watches a 500 retried, edits, rotates, disables and removes it', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	const url = receiver.url;
	const auth = { headers: { Authorization: `Bearer ${server.token}` } };
	await signIn(page, server, 'ida', 'admin');
	await page.goto(`${server.url}/admin/projects/demo`);
	const section = page.getByRole('region', { name: 'Webhooks' });
	await section.getByText('No webhooks').waitFor();

	// Add: every event, the standard format; the secret is shown once, naming the webhook.
	const addForm = section.getByRole('form', { name: 'Add a webhook' });
	await addForm.getByLabel('URL').fill(url);
	await addForm.getByRole('button', { name: 'Add webhook' }).click();
	await section.getByText(`Webhook to ${url} added. Its signing secret, shown this once`).waitFor();
	const secret = (await section.locator('.secret-row code').innerText()).trim();
	assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
	await section.getByText('standard · every event · enabled').waitFor();
	assert.equal(await addForm.getByLabel('URL').inputValue(), '');
	// The webhooks are a list of cards, without bullets beside them.
	assert.equal(await section.getByRole('list', { name: 'Webhooks' }).evaluate((ul) => getComputedStyle(ul).listStyleType), 'none');
	const listed = await server.request('GET', '/api/v1/projects/demo/webhooks', auth);
	assert.equal(listed.json.items.length, 1);
	assert.deepEqual(listed.json.items[0].events, ['*']);
	assert.equal(listed.json.items[0].secret, undefined);
	const hookId = listed.json.items[0].id;
	// Once: the page read again shows it no more.
	await page.reload();
	await section.getByText('standard · every event · enabled').waitFor();
	assert.equal(await section.locator('.secret-row code').count(), 0);

	// A test: the log opens by itself and follows the delivery until the receiver took it.
	await section.getByRole('button', { name: `Send a test to ${url}` }).click();
	await section.getByText('Test event sent').waitFor();
	const log = section.getByRole('table', { name: `Deliveries to ${url}` });
	const newest = log.getByRole('row').nth(1);
	await newest.filter({ hasText: 'delivered' }).filter({ hasText: 'HTTP 200' }).waitFor();
	assert.match(await newest.innerText(), /evt_\d+\s+test/);
	const [first] = await hits(1);
	assert.equal(first.method, 'POST');
	assert.equal(first.headers['content-type'], 'application/json');
	assert.ok(signedWith(first, secret), 'the test request is signed with the secret shown');
	const body = JSON.parse(first.body);
	assert.equal(body.type, 'test');
	assert.equal(body.id, first.headers['webhook-id']);
	assert.equal(body.url, `${server.url}/p/demo`);

	// The receiver fails: a redelivery is answered 500, shown pending with its next try, and
	// retried until the receiver takes it.
	receiver.status = 500;
	await log.getByRole('button', { name: `Redeliver ${body.id}` }).click();
	await newest.filter({ hasText: 'HTTP 500' }).filter({ hasText: 'pending: next try' }).waitFor();
	assert.equal(await section.getByText('Test event sent').count(), 0, 'the test\'s message is not left over');
	assert.equal(await log.getByRole('row').count(), 3);
	await checkA11y(page);
	await shot(page, 'admin-webhooks-retrying');
	receiver.status = 200;
	await newest.filter({ hasText: 'delivered' }).filter({ hasText: 'HTTP 200' }).waitFor();
	const retried = receiver.hits.slice(1);
	assert.ok(retried.length >= 2);
	assert.equal(retried[0].status, 500);
	assert.equal(retried[retried.length - 1].status, 200);
	for (const h of retried) {
		assert.equal(h.headers['webhook-id'], body.id, 'a redelivery is the same event');
		assert.ok(signedWith(h, secret));
	}
	const attempts = Number((await newest.getByRole('cell').nth(2).innerText()).trim());
	assert.equal(attempts, retried.length);

	// Edit: a refused URL is named at its field; then the events become two types.
	await section.getByRole('button', { name: `Edit ${url}` }).click();
	const editForm = section.getByRole('form', { name: `Edit the webhook to ${url}` });
	await editForm.getByLabel('URL').fill('ftp://example.org/hook');
	await editForm.getByRole('button', { name: 'Save' }).click();
	await editForm.getByText('an http:// or https:// URL').waitFor();
	await editForm.getByLabel('URL').fill(url);
	await editForm.getByLabel('Every event').uncheck();
	await editForm.getByLabel('release.created').check();
	await editForm.getByLabel('group.created').check();
	await checkA11y(page);
	await shot(page, 'admin-webhooks-edit');
	await editForm.getByRole('button', { name: 'Save' }).click();
	await section.getByText('standard · release.created, group.created · enabled').waitFor();
	await section.getByText('Webhook saved.').waitFor();
	const edited = await server.request('GET', `/api/v1/projects/demo/webhooks/${hookId}`, auth);
	assert.deepEqual(edited.json.events, ['release.created', 'group.created']);
	assert.equal(edited.json.url, url);
	// What it asks for comes, what it does not never gets a delivery.
	const before = receiver.hits.length;
	const sug = await server.request('POST', '/api/v1/projects/demo/suggestions',
		{ headers: { 'X-Prosum-Key': server.ingestKey }, body: { uuid: '3f6c1b8e-8d0a-4f7e-9a51-1c2d3e4f5a6b', title: 'Dark mode', tester: { install_id: 'install-hooks' } } });
	assert.equal(sug.status, 201, sug.text);
	const rel = await server.request('POST', '/api/v1/projects/demo/releases', { ...auth, body: { name: '1.0.0+hooks', ref: 'main' } });
	assert.equal(rel.status, 201, rel.text);
	const got = (await hits(before + 1)).slice(before);
	const relBody = JSON.parse(got[0].body);
	assert.equal(relBody.type, 'release.created');
	assert.equal(relBody.url, `${server.url}/p/demo/releases/1.0.0%2Bhooks`);
	assert.ok(signedWith(got[0], secret));
	const log2 = await server.request('GET', `/api/v1/projects/demo/webhooks/${hookId}/deliveries`, auth);
	assert.deepEqual(log2.json.items.map((d) => d.type).filter((t) => t !== 'test'), ['release.created']);

	// A new secret: shown once, and the next request is signed with it, not the old one.
	await section.getByRole('button', { name: `New secret for ${url}` }).click();
	await section.getByRole('button', { name: 'Yes, new secret' }).click();
	await section.getByText('Its new signing secret, shown this once').waitFor();
	const secret2 = (await section.locator('.secret-row code').innerText()).trim();
	assert.match(secret2, /^whsec_/);
	assert.notEqual(secret2, secret);
	const n = receiver.hits.length;
	await section.getByRole('button', { name: `Send a test to ${url}` }).click();
	const [afterRotate] = (await hits(n + 1)).slice(n);
	assert.ok(signedWith(afterRotate, secret2));
	assert.ok(!signedWith(afterRotate, secret));

	// Disabled: no test can be sent; enabled again; removed with its log.
	await section.getByRole('button', { name: `Disable ${url}` }).click();
	await section.getByText('standard · release.created, group.created · disabled').waitFor();
	assert.ok(await section.getByRole('button', { name: `Send a test to ${url}` }).isDisabled());
	await section.getByRole('button', { name: `Enable ${url}` }).click();
	await section.getByText('standard · release.created, group.created · enabled').waitFor();
	await section.getByRole('button', { name: `Remove ${url}` }).click();
	await section.getByRole('button', { name: 'Yes, remove' }).click();
	await section.getByText('No webhooks').waitFor();
	const gone = await server.request('GET', '/api/v1/projects/demo/webhooks', auth);
	assert.equal(gone.json.items.length, 0);

	// Every request the receiver got was the server's POST, signed.
	assert.ok(receiver.hits.every((h) => h.method === 'POST' && h.path === '/hook' &&
		(signedWith(h, secret) || signedWith(h, secret2))));
	// Expected: the sign-in page's 401 before there is a session, and the refused ftp:// URL's 422.
	assert.deepEqual((await problems(page)).filter((p) => !/status of 401 .*\/api\/v1\/session\)$/.test(p) &&
		!/status of 422 .*\/webhooks\/\d+\)$/.test(p)), []);
	await ctx.close();
});
