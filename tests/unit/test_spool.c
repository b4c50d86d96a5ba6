/* test_spool.c - the report spool: format, durability, order, trimming, hostile files, I/O faults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <errno.h>

#include <cmocka.h>

#include "lib/error.h"
#include "prosum.h"
#include "lib/spool.h"
#include "lib/util.h"
#include "unit_fixture.h"

/* I/O failures injected at the libc seam (-Wl,--wrap=fsync,--wrap=rename). */
static int fail_fsync, fail_rename;
int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __real_rename(const char *a, const char *b);
int __wrap_rename(const char *a, const char *b);

int __wrap_fsync(int fd)
{
	if (fail_fsync) {
		errno = EIO;
		return -1;
	}
	return __real_fsync(fd);
}

int __wrap_rename(const char *a, const char *b)
{
	if (fail_rename) {
		errno = ENOSPC;
		return -1;
	}
	return __real_rename(a, b);
}

typedef struct fixture {
	char dir[64];
	spool *s;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (unit_tmpdir(f->dir, sizeof(f->dir), "test-spool") < 0) {
		free(f);
		return -1;
	}
	fail_fsync = fail_rename = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	spool_free(f->s);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

/* An envelope with a JSON report and the given attachments (borrowed strings). */
static void make(envelope *p, const char *uuid, const char *json)
{
	size_t n = strnlen(uuid, sizeof(p->uuid) - 1);

	memset(p, 0, sizeof(*p));
	memcpy(p->uuid, uuid, n);
	p->uuid[n] = '\0';
	p->json = json;
	p->json_len = strlen(json);
}

static const char *U1 = "11111111-1111-4111-8111-111111111111";
static const char *J1 = "{\"uuid\":\"11111111-1111-4111-8111-111111111111\",\"kind\":\"bug\"}";

static char *json_for(const char *uuid)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"t\"}", uuid);
	return buf;
}

static void test_roundtrip(void **state)
{
	static const unsigned char bin[] = {0, '\n', 'e', 'n', 'd', '\n', 0xff, 0};
	envelope p, q;
	char *buf;
	size_t len;

	make(&p, U1, J1);
	p.parts[0].name = "log.txt";
	p.parts[0].data = (const unsigned char *)"hello\n";
	p.parts[0].len = 6;
	p.parts[1].name = "core dump.bin";
	p.parts[1].data = bin;
	p.parts[1].len = sizeof(bin);
	p.parts[2].name = "empty";
	p.parts[2].data = (const unsigned char *)"";
	p.parts[2].len = 0;
	p.nparts = 3;
	assert_int_equal(spool_encode(&buf, &len, &p), 0);
	assert_int_equal(spool_decode(&q, buf, len), 0);
	assert_string_equal(q.uuid, U1);
	assert_int_equal(q.json_len, strlen(J1));
	assert_memory_equal(q.json, J1, q.json_len);
	assert_int_equal(q.nparts, 3);
	assert_memory_equal(q.parts[0].name, "log.txt\n", 8);
	assert_int_equal(q.parts[1].len, sizeof(bin));
	assert_memory_equal(q.parts[1].data, bin, sizeof(bin));
	assert_int_equal(q.parts[2].len, 0);
	assert_int_equal(q.nbufs, 0);
	free(buf);
}

/* Every prefix of a valid entry is refused: a torn file is never taken for a report. */
static void test_decode_every_prefix(void **state)
{
	envelope p, q;
	char *buf;
	size_t len;

	make(&p, U1, J1);
	p.parts[0].name = "a";
	p.parts[0].data = (const unsigned char *)"xyz";
	p.parts[0].len = 3;
	p.nparts = 1;
	assert_int_equal(spool_encode(&buf, &len, &p), 0);
	for (size_t i = 0; i < len; i++) {
		if (spool_decode(&q, buf, i) != PROSUM_EINVALID)
			fail_msg("a prefix of %zu bytes (of %zu) was accepted", i, len);
	}
	assert_int_equal(spool_decode(&q, buf, len), 0);
	free(buf);
}

