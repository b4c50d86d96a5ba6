/* password.h - passwords as PBKDF2-HMAC-SHA256 with a per-person salt and a stored work factor. */
#ifndef PROSUM_PASSWORD_H
#define PROSUM_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * The work factor of new passwords: OWASP's figure for PBKDF2-HMAC-SHA256. One hash
 * cost 0.47 s on the 2-core machine prosum is built on (measured by test_password,
 * which prints it); docs/accounts.md says why this count. Each person's count is
 * stored with the hash, so raising this leaves existing passwords working.
 */
#define PASSWORD_ITERATIONS 600000
#define PASSWORD_MIN 10   /* bytes */
#define PASSWORD_MAX 1024 /* bytes: hashing is linear in it, so it is bounded */
#define PASSWORD_SALT_LEN STORE_SALT_LEN

/* PBKDF2-HMAC-SHA256 of (pw, salt) with `iterations`, `outlen` bytes into out. 0 or -1. */
int password_pbkdf2(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
		    unsigned iterations, uint8_t *out, size_t outlen);

/* A fresh random salt and the 32-byte hash of pw under it. 0 or -1. */
int password_hash(const char *pw, size_t pwlen, unsigned iterations,
		  uint8_t salt[PASSWORD_SALT_LEN], uint8_t hash[32]);

/* 1 when pw hashes to `expected` (compared in constant time), else 0. */
int password_verify(const char *pw, size_t pwlen, const uint8_t salt[PASSWORD_SALT_LEN],
		    unsigned iterations, const uint8_t expected[32]);

/* The same work as password_verify() against nothing: for an unknown name, so that it
 * is answered after as long as a wrong password. */
void password_dummy(const char *pw, size_t pwlen, unsigned iterations);

/* Is pw acceptable as a new password? NULL, or why not. */
const char *password_check(const char *pw, size_t pwlen);

/*
 * The work factor serve uses: PASSWORD_ITERATIONS, or (for tests only, so that
 * a suite signing in dozens of times stays quick) $PROSUM_TEST_PBKDF2_ITERATIONS
 * when set to a number from 1 up; serve reads it once at start and says so on stderr.
 */
unsigned password_iterations_from_env(void);

#endif
