/* test_mail_msg.c - e-mail messages: addresses, RFC 2047 subjects, HTML escaping, the multipart form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <mbedtls/base64.h>
#include <stdio.h>
#include <string.h>

#include "notify/mail_msg.h"

static void test_addresses(void **state)
{
	static const char *const good[] = {"a@b", "ada@example.com", "first.last+tag@sub.example.org"};
	static const char *const bad[] = {"",
					  "@example.com",
					  "ada@",
					  "ada",
					  "ada@@example.com",
					  "a b@example.com",
					  "ada@example.com\r\nBcc: x@y",
					  "<ada@example.com>",
					  "ada@example.com,eve@example.com",
					  "ada;@example.com",
					  "\"ada\"@example.com",
					  "ad\xc3\xa1@example.com"};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(mail_address_ok(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mail_address_ok(bad[i]))
			fail_msg("accepted '%s'", bad[i]);
	assert_int_equal(mail_address_of("prosum <noreply@example.com>", out, sizeof(out)), 0);
	assert_string_equal(out, "noreply@example.com");
	assert_int_equal(mail_address_of("noreply@example.com", out, sizeof(out)), 0);
	assert_string_equal(out, "noreply@example.com");
	assert_int_equal(mail_address_of("prosum <noreply@example.com", out, sizeof(out)), -1);
	assert_int_equal(mail_address_of("prosum <no reply@example.com>", out, sizeof(out)), -1);
}

/* Decode every "=?UTF-8?B?...?=" word of h (folded with CRLF SP) back into out. */
static void decode_words(const char *h, char *out, size_t outsz)
{
	size_t n = 0, got;
	const char *p = h, *end;

	while ((p = strstr(p, "=?UTF-8?B?"))) {
		p += 10;
		end = strstr(p, "?=");
		assert_non_null(end);
		assert_int_equal(mbedtls_base64_decode((unsigned char *)out + n, outsz - n - 1, &got,
						       (const unsigned char *)p, (size_t)(end - p)),
				 0);
		n += got;
		p = end + 2;
	}
	out[n] = '\0';
}

static void test_subject_encoding(void **state)
{
	/* Each encoded word decodes to whole characters: a word never ends inside one. */
	const char *text = "[d\xc3\xa9mo] Your bug R-12 is fixed in 1.4.0 \xe2\x80\x94 "
			   "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x8e\x89 and a long tail of text";
	buf b = BUF_INIT(4096);
	char back[512];
	const char *line;

	(void)state;
	assert_int_equal(mail_header_encode(&b, "[demo] New group G-1"), 0);
	assert_string_equal(b.p, "[demo] New group G-1");
	buf_reset(&b);
	assert_int_equal(mail_header_encode(&b, text), 0);
	decode_words(b.p, back, sizeof(back));
	assert_string_equal(back, text);
	/* Every line of the folded header fits in 76 characters; words are separated by folds. */
	for (line = b.p; line; line = strstr(line, "\r\n ")) {
		size_t len;

		if (line != b.p)
			line += 3;
		len = strcspn(line, "\r");
		assert_true(len <= 76);
		assert_int_equal(strncmp(line, "=?UTF-8?B?", 10), 0);
	}
	/* Text that looks like an encoded word is encoded, so it is not read as one. */
	buf_reset(&b);
	assert_int_equal(mail_header_encode(&b, "=?UTF-8?B?QQ==?="), 0);
	decode_words(b.p, back, sizeof(back));
	assert_string_equal(back, "=?UTF-8?B?QQ==?=");
	buf_free(&b);
}

static void test_subject_lines(void **state)
{
	mail_entry items[2] = {
	    {"demo", "Your bug R-1 is\r\nBcc: eve@example.com fixed", NULL, NULL, NULL},
	    {"demo", "New group G-2", NULL, NULL, NULL},
	};
	buf b = BUF_INIT(4096);

	(void)state;
	assert_int_equal(mail_subject(&b, items, 1), 0);
	/* Control characters become spaces: nothing can start a header of its own. */
	assert_string_equal(b.p, "[demo] Your bug R-1 is  Bcc: eve@example.com fixed");
	buf_reset(&b);
	assert_int_equal(mail_subject(&b, items, 2), 0);
	assert_string_equal(b.p, "[demo] 2 updates");
	buf_free(&b);
}

static void test_html_escape(void **state)
{
	buf b = BUF_INIT(4096);

	(void)state;
	assert_int_equal(mail_html_escape(&b, "<a href='x'>\"&\"</a>"), 0);
	assert_string_equal(b.p, "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
	buf_free(&b);
}

static void test_message(void **state)
{
	mail_entry items[1] = {
	    {"demo", "New group G-1", "<b>hostile</b>", "https://h/p/demo/groups/G-1",
	     "https://h/api/v1/mail/unsubscribe?t=k"},
	};
	mail_msg m = {"prosum <noreply@example.com>", "ada@example.com",
		      "https://h/api/v1/mail/unsubscribe?t=all", "RANDOM", 1764971100, items, 1};
	buf b = BUF_INIT(1 << 20);
	const char *body;

	(void)state;
	assert_int_equal(mail_msg_build(&b, &m), 0);
	assert_non_null(strstr(b.p, "From: prosum <noreply@example.com>\r\n"));
	assert_non_null(strstr(b.p, "To: ada@example.com\r\n"));
	assert_non_null(strstr(b.p, "Subject: [demo] New group G-1\r\n"));
	assert_non_null(strstr(b.p, "Date: Fri, 05 Dec 2025 21:45:00 +0000\r\n"));
	assert_non_null(strstr(b.p, "Message-ID: <RANDOM@example.com>\r\n"));
	assert_non_null(strstr(b.p, "List-Unsubscribe: <https://h/api/v1/mail/unsubscribe?t=all>\r\n"));
	assert_non_null(strstr(b.p, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
	assert_non_null(strstr(b.p, "Content-Type: multipart/alternative; boundary=\"=_prosum_RANDOM\""));
	assert_non_null(strstr(b.p, "Content-Type: text/plain; charset=utf-8"));
	assert_non_null(strstr(b.p, "Content-Type: text/html; charset=utf-8"));
	assert_non_null(strstr(b.p, "\r\n--=_prosum_RANDOM--\r\n"));
	/* Every line ends in CRLF, none longer than 998 characters. */
	for (body = b.p; *body;) {
		size_t len = strcspn(body, "\n");

		assert_true(len <= 998);
		if (body[len] == '\n') {
			assert_true(len > 0 && body[len - 1] == '\r');
			len++;
		}
		body += len;
	}
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addresses),      cmocka_unit_test(test_subject_encoding),
	    cmocka_unit_test(test_subject_lines),  cmocka_unit_test(test_html_escape),
	    cmocka_unit_test(test_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
