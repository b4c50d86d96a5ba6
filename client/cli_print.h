/* cli_print.h - what the prosum command prints: values, ages, tables and readable items. */
#ifndef PROSUM_CLIENT_CLI_PRINT_H
#define PROSUM_CLIENT_CLI_PRINT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

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
 * the last is padded to its widest cell (in characters, not bytes).
 */
typedef struct cli_table cli_table;

/* `names` is borrowed for the table's life. Caller owns *out (cli_table_free()). -1: no memory. */
int cli_table_new(cli_table **out, size_t ncols, const char *const *names);
/* Append a row of ncols cells (copied, control characters removed). 0 or -1 (no memory). */
int cli_table_add(cli_table *t, const char *const *cells);
void cli_table_print(const cli_table *t, FILE *f);
void cli_table_free(cli_table *t);

/* Readable views of the server's items, on stdout. */
void cli_show_report(const json_t *r, time_t now);
void cli_show_group(const json_t *g, time_t now);
void cli_show_suggestion(const json_t *s, time_t now);
void cli_show_release(const json_t *rel, time_t now);
/* The answer of GET .../mine: the tester's reports and suggestions with the team's comments. */
void cli_show_mine(const json_t *m, time_t now);

#endif
