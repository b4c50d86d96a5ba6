// groups.js - a project's groups of duplicate reports: every filter the API has, sort, cursor paging;
// the filters live in the query string so a view can be shared and back/forward work.
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute } from '../lib/router.js';
import { ErrorBox, Id, Loading, Page, Pager, Status, Table, Time, useLoad } from '../lib/ui.js';
import { KINDS, ListFilters, REPORT_STATUSES, label, projectPath, timeParam } from './triage_parts.js';
import './triage.css';

export const GROUP_FILTERS = [
	{ name: 'status', label: 'Status', type: 'select', options: REPORT_STATUSES.map((s) => ({ value: s, label: label(s) })) },
	{ name: 'kind', label: 'Kind', type: 'select', options: KINDS },
	{ name: 'sort', label: 'Sort', type: 'select', options: [
		{ value: 'newest', label: 'Last seen' }, { value: 'oldest', label: 'First seen' },
		{ value: 'count', label: 'Most reports' }, { value: 'testers', label: 'Most testers' }] },
	{ name: 'version', label: 'Version', type: 'text', placeholder: '1.4.0-beta.2' },
	{ name: 'platform', label: 'Platform', type: 'text', placeholder: 'Linux' },
	{ name: 'since', label: 'Seen since', type: 'date' },
	{ name: 'until', label: 'First seen until', type: 'date' },
];

function apiQuery(q) {
	return {
		status: q.status, kind: q.kind, sort: q.sort, version: q.version, platform: q.platform,
		since: timeParam(q.since), until: timeParam(q.until, true), cursor: q.cursor, limit: q.limit,
	};
}

export function groupColumns(p) {
	return [
		{ key: 'id', label: 'Group', render: (g) => html`<${Id} project=${p} id=${g.id} />` },
		{ key: 'status', label: 'Status', render: (g) => html`<${Status} value=${g.status} />` },
		{ key: 'kind', label: 'Kind' },
		{ key: 'title', label: 'Title', className: 'tri-title' },
		{ key: 'count', label: 'Reports', align: 'right' },
		{ key: 'testers', label: 'Testers', align: 'right' },
		{ key: 'last_seen', label: 'Last seen', render: (g) => html`<${Time} iso=${g.last_seen} />` },
		{ key: 'fixed_in', label: 'Fixed in' },
		{ key: 'assignee', label: 'Assignee' },
	];
}

export function GroupsPage() {
	const { params, query } = useRoute();
	const p = params.p;
	const key = JSON.stringify(apiQuery(query));
	const { data, error, loading } = useLoad(() => api.get(`${projectPath(p)}/groups`, apiQuery(query)), [p, key]);
	const items = (data && data.items) || [];
	return html`<${Page} title="Groups" wide=${true}>
		<${ListFilters} fields=${GROUP_FILTERS} main=${3} query=${query} />
		<${ErrorBox} error=${error} />
		${loading && !data ? html`<${Loading} />` : null}
		${data ? html`<div class="tri-list">
			<p class="list-count" role="status">${items.length} group${items.length === 1 ? '' : 's'} on this page${query.cursor ? ' (a later page)' : ''}.</p>
			<${Table} columns=${groupColumns(p)} rows=${items}
				empty="No group matches these filters." />
			<${Pager} next=${data.next} /></div>` : null}
	</${Page}>`;
}
