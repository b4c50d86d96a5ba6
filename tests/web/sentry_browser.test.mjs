// sentry_browser.test.mjs - the unmodified @sentry/browser SDK in headless chromium, on a page of
// another origin, reporting to a real prosumd through the project's sentry_dsn: exceptions
// (caught and uncaught) and a message become reports with their frames innermost first, linked
// to the commit their release names, once per event id; text/plain bodies and a CORS preflight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, browser as openBrowser } from './harness.mjs';
import { api, commitApp, eventually, functions, reportsByEvent, sentryDsn, webDir, webRequire } from './sentry_seed.mjs';

// The page's script, committed to the test repository at js/app.js and served at /js/app.js, so
// its frames name a file of the repository (after the URL's origin) at the release's commit.
const APP_JS = `// app.js - a page that reports through @sentry/browser (window.Sentry) to prosum.
function paletteInner(name) {
	throw new Error('bad palette in ' + name);
}
function paletteMiddle(name) {
	paletteInner(name);
}
function paletteOuter(name) {
	paletteMiddle(name);
}

// A caught exception, a message, an uncaught exception; then the first event again, as an
// SDK's retry sends it. Answers the three event ids, in that order.
async function reportAll(dsn, release, headers) {
	const sent = [];
	Sentry.init({
		dsn,
		release,
		environment: 'beta',
		transportOptions: headers ? { headers } : {},
		beforeSend(event) {
			sent.push(event);
			return event;
		},
	});
	let caught;
	try {
		paletteOuter('holiday.png');
	} catch (e) {
		caught = Sentry.captureException(e);
	}
	const message = Sentry.captureMessage('disk nearly full', 'warning');
	setTimeout(() => paletteOuter('uncaught.png'), 0);
	// Events are processed asynchronously, in no promised order: wait for all three, and tell
	// the uncaught one by being neither of the others.
	for (let waited = 0; sent.length < 3; waited += 20) {
		if (waited > 120000) // bounds a failure only: a loaded machine is slow, not this slow
			throw new Error('the SDK did not capture the uncaught exception');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	if (!(await Sentry.flush(60000)))
		throw new Error('the first events were not sent in time');
	Sentry.getClient().sendEvent(sent.find((e) => e.event_id === caught));
	if (!(await Sentry.flush(60000)))
		throw new Error('the event sent again was not sent in time');
	const uncaught = sent.find((e) => e.event_id !== caught && e.event_id !== message);
	return [caught, message, uncaught.event_id];
}
window.reportAll = reportAll;
`;

const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sentry browser SDK</title>
<script src="/sentry.js"></script><script src="/js/app.js"></script></head>
<body><p>A page of the app under test.</p></body></html>
`;

let server;
let b;
let pages; // the page server: another origin than prosumd's
let pageUrl;
let app; // {commit, release} of the repository's commit holding js/app.js
let dsn;

before(async () => {
	server = await startServer();
	dsn = await sentryDsn(server);
	app = await commitApp(server, { 'js/app.js': APP_JS });
	// The SDK as an app ships it: bundled by esbuild (the web app's own bundler), into the
	// test's temporary directory, from the version web/package-lock.json pins.
	const esbuild = webRequire('esbuild');
	const bundle = join(server.dir, 'sentry.js');
	await esbuild.build({
		stdin: { contents: "export * from '@sentry/browser';", resolveDir: webDir, loader: 'js' },
		bundle: true,
		format: 'iife',
		globalName: 'Sentry',
		platform: 'browser',
		outfile: bundle,
		logLevel: 'error',
	});
	const files = {
		'/': ['text/html', INDEX_HTML],
		'/sentry.js': ['text/javascript', readFileSync(bundle)],
		'/js/app.js': ['text/javascript', APP_JS],
	};
	pages = createServer((req, res) => {
		const f = files[new URL(req.url, 'http://x').pathname];
		res.writeHead(f ? 200 : 404, { 'Content-Type': f ? f[0] : 'text/plain' });
		res.end(f ? f[1] : 'not found');
	});
	await new Promise((resolve) => pages.listen(0, '127.0.0.1', resolve));
	pageUrl = `http://127.0.0.1:${pages.address().port}/`;
	b = await openBrowser();
});

after(async () => {
	await b?.close();
	if (pages)
		await new Promise((resolve) => pages.close(resolve));
	await server?.close();
});

/*
 * Open the page (contexts trust prosumd's certificate: ignoreHTTPSErrors), run reportAll with
 * these transport headers, and answer {sent: the three events' ids, requests: what the page
 * sent to prosumd, answers: the statuses prosumd gave}.
 */
