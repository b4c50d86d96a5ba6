/* test_e2e_ingest.c - reports over HTTPS into SQLite and back, against a real prosumd. */
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
#include <zlib.h>

#include "fixture.h"
#include "harness.h"

static const char *const fast_timeouts[] = {"--handshake-timeout", "2000", "--idle-timeout",
					    "3000", "--request-timeout", "3000", NULL};

static int setup(void **state)
{
	e2e_server *s = e2e_fixture_new(sizeof(*s), 0);

	if (!s || e2e_start(s, fast_timeouts) < 0) {
		e2e_fixture_free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* A valid report document with the given uuid and title. */
static char *report_json(const char *uuid, const char *title)
{
	json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s},s:{s:s},s:{s:s},"
			      "s:[{s:s,s:s,s:i}],s:{s:s},s:s}",
			      "uuid", uuid, "kind", "crash", "title", title, "description",
			      "It fell over", "build", "version", "1.4.0-beta.2", "revision",
			      "abc1234", "tester", "install_id", "1f6e2c3a-install", "exception",
			      "type", "SIGSEGV", "frames", "function", "png_read_palette", "file",
			      "src/png.c", "line", 120, "tags", "gpu", "intel", "steps",
			      "1. open file 2. crash");
	char *s = json_dumps(r, JSON_COMPACT);

	json_decref(r);
	return s;
}

static const char *str_at(json_t *v, const char *k1, const char *k2)
{
	json_t *x = json_object_get(v, k1);

	if (k2)
		x = json_object_get(x, k2);
	return json_string_value(x);
}

/* Assert an error answer: status, code, and (when given) the field and a word of the message. */
static void assert_error(const e2e_response *r, long status, const char *code, const char *field,
			 const char *word)
{
	json_t *v;

	if (r->status != status)
		fail_msg("expected %ld, got %ld: %s", status, r->status, r->body);
	v = e2e_json(r);
	assert_string_equal(str_at(v, "error", "code"), code);
	assert_non_null(str_at(v, "error", "message"));
	if (field)
		assert_string_equal(str_at(v, "error", "field"), field);
	if (word && !strstr(str_at(v, "error", "message"), word))
		fail_msg("message '%s' lacks '%s'", str_at(v, "error", "message"), word);
	json_decref(v);
}

