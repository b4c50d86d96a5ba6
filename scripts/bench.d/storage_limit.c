/* storage_limit.c - the storage bound of report ingest: prosumd's own writer path alone, on SQLite,
 * in batches. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "model/report.h"
#include "store/store.h"
#include "store/store_int.h"

/*
 * What the writer thread of prosumd runs for one new report, with the server's
 * own code (linked from the prosum_server library, so it cannot drift): the
 * ingest job of server/api/ingest.c minus its git work (the project has no
 * repository) and attachments: auth_check() with the ingest key,
 * store_report_insert(), the pending-link checks, each job in a savepoint of
 * its own inside one transaction per batch (store_writer.c writer_main), and
 * store_commit(), which writes the batch's group counts and full-text rows.
 * Left out on purpose: HTTP, TLS, JSON parsing (the document is parsed once;
 * each report changes only its uuid and install id), and the hand-off between
 * threads. What remains is the most SQLite can give the server with the same
 * durability (WAL, synchronous=FULL: store_db_open()).
 */
#define DOC_BYTES 2048
#define KEY "0123456789abcdef0123456789abcdef"
#define PROJECT "bench"
#define TITLE "Crash when opening a PNG with an empty palette"
#define REVISION "abc1234"
#define VERSION "1.4.0-beta.2"
/* Every report lands in one group, as the benchmark's documents do in prosumd. */
#define FINGERPRINT "5f1d3c8e2b7a4c6d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"

typedef struct bench {
	store_job job; /* first: the writer hands it back */
	store_db *db;
	report r; /* the template document, parsed once */
	auth_creds creds;
	/* The reports of one batch: the store reads them again at commit (store_report_insert). */
	struct slot {
		report r; /* a shallow copy of the template's */
		char uuid[37], install[37];
		char doc[DOC_BYTES + 1];
	} *slots, *cur;
	char doc[DOC_BYTES + 1];
	size_t uuid_at, install_at; /* where the 36-byte ids sit in doc */
} bench;

static int fail(bench *b, const char *what)
{
	fprintf(stderr, "storage_limit: %s: %s\n", what, store_db_error(b->db));
	return -1;
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

/* Report n in slot s: the template with its own uuid and install id. */
static void set_ids(bench *b, struct slot *s, uint64_t n)
{
	snprintf(s->uuid, sizeof(s->uuid), "%08x-%04x-4%03x-%04x-%012llx", 0x5b0e7c3au, 0x8f0eu,
		 0xa53u, 0x9a52u, (unsigned long long)n);
	snprintf(s->install, sizeof(s->install), "1f6e0000-0000-4000-8000-%012llx",
		 (unsigned long long)(n % 256));
	memcpy(s->doc, b->doc, sizeof(s->doc));
	memcpy(s->doc + b->uuid_at, s->uuid, 36);
	memcpy(s->doc + b->install_at, s->install, 36);
	s->r = b->r;
	s->r.uuid = s->uuid;
	s->r.install_id = s->install;
	s->r.raw = s->doc;
	s->r.raw_len = DOC_BYTES;
}

/*
 * One report, as the writer's ingest job stores it: auth, insert (dedup, group, number,
 * row, tags), pending links.
 */
static int insert_run(store_job *job, store_db *db)
{
	bench *b = (bench *)job;
	int64_t pid = 0, now = (int64_t)time(NULL);
	char actor[AUTH_ACTOR_MAX];
	const char *why = NULL;
	store_ingest out;
	int rc;

	if (auth_check(db, &b->creds, PROJECT, AUTH_INGEST, &pid, actor, &why) != 0) {
		fprintf(stderr, "storage_limit: ingest key refused: %s\n", why ? why : "");
		return STORE_ERROR;
	}
	memset(&out, 0, sizeof(out));
	rc = store_report_insert(db, pid, &b->cur->r, now, &out);
	if (rc != STORE_OK || !out.created)
		return rc != STORE_OK ? rc : STORE_EXISTS;
	if (store_links_pending(db, pid, 'R', out.num) < 0 ||
	    store_links_pending(db, pid, 'G', out.group_num) < 0)
		return STORE_ERROR;
	return STORE_OK;
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

/* The project and its ingest key, as `prosumd project add` makes them. */
static int make_project(bench *b, int64_t now)
{
	int64_t pid;

	if (store_begin(b->db) < 0 || store_project_add(b->db, PROJECT, NULL, now, &pid) < 0 ||
	    store_key_add(b->db, pid, KEY, now) < 0 || store_commit(b->db) < 0)
		return fail(b, "project");
	return 0;
}

int main(int argc, char **argv)
{
	bench b;
	double seconds, batch_d, t0, t1;
	int64_t now = (int64_t)time(NULL), counted = -1;
	uint64_t rows = 0, txns = 0;
	sqlite3_stmt *cnt = NULL;
	char err[256];
	report_limits lim = {DOC_BYTES * 2, 100, 100, DOC_BYTES};
	report_error rerr;
	int i, batch, status = 1;

	memset(&b, 0, sizeof(b));
	if (argc < 4 || parse_num(argv[2], 0.1, 600, &seconds) < 0 ||
	    parse_num(argv[3], 1, 100000, &batch_d) < 0) {
		fprintf(stderr, "usage: storage_limit DB SECONDS BATCH\n");
		return 2;
	}
	batch = (int)batch_d;
	if (make_doc(&b) < 0) {
		fprintf(stderr, "storage_limit: the report template does not fit %d bytes\n",
			DOC_BYTES);
		return 1;
	}
	memcpy(b.doc + b.uuid_at, "5b0e7c3a-8f0e-4a53-9a52-000000000000", 36);
	memcpy(b.doc + b.install_at, "1f6e0000-0000-4000-8000-000000000000", 36);
	b.slots = calloc((size_t)batch, sizeof(*b.slots));
	if (!b.slots) {
		fprintf(stderr, "storage_limit: out of memory\n");
		goto out;
	}
	if (report_parse(&b.r, b.doc, DOC_BYTES, &lim, &rerr) < 0) {
		fprintf(stderr, "storage_limit: the report template is refused: %s\n",
			rerr.message);
		goto out;
	}
	/* prosumd's write connection: its pragmas and migrations (store_db_open). */
	if (store_db_open(&b.db, argv[1], STORE_WRITE, err, sizeof(err)) < 0) {
		fprintf(stderr, "storage_limit: %s\n", err);
		goto out;
	}
	if (make_project(&b, now) < 0)
		goto out;
	memcpy(b.creds.key, KEY, sizeof(KEY));
	b.creds.has_key = 1;
	b.job.run = insert_run;
	b.job.write = 1;

	t0 = now_s();
	do {
		if (store_begin(b.db) < 0) {
			fail(&b, "begin");
			goto out;
		}
		for (i = 0; i < batch; i++) {
			b.cur = &b.slots[i];
			set_ids(&b, b.cur, rows + 1);
			st_writer_job(b.db, &b.job);
			if (b.job.result != STORE_OK) {
				fail(&b, "report insert (or a duplicate uuid)");
				goto out;
			}
			rows++;
		}
		if (store_commit(b.db) < 0) {
			fail(&b, "commit");
			goto out;
		}
		txns++;
		t1 = now_s();
	} while (t1 - t0 < seconds);

	if (sqlite3_prepare_v2(b.db->db, "SELECT count(*) FROM reports", -1, &cnt, NULL) ==
		SQLITE_OK &&
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
	if (b.db && !sqlite3_get_autocommit(b.db->db))
		store_rollback(b.db);
	store_db_close(b.db);
	report_free(&b.r);
	free(b.slots);
	return status;
}
