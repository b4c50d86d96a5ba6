-- 0008_status_and_replies.sql - a report's status is its group's until one is set on the report
-- itself; testers reply to the team on their own reports.
--
-- status_own = 1 once the report's own status was set (a PATCH of the report, a commit that
-- fixes that report); until then the report shows its group's status. store.c holds the rule,
-- REPORT_STATUS, in one expression.
ALTER TABLE reports ADD COLUMN status_own INTEGER NOT NULL DEFAULT 0;
-- Until now only those two ways changed a report's status, and each left it other than 'new'
-- or wrote a status line in the report's history.
UPDATE reports SET status_own = 1 WHERE status <> 'new' OR EXISTS (SELECT 1 FROM audit a
	WHERE a.project_id = reports.project_id AND a.target_type = 'R'
	AND a.target_num = reports.num AND a.field = 'status');
-- Whatever path writes a report's status makes it the report's own.
CREATE TRIGGER reports_status_own AFTER UPDATE OF status ON reports WHEN new.status_own = 0
BEGIN
	UPDATE reports SET status_own = 1 WHERE id = new.id;
END;

-- A comment written by the tester who sent the report (POST .../reports/R-n/comments with the
-- ingest key): the install it came from. NULL for the team's comments.
ALTER TABLE comments ADD COLUMN install_id TEXT;
