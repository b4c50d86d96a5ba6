/* items.c - the items of a Sentry envelope beside its events: attachments and user feedback. */
#include "sentry/items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "store/store_sentry.h"

#define MIB (1024.0 * 1024.0)

int sentry_id_norm(const char *s, char out[SENTRY_EVENT_ID_LEN + 1])
{
	size_t n = 0;

	if (!s)
		return -1;
	for (; *s; s++) {
		char c = *s;

		if (c == '-')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n == SENTRY_EVENT_ID_LEN)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == SENTRY_EVENT_ID_LEN ? 0 : -1;
}

void sentry_id_uuid(const char *hex, char out[SENTRY_UUID_LEN + 1])
{
	snprintf(out, SENTRY_UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
		 hex + 16, hex + 20);
}

/* "30.0 MiB (31457280 bytes)", "300 KiB (307200 bytes)", "10 bytes". */
static void size_text(char *out, size_t outsz, size_t n)
{
	if (n >= 1024 * 1024)
		snprintf(out, outsz, "%.1f MiB (%zu bytes)", (double)n / MIB, n);
	else if (n >= 1024)
		snprintf(out, outsz, "%zu KiB (%zu bytes)", (n + 1023) / 1024, n);
	else
		snprintf(out, outsz, "%zu bytes", n);
}

static void limit_text(char *out, size_t outsz, size_t n)
{
	if (n % (1024 * 1024) == 0)
		snprintf(out, outsz, "%zu MiB", n / (1024 * 1024));
	else if (n % 1024 == 0)
		snprintf(out, outsz, "%zu KiB", n / 1024);
	else
		snprintf(out, outsz, "%zu bytes", n);
}

/* Item types whose payload prosum reads, bounded like a report document. */
static int read_type(const char *type)
{
	static const char *const read[] = {"event",   "user_report",   "feedback", "session",
					   "sessions", "client_report", "check_in"};
	size_t i;

	for (i = 0; i < sizeof(read) / sizeof(read[0]); i++)
		if (strcmp(type, read[i]) == 0)
			return 1;
	return 0;
}

int sentry_items_check_sizes(const sentry_envelope *env, size_t max_json, size_t max_attachment,
			     char *err, size_t errlen)
{
	char got[64], lim[32];
	size_t i;

	for (i = 0; i < env->nitems; i++) {
		const sentry_item *it = &env->items[i];
		int att = strcmp(it->type, "attachment") == 0;
		size_t max = att ? max_attachment : max_json;

		if ((!att && !read_type(it->type)) || it->len <= max)
			continue;
		size_text(got, sizeof(got), it->len);
		limit_text(lim, sizeof(lim), max);
		if (att) {
			sentry_attachment a;

			sentry_attachment_read(it, &a);
			snprintf(err, errlen, "item %zu (attachment %s): %s is over the limit of %s",
				 i + 1, a.name, got, lim);
		} else {
			snprintf(err, errlen, "item %zu (%s): %s is over the limit of %s", i + 1,
				 it->type, got, lim);
		}
		return -1;
	}
	return 0;
}

static int name_byte_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == ' ';
}

void sentry_attachment_name(const char *filename, const char *fallback,
			    char out[ATTACH_NAME_MAX + 1])
{
	const char *base, *dot;
	size_t n, ext, i, k = 0;

	if (!filename || !*filename)
		filename = fallback;
	/* A path names its last part: SDKs send what the app called the file. */
	base = filename;
	for (i = 0; filename[i]; i++)
		if (filename[i] == '/' || filename[i] == '\\')
			base = filename + i + 1;
	if (!*base)
		base = fallback;
	n = strlen(base);
	dot = strrchr(base, '.');
	ext = dot && (size_t)(base + n - dot) <= 16 ? (size_t)(base + n - dot) : 0;
	for (i = 0; i < n; i++) {
		/* Too long: the start, then the extension. */
		if (k == SENTRY_ATTACHMENT_NAME_MAX - ext && i < n - ext)
			i = n - ext;
		if (k == SENTRY_ATTACHMENT_NAME_MAX)
			break;
		out[k++] = name_byte_ok(base[i]) ? base[i] : '_';
	}
	out[k] = '\0';
	/* Not starting with '.' or ' ', not ending with ' ', no "..". */
	if (out[0] == '.' || out[0] == ' ')
		out[0] = '_';
	if (k > 0 && out[k - 1] == ' ')
		out[k - 1] = '_';
	for (i = 1; i < k; i++)
		if (out[i] == '.' && out[i - 1] == '.')
			out[i] = '_';
	if (!attach_name_ok(out, k))
		snprintf(out, ATTACH_NAME_MAX + 1, "%s", "attachment");
}

