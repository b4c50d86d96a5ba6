// mine_mail.js - "Mine"'s e-mail box: a tester signed in by their build asks to be mailed when their
// bugs are fixed, their suggestions ship or the team replies (GET/PUT/DELETE .../mail/tester).
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Button, ErrorBox, Field, Loading, Notice, useLoad } from '../lib/ui.js';
import { apiBase, sessionError } from './board_common.js';

export function MineMail({ p }) {
	const path = `${apiBase(p)}/mail/tester`;
	const mail = useLoad(() => api.get(path, null, { noRedirect: true }), [p]);
	const [email, setEmail] = useState('');
	const [error, setError] = useState(null);
	const [said, setSaid] = useState(null);
	useFollow(() => setEmail((mail.data && mail.data.email) || ''), [mail.data]);
	const current = mail.data && mail.data.email;
	const run = async (fn, done) => {
		setError(null);
		setSaid(null);
		try {
			await fn();
			setSaid(done);
			mail.reload();
		} catch (err) {
			setError(sessionError(err));
		}
	};
	const save = (e) => {
		e.preventDefault();
		return run(() => api.put(path, { email: email.trim() }, { noRedirect: true }),
			'Saved: you will get e-mail about your reports and suggestions.');
	};
	// Until the first answer, no form: an address typed then would be wiped by the answer.
	if (!mail.data && !mail.error)
		return html`<section class="card" aria-labelledby="mine-m">
			<h2 id="mine-m">E-mail</h2><${Loading} />
		</section>`;
	return html`<section class="card" aria-labelledby="mine-m">
		<h2 id="mine-m">E-mail</h2>
		<p>${current
		? html`Mail goes to <strong>${current}</strong> when your bugs are fixed in a release, your suggestions ship or the team replies.`
		: 'Get an e-mail when your bugs are fixed in a release, your suggestions ship or the team replies.'}${' '}
			At most one mail per interval gathers what happened; each mail has a link to stop them.</p>
		<form onSubmit=${save} noValidate>
			<${Field} label="Your e-mail address" type="email" value=${email} autocomplete="email"
				onInput=${(e) => setEmail(e.target.value)} />
			<div class="actions">
				<${Button} kind="primary" type="submit" disabled=${!email.trim()}>${current ? 'Change address' : 'Mail me'}</${Button}>
				${current ? html` <${Button} kind="quiet" onClick=${() => run(() => api.del(path, { noRedirect: true }),
		'No more e-mail will be sent.')}>Stop e-mail</${Button}>` : null}
			</div>
		</form>
		${said ? html`<${Notice} kind="ok">${said}</${Notice}>` : null}
		<${ErrorBox} error=${error || (mail.error && sessionError(mail.error))} />
	</section>`;
}
