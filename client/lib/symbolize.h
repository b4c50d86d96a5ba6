/* symbolize.h - turning crash records left by the crash handler into crash reports (libdw). */
#ifndef PROSUM_CLIENT_SYMBOLIZE_H
#define PROSUM_CLIENT_SYMBOLIZE_H

#include "prosum.h"

/*
 * Turn every *.crash record in the client's spool into a queued crash
 * report, then delete the record. Best effort: a record that cannot be read
 * is logged to prosum.log and set aside as *.crash.bad. Returns how many
 * reports were queued.
 */
int symbolize_pending(prosum_client *c);

#endif
