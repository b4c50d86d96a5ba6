/* test_e2e_community.c - suggestions, votes, merges, the tester's own view and release notes, against a real prosumd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_server s;
	char rel[128];
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f || e2e_token_add(&f->s, "release", "rel", f->rel, sizeof(f->rel)) < 0 ||
	    e2e_start(&f->s, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* A request as a tester (ingest key, optional install header) or with the release token. */
static json_t *req(fixture *f, int tester, const char *install, const char *method,
		   const char *path, const char *body, long *status, char **raw)
{
	char auth[200], inst[200];
	const char *h[4] = {auth, "Content-Type: application/json", NULL, NULL};
	e2e_response r;
	json_error_t e;
	json_t *v;

	if (tester)
		snprintf(auth, sizeof(auth), "X-Prosum-Key: %s", f->s.key);
	else
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->rel);
	if (install) {
		snprintf(inst, sizeof(inst), "X-Prosum-Install: %s", install);
		h[2] = inst;
	}
	assert_int_equal(e2e_request(&f->s, method, path, h, body, body ? strlen(body) : 0, &r), 0);
	*status = r.status;
	v = json_loads(r.body, 0, &e);
	if (raw)
		*raw = strdup(r.body);
	e2e_response_free(&r);
	return v;
}

static const char *str(json_t *v, const char *k)
{
	return json_string_value(json_object_get(v, k));
}

static json_int_t num(json_t *v, const char *k)
{
	return json_integer_value(json_object_get(v, k));
}

