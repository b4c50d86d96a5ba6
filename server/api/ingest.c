/* ingest.c - the handlers testers' builds call with an ingest key: reports, with their attachments. */
#include "api/ingest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics/metrics.h"
#include "store/attach.h"
#include "config.h"
#include "net/conn.h"
#include "git/gitwork.h"
#include "api/apijob.h"
#include "api/reply.h"
#include "http/multipart.h"
#include "store/store_cohorts.h"

/* One file of a multipart report; data points into the connection's buffer, parked meanwhile. */
typedef struct ingest_file {
	char name[ATTACH_NAME_MAX + 1];
	char type[ATTACH_TYPE_MAX];
	char sha256[ATTACH_HEX_LEN + 1];
	const char *data;
	size_t len;
} ingest_file;

/* A further report of a mapped intake (the second and later events of an envelope). */
typedef struct ingest_more {
	report report;
	char *text; /* owned: what report.raw borrows */
	store_ingest out;
	gitwork_ingest git;
	int blamed;
} ingest_more;

typedef struct ingest_job {
	store_job job; /* first: the store hands this pointer back */
	conn *conn;
	const char *attach_dir;
	store *store;
	auth_creds creds;
	char project[ROUTER_PARAM_MAX + 1];
	report report;
	int status;      /* non-zero: refused with this status and `why` */
	const char *why;
	store_ingest out;
	gitwork_ingest git;
	int blamed; /* the suspects are recorded: no blame job */
	int64_t by_id;   /* > 0: the project is named by this id (Sentry's DSNs), not by name */
	char event_id[33]; /* set: a Sentry event, answered {"id": event_id} */
	char *text;      /* owned: the document text report.raw borrows (a mapped event); or NULL */
	int no_report;   /* a mapped intake with no report: only `extra` runs */
	ingest_extra extra; /* run in the same transaction (mapped intakes); run may be NULL */
	ingest_more *more;  /* owned: reports stored after `report`, in the same transaction */
	size_t nmore;
	size_t nfiles;
	ingest_file files[PROSUM_MAX_ATTACHMENTS];
} ingest_job;

/* The project's name, for a project named by id. */
static int name_of(void *ctx, const store_project_row *row)
{
	ingest_job *ij = ctx;

	snprintf(ij->project, sizeof(ij->project), "%s", row->name);
	return 0;
}

/*
 * Store one report with its build resolved, its sender's cohort fixed (as a session's: the
 * install's, else the key's it came with, else its channel's), its commit linked and known
 * fixes blamed. key: the ingest key, or NULL.
 */
static int store_one(store_db *db, int64_t project_id, const char *key, report *r,
		     store_ingest *out, gitwork_ingest *git, int *blamed, int64_t now)
{
	const char *install = r->install_id;
	int rc;

	if (gitwork_resolve_build(db, project_id, r) < 0)
		return STORE_ERROR;
	if (install && strcmp(install, REPORT_NO_TESTER) == 0)
		install = NULL; /* a Sentry event naming no user: no install's cohort */
	rc = store_cohort_resolve(db, project_id, key, r->channel, install, r->cohort);
	if (rc != STORE_OK)
		return rc;
	rc = store_report_insert(db, project_id, r, now, out);
	if (rc != STORE_OK)
		return rc;
	/* No link is applied here: the sync that read its commit applied it, once. */
	rc = gitwork_ingest_report(db, project_id, r, out, now, git);
	if (rc == STORE_OK && out->created)
		rc = gitwork_blame_known(db, project_id, out->num, git->commit,
					 json_object_get(r->root, "frames"), blamed);
	return rc;
}

/*
 * On the writer thread, inside the batch's transaction. Attachment files are
 * written and fsynced here, before the commit that acknowledges them: the
 * I/O threads never touch the disk.
 */
