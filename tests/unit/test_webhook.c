/* test_webhook.c - webhook pieces alone: SSRF address rules, Standard Webhooks signatures, bodies, backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "model/weblink.h"
#include "notify/dispatcher.h"
#include "notify/sign.h"
#include "notify/ssrf.h"
#include "notify/webhook.h"

static int public4(const char *ip)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return ssrf_addr_public((struct sockaddr *)&a, sizeof(a));
}

static int public6(const char *ip)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
	return ssrf_addr_public((struct sockaddr *)&a, sizeof(a));
}

static void test_ssrf_addresses(void **state)
{
	static const char *const refused4[] = {
		"0.0.0.0", "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.255", "224.0.0.1",
		"239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.0.8", "198.18.0.1",
	};
	static const char *const allowed4[] = {
		"1.1.1.1", "8.8.8.8", "172.15.255.255", "172.32.0.1", "100.63.255.255",
		"100.128.0.1", "192.169.0.1", "169.253.0.1", "93.184.216.34",
	};
	static const char *const refused6[] = {
		"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:8.8.8.8", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1",
	};
	static const char *const allowed6[] = {"2001:4860:4860::8888", "2606:4700::1111"};
	struct sockaddr un = {AF_UNIX, {0}};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused4) / sizeof(refused4[0]); i++)
		if (public4(refused4[i]))
			fail_msg("%s allowed", refused4[i]);
	for (i = 0; i < sizeof(allowed4) / sizeof(allowed4[0]); i++)
		if (!public4(allowed4[i]))
			fail_msg("%s refused", allowed4[i]);
	for (i = 0; i < sizeof(refused6) / sizeof(refused6[0]); i++)
		if (public6(refused6[i]))
			fail_msg("%s allowed", refused6[i]);
	for (i = 0; i < sizeof(allowed6) / sizeof(allowed6[0]); i++)
		if (!public6(allowed6[i]))
			fail_msg("%s refused", allowed6[i]);
	assert_false(ssrf_addr_public(&un, sizeof(un)));
}

static void test_urls(void **state)
{
	(void)state;
	assert_true(ssrf_url_ok("https://hooks.slack.com/services/T0/B0/x"));
	assert_true(ssrf_url_ok("http://example.org:8080/h?x=1"));
	assert_false(ssrf_url_ok("ftp://example.org/"));
	assert_false(ssrf_url_ok("file:///etc/passwd"));
	assert_false(ssrf_url_ok("https://"));
	assert_false(ssrf_url_ok("https://example.org/a b"));
	assert_false(ssrf_url_ok("gopher://example.org/"));
	assert_false(ssrf_url_ok(""));
}

/* The example of the Standard Webhooks specification (and its reference libraries' tests). */
static void test_signature_vector(void **state)
{
	char sig[SIGN_SIGNATURE_MAX + 1];
	const char *body = "{\"test\": 2432232314}";

	(void)state;
	assert_int_equal(sign_standard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
				       1614265330, body, strlen(body), sig),
			 0);
	assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	assert_int_equal(sign_standard("not-a-secret", "id", 1, "{}", 2, sig), -1);
}

static void test_secrets(void **state)
{
	char a[SIGN_SECRET_MAX + 1], b[SIGN_SECRET_MAX + 1];

	(void)state;
	assert_int_equal(sign_secret_new(a), 0);
	assert_int_equal(sign_secret_new(b), 0);
	assert_int_equal(strncmp(a, "whsec_", 6), 0);
	assert_string_not_equal(a, b);
	assert_true(sign_secret_ok(a));
	assert_false(sign_secret_ok("whsec_"));
	assert_false(sign_secret_ok("whsec_AAAA"));         /* 3 bytes: too short a key */
	assert_false(sign_secret_ok("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")); /* no prefix */
	assert_false(sign_secret_ok("whsec_!!!!!!!!!!!!!!!!!!!!!!!!"));
}

