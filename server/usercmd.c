/* usercmd.c - prosumd user add|list|link|disable: people who sign in, managed from the server's shell. */
#include "usercmd.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "api/cookie.h"
#include "api/users.h"
#include "notify/mail_msg.h"
#include "store/store_mail.h"

#define LINK_SECONDS (24 * 3600)

static int fail(const char *fmt, const char *arg, int status)
{
	fprintf(stderr, "prosumd: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return status;
}

/* A fresh link: its hash to store, and printed as "link: https://HOST/welcome#TOKEN" once
 * stored (print_link()). */
static int new_link(const uint8_t secret[PROSUM_SECRET_LEN], char token[COOKIE_TEXT_LEN + 1],
		    uint8_t hash[32])
{
	uint8_t id[COOKIE_ID_LEN];

	if (cookie_new_id(id, token) < 0)
		return fail("%s", "no randomness available", 1);
	auth_hash_token(secret, token, strlen(token), hash);
	return 0;
}

static void print_link(const char *host, const char *token)
{
	printf("link: https://%.*s/welcome#%s\n", (int)strcspn(host, "/"), host, token);
	fprintf(stderr, "prosumd: the link works once, for 24 hours; send it to its person alone\n");
}

int usercmd_add(store_db *db, const uint8_t secret[PROSUM_SECRET_LEN], const char *name,
		const char *role, const char *project, const char *host)
{
	char token[COOKIE_TEXT_LEN + 1];
	uint8_t hash[32];
	int64_t pid = 0, id, now = (int64_t)time(NULL);
	int r = store_role_parse(role), rc;

	if (!name || !users_name_ok(name))
		return fail("%s", "user add NAME: 1-64 characters A-Z a-z 0-9 . _ - starting with a "
			    "letter or digit", 2);
	if (!role)
		return fail("%s", "user add: --role developer|release|admin is required", 2);
	if (!r)
		return fail("user add: --role must be developer, release or admin, not '%s'", role,
			    2);
	if (project) {
		rc = store_project_find(db, project, &pid);
		if (rc == STORE_NOTFOUND)
			return fail("no project named '%s'", project, 1);
		if (rc != STORE_OK)
			return fail("%s", store_db_error(db), 1);
	}
	if (new_link(secret, token, hash))
		return 1;
	rc = store_user_add(db, name, r, pid, hash, now + LINK_SECONDS, now, &id);
	if (rc == STORE_EXISTS)
		return fail("a person named '%s' exists already (user link NAME makes a fresh link)",
			    name, 1);
	if (rc != STORE_OK)
		return fail("%s", store_db_error(db), 1);
	print_link(host, token);
	return 0;
}

static void print_user(void *ctx, const store_user *u)
{
	char when[32];
	time_t t = (time_t)u->created_at;
	struct tm tm;

	(void)ctx;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d", &tm);
	printf("%-20s %-9s %-16s %-10s %s\n", u->name, store_role_name(u->role),
	       u->project[0] ? u->project : "(all)",
	       u->disabled ? "disabled" : u->has_password ? "active" : "link sent", when);
}

int usercmd_list(store_db *db)
{
	printf("%-20s %-9s %-16s %-10s %s\n", "NAME", "ROLE", "PROJECT", "STATE", "CREATED");
	if (store_user_list(db, print_user, NULL) != STORE_OK)
		return fail("%s", store_db_error(db), 1);
	return 0;
}

int usercmd_link(store_db *db, const uint8_t secret[PROSUM_SECRET_LEN], const char *name,
		 const char *host)
{
	char token[COOKIE_TEXT_LEN + 1];
	uint8_t hash[32];
	int rc;

	if (!name)
		return fail("%s", "user link NAME", 2);
	if (new_link(secret, token, hash))
		return 1;
	rc = store_user_set_link(db, name, hash, (int64_t)time(NULL) + LINK_SECONDS);
	if (rc == STORE_NOTFOUND)
		return fail("no person named '%s' (user list shows who exists)", name, 1);
	if (rc != STORE_OK)
		return fail("%s", store_db_error(db), 1);
	print_link(host, token);
	return 0;
}

int usercmd_disable(store_db *db, const char *name)
{
	int rc;

	if (!name)
		return fail("%s", "user disable NAME", 2);
	if (store_begin(db) != STORE_OK)
		return fail("%s", store_db_error(db), 1);
	rc = store_user_patch(db, name, 0, -1, 1, (int64_t)time(NULL));
	if (rc == STORE_OK)
		rc = store_commit(db);
	else
		store_rollback(db);
	if (rc == STORE_NOTFOUND)
		return fail("no person named '%s' (user list shows who exists)", name, 1);
	if (rc != STORE_OK)
		return fail("%s", store_db_error(db), 1);
	fprintf(stderr, "prosumd: %s disabled; their sessions ended\n", name);
	return 0;
}

int usercmd_email(store_db *db, const char *name, const char *email)
{
	int rc;

	if (!name)
		return fail("%s", "user email NAME [ADDRESS]", 2);
	if (email && !mail_address_ok(email))
		return fail("'%s' is not an e-mail address such as ada@example.com", email, 2);
	rc = store_user_email_set(db, name, email);
	if (rc == STORE_NOTFOUND)
		return fail("no person named '%s' (user list shows who exists)", name, 1);
	if (rc != STORE_OK)
		return fail("%s", store_db_error(db), 1);
	if (email)
		fprintf(stderr, "prosumd: %s's e-mail alerts go to %s\n", name, email);
	else
		fprintf(stderr, "prosumd: %s has no e-mail address now\n", name);
	return 0;
}
