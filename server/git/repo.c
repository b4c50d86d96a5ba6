/* repo.c - libgit2 access: resolve revisions, containment, blame, history walks, fetch. */
#include "git/repo.h"

#include <git2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESOLVE_WAYS 4
#define RESOLVE_SETS (REPO_RESOLVE_CACHE / RESOLVE_WAYS)
#define DIRTY_SUFFIX "-dirty"
#define DIRTY_LEN (sizeof(DIRTY_SUFFIX) - 1)

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

__attribute__((format(printf, 3, 4))) static int fail(repo_handle *r, int code, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return code;
}

/* Map a libgit2 error to ours and keep its message, prefixed by what was being done. */
static int git_fail(repo_handle *r, int gerr, const char *what)
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

static void blame_cache_clear(repo_handle *r)
{
	for (size_t i = 0; i < REPO_BLAME_CACHE; i++) {
		git_blame_free(r->blame[i].blame);
		free(r->blame[i].path);
		memset(&r->blame[i], 0, sizeof(r->blame[i]));
	}
	r->blame_entries = 0;
}

void repo_close(repo_handle *repo)
{
	if (!repo)
		return;
	blame_cache_clear(repo);
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
static int parse_full_hex(repo_handle *r, git_oid *oid, const char *hex, const char *what)
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
static void summary_of(const char *msg, size_t len, const char **s, size_t *slen)
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

static void fill_commit(repo_commit *out, const git_commit *c)
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
	summary_of(msg, strlen(msg), &s, &slen);
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
static int check_rev(repo_handle *r, const char *p, size_t len)
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

/*
 * Look one checked, NUL-terminated spec up in git's order: a full hash, a
 * name, an abbreviated hash, describe output. This is what
 * git_revparse_single does for a plain name, without its operator syntax,
 * and without its describe matching, which in libgit2 1.5 leaks memory
 * whenever the pattern does not match.
 */
static int lookup_spec(repo_handle *r, git_oid *out, const char *spec, size_t len)
{
	git_object *obj = NULL;
	size_t at, hexlen;
	int rc;

	if (len == GIT_OID_HEXSZ) {
		rc = lookup_hex(&obj, r, spec, len);
		if (rc == 0)
			return peel_commit(r, out, obj, spec);
		if (rc != GIT_ENOTFOUND)
			return git_fail(r, rc, spec);
		git_error_clear();
	}
	rc = lookup_name(&obj, r, spec);
	if (rc == 0)
		return peel_commit(r, out, obj, spec);
	if (rc != GIT_ENOTFOUND)
		return git_fail(r, rc, spec);
	git_error_clear();
	if (len < GIT_OID_HEXSZ) {
		rc = lookup_hex(&obj, r, spec, len);
		if (rc == 0)
			return peel_commit(r, out, obj, spec);
		if (rc != GIT_ENOTFOUND)
			return git_fail(r, rc, spec);
		git_error_clear();
	}
	if (describe_hash(spec, len, &at, &hexlen)) {
		rc = lookup_hex(&obj, r, spec + at, hexlen);
		if (rc == 0)
			return peel_commit(r, out, obj, spec);
		if (rc != GIT_ENOTFOUND)
			return git_fail(r, rc, spec);
		git_error_clear();
	}
	return fail(r, REPO_ENOTFOUND, "revision %s not found", spec);
}

/* Resolve a checked revision held NUL-terminated in buf[0, len), without the cache. */
static int resolve_uncached(repo_handle *r, git_oid *out, char *buf, size_t len)
{
	int rc = lookup_spec(r, out, buf, len);

	/* "v1.2-3-gabc1234-dirty": a build from a modified tree; its commit is what we know. */
	if (rc == REPO_ENOTFOUND && len > DIRTY_LEN && ends_with(buf, len, DIRTY_SUFFIX)) {
		len -= DIRTY_LEN;
		buf[len] = '\0';
		if (check_rev(r, buf, len) < 0)
			return fail(r, REPO_ENOTFOUND, "revision %s" DIRTY_SUFFIX " not found",
				    buf);
		rc = lookup_spec(r, out, buf, len);
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
	rc = check_rev(repo, rev, len);
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

/* ---- containment ---- */

static int commit_exists(repo_handle *r, const git_oid *oid, const char *what)
{
	git_commit *c = NULL;
	int rc = git_commit_lookup(&c, r->repo, oid);

	git_commit_free(c);
	if (rc < 0)
		return git_fail(r, rc, what);
	return REPO_OK;
}

static int contains_oid(repo_handle *r, int *out, const git_oid *commit, const git_oid *tip)
{
	int rc;

	*out = 0;
	if (git_oid_equal(commit, tip)) {
		*out = 1;
		return REPO_OK;
	}
	rc = git_graph_descendant_of(r->repo, tip, commit);
	if (rc < 0)
		return git_fail(r, rc, "contains");
	*out = rc;
	return REPO_OK;
}

int repo_contains(int *out, repo_handle *repo, const char *commit_hex, const char *tip_hex)
{
	git_oid commit, tip;
	int rc;

	if (!out || !repo)
		return REPO_EINVAL;
	*out = 0;
	rc = parse_full_hex(repo, &commit, commit_hex, "contains");
	if (rc < 0)
		return rc;
	rc = parse_full_hex(repo, &tip, tip_hex, "contains");
	if (rc < 0)
		return rc;
	/* The graph code reports a missing commit as a generic error: look first. */
	rc = commit_exists(repo, &commit, commit_hex);
	if (rc < 0)
		return rc;
	rc = commit_exists(repo, &tip, tip_hex);
	if (rc < 0)
		return rc;
	return contains_oid(repo, out, &commit, &tip);
}

/* Parse release tips and check each is a commit here; a missing one is an error (EGIT). */
static int load_tips(repo_handle *r, git_oid *oids, int64_t *times, const char *const *tips,
		     size_t n)
{
	git_commit *c = NULL;
	int rc;

	for (size_t i = 0; i < n; i++) {
		rc = parse_full_hex(r, &oids[i], tips[i], "release tip");
		if (rc < 0)
			return rc;
		rc = git_commit_lookup(&c, r->repo, &oids[i]);
		if (rc == GIT_ENOTFOUND) {
			git_error_clear();
			return fail(r, REPO_EGIT, "release tip %s is not in the repository",
				    tips[i]);
		}
		if (rc < 0)
			return git_fail(r, rc, tips[i]);
		if (times)
			times[i] = git_commit_time(c);
		git_commit_free(c);
		c = NULL;
	}
	return REPO_OK;
}

/* Whether `commit` is in the history of any of tips[0, n). */
static int reachable_from_prefix(repo_handle *r, int *out, const git_oid *commit,
				 const git_oid *tips, size_t n)
{
	int rc = git_graph_reachable_from_any(r->repo, commit, tips, n);

	if (rc < 0)
		return git_fail(r, rc, "first containing");
	*out = rc;
	return REPO_OK;
}

/*
 * "One of the first k releases contains it" only turns from false to true as
 * k grows, so the first release is found by bisection: about log2(n) graph
 * walks instead of one per release.
 */
int repo_first_containing(size_t *index, repo_handle *repo, const char *commit_hex,
			     const char *const *release_tips, size_t n)
{
	git_oid commit;
	git_oid *tips = NULL;
	size_t lo = 0, hi;
	int rc, in = 0;

	if (!index || !repo || (!release_tips && n > 0))
		return REPO_EINVAL;
	*index = 0;
	rc = parse_full_hex(repo, &commit, commit_hex, "first containing");
	if (rc < 0)
		goto out;
	rc = commit_exists(repo, &commit, commit_hex);
	if (rc < 0)
		goto out;
	if (n == 0) {
		rc = fail(repo, REPO_ENOTFOUND, "no release contains %s", commit_hex);
		goto out;
	}
	tips = calloc(n, sizeof(*tips));
	if (!tips) {
		rc = fail(repo, REPO_ENOMEM, "first containing: out of memory");
		goto out;
	}
	rc = load_tips(repo, tips, NULL, release_tips, n);
	if (rc < 0)
		goto out;
	rc = reachable_from_prefix(repo, &in, &commit, tips, n);
	if (rc < 0)
		goto out;
	if (!in) {
		rc = fail(repo, REPO_ENOTFOUND, "no release contains %s", commit_hex);
		goto out;
	}
	hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		rc = reachable_from_prefix(repo, &in, &commit, tips, mid + 1);
		if (rc < 0)
			goto out;
		if (in)
			hi = mid;
		else
			lo = mid + 1;
	}
	*index = lo;
	rc = REPO_OK;
out:
	free(tips);
	return rc;
}

/* ---- blame ---- */

/* Check a path from a report and copy it, without a leading "./", NUL-terminated into buf. */
static int check_path(repo_handle *r, char *buf, const char *path, size_t len)
{
	size_t start = 0;

	if (!path || len == 0)
		return fail(r, REPO_EINVAL, "path: empty");
	if (len > REPO_PATH_MAX)
		return fail(r, REPO_EINVAL, "path: longer than %d bytes", REPO_PATH_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c < ' ' || c == 0x7f)
			return fail(r, REPO_EINVAL, "path: control byte");
	}
	if (path[0] == '/')
		return fail(r, REPO_EINVAL, "path: absolute");
	while (len - start >= 2 && path[start] == '.' && path[start + 1] == '/')
		start += 2;
	/* Every component non-empty and neither "." nor "..". */
	for (size_t i = start; i <= len;) {
		size_t j = i;

		while (j < len && path[j] != '/')
			j++;
		if (j == i || (j - i == 1 && path[i] == '.') ||
		    (j - i == 2 && path[i] == '.' && path[i + 1] == '.'))
			return fail(r, REPO_EINVAL, "path: empty, '.' or '..' component");
		i = j + 1;
	}
	memcpy(buf, path + start, len - start);
	buf[len - start] = '\0';
	return REPO_OK;
}

/*
 * REPO_OK when `path` is a file in `commit`. Checked before blaming
 * because libgit2 1.5's git_blame_file leaks a commit reference when the
 * path is missing.
 */
static int check_file(repo_handle *r, const git_oid *commit, const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int rc;

	rc = git_commit_lookup(&c, r->repo, commit);
	if (rc < 0) {
		rc = git_fail(r, rc, "blame");
		goto out;
	}
	rc = git_commit_tree(&tree, c);
	if (rc < 0) {
		rc = git_fail(r, rc, "blame");
		goto out;
	}
	rc = git_tree_entry_bypath(&entry, tree, path);
	if (rc < 0) {
		rc = git_fail(r, rc, path);
		goto out;
	}
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		rc = fail(r, REPO_ENOTFOUND, "%s is not a file", path);
		goto out;
	}
	rc = REPO_OK;
out:
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

/* The cached blame of (commit, path), or a new one put in the cache. */
static int blame_get(repo_handle *r, git_blame **out, const git_oid *commit, const char *path)
{
	git_blame_options opts;
	git_blame *blame = NULL;
	blame_entry *victim = NULL;
	char *copy = NULL;
	int rc;

	for (size_t i = 0; i < REPO_BLAME_CACHE; i++) {
		blame_entry *e = &r->blame[i];

		if (e->blame && git_oid_equal(&e->commit, commit) && strcmp(e->path, path) == 0) {
			e->used = ++r->clock;
			r->stats.blame_hits++;
			*out = e->blame;
			return REPO_OK;
		}
	}
	r->stats.blame_misses++;
	rc = check_file(r, commit, path);
	if (rc < 0)
		goto out;
	rc = git_blame_options_init(&opts, GIT_BLAME_OPTIONS_VERSION);
	if (rc < 0) {
		rc = git_fail(r, rc, "blame");
		goto out;
	}
	git_oid_cpy(&opts.newest_commit, commit);
	rc = git_blame_file(&blame, r->repo, path, &opts);
	if (rc < 0) {
		rc = git_fail(r, rc, path);
		goto out;
	}
	copy = strdup(path);
	if (!copy) {
		rc = fail(r, REPO_ENOMEM, "blame: out of memory");
		goto out;
	}
	for (size_t i = 0; i < REPO_BLAME_CACHE; i++) {
		blame_entry *e = &r->blame[i];

		if (!e->blame) {
			victim = e;
			break;
		}
		if (!victim || e->used < victim->used)
			victim = e;
	}
	if (victim->blame) {
		git_blame_free(victim->blame);
		free(victim->path);
	} else {
		r->blame_entries++;
	}
	git_oid_cpy(&victim->commit, commit);
	victim->path = copy;
	victim->blame = blame;
	victim->used = ++r->clock;
	*out = blame;
	copy = NULL;
	blame = NULL;
	rc = REPO_OK;
out:
	free(copy);
	git_blame_free(blame);
	return rc;
}

int repo_blame_line(repo_commit *out, repo_handle *repo, const char *commit_hex,
		       const char *path, size_t path_len, size_t line)
{
	char buf[REPO_PATH_MAX + 1];
	const git_blame_hunk *hunk;
	git_commit *c = NULL;
	git_blame *blame = NULL;
	git_oid commit;
	int rc;

	if (!out || !repo)
		return REPO_EINVAL;
	memset(out, 0, sizeof(*out));
	rc = parse_full_hex(repo, &commit, commit_hex, "blame");
	if (rc < 0)
		goto out;
	rc = check_path(repo, buf, path, path_len);
	if (rc < 0)
		goto out;
	if (line == 0) {
		rc = fail(repo, REPO_EINVAL, "blame: lines count from 1");
		goto out;
	}
	rc = blame_get(repo, &blame, &commit, buf);
	if (rc < 0)
		goto out;
	hunk = git_blame_get_hunk_byline(blame, line);
	if (!hunk) {
		rc = fail(repo, REPO_ENOTFOUND, "%s has no line %zu", buf, line);
		goto out;
	}
	rc = git_commit_lookup(&c, repo->repo, &hunk->final_commit_id);
	if (rc < 0) {
		rc = git_fail(repo, rc, "blame");
		goto out;
	}
	fill_commit(out, c);
	rc = REPO_OK;
out:
	git_commit_free(c);
	return rc;
}

/* ---- walking new history ---- */

/* A growable list of commit ids. */
typedef struct oid_list {
	git_oid *v;
	size_t n, cap;
} oid_list;

static int oid_list_add(oid_list *l, const git_oid *oid)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		git_oid *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return REPO_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	git_oid_cpy(&l->v[l->n++], oid);
	return REPO_OK;
}

