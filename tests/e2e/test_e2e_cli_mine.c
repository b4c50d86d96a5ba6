/* test_e2e_cli_mine.c - the tester's conversation with the team: `prosum mine` and `prosum reply`
 * against a real prosumd. */
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

typedef e2e_testers_fixture fixture;

static int setup(void **state)
{
	return e2e_testers_setup(state);
}

static int teardown(void **state)
{
	return e2e_testers_teardown(state);
}

/* Run `prosum ARGS` as the tester whose install lives in `spool`, with COLUMNS=cols (0: unset,
 * no width: a pipe); stdout in out. Exit status. */
static int vrun(fixture *f, char *out, size_t outsz, const char *spool, int cols, const char *fmt,
		va_list ap)
{
	char env[2400], width[32] = "unset COLUMNS;";

	if (cols)
		snprintf(width, sizeof(width), "COLUMNS=%d", cols);
	snprintf(env, sizeof(env), "%s %s PROSUM_SPOOL='%s'", width, f->env, spool);
	return e2e_vcli(out, outsz, env, fmt, ap);
}

static int run(fixture *f, char *out, size_t outsz, const char *spool, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int run(fixture *f, char *out, size_t outsz, const char *spool, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vrun(f, out, outsz, spool, 0, fmt, ap);
	va_end(ap);
	return rc;
}

static int run_cols(fixture *f, char *out, size_t outsz, const char *spool, int cols,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int run_cols(fixture *f, char *out, size_t outsz, const char *spool, int cols,
		    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vrun(f, out, outsz, spool, cols, fmt, ap);
	va_end(ap);
	return rc;
}

/* A request with the admin token (the developer); the answer's JSON, which the caller decrefs. */
static json_t *dev(fixture *f, const char *method, const char *path, const char *body, long expect)
{
	char auth[256];
	const char *h[] = {auth, "Content-Type: application/json", NULL};
	e2e_response r;
	json_t *v;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->s.token);
	assert_int_equal(e2e_request(&f->s, method, path, h, body, body ? strlen(body) : 0, &r), 0);
	if (r.status != expect)
		fail_msg("%s %s: %ld %s", method, path, r.status, r.body ? r.body : "");
	v = json_loads(r.body ? r.body : "", 0, NULL);
	e2e_response_free(&r);
	assert_non_null(v);
	return v;
}

/*
 * Ages in place: "(just now)", "(12s ago)" become "(AGE)", so that the
 * output compares exactly however slow the machine is.
 */
static void no_ages(char *s)
{
	char *p = s;

	while ((p = strchr(p, '(')) != NULL) {
		char *end = strchr(p, ')');
		size_t n;
		if (!end)
			break;
		n = (size_t)(end - p) + 1;
		if ((n >= 6 && strncmp(end - 4, " ago", 4) == 0) ||
		    strncmp(p, "(just now)", 10) == 0) {
			memmove(p + 5, end + 1, strlen(end + 1) + 1);
			memcpy(p, "(AGE)", 5);
		}
		p++;
	}
}

/* `text` is in out; else the whole of out is shown. */
static void assert_in(const char *out, const char *text)
{
	if (!strstr(out, text))
		fail_msg("\"%s\" is not in:\n%s", text, out);
}

/* The column at which `text` (found in out) starts on its line. */
static size_t column_of(const char *out, const char *text)
{
	const char *p = strstr(out, text), *line;

	if (!p)
		fail_msg("\"%s\" is not in:\n%s", text, out);
	for (line = p; line > out && line[-1] != '\n'; line--)
		;
	return (size_t)(p - line);
}

/* A comment's line `first` is followed by `next`, lined up under it. */
static void assert_continues(const char *out, const char *first, const char *next)
{
	char want[512];

	snprintf(want, sizeof(want), "%s\n%*s%s\n", first, (int)column_of(out, first), "", next);
	if (!strstr(out, want))
		fail_msg("\"%s\" is not in:\n%s", want, out);
}

/* One line of stderr only: "prosum: ..." and a newline, nothing else. */
static void assert_one_line(const char *err)
{
	assert_int_equal(strncmp(err, "prosum: ", 8), 0);
	assert_non_null(strchr(err, '\n'));
	assert_int_equal(strchr(err, '\n')[1], '\0');
}

/* Whether the report's comments, as the developer reads them, hold `body`, from `from`. */
static int has_comment(const json_t *report, const char *body, const char *from)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(report, "comments"), i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "body")), body) == 0 &&
		    strcmp(json_string_value(json_object_get(c, "from")), from) == 0)
			return 1;
	}
	return 0;
}

