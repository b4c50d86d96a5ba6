// triage_pages.test.mjs - the group and report pages in a real browser: source lines from the
// report's own commit, suspect commits linked, status / assign / comment / merge done in the page
// and confirmed by the API, attachments, a11y, phone and dark mode.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkA11y, problems, shot, signIn, startServer } from './harness.mjs';
import {
	COMMIT_URL, PNG_1PX, eventually, paletteHistory, report, sendWithFiles, settled, tokenApi, unexpected,
} from './triage_seed.mjs';

let server;
let b;
let api;
let page;
let commits;
let crash; // the ingest answer of the crash report built from commit B

before(async () => {
	server = await startServer();
	api = tokenApi(server);
	// the home page's read of a project without a report (the sanitizer build once stopped here)
	const empty = await api.get('/overview');
	assert.equal(empty.status, 200, empty.text);
	assert.deepEqual([empty.json.new, empty.json.rising, empty.json.regressed], [[], [], []]);
	const set = await api.project({ commit_url: COMMIT_URL });
	assert.equal(set.status, 200, set.text);
	commits = await paletteHistory(server);
	crash = await server.sendReport(report({
		kind: 'crash',
		title: 'Crash when reading a palette',
		build: { version: '1.0.0', revision: commits.b },
		exception: { type: 'SIGSEGV', value: 'invalid read at 0x10' },
		frames: [
			{ function: 'read_entry', file: 'libc/io.c', line: 7, in_app: false },
			{ function: 'png_read_palette', file: 'src/png.c', line: 12, module: 'viewer' },
			{ function: 'load_image', file: 'src/gone.c', line: 40, module: 'viewer' },
			{ function: 'main', file: 'main.c', line: 3, module: 'viewer' },
		],
		tags: { gpu: 'intel' },
		steps: 'Open holiday.png\nfrom the recent files',
	}));
	// blame runs in a job after the answer
	await eventually(async () => {
		const g = await api.get(`/groups/${crash.group}`);
		return g.json && g.json.suspects && g.json.suspects.length;
	}, 'the suspects of the crash group');
	b = await browser();
	const ctx = await b.newContext();
	page = await ctx.newPage();
	await signIn(page, server, 'ada', 'developer');
	await server.addUser('grace', 'developer');
});

after(async () => {
	await b?.close();
	await server?.close();
});

