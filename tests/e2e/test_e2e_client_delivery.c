/* test_e2e_client_delivery.c - libprosum's delivery promises against a real prosumd: offline,
 * paced, killed, pinned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <mbedtls/base64.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "prosum.h"

#ifndef SPOOL_SENDER_PATH
#error "SPOOL_SENDER_PATH must name the spool_sender helper"
#endif

typedef struct fixture {
	e2e_server s;
	char spool[320];
} fixture;

/* What the delivery callback saw. It runs in the sender's thread. */
typedef struct seen {
	atomic_int delivered; /* 201: stored now */
	atomic_int duplicate; /* 200: the server had it already */
	atomic_int refused;
} seen;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 1);

	if (!f)
		return -1;
	snprintf(f->spool, sizeof(f->spool), "%s/spool", f->s.dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

static void on_delivery(const prosum_result *res, void *payload)
{
	seen *s = payload;

	if (res->status == 201)
		atomic_fetch_add(&s->delivered, 1);
	else if (res->status == 200)
		atomic_fetch_add(&s->duplicate, 1);
	else
		atomic_fetch_add(&s->refused, 1);
}

/* A client of the test's spool; `s` (may be NULL) counts the answers. */
static prosum_client *open_client(fixture *f, const char *spool, unsigned int flags, seen *s)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;

	o.ca_file = f->s.cacert;
	o.spool_dir = spool;
	/* No session: these tests count the reports delivered and the requests a rate limit
	 * lets through, which a session per client (the default) would add to. */
	o.flags = flags | PROSUM_NO_ENV | PROSUM_NO_SESSIONS;
	o.app_version = "1.0";
	o.on_delivery = s ? on_delivery : NULL;
	o.on_delivery_payload = s;
	if (prosum_client_new(&c, f->s.dsn, &o) != 0) {
		fprintf(stderr, "prosum_client_new: %s\n", prosum_error_last());
		return NULL;
	}
	return c;
}

/* Queue `n` bug reports titled "PREFIX i". */
static void submit_many(prosum_client *c, const char *prefix, int n)
{
	for (int i = 0; i < n; i++) {
		prosum_report *r = NULL;
		char title[64];
		snprintf(title, sizeof(title), "%s %d", prefix, i);
		assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
		assert_int_equal(prosum_report_set_title(r, title), 0);
		assert_int_equal(prosum_submit(c, r), 0);
		prosum_report_free(r);
	}
}

/* How many reports the server holds with titles "PREFIX ...", counted three ways. */
static void assert_stored_once(fixture *f, const char *prefix, long long n)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM reports WHERE title LIKE '%s %%'", prefix);
	assert_int_equal(e2e_sql_int(&f->s, sql), n);
	snprintf(sql, sizeof(sql),
		 "SELECT count(DISTINCT uuid) FROM reports WHERE title LIKE '%s %%'", prefix);
	assert_int_equal(e2e_sql_int(&f->s, sql), n);
	snprintf(sql, sizeof(sql),
		 "SELECT count(DISTINCT title) FROM reports WHERE title LIKE '%s %%'", prefix);
	assert_int_equal(e2e_sql_int(&f->s, sql), n);
}

/*
 * The server is down while a beta build queues 100 reports; it comes back
 * on the same address and one flush delivers each report exactly once.
 */
static void test_offline_then_flush(void **state)
{
	fixture *f = *state;
	prosum_stats st = PROSUM_STATS_INIT;
	prosum_client *c;
	seen s;
	char listen[64];
	const char *args[] = {"--listen", listen, NULL};
	int port = f->s.port;

	memset(&s, 0, sizeof(s));
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	assert_int_equal(e2e_stop(&f->s), 0);
	c = open_client(f, f->spool, 0, &s);
	assert_non_null(c);
	submit_many(c, "offline", 100);
	assert_int_equal(prosum_client_stats(&st, c), 0);
	assert_int_equal(st.queued, 100);
	assert_int_equal(st.pending, 100);
	/* Nobody listens: the flush says so and keeps everything. */
	assert_int_equal(prosum_flush(c, 5000), PROSUM_ENETWORK);
	assert_int_equal(e2e_count_files(f->spool, ".report"), 100);

	assert_int_equal(e2e_start(&f->s, args), 0);
	assert_int_equal(f->s.port, port);
	assert_int_equal(prosum_flush(c, 120000), 0);
	assert_int_equal(prosum_client_stats(&st, c), 0);
	assert_int_equal(st.sent, 100);
	assert_int_equal(st.refused, 0);
	assert_int_equal(st.pending, 0);
	assert_int_equal(atomic_load(&s.delivered), 100);
	assert_int_equal(atomic_load(&s.duplicate), 0); /* nothing was sent twice */
	prosum_close(c);
	assert_int_equal(e2e_count_files(f->spool, ".report"), 0);
	assert_stored_once(f, "offline", 100);
}

