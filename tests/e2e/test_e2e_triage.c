/* test_e2e_triage.c - grouping, lists, search, workflow, merges, roles and export against a real prosumd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_server s;
	char dev[128];     /* developer token of every project */
	char other[128];   /* developer token limited to project "other" */
	char other_key[128];
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f || e2e_token_add(&f->s, "developer", "dana", f->dev, sizeof(f->dev)) < 0 ||
	    e2e_prosumd_secret(&f->s, "project add other", f->other_key, sizeof(f->other_key)) < 0 ||
	    e2e_prosumd_secret(&f->s, "token add --role developer --name oscar --project other", f->other,
		  sizeof(f->other)) < 0 ||
	    e2e_start(&f->s, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* Post a crash; returns its group id ("G-n") in out. */
static void crash(fixture *f, const char *title, const char *fn1, const char *fn2, int line,
		  const char *addr, const char *extra, char out[16])
{
	char uuid[37], doc[2048];
	e2e_response r;
	json_t *v;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"title\":\"%s\",\"build\":{\"version\":\"1.4.0\"},"
		 "\"platform\":{\"os\":\"Linux\",\"arch\":\"x86_64\"},"
		 "\"tester\":{\"install_id\":\"inst-%s\"},\"exception\":{\"type\":\"SIGSEGV\"},"
		 "\"frames\":[{\"function\":\"%s\",\"line\":%d,\"address\":\"%s\"},"
		 "{\"function\":\"%s\",\"line\":%d}]%s}",
		 uuid, title, title, fn1, line, addr, fn2, line + 7, extra ? extra : "");
	assert_int_equal(e2e_post_report(&f->s, doc, &r), 0);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	v = e2e_json(&r);
	snprintf(out, 16, "%s", json_string_value(json_object_get(v, "group")));
	json_decref(v);
	e2e_response_free(&r);
}

static void test_grouping_rules(void **state)
{
	fixture *f = *state;
	char a[16], b[16], c[16], d[16], e[16];

	crash(f, "a", "png_read_palette", "viewer_open", 120, "0x4011d6", NULL, a);
	/* Differs only in line numbers and addresses: same group. */
	crash(f, "b", "png_read_palette", "viewer_open", 133, "0x7f00aa11", NULL, b);
	/* A different top frame: another group. */
	crash(f, "c", "jpg_read_header", "viewer_open", 120, "0x4011d6", NULL, c);
	/* A custom fingerprint wins over the frames. */
	crash(f, "d", "png_read_palette", "viewer_open", 120, "0x4011d6",
	      ",\"fingerprint\":[\"palette-bug\"]", d);
	crash(f, "e", "jpg_read_header", "other", 1, "0x1", ",\"fingerprint\":[\"palette-bug\"]", e);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_string_equal(d, e);
}

static void test_group_details_and_merge(void **state)
{
	fixture *f = *state;
	char a[16], b[16], path[128], body[128];
	long st;
	json_t *v, *w;
	int64_t ca, cb;

	crash(f, "m1", "merge_a", "x", 1, "0x1", NULL, a);
	crash(f, "m2", "merge_a", "x", 2, "0x2", NULL, a);
	crash(f, "m3", "merge_b", "x", 3, "0x3", NULL, b);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", a);
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	ca = json_integer_value(json_object_get(v, "count"));
	assert_int_equal(ca, 2);
	assert_int_equal(json_integer_value(json_object_get(v, "testers")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "versions"), "1.4.0")),
			 2);
	assert_non_null(json_object_get(json_object_get(v, "platforms"), "Linux x86_64"));
	assert_non_null(json_object_get(v, "first_seen"));
	json_decref(v);

	/* Merge b into a: counts add up, later reports of b's kind land in a. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", b);
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	cb = json_integer_value(json_object_get(v, "count"));
	json_decref(v);
	snprintf(body, sizeof(body), "{\"merge_into\":\"%s\"}", b);
	v = e2e_call(&f->s, f->dev, "PATCH", path, body, &st);
	assert_int_equal(st, 422); /* into itself */
	json_decref(v);
	snprintf(body, sizeof(body), "{\"merge_into\":\"%s\"}", a);
	v = e2e_call(&f->s, f->dev, "PATCH", path, body, &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "merged_into")), a);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "duplicate");
	json_decref(v);
	/* The merged group keeps no versions or platforms of the reports that left it. */
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	assert_int_equal(json_integer_value(json_object_get(v, "count")), 0);
	assert_int_equal(json_object_size(json_object_get(v, "versions")), 0);
	assert_int_equal(json_object_size(json_object_get(v, "platforms")), 0);
	json_decref(v);
	snprintf(body, sizeof(body), "/api/v1/projects/demo/groups/%s/stats", b);
	v = e2e_call(&f->s, f->dev, "GET", body, NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "versions")), 0);
	assert_int_equal(json_array_size(json_object_get(v, "platforms")), 0);
	json_decref(v);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", a);
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	assert_int_equal(json_integer_value(json_object_get(v, "count")), ca + cb);
	assert_int_equal(json_integer_value(json_object_get(v, "testers")), 3);
	w = json_object_get(v, "history");
	assert_true(json_array_size(w) == 0); /* the merge is recorded on the merged group */
	json_decref(v);
	{
		char g[16];
		crash(f, "m4", "merge_b", "x", 4, "0x4", NULL, g);
		assert_string_equal(g, a);
	}
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	assert_int_equal(json_integer_value(json_object_get(v, "count")), ca + cb + 1);
	json_decref(v);
}