static int ingest_run(store_job *job, store_db *db)
{
	ingest_job *ij = (ingest_job *)job;
	store_attachment a[PROSUM_MAX_ATTACHMENTS];
	int64_t project_id;
	char actor[AUTH_ACTOR_MAX];
	const char *key;
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int rc, created;

	if (ij->by_id > 0) {
		rc = store_project_each(db, ij->by_id, 0, name_of, ij);
		if (rc != STORE_OK)
			return rc;
		if (!ij->project[0]) {
			ij->status = 404;
			ij->why = "no such project";
			return STORE_OK;
		}
	}
	ij->status = auth_check(db, &ij->creds, ij->project, AUTH_INGEST, &project_id, actor,
				&ij->why);
	if (ij->status)
		return STORE_OK; /* nothing written; the refusal is answered in ingest_done() */
	if (ij->no_report)
		return ij->extra.run ? ij->extra.run(db, project_id, 0, now, ij->extra.ctx) : STORE_OK;
	key = ij->creds.has_key ? ij->creds.key : NULL;
	rc = store_one(db, project_id, key, &ij->report, &ij->out, &ij->git, &ij->blamed, now);
	for (i = 0; rc == STORE_OK && i < ij->nmore; i++)
		rc = store_one(db, project_id, key, &ij->more[i].report, &ij->more[i].out,
			       &ij->more[i].git, &ij->more[i].blamed, now);
	if (rc == STORE_OK && ij->extra.run)
		rc = ij->extra.run(db, project_id, ij->out.num, now, ij->extra.ctx);
	if (rc != STORE_OK || !ij->out.created || ij->nfiles == 0)
		return rc;
	for (i = 0; i < ij->nfiles; i++) {
		ingest_file *f = &ij->files[i];

		if (attach_store(ij->attach_dir, f->data, f->len, f->sha256, &created) < 0) {
			ij->status = 507;
			ij->why = "the attachments could not be written; send the report again later";
			return STORE_ERROR;
		}
		a[i].name = f->name;
		a[i].content_type = f->type;
		a[i].sha256 = f->sha256;
		a[i].size = (int64_t)f->len;
	}
	return store_attachments_add(db, project_id, ij->out.num, a, ij->nfiles);
}

/* Blame, after the report's commit: heavy, so never on the ingest path itself. */
typedef struct blame_job {
	store_job job;
	char project[ROUTER_PARAM_MAX + 1];
	int64_t num;
	json_t *frames;
} blame_job;

static int blame_run(store_job *job, store_db *db)
{
	blame_job *bj = (blame_job *)job;
	int64_t project_id;

	if (store_project_find(db, bj->project, &project_id) != STORE_OK)
		return STORE_OK;
	return gitwork_blame_report(db, project_id, bj->num, bj->frames);
}

static void blame_done(loop_task *t)
{
	blame_job *bj = (blame_job *)t;

	json_decref(bj->frames);
	free(bj);
}

static void blame_later(ingest_job *ij, const report *r, const store_ingest *out,
			const gitwork_ingest *git, int blamed)
{
	blame_job *bj;
	json_t *frames = json_object_get(r->root, "frames");

	if (!out->created || blamed || !git->commit[0] || !gitwork_blameable(frames))
		return;
	bj = calloc(1, sizeof(*bj));
	if (!bj)
		return;
	memcpy(bj->project, ij->project, sizeof(bj->project));
	bj->num = out->num;
	bj->frames = json_deep_copy(frames);
	bj->job.run = blame_run;
	bj->job.task.fn = blame_done;
	bj->job.owner = ij->job.owner;
	bj->job.write = 1;
	/* Best effort: when the queue is full the suspects wait for the next report. */
	if (!bj->frames || store_submit(ij->store, &bj->job) != STORE_OK) {
		json_decref(bj->frames);
		free(bj);
	}
}

/* Release a job and all it owns. */
static void job_free(ingest_job *ij)
{
	size_t i;

	report_free(&ij->report);
	free(ij->text);
	for (i = 0; i < ij->nmore; i++) {
		report_free(&ij->more[i].report);
		free(ij->more[i].text);
	}
	free(ij->more);
	if (ij->extra.free)
		ij->extra.free(ij->extra.ctx);
	free(ij);
}

