/* test_tls.c - certificates, server set-up and handshakes against an mbedTLS client. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "tls.h"

#define BIG_LEN (100 * 1024)
#define MAX_RECORD 16384

struct fixture {
	char dir[64];
	int dir_made;
	char cert[256];
	char key[256];
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt ca; /* the generated certificate, as the client's trust anchor */
	tls_server *srv;
};

struct client_opts {
	int minor; /* MBEDTLS_SSL_MINOR_VERSION_x, used as both minimum and maximum */
	const int *suites;
	const mbedtls_ecp_group_id *groups;
	mbedtls_x509_crt *ca; /* NULL: the fixture's certificate */
};

struct client {
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
	int fd;
	size_t received;  /* bytes the client read from the socket */
	int verify_calls; /* certificate checks: none when a session is resumed */
};

struct pair {
	int sfd, cfd;
	tls_conn *sc;
	struct client cl;
};

/* ---- helpers ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void path_join(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < len);
}

static long read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return (long)n;
}

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int cbio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct client *cl = ctx;
	ssize_t n = send(cl->fd, buf, len, MSG_NOSIGNAL);

	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int cbio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct client *cl = ctx;
	ssize_t n = recv(cl->fd, buf, len, 0);

	if (n >= 0) {
		cl->received += (size_t)n;
		return (int)n;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int count_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct client *cl = ctx;

	(void)crt;
	(void)depth;
	(void)flags;
	cl->verify_calls++;
	return 0;
}

static void client_init(struct client *cl, struct fixture *f, int fd, const struct client_opts *o)
{
	int minor = o && o->minor ? o->minor : MBEDTLS_SSL_MINOR_VERSION_3;

	memset(cl, 0, sizeof(*cl));
	cl->fd = fd;
	mbedtls_ssl_config_init(&cl->conf);
	mbedtls_ssl_init(&cl->ssl);
	assert_int_equal(mbedtls_ssl_config_defaults(&cl->conf, MBEDTLS_SSL_IS_CLIENT,
						     MBEDTLS_SSL_TRANSPORT_STREAM,
						     MBEDTLS_SSL_PRESET_DEFAULT),
			 0);
	mbedtls_ssl_conf_rng(&cl->conf, mbedtls_ctr_drbg_random, &f->drbg);
	mbedtls_ssl_conf_min_version(&cl->conf, MBEDTLS_SSL_MAJOR_VERSION_3, minor);
	mbedtls_ssl_conf_max_version(&cl->conf, MBEDTLS_SSL_MAJOR_VERSION_3, minor);
	if (o && o->suites)
		mbedtls_ssl_conf_ciphersuites(&cl->conf, o->suites);
	if (o && o->groups)
		mbedtls_ssl_conf_curves(&cl->conf, o->groups);
	mbedtls_ssl_conf_ca_chain(&cl->conf, o && o->ca ? o->ca : &f->ca, NULL);
	mbedtls_ssl_conf_authmode(&cl->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_verify(&cl->conf, count_verify, cl);
	mbedtls_ssl_conf_session_tickets(&cl->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
	assert_int_equal(mbedtls_ssl_setup(&cl->ssl, &cl->conf), 0);
	assert_int_equal(mbedtls_ssl_set_hostname(&cl->ssl, "127.0.0.1"), 0);
	mbedtls_ssl_set_bio(&cl->ssl, cl, cbio_send, cbio_recv, NULL);
}

static void client_free(struct client *cl)
{
	mbedtls_ssl_free(&cl->ssl);
	mbedtls_ssl_config_free(&cl->conf);
}

static void pair_open(struct pair *p, struct fixture *f, tls_server *srv,
		      const struct client_opts *o)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	p->sfd = sv[0];
	p->cfd = sv[1];
	assert_int_equal(tls_conn_new(&p->sc, srv ? srv : f->srv, p->sfd), 0);
	assert_non_null(p->sc);
	client_init(&p->cl, f, p->cfd, o);
}

static void pair_close(struct pair *p)
{
	tls_conn_free(p->sc);
	client_free(&p->cl);
	if (p->sfd >= 0)
		close(p->sfd);
	if (p->cfd >= 0)
		close(p->cfd);
}

static int client_wants(int ret)
{
	return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE;
}

/*
 * Runs both ends in turn until each has finished or failed. A failed side
 * leaves the other waiting; the bound on rounds ends that.
 */
