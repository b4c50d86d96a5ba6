-- 0023_ratings.sql - testers rate the build they run: 1 to 5 and a comment, one rating per install and build.

-- A build is a release (the version, "1.4.0-beta.3") and its revision (the commit as sent, ''
-- unknown), as in the health tables. Rating again changes the install's rating of that build
-- (updated_at moves; created_at stays). cohort: the install's cohort when it last rated
-- (schema/0022_cohorts.sql), so ratings split by cohort like sessions.
CREATE TABLE ratings (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	release    TEXT NOT NULL,
	revision   TEXT NOT NULL DEFAULT '',
	install_id TEXT NOT NULL,
	rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
	comment    TEXT,
	cohort     TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, release, revision, install_id)
) WITHOUT ROWID;
CREATE INDEX ratings_install ON ratings (project_id, install_id, updated_at);
