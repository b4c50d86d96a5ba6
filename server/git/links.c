/* links.c - finds "fixes R-12" and "implements S-4" in commit messages (grammar: links.h). */
#include "git/links.h"

#include <stdbool.h>

typedef struct verb {
	const char *name;
	size_t len;
	int kind;
} verb;

static const verb verbs[] = {
    {"fix", 3, LINKS_FIX},
    {"fixes", 5, LINKS_FIX},
    {"fixed", 5, LINKS_FIX},
    {"close", 5, LINKS_FIX},
    {"closes", 6, LINKS_FIX},
    {"closed", 6, LINKS_FIX},
    {"resolve", 7, LINKS_FIX},
    {"resolves", 8, LINKS_FIX},
    {"resolved", 8, LINKS_FIX},
    {"implement", 9, LINKS_IMPLEMENT},
    {"implements", 10, LINKS_IMPLEMENT},
    {"implemented", 11, LINKS_IMPLEMENT},
};

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bytes >= 0x80 count as word bytes so a verb glued to a non-ASCII letter never links. */
static bool is_word(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c >= 0x80;
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(unsigned char c)
{
	return is_blank(c) || c == '\r' || c == '\n';
}

/* ASCII fold to lower case; `lower` must be a lower-case letter. */
static bool eq_fold(unsigned char c, char lower)
{
	return is_alpha(c) && (c | 0x20) == (unsigned char)lower;
}

/* The kind of the verb that is the word p[0, n), or 0. */
static int match_verb(const unsigned char *p, size_t n)
{
	for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
		size_t i;

		if (verbs[v].len != n)
			continue;
		for (i = 0; i < n && eq_fold(p[i], verbs[v].name[i]); i++)
			;
		if (i == n)
			return verbs[v].kind;
	}
	return 0;
}

/*
 * An id at p[*pos]: on success 0, *pos just past it, the upper-case type and
 * the number. On -1 nothing is consumed.
 */
static int parse_id(const unsigned char *p, size_t len, size_t *pos, char *type, int64_t *num)
{
	size_t i = *pos;
	size_t digits = 0;
	int64_t n = 0;
	unsigned char t;

	if (len - i < 3)
		return -1;
	t = p[i] & (unsigned char)~0x20;
	if (!is_alpha(p[i]) || (t != 'R' && t != 'G' && t != 'S') || p[i + 1] != '-')
		return -1;
	i += 2;
	if (p[i] == '0')
		return -1;
	while (i < len && is_digit(p[i])) {
		if (++digits > LINKS_MAX_DIGITS)
			return -1;
		n = n * 10 + (p[i] - '0');
		i++;
	}
	if (digits == 0)
		return -1;
	if (i < len) {
		unsigned char c = p[i];
		bool more = i + 1 < len;

		if (is_word(c))
			return -1;
		if (c == '.' && more && is_word(p[i + 1]))
			return -1;
		if (c == ',' && more && is_digit(p[i + 1]))
			return -1;
	}
	*pos = i;
	*type = (char)t;
	*num = n;
	return 0;
}

/* Skip a list separator from `i`; returns where the next id would start. */
static size_t skip_sep(const unsigned char *p, size_t len, size_t i)
{
	while (i < len && is_blank(p[i]))
		i++;
	while (i < len && p[i] == ',') {
		i++;
		while (i < len && is_space(p[i]))
			i++;
	}
	if (len - i >= 4 && eq_fold(p[i], 'a') && eq_fold(p[i + 1], 'n') &&
	    eq_fold(p[i + 2], 'd') && is_space(p[i + 3])) {
		i += 3;
		while (i < len && is_space(p[i]))
			i++;
	}
	return i;
}

/* Record one link unless it is already among out[0, min(count, max)). */
static void add(links_ref *out, size_t max, size_t *count, int kind, char type, int64_t num)
{
	size_t seen = *count < max ? *count : max;

	for (size_t k = 0; k < seen; k++) {
		if (out[k].type == type && out[k].num == num)
			return;
	}
	if (*count < max) {
		out[*count].kind = kind;
		out[*count].type = type;
		out[*count].num = num;
	}
	(*count)++;
}

/* Parse the list after a verb that ends at `i`; returns where scanning resumes. */
static size_t parse_list(const unsigned char *p, size_t len, size_t i, int kind, links_ref *out,
			 size_t max, size_t *count)
{
	size_t resume = i;
	char type;
	int64_t num;

	while (i < len && is_blank(p[i]))
		i++;
	if (i < len && p[i] == ':')
		i++;
	while (i < len && is_space(p[i]))
		i++;
	while (i < len && parse_id(p, len, &i, &type, &num) == 0) {
		bool fits = kind == LINKS_IMPLEMENT ? type == 'S' : type != 'S';

		if (fits)
			add(out, max, count, kind, type, num);
		resume = i;
		i = skip_sep(p, len, i);
	}
	return resume;
}

size_t links_parse(const char *msg, size_t len, links_ref *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)msg;
	size_t count = 0;
	size_t i = 0;

	if (!msg || (!out && max > 0))
		return 0;
	while (i < len) {
		size_t start;
		int kind;

		if (!is_word(p[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < len && is_word(p[i]))
			i++;
		kind = match_verb(p + start, i - start);
		if (kind)
			i = parse_list(p, len, i, kind, out, max, &count);
	}
	return count;
}
