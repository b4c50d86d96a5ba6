// triage_seed.mjs - what the developer pages' browser tests share: reports to send, the project's
// commit URL, reading items back through the API with a token, waiting for what jobs fill in.
import { randomUUID } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const COMMIT_URL = 'https://git.example.org/demo/commit/{id}';

// A report document; `over` replaces or adds fields.
export function report(over = {}) {
	return {
		uuid: randomUUID(),
		kind: 'bug',
		title: 'A report',
		build: { version: '1.0.0' },
		platform: { os: 'Linux', os_version: '6.1', arch: 'x86_64' },
		tester: { install_id: randomUUID(), name: 'Grace' },
		...over,
	};
}

// The API with the server's admin token: {status, json} of GET/PATCH/POST.
export function tokenApi(server) {
	const h = { Authorization: `Bearer ${server.token}` };
	const call = async (method, path, body) => {
		const r = await server.request(method, `/api/v1/projects/demo${path}`, { headers: h, body });
		return { status: r.status, json: r.json, text: r.text };
	};
	return {
		get: (path) => call('GET', path),
		patch: (path, body) => call('PATCH', path, body),
		post: (path, body) => call('POST', path, body),
		// the project itself (its settings), PATCH by an admin
		project: (body) => server.request('PATCH', '/api/v1/projects/demo', { headers: h, body })
			.then((r) => ({ status: r.status, json: r.json, text: r.text })),
	};
}

// Poll fn() until it returns something truthy. Jobs (blame) run after the report's answer; the
// bound only keeps a broken server from hanging the test, it is not a timing assertion.
export async function eventually(fn, what, ms = 60000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error(`gave up waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/*
 * A source file in three commits: line 12 reads "palette at A", then "palette at B" (the commit
 * a report's build comes from, by another author), then "palette at C". Returns the ids.
 */
export async function paletteHistory(server) {
	const file = join(server.repo, 'src/png.c');
	mkdirSync(join(server.repo, 'src'), { recursive: true });
	const lines = (tag) => Array.from({ length: 30 }, (_, i) => (i + 1 === 12
		? `\tpalette[n] = read_entry(f); /* palette at ${tag} */` : `/* png.c line ${i + 1} */`)).join('\n') + '\n';
	const commit = async (tag, msg, author) => {
		writeFileSync(file, lines(tag));
		await server.git('add', 'src/png.c');
		await server.git('-c', `user.name=${author}`, '-c', `user.email=${author.toLowerCase()}@example.org`,
			'commit', '-q', '-m', msg);
		return (await server.git('rev-parse', 'HEAD')).trim();
	};
	const a = await commit('A', 'Add the PNG reader', 'Ada Tester');
	const b = await commit('B', 'Read the palette without a bounds check', 'Linus Breaker');
	const c = await commit('C', 'Reword the palette reader', 'Ada Tester');
	return { a, b, c };
}

// The smallest real PNG: one transparent pixel.
export const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

// Send a report with files as multipart/form-data: files [{name, type, bytes}].
export async function sendWithFiles(server, doc, files) {
	const boundary = 'xYzZy' + randomUUID().replace(/-/g, '');
	const parts = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="report"\r\n` +
		`Content-Type: application/json\r\n\r\n${JSON.stringify(doc)}\r\n`)];
	for (const f of files) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachment"; ` +
			`filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`), Buffer.from(f.bytes), Buffer.from('\r\n'));
	}
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return server.request('POST', '/api/v1/projects/demo/reports', {
		headers: { 'X-Prosum-Key': server.ingestKey, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
		body: Buffer.concat(parts),
	});
}

// Failed loads the pages make on purpose are not problems; anything else the page logs is.
export function unexpected(list) {
	return list.filter((p) => !/Failed to load resource: the server responded with a status of (401|409|422)/.test(p));
}

// Wait until the page shows no "Loading…" status any more.
export async function settled(page) {
	await page.waitForLoadState('networkidle');
	await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => {});
}
