/* test_e2e_upgrade.c - every released schema level upgrades to the current one with its rows; a newer database is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

/* What tests/fixtures/schema/rows/ put in every fixture (see 0001.sql). */
#define FIXTURE_TOKEN "pst_0123456789abcdef0123456789abcdef0123456789abcdef"
#define FIXTURE_KEY "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define FIXTURE_FILE "fixture attachment\n"
#define FIXTURE_SHA "fa7b57ddeea09e347209cca4c51ebb77b9eca97117e1d4fea3126802dee7cc30"
#define RELEASED_LEVELS 27 /* levels every prosum release so far shipped: each has a fixture */

/* The schema level of this prosum: the number of .sql files in schema/. */
static int current_level(void)
{
	DIR *d = opendir(SCHEMA_DIR);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strlen(e->d_name) > 9 && strcmp(e->d_name + strlen(e->d_name) - 4, ".sql") == 0)
			n++;
	closedir(d);
	return n;
}

static int copy_file(const char *from, const char *to)
{
	char out[64];

	return e2e_sh(out, sizeof(out), "cp '%s' '%s'", from, to);
}

/* Put fixture `level` in place of the data directory's database, with its secret and the
 * attachment file its rows name; the admin token becomes the fixture's. */
static void install_fixture(e2e_server *s, int level)
{
	char from[600], to[700], sub[600];
	FILE *f;

	snprintf(to, sizeof(to), "%s-wal", s->db);
	unlink(to);
	snprintf(to, sizeof(to), "%s-shm", s->db);
	unlink(to);
	snprintf(from, sizeof(from), "%s/%04d.db", SCHEMA_FIXTURES, level);
	assert_int_equal(copy_file(from, s->db), 0);
	snprintf(from, sizeof(from), "%s/secret", SCHEMA_FIXTURES);
	snprintf(to, sizeof(to), "%s/secret", s->data);
	assert_int_equal(copy_file(from, to), 0);
	snprintf(s->token, sizeof(s->token), "%s", FIXTURE_TOKEN);
	snprintf(s->key, sizeof(s->key), "%s", FIXTURE_KEY);
	if (level < 3)
		return;
	snprintf(sub, sizeof(sub), "%s/attachments/%.2s", s->data, FIXTURE_SHA);
	mkdir(sub, 0700);
	snprintf(to, sizeof(to), "%s/%s", sub, FIXTURE_SHA + 2);
	f = fopen(to, "w");
	assert_non_null(f);
	fputs(FIXTURE_FILE, f);
	fclose(f);
}

static json_t *get(e2e_server *s, const char *path)
{
	long st;
	json_t *v = e2e_call(s, s->token, "GET", path, NULL, &st);

	if (st != 200)
		fail_msg("GET %s: %ld %s", path, st, json_dumps(v, 0));
	return v;
}

