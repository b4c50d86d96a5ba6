/* tls_cert.h - the local CA and server certificate that init makes, and public-key pins. */
#ifndef PROSUM_TLS_CERT_H
#define PROSUM_TLS_CERT_H

#include <stddef.h>

/* At most this many --hostname values, each a DNS name or an IP literal of at most 253 bytes. */
#define TLS_MAX_HOSTS 16
#define TLS_MAX_HOSTS_TEXT "16"

/* The server certificate's lifetime, counted from a day before it is made. */
#define TLS_SERVER_CERT_DAYS 825
/* The local CA's lifetime, in years. */
#define TLS_CA_YEARS 10

/* "sha256//" and 44 base64 characters, with the NUL. */
#define TLS_PIN_LEN 53

/* The four files of a data directory's tls/ folder. */
typedef struct tls_files {
	const char *ca_cert; /* ca.pem: the local CA's certificate, for clients to trust */
	const char *ca_key;  /* ca-key.pem: the CA's private key (0600) */
	const char *cert;    /* cert.pem: the server certificate, then the CA's certificate */
	const char *key;     /* key.pem: the server's private key (0600) */
} tls_files;

/* What tls_cert_init() made (bit set). */
#define TLS_MADE_CA 1
#define TLS_MADE_CERT 2
#define TLS_MADE_KEY 4

/*
 * Make what is missing, never overwriting anything:
 * - when f->cert exists, nothing (a data directory made before the local CA
 *   existed keeps its self-signed certificate);
 * - else a server certificate signed by the CA, for hosts[0..nhosts) plus
 *   localhost, 127.0.0.1 and ::1 (names as dNSName, IP literals as
 *   iPAddress), CA:FALSE, digitalSignature, extendedKeyUsage serverAuth,
 *   valid TLS_SERVER_CERT_DAYS. Its key is f->key when that exists (so its
 *   pin stays), else a new ECDSA P-256 key. The CA is loaded from f->ca_cert
 *   and f->ca_key, or made when neither exists (ECDSA P-256, CA:TRUE,
 *   pathlen 0, keyCertSign and cRLSign, TLS_CA_YEARS).
 * cert.pem holds the server certificate followed by the CA's, so that the
 * server sends the chain and cert.pem alone is also a usable CA file.
 * Keys are created mode 0600, certificates 0644 (less the umask). *made
 * gets TLS_MADE_* bits. Returns 0, or -1 with a one-line reason in err.
 */
int tls_cert_init(const tls_files *f, const char *const *hosts, size_t nhosts, int *made, char *err,
		  size_t errlen);

/* Is `host` a name tls_cert_init() takes for --hostname (a DNS name or an IP literal)? */
int tls_cert_host_ok(const char *host);

/*
 * The public-key pin of the first certificate in a PEM file:
 * "sha256//" + base64(SHA-256(SubjectPublicKeyInfo)), the form curl's
 * CURLOPT_PINNEDPUBLICKEY, PROSUM_PIN and `prosum --pin` take. pin must hold
 * TLS_PIN_LEN bytes. Returns 0, or -1 with err.
 */
int tls_cert_pin(const char *cert_path, char *pin, size_t pinlen, char *err, size_t errlen);

/* Is the first certificate in the file its own issuer (a data directory's old certificate)? 1, 0,
 * -1. */
int tls_cert_self_signed(const char *cert_path);

/*
 * `prosumd cert renew`: a new server certificate signed by the local CA, for
 * the key in f->key (made when missing), valid TLS_SERVER_CERT_DAYS, for
 * hosts[0..nhosts) or, when nhosts is 0, the names f->cert has now; with
 * localhost, 127.0.0.1 and ::1 always. f->cert is replaced by a rename, so a
 * server reading it sees the old file or the new one. names (may be NULL) gets
 * the names, comma-separated. 0, or -1 with a one-line reason in err.
 */
int tls_cert_renew(const tls_files *f, const char *const *hosts, size_t nhosts, char *names,
		   size_t nameslen, char *err, size_t errlen);

/* Does the first certificate of the file name `host` in its subjectAltName? 1, 0, -1. */
int tls_cert_has_host(const char *cert_path, const char *host);

#endif
