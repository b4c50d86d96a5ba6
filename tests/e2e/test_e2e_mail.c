/* test_e2e_mail.c - e-mail against a real prosumd and a local SMTP sink (python3-aiosmtpd):
 * who gets what, the digest limit, one-click unsubscribe, HTML escaping. */
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
#include "mail_sink.h"

#define HOSTILE "<script>alert(1)</script> & \"quoted\" crash"
#define HOSTILE_JSON "<script>alert(1)</script> & \\\"quoted\\\" crash" /* the same, in JSON */
#define PUBLIC "https://prosum.example"
/* The digest interval the server runs with. Long enough that three reports posted right
 * after a person's first mail certainly fall inside it (posting them takes well under a
 * second even under the sanitizers on a loaded machine), short enough to wait for. */
#define INTERVAL "20"

typedef struct fixture {
	e2e_release_fixture r; /* first, as e2e_fixture_new() wants */
	mail_sink sink;
	e2e_browser ada;
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

static const char *field(json_t *m, const char *k1, const char *k2)
{
	return e2e_str(m, k1, k2);
}

/* ---- what the test does ---- */

static long crash(fixture *f, const char *fn, const char *title, const char *tester)
{
	char id[37], doc[2048];
	e2e_response r;
	long st;

	e2e_uuid(id);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"title\":\"%s\",\"build\":{\"revision\":"
		 "\"%s\"},\"tester\":%s,\"exception\":{\"type\":\"SIGSEGV\"},"
		 "\"frames\":[{\"function\":\"%s\"}]}",
		 id, title, f->r.a, tester, fn);
	assert_int_equal(e2e_post_report(&f->r.s, doc, &r), 0);
	st = r.status;
	if (st >= 400)
		printf("# %ld %s\n", st, r.body);
	e2e_response_free(&r);
	return st;
}

static void post_form(fixture *f, const char *path, const char *body, e2e_response *r)
{
	const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};

	assert_int_equal(e2e_request(&f->r.s, "POST", path, h, body, strlen(body), r), 0);
}

/* A person "ada" signed in: added by the command line, password set through the link. */
static void sign_in_ada(fixture *f)
{
	mail_sink_person(&f->r.s, "ada", "developer", &f->ada);
}

/* The path and query of a link the mails carry (they name PUBLIC). */
static const char *local(const char *url)
{
	assert_int_equal(strncmp(url, PUBLIC, strlen(PUBLIC)), 0);
	return url + strlen(PUBLIC);
}

/* The List-Unsubscribe header's URL of mail m into out. */
static void unsub_link(json_t *m, char *out, size_t outsz)
{
	const char *h = field(m, "headers", "List-Unsubscribe");

	assert_int_equal(h[0], '<');
	snprintf(out, outsz, "%.*s", (int)strcspn(h + 1, ">"), h + 1);
}

