/* cli_triage.c - the team's commands with a token: lists, show, set, releases and sync. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_api.h"
#include "cli/cli_print.h"
#include "prosum.h"
#include "common/buf.h"
#include "lib/prosum_tool.h"

/* Is `s` one of the NULL-terminated `words`? */
static int one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

static const char *const kinds[] = {"crash", "bug", "feedback", NULL};
static const char *const report_statuses[] = {"new",     "triaged",   "in_progress", "fixed",
					      "wontfix", "duplicate", "regressed",   NULL};
static const char *const suggestion_statuses[] = {
    "new", "under_review", "planned", "in_progress", "shipped", "declined", "duplicate", NULL};

/* Check --limit and --sort, --since and --until (into since/until, 64 bytes each). */
static int list_options(const cli_args *a, const char *const *sorts, const char *sort_text,
			char *since, char *until)
{
	long limit;

	if (a->limit && (cli_parse_count(a->limit, &limit) != 0 || limit == 0 || limit > 500))
		return cli_usage_error("--limit takes a number from 1 to 500, not \"%s\"",
				       a->limit);
	if (a->sort && !one_of(a->sort, sorts))
		return cli_usage_error("--sort takes %s, not \"%s\"", sort_text, a->sort);
	if (a->since && cli_time_option("since", a->since, since) != 0)
		return CLI_EXIT_USAGE;
	if (a->until && cli_time_option("until", a->until, until) != 0)
		return CLI_EXIT_USAGE;
	return 0;
}

/* --kind and --status of reports and groups. */
static int report_filters(const cli_args *a)
{
	if (a->kind && !one_of(a->kind, kinds))
		return cli_usage_error("--kind takes crash, bug or feedback, not \"%s\"", a->kind);
	if (a->status && !one_of(a->status, report_statuses))
		return cli_usage_error("--status takes new, triaged, in_progress, fixed, wontfix, "
				       "duplicate or regressed, not \"%s\"",
				       a->status);
	return 0;
}

/* "more: --cursor C" on stderr when the list goes on. */
static void more(const json_t *root)
{
	json_t *next = json_object_get(root, "next");
	char cur[512];

	if (!json_is_string(next) || json_string_length(next) == 0)
		return;
	cli_text(cur, sizeof(cur), next);
	fprintf(stderr, "more: --cursor %s\n", cur);
}

/*
 * GET a list at `path` and print it as a table: one row per item from `row`,
 * or the answer as it is with --json. The columns whose bit is set in `cut`
 * hold free text that may be cut to fit the terminal (the last always may).
 * 0 or an exit status.
 */
static int list(cli_api *x, const cli_args *a, const char *path, size_t ncols,
		const char *const *names, unsigned int cut,
		void (*row)(const json_t *item, char **cells, time_t now))
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	json_t *root = NULL, *items, *item;
	cli_table *t = NULL;
	char **cells = NULL;
	time_t now = time(NULL);
	size_t i;
	int rc = cli_api_call(x, &ans, &root, "GET", path, NULL);

	if (rc)
		goto out;
	if (a->json) {
		cli_api_print_raw(&ans);
		goto out;
	}
	items = json_object_get(root, "items");
	if (!json_is_array(items)) {
		rc = cli_fail("the answer has no \"items\" list");
		goto out;
	}
	cells = calloc(ncols, sizeof(*cells));
	for (i = 0; cells && i < ncols; i++) {
		cells[i] = malloc(512);
		if (!cells[i])
			break;
	}
	if (!cells || i < ncols || cli_table_new(&t, ncols, names) != 0) {
		rc = cli_fail("out of memory");
		goto out;
	}
	for (i = 0; i < ncols; i++)
		if (cut & (1u << i))
			cli_table_cuttable(t, i);
	json_array_foreach(items, i, item)
	{
		row(item, cells, now);
		if (cli_table_add(t, (const char *const *)cells) != 0) {
			rc = cli_fail("out of memory");
			goto out;
		}
	}
	cli_table_print(t, stdout, cli_output_width());
	more(root);
out:
	for (i = 0; cells && i < ncols; i++)
		free(cells[i]);
	free(cells);
	cli_table_free(t);
	json_decref(root);
	transport_answer_free(&ans);
	return rc;
}

#define CELL 512

