/* static.h - the web app over HTTP: immutable assets, and the app's page for every other path. */
#ifndef PROSUM_WEB_STATIC_H
#define PROSUM_WEB_STATIC_H

#include "http/http.h"

struct request;

/*
 * Does the web app answer this request? GET and HEAD of every path except those of the API
 * (under /api/), /healthz and /metrics. The router asks only when no API route matched.
 */
int web_static_owns(const http_request *req);

/*
 * Answer a request web_static_owns() took:
 *  - /assets/NAME: the asset (404 JSON "not_found" for an unknown name), cached for a year
 *    as immutable (its name changes with its content);
 *  - any other path: the app's index.html, "Cache-Control: no-cache" (revalidated each load,
 *    so a new build is picked up at once), so that deep links work.
 * Both: gzip when Accept-Encoding allows it (and "Vary: Accept-Encoding"), a strong ETag per
 * representation, 304 when If-None-Match names it. The security headers every answer carries
 * are added by the connection (net/conn.c).
 */
void web_static_serve(struct request *rq);

/* Does Accept-Encoding (the first such header) allow gzip: "gzip" or "x-gzip" or "*" with
 * a q-value above 0? No header: no. */
int web_accepts_gzip(const http_request *req);

/* Does an If-None-Match value ("*", or a list of entity tags, weak or strong) match `etag`
 * (quoted)? Weak comparison, as RFC 9110 13.1.2 asks for If-None-Match. */
int web_etag_matches(http_slice inm, const char *etag);

#endif
