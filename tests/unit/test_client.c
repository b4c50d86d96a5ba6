/* test_client.c - libprosum without a server: builder, client set-up, sender policy, flush. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/rfc3339.h"
#include "lib/client.h"
#include "prosum.h"
#include "lib/builder.h"
#include "lib/spool.h"
#include "lib/sender.h"
#include "lib/util.h"
#include "unit_fixture.h"

/* An unused port on the loopback: connections are refused at once. */
#define DOWN_DSN "https://key@127.0.0.1:1/demo"

typedef unit_dir fixture;

static int setup(void **state)
{
	if (unit_dir_setup(state) < 0)
		return -1;
	unsetenv("PROSUM_SPOOL");
	unsetenv("PROSUM_CACERT");
	return 0;
}

static int teardown(void **state)
{
	return unit_dir_teardown(state);
}

static json_t *doc_of(const prosum_report *r)
{
	char *s = NULL;
	json_t *root;

	assert_int_equal(prosum_report_to_json(&s, r), 0);
	root = json_loads(s, 0, NULL);
	free(s);
	assert_non_null(root);
	return root;
}

static void test_report_builder(void **state)
{
	prosum_report *r = NULL;
	prosum_frame fr = PROSUM_FRAME_INIT;
	json_t *doc;
	time_t made_after = time(NULL), made_before;
	int64_t t;

	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	made_before = time(NULL);
	assert_true(util_uuid_valid(prosum_report_uuid(r)));
	assert_int_equal(prosum_report_uuid(r)[14], '4'); /* version 4 */
	assert_int_equal(prosum_report_set_title(r, "Button does nothing"), 0);
	assert_int_equal(prosum_report_set_description(r, "free text"), 0);
	assert_int_equal(prosum_report_set_severity(r, "major"), 0);
	assert_int_equal(prosum_report_set_steps(r, "1. open 2. click"), 0);
	assert_int_equal(prosum_report_set_tag(r, "gpu", "intel"), 0);
	assert_int_equal(prosum_report_set_exception(r, "SIGSEGV", "invalid read at 0x0"), 0);
	assert_int_equal(prosum_report_set_build(r, "1.4.0-beta.2", "abc1234", "beta"), 0);
	assert_int_equal(prosum_report_set_tester(r, "Ada", "ada@example.org"), 0);
	assert_int_equal(prosum_report_add_fingerprint(r, "custom"), 0);
	fr.function = "png_read_palette";
	fr.file = "src/png.c";
	fr.line = 120;
	fr.module = "viewer";
	fr.address = 0x4011d6;
	assert_int_equal(prosum_report_add_frame(r, &fr), 0);

	doc = doc_of(r);
	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "bug");
	assert_string_equal(json_string_value(json_object_get(doc, "title")),
			    "Button does nothing");
	assert_int_equal(rfc3339_parse(json_string_value(json_object_get(doc, "timestamp")), &t),
			 0);
	/* The time it was made, however long this test waited for the CPU since. */
	assert_true(t >= made_after && t <= made_before);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "tags"), "gpu")),
			    "intel");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "build"), "revision")),
	    "abc1234");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "tester"), "email")),
	    "ada@example.org");
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(doc, "frames"), 0), "address")),
			    "0x4011d6");
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(json_object_get(doc, "frames"), 0), "line")),
			 120);
	json_decref(doc);

	/* The tester asks for mail: only with an address; 0 takes the request back. */
	assert_int_equal(prosum_report_set_tester_notify(r, 1), 0);
	doc = doc_of(r);
	assert_true(json_is_true(json_object_get(json_object_get(doc, "tester"), "notify")));
	json_decref(doc);
	assert_int_equal(prosum_report_set_tester_notify(r, 0), 0);
	doc = doc_of(r);
	assert_null(json_object_get(json_object_get(doc, "tester"), "notify"));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "tester"), "email")),
	    "ada@example.org");
	json_decref(doc);

	/* NULL removes. */
	assert_int_equal(prosum_report_set_tag(r, "gpu", NULL), 0);
	assert_int_equal(prosum_report_set_tester(r, NULL, NULL), 0);
	assert_int_equal(prosum_report_set_exception(r, NULL, NULL), 0);
	doc = doc_of(r);
	assert_null(json_object_get(doc, "tags"));
	assert_null(json_object_get(doc, "tester"));
	assert_null(json_object_get(doc, "exception"));
	json_decref(doc);
	assert_int_equal(prosum_report_set_tester_notify(r, 1), PROSUM_EINVALID);
	assert_int_equal(prosum_report_set_tester_notify(NULL, 1), PROSUM_EINVALID);
	/* An address the server would refuse (and the report with it) is refused here, at once. */
	assert_int_equal(prosum_report_set_tester(r, NULL, "grace hopper@example.com"), 0);
	assert_int_equal(prosum_report_set_tester_notify(r, 1), PROSUM_EINVALID);
	assert_int_equal(prosum_report_set_tester(r, NULL, "<grace@example.com>"), 0);
	assert_int_equal(prosum_report_set_tester_notify(r, 1), PROSUM_EINVALID);
	assert_int_equal(prosum_report_set_tester(r, NULL, NULL), 0);
	prosum_report_free(r);
	prosum_report_free(NULL);
}

