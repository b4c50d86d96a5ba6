/* crash.c - the opt-in crash handler: fatal signals to crash records, async-signal-safe. */
#include "lib/crash.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <inttypes.h>
#include <link.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "lib/appsession.h"
#include "lib/client.h"
#include "lib/error.h"
#include "lib/util.h"

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
#define NSIGNALS (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

/*
 * The only global mutable state of libprosum: what the signal handler needs,
 * prepared at install time because nothing can be allocated or formatted
 * safely once a fatal signal arrives. Written by
 * prosum_install_crash_handler() and prosum_uninstall_crash_handler() only
 * (which are not thread-safe against each other, as prosum.h says); read by
 * the handler.
 */
static struct {
	const prosum_client *owner; /* NULL: not installed */
	char dir[4096];             /* the spool directory */
	size_t dir_len;
	char header[12288]; /* "prosum-crash 1\n" ... "source_root ...\n" */
	size_t header_len;
	size_t uuid_at; /* offset of the uuid in header */
	pid_t pid;      /* the process that installed the handler */
	struct sigaction old[NSIGNALS];
	stack_t old_stack;
} crash;

/* Set by the first thread to take a fatal signal; the others wait for the end. */
static atomic_int crash_entered;

/* The handler's own stack, so a stack overflow can still be reported. */
static char crash_stack[PROSUM_CRASH_ALTSTACK] __attribute__((aligned(64)));

/* ---- async-signal-safe helpers: no locks, no allocation, no stdio ---- */

