/* test_e2e_metrics.c - GET /metrics: behind its token, parsed by prometheus_client, counters moving with traffic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

#define METRICS_TOKEN "metrics-token-0123456789abcdef"
#define PARSED_MAX (1024 * 1024)

static int setup(void **state)
{
	*state = e2e_fixture_new(sizeof(e2e_server), 0);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

static long get_metrics(e2e_server *s, const char *auth, e2e_response *r)
{
	const char *headers[] = {auth, NULL};

	assert_int_equal(e2e_request(s, "GET", "/metrics", auth ? headers : NULL, NULL, 0, r), 0);
	return r->status;
}

/*
 * Scrape, and parse the answer with Debian's python3-prometheus-client (the parser Prometheus'
 * own client library uses): one "name|label=value,...|value" line per sample, labels sorted,
 * into a malloc'd string. A body the parser refuses fails the test.
 */
static char *scrape(e2e_server *s)
{
	char path[400], *parsed = malloc(PARSED_MAX);
	e2e_response r;
	FILE *fp;
	int rc;

	assert_non_null(parsed);
	assert_int_equal(get_metrics(s, "Authorization: Bearer " METRICS_TOKEN, &r), 200);
	assert_non_null(strstr(r.content_type, "text/plain; version=0.0.4"));
	snprintf(path, sizeof(path), "%s/metrics.txt", s->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(r.body, 1, r.len, fp), r.len);
	fclose(fp);
	e2e_response_free(&r);
	/* The system's python3, where python3-prometheus-client is installed (scripts/bootstrap). */
	rc = e2e_sh(parsed, PARSED_MAX,
		    "/usr/bin/python3 -c 'import sys\n"
		    "from prometheus_client.parser import text_string_to_metric_families as f\n"
		    "for fam in f(open(sys.argv[1]).read()):\n"
		    "  for x in fam.samples:\n"
		    "    l = \",\".join(k + \"=\" + v for k, v in sorted(x.labels.items()))\n"
		    "    print(\"%%s|%%s|%%r\" %% (x.name, l, float(x.value)))' %s 2>&1",
		    path);
	if (rc != 0) {
		print_error("prometheus_client refused the metrics:\n%s\n", parsed);
		fail();
	}
	return parsed;
}

/*
 * Scrape until sample `name` with `labels` reaches `want`: a request is counted once its
 * answer is written, which the client may see a moment before. Bounded generously (30 s)
 * for a loaded machine; the caller then asserts the exact values.
 */
static double sample(const char *parsed, const char *name, const char *labels);
static char *scrape_until(e2e_server *s, const char *name, const char *labels, double want)
{
	long long until = e2e_now_ms() + 30000;
	char *p = scrape(s);

	while (sample(p, name, labels) < want && e2e_now_ms() < until) {
		free(p);
		usleep(50 * 1000);
		p = scrape(s);
	}
	return p;
}

/* The value of the sample `name` with exactly `labels` ("a=x,b=y", sorted), or -1 if absent. */
static double sample(const char *parsed, const char *name, const char *labels)
{
	char key[512];
	const char *at;

	snprintf(key, sizeof(key), "\n%s|%s|", name, labels);
	at = strstr(parsed, key);
	if (!at && strncmp(parsed, key + 1, strlen(key + 1)) == 0)
		at = parsed - 1;
	if (!at)
		return -1;
	return strtod(at + strlen(key), NULL);
}

/* The sum of the samples `name` whose labels start with `prefix`. */
static double sum_prefix(const char *parsed, const char *name, const char *prefix)
{
	char key[512];
	const char *at = parsed;
	double sum = 0;

	snprintf(key, sizeof(key), "%s|%s", name, prefix);
	while ((at = strstr(at, key)) != NULL) {
		if (at == parsed || at[-1] == '\n')
			sum += strtod(strchr(strchr(at, '|') + 1, '|') + 1, NULL);
		at++;
	}
	return sum;
}

static long post_report(e2e_server *s, const char *project)
{
	char uuid[37], doc[512], keyh[200], path[200];
	const char *headers[] = {keyh, "Content-Type: application/json", NULL};
	e2e_response r;
	long status;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"Metrics\",\"description\":\"d\","
		 "\"build\":{\"version\":\"1.0\"},\"tester\":{\"install_id\":\"t1\"}}",
		 uuid);
	snprintf(keyh, sizeof(keyh), "X-Prosum-Key: %s", s->key);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", project);
	assert_int_equal(e2e_request(s, "POST", path, headers, doc, strlen(doc), &r), 0);
	status = r.status;
	e2e_response_free(&r);
	return status;
}

