/* mail_route.c - who hears of an outbox event by e-mail, and the line each of them reads. */
#include "notify/mail.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/weblink.h"
#include "store/store_mail.h"

#define LINE_MAX_BYTES 512

typedef struct route_ctx {
	store_db *db;
	int64_t event_id, project_id, now;
	const char *project, *public_url;
	json_t *d;            /* the event's data */
	int64_t group;        /* G-n of the event, 0 when none */
	const char *kind;     /* the followers' kind the item is queued under */
	const char *except;   /* the person who made the change: not told of it (NULL: none) */
	char line[LINE_MAX_BYTES];
	const char *detail, *url;
	char url_buf[WEBLINK_MAX];
	int rc;
} route_ctx;

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* n of "P-n" (P the prefix letter), 0 when absent or malformed. */
static int64_t ref(json_t *o, const char *key, char prefix)
{
	const char *s = str(o, key);
	char *end;
	long long v;

	if (!s || s[0] != prefix || s[1] != '-')
		return 0;
	errno = 0;
	v = strtoll(s + 2, &end, 10);
	return errno || *end || v <= 0 ? 0 : v;
}

static int queue(route_ctx *c, const char *person, const char *address, const char *kind)
{
	store_mail_item it = {0};
	int rc;

	it.person = person;
	it.address = address;
	it.kind = kind;
	it.event_id = c->event_id;
	it.project = c->project;
	it.line = c->line;
	it.detail = c->detail;
	it.url = c->url;
	it.created_at = c->now;
	rc = store_mail_pending_add(c->db, &it);
	if (rc < 0)
		c->rc = rc;
	return rc;
}

static void to_follower(void *ctx, int64_t user_id, const char *email)
{
	route_ctx *c = ctx;
	char person[64], kind[96];

	snprintf(person, sizeof(person), "user:%lld", (long long)user_id);
	if (strcmp(c->kind, "group") == 0)
		snprintf(kind, sizeof(kind), "group:%lld:%lld", (long long)c->project_id,
			 (long long)c->group);
	else
		snprintf(kind, sizeof(kind), "%s:%lld", c->kind, (long long)c->project_id);
	queue(c, person, email, kind);
}

/* Everyone following `kind` ("group" for the event's group) gets c->line. */
static int followers(route_ctx *c, const char *kind)
{
	int rc;

	c->kind = kind;
	rc = store_mail_followers(c->db, c->project_id, kind, c->group, c->except, to_follower, c);
	return rc < 0 ? rc : c->rc;
}

static int to_tester(route_ctx *c, const char *install, const char *email)
{
	char person[64 + STORE_INSTALL_MAX];

	snprintf(person, sizeof(person), "tester:%lld:%s", (long long)c->project_id, install);
	return queue(c, person, email, "tester");
}

/* A tester's link, when serve knows its public URL: a shipped suggestion's board item (the
 * first of `items`), else their own reports and suggestions on the board ("Mine"), where they
 * read the team's replies and answer them. Never the team's pages. */
static const char *tester_url(route_ctx *c, const char *items)
{
	char first[32];
	size_t n = strcspn(items, ",");
	int rc;

	if (!c->public_url)
		return NULL;
	if (strcmp(c->kind, "suggestion.shipped") == 0 && n > 0 && n < sizeof(first)) {
		memcpy(first, items, n);
		first[n] = '\0';
		rc = weblink(c->url_buf, sizeof(c->url_buf), c->public_url, c->project,
			     WEBLINK_SUGGESTION, first);
	} else {
		rc = weblink(c->url_buf, sizeof(c->url_buf), c->public_url, c->project, WEBLINK_MINE,
			     NULL);
	}
	return rc == 0 ? c->url_buf : NULL;
}

/* One tester the event is news for (store_mail_audience): the line names their own items. */
static void tester_line(void *ctx, const char *install, const char *email, const char *items,
			int voter)
{
	route_ctx *c = ctx;
	const char *release = str(c->d, "release");
	int several = strchr(items, ',') != NULL;

	if (strcmp(c->kind, "group.fixed_in_release") == 0)
		snprintf(c->line, sizeof(c->line), "Your %s %s %s fixed in %s",
			 several ? "bugs" : "bug", items, several ? "are" : "is",
			 release ? release : "a new release");
	else if (strcmp(c->kind, "suggestion.shipped") == 0)
		snprintf(c->line, sizeof(c->line), "%s %s shipped in %s",
			 voter ? "The suggestion you voted for" : "Your suggestion", items,
			 release ? release : "a new release");
	else /* report.comment: the first of their reports, as the news says it */
		snprintf(c->line, sizeof(c->line), "The team replied on your bug %.*s",
			 (int)strcspn(items, ","), items);
	c->url = tester_url(c, items);
	to_tester(c, install, email);
	c->url = NULL;
}

