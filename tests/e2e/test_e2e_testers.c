/* test_e2e_testers.c - testers signed in to the board by their build: one-time links, tester
 * sessions, their rights and limits, against a real prosumd. */
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
#include "prosum.h"

typedef struct fixture {
	e2e_server s;        /* first, as e2e_fixture_new() wants */
	char other_key[128]; /* the ingest key of project "other" */
} fixture;

static int setup(void **state)
{
	fixture *f;

	/* Test-only: a cheap work factor for the one person this file signs in. */
	setenv("PROSUM_TEST_PBKDF2_ITERATIONS", "1000", 1);
	f = e2e_fixture_new(sizeof(*f), 0);
	if (!f ||
	    e2e_prosumd_secret(&f->s, "project add other", f->other_key, sizeof(f->other_key)) <
		0 ||
	    e2e_start(&f->s, NULL) < 0) {
		e2e_fixture_free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* Run one SQL statement on the server's database, as an operator would with sqlite3. */
static void sql_exec(fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_open_v2(f->s.db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
	sqlite3_close(db);
}

/* POST board-links with `key` for `install` (body may be NULL); the answer in r. */
static void link_request(fixture *f, const char *key, const char *install, const char *body,
			 e2e_response *r)
{
	char kh[200], ih[200];
	const char *h[] = {"Content-Type: application/json", kh, ih, NULL};
	char path[128];

	snprintf(kh, sizeof(kh), "X-Prosum-Key: %s", key);
	snprintf(ih, sizeof(ih), "X-Prosum-Install: %s", install);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/board-links",
		 strcmp(key, f->s.key) == 0 ? "demo" : "other");
	assert_int_equal(e2e_request(&f->s, "POST", path, h, body, body ? strlen(body) : 0, r), 0);
}

/* A link for `install` of demo: its token (the fragment) into token; checks the URL's shape. */
static void new_link(fixture *f, const char *install, const char *body, char token[64])
{
	char prefix[200];
	e2e_response r;
	json_t *v;
	const char *url;

	link_request(f, f->s.key, install, body, &r);
	if (r.status != 201)
		fail_msg("board-links: %ld %s", r.status, r.body);
	v = e2e_json(&r);
	url = e2e_str(v, "url", NULL);
	snprintf(prefix, sizeof(prefix), "%s/p/demo/board/signin#", f->s.url);
	assert_int_equal(strncmp(url, prefix, strlen(prefix)), 0);
	assert_int_equal(strlen(url + strlen(prefix)), 43);
	snprintf(token, 64, "%s", url + strlen(prefix));
	assert_non_null(json_string_value(json_object_get(v, "expires_at")));
	json_decref(v);
	e2e_response_free(&r);
}

/* The token of a link printed by a program: the text after '#' up to the line's end. */
static void token_of(const char *text, char token[64])
{
	const char *hash = strchr(text, '#');

	assert_non_null(hash);
	assert_int_equal(strcspn(hash + 1, "\n"), 43);
	snprintf(token, 64, "%.43s", hash + 1);
}

/* POST /api/v1/board/session with `token`: the status; on 200, b filled and the answer in
 * *answer (when not NULL; the caller owns it), the cookie's attributes checked. */
static long exchange(fixture *f, const char *token, e2e_browser *b, json_t **answer)
{
	const char *h[] = {"Content-Type: application/json", NULL};
	char body[200];
	e2e_response r;
	json_t *v;
	long st;

	snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
	assert_int_equal(
	    e2e_request(&f->s, "POST", "/api/v1/board/session", h, body, strlen(body), &r), 0);
	st = r.status;
	v = e2e_json(&r);
	if (st == 200) {
		/* Exactly as a person's session cookie. */
		assert_int_equal(strncmp(r.set_cookie, "prosum_session=", 15), 0);
		assert_int_equal(strcspn(r.set_cookie + 15, ";"), 43);
		assert_non_null(strstr(r.set_cookie, "; HttpOnly"));
		assert_non_null(strstr(r.set_cookie, "; Secure"));
		assert_non_null(strstr(r.set_cookie, "; SameSite=Strict"));
		assert_non_null(strstr(r.set_cookie, "; Path=/"));
		snprintf(b->cookie, sizeof(b->cookie), "%.43s", r.set_cookie + 15);
		snprintf(b->csrf, sizeof(b->csrf), "%s", e2e_str(v, "csrf", NULL));
		assert_int_equal(strlen(b->csrf), 43);
	} else {
		assert_string_equal(r.set_cookie, "");
	}
	if (answer && st == 200)
		*answer = v;
	else
		json_decref(v);
	e2e_response_free(&r);
	return st;
}

/* A tester signed in through a fresh link for `install` (link body: `body`). */
static void sign_in(fixture *f, const char *install, const char *body, e2e_browser *b)
{
	char token[64];

	new_link(f, install, body, token);
	assert_int_equal(exchange(f, token, b, NULL), 200);
}

/* A bug report from `install` with the ingest key: its id (R-n) into id. */
static void report_from(fixture *f, const char *install, char id[16])
{
	char uuid[37], body[512];
	e2e_response r;
	json_t *v;

	e2e_uuid(uuid);
	snprintf(body, sizeof(body),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"Sidebar is blank\","
		 "\"build\":{\"version\":\"1.3\"},\"fingerprint\":[\"%s\"],"
		 "\"tester\":{\"install_id\":\"%s\"}}",
		 uuid, install, install);
	assert_int_equal(e2e_post_report(&f->s, body, &r), 0);
	assert_int_equal(r.status, 201);
	v = e2e_json(&r);
	snprintf(id, 16, "%s", e2e_str(v, "id", NULL));
	json_decref(v);
	e2e_response_free(&r);
}

/* ---- links ---- */

/* A link from the API, exchanged for a tester session: the cookie as a person's, the answer
 * naming project, install and credit; GET /api/v1/session says the same; only a hash is kept;
 * a second use is refused; sign-out ends it. People's sessions say kind person. */
static void test_link_signs_in_once(void **state)
{
	fixture *f = *state;
	char token[64], sql[256], ptoken[64], out[1024], body[256];
	e2e_browser b, again;
	json_t *v = NULL;
	e2e_response r;
	long st;

	new_link(f, "inst-ada", "{\"name\":\"Ada\"}", token);
	/* Only its keyed hash is stored, for ten minutes. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM board_links WHERE install_id = "
					    "'inst-ada' AND length(hash) = 32 AND used_at IS NULL"),
			 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM board_links WHERE hash = CAST('%s' AS "
		 "BLOB) OR name = '%s'",
		 token, token);
	assert_int_equal(e2e_sql_int(&f->s, sql), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT expires_at - created_at FROM board_links"),
			 600);

	assert_int_equal(exchange(f, token, &b, &v), 200);
	assert_string_equal(e2e_str(v, "kind", NULL), "tester");
	assert_string_equal(e2e_str(v, "project", NULL), "demo");
	assert_string_equal(e2e_str(v, "install", NULL), "inst-ada");
	assert_string_equal(e2e_str(v, "name", NULL), "Ada");
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM sessions WHERE user_id IS NULL "
					    "AND install_id = 'inst-ada' AND tester_name = 'Ada'"),
			 1);

	v = e2e_browser_call(&f->s, &b, 0, NULL, "GET", "/api/v1/session", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "kind", NULL), "tester");
	assert_string_equal(e2e_str(v, "project", NULL), "demo");
	assert_string_equal(e2e_str(v, "install", NULL), "inst-ada");
	assert_string_equal(e2e_str(v, "csrf", NULL), b.csrf);
	json_decref(v);

	/* Used once: refused the second time, and no second session is made. */
	assert_int_equal(exchange(f, token, &again, &v), 422);
	{
		const char *h[] = {"Content-Type: application/json", NULL};

		snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
		assert_int_equal(
		    e2e_request(&f->s, "POST", "/api/v1/board/session", h, body, strlen(body), &r),
		    0);
		assert_int_equal(r.status, 422);
		v = e2e_json(&r);
		assert_string_equal(e2e_str(v, "error", "field"), "token");
		assert_string_equal(
		    e2e_str(v, "error", "message"),
		    "this sign-in link was used or has expired: ask your beta build "
		    "for a new one");
		json_decref(v);
		e2e_response_free(&r);
	}
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM sessions WHERE install_id = "
					    "'inst-ada'"),
			 1);
	/* A token never issued is refused alike. */
	assert_int_equal(exchange(f, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &again, NULL),
			 422);

	/* No ingest key, or another project's key for this project: no link. */
	link_request(f, "nosuchkey", "inst-ada", NULL, &r);
	assert_int_equal(r.status, 401);
	e2e_response_free(&r);
	{
		const char *h[] = {"Content-Type: application/json", "X-Prosum-Install: inst-ada",
				   NULL};
		assert_int_equal(
		    e2e_request(&f->s, "POST", "/api/v1/projects/demo/board-links", h, NULL, 0, &r),
		    0);
		assert_int_equal(r.status, 401);
		e2e_response_free(&r);
	}
	/* Without the install there is no link either. */
	{
		char kh[200];
		const char *h[] = {kh, NULL};

		snprintf(kh, sizeof(kh), "X-Prosum-Key: %s", f->s.key);
		assert_int_equal(
		    e2e_request(&f->s, "POST", "/api/v1/projects/demo/board-links", h, NULL, 0, &r),
		    0);
		assert_int_equal(r.status, 422);
		v = e2e_json(&r);
		assert_string_equal(e2e_str(v, "error", "field"), "X-Prosum-Install");
		json_decref(v);
		e2e_response_free(&r);
	}
	/* A signed-in tester cannot mint links for itself. */
	v = e2e_browser_call(&f->s, &b, 1, "X-Prosum-Install: inst-ada", "POST",
			     "/api/v1/projects/demo/board-links", NULL, &st);
	assert_int_equal(st, 403);
	json_decref(v);

	/* Sign-out works for testers: the session ends, the cookie is cleared. */
	/* no CSRF header */
	e2e_browser_expect(&f->s, &b, 0, "DELETE", "/api/v1/session", NULL, 403);
	e2e_browser_expect(&f->s, &b, 1, "DELETE", "/api/v1/session", NULL, 204);
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/session", NULL, 401);
	e2e_browser_expect(&f->s, &b, 1, "POST", "/api/v1/projects/demo/suggestions/S-1/votes",
			   NULL, 401);

	/* A person's session now says what kind it is too. */
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' user add pia --role developer --data '%s'",
				PROSUMD_PATH, f->s.data),
			 0);
	token_of(out, ptoken);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"correct horse battery\"}",
		 ptoken);
	{
		const char *h[] = {"Content-Type: application/json", NULL};

		assert_int_equal(
		    e2e_request(&f->s, "POST", "/api/v1/password", h, body, strlen(body), &r), 0);
		assert_int_equal(r.status, 200);
		v = e2e_json(&r);
		assert_string_equal(e2e_str(v, "kind", NULL), "person");
		assert_string_equal(e2e_str(v, "name", NULL), "pia");
		json_decref(v);
		e2e_response_free(&r);
	}
}

