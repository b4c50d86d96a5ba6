-- 0004_git.sql - links to the project's git history: resolved revisions, commit links, releases, suspects.

ALTER TABLE reports ADD COLUMN commit_id TEXT;  -- build.revision resolved to a full commit id
CREATE INDEX reports_unresolved ON reports (project_id, revision)
	WHERE commit_id IS NULL AND revision IS NOT NULL;

-- Commits prosum has a use for: those that link to items, fix them, or are suspects.
-- release: the first release (in history order) that contains the commit.
CREATE TABLE commits (
	project_id   INTEGER NOT NULL REFERENCES projects(id),
	id           TEXT NOT NULL,
	author_name  TEXT,
	author_email TEXT,
	author_time  INTEGER,
	summary      TEXT,
	release      TEXT,
	PRIMARY KEY (project_id, id)
) WITHOUT ROWID;

-- "Fixes R-12", "Implements S-7": kept even when the item does not exist yet.
CREATE TABLE links (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	ref_type   TEXT NOT NULL CHECK (ref_type IN ('R', 'G', 'S')),
	ref_num    INTEGER NOT NULL,
	commit_id  TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('fix', 'implement')),
	PRIMARY KEY (project_id, ref_type, ref_num, commit_id)
) WITHOUT ROWID;

-- The tips of the history already scanned: the next sync walks only what is new.
CREATE TABLE scan_tips (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	id         TEXT NOT NULL,
	PRIMARY KEY (project_id, id)
) WITHOUT ROWID;

CREATE TABLE releases (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	name       TEXT NOT NULL,
	ref        TEXT NOT NULL,
	commit_id  TEXT NOT NULL,
	position   INTEGER NOT NULL DEFAULT 0,  -- history order, 0 first
	created_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, name)
) WITHOUT ROWID;

-- The commits that last touched the lines a crash went through (git blame).
CREATE TABLE suspects (
	report_id INTEGER NOT NULL REFERENCES reports(id),
	commit_id TEXT NOT NULL,
	path      TEXT NOT NULL,
	line      INTEGER NOT NULL,
	PRIMARY KEY (report_id, path, line)
) WITHOUT ROWID;
CREATE INDEX suspects_commit ON suspects (commit_id);
