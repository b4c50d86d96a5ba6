/* repo.h - libgit2 access: resolve revisions, containment, blame, history walks, fetch. */
#ifndef PROSUM_REPO_H
#define PROSUM_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "perror.h"

/*
 * A repo_handle is one open repository with its caches. libgit2 objects are
 * not thread-safe, so a handle belongs to one thread at a time: open one per
 * worker thread (several handles on the same repository are fine). Nothing
 * here is global except what repo_global_init() sets up.
 *
 * Every function that can fail returns 0 or a negative REPO_E* code,
 * outputs first. The message of the last failure on a handle is
 * repo_error(). Commit ids cross this API as 40 lower-case hex digits and
 * a NUL (REPO_HEX_SIZE bytes).
 *
 * The calls walk history, so they can take milliseconds (blame, containment)
 * to seconds (a first walk of a large repository): never call them on an
 * event-loop thread.
 *
 * Behind this header: repo.c (set-up, handles, revisions), history.c
 * (containment, first release containing a commit, release order), walk.c
 * (new history), blame.c (blame of a line) and fetch.c. Only these files
 * include <git2.h>, through the private git/git_int.h.
 */
typedef struct repo_handle repo_handle;

#define REPO_OK PE_OK
/* The repository's names of the server's PE_* codes (perror.h). */
#define REPO_EGIT PE_ERROR            /* libgit2 failed (I/O, corrupt repository): see repo_error() */
#define REPO_ENOTFOUND PE_NOTFOUND    /* no such repository, revision, commit, path or line */
#define REPO_EINVAL PE_INVAL          /* the input was refused (syntax, hostile path, bad id) */
#define REPO_EAMBIGUOUS PE_AMBIGUOUS  /* a short hash matches more than one object */
#define REPO_ENOMEM PE_NOMEM
#define REPO_ESTOPPED PE_STOPPED      /* a callback asked to stop */

#define REPO_HEX_SIZE 41        /* 40 hex digits and a NUL */
#define REPO_REV_MAX 255        /* longest revision string repo_resolve() accepts */
#define REPO_PATH_MAX 4096      /* longest path repo_blame_line() accepts */
#define REPO_RESOLVE_CACHE 1024 /* revision -> commit answers kept per handle */
#define REPO_RESOLVE_KEY_MAX 95 /* longer revisions are resolved but not cached */
#define REPO_BLAME_CACHE 32     /* (commit, path) blames kept per handle */
#define REPO_RELEASES_MAX 1024  /* releases repo_order_releases() will order */
#define REPO_NAME_MAX 256       /* author name or e-mail in repo_commit, NUL included */
#define REPO_SUMMARY_MAX 512    /* summary in repo_commit, NUL included */

/*
 * Set up libgit2 for the process. Call once from the main thread before any
 * other repo call and before starting threads; pair with
 * repo_global_shutdown() at exit (after every handle is closed).
 */
int repo_global_init(void);
void repo_global_shutdown(void);

/*
 * Open the repository at `path`: a bare repository, a `.git` directory or a
 * work tree that holds one. The path itself is used, parents are not
 * searched. On 0, the caller owns *out and frees it with repo_close().
 * REPO_ENOTFOUND when there is no repository there; on any failure the
 * reason is written to err[0, errlen) when `err` is not NULL.
 *
 * libgit2 refuses repositories owned by another user (as git's
 * safe.directory does): run prosumd as the owner of the repositories it reads.
 */
int repo_open(repo_handle **out, const char *path, char *err, size_t errlen);
void repo_close(repo_handle *repo);

/* The message of the last failure on this handle ("" when none). Valid until the next call. */
const char *repo_error(const repo_handle *repo);

