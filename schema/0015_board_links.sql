-- 0015_board_links.sql - testers' one-time sign-in links to the board, and the credit name of a tester's session.

-- A link a beta build asked for (ingest key + install id): only its keyed hash is kept. It signs
-- in once, within minutes; then used_at is set and it is void.
CREATE TABLE board_links (
	id          INTEGER PRIMARY KEY,
	hash        BLOB NOT NULL UNIQUE,
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	install_id  TEXT NOT NULL,
	name        TEXT,              -- the credit name the build asked for, or NULL
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	used_at     INTEGER
);
CREATE INDEX board_links_expires ON board_links (expires_at);

-- A tester's session (project_id + install_id) carries the credit name of its link.
ALTER TABLE sessions ADD COLUMN tester_name TEXT;
