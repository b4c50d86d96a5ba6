/* test_auth.c - credentials to identities, and what an identity may do with and without a project. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "store/store.h"
#include "unit_store.h"

typedef unit_store fixture;

static int setup(void **state)
{
	return unit_store_setup(state);
}

static int teardown(void **state)
{
	return unit_store_teardown(state);
}

static const uint8_t secret[AUTH_SECRET_LEN] = {7};

/* A token stored with `role` and `project` (0: all); the credentials that present it. */
static void token(fixture *f, const char *t, int role, int64_t project, const char *label,
		  auth_creds *c)
{
	int64_t id;

	memset(c, 0, sizeof(*c));
	auth_hash_token(secret, t, strlen(t), c->token_hash);
	c->has_token = 1;
	assert_int_equal(store_token_add(f->db, c->token_hash, role, project, label, 1, &id),
			 STORE_OK);
}

static void test_resolve_names_the_identity(void **state)
{
	fixture *f = *state;
	auth_creds c;
	auth_identity id;
	const char *why = NULL;

	token(f, "pst_a", STORE_ROLE_RELEASE, f->project, "ci", &c);
	assert_int_equal(auth_resolve(f->db, &c, &id, &why), 0);
	assert_int_equal(id.kind, AUTH_BY_TOKEN);
	assert_int_equal(id.role, STORE_ROLE_RELEASE);
	assert_int_equal(id.project_id, f->project);
	assert_string_equal(id.actor, "ci");

	/* Unknown token, no credential at all: 401. */
	c.token_hash[0] ^= 1;
	assert_int_equal(auth_resolve(f->db, &c, &id, &why), 401);
	memset(&c, 0, sizeof(c));
	assert_int_equal(auth_resolve(f->db, &c, &id, &why), 401);

	/* An ingest key is its project's. */
	assert_int_equal(store_key_add(f->db, f->project, "k1", 1), STORE_OK);
	memset(&c, 0, sizeof(c));
	c.has_key = 1;
	memcpy(c.key, "k1", 3);
	assert_int_equal(auth_resolve(f->db, &c, &id, &why), 0);
	assert_int_equal(id.kind, AUTH_BY_KEY);
	assert_int_equal(id.project_id, f->project);
	assert_string_equal(id.actor, "ingest key");
}

static void test_global_needs_role_and_no_limit(void **state)
{
	fixture *f = *state;
	auth_creds adm, dev, limited, key;
	auth_identity id;
	const char *why = NULL;
	int64_t pid = -1;
	char actor[AUTH_ACTOR_MAX];

	token(f, "pst_adm", STORE_ROLE_ADMIN, 0, "", &adm);
	token(f, "pst_dev", STORE_ROLE_DEVELOPER, 0, "dev", &dev);
	token(f, "pst_lim", STORE_ROLE_ADMIN, f->project, "lim", &limited);

	assert_int_equal(auth_check_global(f->db, &adm, AUTH_ADMIN, 1, &id, &why), 0);
	assert_int_equal(id.role, STORE_ROLE_ADMIN);
	assert_int_equal(id.project_id, 0);
	assert_string_equal(id.actor, "token #1 (admin)");

	assert_int_equal(auth_check_global(f->db, &dev, AUTH_ADMIN, 1, &id, &why), 403);
	assert_string_equal(why, "this needs an admin token");
	assert_int_equal(auth_check_global(f->db, &dev, AUTH_DEVELOPER, 1, &id, &why), 0);

	/* Limited to a project: refused when the call needs an unlimited credential, allowed
	 * (with the limit to narrow by) when it does not. */
	assert_int_equal(auth_check_global(f->db, &limited, AUTH_ADMIN, 1, &id, &why), 403);
	assert_int_equal(auth_check_global(f->db, &limited, AUTH_DEVELOPER, 0, &id, &why), 0);
	assert_int_equal(id.project_id, f->project);

	/* auth_check with no project is the unlimited form. */
	assert_int_equal(auth_check(f->db, &adm, NULL, AUTH_ADMIN, &pid, actor, &why), 0);
	assert_int_equal(pid, 0);
	assert_int_equal(auth_check(f->db, &limited, NULL, AUTH_ADMIN, &pid, actor, &why), 403);
	assert_int_equal(auth_check(f->db, &dev, NULL, AUTH_RELEASE, &pid, actor, &why), 403);

	/* An ingest key never passes a project-less check. */
	assert_int_equal(store_key_add(f->db, f->project, "k1", 1), STORE_OK);
	memset(&key, 0, sizeof(key));
	key.has_key = 1;
	memcpy(key.key, "k1", 3);
	assert_int_equal(auth_check_global(f->db, &key, AUTH_DEVELOPER, 0, &id, &why), 403);
	assert_int_equal(auth_check(f->db, &key, NULL, AUTH_INGEST, &pid, actor, &why), 403);
}

