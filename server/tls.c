/* tls.c - TLS 1.2 over non-blocking sockets with mbedTLS, and self-signed certificates. */
#include "tls.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#define INT_LIMIT ((size_t)INT_MAX)
#define DIR_PATH_MAX PATH_MAX

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#if !defined(MBEDTLS_THREADING_C) || !defined(MBEDTLS_SSL_SESSION_TICKETS) ||                      \
    !defined(MBEDTLS_SSL_TICKET_C) || !defined(MBEDTLS_SSL_PROTO_TLS1_2)
#error "prosum needs mbedTLS with threading, TLS 1.2 and session tickets (Debian's build has them)"
#endif

/* Session tickets stay valid for a day; the ticket keys rotate every two days. */
#define TICKET_LIFETIME_S 86400u

/*
 * Shared by every I/O thread. After tls_server_new() returns, nothing here is
 * written except under a mutex that mbedTLS itself takes:
 * - mbedtls_ctr_drbg_random() locks the DRBG's own mutex (mbedTLS 2.28 with
 *   MBEDTLS_THREADING_C), and reseeding from the entropy pool happens inside
 *   that lock; the entropy pool has its own mutex too.
 * - the ticket context locks its mutex while it rotates keys and seals tickets.
 * - the config, the certificate chain and the key are only read. RSA private
 *   operations lock the RSA context's mutex (blinding values change), and the
 *   PK layer signs with an EC key by first copying it into a local ECDSA
 *   context, so the shared group is never written.
 */
struct tls_server {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt chain;
	mbedtls_pk_context key;
	mbedtls_ssl_ticket_context ticket;
	mbedtls_ssl_config conf;
};

/*
 * Per connection: the SSL context with its two record buffers (the 16 KiB
 * default each way, MBEDTLS_SSL_IN/OUT_CONTENT_LEN) and the socket, which the
 * caller owns and closes.
 */
struct tls_conn {
	mbedtls_ssl_context ssl;
	int fd;
};

/*
 * Forward secrecy and AEAD only. ECDSA first: the certificate we generate is
 * P-256, and an ECDSA signature is far cheaper than an RSA one. The RSA
 * variants are there so an operator's RSA certificate given with --cert/--key
 * also works; mbedTLS skips the suites that do not match the key.
 */
static const int ciphersuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    0,
};

/*
 * ECDHE groups in the server's order of preference (mbedTLS 2.28 picks the
 * first of these that the client also offers). X25519 first: its Montgomery
 * ladder is mbedTLS's fastest key exchange and it needs no point validation;
 * secp256r1 is what every other client has. secp384r1 is the last resort for
 * a client with neither.
 */
static const mbedtls_ecp_group_id curves[] = {
    MBEDTLS_ECP_DP_CURVE25519,
    MBEDTLS_ECP_DP_SECP256R1,
    MBEDTLS_ECP_DP_SECP384R1,
    MBEDTLS_ECP_DP_NONE,
};

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* mbedTLS's text for an error code, e.g. "PK - Read/write of file failed". */
static void mbed_text(int ret, char *buf, size_t len)
{
	mbedtls_strerror(ret, buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "mbedTLS error -0x%04x", (unsigned)-ret);
}

static int seed_rng(mbedtls_entropy_context *entropy, mbedtls_ctr_drbg_context *drbg,
		    const char *pers, char *err, size_t errlen)
{
	char msg[256];
	int ret;

	ret = mbedtls_ctr_drbg_seed(drbg, mbedtls_entropy_func, entropy,
				    (const unsigned char *)pers, strlen(pers));
	if (ret != 0) {
		mbed_text(ret, msg, sizeof(msg));
		set_err(err, errlen, "tls: cannot seed the random generator: %s", msg);
		return -1;
	}
	return 0;
}

/*
 * Checks that a file can be opened for reading, so that a missing or
 * unreadable file is reported with the system's reason rather than mbedTLS's
 * generic "Read/write of file failed".
 */
