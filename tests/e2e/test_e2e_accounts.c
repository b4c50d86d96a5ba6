/* test_e2e_accounts.c - people, one-time links, sign-in, cookies, CSRF, rate limits and sign-out against a real prosumd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

#define PW "correct horse battery"

typedef struct fixture {
	e2e_server s; /* first, as e2e_fixture_new() wants */
} fixture;

static int setup(void **state)
{
	fixture *f;

	/* Test-only: a cheap work factor, so that signing in dozens of times stays quick under
	 * the sanitizers. The production count is measured and kept in password.h. */
	setenv("PROSUM_TEST_PBKDF2_ITERATIONS", "1000", 1);
	f = e2e_fixture_new(sizeof(*f), 0);
	if (!f ||
	    e2e_sh(NULL, 0, "'%s' project add other --data '%s' >/dev/null", PROSUMD_PATH,
		   f->s.data) != 0 ||
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

/* `prosumd user ARGS`: its stdout into out; the exit status. */
static int user_cmd(fixture *f, char *out, size_t outsz, const char *args)
{
	return e2e_sh(out, outsz, "'%s' user %s --data '%s' 2>/dev/null", PROSUMD_PATH, args,
		      f->s.data);
}

/* Add a person; the token of the link it printed into token. */
static void add_person(fixture *f, const char *args, char token[64])
{
	char out[1024];
	const char *hash;

	assert_int_equal(user_cmd(f, out, sizeof(out), args), 0);
	assert_int_equal(strncmp(out, "link: https://", 14), 0);
	hash = strstr(out, "/welcome#");
	assert_non_null(hash);
	hash += 9;
	assert_int_equal(strcspn(hash, "\n"), 43);
	snprintf(token, 64, "%.43s", hash);
}

/* The cookie's value out of a Set-Cookie header. */
static void cookie_value(const char *set_cookie, char *out, size_t outsz)
{
	assert_int_equal(strncmp(set_cookie, "prosum_session=", 15), 0);
	snprintf(out, outsz, "%.*s", (int)strcspn(set_cookie + 15, ";"), set_cookie + 15);
}

/* POST a JSON body with no credential; the raw answer into r. */
static void post(fixture *f, const char *path, const char *body, e2e_response *r)
{
	const char *h[] = {"Content-Type: application/json", NULL};

	assert_int_equal(e2e_request(&f->s, "POST", path, h, body, strlen(body), r), 0);
}

/* The answer of a sign-in (or a password set) into b. */
static void take_session(e2e_response *r, e2e_browser *b)
{
	json_t *v;

	if (r->status != 200)
		fail_msg("sign-in: %ld %s", r->status, r->body);
	cookie_value(r->set_cookie, b->cookie, sizeof(b->cookie));
	v = json_loads(r->body, 0, NULL);
	assert_non_null(v);
	snprintf(b->csrf, sizeof(b->csrf), "%s", json_string_value(json_object_get(v, "csrf")));
	json_decref(v);
	e2e_response_free(r);
}

static long signin(fixture *f, const char *name, const char *pw, e2e_browser *b)
{
	char body[256];
	e2e_response r;
	long st;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":\"%s\"}", name, pw);
	post(f, "/api/v1/session", body, &r);
	st = r.status;
	if (st == 200 && b)
		take_session(&r, b);
	else
		e2e_response_free(&r);
	return st;
}

/* A person with a password, added by the command line and set through the link. */
static void person(fixture *f, const char *name, const char *args)
{
	char token[64], cmd[256], body[256];
	e2e_response r;

	snprintf(cmd, sizeof(cmd), "add %s %s", name, args);
	add_person(f, cmd, token);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"" PW "\"}", token);
	post(f, "/api/v1/password", body, &r);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
}

