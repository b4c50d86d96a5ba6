/* conffile.c - the config file: `key = value` lines turned into command-line flags, checked line by line. */
#include "conffile.h"
#include "oplog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_LINE 4096            /* one line of the file, its newline included */
#define MAX_ENTRIES 256          /* settings in one file */
#define MAX_ARGS_OUTPUT (1 << 20) /* what a reload's child may print */

/* Flags of the command line that are not settings of a server. */
static const char *const not_settings[] = {
	"config", "help", "version", "repo", "role", "project", "name", "hostname",
	"version-tag", "commit-url", "public", "yes",
};

typedef struct entry {
	char *key;
	char *value;
	int line, key_col, value_col;
} entry;

/* Kept for the life of the process: a reload reads the same file with the same flags. */
static char *file_path;
static entry file_entries[MAX_ENTRIES];
static size_t file_n;
static char **cmd_args; /* the command line's flags, without --config FILE */
static char **expanded; /* the new command line */
static int cmd_nargs;

const char *conffile_path(void)
{
	return file_path;
}

static int not_setting(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(not_settings) / sizeof(not_settings[0]); i++)
		if (strcmp(key, not_settings[i]) == 0)
			return 1;
	return 0;
}

static int key_ok(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= '0' && k[0] <= '9')))
		return 0;
	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '-'))
			return 0;
	return 1;
}

static void where(const char *path, int line, int col)
{
	fprintf(stderr, "prosumd: %s:%d:%d: ", path, line, col);
}

/*
 * One line, without its newline: blank, a comment, or `key = value`. 0 (e->key
 * NULL for nothing), or 2 after a message.
 */
static int parse_line(const char *path, int line, char *s, size_t len, entry *e)
{
	char *eq, *k, *v, *end;

	memset(e, 0, sizeof(*e));
	if (strlen(s) != len) {
		where(path, line, (int)strlen(s) + 1);
		fprintf(stderr, "a NUL byte: this is not a text file\n");
		return 2;
	}
	if (len > 0 && s[len - 1] == '\r')
		s[--len] = '\0';
	k = s + strspn(s, " \t");
	if (*k == '\0' || *k == '#')
		return 0;
	eq = strchr(k, '=');
	if (!eq) {
		where(path, line, (int)(k - s) + 1);
		fprintf(stderr, "expected `key = value`\n");
		return 2;
	}
	for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	if (!key_ok(k, (size_t)(end - k))) {
		where(path, line, (int)(k - s) + 1);
		if (end == k)
			fprintf(stderr, "no key before '='\n");
		else
			fprintf(stderr,
				"'%.*s' is not a key: a key is a serve flag's name without --, "
				"such as rate-ip\n",
				(int)(end - k), k);
		return 2;
	}
	*end = '\0';
	v = eq + 1 + strspn(eq + 1, " \t");
	for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	if (*v == '\0') {
		where(path, line, (int)(v - s) + 1);
		fprintf(stderr, "%s has no value\n", k);
		return 2;
	}
	e->key = strdup(k);
	e->value = strdup(v);
	e->line = line;
	e->key_col = (int)(k - s) + 1;
	e->value_col = (int)(v - s) + 1;
	if (!e->key || !e->value) {
		fprintf(stderr, "prosumd: out of memory\n");
		return 2;
	}
	return 0;
}

/*
 * Run the command line parser on argv, keeping its message: its first line,
 * without the "prosumd: " it starts with, goes to msg.
 */
static int run_check(conffile_check_fn check, int argc, char **argv, int *positional, char *msg,
		     size_t msglen)
{
	FILE *saved = stderr, *mem;
	char *buf = NULL;
	size_t len = 0;
	const char *m;
	int rc;

	*positional = 0;
	msg[0] = '\0';
	fflush(stderr);
	mem = open_memstream(&buf, &len);
	if (!mem)
		return check(argc, argv, positional);
	stderr = mem;
	rc = check(argc, argv, positional);
	stderr = saved;
	fclose(mem);
	m = buf ? buf : "";
	if (strncmp(m, "prosumd: ", 9) == 0)
		m += 9;
	snprintf(msg, msglen, "%.*s", (int)strcspn(m, "\n"), m);
	free(buf);
	return rc;
}

