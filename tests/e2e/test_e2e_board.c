/* test_e2e_board.c - the community board against a real prosumd: visitors of public projects, sorts, moderation, shipped, fame, profiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_server s; /* first, as e2e_fixture_new() wants */
	char rel[128]; /* a release manager's token ("rita") */
	char dev[128]; /* a developer's token ("dora") */
	char a[41];    /* the repository's first commit */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f || e2e_token_add(&f->s, "release", "rita", f->rel, sizeof(f->rel)) < 0 ||
	    e2e_token_add(&f->s, "developer", "dora", f->dev, sizeof(f->dev)) < 0 ||
	    e2e_git_head(&f->s, f->a) < 0 || e2e_start(&f->s, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

#define VISITOR NULL

/*
 * A request: as a visitor (who NULL), with a token (who = the token), or as a tester (who =
 * "key", with the ingest key and X-Prosum-Install: install). The status into *status, the raw
 * body into *raw (malloc'd, may be NULL); the answer's JSON (NULL when it is not JSON).
 */
static json_t *req(fixture *f, const char *who, const char *install, const char *method,
		   const char *path, const char *body, long *status, char **raw)
{
	char auth[200], inst[200];
	const char *h[4] = {"Content-Type: application/json", NULL, NULL, NULL};
	e2e_response r;
	json_t *v;

	if (who && strcmp(who, "key") == 0) {
		snprintf(auth, sizeof(auth), "X-Prosum-Key: %s", f->s.key);
		h[1] = auth;
	} else if (who) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", who);
		h[1] = auth;
	}
	if (install) {
		snprintf(inst, sizeof(inst), "X-Prosum-Install: %s", install);
		h[h[1] ? 2 : 1] = inst;
	}
	assert_int_equal(e2e_request(&f->s, method, path, h, body, body ? strlen(body) : 0, &r), 0);
	*status = r.status;
	v = json_loads(r.body, 0, NULL);
	if (raw)
		*raw = strdup(r.body);
	e2e_response_free(&r);
	return v;
}

/* req() that must answer `want`; the JSON answer (caller owns it). */
static json_t *get_ok(fixture *f, const char *who, const char *method, const char *path,
		      const char *body, long want)
{
	long st;
	char *raw = NULL;
	json_t *v = req(f, who, NULL, method, path, body, &st, &raw);

	if (st != want)
		fail_msg("%s %s: %ld, expected %ld: %s", method, path, st, want, raw);
	free(raw);
	return v;
}

static void ok(fixture *f, const char *who, const char *method, const char *path,
	       const char *body, long want)
{
	json_decref(get_ok(f, who, method, path, body, want));
}

static const char *str(json_t *v, const char *k)
{
	json_t *x = json_object_get(v, k);

	return json_is_string(x) ? json_string_value(x) : "(none)";
}

static json_int_t num(json_t *v, const char *k)
{
	return json_integer_value(json_object_get(v, k));
}

/* A tester's suggestion (credit `name`, NULL: none); it must get id `want`. */
static void suggest(fixture *f, const char *title, const char *install, const char *name,
		    const char *want)
{
	char text[256];
	long st;
	json_t *v;

	snprintf(text, sizeof(text), "Please, %s", title);
	v = e2e_suggest(&f->s, title, text, install, name, &st);
	assert_int_equal(st, 201);
	assert_string_equal(str(v, "id"), want);
	json_decref(v);
}

static void vote(fixture *f, const char *s, const char *install, const char *name)
{
	char path[128], body[256];

	snprintf(path, sizeof(path), "/api/v1/projects/demo/suggestions/%s/votes", s);
	snprintf(body, sizeof(body), "{\"install_id\":\"%s\"%s%s%s}", install,
		 name ? ",\"name\":\"" : "", name ? name : "", name ? "\"" : "");
	ok(f, "key", "POST", path, body, 200);
}

static void make_public(fixture *f, int pub)
{
	ok(f, f->s.token, "PATCH", "/api/v1/projects/demo", pub ? "{\"public\":true}"
								: "{\"public\":false}",
	   200);
}

