/* test_e2e_sentry_items.c - Sentry envelope items beside events: attachments, minidumps, user feedback. */
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

/* POST an envelope of len bytes with the demo project's key. */
static void post_envelope(fixture *f, const char *body, size_t len, e2e_response *r)
{
	char auth[256];
	const char *h[] = {auth, "Content-Type: application/x-sentry-envelope", NULL};

	snprintf(auth, sizeof(auth), "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=%s",
		 f->s.key);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/envelope/", h, body, len, r), 0);
}

/* The number of the report of event id `hex` (32 digits), or -1. */
static long long num_of(fixture *f, const char *hex)
{
	char q[256];

	snprintf(q, sizeof(q), "SELECT num FROM reports WHERE replace(uuid, '-', '') = '%s'", hex);
	return e2e_sql_int(&f->s, q);
}

static json_t *get_report(fixture *f, long long num)
{
	char path[128];
	long st;
	json_t *rep;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/R-%lld", num);
	rep = e2e_call(&f->s, f->s.token, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	return rep;
}

/* The attachment `name` of report num, downloaded. */
static void get_attachment(fixture *f, long long num, const char *name, e2e_response *r)
{
	char path[256], auth[200];
	const char *h[] = {auth, NULL};

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->s.token);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/R-%lld/attachments/%s", num,
		 name);
	assert_int_equal(e2e_request(&f->s, "GET", path, h, NULL, 0, r), 0);
	assert_int_equal(r->status, 200);
}

static const char *att_field(json_t *rep, size_t i, const char *k)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(rep, "attachments"), i), k));
}

/*
 * The app: an exception captured with an attachment on the scope (the SDK sends it as an
 * envelope to /envelope/), then a user report about that event through the SDK's own
 * transport (sentry_sdk 1.9 has no capture_user_feedback). Prints the event id.
 */
static const char app_py[] =
	"import sys\n"
	"import sentry_sdk\n"
	"from sentry_sdk.envelope import Envelope, Item, PayloadRef\n"
	"dsn, ca = sys.argv[1:3]\n"
	"sentry_sdk.init(dsn=dsn, release='app@2.0.0', ca_certs=ca)\n"
	"with sentry_sdk.configure_scope() as scope:\n"
	"    scope.add_attachment(bytes=b'line 1\\n\\x00\\xff binary tail', filename='app.log')\n"
	"try:\n"
	"    {}['missing']\n"
	"except Exception:\n"
	"    eid = sentry_sdk.capture_exception()\n"
	"sentry_sdk.flush(timeout=60)\n"
	"env = Envelope(headers={'event_id': eid})\n"
	"env.add_item(Item(payload=PayloadRef(json={'event_id': eid, 'name': 'Ann',\n"
	"    'email': 'ann@example.org', 'comments': 'It broke when I saved\\nand lost my work'}),\n"
	"    type='user_report'))\n"
	"sentry_sdk.Hub.current.client.transport.capture_envelope(env)\n"
	"sentry_sdk.flush(timeout=60)\n"
	"print(eid)\n";

