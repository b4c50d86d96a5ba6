// account_mail.js - the account page's e-mail section: your address, the groups you follow, and
// new-group / regression alerts per project (GET/PATCH /api/v1/account/mail, PUT/DELETE
// /api/v1/projects/{p}/follows/{what}). At most one mail per interval gathers everything.
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link } from '../lib/router.js';
import { Button, ErrorBox, Field, Notice, useLoad } from '../lib/ui.js';

const KIND = { new_group: 'New groups', regression: 'Regressions' };

export function AccountMail() {
	const mail = useLoad(() => api.get('/account/mail'), []);
	const projects = useLoad(() => api.get('/projects'), []);
	const [email, setEmail] = useState('');
	const [error, setError] = useState(null);
	const [saved, setSaved] = useState(false);
	// A box shows its new state at once; the server's answer replaces it when read again.
	const [local, setLocal] = useState({});
	useFollow(() => {
		setEmail((mail.data && mail.data.email) || '');
		setLocal({});
	}, [mail.data]);
	const follows = (mail.data && mail.data.follows) || [];
	const has = (p, kind) => (`${p}/${kind}` in local ? local[`${p}/${kind}`]
		: follows.some((f) => f.project === p && f.kind === kind));
	const run = async (fn) => {
		setError(null);
		setSaved(false);
		try {
			await fn();
			mail.reload();
		} catch (err) {
			setError(err);
		}
	};
	const save = (e) => {
		e.preventDefault();
		return run(async () => {
			await api.patch('/account/mail', { email: email.trim() || null });
			setSaved(true);
		});
	};
	const what = (f) => (f.kind === 'group' ? f.group : f.kind);
	const target = (p, w) => `/projects/${encodeURIComponent(p)}/follows/${encodeURIComponent(w)}`;
	const toggle = (p, kind) => {
		const on = has(p, kind);
		setLocal((l) => ({ ...l, [`${p}/${kind}`]: !on }));
		return run(() => (on ? api.del(target(p, kind)) : api.put(target(p, kind))));
	};
	const names = ((projects.data && projects.data.items) || []).map((p) => p.name);
	return html`<section class="card" aria-labelledby="mail-h">
		<h2 id="mail-h">E-mail</h2>
		<form onSubmit=${save} noValidate>
			<${Field} label="Address" type="email" value=${email} autocomplete="email"
				hint="Where your alerts go; empty stops them all. At most one mail per interval gathers what happened."
				onInput=${(e) => setEmail(e.target.value)} />
			<div class="actions"><${Button} kind="primary" type="submit">Save address</${Button}></div>
		</form>
		${saved ? html`<${Notice}>Saved.</${Notice}>` : null}
		<${ErrorBox} error=${error || mail.error} />
		${names.length ? html`<h3>Alerts per project</h3>
			${names.map((p) => html`<fieldset class="mail-project"><legend>${p}</legend>
				${Object.keys(KIND).map((k) => html`<${Field} type="checkbox" label=${KIND[k]}
					checked=${has(p, k)} onChange=${() => toggle(p, k)} />`)}
			</fieldset>`)}` : null}
		<h3>Groups you follow</h3>
		${follows.filter((f) => f.kind === 'group').length === 0
			? html`<p class="hint">None: use Follow on a group's page.</p>`
			: html`<ul>${follows.filter((f) => f.kind === 'group').map((f) => html`<li>
				<a ...${link(`/p/${encodeURIComponent(f.project)}/groups/${encodeURIComponent(f.group)}`)}>${f.project} ${f.group}</a>
				${' '}<${Button} kind="quiet" onClick=${() => run(() => api.del(target(f.project, what(f))))}>Stop</${Button}>
			</li>`)}</ul>`}
	</section>`;
}
