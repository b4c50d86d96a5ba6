/* harness.c - end-to-end test support: a real prosumd on port 0, a temporary data dir, a git repo, clients. */
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PROSUMD_PATH
#error "PROSUMD_PATH must name the prosumd binary"
#endif

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int e2e_sh(char *out, size_t outsz, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	FILE *p;
	size_t n = 0;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && outsz) {
		n = fread(out, 1, outsz - 1, p);
		out[n] = '\0';
	} else {
		char sink[4096];
		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The value after "prefix" on its own line of `text`. */
static int line_value(const char *text, const char *prefix, char *out, size_t outsz)
{
	const char *p = strstr(text, prefix);
	size_t n;

	if (!p)
		return -1;
	p += strlen(prefix);
	n = strcspn(p, "\r\n");
	if (n >= outsz)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int e2e_prosumd_secret(e2e_server *s, const char *args, char *out, size_t outsz)
{
	char buf[1024];

	if (e2e_sh(buf, sizeof(buf), "'%s' %s --data '%s'", PROSUMD_PATH, args, s->data) != 0)
		return -1;
	if (line_value(buf, "token: ", out, outsz) == 0 || line_value(buf, "key: ", out, outsz) == 0 ||
	    line_value(buf, "link: ", out, outsz) == 0)
		return 0;
	return -1;
}

int e2e_setup(e2e_server *s)
{
	char out[4096];
	char tmpl[] = "/tmp/prosum-e2e-XXXXXX";

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->out_fd = -1;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(s->dir, sizeof(s->dir), "%s", tmpl);
	snprintf(s->data, sizeof(s->data), "%s/data", s->dir);
	snprintf(s->repo, sizeof(s->repo), "%s/repo", s->dir);
	snprintf(s->cacert, sizeof(s->cacert), "%s/tls/ca.pem", s->data);
	snprintf(s->cert, sizeof(s->cert), "%s/tls/cert.pem", s->data);
	snprintf(s->db, sizeof(s->db), "%s/prosum.db", s->data);
	if (e2e_sh(NULL, 0,
		   "set -e; git init -q -b main '%s'; cd '%s'; "
		   "git config user.name 'Ada Tester'; git config user.email ada@example.org; "
		   "printf 'int main(void)\\n{\\n\\treturn 0;\\n}\\n' > main.c; git add main.c; "
		   "git commit -q -m 'Initial commit'",
		   s->repo, s->repo) != 0)
		return -1;
	if (e2e_sh(out, sizeof(out), "'%s' init --data '%s'", PROSUMD_PATH, s->data) != 0 ||
	    line_value(out, "token: ", s->token, sizeof(s->token)) < 0 ||
	    line_value(out, "pin: ", s->pin, sizeof(s->pin)) < 0)
		return -1;
	if (e2e_sh(out, sizeof(out), "'%s' project add demo --repo '%s' --data '%s'", PROSUMD_PATH,
		   s->repo, s->data) != 0 ||
	    line_value(out, "key: ", s->key, sizeof(s->key)) < 0)
		return -1;
	return 0;
}

int e2e_start(e2e_server *s, const char *const *extra_args)
{
	const char *argv[32];
	char line[512];
	size_t n = 0, argc = 0;
	int pfd[2];
	long long deadline;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	argv[argc++] = PROSUMD_PATH;
	argv[argc++] = "serve";
	argv[argc++] = "--data";
	argv[argc++] = s->data;
	argv[argc++] = "--listen";
	argv[argc++] = "127.0.0.1:0";
	argv[argc++] = "--threads";
	argv[argc++] = "2";
	for (; extra_args && *extra_args && argc < 30; extra_args++)
		argv[argc++] = *extra_args;
	argv[argc] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pfd[1], 1);
		execv(PROSUMD_PATH, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	s->pid = pid;
	s->out_fd = pfd[0];
	/* Wait for the one line that says the server accepts connections. */
	deadline = now_ms() + 30000;
	while (now_ms() < deadline && n < sizeof(line) - 1) {
		struct pollfd p = {.fd = s->out_fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 200) <= 0)
			continue;
		r = read(s->out_fd, line + n, 1);
		if (r <= 0)
			break;
		if (line[n] == '\n') {
			line[n] = '\0';
			if (strncmp(line, "listening on https://127.0.0.1:", 31) == 0) {
				s->port = (int)strtol(line + 31, NULL, 10);
				snprintf(s->url, sizeof(s->url), "https://127.0.0.1:%d", s->port);
				snprintf(s->dsn, sizeof(s->dsn), "https://%s@127.0.0.1:%d/demo",
					 s->key, s->port);
				return s->port > 0 ? 0 : -1;
			}
			n = 0;
			continue;
		}
		n++;
	}
	e2e_kill(s);
	return -1;
}

static int reap(e2e_server *s, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int st;

	while (now_ms() < deadline) {
		pid_t r = waitpid(s->pid, &st, WNOHANG);
		if (r == s->pid) {
			s->pid = -1;
			if (s->out_fd >= 0)
				close(s->out_fd);
			s->out_fd = -1;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(10000);
	}
	return -1;
}

int e2e_stop(e2e_server *s)
{
	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	return reap(s, 30000);
}

void e2e_kill(e2e_server *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGKILL);
	reap(s, 30000);
}

void e2e_destroy(e2e_server *s)
{
	if (s->pid > 0)
		e2e_stop(s);
	if (s->dir[0] && strncmp(s->dir, "/tmp/prosum-e2e-", 16) == 0)
		e2e_sh(NULL, 0, "rm -rf '%s'", s->dir);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	e2e_response *r = ud;
	size_t len = size * n;
	char *nb = realloc(r->body, r->len + len + 1);

	if (!nb)
		return 0;
	memcpy(nb + r->len, p, len);
	r->len += len;
	nb[r->len] = '\0';
	r->body = nb;
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	e2e_response *r = ud;
	size_t len = size * n, k;

	if (len > 13 && strncasecmp(p, "Retry-After: ", 13) == 0) {
		k = strcspn(p + 13, "\r\n");
		if (k < sizeof(r->retry_after)) {
			memcpy(r->retry_after, p + 13, k);
			r->retry_after[k] = '\0';
		}
	}
	if (len > 12 && strncasecmp(p, "Set-Cookie: ", 12) == 0 && !r->set_cookie[0]) {
		k = strcspn(p + 12, "\r\n");
		if (k < sizeof(r->set_cookie)) {
			memcpy(r->set_cookie, p + 12, k);
			r->set_cookie[k] = '\0';
		}
	}
	if (len > 14 && strncasecmp(p, "Content-Type: ", 14) == 0) {
		k = strcspn(p + 14, "\r\n");
		if (k < sizeof(r->content_type)) {
			memcpy(r->content_type, p + 14, k);
			r->content_type[k] = '\0';
		}
	}
	return len;
}

int e2e_request(e2e_server *s, const char *method, const char *path, const char *const *headers,
		const char *body, size_t len, e2e_response *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[1024];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (!c)
		return -1;
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, s->cacert);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		fprintf(stderr, "e2e: %s %s: %s\n", method, path, curl_easy_strerror(rc));
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	if (!r->body) {
		r->body = calloc(1, 1);
	}
	return rc == CURLE_OK ? 0 : -1;
}