static void test_mail(void **state)
{
	fixture *f = *state;
	json_t *m, *v;
	char link[400];
	e2e_response r;
	long st;

	/* A developer gives an address and follows new groups. */
	sign_in_ada(f);
	e2e_browser_expect(&f->r.s, &f->ada, 1, "PATCH", "/api/v1/account/mail",
			   "{\"email\":\"not an address\"}", 422);
	e2e_browser_expect(&f->r.s, &f->ada, 1, "PATCH", "/api/v1/account/mail",
			   "{\"email\":\"ada@example.com\"}", 200);
	e2e_browser_expect(&f->r.s, &f->ada, 1, "PUT", "/api/v1/projects/demo/follows/new_group",
			   NULL, 200);
	e2e_browser_expect(&f->r.s, &f->ada, 1, "PUT", "/api/v1/projects/demo/follows/G-99", NULL,
			   404);
	v = e2e_browser_call(&f->r.s, &f->ada, 0, NULL, "GET", "/api/v1/account/mail", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "email", NULL), "ada@example.com");
	assert_string_equal(e2e_str(json_array_get(json_object_get(v, "follows"), 0), "kind", NULL),
			    "new_group");
	json_decref(v);

	/* Two testers send the same crash: one gave an address and opted in, the other gave an
	 * address for credit only. notify without an address is refused, naming the field. */
	assert_int_equal(crash(f, "main_crash", "x", "{\"install_id\":\"t-bad\",\"notify\":true}"),
			 422);
	assert_int_equal(crash(f, "main_crash", HOSTILE_JSON,
			       "{\"install_id\":\"t-opt\",\"email\":\"opt@example.com\","
			       "\"notify\":true}"),
			 201);
	assert_int_equal(crash(f, "main_crash", HOSTILE_JSON,
			       "{\"install_id\":\"t-no\",\"email\":\"no@example.com\"}"),
			 201);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_testers"), 1);

	/* Ada hears of the new group at once (her first mail): the hostile title escaped. */
	m = mail_sink_wait(&f->sink, "ada@example.com", 1);
	assert_string_equal(field(m, "subject", NULL), "[demo] New group G-1");
	assert_string_equal(field(m, "content_type", NULL), "multipart/alternative");
	assert_string_equal(field(m, "mail_from", NULL), "prosum@example.com");
	assert_string_equal(field(m, "headers", "To"), "ada@example.com");
	assert_string_equal(field(m, "headers", "List-Unsubscribe-Post"),
			    "List-Unsubscribe=One-Click");
	assert_non_null(strstr(field(m, "headers", "Message-ID"), "@example.com>"));
	assert_non_null(strstr(field(m, "headers", "Date"), " +0000"));
	assert_non_null(strstr(field(m, "text", NULL), HOSTILE));
	assert_null(strstr(field(m, "html", NULL), "<script>"));
	assert_non_null(strstr(field(m, "html", NULL),
			       "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; crash"));
	assert_non_null(strstr(field(m, "text", NULL), PUBLIC "/p/demo/groups/G-1"));
	json_decref(m);

	/* The fix ships: a commit fixes G-1, the release holding it is registered. */
	e2e_git(&f->r.s, NULL, 0, "git tag v1.0.0");
	e2e_git(&f->r.s, NULL, 0,
		"sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Stop crashing\n\n"
		"Fixes G-1' && git tag v1.1.0");
	e2e_expect(&f->r.s, f->r.rel, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	e2e_expect(&f->r.s, f->r.rel, "POST", "/api/v1/projects/demo/releases",
		   "{\"name\":\"1.0.0\",\"ref\":\"v1.0.0\"}", 201);
	e2e_expect(&f->r.s, f->r.rel, "POST", "/api/v1/projects/demo/releases",
		   "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}", 201);
	m = mail_sink_wait(&f->sink, "opt@example.com", 1);
	assert_string_equal(field(m, "subject", NULL), "[demo] Your bug R-1 is fixed in 1.1.0");
	assert_string_equal(field(m, "headers", "To"), "opt@example.com");
	assert_non_null(strstr(field(m, "text", NULL), "Your bug R-1 is fixed in 1.1.0"));
	/* Its link is the tester's own page on the board, not the team's group page. */
	assert_non_null(strstr(field(m, "text", NULL), PUBLIC "/p/demo/mine"));
	assert_null(strstr(field(m, "text", NULL), "/groups/"));
	assert_non_null(strstr(field(m, "html", NULL), "&lt;script&gt;"));
	assert_null(strstr(field(m, "html", NULL), "<script>"));
	unsub_link(m, link, sizeof(link));
	json_decref(m);

	/* Digest: three new groups right after Ada's first mail wait for her interval, then go
	 * in one mail. */
	assert_int_equal(crash(f, "fn_a", "Crash A", "{\"install_id\":\"t-2\"}"), 201);
	assert_int_equal(crash(f, "fn_b", "Crash B", "{\"install_id\":\"t-2\"}"), 201);
	assert_int_equal(crash(f, "fn_c", "Crash C", "{\"install_id\":\"t-2\"}"), 201);
	mail_sink_wait_routed(&f->r.s);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_pending WHERE person = "
					      "(SELECT 'user:' || id FROM users WHERE name = 'ada')"),
			 3);
	assert_int_equal(mail_sink_count(&f->sink, "ada@example.com", NULL), 1);
	m = mail_sink_wait(&f->sink, "ada@example.com", 2);
	assert_string_equal(field(m, "subject", NULL), "[demo] 3 updates");
	assert_non_null(strstr(field(m, "text", NULL), "New group G-2"));
	assert_non_null(strstr(field(m, "text", NULL), "New group G-3"));
	assert_non_null(strstr(field(m, "text", NULL), "New group G-4"));
	assert_int_equal(mail_sink_count(&f->sink, "ada@example.com", NULL), 2);

	/* One-click unsubscribe: the page asks, the POST (RFC 8058) unsubscribes. */
	{
		char alink[400];

		unsub_link(m, alink, sizeof(alink));
		assert_int_equal(e2e_request(&f->r.s, "GET", local(alink), NULL, NULL, 0, &r), 0);
		assert_int_equal(r.status, 200);
		assert_non_null(strstr(r.body, "<form method=\"post\""));
		e2e_response_free(&r);
		/* Looking is not unsubscribing. */
		assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_subscriptions"), 1);
		post_form(f, local(alink), "List-Unsubscribe=One-Click", &r);
		assert_int_equal(r.status, 200);
		assert_non_null(strstr(r.body, "Unsubscribed"));
		e2e_response_free(&r);
	}
	json_decref(m);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_subscriptions"), 0);
	/* A new group after it: nothing for Ada, now or later. */
	assert_int_equal(crash(f, "fn_d", "Crash D", "{\"install_id\":\"t-2\"}"), 201);
	mail_sink_wait_routed(&f->r.s);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_pending"), 0);
	assert_int_equal(mail_sink_count(&f->sink, "ada@example.com", NULL), 2);

	/* The tester's link unsubscribes the tester; an unknown token is a 404 page. */
	post_form(f, local(link), "List-Unsubscribe=One-Click", &r);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_testers"), 0);
	post_form(f, "/api/v1/mail/unsubscribe?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "",
		  &r);
	assert_int_equal(r.status, 404);
	e2e_response_free(&r);

	/* The tester who did not opt in got nothing at all. */
	assert_int_equal(mail_sink_count(&f->sink, "no@example.com", NULL), 0);
	assert_int_equal(mail_sink_count(&f->sink, NULL, NULL), 3);
}