static void report_row(const json_t *it, char **c, time_t now)
{
	cli_text(c[0], CELL, json_object_get(it, "id"));
	cli_text(c[1], CELL, json_object_get(it, "group"));
	cli_text(c[2], CELL, json_object_get(it, "kind"));
	cli_text(c[3], CELL, json_object_get(it, "status"));
	cli_text(c[4], CELL, json_object_get(it, "version"));
	cli_age(c[5], CELL, json_object_get(it, "received_at"), now);
	cli_text(c[6], CELL, json_object_get(it, "title"));
}

/*
 * A tag filter as the API takes it, NAME:VALUE, from KEY=VALUE (the syntax
 * of `prosum report --tag`) or from NAME:VALUE itself. 0 or -1.
 */
static int tag_filter(const char *s, char *out, size_t n)
{
	size_t eq = strcspn(s, "="), colon = strcspn(s, ":");

	if (s[eq] == '=' && eq < colon) {
		if (eq == 0 || strlen(s) >= n)
			return -1;
		memcpy(out, s, eq);
		out[eq] = ':';
		memcpy(out + eq + 1, s + eq + 1, strlen(s + eq + 1) + 1);
		return 0;
	}
	if (s[colon] != ':' || colon == 0 || strlen(s) >= n)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* prosum reports: a filtered, searched page of reports, or the whole filtered set exported. */
int cli_reports(const cli_args *a)
{
	static const char *const names[] = {"ID",      "GROUP", "KIND", "STATUS",
					    "VERSION", "AGE",   "TITLE"};
	static const char *const sorts[] = {"newest", "oldest", NULL};
	static const char *const formats[] = {"csv", "jsonl", NULL};
	buf q = BUF_INIT(8192), path = BUF_INIT(16384);
	char since[64], until[64], tag[1024];
	cli_args b = *a;
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = list_options(a, sorts, "newest or oldest", since, until);
	if (rc == 0)
		rc = report_filters(a);
	if (rc)
		goto out;
	if (a->group && !cli_is_id(a->group, 'G')) {
		rc = cli_usage_error("--group takes a group id such as G-3, not \"%s\"", a->group);
		goto out;
	}
	if (a->tag && tag_filter(a->tag, tag, sizeof(tag)) != 0) {
		rc = cli_usage_error("--tag takes KEY=VALUE such as gpu=intel, not \"%s\"", a->tag);
		goto out;
	}
	if (a->format) {
		if (!one_of(a->format, formats)) {
			rc = cli_usage_error("--format takes csv or jsonl, not \"%s\"", a->format);
			goto out;
		}
		if (a->json || a->limit || a->cursor) {
			rc = cli_usage_error("--format exports the whole filtered set: it goes "
					     "without --json, --limit and --cursor");
			goto out;
		}
		/* An export takes as long as it takes; silence is still cut off. */
		if (!b.timeout)
			b.timeout = "0";
	}
	rc = cli_api_open_token(&x, &b);
	if (rc)
		goto out;
	if (cli_api_param(&q, "kind", a->kind) || cli_api_param(&q, "status", a->status) ||
	    cli_api_param(&q, "group", a->group) || cli_api_param(&q, "revision", a->revision) ||
	    cli_api_param(&q, "version", a->version) ||
	    cli_api_param(&q, "platform", a->platform) ||
	    cli_api_param(&q, "cohort", a->cohort) ||
	    cli_api_param(&q, "tag", a->tag ? tag : NULL) ||
	    cli_api_param(&q, "since", a->since ? since : NULL) ||
	    cli_api_param(&q, "until", a->until ? until : NULL) ||
	    cli_api_param(&q, "sort", a->sort) || cli_api_param(&q, "q", a->query) ||
	    cli_api_param(&q, "limit", a->limit) || cli_api_param(&q, "cursor", a->cursor) ||
	    cli_api_param(&q, "format", a->format) ||
	    buf_printf(&path, "/reports%s", q.p ? q.p : "")) {
		rc = cli_fail("the filters are too long");
		goto out;
	}
	if (a->format)
		rc = cli_api_stream(&x, path.p);
	else
		rc = list(&x, a, path.p, 7, names, 1u << 4, report_row);
out:
	buf_free(&q);
	buf_free(&path);
	cli_api_close(&x);
	return rc;
}

static void group_row(const json_t *it, char **c, time_t now)
{
	cli_text(c[0], CELL, json_object_get(it, "id"));
	cli_text(c[1], CELL, json_object_get(it, "status"));
	cli_text(c[2], CELL, json_object_get(it, "kind"));
	cli_text(c[3], CELL, json_object_get(it, "count"));
	cli_text(c[4], CELL, json_object_get(it, "testers"));
	cli_age(c[5], CELL, json_object_get(it, "last_seen"), now);
	cli_text(c[6], CELL, json_object_get(it, "fixed_in"));
	cli_text(c[7], CELL, json_object_get(it, "assignee"));
	cli_text(c[8], CELL, json_object_get(it, "title"));
}

/* prosum groups: duplicate groups, most recent first unless --sort says. */
int cli_groups(const cli_args *a)
{
	static const char *const names[] = {"ID",        "STATUS",   "KIND",     "COUNT", "TESTERS",
					    "LAST SEEN", "FIXED IN", "ASSIGNEE", "TITLE"};
	static const char *const sorts[] = {"newest", "oldest", "count", "testers", NULL};
	buf q = BUF_INIT(8192), path = BUF_INIT(16384);
	char since[64], until[64];
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = list_options(a, sorts, "newest, oldest, count or testers", since, until);
	if (rc == 0)
		rc = report_filters(a);
	if (rc == 0)
		rc = cli_api_open_token(&x, a);
	if (rc)
		goto out;
	if (cli_api_param(&q, "status", a->status) || cli_api_param(&q, "kind", a->kind) ||
	    cli_api_param(&q, "version", a->version) ||
	    cli_api_param(&q, "platform", a->platform) ||
	    cli_api_param(&q, "since", a->since ? since : NULL) ||
	    cli_api_param(&q, "until", a->until ? until : NULL) ||
	    cli_api_param(&q, "sort", a->sort) || cli_api_param(&q, "limit", a->limit) ||
	    cli_api_param(&q, "cursor", a->cursor) ||
	    buf_printf(&path, "/groups%s", q.p ? q.p : "")) {
		rc = cli_fail("the filters are too long");
		goto out;
	}
	rc = list(&x, a, path.p, 9, names, (1u << 6) | (1u << 7), group_row);
out:
	buf_free(&q);
	buf_free(&path);
	cli_api_close(&x);
	return rc;
}

static void suggestion_row(const json_t *it, char **c, time_t now)
{
	(void)now;
	cli_text(c[0], CELL, json_object_get(it, "id"));
	cli_text(c[1], CELL, json_object_get(it, "status"));
	cli_text(c[2], CELL, json_object_get(it, "votes"));
	cli_text(c[3], CELL, json_object_get(it, "shipped_in"));
	cli_text(c[4], CELL, json_object_get(it, "title"));
}

/* prosum suggestions: the community's suggestions, most votes first unless --sort says. */
int cli_suggestions(const cli_args *a)
{
	static const char *const names[] = {"ID", "STATUS", "VOTES", "SHIPPED IN", "TITLE"};
	static const char *const sorts[] = {"votes", "newest", NULL};
	buf q = BUF_INIT(8192), path = BUF_INIT(16384);
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = list_options(a, sorts, "votes or newest", NULL, NULL);
	if (rc == 0 && a->status && !one_of(a->status, suggestion_statuses))
		rc = cli_usage_error("--status takes new, under_review, planned, in_progress, "
				     "shipped, declined or duplicate, not \"%s\"",
				     a->status);
	if (rc == 0)
		rc = cli_api_open_token(&x, a);
	if (rc)
		goto out;
	if (cli_api_param(&q, "status", a->status) || cli_api_param(&q, "sort", a->sort) ||
	    cli_api_param(&q, "q", a->query) || cli_api_param(&q, "limit", a->limit) ||
	    cli_api_param(&q, "cursor", a->cursor) ||
	    buf_printf(&path, "/suggestions%s", q.p ? q.p : "")) {
		rc = cli_fail("the filters are too long");
		goto out;
	}
	rc = list(&x, a, path.p, 5, names, 1u << 3, suggestion_row);
out:
	buf_free(&q);
	buf_free(&path);
	cli_api_close(&x);
	return rc;
}

/* The collection an item id lives in ("reports" for R-n ...), or NULL for anything else. */
static const char *collection_of(const char *id)
{
	if (cli_is_id(id, 'R'))
		return "reports";
	if (cli_is_id(id, 'G'))
		return "groups";
	if (cli_is_id(id, 'S'))
		return "suggestions";
	return NULL;
}

/* How many of a group's latest reports `prosum show G-n` lists. */
#define SHOW_REPORTS 5

/*
 * What a group's answer lacks: its latest reports (GET .../reports?group=)
 * and, from the newest of them, the frames. *reports and *latest are NULL
 * when the group has no report of its own (merged away). 0 or an exit status.
 */
static int group_reports(cli_api *x, const char *id, json_t **reports, json_t **latest)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	json_t *root = NULL, *items;
	char path[128], rid[64];
	int rc;

	*reports = *latest = NULL;
	snprintf(path, sizeof(path), "/reports?group=%s&limit=%d", id, SHOW_REPORTS);
	rc = cli_api_call(x, &ans, &root, "GET", path, NULL);
	if (rc)
		goto out;
	items = json_object_get(root, "items");
	if (!json_is_array(items) || json_array_size(items) == 0)
		goto out;
	*reports = json_incref(items);
	cli_text(rid, sizeof(rid), json_object_get(json_array_get(items, 0), "id"));
	if (!cli_is_id(rid, 'R'))
		goto out;
	snprintf(path, sizeof(path), "/reports/%s", rid);
	transport_answer_free(&ans);
	rc = cli_api_call(x, &ans, latest, "GET", path, NULL);
out:
	json_decref(root);
	transport_answer_free(&ans);
	return rc;
}