/*
 * Resolve a build revision, rev[0, len) (not NUL-terminated, any bytes), to
 * the full id of a commit, written to `out`.
 *
 * Accepted: a full or abbreviated (4+ digits) hash, a tag (annotated tags are
 * peeled to their commit), a branch (local or remote-tracking), a full ref
 * name, and `git describe` output ("v1.3.0-14-gabc1234", also with a
 * "-dirty" suffix, which is dropped). Names are tried before abbreviated
 * hashes, as git does.
 *
 * Refused with REPO_EINVAL: empty or longer than REPO_REV_MAX; control
 * bytes, space, DEL; a leading '-', '/' or '.'; a trailing '/' or '.' or
 * ".lock"; any of ~ ^ : ? * [ \ ; the sequences "..", "//", "/." and "@{";
 * "@" alone; HEAD and the other *_HEAD pseudo-refs (the server's own HEAD
 * says nothing about a tester's build). So ranges, reflog selectors, peel
 * and ancestry operators, path lookups and options never reach libgit2.
 *
 * REPO_ENOTFOUND when nothing matches or it is not a commit;
 * REPO_EAMBIGUOUS for an abbreviation that matches several objects.
 *
 * Answers (found and not found) are kept in a bounded cache of
 * REPO_RESOLVE_CACHE entries (4-way set associative, least recently used
 * evicted). Branches move, so clear it when the repository may have changed:
 * repo_fetch() does, and after anything else that changes refs call
 * repo_cache_clear().
 */
int repo_resolve(char out[REPO_HEX_SIZE], repo_handle *repo, const char *rev, size_t len);

/*
 * Resolve a revision a person typed (a fixing commit named in triage), not a
 * build: what repo_resolve() accepts, and also HEAD (or "@", the
 * repository's HEAD), each optionally followed by git's ancestry steps "~",
 * "~N", "^", "^N" in any number ("HEAD~1", "v1.0^2", "abc1234~2^").
 * Written to `out` as a full commit id. Other operators (ranges, "@{...}",
 * ":path", "^{...}") are REPO_EINVAL; a base or an ancestor that does not
 * exist is REPO_ENOTFOUND. The answer is not cached (HEAD moves).
 */
int repo_resolve_expr(char out[REPO_HEX_SIZE], repo_handle *repo, const char *rev,
			 size_t len);

/* Forget every cached revision answer (blame results are by commit id and stay valid). */
void repo_cache_clear(repo_handle *repo);

/* Counters for tests and monitoring. */
typedef struct repo_stats {
	uint64_t resolve_hits;
	uint64_t resolve_misses;
	size_t resolve_entries; /* answers held now, at most REPO_RESOLVE_CACHE */
	uint64_t blame_hits;
	uint64_t blame_misses;
	size_t blame_entries; /* blames held now, at most REPO_BLAME_CACHE */
} repo_stats;

void repo_get_stats(repo_stats *out, const repo_handle *repo);

/*
 * *out = 1 when commit `commit_hex` is reachable from `tip_hex` (a commit
 * contains itself), else 0. Both are full 40-hex commit ids (NUL-terminated),
 * else REPO_EINVAL; REPO_ENOTFOUND when either is not in the repository.
 */
int repo_contains(int *out, repo_handle *repo, const char *commit_hex, const char *tip_hex);

/* A commit as the API hands it out: fixed buffers, nothing to free. */
typedef struct repo_commit {
	char id[REPO_HEX_SIZE];
	char author_name[REPO_NAME_MAX]; /* truncated on a UTF-8 boundary if needed */
	char author_email[REPO_NAME_MAX];
	int64_t author_time;               /* seconds since the epoch */
	int author_offset;                 /* minutes east of UTC */
	int64_t commit_time;               /* committer time, seconds since the epoch */
	char summary[REPO_SUMMARY_MAX]; /* first line of the message, trimmed */
} repo_commit;

