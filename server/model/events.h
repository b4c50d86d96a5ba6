/* events.h - the JSON of the events prosum records in the outbox (docs/notifications.md). */
#ifndef PROSUM_EVENTS_H
#define PROSUM_EVENTS_H

#include <stdint.h>

/*
 * Each builder returns the event's "data" object as compact JSON text, heap-allocated (the
 * caller frees it), or NULL when out of memory. Numbers are item numbers (12 for "R-12");
 * a 0 number or a NULL string leaves its optional field out. The schema is stable: fields
 * are only ever added. Fields marked internal name testers (install ids) and are for the
 * e-mail and news channels only: events_public() removes them before anything leaves.
 */
char *events_group_created(int64_t group, const char *title, const char *kind,
			   int64_t report, const char *release);
/* previous: the status before; report: the report that showed it (0: none). */
char *events_group_regressed(int64_t group, const char *title, const char *previous,
			     int64_t report, const char *release);
char *events_group_status_changed(int64_t group, const char *title, const char *status,
				  const char *previous);
char *events_group_fixed_in_release(int64_t group, const char *title, const char *release,
				    const char *commit);
/* report: 0 for a comment on the group; install_id (internal): the report's tester. */
char *events_report_comment(int64_t report, int64_t group, int64_t comment_id,
			    const char *body, const char *author, const char *install_id);
/* author_install (internal): the install that sent the suggestion. */
char *events_suggestion_created(int64_t num, const char *title, const char *status,
				const char *author_install);
char *events_suggestion_status_changed(int64_t num, const char *title, const char *status,
				       const char *previous, const char *author_install);
char *events_suggestion_shipped(int64_t num, const char *title, const char *release,
				const char *previous, const char *author_install);
char *events_release_created(const char *release, const char *commit, const char *previous);
char *events_test(const char *message);

/*
 * The whole event, {"id":"evt_<id>","type","project","time","data"}, as compact JSON text
 * (heap; the caller frees it), or NULL when data is not a JSON object or memory ran out.
 * public: without the internal fields (for webhooks and anything else that leaves prosum).
 */
char *events_envelope(int64_t id, const char *type, const char *project, int64_t time,
		      const char *data, int public);

/* Is `field` (a key of an event's data) internal? */
int events_field_internal(const char *field);

#endif
