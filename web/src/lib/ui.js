// ui.js - the shared components every page is made of; all text is rendered as text.
import { html, useCallback, useEffect, useRef, useState, useFollow } from './html.js';
import { api } from './api.js';
import { blocks } from './markdown.js';
import { link, navigate, setQuery, useRoute, withQuery } from './router.js';
import { hasRole, isPerson, isTester, signOut, useSession } from './session.js';

let uid = 0;
function useId(prefix) {
	const ref = useRef(null);
	if (ref.current === null)
		ref.current = `${prefix}-${++uid}`;
	return ref.current;
}

let firstPage = true;

// The frame of a page: its title (also the document's), actions beside it, the content.
// The heading takes the focus when the app moves to another page, so keyboards and screen readers
// start there.
export function Page({ title, actions, children, wide }) {
	const ref = useRef(null);
	useEffect(() => {
		document.title = title ? `${title} · prosum` : 'prosum';
	}, [title]);
	const path = useRoute().path;
	useEffect(() => {
		// Not on the first page of a visit: there the skip link comes first, as on any site.
		if (firstPage) {
			firstPage = false;
			return;
		}
		if (ref.current && document.activeElement && document.activeElement.closest &&
		    !document.activeElement.closest('main'))
			ref.current.focus({ preventScroll: true });
	}, [path]);
	return html`<div class=${'page' + (wide ? ' page-wide' : '')}>
		<div class="page-head">
			<h1 tabindex="-1" ref=${ref}>${title}</h1>
			${actions ? html`<div class="page-actions">${actions}</div>` : null}
		</div>
		${children}
	</div>`;
}

// The project a page is about: the route's, else the last one visited.
export function currentProject(route) {
	const p = route.params && route.params.p;
	if (p) {
		try {
			localStorage.setItem('prosum.project', p);
		} catch { /* private mode */ }
		return p;
	}
	try {
		return localStorage.getItem('prosum.project');
	} catch {
		return null;
	}
}

function ProjectPicker({ project, items }) {
	const id = useId('project');
	if (items.length < 2)
		return project ? html`<span class="nav-project">${project}</span>` : null;
	return html`<span class="nav-picker">
		<label for=${id} class="sr-only">Project</label>
		<select id=${id} value=${project || ''} onChange=${(e) => e.target.value && navigate(`/p/${encodeURIComponent(e.target.value)}`)}>
			${!project ? html`<option value="">Choose a project</option>` : null}
			${items.map((it) => html`<option value=${it.name}>${it.name}</option>`)}
		</select>
	</span>`;
}

// The top bar: product, project picker, the project's sections, admin, the account.
export function Nav() {
	const session = useSession();
	const route = useRoute();
	const [open, setOpen] = useState(false);
	useFollow(() => setOpen(false), [route.path]);
	// Escape closes the open menu and gives the focus back to its button.
	useEffect(() => {
		if (!open)
			return undefined;
		const onKey = (e) => {
			if (e.key !== 'Escape')
				return;
			setOpen(false);
			const button = document.querySelector('.nav-toggle');
			if (button)
				button.focus();
		};
		document.addEventListener('keydown', onKey);
		return () => document.removeEventListener('keydown', onKey);
	}, [open]);
	// The projects this person may see, once per sign-in (for the picker, and the only one).
	const person = isPerson(session);
	const { data } = useLoad(() => (person ? api.get('/projects') : null), [person && session.name]);
	const items = (data && data.items) || [];
	const project = person ? currentProject(route) || (items.length === 1 ? items[0].name : null) : null;
	const base = project ? `/p/${encodeURIComponent(project)}` : null;
	const here = route.path;
	const item = (url, label, exact) => {
		const cur = exact ? here === url : here === url || here.startsWith(url + '/');
		return html`<li><a ...${link(url)} aria-current=${cur ? 'page' : undefined}>${label}</a></li>`;
	};
	if (!person)
		return html`<${CommunityNav} session=${session} route=${route} open=${open} setOpen=${setOpen} item=${item} />`;
	return html`<header class="topbar">
		<div class="topbar-inner">
			<a class="brand" ...${link('/')}><span class="brand-mark" aria-hidden="true"></span>prosum</a>
			${session ? html`<${ProjectPicker} project=${project} items=${items} />` : null}
			${session ? html`<button type="button" class="nav-toggle" aria-expanded=${open ? 'true' : 'false'}
				aria-controls="nav-links" onClick=${() => setOpen(!open)}>Menu</button>` : null}
			${session ? html`<nav id="nav-links" class=${'nav' + (open ? ' open' : '')} aria-label="Main">
				<ul>
					${base ? item(base, 'Home', true) : null}
					${base ? item(`${base}/groups`, 'Groups') : null}
					${base ? item(`${base}/reports`, 'Reports') : null}
					${base ? item(`${base}/releases`, 'Releases') : null}
					${base ? item(`${base}/health`, 'Health') : null}
					${base ? item(`${base}/suggestions`, 'Suggestions') : null}
					${base ? item(`${base}/board`, 'Board') : null}
					${hasRole(session, 'admin') ? item('/admin/projects', 'Admin') : null}
				</ul>
				<a class="nav-account" ...${link('/account')} aria-current=${here === '/account' ? 'page' : undefined}>
					<span class="sr-only">Account: </span>${session.name}</a>
			</nav>` : html`<a class="nav-account" ...${link('/signin')}>Sign in</a>`}
		</div>
	</header>`;
}