/* The rows of the fixture, read through the API of the upgraded server. */
static void check_rows(e2e_server *s, int level)
{
	json_t *v, *items;
	e2e_response r;
	char doc[512], uuid[37];
	long st;

	v = get(s, "/api/v1/projects");
	assert_non_null(e2e_find(json_object_get(v, "items"), "name", "legacy"));
	json_decref(v);

	v = get(s, "/api/v1/projects/legacy/reports");
	items = json_object_get(v, "items");
	assert_int_equal(json_array_size(items), 2);
	json_decref(v);

	/* Reports stored before reports carried a cohort (level 26) have none. */
	v = get(s, "/api/v1/projects/legacy/reports/R-2");
	assert_string_equal(e2e_str(v, "cohort", NULL), level >= 26 ? "insiders" : "");
	json_decref(v);

	v = get(s, "/api/v1/projects/legacy/reports/R-1");
	assert_string_equal(e2e_str(v, "title", NULL), "SIGSEGV in render_frame");
	if (level >= 2)
		assert_string_equal(e2e_str(v, "assignee", NULL), "admin");
	if (level >= 3) {
		json_t *att = json_array_get(json_object_get(v, "attachments"), 0);

		assert_string_equal(e2e_str(att, "name", NULL), "log.txt");
	}
	json_decref(v);
	if (level >= 3) {
		assert_int_equal(
		    e2e_get(s, "/api/v1/projects/legacy/reports/R-1/attachments/log.txt", &r), 0);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.body, FIXTURE_FILE);
		e2e_response_free(&r);
	}

	v = get(s, "/api/v1/projects/legacy/groups/G-1");
	assert_int_equal(json_integer_value(json_object_get(v, "count")), 2);
	json_decref(v);

	/* The full-text index answers for the old reports (rebuilt by 0007 when older). */
	v = get(s, "/api/v1/projects/legacy/reports?q=render_frame");
	assert_true(json_array_size(json_object_get(v, "items")) >= 1);
	json_decref(v);

	if (level >= 4) {
		char *text;

		v = get(s, "/api/v1/projects/legacy/releases");
		text = json_dumps(v, 0);
		assert_non_null(text);
		assert_non_null(strstr(text, "\"1.0.0\""));
		free(text);
		json_decref(v);
	}
	if (level >= 5) {
		v = get(s, "/api/v1/projects/legacy/suggestions/S-1");
		assert_string_equal(e2e_str(v, "title", NULL), "Dark mode");
		assert_int_equal(json_integer_value(json_object_get(v, "votes")), 1);
		json_decref(v);
	}
	if (level >= 11) {
		v = get(s, "/api/v1/users");
		assert_non_null(e2e_find(json_object_get(v, "items"), "name", "ada"));
		json_decref(v);
	}
	v = get(s, "/api/v1/projects/legacy");
	assert_int_equal(json_is_true(json_object_get(v, "public")), level >= 12);
	json_decref(v);
	if (level >= 25) {
		assert_int_equal(e2e_sql_int(s, "SELECT sum(started) * 10 + sum(crashed) FROM "
					        "health_hours WHERE platform = 'Linux'"),
				 31);
		assert_int_equal(e2e_sql_int(s, "SELECT count(DISTINCT did) FROM health_installs "
					        "WHERE release = '1.0.0'"),
				 2);
	}

	/* The upgraded database takes new reports, numbered after the old ones. */
	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"build\":{\"version\":\"1.0.1\"},"
		 "\"tester\":{\"install_id\":\"t-%s\"},\"exception\":{\"type\":\"SIGSEGV\"},"
		 "\"frames\":[{\"function\":\"render_frame\",\"file\":\"src/render.c\","
		 "\"line\":42}]}",
		 uuid, uuid);
	{
		const char *h[] = {"X-Prosum-Key: " FIXTURE_KEY, "Content-Type: application/json",
				   NULL};

		assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/legacy/reports", h, doc,
					     strlen(doc), &r),
				 0);
	}
	st = r.status;
	if (st != 201)
		fail_msg("new report: %ld %s", st, r.body);
	v = e2e_json(&r);
	assert_string_equal(e2e_str(v, "id", NULL), "R-3");
	json_decref(v);
	e2e_response_free(&r);
}

static void upgrade_from(int level, int current)
{
	e2e_server *s = e2e_fixture_new(sizeof(e2e_server), 0);
	char out[4096];

	assert_non_null(s);
	install_fixture(s, level);
	assert_int_equal(e2e_sql_int(s, "PRAGMA user_version"), level);
	/* Before the upgrade, as the docs say: this prosumd backs the old database up and checks
	 * it as it is, changing nothing. */
	if (e2e_sh(out, sizeof(out), "'%s' backup '%s/pre-upgrade' --data '%s' 2>&1", PROSUMD_PATH,
		   s->dir, s->data) != 0)
		fail_msg("backup of the level %d fixture:\n%s", level, out);
	if (e2e_sh(out, sizeof(out), "'%s' check --data '%s' 2>&1", PROSUMD_PATH, s->data) != 0)
		fail_msg("check of the level %d fixture:\n%s", level, out);
	if (level < current)
		assert_non_null(strstr(out, "is older than this prosumd"));
	assert_int_equal(e2e_sql_int(s, "PRAGMA user_version"), level);
	if (e2e_start(s, NULL) < 0)
		fail_msg("prosumd did not start on the level %d fixture", level);
	assert_int_equal(e2e_sql_int(s, "PRAGMA user_version"), current);
	check_rows(s, level);
	assert_int_equal(e2e_stop(s), 0);
	/* Nothing the check can find: the database and the attachment its rows name. */
	if (e2e_sh(out, sizeof(out), "'%s' check --data '%s'", PROSUMD_PATH, s->data) != 0)
		fail_msg("check after upgrading from %d:\n%s", level, out);
	e2e_fixture_free(s);
}