/*
 * The commit that last changed line `line` (1-based) of `path` as of commit
 * `commit_hex` (full 40 hex), as `git blame` would name it.
 *
 * `path` is path[0, path_len) relative to the repository root, with '/'
 * separators; a leading "./" is dropped. Refused with REPO_EINVAL: empty,
 * longer than REPO_PATH_MAX, absolute, a control byte, an empty, "." or
 * ".." component (after the leading "./"), and line 0. REPO_ENOTFOUND when
 * the commit, the file at that commit, or the line does not exist.
 *
 * The blame of a whole file is kept per (commit, path), REPO_BLAME_CACHE
 * of them, least recently used evicted, so the other frames of the same file
 * cost a lookup.
 */
int repo_blame_line(repo_commit *out, repo_handle *repo, const char *commit_hex,
		       const char *path, size_t path_len, size_t line);

/*
 * One commit seen by repo_walk(). The pointers are valid only during the
 * callback. `message` (the whole message, with the encoding header
 * dropped and leading blank lines removed) and `summary` (its first line,
 * trimmed) are byte slices, not NUL-terminated; `id`, `author_name` and
 * `author_email` are NUL-terminated.
 */
typedef struct repo_walk_commit {
	const char *id;
	const char *author_name;
	const char *author_email;
	int64_t author_time;
	int64_t commit_time;
	const char *summary;
	size_t summary_len;
	const char *message;
	size_t message_len;
	unsigned int parents;
} repo_walk_commit;

/* Return 0 to go on; anything else stops the walk, which then fails with REPO_ESTOPPED. */
typedef int (*repo_walk_cb)(const repo_walk_commit *commit, void *payload);

/* Commit ids to remember between walks. Free with repo_tips_free(). */
typedef struct repo_tips {
	char (*ids)[REPO_HEX_SIZE];
	size_t count;
} repo_tips;

void repo_tips_free(repo_tips *tips);

/*
 * Call `cb` once for every commit reachable from the starting refs and not
 * reachable from any of the `seen` ids (full hex: the tips a previous walk
 * returned), newest first (topological order: a commit comes before its
 * parents). `seen` ids that are no longer in the repository (history
 * rewritten and collected) are ignored.
 *
 * Starting refs: with `refs` NULL, every branch (refs/heads/), remote-tracking
 * branch (refs/remotes/) and tag (refs/tags/); otherwise the `nrefs` names
 * given (short or full ref names, or commit ids; REPO_ENOTFOUND if one
 * does not exist). Tags that do not point at a commit are skipped.
 *
 * On 0, *new_tips (caller frees with repo_tips_free()) holds the distinct
 * commits the starting refs pointed at: pass them as `seen` next time and
 * that walk reports exactly the commits made since. On failure or a stop,
 * *new_tips is empty and the previous tips should be kept.
 */
int repo_walk(repo_tips *new_tips, repo_handle *repo, const char *const *seen, size_t nseen,
		 const char *const *refs, size_t nrefs, repo_walk_cb cb, void *payload);

/*
 * Fetch the remote named "origin" (remote.origin.url) with its configured
 * refspecs (remote.origin.fetch, else every branch into refs/remotes/origin/)
 * and every tag, then clear the revision cache. A repository without an
 * "origin" is left alone and 0 returned. Local (file:// or path) remotes
 * need no credentials; others must not ask for any. Branches update as
 * remote-tracking refs (refs/remotes/origin/...) unless the repository is a
 * mirror (`git clone --mirror`), which is the recommended set-up for a
 * project's server-side copy. url.*.insteadOf is not applied, FETCH_HEAD is
 * not written and nothing is pruned.
 */
int repo_fetch(repo_handle *repo);

/*
 * History order of releases. A release is a name and the commit its ref
 * resolved to (its tip). Releases come in history order when every release
 * whose tip is an ancestor of another's comes before it; releases that are
 * not related that way (a maintenance branch next to the main line) come by
 * the committer time of their tip, older first, then by their position in
 * the input. Releases sharing a tip keep their input order.
 *
 * repo_order_releases() writes to order[0, n) the indexes into tips[] in
 * that order. It finds the ancestry of all tips in one walk of the history
 * below them (about 1.5 s for 100,000 commits), so call it when a release is
 * registered and store the order, not per report. At most
 * REPO_RELEASES_MAX releases (else REPO_EINVAL). Tips are full hex;
 * one that is not a commit in the repository is REPO_EGIT.
 */
