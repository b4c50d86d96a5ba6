/* tls_int.h - error text shared by tls.c and tls_cert.c; not part of the net/ interface. */
#ifndef PROSUM_TLS_INT_H
#define PROSUM_TLS_INT_H

#include <stddef.h>

/* Format into err (errlen bytes, NUL-terminated); nothing when err is NULL or errlen is 0. */
__attribute__((format(printf, 3, 4))) void tls_set_err(char *err, size_t errlen,
							const char *fmt, ...);
/* mbedTLS's text for an error code, e.g. "PK - Read/write of file failed", into buf. */
void tls_mbed_text(int ret, char *buf, size_t len);

#endif
