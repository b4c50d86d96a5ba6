/* repo.c - open repositories, resolve revisions and revision expressions, set libgit2 up. */
#include "git/git_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESOLVE_WAYS 4
#define RESOLVE_SETS (REPO_RESOLVE_CACHE / RESOLVE_WAYS)
#define DIRTY_SUFFIX "-dirty"
#define DIRTY_LEN (sizeof(DIRTY_SUFFIX) - 1)


int repo_global_init(void)
{
	/* libgit2 counts its initialisations; the matching shutdown releases its global state. */
	return git_libgit2_init() < 0 ? REPO_EGIT : REPO_OK;
}

void repo_global_shutdown(void)
{
	git_libgit2_shutdown();
}

int repo_open(repo_handle **out, const char *path, char *err, size_t errlen)
{
	repo_handle *r = NULL;
	int rc;

	if (err && errlen > 0)
		err[0] = '\0';
	if (!out)
		return REPO_EINVAL;
	*out = NULL;
	if (!path || !*path) {
		if (err && errlen > 0)
			snprintf(err, errlen, "open: no path");
		return REPO_EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		if (err && errlen > 0)
			snprintf(err, errlen, "open: out of memory");
		return REPO_ENOMEM;
	}
	rc = git_repository_open_ext(&r->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc < 0) {
		rc = git_fail(r, rc, path);
		if (err && errlen > 0)
			snprintf(err, errlen, "%s", r->err);
		goto out;
	}
	*out = r;
	r = NULL;
	rc = REPO_OK;
out:
	repo_close(r);
	return rc;
}

void repo_close(repo_handle *repo)
{
	if (!repo)
		return;
	repo_blame_cache_clear(repo);
	free(repo->resolve);
	git_repository_free(repo->repo);
	free(repo);
}

const char *repo_error(const repo_handle *repo)
{
	return repo ? repo->err : "no repository";
}

void repo_get_stats(repo_stats *out, const repo_handle *repo)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!repo)
		return;
	*out = repo->stats;
	out->resolve_entries = repo->resolve_entries;
	out->blame_entries = repo->blame_entries;
}

/* ---- small helpers ---- */

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A full commit id given by the caller: exactly 40 hex digits then NUL. */
int repo_parse_full_hex(repo_handle *r, git_oid *oid, const char *hex, const char *what)
{
	size_t n;

	if (!hex)
		return fail(r, REPO_EINVAL, "%s: no commit id", what);
	n = strnlen(hex, REPO_HEX_SIZE);
	if (n != REPO_HEX_SIZE - 1)
		return fail(r, REPO_EINVAL, "%s: a commit id has 40 hex digits", what);
	for (size_t i = 0; i < n; i++) {
		if (!is_hex((unsigned char)hex[i]))
			return fail(r, REPO_EINVAL, "%s: a commit id has 40 hex digits", what);
	}
	if (git_oid_fromstrn(oid, hex, n) < 0) {
		git_error_clear();
		return fail(r, REPO_EINVAL, "%s: a commit id has 40 hex digits", what);
	}
	return REPO_OK;
}

/* Copy src[0, len) into dst (cap bytes, NUL included), cutting on a UTF-8 character boundary. */
static void copy_utf8(char *dst, size_t cap, const char *src, size_t len)
{
	size_t n = len;

	if (n > cap - 1) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The first line of a message, surrounding white space trimmed. */
void repo_summary_of(const char *msg, size_t len, const char **s, size_t *slen)
{
	size_t a = 0, b;

	while (a < len && (msg[a] == ' ' || msg[a] == '\t' || msg[a] == '\r' || msg[a] == '\n'))
		a++;
	b = a;
	while (b < len && msg[b] != '\n')
		b++;
	while (b > a && (msg[b - 1] == ' ' || msg[b - 1] == '\t' || msg[b - 1] == '\r'))
		b--;
	*s = msg + a;
	*slen = b - a;
}

void repo_fill_commit(repo_commit *out, const git_commit *c)
{
	const git_signature *a = git_commit_author(c);
	const char *msg = git_commit_message(c);
	const char *s;
	size_t slen;

	memset(out, 0, sizeof(*out));
	git_oid_tostr(out->id, sizeof(out->id), git_commit_id(c));
	copy_utf8(out->author_name, sizeof(out->author_name), a->name, strlen(a->name));
	copy_utf8(out->author_email, sizeof(out->author_email), a->email, strlen(a->email));
	out->author_time = a->when.time;
	out->author_offset = a->when.offset;
	out->commit_time = git_commit_time(c);
	if (!msg)
		msg = "";
	repo_summary_of(msg, strlen(msg), &s, &slen);
	copy_utf8(out->summary, sizeof(out->summary), s, slen);
}

/* ---- resolving revisions ---- */

static bool has(const char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(p + i, needle, n) == 0)
			return true;
	}
	return false;
}

