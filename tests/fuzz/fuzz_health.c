/* fuzz_health.c - fuzz harness of the Sentry health items (session, sessions, client_report) and their counting. */
#include <string.h>

#include "fuzz.h"
#include "sentry/health.h"
#include "store/store_cohorts.h"
#include "store/store_health.h"

/*
 * Input: an envelope, parsed and handed to sentry_health_parse() and sentry_health_apply();
 * then the same bytes as the one payload of a `session`, a `sessions` and a `client_report`
 * item. The store is replaced by the checking fakes below, which check what health.c promises to hand
 * it: checked updates, non-negative counts, names from fixed lists. A malformed item is
 * counted, never a failure; an envelope holding an item of one of these types (or one prosum
 * does not store) always gives a value to apply.
 */

#define ITEM_MAX (1024 * 1024)
#define NOW ((int64_t)1796040000)

static int printable(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* A platform read out of a user agent: one of a fixed list, never the client's text. */
static int platform_ok(const char *s)
{
	static const char *const names[] = {"", "Windows", "macOS", "Linux", "Android", "iOS",
					    "ChromeOS"};

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return 1;
	return 0;
}

/* ---- the store, faked: each call checks its arguments ---- */

int store_health_session(store_db *db, int64_t project_id, const store_health_update *u,
			 int64_t now, int *outcome)
{
	(void)db;
	FUZZ_CHECK(project_id == 1 && now == NOW);
	FUZZ_CHECK(strlen(u->sid) == 32 && strspn(u->sid, "0123456789abcdef") == 32);
	FUZZ_CHECK(u->release[0] && printable(u->release, 200));
	FUZZ_CHECK(u->environment && printable(u->environment, 64));
	FUZZ_CHECK(!u->did || printable(u->did, 128));
	FUZZ_CHECK(platform_ok(u->platform));
	FUZZ_CHECK(u->status >= HEALTH_OK && u->status <= HEALTH_ABNORMAL);
	FUZZ_CHECK(u->started >= NOW - STORE_HEALTH_KEEP && u->started <= NOW + STORE_HEALTH_DAY);
	FUZZ_CHECK(u->duration_ms >= -1);
	*outcome = HEALTH_APPLIED;
	return STORE_OK;
}

int store_cohort_resolve(store_db *db, int64_t project_id, const char *key, const char *channel,
			 const char *install_id, char out[STORE_COHORT_MAX + 1])
{
	(void)db;
	(void)key;
	FUZZ_CHECK(project_id == 1 && channel && printable(channel, 64));
	FUZZ_CHECK(!install_id || printable(install_id, 128));
	out[0] = '\0';
	return STORE_OK;
}

int store_health_bucket_add(store_db *db, int64_t project_id, const store_health_bucket *b)
{
	(void)db;
	FUZZ_CHECK(project_id == 1);
	FUZZ_CHECK(b->release[0] && printable(b->release, 200) && printable(b->environment, 64));
	FUZZ_CHECK(!b->did || printable(b->did, 128));
	FUZZ_CHECK(platform_ok(b->platform));
	FUZZ_CHECK(b->exited >= 0 && b->errored >= 0 && b->abnormal >= 0 && b->crashed >= 0);
	FUZZ_CHECK(b->started >= NOW - STORE_HEALTH_KEEP && b->started <= NOW + STORE_HEALTH_DAY);
	return STORE_OK;
}

int store_intake_count(store_db *db, int64_t project_id, int64_t now, const char *type,
		       const char *outcome, int64_t quantity)
{
	static const char *const outcomes[] = {"not_stored", "accepted", "invalid", "too_old",
					       "in_future", "after_end"};
	int known = 0;

	(void)db;
	FUZZ_CHECK(project_id == 1 && now == NOW && quantity > 0);
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		known |= strcmp(outcome, outcomes[i]) == 0;
	FUZZ_CHECK(known);
	/* Names from fixed lists only: the client cannot choose them. */
	FUZZ_CHECK(strlen(type) < 24 && strspn(type, "abcdefghijklmnopqrstuvwxyz_") == strlen(type));
	return STORE_OK;
}

int store_client_discard(store_db *db, int64_t project_id, int64_t now, const char *reason,
			 const char *category, int64_t quantity)
{
	(void)db;
	FUZZ_CHECK(project_id == 1 && now == NOW && quantity > 0);
	FUZZ_CHECK(strlen(reason) < 24 && strspn(reason, "abcdefghijklmnopqrstuvwxyz_") ==
						  strlen(reason));
	FUZZ_CHECK(strlen(category) < 24 &&
		   strspn(category, "abcdefghijklmnopqrstuvwxyz_") == strlen(category));
	return STORE_OK;
}

/* ---- the harness ---- */

/* Does env hold an item the health code takes (anything but what other code stores)? */
static int has_health_item(const sentry_envelope *env)
{
	static const char *const elsewhere[] = {"event", "attachment", "user_report", "feedback"};

	for (size_t i = 0; i < env->nitems; i++) {
		int other = 0;

		for (size_t j = 0; j < sizeof(elsewhere) / sizeof(elsewhere[0]); j++)
			other |= strcmp(env->items[i].type, elsewhere[j]) == 0;
		if (!other)
			return 1;
	}
	return 0;
}

static void run(const char *buf, size_t len)
{
	sentry_envelope env;
	sentry_health *h;
	char err[160];

	if (sentry_envelope_parse(&env, buf, len, ITEM_MAX, err, sizeof(err)) < 0)
		return;
	h = sentry_health_parse(&env);
	FUZZ_CHECK((h != NULL) == has_health_item(&env));
	if (h)
		FUZZ_CHECK(sentry_health_apply(NULL, 1, h, NOW) == STORE_OK);
	sentry_health_free(h);
	sentry_envelope_free(&env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {"session", "sessions", "client_report"};
	char *buf = calloc(size ? size : 1, 1);

	FUZZ_CHECK(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	run(buf, size);
	free(buf);
	for (size_t t = 0; t < 3; t++) {
		char head[96];
		int n = snprintf(head, sizeof(head), "{}\n{\"type\":\"%s\",\"length\":%zu}\n", types[t],
				 size);
		char *env = malloc((size_t)n + size);

		FUZZ_CHECK(n > 0 && env != NULL);
		memcpy(env, head, (size_t)n);
		if (size)
			memcpy(env + n, data, size);
		run(env, (size_t)n + size);
		free(env);
	}
	return 0;
}
