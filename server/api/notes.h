/* notes.h - a release's notes in Markdown, rendered for GET /releases/NAME/notes. */
#ifndef PROSUM_NOTES_H
#define PROSUM_NOTES_H

#include <stdint.h>

#include "common/buf.h"
#include "store/store.h"

/* Release notes in Markdown: shipped suggestions with votes and opted-in credit,
 * fixed groups and reports, thanks, and the commits since the previous release
 * (linked when the project has a commit URL), appended to `out`. Runs on a store
 * thread. STORE_NOTFOUND: no such release. */
int notes_render(store_db *db, int64_t project_id, const char *name, buf *out);

#endif