/* A Sentry event id: 32 hex digits, dashes allowed (as SDKs print and return it). */
static int is_event_id(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s == '-')
			continue;
		if (!isxdigit((unsigned char)*s) || ++n > 32)
			return 0;
	}
	return n == 32;
}

/* The R-n of the report of Sentry event `event_id` into rid (GET .../reports/by-event/). */
static int report_of_event(cli_api *x, const char *event_id, char rid[64])
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	json_t *root = NULL;
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "/reports/by-event/%s", event_id);
	rc = cli_api_call(x, &ans, &root, "GET", path, NULL);
	if (rc == 0) {
		cli_text(rid, 64, json_object_get(root, "id"));
		if (!cli_is_id(rid, 'R'))
			rc = cli_fail("the answer names no report");
	}
	json_decref(root);
	transport_answer_free(&ans);
	return rc;
}

/* prosum show: one report, group or suggestion, readable; a Sentry event id shows its report. */
int cli_show(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	const char *id = a->pos[0], *what = collection_of(id);
	json_t *root = NULL, *reports = NULL, *latest = NULL;
	char path[160], rid[64] = "";
	time_t now = time(NULL);
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (!what && !is_event_id(id))
		return cli_usage_error("show takes R-n, G-n, S-n or a Sentry event id, not \"%s\"",
				       id);
	rc = cli_api_open_token(&x, a);
	if (!what) { /* a Sentry event id: its report */
		if (rc == 0)
			rc = report_of_event(&x, id, rid);
		id = rid;
		what = "reports";
	}
	if (rc)
		goto out;
	snprintf(path, sizeof(path), "/%s/%s", what, id);
	rc = cli_api_call(&x, &ans, &root, "GET", path, NULL);
	if (rc)
		goto out;
	if (a->json) {
		cli_api_print_raw(&ans);
	} else if (!json_is_object(root)) {
		rc = cli_fail("the answer is not a JSON object");
	} else if (id[0] == 'R') {
		cli_show_report(root, now);
	} else if (id[0] == 'G') {
		rc = group_reports(&x, id, &reports, &latest);
		if (rc == 0)
			cli_show_group(root, reports, latest, now);
	} else {
		cli_show_suggestion(root, now);
	}
out:
	json_decref(root);
	json_decref(reports);
	json_decref(latest);
	transport_answer_free(&ans);
	cli_api_close(&x);
	return rc;
}

