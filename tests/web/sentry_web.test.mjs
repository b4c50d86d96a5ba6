// sentry_web.test.mjs - what the web app shows of Sentry intake in a real browser: a Sentry event's
// breadcrumbs, contexts, request, extra and SDK on its report page (hostile text as text), feedback
// links, the lookup by event id from the reports search, and the Sentry DSN on the admin pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser as openBrowser, checkA11y, problems, shot, signIn, startServer } from './harness.mjs';

let server;
let b;
let ctx;
let page;
let event; // the by-event answer for the stored Sentry event

const EVENT_ID = '5f0c8e2a9b7d4c1e8a6f3b2d1c0e9f8a';
const DASHED_UPPER = '5F0C8E2A-9B7D-4C1E-8A6F-3B2D1C0E9F8A';
const HOSTILE_CRUMB = '<img src=x onerror="window.__pwned=1">clicked Save';
const HOSTILE_SCRIPT = '<script>window.__pwned=2</script>';

function sentryEvent() {
	return {
		event_id: EVENT_ID,
		level: 'error',
		platform: 'python',
		release: 'app@1.0.0',
		message: 'Saving the drawing failed',
		breadcrumbs: { values: [
			{ timestamp: 1796500000.25, category: 'ui.click', level: 'info', message: HOSTILE_CRUMB },
			{ timestamp: '2026-12-05T20:00:01Z', category: 'http', level: 'warning', message: HOSTILE_SCRIPT },
			{ timestamp: 1796500002, type: 'navigation', data: { from: '/a', to: '/b' } },
		] },
		contexts: {
			os: { name: 'Linux', version: '6.1' },
			runtime: { name: 'CPython', version: '3.11.2' },
			app: { '<b>build</b>': '<i>nightly</i>' },
		},
		request: {
			method: 'POST',
			url: 'https://app.example.org/save?id=7',
			headers: { Authorization: 'Bearer very-secret-value', Accept: 'text/html' },
		},
		extra: { attempt: 3, note: '<a href="javascript:alert(1)">click</a>' },
		sdk: { name: 'sentry.python', version: '1.9.0' },
	};
}

// Errors a page may log on purpose: the 404 of an event id no report has, the 401 of the session read before signing in.
async function unexpected(p) {
	return (await problems(p)).filter((x) => !/Failed to load resource: the server responded with a status of 40[14]/.test(x));
}

