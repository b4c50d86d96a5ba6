-- 0020_mail.sql - e-mail: testers' opt-ins, people's addresses and subscriptions, the digest
-- queue and one-click unsubscribe tokens (docs/notifications.md "E-mail").

-- A tester who gave an address and asked to be told (a report with tester.email and
-- tester.notify true): one address per install of a project, the latest one given.
CREATE TABLE mail_testers (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	install_id  TEXT NOT NULL,
	email       TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (project_id, install_id)
);

-- A person's address (set on the account page or with 'prosumd user email').
ALTER TABLE users ADD COLUMN email TEXT;

-- What a person follows: one group ("group", group_id set), or every new group / regression
-- of a project ("new_group", "regression", group_id NULL).
CREATE TABLE mail_subscriptions (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id),
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	kind        TEXT NOT NULL CHECK (kind IN ('group', 'new_group', 'regression')),
	group_id    INTEGER REFERENCES groups(id),
	created_at  INTEGER NOT NULL,
	CHECK ((kind = 'group') = (group_id IS NOT NULL))
);
CREATE UNIQUE INDEX mail_subscriptions_one ON mail_subscriptions
	(user_id, project_id, kind, coalesce(group_id, 0));

-- What waits for a person's next mail. `person` is "user:<id>" or "tester:<project id>:<install>";
-- `kind` names what the item came from, for its unsubscribe link ("tester", "group:<id>",
-- "new_group:<project id>", "regression:<project id>").
CREATE TABLE mail_pending (
	id          INTEGER PRIMARY KEY,
	person      TEXT NOT NULL,
	address     TEXT NOT NULL,
	kind        TEXT NOT NULL,
	event_id    INTEGER NOT NULL,
	project     TEXT NOT NULL,
	line        TEXT NOT NULL,     -- "Your bug R-12 is fixed in 1.4.0-beta.3"
	detail      TEXT,              -- a title or a comment's text
	url         TEXT,
	created_at  INTEGER NOT NULL,
	UNIQUE (person, event_id)        -- one item per event for a person, whatever the ways it reaches them
);
CREATE INDEX mail_pending_person ON mail_pending (person, id);

-- When a person was last sent a mail: the digest sends at most one per interval.
CREATE TABLE mail_sent (
	person      TEXT PRIMARY KEY,
	last_sent_at INTEGER NOT NULL
);

-- One-click unsubscribe: a random token per person and kind ("all" stops every mail).
CREATE TABLE mail_tokens (
	token       TEXT PRIMARY KEY,
	person      TEXT NOT NULL,
	kind        TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	UNIQUE (person, kind)
);
