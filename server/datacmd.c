/* datacmd.c - prosumd backup, restore and check: the data directory as a whole. */
#include "datacmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "store/attach.h"
#include "store/store.h"
#include "store/store_maint.h"

static int say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prosumd: ..." on stderr; 1, the exit status of a failure. */
static int say(const char *fmt, ...)
{
	va_list ap;

	fputs("prosumd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int join(char out[PATH_MAX], const char *a, const char *b)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", a, b);

	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* The path of attachment `sha` under DIR/attachments, and its subdirectory. */
static int attach_path(char out[PATH_MAX], char sub[PATH_MAX], const char *dir, const char *sha)
{
	int n = snprintf(out, PATH_MAX, "%s/attachments/%.2s/%s", dir, sha, sha + 2);
	int m = snprintf(sub, PATH_MAX, "%s/attachments/%.2s", dir, sha);

	return n < 0 || n >= PATH_MAX || m < 0 || m >= PATH_MAX ? -1 : 0;
}

static void to_hex(const unsigned char d[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Read `src` to its end: its SHA-256 into hex and its size into *size; with `dst`, write the
 * bytes there too (a new file, mode 0600, fsynced). 0, or -1 with errno.
 */
static int copy_hash(const char *src, const char *dst, char hex[65], int64_t *size)
{
	mbedtls_sha256_context h;
	unsigned char chunk[65536], d[32];
	int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), out = -1, rc = -1, saved;
	ssize_t n;

	*size = 0;
	mbedtls_sha256_init(&h);
	if (in < 0)
		goto out;
	if (dst && (out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		goto out;
	mbedtls_sha256_starts_ret(&h, 0);
	while ((n = read(in, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		mbedtls_sha256_update_ret(&h, chunk, (size_t)n);
		*size += n;
		if (out >= 0) {
			ssize_t w = 0, k;

			while (w < n) {
				k = write(out, chunk + w, (size_t)(n - w));
				if (k < 0 && errno == EINTR)
					continue;
				if (k < 0)
					goto out;
				w += k;
			}
		}
	}
	if (out >= 0 && fsync(out) < 0)
		goto out;
	mbedtls_sha256_finish_ret(&h, d);
	to_hex(d, hex);
	rc = 0;
out:
	saved = errno;
	mbedtls_sha256_free(&h);
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && rc == 0) {
		saved = errno;
		rc = -1;
	}
	if (rc < 0 && out >= 0)
		unlink(dst);
	errno = saved;
	return rc;
}

/* A missing or empty directory: 1; a directory with something in it: 0; -1 otherwise. */
static int dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return errno == ENOENT ? 1 : -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

static int make_dir(const char *path)
{
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/*
 * The lock serve holds on DIR/prosumd.lock, taken so that nothing serves the directory while
 * it is repaired or restored into. fd (close it to let go), or -1 having said why.
 */
static int take_lock(const char *dir, const char *what)
{
	char path[PATH_MAX], pid[32];
	ssize_t n;
	int fd;

	if (join(path, dir, "prosumd.lock") < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		say("%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		say("%s: %s is in use by prosumd (pid %s): stop it first", what, dir,
		    pid[0] ? pid : "unknown");
		close(fd);
		return -1;
	}
	return fd;
}

/* Copy the regular files of src/tls into dst/tls (the TLS keys and certificates). */
static int copy_tls(const char *src, const char *dst, int *copied)
{
	char sdir[PATH_MAX], ddir[PATH_MAX], s[PATH_MAX], d[PATH_MAX], hex[65];
	DIR *dir;
	struct dirent *e;
	struct stat st;
	int64_t size;
	int rc = 0;

	*copied = 0;
	if (join(sdir, src, "tls") < 0 || join(ddir, dst, "tls") < 0)
		return -1;
	dir = opendir(sdir);
	if (!dir)
		return errno == ENOENT ? 0 : -1;
	if (make_dir(ddir) < 0)
		rc = -1;
	while (rc == 0 && (e = readdir(dir))) {
		if (e->d_name[0] == '.' || join(s, sdir, e->d_name) < 0 ||
		    join(d, ddir, e->d_name) < 0 || lstat(s, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		unlink(d);
		if (copy_hash(s, d, hex, &size) < 0) {
			say("cannot copy %s: %s", s, strerror(errno));
			rc = -1;
		}
		(*copied)++;
	}
	closedir(dir);
	return rc;
}

/* Copy DIR/secret (the key token hashes are made with) when there is one. 1 copied, 0 none. */
static int copy_secret(const char *src, const char *dst)
{
	char s[PATH_MAX], d[PATH_MAX], hex[65];
	int64_t size;

	if (join(s, src, "secret") < 0 || join(d, dst, "secret") < 0)
		return -1;
	if (access(s, F_OK) < 0)
		return 0;
	unlink(d);
	if (copy_hash(s, d, hex, &size) < 0)
		return say("cannot copy %s: %s", s, strerror(errno)), -1;
	return 1;
}

/* ---- the attachment files a database refers to, brought from one directory to another ---- */

typedef struct bring {
	const char *from, *to; /* data directories */
	int64_t files, bytes, linked, copied, problems;
	int failed; /* a callback failed, having said why */
} bring;

static int bring_one(void *ctx, const char *sha, int64_t size, int64_t refs)
{
	bring *b = ctx;
	char src[PATH_MAX], dst[PATH_MAX], sub[PATH_MAX], ssub[PATH_MAX], hex[65];
	int64_t got;
	int linked = 0;

	if (!attach_hex_ok(sha, strlen(sha)) || attach_path(src, ssub, b->from, sha) < 0 ||
	    attach_path(dst, sub, b->to, sha) < 0) {
		say("attachment %s: not a SHA-256 (%lld rows)", sha, (long long)refs);
		b->problems++;
		return 0;
	}
	b->failed = 1; /* until the end */
	if (make_dir(sub) < 0)
		return say("%s: %s", sub, strerror(errno)), -1;
	/* Attachment files are never changed in place (a damaged one is replaced by a rename),
	 * so a hard link is as good as a copy and costs no space. */
	if (link(src, dst) == 0 || (errno == EEXIST && unlink(dst) == 0 && link(src, dst) == 0)) {
		/* (restore --force: a file of the same name was there; it is the same bytes
		 * unless damaged, and the backup's are what was checked) */
		linked = 1;
	} else if (errno == ENOENT) {
		say("attachment file %s is missing (%lld bytes, %lld rows refer to it)", src,
		    (long long)size, (long long)refs);
		b->problems++;
		b->failed = 0;
		return 0;
	} else if (errno != EXDEV && errno != EPERM && errno != EMLINK) {
		return say("cannot link %s: %s", src, strerror(errno)), -1;
	}
	if (copy_hash(src, linked ? NULL : dst, hex, &got) < 0)
		return say("cannot copy %s: %s", src, strerror(errno)), -1;
	if (got != size || strcmp(hex, sha) != 0) {
		say("attachment file %s is damaged: %lld bytes with SHA-256 %s, not %lld bytes "
		    "with %s",
		    src, (long long)got, hex, (long long)size, sha);
		b->problems++;
	}
	b->failed = 0;
	b->files++;
	b->bytes += got;
	if (linked)
		b->linked++;
	else
		b->copied++;
	return 0;
}

static int bring_files(bring *b, const char *db_path)
{
	char err[512];
	store_db *db = NULL;
	int rc;

	if (store_db_open(&db, db_path, STORE_READ, err, sizeof(err)) < 0)
		return say("%s", err), -1;
	rc = store_attachment_files(db, bring_one, b);
	if (rc < 0 && !b->failed)
		say("%s: %s", db_path, store_db_error(db));
	store_db_close(db);
	return rc < 0 ? -1 : 0;
}

/* ---- backup ---- */

static int count_into(void *ctx, const char *table, int64_t rows)
{
	return json_object_set_new(ctx, table, json_integer(rows));
}

/* Write the manifest: to a temporary file, fsynced, renamed into place. */
static int write_manifest(const char *dest, json_t *m)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	char *text = json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS);
	FILE *f = NULL;
	int rc = -1;

	if (!text || join(path, dest, DATACMD_MANIFEST) < 0 ||
	    join(tmp, dest, "." DATACMD_MANIFEST ".tmp") < 0)
		goto out;
	f = fopen(tmp, "wx");
	if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fflush(f) != 0 ||
	    fsync(fileno(f)) < 0)
		goto out;
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) < 0 || fsync_path(dest) < 0)
		goto out;
	rc = 0;
out:
	if (f)
		fclose(f);
	if (rc < 0)
		say("cannot write %s/%s: %s", dest, DATACMD_MANIFEST, strerror(errno));
	free(text);
	return rc;
}

int datacmd_backup(const config *cfg, const char *dest)
{
	char src_db[PATH_MAX], dst_db[PATH_MAX], att[PATH_MAX], err[512], when[32], why[1024];
	char real[PATH_MAX];
	bring b;
	json_t *m = NULL, *tables = NULL;
	store_db *db = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int level, tls = 0, secret, empty, rc = 1;

	if (!dest)
		return say("backup DEST: the directory to write the backup to"), 2;
	if (join(src_db, cfg->data_dir, "prosum.db") < 0 || join(dst_db, dest, "prosum.db") < 0 ||
	    join(att, dest, "attachments") < 0)
		return say("backup: the path is too long"), 2;
	if (access(src_db, F_OK) < 0 && config_db_unreachable(src_db, why, sizeof(why)))
		return say("%s", why);
	if (access(src_db, F_OK) < 0)
		return say("no database in %s: nothing to back up", cfg->data_dir);
	empty = dir_empty(dest);
	if (empty == 0)
		return say("backup: %s is not empty: name a new directory", dest);
	if (empty < 0)
		return say("backup: %s: %s", dest, strerror(errno));
	if (make_dir(dest) < 0 || make_dir(att) < 0)
		return say("backup: cannot create %s: %s", dest, strerror(errno));
	/* The database first: the attachments it refers to were written (and fsynced) before
	 * the rows naming them were committed, and are never removed while referred to. */
	if (store_snapshot(src_db, dst_db, &level, err, sizeof(err)) < 0) {
		say("backup: %s", err);
		goto out;
	}
	memset(&b, 0, sizeof(b));
	b.from = cfg->data_dir;
	b.to = dest;
	if (bring_files(&b, dst_db) < 0)
		goto out;
	if ((secret = copy_secret(cfg->data_dir, dest)) < 0 || copy_tls(cfg->data_dir, dest, &tls) < 0)
		goto out;
	if (secret == 0)
		say("backup: %s has no secret file: API tokens of the copy will not work",
		    cfg->data_dir);
	if (store_db_open(&db, dst_db, STORE_READ, err, sizeof(err)) < 0) {
		say("backup: %s", err);
		goto out;
	}
	tables = json_object();
	if (!tables || store_table_counts(db, count_into, tables) < 0) {
		say("backup: %s", store_db_error(db));
		goto out;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	m = json_pack("{s:i, s:s, s:s, s:s, s:i, s:O, s:{s:I, s:I, s:I, s:I, s:I}, s:b, s:i}",
		      "format", 1, "created_at", when, "prosumd", "0.1.0", "source",
		      realpath(cfg->data_dir, real) ? real : cfg->data_dir, "schema", level,
		      "tables", tables, "attachments", "files", (json_int_t)b.files, "bytes",
		      (json_int_t)b.bytes, "linked", (json_int_t)b.linked, "copied",
		      (json_int_t)b.copied, "problems", (json_int_t)b.problems, "secret",
		      secret > 0, "tls_files", tls);
	if (!m || write_manifest(dest, m) < 0)
		goto out;
	fsync_path(att);
	printf("backup: %s\nschema: %d\n", dest, level);
	printf("reports: %lld\n",
	       (long long)json_integer_value(json_object_get(tables, "reports")));
	printf("attachments: %lld files, %lld bytes (%lld linked, %lld copied)\n",
	       (long long)b.files, (long long)b.bytes, (long long)b.linked, (long long)b.copied);
	if (b.problems) {
		say("backup: %lld attachment files could not be backed up (above): run prosumd "
		    "check",
		    (long long)b.problems);
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 && !m)
		say("backup: %s is incomplete (it has no %s): remove it", dest, DATACMD_MANIFEST);
	store_db_close(db);
	json_decref(tables);
	json_decref(m);
	return rc;
}

/* ---- check ---- */

typedef struct checker {
	const char *dir;
	char (*refs)[65]; /* the hashes rows refer to, sorted */
	size_t nrefs, cap;
	int64_t problems, missing, damaged, orphans, removed, removed_bytes, files;
	int repair;
	int orphans_fail; /* do orphans count as problems? */
} checker;

static void db_problem(void *ctx, const char *problem)
{
	checker *c = ctx;

	printf("problem: %s\n", problem);
	c->problems++;
}

static int check_file(void *ctx, const char *sha, int64_t size, int64_t refs)
{
	checker *c = ctx;
	char path[PATH_MAX], sub[PATH_MAX], hex[65];
	int64_t got;

	if (c->nrefs == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		char(*r)[65] = realloc(c->refs, cap * sizeof(*r));

		if (!r)
			return -1;
		c->refs = r;
		c->cap = cap;
	}
	snprintf(c->refs[c->nrefs++], 65, "%s", sha);
	c->files++;
	if (!attach_hex_ok(sha, strlen(sha)) || attach_path(path, sub, c->dir, sha) < 0) {
		printf("problem: %lld attachment rows name %s, not a SHA-256\n", (long long)refs,
		       sha);
		c->problems++;
		return 0;
	}
	if (copy_hash(path, NULL, hex, &got) < 0) {
		printf("missing: attachments/%.2s/%s (%lld bytes; %lld attachment rows refer to "
		       "it)\n",
		       sha, sha + 2, (long long)size, (long long)refs);
		c->missing++;
		c->problems++;
	} else if (got != size || strcmp(hex, sha) != 0) {
		printf("damaged: attachments/%.2s/%s (%lld bytes with SHA-256 %s; %lld attachment "
		       "rows refer to it)\n",
		       sha, sha + 2, (long long)got, hex, (long long)refs);
		c->damaged++;
		c->problems++;
	}
	return 0;
}

static int cmp_hex(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* One file under attachments/SUB/: referred to, an orphan (removed with --repair), or not an
 * attachment's at all (left for a person to look at). */
static void check_entry(checker *c, const char *sub, const char *name, const char *path)
{
	char sha[65];
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (strncmp(name, ".tmp-", 5) == 0 && S_ISREG(st.st_mode)) {
		/* what a crash while storing leaves: an orphan */
	} else if (strlen(name) == ATTACH_HEX_LEN - 2 && S_ISREG(st.st_mode)) {
		snprintf(sha, sizeof(sha), "%s%s", sub, name);
		if (!attach_hex_ok(sha, ATTACH_HEX_LEN)) {
			printf("problem: %s is not an attachment file\n", path);
			c->problems++;
			return;
		}
		if (c->nrefs && bsearch(sha, c->refs, c->nrefs, sizeof(*c->refs), cmp_hex))
			return;
	} else {
		printf("problem: %s is not an attachment file\n", path);
		c->problems++;
		return;
	}
	if (c->repair) {
		if (unlink(path) == 0) {
			printf("removed: %s (%lld bytes, no row refers to it)\n", path,
			       (long long)st.st_size);
			c->removed++;
			c->removed_bytes += st.st_size;
			return;
		}
		printf("problem: cannot remove %s: %s\n", path, strerror(errno));
		c->problems++;
		return;
	}
	printf("orphan: %s (%lld bytes, no row refers to it)\n", path, (long long)st.st_size);
	c->orphans++;
	if (c->orphans_fail)
		c->problems++;
}

static int check_tree(checker *c)
{
	char top[PATH_MAX], sub[PATH_MAX], path[PATH_MAX];
	DIR *d, *s;
	struct dirent *e, *f;

	if (join(top, c->dir, "attachments") < 0)
		return -1;
	d = opendir(top);
	if (!d) {
		if (errno == ENOENT && c->nrefs == 0)
			return 0;
		printf("problem: %s: %s\n", top, strerror(errno));
		c->problems++;
		return 0;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (join(sub, top, e->d_name) < 0)
			continue;
		if (strlen(e->d_name) != 2 || strspn(e->d_name, "0123456789abcdef") != 2 ||
		    !(s = opendir(sub))) {
			printf("problem: %s is not an attachment directory\n", sub);
			c->problems++;
			continue;
		}
		while ((f = readdir(s))) {
			if (strcmp(f->d_name, ".") == 0 || strcmp(f->d_name, "..") == 0 ||
			    join(path, sub, f->d_name) < 0)
				continue;
			check_entry(c, e->d_name, f->d_name, path);
		}
		closedir(s);
	}
	closedir(d);
	return 0;
}

/* Check `dir`; the number of problems (printed), or -1 when it could not be checked. */
static int check_dir(const char *dir, int repair, int orphans_fail)
{
	char db_path[PATH_MAX], err[512];
	checker c;
	store_db *db = NULL;
	int rc = -1, n;

	memset(&c, 0, sizeof(c));
	c.dir = dir;
	c.repair = repair;
	c.orphans_fail = orphans_fail;
	if (join(db_path, dir, "prosum.db") < 0)
		return -1;
	if (access(db_path, F_OK) < 0) {
		const char *why = config_db_unreachable(db_path, err, sizeof(err));

		if (why)
			say("%s", why);
		else
			say("no database in %s", dir);
		return -1;
	}
	if (store_db_open(&db, db_path, STORE_READ, err, sizeof(err)) < 0) {
		say("%s", err);
		return -1;
	}
	n = store_schema_version(db);
	if (n > store_schema_current())
		say("database schema %d is newer than this prosumd (%d): checking what this "
		    "prosumd knows",
		    n, store_schema_current());
	else if (n >= 0 && n < store_schema_current())
		say("database schema %d is older than this prosumd (%d): checked as it is; "
		    "'prosumd serve' upgrades it when it starts",
		    n, store_schema_current());
	n = store_check_db(db, db_problem, &c);
	if (n < 0 || store_attachment_files(db, check_file, &c) < 0) {
		say("%s: %s", db_path, store_db_error(db));
		goto out;
	}
	printf("database: %s\n", n == 0 ? "ok" : "problems (above)");
	if (c.nrefs)
		qsort(c.refs, c.nrefs, sizeof(*c.refs), cmp_hex);
	if (check_tree(&c) < 0)
		goto out;
	printf("attachments: %lld files, %lld missing, %lld damaged, %lld orphaned", (long long)c.files,
	       (long long)c.missing, (long long)c.damaged, (long long)c.orphans);
	if (repair)
		printf(", %lld removed (%lld bytes)", (long long)c.removed,
		       (long long)c.removed_bytes);
	putchar('\n');
	/* What can be done about what was found, and only that. */
	if (c.orphans && !repair && orphans_fail)
		say("check: orphaned files go with 'prosumd check --repair' (the server stopped)");
	if (c.missing || c.damaged)
		say("check: missing or damaged files cannot be repaired: put them back from a "
		    "backup (their SHA-256 is their name)");
	rc = (int)(c.problems > INT_MAX ? INT_MAX : c.problems);
out:
	store_db_close(db);
	free(c.refs);
	return rc;
}

int datacmd_check(const config *cfg, int repair)
{
	int lock = -1, n;

	if (repair && (lock = take_lock(cfg->data_dir, "check --repair")) < 0)
		return 1;
	n = check_dir(cfg->data_dir, repair, 1);
	if (lock >= 0)
		close(lock);
	if (n < 0)
		return 1;
	printf("check: %s\n", n == 0 ? "ok" : "problems found");
	if (n > 0)
		fprintf(stderr, "prosumd: check: %d problem%s (above)\n", n, n == 1 ? "" : "s");
	return n == 0 ? 0 : 1;
}

/* ---- restore ---- */

int datacmd_restore(const config *cfg, const char *src, int force)
{
	static const char *const db_files[] = {"prosum.db", "prosum.db-wal", "prosum.db-shm",
					       "prosum.db-journal"};
	char manifest[PATH_MAX], src_db[PATH_MAX], dst_db[PATH_MAX], att[PATH_MAX], path[PATH_MAX];
	char hex[65];
	json_error_t jerr;
	json_t *m = NULL;
	bring b;
	int64_t size;
	int level, empty, lock = -1, tls, rc = 1, n;
	size_t i;

	if (!src)
		return say("restore SRC: the directory 'prosumd backup' wrote"), 2;
	if (join(manifest, src, DATACMD_MANIFEST) < 0 || join(src_db, src, "prosum.db") < 0 ||
	    join(dst_db, cfg->data_dir, "prosum.db") < 0 ||
	    join(att, cfg->data_dir, "attachments") < 0)
		return say("restore: the path is too long"), 2;
	m = json_load_file(manifest, 0, &jerr);
	if (!m || access(src_db, F_OK) < 0) {
		say("restore: %s is not a complete backup (no %s or prosum.db)", src,
		    DATACMD_MANIFEST);
		goto out;
	}
	level = (int)json_integer_value(json_object_get(m, "schema"));
	if (level > store_schema_current()) {
		say("restore: database schema %d is newer than this prosumd (%d): restore it with "
		    "the prosumd that made it, or a newer one",
		    level, store_schema_current());
		goto out;
	}
	empty = dir_empty(cfg->data_dir);
	if (empty < 0) {
		say("restore: %s: %s", cfg->data_dir, strerror(errno));
		goto out;
	}
	if (!empty && !force) {
		say("restore: %s is not empty: restore into a new directory, or add --force to "
		    "replace its database",
		    cfg->data_dir);
		goto out;
	}
	if (make_dir(cfg->data_dir) < 0 || make_dir(att) < 0) {
		say("restore: cannot create %s: %s", cfg->data_dir, strerror(errno));
		goto out;
	}
	lock = take_lock(cfg->data_dir, "restore");
	if (lock < 0)
		goto out;
	/* A copy, not a link: the restored database will be written to. A -wal left from
	 * the database replaced would be replayed into the restored one: it goes too. */
	for (i = 0; i < sizeof(db_files) / sizeof(db_files[0]); i++)
		if (join(path, cfg->data_dir, db_files[i]) == 0 && unlink(path) < 0 &&
		    errno != ENOENT) {
			say("restore: cannot remove %s: %s", path, strerror(errno));
			goto out;
		}
	if (copy_hash(src_db, dst_db, hex, &size) < 0) {
		say("restore: cannot copy %s: %s", src_db, strerror(errno));
		goto out;
	}
	memset(&b, 0, sizeof(b));
	b.from = src;
	b.to = cfg->data_dir;
	if (bring_files(&b, dst_db) < 0 || copy_secret(src, cfg->data_dir) < 0 ||
	    copy_tls(src, cfg->data_dir, &tls) < 0)
		goto out;
	fsync_path(cfg->data_dir);
	printf("restored: %s\nschema: %d\nattachments: %lld files (%lld linked, %lld copied)\n",
	       cfg->data_dir, level, (long long)b.files, (long long)b.linked,
	       (long long)b.copied);
	/* Files left by --force's earlier content are orphans: told, not a failure. */
	n = check_dir(cfg->data_dir, 0, 0);
	if (n != 0 || b.problems) {
		printf("check: problems found\n");
		goto out;
	}
	printf("check: ok\n");
	if (level < store_schema_current())
		fprintf(stderr,
			"prosumd: restore: the backup is of schema %d; serve upgrades it to %d "
			"when it starts\n",
			level, store_schema_current());
	rc = 0;
out:
	if (lock >= 0)
		close(lock);
	json_decref(m);
	return rc;
}