static int oid_cmp(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static void oid_list_unique(oid_list *l)
{
	size_t k = 0;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), oid_cmp);
	for (size_t i = 1; i < l->n; i++) {
		if (!git_oid_equal(&l->v[i], &l->v[k]))
			git_oid_cpy(&l->v[++k], &l->v[i]);
	}
	l->n = k + 1;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The commits every branch, remote-tracking branch and tag points at. */
static int collect_all_tips(repo_handle *r, oid_list *tips)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	git_object *obj = NULL;
	int rc;

	rc = git_reference_iterator_new(&it, r->repo);
	if (rc < 0) {
		rc = git_fail(r, rc, "walk: listing refs");
		goto out;
	}
	while ((rc = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref);

		if (starts_with(name, "refs/heads/") || starts_with(name, "refs/remotes/") ||
		    starts_with(name, "refs/tags/")) {
			/* A tag of a tree or blob, or a dangling symbolic ref, starts nothing. */
			if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
				rc = oid_list_add(tips, git_object_id(obj));
				if (rc < 0) {
					rc = fail(r, rc, "walk: out of memory");
					goto out;
				}
			} else {
				git_error_clear();
			}
			git_object_free(obj);
			obj = NULL;
		}
		git_reference_free(ref);
		ref = NULL;
	}
	if (rc != GIT_ITEROVER) {
		rc = git_fail(r, rc, "walk: listing refs");
		goto out;
	}
	rc = REPO_OK;
