/* test_e2e_logs.c - the access log: a line per answer, no secret in it, JSON lines, SIGHUP reopens the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

/* What the requests carry and the log must never show. */
#define COOKIE_SECRET "cookiesecret7f3a9c1d"
#define QUERY_KEY_SECRET "querykeysecret4b8e2f"
#define QUERY_TOKEN_SECRET "querytokensecret9d1c"
#define BODY_SECRET "bodysecret5e7a3b2c"

typedef struct logs_fixture {
	e2e_server s; /* first, as e2e_fixture_new() wants */
	char log[400];
} logs_fixture;

static int setup(void **state)
{
	logs_fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f)
		return -1;
	snprintf(f->log, sizeof(f->log), "%s/prosumd.log", f->s.dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

/* The whole file (malloc'd, NUL-terminated); "" when it does not exist. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text = calloc(1, 1);
	size_t n = 0;

	assert_non_null(text);
	if (!fp)
		return text;
	for (;;) {
		char chunk[4096];
		size_t got = fread(chunk, 1, sizeof(chunk), fp);

		if (got == 0)
			break;
		text = realloc(text, n + got + 1);
		assert_non_null(text);
		memcpy(text + n, chunk, got);
		n += got;
		text[n] = '\0';
	}
	fclose(fp);
	return text;
}

/* Lines are written after the answer went out: wait (generously: a loaded machine) until the
 * log holds `needle`. 1 found, 0 not within 30 s. */
static int wait_for(const char *path, const char *needle)
{
	long long until = e2e_now_ms() + 30000;

	do {
		char *text = slurp(path);
		int found = strstr(text, needle) != NULL;

		free(text);
		if (found)
			return 1;
		usleep(50 * 1000);
	} while (e2e_now_ms() < until);
	return 0;
}

static void report_json(char *out, size_t outsz)
{
	char uuid[37];

	e2e_uuid(uuid);
	snprintf(out, outsz,
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"Log test\",\"description\":\"%s\","
		 "\"build\":{\"version\":\"1.0\"},\"tester\":{\"install_id\":\"t1\"}}",
		 uuid, BODY_SECRET);
}

/* POST a report with the key, a cookie, and secrets in the query string. */
static long post_with_secrets(e2e_server *s)
{
	char doc[512], keyh[200];
	const char *headers[] = {keyh, "Content-Type: application/json",
				 "Cookie: prosum_session=" COOKIE_SECRET, NULL};
	e2e_response r;
	long status;

	report_json(doc, sizeof(doc));
	snprintf(keyh, sizeof(keyh), "X-Prosum-Key: %s", s->key);
	assert_int_equal(e2e_request(s, "POST",
				     "/api/v1/projects/demo/reports?sentry_key=" QUERY_KEY_SECRET
				     "&token=" QUERY_TOKEN_SECRET "&page=2",
				     headers, doc, strlen(doc), &r),
			 0);
	status = r.status;
	e2e_response_free(&r);
	return status;
}

static void assert_no_secret(e2e_server *s, const char *text)
{
	const char *secrets[] = {s->key, s->token, COOKIE_SECRET, QUERY_KEY_SECRET,
				 QUERY_TOKEN_SECRET, BODY_SECRET};
	size_t i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strstr(text, secrets[i])) {
			print_error("the log shows a secret: %s\n%s\n", secrets[i], text);
			fail();
		}
}

/* A 201, a 413 and a 429, each with secrets in the request: a line each, no secret in any. */
static void test_text_lines_without_secrets(void **state)
{
	logs_fixture *f = *state;
	e2e_server *s = &f->s;
	const char *flags[] = {"--log-file", f->log, "--rate-key", "1", NULL};
	char raw[1024], answer[4096], *text;
	long status = 0;
	int i, n;

	assert_int_equal(e2e_start(s, flags), 0);
	assert_int_equal(post_with_secrets(s), 201);
	assert_true(wait_for(f->log, "\" 201 "));

	/* 413: a head announcing more than the body limit, with a token and a key as headers. */
	n = snprintf(raw, sizeof(raw),
		     "POST /api/v1/projects/demo/reports?key=%s HTTP/1.1\r\nHost: localhost\r\n"
		     "Authorization: Bearer %s\r\nX-Prosum-Key: %s\r\nCookie: s=" COOKIE_SECRET
		     "\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n",
		     QUERY_KEY_SECRET, s->token, s->key);
	assert_true(e2e_tls_exchange(s, raw, (size_t)n, answer, sizeof(answer), 10000) > 0);
	assert_non_null(strstr(answer, "HTTP/1.1 413"));
	assert_true(wait_for(f->log, "\" 413 "));

	/* 429: the key's bucket holds 4 s of 1 request a second. */
	for (i = 0; i < 20 && status != 429; i++)
		status = post_with_secrets(s);
	assert_int_equal(status, 429);
	assert_true(wait_for(f->log, "\" 429 "));

	text = slurp(f->log);
	assert_no_secret(s, text);
	/* The Common Log Format, the query's secrets redacted, the rest kept. */
	assert_non_null(strstr(text, "127.0.0.1 - - ["));
	assert_non_null(strstr(text, "\"POST /api/v1/projects/demo/reports?sentry_key=REDACTED"
				     "&token=REDACTED&page=2 HTTP/1.1\" 201 "));
	assert_non_null(strstr(text, "reports?key=REDACTED HTTP/1.1\" 413 "));
	assert_non_null(strstr(text, " project=demo rid="));
	assert_int_equal(e2e_stop(s), 0);
	free(text);
}

