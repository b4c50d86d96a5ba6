// group.js - one group: what it is, how often and where it happens, the latest stack trace with its
// source, suspect commits, its reports, comments and history; triage from the page.
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, useRoute } from '../lib/router.js';
import { Bars, ErrorBox, Id, Loading, Notice, Page, Status, Table, Time, useLoad } from '../lib/ui.js';
import { FollowButton } from './follow.js';
import { reportColumns } from './reports.js';
import {
	CommentsSection, Commit, Facts, Frames, History, Section, Suspects, TriageActions, projectPath, useProjectInfo,
} from './triage_parts.js';
import './triage.css';

// {"1.0": 3} (the group's facets) -> [{value, count}], largest first.
function facet(obj) {
	if (Array.isArray(obj))
		return obj;
	return Object.entries(obj || {}).map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
}

// Reports per day as bars, with a table of the same numbers for screen readers.
export function Daily({ daily, title }) {
	const days = daily || [];
	if (!days.length)
		return html`<p class="empty">No reports in this period.</p>`;
	const max = Math.max(1, ...days.map((d) => Number(d.count) || 0));
	const total = days.reduce((a, d) => a + (Number(d.count) || 0), 0);
	const w = 100 / days.length;
	const peak = days.reduce((a, d) => ((Number(d.count) || 0) > (Number(a.count) || 0) ? d : a), days[0]);
	const desc = `${title}: ${total} report${total === 1 ? '' : 's'} over ${days.length} days from ${days[0].day} to ${days[days.length - 1].day}; most on ${peak.day} (${peak.count}).`;
	return html`<figure class="daily-fig">
		<svg class="daily" viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label=${desc} focusable="false">
			${days.map((d, i) => {
				const n = Number(d.count) || 0;
				const hgt = n ? Math.max(1.5, (n / max) * 38) : 0.6;
				return html`<rect class=${n ? '' : 'daily-zero'} x=${(i * w + w * 0.1).toFixed(3)} y=${(40 - hgt).toFixed(3)}
					width=${(w * 0.8).toFixed(3)} height=${hgt.toFixed(3)}><title>${d.day}: ${n}</title></rect>`;
			})}
		</svg>
		<figcaption class="hint">${desc}</figcaption>
	</figure>`;
}

