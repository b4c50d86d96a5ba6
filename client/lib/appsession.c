/* appsession.c - the session of a run (release health): its marker file, its end through the spool, crashes; ratings. */
#include "lib/appsession.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lib/client.h"
#include "lib/error.h"
#include "lib/sender.h"
#include "lib/spool.h"
#include "lib/util.h"

#define MARKER_PREFIX "session-"
#define MARKER_OPEN ".open"
#define MARKER_CRASHED ".crashed"
#define MARKER_MAX (16 * 1024)
#define COMMENT_MAX 2000

/* The process's session: one per run. The paths are read by the crash handler. */
static pthread_mutex_t cur_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	prosum_client *owner; /* the client whose session is open, NULL when none */
	char *doc;            /* owned: the marker's text */
	uint64_t start_ms;    /* monotonic */
	atomic_int errors;
	int fd;               /* the marker, flock()ed while the run lasts */
	pid_t pid;            /* the process that started it: a forked child never ends it */
	char open_path[PATH_MAX];
	char crashed_path[PATH_MAX];
} cur;
static volatile sig_atomic_t cur_armed; /* open_path names a marker to rename on a crash */
static int atexit_done;

/* The platform a session names (schema/0025_health_platform.sql): the OS as reports and
 * Sentry name it, from uname's sysname ("Darwin" is "macOS"); NULL when unknown. */
static const char *platform_of(const prosum_client *c)
{
#if defined(__ANDROID__)
	return "Android";
#else
	static const struct {
		const char *sysname, *platform;
	} names[] = {{"Darwin", "macOS"},    {"Linux", "Linux"},     {"FreeBSD", "FreeBSD"},
		     {"OpenBSD", "OpenBSD"}, {"NetBSD", "NetBSD"},   {"SunOS", "Solaris"},
		     {"MINGW", "Windows"},   {"MSYS", "Windows"},    {"CYGWIN", "Windows"}};
	size_t i;

	if (!c->os[0])
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(c->os, names[i].sysname, strlen(names[i].sysname)) == 0)
			return names[i].platform;
	return c->os;
#endif
}

/* The release every session and rating of c names: its version, else its revision. */
static const char *release_of(const prosum_client *c)
{
	return c->app_version ? c->app_version : c->app_revision ? c->app_revision : "unknown";
}

/*
 * Queue the end of the session whose marker text is `doc`, as `status`, with its duration
 * (< 0: unknown) and errors. 0 or a PROSUM_E* code.
 */
static int queue_end(prosum_client *c, const char *doc, const char *status, int64_t duration_ms,
		     int errors)
{
	json_t *o = json_loads(doc, 0, NULL);
	const char *sid = json_string_value(json_object_get(o, "sid"));
	envelope p;
	char *text = NULL;
	int rc;

	memset(&p, 0, sizeof(p));
	if (!o || !sid || !util_uuid_valid(sid)) {
		json_decref(o);
		return error_set(PROSUM_EINVALID, "not a session marker");
	}
	json_object_set_new(o, "uuid", json_string(sid));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "errors", json_integer(errors));
	if (duration_ms >= 0)
		json_object_set_new(o, "duration", json_real((double)duration_ms / 1000.0));
	text = json_dumps(o, JSON_COMPACT);
	if (!text) {
		json_decref(o);
		return error_set(PROSUM_ENOMEM, "out of memory");
	}
	memcpy(p.uuid, sid, 37);
	p.json = text;
	p.json_len = strlen(text);
	p.bufs[p.nbufs++] = text;
	rc = spool_write_kind(c->spool, &p, SPOOL_SESSION, NULL);
	if (rc == 0) {
		client_count(c, CLIENT_QUEUED);
		if (c->sender)
			sender_wake(c->sender);
	}
	envelope_free(&p);
	json_decref(o);
	return rc;
}

/* End the open session (cur_lock held) as exited. */
static int end_locked(void)
{
	prosum_client *c = cur.owner;
	int rc;

	if (!c)
		return 0;
	cur_armed = 0;
	rc = queue_end(c, cur.doc, "exited", (int64_t)(util_now_ms() - cur.start_ms),
		       atomic_load(&cur.errors));
	/* Queued or not, the run's session is over: the marker goes (a failed queue would
	 * otherwise report it as abnormal on the next start). */
	unlink(cur.open_path);
	close(cur.fd);
	free(cur.doc);
	cur.doc = NULL;
	cur.owner = NULL;
	return rc;
}

static void end_at_exit(void)
{
	pthread_mutex_lock(&cur_lock);
	if (cur.owner && cur.pid == getpid())
		(void)end_locked();
	pthread_mutex_unlock(&cur_lock);
}

