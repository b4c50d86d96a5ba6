/* pk_bound.c - the public-key bound of full TLS handshakes with mbedTLS: ECDSA P-256 signs and ECDHE per second on one core. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

/*
 * A full TLS 1.2 ECDHE-ECDSA handshake costs the server one ECDSA signature
 * (ServerKeyExchange) and one ECDHE: a fresh key pair, then the shared secret
 * from the client's share. Everything else (hashes, AES-GCM, the session
 * ticket) is small beside them. The loops below do the same mbedTLS calls as
 * the server side of a handshake (ssl_srv.c: mbedtls_pk_sign with the server's
 * key; mbedtls_ecdh_setup, _make_params, _read_public, _calc_secret on a fresh
 * context), single-threaded, so each rate is per core.
 */

typedef struct rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
} rng;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int err(const char *what, int ret)
{
	char msg[128];

	mbedtls_strerror(ret, msg, sizeof(msg));
	fprintf(stderr, "pk_bound: %s: %s (-0x%04x)\n", what, msg, (unsigned)-ret);
	return -1;
}

/* Signatures per second of the server key over a SHA-256 hash. */
static int bench_sign(mbedtls_pk_context *pk, rng *r, double seconds, double *rate)
{
	unsigned char hash[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t sig_len;
	double t0 = now_s(), t;
	long n = 0;
	int ret;

	memset(hash, 0x5a, sizeof(hash));
	do {
		hash[n % 32]++;
		ret = mbedtls_pk_sign(pk, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, &sig_len,
				      mbedtls_ctr_drbg_random, &r->drbg);
		if (ret != 0)
			return err("mbedtls_pk_sign", ret);
		n++;
		t = now_s();
	} while (t - t0 < seconds);
	*rate = (double)n / (t - t0);
	return 0;
}

/* Server-side ECDHE exchanges per second on one group. */
static int bench_ecdhe(mbedtls_ecp_group_id gid, rng *r, double seconds, double *rate)
{
	mbedtls_ecdh_context cli, srv;
	unsigned char share[MBEDTLS_ECP_MAX_PT_LEN + 1], params[MBEDTLS_ECP_MAX_PT_LEN + 8];
	unsigned char secret[MBEDTLS_ECP_MAX_BYTES];
	size_t share_len, params_len, secret_len;
	double t0, t;
	long n = 0;
	int ret;

	/* The client's share, made once: the client's work is not the server's. */
	mbedtls_ecdh_init(&cli);
	ret = mbedtls_ecdh_setup(&cli, gid);
	if (ret == 0)
		ret = mbedtls_ecdh_make_public(&cli, &share_len, share, sizeof(share),
					       mbedtls_ctr_drbg_random, &r->drbg);
	mbedtls_ecdh_free(&cli);
	if (ret != 0)
		return err("client share", ret);

	t0 = now_s();
	do {
		mbedtls_ecdh_init(&srv);
		ret = mbedtls_ecdh_setup(&srv, gid);
		if (ret == 0)
			ret = mbedtls_ecdh_make_params(&srv, &params_len, params, sizeof(params),
						       mbedtls_ctr_drbg_random, &r->drbg);
		if (ret == 0)
			ret = mbedtls_ecdh_read_public(&srv, share, share_len);
		if (ret == 0)
			ret = mbedtls_ecdh_calc_secret(&srv, &secret_len, secret, sizeof(secret),
						       mbedtls_ctr_drbg_random, &r->drbg);
		mbedtls_ecdh_free(&srv);
		if (ret != 0)
			return err("server ECDHE", ret);
		n++;
		t = now_s();
	} while (t - t0 < seconds);
	*rate = (double)n / (t - t0);
	return 0;
}

/* Handshakes per second when each costs one sign and one exchange. */
static double combined(double sign, double ecdhe)
{
	return 1.0 / (1.0 / sign + 1.0 / ecdhe);
}

int main(int argc, char **argv)
{
	static const char pers[] = "prosum pk_bound";
	mbedtls_pk_context pk;
	rng r;
	double seconds = 1.0, sign = 0, x25519 = 0, p256 = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int ret, status = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pk_bound KEY.pem [SECONDS-PER-TEST]\n");
		return 2;
	}
	if (argc == 3) {
		char *end;

		errno = 0;
		seconds = strtod(argv[2], &end);
		if (errno || end == argv[2] || *end || seconds < 0.05 || seconds > 60) {
			fprintf(stderr, "pk_bound: bad SECONDS '%s'\n", argv[2]);
			return 2;
		}
	}
	if (cores < 1)
		cores = 1;
	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&r.entropy);
	mbedtls_ctr_drbg_init(&r.drbg);
	ret = mbedtls_ctr_drbg_seed(&r.drbg, mbedtls_entropy_func, &r.entropy,
				    (const unsigned char *)pers, sizeof(pers) - 1);
	if (ret != 0) {
		err("mbedtls_ctr_drbg_seed", ret);
		goto out;
	}
	ret = mbedtls_pk_parse_keyfile(&pk, argv[1], NULL);
	if (ret != 0) {
		err(argv[1], ret);
		goto out;
	}
	if (!mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECDSA)) {
		fprintf(stderr, "pk_bound: %s is not an ECDSA key\n", argv[1]);
		goto out;
	}
	if (bench_sign(&pk, &r, seconds, &sign) < 0 ||
	    bench_ecdhe(MBEDTLS_ECP_DP_CURVE25519, &r, seconds, &x25519) < 0 ||
	    bench_ecdhe(MBEDTLS_ECP_DP_SECP256R1, &r, seconds, &p256) < 0)
		goto out;
	printf("BENCH cores %ld\n", cores);
	printf("BENCH ecdsa_p256_sign_per_s %.1f\n", sign);
	printf("BENCH ecdhe_x25519_per_s %.1f\n", x25519);
	printf("BENCH ecdhe_p256_per_s %.1f\n", p256);
	printf("BENCH handshake_x25519_per_core %.1f\n", combined(sign, x25519));
	printf("BENCH handshake_p256_per_core %.1f\n", combined(sign, p256));
	printf("BENCH bound_x25519 %.1f\n", combined(sign, x25519) * (double)cores);
	printf("BENCH bound_p256 %.1f\n", combined(sign, p256) * (double)cores);
	status = 0;
out:
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&r.drbg);
	mbedtls_entropy_free(&r.entropy);
	return status;
}