static void test_report_limits(void **state)
{
	prosum_report *r = NULL;
	prosum_frame fr = PROSUM_FRAME_INIT;
	char key[16], *big;

	assert_int_equal(prosum_report_new(&r, (prosum_kind)9), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "invalid report kind 9");
	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_CRASH), 0);
	for (int i = 0; i < 64; i++) {
		snprintf(key, sizeof(key), "t%d", i);
		assert_int_equal(prosum_report_set_tag(r, key, "v"), 0);
	}
	assert_int_equal(prosum_report_set_tag(r, "one-more", "v"), PROSUM_ETOOBIG);
	assert_string_equal(prosum_error_last(), "more than 64 tags");
	assert_int_equal(prosum_report_set_tag(r, "t3", "changed"), 0); /* not a new one */
	assert_int_equal(prosum_report_set_tag(r, "", "v"), PROSUM_EINVALID);
	fr.function = "f";
	for (int i = 0; i < 256; i++)
		assert_int_equal(prosum_report_add_frame(r, &fr), 0);
	assert_int_equal(prosum_report_add_frame(r, &fr), PROSUM_ETOOBIG);
	assert_string_equal(prosum_error_last(), "more than 256 frames");
	fr.version = 99;
	assert_int_equal(prosum_report_add_frame(r, &fr), PROSUM_EINVALID);
	assert_int_equal(prosum_report_set_title(r, "bad \xff utf-8"), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "title is not valid UTF-8");
	big = malloc(20000);
	memset(big, 'a', 19999);
	big[19999] = '\0';
	assert_int_equal(prosum_report_set_description(r, big), PROSUM_ETOOBIG);
	assert_string_equal(prosum_error_last(), "description is longer than 16384 bytes");
	free(big);
	assert_int_equal(prosum_report_set_tester(r, "x", "no-at-sign"), PROSUM_EINVALID);
	prosum_report_free(r);
}

static void test_attachment_names_from_paths(void **state)
{
	static const struct {
		const char *path, *name;
	} table[] = {
	    {"/tmp/prosum-test-names/.hidden..log (1)", "hidden._log _1_"},
	    {"/tmp/prosum-test-names/\xc3\xa9t\xc3\xa9.txt", "__t__.txt"},
	    {"/tmp/prosum-test-names/...", "attachment"},
	};
	prosum_report *r = NULL;

	mkdir("/tmp/prosum-test-names", 0700);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		assert_int_equal(
		    util_write_atomic("/tmp/prosum-test-names", table[i].path + 23, "x", 1, 0), 0);
		assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
		assert_int_equal(prosum_report_attach_file(r, table[i].path, NULL), 0);
		assert_string_equal(r->att[0].name, table[i].name);
		prosum_report_free(r);
		unlink(table[i].path);
	}
	rmdir("/tmp/prosum-test-names");
}

