/* triage.c - the handlers developers call with a token: reports and groups, lists, search, changes, export. */
#include "api/triage.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rfc3339.h"
#include "config.h"
#include "api/apijob.h"
#include "net/conn.h"
#include "git/gitwork.h"
#include "api/render_reports.h"
#include "api/reply.h"
#include "api/users.h"
#include "api/params.h"
#include "model/workflow.h"

#define PATCH_MAX_COMMENT 16384
#define PATCH_MAX_ASSIGNEE 128
#define PATCH_MAX_REVISION 255 /* REPO_REV_MAX: longest revision named as fixed_by */

/* What a request asked of the store, with room for its filter strings. */
typedef struct triage_job {
	apijob api; /* first */
	char fixed_full[41];
	int64_t num;
	store_report_filter rf;
	store_group_filter gf;
	store_patch patch;
	json_t *patch_doc; /* owns the strings of `patch` */
	char kind[16], rstatus[16], revision[257], version[257], platform[257];
	char tag[300], q[1024], release[257];
	char cohort[65]; /* STORE_COHORT_MAX + 1 */
	int format;       /* export: FORMAT_* */
	struct export *export;
} triage_job;

enum { FORMAT_JSON, FORMAT_CSV, FORMAT_JSONL };

/* ---- common ---- */

static void triage_release(apijob *j)
{
	triage_job *tj = (triage_job *)j;

	json_decref(tj->patch_doc);
	free(tj->export);
	apijob_dispose(j);
	free(tj);
}

static void triage_free(triage_job *tj)
{
	triage_release(&tj->api);
}

/* A job for this request, or NULL after answering (no credentials, out of memory). */
static triage_job *job_new(request *rq, int need, apijob_query query)
{
	triage_job *tj = calloc(1, sizeof(*tj));

	if (!tj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&tj->api, rq, need, query, "no such item in this project",
			triage_release) < 0) {
		free(tj);
		return NULL;
	}
	return tj;
}

/* ---- query parameters ---- */

/* Take one parameter into out; 1 present, 0 absent, -1 answered 422. */
static int param(request *rq, const char *name, char *out, size_t outsz)
{
	int n = http_query_param(rq->http->query, name, out, outsz);

	if (n == -2) {
		conn_reply_error(rq->conn, 422, "invalid_parameter", "malformed or too long", name);
		return -1;
	}
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	return 1;
}

static int bad(request *rq, const char *field, const char *message)
{
	conn_reply_error(rq->conn, 422, "invalid_parameter", message, field);
	return -1;
}

static int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t n = 0;

	if (!*s || strlen(s) > 18)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
	}
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* A time filter: RFC 3339 or seconds since the epoch. */
static int time_param(request *rq, const char *name, int64_t *out)
{
	char v[64];
	int rc = param(rq, name, v, sizeof(v));

	if (rc <= 0)
		return rc;
	if (parse_int64(v, 1, INT64_MAX / 2, out) == 0 || rfc3339_parse(v, out) == 0)
		return 1;
	return bad(rq, name, "must be a time such as 2026-11-20T10:15:00Z");
}

static int kind_ok(const char *k)
{
	return strcmp(k, "crash") == 0 || strcmp(k, "bug") == 0 || strcmp(k, "feedback") == 0;
}

static int limit_param(request *rq, int *out)
{
	char v[32];
	int64_t n;
	int rc = param(rq, "limit", v, sizeof(v));

	*out = PROSUM_LIST_LIMIT;
	if (rc <= 0)
		return rc;
	if (parse_int64(v, 1, PROSUM_LIST_MAX, &n) < 0)
		return bad(rq, "limit", "must be a whole number from 1 to 500");
	*out = (int)n;
	return 1;
}

/* The filters reports and groups share. */
static int common_filters(request *rq, triage_job *tj, const char **kind, const char **status,
			  const char **version, const char **platform, int group_status)
{
	int rc;

	if ((rc = param(rq, "kind", tj->kind, sizeof(tj->kind))) < 0)
		return -1;
	if (rc) {
		if (!kind_ok(tj->kind))
			return bad(rq, "kind", "must be one of crash, bug, feedback");
		*kind = tj->kind;
	}
	if ((rc = param(rq, "status", tj->rstatus, sizeof(tj->rstatus))) < 0)
		return -1;
	if (rc) {
		if (!workflow_report_valid(tj->rstatus))
			return bad(rq, "status", group_status ? "not a group status"
							      : "not a report status");
		*status = tj->rstatus;
	}
	if ((rc = param(rq, "version", tj->version, sizeof(tj->version))) < 0)
		return -1;
	if (rc)
		*version = tj->version;
	if ((rc = param(rq, "platform", tj->platform, sizeof(tj->platform))) < 0)
		return -1;
	if (rc)
		*platform = tj->platform;
	return 0;
}

