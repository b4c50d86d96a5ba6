// suggestions.js - a project's suggestions and their status (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function SuggestionsPage() {
	return html`<${Page} title="Suggestions">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
