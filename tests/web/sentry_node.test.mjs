// sentry_node.test.mjs - the unmodified @sentry/node SDK in a node program reporting to a real
// prosumd through the project's sentry_dsn: chunked bodies without Content-Length or
// Content-Type, gzip for large events, a caught and an uncaught exception and a message become
// reports with frames innermost first, linked to the commit their release names, once per event.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from './harness.mjs';
import { commitApp, eventually, functions, reportsByEvent, sentryDsn, webDir } from './sentry_seed.mjs';

/*
 * The app, committed to the test repository at src/app.cjs and run from there (so its frames
 * name a file of the repository). argv: DSN, release, CA file, mode. Mode "report": a caught
 * exception, a message with a large extra (over the SDK's gzip threshold of 32 KiB), the
 * exception's event again (an SDK's retry); prints the events sent and what each request was.
 * Mode "uncaught": an exception nobody catches, which the SDK reports before the process exits 1.
 * The requests are watched through node's diagnostics channels, leaving the SDK as it is.
 */
const APP_CJS = `// app.cjs - a node program that reports through @sentry/node to prosum.
const { readFileSync } = require('node:fs');
const dc = require('node:diagnostics_channel');
const Sentry = require('@sentry/node');

function paletteInner(name) {
	throw new Error('bad palette in ' + name);
}
function paletteMiddle(name) {
	paletteInner(name);
}
function paletteOuter(name) {
	paletteMiddle(name);
}

const [dsn, release, ca, mode] = process.argv.slice(2);
const requests = [];
dc.subscribe('http.client.response.finish', ({ request, response }) => {
	requests.push({
		path: request.path,
		chunked: request.chunkedEncoding === true,
		contentLength: request.getHeader('content-length') ?? null,
		contentType: request.getHeader('content-type') ?? null,
		contentEncoding: request.getHeader('content-encoding') ?? null,
		status: response.statusCode,
	});
});
const sent = [];
Sentry.init({
	dsn,
	release,
	environment: 'beta',
	transportOptions: { caCerts: readFileSync(ca) },
	// how long an uncaught exception's report may take before the process exits (2 s by
	// default: too short for a sanitizer build on a loaded machine)
	shutdownTimeout: 60000,
	beforeSend(event) {
		sent.push(event);
		return event;
	},
});

async function report() {
	let caught;
	try {
		paletteOuter('holiday.png');
	} catch (e) {
		caught = Sentry.captureException(e);
	}
	const listing = Array.from({ length: 600 }, (_, i) => 'palette entry ' + i + ': ' + 'rgb '.repeat(15));
	const message = Sentry.captureMessage('disk nearly full', { level: 'warning', extra: { listing } });
	if (!(await Sentry.flush(60000)))
		throw new Error('the events were not sent in time');
	// (events are processed asynchronously: find the exception's by its id)
	Sentry.getClient().sendEvent(sent.find((e) => e.event_id === caught));
	if (!(await Sentry.flush(60000)))
		throw new Error('the event sent again was not sent in time');
	process.stdout.write(JSON.stringify({ sent: [caught, message], requests }) + '\\n');
	await Sentry.close(60000);
	process.exit(0);
}

if (mode === 'uncaught')
	setTimeout(() => paletteOuter('uncaught.png'), 0);
else
	report();
`;

let server;
let app;
let dsn;
let ca;

