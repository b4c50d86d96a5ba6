// admin_projects.js - admin: the projects (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function AdminProjectsPage() {
	return html`<${Page} title="Projects">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