static void suggest(fixture *f, const char *title, const char *install, const char *name,
		    const char *expect_id)
{
	char uuid[37], body[512];
	long st;
	json_t *v;

	e2e_uuid(uuid);
	snprintf(body, sizeof(body),
		 "{\"uuid\":\"%s\",\"title\":\"%s\",\"body\":\"Please\",\"tester\":{\"install_id\":"
		 "\"%s\"%s%s%s}}",
		 uuid, title, install, name ? ",\"name\":\"" : "", name ? name : "", name ? "\"" : "");
	v = req(f, 1, NULL, "POST", "/api/v1/projects/demo/suggestions", body, &st, NULL);
	assert_int_equal(st, 201);
	assert_string_equal(str(v, "id"), expect_id);
	json_decref(v);
	/* The same uuid again: the same suggestion. */
	v = req(f, 1, NULL, "POST", "/api/v1/projects/demo/suggestions", body, &st, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(str(v, "id"), expect_id);
	json_decref(v);
}

static json_int_t vote(fixture *f, const char *s, const char *install, const char *name, int add)
{
	char path[128], body[256];
	long st;
	json_t *v;
	json_int_t n;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/suggestions/%s/votes", s);
	snprintf(body, sizeof(body), "{\"install_id\":\"%s\"%s%s%s}", install,
		 name ? ",\"name\":\"" : "", name ? name : "", name ? "\"" : "");
	v = req(f, 1, NULL, add ? "POST" : "DELETE", path, body, &st, NULL);
	assert_int_equal(st, 200);
	n = num(v, "votes");
	json_decref(v);
	return n;
}

static void test_votes_and_duplicates(void **state)
{
	fixture *f = *state;
	long st;
	json_t *v;

	suggest(f, "Dark mode", "install-a", "Ada", "S-1");
	assert_int_equal(vote(f, "S-1", "install-b", "Bob", 1), 2);
	assert_int_equal(vote(f, "S-1", "install-c", NULL, 1), 3);
	assert_int_equal(vote(f, "S-1", "install-b", "Bob", 1), 3); /* one vote per install */
	suggest(f, "Night theme", "install-d", NULL, "S-2");
	assert_int_equal(vote(f, "S-2", "install-b", NULL, 1), 2);
	/* S-2 is S-1 again: votes and voters move over, Bob counted once. */
	v = req(f, 0, NULL, "PATCH", "/api/v1/projects/demo/suggestions/S-2",
		"{\"duplicate_of\":\"S-1\"}", &st, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(str(v, "status"), "duplicate");
	json_decref(v);
	v = req(f, 0, NULL, "GET", "/api/v1/projects/demo/suggestions/S-1", NULL, &st, NULL);
	assert_int_equal(num(v, "votes"), 4);
	json_decref(v);
	assert_int_equal(vote(f, "S-2", "install-e", NULL, 1), 5); /* lands on S-1 */
	assert_int_equal(vote(f, "S-1", "install-e", NULL, 0), 4); /* withdrawn */
	/* Listing by votes; duplicates left out. */
	suggest(f, "Export to PDF", "install-c", NULL, "S-3");
	v = req(f, 0, NULL, "GET", "/api/v1/projects/demo/suggestions", NULL, &st, NULL);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 2);
	assert_string_equal(str(json_array_get(json_object_get(v, "items"), 0), "id"), "S-1");
	json_decref(v);
	v = req(f, 0, NULL, "GET", "/api/v1/projects/demo/suggestions?q=pdf&sort=newest", NULL, &st,
		NULL);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
	json_decref(v);
	/* An ingest key cannot read the team's view; a bad status is refused. */
	v = req(f, 1, NULL, "GET", "/api/v1/projects/demo/suggestions", NULL, &st, NULL);
	assert_int_equal(st, 403);
	json_decref(v);
	v = req(f, 0, NULL, "PATCH", "/api/v1/projects/demo/suggestions/S-3",
		"{\"status\":\"shipped\"}", &st, NULL);
	assert_int_equal(st, 422); /* shipped by hand needs a release */
	json_decref(v);
	v = req(f, 0, NULL, "PATCH", "/api/v1/projects/demo/suggestions/S-3",
		"{\"status\":\"planned\",\"comment\":\"Next quarter\"}", &st, NULL);
	assert_int_equal(st, 200);
	json_decref(v);
}

static void test_shipped_mine_and_notes(void **state)
{
	fixture *f = *state;
	long st;
	json_t *v, *s1;
	char *raw = NULL;
	char uuid[37], body[512];

	/* A tester's report, to see in their own view. */
	e2e_uuid(uuid);
	snprintf(body, sizeof(body),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"Menu is cut off\","
		 "\"build\":{\"version\":\"1.3\"},\"tester\":{\"install_id\":\"install-a\","
		 "\"name\":\"Ada\",\"email\":\"ada@example.org\"}}",
		 uuid);
	json_decref(req(f, 1, NULL, "POST", "/api/v1/projects/demo/reports", body, &st, NULL));
	assert_int_equal(st, 201);

	/* The commit that implements S-1 lands in release 1.4.0. */
	assert_int_equal(e2e_sh(NULL, 0,
				"cd '%s' && echo dark > theme.txt && git add theme.txt && git commit "
				"-qm 'Add a dark theme' -m 'Implements: S-1' && git tag v1.4.0",
				f->s.repo),
			 0);
	json_decref(req(f, 0, NULL, "POST", "/api/v1/projects/demo/sync", NULL, &st, NULL));
	assert_int_equal(st, 200);
	json_decref(req(f, 0, NULL, "POST", "/api/v1/projects/demo/releases",
			"{\"name\":\"1.4.0\",\"ref\":\"v1.4.0\"}", &st, NULL));
	assert_int_equal(st, 201);

	v = req(f, 0, NULL, "GET", "/api/v1/projects/demo/releases/1.4.0", NULL, &st, NULL);
	s1 = json_array_get(json_object_get(v, "shipped_suggestions"), 0);
	assert_string_equal(str(s1, "id"), "S-1");
	assert_int_equal(num(s1, "votes"), 4);
	assert_string_equal(str(s1, "suggested_by"), "Ada");
	assert_true(json_array_size(json_object_get(v, "contributors")) >= 2);
	json_decref(v);

	/* The tester sees it shipped, and their own report, and nothing of anyone else. */
	v = req(f, 1, "install-a", "GET", "/api/v1/projects/demo/mine", NULL, &st, &raw);
	assert_int_equal(st, 200);
	s1 = json_array_get(json_object_get(v, "suggestions"), 0);
	assert_string_equal(str(s1, "id"), "S-1");
	assert_string_equal(str(s1, "status"), "shipped");
	assert_string_equal(str(s1, "shipped_in"), "1.4.0");
	assert_int_equal(json_array_size(json_object_get(v, "reports")), 1);
	assert_null(strstr(raw, "Bob"));
	assert_null(strstr(raw, "ada@example.org"));
	json_decref(v);
	free(raw);
	v = req(f, 1, "install-zzz", "GET", "/api/v1/projects/demo/mine", NULL, &st, NULL);
	assert_int_equal(json_array_size(json_object_get(v, "reports")), 0);
	assert_int_equal(json_array_size(json_object_get(v, "suggestions")), 0);
	json_decref(v);
	v = req(f, 1, NULL, "GET", "/api/v1/projects/demo/mine", NULL, &st, NULL);
	assert_int_equal(st, 422); /* which install? */
	json_decref(v);
	v = req(f, 1, "install-a", "GET", "/api/v1/projects/demo/reports/R-1", NULL, &st, NULL);
	assert_int_equal(st, 403); /* a tester reads items only through mine */
	json_decref(v);
	/* The change feed: nothing changed after a time in the future. */
	v = req(f, 1, "install-a", "GET", "/api/v1/projects/demo/mine?since=2999-01-01T00:00:00Z",
		NULL, &st, NULL);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "suggestions")), 0);
	json_decref(v);
	v = req(f, 1, "install-a", "GET", "/api/v1/projects/demo/mine?since=2000-01-01T00:00:00Z",
		NULL, &st, NULL);
	assert_int_equal(json_array_size(json_object_get(v, "suggestions")), 1);
	json_decref(v);

	/* Release notes: Markdown with every section, the opted-in named, the others counted. */
	{
		char auth[200];
		const char *h[] = {auth, NULL};
		e2e_response r;

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->rel);
		assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/releases/1.4.0/notes",
					     h, NULL, 0, &r),
				 0);
		assert_int_equal(r.status, 200);
		assert_true(strncmp(r.content_type, "text/markdown", 13) == 0);
		assert_non_null(strstr(r.body, "# Release 1.4.0\n"));
		assert_non_null(strstr(r.body, "\n## Community suggestions shipped\n"));
		assert_non_null(strstr(r.body, "\n## Fixed\n"));
		assert_non_null(strstr(r.body, "\n## Thanks\n"));
		assert_non_null(strstr(r.body, "\n## Commits\n"));
		assert_non_null(strstr(r.body, "**S-1** Dark mode (4 votes)"));
		assert_non_null(strstr(r.body, "Ada and Bob and 2 more testers") ?
					strstr(r.body, "Ada and Bob and 2 more testers") :
					strstr(r.body, "Ada, Bob and 2 more testers"));
		assert_non_null(strstr(r.body, "Add a dark theme"));
		assert_null(strstr(r.body, "ada@example.org"));
		e2e_response_free(&r);
	}
	v = req(f, 0, NULL, "GET", "/api/v1/projects/demo/contributors", NULL, &st, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(str(json_array_get(json_object_get(v, "items"), 0), "name"), "Ada");
	json_decref(v);
}

