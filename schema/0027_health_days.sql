-- 0027_health_days.sql - release health summed per day and installs per build, kept by triggers, so a 30-day answer reads days, not hours.

-- The health answer sums a window of up to a year that starts on an hour: it reads the hourly
-- rows (schema/0017_health.sql, 0025_health_platform.sql) of the window's first, partial day and
-- these daily rows for the days after it, 24 times fewer rows. Both are kept in step by the
-- triggers below, in the transaction that writes the hourly rows, whoever writes them; never
-- written directly.

-- health_hours summed per UTC day (day: the unix time of its start); first_hour and last_hour:
-- the first and last hours of the day that have a row.
CREATE TABLE health_days (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	release     TEXT NOT NULL,
	revision    TEXT NOT NULL DEFAULT '',
	environment TEXT NOT NULL DEFAULT '',
	cohort      TEXT NOT NULL DEFAULT '',
	platform    TEXT NOT NULL DEFAULT '',
	day         INTEGER NOT NULL,
	first_hour  INTEGER NOT NULL,
	last_hour   INTEGER NOT NULL,
	started     INTEGER NOT NULL DEFAULT 0,
	exited      INTEGER NOT NULL DEFAULT 0,
	errored     INTEGER NOT NULL DEFAULT 0,
	abnormal    INTEGER NOT NULL DEFAULT 0,
	crashed     INTEGER NOT NULL DEFAULT 0,
	installs         INTEGER NOT NULL DEFAULT 0,
	crashed_installs INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (project_id, release, revision, environment, cohort, platform, day)
) WITHOUT ROWID;
INSERT INTO health_days (project_id, release, revision, environment, cohort, platform, day,
	first_hour, last_hour, started, exited, errored, abnormal, crashed, installs,
	crashed_installs)
SELECT project_id, release, revision, environment, cohort, platform, hour - hour % 86400,
	min(hour), max(hour), sum(started), sum(exited), sum(errored), sum(abnormal),
	sum(crashed), sum(installs), sum(crashed_installs)
FROM health_hours
GROUP BY project_id, release, revision, environment, cohort, platform, hour - hour % 86400;
-- The releases with sessions in a window: its days, then its first day's last hours.
CREATE INDEX health_days_recent ON health_days (project_id, day);

CREATE TRIGGER health_days_insert AFTER INSERT ON health_hours BEGIN
	INSERT INTO health_days (project_id, release, revision, environment, cohort, platform, day,
		first_hour, last_hour, started, exited, errored, abnormal, crashed, installs,
		crashed_installs)
	VALUES (NEW.project_id, NEW.release, NEW.revision, NEW.environment, NEW.cohort,
		NEW.platform, NEW.hour - NEW.hour % 86400, NEW.hour, NEW.hour, NEW.started,
		NEW.exited, NEW.errored, NEW.abnormal, NEW.crashed, NEW.installs,
		NEW.crashed_installs)
	ON CONFLICT DO UPDATE SET first_hour = min(first_hour, excluded.first_hour),
		last_hour = max(last_hour, excluded.last_hour),
		started = started + excluded.started, exited = exited + excluded.exited,
		errored = errored + excluded.errored, abnormal = abnormal + excluded.abnormal,
		crashed = crashed + excluded.crashed, installs = installs + excluded.installs,
		crashed_installs = crashed_installs + excluded.crashed_installs;
END;

-- An hourly row's counters move; its key (and hour) never does.
CREATE TRIGGER health_days_update AFTER UPDATE ON health_hours BEGIN
	UPDATE health_days SET started = started + NEW.started - OLD.started,
		exited = exited + NEW.exited - OLD.exited,
		errored = errored + NEW.errored - OLD.errored,
		abnormal = abnormal + NEW.abnormal - OLD.abnormal,
		crashed = crashed + NEW.crashed - OLD.crashed,
		installs = installs + NEW.installs - OLD.installs,
		crashed_installs = crashed_installs + NEW.crashed_installs - OLD.crashed_installs
	WHERE project_id = NEW.project_id AND release = NEW.release AND revision = NEW.revision
		AND environment = NEW.environment AND cohort = NEW.cohort
		AND platform = NEW.platform AND day = NEW.hour - NEW.hour % 86400;
