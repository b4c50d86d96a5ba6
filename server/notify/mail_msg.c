/* mail_msg.c - an e-mail message: headers (RFC 5322, RFC 2047 subjects, RFC 8058 unsubscribe) and a plain text + HTML body. */
#include "notify/mail_msg.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define SUBJECT_MAX 200 /* bytes of a subject before encoding */
#define DETAIL_MAX 4000 /* bytes of an item's detail shown in a mail */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 of len bytes, appended; with line breaks (CRLF) every 76 characters when
 * wrap is set. */
static int base64(buf *out, const unsigned char *p, size_t len, int wrap)
{
	size_t i, col = 0;
	char q[4];

	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64[v & 63] : '=';
		if (buf_append(out, q, 4) < 0)
			return -1;
		col += 4;
		if (wrap && col >= 76) {
			if (buf_puts(out, "\r\n") < 0)
				return -1;
			col = 0;
		}
	}
	if (wrap && col > 0 && buf_puts(out, "\r\n") < 0)
		return -1;
	return 0;
}

int mail_address_of(const char *from, char *out, size_t outlen)
{
	const char *lt = strrchr(from, '<'), *gt;
	size_t n;

	if (lt) {
		gt = strchr(lt, '>');
		if (!gt)
			return -1;
		n = (size_t)(gt - lt - 1);
		if (n + 1 > outlen)
			return -1;
		memcpy(out, lt + 1, n);
		out[n] = '\0';
	} else if ((size_t)snprintf(out, outlen, "%s", from) >= outlen) {
		return -1;
	}
	return mail_address_ok(out) ? 0 : -1;
}

/* The length of the UTF-8 sequence starting with byte c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Append s with control characters as spaces, at most max bytes, cut on a character
 * boundary; 1 when it was cut. */
static int clean(buf *out, const char *s, size_t max)
{
	size_t i = 0, n = strlen(s), k;

	while (i < n) {
		k = utf8_len((unsigned char)s[i]);
		if (i + k > n)
			k = n - i;
		if (i + k > max)
			return 1;
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			if (buf_append(out, " ", 1) < 0)
				return -1;
		} else if (buf_append(out, s + i, k) < 0) {
			return -1;
		}
		i += k;
	}
	return 0;
}

int mail_subject(buf *out, const mail_entry *items, size_t n)
{
	int cut;

	if (n == 1) {
		if (buf_printf(out, "[%s] ", items[0].project) < 0)
			return -1;
		cut = clean(out, items[0].line, SUBJECT_MAX);
		if (cut < 0 || (cut && buf_puts(out, "…") < 0))
			return -1;
		return 0;
	}
	return buf_printf(out, "[%s] %zu updates", items[0].project, n) < 0 ? -1 : 0;
}

int mail_header_encode(buf *out, const char *text)
{
	size_t n = strlen(text), i, k, start;
	int plain = n <= 70;

	for (i = 0; i < n && plain; i++)
		if ((unsigned char)text[i] >= 0x7f || (unsigned char)text[i] < 0x20 ||
		    (text[i] == '=' && text[i + 1] == '?'))
			plain = 0;
	if (plain)
		return buf_puts(out, text) < 0 ? -1 : 0;
	/* Words of at most 45 bytes (60 base64 characters, 72 with "=?UTF-8?B?" and "?="), each
	 * ending on a character boundary so that no word holds half a character. */
	i = 0;
	while (i < n) {
		start = i;
		while (i < n) {
			k = utf8_len((unsigned char)text[i]);
			if (i + k > n)
				k = n - i;
			if (i + k - start > 45)
				break;
			i += k;
		}
		if (i == start)
			i = start + 1; /* cannot happen with k <= 4, but never loop forever */
		if ((start > 0 && buf_puts(out, "\r\n ") < 0) || buf_puts(out, "=?UTF-8?B?") < 0 ||
		    base64(out, (const unsigned char *)text + start, i - start, 0) < 0 ||
		    buf_puts(out, "?=") < 0)
			return -1;
	}
	return 0;
}

int mail_html_escape(buf *out, const char *s)
{
	for (; *s; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: break;
		}
		if (e ? buf_puts(out, e) < 0 : buf_append(out, s, 1) < 0)
			return -1;
	}
	return 0;
}

/* RFC 5322 date of t, in UTC, without the locale. */
static int date_header(buf *out, int64_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		return -1;
	return buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
			  days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
			  tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec) < 0
		   ? -1
		   : 0;
}

