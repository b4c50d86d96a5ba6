/* builder.h - the report builder's inside, and the envelope a report travels and waits in. */
#ifndef PROSUM_CLIENT_BUILDER_H
#define PROSUM_CLIENT_BUILDER_H

#include <jansson.h>
#include <stddef.h>

#include "lib/client_limits.h"
#include "prosum.h"

/* One attachment of a report being built: a path read later, or bytes held now. */
typedef struct report_attachment {
	char *name;          /* owned; validated */
	char *path;          /* owned; NULL for data attached from memory */
	unsigned char *data; /* owned; NULL for a path */
	size_t len;
} report_attachment;

struct prosum_report {
	json_t *root; /* owned; the document as it will be sent */
	report_attachment att[PROSUM_MAX_ATTACHMENTS];
	size_t natt;
};

/* What the client adds to a report that lacks it. Every field may be NULL. */
typedef struct report_defaults {
	const char *version;
	const char *revision;
	const char *channel;
	const char *install_id;
	const char *os;
	const char *os_version;
	const char *arch;
} report_defaults;

/* Add build, platform and tester.install_id fields the report lacks. 0 or PROSUM_ENOMEM. */
int report_complete(prosum_report *r, const report_defaults *d);

/* One attachment of an envelope; `data` is borrowed from the envelope's buffers. */
typedef struct envelope_part {
	const char *name;
	const unsigned char *data;
	size_t len;
} envelope_part;

/*
 * A report ready to send or to spool: its JSON and its attachments' bytes.
 * What the envelope owns is listed in `bufs`; release with envelope_free().
 * Built by report_envelope(), the names and the bytes of attachments made
 * from memory are borrowed from the report, which must outlive the envelope.
 * Read by spool_read(), everything points into the envelope's own buffer.
 * The JSON is not NUL-terminated in general.
 */
typedef struct envelope {
	char uuid[37];
	const char *json;
	size_t json_len;
	envelope_part parts[PROSUM_MAX_ATTACHMENTS];
	size_t nparts;
	void *bufs[PROSUM_MAX_ATTACHMENTS + 2];
	size_t nbufs;
} envelope;

/*
 * Serialise `r` (complete it first) and read its attachments into *out.
 * Checks the limits: JSON 256 KiB, everything 20 MiB. 0, PROSUM_ETOOBIG,
 * PROSUM_EIO (an attachment path), PROSUM_EINVALID (no string uuid) or
 * PROSUM_ENOMEM, with the reason set. On failure *out needs no freeing.
 */
int report_envelope(envelope *out, const prosum_report *r);

/* Free what the envelope owns and zero it. NULL is fine. */
void envelope_free(envelope *p);

/* 1 when `name` is a valid attachment name (see prosum_report_attach_file()), else 0. */
int report_attachment_name_valid(const char *name);

/* "crash", "bug", "feedback", or NULL for another value. */
const char *report_kind_name(prosum_kind kind);

#endif
