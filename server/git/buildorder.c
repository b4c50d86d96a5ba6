/* buildorder.c - builds (revisions) in the order of the project's git history, for the health answer. */
#include "git/buildorder.h"

#include <stdlib.h>
#include <string.h>

#include "git/work_int.h"

/*
 * The order of a set of commits never changes (their ancestry and commit times are fixed),
 * and a health page asks for the same builds again and again: the last BORDER_MEMO answers
 * are kept per open repository, keyed by the resolved ids in input order, so the history is
 * walked once per new set of builds, not per request.
 */
#define BORDER_MEMO 4

struct border_memo {
	char *key[BORDER_MEMO];   /* k ids of 40 hex digits, concatenated; NULL: empty slot */
	size_t *order[BORDER_MEMO];
	size_t k[BORDER_MEMO];
	size_t next; /* round-robin eviction */
};

void buildorder_memo_free(open_repo *o)
{
	size_t i;

	if (!o->border)
		return;
	for (i = 0; i < BORDER_MEMO; i++) {
		free(o->border->key[i]);
		free(o->border->order[i]);
	}
	free(o->border);
	o->border = NULL;
}

/* The remembered order of tips[0, k) into sub, or 0 when there is none. */
static int memo_get(const open_repo *o, const char *key, size_t k, size_t *sub)
{
	size_t i;

	for (i = 0; o->border && i < BORDER_MEMO; i++) {
		if (o->border->key[i] && o->border->k[i] == k &&
		    memcmp(o->border->key[i], key, 40 * k) == 0) {
			memcpy(sub, o->border->order[i], k * sizeof(*sub));
			return 1;
		}
	}
	return 0;
}

/* Remember an answer; without memory it is only not remembered. */
static void memo_put(open_repo *o, const char *key, size_t k, const size_t *sub)
{
	size_t slot;
	char *kc;
	size_t *oc;

	if (!o->border && !(o->border = calloc(1, sizeof(*o->border))))
		return;
	kc = malloc(40 * k);
	oc = malloc(k * sizeof(*oc));
	if (!kc || !oc) {
		free(kc);
		free(oc);
		return;
	}
	memcpy(kc, key, 40 * k);
	memcpy(oc, sub, k * sizeof(*oc));
	slot = o->border->next;
	o->border->next = (slot + 1) % BORDER_MEMO;
	free(o->border->key[slot]);
	free(o->border->order[slot]);
	o->border->key[slot] = kc;
	o->border->order[slot] = oc;
	o->border->k[slot] = k;
}

int gitwork_order_builds(store_db *db, int64_t project_id, const char *const *revs, size_t n,
			 size_t *order, size_t *resolved)
{
	return gitwork_order_builds_at(db, project_id, revs, n, order, resolved, NULL);
}

int gitwork_order_builds_at(store_db *db, int64_t project_id, const char *const *revs, size_t n,
			    size_t *order, size_t *resolved, char (*commits)[41])
{
	open_repo *o = n > 0 ? project_repo(db, project_id) : NULL;
	char (*full)[REPO_HEX_SIZE] = NULL, *key = NULL;
	const char **tips = NULL;
	size_t *idx = NULL, *sub = NULL, k = 0, u, i;
	int rc = STORE_OK;

	*resolved = 0;
	for (i = 0; i < n; i++) {
		order[i] = i;
		if (commits)
			commits[i][0] = '\0';
	}
	if (!o || n > REPO_RELEASES_MAX)
		return STORE_OK;
	full = calloc(n, sizeof(*full));
	tips = calloc(n, sizeof(*tips));
	idx = calloc(n, sizeof(*idx));
	sub = calloc(n, sizeof(*sub));
	key = malloc(40 * n);
	if (!full || !tips || !idx || !sub || !key) {
		rc = PE_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(revs[i]);

		if (len == 0 || len > REPO_REV_MAX ||
		    repo_resolve(full[i], o->repo, revs[i], len) != REPO_OK)
			continue;
		tips[k] = full[i];
		if (commits)
			memcpy(commits[i], full[i], 41);
		memcpy(key + 40 * k, full[i], 40);
		idx[k++] = i;
	}
	if (k == 0)
		goto out;
	if (!memo_get(o, key, k, sub)) {
		/* An unreadable history leaves the input order: the answer says so (resolved 0). */
		if (repo_order_releases(sub, o->repo, tips, k) != REPO_OK)
			goto out;
		memo_put(o, key, k, sub);
	}
	for (i = 0; i < k; i++)
		order[i] = idx[sub[i]];
	u = k;
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < k && idx[j] != i; j++)
			;
		if (j == k)
			order[u++] = i;
	}
	*resolved = k;
out:
	free(key);
	free(full);
	free(tips);
	free(idx);
	free(sub);
	return rc;
}