int prosum_session_start(prosum_client *client)
{
	char sid[37], name[64];
	char *path = NULL, *text = NULL;
	json_t *doc = NULL;
	int rc, fd = -1;

	if (!client)
		return error_set(PROSUM_EINVALID, "prosum_session_start: no client");
	pthread_mutex_lock(&cur_lock);
	if (cur.owner && cur.owner != client) {
		rc = error_set(PROSUM_ESTATE, "another client of this process has the session");
		goto out;
	}
	rc = end_locked();
	if (rc)
		goto out;
	rc = util_uuid4(sid);
	if (rc)
		goto out;
	doc = json_pack("{s:s,s:s,s:I,s:s,s:s?,s:s?,s:s?}", "sid", sid, "install_id",
			client->install_id, "started", (json_int_t)time(NULL), "release",
			release_of(client), "revision", client->app_revision, "channel",
			client->app_channel, "platform", platform_of(client));
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	snprintf(name, sizeof(name), MARKER_PREFIX "%s" MARKER_OPEN, sid);
	path = util_path_join(client->spool_path, name);
	if (!text || !path) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	if (strlen(path) + sizeof(MARKER_CRASHED) >= PATH_MAX) {
		rc = error_set(PROSUM_EINVALID, "the spool path is too long");
		goto out;
	}
	/* The one write of the start: no fsync, a crash of the process keeps it anyway. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0 ||
	    util_write_all(fd, text, strlen(text)) != 0) {
		rc = error_set_errno(PROSUM_EIO, errno, "cannot write %s", path);
		if (fd >= 0) {
			unlink(path);
			close(fd);
		}
		goto out;
	}
	cur.owner = client;
	cur.doc = text;
	text = NULL;
	cur.fd = fd;
	cur.pid = getpid();
	cur.start_ms = util_now_ms();
	atomic_store(&cur.errors, 0);
	snprintf(cur.open_path, sizeof(cur.open_path), "%s", path);
	snprintf(cur.crashed_path, sizeof(cur.crashed_path), "%.*s" MARKER_CRASHED,
		 (int)(strlen(path) - strlen(MARKER_OPEN)), path);
	cur_armed = 1;
	if (!atexit_done && atexit(end_at_exit) == 0)
		atexit_done = 1;
out:
	pthread_mutex_unlock(&cur_lock);
	free(text);
	free(path);
	json_decref(doc);
	return rc;
}

int prosum_session_end(prosum_client *client)
{
	int rc = 0;

	if (!client)
		return error_set(PROSUM_EINVALID, "prosum_session_end: no client");
	pthread_mutex_lock(&cur_lock);
	if (cur.owner == client)
		rc = end_locked();
	pthread_mutex_unlock(&cur_lock);
	return rc;
}

void appsession_close(prosum_client *c)
{
	(void)prosum_session_end(c);
}

void appsession_note_report(prosum_client *c, const char *kind)
{
	if (!kind || (strcmp(kind, "crash") != 0 && strcmp(kind, "bug") != 0))
		return;
	pthread_mutex_lock(&cur_lock);
	if (cur.owner == c)
		atomic_fetch_add(&cur.errors, 1);
	pthread_mutex_unlock(&cur_lock);
}

void appsession_crashed(void)
{
	if (cur_armed && cur.pid == getpid()) {
		cur_armed = 0;
		(void)rename(cur.open_path, cur.crashed_path);
	}
}

/* Queue one marker an earlier run left, as `status`, then delete it. */
static void recover_one(prosum_client *c, const char *name, const char *status)
{
	char *path = util_path_join(c->spool_path, name), *text = NULL;
	size_t len = 0;
	int fd = -1, rc;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* An open marker some process holds is a session still running. */
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0)
		goto out;
	if (util_read_file(&text, &len, path, MARKER_MAX) != 0)
		goto out;
	rc = queue_end(c, text, status, -1, 0);
	if (rc == PROSUM_EINVALID)
		spool_log(c->spool, "discarded %s: not a session marker", name);
	else if (rc)
		goto out; /* the spool is full or failing: tried again on the next start */
	unlink(path);
out:
	if (fd >= 0)
		close(fd);
	free(text);
	free(path);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

void appsession_recover(prosum_client *c)
{
	DIR *d = opendir(c->spool_path);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, MARKER_PREFIX, strlen(MARKER_PREFIX)) != 0)
			continue;
		if (has_suffix(e->d_name, MARKER_CRASHED))
			recover_one(c, e->d_name, "crashed");
		else if (has_suffix(e->d_name, MARKER_OPEN))
			recover_one(c, e->d_name, "abnormal");
	}
	closedir(d);
}

int prosum_rate(char *uuid_out, prosum_client *client, int rating, const char *comment)
{
	envelope p;
	json_t *doc = NULL;
	char uuid[37], *text = NULL;
	int rc;

	memset(&p, 0, sizeof(p));
	if (!client || rating < 1 || rating > 5)
		return error_set(PROSUM_EINVALID, "a rating is a whole number from 1 to 5");
	if (comment && strlen(comment) > COMMENT_MAX)
		return error_set(PROSUM_ETOOBIG, "a rating's comment is at most %d bytes",
				 COMMENT_MAX);
	rc = util_uuid4(uuid);
	if (rc)
		return rc;
	doc = json_pack("{s:s,s:s,s:i}", "uuid", uuid, "install_id", client->install_id, "rating",
			rating);
	/* A client that does not say its build (the prosum command) lets the server take the
	 * build of the install's latest session. */
	if (doc && (client->app_version || client->app_revision)) {
		json_object_set_new(doc, "release", json_string(release_of(client)));
		json_object_set_new(doc, "revision",
				    json_string(client->app_revision ? client->app_revision : ""));
	}
	if (!doc || (comment && comment[0] &&
		     json_object_set_new(doc, "comment", json_string(comment)) != 0)) {
		rc = error_set(PROSUM_EINVALID, "the comment must be UTF-8 text");
		goto out;
	}
	text = json_dumps(doc, JSON_COMPACT);
	if (!text) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(p.uuid, uuid, 37);
	p.json = text;
	p.json_len = strlen(text);
	p.bufs[p.nbufs++] = text;
	text = NULL;
	rc = spool_write_kind(client->spool, &p, SPOOL_RATING, NULL);
	if (rc == 0) {
		client_count(client, CLIENT_QUEUED);
		sender_wake(client->sender);
		if (uuid_out)
			memcpy(uuid_out, uuid, 37);
	}
out:
	envelope_free(&p);
	free(text);
	json_decref(doc);
	return rc;
}