static void test_workflow_and_audit(void **state)
{
	fixture *f = *state;
	char g[16], link[512];
	long st;
	json_t *v, *h;
	const char *path = "/api/v1/projects/demo/reports/R-1";

	crash(f, "wf", "wf_fn", "x", 1, "0x1", NULL, g);
	/* An assignee is a person who may see the project. */
	assert_int_equal(
	    e2e_prosumd_secret(&f->s, "user add sam --role developer", link, sizeof(link)), 0);
	v = e2e_call(&f->s, f->dev, "PATCH", path,
		 "{\"status\":\"triaged\",\"assignee\":\"sam\",\"comment\":\"Looking at it\"}", &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "triaged");
	assert_string_equal(json_string_value(json_object_get(v, "assignee")), "sam");
	h = json_object_get(v, "history");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "actor")),
			    "dana");
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "old")),
			    "new");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(json_object_get(v, "comments"), 0),
						  "body")),
		"Looking at it");
	json_decref(v);
	/* fixed -> wontfix is not a move a person makes; regressed is set by prosum alone. */
	json_decref(e2e_call(&f->s, f->dev, "PATCH", path, "{\"status\":\"fixed\"}", &st));
	assert_int_equal(st, 200);
	v = e2e_call(&f->s, f->dev, "PATCH", path, "{\"status\":\"wontfix\"}", &st);
	assert_int_equal(st, 409);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "error"), "code")),
			    "conflict");
	json_decref(v);
	json_decref(e2e_call(&f->s, f->dev, "PATCH", path, "{\"status\":\"regressed\"}", &st));
	assert_int_equal(st, 409);
	v = e2e_call(&f->s, f->dev, "PATCH", path, "{\"status\":\"done\"}", &st);
	assert_int_equal(st, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "error"), "field")),
			    "status");
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "PATCH", path, "{\"owner\":\"x\"}", &st);
	assert_int_equal(st, 422);
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "PATCH", path, "{\"fixed_by\":\"not-a-commit\"}", &st);
	assert_int_equal(st, 422);
	json_decref(v);
	json_decref(e2e_call(&f->s, f->dev, "PATCH", path, "{\"status\":", &st));
	assert_int_equal(st, 400);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM audit WHERE target_num = 1 AND "
					    "target_type = 'R'"),
			 3);
}

static void test_roles(void **state)
{
	fixture *f = *state;
	long st;
	json_t *v;
	long long before;
	e2e_response r;
	char key[200];
	const char *h[] = {key, "Content-Type: application/json", NULL};

	/* A token limited to another project sees nothing of this one. */
	v = e2e_call(&f->s, f->other, "GET", "/api/v1/projects/demo/reports", NULL, &st);
	assert_int_equal(st, 403);
	json_decref(v);
	v = e2e_call(&f->s, f->other, "GET", "/api/v1/projects/other/reports", NULL, &st);
	assert_int_equal(st, 200);
	json_decref(v);
	before = e2e_sql_int(&f->s, "SELECT count(*) FROM audit");
	v = e2e_call(&f->s, f->other, "PATCH", "/api/v1/projects/demo/reports/R-1",
		 "{\"status\":\"wontfix\"}", &st);
	assert_int_equal(st, 403);
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM audit"), before);
	/* An ingest key may only submit. */
	snprintf(key, sizeof(key), "X-Prosum-Key: %s", f->s.key);
	assert_int_equal(e2e_request(&f->s, "PATCH", "/api/v1/projects/demo/reports/R-1", h,
				     "{\"status\":\"wontfix\"}", 20, &r),
			 0);
	assert_int_equal(r.status, 403);
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/groups", h, NULL, 0, &r),
			 0);
	assert_int_equal(r.status, 403);
	e2e_response_free(&r);
	/* Another project's key cannot post here. */
	snprintf(key, sizeof(key), "X-Prosum-Key: %s", f->other_key);
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/reports/R-1", h, NULL, 0,
				     &r),
			 0);
	assert_int_equal(r.status, 403);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM audit"), before);
	/* A revoked token stops working at once. */
	{
		char out[2048], id[16];
		char *p;
		assert_int_equal(e2e_sh(out, sizeof(out), "'%s' token list --data '%s'", PROSUMD_PATH,
					f->s.data),
				 0);
		p = strstr(out, "other");
		assert_non_null(p);
		while (p > out && p[-1] != '\n')
			p--;
		snprintf(id, sizeof(id), "%.*s", (int)strcspn(p, " "), p);
		assert_int_equal(e2e_sh(NULL, 0, "'%s' token revoke %s --data '%s' 2>/dev/null",
					PROSUMD_PATH, id, f->s.data),
				 0);
	}
	v = e2e_call(&f->s, f->other, "GET", "/api/v1/projects/other/reports", NULL, &st);
	assert_int_equal(st, 401);
	json_decref(v);
}

