/* prosum.h - libprosum: beta builds send crashes, bugs and feedback to prosumd. */
#ifndef PROSUM_H
#define PROSUM_H

/*
 * Conventions of this API
 *
 * - Handles are opaque: prosum_client (one per DSN, usually one per process)
 *   and prosum_report (one report being built).
 * - Every call that can fail returns an int: 0 on success or a negative
 *   PROSUM_E* code. Outputs come first. On failure outputs are left
 *   untouched unless the call says otherwise, and a one-line reason is kept
 *   for the calling thread: read it with prosum_error_last().
 * - Strings passed in are copied; the caller keeps ownership of its own
 *   memory. Strings handed out are borrowed unless the call says the caller
 *   owns them.
 * - Every free/dispose function accepts NULL.
 * - Option structs carry a version. Declare them with their _INIT macro so a
 *   beta build compiled against an older header keeps working.
 * - Strings are UTF-8 and NUL-terminated.
 *
 * Where things live on disk
 *
 * - The spool directory: options.spool_dir, else $PROSUM_SPOOL, else
 *   $XDG_STATE_HOME/prosum/spool/HOST-PORT-PROJECT (XDG_STATE_HOME defaults to
 *   ~/.local/state). A spool directory belongs to one DSN: reports found in it
 *   are sent to the client's DSN (recorded in the file `dsn`; `prosum queue`
 *   lists and moves items between spools). It holds one file per queued
 *   report (*.report), suggestion (*.suggestion) and vote (*.vote), with
 *   NAME.state counting failed attempts, crash records from the crash handler (*.crash),
 *   sessions' ends and ratings (*.session, *.rating), the marker of this run's
 *   session (session-UUID.open, see prosum_session_start()), prosum.log
 *   (reports the server refused, reports dropped because the spool was full)
 *   and the counter file `dropped`.
 * - The install id (the tester's anonymous identity, a random UUID made once):
 *   `install_id` in the spool directory when the directory was chosen with
 *   options.spool_dir or $PROSUM_SPOOL, else $XDG_STATE_HOME/prosum/install_id,
 *   shared by every project on the machine.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROSUM_VERSION "0.1.0"

/* Error codes. Every failing call returns one of these. */
#define PROSUM_OK 0
#define PROSUM_ERROR (-1)    /* unclassified failure */
#define PROSUM_EINVALID (-2) /* an argument is malformed (DSN, kind, JSON, option) */
#define PROSUM_ENOMEM (-3)   /* out of memory */
#define PROSUM_EIO (-4)      /* file system: spool, attachment, install id */
#define PROSUM_ENETWORK (-5) /* no answer: DNS, connection refused or reset, proxy */
#define PROSUM_ETLS (-6)     /* TLS failed: the server's certificate or pinned key did not verify */
#define PROSUM_ETIMEOUT (-7) /* a timeout passed (transfer, or prosum_flush) */
#define PROSUM_EHTTP (-8)    /* the server answered with an error status (4xx/5xx) */
#define PROSUM_EPROTOCOL (-9) /* the server's answer is not what the API promises */
#define PROSUM_ETOOBIG (-10)  /* a limit was reached (frames, tags, attachment, spool size) */
#define PROSUM_EBUSY (-11)    /* the server asked to retry later (429/503 Retry-After) */
#define PROSUM_ESTATE (-12)   /* the call does not fit the object's state (crash handler twice) */
#define PROSUM_EAUTH (-13)    /* the server refused the key or the project (401, 403, 404) */

/*
 * The reason for the last failure in the calling thread, one line, never
 * NULL ("no error" when none). Borrowed: valid until the thread's next call
 * into libprosum. Each thread has its own.
 */
const char *prosum_error_last(void);

/* Forget the calling thread's last error. */
void prosum_error_clear(void);

/* ------------------------------------------------------------------------ */
/* Results of a delivery                                                      */

