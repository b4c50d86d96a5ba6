/* workflow.h - the statuses of reports, groups and suggestions, and which changes between them are allowed. */
#ifndef PROSUM_WORKFLOW_H
#define PROSUM_WORKFLOW_H

/* Is `s` a status of reports and groups ("new", "triaged", ... "regressed")? */
int workflow_report_valid(const char *s);
/* Is `s` a status of suggestions ("new", "under_review", ... "duplicate")? */
int workflow_suggestion_valid(const char *s);

/*
 * May a person move a report or group from `from` to `to`? The same status is
 * always allowed (a no-op). "regressed" is set by prosum itself when a report
 * arrives from a build that contains the fix, never by hand.
 */
int workflow_report_transition_ok(const char *from, const char *to);
int workflow_suggestion_transition_ok(const char *from, const char *to);

/* "new, triaged, ..." for error messages. */
const char *workflow_report_list(void);
const char *workflow_suggestion_list(void);

#endif
