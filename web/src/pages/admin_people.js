// admin_people.js - admins add people (role, optional project; the one-time sign-in link shown once), change roles, disable, and make new links.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useSession } from '../lib/session.js';
import { Page, Loading, Notice, Field, useLoad } from '../lib/ui.js';
import { PageError, NotAdmin, OnceSecret, ConfirmButton, isAdmin, fieldError, formError, value, RowSelect, AdminNav } from './relui_parts.js';

const ROLES = [
	{ value: 'developer', label: 'developer' },
	{ value: 'release', label: 'release manager' },
	{ value: 'admin', label: 'admin' },
];
const FIELDS = ['name', 'role', 'project'];

function projectOptions(projects) {
	return [{ value: '', label: 'every project' }, ...projects.map((p) => ({ value: p.name, label: p.name }))];
}

function AddForm({ projects, onDone }) {
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
			const u = await api.post('/api/v1/users', body);
			setName('');
			onDone(u);
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	const other = formError(error, FIELDS);
	return html`<form class="card" onSubmit=${submit} aria-labelledby="addperson-h">
		<h2 id="addperson-h">Add a person</h2>
		${other && html`<${PageError} error=${other} />`}
		<${Field} label="Name" value=${name} onInput=${value(setName)} required autocomplete="off" error=${fieldError(error, 'name')} />
		<${Field} type="select" label="Role" value=${role} onChange=${value(setRole)} options=${ROLES} error=${fieldError(error, 'role')} />
		<${Field} type="select" label="Limited to project" value=${project} onChange=${value(setProject)}
			options=${projectOptions(projects)} error=${fieldError(error, 'project')} />
		<div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Adding…' : 'Add person'}</button></div>
	</form>`;
}

function Row({ user, self, projects, onChanged, onLink }) {
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const path = `/api/v1/users/${encodeURIComponent(user.name)}`;
	const patch = async (body) => {
		setBusy(true);
		setError(null);
		try {
			await api.patch(path, body);
			onChanged();
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	const newLink = async () => {
		setError(null);
		try {
			const r = await api.post(`${path}/link`, {});
			onLink({ name: user.name, link: r.link });
		} catch (err) {
			setError(err);
		}
	};
	return html`<tr class=${user.disabled ? 'disabled' : ''}>
		<td data-label="Name"><strong>${user.name}</strong>${self ? html` <span class="muted">(you)</span>` : null}</td>
		<td data-label="Role"><${RowSelect} label=${`Role of ${user.name}`} value=${user.role} options=${ROLES} disabled=${busy || self}
			onChange=${(role) => patch({ role })} /></td>
		<td data-label="Project"><${RowSelect} label=${`Project of ${user.name}`} value=${user.project || ''}
			options=${projectOptions(projects)} disabled=${busy || self} onChange=${(p) => patch({ project: p || null })} /></td>
		<td data-label="State">${user.disabled ? 'disabled' : user.password_set === false ? 'invited: link not used yet' : 'active'}</td>
		<td data-label="Actions"><div class="row-actions">
			${self ? null : user.disabled
				? html`<button type="button" class="btn" onClick=${() => patch({ disabled: false })} disabled=${busy}>Enable<span class="sr-only"> ${user.name}</span></button>`
				: html`<${ConfirmButton} label=${html`Disable<span class="sr-only"> ${user.name}</span>`}
					question=${`Disable ${user.name}? They are signed out and cannot sign in.`}
					confirmLabel=${`Yes, disable ${user.name}`} onConfirm=${() => patch({ disabled: true })} />`}
			<button type="button" class="btn" onClick=${newLink}>New sign-in link<span class="sr-only"> for ${user.name}</span></button>
			${error && html`<p class="field-error" role="alert">${error.message}</p>`}
		</div></td>
	</tr>`;
}

export function AdminPeoplePage() {
	const session = useSession();
	const { data, error, loading, reload } = useLoad(() => api.get('/api/v1/users'), []);
	const projects = useLoad(() => api.get('/api/v1/projects'), []);
	const [secret, setSecret] = useState(null);
	if (session && !isAdmin(session))
		return html`<${Page} title="People"><${NotAdmin} what="the people" /><//>`;
	const plist = (projects.data && projects.data.items) || [];
	let body;
	if (error) body = html`<${PageError} error=${error} what="the people" />`;
	else if (loading && !data) body = html`<${Loading} />`;
	else body = html`<div class="table-wrap"><table class="people">
		<caption>People</caption>
		<thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Project</th>
			<th scope="col">State</th><th scope="col">Actions</th></tr></thead>
		<tbody>${(data.items || []).map((u) => html`<${Row} key=${u.name} user=${u} projects=${plist}
			self=${session && session.name === u.name} onChanged=${reload} onLink=${setSecret} />`)}</tbody>
	</table></div>`;
	return html`<${Page} title="People">
		<div class="relui-stack">
		<${AdminNav} />
		${secret && html`<${Notice} kind="ok"><${OnceSecret} label=${`Sign-in link for ${secret.name}:`}
			note="Send it to them privately: it works once, within 24 hours, and is shown only this once." value=${secret.link} /><//>`}
		${body}
		<${AddForm} projects=${plist} onDone=${(u) => { setSecret({ name: u.name, link: u.link }); reload(); }} />
		</div>
	<//>`;
}
