/* test_store_triage.c - the store's triage reads: search, report and group status, suspects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/render_suggestions.h"
#include "api/render_reports.h"
#include "api/reply.h"
#include "store/schema.h"
#include "store/search.h"
#include "model/report.h"
#include "store/store.h"
#include "unit_fixture.h"
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

/*
 * Store a report of group `fp` by `install`, with a title, a description and the frames
 * given as "function file line" triples (file "" for none). Returns its number.
 */
static int64_t add(fixture *f, const char *fp, const char *install, const char *title,
		   const char *description, const char *const *frames)
{
	static int serial;
	char uuid[37];
	report r;
	store_ingest out;
	json_t *fr = json_array();
	size_t i;

	snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012d", ++serial);
	for (i = 0; frames && frames[i]; i += 3) {
		json_t *one = json_pack("{s:s}", "function", frames[i]);
		if (frames[i + 1][0]) {
			json_object_set_new(one, "file", json_string(frames[i + 1]));
			json_object_set_new(one, "line", json_integer(strtol(frames[i + 2], NULL, 10)));
		}
		json_array_append_new(fr, one);
	}
	memset(&r, 0, sizeof(r));
	r.root = json_pack("{s:s,s:s,s:s,s:o}", "uuid", uuid, "kind", "crash", "title", title,
			   "frames", fr);
	r.uuid = uuid;
	r.kind = "crash";
	r.title = title;
	r.description = description;
	r.install_id = install;
	r.version = "1.0";
	r.nframes = json_array_size(fr);
	snprintf(r.fingerprint, sizeof(r.fingerprint), "%s", fp);
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(store_report_insert(f->db, f->project, &r, 100 + serial, &out), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	json_decref(r.root);
	return out.num;
}

/* The ids ("R-1 R-3") a report list answers for filter `rf`; asserts the call succeeds. */
static void list_ids(fixture *f, const store_report_filter *rf, char *out, size_t outsz)
{
	json_t *items, *it;
	int64_t next;
	size_t i, n = 0;

	if (render_report_list(f->db, f->project, rf, &items, &next) != STORE_OK)
		fail_msg("q=%s: %s", rf->q ? rf->q : "(none)", store_db_error(f->db));
	out[0] = '\0';
	json_array_foreach(items, i, it)
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", n ? " " : "",
				      json_string_value(json_object_get(it, "id")));
	json_decref(items);
}

static void search(fixture *f, const char *q, char *out, size_t outsz)
{
	store_report_filter rf = {.q = q, .limit = 50};

	list_ids(f, &rf, out, outsz);
}

static void test_search_splits_words_as_the_index_does(void **state)
{
	fixture *f = *state;
	static const char *const fr1[] = {"beta_app_crash", "src/app.c", "12", NULL};
	static const char *const fr2[] = {"render_x86_64_simd", "", "", NULL};
	/* Text a person may type that is not FTS5 syntax: never an error, whatever it holds. */
	static const char *const odd[] = {
		"\"",	     "\"\"",	 "-",	    "*",     ":",      "(",	 ")",	    "NEAR",
		"AND",	     "OR",	 "NOT",	    "a AND", "NEAR(a", "title:x", "{title}", "^x",
		"x*",	     "-crash",	 "\"crash", "’",     "'",      "\\",	 "crash)", "+",
		"NEAR/2",   "\xff\xfe", "é",	    "\t",    " ",      "a\"b\"c", "🙂",	    "",
	};
	char got[256];
	size_t i;

	add(f, "fp-1", "i-1", "beta_app_crash when saving", "nothing odd", fr1);
	add(f, "fp-2", "i-2", "Slow drawing", "on x86_64 only", fr2);
	add(f, "fp-3", "i-3", "Don’t open the Crème brûlée file", "NEAR AND OR: (test) \"quoted\"",
	    NULL);

	/* A word that holds separators is the words the tokenizer made of it, all required. */
	search(f, "beta_app_crash", got, sizeof(got));
	assert_string_equal(got, "R-1");
	search(f, "x86_64", got, sizeof(got));
	assert_string_equal(got, "R-2");
	search(f, "render_x86_64_simd", got, sizeof(got)); /* a frame's function */
	assert_string_equal(got, "R-2");
	/* Curly apostrophes and diacritics, as folded by unicode61 remove_diacritics 2. */
	search(f, "don’t", got, sizeof(got));
	assert_string_equal(got, "R-3");
	search(f, "creme brulee", got, sizeof(got));
	assert_string_equal(got, "R-3");
	search(f, "CRÈME", got, sizeof(got));
	assert_string_equal(got, "R-3");
	/* Operators are words like any other. */
	search(f, "NEAR AND", got, sizeof(got));
	assert_string_equal(got, "R-3");
	search(f, "\"quoted\" (test)", got, sizeof(got));
	assert_string_equal(got, "R-3");
	search(f, "-crash", got, sizeof(got));
	assert_string_equal(got, "R-1");
	search(f, "crash nowhere", got, sizeof(got)); /* every word is required */
	assert_string_equal(got, "");
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		search(f, odd[i], got, sizeof(got)); /* asserts STORE_OK */
}

