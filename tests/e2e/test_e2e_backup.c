/* test_e2e_backup.c - prosumd backup under load, restore into a new data directory, and check [--repair]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

#define MAX_REPORTS 600 /* the writer stops here at the latest */
#define FILE_EVERY 4    /* every 4th report carries an attachment */

typedef struct acked {
	char id[32];     /* "R-n" as the server answered */
	int index;       /* the writer's count: the title and file bytes derive from it */
} acked;

typedef struct fixture {
	e2e_server s; /* first, as e2e_fixture_new() wants */
	pthread_mutex_t lock;
	acked acks[MAX_REPORTS];
	int nacks;
	int stop;
	char backup[280];
	char restored[280];
} fixture;

static const char *const no_limits[] = {"--rate-ip", "0", "--rate-key", "0", NULL};

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f)
		return -1;
	pthread_mutex_init(&f->lock, NULL);
	snprintf(f->backup, sizeof(f->backup), "%s/backup", f->s.dir);
	snprintf(f->restored, sizeof(f->restored), "%s/restored", f->s.dir);
	if (e2e_start(&f->s, no_limits) < 0) {
		e2e_fixture_free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	pthread_mutex_destroy(&f->lock);
	e2e_fixture_free(f);
	return 0;
}

/* The bytes of report i's attachment: a few KiB that differ per report. */
static size_t file_bytes(int i, char *out, size_t outsz)
{
	size_t n = 0;

	while (n + 64 < outsz && n < 3000)
		n += (size_t)snprintf(out + n, outsz - n, "attachment of load report %d, line %zu\n",
				      i, n);
	return n;
}

/* Post reports until told to stop (or MAX_REPORTS); each acknowledged one (201) is recorded
 * after its answer came, so whatever the list holds was acknowledged before it was read. */
static void *writer(void *arg)
{
	fixture *f = arg;
	char doc[512], uuid[37], bytes[4096];
	int i;

	for (i = 0; i < MAX_REPORTS; i++) {
		e2e_response r;
		e2e_file file = {"load.log", bytes, 0};
		json_t *v;
		int stop;

		pthread_mutex_lock(&f->lock);
		stop = f->stop;
		pthread_mutex_unlock(&f->lock);
		if (stop)
			break;
		e2e_uuid(uuid);
		snprintf(doc, sizeof(doc),
			 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"load report %d\","
			 "\"build\":{\"version\":\"1.0\"},\"tester\":{\"install_id\":\"t-%s\"}}",
			 uuid, i, uuid);
		file.len = file_bytes(i, bytes, sizeof(bytes));
		if ((i % FILE_EVERY == 0 ? e2e_post_multipart(&f->s, doc, &file, 1, &r)
					 : e2e_post_report(&f->s, doc, &r)) < 0)
			continue;
		if (r.status == 201 && (v = json_loads(r.body, 0, NULL))) {
			pthread_mutex_lock(&f->lock);
			snprintf(f->acks[f->nacks].id, sizeof(f->acks[0].id), "%s",
				 json_string_value(json_object_get(v, "id")));
			f->acks[f->nacks++].index = i;
			pthread_mutex_unlock(&f->lock);
			json_decref(v);
		}
		e2e_response_free(&r);
	}
	return NULL;
}

static int acked_count(fixture *f)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = f->nacks;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* Backup while a writer ingests; restore into a new directory; a prosumd on it serves every
 * report acknowledged before the backup began, attachments byte for byte. */
