/* cli_show.c - readable views of items: reports, groups, suggestions, releases, mine. */
#include "cli/cli_print.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "lib/prosum_tool.h"

/* 1 when v holds something worth a line: not absent, null, "" or an empty array or object. */
static int present(const json_t *v)
{
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return 1;
}

/* ------------------------------------------------------------------------ */
/* Readable items                                                             */

#define LABEL "%-12s "

/* "label:  value" when the value is there. */
static void field(const char *label, const json_t *v)
{
	char text[4096];

	if (!present(v))
		return;
	cli_text(text, sizeof(text), v);
	printf(LABEL "%s\n", label, text);
}

static void field_when(const char *label, const json_t *v, time_t now)
{
	char text[160];

	if (!present(v))
		return;
	cli_when(text, sizeof(text), v, now);
	printf(LABEL "%s\n", label, text);
}

/* Free text after `indent`, every line indented alike, control characters other than newlines
 * removed. */
static void indented(const char *indent, const char *s)
{
	fputs(indent, stdout);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n') {
			if (s[1] == '\0')
				break;
			putchar('\n');
			fputs(indent, stdout);
		} else {
			putchar(c < 0x20 || c == 0x7f ? ' ' : c);
		}
	}
	putchar('\n');
}

/* A block of free text under its label. */
static void block(const char *label, const json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || !s[0])
		return;
	printf("%s:\n", label);
	indented("  ", s);
}

/* An object's members as "k v, k v" (or with another separator), into sb. */
static void members(buf *sb, const json_t *obj, const char *between, const char *sep)
{
	const char *key;
	json_t *v;
	char text[1024];

	buf_reset(sb);
	json_object_foreach((json_t *)obj, key, v)
	{
		if (!present(v))
			continue;
		cli_text(text, sizeof(text), v);
		if (between)
			buf_printf(sb, "%s%s%s%s", sb->len ? sep : "", key, between, text);
		else
			buf_printf(sb, "%s%s", sb->len ? sep : "", text);
	}
	if (sb->p)
		util_sanitize(sb->p);
}

/* The first 12 characters of a commit id, the way people quote them. */
static void short_commit(char out[16], const json_t *v)
{
	char text[64];

	cli_text(text, sizeof(text), v);
	snprintf(out, 16, "%.12s", text);
}

/* One line on stdout, cut with "…" to `width` columns (0: no limit) as table lines are. */
static void fitted_line(const char *s, size_t width)
{
	buf cut = BUF_INIT(64 * 1024);

	if (width && cli_text_width(s) > width && cli_text_cut(&cut, s, width) == 0 && cut.p)
		s = cut.p;
	printf("%s\n", s);
	buf_free(&cut);
}

/* A conversation is wrapped to no fewer columns than this, however narrow the terminal. */
#define MIN_ROOM 20

/*
 * Print `line` (a sanitised line of one comment) after `head`, which is
 * already in *out, in pieces of at most `room` columns: broken at spaces
 * where it can be, a word wider than the room where it must. Every piece but
 * the first starts after `pad`. A piece wider than `width` altogether (a very
 * narrow terminal) is cut with "…", as table lines are.
 */
static void wrapped(buf *out, const char *line, const char *pad, size_t room, size_t width)
{
	const char *p = line;

	for (;;) {
		size_t n = strlen(p), brk;
		const char *next;

		if (cli_text_width(p) > room) {
			n = cli_text_fit(p, room);
			if (n == 0)
				n = strlen(p); /* nothing fits: the piece is cut below */
			for (brk = n; brk > 0 && p[brk] != ' '; brk--)
				;
			if (brk > strspn(p, " "))
				n = brk;
		}
		next = p + n;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		buf_append(out, p, n);
		while (*next == ' ')
			next++;
		while (out->len > 0 && out->p[out->len - 1] == ' ')
			out->p[--out->len] = '\0'; /* "you (1m ago):" before an empty line */
		fitted_line(out->p ? out->p : "", width);
		buf_reset(out);
		if (!*next)
			return;
		buf_puts(out, pad);
		p = next;
	}
}