/* The testers event `type` is news for, by the rule the news in the beta build follows too;
 * `prefix` the letter of their items ('R' reports, 'S' suggestions). */
static int testers(route_ctx *c, const char *type, char prefix)
{
	int rc;

	c->kind = type;
	rc = store_mail_audience(c->db, c->event_id, prefix, tester_line, c);
	return rc < 0 ? rc : c->rc;
}

/* The group page in the web app, when serve knows its public URL. */
static const char *group_url(route_ctx *c)
{
	char name[32];

	if (!c->public_url || !c->group)
		return NULL;
	snprintf(name, sizeof(name), "G-%lld", (long long)c->group);
	return weblink(c->url_buf, sizeof(c->url_buf), c->public_url, c->project, WEBLINK_GROUP,
		       name) == 0
		   ? c->url_buf
		   : NULL;
}

static int route_group(route_ctx *c, const char *type)
{
	const char *title = str(c->d, "title"), *release = str(c->d, "release");
	const char *status = str(c->d, "status");
	int rc;

	c->detail = title;
	c->url = group_url(c);
	if (strcmp(type, "group.created") == 0) {
		snprintf(c->line, sizeof(c->line), "New group G-%lld", (long long)c->group);
		return followers(c, "new_group");
	}
	if (strcmp(type, "group.regressed") == 0) {
		if (release)
			snprintf(c->line, sizeof(c->line), "G-%lld regressed in %s",
				 (long long)c->group, release);
		else
			snprintf(c->line, sizeof(c->line), "G-%lld regressed", (long long)c->group);
		rc = followers(c, "regression");
		return rc < 0 ? rc : followers(c, "group");
	}
	if (strcmp(type, "group.status_changed") == 0) {
		snprintf(c->line, sizeof(c->line), "G-%lld is now %s", (long long)c->group,
			 status ? status : "changed");
		return followers(c, "group");
	}
	if (strcmp(type, "group.fixed_in_release") == 0) {
		/* Testers first: their line names their own reports. */
		c->url = NULL; /* the team's pages are not theirs */
		rc = testers(c, type, 'R');
		if (rc < 0)
			return rc;
		c->url = group_url(c);
		snprintf(c->line, sizeof(c->line), "G-%lld is fixed in %s", (long long)c->group,
			 release ? release : "a new release");
		return followers(c, "group");
	}
	return 0;
}

static int route_comment(route_ctx *c)
{
	json_t *cm = json_object_get(c->d, "comment");
	int64_t rnum = ref(c->d, "report", 'R');
	int rc;

	c->detail = json_is_object(cm) ? str(cm, "body") : NULL;
	/* The testers of the report, or of the group's reports (none when it is hidden). */
	rc = testers(c, "report.comment", 'R');
	if (rc < 0)
		return rc;
	if (rnum)
		snprintf(c->line, sizeof(c->line), "New comment on R-%lld (G-%lld)", (long long)rnum,
			 (long long)c->group);
	else
		snprintf(c->line, sizeof(c->line), "New comment on G-%lld", (long long)c->group);
	if (!c->group)
		return 0;
	c->url = group_url(c);
	c->except = json_is_object(cm) ? str(cm, "author") : NULL; /* not told of their own */
	return followers(c, "group");
}

static int route_shipped(route_ctx *c)
{
	c->detail = str(c->d, "title");
	return testers(c, "suggestion.shipped", 'S');
}

int mail_route(store_db *db, int64_t id, int64_t project_id, const char *project,
	       const char *type, const char *data, const char *public_url, int64_t now)
{
	route_ctx c = {0};
	json_t *doc = json_loads(data, 0, NULL), *inner;
	int rc = 0;

	if (!json_is_object(doc))
		goto out; /* not ours to judge: other channels read it too */
	/* The data of the event, or a whole event document holding it. */
	inner = json_object_get(doc, "data");
	c.d = json_is_object(inner) && json_object_get(doc, "type") ? inner : doc;
	c.db = db;
	c.event_id = id;
	c.project_id = project_id;
	c.project = project;
	c.public_url = public_url;
	c.now = now;
	c.group = ref(c.d, "group", 'G');
	if (strncmp(type, "group.", 6) == 0 && c.group)
		rc = route_group(&c, type);
	else if (strcmp(type, "report.comment") == 0)
		rc = route_comment(&c);
	else if (strcmp(type, "suggestion.shipped") == 0)
		rc = route_shipped(&c);
out:
	json_decref(doc);
	return rc < 0 ? rc : 0;
}