/* A tester's build can opt in and out through the API as well. */
static void test_tester_api(void **state)
{
	fixture *f = *state;
	const char *h[] = {"Content-Type: application/json", NULL};
	char auth[200], inst[64];
	const char *hh[] = {auth, inst, "Content-Type: application/json", NULL};
	e2e_response r;

	(void)h;
	snprintf(auth, sizeof(auth), "X-Prosum-Key: %s", f->r.s.key);
	snprintf(inst, sizeof(inst), "X-Prosum-Install: t-api");
	assert_int_equal(e2e_request(&f->r.s, "PUT", "/api/v1/projects/demo/mail/tester", hh,
				     "{\"email\":\"x\"}", 13, &r),
			 0);
	assert_int_equal(r.status, 422);
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->r.s, "PUT", "/api/v1/projects/demo/mail/tester", hh,
				     "{\"email\":\"api@example.com\"}", 27, &r),
			 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "api@example.com"));
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_testers WHERE install_id "
					      "= 't-api'"),
			 1);
	assert_int_equal(e2e_request(&f->r.s, "DELETE", "/api/v1/projects/demo/mail/tester", hh,
				     NULL, 0, &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_testers"), 0);
}

/* The operator sets a person's address from the shell. */
static void test_user_email_command(void **state)
{
	fixture *f = *state;

	assert_int_equal(e2e_sh(NULL, 0, "'%s' user email ada 'not an address' --data '%s' 2>/dev/null",
				PROSUMD_PATH, f->r.s.data),
			 2);
	assert_int_equal(e2e_sh(NULL, 0, "'%s' user email nobody a@example.com --data '%s' 2>/dev/null",
				PROSUMD_PATH, f->r.s.data),
			 1);
	assert_int_equal(e2e_sh(NULL, 0, "'%s' user email ada ada2@example.com --data '%s' 2>/dev/null",
				PROSUMD_PATH, f->r.s.data),
			 0);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM users WHERE name = 'ada' AND "
					      "email = 'ada2@example.com'"),
			 1);
	assert_int_equal(e2e_sh(NULL, 0, "'%s' user email ada --data '%s' 2>/dev/null", PROSUMD_PATH,
				f->r.s.data),
			 0);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM users WHERE email IS NOT NULL"),
			 0);
}

/* A tester opts in from the command line (`prosum report --email E --notify`) and from a beta
 * build (libprosum's prosum_report_set_tester_notify, as `beta-app --email E report T` uses
 * it); --notify without an address is refused before anything is queued. */
static void test_opt_in_from_cli_and_beta_app(void **state)
{
	fixture *f = *state;
	char env[1600], out[2048];

	snprintf(env, sizeof(env), "PROSUM_CACERT='%s' PROSUM_DSN='%s' PROSUM_SPOOL='%s/optin-spool'",
		 f->r.s.cacert, f->r.s.dsn, f->r.s.dir);
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --title 'Zoom resets' --version 1.0 --notify 2>&1",
				env, PROSUM_CLI_PATH),
			 2);
	assert_non_null(strstr(out, "--notify needs --email"));
	/* An address the server would refuse, and the report with it, is refused before it is
	 * queued: the tester corrects it, no report is lost to a typo. */
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --title 'Zoom resets' --version 1.0 "
				"--email 'grace hopper@example.com' --notify 2>&1; %s '%s' queue 2>&1",
				env, PROSUM_CLI_PATH, env, PROSUM_CLI_PATH),
			 0);
	assert_non_null(strstr(out, "not an address prosum mails"));
	assert_non_null(strstr(out, "no queued items"));
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --title 'Zoom resets' --version 1.0 "
				"--email cli@example.com --notify 2>&1",
				env, PROSUM_CLI_PATH),
			 0);
	assert_int_equal(strncmp(out, "R-", 2), 0);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_testers WHERE email = "
					      "'cli@example.com'"),
			 1);
	/* Without --notify the address is for credit alone: never stored for mail. */
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s PROSUM_SPOOL='%s/credit-spool' '%s' report --title 'Pan jumps' "
				"--version 1.0 --email credit@example.com 2>&1",
				env, f->r.s.dir, PROSUM_CLI_PATH),
			 0);
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_testers WHERE email = "
					      "'credit@example.com'"),
			 0);
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s PROSUM_SPOOL='%s/app-spool' '%s' --email app@example.com report "
				"'Export greyed out' 2>&1",
				env, f->r.s.dir, BETA_APP_PATH),
			 0);
	assert_non_null(strstr(out, "sent R-"));
	assert_int_equal(e2e_sql_int(&f->r.s, "SELECT count(*) FROM mail_testers WHERE email = "
					      "'app@example.com'"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mail),
	    cmocka_unit_test(test_tester_api),
	    cmocka_unit_test(test_user_email_command),
	    cmocka_unit_test(test_opt_in_from_cli_and_beta_app),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
