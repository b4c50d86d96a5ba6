/* events.c - the JSON of the events prosum records in the outbox (docs/notifications.md). */
#include "model/events.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/rfc3339.h"

/* The data fields only e-mail and news read: they name testers. */
static const char *const internal_fields[] = {"install_id", "author_install"};

int events_field_internal(const char *field)
{
	size_t i;

	for (i = 0; i < sizeof(internal_fields) / sizeof(internal_fields[0]); i++)
		if (strcmp(field, internal_fields[i]) == 0)
			return 1;
	return 0;
}

/* "G-3" into o under key, when num is not 0. */
static int set_ref(json_t *o, const char *key, char prefix, int64_t num)
{
	char ref[32];

	if (!num)
		return 0;
	snprintf(ref, sizeof(ref), "%c-%lld", prefix, (long long)num);
	return json_object_set_new(o, key, json_string(ref));
}

/* A string into o under key, when s is not NULL (invalid UTF-8 is left out). */
static int set_str(json_t *o, const char *key, const char *s)
{
	json_t *v;

	if (!s)
		return 0;
	v = json_string(s);
	return v ? json_object_set_new(o, key, v) : 0;
}

/* The text of o, consumed; NULL when o is NULL or a step failed. */
static char *dump(json_t *o, int failed)
{
	char *text = NULL;

	if (o && !failed)
		text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

char *events_group_created(int64_t group, const char *title, const char *kind,
			   int64_t report, const char *release)
{
	json_t *o = json_object();
	int bad = !o;

	if (o)
		bad = set_ref(o, "group", 'G', group) || set_str(o, "title", title) ||
		      set_str(o, "status", "new") || set_str(o, "kind", kind) ||
		      set_ref(o, "report", 'R', report) || set_str(o, "release", release);
	return dump(o, bad);
}

char *events_group_regressed(int64_t group, const char *title, const char *previous,
			     int64_t report, const char *release)
{
	json_t *o = json_object();
	int bad = !o;

	if (o)
		bad = set_ref(o, "group", 'G', group) || set_str(o, "title", title) ||
		      set_str(o, "status", "regressed") ||
		      set_str(o, "previous_status", previous) ||
		      set_ref(o, "report", 'R', report) || set_str(o, "release", release);
	return dump(o, bad);
}

char *events_group_status_changed(int64_t group, const char *title, const char *status,
				  const char *previous)
{
	json_t *o = json_object();
	int bad = !o;

	if (o)
		bad = set_ref(o, "group", 'G', group) || set_str(o, "title", title) ||
		      set_str(o, "status", status) || set_str(o, "previous_status", previous);
	return dump(o, bad);
}

char *events_group_fixed_in_release(int64_t group, const char *title, const char *release,
				    const char *commit)
{
	json_t *o = json_object();
	int bad = !o;

	if (o)
		bad = set_ref(o, "group", 'G', group) || set_str(o, "title", title) ||
		      set_str(o, "release", release) || set_str(o, "commit", commit);
	return dump(o, bad);
}

char *events_report_comment(int64_t report, int64_t group, int64_t comment_id,
			    const char *body, const char *author, const char *install_id)
{
	json_t *o = json_object(), *c = json_object();
	int bad = !o || !c;

	if (!bad)
		bad = json_object_set_new(c, "id", json_integer(comment_id)) ||
		      set_str(c, "body", body) || set_str(c, "author", author);
	if (!bad)
		bad = set_ref(o, "report", 'R', report) || set_ref(o, "group", 'G', group) ||
		      json_object_set(o, "comment", c) || set_str(o, "install_id", install_id);
	json_decref(c);
	return dump(o, bad);
}

/* The fields every suggestion event has. */
static json_t *suggestion(int64_t num, const char *title, const char *status,
			  const char *previous, const char *author_install)
{
	json_t *o = json_object();

	if (o && (set_ref(o, "suggestion", 'S', num) || set_str(o, "title", title) ||
		  set_str(o, "status", status) || set_str(o, "previous_status", previous) ||
		  set_str(o, "author_install", author_install))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

char *events_suggestion_created(int64_t num, const char *title, const char *status,
				const char *author_install)
{
	return dump(suggestion(num, title, status, NULL, author_install), 0);
}

char *events_suggestion_status_changed(int64_t num, const char *title, const char *status,
				       const char *previous, const char *author_install)
{
	return dump(suggestion(num, title, status, previous, author_install), 0);
}

char *events_suggestion_shipped(int64_t num, const char *title, const char *release,
				const char *previous, const char *author_install)
{
	json_t *o = suggestion(num, title, "shipped", previous, author_install);

	return dump(o, o && set_str(o, "release", release));
}

char *events_release_created(const char *release, const char *commit, const char *previous)
{
	json_t *o = json_object();
	int bad = !o;

	if (o)
		bad = set_str(o, "release", release) || set_str(o, "commit", commit) ||
		      set_str(o, "previous", previous);
	return dump(o, bad);
}

char *events_test(const char *message)
{
	json_t *o = json_object();

	return dump(o, o && set_str(o, "message", message));
}

char *events_envelope(int64_t id, const char *type, const char *project, int64_t time,
		      const char *data, int public)
{
	char evt[40], when[RFC3339_MAX];
	json_t *d = json_loads(data, 0, NULL), *o = NULL;
	size_t i;

	if (!json_is_object(d))
		goto out;
	if (public)
		for (i = 0; i < sizeof(internal_fields) / sizeof(internal_fields[0]); i++)
			json_object_del(d, internal_fields[i]);
	snprintf(evt, sizeof(evt), "evt_%lld", (long long)id);
	rfc3339_format(when, time);
	o = json_pack("{s:s,s:s,s:s,s:s,s:O}", "id", evt, "type", type, "project", project,
		      "time", when, "data", d);
out:
	json_decref(d);
	return dump(o, 0);
}
