/* test_e2e_pages.c - the pages' reads against a real prosumd: source lines at a report's own commit, overview, group stats, attachment types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_server s; /* first, as e2e_fixture_new() wants */
	char dev[128];  /* developer token */
	char rel[128];  /* release token */
	char b[41], c[41]; /* the commit adding src/app/engine.c, and the one changing it */
} fixture;

/* engine.c at B: "line N v1" for N = 1..12; C changes line 6. */
#define ENGINE_V1 "for i in $(seq 1 12); do echo \"line $i v1\"; done > src/app/engine.c"

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);
	char out[128];

	if (!f || e2e_token_add(&f->s, "developer", "dev", f->dev, sizeof(f->dev)) < 0 ||
	    e2e_token_add(&f->s, "release", "rita", f->rel, sizeof(f->rel)) < 0)
		return -1;
	if (e2e_sh(out, sizeof(out),
		   "cd '%s' && mkdir -p src/app && " ENGINE_V1 " && printf 'a\\000b\\n' > blob.bin && "
		   "git add -A && git commit -qm 'Engine' && git rev-parse HEAD",
		   f->s.repo) != 0)
		return -1;
	snprintf(f->b, sizeof(f->b), "%.40s", out);
	if (e2e_sh(out, sizeof(out),
		   "cd '%s' && sed -i 's/^line 6 v1$/crash here v2/' src/app/engine.c && "
		   "git commit -qam 'Change line 6' && git tag v1.0 && git rev-parse HEAD",
		   f->s.repo) != 0)
		return -1;
	snprintf(f->c, sizeof(f->c), "%.40s", out);
	if (e2e_start(&f->s, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* POST a report document made from fmt; its id into id (may be NULL). */
static void post(fixture *f, char id[32], const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void post(fixture *f, char id[32], const char *fmt, ...)
{
	char doc[4096], uuid[37], body[4096 + 256];
	e2e_response r;
	va_list ap;
	json_t *v;

	va_start(ap, fmt);
	vsnprintf(doc, sizeof(doc), fmt, ap);
	va_end(ap);
	e2e_uuid(uuid);
	/* doc is the document's members after the uuid and the tester */
	snprintf(body, sizeof(body), "{\"uuid\":\"%s\",\"tester\":{\"install_id\":\"t-%s\"},%s}", uuid,
		 uuid, doc);
	assert_int_equal(e2e_post_report(&f->s, body, &r), 0);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	v = e2e_json(&r);
	if (id)
		snprintf(id, 32, "%s", e2e_str(v, "id", NULL));
	json_decref(v);
	e2e_response_free(&r);
}

static json_t *get(fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json_t *get(fixture *f, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	long st;
	json_t *v;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	if (st != 200)
		fail_msg("GET %s: %ld %s", path, st, json_dumps(v, JSON_COMPACT));
	return v;
}

#define FRAMES                                                                                     \
	"\"frames\":[{\"function\":\"engine_run\",\"file\":\"/home/ci/build/src/app/engine.c\","     \
	"\"line\":6},{\"function\":\"gone\",\"file\":\"src/missing.c\",\"line\":3},"                \
	"{\"function\":\"libc\",\"file\":\"lib/system.c\",\"line\":10,\"in_app\":false},"           \
	"{\"function\":\"main\",\"file\":\"main.c\",\"line\":3},"                                   \
	"{\"function\":\"data\",\"file\":\"blob.bin\",\"line\":1}]"

static json_t *frame_at(json_t *src, size_t i)
{
	return json_array_get(json_object_get(src, "frames"), i);
}

static const char *line_of(json_t *frame, size_t i)
{
	return json_string_value(json_array_get(json_object_get(frame, "lines"), i));
}

static void test_source_lines_from_the_reports_own_commit(void **state)
{
	fixture *f = *state;
	char r1[32], r2[32], r3[32], shortb[16];
	json_t *v, *fr;

	snprintf(shortb, sizeof(shortb), "%.10s", f->b);
	post(f, r1, "\"kind\":\"crash\",\"exception\":{\"type\":\"SIGSEGV\"},\"build\":{\"revision\":\"%s\"}," FRAMES, shortb);
	post(f, r2, "\"kind\":\"crash\",\"exception\":{\"type\":\"SIGSEGV\"},\"build\":{\"revision\":\"%s\"}," FRAMES, f->c);
	post(f, r3, "\"kind\":\"crash\",\"exception\":{\"type\":\"SIGSEGV\"},\"build\":{\"revision\":\"not-a-build-we-know\"}," FRAMES);

	/* At B: line 6 as it was, two lines around it; the absolute build path found by suffix. */
	v = get(f, "/api/v1/projects/demo/reports/%s/source?context=2", r1);
	assert_string_equal(e2e_str(v, "commit", NULL), f->b);
	/* The in-app frames only, each with its index in the report's frames. */
	assert_int_equal(json_array_size(json_object_get(v, "frames")), 4);
	fr = frame_at(v, 0);
	assert_int_equal(json_integer_value(json_object_get(fr, "index")), 0);
	assert_string_equal(e2e_str(fr, "file", NULL), "/home/ci/build/src/app/engine.c");
	assert_int_equal(json_integer_value(json_object_get(fr, "line")), 6);
	assert_string_equal(e2e_str(fr, "path", NULL), "src/app/engine.c");
	assert_int_equal(json_integer_value(json_object_get(fr, "start")), 4);
	assert_int_equal(json_array_size(json_object_get(fr, "lines")), 5);
	assert_string_equal(line_of(fr, 0), "line 4 v1");
	assert_string_equal(line_of(fr, 2), "line 6 v1");
	assert_string_equal(line_of(fr, 4), "line 8 v1");
	/* A file that is not in the commit: no path, no lines, nothing guessed. */
	fr = frame_at(v, 1);
	assert_int_equal(json_integer_value(json_object_get(fr, "index")), 1);
	assert_true(json_is_null(json_object_get(fr, "path")));
	assert_true(json_is_null(json_object_get(fr, "start")));
	assert_int_equal(json_array_size(json_object_get(fr, "lines")), 0);
	/* The frame after the library's (in_app false, left out): main.c, clamped at line 1. */
	fr = frame_at(v, 2);
	assert_int_equal(json_integer_value(json_object_get(fr, "index")), 3);
	assert_string_equal(e2e_str(fr, "path", NULL), "main.c");
	assert_int_equal(json_integer_value(json_object_get(fr, "start")), 1);
	assert_int_equal(json_array_size(json_object_get(fr, "lines")), 4); /* the file has 4 */
	assert_string_equal(line_of(fr, 2), "\treturn 0;");
	/* A binary file is found but gives no lines. */
	fr = frame_at(v, 3);
	assert_string_equal(e2e_str(fr, "path", NULL), "blob.bin");
	assert_int_equal(json_array_size(json_object_get(fr, "lines")), 0);
	json_decref(v);

	/* At C: the changed line, from that report's own commit. */
	v = get(f, "/api/v1/projects/demo/reports/%s/source?context=0", r2);
	assert_string_equal(e2e_str(v, "commit", NULL), f->c);
	fr = frame_at(v, 0);
	assert_int_equal(json_integer_value(json_object_get(fr, "start")), 6);
	assert_int_equal(json_array_size(json_object_get(fr, "lines")), 1);
	assert_string_equal(line_of(fr, 0), "crash here v2");
	json_decref(v);
	/* The default context is 5 lines each side. */
	v = get(f, "/api/v1/projects/demo/reports/%s/source", r2);
	fr = frame_at(v, 0);
	assert_int_equal(json_integer_value(json_object_get(fr, "start")), 1);
	assert_int_equal(json_array_size(json_object_get(fr, "lines")), 11);
	assert_string_equal(line_of(fr, 5), "crash here v2");
	json_decref(v);

	/* A build prosum could not resolve: commit null, the frames without lines. */
	v = get(f, "/api/v1/projects/demo/reports/%s/source", r3);
	assert_true(json_is_null(json_object_get(v, "commit")));
	assert_int_equal(json_array_size(json_object_get(v, "frames")), 4);
	fr = frame_at(v, 0);
	assert_true(json_is_null(json_object_get(fr, "path")));
	assert_int_equal(json_array_size(json_object_get(fr, "lines")), 0);
	json_decref(v);

	/* Refusals: a context out of range, an unknown report, no credentials. */
	e2e_expect(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports/R-1/source?context=21", NULL,
		   422);
	e2e_expect(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports/R-999/source", NULL, 404);
	e2e_expect(&f->s, "", "GET", "/api/v1/projects/demo/reports/R-1/source", NULL, 401);
}

/* The entry of `arr` whose `key` is `value` (and `key2` is `value2` when not NULL). */
static json_t *entry(json_t *arr, const char *key, const char *value, const char *key2,
		     const char *value2)
{
	size_t i;
	json_t *it;

	json_array_foreach(arr, i, it)
	{
		if (strcmp(e2e_str(it, key, NULL), value) == 0 &&
		    (!key2 || strcmp(e2e_str(it, key2, NULL), value2) == 0))
			return it;
	}
	return NULL;
}

static long long count_of(json_t *arr, const char *key, const char *value, const char *key2,
			  const char *value2)
{
	json_t *it = entry(arr, key, value, key2, value2);

	return it ? (long long)json_integer_value(json_object_get(it, "count")) : -1;
}

static void test_group_stats(void **state)
{
	fixture *f = *state;
	char id[32], group[32], path[128], today[16];
	json_t *v, *daily, *rel, *it;
	time_t now;
	struct tm tm;
	size_t i;
	long long sum = 0;

	e2e_expect(&f->s, f->rel, "POST", "/api/v1/projects/demo/releases",
		   "{\"name\":\"1.0\",\"ref\":\"v1.0\"}", 201);
	post(f, id, "\"kind\":\"bug\",\"title\":\"Stats bug\",\"fingerprint\":[\"stats\"],"
		    "\"build\":{\"version\":\"1.0\",\"revision\":\"%s\"},"
		    "\"platform\":{\"os\":\"Linux\",\"arch\":\"x86_64\"},"
		    "\"tags\":{\"gpu\":\"intel\",\"channel\":\"beta\"}", f->b);
	post(f, NULL, "\"kind\":\"bug\",\"title\":\"Stats bug\",\"fingerprint\":[\"stats\"],"
		      "\"build\":{\"version\":\"1.0\",\"revision\":\"%s\"},"
		      "\"platform\":{\"os\":\"Linux\",\"arch\":\"x86_64\"},"
		      "\"tags\":{\"gpu\":\"intel\",\"channel\":\"beta\"}", f->c);
	post(f, NULL, "\"kind\":\"bug\",\"title\":\"Stats bug\",\"fingerprint\":[\"stats\"],"
		      "\"build\":{\"version\":\"1.1\",\"revision\":\"unknown-build\"},"
		      "\"platform\":{\"os\":\"Windows\"},"
		      "\"tags\":{\"gpu\":\"amd\",\"channel\":\"beta\"}");
	v = get(f, "/api/v1/projects/demo/reports/%s", id);
	snprintf(group, sizeof(group), "%s", e2e_str(v, "group", NULL));
	json_decref(v);

	v = get(f, "/api/v1/projects/demo/groups/%s/stats?days=7", group);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	assert_string_equal(e2e_str(v, "group", NULL), group);
	daily = json_object_get(v, "daily");
	/* Every day of the window, zeros included, oldest first, today last. */
	assert_int_equal(json_array_size(daily), 7);
	json_array_foreach(daily, i, it)
		sum += json_integer_value(json_object_get(it, "count"));
	assert_int_equal(sum, 3);
	it = json_array_get(daily, 6);
	/* (Across midnight UTC the three are on the day before: the sum above holds.) */
	if (strcmp(e2e_str(it, "day", NULL), today) == 0)
		assert_int_equal(json_integer_value(json_object_get(it, "count")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(daily, 0), "count")), 0);
	assert_int_equal(count_of(json_object_get(v, "versions"), "value", "1.0", NULL, NULL), 2);
	assert_int_equal(count_of(json_object_get(v, "versions"), "value", "1.1", NULL, NULL), 1);
	assert_int_equal(json_array_size(json_object_get(v, "versions")), 2);
	assert_int_equal(
	    count_of(json_object_get(v, "platforms"), "value", "Linux x86_64", NULL, NULL), 2);
	assert_int_equal(count_of(json_object_get(v, "platforms"), "value", "Windows", NULL, NULL),
			 1);
	assert_int_equal(count_of(json_object_get(v, "tags"), "key", "gpu", "value", "intel"), 2);
	assert_int_equal(count_of(json_object_get(v, "tags"), "key", "gpu", "value", "amd"), 1);
	assert_int_equal(count_of(json_object_get(v, "tags"), "key", "channel", "value", "beta"), 3);
	assert_int_equal(json_array_size(json_object_get(v, "tags")), 3);
	/* Both resolved builds are in release 1.0; the unknown build in none. */
	rel = json_object_get(v, "releases");
	assert_int_equal(json_array_size(rel), 2);
	assert_string_equal(e2e_str(json_array_get(rel, 0), "value", NULL), "1.0");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rel, 0), "count")), 2);
	assert_true(json_is_null(json_object_get(json_array_get(rel, 1), "value")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rel, 1), "count")), 1);
	json_decref(v);
	/* The default window is 30 days. */
	v = get(f, "/api/v1/projects/demo/groups/%s/stats", group);
	assert_int_equal(json_array_size(json_object_get(v, "daily")), 30);
	json_decref(v);
	/* The group page's own versions and platforms leave tags out. */
	v = get(f, "/api/v1/projects/demo/groups/%s", group);
	assert_int_equal(json_object_size(json_object_get(v, "versions")), 2);
	assert_int_equal(json_object_size(json_object_get(v, "platforms")), 2);
	json_decref(v);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s/stats?days=0", group);
	e2e_expect(&f->s, f->dev, "GET", path, NULL, 422);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s/stats?days=366", group);
	e2e_expect(&f->s, f->dev, "GET", path, NULL, 422);
	e2e_expect(&f->s, f->dev, "GET", "/api/v1/projects/demo/groups/G-999/stats", NULL, 404);
}

