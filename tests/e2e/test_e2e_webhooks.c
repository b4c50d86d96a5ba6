/* test_e2e_webhooks.c - webhooks against a real prosumd and a local receiver: signatures, body
 * schema, retries and their backoff, 410, SSRF refusal, rollback, redelivery, kill -9. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "webhook_receiver.h"

/* The first retry waits BASE_MS to 2 * BASE_MS (PROSUM_TEST_WEBHOOK_BASE_MS), the next twice that. */
#define BASE_MS 400
/* Generous bounds for "soon": a loaded machine runs seven suites at once. */
#define SOON_MS 30000

/* A known secret: the base64 of 32 bytes 0x01..0x20. */
#define SECRET "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="

typedef struct fixture {
	e2e_server s; /* first, as e2e_fixture_new() wants */
	receiver r;
} fixture;

static const char *const allow_private[] = {"--webhook-allow-private", NULL};

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f)
		return -1;
	if (e2e_start(&f->s, allow_private) < 0) {
		e2e_fixture_free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* Each test has its own receiver. */
static int test_setup(void **state)
{
	fixture *f = *state;

	return receiver_start(&f->r);
}

static int test_teardown(void **state)
{
	fixture *f = *state;

	receiver_stop(&f->r);
	return 0;
}

/* Add a webhook to the receiver's `path` with the rest of the body (`fields`, starting with a
 * comma, or ""); its id. The answer into *out when out is not NULL (caller owns it). */
static long long add_hook(fixture *f, const char *path, const char *fields, json_t **out)
{
	char url[128], body[1024];
	json_t *v;
	long st;
	long long id;

	receiver_url(&f->r, path, url, sizeof(url));
	snprintf(body, sizeof(body), "{\"url\":\"%s\"%s}", url, fields);
	v = e2e_call(&f->s, f->s.token, "POST", "/api/v1/projects/demo/webhooks", body, &st);
	if (st != 201)
		fail_msg("add webhook: %ld %s", st, json_dumps(v, 0));
	id = json_integer_value(json_object_get(v, "id"));
	assert_true(id > 0);
	if (out)
		*out = v;
	else
		json_decref(v);
	return id;
}

/* POST .../test: the event id ("evt_N") into out. */
static void send_test(fixture *f, long long id, char *out, size_t outsz)
{
	char path[128];
	json_t *v;
	long st;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/webhooks/%lld/test", id);
	v = e2e_call(&f->s, f->s.token, "POST", path, NULL, &st);
	if (st != 201)
		fail_msg("test: %ld %s", st, json_dumps(v, 0));
	snprintf(out, outsz, "%s", e2e_str(v, "event", NULL));
	json_decref(v);
}

/* The webhook's delivery log (caller owns it). */
static json_t *log_of(fixture *f, long long id)
{
	char path[128];
	json_t *v, *items;
	long st;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/webhooks/%lld/deliveries", id);
	v = e2e_call(&f->s, f->s.token, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	items = json_incref(json_object_get(v, "items"));
	json_decref(v);
	assert_non_null(items);
	return items;
}

/* Wait until the newest delivery's state is `state` with at least `attempts`; its JSON. */
static json_t *wait_delivery(fixture *f, long long id, const char *state, int attempts)
{
	long long until = e2e_now_ms() + SOON_MS;

	for (;;) {
		json_t *items = log_of(f, id), *d = json_array_get(items, 0);

		if (d && strcmp(e2e_str(d, "state", NULL), state) == 0 &&
		    json_integer_value(json_object_get(d, "attempts")) >= attempts) {
			json_incref(d);
			json_decref(items);
			return d;
		}
		if (e2e_now_ms() > until)
			fail_msg("webhook %lld: no delivery %s after %d attempts: %s", id, state,
				 attempts, json_dumps(items, 0));
		json_decref(items);
		usleep(50000);
	}
}

static void remove_hook(fixture *f, long long id)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/projects/demo/webhooks/%lld", id);
	e2e_expect(&f->s, f->s.token, "DELETE", path, NULL, 200);
}

/* Recompute the Standard Webhooks signature of a hit with the known secret. */
static void verify_signature(const recv_hit *h)
{
	unsigned char key[64], mac[32];
	char want[80], *msg;
	size_t klen = 0, olen = 0, n;
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);

	assert_int_equal(mbedtls_base64_decode(key, sizeof(key), &klen,
					       (const unsigned char *)SECRET + 6,
					       strlen(SECRET) - 6),
			 0);
	n = strlen(h->id) + strlen(h->timestamp) + strlen(h->body) + 3;
	msg = malloc(n);
	assert_non_null(msg);
	snprintf(msg, n, "%s.%s.%s", h->id, h->timestamp, h->body);
	assert_int_equal(mbedtls_md_hmac(md, key, klen, (unsigned char *)msg, strlen(msg), mac), 0);
	free(msg);
	memcpy(want, "v1,", 3);
	assert_int_equal(mbedtls_base64_encode((unsigned char *)want + 3, sizeof(want) - 3, &olen,
					       mac, sizeof(mac)),
			 0);
	want[3 + olen] = '\0';
	assert_string_equal(h->signature, want);
}

