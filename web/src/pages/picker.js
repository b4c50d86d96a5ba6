// picker.js - the start page: the projects this person may see, or straight to the only one.
import { html, useEffect } from '../lib/html.js';
import { api } from '../lib/api.js';
import { link, navigate } from '../lib/router.js';
import { hasRole, useSession } from '../lib/session.js';
import { ErrorBox, Loading, Notice, Page, Time, useLoad } from '../lib/ui.js';

export function PickerPage() {
	const session = useSession();
	const { data, error, loading } = useLoad(() => api.get('/projects'), []);
	const items = (data && data.items) || [];
	useEffect(() => {
		if (data && items.length === 1)
			navigate(`/p/${encodeURIComponent(items[0].name)}`, { replace: true });
	}, [data]);
	return html`<${Page} title="Projects">
		${loading ? html`<${Loading} />` : null}
		<${ErrorBox} error=${error} />
		${data && items.length === 0 ? html`<${Notice}>There are no projects you can see yet.
			${hasRole(session, 'admin') ? html` <a ...${link('/admin/projects')}>Create one</a>.` : ' Ask an administrator.'}
		</${Notice}>` : null}
		${items.length > 1 ? html`<ul class="cards">
			${items.map((p) => html`<li class="card">
				<a class="card-title" ...${link(`/p/${encodeURIComponent(p.name)}`)}>${p.name}</a>
				<p class="muted">${p.public ? 'public · ' : ''}created <${Time} iso=${p.created_at} /></p>
			</li>`)}
		</ul>` : null}
	</${Page}>`;
}
