/* test_sentry_items.c - envelope items beside events: attachment headers and names, item ceilings,
 * user feedback documents, and storing them (renames, resends, waiting attachments, ceilings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "config.h"
#include "model/report.h"
#include "sentry/items.h"
#include "store/store_sentry.h"
#include "unit_store.h"

static const report_limits limits = {
	.max_json = 256 * 1024, .max_frames = 256, .max_tags = 64, .max_field = 16384};

static void test_ids(void **state)
{
	char out[SENTRY_EVENT_ID_LEN + 1], uuid[SENTRY_UUID_LEN + 1];

	(void)state;
	assert_int_equal(sentry_id_norm("9EC79C33-EC99-42AB-8353-589FCB2E04DC", out), 0);
	assert_string_equal(out, "9ec79c33ec9942ab8353589fcb2e04dc");
	sentry_id_uuid(out, uuid);
	assert_string_equal(uuid, "9ec79c33-ec99-42ab-8353-589fcb2e04dc");
	assert_int_equal(sentry_id_norm("9ec79c33ec9942ab8353589fcb2e04d", out), -1);
	assert_int_equal(sentry_id_norm("9ec79c33ec9942ab8353589fcb2e04dcc", out), -1);
	assert_int_equal(sentry_id_norm("9ec79c33ec9942ab8353589fcb2e04dg", out), -1);
	assert_int_equal(sentry_id_norm(NULL, out), -1);
}

static void test_names(void **state)
{
	char out[ATTACH_NAME_MAX + 1], longname[300];

	(void)state;
	sentry_attachment_name("crash.dmp", "attachment", out);
	assert_string_equal(out, "crash.dmp");
	sentry_attachment_name("C:\\Users\\ann\\logs/app (1).log", "attachment", out);
	assert_string_equal(out, "app _1_.log");
	sentry_attachment_name(".hidden", "attachment", out);
	assert_string_equal(out, "_hidden");
	sentry_attachment_name("a..b", "attachment", out);
	assert_string_equal(out, "a._b");
	sentry_attachment_name("dir/", "minidump.dmp", out);
	assert_string_equal(out, "minidump.dmp");
	sentry_attachment_name(NULL, "attachment", out);
	assert_string_equal(out, "attachment");
	sentry_attachment_name("caf\xc3\xa9.txt", "attachment", out);
	assert_string_equal(out, "caf__.txt");
	/* Long: cut, the extension kept */
	memset(longname, 'n', 250);
	memcpy(longname + 250, ".json", 6);
	sentry_attachment_name(longname, "attachment", out);
	assert_int_equal(strlen(out), SENTRY_ATTACHMENT_NAME_MAX);
	assert_string_equal(out + SENTRY_ATTACHMENT_NAME_MAX - 5, ".json");
	assert_true(attach_name_ok(out, strlen(out)));
}

/* Parse `text` as an envelope into env (the text must outlive it). */
static void parse(sentry_envelope *env, const char *text, size_t len)
{
	char err[256];

	assert_int_equal(sentry_envelope_parse(env, text, len, len, err, sizeof(err)), 0);
}

static void test_attachment_headers(void **state)
{
	static const char text[] =
		"{}\n"
		"{\"type\":\"attachment\",\"length\":4,\"filename\":\"upload.dmp\","
		"\"attachment_type\":\"event.minidump\",\"content_type\":\"text/html\"}\nMDMP\n"
		"{\"type\":\"attachment\",\"length\":3,\"filename\":\"notes.txt\","
		"\"content_type\":\"Text/Plain; charset=utf-8\"}\nabc\n"
		"{\"type\":\"attachment\",\"length\":8,\"filename\":\"shot.png\","
		"\"attachment_type\":\"Evil<type>\"}\n\x89PNG\r\n\x1a\n\n"
		"{\"type\":\"attachment\",\"length\":1,\"attachment_type\":\"event.minidump\"}\nx";
	sentry_envelope env;
	sentry_attachment a;

	(void)state;
	parse(&env, text, sizeof(text) - 1);
	assert_int_equal(env.nitems, 4);
	sentry_attachment_read(&env.items[0], &a);
	assert_string_equal(a.name, "upload.dmp");
	assert_string_equal(a.attachment_type, "event.minidump");
	assert_string_equal(a.content_type, "application/x-dmp");
	assert_int_equal(a.len, 4);
	assert_memory_equal(a.data, "MDMP", 4);
	sentry_attachment_read(&env.items[1], &a);
	assert_string_equal(a.attachment_type, "event.attachment");
	assert_string_equal(a.content_type, "text/plain");
	sentry_attachment_read(&env.items[2], &a);
	assert_string_equal(a.attachment_type, "event.attachment");
	assert_string_equal(a.content_type, "image/png");
	sentry_attachment_read(&env.items[3], &a);
	assert_string_equal(a.name, "minidump.dmp");
	sentry_envelope_free(&env);
}