/*
 * What the server said about one report. Filled by prosum_send() and handed
 * to the delivery callback. Every string is owned by the result, NULL when
 * absent; release them with prosum_result_dispose(), which leaves the struct
 * reusable. Initialise with PROSUM_RESULT_INIT.
 */
typedef struct prosum_result {
	unsigned int version;
	int status;             /* HTTP status; 0 when no answer came */
	int duplicate;          /* 1: 200, the server already had this uuid */
	char *uuid;             /* the report's uuid */
	char *id;               /* "R-12" */
	char *group;            /* "G-3" */
	char *revision_commit;  /* the full commit build.revision resolved to */
	char *revision_release; /* the newest release containing that commit */
	char *known_group;      /* "known": the group is already handled... */
	char *known_status;     /* ...its status, e.g. "fixed" */
	char *known_fixed_in;   /* ...and the release that fixes it, "1.4.0-beta.3" */
	char *error_code;       /* 4xx/5xx: {"error":{"code","message","field"}} */
	char *error_message;
	char *error_field;
	char *body; /* the raw answer body, NUL-terminated */
	/* Since version 2. */
	const char *kind; /* "report", "suggestion", "vote", "session" or "rating"; static */
	/*
	 * A vote: PROSUM_COUNTED when it changed the tally (a new vote, or a
	 * withdrawn one), PROSUM_NOT_COUNTED when it did not (the install had
	 * already voted, or had not voted when withdrawing), 0 when the server
	 * did not say. `id` is then the suggestion's ("S-4") and `votes` its
	 * votes afterwards.
	 */
	int counted;
	long votes;
} prosum_result;

#define PROSUM_COUNTED 1
#define PROSUM_NOT_COUNTED 2

#define PROSUM_RESULT_VERSION 2
#define PROSUM_RESULT_INIT                                                                         \
	{                                                                                          \
		.version = PROSUM_RESULT_VERSION                                                   \
	}

/* Free every string of the result and reset it to PROSUM_RESULT_INIT. NULL is fine. */
void prosum_result_dispose(prosum_result *result);

/*
 * Called once a queued report, suggestion or vote (result->kind) has its
 * final answer: delivered (2xx) or refused for good because of the item
 * itself (400, 409, 413, 415, 422 and the other 4xx, and a 404 for a vote
 * on an unknown suggestion; the spool file is then deleted and the refusal
 * logged in prosum.log). Not called for failures that are retried: network
 * and TLS errors, 5xx, 408, 429, and 401/403/404, which speak of the key or
 * the project rather than the item (it waits until the DSN is fixed).
 * Runs in the background sender's thread, or in the thread calling
 * prosum_flush() without one. `result` is borrowed for the duration of the
 * call. Keep it short: the sender waits for it.
 */
typedef void (*prosum_delivery_cb)(const prosum_result *result, void *payload);

/* ------------------------------------------------------------------------ */
/* The client                                                                 */

typedef struct prosum_client prosum_client;

/* options.flags */
#define PROSUM_NO_SENDER                                                                           \
	0x1u               /* no background thread: only prosum_send() and prosum_flush() deliver */
/* Ignore $PROSUM_CACERT, $PROSUM_PIN, $PROSUM_SPOOL, $PROSUM_SESSIONS and $XDG_STATE_HOME. */
#define PROSUM_NO_ENV 0x2u
/*
 * Sessions (release health, see "Sessions" below): by default prosum_client_new() records
 * this run as a session (it calls prosum_session_start()), unless PROSUM_NO_SESSIONS is set
 * or the environment says PROSUM_SESSIONS=0 (also no, false, off; not read with
 * PROSUM_NO_ENV). Tools that are not the beta build (an uploader, a CI step) set
 * PROSUM_NO_SESSIONS. By default a client made while another client of the process has the
 * session records none; with PROSUM_SESSIONS that fails with PROSUM_ESTATE instead.
 * PROSUM_SESSIONS was the way to opt in before sessions were the default; it is kept so
 * programs that set it still build (PROSUM_NO_SESSIONS and PROSUM_SESSIONS=0 win over it).
 */
