// health.js - release health: per build crash-free rates, adoption, ratings and the change from the build before; the gates' verdict, the costliest crashes and a chart.
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute, link } from '../lib/router.js';
import { Page, Loading, Notice, Filters, Table, Time, Id, useLoad } from '../lib/ui.js';
import { PageError, projectApi } from './relui_parts.js';
import './health.css';

const pct = (v) => (v === null || v === undefined ? '—' : `${Number(v).toFixed(2)} %`);
const secs = (v) => (v === null || v === undefined ? '—' : `${Number(v).toFixed(1)} s`);

/* The change in crash-free sessions against the build before, in words and with a sign. */
function Change({ build }) {
	if (!build.previous)
		return html`<span class="muted">first build</span>`;
	const c = build.change && build.change.crash_free_sessions;
	const against = html`<span class="muted"> vs <code>${build.previous.build || '(none)'}</code></span>`;
	if (c === null || c === undefined)
		return html`<span>—${against}</span>`;
	const word = c > 0 ? 'better' : c < 0 ? 'worse' : 'same';
	return html`<span class=${'health-change health-' + word}>${c > 0 ? '+' : ''}${c.toFixed(2)} points (${word})${against}</span>`;
}

function Rating({ rating }) {
	if (!rating)
		return html`<span class="muted">—</span>`;
	const d = rating.distribution || [];
	const title = d.map((n, i) => `${i + 1}★: ${n}`).join(', ');
	return html`<span title=${title}>${rating.mean.toFixed(1)} / 5 <span class="muted">(${rating.count})</span></span>`;
}

const metricColumns = [
	{ key: 'sessions', label: 'Sessions', align: 'right' },
	{ key: 'installs', label: 'Installs', align: 'right' },
	{ key: 'crash_free_sessions', label: 'Crash-free sessions', align: 'right', render: (r) => html`${pct(r.crash_free_sessions)} <span class="muted">(${r.crashed} crashed)</span>` },
	{ key: 'crash_free_installs', label: 'Crash-free installs', align: 'right', render: (r) => html`${pct(r.crash_free_installs)} <span class="muted">(${r.crashed_installs})</span>` },
	{ key: 'errored_rate', label: 'Errored', align: 'right', render: (r) => pct(r.errored_rate) },
	{ key: 'abnormal_rate', label: 'Abnormal', align: 'right', render: (r) => pct(r.abnormal_rate) },
	{ key: 'median_duration_s', label: 'Median session', align: 'right', render: (r) => secs(r.median_duration_s) },
	{ key: 'rating', label: 'Rating', render: (r) => html`<${Rating} rating=${r.rating} />` },
];

/* Crash-free sessions over time, as a line over the points with sessions; the numbers are in
 * the table below it for those who do not see the chart. */
function Chart({ series, release }) {
	const pts = (series && series.points) || [];
	const withSessions = pts.filter((p) => p.sessions > 0);
	if (withSessions.length === 0)
		return html`<p class="empty">No sessions to chart.</p>`;
	const w = 600, h = 160, pad = 28;
	const lo = Math.min(90, ...withSessions.map((p) => p.crash_free_sessions));
	const t0 = new Date(pts[0].t).getTime(), t1 = new Date(pts[pts.length - 1].t).getTime();
	const x = (p) => pad + (t1 > t0 ? ((new Date(p.t).getTime() - t0) / (t1 - t0)) * (w - 2 * pad) : (w - 2 * pad) / 2);
	const y = (v) => pad / 2 + ((100 - v) / (100 - lo || 1)) * (h - pad);
	const line = withSessions.map((p) => `${x(p).toFixed(1)},${y(p.crash_free_sessions).toFixed(1)}`).join(' ');
	const worst = withSessions.reduce((a, b) => (b.crash_free_sessions < a.crash_free_sessions ? b : a));
	const label = `Crash-free sessions of ${release} per ${series.step === 3600 ? 'hour' : 'day'}: ` +
		`${withSessions.length} point${withSessions.length === 1 ? '' : 's'} from ${lo.toFixed(0)} to 100 %, lowest ${pct(worst.crash_free_sessions)}.`;
	return html`<figure class="health-chart">
		<svg viewBox=${`0 0 ${w} ${h}`} role="img" aria-label=${label} focusable="false" preserveAspectRatio="xMidYMid meet">
			<line class="health-axis" x1=${pad} y1=${y(100)} x2=${w - pad} y2=${y(100)} />
			<line class="health-axis" x1=${pad} y1=${y(lo)} x2=${w - pad} y2=${y(lo)} />
			<text class="health-tick" x="2" y=${y(100) + 4}>100</text>
			<text class="health-tick" x="2" y=${y(lo) + 4}>${lo.toFixed(0)}</text>
			<polyline class="health-line" points=${line} />
			${withSessions.map((p) => html`<circle class="health-dot" cx=${x(p).toFixed(1)} cy=${y(p.crash_free_sessions).toFixed(1)} r="3" />`)}
		</svg>
		<figcaption>${label}</figcaption>
		<details><summary>The chart's numbers</summary>
			<${Table} caption="Sessions over time" rows=${withSessions} columns=${[
				{ key: 't', label: 'From', render: (p) => html`<${Time} iso=${p.t} />` },
				{ key: 'sessions', label: 'Sessions', align: 'right' },
				{ key: 'crashed', label: 'Crashed', align: 'right' },
				{ key: 'crash_free_sessions', label: 'Crash-free', align: 'right', render: (p) => pct(p.crash_free_sessions) },
			]} />
		</details>
	</figure>`;
}