static void test_link_sets_password_once_and_signs_in(void **state)
{
	fixture *f = *state;
	char token[64], body[256];
	e2e_response r;
	e2e_browser b;
	json_t *v;
	long st;

	add_person(f, "add ada --role developer", token);
	/* Not yet: no password, so no sign-in. */
	assert_int_equal(signin(f, "ada", PW, NULL), 401);
	/* Too short a password is refused, and the link still works after. */
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"short\"}", token);
	post(f, "/api/v1/password", body, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "\"field\":\"password\""));
	e2e_response_free(&r);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"" PW "\"}", token);
	post(f, "/api/v1/password", body, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"name\":\"ada\""));
	e2e_response_free(&r);
	/* Once only. */
	post(f, "/api/v1/password", body, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "\"field\":\"token\""));
	e2e_response_free(&r);
	/* Only the link's hash is kept. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM users WHERE link_hash IS NOT NULL"),
			 0);

	/* Sign in: a cookie with every attribute, only a hash of it kept. */
	{
		post(f, "/api/v1/session", "{\"name\":\"ada\",\"password\":\"" PW "\"}", &r);
		assert_int_equal(r.status, 200);
		assert_non_null(strstr(r.set_cookie, "; HttpOnly"));
		assert_non_null(strstr(r.set_cookie, "; Secure"));
		assert_non_null(strstr(r.set_cookie, "; SameSite=Strict"));
		assert_non_null(strstr(r.set_cookie, "; Path=/"));
		assert_non_null(strstr(r.body, "\"role\":\"developer\""));
		assert_non_null(strstr(r.body, "\"project\":null"));
		take_session(&r, &b);
		assert_int_equal(strlen(b.cookie), 43);
		assert_int_equal(strlen(b.csrf), 43);
	}
	/* The cookie reads a project endpoint like a developer token would. */
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/projects/demo/groups", NULL, 200);
	v = e2e_browser_call(&f->s, &b, 0, NULL, "GET", "/api/v1/session", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "name")), "ada");
	assert_string_equal(json_string_value(json_object_get(v, "csrf")), b.csrf);
	json_decref(v);
	/* No cookie at all: no session. */
	{
		e2e_browser none = {"", ""};

		e2e_browser_expect(&f->s, &none, 0, "GET", "/api/v1/session", NULL, 401);
	}
}

static void test_csrf_guards_changes_and_history_names_the_person(void **state)
{
	fixture *f = *state;
	e2e_browser b;
	json_t *v, *h;
	long st;
	const char *patch = "{\"status\":\"triaged\",\"comment\":\"On it\"}";
	const char *path = "/api/v1/projects/demo/reports/R-1";

	person(f, "ada", "--role developer");
	assert_int_equal(signin(f, "ada", PW, &b), 200);
	json_decref(e2e_post_crash(&f->s, "main", "main.c", 3, "main"));

	/* Without the header: refused, nothing changed. */
	v = e2e_browser_call(&f->s, &b, 0, NULL, "PATCH", path, patch, &st);
	assert_int_equal(st, 403);
	assert_string_equal(e2e_str(v, "error", "message"), "missing or wrong X-Prosum-CSRF header");
	json_decref(v);
	/* A wrong one, or another site's Origin with the right one: refused too. */
	{
		e2e_browser wrong = b;

		wrong.csrf[0] = wrong.csrf[0] == 'A' ? 'B' : 'A';
		e2e_browser_expect(&f->s, &wrong, 1, "PATCH", path, patch, 403);
	}
	v = e2e_browser_call(&f->s, &b, 1, "Origin: https://evil.example", "PATCH", path, patch,
			     &st);
	assert_int_equal(st, 403);
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE status = 'new'"), 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM comments"), 0);
	v = e2e_browser_call(&f->s, &b, 0, NULL, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "new");
	json_decref(v);

	/* With it (and this server's Origin): done, and history names ada. */
	{
		char origin[200];

		snprintf(origin, sizeof(origin), "Origin: %s", f->s.url);
		v = e2e_browser_call(&f->s, &b, 1, origin, "PATCH", path, patch, &st);
	}
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "triaged");
	h = json_object_get(v, "history");
	assert_true(json_array_size(h) >= 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "actor")),
			    "ada");
	json_decref(v);
	/* Bearer tokens need no CSRF header. */
	e2e_expect(&f->s, f->s.token, "PATCH", path, "{\"status\":\"new\"}", 200);
}

