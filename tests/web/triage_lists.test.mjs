// triage_lists.test.mjs - the home page and the groups and reports lists in a real browser: filters in
// the URL (reload and back/forward keep them), cursor paging, the API's refusals shown, hostile
// text rendered as text with no script run, a11y, screenshots.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkA11y, problems, shot, signIn, startServer } from './harness.mjs';
import { eventually, report, sendWithFiles, settled, tokenApi, unexpected } from './triage_seed.mjs';

let server;
let b;
let api;
let page;
let head; // the repository's only commit
const crashes = []; // ingest answers, one per crash group
const bugs = [];

// The ids in the first column of the page's table, in order, once they satisfy `ok` (a list keeps
// the rows it has while the next answer loads; the bound only keeps a broken page from hanging).
async function ids(p, ok = (v) => v.length > 0) {
	let last = [];
	try {
		return await eventually(async () => {
			last = await p.locator('tbody tr td:first-child').allInnerTexts();
			return ok(last) ? last : null;
		}, 'the rows', 20000);
	} catch {
		return last;
	}
}

const len = (n) => (v) => v.length === n;
const same = (want) => (v) => JSON.stringify(v) === JSON.stringify(want);

before(async () => {
	server = await startServer();
	api = tokenApi(server);
	head = (await server.git('rev-parse', 'HEAD')).trim();
	// three crash groups (the second with three reports from two testers), two bug groups
	for (const [i, title] of ['Crash on start', 'Crash saving a PNG', 'Crash on quit'].entries()) {
		crashes.push(await server.sendReport(report({ kind: 'crash', title, build: { version: '1.0.0', revision: head },
			tags: { gpu: i === 1 ? 'amd' : 'intel' } })));
	}
	for (let i = 0; i < 2; i++)
		await server.sendReport(report({ kind: 'crash', title: 'Crash saving a PNG', build: { version: '2.0.0' }, tags: { gpu: 'amd' } }));
	for (const title of ['Export greyed out', 'Palette colours wrong'])
		bugs.push(await server.sendReport(report({ kind: 'bug', title, steps: `steps for ${title}`, platform: { os: 'Windows', arch: 'x86_64' } })));
	b = await browser();
	page = await (await b.newContext()).newPage();
	await signIn(page, server, 'ada', 'developer');
});

after(async () => {
	await b?.close();
	await server?.close();
});

describe('groups list', () => {
	test('a filter goes in the URL, survives a reload, pages with the cursor, and back/forward restore the view', async () => {
		const crashGroups = crashes.map((c) => c.group);
		const onlyCrashes = (n) => (v) => v.length === n && v.every((id) => crashGroups.includes(id));
		await page.goto(`${server.url}/p/demo/groups?limit=2`);
		await page.getByRole('heading', { level: 1, name: 'Groups' }).waitFor();
		const unfiltered = await ids(page, len(2));
		assert.ok(!unfiltered.every((id) => crashGroups.includes(id)), 'bugs are seen last, so they come first');
		await page.getByLabel('Kind').selectOption('crash');
		await page.waitForURL((u) => u.searchParams.get('kind') === 'crash' && u.searchParams.get('limit') === '2');
		const first = await ids(page, onlyCrashes(2));
		assert.equal(first.length, 2);
		for (const kind of await page.locator('tbody td[data-label="Kind"]').allInnerTexts())
			assert.equal(kind, 'crash');

		await page.reload();
		assert.equal(await page.getByLabel('Kind').inputValue(), 'crash');
		assert.deepEqual(await ids(page, len(2)), first);
		await checkA11y(page);
		await shot(page, 'devui-groups');

		await page.getByRole('link', { name: 'Next page' }).click();
		await page.waitForURL((u) => u.searchParams.has('cursor') && u.searchParams.get('kind') === 'crash');
		const rest = crashGroups.filter((g) => !first.includes(g));
		assert.deepEqual(await ids(page, same(rest)), rest);
		assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0);
		await page.getByRole('link', { name: 'First page' }).waitFor();

		await page.goBack();
		await page.waitForURL((u) => !u.searchParams.has('cursor'));
		assert.deepEqual(await ids(page, same(first)), first);
		await page.goForward();
		await page.waitForURL((u) => u.searchParams.has('cursor'));
		assert.deepEqual(await ids(page, same(rest)), rest);
		await page.goBack();
		await page.goBack();
		await page.waitForURL((u) => !u.searchParams.has('kind'));
		assert.equal(await page.getByLabel('Kind').inputValue(), '');
		assert.deepEqual(await ids(page, same(unfiltered)), unfiltered);
		assert.deepEqual(unexpected(await problems(page)), []);
	});

	test('sort by reports, a version filter typed in, and a time filter the API refuses', async () => {
		await page.goto(`${server.url}/p/demo/groups`);
		await page.getByLabel('Sort').selectOption('count');
		await page.waitForURL((u) => u.searchParams.get('sort') === 'count');
		assert.equal((await ids(page, (v) => v[0] === crashes[1].group))[0], crashes[1].group);
		assert.equal(await page.locator('tbody tr').first().locator('td[data-label="Reports"]').innerText(), '3');

		await page.getByText('More filters').click();
		await page.getByLabel('Version').fill('2.0.0');
		await page.getByLabel('Version').press('Enter');
		await page.waitForURL((u) => u.searchParams.get('version') === '2.0.0' && u.searchParams.get('sort') === 'count');
		assert.deepEqual(await ids(page, len(1)), [crashes[1].group]);
		await page.reload();
		assert.equal(await page.getByLabel('Version').inputValue(), '2.0.0'); // "More filters" opens by itself
		assert.deepEqual(await ids(page, len(1)), [crashes[1].group]);

		// a shared URL with a value the API refuses shows the API's words
		await page.goto(`${server.url}/p/demo/groups?since=yesterday`);
		await page.getByRole('alert').filter({ hasText: 'since' }).waitFor();
		// dates picked in the page: since the start of that day, until the end of that day (UTC)
		await page.goto(`${server.url}/p/demo/groups`);
		await page.getByText('More filters').click();
		await page.getByLabel('Seen since').fill('2000-01-01');
		await page.getByLabel('Seen since').press('Enter');
		await page.waitForURL((u) => u.searchParams.get('since') === '2000-01-01');
		assert.equal((await ids(page, len(5))).length, 5);
		const today = new Date().toISOString().slice(0, 10);
		await page.getByLabel('First seen until').fill('2000-01-02');
		await page.getByLabel('First seen until').press('Enter');
		await page.getByText('No group matches these filters.').waitFor();
		await page.getByLabel('First seen until').fill(today);
		await page.getByLabel('First seen until').press('Enter');
		await page.waitForURL((u) => u.searchParams.get('until') === today);
		assert.equal((await ids(page, len(5))).length, 5);
	});
});