void sentry_attachment_read(const sentry_item *it, sentry_attachment *out)
{
	const char *type = json_string_value(json_object_get(it->headers, "attachment_type"));
	const char *ct = json_string_value(json_object_get(it->headers, "content_type"));
	size_t i, n;

	memset(out, 0, sizeof(*out));
	n = type ? strlen(type) : 0;
	for (i = 0; i < n; i++)
		if (!((type[i] >= 'a' && type[i] <= 'z') || type[i] == '.' || type[i] == '_'))
			break;
	if (n == 0 || i < n || n >= sizeof(out->attachment_type))
		type = "event.attachment";
	snprintf(out->attachment_type, sizeof(out->attachment_type), "%s", type);
	sentry_attachment_name(json_string_value(json_object_get(it->headers, "filename")),
			       strcmp(type, "event.minidump") == 0 ? "minidump.dmp" : "attachment",
			       out->name);
	if (strcmp(type, "event.minidump") == 0) {
		snprintf(out->content_type, sizeof(out->content_type), "application/x-dmp");
	} else {
		attach_sniff_type(out->content_type, ct, ct ? strlen(ct) : 0);
		/* Listed as the picture it is, as multipart reports are. */
		if (strcmp(out->content_type, "application/octet-stream") == 0) {
			const char *pic = attach_image_type(it->payload, it->len);
			if (pic)
				snprintf(out->content_type, sizeof(out->content_type), "%s", pic);
		}
	}
	out->data = it->payload;
	out->len = it->len;
}

/* ---- user feedback ---- */

