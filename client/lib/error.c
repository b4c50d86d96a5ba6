/* error.c - per-thread last error message of libprosum. */
#include "lib/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * The one piece of state outside a handle: each thread's last error, as the
 * API promises (prosum_error_last()). Thread-local, so never shared.
 */
static _Thread_local char last_error[1024];
static _Thread_local char last_untrusted[1024];

static void clean(char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
	}
}

int error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	clean(last_error);
	return code;
}

int error_set_untrusted(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	clean(last_error);
	memcpy(last_untrusted, last_error, sizeof(last_untrusted));
	return PROSUM_ETLS;
}

const char *error_untrusted(void)
{
	return last_untrusted[0] ? last_untrusted : NULL;
}

int error_set_errno(int code, int errnum, const char *fmt, ...)
{
	char why[256];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	/* strerror_r (GNU) may or may not use the buffer given. */
	const char *msg = strerror_r(errnum, why, sizeof(why));
	n = strlen(last_error);
	if (n < sizeof(last_error))
		snprintf(last_error + n, sizeof(last_error) - n, ": %s", msg);
	clean(last_error);
	return code;
}

const char *error_name(int code)
{
	switch (code) {
	case PROSUM_OK:
		return "ok";
	case PROSUM_EINVALID:
		return "invalid";
	case PROSUM_ENOMEM:
		return "out of memory";
	case PROSUM_EIO:
		return "i/o";
	case PROSUM_ENETWORK:
		return "network";
	case PROSUM_ETLS:
		return "tls";
	case PROSUM_ETIMEOUT:
		return "timeout";
	case PROSUM_EHTTP:
		return "http";
	case PROSUM_EPROTOCOL:
		return "protocol";
	case PROSUM_ETOOBIG:
		return "too big";
	case PROSUM_EBUSY:
		return "busy";
	case PROSUM_ESTATE:
		return "state";
	case PROSUM_EAUTH:
		return "refused key or project";
	default:
		return "error";
	}
}

const char *prosum_error_last(void)
{
	return last_error[0] ? last_error : "no error";
}

void prosum_error_clear(void)
{
	last_error[0] = '\0';
	last_untrusted[0] = '\0';
}