static void test_wrong_password_and_unknown_name_alike_then_rate_limited(void **state)
{
	fixture *f = *state;
	e2e_response r1, r2;
	int i, limited = 0;

	person(f, "ada", "--role developer");
	person(f, "bob", "--role developer");
	post(f, "/api/v1/session", "{\"name\":\"ada\",\"password\":\"wrong horse\"}", &r1);
	post(f, "/api/v1/session", "{\"name\":\"nobody\",\"password\":\"wrong horse\"}", &r2);
	assert_int_equal(r1.status, 401);
	assert_int_equal(r2.status, 401);
	assert_string_equal(r1.body, r2.body);
	assert_non_null(strstr(r1.body, "wrong name or password"));
	assert_string_equal(r1.set_cookie, "");
	e2e_response_free(&r1);
	e2e_response_free(&r2);

	/* Failures for one name run out (a few allowed in a burst), and then even the right
	 * password waits: 429 with Retry-After. */
	for (i = 0; i < 10 && !limited; i++) {
		post(f, "/api/v1/session", "{\"name\":\"ada\",\"password\":\"wrong horse\"}", &r1);
		if (r1.status == 429) {
			limited = 1;
			assert_true(strtol(r1.retry_after, NULL, 10) >= 1);
		} else {
			assert_int_equal(r1.status, 401);
		}
		e2e_response_free(&r1);
	}
	assert_true(limited);
	assert_int_equal(signin(f, "ada", PW, NULL), 429);
	/* Another name from the same address still signs in. */
	assert_int_equal(signin(f, "bob", PW, NULL), 200);
}

static void test_signout_everywhere_and_disable(void **state)
{
	fixture *f = *state;
	e2e_browser a, b, c, d;
	char out[256];
	json_t *v;
	long st;
	e2e_response r;

	person(f, "ada", "--role developer");
	assert_int_equal(signin(f, "ada", PW, &a), 200);
	assert_int_equal(signin(f, "ada", PW, &b), 200);
	/* Sign-out needs the CSRF header too; then this session ends, the cookie is cleared. */
	e2e_browser_expect(&f->s, &a, 0, "DELETE", "/api/v1/session", NULL, 403);
	{
		char cookie[200], csrf[200];
		const char *h[] = {cookie, csrf, NULL};

		snprintf(cookie, sizeof(cookie), "Cookie: prosum_session=%s", a.cookie);
		snprintf(csrf, sizeof(csrf), "X-Prosum-CSRF: %s", a.csrf);
		assert_int_equal(e2e_request(&f->s, "DELETE", "/api/v1/session", h, NULL, 0, &r), 0);
		assert_int_equal(r.status, 204);
		assert_int_equal(strncmp(r.set_cookie, "prosum_session=;", 16), 0);
		assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
		e2e_response_free(&r);
	}
	e2e_browser_expect(&f->s, &a, 0, "GET", "/api/v1/projects/demo/groups", NULL, 401);
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/projects/demo/groups", NULL, 200);

	/* Everywhere: every other session of the person ends too. */
	assert_int_equal(signin(f, "ada", PW, &c), 200);
	v = e2e_browser_call(&f->s, &b, 1, NULL, "DELETE", "/api/v1/sessions", NULL, &st);
	assert_int_equal(st, 200);
	/* b, c and the one the link's password set opened. */
	assert_int_equal(json_integer_value(json_object_get(v, "ended")), 3);
	json_decref(v);
	e2e_browser_expect(&f->s, &c, 0, "GET", "/api/v1/session", NULL, 401);
	e2e_browser_expect(&f->s, &b, 0, "GET", "/api/v1/session", NULL, 401);

	/* Disabled from the command line: the session stops working, no new one. */
	assert_int_equal(signin(f, "ada", PW, &d), 200);
	assert_int_equal(user_cmd(f, out, sizeof(out), "disable ada"), 0);
	e2e_browser_expect(&f->s, &d, 0, "GET", "/api/v1/projects/demo/groups", NULL, 401);
	assert_int_equal(signin(f, "ada", PW, NULL), 401);
	assert_int_equal(user_cmd(f, out, sizeof(out), "list"), 0);
	assert_non_null(strstr(out, "disabled"));
}