/* An expired link is refused, even unused. */
static void test_expired_link_refused(void **state)
{
	fixture *f = *state;
	char token[64], token2[64];
	e2e_browser b, b2, b3;
	json_t *v;
	long st;

	new_link(f, "inst-late", NULL, token);
	new_link(f, "inst-late", NULL, token2);
	/* Ten minutes pass for the first link (its expiry set in the database). */
	sql_exec(f, "UPDATE board_links SET expires_at = strftime('%s','now') - 1 WHERE id = "
		    "(SELECT min(id) FROM board_links WHERE install_id = 'inst-late')");
	assert_int_equal(exchange(f, token, &b, NULL), 422);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM sessions WHERE install_id = "
					    "'inst-late'"),
			 0);
	/* The other one still works. */
	assert_int_equal(exchange(f, token2, &b, NULL), 200);

	/* Signing out everywhere ends every session of the install, not another install's. */
	sign_in(f, "inst-late", NULL, &b2);
	sign_in(f, "inst-else", NULL, &b3);
	v = e2e_browser_call(&f->s, &b, 1, NULL, "DELETE", "/api/v1/sessions", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "ended")), 2);
	json_decref(v);
	e2e_browser_expect(&f->s, &b2, 0, "GET", "/api/v1/session", NULL, 401);
	e2e_browser_expect(&f->s, &b3, 0, "GET", "/api/v1/session", NULL, 200);
}