/*
 * Comments, oldest first: "  who (when): text", who being the author, else
 * "team" or "you" (a tester's own reply, in their view); in the team's view a
 * tester's reply says so: "  Ada (tester, when): text", or "  tester (when): text"
 * for a tester who gave no name (the server's author then is "tester"). Later lines of a
 * comment line up under its first. With a `width` (display columns, 0: no
 * limit) long lines are wrapped to fit it; when the head leaves too little
 * room beside it, the text goes under the head instead.
 */
static void comments(const json_t *list, const char *indent, time_t now, size_t width)
{
	size_t i;
	json_t *c;

	json_array_foreach((json_t *)list, i, c)
	{
		char author[160], from[16], age[64], pad[256];
		const char *body = json_string_value(json_object_get(c, "body"));
		buf head = BUF_INIT(512);
		size_t w, room;
		int rc;

		cli_text(author, sizeof(author), json_object_get(c, "author"));
		cli_text(from, sizeof(from), json_object_get(c, "from"));
		cli_age(age, sizeof(age), json_object_get(c, "at"), now);
		if (strcmp(from, "tester") == 0)
			rc = strcmp(author, "-") != 0 && strcmp(author, "tester") != 0
				 ? buf_printf(&head, "%s%s (tester, %s): ", indent, author, age)
				 : buf_printf(&head, "%stester (%s): ", indent, age);
		else
			rc = buf_printf(&head, "%s%s (%s): ", indent,
					strcmp(author, "-") != 0   ? author
					: strcmp(from, "you") == 0 ? "you"
								   : "team",
					age);
		if (rc != 0) {
			buf_free(&head);
			continue;
		}
		w = cli_text_width(head.p);
		room = width == 0 ? SIZE_MAX : width > w ? width - w : 0;
		if (room < MIN_ROOM) {
			head.p[--head.len] = '\0'; /* "team (5m ago):" alone */
			fitted_line(head.p, width);
			buf_reset(&head);
			w = strlen(indent) + 2;
			room = width > w + MIN_ROOM ? width - w : MIN_ROOM;
			buf_printf(&head, "%*s", (int)w, "");
		}
		w = w < sizeof(pad) - 1 ? w : sizeof(pad) - 1;
		memset(pad, ' ', w);
		pad[w] = '\0';
		for (const char *p = body ? body : ""; p;) {
			const char *nl = strchr(p, '\n');
			char *text = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
			if (!text)
				break;
			util_sanitize(text);
			wrapped(&head, text, pad, room, width);
			free(text);
			p = nl && nl[1] ? nl + 1 : NULL;
			if (p)
				buf_puts(&head, pad);
		}
		buf_free(&head);
	}
}

static void section_comments(const json_t *r, time_t now)
{
	const json_t *list = json_object_get(r, "comments");

	if (!json_is_array(list) || json_array_size(list) == 0)
		return;
	printf("comments:\n");
	comments(list, "  ", now, 0);
}

/* The audit trail: "  when  who  field: old -> new". */
static void section_history(const json_t *r)
{
	const json_t *list = json_object_get(r, "history");
	size_t i;
	json_t *h;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return;
	printf("history:\n");
	json_array_foreach((json_t *)list, i, h)
	{
		char at[64], actor[160], fld[64], old[256], new[256];
		cli_text(at, sizeof(at), json_object_get(h, "at"));
		cli_text(actor, sizeof(actor), json_object_get(h, "actor"));
		cli_text(fld, sizeof(fld), json_object_get(h, "field"));
		cli_text(old, sizeof(old), json_object_get(h, "old"));
		cli_text(new, sizeof(new), json_object_get(h, "new"));
		printf("  %s  %s  %s: %s -> %s\n", at, actor, fld, old, new);
	}
}

