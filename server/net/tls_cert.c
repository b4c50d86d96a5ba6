/* tls_cert.c - the local CA and server certificate that init makes, and public-key pins. */
#include "net/tls_cert.h"
#include "net/tls_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

/* The names every server certificate carries, besides the --hostname ones. */
#define SAN_MAX (TLS_MAX_HOSTS + 3)
/* 19 entries of at most 253 bytes, each with a 4-byte header, and the sequence's. */
#define SAN_BUF_LEN (SAN_MAX * 260 + 16)
/* One certificate as PEM: the SAN extension plus under 1 KiB, in base64 with line breaks. */
#define CERT_PEM_LEN 16384
#define KEY_PEM_LEN 8192 /* room for an operator's RSA key.pem being re-certified */

#define PEM_BEGIN_CRT "-----BEGIN CERTIFICATE-----\n"
#define PEM_END_CRT "-----END CERTIFICATE-----\n"

struct san {
	unsigned char tag; /* 2 dNSName, 7 iPAddress */
	unsigned char ip[16];
	char name[254];
	size_t len; /* bytes of ip or name */
};

/* What one run needs: the random generator, and the CA and server keys and certificates. */
struct work {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context ca_key;
	mbedtls_x509_crt ca; /* parsed back from its PEM */
	mbedtls_pk_context key;
	unsigned char ca_pem[CERT_PEM_LEN];
	unsigned char chain_pem[2 * CERT_PEM_LEN];
	unsigned char key_pem[KEY_PEM_LEN];
};

void tls_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void tls_mbed_text(int ret, char *buf, size_t len)
{
	mbedtls_strerror(ret, buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "mbedTLS error -0x%04x", (unsigned)-ret);
}

static int mbed_err(int ret, const char *what, char *err, size_t errlen)
{
	char msg[200];

	tls_mbed_text(ret, msg, sizeof(msg));
	tls_set_err(err, errlen, "tls: %s: %s", what, msg);
	return -1;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* ---- subjectAltName ---- */

/*
 * A host name (letters, digits, '-', '.') or an IP literal, optionally in
 * brackets, as an entry: IP literals become iPAddress entries and nothing
 * else, names dNSName entries. -1 when it is neither.
 */
static int parse_host(const char *host, struct san *out)
{
	size_t len = strlen(host), i;
	int colon = 0;

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(out->name))
		return -1;
	memcpy(out->name, host, len);
	out->name[len] = '\0';
	for (i = 0; i < len; i++) {
		char ch = out->name[i];

		if (ch == ':')
			colon = 1;
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
			return -1;
	}
	if (inet_pton(AF_INET, out->name, out->ip) == 1) {
		out->tag = 7;
		out->len = 4;
	} else if (inet_pton(AF_INET6, out->name, out->ip) == 1) {
		out->tag = 7;
		out->len = 16;
	} else if (colon || out->name[0] == '.' || out->name[0] == '-' || strstr(out->name, "..")) {
		return -1;
	} else {
		out->tag = 2;
		out->len = len;
	}
	return 0;
}

static void san_add(struct san *v, size_t *n, const struct san *e)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (v[i].tag != e->tag || v[i].len != e->len)
			continue;
		if (e->tag == 7 ? memcmp(v[i].ip, e->ip, e->len) == 0
				: strcasecmp(v[i].name, e->name) == 0)
			return;
	}
	if (*n < SAN_MAX)
		v[(*n)++] = *e;
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
		const unsigned char *bytes =
		    v[i].tag == 7 ? v[i].ip : (const unsigned char *)v[i].name;

		ret = mbedtls_asn1_write_raw_buffer(&p, buf, bytes, v[i].len);
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

/* ---- validity ---- */

/* "YYYYMMDDhhmmss" in UTC, the form mbedtls_x509write_crt_set_validity() takes. */
static int format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return -1;
	return strftime(buf, len, "%Y%m%d%H%M%S", &tm) == 14 ? 0 : -1;
}

/*
 * From a day ago (slack for clients whose clocks run behind) to `days` days
 * after that, or `years` years from now when days is 0.
 */
