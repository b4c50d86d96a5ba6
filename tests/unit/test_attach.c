/* test_attach.c - content-addressed attachment files, attachment names and content types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/attach.h"
#include "unit_fixture.h"

/* A literal with its length, so names may hold NUL bytes. */
#define S(lit) lit, sizeof(lit) - 1

#define HELLO_HEX "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define EMPTY_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct fixture {
	char root[64]; /* the data directory */
	char dir[96];  /* root/attachments */
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	umask(022);
	if (unit_tmpdir(f->root, sizeof(f->root), "test-attach") < 0)
		goto fail;
	snprintf(f->dir, sizeof(f->dir), "%s/attachments", f->root);
	if (mkdir(f->dir, 0700) < 0)
		goto fail;
	*state = f;
	return 0;
fail:
	free(f);
	return -1;
}

static int teardown(void **state)
{
	fixture *f = *state;
	int rc = unit_rmtree(f->root);

	free(f);
	return rc;
}

/* Names in directory `path`, "." and ".." left out. */
static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static void file_path(char *out, size_t outsz, const fixture *f, const char *hex)
{
	snprintf(out, outsz, "%s/%.2s/%s", f->dir, hex, hex + 2);
}

/* The whole content of the attachment `hex`, which must be `want`. */
static void assert_stored(const fixture *f, const char *hex, const void *want, size_t len)
{
	size_t size = 12345, got = 0;
	char *buf = malloc(len + 1);
	int fd = -2;

	assert_non_null(buf);
	assert_int_equal(attach_open(f->dir, hex, &fd, &size), 0);
	assert_true(fd >= 0);
	assert_int_equal(size, len);
	for (;;) {
		ssize_t n = read(fd, buf + got, len + 1 - got);
		assert_true(n >= 0);
		if (n == 0)
			break;
		got += (size_t)n;
		assert_true(got <= len);
	}
	assert_int_equal(got, len);
	if (len)
		assert_memory_equal(buf, want, len);
	close(fd);
	free(buf);
}

/* ---- storing ---- */

static void test_store_twice_one_file(void **state)
{
	fixture *f = *state;
	char hex[65], hex2[65], sub[128], path[256];
	int created = -1;
	struct stat st;

	assert_int_equal(attach_store(f->dir, "hello", 5, hex, &created), 0);
	assert_string_equal(hex, HELLO_HEX);
	assert_int_equal(created, 1);
	assert_int_equal(attach_store(f->dir, "hello", 5, hex2, &created), 0);
	assert_string_equal(hex2, HELLO_HEX);
	assert_int_equal(created, 0);

	snprintf(sub, sizeof(sub), "%s/2c", f->dir);
	assert_int_equal(count_entries(f->dir), 1);
	assert_int_equal(count_entries(sub), 1); /* no temporary file left */
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	file_path(path, sizeof(path), f, hex);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 5);
	assert_stored(f, hex, "hello", 5);
}

static void test_store_different_bytes(void **state)
{
	fixture *f = *state;
	char a[65], b[65], c[65];
	int created;

	assert_int_equal(attach_store(f->dir, "hello", 5, a, &created), 0);
	assert_int_equal(created, 1);
	assert_int_equal(attach_store(f->dir, "hellp", 5, b, &created), 0);
	assert_int_equal(created, 1);
	assert_int_equal(attach_store(f->dir, "hello\0", 6, c, &created), 0);
	assert_int_equal(created, 1);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	assert_true(attach_hex_ok(a, strlen(a)) && attach_hex_ok(b, strlen(b)) &&
		    attach_hex_ok(c, strlen(c)));
	assert_stored(f, a, "hello", 5);
	assert_stored(f, b, "hellp", 5);
	assert_stored(f, c, "hello\0", 6);
}

static void test_store_empty(void **state)
{
	fixture *f = *state;
	char hex[65];
	int created;

	assert_int_equal(attach_store(f->dir, NULL, 0, hex, &created), 0);
	assert_string_equal(hex, EMPTY_HEX);
	assert_int_equal(created, 1);
	assert_int_equal(attach_store(f->dir, "", 0, hex, &created), 0);
	assert_int_equal(created, 0);
	assert_stored(f, EMPTY_HEX, "", 0);
}