/* Back on the connection's thread, after the commit. */
static void ingest_done(loop_task *t)
{
	ingest_job *ij = (ingest_job *)t;
	gitwork_ingest *g = &ij->git;
	json_t *ans, *known = json_null();
	const char *code = NULL, *msg = NULL, *field = NULL;
	size_t i;
	int st;

	/* The project exists: from now on its ingest metrics carry its name. */
	if (ij->job.result == STORE_OK && !ij->status)
		metrics_project_known(ij->project, ij->by_id);
	if (ij->job.result == STORE_INVALID && ij->extra.why &&
	    (st = ij->extra.why(ij->extra.ctx, &code, &msg, &field)) > 0) {
		conn_reply_error(ij->conn, st, code, msg, field);
	} else if (ij->job.result == STORE_FULL || ij->status == 507) {
		apijob_reply_error(ij->conn, STORE_FULL, "the server is out of disk space; nothing was "
				   "stored, send it again later", NULL);
	} else if (ij->status) {
		conn_reply_error(ij->conn, ij->status, NULL, ij->why, NULL);
	} else if (ij->job.result != STORE_OK) {
		apijob_reply_error(ij->conn, STORE_ERROR, "the report could not be stored; send it again",
				   NULL);
	} else if (ij->event_id[0] || ij->no_report) {
		ans = ij->event_id[0] ? json_pack("{s:s}", "id", ij->event_id) : json_object();
		conn_reply_json(ij->conn, 200, ans);
		json_decref(ans);
		if (!ij->no_report)
			blame_later(ij, &ij->report, &ij->out, &ij->git, ij->blamed);
		for (i = 0; i < ij->nmore; i++)
			blame_later(ij, &ij->more[i].report, &ij->more[i].out, &ij->more[i].git,
				    ij->more[i].blamed);
	} else {
		if (g->known)
			known =
			    json_pack("{s:o,s:s,s:o}", "group", reply_id('G', ij->out.group_num),
				      "status", "fixed", "fixed_in",
				      g->fixed_in[0] ? json_string(g->fixed_in) : json_null());
		else if (g->regressed)
			known =
			    json_pack("{s:o,s:s,s:n}", "group", reply_id('G', ij->out.group_num),
				      "status", "regressed", "fixed_in");
		ans = json_pack("{s:o,s:o,s:{s:s?,s:o,s:o},s:o}", "id", reply_id('R', ij->out.num),
				"group", reply_id('G', ij->out.group_num), "revision", "input",
				ij->report.revision ? ij->report.revision : ij->report.version, "commit",
				g->commit[0] ? json_string(g->commit) : json_null(), "release",
				g->release[0] ? json_string(g->release) : json_null(), "known", known);
		conn_reply_json(ij->conn, ij->out.created ? 201 : 200, ans);
		json_decref(ans);
		blame_later(ij, &ij->report, &ij->out, &ij->git, ij->blamed);
	}
	job_free(ij);
}

static void refuse(request *rq, int status, const char *code, const char *field, const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));

static void refuse(request *rq, int status, const char *code, const char *field, const char *fmt,
		   ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conn_reply_error(rq->conn, status, code, msg, field);
}

/* Take the file parts of a multipart report into ij->files. 0, or -1 after answering. */
static int take_files(request *rq, ingest_job *ij, const multipart_part *parts, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const multipart_part *p = &parts[i];
		ingest_file *f;
		ssize_t len;

		if (http_slice_eq(p->name, "report"))
			continue;
		if (!p->has_filename) {
			refuse(rq, 422, "invalid_attachment", "attachments",
			       "part %zu: a file part needs a filename", i + 1);
			return -1;
		}
		if (ij->nfiles == PROSUM_MAX_ATTACHMENTS) {
			refuse(rq, 413, "too_many_attachments", "attachments",
			       "at most %d attachments per report", PROSUM_MAX_ATTACHMENTS);
			return -1;
		}
		f = &ij->files[ij->nfiles];
		len = multipart_unescape(f->name, sizeof(f->name), p->filename);
		if (len < 0 || !attach_name_ok(f->name, (size_t)len)) {
			refuse(rq, 422, "invalid_attachment", "attachments",
			       "part %zu: attachment names are 1-128 letters, digits, '.', '_', '-' "
			       "or spaces, not starting with '.'; no paths",
			       i + 1);
			return -1;
		}
		for (j = 0; j < ij->nfiles; j++) {
			if (strcmp(ij->files[j].name, f->name) == 0) {
				refuse(rq, 422, "invalid_attachment", "attachments",
				       "two attachments are named '%s'", f->name);
				return -1;
			}
		}
		if (p->data.len > PROSUM_MAX_ATTACHMENT) {
			refuse(rq, 413, "attachment_too_large", "attachments",
			       "'%s' is larger than %d bytes", f->name, PROSUM_MAX_ATTACHMENT);
			return -1;
		}
		attach_sniff_type(f->type, p->content_type.p, p->content_type.len);
		/* Builds (libprosum among them) send every file as octet-stream: a picture named and
		 * made as one is listed as the picture it is, so the app can show it. */
		if (strcmp(f->type, "application/octet-stream") == 0) {
			const char *pic = attach_served_type_of(f->name, p->data.p, p->data.len);
			if (strncmp(pic, "image/", 6) == 0)
				snprintf(f->type, sizeof(f->type), "%s", pic);
		}
		f->data = p->data.p;
		f->len = p->data.len;
		ij->nfiles++;
	}
	return 0;
}

