-- 0017_health.sql - release health (Sentry sessions) as hourly aggregates, and intake counts.

-- Sessions per project, release, environment and the UTC hour they started in: additive
-- counters only, never a row per session, so a release's health at millions of sessions is a
-- sum over a few hundred rows. hour is the unix time of the hour's start; release is as the SDK
-- sent it ("app@1.4.0+abc1234"); environment '' when none was sent. Each session counts once
-- in started; errored counts a session once, the first time it reports an error or ends
-- crashed, abnormal or errored, so crashed and abnormal sessions are errored too (errored
-- minus crashed minus abnormal: sessions with handled errors only). exited: sessions that
-- ended normally (with or without handled errors); started minus the ended ones: sessions
-- still open, or never closed. Crash-free sessions = 1 - crashed / started. duration_n and
-- duration_ms: sessions that ended normally and said how long they lasted, and the sum of
-- those durations; their distribution is in health_durations. installs: installs (health_installs)
-- prosum first heard of in this hour, crashed_installs: installs whose first crash in the release
-- came in a session of this hour, so a release's distinct installs and crash-free installs are
-- sums too (exact; health_installs answers which ones, and for any window).
-- Every table below is keyed by the build as well: revision is the build's commit as the client
-- sent it or as prosum read it out of the release ("app@1.4.0+abc1234" -> "abc1234", a bare hash,
-- `git describe` output as it is), '' when unknown; cohort the tester group the session's
-- install belonged to when the session started (schema/0022_cohorts.sql: set per install by an
-- admin, else per ingest key, else per channel), '' for none. Both are fixed at the session's
-- start like its release.
CREATE TABLE health_hours (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	release     TEXT NOT NULL,
	revision    TEXT NOT NULL DEFAULT '',
	environment TEXT NOT NULL DEFAULT '',
	cohort      TEXT NOT NULL DEFAULT '',
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
	PRIMARY KEY (project_id, release, revision, environment, cohort, hour)
) WITHOUT ROWID;
CREATE INDEX health_hours_recent ON health_hours (project_id, hour);

-- The durations of the sessions of health_hours.duration_n, as a histogram (the median and
-- other quantiles without a row per session): bucket 0 holds durations under one second,
-- bucket b >= 1 those in [2^((b-1)/4), 2^(b/4)) seconds (about 19 % wide), the last bucket
-- (80, 2^20 s, some twelve days) everything longer.
CREATE TABLE health_durations (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	release     TEXT NOT NULL,
	revision    TEXT NOT NULL DEFAULT '',
	environment TEXT NOT NULL DEFAULT '',
	cohort      TEXT NOT NULL DEFAULT '',
	hour        INTEGER NOT NULL,
	bucket      INTEGER NOT NULL CHECK (bucket BETWEEN 0 AND 80),
	sessions    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (project_id, release, revision, environment, cohort, hour, bucket)
) WITHOUT ROWID;

-- The distinct installs (Sentry's `did`) seen per release, revision, environment and cohort,
-- exactly: a row each (an install moved to another cohort between sessions has a row in each).
-- first_hour and last_hour: the start hours of its first and latest sessions (adoption over
-- time, installs active in a window); crashed, abnormal, errored: whether any session of the
-- install ended so / had an error (crash-free installs = 1 - crashed installs / installs).
CREATE TABLE health_installs (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	release     TEXT NOT NULL,
	revision    TEXT NOT NULL DEFAULT '',
	environment TEXT NOT NULL DEFAULT '',
	cohort      TEXT NOT NULL DEFAULT '',
	did         TEXT NOT NULL,
	first_hour  INTEGER NOT NULL,
	last_hour   INTEGER NOT NULL,
	errored     INTEGER NOT NULL DEFAULT 0 CHECK (errored IN (0, 1)),
	abnormal    INTEGER NOT NULL DEFAULT 0 CHECK (abnormal IN (0, 1)),
	crashed     INTEGER NOT NULL DEFAULT 0 CHECK (crashed IN (0, 1)),
	PRIMARY KEY (project_id, release, revision, environment, cohort, did)
) WITHOUT ROWID;

-- Sessions of the last five days, only so that their updates count once: the attributes
-- fixed at the session's start (release, revision, environment, cohort, start time), its state (ok, errored: still open; exited, crashed,
-- abnormal: final, later updates ignored) and whether its error was counted. sid: 32 lowercase
-- hex digits. Rows go once their session started more than five days ago (any update of such
-- a session is ignored anyway).
CREATE TABLE health_live (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	sid         TEXT NOT NULL,
	release     TEXT NOT NULL,
	revision    TEXT NOT NULL DEFAULT '',
	environment TEXT NOT NULL DEFAULT '',
	cohort      TEXT NOT NULL DEFAULT '',
	did         TEXT,
	started     INTEGER NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('ok', 'errored', 'exited', 'crashed', 'abnormal')),
	errored     INTEGER NOT NULL DEFAULT 0 CHECK (errored IN (0, 1)),
	UNIQUE (project_id, sid)
);
CREATE INDEX health_live_started ON health_live (started);

-- Envelope items per project, UTC day (unix time of its start), item type and outcome:
-- 'not_stored' (a type prosum accepts and skips: transaction, profile, replay_*, check_in,
-- span, log, statsd ...; types it does not know are counted as 'other'), and for session,
-- sessions and client_report items 'accepted', 'invalid' (malformed: counted, never refused),
-- 'too_old' (older than five days), 'in_future' (more than a day ahead) or 'after_end' (an
-- update of a session already ended). The quantity counts items; for `sessions`, aggregate
-- buckets (entries of its `aggregates`).
CREATE TABLE intake_counts (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	day        INTEGER NOT NULL,
	type       TEXT NOT NULL,
	outcome    TEXT NOT NULL,
	quantity   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (project_id, day, type, outcome)
) WITHOUT ROWID;

-- What SDKs said they discarded before sending (client_report items), per project, UTC day of
-- receipt, reason (before_send, sample_rate, ratelimit_backoff, ...) and data category
-- (error, transaction, session, attachment, ...); values outside Sentry's lists are 'other'.
CREATE TABLE client_discards (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	day        INTEGER NOT NULL,
	reason     TEXT NOT NULL,
	category   TEXT NOT NULL,
	quantity   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (project_id, day, reason, category)
) WITHOUT ROWID;