END;

-- prosumd deletes no hourly row; should anything, its day is summed again from what is left.
CREATE TRIGGER health_days_delete AFTER DELETE ON health_hours BEGIN
	DELETE FROM health_days WHERE project_id = OLD.project_id AND release = OLD.release
		AND revision = OLD.revision AND environment = OLD.environment AND cohort = OLD.cohort
		AND platform = OLD.platform AND day = OLD.hour - OLD.hour % 86400;
	INSERT INTO health_days (project_id, release, revision, environment, cohort, platform, day,
		first_hour, last_hour, started, exited, errored, abnormal, crashed, installs,
		crashed_installs)
	SELECT project_id, release, revision, environment, cohort, platform, hour - hour % 86400,
		min(hour), max(hour), sum(started), sum(exited), sum(errored), sum(abnormal),
		sum(crashed), sum(installs), sum(crashed_installs)
	FROM health_hours WHERE project_id = OLD.project_id AND release = OLD.release
		AND revision = OLD.revision AND environment = OLD.environment AND cohort = OLD.cohort
		AND platform = OLD.platform AND hour >= OLD.hour - OLD.hour % 86400
		AND hour < OLD.hour - OLD.hour % 86400 + 86400
	GROUP BY project_id, release, revision, environment, cohort, platform, hour - hour % 86400;
END;

-- health_durations summed per UTC day.
CREATE TABLE health_durations_days (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	release     TEXT NOT NULL,
	revision    TEXT NOT NULL DEFAULT '',
	environment TEXT NOT NULL DEFAULT '',
	cohort      TEXT NOT NULL DEFAULT '',
	platform    TEXT NOT NULL DEFAULT '',
	day         INTEGER NOT NULL,
	bucket      INTEGER NOT NULL CHECK (bucket BETWEEN 0 AND 80),
	sessions    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (project_id, release, revision, environment, cohort, platform, day, bucket)
) WITHOUT ROWID;
INSERT INTO health_durations_days (project_id, release, revision, environment, cohort, platform,
	day, bucket, sessions)
SELECT project_id, release, revision, environment, cohort, platform, hour - hour % 86400,
	bucket, sum(sessions)
FROM health_durations
GROUP BY project_id, release, revision, environment, cohort, platform, hour - hour % 86400,
	bucket;

CREATE TRIGGER health_durations_days_insert AFTER INSERT ON health_durations BEGIN
	INSERT INTO health_durations_days (project_id, release, revision, environment, cohort,
		platform, day, bucket, sessions)
	VALUES (NEW.project_id, NEW.release, NEW.revision, NEW.environment, NEW.cohort,
		NEW.platform, NEW.hour - NEW.hour % 86400, NEW.bucket, NEW.sessions)
	ON CONFLICT DO UPDATE SET sessions = sessions + excluded.sessions;
END;

CREATE TRIGGER health_durations_days_update AFTER UPDATE ON health_durations BEGIN
	UPDATE health_durations_days SET sessions = sessions + NEW.sessions - OLD.sessions
	WHERE project_id = NEW.project_id AND release = NEW.release AND revision = NEW.revision
		AND environment = NEW.environment AND cohort = NEW.cohort
		AND platform = NEW.platform AND day = NEW.hour - NEW.hour % 86400
		AND bucket = NEW.bucket;
END;

CREATE TRIGGER health_durations_days_delete AFTER DELETE ON health_durations BEGIN
	UPDATE health_durations_days SET sessions = sessions - OLD.sessions
	WHERE project_id = OLD.project_id AND release = OLD.release AND revision = OLD.revision
		AND environment = OLD.environment AND cohort = OLD.cohort
		AND platform = OLD.platform AND day = OLD.hour - OLD.hour % 86400
		AND bucket = OLD.bucket;
	DELETE FROM health_durations_days
	WHERE project_id = OLD.project_id AND release = OLD.release AND revision = OLD.revision
		AND environment = OLD.environment AND cohort = OLD.cohort
		AND platform = OLD.platform AND day = OLD.hour - OLD.hour % 86400
		AND bucket = OLD.bucket AND sessions = 0
		AND NOT EXISTS (SELECT 1 FROM health_durations WHERE project_id = OLD.project_id
			AND release = OLD.release AND revision = OLD.revision
			AND environment = OLD.environment AND cohort = OLD.cohort
			AND platform = OLD.platform AND hour >= OLD.hour - OLD.hour % 86400
			AND hour < OLD.hour - OLD.hour % 86400 + 86400 AND bucket = OLD.bucket);
