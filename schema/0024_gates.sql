-- 0024_gates.sql - release gates: the health a build must show before it ships, and the index the health answer's crash groups read.

-- A project's thresholds, one per metric: the build's metric must satisfy `op value` once it
-- has at least min_sessions sessions (with fewer, the gate is not decided yet). metric:
-- crash_free_sessions, crash_free_installs, errored_rate, abnormal_rate (each a percentage,
-- 0..100, as value is). `prosum health --check` exits non-zero when the build misses one.
CREATE TABLE health_gates (
	project_id   INTEGER NOT NULL REFERENCES projects(id),
	metric       TEXT NOT NULL CHECK (metric IN ('crash_free_sessions', 'crash_free_installs',
	                                             'errored_rate', 'abnormal_rate')),
	op           TEXT NOT NULL CHECK (op IN ('>=', '>', '<=', '<')),
	value        REAL NOT NULL CHECK (value BETWEEN 0 AND 100),
	min_sessions INTEGER NOT NULL DEFAULT 0 CHECK (min_sessions >= 0),
	updated_at   INTEGER NOT NULL,
	PRIMARY KEY (project_id, metric)
) WITHOUT ROWID;

-- The crash reports of one version (a release's crash groups in the health answer).
CREATE INDEX reports_version ON reports (project_id, version, received_at);
