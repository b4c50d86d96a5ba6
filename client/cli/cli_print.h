/* cli_print.h - what the prosum command prints: values, ages, tables and readable items. */
#ifndef PROSUM_CLIENT_CLI_PRINT_H
#define PROSUM_CLIENT_CLI_PRINT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "common/buf.h"

/*
 * A printable copy of a JSON value into out (n > 0): strings as they are,
 * numbers, true/false, "-" for null or absent, other values as compact JSON.
 * Cut at n - 1 bytes without splitting a UTF-8 sequence; control characters
 * become spaces.
 */
void cli_text(char *out, size_t n, const json_t *v);

/* How long ago the time `v` (RFC 3339 text or seconds) was, "5m ago"; "-" when it is none. */
void cli_age(char *out, size_t n, const json_t *v, time_t now);

/* "2026-11-20T10:15:00Z (5m ago)"; "-" when `v` is no time. */
void cli_when(char *out, size_t n, const json_t *v, time_t now);

/*
 * An aligned table: a header of column names, then rows; every column but
 * the last is padded to its widest cell, in display columns (a CJK
 * character takes two, a combining accent none). cli_table.c
 */
typedef struct cli_table cli_table;

/* `names` is borrowed for the table's life. Caller owns *out (cli_table_free()). -1: no memory. */
int cli_table_new(cli_table **out, size_t ncols, const char *const *names);
/* Print every line after n spaces (at most 16). */
void cli_table_indent(cli_table *t, size_t n);
/* Column `col` holds free text that may be cut to fit (the last column always may). */
void cli_table_cuttable(cli_table *t, size_t col);
/* Append a row of ncols cells (copied, control characters removed). 0 or -1 (no memory). */
int cli_table_add(cli_table *t, const char *const *cells);
/*
 * Print the table in lines of at most `width` display columns (0: no
 * limit). Free-text columns are cut with "…" to fit, the last first; no
 * line is ever wrapped: when even the other columns do not fit, the whole
 * line is cut.
 */
void cli_table_print(const cli_table *t, FILE *f, size_t width);
void cli_table_free(cli_table *t);

/*
 * The width tables are fitted to: COLUMNS when it holds a number, else the
 * terminal's width when stdout is a terminal (80 when it cannot be read),
 * else 0, no limit: what goes into a pipe or a file is never cut.
 */
size_t cli_output_width(void);

/* Display columns of UTF-8 text (locale-independent; a bad byte counts one column). */
size_t cli_text_width(const char *s);

/*
 * Bytes of the longest start of s that takes at most `cols` display columns:
 * whole characters with their combining marks. cli_table.c
 */
size_t cli_text_fit(const char *s, size_t cols);

/*
 * Append s to out, cut to at most `cols` display columns: when it is wider,
 * the first cols - 1 columns (less the spaces they end with) and "…". Never cuts inside a UTF-8
 * sequence or between a character and its combining marks. 0, or a BUF_ error (no memory, past
 * out's ceiling).
 */
int cli_text_cut(buf *out, const char *s, size_t cols);

/* Readable views of the server's items, on stdout. cli_show.c */
void cli_show_report(const json_t *r, time_t now);
/*
 * A group, with `reports` (its latest reports as the list of reports gives
 * them, newest first) and `latest` (the newest report in full, for its
 * frames); either may be NULL.
 */
void cli_show_group(const json_t *g, const json_t *reports, const json_t *latest, time_t now);
void cli_show_suggestion(const json_t *s, time_t now);
void cli_show_release(const json_t *rel, time_t now);
/*
 * The answer of GET .../mine: the tester's reports and suggestions, each with
 * its conversation, oldest first: the team's comments and the tester's own
 * replies ("team" or "you", and when), indented under the item. Fitted to
 * cli_output_width(): long lines are wrapped (at spaces where they can be),
 * titles cut with "…"; into a pipe or a file nothing is wrapped or cut.
 */
void cli_show_mine(const json_t *m, time_t now);

#endif