static void test_sizes(void **state)
{
	static const char text[] = "{}\n"
				   "{\"type\":\"transaction\"}\n0123456789\n"
				   "{\"type\":\"attachment\",\"filename\":\"big.bin\"}\n0123456789\n"
				   "{\"type\":\"event\"}\n0123456789\n";
	sentry_envelope env;
	char err[256];

	(void)state;
	parse(&env, text, sizeof(text) - 1);
	/* Items prosum does not read are not bounded here (the body is). */
	assert_int_equal(sentry_items_check_sizes(&env, 10, 10, err, sizeof(err)), 0);
	assert_int_equal(sentry_items_check_sizes(&env, 10, 9, err, sizeof(err)), -1);
	assert_string_equal(err, "item 2 (attachment big.bin): 10 bytes is over the limit of 9 bytes");
	assert_int_equal(sentry_items_check_sizes(&env, 9, 10, err, sizeof(err)), -1);
	assert_string_equal(err, "item 3 (event): 10 bytes is over the limit of 9 bytes");
	sentry_envelope_free(&env);
}

/* A document must pass report_parse() as a report. */
static void valid_report(json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	report_error err;
	report r;

	assert_non_null(text);
	if (report_parse(&r, text, strlen(text), &limits, &err) < 0)
		fail_msg("%s: %s", err.field, err.message);
	assert_string_equal(r.kind, "feedback");
	report_free(&r);
	free(text);
}

static void test_user_report(void **state)
{
	json_t *ur = json_loads("{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"name\":\"Ann\","
				"\"email\":\"\",\"comments\":\"\\n  Saving fails  \\r\\nevery time\"}",
				0, NULL);
	json_t *hdr = json_loads("{\"trace\":{\"release\":\"app@1.4.0+abc1234\",\"environment\":"
				 "\"beta\"}}",
				 0, NULL);
	char linked[SENTRY_UUID_LEN + 1], err[128], field[64];
	json_t *doc, *again;

	(void)state;
	assert_int_equal(sentry_feedback_from_user_report(ur, hdr, &doc, linked, err, sizeof(err),
							  field, sizeof(field)),
			 0);
	assert_string_equal(linked, "01234567-89ab-cdef-0123-456789abcdef");
	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "feedback");
	assert_string_equal(json_string_value(json_object_get(doc, "title")), "Saving fails");
	assert_string_equal(json_string_value(json_object_get(doc, "description")),
			    "\n  Saving fails  \r\nevery time");
	/* Only what was given: a name, no (empty) email */
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "contact"), "name")),
			    "Ann");
	assert_null(json_object_get(json_object_get(doc, "contact"), "email"));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "build"), "revision")), "abc1234");
	/* Its own id, not the event's, and the same each time */
	assert_string_equal(json_string_value(json_object_get(doc, "uuid")),
			    "fedcba98-7654-3210-fedc-ba9876543210");
	assert_int_equal(sentry_feedback_from_user_report(ur, NULL, &again, linked, err,
							  sizeof(err), field, sizeof(field)),
			 0);
	assert_true(json_equal(json_object_get(doc, "uuid"), json_object_get(again, "uuid")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(again, "build"), "version")), "unknown");
	valid_report(doc);
	json_decref(doc);
	json_decref(again);

	json_object_set_new(ur, "event_id", json_string("nope"));
	assert_int_equal(sentry_feedback_from_user_report(ur, NULL, &doc, linked, err, sizeof(err),
							  field, sizeof(field)),
			 -1);
	assert_string_equal(field, "user_report.event_id");
	json_object_set_new(ur, "event_id", json_string("0123456789abcdef0123456789abcdef"));
	json_object_set_new(ur, "comments", json_integer(3));
	assert_int_equal(sentry_feedback_from_user_report(ur, NULL, &doc, linked, err, sizeof(err),
							  field, sizeof(field)),
			 -1);
	assert_string_equal(field, "user_report.comments");
	json_decref(ur);
	json_decref(hdr);
}

static void test_feedback_event(void **state)
{
	json_t *ev = json_loads(
	    "{\"event_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"contexts\":{\"feedback\":{"
	    "\"message\":\"Love it\",\"contact_email\":\"bo@example.org\","
	    "\"associated_event_id\":\"BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB\"}},"
	    "\"exception\":{\"values\":[{\"type\":\"E\"}]},\"fingerprint\":[\"x\"]}",
	    0, NULL);
	char id[SENTRY_EVENT_ID_LEN + 1], err[128], field[64], linked[SENTRY_UUID_LEN + 1];
	json_t *doc;

	(void)state;
	assert_int_equal(sentry_event_map(ev, 256, &doc, id, err, sizeof(err), field, sizeof(field)),
			 0);
	sentry_feedback_from_event(doc, ev, linked);
	assert_string_equal(linked, "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb");
	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "feedback");
	assert_string_equal(json_string_value(json_object_get(doc, "title")), "Love it");
	assert_null(json_object_get(doc, "exception"));
	assert_null(json_object_get(doc, "fingerprint"));
	assert_null(json_object_get(json_object_get(doc, "contact"), "name"));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "contact"), "email")),
	    "bo@example.org");
	valid_report(doc);
	json_decref(doc);
	/* No message, no associated event: still a feedback report, about nothing */
	json_object_set_new(ev, "contexts", json_object());
	assert_int_equal(sentry_event_map(ev, 256, &doc, id, err, sizeof(err), field, sizeof(field)),
			 0);
	sentry_feedback_from_event(doc, ev, linked);
	assert_string_equal(linked, "");
	assert_string_equal(json_string_value(json_object_get(doc, "title")), "(no comments)");
	assert_null(json_object_get(doc, "contact"));
	valid_report(doc);
	json_decref(doc);
	json_decref(ev);
}

