// suggestions.js - a project's suggestions with status/sort/search filters in the URL; the team moves them (the moves the API allows) and merges duplicates, release managers also say where one shipped.
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute, setQuery } from '../lib/router.js';
import { hasRole, useSession } from '../lib/session.js';
import { Page, Time, Loading, Status, Id, Field, Notice, Table, useLoad } from '../lib/ui.js';
import { PageError, RowSelect, canRelease, projectApi, value } from './relui_parts.js';

const STATUSES = ['new', 'under_review', 'planned', 'in_progress', 'shipped', 'declined', 'duplicate'];
const LABEL = {
	new: 'new', under_review: 'under review', planned: 'planned', in_progress: 'in progress',
	shipped: 'shipped', declined: 'declined', duplicate: 'duplicate',
};
/* The moves the API allows (docs/http-api.md, PATCH suggestions); staying is always allowed. */
const MOVES = {
	new: ['under_review', 'planned', 'in_progress', 'shipped', 'declined', 'duplicate'],
	under_review: ['new', 'planned', 'in_progress', 'shipped', 'declined', 'duplicate'],
	planned: ['under_review', 'in_progress', 'shipped', 'declined', 'duplicate'],
	in_progress: ['planned', 'shipped', 'declined', 'duplicate'],
	shipped: ['in_progress'],
	declined: ['new', 'under_review'],
	duplicate: ['new', 'under_review'],
};

function Filters({ query }) {
	const [q, setQ] = useState(query.q || '');
	useFollow(() => setQ(query.q || ''), [query.q]);
	const submit = (e) => {
		e.preventDefault();
		setQuery({ q: q.trim() || null });
	};
	return html`<form class="filters" role="search" aria-label="Filter suggestions" onSubmit=${submit}>
		<${Field} type="select" label="Status" value=${query.status || ''}
			onChange=${(e) => setQuery({ status: e.currentTarget.value || null })}
			options=${[{ value: '', label: 'any but duplicates' }, ...STATUSES.map((s) => ({ value: s, label: LABEL[s] }))]} />
		<${Field} type="select" label="Sort" value=${query.sort || 'votes'}
			onChange=${(e) => setQuery({ sort: e.currentTarget.value === 'votes' ? null : e.currentTarget.value })}
			options=${[{ value: 'votes', label: 'most votes' }, { value: 'newest', label: 'newest' }]} />
		<${Field} type="search" label="Search" value=${q} onInput=${value(setQ)} placeholder="words, or an ID: S-4" />
		<button type="submit" class="btn">Search</button>
	</form>`;
}

/* The status control of one row: pick a move, give a release (shipped) or a target (duplicate), apply.
 * Developers move and merge too; saying where one shipped is a release manager's (`release`). */