/* The flags of one setting into args (1 or 2 of them, or none for `switch = false`). 0 or 2. */
static int entry_args(const char *path, const entry *e, conffile_check_fn check, char **args,
		      int *nargs)
{
	char flag[80], msg[512];
	char *probe[2];
	int positional, rc;

	snprintf(flag, sizeof(flag), "--%s", e->key);
	args[0] = strdup(flag);
	args[1] = NULL;
	*nargs = 0;
	if (!args[0])
		goto oom;
	probe[0] = args[0];
	/* A flag that takes no value: true or false. */
	if (strcmp(e->value, "true") == 0 || strcmp(e->value, "false") == 0) {
		if (run_check(check, 1, probe, &positional, msg, sizeof(msg)) == 0) {
			*nargs = strcmp(e->value, "true") == 0;
			if (*nargs == 0) {
				free(args[0]);
				args[0] = NULL;
			}
			return 0;
		}
	}
	args[1] = strdup(e->value);
	if (!args[1])
		goto oom;
	rc = run_check(check, 2, args, &positional, msg, sizeof(msg));
	if (rc == 0 && !positional) {
		*nargs = 2;
		return 0;
	}
	if (rc == 0) {
		where(path, e->line, e->value_col);
		fprintf(stderr, "%s takes no value: write %s = true (or false)\n", e->key, e->key);
	} else if (strncmp(msg, "unknown option", 14) == 0) {
		where(path, e->line, e->key_col);
		fprintf(stderr, "unknown key '%s': no serve flag is called --%s\n", e->key, e->key);
	} else {
		/* "--rate-ip wants ..." is said of the key: "rate-ip wants ...". */
		size_t kl = strlen(e->key);
		const char *m = msg;

		if (strncmp(m, "--", 2) == 0 && strncmp(m + 2, e->key, kl) == 0 &&
		    (m[2 + kl] == ' ' || m[2 + kl] == ':'))
			m += 2;
		where(path, e->line, e->value_col);
		fprintf(stderr, "%s\n", m[0] ? m : "a bad value");
	}
	return 2;
oom:
	fprintf(stderr, "prosumd: out of memory\n");
	return 2;
}