static void test_store_binary_large(void **state)
{
	fixture *f = *state;
	size_t len = 3 * 1024 * 1024 + 17;
	unsigned char *data = malloc(len);
	uint32_t x = 12345;
	char hex[65];
	int created;

	assert_non_null(data);
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)(x >> 24);
	}
	data[0] = 0;
	data[len - 1] = 0;
	assert_int_equal(attach_store(f->dir, data, len, hex, &created), 0);
	assert_int_equal(created, 1);
	assert_stored(f, hex, data, len);
	free(data);
}

/* Many files: each lands in the subdirectory named by its first two hex digits. */
static void test_store_many_subdirectories(void **state)
{
	fixture *f = *state;
	char hex[65], data[16], path[256];
	int created;
	struct stat st;

	for (int i = 0; i < 300; i++) {
		int n = snprintf(data, sizeof(data), "file %d", i);
		assert_int_equal(attach_store(f->dir, data, (size_t)n, hex, &created), 0);
		assert_int_equal(created, 1);
		file_path(path, sizeof(path), f, hex);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, n);
	}
	assert_true(count_entries(f->dir) > 100);
}

static void test_store_replaces_damaged_file(void **state)
{
	fixture *f = *state;
	char hex[65], path[256];
	int created;

	assert_int_equal(attach_store(f->dir, "hello", 5, hex, &created), 0);
	file_path(path, sizeof(path), f, hex);
	assert_int_equal(truncate(path, 2), 0);
	assert_int_equal(attach_store(f->dir, "hello", 5, hex, &created), 0);
	assert_int_equal(created, 1);
	assert_stored(f, hex, "hello", 5);
	assert_int_equal(attach_store(f->dir, "hello", 5, hex, &created), 0);
	assert_int_equal(created, 0);
}

