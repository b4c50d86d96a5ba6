/* test_e2e_audience.c - e-mail and the news in the beta build tell the same testers the same
 * things: a fix in a release, a shipped suggestion, the team's replies (a real prosumd, the
 * local SMTP sink, prosum_news() through the library). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "mail_sink.h"
#include "prosum.h"

#define PUBLIC "https://prosum.example"
/* The digest interval: after a person's first mail, what reaches them waits this long. The
 * reply test hides a comment within it (a few requests, seconds even under the sanitizers on
 * a loaded machine): 45 s leaves a wide margin, and is what that test waits for its digests. */
#define INTERVAL "45"
/* A revision no repository has: a build prosum cannot identify. */
#define UNKNOWN_REV "0123456789abcdef0123456789abcdef01234567"
#define BUG "Save loses the file"

typedef struct fixture {
	e2e_release_fixture r; /* first, as e2e_fixture_new() wants */
	mail_sink sink;
} fixture;

static int setup(void **state)
{
	fixture *f;

	if (e2e_release_setup(state, 0) < 0)
		return -1;
	f = realloc(*state, sizeof(*f));
	if (!f)
		return -1;
	memset((char *)f + sizeof(f->r), 0, sizeof(*f) - sizeof(f->r));
	*state = f;
	return mail_sink_serve(&f->sink, &f->r.s, PUBLIC, INTERVAL);
}

static int teardown(void **state)
{
	fixture *f = *state;

	mail_sink_stop(&f->sink);
	return e2e_release_teardown(state);
}

static void ok(fixture *f, const char *method, const char *path, const char *body, long want)
{
	e2e_expect(&f->r.s, f->r.rel, method, path, body, want);
}

/* A client of the install whose spool is DIR/`name`, built from revision `rev`. */
static prosum_client *client(fixture *f, const char *name, const char *rev)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;
	char spool[400];

	snprintf(spool, sizeof(spool), "%s/%s", f->r.s.dir, name);
	o.ca_file = f->r.s.cacert;
	o.spool_dir = spool;
	o.flags = PROSUM_NO_SENDER;
	o.app_version = "1.0.0";
	o.app_revision = rev;
	assert_int_equal(prosum_client_new(&c, f->r.s.dsn, &o), 0);
	return c;
}

/* c's tester asks for mail at `email`, as their beta build does. */
static void opt_in(fixture *f, prosum_client *c, const char *email)
{
	char key[200], inst[200], body[128];
	const char *h[] = {key, inst, "Content-Type: application/json", NULL};
	e2e_response r;

	snprintf(key, sizeof(key), "X-Prosum-Key: %s", f->r.s.key);
	snprintf(inst, sizeof(inst), "X-Prosum-Install: %s", prosum_client_install_id(c));
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", email);
	assert_int_equal(e2e_request(&f->r.s, "PUT", "/api/v1/projects/demo/mail/tester", h, body,
				     strlen(body), &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
}

/* c sends a bug titled `title`; it must become report `want` ("R-2"). */
static void bug(prosum_client *c, const char *title, const char *want)
{
	prosum_result res = PROSUM_RESULT_INIT;
	prosum_report *r = NULL;

	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, title), 0);
	assert_int_equal(prosum_send(&res, c, r), 0);
	assert_string_equal(res.id, want);
	prosum_result_dispose(&res);
	prosum_report_free(r);
}

/* prosum_news() of c, its lines joined with "\n" into out ("" when none); how many. */
static size_t news(prosum_client *c, char *out, size_t outsz)
{
	prosum_news_list *l = NULL;
	size_t i, n, used = 0;

	out[0] = '\0';
	if (prosum_news(&l, c) != 0)
		fail_msg("prosum_news: %s", prosum_error_last());
	for (i = 0; i < l->count; i++) {
		used += (size_t)snprintf(out + used, outsz - used, "%s\n", l->items[i].text);
		assert_true(used < outsz);
	}
	n = l->count;
	prosum_news_free(l);
	return n;
}

static void expect_news(prosum_client *c, const char *want)
{
	char got[4096];

	news(c, got, sizeof(got));
	assert_string_equal(got, want);
}

