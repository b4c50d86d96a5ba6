-- 0001_init.sql - projects, keys, tokens, groups and reports.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE projects (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL UNIQUE,
	repo            TEXT,
	created_at      INTEGER NOT NULL,
	next_report     INTEGER NOT NULL DEFAULT 1,
	next_group      INTEGER NOT NULL DEFAULT 1,
	next_suggestion INTEGER NOT NULL DEFAULT 1
);

-- Ingest keys ship inside beta builds: public by design, so kept as they are.
CREATE TABLE ingest_keys (
	key        TEXT PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects(id),
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
) WITHOUT ROWID;

-- API tokens are secrets: only an HMAC-SHA-256 of each is kept.
CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY,
	hash       BLOB NOT NULL UNIQUE,
	role       TEXT NOT NULL CHECK (role IN ('developer', 'release', 'admin')),
	project_id INTEGER REFERENCES projects(id),
	name       TEXT,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE groups (
	id             INTEGER PRIMARY KEY,
	project_id     INTEGER NOT NULL REFERENCES projects(id),
	num            INTEGER NOT NULL,
	fingerprint    TEXT NOT NULL,
	kind           TEXT NOT NULL,
	title          TEXT NOT NULL,
	status         TEXT NOT NULL DEFAULT 'new',
	count          INTEGER NOT NULL DEFAULT 0,
	testers        INTEGER NOT NULL DEFAULT 0,
	first_seen     INTEGER NOT NULL,
	last_seen      INTEGER NOT NULL,
	first_revision TEXT,
	last_revision  TEXT,
	UNIQUE (project_id, num),
	UNIQUE (project_id, fingerprint)
);

-- Distinct testers of a group, to count them without scanning reports.
CREATE TABLE group_testers (
	group_id   INTEGER NOT NULL REFERENCES groups(id),
	install_id TEXT NOT NULL,
	PRIMARY KEY (group_id, install_id)
) WITHOUT ROWID;

CREATE TABLE reports (
	id          INTEGER PRIMARY KEY,
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	num         INTEGER NOT NULL,
	uuid        TEXT NOT NULL,
	group_id    INTEGER NOT NULL REFERENCES groups(id),
	kind        TEXT NOT NULL,
	title       TEXT NOT NULL,
	status      TEXT NOT NULL DEFAULT 'new',
	severity    TEXT,
	install_id  TEXT NOT NULL,
	version     TEXT,
	revision    TEXT,
	received_at INTEGER NOT NULL,
	body        TEXT NOT NULL,  -- the whole document as sent, unknown fields too
	UNIQUE (project_id, num),
	UNIQUE (project_id, uuid)
);
CREATE INDEX reports_group ON reports (group_id, num);