static void test_healthz(void **state)
{
	e2e_server *s = *state;
	e2e_response r;

	assert_int_equal(e2e_request(s, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
	e2e_response_free(&r);
}

static void test_report_round_trip_survives_restart(void **state)
{
	e2e_server *s = *state;
	e2e_response r;
	char uuid[37], *doc, path[128];
	json_t *v, *w;

	e2e_uuid(uuid);
	doc = report_json(uuid, "Crash when opening a PNG");
	/* an unknown field is kept */
	doc[strlen(doc) - 1] = '\0';
	{
		char *with = NULL;
		assert_true(asprintf(&with, "%s,\"x_custom\":{\"a\":[1,2]}}", doc) > 0);
		free(doc);
		doc = with;
	}
	assert_int_equal(e2e_post_report(s, doc, &r), 0);
	assert_int_equal(r.status, 201);
	v = e2e_json(&r);
	assert_string_equal(str_at(v, "id", NULL), "R-1");
	assert_string_equal(str_at(v, "group", NULL), "G-1");
	assert_string_equal(str_at(v, "revision", "input"), "abc1234");
	assert_true(json_is_null(json_object_get(v, "known")));
	json_decref(v);
	e2e_response_free(&r);

	/* The same uuid again: 200 with the same answer, nothing stored twice. */
	assert_int_equal(e2e_post_report(s, doc, &r), 0);
	assert_int_equal(r.status, 200);
	v = e2e_json(&r);
	assert_string_equal(str_at(v, "id", NULL), "R-1");
	json_decref(v);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM reports"), 1);

	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/R-1");
	for (int round = 0; round < 2; round++) {
		assert_int_equal(e2e_get(s, path, &r), 0);
		assert_int_equal(r.status, 200);
		v = e2e_json(&r);
		assert_string_equal(str_at(v, "id", NULL), "R-1");
		assert_string_equal(str_at(v, "uuid", NULL), uuid);
		assert_string_equal(str_at(v, "kind", NULL), "crash");
		assert_string_equal(str_at(v, "status", NULL), "new");
		assert_string_equal(str_at(v, "title", NULL), "Crash when opening a PNG");
		assert_string_equal(str_at(v, "build", "version"), "1.4.0-beta.2");
		assert_string_equal(str_at(v, "tags", "gpu"), "intel");
		w = json_array_get(json_object_get(v, "frames"), 0);
		assert_string_equal(json_string_value(json_object_get(w, "function")),
				    "png_read_palette");
		assert_int_equal(json_integer_value(json_object_get(w, "line")), 120);
		assert_int_equal(json_integer_value(json_array_get(
					 json_object_get(json_object_get(v, "x_custom"), "a"), 1)),
				 2);
		json_decref(v);
		e2e_response_free(&r);
		if (round == 0) {
			/* Restart: what was acknowledged is still there. */
			assert_int_equal(e2e_stop(s), 0);
			assert_int_equal(e2e_start(s, fast_timeouts), 0);
		}
	}
	free(doc);
}

static void test_grouping(void **state)
{
	e2e_server *s = *state;
	e2e_response r;
	char uuid[37], *doc;
	const char *groups[3];
	json_t *v[3];
	int i;

	/* Same exception and top frame, different title: one group. A different frame: another. */
	for (i = 0; i < 3; i++) {
		e2e_uuid(uuid);
		doc = report_json(uuid, i == 0 ? "first" : "second");
		if (i == 2) {
			char *p = strstr(doc, "png_read_palette");
			memcpy(p, "jpg_read_headers", 16);
		}
		assert_int_equal(e2e_post_report(s, doc, &r), 0);
		assert_int_equal(r.status, 201);
		v[i] = e2e_json(&r);
		groups[i] = str_at(v[i], "group", NULL);
		e2e_response_free(&r);
		free(doc);
	}
	assert_string_equal(groups[0], groups[1]);
	assert_string_not_equal(groups[0], groups[2]);
	for (i = 0; i < 3; i++)
		json_decref(v[i]);
}

static void test_list_pagination(void **state)
{
	e2e_server *s = *state;
	e2e_response r;
	char uuid[37], *doc, path[256], cursor[64] = "";
	int i, seen = 0, pages = 0;
	long long total;
	long long last = 1LL << 62;

	for (i = 0; i < 5; i++) {
		e2e_uuid(uuid);
		doc = report_json(uuid, "paged");
		assert_int_equal(e2e_post_report(s, doc, &r), 0);
		assert_int_equal(r.status, 201);
		e2e_response_free(&r);
		free(doc);
	}
	total = e2e_sql_int(s, "SELECT count(*) FROM reports");
	do {
		json_t *v, *items, *it;
		size_t k;

		snprintf(path, sizeof(path), "/api/v1/projects/demo/reports?limit=2%s%s",
			 cursor[0] ? "&cursor=" : "", cursor);
		assert_int_equal(e2e_get(s, path, &r), 0);
		assert_int_equal(r.status, 200);
		v = e2e_json(&r);
		items = json_object_get(v, "items");
		assert_true(json_array_size(items) <= 2);
		json_array_foreach(items, k, it)
		{
			long long n = strtoll(json_string_value(json_object_get(it, "id")) + 2, NULL,
					      10);
			assert_true(n < last); /* newest first, each once */
			last = n;
			seen++;
		}
		if (json_is_string(json_object_get(v, "next")))
			snprintf(cursor, sizeof(cursor), "%s", str_at(v, "next", NULL));
		else
			cursor[0] = '\0';
		json_decref(v);
		e2e_response_free(&r);
		pages++;
	} while (cursor[0] && pages < 100);
	assert_int_equal(seen, total);

	assert_int_equal(e2e_get(s, "/api/v1/projects/demo/reports?kind=crash&limit=1", &r), 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_get(s, "/api/v1/projects/demo/reports?kind=bogus", &r), 0);
	assert_error(&r, 422, "invalid_parameter", "kind", NULL);
	e2e_response_free(&r);
	assert_int_equal(e2e_get(s, "/api/v1/projects/demo/reports?limit=0", &r), 0);
	assert_error(&r, 422, "invalid_parameter", "limit", NULL);
	e2e_response_free(&r);
}

static void test_chunked_and_gzip(void **state)
{
	e2e_server *s = *state;
	e2e_response r;
	char uuid[37], key[200], *doc;
	unsigned char z[8192];
	uLongf zlen = sizeof(z);
	z_stream zs;
	const char *chunked[] = {key, "Content-Type: application/json", "Transfer-Encoding: chunked",
				 NULL};
	const char *gz[] = {key, "Content-Type: application/json", "Content-Encoding: gzip", NULL};

	snprintf(key, sizeof(key), "X-Prosum-Key: %s", s->key);
	e2e_uuid(uuid);
	doc = report_json(uuid, "sent chunked");
	assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/demo/reports", chunked, doc,
				     strlen(doc), &r),
			 0);
	assert_int_equal(r.status, 201);
	e2e_response_free(&r);
	free(doc);

	e2e_uuid(uuid);
	doc = report_json(uuid, "sent gzipped");
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (unsigned char *)doc;
	zs.avail_in = (uInt)strlen(doc);
	zs.next_out = z;
	zs.avail_out = (uInt)zlen;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	zlen = zs.total_out;
	deflateEnd(&zs);
	assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/demo/reports", gz, (char *)z,
				     zlen, &r),
			 0);
	assert_int_equal(r.status, 201);
	e2e_response_free(&r);
	free(doc);
	assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM reports WHERE title = 'sent gzipped'"),
			 1);
	/* Not gzip at all, though it says so. */
	assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/demo/reports", gz, "{}", 2, &r),
			 0);
	assert_error(&r, 400, "bad_request", NULL, "gzip");
	e2e_response_free(&r);
}

