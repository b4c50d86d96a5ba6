/* test_e2e_cli_ux.c - the prosum command's help, option syntax, table widths, show G-n,
 * show of a Sentry event and its feedback, and attachment downloads, against a real prosumd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_server s;
	char env[2048]; /* server, token, CA, DSN and spool for command lines */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 1);

	if (!f)
		return -1;
	/* COLUMNS is cleared: into a pipe without it, nothing is cut unless a test says so. */
	snprintf(f->env, sizeof(f->env),
		 "COLUMNS= PROSUM_CACERT='%s' PROSUM_SERVER='%s' PROSUM_TOKEN='%s' "
		 "PROSUM_PROJECT=demo PROSUM_DSN='%s' PROSUM_SPOOL='%s/spool'",
		 f->s.cacert, f->s.url, f->s.token, f->s.dsn, f->s.dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

/* Run `prosum ARGS` with the fixture's environment; stdout in out. Exit status. */
static int run(fixture *f, char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int run(fixture *f, char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = e2e_vcli(out, outsz, f->env, fmt, ap);
	va_end(ap);
	return rc;
}

/* The same with COLUMNS set to `cols`. */
static int run_w(fixture *f, char *out, size_t outsz, int cols, const char *args)
{
	return e2e_sh(out, outsz, "%s COLUMNS=%d '%s' %s", f->env, cols, PROSUM_CLI_PATH, args);
}

/* The same without a server: only the command line. */
static int run_bare(char *out, size_t outsz, const char *args)
{
	return e2e_sh(out, outsz, "COLUMNS= '%s' %s", PROSUM_CLI_PATH, args);
}

/* ---- Help and mistakes ---- */

static const char *const commands[] = {"report",  "flush",  "suggest",     "vote", "mine",
				       "reports", "groups", "suggestions", "show", "set",
				       "release", "sync",   "attachment"};

/* prosum --help, prosum help and prosum CMD --help: usage on stdout, exit 0, for every command. */
static void test_help(void **state)
{
	char out[32768], again[32768], args[128], expect[128];
	size_t i;

	(void)state;
	assert_int_equal(run_bare(out, sizeof(out), "--help 2>/dev/null"), 0);
	assert_int_equal(strncmp(out, "usage: prosum COMMAND [OPTIONS]\n", 32), 0);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(expect, sizeof(expect), "\n  prosum %s ", commands[i]);
		if (!strstr(out, expect))
			fail_msg("prosum --help does not list %s", commands[i]);
	}
	assert_non_null(strstr(out, "Run `prosum COMMAND --help`"));
	assert_int_equal(run_bare(again, sizeof(again), "help 2>/dev/null"), 0);
	assert_string_equal(again, out);
	assert_int_equal(run_bare(again, sizeof(again), "-h 2>/dev/null"), 0);
	assert_string_equal(again, out);
	/* Without a command: the same usage, on stderr, as a usage mistake. */
	assert_int_equal(run_bare(again, sizeof(again), "2>&1 >/dev/null"), 2);
	assert_string_equal(again, out);

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(args, sizeof(args), "%s --help 2>&1", commands[i]);
		assert_int_equal(run_bare(out, sizeof(out), args), 0);
		snprintf(expect, sizeof(expect), "usage: prosum %s", commands[i]);
		if (strncmp(out, expect, strlen(expect)) != 0)
			fail_msg("prosum %s --help: \"%.80s\"", commands[i], out);
		/* Every command explains itself and how it connects. */
		assert_non_null(strstr(out, "\nConnection:\n"));
		assert_non_null(strstr(out, "  --cacert FILE "));
		/* --help wins over everything else on the line, even a mistake. */
		snprintf(args, sizeof(args), "%s --bogus -h 2>&1", commands[i]);
		assert_int_equal(run_bare(again, sizeof(again), args), 0);
		assert_string_equal(again, out);
		snprintf(args, sizeof(args), "help %s 2>&1", commands[i]);
		assert_int_equal(run_bare(again, sizeof(again), args), 0);
		assert_string_equal(again, out);
	}

	/* prosum report --help explains every option, its values, defaults and variables. */
	assert_int_equal(run_bare(out, sizeof(out), "report --help"), 0);
	{
		static const char *const says[] = {
		    "  --kind KIND         crash, bug or feedback (default: bug)\n",
		    "  --severity WORD     how bad it is: critical, major, minor or trivial\n",
		    "  --channel C ",
		    "  --json FILE ",
		    "  --tag KEY=VALUE ",
		    "repeat for more (at most 64)",
		    "  --attach FILE ",
		    "  --version V ",
		    "(default: $PROSUM_VERSION)",
		    "  --revision R ",
		    "(default: $PROSUM_REVISION)",
		    "  --dsn DSN ",
		    "(default: $PROSUM_DSN)",
		    "  --cacert FILE ",
		    "(default: $PROSUM_CACERT",
		    "  --pin sha256//BASE64\n",
		    "(default: $PROSUM_PIN)",
		    "  --title TEXT ",
		    "  --description TEXT ",
		    "  --steps TEXT ",
		    "  --name N ",
		    "  --email E ",
		    "  --timeout MS ",
		};
		for (i = 0; i < sizeof(says) / sizeof(says[0]); i++)
			if (!strstr(out, says[i]))
				fail_msg("prosum report --help does not say \"%s\"", says[i]);
	}
	/* prosum queue works on this machine's spools: no connection. */
	assert_int_equal(run_bare(out, sizeof(out), "queue --help"), 0);
	assert_int_equal(strncmp(out, "usage: prosum queue ", 20), 0);
	assert_non_null(strstr(out, "  retarget ID|--all "));
	assert_non_null(strstr(out, "  --to DSN "));
	assert_int_equal(run_bare(again, sizeof(again), "help queue"), 0);
	assert_string_equal(again, out);
	/* The TIME forms, where a command takes a time. */
	assert_int_equal(run_bare(out, sizeof(out), "reports --help"), 0);
	assert_non_null(strstr(out, "TIME is a date (2026-12-05: midnight UTC), an RFC 3339 time"));
	assert_non_null(strstr(out, "  --tag KEY=VALUE "));
	assert_int_equal(run_bare(out, sizeof(out), "attachment --help"), 0);
	assert_non_null(strstr(out, "  -o, --output FILE "));

	/* Mistakes: one line on stderr naming the command's help; nothing on stdout; exit 2. */
	assert_int_equal(run_bare(out, sizeof(out), "report --bogus 2>/dev/null"), 2);
	assert_string_equal(out, "");
	assert_int_equal(run_bare(out, sizeof(out), "report --bogus 2>&1"), 2);
	assert_string_equal(
	    out, "prosum: report: unknown option \"--bogus\" (see prosum report --help)\n");
	assert_int_equal(run_bare(out, sizeof(out), "groups --colour=red 2>&1"), 2);
	assert_string_equal(
	    out, "prosum: groups: unknown option \"--colour\" (see prosum groups --help)\n");
	assert_int_equal(run_bare(out, sizeof(out), "reports -x 2>&1"), 2);
	assert_string_equal(out,
			    "prosum: reports: unknown option \"-x\" (see prosum reports --help)\n");
	/* An option of another command is unknown here. */
	assert_int_equal(run_bare(out, sizeof(out), "groups --attach x 2>&1"), 2);
	assert_string_equal(
	    out, "prosum: groups: unknown option \"--attach\" (see prosum groups --help)\n");
	assert_int_equal(run_bare(out, sizeof(out), "show 2>&1"), 2);
	assert_string_equal(out, "prosum: show: missing argument (see prosum show --help)\n");
	assert_int_equal(run_bare(out, sizeof(out), "reports --limit 2>&1"), 2);
	assert_string_equal(out, "prosum: --limit needs a value (see prosum reports --help)\n");
	assert_int_equal(run_bare(out, sizeof(out), "frobnicate 2>&1"), 2);
	assert_string_equal(out, "prosum: unknown command \"frobnicate\" (see prosum --help)\n");
	assert_int_equal(run_bare(out, sizeof(out), "help frobnicate 2>&1"), 2);
	assert_string_equal(out, "prosum: no command \"frobnicate\" (see prosum --help)\n");
}

