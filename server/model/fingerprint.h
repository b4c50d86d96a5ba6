/* fingerprint.h - the grouping rule: which reports are one problem (their fingerprint). */
#ifndef PROSUM_MODEL_FINGERPRINT_H
#define PROSUM_MODEL_FINGERPRINT_H

#include "model/report.h"

/*
 * The grouping key of a report, hashed into r->fingerprint by report_parse():
 * the client's "fingerprint" array when given (see fingerprint_is_default); else, when the report has an
 * exception type or frames with functions, the exception type and the
 * normalised function names of the top five such frames (addresses, offsets,
 * files and line numbers never count); else the kind and the normalised title
 * (case, runs of white space and runs of digits folded). The exact rules are
 * in fingerprint.c; changing them splits existing groups. Reads r->root, kind,
 * title and exception_type. Writes the lower-case hex SHA-256 into `hex`.
 */
void report_fingerprint(const report *r, char hex[65]);

/*
 * Is s Sentry's "{{ default }}" ("{{default}}" and other spacing inside the braces, any
 * case of "default")? In a custom fingerprint it stands for the default grouping key:
 * ["{{ default }}", "db"] splits the default group by "db", ["{{ default }}"] alone is
 * the default grouping. 1 or 0; s may be NULL.
 */
int fingerprint_is_default(const char *s);

#endif
