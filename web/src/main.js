// main.js - the app: who is signed in, the top bar, and the page of the current address.
import './style.css';
import { html, render, useEffect } from './lib/html.js';
import { interceptLinks, navigate, setRoutes, useRoute } from './lib/router.js';
import { isPerson, loadSession, useSession } from './lib/session.js';
import { Nav } from './lib/ui.js';
import { NotFoundPage } from './pages/notfound.js';
import { routes } from './routes.js';

setRoutes(routes);

// A page that needs a signed-in person sends a visitor (or a tester) to /signin?next=THIS.
function Guard({ route, children }) {
	const session = useSession();
	const need = route && route.auth && !isPerson(session);
	useEffect(() => {
		if (need) {
			const here = location.pathname + location.search;
			navigate('/signin' + (here !== '/' ? '?next=' + encodeURIComponent(here) : ''), { replace: true });
		}
	}, [need]);
	return need ? null : children;
}

function App() {
	const r = useRoute();
	const Page = r.route ? r.route.page : NotFoundPage;
	return html`
		<a class="skip" href="#main">Skip to content</a>
		<${Nav} />
		<main id="main" tabindex="-1">
			<${Guard} route=${r.route}><${Page} key=${r.path} /></${Guard}>
		</main>`;
}

async function start() {
	interceptLinks();
	await loadSession();
	const root = document.getElementById('app');
	render(html`<${App} />`, root);
}

start();
