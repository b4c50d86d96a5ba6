/* git_int.h - internals shared by the files behind git/repo.h (the open repository handle). */
#ifndef PROSUM_GIT_INT_H
#define PROSUM_GIT_INT_H

#include <git2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "git/repo.h"

/* One remembered revision answer; `used` 0 marks a free slot. */
typedef struct resolve_entry {
	uint64_t hash;
	uint64_t used;
	git_oid oid;
	int result; /* REPO_OK or REPO_ENOTFOUND */
	unsigned char keylen;
	char key[REPO_RESOLVE_KEY_MAX];
} resolve_entry;

/* One remembered blame of a whole file; `blame` NULL marks a free slot. */
typedef struct blame_entry {
	git_oid commit;
	char *path;
	git_blame *blame;
	uint64_t used;
} blame_entry;

struct repo_handle {
	git_repository *repo;
	resolve_entry *resolve; /* REPO_RESOLVE_CACHE slots, allocated at first use */
	size_t resolve_entries;
	blame_entry blame[REPO_BLAME_CACHE];
	size_t blame_entries;
	uint64_t clock; /* ticks on every cache use, for least-recently-used eviction */
	repo_stats stats;
	char err[512];
};

__attribute__((format(printf, 3, 4))) static inline int fail(repo_handle *r, int code, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	/* Also the calling thread's last error, as every server module reports it. */
	return perr_set(code, "%s", r->err);
}

/* Map a libgit2 error to ours and keep its message, prefixed by what was being done. */
static inline int git_fail(repo_handle *r, int gerr, const char *what)
{
	const git_error *e = git_error_last();
	int code;

	switch (gerr) {
	case GIT_ENOTFOUND:
		code = REPO_ENOTFOUND;
		break;
	case GIT_EAMBIGUOUS:
		code = REPO_EAMBIGUOUS;
		break;
	case GIT_EINVALIDSPEC:
		code = REPO_EINVAL;
		break;
	case GIT_EUSER:
		code = REPO_ESTOPPED;
		break;
	default:
		code = e && e->klass == GIT_ERROR_NOMEMORY ? REPO_ENOMEM : REPO_EGIT;
		break;
	}
	/* Messages longer than the buffer (a long path, say) are cut, on purpose. */
	fail(r, code, "%s: %s", what, e && e->message ? e->message : "failed");
	git_error_clear();
	return code;
}

/* A growable list of commit ids (walk.c). */
typedef struct oid_list {
	git_oid *v;
	size_t n, cap;
} oid_list;

int repo_oid_list_add(oid_list *l, const git_oid *oid);
int repo_oid_cmp(const void *a, const void *b);
void repo_oid_list_unique(oid_list *l); /* sorted, duplicates dropped */

/* A full commit id given by the caller: exactly 40 hex digits then NUL (repo.c). */
int repo_parse_full_hex(repo_handle *r, git_oid *oid, const char *hex, const char *what);
/* The first line of a message, surrounding white space trimmed (repo.c). */
void repo_summary_of(const char *msg, size_t len, const char **s, size_t *slen);
void repo_fill_commit(repo_commit *out, const git_commit *c);
/* A plain revision p[0, len): a name git would accept as a ref, a hash or describe output,
 * no operators; else REPO_EINVAL (repo.c). */
int repo_check_rev(repo_handle *r, const char *p, size_t len);
/* Look a checked, NUL-terminated revision spec[0, len) up as a commit (repo.c). */
int repo_lookup_spec(repo_handle *r, git_oid *out, const char *spec, size_t len);
/* Forget every remembered blame of the handle (blame.c). */
void repo_blame_cache_clear(repo_handle *r);

#endif