#define PROSUM_SESSIONS 0x4u
#define PROSUM_NO_SESSIONS 0x8u

typedef struct prosum_options {
	unsigned int version;
	unsigned int flags;  /* PROSUM_NO_SENDER | PROSUM_NO_ENV | PROSUM_NO_SESSIONS */
	const char *ca_file; /* PEM CA bundle; NULL: $PROSUM_CACERT, else the system store */
	/*
	 * The server's public key, "sha256//BASE64[;sha256//BASE64...]" (as
	 * CURLOPT_PINNEDPUBLICKEY takes it: the base64 of the SHA-256 of the
	 * DER SubjectPublicKeyInfo). NULL: $PROSUM_PIN, else none. With a pin
	 * and no CA file, the certificate chain is not checked against a CA:
	 * the pin alone authenticates the server (for self-signed servers).
	 * With both, both must hold. A malformed pin fails
	 * prosum_client_new() with PROSUM_EINVALID.
	 */
	const char *pinned_pubkey;
	const char *spool_dir;        /* NULL: see "Where things live on disk" above */
	uint64_t max_spool_bytes;     /* 0: 64 MiB. Oldest reports are dropped first beyond it */
	unsigned int max_spool_files; /* 0: 1000 */
	const char *app_version;      /* build.version of every report, e.g. "1.4.0-beta.2" */
	const char *app_revision;     /* build.revision: commit id, tag or `git describe` */
	const char *app_channel;      /* build.channel, e.g. "beta"; NULL: none */
	/*
	 * The source tree at build time, e.g. "/home/ci/viewer/". Stripped from
	 * the start of the file paths of symbolised crash frames so they name
	 * files as the repository does ("src/png.c"), which the server needs to
	 * find suspect commits. NULL: paths are kept as the debug info has them.
	 */
	const char *source_root;
	long connect_timeout_ms;        /* 0: 10000 */
	long timeout_ms;                /* whole request; 0: 60000 */
	prosum_delivery_cb on_delivery; /* NULL: none */
	void *on_delivery_payload;
	/*
	 * Since version 2. How long prosum_close() may wait to deliver what is
	 * queued: PROSUM_OPTIONS_INIT sets PROSUM_DEFAULT_CLOSE_WAIT_MS (2 s);
	 * 0 does not wait; negative means the default. Options of version 1
	 * get the default.
	 */
	long close_wait_ms;
} prosum_options;

#define PROSUM_DEFAULT_CLOSE_WAIT_MS 2000L

#define PROSUM_OPTIONS_VERSION 2
#define PROSUM_OPTIONS_INIT                                                                        \
	{                                                                                          \
		.version = PROSUM_OPTIONS_VERSION, .close_wait_ms = PROSUM_DEFAULT_CLOSE_WAIT_MS   \
	}

/*
 * Make a client for `dsn` ("https://KEY@HOST:PORT/PROJECT"). `opts` may be
 * NULL for the defaults; it is copied, the caller keeps it. The spool
 * directory is created (mode 0700) and the install id read or made. Crash
 * records left by the crash handler in the spool are turned into reports
 * (symbolised with the debug information of the binaries that crashed), and
 * sessions left open by earlier runs are queued as crashed or abnormal. This
 * run's session starts (see PROSUM_NO_SESSIONS). Unless PROSUM_NO_SENDER is
 * set, a background thread starts and sends whatever the spool holds,
 * including reports queued by earlier runs.
 *
 * Caller owns *out; free with prosum_close().
 * Fails with PROSUM_EINVALID (DSN, options version), PROSUM_EIO (spool,
 * install id or session marker), PROSUM_ENOMEM, PROSUM_ERROR (thread could not
 * start), PROSUM_ESTATE (PROSUM_SESSIONS, and another client has the session).
 */