function StatusEditor({ project, item, releases, release: canShip, onChanged }) {
	const [to, setTo] = useState('');
	const [release, setRelease] = useState('');
	const [target, setTarget] = useState('');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const moves = (MOVES[item.status] || []).filter((s) => canShip || s !== 'shipped');
	const apply = async (e) => {
		e.preventDefault();
		if (!to) return;
		const body = to === 'duplicate' ? { duplicate_of: target.trim() } : { status: to };
		if (to === 'shipped' && release) body.shipped_in = release;
		setBusy(true);
		setError(null);
		try {
			const s = await api.patch(projectApi(project, `/suggestions/${item.id}`), body);
			setTo('');
			onChanged(s);
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	return html`<form class="status-editor" onSubmit=${apply} aria-label=${`Change the status of ${item.id}`}>
		<span><${RowSelect} label=${`New status for ${item.id}`} value=${to} onChange=${setTo}
			options=${[{ value: '', label: 'move to…' }, ...moves.map((s) => ({ value: s, label: LABEL[s] }))]} /></span>
		${to === 'shipped' && html`<${Field} type="select" label=${`Release that shipped ${item.id}`} value=${release}
			onChange=${value(setRelease)}
			options=${[{ value: '', label: 'as git says' }, ...releases.map((r) => ({ value: r.name, label: r.name }))]} />`}
		${to === 'duplicate' && html`<${Field} label=${`${item.id} duplicates`} value=${target} onInput=${value(setTarget)}
			placeholder="S-1" required autocomplete="off" />`}
		<button type="submit" class="btn" disabled=${busy || !to}>${busy ? 'Saving…' : html`Apply<span class="sr-only"> to ${item.id}</span>`}</button>
		${error && html`<p class="field-error" role="alert">${error.message}</p>`}
	</form>`;
}

/* The list for these filters; a search that is one ID (what Id links to) shows that suggestion. */
async function listOrOne(project, filter) {
	const q = (filter.q || '').trim();
	if (!/^s-[1-9][0-9]*$/i.test(q))
		return api.get(projectApi(project, '/suggestions'), filter);
	try {
		return { items: [await api.get(projectApi(project, `/suggestions/${q.toUpperCase()}`))], next: null };
	} catch (e) {
		if (e.status === 404)
			return { items: [], next: null };
		throw e;
	}
}

export function SuggestionsPage() {
	const { params, query } = useRoute();
	const project = params.p;
	const session = useSession();
	const manage = hasRole(session, 'developer');
	const release = canRelease(session);
	const filter = { status: query.status || undefined, sort: query.sort || undefined, q: query.q || undefined };
	const key = JSON.stringify(filter);
	const [extra, setExtra] = useState({ key, items: [], next: null });
	const [more, setMore] = useState(false);
	const [changed, setChanged] = useState(null);
	const { data, error, loading, reload } = useLoad(() => listOrOne(project, filter), [project, key]);
	const rel = useLoad(() => (release ? api.get(projectApi(project, '/releases')) : Promise.resolve({ items: [] })), [project, release]);
	const releases = (rel.data && rel.data.items) || [];
	const pageExtra = extra.key === key ? extra : { key, items: [], next: null };
	const next = pageExtra.items.length ? pageExtra.next : data && data.next;
	const loadMore = async () => {
		setMore(true);
		try {
			const page = await api.get(projectApi(project, '/suggestions'), { ...filter, cursor: next });
			setExtra({ key, items: [...pageExtra.items, ...page.items], next: page.next });
		} finally {
			setMore(false);
		}
	};
	const onChanged = (s) => {
		setChanged(s);
		setExtra({ key: '', items: [], next: null });
		reload();
	};
	let body;
	if (error) body = html`<${PageError} error=${error} what="this project's suggestions" />`;
	else if (loading && !data) body = html`<${Loading} />`;
	else {
		const items = [...data.items, ...pageExtra.items];
		const columns = [
			{ key: 'id', label: 'ID', render: (s) => html`<${Id} project=${project} id=${s.id} />` },
			{ key: 'title', label: 'Title', render: (s) => html`${s.title}${s.duplicate_of ? html` <span class="muted">(duplicate of ${s.duplicate_of})</span>` : null}
				${s.body ? html`<details class="suggestion-body"><summary>Text<span class="sr-only"> of ${s.id}</span></summary><p>${s.body}</p></details>` : null}` },
			{ key: 'votes', label: 'Votes', align: 'right' },
			{ key: 'status', label: 'Status', render: (s) => html`<${Status} value=${s.status} />` },
			{ key: 'shipped_in', label: 'Shipped in' },
			{ key: 'updated_at', label: 'Updated', render: (s) => html`<${Time} iso=${s.updated_at} />` },
		];
		if (manage)
			columns.push({ key: 'change', label: 'Change', render: (s) => html`<${StatusEditor} project=${project} item=${s} releases=${releases} release=${release} onChanged=${onChanged} />` });
		body = html`<${Table} caption="Suggestions" rows=${items} columns=${columns} empty="No suggestions match." />
		${next && html`<p><button type="button" class="btn" onClick=${loadMore} disabled=${more}>${more ? 'Loading…' : 'More suggestions'}</button></p>`}`;
	}
	return html`<${Page} title=${`Suggestions · ${project}`}>
		<div class="relui-stack">
		<${Filters} query=${query} />
		${changed && html`<${Notice} kind="ok">${changed.id} is now ${LABEL[changed.status] || changed.status}${changed.duplicate_of ? ` (duplicate of ${changed.duplicate_of})` : ''}.<//>`}
		${body}
		</div>
	<//>`;
}
