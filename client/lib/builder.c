/* builder.c - the report builder: a JSON document (docs/report-format.md) plus attachments. */
#include "lib/builder.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rfc3339.h"
#include "lib/error.h"
#include "common/buf.h"
#include "common/mail_addr.h"
#include "lib/util.h"

const char *report_kind_name(prosum_kind kind)
{
	switch (kind) {
	case PROSUM_KIND_CRASH:
		return "crash";
	case PROSUM_KIND_BUG:
		return "bug";
	case PROSUM_KIND_FEEDBACK:
		return "feedback";
	}
	return NULL;
}

static int name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ' ' || c == '-';
}

int report_attachment_name_valid(const char *name)
{
	size_t n;

	if (!name)
		return 0;
	n = strlen(name);
	/* The server's rule: shown to developers and put in URLs without escaping. */
	if (n == 0 || n > PROSUM_MAX_ATTACHMENT_NAME || name[0] == '.' || name[0] == ' ' ||
	    name[n - 1] == ' ' || strstr(name, ".."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!name_char_ok(name[i]))
			return 0;
	}
	return 1;
}

/* A valid attachment name made from a file's base name: other characters become '_'. */
static void name_from_path(char out[PROSUM_MAX_ATTACHMENT_NAME + 1], const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t n = 0;

	while (*base == '.' || *base == ' ')
		base++;
	for (; *base && n < PROSUM_MAX_ATTACHMENT_NAME; base++) {
		char c = name_char_ok(*base) ? *base : '_';
		if (c == '.' && n > 0 && out[n - 1] == '.')
			c = '_';
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	if (n == 0) {
		memcpy(out, "attachment", 11);
		return;
	}
	out[n] = '\0';
}

/* A JSON string of `s`, checking the length ceiling and UTF-8. */
static int make_string(json_t **out, const char *what, const char *s)
{
	json_t *v;

	if (strlen(s) > PROSUM_MAX_FIELD)
		return error_set(PROSUM_ETOOBIG, "%s is longer than %d bytes", what,
				 PROSUM_MAX_FIELD);
	v = json_string(s);
	if (!v)
		return error_set(PROSUM_EINVALID, "%s is not valid UTF-8", what);
	*out = v;
	return 0;
}

/* obj[key] = s, or remove obj[key] when s is NULL. */
static int set_string(json_t *obj, const char *key, const char *what, const char *s)
{
	json_t *v = NULL;
	int rc;

	if (!s) {
		json_object_del(obj, key);
		return 0;
	}
	rc = make_string(&v, what, s);
	if (rc)
		return rc;
	if (json_object_set_new(obj, key, v) != 0)
		return error_set(PROSUM_ENOMEM, "out of memory");
	return 0;
}

/* root[key], made an empty object if absent or not an object. NULL when out of memory. */
static json_t *child_object(json_t *root, const char *key)
{
	json_t *o = json_object_get(root, key);

	if (json_is_object(o))
		return o;
	o = json_object();
	if (!o || json_object_set_new(root, key, o) != 0)
		return NULL;
	return o;
}

/* Drop root[key] when it is an object left empty. */
static void prune_empty(json_t *root, const char *key)
{
	json_t *o = json_object_get(root, key);

	if (json_is_object(o) && json_object_size(o) == 0)
		json_object_del(root, key);
}

/* report.key = s (NULL removes it), key naming it in errors; the report may be NULL. */
static int set_top(prosum_report *report, const char *key, const char *s)
{
	if (!report)
		return error_set(PROSUM_EINVALID, "no report given");
	return set_string(report->root, key, key, s);
}

/* One string of an object of the report: key, what names it in errors, value (NULL: none). */
typedef struct str_field {
	const char *key, *what, *value;
} str_field;

/* Set the n strings f of the report's object `name` (made when absent, dropped when left
 * empty), as set_string() does, stopping at the first error. */
static int set_fields(prosum_report *report, const char *name, const str_field *f, size_t n)
{
	json_t *o = child_object(report->root, name);
	int rc = 0;

	if (!o)
		return error_set(PROSUM_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = set_string(o, f[i].key, f[i].what, f[i].value);
	prune_empty(report->root, name);
	return rc;
}

static int set_now(json_t *root)
{
	char ts[32];

	rfc3339_format(ts, (int64_t)time(NULL));
	if (json_object_set_new(root, "timestamp", json_string(ts)) != 0)
		return error_set(PROSUM_ENOMEM, "out of memory");
	return 0;
}

static int set_new_uuid(json_t *root)
{
	char uuid[37];
	int rc = util_uuid4(uuid);

	if (rc)
		return rc;
	if (json_object_set_new(root, "uuid", json_string(uuid)) != 0)
		return error_set(PROSUM_ENOMEM, "out of memory");
	return 0;
}

/* The end of making a report r: *out = r when rc is 0, else r freed; rc. */
static int report_done(prosum_report **out, prosum_report *r, int rc)
{
	if (rc == 0)
		*out = r;
	else
		prosum_report_free(r);
	return rc;
}

int prosum_report_new(prosum_report **out, prosum_kind kind)
{
	prosum_report *r = NULL;
	const char *k = report_kind_name(kind);
	int rc = 0;

	if (!out || !k)
		return error_set(PROSUM_EINVALID, "invalid report kind %d", (int)kind);
	r = calloc(1, sizeof(*r));
	if (r)
		r->root = json_object();
	if (!r || !r->root) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	rc = set_new_uuid(r->root);
	if (rc)
		goto out;
	if (json_object_set_new(r->root, "kind", json_string(k)) != 0) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	rc = set_now(r->root);
out:
	return report_done(out, r, rc);
}

int prosum_report_from_json(prosum_report **out, const char *json, size_t len)
{
	prosum_report *r = NULL;
	json_error_t jerr;
	int rc = 0;

	if (!out || !json)
		return error_set(PROSUM_EINVALID, "no report JSON given");
	if (len > PROSUM_MAX_REPORT_JSON)
		return error_set(PROSUM_ETOOBIG, "report JSON is larger than %d bytes",
				 PROSUM_MAX_REPORT_JSON);
	r = calloc(1, sizeof(*r));
	if (!r) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	r->root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->root) {
		rc = error_set(PROSUM_EINVALID, "report JSON: line %d, column %d: %s", jerr.line,
			       jerr.column, jerr.text);
		goto out;
	}
	if (!json_is_object(r->root)) {
		rc = error_set(PROSUM_EINVALID, "report JSON: not an object");
		goto out;
	}
	if (!json_object_get(r->root, "uuid")) {
		rc = set_new_uuid(r->root);
		if (rc)
			goto out;
	} else if (!json_is_string(json_object_get(r->root, "uuid"))) {
		rc = error_set(PROSUM_EINVALID, "report JSON: uuid is not a string");
		goto out;
	}
	if (!json_object_get(r->root, "timestamp"))
		rc = set_now(r->root);
out:
	return report_done(out, r, rc);
}

void prosum_report_free(prosum_report *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->natt; i++) {
		free(report->att[i].name);
		free(report->att[i].path);
		free(report->att[i].data);
	}
	json_decref(report->root);
	free(report);
}