static int validity(int days, int years, char *from, char *to, size_t len)
{
	time_t now = time(NULL), start = now - 86400;
	struct tm tm;

	if (format_time(start, from, len) != 0)
		return -1;
	if (days > 0)
		return format_time(start + (time_t)days * 86400, to, len);
	if (!gmtime_r(&now, &tm))
		return -1;
	tm.tm_year += years;
	if (tm.tm_mon == 1 && tm.tm_mday == 29)
		tm.tm_mday = 28;
	return strftime(to, len, "%Y%m%d%H%M%S", &tm) == 14 ? 0 : -1;
}

static void x509_time_text(const mbedtls_x509_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d%02d%02d%02d%02d%02d", t->year, t->mon, t->day, t->hour, t->min,
		 t->sec);
}

/* ---- files ---- */

/* fsync the directory holding path so that the new name survives a crash; best effort. */
static void sync_parent(const char *path)
{
	char dir[PATH_MAX];
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
			tls_set_err(err, errlen, "tls: %s already exists; not overwriting it", path);
		else
			tls_set_err(err, errlen, "tls: cannot create %s: %s", path, strerror(errno));
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
	tls_set_err(err, errlen, "tls: cannot write %s: %s", path, strerror(errno));
out:
	if (close(fd) != 0 && rc == 0) {
		tls_set_err(err, errlen, "tls: cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(path);
	else
		sync_parent(path);
	return rc;
}

/* ---- certificates ---- */

static int new_key(struct work *w, mbedtls_pk_context *key, char *err, size_t errlen)
{
	int ret = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));

	if (ret == 0)
		ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key),
					  mbedtls_ctr_drbg_random, &w->drbg);
	return ret ? mbed_err(ret, "cannot make a key", err, errlen) : 0;
}

/* 127 random bits, positive and non-zero (RFC 5280 4.1.2.2). */
static int random_serial(struct work *w, mbedtls_x509write_cert *crt)
{
	unsigned char bytes[16];
	mbedtls_mpi serial;
	int ret;

	mbedtls_mpi_init(&serial);
	ret = mbedtls_ctr_drbg_random(&w->drbg, bytes, sizeof(bytes));
	if (ret == 0) {
		bytes[0] = (unsigned char)((bytes[0] & 0x7f) | 0x40);
		ret = mbedtls_mpi_read_binary(&serial, bytes, sizeof(bytes));
	}
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_serial(crt, &serial);
	mbedtls_mpi_free(&serial);
	return ret;
}

/* Fields both certificates share: version 3, SHA-256, serial, key identifiers. */
static int common_fields(struct work *w, mbedtls_x509write_cert *crt, mbedtls_pk_context *subject,
			 mbedtls_pk_context *issuer)
{
	int ret;

	mbedtls_x509write_crt_set_version(crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(crt, subject);
	mbedtls_x509write_crt_set_issuer_key(crt, issuer);
	ret = random_serial(w, crt);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_subject_key_identifier(crt);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_authority_key_identifier(crt);
	return ret;
}

/* Makes the CA's key and certificate, writes ca-key.pem then ca.pem, and parses it into w->ca. */
static int make_ca(struct work *w, const tls_files *f, char *err, size_t errlen)
{
	mbedtls_x509write_cert crt;
	unsigned char tag[4];
	char subject[64], from[16], to[16];
	int ret, rc = -1;

	mbedtls_x509write_crt_init(&crt);
	if (new_key(w, &w->ca_key, err, errlen) != 0)
		goto out;
	/* A per-installation name, so that two installations' CAs can be told apart. */
	ret = mbedtls_ctr_drbg_random(&w->drbg, tag, sizeof(tag));
	if (ret != 0)
		goto mbed_fail;
	snprintf(subject, sizeof(subject), "CN=prosum local CA %02x%02x%02x%02x", tag[0], tag[1],
		 tag[2], tag[3]);
	if (validity(0, TLS_CA_YEARS, from, to, sizeof(from)) != 0) {
		tls_set_err(err, errlen, "tls: cannot read the clock");
		goto out;
	}
	ret = common_fields(w, &crt, &w->ca_key, &w->ca_key);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_subject_name(&crt, subject);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_issuer_name(&crt, subject);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_validity(&crt, from, to);
	/* Signs server certificates only: no intermediate below it. */
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_basic_constraints(&crt, 1, 0);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_KEY_CERT_SIGN |
								    MBEDTLS_X509_KU_CRL_SIGN);
	if (ret == 0)
		ret = mbedtls_x509write_crt_pem(&crt, w->ca_pem, sizeof(w->ca_pem),
						mbedtls_ctr_drbg_random, &w->drbg);
	if (ret == 0)
		ret = mbedtls_pk_write_key_pem(&w->ca_key, w->key_pem, sizeof(w->key_pem));
	if (ret != 0)
		goto mbed_fail;
	ret = mbedtls_x509_crt_parse(&w->ca, w->ca_pem, strlen((char *)w->ca_pem) + 1);
	if (ret != 0)
		goto mbed_fail;
	if (write_new_file(f->ca_key, w->key_pem, strlen((char *)w->key_pem), 0600, err, errlen))
		goto out;
	if (write_new_file(f->ca_cert, w->ca_pem, strlen((char *)w->ca_pem), 0644, err, errlen)) {
		/* A CA key without its certificate would block the next attempt. */
		unlink(f->ca_key);
		goto out;
	}
	rc = 0;
	goto out;

mbed_fail:
	mbed_err(ret, "cannot make the local CA", err, errlen);
out:
	mbedtls_platform_zeroize(w->key_pem, sizeof(w->key_pem));
	mbedtls_x509write_crt_free(&crt);
	return rc;
}

