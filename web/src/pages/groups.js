// groups.js - a project's groups, filtered (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function GroupsPage() {
	return html`<${Page} title="Groups">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
