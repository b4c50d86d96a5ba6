/* test_e2e_cli.c - the prosum command against a real prosumd: suggestions, votes, triage, releases,
 * exports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <mbedtls/base64.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

typedef e2e_testers_fixture fixture;

static int setup(void **state)
{
	return e2e_testers_setup(state);
}

static int teardown(void **state)
{
	return e2e_testers_teardown(state);
}

/* Run `prosum ARGS` as the tester whose install lives in `spool`; stdout in out. Exit status. */
static int run(fixture *f, char *out, size_t outsz, const char *spool, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int run(fixture *f, char *out, size_t outsz, const char *spool, const char *fmt, ...)
{
	char env[2400];
	va_list ap;
	int rc;

	snprintf(env, sizeof(env), "%s PROSUM_SPOOL='%s'", f->env, spool);
	va_start(ap, fmt);
	rc = e2e_vcli(out, outsz, env, fmt, ap);
	va_end(ap);
	return rc;
}

/* The line of `out` that starts with `start`, copied into line; 0 or -1. */
static int line_of(const char *out, const char *start, char *line, size_t n)
{
	const char *p = out;
	size_t len;

	while (p && *p) {
		if (strncmp(p, start, strlen(start)) == 0) {
			len = strcspn(p, "\n");
			if (len >= n)
				return -1;
			memcpy(line, p, len);
			line[len] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/*
 * Check one row of a table: its cells, split on runs of two or more spaces,
 * are `cells` (NULL: any), and each cell starts under its column's header.
 */
static void assert_row(const char *out, const char *const *cells, size_t ncols)
{
	char header[1024], row[1024];
	size_t col = 0, i = 0;

	assert_int_equal(line_of(out, "ID  ", header, sizeof(header)) == 0 ||
			     line_of(out, "NAME  ", header, sizeof(header)) == 0,
			 1);
	assert_int_equal(line_of(out, cells[0], row, sizeof(row)), 0);
	while (col < ncols) {
		size_t start = i, len;
		while (row[i] && !(row[i] == ' ' && row[i + 1] == ' '))
			i++;
		len = i - start;
		/* Columns line up: the header's column starts where the cell starts. */
		assert_true(start < strlen(header));
		assert_true(start == 0 || (header[start - 1] == ' ' && header[start] != ' '));
		if (cells[col]) {
			if (len != strlen(cells[col]) || strncmp(row + start, cells[col], len) != 0)
				fail_msg("row \"%s\": column %zu is not \"%s\"", row, col,
					 cells[col]);
		}
		col++;
		while (row[i] == ' ')
			i++;
		if (!row[i])
			break;
	}
	assert_int_equal(col, ncols);
}

/* One line of stderr only: "prosum: ..." and a newline, nothing else. */
static void assert_one_line(const char *err)
{
	assert_int_equal(strncmp(err, "prosum: ", 8), 0);
	assert_non_null(strchr(err, '\n'));
	assert_int_equal(strchr(err, '\n')[1], '\0');
}

/*
 * Two testers suggest and vote; one vote per install, withdrawn and given
 * again; a duplicate is merged without counting anyone twice.
 */
static void test_suggest_vote_duplicate(void **state)
{
	fixture *f = *state;
	const char *a = f->spool_a, *b = f->spool_b;
	char out[8192];
	json_t *doc;

	assert_int_equal(run(f, out, sizeof(out), a,
			     "suggest --title 'Dark mode' --body 'Easier at night' --name Ada"),
			 0);
	assert_string_equal(out, "S-1\n");
	/* The name was sent because the tester gave it; the install id is the spool's. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM suggestions WHERE num = 1 AND "
					    "tester_name = 'Ada' AND install_id IS NOT NULL"),
			 1);
	/* Suggesting is voting: the suggester's own vote does not count twice. */
	assert_int_equal(run(f, out, sizeof(out), a, "vote S-1"), 0);
	assert_string_equal(out, "S-1: 1 vote; your vote was already counted (one per install)\n");
	assert_int_equal(run(f, out, sizeof(out), b, "vote S-1"), 0);
	assert_string_equal(out, "S-1: 2 votes; your vote counted\n");
	/* Once per install, however often it asks; the answer says it did not count. */
	assert_int_equal(run(f, out, sizeof(out), b, "vote S-1 --json"), 0);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(doc, "votes")), 2);
	assert_true(json_is_false(json_object_get(doc, "counted")));
	json_decref(doc);
	/* Nothing stays queued once the server answered. */
	assert_int_equal(e2e_count_files(a, ".vote"), 0);
	assert_int_equal(e2e_count_files(b, ".vote"), 0);
	assert_int_equal(e2e_count_files(a, ".suggestion"), 0);

	assert_int_equal(run(f, out, sizeof(out), b, "suggest --title 'A night theme'"), 0);
	assert_string_equal(out, "S-2\n");
	assert_int_equal(run(f, out, sizeof(out), b, "vote S-2"), 0);
	assert_string_equal(out, "S-2: 1 vote; your vote was already counted (one per install)\n");
	assert_int_equal(run(f, out, sizeof(out), a, "vote S-2"), 0);
	assert_string_equal(out, "S-2: 2 votes; your vote counted\n");
	assert_int_equal(run(f, out, sizeof(out), a, "vote S-2 --withdraw"), 0);
	assert_string_equal(out, "S-2: 1 vote; your vote withdrawn\n");
	assert_int_equal(run(f, out, sizeof(out), a, "vote S-2 --withdraw"), 0);
	assert_string_equal(out, "S-2: 1 vote; this install had no vote to withdraw\n");
	assert_int_equal(run(f, out, sizeof(out), a, "vote S-2"), 0);
	assert_string_equal(out, "S-2: 2 votes; your vote counted\n");
	/* Two installs, two distinct ids. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(DISTINCT install_id) FROM votes"), 2);

	assert_int_equal(run(f, out, sizeof(out), a, "suggestions"), 0);
	/* Most votes first; the newer first among equals. */
	assert_string_equal(out, "ID   STATUS  VOTES  SHIPPED IN  TITLE\n"
				 "S-2  new     2      -           A night theme\n"
				 "S-1  new     2      -           Dark mode\n");

	/* The same idea twice: merged, and both testers voted for both, so still 2. */
	assert_int_equal(run(f, out, sizeof(out), a, "set S-2 --duplicate-of S-1"), 0);
	assert_string_equal(out, "duplicate\n");
	assert_int_equal(run(f, out, sizeof(out), a, "suggestions"), 0);
	assert_string_equal(out, "ID   STATUS  VOTES  SHIPPED IN  TITLE\n"
				 "S-1  new     2      -           Dark mode\n");
	assert_int_equal(run(f, out, sizeof(out), a, "suggestions --status duplicate"), 0);
	assert_string_equal(out, "ID   STATUS     VOTES  SHIPPED IN  TITLE\n"
				 "S-2  duplicate  2      -           A night theme\n");
	assert_int_equal(run(f, out, sizeof(out), a, "suggestions --q night --sort newest --json"),
			 0);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_true(json_is_array(json_object_get(doc, "items")));
	json_decref(doc);

	assert_int_equal(run(f, out, sizeof(out), a, "show S-1"), 0);
	assert_int_equal(strncmp(out, "S-1  new  2 votes\n", 18), 0);
	assert_non_null(strstr(out, "title:       Dark mode\n"));
	assert_non_null(strstr(out, "body:\n  Easier at night\n"));
	assert_int_equal(run(f, out, sizeof(out), a, "show S-2"), 0);
	assert_non_null(strstr(out, "duplicate of: S-1\n"));
	assert_non_null(strstr(out, "history:\n"));
	assert_non_null(strstr(out, "  admin  duplicate_of: - -> S-1\n"));

	/* Mistakes: usage (2) before any request, the server's reason (1) after. */
	assert_int_equal(run(f, out, sizeof(out), a, "vote G-1 2>&1"), 2);
	assert_string_equal(out, "prosum: vote takes a suggestion id such as S-4, not \"G-1\" "
				 "(see prosum vote --help)\n");
	assert_int_equal(run(f, out, sizeof(out), a, "suggest 2>&1"), 2);
	assert_string_equal(out, "prosum: give --title (see prosum suggest --help)\n");
	assert_int_equal(run(f, out, sizeof(out), a, "vote S-9 2>&1"), 1);
	assert_one_line(out);
	assert_string_equal(out, "prosum: the server refused the vote: 404 not_found: no such "
				 "suggestion in this project\n");
	/* A vote for a suggestion the server does not have is not kept to be sent again. */
	assert_int_equal(e2e_count_files(a, ".vote"), 0);
	assert_int_equal(run(f, out, sizeof(out), a, "set S-1 --merge-into G-1 2>&1"), 2);
	assert_int_equal(run(f, out, sizeof(out), a, "set S-1 2>&1"), 2);
	assert_string_equal(out, "prosum: set: nothing to change: give --status, --comment or "
				 "another change (see prosum set --help)\n");
}

/* Reports from two testers make groups; the table, changes, a refused move, and show. */
static void test_groups_and_set(void **state)
{
	fixture *f = *state;
	const char *a = f->spool_a, *b = f->spool_b;
	char out[8192];

	assert_int_equal(run(f, out, sizeof(out), a,
			     "report --kind bug --title 'Save button does nothing' --version 1.0"),
			 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(run(f, out, sizeof(out), b,
			     "report --kind bug --title 'Save button does nothing' --version 1.0"),
			 0);
	assert_string_equal(out, "R-2\n");
	assert_int_equal(
	    run(f, out, sizeof(out), a,
		"report --kind crash --title 'Crash when opening a PNG' --version 1.1"),
	    0);
	assert_string_equal(out, "R-3\n");

	assert_int_equal(run(f, out, sizeof(out), a, "groups"), 0);
	assert_int_equal(
	    strncmp(out,
		    "ID   STATUS  KIND   COUNT  TESTERS  LAST SEEN  FIXED IN  ASSIGNEE  "
		    "TITLE\n",
		    73),
	    0);
	{
		const char *g1[] = {
		    "G-1", "new", "bug", "2", "2", NULL, "-", "-", "Save button does nothing"};
		const char *g2[] = {
		    "G-2", "new", "crash", "1", "1", NULL, "-", "-", "Crash when opening a PNG"};
		assert_row(out, g1, 9);
		assert_row(out, g2, 9);
	}
	/* Newest first by default; most reports first when asked. */
	assert_true(strstr(out, "G-2 ") < strstr(out, "G-1 "));
	assert_int_equal(run(f, out, sizeof(out), a, "groups --sort count"), 0);
	assert_true(strstr(out, "G-1 ") < strstr(out, "G-2 "));
	assert_int_equal(run(f, out, sizeof(out), a, "groups --kind crash --since 1h"), 0);
	assert_null(strstr(out, "G-1 "));
	assert_non_null(strstr(out, "G-2 "));
	assert_int_equal(run(f, out, sizeof(out), a, "groups --sort loudest 2>&1"), 2);

	assert_int_equal(run(f, out, sizeof(out), a, "set G-1 --status triaged"), 0);
	assert_string_equal(out, "triaged\n");
	/* regressed is prosum's to set: refused with the server's reason, nothing changed. */
	assert_int_equal(run(f, out, sizeof(out), a, "set G-1 --status regressed 2>&1"), 1);
	assert_one_line(out);
	assert_int_equal(strncmp(out, "prosum: PATCH https://127.0.0.1:", 32), 0);
	assert_non_null(strstr(out, "/api/v1/projects/demo/groups/G-1: 409 conflict: "));
	assert_non_null(strstr(out, " (field status)\n"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM groups WHERE status = 'triaged'"),
			 1);
	/* An assignee is a person who may see the project. */
	assert_int_equal(e2e_prosumd_secret(&f->s, "user add ada --role developer", out, sizeof(out)),
			 0);
	assert_int_equal(
	    run(f, out, sizeof(out), a, "set G-1 --comment 'Looking into it' --assignee ada"), 0);
	assert_string_equal(out, "triaged\n");

	assert_int_equal(run(f, out, sizeof(out), a, "show G-1"), 0);
	assert_int_equal(strncmp(out, "G-1  triaged  bug  2 reports from 2 testers\n", 44), 0);
	assert_non_null(strstr(out, "title:       Save button does nothing\n"));
	assert_non_null(strstr(out, "first seen:  "));
	/* The reports gave a version only: the header says build, the table no revision. */
	{
		const char *first = strstr(out, "first seen:  ");
		const char *end = first ? strchr(first, '\n') : NULL;
		assert_non_null(end);
		assert_int_equal(strncmp(end - 11, ", build 1.0", 11), 0);
		assert_null(memmem(first, (size_t)(end - first), "revision", 8));
		assert_non_null(strstr(out, "ID   RECEIVED  VERSION  REVISION  PLATFORM"));
	}
	assert_non_null(strstr(out, "assignee:    ada\n"));
	assert_non_null(strstr(out, "versions:    1.0 (2)\n"));
	assert_non_null(strstr(out, "comments:\n  admin ("));
	assert_non_null(strstr(out, "): Looking into it\n"));
	assert_non_null(strstr(out, "history:\n"));
	assert_non_null(strstr(out, "  admin  status: new -> triaged\n"));
	assert_non_null(strstr(out, "  admin  assignee: - -> ada\n"));

	/* A report: its own workflow; a move out of wontfix to fixed is not one. */
	assert_int_equal(
	    run(f, out, sizeof(out), a, "set R-3 --status wontfix --comment 'By design'"), 0);
	assert_string_equal(out, "wontfix\n");
	assert_int_equal(run(f, out, sizeof(out), a, "set R-3 --status fixed 2>&1"), 1);
	assert_one_line(out);
	assert_non_null(strstr(out, "/reports/R-3: 409 conflict: "));
	assert_int_equal(run(f, out, sizeof(out), a, "show R-3"), 0);
	assert_int_equal(strncmp(out, "R-3  crash  wontfix  group G-2\n", 31), 0);
	assert_non_null(strstr(out, "): By design\n"));
	assert_non_null(strstr(out, "  admin  status: new -> wontfix\n"));
	/* An unknown fixing commit: 422 with the field. */
	assert_int_equal(run(f, out, sizeof(out), a, "set R-1 --fixed-by 0123456789abcdef 2>&1"),
			 1);
	assert_one_line(out);
	assert_non_null(strstr(out, ": 422 invalid_request: "));
	assert_non_null(strstr(out, "(field fixed_by)\n"));

	/* Merging moves the reports into the target group. */
	assert_int_equal(run(f, out, sizeof(out), a, "set G-2 --merge-into G-1"), 0);
	assert_int_equal(run(f, out, sizeof(out), a, "groups"), 0);
	{
		const char *g1[] = {"G-1", "triaged", "bug",
				    "3",   "2",       NULL,
				    "-",   "ada",     "Save button does nothing"};
		assert_row(out, g1, 9);
	}
	assert_int_equal(run(f, out, sizeof(out), a, "set R-1 --merge-into G-1 2>&1"), 2);
	assert_string_equal(out,
			    "prosum: --merge-into is for groups (G-n) (see prosum set --help)\n");
}

/* The first whole number in `s` after `after`, or -1. */
static long number_after(const char *s, const char *after)
{
	const char *p = strstr(s, after);

	if (!p)
		return -1;
	p += strlen(after);
	return strtol(p, NULL, 10);
}

/*
 * A release that implements a suggestion and fixes a group: sync links the
 * commit, the release shows and credits it, the notes say so, and the
 * tester's own view says where it shipped.
 */
static void test_release_sync_notes_mine(void **state)
{
	fixture *f = *state;
	const char *a = f->spool_a, *b = f->spool_b;
	char out[16384], commit[64], expect[256];

	assert_int_equal(run(f, out, sizeof(out), a, "suggest --title 'Dark mode' --name Ada"), 0);
	assert_string_equal(out, "S-1\n");
	assert_int_equal(run(f, out, sizeof(out), b, "vote S-1"), 0);
	assert_string_equal(out, "S-1: 2 votes; your vote counted\n");
	/* The tester's build is 0.9, a release prosum knows: it can tell the fix is news. */
	assert_int_equal(e2e_sh(NULL, 0, "git -C '%s' tag v0.9", f->s.repo), 0);
	assert_int_equal(run(f, out, sizeof(out), a, "release add 0.9 --ref v0.9"), 0);
	assert_int_equal(run(f, out, sizeof(out), a,
			     "report --kind bug --title 'Crash on save' --version 0.9 --name Ada"),
			 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(e2e_sh(NULL, 0,
				"set -e; cd '%s'; echo '/* dark */' >> main.c; "
				"git commit -q -am 'Dark mode for the editor' -m 'Implements S-1' "
				"-m 'Fixes G-1'; git tag v1.0",
				f->s.repo),
			 0);
	assert_int_equal(e2e_sh(commit, sizeof(commit), "git -C '%s' rev-parse v1.0", f->s.repo),
			 0);
	commit[12] = '\0';

	assert_int_equal(run(f, out, sizeof(out), a, "release add 1.0 --ref v1.0"), 0);
	snprintf(expect, sizeof(expect), "release 1.0: v1.0 at commit %s\n", commit);
	assert_string_equal(out, expect);
	assert_int_equal(run(f, out, sizeof(out), a, "sync"), 0);
	assert_true(number_after(out, "") >= 1);
	assert_non_null(strstr(out, " new commits, 2 links, "));
	assert_non_null(strstr(out, " revisions resolved\n"));
	/* Registering the same name twice: the server's 409 and its field. */
	assert_int_equal(run(f, out, sizeof(out), a, "release add 1.0 --ref v1.0 2>&1"), 1);
	assert_one_line(out);
	assert_non_null(strstr(out, "/releases: 409 conflict: "));
	assert_non_null(strstr(out, "(field name)\n"));

	assert_int_equal(run(f, out, sizeof(out), a, "release show 1.0"), 0);
	snprintf(expect, sizeof(expect), "release 1.0  ref v1.0  commit %s\n", commit);
	assert_int_equal(strncmp(out, expect, strlen(expect)), 0);
	assert_non_null(strstr(out,
			       "shipped suggestions:\n"
			       "  S-1  Dark mode  2 votes  (suggested by Ada; 1 more voter)\n"));
	snprintf(expect, sizeof(expect),
		 "fixed groups:\n  G-1  Crash on save  1 report, 1 tester  (fixed by %s)\n",
		 commit);
	assert_non_null(strstr(out, expect));
	assert_non_null(strstr(out, "contributors:\n  Ada  1 suggestion, 1 fixed report\n"));

	assert_int_equal(run(f, out, sizeof(out), a, "release show 1.0 --notes"), 0);
	assert_int_equal(strncmp(out, "# Release 1.0\n", 14), 0);
	assert_non_null(strstr(out, "Dark mode"));
	assert_non_null(strstr(out, "S-1"));
	assert_non_null(strstr(out, "Ada"));

	assert_int_equal(run(f, out, sizeof(out), a, "release list"), 0);
	assert_int_equal(
	    strncmp(out, "NAME  REF   COMMIT        SHIPPED  GROUPS  FIXED  REGISTERED\n", 61), 0);
	{
		const char *r[] = {"1.0", "v1.0", commit, "1", "1", NULL, NULL};
		assert_row(out, r, 7);
	}
	assert_int_equal(run(f, out, sizeof(out), a, "release show 9.9 2>&1"), 1);
	assert_non_null(strstr(out, "/releases/9.9: 404 not_found: "));

	/* The tester's own view: shipped in, fixed in, and what the team said. */
	assert_int_equal(run(f, out, sizeof(out), a, "set R-1 --comment 'Thanks, fixed in 1.0'"),
			 0);
	assert_int_equal(run(f, out, sizeof(out), a, "mine"), 0);
	assert_non_null(strstr(out, "reports:\n  R-1    fixed        Crash on save\n"
				    "         no one else saw this yet; fixed in 1.0\n"
				    "         team ("));
	assert_non_null(strstr(out, "): Thanks, fixed in 1.0\n"));
	assert_non_null(strstr(out, "suggestions:\n  S-1    shipped      Dark mode\n"
				    "         2 votes; shipped in 1.0\n"));
	/* Tester B voted for S-1 and sees it; B sent no report. */
	assert_int_equal(run(f, out, sizeof(out), b, "mine --since 1h"), 0);
	assert_string_equal(out, "reports:\n  none\n"
				 "suggestions:\n  S-1    shipped      Dark mode\n"
				 "         2 votes; shipped in 1.0\n");
	assert_int_equal(run(f, out, sizeof(out), a, "mine --since 2099-01-01T00:00:00Z"), 0);
	assert_string_equal(out, "reports:\n  none\nsuggestions:\n  none\n");
	assert_int_equal(run(f, out, sizeof(out), a, "mine --since yesterday 2>&1"), 2);
}

/* Filters, search, paging and the CSV and JSON-lines exports. */
static void test_reports_filters_export(void **state)
{
	fixture *f = *state;
	const char *a = f->spool_a;
	const char *csv_head =
	    "id,group,kind,status,title,received_at,version,revision,severity,platform,assignee,"
	    "cohort\r\n"
	    "\"R-1\",\"G-1\",\"bug\",\"new\",\"Save button does nothing\",";
	char out[16384], cursor[128], line[1024];
	json_t *doc;

	assert_int_equal(run(f, out, sizeof(out), a,
			     "report --kind bug --title 'Save button does nothing' --version 1.0 "
			     "--tag gpu=intel"),
			 0);
	assert_int_equal(run(f, out, sizeof(out), a,
			     "report --kind crash --title 'Crash when opening a PNG' --version 1.1 "
			     "--tag gpu=amd --description 'The palette is empty'"),
			 0);
	assert_int_equal(run(f, out, sizeof(out), a,
			     "report --kind feedback --title 'Lovely icons' --version 1.1"),
			 0);
	assert_string_equal(out, "R-3\n");

	/* Full-text search. */
	assert_int_equal(run(f, out, sizeof(out), a, "reports --q save"), 0);
	assert_non_null(strstr(out, "R-1  G-1    bug   new     1.0      "));
	assert_null(strstr(out, "R-2"));
	assert_null(strstr(out, "R-3"));
	assert_int_equal(run(f, out, sizeof(out), a, "reports --q palette --kind crash"), 0);
	assert_non_null(strstr(out, "R-2 "));
	assert_null(strstr(out, "R-1 "));
	/* Tags, versions, order. */
	assert_int_equal(run(f, out, sizeof(out), a, "reports --tag gpu:amd"), 0);
	assert_non_null(strstr(out, "R-2 "));
	assert_null(strstr(out, "R-1 "));
	assert_int_equal(run(f, out, sizeof(out), a, "reports --version 1.1 --sort oldest"), 0);
	assert_null(strstr(out, "R-1 "));
	assert_true(strstr(out, "R-2 ") < strstr(out, "R-3 "));
	assert_int_equal(
	    run(f, out, sizeof(out), a,
		"reports --status new --platform Linux --since 1d --until 2099-01-01T00:00:00Z"),
	    0);
	assert_non_null(strstr(out, "R-3 "));
	assert_int_equal(run(f, out, sizeof(out), a, "reports --since 2099-01-01T00:00:00Z"), 0);
	assert_string_equal(out, "ID  GROUP  KIND  STATUS  VERSION  AGE  TITLE\n");
	assert_int_equal(run(f, out, sizeof(out), a, "reports --group G-2"), 0);
	assert_non_null(strstr(out, "R-2 "));
	assert_null(strstr(out, "R-3 "));

	/* Paging: one at a time, the cursor on stderr. */
	assert_int_equal(run(f, out, sizeof(out), a, "reports --limit 1 2>&1"), 0);
	assert_non_null(strstr(out, "R-3 "));
	assert_int_equal(line_of(out, "more: --cursor ", line, sizeof(line)), 0);
	assert_true(strlen(line + 15) < sizeof(cursor));
	memcpy(cursor, line + 15, strlen(line + 15) + 1);
	assert_int_equal(
	    run(f, out, sizeof(out), a, "reports --limit 1 --cursor '%s' 2>/dev/null", cursor), 0);
	assert_non_null(strstr(out, "R-2 "));
	assert_null(strstr(out, "R-3 "));

	/* --json: the answer as the server gave it. */
	assert_int_equal(run(f, out, sizeof(out), a, "reports --json"), 0);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "items")), 3);
	json_decref(doc);

	/* Exports stream the whole filtered set, oldest first. */
	assert_int_equal(run(f, out, sizeof(out), a, "reports --format csv"), 0);
	assert_int_equal(strncmp(out, csv_head, strlen(csv_head)), 0);
	assert_non_null(strstr(out, "\r\n\"R-2\",\"G-2\",\"crash\","));
	assert_non_null(strstr(out, "\r\n\"R-3\",\"G-3\",\"feedback\","));
	assert_int_equal(run(f, out, sizeof(out), a, "reports --format jsonl --kind crash"), 0);
	assert_int_equal(strchr(out, '\n')[1], '\0'); /* one line */
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "id")), "R-2");
	json_decref(doc);
	assert_int_equal(run(f, out, sizeof(out), a, "reports --format csv --limit 5 2>&1"), 2);
	/* A search exports only its matches. */
	assert_int_equal(run(f, out, sizeof(out), a, "reports --format jsonl --q zzznomatch"), 0);
	assert_int_equal(out[0], '\0');
	assert_int_equal(run(f, out, sizeof(out), a, "reports --format jsonl --q save"), 0);
	assert_non_null(strchr(out, '\n'));
	assert_int_equal(strchr(out, '\n')[1], '\0'); /* the one match */
	assert_int_equal(run(f, out, sizeof(out), a, "reports --format xml 2>&1"), 2);
	assert_int_equal(run(f, out, sizeof(out), a, "reports --tag gpu 2>&1"), 2);
}

