-- 0025_health_platform.sql - release health split by platform: the OS a session ran on, a key of the health tables.

-- platform: the operating system a session ran on, named as reports name it (their
-- platform.os): "Linux", "Windows", "macOS", "Android", "iOS", "ChromeOS", ... ; '' when unknown
-- (sessions counted before this level, a client that did not say, a Sentry session without a
-- user agent prosum recognises). libprosum sends its own (uname's sysname, "Darwin" as
-- "macOS"); a Sentry SDK's session says it through attrs.user_agent. Fixed at the session's
-- start like its release, revision and cohort, so it joins the keys of the hourly sums, the
-- duration histogram and the installs (schema/0017_health.sql): an install seen on two
-- platforms has a row on each. The WITHOUT ROWID tables are rebuilt with the longer primary
-- key; their rows are kept, with platform ''.

CREATE TABLE health_hours_v25 (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	release     TEXT NOT NULL,
	revision    TEXT NOT NULL DEFAULT '',
	environment TEXT NOT NULL DEFAULT '',
	cohort      TEXT NOT NULL DEFAULT '',
	platform    TEXT NOT NULL DEFAULT '',
	hour        INTEGER NOT NULL,
	started     INTEGER NOT NULL DEFAULT 0,
	exited      INTEGER NOT NULL DEFAULT 0,
	errored     INTEGER NOT NULL DEFAULT 0,
	abnormal    INTEGER NOT NULL DEFAULT 0,
	crashed     INTEGER NOT NULL DEFAULT 0,
	duration_n  INTEGER NOT NULL DEFAULT 0,
	duration_ms INTEGER NOT NULL DEFAULT 0,
	installs         INTEGER NOT NULL DEFAULT 0,
	crashed_installs INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (project_id, release, revision, environment, cohort, platform, hour)
) WITHOUT ROWID;
INSERT INTO health_hours_v25 (project_id, release, revision, environment, cohort, platform,
	hour, started, exited, errored, abnormal, crashed, duration_n, duration_ms, installs,
	crashed_installs)
SELECT project_id, release, revision, environment, cohort, '', hour, started, exited, errored,
	abnormal, crashed, duration_n, duration_ms, installs, crashed_installs FROM health_hours;
DROP TABLE health_hours;
ALTER TABLE health_hours_v25 RENAME TO health_hours;
CREATE INDEX health_hours_recent ON health_hours (project_id, hour);

CREATE TABLE health_durations_v25 (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	release     TEXT NOT NULL,
	revision    TEXT NOT NULL DEFAULT '',
	environment TEXT NOT NULL DEFAULT '',
	cohort      TEXT NOT NULL DEFAULT '',
	platform    TEXT NOT NULL DEFAULT '',
	hour        INTEGER NOT NULL,
	bucket      INTEGER NOT NULL CHECK (bucket BETWEEN 0 AND 80),
	sessions    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (project_id, release, revision, environment, cohort, platform, hour, bucket)
) WITHOUT ROWID;
INSERT INTO health_durations_v25 (project_id, release, revision, environment, cohort, platform,
	hour, bucket, sessions)
SELECT project_id, release, revision, environment, cohort, '', hour, bucket, sessions
	FROM health_durations;
DROP TABLE health_durations;
ALTER TABLE health_durations_v25 RENAME TO health_durations;

CREATE TABLE health_installs_v25 (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	release     TEXT NOT NULL,
	revision    TEXT NOT NULL DEFAULT '',
	environment TEXT NOT NULL DEFAULT '',
	cohort      TEXT NOT NULL DEFAULT '',
	platform    TEXT NOT NULL DEFAULT '',
	did         TEXT NOT NULL,
	first_hour  INTEGER NOT NULL,
	last_hour   INTEGER NOT NULL,
	errored     INTEGER NOT NULL DEFAULT 0 CHECK (errored IN (0, 1)),
	abnormal    INTEGER NOT NULL DEFAULT 0 CHECK (abnormal IN (0, 1)),
	crashed     INTEGER NOT NULL DEFAULT 0 CHECK (crashed IN (0, 1)),
	PRIMARY KEY (project_id, release, revision, environment, cohort, platform, did)
) WITHOUT ROWID;
INSERT INTO health_installs_v25 (project_id, release, revision, environment, cohort, platform,
	did, first_hour, last_hour, errored, abnormal, crashed)
SELECT project_id, release, revision, environment, cohort, '', did, first_hour, last_hour,
	errored, abnormal, crashed FROM health_installs;
DROP TABLE health_installs;
ALTER TABLE health_installs_v25 RENAME TO health_installs;

-- The sessions being tracked keep theirs, fixed at their start like the rest.
ALTER TABLE health_live ADD COLUMN platform TEXT NOT NULL DEFAULT '';