int repo_order_releases(size_t *order, repo_handle *repo, const char *const *tips, size_t n);

/*
 * Given release tips in history order (see above), *index = the position of
 * the first whose tip contains commit `commit_hex`: the release that shipped
 * it. REPO_ENOTFOUND when none contains it or the commit is unknown;
 * REPO_EGIT when a release tip is not in the repository. Costs about
 * log2(n) + 1 containment walks.
 */
int repo_first_containing(size_t *index, repo_handle *repo, const char *commit_hex,
			     const char *const *release_tips, size_t n);

#define REPO_NONE SIZE_MAX /* no release contains the commit */

/*
 * The same for many commits at once, in one walk of the history below the
 * release tips: index[i] = the position of the first release containing
 * commits[i], or REPO_NONE (also for commits not in the repository).
 * Use it after a sync, when many links need their release. Commits are full
 * hex (else REPO_EINVAL); at most REPO_RELEASES_MAX releases.
 */
int repo_first_containing_many(size_t *index, repo_handle *repo, const char *const *commits,
				  size_t ncommits, const char *const *release_tips, size_t n);

/*
 * Source lines of a report's frame, read from the blob of the file at one commit (source.c).
 *
 * repo_source_path() finds the file a frame names in the tree of commit `commit_hex` (full
 * hex): file[0, len) is taken as a path ('\\' counts as '/', a drive letter "C:" is dropped,
 * empty and "." components are skipped); the longest suffix of its components (at most the
 * last REPO_SOURCE_DEPTH, after any "..") that names a file (a blob, not a link or a
 * submodule) in that tree is the answer, into out. So "/home/ci/build/src/main.c" finds
 * "src/main.c". Bounded work: at most REPO_SOURCE_DEPTH tree lookups. REPO_ENOTFOUND when no
 * suffix names a file (or the commit is unknown); REPO_EINVAL for a control byte or a path
 * longer than REPO_PATH_MAX. Nothing is guessed from another commit or a search of the tree.
 *
 * repo_source_lines() then reads lines line-context .. line+context (1-based, clamped to the
 * file) of that file at that commit into *out (free with repo_source_free()). Lines are
 * text: invalid UTF-8 and NUL bytes become U+FFFD, a trailing CR is dropped, and each is cut
 * at REPO_SOURCE_LINE_MAX bytes (on a character boundary). A binary file, one above
 * REPO_SOURCE_BLOB_MAX bytes, or a line past the end gives out->n = 0 with REPO_OK and
 * out->path set. REPO_ENOTFOUND as for repo_source_path().
 */
#define REPO_SOURCE_DEPTH 32            /* path components tried, from the end */
#define REPO_SOURCE_LINE_MAX 400        /* bytes of a source line given */
#define REPO_SOURCE_BLOB_MAX (8 << 20)  /* files larger than this give no lines */
#define REPO_SOURCE_CONTEXT_MAX 20      /* lines on each side of the frame's line */

typedef struct repo_source {
	char path[REPO_PATH_MAX + 1]; /* the file in the commit's tree */
	size_t start;                 /* the number of lines[0]; 0 when there are none */
	char **lines;                 /* n NUL-terminated lines, owned */
	size_t n;
} repo_source;

int repo_source_path(char out[REPO_PATH_MAX + 1], repo_handle *repo, const char *commit_hex,
		     const char *file, size_t len);
int repo_source_lines(repo_source *out, repo_handle *repo, const char *commit_hex,
		      const char *file, size_t len, size_t line, size_t context);
/* Free the lines (the struct itself is the caller's); a zeroed one is fine. */
void repo_source_free(repo_source *s);

#endif
