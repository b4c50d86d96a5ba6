// router.js - client-side routes over the History API: the URL is the state, filters live in the query.
import { useEffect, useState } from './html.js';

let table = [];
const listeners = new Set();

// Path pattern ("/p/:p/groups/:id") to a matcher; ":name" is one path segment.
function compile(pattern) {
	const names = [];
	const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, n) => {
		names.push(n);
		return '([^/]+)';
	});
	return { re: new RegExp('^' + re + '/?$'), names };
}

// Routes: [{path, page, ...}] in order; the first match wins. main.js calls this once.
export function setRoutes(routes) {
	table = routes.map((r) => ({ ...r, ...compile(r.path) }));
	current = snapshot();
}

// The route for a path: {route, params} or null.
export function matchRoute(path) {
	for (const r of table) {
		const m = r.re.exec(path);
		if (!m)
			continue;
		const params = {};
		try {
			r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
		} catch {
			return null; // a malformed escape matches nothing
		}
		return { route: r, params };
	}
	return null;
}

function queryOf(search) {
	const q = {};
	for (const [k, v] of new URLSearchParams(search)) {
		if (!(k in q))
			q[k] = v;
	}
	return q;
}

function snapshot() {
	const m = matchRoute(location.pathname);
	return { path: location.pathname, params: m ? m.params : {}, query: queryOf(location.search),
		hash: location.hash, route: m ? m.route : null };
}

let current = snapshot();

function changed() {
	current = snapshot();
	for (const fn of listeners)
		fn(current);
}

// {path, params, query, hash, route} of the page now shown; re-renders on navigation.
export function useRoute() {
	const [r, setR] = useState(current);
	useEffect(() => {
		listeners.add(setR);
		setR(current);
		return () => listeners.delete(setR);
	}, []);
	return r;
}

// The route as it is now, outside a component.
export function currentRoute() {
	return current;
}

// Go to a same-origin URL ("/p/demo/groups?status=open"). {replace} replaces the history entry.
export function navigate(url, { replace = false } = {}) {
	const before = location.pathname;
	history[replace ? 'replaceState' : 'pushState'](null, '', url);
	changed();
	if (location.pathname !== before) {
		window.scrollTo(0, 0);
		// Screen readers and keyboards start at the new page's heading (Page focuses it).
	}
}

// Props of a link that navigates without reloading: html`<a ...${link(url)}>`.
export function link(url) {
	return {
		href: url,
		onClick: (e) => {
			if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
				return;
			e.preventDefault();
			navigate(url);
		},
	};
}

// A URL of this page with some query parameters changed; null, undefined or '' removes one.
export function withQuery(changes, base = location.pathname + location.search) {
	const u = new URL(base, location.origin);
	for (const [k, v] of Object.entries(changes)) {
		if (v === null || v === undefined || v === '')
			u.searchParams.delete(k);
		else
			u.searchParams.set(k, String(v));
	}
	return u.pathname + u.search;
}

// Change query parameters of the current page (a new history entry unless {replace}).
export function setQuery(changes, { replace = false } = {}) {
	navigate(withQuery(changes), { replace });
}

// Same-origin links anywhere in the page navigate without a reload, except the API's and
// the assets', downloads and links opening elsewhere.
export function interceptLinks() {
	addEventListener('popstate', changed);
	document.addEventListener('click', (e) => {
		if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
			return;
		const a = e.target.closest && e.target.closest('a[href]');
		if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin)
			return;
		if (a.pathname.startsWith('/api/') || a.pathname.startsWith('/assets/') || a.pathname === '/healthz')
			return;
		if (a.pathname === location.pathname && a.search === location.search && a.hash)
			return; // an anchor on this page (the skip link)
		e.preventDefault();
		navigate(a.pathname + a.search + a.hash);
	});
}