static void test_project_checks_are_unchanged(void **state)
{
	fixture *f = *state;
	auth_creds dev, limited;
	const char *why = NULL;
	int64_t pid = 0, other;
	char actor[AUTH_ACTOR_MAX];

	assert_int_equal(store_project_add(f->db, "other", NULL, 1, &other), STORE_OK);
	token(f, "pst_dev", STORE_ROLE_DEVELOPER, 0, "dev", &dev);
	token(f, "pst_lim", STORE_ROLE_ADMIN, f->project, "lim", &limited);
	assert_int_equal(auth_check(f->db, &dev, "demo", AUTH_DEVELOPER, &pid, actor, &why), 0);
	assert_int_equal(pid, f->project);
	assert_string_equal(actor, "dev");
	assert_int_equal(auth_check(f->db, &dev, "demo", AUTH_RELEASE, &pid, actor, &why), 403);
	assert_int_equal(auth_check(f->db, &dev, "nope", AUTH_DEVELOPER, &pid, actor, &why), 404);
	/* A limited credential learns nothing of other projects, existing or not. */
	assert_int_equal(auth_check(f->db, &limited, "other", AUTH_DEVELOPER, &pid, actor, &why),
			 403);
	assert_int_equal(auth_check(f->db, &limited, "nope", AUTH_DEVELOPER, &pid, actor, &why),
			 403);
	assert_int_equal(auth_check(f->db, &limited, "demo", AUTH_ADMIN, &pid, actor, &why), 0);
}

/* A person signed in: a session row and the credentials a browser would present. */
static void session(fixture *f, const char *name, int role, int64_t project, int64_t created,
		    auth_creds *c)
{
	uint8_t link[32];
	int64_t uid, sid;

	memset(link, name[0], sizeof(link));
	memset(c, 0, sizeof(*c));
	memset(c->session_hash, name[0] + 1, sizeof(c->session_hash));
	c->has_session = 1;
	c->origin_ok = 1;
	assert_int_equal(store_user_add(f->db, name, role, project, link, created + 3600, created,
					&uid),
			 STORE_OK);
	assert_int_equal(store_session_add(f->db, c->session_hash, uid, created,
					   created + 30 * 86400, &sid),
			 STORE_OK);
}

static void test_session_is_a_person(void **state)
{
	fixture *f = *state;
	int64_t now = (int64_t)time(NULL), pid;
	auth_creds c, old;
	auth_identity id;
	const char *why = NULL;

	session(f, "ada", STORE_ROLE_RELEASE, f->project, now, &c);
	assert_int_equal(auth_resolve(f->db, &c, &id, &why), 0);
	assert_int_equal(id.kind, AUTH_BY_SESSION);
	assert_int_equal(id.role, STORE_ROLE_RELEASE);
	assert_int_equal(id.project_id, f->project);
	assert_string_equal(id.actor, "ada");
	assert_int_equal(auth_allow_project(f->db, &id, "demo", AUTH_RELEASE, &pid, &why), 0);
	assert_int_equal(auth_allow_project(f->db, &id, "demo", AUTH_ADMIN, &pid, &why), 403);
	assert_string_equal(why, "this needs the admin role");

	/* Changing things needs the CSRF header, and no other site's Origin. */
	c.unsafe = 1;
	assert_int_equal(auth_resolve(f->db, &c, &id, &why), 403);
	assert_string_equal(why, "missing or wrong X-Prosum-CSRF header");
	c.csrf_ok = 1;
	assert_int_equal(auth_resolve(f->db, &c, &id, &why), 0);
	c.origin_ok = 0;
	assert_int_equal(auth_resolve(f->db, &c, &id, &why), 403);

	c.origin_ok = 1;

	/* Disabled: the session is over. */
	assert_int_equal(store_user_patch(f->db, "ada", 0, -1, 1, now), STORE_OK);
	c.unsafe = 0;
	assert_int_equal(auth_resolve(f->db, &c, &id, &why), 401);

	/* Unused for 15 days: over (idle limit 14 days), while two days earlier it was alive. */
	session(f, "bob", STORE_ROLE_DEVELOPER, 0, now - 15 * 86400, &old);
	assert_int_equal(auth_resolve(f->db, &old, &id, &why), 401);
	assert_int_equal(store_session_find(f->db, old.session_hash, now - 2 * 86400, 14 * 86400,
					    &(store_session){0}),
			 STORE_OK);
	/* Used on the writer (inside a write transaction), it is seen again: the idle time
	 * starts over. A reader's use changes nothing. */
	{
		store_session ses;

		assert_int_equal(store_begin(f->db), STORE_OK);
		assert_int_equal(store_session_find(f->db, old.session_hash, now - 2 * 86400,
						    14 * 86400, &ses),
				 STORE_OK);
		assert_int_equal(store_commit(f->db), STORE_OK);
		assert_int_equal(store_session_find(f->db, old.session_hash, now + 11 * 86400,
						    14 * 86400, &ses),
				 STORE_OK);
		assert_string_equal(ses.user.name, "bob");
	}
	/* Past the absolute limit (30 days) it is over however recently it was used. */
	assert_int_equal(store_session_find(f->db, old.session_hash, now + 16 * 86400, 100 * 86400,
					    &(store_session){0}),
			 STORE_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve_names_the_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_needs_role_and_no_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_project_checks_are_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_is_a_person, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
