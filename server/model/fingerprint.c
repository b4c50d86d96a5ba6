/* fingerprint.c - the grouping rule: a report's fingerprint, from its custom key, stack or title. */
#include <assert.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "model/fingerprint.h"

/* Frames that count, and the ceiling of one normalised function name. */
#define FP_FRAMES 5
#define FP_NAME_MAX 1024
#define MAX_TITLE REPORT_MAX_TITLE

/* Member `key` of `obj`, or NULL when absent; JSON null counts as absent, as in report.c. */
static json_t *member(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* ---- fingerprint ------------------------------------------------------------------------- */

/*
 * The grouping key is a sequence of parts, each fed to SHA-256 as a 4-byte
 * big-endian length and then its bytes, so ("a","bc") and ("ab","c") differ.
 * It opens with a version tag and a namespace, so keys of different kinds
 * never meet:
 *
 *   "custom": the client's "fingerprint" strings, as sent, in order; Sentry's
 *             "{{ default }}" among them is fed as a NUL and the default key's
 *             32 bytes (no string holds a NUL, so no string equals it), and a
 *             fingerprint of "{{ default }}" alone is the default key itself.
 *   "stack":  the exception type ("" when none), then the normalised function
 *             names of the first FP_FRAMES frames (innermost first) that have
 *             one. Used when there is an exception type or at least one frame
 *             whose function survives normalisation. File, line, module and
 *             address never count, so rebuilds and ASLR do not split a group.
 *   "title":  the kind, then the normalised title.
 *
 * Function names are normalised so the same code reported by different
 * symbolisers or builds agrees (see norm_function); titles so that
 * "Timeout after 31s" and "timeout  after 45s" agree (see norm_title).
 */

static void fp_part(mbedtls_sha256_context *ctx, const char *s, size_t n)
{
	unsigned char len[4];

	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	mbedtls_sha256_update_ret(ctx, len, sizeof(len));
	mbedtls_sha256_update_ret(ctx, (const unsigned char *)s, n);
}

static int is_ident(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || c >= 0x80;
}

static int is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Index just past the group that opens at s[i] (`open`), or `end` when it never closes. */
static size_t skip_group(const char *s, size_t i, size_t end, char open, char close)
{
	int depth = 0;

	for (; i < end; i++) {
		if (s[i] == open) {
			depth++;
		} else if (s[i] == close && --depth == 0) {
			return i + 1;
		}
	}
	return end;
}

/*
 * Normalise a function name into out[FP_NAME_MAX] (cut there); returns its length.
 *   - a trailing " (in libfoo.so)" goes;
 *   - "(anonymous namespace)::" and MSVC's "`anonymous namespace'::" go;
 *   - template arguments "<...>" and parameter lists "(...)" go, nested or not
 *     ("operator<", "operator()" and friends keep their symbol);
 *   - offsets "+0x1a", "+ 26" and addresses "0x4011d6" go;
 *   - a trailing " const" and a Rust hash suffix "::h0123456789abcdef" go;
 *   - white space is folded and trimmed;
 *   - "??" (an unknown symbol) becomes "", as does a name of addresses only.
 */
static size_t norm_function(const char *s, char out[FP_NAME_MAX])
{
	size_t end = strlen(s), i = 0, n = 0;
	const char *in;

	/* trailing " (in libfoo.so)", the module as macOS and some symbolisers print it */
	in = strstr(s, " (in ");
	while (in && strstr(in + 1, " (in "))
		in = strstr(in + 1, " (in ");
	if (in && end > 0 && s[end - 1] == ')')
		end = (size_t)(in - s);

	while (i < end && n < FP_NAME_MAX - 1) {
		unsigned char c = (unsigned char)s[i];

		if (starts_with(s + i, "(anonymous namespace)::")) {
			i += strlen("(anonymous namespace)::");
		} else if (starts_with(s + i, "`anonymous namespace'::")) {
			i += strlen("`anonymous namespace'::");
		} else if (starts_with(s + i, "operator") &&
			   (i == 0 || !is_ident((unsigned char)s[i - 1])) &&
			   !is_ident((unsigned char)s[i + 8])) {
			/* keep the operator's symbol: "operator<", "operator()", "operator<=>" */
			size_t k = i + 8, sym = 0;

			while (k < end && s[k] == ' ')
				k++;
			if (k + 1 < end &&
			    ((s[k] == '(' && s[k + 1] == ')') || (s[k] == '[' && s[k + 1] == ']')))
				sym = 2;
			else {
				while (sym < 3 && k + sym < end && s[k + sym] &&
				       strchr("<>=!+-*/%^&|~,", s[k + sym]))
					sym++;
			}
			for (size_t j = 0; j < 8 && n < FP_NAME_MAX - 1; j++)
				out[n++] = s[i + j];
			for (size_t j = 0; j < sym && n < FP_NAME_MAX - 1; j++)
				out[n++] = s[k + j];
			i = k + sym;
		} else if (c == '<') {
			i = skip_group(s, i, end, '<', '>');
		} else if (c == '(') {
			i = skip_group(s, i, end, '(', ')');
		} else if (c == '+') {
			/* an offset: "+0x1a", "+ 26"; a lone '+' stays */
			size_t k = i + 1;

			while (k < end && s[k] == ' ')
				k++;
			if (k + 2 < end && s[k] == '0' && (s[k + 1] == 'x' || s[k + 1] == 'X') &&
			    is_hex((unsigned char)s[k + 2])) {
				for (k += 2; k < end && is_hex((unsigned char)s[k]); k++)
					;
				i = k;
			} else if (k < end && s[k] >= '0' && s[k] <= '9') {
				while (k < end && s[k] >= '0' && s[k] <= '9')
					k++;
				i = k;
			} else {
				out[n++] = s[i++];
			}
		} else if (c == '0' && i + 2 < end && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
			   is_hex((unsigned char)s[i + 2]) &&
			   (i == 0 || !is_ident((unsigned char)s[i - 1]))) {
			/* an address standing for a name */
			for (i += 2; i < end && is_hex((unsigned char)s[i]); i++)
				;
		} else if (is_space(c)) {
			if (n > 0 && out[n - 1] != ' ')
				out[n++] = ' ';
			i++;
		} else {
			out[n++] = s[i++];
		}
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	if (n >= 6 && memcmp(out + n - 6, " const", 6) == 0)
		n -= 6;
	if (n >= 19 && memcmp(out + n - 19, "::h", 3) == 0) {
		size_t k = n - 16;

		while (k < n && is_hex((unsigned char)out[k]))
			k++;
		if (k == n)
			n -= 19;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	if (n == 2 && memcmp(out, "??", 2) == 0)
		n = 0;
	out[n] = '\0';
	return n;
}

/*
 * Normalise a title into out[MAX_TITLE + 1] (cut there): ASCII lower-cased,
 * runs of white space folded to one space and trimmed, every run of digits
 * replaced by "0" and every hex literal "0x..." by "0x0", so titles that
 * differ only in counts, durations, ids or addresses agree.
 */
static size_t norm_title(const char *s, char out[MAX_TITLE + 1])
{
	size_t i = 0, n = 0;

	while (s[i] && n < MAX_TITLE) {
		unsigned char c = (unsigned char)s[i];

		if (is_space(c)) {
			if (n > 0 && out[n - 1] != ' ')
				out[n++] = ' ';
			i++;
		} else if (c == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
			   is_hex((unsigned char)s[i + 2])) {
			if (n + 3 > MAX_TITLE)
				break;
			memcpy(out + n, "0x0", 3);
			n += 3;
			for (i += 2; is_hex((unsigned char)s[i]); i++)
				;
		} else if (c >= '0' && c <= '9') {
			out[n++] = '0';
			while (s[i] >= '0' && s[i] <= '9')
				i++;
		} else {
			out[n++] = (char)to_lower(c);
			i++;
		}
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n;
}

/*
 * Sentry's "{{ default }}" in a custom fingerprint: the default grouping key stands there.
 * Spaces inside the braces are optional, the name is matched ignoring ASCII case.
 */
int fingerprint_is_default(const char *s)
{
	static const char name[] = "default";
	size_t i;

	if (!s || s[0] != '{' || s[1] != '{')
		return 0;
	s += 2;
	while (*s == ' ')
		s++;
	for (i = 0; name[i]; i++)
		if (to_lower((unsigned char)s[i]) != name[i])
			return 0;
	s += i;
	while (*s == ' ')
		s++;
	return s[0] == '}' && s[1] == '}' && s[2] == '\0';
}

/* The default grouping key (the "stack" or "title" namespace) of r, as raw SHA-256. */
static void default_digest(const report *r, unsigned char sum[32])
{
	char names[FP_FRAMES][FP_NAME_MAX];
	size_t lens[FP_FRAMES], nnames = 0, i;
	char title[MAX_TITLE + 1];
	mbedtls_sha256_context ctx;
	json_t *frames = NULL, *v;
	const char *type = r->exception_type ? r->exception_type : "";

	if (r->root)
		frames = member(r->root, "frames");
	json_array_foreach(frames, i, v)
	{
		const char *fn = json_string_value(member(v, "function"));

		if (nnames == FP_FRAMES)
			break;
		/* Frames of system libraries (in_app: false, as Sentry's SDKs mark them)
		 * say where it crashed, not whose code did: they do not group. */
		if (!fn || json_is_false(member(v, "in_app")))
			continue;
		lens[nnames] = norm_function(fn, names[nnames]);
		if (lens[nnames] > 0)
			nnames++;
	}

	mbedtls_sha256_init(&ctx);
	mbedtls_sha256_starts_ret(&ctx, 0);
	fp_part(&ctx, "prosum-fingerprint-1", strlen("prosum-fingerprint-1"));
	if (type[0] || nnames > 0) {
		fp_part(&ctx, "stack", 5);
		fp_part(&ctx, type, strlen(type));
		for (i = 0; i < nnames; i++)
			fp_part(&ctx, names[i], lens[i]);
	} else {
		const char *kind = r->kind ? r->kind : "";

		fp_part(&ctx, "title", 5);
		fp_part(&ctx, kind, strlen(kind));
		fp_part(&ctx, title, norm_title(r->title ? r->title : "", title));
	}
	mbedtls_sha256_finish_ret(&ctx, sum);
	mbedtls_sha256_free(&ctx);
}

void report_fingerprint(const report *r, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char sum[32], dflt[32];
	/* A marker's part: a NUL (which no fingerprint string holds), then the default key. */
	char marker[1 + sizeof(dflt)];
	mbedtls_sha256_context ctx;
	json_t *custom = NULL, *v;
	size_t i, literal = 0;

	assert(r);
	if (r->root)
		custom = member(r->root, "fingerprint");
	if (json_is_array(custom))
		json_array_foreach(custom, i, v)
			if (!fingerprint_is_default(json_string_value(v)))
				literal++;
	default_digest(r, dflt);
	if (literal == 0) {
		/* No fingerprint, or "{{ default }}" alone: the default grouping. */
		memcpy(sum, dflt, sizeof(sum));
	} else {
		marker[0] = '\0';
		memcpy(marker + 1, dflt, sizeof(dflt));
		mbedtls_sha256_init(&ctx);
		mbedtls_sha256_starts_ret(&ctx, 0);
		fp_part(&ctx, "prosum-fingerprint-1", strlen("prosum-fingerprint-1"));
		fp_part(&ctx, "custom", 6);
		json_array_foreach(custom, i, v)
		{
			const char *s = json_string_value(v);

			if (fingerprint_is_default(s))
				fp_part(&ctx, marker, sizeof(marker));
			else
				fp_part(&ctx, s ? s : "", s ? strlen(s) : 0);
		}
		mbedtls_sha256_finish_ret(&ctx, sum);
		mbedtls_sha256_free(&ctx);
	}
	for (i = 0; i < sizeof(sum); i++) {
		hex[2 * i] = digits[sum[i] >> 4];
		hex[2 * i + 1] = digits[sum[i] & 0xf];
	}
	hex[64] = '\0';
}