/* The subject of `to`'s mail number `n` (waited for), and whether its text holds each of
 * `has` (NULL-terminated) and none of `lacks`. */
static void expect_mail(fixture *f, const char *to, int n, const char *subject,
			const char *const *has, const char *const *lacks)
{
	json_t *m = mail_sink_wait(&f->sink, to, n);
	const char *text = e2e_str(m, "text", NULL);

	assert_string_equal(e2e_str(m, "subject", NULL), subject);
	for (; has && *has; has++)
		if (!strstr(text, *has))
			fail_msg("mail %d to %s lacks \"%s\": %s", n, to, *has, text);
	for (; lacks && *lacks; lacks++)
		if (strstr(text, *lacks))
			fail_msg("mail %d to %s holds \"%s\": %s", n, to, *lacks, text);
	json_decref(m);
}

/* Wait until the e-mail channel has nothing waiting to send (bounded, for a loaded machine:
 * the digests are due at most INTERVAL seconds after the previous mails). */
static void wait_queue_empty(fixture *f)
{
	time_t end = time(NULL) + MAIL_WAIT_SECONDS;

	while (time(NULL) < end) {
		if (e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_pending") == 0)
			return;
		usleep(200 * 1000);
	}
	fail_msg("mail still waiting after %d s", MAIL_WAIT_SECONDS);
}

/* A fix reaches a release: of three reports of the group - from a build checked and found
 * without the fix, from a build prosum cannot identify, from a build that already holds
 * the fix - only the first is told, by mail and by news alike. (Before, mail told all
 * three.) */
static void test_fixed_in_release(void **state)
{
	fixture *f = *state;
	prosum_client *a = client(f, "install-a", f->r.a), *u = client(f, "install-u", UNKNOWN_REV);
	prosum_client *h;
	char fix[41], got[64], body[128];

	bug(a, BUG, "R-1");
	bug(u, BUG, "R-2");
	/* The fixing commit is made (not read by a sync yet); a build of it reports the bug. */
	e2e_git(&f->r.s, NULL, 0, "git tag v1.0.0");
	e2e_git(&f->r.s, NULL, 0,
		"sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Keep the file\n\n"
		"Fixes G-1' && git tag v1.1.0");
	e2e_git(&f->r.s, fix, sizeof(fix), "git rev-parse HEAD");
	h = client(f, "install-h", fix);
	bug(h, BUG, "R-3");
	opt_in(f, a, "a@example.com");
	opt_in(f, u, "u@example.com");
	opt_in(f, h, "h@example.com");

	/* The sync reads the fix: R-3's build holds it, so G-1 regressed. The team, who know
	 * R-3's build for a test build, marks it fixed by that commit again. */
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	snprintf(body, sizeof(body), "{\"status\":\"fixed\",\"fixed_by\":\"%s\"}", fix);
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", body, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.0.0\",\"ref\":\"v1.0.0\"}",
	   201);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}",
	   201);
	/* The three builds are what this test says: lacks the fix, unknown, holds it. */
	assert_int_equal(e2e_sql_text(&f->r.s, "SELECT group_concat(coalesce(has_fix, '-'), ',') "
					       "FROM (SELECT has_fix FROM reports ORDER BY num)",
				      got, sizeof(got)),
			 0);
	assert_string_equal(got, "0,-,1");
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM outbox WHERE type = "
					      "'group.fixed_in_release'"),
			 1);

	expect_mail(f, "a@example.com", 1, "[demo] Your bug R-1 is fixed in 1.1.0", NULL, NULL);
	mail_sink_wait_routed(&f->r.s);
	assert_int_equal(mail_sink_count(&f->sink, "u@example.com", NULL), 0);
	assert_int_equal(mail_sink_count(&f->sink, "h@example.com", NULL), 0);
	assert_int_equal(mail_sink_count(&f->sink, NULL, NULL), 1);
	/* The news says the same to the same install, of the same report. */
	expect_news(a, "Your bug R-1 is fixed in 1.1.0\n");
	expect_news(u, "");
	expect_news(h, "");

	prosum_close(a);
	prosum_close(u);
	prosum_close(h);
}