/* ---- storing ---- */

#define EV "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"

static int store_setup(void **state)
{
	unit_store *u;
	char dir[128];

	if (unit_store_setup(state) < 0)
		return -1;
	u = *state;
	snprintf(dir, sizeof(dir), "%s/attachments", u->dir);
	return mkdir(dir, 0700);
}

static void put_report(unit_store *u, const char *uuid)
{
	char text[512];
	report_error err;
	report *r = calloc(1, sizeof(*r));
	store_ingest out;

	snprintf(text, sizeof(text),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"t\",\"build\":{\"version\":\"1\"},"
		 "\"tester\":{\"install_id\":\"i\"}}",
		 uuid);
	assert_int_equal(report_parse(r, text, strlen(text), &limits, &err), 0);
	assert_int_equal(store_report_insert(u->db, u->project, r, 1, &out), STORE_OK);
	assert_int_equal(store_commit(u->db), STORE_OK);
	assert_int_equal(store_begin(u->db), STORE_OK);
	report_free(r);
	free(r);
}

static sentry_attachment att(const char *name, const char *data)
{
	sentry_attachment a;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.content_type, sizeof(a.content_type), "text/plain");
	snprintf(a.attachment_type, sizeof(a.attachment_type), "event.attachment");
	a.data = data;
	a.len = strlen(data);
	return a;
}

static int64_t count(unit_store *u, const char *uuid, int64_t num)
{
	int64_t n, bytes;

	assert_int_equal(store_sentry_attachments_total(u->db, u->project, num, uuid, &n, &bytes),
			 STORE_OK);
	return n;
}

static void test_store_items(void **state)
{
	unit_store *u = *state;
	char dir[128];
	sentry_items *it;
	sentry_attachment a;
	const char *code, *msg, *field;
	char names[PROSUM_MAX_ATTACHMENTS][32], datas[PROSUM_MAX_ATTACHMENTS][32];
	int64_t num;
	int i;

	snprintf(dir, sizeof(dir), "%s/attachments", u->dir);
	assert_int_equal(store_begin(u->db), STORE_OK);
	/* Before the event: waiting, once though sent twice */
	for (i = 0; i < 2; i++) {
		it = sentry_items_new(dir);
		a = att("log.txt", "one");
		sentry_items_attachment(it, EV, &a);
		assert_int_equal(sentry_items_run(u->db, u->project, 1, it), STORE_OK);
		sentry_items_free(it);
	}
	assert_int_equal(count(u, EV, 0), 1);
	/* The event comes: its attachments are claimed */
	put_report(u, EV);
	assert_int_equal(store_sentry_report_num(u->db, u->project, EV, &num), STORE_OK);
	it = sentry_items_new(dir);
	sentry_items_event(it, EV);
	a = att("log.txt", "two"); /* the same name, other bytes: renamed */
	sentry_items_attachment(it, EV, &a);
	assert_int_equal(sentry_items_run(u->db, u->project, 1, it), STORE_OK);
	sentry_items_free(it);
	assert_int_equal(count(u, EV, 0), 0);
	assert_int_equal(count(u, EV, num), 2);
	{
		char sha[65], type[128];
		int64_t size;
		assert_int_equal(store_attachment_find(u->db, u->project, num, "log-2.txt", sha, type,
						       &size),
				 STORE_OK);
		assert_int_equal(size, 3);
	}
	assert_int_equal(store_commit(u->db), STORE_OK);
	/* Up to the ceiling, not past it: refused (the writer's savepoint drops what was put) */
	assert_int_equal(store_begin(u->db), STORE_OK);
	it = sentry_items_new(dir);
	for (i = 0; i < PROSUM_MAX_ATTACHMENTS - 1; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d.txt", i);
		snprintf(datas[i], sizeof(datas[i]), "data %d", i);
		a = att(names[i], datas[i]);
		sentry_items_attachment(it, EV, &a);
	}
	assert_int_equal(sentry_items_run(u->db, u->project, 1, it), STORE_INVALID);
	assert_int_equal(sentry_items_why(it, &code, &msg, &field), 413);
	assert_string_equal(code, "too_many_attachments");
	assert_string_equal(field, "attachments");
	assert_non_null(strstr(msg, "at most 16 attachments per report; with these it would have 17"));
	sentry_items_free(it);
	store_rollback(u->db);
	assert_int_equal(store_begin(u->db), STORE_OK);
	assert_int_equal(count(u, EV, num), 2);
	store_rollback(u->db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_attachment_headers),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_user_report),
		cmocka_unit_test(test_feedback_event),
		cmocka_unit_test_setup_teardown(test_store_items, store_setup, unit_store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