/* ---- what a tester may do ---- */

static void test_tester_votes_posts_replies(void **state)
{
	fixture *f = *state;
	char uuid[37], body[512], mine_r[16], other_r[16], path[128];
	e2e_browser b;
	json_t *v;
	long st;

	report_from(f, "inst-bo", mine_r);
	report_from(f, "inst-cy", other_r);
	sign_in(f, "inst-bo", "{\"name\":\"Bo\"}", &b);

	/* A suggestion: the install (and credit) come from the session. */
	e2e_uuid(uuid);
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"title\":\"Dark theme\"}", uuid);
	v = e2e_browser_call(&f->s, &b, 1, NULL, "POST", "/api/v1/projects/demo/suggestions", body,
			     &st);
	assert_int_equal(st, 201);
	assert_string_equal(e2e_str(v, "id", NULL), "S-1");
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM suggestions WHERE num = 1 AND "
					    "install_id = 'inst-bo' AND tester_name = 'Bo'"),
			 1);
	/* Naming its own install is fine; naming another is refused and stores nothing. */
	e2e_uuid(uuid);
	snprintf(body, sizeof(body),
		 "{\"uuid\":\"%s\",\"title\":\"Bigger fonts\",\"tester\":{\"install_id\":"
		 "\"inst-bo\"}}",
		 uuid);
	e2e_browser_expect(&f->s, &b, 1, "POST", "/api/v1/projects/demo/suggestions", body, 201);
	e2e_uuid(uuid);
	snprintf(body, sizeof(body),
		 "{\"uuid\":\"%s\",\"title\":\"Not mine\",\"tester\":{\"install_id\":"
		 "\"inst-cy\"}}",
		 uuid);
	e2e_browser_expect(&f->s, &b, 1, "POST", "/api/v1/projects/demo/suggestions", body, 403);
	/* Without the CSRF header, or from another site: refused, nothing stored. */
	e2e_uuid(uuid);
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"title\":\"Forged\"}", uuid);
	e2e_browser_expect(&f->s, &b, 0, "POST", "/api/v1/projects/demo/suggestions", body, 403);
	v = e2e_browser_call(&f->s, &b, 1, "Origin: https://evil.example", "POST",
			     "/api/v1/projects/demo/suggestions", body, &st);
	assert_int_equal(st, 403);
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM suggestions"), 2);

	/* Votes: one per install; the votes endpoint and the database agree. S-3 is another
	 * install's (its author's vote counts: 1). */
	v = e2e_suggest(&f->s, "Tabs", NULL, "inst-cy", NULL, &st);
	assert_int_equal(st, 201);
	json_decref(v);
	v = e2e_browser_call(&f->s, &b, 1, NULL, "POST",
			     "/api/v1/projects/demo/suggestions/S-3/votes", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "votes")), 2);
	assert_true(json_is_true(json_object_get(v, "counted")));
	json_decref(v);
	v = e2e_browser_call(&f->s, &b, 1, NULL, "POST",
			     "/api/v1/projects/demo/suggestions/S-3/votes", "{}", &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "votes")), 2);
	assert_true(json_is_false(json_object_get(v, "counted")));
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/suggestions/S-3", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "votes")), 2);
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM votes v JOIN suggestions s ON "
					    "s.id = v.suggestion_id WHERE s.num = 3"),
			 2);
	assert_int_equal(e2e_sql_int(&f->s,
				     "SELECT count(*) FROM votes v JOIN suggestions s ON "
				     "s.id = v.suggestion_id WHERE s.num = 3 AND v.install_id "
				     "= 'inst-bo' AND v.tester_name = 'Bo'"),
			 1);
	/* The board shows the tester its own vote, on its project though it is private. */
	v = e2e_browser_call(&f->s, &b, 0, NULL, "GET", "/api/v1/projects/demo/board/S-3", NULL,
			     &st);
	assert_int_equal(st, 200);
	assert_true(json_is_true(json_object_get(v, "voted")));
	json_decref(v);
	/* While typing a suggestion, the full-text index suggests duplicates. */
	v = e2e_browser_call(&f->s, &b, 0, NULL, "GET", "/api/v1/projects/demo/board?q=tabs", NULL,
			     &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(json_array_get(json_object_get(v, "items"), 0), "id", NULL),
			    "S-3");
	json_decref(v);
	/* It comments on a suggestion as its install, credited as its link asked. */
	v = e2e_browser_call(&f->s, &b, 1, NULL, "POST",
			     "/api/v1/projects/demo/suggestions/S-3/comments",
			     "{\"body\":\"Yes, tabs please\"}", &st);
	assert_int_equal(st, 201);
	assert_string_equal(e2e_str(v, "from", NULL), "tester");
	assert_string_equal(e2e_str(v, "author", NULL), "Bo");
	json_decref(v);
	e2e_browser_expect(&f->s, &b, 0, "POST", "/api/v1/projects/demo/suggestions/S-3/comments",
			   "{\"body\":\"Forged\"}", 403);
	/* Voting for another install is refused; so is a vote without the CSRF header. */
	e2e_browser_expect(&f->s, &b, 1, "POST", "/api/v1/projects/demo/suggestions/S-1/votes",
			   "{\"install_id\":\"inst-cy\"}", 403);
	e2e_browser_expect(&f->s, &b, 0, "POST", "/api/v1/projects/demo/suggestions/S-1/votes",
			   NULL, 403);
	/* Withdrawn. */
	v = e2e_browser_call(&f->s, &b, 1, NULL, "DELETE",
			     "/api/v1/projects/demo/suggestions/S-3/votes", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "votes")), 1);
	assert_true(json_is_true(json_object_get(v, "counted")));
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM votes v JOIN suggestions s ON "
					    "s.id = v.suggestion_id WHERE s.num = 3"),
			 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM votes WHERE install_id = "
					    "'inst-cy'"),
			 1);

	/* The tester answers the team on its own report, not on another install's. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", mine_r);
	e2e_expect(&f->s, f->s.token, "PATCH", path, "{\"comment\":\"Which monitor?\"}", 200);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s/comments", mine_r);
	e2e_browser_expect(&f->s, &b, 1, "POST", path, "{\"body\":\"The laptop's own screen\"}",
			   201);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s/comments", other_r);
	e2e_browser_expect(&f->s, &b, 1, "POST", path, "{\"body\":\"Not my report\"}", 403);

	/* Mine: its own report with the team's comment and its reply, and its suggestions. */
	v = e2e_browser_call(&f->s, &b, 0, NULL, "GET", "/api/v1/projects/demo/mine", NULL, &st);
	assert_int_equal(st, 200);
	{
		char *t = json_dumps(v, 0);

		assert_non_null(t);
		assert_non_null(strstr(t, mine_r));
		assert_null(strstr(t, other_r));
		assert_non_null(strstr(t, "Which monitor?"));
		assert_non_null(strstr(t, "The laptop's own screen"));
		assert_non_null(strstr(t, "Dark theme"));
		assert_non_null(strstr(t, "Bigger fonts"));
		free(t);
	}
	json_decref(v);
	/* Another install's view is not to be had by naming it. */
	v = e2e_browser_call(&f->s, &b, 0, "X-Prosum-Install: inst-cy", "GET",
			     "/api/v1/projects/demo/mine", NULL, &st);
	assert_int_equal(st, 403);
	json_decref(v);

	/* Never the team's endpoints. */
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/projects/demo/groups", NULL, 403);
	e2e_browser_expect(&f->s, &b, 1, "PATCH", "/api/v1/projects/demo/groups/G-1",
			   "{\"status\":\"fixed\"}", 403);
	e2e_browser_expect(&f->s, &b, 1, "PATCH", "/api/v1/projects/demo/suggestions/S-1",
			   "{\"status\":\"planned\"}", 403);
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/projects/demo/suggestions", NULL, 403);
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/projects/demo/reports", NULL, 403);
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/users", NULL, 403);
	e2e_uuid(uuid);
	snprintf(body, sizeof(body),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"From the browser\","
		 "\"build\":{\"version\":\"1.3\"},\"tester\":{\"install_id\":\"inst-bo\"}}",
		 uuid);
	e2e_browser_expect(&f->s, &b, 1, "POST", "/api/v1/projects/demo/reports", body, 403);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM suggestions WHERE status = "
					    "'planned'"),
			 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 2);
	/* Nor another project, existing or not: the same refusal; its board is a visitor's (a
	 * private project shows nothing). */
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/projects/other/mine", NULL, 403);
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/projects/other/board", NULL, 404);
	e2e_browser_expect(&f->s, &b, 1, "POST", "/api/v1/projects/other/suggestions/S-1/votes",
			   NULL, 403);
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/projects/nosuch/mine", NULL, 403);
}

