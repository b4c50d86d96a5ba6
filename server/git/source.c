/* source.c - source lines around a frame's line, from the file's blob at one commit, and the file a build path names there. */
#include "git/git_int.h"

#include <stdlib.h>
#include <string.h>

void repo_source_free(repo_source *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->lines[i]);
	free(s->lines);
	s->lines = NULL;
	s->n = 0;
	s->start = 0;
}

/* The tree of a commit; REPO_ENOTFOUND when the repository has no such commit. */
static int commit_tree(repo_handle *r, git_tree **tree, const char *commit_hex)
{
	git_commit *c = NULL;
	git_oid oid;
	int rc = repo_parse_full_hex(r, &oid, commit_hex, "source");

	*tree = NULL;
	if (rc < 0)
		return rc;
	rc = git_commit_lookup(&c, r->repo, &oid);
	if (rc >= 0)
		rc = git_commit_tree(tree, c);
	git_commit_free(c);
	return rc < 0 ? git_fail(r, rc, "source") : REPO_OK;
}

/* Does `path` name a file (a blob, not a link) in `tree`? Its blob id into *blob. */
static int is_file(git_tree *tree, const char *path, git_oid *blob)
{
	git_tree_entry *e = NULL;
	int found = 0;

	if (git_tree_entry_bypath(&e, tree, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	    git_tree_entry_filemode(e) != GIT_FILEMODE_LINK) {
		git_oid_cpy(blob, git_tree_entry_id(e));
		found = 1;
	}
	git_tree_entry_free(e);
	git_error_clear();
	return found;
}

/* The longest suffix of file's components naming a file of `tree` into out, its blob into
 * *blob. See repo.h. */
static int find_path(repo_handle *r, char out[REPO_PATH_MAX + 1], git_tree *tree,
		     const char *file, size_t len, git_oid *blob)
{
	char buf[REPO_PATH_MAX + 1];
	size_t comp[REPO_SOURCE_DEPTH], ncomp = 0, i, o = 0, first;

	if (!file || len == 0)
		return fail(r, REPO_ENOTFOUND, "source: no file");
	if (len > REPO_PATH_MAX)
		return fail(r, REPO_EINVAL, "source: a path longer than %d bytes", REPO_PATH_MAX);
	i = 0;
	/* A Windows drive ("C:\build\..."): never part of a repository path. */
	if (len >= 2 && file[1] == ':' &&
	    ((file[0] >= 'A' && file[0] <= 'Z') || (file[0] >= 'a' && file[0] <= 'z')))
		i = 2;
	/* Components into buf, each followed by a '/' turned into NUL later: only the last
	 * REPO_SOURCE_DEPTH are kept, and none before a "..". */
	while (i < len) {
		size_t j = i, n;

		while (j < len && file[j] != '/' && file[j] != '\\') {
			unsigned char ch = (unsigned char)file[j];

			if (ch < ' ' || ch == 0x7f)
				return fail(r, REPO_EINVAL, "source: a control byte in the path");
			j++;
		}
		n = j - i;
		if (n == 2 && file[i] == '.' && file[i + 1] == '.') {
			ncomp = 0; /* what came before cannot be resolved without a work tree */
			o = 0;
		} else if (n > 0 && !(n == 1 && file[i] == '.')) {
			if (ncomp == REPO_SOURCE_DEPTH) { /* drop the first kept component */
				size_t cut = comp[1], k;

				memmove(buf, buf + cut, o - cut);
				o -= cut;
				for (k = 1; k < ncomp; k++)
					comp[k - 1] = comp[k] - cut;
				ncomp--;
			}
			comp[ncomp++] = o;
			memcpy(buf + o, file + i, n);
			o += n;
			buf[o++] = '/';
		}
		i = j + 1;
	}
	if (ncomp == 0)
		return fail(r, REPO_ENOTFOUND, "source: no file in '%.*s'", (int)(len > 200 ? 200 : len),
			    file);
	buf[o - 1] = '\0'; /* the last '/' */
	for (first = 0; first < ncomp; first++) {
		if (is_file(tree, buf + comp[first], blob)) {
			memcpy(out, buf + comp[first], o - comp[first]);
			return REPO_OK;
		}
	}
	return fail(r, REPO_ENOTFOUND, "source: no file of the commit ends with '%.200s'", buf);
}

int repo_source_path(char out[REPO_PATH_MAX + 1], repo_handle *repo, const char *commit_hex,
		     const char *file, size_t len)
{
	git_tree *tree = NULL;
	git_oid blob;
	int rc;

	out[0] = '\0';
	if (!repo)
		return REPO_EINVAL;
	rc = commit_tree(repo, &tree, commit_hex);
	if (rc == REPO_OK)
		rc = find_path(repo, out, tree, file, len, &blob);
	git_tree_free(tree);
	return rc;
}

/* Bytes of a valid UTF-8 character at p[0, n), or 0. */
static size_t utf8_char(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range excludes overlong forms, surrogates and past U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* A line as text: valid UTF-8 copied, anything else (NUL included) as U+FFFD, at most
 * REPO_SOURCE_LINE_MAX bytes. malloc'd; NULL when out of memory. */
static char *text_line(const unsigned char *p, size_t n)
{
	char *out = malloc(REPO_SOURCE_LINE_MAX + 1);
	size_t o = 0, i = 0, k;

	if (!out)
		return NULL;
	if (n && p[n - 1] == '\r')
		n--;
	while (i < n) {
		k = p[i] ? utf8_char(p + i, n - i) : 0;
		if (o + (k ? k : 3) > REPO_SOURCE_LINE_MAX)
			break;
		if (k) {
			memcpy(out + o, p + i, k);
			o += k;
			i += k;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

int repo_source_lines(repo_source *out, repo_handle *repo, const char *commit_hex,
		      const char *file, size_t len, size_t line, size_t context)
{
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	git_oid id;
	const unsigned char *p, *end, *nl;
	size_t first, last, no;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!repo)
		return REPO_EINVAL;
	if (context > REPO_SOURCE_CONTEXT_MAX)
		context = REPO_SOURCE_CONTEXT_MAX;
	rc = commit_tree(repo, &tree, commit_hex);
	if (rc == REPO_OK)
		rc = find_path(repo, out->path, tree, file, len, &id);
	if (rc != REPO_OK)
		goto out;
	rc = git_blob_lookup(&blob, repo->repo, &id);
	if (rc < 0) {
		rc = git_fail(repo, rc, out->path);
		goto out;
	}
	rc = REPO_OK;
	if (line == 0 || git_blob_rawsize(blob) > REPO_SOURCE_BLOB_MAX || git_blob_is_binary(blob))
		goto out; /* a file, but no lines to show */
	first = line > context ? line - context : 1;
	last = line + context;
	p = git_blob_rawcontent(blob);
	end = p + git_blob_rawsize(blob);
	out->lines = calloc(last - first + 1, sizeof(*out->lines));
	if (!out->lines) {
		rc = fail(repo, REPO_ENOMEM, "source: out of memory");
		goto out;
	}
	/* A final line without a newline is a line; the empty rest after a final newline is not. */
	for (no = 1; p < end && no <= last; no++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (no >= first) {
			out->lines[out->n] = text_line(p, (size_t)(nl - p));
			if (!out->lines[out->n]) {
				rc = fail(repo, REPO_ENOMEM, "source: out of memory");
				goto out;
			}
			out->n++;
		}
		p = nl < end ? nl + 1 : end;
	}
	if (no <= line) { /* the frame's line is past the end: no lines rather than others */
		repo_source_free(out);
		goto out;
	}
	out->start = first;
out:
	if (rc != REPO_OK)
		repo_source_free(out);
	git_blob_free(blob);
	git_tree_free(tree);
	return rc;
}
