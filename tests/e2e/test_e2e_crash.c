/* test_e2e_crash.c - kill -9 under load: acknowledged reports stored once, attachments whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <mbedtls/sha256.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

#define THREADS 4
#define MIN_ROUNDS 10
#define MAX_ROUNDS 50
#define BUDGET_MS 40000 /* no new round starts after this */
#define MAX_SENT 20000  /* per thread and round; far more than a round can send */

static const char *const flags[] = {"--rate-ip",      "0",    "--rate-key", "0",
				    "--idle-timeout", "5000", NULL};

/* What one report sent in a round came to. */
typedef struct sent {
	char uuid[37];
	long status; /* 0: no answer (the connection broke, or nothing listened) */
} sent;

typedef struct worker {
	e2e_server *s;
	atomic_int *stop;
	int id;
	size_t n;
	sent *items;
} worker;

typedef struct fixture {
	e2e_server s;
	char log[400];
} fixture;

/* The document of a report: the uuid decides everything, so it can be sent again alike. */
static char *doc_for(const char *uuid, int thread)
{
	char title[96], tag[16];
	json_t *r;
	char *s;

	snprintf(title, sizeof(title), "crash test %s", uuid);
	snprintf(tag, sizeof(tag), "%d", thread);
	r = json_pack("{s:s,s:s,s:s,s:s,s:{s:s},s:{s:s},s:{s:s},s:[{s:s,s:s}],s:{s:s}}", "uuid",
		      uuid, "kind", "crash", "title", title, "description",
		      "sent while the server may die", "build", "version", "2.0.0-beta.1", "tester",
		      "install_id", "crash-test-install", "exception", "type", "SIGABRT", "frames",
		      "function", thread % 2 ? "abort_even" : "abort_odd", "module", "app", "tags",
		      "thread", tag);
	s = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	return s;
}

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/*
 * One curl handle per thread, kept alive between reports. The last thread
 * sends each report as multipart with an attachment, so that files written
 * before a commit are checked too.
 */
typedef struct poster {
	CURL *c;
	struct curl_slist *hl;
	int multipart;
	char url[256];
} poster;

#define ATTACH_LEN (32 * 1024)

static int poster_open(poster *p, e2e_server *s, int multipart)
{
	char key[200];

	memset(p, 0, sizeof(*p));
	p->c = curl_easy_init();
	if (!p->c)
		return -1;
	p->multipart = multipart;
	snprintf(p->url, sizeof(p->url), "%s/api/v1/projects/demo/reports", s->url);
	snprintf(key, sizeof(key), "X-Prosum-Key: %s", s->key);
	p->hl = curl_slist_append(NULL, key);
	if (!multipart)
		p->hl = curl_slist_append(p->hl, "Content-Type: application/json");
	p->hl = curl_slist_append(p->hl, "Expect:");
	curl_easy_setopt(p->c, CURLOPT_URL, p->url);
	curl_easy_setopt(p->c, CURLOPT_CAINFO, s->cacert);
	curl_easy_setopt(p->c, CURLOPT_HTTPHEADER, p->hl);
	curl_easy_setopt(p->c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(p->c, CURLOPT_CONNECTTIMEOUT, 2L);
	curl_easy_setopt(p->c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(p->c, CURLOPT_NOSIGNAL, 1L);
	return 0;
}

static void poster_close(poster *p)
{
	curl_easy_cleanup(p->c);
	curl_slist_free_all(p->hl);
	p->c = NULL;
	p->hl = NULL;
}

/* The attachment of a report: bytes that follow from its uuid alone. */
static void attachment_for(const char *uuid, unsigned char *out, size_t len)
{
	uint64_t x = 1469598103934665603ULL;
	size_t i;

	for (i = 0; uuid[i]; i++)
		x = (x ^ (unsigned char)uuid[i]) * 1099511628211ULL;
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		out[i] = (unsigned char)x;
	}
}

/* POST one report; its status, 0 when no answer came. */
static long post(poster *p, const char *uuid, int thread)
{
	char *doc = doc_for(uuid, thread);
	static __thread unsigned char blob[ATTACH_LEN];
	curl_mime *mime = NULL;
	long status = 0;

	if (p->multipart) {
		curl_mimepart *part;

		attachment_for(uuid, blob, sizeof(blob));
		mime = curl_mime_init(p->c);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "report");
		curl_mime_data(part, doc, strlen(doc));
		curl_mime_type(part, "application/json");
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "attachment");
		curl_mime_data(part, (const char *)blob, sizeof(blob));
		curl_mime_filename(part, "core.bin");
		curl_mime_type(part, "application/octet-stream");
		curl_easy_setopt(p->c, CURLOPT_MIMEPOST, mime);
	} else {
		curl_easy_setopt(p->c, CURLOPT_POSTFIELDS, doc);
		curl_easy_setopt(p->c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(doc));
	}
	if (curl_easy_perform(p->c) == CURLE_OK)
		curl_easy_getinfo(p->c, CURLINFO_RESPONSE_CODE, &status);
	if (mime) {
		curl_easy_setopt(p->c, CURLOPT_MIMEPOST, NULL);
		curl_mime_free(mime);
	}
	free(doc);
	return status;
}

