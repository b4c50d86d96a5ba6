/* main.c - the prosumd command line: init, serve, project add, user, cert, check-config; the dispatch of every command. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/auth.h"
#include "config.h"
#include "datacmd.h"
#include "conffile.h"
#include "cmd_int.h"
#include "git/repo.h"
#include "model/adminrules.h"
#include "net/server.h"
#include "oplog.h"
#include "store/store.h"
#include "net/tls.h"
#include "net/tls_cert.h"
#include "projcmd.h"
#include "webhookcmd.h"
#include "usercmd.h"

int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "prosumd: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

/* A usage mistake (a missing or bad argument): said why, exit status 2. */
int usage_err(const char *fmt, const char *arg)
{
	die(fmt, arg);
	return 2;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return die("cannot create %s", path);
}

/* Open the database of an initialised data directory for writing. */
int open_db(const config *cfg, store_db **db)
{
	char err[512];
	char *path = config_path(cfg, "prosum.db");
	int rc = 0;

	if (!path) {
		rc = die("%s", "out of memory");
	} else if (access(path, F_OK) < 0) {
		if (config_db_unreachable(path, err, sizeof(err)))
			rc = die("%s", err);
		else
			rc = die("no database in %s: run 'prosumd init' first", cfg->data_dir);
	} else if (store_db_open(db, path, STORE_WRITE, err, sizeof(err)) < 0) {
		rc = die("%s", err);
	}
	free(path);
	return rc;
}

int load_secret(const config *cfg, uint8_t secret[AUTH_SECRET_LEN], int create)
{
	char err[512];
	char *path = config_path(cfg, "secret");
	int rc = 0;

	if (!path || auth_load_secret(path, create, secret, err, sizeof(err)) < 0)
		rc = die("%s", path ? err : "out of memory");
	free(path);
	return rc;
}

/* Make a token, store its hash, print it; its id goes to *id. */
int issue_token_id(store_db *db, const uint8_t secret[AUTH_SECRET_LEN], int role,
		   int64_t project_id, const char *label, int64_t *id)
{
	char token[AUTH_TOKEN_LEN + 1];
	uint8_t hash[32];

	if (auth_new_token(token) < 0)
		return die("%s", "no randomness available");
	auth_hash_token(secret, token, strlen(token), hash);
	if (store_token_add(db, hash, role, project_id, label, (int64_t)time(NULL), id) < 0)
		return die("cannot store the token: %s", store_db_error(db));
	printf("token: %s\n", token);
	return 0;
}

/* Make a token, store its hash, print it. */
static int issue_token(store_db *db, const uint8_t secret[AUTH_SECRET_LEN], int role,
		       int64_t project_id, const char *label)
{
	int64_t id;

	return issue_token_id(db, secret, role, project_id, label, &id);
}

/*
 * Print what clients trust: "ca: FILE" (the local CA, or a data directory's
 * older self-signed certificate) and "pin: sha256//..." on stdout, and how
 * to use them on stderr.
 */
