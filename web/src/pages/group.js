// group.js - one group (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function GroupPage() {
	return html`<${Page} title="Group">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
