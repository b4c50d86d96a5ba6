/* projcmd.c - prosumd project list|show|set|remove: projects managed from the server's shell. */
#include "projcmd.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "git/origin.h"
#include "git/repo.h"
#include "model/adminrules.h"
#include "store/attach.h"
#include "store/store_maint.h"

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "prosumd: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

/* A usage mistake: said why, exit status 2. */
static int usage_err(const char *fmt, const char *arg)
{
	die(fmt, arg);
	return 2;
}

static void day(char out[32], int64_t when)
{
	time_t t = (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d", &tm);
}

static int list_row(void *ctx, const store_project_row *row)
{
	char when[32];

	(void)ctx;
	day(when, row->created_at);
	printf("%-24s %-8s %-10s %s\n", row->name, row->is_public ? "public" : "private", when,
	       row->repo ? row->repo : "-");
	return 0;
}

int projcmd_list(store_db *db)
{
	printf("%-24s %-8s %-10s %s\n", "NAME", "VISIBLE", "CREATED", "REPO");
	if (store_project_each(db, 0, 0, list_row, NULL) < 0)
		return die("%s", store_db_error(db));
	return 0;
}

typedef struct show_ctx {
	store_db *db;
	const char *host;
	int found;
} show_ctx;

static int show_row(void *ctx, const store_project_row *row)
{
	show_ctx *sc = ctx;
	store_project_counts n;
	char when[32], remote[1024] = "", err[512];

	sc->found = 1;
	day(when, row->created_at);
	if (row->repo && origin_get(row->repo, remote, sizeof(remote), err, sizeof(err)) < 0)
		fprintf(stderr, "prosumd: %s\n", err);
	printf("name: %s\n", row->name);
	printf("public: %s\n", row->is_public ? "yes" : "no");
	printf("created: %s\n", when);
	printf("repo: %s\n", row->repo ? row->repo : "");
	printf("remote: %s\n", remote);
	printf("commit_url: %s\n", row->commit_url ? row->commit_url : "");
	printf("version_tag: %s\n", row->version_tag ? row->version_tag : "");
	if (row->key) {
		printf("key: %s\n", row->key);
		printf("dsn: https://%s@%.*s/%s\n", row->key, (int)strcspn(sc->host, "/"),
		       sc->host, row->name);
	}
	if (store_project_count(sc->db, row->id, &n) < 0)
		return -1;
	printf("reports: %lld\ngroups: %lld\nsuggestions: %lld\nattachments: %lld\n"
	       "active_keys: %lld\n",
	       (long long)n.reports, (long long)n.groups, (long long)n.suggestions,
	       (long long)n.attachments, (long long)n.keys);
	return 0;
}

int projcmd_show(store_db *db, const char *name, const char *host)
{
	show_ctx sc = {db, host, 0};
	int64_t id;
	int rc;

	if (!name)
		return usage_err("%s", "project show NAME");
	rc = store_project_find(db, name, &id);
	if (rc == STORE_NOTFOUND)
		return die("no project named '%s'", name);
	repo_global_init();
	rc = rc < 0 ? rc : store_project_each(db, id, 0, show_row, &sc);
	repo_global_shutdown();
	if (rc < 0)
		return die("%s", store_db_error(db));
	return 0;
}

static int take_repo(void *ctx, const store_project_row *row)
{
	snprintf(ctx, PATH_MAX, "%s", row->repo ? row->repo : "");
	return 0;
}

int projcmd_set(store_db *db, const char *name, const projcmd_settings *set, const char *host)
{
	char repo[PATH_MAX], path[PATH_MAX] = "", why[PATH_MAX + 64], err[512];
	show_ctx sc = {db, host, 0};
	int64_t id;
	int rc = 1, frc;

	if (!name)
		return usage_err("%s", "project set NAME [--repo PATH] [--remote URL] ...");
	if (!set->repo && !set->remote && !set->commit_url && !set->version_tag &&
	    set->is_public < 0)
		return usage_err("%s", "project set: nothing to set (--repo, --remote, "
				   "--commit-url, --version-tag, --public or --private)");
	if (set->commit_url && *set->commit_url && !adminrules_commit_url_ok(set->commit_url))
		return usage_err("--commit-url: %s", ADMINRULES_COMMIT_URL_RULE);
	if (set->version_tag && *set->version_tag && !adminrules_version_tag_ok(set->version_tag))
		return usage_err("--version-tag: %s", ADMINRULES_VERSION_TAG_RULE);
	if (set->remote && !origin_url_ok(set->remote))
		return usage_err("--remote: '%s' is not a URL a git remote can have",
				   set->remote);
	repo_global_init();
	if (set->repo && *set->repo && adminrules_repo(set->repo, repo, why, sizeof(why)) < 0) {
		rc = usage_err("--repo: %s", why);
		goto out;
	}
	frc = store_project_find(db, name, &id);
	if (frc == STORE_NOTFOUND) {
		die("no project named '%s'", name);
		goto out;
	}
	if (frc < 0)
		goto dberr;
	if (set->remote) {
		/* The remote is the repository's own setting, in its git config. */
		if (set->repo)
			snprintf(path, sizeof(path), "%s", *set->repo ? repo : "");
		else if (store_project_each(db, id, 0, take_repo, path) < 0)
			goto dberr;
		if (!path[0]) {
			die("--remote: project '%s' has no repository: give --repo too", name);
			goto out;
		}
		if (origin_set(path, set->remote, err, sizeof(err)) < 0) {
			die("--remote: %s", err);
			goto out;
		}
	}
	if (store_begin(db) < 0)
		goto dberr;
	if ((set->repo && store_project_set_repo(db, id, *set->repo ? repo : NULL) < 0) ||
	    (set->commit_url &&
	     store_project_set_commit_url(db, id, *set->commit_url ? set->commit_url : NULL) < 0) ||
	    (set->version_tag && store_project_set_version_tag(db, id, set->version_tag) < 0) ||
	    (set->is_public >= 0 && store_project_set_public(db, id, set->is_public) < 0) ||
	    store_commit(db) < 0)
		goto dberr;
	if (store_project_each(db, id, 0, show_row, &sc) < 0)
		goto dberr;
	rc = 0;
	goto out;
dberr:
	die("%s", store_db_error(db));
	store_rollback(db);
out:
	repo_global_shutdown();
	return rc;
}

/* ---- remove ---- */

typedef struct remove_ctx {
	const char *attach_dir;
	int apply;
	int64_t files, bytes;
} remove_ctx;

static void removed_table(void *ctx, const char *table, int64_t rows)
{
	remove_ctx *rc = ctx;

	printf("%s%s: %lld\n", rc->apply ? "removed " : "", table, (long long)rows);
}

/* Called inside the removal's write transaction, which keeps serve's writer (the one that
 * stores attachment files) out until the commit: no report can take the file meanwhile. */
static int removed_file(void *ctx, const char *sha, int64_t size)
{
	remove_ctx *rc = ctx;

	if (rc->apply && attach_remove(rc->attach_dir, sha) != 0) {
		fprintf(stderr, "prosumd: cannot remove attachment %s: %s\n", sha,
			strerror(errno));
		return -1;
	}
	rc->files++;
	rc->bytes += size;
	return 0;
}

int projcmd_remove(const config *cfg, store_db *db, const char *name, int yes)
{
	remove_ctx ctx = {NULL, yes, 0, 0};
	store_removal_fns fns = {removed_table, removed_file, &ctx};
	char *att = config_path(cfg, "attachments");
	int64_t id;
	int rc = 1, frc;

	if (!name) {
		free(att);
		return usage_err("%s", "project remove NAME --yes");
	}
	if (!att)
		return die("%s", "out of memory");
	ctx.attach_dir = att;
	frc = store_project_find(db, name, &id);
	if (frc == STORE_NOTFOUND) {
		die("no project named '%s'", name);
		goto out;
	}
	if (frc < 0 || store_begin(db) < 0 || store_project_remove(db, id, yes, &fns) < 0) {
		die("%s", store_db_error(db));
		store_rollback(db);
		goto out;
	}
	printf("%sattachment files: %lld (%lld bytes)\n", yes ? "removed " : "",
	       (long long)ctx.files, (long long)ctx.bytes);
	if (!yes) {
		store_rollback(db);
		fprintf(stderr,
			"prosumd: project remove %s: nothing removed; add --yes to remove the "
			"project and all of the above for good\n",
			name);
		goto out;
	}
	if (store_commit(db) < 0) {
		die("%s", store_db_error(db));
		store_rollback(db);
		goto out;
	}
	fprintf(stderr, "prosumd: project %s removed\n", name);
	rc = 0;
out:
	free(att);
	return rc;
}