/* --log-format json: every line is a JSON object with the access fields. */
static void test_json_lines(void **state)
{
	logs_fixture *f = *state;
	e2e_server *s = &f->s;
	const char *flags[] = {"--log-file", f->log, "--log-format", "json", "--log-level", "debug",
			       NULL};
	static const char not_tls[] = "\x16\x03\x01\x00\x05hello";
	char *text, *line, *save = NULL;
	int access = 0, failed = 0, fd;

	assert_int_equal(e2e_start(s, flags), 0);
	assert_int_equal(post_with_secrets(s), 201);
	assert_true(wait_for(f->log, "\"status\":201"));
	/* A handshake record that is no handshake: a debug line (a JSON line like the others). */
	fd = e2e_tcp_connect(s);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, not_tls, sizeof(not_tls) - 1), (ssize_t)(sizeof(not_tls) - 1));
	assert_int_equal(e2e_wait_closed(fd, 30000), 1);
	close(fd);
	assert_true(wait_for(f->log, "\"event\":\"tls_handshake\""));
	assert_int_equal(e2e_stop(s), 0);
	text = slurp(f->log);
	assert_no_secret(s, text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t err;
		json_t *v = json_loads(line, 0, &err);

		if (!v) {
			print_error("not JSON: %s (%s)\n", line, err.text);
			fail();
		}
		assert_non_null(strstr(" error warn info debug ", e2e_str(v, "level", NULL)));
		if (strcmp(e2e_str(v, "event", NULL), "tls_handshake") == 0) {
			failed++;
			assert_string_equal(e2e_str(v, "level", NULL), "debug");
			assert_non_null(strstr(e2e_str(v, "msg", NULL), "127.0.0.1"));
		}
		if (strcmp(e2e_str(v, "event", NULL), "access") == 0 &&
		    json_integer_value(json_object_get(v, "status")) == 201) {
			access++;
			assert_string_equal(e2e_str(v, "method", NULL), "POST");
			assert_string_equal(e2e_str(v, "path", NULL),
					    "/api/v1/projects/demo/reports?sentry_key=REDACTED"
					    "&token=REDACTED&page=2");
			assert_string_equal(e2e_str(v, "route", NULL), "/api/v1/projects/{}/reports");
			assert_string_equal(e2e_str(v, "project", NULL), "demo");
			assert_string_equal(e2e_str(v, "client", NULL), "127.0.0.1");
			assert_int_equal(strlen(e2e_str(v, "request_id", NULL)), 16);
			assert_true(json_integer_value(json_object_get(v, "bytes")) > 0);
			assert_true(json_is_number(json_object_get(v, "duration_ms")));
			assert_non_null(strstr(e2e_str(v, "time", NULL), "Z"));
		}
		json_decref(v);
	}
	assert_int_equal(access, 1);
	assert_int_equal(failed, 1);
	free(text);
}

/* logrotate: the file is renamed, SIGHUP, and the next lines go to a new file of that name. */
static void test_sighup_reopens(void **state)
{
	logs_fixture *f = *state;
	e2e_server *s = &f->s;
	const char *flags[] = {"--log-file", f->log, NULL};
	char rotated[420], *old, *fresh;
	e2e_response r;
	long long until;
	int found = 0;

	snprintf(rotated, sizeof(rotated), "%s.1", f->log);
	assert_int_equal(e2e_start(s, flags), 0);
	assert_int_equal(e2e_request(s, "GET", "/healthz?before=1", NULL, NULL, 0, &r), 0);
	e2e_response_free(&r);
	assert_true(wait_for(f->log, "/healthz?before=1"));
	assert_int_equal(rename(f->log, rotated), 0);
	assert_int_equal(kill(s->pid, SIGHUP), 0);
	/* The signal is taken by another thread than the one answering: ask until a line lands in
	 * the new file, bounded generously (30 s) for a loaded machine. */
	until = e2e_now_ms() + 30000;
	while (!found && e2e_now_ms() < until) {
		assert_int_equal(e2e_request(s, "GET", "/healthz?after=1", NULL, NULL, 0, &r), 0);
		assert_int_equal(r.status, 200);
		e2e_response_free(&r);
		fresh = slurp(f->log);
		found = strstr(fresh, "/healthz?after=1") != NULL;
		free(fresh);
		if (!found)
			usleep(50 * 1000);
	}
	assert_true(found);
	/* The server lives on (SIGHUP no longer ends it) and stops cleanly. */
	assert_int_equal(e2e_stop(s), 0);
	old = slurp(rotated);
	assert_non_null(strstr(old, "/healthz?before=1"));
	free(old);
	fresh = slurp(f->log);
	assert_non_null(strstr(fresh, "log_reopen: log file reopened"));
	assert_null(strstr(fresh, "/healthz?before=1"));
	free(fresh);
}

/* --log-level warn: no access lines; a bad level or format is a usage mistake. */
static void test_levels(void **state)
{
	logs_fixture *f = *state;
	e2e_server *s = &f->s;
	const char *flags[] = {"--log-file", f->log, "--log-level", "warn", NULL};
	char out[4096], *text;
	e2e_response r;

	assert_int_equal(e2e_start(s, flags), 0);
	assert_int_equal(e2e_request(s, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_stop(s), 0);
	text = slurp(f->log);
	assert_null(strstr(text, "/healthz"));
	free(text);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s serve --data %s --log-level loud 2>&1",
				PROSUMD_PATH, s->data),
			 2);
	assert_non_null(
	    strstr(out, "prosumd: --log-level wants error, warn, info or debug, not 'loud'"));
	assert_int_equal(e2e_sh(out, sizeof(out), "%s serve --data %s --log-format xml 2>&1",
				PROSUMD_PATH, s->data),
			 2);
	assert_non_null(strstr(out, "prosumd: --log-format wants text or json, not 'xml'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_text_lines_without_secrets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_json_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sighup_reopens, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
