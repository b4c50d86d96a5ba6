// board.test.mjs - the community board in a real browser: visitors, testers signed in by their build, the team's moderation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { browser, checkA11y, problems, shot, signIn, startServer } from './harness.mjs';

const run = promisify(execFile);

// Hostile text a tester may send: it must read as typed, never become markup or run.
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & "quotes"';

// Failed requests the page makes on purpose (who is signed in while nobody is, a private
// project's 404, a used link's 422) are logged by the browser as console errors; those are
// not problems of the page.
function unexpected(list) {
	return list.filter((p) => !/status of 40[134] |status of 422 /.test(p));
}

let server;
let b;
let secretKey;
const ids = {};

async function api(method, path, body, headers = {}) {
	const r = await server.request(method, '/api/v1' + path, { headers, body });
	return r;
}
// Whether a comment card keeps its inner space and its bottom border.
const cardEdges = (loc) => loc.evaluate((el) => {
	const cs = getComputedStyle(el);
	return { padded: parseFloat(cs.paddingLeft) > 0, closed: parseFloat(cs.borderBottomWidth) > 0 };
});
const team = (h = {}) => ({ Authorization: `Bearer ${server.token}`, ...h });
const ingest = (install) => ({ 'X-Prosum-Key': server.ingestKey, ...(install ? { 'X-Prosum-Install': install } : {}) });

async function suggest(title, install, name, body) {
	const r = await api('POST', '/projects/demo/suggestions', {
		uuid: crypto.randomUUID(), title, body, tester: { install_id: install, ...(name ? { name } : {}) },
	}, ingest());
	assert.ok(r.status === 201, `suggestion refused: ${r.status} ${r.text}`);
	return r.json.id;
}

async function boardItem(id, headers = {}) {
	const r = await api('GET', `/projects/demo/board/${id}`, undefined, headers);
	assert.equal(r.status, 200, r.text);
	return r.json;
}