static void test_suggestion_search_never_errors(void **state)
{
	fixture *f = *state;
	static const char *const odd[] = {"x86_64", "beta_app_crash", "don’t", "\"", "*", "NEAR",
					  "AND", "(", ":", "-", ""};
	store_suggestion in = {"00000000-0000-4000-8000-000000000001", "Support x86_64 builds",
			       "beta_app_crash should not happen", "i-1", NULL};
	store_suggestion_filter sf = {.limit = 10};
	json_t *items;
	int64_t num, next;
	int created;
	size_t i;

	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(store_suggestion_add(f->db, f->project, &in, 100, &num, &created), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		sf.q = odd[i];
		assert_int_equal(render_suggestion_list(f->db, f->project, &sf, &items, &next), STORE_OK);
		assert_int_equal(json_array_size(items), i < 2 ? 1 : 0);
		json_decref(items);
	}
}

/* The expression itself: each token an FTS5 string, nothing when there is no word. */
static void test_search_match_expression(void **state)
{
	fixture *f = *state;
	sqlite3 *mem;
	buf b;

	(void)f;
	assert_int_equal(sqlite3_open(":memory:", &mem), SQLITE_OK);
	buf_init(&b, 1024);
	assert_int_equal(search_match(&b, mem, "Beta_App x86_64 \"NEAR\"", 22), 5);
	assert_string_equal(b.p, "\"beta\" \"app\" \"x86\" \"64\" \"near\"");
	buf_reset(&b);
	assert_int_equal(search_match(&b, mem, "\" * - ( : ’", 13), 0);
	assert_int_equal(b.len, 0);
	/* As typed: the word at the end matches word starts; after a separator it is whole. */
	assert_int_equal(search_match_prefix(&b, mem, "dark mo", 7, 1), 2);
	assert_string_equal(b.p, "\"dark\" \"mo\"*");
	buf_reset(&b);
	assert_int_equal(search_match_prefix(&b, mem, "dark mo ", 8, 1), 2);
	assert_string_equal(b.p, "\"dark\" \"mo\"");
	buf_reset(&b);
	assert_int_equal(search_match_prefix(&b, mem, "dark mo\"*", 9, 1), 2);
	assert_string_equal(b.p, "\"dark\" \"mo\"");
	buf_reset(&b);
	assert_int_equal(search_match_prefix(&b, mem, "-- ", 3, 1), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	sqlite3_close(mem);
}

/* search.h splits queries with the tokenizer the full-text tables were made with. */
static void test_the_tables_use_the_search_tokenizer(void **state)
{
	fixture *f = *state;
	static const char *const tables[] = {"reports_fts", "suggestions_fts"};
	sqlite3 *raw;
	sqlite3_stmt *s;
	size_t i;

	assert_int_equal(sqlite3_open_v2(f->path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, "SELECT sql FROM sqlite_master WHERE name = ?1", -1,
					    &s, NULL),
			 SQLITE_OK);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		sqlite3_bind_text(s, 1, tables[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_non_null(strstr((const char *)sqlite3_column_text(s, 0),
				       "tokenize = '" SEARCH_TOKENIZER " remove_diacritics 2'"));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	sqlite3_close(raw);
}

/* A database from before the rule: what each report showed, it still shows. */
static void test_existing_reports_keep_their_status(void **state)
{
	fixture *f = *state;
	char path[160], err[256];
	sqlite3 *raw;
	store_db *db;
	json_t *r;
	int i;
	static const char *const want[] = {"triaged", "new", "fixed"};

	snprintf(path, sizeof(path), "%s/old.db", f->dir);
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	for (i = 0; schema_migrations[i].name && strncmp(schema_migrations[i].name, "0008", 4); i++)
		assert_int_equal(sqlite3_exec(raw, schema_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
	assert_int_equal(i, 7);
	assert_int_equal(
		sqlite3_exec(
			raw,
			"PRAGMA user_version = 7;"
			"INSERT INTO projects(id, name, created_at) VALUES (1, 'demo', 1);"
			"INSERT INTO groups(id, project_id, num, fingerprint, kind, title, status, "
			"first_seen, last_seen) VALUES (1, 1, 1, 'fp', 'bug', 't', 'fixed', 1, 1);"
			"INSERT INTO reports(project_id, num, uuid, group_id, kind, title, status, "
			"install_id, received_at, body) VALUES "
			"(1, 1, 'u1', 1, 'bug', 't', 'triaged', 'i', 1, '{}'),"
			"(1, 2, 'u2', 1, 'bug', 't', 'new', 'i', 1, '{}'),"
			"(1, 3, 'u3', 1, 'bug', 't', 'new', 'i', 1, '{}');"
			/* R-2 was reopened by hand: its history says so. */
			"INSERT INTO audit(project_id, target_type, target_num, actor, field, old_value, "
			"new_value, at) VALUES (1, 'R', 2, 'dana', 'status', 'fixed', 'new', 1);",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(store_db_open(&db, path, STORE_WRITE, err, sizeof(err)), STORE_OK);
	for (i = 0; i < 3; i++) {
		assert_int_equal(render_report_get(db, 1, i + 1, &r), STORE_OK);
		assert_string_equal(json_string_value(json_object_get(r, "status")), want[i]);
		json_decref(r);
	}
	store_db_close(db);
}

static const char *status_of(fixture *f, int64_t num)
{
	static char st[32];
	json_t *r;

	assert_int_equal(render_report_get(f->db, f->project, num, &r), STORE_OK);
	snprintf(st, sizeof(st), "%s", json_string_value(json_object_get(r, "status")));
	json_decref(r);
	return st;
}

static void patch(fixture *f, int group, int64_t num, const char *status)
{
	store_patch p = {.status = status};
	char why[128];

	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(group ? store_group_patch(f->db, f->project, num, &p, "dana", 500, why,
						   sizeof(why))
			       : store_report_patch(f->db, f->project, num, &p, "dana", 500, why,
						    sizeof(why)),
			 STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
}

/* The status `mine` shows of the tester's report `id`. */
static const char *mine_status(fixture *f, const char *install, const char *id)
{
	static char st[32];
	json_t *m, *it;
	size_t i;

	st[0] = '\0';
	assert_int_equal(render_mine(f->db, f->project, install, 0, &m), STORE_OK);
	json_array_foreach(json_object_get(m, "reports"), i, it)
		if (strcmp(json_string_value(json_object_get(it, "id")), id) == 0)
			snprintf(st, sizeof(st), "%s",
				 json_string_value(json_object_get(it, "status")));
	json_decref(m);
	return st;
}

static void test_a_report_follows_its_group_until_set_itself(void **state)
{
	fixture *f = *state;
	store_report_filter rf = {.limit = 50};
	char got[256];
	int64_t a, b, c;

	a = add(f, "fp-g", "i-a", "one", NULL, NULL);
	b = add(f, "fp-g", "i-b", "two", NULL, NULL);
	c = add(f, "fp-other", "i-c", "three", NULL, NULL);

	/* The group is fixed: its reports say so everywhere. */
	patch(f, 1, 1, "fixed");
	assert_string_equal(status_of(f, a), "fixed");
	assert_string_equal(status_of(f, b), "fixed");
	assert_string_equal(status_of(f, c), "new");
	assert_string_equal(mine_status(f, "i-a", "R-1"), "fixed");
	rf.status = "fixed";
	list_ids(f, &rf, got, sizeof(got));
	assert_string_equal(got, "R-2 R-1");
	rf.status = "new";
	list_ids(f, &rf, got, sizeof(got));
	assert_string_equal(got, "R-3");
	rf.status = NULL;
	rf.group = 1;
	{
		json_t *items;
		int64_t next;

		assert_int_equal(render_report_list(f->db, f->project, &rf, &items, &next), STORE_OK);
		assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0),
								      "status")),
				    "fixed");
		json_decref(items);
	}

	/* A status set on the report is its own from then on, even "new" (reopened). */
	patch(f, 0, b, "new");
	assert_string_equal(status_of(f, b), "new");
	assert_string_equal(mine_status(f, "i-b", "R-2"), "new");
	patch(f, 1, 1, "triaged");
	assert_string_equal(status_of(f, a), "triaged");
	assert_string_equal(status_of(f, b), "new");
	rf.group = 0;
	rf.status = "triaged";
	list_ids(f, &rf, got, sizeof(got));
	assert_string_equal(got, "R-1");

	/* The report's history says what it showed before the change. */
	{
		json_t *r, *h;

		assert_int_equal(render_report_get(f->db, f->project, b, &r), STORE_OK);
		h = json_array_get(json_object_get(r, "history"), 0);
		assert_string_equal(json_string_value(json_object_get(h, "old")), "fixed");
		assert_string_equal(json_string_value(json_object_get(h, "new")), "new");
		json_decref(r);
	}
}

static void suspect(fixture *f, int64_t num, const char *commit, const char *path, int line)
{
	store_commit_info c = {commit, "Ann Author", "ann@example.org", 1700000000, "Touch it"};

	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(store_commit_put(f->db, f->project, &c), STORE_OK);
	assert_int_equal(store_suspect_add(f->db, f->project, num, commit, path, line), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
}

static void test_suspects_count_reports_and_list_frames(void **state)
{
	fixture *f = *state;
	static const char *const fr[] = {"inner", "/build/src/a.c", "10", "middle", "/build/src/a.c",
					 "20", "outer", "src/b.c", "30", NULL};
	const char *c1 = "1111111111111111111111111111111111111111";
	const char *c2 = "2222222222222222222222222222222222222222";
	json_t *g, *r, *s, *frames;
	int64_t a, b;

	a = add(f, "fp-s", "i-a", "one", NULL, fr);
	b = add(f, "fp-s", "i-b", "two", NULL, fr);
	/* c2 is blamed for three frames of each report, c1 for the middle one of the first. */
	suspect(f, a, c2, "src/a.c", 10);
	suspect(f, a, c2, "src/a.c", 20);
	suspect(f, a, c2, "src/b.c", 30);
	suspect(f, b, c2, "src/a.c", 10);
	suspect(f, b, c2, "src/a.c", 20);
	suspect(f, b, c2, "src/b.c", 30);
	suspect(f, a, c1, "a.c", 20);

	assert_int_equal(render_group_get(f->db, f->project, 1, &g), STORE_OK);
	s = json_object_get(g, "suspects");
	assert_int_equal(json_array_size(s), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(s, 0), "id")), c2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(s, 0), "reports")), 2);
	frames = json_object_get(json_array_get(s, 0), "frames");
	assert_int_equal(json_array_size(frames), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(s, 1), "reports")), 1);
	json_decref(g);

	/* A report lists each commit once, with the frames blamed on it, innermost first. */
	assert_int_equal(render_report_get(f->db, f->project, a, &r), STORE_OK);
	s = json_object_get(r, "suspects");
	assert_int_equal(json_array_size(s), 2);
	frames = json_object_get(json_array_get(s, 0), "frames");
	assert_string_equal(json_string_value(json_object_get(json_array_get(s, 0), "id")), c2);
	assert_int_equal(json_array_size(frames), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(frames, 0), "function")),
			    "inner");
	assert_string_equal(json_string_value(json_object_get(json_array_get(frames, 0), "file")),
			    "src/a.c");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(frames, 0), "line")), 10);
	assert_string_equal(json_string_value(json_object_get(json_array_get(frames, 2), "function")),
			    "outer");
	frames = json_object_get(json_array_get(s, 1), "frames");
	assert_string_equal(json_string_value(json_object_get(json_array_get(s, 1), "id")), c1);
	assert_int_equal(json_array_size(frames), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(frames, 0), "function")),
			    "middle");
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search_splits_words_as_the_index_does, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_suggestion_search_never_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_match_expression, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_tables_use_the_search_tokenizer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_report_follows_its_group_until_set_itself,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_reports_keep_their_status, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_suspects_count_reports_and_list_frames, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
