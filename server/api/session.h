/* session.h - signing in and out: POST/GET/DELETE /api/v1/session, DELETE /api/v1/sessions, POST /api/v1/password. */
#ifndef PROSUM_SESSION_H
#define PROSUM_SESSION_H

#include "api/router.h"

/* POST /api/v1/session {"name","password"}: 200 {"name","role","project","csrf"} and the
 * session cookie; 401 "wrong name or password" for a wrong password and an unknown name
 * alike, after the same work; 429 when the address or the name tried too often. */
void session_signin(request *rq);
/* GET /api/v1/session: who the cookie signs in, with the CSRF token; 401 otherwise. */
void session_get(request *rq);
/* DELETE /api/v1/session: this session ends, the cookie is cleared (204). */
void session_signout(request *rq);
/* DELETE /api/v1/sessions: every session of this person ends: 200 {"ended":N}. */
void session_signout_all(request *rq);
/* POST /api/v1/password {"token","password"}: set the password from a one-time link, which
 * is then void, and sign in: as POST /api/v1/session. */
void session_set_password(request *rq);

#endif
