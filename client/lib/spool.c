/* spool.c - the on-disk report queue: one durable file per report, trimmed oldest first. */
#include "lib/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/rfc3339.h"
#include "lib/error.h"
#include "common/buf.h"
#include "lib/util.h"

static const char magic[] = "prosum-spool 1\n";

struct spool {
	char *dir;
	uint64_t max_bytes;
	unsigned int max_files;
	pthread_mutex_t lock; /* trimming and the dropped counter, within this process */
};

/* Remove temporary files left by a writer that died mid-write, and orphaned .state files. */
static void clean_temps(spool *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;
	time_t now = time(NULL);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		size_t len = strlen(e->d_name);
		/* A .state whose entry is gone (removed by another process meanwhile) goes too. */
		if (len > 6 && len < SPOOL_NAME_MAX + 6 &&
		    strcmp(e->d_name + len - 6, ".state") == 0) {
			char entry[SPOOL_NAME_MAX + 6];
			memcpy(entry, e->d_name, len - 6);
			entry[len - 6] = '\0';
			if (fstatat(dirfd(d), entry, &st, AT_SYMLINK_NOFOLLOW) != 0 &&
			    errno == ENOENT)
				unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		if (strncmp(e->d_name, ".tmp-", 5) != 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(st.st_mode) && now - st.st_mtime > PROSUM_STALE_TEMP_SECONDS)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

int spool_open(spool **out, const char *dir, uint64_t max_bytes, unsigned int max_files)
{
	spool *s;
	int rc;

	rc = util_mkdirs(dir, 0700);
	if (rc)
		return rc;
	if (access(dir, R_OK | W_OK | X_OK) != 0)
		return error_set_errno(PROSUM_EIO, errno, "spool %s is not writable", dir);
	s = calloc(1, sizeof(*s));
	if (!s)
		return error_set(PROSUM_ENOMEM, "out of memory");
	s->dir = strdup(dir);
	if (!s->dir) {
		free(s);
		return error_set(PROSUM_ENOMEM, "out of memory");
	}
	s->max_bytes = max_bytes;
	s->max_files = max_files;
	pthread_mutex_init(&s->lock, NULL);
	clean_temps(s);
	*out = s;
	return 0;
}

void spool_free(spool *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s->dir);
	free(s);
}

const char *spool_dir(const spool *s)
{
	return s->dir;
}

int spool_encode(char **out, size_t *len, const envelope *p)
{
	buf sb = BUF_INIT(PROSUM_MAX_REQUEST + 64 * 1024);
	int rc;

	rc = buf_puts(&sb, magic);
	if (rc == 0)
		rc = buf_printf(&sb, "report %zu\n", p->json_len);
	if (rc == 0)
		rc = buf_append(&sb, p->json, p->json_len);
	if (rc == 0)
		rc = buf_puts(&sb, "\n");
	for (size_t i = 0; rc == 0 && i < p->nparts; i++) {
		if (!report_attachment_name_valid(p->parts[i].name)) {
			buf_free(&sb);
			return error_set(PROSUM_EINVALID, "invalid attachment name");
		}
		rc = buf_printf(&sb, "attachment %zu %s\n", p->parts[i].len, p->parts[i].name);
		if (rc == 0)
			rc = buf_append(&sb, p->parts[i].data, p->parts[i].len);
		if (rc == 0)
			rc = buf_puts(&sb, "\n");
	}
	if (rc == 0)
		rc = buf_puts(&sb, "end\n");
	if (rc) {
		buf_free(&sb);
		return rc == BUF_TOO_LARGE
			   ? error_set(PROSUM_ETOOBIG, "report too large for the spool")
			   : error_set(PROSUM_ENOMEM, "out of memory");
	}
	*len = sb.len;
	*out = buf_detach_str(&sb);
	return 0;
}

/* A decimal number of 1..10 digits ending at `stop`; advances *p past the stop character. */
static int read_number(const char **p, const char *end, char stop, size_t *out)
{
	size_t v = 0;
	int n = 0;

	while (*p < end && **p >= '0' && **p <= '9' && n < 10) {
		v = v * 10 + (size_t)(**p - '0');
		(*p)++;
		n++;
	}
	if (n == 0 || *p >= end || **p != stop)
		return -1;
	(*p)++;
	*out = v;
	return 0;
}

static int expect(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0)
		return -1;
	*p += n;
	return 0;
}

