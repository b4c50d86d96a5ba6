/* test_e2e_client_queue.c - what waits in the spool: a mistyped DSN, prosum queue, offline
 * suggestions and votes, prosum_close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "prosum.h"

typedef struct fixture {
	e2e_server s;
	char state[320];   /* XDG_STATE_HOME: one spool per DSN below it */
	char spool_a[320]; /* PROSUM_SPOOL of two installs, for the offline tests */
	char spool_b[320];
	char bad[600]; /* the DSN with its project mistyped */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 1);

	if (!f)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->s.dir);
	snprintf(f->spool_a, sizeof(f->spool_a), "%s/install-a", f->s.dir);
	snprintf(f->spool_b, sizeof(f->spool_b), "%s/install-b", f->s.dir);
	snprintf(f->bad, sizeof(f->bad), "%so", f->s.dsn); /* .../demo -> .../demoo */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

/* `prosum ARGS` with one spool per DSN under f->state (no PROSUM_SPOOL); stdout and stderr. */
static int q(fixture *f, char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int q(fixture *f, char *out, size_t outsz, const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return e2e_sh(out, outsz,
		      "env -u PROSUM_SPOOL XDG_STATE_HOME='%s' PROSUM_CACERT='%s' '%s' %s 2>&1",
		      f->state, f->s.cacert, PROSUM_CLI_PATH, args);
}

/* `prosum ARGS` as the install whose spool is `spool`, with the server's current DSN. */
static int as(fixture *f, char *out, size_t outsz, const char *spool, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int as(fixture *f, char *out, size_t outsz, const char *spool, const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return e2e_sh(out, outsz,
		      "PROSUM_SPOOL='%s' PROSUM_CACERT='%s' PROSUM_DSN='%s' '%s' %s 2>&1", spool,
		      f->s.cacert, f->s.dsn, PROSUM_CLI_PATH, args);
}

/* The one file of `dir` whose name ends with `suffix`, into name; 0 or -1. */
static int only_file(const char *dir, const char *suffix, char *name, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > strlen(suffix) && strcmp(e->d_name + l - strlen(suffix), suffix) == 0 &&
		    strlen(e->d_name) < n) {
			memcpy(name, e->d_name, l + 1);
			found++;
		}
	}
	closedir(d);
	return found == 1 ? 0 : -1;
}

/*
 * A report and a suggestion sent to a mistyped project wait in that DSN's
 * spool, which a flush with the right DSN never reads. The failure says how
 * to move them; prosum queue lists, shows, moves and drops them.
 */