/* A suggestion ships in a release: its author and its voters hear of it. By mail those who
 * asked for it (the author, one voter), in the news all three. */
static void test_shipped_suggestion(void **state)
{
	fixture *f = *state;
	prosum_client *a = client(f, "install-a", f->r.a), *b = client(f, "install-b", f->r.a);
	prosum_client *c = client(f, "install-c", f->r.a);

	opt_in(f, a, "a@example.com");
	opt_in(f, b, "b@example.com");
	assert_int_equal(prosum_suggestion_submit(NULL, a, "Autosave", NULL, NULL), 0);
	assert_int_equal(prosum_flush(a, 10000), 0);
	assert_int_equal(prosum_vote_submit(NULL, b, "S-1", NULL, 0), 0);
	assert_int_equal(prosum_flush(b, 10000), 0);
	assert_int_equal(prosum_vote_submit(NULL, c, "S-1", NULL, 0), 0);
	assert_int_equal(prosum_flush(c, 10000), 0);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT votes FROM suggestions WHERE num = 1"), 3);

	/* A commit implements it; the release that holds it is registered. */
	e2e_git(&f->r.s, NULL, 0,
		"echo on > autosave.txt && git add autosave.txt && git commit -qm 'Autosave\n\n"
		"Implements S-1' && git tag v1.1.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}",
	   201);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM outbox WHERE type = "
					      "'suggestion.shipped'"),
			 1);

	/* A tester's mail links the board item, never the team's pages. */
	static const char *const board_link[] = {PUBLIC "/p/demo/board/S-1", NULL};
	static const char *const team_pages[] = {"/groups/", "/reports/", NULL};

	expect_mail(f, "a@example.com", 1, "[demo] Your suggestion S-1 shipped in 1.1.0", board_link,
		    team_pages);
	expect_mail(f, "b@example.com", 1,
		    "[demo] The suggestion you voted for S-1 shipped in 1.1.0", NULL, NULL);
	mail_sink_wait_routed(&f->r.s);
	assert_int_equal(mail_sink_count(&f->sink, NULL, NULL), 2);
	expect_news(a, "Your suggestion S-1 shipped in 1.1.0 - thank you\n");
	expect_news(b, "The suggestion you voted for S-1 shipped in 1.1.0 - thank you\n");
	expect_news(c, "The suggestion you voted for S-1 shipped in 1.1.0 - thank you\n");

	prosum_close(a);
	prosum_close(b);
	prosum_close(c);
}

/* The team replies on a report and on a group: the report's tester, the testers of the
 * group's reports, and the people following the group hear it, by mail and in the news; a
 * comment hidden before its mail left reaches no tester; nobody is told of their own. */
