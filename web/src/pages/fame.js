// fame.js - the hall of fame: contributors ranked by reports fixed, suggestions shipped and votes on what shipped.
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, setQuery, useRoute } from '../lib/router.js';
import { Loading, Page, Table, useLoad } from '../lib/ui.js';
import { apiBase, base, Failed } from './board_common.js';

export function FamePage() {
	const { params, query } = useRoute();
	const p = params.p;
	const rel = query.release || '';
	const { data, error, loading } = useLoad(
		() => api.get(`${apiBase(p)}/fame`, { release: rel }, { noRedirect: true }), [p, rel]);
	const releases = useLoad(() => api.get(`${apiBase(p)}/shipped`, null, { noRedirect: true }), [p]);
	if (error && !(error.status === 404 && rel && !/project/.test(error.message || '')))
		return html`<${Failed} error=${error} title="Hall of fame" />`;
	const names = ((releases.data && releases.data.releases) || []).map((r) => r.name);
	const items = ((data && data.items) || []).map((it, i) => ({ ...it, id: it.name, rank: i + 1 }));
	const others = data ? Number(data.others) || 0 : 0;
	return html`<${Page} title=${`Hall of fame of ${p}`}>
		<p class="lede">The testers who helped most: 3 points per reported problem fixed and per suggestion shipped,
			1 per vote on a suggestion that shipped. Only testers who chose to be credited are named.</p>
		<div class="filters">
			<div class="filter"><label for="fame-release">Release</label>
				<select id="fame-release" value=${rel} onChange=${(e) => setQuery({ release: e.target.value })}>
					<option value="">All time</option>
					${names.map((n) => html`<option value=${n}>${n}</option>`)}
				</select></div>
		</div>
		${error ? html`<p class="empty">No such release.</p>` : null}
		${loading && !data ? html`<${Loading} />` : null}
		${data ? html`<${Table} caption=${rel ? `Contributors to ${rel}` : 'Contributors, all time'} rows=${items}
			empty="No credited contributor yet." columns=${[
			{ key: 'rank', label: 'Rank', align: 'right' },
			{ key: 'name', label: 'Tester', render: (t) => html`<a ...${link(`${base(p)}/testers/${encodeURIComponent(t.name)}`)}>${t.name}</a>` },
			{ key: 'reports_fixed', label: 'Reports fixed', align: 'right' },
			{ key: 'suggestions_shipped', label: 'Suggestions shipped', align: 'right' },
			{ key: 'votes_shipped', label: 'Votes on shipped', align: 'right' },
			{ key: 'score', label: 'Score', align: 'right' },
		]} />
		${others ? html`<p class="muted">And ${others} ${others === 1 ? 'tester' : 'testers'} who helped without a name.</p>` : null}` : null}
	</${Page}>`;
}