static void test_mistyped_dsn_retarget(void **state)
{
	fixture *f = *state;
	char out[16384], expect[2048], id[16];
	const char *nl;

	assert_int_equal(
	    q(f, out, sizeof(out), "report --dsn '%s' --title lost --version 1.0", f->bad), 1);
	snprintf(expect, sizeof(expect),
		 "prosum: %s/demoo answered 404 not_found: no such project; 1 queued item waits "
		 "in the spool: fix the DSN and run: prosum queue retarget --all --from '%s' --to "
		 "NEW_DSN\n",
		 f->s.url, f->bad);
	assert_string_equal(out, expect);
	assert_int_equal(q(f, out, sizeof(out), "suggest --dsn '%s' --title 'Lost idea'", f->bad),
			 1);
	assert_non_null(strstr(out, "; 2 queued items wait in the spool: fix the DSN and run: "));

	/* The right DSN's flush has nothing of its own, and says what waits elsewhere. */
	assert_int_equal(q(f, out, sizeof(out), "flush --dsn '%s'", f->s.dsn), 0);
	assert_string_equal(out, "sent 0, refused 0\n"
				 "prosum: note: 2 queued items wait for other DSNs: see `prosum "
				 "queue list`\n");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 0);

	assert_int_equal(q(f, out, sizeof(out), "queue"), 0);
	assert_int_equal(strncmp(out, "ID        KIND        AGE    ATTEMPTS  TARGET", 45), 0);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	memcpy(id, nl + 1, 8);
	id[8] = '\0';
	assert_non_null(strstr(out, "  bug         "));
	assert_non_null(strstr(out, "  suggestion  "));
	assert_non_null(strstr(out, f->bad));
	assert_non_null(strstr(out, "  lost\n          last error: server refused the DSN: 404 "
				    "not_found: no such project\n"));
	assert_non_null(strstr(out, "  Lost idea\n"));

	assert_int_equal(q(f, out, sizeof(out), "queue show %s", id), 0);
	assert_non_null(strstr(out, "kind:        bug\n"));
	/* Tried by the report command, then again (first in line) by the suggest command. */
	assert_non_null(strstr(out, "attempts:    2\n"));
	assert_non_null(strstr(out, "\"title\": \"lost\""));
	snprintf(expect, sizeof(expect), "target:      %s\n", f->bad);
	assert_non_null(strstr(out, expect));
	assert_int_equal(q(f, out, sizeof(out), "queue show zzzz"), 1);
	assert_string_equal(out, "prosum: no queued item zzzz: see prosum queue list\n");
	assert_int_equal(q(f, out, sizeof(out), "queue retarget --to '%s'", f->s.dsn), 2);

	assert_int_equal(
	    q(f, out, sizeof(out), "queue retarget --all --from '%s' --to '%s'", f->bad, f->s.dsn),
	    0);
	snprintf(expect, sizeof(expect),
		 "2 items now go to %s\nsend them with: prosum flush --dsn '%s'\n", f->s.dsn,
		 f->s.dsn);
	assert_string_equal(out, expect);
	assert_int_equal(q(f, out, sizeof(out), "flush --dsn '%s'", f->s.dsn), 0);
	assert_int_equal(strncmp(out, "R-1 (uuid ", 10), 0);
	assert_non_null(strstr(out, ")\nS-1 (uuid "));
	assert_non_null(strstr(out, ")\nsent 2, refused 0\n"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE title = 'lost'"),
			 1);
	assert_int_equal(
	    e2e_sql_int(&f->s, "SELECT count(*) FROM suggestions WHERE title = 'Lost idea'"), 1);
	assert_int_equal(q(f, out, sizeof(out), "queue list"), 0);
	assert_string_equal(out, "no queued items\n");

	/* Drop: gone without being sent. */
	assert_int_equal(
	    q(f, out, sizeof(out), "report --dsn '%s' --title dropped --version 1.0", f->bad), 1);
	assert_int_equal(q(f, out, sizeof(out), "queue drop"), 2);
	assert_int_equal(q(f, out, sizeof(out), "queue drop --all --from '%s'", f->bad), 0);
	assert_string_equal(out, "dropped 1 item\n");
	assert_int_equal(q(f, out, sizeof(out), "queue"), 0);
	assert_string_equal(out, "no queued items\n");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE title = 'dropped'"),
			 0);

	/* A wrong key (401): the same hint; the right DSN's flush then delivers it. */
	snprintf(expect, sizeof(expect), "https://wrongkey@%s/demo", f->s.url + 8);
	assert_int_equal(
	    q(f, out, sizeof(out), "report --dsn '%s' --title keyed --version 1.0", expect), 1);
	assert_non_null(strstr(out, "/demo answered 401 unauthorized: unknown or revoked ingest "
				    "key; 1 queued item waits in the spool"));
	assert_int_equal(
	    q(f, out, sizeof(out), "queue retarget --all --from '%s' --to '%s'", expect, f->s.dsn),
	    0);
	assert_int_equal(strncmp(out, "1 item now goes to ", 19), 0);
	assert_int_equal(q(f, out, sizeof(out), "flush --dsn '%s'", f->s.dsn), 0);
	assert_non_null(strstr(out, ")\nsent 1, refused 0\n"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE title = 'keyed'"),
			 1);
}

/*
 * With the server down, a suggestion and a vote wait in the spool like
 * reports; once it is up, flush delivers each once, and a copy sent again
 * (an answer lost on the way) changes nothing.
 */