static void test_team_replies(void **state)
{
	fixture *f = *state;
	prosum_client *a = client(f, "install-a", f->r.a), *b = client(f, "install-b", f->r.a);
	prosum_client *c = client(f, "install-c", f->r.a), *d;
	e2e_browser ada;
	char key[200], inst[200], path[128];
	const char *h[] = {key, inst, "Content-Type: application/json", NULL};
	e2e_response r;
	long long hidden;

	bug(a, BUG, "R-1");
	bug(b, BUG, "R-2");
	bug(c, "Crash on open", "R-3");
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(DISTINCT group_id) FROM reports"), 2);
	opt_in(f, a, "a@example.com");
	opt_in(f, b, "b@example.com");
	opt_in(f, c, "c@example.com");
	/* Ada, a developer, follows G-1. */
	mail_sink_person(&f->r.s, "ada", "developer", &ada);
	e2e_browser_expect(&f->r.s, &ada, 1, "PATCH", "/api/v1/account/mail",
			   "{\"email\":\"ada@example.com\"}", 200);
	e2e_browser_expect(&f->r.s, &ada, 1, "PUT", "/api/v1/projects/demo/follows/G-1", NULL, 200);

	/* On A's report: A hears it, and Ada who follows its group; B does not. */
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-1", "{\"comment\":\"Try beta 3?\"}", 200);
	expect_mail(f, "a@example.com", 1, "[demo] The team replied on your bug R-1",
		    (const char *[]){"Try beta 3?", NULL}, NULL);
	expect_mail(f, "ada@example.com", 1, "[demo] New comment on R-1 (G-1)",
		    (const char *[]){"Try beta 3?", NULL}, NULL);

	/* On the group: B hears it at once (their first mail); A and Ada within their interval. */
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"comment\":\"Shipping Friday\"}", 200);
	expect_mail(f, "b@example.com", 1, "[demo] The team replied on your bug R-2",
		    (const char *[]){"Shipping Friday", NULL}, NULL);

	/* Within the interval: Ada's own comment on the group; A's reply (a tester's own word
	 * is no news, to them or anyone); a comment on B's report, queued, then hidden. */
	e2e_browser_expect(&f->r.s, &ada, 1, "PATCH", "/api/v1/projects/demo/groups/G-1",
			   "{\"comment\":\"Thanks for the reports\"}", 200);
	snprintf(key, sizeof(key), "X-Prosum-Key: %s", f->r.s.key);
	snprintf(inst, sizeof(inst), "X-Prosum-Install: %s", prosum_client_install_id(a));
	assert_int_equal(e2e_request(&f->r.s, "POST", "/api/v1/projects/demo/reports/R-1/comments",
				     h, "{\"body\":\"Still happens\"}", 24, &r),
			 0);
	assert_int_equal(r.status, 201);
	e2e_response_free(&r);
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-2", "{\"comment\":\"wrong report\"}", 200);
	mail_sink_wait_routed(&f->r.s);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_pending WHERE kind = "
					      "'tester' AND detail = 'wrong report'"),
			 1);
	hidden = e2e_sql_int(&f->r.s, "SELECT max(id) FROM comments");
	snprintf(path, sizeof(path), "/api/v1/projects/demo/comments/%lld", hidden);
	ok(f, "PATCH", path, "{\"hidden\":true}", 200);

	/* The digests, after the interval. */
	expect_mail(f, "a@example.com", 2, "[demo] 2 updates",
		    (const char *[]){"Shipping Friday", "Thanks for the reports", NULL},
		    (const char *[]){"wrong report", "Still happens", NULL});
	expect_mail(f, "b@example.com", 2, "[demo] The team replied on your bug R-2",
		    (const char *[]){"Thanks for the reports", NULL},
		    (const char *[]){"wrong report", "Still happens", NULL});
	expect_mail(f, "ada@example.com", 2, "[demo] 2 updates",
		    (const char *[]){"Shipping Friday", "wrong report", NULL},
		    (const char *[]){"Thanks for the reports", "Still happens", NULL});
	wait_queue_empty(f);
	assert_int_equal(mail_sink_count(&f->sink, "c@example.com", NULL), 0);
	assert_int_equal(mail_sink_count(&f->sink, NULL, NULL), 6);

	/* The news: the same replies to the same installs. */
	expect_news(a, "The team replied on your bug R-1: Try beta 3?\n"
		       "The team replied on your bug R-1: Shipping Friday\n"
		       "The team replied on your bug R-1: Thanks for the reports\n");
	expect_news(b, "The team replied on your bug R-2: Shipping Friday\n"
		       "The team replied on your bug R-2: Thanks for the reports\n");
	expect_news(c, "");

	/* A report sent into G-1 after the replies (once the clock has passed the second of the
	 * last one: times are in whole seconds) was no part of them: no news, no mail. */
	while ((long long)time(NULL) <= e2e_sql_int(&f->r.s, "SELECT max(created_at) FROM outbox"))
		usleep(100 * 1000);
	d = client(f, "install-d", f->r.a);
	opt_in(f, d, "d@example.com");
	bug(d, BUG, "R-4");
	expect_news(d, "");
	mail_sink_wait_routed(&f->r.s);
	assert_int_equal(mail_sink_count(&f->sink, "d@example.com", NULL), 0);

	prosum_close(a);
	prosum_close(b);
	prosum_close(c);
	prosum_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fixed_in_release, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shipped_suggestion, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_team_replies, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
