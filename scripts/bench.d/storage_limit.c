/* storage_limit.c - the storage bound of report ingest: prosumd's writer statements alone, on SQLite, in batches. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * What the writer thread of prosumd runs for one new report, statement for
 * statement (server/api/auth.c auth_check with an ingest key, then
 * server/store/store.c store_report_insert, inside the per-job savepoint of
 * writer_main). The SQL text is copied from server/store/store.c; keep it in step.
 * Left out on purpose: HTTP, TLS, JSON parsing and json_dumps() of the body,
 * and the hand-off between threads. What remains is the most SQLite can give
 * the server with the same durability (WAL, synchronous=FULL).
 */
enum {
	Q_KEY_PROJECT,
	Q_PROJECT_FIND,
	Q_REPORT_BY_UUID,
	Q_GROUP_BY_FP,
	Q_NEXT_GROUP,
	Q_GROUP_ADD,
	Q_NEXT_REPORT,
	Q_REPORT_ADD,
	Q_GROUP_TESTER,
	Q_GROUP_SEEN,
	Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
	[Q_KEY_PROJECT] = "SELECT project_id FROM ingest_keys WHERE key = ?1 AND revoked_at IS NULL",
	[Q_PROJECT_FIND] = "SELECT id FROM projects WHERE name = ?1",
	[Q_REPORT_BY_UUID] = "SELECT r.num, g.num FROM reports r JOIN groups g ON g.id = r.group_id "
			     "WHERE r.project_id = ?1 AND r.uuid = ?2",
	[Q_GROUP_BY_FP] = "SELECT id, num FROM groups WHERE project_id = ?1 AND fingerprint = ?2",
	[Q_NEXT_GROUP] = "UPDATE projects SET next_group = next_group + 1 WHERE id = ?1 "
			 "RETURNING next_group - 1",
	[Q_GROUP_ADD] = "INSERT INTO groups(project_id, num, fingerprint, kind, title, first_seen, "
			"last_seen, first_revision, last_revision) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?7)",
	[Q_NEXT_REPORT] = "UPDATE projects SET next_report = next_report + 1 WHERE id = ?1 "
			  "RETURNING next_report - 1",
	[Q_REPORT_ADD] = "INSERT INTO reports(project_id, num, uuid, group_id, kind, title, severity, "
			 "install_id, version, revision, received_at, body) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[Q_GROUP_TESTER] = "INSERT OR IGNORE INTO group_testers(group_id, install_id) VALUES (?1, ?2)",
	[Q_GROUP_SEEN] = "UPDATE groups SET count = count + 1, testers = testers + ?2, "
			 "last_seen = max(last_seen, ?3), "
			 "last_revision = coalesce(?4, last_revision) WHERE id = ?1",
};

#define DOC_BYTES 2048
#define KEY "0123456789abcdef0123456789abcdef"
#define PROJECT "bench"
#define TITLE "Crash when opening a PNG with an empty palette"
#define REVISION "abc1234"
#define VERSION "1.4.0-beta.2"
/* Every report lands in one group, as the benchmark's documents do in prosumd. */
#define FINGERPRINT "5f1d3c8e2b7a4c6d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"

typedef struct bench {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	char doc[DOC_BYTES + 1];
	size_t uuid_at, install_at; /* where the 36-byte ids sit in doc */
} bench;

static int fail(bench *b, const char *what)
{
	fprintf(stderr, "storage_limit: %s: %s\n", what, b->db ? sqlite3_errmsg(b->db) : "");
	return -1;
}

