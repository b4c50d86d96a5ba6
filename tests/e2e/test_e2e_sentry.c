/* test_e2e_sentry.c - the Python Sentry SDK (python3-sentry-sdk) sending to prosumd: events become reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

typedef e2e_release_fixture fixture;

static int setup(void **state)
{
	return e2e_release_setup(state, 1);
}

static int teardown(void **state)
{
	return e2e_release_teardown(state);
}

/*
 * The app: raises through three functions, captures the exception and a message, then sends
 * the exception's event again, as an envelope (the SDK sends events to /store/ itself), so
 * both endpoints see it. Prints the two event ids.
 */
static const char app_py[] =
	"import sys\n"
	"import sentry_sdk\n"
	"from sentry_sdk.envelope import Envelope\n"
	"dsn, release, ca = sys.argv[1:4]\n"
	"seen = []\n"
	"def keep(event, hint):\n"
	"    seen.append(event)\n"
	"    return event\n"
	"sentry_sdk.init(dsn=dsn, release=release, ca_certs=ca, environment='beta',\n"
	"                before_send=keep)\n"
	"def inner():\n"
	"    raise ValueError('bad palette')\n"
	"def middle():\n"
	"    inner()\n"
	"def outer():\n"
	"    middle()\n"
	"try:\n"
	"    outer()\n"
	"except Exception:\n"
	"    eid = sentry_sdk.capture_exception()\n"
	"mid = sentry_sdk.capture_message('disk nearly full')\n"
	"sentry_sdk.flush(timeout=60)\n"
	"env = Envelope(headers={'event_id': eid, 'dsn': dsn})\n"
	"env.add_event(seen[0])\n"
	"sentry_sdk.Hub.current.client.transport.capture_envelope(env)\n"
	"sentry_sdk.flush(timeout=60)\n"
	"print(eid)\n"
	"print(mid)\n";

static const char *frame_fn(json_t *report, size_t i)
{
	return json_string_value(
		json_object_get(json_array_get(json_object_get(report, "frames"), i), "function"));
}

static void test_python_sdk(void **state)
{
	fixture *f = *state;
	char path[512], out[256], release[128], q[256], eid[33], mid[33];
	const char *dsn;
	json_t *proj, *rep;
	long st;
	FILE *fp;

	proj = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo", NULL, &st);
	assert_int_equal(st, 200);
	dsn = e2e_str(proj, "sentry_dsn", NULL);
	assert_non_null(dsn);
	assert_non_null(strstr(dsn, f->s.key));
	snprintf(path, sizeof(path), "%s/app.py", f->s.dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(app_py, fp);
	fclose(fp);
	snprintf(release, sizeof(release), "app@1.0.0+%.12s", f->a);
	/* The system's python3, where python3-sentry-sdk is installed (scripts/bootstrap). */
	assert_int_equal(e2e_sh(out, sizeof(out), "/usr/bin/python3 %s '%s' '%s' '%s' 2>&1", path,
				dsn, release, f->s.cacert),
			 0);
	json_decref(proj);
	assert_int_equal(strlen(out), 66);
	memcpy(eid, out, 32);
	eid[32] = '\0';
	memcpy(mid, out + 33, 32);
	mid[32] = '\0';

	/* One report per event, though the exception's came twice. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 2);
	snprintf(q, sizeof(q), "SELECT num FROM reports WHERE replace(uuid, '-', '') = '%s'", eid);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/R-%lld", e2e_sql_int(&f->s, q));
	rep = e2e_call(&f->s, f->s.token, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(rep, "title", NULL), "ValueError: bad palette");
	assert_string_equal(e2e_str(rep, "kind", NULL), "crash");
	assert_string_equal(frame_fn(rep, 0), "inner");
	assert_string_equal(frame_fn(rep, 1), "middle");
	assert_string_equal(frame_fn(rep, 2), "outer");
	assert_string_equal(e2e_str(rep, "build", "version"), "1.0.0");
	assert_string_equal(e2e_str(rep, "build", "channel"), "beta");
	assert_string_equal(e2e_str(rep, "revision", "commit"), f->a);
	json_decref(rep);

	snprintf(q, sizeof(q), "SELECT num FROM reports WHERE replace(uuid, '-', '') = '%s'", mid);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/R-%lld", e2e_sql_int(&f->s, q));
	rep = e2e_call(&f->s, f->s.token, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(rep, "title", NULL), "disk nearly full");
	assert_string_equal(e2e_str(rep, "severity", NULL), "info");
	json_decref(rep);
}

/* A wrong key, or a key of another project, is refused with JSON naming the field. */
static void test_refusals(void **state)
{
	fixture *f = *state;
	char hdr[256];
	const char *h[] = {hdr, "Content-Type: application/json", NULL};
	static const char ev[] = "{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"message\":\"m\"}";
	e2e_response r;

	snprintf(hdr, sizeof(hdr), "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=%s", f->s.key);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/999/store/", h, ev, strlen(ev), &r), 0);
	assert_int_equal(r.status, 404);
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/store/", NULL, ev, strlen(ev), &r), 0);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "sentry_key"));
	e2e_response_free(&r);
	snprintf(hdr, sizeof(hdr), "X-Sentry-Auth: Sentry sentry_key=%032d", 0);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/store/", h, ev, strlen(ev), &r), 0);
	assert_int_equal(r.status, 401);
	e2e_response_free(&r);
	/* ?sentry_key= works too; an event with a malformed id is refused naming it */
	snprintf(hdr, sizeof(hdr), "/api/1/store/?sentry_key=%s", f->s.key);
	assert_int_equal(e2e_request(&f->s, "POST", hdr, NULL, "{\"event_id\":\"x\"}", 16, &r), 0);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "\"event_id\""));
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "POST", hdr, NULL, ev, strlen(ev), &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"id\":\"0123456789abcdef0123456789abcdef\"}");
	e2e_response_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_python_sdk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
