// board_new.js - a tester posts a suggestion; while the title is typed, similar ones are offered.
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, navigate, useRoute } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { Button, ErrorBox, Field, Page } from '../lib/ui.js';
import { apiBase, base, sessionError, SuggestionStatus, uuid, viewer } from './board_common.js';

// Suggestions like `text` from the board's full-text search, asked a moment after typing stops.
function useSimilar(p, text) {
	const [items, setItems] = useState([]);
	const seq = useRef(0);
	useEffect(() => {
		const q = text.trim();
		const mine = ++seq.current;
		if (q.length < 3) {
			setItems([]);
			return undefined;
		}
		// The word being typed matches the start of words (prefix=1: "dark mo" finds "Dark mode");
		// when nothing has them all, the words before it.
		const words = q.split(/\s+/);
		const typing = !/\s$/.test(text);
		const done = words.length > 1 && typing ? words.slice(0, -1).join(' ') : null;
		const ask = (query, prefix) => api.get(`${apiBase(p)}/board`,
			prefix ? { q: query, prefix: 1, limit: 5 } : { q: query, limit: 5 }, { noRedirect: true })
			.then((a) => (a && a.items) || []);
		const t = setTimeout(() => {
			ask(q, typing).then((found) => (found.length || !done ? found : ask(done, false))).then(
				(found) => mine === seq.current && setItems(found),
				() => mine === seq.current && setItems([]));
		}, 250);
		return () => clearTimeout(t);
	}, [p, text]);
	return items;
}

export function BoardNewPage() {
	const { params } = useRoute();
	const p = params.p;
	const session = useSession();
	const who = viewer(session, p);
	const [title, setTitle] = useState('');
	const [body, setBody] = useState('');
	const [error, setError] = useState(null);
	const id = useRef(uuid());
	const similar = useSimilar(p, title);
	if (who !== 'tester') {
		return html`<${Page} title="Suggest an idea">
			<p>Suggestions come from the project's testers: open the feedback board from your beta build
				(its "Feedback board" action, or <code>prosum board</code>) to sign in here.</p>
			<p><a ...${link(`${base(p)}/board`)}>Back to the board</a></p>
		</${Page}>`;
	}
	const send = async (e) => {
		e.preventDefault();
		setError(null);
		try {
			const a = await api.post(`${apiBase(p)}/suggestions`, { uuid: id.current, title: title.trim(), body: body.trim() || undefined },
				{ noRedirect: true });
			navigate(`${base(p)}/board/${a.id}`);
		} catch (err) {
			setError(sessionError(err));
		}
	};
	return html`<${Page} title="Suggest an idea">
		<form class="card form-wide" onSubmit=${send}>
			<${Field} label="Title" value=${title} required maxlength="300" autocomplete="off"
				onInput=${(e) => setTitle(e.target.value)} hint="One idea, in a few words."
				error=${error && error.field === 'title' ? error.message : null} />
			<div class="similar" role="status" aria-live="polite">
				${similar.length ? html`<p class="similar-h">Already suggested? Vote for it instead:</p>
					<ul>${similar.map((s) => html`<li key=${s.id}><a ...${link(`${base(p)}/board/${s.id}`)}>${s.title}</a>
						<span class="muted"> ${s.votes} ${s.votes === 1 ? 'vote' : 'votes'}</span> <${SuggestionStatus} s=${s} /></li>`)}</ul>` : null}
			</div>
			<${Field} label="Description (optional)" type="textarea" value=${body} maxlength="16384"
				onInput=${(e) => setBody(e.target.value)} hint="What would it let you do? Plain text." />
			${error && error.field !== 'title' ? html`<${ErrorBox} error=${error} />` : null}
			<div class="actions">
				<${Button} type="submit" kind="primary" disabled=${!title.trim()}>Post suggestion</${Button}>
				<a class="btn btn-quiet" ...${link(`${base(p)}/board`)}>Cancel</a>
			</div>
		</form>
	</${Page}>`;
}