/* A tester's report in group `fp`; its id and group into id and group. */
static void tester_report(fixture *f, const char *install, const char *name, const char *fp,
			  char id[16], char group[16])
{
	char uuid[37], body[512];
	long st;
	json_t *v;

	e2e_uuid(uuid);
	snprintf(body, sizeof(body),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"Sidebar is blank\","
		 "\"build\":{\"version\":\"1.3\"},\"fingerprint\":[\"%s\"],"
		 "\"tester\":{\"install_id\":\"%s\"%s%s%s}}",
		 uuid, fp, install, name ? ",\"name\":\"" : "", name ? name : "", name ? "\"" : "");
	v = req(f, 1, NULL, "POST", "/api/v1/projects/demo/reports", body, &st, NULL);
	assert_int_equal(st, 201);
	snprintf(id, 16, "%s", str(v, "id"));
	snprintf(group, 16, "%s", str(v, "group"));
	json_decref(v);
}

/* The comment of `thread` whose body is `body`, or NULL. */
static json_t *comment(json_t *thread, const char *body)
{
	return e2e_find(thread, "body", body);
}

/* The report `id` of the tester's own view. */
static json_t *mine_report(json_t *mine, const char *id)
{
	return e2e_find(json_object_get(mine, "reports"), "id", id);
}