/* --pin and PROSUM_PIN: the pin alone vouches for the self-signed server; a wrong one does not. */
static void test_pin(void **state)
{
	fixture *f = *state;
	const char *wrong = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	char pin[128], out[4096], env[2048];

	e2e_server_pin(&f->s, pin, sizeof(pin));
	/* No CA at all in these command lines. */
	snprintf(env, sizeof(env),
		 "PROSUM_SPOOL='%s' PROSUM_SERVER='%s' PROSUM_TOKEN='%s' PROSUM_DSN='%s'",
		 f->spool_a, f->s.url, f->s.token, f->s.dsn);
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --title pinned --version 1.0 --pin '%s'", env,
				PROSUM_CLI_PATH, pin),
			 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --title unpinned --version 1.0 --pin '%s' 2>&1",
				env, PROSUM_CLI_PATH, wrong),
			 1);
	assert_one_line(out);
	assert_non_null(strstr(out, "TLS failed"));
	assert_non_null(strstr(out, "fix --cacert or --pin"));
	assert_int_equal(e2e_sh(out, sizeof(out), "%s PROSUM_PIN='%s' '%s' flush 2>&1", env, pin,
				PROSUM_CLI_PATH),
			 0);
	/* The id of what it delivered, then the count. */
	assert_int_equal(strncmp(out, "R-2 (uuid ", 10), 0);
	assert_non_null(strstr(out, ")\nsent 1, refused 0\n"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 2);

	/* The token commands and the tester's API calls take it too. */
	assert_int_equal(
	    e2e_sh(out, sizeof(out), "%s PROSUM_PIN='%s' '%s' groups", env, pin, PROSUM_CLI_PATH),
	    0);
	assert_non_null(strstr(out, "G-1 "));
	assert_int_equal(e2e_sh(out, sizeof(out), "%s PROSUM_PIN='%s' '%s' suggest --title Pinned",
				env, pin, PROSUM_CLI_PATH),
			 0);
	assert_string_equal(out, "S-1\n");
	assert_int_equal(e2e_sh(out, sizeof(out), "%s PROSUM_PIN='%s' '%s' groups 2>&1", env, wrong,
				PROSUM_CLI_PATH),
			 1);
	assert_one_line(out);
	assert_non_null(strstr(out, "TLS failed"));
	/* Without a pin or a CA, nothing vouches for the server. */
	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' groups 2>&1", env, PROSUM_CLI_PATH), 1);
	assert_non_null(strstr(out, "TLS failed"));
	assert_int_equal(
	    e2e_sh(out, sizeof(out), "%s '%s' groups --pin md5//abc 2>&1", env, PROSUM_CLI_PATH),
	    2);
}

