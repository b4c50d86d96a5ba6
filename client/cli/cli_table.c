/* cli_table.c - the prosum command's tables: display widths of UTF-8 text, cutting, fitting. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli_print.h"
#include "common/buf.h"
#include "lib/prosum_tool.h"

/* "…": one column, three bytes. */
#define ELLIPSIS "\xe2\x80\xa6"
#define ELLIPSIS_LEN 3

/* A free-text column (the last) is kept at least this wide before other columns are cut. */
#define KEEP_LAST 20
/* A cut free-text column other than the last keeps at least this many columns. */
#define KEEP_OTHER 8
/* Terminal widths beyond this are taken as a mistake and ignored. */
#define MAX_WIDTH 10000

/*
 * The code point at s (NUL-terminated) and its length in bytes. A byte that
 * starts no valid sequence counts as one code point of its own (U+FFFD), so
 * a walk always moves forward and never lands inside a sequence.
 */
static uint32_t next_cp(const unsigned char *s, size_t *len)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		*len = 1;
		return 0xfffd;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 1;
			return 0xfffd;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*len = n;
	return cp;
}

/*
 * Columns a code point takes in a terminal: 0 for combining marks and
 * zero-width characters, 2 for East Asian wide and fullwidth characters and
 * emoji, else 1. A short table of the common ranges, not all of Unicode:
 * enough that CJK titles and accents line up; locale-free on purpose, so the
 * output is the same under LANG=C.
 */
static int cp_width(uint32_t cp)
{
	static const uint32_t zero[][2] = {
	    {0x0300, 0x036f}, {0x0483, 0x0489},   {0x0591, 0x05bd}, {0x0610, 0x061a},
	    {0x064b, 0x065f}, {0x0e31, 0x0e31},   {0x0e34, 0x0e3a}, {0x0e47, 0x0e4e},
	    {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff},   {0x200b, 0x200f}, {0x202a, 0x202e},
	    {0x2060, 0x2064}, {0x20d0, 0x20ff},   {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f},
	    {0xfeff, 0xfeff}, {0xe0100, 0xe01ef},
	};
	static const uint32_t wide[][2] = {
	    {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},   {0x23e9, 0x23ec},
	    {0x25fd, 0x25fe},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x26a1, 0x26a1},
	    {0x26bd, 0x26be},   {0x26f5, 0x26f5},   {0x2705, 0x2705},   {0x270a, 0x270b},
	    {0x2728, 0x2728},   {0x274c, 0x274c},   {0x2753, 0x2755},   {0x2795, 0x2797},
	    {0x2b1b, 0x2b1c},   {0x2e80, 0x303e},   {0x3041, 0x33ff},   {0x3400, 0x4dbf},
	    {0x4e00, 0x9fff},   {0xa000, 0xa4cf},   {0xa960, 0xa97f},   {0xac00, 0xd7a3},
	    {0xf900, 0xfaff},   {0xfe10, 0xfe19},   {0xfe30, 0xfe6f},   {0xff00, 0xff60},
	    {0xffe0, 0xffe6},   {0x1f300, 0x1f64f}, {0x1f680, 0x1f6ff}, {0x1f900, 0x1f9ff},
	    {0x1fa70, 0x1faff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
	};
	size_t i;

	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (cp >= zero[i][0] && cp <= zero[i][1])
			return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

size_t cli_text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, len;

	while (*p) {
		w += (size_t)cp_width(next_cp(p, &len));
		p += len;
	}
	return w;
}

/* Bytes of s that fit in `cols` columns (whole code points, with their combining marks). */
static size_t fit_bytes(const char *s, size_t cols, size_t *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, len;

	while (*p) {
		int cw = cp_width(next_cp(p, &len));
		if (w + (size_t)cw > cols)
			break;
		w += (size_t)cw;
		p += len;
	}
	if (used)
		*used = w;
	return (size_t)(p - (const unsigned char *)s);
}

size_t cli_text_fit(const char *s, size_t cols)
{
	return fit_bytes(s, cols, NULL);
}

int cli_text_cut(buf *out, const char *s, size_t cols)
{
	size_t n;

	if (cli_text_width(s) <= cols)
		return buf_puts(out, s);
	if (cols == 0)
		return 0;
	n = fit_bytes(s, cols - 1, NULL);
	/* "opening…", not "opening …". */
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (buf_append(out, s, n) != 0)
		return -1;
	return buf_append(out, ELLIPSIS, ELLIPSIS_LEN);
}

/* A positive number of at most 5 digits, else 0. */
static size_t columns_of(const char *s)
{
	size_t v = 0, i;

	if (!s || !s[0] || strlen(s) > 5)
		return 0;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	return v <= MAX_WIDTH ? v : 0;
}

size_t cli_output_width(void)
{
	struct winsize ws;
	size_t cols = columns_of(getenv("COLUMNS"));

	if (cols)
		return cols;
	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_col <= MAX_WIDTH)
		return ws.ws_col;
	return 80;
}

/* ------------------------------------------------------------------------ */
/* Tables                                                                     */

struct cli_table {
	size_t ncols;
	const char *const *names;
	char **cells;       /* rows * ncols */
	unsigned char *cut; /* per column: may be cut to fit */
	size_t rows, cap;
	size_t indent; /* spaces before each line */
};