static void test_mine_shows_the_team_and_testers_reply(void **state)
{
	fixture *f = *state;
	char ra[16], rb[16], g[16], g2[16], path[160], lower[16];
	long st;
	json_t *v, *r, *c;

	tester_report(f, "install-r", "Rita", "reply-thread", ra, g);
	tester_report(f, "install-s", NULL, "reply-thread", rb, g2);
	assert_string_equal(g, g2);

	/* The team answers on the group and on Rita's report. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", g);
	json_decref(req(f, 0, NULL, "PATCH", path,
			"{\"status\":\"fixed\",\"comment\":\"Fixed for the next build\"}", &st,
			NULL));
	assert_int_equal(st, 200);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", ra);
	json_decref(req(f, 0, NULL, "PATCH", path, "{\"comment\":\"Which theme do you use?\"}", &st,
			NULL));
	assert_int_equal(st, 200);

	/* Rita sees both, and the group's verdict as her report's status. */
	v = req(f, 1, "install-r", "GET", "/api/v1/projects/demo/mine", NULL, &st, NULL);
	assert_int_equal(st, 200);
	r = mine_report(v, ra);
	assert_non_null(r);
	assert_string_equal(str(r, "status"), "fixed");
	c = comment(json_object_get(r, "comments"), "Fixed for the next build");
	assert_non_null(c);
	assert_string_equal(str(c, "from"), "team");
	c = comment(json_object_get(r, "comments"), "Which theme do you use?");
	assert_non_null(c);
	assert_string_equal(str(c, "from"), "team");
	json_decref(v);

	/* She replies on her report (the id in any case); the team reads it as hers. */
	snprintf(lower, sizeof(lower), "r%s", ra + 1);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s/comments", lower);
	v = req(f, 1, "install-r", "POST", path, "{\"body\":\"The dark one\"}", &st, NULL);
	assert_int_equal(st, 201);
	assert_string_equal(str(v, "author"), "Rita");
	json_decref(v);
	/* Only from the install that sent it, with a body. */
	v = req(f, 1, "install-s", "POST", path, "{\"body\":\"Not mine\"}", &st, NULL);
	assert_int_equal(st, 403);
	json_decref(v);
	v = req(f, 1, NULL, "POST", path, "{\"body\":\"Who am I\"}", &st, NULL);
	assert_int_equal(st, 422);
	assert_string_equal(str(json_object_get(v, "error"), "field"), "X-Prosum-Install");
	json_decref(v);
	v = req(f, 1, "install-r", "POST", path, "{\"body\":\"\"}", &st, NULL);
	assert_int_equal(st, 422);
	assert_string_equal(str(json_object_get(v, "error"), "field"), "body");
	json_decref(v);
	v = req(f, 1, "install-r", "POST", "/api/v1/projects/demo/reports/R-99999/comments",
		"{\"body\":\"Lost\"}", &st, NULL);
	assert_int_equal(st, 404);
	json_decref(v);
	/* Without an opted-in name a reply is the tester's. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s/comments", rb);
	v = req(f, 1, "install-s", "POST", path, "{\"body\":\"Me too\"}", &st, NULL);
	assert_int_equal(st, 201);
	json_decref(v);

	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", ra);
	v = req(f, 0, NULL, "GET", path, NULL, &st, NULL);
	c = comment(json_object_get(v, "comments"), "The dark one");
	assert_non_null(c);
	assert_string_equal(str(c, "author"), "Rita");
	assert_string_equal(str(c, "from"), "tester");
	assert_null(comment(json_object_get(v, "comments"), "Not mine"));
	json_decref(v);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", rb);
	v = req(f, 0, NULL, "GET", path, NULL, &st, NULL);
	assert_string_equal(str(comment(json_object_get(v, "comments"), "Me too"), "author"),
			    "tester");
	json_decref(v);

	/* Rita's view holds her reply, marked as hers, and nothing of the other tester's. */
	v = req(f, 1, "install-r", "GET", "/api/v1/projects/demo/mine", NULL, &st, NULL);
	r = mine_report(v, ra);
	c = comment(json_object_get(r, "comments"), "The dark one");
	assert_non_null(c);
	assert_string_equal(str(c, "from"), "you");
	assert_null(comment(json_object_get(r, "comments"), "Me too"));
	json_decref(v);

	/* Suggestion ids in any case too. */
	v = req(f, 0, NULL, "GET", "/api/v1/projects/demo/suggestions/s-1", NULL, &st, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(str(v, "id"), "S-1");
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_votes_and_duplicates),
		cmocka_unit_test(test_shipped_mine_and_notes),
		cmocka_unit_test(test_mine_shows_the_team_and_testers_reply),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