static void post_bug(fixture *f, const char *title, const char *steps, const char *tag)
{
	char uuid[37], doc[2048];
	e2e_response r;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"%s\",\"steps\":\"%s\","
		 "\"build\":{\"version\":\"2.0\"},\"tester\":{\"install_id\":\"t\"},"
		 "\"tags\":{\"gpu\":\"%s\"}}",
		 uuid, title, steps, tag);
	assert_int_equal(e2e_post_report(&f->s, doc, &r), 0);
	assert_int_equal(r.status, 201);
	e2e_response_free(&r);
}

static void test_search_and_filters(void **state)
{
	fixture *f = *state;
	long st;
	json_t *v, *items;

	post_bug(f, "Toolbar flickers", "open the zebra panel then resize", "intel");
	post_bug(f, "Zebra stripes render wrong", "just look", "amd");
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports?q=zebra", NULL, &st);
	assert_int_equal(st, 200);
	items = json_object_get(v, "items");
	assert_int_equal(json_array_size(items), 2);
	/* The title hit ranks first; the steps hit is still found. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "title")),
			    "Zebra stripes render wrong");
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports?q=%22%29%28*", NULL, &st);
	assert_int_equal(st, 200); /* no syntax error whatever is typed */
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports?tag=gpu:amd", NULL, &st);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports?version=2.0&kind=bug&sort=oldest",
		 NULL, &st);
	items = json_object_get(v, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "title")),
			    "Toolbar flickers");
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports?since=2999-01-01T00:00:00Z", NULL,
		 &st);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 0);
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports?tag=nocolon", NULL, &st);
	assert_int_equal(st, 422);
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/groups?sort=count&limit=1", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
	assert_true(json_is_string(json_object_get(v, "next")));
	json_decref(v);
}

/* Inserts go on while a client pages through: every row exactly once. */
typedef struct inserter {
	fixture *f;
	int n;
} inserter;

static void *insert_loop(void *arg)
{
	inserter *in = arg;
	int i;

	for (i = 0; i < in->n; i++)
		post_bug(in->f, "concurrent", "insert", "x");
	return NULL;
}

static void test_pagination_under_inserts(void **state)
{
	fixture *f = *state;
	long st;
	long long max_before = e2e_sql_int(&f->s, "SELECT max(num) FROM reports WHERE project_id = 1");
	char path[256], cursor[32] = "";
	char *seen = calloc((size_t)max_before + 1, 1);
	inserter in = {f, 30};
	pthread_t t;
	int pages = 0;
	long long i, got = 0;

	assert_int_equal(pthread_create(&t, NULL, insert_loop, &in), 0);
	do {
		json_t *v, *items, *it;
		size_t k;

		snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?limit=3%s%s",
			 cursor[0] ? "&cursor=" : "", cursor);
		v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
		assert_int_equal(st, 200);
		items = json_object_get(v, "items");
		json_array_foreach(items, k, it)
		{
			long long n = strtoll(json_string_value(json_object_get(it, "id")) + 2, NULL,
					      10);
			if (n <= max_before) {
				assert_int_equal(seen[n], 0); /* never twice */
				seen[n] = 1;
				got++;
			}
		}
		if (json_is_string(json_object_get(v, "next")))
			snprintf(cursor, sizeof(cursor), "%s",
				 json_string_value(json_object_get(v, "next")));
		else
			cursor[0] = '\0';
		json_decref(v);
		pages++;
	} while (cursor[0] && pages < 10000);
	pthread_join(t, NULL);
	for (i = 1; i <= max_before; i++)
		assert_int_equal(seen[i], 1); /* and every one */
	assert_int_equal(got, max_before);
	free(seen);
}

