/* cli_health.c - prosum health: a release's health per build, the change from the build before, and its gates for CI. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_api.h"
#include "cli/cli_print.h"

/* A percentage or "-" (null). */
static void pct_text(char *out, size_t n, const json_t *v)
{
	if (json_is_number(v))
		snprintf(out, n, "%.2f%%", json_number_value(v));
	else
		snprintf(out, n, "-");
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static json_int_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The plural ending of a count: "1 install", "2 installs". */
static const char *plural(json_int_t n)
{
	return n == 1 ? "" : "s";
}

/* "+0.50" points against the build before, or "-" without one. */
static void change_text(char *out, size_t n, const json_t *b)
{
	const json_t *c = json_object_get(json_object_get(b, "change"), "crash_free_sessions");
	const json_t *p = json_object_get(b, "previous");

	if (!json_is_object(p))
		snprintf(out, n, "first");
	else if (!json_is_number(c))
		snprintf(out, n, "- (%s)", str(p, "build"));
	else
		snprintf(out, n, "%+.2f (%s)", json_number_value(c), str(p, "build"));
}

static const char *const build_cols[] = {"BUILD",     "SESSIONS", "INSTALLS", "ADOPTION",
					 "CRASH-FREE", "CF-INSTALLS", "ERRORED", "ABNORMAL",
					 "MEDIAN", "RATING",      "VS PREVIOUS"};
#define NCOLS (sizeof(build_cols) / sizeof(build_cols[0]))

/* What a group without a name is called: a platform "unknown", a cohort or channel "(none)". */
static const char *unnamed(const char *by)
{
	return by && strcmp(by, "platform") == 0 ? "unknown" : "(none)";
}

/* One row of the table: a build, or with `name` a group of it (indented; `none` when ""). */
static int table_row(cli_table *t, const json_t *m, const char *name, const char *none, int build)
{
	char c[NCOLS][96];
	const char *cells[NCOLS];
	const json_t *med = json_object_get(m, "median_duration_s");
	size_t i;

	snprintf(c[0], sizeof(c[0]), "%s%s", build ? "" : "  ", name[0] ? name : none);
	snprintf(c[1], sizeof(c[1]), "%" JSON_INTEGER_FORMAT, num(m, "sessions"));
	snprintf(c[2], sizeof(c[2]), "%" JSON_INTEGER_FORMAT, num(m, "installs"));
	pct_text(c[3], sizeof(c[3]), json_object_get(m, "adoption"));
	pct_text(c[4], sizeof(c[4]), json_object_get(m, "crash_free_sessions"));
	pct_text(c[5], sizeof(c[5]), json_object_get(m, "crash_free_installs"));
	pct_text(c[6], sizeof(c[6]), json_object_get(m, "errored_rate"));
	pct_text(c[7], sizeof(c[7]), json_object_get(m, "abnormal_rate"));
	if (json_is_number(med))
		snprintf(c[8], sizeof(c[8]), "%.1fs", json_number_value(med));
	else
		snprintf(c[8], sizeof(c[8]), "-");
	/* the mean of the build's ratings and how many: "4.5 (2)" */
	if (json_is_number(json_object_get(json_object_get(m, "rating"), "mean")))
		snprintf(c[9], sizeof(c[9]), "%.1f (%" JSON_INTEGER_FORMAT ")",
			 json_number_value(json_object_get(json_object_get(m, "rating"), "mean")),
			 num(json_object_get(m, "rating"), "count"));
	else
		snprintf(c[9], sizeof(c[9]), "-");
	if (build)
		change_text(c[10], sizeof(c[10]), m);
	else
		snprintf(c[10], sizeof(c[10]), " ");
	for (i = 0; i < NCOLS; i++)
		cells[i] = c[i];
	return cli_table_add(t, cells);
}

/* With --by cohort: the crash groups of each cohort's reports, the cohort named first. */
static void print_cohort_crashes(const json_t *rel)
{
	const json_t *g, *cr;
	size_t i, k;
	int head = 0;

	json_array_foreach(json_object_get(rel, "groups"), i, g)
	{
		json_array_foreach(json_object_get(g, "crashes"), k, cr)
		{
			char title[120], share[32], cohort[80];

			if (!head++)
				printf("  crashes per cohort:\n");
			cli_text(cohort, sizeof(cohort), json_object_get(g, "name"));
			cli_text(title, sizeof(title), json_object_get(cr, "title"));
			pct_text(share, sizeof(share), json_object_get(cr, "share"));
			printf("    %s: %s  %" JSON_INTEGER_FORMAT " report%s from %" JSON_INTEGER_FORMAT
			       " install%s (%s of the cohort's crashed sessions)  %s\n",
			       cohort[0] ? cohort : "(none)", str(cr, "group"), num(cr, "reports"),
			       plural(num(cr, "reports")), num(cr, "installs"),
			       plural(num(cr, "installs")), share, title);
		}
	}
}

static void print_release(const json_t *rel, const char *by)
{
	cli_table *t = NULL;
	const json_t *b, *g, *cr;
	char cf[32], ci[32];
	size_t i, k;

	pct_text(cf, sizeof(cf), json_object_get(rel, "crash_free_sessions"));
	pct_text(ci, sizeof(ci), json_object_get(rel, "crash_free_installs"));
	printf("release %s: %" JSON_INTEGER_FORMAT " session%s (%" JSON_INTEGER_FORMAT
	       " crashed), %" JSON_INTEGER_FORMAT " install%s (%" JSON_INTEGER_FORMAT
	       " crashed); crash-free sessions %s, installs %s\n",
	       str(rel, "release"), num(rel, "sessions"), plural(num(rel, "sessions")),
	       num(rel, "crashed"), num(rel, "installs"), plural(num(rel, "installs")),
	       num(rel, "crashed_installs"), cf, ci);
	if (cli_table_new(&t, NCOLS, build_cols) < 0)
		return;
	cli_table_indent(t, 2);
	json_array_foreach(json_object_get(rel, "builds"), i, b)
	{
		table_row(t, b, str(b, "build"), "(none)", 1);
		if (by)
			json_array_foreach(json_object_get(b, "groups"), k, g)
				table_row(t, g, str(g, "name"), unnamed(by), 0);
	}
	cli_table_print(t, stdout, cli_output_width());
	cli_table_free(t);
	if (json_array_size(json_object_get(rel, "crashes")) > 0)
		printf("  crashes costing the most sessions:\n");
	json_array_foreach(json_object_get(rel, "crashes"), i, cr)
	{
		char title[120], share[32];

		cli_text(title, sizeof(title), json_object_get(cr, "title"));
		pct_text(share, sizeof(share), json_object_get(cr, "share"));
		printf("    %s  %" JSON_INTEGER_FORMAT " report%s from %" JSON_INTEGER_FORMAT
		       " install%s (%s of crashed sessions)  %s\n",
		       str(cr, "group"), num(cr, "reports"), plural(num(cr, "reports")),
		       num(cr, "installs"), plural(num(cr, "installs")), share, title);
	}
	if (by && strcmp(by, "cohort") == 0)
		print_cohort_crashes(rel);
}

/* The verdict of the gates on the newest build of the first release: its exit status. */
static int print_check(const json_t *root)
{
	const json_t *rel = json_array_get(json_object_get(root, "releases"), 0);
	const json_t *check = json_object_get(rel, "check"), *g, *b;
	const char *status = str(check, "status");
	size_t i;

	if (!rel) {
		if (json_array_size(json_object_get(root, "gates")) == 0) {
			printf("check: no gates are set\n");
			return 0;
		}
		printf("check: not enough sessions: no sessions in the window\n");
		return CLI_EXIT_HEALTH_UNDECIDED;
	}
	b = json_array_get(json_object_get(rel, "builds"), 0);
	json_array_foreach(json_object_get(b, "gates"), i, g)
	{
		char actual[32];

		pct_text(actual, sizeof(actual), json_object_get(g, "actual"));
		printf("gate %s %s %g over >= %" JSON_INTEGER_FORMAT " sessions: %s (%s, %"
		       JSON_INTEGER_FORMAT " sessions)\n",
		       str(g, "metric"), str(g, "op"), json_number_value(json_object_get(g, "value")),
		       num(g, "min_sessions"), str(g, "status"), actual, num(b, "sessions"));
	}
	if (strcmp(status, "none") == 0) {
		printf("check: no gates are set\n");
		return 0;
	}
	if (strcmp(status, "pass") == 0) {
		printf("check: %s build %s meets every gate\n", str(rel, "release"),
		       str(check, "build"));
		return 0;
	}
	if (strcmp(status, "fail") == 0) {
		const json_t *m;
		char failed[256] = "";
		size_t used = 0;

		json_array_foreach(json_object_get(check, "failed"), i, m)
		{
			int w = snprintf(failed + used, sizeof(failed) - used, "%s%s", i ? ", " : "",
					 json_string_value(m) ? json_string_value(m) : "");
			if (w < 0 || (size_t)w >= sizeof(failed) - used)
				break;
			used += (size_t)w;
		}
		return cli_fail("check: %s build %s fails the gate%s %s", str(rel, "release"),
				str(check, "build"),
				json_array_size(json_object_get(check, "failed")) == 1 ? "" : "s",
				failed);
	}
	fprintf(stderr, "prosum: check: %s build %s has not enough sessions to decide\n",
		str(rel, "release"), str(check, "build")[0] ? str(check, "build") : "-");
	return CLI_EXIT_HEALTH_UNDECIDED;
}

int cli_health(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	json_t *root = NULL, *rel;
	buf q = BUF_INIT(4096), path = BUF_INIT(8192);
	cli_api x;
	size_t i;
	int rc;

	if (a->npos == 1 && strcmp(a->pos[0], "gates") == 0)
		return cli_health_gates(a);
	if (a->npos == 1)
		return cli_usage_error("health takes gates or nothing, not \"%s\"", a->pos[0]);
	if (a->ngates || a->clear || a->min_sessions)
		return cli_usage_error("--set, --clear and --min-sessions go with prosum health gates");
	memset(&x, 0, sizeof(x));
	if (a->by && strcmp(a->by, "cohort") != 0 && strcmp(a->by, "channel") != 0 &&
	    strcmp(a->by, "platform") != 0)
		return cli_usage_error("--by takes cohort, channel or platform, not \"%s\"", a->by);
	rc = cli_api_open_token(&x, a);
	if (rc)
		goto out;
	if (cli_api_param(&q, "release", a->release_name) || cli_api_param(&q, "by", a->by) ||
	    cli_api_param(&q, "days", a->days) || buf_printf(&path, "/health%s", q.p ? q.p : "")) {
		rc = cli_fail("the options are too long");
		goto out;
	}
	rc = cli_api_call(&x, &ans, &root, "GET", path.p, NULL);
	if (rc)
		goto out;
	if (a->json)
		cli_api_print_raw(&ans);
	else if (json_array_size(json_object_get(root, "releases")) == 0)
		printf("no sessions%s%s in the last %" JSON_INTEGER_FORMAT " days\n",
		       a->release_name ? " of " : "", a->release_name ? a->release_name : "",
		       num(root, "days"));
	else
		json_array_foreach(json_object_get(root, "releases"), i, rel)
			print_release(rel, a->by);
	if (a->check)
		rc = print_check(root);
out:
	json_decref(root);
	transport_answer_free(&ans);
	buf_free(&q);
	buf_free(&path);
	cli_api_close(&x);
	return rc;
}
