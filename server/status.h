/* status.h - the statuses of reports, groups and suggestions, and which changes between them are allowed. */
#ifndef PROSUM_STATUS_H
#define PROSUM_STATUS_H

/* Is `s` a status of reports and groups ("new", "triaged", ... "regressed")? */
int status_report_valid(const char *s);
/* Is `s` a status of suggestions ("new", "under_review", ... "duplicate")? */
int status_suggestion_valid(const char *s);

/*
 * May a person move a report or group from `from` to `to`? The same status is
 * always allowed (a no-op). "regressed" is set by prosum itself when a report
 * arrives from a build that contains the fix, never by hand.
 */
int status_report_transition_ok(const char *from, const char *to);
int status_suggestion_transition_ok(const char *from, const char *to);

/* "new, triaged, ..." for error messages. */
const char *status_report_list(void);
const char *status_suggestion_list(void);

#endif