int spool_decode(envelope *out, const char *bytes, size_t len)
{
	const char *p = bytes, *end = bytes + len;
	envelope pl;
	json_t *root = NULL;
	const char *uuid;
	size_t n;
	int rc = PROSUM_EINVALID;

	memset(&pl, 0, sizeof(pl));
	if (expect(&p, end, magic) || expect(&p, end, "report ") || read_number(&p, end, '\n', &n))
		goto out;
	if (n > PROSUM_MAX_REPORT_JSON || (size_t)(end - p) < n + 1 || p[n] != '\n')
		goto out;
	pl.json = p;
	pl.json_len = n;
	p += n + 1;
	for (;;) {
		const char *name, *nl;
		if (expect(&p, end, "end\n") == 0)
			break;
		if (pl.nparts >= PROSUM_MAX_ATTACHMENTS || expect(&p, end, "attachment ") ||
		    read_number(&p, end, ' ', &n))
			goto out;
		name = p;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl || nl == name || (size_t)(nl - name) > PROSUM_MAX_ATTACHMENT_NAME ||
		    memchr(name, '\0', (size_t)(nl - name)))
			goto out;
		p = nl + 1;
		if (n > PROSUM_MAX_REQUEST || (size_t)(end - p) < n + 1 || p[n] != '\n')
			goto out;
		/* The name is NUL-terminated in place of its '\n' by spool_read's copy. */
		pl.parts[pl.nparts].name = name;
		pl.parts[pl.nparts].data = (const unsigned char *)p;
		pl.parts[pl.nparts].len = n;
		pl.nparts++;
		p += n + 1;
	}
	if (p != end)
		goto out;
	root = json_loadb(pl.json, pl.json_len, 0, NULL);
	uuid = json_string_value(json_object_get(root, "uuid"));
	if (!uuid || strlen(uuid) >= sizeof(pl.uuid))
		goto out;
	memcpy(pl.uuid, uuid, strlen(uuid) + 1);
	*out = pl;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int spool_read(spool *s, const char *name, envelope *out)
{
	char *path = util_path_join(s->dir, name);
	char *bytes = NULL;
	size_t len = 0;
	envelope p;
	int rc;

	if (!path)
		return error_set(PROSUM_ENOMEM, "out of memory");
	rc = util_read_file(&bytes, &len, path, PROSUM_MAX_REQUEST + 64 * 1024);
	if (rc == PROSUM_ETOOBIG)
		rc = error_set(PROSUM_EINVALID, "spool entry %s is larger than any report", name);
	if (rc)
		goto out;
	rc = spool_decode(&p, bytes, len);
	if (rc) {
		rc = error_set(PROSUM_EINVALID, "spool entry %s is corrupt", name);
		goto out;
	}
	/* Attachment names end at the '\n' that follows them: make them C strings. */
	for (size_t i = 0; i < p.nparts; i++) {
		char *nl = memchr(p.parts[i].name, '\n', PROSUM_MAX_ATTACHMENT_NAME + 1);
		*nl = '\0';
		if (!report_attachment_name_valid(p.parts[i].name)) {
			rc = error_set(PROSUM_EINVALID,
				       "spool entry %s has an invalid attachment name", name);
			goto out;
		}
	}
	p.bufs[0] = bytes;
	p.nbufs = 1;
	bytes = NULL;
	*out = p;
out:
	free(bytes);
	free(path);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const spool_entry *)a)->name, ((const spool_entry *)b)->name);
}

static int has_suffix(const char *name, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len > sl && strcmp(name + len - sl, suffix) == 0;
}

const char *spool_kind_of(const char *name)
{
	size_t len = strlen(name);

	if (has_suffix(name, len, SPOOL_REPORT))
		return SPOOL_REPORT;
	if (has_suffix(name, len, SPOOL_SUGGESTION))
		return SPOOL_SUGGESTION;
	if (has_suffix(name, len, SPOOL_VOTE))
		return SPOOL_VOTE;
	if (has_suffix(name, len, SPOOL_SESSION))
		return SPOOL_SESSION;
	if (has_suffix(name, len, SPOOL_RATING))
		return SPOOL_RATING;
	return NULL;
}

int spool_list(spool *s, const char *suffix, spool_entry **out, size_t *n)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;
	spool_entry *list = NULL;
	size_t count = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return error_set_errno(PROSUM_EIO, errno, "cannot read spool %s", s->dir);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		struct stat st;
		if (e->d_name[0] == '.' || len >= SPOOL_NAME_MAX)
			continue;
		if (suffix ? !has_suffix(e->d_name, len, suffix) : !spool_kind_of(e->d_name))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			spool_entry *nl = realloc(list, ncap * sizeof(*list));
			if (!nl) {
				rc = error_set(PROSUM_ENOMEM, "out of memory");
				goto out;
			}
			list = nl;
			cap = ncap;
		}
		memcpy(list[count].name, e->d_name, len + 1);
		list[count].size = (uint64_t)st.st_size;
		count++;
	}
	if (count)
		qsort(list, count, sizeof(*list), by_name);
	*out = list;
	*n = count;
	list = NULL;
