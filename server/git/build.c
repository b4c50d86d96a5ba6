/* build.c - a report's build: revision, version or tag pattern to a commit; known fixes, fix checks. */
#include "git/work_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The project's version tag pattern, read once per transaction; NULL when it has none. */
static int version_tag(store_db *db, int64_t project_id, open_repo *o, const char **out)
{
	*out = NULL;
	if (o->vtag_txn != store_db_txn(db)) {
		free(o->vtag);
		o->vtag = NULL;
		o->vtag_txn = 0;
		if (store_project_version_tag(db, project_id, &o->vtag) < 0)
			return STORE_ERROR;
		o->vtag_txn = store_db_txn(db);
	}
	*out = o->vtag;
	return STORE_OK;
}

/* `pattern` with every "{version}" replaced by `version`, into ref. -1 when too long or
 * when the pattern does not use the version at all. */
static int expand_version(char *ref, size_t refsz, const char *pattern, const char *version)
{
	static const char key[] = "{version}";
	size_t n = 0, vlen = strlen(version), used = 0;
	const char *p = pattern, *at;

	while ((at = strstr(p, key)) != NULL) {
		size_t lit = (size_t)(at - p);

		if (n + lit + vlen >= refsz)
			return -1;
		memcpy(ref + n, p, lit);
		memcpy(ref + n + lit, version, vlen);
		n += lit + vlen;
		p = at + sizeof(key) - 1;
		used++;
	}
	if (!used || n + strlen(p) >= refsz)
		return -1;
	memcpy(ref + n, p, strlen(p) + 1);
	return 0;
}

/*
 * A build known only by its version: the commit of the release named like
 * it, else the ref the project's version tag pattern makes of it ("1.1.0"
 * -> "v1.1.0"). out is "" when neither exists: nothing is then said of the
 * build, never guessed.
 */
static int resolve_version(store_db *db, int64_t project_id, open_repo *o, const char *version,
			   char out[41])
{
	const rel_list *l = project_releases_for(db, project_id, o);
	const char *pattern;
	char ref[REPO_REV_MAX + 1];
	size_t i;

	out[0] = '\0';
	if (!l)
		return STORE_ERROR;
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->names[i], version) == 0 && strlen(l->tips[i]) == 40) {
			memcpy(out, l->tips[i], 41);
			return STORE_OK;
		}
	}
	if (version_tag(db, project_id, o, &pattern) < 0)
		return STORE_ERROR;
	if (pattern && expand_version(ref, sizeof(ref), pattern, version) == 0 &&
	    repo_resolve(out, o->repo, ref, strlen(ref)) != REPO_OK)
		out[0] = '\0';
	return STORE_OK;
}

int gitwork_resolve_build(store_db *db, int64_t project_id, report *r)
{
	open_repo *o;

	r->commit[0] = '\0';
	if (!r->revision && !r->version)
		return STORE_OK;
	o = project_repo(db, project_id);
	if (!o)
		return STORE_OK;
	/* A revision says more than a version: when there is one, it alone counts. */
	if (!r->revision)
		return resolve_version(db, project_id, o, r->version, r->commit);
	if (repo_resolve(r->commit, o->repo, r->revision, strlen(r->revision)) != REPO_OK)
		r->commit[0] = '\0'; /* unresolved: kept, and resolved again after a sync */
	return STORE_OK;
}

