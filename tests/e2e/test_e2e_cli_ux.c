/* test_e2e_cli_ux.c - the prosum command's help, option syntax, table widths, show G-n and
 * attachment downloads, against a real prosumd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

typedef struct fixture {
	e2e_server s;
	char env[2048]; /* server, token, CA, DSN and spool for command lines */
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (!f || e2e_setup(&f->s) < 0 || e2e_start(&f->s, NULL) < 0)
		goto fail;
	/* COLUMNS is cleared: into a pipe without it, nothing is cut unless a test says so. */
	snprintf(f->env, sizeof(f->env),
		 "COLUMNS= PROSUM_CACERT='%s' PROSUM_SERVER='%s' PROSUM_TOKEN='%s' "
		 "PROSUM_PROJECT=demo PROSUM_DSN='%s' PROSUM_SPOOL='%s/spool'",
		 f->s.cacert, f->s.url, f->s.token, f->s.dsn, f->s.dir);
	*state = f;
	return 0;
fail:
	if (f)
		e2e_destroy(&f->s);
	free(f);
	return -1;
}

static int teardown(void **state)
{
	fixture *f = *state;

	e2e_stop(&f->s);
	e2e_destroy(&f->s);
	free(f);
	return 0;
}

/* Run `prosum ARGS` with the fixture's environment; stdout in out. Exit status. */
static int run(fixture *f, char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int run(fixture *f, char *out, size_t outsz, const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return e2e_sh(out, outsz, "%s '%s' %s", f->env, PROSUM_CLI_PATH, args);
}

/* The same without a server: only the command line. */
static int run_bare(char *out, size_t outsz, const char *args)
{
	return e2e_sh(out, outsz, "COLUMNS= '%s' %s", PROSUM_CLI_PATH, args);
}

/* ---- Help and mistakes ---- */

static const char *const commands[] = {"report", "flush",   "suggest", "vote",
				       "mine",   "reports", "groups",  "suggestions",
				       "show",   "set",     "release", "sync",
				       "attachment"};

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
		    "  --severity WORD     how bad it is, such as critical, major, minor or trivial",
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
	assert_string_equal(out,
			    "prosum: report: unknown option \"--bogus\" (see prosum report --help)\n");
	assert_int_equal(run_bare(out, sizeof(out), "groups --colour=red 2>&1"), 2);
	assert_string_equal(out,
			    "prosum: groups: unknown option \"--colour\" (see prosum groups --help)\n");
	assert_int_equal(run_bare(out, sizeof(out), "reports -x 2>&1"), 2);
	assert_string_equal(out, "prosum: reports: unknown option \"-x\" (see prosum reports --help)\n");
	/* An option of another command is unknown here. */
	assert_int_equal(run_bare(out, sizeof(out), "groups --attach x 2>&1"), 2);
	assert_string_equal(out,
			    "prosum: groups: unknown option \"--attach\" (see prosum groups --help)\n");
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
				 "(see prosum --help)\n");
	assert_int_equal(run(f, out, sizeof(out), "reports --tag =intel 2>&1"), 2);
	assert_int_equal(run(f, out, sizeof(out), "report --title x --version 1 --tag gpu 2>&1"),
			 2);
	assert_string_equal(out, "prosum: --tag takes KEY=VALUE, not \"gpu\" (see prosum --help)\n");

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
	assert_int_equal(run(f, out, sizeof(out), "set r-2 --assignee ada"), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE assignee = 'ada'"),
			 1);
	assert_int_equal(run(f, out, sizeof(out), "suggest --title 'Dark mode'"), 0);
	assert_string_equal(out, "S-1\n");
	assert_int_equal(run(f, out, sizeof(out), "suggest --title 'Night theme'"), 0);
	assert_string_equal(out, "S-2\n");
	assert_int_equal(run(f, out, sizeof(out), "vote s-1"), 0);
	assert_string_equal(out, "1\n");
	assert_int_equal(run(f, out, sizeof(out), "set s-2 --duplicate-of s-1"), 0);
	assert_string_equal(out, "duplicate\n");
	assert_int_equal(run(f, out, sizeof(out), "set g-2 --merge-into g-1"), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM groups WHERE merged_into IS NOT "
					    "NULL"),
			 1);
	/* Not an id at all: still refused. */
	assert_int_equal(run(f, out, sizeof(out), "show x-1 2>&1"), 2);
	assert_string_equal(out, "prosum: show takes R-n, G-n or S-n, not \"x-1\" (see prosum "
				 "--help)\n");

	/* Times: a date is midnight UTC; RFC 3339 with an offset; ages. */
	assert_int_equal(run(f, out, sizeof(out), "reports --since 2000-01-01"), 0);
	assert_non_null(strstr(out, "\nR-1 "));
	assert_non_null(strstr(out, "\nR-2 "));
	assert_int_equal(run(f, out, sizeof(out), "reports --since 2099-01-01"), 0);
	assert_string_equal(out, "ID  GROUP  KIND  STATUS  VERSION  AGE  TITLE\n");
	assert_int_equal(run(f, out, sizeof(out), "reports --until 2000-01-01"), 0);
	assert_string_equal(out, "ID  GROUP  KIND  STATUS  VERSION  AGE  TITLE\n");
	assert_int_equal(
	    run(f, out, sizeof(out), "reports --since 2000-01-01T10:00:00+02:00 --until 2099-12-31"),
	    0);
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
		static const char *const bad[] = {"yesterday", "2026-02-30", "2026-13-01",
						  "2026-12-5", "7y",         "12:00",
						  "-7d",       ""};
		char expect[512];
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(
			    run(f, out, sizeof(out), "reports --since '%s' 2>&1", bad[i]), 2);
			snprintf(expect, sizeof(expect),
				 "prosum: --since takes a date (2026-12-05), an RFC 3339 time "
				 "(2026-12-05T10:15:00Z) or an age (30m, 12h, 7d), not \"%s\" "
				 "(see prosum --help)\n",
				 bad[i]);
			assert_string_equal(out, expect);
		}
	}
	assert_int_equal(run(f, out, sizeof(out), "groups --until soon 2>&1"), 2);
	assert_non_null(strstr(out, "prosum: --until takes a date (2026-12-05), "));
	assert_int_equal(run(f, out, sizeof(out), "mine --since soon 2>&1"), 2);
	assert_non_null(strstr(out, "prosum: --since takes a date (2026-12-05), "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_help),
	    cmocka_unit_test_setup_teardown(test_tags_ids_times, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