/*
 * Spend this address's allowance (--rate-ip 1: a burst, then one request a
 * second) until the server answers 429. The monotonic time of that answer,
 * or -1.
 */
static long long exhaust_rate(fixture *f)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	e2e_tls *t = e2e_tls_open(&f->s, 0, 10000);
	long long at = -1;

	for (int i = 0; t && i < 5000; i++) {
		char head[2048];
		char *body = NULL;
		size_t len = 0;
		long status = 0;

		if (e2e_tls_write(t, req, sizeof(req) - 1) != 0 ||
		    e2e_tls_response(t, 10000, &status, &body, &len, head, sizeof(head)) != 0)
			break;
		free(body);
		if (status == 429) {
			at = e2e_now_ms();
			if (!strstr(head, "Retry-After: ") && !strstr(head, "retry-after: "))
				at = -1;
			break;
		}
	}
	e2e_tls_close(t, 0);
	return at;
}

/*
 * 429 with Retry-After: each flush stops at the refusal, the next one waits
 * as long as the server asked, and in the end everything is delivered
 * once. With the background sender and without it.
 */
static void test_retry_after(void **state)
{
	fixture *f = *state;
	const char *args[] = {"--rate-ip", "1", NULL};
	static const struct {
		const char *prefix;
		unsigned int flags;
	} modes[] = {{"paced-thread", 0}, {"paced-inline", PROSUM_NO_SENDER}};

	assert_int_equal(e2e_stop(&f->s), 0);
	assert_int_equal(e2e_start(&f->s, args), 0);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		char spool[400];
		prosum_client *c;
		seen s;
		long long refused_at;
		int busy = 0, rc;

		memset(&s, 0, sizeof(s));
		snprintf(spool, sizeof(spool), "%s/%s", f->s.dir, modes[m].prefix);
		/* Queue first, without a sender running yet, so the burst cannot hide the wait. */
		c = open_client(f, spool, PROSUM_NO_SENDER, NULL);
		assert_non_null(c);
		submit_many(c, modes[m].prefix, 3);
		prosum_close(c);

		refused_at = exhaust_rate(f);
		assert_true(refused_at > 0);
		c = open_client(f, spool, modes[m].flags, &s);
		assert_non_null(c);
		for (;;) {
			rc = prosum_flush(c, 30000);
			if (rc == 0)
				break;
			assert_int_equal(rc, PROSUM_EBUSY);
			/* A sender that did not wait would be refused again and again. */
			assert_true(++busy <= 6);
		}
		/* Three reports at one a second from an empty allowance: two waits at least. */
		assert_true(e2e_now_ms() - refused_at >= 1900);
		assert_int_equal(atomic_load(&s.delivered), 3);
		assert_int_equal(atomic_load(&s.duplicate), 0);
		prosum_close(c);
		assert_int_equal(e2e_count_files(spool, ".report"), 0);
		assert_stored_once(f, modes[m].prefix, 3);
	}

	/* The command waits as it is asked to as well. */
	{
		char spool[400], out[1024];
		prosum_client *c;

		snprintf(spool, sizeof(spool), "%s/paced-cli", f->s.dir);
		c = open_client(f, spool, PROSUM_NO_SENDER, NULL);
		assert_non_null(c);
		submit_many(c, "paced-cli", 3);
		prosum_close(c);
		assert_true(exhaust_rate(f) > 0);
		assert_int_equal(
		    e2e_sh(out, sizeof(out),
			   "PROSUM_SPOOL='%s' PROSUM_CACERT='%s' PROSUM_DSN='%s' '%s' flush", spool,
			   f->s.cacert, f->s.dsn, PROSUM_CLI_PATH),
		    0);
		/* One line per delivered report, then the count. */
		assert_int_equal(strncmp(out, "R-", 2), 0);
		assert_non_null(strstr(out, ")\nsent 3, refused 0\n"));
		assert_stored_once(f, "paced-cli", 3);
	}
}