/* Read and check the file into file_entries; 0 or 2. */
static int read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t n;
	int no = 0, rc = 2;

	if (!f) {
		fprintf(stderr, "prosumd: cannot read the config file %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		entry e;

		no++;
		if (n > MAX_LINE) {
			where(path, no, MAX_LINE);
			fprintf(stderr, "a line of more than %d bytes\n", MAX_LINE);
			goto out;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (parse_line(path, no, line, (size_t)n, &e))
			goto bad_entry;
		if (!e.key)
			continue;
		if (not_setting(e.key)) {
			where(path, no, e.key_col);
			fprintf(stderr, "%s is not a setting of the server\n", e.key);
			goto bad_entry;
		}
		for (i = 0; i < file_n; i++)
			if (strcmp(file_entries[i].key, e.key) == 0) {
				where(path, no, e.key_col);
				fprintf(stderr, "%s is set again (first on line %d)\n", e.key,
					file_entries[i].line);
				goto bad_entry;
			}
		if (file_n == MAX_ENTRIES) {
			where(path, no, e.key_col);
			fprintf(stderr, "more than %d settings\n", MAX_ENTRIES);
			goto bad_entry;
		}
		file_entries[file_n++] = e;
		continue;
bad_entry:
		free(e.key);
		free(e.value);
		goto out;
	}
	if (ferror(f)) {
		fprintf(stderr, "prosumd: cannot read the config file %s: %s\n", path,
			strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

int conffile_expand(int *argc, char ***argv, conffile_check_fn check)
{
	const char *env = getenv("PROSUM_CONFIG");
	char **in = *argv, **out;
	int n = *argc, words, i, k, given = -1, rc = 2;
	size_t e;

	for (i = 2; i < n; i++)
		if (strcmp(in[i], "--config") == 0) {
			if (given >= 0) {
				fprintf(stderr, "prosumd: --config is given twice\n");
				return 2;
			}
			if (i + 1 == n) {
				fprintf(stderr, "prosumd: --config needs a value\n");
				return 2;
			}
			given = i++;
		}
	/* The command's words: "serve", "project add NAME"; the flags come after them. */
	for (words = 1; words < n && in[words][0] != '-'; words++)
		;
	/* Kept for the process's life (a reload reads cmd_args), also when a line is refused. */
	cmd_args = calloc((size_t)n + 1, sizeof(*cmd_args));
	if (!cmd_args)
		return 2;
	if (given < 0 && !(env && *env)) {
		for (i = words; i < n; i++)
			cmd_args[cmd_nargs++] = in[i];
		return 0;
	}
	file_path = strdup(given >= 0 ? in[given + 1] : env);
	if (!file_path)
		return 2;
	if (read_file(file_path))
		return 2;
	expanded = out = calloc((size_t)n + 2 * file_n + 1, sizeof(*out));
	if (!out)
		goto out;
	for (k = 0; k < words; k++)
		out[k] = in[k];
	for (e = 0; e < file_n; e++) {
		int m;

		if (entry_args(file_path, &file_entries[e], check, out + k, &m))
			goto out;
		k += m;
	}
	for (i = words; i < n; i++) {
		if (i == given) {
			i++;
			continue;
		}
		out[k++] = in[i];
		cmd_args[cmd_nargs++] = in[i];
	}
	out[k] = NULL;
	*argc = k;
	*argv = out;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "prosumd: %s: nothing was done\n", file_path);
	return rc;
}

/* ---- check-config's output ---- */

static void print_int(FILE *out, const char *key, int v)
{
	fprintf(out, "%s = %d\n", key, v);
}

/* The e-mail settings (the password file's name is no secret: its content is never read here). */
static void print_mail(FILE *out, const config *c)
{
	if (!c->smtp_url) {
		fprintf(out, "# smtp-url: not set (no e-mail is sent)\n");
		return;
	}
	fprintf(out, "smtp-url = %s\n", c->smtp_url);
	if (c->smtp_from)
		fprintf(out, "smtp-from = %s\n", c->smtp_from);
	if (c->smtp_user)
		fprintf(out, "smtp-user = %s\n", c->smtp_user);
	if (c->smtp_password_file)
		fprintf(out, "smtp-password-file = %s\n", c->smtp_password_file);
	if (c->mail_interval > 0)
		print_int(out, "mail-interval", c->mail_interval);
	else
		fprintf(out, "# mail-interval: not set (3600 s)\n");
}

void conffile_print(FILE *out, const config *c)
{
	static const char *const known[] = {
		"data", "listen", "cert", "key", "public-url", "threads", "rate-ip", "rate-key",
		"conns-per-ip", "max-connections", "write-queue", "idle-timeout",
		"handshake-timeout", "request-timeout", "log-format", "log-level", "log-file",
		"metrics-token", "webhook-allow-private", "smtp-url", "smtp-from", "smtp-user",
		"smtp-password-file", "mail-interval",
	};
	size_t i, j;

	fprintf(out, "data = %s\n", c->data_dir);
	fprintf(out, "listen = %s\n", c->listen);
	if (c->cert_file)
		fprintf(out, "cert = %s\n", c->cert_file);
	else
		fprintf(out, "# cert: %s/tls/cert.pem (the data directory's)\n", c->data_dir);
	if (c->key_file)
		fprintf(out, "key = %s\n", c->key_file);
	else
		fprintf(out, "# key: %s/tls/key.pem (the data directory's)\n", c->data_dir);
	if (c->public_url)
		fprintf(out, "public-url = %s\n", c->public_url);
	else
		fprintf(out, "# public-url: not set (DSNs name the listen address)\n");
	if (c->threads > 0)
		print_int(out, "threads", c->threads);
	else
		fprintf(out, "# threads: one per core (%ld)\n", sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(out, "rate-ip = %.0f\n", c->rate_ip);
	fprintf(out, "rate-key = %.0f\n", c->rate_key);
	print_int(out, "conns-per-ip", c->conns_per_ip);
	print_int(out, "max-connections", c->max_connections);
	print_int(out, "write-queue", c->write_queue);
	print_int(out, "idle-timeout", c->idle_timeout_ms);
	print_int(out, "handshake-timeout", c->handshake_timeout_ms);
	if (c->head_timeout_ms == c->body_timeout_ms)
		print_int(out, "request-timeout", c->head_timeout_ms);
	else
		fprintf(out, "# request-timeout: not set (head %d ms, body %d ms)\n",
			c->head_timeout_ms, c->body_timeout_ms);
	fprintf(out, "log-format = %s\n", oplog_format_name(c->log_format));
	fprintf(out, "log-level = %s\n", oplog_level_name(c->log_level));
	if (c->log_file)
		fprintf(out, "log-file = %s\n", c->log_file);
	else
		fprintf(out, "# log-file: not set (stderr: the journal under systemd)\n");
	/* A secret: said to be set, never printed. */
	if (c->metrics_token)
		fprintf(out, "# metrics-token: set (not shown)\n");
	else
		fprintf(out, "# metrics-token: not set (GET /metrics answers 404)\n");
	if (c->webhook_allow_private)
		fprintf(out, "webhook-allow-private = true\n");
	else
		fprintf(out, "# webhook-allow-private: not set (webhooks reach public addresses only)\n");
	print_mail(out, c);
	/* Settings of flags this table does not know, as the file gave them. */
	for (i = 0; i < file_n; i++) {
		for (j = 0; j < sizeof(known) / sizeof(known[0]); j++)
			if (strcmp(file_entries[i].key, known[j]) == 0)
				break;
		if (j == sizeof(known) / sizeof(known[0]))
			fprintf(out, "%s = %s\n", file_entries[i].key, file_entries[i].value);
	}
}

/* ---- reload ---- */

int conffile_args_wanted(void)
{
	const char *v = getenv("PROSUM_CHECK_CONFIG_ARGS");

	return v && *v;
}

void conffile_print_args(FILE *out, int argc, char **argv, int first)
{
	int i;

	for (i = first; i < argc; i++) {
		fputs(argv[i], out);
		fputc('\0', out);
	}
}

/* Run check-config as a child with the same file and flags; its output into *buf. 0 or -1. */
static int run_child(char **buf, size_t *len)
{
	char **argv = calloc((size_t)cmd_nargs + 6, sizeof(*argv)), **envp = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	size_t nenv = 0, cap = 0, i;
	pid_t pid = -1;
	int pipefd[2] = {-1, -1}, status, k = 0, rc = -1, fa_made = 0, attr_made = 0;
	ssize_t n;

	*buf = NULL;
	*len = 0;
	while (environ[nenv])
		nenv++;
	envp = calloc(nenv + 2, sizeof(*envp));
	if (!argv || !envp || pipe2(pipefd, O_CLOEXEC) < 0)
		goto out;
	for (i = 0; i < nenv; i++)
		envp[i] = environ[i];
	envp[nenv] = "PROSUM_CHECK_CONFIG_ARGS=1";
	argv[k++] = "prosumd";
	argv[k++] = "check-config";
	if (file_path) {
		argv[k++] = "--config";
		argv[k++] = file_path;
	}
	for (i = 0; i < (size_t)cmd_nargs; i++)
		argv[k++] = cmd_args[i];
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto out;
	fa_made = 1;
	if (posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1) != 0 ||
	    posix_spawnattr_init(&attr) != 0)
		goto out;
	attr_made = 1;
	/* The server blocks its signals for sigwait(); the child takes them as usual. */
	sigemptyset(&none);
	if (posix_spawnattr_setsigmask(&attr, &none) != 0 ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK) != 0)
		goto out;
	/* The running binary itself, even when an upgrade has replaced the file since. */
	status = posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv, envp);
	if (status != 0) {
		fprintf(stderr, "prosumd: reload: cannot run check-config: %s\n", strerror(status));
		pid = -1;
		goto out;
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	for (;;) {
		if (*len + 4096 > cap) {
			char *p;

			if (cap >= MAX_ARGS_OUTPUT)
				break;
			cap = cap ? cap * 2 : 8192;
			p = realloc(*buf, cap);
			if (!p)
				break;
			*buf = p;
		}
		n = read(pipefd[0], *buf + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (*buf && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
out:
	if (fa_made)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_made)
		posix_spawnattr_destroy(&attr);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	free(argv);
	free(envp);
	if (rc) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

int conffile_reload(config *out, conffile_parse_fn parse)
{
	char *buf = NULL, **args = NULL;
	size_t len = 0, i;
	int nargs = 0, rc = -1;

	if (config_init(out) < 0)
		return -1;
	if (run_child(&buf, &len) < 0)
		goto out;
	args = calloc(len + 1, sizeof(*args));
	if (!args)
		goto out;
	buf[len] = '\0'; /* run_child() leaves room for it */
	for (i = 0; i < len; i += strlen(buf + i) + 1)
		args[nargs++] = buf + i;
	rc = parse(out, nargs, args);
out:
	free(args);
	free(buf);
	return rc;
}