/*
 * The whole conversation: a tester reports, the developer comments on the
 * report and on its group, the tester reads both with `prosum mine` and
 * answers with `prosum reply`, the developer reads the answer; another
 * install may not answer on the report.
 */
static void test_mine_and_reply(void **state)
{
	fixture *f = *state;
	const char *a = f->spool_a, *b = f->spool_b;
	char out[16384];
	json_t *v;

	assert_int_equal(
	    run(f, out, sizeof(out), a, "report --kind bug --title 'Crash on save' --version 1.0"),
	    0);
	assert_string_equal(out, "R-1\n");
	json_decref(dev(f, "PATCH", "/api/v1/projects/demo/reports/R-1",
			"{\"comment\":\"Which file were you saving?\"}", 200));
	json_decref(dev(f, "PATCH", "/api/v1/projects/demo/groups/G-1",
			"{\"comment\":\"Fixed on main,\\nin the next beta\"}", 200));

	/* Both, oldest first, under the report; the group's second line under its first. */
	assert_int_equal(run(f, out, sizeof(out), a, "mine"), 0);
	assert_continues(out, "Fixed on main,", "in the next beta");
	no_ages(out);
	assert_int_equal(strncmp(out,
				 "reports:\n"
				 "  R-1    new          Crash on save\n"
				 "         no one else saw this yet\n"
				 "         team (AGE): Which file were you saving?\n"
				 "         team (AGE): Fixed on main,\n",
				 strlen("reports:\n"
					"  R-1    new          Crash on save\n"
					"         no one else saw this yet\n"
					"         team (AGE): Which file were you saving?\n"
					"         team (AGE): Fixed on main,\n")),
			 0);
	assert_in(out, " in the next beta\nsuggestions:\n  none\n");

	/* The id in any case; the reply comes last, from "you". */
	assert_int_equal(run(f, out, sizeof(out), a, "reply r-1 'The file was on a USB stick'"), 0);
	assert_string_equal(out, "replied to R-1\n");
	assert_int_equal(run(f, out, sizeof(out), a, "mine"), 0);
	no_ages(out);
	assert_in(out, " in the next beta\n"
		       "         you (AGE): The file was on a USB stick\n"
		       "suggestions:\n");

	/* The developer reads it with the report. */
	v = dev(f, "GET", "/api/v1/projects/demo/reports/R-1", NULL, 200);
	assert_true(has_comment(v, "The file was on a USB stick", "tester"));
	assert_true(has_comment(v, "Which file were you saving?", "team"));
	json_decref(v);

	/* Another install may not answer on it: one line, and nothing stored. */
	assert_int_equal(run(f, out, sizeof(out), b, "reply R-1 'Not mine' 2>&1"), 1);
	assert_string_equal(out, "prosum: R-1 was not sent from this install\n");
	assert_int_equal(
	    e2e_sql_int(&f->s, "SELECT count(*) FROM comments WHERE body = 'Not mine'"), 0);
	/* Nor on a report that does not exist. */
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-99 hello 2>&1"), 1);
	assert_string_equal(out, "prosum: there is no report R-99\n");
	/* A 404 for something else is not called a missing report: the server's own words. */
	{
		char dsn[600];
		snprintf(dsn, sizeof(dsn), "%.*snope", (int)(strlen(f->s.dsn) - strlen("demo")),
			 f->s.dsn);
		assert_int_equal(
		    run(f, out, sizeof(out), a, "reply R-1 hello --dsn '%s' 2>&1", dsn), 1);
		assert_one_line(out);
		assert_in(out, "/api/v1/projects/nope/reports/R-1/comments: 404 not_found: no such "
			       "project\n");
	}
	assert_int_equal(run(f, out, sizeof(out), b, "mine"), 0);
	assert_string_equal(out, "reports:\n  none\nsuggestions:\n  none\n");

	/* --json prints the server's answer. */
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 --body 'Also on a NAS' --json"), 0);
	v = json_loads(out, 0, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "id")), "R-1");
	assert_string_equal(json_string_value(json_object_get(v, "body")), "Also on a NAS");
	assert_string_equal(json_string_value(json_object_get(v, "from")), "you");
	json_decref(v);

	/* `prosum mine --json` carries the whole thread too. */
	assert_int_equal(run(f, out, sizeof(out), a, "mine --json"), 0);
	v = json_loads(out, 0, NULL);
	assert_non_null(v);
	assert_int_equal(json_array_size(json_object_get(
			     json_array_get(json_object_get(v, "reports"), 0), "comments")),
			 4);
	json_decref(v);
}

