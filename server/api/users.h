/* users.h - the people API: list, add, change, fresh links (admin), and who may be assigned. */
#ifndef PROSUM_USERS_H
#define PROSUM_USERS_H

#include "api/router.h"

/* GET /api/v1/users (admin): {"items":[{"name","role","project","disabled","password_set",
 * "created_at"}]}. */
void users_list(request *rq);
/* POST /api/v1/users {"name","role","project"?} (admin): 201 {"name","role","project","link"}. */
void users_add(request *rq);
/* PATCH /api/v1/users/{name} {"role"?,"project"?,"disabled"?} (admin): the person. */
void users_patch(request *rq);
/* POST /api/v1/users/{name}/link (admin): {"name","link"}, the previous link void. */
void users_link(request *rq);
/* GET /api/v1/projects/{p}/people (developer): {"items":[{"name","role"}]}. */
void users_people(request *rq);

/* Is `s` a person's name: 1-64 characters A-Z a-z 0-9 . _ -, starting with a letter or digit? */
int users_name_ok(const char *s);
/* How people are told to find who exists, for refusals naming a person. */
#define USERS_HOW_TO_FIND                                                                    \
	"see GET /api/v1/projects/{p}/people, or 'prosumd user list' on the server"

#endif