/* ---- reports ---- */

/* A release filter must name a registered release: an unknown name is refused
 * (422, field "release"), never answered with an empty list that looks like "none". */
static int release_filter_known(triage_job *tj, store_db *db, int64_t project_id)
{
	int known;

	if (!tj->rf.release)
		return STORE_OK;
	known = store_release_known(db, project_id, tj->rf.release);
	if (known < 0)
		return STORE_ERROR;
	if (known)
		return STORE_OK;
	snprintf(tj->api.reason, sizeof(tj->api.reason), "no release named '%.200s'",
		 tj->rf.release);
	tj->api.field = "release";
	return STORE_INVALID;
}

static int report_list_query(apijob *j, store_db *db, int64_t project_id)
{
	triage_job *tj = (triage_job *)j;
	json_t *items;
	int64_t next;
	int rc = release_filter_known(tj, db, project_id);

	if (rc != STORE_OK)
		return rc;
	rc = render_report_list(db, project_id, &tj->rf, &items, &next);
	if (rc != STORE_OK)
		return rc;
	tj->api.answer = reply_list(items, next);
	return STORE_OK;
}

/* ---- export: CSV or JSON lines, a page per store job ---- */

typedef struct export {
	store_report_filter rf; /* its strings point into `owner` */
	triage_job *owner;      /* keeps the filter strings; not run again */
	int format;
	int64_t project_id;
	int header_sent;
} export;

static void csv_field(buf *b, const json_t *v)
{
	const char *s = json_string_value(v), *p;

	if (!s)
		return;
	/* Every text field quoted; a leading = + - @ is defused for spreadsheets. */
	buf_append(b, "\"", 1);
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
		buf_append(b, "'", 1);
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_append(b, "\"\"", 2);
		else
			buf_append(b, p, 1);
	}
	buf_append(b, "\"", 1);
}

static const char *const csv_columns[] = {"id",	     "group",	    "kind",    "status",
					  "title",   "received_at", "version", "revision",
					  "severity", "platform",    "assignee", "cohort", NULL};

static json_t *csv_value(const json_t *item, const char *col)
{
	json_t *v = json_object_get(item, col);

	if (strcmp(col, "revision") == 0)
		v = json_object_get(v, "input");
	return v;
}

typedef struct page {
	export *ex;
	buf out;
	int64_t next;
} page;

static int page_row(void *ctx, const json_t *item)
{
	page *pg = ctx;
	int i;

	if (pg->ex->format == FORMAT_JSONL) {
		if (http_dump_json(&pg->out, item) != BUF_OK)
			return -1;
		return buf_append(&pg->out, "\n", 1) == BUF_OK ? 0 : -1;
	}
	for (i = 0; csv_columns[i]; i++) {
		if (i)
			buf_append(&pg->out, ",", 1);
		csv_field(&pg->out, csv_value(item, csv_columns[i]));
	}
	return buf_append(&pg->out, "\r\n", 2) == BUF_OK ? 0 : -1;
}

typedef struct export_job {
	store_job job;
	conn *conn;
	export *ex;
	page pg;
} export_job;

/* One row of the page, rendered as the list shows it and written out at once: memory stays
 * one row's JSON whatever the page size. */
static int export_row(void *ctx, const store_report_row *row)
{
	json_t *item = render_report_row(row);
	int rc = item ? page_row(ctx, item) : -1;

	json_decref(item);
	return rc;
}

static int export_run(store_job *job, store_db *db)
{
	export_job *ej = (export_job *)job;

	return store_report_each(db, ej->ex->project_id, &ej->ex->rf, export_row, &ej->pg,
				 &ej->pg.next);
}

