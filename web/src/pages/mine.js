// mine.js - a tester's own reports and suggestions: status, fixed in, shipped in, the team's comments, replies.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, useRoute } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Button, ErrorBox, Field, Loading, Notice, Page, Status, Time, useLoad } from '../lib/ui.js';
import { apiBase, base, sessionError, SuggestionStatus, viewer } from './board_common.js';
import { MineMail } from './mine_mail.js';

function Thread({ comments }) {
	const list = comments || [];
	if (!list.length)
		return html`<p class="empty">No comments yet.</p>`;
	return html`<ol class="comments board-comments">${list.map((c, i) => html`<li key=${c.id ?? i} class=${'comment comment-' + (c.from === 'team' ? 'team' : 'tester')}>
		<div class="comment-head"><strong>${c.from === 'team' ? 'The team' : 'You'}</strong> <${Time} iso=${c.at} /></div>
		<div class="text">${c.body}</div>
	</li>`)}</ol>`;
}

function Reply({ p, r, reload }) {
	const [body, setBody] = useState('');
	const [error, setError] = useState(null);
	const [done, setDone] = useState(false);
	const send = async (e) => {
		e.preventDefault();
		setError(null);
		try {
			await api.post(`${apiBase(p)}/reports/${encodeURIComponent(r.id)}/comments`, { body }, { noRedirect: true });
			setBody('');
			setDone(true);
			reload();
		} catch (err) {
			setError(sessionError(err));
		}
	};
	return html`<form class="reply" onSubmit=${send}>
		<${Field} label=${`Reply to the team about ${r.id}`} type="textarea" value=${body} required maxlength="16384"
			onInput=${(e) => { setBody(e.target.value); setDone(false); }} />
		<${ErrorBox} error=${error} />
		${done ? html`<${Notice} kind="ok">Reply sent.</${Notice}>` : null}
		<${Button} type="submit" disabled=${!body.trim()}>Send reply</${Button}>
	</form>`;
}

export function MinePage() {
	const { params } = useRoute();
	const p = params.p;
	const who = viewer(useSession(), p);
	const { data, error, loading, reload } = useLoad(
		() => (who === 'tester' ? api.get(`${apiBase(p)}/mine`, null, { noRedirect: true }) : null), [p, who]);
	if (who !== 'tester') {
		return html`<${Page} title="My reports and suggestions">
			<p>This page shows a tester their own reports and suggestions. Open the feedback board from your
				beta build (its "Feedback board" action, or <code>prosum board</code>) to sign in.</p>
			<p><a ...${link(`${base(p)}/board`)}>The board</a></p>
		</${Page}>`;
	}
	return html`<${Page} title="My reports and suggestions">
		<${ErrorBox} error=${error && sessionError(error)} />
		${loading && !data ? html`<${Loading} />` : null}
		${data ? html`
			<section aria-labelledby="mine-s">
				<h2 id="mine-s">Suggestions</h2>
				${(data.suggestions || []).length ? html`<ul class="mine-list">${data.suggestions.map((s) => html`<li key=${s.id} class="card">
					<div class="mine-head">
						<a class="sugg-title" ...${link(`${base(p)}/board/${s.id}`)}>${s.title}</a>
						<${SuggestionStatus} s=${s} />
					</div>
					<p class="muted">${s.id} · ${s.votes} ${s.votes === 1 ? 'vote' : 'votes'} · ${s.mine ? 'you suggested it' : 'you voted for it'}${s.mine && s.voted ? ' (your vote counts)' : ''}
						${s.duplicate_of ? html` · merged into <a ...${link(`${base(p)}/board/${s.duplicate_of}`)}>${s.duplicate_of}</a>` : null}</p>
					<${Thread} comments=${s.comments} />
				</li>`)}</ul>` : html`<p class="empty">You have not suggested or voted for anything yet. <a ...${link(`${base(p)}/board/new`)}>Suggest an idea</a>.</p>`}
			</section>
			<section aria-labelledby="mine-r">
				<h2 id="mine-r">Reports</h2>
				${(data.reports || []).length ? html`<ul class="mine-list">${data.reports.map((r) => html`<li key=${r.id} class="card">
					<div class="mine-head">
						<strong>${r.title}</strong>
						<${Status} value=${r.status} />
						${r.fixed_in ? html`<span class="shipped-in">fixed in <strong>${r.fixed_in}</strong></span>` : null}
					</div>
					<p class="muted">${r.id} · ${r.kind} · sent <${Time} iso=${r.received_at} />${r.others ? ` · ${r.others} other ${r.others === 1 ? 'tester has' : 'testers have'} it too` : ''}</p>
					<${Thread} comments=${r.comments} />
					<${Reply} p=${p} r=${r} reload=${reload} />
				</li>`)}</ul>` : html`<p class="empty">No reports from this install.</p>`}
			</section>
			<${MineMail} p=${p} />` : null}
	</${Page}>`;
}