/* A test event reaches the receiver signed, in the documented schema, and the log says so. */
static void test_signature_and_schema(void **state)
{
	fixture *f = *state;
	char evt[64], want[256];
	long long id = add_hook(f, "/hook", ",\"events\":[\"*\"],\"secret\":\"" SECRET "\"", NULL);
	recv_hit h;
	json_t *body, *d;
	long long now = (long long)time(NULL), ts;

	send_test(f, id, evt, sizeof(evt));
	assert_true(receiver_wait(&f->r, 1, SOON_MS));
	h = receiver_hit(&f->r, 0);
	verify_signature(&h);
	assert_string_equal(h.id, evt);
	assert_string_equal(h.content_type, "application/json");
	ts = strtoll(h.timestamp, NULL, 10);
	assert_true(ts >= now - 60 && ts <= now + 60); /* seconds since the epoch, now-ish */
	body = json_loads(h.body, 0, NULL);
	assert_non_null(body);
	assert_string_equal(e2e_str(body, "id", NULL), evt);
	assert_string_equal(e2e_str(body, "type", NULL), "test");
	assert_string_equal(e2e_str(body, "project", NULL), "demo");
	assert_int_equal(strlen(e2e_str(body, "time", NULL)), 20); /* 2026-01-02T03:04:05Z */
	assert_true(json_is_object(json_object_get(body, "data")));
	assert_true(strlen(e2e_str(body, "data", "message")) > 0);
	/* A test event links the project's home in the web app, under the server's URL. */
	snprintf(want, sizeof(want), "%s/p/demo", f->s.url);
	assert_string_equal(e2e_str(body, "url", NULL), want);
	/* Internal fields are stripped. */
	assert_null(json_object_get(json_object_get(body, "data"), "webhook_id"));
	assert_int_equal(json_object_size(body), 6);
	json_decref(body);
	d = wait_delivery(f, id, "delivered", 1);
	assert_int_equal(json_integer_value(json_object_get(d, "status")), 200);
	assert_int_equal(json_integer_value(json_object_get(d, "attempts")), 1);
	assert_string_equal(e2e_str(d, "event", NULL), evt);
	assert_true(json_is_integer(json_object_get(d, "duration_ms")));
	json_decref(d);
	/* Delivered once: nothing more comes. */
	usleep(1500 * 1000);
	assert_int_equal(receiver_count(&f->r), 1);
	remove_hook(f, id);
}

/* Every field of the body is checked, and the refusal names it. */
static void test_validation(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *body, *field;
	} bad[] = {
		{"{\"url\":\"ftp://example.org/x\",\"events\":[\"*\"]}", "url"},
		{"{\"url\":\"http://\",\"events\":[\"*\"]}", "url"},
		{"{\"url\":42,\"events\":[\"*\"]}", "url"},
		{"{\"events\":[\"*\"]}", "url"},
		{"{\"url\":\"https://example.org/h\"}", "events"},
		{"{\"url\":\"https://example.org/h\",\"events\":[]}", "events"},
		{"{\"url\":\"https://example.org/h\",\"events\":[\"group.exploded\"]}", "events"},
		{"{\"url\":\"https://example.org/h\",\"events\":[\"test\",\"test\"]}", "events"},
		{"{\"url\":\"https://example.org/h\",\"events\":\"*\"}", "events"},
		{"{\"url\":\"https://example.org/h\",\"events\":[\"*\"],\"format\":\"teams\"}",
		 "format"},
		{"{\"url\":\"https://example.org/h\",\"events\":[\"*\"],\"secret\":\"hunter2\"}",
		 "secret"},
		{"{\"url\":\"https://example.org/h\",\"events\":[\"*\"],\"secret\":\"whsec_AAAA\"}",
		 "secret"},
		{"{\"url\":\"https://example.org/h\",\"events\":[\"*\"],\"colour\":\"red\"}", "colour"},
	};
	size_t i;
	json_t *v, *made;
	long st;
	long long id;
	char path[128];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = e2e_call(&f->s, f->s.token, "POST", "/api/v1/projects/demo/webhooks",
			     bad[i].body, &st);
		if (st != 422 || strcmp(e2e_str(v, "error", "field"), bad[i].field) != 0)
			fail_msg("%s: want 422 naming %s, got %ld %s", bad[i].body, bad[i].field, st,
				 json_dumps(v, 0));
		json_decref(v);
	}
	/* A secret is made when none is given, and shown in that answer alone. */
	id = add_hook(f, "/v", ",\"events\":[\"group.created\",\"group.regressed\"],"
			       "\"format\":\"slack\"", &made);
	assert_int_equal(strncmp(e2e_str(made, "secret", NULL), "whsec_", 6), 0);
	assert_true(strlen(e2e_str(made, "secret", NULL)) >= 6 + 24);
	assert_string_equal(e2e_str(made, "format", NULL), "slack");
	assert_true(json_is_true(json_object_get(made, "enabled")));
	json_decref(made);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/webhooks/%lld", id);
	v = e2e_call(&f->s, f->s.token, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_null(json_object_get(v, "secret"));
	assert_int_equal(json_array_size(json_object_get(v, "events")), 2);
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/webhooks", NULL, &st);
	assert_int_equal(st, 200);
	assert_null(json_object_get(json_array_get(json_object_get(v, "items"), 0), "secret"));
	json_decref(v);
	/* PATCH: the same rules, and a name that cannot change. */
	v = e2e_call(&f->s, f->s.token, "PATCH", path, "{\"enabled\":\"yes\"}", &st);
	assert_int_equal(st, 422);
	assert_string_equal(e2e_str(v, "error", "field"), "enabled");
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "PATCH", path,
		     "{\"format\":\"discord\",\"events\":[\"release.created\"]}", &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "format", NULL), "discord");
	assert_null(json_object_get(v, "secret"));
	json_decref(v);
	/* null rotates the secret: the new one shown once. */
	v = e2e_call(&f->s, f->s.token, "PATCH", path, "{\"secret\":null}", &st);
	assert_int_equal(st, 200);
	assert_int_equal(strncmp(e2e_str(v, "secret", NULL), "whsec_", 6), 0);
	json_decref(v);
	/* Unknown ids and webhooks of no such project are 404. */
	e2e_expect(&f->s, f->s.token, "GET", "/api/v1/projects/demo/webhooks/999999", NULL, 404);
	e2e_expect(&f->s, f->s.token, "GET", "/api/v1/projects/demo/webhooks/abc", NULL, 404);
	e2e_expect(&f->s, f->s.token, "POST", "/api/v1/projects/demo/webhooks/999999/test", NULL,
		   404);
	e2e_expect(&f->s, f->s.token, "GET", "/api/v1/projects/nope/webhooks", NULL, 404);
	/* Without credentials: 401. */
	v = e2e_call(&f->s, "", "GET", "/api/v1/projects/demo/webhooks", NULL, &st);
	assert_int_equal(st, 401);
	json_decref(v);
	remove_hook(f, id);
	e2e_expect(&f->s, f->s.token, "GET", path, NULL, 404);
}

