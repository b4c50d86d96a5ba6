/* tester.h - testers on the board: sign-in links from the beta build, tester sessions, and what a
 * call acting for an install needs. */
#ifndef PROSUM_TESTER_H
#define PROSUM_TESTER_H

#include <jansson.h>
#include <stddef.h>

#include "api/apijob.h"
#include "api/router.h"

struct ratelimit;

/* POST /api/v1/projects/{p}/board-links: the ingest key and X-Prosum-Install (body
 * {"name"} optional) -> 201 {"url","expires_at"}: a one-time link that signs this install in
 * to the project's board, valid PROSUM_BOARD_LINK_SECONDS. 429 when the install asks too often. */
void tester_board_link(request *rq);

/* POST /api/v1/board/session {"token"}: a link's token -> a tester session (the session cookie)
 * and {"kind":"tester","project","install","name","csrf"}; 422 on `token` when the link is
 * unknown, used or expired. */
void tester_board_session(request *rq);

/* What GET /api/v1/session answers for a tester's session. New reference; NULL when out of
 * memory. */
json_t *tester_whoami(const auth_identity *who, const char *csrf);

/* Is `s` an install id as the API takes it: 1 to 128 printable ASCII characters, no space? */
int tester_install_ok(const char *s);

/* Does `v` hold a credit name: text of 1 to STORE_TESTER_NAME_MAX bytes without control
 * characters? */
int tester_name_ok(const char *s);

/*
 * In a query (on a store thread): the install the call acts for. A tester's session acts for
 * its own: `named` (what the body or a header said, NULL when nothing) must be NULL or that
 * install, else the call is refused 403. Any other caller must have named one, else STORE_INVALID
 * on `field`. 0 and *install (borrowed from j or `named`), or 1 when the query must return *rc
 * at once (j says the refusal).
 */
int tester_install(apijob *j, const char *named, const char *field, const char **install, int *rc);

/*
 * In a query: take one from `install`'s bucket of `l` when the caller acts as a tester (an ingest
 * key or a tester's session; the team is not counted). 0, or 1 after setting j's 429 refusal
 * with its Retry-After (the query then returns STORE_OK and changes nothing).
 */
int tester_rate(apijob *j, struct ratelimit *l, const char *install);

#endif