static void test_offline_suggest_vote(void **state)
{
	fixture *f = *state;
	char out[8192], name[256], from[700], copy[700], spool_c[400];

	assert_int_equal(e2e_stop(&f->s), 0);
	assert_int_equal(as(f, out, sizeof(out), f->spool_a,
			    "suggest --title 'Offline idea' "
			    "--timeout 3000"),
			 0);
	assert_non_null(strstr(out, "prosum: suggestion queued (server unreachable): will be sent "
				    "by `prosum flush`"));
	assert_int_equal(as(f, out, sizeof(out), f->spool_b, "vote S-1 --timeout 3000"), 0);
	assert_non_null(strstr(out, "prosum: vote queued (server unreachable)"));
	/* Behind a report queued earlier, the note names the server, not the report endpoint
	 * (the flush stops at the first item, the report). This install is never flushed. */
	snprintf(spool_c, sizeof(spool_c), "%s/install-c", f->s.dir);
	assert_int_equal(as(f, out, sizeof(out), spool_c,
			    "report --title 'Offline bug' --version 1.0 --timeout 3000"),
			 0);
	assert_int_equal(
	    as(f, out, sizeof(out), spool_c, "suggest --title 'Idea behind a bug' --timeout 3000"),
	    0);
	assert_non_null(strstr(out, "prosum: suggestion queued (server unreachable): will be sent "
				    "by `prosum flush` (cannot reach https://127.0.0.1:"));
	assert_null(strstr(out, "/reports"));
	assert_int_equal(as(f, out, sizeof(out), spool_c, "vote S-1 --timeout 3000"), 0);
	assert_non_null(strstr(out, "(cannot reach https://127.0.0.1:"));
	assert_null(strstr(out, "/api/v1/"));
	assert_int_equal(e2e_count_files(f->spool_a, ".suggestion"), 1);
	assert_int_equal(e2e_count_files(f->spool_b, ".vote"), 1);
	/* Keep copies, to send them again later as a retry after a lost answer would. */
	assert_int_equal(only_file(f->spool_a, ".suggestion", name, sizeof(name)), 0);
	snprintf(from, sizeof(from), "%s/%s", f->spool_a, name);
	snprintf(copy, sizeof(copy), "%s/suggestion.copy", f->s.dir);
	assert_int_equal(e2e_sh(out, sizeof(out), "cp '%s' '%s'", from, copy), 0);

	assert_int_equal(e2e_start(&f->s, NULL), 0);
	assert_int_equal(as(f, out, sizeof(out), f->spool_a, "flush"), 0);
	assert_int_equal(strncmp(out, "S-1 (uuid ", 10), 0);
	assert_non_null(strstr(out, ")\nsent 1, refused 0\n"));
	assert_int_equal(as(f, out, sizeof(out), f->spool_b, "flush"), 0);
	assert_string_equal(out, "vote S-1: counted\nsent 1, refused 0\n");
	assert_int_equal(e2e_count_files(f->spool_a, ".suggestion"), 0);
	assert_int_equal(e2e_count_files(f->spool_b, ".vote"), 0);
	/* The suggester's own vote and the other install's. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT votes FROM suggestions WHERE num = 1"), 2);

	/* Sent twice, stored once. */
	assert_int_equal(e2e_sh(out, sizeof(out), "cp '%s' '%s'", copy, from), 0);
	assert_int_equal(as(f, out, sizeof(out), f->spool_a, "flush"), 0);
	assert_non_null(strstr(out, ") already there\nsent 1, refused 0\n"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM suggestions"), 1);
	assert_int_equal(as(f, out, sizeof(out), f->spool_b, "vote S-1"), 0);
	assert_string_equal(out, "S-1: 2 votes; your vote was already counted (one per install)\n");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT votes FROM suggestions WHERE num = 1"), 2);
}

/* --severity takes the server's values only; PROSUM_VERSION and PROSUM_REVISION are defaults. */
static void test_report_values(void **state)
{
	fixture *f = *state;
	char out[4096], text[64];

	assert_int_equal(
	    as(f, out, sizeof(out), f->spool_a, "report --title t --version 1.0 --severity urgent"),
	    2);
	assert_string_equal(out, "prosum: --severity must be one of: critical, major, minor, "
				 "trivial (not \"urgent\") (see prosum report --help)\n");
	assert_int_equal(e2e_sh(out, sizeof(out),
				"PROSUM_VERSION=2.0-beta.1 PROSUM_REVISION=HEAD PROSUM_SPOOL='%s' "
				"PROSUM_CACERT='%s' PROSUM_DSN='%s' '%s' report --title envy "
				"--severity minor",
				f->spool_a, f->s.cacert, f->s.dsn, PROSUM_CLI_PATH),
			 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(e2e_sql_text(&f->s, "SELECT version FROM reports WHERE title = 'envy'",
				      text, sizeof(text)),
			 0);
	assert_string_equal(text, "2.0-beta.1");
	assert_int_equal(e2e_sql_text(&f->s, "SELECT severity FROM reports WHERE title = 'envy'",
				      text, sizeof(text)),
			 0);
	assert_string_equal(text, "minor");
	/* The flag wins over the environment. */
	assert_int_equal(e2e_sh(out, sizeof(out),
				"PROSUM_VERSION=2.0-beta.1 PROSUM_SPOOL='%s' PROSUM_CACERT='%s' "
				"PROSUM_DSN='%s' '%s' report --title flagged --version 3.0",
				f->spool_a, f->s.cacert, f->s.dsn, PROSUM_CLI_PATH),
			 0);
	assert_int_equal(e2e_sql_text(&f->s, "SELECT version FROM reports WHERE title = 'flagged'",
				      text, sizeof(text)),
			 0);
	assert_string_equal(text, "3.0");
}

static prosum_client *client(fixture *f, const char *spool, long close_wait_ms)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;

	o.flags = PROSUM_NO_ENV;
	o.ca_file = f->s.cacert;
	o.spool_dir = spool;
	o.app_version = "1.0";
	if (close_wait_ms >= 0)
		o.close_wait_ms = close_wait_ms;
	if (prosum_client_new(&c, f->s.dsn, &o) != 0)
		return NULL;
	return c;
}

static void submit(prosum_client *c, const char *title)
{
	prosum_report *r = NULL;

	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, title), 0);
	assert_int_equal(prosum_submit(c, r), 0);
	prosum_report_free(r);
}

