// releases.js - a project's releases in history order; register one (release managers) and sync the repository.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute, link } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Page, Time, Loading, Notice, Field, Table, useLoad } from '../lib/ui.js';
import { PageError, canRelease, fieldError, formError, projectApi, plural, shortId, value } from './relui_parts.js';

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
	return html`<form class="card" onSubmit=${submit} aria-labelledby="register-h">
		<h2 id="register-h">Register a release</h2>
		${other && html`<${PageError} error=${other} />`}
		<${Field} label="Name" value=${name} onInput=${value(setName)} required autocomplete="off"
			hint="e.g. 1.4.0: letters, digits, . _ - +" error=${fieldError(error, 'name')} />
		<${Field} label="Git ref" value=${ref} onInput=${value(setRef)} required autocomplete="off"
			hint="a tag, branch or commit of the repository" error=${fieldError(error, 'ref')} />
		<div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Registering…' : 'Register'}</button></div>
	</form>`;
}

/* What a sync found, in words. */
function syncText(r) {
	return `Sync done: ${plural(r.new_commits, 'new commit')}, ${plural(r.links, 'link')}, ` +
		`${plural(r.resolved, 'revision')} resolved, ${plural(r.regressed, 'group')} marked regressed` +
		`${r.fetched ? '' : ' (the remote could not be fetched)'}.`;
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
		<button type="button" class="btn" onClick=${sync} disabled=${busy}>${busy ? 'Syncing…' : 'Sync now'}</button>
		<div aria-live="polite">
			${result && html`<p class="sync-result" role="status">${syncText(result)}</p>`}
			${error && html`<${PageError} error=${error} />`}
		</div>
	</section>`;
}

export function ReleasesPage() {
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
		body = html`<${Table} caption="Releases, the latest in history order first" rows=${data.items || []}
			empty="No releases yet." columns=${[
				{ key: 'name', label: 'Release', render: (r) => html`<a ...${link(releasePath(r.name))}>${r.name}</a>` },
				{ key: 'ref', label: 'Ref', render: (r) => html`<code>${r.ref}</code>` },
				{ key: 'commit', label: 'Commit', render: (r) => html`<code title=${r.commit}>${shortId(r.commit)}</code>` },
				{ key: 'created_at', label: 'Registered', render: (r) => html`<${Time} iso=${r.created_at} />` },
				{ key: 'fixed_groups', label: 'Fixed groups', align: 'right' },
				{ key: 'fixed_reports', label: 'Fixed reports', align: 'right' },
				{ key: 'shipped_suggestions', label: 'Shipped suggestions', align: 'right' },
			]} />`;
	}
	return html`<${Page} title=${`Releases · ${project}`}>
		<div class="relui-stack">
		${made && html`<${Notice} kind="ok">Release <a ...${link(releasePath(made.name))}>${made.name}</a> registered at commit <code>${shortId(made.commit)}</code>.<//>`}
		${body}
		<div class="relui-side">
			${canRelease(session) && html`<${RegisterForm} project=${project} onDone=${(r) => { setMade(r); reload(); }} />`}
			<${SyncBox} project=${project} onDone=${reload} />
		</div>
		</div>
	<//>`;
}
