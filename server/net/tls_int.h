/* tls_int.h - error text shared by the tls*.c files of net/; not part of the net/ interface. */
#ifndef PROSUM_TLS_INT_H
#define PROSUM_TLS_INT_H

#include <stddef.h>

/* Format into err (errlen bytes, NUL-terminated); nothing when err is NULL or errlen is 0. */
__attribute__((format(printf, 3, 4))) void tls_set_err(char *err, size_t errlen,
							const char *fmt, ...);
/* mbedTLS's text for an error code, e.g. "PK - Read/write of file failed", into buf. */
void tls_mbed_text(int ret, char *buf, size_t len);
/* "tls: <what>: <mbedTLS's text>" into err; returns -1, for `return tls_mbed_err(...)`. */
int tls_mbed_err(int ret, const char *what, char *err, size_t errlen);

#endif