static int text_body(buf *t, const mail_msg *m)
{
	size_t i;
	int bad = 0;

	bad |= buf_puts(t, "Hello,\r\n\r\nNews from prosum:\r\n") < 0;
	for (i = 0; i < m->n && !bad; i++) {
		const mail_entry *e = &m->items[i];

		bad |= buf_puts(t, "\r\n* ") < 0 || clean(t, e->line, SUBJECT_MAX) < 0 ||
		       buf_printf(t, " (%s)\r\n", e->project) < 0;
		if (e->detail)
			bad |= buf_puts(t, "  ") < 0 || clean(t, e->detail, DETAIL_MAX) < 0 ||
			       buf_puts(t, "\r\n") < 0;
		if (e->url)
			bad |= buf_printf(t, "  %s\r\n", e->url) < 0;
		if (e->unsub_url)
			bad |= buf_printf(t, "  Stop these: %s\r\n", e->unsub_url) < 0;
	}
	bad |= buf_printf(t, "\r\n-- \r\nYou get this mail because you asked for these updates.\r\n"
			     "Unsubscribe from all of them: %s\r\n",
			  m->unsub_url) < 0;
	return bad ? -1 : 0;
}

static int html_body(buf *h, const mail_msg *m)
{
	buf tmp = BUF_INIT(DETAIL_MAX * 2);
	size_t i;
	int bad = 0;

	bad |= buf_puts(h, "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"></head><body>\r\n"
			   "<p>Hello,</p>\r\n<p>News from prosum:</p>\r\n<ul>\r\n") < 0;
	for (i = 0; i < m->n && !bad; i++) {
		const mail_entry *e = &m->items[i];

		buf_reset(&tmp);
		bad |= clean(&tmp, e->line, SUBJECT_MAX) < 0;
		bad |= buf_puts(h, "<li><strong>") < 0 || mail_html_escape(h, tmp.p ? tmp.p : "") < 0 ||
		       buf_puts(h, "</strong> (") < 0 || mail_html_escape(h, e->project) < 0 ||
		       buf_puts(h, ")") < 0;
		if (e->detail) {
			buf_reset(&tmp);
			bad |= clean(&tmp, e->detail, DETAIL_MAX) < 0;
			bad |= buf_puts(h, "<br>") < 0 || mail_html_escape(h, tmp.p ? tmp.p : "") < 0;
		}
		if (e->url)
			bad |= buf_puts(h, "<br><a href=\"") < 0 || mail_html_escape(h, e->url) < 0 ||
			       buf_puts(h, "\">Open</a>") < 0;
		if (e->unsub_url)
			bad |= buf_puts(h, "<br><small><a href=\"") < 0 ||
			       mail_html_escape(h, e->unsub_url) < 0 ||
			       buf_puts(h, "\">Stop these</a></small>") < 0;
		bad |= buf_puts(h, "</li>\r\n") < 0;
	}
	bad |= buf_puts(h, "</ul>\r\n<p><small>You get this mail because you asked for these "
			   "updates. <a href=\"") < 0 ||
	       mail_html_escape(h, m->unsub_url) < 0 ||
	       buf_puts(h, "\">Unsubscribe from all of them</a>.</small></p>\r\n</body></html>\r\n") < 0;
	buf_free(&tmp);
	return bad ? -1 : 0;
}

int mail_msg_build(buf *out, const mail_msg *m)
{
	buf subj = BUF_INIT(4096), text = BUF_INIT(1 << 20), html = BUF_INIT(2 << 20);
	char addr[256];
	const char *domain = "prosum.invalid";
	int bad = 0;

	if (mail_address_of(m->from, addr, sizeof(addr)) == 0)
		domain = strchr(addr, '@') + 1;

	bad |= mail_subject(&subj, m->items, m->n) < 0 || text_body(&text, m) < 0 ||
	       html_body(&html, m) < 0;
	bad |= buf_printf(out, "From: %s\r\nTo: %s\r\nSubject: ", m->from, m->to) < 0 ||
	       mail_header_encode(out, subj.p ? subj.p : "") < 0 || buf_puts(out, "\r\n") < 0 ||
	       date_header(out, m->now) < 0;
	bad |= buf_printf(out,
			  "Message-ID: <%s@%s>\r\n"
			  "MIME-Version: 1.0\r\n"
			  "Auto-Submitted: auto-generated\r\n"
			  "List-Unsubscribe: <%s>\r\n"
			  "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
			  "Content-Type: multipart/alternative; boundary=\"=_prosum_%s\"\r\n\r\n"
			  "--=_prosum_%s\r\n"
			  "Content-Type: text/plain; charset=utf-8\r\n"
			  "Content-Transfer-Encoding: base64\r\n\r\n",
			  m->msg_id, domain, m->unsub_url, m->msg_id, m->msg_id) < 0;
	bad |= base64(out, (const unsigned char *)(text.p ? text.p : ""), text.len, 1) < 0;
	bad |= buf_printf(out,
			  "\r\n--=_prosum_%s\r\n"
			  "Content-Type: text/html; charset=utf-8\r\n"
			  "Content-Transfer-Encoding: base64\r\n\r\n",
			  m->msg_id) < 0;
	bad |= base64(out, (const unsigned char *)(html.p ? html.p : ""), html.len, 1) < 0;
	bad |= buf_printf(out, "\r\n--=_prosum_%s--\r\n", m->msg_id) < 0;
	buf_free(&subj);
	buf_free(&text);
	buf_free(&html);
	return bad ? -1 : 0;
}
