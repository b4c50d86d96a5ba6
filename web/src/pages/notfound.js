// notfound.js - the page of a path the app does not know.
import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { Page } from '../lib/ui.js';

export function NotFoundPage() {
	return html`<${Page} title="Page not found">
		<p>There is no page at this address. <a ...${link('/')}>Go to the start page</a>.</p>
	</${Page}>`;
}
