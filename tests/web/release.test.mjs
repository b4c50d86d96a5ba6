// release.test.mjs - the release manager's pages in a real browser against a real prosumd: register releases and sync from the page, the release page with its notes (rendered, copied, downloaded), the suggestions list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, browser as openBrowser, signIn, checkA11y, shot, problems } from './harness.mjs';

let server;
let browser;

/* An API call with the admin token that init made. */
async function call(method, path, body) {
	return server.request(method, path, { headers: { Authorization: `Bearer ${server.token}` }, body });
}

async function suggest(uuid, title, name, body) {
	const r = await server.request('POST', '/api/v1/projects/demo/suggestions', {
		headers: { 'X-Prosum-Key': server.ingestKey },
		body: { uuid, title, body, tester: { install_id: `install-${name}`, name } },
	});
	assert.equal(r.status, 201, r.text);
	return r.json.id;
}

/* Console errors other than the API's answers the test asked for (a 4xx shows as a failed load). */
async function unexpected(page) {
	return (await problems(page)).filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
}

before(async () => {
	server = await startServer();
	browser = await openBrowser();
	// A crash report R-1 (group G-1) whose title holds markup, and two suggestions.
	const rep = await server.sendReport({
		uuid: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e801', kind: 'crash', title: 'Crash when opening <b>a PNG</b>',
		build: { version: '0.9' }, tester: { install_id: 'install-ada', name: 'Ada' },
	});
	assert.equal(rep.id, 'R-1');
	assert.equal(await suggest('9e4a2c71-0f3b-4d8e-b6a5-1c7d9e2f4a01', 'Dark mode', 'Grace'), 'S-1');
	assert.equal(await suggest('9e4a2c71-0f3b-4d8e-b6a5-1c7d9e2f4a02', 'Export to SVG', 'Hedy',
		'For the <script>print</script> shop'), 'S-2');
	// Release 0.9 is the first commit; then one commit fixes R-1 and one implements S-1: 1.0.
	await server.git('tag', 'v0.9');
	await server.git('commit', '--allow-empty', '-q', '-m', 'Read an empty palette\n\nFixes R-1');
	await server.git('commit', '--allow-empty', '-q', '-m', 'Dark theme\n\nImplements S-1');
	await server.git('tag', 'v1.0');
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.close();
});

test('a release manager registers releases and syncs from the page; the list is in history order', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'rita', 'release');
	await page.goto(`${server.url}/p/demo/releases`);
	await page.getByText('No releases yet.').waitFor();

	// A ref the repository does not have: the API's message shows at the field.
	await page.getByLabel('Name').fill('0.9');
	await page.getByLabel('Git ref').fill('v9');
	await page.getByRole('button', { name: 'Register' }).click();
	await page.locator('.field-error', { hasText: "'v9' is not a commit, tag or branch of the repository" }).waitFor();
	assert.equal(await page.getByLabel('Git ref').getAttribute('aria-invalid'), 'true');

	await page.getByLabel('Git ref').fill('v0.9');
	await page.getByRole('button', { name: 'Register' }).click();
	await page.getByRole('status').filter({ hasText: 'Release 0.9 registered' }).waitFor();

	// The sync reads the new commits and the two links in them.
	await page.getByRole('button', { name: 'Sync now' }).click();
	const result = page.locator('.sync-result');
	await result.waitFor();
	assert.match(await result.innerText(), /Sync done: \d+ new commits, 2 links, /);

	await page.getByLabel('Name').fill('1.0');
	await page.getByLabel('Git ref').fill('v1.0');
	await page.getByRole('button', { name: 'Register' }).click();
	await page.getByRole('status').filter({ hasText: 'Release 1.0 registered' }).waitFor();

	// A name already taken: the name field's error.
	await page.getByLabel('Name').fill('1.0');
	await page.getByLabel('Git ref').fill('v1.0');
	await page.getByRole('button', { name: 'Register' }).click();
	await page.locator('.field-error', { hasText: "release '1.0' already exists" }).waitFor();
	assert.equal(await page.getByLabel('Name').getAttribute('aria-invalid'), 'true');

	// History order, the latest first, with what each fixed and shipped.
	const table = page.getByRole('table', { name: /Releases/ });
	const rows = table.locator('tbody tr');
	await rows.nth(1).waitFor();
	assert.equal(await rows.count(), 2);
	assert.equal(await rows.nth(0).locator('td').first().innerText(), '1.0');
	assert.equal(await rows.nth(1).locator('td').first().innerText(), '0.9');
	const cells = async (i) => (await rows.nth(i).locator('td').allInnerTexts()).slice(4);
	assert.deepEqual(await cells(0), ['1', '1', '1']); // fixed groups, fixed reports, shipped suggestions
	assert.deepEqual(await cells(1), ['0', '0', '0']);
	assert.deepEqual((await call('GET', '/api/v1/projects/demo/releases')).json.items.map((r) => r.name), ['1.0', '0.9']);

	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
	await shot(page, 'releases');
	await ctx.close();
});