// A one-time board link for `install` from the real CLI (`prosum board`), pointed at this server.
async function cliLink(install, name) {
	const spool = join(server.dir, `spool-${install}`);
	const env = { ...process.env, PROSUM_CACERT: join(server.data, 'tls/ca.pem'), PROSUM_SPOOL: spool };
	const dsn = `https://${server.ingestKey}@127.0.0.1:${server.port}/demo`;
	const args = ['board', '--dsn', dsn];
	if (name)
		args.push('--name', name);
	const { stdout } = await run(process.env.PROSUM, args, { env });
	const url = stdout.trim();
	assert.match(url, /^https:\/\/[^/]+\/p\/demo\/board\/signin#[A-Za-z0-9_-]{20,}$/);
	const u = new URL(url);
	return `${server.url}${u.pathname}${u.hash}`;
}

// The same from the API (ingest key + install), to test links the CLI does not make (expired).
async function apiLink(install) {
	const r = await api('POST', '/projects/demo/board-links', {}, ingest(install));
	assert.equal(r.status, 201, r.text);
	const u = new URL(r.json.url);
	return `${server.url}${u.pathname}${u.hash}`;
}

async function sql(query) {
	const { stdout } = await run('sqlite3', ['-cmd', '.timeout 30000', join(server.data, 'prosum.db'), query]);
	return stdout.trim();
}

// Titles of the board's items in the page.
async function titles(page) {
	return page.locator('.sugg-title').allInnerTexts();
}

before(async () => {
	server = await startServer();
	b = await browser();
	// demo is public; "secret" is not, and has a suggestion of its own.
	let r = await api('PATCH', '/projects/demo', { public: true }, team());
	assert.equal(r.status, 200, r.text);
	r = await api('POST', '/projects', { name: 'secret' }, team());
	assert.equal(r.status, 201, r.text);
	secretKey = r.json.key || (r.json.ingest_key && r.json.ingest_key.key) || r.json.ingest_key;
	const rs = await server.request('POST', '/api/v1/projects/secret/suggestions', {
		headers: { 'X-Prosum-Key': secretKey },
		body: { uuid: crypto.randomUUID(), title: 'Secret plans nobody may read', tester: { install_id: 'inst-s' } },
	});
	assert.equal(rs.status, 201, rs.text);

	ids.dark = await suggest('Dark mode', 'inst-ada', 'Ada', 'A dark theme for the editor,\nfor working at night.');
	ids.svg = await suggest('Export to SVG', 'inst-bob', 'Bob');
	ids.dup = await suggest('Night theme', 'inst-carl', null, 'Same as dark mode really');
	ids.hostile = await suggest(HOSTILE, 'inst-eve', null, HOSTILE);
	await api('POST', `/projects/demo/suggestions/${ids.dark}/votes`, { install_id: 'inst-bob', name: 'Bob' }, ingest());
	await api('POST', `/projects/demo/suggestions/${ids.dark}/votes`, { install_id: 'inst-fay' }, ingest());
	await api('POST', `/projects/demo/suggestions/${ids.dup}/votes`, { install_id: 'inst-dan' }, ingest());
	await api('POST', `/projects/demo/suggestions/${ids.dark}/comments`, { body: 'Planned for the next release.' }, team());

	// A bug from Ada, fixed by a commit that also implements the dark mode; release 1.0.0 holds it.
	const head = (await server.git('rev-parse', 'HEAD')).trim();
	const rep = await server.sendReport({ uuid: crypto.randomUUID(), kind: 'bug', title: 'Save button does nothing',
		build: { revision: head }, tester: { install_id: 'inst-ada', name: 'Ada' } });
	ids.report = rep.id;
	await server.git('commit', '-q', '--allow-empty', '-m', 'Dark mode for the editor',
		'-m', `Implements ${ids.dark}\nFixes ${ids.report}`);
	r = await api('POST', '/projects/demo/sync', undefined, team());
	assert.equal(r.status, 200, r.text);
	r = await api('POST', '/projects/demo/releases', { name: '1.0.0', ref: 'main' }, team());
	assert.equal(r.status, 201, r.text);
	const s = await boardItem(ids.dark);
	assert.equal(s.shipped_in, '1.0.0');
});

after(async () => {
	await b?.close();
	await server?.close();
});

describe('visitors', () => {
	test('read a public board without signing in: sorted by votes, filtered, searched', async () => {
		const page = await b.newPage();
		await page.goto(`${server.url}/p/demo/board`);
		await page.getByRole('heading', { name: 'Ideas for demo' }).waitFor();
		assert.equal(new URL(page.url()).pathname, '/p/demo/board', 'a visitor is not sent to sign in');
		await page.locator('.sugg-title').first().waitFor();
		const api1 = (await api('GET', '/projects/demo/board')).json.items.map((i) => i.title);
		assert.deepEqual(await titles(page), api1, 'the page lists the board as the API orders it');
		assert.equal(api1[0], 'Dark mode');
		const dark = page.locator('.sugg').filter({ hasText: 'Dark mode' });
		await dark.getByText('shipped in').waitFor();
		assert.match(await dark.innerText(), /1\.0\.0/);
		// no vote buttons for a visitor; the team's sign-in is offered
		assert.equal(await page.locator('button.vote').count(), 0);
		await page.getByRole('link', { name: 'Team sign in' }).waitFor();
		// status filter and search are in the address, so a view can be shared
		await page.getByLabel('Status').selectOption('shipped');
		await page.waitForURL((u) => u.searchParams.get('status') === 'shipped');
		await page.waitForFunction(() => document.querySelectorAll('.sugg-title').length === 1);
		assert.deepEqual(await titles(page), ['Dark mode']);
		await page.goto(`${server.url}/p/demo/board?q=SVG`);
		await page.waitForFunction(() => [...document.querySelectorAll('.sugg-title')].map((e) => e.textContent).join('|') === 'Export to SVG');
		await page.getByRole('link', { name: 'Newest' }).click();
		await page.waitForURL((u) => u.searchParams.get('sort') === 'newest');
		assert.deepEqual(unexpected(await problems(page)), []);
		await page.goto(`${server.url}/p/demo/board`);
		await page.locator('.sugg-title').first().waitFor();
		await checkA11y(page);
		await shot(page, 'board');
		await page.emulateMedia({ colorScheme: 'dark' });
		await checkA11y(page);
		await shot(page, 'board-dark');
		await page.emulateMedia({ colorScheme: 'light' });
		await page.setViewportSize({ width: 390, height: 844 });
		await shot(page, 'board-phone');
		await checkA11y(page);
		await page.close();
	});

	test('a suggestion page shows its text, the team\'s comments and history; a duplicate points to its target', async () => {
		const page = await b.newPage();
		await page.goto(`${server.url}/p/demo/board/${ids.dark}`);
		await page.getByRole('heading', { name: 'Dark mode' }).waitFor();
		await page.getByText('for working at night.').waitFor();
		await page.getByText('Planned for the next release.').waitFor();
		assert.match(await page.locator('.comment').first().innerText(), /team/i);
		// each comment is a card: its text off the border, the last one closed at the bottom too
		// (the triage pages' flat `.comments li` rules are in the same stylesheet)
		assert.deepEqual(await cardEdges(page.locator('.comment').last()), { padded: true, closed: true });
		await page.locator('.history li').first().waitFor();
		assert.match(await page.locator('.history').innerText(), /shipped/);
		// a status the board calls "under review" is not "new" in its history
		assert.match(await page.locator('.history').innerText(), /under review → shipped/);
		assert.doesNotMatch(await page.locator('.history').innerText(), /\bnew →/);
		await page.getByRole('link', { name: 'Ada' }).waitFor();
		assert.equal(await page.locator('#comment-form, .comment-form').count(), 0, 'visitors do not comment');
		await checkA11y(page);
		await shot(page, 'suggestion');
		assert.deepEqual(unexpected(await problems(page)), []);
		await page.close();
	});

	test('shipped: the release, what the community asked for, what was fixed, credited testers by name', async () => {
		const page = await b.newPage();
		await page.goto(`${server.url}/p/demo/shipped`);
		const rel = page.locator('section.release').filter({ hasText: '1.0.0' });
		await rel.waitFor();
		const text = await rel.innerText();
		const want = (await api('GET', '/projects/demo/shipped')).json.releases[0];
		assert.equal(want.name, '1.0.0');
		for (const s of want.suggestions)
			assert.ok(text.includes(s.title), s.title);
		for (const g of want.fixed)
			assert.ok(text.includes(g.title), g.title);
		for (const n of want.credited)
			assert.ok(text.includes(n), n);
		assert.ok(text.includes('Dark mode') && text.includes('Save button does nothing') && text.includes('Ada'));
		await checkA11y(page);
		await shot(page, 'shipped');
		assert.deepEqual(unexpected(await problems(page)), []);
		await page.close();
	});

	test('hall of fame ranks the credited contributors as the API does, and a profile shows their work', async () => {
		const page = await b.newPage();
		await page.goto(`${server.url}/p/demo/fame`);
		await page.getByRole('table').waitFor();
		const want = (await api('GET', '/projects/demo/fame')).json;
		const names = await page.locator('tbody tr td:nth-child(2)').allInnerTexts();
		assert.deepEqual(names, want.items.map((i) => i.name));
		assert.equal(names[0], 'Ada');
		await page.getByLabel('Release').selectOption('1.0.0');
		await page.waitForURL((u) => u.searchParams.get('release') === '1.0.0');
		await page.getByRole('table').waitFor();
		await checkA11y(page);
		await shot(page, 'fame');
		await page.getByRole('link', { name: 'Ada' }).click();
		await page.getByRole('heading', { name: 'Ada' }).waitFor();
		await page.getByRole('link', { name: 'Dark mode' }).waitFor();
		await page.getByText('Save button does nothing').waitFor();
		await checkA11y(page);
		assert.deepEqual(unexpected(await problems(page)), []);
		await page.close();
	});

	test('a private project shows nothing: no data in the page, not even that it exists', async () => {
		const page = await b.newPage();
		for (const path of ['/p/secret/board', '/p/secret/shipped', '/p/secret/fame', '/p/nowhere/board']) {
			await page.goto(server.url + path);
			await page.getByRole('heading', { name: 'No such project' }).waitFor();
			const body = await page.locator('main').innerText();
			assert.ok(!body.includes('Secret plans'), path);
			assert.equal(await page.locator('.sugg, .release, table').count(), 0, path);
			assert.equal(new URL(page.url()).pathname, path, 'not sent to sign in');
		}
		assert.ok(!(await page.content()).includes('Secret plans'));
		await checkA11y(page);
		await page.close();
	});
});

describe('testers signed in by their build', () => {
	let ctx;
	let page;

	test('a link from `prosum board` signs in once; it leaves the address bar', async () => {
		const url = await cliLink('grace', 'Grace');
		ctx = await b.newContext();
		page = await ctx.newPage();
		await page.goto(url);
		await page.waitForURL((u) => u.pathname === '/p/demo/board');
		assert.equal(new URL(page.url()).hash, '', 'the token left the address');
		await page.getByRole('button', { name: 'Sign out' }).waitFor();
		await page.getByRole('link', { name: 'Mine' }).waitFor();
		const who = await page.evaluate(async () => (await fetch('/api/v1/session')).json());
		assert.equal(who.kind, 'tester');
		// the install of the CLI's spool, as `prosum suggest` and `vote` use
		assert.equal(who.install, readFileSync(join(server.dir, 'spool-grace', 'install_id'), 'utf8').trim());
		assert.equal(who.name, 'Grace');

		// used: the same link again, in another browser
		const other = await b.newPage();
		await other.goto(url);
		await other.getByText('used or has expired').waitFor();
		assert.equal((await other.evaluate(async () => (await fetch('/api/v1/session')).status)), 401);
		assert.equal(new URL(other.url()).hash, '');
		await checkA11y(other);
		// expired: a link older than its 10 minutes
		const late = await apiLink('inst-late');
		await sql("UPDATE board_links SET expires_at = strftime('%s','now') - 1 WHERE install_id = 'inst-late'");
		await other.goto(late);
		await other.getByText('used or has expired').waitFor();
		assert.equal((await other.evaluate(async () => (await fetch('/api/v1/session')).status)), 401);
		await other.close();
	});

	test('votes once: the button counts it, a second vote does not count, the API agrees', async () => {
		const before = (await boardItem(ids.svg)).votes;
		const row = page.locator('.sugg').filter({ hasText: 'Export to SVG' });
		await row.getByRole('button', { name: /^Vote for Export to SVG/ }).click();
		await row.getByRole('button', { name: /^Withdraw your vote for Export to SVG/ }).waitFor();
		assert.equal(await row.locator('.votes-n').innerText(), String(before + 1));
		assert.equal((await boardItem(ids.svg)).votes, before + 1);
		// the same install votes again (straight at the API, with the session): not counted
		const again = await page.evaluate(async (id) => {
			const s = await (await fetch('/api/v1/session')).json();
			const r = await fetch(`/api/v1/projects/demo/suggestions/${id}/votes`, { method: 'POST', headers: { 'X-Prosum-CSRF': s.csrf } });
			return { status: r.status, body: await r.json() };
		}, ids.svg);
		assert.equal(again.status, 200, JSON.stringify(again));
		assert.equal(again.body.counted, false);
		assert.equal((await boardItem(ids.svg)).votes, before + 1);
		// after a reload the page still shows this install's vote
		await page.reload();
		await row.getByRole('button', { name: /^Withdraw your vote for Export to SVG/ }).waitFor();
		assert.equal(await row.locator('.votes-n').innerText(), String(before + 1));
		await checkA11y(page);
	});

	test('rates the build of its latest session, then changes the rating: one rating, the latest', async () => {
		assert.equal(await page.locator('form.rate-build').count(), 0, 'no build known yet: no rating form');
		const install = readFileSync(join(server.dir, 'spool-grace', 'install_id'), 'utf8').trim();
		const r = await api('POST', '/projects/demo/sessions', {
			sid: crypto.randomUUID(), install_id: install, started: Math.floor(Date.now() / 1000) - 60,
			status: 'exited', duration: 60, release: '2.0.0-beta.3', revision: 'abc1234', channel: 'beta',
		}, { ...ingest(), 'Content-Type': 'application/json' });
		assert.equal(r.status, 200, r.text);
		await page.reload();
		const form = page.getByRole('form', { name: 'Rate your build' });
		await form.getByText('2.0.0-beta.3 (abc1234)').waitFor();
		await form.getByRole('radio', { name: /^4 of 5/ }).click();
		await form.getByRole('textbox', { name: 'Comment' }).fill('Fast, but the chart <b>flickers</b>');
		await form.getByRole('button', { name: 'Rate' }).click();
		await form.getByRole('status').waitFor();
		assert.equal(await sql("SELECT rating || '|' || comment FROM ratings WHERE install_id = '" + install + "'"),
			'4|Fast, but the chart <b>flickers</b>');
		await page.reload();
		await form.getByRole('radio', { name: /^4 of 5/, checked: true }).waitFor();
		await form.getByRole('radio', { name: /^2 of 5/ }).click();
		await form.getByRole('button', { name: 'Change rating' }).click();
		await form.getByRole('status').waitFor();
		assert.equal(await sql("SELECT count(*) || '|' || max(rating) FROM ratings WHERE release = '2.0.0-beta.3'"), '1|2');
		const dist = await api('GET', '/projects/demo/ratings?release=2.0.0-beta.3&revision=abc1234', undefined, team());
		assert.equal(dist.status, 200, dist.text);
		assert.deepEqual(dist.json.counts, { 1: 0, 2: 1, 3: 0, 4: 0, 5: 0 });
		await checkA11y(page);
	});

	test('posts a suggestion: duplicates suggested while typing; it is in "mine"', async () => {
		await page.getByRole('link', { name: 'Suggest an idea' }).click();
		const similar = page.locator('.similar');
		// the word being typed matches the start of a word: "nigh" offers "Night theme"
		await page.getByLabel('Title').pressSequentially('nigh', { delay: 20 });
		await similar.getByRole('link', { name: 'Night theme' }).waitFor();
		await page.getByLabel('Title').fill('');
		await page.getByLabel('Title').pressSequentially('dark mode', { delay: 20 });
		await similar.getByRole('link', { name: 'Dark mode' }).waitFor();
		await page.getByLabel('Title').fill('Dark mode for the settings window');
		await page.getByLabel('Description (optional)').fill('The settings window stays white.');
		await checkA11y(page);
		await page.getByRole('button', { name: 'Post suggestion' }).click();
		await page.getByRole('heading', { name: 'Dark mode for the settings window' }).waitFor();
		const id = /\/board\/(S-\d+)$/.exec(new URL(page.url()).pathname)[1];
		ids.grace = id;
		const s = await boardItem(id, team());
		assert.equal(s.title, 'Dark mode for the settings window');
		// a hostile comment from the tester reads as text
		await page.getByLabel('Add a comment').fill(HOSTILE);
		await page.getByRole('button', { name: 'Post comment' }).click();
		await page.locator('.comment .text').filter({ hasText: '<script>' }).waitFor();
		await page.getByRole('link', { name: 'Mine' }).click();
		await page.getByRole('heading', { name: 'My reports and suggestions' }).waitFor();
		const item = page.locator('.mine-list li').filter({ hasText: 'Dark mode for the settings window' });
		await item.waitFor();
		assert.match(await item.innerText(), /you suggested it/);
		const svg = page.locator('.mine-list li').filter({ hasText: 'Export to SVG' });
		assert.match(await svg.innerText(), /you voted for it/);
		await checkA11y(page);
		assert.deepEqual(unexpected(await problems(page)), []);
	});

	test('"mine": a report of this install with its status and the team\'s comments; a reply', async () => {
		const who = await page.evaluate(async () => (await fetch('/api/v1/session')).json());
		const head = (await server.git('rev-parse', 'HEAD')).trim();
		const rep = await server.sendReport({ uuid: crypto.randomUUID(), kind: 'bug', title: 'Crash when printing',
			build: { revision: head }, tester: { install_id: who.install } });
		const r = await api('PATCH', `/projects/demo/reports/${rep.id}`, { comment: 'Which printer do you use?' }, team());
		assert.equal(r.status, 200, r.text);
		await page.reload();
		const card = page.locator('.mine-list li').filter({ hasText: 'Crash when printing' });
		await card.getByText('Which printer do you use?').waitFor();
		assert.match(await card.innerText(), /The team/);
		await card.getByLabel(`Reply to the team about ${rep.id}`).fill('A laser printer, over the network.');
		await card.getByRole('button', { name: 'Send reply' }).click();
		await card.getByText('Reply sent.').waitFor();
		await card.locator('.comment').filter({ hasText: 'A laser printer, over the network.' }).waitFor();
		assert.deepEqual(await cardEdges(card.locator('.comment').last()), { padded: true, closed: true });
		const mine = await page.evaluate(async () => (await fetch('/api/v1/projects/demo/mine')).json());
		const got = mine.reports.find((x) => x.id === rep.id);
		assert.deepEqual(got.comments.map((c) => c.from), ['team', 'you']);
		await checkA11y(page);
		await page.evaluate(() => window.scrollTo(0, 0));
		await shot(page, 'mine');
		assert.deepEqual(unexpected(await problems(page)), []);
	});

	test('a tester of a private project reads its board through their link; a visitor still sees nothing', async () => {
		const r = await server.request('POST', '/api/v1/projects/secret/board-links',
			{ headers: { 'X-Prosum-Key': secretKey, 'X-Prosum-Install': 'inst-s' }, body: {} });
		assert.equal(r.status, 201, r.text);
		const u = new URL(r.json.url);
		const c = await b.newContext();
		const p = await c.newPage();
		await p.goto(`${server.url}${u.pathname}${u.hash}`);
		await p.waitForURL((x) => x.pathname === '/p/secret/board');
		await p.getByRole('link', { name: 'Secret plans nobody may read' }).waitFor();
		await checkA11y(p);
		await c.close();
		const v = await b.newPage();
		await v.goto(`${server.url}/p/secret/board`);
		await v.getByRole('heading', { name: 'No such project' }).waitFor();
		assert.ok(!(await v.content()).includes('Secret plans'));
		await v.close();
	});

	test('signs out', async () => {
		await page.getByRole('button', { name: 'Sign out' }).click();
		await page.getByRole('link', { name: 'Team sign in' }).waitFor();
		assert.equal((await page.evaluate(async () => (await fetch('/api/v1/session')).status)), 401);
		await ctx.close();
	});
});

describe('hostile text', () => {
	test('a suggestion and a comment holding markup render as text', async () => {
		await api('POST', `/projects/demo/suggestions/${ids.hostile}/comments`, { body: HOSTILE }, team());
		const page = await b.newPage();
		await page.goto(`${server.url}/p/demo/board`);
		await page.locator('.sugg-title').filter({ hasText: '<script>' }).waitFor();
		await page.goto(`${server.url}/p/demo/board/${ids.hostile}`);
		await page.getByRole('heading', { name: HOSTILE }).waitFor();
		assert.equal(await page.locator('.text').filter({ hasText: HOSTILE }).count(), 2, 'body and comment as typed');
		assert.equal(await page.locator('main img, main script').count(), 0);
		assert.equal(await page.evaluate(() => window.__pwned), undefined);
		assert.deepEqual(unexpected(await problems(page)), []);
		await page.close();
	});
});

describe('the team', () => {
	test('a developer moderates on the same board: merges a duplicate, changes a status, pins, hides; counts agree with the API', async () => {
		// A developer, not only a release manager, has every moderation control on the board.
		const page = await b.newPage();
		await signIn(page, server, 'dora', 'developer');
		await page.goto(`${server.url}/p/demo/board`);
		await page.getByRole('link', { name: 'Board' }).waitFor();
		await page.locator('.sugg-title').first().waitFor();
		const target = await boardItem(ids.dark);
		const dup = await boardItem(ids.dup);
		assert.equal(dup.votes, 2);
		await page.goto(`${server.url}/p/demo/board/${ids.dup}`);
		await page.getByRole('heading', { name: 'Moderation' }).waitFor();
		await checkA11y(page);
		await page.getByLabel('Merge into (a duplicate of)').fill(ids.dark);
		await page.getByRole('button', { name: 'Merge' }).click();
		await page.getByText(`This suggestion was merged into`).waitFor();
		const after = await boardItem(ids.dark);
		assert.ok(after.merged.includes(ids.dup));
		assert.equal(after.votes, target.votes + 2, 'both votes moved: two other installs');
		assert.equal((await boardItem(ids.dup)).duplicate_of, ids.dark);
		// the board shows the target's count as the API does, the duplicate is gone
		await page.goto(`${server.url}/p/demo/board`);
		const row = page.locator('.sugg').filter({ has: page.getByRole('link', { name: 'Dark mode', exact: true }) });
		await row.waitFor();
		assert.equal(await row.locator('.votes-n').innerText(), String(after.votes));
		assert.ok(!(await titles(page)).includes('Night theme'));
		// pin Export to SVG: first in every sort
		await page.goto(`${server.url}/p/demo/board/${ids.svg}`);
		await page.getByRole('button', { name: 'Pin' }).click();
		await page.getByRole('button', { name: 'Unpin' }).waitFor();
		await page.goto(`${server.url}/p/demo/board?sort=newest`);
		await page.locator('.sugg-title').first().waitFor();
		assert.equal((await titles(page))[0], 'Export to SVG');
		// hide the tester's hostile comment on Grace's suggestion; visitors no longer see it
		await page.goto(`${server.url}/p/demo/board/${ids.grace}`);
		await page.getByRole('button', { name: /^Hide comment/ }).click();
		await page.locator('.comment .badge-hidden').waitFor();
		await page.locator('.history').getByText(/Comment \d+ hidden/).waitFor();
		const pub = await boardItem(ids.grace);
		assert.equal(pub.comments.length, 0);
		// comment as the team
		await page.getByLabel('Comment as the team').fill('Thanks, we will look at it.');
		await page.getByRole('button', { name: 'Post comment' }).click();
		await page.locator('.comment-team').filter({ hasText: 'Thanks, we will look at it.' }).waitFor();
		assert.equal((await boardItem(ids.grace)).comments[0].from, 'team');
		// the status, and hiding a suggestion
		await page.goto(`${server.url}/p/demo/board/${ids.svg}`);
		await page.getByLabel('Status', { exact: true }).selectOption('planned');
		await page.getByRole('button', { name: 'Change status' }).click();
		await page.getByText('Status: planned.').waitFor();
		assert.equal((await boardItem(ids.svg)).status, 'planned');
		await page.goto(`${server.url}/p/demo/board/${ids.hostile}`);
		await page.getByRole('button', { name: 'Hide', exact: true }).click();
		await page.getByRole('button', { name: 'Show on the board' }).waitFor();
		assert.equal((await api('GET', `/projects/demo/board/${ids.hostile}`)).status, 404, 'hidden from visitors');
		await page.goto(`${server.url}/p/demo/board`);
		await page.locator('.sugg.is-hidden').filter({ hasText: '<script>' }).waitFor();
		await checkA11y(page);
		assert.deepEqual(unexpected(await problems(page)), []);
		await page.close();
	});
});
