// admin_intake.js - the admin project page's section on what Sentry SDKs sent that prosum counted: sessions per release, client discards, dropped items.
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Loading, Table, useLoad } from '../lib/ui.js';
import { PageError, projectApi } from './relui_parts.js';

const OUTCOMES = {
	accepted: 'kept',
	invalid: 'malformed (ignored)',
	too_old: 'older than 5 days (ignored)',
	in_future: 'more than a day ahead (ignored)',
	after_end: 'after its session ended (ignored)',
};

const percent = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`);
const keyed = (rows, ...keys) => (rows || []).map((r) => ({ ...r, id: keys.map((k) => r[k]).join('/') }));

export function IntakeSection({ project }) {
	const path = projectApi(project, '/intake');
	const { data, error, loading } = useLoad(() => api.get(path), [path]);
	let body;
	if (error) body = html`<${PageError} error=${error} what="the intake counts" />`;
	else if (loading && !data) body = html`<${Loading} />`;
	else {
		const s = data.sessions || {};
		body = html`
			<h3 id="intake-sessions-h">Sessions</h3>
			<p>${`${s.started || 0} sessions started: ${s.crashed || 0} crashed, ${s.abnormal || 0} ended abnormally, ${s.errored || 0} had errors (crashes included), ${s.exited || 0} ended normally.`}</p>
			<${Table} caption="Sessions by release" rows=${keyed(s.releases, 'release', 'environment')}
				empty="No sessions received: SDKs send them when release health is on and a release is set." columns=${[
					{ key: 'release', label: 'Release', render: (r) => html`<code>${r.release}</code>` },
					{ key: 'environment', label: 'Environment' },
					{ key: 'started', label: 'Sessions', align: 'right' },
					{ key: 'crashed', label: 'Crashed', align: 'right' },
					{ key: 'crash_free_sessions', label: 'Crash-free sessions', align: 'right', render: (r) => percent(r.crash_free_sessions) },
					{ key: 'installs', label: 'Installs', align: 'right' },
					{ key: 'crash_free_installs', label: 'Crash-free installs', align: 'right', render: (r) => percent(r.crash_free_installs) },
				]} />
			<h3 id="intake-discarded-h">Discarded by the SDKs</h3>
			<${Table} caption="Events the SDKs discarded before sending" rows=${keyed(data.discarded, 'reason', 'category')}
				empty="No client reports of discarded events." columns=${[
					{ key: 'reason', label: 'Reason' },
					{ key: 'category', label: 'Category' },
					{ key: 'quantity', label: 'Count', align: 'right' },
				]} />
			<h3 id="intake-dropped-h">Items received and not stored</h3>
			<${Table} caption="Items prosum accepts and does not store" rows=${keyed(data.dropped, 'type')}
				empty="None: every item received was stored." columns=${[
					{ key: 'type', label: 'Item type', render: (r) => html`<code>${r.type}</code>` },
					{ key: 'quantity', label: 'Count', align: 'right' },
				]} />
			<h3 id="intake-items-h">Session and client report items</h3>
			<${Table} caption="Session and client report items" rows=${keyed(data.health_items, 'type', 'outcome')}
				empty="No session or client report items received." columns=${[
					{ key: 'type', label: 'Item type', render: (r) => html`<code>${r.type}</code>` },
					{ key: 'outcome', label: 'Outcome', render: (r) => OUTCOMES[r.outcome] || r.outcome },
					{ key: 'quantity', label: 'Count', align: 'right' },
				]} />`;
	}
	return html`<section class="card" aria-labelledby="intake-h">
		<h2 id="intake-h">Sentry intake, last ${(data && data.days) || 30} days</h2>
		${body}
	</section>`;
}
