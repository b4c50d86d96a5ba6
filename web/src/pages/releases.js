// releases.js - a project's releases in history order; register one (release managers) and sync the repository.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute, link, navigate } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Page, Time, Loading, Notice, useLoad } from '../lib/ui.js';
import { Input, PageError, canRelease, fieldError, formError, projectApi } from './relui_parts.js';

function RegisterForm({ project, onDone }) {
	const [name, setName] = useState('');
	const [ref, setRef] = useState('');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			const rel = await api.post(projectApi(project, '/releases'), { name, ref });
			setName('');
			setRef('');
			onDone(rel);
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	const other = formError(error, ['name', 'ref']);
	return html`<form class="card form-inline" onSubmit=${submit} aria-labelledby="register-h">
		<h2 id="register-h">Register a release</h2>
		${other && html`<${PageError} error=${other} />`}
		<${Input} label="Name" value=${name} onInput=${setName} required
			hint="e.g. 1.4.0: letters, digits, . _ - +" error=${fieldError(error, 'name')} />
		<${Input} label="Git ref" value=${ref} onInput=${setRef} required
			hint="a tag, branch or commit of the repository" error=${fieldError(error, 'ref')} />
		<div class="actions"><button type="submit" class="primary" disabled=${busy}>${busy ? 'Registering…' : 'Register'}</button></div>
	</form>`;
}

function plural(n, one, many) {
	return `${n} ${n === 1 ? one : many || `${one}s`}`;
}

function SyncBox({ project, onDone }) {
	const [busy, setBusy] = useState(false);
	const [result, setResult] = useState(null);
	const [error, setError] = useState(null);
	const sync = async () => {
		setBusy(true);
		setError(null);
		setResult(null);
		try {
			const r = await api.post(projectApi(project, '/sync'));
			setResult(r);
			onDone();
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	return html`<section class="card" aria-labelledby="sync-h">
		<h2 id="sync-h">Sync the repository</h2>
		<p>Reads the commits not seen before and applies what they fix and implement.</p>
		<button type="button" onClick=${sync} disabled=${busy}>${busy ? 'Syncing…' : 'Sync now'}</button>
		<div aria-live="polite">
			${result && html`<p class="sync-result" role="status">Sync done: ${plural(result.new_commits, 'new commit')},
				${plural(result.links, 'link')}, ${plural(result.resolved, 'revision')} resolved,
				${plural(result.regressed, 'group')} marked regressed${result.fetched ? '' : ' (the remote was not fetched)'}.</p>`}
			${error && html`<${PageError} error=${error} />`}
		</div>
	</section>`;
}

export default function Releases() {
	const { params } = useRoute();
	const project = params.p;
	const session = useSession();
	const { data, error, loading, reload } = useLoad(() => api.get(projectApi(project, '/releases')), [project]);
	const [made, setMade] = useState(null);
	const releasePath = (name) => `/p/${encodeURIComponent(project)}/releases/${encodeURIComponent(name)}`;
	let body;
	if (error) body = html`<${PageError} error=${error} what="this project's releases" />`;
	else if (loading && !data) body = html`<${Loading} />`;
	else {
		const items = data.items || [];
		body = html`
			${items.length === 0 ? html`<p>No releases yet.</p>` : html`
			<div class="table-wrap"><table class="releases">
				<caption>Releases, the latest in history order first</caption>
				<thead><tr><th scope="col">Release</th><th scope="col">Ref</th><th scope="col">Commit</th>
					<th scope="col">Registered</th><th scope="col" class="num">Fixed groups</th>
					<th scope="col" class="num">Fixed reports</th><th scope="col" class="num">Shipped suggestions</th></tr></thead>
				<tbody>${items.map((r) => html`<tr key=${r.name}>
					<th scope="row"><a ...${link(releasePath(r.name))}>${r.name}</a></th>
					<td><code>${r.ref}</code></td><td><code title=${r.commit}>${(r.commit || '').slice(0, 10)}</code></td>
					<td><${Time} iso=${r.created_at} /></td><td class="num">${r.fixed_groups}</td>
					<td class="num">${r.fixed_reports}</td><td class="num">${r.shipped_suggestions}</td></tr>`)}</tbody>
			</table></div>`}`;
	}
	return html`<${Page} title=${`Releases · ${project}`}>
		${made && html`<${Notice} kind="ok">Release <a ...${link(releasePath(made.name))}>${made.name}</a> registered at commit <code>${(made.commit || '').slice(0, 10)}</code>.<//>`}
		${body}
		<div class="grid-2">
			${canRelease(session) && html`<${RegisterForm} project=${project} onDone=${(r) => { setMade(r); reload(); }} />`}
			<${SyncBox} project=${project} onDone=${reload} />
		</div>
	<//>`;
}
