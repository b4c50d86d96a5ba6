/* tls_err.c - the TLS layer's error text: one line into the caller's buffer, mbedTLS's words. */
#include "net/tls_int.h"

#include <stdarg.h>
#include <stdio.h>

#include <mbedtls/error.h>

void tls_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void tls_mbed_text(int ret, char *buf, size_t len)
{
	mbedtls_strerror(ret, buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "mbedTLS error -0x%04x", (unsigned)-ret);
}

int tls_mbed_err(int ret, const char *what, char *err, size_t errlen)
{
	char msg[200];

	tls_mbed_text(ret, msg, sizeof(msg));
	tls_set_err(err, errlen, "tls: %s: %s", what, msg);
	return -1;
}