static void test_token_required(void **state)
{
	e2e_server *s = *state;
	const char *flags[] = {"--metrics-token", METRICS_TOKEN, NULL};
	e2e_response r;

	assert_int_equal(e2e_start(s, flags), 0);
	assert_int_equal(get_metrics(s, NULL, &r), 401);
	e2e_response_free(&r);
	assert_int_equal(get_metrics(s, "Authorization: Bearer metrics-token-wrong-0123456789", &r),
			 401);
	assert_non_null(strstr(r.body, "\"unauthorized\""));
	e2e_response_free(&r);
	/* The admin token is not the metrics token. */
	assert_int_equal(e2e_get(s, "/metrics", &r), 0);
	assert_int_equal(r.status, 401);
	e2e_response_free(&r);
	assert_int_equal(get_metrics(s, "Authorization: Bearer " METRICS_TOKEN, &r), 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_stop(s), 0);
}

static void test_not_found_without_flag(void **state)
{
	e2e_server *s = *state;
	e2e_response r;
	char out[512];

	assert_int_equal(e2e_start(s, NULL), 0);
	assert_int_equal(get_metrics(s, "Authorization: Bearer " METRICS_TOKEN, &r), 404);
	assert_non_null(strstr(r.body, "\"not_found\""));
	e2e_response_free(&r);
	assert_int_equal(e2e_stop(s), 0);
	/* A token short enough to guess is refused before serving. */
	assert_int_equal(e2e_sh(out, sizeof(out), "%s serve --data %s --metrics-token short 2>&1",
				PROSUMD_PATH, s->data),
			 2);
	assert_non_null(strstr(out, "--metrics-token wants 16 to 256 printable characters"));
}

/* N reports make the ingest counters, the route's requests and its histogram move by N. */
static void test_counters_move(void **state)
{
	e2e_server *s = *state;
	const char *flags[] = {"--metrics-token", METRICS_TOKEN, NULL};
	const char *route = "method=POST,route=/api/v1/projects/{}/reports";
	char labels[256];
	double before, after;
	char *p;
	int i;

	assert_int_equal(e2e_start(s, flags), 0);
	assert_int_equal(post_report(s, "demo"), 201); /* the project becomes known */
	p = scrape(s);
	before = sample(p, "prosum_reports_ingested_total", "project=demo");
	assert_true(before >= 1);
	snprintf(labels, sizeof(labels), "%s,status=2xx", route);
	assert_true(sample(p, "prosum_http_requests_total", labels) >= 1);
	free(p);

	for (i = 0; i < 5; i++)
		assert_int_equal(post_report(s, "demo"), 201);
	/* Refused: a project nobody confirmed is never a label of its own. */
	assert_int_equal(post_report(s, "no-such-project"), 404);
	/* The histogram counts the route's answers of every status: the 404 too. */
	p = scrape_until(s, "prosum_http_request_duration_seconds_count", route, before + 6);
	after = sample(p, "prosum_reports_ingested_total", "project=demo");
	assert_true(after == before + 5);
	assert_true(sample(p, "prosum_http_requests_total", labels) == before + 5);
	snprintf(labels, sizeof(labels), "%s,status=4xx", route);
	assert_true(sample(p, "prosum_http_requests_total", labels) == 1);
	assert_true(sample(p, "prosum_http_request_duration_seconds_count", route) == before + 6);
	assert_true(sample(p, "prosum_http_request_duration_seconds_bucket",
			   "le=+Inf,method=POST,route=/api/v1/projects/{}/reports") == before + 6);
	assert_true(sum_prefix(p, "prosum_reports_refused_total", "project=(unknown),reason=") == 1);
	assert_true(sum_prefix(p, "prosum_reports_refused_total", "project=no-such-project") == 0);
	/* The store committed them; TLS handshakes were made; this scrape's connection is open. */
	assert_true(sample(p, "prosum_store_batch_jobs_count", "") >= 1);
	assert_true(sample(p, "prosum_store_commit_seconds_count", "") >= 1);
	assert_true(sample(p, "prosum_store_wal_bytes", "") > 0);
	assert_true(sample(p, "prosum_store_fsync_seconds_count", "") >= 1);
	assert_true(sample(p, "prosum_tls_handshakes_total", "result=full") >= 1);
	assert_true(sample(p, "prosum_open_connections", "") >= 1);
	assert_true(sample(p, "prosum_store_write_queue_capacity", "") == 4096);
	assert_true(sample(p, "prosum_store_readers", "") == 2);
	assert_true(sample(p, "process_resident_memory_bytes", "") > 0);
	free(p);
	assert_int_equal(e2e_stop(s), 0);
}

