// board_common.js - what the community pages share: the project's path, "no such project", votes, who is looking.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { hasRole, isPerson, isTester } from '../lib/session.js';
import { ErrorBox, Page, Status } from '../lib/ui.js';
import './board.css';

// The board's statuses, as the filter offers them (under_review also takes the new ones).
export const STATUSES = [
	{ value: 'under_review', label: 'Under review' },
	{ value: 'planned', label: 'Planned' },
	{ value: 'in_progress', label: 'In progress' },
	{ value: 'shipped', label: 'Shipped' },
	{ value: 'declined', label: 'Declined' },
];

// "/p/demo" for project "demo" (escaped).
export function base(p) {
	return `/p/${encodeURIComponent(p)}`;
}

// "/api/v1/projects/demo" for project "demo" (escaped), as the API paths start.
export function apiBase(p) {
	return `/projects/${encodeURIComponent(p)}`;
}

// Who looks at the board: 'team' (developer or above), 'tester' (their project only) or 'visitor'.
export function viewer(session, p) {
	if (isTester(session))
		return session.project === p ? 'tester' : 'visitor';
	if (isPerson(session) && hasRole(session, 'developer'))
		return 'team';
	return 'visitor';
}

// A 404 of the board's reads: a private project shows nothing, not even that it exists.
export function NoProject() {
	return html`<${Page} title="No such project">
		<p>There is no public project at this address.</p>
	</${Page}>`;
}

// The page for a failed read: "no such project" for a 404 (nothing else), else the error.
export function Failed({ error, title }) {
	if (error && error.status === 404)
		return html`<${NoProject} />`;
	return html`<${Page} title=${title}><${ErrorBox} error=${error} /></${Page}>`;
}

// "shipped in 1.4.0" and the status badge of a suggestion.
export function SuggestionStatus({ s }) {
	if (s.status === 'shipped' && s.shipped_in)
		return html`<span class="status status-shipped">shipped in ${s.shipped_in}</span>`;
	return html`<span class="sugg-status">
		<${Status} value=${s.status === 'new' ? 'under_review' : s.status} />
		${s.shipped_in ? html` <span class="shipped-in">shipped in <strong>${s.shipped_in}</strong></span>` : null}
	</span>`;
}

// The vote count; for a tester a toggle (vote, withdraw) that tells the server and shows its count.
// onChange(votes, voted) after a change.
export function Votes({ p, s, voted, canVote, onChange }) {
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const n = Number(s.votes) || 0;
	if (!canVote) {
		return html`<div class="votes"><span class="votes-n">${n}</span><span class="votes-l">${n === 1 ? 'vote' : 'votes'}</span></div>`;
	}
	const toggle = async () => {
		setBusy(true);
		setError(null);
		const path = `${apiBase(p)}/suggestions/${encodeURIComponent(s.id)}/votes`;
		try {
			const a = voted ? await api.del(path, { noRedirect: true }) : await api.post(path, undefined, { noRedirect: true });
			const votes = a && typeof a.votes === 'number' ? a.votes : n + (voted ? -1 : 1);
			onChange && onChange(votes, !voted);
		} catch (e) {
			setError(e);
		} finally {
			setBusy(false);
		}
	};
	return html`<div class="votes">
		<button type="button" class=${'vote' + (voted ? ' voted' : '')}
			disabled=${busy} aria-busy=${busy ? 'true' : undefined} onClick=${toggle}>
			<span class="sr-only">${voted ? 'Withdraw your vote for' : 'Vote for'} ${s.title}: </span>
			<span aria-hidden="true" class="vote-arrow">▲</span>
			<span class="votes-n">${n}</span><span class="sr-only"> ${n === 1 ? 'vote' : 'votes'}</span>
		</button>
		<span class="votes-l" aria-hidden="true">${voted ? 'voted' : n === 1 ? 'vote' : 'votes'}</span>
		${error ? html`<${ErrorBox} error=${sessionError(error)} />` : null}
	</div>`;
}

// A write refused because the tester's session ended says what to do.
export function sessionError(e) {
	if (e && e.status === 401) {
		return { message: 'Your sign-in has ended: open the board again from your beta build for a new link.',
			status: 401 };
	}
	return e;
}

// A fresh UUID for a new suggestion (the server takes it once).
export function uuid() {
	if (crypto.randomUUID)
		return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