static void print_trust(const opts *o, const tls_files *f, int made)
{
	const char *ca = NULL;
	char pin[TLS_PIN_LEN], err[512];
	size_t i;

	if (access(f->ca_cert, F_OK) == 0)
		ca = f->ca_cert;
	else if (tls_cert_self_signed(f->cert) == 1)
		ca = f->cert;

	if (made & TLS_MADE_CA)
		fprintf(stderr, "prosumd: made a local certificate authority: %s\n", f->ca_cert);
	if (made & TLS_MADE_CERT) {
		fprintf(stderr, "prosumd: made a server certificate for ");
		for (i = 0; i < o->nhosts; i++)
			fprintf(stderr, "%s, ", o->hosts[i]);
		fprintf(stderr, "localhost, 127.0.0.1 and ::1: %s\n", f->cert);
	} else if (o->nhosts > 0 && ca == f->ca_cert) {
		for (i = 0; i < o->nhosts; i++)
			if (tls_cert_has_host(f->cert, o->hosts[i]) != 1)
				break;
		if (i == o->nhosts)
			fprintf(stderr, "prosumd: %s already names every --hostname given\n",
				f->cert);
		else
			fprintf(stderr,
				"prosumd: %s exists and does not name %s: init changes no "
				"certificate; 'prosumd cert renew' with every --hostname makes a new "
				"one from the same CA and key\n",
				f->cert, o->hosts[i]);
	} else if (o->nhosts > 0) {
		fprintf(stderr,
			"prosumd: %s exists, so --hostname changes nothing; to get a local CA and "
			"a certificate with these names, remove it and %s and run init again\n",
			f->cert, f->key);
	}
	if (ca)
		printf("ca: %s\n", ca);
	if (tls_cert_pin(f->cert, pin, sizeof(pin), err, sizeof(err)) == 0)
		printf("pin: %s\n", pin);
	else
		fprintf(stderr, "prosumd: no pin: %s\n", err);
	if (ca)
		fprintf(
		    stderr,
		    "prosumd: trust %s once: prosum --cacert (or PROSUM_CACERT), curl --cacert; "
		    "Debian: copy it to /usr/local/share/ca-certificates/prosum.crt and run "
		    "update-ca-certificates; browsers: import it as an authority. Or pin the "
		    "key: prosum --pin (or PROSUM_PIN)\n",
		    ca);
}

static int cmd_init(opts *o)
{
	const config *cfg = &o->cfg;
	char err[512];
	char *tls = config_path(cfg, "tls"), *att = config_path(cfg, "attachments");
	char *cert = config_path(cfg, "tls/cert.pem"), *key = config_path(cfg, "tls/key.pem");
	char *ca = config_path(cfg, "tls/ca.pem"), *ca_key = config_path(cfg, "tls/ca-key.pem");
	tls_files files = {ca, ca_key, cert, key};
	uint8_t secret[AUTH_SECRET_LEN];
	int made;
	size_t h;
	store_db *db = NULL;
	char *issued = NULL;
	int rc = 1;

	if (!tls || !att || !cert || !key || !ca || !ca_key)
		goto out;
	/* Every argument is checked before anything is made. */
	for (h = 0; h < o->nhosts; h++)
		if (!tls_cert_host_ok(o->hosts[h])) {
			die("--hostname: \"%s\" is not a host name or IP address", o->hosts[h]);
			rc = 2;
			goto out;
		}
	if (make_dir(cfg->data_dir) || make_dir(tls) || make_dir(att))
		goto out;
	if (tls_cert_init(&files, o->hosts, o->nhosts, &made, err, sizeof(err)) < 0) {
		die("%s", err);
		goto out;
	}
	print_trust(o, &files, made);
	if (load_secret(cfg, secret, 1))
		goto out;
	{
		char *path = config_path(cfg, "prosum.db");
		int orc = path ? store_db_open(&db, path, STORE_WRITE, err, sizeof(err)) : -1;

		free(path);
		if (orc < 0) {
			die("%s", err);
			goto out;
		}
	}
	/* The admin token is printed once, on the first init; only its hash is kept. */
	if (store_begin(db) < 0)
		goto dberr;
	if (store_meta_get(db, "admin_token_issued", &issued) == STORE_NOTFOUND) {
		if (issue_token(db, secret, STORE_ROLE_ADMIN, 0, "admin") ||
		    store_meta_set(db, "admin_token_issued", "1") < 0) {
			store_rollback(db);
			goto out;
		}
	} else {
		fprintf(stderr, "prosumd: %s is already initialised\n", cfg->data_dir);
	}
	if (store_commit(db) < 0)
		goto dberr;
	rc = 0;
	goto out;
dberr:
	die("%s", store_db_error(db));
out:
	free(issued);
	store_db_close(db);
	free(tls);
	free(att);
	free(cert);
	free(key);
	free(ca);
	free(ca_key);
	return rc;
}