/* A 500 is retried, not before the backoff's earliest time; the same webhook-id comes twice. */
static void test_retry_after_500(void **state)
{
	fixture *f = *state;
	static const int script[] = {500};
	char evt[64];
	long long id;
	recv_hit a, b;
	json_t *d;

	receiver_script(&f->r, script, 1, 200);
	id = add_hook(f, "/retry", ",\"events\":[\"test\"],\"secret\":\"" SECRET "\"", NULL);
	send_test(f, id, evt, sizeof(evt));
	assert_true(receiver_wait(&f->r, 2, SOON_MS));
	a = receiver_hit(&f->r, 0);
	b = receiver_hit(&f->r, 1);
	assert_int_equal(a.status, 500);
	assert_int_equal(b.status, 200);
	assert_string_equal(a.id, evt);
	assert_string_equal(b.id, evt);
	verify_signature(&b);
	/* The first retry waits at least BASE_MS after the failure (the failure was answered
	 * after a.at_ms). The upper bound is loose on purpose: 2 * BASE_MS plus a poll and a
	 * loaded machine. */
	assert_true(b.at_ms - a.at_ms >= BASE_MS);
	assert_true(b.at_ms - a.at_ms < SOON_MS);
	d = wait_delivery(f, id, "delivered", 2);
	assert_int_equal(json_integer_value(json_object_get(d, "attempts")), 2);
	assert_int_equal(json_integer_value(json_object_get(d, "status")), 200);
	json_decref(d);
	remove_hook(f, id);
}

/* Backoff grows: the second retry waits at least twice the base; Retry-After is honoured. */
static void test_backoff_and_retry_after(void **state)
{
	fixture *f = *state;
	static const int script[] = {500, 500, 503};
	char evt[64];
	long long id;
	recv_hit h[4];
	int i;

	pthread_mutex_lock(&f->r.mu);
	snprintf(f->r.retry_after, sizeof(f->r.retry_after), "3");
	pthread_mutex_unlock(&f->r.mu);
	receiver_script(&f->r, script, 3, 200);
	id = add_hook(f, "/backoff", ",\"events\":[\"test\"]", NULL);
	send_test(f, id, evt, sizeof(evt));
	assert_true(receiver_wait(&f->r, 4, SOON_MS * 2));
	for (i = 0; i < 4; i++)
		h[i] = receiver_hit(&f->r, i);
	assert_int_equal(h[3].status, 200);
	assert_true(h[1].at_ms - h[0].at_ms >= BASE_MS);
	assert_true(h[2].at_ms - h[1].at_ms >= 2 * BASE_MS);
	/* Retry-After: 3 (seconds) beats the backoff's 4 * BASE_MS. */
	assert_true(h[3].at_ms - h[2].at_ms >= 3000);
	assert_true(h[3].at_ms - h[0].at_ms < SOON_MS * 2);
	json_decref(wait_delivery(f, id, "delivered", 4));
	remove_hook(f, id);
}

/* A 410 disables the webhook; a test of a disabled one is refused and its event rolled back
 * (never delivered, not in the outbox); enabled again, it takes deliveries. */
