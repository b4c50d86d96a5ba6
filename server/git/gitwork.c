/* gitwork.c - what prosum does with a project's repository: resolve builds, know fixes, releases, blame, sync. */
#include "git/gitwork.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/repo.h"
#include "git/links.h"

#define OPEN_MAX 16          /* projects whose repository one thread keeps open */
#define BLAME_FRAMES 3       /* top in-app frames blamed per report */
#define BLAME_STRIP 8        /* leading directories tried away from an absolute path */
#define BLAME_MEMO 32        /* blame answers remembered per repository */
#define BLAME_KEY_MAX 4096   /* frames whose key is longer are blamed, not remembered */

/*
 * Which release first contains each commit, for every commit below a release
 * tip: built in two walks of the history when the release list changes, then
 * a lookup per commit instead of containment walks (a second or more each at
 * 100,000 commits). A commit that is not in it is in no release: newer than
 * all of them, or unknown. Keyed by binary commit id, open addressing.
 */
typedef struct rel_index {
	uint64_t sig;            /* the release list it was built for; 0: none yet */
	size_t cap;              /* slots, a power of two */
	unsigned char (*ids)[20]; /* all zero: an empty slot */
	uint16_t *rel;           /* index into names */
	char **names;
	size_t nnames;
} rel_index;

/*
 * What blaming a crash's frames at one commit found. History below a commit
 * never changes, so every report of that crash from that build has the same
 * suspects: the first is blamed by a job of its own, the others are given the
 * answer in their ingest transaction.
 */
typedef struct blame_answer {
	char *key; /* the commit, then each candidate frame's line and length-prefixed path */
	size_t n;
	repo_commit suspect[BLAME_FRAMES];
	char *path[BLAME_FRAMES]; /* as found in the repository, malloc'ed */
	size_t line[BLAME_FRAMES];
} blame_answer;

/* One open repository and what is remembered of its releases and blames. */
typedef struct rel_list rel_list;

typedef struct open_repo {
	int64_t project_id;
	char *path;
	repo_handle *repo;
	rel_index index;
	uint64_t rels_txn;   /* the transaction `rels` was read in; 0: not read */
	struct rel_list *rels;
	uint64_t put_txn;    /* the commit last remembered, in that transaction */
	char put[41];
	blame_answer *blamed; /* BLAME_MEMO of them, made on first use */
	size_t blamed_next;   /* round-robin eviction */
	uint64_t vtag_txn;    /* the transaction `vtag` was read in; 0: not read */
	char *vtag;           /* the project's version tag pattern; NULL: none */
} open_repo;

typedef struct repos {
	open_repo *open[OPEN_MAX];
	size_t n;
	size_t next; /* round-robin eviction */
	/* the last project looked up, valid for one transaction (a batch of reports) */
	uint64_t memo_txn;
	int64_t memo_project;
	open_repo *memo;
} repos;

static void index_free(rel_index *x)
{
	size_t i;

	for (i = 0; i < x->nnames; i++)
		free(x->names[i]);
	free(x->names);
	free(x->ids);
	free(x->rel);
	memset(x, 0, sizeof(*x));
}

static void releases_free(rel_list *l);

static void blame_answer_clear(blame_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->path[i]);
	free(a->key);
	a->key = NULL;
	a->n = 0;
}

static void open_repo_free(open_repo *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; o->blamed && i < BLAME_MEMO; i++)
		blame_answer_clear(&o->blamed[i]);
	free(o->blamed);
	free(o->vtag);
	index_free(&o->index);
	if (o->rels) {
		releases_free(o->rels);
		free(o->rels);
	}
	repo_close(o->repo);
	free(o->path);
	free(o);
}

static void repos_free(void *aux)
{
	repos *rs = aux;
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++)
		open_repo_free(rs->open[i]);
	free(rs);
}

