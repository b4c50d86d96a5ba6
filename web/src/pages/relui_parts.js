// relui_parts.js - small pieces the release and admin pages share: labelled inputs with the API's field errors, inline confirmations, one-time secrets, the "not allowed" message.
import { html, useState, useRef, useEffect } from '../lib/html.js';
import { Copy, Notice, ErrorBox } from '../lib/ui.js';

let seq = 0;
/* A stable id for a label/input pair. */
export function useId(prefix) {
	const ref = useRef(null);
	if (ref.current === null) ref.current = `${prefix}-${++seq}`;
	return ref.current;
}

/* The message of an API error that names this field, else null. */
export function fieldError(error, field) {
	return error && error.field === field ? error.message : null;
}

/* An error not tied to one of the form's fields (shown above the form). */
export function formError(error, fields) {
	return error && !(error.field && fields.includes(error.field)) ? error : null;
}

/* A labelled text input; `error` (the API's message for this field) is tied to it with aria-describedby. */
export function Input({ label, value, onInput, error, hint, type = 'text', required, ...rest }) {
	const id = useId('in');
	const describe = [error ? `${id}-err` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
	return html`<div class="field">
		<label for=${id}>${label}</label>
		<input id=${id} type=${type} value=${value} required=${required}
			aria-invalid=${error ? 'true' : undefined} aria-describedby=${describe}
			onInput=${(e) => onInput(e.currentTarget.value)} ...${rest} />
		${hint && html`<small id=${`${id}-hint`} class="hint">${hint}</small>`}
		${error && html`<small id=${`${id}-err`} class="field-error" role="alert">${error}</small>`}
	</div>`;
}

/* A labelled select over [{value, label}]. */
export function Select({ label, value, onChange, options, error, ...rest }) {
	const id = useId('sel');
	return html`<div class="field">
		<label for=${id}>${label}</label>
		<select id=${id} value=${value} aria-invalid=${error ? 'true' : undefined}
			aria-describedby=${error ? `${id}-err` : undefined}
			onChange=${(e) => onChange(e.currentTarget.value)} ...${rest}>
			${options.map((o) => html`<option value=${o.value} selected=${o.value === value}>${o.label}</option>`)}
		</select>
		${error && html`<small id=${`${id}-err`} class="field-error" role="alert">${error}</small>`}
	</div>`;
}

/* A labelled checkbox. */
export function Check({ label, checked, onChange, hint }) {
	const id = useId('cb');
	return html`<div class="field field-check">
		<input id=${id} type="checkbox" checked=${checked} aria-describedby=${hint ? `${id}-hint` : undefined}
			onChange=${(e) => onChange(e.currentTarget.checked)} />
		<label for=${id}>${label}</label>
		${hint && html`<small id=${`${id}-hint`} class="hint">${hint}</small>`}
	</div>`;
}

/*
 * A button for a destructive action that asks first, in place: "Revoke" becomes
 * "Revoke key abc? [Yes, revoke] [Cancel]". Keyboard focus moves to the confirming button.
 */
export function ConfirmButton({ label, question, confirmLabel, onConfirm }) {
	const [asking, setAsking] = useState(false);
	const [busy, setBusy] = useState(false);
	const yes = useRef(null);
	useEffect(() => {
		if (asking && yes.current) yes.current.focus();
	}, [asking]);
	if (!asking)
		return html`<button type="button" class="danger" onClick=${() => setAsking(true)}>${label}</button>`;
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
		<span>${question}</span>
		<button type="button" class="danger" ref=${yes} disabled=${busy} onClick=${go}>${confirmLabel}</button>
		<button type="button" onClick=${() => setAsking(false)}>Cancel</button>
	</span>`;
}

/* A secret the server shows only once (a token, a sign-in link, an ingest key), with a copy button. */
export function OnceSecret({ label, value, note }) {
	return html`<div class="once-secret" role="status">
		<p><strong>${label}</strong> ${note || 'It is shown only this once: copy it now.'}</p>
		<p class="secret-row"><code class="secret">${value}</code> <${Copy} text=${value} /></p>
	</div>`;
}

/* The page body for an error: a clear message for 403 (not allowed) and 404, else the library's box. */
export function PageError({ error, what }) {
	if (error && error.status === 403)
		return html`<${Notice} kind="error"><p>You are not allowed to see ${what || 'this page'}. ${error.message ? `(${error.message})` : ''}</p>
			<p>Ask an admin if you need access.</p><//>`;
	if (error && error.status === 404)
		return html`<${Notice} kind="error"><p>${error.message || 'Not found.'}</p><//>`;
	return html`<${ErrorBox} error=${error} />`;
}

/* May this session manage releases and suggestions? (The API decides in the end.) */
export function canRelease(session) {
	return !!session && (session.role === 'release' || session.role === 'admin');
}

export function isAdmin(session) {
	return !!session && session.role === 'admin' && !session.project;
}

/* A project's API path: /api/v1/projects/NAME + rest. */
export function projectApi(project, rest = '') {
	return `/api/v1/projects/${encodeURIComponent(project)}${rest}`;
}
