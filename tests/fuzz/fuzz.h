/* fuzz.h - the entry point of every fuzz harness, for libFuzzer and the replay driver. */
#ifndef PROSUM_FUZZ_H
#define PROSUM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Feed one input to the module under test. Returns 0; a broken invariant of
 * the module's contract aborts the process (so libFuzzer and the replay
 * driver both report it), a malformed input never does.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with the failed condition when an API promise does not hold. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(#cond, __FILE__, __LINE__);                                      \
	} while (0)

#include <stdio.h>
#include <stdlib.h>

static inline void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: broken promise: %s\n", file, line, what);
	abort();
}

#endif
