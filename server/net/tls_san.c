/* tls_san.c - subjectAltName: host names and IP literals as entries, encoded, read back. */
#include "net/tls_cert.h"
#include "net/tls_cert_int.h"
#include "net/tls_int.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/oid.h>

/*
 * A host name (letters, digits, '-', '.') or an IP literal, optionally in
 * brackets, as an entry: IP literals become iPAddress entries and nothing
 * else, names dNSName entries. -1 when it is neither.
 */
int tls_san_parse(const char *host, struct san *out)
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

void tls_san_add(struct san *v, size_t *n, const struct san *e)
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
int tls_san_encode(const struct san *v, size_t n, unsigned char *buf, size_t buflen,
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

int tls_cert_host_ok(const char *host)
{
	struct san e;

	return tls_san_parse(host, &e) == 0;
}

/*
 * The dNSName and iPAddress entries of a certificate's subjectAltName, added
 * to sans (mbedTLS 2.28 lists only the dNSNames itself, so the extension is
 * read here). 0, or -1 when the extensions do not parse.
 */
int tls_san_read(const mbedtls_x509_crt *crt, struct san *sans, size_t *nsans)
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
					if (tls_san_parse(e.name, &e) == 0)
						tls_san_add(sans, nsans, &e);
				} else if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) &&
					   (len == 4 || len == 16)) {
					inet_ntop(len == 4 ? AF_INET : AF_INET6, q, e.name,
						  sizeof(e.name));
					if (tls_san_parse(e.name, &e) == 0)
						tls_san_add(sans, nsans, &e);
				}
				q += len;
			}
		}
		p = ext_end;
	}
	return 0;
}

int tls_san_hosts(struct san *v, size_t *n, const char *const *hosts, size_t nhosts, char *err,
		  size_t errlen)
{
	struct san e;
	size_t i;

	if (nhosts > TLS_MAX_HOSTS) {
		tls_set_err(err, errlen, "tls: at most %d host names", TLS_MAX_HOSTS);
		return -1;
	}
	for (i = 0; i < nhosts; i++) {
		if (tls_san_parse(hosts[i], &e) != 0) {
			tls_set_err(err, errlen, "tls: \"%s\" is not a host name or IP address",
				    hosts[i]);
			return -1;
		}
		tls_san_add(v, n, &e);
	}
	return 0;
}

void tls_san_always(struct san *v, size_t *n)
{
	static const char *const always[] = {"localhost", "127.0.0.1", "::1"};
	struct san e;
	size_t i;

	for (i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		(void)tls_san_parse(always[i], &e);
		tls_san_add(v, n, &e);
	}
}