static void export_done(loop_task *t)
{
	export_job *ej = (export_job *)t;
	export *ex = ej->ex;

	if (ej->job.result != STORE_OK) {
		conn_stream_abort(ej->conn);
	} else {
		ex->rf.cursor = ej->pg.next;
		if (ej->pg.next)
			conn_stream_write(ej->conn, ej->pg.out.p, ej->pg.out.len);
		else
			conn_stream_end(ej->conn, ej->pg.out.p, ej->pg.out.len);
	}
	buf_free(&ej->pg.out);
	free(ej);
}

static void export_free(void *ctx)
{
	export *ex = ctx;

	triage_free(ex->owner);
	free(ex);
}

/* The stream wants the next page. */
static void export_more(conn *c, void *ctx)
{
	export *ex = ctx;
	export_job *ej = calloc(1, sizeof(*ej));

	if (!ej) {
		conn_stream_abort(c);
		return;
	}
	ej->conn = c;
	ej->ex = ex;
	ej->pg.ex = ex;
	buf_init(&ej->pg.out, PROSUM_MAX_ANSWER);
	ej->job.run = export_run;
	ej->job.task.fn = export_done;
	if (conn_submit(c, &ej->job) < 0) {
		buf_free(&ej->pg.out);
		free(ej);
	}
}

/* Authorised: start the stream with the header line; pages follow. */
static int export_query(apijob *j, store_db *db, int64_t project_id)
{
	triage_job *tj = (triage_job *)j;

	tj->export->project_id = project_id;
	return release_filter_known(tj, db, project_id);
}

static void export_start(loop_task *t)
{
	triage_job *tj = (triage_job *)t;
	export *ex = tj->export;
	buf head;
	int i;

	if (tj->api.status || tj->api.job.result != STORE_OK) {
		apijob_done(t); /* the refusal, as for any call; frees the export too */
		return;
	}
	ex->owner = tj;
	tj->export = NULL; /* the stream owns it now, and frees tj with it */
	ex->rf = tj->rf;
	/* The whole filtered set: oldest first, or by relevance for a search (whose
	 * cursor is an offset into the ranked matches). */
	ex->rf.limit = 500;
	ex->rf.oldest = ex->rf.q == NULL;
	buf_init(&head, 4096);
	if (ex->format == FORMAT_CSV) {
		for (i = 0; csv_columns[i]; i++)
			buf_printf(&head, "%s%s", i ? "," : "", csv_columns[i]);
		buf_puts(&head, "\r\n");
	}
	conn_stream_start(tj->api.conn, 200,
			  ex->format == FORMAT_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson",
			  head.p ? head.p : "", head.len, export_more, export_free, ex);
	buf_free(&head);
}

