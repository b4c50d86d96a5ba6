/* buildorder.c - builds (revisions) in the order of the project's git history, for the health answer. */
#include "git/buildorder.h"

#include <stdlib.h>
#include <string.h>

#include "git/work_int.h"

int gitwork_order_builds(store_db *db, int64_t project_id, const char *const *revs, size_t n,
			 size_t *order, size_t *resolved)
{
	open_repo *o = n > 0 ? project_repo(db, project_id) : NULL;
	char (*full)[REPO_HEX_SIZE] = NULL;
	const char **tips = NULL;
	size_t *idx = NULL, *sub = NULL, k = 0, u, i;
	int rc = STORE_OK;

	*resolved = 0;
	for (i = 0; i < n; i++)
		order[i] = i;
	if (!o || n > REPO_RELEASES_MAX)
		return STORE_OK;
	full = calloc(n, sizeof(*full));
	tips = calloc(n, sizeof(*tips));
	idx = calloc(n, sizeof(*idx));
	sub = calloc(n, sizeof(*sub));
	if (!full || !tips || !idx || !sub) {
		rc = PE_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(revs[i]);

		if (len == 0 || len > REPO_REV_MAX ||
		    repo_resolve(full[i], o->repo, revs[i], len) != REPO_OK)
			continue;
		tips[k] = full[i];
		idx[k++] = i;
	}
	/* An unreadable history leaves the input order: the answer says so (resolved 0). */
	if (k == 0 || repo_order_releases(sub, o->repo, tips, k) != REPO_OK)
		goto out;
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
	free(full);
	free(tips);
	free(idx);
	free(sub);
	return rc;
}
