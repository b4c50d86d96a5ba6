-- 0003_attachments.sql - files that came with a report, stored by SHA-256 under attachments/.

CREATE TABLE attachments (
	report_id    INTEGER NOT NULL REFERENCES reports(id),
	name         TEXT NOT NULL,
	size         INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	sha256       TEXT NOT NULL,
	PRIMARY KEY (report_id, name)
) WITHOUT ROWID;