out:
	git_object_free(obj);
	git_reference_free(ref);
	git_reference_iterator_free(it);
	return rc;
}

static int collect_named_tips(repo_handle *r, oid_list *tips, const char *const *refs,
			      size_t nrefs)
{
	char buf[REPO_REV_MAX + 1];
	git_oid oid;
	int rc;

	for (size_t i = 0; i < nrefs; i++) {
		size_t len = refs[i] ? strnlen(refs[i], REPO_REV_MAX + 1) : 0;

		rc = check_rev(r, refs[i], len);
		if (rc < 0)
			return rc;
		memcpy(buf, refs[i], len);
		buf[len] = '\0';
		rc = lookup_spec(r, &oid, buf, len);
		if (rc < 0)
			return rc;
		rc = oid_list_add(tips, &oid);
		if (rc < 0)
			return fail(r, rc, "walk: out of memory");
	}
	return REPO_OK;
}

void repo_tips_free(repo_tips *tips)
{
	if (!tips)
		return;
	free(tips->ids);
	tips->ids = NULL;
	tips->count = 0;
}

/* Hide what earlier walks saw; ids whose commits are gone are skipped. */
static int hide_seen(repo_handle *r, git_revwalk *walk, const char *const *seen, size_t nseen)
{
	git_odb *odb = NULL;
	git_oid oid;
	int rc;

	rc = git_repository_odb(&odb, r->repo);
	if (rc < 0) {
		rc = git_fail(r, rc, "walk");
		goto out;
	}
	for (size_t i = 0; i < nseen; i++) {
		rc = parse_full_hex(r, &oid, seen[i], "walk: seen");
		if (rc < 0)
			goto out;
		if (!git_odb_exists(odb, &oid))
			continue;
		rc = git_revwalk_hide(walk, &oid);
		if (rc < 0) {
			rc = git_fail(r, rc, "walk: seen");
			goto out;
		}
	}
	rc = REPO_OK;
out:
	git_odb_free(odb);
	return rc;
}