/* "pin: sha256//..." of the certificate serve uses, for clients without the CA. */
static void print_pin(const config *cfg)
{
	char pin[TLS_PIN_LEN], err[512];
	char *cert = cfg->cert_file ? strdup(cfg->cert_file) : config_path(cfg, "tls/cert.pem");

	if (cert && tls_cert_pin(cert, pin, sizeof(pin), err, sizeof(err)) == 0)
		printf("pin: %s\n", pin);
	else
		fprintf(stderr, "prosumd: no pin: %s\n", cert ? err : "out of memory");
	free(cert);
}

/* https://HOST[:PORT][/]: HOST a name, an IPv4 address or [IPv6]; PORT 1-65535. */
static int public_url_ok(const char *u)
{
	size_t n = 0;
	long port = 0;

	if (strncmp(u, "https://", 8) != 0)
		return 0;
	u += 8;
	if (*u == '[') {
		for (n = 1; isxdigit((unsigned char)u[n]) || u[n] == ':' || u[n] == '.'; n++)
			;
		if (u[n] != ']' || n < 3)
			return 0;
		n++;
	} else {
		for (n = 0; isalnum((unsigned char)u[n]) || u[n] == '-' || u[n] == '.'; n++)
			;
		if (n == 0 || n > 253 || u[0] == '-' || u[0] == '.' || u[n - 1] == '-')
			return 0;
	}
	u += n;
	if (*u == ':') {
		for (n = 1; isdigit((unsigned char)u[n]); n++) {
			port = port * 10 + (u[n] - '0');
			if (port > 65535)
				return 0;
		}
		if (n == 1 || port < 1)
			return 0;
		u += n;
	}
	if (*u == '/')
		u++;
	return *u == '\0';
}

static int cmd_project_add(opts *o)
{
	store_db *db = NULL;
	char key[AUTH_KEY_LEN + 1], repo[PATH_MAX];
	const char *url = o->cfg.public_url;
	const char *host = url ? url : o->cfg.listen;
	int64_t id, now = (int64_t)time(NULL);
	int rc = 1;

	if (!o->name || !adminrules_name_ok(o->name))
		return usage_err("%s", "project add NAME: a name of 1-64 characters a-z 0-9 - _ . "
				 "starting with a letter or digit");
	if (url && !public_url_ok(url))
		return usage_err("--public-url: '%s' is not https://HOST[:PORT][/] (a host name, "
				 "an IPv4 address or [IPv6]; a port of 1-65535)", url);
	if (o->commit_url && !adminrules_commit_url_ok(o->commit_url))
		return usage_err("--commit-url: %s", ADMINRULES_COMMIT_URL_RULE);
	if (o->version_tag && !adminrules_version_tag_ok(o->version_tag))
		return usage_err("%s", "--version-tag: a git ref with {version} in it, such as "
				 "'v{version}' (at most 200 bytes, no spaces)");
	if (o->repo) {
		char why[PATH_MAX + 64];
		int bad;

		repo_global_init();
		bad = adminrules_repo(o->repo, repo, why, sizeof(why));
		repo_global_shutdown();
		if (bad < 0)
			return usage_err("--repo: %s", why);
	}
	if (strncmp(host, "https://", 8) == 0)
		host += 8;
	if (open_db(&o->cfg, &db))
		return 1;
	if (auth_new_key(key) < 0 || store_begin(db) < 0)
		goto dberr;
	switch (store_project_add(db, o->name, o->repo ? repo : NULL, now, &id)) {
	case STORE_OK:
		break;
	case STORE_EXISTS:
		store_rollback(db);
		die("project '%s' already exists", o->name);
		goto out;
	default:
		goto dberr;
	}
	if (store_key_add(db, id, key, now) < 0 ||
	    (o->commit_url && store_project_set_commit_url(db, id, o->commit_url) < 0) ||
	    (o->version_tag && store_project_set_version_tag(db, id, o->version_tag) < 0) ||
	    (o->is_public && store_project_set_public(db, id, 1) < 0) ||
	    store_commit(db) < 0)
		goto dberr;
	printf("key: %s\n", key);
	printf("dsn: https://%s@%.*s/%s\n", key, (int)strcspn(host, "/"), host, o->name);
	printf("sentry_dsn: https://%s@%.*s/%lld\n", key, (int)strcspn(host, "/"), host,
	       (long long)id);
	print_pin(&o->cfg);
	rc = 0;
	goto out;
dberr:
	die("%s", store_db_error(db));
	store_rollback(db);
out:
	store_db_close(db);
	return rc;
}