async function runPage(headers) {
	const ctx = await b.newContext();
	const page = await ctx.newPage();
	const requests = [];
	page.on('request', (r) => {
		if (r.url().startsWith(server.url))
			requests.push({ method: r.method(), url: r.url(), headers: r.headers() });
	});
	const answers = [];
	page.on('response', (r) => {
		if (r.url().startsWith(server.url))
			answers.push(r.status());
	});
	await page.goto(pageUrl);
	const sent = await page.evaluate(([d, rel, h]) => window.reportAll(d, rel, h), [dsn, app.release, headers]);
	await ctx.close();
	return { sent, requests, answers };
}

// The three events of reportAll, checked through the API.
async function checkReports(sent) {
	assert.equal(sent.length, 3);
	const [caught, message, uncaught] = sent;
	const byEvent = await eventually(async () => {
		const m = await reportsByEvent(server);
		return m.has(caught) && m.has(message) && m.has(uncaught) ? m : null;
	}, 'the reports of the three events');
	// One report per event id, though the first event was sent twice.
	for (const id of [caught, message, uncaught])
		assert.equal(byEvent.get(id).length, 1, `reports of event ${id}`);

	const crash = byEvent.get(caught)[0];
	assert.equal(crash.kind, 'crash');
	assert.equal(crash.title, 'Error: bad palette in holiday.png');
	assert.deepEqual(functions(crash).slice(0, 4), ['paletteInner', 'paletteMiddle', 'paletteOuter', 'reportAll']);
	const top = crash.frames[0];
	assert.equal(top.file, `${pageUrl}js/app.js`);
	assert.equal(top.line, 3);
	assert.equal(crash.frames[1].line, 6);
	assert.equal(crash.build.version, '1.0.0');
	assert.equal(crash.build.channel, 'beta');
	assert.equal(crash.revision.commit, app.commit);

	const msg = byEvent.get(message)[0];
	assert.equal(msg.kind, 'bug');
	assert.equal(msg.title, 'disk nearly full');
	assert.equal(msg.severity, 'warning');
	assert.equal(msg.revision.commit, app.commit);

	const unc = byEvent.get(uncaught)[0];
	assert.equal(unc.title, 'Error: bad palette in uncaught.png');
	assert.deepEqual(functions(unc).slice(0, 3), ['paletteInner', 'paletteMiddle', 'paletteOuter']);
	// Another stack (a timer's callback at the bottom): another group.
	assert.notEqual(unc.group, crash.group);
	return crash;
}

test('the browser SDK sends text/plain envelopes across origins; reports group and link to the commit', async () => {
	const { sent, requests, answers } = await runPage(null);
	await checkReports(sent);
	const envelopes = requests.filter((r) => r.method === 'POST' && /\/api\/\d+\/envelope\//.test(r.url));
	assert.ok(envelopes.length >= 4, JSON.stringify(requests));
	// The SDK's own way: the key in the query, a plain-text body (no preflight needed).
	for (const r of envelopes) {
		assert.match(r.url, /[?&]sentry_key=[0-9a-f]{32}/);
		assert.match(r.headers['content-type'] || '', /^text\/plain/);
	}
	assert.ok(answers.length >= 4 && answers.every((s) => s === 200), JSON.stringify(answers));

	// The crash's frames name js/app.js of the repository: blamed at the release's commit.
	const crashes = await api(server, 'GET', '/api/v1/projects/demo/reports?kind=crash');
	const group = crashes.json.items[0].group;
	const g = await eventually(async () => {
		const r = await api(server, 'GET', `/api/v1/projects/demo/groups/${group}`);
		return r.json && r.json.suspects && r.json.suspects.length ? r.json : null;
	}, 'the suspects of the crash group');
	assert.equal(g.suspects[0].id, app.commit);
	// and triage shows the page's source lines at that commit
	const src = await api(server, 'GET', `/api/v1/projects/demo/reports/${crashes.json.items[0].id}/source`);
	assert.equal(src.status, 200, src.text);
	assert.equal(src.json.commit, app.commit);
	assert.equal(src.json.frames[0].path, 'js/app.js');
	assert.ok(src.json.frames[0].lines.some((l) => l.includes("throw new Error('bad palette in ' + name);")), src.text);
});

test('a header the SDK is configured with makes the browser ask first (CORS preflight); the events land', async () => {
	const before = (await reportsByEvent(server)).size;
	const { sent, requests } = await runPage({ 'Content-Type': 'application/x-sentry-envelope' });
	const crash = await checkReports(sent);
	assert.equal((await reportsByEvent(server)).size, before + 3);
	// The browser sent the POSTs only after prosumd allowed them in its preflight answer.
	const posts = requests.filter((r) => r.method === 'POST');
	assert.ok(posts.length >= 4);
	assert.ok(posts.every((r) => r.headers['content-type'] === 'application/x-sentry-envelope'));
	// The same crash as the first run's, from another page load: the same group, two reports.
	const g = await api(server, 'GET', `/api/v1/projects/demo/groups/${crash.group}`);
	assert.equal(g.json.count, 2, g.text);
});