describe('reports list', () => {
	test('search, tag and kind in the URL, reload, next page, back', async () => {
		await page.goto(`${server.url}/p/demo/reports?limit=2`);
		await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
		assert.equal((await ids(page, len(2))).length, 2);
		await page.getByRole('searchbox', { name: 'Search' }).fill('crash saving');
		await page.getByRole('button', { name: 'Apply' }).first().click();
		await page.waitForURL((u) => u.searchParams.get('q') === 'crash saving');
		const saving = [];
		for (const r of (await api.get(`/reports?q=${encodeURIComponent('crash saving')}`)).json.items)
			saving.push(r.id);
		assert.equal(saving.length, 3);
		const first = await ids(page, (v) => v.length === 2 && v.every((id) => saving.includes(id)));
		assert.equal(first.length, 2);
		await page.reload();
		assert.equal(await page.getByRole('searchbox', { name: 'Search' }).inputValue(), 'crash saving');
		assert.deepEqual(await ids(page, len(2)), first);
		await page.getByRole('link', { name: 'Next page' }).click();
		await page.waitForURL((u) => u.searchParams.has('cursor'));
		const second = saving.filter((id) => !first.includes(id));
		assert.deepEqual(await ids(page, same(second)), second);
		await page.goBack();
		await page.waitForURL((u) => !u.searchParams.has('cursor'));
		assert.deepEqual(await ids(page, same(first)), first);

		// the tag filter, among "More filters"
		await page.goto(`${server.url}/p/demo/reports?kind=crash`);
		await page.getByText('More filters').click();
		await page.getByLabel('Tag').fill('gpu:amd');
		await page.getByLabel('Tag').press('Enter');
		await page.waitForURL((u) => u.searchParams.get('tag') === 'gpu:amd' && u.searchParams.get('kind') === 'crash');
		assert.equal((await ids(page, len(3))).length, 3);
		await page.getByLabel('Kind').selectOption('bug');
		await page.waitForURL((u) => u.searchParams.get('kind') === 'bug' && u.searchParams.get('tag') === 'gpu:amd');
		await page.getByText('No report matches these filters.').waitFor();
		await checkA11y(page);

		// a tag without a value is refused by the API, which says how to write it
		await page.goto(`${server.url}/p/demo/reports?tag=gpu`);
		await page.getByRole('alert').filter({ hasText: 'must be name:value' }).waitFor();
		// the group filter, as the group page's "All reports" link sets it
		await page.goto(`${server.url}/p/demo/reports?group=${crashes[1].group.toLowerCase()}`);
		assert.equal((await ids(page, len(3))).length, 3);
		await page.goto(`${server.url}/p/demo/reports?platform=Windows&sort=oldest`);
		assert.deepEqual(await ids(page, len(2)), [bugs[0].id, bugs[1].id]);
		// the export carries the same filters and downloads the whole set with the session's cookie
		const csv = page.getByRole('link', { name: 'Export CSV' });
		const href = await csv.getAttribute('href');
		const u = new URL(href, server.url);
		assert.equal(u.pathname, '/api/v1/projects/demo/reports');
		assert.deepEqual([u.searchParams.get('platform'), u.searchParams.get('format')], ['Windows', 'csv']);
		const text = await page.evaluate(async (h) => (await fetch(h)).text(), href);
		const lines = text.trim().split('\n');
		assert.match(lines[0], /^id,group,kind,status,title/);
		assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0].replace(/"/g, '')), [bugs[0].id, bugs[1].id]);
		const [dl] = await Promise.all([page.waitForEvent('download'), csv.click()]);
		assert.equal(dl.suggestedFilename(), 'reports.csv');
		await checkA11y(page);
		await shot(page, 'devui-reports');
		await page.setViewportSize({ width: 375, height: 800 });
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(wide <= 375, `the page is ${wide} px wide at 375`);
		await shot(page, 'devui-reports-phone');
		await page.setViewportSize({ width: 1280, height: 800 });
	});
});

