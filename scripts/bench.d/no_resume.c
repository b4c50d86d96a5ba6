/* no_resume.c - LD_PRELOAD shim for wrk: forget the TLS session when a connection is reset, so every new connection makes a full handshake. */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <stddef.h>

/*
 * wrk reuses one OpenSSL SSL object per connection slot and calls SSL_clear()
 * before it reconnects; SSL_clear() keeps the session, so with
 * "Connection: close" every request after the first resumes it (an
 * abbreviated handshake, no public-key work). Dropping the session here makes
 * each reconnection a full handshake, which is what a client that has never
 * been seen costs the server. The OpenSSL types stay opaque: nothing here
 * needs the headers.
 */
typedef struct ssl_st SSL;
typedef struct ssl_session_st SSL_SESSION;

int SSL_clear(SSL *s);

int SSL_clear(SSL *s)
{
	static int (*real_clear)(SSL *);
	static int (*set_session)(SSL *, SSL_SESSION *);
	int rc;

	if (!real_clear) {
		real_clear = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_clear");
		set_session = (int (*)(SSL *, SSL_SESSION *))dlsym(RTLD_NEXT, "SSL_set_session");
	}
	if (!real_clear)
		return 0;
	rc = real_clear(s);
	if (rc == 1 && set_session)
		set_session(s, NULL);
	return rc;
}