static void handshake(struct pair *p, int *srv_rc, int *cli_rc)
{
	int s = TLS_WANT_READ, c = MBEDTLS_ERR_SSL_WANT_READ;
	int sdone = 0, cdone = 0, i;

	for (i = 0; i < 200 && !(sdone && cdone); i++) {
		if (!cdone) {
			c = mbedtls_ssl_handshake(&p->cl.ssl);
			cdone = !client_wants(c);
		}
		if (!sdone) {
			s = tls_handshake(p->sc);
			sdone = s != TLS_WANT_READ && s != TLS_WANT_WRITE;
		}
	}
	*srv_rc = s;
	*cli_rc = c;
}

static void handshake_ok(struct pair *p)
{
	int s, c;

	handshake(p, &s, &c);
	assert_int_equal(c, 0);
	assert_int_equal(s, TLS_OK);
}

static void client_write_all(struct pair *p, const void *data, size_t len)
{
	size_t off = 0;
	int ret, i;

	for (i = 0; off < len && i < 10000; i++) {
		ret = mbedtls_ssl_write(&p->cl.ssl, (const unsigned char *)data + off, len - off);
		if (ret > 0)
			off += (size_t)ret;
		else
			assert_true(client_wants(ret));
	}
	assert_int_equal(off, len);
}

