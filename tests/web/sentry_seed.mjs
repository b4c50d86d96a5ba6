// sentry_seed.mjs - what the tests of real Sentry SDKs share: the project's sentry_dsn, the
// reports the API holds by Sentry event id, a release naming a commit of the test repository.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// The SDKs are devDependencies of the web app, pinned in web/package-lock.json.
export const webDir = join(here, '../../web');
export const webRequire = createRequire(join(webDir, 'package.json'));

// The API with the admin token: {status, json, text}.
export async function api(server, method, path, body) {
	const r = await server.request(method, path, { headers: { Authorization: `Bearer ${server.token}` }, body });
	return { status: r.status, json: r.json, text: r.text };
}

// The DSN an SDK is given: GET /api/v1/projects/demo answers it as sentry_dsn.
export async function sentryDsn(server) {
	const r = await api(server, 'GET', '/api/v1/projects/demo');
	if (r.status !== 200 || !r.json.sentry_dsn)
		throw new Error(`no sentry_dsn (${r.status}): ${r.text}`);
	return r.json.sentry_dsn;
}

/*
 * Every report of project demo, read one by one through the API (GET .../reports/R-n), as a
 * Map from the Sentry event id (the report's uuid without dashes) to the list of reports with
 * that id: one report per event is a list of one.
 */
export async function reportsByEvent(server) {
	const list = await api(server, 'GET', '/api/v1/projects/demo/reports?limit=100');
	if (list.status !== 200)
		throw new Error(`report list (${list.status}): ${list.text}`);
	const byEvent = new Map();
	for (const item of list.json.items) {
		const r = await api(server, 'GET', `/api/v1/projects/demo/reports/${item.id}`);
		if (r.status !== 200)
			throw new Error(`${item.id} (${r.status}): ${r.text}`);
		const eid = String(r.json.uuid || '').replace(/-/g, '');
		byEvent.set(eid, [...(byEvent.get(eid) || []), r.json]);
	}
	return byEvent;
}

// The functions of a report's frames, innermost first.
export function functions(report) {
	return (report.frames || []).map((f) => f.function);
}

/*
 * Commit `files` ({path: text}) to the test repository; the new HEAD as {commit (40 hex),
 * release: "app@1.0.0+SHORT"}: the release name an SDK sends so that prosum links the report
 * to that commit.
 */
export async function commitApp(server, files) {
	for (const [path, text] of Object.entries(files)) {
		mkdirSync(dirname(join(server.repo, path)), { recursive: true });
		writeFileSync(join(server.repo, path), text);
		await server.git('add', path);
	}
	await server.git('commit', '-q', '-m', 'The app that reports through a Sentry SDK');
	const commit = (await server.git('rev-parse', 'HEAD')).trim();
	return { commit, release: `app@1.0.0+${commit.slice(0, 12)}` };
}

// Poll fn until it answers something truthy; `ms` bounds a failure only (a loaded machine).
export async function eventually(fn, what, ms = 120000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error(`gave up waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}