/* As fast as it can until told to stop: fresh uuids, each recorded before it is sent. */
static void *worker_main(void *arg)
{
	worker *w = arg;
	poster p;

	if (poster_open(&p, w->s, w->id == THREADS - 1) < 0)
		return NULL;
	while (!atomic_load(w->stop) && w->n < MAX_SENT) {
		sent *it = &w->items[w->n];

		e2e_uuid(it->uuid);
		it->status = 0;
		w->n++;
		it->status = post(&p, it->uuid, w->id);
		if (it->status == 0)
			usleep(2000); /* the server is gone; the test notices and stops us */
	}
	poster_close(&p);
	return NULL;
}

/*
 * Every attachment the database names is on disk, whole: its bytes hash to
 * its name. Returns the number of attachments checked; fails the test otherwise.
 */
static long long check_attachments(e2e_server *s, int round)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = 0;
	static unsigned char buf[ATTACH_LEN + 1];

	if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT sha256, size FROM attachments", -1, &st, NULL) !=
		SQLITE_OK)
		fail_msg("round %d: cannot read the attachments table", round);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 0);
		long long size = sqlite3_column_int64(st, 1);
		char path[600], hex[65];
		unsigned char digest[32];
		FILE *f;
		size_t got;
		int i;

		snprintf(path, sizeof(path), "%s/attachments/%.2s/%s", s->data, sha, sha + 2);
		f = fopen(path, "rb");
		if (!f)
			fail_msg("round %d: attachment %s is in the database but not on disk",
				 round, sha);
		got = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if ((long long)got != size)
			fail_msg("round %d: attachment %s has %zu bytes on disk, %lld recorded",
				 round, sha, got, size);
		mbedtls_sha256_ret(buf, got, digest, 0);
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", digest[i]);
		if (strcmp(hex, sha) != 0)
			fail_msg("round %d: attachment %s holds other bytes (%s)", round, sha, hex);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static unsigned rand_below(unsigned n)
{
	unsigned v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (unsigned)time(NULL);
	return v % n;
}

/* How many times each uuid is stored, with one read-only connection for the whole round. */
typedef struct counter {
	sqlite3 *db;
	sqlite3_stmt *st;
} counter;

static int counter_open(counter *k, e2e_server *s)
{
	memset(k, 0, sizeof(*k));
	if (sqlite3_open_v2(s->db, &k->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(k->db, "SELECT count(*) FROM reports WHERE uuid = ?", -1, &k->st,
			       NULL) != SQLITE_OK)
		return -1;
	return 0;
}

static long long counter_get(counter *k, const char *uuid)
{
	long long n = -1;

	sqlite3_reset(k->st);
	sqlite3_bind_text(k->st, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(k->st) == SQLITE_ROW)
		n = sqlite3_column_int64(k->st, 0);
	return n;
}

static void counter_close(counter *k)
{
	sqlite3_finalize(k->st);
	sqlite3_close(k->db);
}

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f)
		return -1;
	snprintf(f->log, sizeof(f->log), "%s/server.log", f->s.dir);
	if (e2e_start_logged(&f->s, flags, f->log) < 0) {
		e2e_destroy(&f->s);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	int rc = 0;

	if (f->s.pid > 0 && e2e_stop(&f->s) != 0) {
		fprintf(stderr, "prosumd did not stop cleanly on SIGTERM\n");
		rc = -1;
	}
	if (e2e_log_has_sanitizer_report(f->log) != 0)
		rc = -1;
	e2e_fixture_free(f);
	return rc;
}

/* Groups whose statistics disagree with their reports (a kill may come between the two). */
static const char stats_disagree[] =
    "SELECT count(*) FROM groups g WHERE g.merged_into IS NULL AND ("
    "g.count <> (SELECT count(*) FROM reports r WHERE r.group_id = g.id) OR "
    "g.testers <> (SELECT count(DISTINCT install_id) FROM reports r WHERE r.group_id = g.id) OR "
    "g.last_seen <> (SELECT max(received_at) FROM reports r WHERE r.group_id = g.id) OR "
    "EXISTS (SELECT 1 FROM group_facets f WHERE f.group_id = g.id AND f.facet = 'version' AND "
    "f.count <> (SELECT count(*) FROM reports r WHERE r.group_id = g.id AND r.version = f.value)))";

