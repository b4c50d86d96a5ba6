/* weblink.c - the web app's address of an item (group, report, suggestion, release, project) under the server's public URL. */
#include "model/weblink.h"

#include <string.h>

#define BASE_MAX 300

typedef struct out_buf {
	char *p;
	size_t len, cap;
	int full;
} out_buf;

static void put(out_buf *o, const char *s, size_t n)
{
	if (o->full || n >= o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

/* s percent-encoded: one path segment, as the web app's encodeURIComponent() links have it. */
static void put_segment(out_buf *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			put(o, (const char *)&c, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		put(o, e, 3);
	}
}

int weblink(char *out, size_t outsz, const char *base, const char *project, weblink_kind kind,
	    const char *name)
{
	static const char *const dirs[] = {
	    [WEBLINK_GROUP] = "/groups/",
	    [WEBLINK_REPORT] = "/reports/",
	    [WEBLINK_SUGGESTION] = "/board/",
	    [WEBLINK_RELEASE] = "/releases/",
	};
	out_buf o = {out, 0, outsz, 0};
	size_t n;

	if (!out || outsz == 0)
		return -1;
	out[0] = '\0';
	if (!base || !project || !project[0] || (unsigned)kind > WEBLINK_MINE ||
	    (kind != WEBLINK_PROJECT && kind != WEBLINK_MINE && (!name || !name[0])))
		return -1;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (n == 0 || n > BASE_MAX)
		return -1;
	put(&o, base, n);
	put(&o, "/p/", 3);
	put_segment(&o, project);
	if (kind == WEBLINK_MINE) {
		put(&o, "/mine", 5);
	} else if (kind != WEBLINK_PROJECT) {
		put(&o, dirs[kind], strlen(dirs[kind]));
		put_segment(&o, name);
	}
	if (o.full) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static const char *str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v && v[0] ? v : NULL;
}

int weblink_event(char *out, size_t outsz, const char *base, const char *project, const char *type,
		  const json_t *data)
{
	weblink_kind kind = WEBLINK_PROJECT;
	const char *name = NULL;

	if (!type)
		type = "";
	if (strncmp(type, "group.", 6) == 0) {
		kind = WEBLINK_GROUP;
		name = str(data, "group");
	} else if (strcmp(type, "report.comment") == 0) {
		kind = str(data, "report") ? WEBLINK_REPORT : WEBLINK_GROUP;
		name = str(data, kind == WEBLINK_REPORT ? "report" : "group");
	} else if (strncmp(type, "suggestion.", 11) == 0) {
		kind = WEBLINK_SUGGESTION;
		name = str(data, "suggestion");
	} else if (strcmp(type, "release.created") == 0) {
		kind = WEBLINK_RELEASE;
		name = str(data, "release");
	}
	/* An item the data does not name (or too long a name): the project's home, always. */
	if (!name || weblink(out, outsz, base, project, kind, name) < 0)
		return weblink(out, outsz, base, project, WEBLINK_PROJECT, NULL);
	return 0;
}