int prosum_client_new(prosum_client **out, const char *dsn, const prosum_options *opts);

/*
 * Deliver what is queued, waiting at most options.close_wait_ms (2 s by
 * default; 0: no wait), then stop the background sender and free the
 * client. So a program that submits a report and exits at once still
 * delivers it when the server answers in time. When the wait ends (server
 * down or slow, or a Retry-After longer than the wait) the transfer in
 * flight is abandoned; whatever is not delivered stays in the spool and is
 * sent on the next start: closing never loses a queued item. Without
 * pending items, or with PROSUM_NO_SENDER (only prosum_send() and
 * prosum_flush() deliver then), it returns at once. NULL is fine. Not to be called while
 * another thread still uses the client.
 */
void prosum_close(prosum_client *client);

/* The install id of this client, "8-4-4-4-12" lower-case hex. Borrowed from the client. */
const char *prosum_client_install_id(const prosum_client *client);

/* The spool directory in use. Borrowed from the client. */
const char *prosum_client_spool_dir(const prosum_client *client);

/* Counters since the client was made (dropped: since the spool was made). */
typedef struct prosum_stats {
	unsigned int version;
	uint64_t queued;  /* reports written to the spool by this client */
	uint64_t sent;    /* delivered with a 2xx */
	uint64_t refused; /* refused for good by the server, logged and deleted */
	uint64_t dropped; /* deleted unsent because the spool was full (persistent count) */
	uint64_t pending; /* reports, suggestions and votes in the spool right now */
} prosum_stats;

#define PROSUM_STATS_VERSION 1
#define PROSUM_STATS_INIT                                                                          \
	{                                                                                          \
		.version = PROSUM_STATS_VERSION                                                    \
	}

/* Fill *out (initialised with PROSUM_STATS_INIT). PROSUM_EINVALID or PROSUM_EIO. */
int prosum_client_stats(prosum_stats *out, prosum_client *client);

/* ------------------------------------------------------------------------ */
/* Building a report                                                          */

typedef struct prosum_report prosum_report;

typedef enum prosum_kind {
	PROSUM_KIND_CRASH = 1,
	PROSUM_KIND_BUG = 2,
	PROSUM_KIND_FEEDBACK = 3
} prosum_kind;

/*
 * A new report of `kind` with a fresh uuid (v4) and the current time
 * (RFC 3339, UTC). build, platform and tester.install_id are filled by the
 * client when the report is sent or submitted, unless set before.
 *
 * Caller owns *out; free with prosum_report_free(). A report is not
 * thread-safe: build it from one thread at a time. PROSUM_EINVALID (kind),
 * PROSUM_ENOMEM, PROSUM_EIO (no random source).
 */
int prosum_report_new(prosum_report **out, prosum_kind kind);

/*
 * A report from a JSON document (docs/report-format.md): every field is kept,
 * unknown ones too. A missing uuid or timestamp is generated. `len` bytes of
 * `json`, no NUL needed. Caller owns *out; free with prosum_report_free().
 * PROSUM_EINVALID (not JSON, not an object: the message names line and
 * column), PROSUM_ETOOBIG (above 256 KiB), PROSUM_ENOMEM.
 */
int prosum_report_from_json(prosum_report **out, const char *json, size_t len);

/* Free a report and its attachments. NULL is fine. */
void prosum_report_free(prosum_report *report);

/* The report's uuid. Borrowed from the report. */
const char *prosum_report_uuid(const prosum_report *report);

/*
 * The report as JSON, compact, with the fields the client would add still
 * absent. Caller owns *out (free()); PROSUM_ENOMEM.
 */
int prosum_report_to_json(char **out, const prosum_report *report);

/*
 * Setters. Each copies its strings; NULL removes the field. They fail with
 * PROSUM_EINVALID (NULL report, empty key, bad UTF-8), PROSUM_ETOOBIG (a
 * string over 16 KiB, a 65th tag, a 257th frame) or PROSUM_ENOMEM.
 */
