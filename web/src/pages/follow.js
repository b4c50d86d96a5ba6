// follow.js - the Follow button of a group page: e-mail me about this group (PUT/DELETE
// /api/v1/projects/{p}/follows/{G-n}); the account page lists what you follow.
import { html, useState, useFollow } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Button, ErrorBox, useLoad } from '../lib/ui.js';

export function FollowButton({ p, group }) {
	const path = `/projects/${encodeURIComponent(p)}/follows`;
	const list = useLoad(() => api.get(path), [path]);
	const [on, setOn] = useState(null);
	const [error, setError] = useState(null);
	useFollow(() => {
		if (list.data)
			setOn((list.data.items || []).some((f) => f.kind === 'group' && f.group === group));
	}, [list.data, group]);
	if (on === null)
		return null;
	const toggle = async () => {
		setError(null);
		const target = `${path}/${encodeURIComponent(group)}`;
		try {
			const r = on ? await api.del(target) : await api.put(target);
			setOn(Boolean(r && r.following));
		} catch (err) {
			setError(err);
		}
	};
	return html`<${Button} kind="quiet" onClick=${toggle} aria-pressed=${on ? 'true' : 'false'}
		title=${on ? 'Stop the e-mail about this group' : 'E-mail me when this group changes (set your address on the account page)'}>
		${on ? 'Following' : 'Follow'}</${Button}>${error ? html`<${ErrorBox} error=${error} />` : null}`;
}
