/* fuzz_search.c - fuzz harness of the search-box query builder: whatever is typed, FTS5 accepts what it builds. */
#include <sqlite3.h>
#include <string.h>

#include "fuzz.h"
#include "store/search.h"

/*
 * Tables with the tokenizer of schema/ (reports_fts keeps no positions, so a
 * string that the tokenizer split in two would be a phrase and an error there;
 * suggestions_fts keeps them), each with a row so that MATCH reads the index.
 */
static sqlite3 *db;
static sqlite3_stmt *match[3];

static void open_db(void)
{
	static const char *const queries[] = {
		"SELECT rowid FROM r WHERE r MATCH ?1",
		"SELECT rowid FROM r WHERE r MATCH '{title} : (' || ?1 || ')'",
		"SELECT rowid, bm25(s, 5.0, 1.0) FROM s WHERE s MATCH ?1",
	};
	size_t i;

	FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_exec(db,
				"CREATE VIRTUAL TABLE r USING fts5(title, text, exception, functions, "
				"tokenize = 'unicode61 remove_diacritics 2', detail = column);"
				"CREATE VIRTUAL TABLE s USING fts5(title, body, "
				"tokenize = 'unicode61 remove_diacritics 2');"
				"INSERT INTO r VALUES ('beta app crash', 'x86 64 don t', 'SIGSEGV', "
				"'main');"
				"INSERT INTO s VALUES ('Crème brûlée', 'near and or not');",
				NULL, NULL, NULL) == SQLITE_OK);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		FUZZ_CHECK(sqlite3_prepare_v2(db, queries[i], -1, &match[i], NULL) == SQLITE_OK);
}

/* Each term of the expression is one token of the tokenizer's own: "word", a quote doubled. */
static void check_shape(const char *e, size_t len, int n)
{
	size_t i = 0;
	int terms = 0;

	while (i < len) {
		if (terms)
			FUZZ_CHECK(e[i++] == ' ');
		FUZZ_CHECK(e[i++] == '"');
		while (i < len && !(e[i] == '"' && (i + 1 == len || e[i + 1] != '"')))
			i += e[i] == '"' ? 2 : 1;
		FUZZ_CHECK(i < len && e[i] == '"');
		i++;
		terms++;
	}
	FUZZ_CHECK(terms == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	buf out;
	int n;
	size_t i;

	if (!db)
		open_db();
	buf_init(&out, 1 << 20);
	n = search_match(&out, db, (const char *)data, size);
	FUZZ_CHECK(n >= 0 && n <= SEARCH_MAX_TERMS);
	FUZZ_CHECK((n == 0) == (out.len == 0));
	check_shape(out.p ? out.p : "", out.len, n);
	if (n > 0) {
		for (i = 0; i < sizeof(match) / sizeof(match[0]); i++) {
			int rc;

			sqlite3_bind_text(match[i], 1, out.p, (int)out.len, SQLITE_STATIC);
			while ((rc = sqlite3_step(match[i])) == SQLITE_ROW)
				;
			if (rc != SQLITE_DONE)
				fprintf(stderr, "MATCH %s: %s\n", out.p, sqlite3_errmsg(db));
			FUZZ_CHECK(rc == SQLITE_DONE);
			sqlite3_reset(match[i]);
			sqlite3_clear_bindings(match[i]);
		}
	}
	/* The same text again gives the same expression: nothing is remembered between calls. */
	{
		buf again;

		buf_init(&again, 1 << 20);
		FUZZ_CHECK(search_match(&again, db, (const char *)data, size) == n);
		FUZZ_CHECK(again.len == out.len && (n == 0 || memcmp(again.p, out.p, out.len) == 0));
		buf_free(&again);
	}
	/* As typed: the same expression, its last term at most made a prefix ("word"*), and still
	 * a valid MATCH for every table. */
	{
		buf typed;

		buf_init(&typed, 1 << 20);
		FUZZ_CHECK(search_match_prefix(&typed, db, (const char *)data, size, 1) == n);
		FUZZ_CHECK(typed.len == out.len || (typed.len == out.len + 1 && typed.p[out.len] == '*'));
		FUZZ_CHECK(n == 0 || memcmp(typed.p, out.p, out.len) == 0);
		for (i = 0; n > 0 && i < sizeof(match) / sizeof(match[0]); i++) {
			int rc;

			sqlite3_bind_text(match[i], 1, typed.p, (int)typed.len, SQLITE_STATIC);
			while ((rc = sqlite3_step(match[i])) == SQLITE_ROW)
				;
			if (rc != SQLITE_DONE)
				fprintf(stderr, "MATCH %s: %s\n", typed.p, sqlite3_errmsg(db));
			FUZZ_CHECK(rc == SQLITE_DONE);
			sqlite3_reset(match[i]);
			sqlite3_clear_bindings(match[i]);
		}
		buf_free(&typed);
	}
	buf_free(&out);
	return 0;
}