int prosum_report_set_kind(prosum_report *report, prosum_kind kind);
int prosum_report_set_title(prosum_report *report, const char *title);
int prosum_report_set_description(prosum_report *report, const char *description);
/* Free text; the server knows "critical", "major", "minor", "trivial". */
int prosum_report_set_severity(prosum_report *report, const char *severity);
int prosum_report_set_steps(prosum_report *report, const char *steps);
/* tags.KEY = value; a NULL value removes the tag. */
int prosum_report_set_tag(prosum_report *report, const char *key, const char *value);
/* exception {"type","value"}, e.g. ("SIGSEGV", "invalid read at 0x0"). */
int prosum_report_set_exception(prosum_report *report, const char *type, const char *value);
/* build {"version","revision","channel"} of this report; overrides the client's options. */
int prosum_report_set_build(prosum_report *report, const char *version, const char *revision,
			    const char *channel);
/*
 * The tester's name and e-mail, used to credit them. Only call this when the
 * tester opted in: nothing identifying is sent otherwise.
 */
int prosum_report_set_tester(prosum_report *report, const char *name, const char *email);
/*
 * The tester asks to be mailed about this report (tester.notify): "your bug R-12 is fixed in
 * 1.4.0", the team's replies, and the news of this install's other reports and suggestions
 * (docs/notifications.md). Call it after prosum_report_set_tester() gave an e-mail, only when
 * the tester chose it: PROSUM_EINVALID when the report has no tester e-mail, or one the server
 * would refuse (and with it the whole report): one '@', printable ASCII, no spaces, quotes,
 * <>, (), commas or semicolons, at most 254 bytes. notify 0 removes the request (a report
 * without it changes nothing on the server; it never opts out).
 */
int prosum_report_set_tester_notify(prosum_report *report, int notify);
/* Append one string to the report's custom grouping fingerprint. */
int prosum_report_add_fingerprint(prosum_report *report, const char *part);

/* One stack frame. Strings are copied by prosum_report_add_frame(). */
typedef struct prosum_frame {
	unsigned int version;
	const char *function; /* NULL: unknown */
	const char *file;     /* source path, as in the repository when possible */
	unsigned int line;    /* 0: unknown */
	const char *module;   /* binary or library name */
	uintptr_t address;    /* 0: unknown */
} prosum_frame;

#define PROSUM_FRAME_VERSION 1
#define PROSUM_FRAME_INIT                                                                          \
	{                                                                                          \
		.version = PROSUM_FRAME_VERSION                                                    \
	}

/* Append a frame; frames go innermost first. 256 at most. */
int prosum_report_add_frame(prosum_report *report, const prosum_frame *frame);

/*
 * Attach a file: its contents are read when the report is submitted or sent
 * (submit copies them into the spool, so the file may change afterwards).
 * `name` is the name the server keeps: 1 to 128 of [A-Za-z0-9._ -], not
 * starting with '.' or a space, not ending with a space, without "..".
 * NULL: the base name of `path`, other characters replaced by '_'. 16
 * attachments and 20 MiB in all at most. With attachments the report travels as
 * multipart/form-data: a `report` part (JSON) and one `attachment` part per
 * file. PROSUM_EINVALID, PROSUM_EIO (path unreadable now), PROSUM_ETOOBIG.
 */
int prosum_report_attach_file(prosum_report *report, const char *path, const char *name);

/* Attach `len` bytes from memory (copied now). Same rules as prosum_report_attach_file(). */
int prosum_report_attach_data(prosum_report *report, const char *name, const void *data,
			      size_t len);

/* ------------------------------------------------------------------------ */
/* Delivery                                                                   */

