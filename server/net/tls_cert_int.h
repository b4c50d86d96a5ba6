/* tls_cert_int.h - what the certificate files of net/ (tls_cert*.c, tls_issue.c, tls_san.c,
 * tls_write.c) share; not part of the net/ interface. */
#ifndef PROSUM_TLS_CERT_INT_H
#define PROSUM_TLS_CERT_INT_H

#include <stddef.h>
#include <sys/types.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "net/tls_cert.h"

/* The names every server certificate carries, besides the --hostname ones. */
#define SAN_MAX (TLS_MAX_HOSTS + 3)
/* 19 entries of at most 253 bytes, each with a 4-byte header, and the sequence's. */
#define SAN_BUF_LEN (SAN_MAX * 260 + 16)
/* One certificate as PEM: the SAN extension plus under 1 KiB, in base64 with line breaks. */
#define CERT_PEM_LEN 16384
#define KEY_PEM_LEN 8192 /* room for an operator's RSA key.pem being re-certified */

/* One subjectAltName entry. */
struct san {
	unsigned char tag; /* 2 dNSName, 7 iPAddress */
	unsigned char ip[16];
	char name[254];
	size_t len; /* bytes of ip or name */
};

/* What one run needs: the random generator, and the CA and server keys and certificates. */
typedef struct tls_work {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context ca_key;
	mbedtls_x509_crt ca; /* parsed back from its PEM */
	mbedtls_pk_context key;
	unsigned char ca_pem[CERT_PEM_LEN];
	unsigned char chain_pem[2 * CERT_PEM_LEN];
	unsigned char key_pem[KEY_PEM_LEN];
} tls_work;

/* ---- tls_issue.c ---- */

/* A run's state with its contexts initialised, not yet seeded; NULL when out of memory.
 * Caller owns it; free with tls_work_free() (NULL is fine), which wipes the key's PEM. */
tls_work *tls_work_new(void);
void tls_work_free(tls_work *w);
/* Seed w's random generator. 0, or -1 with err. */
int tls_work_seed(tls_work *w, char *err, size_t errlen);
/* Makes the CA's key and certificate, writes ca-key.pem then ca.pem, and parses it into w->ca. */
int tls_issue_make_ca(tls_work *w, const tls_files *f, char *err, size_t errlen);
/* Loads an existing CA: its first certificate (a CA) and the key that matches it. */
int tls_issue_load_ca(tls_work *w, const tls_files *f, char *err, size_t errlen);
/* The server's key: key.pem when it exists (its pin stays), else a new one (*made gets
 * TLS_MADE_KEY). */
int tls_issue_server_key(tls_work *w, const tls_files *f, int *made, char *err, size_t errlen);
/* Write the server's key w->key to the new file `path` (0600). 0, or -1 with err. */
int tls_issue_save_key(tls_work *w, const char *path, char *err, size_t errlen);
/* Writes the server certificate into w->chain_pem, followed by the CA's. */
int tls_issue_cert(tls_work *w, const struct san *sans, size_t nsans, char *err, size_t errlen);

/* ---- tls_san.c ---- */

/*
 * A host name (letters, digits, '-', '.') or an IP literal, optionally in
 * brackets, as an entry: IP literals become iPAddress entries and nothing
 * else, names dNSName entries. -1 when it is neither.
 */
int tls_san_parse(const char *host, struct san *out);
/* Add e to v[0..*n) unless it is there already or v holds SAN_MAX. */
void tls_san_add(struct san *v, size_t *n, const struct san *e);
/* The --hostname values (at most TLS_MAX_HOSTS) added to v. 0, or -1 with err. */
int tls_san_hosts(struct san *v, size_t *n, const char *const *hosts, size_t nhosts, char *err,
		  size_t errlen);
/* The names every server certificate carries: localhost, 127.0.0.1 and ::1, added to v. */
void tls_san_always(struct san *v, size_t *n);
/* GeneralNames as DER at *der (inside buf); its length, or a negative mbedTLS error. */
int tls_san_encode(const struct san *v, size_t n, unsigned char *buf, size_t buflen,
		   unsigned char **der);
/* The dNSName and iPAddress entries of crt's subjectAltName, added to sans. 0, or -1. */
int tls_san_read(const mbedtls_x509_crt *crt, struct san *sans, size_t *nsans);

/* ---- tls_cert_read.c ---- */

/* The first certificate of a PEM file. 0 or an mbedTLS error. */
int tls_cert_parse_first(mbedtls_x509_crt *crt, const char *path);

/* ---- tls_write.c ---- */

/* Is there anything at path (a link counts, never followed)? */
int tls_exists(const char *path);
/* fsync the directory holding path so that the new name survives a crash; best effort. */
void tls_sync_parent(const char *path);
/* Creates path (never replacing anything), writes data and syncs it. Removes it on failure.
 * 0, or -1 with err. */
int tls_write_new_file(const char *path, const unsigned char *data, size_t len, mode_t mode,
		       char *err, size_t errlen);

#endif
