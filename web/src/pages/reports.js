// reports.js - a project's reports: every filter and the search of the API, sort, cursor paging;
// the filters live in the query string so a view can be shared and back/forward work. A search
// that is a Sentry event id (32 hex digits, dashes allowed) opens that event's report.
import { html, useEffect } from '../lib/html.js';
import { api, apiUrl } from '../lib/api.js';
import { navigate, useRoute } from '../lib/router.js';
import { ErrorBox, Id, Loading, Notice, Page, Pager, Status, Table, Time, useLoad } from '../lib/ui.js';
import { KINDS, ListFilters, REPORT_STATUSES, label, projectPath, timeParam } from './triage_parts.js';
import './triage.css';

export const REPORT_FILTERS = [
	{ name: 'q', label: 'Search', type: 'search', placeholder: 'words in title, steps, frames… or an event id' },
	{ name: 'status', label: 'Status', type: 'select', options: REPORT_STATUSES.map((s) => ({ value: s, label: label(s) })) },
	{ name: 'kind', label: 'Kind', type: 'select', options: KINDS },
	{ name: 'sort', label: 'Sort', type: 'select', options: [
		{ value: 'newest', label: 'Newest first' }, { value: 'oldest', label: 'Oldest first' }] },
	{ name: 'group', label: 'Group', type: 'text', placeholder: 'G-3' },
	{ name: 'release', label: 'Release', type: 'text', placeholder: '1.4.0' },
	{ name: 'version', label: 'Version', type: 'text', placeholder: '1.4.0-beta.2' },
	{ name: 'revision', label: 'Revision', type: 'text', placeholder: 'abc1234' },
	{ name: 'platform', label: 'Platform', type: 'text', placeholder: 'Linux' },
	{ name: 'tag', label: 'Tag', type: 'text', placeholder: 'gpu:intel' },
	{ name: 'since', label: 'Since', type: 'date' },
	{ name: 'until', label: 'Until', type: 'date' },
];

function apiQuery(q) {
	return {
		q: q.q, status: q.status, kind: q.kind, sort: q.sort, group: q.group, release: q.release,
		version: q.version, revision: q.revision, platform: q.platform, tag: q.tag,
		since: timeParam(q.since), until: timeParam(q.until, true), cursor: q.cursor, limit: q.limit,
	};
}

export function reportColumns(p, { group = true } = {}) {
	return [
		{ key: 'id', label: 'Report', render: (r) => html`<${Id} project=${p} id=${r.id} />` },
		group ? { key: 'group', label: 'Group', render: (r) => html`<${Id} project=${p} id=${r.group} />` } : null,
		{ key: 'status', label: 'Status', render: (r) => html`<${Status} value=${r.status} />` },
		{ key: 'kind', label: 'Kind' },
		{ key: 'title', label: 'Title', className: 'tri-title' },
		{ key: 'version', label: 'Version' },
		{ key: 'platform', label: 'Platform' },
		{ key: 'received_at', label: 'Received', render: (r) => html`<${Time} iso=${r.received_at} />` },
	].filter(Boolean);
}

// A Sentry event id as the search holds it (32 hex digits, dashes allowed, any case), or null.
export function eventId(q) {
	const s = typeof q === 'string' ? q.trim() : '';
	const hex = s.replace(/-/g, '');
	return /^[0-9a-fA-F]{32}$/.test(hex) && /^[0-9a-fA-F-]+$/.test(s) ? hex.toLowerCase() : null;
}

export function ReportsPage() {
	const { params, query } = useRoute();
	const p = params.p;
	const key = JSON.stringify(apiQuery(query));
	const event = eventId(query.q);
	const found = useLoad(() => (event ? api.get(`${projectPath(p)}/reports/by-event/${event}`) : Promise.resolve(null)), [p, event]);
	useEffect(() => {
		if (event && found.data && found.data.id)
			navigate(`/p/${encodeURIComponent(p)}/reports/${encodeURIComponent(found.data.id)}`, { replace: true });
	}, [found.data]);
	const missing = event && found.error && found.error.status === 404;
	const list = useLoad(() => (event && !missing ? Promise.resolve(null)
		: api.get(`${projectPath(p)}/reports`, apiQuery(query))), [p, key, missing]);
	const { data, loading } = list;
	const error = list.error || (event && !missing ? found.error : null);
	const items = (data && data.items) || [];
	// the whole filtered set, as the API streams it (the session's cookie goes with the download)
	const exportUrl = (format) => apiUrl(`${projectPath(p)}/reports`, { ...apiQuery(query), cursor: undefined, limit: undefined, format });
	const actions = html`<a class="btn btn-quiet" href=${exportUrl('csv')} download="reports.csv">Export CSV</a>
		<a class="btn btn-quiet" href=${exportUrl('jsonl')} download="reports.jsonl">Export JSON lines</a>`;
	return html`<${Page} title="Reports" wide=${true} actions=${actions}>
		<${ListFilters} fields=${REPORT_FILTERS} main=${4} query=${query} />
		${missing ? html`<${Notice} kind="info"><p>No report has the event id <code>${event}</code>; the reports matching it as words follow.</p><//>` : null}
		${event && found.loading ? html`<${Loading} label="Looking up the event…" />` : null}
		<${ErrorBox} error=${error} />
		${loading && !data ? html`<${Loading} />` : null}
		${data ? html`<div class="tri-list">
			<p class="list-count" role="status">${items.length} report${items.length === 1 ? '' : 's'} on this page${query.cursor ? ' (a later page)' : ''}.</p>
			<${Table} columns=${reportColumns(p)} rows=${items}
				empty="No report matches these filters." />
			<${Pager} next=${data.next} /></div>` : null}
	</${Page}>`;
}