/*
 * Send `report` now and wait for the answer, without the spool. The client's
 * build, platform and install id are added to the report where it lacks them
 * (the report is changed). Fills `*result` (initialised with
 * PROSUM_RESULT_INIT, released with prosum_result_dispose()) with what came
 * back, also on PROSUM_EHTTP, PROSUM_EAUTH and PROSUM_EBUSY.
 *
 * Returns 0 for a 2xx (201 stored, or 200 already stored: result->duplicate),
 * PROSUM_EAUTH for 401/403/404 (the DSN's key or project), PROSUM_EHTTP for
 * another error status (result->error_* hold the server's reason, also in
 * prosum_error_last()), PROSUM_EBUSY for 429/503,
 * PROSUM_ENETWORK, PROSUM_ETLS, PROSUM_ETIMEOUT, PROSUM_EPROTOCOL,
 * PROSUM_EIO (an attachment), PROSUM_ETOOBIG, PROSUM_ENOMEM. Thread-safe.
 */
int prosum_send(prosum_result *result, prosum_client *client, prosum_report *report);

/*
 * Queue `report` for delivery and return without touching the network. When
 * it returns 0, the report (attachments included) is on disk (written to a
 * temporary file, fsync'd, renamed, directory fsync'd) and survives a crash or
 * power loss; the background sender delivers it, now or on a later start.
 * The client's build, platform and install id are added where the report
 * lacks them (the report is changed; it stays the caller's). When the spool
 * is over its limits the oldest reports are dropped and counted.
 *
 * PROSUM_EINVALID, PROSUM_EIO, PROSUM_ETOOBIG (the report alone exceeds the
 * spool's size), PROSUM_ENOMEM. Thread-safe.
 */
int prosum_submit(prosum_client *client, prosum_report *report);

/*
 * Queue a suggestion from this install for delivery, like prosum_submit():
 * on disk first, then delivered by the sender, prosum_flush() or a later
 * start. `body` and `name` may be NULL; `name` credits the tester, so pass
 * it only when they opted in. The suggestion's uuid (written to `uuid_out`,
 * 37 bytes, when not NULL) makes delivery idempotent: the server keeps one
 * suggestion per uuid however often it arrives. The delivery callback gets
 * kind "suggestion" and the id "S-n".
 * PROSUM_EINVALID (no title, bad UTF-8, too long), PROSUM_EIO, PROSUM_ENOMEM.
 */
int prosum_suggestion_submit(char *uuid_out, prosum_client *client, const char *title,
			     const char *body, const char *name);

/*
 * Queue this install's vote for `suggestion` ("S-4"), or its withdrawal,
 * like prosum_submit(). A vote counts once per install however often it is
 * sent. The delivery callback gets kind "vote", the suggestion's id, its
 * votes and whether this vote counted. A vote for a suggestion the server
 * does not have is refused for good (404). `uuid_out` (37 bytes, may be
 * NULL) receives the queued item's local uuid.
 * PROSUM_EINVALID (not an S-n id, bad name), PROSUM_EIO, PROSUM_ENOMEM.
 */
int prosum_vote_submit(char *uuid_out, prosum_client *client, const char *suggestion,
		       const char *name, int withdraw);

/*
 * Deliver what the spool holds now (reports, suggestions, votes), oldest first, and wait at most
 * `timeout_ms` (negative: no limit). A flush skips the sender's backoff but
 * never a Retry-After the server asked for. Returns 0 once the spool is empty
 * (each report delivered or refused for good). When a delivery attempt made
 * after this call fails, it stops there and returns that failure:
 * PROSUM_ENETWORK, PROSUM_ETLS, PROSUM_ETIMEOUT (the transfer), PROSUM_EBUSY
 * (429/503, or a Retry-After reaching past the timeout), PROSUM_EAUTH
 * (401, 403, 404: see prosum_delivery_cb), PROSUM_EHTTP (5xx). PROSUM_ETIMEOUT also when the time
 * ran out first. Whatever was not delivered stays queued and is retried.
 * Without the background sender (PROSUM_NO_SENDER) the calling thread does
 * the delivery. Thread-safe.
 */