#define BASE "https://beta.example.org:8443/"
#define LINK "https://beta.example.org:8443/p/demo"

static void test_bodies(void **state)
{
	const char *data = "{\"report\":\"R-12\",\"group\":\"G-3\",\"install_id\":\"t-secret\","
			   "\"comment\":{\"id\":7,\"body\":\"Fixed <b> & done\",\"author\":\"dana\"}}";
	char *s = webhook_body("standard", 42, "report.comment", "demo", 0, data, BASE);
	json_t *v;

	(void)state;
	assert_non_null(s);
	v = json_loads(s, 0, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "id")), "evt_42");
	assert_string_equal(json_string_value(json_object_get(v, "time")), "1970-01-01T00:00:00Z");
	/* The comment's report is the page the event is about. */
	assert_string_equal(json_string_value(json_object_get(v, "url")), LINK "/reports/R-12");
	assert_null(json_object_get(json_object_get(v, "data"), "install_id"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "data"), "group")),
			    "G-3");
	json_decref(v);
	free(s);
	/* Slack: the item is a <url|text> link; the rest is escaped, so text makes no link. */
	s = webhook_body("slack", 42, "report.comment", "demo", 0, data, BASE);
	assert_string_equal(s, "{\"text\":\"[demo] Team reply on <" LINK "/reports/R-12|R-12> by "
			       "dana: Fixed &lt;b&gt; &amp; done\"}");
	free(s);
	/* Discord: a [text](url) link; markdown in the text is escaped. */
	s = webhook_body("discord", 1, "group.regressed", "demo", 0,
			 "{\"group\":\"G-3\",\"title\":\"crash in [x](https://evil.example) "
			 "*now*\",\"release\":\"1.4.0\"}",
			 BASE);
	v = json_loads(s, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(v, "content")),
			    "\\[demo\\] [G-3](" LINK "/groups/G-3) regressed in 1.4.0: crash in "
			    "\\[x\\]\\(https://evil.example\\) \\*now\\*");
	json_decref(v);
	free(s);
	/* A comment on a group alone links the group. */
	s = webhook_body("standard", 2, "report.comment", "demo", 0,
			 "{\"group\":\"G-3\",\"comment\":{\"id\":1,\"body\":\"x\"}}", BASE);
	v = json_loads(s, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(v, "url")), LINK "/groups/G-3");
	json_decref(v);
	free(s);
	/* A test event links the project, whose name is the link's text. */
	s = webhook_body("slack", 3, "test", "demo", 0, "{\"message\":\"hi\"}", BASE);
	assert_string_equal(s, "{\"text\":\"[<" LINK "|demo>] Test from prosum: hi\"}");
	free(s);
	/* A long comment is cut at 200 bytes, never inside a character (199 x, then "é"). */
	{
		char doc[512], want[512];

		snprintf(doc, sizeof(doc),
			 "{\"report\":\"R-1\",\"comment\":{\"id\":1,\"author\":\"a\",\"body\":"
			 "\"%0199d\u00e9 and more\"}}",
			 0);
		s = webhook_body("slack", 4, "report.comment", "demo", 0, doc, BASE);
		assert_non_null(s);
		v = json_loads(s, 0, NULL);
		snprintf(want, sizeof(want), "[demo] Team reply on <" LINK "/reports/R-1|R-1> by a: %0199d",
			 0);
		assert_string_equal(json_string_value(json_object_get(v, "text")), want);
		json_decref(v);
		free(s);
	}
	assert_null(webhook_body("standard", 1, "test", "demo", 0, "[1,2]", BASE));
	assert_null(webhook_body("standard", 1, "test", "demo", 0, "{}", ""));
}