const char *prosum_report_uuid(const prosum_report *report)
{
	if (!report)
		return NULL;
	return json_string_value(json_object_get(report->root, "uuid"));
}

int prosum_report_to_json(char **out, const prosum_report *report)
{
	char *s;

	if (!out || !report)
		return error_set(PROSUM_EINVALID, "no report given");
	s = json_dumps(report->root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!s)
		return error_set(PROSUM_ENOMEM, "out of memory");
	*out = s;
	return 0;
}

int prosum_report_set_kind(prosum_report *report, prosum_kind kind)
{
	const char *k = report_kind_name(kind);

	if (!report || !k)
		return error_set(PROSUM_EINVALID, "invalid report kind %d", (int)kind);
	return set_string(report->root, "kind", "kind", k);
}

int prosum_report_set_title(prosum_report *report, const char *title)
{
	return set_top(report, "title", title);
}

int prosum_report_set_description(prosum_report *report, const char *description)
{
	return set_top(report, "description", description);
}

int prosum_report_set_severity(prosum_report *report, const char *severity)
{
	if (report && severity && severity[0] == '\0')
		return error_set(PROSUM_EINVALID, "empty severity");
	return set_top(report, "severity", severity);
}

int prosum_report_set_steps(prosum_report *report, const char *steps)
{
	return set_top(report, "steps", steps);
}

