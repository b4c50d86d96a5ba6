-- 0016_sentry_items.sql - what Sentry envelopes bring beside events: attachment types, attachments
-- waiting for their event, and user feedback linked to the event it is about.

-- "event.attachment", "event.minidump", ...: the Sentry item header, for attachments from SDKs.
ALTER TABLE attachments ADD COLUMN attachment_type TEXT;

-- An attachment that came before its event: the file is stored, the row waits for the event's
-- report (its uuid is the event's id) and moves into attachments when it arrives.
CREATE TABLE sentry_pending_attachments (
	project_id      INTEGER NOT NULL REFERENCES projects(id),
	event_uuid      TEXT NOT NULL,
	name            TEXT NOT NULL,
	size            INTEGER NOT NULL,
	content_type    TEXT NOT NULL,
	sha256          TEXT NOT NULL,
	attachment_type TEXT NOT NULL,
	received_at     INTEGER NOT NULL,
	PRIMARY KEY (project_id, event_uuid, name)
) WITHOUT ROWID;

-- A feedback report (user_report, feedback) and the event it is about, by the event's uuid: the
-- link holds whether that event arrived before the feedback, after it, or not yet.
CREATE TABLE sentry_feedback (
	feedback_id INTEGER PRIMARY KEY REFERENCES reports(id),
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	event_uuid  TEXT NOT NULL
);
CREATE INDEX sentry_feedback_event ON sentry_feedback (project_id, event_uuid);