/* Suspect commits: "  abcdef123456  Author  2026-11-19  summary  (where)". */
static void section_suspects(const json_t *r)
{
	const json_t *list = json_object_get(r, "suspects");
	size_t i;
	json_t *c;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return;
	printf("suspects:\n");
	json_array_foreach((json_t *)list, i, c)
	{
		char id[16], author[160], date[64], summary[512], where[320] = "";
		json_t *frames = json_object_get(c, "frames"), *f0 = json_array_get(frames, 0);
		json_t *path = json_object_get(f0, "file"), *line = json_object_get(f0, "line");
		json_t *reports = json_object_get(c, "reports");
		size_t more = json_array_size(frames) > 1 ? json_array_size(frames) - 1 : 0;

		short_commit(id, json_object_get(c, "id"));
		cli_text(author, sizeof(author), json_object_get(c, "author"));
		cli_text(date, sizeof(date), json_object_get(c, "date"));
		cli_text(summary, sizeof(summary), json_object_get(c, "summary"));
		date[strcspn(date, "T")] = '\0';
		if (json_is_string(path) && !json_is_integer(reports)) {
			/* A report's suspect: the first frame it is blamed for, and how many more. */
			char p[256], more_text[32] = "";
			cli_text(p, sizeof(p), path);
			if (more)
				snprintf(more_text, sizeof(more_text), " +%zu more", more);
			if (json_is_integer(line))
				snprintf(where, sizeof(where), "  (%s:%" JSON_INTEGER_FORMAT "%s)", p,
					 json_integer_value(line), more_text);
			else
				snprintf(where, sizeof(where), "  (%s%s)", p, more_text);
		} else if (json_is_integer(reports)) {
			snprintf(where, sizeof(where), "  (%" JSON_INTEGER_FORMAT " report%s)",
				 json_integer_value(reports),
				 json_integer_value(reports) == 1 ? "" : "s");
		}
		printf("  %s  %s  %s  %s%s\n", id, author, date, summary, where);
	}
}

/* A stack, innermost first: "  #0   function at file:line in module [address]". */
static void section_frames(const char *heading, const json_t *frames)
{
	size_t i;
	json_t *v;

	if (!json_is_array(frames) || json_array_size(frames) == 0)
		return;
	printf("%s\n", heading);
	json_array_foreach((json_t *)frames, i, v)
	{
		char fn[512], file[512], mod[256], addr[64];
		json_t *line = json_object_get(v, "line");
		cli_text(fn, sizeof(fn), json_object_get(v, "function"));
		cli_text(file, sizeof(file), json_object_get(v, "file"));
		cli_text(mod, sizeof(mod), json_object_get(v, "module"));
		cli_text(addr, sizeof(addr), json_object_get(v, "address"));
		printf("  #%-3zu %s", i, strcmp(fn, "-") ? fn : "??");
		if (strcmp(file, "-") != 0) {
			printf(" at %s", file);
			if (json_is_integer(line))
				printf(":%" JSON_INTEGER_FORMAT, json_integer_value(line));
		}
		if (strcmp(mod, "-") != 0)
			printf(" in %s", mod);
		if (strcmp(addr, "-") != 0)
			printf(" [%s]", addr);
		putchar('\n');
	}
}

/* fixed_by and fixed_in, as a report and a group carry them. */
static void fix_fields(const json_t *o)
{
	field("fixed by:", json_object_get(o, "fixed_by"));
	field("fixed in:", json_object_get(o, "fixed_in"));
}