/* Add key: value to the change; an empty value clears the field (JSON null). -1: not UTF-8. */
static int change(json_t *doc, const char *key, const char *value, int empty_clears)
{
	if (!value)
		return 0;
	if (empty_clears && !value[0])
		return json_object_set_new(doc, key, json_null());
	return json_object_set_new(doc, key, json_string(value));
}

/* prosum set: change a report, group or suggestion; prints its status afterwards. */
int cli_set(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	const char *id = a->pos[0], *what = collection_of(id);
	json_t *doc = NULL, *root = NULL, *status;
	char path[64], text[128];
	cli_api x;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	if (!what)
		return cli_usage_error("set takes R-n, G-n or S-n, not \"%s\"", id);
	/* Each kind of item has its own changes: say so before asking the server. */
	if (id[0] == 'S') {
		if (a->assignee || a->fixed_by || a->merge_into)
			return cli_usage_error("a suggestion takes --status, --duplicate-of, "
					       "--shipped-in and --comment");
		if (a->status && !one_of(a->status, suggestion_statuses))
			return cli_usage_error("--status of a suggestion takes new, under_review, "
					       "planned, in_progress, shipped, declined or "
					       "duplicate, not \"%s\"",
					       a->status);
		if (a->duplicate_of && !cli_is_id(a->duplicate_of, 'S'))
			return cli_usage_error("--duplicate-of takes a suggestion id such as S-3, "
					       "not \"%s\"",
					       a->duplicate_of);
	} else {
		if (a->duplicate_of || a->shipped_in)
			return cli_usage_error(
			    "--duplicate-of and --shipped-in are for suggestions "
			    "(S-n)");
		if (a->merge_into && id[0] != 'G')
			return cli_usage_error("--merge-into is for groups (G-n)");
		if (a->merge_into && !cli_is_id(a->merge_into, 'G'))
			return cli_usage_error("--merge-into takes a group id such as G-1, not "
					       "\"%s\"",
					       a->merge_into);
		if (a->status && !one_of(a->status, report_statuses))
			return cli_usage_error("--status takes new, triaged, in_progress, fixed, "
					       "wontfix, duplicate or regressed, not \"%s\"",
					       a->status);
	}
	if (!a->status && !a->assignee && !a->fixed_by && !a->comment && !a->merge_into &&
	    !a->duplicate_of && !a->shipped_in)
		return cli_usage_error("set: nothing to change: give --status, --comment or "
				       "another change");
	doc = json_object();
	if (!doc || change(doc, "status", a->status, 0) ||
	    change(doc, "assignee", a->assignee, 1) || change(doc, "fixed_by", a->fixed_by, 1) ||
	    change(doc, "comment", a->comment, 0) || change(doc, "merge_into", a->merge_into, 0) ||
	    change(doc, "duplicate_of", a->duplicate_of, 0) ||
	    change(doc, "shipped_in", a->shipped_in, 0)) {
		rc = cli_fail("the changes must be UTF-8 text");
		goto out;
	}
	snprintf(path, sizeof(path), "/%s/%s", what, id);
	rc = cli_api_open_token(&x, a);
	if (rc == 0)
		rc = cli_api_call(&x, &ans, &root, "PATCH", path, doc);
	if (rc)
		goto out;
	if (a->json) {
		cli_api_print_raw(&ans);
		goto out;
	}
	status = json_object_get(root, "status");
	if (!json_is_string(status)) {
		rc = cli_fail("the answer has no \"status\"");
		goto out;
	}
	cli_text(text, sizeof(text), status);
	printf("%s\n", text);
out:
	json_decref(doc);
	json_decref(root);
	transport_answer_free(&ans);
	cli_api_close(&x);
	return rc;
}