void triage_report_list(request *rq)
{
	char v[64];
	int rc;
	triage_job *tj = job_new(rq, AUTH_DEVELOPER, report_list_query);
	store_report_filter *f;

	if (!tj)
		return;
	f = &tj->rf;
	if (common_filters(rq, tj, &f->kind, &f->status, &f->version, &f->platform, 0) < 0)
		goto refused;
	if ((rc = param(rq, "revision", tj->revision, sizeof(tj->revision))) < 0)
		goto refused;
	if (rc)
		f->revision = tj->revision;
	/* The cohort fixed at ingest; "cohort=" (empty) lists the reports of none. */
	if ((rc = param(rq, "cohort", tj->cohort, sizeof(tj->cohort))) < 0)
		goto refused;
	if (rc)
		f->cohort = tj->cohort;
	if ((rc = param(rq, "group", v, sizeof(v))) < 0)
		goto refused;
	if (rc && reply_parse_id(v, 'G', &f->group) < 0) {
		bad(rq, "group", "must be a group id such as G-3");
		goto refused;
	}
	if ((rc = param(rq, "tag", tj->tag, sizeof(tj->tag))) < 0)
		goto refused;
	if (rc) {
		char *colon = strchr(tj->tag, ':');
		if (!colon || colon == tj->tag) {
			bad(rq, "tag", "must be name:value, such as gpu:intel");
			goto refused;
		}
		*colon = '\0';
		f->tag_key = tj->tag;
		f->tag_value = colon + 1;
	}
	if (time_param(rq, "since", &f->since) < 0 || time_param(rq, "until", &f->until) < 0)
		goto refused;
	if ((rc = param(rq, "q", tj->q, sizeof(tj->q))) < 0)
		goto refused;
	if (rc && tj->q[strspn(tj->q, " \t\r\n")])
		f->q = tj->q; /* an empty search box is no search */
	if ((rc = param(rq, "sort", v, sizeof(v))) < 0)
		goto refused;
	if (rc) {
		if (strcmp(v, "oldest") == 0)
			f->oldest = 1;
		else if (strcmp(v, "newest") != 0) {
			bad(rq, "sort", "must be newest or oldest");
			goto refused;
		}
	}
	if (limit_param(rq, &f->limit) < 0)
		goto refused;
	if ((rc = param(rq, "cursor", v, sizeof(v))) < 0)
		goto refused;
	if (rc && parse_int64(v, f->q ? 0 : 1, INT64_MAX / 10, &f->cursor) < 0) {
		bad(rq, "cursor", "not a cursor this server gave");
		goto refused;
	}
	if ((rc = param(rq, "release", tj->release, sizeof(tj->release))) < 0)
		goto refused;
	if (rc)
		f->release = tj->release;
	if ((rc = param(rq, "format", v, sizeof(v))) < 0)
		goto refused;
	if (rc && strcmp(v, "json") != 0) {
		if (strcmp(v, "csv") == 0)
			tj->format = FORMAT_CSV;
		else if (strcmp(v, "jsonl") == 0)
			tj->format = FORMAT_JSONL;
		else {
			bad(rq, "format", "must be json, csv or jsonl");
			goto refused;
		}
		tj->export = calloc(1, sizeof(*tj->export));
		if (!tj->export) {
			apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
			goto refused;
		}
		tj->export->format = tj->format;
		tj->api.query = export_query;
		tj->api.job.task.fn = export_start;
	}
	apijob_submit(&tj->api, 0);
	return;
refused:
	triage_free(tj);
}

static int report_get_query(apijob *j, store_db *db, int64_t project_id)
{
	triage_job *tj = (triage_job *)j;

	return render_report_get(db, project_id, tj->num, &j->answer);
}

/* GET one report or group by its id ('R' or 'G'). */
static void get_by_id(request *rq, char prefix, apijob_query query)
{
	triage_job *tj = job_new(rq, AUTH_DEVELOPER, query);

	if (!tj)
		return;
	/* A malformed id is authorised first all the same: anonymous callers learn nothing. */
	if (reply_parse_id(rq->params[1], prefix, &tj->num) < 0)
		tj->num = 0;
	apijob_submit(&tj->api, 0);
}

void triage_report_get(request *rq)
{
	get_by_id(rq, 'R', report_get_query);
}

/* ---- changes ---- */

/* Read a PATCH body into tj->patch; -1 after answering. */
static int patch_body(request *rq, triage_job *tj, int group)
{
	json_t *doc, *v;
	const char *key;
	store_patch *p = &tj->patch;

	if (params_json_object(rq, &doc) < 0)
		return -1;
	tj->patch_doc = doc;
	json_object_foreach(doc, key, v)
	{
		if (strcmp(key, "status") == 0) {
			if (!json_is_string(v) || !workflow_report_valid(json_string_value(v))) {
				char msg[160];
				snprintf(msg, sizeof(msg), "must be one of %s", workflow_report_list());
				conn_reply_error(rq->conn, 422, "invalid_request", msg, key);
				return -1;
			}
			p->status = json_string_value(v);
		} else if (strcmp(key, "assignee") == 0) {
			if (json_is_null(v)) {
				p->assignee = "";
			} else if (!json_is_string(v) ||
				   json_string_length(v) > PATCH_MAX_ASSIGNEE) {
				conn_reply_error(rq->conn, 422, "invalid_request",
						 "must be a name of at most 128 bytes, or null", key);
				return -1;
			} else {
				p->assignee = json_string_value(v);
			}
		} else if (strcmp(key, "fixed_by") == 0) {
			/* Any revision; the repository says whether it is a commit (check_fixed_by). */
			if (json_is_null(v)) {
				p->fixed_by = "";
				continue;
			}
			if (!json_is_string(v) || json_string_length(v) == 0 ||
			    json_string_length(v) > PATCH_MAX_REVISION) {
				conn_reply_error(rq->conn, 422, "invalid_request",
						 "must be a commit: a hash, tag, branch or HEAD~N of "
						 "at most 255 bytes, or null",
						 key);
				return -1;
			}
			p->fixed_by = json_string_value(v);
		} else if (strcmp(key, "comment") == 0) {
			if (!json_is_string(v) || json_string_length(v) == 0 ||
			    json_string_length(v) > PATCH_MAX_COMMENT) {
				conn_reply_error(rq->conn, 422, "invalid_request",
						 "must be text of 1 to 16384 bytes", key);
				return -1;
			}
			p->comment = json_string_value(v);
		} else if (group && strcmp(key, "merge_into") == 0) {
			if (!json_is_string(v) ||
			    reply_parse_id(json_string_value(v), 'G', &p->merge_into) < 0) {
				conn_reply_error(rq->conn, 422, "invalid_request",
						 "must be a group id such as G-3", key);
				return -1;
			}
		} else {
			char msg[160];
			snprintf(msg, sizeof(msg), "unknown field; known: status, assignee, "
						   "fixed_by, comment%s",
				 group ? ", merge_into" : "");
			conn_reply_error(rq->conn, 422, "invalid_request", msg, key);
			return -1;
		}
	}
	return 0;
}