/* ---- the config file, check-config, cert renew ---- */

/* conffile.c's check of a setting: the flags parsed into a scratch setting. */
static int check_flags(int argc, char **argv, int *positional)
{
	opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	if (config_init(&o.cfg) < 0)
		return -1;
	rc = parse_opts(&o, argc, argv);
	*positional = o.name != NULL;
	config_free(&o.cfg);
	return rc == 0 ? 0 : -1;
}

/* conffile.c's reload: flags checked by check-config, parsed into cfg. */
static int parse_flags(config *cfg, int argc, char **argv)
{
	opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.cfg = *cfg;
	rc = parse_opts(&o, argc, argv);
	*cfg = o.cfg;
	return rc == 0 && !o.name ? 0 : -1;
}

static int reload_settings(config *out)
{
	return conffile_reload(out, parse_flags);
}

/* check-config: the settings serve would run with, checked as serve checks them, without
 * binding: the flags, the certificate and key, the database. */
static int cmd_check_config(opts *o, int argc, char **argv)
{
	const config *cfg = &o->cfg;
	char err[512];
	char *cert = cfg->cert_file ? strdup(cfg->cert_file) : config_path(cfg, "tls/cert.pem");
	char *key = cfg->key_file ? strdup(cfg->key_file) : config_path(cfg, "tls/key.pem");
	char *db = config_path(cfg, "prosum.db");
	tls_server *t = NULL;
	int rc = 1;

	if (!cert || !key || !db)
		die("%s", "out of memory");
	else if (access(db, F_OK) < 0 && config_db_unreachable(db, err, sizeof(err)))
		die("%s", err);
	else if (access(db, F_OK) < 0)
		die("%s has no database: run 'prosumd init' first", cfg->data_dir);
	else if (tls_server_new(&t, cert, key, err, sizeof(err)) < 0)
		die("%s", err);
	else if (config_mail_check(cfg, err, sizeof(err)) < 0) /* as serve refuses them */
		die("%s", err);
	else
		rc = 0;
	if (rc == 0 && conffile_args_wanted()) {
		conffile_print_args(stdout, argc, argv, 2); /* for a reload (conffile.c) */
	} else if (rc == 0) {
		conffile_print(stdout, cfg);
		fprintf(stderr, "prosumd: %s: the settings are valid\n",
			conffile_path() ? conffile_path() : "the command line");
	}
	tls_server_free(t);
	free(cert);
	free(key);
	free(db);
	return rc;
}

