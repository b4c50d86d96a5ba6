// shipped.js - release by release: what the community asked for and got, what was fixed, who helped.
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, useRoute } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Loading, Page, Time, useLoad } from '../lib/ui.js';
import { apiBase, base, Failed, viewer } from './board_common.js';

// "Thanks to Ada, Bob and 3 other testers."
export function Credits({ p, names, others }) {
	const list = names || [];
	const n = Number(others) || 0;
	if (!list.length && !n)
		return null;
	return html`<p class="credits">Thanks to ${list.map((name, i) => html`${i ? (i === list.length - 1 && !n ? ' and ' : ', ') : ''}<a
		...${link(`${base(p)}/testers/${encodeURIComponent(name)}`)}>${name}</a>`)}${n
		? html`${list.length ? ' and ' : ''}${n} ${list.length ? 'other ' : ''}${n === 1 ? 'tester' : 'testers'}` : null}.</p>`;
}

function Release({ p, r, team }) {
	const hid = `rel-${r.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
	return html`<section class="card release" aria-labelledby=${hid}>
		<h2 id=${hid}>${r.name} <span class="muted release-date"><${Time} iso=${r.date} /></span></h2>
		<h3>Asked for and shipped</h3>
		${(r.suggestions || []).length ? html`<ul class="plain">${r.suggestions.map((s) => html`<li key=${s.id}>
			<a ...${link(`${base(p)}/board/${s.id}`)}>${s.title}</a> <span class="muted">${s.votes} ${s.votes === 1 ? 'vote' : 'votes'}</span></li>`)}</ul>`
			: html`<p class="empty">No community suggestion in this release.</p>`}
		<h3>Reported problems fixed</h3>
		${(r.fixed || []).length ? html`<ul class="plain">${r.fixed.map((g) => html`<li key=${g.id}>
			${team ? html`<a class="id" ...${link(`${base(p)}/groups/${g.id}`)}>${g.id}</a>` : html`<span class="id">${g.id}</span>`}
			${' '}${g.title} <span class="muted">${g.reports} ${g.reports === 1 ? 'report' : 'reports'}</span></li>`)}</ul>`
			: html`<p class="empty">No reported problem fixed in this release.</p>`}
		<${Credits} p=${p} names=${r.credited} others=${r.others} />
	</section>`;
}

export function ShippedPage() {
	const { params } = useRoute();
	const p = params.p;
	const who = viewer(useSession(), p);
	const { data, error, loading } = useLoad(() => api.get(`${apiBase(p)}/shipped`, null, { noRedirect: true }), [p]);
	if (error)
		return html`<${Failed} error=${error} title="Shipped" />`;
	return html`<${Page} title=${`Shipped in ${p}`}>
		<p class="lede">Release by release: what the community asked for and got, which reported problems were fixed, and who helped.</p>
		${loading && !data ? html`<${Loading} />` : null}
		${data ? ((data.releases || []).length
			? data.releases.map((r) => html`<${Release} key=${r.name} p=${p} r=${r} team=${who === 'team'} />`)
			: html`<p class="empty">Nothing released yet.</p>`) : null}
	</${Page}>`;
}
