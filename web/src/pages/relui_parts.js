// relui_parts.js - small pieces the release and admin pages share: inline confirmations, one-time secrets, the "not allowed" message, field errors, the Sentry DSN line.
import { html, useState, useRef, useEffect } from '../lib/html.js';
import { Copy, Notice, ErrorBox } from '../lib/ui.js';
import { link, useRoute } from '../lib/router.js';
import { hasRole } from '../lib/session.js';
import './relui.css';

let seq = 0;
/* A stable id for a label/control pair. */
export function useId(prefix) {
	const ref = useRef(null);
	if (ref.current === null) ref.current = `${prefix}-${++seq}`;
	return ref.current;
}

/* A select inside a table cell: its label is for screen readers (the column header says it). */
export function RowSelect({ label, value: v, options, onChange, disabled }) {
	const id = useId('row');
	return html`<label for=${id} class="sr-only">${label}</label>
		<select id=${id} value=${v} disabled=${disabled} onChange=${(e) => onChange(e.currentTarget.value)}>
			${options.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
		</select>`;
}

/* The message of an API error that names this field, else undefined. */
export function fieldError(error, field) {
	return error && error.field === field ? error.message : undefined;
}

/* An error not tied to one of the form's fields (shown above the form). */
export function formError(error, fields) {
	return error && !(error.field && fields.includes(error.field)) ? error : null;
}

/* The value of an input event. */
export const value = (set) => (e) => set(e.currentTarget.value);

/*
 * A button for a destructive action that asks first, in place: "Revoke" becomes
 * "Revoke key abc…? [Yes, revoke] [Cancel]". The focus moves to the confirming button,
 * and back to the first button on Cancel.
 */
export function ConfirmButton({ label, question, confirmLabel, onConfirm }) {
	const [asking, setAsking] = useState(false);
	const [busy, setBusy] = useState(false);
	const yes = useRef(null);
	const first = useRef(null);
	const wasAsking = useRef(false);
	useEffect(() => {
		if (asking && yes.current) yes.current.focus();
		else if (!asking && wasAsking.current && first.current) first.current.focus();
		wasAsking.current = asking;
	}, [asking]);
	if (!asking)
		return html`<button type="button" class="btn btn-danger" ref=${first} onClick=${() => setAsking(true)}>${label}</button>`;
	const go = async () => {
		setBusy(true);
		try {
			await onConfirm();
		} finally {
			setBusy(false);
			setAsking(false);
		}
	};
	return html`<span class="confirm" role="group" aria-label=${question}>
		<span class="confirm-q">${question}</span>
		<button type="button" class="btn btn-danger" ref=${yes} disabled=${busy} onClick=${go}>${confirmLabel}</button>
		<button type="button" class="btn btn-quiet" onClick=${() => setAsking(false)}>Cancel</button>
	</span>`;
}

/* A secret the server shows only once (a token, a sign-in link), with a copy button. */
export function OnceSecret({ label, value: secret, note }) {
	return html`<div class="once-secret">
		<p><strong>${label}</strong> ${note || 'It is shown only this once: copy it now.'}</p>
		<p class="secret-row"><code class="secret">${secret}</code> <${Copy} text=${secret} /></p>
	</div>`;
}

/* The page body for an error: a clear message for 403 (not allowed), else the library's box. */
export function PageError({ error, what }) {
	if (error && error.status === 403)
		return html`<${Notice} kind="error">You are not allowed to see ${what || 'this page'}${error.message ? ` (${error.message})` : ''}. Ask an admin if you need access.<//>`;
	return html`<${ErrorBox} error=${error} />`;
}

/* The body of an admin page for someone who is not an admin (the API refuses them too). */
export function NotAdmin({ what }) {
	return html`<${PageError} error=${{ status: 403, message: 'this page is for admins' }} what=${what} />`;
}

/* May this session manage releases and suggestions? (The API decides in the end.) */
export const canRelease = (session) => hasRole(session, 'release');
export const isAdmin = (session) => hasRole(session, 'admin');

/* A project's API path: /api/v1/projects/NAME + rest. */
export function projectApi(project, rest = '') {
	return `/api/v1/projects/${encodeURIComponent(project)}${rest}`;
}

export function plural(n, one, many) {
	return `${n} ${n === 1 ? one : many || `${one}s`}`;
}

export const shortId = (commit) => (commit || '').slice(0, 10);

/* The admin pages' own navigation: projects, people, API tokens. */
export function AdminNav() {
	const { path } = useRoute();
	const item = (url, label) => {
		const cur = path === url || path.startsWith(url + '/');
		return html`<li><a ...${link(url)} aria-current=${cur ? 'page' : undefined}>${label}</a></li>`;
	};
	return html`<nav class="admin-nav" aria-label="Administration"><ul>
		${item('/admin/projects', 'Projects')}${item('/admin/people', 'People')}${item('/admin/tokens', 'API tokens')}
	</ul></nav>`;
}

// A project's Sentry DSN (its numeric id and the same key), beside prosum's own DSN.
export function SentryDsn({ dsn }) {
	return html`<p>For apps that carry a Sentry SDK (set it as the SDK's DSN):</p>
		<p class="secret-row"><code class="dsn-sentry">${dsn}</code> <${Copy} text=${dsn} label="Copy Sentry DSN" /></p>`;
}