void cli_show_report(const json_t *r, time_t now)
{
	char head[4][160], text[1024];
	json_t *build = json_object_get(r, "build"), *rev = json_object_get(r, "revision");
	json_t *plat = json_object_get(r, "platform"), *tester = json_object_get(r, "tester");
	json_t *ex = json_object_get(r, "exception"), *frames = json_object_get(r, "frames");
	json_t *tags = json_object_get(r, "tags"), *att = json_object_get(r, "attachments");
	json_t *v, *fb;
	size_t i;
	buf sb = BUF_INIT(8192);

	cli_text(head[0], sizeof(head[0]), json_object_get(r, "id"));
	cli_text(head[1], sizeof(head[1]), json_object_get(r, "kind"));
	cli_text(head[2], sizeof(head[2]), json_object_get(r, "status"));
	cli_text(head[3], sizeof(head[3]), json_object_get(r, "group"));
	printf("%s  %s  %s  group %s\n", head[0], head[1], head[2], head[3]);
	field("title:", json_object_get(r, "title"));
	field("severity:", json_object_get(r, "severity"));
	field_when("received:", json_object_get(r, "received_at"), now);
	if (json_is_object(build)) {
		members(&sb, build, " ", ", ");
		if (sb.len)
			printf(LABEL "%s\n", "build:", sb.p);
	}
	if (json_is_object(rev)) {
		json_t *commit = json_object_get(rev, "commit");
		json_t *release = json_object_get(rev, "release");
		field("revision:", json_object_get(rev, "input"));
		if (json_is_string(commit)) {
			cli_text(text, sizeof(text), commit);
			if (json_is_string(release)) {
				char rel[256];
				cli_text(rel, sizeof(rel), release);
				printf(LABEL "%s (in release %s)\n", "commit:", text, rel);
			} else {
				printf(LABEL "%s (in no release yet)\n", "commit:", text);
			}
		} else if (present(json_object_get(rev, "input"))) {
			/* a revision a later sync may resolve; a version is never looked up again */
			int pending = json_is_object(build) &&
				      present(json_object_get(build, "revision"));

			printf(LABEL "%s\n", "commit:",
			       pending ? "not found in the repository (yet)"
				       : "not found in the repository");
		}
	} else {
		field("revision:", rev);
	}
	if (json_is_object(plat)) {
		members(&sb, plat, NULL, " ");
		if (sb.len)
			printf(LABEL "%s\n", "platform:", sb.p);
	}
	if (json_is_object(tester)) {
		members(&sb, tester, " ", ", ");
		if (sb.len)
			printf(LABEL "%s\n", "tester:", sb.p);
	}
	field("cohort:", json_object_get(r, "cohort")); /* the sender's, when it arrived */
	/* Feedback (a Sentry SDK's user feedback): who left it, if they said, and what about. */
	v = json_object_get(r, "contact");
	if (json_is_object(v)) {
		members(&sb, v, " ", ", ");
		if (sb.len)
			printf(LABEL "%s\n", "contact:", sb.p);
	}
	field("feedback on:", json_object_get(r, "feedback_for"));
	fb = json_object_get(r, "feedback");
	if (json_is_array(fb) && json_array_size(fb)) {
		char fid[64];

		printf(LABEL, "feedback:");
		json_array_foreach(fb, i, v)
		{
			cli_text(fid, sizeof(fid), v);
			printf("%s%s", i ? ", " : "", fid);
		}
		printf("\n");
	}
	field("assignee:", json_object_get(r, "assignee"));
	fix_fields(r);
	if (json_is_object(ex)) {
		char type[256], value[1024];
		cli_text(type, sizeof(type), json_object_get(ex, "type"));
		cli_text(value, sizeof(value), json_object_get(ex, "value"));
		printf(LABEL "%s: %s\n", "exception:", type, value);
	}
	if (json_is_object(tags) && json_object_size(tags)) {
		members(&sb, tags, "=", " ");
		printf(LABEL "%s\n", "tags:", sb.p ? sb.p : "");
	}
	block("description", json_object_get(r, "description"));
	block("steps", json_object_get(r, "steps"));
	section_frames("frames:", frames);
	section_suspects(r);
	if (json_is_array(att) && json_array_size(att)) {
		printf("attachments:\n");
		json_array_foreach(att, i, v)
		{
			char name[256], size[64];
			cli_text(name, sizeof(name),
				 json_is_object(v) ? json_object_get(v, "name") : v);
			cli_text(size, sizeof(size), json_object_get(v, "size"));
			if (strcmp(size, "-") != 0)
				printf("  %s (%s bytes)\n", name, size);
			else
				printf("  %s\n", name);
		}
	}
	section_comments(r, now);
	section_history(r);
	buf_free(&sb);
}

/* "1.4.0 (3), 1.4.1 (1)" from {"1.4.0":3,"1.4.1":1}. */
static void facet(const char *label, const json_t *o)
{
	buf sb = BUF_INIT(8192);
	const char *key;
	json_t *v;
	char count[64];

	if (!json_is_object(o) || json_object_size(o) == 0)
		return;
	json_object_foreach((json_t *)o, key, v)
	{
		cli_text(count, sizeof(count), v);
		buf_printf(&sb, "%s%s (%s)", sb.len ? ", " : "", key, count);
	}
	if (sb.p) {
		util_sanitize(sb.p);
		printf(LABEL "%s\n", label, sb.p);
	}
	buf_free(&sb);
}

