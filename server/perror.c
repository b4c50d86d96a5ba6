/* perror.c - the per-thread last error message behind perr_set() and perr_last(). */
#include "perror.h"

#include <stdarg.h>
#include <stdio.h>

#include "common/buf.h"

/* buf's two codes stay its own (common/ is shared with the client); none may meet a PE_ code
 * that is told apart from them, such as HTTP_ERROR (PE_PROTOCOL) from http_gunzip(). */
_Static_assert(BUF_NOMEM != PE_PROTOCOL && BUF_TOO_LARGE != PE_PROTOCOL,
	       "BUF_* must stay apart from PE_PROTOCOL");

static _Thread_local char last_msg[512];
static _Thread_local int last_code;

int perr_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	last_code = code;
	return code;
}

const char *perr_last(void)
{
	return last_msg;
}

int perr_last_code(void)
{
	return last_code;
}

void perr_clear(void)
{
	last_msg[0] = '\0';
	last_code = PE_OK;
}

const char *perr_name(int code)
{
	switch (code) {
	case PE_OK:
		return "ok";
	case PE_ERROR:
		return "error";
	case PE_NOTFOUND:
		return "not found";
	case PE_EXISTS:
		return "exists";
	case PE_BUSY:
		return "busy";
	case PE_STOPPED:
		return "stopped";
	case PE_CONFLICT:
		return "conflict";
	case PE_INVAL:
		return "invalid";
	case PE_FULL:
		return "disk full";
	case PE_FORBIDDEN:
		return "forbidden";
	case PE_NOMEM:
		return "out of memory";
	case PE_TOOBIG:
		return "too large";
	case PE_TOOMANY:
		return "too many";
	case PE_IO:
		return "i/o error";
	case PE_AMBIGUOUS:
		return "ambiguous";
	case PE_UNSUPPORTED:
		return "unsupported";
	case PE_PROTOCOL:
		return "protocol error";
	}
	return "unknown error";
}
