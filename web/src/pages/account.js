// account.js - who is signed in; sign out here or on every device.
import { html, useState } from '../lib/html.js';
import { navigate } from '../lib/router.js';
import { signOut, signOutEverywhere, useSession } from '../lib/session.js';
import { Button, ErrorBox, Page } from '../lib/ui.js';
import { AccountMail } from './account_mail.js';

export function AccountPage() {
	const s = useSession();
	const [error, setError] = useState(null);
	if (!s)
		return null;
	const out = (fn) => async () => {
		setError(null);
		try {
			await fn();
			navigate('/signin', { replace: true });
		} catch (err) {
			setError(err);
		}
	};
	return html`<${Page} title="Account">
		<div class="card">
			<dl class="facts">
				<dt>Name</dt><dd>${s.name}</dd>
				<dt>Role</dt><dd>${s.role}</dd>
				<dt>Projects</dt><dd>${s.project ? html`only ${s.project}` : 'all'}</dd>
			</dl>
		</div>
		<${ErrorBox} error=${error} />
		<div class="actions">
			<${Button} kind="primary" onClick=${out(signOut)}>Sign out</${Button}>
			<${Button} onClick=${out(signOutEverywhere)}>Sign out everywhere</${Button}>
		</div>
		<p class="hint">"Sign out everywhere" ends every session of yours, on every device.</p>
		<${AccountMail} />
	</${Page}>`;
}