int prosum_flush(prosum_client *client, long timeout_ms);

/*
 * Ask the server for a link that signs this install in to its project's
 * feedback board in a browser, and wait for the answer (nothing is queued).
 * The link is made with the DSN's ingest key and the client's install id,
 * over the client's CA/pin options and timeouts. It works once, within 10
 * minutes: open it (or show it to the tester) now, and ask again the next
 * time. `name` (may be NULL) is the credit name the tester opted in to: their
 * votes and suggestions on the board carry it. On 0, *url_out is
 * "https://HOST:PORT/p/PROJECT/board/signin#TOKEN", owned by the caller:
 * free() it. The token is a secret until used: do not log it.
 * PROSUM_EINVALID (no client or url_out, bad name), PROSUM_EAUTH (401, 403,
 * 404: the key or the project), PROSUM_EBUSY (429: too many links for this
 * install; 503), PROSUM_EHTTP, PROSUM_ENETWORK, PROSUM_ETLS, PROSUM_ETIMEOUT,
 * PROSUM_EPROTOCOL (no https link in the answer), PROSUM_ENOMEM. Thread-safe.
 */
int prosum_board_link(char **url_out, prosum_client *client, const char *name);

/* One piece of a tester's news; every string is owned by the list (NULL: not given). */
typedef struct prosum_news_item {
	char *id;      /* "evt_42": the same news never comes with another id */
	char *kind;    /* "fixed", "shipped" or "reply" */
	char *text;    /* one line to show: "Your bug R-12 is fixed in 1.4.0-beta.3" */
	char *item;    /* this install's item it is about: "R-12" (fixed, reply) or "S-4" */
	char *group;   /* "G-3" for a report's news, else NULL */
	char *release; /* fixed, shipped: the release ("1.4.0"), else NULL */
	char *title;   /* the group's or suggestion's title, may be NULL */
	char *body;    /* reply: the team's words */
	int64_t time;  /* when it happened, seconds since the epoch (0: unknown) */
} prosum_news_item;

/* What prosum_news() found; free with prosum_news_free(). */
typedef struct prosum_news_list {
	size_t count;
	prosum_news_item *items; /* count items, oldest first */
	int more;                /* more news waits: call again for the next part */
} prosum_news_list;

/*
 * This install's news since the last call, so a beta app can say at start "Your suggestion S-4
 * shipped in 1.4.0 - thank you": its bugs (reports) whose fix reached a release, fixed for its
 * build; suggestions it sent or voted for that shipped; the team's replies on its reports. Asks
 * the server now (nothing is queued), with the DSN's ingest key and the client's install id,
 * over the client's CA/pin options and timeouts, and then tells the server the news was seen:
 * the next call brings only newer news (when telling failed, the same news comes again). At
 * most 50 items per call (`more` says when there are others). On 0, *news_out (count may be 0)
 * is owned by the caller: prosum_news_free() it. PROSUM_EINVALID (no client or news_out),
 * PROSUM_EAUTH (401, 403, 404: the key or the project), PROSUM_EBUSY (429, 503), PROSUM_EHTTP,
 * PROSUM_ENETWORK, PROSUM_ETLS, PROSUM_ETIMEOUT, PROSUM_EPROTOCOL, PROSUM_ENOMEM. Thread-safe.
 */
int prosum_news(prosum_news_list **news_out, prosum_client *client);
/* Free what prosum_news() gave. Accepts NULL. */
void prosum_news_free(prosum_news_list *news);

/* ------------------------------------------------------------------------ */
/* Sessions and ratings (release health)                                      */