/* Run SQL on the stopped server's database (the test's own write, to place reports in time). */
static void sql(fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql(fixture *f, const char *fmt, ...)
{
	char q[1024], *err = NULL;
	sqlite3 *db = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	assert_int_equal(sqlite3_open(f->s.db, &db), SQLITE_OK);
	if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", q, err);
	sqlite3_close(db);
}

static long long hour_of(json_t *g, size_t h)
{
	return (long long)json_integer_value(json_array_get(json_object_get(g, "hourly"), h));
}

static void test_overview(void **state)
{
	fixture *f = *state;
	char rising[32], regressed[32], fresh[32], num[32];
	json_t *v, *g, *t;
	long long now, total;
	int i;

	/* Three groups: one to move back in time (rising), one regressed long ago, one new. */
	for (i = 0; i < 6; i++)
		post(f, NULL, "\"kind\":\"bug\",\"title\":\"Rising\",\"fingerprint\":[\"rising\"],\"build\":{\"version\":\"2.0\"}");
	post(f, NULL, "\"kind\":\"bug\",\"title\":\"Regressed\",\"fingerprint\":[\"regressed\"],\"build\":{\"version\":\"2.0\"}");
	for (i = 0; i < 2; i++)
		post(f, NULL, "\"kind\":\"bug\",\"title\":\"Fresh\",\"fingerprint\":[\"fresh\"],\"build\":{\"version\":\"2.0\"}");
	v = get(f, "/api/v1/projects/demo/groups?limit=500");
	snprintf(rising, sizeof(rising), "%s", e2e_str(entry(json_object_get(v, "items"), "title", "Rising", NULL, NULL), "id", NULL));
	snprintf(regressed, sizeof(regressed), "%s", e2e_str(entry(json_object_get(v, "items"), "title", "Regressed", NULL, NULL), "id", NULL));
	snprintf(fresh, sizeof(fresh), "%s", e2e_str(entry(json_object_get(v, "items"), "title", "Fresh", NULL, NULL), "id", NULL));
	json_decref(v);

	/* Rising: first seen 40 h ago; one report 30.5 h ago, four 2.5 h ago, one 0.5 h ago.
	 * Half hours keep each report inside its hour however long the test takes (< 30 min). */
	assert_int_equal(e2e_stop(&f->s), 0);
	now = (long long)time(NULL);
	snprintf(num, sizeof(num), "%s", rising + 2);
	sql(f, "UPDATE groups SET first_seen = %lld WHERE num = %s", now - 40 * 3600, num);
	sql(f, "WITH r(id, k) AS (SELECT id, row_number() OVER (ORDER BY id) FROM reports WHERE "
	       "group_id = (SELECT id FROM groups WHERE num = %s)) UPDATE reports SET received_at = "
	       "CASE (SELECT k FROM r WHERE r.id = reports.id) WHEN 1 THEN %lld WHEN 6 THEN %lld "
	       "ELSE %lld END WHERE id IN (SELECT id FROM r)",
	    num, now - 30 * 3600 - 1800, now - 1800, now - 2 * 3600 - 1800);
	/* Regressed, its one report 100 h ago. */
	snprintf(num, sizeof(num), "%s", regressed + 2);
	sql(f, "UPDATE groups SET status = 'regressed', first_seen = %lld, last_seen = %lld "
	       "WHERE num = %s", now - 100 * 3600, now - 100 * 3600, num);
	sql(f, "UPDATE reports SET received_at = %lld WHERE group_id = (SELECT id FROM groups "
	       "WHERE num = %s)", now - 100 * 3600, num);
	assert_int_equal(e2e_start(&f->s, NULL), 0);

	v = get(f, "/api/v1/projects/demo/overview");
	/* New: the fresh group, with its two reports in the last hour; not the rising one. */
	g = entry(json_object_get(v, "new"), "id", fresh, NULL, NULL);
	assert_non_null(g);
	assert_int_equal(json_array_size(json_object_get(g, "hourly")), 24);
	assert_int_equal(hour_of(g, 23), 2);
	assert_int_equal(hour_of(g, 0), 0);
	assert_string_equal(e2e_str(g, "title", NULL), "Fresh");
	assert_null(entry(json_object_get(v, "new"), "id", rising, NULL, NULL));
	assert_null(entry(json_object_get(v, "new"), "id", regressed, NULL, NULL));
	/* Regressed, with no report in the last 24 h. */
	g = entry(json_object_get(v, "regressed"), "id", regressed, NULL, NULL);
	assert_non_null(g);
	assert_string_equal(e2e_str(g, "status", NULL), "regressed");
	for (i = 0; i < 24; i++)
		assert_int_equal(hour_of(g, (size_t)i), 0);
	/* Rising fastest: 5 in the last 24 h against 1 the day before; hours 21 and 23. */
	g = json_array_get(json_object_get(v, "rising"), 0);
	assert_string_equal(e2e_str(g, "id", NULL), rising);
	assert_int_equal(json_integer_value(json_object_get(g, "last_24h")), 5);
	assert_int_equal(json_integer_value(json_object_get(g, "previous_24h")), 1);
	for (i = 0; i < 24; i++)
		assert_int_equal(hour_of(g, (size_t)i), i == 21 ? 4 : i == 23 ? 1 : 0);
	assert_null(entry(json_object_get(v, "rising"), "id", regressed, NULL, NULL));
	/* Releases: 1.0 holds the builds of the stats test's two resolved reports and the source
	 * test's two (B and C). */
	g = entry(json_object_get(v, "releases"), "name", "1.0", NULL, NULL);
	assert_non_null(g);
	assert_int_equal(json_integer_value(json_object_get(g, "reports")), 4);
	assert_int_equal(json_integer_value(json_object_get(g, "groups")), 2);
	/* Totals: every report sent; the 24 h leave out the seven moved back. */
	t = json_object_get(v, "totals");
	total = e2e_sql_int(&f->s, "SELECT count(*) FROM reports");
	assert_int_equal(json_integer_value(json_object_get(t, "reports")), total);
	assert_int_equal(json_integer_value(json_object_get(t, "reports_24h")), total - 2);
	assert_int_equal(json_integer_value(json_object_get(t, "groups")),
			 e2e_sql_int(&f->s, "SELECT count(*) FROM groups"));
	json_decref(v);
	e2e_expect(&f->s, "", "GET", "/api/v1/projects/demo/overview", NULL, 401);
	e2e_expect(&f->s, f->dev, "GET", "/api/v1/projects/nope/overview", NULL, 404);
}

/* GET an attachment over raw TLS: status, and the head to read its headers from. */
static long get_raw(fixture *f, const char *path, char *head, size_t headsz)
{
	e2e_tls *t = e2e_tls_open(&f->s, 0, 10000);
	char req[1024];
	char *body = NULL;
	size_t len = 0;
	long status = 0;

	assert_non_null(t);
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n",
		 path, f->dev);
	assert_int_equal(e2e_tls_write(t, req, strlen(req)), 0);
	assert_int_equal(e2e_tls_response(t, 10000, &status, &body, &len, head, headsz), 0);
	free(body);
	e2e_tls_close(t, 0);
	return status;
}