describe('home', () => {
	test('new groups, a regression, rising groups with their hourly chart, counts per release', async () => {
		// a group fixed by hand in HEAD, then a report from a build that has HEAD: a regression
		const fixed = crashes[0].group;
		const p = await api.patch(`/groups/${fixed}`, { status: 'fixed', fixed_by: head });
		assert.equal(p.status, 200, p.text);
		const again = await server.sendReport(report({ kind: 'crash', title: 'Crash on start', build: { version: '1.0.0', revision: head } }));
		assert.equal(again.group, fixed);
		assert.equal((await api.get(`/groups/${fixed}`)).json.status, 'regressed');
		const rel = await api.post('/releases', { name: '1.0.0', ref: head });
		assert.equal(rel.status, 201, rel.text);

		await page.goto(`${server.url}/p/demo`);
		await page.getByRole('heading', { level: 1, name: 'demo: needs attention' }).waitFor();
		await settled(page);
		const regressed = page.getByRole('region', { name: 'Regressions' });
		await regressed.getByRole('link', { name: fixed }).waitFor();
		const fresh = page.getByRole('region', { name: 'New groups' });
		assert.equal(await fresh.getByRole('listitem').count(), 5);
		const rising = page.getByRole('region', { name: 'Rising fastest in the last 24 hours' });
		const top = rising.getByRole('listitem').filter({ hasText: 'Crash saving a PNG' });
		await top.getByText('3 in the last 24 h (0 the day before)').waitFor();
		// the hourly chart is described for screen readers
		// (the three may straddle an hour: only the total is certain)
		await top.getByRole('img', { name: new RegExp(`^${crashes[1].group}: 3 reports in the last 24 hours, hour by hour`) }).waitFor();
		// per release: the reports of the last 24 h whose build is in 1.0.0 (those sent with the revision)
		await page.getByText('reports, last 24 h').waitFor();
		const row = page.getByRole('row').filter({ hasText: '1.0.0' });
		await row.getByRole('link', { name: '4' }).waitFor();
		await row.getByRole('link', { name: '4' }).click();
		// the list of the same reports: that release's, received in the last 24 hours
		await page.waitForURL((u) => u.pathname === '/p/demo/reports' && u.searchParams.get('release') === '1.0.0' &&
			Math.abs(Date.parse(u.searchParams.get('since')) - (Date.now() - 86400000)) < 3600000);
		assert.equal((await ids(page, len(4))).length, 4);
		await page.goBack();
		await page.getByRole('region', { name: 'Regressions' }).waitFor();
		assert.deepEqual(unexpected(await problems(page)), []);
		await checkA11y(page);
		await shot(page, 'devui-home');
		await page.setViewportSize({ width: 375, height: 800 });
		await settled(page);
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(wide <= 375, `the page is ${wide} px wide at 375`);
		await shot(page, 'devui-home-phone');
		await page.emulateMedia({ colorScheme: 'dark' });
		await checkA11y(page);
		await shot(page, 'devui-home-phone-dark');
		await page.emulateMedia({ colorScheme: 'light' });
		await page.setViewportSize({ width: 1280, height: 800 });
	});
});

