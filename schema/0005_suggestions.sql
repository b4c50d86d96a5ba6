-- 0005_suggestions.sql - community suggestions and votes, credit, and what changed when (for testers' feeds).

CREATE TABLE suggestions (
	id           INTEGER PRIMARY KEY,
	project_id   INTEGER NOT NULL REFERENCES projects(id),
	num          INTEGER NOT NULL,
	uuid         TEXT NOT NULL,
	title        TEXT NOT NULL,
	body         TEXT,
	status       TEXT NOT NULL DEFAULT 'new',
	install_id   TEXT NOT NULL,
	tester_name  TEXT,  -- set only when the tester opted in to credit
	votes        INTEGER NOT NULL DEFAULT 0,
	duplicate_of INTEGER REFERENCES suggestions(id),
	shipped_in   TEXT,  -- a release named by hand; git links take precedence
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (project_id, num),
	UNIQUE (project_id, uuid)
);
CREATE INDEX suggestions_votes ON suggestions (project_id, votes, num);
CREATE INDEX suggestions_install ON suggestions (project_id, install_id);

CREATE TABLE votes (
	suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
	install_id    TEXT NOT NULL,
	tester_name   TEXT,
	created_at    INTEGER NOT NULL,
	PRIMARY KEY (suggestion_id, install_id)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE suggestions_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2');

ALTER TABLE reports ADD COLUMN tester_name TEXT;
ALTER TABLE reports ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reports_install ON reports (project_id, install_id);

-- What a tester sees of an item changes when its status, fix, release or comments do:
-- these triggers keep updated_at true whichever code path made the change.
CREATE TRIGGER reports_changed AFTER UPDATE OF status, fixed_by, commit_id, group_id ON reports
BEGIN
	UPDATE reports SET updated_at = unixepoch() WHERE id = new.id;
END;
CREATE TRIGGER groups_changed AFTER UPDATE OF status, fixed_by, merged_into ON groups
BEGIN
	UPDATE groups SET updated_at = unixepoch() WHERE id = new.id;
END;
CREATE TRIGGER suggestions_changed AFTER UPDATE OF status, duplicate_of, shipped_in, votes ON suggestions
BEGIN
	UPDATE suggestions SET updated_at = unixepoch() WHERE id = new.id;
END;
CREATE TRIGGER commits_release_changed AFTER UPDATE OF release ON commits
WHEN old.release IS NOT new.release
BEGIN
	UPDATE groups SET updated_at = unixepoch()
	WHERE project_id = new.project_id AND fixed_by = new.id;
	UPDATE reports SET updated_at = unixepoch()
	WHERE project_id = new.project_id AND fixed_by = new.id;
	UPDATE suggestions SET updated_at = unixepoch()
	WHERE project_id = new.project_id AND num IN (SELECT ref_num FROM links
		WHERE project_id = new.project_id AND ref_type = 'S' AND commit_id = new.id);
END;
CREATE TRIGGER comments_added AFTER INSERT ON comments
BEGIN
	UPDATE reports SET updated_at = unixepoch()
	WHERE new.target_type = 'R' AND project_id = new.project_id AND num = new.target_num;
	UPDATE groups SET updated_at = unixepoch()
	WHERE new.target_type = 'G' AND project_id = new.project_id AND num = new.target_num;
	UPDATE suggestions SET updated_at = unixepoch()
	WHERE new.target_type = 'S' AND project_id = new.project_id AND num = new.target_num;
END;

-- Release notes link commits when the project has a web view: "https://example.org/commit/{id}".
ALTER TABLE projects ADD COLUMN commit_url TEXT;
