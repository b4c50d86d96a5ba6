// board_rating.js - a tester rates the build they run (1-5, a comment), on the board; rating again changes it.
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { ErrorBox, useLoad } from '../lib/ui.js';
import { apiBase, sessionError } from './board_common.js';

const WORDS = ['', 'Bad', 'Poor', 'Fair', 'Good', 'Great'];

// The build of the tester's latest session and their rating of it; nothing before prosum
// heard of a session of theirs.
export function RateBuild({ p }) {
	const mine = useLoad(() => api.get(`${apiBase(p)}/ratings/mine`, null, { noRedirect: true }), [p]);
	const d = mine.data;
	const [rating, setRating] = useState(0);
	const [comment, setComment] = useState('');
	const [busy, setBusy] = useState(false);
	const [saved, setSaved] = useState(false);
	const [error, setError] = useState(null);
	useFollow(() => {
		setRating((d && d.rating) || 0);
		setComment((d && d.comment) || '');
	}, [d]);
	if (!d || !d.release)
		return null;
	const build = d.revision ? `${d.release} (${d.revision})` : d.release;
	const save = async (e) => {
		e.preventDefault();
		if (!rating)
			return;
		setBusy(true);
		setError(null);
		setSaved(false);
		try {
			await api.post(`${apiBase(p)}/ratings`, { release: d.release, revision: d.revision, rating, comment },
				{ noRedirect: true });
			setSaved(true);
		} catch (err) {
			setError(sessionError(err));
		} finally {
			setBusy(false);
		}
	};
	return html`<form class="rate-build" aria-label="Rate your build" onSubmit=${save}>
		<p class="rate-title">You run <strong>${build}</strong>. How is it?</p>
		<div class="rate-stars" role="radiogroup" aria-label="Your rating">
			${[1, 2, 3, 4, 5].map((n) => html`<button type="button" role="radio" aria-checked=${rating === n ? 'true' : 'false'}
				class=${'rate-star' + (n <= rating ? ' on' : '')} title=${WORDS[n]}
				onClick=${() => { setRating(n); setSaved(false); }}>
				<span aria-hidden="true">★</span><span class="sr-only">${n} of 5: ${WORDS[n]}</span></button>`)}
			${rating ? html`<span class="rate-word">${WORDS[rating]}</span>` : null}
		</div>
		<label class="sr-only" for="rate-comment">Comment</label>
		<textarea id="rate-comment" rows="2" maxlength="2000" placeholder="What works, what does not (optional)"
			value=${comment} onInput=${(e) => { setComment(e.target.value); setSaved(false); }}></textarea>
		<div class="rate-actions">
			<button type="submit" class="btn btn-primary" disabled=${busy || !rating}>${d.rating ? 'Change rating' : 'Rate'}</button>
			${saved ? html`<span class="rate-saved" role="status">Thanks: your rating of ${build} is saved.</span>` : null}
		</div>
		${error ? html`<${ErrorBox} error=${error} />` : null}
	</form>`;
}
