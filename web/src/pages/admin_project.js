// admin_project.js - one project's settings (repository, commit URL, version tag, public), its DSN and Sentry DSN, and its ingest keys (add, revoke).
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useRoute, link } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Page, Time, Loading, Copy, Notice, Field, Table, useLoad } from '../lib/ui.js';
import { PageError, NotAdmin, ConfirmButton, isAdmin, fieldError, formError, projectApi, value, AdminNav, SentryDsn } from './relui_parts.js';
import { IntakeSection } from './admin_intake.js';
import { WebhooksSection } from './admin_webhooks.js';

const FIELDS = ['repo', 'commit_url', 'version_tag', 'public'];

function Settings({ project, data, onSaved }) {
	const from = (d) => ({ repo: d.repo || '', commit_url: d.commit_url || '', version_tag: d.version_tag || '', public: !!d.public });
	const [f, setF] = useState(from(data));
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const [saved, setSaved] = useState(false);
	useFollow(() => setF(from(data)), [data]);
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
		<${Field} label="Git repository (path on the server)" value=${f.repo} onInput=${value(set('repo'))} autocomplete="off"
			error=${fieldError(error, 'repo')} />
		<${Field} label="Commit URL" value=${f.commit_url} onInput=${value(set('commit_url'))} autocomplete="off"
			error=${fieldError(error, 'commit_url')} hint="e.g. https://git.example.org/app/commit/{id}" />
		<${Field} label="Version tag pattern" value=${f.version_tag} onInput=${value(set('version_tag'))} autocomplete="off"
			error=${fieldError(error, 'version_tag')} hint="how a build.version names its tag, e.g. v{version}" />
		<${Field} type="checkbox" label="Public (visible to visitors who are not signed in)" checked=${f.public}
			onChange=${(e) => set('public')(e.currentTarget.checked)} error=${fieldError(error, 'public')} />
		<div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Saving…' : 'Save settings'}</button>
			<span role="status">${saved ? 'Saved.' : ''}</span></div>
	</form>`;
}

function Keys({ project, onChanged }) {
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
			onChanged();
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
			onChanged();
		} catch (err) {
			setActError(err);
		}
	};
	let list;
	if (error) list = html`<${PageError} error=${error} what="the ingest keys" />`;
	else if (loading && !data) list = html`<${Loading} />`;
	else {
		list = html`<${Table} rows=${(data.items || []).map((k) => ({ ...k, id: k.key }))}
			empty="No ingest keys: builds cannot send reports until one is added." columns=${[
				{ key: 'key', label: 'Key', render: (k) => html`<code>${k.key}</code>` },
				{ key: 'dsn', label: 'DSN', render: (k) => (k.dsn ? html`<${Copy} text=${k.dsn} label=${html`Copy DSN<span class="sr-only"> with key ${k.key}</span>`} />` : '—') },
				{ key: 'created_at', label: 'Created', render: (k) => html`<${Time} iso=${k.created_at} />` },
				{ key: 'revoked_at', label: 'State', render: (k) => (k.revoked_at ? html`revoked <${Time} iso=${k.revoked_at} />` : 'active') },
				{ key: 'action', label: 'Action', render: (k) => (k.revoked_at ? '' : html`<${ConfirmButton} label=${html`Revoke<span class="sr-only"> key ${k.key}</span>`}
					question=${`Revoke key ${k.key.slice(0, 8)}…? Builds using it can no longer send.`}
					confirmLabel="Yes, revoke" onConfirm=${() => revoke(k.key)} />`) },
			]} />`;
	}
	return html`<section class="card" aria-labelledby="keys-h">
		<h2 id="keys-h">Ingest keys</h2>
		<p>A key is public by design: it ships inside beta builds, as the user part of the DSN.</p>
		${list}
		${actError && html`<${PageError} error=${actError} />`}
		${added && html`<${Notice} kind="ok"><p>Key added. DSN with it:</p>
			<p class="secret-row"><code class="dsn">${added.dsn || added.key}</code> <${Copy} text=${added.dsn || added.key} label="Copy new DSN" /></p><//>`}
		<button type="button" class="btn" onClick=${add} disabled=${busy}>${busy ? 'Adding…' : 'Add a key'}</button>
	</section>`;
}

export function AdminProjectPage() {
	const { params } = useRoute();
	const project = params.p;
	const session = useSession();
	const { data, error, loading, reload } = useLoad(() => api.get(projectApi(project)), [project]);
	const back = html`<p><a ...${link('/admin/projects')}>← All projects</a></p>`;
	if (session && !isAdmin(session))
		return html`<${Page} title=${`Project ${project}`}>${back}<${NotAdmin} what="the project settings" /><//>`;
	if (error) return html`<${Page} title=${`Project ${project}`}>${back}<${PageError} error=${error} what="this project" /><//>`;
	if (loading && !data) return html`<${Page} title=${`Project ${project}`}><${Loading} /><//>`;
	return html`<${Page} title=${`Project ${data.name}`}>
		<div class="relui-stack">
		<${AdminNav} />
		${back}
		<section class="card" aria-labelledby="dsn-h">
			<h2 id="dsn-h">DSN</h2>
			<p>Builds send their reports to:</p>
			<p class="secret-row"><code class="dsn">${data.dsn}</code> <${Copy} text=${data.dsn} label="Copy DSN" /></p>
			${data.sentry_dsn ? html`<${SentryDsn} dsn=${data.sentry_dsn} />` : null}
			<p>Created <${Time} iso=${data.created_at} />. <a ...${link(`/p/${encodeURIComponent(data.name)}`)}>Open the project</a></p>
		</section>
		<${Settings} project=${project} data=${data} onSaved=${reload} />
		<${Keys} project=${project} onChanged=${reload} />
		<${IntakeSection} project=${project} />
		<${WebhooksSection} project=${project} />
		</div>
	<//>`;
}
