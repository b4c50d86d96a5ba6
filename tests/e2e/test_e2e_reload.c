/* test_e2e_reload.c - SIGHUP: new limits and certificates while a client keeps its connection; sd_notify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

/* Generous bounds: a loaded machine with sanitizers may be slow; none is a timing assertion. */
#define WAIT_MS 60000

typedef struct fixture {
	e2e_server s;
	char conf[400];
	char log[400];
	char notify[108];
	int notify_fd;
} fixture;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The whole log so far (malloc'd). */
static char *read_log(const fixture *f)
{
	FILE *in = fopen(f->log, "r");
	char *text = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(in);
	assert_non_null(text);
	n = fread(text, 1, (1 << 20) - 1, in);
	text[n] = '\0';
	fclose(in);
	return text;
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (; (text = strstr(text, what)); text++)
		n++;
	return n;
}

/* SIGHUP, then wait until the log says the reload number `nth` ended as `how`. The log. */
static char *reload(fixture *f, int nth, const char *how)
{
	long long deadline = e2e_now_ms() + WAIT_MS;
	char *log;

	assert_int_equal(kill(f->s.pid, SIGHUP), 0);
	for (;;) {
		log = read_log(f);
		if (count(log, "prosumd: reload: done") + count(log, "prosumd: reload: refused") >=
		    nth)
			break;
		free(log);
		assert_true(e2e_now_ms() < deadline);
		usleep(50 * 1000);
	}
	if (!strstr(log, how))
		fail_msg("the log does not say \"%s\":\n%s", how, log);
	return log;
}

/* The next sd_notify message, or "" when none comes in time (no libsystemd). */
static void next_notify(fixture *f, char *out, size_t outsz)
{
	struct pollfd p = {.fd = f->notify_fd, .events = POLLIN};
	ssize_t n;

	out[0] = '\0';
	if (poll(&p, 1, WAIT_MS) != 1)
		return;
	n = recv(f->notify_fd, out, outsz - 1, 0);
	out[n > 0 ? n : 0] = '\0';
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* GET /healthz on a new connection to https://HOST:PORT (reaching the test's server),
 * trusting only `ca_file`: the curl result. */
static CURLcode healthz_as(fixture *f, const char *host, const char *ca_file)
{
	char url[300], to[300];
	struct curl_slist *list;
	CURL *c = curl_easy_init();
	CURLcode cc;

	assert_non_null(c);
	snprintf(url, sizeof(url), "https://%s:%d/healthz", host, f->s.port);
	snprintf(to, sizeof(to), "%s:%d:127.0.0.1:%d", host, f->s.port, f->s.port);
	list = curl_slist_append(NULL, to);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CONNECT_TO, list);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	cc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	curl_slist_free_all(list);
	return cc;
}

/* One request on the kept connection: its status (any answer shows the connection lives). */
static long ask(e2e_tls *t)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	long st = 0;
	char *body = NULL;
	size_t len;

	assert_int_equal(e2e_tls_write(t, req, sizeof(req) - 1), 0);
	assert_int_equal(e2e_tls_response(t, WAIT_MS, &st, &body, &len, NULL, 0), 0);
	free(body);
	return st;
}

/* A CA of another operator (a public CA's stand-in) and a full chain from it for `name`. */
static void other_ca(fixture *f, const char *name)
{
	char ext[500], out[4096];
	const char *d = f->s.dir;

	snprintf(ext, sizeof(ext), "%s/leaf.ext", d);
	snprintf(out, sizeof(out), "subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n", name);
	write_file(ext, out);
	assert_int_equal(
	    e2e_sh(out, sizeof(out),
		   "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
		   "-nodes -keyout other-ca.key -out other-ca.pem -days 30 -subj /CN=other-ca "
		   "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign "
		   ">/dev/null 2>&1 && "
		   "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		   "-keyout privkey.pem -out leaf.csr -subj /CN=%s >/dev/null 2>&1 && "
		   "openssl x509 -req -in leaf.csr -CA other-ca.pem -CAkey other-ca.key "
		   "-CAcreateserial -days 30 -extfile leaf.ext -out leaf.pem >/dev/null 2>&1 && "
		   "cat leaf.pem other-ca.pem > fullchain.pem",
		   d, name),
	    0);
}