/* prosum show tells a tester's replies from the team's comments: by name, or "tester". */
static void test_show_marks_replies(void **state)
{
	fixture *f = *state;
	const char *a = f->spool_a;
	char out[16384];

	assert_int_equal(
	    run(f, out, sizeof(out), a, "report --title 'Black screen' --version 1.0 --name Ada"),
	    0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(run(f, out, sizeof(out), a, "report --title 'Slow start' --version 1.0"),
			 0);
	assert_string_equal(out, "R-2\n");
	json_decref(dev(f, "PATCH", "/api/v1/projects/demo/reports/R-1",
			"{\"comment\":\"Which GPU driver?\"}", 200));
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 'Still happens'"), 0);
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-2 'Every time'"), 0);

	assert_int_equal(run(f, out, sizeof(out), a, "show R-1 --server '%s' --token '%s'",
			     f->s.url, f->s.token),
			 0);
	no_ages(out);
	assert_in(out, "comments:\n  admin (AGE): Which GPU driver?\n");
	if (!strstr(out, "\n  Ada (tester, ") ||
	    !strstr(strstr(out, "\n  Ada (tester, "), " ago): Still happens\n"))
		if (!strstr(out, "\n  Ada (tester, just now): Still happens\n"))
			fail_msg("the tester's reply is not marked in:\n%s", out);
	assert_int_equal(run(f, out, sizeof(out), a, "show R-2 --server '%s' --token '%s'",
			     f->s.url, f->s.token),
			 0);
	no_ages(out);
	assert_in(out, "comments:\n  tester (AGE): Every time\n");
}

/* The reply's text from --body, from stdin (- or --file -), from a file; and the mistakes. */
static void test_reply_sources_and_mistakes(void **state)
{
	fixture *f = *state;
	const char *a = f->spool_a;
	char out[16384], path[400];
	FILE *fp;

	assert_int_equal(run(f, out, sizeof(out), a, "report --title 'Freeze' --version 1.0"), 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 --body 'by body'"), 0);
	assert_string_equal(out, "replied to R-1\n");
	/* The newline echo adds is dropped. */
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 - <<'EOF'\nfrom stdin\nEOF"), 0);
	assert_string_equal(out, "replied to R-1\n");
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 --file - <<'EOF'\nfile dash\nEOF"),
			 0);
	snprintf(path, sizeof(path), "%s/reply.txt", f->s.dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("first line\nsecond line\n\n", fp);
	fclose(fp);
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 --file '%s'", path), 0);
	assert_int_equal(run(f, out, sizeof(out), a, "mine"), 0);
	assert_continues(out, "first line", "second line");
	no_ages(out);
	assert_in(out, "         you (AGE): by body\n"
		       "         you (AGE): from stdin\n"
		       "         you (AGE): file dash\n"
		       "         you (AGE): first line\n");
	assert_in(out, " second line\nsuggestions:\n");
	assert_int_equal(
	    e2e_sql_int(&f->s,
			"SELECT count(*) FROM comments WHERE body = 'first line\nsecond line'"),
	    1);

	/* Mistakes are refused before anything is sent (exit 2), each on one line. */
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 2>&1"), 2);
	assert_one_line(out);
	assert_in(out, "give the reply");
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 text --body more 2>&1"), 2);
	assert_in(out, "give the reply once");
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 --body '' 2>&1"), 2);
	assert_string_equal(out, "prosum: the reply is empty (see prosum reply --help)\n");
	assert_int_equal(run(f, out, sizeof(out), a, "reply S-1 hello 2>&1"), 2);
	assert_in(out, "report id such as R-12");
	assert_int_equal(run(f, out, sizeof(out), a,
			     "reply R-1 \"$(head -c 16385 /dev/zero | "
			     "tr '\\0' x)\" 2>&1"),
			 2);
	assert_in(out, "the reply is 16385 bytes; at most 16384");
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 --file '%s/none' 2>&1", f->s.dir),
			 1);
	assert_one_line(out);
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 - < /dev/null 2>&1"), 2);
	assert_in(out, "the reply is empty");
	/* At the limit it goes through. */
	assert_int_equal(
	    run(f, out, sizeof(out), a, "reply R-1 \"$(head -c 16384 /dev/zero | tr '\\0' x)\""),
	    0);
	assert_string_equal(out, "replied to R-1\n");
	/* From a file or stdin too: the limit counts after the trailing newline is dropped. */
	assert_int_equal(run(f, out, sizeof(out), a,
			     "reply R-1 - <<EOF\n$(head -c 16384 /dev/zero | tr '\\0' y)\nEOF"),
			 0);
	assert_int_equal(e2e_sh(NULL, 0, "head -c 20000 /dev/zero | tr '\\0' y > '%s'", path), 0);
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 --file '%s' 2>&1", path), 2);
	assert_string_equal(
	    out, "prosum: the reply is 20000 bytes; at most 16384 (see prosum reply --help)\n");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM comments"), 6);

	/* Help names it. */
	assert_int_equal(run(f, out, sizeof(out), a, "reply --help"), 0);
	assert_in(out, "usage: prosum reply --dsn DSN R-n ");
	assert_in(out, "replied to R-n");
	assert_int_equal(run(f, out, sizeof(out), a, "help"), 0);
	assert_in(out, "  prosum reply --dsn DSN R-n ");
	{
		char again[16384];
		assert_int_equal(run(f, out, sizeof(out), a, "reply --help"), 0);
		assert_in(out, "\nConnection:\n");
		assert_in(out, "  --cacert FILE ");
		assert_int_equal(run(f, again, sizeof(again), a, "help reply"), 0);
		assert_string_equal(again, out);
		assert_int_equal(run(f, again, sizeof(again), a, "reply R-1 --bogus -h"), 0);
		assert_string_equal(again, out);
	}

	/* An untrusted server: the one line with the hint, as every command says it. */
	assert_int_equal(e2e_sh(out, sizeof(out),
				"PROSUM_DSN='%s' PROSUM_SPOOL='%s' '%s' reply R-1 "
				"hello 2>&1",
				f->s.dsn, a, PROSUM_CLI_PATH),
			 1);
	assert_one_line(out);
	assert_int_equal(strncmp(out, "prosum: the server's certificate is not trusted: ",
				 strlen("prosum: the server's certificate is not trusted: ")),
			 0);
}

/* Display columns of one line of UTF-8 text (enough for the test's own text: "…" is one). */
static size_t columns(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

/* Every line of out fits in `width` columns. */
static void assert_fits(const char *out, size_t width)
{
	for (const char *p = out; *p;) {
		size_t n = strcspn(p, "\n");
		if (columns(p, n) > width)
			fail_msg("line wider than %zu: \"%.*s\"", width, (int)n, p);
		p += n;
		if (*p)
			p++;
	}
}

/*
 * The comment `text` (ASCII) is in out wrapped to `width` columns: its pieces
 * are the text in order, nothing lost; each ends at a space where the next
 * word would not have fitted, or, inside a word longer than a line, where
 * the line is full; every later piece starts under the first.
 */
static void assert_wrapped(const char *out, const char *text, size_t width)
{
	char start[16];
	const char *p, *o = text;
	size_t col;

	snprintf(start, sizeof(start), "%.12s", text);
	col = column_of(out, start);
	p = strstr(out, start);
	for (;;) {
		size_t len = strcspn(p, "\n");
		assert_true(len > 0);
		if (col + len > width || strncmp(o, p, len) != 0)
			fail_msg("piece \"%.*s\" at column %zu (width %zu), text left \"%s\"",
				 (int)len, p, col, width, o);
		o += len;
		if (!*o)
			break;
		if (*o == ' ') {
			while (*o == ' ')
				o++;
			assert_true(col + len + 1 + strcspn(o, " ") > width);
		} else {
			assert_int_equal(col + len, width);
		}
		p += len + 1;
		for (size_t i = 0; i < col; i++)
			assert_int_equal(p[i], ' ');
		p += col;
	}
}

#define LONG_COMMENT                                                                               \
	"Thanks for the report: could you try the build at "                                       \
	"https://example.org/a/very/long/address/that/goes/on/and/on and tell us?"

/*
 * On a terminal (COLUMNS), long comments are wrapped at spaces and under
 * their first line (or under the head when it leaves too little room), a
 * word longer than the line is broken, a long title is cut; nothing is lost
 * from the comments. Into a pipe nothing is wrapped.
 */
static void test_mine_fits_the_terminal(void **state)
{
	fixture *f = *state;
	const char *a = f->spool_a;
	char out[16384];

	assert_int_equal(run(f, out, sizeof(out), a,
			     "report --title 'A title much longer than forty columns of text' "
			     "--version 1.0"),
			 0);
	json_decref(dev(f, "PATCH", "/api/v1/projects/demo/reports/R-1",
			"{\"comment\":\"" LONG_COMMENT "\"}", 200));
	assert_int_equal(run(f, out, sizeof(out), a, "reply R-1 'Sure: I will try it tonight'"), 0);

	assert_int_equal(run_cols(f, out, sizeof(out), a, 50, "mine"), 0);
	assert_fits(out, 50);
	assert_wrapped(out, LONG_COMMENT, 50);
	assert_in(out, "  R-1    new          A title much longer than fo\xe2\x80\xa6\n"
		       "         no one else saw this yet\n"
		       "         team (");
	assert_in(out, "\n         you (");
	assert_wrapped(out, "Sure: I will try it tonight", 50);

	/* Too little room beside the head: the text goes under it, wrapped all the same. */
	assert_int_equal(run_cols(f, out, sizeof(out), a, 40, "mine"), 0);
	assert_fits(out, 40);
	assert_in(out, "):\n           Thanks for the report:");
	assert_wrapped(out, LONG_COMMENT, 40);
	assert_wrapped(out, "Sure: I will try it tonight", 40);
	/* Narrower still: lines are cut, never longer than the terminal. */
	assert_int_equal(run_cols(f, out, sizeof(out), a, 20, "mine"), 0);
	assert_fits(out, 20);
	assert_in(out, "\xe2\x80\xa6\n");

	/* Into a pipe: one line, as it was written. */
	assert_int_equal(run(f, out, sizeof(out), a, "mine"), 0);
	assert_in(out, "  R-1    new          A title much longer than forty columns "
		       "of text\n");
	assert_in(out, "): " LONG_COMMENT "\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_mine_and_reply, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reply_sources_and_mistakes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_show_marks_replies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mine_fits_the_terminal, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