static void test_every_released_level_has_a_fixture(void **state)
{
	char path[600];
	int level;

	(void)state;
	for (level = 1; level <= RELEASED_LEVELS; level++) {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		snprintf(path, sizeof(path), "%s/%04d.db", SCHEMA_FIXTURES, level);
		if (access(path, R_OK) != 0)
			fail_msg("no fixture %s: run scripts/make-schema-fixture %d", path, level);
		assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), level);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
}

static void test_upgrade_from_every_fixture(void **state)
{
	char path[600];
	int level, current = current_level(), tested = 0;

	(void)state;
	for (level = 1; level <= current; level++) {
		snprintf(path, sizeof(path), "%s/%04d.db", SCHEMA_FIXTURES, level);
		if (access(path, R_OK) != 0)
			continue; /* a level not released yet */
		upgrade_from(level, current);
		tested++;
	}
	assert_true(tested >= RELEASED_LEVELS);
}

/* Release health written at level 24 (before sessions had a platform) stays through 0025's
 * rebuild of its tables: every row, its figures, with platform '' (unknown), and the health
 * answer counts it. */
static void test_health_rows_keep_their_figures(void **state)
{
	e2e_server *s = e2e_fixture_new(sizeof(e2e_server), 0);
	int64_t now = (int64_t)time(NULL), hour = now - now % 3600;
	char sql[2048];
	sqlite3 *db = NULL;
	json_t *v, *rel;

	(void)state;
	assert_non_null(s);
	install_fixture(s, 24);
	assert_int_equal(sqlite3_open(s->db, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO health_hours(project_id, release, revision, environment, cohort, hour, "
		 "started, exited, errored, abnormal, crashed, duration_n, duration_ms, installs, "
		 "crashed_installs) VALUES (1, '1.0.0', 'abc1234', 'beta', 'insiders', %lld, 7, 5, "
		 "2, 0, 1, 5, 50000, 2, 1), (1, '1.0.0', 'abc1234', 'nightly', '', %lld, 3, 3, 0, 0, "
		 "0, 3, 9000, 1, 0);"
		 "INSERT INTO health_durations(project_id, release, revision, environment, cohort, "
		 "hour, bucket, sessions) VALUES (1, '1.0.0', 'abc1234', 'beta', 'insiders', %lld, "
		 "14, 5), (1, '1.0.0', 'abc1234', 'nightly', '', %lld, 7, 3);"
		 "INSERT INTO health_installs(project_id, release, revision, environment, cohort, did, "
		 "first_hour, last_hour, errored, abnormal, crashed) VALUES (1, '1.0.0', 'abc1234', "
		 "'beta', 'insiders', 'd1', %lld, %lld, 1, 0, 1), (1, '1.0.0', 'abc1234', 'beta', "
		 "'insiders', 'd2', %lld, %lld, 0, 0, 0), (1, '1.0.0', 'abc1234', 'nightly', '', "
		 "'d3', %lld, %lld, 0, 0, 0);"
		 "INSERT INTO health_live(project_id, sid, release, revision, environment, cohort, "
		 "did, started, status, errored) VALUES (1, '0123456789abcdef0123456789abcdef', "
		 "'1.0.0', 'abc1234', 'beta', 'insiders', 'd1', %lld, 'crashed', 1);",
		 (long long)hour, (long long)hour, (long long)hour, (long long)hour, (long long)hour,
		 (long long)hour, (long long)hour, (long long)hour, (long long)hour, (long long)hour,
		 (long long)now - 60);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(db));
	sqlite3_close(db);
	if (e2e_start(s, NULL) < 0)
		fail_msg("prosumd did not start on the level 24 fixture");
	assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM health_hours WHERE platform = ''"), 2);
	assert_int_equal(e2e_sql_int(s, "SELECT sum(started) * 1000 + sum(crashed) * 100 + "
				        "sum(installs) * 10 + sum(crashed_installs) FROM "
				        "health_hours WHERE release = '1.0.0' AND revision = "
				        "'abc1234'"),
			 10131);
	assert_int_equal(e2e_sql_int(s, "SELECT sum(duration_ms) FROM health_hours"), 59000);
	assert_int_equal(e2e_sql_int(s, "SELECT sum(sessions) * 100 + sum(bucket) FROM "
				        "health_durations WHERE platform = ''"),
			 821);
	assert_int_equal(e2e_sql_int(s, "SELECT count(*) * 10 + sum(crashed) FROM health_installs "
				        "WHERE platform = ''"),
			 31);
	assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM health_live WHERE platform = '' AND "
				        "status = 'crashed' AND cohort = 'insiders'"),
			 1);
	assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM sqlite_master WHERE name = "
				        "'health_hours_recent'"),
			 1);
	v = get(s, "/api/v1/projects/legacy/health?release=1.0.0");
	rel = json_array_get(json_object_get(v, "releases"), 0);
	assert_int_equal(json_integer_value(json_object_get(rel, "sessions")), 10);
	assert_int_equal(json_integer_value(json_object_get(rel, "crashed")), 1);
	assert_int_equal(json_integer_value(json_object_get(rel, "installs")), 3);
	json_decref(v);
	assert_int_equal(e2e_stop(s), 0);
	e2e_fixture_free(s);
}

