/* test_e2e_health.c - the health answer against a count by hand: two builds of a release, their order in git, crash groups, gates through the CLI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"
#include "prosum.h"

typedef struct fixture {
	e2e_release_fixture r; /* first */
	char a[13], b[13];     /* the builds: the first commit and one after it, short */
	char env[2048];        /* the CLI's environment */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f || e2e_token_add(&f->r.s, "release", "rita", f->r.rel, sizeof(f->r.rel)) < 0 ||
	    e2e_git_head(&f->r.s, f->r.a) < 0) {
		e2e_fixture_free(f);
		return -1;
	}
	*state = f;
	if (e2e_start(&f->r.s, NULL) < 0)
		return -1;
	e2e_cli_env(&f->r.s, f->env, sizeof(f->env)); /* the server's address, once it listens */
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	if (f->r.s.pid > 0)
		assert_int_equal(e2e_stop(&f->r.s), 0);
	e2e_fixture_free(f);
	return 0;
}

/* One session, whole (init and its end in one update), as a Sentry SDK sends it. */
static void session(fixture *f, int n, const char *build, const char *env, const char *did,
		    int64_t started, const char *status, int errors, double duration)
{
	char hdr[256], body[1024], when[32], dur[48] = "";
	const char *h[] = {hdr, NULL};
	time_t t = (time_t)started;
	struct tm tm;
	e2e_response r;

	snprintf(hdr, sizeof(hdr), "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=%s",
		 f->r.s.key);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (duration >= 0)
		snprintf(dur, sizeof(dur), ",\"duration\":%.1f", duration);
	snprintf(body, sizeof(body),
		 "{}\n{\"type\":\"session\"}\n{\"sid\":\"%032x\",\"did\":\"%s\",\"init\":true,"
		 "\"started\":\"%s\",\"status\":\"%s\",\"errors\":%d%s,\"attrs\":{\"release\":"
		 "\"app@2.0.0+%s\",\"environment\":\"%s\"}}\n",
		 n, did, when, status, errors, dur, build, env);
	assert_int_equal(e2e_request(&f->r.s, "POST", "/api/1/envelope/", h, body, strlen(body), &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
}

/* A crash report of version 2.0.0 in function fn, from install `install`. */
static void crash(fixture *f, const char *fn, const char *install)
{
	char uuid[37], doc[1024];
	e2e_response r;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"build\":{\"version\":\"2.0.0\"},"
		 "\"tester\":{\"install_id\":\"%s\"},\"exception\":{\"type\":\"SIGSEGV\"},"
		 "\"frames\":[{\"function\":\"%s\",\"file\":\"main.c\",\"line\":3}]}",
		 uuid, install, fn);
	assert_int_equal(e2e_post_report(&f->r.s, doc, &r), 0);
	assert_int_equal(r.status, 201);
	e2e_response_free(&r);
}

/* A rating as a tester's build sends it, with the ingest key. */
static void rate(fixture *f, const char *doc)
{
	char key[200];
	const char *h[] = {key, "Content-Type: application/json", NULL};
	e2e_response r;

	snprintf(key, sizeof(key), "X-Prosum-Key: %s", f->r.s.key);
	assert_int_equal(e2e_request(&f->r.s, "POST", "/api/v1/projects/demo/ratings", h, doc,
				     strlen(doc), &r),
			 0);
	if (r.status != 200 && r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	e2e_response_free(&r);
}

static double real(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_number(v))
		fail_msg("%s is not a number", k);
	return json_number_value(v);
}

static json_int_t integer(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* |x - want| within a rounding of the answer (three decimals). */
#define assert_near(x, want) assert_true((x) > (want)-0.001 && (x) < (want) + 0.001)

/*
 * Build A (the first commit) and build B (a commit after it). B's sessions came first in
 * time, so only the git history says A is the build before B.
 *
 * By hand: A: 4 sessions (installs d1, d1, d2, d2): 3 exited lasting 10, 20 and 30 s, 1
 *   crashed (d2): crash-free sessions 3/4 = 75 %, installs 2, crashed installs 1: 50 %,
 *   median 20 s.
 * B: 6 sessions (d1, d3, d4, d4, d4, d4): 4 exited of 5 s (one with a handled error), 1 exited
 *   of 5 s in channel alpha, 1 abnormal (d3): crash-free 100 %, errored 1/6, abnormal 1/6,
 *   installs 3 (d1, d3 in beta; d4 in beta and alpha counts in each channel).
 */
static void seed(fixture *f, int64_t now)
{
	char full[41];
	int64_t early = now - 3 * 3600, late = now - 3600;

	e2e_git(&f->r.s, NULL, 0, "git commit -q --allow-empty -m 'The second build'");
	e2e_git(&f->r.s, full, sizeof(full), "git rev-parse HEAD");
	memcpy(f->b, full, 12);
	f->b[12] = '\0';
	memcpy(f->a, f->r.a, 12);
	f->a[12] = '\0';
	session(f, 1, f->b, "beta", "d1", early, "exited", 0, 5.0);
	session(f, 2, f->b, "beta", "d3", early, "abnormal", 0, -1);
	session(f, 3, f->b, "beta", "d4", early, "exited", 1, 5.0);
	session(f, 4, f->b, "beta", "d4", early, "exited", 0, 5.0);
	session(f, 5, f->b, "beta", "d4", early, "exited", 0, 5.0);
	session(f, 6, f->b, "alpha", "d4", early, "exited", 0, 5.0);
	session(f, 7, f->a, "beta", "d1", late, "exited", 0, 10.0);
	session(f, 8, f->a, "beta", "d1", late, "exited", 0, 20.0);
	session(f, 9, f->a, "beta", "d2", late, "exited", 0, 30.0);
	session(f, 10, f->a, "beta", "d2", late, "crashed", 0, -1);
}

static json_t *build_named(json_t *rel, const char *name)
{
	return e2e_find(json_object_get(rel, "builds"), "build", name);
}

static void test_health_by_hand(void **state)
{
	fixture *f = *state;
	int64_t now = (int64_t)time(NULL);
	json_t *h, *rel, *a, *b, *g, *c, *v;
	char doc[512];
	long st;

	/* Cohorts, fixed when each session starts: d2 in the expert panel by an admin, the rest
	 * none. */
	v = e2e_call(&f->r.s, f->r.s.token, "PATCH", "/api/v1/projects/demo/cohorts",
		     "{\"installs\":{\"d2\":\"expert panel\"}}", &st);
	assert_int_equal(st, 200);
	json_decref(v);
	seed(f, now);
	/* Ratings: d1 rates the build it last ran (A) 4; d3 and d4 rate B 5 and 2. */
	rate(f, "{\"install_id\":\"d1\",\"rating\":4}");
	snprintf(doc, sizeof(doc),
		 "{\"install_id\":\"d3\",\"rating\":5,\"release\":\"app@2.0.0+%s\",\"revision\":"
		 "\"%s\"}",
		 f->b, f->b);
	rate(f, doc);
	snprintf(doc, sizeof(doc),
		 "{\"install_id\":\"d4\",\"rating\":2,\"release\":\"app@2.0.0+%s\",\"revision\":"
		 "\"%s\",\"comment\":\"slow start\"}",
		 f->b, f->b);
	rate(f, doc);
	crash(f, "engine_stall", "i-1");
	crash(f, "engine_stall", "i-2");
	crash(f, "engine_stall", "i-2");
	crash(f, "render_fault", "i-3");

	h = e2e_call(&f->r.s, f->r.s.token, "GET", "/api/v1/projects/demo/health?release=app%402.0.0",
		     NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(h, "order", NULL), "git");
	assert_int_equal(json_array_size(json_object_get(h, "releases")), 1);
	rel = json_array_get(json_object_get(h, "releases"), 0);
	assert_string_equal(e2e_str(rel, "release", NULL), "app@2.0.0");
	assert_string_equal(e2e_str(rel, "version", NULL), "2.0.0");
	assert_int_equal(integer(rel, "sessions"), 10);
	assert_int_equal(integer(rel, "crashed"), 1);
	assert_near(real(rel, "crash_free_sessions"), 90.0);

	/* Newest first by history: B, though its sessions came first. */
	assert_int_equal(json_array_size(json_object_get(rel, "builds")), 2);
	b = json_array_get(json_object_get(rel, "builds"), 0);
	a = json_array_get(json_object_get(rel, "builds"), 1);
	assert_string_equal(e2e_str(b, "build", NULL), f->b);
	assert_string_equal(e2e_str(a, "build", NULL), f->a);

	assert_int_equal(integer(a, "sessions"), 4);
	assert_int_equal(integer(a, "crashed"), 1);
	assert_int_equal(integer(a, "installs"), 2);
	assert_int_equal(integer(a, "crashed_installs"), 1);
	assert_near(real(a, "crash_free_sessions"), 75.0);
	assert_near(real(a, "crash_free_installs"), 50.0);
	assert_near(real(a, "errored_rate"), 0.0);
	/* The median from the histogram: 20 s within its bucket (about 19 % wide). */
	assert_true(real(a, "median_duration_s") > 20.0 / 1.19 &&
		    real(a, "median_duration_s") < 20.0 * 1.19);
	assert_true(json_is_null(json_object_get(a, "previous")));

	assert_int_equal(integer(b, "sessions"), 6);
	assert_int_equal(integer(b, "crashed"), 0);
	assert_int_equal(integer(b, "abnormal"), 1);
	assert_int_equal(integer(b, "errored"), 1);
	assert_int_equal(integer(b, "installs"), 3); /* d1, d3, d4 (in beta and in alpha: once) */
	assert_near(real(b, "crash_free_sessions"), 100.0);
	assert_near(real(b, "crash_free_installs"), 100.0);
	assert_near(real(b, "errored_rate"), 100.0 / 6);
	assert_near(real(b, "abnormal_rate"), 100.0 / 6);
	assert_true(real(b, "median_duration_s") > 5.0 / 1.19 &&
		    real(b, "median_duration_s") < 5.0 * 1.19);
	/* The release's installs: d1, d2 (A) and d1, d3, d4 (B), each once: 4. */
	assert_int_equal(integer(rel, "installs"), 4);
	assert_near(real(b, "adoption"), 100.0 * 3 / 4);
	assert_string_equal(e2e_str(b, "previous", "build"), f->a);
	assert_near(real(json_object_get(b, "change"), "crash_free_sessions"), 25.0);
	assert_near(real(json_object_get(b, "change"), "crash_free_installs"), 50.0);

	/* Ratings per build: A 4 (d1); B 5 and 2, a mean of 3.5. */
	assert_int_equal(integer(json_object_get(a, "rating"), "count"), 1);
	assert_near(real(json_object_get(a, "rating"), "mean"), 4.0);
	assert_int_equal(integer(json_object_get(b, "rating"), "count"), 2);
	assert_near(real(json_object_get(b, "rating"), "mean"), 3.5);
	v = json_object_get(json_object_get(b, "rating"), "distribution");
	assert_int_equal(json_array_size(v), 5);
	assert_int_equal(json_integer_value(json_array_get(v, 1)), 1);
	assert_int_equal(json_integer_value(json_array_get(v, 4)), 1);
	assert_int_equal(integer(json_object_get(rel, "rating"), "count"), 3);

	/* The crash groups: the one from two installs first. */
	c = json_object_get(rel, "crashes");
	assert_int_equal(json_array_size(c), 2);
	assert_int_equal(integer(json_array_get(c, 0), "reports"), 3);
	assert_int_equal(integer(json_array_get(c, 0), "installs"), 2);
	assert_true(strncmp(e2e_str(json_array_get(c, 0), "group", NULL), "G-", 2) == 0);
	assert_string_not_equal(e2e_str(json_array_get(c, 0), "group", NULL),
				e2e_str(json_array_get(c, 1), "group", NULL));
	assert_int_equal(integer(json_array_get(c, 1), "reports"), 1);

	/* The series: every session in it, the crashed one too. */
	{
		json_t *pts = json_object_get(json_object_get(rel, "series"), "points"), *p;
		json_int_t total = 0, crashed = 0;
		size_t i;

		json_array_foreach(pts, i, p)
		{
			total += integer(p, "sessions");
			crashed += integer(p, "crashed");
		}
		assert_int_equal(total, 10);
		assert_int_equal(crashed, 1);
	}
	json_decref(h);

	/* Split by channel: B's alpha session apart. */
	h = e2e_call(&f->r.s, f->r.s.token, "GET",
		     "/api/v1/projects/demo/health?release=app%402.0.0&by=channel", NULL, &st);
	assert_int_equal(st, 200);
	rel = json_array_get(json_object_get(h, "releases"), 0);
	b = build_named(rel, f->b);
	assert_non_null(b);
	g = e2e_find(json_object_get(b, "groups"), "name", "alpha");
	assert_non_null(g);
	assert_int_equal(integer(g, "sessions"), 1);
	g = e2e_find(json_object_get(b, "groups"), "name", "beta");
	assert_non_null(g);
	assert_int_equal(integer(g, "sessions"), 5);
	assert_int_equal(integer(g, "abnormal"), 1);
	json_decref(h);

	/* Split by cohort: A's crash was in the expert panel's sessions (d2: 2 sessions, 1
	 * crashed); d1's were in none. */
	h = e2e_call(&f->r.s, f->r.s.token, "GET",
		     "/api/v1/projects/demo/health?release=app%402.0.0&by=cohort", NULL, &st);
	assert_int_equal(st, 200);
	a = build_named(json_array_get(json_object_get(h, "releases"), 0), f->a);
	assert_non_null(a);
	g = e2e_find(json_object_get(a, "groups"), "name", "expert panel");
	assert_non_null(g);
	assert_int_equal(integer(g, "sessions"), 2);
	assert_int_equal(integer(g, "crashed"), 1);
	assert_near(real(g, "crash_free_sessions"), 50.0);
	assert_near(real(g, "crash_free_installs"), 0.0);
	g = e2e_find(json_object_get(a, "groups"), "name", "");
	assert_non_null(g);
	assert_int_equal(integer(g, "sessions"), 2);
	assert_near(real(g, "crash_free_sessions"), 100.0);
	assert_int_equal(integer(json_object_get(g, "rating"), "count"), 1);
	json_decref(h);

	/* Refusals: by something else, a build in release=, no credential. */
	v = e2e_call(&f->r.s, f->r.s.token, "GET", "/api/v1/projects/demo/health?by=arch", NULL,
		     &st);
	assert_int_equal(st, 422);
	assert_string_equal(e2e_str(v, "error", "field"), "by");
	json_decref(v);
	e2e_expect(&f->r.s, f->r.s.token, "GET", "/api/v1/projects/demo/health?release=a%2Bb",
		   NULL, 422);
	e2e_expect(&f->r.s, f->r.s.token, "GET", "/api/v1/projects/demo/health?days=0", NULL, 422);
	e2e_expect(&f->r.s, NULL, "GET", "/api/v1/projects/demo/health", NULL, 401);
}

/* A whole session of build `build` of app@5.0.0 as a Sentry SDK sends it, with attrs.user_agent
 * `ua` (NULL: none). */
static void ua_session(fixture *f, int n, const char *build, const char *env, const char *did,
		       const char *status, const char *ua)
{
	char hdr[256], body[1024], when[32], agent[256] = "";
	const char *h[] = {hdr, NULL};
	time_t t = time(NULL) - 600;
	struct tm tm;
	e2e_response r;

	snprintf(hdr, sizeof(hdr), "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=%s",
		 f->r.s.key);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (ua)
		snprintf(agent, sizeof(agent), ",\"user_agent\":\"%s\"", ua);
	snprintf(body, sizeof(body),
		 "{}\n{\"type\":\"session\"}\n{\"sid\":\"5%031x\",\"did\":\"%s\",\"init\":true,"
		 "\"started\":\"%s\",\"status\":\"%s\",\"attrs\":{\"release\":\"app@5.0.0+%s\","
		 "\"environment\":\"%s\"%s}}\n",
		 n, did, when, status, build, env, agent);
	assert_int_equal(e2e_request(&f->r.s, "POST", "/api/1/envelope/", h, body, strlen(body), &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
}

/* A run of the same build through libprosum, in channel `channel`: one session, exited. */
static void libprosum_run(fixture *f, const char *build, const char *channel)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;
	char spool[400], version[64];

	snprintf(spool, sizeof(spool), "%s/spool", f->r.s.dir);
	snprintf(version, sizeof(version), "app@5.0.0+%s", build);
	o.flags = PROSUM_SESSIONS | PROSUM_NO_ENV;
	o.ca_file = f->r.s.cacert;
	o.spool_dir = spool;
	o.app_version = version;
	o.app_revision = build;
	o.app_channel = channel;
	o.close_wait_ms = 30000; /* generous: close delivers the session unless very slow */
	if (prosum_client_new(&c, f->r.s.dsn, &o) != 0)
		fail_msg("prosum_client_new: %s", prosum_error_last());
	prosum_close(c);
}

/* The group named `name` of o's groups. */
static json_t *group(json_t *o, const char *name)
{
	json_t *g = e2e_find(json_object_get(o, "groups"), "name", name);

	if (!g)
		fail_msg("no group \"%s\"", name);
	return g;
}

/*
 * Split by platform, installs counted exactly in every split. One build of app@5.0.0:
 *   Sentry, Windows user agent: w1 in beta (exited) and in alpha (crashed), w2 in beta;
 *   Sentry, no user agent: n1 in beta and in alpha;
 *   libprosum (this machine's OS): one install, a run in beta and one in alpha.
 * By hand, by platform: Windows 3 sessions, 1 crashed, installs w1 and w2 (w1 once, though in
 * two channels), 1 crashed install; unknown ("") 2 sessions, 1 install; the OS 2 sessions, 1
 * install. By cohort (all in none): 7 sessions, 4 installs. By channel: beta 4 sessions, 4
 * installs; alpha 3 and 3.
 */
static void test_health_by_platform(void **state)
{
	fixture *f = *state;
	static const char win[] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/121.0";
	struct utsname u;
	char os[80], out[8192], line[128];
	json_t *h, *rel, *b, *g;
	long st;

	assert_int_equal(uname(&u), 0);
	snprintf(os, sizeof(os), "%s", strcmp(u.sysname, "Darwin") == 0 ? "macOS" : u.sysname);
	memcpy(f->a, f->r.a, 12);
	f->a[12] = '\0';
	ua_session(f, 1, f->a, "beta", "w1", "exited", win);
	ua_session(f, 2, f->a, "alpha", "w1", "crashed", win);
	ua_session(f, 3, f->a, "beta", "w2", "exited", win);
	ua_session(f, 4, f->a, "beta", "n1", "exited", NULL);
	ua_session(f, 5, f->a, "alpha", "n1", "exited", NULL);
	libprosum_run(f, f->a, "beta");
	libprosum_run(f, f->a, "alpha");

	h = e2e_call(&f->r.s, f->r.s.token, "GET",
		     "/api/v1/projects/demo/health?release=app%405.0.0&by=platform", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(h, "by", NULL), "platform");
	rel = json_array_get(json_object_get(h, "releases"), 0);
	assert_int_equal(integer(rel, "sessions"), 7);
	assert_int_equal(integer(rel, "installs"), 4);
	assert_int_equal(json_array_size(json_object_get(rel, "builds")), 1);
	b = build_named(rel, f->a);
	assert_non_null(b);
	assert_int_equal(json_array_size(json_object_get(b, "groups")), 3);
	g = group(b, "Windows");
	assert_int_equal(integer(g, "sessions"), 3);
	assert_int_equal(integer(g, "crashed"), 1);
	assert_int_equal(integer(g, "installs"), 2);
	assert_int_equal(integer(g, "crashed_installs"), 1);
	assert_near(real(g, "crash_free_installs"), 50.0);
	g = group(b, "");
	assert_int_equal(integer(g, "sessions"), 2);
	assert_int_equal(integer(g, "installs"), 1);
	g = group(b, os);
	assert_int_equal(integer(g, "sessions"), 2);
	assert_int_equal(integer(g, "installs"), 1);
	assert_int_equal(integer(g, "crashed_installs"), 0);
	/* The release's groups: the same (one build). */
	g = group(rel, "Windows");
	assert_int_equal(integer(g, "installs"), 2);
	assert_int_equal(integer(g, "crashed_installs"), 1);
	json_decref(h);

	/* By cohort: one group (none), each install once. */
	h = e2e_call(&f->r.s, f->r.s.token, "GET",
		     "/api/v1/projects/demo/health?release=app%405.0.0&by=cohort", NULL, &st);
	assert_int_equal(st, 200);
	rel = json_array_get(json_object_get(h, "releases"), 0);
	b = build_named(rel, f->a);
	assert_non_null(b);
	g = group(b, "");
	assert_int_equal(integer(g, "sessions"), 7);
	assert_int_equal(integer(g, "installs"), 4);
	assert_int_equal(integer(g, "crashed_installs"), 1);
	g = group(rel, "");
	assert_int_equal(integer(g, "installs"), 4);
	json_decref(h);

	/* By channel. */
	h = e2e_call(&f->r.s, f->r.s.token, "GET",
		     "/api/v1/projects/demo/health?release=app%405.0.0&by=channel", NULL, &st);
	assert_int_equal(st, 200);
	b = build_named(json_array_get(json_object_get(h, "releases"), 0), f->a);
	assert_non_null(b);
	g = group(b, "beta");
	assert_int_equal(integer(g, "sessions"), 4);
	assert_int_equal(integer(g, "installs"), 4);
	g = group(b, "alpha");
	assert_int_equal(integer(g, "sessions"), 3);
	assert_int_equal(integer(g, "installs"), 3);
	assert_int_equal(integer(g, "crashed_installs"), 1);
	json_decref(h);

	/* The command prints the platforms, "unknown" for the sessions that did not say. */
	assert_int_equal(e2e_cli(out, sizeof(out), f->env,
				 "health --release app@5.0.0 --by platform"),
			 0);
	assert_non_null(strstr(out, "release app@5.0.0: 7 sessions (1 crashed), 4 installs"));
	snprintf(line, sizeof(line), "\n    %s ", os);
	assert_non_null(strstr(out, line));
	assert_non_null(strstr(out, "\n    Windows "));
	assert_non_null(strstr(out, "\n    unknown "));
	assert_int_not_equal(e2e_cli(out, sizeof(out), f->env,
				     "health --by arch 2>&1"),
			     0);
	assert_non_null(strstr(out, "--by takes cohort, channel or platform"));
}

/* prosum health --check: exit 0 when the newest build meets the gates, 1 naming the gate it
 * misses, 3 with too few sessions to decide. */
static void test_gates_cli(void **state)
{
	fixture *f = *state;
	char out[8192], doc[256];
	json_t *v;
	long st;
	int rc;

	seed(f, (int64_t)time(NULL));
	/* No gates: nothing to miss. */
	rc = e2e_cli(out, sizeof(out), f->env, "health --check 2>&1");
	if (rc != 0)
		fail_msg("exit %d: %s", rc, out);
	assert_non_null(strstr(out, "no gates"));

	/* Only an admin sets them; a release manager reads them. */
	e2e_expect(&f->r.s, f->r.rel, "PUT", "/api/v1/projects/demo/health/gates",
		   "{\"gates\":[{\"metric\":\"crash_free_sessions\",\"op\":\">=\",\"value\":99.5}]}",
		   403);
	v = e2e_call(&f->r.s, f->r.s.token, "PUT", "/api/v1/projects/demo/health/gates",
		     "{\"gates\":[{\"metric\":\"crash_free_sessions\",\"op\":\"=\",\"value\":99.5}]}",
		     &st);
	assert_int_equal(st, 422);
	assert_string_equal(e2e_str(v, "error", "field"), "gates[0].op");
	json_decref(v);
	v = e2e_call(&f->r.s, f->r.s.token, "PUT", "/api/v1/projects/demo/health/gates",
		     "{\"gates\":[{\"metric\":\"crash_free_sessions\",\"op\":\">=\",\"value\":99.5,"
		     "\"min_sessions\":5}]}",
		     &st);
	assert_int_equal(st, 200);
	json_decref(v);
	v = e2e_call(&f->r.s, f->r.rel, "GET", "/api/v1/projects/demo/health/gates", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "gates")), 1);
	json_decref(v);

	/* B (newest by history, 6 sessions, none crashed) meets it. */
	assert_int_equal(e2e_cli(out, sizeof(out), f->env,
				 "health --release app@2.0.0 --check 2>&1"),
			 0);
	assert_non_null(strstr(out, f->b));
	assert_non_null(strstr(out, "meets every gate"));

	/* Abnormal sessions at most 10 %: B has 1 in 6. */
	v = e2e_call(&f->r.s, f->r.s.token, "PUT", "/api/v1/projects/demo/health/gates",
		     "{\"gates\":[{\"metric\":\"crash_free_sessions\",\"op\":\">=\",\"value\":99.5,"
		     "\"min_sessions\":5},{\"metric\":\"abnormal_rate\",\"op\":\"<=\",\"value\":10}]}",
		     &st);
	assert_int_equal(st, 200);
	json_decref(v);
	assert_int_equal(e2e_cli(out, sizeof(out), f->env,
				 "health --release app@2.0.0 --check 2>&1"),
			 1);
	assert_non_null(strstr(out, "fails the gate abnormal_rate"));

	/* 500 sessions wanted: not enough to decide. */
	v = e2e_call(&f->r.s, f->r.s.token, "PUT", "/api/v1/projects/demo/health/gates",
		     "{\"gates\":[{\"metric\":\"crash_free_sessions\",\"op\":\">=\",\"value\":99.5,"
		     "\"min_sessions\":500}]}",
		     &st);
	assert_int_equal(st, 200);
	json_decref(v);
	assert_int_equal(e2e_cli(out, sizeof(out), f->env,
				 "health --release app@2.0.0 --check 2>&1"),
			 3);
	assert_non_null(strstr(out, "not enough sessions"));

	/* The table without --check: both builds, their ratings, the change against A. */
	snprintf(doc, sizeof(doc),
		 "{\"install_id\":\"d3\",\"rating\":5,\"release\":\"app@2.0.0+%s\",\"revision\":"
		 "\"%s\"}",
		 f->b, f->b);
	rate(f, doc);
	doc[strlen("{\"install_id\":\"d")] = '4';
	doc[strlen("{\"install_id\":\"d3\",\"rating\":")] = '2';
	rate(f, doc);
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "health --release app@2.0.0"), 0);
	assert_non_null(strstr(out, "release app@2.0.0: 10 sessions"));
	assert_non_null(strstr(out, "RATING"));
	assert_non_null(strstr(out, "3.5 (2)"));
	assert_non_null(strstr(out, "+25.00"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_health_by_hand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gates_cli, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health_by_platform, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