static void test_python_sdk(void **state)
{
	fixture *f = *state;
	char path[512], out[256], dsn[512], eid[33];
	static const char bytes[] = "line 1\n\0\xff binary tail";
	json_t *proj, *rep, *fb;
	long long num, fnum;
	e2e_response r;
	long st;
	FILE *fp;

	proj = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo", NULL, &st);
	assert_int_equal(st, 200);
	snprintf(dsn, sizeof(dsn), "%s", e2e_str(proj, "sentry_dsn", NULL));
	json_decref(proj);
	snprintf(path, sizeof(path), "%s/app.py", f->s.dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(app_py, fp);
	fclose(fp);
	/* The system's python3, where python3-sentry-sdk is installed (scripts/bootstrap). */
	assert_int_equal(e2e_sh(out, sizeof(out), "/usr/bin/python3 %s '%s' '%s' 2>&1", path, dsn,
				f->s.cacert),
			 0);
	assert_int_equal(strlen(out), 33);
	memcpy(eid, out, 32);
	eid[32] = '\0';

	/* The event's report, with the attachment the SDK sent beside it. */
	num = num_of(f, eid);
	assert_true(num > 0);
	rep = get_report(f, num);
	assert_string_equal(e2e_str(rep, "kind", NULL), "crash");
	assert_int_equal(json_array_size(json_object_get(rep, "attachments")), 1);
	assert_string_equal(att_field(rep, 0, "name"), "app.log");
	assert_string_equal(att_field(rep, 0, "attachment_type"), "event.attachment");
	get_attachment(f, num, "app.log", &r);
	assert_int_equal(r.len, sizeof(bytes) - 1);
	assert_memory_equal(r.body, bytes, sizeof(bytes) - 1);
	e2e_response_free(&r);

	/* The user report: a feedback report, both ways linked. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE kind = 'feedback'"), 1);
	fnum = e2e_sql_int(&f->s, "SELECT num FROM reports WHERE kind = 'feedback'");
	fb = json_object_get(rep, "feedback");
	assert_int_equal(json_array_size(fb), 1);
	snprintf(path, sizeof(path), "R-%lld", fnum);
	assert_string_equal(json_string_value(json_array_get(fb, 0)), path);
	json_decref(rep);
	rep = get_report(f, fnum);
	assert_string_equal(e2e_str(rep, "kind", NULL), "feedback");
	assert_string_equal(e2e_str(rep, "title", NULL), "It broke when I saved");
	assert_string_equal(e2e_str(rep, "description", NULL), "It broke when I saved\nand lost my work");
	assert_string_equal(e2e_str(rep, "contact", "name"), "Ann");
	assert_string_equal(e2e_str(rep, "contact", "email"), "ann@example.org");
	snprintf(path, sizeof(path), "R-%lld", num);
	assert_string_equal(e2e_str(rep, "feedback_for", NULL), path);
	json_decref(rep);
	/* Feedback groups on its own, never with the crash. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(DISTINCT group_id) FROM reports"), 2);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM sentry_feedback"), 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM attachments"), 1);
}

#define E1 "11111111111111111111111111111111"
#define E2 "22222222222222222222222222222222"
#define E3 "33333333333333333333333333333333"
#define E4 "44444444444444444444444444444444"
#define E5 "55555555555555555555555555555555"
#define E6 "66666666666666666666666666666666"
#define FB "ffffffffffffffffffffffffffff0001"

/* An envelope as text (no binary payloads), posted; the status is returned, the body kept. */
static long post_text(fixture *f, const char *text, e2e_response *r)
{
	post_envelope(f, text, strlen(text), r);
	return r->status;
}

/* Feedback (the newer `feedback` event) before its event: linked when the event comes. */
static void test_feedback_before_event(void **state)
{
	fixture *f = *state;
	char want[32];
	json_t *rep;
	long long fnum, num;
	e2e_response r;

	assert_int_equal(post_text(f,
		"{\"event_id\":\"" FB "\"}\n"
		"{\"type\":\"feedback\"}\n"
		"{\"event_id\":\"" FB "\",\"release\":\"app@1.0\",\"contexts\":{\"feedback\":"
		"{\"message\":\"  \\nThe save button is hidden\\nplease move it\",\"contact_email\":"
		"\"bo@example.org\",\"associated_event_id\":\"" E1 "\"}}}\n", &r), 200);
	assert_string_equal(r.body, "{\"id\":\"" FB "\"}");
	e2e_response_free(&r);
	fnum = num_of(f, FB);
	assert_true(fnum > 0);
	rep = get_report(f, fnum);
	assert_string_equal(e2e_str(rep, "kind", NULL), "feedback");
	assert_string_equal(e2e_str(rep, "title", NULL), "The save button is hidden");
	assert_string_equal(e2e_str(rep, "contact", "email"), "bo@example.org");
	assert_null(json_object_get(json_object_get(rep, "contact"), "name"));
	assert_null(json_object_get(rep, "feedback_for"));
	json_decref(rep);

	assert_int_equal(post_text(f, "{}\n{\"type\":\"event\"}\n{\"event_id\":\"" E1
				      "\",\"message\":\"saving failed\"}", &r), 200);
	e2e_response_free(&r);
	num = num_of(f, E1);
	rep = get_report(f, fnum);
	snprintf(want, sizeof(want), "R-%lld", num);
	assert_string_equal(e2e_str(rep, "feedback_for", NULL), want);
	json_decref(rep);
	rep = get_report(f, num);
	snprintf(want, sizeof(want), "R-%lld", fnum);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rep, "feedback"), 0)), want);
	json_decref(rep);
}