// The top bar of those who are not the team: a visitor on a project's public pages (board,
// shipped, hall of fame, and a sign-in link for the team) or a tester signed in through a board
// link (their project's board, their own reports and suggestions, sign out).
function CommunityNav({ session, route, open, setOpen, item }) {
	const tester = isTester(session);
	const p = (route.route && route.route.community && route.params.p) || (tester ? session.project : null);
	const base = p ? `/p/${encodeURIComponent(p)}` : null;
	const here = route.path + (typeof location !== 'undefined' ? location.search : '');
	const out = async () => {
		try {
			await signOut();
		} finally {
			navigate(base ? `${base}/board` : '/signin');
		}
	};
	const links = base ? html`<ul>
		${item(`${base}/board`, 'Board')}
		${item(`${base}/shipped`, 'Shipped')}
		${item(`${base}/fame`, 'Hall of fame')}
		${tester ? item(`${base}/mine`, 'Mine') : null}
	</ul>` : null;
	const end = tester
		? html`<span class="nav-tester"><span class="sr-only">Signed in as </span>${session.name || 'tester'}</span>
			<button type="button" class="btn btn-quiet nav-signout" onClick=${out}>Sign out</button>`
		: html`<a class="nav-account" ...${link('/signin' + (base ? '?next=' + encodeURIComponent(here) : ''))}>${base ? 'Team sign in' : 'Sign in'}</a>`;
	return html`<header class="topbar">
		<div class="topbar-inner">
			<a class="brand" ...${link(base ? `${base}/board` : '/')}><span class="brand-mark" aria-hidden="true"></span>prosum</a>
			${p ? html`<span class="nav-project">${p}</span>` : null}
			${links ? html`<button type="button" class="nav-toggle" aria-expanded=${open ? 'true' : 'false'}
				aria-controls="nav-links" onClick=${() => setOpen(!open)}>Menu</button>
			<nav id="nav-links" class=${'nav' + (open ? ' open' : '')} aria-label="Main">
				${links}
				${end}
			</nav>` : end}
		</div>
	</header>`;
}

// columns: [{key, label, render?(row), align?: 'right', className?}]; rows: objects (row.id keys them).
export function Table({ columns, rows, empty, caption }) {
	if (!rows || rows.length === 0)
		return html`<p class="empty">${empty || 'Nothing here.'}</p>`;
	return html`<div class="table-wrap"><table>
		${caption ? html`<caption>${caption}</caption>` : null}
		<thead><tr>${columns.map((c) => html`<th scope="col" class=${cls(c)}>${c.label}</th>`)}</tr></thead>
		<tbody>${rows.map((r, i) => html`<tr key=${r.id ?? i}>
			${columns.map((c) => html`<td class=${cls(c)} data-label=${c.label}>${c.render ? c.render(r) : fmt(r[c.key])}</td>`)}
		</tr>`)}</tbody>
	</table></div>`;
}

