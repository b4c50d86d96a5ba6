// release.js - one release: what it shipped and fixed, who to thank, and its Markdown notes (rendered, copyable, downloadable).
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute, link } from '../lib/router.js';
import { Page, Time, Loading, Markdown, Copy, Id, ErrorBox, Table, useLoad } from '../lib/ui.js';
import { PageError, projectApi } from './relui_parts.js';
import { Commit } from './triage_parts.js';

function Section({ id, title, count, children }) {
	return html`<section class="relui-section" aria-labelledby=${id}>
		<h2 id=${id}>${title}${count !== undefined ? html` <span class="count">(${count})</span>` : ''}</h2>
		${children}
	</section>`;
}

function Suggestions({ project, items }) {
	return html`<${Table} rows=${items} empty="No suggestions shipped in this release." columns=${[
		{ key: 'id', label: 'ID', render: (s) => html`<${Id} project=${project} id=${s.id} />` },
		{ key: 'title', label: 'Title' },
		{ key: 'votes', label: 'Votes', align: 'right' },
		{ key: 'suggested_by', label: 'Suggested by' },
		{ key: 'credited', label: 'Thanks to', render: (s) => thanks(s.credited, s.others) },
	]} />`;
}

/* "Ada, Grace and 3 more" */
function thanks(names, others) {
	const all = [...(names || []), ...(others ? [`${others} more`] : [])];
	return all.length ? all.join(', ') : '—';
}

function Groups({ project, items, commitUrl }) {
	return html`<${Table} rows=${items} empty="No groups fixed in this release." columns=${[
		{ key: 'id', label: 'ID', render: (g) => html`<${Id} project=${project} id=${g.id} />` },
		{ key: 'title', label: 'Title' },
		{ key: 'count', label: 'Reports', align: 'right' },
		{ key: 'testers', label: 'Testers', align: 'right' },
		{ key: 'fixed_by', label: 'Fixed by', render: (g) => html`<${Commit} id=${g.fixed_by} template=${commitUrl} />` },
	]} />`;
}

function Reports({ project, items, commitUrl }) {
	return html`<${Table} rows=${items} empty="No reports fixed in this release." columns=${[
		{ key: 'id', label: 'ID', render: (r) => html`<${Id} project=${project} id=${r.id} />` },
		{ key: 'title', label: 'Title' },
		{ key: 'fixed_by', label: 'Fixed by', render: (r) => html`<${Commit} id=${r.fixed_by} template=${commitUrl} />` },
	]} />`;
}

function Contributors({ items }) {
	if (!items.length) return html`<p>No named testers to thank in this release.</p>`;
	const what = (c) => [
		c.suggestions ? `${c.suggestions} shipped suggestion${c.suggestions === 1 ? '' : 's'}` : null,
		c.fixed_reports ? `${c.fixed_reports} fixed report${c.fixed_reports === 1 ? '' : 's'}` : null,
	].filter(Boolean).join(', ');
	return html`<ul class="contributors">${items.map((c) => html`<li key=${c.name}>${`${c.name}: ${what(c)}`}</li>`)}</ul>`;
}

function Notes({ project, name }) {
	const path = projectApi(project, `/releases/${encodeURIComponent(name)}/notes`);
	const { data, error, loading } = useLoad(() => api.get(path), [path]);
	if (error) return html`<${ErrorBox} error=${error} />`;
	if (loading && data == null) return html`<${Loading} />`;
	return html`<div class="notes-actions">
			<${Copy} text=${data} label="Copy Markdown" />
			<a class="btn btn-quiet" href=${path} download=${`release-${name}.md`}>Download .md</a>
		</div>
		<article class="notes markdown" aria-label="Release notes, rendered"><${Markdown} text=${data} /></article>`;
}

export function ReleasePage() {
	const { params } = useRoute();
	const project = params.p;
	const name = params.name;
	const { data, error, loading } = useLoad(
		() => api.get(projectApi(project, `/releases/${encodeURIComponent(name)}`)), [project, name]);
	// the project's commit URL, to link commits as the group and report pages do (optional)
	const settings = useLoad(() => api.get(projectApi(project)).catch(() => null), [project]);
	const commitUrl = settings.data && typeof settings.data.commit_url === 'string' ? settings.data.commit_url : null;
	const back = html`<p><a ...${link(`/p/${encodeURIComponent(project)}/releases`)}>← All releases</a></p>`;
	if (error) return html`<${Page} title=${`Release ${name}`}>${back}<${PageError} error=${error} what="this release" /><//>`;
	if (loading && !data) return html`<${Page} title=${`Release ${name}`}><${Loading} /><//>`;
	const r = data;
	return html`<${Page} title=${`Release ${r.name}`}>
		<div class="relui-stack">
		${back}
		<dl class="facts">
			<dt>Ref</dt><dd><code>${r.ref}</code></dd>
			<dt>Commit</dt><dd><${Commit} id=${r.commit} template=${commitUrl} /></dd>
			<dt>Registered</dt><dd><${Time} iso=${r.created_at} /></dd>
			<dt>Place in history</dt><dd>${r.position + 1}</dd>
		</dl>
		<${Section} id="rel-sugg" title="Suggestions shipped" count=${r.shipped_suggestions.length}>
			<${Suggestions} project=${project} items=${r.shipped_suggestions} /><//>
		<${Section} id="rel-groups" title="Groups fixed" count=${r.fixed_groups.length}>
			<${Groups} project=${project} items=${r.fixed_groups} commitUrl=${commitUrl} /><//>
		<${Section} id="rel-reports" title="Reports fixed" count=${r.fixed_reports.length}>
			<${Reports} project=${project} items=${r.fixed_reports} commitUrl=${commitUrl} /><//>
		<${Section} id="rel-thanks" title="Contributors" count=${r.contributors.length}>
			<${Contributors} items=${r.contributors} /><//>
		<${Section} id="rel-notes" title="Release notes"><${Notes} project=${project} name=${r.name} /><//>
		</div>
	<//>`;
}
