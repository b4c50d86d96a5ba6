// sentry_parts.js - what a report made from a Sentry event carries beside prosum's fields (breadcrumbs,
// contexts, request, extra, sdk) and the feedback links; every value is rendered as text, never HTML.
import { html } from '../lib/html.js';
import { Id, Table } from '../lib/ui.js';
import { Facts, Section } from './triage_parts.js';

// Fields of the report these parts show (the report page leaves them out of "Other fields").
export const SENTRY_FIELDS = ['breadcrumbs', 'contexts', 'request', 'extra', 'sdk', 'feedback_for', 'feedback', 'contact'];

const MAX_CRUMBS = 500; // Sentry's SDKs keep 100 by default; a hostile list stays readable

function isObject(v) {
	return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Any JSON value as one line of text: strings as they are, the rest as JSON.
export function asText(v) {
	if (v === null || v === undefined)
		return null;
	if (typeof v === 'string')
		return v;
	try {
		return JSON.stringify(v);
	} catch {
		return String(v);
	}
}

// A breadcrumb's time: epoch seconds (a number or its text) or RFC 3339, as ISO 8601 UTC text.
function crumbTime(t) {
	if (t === null || t === undefined || t === '')
		return '';
	const n = typeof t === 'number' ? t : /^\d+(\.\d+)?$/.test(String(t)) ? Number(t) : NaN;
	const d = Number.isFinite(n) ? new Date(n * 1000) : new Date(String(t));
	return isNaN(d) ? String(t) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// Sentry's {"values": [...]} or a bare list.
export function crumbList(b) {
	const list = Array.isArray(b) ? b : isObject(b) && Array.isArray(b.values) ? b.values : [];
	return list.filter(isObject);
}

export function Breadcrumbs({ value }) {
	const all = crumbList(value);
	const list = all.slice(-MAX_CRUMBS);
	const rows = list.map((c, i) => ({
		id: String(i),
		time: crumbTime(c.timestamp),
		category: asText(c.category ?? c.type) || '',
		level: asText(c.level) || '',
		message: asText(c.message) || (c.data !== undefined ? asText(c.data) : ''),
	}));
	return html`<${Section} id="breadcrumbs" title="Breadcrumbs">
		${all.length > list.length ? html`<p class="hint">The last ${list.length} of ${all.length}.</p>` : null}
		<${Table} caption="Breadcrumbs, oldest first" rows=${rows} empty="No breadcrumbs." columns=${[
			{ key: 'time', label: 'Time', className: 'crumb-time' },
			{ key: 'category', label: 'Category' },
			{ key: 'level', label: 'Level' },
			{ key: 'message', label: 'Message', className: 'crumb-message' },
		]} />
	</${Section}>`;
}

// Pairs of an object as facts, values as text.
function pairs(o) {
	return Object.entries(isObject(o) ? o : {}).map(([k, v]) => [k, asText(v)]);
}

export function Contexts({ value }) {
	const entries = Object.entries(isObject(value) ? value : {});
	return html`<${Section} id="contexts" title="Contexts">
		${entries.length ? entries.map(([name, ctx]) => html`<div class="sentry-context">
			<h3>${name}</h3>
			${isObject(ctx) ? html`<${Facts} items=${pairs(ctx)} />` : html`<p class="tri-text">${asText(ctx)}</p>`}
		</div>`) : html`<p class="empty">No contexts.</p>`}
	</${Section}>`;
}

// Headers as Sentry sends them: an object, or a list of [name, value] pairs.
function headerRows(h) {
	const list = Array.isArray(h) ? h.filter((x) => Array.isArray(x) && x.length === 2)
		: Object.entries(isObject(h) ? h : {});
	return list.map(([k, v], i) => ({ id: String(i), name: asText(k) || '', value: asText(v) || '' }));
}

export function Request({ value }) {
	const r = isObject(value) ? value : {};
	const rest = Object.fromEntries(Object.entries(r).filter(([k]) => !['method', 'url', 'query_string', 'headers'].includes(k)));
	return html`<${Section} id="request" title="Request">
		<${Facts} items=${[
			['Method', asText(r.method)],
			['URL', asText(r.url)],
			['Query', asText(r.query_string)],
		]} />
		${r.headers !== undefined ? html`<${Table} caption="Request headers (secrets filtered)" rows=${headerRows(r.headers)}
			empty="No headers." columns=${[{ key: 'name', label: 'Header' }, { key: 'value', label: 'Value' }]} />` : null}
		${Object.keys(rest).length ? html`<${Facts} items=${pairs(rest)} />` : null}
	</${Section}>`;
}

export function Extra({ value }) {
	return html`<${Section} id="extra" title="Extra">
		${isObject(value) && Object.keys(value).length ? html`<${Facts} items=${pairs(value)} />` : html`<p class="tri-text">${asText(value)}</p>`}
	</${Section}>`;
}

export function Sdk({ value }) {
	const s = isObject(value) ? value : {};
	return html`<${Section} id="sdk" title="SDK">
		<${Facts} items=${[['Name', asText(s.name)], ['Version', asText(s.version)]]} />
	</${Section}>`;
}

// The feedback a report gives or gets: "Feedback on R-12" with its contact, or its feedback reports.
export function FeedbackLinks({ p, r }) {
	const contact = isObject(r.contact) ? r.contact : null;
	const who = contact ? [asText(contact.name), contact.email ? `<${asText(contact.email)}>` : null].filter(Boolean).join(' ') : '';
	const on = typeof r.feedback_for === 'string' && r.feedback_for ? r.feedback_for : null;
	const given = Array.isArray(r.feedback) ? r.feedback.filter((x) => typeof x === 'string' && x) : [];
	if (!on && !who && !given.length)
		return null;
	return html`<div class="sentry-feedback">
		${on ? html`<p>Feedback on <${Id} project=${p} id=${on} /></p>` : null}
		${who ? html`<p>Contact: <span class="sentry-contact">${who}</span></p>` : null}
		${given.length ? html`<p>Feedback on this report: ${given.map((id, i) => html`${i ? ', ' : ''}<${Id} project=${p} id=${id} />`)}</p>` : null}
	</div>`;
}

// Every Sentry section the report has, in the order of the page.
export function SentrySections({ r }) {
	return html`
		${r.breadcrumbs !== undefined && r.breadcrumbs !== null ? html`<${Breadcrumbs} value=${r.breadcrumbs} />` : null}
		${r.request !== undefined && r.request !== null ? html`<${Request} value=${r.request} />` : null}
		${r.contexts !== undefined && r.contexts !== null ? html`<${Contexts} value=${r.contexts} />` : null}
		${r.extra !== undefined && r.extra !== null ? html`<${Extra} value=${r.extra} />` : null}
		${r.sdk !== undefined && r.sdk !== null ? html`<${Sdk} value=${r.sdk} />` : null}`;
}
