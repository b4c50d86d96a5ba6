/* report_read.c - what the store reads of a validated report (tags, frame functions, text) without handling its JSON. */
#include "model/report.h"

int report_tags_each(const report *r, int (*fn)(void *ctx, const char *key, const char *value),
		     void *ctx)
{
	json_t *tags = json_object_get(r->root, "tags"), *v;
	const char *k;
	int rc;

	json_object_foreach(tags, k, v)
	{
		if (!json_is_string(v))
			return -1;
		rc = fn(ctx, k, json_string_value(v));
		if (rc != 0)
			return rc;
	}
	return 0;
}

const char *report_frame_function(const report *r, size_t i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(r->root, "frames"), i),
						 "function"));
}

char *report_dump(const report *r)
{
	return json_dumps(r->root, JSON_COMPACT);
}