/* Loads an existing CA: its first certificate (a CA) and the key that matches it. */
static int load_ca(struct work *w, const tls_files *f, char *err, size_t errlen)
{
	size_t olen;
	int ret;

	ret = mbedtls_x509_crt_parse_file(&w->ca, f->ca_cert);
	if (ret != 0) {
		if (ret > 0)
			ret = MBEDTLS_ERR_X509_INVALID_FORMAT;
		return mbed_err(ret, f->ca_cert, err, errlen);
	}
	if (!w->ca.ca_istrue) {
		tls_set_err(err, errlen, "tls: %s is not a CA certificate", f->ca_cert);
		return -1;
	}
	ret = mbedtls_pk_parse_keyfile(&w->ca_key, f->ca_key, NULL);
	if (ret != 0)
		return mbed_err(ret, f->ca_key, err, errlen);
	if (mbedtls_pk_check_pair(&w->ca.pk, &w->ca_key) != 0) {
		tls_set_err(err, errlen, "tls: %s does not match %s", f->ca_key, f->ca_cert);
		return -1;
	}
	/* Only the CA's own certificate goes into the chain, as PEM. */
	ret = mbedtls_pem_write_buffer(PEM_BEGIN_CRT, PEM_END_CRT, w->ca.raw.p, w->ca.raw.len,
				       w->ca_pem, sizeof(w->ca_pem), &olen);
	return ret ? mbed_err(ret, f->ca_cert, err, errlen) : 0;
}

/* The server's key: key.pem when it exists (its pin stays), else a new one. */
static int server_key(struct work *w, const tls_files *f, int *made, char *err, size_t errlen)
{
	int ret;

	if (!exists(f->key)) {
		if (new_key(w, &w->key, err, errlen) != 0)
			return -1;
		*made |= TLS_MADE_KEY;
		return 0;
	}
	ret = mbedtls_pk_parse_keyfile(&w->key, f->key, NULL);
	return ret ? mbed_err(ret, f->key, err, errlen) : 0;
}

/* extendedKeyUsage: SEQUENCE { id-kp-serverAuth }. */
static int set_server_auth(mbedtls_x509write_cert *crt)
{
	static const unsigned char der[] = {0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06,
					    0x01, 0x05, 0x05, 0x07, 0x03, 0x01};

	return mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
						   MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE),
						   0, der, sizeof(der));
}