/* ---- Tags, ids and times ---- */

/*
 * One tag syntax: --tag KEY=VALUE when reporting and when filtering (the
 * older KEY:VALUE still filters); ids in any case everywhere; --since and
 * --until take dates, RFC 3339 and ages, and refuse anything else naming
 * the forms.
 */
static void test_tags_ids_times(void **state)
{
	fixture *f = *state;
	char out[16384];

	assert_int_equal(run(f, out, sizeof(out),
			     "report --kind bug --title 'Save button does nothing' --version 1.0 "
			     "--tag gpu=intel --tag os=linux"),
			 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(run(f, out, sizeof(out),
			     "report --kind crash --title 'Crash when opening a PNG' --version 1.1 "
			     "--tag gpu=amd --tag 'note=a=b:c'"),
			 0);
	assert_string_equal(out, "R-2\n");

	assert_int_equal(run(f, out, sizeof(out), "reports --tag gpu=amd"), 0);
	assert_non_null(strstr(out, "\nR-2 "));
	assert_null(strstr(out, "\nR-1 "));
	assert_int_equal(run(f, out, sizeof(out), "reports --tag=gpu=intel"), 0);
	assert_non_null(strstr(out, "\nR-1 "));
	assert_null(strstr(out, "\nR-2 "));
	/* A value holding '=' and ':' is matched whole. */
	assert_int_equal(run(f, out, sizeof(out), "reports --tag 'note=a=b:c'"), 0);
	assert_non_null(strstr(out, "\nR-2 "));
	assert_null(strstr(out, "\nR-1 "));
	assert_int_equal(run(f, out, sizeof(out), "reports --tag note=a"), 0);
	assert_null(strstr(out, "\nR-2 "));
	/* The older spelling still works. */
	assert_int_equal(run(f, out, sizeof(out), "reports --tag os:linux"), 0);
	assert_non_null(strstr(out, "\nR-1 "));
	assert_null(strstr(out, "\nR-2 "));
	assert_int_equal(run(f, out, sizeof(out), "reports --tag gpu 2>&1"), 2);
	assert_string_equal(out, "prosum: --tag takes KEY=VALUE such as gpu=intel, not \"gpu\" "
				 "(see prosum reports --help)\n");
	assert_int_equal(run(f, out, sizeof(out), "reports --tag =intel 2>&1"), 2);
	assert_int_equal(run(f, out, sizeof(out), "report --title x --version 1 --tag gpu 2>&1"),
			 2);
	assert_string_equal(
	    out, "prosum: --tag takes KEY=VALUE, not \"gpu\" (see prosum report --help)\n");

	/* Ids in any case, as arguments and as option values. */
	assert_int_equal(run(f, out, sizeof(out), "show r-1"), 0);
	assert_int_equal(strncmp(out, "R-1  bug  new  group G-1\n", 25), 0);
	assert_int_equal(run(f, out, sizeof(out), "show g-2"), 0);
	assert_int_equal(strncmp(out, "G-2  new  crash  1 report from 1 tester\n", 40), 0);
	assert_int_equal(run(f, out, sizeof(out), "reports --group g-2"), 0);
	assert_non_null(strstr(out, "\nR-2 "));
	assert_null(strstr(out, "\nR-1 "));
	assert_int_equal(run(f, out, sizeof(out), "set g-1 --status triaged"), 0);
	assert_string_equal(out, "triaged\n");
	/* An assignee is a person who may see the project. */
	assert_int_equal(e2e_prosumd_secret(&f->s, "user add ada --role developer", out, sizeof(out)),
			 0);
	assert_int_equal(run(f, out, sizeof(out), "set r-2 --assignee ada"), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE assignee = 'ada'"),
			 1);
	assert_int_equal(run(f, out, sizeof(out), "suggest --title 'Dark mode'"), 0);
	assert_string_equal(out, "S-1\n");
	assert_int_equal(run(f, out, sizeof(out), "suggest --title 'Night theme'"), 0);
	assert_string_equal(out, "S-2\n");
	assert_int_equal(run(f, out, sizeof(out), "vote s-1"), 0);
	assert_string_equal(out, "S-1: 1 vote; your vote was already counted (one per install)\n");
	assert_int_equal(run(f, out, sizeof(out), "set s-2 --duplicate-of s-1"), 0);
	assert_string_equal(out, "duplicate\n");
	assert_int_equal(run(f, out, sizeof(out), "set g-2 --merge-into g-1"), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM groups WHERE merged_into IS NOT "
					    "NULL"),
			 1);
	/* Not an id at all: still refused. */
	assert_int_equal(run(f, out, sizeof(out), "show x-1 2>&1"), 2);
	assert_string_equal(out, "prosum: show takes R-n, G-n, S-n or a Sentry event id, not "
				 "\"x-1\" (see prosum show --help)\n");

	/* Times: a date is midnight UTC; RFC 3339 with an offset; ages. */
	assert_int_equal(run(f, out, sizeof(out), "reports --since 2000-01-01"), 0);
	assert_non_null(strstr(out, "\nR-1 "));
	assert_non_null(strstr(out, "\nR-2 "));
	assert_int_equal(run(f, out, sizeof(out), "reports --since 2099-01-01"), 0);
	assert_string_equal(out, "ID  GROUP  KIND  STATUS  VERSION  AGE  TITLE\n");
	assert_int_equal(run(f, out, sizeof(out), "reports --until 2000-01-01"), 0);
	assert_string_equal(out, "ID  GROUP  KIND  STATUS  VERSION  AGE  TITLE\n");
	assert_int_equal(run(f, out, sizeof(out),
			     "reports --since 2000-01-01T10:00:00+02:00 --until 2099-12-31"),
			 0);
	assert_non_null(strstr(out, "\nR-2 "));
	/* A space for the "T", as a shell user may type it. */
	assert_int_equal(run(f, out, sizeof(out), "reports --since '2000-01-01 10:00:00Z'"), 0);
	assert_non_null(strstr(out, "\nR-2 "));
	assert_int_equal(run(f, out, sizeof(out), "reports --since 30m"), 0);
	assert_non_null(strstr(out, "\nR-2 "));
	assert_int_equal(run(f, out, sizeof(out), "groups --since 12h --until 2099-01-01"), 0);
	assert_non_null(strstr(out, "\nG-1 "));
	assert_int_equal(run(f, out, sizeof(out), "groups --since 2099-01-01"), 0);
	assert_null(strstr(out, "\nG-1 "));
	assert_int_equal(run(f, out, sizeof(out), "mine --since 7d"), 0);
	assert_non_null(strstr(out, "R-1 "));
	assert_int_equal(run(f, out, sizeof(out), "mine --since 2099-01-01"), 0);
	assert_string_equal(out, "reports:\n  none\nsuggestions:\n  none\n");
	{
		static const char *const bad[] = {
		    "yesterday",  "2026-02-30", "2026-02-30T10:00:00Z",
		    "2026-13-01", "2026-12-5",  "7y",
		    "12:00",      "-7d",        ""};
		char expect[512];
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(
			    run(f, out, sizeof(out), "reports --since '%s' 2>&1", bad[i]), 2);
			snprintf(expect, sizeof(expect),
				 "prosum: --since takes a date (2026-12-05), an RFC 3339 time "
				 "(2026-12-05T10:15:00Z) or an age (30m, 12h, 7d), not \"%s\" "
				 "(see prosum reports --help)\n",
				 bad[i]);
			assert_string_equal(out, expect);
		}
	}
	assert_int_equal(run(f, out, sizeof(out), "groups --until soon 2>&1"), 2);
	assert_non_null(strstr(out, "prosum: --until takes a date (2026-12-05), "));
	assert_int_equal(run(f, out, sizeof(out), "mine --since soon 2>&1"), 2);
	assert_non_null(strstr(out, "prosum: --since takes a date (2026-12-05), "));
}