static bool ends_with(const char *p, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(p + len - n, suffix, n) == 0;
}

/* HEAD, FETCH_HEAD, ORIG_HEAD...: upper case and '_' only, ending in HEAD. */
static bool is_pseudo_ref(const char *p, size_t len)
{
	if (!ends_with(p, len, "HEAD"))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!((p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_'))
			return false;
	}
	return true;
}

/* A plain revision: a name git would accept as a ref, a hash or describe output, no operators. */
int repo_check_rev(repo_handle *r, const char *p, size_t len)
{
	if (len == 0)
		return fail(r, REPO_EINVAL, "revision: empty");
	if (len > REPO_REV_MAX)
		return fail(r, REPO_EINVAL, "revision: longer than %d bytes", REPO_REV_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= ' ' || c == 0x7f)
			return fail(r, REPO_EINVAL, "revision: control byte or space");
		if (strchr("~^:?*[\\", c))
			return fail(r, REPO_EINVAL, "revision: '%c' is not allowed", c);
	}
	if (p[0] == '-' || p[0] == '/' || p[0] == '.')
		return fail(r, REPO_EINVAL, "revision: may not start with '%c'", p[0]);
	if (p[len - 1] == '/' || p[len - 1] == '.' || ends_with(p, len, ".lock"))
		return fail(r, REPO_EINVAL, "revision: bad ending");
	if (has(p, len, "..") || has(p, len, "//") || has(p, len, "/.") || has(p, len, "@{"))
		return fail(r, REPO_EINVAL, "revision: ranges and selectors are not allowed");
	if (len == 1 && p[0] == '@')
		return fail(r, REPO_EINVAL, "revision: '@' is not allowed");
	if (is_pseudo_ref(p, len))
		return fail(r, REPO_EINVAL, "revision: %.*s names no build", (int)len, p);
	return REPO_OK;
}

/*
 * `git describe` output "NAME-N-gHEX": where the hash starts and how long it
 * is. libgit2's revparse takes the first "-g" in the string, so a tag such
 * as "v2.0-gold" defeats it; this takes the last.
 */
static bool describe_hash(const char *s, size_t len, size_t *at, size_t *hexlen)
{
	size_t g, k, i;

	for (g = len; g >= 2; g--) {
		if (s[g - 2] == '-' && s[g - 1] == 'g')
			break;
	}
	if (g < 2)
		return false;
	if (len - g < 4 || len - g > 40)
		return false;
	for (i = g; i < len; i++) {
		if (!is_hex((unsigned char)s[i]))
			return false;
	}
	/* "-N" before "-g", and a name before that. */
	k = g - 2;
	while (k > 0 && s[k - 1] >= '0' && s[k - 1] <= '9')
		k--;
	if (k == g - 2 || k < 2 || s[k - 1] != '-')
		return false;
	*at = g;
	*hexlen = len - g;
	return true;
}

/* Peel `obj` (owned, freed here) to a commit and take its id. */
static int peel_commit(repo_handle *r, git_oid *out, git_object *obj, const char *spec)
{
	git_object *commit = NULL;
	int rc;

	rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	if (rc < 0) {
		git_error_clear();
		rc = fail(r, REPO_ENOTFOUND, "revision %s is not a commit", spec);
		goto out;
	}
	git_oid_cpy(out, git_object_id(commit));
	rc = REPO_OK;
out:
	git_object_free(commit);
	git_object_free(obj);
	return rc;
}