static void test_backup_under_load(void **state)
{
	fixture *f = *state;
	char out[8192];
	pthread_t t;
	e2e_server r;
	long long start;
	int before, after, i, rc;

	assert_int_equal(pthread_create(&t, NULL, writer, f), 0);
	/* Let ingest get going; bounded at two minutes on a loaded machine, not timed. */
	start = e2e_now_ms();
	while (acked_count(f) < 40 && e2e_now_ms() - start < 120000)
		usleep(20000);
	before = acked_count(f);
	rc = e2e_sh(out, sizeof(out), "'%s' backup '%s' --data '%s'", PROSUMD_PATH, f->backup,
		    f->s.data);
	after = acked_count(f);
	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	pthread_mutex_unlock(&f->lock);
	pthread_join(t, NULL);
	if (rc != 0)
		fail_msg("backup exited %d:\n%s", rc, out);
	assert_true(before >= 40);
	assert_non_null(strstr(out, "backup: "));
	assert_non_null(strstr(out, "schema: "));
	print_message("backup: %d reports acknowledged before it began, %d when it ended\n", before,
		      after);

	rc = e2e_sh(out, sizeof(out), "'%s' restore '%s' --data '%s'", PROSUMD_PATH, f->backup,
		    f->restored);
	if (rc != 0)
		fail_msg("restore exited %d:\n%s", rc, out);
	assert_non_null(strstr(out, "check: ok\n"));

	/* A second prosumd on the restored directory: its own tls/ and secret came with it,
	 * so the same CA and the same admin token work. */
	r = f->s;
	r.pid = 0;
	snprintf(r.data, sizeof(r.data), "%s", f->restored);
	snprintf(r.db, sizeof(r.db), "%s/prosum.db", f->restored);
	assert_int_equal(e2e_start(&r, NULL), 0);
	for (i = 0; i < before; i++) {
		char path[256], bytes[4096];
		e2e_response g;
		json_t *v;
		long st;
		size_t n;

		snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", f->acks[i].id);
		v = e2e_call(&r, r.token, "GET", path, NULL, &st);
		if (st != 200)
			fail_msg("%s (acknowledged before the backup) is not in the restored copy: %ld",
				 f->acks[i].id, st);
		snprintf(bytes, sizeof(bytes), "load report %d", f->acks[i].index);
		assert_string_equal(e2e_str(v, "title", NULL), bytes);
		json_decref(v);
		if (f->acks[i].index % FILE_EVERY != 0)
			continue;
		snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s/attachments/load.log",
			 f->acks[i].id);
		assert_int_equal(e2e_get(&r, path, &g), 0);
		assert_int_equal(g.status, 200);
		n = file_bytes(f->acks[i].index, bytes, sizeof(bytes));
		assert_int_equal(g.len, n);
		assert_memory_equal(g.body, bytes, n);
		e2e_response_free(&g);
	}
	assert_int_equal(e2e_stop(&r), 0);
	/* Nothing acknowledged after the backup ended can be in it. */
	assert_true(e2e_sql_int(&r, "SELECT count(*) FROM reports") <= after);
}

/* A file no row names, a file a row names gone, a file damaged: check finds each; --repair
 * (with the server stopped) removes the orphan alone. */