/* Write to the server's database (what no API does: votes cast in the past). */
static void sql_exec(fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_open(f->s.db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
}

/* The ids of a board answer's items, "S-1 S-3 ...". */
static const char *ids(json_t *v)
{
	static char out[512];
	json_t *it;
	size_t i, n = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(v, "items"), i, it)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "", str(it, "id"));
	return out;
}

/* The board as `who` sees it with query `q`: its item ids; the raw body into raw (may be NULL). */
static const char *board(fixture *f, const char *who, const char *q, char **raw)
{
	char path[256];
	long st;
	const char *out;
	json_t *v;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/board%s", q);
	v = req(f, who, NULL, "GET", path, NULL, &st, raw);
	if (st != 200)
		fail_msg("GET %s: %ld", path, st);
	out = ids(v);
	json_decref(v);
	return out;
}

/* The item of a board answer with id `id`, or NULL; borrowed. */
static json_t *item(json_t *v, const char *id)
{
	return e2e_find(json_object_get(v, "items"), "id", id);
}

/* Nothing that identifies a tester who did not opt in: install ids, e-mails. */
static void assert_anonymous(const char *raw)
{
	if (strstr(raw, "install-") || strstr(raw, "@example.org") || strstr(raw, "install_id"))
		fail_msg("a visitor's answer names an install or an e-mail: %s", raw);
}

/* ---- who sees what, sorts, filters, search, trending, pins ---- */