static void test_report_attachments(void **state)
{
	static const char *const bad[] = {"",
					  ".",
					  "..",
					  "a/b",
					  "a\nb",
					  "a\"b",
					  "a\\b",
					  ".hidden",
					  "a..b",
					  " x",
					  "x ",
					  "a(1)",
					  "\xc3\xa9t\xc3\xa9",
					  "a\tb",
					  "a:b"};
	prosum_report *r = NULL;

	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(prosum_report_attach_data(r, bad[i], "x", 1), PROSUM_EINVALID);
	assert_int_equal(prosum_report_attach_data(r, "log.txt", "x", 1), 0);
	assert_int_equal(prosum_report_attach_data(r, "log.txt", "y", 1), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "two attachments named \"log.txt\"");
	assert_int_equal(prosum_report_attach_file(r, "/nonexistent/file", NULL), PROSUM_EIO);
	assert_int_equal(prosum_report_attach_file(r, "/tmp", NULL), PROSUM_EIO);
	assert_string_equal(prosum_error_last(), "/tmp is not a regular file");
	assert_int_equal(prosum_report_attach_file(r, "/etc/hostname", NULL), 0);
	assert_string_equal(r->att[1].name, "hostname");
	assert_int_equal(prosum_report_attach_data(r, "crash dump-1.2_x.txt", "", 0), 0);
	for (int i = 3; i < 16; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(prosum_report_attach_data(r, name, "", 0), 0);
	}
	assert_int_equal(prosum_report_attach_data(r, "n99", "", 0), PROSUM_ETOOBIG);
	prosum_report_free(r);
}

static void test_report_from_json(void **state)
{
	const char *good = "{\"kind\":\"feedback\",\"title\":\"t\",\"x_custom\":{\"a\":1}}";
	const char *keep = "{\"uuid\":\"5b0e7c3a-8f0e-4a53-9a52-2c4f8e0b6a11\",\"kind\":\"bug\","
			   "\"timestamp\":\"2026-11-20T10:15:00Z\"}";
	prosum_report *r = NULL;
	json_t *doc;

	assert_int_equal(prosum_report_from_json(&r, good, strlen(good)), 0);
	assert_true(util_uuid_valid(prosum_report_uuid(r)));
	doc = doc_of(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "x_custom"), "a")),
			 1);
	assert_non_null(json_object_get(doc, "timestamp"));
	json_decref(doc);
	prosum_report_free(r);

	assert_int_equal(prosum_report_from_json(&r, keep, strlen(keep)), 0);
	assert_string_equal(prosum_report_uuid(r), "5b0e7c3a-8f0e-4a53-9a52-2c4f8e0b6a11");
	doc = doc_of(r);
	assert_string_equal(json_string_value(json_object_get(doc, "timestamp")),
			    "2026-11-20T10:15:00Z");
	json_decref(doc);
	prosum_report_free(r);

	r = NULL;
	assert_int_equal(prosum_report_from_json(&r, "{\n\"kind\": bug}", 14), PROSUM_EINVALID);
	assert_non_null(strstr(prosum_error_last(), "report JSON: line 2, column"));
	assert_null(r);
	assert_int_equal(prosum_report_from_json(&r, "[1]", 3), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "report JSON: not an object");
	assert_int_equal(prosum_report_from_json(&r, "{\"uuid\":1}", 10), PROSUM_EINVALID);
	assert_int_equal(prosum_report_from_json(&r, "{\"a\":1,\"a\":2}", 13), PROSUM_EINVALID);
}

static void test_sender_policy(void **state)
{
	static const struct {
		long status;
		int action;
	} table[] = {
	    {200, SENDER_DONE},  {201, SENDER_DONE},  {400, SENDER_DONE},  {409, SENDER_DONE},
	    {413, SENDER_DONE},  {415, SENDER_DONE},  {422, SENDER_DONE},  {401, SENDER_RETRY},
	    {403, SENDER_RETRY}, {404, SENDER_RETRY}, {408, SENDER_RETRY}, {429, SENDER_RETRY},
	    {500, SENDER_RETRY}, {502, SENDER_RETRY}, {503, SENDER_RETRY}, {301, SENDER_RETRY},
	    {0, SENDER_RETRY},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (sender_classify(table[i].status) != table[i].action)
			fail_msg("status %ld: expected %d", table[i].status, table[i].action);
	}
	assert_int_equal(sender_backoff_ms(1, 0), 500);
	assert_int_equal(sender_backoff_ms(1, 500), 1000);
	assert_int_equal(sender_backoff_ms(1, 501), 500);
	assert_int_equal(sender_backoff_ms(3, 0), 2000);
	assert_int_equal(sender_backoff_ms(3, 2000), 4000);
	for (unsigned int a = 1; a < 100; a++) {
		unsigned int lo = sender_backoff_ms(a, 0), hi = sender_backoff_ms(a, 0xffffffffu);
		assert_true(lo <= hi);
		assert_true(hi <= 300000);
		assert_true(lo >= 500);
	}
	assert_int_equal(sender_backoff_ms(40, 0), 150000);
}