static void test_export_csv_and_jsonl(void **state)
{
	fixture *f = *state;
	char auth[200];
	const char *h[] = {auth, NULL};
	e2e_response r;
	long long total = e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE project_id = 1");
	long long lines = 0;
	char *p;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->dev);
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/reports?format=csv", h,
				     NULL, 0, &r),
			 0);
	assert_int_equal(r.status, 200);
	assert_true(strncmp(r.content_type, "text/csv", 8) == 0);
	assert_true(strncmp(r.body, "id,group,kind,status,title", 26) == 0);
	for (p = r.body; (p = strstr(p, "\r\n")) != NULL; p += 2)
		lines++;
	assert_int_equal(lines, total + 1);
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/reports?format=jsonl", h,
				     NULL, 0, &r),
			 0);
	assert_int_equal(r.status, 200);
	lines = 0;
	for (p = r.body; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, total);
	assert_true(strncmp(r.body, "{\"id\":\"R-1\"", 11) == 0);
	e2e_response_free(&r);
	/* Unauthorised exports are refused before anything is streamed. */
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/reports?format=csv", NULL,
				     NULL, 0, &r),
			 0);
	assert_int_equal(r.status, 401);
	e2e_response_free(&r);
}

/* The ids a list answers, "R-3 R-1", for a GET of `path`; asserts a 200. */
static void ids(fixture *f, const char *path, char *out, size_t outsz)
{
	long st;
	json_t *v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st), *it;
	size_t i, n = 0;

	if (st != 200)
		fail_msg("%s: %ld", path, st);
	out[0] = '\0';
	json_array_foreach(json_object_get(v, "items"), i, it)
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", n ? " " : "",
				      json_string_value(json_object_get(it, "id")));
	json_decref(v);
}

static void test_search_takes_any_text(void **state)
{
	fixture *f = *state;
	/* Percent-encoded: " - * : ( ) NEAR AND, a lone quote, nothing, non-ASCII letters. */
	static const char *const odd[] = {
		"%22",	      "-",	"*",	     "%3A",	  "(",	       ")",	  "NEAR",
		"AND",	      "OR",	"NOT",	     "",	  "%20",       "%E2%80%99", "a%22b",
		"NEAR(x%20y", "-crash", "title%3Ax", "%7Btitle%7D", "%5Ex",     "x*",	    "%C3%A9",
	};
	char g[16], want[32], got[256], path[256];
	size_t i;
	long long n;

	crash(f, "beta_app_crash in the toolbar", "toolbar_draw", "x", 5, "0x1", NULL, g);
	n = e2e_sql_int(&f->s, "SELECT max(num) FROM reports WHERE project_id = 1");
	crash(f, "Drawing breaks", "render_x86_64_simd", "y", 5, "0x1", NULL, g);
	post_bug(f, "Don’t drop the Crème brûlée", "open the dessert", "none");

	snprintf(want, sizeof(want), "R-%lld", n);
	ids(f, "/api/v1/projects/demo/reports?q=beta_app_crash", got, sizeof(got));
	assert_string_equal(got, want);
	snprintf(want, sizeof(want), "R-%lld", n + 1);
	ids(f, "/api/v1/projects/demo/reports?q=x86_64", got, sizeof(got)); /* in a frame */
	assert_string_equal(got, want);
	ids(f, "/api/v1/projects/demo/reports?q=render_x86_64_simd", got, sizeof(got));
	assert_string_equal(got, want);
	snprintf(want, sizeof(want), "R-%lld", n + 2);
	ids(f, "/api/v1/projects/demo/reports?q=don%E2%80%99t", got, sizeof(got));
	assert_string_equal(got, want);
	ids(f, "/api/v1/projects/demo/reports?q=cr%C3%A8me+brulee", got, sizeof(got));
	assert_string_equal(got, want);
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?q=%s", odd[i]);
		ids(f, path, got, sizeof(got)); /* a 200, whatever was typed */
		snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?q=%s&format=jsonl", odd[i]);
		{
			char auth[200];
			const char *h[] = {auth, NULL};
			e2e_response r;

			snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->dev);
			assert_int_equal(e2e_request(&f->s, "GET", path, h, NULL, 0, &r), 0);
			assert_int_equal(r.status, 200);
			e2e_response_free(&r);
		}
	}
	/* An empty search box is no search: the newest reports. */
	ids(f, "/api/v1/projects/demo/reports?q=&limit=1", got, sizeof(got));
	assert_string_equal(got, want);
}