/* cert renew: a new server certificate from the local CA, for a running server's SIGHUP. */
static int cmd_cert(opts *o, int argc, char **argv)
{
	const config *cfg = &o->cfg;
	const char *sub = argc >= 3 ? argv[2] : "";
	char *cert = NULL, *key = NULL, *ca = NULL, *ca_key = NULL;
	char err[512], names[2048], pin[TLS_PIN_LEN];
	tls_files files;
	size_t h;
	int rc;

	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(prosumd_usage, stdout);
		return 0;
	}
	if (strcmp(sub, "renew") != 0) {
		fprintf(stderr, "prosumd: cert: unknown subcommand '%s'\n%s", sub, prosumd_usage);
		return 2;
	}
	rc = parse_opts(o, argc - 3, argv + 3);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (o->name)
		return usage_err("unexpected argument '%s'", o->name);
	if (cfg->cert_file || cfg->key_file)
		return usage_err("%s", "cert renew renews DATA/tls/cert.pem from the local CA; a "
				 "--cert of another CA is renewed by that CA");
	for (h = 0; h < o->nhosts; h++)
		if (!tls_cert_host_ok(o->hosts[h]))
			return usage_err("--hostname: \"%s\" is not a host name or IP address",
					 o->hosts[h]);
	rc = 1;
	cert = config_path(cfg, "tls/cert.pem");
	key = config_path(cfg, "tls/key.pem");
	ca = config_path(cfg, "tls/ca.pem");
	ca_key = config_path(cfg, "tls/ca-key.pem");
	if (!cert || !key || !ca || !ca_key) {
		die("%s", "out of memory");
		goto out;
	}
	files = (tls_files){ca, ca_key, cert, key};
	if (tls_cert_renew(&files, o->hosts, o->nhosts, names, sizeof(names), err, sizeof(err))) {
		die("%s", err);
		goto out;
	}
	fprintf(stderr,
		"prosumd: made a new server certificate for %s: %s (the same CA and key: clients "
		"need nothing new); a running prosumd serves it after SIGHUP (systemctl reload "
		"prosumd)\n",
		names, cert);
	printf("cert: %s\n", cert);
	if (tls_cert_pin(cert, pin, sizeof(pin), err, sizeof(err)) == 0)
		printf("pin: %s\n", pin);
	rc = 0;
out:
	free(cert);
	free(key);
	free(ca);
	free(ca_key);
	return rc;
}

/*
 * serve holds an exclusive lock on DATA/prosumd.lock for its whole life: a second serve
 * on the same data directory is refused. The lock file holds the holder's pid, for the
 * message. Admin commands take no lock (SQLite's own locking serves them). *fd: the lock,
 * or -1 when the directory cannot hold one (serve then says what is wrong with it).
 */
static int serve_lock(const config *c, int *fd)
{
	char *path = config_path(c, "prosumd.lock");
	char pid[32];
	ssize_t n;
	int rc = 0;

	*fd = -1;
	if (!path)
		return 1;
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		goto out;
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		n = errno == EWOULDBLOCK ? pread(*fd, pid, sizeof(pid) - 1, 0) : -1;
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		fprintf(stderr, "prosumd: %s is in use by another prosumd (pid %s)\n", c->data_dir,
			pid[0] ? pid : "unknown");
		close(*fd);
		*fd = -1;
		rc = 1;
		goto out;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(*fd, 0) < 0 || pwrite(*fd, pid, (size_t)n, 0) != n)
		fprintf(stderr, "prosumd: %s: cannot write the pid (%s)\n", path, strerror(errno));
out:
	free(path);
	return rc;
}

static int cmd_serve(opts *o)
{
	char err[512];
	int fd, rc = serve_lock(&o->cfg, &fd);

	if (rc == 0 && oplog_open(o->cfg.log_file, o->cfg.log_format, o->cfg.log_level, err,
				  sizeof(err)) < 0)
		rc = die("%s", err);
	o->cfg.reload = reload_settings;
	if (rc == 0)
		rc = server_run(&o->cfg);
	oplog_close();
	if (fd >= 0)
		close(fd);
	return rc;
}