static void test_bad_input(void **state)
{
	e2e_server *s = *state;
	e2e_response r;
	char key[200], uuid[37], doc[512];
	const char *plain[] = {key, "Content-Type: text/plain", NULL};
	const char *nokey[] = {"Content-Type: application/json", NULL};
	const char *badkey[] = {"X-Prosum-Key: 0123456789abcdef0123456789abcdef",
				"Content-Type: application/json", NULL};
	const char *json[] = {key, "Content-Type: application/json", NULL};
	long long before = e2e_sql_int(s, "SELECT count(*) FROM reports");

	snprintf(key, sizeof(key), "X-Prosum-Key: %s", s->key);
	e2e_uuid(uuid);

	assert_int_equal(e2e_post_report(s, "{\"uuid\": \"x\",\n  \"kind\": }", &r), 0);
	assert_error(&r, 400, "invalid_json", NULL, "line 2");
	assert_true(strstr(r.body, "column") != NULL);
	e2e_response_free(&r);

	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"title\":\"t\",\"build\":{\"version\":\"1\"},"
		 "\"tester\":{\"install_id\":\"i\"}}",
		 uuid);
	assert_int_equal(e2e_post_report(s, doc, &r), 0);
	assert_error(&r, 422, "invalid_report", "kind", NULL);
	e2e_response_free(&r);

	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"t\",\"build\":{\"revision\":7},"
		 "\"tester\":{\"install_id\":\"i\"}}",
		 uuid);
	assert_int_equal(e2e_post_report(s, doc, &r), 0);
	assert_error(&r, 422, "invalid_report", "build.revision", NULL);
	e2e_response_free(&r);

	assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/demo/reports", plain, "{}", 2, &r),
			 0);
	assert_error(&r, 415, "unsupported_media_type", NULL, NULL);
	e2e_response_free(&r);

	assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/demo/reports", nokey, "{}", 2, &r),
			 0);
	assert_error(&r, 401, "unauthorized", NULL, NULL);
	e2e_response_free(&r);

	{
		char *valid = report_json(uuid, "refused");
		assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/demo/reports", badkey,
					     valid, strlen(valid), &r),
				 0);
		assert_error(&r, 401, "unauthorized", NULL, NULL);
		e2e_response_free(&r);
		assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/nope/reports", json,
					     valid, strlen(valid), &r),
				 0);
		assert_error(&r, 404, "not_found", NULL, NULL);
		e2e_response_free(&r);
		free(valid);
	}

	/* Triage needs a token: none is 401, an ingest key is 403. */
	assert_int_equal(e2e_request(s, "GET", "/api/v1/projects/demo/reports", NULL, NULL, 0, &r),
			 0);
	assert_error(&r, 401, "unauthorized", NULL, NULL);
	e2e_response_free(&r);
	assert_int_equal(e2e_request(s, "GET", "/api/v1/projects/demo/reports", json, NULL, 0, &r),
			 0);
	assert_error(&r, 403, "forbidden", NULL, NULL);
	e2e_response_free(&r);
	assert_int_equal(e2e_get(s, "/api/v1/projects/demo/reports/R-999999", &r), 0);
	assert_error(&r, 404, "not_found", NULL, NULL);
	e2e_response_free(&r);
	assert_int_equal(e2e_get(s, "/api/v1/projects/demo/nothing", &r), 0);
	assert_error(&r, 404, "not_found", NULL, NULL);
	e2e_response_free(&r);
	assert_int_equal(e2e_request(s, "DELETE", "/api/v1/projects/demo/reports", json, NULL, 0,
				     &r),
			 0);
	assert_error(&r, 405, "method_not_allowed", NULL, NULL);
	e2e_response_free(&r);

	assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM reports"), before);
}