/* The text of an export of reports in group g. */
static char *export(fixture *f, const char *g, const char *format)
{
	char auth[200], path[160], *text;
	const char *h[] = {auth, NULL};
	e2e_response r;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->dev);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?group=%s&format=%s", g, format);
	assert_int_equal(e2e_request(&f->s, "GET", path, h, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	text = strdup(r.body);
	e2e_response_free(&r);
	return text;
}

static void test_a_report_shows_its_groups_status(void **state)
{
	fixture *f = *state;
	char g[16], g2[16], path[160], got[256], want[64], *text;
	long st;
	json_t *v;
	long long n;

	crash(f, "status one", "status_fn", "x", 1, "0x1", NULL, g);
	n = e2e_sql_int(&f->s, "SELECT max(num) FROM reports WHERE project_id = 1");
	crash(f, "status two", "status_fn", "x", 2, "0x2", NULL, g2);
	assert_string_equal(g, g2);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", g);
	json_decref(e2e_call(&f->s, f->dev, "PATCH", path, "{\"status\":\"fixed\"}", &st));
	assert_int_equal(st, 200);

	/* The list of the group, the status filter, the report, the exports: all say fixed. */
	snprintf(want, sizeof(want), "R-%lld R-%lld", n + 1, n);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?group=%s&status=fixed", g);
	ids(f, path, got, sizeof(got));
	assert_string_equal(got, want);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?group=%s&status=new", g);
	ids(f, path, got, sizeof(got));
	assert_string_equal(got, "");
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?group=%s", g);
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(v, "items"), 0), "status")),
			    "fixed");
	json_decref(v);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/R-%lld", n);
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "fixed");
	json_decref(v);
	text = export(f, g, "csv");
	assert_non_null(strstr(text, ",\"fixed\","));
	assert_null(strstr(text, ",\"new\","));
	free(text);
	text = export(f, g, "jsonl");
	assert_non_null(strstr(text, "\"status\":\"fixed\""));
	assert_null(strstr(text, "\"status\":\"new\""));
	free(text);

	/* Reopened on the report itself: its own status from then on. */
	v = e2e_call(&f->s, f->dev, "PATCH", path, "{\"status\":\"new\"}", &st);
	if (st != 200)
		fail_msg("%s: %ld %s", path, st, json_dumps(v, 0));
	json_decref(v);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", g);
	json_decref(e2e_call(&f->s, f->dev, "PATCH", path, "{\"status\":\"triaged\"}", &st));
	assert_int_equal(st, 200);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?group=%s&status=new", g);
	ids(f, path, got, sizeof(got));
	snprintf(want, sizeof(want), "R-%lld", n);
	assert_string_equal(got, want);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?group=%s&status=triaged", g);
	ids(f, path, got, sizeof(got));
	snprintf(want, sizeof(want), "R-%lld", n + 1);
	assert_string_equal(got, want);
}

static void test_ids_in_any_case(void **state)
{
	fixture *f = *state;
	char a[16], b[16], lower[16], path[160], body[64], got[256];
	long st;
	json_t *v;

	crash(f, "case a", "case_fn_a", "x", 1, "0x1", NULL, a);
	crash(f, "case b", "case_fn_b", "x", 1, "0x1", NULL, b);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports/r-1", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "id")), "R-1");
	json_decref(v);
	snprintf(lower, sizeof(lower), "g%s", a + 1);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", lower);
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "id")), a);
	json_decref(v);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?group=%s", lower);
	ids(f, path, got, sizeof(got));
	assert_true(got[0] == 'R');
	/* merge_into in lower case too. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", b);
	snprintf(body, sizeof(body), "{\"merge_into\":\"%s\"}", lower);
	v = e2e_call(&f->s, f->dev, "PATCH", path, body, &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(v, "merged_into")), a);
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports/x-1", NULL, &st);
	assert_int_equal(st, 404);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grouping_rules),
		cmocka_unit_test(test_group_details_and_merge),
		cmocka_unit_test(test_workflow_and_audit),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_search_and_filters),
		cmocka_unit_test(test_pagination_under_inserts),
		cmocka_unit_test(test_export_csv_and_jsonl),
		cmocka_unit_test(test_search_takes_any_text),
		cmocka_unit_test(test_a_report_shows_its_groups_status),
		cmocka_unit_test(test_ids_in_any_case),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