/* Writes the server certificate into w->chain_pem, followed by the CA's. */
static int issue(struct work *w, const struct san *sans, size_t nsans, char *err, size_t errlen)
{
	mbedtls_x509write_cert crt;
	mbedtls_x509_crt check;
	unsigned char san_buf[SAN_BUF_LEN], *san_der = NULL;
	char subject[300], issuer[512], from[16], to[16], ca_to[16];
	size_t used;
	uint32_t flags = 0;
	int ret, rc = -1;

	mbedtls_x509write_crt_init(&crt);
	mbedtls_x509_crt_init(&check);
	/* The CN is legacy (clients read the SANs); at most 64 bytes (RFC 5280). */
	snprintf(subject, sizeof(subject), "CN=%s",
		 sans[0].tag == 2 && sans[0].len <= 64 ? sans[0].name : "localhost");
	if (mbedtls_x509_dn_gets(issuer, sizeof(issuer), &w->ca.subject) < 0) {
		tls_set_err(err, errlen, "tls: the CA's name is too long");
		goto out;
	}
	if (validity(TLS_SERVER_CERT_DAYS, 0, from, to, sizeof(from)) != 0) {
		tls_set_err(err, errlen, "tls: cannot read the clock");
		goto out;
	}
	/* Never outlive the CA. */
	x509_time_text(&w->ca.valid_to, ca_to, sizeof(ca_to));
	if (strcmp(to, ca_to) > 0)
		memcpy(to, ca_to, sizeof(to));
	ret = common_fields(w, &crt, &w->key, &w->ca_key);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_subject_name(&crt, subject);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_issuer_name(&crt, issuer);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_validity(&crt, from, to);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
	if (ret == 0)
		ret = set_server_auth(&crt);
	if (ret == 0)
		ret = san_encode(sans, nsans, san_buf, sizeof(san_buf), &san_der);
	if (ret >= 0 && san_der)
		ret = mbedtls_x509write_crt_set_extension(
		    &crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, san_der, (size_t)ret);
	if (ret == 0)
		ret = mbedtls_x509write_crt_pem(&crt, w->chain_pem, CERT_PEM_LEN,
						mbedtls_ctr_drbg_random, &w->drbg);
	if (ret != 0) {
		mbed_err(ret, "cannot make the server certificate", err, errlen);
		goto out;
	}
	/* The issuer name went through text: make sure the CA really vouches for it. */
	used = strlen((char *)w->chain_pem);
	if (mbedtls_x509_crt_parse(&check, w->chain_pem, used + 1) != 0 ||
	    mbedtls_x509_crt_verify(&check, &w->ca, NULL, NULL, &flags, NULL, NULL) != 0) {
		tls_set_err(err, errlen,
			"tls: the CA cannot vouch for the certificate it made (flags 0x%x)",
			(unsigned)flags);
		goto out;
	}
	memcpy(w->chain_pem + used, w->ca_pem, strlen((char *)w->ca_pem) + 1);
	rc = 0;
out:
	mbedtls_x509_crt_free(&check);
	mbedtls_x509write_crt_free(&crt);
	return rc;
}

int tls_cert_host_ok(const char *host)
{
	struct san e;

	return parse_host(host, &e) == 0;
}

