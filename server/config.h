/* config.h - defaults, limits and the data directory layout of prosumd. */
#ifndef PROSUM_CONFIG_H
#define PROSUM_CONFIG_H

#include <stddef.h>

/* Every limit of the server, named once. All of them can be changed in `config`. */
#define PROSUM_DEFAULT_LISTEN "127.0.0.1:8443"
#define PROSUM_MAX_REQUEST_LINE 8192          /* method + target + version */
#define PROSUM_MAX_HEADER_BYTES (32 * 1024)   /* the whole head, request line included */
#define PROSUM_MAX_HEADERS 64
#define PROSUM_MAX_JSON (256 * 1024)          /* one report document */
#define PROSUM_MAX_BODY (20 * 1024 * 1024)    /* one request body, after decoding */
#define PROSUM_MAX_FRAMES 256
#define PROSUM_MAX_TAGS 64
#define PROSUM_MAX_FIELD 16384                /* one string field of a report */
#define PROSUM_MAX_JSON_DEPTH 64
#define PROSUM_HANDSHAKE_TIMEOUT_MS 10000
#define PROSUM_HEAD_TIMEOUT_MS 10000          /* from first byte to the end of the head */
#define PROSUM_BODY_TIMEOUT_MS 60000          /* whole body of one request */
#define PROSUM_IDLE_TIMEOUT_MS 30000          /* keep-alive between requests */
#define PROSUM_WRITE_TIMEOUT_MS 30000
#define PROSUM_MAX_CONNECTIONS 20000
#define PROSUM_WRITE_QUEUE 4096               /* reports waiting for the writer */
#define PROSUM_WRITE_BATCH 512                /* reports in one commit at most */
#define PROSUM_READERS 2                      /* read-only store threads */
#define PROSUM_CHECKPOINT_PAGES 4096          /* WAL pages that wake the checkpointer (16 MiB) */
#define PROSUM_SLOW_BATCH_MS 1000             /* a write batch longer than this is logged */
#define PROSUM_RATE_IP 50.0                  /* requests per second per client address */
#define PROSUM_RATE_KEY 2000.0               /* requests per second per ingest key */
#define PROSUM_BURST_SECONDS 4.0             /* a bucket holds this many seconds of its rate */
#define PROSUM_CONNS_PER_IP 256
#define PROSUM_SIGNIN_RATE_IP (1.0 / 6)      /* failed sign-ins per second per client address */
#define PROSUM_SIGNIN_BURST_IP 10.0
#define PROSUM_SIGNIN_RATE_NAME (1.0 / 30)   /* failed sign-ins per second per name */
#define PROSUM_SIGNIN_BURST_NAME 5.0
#define PROSUM_BOARD_RATE_INSTALL (1.0 / 10) /* votes, suggestions, comments per second per install */
#define PROSUM_BOARD_BURST_INSTALL 30.0
#define PROSUM_BOARD_RATE_IP (1.0 / 2)       /* the same per client address */
#define PROSUM_BOARD_BURST_IP 120.0
#define PROSUM_BOARD_LINK_RATE (1.0 / 60)    /* board sign-in links per second per install */
#define PROSUM_BOARD_LINK_BURST 10.0
#define PROSUM_BOARD_LINK_SECONDS 600        /* a board sign-in link works this long, once */
#define PROSUM_LIST_LIMIT 50
#define PROSUM_LIST_MAX 500

#define PROSUM_SECRET_LEN 32 /* bytes of the server secret that API tokens are hashed with
				(HMAC-SHA-256: a key as long as the hash) */

/* Answers and their buffers. */
#define PROSUM_MAX_ANSWER (64 * 1024 * 1024)    /* one buffered answer (a JSON body, a page of an
						   export): the largest list page (PROSUM_LIST_MAX
						   groups with their fields) stays far below it */
#define PROSUM_MAX_TEXT_ANSWER (16 * 1024 * 1024) /* one text answer of an API call (release
						     notes in Markdown): a line per fixed group
						     and suggestion of one release */
