// release.test.mjs - the release manager's pages in a real browser: register a release, sync, the release page and its notes, the suggestions list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, browser as openBrowser, signIn, checkA11y, shot } from './harness.mjs';

let server;
let browser;
let api; // a browser context used only for API calls with the admin token

/* An API call with the admin token: {status, json, text}. */
async function call(method, path, body, token = server.token) {
	const r = await api.request.fetch(server.url + path, {
		method,
		headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
		data: body ? JSON.stringify(body) : undefined,
	});
	const text = await r.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		json = null;
	}
	return { status: r.status(), json, text };
}

async function suggest(uuid, title) {
	const r = await api.request.fetch(`${server.url}/api/v1/projects/demo/suggestions`, {
		method: 'POST',
		headers: { 'X-Prosum-Key': server.ingestKey, 'Content-Type': 'application/json' },
		data: JSON.stringify({ uuid, title, tester: { install_id: 'tester-1', name: 'Grace' } }),
	});
	assert.equal(r.status(), 201, await r.text());
	return (await r.json()).id;
}

before(async () => {
	server = await startServer();
	browser = await openBrowser();
	api = await browser.newContext({ ignoreHTTPSErrors: true });
	// A crash report R-1 (group G-1) and two suggestions S-1, S-2 from a named tester.
	const rep = await server.sendReport({
		uuid: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e801', kind: 'crash', title: 'Crash when opening <b>a PNG</b>',
		build: { version: '0.9' }, tester: { install_id: 'tester-1', name: 'Ada' },
	});
	assert.equal(rep.id, 'R-1');
	assert.equal(await suggest('9e4a2c71-0f3b-4d8e-b6a5-1c7d9e2f4a01', 'Dark mode'), 'S-1');
	assert.equal(await suggest('9e4a2c71-0f3b-4d8e-b6a5-1c7d9e2f4a02', 'Export to SVG'), 'S-2');
	// The first release is the repository's first commit; two commits then fix R-1 and implement S-1.
	server.git('tag', 'v0.9');
	server.git('commit', '--allow-empty', '-q', '-m', 'Read an empty palette\n\nFixes R-1');
	server.git('commit', '--allow-empty', '-q', '-m', 'Dark theme\n\nImplements S-1');
	server.git('tag', 'v1.0');
	server.addUser('rita', 'release');
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.close();
});

test('register releases from the page, sync, and list them in history order', async () => {
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	await signIn(page, server, 'rita', 'release');
	await page.goto(`${server.url}/p/demo/releases`);
	await page.getByRole('heading', { name: /Releases/ }).first().waitFor();
	await page.getByText('No releases yet.').waitFor();

	// A ref the repository does not have: the API's field error shows under the field.
	await page.getByLabel('Name').fill('0.9');
	await page.getByLabel('Git ref').fill('v9');
	await page.getByRole('button', { name: 'Register' }).click();
	const refErr = page.locator('.field-error', { hasText: "'v9' is not a commit, tag or branch" });
	await refErr.waitFor();
	assert.equal(await page.getByLabel('Git ref').getAttribute('aria-invalid'), 'true');

	await page.getByLabel('Git ref').fill('v0.9');
	await page.getByRole('button', { name: 'Register' }).click();
	await page.getByRole('status').filter({ hasText: 'Release 0.9 registered' }).waitFor();

	// Sync reads the two new commits and their links.
	await page.getByRole('button', { name: 'Sync now' }).click();
	const result = page.locator('.sync-result');
	await result.waitFor();
	assert.match(await result.innerText(), /2 new commits, 2 links/);

	await page.getByLabel('Name').fill('1.0');
	await page.getByLabel('Git ref').fill('v1.0');
	await page.getByRole('button', { name: 'Register' }).click();
	await page.getByRole('status').filter({ hasText: 'Release 1.0 registered' }).waitFor();

	// A name already taken: the name field's error.
	await page.getByLabel('Name').fill('1.0');
	await page.getByLabel('Git ref').fill('v1.0');
	await page.getByRole('button', { name: 'Register' }).click();
	await page.locator('.field-error', { hasText: "release '1.0' already exists" }).waitFor();

	// History order, the latest first, with the counts.
	const rows = page.locator('table.releases tbody tr');
	await rows.nth(1).waitFor();
	assert.equal(await rows.count(), 2);
	assert.equal(await rows.nth(0).locator('th').innerText(), '1.0');
	assert.equal(await rows.nth(1).locator('th').innerText(), '0.9');
	const api10 = await call('GET', '/api/v1/projects/demo/releases');
	assert.deepEqual(api10.json.items.map((r) => r.name), ['1.0', '0.9']);
	assert.match(await rows.nth(0).innerText(), /1\s+1\s+1\s*$/); // groups, reports, suggestions

	await checkA11y(page);
	await shot(page, 'releases');
	await ctx.close();
});