int tls_cert_init(const tls_files *f, const char *const *hosts, size_t nhosts, int *made, char *err,
		  size_t errlen)
{
	static const char *const always[] = {"localhost", "127.0.0.1", "::1"};
	struct work *w;
	struct san *sans = NULL, e;
	size_t nsans = 0, i;
	int have_cert, have_key, ret, rc = -1;

	*made = 0;
	if (nhosts > TLS_MAX_HOSTS) {
		tls_set_err(err, errlen, "tls: at most %d host names", TLS_MAX_HOSTS);
		return -1;
	}
	sans = calloc(SAN_MAX, sizeof(*sans));
	w = calloc(1, sizeof(*w));
	if (!sans || !w) {
		free(sans);
		free(w);
		tls_set_err(err, errlen, "tls: out of memory");
		return -1;
	}
	mbedtls_entropy_init(&w->entropy);
	mbedtls_ctr_drbg_init(&w->drbg);
	mbedtls_pk_init(&w->ca_key);
	mbedtls_x509_crt_init(&w->ca);
	mbedtls_pk_init(&w->key);

	for (i = 0; i < nhosts; i++) {
		if (parse_host(hosts[i], &e) != 0) {
			tls_set_err(err, errlen, "tls: \"%s\" is not a host name or IP address",
				hosts[i]);
			goto out;
		}
		san_add(sans, &nsans, &e);
	}
	for (i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		(void)parse_host(always[i], &e);
		san_add(sans, &nsans, &e);
	}

	if (exists(f->cert)) {
		rc = 0; /* served as it is, whatever made it */
		goto out;
	}
	have_cert = exists(f->ca_cert);
	have_key = exists(f->ca_key);
	if (have_cert != have_key) {
		tls_set_err(err, errlen, "tls: %s exists without %s; restore it or remove both",
			have_cert ? f->ca_cert : f->ca_key, have_cert ? f->ca_key : f->ca_cert);
		goto out;
	}
	ret = mbedtls_ctr_drbg_seed(&w->drbg, mbedtls_entropy_func, &w->entropy,
				    (const unsigned char *)"prosumd certificates", 20);
	if (ret != 0) {
		mbed_err(ret, "cannot seed the random generator", err, errlen);
		goto out;
	}
	if (have_cert ? load_ca(w, f, err, errlen) : make_ca(w, f, err, errlen))
		goto out;
	if (!have_cert)
		*made |= TLS_MADE_CA;
	if (server_key(w, f, made, err, errlen) != 0 || issue(w, sans, nsans, err, errlen) != 0)
		goto out;
	if (*made & TLS_MADE_KEY) {
		ret = mbedtls_pk_write_key_pem(&w->key, w->key_pem, sizeof(w->key_pem));
		if (ret != 0) {
			mbed_err(ret, "cannot write the server key", err, errlen);
			goto out;
		}
		if (write_new_file(f->key, w->key_pem, strlen((char *)w->key_pem), 0600, err,
				   errlen) != 0)
			goto out;
	}
	if (write_new_file(f->cert, w->chain_pem, strlen((char *)w->chain_pem), 0644, err,
			   errlen) != 0) {
		/* A new key without its certificate would outlive this attempt for nothing. */
		if (*made & TLS_MADE_KEY)
			unlink(f->key);
		*made &= ~TLS_MADE_KEY;
		goto out;
	}
	*made |= TLS_MADE_CERT;
	rc = 0;
out:
	mbedtls_platform_zeroize(w->key_pem, sizeof(w->key_pem));
	mbedtls_pk_free(&w->key);
	mbedtls_x509_crt_free(&w->ca);
	mbedtls_pk_free(&w->ca_key);
	mbedtls_ctr_drbg_free(&w->drbg);
	mbedtls_entropy_free(&w->entropy);
	free(w);
	free(sans);
	return rc;
}

/* The first certificate of a PEM file. 0 or an mbedTLS error. */
static int parse_first(mbedtls_x509_crt *crt, const char *path)
{
	int ret = mbedtls_x509_crt_parse_file(crt, path);

	if (ret > 0 && crt->raw.p)
		ret = 0; /* some later block did not parse; the first did */
	else if (ret > 0)
		ret = MBEDTLS_ERR_X509_INVALID_FORMAT;
	return ret;
}

int tls_cert_pin(const char *cert_path, char *pin, size_t pinlen, char *err, size_t errlen)
{
	mbedtls_x509_crt crt;
	unsigned char der[4096], hash[32];
	size_t olen;
	int ret, rc = -1;

	mbedtls_x509_crt_init(&crt);
	if (pinlen < TLS_PIN_LEN) {
		tls_set_err(err, errlen, "tls: no room for the pin");
		goto out;
	}
	ret = parse_first(&crt, cert_path);
	if (ret == 0)
		ret = mbedtls_pk_write_pubkey_der(&crt.pk, der, sizeof(der));
	if (ret < 0) {
		mbed_err(ret, cert_path, err, errlen);
		goto out;
	}
	/* pk_write_pubkey_der fills the end of the buffer. */
	mbedtls_sha256_ret(der + sizeof(der) - (size_t)ret, (size_t)ret, hash, 0);
	memcpy(pin, "sha256//", 8);
	ret =
	    mbedtls_base64_encode((unsigned char *)pin + 8, pinlen - 8, &olen, hash, sizeof(hash));
	if (ret != 0) {
		mbed_err(ret, cert_path, err, errlen);
		goto out;
	}
	rc = 0;
out:
	mbedtls_x509_crt_free(&crt);
	return rc;
}

