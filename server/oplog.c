/* oplog.c - the process log of prosumd serve: levels, text or JSON lines, stderr or a file reopened on SIGHUP. */
#include "oplog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * The descriptor lines go to never changes its number while serving: a
 * reopen opens the new file and dup2()s it onto the same number, which the
 * kernel does atomically, so a thread writing meanwhile writes whole lines to
 * the old file or the new one, never to a closed or reused descriptor.
 */
static int log_fd = STDERR_FILENO;
static char *log_path;
static atomic_int log_level = OPLOG_INFO;
static int log_format = OPLOG_TEXT;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int oplog_level_parse(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

int oplog_format_parse(const char *s)
{
	if (strcmp(s, "text") == 0)
		return OPLOG_TEXT;
	if (strcmp(s, "json") == 0)
		return OPLOG_JSON;
	return -1;
}

const char *oplog_level_name(int level)
{
	return level >= 0 && level < 4 ? level_names[level] : "?";
}

const char *oplog_format_name(int format)
{
	return format == OPLOG_TEXT ? "text" : format == OPLOG_JSON ? "json" : "?";
}

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

int oplog_open(const char *path, int format, int level, char *err, size_t errlen)
{
	int fd;

	atomic_store(&log_level, level);
	log_format = format;
	if (!path)
		return 0;
	fd = open_log(path);
	if (fd < 0) {
		snprintf(err, errlen, "--log-file %s: %s", path, strerror(errno));
		return -1;
	}
	log_path = strdup(path);
	if (!log_path) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	log_fd = fd;
	return 0;
}

int oplog_reopen(void)
{
	int fd;

	if (!log_path)
		return 0;
	fd = open_log(log_path);
	if (fd < 0) {
		oplog(OPLOG_ERROR, "log_reopen", "cannot reopen %s (%s): logging on to the old file",
		      log_path, strerror(errno));
		return -1;
	}
	if (fd != log_fd) {
		dup2(fd, log_fd); /* O_CLOEXEC is not carried over; exec is never called */
		close(fd);
	}
	oplog(OPLOG_INFO, "log_reopen", "log file reopened");
	return 0;
}

void oplog_close(void)
{
	if (log_path && log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
	free(log_path);
	log_path = NULL;
	atomic_store(&log_level, OPLOG_INFO);
	log_format = OPLOG_TEXT;
}

void oplog_set_level(int level)
{
	if (level >= OPLOG_ERROR && level <= OPLOG_DEBUG)
		atomic_store(&log_level, level);
}

int oplog_on(int level)
{
	return level <= atomic_load_explicit(&log_level, memory_order_relaxed);
}

int oplog_format(void)
{
	return log_format;
}

void oplog_write(const char *line, size_t len)
{
	/* One write: O_APPEND puts the whole line at the end even with other writers. A short or
	 * failed write (a full disk) loses the line; retrying could only stall the thread. */
	(void)!write(log_fd, line, len);
}

void oplog_time_iso(char *out, size_t outsz)
{
	struct timespec ts;
	struct tm tm;
	unsigned ms;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	ms = (unsigned)(ts.tv_nsec / 1000000) % 1000;
	n = strftime(out, outsz, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n + 6 > outsz)
		return;
	out[n] = '.';
	out[n + 1] = (char)('0' + ms / 100);
	out[n + 2] = (char)('0' + ms / 10 % 10);
	out[n + 3] = (char)('0' + ms % 10);
	out[n + 4] = 'Z';
	out[n + 5] = '\0';
}

size_t oplog_json_escape(char *out, size_t outsz, size_t at, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len && at + 7 < outsz; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			out[at++] = '\\';
			out[at++] = (char)ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			/* Bytes, not characters: anything outside printable ASCII is shown as \u00XX,
			 * so a line is always valid JSON whatever a client sent. */
			memcpy(out + at, "\\u00", 4);
			out[at + 4] = hex[ch >> 4];
			out[at + 5] = hex[ch & 15];
			at += 6;
		} else {
			out[at++] = (char)ch;
		}
	}
	out[at] = '\0';
	return at;
}

static void vlog(int level, const char *event, const char *fmt, va_list ap)
{
	char line[OPLOG_LINE_MAX], msg[OPLOG_LINE_MAX / 2], when[32];
	size_t n;
	int m;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	oplog_time_iso(when, sizeof(when));
	if (log_format == OPLOG_JSON) {
		m = snprintf(line, sizeof(line), "{\"time\":\"%s\",\"level\":\"%s\",\"event\":\"%s\",\"msg\":\"",
			     when, level_names[level], event);
		n = oplog_json_escape(line, sizeof(line) - 3, (size_t)m, msg, strlen(msg));
		memcpy(line + n, "\"}\n", 3);
		n += 3;
	} else {
		m = snprintf(line, sizeof(line), "%s %s %s: %s\n", when, level_names[level], event, msg);
		n = m < (int)sizeof(line) ? (size_t)m : sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	oplog_write(line, n);
}

void oplog(int level, const char *event, const char *fmt, ...)
{
	va_list ap;

	if (!oplog_on(level))
		return;
	va_start(ap, fmt);
	vlog(level, event, fmt, ap);
	va_end(ap);
}

/* The slot holds the second of its last line, compared and swapped: two threads never
 * both log in the same second. */
void oplog_limited(atomic_int *s, int level, const char *event, const char *fmt, ...)
{
	int now = (int)(time(NULL) & 0x3fffffff), last;
	char msg[OPLOG_LINE_MAX / 4];
	va_list ap;

	if (!oplog_on(level))
		return;
	last = atomic_load_explicit(s, memory_order_relaxed);
	if (last == now || !atomic_compare_exchange_strong(s, &last, now))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	oplog(level, event, "%s (said at most once a second)", msg);
}