/* A fixing commit named by a person must be one of the repository's; kept as its full id. */
static int check_fixed_by(triage_job *tj, store_db *db, int64_t project_id)
{
	int rc;

	if (!tj->patch.fixed_by || !tj->patch.fixed_by[0])
		return STORE_OK;
	rc = gitwork_fixing_commit(db, project_id, tj->patch.fixed_by, tj->fixed_full,
				   tj->api.reason, sizeof(tj->api.reason));
	if (rc == STORE_INVALID)
		tj->api.field = "fixed_by";
	if (rc == STORE_OK)
		tj->patch.fixed_by = tj->fixed_full;
	return rc;
}

/* An assignee is a person who may see the project (or "", none). */
static int check_assignee(triage_job *tj, store_db *db, int64_t project_id)
{
	const char *a = tj->patch.assignee;
	int rc;

	if (!a || !a[0])
		return STORE_OK;
	rc = store_user_may_see(db, a, project_id);
	if (rc == STORE_NOTFOUND) {
		snprintf(tj->api.reason, sizeof(tj->api.reason),
			 "no person named '%.64s' may see this project: %s; null clears it", a,
			 USERS_HOW_TO_FIND);
		tj->api.field = "assignee";
		return STORE_INVALID;
	}
	return rc;
}

/* What a patch names must exist: the assignee a person of the project, the fixing commit. */
static int check_patch(triage_job *tj, store_db *db, int64_t project_id)
{
	int rc = check_assignee(tj, db, project_id);

	return rc == STORE_OK ? check_fixed_by(tj, db, project_id) : rc;
}

static int report_patch_query(apijob *j, store_db *db, int64_t project_id)
{
	triage_job *tj = (triage_job *)j;
	int rc = check_patch(tj, db, project_id);

	if (rc != STORE_OK)
		return rc;
	rc = store_report_patch(db, project_id, tj->num, &tj->patch, tj->api.actor,
				    (int64_t)time(NULL), tj->api.reason, sizeof(tj->api.reason));

	if (rc != STORE_OK)
		return rc;
	return render_report_get(db, project_id, tj->num, &tj->api.answer);
}

static int group_patch_query(apijob *j, store_db *db, int64_t project_id)
{
	triage_job *tj = (triage_job *)j;
	int rc = check_patch(tj, db, project_id);

	if (rc != STORE_OK)
		return rc;
	rc = store_group_patch(db, project_id, tj->num, &tj->patch, tj->api.actor,
			       (int64_t)time(NULL), tj->api.reason, sizeof(tj->api.reason));
	/* A new fixing commit, a group fixed again, reports merged in: which builds lack it. */
	if (rc == STORE_OK)
		rc = gitwork_fix_checks(db, project_id,
					tj->patch.merge_into ? tj->patch.merge_into : tj->num,
					(int64_t)time(NULL), NULL);
	if (rc == STORE_INVALID)
		tj->api.field = "merge_into";
	if (rc == STORE_CONFLICT && tj->patch.merge_into) {
		/* The conflict names the field at fault: merge_into when the group is merged
		 * already, else the status change that is not allowed. */
		json_t *g = NULL;

		if (render_group_get(db, project_id, tj->num, &g) == STORE_OK &&
		    !json_is_null(json_object_get(g, "merged_into")))
			tj->api.field = "merge_into";
		json_decref(g);
	}
	if (rc != STORE_OK)
		return rc;
	return render_group_get(db, project_id, tj->num, &tj->api.answer);
}