static void test_410_disables_and_rollback(void **state)
{
	fixture *f = *state;
	static const int script[] = {410};
	char evt[64], evt2[64], path[128], tpath[160], sql[128];
	long long id, before, after;
	json_t *v, *d;
	long st;

	receiver_script(&f->r, script, 1, 200);
	id = add_hook(f, "/gone", ",\"events\":[\"test\"]", NULL);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/webhooks/%lld", id);
	snprintf(tpath, sizeof(tpath), "%s/test", path);
	send_test(f, id, evt, sizeof(evt));
	d = wait_delivery(f, id, "failed", 1);
	assert_int_equal(json_integer_value(json_object_get(d, "status")), 410);
	json_decref(d);
	v = e2e_call(&f->s, f->s.token, "GET", path, NULL, &st);
	assert_false(json_is_true(json_object_get(v, "enabled")));
	assert_non_null(strstr(e2e_str(v, "disabled_reason", NULL), "410"));
	json_decref(v);
	/* The server's list says why, not only that it is disabled. */
	{
		char out[2048];

		assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook list demo --data %s 2>&1",
					PROSUMD_PATH, f->s.data),
				 0);
		assert_non_null(strstr(out, "disabled because "));
		assert_non_null(strstr(strstr(out, "disabled because "), "410"));
	}
	/* The refused test: its event was written, then rolled back with the call. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE type = 'test'");
	before = e2e_sql_int(&f->s, sql);
	v = e2e_call(&f->s, f->s.token, "POST", tpath, NULL, &st);
	assert_int_equal(st, 409);
	assert_string_equal(e2e_str(v, "error", "field"), "enabled");
	json_decref(v);
	after = e2e_sql_int(&f->s, sql);
	assert_int_equal(after, before);
	/* Enabled again: the next test is delivered, and only it. */
	e2e_expect(&f->s, f->s.token, "PATCH", path, "{\"enabled\":true}", 200);
	send_test(f, id, evt2, sizeof(evt2));
	assert_true(receiver_wait(&f->r, 2, SOON_MS));
	json_decref(wait_delivery(f, id, "delivered", 1));
	usleep(1000 * 1000);
	assert_int_equal(receiver_count(&f->r), 2);
	assert_string_equal(receiver_hit(&f->r, 0).id, evt);
	assert_string_equal(receiver_hit(&f->r, 1).id, evt2);
	remove_hook(f, id);
}

/* A delivery still pending (its receiver asked for an hour's wait) redelivered on request is
 * tried now: one log row, two attempts, not a second copy of the event. */
static void test_redeliver_pending(void **state)
{
	fixture *f = *state;
	static const int script[] = {503};
	char evt[64], path[200];
	long long id, did;
	json_t *d, *v, *items;
	long st;

	pthread_mutex_lock(&f->r.mu);
	snprintf(f->r.retry_after, sizeof(f->r.retry_after), "3600");
	pthread_mutex_unlock(&f->r.mu);
	receiver_script(&f->r, script, 1, 200);
	id = add_hook(f, "/later", ",\"events\":[\"test\"]", NULL);
	send_test(f, id, evt, sizeof(evt));
	d = wait_delivery(f, id, "pending", 1);
	did = json_integer_value(json_object_get(d, "id"));
	assert_int_equal(json_integer_value(json_object_get(d, "status")), 503);
	json_decref(d);
	snprintf(path, sizeof(path),
		 "/api/v1/projects/demo/webhooks/%lld/deliveries/%lld/redeliver", id, did);
	v = e2e_call(&f->s, f->s.token, "POST", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "delivery")), did);
	json_decref(v);
	/* Long before the hour the receiver asked for. */
	assert_true(receiver_wait(&f->r, 2, SOON_MS));
	assert_string_equal(receiver_hit(&f->r, 1).id, evt);
	d = wait_delivery(f, id, "delivered", 2);
	assert_int_equal(json_integer_value(json_object_get(d, "id")), did);
	json_decref(d);
	items = log_of(f, id);
	assert_int_equal(json_array_size(items), 1);
	json_decref(items);
	remove_hook(f, id);
}

/* A delivery sent again on request: the same event (webhook-id) once more, a new log row. */
static void test_redeliver(void **state)
{
	fixture *f = *state;
	char evt[64], path[200];
	long long id, did;
	json_t *d, *v, *items;
	long st;

	id = add_hook(f, "/again", ",\"events\":[\"test\"]", NULL);
	send_test(f, id, evt, sizeof(evt));
	d = wait_delivery(f, id, "delivered", 1);
	did = json_integer_value(json_object_get(d, "id"));
	json_decref(d);
	snprintf(path, sizeof(path),
		 "/api/v1/projects/demo/webhooks/%lld/deliveries/%lld/redeliver", id, did);
	v = e2e_call(&f->s, f->s.token, "POST", path, NULL, &st);
	assert_int_equal(st, 201);
	assert_true(json_integer_value(json_object_get(v, "delivery")) > did);
	json_decref(v);
	assert_true(receiver_wait(&f->r, 2, SOON_MS));
	assert_string_equal(receiver_hit(&f->r, 1).id, evt);
	json_decref(wait_delivery(f, id, "delivered", 1));
	items = log_of(f, id);
	assert_int_equal(json_array_size(items), 2);
	json_decref(items);
	/* A delivery of another webhook, or none: 404. */
	snprintf(path, sizeof(path),
		 "/api/v1/projects/demo/webhooks/%lld/deliveries/999999/redeliver", id);
	e2e_expect(&f->s, f->s.token, "POST", path, NULL, 404);
	remove_hook(f, id);
}