static void release_row(const json_t *it, char **c, time_t now)
{
	char commit[64];

	cli_text(c[0], CELL, json_object_get(it, "name"));
	cli_text(c[1], CELL, json_object_get(it, "ref"));
	cli_text(commit, sizeof(commit), json_object_get(it, "commit"));
	snprintf(c[2], CELL, "%.12s", commit);
	cli_text(c[3], CELL, json_object_get(it, "shipped_suggestions"));
	cli_text(c[4], CELL, json_object_get(it, "fixed_groups"));
	cli_text(c[5], CELL, json_object_get(it, "fixed_reports"));
	cli_age(c[6], CELL, json_object_get(it, "created_at"), now);
}

/* prosum release add NAME --ref REF: register a release at a git ref. */
static int release_add(cli_api *x, const cli_args *a, const char *name)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	json_t *doc = json_pack("{s:s,s:s}", "name", name, "ref", a->ref), *root = NULL;
	char n[160], ref[320], commit[64];
	int rc;

	if (!doc) {
		rc = cli_fail("the name and the ref must be UTF-8 text");
		goto out;
	}
	rc = cli_api_call(x, &ans, &root, "POST", "/releases", doc);
	if (rc)
		goto out;
	if (a->json) {
		cli_api_print_raw(&ans);
		goto out;
	}
	cli_text(n, sizeof(n), json_object_get(root, "name"));
	cli_text(ref, sizeof(ref), json_object_get(root, "ref"));
	cli_text(commit, sizeof(commit), json_object_get(root, "commit"));
	printf("release %s: %s at commit %.12s\n", n, ref, commit);