static int count_reports(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 7 && strcmp(e->d_name + l - 7, ".report") == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* The files of dir whose names end with suffix. */
static int count_suffix(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(suffix);
	int count = 0;

	while (d && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > n && strcmp(e->d_name + l - n, suffix) == 0)
			count++;
	}
	if (d)
		closedir(d);
	return count;
}

/* A client records a session by default: not with PROSUM_NO_SESSIONS nor PROSUM_SESSIONS=0
 * (unless PROSUM_NO_ENV); a second client of the process records none, or fails when it asked
 * for one with PROSUM_SESSIONS. */
static void test_sessions_by_default(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *a = NULL, *b = NULL;
	char dir[6][400];

	for (int i = 0; i < 6; i++)
		snprintf(dir[i], sizeof(dir[i]), "%s/spool-%d", f->dir, i);
	o.flags = PROSUM_NO_SENDER;
	o.spool_dir = dir[0];
	assert_int_equal(prosum_client_new(&a, DOWN_DSN, &o), 0);
	assert_int_equal(count_suffix(dir[0], ".open"), 1);
	/* The process's session is a's: b records none, or fails when it asked for one. */
	o.spool_dir = dir[1];
	assert_int_equal(prosum_client_new(&b, DOWN_DSN, &o), 0);
	assert_int_equal(count_suffix(dir[1], ".open"), 0);
	prosum_close(b);
	o.flags = PROSUM_NO_SENDER | PROSUM_SESSIONS;
	b = NULL;
	assert_int_equal(prosum_client_new(&b, DOWN_DSN, &o), PROSUM_ESTATE);
	assert_null(b);
	prosum_close(a);
	assert_int_equal(count_suffix(dir[0], ".open"), 0);
	assert_int_equal(count_suffix(dir[0], ".session"), 1); /* exited, queued */

	o.flags = PROSUM_NO_SENDER | PROSUM_NO_SESSIONS;
	o.spool_dir = dir[2];
	assert_int_equal(prosum_client_new(&a, DOWN_DSN, &o), 0);
	prosum_close(a);
	assert_int_equal(count_suffix(dir[2], ".open") + count_suffix(dir[2], ".session"), 0);

	setenv("PROSUM_SESSIONS", "0", 1);
	o.flags = PROSUM_NO_SENDER;
	o.spool_dir = dir[3];
	assert_int_equal(prosum_client_new(&a, DOWN_DSN, &o), 0);
	prosum_close(a);
	assert_int_equal(count_suffix(dir[3], ".open") + count_suffix(dir[3], ".session"), 0);
	setenv("PROSUM_SESSIONS", "Off", 1);
	o.spool_dir = dir[4];
	assert_int_equal(prosum_client_new(&a, DOWN_DSN, &o), 0);
	prosum_close(a);
	assert_int_equal(count_suffix(dir[4], ".session"), 0);
	/* PROSUM_NO_ENV: the environment is not read; the default holds. */
	o.flags = PROSUM_NO_SENDER | PROSUM_NO_ENV;
	o.spool_dir = dir[5];
	assert_int_equal(prosum_client_new(&a, DOWN_DSN, &o), 0);
	prosum_close(a);
	assert_int_equal(count_suffix(dir[5], ".session"), 1);
	unsetenv("PROSUM_SESSIONS");
}

static prosum_report *bug(void)
{
	prosum_report *r = NULL;

	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, "t"), 0);
	return r;
}