describe('hostile text', () => {
	const IMG = '<img src=x onerror="window.__pwned=1;console.log(\'PWNED\')">';
	const SCRIPT = '<script>window.__pwned=2;console.log("PWNED")</script>';

	test('a report full of markup is shown as text on every page and runs nothing', async () => {
		// the server refuses a file name that is not plain: no markup can come in that way
		const refused = await sendWithFiles(server, report({ title: 'x' }), [{ name: '<img src=x onerror=alert(1)>.png', type: 'image/png', bytes: Buffer.from('x') }]);
		assert.equal(refused.status, 422, refused.text);
		const sent = await sendWithFiles(server, report({
			kind: 'crash',
			title: `${IMG} ${SCRIPT}`,
			description: `${SCRIPT}\n<a href="javascript:window.__pwned=3">click</a>`,
			steps: `<iframe src="javascript:window.__pwned=4"></iframe>`,
			severity: '<b>major</b>',
			build: { version: '<svg onload=window.__pwned=5>', revision: '<script>rev</script>', channel: IMG },
			platform: { os: '<marquee>os</marquee>', arch: IMG },
			tester: { install_id: 'hostile-install', name: IMG, email: SCRIPT },
			exception: { type: '<script>T</script>', value: IMG },
			frames: [{ function: IMG, file: '<script>f.c</script>', line: 3, module: SCRIPT }],
			tags: { [`<img src=x onerror=window.__pwned=6>`]: SCRIPT },
			app_state: { note: IMG },
		}), [
			// an "image" that is a script: listed as image/svg+xml, shown only through <img> (which runs no script)
			{ name: 'evil.svg', type: 'image/svg+xml', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="window.top.__pwned=7"><script>window.top.__pwned=8</script></svg>') },
			{ name: 'evil.html', type: 'text/html', bytes: Buffer.from(`<html>${SCRIPT}</html>`) },
		]);
		assert.equal(sent.status, 201, sent.text);
		const r = sent.json;
		assert.equal((await api.patch(`/reports/${r.id}`, { comment: `${IMG} ${SCRIPT}` })).status, 200);
		assert.equal((await api.patch(`/groups/${r.group}`, { comment: SCRIPT })).status, 200);

		const ctx = await b.newContext();
		const p = await ctx.newPage();
		const dialogs = [];
		const logs = [];
		p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
		p.on('console', (m) => logs.push(m.text()));
		await signIn(p, server, 'mallory-watcher', 'developer');
		const clean = async (where) => {
			await settled(p);
			assert.deepEqual(dialogs, [], where);
			assert.ok(!logs.some((l) => l.includes('PWNED')), `${where}: ${logs.join('\n')}`);
			assert.equal(await p.evaluate(() => window.__pwned), undefined, where);
			// nothing of the payload became an element
			assert.equal(await p.locator('img[src="x"], iframe, marquee, svg[onload], a[href^="javascript:"], script:not([src])').count(), 0, where);
			assert.deepEqual((await problems(p)).filter((x) => x.startsWith('csp:') || x.startsWith('exception:')), [], where);
		};

		await p.goto(`${server.url}/p/demo/reports/${r.id}`);
		await p.getByRole('heading', { level: 1 }).filter({ hasText: IMG }).waitFor();
		for (const text of [`${IMG} ${SCRIPT}`, '<iframe src="javascript:window.__pwned=4"></iframe>', '<b>major</b>',
			'<script>T</script>', '<script>f.c</script>', '<img src=x onerror=window.__pwned=6>', '<marquee>os</marquee>'])
			assert.ok(await p.getByText(text, { exact: false }).first().isVisible(), text);
		const files = p.getByRole('region', { name: 'Attachments' });
		await files.getByRole('link', { name: 'evil.html' }).waitFor();
		// the svg is listed as a picture, so the page shows it through <img>, where no script runs
		await eventually(() => files.locator('img').evaluate((el) => el.complete), 'the picture to load or fail', 30000);
		await clean('report page');
		await checkA11y(p);
		await shot(p, 'devui-report-hostile');

		await p.goto(`${server.url}/p/demo/groups/${r.group}`);
		await p.getByRole('heading', { level: 1 }).filter({ hasText: SCRIPT }).waitFor();
		await p.getByRole('region', { name: 'Comments' }).getByText(SCRIPT).waitFor();
		await clean('group page');
		await p.goto(`${server.url}/p/demo/reports?q=pwned`);
		await p.getByRole('cell', { name: `${IMG} ${SCRIPT}` }).waitFor();
		await clean('reports list');
		await p.goto(`${server.url}/p/demo/groups`);
		await p.getByRole('cell', { name: `${IMG} ${SCRIPT}` }).waitFor();
		await clean('groups list');
		await p.goto(`${server.url}/p/demo`);
		await p.getByRole('region', { name: 'New groups' }).getByText(`${IMG} ${SCRIPT}`).waitFor();
		await clean('home');
		await ctx.close();
	});
});