/* ---- libprosum, the prosum command and the beta app ---- */

static void test_links_from_library_cli_and_app(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;
	char spool[400], env[1200], out[2048], token[64], install[64], path[500];
	char *url = NULL;
	e2e_browser b;
	json_t *v;
	FILE *fp;

	/* prosum_board_link(): the library's own install id. */
	snprintf(spool, sizeof(spool), "%s/spool-lib", f->s.dir);
	o.ca_file = f->s.cacert;
	o.spool_dir = spool;
	o.flags = PROSUM_NO_SENDER;
	assert_int_equal(prosum_client_new(&c, f->s.dsn, &o), 0);
	assert_int_equal(prosum_board_link(&url, c, "Lib Tester"), 0);
	token_of(url, token);
	assert_int_equal(strncmp(url, f->s.url, strlen(f->s.url)), 0);
	assert_int_equal(exchange(f, token, &b, &v), 200);
	assert_string_equal(e2e_str(v, "install", NULL), prosum_client_install_id(c));
	assert_string_equal(e2e_str(v, "name", NULL), "Lib Tester");
	json_decref(v);
	free(url);
	url = NULL;
	assert_int_equal(prosum_board_link(NULL, c, NULL), PROSUM_EINVALID);
	prosum_close(c);

	/* A wrong key is told as the DSN's fault. */
	{
		char dsn[600];

		snprintf(dsn, sizeof(dsn), "https://nosuchkey@127.0.0.1:%d/demo", f->s.port);
		assert_int_equal(prosum_client_new(&c, dsn, &o), 0);
		assert_int_equal(prosum_board_link(&url, c, NULL), PROSUM_EAUTH);
		assert_null(url);
		prosum_close(c);
	}

	/* prosum board, as a process: the link on stdout, for the install of its spool. */
	snprintf(spool, sizeof(spool), "%s/spool-cli", f->s.dir);
	snprintf(env, sizeof(env), "PROSUM_CACERT='%s' PROSUM_SPOOL='%s'", f->s.cacert, spool);
	assert_int_equal(e2e_cli(out, sizeof(out), env, "board --dsn '%s' 2>/dev/null", f->s.dsn),
			 0);
	assert_int_equal(strncmp(out, f->s.url, strlen(f->s.url)), 0);
	assert_non_null(strstr(out, "/p/demo/board/signin#"));
	token_of(out, token);
	snprintf(path, sizeof(path), "%s/install_id", spool);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(install, sizeof(install), fp));
	fclose(fp);
	install[strcspn(install, "\n")] = '\0';
	assert_int_equal(exchange(f, token, &b, &v), 200);
	assert_string_equal(e2e_str(v, "install", NULL), install);
	json_decref(v);
	/* --open without xdg-open says to open it by hand, and still prints it. */
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s PATH=/nonexistent '%s' board --open --name Cli --dsn '%s' 2>&1",
				env, PROSUM_CLI_PATH, f->s.dsn),
			 0);
	assert_non_null(strstr(out, "xdg-open is not installed"));
	token_of(out, token);
	assert_int_equal(exchange(f, token, &b, &v), 200);
	assert_string_equal(e2e_str(v, "name", NULL), "Cli");
	json_decref(v);
	/* A bad DSN key fails with a reason, exit 1. */
	snprintf(path, sizeof(path), "https://nosuchkey@127.0.0.1:%d/demo", f->s.port);
	assert_int_equal(e2e_cli(out, sizeof(out), env, "board --dsn '%s' 2>/dev/null", path), 1);

	/* The beta app's Feedback board action. */
	snprintf(spool, sizeof(spool), "%s/spool-app", f->s.dir);
	assert_int_equal(e2e_sh(out, sizeof(out),
				"PROSUM_CACERT='%s' PROSUM_SPOOL='%s' '%s' --dsn '%s' board",
				f->s.cacert, spool, BETA_APP_PATH, f->s.dsn),
			 0);
	assert_int_equal(strncmp(out, "feedback board: https://", 24), 0);
	token_of(out, token);
	assert_int_equal(exchange(f, token, &b, NULL), 200);
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/projects/demo/mine", NULL, 200);
}

