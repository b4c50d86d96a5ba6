// board_item.js - one suggestion of the board: its text, votes, the team's comments, its history; moderation for the team.
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, useRoute } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Button, ErrorBox, Field, Loading, Notice, Page, Time, useLoad } from '../lib/ui.js';
import { apiBase, base, Failed, sessionError, SuggestionStatus, viewer, Votes } from './board_common.js';

const MOVES = ['under_review', 'planned', 'in_progress', 'shipped', 'declined'];

function label(v) {
	return String(v).replace(/_/g, ' ');
}

// History fields in words.
const FIELDS = { status: 'Status', shipped_in: 'Shipped in', duplicate_of: 'Merged into', hidden: 'Hidden',
	pinned: 'Pinned' };

// The board shows a new suggestion as "under review": its history says the same.
function value(field, v) {
	return field === 'status' ? label(v === 'new' ? 'under_review' : v) : String(v);
}

// Text as it was typed: line breaks kept, never markup.
function Text({ text }) {
	return html`<div class="text">${text}</div>`;
}

function Comments({ p, s, who, reload }) {
	const [error, setError] = useState(null);
	const hide = async (c, hidden) => {
		setError(null);
		try {
			await api.patch(`${apiBase(p)}/comments/${encodeURIComponent(c.id)}`, { hidden });
			reload();
		} catch (e) {
			setError(e);
		}
	};
	const list = s.comments || [];
	return html`<section aria-labelledby="comments-h">
		<h2 id="comments-h">Comments</h2>
		<${ErrorBox} error=${error} />
		${list.length ? html`<ol class="comments board-comments">${list.map((c) => html`<li key=${c.id}
			class=${'comment comment-' + (c.from === 'team' ? 'team' : 'tester') + (c.hidden ? ' is-hidden' : '')}>
			<div class="comment-head">
				<strong>${c.author || (c.from === 'team' ? 'team' : 'tester')}</strong>
				${c.from === 'team' ? html`<span class="badge badge-team">Team</span>` : null}
				${c.hidden ? html`<span class="badge badge-hidden">Hidden</span>` : null}
				<${Time} iso=${c.at} />
				${who === 'team' ? html`<${Button} kind="quiet" onClick=${() => hide(c, !c.hidden)}
					aria-label=${`${c.hidden ? 'Show' : 'Hide'} comment ${c.id}`}>${c.hidden ? 'Show' : 'Hide'}</${Button}>` : null}
			</div>
			<${Text} text=${c.body} />
		</li>`)}</ol>` : html`<p class="empty">No comments yet.</p>`}
	</section>`;
}

function CommentForm({ p, s, who, reload }) {
	const [body, setBody] = useState('');
	const [error, setError] = useState(null);
	const [done, setDone] = useState('');
	const send = async (e) => {
		e.preventDefault();
		setError(null);
		setDone('');
		try {
			await api.post(`${apiBase(p)}/suggestions/${encodeURIComponent(s.id)}/comments`, { body }, { noRedirect: who === 'tester' });
			setBody('');
			setDone('Comment posted.');
			reload();
		} catch (err) {
			setError(sessionError(err));
		}
	};
	return html`<form class="card comment-form" onSubmit=${send}>
		<${Field} label=${who === 'team' ? 'Comment as the team' : 'Add a comment'} type="textarea" value=${body}
			required maxlength="16384" onInput=${(e) => setBody(e.target.value)}
			hint=${who === 'team' ? 'Testers and visitors see it as from the team.' : 'Shown with the name your build credits you with, else as "tester".'} />
		<${ErrorBox} error=${error} />
		${done ? html`<${Notice} kind="ok">${done}</${Notice}>` : null}
		<${Button} type="submit" kind="primary" disabled=${!body.trim()}>Post comment</${Button}>
	</form>`;
}

// The team's controls (developers and release managers alike): status, merge into another
// suggestion, pin, hide. Where a suggestion shipped follows from git and the releases.
function Moderation({ p, s, reload }) {
	const [status, setStatus] = useState(s.status === 'new' ? 'under_review' : s.status);
	const [into, setInto] = useState('');
	const [error, setError] = useState(null);
	const [done, setDone] = useState('');
	useFollow(() => setStatus(s.status === 'new' ? 'under_review' : s.status), [s.status]);
	const patch = async (body, what) => {
		setError(null);
		setDone('');
		try {
			await api.patch(`${apiBase(p)}/suggestions/${encodeURIComponent(s.id)}`, body);
			setDone(what);
			reload();
		} catch (e) {
			setError(e);
		}
	};
	const merge = (e) => {
		e.preventDefault();
		const target = into.trim().toUpperCase();
		return patch({ duplicate_of: /^\d+$/.test(target) ? `S-${target}` : target }, `Merged into ${target}.`);
	};
	return html`<section class="card moderation" aria-labelledby="mod-h">
		<h2 id="mod-h">Moderation</h2>
		<${ErrorBox} error=${error} />
		${done ? html`<${Notice} kind="ok">${done}</${Notice}>` : null}
		<div class="mod-row">
			<${Button} onClick=${() => patch({ pinned: !s.pinned }, s.pinned ? 'Unpinned.' : 'Pinned first on the board.')}>${s.pinned ? 'Unpin' : 'Pin'}</${Button}>
			<${Button} kind=${s.hidden ? '' : 'danger'} onClick=${() => patch({ hidden: !s.hidden }, s.hidden ? 'Shown again.' : 'Hidden from visitors and testers.')}>${s.hidden ? 'Show on the board' : 'Hide'}</${Button}>
		</div>
		<form class="mod-row" onSubmit=${(e) => { e.preventDefault(); return patch({ status }, `Status: ${label(status)}.`); }}>
			<div class="filter"><label for="mod-status">Status</label>
				<select id="mod-status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
					${MOVES.map((m) => html`<option value=${m}>${label(m)}</option>`)}
				</select></div>
			<button type="submit" class="btn">Change status</button>
		</form>
		${!s.duplicate_of ? html`<form class="mod-row" onSubmit=${merge}>
			<div class="filter"><label for="mod-into">Merge into (a duplicate of)</label>
				<input id="mod-into" value=${into} placeholder="S-12" onInput=${(e) => setInto(e.target.value)} /></div>
			<button type="submit" class="btn" disabled=${!into.trim()}>Merge</button>
		</form>` : null}
	</section>`;
}

