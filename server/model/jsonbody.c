/* jsonbody.c - one policy for every JSON request body: its syntax first, then what its values may hold. */
#include "model/jsonbody.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

/* ---- a syntax-only pass (RFC 8259) ---------------------------------------------------------- */

/* Where the first syntax error is, and what it is. */
typedef struct scan {
	const char *s;
	size_t n;
	size_t pos;      /* the offending byte (n: the end of input) */
	const char *why; /* static text */
} scan;

static int bad(scan *sc, size_t pos, const char *why)
{
	sc->pos = pos;
	sc->why = why;
	return -1;
}

static size_t skip_ws(const scan *sc, size_t i)
{
	while (i < sc->n && (sc->s[i] == ' ' || sc->s[i] == '\t' || sc->s[i] == '\n' ||
			     sc->s[i] == '\r'))
		i++;
	return i;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		char c = p[k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Length of the well-formed UTF-8 sequence at s[i..n) (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t i, size_t n)
{
	unsigned char c = s[i];
	size_t len, k;
	unsigned lo = 0x80, hi = 0xbf;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
		return 0;
	for (k = 2; k < len; k++)
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* The string starting at the '"' at *i; *i ends after its closing quote. */
static int scan_string(scan *sc, size_t *i)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	size_t p = *i + 1;

	for (;;) {
		if (p >= sc->n)
			return bad(sc, sc->n, "unterminated string");
		if (s[p] == '"')
			break;
		if (s[p] < 0x20)
			return bad(sc, p, "control character in a string (escape it)");
		if (s[p] == '\\') {
			unsigned u, u2;

			if (p + 1 >= sc->n)
				return bad(sc, sc->n, "unterminated string");
			if (strchr("\"\\/bfnrt", s[p + 1]) && s[p + 1]) {
				p += 2;
				continue;
			}
			if (s[p + 1] != 'u')
				return bad(sc, p, "invalid escape in a string");
			if (sc->n - p < 6 || hex4(sc->s + p + 2, &u) < 0)
				return bad(sc, p, "invalid \\u escape: four hex digits expected");
			if (u >= 0xdc00 && u <= 0xdfff)
				return bad(sc, p, "invalid \\u escape: a lone low surrogate");
			if (u >= 0xd800 && u <= 0xdbff) {
				if (sc->n - p < 12 || s[p + 6] != '\\' || s[p + 7] != 'u' ||
				    hex4(sc->s + p + 8, &u2) < 0 || u2 < 0xdc00 || u2 > 0xdfff)
					return bad(sc, p,
						   "invalid \\u escape: a high surrogate without its low one");
				p += 12;
				continue;
			}
			p += 6;
			continue;
		}
		if (s[p] >= 0x80) {
			size_t k = utf8_seq(s, p, sc->n);

			if (!k)
				return bad(sc, p, "invalid UTF-8");
			p += k;
			continue;
		}
		p++;
	}
	*i = p + 1;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? ; its size is not judged here. */
static int scan_number(scan *sc, size_t *i)
{
	const char *s = sc->s;
	size_t p = *i, n = sc->n;

	if (s[p] == '-')
		p++;
	if (p < n && s[p] == '0') {
		p++;
	} else if (p < n && is_digit(s[p])) {
		while (p < n && is_digit(s[p]))
			p++;
	} else {
		return bad(sc, p < n ? p : n, "invalid number");
	}
	if (p < n && s[p] == '.') {
		if (++p >= n || !is_digit(s[p]))
			return bad(sc, p < n ? p : n, "invalid number: digits expected after '.'");
		while (p < n && is_digit(s[p]))
			p++;
	}
	if (p < n && (s[p] == 'e' || s[p] == 'E')) {
		p++;
		if (p < n && (s[p] == '+' || s[p] == '-'))
			p++;
		if (p >= n || !is_digit(s[p]))
			return bad(sc, p < n ? p : n, "invalid number: digits expected in the exponent");
		while (p < n && is_digit(s[p]))
			p++;
	}
	*i = p;
	return 0;
}

static int scan_literal(scan *sc, size_t *i)
{
	static const char *const words[] = {"true", "false", "null"};
	size_t k, w;

	for (w = 0; w < 3; w++) {
		size_t wl = strlen(words[w]);

		if (sc->s[*i] != words[w][0])
			continue;
		for (k = 0; k < wl; k++) {
			if (*i + k >= sc->n)
				return bad(sc, sc->n, "unexpected end of input");
			if (sc->s[*i + k] != words[w][k]) /* placed where the literal starts */
				return bad(sc, *i, "invalid literal");
		}
		*i += wl;
		return 0;
	}
	return bad(sc, *i, "a value was expected");
}

/* The whole document: one value, only whitespace around it. */
static int scan_document(scan *sc)
{
	enum { VALUE, VALUE_OR_CLOSE, KEY, KEY_OR_CLOSE, AFTER } st = VALUE;
	char stack[PROSUM_MAX_JSON_DEPTH];
	int depth = 0;
	size_t i = 0;

	for (;;) {
		char c;

		i = skip_ws(sc, i);
		if (st == AFTER && depth == 0)
			return i == sc->n ? 0 : bad(sc, i, "unexpected text after the document");
		if (i == sc->n)
			return bad(sc, i, "unexpected end of input");
		c = sc->s[i];
		switch (st) {
		case VALUE:
		case VALUE_OR_CLOSE:
			if (c == ']' && st == VALUE_OR_CLOSE) {
				depth--;
				i++;
				st = AFTER;
			} else if (c == '{' || c == '[') {
				if (depth == PROSUM_MAX_JSON_DEPTH)
					return bad(sc, i, "nested deeper than "
							  "the limit");
				stack[depth++] = c;
				i++;
				st = c == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
			} else if (c == '"') {
				if (scan_string(sc, &i) < 0)
					return -1;
				st = AFTER;
			} else if (c == '-' || is_digit(c)) {
				if (scan_number(sc, &i) < 0)
					return -1;
				st = AFTER;
			} else {
				if (scan_literal(sc, &i) < 0)
					return -1;
				st = AFTER;
			}
			break;
		case KEY:
		case KEY_OR_CLOSE:
			if (c == '}' && st == KEY_OR_CLOSE) {
				depth--;
				i++;
				st = AFTER;
				break;
			}
			if (c != '"')
				return bad(sc, i, "a string key was expected");
			if (scan_string(sc, &i) < 0)
				return -1;
			i = skip_ws(sc, i);
			if (i == sc->n)
				return bad(sc, i, "unexpected end of input");
			if (sc->s[i] != ':')
				return bad(sc, i, "':' was expected after a key");
			i++;
			st = VALUE;
			break;
		case AFTER:
			if (c == ',') {
				st = stack[depth - 1] == '{' ? KEY : VALUE;
				i++;
			} else if (c == (stack[depth - 1] == '{' ? '}' : ']')) {
				depth--;
				i++;
			} else {
				return bad(sc, i, stack[depth - 1] == '{' ? "',' or '}' was expected"
									  : "',' or ']' was expected");
			}
			break;
		}
	}
}

/* 1-based line, and column in characters, of byte `pos`. */
static void line_col(const char *s, size_t pos, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 0;
	for (i = 0; i < pos; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 0;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
	(*col)++; /* the offending character itself */
}

/* ---- the policy ------------------------------------------------------------------------------- */

__attribute__((format(printf, 4, 5))) static json_t *
fail(jsonbody_error *err, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	snprintf(err->field, sizeof(err->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return NULL;
}

/* The last key of a path ("a.b" -> "b"; "a[2]" has none: ""). */
static const char *last_key(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t n = strlen(path);

	if (n && path[n - 1] == ']')
		return "";
	return dot ? dot + 1 : path;
}

json_t *jsonbody_parse(const char *json, size_t len, jsonbody_error *err)
{
	json_error_t jerr;
	json_t *doc;
	scan sc;
	int line, col;
	char field[sizeof(err->field)];
	size_t pos;

	memset(err, 0, sizeof(*err));
	if (!json)
		json = "";
	memset(&sc, 0, sizeof(sc));
	sc.s = json;
	sc.n = len;
	if (scan_document(&sc) < 0) {
		line_col(json, sc.pos, &line, &col);
		if (strcmp(sc.why, "nested deeper than the limit") == 0)
			return fail(err, 400, "", "line %d, column %d: nested deeper than %d levels",
				    line, col, PROSUM_MAX_JSON_DEPTH);
		return fail(err, 400, "", "line %d, column %d: %s", line, col, sc.why);
	}
	/* Well-formed: what remains to refuse is about values and keys. When jansson runs out
	 * of memory before it starts, it sets no error at all: its error code would be stack
	 * garbage, so the error starts zeroed (code unknown, no text: out of memory below). */
	memset(&jerr, 0, sizeof(jerr));
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!doc) {
		enum json_error_code code = json_error_code(&jerr);

		pos = (size_t)jerr.position < len ? (size_t)jerr.position : len;
		jsonbody_path_at(json, pos, field, sizeof(field));
		switch (code) {
		case json_error_duplicate_key:
			return fail(err, 400, field, "line %d, column %d: duplicate key \"%s\"",
				    jerr.line, jerr.column, last_key(field));
		case json_error_numeric_overflow:
			return fail(err, 422, field, "is out of range (line %d, column %d)", jerr.line,
				    jerr.column);
		case json_error_null_character:
			return fail(err, 422, field, "must not contain NUL (\\u0000) (line %d, column %d)",
				    jerr.line, jerr.column);
		case json_error_null_byte_in_key:
			/* the key cannot be named: the object holding it is */
			if (*last_key(field))
				field[last_key(field) - field - (last_key(field) > field)] = '\0';
			return fail(err, 422, field,
				    "a key must not contain NUL (\\u0000) (line %d, column %d)",
				    jerr.line, jerr.column);
		case json_error_out_of_memory:
			return fail(err, 500, "", "out of memory");
		default:
			if (!jerr.text[0])
				return fail(err, 500, "", "out of memory");
			return fail(err, 400, "", "line %d, column %d: malformed JSON", jerr.line,
				    jerr.column);
		}
	}
	if (!json_is_object(doc)) {
		const char *what = json_is_array(doc)	 ? "an array"
				   : json_is_string(doc) ? "a string"
				   : json_is_null(doc)	 ? "null"
				   : json_is_number(doc) ? "a number"
							 : "a boolean";

		json_decref(doc);
		return fail(err, 422, "", "must be an object, not %s", what);
	}
	return doc;
}

/*
 * The path ("frames[0].line") of the value being read at byte `pos` of a
 * document that is well-formed up to there: a small scan keeping a stack of
 * object keys and array indexes. Keys are cut to fit; deep paths end in "...".
 */
void jsonbody_path_at(const char *json, size_t pos, char *out, size_t outsz)
{
	struct level {
		int array;
		long index;
		char key[48];
	} st[PROSUM_MAX_JSON_DEPTH + 1];
	int depth = -1, in_string = 0, want_key = 0;
	size_t i, k = 0, o = 0;
	char key[48];

	for (i = 0; i < pos; i++) {
		char c = json[i];

		if (in_string) {
			if (c == '\\' && i + 1 < pos) {
				i++;
			} else if (c == '"') {
				in_string = 0;
				key[k] = '\0';
				if (want_key && depth >= 0 && !st[depth].array)
					memcpy(st[depth].key, key, sizeof(key));
			} else if (k + 1 < sizeof(key)) {
				key[k++] = c;
			}
			continue;
		}
		switch (c) {
		case '"':
			in_string = 1;
			k = 0;
			break;
		case '{':
		case '[':
			if (depth + 1 > PROSUM_MAX_JSON_DEPTH)
				break;
			depth++;
			st[depth].array = c == '[';
			st[depth].index = 0;
			st[depth].key[0] = '\0';
			want_key = c == '{';
			break;
		case '}':
		case ']':
			if (depth >= 0)
				depth--;
			want_key = 0;
			break;
		case ':':
			want_key = 0;
			break;
		case ',':
			if (depth >= 0 && st[depth].array)
				st[depth].index++;
			want_key = depth >= 0 && !st[depth].array;
			break;
		default:
			break;
		}
	}
	out[0] = '\0';
	for (i = 0; (int)i <= depth && o + 1 < outsz; i++) {
		int n = st[i].array ? snprintf(out + o, outsz - o, "[%ld]", st[i].index)
				    : snprintf(out + o, outsz - o, "%s%s", o ? "." : "", st[i].key);

		if (n < 0 || (size_t)n >= outsz - o) {
			out[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
}