/* A multipart/form-data report: a `report` JSON part and file parts. */
static int parse_multipart(request *rq, ingest_job *ij, report_error *err)
{
	multipart_part parts[PROSUM_MAX_ATTACHMENTS + 2];
	const multipart_part *doc;
	const http_header *ct = http_find_header(rq->http, "content-type");
	char msg[128];
	size_t n = 0;
	int rc;

	rc = multipart_parse(parts, sizeof(parts) / sizeof(parts[0]), &n, rq->body, rq->body_len,
			     ct->value.p, ct->value.len, msg, sizeof(msg));
	if (rc == MULTIPART_ETOOMANY) {
		refuse(rq, 413, "too_many_attachments", "attachments",
		       "at most %d attachments per report", PROSUM_MAX_ATTACHMENTS);
		return -1;
	}
	if (rc < 0) {
		refuse(rq, rc == MULTIPART_EHEADERS ? 413 : 400, "invalid_multipart", NULL, "%s",
		       msg);
		return -1;
	}
	rc = multipart_find_one(&doc, parts, n, "report");
	if (rc < 0) {
		refuse(rq, 422, "invalid_report", "report",
		       rc == MULTIPART_EDUPLICATE ? "send one part named 'report', not several"
						  : "a part named 'report' with the JSON document is required");
		return -1;
	}
	if (take_files(rq, ij, parts, n) < 0)
		return -1;
	if (report_parse(&ij->report, doc->data.p, doc->data.len, rq->rlim, err) < 0) {
		conn_reply_error(rq->conn, err->status, err->code, err->message, err->field);
		return -1;
	}
	return 0;
}

void ingest_report(request *rq)
{
	const http_request *h = rq->http;
	report_error err;
	ingest_job *ij;

	if (!auth_has_any(&rq->creds)) {
		conn_reply_error(rq->conn, 401, NULL,
				 rq->creds.malformed
					 ? "malformed credentials"
					 : "missing credentials: send X-Prosum-Key or Authorization",
				 NULL);
		return;
	}
	if (rq->creds.has_key && conn_rate_key(rq->conn, rq->creds.key) < 0)
		return;
	ij = calloc(1, sizeof(*ij));
	if (!ij) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return;
	}
	if (http_slice_eq_nocase(h->content_type, "multipart/form-data")) {
		if (parse_multipart(rq, ij, &err) < 0) {
			free(ij);
			return;
		}
	} else if (http_slice_eq_nocase(h->content_type, "application/json")) {
		if (report_parse(&ij->report, rq->body, rq->body_len, rq->rlim, &err) < 0) {
			free(ij);
			conn_reply_error(rq->conn, err.status, err.code, err.message, err.field);
			return;
		}
	} else {
		free(ij);
		conn_reply_error(rq->conn, 415, "unsupported_media_type",
				 "send the report as application/json, or as multipart/form-data "
				 "with a 'report' part and file parts",
				 NULL);
		return;
	}
	ij->conn = rq->conn;
	ij->attach_dir = rq->attach_dir;
	ij->store = rq->store;
	ij->creds = rq->creds;
	memcpy(ij->project, rq->params[0], sizeof(ij->project));
	ij->job.run = ingest_run;
	ij->job.task.fn = ingest_done;
	ij->job.write = 1;
	if (conn_submit(rq->conn, &ij->job) < 0) {
		report_free(&ij->report);
		free(ij);
	}
}

/* ---- serving attachments back, to tokens only ---- */

typedef struct attach_job {
	store_job job;
	conn *conn;
	const char *attach_dir;
	auth_creds creds;
	char project[ROUTER_PARAM_MAX + 1];
	char name[ATTACH_NAME_MAX + 1];
	int64_t num;
	int status;
	const char *why;
	char type[128];
	char *data;
	size_t len;
} attach_job;

