/* notes.c - a release's notes in Markdown, from what the store and the repository know. */
#include "api/notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/gitwork.h"
#include "api/render_releases.h"

static int md_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (unsigned char)c >= 0x80;
}

static int md_punct(char c)
{
	return c && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) != NULL;
}

/* Does s start an entity reference ("&amp;", "&#38;"), which Markdown would decode? */
static int md_entity(const char *s)
{
	size_t i = 1;

	if (s[i] == '#')
		i++;
	while (md_word(s[i]) && (unsigned char)s[i] < 0x80 && i < 40)
		i++;
	return i > 1 && s[i] == ';';
}

/*
 * Text from testers and commit messages, written inline (never at the start
 * of a line) so that it reads as written: "R-999" and "beta_app_crash" stay
 * as they are. A backslash goes only before what Markdown would otherwise
 * take as markup there: code spans, emphasis (any '*', a '_' not inside a
 * word), strikethrough, links, HTML and autolinks, entity references, and a
 * backslash that would escape the next character. Line breaks become spaces.
 */
static void md_text(buf *out, const char *s)
{
	const char *p;

	for (p = s; p && *p; p++) {
		char c = *p, prev = p > s ? p[-1] : ' ';
		int esc;

		switch (c) {
		case '`':
		case '*':
		case '~':
		case '[':
		case ']':
		case '<':
			esc = 1;
			break;
		case '_':
			esc = !(md_word(prev) && md_word(p[1]));
			break;
		case '&':
			esc = md_entity(p);
			break;
		case '\\':
			esc = md_punct(p[1]);
			break;
		default:
			esc = 0;
			break;
		}
		if (esc)
			buf_append(out, "\\", 1);
		if (c == '\n' || c == '\r')
			buf_append(out, " ", 1);
		else
			buf_append(out, p, 1);
	}
}

/* A code span holding s as it is: fenced by more backticks than any run in s. */
static void md_code(buf *out, const char *s)
{
	size_t run = 0, longest = 0, i;
	const char *p;

	for (p = s; p && *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i <= longest; i++)
		buf_append(out, "`", 1);
	if (longest)
		buf_append(out, " ", 1);
	for (p = s; p && *p; p++)
		buf_append(out, *p == '\n' || *p == '\r' ? " " : p, 1);
	if (longest)
		buf_append(out, " ", 1);
	for (i = 0; i <= longest; i++)
		buf_append(out, "`", 1);
}

static void md_commit(buf *out, const char *url, const char *id)
{
	const char *at = url ? strstr(url, "{id}") : NULL;

	if (!at) {
		buf_printf(out, "`%.10s`", id);
		return;
	}
	buf_printf(out, "[`%.10s`](%.*s%s%s)", id, (int)(at - url), url, id, at + 4);
}

/* "Ada, Bob and 3 more testers" from a JSON array of names and a count of the unnamed. */
static void md_people(buf *out, const json_t *names, json_int_t others)
{
	size_t i, n = json_array_size(names);

	for (i = 0; i < n; i++) {
		buf_puts(out, i == 0 ? "" : (i + 1 == n && others == 0) ? " and " : ", ");
		md_text(out, json_string_value(json_array_get(names, i)));
	}
	if (others > 0)
		buf_printf(out, "%s%lld more tester%s", n ? " and " : "", (long long)others,
			   others == 1 ? "" : "s");
}

