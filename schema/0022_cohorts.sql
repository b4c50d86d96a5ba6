-- 0022_cohorts.sql - tester cohorts: the group a session's install belongs to, set per ingest key, channel or install.

-- A cohort is a short name ("insiders", "expert panel"); '' is none. A session takes its cohort
-- when it starts (health_live.cohort and the keys of the health tables, schema/0017_health.sql),
-- the first that applies of: the install's, set by an admin; the ingest key's it was sent with;
-- its channel's (the build's channel, Sentry's environment). Changing one later moves the
-- sessions that start afterwards, never those already counted.

-- Per ingest key: a build handed to a group ships with that group's key.
ALTER TABLE ingest_keys ADD COLUMN cohort TEXT NOT NULL DEFAULT '';

-- Per channel of a project ("beta" -> "public beta").
CREATE TABLE channel_cohorts (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	channel    TEXT NOT NULL,
	cohort     TEXT NOT NULL,
	PRIMARY KEY (project_id, channel)
) WITHOUT ROWID;

-- Per install, set by an admin (a tester moved to the expert panel).
CREATE TABLE install_cohorts (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	install_id TEXT NOT NULL,
	cohort     TEXT NOT NULL,
	set_at     INTEGER NOT NULL,
	PRIMARY KEY (project_id, install_id)
) WITHOUT ROWID;