END;

-- The installs of each build (release and revision as stored), once however many environments,
-- cohorts and platforms they ran in: first_hour, the latest first_hour of the install's
-- health_installs rows of the build, and crashed_hour, the latest of its crashed rows (-1: none
-- crashed). An install counts in a window from hour H when first_hour >= H, as crashed when
-- crashed_hour >= H: what a count(DISTINCT did) of those rows says, from a row per install and
-- build.
CREATE TABLE health_build_installs (
	project_id   INTEGER NOT NULL REFERENCES projects(id),
	release      TEXT NOT NULL,
	revision     TEXT NOT NULL DEFAULT '',
	did          TEXT NOT NULL,
	first_hour   INTEGER NOT NULL,
	crashed_hour INTEGER NOT NULL DEFAULT -1,
	PRIMARY KEY (project_id, release, revision, did)
) WITHOUT ROWID;
INSERT INTO health_build_installs (project_id, release, revision, did, first_hour, crashed_hour)
SELECT project_id, release, revision, did, max(first_hour),
	coalesce(max(CASE WHEN crashed = 1 THEN first_hour END), -1)
FROM health_installs GROUP BY project_id, release, revision, did;

CREATE TRIGGER health_build_installs_insert AFTER INSERT ON health_installs BEGIN
	INSERT INTO health_build_installs (project_id, release, revision, did, first_hour,
		crashed_hour)
	VALUES (NEW.project_id, NEW.release, NEW.revision, NEW.did, NEW.first_hour,
		CASE WHEN NEW.crashed = 1 THEN NEW.first_hour ELSE -1 END)
	ON CONFLICT DO UPDATE SET first_hour = max(first_hour, excluded.first_hour),
		crashed_hour = max(crashed_hour, excluded.crashed_hour);
END;

-- A row crashing for the first time (its first_hour kept): the latest crashed hour can only grow.
CREATE TRIGGER health_build_installs_crash AFTER UPDATE ON health_installs
WHEN NEW.first_hour = OLD.first_hour AND NEW.crashed = 1 AND OLD.crashed = 0 BEGIN
	UPDATE health_build_installs SET crashed_hour = max(crashed_hour, NEW.first_hour)
	WHERE project_id = NEW.project_id AND release = NEW.release AND revision = NEW.revision
		AND did = NEW.did;
END;

-- A row whose first_hour moved (an older session heard of late), or removed: the install's
-- hours are taken again from its rows of the build (removed when none is left).
CREATE TRIGGER health_build_installs_moved AFTER UPDATE ON health_installs
WHEN NEW.first_hour <> OLD.first_hour BEGIN
	UPDATE health_build_installs SET
		first_hour = (SELECT max(first_hour) FROM health_installs WHERE
			project_id = NEW.project_id AND release = NEW.release AND
			revision = NEW.revision AND did = NEW.did),
		crashed_hour = (SELECT coalesce(max(CASE WHEN crashed = 1 THEN first_hour END), -1)
			FROM health_installs WHERE project_id = NEW.project_id AND
			release = NEW.release AND revision = NEW.revision AND did = NEW.did)
	WHERE project_id = NEW.project_id AND release = NEW.release AND revision = NEW.revision
		AND did = NEW.did;
END;

CREATE TRIGGER health_build_installs_delete AFTER DELETE ON health_installs BEGIN
	DELETE FROM health_build_installs WHERE project_id = OLD.project_id
		AND release = OLD.release AND revision = OLD.revision AND did = OLD.did;
	INSERT INTO health_build_installs (project_id, release, revision, did, first_hour,
		crashed_hour)
	SELECT project_id, release, revision, did, max(first_hour),
		coalesce(max(CASE WHEN crashed = 1 THEN first_hour END), -1)
	FROM health_installs WHERE project_id = OLD.project_id AND release = OLD.release
		AND revision = OLD.revision AND did = OLD.did
	GROUP BY project_id, release, revision, did;
END;