int cli_table_new(cli_table **out, size_t ncols, const char *const *names)
{
	cli_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->cut = calloc(ncols, 1);
	if (!t->cut) {
		free(t);
		return -1;
	}
	t->ncols = ncols;
	t->names = names;
	t->cut[ncols - 1] = 1;
	*out = t;
	return 0;
}

void cli_table_indent(cli_table *t, size_t n)
{
	t->indent = n < 16 ? n : 16;
}

void cli_table_cuttable(cli_table *t, size_t col)
{
	if (col < t->ncols)
		t->cut[col] = 1;
}

int cli_table_add(cli_table *t, const char *const *cells)
{
	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **grown = realloc(t->cells, cap * t->ncols * sizeof(*grown));
		if (!grown)
			return -1;
		t->cells = grown;
		t->cap = cap;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		char *copy = strdup(cells[c] ? cells[c] : "-");
		if (!copy) {
			while (c-- > 0)
				free(t->cells[t->rows * t->ncols + c]);
			return -1;
		}
		util_sanitize(copy);
		t->cells[t->rows * t->ncols + c] = copy;
	}
	t->rows++;
	return 0;
}

/* Take up to *excess columns from width[c], not below `floor`. */
static void shrink(size_t *width, size_t c, size_t floor, size_t *excess)
{
	size_t room = width[c] > floor ? width[c] - floor : 0;
	size_t take = room < *excess ? room : *excess;

	width[c] -= take;
	*excess -= take;
}

/* Cut the cuttable columns other than the last, the widest first, down to their floors. */
static void shrink_others(const cli_table *t, size_t *width, const size_t *floor, size_t *excess)
{
	while (*excess > 0) {
		size_t best = t->ncols;
		for (size_t c = 0; c + 1 < t->ncols; c++)
			if (t->cut[c] && width[c] > floor[c] &&
			    (best == t->ncols || width[c] > width[best]))
				best = c;
		if (best == t->ncols)
			return;
		width[best]--;
		(*excess)--;
	}
}

/*
 * Fit the columns into `limit` display columns: the last column first (down
 * to KEEP_LAST), then the other free-text columns (down to KEEP_OTHER or
 * their header), then the last column down to its header. Returns the width
 * of a line afterwards, which may still exceed the limit.
 */
static size_t fit(const cli_table *t, size_t *width, size_t limit)
{
	size_t total = 2 * (t->ncols - 1), excess, last = t->ncols - 1;
	size_t *floor = calloc(t->ncols, sizeof(*floor));

	for (size_t c = 0; c < t->ncols; c++)
		total += width[c];
	if (limit == 0 || total <= limit || !floor)
		goto out;
	excess = total - limit;
	for (size_t c = 0; c < t->ncols; c++) {
		size_t head = cli_text_width(t->names[c]);
		floor[c] = head > KEEP_OTHER ? head : KEEP_OTHER;
	}
	shrink(width, last, floor[last] > KEEP_LAST ? floor[last] : KEEP_LAST, &excess);
	shrink_others(t, width, floor, &excess);
	for (size_t c = 0; c < t->ncols; c++)
		floor[c] = cli_text_width(t->names[c]);
	shrink(width, last, floor[last], &excess);
	shrink_others(t, width, floor, &excess);
	total = limit + excess;
out:
	free(floor);
	return total;
}

static void print_row(const cli_table *t, const char *const *row, const size_t *width, size_t limit,
		      size_t total, FILE *f)
{
	buf line = BUF_INIT(1024 * 1024), cell = BUF_INIT(1024 * 1024);

	for (size_t c = 0; c < t->ncols; c++) {
		size_t w;
		buf_reset(&cell);
		cli_text_cut(&cell, row[c], width[c]);
		w = cell.p ? cli_text_width(cell.p) : 0;
		if (cell.p)
			buf_puts(&line, cell.p);
		if (c + 1 < t->ncols)
			buf_printf(&line, "%*s", (int)(width[c] - w + 2), "");
	}
	/* The columns alone are wider than the terminal: the line is cut, never wrapped. */
	if (limit && total > limit && line.p) {
		buf_reset(&cell);
		cli_text_cut(&cell, line.p, limit);
		fprintf(f, "%*s%s\n", (int)t->indent, "", cell.p ? cell.p : "");
	} else {
		fprintf(f, "%*s%s\n", (int)t->indent, "", line.p ? line.p : "");
	}
	buf_free(&line);
	buf_free(&cell);
}

void cli_table_print(const cli_table *t, FILE *f, size_t limit)
{
	size_t *width = calloc(t->ncols, sizeof(*width)), total;

	if (!width)
		return;
	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = cli_text_width(t->names[c]);
		for (size_t r = 0; r < t->rows; r++) {
			size_t w = cli_text_width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	}
	/* The indent comes off the room (at least one column is left). */
	if (limit)
		limit = limit > t->indent ? limit - t->indent : 1;
	total = fit(t, width, limit);
	print_row(t, t->names, width, limit, total, f);
	for (size_t r = 0; r < t->rows; r++)
		print_row(t, (const char *const *)&t->cells[r * t->ncols], width, limit, total, f);
	free(width);
}

void cli_table_free(cli_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->rows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->cut);
	free(t);
}
