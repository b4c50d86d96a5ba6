// admin_projects.js - admins list the projects and create one (repository, commit URL, version tag, public); the new DSN, Sentry DSN and ingest key are shown with copy buttons.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Page, Time, Loading, Copy, Notice, Field, Table, useLoad } from '../lib/ui.js';
import { PageError, NotAdmin, isAdmin, fieldError, formError, value, AdminNav, SentryDsn } from './relui_parts.js';

const FIELDS = ['name', 'repo', 'commit_url', 'version_tag', 'public'];

function CreateForm({ onDone }) {
	const empty = { name: '', repo: '', commit_url: '', version_tag: '', public: false };
	const [f, setF] = useState(empty);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const set = (k) => (v) => setF({ ...f, [k]: v });
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		const body = { name: f.name, public: f.public };
		for (const k of ['repo', 'commit_url', 'version_tag']) if (f[k].trim()) body[k] = f[k].trim();
		try {
			const p = await api.post('/api/v1/projects', body);
			setF(empty);
			onDone(p);
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	const other = formError(error, FIELDS);
	return html`<form class="card" onSubmit=${submit} aria-labelledby="newproj-h">
		<h2 id="newproj-h">New project</h2>
		${other && html`<${PageError} error=${other} />`}
		<${Field} label="Name" value=${f.name} onInput=${value(set('name'))} required autocomplete="off"
			error=${fieldError(error, 'name')} hint="used in URLs and the DSN" />
		<${Field} label="Git repository (path on the server)" value=${f.repo} onInput=${value(set('repo'))}
			autocomplete="off" error=${fieldError(error, 'repo')} />
		<${Field} label="Commit URL" value=${f.commit_url} onInput=${value(set('commit_url'))} autocomplete="off"
			error=${fieldError(error, 'commit_url')} hint="e.g. https://git.example.org/app/commit/{id}" />
		<${Field} label="Version tag pattern" value=${f.version_tag} onInput=${value(set('version_tag'))} autocomplete="off"
			error=${fieldError(error, 'version_tag')} hint="how a build.version names its tag, e.g. v{version}" />
		<${Field} type="checkbox" label="Public (visible to visitors who are not signed in)" checked=${f.public}
			onChange=${(e) => set('public')(e.currentTarget.checked)} error=${fieldError(error, 'public')} />
		<div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Creating…' : 'Create project'}</button></div>
	</form>`;
}

export function AdminProjectsPage() {
	const session = useSession();
	const { data, error, loading, reload } = useLoad(() => api.get('/api/v1/projects'), []);
	const [made, setMade] = useState(null);
	if (session && !isAdmin(session))
		return html`<${Page} title="Projects"><${NotAdmin} what="the project settings" /><//>`;
	let body;
	if (error) body = html`<${PageError} error=${error} what="the projects" />`;
	else if (loading && !data) body = html`<${Loading} />`;
	else body = html`<${Table} caption="Projects" rows=${data.items} empty="No projects yet." columns=${[
		{ key: 'name', label: 'Project', render: (p) => html`<a ...${link(`/admin/projects/${encodeURIComponent(p.name)}`)}>${p.name}</a>` },
		{ key: 'public', label: 'Visibility', render: (p) => (p.public ? 'public' : 'private') },
		{ key: 'created_at', label: 'Created', render: (p) => html`<${Time} iso=${p.created_at} />` },
	]} />`;
	return html`<${Page} title="Projects">
		<div class="relui-stack">
		<${AdminNav} />
		${made && html`<${Notice} kind="ok">
			<p>Project <a ...${link(`/admin/projects/${encodeURIComponent(made.name)}`)}>${made.name}</a> created.
			Builds send reports to this DSN:</p>
			<p class="secret-row"><code class="dsn">${made.dsn}</code> <${Copy} text=${made.dsn} label="Copy DSN" /></p>
			${made.sentry_dsn ? html`<${SentryDsn} dsn=${made.sentry_dsn} />` : null}
		<//>`}
		${body}
		<${CreateForm} onDone=${(p) => { setMade(p); reload(); }} />
		</div>
	<//>`;
}
