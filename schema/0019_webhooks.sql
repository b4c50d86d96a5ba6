-- 0019_webhooks.sql - webhooks: per project, an admin's URL that is told about the outbox's
-- events (docs/notifications.md "Webhooks"), and the log of every delivery made to it.

CREATE TABLE webhooks (
	id          INTEGER PRIMARY KEY,
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	url         TEXT NOT NULL,                 -- http:// or https://
	events      TEXT NOT NULL,                 -- JSON array of event types; ["*"] for all
	secret      TEXT NOT NULL,                 -- "whsec_" + base64 of the signing key
	format      TEXT NOT NULL DEFAULT 'standard', -- standard | slack | discord
	enabled     INTEGER NOT NULL DEFAULT 1,
	disabled_reason TEXT,                      -- why the sender disabled it (a 410), or NULL
	created_at  INTEGER NOT NULL               -- unix seconds
);
CREATE INDEX webhooks_project ON webhooks (project_id, id);

-- One event to one webhook: pending until the receiver answers 2xx (delivered) or the retries
-- end (failed). A redelivery is a new row for the same event.
CREATE TABLE webhook_deliveries (
	id          INTEGER PRIMARY KEY,
	webhook_id  INTEGER NOT NULL REFERENCES webhooks(id),
	event_id    INTEGER NOT NULL REFERENCES outbox(id),
	state       TEXT NOT NULL DEFAULT 'pending', -- pending | delivered | failed
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_at     INTEGER NOT NULL,              -- unix milliseconds: when to try (pending)
	created_at  INTEGER NOT NULL,              -- unix milliseconds
	last_at     INTEGER,                       -- unix milliseconds of the last attempt
	last_status INTEGER,                       -- its HTTP status; NULL when none came
	last_duration_ms INTEGER,
	last_error  TEXT                           -- why it failed, NULL when it did not
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