function cls(c) {
	return [c.align === 'right' ? 'num' : '', c.className || ''].join(' ').trim() || undefined;
}

function fmt(v) {
	if (v === null || v === undefined || v === '')
		return '—';
	return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

// Cursor paging: "Next page" when the answer had a next cursor, "First page" when on a later one.
export function Pager({ next }) {
	const { query } = useRoute();
	if (!next && !query.cursor)
		return null;
	return html`<nav class="pager" aria-label="Pages">
		${query.cursor ? html`<a ...${link(withQuery({ cursor: null }))}>First page</a>` : null}
		${next ? html`<a ...${link(withQuery({ cursor: next }))} rel="next">Next page</a>` : null}
	</nav>`;
}

// Filters bound to the query string. fields: [{name, label, type: 'select'|'text'|'search'|'date',
// options?: ['a', {value, label}]}]. A select applies at once; text applies on Enter or "Apply".
// Changing a filter starts again from the first page.
export function Filters({ fields }) {
	const { query } = useRoute();
	const [draft, setDraft] = useState({});
	useFollow(() => setDraft({}), [JSON.stringify(query)]);
	const val = (f) => (f.name in draft ? draft[f.name] : query[f.name] ?? '');
	const apply = (e) => {
		e.preventDefault();
		setQuery({ ...draft, cursor: null });
	};
	const hasText = fields.some((f) => f.type !== 'select');
	const active = fields.some((f) => query[f.name]);
	return html`<form class="filters" role="search" onSubmit=${apply}>
		${fields.map((f) => {
			const id = `filter-${f.name}`;
			if (f.type === 'select') {
				return html`<div class="filter"><label for=${id}>${f.label}</label>
					<select id=${id} value=${val(f)} onChange=${(e) => setQuery({ [f.name]: e.target.value, cursor: null })}>
						<option value="">Any</option>
						${(f.options || []).map((o) => {
							const v = typeof o === 'object' ? o.value : o;
							return html`<option value=${v}>${typeof o === 'object' ? o.label : o}</option>`;
						})}
					</select></div>`;
			}
			return html`<div class="filter"><label for=${id}>${f.label}</label>
				<input id=${id} type=${f.type || 'text'} value=${val(f)} placeholder=${f.placeholder}
					onInput=${(e) => setDraft({ ...draft, [f.name]: e.target.value })} /></div>`;
		})}
		${hasText ? html`<button type="submit" class="btn">Apply</button>` : null}
		${active ? html`<a class="btn btn-quiet" ...${link(withQuery(Object.fromEntries(fields.map((f) => [f.name, null]).concat([['cursor', null]]))))}>Clear</a>` : null}
	</form>`;
}

// A status as a badge ("open", "fixed", "regressed", ...).
export function Status({ value }) {
	if (!value)
		return null;
	return html`<span class=${'status status-' + String(value).replace(/[^a-z0-9_-]/gi, '')}>${String(value).replace(/_/g, ' ')}</span>`;
}

const rtf = typeof Intl !== 'undefined' && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }) : null;

// "3 hours ago", with the exact time as its tooltip and datetime.
export function Time({ iso }) {
	if (!iso)
		return html`<span class="muted">—</span>`;
	const d = new Date(iso);
	if (isNaN(d))
		return html`<span>${iso}</span>`;
	return html`<time datetime=${d.toISOString()} title=${d.toLocaleString()}>${relative(d)}</time>`;
}

export function relative(d) {
	const s = (d.getTime() - Date.now()) / 1000;
	const abs = Math.abs(s);
	if (!rtf || abs > 60 * 86400 * 12)
		return d.toLocaleDateString();
	const units = [[60, 'second', 1], [3600, 'minute', 60], [86400, 'hour', 3600],
		[86400 * 30, 'day', 86400], [86400 * 365, 'month', 86400 * 30], [Infinity, 'year', 86400 * 365]];
	for (const [lim, unit, div] of units) {
		if (abs < lim)
			return rtf.format(Math.round(s / div), unit);
	}
	return d.toLocaleDateString();
}

