-- 0021_news.sql - what each tester's install has seen of its news (GET .../news): the outbox
-- id up to which it said so (POST .../news/seen). News is computed from the outbox rows after
-- it that concern the install (docs/notifications.md, "News in the beta build").

CREATE TABLE news_seen (
	project_id  INTEGER NOT NULL REFERENCES projects(id),
	install_id  TEXT NOT NULL,
	last_id     INTEGER NOT NULL DEFAULT 0,  -- outbox id; 0: nothing seen yet
	PRIMARY KEY (project_id, install_id)
) WITHOUT ROWID;
