/* event.h - a Sentry SDK event (JSON) mapped to the report document libprosum sends. */
#ifndef PROSUM_SENTRY_EVENT_H
#define PROSUM_SENTRY_EVENT_H

#include <jansson.h>
#include <stddef.h>

#define SENTRY_EVENT_ID_LEN 32 /* hex characters of an event_id, without dashes */

/*
 * Map a parsed event to a report document (version 1, docs/report-format.md). `event` is
 * scrubbed in place first (sentry_event_scrub). On success returns 0, *doc is a new
 * reference the caller owns and event_id holds the event's id in lower-case hex. On
 * refusal returns -1, *doc is NULL, and err names the field ("event_id must be 32 hex
 * digits"), field the field's path. At most max_frames frames are kept, innermost first.
 */
int sentry_event_map(json_t *event, size_t max_frames, json_t **doc,
		     char event_id[SENTRY_EVENT_ID_LEN + 1], char *err, size_t errlen, char *field,
		     size_t fieldlen);

/* The build revision a release names, as a report's build.revision would read it
 * ("app@1.4.0+abc1234" -> "abc1234", a bare hash, `git describe` output as it is) into out;
 * "" when it names none or it does not fit in outsz. */
void sentry_release_revision(const char *release, char *out, size_t outsz);

/* Replace, anywhere in v, the values of members whose names hold password, passwd, secret,
 * token, api_key, apikey, auth, cookie or session (any case; authorization and set-cookie
 * included) by "[Filtered]"; so too the second of a [name, value] pair (headers). */
void sentry_event_scrub(json_t *v);

#endif
