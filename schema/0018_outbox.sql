-- 0018_outbox.sql - the events prosum tells the world about (webhooks, e-mail, news), written
-- in the same transaction as the change that causes them: an event is never lost and never
-- exists for a change that rolled back. Channels read the rows in id order, each from its own
-- cursor, and deliver at least once.

CREATE TABLE outbox (
	id          INTEGER PRIMARY KEY,           -- increasing: the order events happened in
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	type        TEXT NOT NULL,                 -- "group.created", "suggestion.shipped", ...
	created_at  INTEGER NOT NULL,              -- unix seconds
	data        TEXT NOT NULL                  -- the event's JSON object (docs/notifications.md)
);
CREATE INDEX outbox_project ON outbox (project_id, id);

-- How far each channel has read: "webhooks", "email", ...
CREATE TABLE outbox_cursors (
	channel     TEXT PRIMARY KEY,
	last_id     INTEGER NOT NULL DEFAULT 0
);