/* Reads exactly len bytes on the server side, including what tls_pending() announces. */
static void server_read_all(struct pair *p, void *data, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int i;

	for (i = 0; off < len && i < 10000; i++) {
		n = tls_read(p->sc, (char *)data + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else
			assert_int_equal(n, TLS_WANT_READ);
	}
	assert_int_equal(off, len);
}

static int find_san(const mbedtls_x509_crt *crt, const unsigned char **p, size_t *len);

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	static const char pers[] = "test_tls client";
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (!f)
		return -1;
	*state = f;
	mbedtls_entropy_init(&f->entropy);
	mbedtls_ctr_drbg_init(&f->drbg);
	mbedtls_x509_crt_init(&f->ca);
	umask(022);
	memcpy(f->dir, "/tmp/prosum-tls-XXXXXX", sizeof("/tmp/prosum-tls-XXXXXX"));
	if (!mkdtemp(f->dir))
		return -1;
	f->dir_made = 1;
	snprintf(f->cert, sizeof(f->cert), "%s/cert.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/key.pem", f->dir);
	if (tls_generate_self_signed(f->cert, f->key, "127.0.0.1", err, sizeof(err)) != 0) {
		print_error("generate: %s\n", err);
		return -1;
	}
	if (tls_server_new(&f->srv, f->cert, f->key, err, sizeof(err)) != 0) {
		print_error("server: %s\n", err);
		return -1;
	}
	if (mbedtls_x509_crt_parse_file(&f->ca, f->cert) != 0)
		return -1;
	if (mbedtls_ctr_drbg_seed(&f->drbg, mbedtls_entropy_func, &f->entropy,
				  (const unsigned char *)pers, sizeof(pers) - 1) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	tls_server_free(f->srv);
	mbedtls_x509_crt_free(&f->ca);
	mbedtls_ctr_drbg_free(&f->drbg);
	mbedtls_entropy_free(&f->entropy);
	if (f->dir_made)
		nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* ---- certificate generation ---- */

static void test_generate_modes_and_no_overwrite(void **state)
{
	struct fixture *f = *state;
	char before[8192], after[8192], err[1024], expect[1024], path[256], other[256];
	struct stat st;
	long nb, na;

	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(f->cert, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	nb = read_file(f->key, before, sizeof(before));
	assert_true(nb > 0);
	assert_int_equal(tls_generate_self_signed(f->cert, f->key, "127.0.0.1", err, sizeof(err)),
			 -1);
	snprintf(expect, sizeof(expect), "tls: %s already exists; not overwriting it", f->key);
	assert_string_equal(err, expect);
	na = read_file(f->key, after, sizeof(after));
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, (size_t)nb);

	/* Only the certificate exists: still refused, and no key is left behind. */
	path_join(path, sizeof(path), f->dir, "lonely-cert.pem");
	path_join(other, sizeof(other), f->dir, "lonely-key.pem");
	write_text(path, "placeholder\n");
	assert_int_equal(tls_generate_self_signed(path, other, "127.0.0.1", err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "tls: %s already exists; not overwriting it", path);
	assert_string_equal(err, expect);
	assert_int_equal(stat(other, &st), -1);
	assert_int_equal(errno, ENOENT);
	unlink(path);

	/* A directory that does not exist. */
	path_join(path, sizeof(path), f->dir, "missing/cert.pem");
	path_join(other, sizeof(other), f->dir, "missing/key.pem");
	assert_int_equal(tls_generate_self_signed(path, other, "127.0.0.1", err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "tls: cannot create %s: No such file or directory", other);
	assert_string_equal(err, expect);
}

static void test_generate_rejects_bad_hosts(void **state)
{
	static const char *const bad[] = {"",           "a,b",   "CN=x", "a b", "host/x",
					  "evil\\name", "1:2:3", "[]",   "::g"};
	struct fixture *f = *state;
	char err[1024], expect[1024], cert[256], key[256];
	struct stat st;
	size_t i;

	path_join(cert, sizeof(cert), f->dir, "bad-cert.pem");
	path_join(key, sizeof(key), f->dir, "bad-key.pem");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tls_generate_self_signed(cert, key, bad[i], err, sizeof(err)), -1);
		snprintf(expect, sizeof(expect), "tls: \"%s\" is not a host name or IP address",
			 bad[i]);
		assert_string_equal(err, expect);
		assert_int_equal(stat(key, &st), -1);
		assert_int_equal(stat(cert, &st), -1);
	}
}

/* The subjectAltName entries, in order, as (tag, bytes). */
struct san_entry {
	unsigned char tag;
	const char *bytes;
	size_t len;
};

static void check_sans(const mbedtls_x509_crt *crt, const struct san_entry *want, size_t nwant)
{
	const unsigned char *p, *end;
	size_t len, i = 0;

	assert_int_equal(find_san(crt, &p, &len), 0);
	end = p + len;
	assert_int_equal(mbedtls_asn1_get_tag((unsigned char **)&p, end, &len,
					      MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE),
			 0);
	assert_true(p + len == end);
	while (p < end) {
		unsigned char tag = *p++;

		assert_true(i < nwant);
		assert_int_equal(mbedtls_asn1_get_len((unsigned char **)&p, end, &len), 0);
		assert_int_equal(tag, MBEDTLS_ASN1_CONTEXT_SPECIFIC | want[i].tag);
		assert_int_equal(len, want[i].len);
		assert_memory_equal(p, want[i].bytes, len);
		p += len;
		i++;
	}
	assert_int_equal(i, nwant);
}

/*
 * Finds the subjectAltName extension's value (the DER of GeneralNames) in the
 * raw certificate, independently of how mbedTLS lists the entries.
 */
static int find_san(const mbedtls_x509_crt *crt, const unsigned char **out, size_t *outlen)
{
	static const unsigned char oid[] = {MBEDTLS_ASN1_OID, 3, 0x55, 0x1d, 0x11};
	const unsigned char *hit = memmem(crt->raw.p, crt->raw.len, oid, sizeof(oid));
	unsigned char *p, *end = crt->raw.p + crt->raw.len;
	size_t len;
	int critical = 0;

	if (!hit)
		return -1;
	p = (unsigned char *)hit + sizeof(oid);
	if (*p == MBEDTLS_ASN1_BOOLEAN && mbedtls_asn1_get_bool(&p, end, &critical) != 0)
		return -1;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0)
		return -1;
	*out = p;
	*outlen = len;
	return critical ? -1 : 0;
}

static void test_generated_cert_verifies(void **state)
{
	static const struct san_entry want[] = {
	    {7, "\x7f\x00\x00\x01", 4},
	    {2, "127.0.0.1", 9},
	    {2, "localhost", 9},
	    {7, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16},
	    {2, "::1", 3},
	};
	struct fixture *f = *state;
	mbedtls_x509_crt crt;
	uint32_t flags;
	char dn[256];
	time_t now = time(NULL);
	struct tm tm;

	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt, f->cert), 0);
	assert_null(crt.next);
	assert_int_equal(crt.version, 3);
	assert_int_equal(crt.ca_istrue, 1);
	assert_int_equal(crt.max_pathlen, 1); /* mbedTLS stores pathLenConstraint + 1 */
	assert_int_equal(crt.key_usage,
			 MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_CERT_SIGN);
	assert_int_equal(crt.sig_md, MBEDTLS_MD_SHA256);
	assert_int_equal(mbedtls_pk_get_type(&crt.pk), MBEDTLS_PK_ECKEY);
	assert_int_equal(mbedtls_pk_ec(crt.pk)->grp.id, MBEDTLS_ECP_DP_SECP256R1);
	assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &crt.subject) > 0);
	assert_string_equal(dn, "CN=127.0.0.1");
	assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &crt.issuer) > 0);
	assert_string_equal(dn, "CN=127.0.0.1");
	assert_true(crt.serial.len >= 16);
	assert_int_equal(crt.serial.p[0] & 0x80, 0);

	assert_true(mbedtls_x509_time_is_past(&crt.valid_from));
	assert_true(mbedtls_x509_time_is_future(&crt.valid_to));
	assert_non_null(gmtime_r(&now, &tm));
	assert_int_equal(crt.valid_to.year, tm.tm_year + 1900 + 10);

	check_sans(&crt, want, sizeof(want) / sizeof(want[0]));

	/* Its own trust anchor, for every name a local client might use. */
	flags = 0xff;
	assert_int_equal(mbedtls_x509_crt_verify(&crt, &crt, NULL, "127.0.0.1", &flags, NULL, NULL),
			 0);
	assert_int_equal(flags, 0);
	assert_int_equal(mbedtls_x509_crt_verify(&crt, &crt, NULL, "localhost", &flags, NULL, NULL),
			 0);
	assert_int_equal(flags, 0);
	assert_int_equal(mbedtls_x509_crt_verify(&crt, &crt, NULL, "::1", &flags, NULL, NULL), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(
	    mbedtls_x509_crt_verify(&crt, &crt, NULL, "example.com", &flags, NULL, NULL),
	    MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
	assert_int_equal(flags, MBEDTLS_X509_BADCERT_CN_MISMATCH);
	mbedtls_x509_crt_free(&crt);
}

static void test_generate_dns_and_ipv6_hosts(void **state)
{
	static const struct san_entry want_dns[] = {
	    {2, "bugs.example.org", 16},
	    {2, "localhost", 9},
	    {7, "\x7f\x00\x00\x01", 4},
	    {2, "127.0.0.1", 9},
	    {7, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16},
	    {2, "::1", 3},
	};
	static const struct san_entry want_v6[] = {
	    {7, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 16},
	    {2, "2001:db8::7", 11},
	    {2, "localhost", 9},
	    {7, "\x7f\x00\x00\x01", 4},
	    {2, "127.0.0.1", 9},
	    {7, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16},
	    {2, "::1", 3},
	};
	struct fixture *f = *state;
	char cert[256], key[256], err[1024], dn[256];
	mbedtls_x509_crt crt;
	uint32_t flags;

	path_join(cert, sizeof(cert), f->dir, "dns-cert.pem");
	path_join(key, sizeof(key), f->dir, "dns-key.pem");
	assert_int_equal(tls_generate_self_signed(cert, key, "bugs.example.org", err, sizeof(err)),
			 0);
	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt, cert), 0);
	assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &crt.subject) > 0);
	assert_string_equal(dn, "CN=bugs.example.org");
	check_sans(&crt, want_dns, sizeof(want_dns) / sizeof(want_dns[0]));
	assert_int_equal(
	    mbedtls_x509_crt_verify(&crt, &crt, NULL, "bugs.example.org", &flags, NULL, NULL), 0);
	assert_int_equal(mbedtls_x509_crt_verify(&crt, &crt, NULL, "127.0.0.1", &flags, NULL, NULL),
			 0);
	mbedtls_x509_crt_free(&crt);

	/* Bracketed IPv6 as in a URL; no duplicate entries. */
	path_join(cert, sizeof(cert), f->dir, "v6-cert.pem");
	path_join(key, sizeof(key), f->dir, "v6-key.pem");
	assert_int_equal(tls_generate_self_signed(cert, key, "[2001:db8::7]", err, sizeof(err)), 0);
	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt, cert), 0);
	assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &crt.subject) > 0);
	assert_string_equal(dn, "CN=2001:db8::7");
	check_sans(&crt, want_v6, sizeof(want_v6) / sizeof(want_v6[0]));
	mbedtls_x509_crt_free(&crt);
}