static void test_check_and_repair(void **state)
{
	fixture *f = *state;
	char out[8192], orphan[700], victim[600], moved[700], sha[80], sub[600];
	FILE *o;

	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' check --data '%s'", PROSUMD_PATH,
				f->s.data),
			 0);
	assert_non_null(strstr(out, "database: ok\n"));
	assert_non_null(strstr(out, "check: ok\n"));

	snprintf(sub, sizeof(sub), "%s/attachments/ee", f->s.data);
	mkdir(sub, 0700);
	snprintf(orphan, sizeof(orphan), "%s/%s", sub,
		 "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
	o = fopen(orphan, "w");
	assert_non_null(o);
	fputs("nobody's\n", o);
	fclose(o);
	assert_int_equal(e2e_sql_text(&f->s, "SELECT sha256 FROM attachments ORDER BY sha256 LIMIT 1",
				      sha, sizeof(sha)),
			 0);
	snprintf(victim, sizeof(victim), "%s/attachments/%.2s/%s", f->s.data, sha, sha + 2);
	snprintf(moved, sizeof(moved), "%s.away", victim);
	assert_int_equal(rename(victim, moved), 0);

	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' check --data '%s' 2>/dev/null",
				PROSUMD_PATH, f->s.data),
			 1);
	assert_non_null(strstr(out, "orphan: "));
	assert_non_null(strstr(out, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"));
	assert_non_null(strstr(out, "missing: attachments/"));
	assert_non_null(strstr(out, sha + 2));
	assert_non_null(strstr(out, "check: problems found\n"));

	/* --repair refuses while prosumd serves the directory */
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' check --repair --data '%s' 2>&1",
				PROSUMD_PATH, f->s.data),
			 1);
	assert_non_null(strstr(out, "in use by prosumd"));
	assert_int_equal(access(orphan, F_OK), 0);

	assert_int_equal(e2e_stop(&f->s), 0);
	f->s.pid = 0;
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' check --repair --data '%s' 2>/dev/null",
				PROSUMD_PATH, f->s.data),
			 1); /* the missing file is still missing */
	assert_non_null(strstr(out, "removed: "));
	assert_non_null(strstr(out, "missing: attachments/"));
	assert_int_equal(access(orphan, F_OK), -1);
	assert_int_equal(access(moved, F_OK), 0); /* "*.away" is not an attachment's name: told, kept */

	/* Back in place, but damaged: found by its hash. (Damaged through a new file: the
	 * backup holds a hard link to the original, which must stay as it was.) */
	assert_int_equal(rename(moved, victim), 0);
	assert_int_equal(e2e_sh(out, sizeof(out),
				"cp '%s' '%s.keep' && cp '%s' '%s.bad' && printf X | dd of='%s.bad' "
				"bs=1 seek=0 conv=notrunc 2>/dev/null && mv '%s.bad' '%s'",
				victim, victim, victim, victim, victim, victim, victim),
			 0);
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' check --data '%s' 2>/dev/null",
				PROSUMD_PATH, f->s.data),
			 1);
	assert_non_null(strstr(out, "damaged: attachments/"));
	snprintf(moved, sizeof(moved), "%s.keep", victim);
	assert_int_equal(rename(moved, victim), 0);
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' check --data '%s'", PROSUMD_PATH,
				f->s.data),
			 0);
	assert_non_null(strstr(out, "check: ok\n"));
}

/* What backup and restore refuse, and restore --force. */
static void test_refusals(void **state)
{
	fixture *f = *state;
	char out[8192];

	/* no DEST, an extra argument: usage (2) */
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' backup --data '%s' 2>/dev/null",
				PROSUMD_PATH, f->s.data),
			 2);
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' check extra --data '%s' 2>/dev/null",
				PROSUMD_PATH, f->s.data),
			 2);
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' check --force --data '%s' 2>/dev/null",
				PROSUMD_PATH, f->s.data),
			 2);
	/* a backup never writes into a directory with something in it */
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' backup '%s' --data '%s' 2>&1", PROSUMD_PATH,
				f->backup, f->s.data),
			 1);
	assert_non_null(strstr(out, "is not empty"));
	/* restore: not into a directory in use, not over data without --force, not from a
	 * directory that is no complete backup */
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' restore '%s' --data '%s' 2>&1",
				PROSUMD_PATH, f->backup, f->s.data),
			 1);
	assert_non_null(strstr(out, "is not empty"));
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' restore '%s' --data '%s/nothing' 2>&1",
				PROSUMD_PATH, f->s.dir, f->restored),
			 1);
	assert_non_null(strstr(out, "not a complete backup"));
	if (e2e_sh(out, sizeof(out), "'%s' restore '%s' --force --data '%s' 2>&1", PROSUMD_PATH,
		   f->backup, f->s.data) != 0)
		fail_msg("restore --force:\n%s", out);
	assert_non_null(strstr(out, "check: ok\n"));
	/* and the server starts on it */
	assert_int_equal(e2e_start(&f->s, no_limits), 0);
	assert_int_equal(e2e_stop(&f->s), 0);
	f->s.pid = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backup_under_load),
	    cmocka_unit_test(test_check_and_repair),
	    cmocka_unit_test(test_refusals),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