static void patch(request *rq, char prefix, apijob_query query)
{
	triage_job *tj = job_new(rq, AUTH_DEVELOPER, query);

	if (!tj)
		return;
	if (reply_parse_id(rq->params[1], prefix, &tj->num) < 0)
		tj->num = 0;
	if (patch_body(rq, tj, prefix == 'G') < 0) {
		triage_free(tj);
		return;
	}
	apijob_submit(&tj->api, 1);
}

void triage_report_patch(request *rq)
{
	patch(rq, 'R', report_patch_query);
}

void triage_group_patch(request *rq)
{
	patch(rq, 'G', group_patch_query);
}

/* ---- groups ---- */

static int group_list_query(apijob *j, store_db *db, int64_t project_id)
{
	triage_job *tj = (triage_job *)j;
	json_t *items;
	char next[STORE_CURSOR_MAX];
	int rc = render_group_list(db, project_id, &tj->gf, &items, next);

	if (rc != STORE_OK)
		return rc;
	tj->api.answer = json_pack("{s:o,s:o}", "items", items, "next",
			       next[0] ? json_string(next) : json_null());
	return STORE_OK;
}

void triage_group_list(request *rq)
{
	static const char *const sorts[] = {[STORE_GROUP_SORT_RECENT] = "newest",
					    [STORE_GROUP_SORT_OLDEST] = "oldest",
					    [STORE_GROUP_SORT_COUNT] = "count",
					    [STORE_GROUP_SORT_TESTERS] = "testers"};
	char v[64];
	int rc, i;
	triage_job *tj = job_new(rq, AUTH_DEVELOPER, group_list_query);
	store_group_filter *f;

	if (!tj)
		return;
	f = &tj->gf;
	if (common_filters(rq, tj, &f->kind, &f->status, &f->version, &f->platform, 1) < 0 ||
	    time_param(rq, "since", &f->since) < 0 || time_param(rq, "until", &f->until) < 0 ||
	    limit_param(rq, &f->limit) < 0)
		goto refused;
	/* Groups are not filtered by release: a group's reports come from many builds, and
	 * finding them would scan every report. Refused rather than ignored (an ignored
	 * filter answers every group, as if all belonged to the release). */
	if ((rc = param(rq, "release", v, sizeof(v))) < 0)
		goto refused;
	if (rc) {
		bad(rq, "release", "groups cannot be filtered by release: list the release's "
				   "reports with reports?release= and their groups");
		goto refused;
	}
	if ((rc = param(rq, "sort", v, sizeof(v))) < 0)
		goto refused;
	if (rc) {
		for (i = 0; i <= STORE_GROUP_SORT_TESTERS; i++)
			if (strcmp(v, sorts[i]) == 0)
				break;
		if (i > STORE_GROUP_SORT_TESTERS) {
			bad(rq, "sort", "must be newest, oldest, count or testers");
			goto refused;
		}
		f->sort = i;
	}
	if ((rc = param(rq, "cursor", v, sizeof(v))) < 0)
		goto refused;
	if (rc) {
		char *dot = strchr(v, '.');

		if (!dot || (*dot = '\0', parse_int64(v, 0, INT64_MAX / 10, &f->cursor_key) < 0) ||
		    parse_int64(dot + 1, 1, INT64_MAX / 10, &f->cursor_num) < 0) {
			bad(rq, "cursor", "not a cursor this server gave");
			goto refused;
		}
		f->has_cursor = 1;
	}
	apijob_submit(&tj->api, 0);
	return;
refused:
	triage_free(tj);
}

static int group_get_query(apijob *j, store_db *db, int64_t project_id)
{
	triage_job *tj = (triage_job *)j;

	return render_group_get(db, project_id, tj->num, &j->answer);
}

void triage_group_get(request *rq)
{
	get_by_id(rq, 'G', group_get_query);
}