/* ---- server set-up ---- */

static void test_server_new_errors(void **state)
{
	struct fixture *f = *state;
	char err[1024], expect[1024], missing[256], junk[256], cert2[256], key2[256];
	tls_server *srv = (tls_server *)1;

	path_join(missing, sizeof(missing), f->dir, "nope.pem");
	assert_int_equal(tls_server_new(&srv, missing, f->key, err, sizeof(err)), -1);
	assert_null(srv);
	snprintf(expect, sizeof(expect), "tls: certificate %s: No such file or directory", missing);
	assert_string_equal(err, expect);

	assert_int_equal(tls_server_new(&srv, f->cert, missing, err, sizeof(err)), -1);
	assert_null(srv);
	snprintf(expect, sizeof(expect), "tls: key %s: No such file or directory", missing);
	assert_string_equal(err, expect);

	path_join(junk, sizeof(junk), f->dir, "junk.pem");
	write_text(junk, "this is not a certificate\n");
	assert_int_equal(tls_server_new(&srv, junk, f->key, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect),
		 "tls: certificate %s: X509 - The CRT/CRL/CSR format is invalid, e.g. different "
		 "type expected",
		 junk);
	assert_string_equal(err, expect);

	/* The certificate where the key should be. */
	assert_int_equal(tls_server_new(&srv, f->cert, f->cert, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "tls: key %s: PK - Invalid key tag or value", f->cert);
	assert_string_equal(err, expect);

	/* Another certificate's key. */
	path_join(cert2, sizeof(cert2), f->dir, "other-cert.pem");
	path_join(key2, sizeof(key2), f->dir, "other-key.pem");
	assert_int_equal(tls_generate_self_signed(cert2, key2, "127.0.0.1", err, sizeof(err)), 0);
	assert_int_equal(tls_server_new(&srv, f->cert, key2, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "tls: key %s does not match certificate %s", key2,
		 f->cert);
	assert_string_equal(err, expect);
	assert_null(srv);

	/* A NULL err is allowed. */
	assert_int_equal(tls_server_new(&srv, missing, f->key, NULL, 0), -1);
	tls_server_free(NULL);
	tls_conn_free(NULL);
}

/* ---- handshakes and data ---- */

static void test_handshake_and_exchange(void **state)
{
	struct fixture *f = *state;
	struct pair p;
	char buf[64];
	ssize_t n;
	int ret;

	pair_open(&p, f, NULL, NULL);
	/* Nothing has arrived yet. */
	assert_int_equal(tls_handshake(p.sc), TLS_WANT_READ);
	handshake_ok(&p);
	assert_int_equal(p.cl.verify_calls, 1);
	assert_int_equal(mbedtls_ssl_get_verify_result(&p.cl.ssl), 0);
	assert_string_equal(mbedtls_ssl_get_version(&p.cl.ssl), "TLSv1.2");
	assert_string_equal(mbedtls_ssl_get_ciphersuite(&p.cl.ssl),
			    "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256");
	/* Done is done. */
	assert_int_equal(tls_handshake(p.sc), TLS_OK);

	assert_int_equal(tls_read(p.sc, buf, sizeof(buf)), TLS_WANT_READ);
	client_write_all(&p, "POST /api/reports", 17);
	n = tls_read(p.sc, buf, sizeof(buf));
	assert_int_equal(n, 17);
	assert_memory_equal(buf, "POST /api/reports", 17);
	assert_int_equal(tls_read(p.sc, buf, 0), 0);

	assert_int_equal(tls_write(p.sc, "HTTP/1.1 201", 12), 12);
	ret = mbedtls_ssl_read(&p.cl.ssl, (unsigned char *)buf, sizeof(buf));
	assert_int_equal(ret, 12);
	assert_memory_equal(buf, "HTTP/1.1 201", 12);
	assert_int_equal(tls_write(p.sc, "x", 0), 0);
	pair_close(&p);
}

static void test_pending(void **state)
{
	struct fixture *f = *state;
	char msg[100], buf[200];
	struct pair p;

	memset(msg, 'r', sizeof(msg));
	pair_open(&p, f, NULL, NULL);
	handshake_ok(&p);
	assert_int_equal(tls_pending(p.sc), 0);
	client_write_all(&p, msg, sizeof(msg)); /* one record */
	assert_int_equal(tls_read(p.sc, buf, 10), 10);
	/* The rest is decrypted already; the socket is empty and will not wake anyone. */
	assert_int_equal(tls_pending(p.sc), 90);
	assert_int_equal(recv(p.sfd, buf, sizeof(buf), MSG_PEEK), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(tls_read(p.sc, buf, sizeof(buf)), 90);
	assert_int_equal(tls_pending(p.sc), 0);
	assert_int_equal(tls_read(p.sc, buf, sizeof(buf)), TLS_WANT_READ);
	pair_close(&p);
}

static void test_large_transfer_both_ways(void **state)
{
	struct fixture *f = *state;
	unsigned char *out = malloc(BIG_LEN), *in = malloc(BIG_LEN);
	size_t off = 0, got = 0, i;
	int sndbuf = 4096, want_writes = 0, writes = 0, ret, round;
	struct pair p;
	ssize_t n;

	assert_non_null(out);
	assert_non_null(in);
	for (i = 0; i < BIG_LEN; i++)
		out[i] = (unsigned char)(i * 7 + (i >> 11));
	pair_open(&p, f, NULL, NULL);
	handshake_ok(&p);
	/* A small socket buffer so that the server's writes block part-way. */
	assert_int_equal(setsockopt(p.sfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);

	for (round = 0; got < BIG_LEN && round < 100000; round++) {
		if (off < BIG_LEN) {
			/* After TLS_WANT_WRITE the same bytes are offered again. */
			n = tls_write(p.sc, out + off, BIG_LEN - off);
			if (n > 0) {
				assert_true(n <= MAX_RECORD);
				off += (size_t)n;
				writes++;
			} else {
				assert_int_equal(n, TLS_WANT_WRITE);
				want_writes++;
			}
		}
		ret = mbedtls_ssl_read(&p.cl.ssl, in + got, BIG_LEN - got);
		if (ret > 0)
			got += (size_t)ret;
		else
			assert_int_equal(ret, MBEDTLS_ERR_SSL_WANT_READ);
	}
	assert_int_equal(off, BIG_LEN);
	assert_int_equal(got, BIG_LEN);
	assert_memory_equal(in, out, BIG_LEN);
	assert_true(writes >= BIG_LEN / MAX_RECORD);
	assert_true(want_writes > 0);

	/* Client to server: interleave writing and reading, draining what tls_pending() holds. */
	memset(in, 0, BIG_LEN);
	off = got = 0;
	for (round = 0; got < BIG_LEN && round < 100000; round++) {
		if (off < BIG_LEN) {
			ret = mbedtls_ssl_write(&p.cl.ssl, out + off, BIG_LEN - off);
			if (ret > 0)
				off += (size_t)ret;
			else
				assert_true(client_wants(ret));
		}
		do {
			n = tls_read(p.sc, in + got, (BIG_LEN - got) < 1000 ? BIG_LEN - got : 1000);
			if (n > 0)
				got += (size_t)n;
			else
				assert_int_equal(n, TLS_WANT_READ);
		} while (n > 0 && tls_pending(p.sc) > 0);
	}
	assert_int_equal(got, BIG_LEN);
	assert_memory_equal(in, out, BIG_LEN);
	pair_close(&p);
	free(out);
	free(in);
}

static void test_session_ticket_resumption(void **state)
{
	struct fixture *f = *state;
	mbedtls_ssl_session sess;
	struct pair p;
	tls_server *other = NULL;
	size_t full_bytes;
	char err[256], buf[16];

	mbedtls_ssl_session_init(&sess);

	/* First visit: full handshake, the server hands out a ticket. */
	pair_open(&p, f, NULL, NULL);
	handshake_ok(&p);
	assert_int_equal(p.cl.verify_calls, 1);
	full_bytes = p.cl.received;
	assert_int_equal(mbedtls_ssl_get_session(&p.cl.ssl, &sess), 0);
	tls_close_notify(p.sc);
	pair_close(&p);

	/* Second visit with the ticket: no certificate, no key exchange. */
	pair_open(&p, f, NULL, NULL);
	assert_int_equal(mbedtls_ssl_set_session(&p.cl.ssl, &sess), 0);
	handshake_ok(&p);
	assert_int_equal(p.cl.verify_calls, 0);
	assert_true(p.cl.received * 2 < full_bytes);
	client_write_all(&p, "again", 5);
	assert_int_equal(tls_read(p.sc, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "again", 5);
	pair_close(&p);

	/* Another server has other ticket keys: the ticket fails, a full handshake follows. */
	assert_int_equal(tls_server_new(&other, f->cert, f->key, err, sizeof(err)), 0);
	pair_open(&p, f, other, NULL);
	assert_int_equal(mbedtls_ssl_set_session(&p.cl.ssl, &sess), 0);
	handshake_ok(&p);
	assert_int_equal(p.cl.verify_calls, 1);
	pair_close(&p);
	tls_server_free(other);

	mbedtls_ssl_session_free(&sess);
}

static void test_garbage_instead_of_client_hello(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
	} junk[] = {
	    {"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 35},
	    {"\x16\x03\x03\xff\xff", 5},                 /* a record longer than allowed */
	    {"\x15\x03\x03\x00\x02\x02\x28", 7},         /* an alert first */
	    {"\x16\x03\x01\x00\x04\x01\x00\x00\x00", 9}, /* an empty ClientHello */
	};
	struct fixture *f = *state;
	struct pair p;
	size_t i;
	int r, tries;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		pair_open(&p, f, NULL, NULL);
		assert_int_equal(send(p.cfd, junk[i].bytes, junk[i].len, 0), (ssize_t)junk[i].len);
		for (tries = 0, r = TLS_WANT_READ; r == TLS_WANT_READ && tries < 5; tries++)
			r = tls_handshake(p.sc);
		if (r != TLS_ERROR)
			print_error("junk #%zu\n", i);
		assert_int_equal(r, TLS_ERROR);
		pair_close(&p);
	}

	/* A peer that goes away before saying anything. */
	pair_open(&p, f, NULL, NULL);
	close(p.cfd);
	p.cfd = -1;
	assert_int_equal(tls_handshake(p.sc), TLS_CLOSED);
	pair_close(&p);
}

static void test_close_notify_and_eof(void **state)
{
	struct fixture *f = *state;
	unsigned char buf[16];
	struct pair p;

	/* Server says goodbye. */
	pair_open(&p, f, NULL, NULL);
	handshake_ok(&p);
	tls_close_notify(p.sc);
	assert_int_equal(mbedtls_ssl_read(&p.cl.ssl, buf, sizeof(buf)),
			 MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY);
	pair_close(&p);

	/* Client says goodbye. */
	pair_open(&p, f, NULL, NULL);
	handshake_ok(&p);
	assert_int_equal(mbedtls_ssl_close_notify(&p.cl.ssl), 0);
	assert_int_equal(tls_read(p.sc, buf, sizeof(buf)), TLS_CLOSED);
	pair_close(&p);

	/* Client vanishes without a word. */
	pair_open(&p, f, NULL, NULL);
	handshake_ok(&p);
	close(p.cfd);
	p.cfd = -1;
	assert_int_equal(tls_read(p.sc, buf, sizeof(buf)), TLS_CLOSED);
	/* Writing to it is an error, without SIGPIPE. */
	assert_int_equal(tls_write(p.sc, "late", 4), TLS_ERROR);
	tls_close_notify(p.sc);
	pair_close(&p);
}

static void test_old_protocols_and_weak_suites_refused(void **state)
{
	static const int cbc_only[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, 0};
	static const int no_fs[] = {MBEDTLS_TLS_RSA_WITH_AES_128_GCM_SHA256, 0};
	struct client_opts tls11 = {.minor = MBEDTLS_SSL_MINOR_VERSION_2};
	struct client_opts cbc = {.suites = cbc_only};
	struct client_opts rsa_kx = {.suites = no_fs};
	struct fixture *f = *state;
	struct pair p;
	int s, c;

	pair_open(&p, f, NULL, &tls11);
	handshake(&p, &s, &c);
	assert_int_equal(s, TLS_ERROR);
	assert_true(c != 0 && !client_wants(c));
	pair_close(&p);

	pair_open(&p, f, NULL, &cbc);
	handshake(&p, &s, &c);
	assert_int_equal(s, TLS_ERROR);
	assert_true(c != 0 && !client_wants(c));
	pair_close(&p);

	pair_open(&p, f, NULL, &rsa_kx);
	handshake(&p, &s, &c);
	assert_int_equal(s, TLS_ERROR);
	assert_true(c != 0 && !client_wants(c));
	pair_close(&p);
}

static void test_chacha_and_p256(void **state)
{
	static const int chacha[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, 0};
	static const int aes256[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, 0};
	static const mbedtls_ecp_group_id p256[] = {MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_NONE};
	struct client_opts o1 = {.suites = chacha};
	struct client_opts o2 = {.suites = aes256, .groups = p256};
	struct fixture *f = *state;
	struct pair p;
	char buf[8];

	pair_open(&p, f, NULL, &o1);
	handshake_ok(&p);
	assert_string_equal(mbedtls_ssl_get_ciphersuite(&p.cl.ssl),
			    "TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256");
	client_write_all(&p, "cc20", 4);
	server_read_all(&p, buf, 4);
	assert_memory_equal(buf, "cc20", 4);
	pair_close(&p);

	pair_open(&p, f, NULL, &o2);
	handshake_ok(&p);
	assert_string_equal(mbedtls_ssl_get_ciphersuite(&p.cl.ssl),
			    "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384");
	pair_close(&p);
}

/* An operator's RSA certificate works through the ECDHE-RSA suites. */
static void test_rsa_certificate(void **state)
{
	struct fixture *f = *state;
	mbedtls_pk_context key;
	mbedtls_x509write_cert w;
	mbedtls_x509_crt ca;
	mbedtls_mpi serial;
	unsigned char pem[8192];
	char cert[256], keyf[256], err[256];
	struct client_opts o = {0};
	tls_server *srv = NULL;
	struct pair p;

	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&w);
	mbedtls_x509_crt_init(&ca);
	mbedtls_mpi_init(&serial);
	assert_int_equal(mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), 0);
	assert_int_equal(mbedtls_rsa_gen_key(mbedtls_pk_rsa(key), mbedtls_ctr_drbg_random, &f->drbg,
					     2048, 65537),
			 0);
	assert_int_equal(mbedtls_mpi_lset(&serial, 7), 0);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, &key);
	mbedtls_x509write_crt_set_issuer_key(&w, &key);
	assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, "CN=127.0.0.1"), 0);
	assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, "CN=127.0.0.1"), 0);
	assert_int_equal(mbedtls_x509write_crt_set_serial(&w, &serial), 0);
	assert_int_equal(mbedtls_x509write_crt_set_validity(&w, "20200101000000", "20491231235959"),
			 0);
	assert_int_equal(mbedtls_x509write_crt_set_basic_constraints(&w, 1, 0), 0);
	assert_int_equal(
	    mbedtls_x509write_crt_pem(&w, pem, sizeof(pem), mbedtls_ctr_drbg_random, &f->drbg), 0);
	path_join(cert, sizeof(cert), f->dir, "rsa-cert.pem");
	write_text(cert, (char *)pem);
	assert_int_equal(mbedtls_pk_write_key_pem(&key, pem, sizeof(pem)), 0);
	path_join(keyf, sizeof(keyf), f->dir, "rsa-key.pem");
	write_text(keyf, (char *)pem);

	assert_int_equal(tls_server_new(&srv, cert, keyf, err, sizeof(err)), 0);
	assert_int_equal(mbedtls_x509_crt_parse_file(&ca, cert), 0);
	o.ca = &ca;
	pair_open(&p, f, srv, &o);
	handshake_ok(&p);
	assert_string_equal(mbedtls_ssl_get_ciphersuite(&p.cl.ssl),
			    "TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256");
	assert_int_equal(tls_write(p.sc, "rsa", 3), 3);
	assert_int_equal(mbedtls_ssl_read(&p.cl.ssl, pem, sizeof(pem)), 3);
	pair_close(&p);

	tls_server_free(srv);
	mbedtls_mpi_free(&serial);
	mbedtls_x509_crt_free(&ca);
	mbedtls_x509write_crt_free(&w);
	mbedtls_pk_free(&key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_generate_modes_and_no_overwrite),
	    cmocka_unit_test(test_generate_rejects_bad_hosts),
	    cmocka_unit_test(test_generated_cert_verifies),
	    cmocka_unit_test(test_generate_dns_and_ipv6_hosts),
	    cmocka_unit_test(test_server_new_errors),
	    cmocka_unit_test(test_handshake_and_exchange),
	    cmocka_unit_test(test_pending),
	    cmocka_unit_test(test_large_transfer_both_ways),
	    cmocka_unit_test(test_session_ticket_resumption),
	    cmocka_unit_test(test_garbage_instead_of_client_hello),
	    cmocka_unit_test(test_close_notify_and_eof),
	    cmocka_unit_test(test_old_protocols_and_weak_suites_refused),
	    cmocka_unit_test(test_chacha_and_p256),
	    cmocka_unit_test(test_rsa_certificate),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