static void test_client_new_errors(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;

	o.spool_dir = f->dir;
	assert_int_equal(prosum_client_new(&c, "http://k@h/p", &o), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(),
			    "invalid DSN: the scheme must be https (reports travel over TLS)");
	assert_null(c);
	o.version = 7;
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "unknown prosum_options version 7");
	o.version = PROSUM_OPTIONS_VERSION;
	o.pinned_pubkey = "md5//abc";
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), PROSUM_EINVALID);
	o.pinned_pubkey = NULL;
	o.spool_dir = "/proc/self/cannot-be-made";
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), PROSUM_EIO);
	prosum_close(NULL);
}

static void test_default_dirs_and_install_id(void **state)
{
	fixture *f = *state;
	prosum_client *a = NULL, *b = NULL;
	char want[256], id[37];
	char *text = NULL, *path;
	size_t len;

	setenv("XDG_STATE_HOME", f->dir, 1);
	assert_int_equal(prosum_client_new(&a, "https://key@[::1]:8443/demo", NULL), 0);
	snprintf(want, sizeof(want), "%s/prosum/spool/::1-8443-demo", f->dir);
	assert_string_equal(prosum_client_spool_dir(a), want);
	assert_true(util_uuid_valid(prosum_client_install_id(a)));
	memcpy(id, prosum_client_install_id(a), 37);
	path = util_path_join(f->dir, "prosum/install_id");
	assert_int_equal(util_read_file(&text, &len, path, 64), 0);
	assert_int_equal(len, 37);
	assert_memory_equal(text, id, 36);
	free(text);
	/* Another project on the same machine: same tester. */
	assert_int_equal(prosum_client_new(&b, "https://key@example.org/other", NULL), 0);
	assert_string_equal(prosum_client_install_id(b), id);
	prosum_close(b);
	prosum_close(a);

	/* A damaged install id is replaced. */
	assert_int_equal(util_write_atomic(f->dir, "prosum/install_id", "garbage\n", 8, 0), 0);
	assert_int_equal(prosum_client_new(&a, DOWN_DSN, NULL), 0);
	assert_true(util_uuid_valid(prosum_client_install_id(a)));
	assert_string_not_equal(prosum_client_install_id(a), id);
	prosum_close(a);
	free(path);
	unsetenv("XDG_STATE_HOME");
}

static void test_flush_unreachable_inline(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_stats st = PROSUM_STATS_INIT;
	prosum_client *c = NULL;
	prosum_report *r = bug();
	uint64_t t0;

	o.spool_dir = f->dir;
	/* No session: the counts below are of the report alone (a session would be queued at
	 * close and pending at the next start). */
	o.flags = PROSUM_NO_SENDER | PROSUM_NO_SESSIONS;
	o.app_version = "1.0";
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), 0);
	assert_int_equal(prosum_flush(c, 0), 0); /* nothing queued yet */
	assert_int_equal(prosum_submit(c, r), 0);
	assert_int_equal(count_reports(f->dir), 1);
	assert_int_equal(prosum_flush(c, 0), PROSUM_ETIMEOUT);
	assert_string_equal(prosum_error_last(), "flush: 1 reports still queued at the deadline");
	/* Nothing listens: the flush says so at once rather than waiting out its 30 s. Half of
	 * that tells the two apart, even on a loaded machine. */
	t0 = util_now_ms();
	assert_int_equal(prosum_flush(c, 30000), PROSUM_ENETWORK);
	assert_true(util_now_ms() - t0 < 15000);
	assert_non_null(strstr(prosum_error_last(), "cannot reach https://127.0.0.1:1: "));
	assert_int_equal(count_reports(f->dir), 1);
	assert_int_equal(prosum_client_stats(&st, c), 0);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.pending, 1);
	assert_int_equal(st.sent, 0);
	prosum_close(c);

	/* The next start still has it, with the client's build added. */
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), 0);
	assert_int_equal(prosum_client_stats(&st, c), 0);
	assert_int_equal(st.pending, 1);
	prosum_close(c);
	prosum_report_free(r);
}

