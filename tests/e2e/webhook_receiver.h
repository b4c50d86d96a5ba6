/* webhook_receiver.h - a local HTTP server for the webhook tests: records requests, answers as scripted. */
#ifndef PROSUM_TEST_WEBHOOK_RECEIVER_H
#define PROSUM_TEST_WEBHOOK_RECEIVER_H

#include <pthread.h>

#define RECV_MAX_HITS 64
#define RECV_MAX_SCRIPT 16

/* One request the receiver took. */
typedef struct recv_hit {
	char id[96], timestamp[32], signature[160], content_type[96];
	char *body;         /* malloc'd, NUL-terminated */
	long long at_ms;    /* monotonic (e2e_now_ms()) when its head arrived */
	int status;         /* what it was answered */
} recv_hit;

typedef struct receiver {
	int fd, port;
	pthread_t thread;
	pthread_mutex_t mu;
	int stop;
	/* the answers: script[0..nscript) in order, then default_status; retry_after
	 * ("" none) is sent with 429 and 503 answers */
	int script[RECV_MAX_SCRIPT], nscript, pos, default_status;
	char retry_after[16];
	recv_hit hits[RECV_MAX_HITS];
	int nhits;
} receiver;

/* Listen on 127.0.0.1:0 and serve in a thread (answering 200 until told otherwise). 0 or -1. */
int receiver_start(receiver *r);
void receiver_stop(receiver *r);
/* Answer these statuses to the next requests, then `then`. */
void receiver_script(receiver *r, const int *statuses, int n, int then);
/* Wait until at least n requests came, at most timeout_ms: 1 when they did, 0 otherwise. */
int receiver_wait(receiver *r, int n, int timeout_ms);
/* How many requests came so far. */
int receiver_count(receiver *r);
/* A copy of hit i (its body is the receiver's: valid until receiver_stop()). */
recv_hit receiver_hit(receiver *r, int i);
/* The URL of a path on the receiver: http://127.0.0.1:PORT/path. */
void receiver_url(const receiver *r, const char *path, char *out, size_t outsz);

#endif