/* ---- Tables that fit ---- */

/*
 * Display columns of UTF-8 text as a terminal shows it (combining accents
 * none, kana and CJK two); -1 when the text is not valid UTF-8, such as a
 * sequence cut in the middle.
 */
static long display_width(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	long w = 0;

	while (p < end) {
		unsigned int cp, n, i;
		if (*p < 0x80) {
			cp = *p;
			n = 1;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			n = 2;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			n = 3;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			n = 4;
		} else {
			return -1;
		}
		if ((size_t)(end - p) < n)
			return -1;
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		p += n;
		if (cp >= 0x300 && cp <= 0x36f)
			continue;
		w += cp >= 0x3000 && cp <= 0x9fff ? 2 : 1;
	}
	return w;
}

/* Every line of out is valid UTF-8 and at most `cols` display columns. Returns the widest. */
static long assert_fits(const char *out, long cols)
{
	const char *p = out;
	long widest = 0;

	while (*p) {
		size_t len = strcspn(p, "\n");
		long w = display_width(p, len);
		if (w < 0 || w > cols)
			fail_msg("line of %ld columns (limit %ld): \"%.*s\"", w, cols, (int)len, p);
		if (w > widest)
			widest = w;
		p += len;
		if (*p)
			p++;
	}
	return widest;
}

