/* sign.c - Standard Webhooks secrets and signatures (HMAC-SHA256 with mbedTLS). */
#include "notify/sign.h"

#include <errno.h>
#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define PREFIX "whsec_"
#define PREFIX_LEN 6

int sign_secret_new(char out[SIGN_SECRET_MAX + 1])
{
	unsigned char key[24];
	size_t got = 0, olen = 0;

	while (got < sizeof(key)) {
		ssize_t n = getrandom(key + got, sizeof(key) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	memcpy(out, PREFIX, PREFIX_LEN);
	if (mbedtls_base64_encode((unsigned char *)out + PREFIX_LEN, SIGN_SECRET_MAX + 1 - PREFIX_LEN,
				  &olen, key, sizeof(key)) != 0)
		return -1;
	out[PREFIX_LEN + olen] = '\0';
	return 0;
}

/* The secret's key bytes: their count, or -1 when it is not of the rule's form. */
static int secret_key(const char *s, unsigned char key[64])
{
	size_t n = 0, len;

	if (!s || strncmp(s, PREFIX, PREFIX_LEN) != 0)
		return -1;
	len = strlen(s + PREFIX_LEN);
	if (len == 0 || len > SIGN_SECRET_MAX - PREFIX_LEN)
		return -1;
	if (mbedtls_base64_decode(key, 64, &n, (const unsigned char *)s + PREFIX_LEN, len) != 0)
		return -1;
	return n >= 16 && n <= 64 ? (int)n : -1;
}

int sign_secret_ok(const char *s)
{
	unsigned char key[64];

	return secret_key(s, key) > 0;
}

int sign_standard(const char *secret, const char *id, int64_t timestamp, const char *body,
		  size_t len, char out[SIGN_SIGNATURE_MAX + 1])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	unsigned char key[64], mac[32];
	char ts[32];
	size_t olen = 0;
	int klen = secret_key(secret, key), rc = -1;

	if (klen < 0 || !md)
		return -1;
	snprintf(ts, sizeof(ts), "%lld", (long long)timestamp);
	mbedtls_md_init(&ctx);
	if (mbedtls_md_setup(&ctx, md, 1) != 0 ||
	    mbedtls_md_hmac_starts(&ctx, key, (size_t)klen) != 0 ||
	    mbedtls_md_hmac_update(&ctx, (const unsigned char *)id, strlen(id)) != 0 ||
	    mbedtls_md_hmac_update(&ctx, (const unsigned char *)".", 1) != 0 ||
	    mbedtls_md_hmac_update(&ctx, (const unsigned char *)ts, strlen(ts)) != 0 ||
	    mbedtls_md_hmac_update(&ctx, (const unsigned char *)".", 1) != 0 ||
	    mbedtls_md_hmac_update(&ctx, (const unsigned char *)body, len) != 0 ||
	    mbedtls_md_hmac_finish(&ctx, mac) != 0)
		goto out;
	memcpy(out, "v1,", 3);
	if (mbedtls_base64_encode((unsigned char *)out + 3, SIGN_SIGNATURE_MAX + 1 - 3, &olen, mac,
				  sizeof(mac)) != 0)
		goto out;
	out[3 + olen] = '\0';
	rc = 0;
out:
	mbedtls_md_free(&ctx);
	memset(key, 0, sizeof(key));
	return rc;
}
