/* harness.h - end-to-end test support: a real prosumd on port 0, a temporary data dir, a git repo, clients. */
#ifndef PROSUM_TEST_HARNESS_H
#define PROSUM_TEST_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

/* One prosumd under test. Everything lives under `dir`, removed by e2e_destroy(). */
typedef struct e2e_server {
	char dir[256];      /* temporary directory of the test */
	char data[300];     /* the data directory */
	char repo[300];     /* a git repository made for the test */
	char cacert[340];   /* tls/ca.pem, the local CA that init made */
	char cert[340];     /* tls/cert.pem, the server's certificate (then the CA's) */
	char pin[64];       /* "sha256//..." as init printed it */
	char db[340];
	char token[128];    /* the admin token from init */
	char key[128];      /* the demo project's ingest key */
	char dsn[512];
	char url[128];      /* https://127.0.0.1:PORT */
	int port;
	pid_t pid;
	int out_fd;         /* the server's stdout */
} e2e_server;

/* An answer: status and body (NUL-terminated, malloc'd; free with e2e_response_free). */
typedef struct e2e_response {
	long status;
	char *body;
	size_t len;
	char retry_after[32];
	char content_type[128];
	char set_cookie[256]; /* the value of the first Set-Cookie header, "" when none */
} e2e_response;

/* Make the directory, a git repository with one commit, init and a "demo" project. 0 or -1. */
int e2e_setup(e2e_server *s);
/* Start `prosumd serve` on 127.0.0.1:0 with extra arguments (NULL-terminated list, may be NULL)
 * and wait for its "listening on" line. 0 or -1. */
int e2e_start(e2e_server *s, const char *const *extra_args);
/* SIGTERM and wait; returns the exit status (0 expected), -1 on failure. */
int e2e_stop(e2e_server *s);
/* SIGKILL and wait. */
void e2e_kill(e2e_server *s);
/* Stop if running, remove the directory. */
void e2e_destroy(e2e_server *s);

/*
 * Run `prosumd ARGS --data DATA` and take the secret it prints ("token: T",
 * "key: K" or "link: URL") into out. 0, or -1 when the command failed or printed neither.
 */
int e2e_prosumd_secret(e2e_server *s, const char *args, char *out, size_t outsz);

/* Run a command line with sh -c, capturing stdout into out (NUL-terminated). Exit status or -1. */
int e2e_sh(char *out, size_t outsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * An HTTPS request with libcurl, verifying the server's certificate. headers
 * is a NULL-terminated list of "Name: value" lines (may be NULL). body may be NULL.
 * 0 when an answer came (whatever its status), -1 on a transport failure.
 */
int e2e_request(e2e_server *s, const char *method, const char *path, const char *const *headers,
		const char *body, size_t len, e2e_response *r);
void e2e_response_free(e2e_response *r);

/* A file part of a multipart report. */
typedef struct e2e_file {
	const char *name;
	const void *data;
	size_t len;
} e2e_file;

/* POST a report as multipart/form-data: a "report" part and one "attachment" part per file. */
int e2e_post_multipart(e2e_server *s, const char *json, const e2e_file *files, size_t n,
		       e2e_response *r);

/* Shorthands: POST a report with the ingest key; GET with the admin token. */
int e2e_post_report(e2e_server *s, const char *json, e2e_response *r);
int e2e_get(e2e_server *s, const char *path, e2e_response *r);

/*
 * Raw TLS: connect, handshake (trusting the server's certificate), write
 * `len` bytes, then read until the server closes or `timeout_ms` passes.
 * The answer goes to out (NUL-terminated). Returns bytes read, or -1.
 */
ssize_t e2e_tls_exchange(e2e_server *s, const void *data, size_t len, char *out, size_t outsz,
			 int timeout_ms);
/* A plain TCP connection to the server (no TLS). fd or -1. */
int e2e_tcp_connect(e2e_server *s);
/* Wait until the peer closes fd (read returns 0 or an error). 1 closed, 0 still open after timeout. */
int e2e_wait_closed(int fd, int timeout_ms);

/* How many files in `dir` have names ending in `suffix` (0 when dir cannot be read). */
int e2e_count_files(const char *dir, const char *suffix);

/* A single integer from a SQL query on the server's database (read-only). -1 on failure. */
long long e2e_sql_int(e2e_server *s, const char *sql);

/* A fresh random UUID (lower-case, 36 characters and a NUL). */
void e2e_uuid(char out[37]);

/* ---- Raw TLS connections, server logs and database digests (abuse and crash tests) ---- */

/*
 * Start like e2e_start(), with the server's stderr appended to `log_path`
 * (sanitizer reports land there). 0 or -1.
 */
int e2e_start_logged(e2e_server *s, const char *const *extra_args, const char *log_path);
/*
 * Does the log at `log_path` hold a sanitizer report (AddressSanitizer,
 * LeakSanitizer, UndefinedBehaviorSanitizer "runtime error:")? 1 yes (the
 * log is copied to our stderr), 0 no, -1 unreadable.
 */
int e2e_log_has_sanitizer_report(const char *log_path);

/* A kept-open TLS connection to the server under test. */
typedef struct e2e_tls e2e_tls;
/*
 * Connect (setting SO_RCVBUF to `rcvbuf` first when > 0) and complete a TLS
 * handshake trusting the server's certificate, within `timeout_ms`. Caller
 * owns the result: free with e2e_tls_close(). NULL on failure.
 */
e2e_tls *e2e_tls_open(e2e_server *s, int rcvbuf, int timeout_ms);
/* The socket under the connection, for raw writes past TLS. */
int e2e_tls_fd(const e2e_tls *t);
/* Write all of data through TLS. 0 or -1. */
int e2e_tls_write(e2e_tls *t, const void *data, size_t len);
/* For the next `for_ms`, take at most one byte from the socket per `delay_ms`; then full speed. */
void e2e_tls_throttle(e2e_tls *t, int delay_ms, int for_ms);
/*
 * Read one HTTP/1.1 answer (Content-Length or chunked, decoded) within
 * `timeout_ms`. *status is the status code; *body (malloc'd, NUL-terminated,
 * the caller frees it) and *len the body; head (may be NULL) gets the status
 * line and headers. 0, or -1 when the connection ended or time ran out first.
 */
int e2e_tls_response(e2e_tls *t, int timeout_ms, long *status, char **body, size_t *len, char *head,
		     size_t headsz);
/* The next e2e_tls_response() reads an answer to HEAD: the head alone, an empty body. */
void e2e_tls_expect_no_content(e2e_tls *t);
/* Close (without close_notify when `abrupt`) and free. Accepts NULL. */
void e2e_tls_close(e2e_tls *t, int abrupt);

/* The first column of the first row of `sql`, as text, into out. 0 or -1. */
int e2e_sql_text(e2e_server *s, const char *sql, char *out, size_t outsz);
/* SHA-256 over every column of every row `sql` answers, in order. 0 or -1. */
int e2e_sql_digest(e2e_server *s, const char *sql, unsigned char out[32]);

/* Milliseconds on the monotonic clock. */
long long e2e_now_ms(void);

#endif
