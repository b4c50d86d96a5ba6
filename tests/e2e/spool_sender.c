/* spool_sender.c - a beta build in miniature for the delivery tests: opens a spool and flushes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prosum.h"

/*
 * spool_sender DSN SPOOL_DIR CA_FILE TIMEOUT_MS
 *
 * Opens a client on the spool (the background sender starts delivering at
 * once, as in a beta build that starts up) and waits for prosum_flush().
 * Prints "flushed" and exits 0 when the spool is empty, else prints the
 * reason and exits 1. The tests kill it with SIGKILL in the middle.
 */
int main(int argc, char **argv)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: spool_sender DSN SPOOL_DIR CA_FILE TIMEOUT_MS\n");
		return 2;
	}
	o.spool_dir = argv[2];
	o.ca_file = argv[3];
	o.flags = PROSUM_NO_ENV;
	if (prosum_client_new(&c, argv[1], &o) != 0) {
		fprintf(stderr, "spool_sender: %s\n", prosum_error_last());
		return 1;
	}
	rc = prosum_flush(c, strtol(argv[4], NULL, 10));
	if (rc != 0)
		fprintf(stderr, "spool_sender: %s\n", prosum_error_last());
	else
		printf("flushed\n");
	prosum_close(c);
	return rc == 0 ? 0 : 1;
}
