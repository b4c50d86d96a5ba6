/* apijob.h - the shape every store-backed API call shares: authorise, run its query on a store thread, answer. */
#ifndef PROSUM_APIJOB_H
#define PROSUM_APIJOB_H

#include <jansson.h>
#include <stdint.h>

#include "api/auth.h"
#include "common/buf.h"
#include "net/conn.h"
#include "api/router.h"
#include "store/store.h"

typedef struct apijob apijob;

/* The call's own work, on a store thread, once the caller is authorised. A STORE_ code. */
typedef int (*apijob_query)(apijob *j, store_db *db, int64_t project_id);

/*
 * Embedded first in each handler's job struct. The handler sets what it needs
 * after apijob_init(); the query fills `answer` (JSON) or `text` (with
 * `text_type`), or refuses with a STORE_ code and, for STORE_CONFLICT,
 * STORE_INVALID and STORE_EXISTS, a `reason` and the `field` at fault.
 */
struct apijob {
	store_job job;           /* first: the store hands this pointer back */
	conn *conn;
	auth_creds creds;
	char project[ROUTER_PARAM_MAX + 1];
	int need;                /* AUTH_INGEST .. AUTH_ADMIN */
	apijob_query query;
	void (*release)(apijob *j); /* frees the enclosing struct and what it owns */
	const char *notfound;    /* the 404 message: "no such report" */
	int status;              /* set when auth_check refused, with `why` */
	const char *why;
	char actor[AUTH_ACTOR_MAX]; /* who, for the history of what the call changes */
	int global;              /* set after apijob_init(): the call names no project; `project` is
				  * ignored, the query gets project_id 0 and narrows by who.project_id */
	int unlimited;           /* with global: a credential limited to a project is refused */
	auth_identity who;       /* the caller, once authorised (role, project limit, user) */
	char reason[256];
	const char *field;
	int created;             /* answer 201 rather than 200 */
	json_t *answer;          /* owned */
	buf text;                /* a non-JSON answer (Markdown), with its type */
	const char *text_type;
};

/*
 * Set up `j` for the request: refuses at once (401, and -1) when no credential
 * was sent at all, so an anonymous caller costs no store work. The caller owns
 * the enclosing struct, freed through release() from then on.
 */
int apijob_init(apijob *j, request *rq, int need, apijob_query query, const char *notfound,
		void (*release)(apijob *j));
/* Hand the job to the store (write: the writer, in a transaction). On refusal the
 * 503 is answered and the job released. */
void apijob_submit(apijob *j, int write);
/* Answer from what the job holds (refusals, errors or the answer) without releasing it. */
void apijob_reply(apijob *j);
/* Answer a failed PE_* code through http_error_of(): `message` (NULL: the table's) and field. */
void apijob_reply_error(conn *c, int code, const char *message, const char *field);
/* The usual done task: apijob_reply(), then release. */
void apijob_done(loop_task *t);
/* Free what apijob itself owns (answer, text); for release() functions. */
void apijob_dispose(apijob *j);

#endif
