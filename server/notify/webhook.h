/* webhook.h - one webhook request: the body of an event in a format, signed, sent with libcurl. */
#ifndef PROSUM_WEBHOOK_H
#define PROSUM_WEBHOOK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The formats a webhook may have. */
#define WEBHOOK_FORMAT_RULE "one of standard, slack, discord"
int webhook_format_ok(const char *format);

/* The event types a webhook may ask for ("*": every one), as the rule says them. */
#define WEBHOOK_EVENTS_RULE                                                                        \
	"a non-empty array of event types: \"*\" or group.created, group.regressed, "              \
	"group.status_changed, group.fixed_in_release, report.comment, suggestion.created, "       \
	"suggestion.status_changed, suggestion.shipped, release.created, test"
/* Is v a JSON array of WEBHOOK_EVENTS_RULE's form, without repeats? */
int webhook_events_ok(const json_t *v);

/*
 * The body sent for outbox event `event_id` (type, project, unix time, data: its JSON object
 * text) to a webhook of `format`: "standard" is {"id":"evt_N","type","project","time","url",
 * "data"} with the internal fields of data removed, url the web app's page of the event's item
 * under `base` (the server's public URL, model/weblink.h); "slack" {"text"} and "discord"
 * {"content"} carry a one-line message whose item links to that page. malloc'd, NULL when out
 * of memory, data is not a JSON object or base is unusable.
 */
char *webhook_body(const char *format, int64_t event_id, const char *type, const char *project,
		   int64_t time, const char *data, const char *base);

/* What one attempt came to. */
typedef struct webhook_result {
	int status;              /* the HTTP status, -1 when no answer came */
	int64_t duration_ms;
	int64_t retry_after_ms;  /* from a Retry-After header, -1 when none */
	int aborted;             /* *stop was set during the request: nothing to record */
	char error[256];         /* why it failed ("" on a 2xx) */
} webhook_result;

/*
 * POST body to url with the Standard Webhooks headers (webhook-id: msg_id, webhook-timestamp,
 * webhook-signature from secret). Connecting is refused to non-public addresses (ssrf.h),
 * checked on the address actually connected to, unless allow_private. No redirects, no
 * proxies, 10 s to connect and 30 s in all. Returns 0 once out is filled.
 */
int webhook_send(const char *url, const char *secret, const char *msg_id, int64_t timestamp,
		 const char *body, int allow_private, atomic_int *stop, webhook_result *out);

#endif
