/* usercmd.h - prosumd user add|list|link|disable: people who sign in, managed from the server's shell. */
#ifndef PROSUM_USERCMD_H
#define PROSUM_USERCMD_H

#include <stdint.h>

#include "config.h"
#include "store/store.h"

/*
 * Each works on an open write connection and returns the exit status (0 done,
 * 1 failed, 2 a usage mistake), having said why on stderr. `host` is
 * HOST[:PORT] for links (https://HOST/welcome#TOKEN), as project add picks it.
 */
int usercmd_add(store_db *db, const uint8_t secret[PROSUM_SECRET_LEN], const char *name,
		const char *role, const char *project, const char *host);
int usercmd_list(store_db *db);
/* A fresh one-time link; the previous one is void. */
int usercmd_link(store_db *db, const uint8_t secret[PROSUM_SECRET_LEN], const char *name,
		 const char *host);
/* The person can no longer sign in; their sessions end. */
int usercmd_disable(store_db *db, const char *name);
/* user email NAME [ADDRESS]: the address e-mail alerts go to (NULL clears it). */
int usercmd_email(store_db *db, const char *name, const char *email);

#endif