// A link to a report (R-n), group (G-n) or suggestion (S-n) of a project.
export function Id({ project, id }) {
	if (!id)
		return null;
	const p = `/p/${encodeURIComponent(project)}`;
	const s = String(id);
	const url = s.startsWith('R-') ? `${p}/reports/${s}` : s.startsWith('G-') ? `${p}/groups/${s}`
		: s.startsWith('S-') ? `${p}/suggestions?q=${encodeURIComponent(s)}` : null;
	return url ? html`<a class="id" ...${link(url)}>${s}</a>` : html`<span class="id">${s}</span>`;
}

// A sparkline of counts (oldest first), described for screen readers.
export function Spark({ values, label, width = 96, height = 24 }) {
	const v = (values || []).map((x) => Number(x) || 0);
	const max = Math.max(1, ...v);
	const total = v.reduce((a, b) => a + b, 0);
	const desc = label || `${v.length} values, total ${total}, highest ${Math.max(0, ...v)}, last ${v.length ? v[v.length - 1] : 0}`;
	if (v.length < 2)
		return html`<span class="muted" role="img" aria-label=${desc}>—</span>`;
	const step = width / (v.length - 1);
	const pts = v.map((x, i) => `${(i * step).toFixed(1)},${(height - 2 - (x / max) * (height - 4)).toFixed(1)}`);
	return html`<svg class="spark" viewBox=${`0 0 ${width} ${height}`} width=${width} height=${height}
		role="img" aria-label=${desc} focusable="false">
		<polygon class="spark-area" points=${`0,${height} ${pts.join(' ')} ${width},${height}`} />
		<polyline class="spark-line" points=${pts.join(' ')} />
	</svg>`;
}

// Horizontal bars. items: [{label, value}], or the stats endpoints' [{value, count}] (then the
// value is the label). A list, so it reads as text; the bars themselves are decoration.
export function Bars({ items, label }) {
	const list = (items || []).map((it) => ('count' in it
		? { label: String(it.value ?? ''), n: Number(it.count) || 0 }
		: { label: String(it.label ?? ''), n: Number(it.value) || 0 }));
	if (!list.length)
		return html`<p class="empty">No data.</p>`;
	const max = Math.max(1, ...list.map((i) => i.n));
	return html`<ul class="bars" aria-label=${label}>
		${list.map((it) => html`<li>
			<span class="bar-label">${it.label || '(none)'}</span>
			<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false">
				<rect class="bar-track" x="0" y="0" width="100" height="8" rx="2" />
				<rect class="bar-fill" x="0" y="0" width=${Math.max(1, (it.n / max) * 100).toFixed(2)} height="8" rx="2" />
			</svg>
			<span class="bar-value">${it.n}</span>
		</li>`)}
	</ul>`;
}

// Markdown (the subset release notes use) as elements; never parsed as HTML.
export function Markdown({ text }) {
	return html`<div class="markdown">${blocks(text)}</div>`;
}

// Source lines with their numbers; `highlight` is the line number to mark.
export function Code({ lines, start = 1, highlight }) {
	if (!lines || !lines.length)
		return html`<p class="empty">No source lines.</p>`;
	return html`<pre class="code"><code>${lines.map((l, i) => {
		const n = start + i;
		const hi = n === highlight;
		return html`<span class=${'line' + (hi ? ' hl' : '')} aria-current=${hi ? 'true' : undefined}><span class="ln" aria-hidden="true">${n}</span>${l}\n</span>`;
	})}</code></pre>`;
}

// A message box: kind 'info' | 'ok' | 'warn' | 'error' (errors are announced at once).
export function Notice({ kind = 'info', children }) {
	return html`<div class=${'notice notice-' + kind} role=${kind === 'error' ? 'alert' : 'status'}>${children}</div>`;
}

// What went wrong with an API call, in words.
export function ErrorBox({ error }) {
	if (!error)
		return null;
	let msg = error.message || String(error);
	if (error.status === 403)
		msg = msg || 'You may not do this.';
	if (error.status === 429 && error.retryAfter)
		msg += ` (try again in ${error.retryAfter} s)`;
	return html`<${Notice} kind="error">
		${msg}${error.field ? html` <span class="muted">(${error.field})</span>` : null}
	</${Notice}>`;
}