static void test_flush_unreachable_thread(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;
	prosum_report *r = bug();
	uint64_t t0;

	o.spool_dir = f->dir;
	o.app_revision = "abc1234";
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), 0);
	/* An empty spool flushes at once. */
	assert_int_equal(prosum_flush(c, 2000), 0);
	assert_int_equal(prosum_submit(c, r), 0);
	/*
	 * Later flushes do not wait out the backoff. It doubles with each failure,
	 * from at least 0.5 s (1 s with jitter): flushes that waited it out would
	 * take 0.5 + 1 + 2 + 4 + 8 = 15.5 s at least; ones that do not take
	 * milliseconds, and 10 s is ample for a loaded machine.
	 */
	t0 = util_now_ms();
	for (int i = 0; i < 6; i++)
		assert_int_equal(prosum_flush(c, 60000), PROSUM_ENETWORK);
	assert_true(util_now_ms() - t0 < 10000);
	assert_int_equal(prosum_flush(c, 0), PROSUM_ETIMEOUT);
	assert_int_equal(count_reports(f->dir), 1);
	prosum_close(c);
	prosum_report_free(r);
}

/* Many threads submit at once: every report lands in the spool, none is torn. */
static void *submitter(void *arg)
{
	prosum_client *c = arg;

	for (int i = 0; i < 10; i++) {
		prosum_report *r = NULL;
		if (prosum_report_new(&r, PROSUM_KIND_FEEDBACK) != 0 ||
		    prosum_report_set_title(r, "t") != 0 || prosum_submit(c, r) != 0)
			return (void *)1;
		prosum_report_free(r);
	}
	return NULL;
}

static void test_concurrent_submit(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_stats st = PROSUM_STATS_INIT;
	prosum_client *c = NULL;
	pthread_t th[4];
	void *ret;

	o.spool_dir = f->dir;
	o.max_spool_files = 25;
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, submitter, c), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(prosum_client_stats(&st, c), 0);
	assert_int_equal(st.queued, 40);
	assert_int_equal(st.pending, 25);
	assert_int_equal(st.dropped, 15);
	prosum_close(c);
}

static void test_send_unreachable(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_result res = PROSUM_RESULT_INIT;
	prosum_client *c = NULL;
	prosum_report *r = bug();

	o.spool_dir = f->dir;
	o.flags = PROSUM_NO_SENDER;
	o.app_version = "2.0";
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), 0);
	assert_int_equal(prosum_send(&res, c, r), PROSUM_ENETWORK);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.uuid, prosum_report_uuid(r));
	prosum_result_dispose(&res);
	prosum_result_dispose(NULL);
	/* prosum_send completes the report with the client's fields. */
	{
		json_t *doc = doc_of(r);
		assert_string_equal(
		    json_string_value(json_object_get(json_object_get(doc, "build"), "version")),
		    "2.0");
		assert_string_equal(json_string_value(json_object_get(
					json_object_get(doc, "tester"), "install_id")),
				    prosum_client_install_id(c));
		assert_non_null(json_object_get(json_object_get(doc, "platform"), "os"));
		json_decref(doc);
	}
	/* Sending does not touch the spool. */
	assert_int_equal(count_reports(f->dir), 0);
	prosum_close(c);
	prosum_report_free(r);
}