/* Slack and Discord presets: their incoming-webhook bodies with a one-line message, the
 * project's name linked to its home in the web app. */
static void test_slack_and_discord(void **state)
{
	fixture *f = *state;
	char evt[64], want[512];
	long long a, b;
	json_t *body;
	recv_hit h;

	a = add_hook(f, "/slack", ",\"events\":[\"test\"],\"format\":\"slack\"", NULL);
	send_test(f, a, evt, sizeof(evt));
	assert_true(receiver_wait(&f->r, 1, SOON_MS));
	b = add_hook(f, "/discord", ",\"events\":[\"test\"],\"format\":\"discord\"", NULL);
	send_test(f, b, evt, sizeof(evt));
	assert_true(receiver_wait(&f->r, 2, SOON_MS));
	h = receiver_hit(&f->r, 0);
	body = json_loads(h.body, 0, NULL);
	assert_non_null(body);
	assert_int_equal(json_object_size(body), 1);
	snprintf(want, sizeof(want), "[<%s/p/demo|demo>] Test from prosum: a test event: this "
		 "webhook works", f->s.url);
	assert_string_equal(e2e_str(body, "text", NULL), want);
	json_decref(body);
	h = receiver_hit(&f->r, 1);
	body = json_loads(h.body, 0, NULL);
	assert_non_null(body);
	snprintf(want, sizeof(want), "\\[[demo](%s/p/demo)\\] Test from prosum: a test event: "
		 "this webhook works", f->s.url);
	assert_string_equal(e2e_str(body, "content", NULL), want);
	assert_int_equal(json_array_size(json_object_get(
			     json_object_get(body, "allowed_mentions"), "parse")),
			 0);
	json_decref(body);
	remove_hook(f, a);
	remove_hook(f, b);
}

/* The Slack line of a new group names its kind: a group of bug reports is no crash group. */
static void test_slack_line_names_the_kind(void **state)
{
	fixture *f = *state;
	char doc[512], uuid[37];
	long long id;
	e2e_response r;
	json_t *body;
	recv_hit h;

	id = add_hook(f, "/kind", ",\"events\":[\"group.created\"],\"format\":\"slack\"", NULL);
	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"Save button does nothing\","
		 "\"build\":{\"version\":\"1.0\"},\"tester\":{\"install_id\":\"t-kind\"}}",
		 uuid);
	assert_int_equal(e2e_post_report(&f->s, doc, &r), 0);
	assert_int_equal(r.status, 201);
	e2e_response_free(&r);
	assert_true(receiver_wait(&f->r, 1, SOON_MS));
	h = receiver_hit(&f->r, 0);
	body = json_loads(h.body, 0, NULL);
	assert_non_null(body);
	/* "[demo] New bug group <URL|G-n>: ...", the group a link to its page */
	assert_non_null(strstr(e2e_str(body, "text", NULL), "[demo] New bug group <"));
	assert_null(strstr(e2e_str(body, "text", NULL), "crash"));
	json_decref(body);
	remove_hook(f, id);
}

/* The body of the first of the first n hits that has field `key` and, when type is not NULL,
 * that type (caller owns it). */
static json_t *hit_of(fixture *f, int n, const char *key, const char *type)
{
	int i;

	for (i = 0; i < n; i++) {
		json_t *b = json_loads(receiver_hit(&f->r, i).body, 0, NULL);

		if (json_object_get(b, key) &&
		    (!type || strcmp(e2e_str(b, "type", NULL), type) == 0))
			return b;
		json_decref(b);
	}
	fail_msg("no %s body%s%s among %d", key, type ? " of " : "", type ? type : "", n);
	return NULL;
}

/* Every event links its item's page in the web app under the server's URL (serve without
 * --public-url: the address it listens on): a group, a suggestion's board item, a release by
 * its name percent-encoded; Slack and Discord lines make the item a link to it. */
