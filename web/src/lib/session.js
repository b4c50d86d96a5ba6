// session.js - who is signed in: loaded once from GET /api/v1/session, changed by sign-in and sign-out.
import { useEffect, useState } from './html.js';
import { api } from './api.js';

// undefined: not known yet; null: signed out; else {kind, name, role, project, csrf} where kind is
// "person" (the team) or "tester" (signed in through a board link: also `install`, role null).
let current;
const listeners = new Set();

function set(s) {
	current = s;
	for (const fn of listeners)
		fn(current);
}

// The session as it is now ({name, role, project, csrf} or null); api.js reads the CSRF token here.
export function getSession() {
	return current || null;
}

// The session, re-rendering the component when it changes.
export function useSession() {
	const [s, setS] = useState(current || null);
	useEffect(() => {
		const fn = (v) => setS(v || null);
		listeners.add(fn);
		fn(current);
		return () => listeners.delete(fn);
	}, []);
	return s;
}

function fromAnswer(a) {
	if (!a)
		return null;
	if (a.kind === 'tester')
		return { kind: 'tester', name: a.name ?? null, role: null, project: a.project, install: a.install, csrf: a.csrf };
	return { kind: 'person', name: a.name, role: a.role, project: a.project ?? null, csrf: a.csrf };
}

// A tester session from a board link's token (POST /api/v1/board/session); throws ApiError.
export async function testerSignIn(token) {
	set(fromAnswer(await api.post('/board/session', { token }, { noRedirect: true })));
	return current;
}

// A tester signed in through a board link (not the team).
export function isTester(s) {
	return !!s && s.kind === 'tester';
}

// A person of the team (signed in with name and password).
export function isPerson(s) {
	return !!s && s.kind !== 'tester';
}

// Ask the server who we are. Resolves to the session or null; never throws on 401.
export async function loadSession() {
	try {
		set(fromAnswer(await api.get('/session', null, { noRedirect: true })));
	} catch (e) {
		if (e.status !== 401)
			console.warn('session:', e.message);
		set(null);
	}
	return current;
}

export async function signIn(name, password) {
	set(fromAnswer(await api.post('/session', { name, password }, { noRedirect: true })));
	return current;
}

// Set the password from a one-time link's token; signs in.
export async function setPassword(token, password) {
	set(fromAnswer(await api.post('/password', { token, password }, { noRedirect: true })));
	return current;
}

export async function signOut() {
	try {
		await api.del('/session', { noRedirect: true });
	} finally {
		set(null);
	}
}

export async function signOutEverywhere() {
	await api.del('/sessions', { noRedirect: true });
	set(null);
}

// The server said 401 on something else: the session is gone.
export function sessionLost() {
	set(null);
}

export function hasRole(s, role) {
	if (!s)
		return false;
	const rank = { developer: 1, release: 2, admin: 3 };
	return (rank[s.role] || 0) >= (rank[role] || 99);
}