int prosum_report_set_tag(prosum_report *report, const char *key, const char *value)
{
	json_t *tags;
	int rc;

	if (!report || !key || key[0] == '\0')
		return error_set(PROSUM_EINVALID, "empty tag name");
	if (strlen(key) > 200)
		return error_set(PROSUM_ETOOBIG, "tag name longer than 200 bytes");
	tags = json_object_get(report->root, "tags");
	if (!value) {
		if (json_is_object(tags))
			json_object_del(tags, key);
		prune_empty(report->root, "tags");
		return 0;
	}
	rc = make_string(&tags, "tag name", key); /* only to check the key's UTF-8 */
	if (rc)
		return rc;
	json_decref(tags);
	tags = child_object(report->root, "tags");
	if (!tags)
		return error_set(PROSUM_ENOMEM, "out of memory");
	if (!json_object_get(tags, key) && json_object_size(tags) >= PROSUM_MAX_TAGS)
		return error_set(PROSUM_ETOOBIG, "more than %d tags", PROSUM_MAX_TAGS);
	rc = set_string(tags, key, "tag value", value);
	prune_empty(report->root, "tags");
	return rc;
}

int prosum_report_set_exception(prosum_report *report, const char *type, const char *value)
{
	const str_field f[] = {{"type", "exception type", type},
			       {"value", "exception value", value}};

	if (!report)
		return error_set(PROSUM_EINVALID, "no report given");
	if (!type && !value) {
		json_object_del(report->root, "exception");
		return 0;
	}
	return set_fields(report, "exception", f, 2);
}

int prosum_report_set_build(prosum_report *report, const char *version, const char *revision,
			    const char *channel)
{
	const str_field f[] = {{"version", "build version", version},
			       {"revision", "build revision", revision},
			       {"channel", "build channel", channel}};

	if (!report)
		return error_set(PROSUM_EINVALID, "no report given");
	return set_fields(report, "build", f, 3);
}

int prosum_report_set_tester(prosum_report *report, const char *name, const char *email)
{
	const str_field f[] = {{"name", "tester name", name}, {"email", "tester e-mail", email}};

	if (!report)
		return error_set(PROSUM_EINVALID, "no report given");
	if (email && !strchr(email, '@'))
		return error_set(PROSUM_EINVALID, "tester e-mail has no '@'");
	return set_fields(report, "tester", f, 2);
}

int prosum_report_set_tester_notify(prosum_report *report, int notify)
{
	json_t *tester;

	if (!report)
		return error_set(PROSUM_EINVALID, "no report given");
	tester = json_object_get(report->root, "tester");
	if (!notify) {
		if (json_is_object(tester))
			json_object_del(tester, "notify");
		return 0;
	}
	/* The server refuses notify without an address: say so before anything is queued. */
	if (!json_is_object(tester) || !json_string_value(json_object_get(tester, "email")))
		return error_set(PROSUM_EINVALID, "no tester e-mail to send the news to");
	/* The server's rule: an address it refuses would have the whole report refused. */
	if (!mail_address_ok(json_string_value(json_object_get(tester, "email"))))
		return error_set(PROSUM_EINVALID,
				 "the tester's e-mail is not an address prosum mails (one '@', "
				 "printable ASCII, no spaces, quotes, <>, (), commas or semicolons)");
	if (json_object_set_new(tester, "notify", json_true()) != 0)
		return error_set(PROSUM_ENOMEM, "out of memory");
	return 0;
}

int prosum_report_add_fingerprint(prosum_report *report, const char *part)
{
	json_t *fp, *v = NULL;
	int rc;

	if (!report || !part)
		return error_set(PROSUM_EINVALID, "no fingerprint part given");
	fp = json_object_get(report->root, "fingerprint");
	if (!json_is_array(fp)) {
		fp = json_array();
		if (!fp || json_object_set_new(report->root, "fingerprint", fp) != 0)
			return error_set(PROSUM_ENOMEM, "out of memory");
	}
	if (json_array_size(fp) >= 64)
		return error_set(PROSUM_ETOOBIG, "more than 64 fingerprint parts");
	rc = make_string(&v, "fingerprint part", part);
	if (rc)
		return rc;
	if (json_array_append_new(fp, v) != 0)
		return error_set(PROSUM_ENOMEM, "out of memory");
	return 0;
}

