/* crash.h - the crash record the signal handler writes, and its parser for symbolize.c. */
#ifndef PROSUM_CLIENT_CRASH_H
#define PROSUM_CLIENT_CRASH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/client_limits.h"
#include "prosum.h"

/*
 * A crash record, NNNNNNNNNNNNNNNNNNNN-PID.crash in the spool (NNN: the wall
 * clock in ns at the crash). Text, one "key value" per line, in this order:
 *
 *   prosum-crash 1
 *   uuid U            the report's uuid, made at install time
 *   install_id I
 *   exe PATH          the executable, from /proc/self/exe
 *   base 0xHEX        load bias of the executable (PIE)
 *   build_id HEX      its GNU build id, to check the file is still the same
 *   version V         build information of the crashed program
 *   revision R
 *   channel C
 *   source_root S     prefix stripped from source paths
 *   time SECONDS      since the epoch
 *   pid N
 *   signal N
 *   code N            siginfo si_code
 *   address 0xHEX     siginfo si_addr
 *   pc 0xHEX          the program counter at the signal
 *   access read|write|unknown
 *   frames N          then N lines "0xHEX": the return addresses, innermost first
 *   maps              then /proc/self/maps as it was (cut at 256 KiB,
 *   end               maybe mid-line), then "end" and a newline
 *
 * Values may be empty. The file is written to .tmp-crash-PID, fsync'd and
 * renamed: a record that exists is complete.
 */

typedef struct crash_record {
	const char *uuid;
	const char *install_id;
	const char *exe;
	uint64_t base;
	const char *build_id;
	const char *version;
	const char *revision;
	const char *channel;
	const char *source_root;
	int64_t time;
	long pid;
	int signal;
	int code;
	uint64_t address;
	uint64_t pc;
	const char *access;
	uint64_t frames[PROSUM_CRASH_MAX_FRAMES];
	size_t nframes;
	const char *maps; /* not NUL-terminated; ends at a line boundary */
	size_t maps_len;
} crash_record;

/*
 * Parse a record of `len` bytes in `bytes` (modified: header lines are
 * NUL-terminated in place; the strings of *out point into it). 0 or
 * PROSUM_EINVALID with the reason set.
 */
int crash_record_parse(crash_record *out, char *bytes, size_t len);

/* Forget the crash handler if `c` installed it (from prosum_close()). */
void crash_release(const prosum_client *c);

/* Async-signal-safe number formatting, exposed for tests. Return the length written (no NUL). */
size_t crash_format_dec(char *out, uint64_t v);
size_t crash_format_hex(char *out, uint64_t v); /* "0x..." lower-case */

#endif