void e2e_response_free(e2e_response *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

int e2e_post_report(e2e_server *s, const char *json, e2e_response *r)
{
	char key[200];
	const char *h[] = {key, "Content-Type: application/json", NULL};

	snprintf(key, sizeof(key), "X-Prosum-Key: %s", s->key);
	return e2e_request(s, "POST", "/api/v1/projects/demo/reports", h, json, strlen(json), r);
}

int e2e_post_multipart(e2e_server *s, const char *json, const e2e_file *files, size_t n,
		       e2e_response *r)
{
	CURL *c = curl_easy_init();
	curl_mime *mime;
	curl_mimepart *part;
	struct curl_slist *hl = NULL;
	char url[512], key[200];
	CURLcode rc;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!c)
		return -1;
	snprintf(url, sizeof(url), "%s/api/v1/projects/demo/reports", s->url);
	snprintf(key, sizeof(key), "X-Prosum-Key: %s", s->key);
	hl = curl_slist_append(hl, key);
	hl = curl_slist_append(hl, "Expect:");
	mime = curl_mime_init(c);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "report");
	curl_mime_data(part, json, strlen(json));
	curl_mime_type(part, "application/json");
	for (i = 0; i < n; i++) {
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "attachment");
		curl_mime_data(part, files[i].data, files[i].len);
		curl_mime_filename(part, files[i].name);
		curl_mime_type(part, "application/octet-stream");
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, s->cacert);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_mime_free(mime);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	if (!r->body)
		r->body = calloc(1, 1);
	return rc == CURLE_OK ? 0 : -1;
}

