/* test_crash.c - the crash handler: a real crash recorded, parsed, symbolised and queued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "lib/crash.h"
#include "prosum.h"
#include "lib/spool.h"
#include "lib/util.h"
#include "unit_fixture.h"

#define DSN "https://key@127.0.0.1:1/demo"

typedef unit_dir fixture;

static int setup(void **state)
{
	return unit_dir_setup(state);
}

static int teardown(void **state)
{
	return unit_dir_teardown(state);
}

/* Names of the files in `dir` ending with `suffix`: how many, and the first. */
static int find(const char *dir, const char *suffix, char *first, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;

	while (d && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);
		if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0) {
			if (count++ == 0 && first)
				snprintf(first, n, "%s", e->d_name);
		}
	}
	if (d)
		closedir(d);
	return count;
}

static void test_format(void **state)
{
	static const struct {
		uint64_t v;
		const char *dec, *hex;
	} table[] = {
	    {0, "0", "0x0"},
	    {9, "9", "0x9"},
	    {10, "10", "0xa"},
	    {255, "255", "0xff"},
	    {0x55befe15c000ull, "94278794985472", "0x55befe15c000"},
	    {UINT64_MAX, "18446744073709551615", "0xffffffffffffffff"},
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t n = crash_format_dec(buf, table[i].v);
		buf[n] = '\0';
		assert_string_equal(buf, table[i].dec);
		n = crash_format_hex(buf, table[i].v);
		buf[n] = '\0';
		assert_string_equal(buf, table[i].hex);
	}
}

static const char head[] = "prosum-crash 1\n"
			   "uuid d18840b5-2118-4dcf-8091-dfb8f181a959\n"
			   "install_id aebc0e16-0e74-4e16-bb99-42adb6319338\n"
			   "exe /bin/app\n"
			   "base 0x55be00000000\n"
			   "build_id 4f37\n"
			   "version 1.0\n"
			   "revision \n"
			   "channel beta\n"
			   "source_root \n"
			   "time 1795458044\n"
			   "pid 19760\n"
			   "signal 11\n"
			   "code 1\n"
			   "address 0x0\n"
			   "pc 0x55be0000113c\n"
			   "access read\n"
			   "frames 2\n"
			   "0x7fd1bf451f31\n"
			   "0x55be0000113c\n"
			   "maps\n";

/* The record's strings point into the buffer: it must outlive the test's checks. */
static int parse(crash_record *r, const char *text)
{
	static char buf[4096];
	size_t n = strlen(text);

	memcpy(buf, text, n);
	return crash_record_parse(r, buf, n);
}

static void test_parse(void **state)
{
	char text[4096];
	crash_record r;

	snprintf(text, sizeof(text), "%s%s", head,
		 "55be00000000-55be00001000 r--p 00000000 fe:00 1 /bin/app\n"
		 "55be00001000-55be00002000 r-xp 00001000 fe:00 1 /bin/app\n"
		 "7fd1bf400000-7fd1bf4"
		 "end\n");
	assert_int_equal(parse(&r, text), 0);
	assert_string_equal(r.uuid, "d18840b5-2118-4dcf-8091-dfb8f181a959");
	assert_string_equal(r.exe, "/bin/app");
	assert_string_equal(r.revision, "");
	assert_int_equal(r.base, 0x55be00000000ull);
	assert_int_equal(r.signal, 11);
	assert_int_equal(r.pid, 19760);
	assert_int_equal(r.nframes, 2);
	assert_int_equal(r.frames[1], 0x55be0000113cull);
	assert_string_equal(r.access, "read");
	/* The partial last line of the maps is dropped. */
	assert_int_equal(r.maps_len, 2 * 57);
	assert_int_equal(r.maps[r.maps_len - 1], '\n');

	snprintf(text, sizeof(text), "%send\n", head);
	assert_int_equal(parse(&r, text), 0);
	assert_int_equal(r.maps_len, 0);
}

