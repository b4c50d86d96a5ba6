/* notify.c - readiness and state for systemd (sd_notify), a no-op elsewhere. */
#include "net/notify.h"

#include <stdarg.h>
#include <stdio.h>

#ifdef PROSUM_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

void notify_send(const char *fmt, ...)
{
#ifdef PROSUM_SYSTEMD
	char state[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	(void)sd_notify(0, state);
#else
	(void)fmt;
#endif
}