/* Rate-limited requests are counted by limit, and refused reports by reason. */
static void test_rate_limited(void **state)
{
	e2e_server *s = *state;
	const char *flags[] = {"--metrics-token", METRICS_TOKEN, "--rate-key", "1", NULL};
	long status = 0;
	char *p;
	int i, limited = 0;

	assert_int_equal(e2e_start(s, flags), 0);
	assert_int_equal(post_report(s, "demo"), 201);
	for (i = 0; i < 20; i++) {
		status = post_report(s, "demo");
		limited += status == 429;
	}
	assert_true(limited > 0);
	p = scrape_until(s, "prosum_rate_limited_total", "limit=key", limited);
	assert_true(sample(p, "prosum_rate_limited_total", "limit=key") == limited);
	assert_true(sample(p, "prosum_reports_refused_total", "project=demo,reason=rate_limited") ==
		    limited);
	free(p);
	/* The commonest refusal, a document that is not a valid report (422 invalid_report), has
	 * a reason of its own, not "other". */
	{
		char keyh[200];
		const char *h[] = {keyh, "Content-Type: application/json", NULL};
		e2e_response r;

		snprintf(keyh, sizeof(keyh), "X-Prosum-Key: %s", s->key);
		for (i = 0; i < 60; i++) { /* past --rate-key 1's bucket: bounded, any rate */
			assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/demo/reports", h,
						     "{\"kind\":\"bug\"}", 14, &r),
					 0);
			status = r.status;
			e2e_response_free(&r);
			if (status == 422)
				break;
			usleep(100000);
		}
		assert_int_equal(status, 422);
	}
	p = scrape_until(s, "prosum_reports_refused_total", "project=demo,reason=invalid_report", 1);
	assert_true(sample(p, "prosum_reports_refused_total", "project=demo,reason=invalid_report") ==
		    1);
	assert_true(sample(p, "prosum_reports_refused_total", "project=demo,reason=other") <= 0);
	free(p);
	assert_int_equal(e2e_stop(s), 0);
}

/* contrib/grafana/prosum.json is valid JSON, asks for the Prometheus data source through a
 * variable, and every metric its queries name is one the server exports. */
static void test_grafana_dashboard(void **state)
{
	e2e_server *s = *state;
	const char *flags[] = {"--metrics-token", METRICS_TOKEN, NULL};
	json_error_t err;
	json_t *dash = json_load_file(PROSUM_SOURCE_DIR "/contrib/grafana/prosum.json", 0, &err);
	json_t *panels, *panel, *vars, *v, *target;
	char path[400], *body, *parsed;
	size_t i, j, k, queries = 0;
	FILE *fp;
	long n;
	int has_ds = 0;

	if (!dash) {
		print_error("prosum.json: line %d: %s\n", err.line, err.text);
		fail();
	}
	vars = json_object_get(json_object_get(dash, "templating"), "list");
	json_array_foreach(vars, i, v)
		has_ds |= strcmp(e2e_str(v, "type", NULL), "datasource") == 0 &&
			  strcmp(e2e_str(v, "query", NULL), "prometheus") == 0;
	assert_true(has_ds);

	assert_int_equal(e2e_start(s, flags), 0);
	parsed = scrape(s);
	free(parsed);
	snprintf(path, sizeof(path), "%s/metrics.txt", s->dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	body = calloc(1, (size_t)n + 1);
	assert_non_null(body);
	assert_int_equal(fread(body, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);

	panels = json_object_get(dash, "panels");
	json_array_foreach(panels, i, panel) {
		json_array_foreach(json_object_get(panel, "targets"), j, target) {
			const char *expr = e2e_str(target, "expr", NULL);

			queries++;
			assert_string_equal(e2e_str(target, "datasource", "uid"), "${datasource}");
			for (k = 0; expr[k]; k++) {
				char name[128], want[160];
				size_t len = 0;

				if ((k > 0 && (expr[k - 1] == '_' || (expr[k - 1] >= 'a' && expr[k - 1] <= 'z'))) ||
				    (strncmp(expr + k, "prosum_", 7) != 0 && strncmp(expr + k, "process_", 8) != 0))
					continue;
				while (len + 1 < sizeof(name) &&
				       ((expr[k + len] >= 'a' && expr[k + len] <= 'z') || expr[k + len] == '_')) {
					name[len] = expr[k + len];
					len++;
				}
				name[len] = '\0';
				/* A histogram's series are its family's name and a suffix. */
				if (len > 7 && strcmp(name + len - 7, "_bucket") == 0)
					name[len - 7] = '\0';
				else if (len > 4 && strcmp(name + len - 4, "_sum") == 0)
					name[len - 4] = '\0';
				else if (len > 6 && strcmp(name + len - 6, "_count") == 0)
					name[len - 6] = '\0';
				snprintf(want, sizeof(want), "# TYPE %s ", name);
				if (!strstr(body, want)) {
					print_error("the dashboard asks for %s, which /metrics lacks\n", name);
					fail();
				}
				k += len - 1;
			}
		}
	}
	assert_true(queries >= 20);
	free(body);
	json_decref(dash);
	assert_int_equal(e2e_stop(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_token_required, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_found_without_flag, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counters_move, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_limited, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grafana_dashboard, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
