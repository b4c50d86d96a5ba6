/* links.h - the commit-message grammar that links commits to reports, groups and suggestions. */
#ifndef PROSUM_LINKS_H
#define PROSUM_LINKS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A commit message links history to the items testers sent: "Fixes R-12",
 * "closes G-3", "Implements: S-4". The parser reads `len` bytes (never a C
 * string: NULs are ordinary bytes), allocates nothing, keeps no state and
 * never reads outside msg[0, len). Any byte sequence is valid input.
 *
 * The grammar, exactly. Matching of letters is ASCII case-insensitive.
 *
 *   word byte  = A-Z a-z 0-9 '_' '-' or any byte >= 0x80
 *   word       = a maximal run of word bytes
 *   blank      = ' ' or '\t'
 *   space      = blank or '\r' or '\n'
 *
 *   link       = verb [blank* ':'] space* id (sep id)*
 *   verb       = a word that is exactly one of
 *                  fix fixes fixed close closes closed resolve resolves resolved   (kind FIX)
 *                  implement implements implemented                               (kind IMPLEMENT)
 *   id         = type '-' number, then an end (below)
 *   type       = 'R' | 'G' | 'S'
 *   number     = 1 to 15 decimal digits, the first not '0'  (1 .. 999999999999999)
 *   end        = the end of the message, or a byte that is not a word byte, where
 *                '.' must not be followed by a word byte ("R-12." ends a sentence,
 *                "R-12.5" and "R-12.txt" are not ids) and ',' must not be followed
 *                by a digit ("R-1,5" is not an id)
 *   sep        = blank* (',' space*)* ["and" space+]
 *                e.g. "R-1 R-2", "R-1, R-2", "R-1,R-2", "R-1 and R-2", "R-1, and R-2",
 *                "R-1,\n  R-2". "and" is a whole word. A line break is allowed only
 *                after ',' or "and": a trailer never runs into the next line, but a
 *                list in prose may wrap after a comma or "and".
 *
 * Consequences, each covered by the unit tests:
 *   - the verb must be a whole word: "prefixes R-1", "unfixed R-1", "re-fixes R-1",
 *     "fixes_R-1" and "fixesR-1" do not link;
 *   - nothing may stand between the verb and the first id but blanks, one colon and
 *     line breaks: "fixes bug R-1" and "fixes #R-1" do not link;
 *   - FIX verbs take R and G ids, IMPLEMENT verbs take S ids. An id of the other
 *     type in a list is skipped ("fixes S-2" links nothing) and the list goes on; a
 *     malformed id ("R-0", "R-012", "R-", "R-12a", "XR-1", a 16th digit) ends it;
 *   - one message may hold any number of links, in prose or trailers, and the same
 *     item named twice is reported once (the first time it appears).
 *
 * Cost: O(len + found * max) time, no memory.
 */

#define LINKS_FIX 1       /* fix / close / resolve a report (R) or a group (G) */
#define LINKS_IMPLEMENT 2 /* implement a suggestion (S) */

#define LINKS_MAX_DIGITS 15
/* A ceiling that callers may use for `max`; messages naming more are abuse. */
#define LINKS_MAX_REFS 256

typedef struct links_ref {
	int kind;    /* LINKS_FIX or LINKS_IMPLEMENT */
	char type;   /* 'R', 'G' or 'S', always upper case */
	int64_t num; /* 1 .. 999999999999999 */
} links_ref;

/*
 * Find the links in msg[0, len) and write the first `max` distinct ones to
 * out[], in the order they appear. `out` may be NULL when `max` is 0; `msg`
 * may be NULL when `len` is 0.
 *
 * Returns the number of distinct links when it is at most `max`. When more
 * were found the return value is larger than `max` and is an upper bound (the
 * links that did not fit were not compared with each other): call again with
 * room for that many to get them all and the exact count.
 */
size_t links_parse(const char *msg, size_t len, links_ref *out, size_t max);

#endif