out:
	free(list);
	closedir(d);
	return rc;
}

/* "NAME.state", or "" when the name is too long to have one. */
static void state_name(char out[SPOOL_NAME_MAX + 8], const char *name)
{
	snprintf(out, SPOOL_NAME_MAX + 8, "%s.state", name);
}

static void remove_state(spool *s, const char *name)
{
	char sn[SPOOL_NAME_MAX + 8];
	char *path;

	state_name(sn, name);
	path = util_path_join(s->dir, sn);
	if (path)
		unlink(path);
	free(path);
}

int spool_remove(spool *s, const char *name)
{
	char *path = util_path_join(s->dir, name);
	int rc = 0;

	if (!path)
		return error_set(PROSUM_ENOMEM, "out of memory");
	if (unlink(path) != 0 && errno != ENOENT)
		rc = error_set_errno(PROSUM_EIO, errno, "cannot delete %s", path);
	if (rc == 0)
		remove_state(s, name);
	free(path);
	return rc;
}

int spool_move(spool *from, const char *name, spool *to)
{
	char *src = util_path_join(from->dir, name), *dst = util_path_join(to->dir, name);
	char *bytes = NULL;
	size_t len = 0;
	int rc = 0;

	if (!src || !dst) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	if (strcmp(src, dst) == 0)
		goto out;
	if (rename(src, dst) == 0) {
		util_fsync_dir(to->dir);
		util_fsync_dir(from->dir);
		remove_state(from, name);
		goto out;
	}
	if (errno != EXDEV) {
		rc = error_set_errno(PROSUM_EIO, errno, "cannot move %s to %s", src, to->dir);
		goto out;
	}
	/* Another file system: a durable copy first, then the original goes. */
	rc = util_read_file(&bytes, &len, src, PROSUM_MAX_REQUEST + 64 * 1024);
	if (rc == 0)
		rc = util_write_atomic(to->dir, name, bytes, len, 0);
	if (rc == 0)
		rc = spool_remove(from, name);
out:
	free(bytes);
	free(src);
	free(dst);
	return rc;
}

void spool_read_state(spool *s, const char *name, spool_state *out)
{
	char sn[SPOOL_NAME_MAX + 8];
	char *path, *text = NULL, *line;
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	state_name(sn, name);
	path = util_path_join(s->dir, sn);
	if (!path || util_read_file(&text, &len, path, 4096) != 0)
		goto out;
	/* "attempts N\nlast SECONDS\nerror TEXT\n" */
	for (line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "attempts ", 9) == 0) {
			for (const char *p = line + 9;
			     *p >= '0' && *p <= '9' && out->attempts < 100000; p++)
				out->attempts = out->attempts * 10 + (unsigned int)(*p - '0');
		} else if (strncmp(line, "last ", 5) == 0) {
			for (const char *p = line + 5;
			     *p >= '0' && *p <= '9' && out->last_attempt < INT64_MAX / 10; p++)
				out->last_attempt = out->last_attempt * 10 + (*p - '0');
		} else if (strncmp(line, "error ", 6) == 0) {
			snprintf(out->last_error, sizeof(out->last_error), "%s", line + 6);
		}
		line = nl ? nl + 1 : NULL;
	}
out:
	free(text);
	free(path);
}

void spool_note_failure(spool *s, const char *name, const char *why)
{
	char sn[SPOOL_NAME_MAX + 8], err[512], text[700];
	spool_state st;
	int n;

	spool_read_state(s, name, &st);
	snprintf(err, sizeof(err), "%s", why ? why : "");
	util_sanitize(err);
	n = snprintf(text, sizeof(text), "attempts %u\nlast %lld\nerror %s\n", st.attempts + 1,
		     (long long)time(NULL), err);
	state_name(sn, name);
	/* Not worth an fsync: losing a count of attempts loses nothing of the entry. */
	if (n > 0)
		(void)util_write_atomic(s->dir, sn, text, (size_t)n, 0);
}

void spool_set_target(spool *s, const char *dsn_text)
{
	char *old = spool_target(s);
	size_t n = strlen(dsn_text);

	if (!old || strcmp(old, dsn_text) != 0) {
		char *line = malloc(n + 2);
		if (line) {
			memcpy(line, dsn_text, n);
			line[n] = '\n';
			(void)util_write_atomic(s->dir, "dsn", line, n + 1, 0);
		}
		free(line);
	}
	free(old);
}

char *spool_target(spool *s)
{
	char *path = util_path_join(s->dir, "dsn");
	char *text = NULL;
	size_t len = 0;

	if (!path || util_read_file(&text, &len, path, 2048) != 0) {
		free(path);
		return NULL;
	}
	free(path);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (len == 0) {
		free(text);
		return NULL;
	}
	return text;
}