static int walk_one(repo_handle *r, const git_oid *oid, repo_walk_cb cb, void *payload)
{
	char id[REPO_HEX_SIZE];
	repo_walk_commit wc;
	const git_signature *a;
	git_commit *c = NULL;
	const char *msg;
	int rc;

	rc = git_commit_lookup(&c, r->repo, oid);
	if (rc < 0) {
		rc = git_fail(r, rc, "walk");
		goto out;
	}
	git_oid_tostr(id, sizeof(id), oid);
	a = git_commit_author(c);
	msg = git_commit_message(c);
	if (!msg)
		msg = "";
	wc.id = id;
	wc.author_name = a->name;
	wc.author_email = a->email;
	wc.author_time = a->when.time;
	wc.commit_time = git_commit_time(c);
	wc.message = msg;
	wc.message_len = strlen(msg);
	summary_of(msg, wc.message_len, &wc.summary, &wc.summary_len);
	wc.parents = git_commit_parentcount(c);
	if (cb(&wc, payload) != 0) {
		rc = fail(r, REPO_ESTOPPED, "walk: stopped at %s", id);
		goto out;
	}
	rc = REPO_OK;
out:
	git_commit_free(c);
	return rc;
}

int repo_walk(repo_tips *new_tips, repo_handle *repo, const char *const *seen, size_t nseen,
		 const char *const *refs, size_t nrefs, repo_walk_cb cb, void *payload)
{
	git_revwalk *walk = NULL;
	oid_list tips = {0};
	repo_tips result = {0};
	git_oid oid;
	int rc;

	if (!new_tips || !repo || !cb || (!seen && nseen > 0) || (refs && nrefs == 0))
		return REPO_EINVAL;
	new_tips->ids = NULL;
	new_tips->count = 0;
	rc = refs ? collect_named_tips(repo, &tips, refs, nrefs) : collect_all_tips(repo, &tips);
	if (rc < 0)
		goto out;
	oid_list_unique(&tips);
	if (tips.n > 0) {
		rc = git_revwalk_new(&walk, repo->repo);
		if (rc < 0) {
			rc = git_fail(repo, rc, "walk");
			goto out;
		}
		rc = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
		if (rc < 0) {
			rc = git_fail(repo, rc, "walk");
			goto out;
		}
		for (size_t i = 0; i < tips.n; i++) {
			rc = git_revwalk_push(walk, &tips.v[i]);
			if (rc < 0) {
				rc = git_fail(repo, rc, "walk");
				goto out;
			}
		}
		rc = hide_seen(repo, walk, seen, nseen);
		if (rc < 0)
			goto out;
		while ((rc = git_revwalk_next(&oid, walk)) == 0) {
			rc = walk_one(repo, &oid, cb, payload);
			if (rc < 0)
				goto out;
		}
		if (rc != GIT_ITEROVER) {
			rc = git_fail(repo, rc, "walk");
			goto out;
		}
		git_error_clear();
		result.ids = calloc(tips.n, sizeof(*result.ids));
		if (!result.ids) {
			rc = fail(repo, REPO_ENOMEM, "walk: out of memory");
			goto out;
		}
		for (size_t i = 0; i < tips.n; i++)
			git_oid_tostr(result.ids[i], REPO_HEX_SIZE, &tips.v[i]);
		result.count = tips.n;
	}
	*new_tips = result;
	result.ids = NULL;
	rc = REPO_OK;
out:
	repo_tips_free(&result);
	free(tips.v);
	git_revwalk_free(walk);
	return rc;
}