out:
	json_decref(doc);
	json_decref(root);
	transport_answer_free(&ans);
	return rc;
}

/* prosum release show NAME [--notes]: what a release shipped and fixed, or its notes. */
static int release_show(cli_api *x, const cli_args *a, const char *name)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	buf path = BUF_INIT(1024);
	json_t *root = NULL;
	char *esc = transport_escape(name);
	int rc = 0;

	if (!esc || buf_printf(&path, "/releases/%s%s", esc, a->notes ? "/notes" : "") != 0) {
		rc = cli_fail("out of memory");
		goto out;
	}
	/* The notes are Markdown, printed as they come. */
	rc = cli_api_call(x, &ans, a->notes ? NULL : &root, "GET", path.p, NULL);
	if (rc)
		goto out;
	if (a->json || a->notes)
		cli_api_print_raw(&ans);
	else if (!json_is_object(root))
		rc = cli_fail("the answer is not a JSON object");
	else
		cli_show_release(root, time(NULL));
out:
	free(esc);
	json_decref(root);
	transport_answer_free(&ans);
	buf_free(&path);
	return rc;
}

/* prosum release add|show|list. */
int cli_release(const cli_args *a)
{
	static const char *const names[] = {"NAME",   "REF",   "COMMIT",    "SHIPPED",
					    "GROUPS", "FIXED", "REGISTERED"};
	const char *verb = a->pos[0], *name = a->npos > 1 ? a->pos[1] : NULL;
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (strcmp(verb, "add") == 0) {
		if (!name || !a->ref)
			return cli_usage_error("release add NAME --ref REF");
		if (a->notes)
			return cli_usage_error("--notes goes with release show");
	} else if (strcmp(verb, "show") == 0) {
		if (!name)
			return cli_usage_error("release show NAME [--notes]");
		if (a->ref)
			return cli_usage_error("--ref goes with release add");
	} else if (strcmp(verb, "list") == 0) {
		if (name || a->ref || a->notes)
			return cli_usage_error("release list takes no name, --ref or --notes");
	} else {
		return cli_usage_error("release takes add, show or list, not \"%s\"", verb);
	}
	rc = cli_api_open_token(&x, a);
	if (rc)
		goto out;
	if (verb[0] == 'a')
		rc = release_add(&x, a, name);
	else if (verb[0] == 's')
		rc = release_show(&x, a, name);
	else
		rc = list(&x, a, "/releases", 7, names, (1u << 0) | (1u << 1), release_row);
out:
	cli_api_close(&x);
	return rc;
}

/* prosum sync: the server reads the project's repository again and links what is new. */
int cli_sync(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	json_t *root = NULL;
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = cli_api_open_token(&x, a);
	if (rc == 0)
		rc = cli_api_call(&x, &ans, &root, "POST", "/sync", NULL);
	if (rc)
		goto out;
	if (a->json) {
		cli_api_print_raw(&ans);
		goto out;
	}
	printf("%" JSON_INTEGER_FORMAT " new commits, %" JSON_INTEGER_FORMAT
	       " links, %" JSON_INTEGER_FORMAT " revisions resolved",
	       json_integer_value(json_object_get(root, "new_commits")),
	       json_integer_value(json_object_get(root, "links")),
	       json_integer_value(json_object_get(root, "resolved")));
	{
		json_int_t regressed = json_integer_value(json_object_get(root, "regressed"));

		if (regressed > 0) /* said only when some did: a build held the fix just linked */
			printf(", %" JSON_INTEGER_FORMAT " group%s regressed", regressed,
			       regressed == 1 ? "" : "s");
	}
	printf("\n");
out:
	json_decref(root);
	transport_answer_free(&ans);
	cli_api_close(&x);
	return rc;
}