static void test_event_links(void **state)
{
	fixture *f = *state;
	char want[512], group[32], sug[32];
	long long a, b, c;
	json_t *v;
	long st;

	a = add_hook(f, "/links", ",\"events\":[\"group.created\",\"suggestion.created\","
				  "\"release.created\"]",
		     NULL);
	b = add_hook(f, "/links-slack", ",\"events\":[\"group.created\"],\"format\":\"slack\"",
		     NULL);
	c = add_hook(f, "/links-discord",
		     ",\"events\":[\"group.created\"],\"format\":\"discord\"", NULL);
	v = e2e_post_crash(&f->s, "link_crash", "link.c", 7, "main");
	snprintf(group, sizeof(group), "%s", e2e_str(v, "group", NULL));
	json_decref(v);
	assert_int_equal(strncmp(group, "G-", 2), 0);
	v = e2e_suggest(&f->s, "Links in chat", NULL, "install-links", NULL, &st);
	assert_int_equal(st, 201);
	snprintf(sug, sizeof(sug), "%s", e2e_str(v, "id", NULL));
	json_decref(v);
	e2e_expect(&f->s, f->s.token, "POST", "/api/v1/projects/demo/releases",
		   "{\"name\":\"1.4.0-beta+3\",\"ref\":\"main\"}", 201);
	assert_true(receiver_wait(&f->r, 5, SOON_MS));

	v = hit_of(f, 5, "type", "group.created");
	snprintf(want, sizeof(want), "%s/p/demo/groups/%s", f->s.url, group);
	assert_string_equal(e2e_str(v, "url", NULL), want);
	json_decref(v);
	v = hit_of(f, 5, "type", "suggestion.created");
	snprintf(want, sizeof(want), "%s/p/demo/board/%s", f->s.url, sug);
	assert_string_equal(e2e_str(v, "url", NULL), want);
	json_decref(v);
	v = hit_of(f, 5, "type", "release.created");
	snprintf(want, sizeof(want), "%s/p/demo/releases/1.4.0-beta%%2B3", f->s.url);
	assert_string_equal(e2e_str(v, "url", NULL), want);
	json_decref(v);

	v = hit_of(f, 5, "text", NULL);
	snprintf(want, sizeof(want), "[demo] New crash group <%s/p/demo/groups/%s|%s>: ", f->s.url,
		 group, group);
	if (strncmp(e2e_str(v, "text", NULL), want, strlen(want)) != 0)
		fail_msg("slack: %s, not starting %s", e2e_str(v, "text", NULL), want);
	json_decref(v);
	v = hit_of(f, 5, "content", NULL);
	snprintf(want, sizeof(want), "\\[demo\\] New crash group [%s](%s/p/demo/groups/%s): ", group,
		 f->s.url, group);
	if (strncmp(e2e_str(v, "content", NULL), want, strlen(want)) != 0)
		fail_msg("discord: %s, not starting %s", e2e_str(v, "content", NULL), want);
	json_decref(v);
	remove_hook(f, a);
	remove_hook(f, b);
	remove_hook(f, c);
}

/* The link is made when the body is sent, from the running server's --public-url: a
 * redelivery after a restart with another public URL links under the new one. */
static void test_link_follows_public_url(void **state)
{
	fixture *f = *state;
	static const char *const with_url[] = {"--webhook-allow-private", "--public-url",
					       "https://beta.example.org:8443/", NULL};
	char evt[64], path[200];
	long long id, did;
	json_t *d, *b;

	id = add_hook(f, "/moved", ",\"events\":[\"test\"]", NULL);
	send_test(f, id, evt, sizeof(evt));
	d = wait_delivery(f, id, "delivered", 1);
	did = json_integer_value(json_object_get(d, "id"));
	json_decref(d);
	assert_int_equal(e2e_stop(&f->s), 0);
	assert_int_equal(e2e_start(&f->s, with_url), 0);
	snprintf(path, sizeof(path),
		 "/api/v1/projects/demo/webhooks/%lld/deliveries/%lld/redeliver", id, did);
	e2e_expect(&f->s, f->s.token, "POST", path, NULL, 201);
	assert_true(receiver_wait(&f->r, 2, SOON_MS));
	b = json_loads(receiver_hit(&f->r, 1).body, 0, NULL);
	assert_string_equal(e2e_str(b, "id", NULL), evt);
	assert_string_equal(e2e_str(b, "url", NULL), "https://beta.example.org:8443/p/demo");
	json_decref(b);
	remove_hook(f, id);
	/* Back as the other tests want it. */
	assert_int_equal(e2e_stop(&f->s), 0);
	assert_int_equal(e2e_start(&f->s, allow_private), 0);
}

/* Real events: a new crash group and a team comment reach a webhook that asked for them, the
 * tester's install id stripped; a refused change and unasked-for types never arrive. */
static void test_real_events(void **state)
{
	fixture *f = *state;
	char path[128], want[64], url[256];
	long long id;
	json_t *v, *b1, *b2;
	recv_hit h;

	id = add_hook(f, "/real", ",\"events\":[\"group.created\",\"report.comment\"],"
				 "\"secret\":\"" SECRET "\"",
		      NULL);
	v = e2e_post_crash(&f->s, "webhook_crash", "hook.c", 12, "main");
	snprintf(want, sizeof(want), "%s", e2e_str(v, "id", NULL));
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", want);
	json_decref(v);
	assert_true(receiver_wait(&f->r, 1, SOON_MS));
	/* Not asked for (a status change), and refused (rolled back): neither comes. */
	e2e_expect(&f->s, f->s.token, "PATCH", path, "{\"comment\":\"x\",\"status\":\"sideways\"}",
		   422);
	e2e_expect(&f->s, f->s.token, "PATCH", path, "{\"status\":\"triaged\"}", 200);
	e2e_expect(&f->s, f->s.token, "PATCH", path, "{\"comment\":\"Thanks, on it\"}", 200);
	assert_true(receiver_wait(&f->r, 2, SOON_MS));
	usleep(1500 * 1000);
	assert_int_equal(receiver_count(&f->r), 2);
	h = receiver_hit(&f->r, 0);
	verify_signature(&h);
	b1 = json_loads(h.body, 0, NULL);
	assert_string_equal(e2e_str(b1, "type", NULL), "group.created");
	assert_string_equal(e2e_str(b1, "data", "status"), "new");
	assert_int_equal(strncmp(e2e_str(b1, "data", "group"), "G-", 2), 0);
	snprintf(url, sizeof(url), "%s/p/demo/groups/%s", f->s.url, e2e_str(b1, "data", "group"));
	assert_string_equal(e2e_str(b1, "url", NULL), url);
	h = receiver_hit(&f->r, 1);
	verify_signature(&h);
	b2 = json_loads(h.body, 0, NULL);
	assert_string_equal(e2e_str(b2, "type", NULL), "report.comment");
	assert_string_equal(e2e_str(b2, "data", "report"), want);
	snprintf(url, sizeof(url), "%s/p/demo/reports/%s", f->s.url, want);
	assert_string_equal(e2e_str(b2, "url", NULL), url); /* the report commented on */
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(json_object_get(b2, "data"),
							      "comment"),
					      "body")),
	    "Thanks, on it");
	/* The tester's install is for e-mail and news alone. */
	assert_null(json_object_get(json_object_get(b2, "data"), "install_id"));
	assert_null(strstr(h.body, "t-"));
	json_decref(b1);
	json_decref(b2);
	remove_hook(f, id);
}

