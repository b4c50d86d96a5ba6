// reports.js - a project's reports, filtered and searched (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function ReportsPage() {
	return html`<${Page} title="Reports">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