/* The thread's open repository of a project; NULL when it has none or it cannot be opened. */
static open_repo *repo_for(store_db *db, int64_t project_id)
{
	repos *rs = store_db_aux(db);
	open_repo *o;
	char *path = NULL, err[256];
	size_t i;

	if (!rs) {
		rs = calloc(1, sizeof(*rs));
		if (!rs)
			return NULL;
		store_db_set_aux(db, rs, repos_free);
	}
	/* A batch of reports for one project asks once. */
	if (rs->memo_txn == store_db_txn(db) && rs->memo_project == project_id)
		return rs->memo;
	rs->memo_txn = store_db_txn(db);
	rs->memo_project = project_id;
	rs->memo = NULL;
	if (store_project_repo(db, project_id, &path) != STORE_OK || !path)
		return NULL;
	for (i = 0; i < rs->n; i++) {
		o = rs->open[i];
		if (o->project_id == project_id && strcmp(o->path, path) == 0) {
			free(path);
			rs->memo = o;
			return o;
		}
	}
	o = calloc(1, sizeof(*o));
	if (!o || repo_open(&o->repo, path, err, sizeof(err)) < 0) {
		if (o)
			fprintf(stderr, "prosumd: project %lld: %s\n", (long long)project_id, err);
		free(o);
		free(path);
		return NULL;
	}
	o->project_id = project_id;
	o->path = path;
	if (rs->n < OPEN_MAX) {
		rs->open[rs->n++] = o;
	} else {
		open_repo_free(rs->open[rs->next]);
		rs->open[rs->next] = o;
		rs->next = (rs->next + 1) % OPEN_MAX;
	}
	rs->memo = o;
	return o;
}

/* The registered releases in history order; both arrays freed by releases_free(). */
struct rel_list {
	char **names;
	char **tips;
	size_t n;
	uint64_t sig;
};

static void releases_free(rel_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->names[i]);
		free(l->tips[i]);
	}
	free(l->names);
	free(l->tips);
	memset(l, 0, sizeof(*l));
}

static int releases_load(store_db *db, int64_t project_id, rel_list *l)
{
	size_t i;
	const char *p;

	memset(l, 0, sizeof(*l));
	if (store_releases(db, project_id, &l->names, &l->tips, &l->n) < 0)
		return STORE_ERROR;
	l->sig = 1469598103934665603ULL ^ l->n;
	for (i = 0; i < l->n; i++) {
		for (p = l->names[i]; *p; p++)
			l->sig = (l->sig ^ (unsigned char)*p) * 1099511628211ULL;
		for (p = l->tips[i]; *p; p++)
			l->sig = (l->sig ^ (unsigned char)*p) * 1099511628211ULL;
	}
	return STORE_OK;
}

/* Collect commit ids from the store. */
typedef struct idlist {
	char (*ids)[41];
	size_t n, cap;
} idlist;

static int collect(void *ctx, const char *id)
{
	idlist *l = ctx;

	if (strlen(id) != 40)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char(*nids)[41] = realloc(l->ids, cap * sizeof(*nids));

		if (!nids)
			return -1;
		l->ids = nids;
		l->cap = cap;
	}
	memcpy(l->ids[l->n++], id, 41);
	return 0;
}

