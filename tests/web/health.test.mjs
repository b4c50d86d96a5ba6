// health.test.mjs - the release health page in a real browser: two builds of a release in git order, the change between them, the gates' verdict, the chart and its numbers; team only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, browser as openBrowser, signIn, checkA11y, shot, problems } from './harness.mjs';

let server;
let browser;
let a;
let b;

/* Sessions as a Sentry SDK sends them, each whole: [build, did, status, started, user agent?]. */
async function sessions(list) {
	const lines = [JSON.stringify({ sent_at: new Date().toISOString() })];
	list.forEach(([build, did, status, started, ua], i) => {
		lines.push('{"type":"session"}', JSON.stringify({
			sid: (i + 1 + 1000 * list.length).toString(16).padStart(32, '0'), did, init: true,
			started: started.toISOString(), status, duration: status === 'exited' ? 12 : undefined,
			attrs: { release: `app@3.0.0+${build}`, environment: 'beta', user_agent: ua },
		}));
	});
	lines.push('');
	const sent = await server.request('POST', '/api/1/envelope/', {
		headers: { 'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${server.ingestKey}`, 'Content-Type': 'text/plain' },
		body: lines.join('\n'),
	});
	assert.equal(sent.status, 200, sent.text);
}

before(async () => {
	server = await startServer();
	browser = await openBrowser();
	a = (await server.git('rev-parse', 'HEAD')).trim().slice(0, 12);
	await server.git('commit', '--allow-empty', '-q', '-m', 'Second build');
	b = (await server.git('rev-parse', 'HEAD')).trim().slice(0, 12);
	// B's sessions first (two hours ago), A's later: only git says A came before B.
	const early = new Date(Date.now() - 2 * 3600 * 1000), late = new Date(Date.now() - 3600 * 1000);
	const win = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/121.0';
	await sessions([[b, 'd1', 'exited', early, win], [b, 'd2', 'exited', early, win], [b, 'd3', 'exited', early], [b, 'd4', 'exited', early]]);
	await sessions([[a, 'd1', 'exited', late], [a, 'd2', 'crashed', late]]);
	const gates = await server.request('PUT', '/api/v1/projects/demo/health/gates', {
		headers: { Authorization: `Bearer ${server.token}` },
		body: { gates: [{ metric: 'crash_free_sessions', op: '>=', value: 99, min_sessions: 2 }] },
	});
	assert.equal(gates.status, 200, gates.text);
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.close();
});

test('a developer sees each build in history order, the change from the one before, the gates and a chart', async () => {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'dev', 'developer');
	await page.goto(`${server.url}/p/demo`);
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Health' }).click();
	await page.getByRole('heading', { name: 'app@3.0.0' }).waitFor();

	const builds = page.getByRole('table', { name: 'Builds of app@3.0.0, the newest in git history first' });
	const rows = builds.getByRole('row');
	assert.equal(await rows.count(), 3);
	const first = (await rows.nth(1).getByRole('cell').allInnerTexts()).map((t) => t.trim());
	assert.equal(first[0], b);
	assert.equal(first[1], '4');
	assert.match(first[3], /^100\.00 %/);
	assert.match(first[first.length - 1], new RegExp(`^\\+50\\.00 points \\(better\\) vs ${a}$`));
	const second = (await rows.nth(2).getByRole('cell').allInnerTexts()).map((t) => t.trim());
	assert.equal(second[0], a);
	assert.match(second[3], /^50\.00 % \(1 crashed\)/);
	assert.equal(second[second.length - 1], 'first build');

	await page.getByRole('status').filter({ hasText: `The newest build ${b} meets every gate.` }).waitFor();
	const chart = page.getByRole('img', { name: /^Crash-free sessions of app@3\.0\.0 per day/ });
	await chart.waitFor();

	// Split by cohort: one table per build.
	await page.getByLabel('Split by').selectOption('cohort');
	await page.getByRole('table', { name: `Build ${b} by cohort` }).waitFor();

	// Split by platform: Windows (its user agent) and unknown (none), two installs each.
	await page.getByLabel('Split by').selectOption('platform');
	const byPlatform = page.getByRole('table', { name: `Build ${b} by platform` });
	await byPlatform.waitFor();
	assert.equal(await byPlatform.getByRole('columnheader', { name: 'Platform' }).count(), 1);
	for (const name of ['Windows', 'unknown']) {
		const cells = (await byPlatform.getByRole('row').filter({ hasText: name }).getByRole('cell').allInnerTexts()).map((t) => t.trim());
		assert.deepEqual(cells.slice(0, 3), [name, '2', '2']);
	}

	// The sign-in page asks for a session before there is one: that 401 is expected.
	assert.deepEqual((await problems(page)).filter((p) => !/status of 401 .*\/api\/v1\/session\)$/.test(p)), []);
	await checkA11y(page);
	await shot(page, 'health');
	await ctx.close();
});

test('split by cohort, the page names the crash groups of each cohort\'s reports', async () => {
	const set = await server.request('PATCH', '/api/v1/projects/demo/cohorts', {
		headers: { Authorization: `Bearer ${server.token}` },
		body: { keys: { [server.ingestKey]: 'insiders' } },
	});
	assert.equal(set.status, 200, set.text);
	// 4.0.0: one install, two sessions of the insiders, one crashed; its crash report is theirs.
	const now = new Date(Date.now() - 60 * 1000).toISOString();
	const body = ['{}', ...[['exited', 1], ['crashed', 2]].flatMap(([status, n]) => ['{"type":"session"}',
		JSON.stringify({ sid: (9000 + n).toString(16).padStart(32, '0'), did: 'd9', init: true, started: now, status,
			attrs: { release: 'app@4.0.0', environment: 'beta' } })]), ''].join('\n');
	const sent = await server.request('POST', '/api/1/envelope/', {
		headers: { 'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${server.ingestKey}`, 'Content-Type': 'text/plain' },
		body,
	});
	assert.equal(sent.status, 200, sent.text);
	const report = await server.sendReport({ uuid: '5e1c0f1e-0000-4000-8000-000000000001', kind: 'crash',
		build: { version: '4.0.0' }, tester: { install_id: 'd9' }, exception: { type: 'SIGSEGV' },
		frames: [{ function: 'save_file', file: 'save.c', line: 9 }] });

	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await signIn(page, server, 'dev2', 'developer');
	await page.goto(`${server.url}/p/demo/health?release=app%404.0.0&by=cohort`);
	await page.getByText('2 sessions from 1 install ·').waitFor();
	const table = page.getByRole('table', { name: 'Crash groups of the reports of cohort insiders, most installs first' });
	await table.waitFor();
	const cells = (await table.getByRole('row').nth(1).getByRole('cell').allInnerTexts()).map((t) => t.trim());
	assert.deepEqual(cells, [report.group, 'SIGSEGV', '1', '1', '100.00 %']);
	assert.deepEqual((await problems(page)).filter((p) => !/status of 401 .*\/api\/v1\/session\)$/.test(p)), []);
	await checkA11y(page);
	await ctx.close();
});

test('visitors get no health: the page asks them to sign in, the API refuses', async () => {
	const r = await server.request('GET', '/api/v1/projects/demo/health');
	assert.equal(r.status, 401);
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	await page.goto(`${server.url}/p/demo/health`);
	await page.waitForURL(/\/signin/);
	await ctx.close();
});