static pid_t start_sender(fixture *f)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(SPOOL_SENDER_PATH, "spool_sender", f->s.dsn, f->spool, f->s.cacert, "120000",
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * A process flushing the spool is killed with SIGKILL in the middle, more
 * than once; a last run finishes the job. Nothing is lost and nothing is
 * stored twice, whatever was in flight when the process died.
 */
static void test_killed_mid_flush(void **state)
{
	fixture *f = *state;
	const char *count = "SELECT count(*) FROM reports WHERE title LIKE 'killed %'";
	prosum_client *c;
	char out[256];
	int killed = 0, total = 150;

	c = open_client(f, f->spool, PROSUM_NO_SENDER, NULL);
	assert_non_null(c);
	submit_many(c, "killed", total);
	prosum_close(c);

	for (int round = 0; round < 3; round++) {
		long long before = e2e_sql_int(&f->s, count), start = e2e_now_ms();
		int st = 0;
		pid_t pid;

		if (before >= total)
			break;
		pid = start_sender(f);
		assert_true(pid > 0);
		/* At least ~50 ms, and until a few more reports are in: the flush is under way. */
		for (;;) {
			long long now = e2e_now_ms(), n = e2e_sql_int(&f->s, count);
			if (now - start >= 50 && (n >= before + 5 || n >= total))
				break;
			if (now - start > 60000)
				break;
			usleep(2000);
		}
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
			killed++;
			/* Killed mid-flush: part delivered, part still queued. */
			if (round == 0) {
				assert_true(e2e_sql_int(&f->s, count) > before);
				assert_true(e2e_count_files(f->spool, ".report") > 0);
			}
		}
	}
	assert_true(killed >= 1);
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' '%s' '%s' '%s' 120000", SPOOL_SENDER_PATH,
				f->s.dsn, f->spool, f->s.cacert),
			 0);
	assert_string_equal(out, "flushed\n");
	assert_int_equal(e2e_count_files(f->spool, ".report"), 0);
	assert_stored_once(f, "killed", total);
}

/* Send one new report; the result of prosum_send. */
static int send_one(prosum_client *c, const char *title)
{
	prosum_result res = PROSUM_RESULT_INIT;
	prosum_report *r = NULL;
	int rc;

	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, title), 0);
	rc = prosum_send(&res, c, r);
	if (rc == 0)
		assert_int_equal(res.status, 201);
	prosum_result_dispose(&res);
	prosum_report_free(r);
	return rc;
}

/* A client on the test's spool with these trust settings, reading the environment. */
static prosum_client *trusting(fixture *f, const char *ca_file, const char *pin, unsigned flags)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;

	o.ca_file = ca_file;
	o.pinned_pubkey = pin;
	o.spool_dir = f->spool;
	o.flags = PROSUM_NO_SENDER | flags;
	o.app_version = "1.0";
	if (prosum_client_new(&c, f->s.dsn, &o) != 0)
		return NULL;
	return c;
}

/* The right pin authenticates the self-signed server alone; a wrong one fails the handshake. */
static void test_pinning(void **state)
{
	fixture *f = *state;
	const char *wrong = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	char pin[128];
	prosum_client *c;

	e2e_server_pin(&f->s, pin, sizeof(pin));
	unsetenv("PROSUM_CACERT");

	/* From the environment, PROSUM_PIN, with no CA at all. */
	setenv("PROSUM_PIN", pin, 1);
	c = trusting(f, NULL, NULL, 0);
	assert_non_null(c);
	assert_int_equal(send_one(c, "pinned by env"), 0);
	prosum_close(c);
	setenv("PROSUM_PIN", wrong, 1);
	c = trusting(f, NULL, NULL, 0);
	assert_non_null(c);
	assert_int_equal(send_one(c, "wrong pin by env"), PROSUM_ETLS);
	assert_non_null(strstr(prosum_error_last(), "TLS failed"));
	prosum_close(c);
	/* A malformed pin is refused when the client is made, not at every handshake. */
	setenv("PROSUM_PIN", "md5//abc", 1);
	assert_null(trusting(f, NULL, NULL, 0));
	assert_non_null(strstr(prosum_error_last(), "sha256//BASE64"));
	/* PROSUM_NO_ENV: the pin in the environment is not used, and nothing vouches. */
	setenv("PROSUM_PIN", pin, 1);
	c = trusting(f, NULL, NULL, PROSUM_NO_ENV);
	assert_non_null(c);
	assert_int_equal(send_one(c, "no env"), PROSUM_ETLS);
	prosum_close(c);
	unsetenv("PROSUM_PIN");

	/* With a CA file too, both must hold. */
	c = trusting(f, f->s.cacert, pin, PROSUM_NO_ENV);
	assert_non_null(c);
	assert_int_equal(send_one(c, "ca and pin"), 0);
	prosum_close(c);
	c = trusting(f, f->s.cacert, wrong, PROSUM_NO_ENV);
	assert_non_null(c);
	assert_int_equal(send_one(c, "ca and wrong pin"), PROSUM_ETLS);
	prosum_close(c);
	/* Two pins, the right one second: a key rotation. */
	{
		char both[300];
		snprintf(both, sizeof(both), "%s;%s", wrong, pin);
		c = trusting(f, NULL, both, PROSUM_NO_ENV);
		assert_non_null(c);
		assert_int_equal(send_one(c, "rotated pin"), 0);
		prosum_close(c);
	}
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE title IN "
					    "('pinned by env', 'ca and pin', 'rotated pin')"),
			 3);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_offline_then_flush, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retry_after, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_killed_mid_flush, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pinning, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
