/* client.h - the inside of prosum_client, shared by the modules of libprosum. */
#ifndef PROSUM_CLIENT_CLIENT_H
#define PROSUM_CLIENT_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lib/dsn.h"
#include "prosum.h"
#include "lib/builder.h"
#include "lib/spool.h"
#include "lib/transport.h"

typedef struct sender sender;

struct prosum_client {
	dsn dsn;
	/* Options, copied: every string owned, NULL when not set. */
	unsigned int flags;
	char *ca_file;
	char *pinned_pubkey;
	char *app_version;
	char *app_revision;
	char *app_channel;
	char *source_root;
	long connect_timeout_ms;
	long timeout_ms;
	prosum_delivery_cb on_delivery;
	void *on_delivery_payload;
	long close_wait_ms; /* prosum_close()'s wait for delivery; 0: none */

	char *spool_path; /* owned */
	char install_id[37];
	char os[65]; /* uname */
	char os_version[65];
	char arch[65];

	spool *spool;      /* owned */
	sender *sender;    /* owned */
	atomic_int cancel; /* set by prosum_close(): transfers in flight give up */

	pthread_mutex_t lock; /* the counters below */
	uint64_t queued;
	uint64_t sent;
	uint64_t refused;
};

/* The fields the client adds to its reports. Borrowed from the client. */
void client_defaults(const prosum_client *c, report_defaults *out);

/* How the client reaches its server. Borrowed from the client. */
void client_transport_config(prosum_client *c, transport_config *out);

/* What client_count() counts. */
#define CLIENT_QUEUED 0
#define CLIENT_SENT 1
#define CLIENT_REFUSED 2

void client_count(prosum_client *c, int what);

#endif