test('the release page lists what shipped and renders the notes, copyable and downloadable', async () => {
	const set = await call('PATCH', '/api/v1/projects/demo', { commit_url: 'https://git.example.org/demo/commit/{id}' });
	assert.equal(set.status, 200, set.text);
	const ctx = await browser.newContext();
	await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
	const page = await ctx.newPage();
	await signIn(page, server, 'remy', 'release');
	await page.goto(`${server.url}/p/demo/releases`);
	await page.getByRole('link', { name: '1.0', exact: true }).click();
	await page.waitForURL(/\/p\/demo\/releases\/1\.0$/);
	await page.getByRole('heading', { name: 'Release 1.0', level: 1 }).waitFor();

	const groups = page.locator('section[aria-labelledby="rel-groups"]');
	await groups.getByRole('link', { name: 'G-1' }).waitFor();
	// The tester's markup is text, never HTML.
	assert.ok((await groups.innerText()).includes('Crash when opening <b>a PNG</b>'));
	assert.equal(await page.locator('main b').count(), 0);
	await page.locator('section[aria-labelledby="rel-reports"]').getByRole('link', { name: 'R-1' }).waitFor();
	// Commits link to the project's commit URL, as on the group and report pages.
	const rel = (await call('GET', '/api/v1/projects/demo/releases/1.0')).json;
	assert.equal(await page.locator('dl.facts a.commit').getAttribute('href'), `https://git.example.org/demo/commit/${rel.commit}`);
	assert.equal(await groups.locator('a.commit').getAttribute('href'), `https://git.example.org/demo/commit/${rel.fixed_groups[0].fixed_by}`);
	assert.equal(await page.locator('section[aria-labelledby="rel-reports"] a.commit').getAttribute('href'),
		`https://git.example.org/demo/commit/${rel.fixed_reports[0].fixed_by}`);
	const sugg = page.locator('section[aria-labelledby="rel-sugg"]');
	await sugg.getByRole('link', { name: 'S-1' }).waitFor();
	assert.ok((await sugg.innerText()).includes('Dark mode'));
	assert.equal(await sugg.getByRole('link', { name: 'S-2' }).count(), 0);
	const thanks = await page.locator('section[aria-labelledby="rel-thanks"]').innerText();
	assert.match(thanks, /Grace: 1 shipped suggestion/);
	assert.match(thanks, /Ada: 1 fixed report/);

	// The notes, rendered: headings and list items, the tester's markup still text.
	const notes = page.locator('article.notes');
	await notes.getByRole('heading', { name: 'Release 1.0' }).waitFor();
	await notes.getByRole('heading', { name: 'Fixed' }).waitFor();
	await notes.getByRole('heading', { name: 'Community suggestions shipped' }).waitFor();
	assert.equal(await notes.locator('li', { hasText: 'Dark mode' }).count(), 1);
	assert.equal(await notes.locator('li', { hasText: 'Crash when opening <b>a PNG</b>' }).count(), 1);

	// Copy puts the raw Markdown on the clipboard.
	const raw = (await call('GET', '/api/v1/projects/demo/releases/1.0/notes')).text;
	assert.match(raw, /^# Release 1\.0\n/);
	await page.getByRole('button', { name: 'Copy Markdown' }).click();
	await page.getByText('Copied').waitFor();
	assert.equal(await page.evaluate(() => navigator.clipboard.readText()), raw);

	// The download is the same Markdown as a file.
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('link', { name: 'Download .md' }).click(),
	]);
	assert.equal(download.suggestedFilename(), 'release-1.0.md');
	assert.equal(await readFile(await download.path(), 'utf8'), raw);

	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
	await shot(page, 'release');
	await ctx.close();
});

