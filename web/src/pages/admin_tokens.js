// admin_tokens.js - admins create API tokens (role, name, optional project; the token shown once), list and revoke them.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useSession } from '../lib/session.js';
import { Page, Time, Loading, Notice, useLoad } from '../lib/ui.js';
import { Input, Select, PageError, OnceSecret, ConfirmButton, isAdmin, fieldError, formError } from './relui_parts.js';

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
		<${Input} label="Name" value=${name} onInput=${setName} required autocomplete="off"
			hint="who or what uses it, e.g. ci" error=${fieldError(error, 'name')} />
		<${Select} label="Role" value=${role} onChange=${setRole} options=${ROLES} error=${fieldError(error, 'role')} />
		<${Select} label="Limited to project" value=${project} onChange=${setProject} error=${fieldError(error, 'project')}
			options=${[{ value: '', label: 'every project' }, ...projects.map((p) => ({ value: p.name, label: p.name }))]} />
		<div class="actions"><button type="submit" class="primary" disabled=${busy}>${busy ? 'Creating…' : 'Create token'}</button></div>
	</form>`;
}

export default function AdminTokens() {
	const session = useSession();
	const { data, error, loading, reload } = useLoad(() => api.get('/api/v1/tokens'), []);
	const projects = useLoad(() => api.get('/api/v1/projects'), []);
	const [made, setMade] = useState(null);
	const [actError, setActError] = useState(null);
	if (session && !isAdmin(session))
		return html`<${Page} title="API tokens"><${PageError} error=${{ status: 403, message: 'this page is for admins' }} what="the API tokens" /><//>`;
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
	let body;
	if (error) body = html`<${PageError} error=${error} what="the API tokens" />`;
	else if (loading && !data) body = html`<${Loading} />`;
	else {
		const items = data.items || [];
		body = items.length === 0 ? html`<p>No API tokens.</p>` : html`<div class="table-wrap"><table class="tokens">
			<caption class="visually-hidden">API tokens</caption>
			<thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Project</th>
				<th scope="col">Created</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
			<tbody>${items.map((t) => html`<tr key=${t.id}>
				<th scope="row">${t.name}</th><td>${t.role}</td><td>${t.project || 'every project'}</td>
				<td><${Time} iso=${t.created_at} /></td>
				<td>${t.revoked || t.revoked_at ? 'revoked' : 'active'}</td>
				<td>${t.revoked || t.revoked_at ? '' : html`<${ConfirmButton} label="Revoke"
					question=${`Revoke the token "${t.name}"? Whatever uses it stops working.`}
					confirmLabel=${`Yes, revoke ${t.name}`} onConfirm=${() => revoke(t)} />`}</td></tr>`)}</tbody>
		</table></div>`;
	}
	return html`<${Page} title="API tokens">
		<div aria-live="polite">${made && html`<${Notice} kind="ok"><${OnceSecret} label=${`Token "${made.name}" (${made.role}):`}
			value=${made.token} /><//>`}</div>
		${actError && html`<${PageError} error=${actError} />`}
		${body}
		<${CreateForm} projects=${(projects.data && projects.data.items) || []} onDone=${(t) => { setMade(t); reload(); }} />
	<//>`;
}
