/* sign.h - Standard Webhooks secrets and signatures (HMAC-SHA256 with mbedTLS). */
#ifndef PROSUM_SIGN_H
#define PROSUM_SIGN_H

#include <stddef.h>
#include <stdint.h>

/* "whsec_" + base64 of 24 random bytes, with room for a given secret of up to 64 bytes. */
#define SIGN_SECRET_MAX 100
/* "v1," + base64 of 32 bytes. */
#define SIGN_SIGNATURE_MAX 64

#define SIGN_SECRET_RULE "\"whsec_\" followed by the base64 of 16 to 64 bytes"

/* A new secret into out. 0, or -1 when no randomness could be had. */
int sign_secret_new(char out[SIGN_SECRET_MAX + 1]);
/* Is s a secret of SIGN_SECRET_RULE's form? */
int sign_secret_ok(const char *s);
/* The webhook-signature value "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>", the key being
 * the secret's base64 decoded. 0, or -1 for a bad secret. */
int sign_standard(const char *secret, const char *id, int64_t timestamp, const char *body,
		  size_t len, char out[SIGN_SIGNATURE_MAX + 1]);

#endif
