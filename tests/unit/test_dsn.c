/* test_dsn.c - DSN parsing: good DSNs in all their forms, and a table of hostile ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/dsn.h"
#include "prosum.h"

static void test_full(void **state)
{
	dsn d;

	assert_int_equal(dsn_parse(&d, "https://k3y_-.~@example.org:8443/demo"), 0);
	assert_string_equal(d.key, "k3y_-.~");
	assert_string_equal(d.host, "example.org");
	assert_int_equal(d.port, 8443);
	assert_string_equal(d.project, "demo");
	assert_string_equal(d.origin, "https://example.org:8443");
}

static void test_default_port(void **state)
{
	dsn d;

	assert_int_equal(dsn_parse(&d, "HTTPS://key@reports.example.org/my-app.v2"), 0);
	assert_int_equal(d.port, 443);
	assert_string_equal(d.project, "my-app.v2");
	assert_string_equal(d.origin, "https://reports.example.org:443");
}

static void test_ipv4_ipv6(void **state)
{
	dsn d;

	assert_int_equal(dsn_parse(&d, "https://K@127.0.0.1:1/p"), 0);
	assert_string_equal(d.host, "127.0.0.1");
	assert_int_equal(d.port, 1);
	assert_int_equal(dsn_parse(&d, "https://K@[::1]:65535/p"), 0);
	assert_string_equal(d.host, "[::1]");
	assert_int_equal(d.port, 65535);
	assert_string_equal(d.origin, "https://[::1]:65535");
	assert_int_equal(dsn_parse(&d, "https://K@[fe80::1:2]/p"), 0);
	assert_int_equal(d.port, 443);
}

static void test_limits(void **state)
{
	char text[2048];
	char key[PROSUM_MAX_KEY + 2];
	char project[PROSUM_MAX_PROJECT + 2];
	dsn d;

	memset(key, 'k', sizeof(key));
	key[PROSUM_MAX_KEY] = '\0';
	memset(project, 'p', sizeof(project));
	project[PROSUM_MAX_PROJECT] = '\0';
	snprintf(text, sizeof(text), "https://%s@h:1/%s", key, project);
	assert_int_equal(dsn_parse(&d, text), 0);
	assert_int_equal(strlen(d.key), PROSUM_MAX_KEY);
	assert_int_equal(strlen(d.project), PROSUM_MAX_PROJECT);

	key[PROSUM_MAX_KEY] = 'k';
	key[PROSUM_MAX_KEY + 1] = '\0';
	snprintf(text, sizeof(text), "https://%s@h:1/p", key);
	assert_int_equal(dsn_parse(&d, text), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "invalid DSN: key longer than 128 bytes");

	project[PROSUM_MAX_PROJECT] = 'p';
	project[PROSUM_MAX_PROJECT + 1] = '\0';
	snprintf(text, sizeof(text), "https://k@h:1/%s", project);
	assert_int_equal(dsn_parse(&d, text), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "invalid DSN: project longer than 64 bytes");

	memset(text, 'a', sizeof(text));
	memcpy(text, "https://k@", 10);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(dsn_parse(&d, text), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "invalid DSN: longer than 1024 bytes");
}

static const struct {
	const char *dsn;
	const char *error;
} hostile[] = {
    {"", "invalid DSN: empty"},
    {"http://k@h:1/p", "invalid DSN: the scheme must be https (reports travel over TLS)"},
    {"ftp://k@h:1/p", "invalid DSN: expected https://KEY@HOST:PORT/PROJECT"},
    {"https:/k@h:1/p", "invalid DSN: expected https://KEY@HOST:PORT/PROJECT"},
    {"k@h:1/p", "invalid DSN: expected https://KEY@HOST:PORT/PROJECT"},
    {"https://", "invalid DSN: no key (https://KEY@HOST:PORT/PROJECT)"},
    {"https://h:1/p", "invalid DSN: no key (https://KEY@HOST:PORT/PROJECT)"},
    {"https://h:1/p@x", "invalid DSN: no key (https://KEY@HOST:PORT/PROJECT)"},
    {"https://@h:1/p", "invalid DSN: empty key"},
    {"https://k:secret@h:1/p", "invalid DSN: the key has a password part (':')"},
    {"https://k:@h:1/p", "invalid DSN: the key has a password part (':')"},
    {"https://k%41@h:1/p", "invalid DSN: bad character '%' in key"},
    {"https://k@j@h:1/p", "invalid DSN: more than one '@'"},
    {"https://k@h:1", "invalid DSN: no project (https://KEY@HOST:PORT/PROJECT)"},
    {"https://k@h", "invalid DSN: no project (https://KEY@HOST:PORT/PROJECT)"},
    {"https://k@h:1/", "invalid DSN: empty project"},
    {"https://k@h:1/p/", "invalid DSN: the path must be exactly /PROJECT"},
    {"https://k@h:1/p/q", "invalid DSN: the path must be exactly /PROJECT"},
    {"https://k@h:1/p?x=1", "invalid DSN: bad character '?' in project"},
    {"https://k@h:1/p#frag", "invalid DSN: bad character '#' in project"},
    {"https://k@h:1/..", "invalid DSN: bad project '..'"},
    {"https://k@h:1/.", "invalid DSN: bad project '.'"},
    {"https://k@h:1/p%2F", "invalid DSN: bad character '%' in project"},
    {"https://k@:1/p", "invalid DSN: empty host"},
    {"https://k@/p", "invalid DSN: empty host"},
    {"https://k@h..x:1/p", "invalid DSN: bad host 'h..x'"},
    {"https://k@.h:1/p", "invalid DSN: bad host '.h'"},
    {"https://k@h.:1/p", "invalid DSN: bad host 'h.'"},
    {"https://k@h_x:1/p", "invalid DSN: bad host 'h_x'"},
    {"https://k@[::1:1/p", "invalid DSN: unterminated IPv6 address"},
    {"https://k@[::1]x/p", "invalid DSN: junk after IPv6 address"},
    {"https://k@[zz::1]:1/p", "invalid DSN: bad host '[zz::1]'"},
    {"https://k@[]:1/p", "invalid DSN: bad host '[]'"},
    {"https://k@h:/p", "invalid DSN: empty port"},
    {"https://k@h:0/p", "invalid DSN: port 0 out of range 1..65535"},
    {"https://k@h:65536/p", "invalid DSN: port 65536 out of range 1..65535"},
    {"https://k@h:99999/p", "invalid DSN: port 99999 out of range 1..65535"},
    {"https://k@h:123456/p", "invalid DSN: bad port '123456'"},
    {"https://k@h:-1/p", "invalid DSN: bad port '-1'"},
    {"https://k@h:+80/p", "invalid DSN: bad port '+80'"},
    {"https://k@h:8x/p", "invalid DSN: bad port '8x'"},
    {"https://k@h:1:2/p", "invalid DSN: bad port '1:2'"},
    {"https://k@h:0x10/p", "invalid DSN: bad port '0x10'"},
    {" https://k@h:1/p", "invalid DSN: white space, control or non-ASCII character at offset 0"},
    {"https://k@h:1/p ", "invalid DSN: white space, control or non-ASCII character at offset 15"},
    {"https://k ey@h:1/p", "invalid DSN: white space, control or non-ASCII character at offset 9"},
    {"https://k@h:1/p\n", "invalid DSN: white space, control or non-ASCII character at offset 15"},
    {"https://k@h\t:1/p", "invalid DSN: white space, control or non-ASCII character at offset 11"},
    {"https://k@h\xc3\xa9:1/p",
     "invalid DSN: white space, control or non-ASCII character at offset 11"},
    {"https://k@h:1/p\x7f",
     "invalid DSN: white space, control or non-ASCII character at offset 15"},
};

static void test_hostile(void **state)
{
	dsn d;

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		memset(&d, 0x5a, sizeof(d));
		int rc = dsn_parse(&d, hostile[i].dsn);
		if (rc != PROSUM_EINVALID || strcmp(prosum_error_last(), hostile[i].error) != 0)
			fail_msg("DSN \"%s\": got %d \"%s\", expected \"%s\"", hostile[i].dsn, rc,
				 prosum_error_last(), hostile[i].error);
		/* A refused DSN leaves the output as it was. */
		assert_int_equal(((unsigned char *)&d)[0], 0x5a);
	}
}

static void test_null(void **state)
{
	dsn d;

	assert_int_equal(dsn_parse(&d, NULL), PROSUM_EINVALID);
	assert_string_equal(prosum_error_last(), "invalid DSN: none given");
	assert_int_equal(dsn_parse(NULL, "https://k@h:1/p"), PROSUM_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full),      cmocka_unit_test(test_default_port),
	    cmocka_unit_test(test_ipv4_ipv6), cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_hostile),   cmocka_unit_test(test_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
