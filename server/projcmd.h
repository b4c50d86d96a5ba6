/* projcmd.h - prosumd project list|show|set|remove: projects managed from the server's shell. */
#ifndef PROSUM_PROJCMD_H
#define PROSUM_PROJCMD_H

#include "config.h"
#include "store/store.h"

/* What `project set` changes: NULL (or -1 for is_public) leaves a setting as it is; "" removes
 * a text setting (not remote). */
typedef struct projcmd_settings {
	const char *repo;        /* a git repository path (stored absolute) */
	const char *remote;      /* the URL of the repository's "origin" remote */
	const char *commit_url;
	const char *version_tag;
	int is_public;           /* 1 --public, 0 --private, -1 unchanged */
} projcmd_settings;

/*
 * Each works on an open write connection and returns the exit status (0 done, 1 failed,
 * 2 a usage mistake), having said why on stderr. `host` is HOST[:PORT] for the DSN, picked
 * as project add picks it.
 */
int projcmd_list(store_db *db);
int projcmd_show(store_db *db, const char *name, const char *host);
int projcmd_set(store_db *db, const char *name, const projcmd_settings *set, const char *host);
/* Without `yes`, says what would go and exits 1 changing nothing. */
int projcmd_remove(const config *cfg, store_db *db, const char *name, int yes);

#endif