static void test_sighup_reloads_limits_and_certificates(void **state)
{
	fixture *f = *state;
	e2e_server *s = &f->s;
	const char *args[] = {"--config", f->conf, NULL};
	char msg[600], text[1200], other[400], out[4096];
	e2e_tls *t;
	char *log;
	int i, refused = 0;

	write_file(f->conf, "# no limit per address yet\nrate-ip = 0\n");
	assert_int_equal(e2e_start_logged(s, args, f->log), 0);
#ifdef PROSUM_SYSTEMD
	next_notify(f, msg, sizeof(msg));
	assert_non_null(strstr(msg, "READY=1"));
	assert_non_null(strstr(msg, "STATUS=listening on https://127.0.0.1:"));
#endif
	/* A client keeps one connection for the whole test. */
	t = e2e_tls_open(s, 0, WAIT_MS);
	assert_non_null(t);
	for (i = 0; i < 20; i++)
		assert_int_equal(ask(t), 200);
	/* The name is not in the certificate yet. */
	assert_int_equal(healthz_as(f, "reload.example.org", s->cacert),
			 CURLE_PEER_FAILED_VERIFICATION);

	/* A renewed certificate with a new name, a limit, and a setting that needs a restart. */
	snprintf(text, sizeof(text), "'%s' cert renew --data '%s' --hostname reload.example.org",
		 PROSUMD_PATH, s->data);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s 2>/dev/null", text), 0);
	assert_non_null(strstr(out, "pin: "));
	write_file(f->conf, "rate-ip = 1\nwrite-queue = 100\nlisten = 127.0.0.1:9\n"
			    "log-level = debug\nlog-format = json\n");
	log = reload(f, 1, "prosumd: reload: done: 3 changes applied, 2 needing a restart");
	/* Levels and formats by their names, as the file writes them. */
	assert_non_null(strstr(log, "prosumd: reload: log-level info -> debug\n"));
	assert_non_null(strstr(log, "prosumd: reload: log-format text -> json needs a restart; "
				    "still text\n"));
	assert_non_null(strstr(log, "prosumd: reload: rate-ip 0 -> 1\n"));
	assert_non_null(strstr(log, "prosumd: reload: write-queue 4096 -> 100 needs a restart; "
				    "still 4096\n"));
	/* The command line's --listen wins over the file's, as at the start: no change. */
	assert_null(strstr(log, "reload: listen"));
	assert_non_null(strstr(log, "prosumd: reload: certificate now CN=reload.example.org"));
	free(log);
#ifdef PROSUM_SYSTEMD
	next_notify(f, msg, sizeof(msg));
	assert_non_null(strstr(msg, "RELOADING=1"));
	next_notify(f, msg, sizeof(msg));
	assert_non_null(strstr(msg, "READY=1"));
#endif
	/* The kept connection goes on; its next requests meet the new limit (4 at once, then one
	 * a second: 30 in a row cannot all pass). */
	for (i = 0; i < 30 && !refused; i++)
		refused = ask(t) == 429;
	assert_true(refused);
	/* A new handshake gets the new certificate. */
	assert_int_equal(healthz_as(f, "reload.example.org", s->cacert), CURLE_OK);

	/* A chain from another CA, as Let's Encrypt's fullchain.pem and privkey.pem. */
	other_ca(f, "other.example.org");
	snprintf(text, sizeof(text),
		 "rate-ip = 1\nlog-level = debug\ncert = %s/fullchain.pem\nkey = %s/privkey.pem\n",
		 s->dir, s->dir);
	write_file(f->conf, text);
	log = reload(f, 2, "prosumd: reload: done: 1 change applied, 0 needing a restart");
	assert_non_null(strstr(log, "prosumd: reload: certificate now CN=other.example.org"));
	free(log);
	snprintf(other, sizeof(other), "%s/other-ca.pem", s->dir);
	assert_int_equal(healthz_as(f, "other.example.org", other), CURLE_OK);
	assert_int_equal(healthz_as(f, "reload.example.org", s->cacert),
			 CURLE_PEER_FAILED_VERIFICATION);
	assert_true(ask(t) > 0); /* still answered on its first session */

	/* A file with a mistake changes nothing, and says where the mistake is. */
	write_file(f->conf, "rate-ip = 0\ncolour = blue\n");
	log = reload(f, 3, "prosumd: reload: refused; nothing changed");
	snprintf(text, sizeof(text), "prosumd: %s:2:1: unknown key 'colour'", f->conf);
	assert_non_null(strstr(log, text));
	free(log);
	assert_int_equal(healthz_as(f, "other.example.org", other), CURLE_OK);
	refused = 0;
	for (i = 0; i < 30 && !refused; i++)
		refused = ask(t) == 429;
	assert_true(refused); /* rate-ip stays 1 */

	e2e_tls_close(t, 0);
	assert_int_equal(e2e_stop(s), 0);
#ifdef PROSUM_SYSTEMD
	/* The second and third reloads' RELOADING=1 and READY=1, then STOPPING=1. */
	for (i = 0; i < 4; i++) {
		next_notify(f, msg, sizeof(msg));
		assert_non_null(strstr(msg, i % 2 ? "READY=1" : "RELOADING=1"));
	}
	next_notify(f, msg, sizeof(msg));
	assert_non_null(strstr(msg, "STOPPING=1"));
#endif
	assert_int_equal(e2e_log_has_sanitizer_report(f->log), 0);
}

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	if (!f)
		return -1;
	snprintf(f->conf, sizeof(f->conf), "%s/prosumd.conf", f->s.dir);
	snprintf(f->log, sizeof(f->log), "%s/server.log", f->s.dir);
	if (strlen(f->s.dir) + 8 > sizeof(a.sun_path)) {
		e2e_fixture_free(f);
		return -1;
	}
	memcpy(f->notify, f->s.dir, strlen(f->s.dir));
	memcpy(f->notify + strlen(f->s.dir), "/notify", 8);
	f->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memcpy(a.sun_path, f->notify, strlen(f->notify) + 1);
	if (f->notify_fd < 0 || bind(f->notify_fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		e2e_fixture_free(f);
		return -1;
	}
	/* The server under test finds the socket as systemd would give it. */
	setenv("NOTIFY_SOCKET", f->notify, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	unsetenv("NOTIFY_SOCKET");
	close(f->notify_fd);
	e2e_fixture_free(f);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sighup_reloads_limits_and_certificates, setup,
					    teardown),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