// Run src/app.cjs of the test repository with node; {code, stdout, stderr}. The SDK is found
// through NODE_PATH in web/node_modules, where web/package-lock.json pins it.
function runApp(mode) {
	return new Promise((resolve) => {
		execFile(process.execPath, [join(server.repo, 'src/app.cjs'), dsn, app.release, ca, mode], {
			cwd: server.repo,
			env: { ...process.env, NODE_PATH: join(webDir, 'node_modules') },
			// bounds a hang only: an ASan prosumd on a loaded machine answers slowly
			timeout: 240000,
		}, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
	});
}

before(async () => {
	server = await startServer();
	dsn = await sentryDsn(server);
	ca = join(server.data, 'tls/ca.pem');
	app = await commitApp(server, { 'src/app.cjs': APP_CJS });
});

after(async () => {
	await server?.close();
});

test('the node SDK sends chunked bodies without a content type, gzip when large; reports link to the commit', async () => {
	const r = await runApp('report');
	assert.equal(r.code, 0, r.stderr);
	const { sent, requests } = JSON.parse(r.stdout.trim().split('\n').pop());
	assert.equal(sent.length, 2);
	const [caught, message] = sent;

	// What the SDK sent: chunked, with neither Content-Length nor Content-Type; the large
	// message gzip-compressed. prosumd answered every request 200.
	const envelopes = requests.filter((q) => /^\/api\/\d+\/envelope\//.test(q.path));
	assert.ok(envelopes.length >= 3, JSON.stringify(requests));
	for (const q of envelopes) {
		assert.equal(q.chunked, true);
		assert.equal(q.contentLength, null);
		assert.equal(q.contentType, null);
		assert.equal(q.status, 200, JSON.stringify(q));
	}
	assert.ok(envelopes.some((q) => q.contentEncoding === 'gzip'), JSON.stringify(envelopes));

	const byEvent = await reportsByEvent(server);
	assert.equal(byEvent.get(caught)?.length, 1, 'one report for the event sent twice');
	assert.equal(byEvent.get(message)?.length, 1);
	const crash = byEvent.get(caught)[0];
	assert.equal(crash.kind, 'crash');
	assert.equal(crash.title, 'Error: bad palette in holiday.png');
	assert.deepEqual(functions(crash).slice(0, 4), ['paletteInner', 'paletteMiddle', 'paletteOuter', 'report']);
	assert.equal(crash.frames[0].file, join(server.repo, 'src/app.cjs'));
	assert.equal(crash.frames[0].line, 7);
	assert.equal(crash.frames[1].line, 10);
	assert.equal(crash.build.version, '1.0.0');
	assert.equal(crash.build.channel, 'beta');
	assert.equal(crash.revision.commit, app.commit);

	const msg = byEvent.get(message)[0];
	assert.equal(msg.kind, 'bug');
	assert.equal(msg.title, 'disk nearly full');
	assert.equal(msg.severity, 'warning');
	assert.equal(msg.extra.listing.length, 600);
	assert.equal(msg.revision.commit, app.commit);

	// The frames' absolute paths end in src/app.cjs of the repository: blamed at the commit.
	const g = await eventually(async () => {
		const q = await server.request('GET', `/api/v1/projects/demo/groups/${crash.group}`,
			{ headers: { Authorization: `Bearer ${server.token}` } });
		return q.json && q.json.suspects && q.json.suspects.length ? q.json : null;
	}, 'the suspects of the crash group');
	assert.equal(g.suspects[0].id, app.commit);
	// and triage shows the program's source lines at that commit
	const src = await server.request('GET', `/api/v1/projects/demo/reports/${crash.id}/source`,
		{ headers: { Authorization: `Bearer ${server.token}` } });
	assert.equal(src.status, 200, src.text);
	assert.equal(src.json.frames[0].path, 'src/app.cjs');
	assert.ok(src.json.frames[0].lines.some((l) => l.includes("throw new Error('bad palette in ' + name);")), src.text);
});

test('an uncaught exception is reported before the process exits', async () => {
	const before = await reportsByEvent(server);
	const r = await runApp('uncaught');
	assert.equal(r.code, 1, r.stderr);
	const byEvent = await reportsByEvent(server);
	const fresh = [...byEvent.keys()].filter((id) => !before.has(id));
	assert.equal(fresh.length, 1, JSON.stringify(fresh));
	const crash = byEvent.get(fresh[0])[0];
	assert.equal(crash.title, 'Error: bad palette in uncaught.png');
	assert.equal(crash.severity, 'fatal');
	assert.deepEqual(functions(crash).slice(0, 3), ['paletteInner', 'paletteMiddle', 'paletteOuter']);
	assert.equal(crash.revision.commit, app.commit);
});