/*
 * Start this run's session (prosum_client_new() does, unless
 * PROSUM_NO_SESSIONS or $PROSUM_SESSIONS=0): the server counts sessions per build (release:
 * options.app_version, else app_revision; revision; channel; install id) to
 * say how many ran, and how many of them crashed. The start writes one small
 * file into the spool (session-UUID.open, locked while the process lives)
 * and touches no network. One session per process: a second call on the
 * same client ends the first (exited) and starts a new one.
 *
 * How a session ends:
 * - prosum_session_end(), prosum_close() or exit(): "exited", with its
 *   duration and, as errors, the crash and bug reports submitted or sent
 *   during it (a session with errors counts as errored). The end is queued
 *   in the spool (NNN-UUID.session) and delivered like a report, so a run
 *   offline is counted when the server is reachable again.
 * - the crash handler fires (prosum_install_crash_handler()): the marker is
 *   renamed session-UUID.crashed, and the next prosum_client_new() on the
 *   spool queues the session as "crashed".
 * - anything else (killed, power lost, a crash without the crash handler):
 *   the next prosum_client_new() finds the marker no process holds and
 *   queues the session as "abnormal".
 * Sessions reach the server without a duration when they did not exit; the
 * server ignores those that started more than five days before they arrive.
 *
 * PROSUM_ESTATE (another client of this process has the session),
 * PROSUM_EIO (the marker cannot be written), PROSUM_ENOMEM. Thread-safe.
 */
int prosum_session_start(prosum_client *client);

/* End this client's session, if it has one, as exited (queued, see above). 0, PROSUM_EIO,
 * PROSUM_ETOOBIG (the spool is full), PROSUM_EINVALID (no client). Thread-safe. */
int prosum_session_end(prosum_client *client);

/*
 * Rate the build this client runs (options.app_version and app_revision,
 * as sessions name it; a client made without either rates the build of
 * the install's latest session, as the server knows it): `rating` 1 (bad)
 * to 5 (great), `comment` optional (at most 2000 bytes, UTF-8). An install
 * has one rating per build: rating again changes it. Queued in the spool
 * like a suggestion and delivered by the sender; the delivery callback gets
 * kind "rating" and the answer's body {"release","revision","rating",
 * "comment","created"}. `uuid_out` (37 bytes, may be NULL) receives the
 * queued item's local uuid.
 * PROSUM_EINVALID (rating out of range, comment not UTF-8), PROSUM_ETOOBIG,
 * PROSUM_EIO, PROSUM_ENOMEM. Thread-safe.
 */
int prosum_rate(char *uuid_out, prosum_client *client, int rating, const char *comment);

/* ------------------------------------------------------------------------ */
/* Crash handler                                                              */

/*
 * Opt in to crash reports. Installs a handler for SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE and SIGABRT running on an alternate signal stack. On a fatal signal
 * it writes a crash record (signal, faulting address, the return addresses
 * of the stack, the memory map, build information) into the client's spool
 * with async-signal-safe calls only, restores the default action and raises
 * the signal again, so the process still dies as it would have. The next
 * prosum_client_new() on the same spool turns the record into a "crash"
 * report with functions, files and lines and delivers it.
 *
 * The alternate stack (so a stack overflow is caught too) is set for the
 * calling thread; in other threads the handler runs on their own stack.
 * One handler per process: the state it needs is prepared here, in static
 * storage, because nothing can be allocated once the signal arrives. The
 * client must outlive the handler: call prosum_uninstall_crash_handler()
 * before prosum_close() (prosum_close() does it for the client that
 * installed it). Signal handlers installed before are not chained.
 *
 * PROSUM_ESTATE (already installed), PROSUM_EINVALID (spool path too long),
 * PROSUM_ERROR (sigaltstack/sigaction failed), PROSUM_ENOMEM, PROSUM_EIO.
 * Not thread-safe against itself or prosum_uninstall_crash_handler().
 */
int prosum_install_crash_handler(prosum_client *client);

/* Restore the handlers that were there before. Does nothing when none is installed. */
void prosum_uninstall_crash_handler(void);

#ifdef __cplusplus
}
#endif

#endif
