-- 0026_report_cohorts.sql - reports carry the cohort of the tester who sent them, fixed at ingest.

-- The cohort a report's sender belonged to when it arrived, by the rule sessions use
-- (schema/0022_cohorts.sql: the install's, set by an admin; else the ingest key's it was sent
-- with; else its channel's, build.channel or Sentry's environment); '' is none. Reports stored
-- before this level have none. Changing a cohort later never moves reports already stored.
ALTER TABLE reports ADD COLUMN cohort TEXT NOT NULL DEFAULT '';

-- The reports of one cohort, newest first (GET .../reports?cohort=), and the crash groups of a
-- release's reports per cohort (the health answer with by=cohort).
CREATE INDEX reports_cohort ON reports (project_id, cohort, num);
