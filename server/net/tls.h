/* tls.h - mbedTLS server configuration, per-connection TLS over non-blocking sockets. */
#ifndef PROSUM_TLS_H
#define PROSUM_TLS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The shared server side: certificate chain, private key, random generator,
 * session-ticket keys. Thread-safe once made: every I/O thread makes its
 * connections from the same tls_server.
 */
typedef struct tls_server tls_server;
/* One connection's TLS state. Used by one thread at a time. Does not own the fd. */
typedef struct tls_conn tls_conn;

#define TLS_OK 0
#define TLS_WANT_READ (-1)
#define TLS_WANT_WRITE (-2)
#define TLS_ERROR (-3)   /* fatal: close the connection */
#define TLS_CLOSED (-4)  /* the peer closed (close_notify or EOF) */

/*
 * Load a PEM certificate (chain) and key. TLS 1.2 only, forward-secret AEAD
 * suites only (ECDHE-ECDSA/RSA with AES-GCM or ChaCha20-Poly1305), session
 * tickets on. Returns 0 and *out (free with tls_server_free()), or -1 with a
 * one-line reason in err.
 */
int tls_server_new(tls_server **out, const char *cert_file, const char *key_file,
		   char *err, size_t errlen);
/*
 * A tls_server is reference-counted: tls_server_new() gives one reference,
 * every tls_conn made from it holds another, so a server replaced by a reload
 * stays until the last connection that began on it is freed. tls_server_free()
 * drops a reference (NULL is accepted); the last frees it. Thread-safe.
 */
void tls_server_ref(tls_server *srv);
void tls_server_free(tls_server *srv);
/* Do both serve the same certificate chain? 1 or 0. */
int tls_server_same(const tls_server *a, const tls_server *b);
/* A line for the log: the first certificate's subject, expiry and DNS names. */
void tls_server_describe(const tls_server *srv, char *out, size_t len);

/* Make the TLS state for an accepted non-blocking socket; it holds a
 * reference to srv until tls_conn_free(). 0 or -1 (out of memory). About
 * 37 KiB each: two 16 KiB record buffers. Caller owns *out; free with
 * tls_conn_free() (accepts NULL), then close the fd. */
int tls_conn_new(tls_conn **out, tls_server *srv, int fd);
void tls_conn_free(tls_conn *c);

/* Drive the handshake: TLS_OK when done, TLS_WANT_READ/TLS_WANT_WRITE, TLS_ERROR, TLS_CLOSED. */
int tls_handshake(tls_conn *c);
/* Read decrypted bytes: > 0 count, or TLS_WANT_READ/TLS_WANT_WRITE/TLS_ERROR/TLS_CLOSED
 * (len 0 returns 0). */
ssize_t tls_read(tls_conn *c, void *data, size_t len);
/* Write: > 0 count accepted (may be less than len: at most one 16 KiB record
 * per call), or a TLS_ code (len 0 returns 0). After TLS_WANT_WRITE the same
 * data must be offered again. */
ssize_t tls_write(tls_conn *c, const void *data, size_t len);
/* Decrypted bytes already buffered inside the TLS state (no socket event will
 * announce them); 1 when only a not yet decrypted record is buffered. Non-zero
 * means: call tls_read() again without waiting. */
size_t tls_pending(const tls_conn *c);
/* Best-effort close_notify; never blocks. */
void tls_close_notify(tls_conn *c);

#endif
