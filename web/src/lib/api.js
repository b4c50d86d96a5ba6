// api.js - the JSON API from the browser: same-origin cookies, the CSRF header, errors as ApiError.
import { getSession, sessionLost } from './session.js';

// What a failed call throws: the server's {"error":{code,message,field}} and the HTTP status
// (status 0: the server could not be reached).
export class ApiError extends Error {
	constructor(status, code, message, field, retryAfter) {
		super(message || code || `HTTP ${status}`);
		this.name = 'ApiError';
		this.status = status;
		this.code = code || '';
		this.field = field || null;
		this.retryAfter = retryAfter || 0;
	}
}

// "/projects" -> "/api/v1/projects"; a path already under /api/ is kept.
export function apiUrl(path, query) {
	let url = path.startsWith('/api/') ? path : '/api/v1' + (path.startsWith('/') ? '' : '/') + path;
	if (query) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(query)) {
			if (v !== undefined && v !== null && v !== '')
				q.set(k, String(v));
		}
		const s = q.toString();
		if (s)
			url += (url.includes('?') ? '&' : '?') + s;
	}
	return url;
}

// Send to the sign-in page, coming back here afterwards.
function toSignIn() {
	const here = location.pathname + location.search;
	if (location.pathname === '/signin')
		return;
	const url = '/signin' + (here && here !== '/' ? '?next=' + encodeURIComponent(here) : '');
	// Through the router (loaded lazily to keep this module free of UI): a popstate makes it look.
	history.pushState(null, '', url);
	dispatchEvent(new PopStateEvent('popstate'));
}

async function call(method, path, { query, body, noRedirect, signal } = {}) {
	const headers = { Accept: 'application/json' };
	const s = getSession();
	if (method !== 'GET' && method !== 'HEAD' && s && s.csrf)
		headers['X-Prosum-CSRF'] = s.csrf;
	let payload;
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		payload = JSON.stringify(body);
	}
	let res;
	try {
		res = await fetch(apiUrl(path, query), {
			method, headers, body: payload, credentials: 'same-origin', signal,
			cache: 'no-store',
		});
	} catch (e) {
		if (e.name === 'AbortError')
			throw e;
		throw new ApiError(0, 'unreachable', 'the server could not be reached; check the connection and retry');
	}
	const type = res.headers.get('Content-Type') || '';
	let data = null;
	if (res.status !== 204 && method !== 'HEAD') {
		if (type.startsWith('application/json')) {
			try {
				data = await res.json();
			} catch {
				data = null;
			}
		} else {
			data = await res.text();
		}
	}
	if (res.ok)
		return data;
	const err = (data && typeof data === 'object' && data.error) || {};
	const e = new ApiError(res.status, err.code, err.message, err.field,
		Number(res.headers.get('Retry-After')) || 0);
	if (res.status === 401 && !noRedirect) {
		sessionLost();
		toSignIn();
	}
	throw e;
}

// Every call resolves to the parsed JSON answer (null for 204, text for a non-JSON answer)
// or throws ApiError. `opts`: {noRedirect} keeps a 401 from sending the page to /signin;
// {signal} an AbortSignal.
export const api = {
	get: (path, query, opts) => call('GET', path, { ...opts, query }),
	post: (path, body, opts) => call('POST', path, { ...opts, body: body ?? {} }),
	patch: (path, body, opts) => call('PATCH', path, { ...opts, body: body ?? {} }),
	put: (path, body, opts) => call('PUT', path, { ...opts, body: body ?? {} }),
	del: (path, opts) => call('DELETE', path, { ...opts }),
};