static bool all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!is_hex((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* An object by (possibly abbreviated) hex id; GIT_ENOTFOUND when there is none. */
static int lookup_hex(git_object **obj, repo_handle *r, const char *hex, size_t len)
{
	git_oid oid;

	if (len < GIT_OID_MINPREFIXLEN || len > GIT_OID_HEXSZ || !all_hex(hex, len))
		return GIT_ENOTFOUND;
	if (git_oid_fromstrn(&oid, hex, len) < 0)
		return GIT_ENOTFOUND;
	if (len == GIT_OID_HEXSZ)
		return git_object_lookup(obj, r->repo, &oid, GIT_OBJECT_ANY);
	return git_object_lookup_prefix(obj, r->repo, &oid, len, GIT_OBJECT_ANY);
}

/*
 * A name as git expands it (refs/NAME, refs/tags/NAME, refs/heads/NAME,
 * refs/remotes/NAME, refs/remotes/NAME/HEAD), to the object it points at,
 * tags peeled. Unlike git_reference_dwim, a bare name is only taken as it is
 * when it starts with "refs/": never as a file at the top of the git
 * directory (HEAD, FETCH_HEAD, MERGE_MSG...). GIT_ENOTFOUND when none exists.
 */
static int lookup_name(git_object **obj, repo_handle *r, const char *spec)
{
	static const char *const forms[] = {"refs/%s", "refs/tags/%s", "refs/heads/%s",
					    "refs/remotes/%s", "refs/remotes/%s/HEAD"};
	char name[REPO_REV_MAX + 32];
	git_reference *ref = NULL;
	int rc = GIT_ENOTFOUND;

	for (size_t i = 0; i <= sizeof(forms) / sizeof(forms[0]); i++) {
		int valid = 0;

		if (i == 0) {
			if (strncmp(spec, "refs/", 5) != 0)
				continue;
			snprintf(name, sizeof(name), "%s", spec);
		} else {
			snprintf(name, sizeof(name), forms[i - 1], spec);
		}
		if (git_reference_name_is_valid(&valid, name) < 0 || !valid) {
			git_error_clear();
			continue;
		}
		rc = git_reference_lookup(&ref, r->repo, name);
		if (rc == GIT_ENOTFOUND) {
			git_error_clear();
			continue;
		}
		if (rc < 0)
			return rc;
		rc = git_reference_peel(obj, ref, GIT_OBJECT_ANY);
		git_reference_free(ref);
		return rc;
	}
	return GIT_ENOTFOUND;
}

/* The end of one way of looking spec up that returned rc (*obj found when 0; read only then,
 * after the lookup has run): its commit, its failure, or LOOKUP_NEXT when it found nothing
 * and the next way is to be tried. */
#define LOOKUP_NEXT 1
static int lookup_done(repo_handle *r, git_oid *out, int rc, git_object **obj, const char *spec)
{
	if (rc == 0)
		return peel_commit(r, out, *obj, spec);
	if (rc != GIT_ENOTFOUND)
		return git_fail(r, rc, spec);
	git_error_clear();
	return LOOKUP_NEXT;
}

/*
 * Look one checked, NUL-terminated spec up in git's order: a full hash, a
 * name, an abbreviated hash, describe output. This is what
 * git_revparse_single does for a plain name, without its operator syntax,
 * and without its describe matching, which in libgit2 1.5 leaks memory
 * whenever the pattern does not match.
 */
int repo_lookup_spec(repo_handle *r, git_oid *out, const char *spec, size_t len)
{
	git_object *obj = NULL;
	size_t at, hexlen;
	int rc;

	if (len == GIT_OID_HEXSZ &&
	    (rc = lookup_done(r, out, lookup_hex(&obj, r, spec, len), &obj, spec)) != LOOKUP_NEXT)
		return rc;
	if ((rc = lookup_done(r, out, lookup_name(&obj, r, spec), &obj, spec)) != LOOKUP_NEXT)
		return rc;
	if (len < GIT_OID_HEXSZ &&
	    (rc = lookup_done(r, out, lookup_hex(&obj, r, spec, len), &obj, spec)) != LOOKUP_NEXT)
		return rc;
	if (describe_hash(spec, len, &at, &hexlen) &&
	    (rc = lookup_done(r, out, lookup_hex(&obj, r, spec + at, hexlen), &obj, spec)) !=
		LOOKUP_NEXT)
		return rc;
	return fail(r, REPO_ENOTFOUND, "revision %s not found", spec);
}

/* Resolve a checked revision held NUL-terminated in buf[0, len), without the cache. */
static int resolve_uncached(repo_handle *r, git_oid *out, char *buf, size_t len)
{
	int rc = repo_lookup_spec(r, out, buf, len);

	/* "v1.2-3-gabc1234-dirty": a build from a modified tree; its commit is what we know. */
	if (rc == REPO_ENOTFOUND && len > DIRTY_LEN && ends_with(buf, len, DIRTY_SUFFIX)) {
		len -= DIRTY_LEN;
		buf[len] = '\0';
		if (repo_check_rev(r, buf, len) < 0)
			return fail(r, REPO_ENOTFOUND, "revision %s" DIRTY_SUFFIX " not found",
				    buf);
		rc = repo_lookup_spec(r, out, buf, len);
	}
	return rc;
}

static uint64_t hash_bytes(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static resolve_entry *cache_find(repo_handle *r, const char *key, size_t len, uint64_t h)
{
	resolve_entry *set;

	if (!r->resolve)
		return NULL;
	set = r->resolve + (h % RESOLVE_SETS) * RESOLVE_WAYS;
	for (size_t w = 0; w < RESOLVE_WAYS; w++) {
		resolve_entry *e = &set[w];

		if (e->used && e->hash == h && e->keylen == len && memcmp(e->key, key, len) == 0)
			return e;
	}
	return NULL;
}

/* Remember an answer; a failed allocation only means no caching. */
static void cache_put(repo_handle *r, const char *key, size_t len, uint64_t h, int result,
		      const git_oid *oid)
{
	resolve_entry *set, *victim;

	if (len > REPO_RESOLVE_KEY_MAX)
		return;
	if (!r->resolve) {
		r->resolve = calloc(REPO_RESOLVE_CACHE, sizeof(*r->resolve));
		if (!r->resolve)
			return;
	}
	set = r->resolve + (h % RESOLVE_SETS) * RESOLVE_WAYS;
	victim = &set[0];
	for (size_t w = 0; w < RESOLVE_WAYS; w++) {
		if (!set[w].used) {
			victim = &set[w];
			break;
		}
		if (set[w].used < victim->used)
			victim = &set[w];
	}
	if (!victim->used)
		r->resolve_entries++;
	victim->hash = h;
	victim->used = ++r->clock;
	victim->result = result;
	if (oid)
		git_oid_cpy(&victim->oid, oid);
	else
		memset(&victim->oid, 0, sizeof(victim->oid));
	victim->keylen = (unsigned char)len;
	memcpy(victim->key, key, len);
}

void repo_cache_clear(repo_handle *repo)
{
	if (!repo)
		return;
	if (repo->resolve)
		memset(repo->resolve, 0, REPO_RESOLVE_CACHE * sizeof(*repo->resolve));
	repo->resolve_entries = 0;
}

int repo_resolve(char out[REPO_HEX_SIZE], repo_handle *repo, const char *rev, size_t len)
{
	char buf[REPO_REV_MAX + 1];
	resolve_entry *e;
	git_oid oid;
	uint64_t h;
	int rc;

	if (!out || !repo)
		return REPO_EINVAL;
	out[0] = '\0';
	if (!rev && len > 0)
		return fail(repo, REPO_EINVAL, "revision: none");
	rc = repo_check_rev(repo, rev, len);
	if (rc < 0)
		return rc;
	h = hash_bytes(rev, len);
	e = cache_find(repo, rev, len, h);
	if (e) {
		repo->stats.resolve_hits++;
		e->used = ++repo->clock;
		if (e->result < 0)
			return fail(repo, e->result, "revision %.*s not found", (int)len, rev);
		git_oid_tostr(out, REPO_HEX_SIZE, &e->oid);
		return REPO_OK;
	}
	repo->stats.resolve_misses++;
	memcpy(buf, rev, len);
	buf[len] = '\0';
	rc = resolve_uncached(repo, &oid, buf, len);
	if (rc == REPO_OK || rc == REPO_ENOTFOUND)
		cache_put(repo, rev, len, h, rc, rc == REPO_OK ? &oid : NULL);
	if (rc == REPO_OK)
		git_oid_tostr(out, REPO_HEX_SIZE, &oid);
	return rc;
}

/* ---- revisions a person names: ancestry operators allowed ---- */

#define EXPR_STEP_MAX 1000000 /* largest N in ~N or ^N */

/* One "~N" or "^N" step from `*c` (owned; replaced by the result). */
static int expr_step(repo_handle *r, git_commit **c, char op, unsigned long n, const char *spec)
{
	git_commit *next = NULL;
	int rc;

	if (op == '^' && n == 0)
		return REPO_OK; /* "^0": the commit itself */
	if (op == '~')
		rc = git_commit_nth_gen_ancestor(&next, *c, (unsigned int)n);
	else
		rc = git_commit_parent(&next, *c, (unsigned int)(n - 1));
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return fail(r, REPO_ENOTFOUND, "revision %s: no such ancestor", spec);
	}
	if (rc < 0)
		return git_fail(r, rc, spec);
	git_commit_free(*c);
	*c = next;
	return REPO_OK;
}

int repo_resolve_expr(char out[REPO_HEX_SIZE], repo_handle *repo, const char *rev,
			 size_t len)
{
	char spec[REPO_REV_MAX + 1], base[REPO_HEX_SIZE];
	git_commit *c = NULL;
	git_oid oid;
	size_t blen, i;
	int rc;

	if (!out || !repo)
		return REPO_EINVAL;
	out[0] = '\0';
	if (!rev || len == 0)
		return fail(repo, REPO_EINVAL, "revision: empty");
	if (len > REPO_REV_MAX)
		return fail(repo, REPO_EINVAL, "revision: longer than %d bytes", REPO_REV_MAX);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)rev[i];

		if (ch <= ' ' || ch == 0x7f)
			return fail(repo, REPO_EINVAL, "revision: control byte or space");
	}
	memcpy(spec, rev, len);
	spec[len] = '\0';
	blen = strcspn(spec, "~^");
	if (blen == 0)
		return fail(repo, REPO_EINVAL, "revision %s: nothing before '%c'", spec, spec[0]);
	/* The base: the repository's HEAD, or a plain revision. */
	if ((blen == 4 && memcmp(spec, "HEAD", 4) == 0) || (blen == 1 && spec[0] == '@')) {
		rc = git_reference_name_to_id(&oid, repo->repo, "HEAD");
		if (rc < 0)
			return git_fail(repo, rc, "HEAD");
	} else {
		rc = repo_resolve(base, repo, spec, blen);
		if (rc < 0)
			return rc;
		git_oid_fromstrn(&oid, base, GIT_OID_HEXSZ);
	}
	rc = git_commit_lookup(&c, repo->repo, &oid);
	if (rc < 0)
		return git_fail(repo, rc, spec);
	/* Then "~", "~N", "^", "^N", in any number. */
	for (i = blen; i < len;) {
		char op = spec[i++];
		unsigned long n = 0;
		size_t digits = 0;

		if (op != '~' && op != '^') {
			rc = fail(repo, REPO_EINVAL,
				  "revision %s: only ~N and ^N may follow the name", spec);
			goto out;
		}
		while (i < len && spec[i] >= '0' && spec[i] <= '9' && n <= EXPR_STEP_MAX) {
			n = n * 10 + (unsigned long)(spec[i++] - '0');
			digits++;
		}
		if (n > EXPR_STEP_MAX) {
			rc = fail(repo, REPO_EINVAL, "revision %s: a step larger than %d", spec,
				  EXPR_STEP_MAX);
			goto out;
		}
		if (digits == 0)
			n = 1;
		rc = expr_step(repo, &c, op, n, spec);
		if (rc < 0)
			goto out;
	}
	git_oid_tostr(out, REPO_HEX_SIZE, git_commit_id(c));
	rc = REPO_OK;
out:
	git_commit_free(c);
	return rc;
}

