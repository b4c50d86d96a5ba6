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
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "net/tls.h"
#include "net/tls_cert.h"
#include "unit_fixture.h"

#define BIG_LEN (100 * 1024)
#define MAX_RECORD 16384

struct fixture {
	char dir[64];
	int dir_made;
	char ca_cert[256];
	char ca_key[256];
	char cert[256];
	char key[256];
	tls_files files;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt ca; /* the generated CA, as the client's trust anchor */
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
	unsigned char head[8192]; /* the first bytes the server sent */
	int verify_calls; /* certificate checks: none when a session is resumed */
};

struct pair {
	int sfd, cfd;
	tls_conn *sc;
	struct client cl;
};

/* ---- helpers ---- */

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
		if (cl->received < sizeof(cl->head))
			memcpy(cl->head + cl->received, buf,
			       (size_t)n < sizeof(cl->head) - cl->received
				   ? (size_t)n
				   : sizeof(cl->head) - cl->received);
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
	/* mbedTLS 2.28 matches dNSName entries only, not iPAddress ones. */
	assert_int_equal(mbedtls_ssl_set_hostname(&cl->ssl, "localhost"), 0);
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
	int made = 0;

	if (!f)
		return -1;
	*state = f;
	mbedtls_entropy_init(&f->entropy);
	mbedtls_ctr_drbg_init(&f->drbg);
	mbedtls_x509_crt_init(&f->ca);
	umask(022);
	if (unit_tmpdir(f->dir, sizeof(f->dir), "tls") < 0)
		return -1;
	f->dir_made = 1;
	snprintf(f->ca_cert, sizeof(f->ca_cert), "%s/ca.pem", f->dir);
	snprintf(f->ca_key, sizeof(f->ca_key), "%s/ca-key.pem", f->dir);
	snprintf(f->cert, sizeof(f->cert), "%s/cert.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/key.pem", f->dir);
	f->files.ca_cert = f->ca_cert;
	f->files.ca_key = f->ca_key;
	f->files.cert = f->cert;
	f->files.key = f->key;
	if (tls_cert_init(&f->files, NULL, 0, &made, err, sizeof(err)) != 0 ||
	    made != (TLS_MADE_CA | TLS_MADE_CERT | TLS_MADE_KEY)) {
		print_error("generate: %s\n", err);
		return -1;
	}
	if (tls_server_new(&f->srv, f->cert, f->key, err, sizeof(err)) != 0) {
		print_error("server: %s\n", err);
		return -1;
	}
	if (mbedtls_x509_crt_parse_file(&f->ca, f->ca_cert) != 0)
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
		unit_rmtree(f->dir);
	free(f);
	return 0;
}

/* ---- certificate generation ---- */

/* The four TLS files of a data directory made under the fixture's directory. */
struct tls_dir {
	char dir[256], ca_cert[300], ca_key[300], cert[300], key[300];
	tls_files files;
};

static void tls_dir_in(struct tls_dir *d, const struct fixture *f, const char *name, int make)
{
	path_join(d->dir, sizeof(d->dir), f->dir, name);
	if (make)
		assert_int_equal(mkdir(d->dir, 0700), 0);
	path_join(d->ca_cert, sizeof(d->ca_cert), d->dir, "ca.pem");
	path_join(d->ca_key, sizeof(d->ca_key), d->dir, "ca-key.pem");
	path_join(d->cert, sizeof(d->cert), d->dir, "cert.pem");
	path_join(d->key, sizeof(d->key), d->dir, "key.pem");
	d->files.ca_cert = d->ca_cert;
	d->files.ca_key = d->ca_key;
	d->files.cert = d->cert;
	d->files.key = d->key;
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A file's bytes, for comparing before and after (at most 8 KiB). */
struct snap {
	char bytes[8192];
	long len;
};

static void snap_take(struct snap *s, const char *path)
{
	s->len = read_file(path, s->bytes, sizeof(s->bytes));
	assert_true(s->len > 0);
}

static void snap_same(const struct snap *s, const char *path)
{
	struct snap now;

	snap_take(&now, path);
	assert_int_equal(now.len, s->len);
	assert_memory_equal(now.bytes, s->bytes, (size_t)s->len);
}

/* Verifies the first certificate of cert_path against the CA file for `name` with mbedTLS. */
static int verify_name(const char *ca_path, const char *cert_path, const char *name,
		       uint32_t *flags)
{
	mbedtls_x509_crt ca, crt;
	int ret;

	mbedtls_x509_crt_init(&ca);
	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(&ca, ca_path), 0);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt, cert_path), 0);
	*flags = 0;
	ret = mbedtls_x509_crt_verify(&crt, &ca, NULL, name, flags, NULL, NULL);
	mbedtls_x509_crt_free(&crt);
	mbedtls_x509_crt_free(&ca);
	return ret;
}