/* Every event type's page, and the links' own rules (model/weblink.h). */
static void test_links(void **state)
{
	static const struct {
		const char *type, *data, *want;
	} ev[] = {
		{"group.created", "{\"group\":\"G-3\"}", LINK "/groups/G-3"},
		{"group.fixed_in_release", "{\"group\":\"G-3\",\"release\":\"1.4\"}",
		 LINK "/groups/G-3"},
		{"report.comment", "{\"report\":\"R-12\",\"group\":\"G-3\"}", LINK "/reports/R-12"},
		{"suggestion.shipped", "{\"suggestion\":\"S-4\",\"release\":\"1.4\"}",
		 LINK "/board/S-4"},
		{"release.created", "{\"release\":\"1.4.0 beta/3+x?\"}",
		 LINK "/releases/1.4.0%20beta%2F3%2Bx%3F"},
		{"test", "{\"message\":\"x\"}", LINK},
		{"group.created", "{}", LINK}, /* no item named: the project's home */
		{"something.new", "{}", LINK},
	};
	char out[WEBLINK_MAX];
	size_t i;
	json_t *d;

	(void)state;
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		d = json_loads(ev[i].data, 0, NULL);
		assert_int_equal(weblink_event(out, sizeof(out), BASE, "demo", ev[i].type, d), 0);
		assert_string_equal(out, ev[i].want);
		json_decref(d);
	}
	/* Trailing slashes of the base are dropped, none is fine too. */
	assert_int_equal(weblink(out, sizeof(out), "https://h//", "demo", WEBLINK_GROUP, "G-1"), 0);
	assert_string_equal(out, "https://h/p/demo/groups/G-1");
	assert_int_equal(weblink(out, sizeof(out), "https://h", "a.b_c-d", WEBLINK_PROJECT, NULL),
			 0);
	assert_string_equal(out, "https://h/p/a.b_c-d");
	/* A tester's own page takes no item name. */
	assert_int_equal(weblink(out, sizeof(out), "https://h/", "my app", WEBLINK_MINE, NULL), 0);
	assert_string_equal(out, "https://h/p/my%20app/mine");
	/* Too small a buffer is an error with an empty string, never a cut link. */
	assert_int_equal(weblink(out, 16, "https://h", "demo", WEBLINK_GROUP, "G-1"), -1);
	assert_string_equal(out, "");
	assert_int_equal(weblink(out, sizeof(out), "", "demo", WEBLINK_GROUP, "G-1"), -1);
	assert_int_equal(weblink(out, sizeof(out), "https://h", "demo", WEBLINK_GROUP, ""), -1);
	assert_int_equal(weblink(out, sizeof(out), NULL, "demo", WEBLINK_PROJECT, NULL), -1);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(dispatcher_backoff_ms(1000, 1), 1000);
	assert_int_equal(dispatcher_backoff_ms(1000, 2), 2000);
	assert_int_equal(dispatcher_backoff_ms(1000, 5), 16000);
	assert_int_equal(dispatcher_backoff_ms(30000, 100), DISPATCHER_MAX_WAIT_MS);
}

static void test_events(void **state)
{
	json_t *v;

	(void)state;
	v = json_loads("[\"*\"]", 0, NULL);
	assert_true(webhook_events_ok(v));
	json_decref(v);
	v = json_loads("[\"group.created\",\"suggestion.shipped\",\"test\"]", 0, NULL);
	assert_true(webhook_events_ok(v));
	json_decref(v);
	v = json_loads("[\"group.created\",\"group.created\"]", 0, NULL);
	assert_false(webhook_events_ok(v));
	json_decref(v);
	v = json_loads("[\"nope\"]", 0, NULL);
	assert_false(webhook_events_ok(v));
	json_decref(v);
	v = json_loads("[]", 0, NULL);
	assert_false(webhook_events_ok(v));
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ssrf_addresses), cmocka_unit_test(test_urls),
	    cmocka_unit_test(test_signature_vector), cmocka_unit_test(test_secrets),
	    cmocka_unit_test(test_bodies),         cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_events),         cmocka_unit_test(test_links),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