static void test_oversized_body_refused_unread(void **state)
{
	e2e_server *s = *state;
	char req[512], out[4096];
	ssize_t n;

	snprintf(req, sizeof(req),
		 "POST /api/v1/projects/demo/reports HTTP/1.1\r\nHost: x\r\n"
		 "X-Prosum-Key: %s\r\nContent-Type: application/json\r\n"
		 "Content-Length: 999999999\r\n\r\n{",
		 s->key);
	/* Answered at once; a server that awaited the body would close without an answer at the
	 * request timeout. The wait is long only for a loaded machine: it ends at the close. */
	n = e2e_tls_exchange(s, req, strlen(req), out, sizeof(out), 15000);
	assert_true(n > 0);
	assert_true(strncmp(out, "HTTP/1.1 413 ", 13) == 0);
	assert_true(strstr(out, "Connection: close") != NULL);
	assert_true(strstr(out, "\"too_large\"") != NULL);

	/* A malformed head is refused with 400 and the connection closed. */
	n = e2e_tls_exchange(s, "GET / HTTP/1.1\r\nBad Header\r\n\r\n", 30, out, sizeof(out),
			     15000);
	assert_true(n > 0);
	assert_true(strncmp(out, "HTTP/1.1 400 ", 13) == 0);
}

static void test_hostile_connections(void **state)
{
	e2e_server *s = *state;
	e2e_response r;
	char buf[1024], uuid[37], *doc;
	int fd;
	ssize_t n;

	/*
	 * Garbage instead of a TLS handshake: closed. Here and below the server
	 * closes at once or, at the latest, at the handshake timeout (2 s); the
	 * waits leave room for a loaded machine, and end at the close.
	 */
	fd = e2e_tcp_connect(s);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x01\x02\x03garbage", 10), 10);
	assert_int_equal(e2e_wait_closed(fd, 15000), 1);
	close(fd);

	/* A TLS record header followed by nonsense: closed. */
	fd = e2e_tcp_connect(s);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x16\x03\x01\x00\x05hello", 10), 10);
	assert_int_equal(e2e_wait_closed(fd, 15000), 1);
	close(fd);

	/* Plain HTTP on the TLS port: a plain answer, then closed. */
	fd = e2e_tcp_connect(s);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "GET /healthz HTTP/1.1\r\n\r\n", 25), 25);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_true(strncmp(buf, "HTTP/1.1 400", 12) == 0);
	close(fd);

	/* Connects and says nothing: closed after the handshake timeout. */
	fd = e2e_tcp_connect(s);
	assert_true(fd >= 0);
	assert_int_equal(e2e_wait_closed(fd, 15000), 1);
	close(fd);

	/* Everyone else is still served. */
	e2e_uuid(uuid);
	doc = report_json(uuid, "after the abuse");
	assert_int_equal(e2e_post_report(s, doc, &r), 0);
	assert_int_equal(r.status, 201);
	e2e_response_free(&r);
	free(doc);
}

