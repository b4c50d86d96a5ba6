/* tls.c - TLS 1.2 over non-blocking sockets with mbedTLS. */
#include "net/tls.h"
#include "net/tls_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <limits.h>
#include <stdatomic.h>
#include <unistd.h>

#define INT_LIMIT ((size_t)INT_MAX)

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include "metrics/metrics.h"

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
	atomic_int refs; /* the owner's and one per tls_conn made from it */
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
	tls_server *srv; /* a reference: the config, chain and key the handshake uses */
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

/*
 * Hashes for the handshake's signatures (ServerKeyExchange), strongest first.
 * mbedTLS's default list also has SHA-224; SHA-1 it refuses already.
 */
static const int sig_hashes[] = {
    MBEDTLS_MD_SHA256,
    MBEDTLS_MD_SHA384,
    MBEDTLS_MD_SHA512,
    MBEDTLS_MD_NONE,
};

static int seed_rng(mbedtls_entropy_context *entropy, mbedtls_ctr_drbg_context *drbg,
		    const char *pers, char *err, size_t errlen)
{
	char msg[256];
	int ret;

	ret = mbedtls_ctr_drbg_seed(drbg, mbedtls_entropy_func, entropy,
				    (const unsigned char *)pers, strlen(pers));
	if (ret != 0) {
		tls_mbed_text(ret, msg, sizeof(msg));
		tls_set_err(err, errlen, "tls: cannot seed the random generator: %s", msg);
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
		tls_set_err(err, errlen, "tls: %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* A ticket that opens is a resumed handshake (tickets are the only way to resume here). */
static int ticket_parse(void *p_ticket, mbedtls_ssl_session *session, unsigned char *data,
			size_t len)
{
	int ret = mbedtls_ssl_ticket_parse(p_ticket, session, data, len);

	if (ret == 0)
		metrics_tls(METRICS_TLS_RESUMED);
	return ret;
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
		tls_set_err(err, errlen, "tls: out of memory");
		return -1;
	}
	atomic_init(&srv->refs, 1);
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
		tls_mbed_text(ret, msg, sizeof(msg));
		tls_set_err(err, errlen, "tls: certificate %s: %s", cert_file, msg);
		goto out;
	}
	if (ret > 0) {
		tls_set_err(err, errlen, "tls: certificate %s: %d certificate(s) could not be parsed",
			cert_file, ret);
		goto out;
	}

	if (check_readable("key", key_file, err, errlen) != 0)
		goto out;
	ret = mbedtls_pk_parse_keyfile(&srv->key, key_file, NULL);
	if (ret != 0) {
		tls_mbed_text(ret, msg, sizeof(msg));
		tls_set_err(err, errlen, "tls: key %s: %s", key_file, msg);
		goto out;
	}
	if (mbedtls_pk_check_pair(&srv->chain.pk, &srv->key) != 0) {
		tls_set_err(err, errlen, "tls: key %s does not match certificate %s", key_file,
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
	mbedtls_ssl_conf_sig_hashes(&srv->conf, sig_hashes);
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
	mbedtls_ssl_conf_session_tickets_cb(&srv->conf, mbedtls_ssl_ticket_write, ticket_parse,
					    &srv->ticket);

	*out = srv;
	srv = NULL;
	rc = 0;
	goto out;

mbed_fail:
	tls_mbed_text(ret, msg, sizeof(msg));
	tls_set_err(err, errlen, "tls: cannot set up TLS for %s: %s", cert_file, msg);
out:
	tls_server_free(srv);
	return rc;
}

void tls_server_ref(tls_server *srv)
{
	atomic_fetch_add(&srv->refs, 1);
}

void tls_server_free(tls_server *srv)
{
	if (!srv || atomic_fetch_sub(&srv->refs, 1) != 1)
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
	c->srv = srv;
	tls_server_ref(srv);
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
	tls_server_free(c->srv);
	free(c);
}

int tls_server_same(const tls_server *a, const tls_server *b)
{
	const mbedtls_x509_crt *x = &a->chain, *y = &b->chain;

	for (; x && y; x = x->next, y = y->next)
		if (x->raw.len != y->raw.len || (x->raw.len && memcmp(x->raw.p, y->raw.p, x->raw.len)))
			return 0;
	return !x && !y;
}

void tls_server_describe(const tls_server *srv, char *out, size_t len)
{
	const mbedtls_x509_crt *c = &srv->chain;
	const mbedtls_x509_sequence *san;
	char subject[256], name[256]; /* a DNS name (253 at most) or an address */
	size_t used;
	int n, first = 1;

	if (mbedtls_x509_dn_gets(subject, sizeof(subject), &c->subject) < 0)
		snprintf(subject, sizeof(subject), "?");
	n = snprintf(out, len, "%s, valid to %04d-%02d-%02d", subject, c->valid_to.year,
		     c->valid_to.mon, c->valid_to.day);
	used = n < 0 ? 0 : (size_t)n;
	/* Every name a client may check: DNS names (tag 2) and IP addresses (tag 7), in order. */
	for (san = &c->subject_alt_names; san && san->buf.p && used < len; san = san->next) {
		int tag = san->buf.tag & ~(MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED);

		if (tag == 2 && san->buf.len < sizeof(name)) {
			n = snprintf(name, sizeof(name), "%.*s", (int)san->buf.len,
				     (const char *)san->buf.p);
			if (n < 0 || (size_t)n >= sizeof(name))
				continue;
		} else if (tag == 7 && (san->buf.len == 4 || san->buf.len == 16)) {
			if (!inet_ntop(san->buf.len == 4 ? AF_INET : AF_INET6, san->buf.p, name,
				       sizeof(name)))
				continue;
		} else {
			continue;
		}
		n = snprintf(out + used, len - used, "%s%s", first ? ", names " : " ", name);
		used += n < 0 ? 0 : (size_t)n;
		first = 0;
	}
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
