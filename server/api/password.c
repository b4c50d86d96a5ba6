/* password.c - passwords as PBKDF2-HMAC-SHA256 with a per-person salt and a stored work factor. */
#include "api/password.h"

#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"

int password_pbkdf2(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
		    unsigned iterations, uint8_t *out, size_t outlen)
{
	mbedtls_md_context_t ctx;
	int rc = -1;

	mbedtls_md_init(&ctx);
	if (iterations == 0 ||
	    mbedtls_md_setup(&ctx, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1) != 0)
		goto out;
	if (mbedtls_pkcs5_pbkdf2_hmac(&ctx, (const unsigned char *)pw, pwlen, salt, saltlen,
				      iterations, (uint32_t)outlen, out) != 0)
		goto out;
	rc = 0;
out:
	mbedtls_md_free(&ctx);
	return rc;
}

int password_hash(const char *pw, size_t pwlen, unsigned iterations,
		  uint8_t salt[PASSWORD_SALT_LEN], uint8_t hash[32])
{
	if (auth_random(salt, PASSWORD_SALT_LEN) < 0)
		return -1;
	return password_pbkdf2(pw, pwlen, salt, PASSWORD_SALT_LEN, iterations, hash, 32);
}

int password_verify(const char *pw, size_t pwlen, const uint8_t salt[PASSWORD_SALT_LEN],
		    unsigned iterations, const uint8_t expected[32])
{
	uint8_t got[32];
	unsigned char diff = 0;
	int i;

	if (password_pbkdf2(pw, pwlen, salt, PASSWORD_SALT_LEN, iterations, got, sizeof(got)) < 0)
		return 0;
	for (i = 0; i < 32; i++)
		diff |= got[i] ^ expected[i];
	return diff == 0;
}

void password_dummy(const char *pw, size_t pwlen, unsigned iterations)
{
	static const uint8_t salt[PASSWORD_SALT_LEN] = "prosum-no-such!";
	uint8_t h[32];

	memset(h, 0, sizeof(h));
	(void)password_verify(pw, pwlen, salt, iterations, h);
}

const char *password_check(const char *pw, size_t pwlen)
{
	if (pwlen < PASSWORD_MIN)
		return "must be at least 10 bytes";
	if (pwlen > PASSWORD_MAX)
		return "must be at most 1024 bytes";
	if (memchr(pw, '\0', pwlen))
		return "must not hold a NUL character";
	return NULL;
}

unsigned password_iterations_from_env(void)
{
	const char *v = getenv("PROSUM_TEST_PBKDF2_ITERATIONS");
	char *end;
	unsigned long n;

	if (!v || !*v)
		return PASSWORD_ITERATIONS;
	n = strtoul(v, &end, 10);
	if (*end || n < 1 || n > 100000000UL) {
		fprintf(stderr, "prosumd: PROSUM_TEST_PBKDF2_ITERATIONS='%s' is not a count; "
				"using %d\n", v, PASSWORD_ITERATIONS);
		return PASSWORD_ITERATIONS;
	}
	fprintf(stderr, "prosumd: PROSUM_TEST_PBKDF2_ITERATIONS: passwords hashed with %lu "
			"iterations (for tests only)\n", n);
	return (unsigned)n;
}