/*
 * After a 404 for R-n's attachment NAME: say which is missing, the report
 * or the attachment, and what the report has. Returns CLI_EXIT_FAIL.
 */
static int attachment_missing(cli_api *x, const char *id, const char *name)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	json_t *root = NULL, *list, *v;
	buf names = BUF_INIT(4096);
	char path[64], n[256];
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "/reports/%s", id);
	rc = cli_api_get_quiet_404(x, &ans, &root, path);
	if (rc && ans.status == 404)
		rc = cli_fail("there is no report %s", id);
	if (rc)
		goto out;
	list = json_object_get(root, "attachments");
	json_array_foreach(list, i, v)
	{
		cli_text(n, sizeof(n), json_is_object(v) ? json_object_get(v, "name") : v);
		buf_printf(&names, "%s%s", names.len ? ", " : "", n);
	}
	rc = cli_fail("%s has no attachment \"%s\"; %s%s", id, name,
		      names.len ? "it has: " : "it has none", names.len ? names.p : "");
out:
	json_decref(root);
	buf_free(&names);
	transport_answer_free(&ans);
	return rc;
}

/*
 * A temporary file beside `target` for a download to land in, so that
 * `target` is replaced only by a complete file. Caller owns *f and *tmp.
 */
static int open_beside(const char *target, char **tmp, FILE **f)
{
	size_t n = strlen(target) + 16;
	mode_t mask;
	int fd = -1, rc;

	*f = NULL;
	*tmp = malloc(n);
	if (!*tmp)
		return cli_fail("out of memory");
	snprintf(*tmp, n, "%s.partXXXXXX", target);
	fd = mkstemp(*tmp);
	if (fd < 0)
		goto fail;
	/* A download gets the usual mode of a new file, not mkstemp's 0600. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0)
		goto fail;
	*f = fdopen(fd, "wb");
	if (!*f)
		goto fail;
	return 0;
fail:
	rc = cli_fail("cannot write %s: %s", target, strerror(errno));
	if (fd >= 0) {
		close(fd);
		unlink(*tmp);
	}
	free(*tmp);
	*tmp = NULL;
	return rc;
}

/* prosum attachment R-n NAME [-o FILE]: a report's attachment, byte for byte. */
int cli_attachment(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	const char *id = a->pos[0], *name = a->pos[1];
	int to_file = a->output && strcmp(a->output, "-") != 0;
	buf path = BUF_INIT(1024);
	char *esc = NULL, *tmp = NULL;
	FILE *out = stdout;
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (!cli_is_id(id, 'R'))
		return cli_usage_error("attachment takes a report id such as R-12, not \"%s\"", id);
	if (!name[0])
		return cli_usage_error("attachment: the attachment's name is empty");
	esc = transport_escape(name);
	if (!esc || buf_printf(&path, "/reports/%s/attachments/%s", id, esc) != 0) {
		rc = cli_fail("the attachment's name is too long");
		goto out;
	}
	rc = cli_api_open_token(&x, a);
	if (rc == 0 && to_file)
		rc = open_beside(a->output, &tmp, &out);
	if (rc)
		goto out;
	rc = cli_api_download(&x, &ans, path.p, out);
	if (rc && ans.status == 404)
		rc = attachment_missing(&x, id, name);
	if (!to_file) {
		if (rc == 0 && fflush(stdout) != 0)
			rc = cli_fail("cannot write the output: %s", strerror(errno));
		goto out;
	}
	if (fflush(out) != 0 || fsync(fileno(out)) != 0) {
		if (rc == 0)
			rc = cli_fail("cannot write %s: %s", a->output, strerror(errno));
	}
	fclose(out);
	out = NULL;
	if (rc == 0 && rename(tmp, a->output) != 0)
		rc = cli_fail("cannot write %s: %s", a->output, strerror(errno));
	if (rc)
		unlink(tmp);
out:
	free(tmp);
	free(esc);
	buf_free(&path);
	transport_answer_free(&ans);
	cli_api_close(&x);
	return rc;
}