describe('group page', () => {
	test('the latest report\'s trace shows the source at its own commit and the suspect commit with its link', async () => {
		await page.goto(`${server.url}/p/demo/groups/${crash.group}`);
		await page.getByRole('heading', { level: 1, name: `${crash.group}: Crash when reading a palette` }).waitFor();
		await settled(page);
		const frame = page.locator('.frame').filter({ hasText: 'png_read_palette' });
		const hl = frame.locator('.code .hl');
		await hl.waitFor();
		// line 12 as commit B has it, not as A or C (the head) have it
		assert.match(await hl.innerText(), /^12\s*\tpalette\[n\] = read_entry\(f\); \/\* palette at B \*\//);
		assert.equal(await page.getByText('palette at C').count(), 0);
		assert.equal(await page.getByText('palette at A').count(), 0);
		// five lines either side
		assert.equal(await frame.locator('.code .line').count(), 11);
		// a frame whose file is not in the repository, and a system frame, have no source
		await page.locator('.frame').filter({ hasText: 'src/gone.c:40' }).getByText('is not in the repository at this commit').waitFor();
		// another in-app frame, with its own lines
		assert.match(await page.locator('.frame').filter({ hasText: 'main.c:3' }).locator('.code .hl').innerText(), /return 0;/);
		assert.equal(await page.locator('.frame').filter({ hasText: 'libc/io.c' }).locator('.code').count(), 0);
		// the suspect commit, linked through the project's commit URL
		const suspects = page.locator('section[aria-labelledby="suspects"]');
		await suspects.getByText('Read the palette without a bounds check').waitFor();
		const a = suspects.locator('li').filter({ hasText: 'Read the palette without a bounds check' }).locator('a.commit');
		assert.equal(await a.getAttribute('href'), COMMIT_URL.replace('{id}', commits.b));
		await suspects.getByText('Linus Breaker').waitFor();
		// facts, chart and breakdowns
		assert.ok(await page.getByRole('img', { name: /Reports per day: 1 report over 30 days/ }).isVisible());
		assert.ok(await page.getByRole('list', { name: 'Reports per version' }).getByText('1.0.0').isVisible());
		assert.ok(await page.getByRole('list', { name: 'Reports per tag' }).getByText('gpu: intel').isVisible());
		assert.deepEqual(unexpected(await problems(page)), []);
		await checkA11y(page);
		await shot(page, 'devui-group');
	});

	test('a status change in the page is what the API then reads; a move the workflow refuses shows the API\'s error', async () => {
		await page.goto(`${server.url}/p/demo/groups/${crash.group}`);
		const status = page.getByLabel(/^Status \(now/);
		await status.waitFor();
		// only the moves the workflow allows from "new"
		const options = await status.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
		assert.deepEqual(options, ['triaged', 'in_progress', 'fixed', 'wontfix', 'duplicate']);
		await status.selectOption('triaged');
		await page.getByRole('button', { name: 'Change status' }).click();
		await page.getByRole('status').filter({ hasText: 'Status changed to triaged.' }).waitFor();
		assert.equal((await api.get(`/groups/${crash.group}`)).json.status, 'triaged');
		await page.getByLabel('Status (now triaged)').waitFor();

		// someone else sets wontfix meanwhile; this page still offers the moves from triaged
		assert.equal((await api.patch(`/groups/${crash.group}`, { status: 'wontfix' })).status, 200);
		await page.getByLabel('Status (now triaged)').selectOption('in_progress');
		await page.getByRole('button', { name: 'Change status' }).click();
		await page.getByRole('alert').filter({ hasText: 'cannot go from wontfix to in_progress' }).waitFor();
		assert.equal((await api.get(`/groups/${crash.group}`)).json.status, 'wontfix');
		// and the page now shows the status the group has
		await page.getByLabel('Status (now wontfix)').waitFor();
		await shot(page, 'devui-group-refused');
		assert.equal((await api.patch(`/groups/${crash.group}`, { status: 'triaged' })).status, 200);
	});

	test('assign to a person from the project\'s people, and comment; the API and the history agree', async () => {
		await page.goto(`${server.url}/p/demo/groups/${crash.group}`);
		const who = page.getByLabel('Assignee');
		await who.locator('option', { hasText: 'grace' }).waitFor({ state: 'attached' });
		// the people who may see the project, and nobody
		assert.deepEqual(await who.locator('option').evaluateAll((os) => os.map((o) => o.value)), ['', 'ada', 'grace']);
		await who.selectOption('grace');
		await page.getByRole('button', { name: 'Assign' }).click();
		await page.getByRole('status').filter({ hasText: 'Assigned to grace.' }).waitFor();
		assert.equal((await api.get(`/groups/${crash.group}`)).json.assignee, 'grace');
		await page.getByText('assigned to grace', { exact: true }).waitFor();

		await page.getByRole('textbox', { name: 'Comment' }).fill('Looks like the palette index\nis not checked.');
		await page.getByRole('button', { name: 'Add comment' }).click();
		await page.getByRole('status').filter({ hasText: 'Comment added.' }).waitFor();
		const g = (await api.get(`/groups/${crash.group}`)).json;
		assert.equal(g.comments.length, 1);
		assert.equal(g.comments[0].author, 'ada');
		assert.equal(g.comments[0].body, 'Looks like the palette index\nis not checked.');
		const comments = page.locator('section[aria-labelledby="comments"]');
		await comments.getByText('is not checked.').waitFor();
		await comments.getByText('ada').waitFor();
		// the history table names the person and the change
		const history = page.locator('section[aria-labelledby="history"]');
		await history.getByRole('cell', { name: 'grace' }).first().waitFor();
		assert.ok((await history.getByRole('cell', { name: 'ada' }).count()) >= 1);
		// a status reads there as it does everywhere else: "in progress", not "in_progress"
		assert.equal((await api.patch(`/groups/${crash.group}`, { status: 'in_progress' })).status, 200);
		await page.reload();
		await history.getByRole('cell', { name: 'in progress', exact: true }).waitFor();
		assert.equal(await history.getByRole('cell', { name: 'in_progress' }).count(), 0);
		assert.equal((await api.patch(`/groups/${crash.group}`, { status: 'triaged' })).status, 200);
	});

	test('merge a group into another from the page; the API reads it merged', async () => {
		const one = await server.sendReport(report({ title: 'Toolbar icons blurry on HiDPI' }));
		const two = await server.sendReport(report({ title: 'Toolbar icons blurry at 200% scale' }));
		assert.notEqual(one.group, two.group);
		await page.goto(`${server.url}/p/demo/groups/${two.group}`);
		await page.getByLabel('Merge into group').fill(one.group.toLowerCase());
		await page.getByRole('button', { name: 'Merge' }).click();
		await page.getByRole('status').filter({ hasText: `Merged into ${one.group}.` }).waitFor();
		const g = (await api.get(`/groups/${two.group}`)).json;
		assert.equal(g.merged_into, one.group);
		assert.equal(g.status, 'duplicate');
		assert.equal((await api.get(`/groups/${one.group}`)).json.count, 2);
		await page.getByText(`This group was merged into ${one.group}`).waitFor();
		// its counts are read again: the report that moved is no longer counted here
		await page.locator('figcaption').filter({ hasText: 'Reports per day: 0 reports' }).waitFor();
		await page.locator('section[aria-labelledby="versions"] .empty').waitFor();
		// merging into itself is refused with the API's words
		await page.goto(`${server.url}/p/demo/groups/${one.group}`);
		await page.getByLabel('Merge into group').fill(one.group);
		await page.getByRole('button', { name: 'Merge' }).click();
		await page.getByRole('alert').filter({ hasText: 'a group cannot be merged into itself' }).waitFor();
	});

	test('set the fixing commit from the page; the release that contains it shows as fixed in', async () => {
		await page.goto(`${server.url}/p/demo/groups/${crash.group}`);
		const button = page.getByRole('button', { name: 'Set fixing commit' });
		assert.equal(await button.isDisabled(), true);
		await page.getByLabel('Fixed by commit').fill(commits.c.slice(0, 10));
		await button.click();
		await page.getByRole('status').filter({ hasText: 'Fixing commit set.' }).waitFor();
		const g = (await api.get(`/groups/${crash.group}`)).json;
		assert.equal(g.fixed_by, commits.c);
		const facts = page.locator('.facts').first();
		assert.equal(await facts.locator('a.commit').getAttribute('href'), COMMIT_URL.replace('{id}', commits.c));
		await facts.getByText('no release yet').waitFor();
		assert.equal((await api.post('/releases', { name: '1.1.0', ref: commits.c })).status, 201);
		await page.reload();
		await page.locator('.facts').first().getByText('1.1.0', { exact: true }).waitFor();
		// a commit the repository does not have is refused, in the API's words
		await page.getByLabel('Fixed by commit').fill('not-a-commit');
		await page.getByRole('button', { name: 'Set fixing commit' }).click();
		await page.getByRole('alert').filter({ hasText: "no commit 'not-a-commit'" }).waitFor();
	});

	test('phone width and dark mode: nothing wider than the screen, still accessible', async () => {
		await page.setViewportSize({ width: 375, height: 800 });
		await page.goto(`${server.url}/p/demo/groups/${crash.group}`);
		await page.locator('.frame .code .hl').first().waitFor();
		await settled(page);
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		const culprits = await page.evaluate(() => [...document.querySelectorAll('body *')]
			.filter((e) => e.getBoundingClientRect().right > 376 && !e.closest('.frame-src'))
			.slice(0, 5).map((e) => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 40)}`));
		assert.ok(wide <= 375, `the page is ${wide} px wide at 375: ${culprits.join(' | ')}`);
		await shot(page, 'devui-group-phone');
		await page.emulateMedia({ colorScheme: 'dark' });
		await checkA11y(page);
		await shot(page, 'devui-group-phone-dark');
		await page.setViewportSize({ width: 1280, height: 800 });
		await shot(page, 'devui-group-dark');
		await checkA11y(page);
		await page.emulateMedia({ colorScheme: 'light' });
	});
});

describe('report page', () => {
	let withFiles;

	before(async () => {
		// the tester's cohort, which the report takes when it arrives
		const moved = await api.patch('/cohorts', { installs: { 'install-42': 'expert panel' } });
		assert.equal(moved.status, 200, moved.text);
		const r = await sendWithFiles(server, report({
			kind: 'bug', title: 'Export button greyed out', severity: 'minor',
			description: 'After saving once, Export stays grey.', build: { version: '1.0.0', revision: commits.c, channel: 'beta' },
			tags: { gpu: 'amd', locale: 'de_DE' },
			tester: { install_id: 'install-42', name: 'Grace', email: 'grace@example.org' },
			app_state: { open_tabs: 3 },
		}), [
			{ name: 'screen shot.png', type: 'image/png', bytes: PNG_1PX },
			{ name: 'session.log', type: 'text/plain', bytes: Buffer.from('saved\nexport disabled\n') },
		]);
		assert.equal(r.status, 201, r.text);
		withFiles = r.json;
	});

	test('everything the report carries, attachments as downloads with the picture shown', async () => {
		await page.goto(`${server.url}/p/demo/reports/${withFiles.id}`);
		await page.getByRole('heading', { level: 1, name: `${withFiles.id}: Export button greyed out` }).waitFor();
		await settled(page);
		for (const text of ['After saving once, Export stays grey.', 'beta', 'Grace', 'grace@example.org',
			'install-42', 'expert panel', 'de_DE', 'severity minor', '"open_tabs": 3'])
			assert.ok(await page.getByText(text, { exact: false }).first().isVisible(), text);
		// the cohort among the tester's facts, not among the other fields
		await page.locator('section[aria-labelledby="where"]').getByText('expert panel', { exact: true }).waitFor();
		// the build's commit, linked
		const build = page.locator('section[aria-labelledby="build"]');
		assert.equal(await build.locator('a.commit').getAttribute('href'), COMMIT_URL.replace('{id}', commits.c));
		const files = page.locator('section[aria-labelledby="attachments"]');
		const png = files.getByRole('link', { name: 'screen shot.png' });
		assert.equal(await png.getAttribute('href'), `/api/v1/projects/demo/reports/${withFiles.id}/attachments/screen%20shot.png`);
		assert.notEqual(await png.getAttribute('download'), null);
		const img = files.getByRole('img', { name: 'Attached picture screen shot.png' });
		await img.waitFor();
		// the picture really loaded (the session cookie goes with it; the CSP allows 'self')
		await eventually(() => img.evaluate((el) => el.complete && el.naturalWidth === 1), 'the picture to load', 30000);
		await files.getByRole('link', { name: 'session.log' }).waitFor();
		assert.equal(await files.locator('img').count(), 1);
		// a download is a download
		const [dl] = await Promise.all([page.waitForEvent('download'), files.getByRole('link', { name: 'session.log' }).click()]);
		assert.equal(dl.suggestedFilename(), 'session.log');
		assert.deepEqual(unexpected(await problems(page)), []);
		await checkA11y(page);
		await page.evaluate(() => window.scrollTo(0, 0)); // the sticky top bar stays at the top of the shot
		await shot(page, 'devui-report');
	});

	test('an item that does not exist says so, in the API\'s words', async () => {
		await page.goto(`${server.url}/p/demo/reports/R-999`);
		await page.getByRole('alert').filter({ hasText: 'no such' }).waitFor();
		await page.goto(`${server.url}/p/demo/groups/G-999`);
		await page.getByRole('alert').filter({ hasText: 'no such' }).waitFor();
		await checkA11y(page);
	});

	test('status and a comment from the keyboard alone; the API confirms both', async () => {
		await page.goto(`${server.url}/p/demo/reports/${withFiles.id}`);
		const status = page.getByLabel(/^Status \(now/);
		await status.waitFor();
		await status.focus();
		// closed, a focused select moves through its options with the arrow keys: "", triaged, in_progress
		await page.keyboard.press('ArrowDown');
		await page.keyboard.press('ArrowDown');
		assert.equal(await status.inputValue(), 'in_progress');
		await page.keyboard.press('Tab');
		assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Change status');
		await page.keyboard.press('Enter');
		await page.getByRole('status').filter({ hasText: 'Status changed to in progress.' }).waitFor();
		assert.equal((await api.get(`/reports/${withFiles.id}`)).json.status, 'in_progress');

		await page.getByRole('textbox', { name: 'Comment' }).focus();
		await page.keyboard.type('Reproduced on 1.0.0.');
		await page.keyboard.press('Tab');
		await page.keyboard.press('Enter');
		await page.getByRole('status').filter({ hasText: 'Comment added.' }).waitFor();
		const r = (await api.get(`/reports/${withFiles.id}`)).json;
		assert.deepEqual(r.comments.map((c) => [c.author, c.body, c.from]), [['ada', 'Reproduced on 1.0.0.', 'team']]);
		// the history records the status change by this person (shown as the status reads elsewhere)
		assert.ok(r.history.some((h) => h.field === 'status' && h.new === 'in_progress' && h.actor === 'ada'));
		await page.locator('section[aria-labelledby="history"]').getByRole('cell', { name: 'in progress', exact: true }).waitFor();
	});
});