/* The line of out that starts with `start`, into line. */
static void line_of(const char *out, const char *start, char *line, size_t n)
{
	const char *p = out;

	while (p && *p) {
		if (strncmp(p, start, strlen(start)) == 0) {
			size_t len = strcspn(p, "\n");
			assert_true(len < n);
			memcpy(line, p, len);
			line[len] = '\0';
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	fail_msg("no line starts with \"%s\" in:\n%s", start, out);
}

/* How a line ends. */
static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

#define LONG_TITLE                                                                                 \
	"Crash when opening a PNG whose palette is empty, after the second resize of the "         \
	"main window"
/* "保存できない" twice: 12 wide characters, 24 columns. */
#define CJK_TITLE                                                                                  \
	"\xe4\xbf\x9d\xe5\xad\x98\xe3\x81\xa7\xe3\x81\x8d\xe3\x81\xaa\xe3\x81\x84"                 \
	"\xe4\xbf\x9d\xe5\xad\x98\xe3\x81\xa7\xe3\x81\x8d\xe3\x81\xaa\xe3\x81\x84"
/* "Café " four times with a combining accent: 20 columns, 28 bytes. */
#define ACCENT_TITLE "Cafe\xcc\x81 Cafe\xcc\x81 Cafe\xcc\x81 Cafe\xcc\x81 "

/*
 * Tables fit COLUMNS: titles are cut with "…" at a character boundary,
 * counted in display columns, every line within the width; a narrow
 * terminal cuts lines, never wraps them; into a pipe without COLUMNS nothing
 * is cut.
 */
static void test_table_width(void **state)
{
	fixture *f = *state;
	char out[32768], line[1024], head[1024];
	size_t title_col;

	assert_int_equal(
	    run(f, out, sizeof(out), "report --kind crash --title '" LONG_TITLE "' --version 1.1"),
	    0);
	assert_int_equal(
	    run(f, out, sizeof(out), "report --kind bug --title '" CJK_TITLE "' --version 1.0"), 0);
	assert_int_equal(run(f, out, sizeof(out),
			     "report --kind feedback --title '" ACCENT_TITLE "' --version 1.0"),
			 0);
	assert_int_equal(run(f, out, sizeof(out), "report --kind bug --title Short --version 1.0"),
			 0);
	assert_string_equal(out, "R-4\n");

	/* No COLUMNS, into a pipe: whole titles. */
	assert_int_equal(run(f, out, sizeof(out), "reports"), 0);
	assert_non_null(strstr(out, "  " LONG_TITLE "\n"));
	assert_non_null(strstr(out, "  " CJK_TITLE "\n"));
	assert_non_null(strstr(out, "  " ACCENT_TITLE "\n"));

	/* 80 columns: the header and the ids are whole; what is too long is cut to the width. */
	assert_int_equal(run_w(f, out, sizeof(out), 80, "reports"), 0);
	assert_fits(out, 80);
	line_of(out, "ID  ", head, sizeof(head));
	assert_true(ends_with(head, "  TITLE"));
	title_col = strlen(head) - strlen("TITLE");
	line_of(out, "R-1 ", line, sizeof(line));
	assert_true(ends_with(line, "\xe2\x80\xa6"));
	/* A cut after a space drops the space: "opening…", not "opening …". */
	assert_true(display_width(line, strlen(line)) >= 78);
	assert_false(ends_with(line, " \xe2\x80\xa6"));
	if (strncmp(line + title_col, "Crash when opening", 18) != 0)
		fail_msg("title not under TITLE:\n%s\n%s", head, line);
	assert_true(line[title_col - 1] == ' ' && line[title_col - 2] == ' ');
	/* 24 columns of wide characters and 20 with combining accents fit as they are. */
	line_of(out, "R-2 ", line, sizeof(line));
	assert_true(ends_with(line, "  " CJK_TITLE));
	line_of(out, "R-3 ", line, sizeof(line));
	assert_true(ends_with(line, "  " ACCENT_TITLE));
	line_of(out, "R-4 ", line, sizeof(line));
	assert_true(ends_with(line, "  Short"));

	/* 60 columns leave the titles about 11: cut whole characters, accents kept on theirs. */
	assert_int_equal(run_w(f, out, sizeof(out), 60, "reports"), 0);
	assert_fits(out, 60);
	line_of(out, "R-1 ", line, sizeof(line));
	assert_int_equal(strncmp(line + title_col, "Crash when", 10), 0);
	assert_true(ends_with(line, "\xe2\x80\xa6"));
	/* Wide characters: cut between two of them, so the line may end a column short. */
	line_of(out, "R-2 ", line, sizeof(line));
	assert_true(ends_with(line, "\xe2\x80\xa6"));
	assert_true(display_width(line, strlen(line)) >= 59);
	assert_int_equal(strncmp(line + title_col, "\xe4\xbf\x9d\xe5\xad\x98", 6), 0);
	line_of(out, "R-3 ", line, sizeof(line));
	assert_true(ends_with(line, "\xe2\x80\xa6"));
	assert_int_equal(strncmp(line + title_col, "Cafe\xcc\x81 Cafe\xcc\x81", 12), 0);

	/* Too narrow for the columns themselves: lines are cut, never wrapped. */
	assert_int_equal(run_w(f, out, sizeof(out), 24, "reports"), 0);
	assert_fits(out, 24);
	line_of(out, "R-1 ", line, sizeof(line));
	assert_true(ends_with(line, "\xe2\x80\xa6"));
	assert_true(display_width(line, strlen(line)) >= 20);

	/* groups: KIND and ASSIGNEE; a long assignee is cut too once the title is short. */
	assert_int_equal(e2e_prosumd_secret(&f->s,
					    "user add Alexandra.Konstantinopoulou-Smith --role developer",
					    out, sizeof(out)),
			 0);
	assert_int_equal(
	    run(f, out, sizeof(out), "set G-1 --assignee 'Alexandra.Konstantinopoulou-Smith'"), 0);
	assert_int_equal(run(f, out, sizeof(out), "groups"), 0);
	line_of(out, "ID  ", head, sizeof(head));
	assert_int_equal(
	    strncmp(head, "ID   STATUS  KIND      COUNT  TESTERS  LAST SEEN  FIXED IN  ASSIGNEE ",
		    69),
	    0);
	assert_true(ends_with(head, "  TITLE"));
	line_of(out, "G-1 ", line, sizeof(line));
	assert_int_equal(strncmp(line, "G-1  new     crash     1      1        ", 39), 0);
	assert_true(ends_with(line, "  -         Alexandra.Konstantinopoulou-Smith  " LONG_TITLE));
	assert_int_equal(run_w(f, out, sizeof(out), 100, "groups"), 0);
	assert_fits(out, 100);
	line_of(out, "G-1 ", line, sizeof(line));
	assert_true(display_width(line, strlen(line)) >= 98);
	/* The title keeps 20 columns; the assignee gives the rest. */
	{
		const char *a = strstr(line, "  Alexandra.Konst"),
			   *t = strstr(line, "  Crash when");
		assert_non_null(a);
		assert_non_null(t);
		assert_int_equal(strncmp(t - 3, "\xe2\x80\xa6", 3), 0);
		assert_true(display_width(t + 2, strlen(t + 2)) >= 19);
		assert_true(display_width(t + 2, strlen(t + 2)) <= 20);
		assert_true(ends_with(line, "\xe2\x80\xa6"));
	}
	line_of(out, "ID  ", head, sizeof(head));
	assert_true(ends_with(head, "  TITLE"));
	assert_non_null(strstr(head, "  ASSIGNEE "));
	/* The other lists fit too. */
	assert_int_equal(run(f, out, sizeof(out), "suggest --title '" LONG_TITLE "'"), 0);
	assert_int_equal(run_w(f, out, sizeof(out), 52, "suggestions"), 0);
	assert_fits(out, 52);
	if (!strstr(out, "S-1  new     1      -           Crash when opening\xe2\x80\xa6\n"))
		fail_msg("%s", out);
	assert_int_equal(run_w(f, out, sizeof(out), 40, "show G-1"), 0);
	assert_non_null(strstr(out, "latest reports (1 of 1):\n  ID   RECEIVED"));
}

/* ---- show G-n and attachments ---- */

/* Write len bytes to dir/name. */
static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* dir/name holds exactly data (len bytes). */
static void assert_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	unsigned char *got = malloc(len + 1);
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_non_null(got);
	n = fread(got, 1, len + 1, fp);
	fclose(fp);
	assert_int_equal(n, len);
	assert_memory_equal(got, data, len);
	free(got);
}

static int exists(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

/*
 * show G-n: the frames of the group's latest report and its latest reports.
 * attachment R-n NAME: the bytes as sent, to stdout or -o FILE; a missing
 * report or attachment is named, and FILE is left alone.
 */
static void test_show_group_attachment(void **state)
{
	fixture *f = *state;
	const char *doc = "{\"kind\":\"crash\",\"exception\":{\"type\":\"SIGSEGV\",\"value\":"
			  "\"invalid read at 0x0\"},\"frames\":[{\"function\":\"png_read_palette\","
			  "\"file\":\"src/png.c\",\"line\":120},{\"function\":\"main\",\"file\":"
			  "\"src/main.c\",\"line\":7,\"module\":\"viewer\"}]}";
	static unsigned char blob[70000]; /* several reads' worth, every byte value */
	char out[32768], line[1024];
	size_t i;

	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)((i * 7 + i / 256) & 0xff);
	write_file(f->s.dir, "crash.json", doc, strlen(doc));
	write_file(f->s.dir, "blob.bin", blob, sizeof(blob));
	write_file(f->s.dir, "my log.txt", "hello\n", 6);
	assert_int_equal(run(f, out, sizeof(out),
			     "report --json '%s/crash.json' --version 1.0 --attach '%s/blob.bin' "
			     "--attach '%s/my log.txt'",
			     f->s.dir, f->s.dir, f->s.dir),
			 0);
	assert_string_equal(out, "R-1\n");
	/* Another tester, another build, the same crash. */
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s PROSUM_SPOOL='%s/spool2' '%s' report --json '%s/crash.json' "
				"--version 1.1 --revision abc1234",
				f->env, f->s.dir, PROSUM_CLI_PATH, f->s.dir),
			 0);
	assert_string_equal(out, "R-2\n");
	assert_int_equal(run(f, out, sizeof(out), "report --title Other --version 1.0"), 0);
	assert_string_equal(out, "R-3\n");

	assert_int_equal(run(f, out, sizeof(out), "show g-1"), 0);
	assert_int_equal(strncmp(out, "G-1  new  crash  2 reports from 2 testers\n", 42), 0);
	assert_non_null(strstr(out, "frames (latest report, R-2):\n"
				    "  #0   png_read_palette at src/png.c:120\n"
				    "  #1   main at src/main.c:7 in viewer\n"
				    "latest reports (2 of 2):\n"
				    "  ID   RECEIVED  VERSION  REVISION  PLATFORM  STATUS\n"
				    "  R-2  "));
	line_of(out, "  R-2  ", line, sizeof(line));
	assert_non_null(strstr(line, "  1.1      abc1234   "));
	assert_true(ends_with(line, "  new"));
	line_of(out, "  R-1  ", line, sizeof(line));
	assert_non_null(strstr(line, "  1.0      -         "));
	assert_true(strstr(out, "  R-2  ") < strstr(out, "  R-1  "));
	/* --json: the group's answer as it is. */
	assert_int_equal(run(f, out, sizeof(out), "show G-1 --json"), 0);
	assert_int_equal(out[0], '{');
	assert_null(strstr(out, "latest reports"));
	/* A group without frames: its reports all the same, no frames section. */
	assert_int_equal(run(f, out, sizeof(out), "show G-2"), 0);
	assert_null(strstr(out, "frames"));
	assert_non_null(strstr(out, "latest reports (1 of 1):\n"));

	/* Downloads: to a file, to stdout, a name with a space. */
	assert_int_equal(
	    run(f, out, sizeof(out), "attachment r-1 blob.bin -o '%s/got.bin'", f->s.dir), 0);
	assert_string_equal(out, "");
	assert_file(f->s.dir, "got.bin", blob, sizeof(blob));
	assert_int_equal(
	    run(f, out, sizeof(out), "attachment R-1 blob.bin > '%s/stdout.bin'", f->s.dir), 0);
	assert_file(f->s.dir, "stdout.bin", blob, sizeof(blob));
	assert_int_equal(run(f, out, sizeof(out), "attachment R-1 'my log.txt' --output=-"), 0);
	assert_string_equal(out, "hello\n");
	/* Replacing a file that is there. */
	assert_int_equal(
	    run(f, out, sizeof(out), "attachment R-1 'my log.txt' -o '%s/got.bin'", f->s.dir), 0);
	assert_file(f->s.dir, "got.bin", "hello\n", 6);

	/* What is missing is named; the file asked for is neither made nor touched. */
	assert_int_equal(
	    run(f, out, sizeof(out), "attachment R-1 core.dump -o '%s/new.bin' 2>&1", f->s.dir), 1);
	assert_string_equal(out, "prosum: R-1 has no attachment \"core.dump\"; it has: blob.bin, "
				 "my log.txt\n");
	assert_false(exists(f->s.dir, "new.bin"));
	assert_int_equal(
	    run(f, out, sizeof(out), "attachment R-1 core.dump -o '%s/got.bin' 2>&1", f->s.dir), 1);
	assert_file(f->s.dir, "got.bin", "hello\n", 6);
	assert_int_equal(e2e_sh(out, sizeof(out), "ls -a '%s' | grep -c part", f->s.dir), 1);
	assert_string_equal(out, "0\n"); /* no temporary file left behind */
	assert_int_equal(run(f, out, sizeof(out), "attachment R-3 blob.bin 2>&1"), 1);
	assert_string_equal(out, "prosum: R-3 has no attachment \"blob.bin\"; it has none\n");
	assert_int_equal(run(f, out, sizeof(out), "attachment R-9 blob.bin 2>&1"), 1);
	assert_string_equal(out, "prosum: there is no report R-9\n");
	assert_int_equal(run(f, out, sizeof(out), "attachment G-1 blob.bin 2>&1"), 2);
	assert_int_equal(run(f, out, sizeof(out), "attachment R-1 2>&1"), 2);
	assert_string_equal(out, "prosum: attachment: missing argument (see prosum attachment "
				 "--help)\n");
	assert_int_equal(run(f, out, sizeof(out), "attachment R-1 blob.bin --json 2>&1"), 2);

	/* No answer at all: one line, through the one place that reports transport failures. */
	assert_int_equal(
	    run(f, out, sizeof(out), "attachment R-1 blob.bin --server https://127.0.0.1:1 2>&1"),
	    1);
	assert_int_equal(strncmp(out, "prosum: ", 8), 0);
	/* A server that cannot be reached is named by its origin, whatever was asked of it. */
	assert_non_null(strstr(out, "cannot reach https://127.0.0.1:1: "));
	assert_int_equal(strchr(out, '\n')[1], '\0');
}