/* A database a newer prosum made: every command refuses it, saying so, and leaves it as it
 * was. */
static void test_newer_database_refused(void **state)
{
	e2e_server *s = e2e_fixture_new(sizeof(e2e_server), 0);
	int current = current_level();
	char sql[64], out[4096], want[128];
	sqlite3 *db = NULL;
	FILE *log;
	char line[512];
	int found = 0;

	(void)state;
	assert_non_null(s);
	assert_int_equal(sqlite3_open(s->db, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", current + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	snprintf(want, sizeof(want), "database schema %d is newer than this prosumd (%d)",
		 current + 1, current);

	/* serve exits 1 at once, the reason on stderr */
	assert_int_equal(e2e_sh(out, sizeof(out),
				"'%s' serve --data '%s' --listen 127.0.0.1:0 2>'%s/serve.log'",
				PROSUMD_PATH, s->data, s->dir),
			 1);
	snprintf(line, sizeof(line), "%s/serve.log", s->dir);
	log = fopen(line, "r");
	assert_non_null(log);
	while (fgets(line, sizeof(line), log))
		found |= strstr(line, want) != NULL;
	fclose(log);
	if (!found)
		fail_msg("serve did not say '%s'", want);

	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' token list --data '%s' 2>&1", PROSUMD_PATH,
				s->data),
			 1);
	assert_non_null(strstr(out, want));
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' backup '%s/b' --data '%s' 2>&1",
				PROSUMD_PATH, s->dir, s->data),
			 1);
	assert_non_null(strstr(out, want));
	assert_int_equal(e2e_sql_int(s, "PRAGMA user_version"), current + 1);
	e2e_fixture_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_released_level_has_a_fixture),
	    cmocka_unit_test(test_upgrade_from_every_fixture),
	    cmocka_unit_test(test_health_rows_keep_their_figures),
	    cmocka_unit_test(test_newer_database_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
