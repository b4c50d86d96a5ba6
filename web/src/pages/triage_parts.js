// triage_parts.js - pieces the group and report pages share: status moves, triage actions, frames
// with source, suspects, comments and history. Every string from the API is rendered as text.
import './triage.css';
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Button, Code, ErrorBox, Field, Filters, Id, Notice, Status, Table, Time, useLoad } from '../lib/ui.js';

export const REPORT_STATUSES = ['new', 'triaged', 'in_progress', 'fixed', 'wontfix', 'duplicate', 'regressed'];

// The moves a person may make by hand (docs/http-api.md); staying is always allowed and nothing
// moves to "regressed" by hand.
const MOVES = {
	new: ['triaged', 'in_progress', 'fixed', 'wontfix', 'duplicate'],
	triaged: ['new', 'in_progress', 'fixed', 'wontfix', 'duplicate'],
	in_progress: ['triaged', 'fixed', 'wontfix', 'duplicate'],
	fixed: ['new', 'triaged', 'in_progress'],
	wontfix: ['new', 'triaged'],
	duplicate: ['new', 'triaged'],
	regressed: ['triaged', 'in_progress', 'fixed', 'wontfix', 'duplicate'],
};

export function allowedMoves(status) {
	return MOVES[status] || [];
}

export function label(status) {
	return String(status || '').replace(/_/g, ' ');
}

export const KINDS = ['crash', 'bug', 'feedback'];

// "2026-12-01" (a date input's value) -> RFC 3339 at midnight UTC; `end` moves to the next day so
// "until 2026-12-01" includes that day. Anything else (RFC 3339, epoch seconds) is passed on.
export function timeParam(v, end) {
	if (!v)
		return undefined;
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
	if (!m)
		return v;
	const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + (end ? 1 : 0)));
	return isNaN(d) ? v : d.toISOString().replace('.000Z', 'Z');
}

export function projectPath(p) {
	return `/projects/${encodeURIComponent(p)}`;
}

// The project's settings (commit URL template) and who can be assigned; both optional: a page
// still works when either cannot be read.
export function useProjectInfo(p) {
	const project = useLoad(() => api.get(projectPath(p)).catch(() => null), [p]);
	const people = useLoad(() => api.get(`${projectPath(p)}/people`).catch(() => null), [p]);
	return {
		commitUrl: project.data && typeof project.data.commit_url === 'string' ? project.data.commit_url : null,
		people: people.data && Array.isArray(people.data.items) ? people.data.items : null,
	};
}