/* "2026-11-20T10:15:00Z (3d ago), build abc1234": the report's build.revision, else its
 * build.version (the group's first_revision and last_revision). */
static void seen(const char *label, const json_t *when, const json_t *rev, time_t now)
{
	char w[160], r[256];

	if (!present(when))
		return;
	cli_when(w, sizeof(w), when, now);
	if (present(rev)) {
		cli_text(r, sizeof(r), rev);
		printf(LABEL "%s, build %s\n", label, w, r);
	} else {
		printf(LABEL "%s\n", label, w);
	}
}

/* A group's latest reports, as a table under the show: id, when, build, platform, status. */
static void section_reports(const json_t *g, const json_t *reports, time_t now)
{
	static const char *const names[] = {"ID",       "RECEIVED", "VERSION",
					    "REVISION", "PLATFORM", "STATUS"};
	char cells[6][256], count[32];
	const char *row[6];
	cli_table *t = NULL;
	size_t i, c;
	json_t *it;

	if (!json_is_array(reports) || json_array_size(reports) == 0)
		return;
	cli_text(count, sizeof(count), json_object_get(g, "count"));
	printf("latest reports (%zu of %s):\n", json_array_size(reports), count);
	if (cli_table_new(&t, 6, names) != 0)
		return;
	cli_table_indent(t, 2);
	for (c = 1; c < 5; c++)
		cli_table_cuttable(t, c);
	for (c = 0; c < 6; c++)
		row[c] = cells[c];
	json_array_foreach((json_t *)reports, i, it)
	{
		json_t *rev = json_object_get(it, "revision");
		cli_text(cells[0], sizeof(cells[0]), json_object_get(it, "id"));
		cli_age(cells[1], sizeof(cells[1]), json_object_get(it, "received_at"), now);
		cli_text(cells[2], sizeof(cells[2]), json_object_get(it, "version"));
		cli_text(cells[3], sizeof(cells[3]),
			 json_is_object(rev) ? json_object_get(rev, "input") : rev);
		if (strcmp(cells[3], cells[2]) == 0) /* a version-only build: its input is the version */
			cli_text(cells[3], sizeof(cells[3]), NULL);
		cli_text(cells[4], sizeof(cells[4]), json_object_get(it, "platform"));
		cli_text(cells[5], sizeof(cells[5]), json_object_get(it, "status"));
		if (cli_table_add(t, row) != 0)
			break;
	}
	cli_table_print(t, stdout, cli_output_width());
	cli_table_free(t);
}

void cli_show_group(const json_t *g, const json_t *reports, const json_t *latest, time_t now)
{
	char rid[64], heading[128];

	char id[64], status[64], kind[64], count[32], testers[32];

	cli_text(id, sizeof(id), json_object_get(g, "id"));
	cli_text(status, sizeof(status), json_object_get(g, "status"));
	cli_text(kind, sizeof(kind), json_object_get(g, "kind"));
	cli_text(count, sizeof(count), json_object_get(g, "count"));
	cli_text(testers, sizeof(testers), json_object_get(g, "testers"));
	printf("%s  %s  %s  %s report%s from %s tester%s\n", id, status, kind, count,
	       strcmp(count, "1") ? "s" : "", testers, strcmp(testers, "1") ? "s" : "");
	field("title:", json_object_get(g, "title"));
	seen("first seen:", json_object_get(g, "first_seen"), json_object_get(g, "first_revision"),
	     now);
	seen("last seen:", json_object_get(g, "last_seen"), json_object_get(g, "last_revision"),
	     now);
	field("assignee:", json_object_get(g, "assignee"));
	fix_fields(g);
	field("merged into:", json_object_get(g, "merged_into"));
	facet("versions:", json_object_get(g, "versions"));
	facet("platforms:", json_object_get(g, "platforms"));
	section_suspects(g);
	if (latest) {
		cli_text(rid, sizeof(rid), json_object_get(latest, "id"));
		snprintf(heading, sizeof(heading), "frames (latest report, %s):", rid);
		section_frames(heading, json_object_get(latest, "frames"));
	}
	section_reports(g, reports, now);
	section_comments(g, now);
	section_history(g);
}