/* prosumd user add|list|link|disable: people who sign in to the web app. */
static int cmd_user(opts *o, int argc, char **argv)
{
	const char *sub = argc >= 3 ? argv[2] : "";
	const char *host;
	uint8_t secret[AUTH_SECRET_LEN];
	store_db *db = NULL;
	const char *email = NULL;
	int rc, skip = 0;

	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(prosumd_usage, stdout);
		return 0;
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "link") != 0 &&
	    strcmp(sub, "disable") != 0 && strcmp(sub, "email") != 0) {
		fprintf(stderr, "prosumd: user: unknown subcommand '%s'\n%s", sub, prosumd_usage);
		return 2;
	}
	/* user email NAME [ADDRESS]: the address is the second word, before the options. */
	if (strcmp(sub, "email") == 0 && argc >= 5 && argv[3][0] != '-' && argv[4][0] != '-') {
		email = argv[4];
		o->name = argv[3];
		skip = 2;
	}
	rc = parse_opts(o, argc - 3 - skip, argv + 3 + skip);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (strcmp(sub, "list") == 0 && o->name)
		return usage_err("unexpected argument '%s'", o->name);
	if (o->cfg.public_url && !public_url_ok(o->cfg.public_url))
		return usage_err("--public-url: '%s' is not https://HOST[:PORT][/]",
				 o->cfg.public_url);
	host = o->cfg.public_url ? o->cfg.public_url : o->cfg.listen;
	if (strncmp(host, "https://", 8) == 0)
		host += 8;
	if (load_secret(&o->cfg, secret, 0) || open_db(&o->cfg, &db))
		return 1;
	if (strcmp(sub, "add") == 0)
		rc = usercmd_add(db, secret, o->name, o->role, o->project, host);
	else if (strcmp(sub, "link") == 0)
		rc = usercmd_link(db, secret, o->name, host);
	else if (strcmp(sub, "disable") == 0)
		rc = usercmd_disable(db, o->name);
	else if (strcmp(sub, "email") == 0)
		rc = usercmd_email(db, o->name, email);
	else
		rc = usercmd_list(db);
	store_db_close(db);
	return rc;
}

/* project list|show|set|remove (projcmd.c). */
static int projcmd_sub(const char *sub)
{
	return strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 || strcmp(sub, "set") == 0 ||
	       strcmp(sub, "remove") == 0;
}

static int cmd_project(opts *o, const char *sub)
{
	projcmd_settings set = {o->repo, o->remote, o->commit_url, o->version_tag,
				o->is_public ? 1 : o->is_private ? 0 : -1};
	const char *host = o->cfg.public_url ? o->cfg.public_url : o->cfg.listen;
	store_db *db = NULL;
	int rc;

	if (strcmp(sub, "list") == 0 && o->name)
		return usage_err("unexpected argument '%s'", o->name);
	if (o->is_public && o->is_private)
		return usage_err("%s", "project set: --public or --private, not both");
	if (o->cfg.public_url && !public_url_ok(o->cfg.public_url))
		return usage_err("--public-url: '%s' is not https://HOST[:PORT][/]",
				 o->cfg.public_url);
	if (strncmp(host, "https://", 8) == 0)
		host += 8;
	if (open_db(&o->cfg, &db))
		return 1;
	if (strcmp(sub, "list") == 0)
		rc = projcmd_list(db);
	else if (strcmp(sub, "show") == 0)
		rc = projcmd_show(db, o->name, host);
	else if (strcmp(sub, "set") == 0)
		rc = projcmd_set(db, o->name, &set, host);
	else
		rc = projcmd_remove(&o->cfg, db, o->name, o->yes);
	store_db_close(db);
	return rc;
}