static void test_init_modes_and_no_overwrite(void **state)
{
	static const char *const bugs[] = {"bugs.example.org"};
	struct fixture *f = *state;
	struct snap ca, ca_key, cert, key;
	struct tls_dir d;
	char err[1024], expect[1024], pin1[TLS_PIN_LEN], pin2[TLS_PIN_LEN];
	struct stat st;
	uint32_t flags;
	int made = -1;

	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(f->ca_key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(f->cert, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(stat(f->ca_cert, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* Again, even with other names: nothing is made, nothing changes. */
	snap_take(&ca, f->ca_cert);
	snap_take(&ca_key, f->ca_key);
	snap_take(&cert, f->cert);
	snap_take(&key, f->key);
	assert_int_equal(tls_cert_init(&f->files, bugs, 1, &made, err, sizeof(err)), 0);
	assert_int_equal(made, 0);
	snap_same(&ca, f->ca_cert);
	snap_same(&ca_key, f->ca_key);
	snap_same(&cert, f->cert);
	snap_same(&key, f->key);

	/* Without cert.pem: a new certificate from the same CA, for the same key (same pin). */
	tls_dir_in(&d, f, "reissue", 1);
	assert_int_equal(tls_cert_init(&d.files, NULL, 0, &made, err, sizeof(err)), 0);
	assert_int_equal(made, TLS_MADE_CA | TLS_MADE_CERT | TLS_MADE_KEY);
	assert_int_equal(tls_cert_pin(d.cert, pin1, sizeof(pin1), err, sizeof(err)), 0);
	assert_int_not_equal(verify_name(d.ca_cert, d.cert, "bugs.example.org", &flags), 0);
	snap_take(&ca, d.ca_cert);
	snap_take(&ca_key, d.ca_key);
	snap_take(&key, d.key);
	assert_int_equal(unlink(d.cert), 0);
	assert_int_equal(tls_cert_init(&d.files, bugs, 1, &made, err, sizeof(err)), 0);
	assert_int_equal(made, TLS_MADE_CERT);
	snap_same(&ca, d.ca_cert);
	snap_same(&ca_key, d.ca_key);
	snap_same(&key, d.key);
	assert_int_equal(tls_cert_pin(d.cert, pin2, sizeof(pin2), err, sizeof(err)), 0);
	assert_string_equal(pin1, pin2);
	assert_int_equal(verify_name(d.ca_cert, d.cert, "bugs.example.org", &flags), 0);

	/* Without cert.pem and key.pem: a new key too, so a new pin. */
	assert_int_equal(unlink(d.cert), 0);
	assert_int_equal(unlink(d.key), 0);
	assert_int_equal(tls_cert_init(&d.files, NULL, 0, &made, err, sizeof(err)), 0);
	assert_int_equal(made, TLS_MADE_CERT | TLS_MADE_KEY);
	assert_int_equal(tls_cert_pin(d.cert, pin2, sizeof(pin2), err, sizeof(err)), 0);
	assert_string_not_equal(pin1, pin2);
	snap_same(&ca, d.ca_cert);

	/* A data directory from before the local CA: its certificate stays, no CA is made. */
	tls_dir_in(&d, f, "old", 1);
	write_text(d.cert, "an older self-signed certificate\n");
	write_text(d.key, "its key\n");
	assert_int_equal(tls_cert_init(&d.files, bugs, 1, &made, err, sizeof(err)), 0);
	assert_int_equal(made, 0);
	assert_false(file_exists(d.ca_cert));
	assert_false(file_exists(d.ca_key));

	/* Half a CA: refused, and nothing else made. */
	tls_dir_in(&d, f, "lonely", 1);
	write_text(d.ca_key, "placeholder\n");
	assert_int_equal(tls_cert_init(&d.files, NULL, 0, &made, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "tls: %s exists without %s; restore it or remove both",
		 d.ca_key, d.ca_cert);
	assert_string_equal(err, expect);
	assert_false(file_exists(d.cert));
	assert_false(file_exists(d.key));

	/* A directory that does not exist. */
	tls_dir_in(&d, f, "missing", 0);
	assert_int_equal(tls_cert_init(&d.files, NULL, 0, &made, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "tls: cannot create %s: No such file or directory",
		 d.ca_key);
	assert_string_equal(err, expect);
}

static void test_init_rejects_bad_hosts(void **state)
{
	static const char *const bad[] = {"",      "a,b", "CN=x", "a b",  "host/x", "evil\\name",
					  "1:2:3", "[]",  "::g",  "a..b", ".x",     "-x"};
	static const char *const many[TLS_MAX_HOSTS + 1] = {
	    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q"};
	struct fixture *f = *state;
	char err[1024], expect[1024];
	struct tls_dir d;
	size_t i;
	int made;

	tls_dir_in(&d, f, "bad", 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tls_cert_init(&d.files, &bad[i], 1, &made, err, sizeof(err)), -1);
		snprintf(expect, sizeof(expect), "tls: \"%s\" is not a host name or IP address",
			 bad[i]);
		assert_string_equal(err, expect);
		assert_false(file_exists(d.ca_key));
		assert_false(file_exists(d.key));
	}
	assert_int_equal(tls_cert_init(&d.files, many, TLS_MAX_HOSTS + 1, &made, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "tls: at most 16 host names");
	assert_int_equal(tls_cert_init(&d.files, many, TLS_MAX_HOSTS, &made, err, sizeof(err)), 0);
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

static time_t x509_seconds(const mbedtls_x509_time *t)
{
	struct tm tm = {.tm_year = t->year - 1900,
			.tm_mon = t->mon - 1,
			.tm_mday = t->day,
			.tm_hour = t->hour,
			.tm_min = t->min,
			.tm_sec = t->sec};

	return timegm(&tm);
}

static void test_ca_and_server_cert(void **state)
{
	static const struct san_entry want[] = {
	    {2, "localhost", 9},
	    {7, "\x7f\x00\x00\x01", 4},
	    {7, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16},
	};
	struct fixture *f = *state;
	mbedtls_x509_crt chain, ca;
	const mbedtls_x509_crt *leaf;
	uint32_t flags;
	char dn[256];
	time_t now = time(NULL);

	mbedtls_x509_crt_init(&chain);
	mbedtls_x509_crt_init(&ca);
	assert_int_equal(mbedtls_x509_crt_parse_file(&chain, f->cert), 0);
	assert_int_equal(mbedtls_x509_crt_parse_file(&ca, f->ca_cert), 0);
	assert_null(ca.next);

	/* cert.pem: the server certificate, then the CA's, byte for byte. */
	leaf = &chain;
	assert_non_null(leaf->next);
	assert_null(leaf->next->next);
	assert_int_equal(leaf->next->raw.len, ca.raw.len);
	assert_memory_equal(leaf->next->raw.p, ca.raw.p, ca.raw.len);

	/* The CA: signs certificates, nothing below it, ten years. */
	assert_int_equal(ca.version, 3);
	assert_int_equal(ca.ca_istrue, 1);
	assert_int_equal(ca.max_pathlen, 1); /* mbedTLS stores pathLenConstraint + 1 */
	assert_int_equal(ca.key_usage, MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN);
	assert_int_equal(ca.sig_md, MBEDTLS_MD_SHA256);
	assert_int_equal(mbedtls_pk_ec(ca.pk)->grp.id, MBEDTLS_ECP_DP_SECP256R1);
	assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &ca.subject) > 0);
	assert_int_equal(strncmp(dn, "CN=prosum local CA ", 19), 0);
	assert_int_equal(strlen(dn), 19 + 8);
	assert_int_equal(ca.subject_raw.len, ca.issuer_raw.len);
	assert_memory_equal(ca.subject_raw.p, ca.issuer_raw.p, ca.subject_raw.len);
	assert_true(mbedtls_x509_time_is_past(&ca.valid_from));
	assert_true(x509_seconds(&ca.valid_to) - now > (time_t)(10 * 365 - 1) * 86400);
	assert_true(x509_seconds(&ca.valid_to) - now < (time_t)(10 * 366 + 1) * 86400);

	/* The server certificate: an end entity for TLS servers, 825 days. */
	assert_int_equal(leaf->version, 3);
	assert_int_equal(leaf->ca_istrue, 0);
	assert_true(leaf->ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS);
	assert_int_equal(leaf->key_usage, MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
	assert_int_equal(
	    mbedtls_x509_crt_check_extended_key_usage(leaf, MBEDTLS_OID_SERVER_AUTH,
						      MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
	    0);
	assert_int_not_equal(
	    mbedtls_x509_crt_check_extended_key_usage(leaf, MBEDTLS_OID_CLIENT_AUTH,
						      MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
	    0);
	assert_int_equal(leaf->sig_md, MBEDTLS_MD_SHA256);
	assert_int_equal(mbedtls_pk_get_type(&leaf->pk), MBEDTLS_PK_ECKEY);
	assert_int_equal(mbedtls_pk_ec(leaf->pk)->grp.id, MBEDTLS_ECP_DP_SECP256R1);
	assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &leaf->subject) > 0);
	assert_string_equal(dn, "CN=localhost");
	assert_int_equal(leaf->issuer_raw.len, ca.subject_raw.len);
	assert_memory_equal(leaf->issuer_raw.p, ca.subject_raw.p, ca.subject_raw.len);
	assert_true(leaf->serial.len >= 16);
	assert_int_equal(leaf->serial.p[0] & 0x80, 0);
	assert_true(mbedtls_x509_time_is_past(&leaf->valid_from));
	assert_int_equal(x509_seconds(&leaf->valid_to) - x509_seconds(&leaf->valid_from),
			 (time_t)TLS_SERVER_CERT_DAYS * 86400);
	/* IP addresses as iPAddress entries only: no IP text posing as a DNS name. */
	check_sans(leaf, want, sizeof(want) / sizeof(want[0]));

	flags = 0xff;
	assert_int_equal(
	    mbedtls_x509_crt_verify(&chain, &ca, NULL, "localhost", &flags, NULL, NULL), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(
	    mbedtls_x509_crt_verify(&chain, &ca, NULL, "example.com", &flags, NULL, NULL),
	    MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
	assert_int_equal(flags, MBEDTLS_X509_BADCERT_CN_MISMATCH);
	mbedtls_x509_crt_free(&ca);
	mbedtls_x509_crt_free(&chain);
}

/* tls_server_describe() of the directory's certificate ends with `names`, after its CN and date. */
static void describe_names(const struct tls_dir *d, const char *names)
{
	char err[512], what[1024];
	tls_server *srv = NULL;
	const char *at;

	assert_int_equal(tls_server_new(&srv, d->cert, d->key, err, sizeof(err)), 0);
	tls_server_describe(srv, what, sizeof(what));
	tls_server_free(srv);
	at = strstr(what, ", valid to ");
	assert_non_null(at);
	at = strstr(at, ", names ");
	assert_non_null(at);
	assert_string_equal(at + 2, names);
}

static void test_hosts_in_server_cert(void **state)
{
	static const char *const hosts[] = {"bugs.example.org", "192.0.2.7", "[2001:db8::7]",
					    "127.0.0.1", "BUGS.example.org"};
	static const struct san_entry want[] = {
	    {2, "bugs.example.org", 16},
	    {7, "\xc0\x00\x02\x07", 4},
	    {7, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 16},
	    {7, "\x7f\x00\x00\x01", 4},
	    {2, "localhost", 9},
	    {7, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16},
	};
	static const char *const v6[] = {"::1"};
	static const struct san_entry want_v6[] = {
	    {7, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16},
	    {2, "localhost", 9},
	    {7, "\x7f\x00\x00\x01", 4},
	};
	struct fixture *f = *state;
	char err[1024], dn[256];
	mbedtls_x509_crt crt;
	struct tls_dir d;
	uint32_t flags;
	int made;

	tls_dir_in(&d, f, "hosts", 1);
	assert_int_equal(tls_cert_init(&d.files, hosts, sizeof(hosts) / sizeof(hosts[0]), &made,
				       err, sizeof(err)),
			 0);
	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt, d.cert), 0);
	assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &crt.subject) > 0);
	assert_string_equal(dn, "CN=bugs.example.org");
	check_sans(&crt, want, sizeof(want) / sizeof(want[0]));
	mbedtls_x509_crt_free(&crt);
	assert_int_equal(verify_name(d.ca_cert, d.cert, "bugs.example.org", &flags), 0);
	assert_int_equal(verify_name(d.ca_cert, d.cert, "localhost", &flags), 0);
	/* What a reload says it now serves names every one, addresses too. */
	describe_names(&d, "names bugs.example.org 192.0.2.7 2001:db8::7 127.0.0.1 localhost ::1");

	/* An IP address first: the CN falls back to localhost. */
	tls_dir_in(&d, f, "v6", 1);
	assert_int_equal(tls_cert_init(&d.files, v6, 1, &made, err, sizeof(err)), 0);
	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt, d.cert), 0);
	assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &crt.subject) > 0);
	assert_string_equal(dn, "CN=localhost");
	check_sans(&crt, want_v6, 3);
	mbedtls_x509_crt_free(&crt);
	describe_names(&d, "names ::1 localhost 127.0.0.1");
}

/* The pin is sha256// and the base64 of the SHA-256 of the server key's SubjectPublicKeyInfo. */
static void test_pin(void **state)
{
	struct fixture *f = *state;
	mbedtls_pk_context key;
	unsigned char der[512], hash[32];
	char want[TLS_PIN_LEN], pin[TLS_PIN_LEN], ca_pin[TLS_PIN_LEN], err[1024], expect[1024],
	    junk[256];
	size_t olen;
	int len;

	mbedtls_pk_init(&key);
	assert_int_equal(mbedtls_pk_parse_keyfile(&key, f->key, NULL), 0);
	len = mbedtls_pk_write_pubkey_der(&key, der, sizeof(der));
	assert_true(len > 0);
	mbedtls_sha256_ret(der + sizeof(der) - len, (size_t)len, hash, 0);
	memcpy(want, "sha256//", 8);
	assert_int_equal(mbedtls_base64_encode((unsigned char *)want + 8, sizeof(want) - 8, &olen,
					       hash, sizeof(hash)),
			 0);
	assert_int_equal(olen, 44);
	mbedtls_pk_free(&key);

	assert_int_equal(tls_cert_pin(f->cert, pin, sizeof(pin), err, sizeof(err)), 0);
	assert_string_equal(pin, want);
	assert_int_equal(strlen(pin), TLS_PIN_LEN - 1);
	/* The CA's key is another key. */
	assert_int_equal(tls_cert_pin(f->ca_cert, ca_pin, sizeof(ca_pin), err, sizeof(err)), 0);
	assert_string_not_equal(ca_pin, pin);

	path_join(junk, sizeof(junk), f->dir, "junk-cert.pem");
	write_text(junk, "no certificate here\n");
	assert_int_equal(tls_cert_pin(junk, pin, sizeof(pin), err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect),
		 "tls: %s: X509 - The CRT/CRL/CSR format is invalid, e.g. different type expected",
		 junk);
	assert_string_equal(err, expect);
	assert_int_equal(tls_cert_self_signed(f->cert), 0);
	assert_int_equal(tls_cert_self_signed(f->ca_cert), 1);
	assert_int_equal(tls_cert_self_signed(junk), -1);
}

/* ---- server set-up ---- */

static void test_server_new_errors(void **state)
{
	struct fixture *f = *state;
	char err[1024], expect[1024], missing[256], junk[256];
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

	/* Another certificate's key: the CA's. */
	assert_int_equal(tls_server_new(&srv, f->cert, f->ca_key, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "tls: key %s does not match certificate %s", f->ca_key,
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
	/* The server sends its certificate and the CA's. */
	assert_int_equal(p.cl.verify_calls, 2);
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
	assert_int_equal(p.cl.verify_calls, 2);
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
	assert_int_equal(p.cl.verify_calls, 2);
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

/*
 * The named group of the server's ServerKeyExchange (ECParameters with
 * curve_type named_curve), found in the bytes the client received; 0 if none.
 */
static unsigned server_group(const struct client *cl)
{
	size_t n = cl->received < sizeof(cl->head) ? cl->received : sizeof(cl->head);
	size_t off = 0, len, m;
	const unsigned char *r;

	while (off + 5 <= n) {
		len = (size_t)cl->head[off + 3] << 8 | cl->head[off + 4];
		r = cl->head + off + 5;
		if (off + 5 + len > n)
			break;
		/* handshake records: messages of type(1) length(3) body */
		for (m = 0; cl->head[off] == 22 && m + 4 <= len;) {
			size_t mlen = (size_t)r[m + 1] << 16 | (size_t)r[m + 2] << 8 | r[m + 3];

			if (r[m] == 12 && mlen >= 3 && m + 7 <= len && r[m + 4] == 3)
				return (unsigned)r[m + 5] << 8 | r[m + 6];
			m += 4 + mlen;
		}
		off += 5 + len;
	}
	return 0;
}

/* Handshake offering what o says: 1 accepted, 0 refused (by either side). */
static int offer(struct fixture *f, tls_server *srv, const struct client_opts *o, unsigned *group)
{
	struct pair p;
	int s, c, ok;

	pair_open(&p, f, srv, o);
	handshake(&p, &s, &c);
	ok = s == TLS_OK && c == 0;
	if (!ok)
		assert_true(s == TLS_ERROR || c != 0);
	if (group)
		*group = ok ? server_group(&p.cl) : 0;
	pair_close(&p);
	return ok;
}

/*
 * What a scanner sees, offering one suite, version or group at a time
 * (SECURITY.md, "TLS", lists the same): TLS 1.2 only; the three ECDHE-ECDSA
 * AEAD suites of the certificate init makes; X25519 preferred, P-256 else.
 * mbedTLS 2.28 also wants the client to list the certificate's curve
 * (P-256), so a client offering X25519 alone is refused.
 */
static void test_scan_matches_security_md(void **state)
{
	static const int want_suites[] = {
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	};
	struct fixture *f = *state;
	const mbedtls_ecp_curve_info *ci;
	const int *id;
	mbedtls_ecp_group_id groups[3], prefer_p256[4];
	struct client_opts o;
	int one[2], minor, accepted = 0, curves = 0, want;
	unsigned group;
	size_t i;

	/* TLS 1.0 and 1.1 refused, 1.2 accepted (mbedTLS 2.28 has no TLS 1.3). */
	for (minor = MBEDTLS_SSL_MINOR_VERSION_1; minor <= MBEDTLS_SSL_MINOR_VERSION_3; minor++) {
		memset(&o, 0, sizeof(o));
		o.minor = minor;
		assert_int_equal(offer(f, NULL, &o, NULL), minor == MBEDTLS_SSL_MINOR_VERSION_3);
	}

	/* Every suite mbedTLS knows, one at a time: CBC, RSA key exchange, PSK... refused. */
	for (id = mbedtls_ssl_list_ciphersuites(); *id; id++) {
		memset(&o, 0, sizeof(o));
		one[0] = *id;
		one[1] = 0;
		o.suites = one;
		for (want = 0, i = 0; i < sizeof(want_suites) / sizeof(want_suites[0]); i++)
			want |= *id == want_suites[i];
		if (offer(f, NULL, &o, NULL) != want)
			print_error("suite %s\n", mbedtls_ssl_get_ciphersuite_name(*id));
		assert_int_equal(offer(f, NULL, &o, NULL), want);
		accepted += want;
	}
	assert_int_equal(accepted, 3);

	/* Every group, alone and next to P-256. */
	for (ci = mbedtls_ecp_curve_list(); ci->grp_id != MBEDTLS_ECP_DP_NONE; ci++, curves++) {
		memset(&o, 0, sizeof(o));
		groups[0] = ci->grp_id;
		groups[1] = MBEDTLS_ECP_DP_NONE;
		o.groups = groups;
		assert_int_equal(offer(f, NULL, &o, &group),
				 ci->grp_id == MBEDTLS_ECP_DP_SECP256R1);
		groups[1] = MBEDTLS_ECP_DP_SECP256R1;
		groups[2] = MBEDTLS_ECP_DP_NONE;
		assert_int_equal(offer(f, NULL, &o, &group), 1);
		if (ci->grp_id == MBEDTLS_ECP_DP_CURVE25519)
			assert_int_equal(group, 29); /* x25519 */
		else
			assert_int_equal(group, 23); /* secp256r1 */
	}
	assert_true(curves >= 3);

	/* The server's order wins: X25519 even when the client puts it last. */
	memset(&o, 0, sizeof(o));
	prefer_p256[0] = MBEDTLS_ECP_DP_SECP256R1;
	prefer_p256[1] = MBEDTLS_ECP_DP_SECP384R1;
	prefer_p256[2] = MBEDTLS_ECP_DP_CURVE25519;
	prefer_p256[3] = MBEDTLS_ECP_DP_NONE;
	o.groups = prefer_p256;
	assert_int_equal(offer(f, NULL, &o, &group), 1);
	assert_int_equal(group, 29);
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
	static const struct {
		mbedtls_ecp_group_id id;
		unsigned tls_id; /* 0: refused */
	} rsa_groups[] = {
	    {MBEDTLS_ECP_DP_CURVE25519, 29}, {MBEDTLS_ECP_DP_SECP256R1, 23},
	    {MBEDTLS_ECP_DP_SECP384R1, 24},  {MBEDTLS_ECP_DP_SECP521R1, 0},
	    {MBEDTLS_ECP_DP_BP256R1, 0},
	};
	mbedtls_ecp_group_id groups[2];
	struct client_opts o = {0};
	tls_server *srv = NULL;
	struct pair p;
	unsigned group;
	size_t i;

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
	assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, "CN=localhost"), 0);
	assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, "CN=localhost"), 0);
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

	/* No certificate curve to match: each of the three groups works alone, no other. */
	for (i = 0; i < sizeof(rsa_groups) / sizeof(rsa_groups[0]); i++) {
		groups[0] = rsa_groups[i].id;
		groups[1] = MBEDTLS_ECP_DP_NONE;
		o.groups = groups;
		assert_int_equal(offer(f, srv, &o, &group), rsa_groups[i].tls_id != 0);
		assert_int_equal(group, rsa_groups[i].tls_id);
	}

	tls_server_free(srv);
	mbedtls_mpi_free(&serial);
	mbedtls_x509_crt_free(&ca);
	mbedtls_x509write_crt_free(&w);
	mbedtls_pk_free(&key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_modes_and_no_overwrite),
	    cmocka_unit_test(test_init_rejects_bad_hosts),
	    cmocka_unit_test(test_ca_and_server_cert),
	    cmocka_unit_test(test_hosts_in_server_cert),
	    cmocka_unit_test(test_pin),
	    cmocka_unit_test(test_server_new_errors),
	    cmocka_unit_test(test_handshake_and_exchange),
	    cmocka_unit_test(test_pending),
	    cmocka_unit_test(test_large_transfer_both_ways),
	    cmocka_unit_test(test_session_ticket_resumption),
	    cmocka_unit_test(test_garbage_instead_of_client_hello),
	    cmocka_unit_test(test_close_notify_and_eof),
	    cmocka_unit_test(test_old_protocols_and_weak_suites_refused),
	    cmocka_unit_test(test_chacha_and_p256),
	    cmocka_unit_test(test_scan_matches_security_md),
	    cmocka_unit_test(test_rsa_certificate),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