static void test_attachments(void **state)
{
	e2e_server *s = *state;
	e2e_response r;
	char uuid[37], *doc, path[256];
	unsigned char *blob = malloc(300000), *big;
	e2e_file files[17];
	json_t *v, *att;
	long long rows;
	int i;

	for (i = 0; i < 300000; i++)
		blob[i] = (unsigned char)(i * 7 + (i >> 8)); /* NULs and every byte value */
	memcpy(blob, "\x89PNG\r\n\x1a\n", 8); /* a picture type only for a picture's bytes */
	e2e_uuid(uuid);
	doc = report_json(uuid, "with attachments");
	files[0] = (e2e_file){"screen shot.png", blob, 300000};
	files[1] = (e2e_file){"log.txt", "line one\nline two\n", 18};
	files[2] = (e2e_file){"copy.png", blob, 300000}; /* the same bytes: stored once */
	assert_int_equal(e2e_post_multipart(s, doc, files, 3, &r), 0);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	v = e2e_json(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", str_at(v, "id", NULL));
	json_decref(v);
	e2e_response_free(&r);
	assert_int_equal(e2e_get(s, path, &r), 0);
	v = e2e_json(&r);
	att = json_object_get(v, "attachments");
	assert_int_equal(json_array_size(att), 3);
	/* Sent as octet-stream, as libprosum sends every file: a real picture is listed as one
	 * (the app shows it), anything else keeps the type it was sent with. */
	assert_string_equal(str_at(json_array_get(att, 0), "content_type", NULL), "image/png");
	assert_string_equal(str_at(json_array_get(att, 1), "content_type", NULL),
			    "application/octet-stream");
	e2e_response_free(&r);
	/* Byte for byte, under its name (spaces percent-encoded). */
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/attachments/screen%%20shot.png");
	assert_int_equal(e2e_get(s, path, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 300000);
	assert_memory_equal(r.body, blob, 300000);
	assert_string_equal(r.content_type, "image/png");
	e2e_response_free(&r);
	json_decref(v);
	/* A text file is served as text, still as a download that is never sniffed. */
	{
		char out[2048], *end = strrchr(path, '/');
		snprintf(end + 1, sizeof(path) - (size_t)(end + 1 - path), "log.txt");
		assert_int_equal(e2e_sh(out, sizeof(out),
					"curl -sS -o /dev/null -D - --cacert '%s' -H "
					"'Authorization: Bearer %s' '%s%s' | tr -d '\\r'",
					s->cacert, s->token, s->url, path),
				 0);
		if (!strstr(out, "\nContent-Type: text/plain; charset=utf-8\n") ||
		    !strstr(out, "\nContent-Disposition: attachment; filename=\"log.txt\"\n") ||
		    !strstr(out, "\nX-Content-Type-Options: nosniff\n"))
			fail_msg("log.txt served with:\n%s", out);
		snprintf(end + 1, sizeof(path) - (size_t)(end + 1 - path), "screen%%20shot.png");
	}
	{
		char out[64];
		assert_int_equal(e2e_sh(out, sizeof(out), "find '%s/attachments' -type f | wc -l",
					s->data),
				 0);
		assert_int_equal(strtol(out, NULL, 10), 2);
	}
	/* An ingest key cannot read them back. */
	{
		char key[200];
		const char *h[] = {key, NULL};
		snprintf(key, sizeof(key), "X-Prosum-Key: %s", s->key);
		assert_int_equal(e2e_request(s, "GET", path, h, NULL, 0, &r), 0);
		assert_int_equal(r.status, 403);
		e2e_response_free(&r);
	}
	free(doc);

	rows = e2e_sql_int(s, "SELECT count(*) FROM reports");
	/* A traversal name, an oversized file and too many files: refused, nothing stored. */
	e2e_uuid(uuid);
	doc = report_json(uuid, "refused attachments");
	files[0] = (e2e_file){"../../etc/passwd", "x", 1};
	assert_int_equal(e2e_post_multipart(s, doc, files, 1, &r), 0);
	assert_error(&r, 422, "invalid_attachment", "attachments", NULL);
	e2e_response_free(&r);
	files[0] = (e2e_file){".hidden", "x", 1};
	assert_int_equal(e2e_post_multipart(s, doc, files, 1, &r), 0);
	assert_error(&r, 422, "invalid_attachment", "attachments", NULL);
	e2e_response_free(&r);
	big = calloc(1, 10 * 1024 * 1024 + 1);
	files[0] = (e2e_file){"big.bin", big, 10 * 1024 * 1024 + 1};
	assert_int_equal(e2e_post_multipart(s, doc, files, 1, &r), 0);
	assert_error(&r, 413, "attachment_too_large", "attachments", NULL);
	e2e_response_free(&r);
	free(big);
	for (i = 0; i < 17; i++) {
		static char names[17][16];
		snprintf(names[i], sizeof(names[i]), "f%d.txt", i);
		files[i] = (e2e_file){names[i], "x", 1};
	}
	assert_int_equal(e2e_post_multipart(s, doc, files, 17, &r), 0);
	assert_error(&r, 413, "too_many_attachments", "attachments", NULL);
	e2e_response_free(&r);
	files[1] = files[0];
	assert_int_equal(e2e_post_multipart(s, doc, files, 2, &r), 0);
	assert_error(&r, 422, "invalid_attachment", "attachments", "two attachments");
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM reports"), rows);
	free(doc);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz),
		cmocka_unit_test(test_report_round_trip_survives_restart),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_list_pagination),
		cmocka_unit_test(test_chunked_and_gzip),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_oversized_body_refused_unread),
		cmocka_unit_test(test_hostile_connections),
		cmocka_unit_test(test_attachments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