int notes_render(store_db *db, int64_t project_id, const char *name, buf *out)
{
	json_t *rel = NULL, *items, *it;
	gitwork_commit_list gc = {0};
	char *url = NULL;
	size_t i;
	int rc;

	rc = render_release_get(db, project_id, name, &rel);
	if (rc != STORE_OK)
		return rc;
	if (store_project_commit_url(db, project_id, &url) < 0) {
		rc = STORE_ERROR;
		goto out;
	}
	buf_puts(out, "# Release ");
	md_text(out, name);
	buf_puts(out, "\n\nBuilt from ");
	md_code(out, json_string_value(json_object_get(rel, "ref")));
	buf_puts(out, " at ");
	md_commit(out, url, json_string_value(json_object_get(rel, "commit")));
	buf_puts(out, ".\n\n## Community suggestions shipped\n\n");
	items = json_object_get(rel, "shipped_suggestions");
	if (json_array_size(items) == 0)
		buf_puts(out, "_None in this release._\n");
	json_array_foreach(items, i, it)
	{
		json_int_t votes = json_integer_value(json_object_get(it, "votes"));
		const char *by = json_string_value(json_object_get(it, "suggested_by"));

		buf_printf(out, "- **%s** ", json_string_value(json_object_get(it, "id")));
		md_text(out, json_string_value(json_object_get(it, "title")));
		buf_printf(out, " (%lld vote%s)", (long long)votes, votes == 1 ? "" : "s");
		if (by) {
			buf_puts(out, ". Suggested by ");
			md_text(out, by);
		}
		buf_puts(out, ". Thanks to ");
		md_people(out, json_object_get(it, "credited"),
			  json_integer_value(json_object_get(it, "others")));
		buf_puts(out, ".\n");
	}
	buf_puts(out, "\n## Fixed\n\n");
	items = json_object_get(rel, "fixed_groups");
	json_array_foreach(items, i, it)
	{
		json_int_t n = json_integer_value(json_object_get(it, "count"));
		json_int_t t = json_integer_value(json_object_get(it, "testers"));

		buf_printf(out, "- **%s** ", json_string_value(json_object_get(it, "id")));
		md_text(out, json_string_value(json_object_get(it, "title")));
		buf_printf(out, " (%lld report%s from %lld tester%s; fixed by ", (long long)n,
			   n == 1 ? "" : "s", (long long)t, t == 1 ? "" : "s");
		md_commit(out, url, json_string_value(json_object_get(it, "fixed_by")));
		buf_puts(out, ")\n");
	}
	if (json_array_size(items) == 0 &&
	    json_array_size(json_object_get(rel, "fixed_reports")) == 0)
		buf_puts(out, "_No reported problems were fixed in this release._\n");
	items = json_object_get(rel, "fixed_reports");
	if (json_array_size(items) > 0)
		buf_puts(out, "\nReports fixed:");
	json_array_foreach(items, i, it)
	{
		buf_printf(out, "%s %s", i ? "," : "", json_string_value(json_object_get(it, "id")));
	}
	if (json_array_size(items) > 0)
		buf_puts(out, ".\n");
	buf_puts(out, "\n## Thanks\n\n");
	items = json_object_get(rel, "contributors");
	if (json_array_size(items) == 0)
		buf_puts(out, "_Thanks to every tester who sent reports and ideas._\n");
	json_array_foreach(items, i, it)
	{
		json_int_t sg = json_integer_value(json_object_get(it, "suggestions"));
		json_int_t fx = json_integer_value(json_object_get(it, "fixed_reports"));

		buf_puts(out, "- ");
		md_text(out, json_string_value(json_object_get(it, "name")));
		if (sg)
			buf_printf(out, ": %lld shipped suggestion%s", (long long)sg,
				   sg == 1 ? "" : "s");
		if (fx)
			buf_printf(out, "%s %lld fixed report%s", sg ? "," : ":", (long long)fx,
				   fx == 1 ? "" : "s");
		buf_puts(out, "\n");
	}
	buf_puts(out, "\n## Commits\n\n");
	rc = gitwork_release_commits(db, project_id, name,
				     json_string_value(json_object_get(rel, "commit")), &gc);
	if (rc != STORE_OK)
		goto out;
	if (gc.repo) {
		for (i = 0; i < gc.n; i++) {
			buf_puts(out, "- ");
			md_commit(out, url, gc.v[i].id);
			buf_puts(out, " ");
			md_text(out, gc.v[i].summary);
			buf_puts(out, " (");
			md_text(out, gc.v[i].author);
			buf_puts(out, ")\n");
		}
		if (gc.failed)
			buf_puts(out, "_The commit list could not be read from the repository._\n");
		else if (gc.n == 0 && gc.others == 0)
			buf_puts(out, "_No commits._\n");
		if (gc.more)
			buf_printf(out, "- and %zu more\n", gc.more);
		if (gc.others && gc.n)
			buf_printf(out, "- and %zu other commit%s\n", gc.others,
				   gc.others == 1 ? "" : "s");
		else if (gc.others)
			buf_printf(out, "_%zu commit%s, none linked to a report or suggestion._\n",
				   gc.others, gc.others == 1 ? "" : "s");
	} else {
		buf_puts(out, "_The project has no repository linked._\n");
	}
out:
	gitwork_commit_list_free(&gc);
	free(url);
	json_decref(rel);
	return rc;
}
