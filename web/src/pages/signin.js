// signin.js - sign in with name and password, then go where the visitor was going (?next=).
import { html, useState } from '../lib/html.js';
import { navigate, useRoute } from '../lib/router.js';
import { signIn } from '../lib/session.js';
import { Button, ErrorBox, Field, Notice, Page } from '../lib/ui.js';

// Only a path of this site: "/p/demo?x=1", never "//evil.example" or "https://...".
export function safeNext(next) {
	if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
		return '/';
	if (next.startsWith('/signin') || next.startsWith('/welcome'))
		return '/';
	return next;
}

export function SignInPage() {
	const { query } = useRoute();
	const [name, setName] = useState('');
	const [password, setPassword] = useState('');
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const submit = async (e) => {
		e.preventDefault();
		setError(null);
		setBusy(true);
		try {
			await signIn(name.trim(), password);
			navigate(safeNext(query.next), { replace: true });
		} catch (err) {
			setError(err);
			setPassword('');
		} finally {
			setBusy(false);
		}
	};
	return html`<${Page} title="Sign in">
		<form class="card form-narrow" onSubmit=${submit} novalidate>
			${query.next && !error ? html`<${Notice}>Sign in to see that page.</${Notice}>` : null}
			<${ErrorBox} error=${error} />
			<${Field} label="Name" name="name" autocomplete="username" required autocapitalize="none"
				spellcheck=${false} value=${name} onInput=${(e) => setName(e.target.value)} />
			<${Field} label="Password" name="password" type="password" autocomplete="current-password" required
				value=${password} onInput=${(e) => setPassword(e.target.value)} />
			<${Button} type="submit" kind="primary" busy=${busy}>Sign in</${Button}>
			<p class="hint">No password yet? Ask an administrator for a one-time link
				(<code>prosumd user link NAME</code>).</p>
		</form>
	</${Page}>`;
}
