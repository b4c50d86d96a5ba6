/* test_e2e_news.c - a tester's news through libprosum, `prosum news` and beta-app against a real
 * prosumd: their bug fixed in a release, their suggestion shipped, the team's reply, each once. */
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
#include "prosum.h"

typedef e2e_release_fixture fixture;

static int setup(void **state)
{
	return e2e_release_setup(state, 1);
}

static int teardown(void **state)
{
	return e2e_release_teardown(state);
}

static void ok(fixture *f, const char *method, const char *path, const char *body, long want)
{
	e2e_expect(&f->s, f->rel, method, path, body, want);
}

/* A client of the install whose spool is DIR/`name`, built from revision `rev`. */
static prosum_client *client(fixture *f, const char *name, const char *rev)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;
	char spool[400];

	snprintf(spool, sizeof(spool), "%s/%s", f->s.dir, name);
	o.ca_file = f->s.cacert;
	o.spool_dir = spool;
	o.flags = PROSUM_NO_SENDER;
	o.app_version = "1.0.0";
	o.app_revision = rev;
	assert_int_equal(prosum_client_new(&c, f->s.dsn, &o), 0);
	return c;
}

/* prosum_news() of c, its lines joined with "\n" into out ("" when none). */
static size_t news(prosum_client *c, char *out, size_t outsz)
{
	prosum_news_list *l = NULL;
	size_t i, n, used = 0;

	out[0] = '\0';
	if (prosum_news(&l, c) != 0)
		fail_msg("prosum_news: %s", prosum_error_last());
	for (i = 0; i < l->count; i++) {
		assert_non_null(l->items[i].id);
		assert_true(l->items[i].time > 0);
		used += (size_t)snprintf(out + used, outsz - used, "%s\n", l->items[i].text);
		assert_true(used < outsz);
	}
	n = l->count;
	prosum_news_free(l);
	return n;
}

static void test_news_through_the_library(void **state)
{
	fixture *f = *state;
	prosum_client *a = client(f, "install-a", f->a), *b = client(f, "install-b", f->a);
	prosum_result res = PROSUM_RESULT_INIT;
	prosum_report *r = NULL;
	prosum_news_list *l = NULL;
	char got[4096], uuid[37], env[2048];

	/* A's bug, from the first commit: R-1 in G-1. Nothing is news yet. */
	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, "Save loses the file"), 0);
	assert_int_equal(prosum_send(&res, a, r), 0);
	assert_string_equal(res.id, "R-1");
	prosum_report_free(r);
	prosum_result_dispose(&res);
	assert_int_equal(news(a, got, sizeof(got)), 0);

	/* A commit fixes G-1; the release that holds it is registered. */
	e2e_git(&f->s, NULL, 0, "git tag v1.0.0");
	e2e_git(&f->s, NULL, 0,
		"sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Keep the file\n\n"
		"Fixes G-1' && git tag v1.1.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.0.0\",\"ref\":\"v1.0.0\"}",
	   201);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}",
	   201);
	assert_int_equal(news(a, got, sizeof(got)), 1);
	assert_string_equal(got, "Your bug R-1 is fixed in 1.1.0\n");
	/* Seen: the next call brings nothing; B had no part in it. */
	assert_int_equal(news(a, got, sizeof(got)), 0);
	assert_int_equal(news(b, got, sizeof(got)), 0);

	/* A's suggestion ships; the team replies on A's report. */
	assert_int_equal(prosum_suggestion_submit(uuid, a, "Autosave", NULL, NULL), 0);
	assert_int_equal(prosum_flush(a, 10000), 0);
	ok(f, "PATCH", "/api/v1/projects/demo/suggestions/S-1",
	   "{\"status\":\"shipped\",\"shipped_in\":\"1.1.0\"}", 200);
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-1", "{\"comment\":\"Thanks, that one hurt\"}",
	   200);
	assert_int_equal(news(a, got, sizeof(got)), 2);
	assert_string_equal(got, "Your suggestion S-1 shipped in 1.1.0 - thank you\n"
				 "The team replied on your bug R-1: Thanks, that one hurt\n");
	/* A reply the team hid before it was read is no news. */
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-1", "{\"comment\":\"wrong report\"}", 200);
	snprintf(got, sizeof(got), "/api/v1/projects/demo/comments/%lld",
		 e2e_sql_int(&f->s, "SELECT max(id) FROM comments"));
	ok(f, "PATCH", got, "{\"hidden\":true}", 200);
	assert_int_equal(prosum_news(&l, a), 0);
	assert_int_equal(l->count, 0);
	assert_int_equal(l->more, 0);
	prosum_news_free(l);
	assert_int_equal(news(b, got, sizeof(got)), 0);

	/* `prosum news` and beta-app, as the same install: the next reply, once. */
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"comment\":\"Shipping Friday\"}", 200);
	snprintf(env, sizeof(env), "PROSUM_SPOOL='%s/install-a' PROSUM_CACERT='%s' PROSUM_DSN='%s'",
		 f->s.dir, f->s.cacert, f->s.dsn);
	assert_int_equal(e2e_cli(got, sizeof(got), env, "news"), 0);
	assert_string_equal(got, "The team replied on your bug R-1: Shipping Friday\n");
	assert_int_equal(e2e_cli(got, sizeof(got), env, "news 2>/dev/null"), 0);
	assert_string_equal(got, "");
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-1", "{\"comment\":\"Out now\"}", 200);
	assert_int_equal(e2e_sh(got, sizeof(got), "%s '%s'", env, BETA_APP_PATH), 0);
	assert_string_equal(got, "news: The team replied on your bug R-1: Out now\n");
	assert_int_equal(e2e_sh(got, sizeof(got), "%s '%s'", env, BETA_APP_PATH), 0);
	assert_string_equal(got, "");

	prosum_close(a);
	prosum_close(b);
}

