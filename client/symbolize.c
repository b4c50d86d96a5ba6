/* symbolize.c - crash records into crash reports: parse, symbolise with libdw, queue. */
#include "symbolize.h"

int symbolize_pending(prosum_client *c)
{
	return 0;
}
