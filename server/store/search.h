/* search.h - what a person typed into a search box, as an FTS5 MATCH expression split as the index splits text. */
#ifndef PROSUM_SEARCH_H
#define PROSUM_SEARCH_H

#include <sqlite3.h>
#include <stddef.h>

#include "common/buf.h"

/*
 * The tokenizer of every full-text table (schema/: reports_fts, suggestions_fts):
 * `tokenize = 'unicode61 remove_diacritics 2'`. A query is split by this same
 * tokenizer, so a word is looked up exactly as it was indexed: "beta_app_crash"
 * is beta, app, crash; "x86_64" is x86, 64; "don’t" is don, t.
 */
#define SEARCH_TOKENIZER "unicode61"
#define SEARCH_TOKENIZER_ARGS {"remove_diacritics", "2"}
#define SEARCH_MAX_TERMS 32 /* words of a query past this are ignored */

/*
 * Append to `out` a MATCH expression for the text q[0, len): every token the
 * index's tokenizer finds, as an FTS5 string ("word"), all of them required.
 * There is no query syntax: quotes, -, *, :, (, AND, NEAR are text like any
 * other, so any input gives a valid expression (or none). `db` is any
 * connection with FTS5 (its tokenizer is borrowed for the call).
 * Returns the number of terms (0: nothing searchable, `out` unchanged), or -1
 * when the tokenizer is unavailable or `out` is full.
 */
int search_match(buf *out, sqlite3 *db, const char *q, size_t len);

/*
 * As search_match, and with `prefix` set the word being typed matches as the start of a
 * word: when q ends inside its last word (no separator after it), that last term is an
 * FTS5 prefix term ("mo"*, which finds "mode"). Words before it stay whole words.
 */
int search_match_prefix(buf *out, sqlite3 *db, const char *q, size_t len, int prefix);

#endif
