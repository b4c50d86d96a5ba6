// admin_webhooks.js - the admin project page's webhooks section: add (secret shown once), edit, enable/disable, new secret, test, remove, and each webhook's delivery log with redelivery.
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Loading, Notice, Field, Table, Time, Copy, useLoad } from '../lib/ui.js';
import { PageError, ConfirmButton, fieldError, formError, projectApi, value } from './relui_parts.js';

const EVENTS = ['group.created', 'group.regressed', 'group.status_changed', 'group.fixed_in_release', 'report.comment',
	'suggestion.created', 'suggestion.status_changed', 'suggestion.shipped', 'release.created'];
const FORMATS = [{ value: 'standard', label: 'Standard Webhooks (signed JSON)' }, { value: 'slack', label: 'Slack incoming webhook' },
	{ value: 'discord', label: 'Discord webhook' }];
const FIELDS = ['url', 'events', 'format'];
// How often an open delivery log asks again while a delivery is on its way.
const POLL_MS = 2000;
// How many times it asks for a test's delivery that is not in the log yet.
const POLL_AWAITED = 30;

// What a webhook is sent, in words: "*" is every event.
const eventsText = (events) => (events.includes('*') ? 'every event' : events.join(', '));

// The event types to choose from: "Every event", or some of them.
function EventsField({ all, setAll, chosen, setChosen, error }) {
	const toggle = (t) => (e) => setChosen(e.currentTarget.checked ? [...chosen, t] : chosen.filter((c) => c !== t));
	return html`<fieldset class="field">
		<legend>Events</legend>
		<${Field} type="checkbox" label="Every event" checked=${all} onChange=${(e) => setAll(e.currentTarget.checked)} />
		${!all && EVENTS.map((t) => html`<${Field} type="checkbox" label=${t} checked=${chosen.includes(t)} onChange=${toggle(t)} />`)}
		${error && html`<p class="field-error">${error}</p>`}
	</fieldset>`;
}

// The form of a webhook's URL, format and events: adding one (hook absent) or editing it.
function HookForm({ hook, busyLabel, submitLabel, onSubmit, onCancel, heading }) {
	const [url, setUrl] = useState(hook ? hook.url : '');
	const [format, setFormat] = useState(hook ? hook.format : 'standard');
	const [all, setAll] = useState(hook ? hook.events.includes('*') : true);
	const [chosen, setChosen] = useState(hook ? hook.events.filter((e) => e !== '*') : []);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			await onSubmit({ url: url.trim(), format, events: all ? ['*'] : chosen });
			if (!hook) {
				setUrl('');
				setAll(true);
				setChosen([]);
			}
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	const other = formError(error, FIELDS);
	return html`<form onSubmit=${submit} aria-label=${heading}>
		<h3>${hook ? 'Edit the webhook' : heading}</h3>
		${other && html`<${PageError} error=${other} />`}
		<${Field} label="URL" value=${url} onInput=${value(setUrl)} autocomplete="off" inputmode="url"
			error=${fieldError(error, 'url')} hint="http:// or https://; a Slack or Discord incoming-webhook URL for those formats" />
		<${Field} type="select" label="Format" value=${format} options=${FORMATS} onChange=${value(setFormat)}
			error=${fieldError(error, 'format')} />
		<${EventsField} all=${all} setAll=${setAll} chosen=${chosen} setChosen=${setChosen} error=${fieldError(error, 'events')} />
		<div class="form-actions">
			<button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? busyLabel : submitLabel}</button>
			${onCancel && html`<button type="button" class="btn btn-quiet" onClick=${onCancel}>Cancel</button>`}
		</div>
	</form>`;
}

// A delivery's state: pending ones that were tried say when the next try is.
function DeliveryState({ d }) {
	if (d.state !== 'pending')
		return d.state;
	if (!d.attempts)
		return 'pending: sending';
	return html`pending: next try ${d.next_at ? html`<${Time} iso=${d.next_at} />` : 'soon'}`;
}