function Check({ check }) {
	if (!check || check.status === 'none')
		return html`<p class="muted">No release gates are set for this project.</p>`;
	const build = html`<code>${check.build || '—'}</code>`;
	if (check.status === 'pass')
		return html`<${Notice} kind="ok">The newest build ${build} meets every gate.<//>`;
	if (check.status === 'fail')
		return html`<${Notice} kind="error">The newest build ${build} fails: ${check.failed.join(', ')}.<//>`;
	return html`<${Notice}>The newest build ${build} has too few sessions to decide: ${check.insufficient.join(', ')}.<//>`;
}

/* The column of a split; a platform without a name is one the sessions did not say. */
const groupLabels = { cohort: 'Cohort', channel: 'Channel', platform: 'Platform' };

/* "1 install", "3 installs". */
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/* The columns of a list of crash groups; share is of the crashed sessions `of` names. */
function crashColumns(project, of) {
	return [
		{ key: 'group', label: 'Group', render: (c) => html`<${Id} project=${project} id=${c.group} />` },
		{ key: 'title', label: 'Title' },
		{ key: 'reports', label: 'Reports', align: 'right' },
		{ key: 'installs', label: 'Installs', align: 'right' },
		{ key: 'share', label: of, align: 'right', render: (c) => pct(c.share) },
	];
}

function Release({ project, rel, by }) {
	const builds = (rel.builds || []).map((b, i) => ({ ...b, id: b.build || `none-${i}` }));
	const h = `release-${rel.release.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
	return html`<section class="card health-release" aria-labelledby=${h}>
		<h2 id=${h}>${rel.release}</h2>
		<p class="health-summary">${plural(rel.sessions, 'session')} from ${plural(rel.installs, 'install')} ·
			crash-free sessions <strong>${pct(rel.crash_free_sessions)}</strong> ·
			crash-free installs <strong>${pct(rel.crash_free_installs)}</strong> ·
			rating <${Rating} rating=${rel.rating} /></p>
		<${Check} check=${rel.check} />
		<${Table} caption=${`Builds of ${rel.release}, the newest in git history first`} rows=${builds} columns=${[
			{ key: 'build', label: 'Build', render: (b) => html`<code>${b.build || '(none)'}</code>` },
			...metricColumns,
			{ key: 'adoption', label: 'Adoption', align: 'right', render: (b) => pct(b.adoption) },
			{ key: 'change', label: 'Against the build before', render: (b) => html`<${Change} build=${b} />` },
		]} />
		${by && builds.map((b) => html`<${Table} caption=${`Build ${b.build || '(none)'} by ${by}`}
			rows=${(b.groups || []).map((g) => ({ ...g, id: g.name }))} columns=${[
				{ key: 'name', label: groupLabels[by] || by, render: (g) => g.name || (by === 'platform' ? 'unknown' : '(none)') },
				...metricColumns,
			]} />`)}
		<h3>Crashes costing the most sessions</h3>
		<${Table} caption="Crash groups of this version, most installs first" empty="No crash reports of this version."
			rows=${(rel.crashes || []).map((c) => ({ ...c, id: c.group }))} columns=${crashColumns(project, 'Of crashed sessions')} />
		${by === 'cohort' && (rel.groups || []).filter((g) => (g.crashes || []).length).map((g) => html`<${Table}
			caption=${`Crash groups of the reports of cohort ${g.name || '(none)'}, most installs first`}
			rows=${g.crashes.map((c) => ({ ...c, id: c.group }))} columns=${crashColumns(project, "Of the cohort's crashed sessions")} />`)}
		<h3>Over time</h3>
		<${Chart} series=${rel.series} release=${rel.release} />
	</section>`;
}

export function HealthPage() {
	const { params, query } = useRoute();
	const project = params.p;
	const q = { release: query.release || undefined, by: query.by || undefined, days: query.days || undefined };
	const { data, error, loading } = useLoad(() => api.get(projectApi(project, '/health'), q), [project, q.release, q.by, q.days]);
	let body;
	if (error) body = html`<${PageError} error=${error} what="this project's health" />`;
	else if (loading && !data) body = html`<${Loading} />`;
	else if (!data.releases.length) body = html`<p class="empty">No sessions in the last ${data.days} days.</p>`;
	else body = data.releases.map((rel) => html`<${Release} key=${rel.release} project=${project} rel=${rel} by=${data.by} />`);
	return html`<${Page} title=${`Health · ${project}`} wide>
		<${Filters} fields=${[
			{ name: 'release', label: 'Release', type: 'text', placeholder: 'newest releases' },
			{ name: 'by', label: 'Split by', type: 'select', options: [{ value: 'cohort', label: 'Cohort' }, { value: 'channel', label: 'Channel' }, { value: 'platform', label: 'Platform' }] },
			{ name: 'days', label: 'Days', type: 'select', options: ['1', '7', '30', '90'] },
		]} />
		${data && html`<p class="muted">Sessions since <${Time} iso=${data.since} />; builds ordered by ${data.order === 'git' ? 'the git history' : 'their first session'}.${' '}
			<a ...${link(`/p/${encodeURIComponent(project)}/releases`)}>Releases</a></p>`}
		${body}
	<//>`;
}