void cli_show_suggestion(const json_t *s, time_t now)
{
	char id[64], status[64], votes[32];

	cli_text(id, sizeof(id), json_object_get(s, "id"));
	cli_text(status, sizeof(status), json_object_get(s, "status"));
	cli_text(votes, sizeof(votes), json_object_get(s, "votes"));
	printf("%s  %s  %s vote%s\n", id, status, votes, strcmp(votes, "1") ? "s" : "");
	field("title:", json_object_get(s, "title"));
	field("shipped in:", json_object_get(s, "shipped_in"));
	field("duplicate of:", json_object_get(s, "duplicate_of"));
	field_when("suggested:", json_object_get(s, "created_at"), now);
	field_when("updated:", json_object_get(s, "updated_at"), now);
	block("body", json_object_get(s, "body"));
	section_comments(s, now);
	section_history(s);
}

/* A list section of a release: its name, then each item via `line`, or "  none". */
static void release_section(const char *name, const json_t *list, void (*line)(const json_t *))
{
	size_t i;
	json_t *it;

	printf("%s:\n", name);
	if (!json_is_array(list) || json_array_size(list) == 0) {
		printf("  none\n");
		return;
	}
	json_array_foreach((json_t *)list, i, it) line(it);
}

/* "S-4  Dark mode  12 votes  (suggested by Ada; voted for by Bob, Eve; 9 more voters)". */
static void shipped_line(const json_t *it)
{
	char id[64], title[512], votes[32], by[160], name[160];
	json_t *credited = json_object_get(it, "credited"), *v;
	json_int_t others = json_integer_value(json_object_get(it, "others"));
	buf sb = BUF_INIT(4096);
	size_t i, named = 0;

	cli_text(id, sizeof(id), json_object_get(it, "id"));
	cli_text(title, sizeof(title), json_object_get(it, "title"));
	cli_text(votes, sizeof(votes), json_object_get(it, "votes"));
	cli_text(by, sizeof(by), json_object_get(it, "suggested_by"));
	if (strcmp(by, "-") != 0)
		buf_printf(&sb, "suggested by %s", by);
	json_array_foreach(credited, i, v)
	{
		cli_text(name, sizeof(name), v);
		if (strcmp(name, by) == 0)
			continue; /* the author's own vote */
		buf_printf(&sb, "%s%s",
			   named++ ? ", " : (sb.len ? "; voted for by " : "voted for by "), name);
	}
	if (others > 0)
		buf_printf(&sb, "%s%" JSON_INTEGER_FORMAT " more voter%s", sb.len ? "; " : "",
			   others, others == 1 ? "" : "s");
	printf("  %s  %s  %s vote%s%s%s%s\n", id, title, votes, strcmp(votes, "1") ? "s" : "",
	       sb.len ? "  (" : "", sb.len ? sb.p : "", sb.len ? ")" : "");
	buf_free(&sb);
}

static void fixed_group_line(const json_t *it)
{
	char id[64], title[512], count[32], testers[32], by[16];

	cli_text(id, sizeof(id), json_object_get(it, "id"));
	cli_text(title, sizeof(title), json_object_get(it, "title"));
	cli_text(count, sizeof(count), json_object_get(it, "count"));
	cli_text(testers, sizeof(testers), json_object_get(it, "testers"));
	short_commit(by, json_object_get(it, "fixed_by"));
	printf("  %s  %s  %s report%s, %s tester%s  (fixed by %s)\n", id, title, count,
	       strcmp(count, "1") ? "s" : "", testers, strcmp(testers, "1") ? "s" : "", by);
}

static void fixed_report_line(const json_t *it)
{
	char id[64], title[512], by[16];

	cli_text(id, sizeof(id), json_object_get(it, "id"));
	cli_text(title, sizeof(title), json_object_get(it, "title"));
	short_commit(by, json_object_get(it, "fixed_by"));
	printf("  %s  %s  (fixed by %s)\n", id, title, by);
}