test('the release page lists what shipped and renders the notes, copyable and downloadable', async () => {
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
	await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
	const page = await ctx.newPage();
	await signIn(page, server, 'rita', 'release');
	await page.goto(`${server.url}/p/demo/releases`);
	await page.getByRole('link', { name: '1.0', exact: true }).click();
	await page.waitForURL(/\/p\/demo\/releases\/1\.0$/);
	await page.getByRole('heading', { name: 'Release 1.0', level: 1 }).waitFor();

	const groups = page.locator('section[aria-labelledby="rel-groups"]');
	await groups.getByRole('link', { name: 'G-1' }).waitFor();
	// The tester's markup is text, never HTML.
	assert.ok((await groups.innerText()).includes('Crash when opening <b>a PNG</b>'));
	assert.equal(await groups.locator('b').count(), 0);
	await page.locator('section[aria-labelledby="rel-reports"]').getByRole('link', { name: 'R-1' }).waitFor();
	const sugg = page.locator('section[aria-labelledby="rel-sugg"]');
	await sugg.getByRole('link', { name: 'S-1' }).waitFor();
	assert.ok((await sugg.innerText()).includes('Dark mode'));
	assert.equal(await sugg.getByRole('link', { name: 'S-2' }).count(), 0);
	assert.match(await page.locator('section[aria-labelledby="rel-thanks"]').innerText(), /Grace/);

	// The notes, rendered: a heading and list items.
	const notes = page.locator('article.notes');
	await notes.getByRole('heading', { name: 'Release 1.0' }).waitFor();
	await notes.getByRole('heading', { name: 'Fixed' }).waitFor();
	assert.ok(await notes.locator('li', { hasText: 'Dark mode' }).count() >= 1);
	assert.ok(await notes.locator('li', { hasText: 'Crash when opening' }).count() >= 1);
	assert.equal(await notes.locator('b').count(), 0);

	// Copy puts the raw Markdown on the clipboard.
	const raw = (await call('GET', '/api/v1/projects/demo/releases/1.0/notes')).text;
	assert.match(raw, /^# Release 1\.0/);
	await page.getByRole('button', { name: /Copy Markdown/ }).click();
	await page.waitForFunction(async (want) => (await navigator.clipboard.readText()) === want, raw);

	// Download gives the same Markdown as a file.
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('link', { name: /Download/ }).click(),
	]);
	assert.equal(download.suggestedFilename(), 'release-1.0.md');
	const fs = await import('node:fs/promises');
	assert.equal(await fs.readFile(await download.path(), 'utf8'), raw);

	await checkA11y(page);
	await shot(page, 'release');
	await ctx.close();
});

test('suggestions: filters live in the URL and a status change reaches the API', async () => {
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	await signIn(page, server, 'rita', 'release');
	await page.goto(`${server.url}/p/demo/suggestions`);
	const rows = page.locator('table.suggestions tbody tr');
	await rows.nth(1).waitFor();
	assert.equal(await rows.count(), 2);

	await page.getByLabel('Search').fill('svg');
	await page.getByRole('button', { name: 'Search' }).click();
	await page.waitForURL(/[?&]q=svg/);
	await page.waitForFunction(() => document.querySelectorAll('table.suggestions tbody tr').length === 1);
	assert.match(await rows.first().innerText(), /S-2/);

	await page.getByLabel('New status for S-2').selectOption('planned');
	await page.getByRole('button', { name: 'Apply' }).click();
	await page.getByRole('status').filter({ hasText: 'S-2 is now planned' }).waitFor();
	const s2 = await call('GET', '/api/v1/projects/demo/suggestions/S-2');
	assert.equal(s2.json.status, 'planned');

	// Only the moves the API allows are offered: from planned, not back to new.
	const offered = await page.getByLabel('New status for S-2').locator('option').allTextContents();
	assert.ok(!offered.includes('new'));

	// A shared URL opens the same view; status filter.
	await page.goto(`${server.url}/p/demo/suggestions?status=planned`);
	await rows.first().waitFor();
	assert.equal(await rows.count(), 1);
	assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'planned');

	// Merge S-2 into S-1 as a duplicate.
	await page.getByLabel('New status for S-2').selectOption('duplicate');
	await page.getByLabel('Duplicate of').fill('S-1');
	await page.getByRole('button', { name: 'Apply' }).click();
	await page.getByRole('status').filter({ hasText: 'duplicate of S-1' }).waitFor();
	assert.equal((await call('GET', '/api/v1/projects/demo/suggestions/S-2')).json.duplicate_of, 'S-1');

	await page.goto(`${server.url}/p/demo/suggestions`);
	await rows.first().waitFor();
	await checkA11y(page);
	await shot(page, 'suggestions');
	await ctx.close();
});

test('the pages work on a phone and with the keyboard alone', async () => {
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
	const page = await ctx.newPage();
	await signIn(page, server, 'rita', 'release');
	for (const path of ['/p/demo/releases', '/p/demo/releases/1.0', '/p/demo/suggestions']) {
		await page.goto(server.url + path);
		await page.locator('main table').first().waitFor();
		// Nothing wider than the screen but the tables' own scrolling boxes.
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
		await checkA11y(page);
	}
	// Keyboard only: tab to the sync button and press Enter.
	await page.goto(`${server.url}/p/demo/releases`);
	await page.locator('main table').waitFor();
	let found = false;
	for (let i = 0; i < 60 && !found; i++) {
		await page.keyboard.press('Tab');
		found = await page.evaluate(() => document.activeElement && document.activeElement.textContent === 'Sync now');
	}
	assert.ok(found, 'the sync button is reachable with Tab');
	await page.keyboard.press('Enter');
	await page.locator('.sync-result').waitFor();
	assert.match(await page.locator('.sync-result').innerText(), /0 new commits/);
	await ctx.close();
});
