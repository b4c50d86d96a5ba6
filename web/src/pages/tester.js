// tester.js - a tester's public profile: only what they sent under the name they chose to be credited with.
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, useRoute } from '../lib/router.js';
import { Loading, Page, useLoad } from '../lib/ui.js';
import { apiBase, base, Failed, SuggestionStatus } from './board_common.js';

export function TesterPage() {
	const { params } = useRoute();
	const p = params.p;
	const name = params.name;
	const { data, error, loading } = useLoad(
		() => api.get(`${apiBase(p)}/testers/${encodeURIComponent(name)}`, null, { noRedirect: true }), [p, name]);
	if (error) {
		if (error.status === 404 && /tester/.test(error.message || ''))
			return html`<${Page} title="No such tester"><p>No tester is credited as ${name} on this board.</p></${Page}>`;
		return html`<${Failed} error=${error} title=${name} />`;
	}
	if (!data)
		return html`<${Page} title=${name}>${loading ? html`<${Loading} />` : null}</${Page}>`;
	return html`<${Page} title=${data.name}>
		<p><a ...${link(`${base(p)}/fame`)}>← Hall of fame</a></p>
		<dl class="facts card">
			<dt>Reports fixed</dt><dd>${data.reports_fixed}</dd>
			<dt>Suggestions shipped</dt><dd>${data.suggestions_shipped}</dd>
			<dt>Votes on shipped suggestions</dt><dd>${data.votes_shipped}</dd>
			<dt>Score</dt><dd>${data.score}</dd>
		</dl>
		<h2>Suggestions</h2>
		${(data.suggestions || []).length ? html`<ul class="plain">${data.suggestions.map((s) => html`<li key=${s.id}>
			<a ...${link(`${base(p)}/board/${s.id}`)}>${s.title}</a> <span class="muted">${s.votes} ${s.votes === 1 ? 'vote' : 'votes'}</span>
			${' '}<${SuggestionStatus} s=${s} /></li>`)}</ul>` : html`<p class="empty">No suggestion on the board.</p>`}
		<h2>Reported problems fixed</h2>
		${(data.fixed || []).length ? html`<ul class="plain">${data.fixed.map((f, i) => html`<li key=${i}>${f.title}
			${f.fixed_in ? html` <span class="muted">fixed in ${f.fixed_in}</span>` : null}</li>`)}</ul>`
			: html`<p class="empty">None yet.</p>`}
	</${Page}>`;
}
