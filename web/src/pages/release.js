// release.js - one release: what it shipped and fixed, who to thank, and its Markdown notes (rendered, copyable, downloadable).
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute, link } from '../lib/router.js';
import { Page, Time, Loading, Markdown, Copy, Id, ErrorBox, useLoad } from '../lib/ui.js';
import { PageError, projectApi } from './relui_parts.js';

function Section({ id, title, count, children }) {
	return html`<section aria-labelledby=${id}>
		<h2 id=${id}>${title}${count !== undefined ? html` <span class="count">(${count})</span>` : ''}</h2>
		${children}
	</section>`;
}

function Suggestions({ project, items }) {
	if (!items.length) return html`<p>No suggestions shipped in this release.</p>`;
	return html`<div class="table-wrap"><table>
		<caption class="visually-hidden">Suggestions shipped</caption>
		<thead><tr><th scope="col">ID</th><th scope="col">Title</th><th scope="col" class="num">Votes</th>
			<th scope="col">Suggested by</th><th scope="col">Thanks to</th></tr></thead>
		<tbody>${items.map((s) => html`<tr key=${s.id}>
			<td><${Id} project=${project} id=${s.id} /></td><td>${s.title}</td><td class="num">${s.votes}</td>
			<td>${s.suggested_by || '—'}</td>
			<td>${[...(s.credited || []), ...(s.others ? [`${s.others} more`] : [])].join(', ') || '—'}</td></tr>`)}</tbody>
	</table></div>`;
}

function Groups({ project, items }) {
	if (!items.length) return html`<p>No groups fixed in this release.</p>`;
	return html`<div class="table-wrap"><table>
		<caption class="visually-hidden">Groups fixed</caption>
		<thead><tr><th scope="col">ID</th><th scope="col">Title</th><th scope="col" class="num">Reports</th>
			<th scope="col" class="num">Testers</th><th scope="col">Fixed by</th></tr></thead>
		<tbody>${items.map((g) => html`<tr key=${g.id}>
			<td><${Id} project=${project} id=${g.id} /></td><td>${g.title}</td><td class="num">${g.count}</td>
			<td class="num">${g.testers}</td><td><code title=${g.fixed_by}>${(g.fixed_by || '').slice(0, 10)}</code></td></tr>`)}</tbody>
	</table></div>`;
}

function Reports({ project, items }) {
	if (!items.length) return html`<p>No reports fixed in this release.</p>`;
	return html`<div class="table-wrap"><table>
		<caption class="visually-hidden">Reports fixed</caption>
		<thead><tr><th scope="col">ID</th><th scope="col">Title</th><th scope="col">Fixed by</th></tr></thead>
		<tbody>${items.map((r) => html`<tr key=${r.id}>
			<td><${Id} project=${project} id=${r.id} /></td><td>${r.title}</td>
			<td><code title=${r.fixed_by}>${(r.fixed_by || '').slice(0, 10)}</code></td></tr>`)}</tbody>
	</table></div>`;
}

function Contributors({ items }) {
	if (!items.length) return html`<p>No named testers to thank in this release.</p>`;
	return html`<ul class="contributors">${items.map((c) => html`<li key=${c.name}>${c.name}:
		${[c.suggestions ? `${c.suggestions} shipped suggestion${c.suggestions === 1 ? '' : 's'}` : null,
			c.fixed_reports ? `${c.fixed_reports} fixed report${c.fixed_reports === 1 ? '' : 's'}` : null]
			.filter(Boolean).join(', ')}</li>`)}</ul>`;
}

function Notes({ project, name }) {
	const path = projectApi(project, `/releases/${encodeURIComponent(name)}/notes`);
	const { data, error, loading } = useLoad(() => api.text(path), [path]);
	if (error) return html`<${ErrorBox} error=${error} />`;
	if (loading && data == null) return html`<${Loading} />`;
	return html`<div class="notes-actions">
			<${Copy} text=${data} label="Copy Markdown" />
			<a class="button" href=${path} download=${`release-${name}.md`}>Download .md</a>
		</div>
		<article class="notes markdown" aria-label="Release notes, rendered"><${Markdown} text=${data} /></article>`;
}

export default function Release() {
	const { params } = useRoute();
	const project = params.p;
	const name = params.name;
	const { data, error, loading } = useLoad(
		() => api.get(projectApi(project, `/releases/${encodeURIComponent(name)}`)), [project, name]);
	const back = html`<p><a ...${link(`/p/${encodeURIComponent(project)}/releases`)}>← All releases</a></p>`;
	if (error) return html`<${Page} title=${`Release ${name}`}>${back}<${PageError} error=${error} what="this release" /><//>`;
	if (loading && !data) return html`<${Page} title=${`Release ${name}`}><${Loading} /><//>`;
	const r = data;
	return html`<${Page} title=${`Release ${r.name}`}>
		${back}
		<dl class="facts">
			<dt>Ref</dt><dd><code>${r.ref}</code></dd>
			<dt>Commit</dt><dd><code>${r.commit}</code></dd>
			<dt>Registered</dt><dd><${Time} iso=${r.created_at} /></dd>
			<dt>Place in history</dt><dd>${r.position + 1}</dd>
		</dl>
		<${Section} id="rel-sugg" title="Suggestions shipped" count=${r.shipped_suggestions.length}>
			<${Suggestions} project=${project} items=${r.shipped_suggestions} /><//>
		<${Section} id="rel-groups" title="Groups fixed" count=${r.fixed_groups.length}>
			<${Groups} project=${project} items=${r.fixed_groups} /><//>
		<${Section} id="rel-reports" title="Reports fixed" count=${r.fixed_reports.length}>
			<${Reports} project=${project} items=${r.fixed_reports} /><//>
		<${Section} id="rel-thanks" title="Contributors" count=${r.contributors.length}>
			<${Contributors} items=${r.contributors} /><//>
		<${Section} id="rel-notes" title="Release notes"><${Notes} project=${project} name=${r.name} /><//>
	<//>`;
}
