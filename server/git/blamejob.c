/* blamejob.c - blame a report's top frames for suspect commits, as a job; remember the answers. */
#include "git/work_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLAME_FRAMES 3       /* top in-app frames blamed per report */
#define BLAME_STRIP 8        /* leading directories tried away from an absolute path */
#define BLAME_MEMO 32        /* blame answers remembered per repository */
#define BLAME_KEY_MAX 4096   /* frames whose key is longer are blamed, not remembered */

/*
 * What blaming a crash's frames at one commit found. History below a commit
 * never changes, so every report of that crash from that build has the same
 * suspects: the first is blamed by a job of its own, the others are given the
 * answer in their ingest transaction.
 */
struct blame_answer {
	char *key; /* the commit, then each candidate frame's line and length-prefixed path */
	size_t n;
	repo_commit suspect[BLAME_FRAMES];
	char *path[BLAME_FRAMES]; /* as found in the repository, malloc'ed */
	size_t line[BLAME_FRAMES];
};

static void blame_answer_clear(blame_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->path[i]);
	free(a->key);
	a->key = NULL;
	a->n = 0;
}

void blamejob_memo_free(open_repo *o)
{
	size_t i;

	for (i = 0; o->blamed && i < BLAME_MEMO; i++)
		blame_answer_clear(&o->blamed[i]);
	free(o->blamed);
}

/* Frames worth a blame: in-app, with a file and a line. */
static int blame_candidate(const json_t *f, const char **path, json_int_t *line)
{
	*path = json_string_value(json_object_get(f, "file"));
	*line = json_integer_value(json_object_get(f, "line"));
	return *path && *line > 0 && !json_is_false(json_object_get(f, "in_app"));
}

int gitwork_blameable(const json_t *frames)
{
	const json_t *f;
	const char *path;
	json_int_t line;
	size_t i;

	json_array_foreach(frames, i, f)
	{
		if (blame_candidate(f, &path, &line))
			return 1;
	}
	return 0;
}

/* The memo key of (commit, frames), malloc'ed; NULL when too long to remember. */
static char *blame_key(const char *commit, const json_t *frames)
{
	buf b;
	const json_t *f;
	const char *path;
	json_int_t line;
	size_t i;
	int rc;

	buf_init(&b, BLAME_KEY_MAX);
	rc = buf_puts(&b, commit);
	json_array_foreach(frames, i, f)
	{
		if (rc == BUF_OK && blame_candidate(f, &path, &line))
			rc = buf_printf(&b, "\n%lld %zu:%s", (long long)line, strlen(path), path);
	}
	if (rc == BUF_OK)
		rc = buf_append(&b, "", 1);
	if (rc != BUF_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static blame_answer *blame_find(open_repo *o, const char *key)
{
	size_t i;

	for (i = 0; key && o->blamed && i < BLAME_MEMO; i++)
		if (o->blamed[i].key && strcmp(o->blamed[i].key, key) == 0)
			return &o->blamed[i];
	return NULL;
}

/* Blame the top in-app frames at `commit` into an empty a. */
static void blame_frames(open_repo *o, const char *commit, const json_t *frames, blame_answer *a)
{
	const json_t *f;
	const char *path;
	json_int_t line;
	size_t i;

	json_array_foreach(frames, i, f)
	{
		int strip, grc = REPO_ENOTFOUND;

		if (a->n == BLAME_FRAMES)
			break;
		if (!blame_candidate(f, &path, &line))
			continue;
		/* Builds record absolute paths; try the path less its leading directories
		 * until one is a file of the repository. */
		for (strip = 0; strip <= BLAME_STRIP && path; strip++) {
			while (*path == '/')
				path++;
			grc = repo_blame_line(&a->suspect[a->n], o->repo, commit, path,
						 strlen(path), (size_t)line);
			if (grc == REPO_OK)
				break;
			path = strchr(path, '/');
		}
		if (grc != REPO_OK || !(a->path[a->n] = strdup(path)))
			continue;
		a->line[a->n] = (size_t)line;
		a->n++;
	}
}

/* Record a blame's suspects for report `num`, and their commits. */
static int blame_record(store_db *db, int64_t project_id, open_repo *o, int64_t num,
			const blame_answer *a)
{
	const rel_list *l = a->n ? project_releases_for(db, project_id, o) : NULL;
	size_t i;

	if (a->n && !l)
		return STORE_ERROR;
	for (i = 0; i < a->n; i++) {
		const repo_commit *gc = &a->suspect[i];
		store_commit_info c = {gc->id, gc->author_name, gc->author_email, gc->author_time,
				       gc->summary};

		if (project_put_commit(db, project_id, o, l, &c) < 0 ||
		    store_suspect_add(db, project_id, num, gc->id, a->path[i],
				      (int64_t)a->line[i]) < 0)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int gitwork_blame_known(store_db *db, int64_t project_id, int64_t num, const char *commit,
			const json_t *frames, int *done)
{
	open_repo *o = project_repo(db, project_id);
	const blame_answer *a;
	char *key;

	*done = 0;
	if (!o || !o->blamed || !commit[0])
		return STORE_OK;
	key = blame_key(commit, frames);
	a = blame_find(o, key);
	free(key);
	if (!a)
		return STORE_OK;
	*done = 1;
	return blame_record(db, project_id, o, num, a);
}

int gitwork_blame_report(store_db *db, int64_t project_id, int64_t num, const json_t *frames)
{
	open_repo *o = project_repo(db, project_id);
	blame_answer *a, scratch = {0};
	char commit[41], *key;
	int rc;

	if (!o)
		return STORE_OK;
	if (store_report_commit(db, project_id, num, commit) < 0 || !commit[0])
		return STORE_OK; /* nothing to blame against until the build is resolved */
	key = blame_key(commit, frames);
	a = blame_find(o, key);
	if (a) {
		free(key);
		return blame_record(db, project_id, o, num, a);
	}
	if (!o->blamed)
		o->blamed = calloc(BLAME_MEMO, sizeof(*o->blamed));
	if (key && o->blamed) {
		a = &o->blamed[o->blamed_next];
		o->blamed_next = (o->blamed_next + 1) % BLAME_MEMO;
		blame_answer_clear(a);
		a->key = key;
	} else {
		free(key);
		a = &scratch;
	}
	blame_frames(o, commit, frames, a);
	rc = blame_record(db, project_id, o, num, a);
	if (a == &scratch)
		blame_answer_clear(&scratch);
	return rc;
}