static void test_visitors_sorts_and_trending(void **state)
{
	fixture *f = *state;
	char *raw = NULL, q[128];
	long st;
	json_t *v;

	suggest(f, "Dark mode", "install-a", "Ada", "S-1");
	suggest(f, "Export to PDF", "install-b", NULL, "S-2");
	suggest(f, "Offline sync", "install-c", "Cyd", "S-3");
	vote(f, "S-1", "install-f", NULL);
	vote(f, "S-2", "install-d", NULL);
	vote(f, "S-2", "install-e", NULL);

	/* Private: a visitor learns nothing, not even that it exists; the team reads it. */
	v = req(f, VISITOR, NULL, "GET", "/api/v1/projects/demo/board", NULL, &st, &raw);
	assert_int_equal(st, 404);
	assert_non_null(strstr(raw, "no such project"));
	free(raw);
	json_decref(v);
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/board/S-1", NULL, 404);
	ok(f, VISITOR, "GET", "/api/v1/projects/nope/board", NULL, 404);
	assert_string_equal(board(f, f->dev, "", NULL), "S-2 S-1 S-3");
	/* A tester's ingest key reads its own project's board, private or not. */
	assert_string_equal(board(f, "key", "", NULL), "S-2 S-1 S-3");

	make_public(f, 1);
	assert_string_equal(board(f, VISITOR, "", &raw), "S-2 S-1 S-3");
	assert_anonymous(raw);
	free(raw);
	assert_string_equal(board(f, VISITOR, "?sort=votes", NULL), "S-2 S-1 S-3");
	assert_string_equal(board(f, VISITOR, "?sort=newest", NULL), "S-3 S-2 S-1");
	assert_string_equal(board(f, VISITOR, "?q=pdf", NULL), "S-2");
	/* While a title is typed, its last word matches the start of words (prefix=1); words
	 * before it, or a last word followed by a space, stay whole words. */
	assert_string_equal(board(f, VISITOR, "?q=dark+mo", NULL), "");
	assert_string_equal(board(f, VISITOR, "?q=dark+mo&prefix=1", NULL), "S-1");
	assert_string_equal(board(f, VISITOR, "?q=dar+mode&prefix=1", NULL), "");
	assert_string_equal(board(f, VISITOR, "?q=dark+mo+&prefix=1", NULL), "");
	assert_string_equal(board(f, VISITOR, "?q=%22ex*%22&prefix=1", NULL), "");
	assert_string_equal(board(f, VISITOR, "?q=ex&prefix=0", NULL), "");
	assert_string_equal(board(f, VISITOR, "?q=ex&prefix=1", NULL), "S-2");
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/board?q=ex&prefix=yes", NULL, 422);
	assert_string_equal(board(f, VISITOR, "?limit=2", NULL), "S-2 S-1");
	assert_string_equal(board(f, VISITOR, "?limit=2&cursor=2", NULL), "S-3");
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/board?sort=loudest", NULL, 422);
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/board?status=famous", NULL, 422);

	/* Trending counts the last 7 days: S-2's votes are ten days old. */
	snprintf(q, sizeof(q),
		 "UPDATE votes SET created_at = %lld WHERE suggestion_id = (SELECT id FROM "
		 "suggestions WHERE num = 2)",
		 (long long)time(NULL) - 10 * 24 * 3600);
	sql_exec(f, q);
	assert_string_equal(board(f, VISITOR, "?sort=trending", NULL), "S-1 S-3 S-2");
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/board?sort=trending", NULL, 200);
	assert_int_equal(num(item(v, "S-2"), "votes"), 3);
	assert_int_equal(num(item(v, "S-2"), "votes_7d"), 0);
	assert_int_equal(num(item(v, "S-1"), "votes_7d"), 2);
	assert_string_equal(str(item(v, "S-1"), "status"), "under_review"); /* new, to the board */
	assert_null(json_object_get(item(v, "S-1"), "hidden"));            /* not the team */
	json_decref(v);

	/* Filtered by status: under review takes the new ones. */
	ok(f, f->rel, "PATCH", "/api/v1/projects/demo/suggestions/S-3", "{\"status\":\"planned\"}",
	   200);
	assert_string_equal(board(f, VISITOR, "?status=planned", NULL), "S-3");
	assert_string_equal(board(f, VISITOR, "?status=under_review", NULL), "S-2 S-1");
	assert_string_equal(board(f, VISITOR, "?status=shipped", NULL), "");

	/* Pinned first in every sort; a developer pins, a tester may not. */
	ok(f, "key", "PATCH", "/api/v1/projects/demo/suggestions/S-3", "{\"pinned\":true}", 403);
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-3", "{\"pinned\":\"yes\"}", 422);
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-3", "{\"pinned\":true}", 200);
	/* A developer moderates the status too; where it shipped stays the release manager's,
	 * and a refused request changes nothing of what it carried. */
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-3",
	   "{\"pinned\":true,\"status\":\"in_progress\"}", 200);
	assert_string_equal(board(f, VISITOR, "?status=in_progress", NULL), "S-3");
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-3",
	   "{\"status\":\"planned\",\"shipped_in\":\"1.0\"}", 403);
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-3",
	   "{\"hidden\":true,\"shipped_in\":\"1.0\"}", 403);
	assert_string_equal(board(f, VISITOR, "?status=in_progress", NULL), "S-3");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM audit WHERE target_type = 'S' "
					    "AND target_num = 3 AND field = 'status' AND "
					    "new_value = 'in_progress' AND actor = 'dora'"),
			 1);
	assert_string_equal(board(f, VISITOR, "", NULL), "S-3 S-2 S-1");
	assert_string_equal(board(f, VISITOR, "?sort=newest", NULL), "S-3 S-2 S-1");
	assert_string_equal(board(f, VISITOR, "?sort=trending", NULL), "S-3 S-1 S-2");
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/board", NULL, 200);
	assert_true(json_is_true(json_object_get(item(v, "S-3"), "pinned")));
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM audit WHERE target_type = 'S' "
					    "AND target_num = 3 AND field = 'pinned' AND "
					    "new_value = 'true' AND actor = 'dora'"),
			 1);

	/* A token of another project, or a browser whose session ended, reads as a visitor. */
	ok(f, f->s.token, "POST", "/api/v1/projects", "{\"name\":\"other\"}", 201);
	v = get_ok(f, f->s.token, "POST", "/api/v1/tokens",
		   "{\"role\":\"developer\",\"name\":\"otto\",\"project\":\"other\"}", 201);
	snprintf(q, sizeof(q), "%s", str(v, "token"));
	json_decref(v);
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-1", "{\"hidden\":true}", 200);
	assert_string_equal(board(f, q, "", NULL), "S-3 S-2");
	assert_string_equal(board(f, f->dev, "", NULL), "S-3 S-2 S-1");
	{
		const char *h[] = {"Cookie: prosum_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				   NULL};
		e2e_response r;

		assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/board", h, NULL, 0,
					     &r),
				 0);
		assert_int_equal(r.status, 200);
		assert_null(strstr(r.body, "S-1"));
		e2e_response_free(&r);
		make_public(f, 0);
		assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/board", h, NULL, 0,
					     &r),
				 0);
		assert_int_equal(r.status, 404);
		e2e_response_free(&r);
	}

	/* Private again: gone for visitors and other projects' tokens. */
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/board", NULL, 404);
	ok(f, q, "GET", "/api/v1/projects/demo/board", NULL, 404);
}