static int collect_walked(const repo_walk_commit *c, void *payload)
{
	return collect(payload, c->id) < 0 ? 1 : 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 40 lower-case hex digits to 20 bytes. 0, or -1 when it is not a full id. */
static int unhex(unsigned char out[20], const char *hex)
{
	int i, hi, lo;

	for (i = 0; i < 20; i++) {
		hi = hexval(hex[2 * i]);
		lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static size_t slot_of(const rel_index *x, const unsigned char id[20])
{
	uint64_t h;

	memcpy(&h, id, sizeof(h)); /* commit ids are uniformly distributed already */
	return (size_t)h & (x->cap - 1);
}

/* (Re)build the index for release list `l`: every commit below a tip, and its first release. */
static int index_build(rel_index *x, open_repo *o, const rel_list *l)
{
	idlist all = {0};
	const char **ptrs = NULL;
	size_t *first = NULL, i, s;
	repo_tips tips = {0};
	static const unsigned char zero[20];
	int rc = STORE_ERROR;

	index_free(x);
	if (l->n == 0) {
		x->sig = l->sig;
		return STORE_OK;
	}
	if (repo_walk(&tips, o->repo, NULL, 0, (const char *const *)l->tips, l->n,
			 collect_walked, &all) < 0)
		goto out;
	ptrs = calloc(all.n + 1, sizeof(*ptrs));
	first = calloc(all.n + 1, sizeof(*first));
	x->names = calloc(l->n, sizeof(*x->names));
	for (x->cap = 16; x->cap < 2 * all.n; x->cap *= 2)
		;
	x->ids = calloc(x->cap, sizeof(*x->ids));
	x->rel = calloc(x->cap, sizeof(*x->rel));
	if (!ptrs || !first || !x->names || !x->ids || !x->rel)
		goto out;
	for (i = 0; i < l->n; i++) {
		x->names[i] = strdup(l->names[i]);
		if (!x->names[i])
			goto out;
		x->nnames++;
	}
	for (i = 0; i < all.n; i++)
		ptrs[i] = all.ids[i];
	if (repo_first_containing_many(first, o->repo, ptrs, all.n,
					  (const char *const *)l->tips, l->n) < 0)
		goto out;
	for (i = 0; i < all.n; i++) {
		unsigned char id[20];

		if (first[i] == REPO_NONE || unhex(id, all.ids[i]) < 0)
			continue;
		for (s = slot_of(x, id); memcmp(x->ids[s], zero, 20) != 0; s = (s + 1) & (x->cap - 1))
			;
		memcpy(x->ids[s], id, 20);
		x->rel[s] = (uint16_t)first[i];
	}
	x->sig = l->sig;
	rc = STORE_OK;
out:
	if (rc != STORE_OK)
		index_free(x);
	repo_tips_free(&tips);
	free(all.ids);
	free(ptrs);
	free(first);
	return rc;
}

/* The releases, read once per transaction (reports of one batch share them). Owned by o. */
static const rel_list *releases_for(store_db *db, int64_t project_id, open_repo *o)
{
	if (o->rels && o->rels_txn == store_db_txn(db))
		return o->rels;
	if (!o->rels) {
		o->rels = calloc(1, sizeof(*o->rels));
		if (!o->rels)
			return NULL;
	} else {
		releases_free(o->rels);
	}
	o->rels_txn = 0;
	if (releases_load(db, project_id, o->rels) < 0)
		return NULL;
	o->rels_txn = store_db_txn(db);
	return o->rels;
}

/* The first release (history order) containing `commit`; "" when none. */
static int release_of(open_repo *o, const rel_list *l, const char *commit, char out[128])
{
	static const unsigned char zero[20];
	rel_index *x = &o->index;
	unsigned char id[20];
	size_t s;

	out[0] = '\0';
	if (l->n == 0 || unhex(id, commit) < 0)
		return STORE_OK;
	if (x->sig != l->sig && index_build(x, o, l) < 0)
		return STORE_ERROR;
	if (!x->cap)
		return STORE_OK;
	for (s = slot_of(x, id); memcmp(x->ids[s], zero, 20) != 0; s = (s + 1) & (x->cap - 1)) {
		if (memcmp(x->ids[s], id, 20) == 0) {
			snprintf(out, 128, "%s", x->names[x->rel[s]]);
			break;
		}
	}
	return STORE_OK;
}

/* Remember a commit and the release it first shipped in. */
static int put_commit(store_db *db, int64_t project_id, open_repo *o, const rel_list *l,
		      const store_commit_info *c)
{
	char release[128];

	if (store_commit_put(db, project_id, c) < 0 || release_of(o, l, c->id, release) < 0)
		return STORE_ERROR;
	return store_commit_set_release(db, project_id, c->id, release);
}

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
	const rel_list *l = releases_for(db, project_id, o);
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
	o = repo_for(db, project_id);
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
	o = repo_for(db, project_id);
	if (!o)
		return STORE_OK;
	l = releases_for(db, project_id, o);
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

			if (put_commit(db, project_id, o, l, &c) < 0)
				return STORE_ERROR;
			o->put_txn = store_db_txn(db);
			memcpy(o->put, out->commit, sizeof(o->put));
		}
	}
	if (out->commit[0] && release_of(o, l, out->commit, out->release) < 0)
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
		if (release_of(o, l, fix, out->fixed_in) < 0)
			return STORE_ERROR;
	}
	return STORE_OK;
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
	const rel_list *l = a->n ? releases_for(db, project_id, o) : NULL;
	size_t i;

	if (a->n && !l)
		return STORE_ERROR;
	for (i = 0; i < a->n; i++) {
		const repo_commit *gc = &a->suspect[i];
		store_commit_info c = {gc->id, gc->author_name, gc->author_email, gc->author_time,
				       gc->summary};

		if (put_commit(db, project_id, o, l, &c) < 0 ||
		    store_suspect_add(db, project_id, num, gc->id, a->path[i],
				      (int64_t)a->line[i]) < 0)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int gitwork_blame_known(store_db *db, int64_t project_id, int64_t num, const char *commit,
			const json_t *frames, int *done)
{
	open_repo *o = repo_for(db, project_id);
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
	open_repo *o = repo_for(db, project_id);
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

/* A commit id as a person may type it without a repository: 7 to 40 hex digits. */
static int hex_id_ok(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			return 0;
	return n >= 7 && n <= 40;
}

int gitwork_fixing_commit(store_db *db, int64_t project_id, const char *rev, char out[41],
			  char *why, size_t whylen)
{
	open_repo *o = repo_for(db, project_id);
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
	if (releases_load(db, project_id, &l) < 0)
		return STORE_ERROR;
	{
		store_commit_info c = {.id = out};
		rc = put_commit(db, project_id, o, &l, &c);
	}
	releases_free(&l);
	return rc;
}

/* Give remembered commits (all, or those in `only`) the first release that contains them. */
static int reassign(store_db *db, int64_t project_id, open_repo *o, const rel_list *l,
		    idlist *only)
{
	idlist all = {0}, *ids = only ? only : &all;
	char release[128];
	size_t i;
	int rc = STORE_ERROR;

	if (!only && store_commits_each(db, project_id, collect, &all) < 0)
		goto out;
	for (i = 0; i < ids->n; i++)
		if (release_of(o, l, ids->ids[i], release) < 0 ||
		    store_commit_set_release(db, project_id, ids->ids[i], release) < 0)
			goto out;
	rc = STORE_OK;
out:
	free(all.ids);
	return rc;
}

int gitwork_release_add(store_db *db, int64_t project_id, const char *name, const char *ref,
			int64_t now, char *why, size_t whylen)
{
	open_repo *o = repo_for(db, project_id);
	char tip[41];
	size_t *order = NULL, i;
	rel_list l = {0}, ordered = {0};
	int rc;

	if (!o) {
		snprintf(why, whylen, "this project has no repository: add one with "
				      "'prosumd project add NAME --repo PATH'");
		return STORE_INVALID;
	}
	if (repo_resolve(tip, o->repo, ref, strlen(ref)) != REPO_OK) {
		snprintf(why, whylen, "'%s' is not a commit, tag or branch of the repository", ref);
		return STORE_INVALID;
	}
	rc = store_release_add(db, project_id, name, ref, tip, now);
	o->rels_txn = 0; /* the list changes within this transaction */
	if (rc == STORE_EXISTS) {
		snprintf(why, whylen, "release '%s' already exists", name);
		return rc;
	}
	if (rc < 0 || releases_load(db, project_id, &l) < 0)
		return STORE_ERROR;
	/* Registered in any order, releases are kept in history order. */
	order = calloc(l.n, sizeof(*order));
	if (!order || repo_order_releases(order, o->repo, (const char *const *)l.tips, l.n) < 0) {
		snprintf(why, whylen, "the releases could not be ordered: %s", repo_error(o->repo));
		rc = STORE_ERROR;
		goto out;
	}
	for (i = 0; i < l.n; i++)
		if (store_release_set_position(db, project_id, l.names[order[i]], (int)i) < 0) {
			rc = STORE_ERROR;
			goto out;
		}
	/* What each remembered commit shipped in may have changed. */
	if (releases_load(db, project_id, &ordered) < 0) {
		rc = STORE_ERROR;
		goto out;
	}
	rc = reassign(db, project_id, o, &ordered, NULL);
	if (rc == STORE_OK)
		rc = store_links_apply(db, project_id, 0, 0, now); /* newly shipped suggestions */
	if (rc == STORE_OK)
		rc = gitwork_fix_checks(db, project_id, 0, now, NULL);
out:
	free(order);
	releases_free(&l);
	releases_free(&ordered);
	return rc;
}

typedef struct scan {
	store_db *db;
	int64_t project_id;
	gitwork_sync_stats *stats;
	idlist *fresh; /* commits remembered by this sync: they need their release */
	int failed;
} scan;

/* One new commit of the walk: remember the items its message links to. */
static int scan_commit(const repo_walk_commit *c, void *payload)
{
	scan *sc = payload;
	links_ref refs[LINKS_MAX_REFS];
	size_t n, i;
	char summary[REPO_SUMMARY_MAX];

	sc->stats->commits++;
	n = links_parse(c->message, c->message_len, refs, LINKS_MAX_REFS);
	if (n == 0)
		return 0;
	if (n > LINKS_MAX_REFS)
		n = LINKS_MAX_REFS;
	snprintf(summary, sizeof(summary), "%.*s", (int)c->summary_len, c->summary);
	{
		store_commit_info ci = {c->id, c->author_name, c->author_email, c->author_time,
					summary};
		if (store_commit_put(sc->db, sc->project_id, &ci) < 0 || collect(sc->fresh, c->id) < 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (store_link_add(sc->db, sc->project_id, refs[i].type, refs[i].num, c->id,
				   refs[i].kind == LINKS_IMPLEMENT) < 0)
			goto fail;
		sc->stats->links++;
	}
	return 0;
fail:
	sc->failed = 1;
	return 1;
}

typedef struct resolver {
	store_db *db;
	int64_t project_id;
	open_repo *o;
	gitwork_sync_stats *stats;
	idlist *fresh;
} resolver;

/* A report resolved now: its suspects are wanted, as for one resolved at ingest. */
static int blame_wanted(void *ctx, int64_t num)
{
	gitwork_sync_stats *st = ctx;
	int64_t *nb;

	if ((st->nblame & (st->nblame - 1)) == 0) { /* 0, 1, 2, 4...: grow */
		nb = realloc(st->blame, (st->nblame ? st->nblame * 2 : 1) * sizeof(*nb));
		if (!nb)
			return -1;
		st->blame = nb;
	}
	st->blame[st->nblame++] = num;
	return 0;
}

static int resolve_one(void *ctx, const char *revision)
{
	resolver *rv = ctx;
	char commit[41];

	if (repo_resolve(commit, rv->o->repo, revision, strlen(revision)) != REPO_OK)
		return 0; /* still unknown: kept for the next sync */
	{
		store_commit_info c = {.id = commit};
		if (store_unresolved_reports_each(rv->db, rv->project_id, revision, blame_wanted,
						  rv->stats) < 0 ||
		    store_commit_put(rv->db, rv->project_id, &c) < 0 ||
		    store_revision_resolved(rv->db, rv->project_id, revision, commit) < 0 ||
		    collect(rv->fresh, commit) < 0)
			return -1;
	}
	rv->stats->resolved++;
	return 0;
}

typedef struct recheck {
	store_db *db;
	int64_t project_id, now;
	open_repo *o;
	const char *fix;
	gitwork_sync_stats *stats;
} recheck;

/* A build of a group the sync just fixed: holding the fix, it shows the fix did not hold. */
static int recheck_build(void *ctx, int64_t group_num, const char *build, int64_t report_num)
{
	recheck *rk = ctx;
	int contains = 0;
	char fix[41], status[32];

	if (repo_contains(&contains, rk->o->repo, rk->fix, build) != REPO_OK || !contains)
		return 0;
	if (store_group_fix(rk->db, rk->project_id, group_num, fix, status) < 0)
		return -1;
	if (strcmp(status, "fixed") != 0)
		return 0; /* marked by another build already */
	rk->stats->regressed++;
	return store_group_regressed(rk->db, rk->project_id, group_num, report_num, rk->now);
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
	fc.o = repo_for(db, project_id);
	if (!fc.o)
		return STORE_OK;
	rc = store_fix_unchecked_each(db, project_id, group_num, fix_check_build, &fc);
	if (regressed)
		*regressed = fc.regressed;
	return rc;
}

int gitwork_sync(store_db *db, int64_t project_id, int64_t now, gitwork_sync_stats *out,
		 char *why, size_t whylen)
{
	open_repo *o = repo_for(db, project_id);
	char(*tips)[41] = NULL;
	const char **seen = NULL;
	repo_tips fresh = {0};
	size_t ntips = 0, i;
	scan sc;
	resolver rv;
	rel_list l = {0};
	idlist fresh_commits = {0}, resolved = {0};
	int rc = STORE_ERROR;

	memset(out, 0, sizeof(*out));
	if (!o) {
		snprintf(why, whylen, "this project has no repository: add one with "
				      "'prosumd project add NAME --repo PATH'");
		return STORE_INVALID;
	}
	if (repo_fetch(o->repo) < 0) {
		snprintf(why, whylen, "fetching the remote failed: %s", repo_error(o->repo));
		return STORE_INVALID;
	}
	out->fetched = 1;
	repo_cache_clear(o->repo); /* branches may have moved even without a remote */
	if (store_tips_get(db, project_id, &tips, &ntips) < 0)
		return STORE_ERROR;
	seen = calloc(ntips + 1, sizeof(*seen));
	if (!seen)
		goto out;
	for (i = 0; i < ntips; i++)
		seen[i] = tips[i];
	if (releases_load(db, project_id, &l) < 0)
		goto out;
	sc = (scan){db, project_id, out, &fresh_commits, 0};
	if (repo_walk(&fresh, o->repo, seen, ntips, NULL, 0, scan_commit, &sc) < 0 ||
	    sc.failed) {
		snprintf(why, whylen, "walking the history failed: %s", repo_error(o->repo));
		goto out;
	}
	if (store_tips_set(db, project_id, (const char(*)[41])fresh.ids, fresh.count) < 0)
		goto out;
	rv = (resolver){db, project_id, o, out, &resolved};
	if (store_unresolved_each(db, project_id, resolve_one, &rv) < 0)
		goto out;
	/* New and newly resolved commits need their release; links name their items. */
	if (reassign(db, project_id, o, &l, &fresh_commits) < 0 ||
	    reassign(db, project_id, o, &l, &resolved) < 0 ||
	    store_links_apply(db, project_id, 0, 0, now) < 0)
		goto out;
	/* Reports may have come from builds that hold a fix linked only now. */
	for (i = 0; i < fresh_commits.n; i++) {
		recheck rk = {db, project_id, now, o, fresh_commits.ids[i], out};

		if (store_fix_builds_each(db, project_id, fresh_commits.ids[i], recheck_build, &rk) <
		    0)
			goto out;
	}
	/* Which reports' builds lack the fixes linked or resolved now: only those are fixed. */
	{
		int64_t late = 0;

		if (gitwork_fix_checks(db, project_id, 0, now, &late) < 0)
			goto out;
		out->regressed += late;
	}
	rc = STORE_OK;
out:
	releases_free(&l);
	free(fresh_commits.ids);
	free(resolved.ids);
	repo_tips_free(&fresh);
	free(seen);
	free(tips);
	return rc;
}

static int md_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (unsigned char)c >= 0x80;
}

static int md_punct(char c)
{
	return c && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) != NULL;
}

/* Does s start an entity reference ("&amp;", "&#38;"), which Markdown would decode? */
static int md_entity(const char *s)
{
	size_t i = 1;

	if (s[i] == '#')
		i++;
	while (md_word(s[i]) && (unsigned char)s[i] < 0x80 && i < 40)
		i++;
	return i > 1 && s[i] == ';';
}

/*
 * Text from testers and commit messages, written inline (never at the start
 * of a line) so that it reads as written: "R-999" and "beta_app_crash" stay
 * as they are. A backslash goes only before what Markdown would otherwise
 * take as markup there: code spans, emphasis (any '*', a '_' not inside a
 * word), strikethrough, links, HTML and autolinks, entity references, and a
 * backslash that would escape the next character. Line breaks become spaces.
 */
static void md_text(buf *out, const char *s)
{
	const char *p;

	for (p = s; p && *p; p++) {
		char c = *p, prev = p > s ? p[-1] : ' ';
		int esc;

		switch (c) {
		case '`':
		case '*':
		case '~':
		case '[':
		case ']':
		case '<':
			esc = 1;
			break;
		case '_':
			esc = !(md_word(prev) && md_word(p[1]));
			break;
		case '&':
			esc = md_entity(p);
			break;
		case '\\':
			esc = md_punct(p[1]);
			break;
		default:
			esc = 0;
			break;
		}
		if (esc)
			buf_append(out, "\\", 1);
		if (c == '\n' || c == '\r')
			buf_append(out, " ", 1);
		else
			buf_append(out, p, 1);
	}
}

/* A code span holding s as it is: fenced by more backticks than any run in s. */
static void md_code(buf *out, const char *s)
{
	size_t run = 0, longest = 0, i;
	const char *p;

	for (p = s; p && *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i <= longest; i++)
		buf_append(out, "`", 1);
	if (longest)
		buf_append(out, " ", 1);
	for (p = s; p && *p; p++)
		buf_append(out, *p == '\n' || *p == '\r' ? " " : p, 1);
	if (longest)
		buf_append(out, " ", 1);
	for (i = 0; i <= longest; i++)
		buf_append(out, "`", 1);
}

static void md_commit(buf *out, const char *url, const char *id)
{
	const char *at = url ? strstr(url, "{id}") : NULL;

	if (!at) {
		buf_printf(out, "`%.10s`", id);
		return;
	}
	buf_printf(out, "[`%.10s`](%.*s%s%s)", id, (int)(at - url), url, id, at + 4);
}

/* "Ada, Bob and 3 more testers" from a JSON array of names and a count of the unnamed. */
static void md_people(buf *out, const json_t *names, json_int_t others)
{
	size_t i, n = json_array_size(names);

	for (i = 0; i < n; i++) {
		buf_puts(out, i == 0 ? "" : (i + 1 == n && others == 0) ? " and " : ", ");
		md_text(out, json_string_value(json_array_get(names, i)));
	}
	if (others > 0)
		buf_printf(out, "%s%lld more tester%s", n ? " and " : "", (long long)others,
			   others == 1 ? "" : "s");
}

typedef struct note_walk {
	buf *out;
	const char *url;
	int linked_only; /* the first release: only commits that link to items are listed */
	size_t listed, more, others;
} note_walk;

static int note_commit(const repo_walk_commit *c, void *payload)
{
	note_walk *nw = payload;
	links_ref refs[LINKS_MAX_REFS];
	char summary[REPO_SUMMARY_MAX];

	if (c->parents > 1)
		return 0; /* merges say nothing the merged commits do not */
	if (nw->linked_only && links_parse(c->message, c->message_len, refs, LINKS_MAX_REFS) == 0) {
		nw->others++;
		return 0;
	}
	if (nw->listed == 500) {
		nw->more++;
		return 0;
	}
	snprintf(summary, sizeof(summary), "%.*s", (int)c->summary_len, c->summary);
	buf_puts(nw->out, "- ");
	md_commit(nw->out, nw->url, c->id);
	buf_puts(nw->out, " ");
	md_text(nw->out, summary);
	buf_puts(nw->out, " (");
	md_text(nw->out, c->author_name);
	buf_puts(nw->out, ")\n");
	nw->listed++;
	return 0;
}

int gitwork_release_notes(store_db *db, int64_t project_id, const char *name, buf *out)
{
	json_t *rel = NULL, *items, *it;
	open_repo *o;
	rel_list l = {0};
	char *url = NULL;
	size_t i;
	int rc;

	rc = store_release_get(db, project_id, name, &rel);
	if (rc != STORE_OK)
		return rc;
	if (store_project_commit_url(db, project_id, &url) < 0) {
		rc = STORE_ERROR;
		goto out;
	}
	buf_puts(out, "# Release ");
	md_text(out, name);
	buf_puts(out, "\n\nBuilt from ");
	md_code(out, json_string_value(json_object_get(rel, "ref")));
	buf_puts(out, " at ");
	md_commit(out, url, json_string_value(json_object_get(rel, "commit")));
	buf_puts(out, ".\n\n## Community suggestions shipped\n\n");
	items = json_object_get(rel, "shipped_suggestions");
	if (json_array_size(items) == 0)
		buf_puts(out, "_None in this release._\n");
	json_array_foreach(items, i, it)
	{
		json_int_t votes = json_integer_value(json_object_get(it, "votes"));
		const char *by = json_string_value(json_object_get(it, "suggested_by"));

		buf_printf(out, "- **%s** ", json_string_value(json_object_get(it, "id")));
		md_text(out, json_string_value(json_object_get(it, "title")));
		buf_printf(out, " (%lld vote%s)", (long long)votes, votes == 1 ? "" : "s");
		if (by) {
			buf_puts(out, ". Suggested by ");
			md_text(out, by);
		}
		buf_puts(out, ". Thanks to ");
		md_people(out, json_object_get(it, "credited"),
			  json_integer_value(json_object_get(it, "others")));
		buf_puts(out, ".\n");
	}
	buf_puts(out, "\n## Fixed\n\n");
	items = json_object_get(rel, "fixed_groups");
	json_array_foreach(items, i, it)
	{
		json_int_t n = json_integer_value(json_object_get(it, "count"));
		json_int_t t = json_integer_value(json_object_get(it, "testers"));

		buf_printf(out, "- **%s** ", json_string_value(json_object_get(it, "id")));
		md_text(out, json_string_value(json_object_get(it, "title")));
		buf_printf(out, " (%lld report%s from %lld tester%s; fixed by ", (long long)n,
			   n == 1 ? "" : "s", (long long)t, t == 1 ? "" : "s");
		md_commit(out, url, json_string_value(json_object_get(it, "fixed_by")));
		buf_puts(out, ")\n");
	}
	if (json_array_size(items) == 0 &&
	    json_array_size(json_object_get(rel, "fixed_reports")) == 0)
		buf_puts(out, "_No reported problems were fixed in this release._\n");
	items = json_object_get(rel, "fixed_reports");
	if (json_array_size(items) > 0)
		buf_puts(out, "\nReports fixed:");
	json_array_foreach(items, i, it)
	{
		buf_printf(out, "%s %s", i ? "," : "", json_string_value(json_object_get(it, "id")));
	}
	if (json_array_size(items) > 0)
		buf_puts(out, ".\n");
	buf_puts(out, "\n## Thanks\n\n");
	items = json_object_get(rel, "contributors");
	if (json_array_size(items) == 0)
		buf_puts(out, "_Thanks to every tester who sent reports and ideas._\n");
	json_array_foreach(items, i, it)
	{
		json_int_t sg = json_integer_value(json_object_get(it, "suggestions"));
		json_int_t fx = json_integer_value(json_object_get(it, "fixed_reports"));

		buf_puts(out, "- ");
		md_text(out, json_string_value(json_object_get(it, "name")));
		if (sg)
			buf_printf(out, ": %lld shipped suggestion%s", (long long)sg,
				   sg == 1 ? "" : "s");
		if (fx)
			buf_printf(out, "%s %lld fixed report%s", sg ? "," : ":", (long long)fx,
				   fx == 1 ? "" : "s");
		buf_puts(out, "\n");
	}
	buf_puts(out, "\n## Commits\n\n");
	o = repo_for(db, project_id);
	if (o && releases_load(db, project_id, &l) == STORE_OK) {
		const char *tip = json_string_value(json_object_get(rel, "commit"));
		const char *prev[1];
		note_walk nw = {out, url, 0, 0, 0, 0};
		repo_tips seen = {0};

		/* Since the release before this one in history order. The first release
		 * has the whole history below it: only what links to reports, groups and
		 * suggestions is listed there, the rest counted. */
		for (i = 0; i < l.n && strcmp(l.names[i], name) != 0; i++)
			;
		prev[0] = i > 0 && i < l.n ? l.tips[i - 1] : NULL;
		nw.linked_only = prev[0] == NULL;
		if (repo_walk(&seen, o->repo, prev, prev[0] ? 1 : 0, &tip, 1, note_commit, &nw) <
		    0)
			buf_puts(out, "_The commit list could not be read from the repository._\n");
		else if (nw.listed == 0 && nw.others == 0)
			buf_puts(out, "_No commits._\n");
		if (nw.more)
			buf_printf(out, "- and %zu more\n", nw.more);
		if (nw.others && nw.listed)
			buf_printf(out, "- and %zu other commit%s\n", nw.others,
				   nw.others == 1 ? "" : "s");
		else if (nw.others)
			buf_printf(out, "_%zu commit%s, none linked to a report or suggestion._\n",
				   nw.others, nw.others == 1 ? "" : "s");
		repo_tips_free(&seen);
	} else {
		buf_puts(out, "_The project has no repository linked._\n");
	}
out:
	releases_free(&l);
	free(url);
	json_decref(rel);
	return rc;
}
