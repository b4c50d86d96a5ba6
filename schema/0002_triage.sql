-- 0002_triage.sql - triage: assignment, merges, comments, audit trail, facets, tags, full-text search.

ALTER TABLE reports ADD COLUMN assignee TEXT;
ALTER TABLE reports ADD COLUMN fixed_by TEXT;
ALTER TABLE reports ADD COLUMN os TEXT;
ALTER TABLE reports ADD COLUMN arch TEXT;
CREATE INDEX reports_project_time ON reports (project_id, received_at);

ALTER TABLE groups ADD COLUMN assignee TEXT;
ALTER TABLE groups ADD COLUMN fixed_by TEXT;
ALTER TABLE groups ADD COLUMN merged_into INTEGER REFERENCES groups(id);
CREATE INDEX groups_project_seen ON groups (project_id, last_seen, num);
CREATE INDEX groups_project_count ON groups (project_id, count, num);

-- Builds and platforms a group was seen on, with counts: facet is 'version' or 'platform'.
CREATE TABLE group_facets (
	group_id INTEGER NOT NULL REFERENCES groups(id),
	facet    TEXT NOT NULL,
	value    TEXT NOT NULL,
	count    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (group_id, facet, value)
) WITHOUT ROWID;

CREATE TABLE report_tags (
	project_id INTEGER NOT NULL,
	key        TEXT NOT NULL,
	value      TEXT NOT NULL,
	report_id  INTEGER NOT NULL REFERENCES reports(id),
	PRIMARY KEY (project_id, key, value, report_id)
) WITHOUT ROWID;

-- Comments of the team on reports (R), groups (G) and suggestions (S).
CREATE TABLE comments (
	id          INTEGER PRIMARY KEY,
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	target_type TEXT NOT NULL CHECK (target_type IN ('R', 'G', 'S')),
	target_num  INTEGER NOT NULL,
	author      TEXT NOT NULL,
	body        TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE INDEX comments_target ON comments (project_id, target_type, target_num, id);

-- Every change made through the API, with who made it and when.
CREATE TABLE audit (
	id          INTEGER PRIMARY KEY,
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	target_type TEXT NOT NULL,
	target_num  INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	field       TEXT NOT NULL,
	old_value   TEXT,
	new_value   TEXT,
	at          INTEGER NOT NULL
);
CREATE INDEX audit_target ON audit (project_id, target_type, target_num, id);

-- Full-text search over what testers wrote and where it crashed; rowid = reports.id.
CREATE VIRTUAL TABLE reports_fts USING fts5 (
	title, text, exception, functions,
	tokenize = 'unicode61 remove_diacritics 2'
);
