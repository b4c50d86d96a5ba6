/* tls_cert.c - the certificate files init makes when missing and `cert renew` replaces. */
#include "net/tls_cert.h"
#include "net/tls_cert_int.h"
#include "net/tls_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tls_cert_init(const tls_files *f, const char *const *hosts, size_t nhosts, int *made, char *err,
		  size_t errlen)
{
	tls_work *w;
	struct san *sans = NULL;
	size_t nsans = 0;
	int have_cert, have_key, rc = -1;

	*made = 0;
	sans = calloc(SAN_MAX, sizeof(*sans));
	w = tls_work_new();
	if (!sans || !w) {
		free(sans);
		tls_work_free(w);
		tls_set_err(err, errlen, "tls: out of memory");
		return -1;
	}
	if (tls_san_hosts(sans, &nsans, hosts, nhosts, err, errlen) != 0)
		goto out;
	tls_san_always(sans, &nsans);

	if (tls_exists(f->cert)) {
		rc = 0; /* served as it is, whatever made it */
		goto out;
	}
	have_cert = tls_exists(f->ca_cert);
	have_key = tls_exists(f->ca_key);
	if (have_cert != have_key) {
		tls_set_err(err, errlen, "tls: %s exists without %s; restore it or remove both",
			    have_cert ? f->ca_cert : f->ca_key, have_cert ? f->ca_key : f->ca_cert);
		goto out;
	}
	if (tls_work_seed(w, err, errlen) != 0)
		goto out;
	if (have_cert ? tls_issue_load_ca(w, f, err, errlen) : tls_issue_make_ca(w, f, err, errlen))
		goto out;
	if (!have_cert)
		*made |= TLS_MADE_CA;
	if (tls_issue_server_key(w, f, made, err, errlen) != 0 ||
	    tls_issue_cert(w, sans, nsans, err, errlen) != 0)
		goto out;
	if ((*made & TLS_MADE_KEY) && tls_issue_save_key(w, f->key, err, errlen) != 0)
		goto out;
	if (tls_write_new_file(f->cert, w->chain_pem, strlen((char *)w->chain_pem), 0644, err,
			       errlen) != 0) {
		/* A new key without its certificate would outlive this attempt for nothing. */
		if (*made & TLS_MADE_KEY)
			unlink(f->key);
		*made &= ~TLS_MADE_KEY;
		goto out;
	}
	*made |= TLS_MADE_CERT;
	rc = 0;
out:
	tls_work_free(w);
	free(sans);
	return rc;
}

int tls_cert_renew(const tls_files *f, const char *const *hosts, size_t nhosts, char *names,
		   size_t nameslen, char *err, size_t errlen)
{
	tls_work *w = NULL;
	struct san *sans = NULL;
	mbedtls_x509_crt old;
	char tmp[PATH_MAX];
	size_t nsans = 0, i, used = 0;
	int made = 0, ret, rc = -1;

	mbedtls_x509_crt_init(&old);
	sans = calloc(SAN_MAX, sizeof(*sans));
	w = tls_work_new();
	if (!sans || !w) {
		tls_set_err(err, errlen, "tls: out of memory");
		goto out;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.new", f->cert) >= (int)sizeof(tmp)) {
		tls_set_err(err, errlen, "tls: %s: the path is too long", f->cert);
		goto out;
	}
	if (tls_san_hosts(sans, &nsans, hosts, nhosts, err, errlen) != 0)
		goto out;
	/* Without --hostname, the names the certificate has now. */
	if (nhosts == 0 && tls_exists(f->cert)) {
		ret = tls_cert_parse_first(&old, f->cert);
		if (ret != 0) {
			tls_mbed_err(ret, f->cert, err, errlen);
			goto out;
		}
		if (tls_san_read(&old, sans, &nsans) != 0) {
			tls_set_err(err, errlen, "tls: %s: its subjectAltName does not parse",
				    f->cert);
			goto out;
		}
	}
	tls_san_always(sans, &nsans);
	if (!tls_exists(f->ca_cert) || !tls_exists(f->ca_key)) {
		tls_set_err(err, errlen,
			    "tls: no local CA (%s and %s) to sign with; a data directory made by an "
			    "older prosumd: remove %s and %s and run init to make one",
			    f->ca_cert, f->ca_key, f->cert, f->key);
		goto out;
	}
	if (tls_work_seed(w, err, errlen) != 0)
		goto out;
	/* The server's key stays (pinned clients need nothing new); a missing one is made. */
	if (tls_issue_load_ca(w, f, err, errlen) != 0 ||
	    tls_issue_server_key(w, f, &made, err, errlen) != 0 ||
	    tls_issue_cert(w, sans, nsans, err, errlen) != 0)
		goto out;
	if ((made & TLS_MADE_KEY) && tls_issue_save_key(w, f->key, err, errlen) != 0)
		goto out;
	/* A new file renamed over the old: a server reading cert.pem sees one or the other. */
	unlink(tmp);
	if (tls_write_new_file(tmp, w->chain_pem, strlen((char *)w->chain_pem), 0644, err, errlen))
		goto out;
	if (rename(tmp, f->cert) != 0) {
		tls_set_err(err, errlen, "tls: cannot replace %s: %s", f->cert, strerror(errno));
		unlink(tmp);
		goto out;
	}
	tls_sync_parent(f->cert);
	if (names && nameslen)
		names[0] = '\0';
	for (i = 0; i < nsans && names; i++) {
		int n = snprintf(names + used, nameslen - used, "%s%s", i ? ", " : "", sans[i].name);

		if (n < 0 || (size_t)n >= nameslen - used)
			break;
		used += (size_t)n;
	}
	rc = 0;
out:
	mbedtls_x509_crt_free(&old);
	tls_work_free(w);
	free(sans);
	return rc;
}