/* kill -9 with a delivery pending: after the restart it is delivered, once. */
static void test_kill9_pending_delivered_once(void **state)
{
	fixture *f = *state;
	static const int none[] = {0};
	char evt[64];
	long long id;
	int i, ok = 0;
	json_t *d;

	receiver_script(&f->r, none, 0, 503);
	id = add_hook(f, "/crash", ",\"events\":[\"test\"]", NULL);
	send_test(f, id, evt, sizeof(evt));
	d = wait_delivery(f, id, "pending", 1);
	json_decref(d);
	e2e_kill(&f->s);
	receiver_script(&f->r, none, 0, 200);
	assert_int_equal(e2e_start(&f->s, allow_private), 0);
	json_decref(wait_delivery(f, id, "delivered", 2));
	usleep(1500 * 1000);
	for (i = 0; i < receiver_count(&f->r); i++) {
		recv_hit h = receiver_hit(&f->r, i);

		assert_string_equal(h.id, evt);
		ok += h.status == 200;
	}
	assert_int_equal(ok, 1);
	remove_hook(f, id);
}

/* Without --webhook-allow-private, 127.0.0.1 is refused when connecting: nothing arrives and
 * the log says why. */
static void test_ssrf_refused(void **state)
{
	fixture *f = *state;
	e2e_server *s = e2e_fixture_new(sizeof(*s), 1);
	char url[128], body[256], path[128];
	json_t *v, *items, *d = NULL;
	long st;
	long long id, until = e2e_now_ms() + SOON_MS;

	assert_non_null(s);
	receiver_url(&f->r, "/private", url, sizeof(url));
	snprintf(body, sizeof(body), "{\"url\":\"%s\",\"events\":[\"test\"]}", url);
	v = e2e_call(s, s->token, "POST", "/api/v1/projects/demo/webhooks", body, &st);
	assert_int_equal(st, 201);
	id = json_integer_value(json_object_get(v, "id"));
	json_decref(v);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/webhooks/%lld/test", id);
	e2e_expect(s, s->token, "POST", path, NULL, 201);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/webhooks/%lld/deliveries", id);
	for (;;) {
		v = e2e_call(s, s->token, "GET", path, NULL, &st);
		items = json_object_get(v, "items");
		d = json_array_get(items, 0);
		if (d && json_integer_value(json_object_get(d, "attempts")) >= 1)
			break;
		json_decref(v);
		if (e2e_now_ms() > until)
			fail_msg("no attempt logged");
		usleep(50000);
	}
	assert_string_equal(e2e_str(d, "state", NULL), "pending"); /* retried later */
	assert_true(json_is_null(json_object_get(d, "status")));
	assert_non_null(strstr(e2e_str(d, "error", NULL), "refused: 127.0.0.1"));
	json_decref(v);
	assert_int_equal(receiver_count(&f->r), 0);
	e2e_fixture_free(s);
}