#define PROSUM_MAX_ERROR_ANSWER (64 * 1024) /* one error body: a message and a field path, each
						cut far below this */
#define PROSUM_MAX_FTS_TEXT (1 << 20)   /* full-text row of a report: description, steps, frame
					   functions; a report field is at most PROSUM_MAX_FIELD */
#define PROSUM_MAX_FTS_EXCEPTION (1 << 16) /* full-text exception type and value */

/* Report uploads (multipart/form-data); all attachments together are bounded by PROSUM_MAX_BODY. */
#define PROSUM_MAX_ATTACHMENTS 16               /* file parts of one report */
#define PROSUM_MAX_ATTACHMENT (10 * 1024 * 1024) /* one file */
#define PROSUM_MAX_PART_HEADER_BYTES 8192        /* headers of one part, blank line included */

typedef struct config {
	char *data_dir;       /* owned */
	char *listen;         /* owned, HOST:PORT */
	char *cert_file;      /* owned */
	char *key_file;       /* owned */
	char *public_url;     /* owned, may be NULL: https://HOST:PORT for DSNs */
	int threads;          /* I/O threads; 0 = one per core */
	int readers;
	size_t max_header_bytes;
	size_t max_headers;
	size_t max_json;
	size_t max_body;
	size_t max_frames;
	size_t max_tags;
	int handshake_timeout_ms;
	int head_timeout_ms;
	int body_timeout_ms;
	int idle_timeout_ms;
	int write_timeout_ms;
	int max_connections;
	int write_queue;
	int write_batch;
	double rate_ip;       /* 0: no limit */
	double rate_key;      /* 0: no limit */
	int conns_per_ip;     /* 0: no limit */
	char *log_file;       /* owned, may be NULL: stderr */
	int log_format;       /* OPLOG_TEXT or OPLOG_JSON (oplog.h) */
	int log_level;        /* OPLOG_ERROR .. OPLOG_DEBUG; default OPLOG_INFO */
	char *metrics_token;  /* owned, may be NULL: GET /metrics answers 404 */
	int webhook_allow_private; /* serve --webhook-allow-private: webhooks may reach private
				    * and loopback addresses */
	/* E-mail (serve --smtp-url ...): without smtp_url no mail is sent. Owned, may be NULL. */
	char *smtp_url, *smtp_from, *smtp_user, *smtp_password_file;
	int mail_interval;    /* seconds: at most one mail per person this often */
	/* serve's SIGHUP: fill *out (made here with config_init()) with the settings read
	 * again; 0, or -1 having said why. NULL: nothing to read again. */
	int (*reload)(struct config *out);
} config;

/* Fill `c` with the defaults; data_dir from $PROSUM_DATA, else ./prosum-data.
 * Returns 0, or -1 when out of memory. Free with config_free(). */
int config_init(config *c);
void config_free(config *c);
/* Replace an owned string field (`*field` is freed). Returns 0 or -1. */
int config_set(char **field, const char *value);
/* Path of a file in the data directory, e.g. config_path(c, "prosum.db").
 * Returns a malloc'd string the caller frees, or NULL. */
char *config_path(const config *c, const char *name);
/*
 * After access(db_path, F_OK) failed, with errno as it left it: NULL when the database is
 * simply not there (ENOENT: the caller says to run init); else why it cannot be reached
 * (a data directory of another user, a file where a directory should be), in buf.
 */
const char *config_db_unreachable(const char *db_path, char *buf, size_t len);
/*
 * The e-mail settings as serve needs them (no --smtp-url: nothing to check): --smtp-from and
 * --public-url given, an smtp:// or smtps:// URL, a readable --smtp-password-file. 0, or -1
 * with why in buf. serve and check-config both ask it, so they cannot disagree.
 */
int config_mail_check(const config *c, char *buf, size_t len);

#endif