/* The first line of s that holds more than white space, cut under the 1,024-byte title. */
static json_t *first_line(const char *s)
{
	size_t n, i;

	while (s && *s) {
		n = strcspn(s, "\n");
		for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'); i++)
			;
		if (i < n) {
			while (n > i && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
				n--;
			if (n - i > 1000) { /* cut between UTF-8 characters */
				n = i + 1000;
				while (n > i && ((unsigned char)s[n] & 0xc0) == 0x80)
					n--;
			}
			return json_stringn(s + i, n - i);
		}
		s += n + (s[n] == '\n');
	}
	return json_string("(no comments)");
}

/* The text cut to what a report field holds, between UTF-8 characters. */
static json_t *whole_text(const char *s)
{
	size_t n = strlen(s);

	if (n > PROSUM_MAX_FIELD) {
		n = PROSUM_MAX_FIELD;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return json_stringn(s, n);
}

static const char *nonempty(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s && strlen(s) <= 256 ? s : NULL;
}

/* doc made a feedback report of `text` from name <email> (each NULL when not given). */
static void make_feedback(json_t *doc, const char *text, const char *name, const char *email)
{
	json_t *t = first_line(text);

	json_object_set_new(doc, "kind", json_string("feedback"));
	json_object_set_new(doc, "title", t ? t : json_string("(no comments)"));
	if (text && *text)
		json_object_set_new(doc, "description", whole_text(text));
	json_object_del(doc, "exception");
	json_object_del(doc, "frames");
	json_object_del(doc, "fingerprint");
	if (name || email) {
		json_t *c = json_object();
		if (name)
			json_object_set_new(c, "name", json_string(name));
		if (email)
			json_object_set_new(c, "email", json_string(email));
		json_object_set_new(doc, "contact", c);
	}
}

int sentry_feedback_from_user_report(const json_t *ur, const json_t *env_headers, json_t **doc,
				     char event_uuid[SENTRY_UUID_LEN + 1], char *err,
				     size_t errlen, char *field, size_t fieldlen)
{
	char eid[SENTRY_EVENT_ID_LEN + 1], fid[SENTRY_EVENT_ID_LEN + 1];
	const json_t *trace = json_object_get(env_headers, "trace");
	const char *s, *comments;
	json_t *ev;
	size_t i;
	int rc;

	*doc = NULL;
	if (!json_is_object(ur)) {
		snprintf(err, errlen, "a user_report must be a JSON object");
		snprintf(field, fieldlen, "user_report");
		return -1;
	}
	if (sentry_id_norm(json_string_value(json_object_get(ur, "event_id")), eid) < 0) {
		snprintf(err, errlen, "user_report.event_id must be 32 hex digits (dashes allowed)");
		snprintf(field, fieldlen, "user_report.event_id");
		return -1;
	}
	comments = json_string_value(json_object_get(ur, "comments"));
	if (json_object_get(ur, "comments") && !comments) {
		snprintf(err, errlen, "user_report.comments must be a string");
		snprintf(field, fieldlen, "user_report.comments");
		return -1;
	}
	/* The feedback's own id: the event's with every bit flipped, one per event. */
	for (i = 0; i < SENTRY_EVENT_ID_LEN; i++) {
		int v = eid[i] <= '9' ? eid[i] - '0' : eid[i] - 'a' + 10;
		fid[i] = "0123456789abcdef"[15 - v];
	}
	fid[SENTRY_EVENT_ID_LEN] = '\0';
	ev = json_pack("{s:s,s:s}", "event_id", fid, "level", "info");
	if ((s = json_string_value(json_object_get(trace, "release"))))
		json_object_set_new(ev, "release", json_string(s));
	if ((s = json_string_value(json_object_get(trace, "environment"))))
		json_object_set_new(ev, "environment", json_string(s));
	rc = sentry_event_map(ev, 0, doc, fid, err, errlen, field, fieldlen);
	json_decref(ev);
	if (rc < 0)
		return -1;
	make_feedback(*doc, comments ? comments : "", nonempty(ur, "name"), nonempty(ur, "email"));
	sentry_id_uuid(eid, event_uuid);
	return 0;
}

void sentry_feedback_from_event(json_t *doc, const json_t *event,
				char event_uuid[SENTRY_UUID_LEN + 1])
{
	const json_t *fb = json_object_get(json_object_get(event, "contexts"), "feedback");
	const char *msg = json_string_value(json_object_get(fb, "message"));
	char eid[SENTRY_EVENT_ID_LEN + 1];

	make_feedback(doc, msg ? msg : "", nonempty(fb, "name"), nonempty(fb, "contact_email"));
	event_uuid[0] = '\0';
	if (sentry_id_norm(json_string_value(json_object_get(fb, "associated_event_id")), eid) == 0)
		sentry_id_uuid(eid, event_uuid);
}

/* ---- storing them ---- */

typedef struct items_feedback {
	char feedback[SENTRY_UUID_LEN + 1];
	char event[SENTRY_UUID_LEN + 1]; /* "": about no event */
} items_feedback;

typedef struct items_attachment {
	char target[SENTRY_UUID_LEN + 1];
	sentry_attachment a;
	int added;
} items_attachment;

struct sentry_items {
	const char *attach_dir;
	char events[SENTRY_ITEMS_MAX][SENTRY_UUID_LEN + 1];
	size_t nevents;
	items_feedback feedback[SENTRY_ITEMS_MAX];
	size_t nfeedback;
	items_attachment att[SENTRY_ITEMS_MAX];
	size_t natt;
	int status; /* a refusal: 413 */
	const char *code;
	char message[256];
	char field[32];
};

sentry_items *sentry_items_new(const char *attach_dir)
{
	sentry_items *it = calloc(1, sizeof(*it));

	if (it)
		it->attach_dir = attach_dir;
	return it;
}

int sentry_items_event(sentry_items *it, const char *uuid)
{
	if (it->nevents == SENTRY_ITEMS_MAX)
		return -1;
	snprintf(it->events[it->nevents++], SENTRY_UUID_LEN + 1, "%s", uuid);
	return 0;
}

int sentry_items_feedback(sentry_items *it, const char *feedback_uuid, const char *event_uuid)
{
	items_feedback *f;

	if (it->nfeedback == SENTRY_ITEMS_MAX)
		return -1;
	f = &it->feedback[it->nfeedback++];
	snprintf(f->feedback, sizeof(f->feedback), "%s", feedback_uuid);
	snprintf(f->event, sizeof(f->event), "%s", event_uuid ? event_uuid : "");
	return 0;
}

int sentry_items_attachment(sentry_items *it, const char *target, const sentry_attachment *a)
{
	items_attachment *x;

	if (it->natt == SENTRY_ITEMS_MAX)
		return -1;
	x = &it->att[it->natt++];
	snprintf(x->target, sizeof(x->target), "%s", target);
	x->a = *a;
	return 0;
}

int sentry_items_any(const sentry_items *it)
{
	return it->nevents + it->nfeedback + it->natt > 0;
}

/* The report of uuid in *num, 0 when it is not stored (yet). */
static int num_of(store_db *db, int64_t project_id, const char *uuid, int64_t *num)
{
	int rc = store_sentry_report_num(db, project_id, uuid, num);

	if (rc == STORE_NOTFOUND) {
		*num = 0;
		return STORE_OK;
	}
	return rc;
}

/* Does the report (or the waiting list) of target hold no more than prosum's multipart
 * ceilings allow? STORE_OK, or STORE_INVALID with the refusal set. */
static int check_total(store_db *db, int64_t project_id, sentry_items *it, const char *target)
{
	int64_t num, count, bytes;
	int rc = num_of(db, project_id, target, &num);

	if (rc == STORE_OK)
		rc = store_sentry_attachments_total(db, project_id, num, target, &count, &bytes);
	if (rc != STORE_OK)
		return rc;
	if (count > PROSUM_MAX_ATTACHMENTS) {
		it->code = "too_many_attachments";
		snprintf(it->message, sizeof(it->message),
			 "event %s: at most %d attachments per report; with these it would have "
			 "%lld",
			 target, PROSUM_MAX_ATTACHMENTS, (long long)count);
	} else if (bytes > PROSUM_MAX_BODY) {
		it->code = "attachments_too_large";
		snprintf(it->message, sizeof(it->message),
			 "event %s: at most %d MiB of attachments per report; with these it would "
			 "have %lld bytes",
			 target, PROSUM_MAX_BODY / (1024 * 1024), (long long)bytes);
	} else {
		return STORE_OK;
	}
	it->status = 413;
	snprintf(it->field, sizeof(it->field), "attachments");
	return STORE_INVALID;
}

int sentry_items_run(store_db *db, int64_t project_id, int64_t now, sentry_items *it)
{
	char sha[ATTACH_HEX_LEN + 1];
	store_sentry_attachment sa;
	int64_t num;
	size_t i, j;
	int rc = STORE_OK, created;

	for (i = 0; rc == STORE_OK && i < it->nevents; i++) {
		rc = num_of(db, project_id, it->events[i], &num);
		if (rc == STORE_OK && num > 0)
			rc = store_sentry_pending_claim(db, project_id, num, it->events[i], now);
	}
	for (i = 0; rc == STORE_OK && i < it->nfeedback; i++) {
		if (!it->feedback[i].event[0])
			continue;
		rc = num_of(db, project_id, it->feedback[i].feedback, &num);
		if (rc == STORE_OK && num > 0)
			rc = store_sentry_feedback_link(db, project_id, num, it->feedback[i].event);
	}
	for (i = 0; rc == STORE_OK && i < it->natt; i++) {
		items_attachment *x = &it->att[i];

		rc = num_of(db, project_id, x->target, &num);
		if (rc != STORE_OK)
			break;
		if (attach_store(it->attach_dir, x->a.data, x->a.len, sha, &created) < 0)
			return STORE_FULL;
		sa.name = x->a.name;
		sa.content_type = x->a.content_type;
		sa.sha256 = sha;
		sa.attachment_type = x->a.attachment_type;
		sa.size = (int64_t)x->a.len;
		rc = store_sentry_attachment_put(db, project_id, num, x->target, &sa, now, &x->added);
	}
	/* The ceilings, once per event that got something new. */
	for (i = 0; rc == STORE_OK && i < it->natt; i++) {
		if (!it->att[i].added)
			continue;
		for (j = 0; j < i; j++)
			if (it->att[j].added && strcmp(it->att[j].target, it->att[i].target) == 0)
				break;
		if (j == i)
			rc = check_total(db, project_id, it, it->att[i].target);
	}
	return rc;
}

int sentry_items_why(sentry_items *it, const char **code, const char **message,
		     const char **field)
{
	*code = it->code;
	*message = it->message;
	*field = it->field;
	return it->status;
}

void sentry_items_free(sentry_items *it)
{
	free(it);
}