/*
 * A program that submits and closes at once delivers (prosum_close waits,
 * 2 s by default); with the server down the report stays for the next start.
 */
static void test_close_delivers(void **state)
{
	fixture *f = *state;
	prosum_client *c;
	long long start;

	for (int i = 0; i < 3; i++) {
		char title[32];
		c = client(f, f->spool_a, -1);
		assert_non_null(c);
		snprintf(title, sizeof(title), "closing %d", i);
		submit(c, title);
		prosum_close(c);
	}
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE title LIKE "
					    "'closing %'"),
			 3);
	assert_int_equal(e2e_count_files(f->spool_a, ".report"), 0);

	/* A suggestion queued with the API is delivered at close as well. */
	c = client(f, f->spool_a, -1);
	assert_non_null(c);
	assert_int_equal(prosum_suggestion_submit(NULL, c, "From the API", NULL, NULL), 0);
	prosum_close(c);
	assert_int_equal(
	    e2e_sql_int(&f->s, "SELECT count(*) FROM suggestions WHERE title = 'From the API'"), 1);

	assert_int_equal(e2e_stop(&f->s), 0);
	c = client(f, f->spool_b, -1);
	assert_non_null(c);
	submit(c, "kept");
	start = e2e_now_ms();
	prosum_close(c);
	/* Bounded by the wait (2 s); generous for a loaded machine, far below "forever". */
	assert_true(e2e_now_ms() - start < 30000);
	assert_int_equal(e2e_count_files(f->spool_b, ".report"), 1);
	assert_int_equal(e2e_start(&f->s, NULL), 0);
	/* The next start delivers it. */
	c = client(f, f->spool_b, -1);
	assert_non_null(c);
	assert_int_equal(prosum_flush(c, 60000), 0);
	prosum_close(c);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE title = 'kept'"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_mistyped_dsn_retarget, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_offline_suggest_vote, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_delivers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