int prosum_report_add_frame(prosum_report *report, const prosum_frame *frame)
{
	json_t *frames, *f = NULL;
	char addr[2 + 2 * sizeof(uintptr_t) + 1];
	int rc = 0;

	if (!report || !frame || frame->version == 0 || frame->version > PROSUM_FRAME_VERSION)
		return error_set(PROSUM_EINVALID, "no frame given, or unknown frame version");
	frames = json_object_get(report->root, "frames");
	if (!json_is_array(frames)) {
		frames = json_array();
		if (!frames || json_object_set_new(report->root, "frames", frames) != 0)
			return error_set(PROSUM_ENOMEM, "out of memory");
	}
	if (json_array_size(frames) >= PROSUM_MAX_FRAMES)
		return error_set(PROSUM_ETOOBIG, "more than %d frames", PROSUM_MAX_FRAMES);
	f = json_object();
	if (!f) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	rc = set_string(f, "function", "frame function", frame->function);
	if (rc == 0)
		rc = set_string(f, "file", "frame file", frame->file);
	if (rc == 0 && frame->line &&
	    json_object_set_new(f, "line", json_integer(frame->line)) != 0)
		rc = error_set(PROSUM_ENOMEM, "out of memory");
	if (rc == 0)
		rc = set_string(f, "module", "frame module", frame->module);
	if (rc)
		goto out;
	if (frame->address) {
		snprintf(addr, sizeof(addr), "0x%" PRIxPTR, frame->address);
		if (json_object_set_new(f, "address", json_string(addr)) != 0) {
			rc = error_set(PROSUM_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (json_array_append(frames, f) != 0)
		rc = error_set(PROSUM_ENOMEM, "out of memory");
out:
	json_decref(f);
	return rc;
}

/* Check room for one more attachment of `len` bytes named `name`. */
static int attachment_room(const prosum_report *r, const char *name, size_t len)
{
	size_t total = len;

	if (!report_attachment_name_valid(name))
		return error_set(PROSUM_EINVALID, "invalid attachment name \"%s\"", name);
	if (r->natt >= PROSUM_MAX_ATTACHMENTS)
		return error_set(PROSUM_ETOOBIG, "more than %d attachments",
				 PROSUM_MAX_ATTACHMENTS);
	for (size_t i = 0; i < r->natt; i++) {
		if (strcmp(r->att[i].name, name) == 0)
			return error_set(PROSUM_EINVALID, "two attachments named \"%s\"", name);
		total += r->att[i].len;
	}
	if (total > PROSUM_MAX_REQUEST - PROSUM_MAX_REPORT_JSON)
		return error_set(PROSUM_ETOOBIG, "attachments exceed %d bytes in all",
				 PROSUM_MAX_REQUEST - PROSUM_MAX_REPORT_JSON);
	return 0;
}

int prosum_report_attach_file(prosum_report *report, const char *path, const char *name)
{
	char derived[PROSUM_MAX_ATTACHMENT_NAME + 1];
	report_attachment *a;
	uint64_t len = 0;
	int rc;

	if (!report || !path || !path[0])
		return error_set(PROSUM_EINVALID, "no attachment path given");
	if (!name) {
		name_from_path(derived, path);
		name = derived;
	}
	/* Look now to fail early on a path that is missing or too large; read at submit. */
	rc = util_file_size(path, &len);
	if (rc)
		return rc;
	if (len > PROSUM_MAX_REQUEST)
		return error_set(PROSUM_ETOOBIG, "%s is larger than %d bytes", path,
				 PROSUM_MAX_REQUEST);
	rc = attachment_room(report, name, (size_t)len);
	if (rc)
		return rc;
	a = &report->att[report->natt];
	a->name = strdup(name);
	a->path = strdup(path);
	a->data = NULL;
	a->len = (size_t)len;
	if (!a->name || !a->path) {
		free(a->name);
		free(a->path);
		return error_set(PROSUM_ENOMEM, "out of memory");
	}
	report->natt++;
	return 0;
}

int prosum_report_attach_data(prosum_report *report, const char *name, const void *data, size_t len)
{
	report_attachment *a;
	int rc;

	if (!report || !name || (!data && len))
		return error_set(PROSUM_EINVALID, "no attachment given");
	rc = attachment_room(report, name, len);
	if (rc)
		return rc;
	a = &report->att[report->natt];
	a->name = strdup(name);
	a->path = NULL;
	a->data = malloc(len ? len : 1);
	a->len = len;
	if (!a->name || !a->data) {
		free(a->name);
		free(a->data);
		return error_set(PROSUM_ENOMEM, "out of memory");
	}
	if (len)
		memcpy(a->data, data, len);
	report->natt++;
	return 0;
}

/* obj[key] = s when obj lacks key and s is given. */
static int fill(json_t *obj, const char *key, const char *s)
{
	if (!s || json_object_get(obj, key))
		return 0;
	if (json_object_set_new(obj, key, json_string(s)) != 0)
		return PROSUM_ENOMEM;
	return 0;
}

int report_complete(prosum_report *r, const report_defaults *d)
{
	json_t *o;
	int rc = 0;

	if (d->version || d->revision || d->channel) {
		o = child_object(r->root, "build");
		if (!o || fill(o, "version", d->version) || fill(o, "revision", d->revision) ||
		    fill(o, "channel", d->channel))
			rc = PROSUM_ENOMEM;
	}
	if (rc == 0 && (d->os || d->os_version || d->arch)) {
		o = child_object(r->root, "platform");
		if (!o || fill(o, "os", d->os) || fill(o, "os_version", d->os_version) ||
		    fill(o, "arch", d->arch))
			rc = PROSUM_ENOMEM;
	}
	if (rc == 0 && d->install_id) {
		o = child_object(r->root, "tester");
		if (!o || fill(o, "install_id", d->install_id))
			rc = PROSUM_ENOMEM;
	}
	if (rc)
		return error_set(rc, "out of memory");
	return 0;
}

void envelope_free(envelope *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nbufs; i++)
		free(p->bufs[i]);
	memset(p, 0, sizeof(*p));
}

int report_envelope(envelope *out, const prosum_report *r)
{
	envelope p;
	const char *uuid = json_string_value(json_object_get(r->root, "uuid"));
	size_t total;
	char *json;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	if (!uuid || strlen(uuid) >= sizeof(p.uuid) || strchr(uuid, '/'))
		return error_set(PROSUM_EINVALID, "the report has no valid uuid");
	memcpy(p.uuid, uuid, strlen(uuid) + 1);
	json = json_dumps(r->root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!json)
		return error_set(PROSUM_ENOMEM, "out of memory");
	p.bufs[p.nbufs++] = json;
	p.json = json;
	p.json_len = strlen(json);
	if (p.json_len > PROSUM_MAX_REPORT_JSON) {
		rc = error_set(PROSUM_ETOOBIG, "report JSON is %zu bytes, more than %d", p.json_len,
			       PROSUM_MAX_REPORT_JSON);
		goto out;
	}
	total = p.json_len;
	for (size_t i = 0; i < r->natt; i++) {
		const report_attachment *a = &r->att[i];
		envelope_part *part = &p.parts[p.nparts];
		if (a->path) {
			char *data;
			size_t len;
			rc = util_read_file(&data, &len, a->path, PROSUM_MAX_REQUEST);
			if (rc)
				goto out;
			p.bufs[p.nbufs++] = data;
			part->data = (const unsigned char *)data;
			part->len = len;
		} else {
			part->data = a->data;
			part->len = a->len;
		}
		part->name = a->name;
		p.nparts++;
		total += part->len;
		if (total > PROSUM_MAX_REQUEST) {
			rc = error_set(PROSUM_ETOOBIG, "report and attachments exceed %d bytes",
				       PROSUM_MAX_REQUEST);
			goto out;
		}
	}
	*out = p;
	memset(&p, 0, sizeof(p));
out:
	envelope_free(&p);
	return rc;
}