/* ---- the suggestion page, duplicates, comments and hiding ---- */

/* The comment of `v` whose body is `body`, or NULL. */
static json_t *comment(json_t *v, const char *body)
{
	return e2e_find(json_object_get(v, "comments"), "body", body);
}

/* Has `v`'s history an entry of field `field` with new value `nv` (NULL: null)? */
static json_t *history(json_t *v, const char *field, const char *nv)
{
	json_t *h, *n;
	size_t i;

	json_array_foreach(json_object_get(v, "history"), i, h) {
		n = json_object_get(h, "new");
		if (strcmp(str(h, "field"), field) == 0 &&
		    (nv ? json_is_string(n) && strcmp(json_string_value(n), nv) == 0 : json_is_null(n)))
			return h;
	}
	return NULL;
}

static void test_page_comments_and_hiding(void **state)
{
	fixture *f = *state;
	char *raw = NULL, path[128];
	json_int_t team_id, tester_id;
	json_t *v, *c;
	long st;

	make_public(f, 1);
	suggest(f, "Dark mode", "install-a", "Ada", "S-1");
	suggest(f, "Night theme", "install-b", NULL, "S-2");
	suggest(f, "Rude title", "install-c", NULL, "S-3");
	/* A developer merges a duplicate and moves the status, as a release manager may. */
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-2", "{\"duplicate_of\":\"S-1\"}",
	   200);
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-1", "{\"status\":\"planned\"}",
	   200);

	/* The team comments; a tester comments with their install; a visitor cannot. */
	v = get_ok(f, f->dev, "POST", "/api/v1/projects/demo/suggestions/S-1/comments",
		   "{\"body\":\"On our list\"}", 201);
	team_id = num(v, "id");
	assert_true(team_id > 0);
	assert_string_equal(str(v, "from"), "team");
	json_decref(v);
	v = req(f, "key", "install-a", "POST", "/api/v1/projects/demo/suggestions/S-1/comments",
		"{\"body\":\"Thanks!\",\"name\":\"Ada\"}", &st, NULL);
	assert_int_equal(st, 201);
	tester_id = num(v, "id");
	assert_string_equal(str(v, "author"), "Ada");
	assert_string_equal(str(v, "from"), "tester");
	json_decref(v);
	ok(f, "key", "POST", "/api/v1/projects/demo/suggestions/S-1/comments", "{\"body\":\"x\"}",
	   422); /* which install? */
	ok(f, VISITOR, "POST", "/api/v1/projects/demo/suggestions/S-1/comments", "{\"body\":\"x\"}",
	   401);
	ok(f, f->dev, "POST", "/api/v1/projects/demo/suggestions/S-1/comments", "{\"body\":\"\"}",
	   422);
	ok(f, f->dev, "POST", "/api/v1/projects/demo/suggestions/S-99/comments", "{\"body\":\"x\"}",
	   404);

	/* The page: body, credited author, comments with ids, history, what merged into it. */
	v = req(f, VISITOR, NULL, "GET", "/api/v1/projects/demo/board/S-1", NULL, &st, &raw);
	assert_int_equal(st, 200);
	assert_anonymous(raw);
	assert_null(strstr(raw, "rita")); /* the team is "team" */
	assert_null(strstr(raw, "dora"));
	free(raw);
	assert_string_equal(str(v, "body"), "Please, Dark mode");
	assert_string_equal(str(v, "author"), "Ada");
	assert_string_equal(str(v, "status"), "planned");
	assert_string_equal(json_string_value(json_array_get(json_object_get(v, "merged"), 0)), "S-2");
	assert_int_equal(json_array_size(json_object_get(v, "merged")), 1);
	c = comment(v, "On our list");
	assert_non_null(c);
	assert_int_equal(num(c, "id"), team_id);
	assert_string_equal(str(c, "author"), "team");
	assert_string_equal(str(c, "from"), "team");
	assert_non_null(comment(v, "Thanks!"));
	c = history(v, "status", "planned");
	assert_non_null(c);
	assert_string_equal(str(c, "actor"), "team");
	json_decref(v);
	/* A duplicate points to the suggestion it merged into. */
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/board/S-2", NULL, 200);
	assert_string_equal(str(v, "duplicate_of"), "S-1");
	assert_string_equal(str(v, "status"), "duplicate");
	assert_string_equal(str(v, "author"), "(none)"); /* sent without a name: null */
	assert_true(json_is_null(json_object_get(v, "author")));
	assert_non_null(history(v, "duplicate_of", "S-1"));
	json_decref(v);
	assert_string_equal(board(f, VISITOR, "?status=duplicate", NULL), "S-2");
	assert_string_equal(board(f, VISITOR, "", NULL), "S-1 S-3");

	/* Hide the team's comment: kept, gone for visitors, marked for the team, audited. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/comments/%lld", (long long)team_id);
	ok(f, "key", "PATCH", path, "{\"hidden\":true}", 403);
	ok(f, f->dev, "PATCH", path, "{\"hidden\":1}", 422);
	ok(f, f->dev, "PATCH", path, "{\"shown\":true}", 422);
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/comments/99999", "{\"hidden\":true}", 404);
	v = get_ok(f, f->dev, "PATCH", path, "{\"hidden\":true}", 200);
	assert_true(json_is_true(json_object_get(v, "hidden")));
	assert_string_equal(str(v, "hidden_by"), "dora");
	assert_string_equal(str(v, "on"), "S-1");
	json_decref(v);
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/board/S-1", NULL, 200);
	assert_null(comment(v, "On our list"));
	assert_non_null(comment(v, "Thanks!"));
	assert_null(history(v, "hidden_comment", NULL)); /* moderation is the team's business */
	json_decref(v);
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/board", NULL, 200);
	assert_int_equal(num(item(v, "S-1"), "comments"), 1);
	json_decref(v);
	v = get_ok(f, f->dev, "GET", "/api/v1/projects/demo/board/S-1", NULL, 200);
	c = comment(v, "On our list");
	assert_non_null(c);
	assert_true(json_is_true(json_object_get(c, "hidden")));
	assert_string_equal(str(c, "author"), "dora");
	json_decref(v);
	v = get_ok(f, f->dev, "GET", "/api/v1/projects/demo/suggestions/S-1", NULL, 200);
	c = comment(v, "On our list");
	assert_int_equal(num(c, "id"), team_id); /* every comment has its id */
	assert_true(json_is_true(json_object_get(c, "hidden")));
	{
		char want[32];
		snprintf(want, sizeof(want), "%lld", (long long)team_id);
		c = history(v, "hidden_comment", want);
		assert_non_null(c);
		assert_string_equal(str(c, "actor"), "dora");
	}
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM comments WHERE body = 'On our list' "
					    "AND hidden = 1 AND hidden_by = 'dora'"),
			 1);
	/* Shown again. */
	v = get_ok(f, f->dev, "PATCH", path, "{\"hidden\":false}", 200);
	assert_true(json_is_false(json_object_get(v, "hidden")));
	json_decref(v);
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/board/S-1", NULL, 200);
	assert_non_null(comment(v, "On our list"));
	json_decref(v);

	/* The tester's own view: comments with ids, the hidden one left out. */
	ok(f, f->dev, "PATCH", path, "{\"hidden\":true}", 200);
	v = req(f, "key", "install-a", "GET", "/api/v1/projects/demo/mine", NULL, &st, NULL);
	assert_int_equal(st, 200);
	c = json_array_get(json_object_get(v, "suggestions"), 0);
	assert_string_equal(str(c, "id"), "S-1");
	assert_null(comment(c, "On our list"));
	assert_int_equal(num(comment(c, "Thanks!"), "id"), tester_id);
	json_decref(v);
	ok(f, f->dev, "PATCH", path, "{\"hidden\":false}", 200);

	/* Hide a suggestion: gone for visitors (list, page, search), marked for the team. */
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-3", "{\"hidden\":true}", 200);
	assert_string_equal(board(f, VISITOR, "", NULL), "S-1");
	assert_string_equal(board(f, VISITOR, "?q=rude", NULL), "");
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/board/S-3", NULL, 404);
	v = req(f, "key", "install-z", "POST", "/api/v1/projects/demo/suggestions/S-3/comments",
		"{\"body\":\"hello\"}", &st, NULL);
	assert_int_equal(st, 404); /* a tester does not see it either */
	json_decref(v);
	assert_string_equal(board(f, f->dev, "", NULL), "S-1 S-3");
	/* The tester who sent it still reads it, marked; no other tester does. */
	v = req(f, "key", "install-c", "GET", "/api/v1/projects/demo/board", NULL, &st, NULL);
	assert_string_equal(ids(v), "S-1 S-3");
	assert_true(json_is_true(json_object_get(item(v, "S-3"), "hidden")));
	json_decref(v);
	v = req(f, "key", "install-c", "GET", "/api/v1/projects/demo/board/S-3", NULL, &st, NULL);
	assert_int_equal(st, 200);
	assert_true(json_is_true(json_object_get(v, "voted")));
	json_decref(v);
	v = req(f, "key", "install-a", "GET", "/api/v1/projects/demo/board", NULL, &st, NULL);
	assert_string_equal(ids(v), "S-1");
	json_decref(v);
	ok(f, "key", "GET", "/api/v1/projects/demo/board/S-3", NULL, 404);
	v = req(f, "key", "install-c", "GET", "/api/v1/projects/demo/mine", NULL, &st, NULL);
	assert_string_equal(str(json_array_get(json_object_get(v, "suggestions"), 0), "id"), "S-3");
	json_decref(v);
	v = req(f, "key", "install-a", "GET", "/api/v1/projects/demo/mine", NULL, &st, NULL);
	assert_int_equal(json_array_size(json_object_get(v, "suggestions")), 1); /* S-1 only */
	json_decref(v);
	vote(f, "S-3", "install-a", NULL); /* a vote on the hidden one: mine still leaves it out */
	v = req(f, "key", "install-a", "GET", "/api/v1/projects/demo/mine", NULL, &st, NULL);
	assert_int_equal(json_array_size(json_object_get(v, "suggestions")), 1);
	json_decref(v);
	v = get_ok(f, f->dev, "GET", "/api/v1/projects/demo/board", NULL, 200);
	assert_true(json_is_true(json_object_get(item(v, "S-3"), "hidden")));
	assert_true(json_is_false(json_object_get(item(v, "S-1"), "hidden")));
	json_decref(v);
	v = get_ok(f, f->dev, "GET", "/api/v1/projects/demo/board/S-3", NULL, 200);
	assert_true(json_is_true(json_object_get(v, "hidden")));
	c = history(v, "hidden", "true");
	assert_non_null(c);
	assert_string_equal(str(c, "actor"), "dora");
	json_decref(v);
}