/* A Sentry event and its user feedback: `show EVENT_ID` opens the event's report, and each
 * report names the other and the feedback's contact. */
static void test_show_sentry_feedback(void **state)
{
	static const char event[] = "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\","
				    "\"message\":\"Export button greyed out\",\"release\":\"1.0\"}";
	static const char feedback[] =
	    "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"user_report\"}\n"
	    "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"name\":\"Ada\",\"email\":"
	    "\"ada@example.org\",\"comments\":\"It happens after a save\"}\n";
	fixture *f = *state;
	char out[32768], auth[256];
	const char *h[] = {auth, NULL};
	e2e_response r;

	snprintf(auth, sizeof(auth), "X-Sentry-Auth: Sentry sentry_key=%s", f->s.key);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/store/", h, event, strlen(event), &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/envelope/", h, feedback,
				     strlen(feedback), &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);

	/* The id as the SDK returns it, dashed or not, in any case. */
	assert_int_equal(run(f, out, sizeof(out), "show 9EC79C33-EC99-42AB-8353-589FCB2E04DC"), 0);
	assert_int_equal(strncmp(out, "R-1  bug  new  group G-1\n", 25), 0);
	assert_non_null(strstr(out, "\nfeedback:    R-2\n"));
	assert_int_equal(run(f, out, sizeof(out), "show R-2"), 0);
	assert_int_equal(strncmp(out, "R-2  feedback  new  group G-2\n", 30), 0);
	assert_non_null(strstr(out, "\ncontact:     name Ada, email ada@example.org\n"));
	assert_non_null(strstr(out, "\nfeedback on: R-1\n"));
	/* An event id no report has: the server's answer, exit 1. */
	assert_int_equal(run(f, out, sizeof(out), "show 0123456789abcdef0123456789abcdef 2>&1"), 1);
	assert_non_null(strstr(out, "404 not_found: no report has this event id"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_help),
	    cmocka_unit_test_setup_teardown(test_tags_ids_times, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_table_width, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_show_group_attachment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_show_sentry_feedback, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
