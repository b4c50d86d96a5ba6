/* weblink.h - the web app's address of an item (group, report, suggestion, release, project) under the server's public URL. */
#ifndef PROSUM_WEBLINK_H
#define PROSUM_WEBLINK_H

#include <stddef.h>

#include <jansson.h>

/* Room enough for any link these functions make (a public URL of at most 300 bytes, a project
 * name and a release name percent-encoded), with its NUL. */
#define WEBLINK_MAX 2048

/* The kinds of pages an item has in the web app (web/src/routes.js). */
typedef enum weblink_kind {
	WEBLINK_PROJECT,    /* /p/P: the project's home; `name` is ignored */
	WEBLINK_GROUP,      /* /p/P/groups/G-3 */
	WEBLINK_REPORT,     /* /p/P/reports/R-12 */
	WEBLINK_SUGGESTION, /* /p/P/board/S-4: the board item, which testers can open too */
	WEBLINK_RELEASE,    /* /p/P/releases/NAME */
	WEBLINK_MINE,       /* /p/P/mine: a tester's own reports and suggestions; `name` is ignored */
} weblink_kind;

/*
 * The page of item `name` ("G-3", "R-12", "S-4", a release's name) of `project` in the web app
 * under `base`, the server's public URL (https://HOST[:PORT], trailing slashes dropped), into
 * out. The project and the name are percent-encoded as encodeURIComponent() does (all but
 * A-Z a-z 0-9 - _ . ~), so any release name makes one path segment. 0, or -1 when an argument
 * is missing, base is longer than 300 bytes, or the link does not fit in outsz.
 */
int weblink(char *out, size_t outsz, const char *base, const char *project, weblink_kind kind,
	    const char *name);

/*
 * The page an outbox event is about (docs/notifications.md, "url"), from its type and data:
 * group.* the group; report.comment its report, else its group; suggestion.* the board item;
 * release.created the release; test and anything else the project's home (also when the
 * data does not name the item). 0, or -1 as weblink().
 */
int weblink_event(char *out, size_t outsz, const char *base, const char *project, const char *type,
		  const json_t *data);

#endif
