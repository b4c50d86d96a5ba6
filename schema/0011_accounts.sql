-- 0011_accounts.sql - people who sign in (name and password), their one-time links, and sessions.

-- A person: a role like a token's, an optional project limit. The password is kept as
-- PBKDF2-HMAC-SHA256 with a per-person random salt and the iteration count it was made with
-- (raised for everyone later without losing the old hashes). NULL until set from a link.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL CHECK (role IN ('developer', 'release', 'admin')),
	project_id    INTEGER REFERENCES projects(id),
	pw_salt       BLOB,
	pw_hash       BLOB,
	pw_iterations INTEGER,
	-- The one-time link that sets the password: only its keyed hash, void once used or
	-- replaced by a fresh one.
	link_hash     BLOB UNIQUE,
	link_expires  INTEGER,
	disabled_at   INTEGER,
	created_at    INTEGER NOT NULL
);

-- A signed-in browser: only the keyed hash of its random id is kept. A team member's session
-- has user_id; a tester's (later) has project_id and install_id instead.
CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	hash         BLOB NOT NULL UNIQUE,
	user_id      INTEGER REFERENCES users(id),
	project_id   INTEGER REFERENCES projects(id),
	install_id   TEXT,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL, -- the absolute limit; the idle one counts from last_seen_at
	ended_at     INTEGER,
	CHECK (user_id IS NOT NULL OR (project_id IS NOT NULL AND install_id IS NOT NULL))
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id IS NOT NULL;