static int attach_run(store_job *job, store_db *db)
{
	attach_job *aj = (attach_job *)job;
	char sha[65], actor[AUTH_ACTOR_MAX];
	int64_t project_id, size;
	size_t got = 0;
	int fd, rc;

	aj->status = auth_check(db, &aj->creds, aj->project, AUTH_DEVELOPER, &project_id, actor,
				&aj->why);
	if (aj->status)
		return STORE_OK;
	rc = store_attachment_find(db, project_id, aj->num, aj->name, sha, aj->type, &size);
	if (rc != STORE_OK)
		return rc;
	/* Read on this store thread, never on an I/O thread; files are at most 10 MiB. */
	if (attach_open(aj->attach_dir, sha, &fd, &aj->len) < 0)
		return STORE_NOTFOUND;
	aj->data = malloc(aj->len ? aj->len : 1);
	while (aj->data && got < aj->len) {
		ssize_t n = read(fd, aj->data + got, aj->len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!aj->data || got != aj->len)
		return STORE_ERROR;
	return STORE_OK;
}

static void attach_done(loop_task *t)
{
	attach_job *aj = (attach_job *)t;
	char extra[300];

	if (aj->status) {
		conn_reply_error(aj->conn, aj->status, NULL, aj->why, NULL);
	} else if (aj->job.result == STORE_NOTFOUND) {
		apijob_reply_error(aj->conn, STORE_NOTFOUND, "no such attachment", NULL);
	} else if (aj->job.result != STORE_OK) {
		apijob_reply_error(aj->conn, STORE_ERROR, "the attachment could not be read", NULL);
	} else {
		/* Served as a download, never rendered: the bytes are the tester's, not ours
		 * (nosniff is on every answer: HTTP_SECURITY_HEADERS). */
		snprintf(extra, sizeof(extra),
			 "Content-Disposition: attachment; filename=\"%s\"\r\n", aj->name);
		conn_reply(aj->conn, 200, attach_served_type_of(aj->name, aj->data, aj->len),
			   aj->data, aj->len, extra);
	}
	free(aj->data);
	free(aj);
}

void ingest_attachment_get(request *rq)
{
	attach_job *aj;
	ssize_t n;
	http_slice raw = {rq->params[2], strlen(rq->params[2])};

	if (!auth_has_any(&rq->creds)) {
		conn_reply_error(rq->conn, 401, NULL,
				 "missing credentials: send Authorization: Bearer TOKEN", NULL);
		return;
	}
	aj = calloc(1, sizeof(*aj));
	if (!aj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return;
	}
	/* The name travels percent-encoded (spaces); it is only ever a key in the database. */
	n = http_percent_decode(aj->name, sizeof(aj->name), raw);
	if (n < 0 || !attach_name_ok(aj->name, (size_t)n) ||
	    reply_parse_id(rq->params[1], 'R', &aj->num) < 0) {
		aj->name[0] = '\0';
		aj->num = 0;
	}
	aj->conn = rq->conn;
	aj->attach_dir = rq->attach_dir;
	aj->creds = rq->creds;
	memcpy(aj->project, rq->params[0], sizeof(aj->project));
	aj->job.run = attach_run;
	aj->job.task.fn = attach_done;
	if (conn_submit(rq->conn, &aj->job) < 0)
		free(aj);
}

void ingest_mapped_many(request *rq, ingest_doc *docs, size_t n, int64_t project_id,
			const auth_creds *creds, const char *event_id, const ingest_extra *extra)
{
	ingest_job *ij = calloc(1, sizeof(*ij));
	size_t i;

	if (ij && n > 1 && !(ij->more = calloc(n - 1, sizeof(*ij->more)))) {
		free(ij);
		ij = NULL;
	}
	if (!ij) {
		for (i = 0; i < n; i++) {
			report_free(&docs[i].rep);
			free(docs[i].text);
		}
		free(docs);
		if (extra && extra->free)
			extra->free(extra->ctx);
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return;
	}
	if (n > 0) {
		ij->report = docs[0].rep;
		ij->text = docs[0].text;
	} else {
		ij->no_report = 1;
	}
	for (i = 1; i < n; i++) {
		ij->more[i - 1].report = docs[i].rep;
		ij->more[i - 1].text = docs[i].text;
	}
	ij->nmore = n > 1 ? n - 1 : 0;
	free(docs);
	if (extra)
		ij->extra = *extra;
	ij->by_id = project_id;
	snprintf(ij->event_id, sizeof(ij->event_id), "%s", event_id ? event_id : "");
	ij->conn = rq->conn;
	ij->attach_dir = rq->attach_dir;
	ij->store = rq->store;
	ij->creds = *creds;
	ij->job.run = ingest_run;
	ij->job.task.fn = ingest_done;
	ij->job.write = 1;
	if (conn_submit(rq->conn, &ij->job) < 0)
		job_free(ij);
}

void ingest_mapped(request *rq, report *rep, char *text, int64_t project_id, const auth_creds *creds,
		   const char *event_id, const ingest_extra *extra)
{
	ingest_doc *d = NULL;

	if (rep && !(d = calloc(1, sizeof(*d)))) {
		report_free(rep);
		free(text);
		if (extra && extra->free)
			extra->free(extra->ctx);
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return;
	}
	if (rep) {
		d->rep = *rep;
		d->text = text;
	}
	ingest_mapped_many(rq, d, rep ? 1 : 0, project_id, creds, event_id, extra);
}
