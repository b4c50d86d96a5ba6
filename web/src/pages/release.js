// release.js - one release and its notes (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function ReleasePage() {
	return html`<${Page} title="Release">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
