// admin_tokens.js - admin: API tokens (placeholder until its page lands).
import { html } from '../lib/html.js';
import { Page, Notice } from '../lib/ui.js';

export function AdminTokensPage() {
	return html`<${Page} title="API tokens">
		<${Notice}>This page is not built yet.</${Notice}>
	</${Page}>`;
}