/* ---- fetch ---- */

/* The values of remote.origin.fetch, copied. */
typedef struct str_list {
	char **v;
	size_t n, cap;
} str_list;

static void str_list_free(str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int str_list_add(str_list *l, const char *s)
{
	char *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return REPO_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return REPO_ENOMEM;
	l->v[l->n++] = copy;
	return REPO_OK;
}

static int add_refspec(const git_config_entry *entry, void *payload)
{
	return str_list_add(payload, entry->value) < 0 ? GIT_EUSER : 0;
}

/*
 * The fetch is made with an in-memory remote built from remote.origin.url and
 * remote.origin.fetch rather than with git_remote_lookup("origin"): in
 * libgit2 1.5 the lookup (for url.*.insteadOf) and FETCH_HEAD (for branch
 * upstreams) match a regular expression against every configuration entry,
 * and each failed match leaks pcre2 memory (fixed upstream after 1.5).
 * Neither matters here: insteadOf rewriting is not applied and FETCH_HEAD
 * is not written.
 */
int repo_fetch(repo_handle *repo)
{
	git_remote_create_options copts;
	git_fetch_options opts;
	git_config *cfg = NULL;
	git_remote *remote = NULL;
	git_strarray specs;
	str_list list = {0};
	const char *url;
	int rc;

	if (!repo)
		return REPO_EINVAL;
	rc = git_repository_config_snapshot(&cfg, repo->repo);
	if (rc < 0) {
		rc = git_fail(repo, rc, "fetch origin");
		goto out;
	}
	rc = git_config_get_string(&url, cfg, "remote.origin.url");
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		rc = REPO_OK;
		goto out;
	}
	if (rc < 0) {
		rc = git_fail(repo, rc, "fetch origin");
		goto out;
	}
	rc = git_config_get_multivar_foreach(cfg, "remote.origin.fetch", NULL, add_refspec, &list);
	if (rc == GIT_EUSER) {
		rc = fail(repo, REPO_ENOMEM, "fetch origin: out of memory");
		goto out;
	}
	if (rc < 0 && rc != GIT_ENOTFOUND) {
		rc = git_fail(repo, rc, "fetch origin");
		goto out;
	}
	git_error_clear();
	if (list.n == 0 && str_list_add(&list, "+refs/heads/*:refs/remotes/origin/*") < 0) {
		rc = fail(repo, REPO_ENOMEM, "fetch origin: out of memory");
		goto out;
	}
	rc = git_remote_create_options_init(&copts, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	if (rc < 0) {
		rc = git_fail(repo, rc, "fetch origin");
		goto out;
	}
	copts.repository = repo->repo;
	copts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	rc = git_remote_create_with_opts(&remote, url, &copts);
	if (rc < 0) {
		rc = git_fail(repo, rc, "fetch origin");
		goto out;
	}
	rc = git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	if (rc < 0) {
		rc = git_fail(repo, rc, "fetch origin");
		goto out;
	}
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	opts.update_fetchhead = 0;
	opts.prune = GIT_FETCH_NO_PRUNE;
	specs.strings = list.v;
	specs.count = list.n;
	rc = git_remote_fetch(remote, &specs, &opts, "prosum sync");
	if (rc < 0) {
		rc = git_fail(repo, rc, "fetch origin");
		goto out;
	}
	rc = REPO_OK;
out:
	/* Even a failed fetch may have moved some refs. */
	repo_cache_clear(repo);
	git_remote_free(remote);
	git_config_free(cfg);
	str_list_free(&list);
	return rc;
}

/* ---- release order ---- */

/*
 * Which release tips reach which, found in one topological walk instead of a
 * merge base per pair (each of which may walk most of the history): every
 * commit carries the set of tips it is reachable from, handed from children
 * to parents. A commit's set is complete when the walk reaches it because
 * children come first, and it is dropped then, so only the walk's frontier
 * is held in memory.
 */
typedef struct reach_map {
	git_oid *keys;
	uint64_t *bits;      /* cap rows of `words` words */
	unsigned char *used; /* 0 free, 1 live, 2 deleted */
	size_t cap, live, taken, words;
} reach_map;

static void reach_map_free(reach_map *m)
{
	free(m->keys);
	free(m->bits);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

static size_t oid_hash(const git_oid *oid)
{
	size_t h;

	memcpy(&h, oid->id, sizeof(h)); /* ids are uniformly distributed already */
	return h;
}

static int reach_map_init(reach_map *m, size_t cap, size_t words)
{
	memset(m, 0, sizeof(*m));
	m->keys = calloc(cap, sizeof(*m->keys));
	m->bits = calloc(cap * words, sizeof(*m->bits));
	m->used = calloc(cap, 1);
	m->cap = cap;
	m->words = words;
	if (!m->keys || !m->bits || !m->used) {
		reach_map_free(m);
		return REPO_ENOMEM;
	}
	return REPO_OK;
}

static size_t reach_map_slot(const reach_map *m, const git_oid *oid, bool *found)
{
	size_t mask = m->cap - 1;
	size_t i = oid_hash(oid) & mask;
	size_t first_free = SIZE_MAX;

	for (;;) {
		if (m->used[i] == 0) {
			*found = false;
			return first_free != SIZE_MAX ? first_free : i;
		}
		if (m->used[i] == 2) {
			if (first_free == SIZE_MAX)
				first_free = i;
		} else if (git_oid_equal(&m->keys[i], oid)) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

static int reach_map_grow(reach_map *m)
{
	reach_map bigger;
	size_t cap = m->cap;
	bool found;
	int rc;

	while (cap < 4 * (m->live + 1))
		cap *= 2;
	rc = reach_map_init(&bigger, cap, m->words);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (m->used[i] != 1)
			continue;
		j = reach_map_slot(&bigger, &m->keys[i], &found);
		bigger.used[j] = 1;
		git_oid_cpy(&bigger.keys[j], &m->keys[i]);
		memcpy(bigger.bits + j * m->words, m->bits + i * m->words,
		       m->words * sizeof(*m->bits));
		bigger.live++;
		bigger.taken++;
	}
	reach_map_free(m);
	*m = bigger;
	return REPO_OK;
}

/* The row of `oid`, made (empty) when missing. */
static int reach_map_row(reach_map *m, const git_oid *oid, uint64_t **row)
{
	bool found;
	size_t i;
	int rc;

	if (4 * (m->taken + 1) > 3 * m->cap) {
		rc = reach_map_grow(m);
		if (rc < 0)
			return rc;
	}
	i = reach_map_slot(m, oid, &found);
	if (!found) {
		if (m->used[i] == 0)
			m->taken++;
		m->used[i] = 1;
		m->live++;
		git_oid_cpy(&m->keys[i], oid);
		memset(m->bits + i * m->words, 0, m->words * sizeof(*m->bits));
	}
	*row = m->bits + i * m->words;
	return REPO_OK;
}

static void reach_map_drop(reach_map *m, const git_oid *oid)
{
	bool found;
	size_t i = reach_map_slot(m, oid, &found);

	if (found) {
		m->used[i] = 2;
		m->live--;
	}
}

/*
 * Called with each commit reachable from the tips, children first, and the
 * complete set of tips it is reachable from. Returns 1 to stop, 0 to go on.
 */
typedef int (*reach_visit)(const git_oid *oid, const uint64_t *bits, void *ctx);

static int reach_walk(repo_handle *r, const git_oid *tips, size_t n, size_t words,
		      reach_visit visit, void *ctx)
{
	git_revwalk *walk = NULL;
	git_commit *c = NULL;
	reach_map m = {0};
	uint64_t *row, *prow;
	uint64_t *cur = NULL;
	git_oid oid;
	int rc;

	cur = calloc(words, sizeof(*cur));
	if (!cur) {
		rc = fail(r, REPO_ENOMEM, "releases: out of memory");
		goto out;
	}
	rc = reach_map_init(&m, 1024, words);
	if (rc < 0) {
		rc = fail(r, rc, "releases: out of memory");
		goto out;
	}
	rc = git_revwalk_new(&walk, r->repo);
	if (rc < 0) {
		rc = git_fail(r, rc, "releases");
		goto out;
	}
	rc = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL);
	if (rc < 0) {
		rc = git_fail(r, rc, "releases");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = reach_map_row(&m, &tips[i], &row);
		if (rc < 0) {
			rc = fail(r, rc, "releases: out of memory");
			goto out;
		}
		row[i / 64] |= UINT64_C(1) << (i % 64);
		rc = git_revwalk_push(walk, &tips[i]);
		if (rc < 0) {
			rc = git_fail(r, rc, "releases");
			goto out;
		}
	}
	while ((rc = git_revwalk_next(&oid, walk)) == 0) {
		unsigned int np;

		rc = reach_map_row(&m, &oid, &row);
		if (rc < 0) {
			rc = fail(r, rc, "releases: out of memory");
			goto out;
		}
		memcpy(cur, row, words * sizeof(*cur));
		reach_map_drop(&m, &oid);
		if (visit(&oid, cur, ctx))
			break;
		rc = git_commit_lookup(&c, r->repo, &oid);
		if (rc < 0) {
			rc = git_fail(r, rc, "releases");
			goto out;
		}
		np = git_commit_parentcount(c);
		for (unsigned int p = 0; p < np; p++) {
			rc = reach_map_row(&m, git_commit_parent_id(c, p), &prow);
			if (rc < 0) {
				rc = fail(r, rc, "releases: out of memory");
				goto out;
			}
			for (size_t w = 0; w < words; w++)
				prow[w] |= cur[w];
		}
		git_commit_free(c);
		c = NULL;
	}
	if (rc != 0 && rc != GIT_ITEROVER) {
		rc = git_fail(r, rc, "releases");
		goto out;
	}
	git_error_clear();
	rc = REPO_OK;
out:
	git_commit_free(c);
	git_revwalk_free(walk);
	reach_map_free(&m);
	free(cur);
	return rc;
}

/* For repo_order_releases(): the reach set of every tip, and how many are still to come. */
typedef struct order_ctx {
	const git_oid *tips;
	size_t n, words, pending;
	uint64_t *reach; /* n rows of `words` */
} order_ctx;

static int order_visit(const git_oid *oid, const uint64_t *bits, void *ctx)
{
	order_ctx *o = ctx;

	for (size_t i = 0; i < o->n; i++) {
		if (git_oid_equal(&o->tips[i], oid)) {
			memcpy(o->reach + i * o->words, bits, o->words * sizeof(*bits));
			o->pending--;
		}
	}
	return o->pending == 0;
}

int repo_order_releases(size_t *order, repo_handle *repo, const char *const *tips, size_t n)
{
	git_oid *oids = NULL;
	int64_t *times = NULL;
	uint64_t *reach = NULL;
	size_t *ancestors = NULL; /* per release: releases before it in history, not yet placed */
	bool *placed = NULL;
	size_t words = (n + 63) / 64;
	order_ctx ctx;
	int rc;

	if (!repo || (n > 0 && (!order || !tips)))
		return REPO_EINVAL;
	if (n == 0)
		return REPO_OK;
	if (n > REPO_RELEASES_MAX)
		return fail(repo, REPO_EINVAL, "releases: more than %d", REPO_RELEASES_MAX);
	oids = calloc(n, sizeof(*oids));
	times = calloc(n, sizeof(*times));
	reach = calloc(n * words, sizeof(*reach));
	ancestors = calloc(n, sizeof(*ancestors));
	placed = calloc(n, sizeof(*placed));
	if (!oids || !times || !reach || !ancestors || !placed) {
		rc = fail(repo, REPO_ENOMEM, "releases: out of memory");
		goto out;
	}
	rc = load_tips(repo, oids, times, tips, n);
	if (rc < 0)
		goto out;
	ctx.tips = oids;
	ctx.n = n;
	ctx.words = words;
	ctx.pending = n;
	ctx.reach = reach;
	rc = reach_walk(repo, oids, n, words, order_visit, &ctx);
	if (rc < 0)
		goto out;
	/* Every tip is pushed, so every tip is visited; anything else is a broken repository. */
	if (ctx.pending > 0) {
		rc = fail(repo, REPO_EGIT, "releases: the walk missed a release tip");
		goto out;
	}
	/* i comes before j when j's tip reaches i's and they are different commits. */
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			if ((reach[i * words + j / 64] >> (j % 64) & 1) &&
			    !git_oid_equal(&oids[i], &oids[j]))
				ancestors[j]++;
		}
	}
	/* Kahn's algorithm: of the releases with nothing left before them, the oldest tip first. */
	for (size_t k = 0; k < n; k++) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < n; i++) {
			if (placed[i] || ancestors[i] > 0)
				continue;
			if (best == SIZE_MAX || times[i] < times[best])
				best = i;
		}
		/* The ancestry of distinct commits has no cycles, so one is always ready. */
		if (best == SIZE_MAX) {
			rc = fail(repo, REPO_EGIT, "releases: inconsistent history");
			goto out;
		}
		order[k] = best;
		placed[best] = true;
		for (size_t j = 0; j < n; j++) {
			if ((reach[best * words + j / 64] >> (j % 64) & 1) &&
			    !git_oid_equal(&oids[best], &oids[j]))
				ancestors[j]--;
		}
	}
	rc = REPO_OK;