// awaited: the event of a test just sent ("evt_N"), which the log waits for: the sender makes its
// delivery a moment after the event is recorded.
function Deliveries({ path, hook, awaited, onAct }) {
	const logPath = `${path}/${hook.id}/deliveries`;
	const { data, error, loading, reload } = useLoad(() => api.get(logPath), [logPath, awaited]);
	const [actError, setActError] = useState(null);
	const waits = useRef(0);
	useEffect(() => { waits.current = 0; }, [awaited]);
	// While a delivery is on its way (or an awaited one is not there yet), the log follows it.
	useEffect(() => {
		if (!data)
			return undefined;
		const missing = awaited && !data.items.some((d) => d.event === awaited) && waits.current++ < POLL_AWAITED;
		if (!missing && !data.items.some((d) => d.state === 'pending'))
			return undefined;
		const t = setTimeout(reload, POLL_MS);
		return () => clearTimeout(t);
	}, [data]);
	const redeliver = async (d) => {
		setActError(null);
		onAct();
		try {
			await api.post(`${logPath}/${d.id}/redeliver`, {});
			reload();
		} catch (err) {
			setActError(err);
		}
	};
	let body;
	if (error) body = html`<${PageError} error=${error} what="the delivery log" />`;
	else if (loading && !data) body = html`<${Loading} />`;
	else body = html`<${Table} caption=${`Deliveries to ${hook.url}`} rows=${data.items}
		empty="Nothing sent yet." columns=${[
			{ key: 'event', label: 'Event', render: (d) => html`<code>${d.event}</code> ${d.type}` },
			{ key: 'state', label: 'State', render: (d) => html`<${DeliveryState} d=${d} />` },
			{ key: 'attempts', label: 'Attempts', align: 'right' },
			{ key: 'status', label: 'Answer', render: (d) => (d.status ? `HTTP ${d.status}` : d.error || '—') },
			{ key: 'duration_ms', label: 'Took', align: 'right', render: (d) => (d.duration_ms === null ? '—' : `${d.duration_ms} ms`) },
			{ key: 'last_at', label: 'Last try', render: (d) => (d.last_at ? html`<${Time} iso=${d.last_at} />` : '—') },
			{ key: 'action', label: 'Action', render: (d) => html`<button type="button" class="btn"
				onClick=${() => redeliver(d)}>${d.state === 'pending' ? 'Try now' : 'Redeliver'}<span class="sr-only"> ${d.event}</span></button>` },
		]} />`;
	return html`<div>${body}${actError && html`<${PageError} error=${actError} />`}
		<button type="button" class="btn" onClick=${reload}>Refresh<span class="sr-only"> the deliveries to ${hook.url}</span></button></div>`;
}

// A signing secret the server shows once: when a webhook is made, or given a new one.
function SecretOnce({ text, secret }) {
	return html`<${Notice} kind="ok"><p>${text}</p>
		<p class="secret-row"><code>${secret}</code> <${Copy} text=${secret} label="Copy secret" /></p><//>`;
}

