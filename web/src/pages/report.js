// report.js - one report (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function ReportPage() {
	return html`<${Page} title="Report">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