/* Suggestions and votes wait in the spool like reports; bad ids are refused before. */
static void test_community_queued(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_stats st = PROSUM_STATS_INIT;
	prosum_client *c = NULL;
	char uuid[37], vote[37];
	char *text = NULL, *path;
	size_t len;
	json_t *doc;

	o.spool_dir = f->dir;
	/* No session: the counts below are of the suggestion and the vote alone. */
	o.flags = PROSUM_NO_SENDER | PROSUM_NO_SESSIONS;
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), 0);
	assert_int_equal(prosum_suggestion_submit(uuid, c, "Dark mode", "at night", NULL), 0);
	assert_true(util_uuid_valid(uuid));
	assert_int_equal(prosum_vote_submit(vote, c, "S-4", "Ada", 0), 0);
	assert_int_equal(prosum_vote_submit(NULL, c, "G-4", NULL, 0), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "a vote takes a suggestion id such as S-4");
	assert_int_equal(prosum_vote_submit(NULL, c, "S-4", "Ada", 1), PROSUM_EINVALID);
	assert_int_equal(prosum_suggestion_submit(NULL, c, "", NULL, NULL), PROSUM_EINVALID);
	assert_int_equal(prosum_suggestion_submit(NULL, c, "bad \xff", NULL, NULL),
			 PROSUM_EINVALID);
	assert_int_equal(prosum_client_stats(&st, c), 0);
	assert_int_equal(st.pending, 2);
	assert_int_equal(st.queued, 2);

	/* The suggestion's entry is what the server gets: no name unless given. */
	{
		spool_entry *list = NULL;
		size_t n = 0;
		assert_int_equal(spool_list(c->spool, SPOOL_SUGGESTION, &list, &n), 0);
		assert_int_equal(n, 1);
		path = util_path_join(f->dir, list[0].name);
		free(list);
	}
	assert_int_equal(util_read_file(&text, &len, path, 1 << 16), 0);
	doc = json_loads(strchr(strchr(text, '\n') + 1, '\n') + 1, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "uuid")), uuid);
	assert_string_equal(json_string_value(json_object_get(doc, "title")), "Dark mode");
	assert_string_equal(json_string_value(json_object_get(doc, "body")), "at night");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "tester"), "install_id")),
	    prosum_client_install_id(c));
	assert_null(json_object_get(json_object_get(doc, "tester"), "name"));
	json_decref(doc);
	free(text);
	free(path);
	/* Closing without a sender delivers nothing and loses nothing. */
	prosum_close(c);
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), 0);
	assert_int_equal(prosum_client_stats(&st, c), 0);
	assert_int_equal(st.pending, 2);
	prosum_close(c);
}

/* Structs of version 1 still work: options without close_wait_ms, results without kind. */
static void test_versioned_structs(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_stats st = PROSUM_STATS_INIT;
	prosum_client *c = NULL;
	prosum_result *old;
	uint64_t t0;

	assert_int_equal(o.close_wait_ms, PROSUM_DEFAULT_CLOSE_WAIT_MS);
	o.version = 1;
	o.spool_dir = f->dir;
	o.flags = PROSUM_NO_SESSIONS; /* the count below is of the suggestion alone */
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), 0);
	assert_int_equal(c->close_wait_ms, PROSUM_DEFAULT_CLOSE_WAIT_MS);
	assert_int_equal(prosum_suggestion_submit(NULL, c, "t", NULL, NULL), 0);
	/* The server is down: the wait ends at once (refused), the item stays. */
	t0 = util_now_ms();
	prosum_close(c);
	assert_true(util_now_ms() - t0 < 10000);
	o.version = PROSUM_OPTIONS_VERSION;
	o.close_wait_ms = 0;
	assert_int_equal(prosum_client_new(&c, DOWN_DSN, &o), 0);
	assert_int_equal(c->close_wait_ms, 0);
	assert_int_equal(prosum_client_stats(&st, c), 0);
	assert_int_equal(st.pending, 1);
	prosum_close(c);

	/* A version 1 result is only as large as version 1 was: dispose stays inside it. */
	{
		/* Written and read through memcpy: an optimising compiler refuses member access
		 * through a pointer to a struct larger than the object (which is the point). */
		size_t v1 = offsetof(prosum_result, kind);
		unsigned char *mem = calloc(1, v1);
		unsigned version = 1;
		char *id = strdup("R-1");

		assert_non_null(mem);
		memcpy(mem + offsetof(prosum_result, version), &version, sizeof(version));
		memcpy(mem + offsetof(prosum_result, id), &id, sizeof(id));
		old = (prosum_result *)(void *)mem;
		prosum_result_dispose(old);
		memcpy(&id, mem + offsetof(prosum_result, id), sizeof(id));
		memcpy(&version, mem + offsetof(prosum_result, version), sizeof(version));
		assert_null(id);
		assert_int_equal(version, 1);
		free(mem);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report_builder),
	    cmocka_unit_test(test_report_limits),
	    cmocka_unit_test(test_report_attachments),
	    cmocka_unit_test(test_attachment_names_from_paths),
	    cmocka_unit_test(test_report_from_json),
	    cmocka_unit_test(test_sender_policy),
	    cmocka_unit_test_setup_teardown(test_client_new_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_default_dirs_and_install_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flush_unreachable_inline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flush_unreachable_thread, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_submit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_send_unreachable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_community_queued, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sessions_by_default, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_versioned_structs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
