/* sourcejob.c - a frame's source lines from the project's repository, on a store thread. */
#include "git/work_int.h"

#include <string.h>

int gitwork_source(store_db *db, int64_t project_id, const char *commit, const char *file,
		   int64_t line, int context, repo_source *out)
{
	open_repo *o = project_repo(db, project_id);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!o || !commit || !commit[0] || !file || line < 1 || context < 0)
		return STORE_OK;
	rc = repo_source_lines(out, o->repo, commit, file, strlen(file), (size_t)line,
			       (size_t)context);
	if (rc == REPO_OK)
		return STORE_OK;
	/* Not found, a path no repository could hold, or a repository that cannot be read: the
	 * frame has no lines (the rest of the page still shows). Only memory fails the call. */
	out->path[0] = '\0';
	return rc == REPO_ENOMEM ? STORE_ERROR : STORE_OK;
}