test('suggestions: filters live in the URL, status moves and a duplicate merge reach the API', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'rosa', 'release');
	await page.goto(`${server.url}/p/demo/suggestions`);
	const table = page.getByRole('table', { name: 'Suggestions' });
	const rows = table.locator('tbody tr');
	await rows.nth(1).waitFor();
	assert.equal(await rows.count(), 2);

	await page.getByLabel('Search').fill('svg');
	await page.getByRole('button', { name: 'Search' }).click();
	await page.waitForURL(/\/p\/demo\/suggestions\?q=svg$/);
	await page.waitForFunction(() => document.querySelectorAll('main tbody tr').length === 1);
	assert.match(await rows.first().innerText(), /S-2/);
	// Its text opens under the title, as text.
	await rows.first().getByText('Text of S-2').click();
	await rows.first().getByText('For the <script>print</script> shop').waitFor();
	assert.equal(await page.locator('main script').count(), 0);

	await page.getByLabel('New status for S-2').selectOption('planned');
	await page.getByRole('button', { name: 'Apply to S-2' }).click();
	await page.getByRole('status').filter({ hasText: 'S-2 is now planned' }).waitFor();
	assert.equal((await call('GET', '/api/v1/projects/demo/suggestions/S-2')).json.status, 'planned');
	// The list shows the new status once it has reloaded (the notice comes first, from the PATCH answer).
	await rows.first().locator('.status', { hasText: 'planned' }).waitFor();
	// Only the moves the API allows from planned are offered (not back to new).
	const offered = await page.getByLabel('New status for S-2').locator('option').allTextContents();
	assert.deepEqual(offered, ['move to…', 'under review', 'in progress', 'shipped', 'declined', 'duplicate']);

	// A shared URL opens the same view, filters filled in.
	await page.goto(`${server.url}/p/demo/suggestions?status=planned&sort=newest`);
	await rows.first().waitFor();
	assert.equal(await rows.count(), 1);
	assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'planned');
	assert.equal(await page.getByLabel('Sort').inputValue(), 'newest');

	// A status the API refuses shows its message: shipped needs a release.
	await page.getByLabel('New status for S-2').selectOption('shipped');
	await page.getByRole('button', { name: 'Apply to S-2' }).click();
	await page.locator('.field-error', { hasText: 'shipped_in' }).or(page.locator('.field-error', { hasText: 'release' })).first().waitFor();
	assert.equal((await call('GET', '/api/v1/projects/demo/suggestions/S-2')).json.status, 'planned');

	// Merge S-2 into S-1 as a duplicate.
	await page.getByLabel('New status for S-2').selectOption('duplicate');
	await page.getByLabel('S-2 duplicates').fill('S-1');
	await page.getByRole('button', { name: 'Apply to S-2' }).click();
	await page.getByRole('status').filter({ hasText: 'duplicate of S-1' }).waitFor();
	const s2 = (await call('GET', '/api/v1/projects/demo/suggestions/S-2')).json;
	assert.equal(s2.status, 'duplicate');
	assert.equal(s2.duplicate_of, 'S-1');

	await page.goto(`${server.url}/p/demo/suggestions`);
	await rows.first().waitFor();
	assert.equal(await rows.count(), 1); // duplicates are left out unless asked for
	assert.deepEqual(await unexpected(page), []);
	await checkA11y(page);
	await shot(page, 'suggestions');
	await ctx.close();
});

test('a developer reads releases, moves and merges suggestions, but is offered no release-manager actions', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'dave', 'developer');
	await page.goto(`${server.url}/p/demo/releases`);
	await page.getByRole('table', { name: /Releases/ }).waitFor();
	assert.equal(await page.getByRole('button', { name: 'Register' }).count(), 0);
	await page.getByRole('button', { name: 'Sync now' }).waitFor(); // developers may sync
	await page.goto(`${server.url}/p/demo/suggestions`);
	await page.getByRole('table', { name: 'Suggestions' }).waitFor();
	// a developer moves a suggestion (as on the board), but "shipped" is the release manager's
	const label = await page.locator('label').filter({ hasText: /^New status for S-\d+$/ }).first().textContent();
	const id = /S-\d+/.exec(label)[0];
	const first = page.getByLabel(`New status for ${id}`, { exact: true });
	const moves = await first.locator('option').evaluateAll((os) => os.map((o) => o.value));
	assert.ok(!moves.includes('shipped'), moves.join(' '));
	const to = moves.find((m) => m && m !== 'duplicate');
	assert.ok(to, moves.join(' '));
	await first.selectOption(to);
	await page.getByRole('button', { name: `Apply to ${id}` }).click();
	await page.waitForFunction(async ([p, want]) => (await (await fetch(p)).json()).status === want,
		[`/api/v1/projects/demo/suggestions/${id}`, to]);
	await ctx.close();
});

test('the pages work on a phone, in dark mode, and with the keyboard alone', async () => {
	const ctx = await browser.newContext({ colorScheme: 'dark' });
	const page = await ctx.newPage();
	await signIn(page, server, 'rory', 'release'); // on a wide screen: it waits for the name in the top bar
	await page.setViewportSize({ width: 375, height: 740 });
	for (const path of ['/p/demo/releases', '/p/demo/releases/1.0', '/p/demo/suggestions']) {
		await page.goto(server.url + path);
		await page.locator('main table').first().waitFor();
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
		await checkA11y(page);
	}
	// Keyboard only: Tab to the sync button, Enter.
	await page.goto(`${server.url}/p/demo/releases`);
	await page.locator('main table').waitFor();
	let found = false;
	for (let i = 0; i < 80 && !found; i++) {
		await page.keyboard.press('Tab');
		found = await page.evaluate(() => document.activeElement && document.activeElement.textContent === 'Sync now');
	}
	assert.ok(found, 'the sync button is reachable with Tab');
	await page.keyboard.press('Enter');
	await page.locator('.sync-result').waitFor();
	assert.match(await page.locator('.sync-result').innerText(), /0 new commits/);
	await ctx.close();
});