static const char *const hostile[] = {
    "",
    "prosum-spool 2\nreport 2\n{}\nend\n",
    "prosum-spool 1\nreport -2\n{}\nend\n",
    "prosum-spool 1\nreport 2x\n{}\nend\n",
    "prosum-spool 1\nreport \n{}\nend\n",
    "prosum-spool 1\nreport 99999999999\n{}\nend\n",
    "prosum-spool 1\nreport 300000\n{}\nend\n",
    "prosum-spool 1\nreport 3\n{}\nend\n",
    "prosum-spool 1\nreport 1\n{}\nend\n",
    /* JSON without a uuid, or not JSON */
    "prosum-spool 1\nreport 2\n{}\nend\n",
    "prosum-spool 1\nreport 2\n[]\nend\n",
    "prosum-spool 1\nreport 13\n{\"uuid\":true}\nend\n",
    /* attachments */
    "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\nattachment 1 \nx\nend\n",
    "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\nattachment 5 a\nx\nend\n",
    "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\nattachment 1 a\nxy\nend\n",
    "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\nattachment 1\nx\nend\n",
    "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\nattachment 99999999999 a\nx\nend\n",
    "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\nattach 1 a\nx\nend\n",
    /* trailing bytes, missing end */
    "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\nend\nX",
    "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\n",
    "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\nEND\n",
};

static void test_decode_hostile(void **state)
{
	envelope q;

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		if (spool_decode(&q, hostile[i], strlen(hostile[i])) != PROSUM_EINVALID)
			fail_msg("hostile entry %zu accepted: %s", i, hostile[i]);
	}
	/* The smallest valid one, for contrast. */
	const char *ok = "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\nend\n";
	assert_int_equal(spool_decode(&q, ok, strlen(ok)), 0);
	assert_string_equal(q.uuid, "x");
}

static void test_decode_too_many_attachments(void **state)
{
	char buf[4096];
	size_t n = 0;
	envelope q;

	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			      "prosum-spool 1\nreport 12\n{\"uuid\":\"x\"}\n");
	for (int i = 0; i <= PROSUM_MAX_ATTACHMENTS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "attachment 1 a%d\nx\n", i);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "end\n");
	assert_int_equal(spool_decode(&q, buf, n), PROSUM_EINVALID);
}