/* prosum sync says how many groups regressed: a build that already held the fix just linked. */
static void test_sync_says_regressed(void **state)
{
	fixture *f = *state;
	const char *a = f->spool_a;
	char out[4096];

	assert_int_equal(e2e_sh(NULL, 0, "git -C '%s' tag v0.9", f->s.repo), 0);
	assert_int_equal(run(f, out, sizeof(out), a, "release add 0.9 --ref v0.9"), 0);
	assert_int_equal(run(f, out, sizeof(out), a,
			     "report --kind bug --title 'Crash on save' --version 0.9 --name Ada"),
			 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(e2e_sh(NULL, 0,
				"set -e; cd '%s'; echo '/* fix */' >> main.c; "
				"git commit -q -am 'Save safely' -m 'Fixes G-1'; git tag v1.0",
				f->s.repo),
			 0);
	assert_int_equal(run(f, out, sizeof(out), a, "release add 1.0 --ref v1.0"), 0);
	/* Built from 1.0, which holds the fix the next sync links: G-1 regressed. */
	assert_int_equal(run(f, out, sizeof(out), a,
			     "report --kind bug --title 'Crash on save' --version 1.0 --name Ada"),
			 0);
	assert_string_equal(out, "R-2\n");
	assert_int_equal(run(f, out, sizeof(out), a, "sync"), 0);
	assert_non_null(strstr(out, " revisions resolved, 1 group regressed\n"));
	assert_int_equal(run(f, out, sizeof(out), a, "sync"), 0);
	assert_non_null(strstr(out, " revisions resolved\n"));

	/* A version no release names is never looked up again: no "(yet)". */
	assert_int_equal(run(f, out, sizeof(out), a,
			     "report --kind bug --title 'Other' --version 5.5 --name Ada"),
			 0);
	assert_string_equal(out, "R-3\n");
	assert_int_equal(run(f, out, sizeof(out), a, "show R-3"), 0);
	assert_non_null(strstr(out, "not found in the repository\n"));
	assert_null(strstr(out, "(yet)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_suggest_vote_duplicate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_groups_and_set, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_sync_notes_mine, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_says_regressed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reports_filters_export, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pin, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