static void test_store_io_errors(void **state)
{
	fixture *f = *state;
	char hex[65], missing[128], sub[128], longdir[5000];
	int created = -1;

	/* The attachments directory does not exist. */
	snprintf(missing, sizeof(missing), "%s/nope", f->root);
	errno = 0;
	assert_int_equal(attach_store(missing, "hello", 5, hex, &created), ATTACH_EIO);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(created, 0);

	/* The subdirectory's name is taken by a file. */
	snprintf(sub, sizeof(sub), "%s/2c", f->dir);
	{
		int fd = open(sub, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	errno = 0;
	assert_int_equal(attach_store(f->dir, "hello", 5, hex, &created), ATTACH_EIO);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(count_entries(f->dir), 1);
	assert_int_equal(unlink(sub), 0);

	/* The final name is taken by a directory: refused, no temporary file left. */
	assert_int_equal(mkdir(sub, 0700), 0);
	{
		char path[256];
		file_path(path, sizeof(path), f, HELLO_HEX);
		assert_int_equal(mkdir(path, 0700), 0);
		assert_int_equal(attach_store(f->dir, "hello", 5, hex, &created), ATTACH_EIO);
		assert_int_equal(count_entries(sub), 1);
		assert_int_equal(rmdir(path), 0);
	}

	/* A path too long for the system. */
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	assert_int_equal(attach_store(longdir, "hello", 5, hex, &created), ATTACH_EINVAL);
	assert_int_equal(errno, ENAMETOOLONG);
}

/* Several threads storing the same bytes at once: one file, no debris. */
typedef struct racer {
	const char *dir;
	int rc, created;
	char hex[65];
} racer;

static const char race_data[] = "the same bytes from several testers";

static void *race(void *arg)
{
	racer *r = arg;

	r->rc = attach_store(r->dir, race_data, sizeof(race_data) - 1, r->hex, &r->created);
	return NULL;
}

static void test_store_concurrent(void **state)
{
	fixture *f = *state;
	racer r[8];
	pthread_t t[8];
	int created = 0;
	char sub[128];

	for (int i = 0; i < 8; i++) {
		r[i].dir = f->dir;
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(r[i].rc, 0);
		assert_string_equal(r[i].hex, r[0].hex);
		created += r[i].created;
	}
	assert_true(created >= 1);
	snprintf(sub, sizeof(sub), "%s/%.2s", f->dir, r[0].hex);
	assert_int_equal(count_entries(f->dir), 1);
	assert_int_equal(count_entries(sub), 1);
	assert_stored(f, r[0].hex, race_data, sizeof(race_data) - 1);
}

/* ---- opening ---- */

static void test_open_errors(void **state)
{
	fixture *f = *state;
	static const char *const bad[] = {
	    "",
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982",   /* 63 */
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98244", /* 65 */
	    "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",  /* upper */
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g",
	    "../../../../../../../../../../../../../../../../../../etc/passwd",
	    "2c/24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982 ",
	};
	char hex[65];
	size_t size = 7;
	int fd = 7, created;

	assert_int_equal(attach_store(f->dir, "hello", 5, hex, &created), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = 7;
		size = 7;
		if (attach_open(f->dir, bad[i], &fd, &size) != ATTACH_EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(fd, -1);
		assert_int_equal(size, 0);
	}
	assert_int_equal(attach_open(f->dir, NULL, &fd, &size), ATTACH_EINVAL);
	/* Well-formed but not stored. */
	assert_int_equal(attach_open(f->dir, EMPTY_HEX, &fd, &size), ATTACH_ENOTFOUND);
	assert_int_equal(fd, -1);
	assert_int_equal(
	    attach_open(f->dir, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9825",
			&fd, &size),
	    ATTACH_ENOTFOUND);
	/* A directory where a file should be is not served. */
	{
		char sub[128], path[256];
		snprintf(sub, sizeof(sub), "%s/e3", f->dir);
		assert_int_equal(mkdir(sub, 0700), 0);
		file_path(path, sizeof(path), f, EMPTY_HEX);
		assert_int_equal(mkdir(path, 0700), 0);
		assert_int_equal(attach_open(f->dir, EMPTY_HEX, &fd, &size), ATTACH_EIO);
		assert_int_equal(fd, -1);
		/* and a symbolic link is not followed */
		assert_int_equal(rmdir(path), 0);
		assert_int_equal(symlink("/etc/hostname", path), 0);
		assert_int_equal(attach_open(f->dir, EMPTY_HEX, &fd, &size), ATTACH_EIO);
		assert_int_equal(fd, -1);
	}
}

/* ---- names, hashes, types ---- */

typedef struct name_case {
	const char *name;
	size_t len;
	int ok;
} name_case;

static void test_name_ok(void **state)
{
	char n128[129], n129[130], n200[201];
	/* clang-format off */
	static const name_case cases[] = {
		{S("crash.log"), 1},
		{S("a"), 1},
		{S("Screen shot 2026-11-20_10.15.png"), 1},
		{S("core.1234"), 1},
		{S("a.b.c"), 1},
		{S("-dash"), 1},
		{S("trailing."), 1},
		{S("../x"), 0},
		{S("a/b"), 0},
		{S("/abs"), 0},
		{S("a\\b"), 0},
		{S(".hidden"), 0},
		{S("."), 0},
		{S(".."), 0},
		{S("a..b"), 0},
		{S("x.."), 0},
		{S(""), 0},
		{S("a\nb"), 0},
		{S("a\rb"), 0},
		{S("a\tb"), 0},
		{S("con\x00"), 0},
		{S("a\x00.txt"), 0},
		{S("a\x7f"), 0},
		{S("caf\xc3\xa9.txt"), 0},
		{S("a\"b"), 0},
		{S("a'b"), 0},
		{S("a%2fb"), 0},
		{S("a?b"), 0},
		{S("a#b"), 0},
		{S("a:b"), 0},
		{S("a<b>"), 0},
		{S(" lead"), 0},
		{S("trail "), 0},
		{S(" "), 0},
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (attach_name_ok(cases[i].name, cases[i].len) != cases[i].ok)
			fail_msg("case %zu \"%s\": want %d", i, cases[i].name, cases[i].ok);
	}
	memset(n128, 'a', 128);
	n128[128] = '\0';
	memset(n129, 'a', 129);
	n129[129] = '\0';
	memset(n200, 'a', 200);
	n200[200] = '\0';
	assert_int_equal(attach_name_ok(n128, 128), 1);
	assert_int_equal(attach_name_ok(n129, 129), 0);
	assert_int_equal(attach_name_ok(n200, 200), 0);
	assert_int_equal(attach_name_ok(NULL, 0), 0);
	assert_int_equal(attach_name_ok(NULL, 3), 0);
	/* Only the given length counts: no NUL is looked for. */
	assert_int_equal(attach_name_ok("ab/c", 2), 1);
}

static void test_hex_ok(void **state)
{
	assert_int_equal(attach_hex_ok(HELLO_HEX, 64), 1);
	assert_int_equal(attach_hex_ok(EMPTY_HEX, 64), 1);
	assert_int_equal(attach_hex_ok(HELLO_HEX, 63), 0);
	assert_int_equal(attach_hex_ok(HELLO_HEX "0", 65), 0);
	assert_int_equal(
	    attach_hex_ok("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824", 64),
	    0);
	assert_int_equal(
	    attach_hex_ok("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982\0", 64),
	    0);
	assert_int_equal(attach_hex_ok(NULL, 64), 0);
	assert_int_equal(attach_hex_ok("", 0), 0);
}

typedef struct type_case {
	const char *declared; /* NULL: none declared */
	size_t len;
	const char *want;
	int kept;
} type_case;

static void test_sniff_type(void **state)
{
	char long_type[200];
	char out[ATTACH_TYPE_MAX];
	/* clang-format off */
	static const type_case cases[] = {
		{S("text/plain"), "text/plain", 1},
		{S("Application/JSON"), "application/json", 1},
		{S("text/plain; charset=utf-8"), "text/plain", 1},
		{S(" image/png ; x=y"), "image/png", 1},
		{S("application/vnd.ms-excel+xml"), "application/vnd.ms-excel+xml", 1},
		{S("application/x-ndjson"), "application/x-ndjson", 1},
		{S(""), "application/octet-stream", 0},
		{S("text"), "application/octet-stream", 0},
		{S("text/"), "application/octet-stream", 0},
		{S("/plain"), "application/octet-stream", 0},
		{S("text/plain/x"), "application/octet-stream", 0},
		{S("text /plain"), "application/octet-stream", 0},
		{S("text/pl ain"), "application/octet-stream", 0},
		{S("text/plain\r\nX-Evil: 1"), "application/octet-stream", 0},
		{S("text/html\x00"), "application/octet-stream", 0},
		{S("text/caf\xc3\xa9"), "application/octet-stream", 0},
		{S("\"text/plain\""), "application/octet-stream", 0},
		{S(";text/plain"), "application/octet-stream", 0},
		{NULL, 0, "application/octet-stream", 0},
		{NULL, 5, "application/octet-stream", 0},
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int kept = attach_sniff_type(out, cases[i].declared, cases[i].len);
		if (kept != cases[i].kept || strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, kept, out,
				 cases[i].kept, cases[i].want);
	}
	/* Longest kept: 127 characters; one more falls back. */
	memset(long_type, 'a', sizeof(long_type));
	long_type[1] = '/';
	assert_int_equal(attach_sniff_type(out, long_type, ATTACH_TYPE_MAX - 1), 1);
	assert_int_equal(strlen(out), ATTACH_TYPE_MAX - 1);
	assert_int_equal(attach_sniff_type(out, long_type, ATTACH_TYPE_MAX), 0);
	assert_string_equal(out, "application/octet-stream");
	/* Only the given length is read. */
	assert_int_equal(attach_sniff_type(out, "text/plainXYZ", 10), 1);
	assert_string_equal(out, "text/plain");
}

/* Served types come from the name's extension; only safe ones, everything else a download. */
static void test_served_type(void **state)
{
	static const struct {
		const char *name, *want;
	} cases[] = {
	    {"trial-log.txt", "text/plain; charset=utf-8"},
	    {"prosum.LOG", "text/plain; charset=utf-8"},
	    {"state.json", "application/json"},
	    {"screen shot.png", "image/png"},
	    {"a.jpg", "image/jpeg"},
	    {"a.JPEG", "image/jpeg"},
	    {"a.gif", "image/gif"},
	    {"a.webp", "image/webp"},
	    {"manual.pdf", "application/pdf"},
	    {"page.html", "application/octet-stream"},
	    {"page.htm", "application/octet-stream"},
	    {"icon.svg", "application/octet-stream"},
	    {"script.js", "application/octet-stream"},
	    {"dump.bin", "application/octet-stream"},
	    {"txt", "application/octet-stream"},
	    {"log.txt.html", "application/octet-stream"},
	    {"a.txtx", "application/octet-stream"},
	    {"a.", "application/octet-stream"},
	    {NULL, "application/octet-stream"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(attach_served_type(cases[i].name), cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"",
				 cases[i].name ? cases[i].name : "(null)",
				 attach_served_type(cases[i].name), cases[i].want);
}

/* A picture type only for a picture's bytes: magic numbers, cut short, and impostors. */
static void test_image_magic(void **state)
{
	static const struct {
		const char *what;
		const char *bytes;
		size_t len;
		const char *want; /* NULL: not a picture */
	} cases[] = {
	    {"png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "image/png"},
	    {"png cut short", "\x89PNG\r\n\x1a", 7, NULL},
	    {"png without its line ends", "\x89PNG\n\n\x1a\n", 8, NULL},
	    {"jpeg", "\xff\xd8\xff\xe0\0\x10JFIF", 10, "image/jpeg"},
	    {"jpeg cut short", "\xff\xd8", 2, NULL},
	    {"gif87a", "GIF87a\x01\0", 8, "image/gif"},
	    {"gif89a", "GIF89a", 6, "image/gif"},
	    {"gif of another year", "GIF90a", 6, NULL},
	    {"webp", "RIFF\x24\0\0\0WEBPVP8 ", 16, "image/webp"},
	    {"riff that is a wave", "RIFF\x24\0\0\0WAVEfmt ", 16, NULL},
	    {"webp cut short", "RIFF\x24\0\0\0WEB", 11, NULL},
	    {"html", "<html><script>alert(1)</script>", 31, NULL},
	    {"svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 40, NULL},
	    {"html after spaces", "  <!DOCTYPE html>", 17, NULL},
	    {"empty", "", 0, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = attach_image_type(cases[i].bytes, cases[i].len);

		if ((got == NULL) != (cases[i].want == NULL) ||
		    (got && strcmp(got, cases[i].want) != 0))
			fail_msg("%s: got %s, want %s", cases[i].what, got ? got : "NULL",
				 cases[i].want ? cases[i].want : "NULL");
	}
	assert_null(attach_image_type(NULL, 10));
}

/* The type served: the name's, but a picture's only when the bytes are a picture. */
static void test_served_type_of(void **state)
{
	static const char png[] = "\x89PNG\r\n\x1a\n....";
	static const char gif[] = "GIF89a....";
	static const char html[] = "<html><body onload=alert(1)>";

	(void)state;
	assert_string_equal(attach_served_type_of("x.png", png, sizeof(png) - 1), "image/png");
	assert_string_equal(attach_served_type_of("x.png", html, sizeof(html) - 1),
			    "application/octet-stream");
	/* A picture under another picture's name is served as what it is. */
	assert_string_equal(attach_served_type_of("x.jpg", gif, sizeof(gif) - 1), "image/gif");
	assert_string_equal(attach_served_type_of("x.WEBP", html, sizeof(html) - 1),
			    "application/octet-stream");
	/* A name that is not a picture's never becomes one, whatever the bytes. */
	assert_string_equal(attach_served_type_of("x.bin", png, sizeof(png) - 1),
			    "application/octet-stream");
	assert_string_equal(attach_served_type_of("x.svg", png, sizeof(png) - 1),
			    "application/octet-stream");
	assert_string_equal(attach_served_type_of("x.html", html, sizeof(html) - 1),
			    "application/octet-stream");
	/* Text stays text, as the name says. */
	assert_string_equal(attach_served_type_of("a.log", html, sizeof(html) - 1),
			    "text/plain; charset=utf-8");
	assert_string_equal(attach_served_type_of("x.png", NULL, 0), "application/octet-stream");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_store_twice_one_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_different_bytes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_binary_large, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_many_subdirectories, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_replaces_damaged_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_io_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_concurrent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
	    cmocka_unit_test(test_name_ok),
	    cmocka_unit_test(test_hex_ok),
	    cmocka_unit_test(test_sniff_type),
	    cmocka_unit_test(test_served_type),
	    cmocka_unit_test(test_image_magic),
	    cmocka_unit_test(test_served_type_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
