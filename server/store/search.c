/* search.c - what a person typed into a search box, as an FTS5 MATCH expression split as the index splits text. */
#include "store/search.h"

#define SEARCH_MAX_INPUT (64 * 1024) /* longer queries are cut here: no one types more */

typedef struct terms {
	buf *out;
	int n;
	int failed;
	int last_end; /* where in the text the last term taken ends */
} terms;

/* The FTS5 extension's API of a connection, or NULL. */
static fts5_api *fts5_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	if (sqlite3_step(s) != SQLITE_ROW)
		api = NULL;
out:
	sqlite3_finalize(s);
	return api;
}

/* One token as an FTS5 string: in double quotes, a quote inside doubled. */
static int on_token(void *ctx, int flags, const char *tok, int len, int start, int end)
{
	terms *t = ctx;
	int i;

	(void)start;
	if ((flags & FTS5_TOKEN_COLOCATED) || len <= 0)
		return SQLITE_OK; /* synonyms (unicode61 makes none), empty tokens */
	if (t->n == SEARCH_MAX_TERMS)
		return SQLITE_DONE;
	if ((t->n && buf_append(t->out, " ", 1) != BUF_OK) || buf_append(t->out, "\"", 1) != BUF_OK)
		goto full;
	for (i = 0; i < len; i++)
		if (buf_append(t->out, tok[i] == '"' ? "\"\"" : &tok[i], tok[i] == '"' ? 2 : 1) !=
		    BUF_OK)
			goto full;
	if (buf_append(t->out, "\"", 1) != BUF_OK)
		goto full;
	t->n++;
	t->last_end = end;
	return SQLITE_OK;
full:
	t->failed = 1;
	return SQLITE_NOMEM;
}

int search_match(buf *out, sqlite3 *db, const char *q, size_t len)
{
	return search_match_prefix(out, db, q, len, 0);
}

int search_match_prefix(buf *out, sqlite3 *db, const char *q, size_t len, int prefix)
{
	const char *args[] = SEARCH_TOKENIZER_ARGS;
	fts5_api *api = fts5_of(db);
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	void *ud = NULL;
	size_t mark = out->len;
	terms t = {out, 0, 0, 0};
	int rc = -1;

	if (!api || api->xFindTokenizer(api, SEARCH_TOKENIZER, &ud, &tk) != SQLITE_OK)
		goto out;
	if (tk.xCreate(ud, args, (int)(sizeof(args) / sizeof(args[0])), &tok) != SQLITE_OK)
		goto out;
	if (len > SEARCH_MAX_INPUT)
		len = SEARCH_MAX_INPUT;
	rc = tk.xTokenize(tok, &t, FTS5_TOKENIZE_QUERY, q ? q : "", q ? (int)len : 0, on_token);
	if (t.failed || (rc != SQLITE_OK && rc != SQLITE_DONE)) {
		rc = -1;
		goto out;
	}
	/* The word being typed: the text ends inside the last term (not after a separator, and
	 * not a term past SEARCH_MAX_TERMS that was left out). */
	if (prefix && t.n > 0 && rc == SQLITE_OK && (size_t)t.last_end == len &&
	    buf_append(out, "*", 1) != BUF_OK) {
		rc = -1;
		goto out;
	}
	rc = t.n;
out:
	if (tok)
		tk.xDelete(tok);
	if (rc <= 0 && out->len != mark) {
		/* Leave `out` as it was: a failure appends nothing. */
		out->len = mark;
		out->p[mark] = '\0';
	}
	return rc;
}
