/* tls_issue.c - keys and certificates: the local CA made or loaded, server certificates signed. */
#include "net/tls_cert.h"
#include "net/tls_cert_int.h"
#include "net/tls_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>

#define PEM_BEGIN_CRT "-----BEGIN CERTIFICATE-----\n"
#define PEM_END_CRT "-----END CERTIFICATE-----\n"

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

/* ---- certificates ---- */

static int new_key(tls_work *w, mbedtls_pk_context *key, char *err, size_t errlen)
{
	int ret = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));

	if (ret == 0)
		ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key),
					  mbedtls_ctr_drbg_random, &w->drbg);
	return ret ? tls_mbed_err(ret, "cannot make a key", err, errlen) : 0;
}

/* 127 random bits, positive and non-zero (RFC 5280 4.1.2.2). */
static int random_serial(tls_work *w, mbedtls_x509write_cert *crt)
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
static int common_fields(tls_work *w, mbedtls_x509write_cert *crt, mbedtls_pk_context *subject,
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
int tls_issue_make_ca(tls_work *w, const tls_files *f, char *err, size_t errlen)
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
	if (tls_write_new_file(f->ca_key, w->key_pem, strlen((char *)w->key_pem), 0600, err,
			       errlen))
		goto out;
	if (tls_write_new_file(f->ca_cert, w->ca_pem, strlen((char *)w->ca_pem), 0644, err,
			       errlen)) {
		/* A CA key without its certificate would block the next attempt. */
		unlink(f->ca_key);
		goto out;
	}
	rc = 0;
	goto out;

mbed_fail:
	tls_mbed_err(ret, "cannot make the local CA", err, errlen);
out:
	mbedtls_platform_zeroize(w->key_pem, sizeof(w->key_pem));
	mbedtls_x509write_crt_free(&crt);
	return rc;
}

/* Loads an existing CA: its first certificate (a CA) and the key that matches it. */
int tls_issue_load_ca(tls_work *w, const tls_files *f, char *err, size_t errlen)
{
	size_t olen;
	int ret;

	ret = mbedtls_x509_crt_parse_file(&w->ca, f->ca_cert);
	if (ret != 0) {
		if (ret > 0)
			ret = MBEDTLS_ERR_X509_INVALID_FORMAT;
		return tls_mbed_err(ret, f->ca_cert, err, errlen);
	}
	if (!w->ca.ca_istrue) {
		tls_set_err(err, errlen, "tls: %s is not a CA certificate", f->ca_cert);
		return -1;
	}
	ret = mbedtls_pk_parse_keyfile(&w->ca_key, f->ca_key, NULL);
	if (ret != 0)
		return tls_mbed_err(ret, f->ca_key, err, errlen);
	if (mbedtls_pk_check_pair(&w->ca.pk, &w->ca_key) != 0) {
		tls_set_err(err, errlen, "tls: %s does not match %s", f->ca_key, f->ca_cert);
		return -1;
	}
	/* Only the CA's own certificate goes into the chain, as PEM. */
	ret = mbedtls_pem_write_buffer(PEM_BEGIN_CRT, PEM_END_CRT, w->ca.raw.p, w->ca.raw.len,
				       w->ca_pem, sizeof(w->ca_pem), &olen);
	return ret ? tls_mbed_err(ret, f->ca_cert, err, errlen) : 0;
}

/* The server's key: key.pem when it exists (its pin stays), else a new one. */
int tls_issue_server_key(tls_work *w, const tls_files *f, int *made, char *err, size_t errlen)
{
	int ret;

	if (!tls_exists(f->key)) {
		if (new_key(w, &w->key, err, errlen) != 0)
			return -1;
		*made |= TLS_MADE_KEY;
		return 0;
	}
	ret = mbedtls_pk_parse_keyfile(&w->key, f->key, NULL);
	return ret ? tls_mbed_err(ret, f->key, err, errlen) : 0;
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
int tls_issue_cert(tls_work *w, const struct san *sans, size_t nsans, char *err, size_t errlen)
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
		ret = tls_san_encode(sans, nsans, san_buf, sizeof(san_buf), &san_der);
	if (ret >= 0 && san_der)
		ret = mbedtls_x509write_crt_set_extension(
		    &crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, san_der, (size_t)ret);
	if (ret == 0)
		ret = mbedtls_x509write_crt_pem(&crt, w->chain_pem, CERT_PEM_LEN,
						mbedtls_ctr_drbg_random, &w->drbg);
	if (ret != 0) {
		tls_mbed_err(ret, "cannot make the server certificate", err, errlen);
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

/* ---- one run ---- */

tls_work *tls_work_new(void)
{
	tls_work *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	mbedtls_entropy_init(&w->entropy);
	mbedtls_ctr_drbg_init(&w->drbg);
	mbedtls_pk_init(&w->ca_key);
	mbedtls_x509_crt_init(&w->ca);
	mbedtls_pk_init(&w->key);
	return w;
}

void tls_work_free(tls_work *w)
{
	if (!w)
		return;
	mbedtls_platform_zeroize(w->key_pem, sizeof(w->key_pem));
	mbedtls_pk_free(&w->key);
	mbedtls_x509_crt_free(&w->ca);
	mbedtls_pk_free(&w->ca_key);
	mbedtls_ctr_drbg_free(&w->drbg);
	mbedtls_entropy_free(&w->entropy);
	free(w);
}

int tls_work_seed(tls_work *w, char *err, size_t errlen)
{
	int ret = mbedtls_ctr_drbg_seed(&w->drbg, mbedtls_entropy_func, &w->entropy,
					(const unsigned char *)"prosumd certificates", 20);

	return ret ? tls_mbed_err(ret, "cannot seed the random generator", err, errlen) : 0;
}

int tls_issue_save_key(tls_work *w, const char *path, char *err, size_t errlen)
{
	int ret = mbedtls_pk_write_key_pem(&w->key, w->key_pem, sizeof(w->key_pem));

	if (ret != 0)
		return tls_mbed_err(ret, "cannot write the server key", err, errlen);
	return tls_write_new_file(path, w->key_pem, strlen((char *)w->key_pem), 0600, err, errlen);
}