static void test_parse_hostile(void **state)
{
	static const struct {
		const char *from, *to;
		const char *error;
	} edits[] = {
	    {"prosum-crash 1", "prosum-crash 2", "not a crash record"},
	    {"uuid d18840b5", "uuid x18840b5", "crash record: bad uuid"},
	    {"exe /bin/app\n", "", "crash record: no \"exe\" line"},
	    {"signal 11", "signal 99", "crash record: a number is malformed"},
	    {"pid 19760", "pid -1", "crash record: a number is malformed"},
	    {"address 0x0", "address 0x", "crash record: a number is malformed"},
	    {"time 1795458044", "time 99999999999999999999999",
	     "crash record: a number is malformed"},
	    {"frames 2", "frames 3", "crash record: bad frame 2"},
	    {"frames 2", "frames 129", "crash record: a number is malformed"},
	    {"0x7fd1bf451f31", "0x7fd1bf451fZZ", "crash record: bad frame 0"},
	    {"maps\n", "mapz\n", "crash record: no maps"},
	};
	char text[4096], *at;
	crash_record r;

	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		snprintf(text, sizeof(text), "%send\n", head);
		at = strstr(text, edits[i].from);
		assert_non_null(at);
		memmove(at + strlen(edits[i].to), at + strlen(edits[i].from),
			strlen(at + strlen(edits[i].from)) + 1);
		memcpy(at, edits[i].to, strlen(edits[i].to));
		if (parse(&r, text) != PROSUM_EINVALID ||
		    strcmp(prosum_error_last(), edits[i].error) != 0)
			fail_msg("edit %zu: \"%s\", expected \"%s\"", i, prosum_error_last(),
				 edits[i].error);
	}
	/* Torn anywhere: refused. */
	snprintf(text, sizeof(text), "%send\n", head);
	for (size_t n = 0; n < strlen(text); n++) {
		char buf[4096];
		memcpy(buf, text, n);
		if (crash_record_parse(&r, buf, n) != PROSUM_EINVALID)
			fail_msg("a record cut at %zu bytes was accepted", n);
	}
}

int test_crash_here(int *volatile p);

__attribute__((noinline, no_sanitize("address", "undefined"))) int test_crash_here(int *volatile p)
{
	return *p + 1;
}

/* In a child: install the handler on the spool and crash. Never returns. */
__attribute__((noinline)) static void crash_child(const char *dir)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;

	o.spool_dir = dir;
	o.flags = PROSUM_NO_SENDER;
	o.app_version = "9.9.9";
	o.app_revision = "deadbeef";
	o.source_root = "/";
	if (prosum_client_new(&c, DSN, &o) != 0 || prosum_install_crash_handler(c) != 0)
		_exit(3);
	test_crash_here(NULL);
	_exit(4);
}

static void test_real_crash(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;
	char name[128], *path, *buf = NULL;
	const char *file;
	crash_record rec;
	spool_entry *list;
	envelope env;
	spool *s;
	json_t *doc, *frames, *f0;
	size_t len, n;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		crash_child(f->dir);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* The process still dies of its signal. */
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	assert_int_equal(find(f->dir, ".crash", name, sizeof(name)), 1);
	assert_int_equal(find(f->dir, ".report", NULL, 0), 0);
	assert_null(strstr(name, ".tmp"));

	path = util_path_join(f->dir, name);
	assert_int_equal(util_read_file(&buf, &len, path, 1 << 20), 0);
	assert_int_equal(crash_record_parse(&rec, buf, len), 0);
	assert_int_equal(rec.signal, SIGSEGV);
	assert_int_equal(rec.address, 0);
	assert_int_equal(rec.pid, pid);
	assert_string_equal(rec.version, "9.9.9");
	assert_true(rec.nframes > 2);
	assert_true(rec.maps_len > 0);

	/* The next start turns it into a report. */
	o.spool_dir = f->dir;
	o.flags = PROSUM_NO_SENDER;
	o.app_version = "10.0"; /* a newer build: the report keeps the crashed one's */
	assert_int_equal(prosum_client_new(&c, DSN, &o), 0);
	assert_int_equal(find(f->dir, ".crash", NULL, 0), 0);
	assert_int_equal(find(f->dir, ".report", NULL, 0), 1);

	assert_int_equal(spool_open(&s, f->dir, 0, 0), 0);
	assert_int_equal(spool_list(s, ".report", &list, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(spool_read(s, list[0].name, &env), 0);
	doc = json_loadb(env.json, env.json_len, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "crash");
	assert_string_equal(json_string_value(json_object_get(doc, "uuid")), rec.uuid);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "build"), "version")), "9.9.9");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "build"), "revision")),
	    "deadbeef");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "exception"), "type")),
	    "SIGSEGV");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "exception"), "value")),
	    "invalid read at 0x0");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "tester"), "install_id")),
	    prosum_client_install_id(c));
	frames = json_object_get(doc, "frames");
	assert_true(json_array_size(frames) >= 2);
	f0 = json_array_get(frames, 0);
	assert_string_equal(json_string_value(json_object_get(f0, "function")), "test_crash_here");
	assert_string_equal(json_string_value(json_object_get(f0, "module")), "test_crash");
	file = json_string_value(json_object_get(f0, "file"));
	assert_non_null(file);
	/* source_root "/" was stripped. */
	assert_int_not_equal(file[0], '/');
	assert_non_null(strstr(file, "tests/unit/test_crash.c"));
	assert_true(json_integer_value(json_object_get(f0, "line")) > 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(frames, 1), "function")),
	    "crash_child");
	json_decref(doc);
	envelope_free(&env);
	free(list);
	spool_free(s);
	prosum_close(c);
	free(path);
	free(buf);
}

