/* test_e2e_diskfull.c - a full disk: 507 with Retry-After, nothing stored lost or corrupt, recovery once space returns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

static int setup(void **state)
{
	return e2e_setup_started(state);
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* A report whose description is `size` bytes. */
static long post(e2e_server *s, size_t size, char *retry, size_t retrysz)
{
	char uuid[37];
	char *desc = malloc(size + 1), *doc;
	json_t *v;
	e2e_response r;
	long status;

	memset(desc, 'x', size);
	desc[size] = '\0';
	e2e_uuid(uuid);
	v = json_pack("{s:s,s:s,s:s,s:s,s:{s:s},s:{s:s}}", "uuid", uuid, "kind", "bug", "title",
		      "Disk test", "description", desc, "build", "version", "1", "tester",
		      "install_id", "t");
	doc = json_dumps(v, JSON_COMPACT);
	assert_int_equal(e2e_post_report(s, doc, &r), 0);
	status = r.status;
	if (retry)
		snprintf(retry, retrysz, "%s", r.retry_after);
	if (status == 507)
		assert_non_null(strstr(r.body, "\"insufficient_storage\""));
	e2e_response_free(&r);
	free(doc);
	free(desc);
	json_decref(v);
	return status;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

static void test_full_disk_then_recovery(void **state)
{
	e2e_server *s = *state;
	struct rlimit lim;
	char wal[400], retry[32];
	int i, stored = 0, full = 0;
	long long before;

	for (i = 0; i < 5; i++)
		assert_int_equal(post(s, 1000, NULL, 0), 201);
	before = e2e_sql_int(s, "SELECT count(*) FROM reports");
	/* The disk "fills up": the server may not grow any file past its current size much. */
	snprintf(wal, sizeof(wal), "%s-wal", s->db);
	/* Only the soft limit: lowering the hard one could not be undone without privileges. */
	assert_int_equal(prlimit(s->pid, RLIMIT_FSIZE, NULL, &lim), 0);
	lim.rlim_cur = (rlim_t)(file_size(wal) > file_size(s->db) ? file_size(wal)
								   : file_size(s->db)) +
		       64 * 1024;
	assert_int_equal(prlimit(s->pid, RLIMIT_FSIZE, &lim, NULL), 0);
	for (i = 0; i < 200 && !full; i++) {
		long st = post(s, 15000, retry, sizeof(retry));

		if (st == 201) {
			stored++;
		} else {
			assert_int_equal(st, 507);
			assert_true(strlen(retry) > 0);
			full = 1;
		}
	}
	assert_true(full);
	/* What was acknowledged is intact; the database is whole. */
	lim.rlim_cur = lim.rlim_max;
	assert_true(e2e_sql_int(s, "SELECT count(*) FROM reports") >= before + stored);
	assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM reports WHERE title = 'Disk test'"),
			 before + stored);
	{
		char out[64];
		assert_int_equal(e2e_sh(out, sizeof(out), "sqlite3 '%s' 'PRAGMA integrity_check'",
					s->db),
				 0);
		assert_string_equal(out, "ok\n");
	}
	/* Space returns: the same server takes reports again. */
	assert_int_equal(prlimit(s->pid, RLIMIT_FSIZE, &lim, NULL), 0);
	for (i = 0; i < 50; i++)
		if (post(s, 1000, NULL, 0) == 201)
			break;
	assert_true(i < 50);
	assert_int_equal(post(s, 15000, NULL, 0), 201);
}

/*
 * A read-only data directory (a disk the kernel remounted read-only, a backup
 * restored without write permission): prosumd refuses to start with a clear
 * reason rather than serve reports it cannot keep, and starts once it is
 * writable, with everything stored before intact. (A file system cannot be
 * remounted read-only under files open for writing, so this happens at start.)
 * Needs a mount of its own; skipped where that is not allowed.
 */
static void test_read_only_data_dir(void **state)
{
	e2e_server *s = *state;
	char mnt[264], out[4096], data[300];
	long long before;
	int rc;

	assert_int_equal(post(s, 1000, NULL, 0), 201);
	before = e2e_sql_int(s, "SELECT count(*) FROM reports");
	assert_int_equal(e2e_stop(s), 0);
	snprintf(mnt, sizeof(mnt), "%.250s/mnt", s->dir);
	if (e2e_sh(NULL, 0, "mkdir -p '%s' && mount -t tmpfs -o size=64m tmpfs '%s' 2>/dev/null",
		   mnt, mnt) != 0) {
		assert_int_equal(e2e_start(s, NULL), 0);
		skip();
	}
	snprintf(data, sizeof(data), "%s/data", mnt);
	assert_int_equal(e2e_sh(NULL, 0, "cp -a '%s' '%s' && mount -o remount,ro '%s'", s->data,
				data, mnt),
			 0);
	rc = e2e_sh(out, sizeof(out), "'%s' serve --data '%s' --listen 127.0.0.1:0 2>&1",
		    PROSUMD_PATH, data);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, data)); /* the reason names the directory */
	assert_int_equal(e2e_sh(NULL, 0, "mount -o remount,rw '%s'", mnt), 0);
	memcpy(s->data, data, sizeof(data));
	snprintf(s->db, sizeof(s->db), "%s/prosum.db", s->data);
	snprintf(s->cacert, sizeof(s->cacert), "%s/tls/cert.pem", s->data);
	assert_int_equal(e2e_start(s, NULL), 0);
	assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM reports"), before);
	assert_int_equal(post(s, 1000, NULL, 0), 201);
	assert_int_equal(e2e_stop(s), 0);
	assert_int_equal(e2e_sh(NULL, 0, "umount '%s'", mnt), 0);
	/* The fixture's teardown stops a running server: give it one on the original data. */
	snprintf(s->data, sizeof(s->data), "%.250s/data", s->dir);
	snprintf(s->db, sizeof(s->db), "%s/prosum.db", s->data);
	snprintf(s->cacert, sizeof(s->cacert), "%s/tls/cert.pem", s->data);
	assert_int_equal(e2e_start(s, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_disk_then_recovery),
		cmocka_unit_test(test_read_only_data_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