size_t crash_format_dec(char *out, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

size_t crash_format_hex(char *out, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	out[0] = '0';
	out[1] = 'x';
	for (size_t i = 0; i < n; i++)
		out[2 + i] = tmp[n - 1 - i];
	return n + 2;
}

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void put(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* "key 123\n" */
static void put_dec(int fd, const char *key, uint64_t v)
{
	char line[64];
	size_t n = slen(key);

	memcpy(line, key, n); /* memcpy is async-signal-safe (POSIX.1-2016) */
	line[n++] = ' ';
	n += crash_format_dec(line + n, v);
	line[n++] = '\n';
	put(fd, line, n);
}

/* "key 0x1f\n", or "0x1f\n" without a key */
static void put_hex(int fd, const char *key, uint64_t v)
{
	char line[64];
	size_t n = 0;

	if (key) {
		n = slen(key);
		memcpy(line, key, n);
		line[n++] = ' ';
	}
	n += crash_format_hex(line + n, v);
	line[n++] = '\n';
	put(fd, line, n);
}

/* dir + "/" + name pieces, NUL-terminated; 0 when it does not fit. */
static size_t make_path(char *out, size_t cap, const char *a, size_t alen, const char *b,
			size_t blen)
{
	if (alen + 1 + blen + 1 > cap)
		return 0;
	memcpy(out, a, alen);
	out[alen] = '/';
	memcpy(out + alen + 1, b, blen);
	out[alen + 1 + blen] = '\0';
	return alen + 1 + blen;
}

static uint64_t pc_of(const void *uctx)
{
	const ucontext_t *uc = uctx;

	if (!uc)
		return 0;
#if defined(__x86_64__)
	return (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__i386__)
	return (uint64_t)uc->uc_mcontext.gregs[REG_EIP];
#elif defined(__aarch64__)
	return (uint64_t)uc->uc_mcontext.pc;
#else
	return 0;
#endif
}

/* For a page fault: was it a write? x86 tells it in the error code; elsewhere unknown. */
static const char *access_of(int sig, const void *uctx)
{
	const ucontext_t *uc = uctx;

	if (!uc || (sig != SIGSEGV && sig != SIGBUS))
		return "unknown";
#if defined(__x86_64__)
	return (uc->uc_mcontext.gregs[REG_ERR] & 2) ? "write" : "read";
#elif defined(__i386__)
	return (uc->uc_mcontext.gregs[REG_ERR] & 2) ? "write" : "read";
#else
	return "unknown";
#endif
}

static void write_record(int sig, const siginfo_t *si, const void *uctx)
{
	void *frames[PROSUM_CRASH_MAX_FRAMES];
	char tmp[4200], final[4200], name[64], bytes[4096];
	struct timespec now;
	size_t n, copied = 0;
	pid_t pid = getpid();
	int nframes, fd, maps;
	const char *access = access_of(sig, uctx);

	nframes = backtrace(frames, PROSUM_CRASH_MAX_FRAMES);
	clock_gettime(CLOCK_REALTIME, &now);

	/* A forked child has its own uuid: the pid replaces the uuid's last 8 digits. */
	if (pid != crash.pid) {
		static const char hexd[] = "0123456789abcdef";
		for (int i = 0; i < 8; i++)
			crash.header[crash.uuid_at + 28 + i] =
			    hexd[((uint32_t)pid >> (28 - 4 * i)) & 15];
	}

	n = 0;
	memcpy(name, ".tmp-crash-", 11);
	n = 11 + crash_format_dec(name + 11, (uint64_t)pid);
	if (!make_path(tmp, sizeof(tmp), crash.dir, crash.dir_len, name, n))
		return;
	{
		/* Wall clock in ns, 20 digits, so names sort by time like the .report files. */
		uint64_t ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
		char digits[20];
		size_t d = crash_format_dec(digits, ns);
		n = 0;
		for (size_t i = d; i < 20; i++)
			name[n++] = '0';
		memcpy(name + n, digits, d);
		n += d;
		name[n++] = '-';
		n += crash_format_dec(name + n, (uint64_t)pid);
		memcpy(name + n, ".crash", 6);
		n += 6;
	}
	if (!make_path(final, sizeof(final), crash.dir, crash.dir_len, name, n))
		return;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	put(fd, crash.header, crash.header_len);
	put_dec(fd, "time", (uint64_t)now.tv_sec);
	put_dec(fd, "pid", (uint64_t)pid);
	put_dec(fd, "signal", (uint64_t)sig);
	put_dec(fd, "code", (uint64_t)(uint32_t)(si ? si->si_code : 0));
	put_hex(fd, "address", (uint64_t)(uintptr_t)(si ? si->si_addr : 0));
	put_hex(fd, "pc", pc_of(uctx));
	put(fd, "access ", 7);
	put(fd, access, slen(access));
	put(fd, "\n", 1);
	put_dec(fd, "frames", nframes > 0 ? (uint64_t)nframes : 0);
	for (int i = 0; i < nframes; i++)
		put_hex(fd, NULL, (uint64_t)(uintptr_t)frames[i]);
	put(fd, "maps\n", 5);
	maps = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	while (maps >= 0 && copied < PROSUM_CRASH_MAX_MAPS) {
		ssize_t r = read(maps, bytes, sizeof(bytes));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		put(fd, bytes, (size_t)r);
		copied += (size_t)r;
	}
	if (maps >= 0)
		close(maps);
	/* A maps copy cut short ends mid-line: the parser drops the partial line. */
	put(fd, "end\n", 4);
	fsync(fd);
	close(fd);
	if (rename(tmp, final) == 0) {
		int dfd = open(crash.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
}

static void on_fatal_signal(int sig, siginfo_t *si, void *uctx)
{
	struct sigaction dfl;

	if (atomic_exchange(&crash_entered, 1) == 0) {
		int saved = errno;
		write_record(sig, si, uctx);
		appsession_crashed(); /* the run's session ends crashed */
		errno = saved;
	} else {
		/* Another thread is writing the record; the process ends when it is done. */
		for (;;)
			pause();
	}
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	/*
	 * Pending until the handler returns (the signal is blocked in it); a
	 * fault would also recur on return. Either way the process dies of
	 * `sig`, as it would have without the handler.
	 */
	raise(sig);
}

/* ---- installation: ordinary code, may allocate ---- */

typedef struct main_info {
	uint64_t base;
	char build_id[2 * 64 + 1];
	int done;
} main_info;

/* The first object dl_iterate_phdr reports is the executable. */
static int find_main(struct dl_phdr_info *info, size_t size, void *arg)
{
	main_info *m = arg;

	if (m->done)
		return 1;
	m->done = 1;
	m->base = (uint64_t)info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;
		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(const void *)p;
			const char *name = p + sizeof(*nh);
			const unsigned char *desc =
			    (const unsigned char *)name + ((nh->n_namesz + 3) & ~3u);
			if ((const char *)desc + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0 && nh->n_descsz <= 64) {
				for (size_t j = 0; j < nh->n_descsz; j++)
					snprintf(m->build_id + 2 * j, 3, "%02x", desc[j]);
				return 1;
			}
			p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

/* "key value\n" with the value's control characters removed. */
static int add_line(buf *sb, const char *key, const char *value)
{
	size_t start;
	int rc = buf_printf(sb, "%s ", key);

	start = sb->len;
	if (rc == 0)
		rc = buf_puts(sb, value ? value : "");
	if (rc == 0) {
		util_sanitize(sb->p + start);
		rc = buf_puts(sb, "\n");
	}
	return rc;
}

int prosum_install_crash_handler(prosum_client *client)
{
	buf sb = BUF_INIT(sizeof(crash.header) - 1);
	char exe[4096], uuid[37], base[32];
	main_info m;
	struct sigaction sa;
	stack_t st;
	ssize_t n;
	void *warm[4];
	size_t i;
	int rc = 0;

	memset(&m, 0, sizeof(m));
	if (!client)
		return error_set(PROSUM_EINVALID, "no client given");
	if (crash.owner)
		return error_set(PROSUM_ESTATE, "a crash handler is already installed");
	if (strlen(client->spool_path) >= sizeof(crash.dir) - 64)
		return error_set(PROSUM_EINVALID,
				 "the spool path is too long for the crash handler");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	dl_iterate_phdr(find_main, &m);
	rc = util_uuid4(uuid);
	if (rc)
		return rc;
	snprintf(base, sizeof(base), "0x%" PRIx64, m.base);
	rc = buf_puts(&sb, "prosum-crash 1\n");
	if (rc == 0)
		rc = buf_puts(&sb, "uuid ");
	crash.uuid_at = sb.len;
	if (rc == 0)
		rc = buf_printf(&sb, "%s\n", uuid);
	if (rc == 0)
		rc = add_line(&sb, "install_id", client->install_id);
	if (rc == 0)
		rc = add_line(&sb, "exe", exe);
	if (rc == 0)
		rc = add_line(&sb, "base", base);
	if (rc == 0)
		rc = add_line(&sb, "build_id", m.build_id);
	if (rc == 0)
		rc = add_line(&sb, "version", client->app_version);
	if (rc == 0)
		rc = add_line(&sb, "revision", client->app_revision);
	if (rc == 0)
		rc = add_line(&sb, "channel", client->app_channel);
	if (rc == 0)
		rc = add_line(&sb, "source_root", client->source_root);
	if (rc) {
		rc = error_set(rc == BUF_TOO_LARGE ? PROSUM_EINVALID : PROSUM_ENOMEM,
			       "the build information is too long for the crash handler");
		goto out;
	}
	memcpy(crash.header, sb.p, sb.len);
	crash.header_len = sb.len;
	crash.dir_len = strlen(client->spool_path);
	memcpy(crash.dir, client->spool_path, crash.dir_len + 1);
	crash.pid = getpid();
	atomic_store(&crash_entered, 0);

	/* backtrace() loads libgcc's unwinder on first use: do it now, not in the handler. */
	backtrace(warm, 4);

	memset(&st, 0, sizeof(st));
	st.ss_sp = crash_stack;
	st.ss_size = sizeof(crash_stack);
	if (sigaltstack(&st, &crash.old_stack) != 0) {
		rc = error_set_errno(PROSUM_ERROR, errno, "sigaltstack");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < NSIGNALS; i++) {
		if (sigaction(fatal_signals[i], &sa, &crash.old[i]) != 0) {
			rc = error_set_errno(PROSUM_ERROR, errno, "sigaction");
			while (i-- > 0)
				sigaction(fatal_signals[i], &crash.old[i], NULL);
			sigaltstack(&crash.old_stack, NULL);
			goto out;
		}
	}
	crash.owner = client;
out:
	buf_free(&sb);
	return rc;
}

void prosum_uninstall_crash_handler(void)
{
	stack_t cur;

	if (!crash.owner)
		return;
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(fatal_signals[i], &crash.old[i], NULL);
	/* Only the installing thread runs on our stack; give it back its old one. */
	if (sigaltstack(NULL, &cur) == 0 && cur.ss_sp == crash_stack)
		sigaltstack(&crash.old_stack, NULL);
	crash.owner = NULL;
}

void crash_release(const prosum_client *c)
{
	if (c && crash.owner == c)
		prosum_uninstall_crash_handler();
}

/* ---- reading records back (ordinary code) ---- */

/* The next line of a record: NUL-terminated in place; NULL at the end of the buffer. */
static char *next_line(char **p, char *end)
{
	char *line = *p, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	if (!nl)
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	return line;
}

/* "key value": the value when the key matches, else NULL. */
static const char *value_of(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (!line || strncmp(line, key, n) != 0 || line[n] != ' ')
		return NULL;
	return line + n + 1;
}

static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10;

	if (!s || !*s)
		return -1;
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
		if (!*s)
			return -1;
	}
	for (; *s; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return -1;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

int crash_record_parse(crash_record *out, char *bytes, size_t len)
{
	static const char *const keys[] = {
	    "uuid",     "install_id", "exe",         "base",   "build_id", "version",
	    "revision", "channel",    "source_root", "time",   "pid",      "signal",
	    "code",     "address",    "pc",          "access", "frames"};
	const char *vals[sizeof(keys) / sizeof(keys[0])];
	char *p = bytes, *end = bytes + len, *line, *maps_end;
	crash_record r;
	uint64_t v[8], nframes;

	memset(&r, 0, sizeof(r));
	line = next_line(&p, end);
	if (!line || strcmp(line, "prosum-crash 1") != 0)
		return error_set(PROSUM_EINVALID, "not a crash record");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		vals[i] = value_of(next_line(&p, end), keys[i]);
		if (!vals[i])
			return error_set(PROSUM_EINVALID, "crash record: no \"%s\" line", keys[i]);
	}
	r.uuid = vals[0];
	r.install_id = vals[1];
	r.exe = vals[2];
	r.build_id = vals[4];
	r.version = vals[5];
	r.revision = vals[6];
	r.channel = vals[7];
	r.source_root = vals[8];
	r.access = vals[15];
	if (parse_u64(vals[3], &r.base) || parse_u64(vals[9], &v[0]) ||
	    parse_u64(vals[10], &v[1]) || parse_u64(vals[11], &v[2]) ||
	    parse_u64(vals[12], &v[3]) || parse_u64(vals[13], &r.address) ||
	    parse_u64(vals[14], &r.pc) || parse_u64(vals[16], &nframes) || v[2] > 64 ||
	    v[3] > UINT32_MAX || nframes > PROSUM_CRASH_MAX_FRAMES || v[0] > INT64_MAX ||
	    v[1] > INT32_MAX)
		return error_set(PROSUM_EINVALID, "crash record: a number is malformed");
	if (!util_uuid_valid(r.uuid))
		return error_set(PROSUM_EINVALID, "crash record: bad uuid");
	r.time = (int64_t)v[0];
	r.pid = (long)v[1];
	r.signal = (int)v[2];
	r.code = (int)(int32_t)(uint32_t)v[3];
	for (size_t i = 0; i < nframes; i++) {
		if (parse_u64(next_line(&p, end), &r.frames[i]))
			return error_set(PROSUM_EINVALID, "crash record: bad frame %zu", i);
	}
	r.nframes = (size_t)nframes;
	line = next_line(&p, end);
	if (!line || strcmp(line, "maps") != 0)
		return error_set(PROSUM_EINVALID, "crash record: no maps");
	/* The record ends with "end\n"; the maps are what lies between. */
	if ((size_t)(end - p) < 4 || memcmp(end - 4, "end\n", 4) != 0)
		return error_set(PROSUM_EINVALID, "crash record: no end");
	maps_end = end - 4;
	/* Drop a partial last line (the copy was cut at its ceiling). */
	while (maps_end > p && maps_end[-1] != '\n')
		maps_end--;
	r.maps = p;
	r.maps_len = (size_t)(maps_end - p);
	*out = r;
	return 0;
}
