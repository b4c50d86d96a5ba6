// harness.mjs - browser tests' support: a real prosumd on port 0, headless chromium, sign-in, axe, screenshots.
//
// Environment: PROSUMD (the server binary, required), PROSUM (the CLI, optional), CHROMIUM
// (default /usr/bin/chromium), PROSUM_SCREENSHOTS (where shot() writes; default a temporary
// directory). The npm packages come from web/node_modules (scripts/bootstrap installs them).
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const webRequire = createRequire(join(here, '../../web/package.json'));
const run = promisify(execFile);

// How long the server may take to say it listens: generous, as an ASan build on a loaded
// machine starts slowly (this bounds a failure, it is not a timing assertion).
const START_MS = 60000;

function need(name) {
	const v = process.env[name];
	if (!v)
		throw new Error(`${name} is not set: run the browser tests through ctest (ctest -L web), ` +
			'which sets PROSUMD, PROSUM, CHROMIUM and PROSUM_SCREENSHOTS');
	return v;
}

function line(out, prefix) {
	const l = out.split('\n').find((s) => s.startsWith(prefix));
	return l ? l.slice(prefix.length).trim() : null;
}

/*
 * A prosumd of its own: temporary data directory, a git repository with one commit, project
 * "demo" with that repository. Returns {url, data, dir, repo, ingestKey, token, prosumd(...args),
 * addUser(name, role, project?) -> one-time link on this server, sendReport(doc) -> answer,
 * request(method, path, {headers, body}) -> {status, headers, text, json}, git(...args), close()}.
 * close() stops the server and fails when it did not exit cleanly (a sanitizer report).
 * serveArgs: more arguments of `prosumd serve` (e.g. ['--webhook-allow-private']); env: more
 * environment variables of the server.
 */
export async function startServer({ serveArgs = [], env = {} } = {}) {
	const prosumdPath = need('PROSUMD');
	const dir = mkdtempSync(join(tmpdir(), 'prosum-web-'));
	const data = join(dir, 'data');
	const repo = join(dir, 'repo');
	const git = async (...args) => (await run('git', ['-C', repo, ...args])).stdout;
	mkdirSync(repo);
	await git('init', '-q', '-b', 'main');
	await git('config', 'user.name', 'Ada Tester');
	await git('config', 'user.email', 'ada@example.org');
	writeFileSync(join(repo, 'main.c'), 'int main(void)\n{\n\treturn 0;\n}\n');
	await git('add', 'main.c');
	await git('commit', '-q', '-m', 'Initial commit');

	const prosumd = async (...args) => {
		try {
			const r = await run(prosumdPath, [...args, '--data', data]);
			return { code: 0, stdout: r.stdout, stderr: r.stderr };
		} catch (e) {
			return { code: e.code ?? 1, stdout: e.stdout || '', stderr: e.stderr || '' };
		}
	};
	const init = await prosumd('init');
	const token = line(init.stdout, 'token: ');
	if (init.code !== 0 || !token)
		throw new Error(`prosumd init failed: ${init.stderr}`);
	const add = await prosumd('project', 'add', 'demo', '--repo', repo);
	const ingestKey = line(add.stdout, 'key: ');
	if (add.code !== 0 || !ingestKey)
		throw new Error(`prosumd project add failed: ${add.stderr}`);

	const child = spawn(prosumdPath, ['serve', '--data', data, '--listen', '127.0.0.1:0', '--threads', '2', ...serveArgs],
		{ stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
	let stderr = '';
	child.stderr.on('data', (b) => { stderr += b; });
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	const port = await new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => reject(new Error(`prosumd did not start: ${stderr}`)), START_MS);
		child.stdout.on('data', (b) => {
			out += b;
			const m = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		child.on('exit', () => reject(new Error(`prosumd exited at start: ${stderr}`)));
	});
	const url = `https://127.0.0.1:${port}`;
	const ca = readFileSync(join(data, 'tls/ca.pem'));

	const request = (method, path, { headers = {}, body } = {}) => new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined
			: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
		const h = { ...headers };
		if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
			h['Content-Type'] = 'application/json';
		const req = httpsRequest(url + path, { method, headers: h, ca }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const raw = Buffer.concat(chunks);
				const text = raw.toString('utf8');
				let json = null;
				try {
					json = JSON.parse(text);
				} catch { /* not JSON */ }
				resolve({ status: res.statusCode, headers: res.headers, raw, text, json });
			});
		});
		req.on('error', reject);
		if (payload !== undefined)
			req.write(payload);
		req.end();
	});

	// The one-time link `user add` prints, pointed at this server (the command cannot know
	// the port the running server picked).
	const addUser = async (name, role, project) => {
		const args = ['user', 'add', name, '--role', role];
		if (project)
			args.push('--project', project);
		const r = await prosumd(...args);
		const link = line(r.stdout, 'link: ');
		if (r.code !== 0 || !link)
			throw new Error(`prosumd user add failed (${r.code}): ${r.stderr}${r.stdout}`);
		const u = new URL(link);
		return `${url}${u.pathname}${u.hash}`;
	};

	const sendReport = async (doc) => {
		const r = await request('POST', '/api/v1/projects/demo/reports',
			{ headers: { 'X-Prosum-Key': ingestKey }, body: doc });
		if (r.status !== 201 && r.status !== 200)
			throw new Error(`report refused (${r.status}): ${r.text}`);
		return r.json;
	};

	const close = async () => {
		if (child.exitCode === null && child.signalCode === null)
			child.kill('SIGTERM');
		const { code, signal } = await exited;
		rmSync(dir, { recursive: true, force: true });
		if (code !== 0)
			throw new Error(`prosumd exited with ${code ?? signal}: ${stderr}`);
	};

	return { url, port, dir, data, repo, ingestKey, token, prosumd, addUser, sendReport, request, git,
		close, stderr: () => stderr };
}