static int count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static void test_write_list_read(void **state)
{
	fixture *f = *state;
	char uuids[3][37], names[3][SPOOL_NAME_MAX];
	spool_entry *list;
	envelope p, q;
	struct stat st;
	size_t n;
	char *path;

	assert_int_equal(spool_open(&f->s, f->dir, 0, 0), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(util_uuid4(uuids[i]), 0);
		make(&p, uuids[i], json_for(uuids[i]));
		if (i == 1) {
			p.parts[0].name = "x.log";
			p.parts[0].data = (const unsigned char *)"abc";
			p.parts[0].len = 3;
			p.nparts = 1;
		}
		assert_int_equal(spool_write(f->s, &p, names[i]), 0);
	}
	assert_int_equal(count_files(f->dir, ".tmp-"), 0);
	assert_int_equal(spool_list(f->s, ".report", &list, &n), 0);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		/* Oldest first. */
		assert_string_equal(list[i].name, names[i]);
		assert_non_null(strstr(list[i].name, uuids[i]));
	}
	path = util_path_join(f->dir, list[0].name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(path);
	assert_int_equal(spool_read(f->s, list[1].name, &q), 0);
	assert_string_equal(q.uuid, uuids[1]);
	assert_int_equal(q.nparts, 1);
	assert_string_equal(q.parts[0].name, "x.log");
	assert_memory_equal(q.parts[0].data, "abc", 3);
	assert_int_equal(q.nbufs, 1);
	envelope_free(&q);
	envelope_free(NULL);

	assert_int_equal(spool_remove(f->s, list[1].name), 0);
	assert_int_equal(spool_remove(f->s, list[1].name), 0); /* gone already: fine */
	assert_int_equal(spool_read(f->s, list[1].name, &q), PROSUM_EIO);
	free(list);
	assert_int_equal(spool_list(f->s, ".report", &list, &n), 0);
	assert_int_equal(n, 2);
	free(list);
	assert_int_equal(spool_list(f->s, ".crash", &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);
}

static void test_trim_oldest_first(void **state)
{
	fixture *f = *state;
	char uuids[5][37], names[5][SPOOL_NAME_MAX];
	spool_entry *list;
	envelope p;
	char *log = NULL;
	size_t n, len;
	char *path;

	assert_int_equal(spool_open(&f->s, f->dir, 0, 3), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(util_uuid4(uuids[i]), 0);
		make(&p, uuids[i], json_for(uuids[i]));
		assert_int_equal(spool_write(f->s, &p, names[i]), 0);
	}
	assert_int_equal(spool_list(f->s, ".report", &list, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].name, names[2]);
	assert_string_equal(list[2].name, names[4]);
	free(list);
	assert_int_equal(spool_dropped(f->s), 2);
	path = util_path_join(f->dir, "prosum.log");
	assert_int_equal(util_read_file(&log, &len, path, 1 << 20), 0);
	assert_non_null(strstr(log, names[0]));
	assert_non_null(strstr(log, names[1]));
	assert_non_null(strstr(log, "the spool is full"));
	free(log);
	free(path);

	/* The count survives reopening. */
	spool_free(f->s);
	assert_int_equal(spool_open(&f->s, f->dir, 0, 3), 0);
	assert_int_equal(spool_dropped(f->s), 2);
}

static void test_trim_by_bytes(void **state)
{
	fixture *f = *state;
	char uuid[37];
	char big[3000];
	spool_entry *list;
	envelope p;
	size_t n;

	memset(big, 'x', sizeof(big));
	/* Each entry is a little over 1000 bytes: 2500 bytes hold two. */
	assert_int_equal(spool_open(&f->s, f->dir, 2500, 0), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(util_uuid4(uuid), 0);
		make(&p, uuid, json_for(uuid));
		p.parts[0].name = "big";
		p.parts[0].data = (const unsigned char *)big;
		p.parts[0].len = 1000;
		p.nparts = 1;
		assert_int_equal(spool_write(f->s, &p, NULL), 0);
	}
	assert_int_equal(spool_list(f->s, ".report", &list, &n), 0);
	assert_int_equal(n, 2);
	free(list);
	assert_int_equal(spool_dropped(f->s), 2);

	/* One entry larger than the whole spool is refused, and nothing is dropped for it. */
	make(&p, uuid, json_for(uuid));
	p.parts[0].name = "big";
	p.parts[0].data = (const unsigned char *)big;
	p.parts[0].len = 2500;
	p.nparts = 1;
	assert_int_equal(spool_write(f->s, &p, NULL), PROSUM_ETOOBIG);
	assert_non_null(strstr(prosum_error_last(), "exceeds the spool's 2500 bytes"));
	assert_int_equal(spool_list(f->s, ".report", &list, &n), 0);
	assert_int_equal(n, 2);
	free(list);
	assert_int_equal(spool_dropped(f->s), 2);
}

static void test_stale_temps(void **state)
{
	fixture *f = *state;
	struct timespec old[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
	spool_entry *list;
	size_t n;
	char *a = util_path_join(f->dir, ".tmp-old");
	char *b = util_path_join(f->dir, ".tmp-fresh");
	int fd;

	fd = open(a, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(utimensat(AT_FDCWD, a, old, 0), 0);
	fd = open(b, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(spool_open(&f->s, f->dir, 0, 0), 0);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), 0); /* maybe being written by another process */
	assert_int_equal(spool_list(f->s, ".report", &list, &n), 0);
	assert_int_equal(n, 0);
	free(a);
	free(b);
}

static void test_corrupt_entry(void **state)
{
	fixture *f = *state;
	const char *name = "00000000000000000001-11111111-1111-4111-8111-111111111111.report";
	char *path = util_path_join(f->dir, name);
	envelope q;

	assert_int_equal(spool_open(&f->s, f->dir, 0, 0), 0);
	assert_int_equal(util_write_atomic(f->dir, name, "prosum-spool 1\nreport 50\n{", 26, 0), 0);
	assert_int_equal(spool_read(f->s, name, &q), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(),
			    "spool entry 00000000000000000001-11111111-1111-4111-"
			    "8111-111111111111.report is corrupt");
	free(path);
}

/* A failed fsync or rename fails the write and leaves neither the entry nor its temporary file. */
static void test_io_failures(void **state)
{
	fixture *f = *state;
	spool_entry *list;
	envelope p;
	size_t n;

	assert_int_equal(spool_open(&f->s, f->dir, 0, 0), 0);
	make(&p, U1, J1);
	fail_fsync = 1;
	assert_int_equal(spool_write(f->s, &p, NULL), PROSUM_EIO);
	assert_non_null(strstr(prosum_error_last(), "Input/output error"));
	fail_fsync = 0;
	fail_rename = 1;
	assert_int_equal(spool_write(f->s, &p, NULL), PROSUM_EIO);
	assert_non_null(strstr(prosum_error_last(), "No space left on device"));
	fail_rename = 0;
	assert_int_equal(count_files(f->dir, ".tmp-"), 0);
	assert_int_equal(spool_list(f->s, ".report", &list, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(spool_write(f->s, &p, NULL), 0);
	assert_int_equal(spool_list(f->s, ".report", &list, &n), 0);
	assert_int_equal(n, 1);
	free(list);
}

static void test_bad_uuid(void **state)
{
	fixture *f = *state;
	envelope p;

	assert_int_equal(spool_open(&f->s, f->dir, 0, 0), 0);
	make(&p, "../../etc/passwd", "{\"uuid\":\"../../etc/passwd\"}");
	assert_int_equal(spool_write(f->s, &p, NULL), PROSUM_EINVALID);
}

static void test_log_sanitized(void **state)
{
	fixture *f = *state;
	char *path, *log = NULL;
	size_t len;

	assert_int_equal(spool_open(&f->s, f->dir, 0, 0), 0);
	spool_log(f->s, "refused %s", "evil\nline\x1b[31m");
	path = util_path_join(f->dir, "prosum.log");
	assert_int_equal(util_read_file(&log, &len, path, 4096), 0);
	assert_non_null(strstr(log, "refused evil line [31m\n"));
	assert_int_equal(log[len - 1], '\n');
	assert_null(memchr(log, '\n', len - 1));
	free(log);
	free(path);
}

/* Suggestions and votes queue beside reports: one list, oldest first, one limit for all. */
static void test_kinds_listed_together(void **state)
{
	fixture *f = *state;
	const char *suffix[3] = {SPOOL_VOTE, SPOOL_REPORT, SPOOL_SUGGESTION};
	char uuids[3][37], names[3][SPOOL_NAME_MAX];
	spool_entry *list;
	envelope p;
	size_t n;

	assert_int_equal(spool_open(&f->s, f->dir, 0, 2), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(util_uuid4(uuids[i]), 0);
		make(&p, uuids[i], json_for(uuids[i]));
		assert_int_equal(spool_write_kind(f->s, &p, suffix[i], names[i]), 0);
		assert_string_equal(spool_kind_of(names[i]), suffix[i]);
	}
	/* Two at most: the oldest (the vote) was dropped for the suggestion. */
	assert_int_equal(spool_list(f->s, NULL, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, names[1]);
	assert_string_equal(list[1].name, names[2]);
	free(list);
	assert_int_equal(spool_list(f->s, SPOOL_SUGGESTION, &list, &n), 0);
	assert_int_equal(n, 1);
	free(list);
	assert_null(spool_kind_of("00000000000000000001-x.crash"));
	assert_null(spool_kind_of("x.report.state"));
}

/* Failed attempts are counted beside the entry and go with it. */
static void test_state_and_move(void **state)
{
	fixture *f = *state;
	char name[SPOOL_NAME_MAX], other[96];
	spool_state st;
	spool *to = NULL;
	spool_entry *list;
	envelope p, back;
	size_t n;
	char *target;

	assert_int_equal(spool_open(&f->s, f->dir, 0, 0), 0);
	make(&p, U1, J1);
	assert_int_equal(spool_write(f->s, &p, name), 0);
	spool_read_state(f->s, name, &st);
	assert_int_equal(st.attempts, 0);
	assert_string_equal(st.last_error, "");
	spool_note_failure(f->s, name, "404 not_found: no such project");
	spool_note_failure(f->s, name, "server refused the DSN:\n404");
	spool_read_state(f->s, name, &st);
	assert_int_equal(st.attempts, 2);
	assert_true(st.last_attempt > 0);
	assert_string_equal(st.last_error, "server refused the DSN: 404");
	/* The .state file is not an entry. */
	assert_int_equal(spool_list(f->s, NULL, &list, &n), 0);
	assert_int_equal(n, 1);
	free(list);

	/* The DSN a spool delivers to. */
	assert_null(spool_target(f->s));
	spool_set_target(f->s, "https://k@example.org/demoo");
	target = spool_target(f->s);
	assert_string_equal(target, "https://k@example.org/demoo");
	free(target);

	/* Moved: whole in the other spool, gone here with its state (attempts start over). */
	snprintf(other, sizeof(other), "%s/other", f->dir);
	assert_int_equal(spool_open(&to, other, 0, 0), 0);
	assert_int_equal(spool_move(f->s, name, to), 0);
	assert_int_equal(spool_list(f->s, NULL, &list, &n), 0);
	assert_int_equal(n, 0);
	free(list);
	spool_read_state(f->s, name, &st);
	assert_int_equal(st.attempts, 0);
	assert_int_equal(spool_read(to, name, &back), 0);
	assert_string_equal(back.uuid, U1);
	envelope_free(&back);
	assert_int_equal(spool_move(f->s, name, to), PROSUM_EIO);
	/* Removing an entry removes its state. */
	spool_note_failure(to, name, "x");
	assert_int_equal(spool_remove(to, name), 0);
	spool_read_state(to, name, &st);
	assert_int_equal(st.attempts, 0);
	spool_free(to);
	rmdir(other);

	/* A .state left without its entry is cleaned when the spool opens; one with it stays. */
	assert_int_equal(spool_write(f->s, &p, name), 0);
	spool_note_failure(f->s, name, "kept");
	assert_int_equal(util_write_atomic(f->dir, "00000000000000000001-gone.report.state",
					   "attempts 1\n", 11, 0),
			 0);
	spool_free(f->s);
	assert_int_equal(spool_open(&f->s, f->dir, 0, 0), 0);
	{
		char orphan[160];
		snprintf(orphan, sizeof(orphan), "%s/00000000000000000001-gone.report.state",
			 f->dir);
		assert_int_equal(access(orphan, F_OK), -1);
	}
	spool_read_state(f->s, name, &st);
	assert_int_equal(st.attempts, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_decode_every_prefix),
	    cmocka_unit_test(test_decode_hostile),
	    cmocka_unit_test(test_decode_too_many_attachments),
	    cmocka_unit_test_setup_teardown(test_write_list_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_trim_oldest_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_trim_by_bytes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_temps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_io_failures, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_uuid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_log_sanitized, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kinds_listed_together, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_state_and_move, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