/* An attachment in a later envelope joins the stored event; one that comes before its event
 * waits for it; resending changes nothing. */
static void test_later_and_pending_attachments(void **state)
{
	fixture *f = *state;
	static const char later[] = "{\"event_id\":\"" E1 "\"}\n"
				    "{\"type\":\"attachment\",\"length\":5,\"filename\":\"later.txt\"}\n"
				    "hello\n";
	static const char early[] = "{\"event_id\":\"" E2 "\"}\n"
				    "{\"type\":\"attachment\",\"length\":5,\"filename\":\"../early log.txt\","
				    "\"content_type\":\"text/plain\"}\nearly";
	json_t *rep;
	long long num;
	e2e_response r;
	int i;

	assert_int_equal(post_text(f, "{}\n{\"type\":\"event\"}\n{\"event_id\":\"" E1
				      "\",\"message\":\"first\"}\n", &r), 200);
	e2e_response_free(&r);
	for (i = 0; i < 2; i++) {
		assert_int_equal(post_text(f, later, &r), 200);
		assert_string_equal(r.body, "{\"id\":\"" E1 "\"}");
		e2e_response_free(&r);
	}
	num = num_of(f, E1);
	rep = get_report(f, num);
	assert_int_equal(json_array_size(json_object_get(rep, "attachments")), 1);
	assert_string_equal(att_field(rep, 0, "name"), "later.txt");
	json_decref(rep);

	for (i = 0; i < 2; i++) {
		assert_int_equal(post_text(f, early, &r), 200);
		e2e_response_free(&r);
	}
	assert_int_equal(num_of(f, E2), -1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM sentry_pending_attachments"), 1);
	assert_int_equal(post_text(f, "{\"event_id\":\"" E2 "\"}\n{\"type\":\"event\"}\n{\"event_id\":\"" E2
				      "\",\"message\":\"second\"}\n", &r), 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM sentry_pending_attachments"), 0);
	num = num_of(f, E2);
	rep = get_report(f, num);
	assert_int_equal(json_array_size(json_object_get(rep, "attachments")), 1);
	/* The path is dropped and the space kept: a safe name */
	assert_string_equal(att_field(rep, 0, "name"), "early log.txt");
	assert_string_equal(att_field(rep, 0, "content_type"), "text/plain");
	json_decref(rep);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM attachments"), 2);

	/* An event sent to /store/ (Python SDK 1.x without attachments) claims its waiting ones */
	assert_int_equal(post_text(f, "{\"event_id\":\"" E3 "\"}\n{\"type\":\"attachment\","
				      "\"filename\":\"w.txt\"}\nwaiting\n", &r), 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM sentry_pending_attachments"), 1);
	{
		char auth[200];
		const char *h[] = {auth, NULL};
		static const char ev[] = "{\"event_id\":\"" E3 "\",\"message\":\"via store\"}";

		snprintf(auth, sizeof(auth), "X-Sentry-Auth: Sentry sentry_key=%s", f->s.key);
		assert_int_equal(e2e_request(&f->s, "POST", "/api/1/store/", h, ev, strlen(ev), &r), 0);
		assert_int_equal(r.status, 200);
		e2e_response_free(&r);
	}
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM sentry_pending_attachments"), 0);
	rep = get_report(f, num_of(f, E3));
	assert_string_equal(att_field(rep, 0, "name"), "w.txt");
	json_decref(rep);
}

/* A minidump (sentry-native's crash): stored as such, the report is a crash. */
static void test_minidump(void **state)
{
	fixture *f = *state;
	static const char dump[] = "MDMP\x93\xa7\0\0binary minidump";
	const size_t dlen = sizeof(dump) - 1;
	char env[1024];
	int n;
	json_t *rep;
	long long num;
	e2e_response r;

	n = snprintf(env, sizeof(env),
		     "{\"event_id\":\"" E3 "\",\"dsn\":\"x\"}\n"
		     "{\"type\":\"event\",\"length\":%d}\n"
		     "{\"event_id\":\"" E3 "\",\"level\":\"fatal\",\"platform\":\"native\"}\n"
		     "{\"type\":\"attachment\",\"length\":%zu,\"attachment_type\":\"event.minidump\","
		     "\"filename\":\"upload.dmp\"}\n",
		     (int)strlen("{\"event_id\":\"" E3 "\",\"level\":\"fatal\",\"platform\":\"native\"}"),
		     dlen);
	memcpy(env + n, dump, dlen);
	post_envelope(f, env, (size_t)n + dlen, &r);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	num = num_of(f, E3);
	rep = get_report(f, num);
	assert_string_equal(e2e_str(rep, "kind", NULL), "crash");
	assert_string_equal(att_field(rep, 0, "name"), "upload.dmp");
	assert_string_equal(att_field(rep, 0, "content_type"), "application/x-dmp");
	assert_string_equal(att_field(rep, 0, "attachment_type"), "event.minidump");
	json_decref(rep);
	get_attachment(f, num, "upload.dmp", &r);
	assert_int_equal(r.len, dlen);
	assert_memory_equal(r.body, dump, dlen);
	e2e_response_free(&r);
}

/* Every event of an envelope is stored; events without event_id take the header's, else a
 * random one, which is answered. */
static void test_events_and_ids(void **state)
{
	fixture *f = *state;
	char auth[200], q[256];
	const char *h[] = {auth, NULL};
	e2e_response r;

	assert_int_equal(post_text(f, "{\"event_id\":\"" E4 "\"}\n"
				      "{\"type\":\"event\"}\n{\"event_id\":\"" E4 "\",\"message\":\"one\"}\n"
				      "{\"type\":\"event\"}\n{\"event_id\":\"" E5 "\",\"message\":\"two\"}\n", &r),
			 200);
	assert_string_equal(r.body, "{\"id\":\"" E4 "\"}");
	e2e_response_free(&r);
	assert_true(num_of(f, E4) > 0);
	assert_true(num_of(f, E5) > 0);

	assert_int_equal(post_text(f, "{\"event_id\":\"" E6 "\"}\n{\"type\":\"event\"}\n{\"message\":\"no id\"}",
				   &r), 200);
	assert_string_equal(r.body, "{\"id\":\"" E6 "\"}");
	e2e_response_free(&r);
	assert_true(num_of(f, E6) > 0);

	assert_int_equal(post_text(f, "{}\n{\"type\":\"event\"}\n{\"message\":\"no id at all\"}", &r), 200);
	assert_int_equal(strlen(r.body), strlen("{\"id\":\"\"}") + 32);
	snprintf(q, sizeof(q), "SELECT count(*) FROM reports WHERE title = 'no id at all' AND "
		 "instr('%s', replace(uuid, '-', '')) > 0", r.body);
	assert_int_equal(e2e_sql_int(&f->s, q), 1);
	e2e_response_free(&r);

	snprintf(auth, sizeof(auth), "X-Sentry-Auth: Sentry sentry_key=%s", f->s.key);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/store/", h, "{\"message\":\"stored\"}", 20, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(strlen(r.body), strlen("{\"id\":\"\"}") + 32);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE title = 'stored'"), 1);
}

/* Oversize items are 413 naming the item, and nothing of the envelope is stored; a malformed
 * envelope stays 400; too many attachments on one report is 413. */
static void test_limits(void **state)
{
	fixture *f = *state;
	const size_t big = 10 * 1024 * 1024 + 1, json_big = 300 * 1024;
	char *env = malloc(big + 512);
	size_t n, i;
	e2e_response r;

	assert_non_null(env);
	n = (size_t)snprintf(env, 512,
			     "{\"event_id\":\"" E1 "\"}\n{\"type\":\"event\"}\n{\"event_id\":\"" E1
			     "\",\"message\":\"with a big file\"}\n"
			     "{\"type\":\"attachment\",\"length\":%zu,\"filename\":\"crash.dmp\"}\n",
			     big);
	memset(env + n, 'x', big);
	post_envelope(f, env, n + big, &r);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(r.body, "item 2 (attachment crash.dmp): 10.0 MiB (10485761 bytes) is "
				       "over the limit of 10 MiB"));
	e2e_response_free(&r);
	assert_int_equal(num_of(f, E1), -1);

	n = (size_t)snprintf(env, 512, "{}\n{\"type\":\"event\"}\n{\"event_id\":\"" E2
				       "\",\"extra\":{\"x\":\"");
	memset(env + n, 'y', json_big);
	memcpy(env + n + json_big, "\"}}", 3);
	post_envelope(f, env, n + json_big + 3, &r);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(r.body, "item 1 (event)"));
	e2e_response_free(&r);
	free(env);

	assert_int_equal(post_text(f, "{}\n{\"type\":\"event\",\"length\":99}\n{}", &r), 400);
	assert_non_null(strstr(r.body, "invalid_envelope"));
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 0);

	/* 16 attachments, then one more in a later envelope */
	{
		char buf[8192];
		size_t k = (size_t)snprintf(buf, sizeof(buf),
					    "{\"event_id\":\"" E3 "\"}\n{\"type\":\"event\"}\n"
					    "{\"event_id\":\"" E3 "\",\"message\":\"many\"}\n");
		for (i = 0; i < 16; i++)
			k += (size_t)snprintf(buf + k, sizeof(buf) - k,
					      "{\"type\":\"attachment\",\"length\":1,\"filename\":"
					      "\"f%zu.txt\"}\n%c\n",
					      i, (char)('a' + i));
		assert_int_equal(post_text(f, buf, &r), 200);
		e2e_response_free(&r);
		assert_int_equal(post_text(f, "{\"event_id\":\"" E3 "\"}\n{\"type\":\"attachment\","
					      "\"filename\":\"one-more.txt\"}\nz\n", &r), 413);
		assert_non_null(strstr(r.body, "too_many_attachments"));
		e2e_response_free(&r);
		assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM attachments"), 16);
	}
}

/* The same envelope twice (an SDK retrying): one report, one attachment row, one feedback. */
static void test_resend(void **state)
{
	fixture *f = *state;
	static const char env[] =
		"{\"event_id\":\"" E5 "\"}\n"
		"{\"type\":\"event\"}\n{\"event_id\":\"" E5 "\",\"exception\":{\"values\":[{\"type\":"
		"\"KeyError\",\"value\":\"x\"}]}}\n"
		"{\"type\":\"attachment\",\"filename\":\"state.json\",\"content_type\":"
		"\"application/json\",\"attachment_type\":\"event.view_hierarchy\"}\n{\"a\":1}\n"
		"{\"type\":\"user_report\"}\n{\"event_id\":\"" E5 "\",\"comments\":\"again\"}\n";
	json_t *rep;
	e2e_response r;
	int i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(post_text(f, env, &r), 200);
		assert_string_equal(r.body, "{\"id\":\"" E5 "\"}");
		e2e_response_free(&r);
	}
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE kind = 'crash'"), 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE kind = 'feedback'"), 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM attachments"), 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM sentry_feedback"), 1);
	rep = get_report(f, num_of(f, E5));
	assert_string_equal(att_field(rep, 0, "attachment_type"), "event.view_hierarchy");
	assert_int_equal(json_array_size(json_object_get(rep, "feedback")), 1);
	/* No contact was given: none is kept */
	json_decref(rep);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE kind = 'feedback' "
					    "AND body LIKE '%contact%'"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_python_sdk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feedback_before_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_and_pending_attachments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_minidump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_and_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resend, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
