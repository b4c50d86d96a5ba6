// admin_project.js - one project's settings (repository, commit URL, version tag, public), its DSN, and its ingest keys (add, revoke).
import { html, useState, useEffect } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute, link } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Page, Time, Loading, Copy, Notice, useLoad } from '../lib/ui.js';
import { Input, Check, PageError, ConfirmButton, isAdmin, fieldError, formError, projectApi } from './relui_parts.js';

const FIELDS = ['repo', 'commit_url', 'version_tag', 'public'];

function Settings({ project, data, onSaved }) {
	const from = (d) => ({ repo: d.repo || '', commit_url: d.commit_url || '', version_tag: d.version_tag || '', public: !!d.public });
	const [f, setF] = useState(from(data));
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const [saved, setSaved] = useState(false);
	useEffect(() => setF(from(data)), [data]);
	const set = (k) => (v) => { setSaved(false); setF({ ...f, [k]: v }); };
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		const body = { public: f.public };
		for (const k of ['repo', 'commit_url', 'version_tag']) body[k] = f[k].trim() || null;
		try {
			const p = await api.patch(projectApi(project), body);
			setSaved(true);
			onSaved(p);
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	const other = formError(error, FIELDS);
	return html`<form class="card" onSubmit=${submit} aria-labelledby="settings-h">
		<h2 id="settings-h">Settings</h2>
		${other && html`<${PageError} error=${other} />`}
		<${Input} label="Git repository (path on the server)" value=${f.repo} onInput=${set('repo')} error=${fieldError(error, 'repo')} />
		<${Input} label="Commit URL" value=${f.commit_url} onInput=${set('commit_url')} error=${fieldError(error, 'commit_url')}
			hint="e.g. https://git.example.org/app/commit/{id}" />
		<${Input} label="Version tag pattern" value=${f.version_tag} onInput=${set('version_tag')} error=${fieldError(error, 'version_tag')}
			hint="how a build.version names its tag, e.g. v{version}" />
		<${Check} label="Public (visible to visitors who are not signed in)" checked=${f.public} onChange=${set('public')} />
		<div class="actions"><button type="submit" class="primary" disabled=${busy}>${busy ? 'Saving…' : 'Save settings'}</button>
			<span role="status">${saved ? 'Saved.' : ''}</span></div>
	</form>`;
}

function Keys({ project }) {
	const path = projectApi(project, '/keys');
	const { data, error, loading, reload } = useLoad(() => api.get(path), [path]);
	const [busy, setBusy] = useState(false);
	const [added, setAdded] = useState(null);
	const [actError, setActError] = useState(null);
	const add = async () => {
		setBusy(true);
		setActError(null);
		try {
			setAdded(await api.post(path, {}));
			reload();
		} catch (err) {
			setActError(err);
		} finally {
			setBusy(false);
		}
	};
	const revoke = async (key) => {
		setActError(null);
		try {
			await api.del(`${path}/${encodeURIComponent(key)}`);
			if (added && added.key === key) setAdded(null);
			reload();
		} catch (err) {
			setActError(err);
		}
	};
	let list;
	if (error) list = html`<${PageError} error=${error} what="the ingest keys" />`;
	else if (loading && !data) list = html`<${Loading} />`;
	else {
		const items = data.items || [];
		list = items.length === 0 ? html`<p>No ingest keys: builds cannot send reports until one is added.</p>` : html`
		<div class="table-wrap"><table>
			<caption class="visually-hidden">Ingest keys</caption>
			<thead><tr><th scope="col">Key</th><th scope="col">Created</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
			<tbody>${items.map((k) => html`<tr key=${k.key}>
				<td><code>${k.key}</code> <${Copy} text=${k.key} label=${`Copy key ${k.key}`} /></td>
				<td><${Time} iso=${k.created_at} /></td>
				<td>${k.revoked_at ? html`revoked <${Time} iso=${k.revoked_at} />` : 'active'}</td>
				<td>${k.revoked_at ? '' : html`<${ConfirmButton} label="Revoke" question=${`Revoke key ${k.key.slice(0, 8)}…? Builds using it stop sending.`}
					confirmLabel="Yes, revoke" onConfirm=${() => revoke(k.key)} />`}</td></tr>`)}</tbody>
		</table></div>`;
	}
	return html`<section class="card" aria-labelledby="keys-h">
		<h2 id="keys-h">Ingest keys</h2>
		<p>A key is public by design: it ships inside beta builds, as the user part of the DSN.</p>
		${list}
		${actError && html`<${PageError} error=${actError} />`}
		${added && html`<${Notice} kind="ok"><p>Key added. DSN with it:</p>
			<p class="secret-row"><code class="dsn">${added.dsn || added.key}</code> <${Copy} text=${added.dsn || added.key} label="Copy new DSN" /></p><//>`}
		<button type="button" onClick=${add} disabled=${busy}>${busy ? 'Adding…' : 'Add a key'}</button>
	</section>`;
}

export default function AdminProject() {
	const { params } = useRoute();
	const project = params.p;
	const session = useSession();
	const { data, error, loading, reload } = useLoad(() => api.get(projectApi(project)), [project]);
	const back = html`<p><a ...${link('/admin/projects')}>← All projects</a></p>`;
	if (session && !isAdmin(session))
		return html`<${Page} title=${`Project ${project}`}>${back}<${PageError} error=${{ status: 403, message: 'this page is for admins' }} what="the project settings" /><//>`;
	if (error) return html`<${Page} title=${`Project ${project}`}>${back}<${PageError} error=${error} what="this project" /><//>`;
	if (loading && !data) return html`<${Page} title=${`Project ${project}`}><${Loading} /><//>`;
	return html`<${Page} title=${`Project ${data.name}`}>
		${back}
		<section class="card" aria-labelledby="dsn-h">
			<h2 id="dsn-h">DSN</h2>
			<p>Builds send their reports to:</p>
			<p class="secret-row"><code class="dsn">${data.dsn}</code> <${Copy} text=${data.dsn} label="Copy DSN" /></p>
			<p>Created <${Time} iso=${data.created_at} />. <a ...${link(`/p/${encodeURIComponent(data.name)}`)}>Open the project</a></p>
		</section>
		<${Settings} project=${project} data=${data} onSaved=${reload} />
		<${Keys} project=${project} />
	<//>`;
}
