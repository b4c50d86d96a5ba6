// welcome.js - set a password from a one-time link (/welcome#TOKEN), then signed in.
// The token stays in the fragment: never sent in a URL, so never in a log or a Referer; it is
// taken out of the address bar at once.
import { html, useState } from '../lib/html.js';
import { link, navigate } from '../lib/router.js';
import { setPassword } from '../lib/session.js';
import { Button, ErrorBox, Field, Notice, Page } from '../lib/ui.js';

let taken = null; // the token, once read from the address (kept across re-renders)

function token() {
	if (taken === null || location.hash.length > 1) {
		taken = decodeURIComponent(location.hash.slice(1));
		if (location.hash)
			history.replaceState(null, '', location.pathname);
	}
	return taken;
}

export function WelcomePage() {
	const [tok] = useState(token);
	const [pw, setPw] = useState('');
	const [again, setAgain] = useState('');
	const [mismatch, setMismatch] = useState(null);
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	if (!tok) {
		return html`<${Page} title="Set your password">
			<${Notice} kind="warn">This address holds no one-time link. Open the whole link you were given,
				or ask an administrator for a new one. Already have a password?
				<a ...${link('/signin')}>Sign in</a>.</${Notice}>
		</${Page}>`;
	}
	const submit = async (e) => {
		e.preventDefault();
		setError(null);
		if (pw !== again) {
			setMismatch('The two passwords differ.');
			return;
		}
		setMismatch(null);
		setBusy(true);
		try {
			await setPassword(tok, pw);
			taken = null;
			navigate('/', { replace: true });
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	// A used, replaced or expired link is refused on its token (422, field "token").
	const expired = error && (error.field === 'token' || error.status === 404 || error.status === 410);
	return html`<${Page} title="Set your password">
		<form class="card form-narrow" onSubmit=${submit} novalidate>
			<p>Choose the password you will sign in with.</p>
			${expired ? html`<${Notice} kind="error">This link was already used, replaced by a newer one,
				or has expired. Ask an administrator for a new one.</${Notice}>`
				: error && error.field !== 'password' ? html`<${ErrorBox} error=${error} />` : null}
			<${Field} label="New password" type="password" name="password" autocomplete="new-password" required
				hint="At least 10 characters; a few words make a good one." value=${pw} onInput=${(e) => setPw(e.target.value)}
				error=${error && error.field === 'password' ? error.message : null} />
			<${Field} label="The same password again" type="password" name="again" autocomplete="new-password" required
				value=${again} onInput=${(e) => setAgain(e.target.value)} error=${mismatch} />
			<${Button} type="submit" kind="primary" busy=${busy}>Set password and sign in</${Button}>
		</form>
	</${Page}>`;
}