int e2e_get(e2e_server *s, const char *path, e2e_response *r)
{
	char auth[200];
	const char *h[] = {auth, NULL};

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s->token);
	return e2e_request(s, "GET", path, h, NULL, 0, r);
}

int e2e_tcp_connect(e2e_server *s)
{
	struct sockaddr_in a = {0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)s->port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int e2e_wait_closed(int fd, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char b[4096];

	while (now_ms() < deadline) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, b, sizeof(b));
		if (n <= 0)
			return 1;
	}
	return 0;
}

ssize_t e2e_tls_exchange(e2e_server *s, const void *data, size_t len, char *out, size_t outsz,
			 int timeout_ms)
{
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	char port[16];
	size_t got = 0, off = 0;
	long long deadline = now_ms() + timeout_ms;
	ssize_t result = -1;
	int rc;

	mbedtls_net_init(&net);
	mbedtls_ssl_init(&ssl);
	mbedtls_ssl_config_init(&conf);
	mbedtls_x509_crt_init(&ca);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	snprintf(port, sizeof(port), "%d", s->port);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0 ||
	    mbedtls_x509_crt_parse_file(&ca, s->cacert) != 0 ||
	    mbedtls_net_connect(&net, "127.0.0.1", port, MBEDTLS_NET_PROTO_TCP) != 0 ||
	    mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
					MBEDTLS_SSL_PRESET_DEFAULT) != 0)
		goto out;
	mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
	mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_read_timeout(&conf, 100);
	/* mbedTLS 2.28 matches dNSName entries only; 127.0.0.1 is an iPAddress entry. */
	if (mbedtls_ssl_setup(&ssl, &conf) != 0 || mbedtls_ssl_set_hostname(&ssl, "localhost") != 0)
		goto out;
	mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
	while ((rc = mbedtls_ssl_handshake(&ssl)) != 0) {
		if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE &&
		    rc != MBEDTLS_ERR_SSL_TIMEOUT)
			goto out;
		if (now_ms() > deadline)
			goto out;
	}
	while (off < len) {
		rc = mbedtls_ssl_write(&ssl, (const unsigned char *)data + off, len - off);
		if (rc > 0)
			off += (size_t)rc;
		else if (rc != MBEDTLS_ERR_SSL_WANT_WRITE && rc != MBEDTLS_ERR_SSL_WANT_READ)
			break; /* the server may close before taking everything: read its answer */
	}
	while (got + 1 < outsz && now_ms() < deadline) {
		rc = mbedtls_ssl_read(&ssl, (unsigned char *)out + got, outsz - 1 - got);
		if (rc > 0)
			got += (size_t)rc;
		else if (rc == MBEDTLS_ERR_SSL_TIMEOUT || rc == MBEDTLS_ERR_SSL_WANT_READ)
			continue;
		else
			break;
	}
	out[got] = '\0';
	result = (ssize_t)got;
out:
	mbedtls_ssl_free(&ssl);
	mbedtls_ssl_config_free(&conf);
	mbedtls_x509_crt_free(&ca);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	mbedtls_net_free(&net);
	return result;
}