static int exec(bench *b, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(b->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "storage_limit: %s: %s\n", sql, msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A 2048-byte report document like the ones the benchmark posts to prosumd. */
static int make_doc(bench *b)
{
	static const char head[] = "{\"uuid\":\"";
	static const char mid[] =
		"\",\"kind\":\"crash\",\"title\":\"" TITLE "\",\"severity\":\"major\","
		"\"timestamp\":\"2026-11-20T10:15:00Z\",\"build\":{\"version\":\"" VERSION
		"\",\"revision\":\"" REVISION "\",\"channel\":\"beta\"},"
		"\"platform\":{\"os\":\"Linux\",\"os_version\":\"6.1\",\"arch\":\"x86_64\"},"
		"\"exception\":{\"type\":\"SIGSEGV\",\"value\":\"invalid read at 0x0\"},\"frames\":["
		"{\"function\":\"png_read_palette\",\"file\":\"src/png.c\",\"line\":120,"
		"\"module\":\"viewer\",\"address\":\"0x4011d6\"},"
		"{\"function\":\"png_read_info\",\"file\":\"src/png.c\",\"line\":88,"
		"\"module\":\"viewer\",\"address\":\"0x401a20\"},"
		"{\"function\":\"image_open\",\"file\":\"src/image.c\",\"line\":42,"
		"\"module\":\"viewer\",\"address\":\"0x402b10\"},"
		"{\"function\":\"main\",\"file\":\"src/main.c\",\"line\":17,"
		"\"module\":\"viewer\",\"address\":\"0x400f00\"}],"
		"\"tags\":{\"gpu\":\"intel\",\"locale\":\"en_GB\"},\"steps\":\"1. open file 2. crash\","
		"\"tester\":{\"install_id\":\"";
	static const char tail0[] = "\"},\"description\":\"";
	static const char tail1[] = "\"}";
	static const char words[] =
		"The viewer crashes when a PNG file has a palette chunk of zero entries. ";
	size_t fixed = strlen(head) + 36 + strlen(mid) + 36 + strlen(tail0) + strlen(tail1);
	size_t pad, i, at = 0;

	if (fixed >= DOC_BYTES)
		return -1;
	pad = DOC_BYTES - fixed;
	memcpy(b->doc + at, head, strlen(head));
	at += strlen(head);
	b->uuid_at = at;
	memset(b->doc + at, '0', 36);
	at += 36;
	memcpy(b->doc + at, mid, strlen(mid));
	at += strlen(mid);
	b->install_at = at;
	memset(b->doc + at, '0', 36);
	at += 36;
	memcpy(b->doc + at, tail0, strlen(tail0));
	at += strlen(tail0);
	for (i = 0; i < pad; i++)
		b->doc[at + i] = words[i % (sizeof(words) - 1)];
	at += pad;
	memcpy(b->doc + at, tail1, strlen(tail1));
	at += strlen(tail1);
	b->doc[at] = '\0';
	return at == DOC_BYTES ? 0 : -1;
}

/* Run a statement to its end; 0, or -1. A returned row (RETURNING) lands in *out. */
static int run(bench *b, int q, int64_t *out)
{
	sqlite3_stmt *s = b->q[q];
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		if (out)
			*out = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static sqlite3_stmt *fresh(bench *b, int q)
{
	sqlite3_reset(b->q[q]);
	sqlite3_clear_bindings(b->q[q]);
	return b->q[q];
}

/* One report, as the writer stores it: auth, dedup, group, number, row, testers, group counters. */
static int insert_report(bench *b, uint64_t n, int64_t now)
{
	char uuid[37], install[37];
	int64_t key_pid = 0, pid = 0, group_id = 0, group_num = 0, num = 0;
	sqlite3_stmt *s;
	int rc;

	snprintf(uuid, sizeof(uuid), "%08x-%04x-4%03x-%04x-%012llx", 0x5b0e7c3au, 0x8f0eu, 0xa53u,
		 0x9a52u, (unsigned long long)n);
	snprintf(install, sizeof(install), "1f6e0000-0000-4000-8000-%012llx",
		 (unsigned long long)(n % 256));
	memcpy(b->doc + b->uuid_at, uuid, 36);
	memcpy(b->doc + b->install_at, install, 36);

	if (exec(b, "SAVEPOINT job") < 0)
		return -1;
	s = fresh(b, Q_KEY_PROJECT);
	sqlite3_bind_text(s, 1, KEY, -1, SQLITE_STATIC);
	if (run(b, Q_KEY_PROJECT, &key_pid) < 0)
		return fail(b, "ingest key");
	s = fresh(b, Q_PROJECT_FIND);
	sqlite3_bind_text(s, 1, PROJECT, -1, SQLITE_STATIC);
	if (run(b, Q_PROJECT_FIND, &pid) < 0 || pid != key_pid)
		return fail(b, "project");

	s = fresh(b, Q_REPORT_BY_UUID);
	sqlite3_bind_int64(s, 1, pid);
	sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return fail(b, "uuid lookup (or a duplicate uuid)");

	s = fresh(b, Q_GROUP_BY_FP);
	sqlite3_bind_int64(s, 1, pid);
	sqlite3_bind_text(s, 2, FINGERPRINT, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		group_id = sqlite3_column_int64(s, 0);
		group_num = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(b, "group lookup");
	if (rc == SQLITE_DONE) {
		s = fresh(b, Q_NEXT_GROUP);
		sqlite3_bind_int64(s, 1, pid);
		if (run(b, Q_NEXT_GROUP, &group_num) < 0)
			return fail(b, "next group");
		s = fresh(b, Q_GROUP_ADD);
		sqlite3_bind_int64(s, 1, pid);
		sqlite3_bind_int64(s, 2, group_num);
		sqlite3_bind_text(s, 3, FINGERPRINT, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, "crash", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, TITLE, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, now);
		sqlite3_bind_text(s, 7, REVISION, -1, SQLITE_STATIC);
		if (run(b, Q_GROUP_ADD, NULL) < 0)
			return fail(b, "group insert");
		group_id = sqlite3_last_insert_rowid(b->db);
	}

	s = fresh(b, Q_NEXT_REPORT);
	sqlite3_bind_int64(s, 1, pid);
	if (run(b, Q_NEXT_REPORT, &num) < 0)
		return fail(b, "next report");
	s = fresh(b, Q_REPORT_ADD);
	sqlite3_bind_int64(s, 1, pid);
	sqlite3_bind_int64(s, 2, num);
	sqlite3_bind_text(s, 3, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, group_id);
	sqlite3_bind_text(s, 5, "crash", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, TITLE, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, "major", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, install, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, REVISION, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 11, now);
	sqlite3_bind_text(s, 12, b->doc, DOC_BYTES, SQLITE_STATIC);
	if (run(b, Q_REPORT_ADD, NULL) < 0)
		return fail(b, "report insert");

	s = fresh(b, Q_GROUP_TESTER);
	sqlite3_bind_int64(s, 1, group_id);
	sqlite3_bind_text(s, 2, install, -1, SQLITE_STATIC);
	if (run(b, Q_GROUP_TESTER, NULL) < 0)
		return fail(b, "group tester");
	s = fresh(b, Q_GROUP_SEEN);
	sqlite3_bind_int64(s, 1, group_id);
	sqlite3_bind_int(s, 2, sqlite3_changes(b->db) > 0);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_text(s, 4, REVISION, -1, SQLITE_STATIC);
	if (run(b, Q_GROUP_SEEN, NULL) < 0)
		return fail(b, "group seen");
	return exec(b, "RELEASE job");
}

/* The schema exactly as prosumd makes it: every migration file, in order, in one transaction. */
static int apply_schema(bench *b, int nfiles, char **files)
{
	int i;

	if (exec(b, "BEGIN IMMEDIATE") < 0)
		return -1;
	for (i = 0; i < nfiles; i++) {
		FILE *f = fopen(files[i], "rb");
		char *sql = NULL;
		long len;
		int rc = -1;

		if (!f) {
			fprintf(stderr, "storage_limit: %s: %s\n", files[i], strerror(errno));
			return -1;
		}
		if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
			sql = malloc((size_t)len + 1);
			if (sql && fread(sql, 1, (size_t)len, f) == (size_t)len) {
				sql[len] = '\0';
				rc = exec(b, sql);
			}
		}
		free(sql);
		fclose(f);
		if (rc < 0) {
			fprintf(stderr, "storage_limit: cannot apply %s\n", files[i]);
			return -1;
		}
	}
	return exec(b, "COMMIT");
}

static int parse_num(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	bench b;
	double seconds, batch_d, t0, t1;
	int64_t now = (int64_t)time(NULL), counted = -1;
	uint64_t rows = 0, txns = 0;
	char project_sql[256];
	sqlite3_stmt *cnt = NULL;
	int i, batch, status = 1;

	memset(&b, 0, sizeof(b));
	if (argc < 5 || parse_num(argv[2], 0.1, 600, &seconds) < 0 ||
	    parse_num(argv[3], 1, 100000, &batch_d) < 0) {
		fprintf(stderr, "usage: storage_limit DB SECONDS BATCH SCHEMA.sql...\n");
		return 2;
	}
	batch = (int)batch_d;
	if (make_doc(&b) < 0) {
		fprintf(stderr, "storage_limit: the report template does not fit %d bytes\n",
			DOC_BYTES);
		return 1;
	}
	if (sqlite3_open_v2(argv[1], &b.db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		fail(&b, argv[1]);
		goto out;
	}
	sqlite3_extended_result_codes(b.db, 1);
	sqlite3_busy_timeout(b.db, 5000);
	/* The pragmas of prosumd's write connection (server/store/store.c store_db_open). */
	if (exec(&b, "PRAGMA foreign_keys = ON") < 0 || exec(&b, "PRAGMA synchronous = FULL") < 0 ||
	    exec(&b, "PRAGMA journal_mode = WAL") < 0 || exec(&b, "PRAGMA temp_store = MEMORY") < 0 ||
	    apply_schema(&b, argc - 4, argv + 4) < 0)
		goto out;
	snprintf(project_sql, sizeof(project_sql),
		 "INSERT INTO projects(name, created_at) VALUES ('" PROJECT "', %lld);"
		 "INSERT INTO ingest_keys(key, project_id, created_at) "
		 "VALUES ('" KEY "', last_insert_rowid(), %lld);",
		 (long long)now, (long long)now);
	if (exec(&b, project_sql) < 0)
		goto out;
	for (i = 0; i < Q_COUNT; i++) {
		if (sqlite3_prepare_v3(b.db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &b.q[i],
				       NULL) != SQLITE_OK) {
			fail(&b, sql_text[i]);
			goto out;
		}
	}

	t0 = now_s();
	do {
		if (exec(&b, "BEGIN IMMEDIATE") < 0)
			goto out;
		for (i = 0; i < batch; i++) {
			if (insert_report(&b, rows + 1, now) < 0)
				goto out;
			rows++;
		}
		if (exec(&b, "COMMIT") < 0)
			goto out;
		txns++;
		t1 = now_s();
	} while (t1 - t0 < seconds);

	if (sqlite3_prepare_v2(b.db, "SELECT count(*) FROM reports", -1, &cnt, NULL) == SQLITE_OK &&
	    sqlite3_step(cnt) == SQLITE_ROW)
		counted = sqlite3_column_int64(cnt, 0);
	printf("BENCH rows %llu\n", (unsigned long long)rows);
	printf("BENCH rows_counted %lld\n", (long long)counted);
	printf("BENCH transactions %llu\n", (unsigned long long)txns);
	printf("BENCH batch %d\n", batch);
	printf("BENCH seconds %.3f\n", t1 - t0);
	printf("BENCH rows_per_s %.1f\n", (double)rows / (t1 - t0));
	printf("BENCH doc_bytes %d\n", DOC_BYTES);
	status = counted == (int64_t)rows ? 0 : 1;
	if (status)
		fprintf(stderr, "storage_limit: %lld rows in the table, %llu inserted\n",
			(long long)counted, (unsigned long long)rows);
out:
	sqlite3_finalize(cnt);
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(b.q[i]);
	sqlite3_close(b.db);
	return status;
}