before(async () => {
	server = await startServer();
	const auth = `Sentry sentry_version=7, sentry_client=raw/1.0, sentry_key=${server.ingestKey}`;
	const stored = await server.request('POST', '/api/1/store/', { headers: { 'X-Sentry-Auth': auth }, body: sentryEvent() });
	assert.equal(stored.status, 200, stored.text);
	assert.equal(stored.json.id, EVENT_ID);
	const found = await server.request('GET', `/api/v1/projects/demo/reports/by-event/${EVENT_ID}`,
		{ headers: { Authorization: `Bearer ${server.token}` } });
	assert.equal(found.status, 200, found.text);
	event = found.json;
	b = await openBrowser();
	ctx = await b.newContext();
	await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
	page = await ctx.newPage();
	// A dialog would mean report text ran as script.
	page.on('dialog', (d) => { page.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
	await signIn(page, server, 'sam', 'admin');
});

after(async () => {
	await b?.close();
	await server?.close();
});

test('a Sentry event\'s report shows its breadcrumbs, contexts, request, extra and SDK, all as text', async () => {
	await page.goto(`${server.url}/p/demo/reports/${event.id}`);
	await page.getByRole('heading', { level: 1, name: `${event.id}: Saving the drawing failed` }).waitFor();

	const crumbs = page.getByRole('table', { name: 'Breadcrumbs, oldest first' });
	await crumbs.waitFor();
	const rows = crumbs.locator('tbody tr');
	assert.equal(await rows.count(), 3);
	assert.deepEqual(await rows.nth(0).locator('td').allInnerTexts(),
		['2026-12-05 19:46:40Z', 'ui.click', 'info', HOSTILE_CRUMB]);
	assert.deepEqual(await rows.nth(1).locator('td').allInnerTexts(),
		['2026-12-05 20:00:01Z', 'http', 'warning', HOSTILE_SCRIPT]);
	// a crumb without a message shows its data; its type stands for the category
	assert.equal(await rows.nth(2).locator('td').nth(1).innerText(), 'navigation');
	assert.equal(await rows.nth(2).locator('td').nth(3).innerText(), '{"from":"/a","to":"/b"}');
	// nothing of the report became markup
	assert.equal(await page.locator('main img, main script, main b, main i').count(), 0);
	assert.equal(await page.evaluate(() => window.__pwned), undefined);

	const contexts = page.locator('section[aria-labelledby="contexts"]');
	await contexts.getByRole('heading', { level: 3, name: 'runtime' }).waitFor();
	assert.match(await contexts.innerText(), /os\s+name\s+Linux\s+version\s+6\.1/);
	assert.match(await contexts.innerText(), /CPython/);
	assert.match(await contexts.innerText(), /<b>build<\/b>\s+<i>nightly<\/i>/);

	const request = page.locator('section[aria-labelledby="request"]');
	assert.match(await request.innerText(), /Method\s+POST/);
	assert.match(await request.innerText(), /URL\s+https:\/\/app\.example\.org\/save\?id=7/);
	const headers = request.getByRole('table', { name: 'Request headers (secrets filtered)' });
	assert.deepEqual(await headers.locator('tbody tr').filter({ hasText: 'Authorization' }).locator('td').allInnerTexts(),
		['Authorization', '[Filtered]']);
	assert.equal(await page.getByText('very-secret-value').count(), 0);

	const extra = page.locator('section[aria-labelledby="extra"]');
	assert.match(await extra.innerText(), /attempt\s+3/);
	assert.match(await extra.innerText(), /note\s+<a href="javascript:alert\(1\)">click<\/a>/);
	assert.equal(await extra.locator('a').count(), 0);

	const sdk = page.locator('section[aria-labelledby="sdk"]');
	assert.match(await sdk.innerText(), /Name\s+sentry\.python\s+Version\s+1\.9\.0/);
	// shown in their own sections, not again among the other fields
	const more = page.locator('section[aria-labelledby="more"]');
	if (await more.count())
		assert.doesNotMatch(await more.innerText(), /breadcrumbs|sentry\.python/);

	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
	await shot(page, 'sentry-report');
});

test('a feedback report links to its event\'s report with its contact; the event lists its feedback', async () => {
	// The documents carry the links as the server's feedback intake adds them on reading.
	const feedback = await server.sendReport({
		uuid: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', kind: 'feedback', title: 'It lost my drawing',
		build: { version: '1.0.0' }, tester: { install_id: 'sentry' },
		feedback_for: event.id, contact: { name: 'Ada <script>x</script>', email: 'ada@example.org' },
	});
	const other = await server.sendReport({
		uuid: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e', kind: 'bug', title: 'Export hangs',
		build: { version: '1.0.0' }, tester: { install_id: 'sentry' }, feedback: [feedback.id],
	});
	await page.goto(`${server.url}/p/demo/reports/${feedback.id}`);
	const on = page.locator('.sentry-feedback');
	await on.getByText('Feedback on').waitFor();
	await on.getByRole('link', { name: event.id }).click();
	await page.waitForURL(new RegExp(`/p/demo/reports/${event.id}$`));
	await page.goBack();
	await page.locator('.sentry-feedback').getByText('Contact: Ada <script>x</script> <ada@example.org>').waitFor();
	await page.goto(`${server.url}/p/demo/reports/${other.id}`);
	await page.locator('.sentry-feedback').getByText('Feedback on this report:').waitFor();
	await page.locator('.sentry-feedback').getByRole('link', { name: feedback.id }).waitFor();
	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
});

test('the reports search takes an event id and opens its report; an unknown one says so', async () => {
	await page.goto(`${server.url}/p/demo/reports`);
	await page.getByLabel('Search').fill(DASHED_UPPER);
	await page.getByRole('button', { name: 'Apply' }).click();
	await page.waitForURL(new RegExp(`/p/demo/reports/${event.id}$`));
	await page.getByRole('heading', { level: 1, name: `${event.id}: Saving the drawing failed` }).waitFor();

	await page.goto(`${server.url}/p/demo/reports`);
	await page.getByLabel('Search').fill('0123456789abcdef0123456789abcdef');
	await page.getByRole('button', { name: 'Apply' }).click();
	await page.getByText('No report has the event id').waitFor();
	await page.getByText('0 reports on this page').waitFor();
	assert.match(page.url(), /\/p\/demo\/reports\?q=0123456789abcdef0123456789abcdef$/);
	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
});

test('the admin pages show the Sentry DSN beside the DSN, with its copy button', async () => {
	const proj = (await server.request('GET', '/api/v1/projects/demo', { headers: { Authorization: `Bearer ${server.token}` } })).json;
	assert.match(proj.sentry_dsn, /^https:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/1$/);
	await page.goto(`${server.url}/admin/projects/demo`);
	const card = page.locator('section[aria-labelledby="dsn-h"]');
	await card.getByText('For apps that carry a Sentry SDK').waitFor();
	assert.equal((await card.locator('code.dsn').innerText()).trim(), proj.dsn);
	assert.equal((await card.locator('code.dsn-sentry').innerText()).trim(), proj.sentry_dsn);
	await card.getByRole('button', { name: 'Copy Sentry DSN' }).click();
	await card.getByText('Copied').waitFor();
	assert.equal(await page.evaluate(() => navigator.clipboard.readText()), proj.sentry_dsn);
	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);

	// A new project's result shows both.
	await page.goto(`${server.url}/admin/projects`);
	await page.getByLabel('Name', { exact: true }).fill('mobile');
	await page.getByRole('button', { name: 'Create project' }).click();
	const made = page.locator('.notice').filter({ hasText: 'created' });
	await made.locator('code.dsn-sentry').waitFor();
	assert.match((await made.locator('code.dsn-sentry').innerText()).trim(), /^https:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/2$/);
	await made.getByText('For apps that carry a Sentry SDK').waitFor();
	await made.getByRole('button', { name: 'Copy Sentry DSN' }).waitFor();
	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
	await shot(page, 'admin-sentry-dsn');
});
