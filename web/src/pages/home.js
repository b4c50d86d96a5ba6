// home.js - a project's home: what needs attention (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function HomePage() {
	return html`<${Page} title="Needs attention">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