/* prosumd webhook add|list|test|remove on the data directory of the running server. */
static void test_prosumd_webhook_commands(void **state)
{
	fixture *f = *state;
	char url[128], out[2048], *p;
	long long id;
	json_t *body;

	receiver_url(&f->r, "/cli", url, sizeof(url));
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s webhook add demo '%s' --events test,group.created --format "
				"standard --secret %s --data %s 2>&1",
				PROSUMD_PATH, url, SECRET, f->s.data),
			 0);
	p = strstr(out, "webhook: ");
	assert_non_null(p);
	id = strtoll(p + 9, NULL, 10);
	assert_true(id > 0);
	assert_non_null(strstr(out, "secret: " SECRET));
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook list demo --data %s 2>&1",
				PROSUMD_PATH, f->s.data),
			 0);
	assert_non_null(strstr(out, url));
	assert_non_null(strstr(out, "[\"test\",\"group.created\"]"));
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook test demo %lld --data %s 2>&1",
				PROSUMD_PATH, id, f->s.data),
			 0);
	assert_true(receiver_wait(&f->r, 1, SOON_MS));
	{
		recv_hit h = receiver_hit(&f->r, 0);

		verify_signature(&h);
		body = json_loads(h.body, 0, NULL);
		assert_string_equal(e2e_str(body, "type", NULL), "test");
		json_decref(body);
	}
	/* Usage mistakes are exit status 2, naming what is wrong. */
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s webhook add demo '%s' --events nope --data %s 2>&1",
				PROSUMD_PATH, url, f->s.data),
			 2);
	assert_non_null(strstr(out, "--events"));
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook add demo ftp://x --data %s 2>&1",
				PROSUMD_PATH, f->s.data),
			 2);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook frob demo --data %s 2>&1",
				PROSUMD_PATH, f->s.data),
			 2);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook list nope --data %s 2>&1",
				PROSUMD_PATH, f->s.data),
			 1);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook remove demo %lld --data %s 2>&1",
				PROSUMD_PATH, id, f->s.data),
			 0);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook remove demo %lld --data %s 2>&1",
				PROSUMD_PATH, id, f->s.data),
			 1);
}

/* prosumd webhook deliveries|redeliver: the delivery log and a redelivery from the shell. */
static void test_prosumd_delivery_commands(void **state)
{
	fixture *f = *state;
	char evt[64], out[4096], want[128], *p;
	long long id, did;
	json_t *d;
	recv_hit h;

	id = add_hook(f, "/log", ",\"events\":[\"test\"],\"secret\":\"" SECRET "\"", NULL);
	send_test(f, id, evt, sizeof(evt));
	d = wait_delivery(f, id, "delivered", 1);
	did = json_integer_value(json_object_get(d, "id"));
	json_decref(d);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook deliveries demo %lld --data %s 2>&1",
				PROSUMD_PATH, id, f->s.data),
			 0);
	assert_non_null(strstr(out, "ATTEMPTS"));
	snprintf(want, sizeof(want), "%-6lld %-10s %-26s %-9s %-8d %-6s", did, evt, "test",
		 "delivered", 1, "200");
	if (!strstr(out, want))
		fail_msg("no row \"%s\" in:\n%s", want, out);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook redeliver demo %lld %lld --data %s 2>&1",
				PROSUMD_PATH, id, did, f->s.data),
			 0);
	assert_non_null(strstr(out, "the running server sends it"));
	/* The running server sends it: the same event, signed again. */
	assert_true(receiver_wait(&f->r, 2, SOON_MS));
	h = receiver_hit(&f->r, 1);
	assert_string_equal(h.id, evt);
	verify_signature(&h);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook deliveries demo %lld --limit 1 "
						  "--data %s 2>&1",
				PROSUMD_PATH, id, f->s.data),
			 0);
	/* --limit 1: the redelivery alone (one row under the head). */
	p = strstr(out, "evt_");
	assert_non_null(p);
	assert_null(strstr(p + 4, "evt_"));
	/* Someone else's delivery, or none, is 1; a bad id or limit is a usage mistake, 2. */
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook redeliver demo %lld 999999 --data %s "
						  "2>&1",
				PROSUMD_PATH, id, f->s.data),
			 1);
	assert_non_null(strstr(out, "no delivery 999999"));
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook deliveries demo 999999 --data %s 2>&1",
				PROSUMD_PATH, f->s.data),
			 1);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook redeliver demo %lld --data %s 2>&1",
				PROSUMD_PATH, id, f->s.data),
			 2);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook deliveries demo %lld --limit 0 "
						  "--data %s 2>&1",
				PROSUMD_PATH, id, f->s.data),
			 2);
	/* A disabled webhook is sent nothing: its test is refused, not recorded (as the API's 409). */
	{
		char path[128];
		long long tests;

		snprintf(path, sizeof(path), "/api/v1/projects/demo/webhooks/%lld", id);
		e2e_expect(&f->s, f->s.token, "PATCH", path, "{\"enabled\":false}", 200);
		tests = e2e_sql_int(&f->s, "SELECT count(*) FROM outbox WHERE type = 'test'");
		assert_int_equal(e2e_sh(out, sizeof(out), "%s webhook test demo %lld --data %s 2>&1",
					PROSUMD_PATH, id, f->s.data),
				 1);
		assert_non_null(strstr(out, "is disabled: enable it first"));
		assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM outbox WHERE type = 'test'"),
				 tests);
	}
	remove_hook(f, id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_signature_and_schema, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_validation, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_retry_after_500, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_backoff_and_retry_after, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_410_disables_and_rollback, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_redeliver_pending, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_redeliver, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_slack_and_discord, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_slack_line_names_the_kind, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_event_links, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_link_follows_public_url, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_real_events, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_kill9_pending_delivered_once, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_prosumd_delivery_commands, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_prosumd_webhook_commands, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_ssrf_refused, test_setup, test_teardown),
	};

	/* Retries a test can wait for (docs/notifications.md: test-only). */
	setenv("PROSUM_TEST_WEBHOOK_BASE_MS", "400", 1);
	return cmocka_run_group_tests(tests, setup, teardown);
}