static int check_readable(const char *what, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		set_err(err, errlen, "tls: %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int tls_server_new(tls_server **out, const char *cert_file, const char *key_file, char *err,
		   size_t errlen)
{
	tls_server *srv;
	char msg[256];
	int ret, rc = -1;

	*out = NULL;
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		set_err(err, errlen, "tls: out of memory");
		return -1;
	}
	mbedtls_entropy_init(&srv->entropy);
	mbedtls_ctr_drbg_init(&srv->drbg);
	mbedtls_x509_crt_init(&srv->chain);
	mbedtls_pk_init(&srv->key);
	mbedtls_ssl_ticket_init(&srv->ticket);
	mbedtls_ssl_config_init(&srv->conf);

	if (seed_rng(&srv->entropy, &srv->drbg, "prosumd tls server", err, errlen) != 0)
		goto out;

	if (check_readable("certificate", cert_file, err, errlen) != 0)
		goto out;
	ret = mbedtls_x509_crt_parse_file(&srv->chain, cert_file);
	if (ret < 0) {
		mbed_text(ret, msg, sizeof(msg));
		set_err(err, errlen, "tls: certificate %s: %s", cert_file, msg);
		goto out;
	}
	if (ret > 0) {
		set_err(err, errlen, "tls: certificate %s: %d certificate(s) could not be parsed",
			cert_file, ret);
		goto out;
	}

	if (check_readable("key", key_file, err, errlen) != 0)
		goto out;
	ret = mbedtls_pk_parse_keyfile(&srv->key, key_file, NULL);
	if (ret != 0) {
		mbed_text(ret, msg, sizeof(msg));
		set_err(err, errlen, "tls: key %s: %s", key_file, msg);
		goto out;
	}
	if (mbedtls_pk_check_pair(&srv->chain.pk, &srv->key) != 0) {
		set_err(err, errlen, "tls: key %s does not match certificate %s", key_file,
			cert_file);
		goto out;
	}

	ret = mbedtls_ssl_config_defaults(&srv->conf, MBEDTLS_SSL_IS_SERVER,
					  MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0)
		goto mbed_fail;
	mbedtls_ssl_conf_rng(&srv->conf, mbedtls_ctr_drbg_random, &srv->drbg);
	mbedtls_ssl_conf_min_version(&srv->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(&srv->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(&srv->conf, ciphersuites);
	mbedtls_ssl_conf_curves(&srv->conf, curves);
	mbedtls_ssl_conf_authmode(&srv->conf, MBEDTLS_SSL_VERIFY_NONE);
	mbedtls_ssl_conf_renegotiation(&srv->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	ret = mbedtls_ssl_conf_own_cert(&srv->conf, &srv->chain, &srv->key);
	if (ret != 0)
		goto mbed_fail;

	/*
	 * Tickets rather than a server-side cache: a returning client skips the
	 * certificate signature and the key exchange, and the server keeps no
	 * per-session memory. AES-256-GCM seals them with a key that rotates.
	 */
	ret = mbedtls_ssl_ticket_setup(&srv->ticket, mbedtls_ctr_drbg_random, &srv->drbg,
				       MBEDTLS_CIPHER_AES_256_GCM, TICKET_LIFETIME_S);
	if (ret != 0)
		goto mbed_fail;
	mbedtls_ssl_conf_session_tickets_cb(&srv->conf, mbedtls_ssl_ticket_write,
					    mbedtls_ssl_ticket_parse, &srv->ticket);

	*out = srv;
	srv = NULL;
	rc = 0;
	goto out;

mbed_fail:
	mbed_text(ret, msg, sizeof(msg));
	set_err(err, errlen, "tls: cannot set up TLS for %s: %s", cert_file, msg);
out:
	tls_server_free(srv);
	return rc;
}

void tls_server_free(tls_server *srv)
{
	if (!srv)
		return;
	mbedtls_ssl_config_free(&srv->conf);
	mbedtls_ssl_ticket_free(&srv->ticket);
	mbedtls_pk_free(&srv->key);
	mbedtls_x509_crt_free(&srv->chain);
	mbedtls_ctr_drbg_free(&srv->drbg);
	mbedtls_entropy_free(&srv->entropy);
	free(srv);
}

/* BIO send over the non-blocking socket; SIGPIPE is suppressed per call. */
static int bio_send(void *ctx, const unsigned char *data, size_t len)
{
	const tls_conn *c = ctx;
	ssize_t n;

	if (len > INT_LIMIT)
		len = INT_LIMIT;
	for (;;) {
		n = send(c->fd, data, len, MSG_NOSIGNAL);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return MBEDTLS_ERR_SSL_WANT_WRITE;
		if (errno == EPIPE || errno == ECONNRESET)
			return MBEDTLS_ERR_NET_CONN_RESET;
		return MBEDTLS_ERR_NET_SEND_FAILED;
	}
}

/* BIO receive; 0 is end of stream, which mbedTLS reports as MBEDTLS_ERR_SSL_CONN_EOF. */
static int bio_recv(void *ctx, unsigned char *data, size_t len)
{
	const tls_conn *c = ctx;
	ssize_t n;

	if (len > INT_LIMIT)
		len = INT_LIMIT;
	for (;;) {
		n = recv(c->fd, data, len, 0);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return MBEDTLS_ERR_SSL_WANT_READ;
		if (errno == ECONNRESET)
			return MBEDTLS_ERR_NET_CONN_RESET;
		return MBEDTLS_ERR_NET_RECV_FAILED;
	}
}

int tls_conn_new(tls_conn **out, tls_server *srv, int fd)
{
	tls_conn *c;

	*out = NULL;
	c = malloc(sizeof(*c));
	if (!c)
		return -1;
	c->fd = fd;
	mbedtls_ssl_init(&c->ssl);
	/* Allocates the two record buffers; fails only for lack of memory. */
	if (mbedtls_ssl_setup(&c->ssl, &srv->conf) != 0) {
		tls_conn_free(c);
		return -1;
	}
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	*out = c;
	return 0;
}

void tls_conn_free(tls_conn *c)
{
	if (!c)
		return;
	mbedtls_ssl_free(&c->ssl);
	free(c);
}

/*
 * mbedTLS result to TLS_ code. ASYNC_IN_PROGRESS and CRYPTO_IN_PROGRESS mean
 * "call again" with no socket event to wait for; they cannot occur with this
 * configuration (no async key callbacks, no restartable ECC), and if they did,
 * waiting for writability is the nearest thing: a socket is almost always
 * writable, so the caller comes straight back.
 */
static int map_result(int ret)
{
	switch (ret) {
	case MBEDTLS_ERR_SSL_WANT_READ:
		return TLS_WANT_READ;
	case MBEDTLS_ERR_SSL_WANT_WRITE:
	case MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS:
	case MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS:
		return TLS_WANT_WRITE;
	case 0:
	case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
	case MBEDTLS_ERR_SSL_CONN_EOF:
		return TLS_CLOSED;
	default:
		return TLS_ERROR;
	}
}

int tls_handshake(tls_conn *c)
{
	int ret = mbedtls_ssl_handshake(&c->ssl);

	if (ret == 0)
		return TLS_OK;
	return map_result(ret);
}

ssize_t tls_read(tls_conn *c, void *data, size_t len)
{
	int ret;

	if (len == 0)
		return 0;
	if (len > INT_LIMIT)
		len = INT_LIMIT;
	ret = mbedtls_ssl_read(&c->ssl, data, len);
	if (ret > 0)
		return ret;
	return map_result(ret);
}

ssize_t tls_write(tls_conn *c, const void *data, size_t len)
{
	int ret;

	if (len == 0)
		return 0;
	if (len > INT_LIMIT)
		len = INT_LIMIT;
	/*
	 * mbedTLS encrypts at most one record (16 KiB) per call and returns how
	 * much of it went. After WANT_WRITE the record sits encrypted in the
	 * output buffer; the next call with the same data flushes it and returns
	 * its length.
	 */
	ret = mbedtls_ssl_write(&c->ssl, data, len);
	if (ret > 0)
		return ret;
	if (ret == 0)
		return TLS_ERROR; /* not produced for len > 0; never spin on it */
	return map_result(ret);
}

size_t tls_pending(const tls_conn *c)
{
	size_t n = mbedtls_ssl_get_bytes_avail(&c->ssl);

	/*
	 * A record read from the socket but not yet decrypted also needs another
	 * tls_read() without a socket event; report it as one byte.
	 */
	if (n == 0 && mbedtls_ssl_check_pending(&c->ssl))
		n = 1;
	return n;
}

void tls_close_notify(tls_conn *c)
{
	/* One attempt: a full socket buffer means the alert is dropped. */
	(void)mbedtls_ssl_close_notify(&c->ssl);
}

/* ---- self-signed certificate ---- */

/*
 * At most seven entries: the host (an IP literal gets two), localhost, and
 * two each for 127.0.0.1 and ::1; with a 253-byte host name they need under
 * 400 bytes of DER.
 */
#define SAN_BUF_LEN 1024
#define SAN_MAX 8

struct san {
	unsigned char tag; /* 2 dNSName, 7 iPAddress */
	const unsigned char *p;
	size_t len;
};

static void san_add(struct san *v, size_t *n, unsigned char tag, const void *p, size_t len)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (v[i].tag == tag && v[i].len == len && memcmp(v[i].p, p, len) == 0)
			return;
	assert(*n < SAN_MAX);
	v[*n].tag = tag;
	v[*n].p = p;
	v[*n].len = len;
	(*n)++;
}

/*
 * An IP literal gets both an iPAddress entry, which RFC 6125 clients (curl,
 * OpenSSL, browsers) match, and a dNSName entry with its text: mbedTLS 2.x
 * compares the name it verifies against every subjectAltName entry as text
 * and ignores the CN once the extension is present, so without the twin an
 * mbedTLS client could not verify https://127.0.0.1.
 */
static void san_add_name(struct san *v, size_t *n, const char *name, const unsigned char *ip,
			 size_t iplen)
{
	if (iplen)
		san_add(v, n, 7, ip, iplen);
	san_add(v, n, 2, name, strlen(name));
}

/*
 * Encodes GeneralNames (SEQUENCE OF [2] IA5String / [7] OCTET STRING,
 * implicitly tagged). asn1write fills from the end of the buffer backwards,
 * so the entries are written last to first. Returns the length, the DER
 * starting at *der, or a negative mbedTLS error.
 */
static int san_encode(const struct san *v, size_t n, unsigned char *buf, size_t buflen,
		      unsigned char **der)
{
	unsigned char *p = buf + buflen;
	size_t len = 0, i;
	int ret;

	for (i = n; i-- > 0;) {
		size_t before = len;

		ret = mbedtls_asn1_write_raw_buffer(&p, buf, v[i].p, v[i].len);
		if (ret < 0)
			return ret;
		len += (size_t)ret;
		ret = mbedtls_asn1_write_len(&p, buf, len - before);
		if (ret < 0)
			return ret;
		len += (size_t)ret;
		ret = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | v[i].tag);
		if (ret < 0)
			return ret;
		len += (size_t)ret;
	}
	ret = mbedtls_asn1_write_len(&p, buf, len);
	if (ret < 0)
		return ret;
	len += (size_t)ret;
	ret = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
	if (ret < 0)
		return ret;
	len += (size_t)ret;
	*der = p;
	return (int)len;
}

/*
 * A host name (letters, digits, '-', '.') or an IP literal, optionally in
 * brackets; it ends up in the subject string, where ',' '=' '\' would be
 * syntax. Copies the bare form to name.
 */
static int check_host(const char *host, char *name, size_t namelen)
{
	size_t len = strlen(host), i;

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len > 253 || len >= namelen)
		return -1;
	memcpy(name, host, len);
	name[len] = '\0';
	for (i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == ':'))
			return -1;
	}
	return 0;
}

