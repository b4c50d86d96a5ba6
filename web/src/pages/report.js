// report.js - one report with everything it carries: build, platform, tester, exception, frames with
// their source, tags, steps, attachments, suspects, comments and history; a Sentry event's breadcrumbs,
// contexts, request, extra, SDK and feedback links (sentry_parts.js); triage from the page.
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute } from '../lib/router.js';
import { ErrorBox, Id, Loading, Page, Status, Table, Time, useLoad } from '../lib/ui.js';
import {
	CommentsSection, Commit, Facts, Frames, History, Section, Suspects, Text, TriageActions, projectPath, useProjectInfo,
} from './triage_parts.js';
import { FeedbackLinks, SENTRY_FIELDS, SentrySections } from './sentry_parts.js';
import './triage.css';

// What the server adds on top of the document, and the document fields shown on their own.
const KNOWN = new Set(['id', 'group', 'kind', 'title', 'status', 'received_at', 'revision', 'assignee',
	'fixed_by', 'fixed_in', 'frames', 'attachments', 'suspects', 'comments', 'history', 'uuid',
	'description', 'severity', 'timestamp', 'build', 'platform', 'tester', 'exception', 'tags',
	'steps', 'fingerprint', 'cohort', ...SENTRY_FIELDS]);

function str(v) {
	return v === null || v === undefined || v === '' ? null : String(v);
}

function size(n) {
	if (typeof n !== 'number')
		return '';
	if (n < 1024)
		return `${n} bytes`;
	if (n < 1024 * 1024)
		return `${(n / 1024).toFixed(1)} KiB`;
	return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// Downloads; pictures (image/* as the report lists them) are also shown, from the same URL, which
// the server answers with a checked image type or as octet-stream.
function Attachments({ p, id, items }) {
	if (!items || !items.length)
		return html`<p class="empty">No attachments.</p>`;
	return html`<ul class="attachments">
		${items.map((a) => {
			const url = `/api/v1${projectPath(p)}/reports/${encodeURIComponent(id)}/attachments/${encodeURIComponent(a.name)}`;
			const image = typeof a.content_type === 'string' && a.content_type.startsWith('image/');
			return html`<li key=${a.name}>
				<a href=${url} download=${a.name}>${a.name}</a>
				<span class="muted"> ${size(a.size)}${a.content_type ? `, ${a.content_type}` : ''}</span>
				${image ? html`<img class="attachment-img" src=${url} alt=${`Attached picture ${a.name}`} loading="lazy" />` : null}
			</li>`;
		})}
	</ul>`;
}

function Tags({ tags }) {
	const rows = Object.entries(tags && typeof tags === 'object' ? tags : {}).map(([k, v]) => ({ id: k, k, v: str(v) }));
	return html`<${Table} empty="No tags." rows=${rows}
		columns=${[{ key: 'k', label: 'Name' }, { key: 'v', label: 'Value' }]} />`;
}

export function ReportPage() {
	const { params } = useRoute();
	const p = params.p;
	const id = String(params.id || '').toUpperCase();
	const path = `${projectPath(p)}/reports/${encodeURIComponent(id)}`;
	const load = useLoad(() => api.get(path), [path]);
	const [item, setItem] = useState(null);
	useFollow(() => setItem(load.data), [load.data]);
	const info = useProjectInfo(p);
	const r = item || load.data;
	const build = (r && r.build) || {};
	const plat = (r && r.platform) || {};
	const tester = (r && r.tester) || {};
	const rev = (r && r.revision) || {};
	const extra = r ? Object.fromEntries(Object.entries(r).filter(([k]) => !KNOWN.has(k))) : {};
	const jump = html`<a class="btn btn-quiet" href="#triage">Triage</a><a class="btn btn-quiet" href="#comments">Comments</a>`;
	return html`<${Page} title=${r ? `${r.id}: ${r.title}` : id} wide=${true} actions=${r ? jump : null}>
		${load.loading && !r ? html`<${Loading} />` : null}
		<${ErrorBox} error=${load.error} />
		${r ? html`
		<p class="tri-sub"><${Status} value=${r.status} /> <span>${r.kind}</span>
			${r.severity ? html`<span>severity ${String(r.severity)}</span>` : null}
			<span>group <${Id} project=${p} id=${r.group} /></span>
			<span>${r.assignee ? `assigned to ${r.assignee}` : 'unassigned'}</span></p>
		<${FeedbackLinks} p=${p} r=${r} />
		<div class="tri-grid">
			<${Section} id="build" title="Build">
				<${Facts} items=${[
					['Version', str(build.version)],
					['Revision', str(build.revision)],
					['Commit', rev.commit ? html`<${Commit} id=${rev.commit} template=${info.commitUrl} />` : 'not a known commit'],
					['Release', str(rev.release)],
					['Channel', str(build.channel)],
					['Fixed by', r.fixed_by ? html`<${Commit} id=${r.fixed_by} template=${info.commitUrl} />` : null],
					['Fixed in', str(r.fixed_in)],
				]} />
			</${Section}>
			<${Section} id="where" title="Platform and tester">
				<${Facts} items=${[
					['System', [plat.os, plat.os_version].map(str).filter(Boolean).join(' ') || null],
					['Architecture', str(plat.arch)],
					['Tester', str(tester.name) || 'anonymous'],
					['Email', str(tester.email)],
					['Install', tester.install_id ? html`<code>${String(tester.install_id)}</code>` : null],
					['Cohort', str(r.cohort)],
					['Received', html`<${Time} iso=${r.received_at} />`],
					['Sent at', str(r.timestamp)],
				]} />
			</${Section}>
		</div>
		${r.description ? html`<${Section} id="description" title="Description"><${Text} value=${r.description} /></${Section}>` : null}
		${r.steps ? html`<${Section} id="steps" title="Steps"><${Text} value=${r.steps} /></${Section}>` : null}
		<${Frames} p=${p} reportId=${r.id} frames=${r.frames} exception=${r.exception} template=${info.commitUrl} />
		<${SentrySections} r=${r} />
		<${Section} id="tags" title="Tags"><${Tags} tags=${r.tags} /></${Section}>
		<${Section} id="attachments" title="Attachments"><${Attachments} p=${p} id=${r.id} items=${r.attachments} /></${Section}>
		<${TriageActions} path=${path} item=${r} people=${info.people} isGroup=${false} onDone=${(changed) => setItem(changed)} />
		<${Section} id="suspects" title="Suspect commits"><${Suspects} suspects=${r.suspects} template=${info.commitUrl} /></${Section}>
		<${CommentsSection} path=${path} item=${r} onDone=${(changed) => setItem(changed)} />
		<${Section} id="history" title="History"><${History} history=${r.history} /></${Section}>
		${Object.keys(extra).length || r.fingerprint ? html`<${Section} id="more" title="Other fields">
			<pre class="tri-json" tabindex="0" aria-label="Other fields of the report, as sent">${JSON.stringify({ ...extra, ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}) }, null, 2)}</pre>
		</${Section}>` : null}
		` : null}
	</${Page}>`;
}
