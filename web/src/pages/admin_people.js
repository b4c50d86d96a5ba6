// admin_people.js - admin: people, roles, one-time links (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function AdminPeoplePage() {
	return html`<${Page} title="People">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