/* The API: the install is required, the cursor never moves back nor past the news. */
static void test_news_api(void **state)
{
	fixture *f = *state;
	char key[200], inst[64];
	const char *h[] = {key, inst, "Content-Type: application/json", NULL};
	const char *nh[] = {key, NULL};
	e2e_response r;

	snprintf(key, sizeof(key), "X-Prosum-Key: %s", f->s.key);
	snprintf(inst, sizeof(inst), "X-Prosum-Install: t1");
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/news", nh, NULL, 0, &r), 0);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "X-Prosum-Install"));
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/news", h, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"items\":[]"));
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/projects/demo/news/seen", h,
				     "{\"cursor\":99}", 13, &r),
			 0);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "cursor"));
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/projects/demo/news/seen", h,
				     "{\"cursor\":\"x\"}", 14, &r),
			 0);
	assert_int_equal(r.status, 422);
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/projects/demo/news/seen", h,
				     "{\"cursor\":0}", 12, &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT last_id FROM news_seen WHERE install_id = 't1'"),
			 0);
}

/* A fix that did not hold is no news: G-1 fixed in 1.1.0 regressed (a report from 1.1.0),
 * then fixed again in 1.2.0. A tester on 1.1.0 hears of 1.2.0 only, never "fixed in 1.1.0". */
static void test_news_fix_that_did_not_hold(void **state)
{
	fixture *f = *state;
	prosum_client *a = client(f, "install-a", f->a), *c = NULL;
	prosum_result res = PROSUM_RESULT_INIT;
	prosum_report *r = NULL;
	char got[4096];

	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, "Save loses the file"), 0);
	assert_int_equal(prosum_send(&res, a, r), 0);
	assert_string_equal(res.id, "R-1");
	prosum_result_dispose(&res);
	e2e_git(&f->s, NULL, 0,
		"sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Keep the file\n\n"
		"Fixes G-1' && git tag v1.1.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}",
	   201);
	assert_int_equal(news(a, got, sizeof(got)), 1);
	assert_string_equal(got, "Your bug R-1 is fixed in 1.1.0\n");

	/* The same bug from 1.1.0, which holds the fix: G-1 regressed. A newer fix (by commit
	 * date: later than the first one, made in the same second) fixes it again. */
	prosum_report_free(r);
	c = client(f, "install-c", "v1.1.0");
	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, "Save loses the file"), 0);
	assert_int_equal(prosum_send(&res, c, r), 0);
	assert_string_equal(res.id, "R-2");
	prosum_result_dispose(&res);
	prosum_report_free(r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT status = 'regressed' FROM groups WHERE num = 1"),
			 1);
	e2e_git(&f->s, NULL, 0,
		"sed -i 's/return 1;/return 2;/' main.c && GIT_COMMITTER_DATE=2037-01-01T00:00:00Z "
		"GIT_AUTHOR_DATE=2037-01-01T00:00:00Z git commit -qam 'Really keep it\n\n"
		"Fixes G-1' && git tag v1.2.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.2.0\",\"ref\":\"v1.2.0\"}",
	   201);
	assert_int_equal(news(c, got, sizeof(got)), 1);
	assert_string_equal(got, "Your bug R-2 is fixed in 1.2.0\n");
	assert_int_equal(news(a, got, sizeof(got)), 1);
	assert_string_equal(got, "Your bug R-1 is fixed in 1.2.0\n");

	prosum_close(a);
	prosum_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_news_through_the_library, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_news_api, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_news_fix_that_did_not_hold, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
