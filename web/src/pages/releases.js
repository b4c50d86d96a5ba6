// releases.js - a project's releases: register, sync (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function ReleasesPage() {
	return html`<${Page} title="Releases">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