function Hook({ path, hook, onChanged }) {
	const [open, setOpen] = useState(false);
	const [editing, setEditing] = useState(false);
	const [actError, setActError] = useState(null);
	const [said, setSaid] = useState('');
	const [secret, setSecret] = useState(null);
	const [awaited, setAwaited] = useState(null);
	const act = async (fn, done) => {
		setActError(null);
		setSaid('');
		try {
			const r = await fn();
			if (done) setSaid(done);
			onChanged();
			return r;
		} catch (err) {
			setActError(err);
			return null;
		}
	};
	const hookPath = `${path}/${hook.id}`;
	// A test shows up in the delivery log: opened (or read again) at once.
	const test = async () => {
		const r = await act(() => api.post(`${hookPath}/test`, {}), 'Test event sent: see its delivery below.');
		if (r) {
			setOpen(true);
			setAwaited(r.event);
		}
	};
	const rotate = async () => {
		const r = await act(() => api.patch(hookPath, { secret: null }), 'New signing secret made: the old one no longer signs.');
		if (r && r.secret) setSecret(r.secret);
	};
	const save = async (body) => {
		await api.patch(hookPath, body);
		setEditing(false);
		setSaid('Webhook saved.');
		onChanged();
	};
	return html`<li class="card">
		<p><code>${hook.url}</code></p>
		<p>${`${hook.format} · ${eventsText(hook.events)} · ${hook.enabled ? 'enabled' : 'disabled'}`}
			${hook.disabled_reason ? html`<br />${hook.disabled_reason}` : null}</p>
		${editing
			? html`<${HookForm} hook=${hook} heading=${`Edit the webhook to ${hook.url}`} submitLabel="Save" busyLabel="Saving…"
				onSubmit=${save} onCancel=${() => setEditing(false)} />`
			: html`<div class="form-actions">
			<button type="button" class="btn" onClick=${test}
				disabled=${!hook.enabled}>Send a test<span class="sr-only"> to ${hook.url}</span></button>
			<button type="button" class="btn" onClick=${() => { setSaid(''); setEditing(true); }}>Edit<span class="sr-only"> ${hook.url}</span></button>
			<button type="button" class="btn" onClick=${() => act(() => api.patch(hookPath, { enabled: !hook.enabled }))}>
				${hook.enabled ? 'Disable' : 'Enable'}<span class="sr-only"> ${hook.url}</span></button>
			<button type="button" class="btn" aria-expanded=${open ? 'true' : 'false'} onClick=${() => setOpen(!open)}>
				${open ? 'Hide deliveries' : 'Show deliveries'}<span class="sr-only"> to ${hook.url}</span></button>
			<${ConfirmButton} label=${html`New secret<span class="sr-only"> for ${hook.url}</span>`}
				question=${`Make a new signing secret for ${hook.url}? Receivers must then check with the new one.`}
				confirmLabel="Yes, new secret" onConfirm=${rotate} />
			<${ConfirmButton} label=${html`Remove<span class="sr-only"> ${hook.url}</span>`}
				question=${`Remove the webhook to ${hook.url} and its delivery log?`} confirmLabel="Yes, remove"
				onConfirm=${() => act(() => api.del(hookPath))} />
		</div>`}
		<p role="status">${said}</p>
		${secret && html`<${SecretOnce} text="Its new signing secret, shown this once:" secret=${secret} />`}
		${actError && html`<${PageError} error=${actError} />`}
		${open && html`<${Deliveries} path=${path} hook=${hook} awaited=${awaited} onAct=${() => setSaid('')} />`}
	</li>`;
}

export function WebhooksSection({ project }) {
	const path = projectApi(project, '/webhooks');
	const { data, error, loading, reload } = useLoad(() => api.get(path), [path]);
	const [added, setAdded] = useState(null);
	const add = async (body) => {
		const made = await api.post(path, body);
		setAdded(made);
		reload();
	};
	let list;
	if (error) list = html`<${PageError} error=${error} what="the webhooks" />`;
	else if (loading && !data) list = html`<${Loading} />`;
	else if (!data.items.length) list = html`<p class="empty">No webhooks: nothing is told when groups, suggestions or releases change.</p>`;
	else list = html`<ul class="relui-stack webhook-list" aria-label="Webhooks">${data.items.map((h) => html`<${Hook} key=${h.id} path=${path} hook=${h} onChanged=${reload} />`)}</ul>`;
	return html`<section class="card" aria-labelledby="webhooks-h">
		<h2 id="webhooks-h">Webhooks</h2>
		<p>prosum POSTs each event to these URLs, signed with the Standard Webhooks scheme; failed deliveries are retried for about a day.</p>
		${list}
		${added && html`<${SecretOnce} text=${`Webhook to ${added.url} added. Its signing secret, shown this once:`} secret=${added.secret} />`}
		<${HookForm} heading="Add a webhook" submitLabel="Add webhook" busyLabel="Adding…" onSubmit=${add} />
	</section>`;
}