int tls_cert_self_signed(const char *cert_path)
{
	mbedtls_x509_crt crt;
	int rc = -1;

	mbedtls_x509_crt_init(&crt);
	if (parse_first(&crt, cert_path) == 0)
		rc = crt.issuer_raw.len == crt.subject_raw.len &&
		     memcmp(crt.issuer_raw.p, crt.subject_raw.p, crt.issuer_raw.len) == 0;
	mbedtls_x509_crt_free(&crt);
	return rc;
}

/* ---- renewing ---- */

/*
 * The dNSName and iPAddress entries of a certificate's subjectAltName, added
 * to sans (mbedTLS 2.28 lists only the dNSNames itself, so the extension is
 * read here). 0, or -1 when the extensions do not parse.
 */
static int cert_sans(const mbedtls_x509_crt *crt, struct san *sans, size_t *nsans)
{
	unsigned char *p = crt->v3_ext.p, *end = p + crt->v3_ext.len, *ext_end, *oid;
	size_t len, oid_len;
	int critical;

	if (!p || crt->v3_ext.len == 0)
		return 0;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return -1;
	end = p + len;
	while (p < end) {
		if (mbedtls_asn1_get_tag(&p, end, &len,
					 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
			return -1;
		ext_end = p + len;
		if (mbedtls_asn1_get_tag(&p, ext_end, &oid_len, MBEDTLS_ASN1_OID))
			return -1;
		oid = p;
		p += oid_len;
		if (p < ext_end && *p == MBEDTLS_ASN1_BOOLEAN &&
		    mbedtls_asn1_get_bool(&p, ext_end, &critical))
			return -1;
		if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING))
			return -1;
		if (oid_len == MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME) &&
		    memcmp(oid, MBEDTLS_OID_SUBJECT_ALT_NAME, oid_len) == 0) {
			unsigned char *q = p, *qend = p + len;

			if (mbedtls_asn1_get_tag(&q, qend, &len,
						 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
				return -1;
			qend = q + len;
			while (q < qend) {
				unsigned char tag = *q++;
				struct san e;

				if (mbedtls_asn1_get_len(&q, qend, &len))
					return -1;
				memset(&e, 0, sizeof(e));
				if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2) && len > 0 &&
				    len < sizeof(e.name)) {
					memcpy(e.name, q, len);
					if (parse_host(e.name, &e) == 0)
						san_add(sans, nsans, &e);
				} else if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) &&
					   (len == 4 || len == 16)) {
					inet_ntop(len == 4 ? AF_INET : AF_INET6, q, e.name,
						  sizeof(e.name));
					if (parse_host(e.name, &e) == 0)
						san_add(sans, nsans, &e);
				}
				q += len;
			}
		}
		p = ext_end;
	}
	return 0;
}

int tls_cert_has_host(const char *cert_path, const char *host)
{
	mbedtls_x509_crt crt;
	struct san *sans = calloc(SAN_MAX * 2, sizeof(*sans)), e;
	size_t n = 0, i;
	int rc = -1;

	mbedtls_x509_crt_init(&crt);
	if (!sans || parse_host(host, &e) != 0 || parse_first(&crt, cert_path) != 0 ||
	    cert_sans(&crt, sans, &n) != 0)
		goto out;
	rc = 0;
	for (i = 0; i < n; i++)
		if (sans[i].tag == e.tag && sans[i].len == e.len &&
		    (e.tag == 7 ? memcmp(sans[i].ip, e.ip, e.len) == 0
				: strcasecmp(sans[i].name, e.name) == 0))
			rc = 1;
out:
	mbedtls_x509_crt_free(&crt);
	free(sans);
	return rc;
}