out:
	free(oids);
	free(times);
	free(reach);
	free(ancestors);
	free(placed);
	return rc;
}

/* For repo_first_containing_many(): the queried commits, sorted, and their answers. */
typedef struct many_ctx {
	git_oid *sorted; /* distinct queried ids */
	size_t nsorted;
	size_t *first; /* per sorted id: first release, or REPO_NONE */
	size_t words, pending;
} many_ctx;

static int many_visit(const git_oid *oid, const uint64_t *bits, void *ctx)
{
	many_ctx *m = ctx;
	git_oid *hit = bsearch(oid, m->sorted, m->nsorted, sizeof(*m->sorted), oid_cmp);
	size_t k;

	if (!hit)
		return 0;
	k = (size_t)(hit - m->sorted);
	for (size_t w = 0; w < m->words; w++) {
		if (bits[w]) {
			m->first[k] = w * 64 + (size_t)__builtin_ctzll(bits[w]);
			break;
		}
	}
	return --m->pending == 0;
}

int repo_first_containing_many(size_t *index, repo_handle *repo, const char *const *commits,
				  size_t ncommits, const char *const *release_tips, size_t n)
{
	git_oid *tips = NULL;
	git_oid *ids = NULL;
	oid_list sorted = {0};
	size_t words = (n + 63) / 64;
	many_ctx ctx = {0};
	int rc;

	if (!repo || (ncommits > 0 && (!index || !commits)) || (n > 0 && !release_tips))
		return REPO_EINVAL;
	if (n > REPO_RELEASES_MAX)
		return fail(repo, REPO_EINVAL, "releases: more than %d", REPO_RELEASES_MAX);
	for (size_t i = 0; i < ncommits; i++)
		index[i] = REPO_NONE;
	if (ncommits == 0 || n == 0)
		return REPO_OK;
	tips = calloc(n, sizeof(*tips));
	ids = calloc(ncommits, sizeof(*ids));
	if (!tips || !ids) {
		rc = fail(repo, REPO_ENOMEM, "first containing: out of memory");
		goto out;
	}
	rc = load_tips(repo, tips, NULL, release_tips, n);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < ncommits; i++) {
		rc = parse_full_hex(repo, &ids[i], commits[i], "first containing");
		if (rc < 0)
			goto out;
		rc = oid_list_add(&sorted, &ids[i]);
		if (rc < 0) {
			rc = fail(repo, rc, "first containing: out of memory");
			goto out;
		}
	}
	oid_list_unique(&sorted);
	ctx.sorted = sorted.v;
	ctx.nsorted = sorted.n;
	ctx.words = words;
	ctx.pending = sorted.n;
	ctx.first = malloc(sorted.n * sizeof(*ctx.first));
	if (!ctx.first) {
		rc = fail(repo, REPO_ENOMEM, "first containing: out of memory");
		goto out;
	}
	for (size_t k = 0; k < sorted.n; k++)
		ctx.first[k] = REPO_NONE;
	rc = reach_walk(repo, tips, n, words, many_visit, &ctx);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < ncommits; i++) {
		git_oid *hit = bsearch(&ids[i], sorted.v, sorted.n, sizeof(*sorted.v), oid_cmp);

		index[i] = ctx.first[hit - sorted.v];
	}
	rc = REPO_OK;
out:
	free(ctx.first);
	free(sorted.v);
	free(ids);
	free(tips);
	return rc;
}
