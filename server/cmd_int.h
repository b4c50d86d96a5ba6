/* cmd_int.h - what prosumd's commands share: the parsed command line and the helpers every command uses. */
#ifndef PROSUM_CMD_INT_H
#define PROSUM_CMD_INT_H

#include <stdint.h>

#include "api/auth.h"
#include "config.h"
#include "net/tls_cert.h"
#include "store/store.h"

typedef struct opts {
	config cfg;
	const char *name;    /* project add NAME */
	const char *repo;
	const char *role;
	const char *project;
	const char *label;
	const char *commit_url;
	const char *hosts[TLS_MAX_HOSTS]; /* init --hostname, in order */
	size_t nhosts;
	const char *version_tag; /* project add: the git ref a build.version names */
	int is_public;           /* project add --public: listed to visitors */
	const char *remote;      /* project set --remote */
	int is_private, yes, force, repair; /* project set --private, project remove --yes,
					     * restore --force, check --repair */
} opts;

/* Say "prosumd: " and fmt with arg on stderr; 1 (failed). usage_err: the same, 2 (a usage mistake). */
int die(const char *fmt, const char *arg);
int usage_err(const char *fmt, const char *arg);
/* Open the database of an initialised data directory for writing: 0, or 1 having said why. */
int open_db(const config *cfg, store_db **db);
/* The data directory's secret (made when create is set): 0, or 1 having said why. */
int load_secret(const config *cfg, uint8_t secret[AUTH_SECRET_LEN], int create);
/* Make a token, store its hash, print it; its id goes to *id. 0, or 1 having said why. */
int issue_token_id(store_db *db, const uint8_t secret[AUTH_SECRET_LEN], int role,
		   int64_t project_id, const char *label, int64_t *id);

/* options.c: the usage text, and the options shared by every command into *o (positional
 * arguments to o->name). 0, 1 when --help was asked (usage printed), -1 on a bad argument
 * (said why). */
extern const char prosumd_usage[];
int parse_opts(opts *o, int argc, char **argv);

/* tokencmd.c: prosumd token add|list|revoke and key add|list|revoke; exit statuses. */
int cmd_token_add(opts *o);
int cmd_token_list(opts *o);
int cmd_token_revoke(opts *o);
int cmd_key(opts *o, const char *sub);

#endif