static void contributor_line(const json_t *it)
{
	char name[160], sugg[32], fixed[32];

	cli_text(name, sizeof(name), json_object_get(it, "name"));
	cli_text(sugg, sizeof(sugg), json_object_get(it, "suggestions"));
	cli_text(fixed, sizeof(fixed), json_object_get(it, "fixed_reports"));
	printf("  %s  %s suggestion%s, %s fixed report%s\n", name, sugg,
	       strcmp(sugg, "1") ? "s" : "", fixed, strcmp(fixed, "1") ? "s" : "");
}

void cli_show_release(const json_t *rel, time_t now)
{
	char name[160], ref[320], commit[16], when[160];

	cli_text(name, sizeof(name), json_object_get(rel, "name"));
	cli_text(ref, sizeof(ref), json_object_get(rel, "ref"));
	short_commit(commit, json_object_get(rel, "commit"));
	cli_when(when, sizeof(when), json_object_get(rel, "created_at"), now);
	printf("release %s  ref %s  commit %s\n", name, ref, commit);
	printf(LABEL "%s\n", "registered:", when);
	release_section("shipped suggestions", json_object_get(rel, "shipped_suggestions"),
			shipped_line);
	release_section("fixed groups", json_object_get(rel, "fixed_groups"), fixed_group_line);
	release_section("fixed reports", json_object_get(rel, "fixed_reports"), fixed_report_line);
	release_section("contributors", json_object_get(rel, "contributors"), contributor_line);
}

/*
 * One item of the tester's own list: the head line, the details, then the
 * conversation (the team's comments and the tester's replies), fitted to `width`.
 */
static void mine_item(const json_t *it, int report, time_t now, size_t width)
{
	char id[64], status[64], title[512], n[32], rel[160];
	buf sb = BUF_INIT(1024);
	json_t *list = json_object_get(it, "comments");

	cli_text(id, sizeof(id), json_object_get(it, "id"));
	cli_text(status, sizeof(status), json_object_get(it, "status"));
	cli_text(title, sizeof(title), json_object_get(it, "title"));
	buf_printf(&sb, "  %-6s %-12s %s", id, status, title);
	/* A title too long for the terminal is cut, as in the tables. */
	fitted_line(sb.p ? sb.p : "", width);
	buf_reset(&sb);
	buf_puts(&sb, "         ");
	if (report) {
		json_int_t others = json_integer_value(json_object_get(it, "others"));
		if (others == 0)
			buf_puts(&sb, "no one else saw this yet");
		else
			buf_printf(&sb, "%" JSON_INTEGER_FORMAT " other%s saw this", others,
				   others == 1 ? "" : "s");
		if (present(json_object_get(it, "fixed_in"))) {
			cli_text(rel, sizeof(rel), json_object_get(it, "fixed_in"));
			buf_printf(&sb, "; fixed in %s", rel);
		}
	} else {
		cli_text(n, sizeof(n), json_object_get(it, "votes"));
		buf_printf(&sb, "%s vote%s", n, strcmp(n, "1") ? "s" : "");
		if (present(json_object_get(it, "shipped_in"))) {
			cli_text(rel, sizeof(rel), json_object_get(it, "shipped_in"));
			buf_printf(&sb, "; shipped in %s", rel);
		}
		if (present(json_object_get(it, "duplicate_of"))) {
			cli_text(rel, sizeof(rel), json_object_get(it, "duplicate_of"));
			buf_printf(&sb, "; merged into %s", rel);
		}
	}
	fitted_line(sb.p ? sb.p : "", width);
	if (json_is_array(list))
		comments(list, "         ", now, width);
	buf_free(&sb);
}

void cli_show_mine(const json_t *m, time_t now)
{
	json_t *reports = json_object_get(m, "reports"), *suggs = json_object_get(m, "suggestions");
	size_t i, width = cli_output_width();
	json_t *it;

	printf("reports:\n");
	if (json_array_size(reports) == 0)
		printf("  none\n");
	json_array_foreach(reports, i, it) mine_item(it, 1, now, width);
	printf("suggestions:\n");
	if (json_array_size(suggs) == 0)
		printf("  none\n");
	json_array_foreach(suggs, i, it) mine_item(it, 0, now, width);
}
