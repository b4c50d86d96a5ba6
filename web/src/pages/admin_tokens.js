// admin_tokens.js - admins create API tokens (role, name, optional project; the token shown once), list and revoke them.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useSession } from '../lib/session.js';
import { Page, Time, Loading, Notice, Field, Table, useLoad } from '../lib/ui.js';
import { PageError, NotAdmin, OnceSecret, ConfirmButton, isAdmin, fieldError, formError, value, AdminNav } from './relui_parts.js';

const ROLES = [
	{ value: 'developer', label: 'developer' },
	{ value: 'release', label: 'release manager' },
	{ value: 'admin', label: 'admin' },
];
const FIELDS = ['name', 'role', 'project'];

function CreateForm({ projects, onDone }) {
	const [name, setName] = useState('');
	const [role, setRole] = useState('developer');
	const [project, setProject] = useState('');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		const body = { name, role };
		if (project) body.project = project;
		try {
			const t = await api.post('/api/v1/tokens', body);
			setName('');
			onDone(t);
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	const other = formError(error, FIELDS);
	return html`<form class="card" onSubmit=${submit} aria-labelledby="newtoken-h">
		<h2 id="newtoken-h">New API token</h2>
		${other && html`<${PageError} error=${other} />`}
		<${Field} label="Name" value=${name} onInput=${value(setName)} required autocomplete="off"
			hint="who or what uses it, e.g. ci" error=${fieldError(error, 'name')} />
		<${Field} type="select" label="Role" value=${role} onChange=${value(setRole)} options=${ROLES} error=${fieldError(error, 'role')} />
		<${Field} type="select" label="Limited to project" value=${project} onChange=${value(setProject)} error=${fieldError(error, 'project')}
			options=${[{ value: '', label: 'every project' }, ...projects.map((p) => ({ value: p.name, label: p.name }))]} />
		<div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Creating…' : 'Create token'}</button></div>
	</form>`;
}

export function AdminTokensPage() {
	const session = useSession();
	const { data, error, loading, reload } = useLoad(() => api.get('/api/v1/tokens'), []);
	const projects = useLoad(() => api.get('/api/v1/projects'), []);
	const [made, setMade] = useState(null);
	const [actError, setActError] = useState(null);
	if (session && !isAdmin(session))
		return html`<${Page} title="API tokens"><${NotAdmin} what="the API tokens" /><//>`;
	const revoke = async (t) => {
		setActError(null);
		try {
			await api.del(`/api/v1/tokens/${encodeURIComponent(t.id)}`);
			if (made && made.id === t.id) setMade(null);
			reload();
		} catch (err) {
			setActError(err);
		}
	};
	const revoked = (t) => !!(t.revoked || t.revoked_at);
	let body;
	if (error) body = html`<${PageError} error=${error} what="the API tokens" />`;
	else if (loading && !data) body = html`<${Loading} />`;
	else body = html`<${Table} caption="API tokens" rows=${data.items || []} empty="No API tokens." columns=${[
		{ key: 'name', label: 'Name' },
		{ key: 'role', label: 'Role' },
		{ key: 'project', label: 'Project', render: (t) => t.project || 'every project' },
		{ key: 'created_at', label: 'Created', render: (t) => html`<${Time} iso=${t.created_at} />` },
		{ key: 'state', label: 'State', render: (t) => (revoked(t) ? 'revoked' : 'active') },
		{ key: 'action', label: 'Action', render: (t) => (revoked(t) ? '' : html`<${ConfirmButton}
			label=${html`Revoke<span class="sr-only"> ${t.name}</span>`}
			question=${`Revoke the token "${t.name}"? Whatever uses it stops working.`}
			confirmLabel=${`Yes, revoke ${t.name}`} onConfirm=${() => revoke(t)} />`) },
	]} />`;
	return html`<${Page} title="API tokens">
		<div class="relui-stack">
		<${AdminNav} />
		${made && html`<${Notice} kind="ok"><${OnceSecret} label=${`Token "${made.name}" (${made.role}):`} value=${made.token} /><//>`}
		${actError && html`<${PageError} error=${actError} />`}
		${body}
		<${CreateForm} projects=${(projects.data && projects.data.items) || []} onDone=${(t) => { setMade(t); reload(); }} />
		</div>
	<//>`;
}
