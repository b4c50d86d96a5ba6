// admin_project.js - admin: one project's settings and keys (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function AdminProjectPage() {
	return html`<${Page} title="Project settings">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
