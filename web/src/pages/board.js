// board.js - the idea board: suggestions by votes, trending or newest, by status, searched; testers vote.
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, setQuery, useRoute, withQuery } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { ErrorBox, Loading, Page, Pager, Time, useLoad } from '../lib/ui.js';
import { apiBase, base, Failed, STATUSES, SuggestionStatus, viewer, Votes } from './board_common.js';
import { RateBuild } from './board_rating.js';

const SORTS = [
	{ value: 'votes', label: 'Top' },
	{ value: 'trending', label: 'Trending' },
	{ value: 'newest', label: 'Newest' },
];

function SortTabs({ sort }) {
	return html`<nav class="tabs" aria-label="Sort">
		${SORTS.map((s) => html`<a ...${link(withQuery({ sort: s.value === 'votes' ? null : s.value, cursor: null }))}
			class="tab" aria-current=${sort === s.value ? 'page' : undefined}>${s.label}</a>`)}
	</nav>`;
}

function BoardFilters({ query }) {
	const [q, setQ] = useState(query.q || '');
	useFollow(() => setQ(query.q || ''), [query.q]);
	return html`<form class="filters board-filters" role="search" onSubmit=${(e) => { e.preventDefault(); setQuery({ q: q.trim(), cursor: null }); }}>
		<div class="filter filter-grow"><label for="board-q">Search</label>
			<input id="board-q" type="search" value=${q} onInput=${(e) => setQ(e.target.value)} placeholder="Search suggestions" /></div>
		<div class="filter"><label for="board-status">Status</label>
			<select id="board-status" value=${query.status || ''} onChange=${(e) => setQuery({ status: e.target.value, cursor: null })}>
				<option value="">Any</option>
				${STATUSES.map((s) => html`<option value=${s.value}>${s.label}</option>`)}
				<option value="duplicate">Merged duplicates</option>
			</select></div>
		<button type="submit" class="btn">Search</button>
		${query.q || query.status ? html`<a class="btn btn-quiet" ...${link(withQuery({ q: null, status: null, cursor: null }))}>Clear</a>` : null}
	</form>`;
}

// One suggestion of the list: votes, title, status, shipped in, comments.
function Item({ p, s, who, voted, onVote }) {
	const url = `${base(p)}/board/${s.id}`;
	return html`<li class=${'sugg' + (s.pinned ? ' pinned' : '') + (s.hidden ? ' is-hidden' : '')}>
		<${Votes} p=${p} s=${s} voted=${voted} canVote=${who === 'tester'} onChange=${onVote} />
		<div class="sugg-main">
			<a class="sugg-title" ...${link(url)}>${s.title}</a>
			<div class="sugg-meta">
				<span class="id">${s.id}</span>
				${s.pinned ? html`<span class="badge badge-pin">Pinned</span>` : null}
				${s.hidden ? html`<span class="badge badge-hidden">Hidden</span>` : null}
				<${SuggestionStatus} s=${s} />
				${s.duplicate_of ? html`<span>merged into <a ...${link(`${base(p)}/board/${s.duplicate_of}`)}>${s.duplicate_of}</a></span>` : null}
				<span>${s.comments || 0} ${s.comments === 1 ? 'comment' : 'comments'}</span>
				${s.votes_7d ? html`<span>${s.votes_7d} this week</span>` : null}
				<span><${Time} iso=${s.created_at} /></span>
			</div>
		</div>
	</li>`;
}

export function BoardPage() {
	const { params, query } = useRoute();
	const p = params.p;
	const session = useSession();
	const who = viewer(session, p);
	const sort = query.sort || 'votes';
	const { data, error, loading } = useLoad(
		() => api.get(`${apiBase(p)}/board`, { sort, status: query.status, q: query.q, cursor: query.cursor }, { noRedirect: true }),
		[p, sort, query.status, query.q, query.cursor]);
	// What this tester voted for (their own view), to show the vote buttons pressed.
	const mine = useLoad(() => (who === 'tester' ? api.get(`${apiBase(p)}/mine`, null, { noRedirect: true }) : null), [p, who]);
	const [changed, setChanged] = useState({});
	useFollow(() => setChanged({}), [data]);
	if (error)
		return html`<${Failed} error=${error} title="Board" />`;
	const votedSet = new Set(((mine.data && mine.data.suggestions) || []).filter((s) => s.voted).map((s) => s.id));
	const items = ((data && data.items) || []).map((s) => (changed[s.id] ? { ...s, votes: changed[s.id].votes } : s));
	const isVoted = (s) => (changed[s.id] ? changed[s.id].voted : votedSet.has(s.id));
	const actions = who === 'tester'
		? html`<a class="btn btn-primary" ...${link(`${base(p)}/board/new`)}>Suggest an idea</a>`
		: who === 'visitor' ? html`<a class="btn btn-quiet" ...${link(`${base(p)}/shipped`)}>What shipped</a>` : null;
	return html`<${Page} title=${`Ideas for ${p}`} actions=${actions}>
		<p class="lede">What the community of ${p} asks for${who === 'tester' ? ': vote for what you want most, once per install' : ''}.
			${who === 'team' ? ' You see hidden suggestions, marked; open one to moderate it.' : ''}</p>
		${who === 'tester' ? html`<${RateBuild} p=${p} />` : null}
		<${SortTabs} sort=${sort} />
		<${BoardFilters} query=${query} />
		${loading && !data ? html`<${Loading} />` : null}
		${mine.error && who === 'tester' ? html`<${ErrorBox} error=${mine.error} />` : null}
		${data ? (items.length
			? html`<ol class="board-list" aria-label="Suggestions">${items.map((s) => html`<${Item} key=${s.id} p=${p} s=${s} who=${who}
				voted=${isVoted(s)} onVote=${(votes, voted) => setChanged({ ...changed, [s.id]: { votes, voted } })} />`)}</ol>`
			: html`<p class="empty">${query.q || query.status ? 'No suggestion matches.' : 'No suggestions yet.'}</p>`) : null}
		<${Pager} next=${data && data.next} />
	</${Page}>`;
}