// The URL of a commit from the project's template ("https://host/commit/{id}"); only http(s).
export function commitHref(template, id) {
	if (!template || !id || !/^https?:\/\//i.test(template))
		return null;
	return template.split('{id}').join(encodeURIComponent(id));
}

// A commit id, shortened, linked to the project's commit URL when it has one.
export function Commit({ id, template }) {
	if (!id)
		return html`<span class="muted">—</span>`;
	const href = commitHref(template, id);
	const short = /^[0-9a-f]{40}$/.test(id) ? id.slice(0, 12) : id;
	return href
		? html`<a class="commit" href=${href} rel="noopener noreferrer" title=${id}><code>${short}</code></a>`
		: html`<code class="commit" title=${id}>${short}</code>`;
}

// A section with a heading whose id names it (for aria-labelledby and in-page links).
export function Section({ id, title, children, actions }) {
	return html`<section class="tri-section" aria-labelledby=${id}>
		<div class="tri-section-head"><h2 id=${id}>${title}</h2>${actions || null}</div>
		${children}
	</section>`;
}

// Free text (descriptions, steps, comments) kept with its line breaks.
export function Text({ value }) {
	if (value === null || value === undefined || value === '')
		return null;
	return html`<p class="tri-text">${String(value)}</p>`;
}

// The stack trace: every frame, and for the in-app frames the source around their line read
// from the repository at the report's commit (GET .../reports/R-n/source).
export function Frames({ p, reportId, frames, exception, intro, template, headingId = 'frames' }) {
	const src = useLoad(() => (reportId && frames && frames.length
		? api.get(`${projectPath(p)}/reports/${encodeURIComponent(reportId)}/source`, { context: 5 })
		: Promise.resolve(null)), [p, reportId]);
	const byIndex = new Map();
	if (src.data && Array.isArray(src.data.frames)) {
		for (const f of src.data.frames)
			byIndex.set(f.index, f);
	}
	return html`<${Section} id=${headingId} title="Stack trace">
		${intro || null}
		${exception ? html`<p class="tri-exception"><strong>${String(exception.type ?? '')}</strong>${exception.value !== undefined && exception.value !== null ? html`: ${String(exception.value)}` : null}</p>` : null}
		${!frames || !frames.length ? html`<p class="empty">No frames.</p>` : html`
		${src.data ? html`<p class="hint">Source ${src.data.commit ? html`at commit <${Commit} id=${src.data.commit} template=${template} />, the report's own build` : 'unavailable: the report\'s build is not a known commit'}.</p>` : null}
		${src.error ? html`<p class="hint">Source lines could not be read (${src.error.message}).</p>` : null}
		<ol class="frames" start="0">
			${frames.map((f, i) => {
				const s = byIndex.get(i);
				const where = [f.file, f.line !== undefined && f.line !== null ? String(f.line) : null].filter((x) => x !== undefined && x !== null && x !== '').join(':');
				return html`<li class=${'frame' + (f.in_app === false ? ' frame-system' : '')}>
					<div class="frame-head">
						<code class="frame-fn">${f.function ? String(f.function) : '??'}</code>
						${where ? html` <span class="frame-where">${where}</span>` : null}
						${f.module ? html` <span class="muted">${String(f.module)}</span>` : null}
						${f.address ? html` <span class="muted">${String(f.address)}</span>` : null}
						${f.in_app === false ? html` <span class="badge">not in app</span>` : null}
					</div>
					${s && s.lines && s.lines.length ? html`<div class="frame-src" role="region" tabindex="0" aria-label=${`Source of ${s.path || f.file} around line ${f.line}`}>
						<${Code} lines=${s.lines} start=${s.start} highlight=${f.line} /></div>`
						: s && src.data.commit ? html`<p class="hint">${s.path ? `${s.path} has no line ${f.line} at this commit.` : `${f.file || 'This file'} is not in the repository at this commit.`}</p>` : null}
				</li>`;
			})}
		</ol>`}
	</${Section}>`;
}

// Commits git blame points at, linked to the project's commit URL.
export function Suspects({ suspects, template }) {
	if (!suspects || !suspects.length)
		return html`<p class="empty">No suspect commits.</p>`;
	return html`<ul class="suspects">
		${suspects.map((s) => html`<li key=${s.id}>
			<${Commit} id=${s.id} template=${template} /> <span class="suspect-summary">${String(s.summary ?? '')}</span>
			<div class="muted">${String(s.author ?? '')}${s.date ? html`, <${Time} iso=${s.date} />` : null}${s.reports !== undefined ? `, blamed by ${s.reports} report${s.reports === 1 ? '' : 's'}` : ''}</div>
			${s.frames && s.frames.length ? html`<div class="muted">${s.frames.map((f, i) => html`${i ? ', ' : ''}<code>${String(f.function ?? '??')}</code> ${String(f.file ?? '')}:${String(f.line ?? '')}`)}</div>` : null}
		</li>`)}
	</ul>`;
}

export function Comments({ comments }) {
	if (!comments || !comments.length)
		return html`<p class="empty">No comments yet.</p>`;
	return html`<ol class="comments">
		${comments.map((c, i) => html`<li key=${i} class="comment">
			<div class="comment-head"><strong>${String(c.author ?? '')}</strong>
				${c.from === 'tester' ? html` <span class="badge">tester</span>` : null}
				${' '}<${Time} iso=${c.at} /></div>
			<${Text} value=${c.body} />
		</li>`)}
	</ol>`;
}

// A status reads as everywhere else ("in progress"), other values as they are.
function histValue(v, field) {
	if (v === null || v === undefined || v === '')
		return html`<span class="muted">—</span>`;
	if (field === 'status' && typeof v === 'string')
		return label(v);
	return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function History({ history }) {
	return html`<${Table} caption="Every change, oldest first" empty="No changes yet."
		rows=${(history || []).map((h, i) => ({ ...h, id: i }))}
		columns=${[
			{ key: 'at', label: 'When', render: (h) => html`<${Time} iso=${h.at} />` },
			{ key: 'actor', label: 'Who' },
			{ key: 'field', label: 'What', render: (h) => label(h.field) },
			{ key: 'old', label: 'From', render: (h) => histValue(h.old, h.field) },
			{ key: 'new', label: 'To', render: (h) => histValue(h.new, h.field) },
		]} />`;
}

// PATCH the item at `path`: send(body, what, reset) shows `what` once the API took it (and hands
// the changed item to onDone), or the API's error; a refusal because the item changed meanwhile
// (409) also reloads the item so the page shows it as it is now.
function usePatch(path, onDone) {
	const [error, setError] = useState(null);
	const [done, setDone] = useState('');
	const send = async (body, what, reset) => {
		setError(null);
		setDone('');
		try {
			const changed = await api.patch(path, body);
			if (reset)
				reset();
			setDone(what);
			onDone(changed);
		} catch (e) {
			setError(e);
			if (e.status === 409)
				api.get(path).then(onDone, () => {});
		}
	};
	const messages = html`<${ErrorBox} error=${error} />${done ? html`<${Notice} kind="ok">${done}</${Notice}>` : null}`;
	return { send, messages };
}

// The triage form of a report or group: status (only the allowed moves), assignee (a person),
// fixed by, and for a group merging into another. `path` is the item's API path; onDone(changed)
// gets the API's answer.
export function TriageActions({ path, item, people, isGroup, onDone }) {
	const [status, setStatus] = useState('');
	const [assignee, setAssignee] = useState(null);
	const [fixedBy, setFixedBy] = useState('');
	const [mergeInto, setMergeInto] = useState('');
	const { send, messages } = usePatch(path, onDone);
	const moves = allowedMoves(item.status);
	const cur = assignee === null ? (item.assignee || '') : assignee;
	const names = (people || []).map((x) => x.name);
	if (item.assignee && !names.includes(item.assignee))
		names.unshift(item.assignee);
	const merged = isGroup && item.merged_into;
	return html`<${Section} id="triage" title="Triage">
		<div class="tri-actions">
			<form class="tri-form" onSubmit=${(e) => { e.preventDefault(); if (status) send({ status }, `Status changed to ${label(status)}.`, () => setStatus('')); }}>
				<${Field} type="select" label=${`Status (now ${label(item.status)})`} value=${status}
					onChange=${(e) => setStatus(e.target.value)}
					options=${[{ value: '', label: moves.length ? 'Choose a new status' : 'No move allowed' },
						...moves.map((m) => ({ value: m, label: label(m) }))]} />
				<${Button} type="submit" disabled=${!status}>Change status</${Button}>
			</form>
			<form class="tri-form" onSubmit=${(e) => { e.preventDefault(); send({ assignee: cur || null }, cur ? `Assigned to ${cur}.` : 'Unassigned.', () => setAssignee(null)); }}>
				${people ? html`<${Field} type="select" label="Assignee" value=${cur} onChange=${(e) => setAssignee(e.target.value)}
					options=${[{ value: '', label: 'Nobody' }, ...names.map((n) => ({ value: n, label: n }))]} />`
					: html`<${Field} label="Assignee" value=${cur} hint="A person's name; empty for nobody"
						onInput=${(e) => setAssignee(e.target.value)} />`}
				<${Button} type="submit">Assign</${Button}>
			</form>
			<form class="tri-form" onSubmit=${(e) => { e.preventDefault(); if (fixedBy.trim() || item.fixed_by) send({ fixed_by: fixedBy.trim() || null }, fixedBy.trim() ? 'Fixing commit set.' : 'Fixing commit cleared.', () => setFixedBy('')); }}>
				<${Field} label="Fixed by commit" value=${fixedBy} placeholder=${item.fixed_by ? String(item.fixed_by).slice(0, 12) : 'hash, tag or branch'}
					hint=${item.fixed_by ? 'Leave empty to clear it' : 'A hash, tag, branch or HEAD~N'} onInput=${(e) => setFixedBy(e.target.value)} />
				<${Button} type="submit" disabled=${!fixedBy.trim() && !item.fixed_by}>${!fixedBy.trim() && item.fixed_by ? 'Clear fixing commit' : 'Set fixing commit'}</${Button}>
			</form>
			${isGroup && !merged ? html`<form class="tri-form" onSubmit=${(e) => { e.preventDefault(); if (mergeInto.trim()) send({ merge_into: mergeInto.trim() }, `Merged into ${mergeInto.trim().toUpperCase()}.`, () => setMergeInto('')); }}>
				<${Field} label="Merge into group" value=${mergeInto} placeholder="G-1" hint="Its reports move to that group"
					onInput=${(e) => setMergeInto(e.target.value)} />
				<${Button} type="submit" kind="danger" disabled=${!mergeInto.trim()}>Merge</${Button}>
			</form>` : null}
		</div>
		${messages}
	</${Section}>`;
}

// The comments of a report or group, and a form to add one.
export function CommentsSection({ path, item, onDone }) {
	const [comment, setComment] = useState('');
	const { send, messages } = usePatch(path, onDone);
	return html`<${Section} id="comments" title="Comments">
		<${Comments} comments=${item.comments} />
		<form class="tri-form tri-comment" onSubmit=${(e) => { e.preventDefault(); if (comment.trim()) send({ comment }, 'Comment added.', () => setComment('')); }}>
			<${Field} type="textarea" label="Comment" value=${comment} rows="3" onInput=${(e) => setComment(e.target.value)} />
			<${Button} type="submit" kind="primary" disabled=${!comment.trim()}>Add comment</${Button}>
		</form>
		${messages}
	</${Section}>`;
}

// The list filters: the first `main` fields always shown, the rest under "More filters" (open
// when one of them is set). Both halves are bound to the query string.
export function ListFilters({ fields, main, query }) {
	const first = fields.slice(0, main);
	const rest = fields.slice(main);
	const set = rest.filter((f) => query[f.name]);
	return html`<div class="tri-filters">
		<${Filters} fields=${first} />
		<details class="tri-more" open=${set.length ? true : undefined}>
			<summary>More filters${set.length ? ` (${set.length} set)` : ''}</summary>
			<${Filters} fields=${rest} />
		</details>
	</div>`;
}

// Facts as a definition list; entries whose value is null are left out.
export function Facts({ items }) {
	return html`<dl class="facts">
		${items.filter((x) => x && x[1] !== null && x[1] !== undefined && x[1] !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}
	</dl>`;
}

export { Id, Status, Time };
