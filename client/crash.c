/* crash.c - the opt-in crash handler: fatal signals to crash records, async-signal-safe. */
#include "crash.h"
#include "prosum.h"

int prosum_install_crash_handler(prosum_client *client)
{
	return PROSUM_ERROR;
}

void prosum_uninstall_crash_handler(void)
{
}