export function BoardItemPage() {
	const { params } = useRoute();
	const p = params.p;
	const id = params.id;
	const session = useSession();
	const who = viewer(session, p);
	const { data: s, error, loading, reload } = useLoad(
		() => api.get(`${apiBase(p)}/board/${encodeURIComponent(id)}`, null, { noRedirect: true }), [p, id]);
	// The tester's own votes, when the suggestion page does not say.
	const mine = useLoad(() => (who === 'tester' ? api.get(`${apiBase(p)}/mine`, null, { noRedirect: true }) : null), [p, who]);
	const [vote, setVote] = useState(null);
	useFollow(() => setVote(null), [s]);
	if (error) {
		if (error.status === 404 && error.message && /suggestion/.test(error.message))
			return html`<${Page} title="No such suggestion"><p>There is no suggestion ${id} on this board.</p>
				<p><a ...${link(`${base(p)}/board`)}>Back to the board</a></p></${Page}>`;
		return html`<${Failed} error=${error} title=${id} />`;
	}
	if (!s)
		return html`<${Page} title=${id}>${loading ? html`<${Loading} />` : null}</${Page}>`;
	const mineItem = mine.data && (mine.data.suggestions || []).find((m) => m.id === s.id);
	const voted = vote ? vote.voted : typeof s.voted === 'boolean' ? s.voted : !!(mineItem && mineItem.voted);
	const shown = vote ? { ...s, votes: vote.votes } : s;
	return html`<${Page} title=${s.title}>
		<p><a ...${link(`${base(p)}/board`)}>← All ideas</a></p>
		${s.duplicate_of ? html`<${Notice} kind="info">This suggestion was merged into
			<a ...${link(`${base(p)}/board/${s.duplicate_of}`)}>${s.duplicate_of}</a>: vote and comment there.</${Notice}>` : null}
		${s.hidden ? html`<${Notice} kind="warn">Hidden: visitors and testers do not see this suggestion.</${Notice}>` : null}
		<div class="sugg-head card">
			<${Votes} p=${p} s=${shown} voted=${voted} canVote=${who === 'tester' && !s.duplicate_of}
				onChange=${(votes, v) => setVote({ votes, voted: v })} />
			<div class="sugg-main">
				<div class="sugg-meta">
					<span class="id">${s.id}</span>
					${s.pinned ? html`<span class="badge badge-pin">Pinned</span>` : null}
					<${SuggestionStatus} s=${s} />
					<span>suggested <${Time} iso=${s.created_at} />${s.author ? html` by <a ...${link(`${base(p)}/testers/${encodeURIComponent(s.author)}`)}>${s.author}</a>` : null}</span>
				</div>
				${s.body ? html`<${Text} text=${s.body} />` : html`<p class="empty">No description.</p>`}
				${s.merged && s.merged.length ? html`<p class="muted">Merged here: ${s.merged.map((m, i) => html`${i ? ', ' : ''}<a ...${link(`${base(p)}/board/${m}`)}>${m}</a>`)}</p>` : null}
			</div>
		</div>
		${who === 'team' ? html`<${Moderation} p=${p} s=${s} reload=${reload} />` : null}
		<${Comments} p=${p} s=${s} who=${who} reload=${reload} />
		${who === 'team' || who === 'tester' ? html`<${CommentForm} p=${p} s=${s} who=${who} reload=${reload} />` : null}
		<section aria-labelledby="history-h">
			<h2 id="history-h">History</h2>
			${(s.history || []).length ? html`<ol class="history">${s.history.map((h, i) => (h.field === 'hidden_comment' ? html`<li key=${i}>
				<${Time} iso=${h.at} /> · ${h.new ? `Comment ${h.new} hidden` : `Comment ${h.old} shown again`}
				${h.actor ? html` <span class="muted">by ${h.actor}</span>` : null}
			</li>` : html`<li key=${i}>
				<${Time} iso=${h.at} /> · ${FIELDS[h.field] || label(h.field)}:
				${h.old != null && h.old !== '' ? html` <span>${value(h.field, h.old)}</span> →` : null}
				${' '}<strong>${h.new != null && h.new !== '' ? value(h.field, h.new) : 'none'}</strong>
				${h.actor ? html` <span class="muted">by ${h.actor}</span>` : null}
			</li>`))}</ol>` : html`<p class="empty">No changes yet.</p>`}
		</section>
	</${Page}>`;
}