int main(int argc, char **argv)
{
	opts o;
	int rc = 2, skip;
	const char *sub;
	const char *cmd = argc > 1 ? argv[1] : NULL;

	/* Everything prosumd creates (database, keys, attachments) is its own alone. */
	umask(077);
	memset(&o, 0, sizeof(o));
	if (!cmd || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(prosumd_usage, cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (strcmp(cmd, "--version") == 0) {
		puts("prosumd 0.1.0");
		return 0;
	}
	if (config_init(&o.cfg) < 0)
		return die("%s", "out of memory");
	/* --config FILE (or $PROSUM_CONFIG): its settings become flags before the command line's. */
	if (conffile_expand(&argc, &argv, check_flags) != 0)
		goto out;
	if (strcmp(cmd, "cert") == 0) {
		rc = cmd_cert(&o, argc, argv);
		goto out;
	}
	if (strcmp(cmd, "user") == 0) {
		rc = cmd_user(&o, argc, argv);
		goto out;
	}
	if (strcmp(cmd, "webhook") == 0) {
		rc = webhookcmd_main(&o.cfg, argc - 2, argv + 2, open_db);
		goto out;
	}
	/* Two-word commands: "project add", "token add". */
	skip = (strcmp(cmd, "project") == 0 || strcmp(cmd, "token") == 0 ||
		strcmp(cmd, "key") == 0)
		       ? 3
		       : 2;
	sub = skip == 3 && argc >= 3 ? argv[2] : "";
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(prosumd_usage, stdout);
		rc = 0;
		goto out;
	}
	if (skip == 3 && strcmp(sub, "add") != 0 &&
	    !(strcmp(cmd, "project") != 0 && (strcmp(sub, "list") == 0 || strcmp(sub, "revoke") == 0)) &&
	    !(strcmp(cmd, "project") == 0 && projcmd_sub(sub))) {
		fprintf(stderr, "prosumd: %s: unknown subcommand '%s'\n%s", cmd, sub, prosumd_usage);
		goto out;
	}
	rc = parse_opts(&o, argc - skip, argv + skip);
	if (rc != 0) {
		rc = rc > 0 ? 0 : 2; /* --help, or a bad argument */
		goto out;
	}
	rc = 2;
	if (strcmp(cmd, "project") != 0 && strcmp(sub, "revoke") != 0 && o.name &&
	    strcmp(cmd, "backup") != 0 && strcmp(cmd, "restore") != 0) {
		die("unexpected argument '%s'", o.name);
		goto out;
	}
	if (o.nhosts > 0 && strcmp(cmd, "init") != 0) {
		die("%s", "--hostname is for init");
		goto out;
	}
	if ((o.force && strcmp(cmd, "restore") != 0) || (o.repair && strcmp(cmd, "check") != 0) ||
	    (o.yes && strcmp(sub, "remove") != 0) ||
	    ((o.is_private || o.remote) && strcmp(sub, "set") != 0)) {
		die("%s", "--force is for restore, --repair for check, --yes for project remove, "
			  "--private and --remote for project set");
		goto out;
	}
	if (strcmp(cmd, "init") == 0)
		rc = cmd_init(&o);
	else if (strcmp(cmd, "serve") == 0)
		rc = cmd_serve(&o);
	else if (strcmp(cmd, "project") == 0 && strcmp(sub, "add") != 0)
		rc = cmd_project(&o, sub);
	else if (strcmp(cmd, "check-config") == 0)
		rc = cmd_check_config(&o, argc, argv);
	else if (strcmp(cmd, "project") == 0)
		rc = cmd_project_add(&o);
	else if (strcmp(cmd, "backup") == 0)
		rc = datacmd_backup(&o.cfg, o.name);
	else if (strcmp(cmd, "restore") == 0)
		rc = datacmd_restore(&o.cfg, o.name, o.force);
	else if (strcmp(cmd, "check") == 0)
		rc = datacmd_check(&o.cfg, o.repair);
	else if (strcmp(cmd, "key") == 0)
		rc = cmd_key(&o, sub);
	else if (strcmp(cmd, "token") == 0)
		rc = strcmp(sub, "list") == 0     ? cmd_token_list(&o)
		     : strcmp(sub, "revoke") == 0 ? cmd_token_revoke(&o)
						  : cmd_token_add(&o);
	else
		fprintf(stderr, "prosumd: unknown command '%s'\n%s", cmd, prosumd_usage);
out:
	config_free(&o.cfg);
	return rc;
}