/* A record that cannot be read is set aside and logged, and the client still starts. */
static void test_bad_record(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;

	assert_int_equal(
	    util_write_atomic(f->dir, "00000000000000000001-1.crash", "garbage\n", 8, 0), 0);
	o.spool_dir = f->dir;
	o.flags = PROSUM_NO_SENDER;
	assert_int_equal(prosum_client_new(&c, DSN, &o), 0);
	assert_int_equal(find(f->dir, ".crash", NULL, 0), 0);
	assert_int_equal(find(f->dir, ".crash.bad", NULL, 0), 1);
	assert_int_equal(find(f->dir, ".report", NULL, 0), 0);
	{
		char *log = util_path_join(f->dir, "prosum.log"), *text = NULL;
		size_t len;
		assert_int_equal(util_read_file(&text, &len, log, 4096), 0);
		assert_non_null(strstr(text, "crash record 00000000000000000001-1.crash set aside: "
					     "not a crash record"));
		free(text);
		free(log);
	}
	prosum_close(c);
}

static void on_usr(int sig)
{
}

static void test_install_uninstall(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *a = NULL, *b = NULL;
	struct sigaction mine, now;

	memset(&mine, 0, sizeof(mine));
	mine.sa_handler = on_usr;
	assert_int_equal(sigaction(SIGFPE, &mine, NULL), 0);
	o.spool_dir = f->dir;
	o.flags = PROSUM_NO_SENDER;
	assert_int_equal(prosum_client_new(&a, DSN, &o), 0);
	assert_int_equal(prosum_client_new(&b, DSN, &o), 0);
	assert_int_equal(prosum_install_crash_handler(a), 0);
	assert_int_equal(prosum_install_crash_handler(b), PROSUM_ESTATE);
	assert_string_equal(prosum_error_last(), "a crash handler is already installed");
	assert_int_equal(sigaction(SIGFPE, NULL, &now), 0);
	assert_true(now.sa_flags & SA_ONSTACK);
	/* Closing another client leaves it; closing the one that installed it restores. */
	prosum_close(b);
	assert_int_equal(sigaction(SIGFPE, NULL, &now), 0);
	assert_true(now.sa_flags & SA_SIGINFO);
	prosum_close(a);
	assert_int_equal(sigaction(SIGFPE, NULL, &now), 0);
	assert_ptr_equal(now.sa_handler, on_usr);
	prosum_uninstall_crash_handler(); /* none installed: nothing happens */
	assert_int_equal(prosum_install_crash_handler(NULL), PROSUM_EINVALID);
	signal(SIGFPE, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_parse_hostile),
	    cmocka_unit_test_setup_teardown(test_real_crash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_install_uninstall, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
