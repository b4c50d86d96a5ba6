// admin_webhooks.js - the admin project page's webhooks section: add (secret shown once), enable/disable, test, remove, and each webhook's delivery log with redelivery.
import { html, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Loading, Notice, Field, Table, Time, Copy, useLoad } from '../lib/ui.js';
import { PageError, ConfirmButton, fieldError, formError, projectApi, value } from './relui_parts.js';

const EVENTS = ['group.created', 'group.regressed', 'group.status_changed', 'group.fixed_in_release', 'report.comment',
	'suggestion.created', 'suggestion.status_changed', 'suggestion.shipped', 'release.created'];
const FORMATS = [{ value: 'standard', label: 'Standard Webhooks (signed JSON)' }, { value: 'slack', label: 'Slack incoming webhook' },
	{ value: 'discord', label: 'Discord webhook' }];
const FIELDS = ['url', 'events', 'format'];

function AddForm({ path, onAdded }) {
	const [url, setUrl] = useState('');
	const [format, setFormat] = useState('standard');
	const [all, setAll] = useState(true);
	const [chosen, setChosen] = useState([]);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const toggle = (t) => (e) => setChosen(e.currentTarget.checked ? [...chosen, t] : chosen.filter((c) => c !== t));
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			const made = await api.post(path, { url: url.trim(), format, events: all ? ['*'] : chosen });
			setUrl('');
			onAdded(made);
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	const other = formError(error, FIELDS);
	return html`<form onSubmit=${submit} aria-labelledby="webhook-add-h">
		<h3 id="webhook-add-h">Add a webhook</h3>
		${other && html`<${PageError} error=${other} />`}
		<${Field} label="URL" value=${url} onInput=${value(setUrl)} autocomplete="off" inputmode="url"
			error=${fieldError(error, 'url')} hint="http:// or https://; a Slack or Discord incoming-webhook URL for those formats" />
		<${Field} type="select" label="Format" value=${format} options=${FORMATS} onChange=${value(setFormat)}
			error=${fieldError(error, 'format')} />
		<fieldset class="field">
			<legend>Events</legend>
			<${Field} type="checkbox" label="Every event" checked=${all} onChange=${(e) => setAll(e.currentTarget.checked)} />
			${!all && EVENTS.map((t) => html`<${Field} type="checkbox" label=${t} checked=${chosen.includes(t)} onChange=${toggle(t)} />`)}
			${fieldError(error, 'events') && html`<p class="field-error">${fieldError(error, 'events')}</p>`}
		</fieldset>
		<div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Adding…' : 'Add webhook'}</button></div>
	</form>`;
}

function Deliveries({ path, hook }) {
	const logPath = `${path}/${hook.id}/deliveries`;
	const { data, error, loading, reload } = useLoad(() => api.get(logPath), [logPath]);
	const [actError, setActError] = useState(null);
	const redeliver = async (d) => {
		setActError(null);
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
			{ key: 'state', label: 'State' },
			{ key: 'attempts', label: 'Attempts', align: 'right' },
			{ key: 'status', label: 'Answer', render: (d) => (d.status ? `HTTP ${d.status}` : d.error || '—') },
			{ key: 'duration_ms', label: 'Took', align: 'right', render: (d) => (d.duration_ms === null ? '—' : `${d.duration_ms} ms`) },
			{ key: 'last_at', label: 'Last try', render: (d) => (d.last_at ? html`<${Time} iso=${d.last_at} />` : '—') },
			{ key: 'action', label: 'Action', render: (d) => (d.state === 'pending' ? '' : html`<button type="button" class="btn"
				onClick=${() => redeliver(d)}>Redeliver<span class="sr-only"> ${d.event}</span></button>`) },
		]} />`;
	return html`<div>${body}${actError && html`<${PageError} error=${actError} />`}
		<button type="button" class="btn" onClick=${reload}>Refresh<span class="sr-only"> the deliveries to ${hook.url}</span></button></div>`;
}

function Hook({ path, hook, onChanged }) {
	const [open, setOpen] = useState(false);
	const [actError, setActError] = useState(null);
	const [said, setSaid] = useState('');
	const act = async (fn, done) => {
		setActError(null);
		setSaid('');
		try {
			await fn();
			if (done) setSaid(done);
			onChanged();
		} catch (err) {
			setActError(err);
		}
	};
	const hookPath = `${path}/${hook.id}`;
	return html`<li class="card">
		<p><code>${hook.url}</code></p>
		<p>${`${hook.format} · ${hook.events.join(', ')} · ${hook.enabled ? 'enabled' : 'disabled'}`}
			${hook.disabled_reason ? html`<br />${hook.disabled_reason}` : null}</p>
		<div class="form-actions">
			<button type="button" class="btn" onClick=${() => act(() => api.post(`${hookPath}/test`, {}), 'Test event sent.')}
				disabled=${!hook.enabled}>Send a test<span class="sr-only"> to ${hook.url}</span></button>
			<button type="button" class="btn" onClick=${() => act(() => api.patch(hookPath, { enabled: !hook.enabled }))}>
				${hook.enabled ? 'Disable' : 'Enable'}<span class="sr-only"> ${hook.url}</span></button>
			<button type="button" class="btn" aria-expanded=${open ? 'true' : 'false'} onClick=${() => setOpen(!open)}>
				${open ? 'Hide deliveries' : 'Show deliveries'}<span class="sr-only"> to ${hook.url}</span></button>
			<${ConfirmButton} label=${html`Remove<span class="sr-only"> ${hook.url}</span>`}
				question=${`Remove the webhook to ${hook.url} and its delivery log?`} confirmLabel="Yes, remove"
				onConfirm=${() => act(() => api.del(hookPath))} />
			<span role="status">${said}</span>
		</div>
		${actError && html`<${PageError} error=${actError} />`}
		${open && html`<${Deliveries} path=${path} hook=${hook} />`}
	</li>`;
}

export function WebhooksSection({ project }) {
	const path = projectApi(project, '/webhooks');
	const { data, error, loading, reload } = useLoad(() => api.get(path), [path]);
	const [added, setAdded] = useState(null);
	let list;
	if (error) list = html`<${PageError} error=${error} what="the webhooks" />`;
	else if (loading && !data) list = html`<${Loading} />`;
	else if (!data.items.length) list = html`<p class="empty">No webhooks: nothing is told when groups, suggestions or releases change.</p>`;
	else list = html`<ul class="relui-stack" aria-label="Webhooks">${data.items.map((h) => html`<${Hook} key=${h.id} path=${path} hook=${h} onChanged=${reload} />`)}</ul>`;
	return html`<section class="card" aria-labelledby="webhooks-h">
		<h2 id="webhooks-h">Webhooks</h2>
		<p>prosum POSTs each event to these URLs, signed with the Standard Webhooks scheme; failed deliveries are retried for about a day.</p>
		${list}
		${added && html`<${Notice} kind="ok"><p>Webhook added. Its signing secret, shown this once:</p>
			<p class="secret-row"><code>${added.secret}</code> <${Copy} text=${added.secret} label="Copy secret" /></p><//>`}
		<${AddForm} path=${path} onAdded=${(h) => { setAdded(h); reload(); }} />
	</section>`;
}
