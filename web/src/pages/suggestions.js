// suggestions.js - a project's suggestions with status/sort/search filters in the URL; release managers move them (the moves the API allows) and merge duplicates.
import { html, useState, useEffect } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute, setQuery } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Page, Time, Loading, Status, Id, useLoad } from '../lib/ui.js';
import { Input, Select, PageError, canRelease, projectApi } from './relui_parts.js';

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
	useEffect(() => setQ(query.q || ''), [query.q]);
	const submit = (e) => {
		e.preventDefault();
		setQuery({ q: q || undefined });
	};
	return html`<form class="filters" role="search" aria-label="Filter suggestions" onSubmit=${submit}>
		<${Select} label="Status" value=${query.status || ''}
			onChange=${(v) => setQuery({ status: v || undefined })}
			options=${[{ value: '', label: 'any but duplicates' }, ...STATUSES.map((s) => ({ value: s, label: LABEL[s] }))]} />
		<${Select} label="Sort" value=${query.sort || 'votes'}
			onChange=${(v) => setQuery({ sort: v === 'votes' ? undefined : v })}
			options=${[{ value: 'votes', label: 'most votes' }, { value: 'newest', label: 'newest' }]} />
		<${Input} label="Search" type="search" value=${q} onInput=${setQ} />
		<div class="actions"><button type="submit">Search</button></div>
	</form>`;
}

/* The status control of one row: pick a move, give a release (shipped) or a target (duplicate), apply. */
function StatusEditor({ project, item, releases, onChanged }) {
	const [to, setTo] = useState('');
	const [release, setRelease] = useState('');
	const [target, setTarget] = useState('');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const moves = MOVES[item.status] || [];
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
		<${Select} label=${`New status for ${item.id}`} value=${to} onChange=${setTo}
			options=${[{ value: '', label: 'choose…' }, ...moves.map((s) => ({ value: s, label: LABEL[s] }))]} />
		${to === 'shipped' && html`<${Select} label="Shipped in" value=${release} onChange=${setRelease}
			options=${[{ value: '', label: 'from git' }, ...releases.map((r) => ({ value: r.name, label: r.name }))]} />`}
		${to === 'duplicate' && html`<${Input} label="Duplicate of" value=${target} onInput=${setTarget}
			placeholder="S-1" required />`}
		<button type="submit" disabled=${busy || !to}>${busy ? 'Saving…' : 'Apply'}</button>
		${error && html`<p class="field-error" role="alert">${error.message}</p>`}
	</form>`;
}

export default function Suggestions() {
	const { params, query } = useRoute();
	const project = params.p;
	const session = useSession();
	const manage = canRelease(session);
	const filter = { status: query.status || undefined, sort: query.sort || undefined, q: query.q || undefined };
	const key = JSON.stringify(filter);
	const [extra, setExtra] = useState({ key, items: [], next: null });
	const [more, setMore] = useState(false);
	const [changed, setChanged] = useState(null);
	const { data, error, loading, reload } = useLoad(() => api.get(projectApi(project, '/suggestions'), filter), [project, key]);
	const rel = useLoad(() => (manage ? api.get(projectApi(project, '/releases')) : Promise.resolve({ items: [] })), [project, manage]);
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
		body = items.length === 0 ? html`<p>No suggestions match.</p>` : html`
		<div class="table-wrap"><table class="suggestions">
			<caption class="visually-hidden">Suggestions</caption>
			<thead><tr><th scope="col">ID</th><th scope="col">Title</th><th scope="col" class="num">Votes</th>
				<th scope="col">Status</th><th scope="col">Shipped in</th><th scope="col">Updated</th>
				${manage && html`<th scope="col">Change</th>`}</tr></thead>
			<tbody>${items.map((s) => html`<tr key=${s.id}>
				<td><${Id} project=${project} id=${s.id} /></td>
				<td>${s.title}${s.duplicate_of ? html` <small>(duplicate of ${s.duplicate_of})</small>` : ''}</td>
				<td class="num">${s.votes}</td><td><${Status} value=${s.status} /></td>
				<td>${s.shipped_in || '—'}</td><td><${Time} iso=${s.updated_at} /></td>
				${manage && html`<td><${StatusEditor} project=${project} item=${s} releases=${releases} onChanged=${onChanged} /></td>`}
			</tr>`)}</tbody>
		</table></div>
		${next && html`<p><button type="button" onClick=${loadMore} disabled=${more}>${more ? 'Loading…' : 'More suggestions'}</button></p>`}`;
	}
	return html`<${Page} title=${`Suggestions · ${project}`}>
		<${Filters} query=${query} />
		<div aria-live="polite">${changed && html`<p role="status" class="notice-ok">${changed.id} is now ${LABEL[changed.status] || changed.status}${changed.duplicate_of ? ` (duplicate of ${changed.duplicate_of})` : ''}.</p>`}</div>
		${body}
	<//>`;
}
