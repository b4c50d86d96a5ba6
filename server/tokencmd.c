/* tokencmd.c - prosumd token add|list|revoke and key add|list|revoke: API tokens and ingest keys from the server's shell. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_int.h"
#include "model/adminrules.h"

int cmd_token_add(opts *o)
{
	store_db *db = NULL;
	uint8_t secret[AUTH_SECRET_LEN];
	int64_t project_id = 0;
	int role = store_role_parse(o->role), rc = 1;

	int64_t id;

	if (!o->role)
		return usage_err("%s", "token add: --role developer|release|admin is required");
	if (!role)
		return usage_err("token add: --role must be developer, release or admin, not '%s'",
				 o->role);
	if (!o->label)
		return usage_err("%s", "token add: --name LABEL is required: history and comments name "
				 "the token's holder by it");
	if (!adminrules_label_ok(o->label))
		return usage_err("token add: --name '%s': 1-63 printable characters, no leading or "
			   "trailing space",
			   o->label);
	if (load_secret(&o->cfg, secret, 0) || open_db(&o->cfg, &db))
		goto out;
	if (store_begin(db) < 0)
		goto dberr;
	if (o->project) {
		int frc = store_project_find(db, o->project, &project_id);

		if (frc == STORE_NOTFOUND) {
			store_rollback(db);
			die("no project named '%s'", o->project);
			goto out;
		}
		if (frc < 0)
			goto dberr;
	}
	if (issue_token_id(db, secret, role, project_id, o->label, &id)) {
		store_rollback(db);
		goto out;
	}
	if (store_commit(db) < 0)
		goto dberr;
	printf("id: %lld\n", (long long)id);
	rc = 0;
	goto out;
dberr:
	die("%s", store_db_error(db));
	store_rollback(db);
out:
	store_db_close(db);
	return rc;
}

static void print_token(void *ctx, int64_t id, const char *role, const char *project,
			const char *name, int64_t created, int64_t revoked)
{
	char when[32], unnamed[64];
	time_t t = (time_t)created;
	struct tm tm;

	(void)ctx;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d", &tm);
	/* An unnamed token (made before names were required) is shown as history names it. */
	if (!name || !*name)
		snprintf(unnamed, sizeof(unnamed), "token #%lld (%s)", (long long)id, role);
	printf("%-5lld %-9s %-16s %-20s %s%s\n", (long long)id, role, project ? project : "(all)",
	       name && *name ? name : unnamed, when, revoked ? "  revoked" : "");
}

int cmd_token_list(opts *o)
{
	store_db *db = NULL;
	int rc = 0;

	if (open_db(&o->cfg, &db))
		return 1;
	printf("%-5s %-9s %-16s %-20s %s\n", "ID", "ROLE", "PROJECT", "NAME", "CREATED");
	if (store_token_list(db, print_token, NULL) < 0)
		rc = die("%s", store_db_error(db));
	store_db_close(db);
	return rc;
}

static void print_key(void *ctx, const char *key, const char *project, int64_t created,
		      int64_t revoked)
{
	char when[32];
	time_t t = (time_t)created;
	struct tm tm;

	(void)ctx;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d", &tm);
	printf("%-34s %-16s %s%s\n", key, project, when, revoked ? "  revoked" : "");
}

/* Ingest keys: another for a project (to rotate one), the list, or a revocation. */
int cmd_key(opts *o, const char *sub)
{
	store_db *db = NULL;
	char key[AUTH_KEY_LEN + 1];
	int64_t pid, now = (int64_t)time(NULL);
	int rc = 1;

	if (strcmp(sub, "revoke") == 0 && !o->name)
		return usage_err("%s", "key revoke KEY");
	if (strcmp(sub, "add") == 0 && !o->project)
		return usage_err("%s", "key add --project NAME");
	if (open_db(&o->cfg, &db))
		return 1;
	if (strcmp(sub, "list") == 0) {
		printf("%-34s %-16s %s\n", "KEY", "PROJECT", "CREATED");
		rc = store_key_list(db, print_key, NULL) < 0 ? die("%s", store_db_error(db)) : 0;
	} else if (strcmp(sub, "revoke") == 0) {
		if (!o->name)
			rc = usage_err("%s", "key revoke KEY");
		else if ((rc = store_key_revoke(db, o->name, now)) == STORE_NOTFOUND)
			rc = die("no active key %s", o->name);
		else if (rc < 0)
			rc = die("%s", store_db_error(db));
		else
			fprintf(stderr, "prosumd: key revoked\n");
	} else if (!o->project) {
		rc = usage_err("%s", "key add --project NAME");
	} else if (store_project_find(db, o->project, &pid) != STORE_OK) {
		rc = die("no project named '%s'", o->project);
	} else if (auth_new_key(key) < 0 || store_key_add(db, pid, key, now) < 0) {
		rc = die("%s", store_db_error(db));
	} else {
		printf("key: %s\n", key);
		rc = 0;
	}
	store_db_close(db);
	return rc;
}

int cmd_token_revoke(opts *o)
{
	store_db *db = NULL;
	char *end;
	long long id;
	int rc = 1;

	id = o->name ? strtoll(o->name, &end, 10) : 0;
	if (!o->name || *end || id <= 0)
		return usage_err("%s", "token revoke ID: the number from 'prosumd token list'");
	if (open_db(&o->cfg, &db))
		return 1;
	switch (store_token_revoke(db, id, (int64_t)time(NULL))) {
	case STORE_OK:
		fprintf(stderr, "prosumd: token %lld revoked\n", id);
		rc = 0;
		break;
	case STORE_NOTFOUND:
		die("no active token %s", o->name);
		break;
	default:
		die("%s", store_db_error(db));
	}
	store_db_close(db);
	return rc;
}