int tls_cert_renew(const tls_files *f, const char *const *hosts, size_t nhosts, char *names,
		   size_t nameslen, char *err, size_t errlen)
{
	static const char *const always[] = {"localhost", "127.0.0.1", "::1"};
	struct work *w = NULL;
	struct san *sans = NULL, e;
	mbedtls_x509_crt old;
	char tmp[PATH_MAX];
	size_t nsans = 0, i, used = 0;
	int made = 0, ret, rc = -1;

	mbedtls_x509_crt_init(&old);
	if (nhosts > TLS_MAX_HOSTS) {
		tls_set_err(err, errlen, "tls: at most %d host names", TLS_MAX_HOSTS);
		goto out;
	}
	sans = calloc(SAN_MAX, sizeof(*sans));
	w = calloc(1, sizeof(*w));
	if (!sans || !w) {
		tls_set_err(err, errlen, "tls: out of memory");
		goto out;
	}
	mbedtls_entropy_init(&w->entropy);
	mbedtls_ctr_drbg_init(&w->drbg);
	mbedtls_pk_init(&w->ca_key);
	mbedtls_x509_crt_init(&w->ca);
	mbedtls_pk_init(&w->key);
	if (snprintf(tmp, sizeof(tmp), "%s.new", f->cert) >= (int)sizeof(tmp)) {
		tls_set_err(err, errlen, "tls: %s: the path is too long", f->cert);
		goto out;
	}
	for (i = 0; i < nhosts; i++) {
		if (parse_host(hosts[i], &e) != 0) {
			tls_set_err(err, errlen, "tls: \"%s\" is not a host name or IP address",
				    hosts[i]);
			goto out;
		}
		san_add(sans, &nsans, &e);
	}
	/* Without --hostname, the names the certificate has now. */
	if (nhosts == 0 && exists(f->cert)) {
		ret = parse_first(&old, f->cert);
		if (ret != 0) {
			mbed_err(ret, f->cert, err, errlen);
			goto out;
		}
		if (cert_sans(&old, sans, &nsans) != 0) {
			tls_set_err(err, errlen, "tls: %s: its subjectAltName does not parse",
				    f->cert);
			goto out;
		}
	}
	for (i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		(void)parse_host(always[i], &e);
		san_add(sans, &nsans, &e);
	}
	if (!exists(f->ca_cert) || !exists(f->ca_key)) {
		tls_set_err(err, errlen,
			    "tls: no local CA (%s and %s) to sign with; a data directory made by an "
			    "older prosumd: remove %s and %s and run init to make one",
			    f->ca_cert, f->ca_key, f->cert, f->key);
		goto out;
	}
	ret = mbedtls_ctr_drbg_seed(&w->drbg, mbedtls_entropy_func, &w->entropy,
				    (const unsigned char *)"prosumd certificates", 20);
	if (ret != 0) {
		mbed_err(ret, "cannot seed the random generator", err, errlen);
		goto out;
	}
	/* The server's key stays (pinned clients need nothing new); a missing one is made. */
	if (load_ca(w, f, err, errlen) != 0 || server_key(w, f, &made, err, errlen) != 0 ||
	    issue(w, sans, nsans, err, errlen) != 0)
		goto out;
	if (made & TLS_MADE_KEY) {
		ret = mbedtls_pk_write_key_pem(&w->key, w->key_pem, sizeof(w->key_pem));
		if (ret != 0) {
			mbed_err(ret, "cannot write the server key", err, errlen);
			goto out;
		}
		if (write_new_file(f->key, w->key_pem, strlen((char *)w->key_pem), 0600, err,
				   errlen) != 0)
			goto out;
	}
	/* A new file renamed over the old: a server reading cert.pem sees one or the other. */
	unlink(tmp);
	if (write_new_file(tmp, w->chain_pem, strlen((char *)w->chain_pem), 0644, err, errlen))
		goto out;
	if (rename(tmp, f->cert) != 0) {
		tls_set_err(err, errlen, "tls: cannot replace %s: %s", f->cert, strerror(errno));
		unlink(tmp);
		goto out;
	}
	sync_parent(f->cert);
	if (names && nameslen)
		names[0] = '\0';
	for (i = 0; i < nsans && names; i++) {
		int n = snprintf(names + used, nameslen - used, "%s%s", i ? ", " : "", sans[i].name);

		if (n < 0 || (size_t)n >= nameslen - used)
			break;
		used += (size_t)n;
	}
	rc = 0;
out:
	mbedtls_x509_crt_free(&old);
	if (w) {
		mbedtls_platform_zeroize(w->key_pem, sizeof(w->key_pem));
		mbedtls_pk_free(&w->key);
		mbedtls_x509_crt_free(&w->ca);
		mbedtls_pk_free(&w->ca_key);
		mbedtls_ctr_drbg_free(&w->drbg);
		mbedtls_entropy_free(&w->entropy);
	}
	free(w);
	free(sans);
	return rc;
}