// A button; while `busy`, or while the promise its onClick returned is pending, it is disabled.
export function Button({ onClick, busy, kind, type = 'button', children, ...rest }) {
	const [own, setOwn] = useState(false);
	const mounted = useRef(true);
	useEffect(() => () => { mounted.current = false; }, []);
	const click = useCallback((e) => {
		const r = onClick && onClick(e);
		if (r && typeof r.then === 'function') {
			setOwn(true);
			r.finally(() => mounted.current && setOwn(false));
		}
	}, [onClick]);
	const b = busy || own;
	return html`<button type=${type} class=${'btn' + (kind ? ' btn-' + kind : '')} onClick=${click}
		disabled=${b || rest.disabled} aria-busy=${b ? 'true' : undefined} ...${rest}>${children}</button>`;
}

// A labelled input. Props: label, hint, error, type ('text', 'password', 'select', 'textarea', ...),
// options (select), and the input's own (name, value, onInput, required, autocomplete, ...).
export function Field({ label, hint, error, type = 'text', options, id, ...rest }) {
	const own = useId('field');
	const fid = id || own;
	const hintId = hint ? fid + '-hint' : undefined;
	const errId = error ? fid + '-error' : undefined;
	const described = [hintId, errId].filter(Boolean).join(' ') || undefined;
	let input;
	if (type === 'select') {
		input = html`<select id=${fid} aria-describedby=${described} aria-invalid=${error ? 'true' : undefined} ...${rest}>
			${(options || []).map((o) => typeof o === 'object'
				? html`<option value=${o.value}>${o.label}</option>` : html`<option value=${o}>${o}</option>`)}
		</select>`;
	} else if (type === 'textarea') {
		input = html`<textarea id=${fid} aria-describedby=${described} aria-invalid=${error ? 'true' : undefined} ...${rest}></textarea>`;
	} else if (type === 'checkbox') {
		return html`<div class="field field-check">
			<input id=${fid} type="checkbox" aria-describedby=${described} ...${rest} />
			<label for=${fid}>${label}</label>
			${hint ? html`<p class="hint" id=${hintId}>${hint}</p>` : null}
			${error ? html`<p class="field-error" id=${errId}>${error}</p>` : null}
		</div>`;
	} else {
		input = html`<input id=${fid} type=${type} aria-describedby=${described} aria-invalid=${error ? 'true' : undefined} ...${rest} />`;
	}
	return html`<div class="field">
		<label for=${fid}>${label}</label>
		${input}
		${hint ? html`<p class="hint" id=${hintId}>${hint}</p>` : null}
		${error ? html`<p class="field-error" id=${errId}>${error}</p>` : null}
	</div>`;
}

// A button that copies `text` to the clipboard and says so.
export function Copy({ text, label = 'Copy' }) {
	const [done, setDone] = useState('');
	const copy = async () => {
		try {
			await navigator.clipboard.writeText(text);
			setDone('Copied');
		} catch {
			setDone('Select the text and copy it');
		}
		setTimeout(() => setDone(''), 2500);
	};
	return html`<span class="copy">
		<button type="button" class="btn btn-quiet" onClick=${copy}>${label}</button>
		<span class="copy-done" role="status">${done}</span>
	</span>`;
}

export function Loading({ label = 'Loading…' }) {
	return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${label}</p>`;
}

// Load data for a component: fn() returns a promise; runs again when deps change or on reload().
// A late answer to an old request is dropped.
export function useLoad(fn, deps) {
	const [state, setState] = useState({ data: null, error: null, loading: true });
	const [tick, setTick] = useState(0);
	const seq = useRef(0);
	useEffect(() => {
		const mine = ++seq.current;
		setState((s) => ({ data: s.data, error: null, loading: true }));
		Promise.resolve().then(fn).then(
			(data) => mine === seq.current && setState({ data, error: null, loading: false }),
			(error) => mine === seq.current && setState({ data: null, error, loading: false }));
		return () => { seq.current++; };
	}, [...(deps || []), tick]);
	const reload = useCallback(() => setTick((t) => t + 1), []);
	return { ...state, reload };
}