/* ---- shipped, hall of fame, profiles ---- */

/* A crash from the first commit by `install` (credit `name`, NULL: none): group G-1. */
static void crash(fixture *f, const char *install, const char *name, const char *title)
{
	char uuid[37], doc[1024];
	e2e_response r;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"title\":\"%s\",\"build\":{\"revision\":"
		 "\"%s\"},\"tester\":{\"install_id\":\"%s\",\"email\":\"%s@example.org\"%s%s%s},"
		 "\"exception\":{\"type\":\"SIGSEGV\"},\"frames\":[{\"function\":\"main_crash\"}]}",
		 uuid, title, f->a, install, install, name ? ",\"name\":\"" : "", name ? name : "",
		 name ? "\"" : "");
	assert_int_equal(e2e_post_report(&f->s, doc, &r), 0);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	e2e_response_free(&r);
}

/* The entry of fame answer `v` named `name`, or NULL. */
static json_t *famed(json_t *v, const char *name)
{
	return e2e_find(json_object_get(v, "items"), "name", name);
}

static int has_string(json_t *arr, const char *s)
{
	json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), s) == 0)
			return 1;
	return 0;
}

static void test_shipped_fame_and_profiles(void **state)
{
	fixture *f = *state;
	char *raw = NULL;
	json_t *v, *r, *x;
	long st;

	suggest(f, "Dark mode", "install-a", "Ada", "S-1");
	vote(f, "S-1", "install-b", "Bob B");
	vote(f, "S-1", "install-c", NULL);
	vote(f, "S-1", "install-d", NULL);
	suggest(f, "Wishful", "install-e", "Eve", "S-2");     /* not shipped */
	suggest(f, "Secret plan", "install-a", NULL, "S-3");  /* Ada's install, without her name */
	vote(f, "S-3", "install-b", "Bob B");
	crash(f, "install-r", "Rosa", "Crash on start");
	crash(f, "install-s", NULL, "Crash on start again");

	/* 1.0.0: the first commit. 1.1.0: the fix of G-1 and the dark mode. */
	e2e_git(&f->s, NULL, 0, "git tag v1.0.0");
	e2e_git(&f->s, NULL, 0,
		"sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Stop crashing' -m "
		"'Fixes G-1' && echo dark > theme.txt && git add theme.txt && git commit -qm "
		"'Dark theme' -m 'Implements: S-1' && git tag v1.1.0");
	ok(f, f->rel, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, f->rel, "POST", "/api/v1/projects/demo/releases",
	   "{\"name\":\"1.0.0\",\"ref\":\"v1.0.0\"}", 201);
	ok(f, f->rel, "POST", "/api/v1/projects/demo/releases",
	   "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}", 201);

	ok(f, VISITOR, "GET", "/api/v1/projects/demo/shipped", NULL, 404); /* private */
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/fame", NULL, 404);
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/testers/Ada", NULL, 404);
	ok(f, f->dev, "GET", "/api/v1/projects/demo/shipped", NULL, 200);
	make_public(f, 1);

	/* Shipped: newest release first; what the community asked for and got, what was fixed,
	 * the opted-in named and the others counted. */
	v = req(f, VISITOR, NULL, "GET", "/api/v1/projects/demo/shipped", NULL, &st, &raw);
	assert_int_equal(st, 200);
	assert_anonymous(raw);
	assert_null(strstr(raw, "Eve"));
	free(raw);
	assert_int_equal(json_array_size(json_object_get(v, "releases")), 2);
	r = json_array_get(json_object_get(v, "releases"), 0);
	assert_string_equal(str(r, "name"), "1.1.0");
	x = json_array_get(json_object_get(r, "suggestions"), 0);
	assert_string_equal(str(x, "id"), "S-1");
	assert_string_equal(str(x, "title"), "Dark mode");
	assert_int_equal(num(x, "votes"), 4);
	assert_int_equal(json_array_size(json_object_get(r, "suggestions")), 1);
	x = json_array_get(json_object_get(r, "fixed"), 0);
	assert_string_equal(str(x, "id"), "G-1");
	assert_int_equal(num(x, "reports"), 2);
	assert_true(has_string(json_object_get(r, "credited"), "Ada"));
	assert_true(has_string(json_object_get(r, "credited"), "Bob B"));
	assert_true(has_string(json_object_get(r, "credited"), "Rosa"));
	assert_int_equal(json_array_size(json_object_get(r, "credited")), 3);
	assert_int_equal(num(r, "others"), 3); /* install-c, install-d, install-s */
	r = json_array_get(json_object_get(v, "releases"), 1);
	assert_string_equal(str(r, "name"), "1.0.0");
	assert_int_equal(json_array_size(json_object_get(r, "suggestions")), 0);
	assert_int_equal(num(r, "others"), 0);
	json_decref(v);

	/* The hall of fame: per release and all time, ranked. */
	v = req(f, VISITOR, NULL, "GET", "/api/v1/projects/demo/fame?release=1.1.0", NULL, &st,
		&raw);
	assert_int_equal(st, 200);
	assert_anonymous(raw);
	free(raw);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 3);
	/* Rosa and Ada score alike (3); a fixed report ranks first; Bob's vote scores 1. */
	assert_string_equal(str(json_array_get(json_object_get(v, "items"), 0), "name"), "Rosa");
	assert_string_equal(str(json_array_get(json_object_get(v, "items"), 1), "name"), "Ada");
	assert_string_equal(str(json_array_get(json_object_get(v, "items"), 2), "name"), "Bob B");
	assert_int_equal(num(famed(v, "Rosa"), "reports_fixed"), 1);
	assert_int_equal(num(famed(v, "Ada"), "suggestions_shipped"), 1);
	assert_int_equal(num(famed(v, "Ada"), "votes_shipped"), 0); /* her own vote is not one */
	assert_int_equal(num(famed(v, "Bob B"), "votes_shipped"), 1);
	assert_int_equal(num(famed(v, "Bob B"), "score"), 1);
	assert_int_equal(num(famed(v, "Rosa"), "score"), 3);
	assert_int_equal(num(v, "others"), 3);
	json_decref(v);
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/fame", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 3);
	assert_true(json_is_null(json_object_get(v, "release")));
	assert_null(famed(v, "Eve"));
	json_decref(v);
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/fame?release=1.0.0", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 0);
	assert_int_equal(num(v, "others"), 0);
	json_decref(v);
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/fame?release=9.9.9", NULL, 404);

	/* A profile shows only what was sent under the name: not Ada's nameless suggestion. */
	v = req(f, VISITOR, NULL, "GET", "/api/v1/projects/demo/testers/Ada", NULL, &st, &raw);
	assert_int_equal(st, 200);
	assert_anonymous(raw);
	assert_null(strstr(raw, "Secret plan"));
	free(raw);
	assert_int_equal(num(v, "suggestions_shipped"), 1);
	assert_int_equal(json_array_size(json_object_get(v, "suggestions")), 1);
	assert_string_equal(str(json_array_get(json_object_get(v, "suggestions"), 0), "id"), "S-1");
	json_decref(v);
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/testers/Rosa", NULL, 200);
	assert_int_equal(num(v, "reports_fixed"), 1);
	x = json_array_get(json_object_get(v, "fixed"), 0);
	assert_string_equal(str(x, "title"), "Crash on start");
	assert_string_equal(str(x, "fixed_in"), "1.1.0");
	json_decref(v);
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/testers/Bob%20B", NULL, 200);
	assert_int_equal(num(v, "votes_shipped"), 1);
	assert_int_equal(json_array_size(json_object_get(v, "suggestions")), 0);
	json_decref(v);
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/testers/Eve", NULL, 200);
	assert_int_equal(num(v, "score"), 0);
	assert_string_equal(str(json_array_get(json_object_get(v, "suggestions"), 0), "id"), "S-2");
	json_decref(v);
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/testers/Nobody", NULL, 404);
	ok(f, VISITOR, "GET", "/api/v1/projects/demo/testers/install-c", NULL, 404);

	/* A hidden shipped suggestion leaves the public pages. */
	ok(f, f->dev, "PATCH", "/api/v1/projects/demo/suggestions/S-1", "{\"hidden\":true}", 200);
	v = get_ok(f, VISITOR, "GET", "/api/v1/projects/demo/shipped", NULL, 200);
	r = json_array_get(json_object_get(v, "releases"), 0);
	assert_int_equal(json_array_size(json_object_get(r, "suggestions")), 0);
	assert_false(has_string(json_object_get(r, "credited"), "Ada"));
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_visitors_sorts_and_trending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_comments_and_hiding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shipped_fame_and_profiles, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