export function GroupPage() {
	const { params } = useRoute();
	const p = params.p;
	const id = String(params.id || '').toUpperCase();
	const path = `${projectPath(p)}/groups/${encodeURIComponent(id)}`;
	const group = useLoad(() => api.get(path), [path]);
	const [item, setItem] = useState(null);
	useFollow(() => setItem(group.data), [group.data]);
	// read again when the count moves (a merge empties the group), as the reports are
	const stats = useLoad(() => api.get(`${path}/stats`, { days: 30 }), [path, item && item.count]);
	const reports = useLoad(() => api.get(`${projectPath(p)}/reports`, { group: id, limit: 20 }), [path, item && `${item.count} ${item.status} ${item.assignee}`]);
	const latestId = reports.data && reports.data.items && reports.data.items[0] ? reports.data.items[0].id : null;
	const latest = useLoad(() => (latestId ? api.get(`${projectPath(p)}/reports/${latestId}`) : Promise.resolve(null)), [latestId]);
	const info = useProjectInfo(p);
	const g = item || group.data;
	const title = g ? `${g.id}: ${g.title}` : id;
	const s = stats.data;
	const jump = html`<a class="btn btn-quiet" href="#triage">Triage</a><a class="btn btn-quiet" href="#comments">Comments</a><${FollowButton} p=${p} group=${id} />`;
	return html`<${Page} title=${title} wide=${true} actions=${g ? jump : null}>
		${group.loading && !g ? html`<${Loading} />` : null}
		<${ErrorBox} error=${group.error} />
		${g ? html`
		<p class="tri-sub"><${Status} value=${g.status} /> <span>${g.kind}</span>
			<span>${g.assignee ? `assigned to ${g.assignee}` : 'unassigned'}</span></p>
		${g.merged_into ? html`<${Notice} kind="warn">This group was merged into <${Id} project=${p} id=${g.merged_into} />: its reports are there now.</${Notice}>` : null}
		<div class="tri-grid">
			<div class="card">
				<${Facts} items=${[
					['Reports', String(g.count)],
					['Testers', String(g.testers)],
					['First seen', html`<${Time} iso=${g.first_seen} />`],
					['Last seen', html`<${Time} iso=${g.last_seen} />`],
					['First revision', g.first_revision ? html`<code>${g.first_revision}</code>` : null],
					['Last revision', g.last_revision ? html`<code>${g.last_revision}</code>` : null],
					['Fixed by', g.fixed_by ? html`<${Commit} id=${g.fixed_by} template=${info.commitUrl} />` : 'no commit yet'],
					['Fixed in', g.fixed_in || (g.fixed_by ? 'no release yet' : null)],
				]} />
			</div>
			<div class="card">
				<h2 id="chart" class="card-h">Reports per day, last 30 days</h2>
				${stats.error ? html`<p class="hint">${stats.error.message}</p>` : s ? html`<${Daily} daily=${s.daily} title="Reports per day" />` : html`<${Loading} />`}
			</div>
		</div>
		<div class="tri-grid">
			<${Section} id="versions" title="Versions"><${Bars} label="Reports per version" items=${s && s.versions ? s.versions : facet(g.versions)} /></${Section}>
			<${Section} id="platforms" title="Platforms"><${Bars} label="Reports per platform" items=${s && s.platforms ? s.platforms : facet(g.platforms)} /></${Section}>
			<${Section} id="tags" title="Tags">${s && s.tags
				? html`<${Bars} label="Reports per tag" items=${s.tags.map((t) => ({ value: `${t.key}: ${t.value}`, count: t.count }))} />`
				: html`<p class="empty">${stats.error ? 'Tag counts are not available.' : 'No data.'}</p>`}</${Section}>
			${s && s.releases && s.releases.length ? html`<${Section} id="releases" title="Releases"><${Bars} label="Reports per release" items=${s.releases.map((r) => ({ value: r.value ?? r.name ?? 'in no release', count: r.count ?? r.reports }))} /></${Section}>` : null}
		</div>
		${latest.data ? html`
			<${Frames} p=${p} reportId=${latest.data.id} frames=${latest.data.frames} exception=${latest.data.exception} template=${info.commitUrl}
				intro=${html`<p class="hint">From the latest report, <${Id} project=${p} id=${latest.data.id} />, built from ${latest.data.revision && latest.data.revision.commit
				? html`<${Commit} id=${latest.data.revision.commit} template=${info.commitUrl} />`
				: html`<code>${String((latest.data.revision && latest.data.revision.input) || '?')}</code> (not a known commit)`}.</p>`} />`
			: latest.error ? html`<${ErrorBox} error=${latest.error} />` : null}
		<${Section} id="suspects" title="Suspect commits"><${Suspects} suspects=${g.suspects} template=${info.commitUrl} /></${Section}>
		<${TriageActions} path=${path} item=${g} people=${info.people} isGroup=${true}
			onDone=${(changed) => setItem(changed)} />
		<${Section} id="reports" title="Reports"
			actions=${html`<a ...${link(`/p/${encodeURIComponent(p)}/reports?group=${encodeURIComponent(g.id)}`)}>All reports of ${g.id}</a>`}>
			<${ErrorBox} error=${reports.error} />
			${reports.data ? html`<${Table} caption=${`The latest reports of ${g.id}`} columns=${reportColumns(p, { group: false })}
				rows=${reports.data.items} empty="No reports." />` : null}
		</${Section}>
		<${CommentsSection} path=${path} item=${g} onDone=${(changed) => setItem(changed)} />
		<${Section} id="history" title="History"><${History} history=${g.history} /></${Section}>
		` : null}
	</${Page}>`;
}
