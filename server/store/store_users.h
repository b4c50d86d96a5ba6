/* store_users.h - people, their one-time links and sessions; testers' sign-in links. */
#ifndef PROSUM_STORE_USERS_H
#define PROSUM_STORE_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* ---- People, their one-time links and sessions (store_users.c) ---- */

#define STORE_USER_NAME_MAX 64
#define STORE_SALT_LEN 16

/* A person as stored. Strings are copies: valid as long as the struct. */
typedef struct store_user {
	int64_t id;
	char name[STORE_USER_NAME_MAX + 1];
	int role;                 /* STORE_ROLE_* */
	int64_t project_id;       /* 0: every project */
	char project[STORE_USER_NAME_MAX + 1]; /* its name, "" when unlimited */
	int disabled;
	int has_password;
	uint8_t salt[STORE_SALT_LEN];
	uint8_t hash[32];
	int iterations;
	int64_t created_at;
} store_user;

/* A new person with a one-time link (its keyed hash) valid until link_expires. STORE_EXISTS
 * when the name is taken. */
int store_user_add(store_db *db, const char *name, int role, int64_t project_id,
		   const uint8_t link_hash[32], int64_t link_expires, int64_t now, int64_t *id);
/* By name. STORE_NOTFOUND when there is none. */
int store_user_find(store_db *db, const char *name, store_user *out);
/* Everyone, by name: fn once each. */
int store_user_list(store_db *db, void (*fn)(void *ctx, const store_user *u), void *ctx);
/* A fresh one-time link for `name`; the previous one is void. STORE_NOTFOUND. */
int store_user_set_link(store_db *db, const char *name, const uint8_t link_hash[32],
			int64_t link_expires);
/* The enabled person whose link this is, still valid at `now`. STORE_NOTFOUND. */
int store_user_by_link(store_db *db, const uint8_t link_hash[32], int64_t now, store_user *out);
/* Set the password of the person whose valid link this is and void the link, in one
 * statement (a link works once, even raced). *user_id; STORE_NOTFOUND when the link is
 * unknown, used, replaced, expired or its person disabled. */
int store_user_set_password(store_db *db, const uint8_t link_hash[32], const uint8_t *salt,
			    const uint8_t hash[32], int iterations, int64_t now, int64_t *user_id);
/* Change a person: role (0 keeps it), project limit (-1 keeps it, 0 none), disabled (-1
 * keeps it). Disabling ends every session of the person. STORE_NOTFOUND. */
int store_user_patch(store_db *db, const char *name, int role, int64_t project_id,
		     int disabled, int64_t now);
/* May the enabled person `name` see project `project_id`? STORE_OK or STORE_NOTFOUND. */
int store_user_may_see(store_db *db, const char *name, int64_t project_id);
/* The enabled people who may see the project (who can be assigned), by name. */
int store_people(store_db *db, int64_t project_id,
		 void (*fn)(void *ctx, const char *name, const char *role), void *ctx);

/* A session, looked up by its keyed hash; a person's carries the person. */
#define STORE_INSTALL_MAX 128 /* an install id's bytes */
#define STORE_TESTER_NAME_MAX 128

typedef struct store_session {
	int64_t id;
	int64_t user_id; /* 0: a tester's session */
	store_user user; /* when user_id */
	/* A tester's session (user_id 0): its project (id and name), install and credit name ("" when
	 * none). */
	int64_t project_id;
	char project[STORE_USER_NAME_MAX + 1];
	char install_id[STORE_INSTALL_MAX + 1];
	char tester_name[STORE_TESTER_NAME_MAX + 1];
} store_session;

/* A new session of person user_id, ending at `expires` at the latest. */
int store_session_add(store_db *db, const uint8_t hash[32], int64_t user_id, int64_t now,
		      int64_t expires, int64_t *id);
/* The live session of `hash` at `now`: not ended, before its absolute end, seen within
 * `idle` seconds, its person enabled. On the writer its last use becomes now (at most once a
 * minute). STORE_NOTFOUND otherwise. */
int store_session_find(store_db *db, const uint8_t hash[32], int64_t now, int64_t idle,
		       store_session *out);
/* End session `id` (sign-out). */
int store_session_end(store_db *db, int64_t id, int64_t now);
/* End every live session of person user_id; *n how many. */
int store_sessions_end_user(store_db *db, int64_t user_id, int64_t now, int64_t *n);

/* ---- Testers' sign-in links to the board (store_board_links.c) ---- */

/* A new one-time link (its keyed hash) for `install_id` of project_id, valid until `expires`,
 * crediting `name` (NULL: none). Links that expired a day ago or more are deleted meanwhile. */
int store_board_link_add(store_db *db, const uint8_t hash[32], int64_t project_id,
			 const char *install_id, const char *name, int64_t now, int64_t expires);
/*
 * Use the link of `hash`, unused and valid at `now`: it is void from then on (a link works
 * once, even raced: on the writer), and a tester session (`session_hash`, ending at `expires`)
 * is made for its project and install. *out is that session. STORE_NOTFOUND when the link is
 * unknown, used or expired.
 */
int store_board_link_use(store_db *db, const uint8_t hash[32], const uint8_t session_hash[32],
			 int64_t now, int64_t expires, store_session *out);
/* End every live session of `install_id` on project_id (a tester signing out everywhere). */
int store_sessions_end_install(store_db *db, int64_t project_id, const char *install_id,
			       int64_t now, int64_t *n);

#endif