void spool_log(spool *s, const char *fmt, ...)
{
	char line[2048], ts[32];
	char *path = util_path_join(s->dir, "prosum.log");
	struct stat st;
	size_t n;
	va_list ap;
	int fd;

	if (!path)
		return;
	rfc3339_format(ts, (int64_t)time(NULL));
	n = (size_t)snprintf(line, sizeof(line), "%s ", ts);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	util_sanitize(line);
	n = strlen(line);
	line[n++] = '\n';
	if (stat(path, &st) == 0 && st.st_size > PROSUM_MAX_SPOOL_LOG) {
		char *old = util_path_join(s->dir, "prosum.log.1");
		if (old)
			rename(path, old);
		free(old);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)util_write_all(fd, line, n);
		close(fd);
	}
	free(path);
}

static uint64_t read_dropped(spool *s)
{
	char *path = util_path_join(s->dir, "dropped");
	char *text = NULL;
	size_t len = 0;
	uint64_t v = 0;

	if (path && util_read_file(&text, &len, path, 64) == 0) {
		for (size_t i = 0; i < len && text[i] >= '0' && text[i] <= '9'; i++)
			v = v * 10 + (uint64_t)(text[i] - '0');
	}
	free(text);
	free(path);
	return v;
}

uint64_t spool_dropped(spool *s)
{
	uint64_t v;

	pthread_mutex_lock(&s->lock);
	v = read_dropped(s);
	pthread_mutex_unlock(&s->lock);
	return v;
}

/* Delete the oldest reports (never `keep`) until the spool is within its limits. */
static void trim(spool *s, const char *keep)
{
	spool_entry *list = NULL;
	size_t n = 0, files;
	uint64_t bytes = 0, dropped = 0;
	char *lockpath = util_path_join(s->dir, ".lock");
	int lockfd = -1;

	if (!s->max_bytes && !s->max_files)
		goto out;
	pthread_mutex_lock(&s->lock);
	/* Other processes share the spool: one trims at a time. */
	if (lockpath)
		lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lockfd >= 0)
		flock(lockfd, LOCK_EX);
	if (spool_list(s, NULL, &list, &n) != 0)
		goto unlock;
	files = n;
	for (size_t i = 0; i < n; i++)
		bytes += list[i].size;
	for (size_t i = 0; i < n; i++) {
		if ((!s->max_files || files <= s->max_files) &&
		    (!s->max_bytes || bytes <= s->max_bytes))
			break;
		if (strcmp(list[i].name, keep) == 0)
			continue;
		if (spool_remove(s, list[i].name) != 0)
			continue;
		files--;
		bytes -= list[i].size;
		dropped++;
		spool_log(s,
			  "dropped %s: the spool is full (%u reports, %" PRIu64 " bytes at most)",
			  list[i].name, s->max_files, s->max_bytes);
	}
	if (dropped) {
		char text[32];
		int len = snprintf(text, sizeof(text), "%" PRIu64 "\n", read_dropped(s) + dropped);
		util_write_atomic(s->dir, "dropped", text, (size_t)len, 0);
	}
unlock:
	if (lockfd >= 0)
		close(lockfd); /* releases the flock */
	pthread_mutex_unlock(&s->lock);
out:
	free(list);
	free(lockpath);
}

int spool_write(spool *s, const envelope *p, char name_out[SPOOL_NAME_MAX])
{
	return spool_write_kind(s, p, SPOOL_REPORT, name_out);
}

int spool_write_kind(spool *s, const envelope *p, const char *suffix, char name_out[SPOOL_NAME_MAX])
{
	char name[SPOOL_NAME_MAX];
	char *bytes = NULL;
	size_t len = 0;
	int rc;

	if (!util_uuid_valid(p->uuid))
		return error_set(PROSUM_EINVALID, "the report's uuid \"%s\" is not a UUID",
				 p->uuid);
	rc = spool_encode(&bytes, &len, p);
	if (rc)
		return rc;
	if (s->max_bytes && len > s->max_bytes) {
		rc = error_set(PROSUM_ETOOBIG,
			       "the report (%zu bytes) exceeds the spool's %" PRIu64 " bytes", len,
			       s->max_bytes);
		goto out;
	}
	snprintf(name, sizeof(name), "%020" PRIu64 "-%s%s", util_wall_ns(), p->uuid, suffix);
	rc = util_write_atomic(s->dir, name, bytes, len, 0);
	if (rc)
		goto out;
	trim(s, name);
	if (name_out)
		memcpy(name_out, name, sizeof(name));
out:
	free(bytes);
	return rc;
}