/* "YYYYMMDDhhmmss" in UTC, the form mbedtls_x509write_crt_set_validity() takes. */
static int format_time(const struct tm *tm, char *buf, size_t len)
{
	return strftime(buf, len, "%Y%m%d%H%M%S", tm) == 14 ? 0 : -1;
}

static int validity(char *from, char *to, size_t len)
{
	time_t now = time(NULL), start = now - 86400;
	struct tm tm;

	/* A day of slack for clients whose clocks run behind. */
	if (!gmtime_r(&start, &tm) || format_time(&tm, from, len) != 0)
		return -1;
	if (!gmtime_r(&now, &tm))
		return -1;
	tm.tm_year += 10;
	if (tm.tm_mon == 1 && tm.tm_mday == 29)
		tm.tm_mday = 28;
	return format_time(&tm, to, len);
}

/* fsync the directory holding path so that the new name survives a crash; best effort. */
static void sync_parent(const char *path)
{
	char dir[DIR_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len;
	int fd;

	if (!slash) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		len = slash == path ? 1 : (size_t)(slash - path);
		if (len >= sizeof(dir))
			return;
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

/* Creates path (never replacing anything), writes data and syncs it. Removes it on failure. */
static int write_new_file(const char *path, const unsigned char *data, size_t len, mode_t mode,
			  char *err, size_t errlen)
{
	size_t off = 0;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			set_err(err, errlen, "tls: %s already exists; not overwriting it", path);
		else
			set_err(err, errlen, "tls: cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto io_fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto io_fail;
	rc = 0;
	goto out;

io_fail:
	set_err(err, errlen, "tls: cannot write %s: %s", path, strerror(errno));
out:
	if (close(fd) != 0 && rc == 0) {
		set_err(err, errlen, "tls: cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(path);
	return rc;
}

int tls_generate_self_signed(const char *cert_path, const char *key_path, const char *host,
			     char *err, size_t errlen)
{
	static const unsigned char ip4_loopback[4] = {127, 0, 0, 1};
	static const unsigned char ip6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0,
						       0, 0, 0, 0, 0, 0, 0, 1};
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;
	mbedtls_x509write_cert crt;
	mbedtls_mpi serial;
	unsigned char serial_bytes[16], host_ip[16], san_buf[SAN_BUF_LEN], *san_der;
	unsigned char key_pem[1024], cert_pem[4096];
	char name[256], subject[300], from[16], to[16], msg[256];
	struct san sans[SAN_MAX];
	size_t nsans = 0, host_iplen = 0;
	struct stat st;
	int ret, rc = -1;

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);

	if (check_host(host, name, sizeof(name)) != 0) {
		set_err(err, errlen, "tls: \"%s\" is not a host name or IP address", host);
		goto out;
	}
	if (inet_pton(AF_INET, name, host_ip) == 1)
		host_iplen = 4;
	else if (inet_pton(AF_INET6, name, host_ip) == 1)
		host_iplen = 16;
	else if (strchr(name, ':')) {
		set_err(err, errlen, "tls: \"%s\" is not a host name or IP address", host);
		goto out;
	}

	/* Refuse before generating anything; O_EXCL below still closes the race. */
	if (lstat(key_path, &st) == 0) {
		set_err(err, errlen, "tls: %s already exists; not overwriting it", key_path);
		goto out;
	}
	if (lstat(cert_path, &st) == 0) {
		set_err(err, errlen, "tls: %s already exists; not overwriting it", cert_path);
		goto out;
	}

	if (seed_rng(&entropy, &drbg, "prosumd self-signed certificate", err, errlen) != 0)
		goto out;

	ret = mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (ret != 0)
		goto mbed_fail;
	ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key),
				  mbedtls_ctr_drbg_random, &drbg);
	if (ret != 0)
		goto mbed_fail;

	/* 127 random bits, positive and non-zero (RFC 5280 4.1.2.2). */
	ret = mbedtls_ctr_drbg_random(&drbg, serial_bytes, sizeof(serial_bytes));
	if (ret != 0)
		goto mbed_fail;
	serial_bytes[0] = (unsigned char)((serial_bytes[0] & 0x7f) | 0x40);
	ret = mbedtls_mpi_read_binary(&serial, serial_bytes, sizeof(serial_bytes));
	if (ret != 0)
		goto mbed_fail;

	if (validity(from, to, sizeof(from)) != 0) {
		set_err(err, errlen, "tls: cannot read the clock");
		goto out;
	}
	snprintf(subject, sizeof(subject), "CN=%s", name);

	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, &key);
	mbedtls_x509write_crt_set_issuer_key(&crt, &key);
	ret = mbedtls_x509write_crt_set_subject_name(&crt, subject);
	if (ret != 0)
		goto mbed_fail;
	ret = mbedtls_x509write_crt_set_issuer_name(&crt, subject);
	if (ret != 0)
		goto mbed_fail;
	ret = mbedtls_x509write_crt_set_serial(&crt, &serial);
	if (ret != 0)
		goto mbed_fail;
	ret = mbedtls_x509write_crt_set_validity(&crt, from, to);
	if (ret != 0)
		goto mbed_fail;
	/*
	 * CA:TRUE so that the certificate is its own trust anchor: clients pin
	 * it with curl --cacert / PROSUM_CACERT. Path length 0: it signs nothing
	 * but itself.
	 */
	ret = mbedtls_x509write_crt_set_basic_constraints(&crt, 1, 0);
	if (ret != 0)
		goto mbed_fail;
	ret = mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
							    MBEDTLS_X509_KU_KEY_CERT_SIGN);
	if (ret != 0)
		goto mbed_fail;
	ret = mbedtls_x509write_crt_set_subject_key_identifier(&crt);
	if (ret != 0)
		goto mbed_fail;
	ret = mbedtls_x509write_crt_set_authority_key_identifier(&crt);
	if (ret != 0)
		goto mbed_fail;

	san_add_name(sans, &nsans, name, host_ip, host_iplen);
	san_add_name(sans, &nsans, "localhost", NULL, 0);
	san_add_name(sans, &nsans, "127.0.0.1", ip4_loopback, sizeof(ip4_loopback));
	san_add_name(sans, &nsans, "::1", ip6_loopback, sizeof(ip6_loopback));
	ret = san_encode(sans, nsans, san_buf, sizeof(san_buf), &san_der);
	if (ret < 0)
		goto mbed_fail;
	ret = mbedtls_x509write_crt_set_extension(&crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
						  MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0,
						  san_der, (size_t)ret);
	if (ret != 0)
		goto mbed_fail;

	ret = mbedtls_x509write_crt_pem(&crt, cert_pem, sizeof(cert_pem), mbedtls_ctr_drbg_random,
					&drbg);
	if (ret != 0)
		goto mbed_fail;
	ret = mbedtls_pk_write_key_pem(&key, key_pem, sizeof(key_pem));
	if (ret != 0)
		goto mbed_fail;

	if (write_new_file(key_path, key_pem, strlen((char *)key_pem), 0600, err, errlen) != 0)
		goto out;
	if (write_new_file(cert_path, cert_pem, strlen((char *)cert_pem), 0644, err, errlen) != 0) {
		/* A key without its certificate would block the next attempt. */
		unlink(key_path);
		goto out;
	}
	sync_parent(key_path);
	sync_parent(cert_path);
	rc = 0;
	goto out;

mbed_fail:
	mbed_text(ret, msg, sizeof(msg));
	set_err(err, errlen, "tls: cannot make a certificate for %s: %s", host, msg);
out:
	mbedtls_platform_zeroize(key_pem, sizeof(key_pem));
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return rc;
}