static void test_project_limit_and_assignee(void **state)
{
	fixture *f = *state;
	e2e_browser l;
	json_t *v, *items;
	long st;
	const char *g = "/api/v1/projects/demo/groups/G-1";

	person(f, "lim", "--role developer --project demo");
	person(f, "otto", "--role developer --project other");
	assert_int_equal(signin(f, "lim", PW, &l), 200);
	e2e_browser_expect(&f->s, &l, 0, "GET", "/api/v1/projects/other/groups", NULL, 403);
	v = e2e_browser_call(&f->s, &l, 0, NULL, "GET", "/api/v1/projects/nope/groups", NULL, &st);
	assert_int_equal(st, 403); /* learns nothing of other projects, existing or not */
	json_decref(v);
	v = e2e_browser_call(&f->s, &l, 0, NULL, "GET", "/api/v1/session", NULL, &st);
	assert_string_equal(json_string_value(json_object_get(v, "project")), "demo");
	json_decref(v);

	/* Who may be assigned on demo: lim, not otto. */
	v = e2e_browser_call(&f->s, &l, 0, NULL, "GET", "/api/v1/projects/demo/people", NULL, &st);
	assert_int_equal(st, 200);
	items = json_object_get(v, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "name")),
			    "lim");
	json_decref(v);

	json_decref(e2e_post_crash(&f->s, "main", "main.c", 3, "main"));
	/* A name that is no one, or someone who may not see the project: 422 on assignee. */
	v = e2e_call(&f->s, f->s.token, "PATCH", g, "{\"assignee\":\"ghost\"}", &st);
	assert_int_equal(st, 422);
	assert_string_equal(e2e_str(v, "error", "field"), "assignee");
	assert_non_null(strstr(e2e_str(v, "error", "message"), "/people"));
	json_decref(v);
	e2e_expect(&f->s, f->s.token, "PATCH", g, "{\"assignee\":\"otto\"}", 422);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM groups WHERE assignee IS NOT NULL"),
			 0);
	v = e2e_browser_call(&f->s, &l, 1, NULL, "PATCH", g, "{\"assignee\":\"lim\"}", &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "assignee")), "lim");
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "PATCH", g, "{\"assignee\":null}", &st);
	assert_int_equal(st, 200);
	assert_true(json_is_null(json_object_get(v, "assignee")));
	json_decref(v);
}

static void test_users_api(void **state)
{
	fixture *f = *state;
	e2e_browser dev;
	json_t *v;
	long st;
	char body[256], token[64];
	const char *link;
	e2e_response r;

	/* An admin token adds a person and gets the link. */
	v = e2e_call(&f->s, f->s.token, "POST", "/api/v1/users",
		     "{\"name\":\"rita\",\"role\":\"release\",\"project\":\"demo\"}", &st);
	assert_int_equal(st, 201);
	assert_string_equal(json_string_value(json_object_get(v, "project")), "demo");
	link = json_string_value(json_object_get(v, "link"));
	assert_non_null(link);
	assert_int_equal(strncmp(link, f->s.url, strlen(f->s.url)), 0);
	assert_non_null(strstr(link, "/welcome#"));
	snprintf(token, sizeof(token), "%s", strstr(link, "#") + 1);
	json_decref(v);
	e2e_expect(&f->s, f->s.token, "POST", "/api/v1/users", "{\"name\":\"rita\",\"role\":\"admin\"}",
		   409);
	e2e_expect(&f->s, f->s.token, "POST", "/api/v1/users", "{\"name\":\"x y\",\"role\":\"admin\"}",
		   422);
	e2e_expect(&f->s, f->s.token, "POST", "/api/v1/users",
		   "{\"name\":\"zed\",\"role\":\"admin\",\"project\":\"nope\"}", 422);

	/* A fresh link voids the old one. */
	e2e_expect(&f->s, f->s.token, "POST", "/api/v1/users/rita/link", NULL, 200);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"" PW "\"}", token);
	post(f, "/api/v1/password", body, &r);
	assert_int_equal(r.status, 422);
	e2e_response_free(&r);
	e2e_expect(&f->s, f->s.token, "POST", "/api/v1/users/nobody/link", NULL, 404);

	/* PATCH: role, project limit, disabled. */
	v = e2e_call(&f->s, f->s.token, "PATCH", "/api/v1/users/rita",
		     "{\"role\":\"developer\",\"project\":null}", &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "role")), "developer");
	assert_true(json_is_null(json_object_get(v, "project")));
	json_decref(v);
	e2e_expect(&f->s, f->s.token, "PATCH", "/api/v1/users/rita", "{\"role\":\"root\"}", 422);
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/users", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
	json_decref(v);

	/* Managing people takes an unlimited admin: a developer's cookie is refused. */
	person(f, "dev", "--role developer");
	assert_int_equal(signin(f, "dev", PW, &dev), 200);
	e2e_browser_expect(&f->s, &dev, 0, "GET", "/api/v1/users", NULL, 403);
	e2e_browser_expect(&f->s, &dev, 1, "POST", "/api/v1/users",
			   "{\"name\":\"eve\",\"role\":\"admin\"}", 403);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM users WHERE name = 'eve'"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_link_sets_password_once_and_signs_in, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_csrf_guards_changes_and_history_names_the_person,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_wrong_password_and_unknown_name_alike_then_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signout_everywhere_and_disable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_project_limit_and_assignee, setup, teardown),
		cmocka_unit_test_setup_teardown(test_users_api, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