static void test_kill_at_random_points(void **state)
{
	fixture *f = *state;
	e2e_server *s = &f->s;
	static worker w[THREADS];
	long long t_start = e2e_now_ms(), expected_total = 0;
	long long acked_all = 0, lost_answer_all = 0, committed_unacked_all = 0;
	int round, i;
	char text[256];

	for (i = 0; i < THREADS; i++) {
		w[i].items = calloc(MAX_SENT, sizeof(sent));
		assert_non_null(w[i].items);
	}
	for (round = 0; round < MAX_ROUNDS; round++) {
		atomic_int stop = 0;
		pthread_t th[THREADS];
		unsigned kill_ms = 50 + rand_below(451);
		long long acked = 0, unanswered = 0, committed_unacked = 0, resent = 0;
		poster pj, pm;
		counter k;
		long long files;
		size_t j;

		if (round >= MIN_ROUNDS && e2e_now_ms() - t_start > BUDGET_MS)
			break;
		for (i = 0; i < THREADS; i++) {
			w[i].s = s;
			w[i].stop = &stop;
			w[i].id = i;
			w[i].n = 0;
			assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
		}
		usleep(kill_ms * 1000u);
		e2e_kill(s);
		atomic_store(&stop, 1);
		for (i = 0; i < THREADS; i++)
			pthread_join(th[i], NULL);
		assert_int_equal(e2e_start_logged(s, flags, f->log), 0);

		/* Every acknowledged report is there exactly once; nothing is there twice. */
		assert_int_equal(counter_open(&k, s), 0);
		for (i = 0; i < THREADS; i++) {
			for (j = 0; j < w[i].n; j++) {
				sent *it = &w[i].items[j];
				long long n = counter_get(&k, it->uuid);

				if (it->status == 200 || it->status == 201) {
					acked++;
					if (n != 1)
						fail_msg(
						    "round %d (kill after %u ms): %s was answered "
						    "%ld but is stored %lld times",
						    round, kill_ms, it->uuid, it->status, n);
				} else {
					if (it->status >= 400 && it->status < 500)
						fail_msg("round %d: %s was refused with %ld", round,
							 it->uuid, it->status);
					unanswered++;
					if (n > 1)
						fail_msg(
						    "round %d: unanswered %s is stored %lld times",
						    round, it->uuid, n);
					committed_unacked += n == 1;
				}
			}
		}
		counter_close(&k);
		assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM (SELECT 1 FROM reports "
						"GROUP BY project_id, uuid HAVING count(*) > 1)"),
				 0);
		assert_int_equal(e2e_sql_text(s, "PRAGMA integrity_check", text, sizeof(text)), 0);
		assert_string_equal(text, "ok");
		assert_int_equal(e2e_sql_int(s, stats_disagree), 0);

		/* What got no answer is sent again, as a client's spool would: stored once. */
		assert_int_equal(poster_open(&pj, s, 0), 0);
		assert_int_equal(poster_open(&pm, s, 1), 0);
		for (i = 0; i < THREADS; i++) {
			for (j = 0; j < w[i].n; j++) {
				sent *it = &w[i].items[j];
				long st;

				if (it->status == 200 || it->status == 201)
					continue;
				st = post(i == THREADS - 1 ? &pm : &pj, it->uuid, i);
				resent++;
				if (st != 200 && st != 201)
					fail_msg("round %d: resending %s: %ld", round, it->uuid,
						 st);
			}
		}
		poster_close(&pj);
		poster_close(&pm);
		assert_int_equal(counter_open(&k, s), 0);
		for (i = 0; i < THREADS; i++) {
			for (j = 0; j < w[i].n; j++) {
				long long n = counter_get(&k, w[i].items[j].uuid);

				if (n != 1)
					fail_msg(
					    "round %d: after resending, %s is stored %lld times",
					    round, w[i].items[j].uuid, n);
			}
			expected_total += (long long)w[i].n;
		}
		counter_close(&k);
		assert_int_equal(e2e_sql_int(s, "SELECT count(*) FROM reports"), expected_total);
		files = check_attachments(s, round);
		fprintf(stderr,
			"round %2d: killed after %3u ms: %4lld answered 2xx, %3lld without answer "
			"(%lld of them committed), %lld resent; %lld attachments whole\n",
			round, kill_ms, acked, unanswered, committed_unacked, resent, files);
		acked_all += acked;
		lost_answer_all += unanswered;
		committed_unacked_all += committed_unacked;
	}
	fprintf(stderr,
		"%d rounds in %lld ms: %lld acknowledged, %lld unanswered (%lld committed before "
		"the kill), all stored exactly once\n",
		round, e2e_now_ms() - t_start, acked_all, lost_answer_all, committed_unacked_all);
	assert_true(round >= MIN_ROUNDS);
	assert_true(acked_all > 0);
	assert_int_equal(e2e_sql_int(s, stats_disagree), 0);
	assert_int_equal(e2e_sql_text(s, "PRAGMA integrity_check", text, sizeof(text)), 0);
	assert_string_equal(text, "ok");
	for (i = 0; i < THREADS; i++)
		free(w[i].items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_kill_at_random_points, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_ALL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
