// home.js - a project's home: what needs attention (new groups, regressions, groups rising fastest in
// the last 24 hours, each with its reports per hour) and the counts per release.
import { html, useMemo } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, useRoute } from '../lib/router.js';
import { ErrorBox, Id, Loading, Page, Spark, Status, Table, Time, useLoad } from '../lib/ui.js';
import { label, projectPath } from './triage_parts.js';
import './triage.css';

const TOTALS = {
	reports: 'reports', groups: 'groups', open_groups: 'open groups',
	reports_24h: 'reports, last 24 h', groups_24h: 'groups, last 24 h',
};

function hourly(g) {
	const h = Array.isArray(g.hourly) ? g.hourly : [];
	const total = h.reduce((a, b) => a + (Number(b) || 0), 0);
	return html`<${Spark} values=${h}
		label=${`${g.id}: ${total} report${total === 1 ? '' : 's'} in the last 24 hours, hour by hour, the last hour ${h.length ? h[h.length - 1] : 0}`} />`;
}

function meta(g, rising) {
	const parts = [String(g.kind ?? '')];
	if (rising)
		parts.push(`${g.last_24h} in the last 24 h (${g.previous_24h} the day before)`);
	parts.push(`${g.count} report${g.count === 1 ? '' : 's'}, ${g.testers} tester${g.testers === 1 ? '' : 's'}`);
	return parts.join(' · ');
}

function Attention({ p, id, title, items, empty, more, rising }) {
	return html`<section class="card" aria-labelledby=${id}>
		<h2 id=${id}>${title}</h2>
		${!items || !items.length ? html`<p class="empty">${empty}</p>` : html`<ol>
			${items.map((g) => html`<li key=${g.id}>
				<span class="att-title"><${Id} project=${p} id=${g.id} /> ${String(g.title ?? '')}</span>
				${hourly(g)}
				<span class="att-meta"><${Status} value=${g.status} />${' '}${meta(g, rising)}${' · last '}<${Time} iso=${g.last_seen} />${g.assignee ? ` · ${g.assignee}` : ''}</span>
			</li>`)}
		</ol>`}
		${more ? html`<p><a ...${link(more)}>See all</a></p>` : null}
	</section>`;
}

export function HomePage() {
	const { params } = useRoute();
	const p = params.p;
	const base = `/p/${encodeURIComponent(p)}`;
	const { data, error, loading } = useLoad(() => api.get(`${projectPath(p)}/overview`), [p]);
	const totals = data && data.totals && typeof data.totals === 'object' ? Object.entries(data.totals) : [];
	// the release counts are of the last 24 hours: their links list the same reports
	const dayAgo = useMemo(() => new Date(Date.now() - 86400000).toISOString().replace(/\.\d+Z$/, 'Z'), [data]);
	return html`<${Page} title=${`${p}: needs attention`} wide=${true}>
		${loading && !data ? html`<${Loading} />` : null}
		<${ErrorBox} error=${error} />
		${data ? html`
		${totals.length ? html`<ul class="totals" aria-label="Totals">
			${totals.map(([k, v]) => html`<li><span class="total-n">${typeof v === 'object' ? JSON.stringify(v) : String(v)}</span><span class="total-k">${TOTALS[k] || label(k)}</span></li>`)}
		</ul>` : null}
		<div class="attention">
			<${Attention} p=${p} id="regressed" title="Regressions" items=${data.regressed}
				empty="No group has regressed." more=${`${base}/groups?status=regressed`} />
			<${Attention} p=${p} id="new" title="New groups" items=${data.new}
				empty="No new group." more=${`${base}/groups?status=new`} />
			<${Attention} p=${p} id="rising" title="Rising fastest in the last 24 hours" items=${data.rising}
				empty="Nothing is rising." rising=${true} more=${`${base}/groups?sort=count`} />
		</div>
		<section class="tri-section" aria-labelledby="per-release">
			<h2 id="per-release">Per release, last 24 hours</h2>
			<${Table} caption="Reports received in the last 24 hours whose build is in each release" empty="No release registered yet."
				rows=${(data.releases || []).map((r) => ({ ...r, id: r.name }))}
				columns=${[
					{ key: 'name', label: 'Release', render: (r) => html`<a ...${link(`${base}/releases/${encodeURIComponent(r.name)}`)}>${r.name}</a>` },
					{ key: 'reports', label: 'Reports', align: 'right', render: (r) => html`<a ...${link(`${base}/reports?release=${encodeURIComponent(r.name)}&since=${encodeURIComponent(dayAgo)}`)}>${String(r.reports ?? 0)}</a>` },
					{ key: 'groups', label: 'Groups', align: 'right' },
				]} />
		</section>` : null}
	</${Page}>`;
}
