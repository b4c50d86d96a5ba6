/* harness.c - end-to-end test support: a real prosumd on port 0, a temporary data dir, a git repo, clients. */
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
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
	snprintf(s->cacert, sizeof(s->cacert), "%s/tls/cert.pem", s->data);
	snprintf(s->db, sizeof(s->db), "%s/prosum.db", s->data);
	if (e2e_sh(NULL, 0,
		   "set -e; git init -q -b main '%s'; cd '%s'; "
		   "git config user.name 'Ada Tester'; git config user.email ada@example.org; "
		   "printf 'int main(void)\\n{\\n\\treturn 0;\\n}\\n' > main.c; git add main.c; "
		   "git commit -q -m 'Initial commit'",
		   s->repo, s->repo) != 0)
		return -1;
	if (e2e_sh(out, sizeof(out), "'%s' init --data '%s'", PROSUMD_PATH, s->data) != 0 ||
	    line_value(out, "token: ", s->token, sizeof(s->token)) < 0)
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
	if (mbedtls_ssl_setup(&ssl, &conf) != 0 || mbedtls_ssl_set_hostname(&ssl, "127.0.0.1") != 0)
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
