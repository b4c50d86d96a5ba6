// board_signin.js - /p/{p}/board/signin#TOKEN: a board link from a beta build signs its tester in.
import { html, useEffect, useState } from '../lib/html.js';
import { navigate, useRoute } from '../lib/router.js';
import { testerSignIn } from '../lib/session.js';
import { ErrorBox, Loading, Page } from '../lib/ui.js';
import { base } from './board_common.js';

// Read once per load: the token leaves the address bar before anything is sent.
let taken = null;
function takeToken() {
	if (taken === null) {
		taken = location.hash.length > 1 ? location.hash.slice(1) : '';
		history.replaceState(null, '', location.pathname + location.search);
	}
	return taken;
}

export function BoardSignInPage() {
	const { params } = useRoute();
	const p = params.p;
	const [error, setError] = useState(null);
	useEffect(() => {
		const token = takeToken();
		taken = null; // a later link opened in this tab is read again
		if (!token) {
			setError({ message: 'This sign-in link has no token: open the board again from your beta build.' });
			return;
		}
		testerSignIn(token).then(
			(s) => navigate(`${base(s && s.project ? s.project : p)}/board`, { replace: true }),
			(e) => setError(e));
	}, []);
	return html`<${Page} title="Signing in to the board">
		${error ? html`<${ErrorBox} error=${error.field === 'token'
			? { message: 'This sign-in link was used or has expired: ask your beta build for a new one.' } : error} />`
			: html`<${Loading} label="Signing in…" />`}
	</${Page}>`;
}