static void test_attachment_types_follow_the_bytes(void **state)
{
	fixture *f = *state;
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
					    'I', 'H', 'D', 'R'};
	static const char html[] = "<html><script>alert(document.cookie)</script></html>";
	static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
	e2e_file files[4] = {{"x.png", html, sizeof(html) - 1},
			     {"real.png", png, sizeof(png)},
			     {"x.svg", svg, sizeof(svg) - 1},
			     {"notes.txt", "hello\n", 6}};
	char uuid[37], doc[256], path[256], head[4096];
	e2e_response r;
	json_t *v;
	const char *id;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"pictures\",\"build\":{\"version\":\"2.0\"},\"tester\":{\"install_id\":\"t\"}}",
		 uuid);
	assert_int_equal(e2e_post_multipart(&f->s, doc, files, 4, &r), 0);
	assert_int_equal(r.status, 201);
	v = e2e_json(&r);
	id = e2e_str(v, "id", NULL);

	/* HTML under a picture's name: a download of unknown type, never a picture or a page. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s/attachments/x.png", id);
	assert_int_equal(get_raw(f, path, head, sizeof(head)), 200);
	assert_non_null(strstr(head, "\r\nContent-Type: application/octet-stream\r\n"));
	assert_non_null(strstr(head, "\r\nContent-Disposition: attachment; filename=\"x.png\"\r\n"));
	assert_non_null(strstr(head, "\r\nX-Content-Type-Options: nosniff\r\n"));
	/* once: a repeated header field is one a client may read as a list */
	assert_null(strstr(strstr(head, "nosniff") + 7, "nosniff"));
	/* A real PNG is one. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s/attachments/real.png", id);
	assert_int_equal(get_raw(f, path, head, sizeof(head)), 200);
	assert_non_null(strstr(head, "\r\nContent-Type: image/png\r\n"));
	assert_non_null(strstr(head, "\r\nContent-Disposition: attachment; filename=\"real.png\"\r\n"));
	/* SVG never; text stays text. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s/attachments/x.svg", id);
	assert_int_equal(get_raw(f, path, head, sizeof(head)), 200);
	assert_non_null(strstr(head, "\r\nContent-Type: application/octet-stream\r\n"));
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s/attachments/notes.txt", id);
	assert_int_equal(get_raw(f, path, head, sizeof(head)), 200);
	assert_non_null(strstr(head, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(head, "\r\nContent-Disposition: attachment;"));
	json_decref(v);
	e2e_response_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_lines_from_the_reports_own_commit),
		cmocka_unit_test(test_group_stats),
		cmocka_unit_test(test_overview),
		cmocka_unit_test(test_attachment_types_follow_the_bytes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