/*
 * Headless Debian chromium through playwright-core. Its contexts and pages accept the test
 * server's certificate (ignoreHTTPSErrors) and each page collects what went wrong in it:
 * page.problems (console errors, uncaught exceptions, CSP violations), see problems().
 */
export async function browser() {
	const { chromium } = webRequire('playwright-core');
	const args = ['--disable-dev-shm-usage', '--disable-gpu'];
	if (process.getuid && process.getuid() === 0)
		args.push('--no-sandbox');
	const b = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args,
	});
	const newContext = b.newContext.bind(b);
	b.newContext = async (opts = {}) => {
		const ctx = await newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 }, ...opts });
		// Waits bound failures only; an ASan server on a loaded machine can be slow to answer.
		ctx.setDefaultTimeout(60000);
		// Registered before any page script runs (through the debugging protocol, which CSP
		// does not govern): every CSP violation of the page is kept for problems().
		await ctx.addInitScript(() => {
			window.__cspViolations = [];
			document.addEventListener('securitypolicyviolation', (e) => {
				window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
			});
		});
		const newPage = ctx.newPage.bind(ctx);
		ctx.newPage = async () => watch(await newPage());
		return ctx;
	};
	b.newPage = async (opts) => {
		const ctx = await b.newContext(opts);
		return ctx.newPage();
	};
	return b;
}

function watch(page) {
	page.problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error') {
			const where = m.location() && m.location().url;
			page.problems.push(`console: ${m.text()}${where ? ` (${where})` : ''}`);
		}
	});
	page.on('pageerror', (e) => page.problems.push(`exception: ${e.message}`));
	return page;
}

// What went wrong in the page so far: console errors, uncaught exceptions, CSP violations.
// Expected failures (a 401 the page asked for) log console errors too: filter as needed.
export async function problems(page) {
	let csp = [];
	try {
		csp = await page.evaluate(() => window.__cspViolations || []);
	} catch { /* the page is gone */ }
	return [...page.problems, ...csp.map((v) => `csp: ${v}`)];
}

/*
 * Sign in as a new person with that role: `prosumd user add`, the one-time link in the page,
 * a password set twice; resolves once the app shows a signed-in page. Returns {name, password}.
 */
export async function signIn(page, server, name, role = 'developer', project) {
	const link = await server.addUser(name, role, project);
	const password = `pw-${name}-correct horse battery staple`;
	await page.goto(link);
	await page.getByLabel('New password').fill(password);
	await page.getByLabel('The same password again').fill(password);
	await page.getByRole('button', { name: /set password/i }).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/welcome'));
	await page.locator('.nav-account').filter({ hasText: name }).waitFor();
	return { name, password };
}

/*
 * Run axe-core in the page; throws listing every serious or critical violation. The script
 * goes in through the debugging protocol, so the page's CSP (no inline script) stays on.
 */
export async function checkA11y(page, { exclude = [] } = {}) {
	const { source } = webRequire('axe-core');
	await page.evaluate(source);
	const result = await page.evaluate(async (ex) => {
		// eslint-disable-next-line no-undef
		const r = await axe.run(ex.length ? { exclude: ex } : document, { resultTypes: ['violations'] });
		return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
	}, exclude);
	const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	if (bad.length) {
		throw new Error('accessibility violations:\n' + bad.map((v) =>
			`  ${v.impact} ${v.id}: ${v.help} (${v.nodes.join(', ')})`).join('\n'));
	}
	return result;
}

// A full-page screenshot at $PROSUM_SCREENSHOTS/NAME.png; returns its path.
export async function shot(page, name) {
	const dir = process.env.PROSUM_SCREENSHOTS || join(tmpdir(), 'prosum-screenshots');
	mkdirSync(dir, { recursive: true });
	const path = join(dir, `${name}.png`);
	// From the top: a sticky top bar would otherwise be drawn where the page was scrolled to.
	await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path, fullPage: true });
	return path;
}
