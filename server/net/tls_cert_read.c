/* tls_cert_read.c - reading a certificate file: its public-key pin, its issuer, its host names. */
#include "net/tls_cert.h"
#include "net/tls_cert_int.h"
#include "net/tls_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mbedtls/base64.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

/* The first certificate of a PEM file. 0 or an mbedTLS error. */
int tls_cert_parse_first(mbedtls_x509_crt *crt, const char *path)
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
	ret = tls_cert_parse_first(&crt, cert_path);
	if (ret == 0)
		ret = mbedtls_pk_write_pubkey_der(&crt.pk, der, sizeof(der));
	if (ret < 0) {
		tls_mbed_err(ret, cert_path, err, errlen);
		goto out;
	}
	/* pk_write_pubkey_der fills the end of the buffer. */
	mbedtls_sha256_ret(der + sizeof(der) - (size_t)ret, (size_t)ret, hash, 0);
	memcpy(pin, "sha256//", 8);
	ret =
	    mbedtls_base64_encode((unsigned char *)pin + 8, pinlen - 8, &olen, hash, sizeof(hash));
	if (ret != 0) {
		tls_mbed_err(ret, cert_path, err, errlen);
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
	if (tls_cert_parse_first(&crt, cert_path) == 0)
		rc = crt.issuer_raw.len == crt.subject_raw.len &&
		     memcmp(crt.issuer_raw.p, crt.subject_raw.p, crt.issuer_raw.len) == 0;
	mbedtls_x509_crt_free(&crt);
	return rc;
}

int tls_cert_has_host(const char *cert_path, const char *host)
{
	mbedtls_x509_crt crt;
	struct san *sans = calloc(SAN_MAX * 2, sizeof(*sans)), e;
	size_t n = 0, i;
	int rc = -1;

	mbedtls_x509_crt_init(&crt);
	if (!sans || tls_san_parse(host, &e) != 0 || tls_cert_parse_first(&crt, cert_path) != 0 ||
	    tls_san_read(&crt, sans, &n) != 0)
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