int e2e_count_files(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t sl = strlen(suffix);
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

long long e2e_sql_int(e2e_server *s, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

void e2e_uuid(char out[37])
{
	unsigned char r[16];
	static const char hex[] = "0123456789abcdef";
	int i, j = 0;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		abort();
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[r[i] >> 4];
		out[j++] = hex[r[i] & 15];
	}
	out[j] = '\0';
}

/* ---- Raw TLS connections, server logs and database digests (abuse and crash tests) ---- */

#include <mbedtls/sha256.h>

long long e2e_now_ms(void)
{
	return now_ms();
}

int e2e_start_logged(e2e_server *s, const char *const *extra_args, const char *log_path)
{
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int saved, rc;

	if (fd < 0)
		return -1;
	saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (saved < 0) {
		close(fd);
		return -1;
	}
	/* The child inherits fd 2 as it is at fork time: the log (dup2 drops CLOEXEC). */
	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	rc = e2e_start(s, extra_args);
	dup2(saved, 2);
	close(saved);
	return rc;
}

int e2e_log_has_sanitizer_report(const char *log_path)
{
	static const char *const marks[] = {"AddressSanitizer", "LeakSanitizer",
					    "runtime error:",   "UndefinedBehaviorSanitizer",
					    "ThreadSanitizer",  NULL};
	FILE *f = fopen(log_path, "r");
	char *text = NULL;
	size_t n = 0, cap = 0;
	int found = 0, i;

	if (!f)
		return -1;
	for (;;) {
		size_t r;

		if (cap - n < 4096) {
			char *nt;

			if (cap >= 64 * 1024 * 1024)
				break;
			nt = realloc(text, cap + 65536);
			if (!nt)
				break;
			text = nt;
			cap += 65536;
		}
		r = fread(text + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	if (!text)
		return 0;
	text[n] = '\0';
	for (i = 0; marks[i]; i++)
		if (strstr(text, marks[i]))
			found = 1;
	if (found)
		fprintf(stderr, "---- server stderr (%s) ----\n%s\n---- end ----\n", log_path,
			text);
	free(text);
	return found;
}

struct e2e_tls {
	int fd;
	int throttle_ms;
	long long throttle_until; /* monotonic ms */
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	char *buf; /* plaintext read but not yet taken by e2e_tls_response() */
	size_t len, cap;
	int no_content; /* the next answer is to HEAD: a head alone */
};

static int tls_send_cb(void *ctx, const unsigned char *p, size_t n)
{
	e2e_tls *t = ctx;
	ssize_t w = send(t->fd, p, n, MSG_NOSIGNAL);

	if (w >= 0)
		return (int)w;
	if (errno == EAGAIN || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	return errno == EPIPE || errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET
						     : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int tls_recv_cb(void *ctx, unsigned char *p, size_t n, uint32_t timeout_ms)
{
	e2e_tls *t = ctx;
	struct pollfd pf = {.fd = t->fd, .events = POLLIN};
	ssize_t r;
	int pr;

	if (t->throttle_ms > 0 && now_ms() < t->throttle_until) {
		struct timespec ts = {t->throttle_ms / 1000,
				      (long)(t->throttle_ms % 1000) * 1000000L};

		nanosleep(&ts, NULL);
		n = 1;
	}
	pr = poll(&pf, 1, timeout_ms ? (int)timeout_ms : -1);
	if (pr == 0)
		return MBEDTLS_ERR_SSL_TIMEOUT;
	if (pr < 0)
		return errno == EINTR ? MBEDTLS_ERR_SSL_WANT_READ : MBEDTLS_ERR_NET_RECV_FAILED;
	r = recv(t->fd, p, n, 0);
	if (r >= 0)
		return (int)r;
	if (errno == EAGAIN || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
}

void e2e_tls_close(e2e_tls *t, int abrupt)
{
	if (!t)
		return;
	if (!abrupt && t->fd >= 0)
		mbedtls_ssl_close_notify(&t->ssl);
	mbedtls_ssl_free(&t->ssl);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_x509_crt_free(&t->ca);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->ent);
	if (t->fd >= 0)
		close(t->fd);
	free(t->buf);
	free(t);
}

e2e_tls *e2e_tls_open(e2e_server *s, int rcvbuf, int timeout_ms)
{
	e2e_tls *t = calloc(1, sizeof(*t));
	struct sockaddr_in a = {0};
	long long deadline = now_ms() + timeout_ms;
	int rc;

	if (!t)
		return NULL;
	mbedtls_ssl_init(&t->ssl);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_entropy_init(&t->ent);
	mbedtls_ctr_drbg_init(&t->drbg);
	t->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		goto fail;
	if (rcvbuf > 0)
		setsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)s->port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(t->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto fail;
	if (mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->ent, NULL, 0) != 0 ||
	    mbedtls_x509_crt_parse_file(&t->ca, s->cacert) != 0 ||
	    mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
					MBEDTLS_SSL_TRANSPORT_STREAM,
					MBEDTLS_SSL_PRESET_DEFAULT) != 0)
		goto fail;
	mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	mbedtls_ssl_conf_read_timeout(&t->conf, 100);
	if (mbedtls_ssl_setup(&t->ssl, &t->conf) != 0 ||
	    mbedtls_ssl_set_hostname(&t->ssl, "localhost") != 0)
		goto fail;
	mbedtls_ssl_set_bio(&t->ssl, t, tls_send_cb, NULL, tls_recv_cb);
	while ((rc = mbedtls_ssl_handshake(&t->ssl)) != 0) {
		if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE &&
		    rc != MBEDTLS_ERR_SSL_TIMEOUT)
			goto fail;
		if (now_ms() > deadline)
			goto fail;
	}
	return t;
fail:
	e2e_tls_close(t, 1);
	return NULL;
}

int e2e_tls_fd(const e2e_tls *t)
{
	return t->fd;
}

void e2e_tls_throttle(e2e_tls *t, int delay_ms, int for_ms)
{
	t->throttle_ms = delay_ms;
	t->throttle_until = now_ms() + for_ms;
}

int e2e_tls_write(e2e_tls *t, const void *data, size_t len)
{
	size_t off = 0;
	int rc;

	while (off < len) {
		rc = mbedtls_ssl_write(&t->ssl, (const unsigned char *)data + off, len - off);
		if (rc > 0)
			off += (size_t)rc;
		else if (rc != MBEDTLS_ERR_SSL_WANT_WRITE && rc != MBEDTLS_ERR_SSL_WANT_READ)
			return -1;
	}
	return 0;
}

/* The value of header `name` in head[0..n) (case-insensitive), or NULL; *vlen its length. */
static const char *head_value(const char *head, size_t n, const char *name, size_t *vlen)
{
	size_t nl = strlen(name), pos = 0;

	while (pos < n) {
		const char *eol = memmem(head + pos, n - pos, "\r\n", 2);
		size_t ll = eol ? (size_t)(eol - (head + pos)) : n - pos;

		if (ll > nl + 1 && strncasecmp(head + pos, name, nl) == 0 &&
		    head[pos + nl] == ':') {
			const char *v = head + pos + nl + 1;
			size_t k = ll - nl - 1;

			while (k && (*v == ' ' || *v == '\t')) {
				v++;
				k--;
			}
			*vlen = k;
			return v;
		}
		pos += ll + 2;
	}
	return NULL;
}

/*
 * One whole answer at the front of p[0..n)? 1 and *used (its bytes) with the
 * outputs filled, 0 not yet complete, -1 malformed.
 */
static int parse_answer(const char *p, size_t n, long *status, char **body, size_t *len, char *head,
			size_t headsz, size_t *used)
{
	const char *end = memmem(p, n, "\r\n\r\n", 4), *v;
	size_t hl, vlen, pos;
	char *out = NULL;
	size_t olen = 0;

	if (!end)
		return 0;
	hl = (size_t)(end - p) + 4;
	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0)
		return -1;
	*status = strtol(p + 9, NULL, 10);
	if (*status >= 100 && *status < 200) { /* 100 Continue: skip it */
		int rc = parse_answer(p + hl, n - hl, status, body, len, head, headsz, used);

		if (rc > 0)
			*used += hl;
		return rc;
	}
	if (head && headsz) {
		size_t k = hl < headsz ? hl : headsz - 1;

		memcpy(head, p, k);
		head[k] = '\0';
	}
	v = head_value(p, hl, "Transfer-Encoding", &vlen);
	if (v && vlen >= 7 && strncasecmp(v, "chunked", 7) == 0) {
		pos = hl;
		out = malloc(n + 1);
		if (!out)
			return -1;
		for (;;) {
			const char *eol = memmem(p + pos, n - pos, "\r\n", 2);
			unsigned long long sz;

			if (!eol) {
				free(out);
				return 0;
			}
			sz = strtoull(p + pos, NULL, 16);
			pos = (size_t)(eol - p) + 2;
			if (sz == 0) {
				if (n - pos < 2) {
					free(out);
					return 0;
				}
				pos += 2;
				break;
			}
			if (sz > n || n - pos < sz + 2) {
				free(out);
				return 0;
			}
			memcpy(out + olen, p + pos, (size_t)sz);
			olen += (size_t)sz;
			pos += (size_t)sz + 2;
		}
	} else {
		unsigned long long cl = 0;

		v = head_value(p, hl, "Content-Length", &vlen);
		if (v)
			cl = strtoull(v, NULL, 10);
		if (cl > n || n - hl < cl)
			return 0;
		out = malloc((size_t)cl + 1);
		if (!out)
			return -1;
		memcpy(out, p + hl, (size_t)cl);
		olen = (size_t)cl;
		pos = hl + (size_t)cl;
	}
	out[olen] = '\0';
	*body = out;
	*len = olen;
	*used = pos;
	return 1;
}

void e2e_tls_expect_no_content(e2e_tls *t)
{
	t->no_content = 1;
}

int e2e_tls_response(e2e_tls *t, int timeout_ms, long *status, char **body, size_t *len, char *head,
		     size_t headsz)
{
	long long deadline = now_ms() + timeout_ms;
	size_t used = 0;
	int rc;

	*body = NULL;
	*len = 0;
	*status = 0;
	for (;;) {
		if (t->no_content && t->len) {
			/* RFC 9110 9.3.2: whatever Content-Length says, nothing follows the head. */
			const char *end = memmem(t->buf, t->len, "\r\n\r\n", 4);

			rc = 0;
			if (end) {
				used = (size_t)(end - t->buf) + 4;
				*body = calloc(1, 1);
				if (!*body || used < 12 || memcmp(t->buf, "HTTP/1.", 7) != 0)
					return -1;
				*status = strtol(t->buf + 9, NULL, 10);
				if (head && headsz) {
					size_t k = used < headsz ? used : headsz - 1;

					memcpy(head, t->buf, k);
					head[k] = '\0';
				}
				t->no_content = 0;
				rc = 1;
			}
		} else {
			rc = t->len ? parse_answer(t->buf, t->len, status, body, len, head, headsz,
						   &used)
				    : 0;
		}
		if (rc > 0) {
			memmove(t->buf, t->buf + used, t->len - used);
			t->len -= used;
			return 0;
		}
		if (rc < 0 || now_ms() > deadline)
			return -1;
		if (t->cap - t->len < 16385) {
			char *nb = realloc(t->buf, t->cap + 65536);

			if (!nb)
				return -1;
			t->buf = nb;
			t->cap += 65536;
		}
		rc = mbedtls_ssl_read(&t->ssl, (unsigned char *)t->buf + t->len,
				      t->cap - t->len - 1);
		if (rc > 0)
			t->len += (size_t)rc;
		else if (rc != MBEDTLS_ERR_SSL_TIMEOUT && rc != MBEDTLS_ERR_SSL_WANT_READ &&
			 rc != MBEDTLS_ERR_SSL_WANT_WRITE)
			return -1;
	}
}

int e2e_sql_text(e2e_server *s, const char *sql, char *out, size_t outsz)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);

		snprintf(out, outsz, "%s", v ? (const char *)v : "");
		rc = 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int e2e_sql_digest(e2e_server *s, const char *sql, unsigned char out[32])
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	mbedtls_sha256_context h;
	int rc = -1, step, i, n;

	mbedtls_sha256_init(&h);
	mbedtls_sha256_starts_ret(&h, 0);
	if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	n = sqlite3_column_count(st);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			/* The type and length go in too, so that no two rows hash alike by
			 * accident. */
			unsigned char tag[9];
			const void *v = sqlite3_column_blob(st, i);
			int len = sqlite3_column_bytes(st, i), k;

			tag[0] = (unsigned char)sqlite3_column_type(st, i);
			for (k = 0; k < 8; k++)
				tag[1 + k] = (unsigned char)((unsigned long long)len >> (8 * k));
			mbedtls_sha256_update_ret(&h, tag, sizeof(tag));
			if (len > 0)
				mbedtls_sha256_update_ret(&h, v, (size_t)len);
		}
	}
	if (step != SQLITE_DONE)
		goto out;
	mbedtls_sha256_finish_ret(&h, out);
	rc = 0;
out:
	mbedtls_sha256_free(&h);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