/* ---- limits ---- */

static void test_rate_limits(void **state)
{
	fixture *f = *state;
	e2e_response r;
	e2e_browser b;
	json_t *v;
	long st = 0;
	int i, limited = 0;
	char body[256], uuid[37];

	/* Links: a burst of ten per install, then 429 with Retry-After; another install is not
	 * held back. */
	for (i = 0; i < 11; i++) {
		link_request(f, f->s.key, "inst-many", NULL, &r);
		st = r.status;
		if (st == 429)
			assert_true(strtol(r.retry_after, NULL, 10) >= 1);
		e2e_response_free(&r);
		if (st != 201)
			break;
	}
	assert_int_equal(i, 10);
	assert_int_equal(st, 429);
	sign_in(f, "inst-dee", NULL, &b);

	/* Votes per install: a burst of thirty changes, then 429 (a vote and its withdrawal each
	 * count). */
	e2e_uuid(uuid);
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"title\":\"Tabs\"}", uuid);
	e2e_browser_expect(&f->s, &b, 1, "POST", "/api/v1/projects/demo/suggestions", body, 201);
	for (i = 0; i < 40; i++) {
		v = e2e_browser_call(&f->s, &b, 1, NULL, i % 2 ? "DELETE" : "POST",
				     "/api/v1/projects/demo/suggestions/S-1/votes", NULL, &st);
		json_decref(v);
		if (st != 200)
			break;
	}
	assert_int_equal(st, 429);
	assert_int_equal(i, 29); /* the suggestion took one */
	/* The same install through the ingest key is held back too. */
	snprintf(body, sizeof(body), "{\"install_id\":\"inst-dee\"}");
	{
		char kh[200];
		const char *h[] = {"Content-Type: application/json", kh, NULL};

		snprintf(kh, sizeof(kh), "X-Prosum-Key: %s", f->s.key);
		assert_int_equal(e2e_request(&f->s, "POST",
					     "/api/v1/projects/demo/suggestions/S-1/votes", h, body,
					     strlen(body), &r),
				 0);
		assert_int_equal(r.status, 429);
		assert_true(strtol(r.retry_after, NULL, 10) >= 1);
		e2e_response_free(&r);

		/* Per address: other installs from this address, until the address's bucket
		 * (120) is empty. */
		for (i = 0; i < 200 && !limited; i++) {
			snprintf(body, sizeof(body), "{\"install_id\":\"inst-x%d\"}", i);
			assert_int_equal(e2e_request(&f->s, "POST",
						     "/api/v1/projects/demo/suggestions/S-1/votes",
						     h, body, strlen(body), &r),
					 0);
			if (r.status == 429) {
				limited = 1;
				assert_non_null(strstr(r.body, "address"));
				assert_true(strtol(r.retry_after, NULL, 10) >= 1);
			} else {
				assert_int_equal(r.status, 200);
			}
			e2e_response_free(&r);
		}
	}
	assert_true(limited);
	/* Sign-in links for installs never seen before are held back by the address's bucket too
	 * (the install id is the caller's to choose), and leave no row behind. */
	st = e2e_sql_int(&f->s, "SELECT count(*) FROM board_links");
	link_request(f, f->s.key, "inst-invented", NULL, &r);
	assert_int_equal(r.status, 429);
	assert_non_null(strstr(r.body, "address"));
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM board_links"), st);
	/* What was refused was not counted: the votes and the database agree. */
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/suggestions/S-1", NULL, &st);
	assert_int_equal(json_integer_value(json_object_get(v, "votes")),
			 e2e_sql_int(&f->s, "SELECT count(*) FROM votes"));
	json_decref(v);
	/* The team's token is not held back by the testers' limits. */
	e2e_expect(&f->s, f->s.token, "GET", "/api/v1/projects/demo/suggestions", NULL, 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_link_signs_in_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_expired_link_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tester_votes_posts_replies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_links_from_library_cli_and_app, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