int gitwork_ingest_report(store_db *db, int64_t project_id, const report *r,
			  const store_ingest *in, int64_t now, gitwork_ingest *out)
{
	open_repo *o;
	const rel_list *l;
	char fix[41], status[32];
	int contains = 0;

	memset(out, 0, sizeof(*out));
	o = project_repo(db, project_id);
	if (!o)
		return STORE_OK;
	l = project_releases_for(db, project_id, o);
	if (!l)
		return STORE_ERROR;
	if (!in->created) {
		if (store_report_commit(db, project_id, in->num, out->commit) < 0)
			return STORE_ERROR;
	} else if (r->commit[0]) {
		memcpy(out->commit, r->commit, sizeof(out->commit));
		/* A batch holds reports of few builds: remember each build's commit once. */
		if (o->put_txn != store_db_txn(db) || strcmp(o->put, out->commit) != 0) {
			store_commit_info c = {.id = out->commit};

			if (project_put_commit(db, project_id, o, l, &c) < 0)
				return STORE_ERROR;
			o->put_txn = store_db_txn(db);
			memcpy(o->put, out->commit, sizeof(o->put));
		}
	}
	if (out->commit[0] && project_release_of(o, l, out->commit, out->release) < 0)
		return STORE_ERROR;

	/*
	 * Is the group fixed, and does this build have the fix? Only a build whose
	 * commit is known can say: of an unknown one (a revision not in the
	 * repository yet, a version no release or tag names) nothing is claimed.
	 */
	if (store_group_fix(db, project_id, in->group_num, fix, status) < 0)
		return STORE_ERROR;
	if (!fix[0] || strcmp(status, "fixed") != 0)
		return STORE_OK;
	if (!out->commit[0] || repo_contains(&contains, o->repo, fix, out->commit) != REPO_OK) {
		/* Nor does the tester's own view claim this fix for the report later. */
		if (in->created && store_report_fix_check(db, project_id, in->num, fix, -1) < 0)
			return STORE_ERROR;
		return STORE_OK;
	}
	/* Only a build checked and found without the fix inherits the group's "fixed". */
	if (in->created && store_report_fix_check(db, project_id, in->num, fix, contains) < 0)
		return STORE_ERROR;
	if (contains && in->created) {
		out->regressed = 1;
		if (store_group_regressed(db, project_id, in->group_num, in->num, now) < 0)
			return STORE_ERROR;
	} else if (!contains) {
		out->known = 1;
		if (project_release_of(o, l, fix, out->fixed_in) < 0)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* A commit id as a person may type it without a repository: 7 to 40 hex digits. */
static int hex_id_ok(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return n >= 7 && n <= 40;
}

int gitwork_fixing_commit(store_db *db, int64_t project_id, const char *rev, char out[41],
			  char *why, size_t whylen)
{
	open_repo *o = project_repo(db, project_id);
	rel_list l;
	int rc;

	if (!o) {
		if (!hex_id_ok(rev)) {
			snprintf(why, whylen, "this project has no repository: name the fixing "
					      "commit by its id, 7 to 40 lower-case hex digits");
			return STORE_INVALID;
		}
		snprintf(out, 41, "%s", rev);
		return STORE_OK;
	}
	rc = repo_resolve_expr(out, o->repo, rev, strlen(rev));
	if (rc == REPO_EINVAL) {
		snprintf(why, whylen, "'%.64s' is not a revision: %s", rev, repo_error(o->repo));
		return STORE_INVALID;
	}
	if (rc == REPO_EAMBIGUOUS) {
		snprintf(why, whylen, "'%.64s' names more than one object: give more digits", rev);
		return STORE_INVALID;
	}
	if (rc == REPO_ENOTFOUND) {
		snprintf(why, whylen,
			 "no commit '%.64s' in the project's repository (a hash, tag, branch or "
			 "HEAD~N)",
			 rev);
		return STORE_INVALID;
	}
	if (rc != REPO_OK)
		return STORE_ERROR;
	if (project_releases_load(db, project_id, &l) < 0)
		return STORE_ERROR;
	{
		store_commit_info c = {.id = out};
		rc = project_put_commit(db, project_id, o, &l, &c);
	}
	project_releases_free(&l);
	return rc;
}

typedef struct fixcheck {
	store_db *db;
	int64_t project_id, now;
	open_repo *o;
	int64_t regressed;
} fixcheck;

/* One build of a group fixed by `fix`: does it hold the fix? */
static int fix_check_build(void *ctx, const char *fix, const char *build, int64_t group_num,
			   int64_t report_num, int late)
{
	fixcheck *fc = ctx;
	int contains = 0, verdict = -1;
	char gfix[41], status[32];

	if (build[0] && repo_contains(&contains, fc->o->repo, fix, build) == REPO_OK)
		verdict = contains;
	if (store_fix_checked(fc->db, fc->project_id, group_num, fix, build, verdict) < 0)
		return -1;
	/* A report that came into the fixed group from a build unknown then, known now to
	 * hold the fix: the fix did not hold, as at ingest. */
	if (verdict != 1 || !late)
		return 0;
	if (store_group_fix(fc->db, fc->project_id, group_num, gfix, status) < 0)
		return -1;
	if (strcmp(status, "fixed") != 0 || strcmp(gfix, fix) != 0)
		return 0;
	fc->regressed++;
	return store_group_regressed(fc->db, fc->project_id, group_num, report_num, fc->now);
}

int gitwork_fix_checks(store_db *db, int64_t project_id, int64_t group_num, int64_t now,
		       int64_t *regressed)
{
	fixcheck fc = {db, project_id, now, NULL, 0};
	int rc;

	if (regressed)
		*regressed = 0;
	fc.o = project_repo(db, project_id);
	if (!fc.o)
		return STORE_OK;
	rc = store_fix_unchecked_each(db, project_id, group_num, fix_check_build, &fc);
	if (regressed)
		*regressed = fc.regressed;
	return rc;
}
