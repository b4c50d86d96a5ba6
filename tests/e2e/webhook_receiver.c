/* webhook_receiver.c - a local HTTP server for the webhook tests: records requests, answers as scripted. */
#include "webhook_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

/* The value of header `name` in head (NUL-terminated lines) into out; "" when absent. */
static void header(const char *head, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);
	const char *p = head;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e;

			while (*v == ' ')
				v++;
			e = strstr(v, "\r\n");
			if (!e)
				e = v + strlen(v);
			snprintf(out, outsz, "%.*s", (int)(e - v), v);
			return;
		}
	}
}

static void serve_one(receiver *r, int c)
{
	char buf[65536], cl[32], reply[256];
	size_t got = 0;
	char *end = NULL, *body;
	long len;
	recv_hit h;
	int status;

	memset(&h, 0, sizeof(h));
	while (got < sizeof(buf) - 1) {
		ssize_t n = read(c, buf + got, sizeof(buf) - 1 - got);

		if (n <= 0)
			return;
		got += (size_t)n;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end)
			break;
	}
	if (!end)
		return;
	h.at_ms = e2e_now_ms();
	*end = '\0';
	header(buf, "content-length", cl, sizeof(cl));
	len = strtol(cl, NULL, 10);
	if (len < 0 || (size_t)len > sizeof(buf))
		return;
	body = malloc((size_t)len + 1);
	if (!body)
		return;
	got -= (size_t)(end + 4 - buf);
	memcpy(body, end + 4, got);
	while ((long)got < len) {
		ssize_t n = read(c, body + got, (size_t)len - got);

		if (n <= 0) {
			free(body);
			return;
		}
		got += (size_t)n;
	}
	body[len] = '\0';
	header(buf, "webhook-id", h.id, sizeof(h.id));
	header(buf, "webhook-timestamp", h.timestamp, sizeof(h.timestamp));
	header(buf, "webhook-signature", h.signature, sizeof(h.signature));
	header(buf, "content-type", h.content_type, sizeof(h.content_type));
	h.body = body;
	pthread_mutex_lock(&r->mu);
	status = r->pos < r->nscript ? r->script[r->pos++] : r->default_status;
	h.status = status;
	if (r->nhits < RECV_MAX_HITS)
		r->hits[r->nhits++] = h;
	else
		free(body);
	snprintf(reply, sizeof(reply),
		 "HTTP/1.1 %d Scripted\r\nContent-Length: 2\r\nConnection: close\r\n%s%s%s\r\nok",
		 status, (status == 429 || status == 503) && r->retry_after[0] ? "Retry-After: " : "",
		 (status == 429 || status == 503) ? r->retry_after : "",
		 (status == 429 || status == 503) && r->retry_after[0] ? "\r\n" : "");
	pthread_mutex_unlock(&r->mu);
	if (write(c, reply, strlen(reply)) < 0)
		return;
}

static void *receiver_main(void *p)
{
	receiver *r = p;

	for (;;) {
		struct pollfd pfd = {r->fd, POLLIN, 0};
		int stop, c;

		pthread_mutex_lock(&r->mu);
		stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		c = accept(r->fd, NULL, NULL);
		if (c < 0)
			continue;
		serve_one(r, c);
		close(c);
	}
	return NULL;
}

int receiver_start(receiver *r)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	memset(r, 0, sizeof(*r));
	r->default_status = 200;
	pthread_mutex_init(&r->mu, NULL);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (r->fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(r->fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(r->fd, 16) < 0 ||
	    getsockname(r->fd, (struct sockaddr *)&a, &alen) < 0) {
		close(r->fd);
		return -1;
	}
	r->port = ntohs(a.sin_port);
	if (pthread_create(&r->thread, NULL, receiver_main, r) != 0) {
		close(r->fd);
		return -1;
	}
	return 0;
}

void receiver_stop(receiver *r)
{
	int i;

	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	close(r->fd);
	for (i = 0; i < r->nhits; i++)
		free(r->hits[i].body);
	pthread_mutex_destroy(&r->mu);
}

void receiver_script(receiver *r, const int *statuses, int n, int then)
{
	pthread_mutex_lock(&r->mu);
	memcpy(r->script, statuses, sizeof(int) * (size_t)n);
	r->nscript = n;
	r->pos = 0;
	r->default_status = then;
	pthread_mutex_unlock(&r->mu);
}

int receiver_count(receiver *r)
{
	int n;

	pthread_mutex_lock(&r->mu);
	n = r->nhits;
	pthread_mutex_unlock(&r->mu);
	return n;
}

int receiver_wait(receiver *r, int n, int timeout_ms)
{
	long long until = e2e_now_ms() + timeout_ms;

	while (receiver_count(r) < n) {
		if (e2e_now_ms() > until)
			return 0;
		usleep(20000);
	}
	return 1;
}

recv_hit receiver_hit(receiver *r, int i)
{
	recv_hit h;

	pthread_mutex_lock(&r->mu);
	h = r->hits[i];
	pthread_mutex_unlock(&r->mu);
	return h;
}

void receiver_url(const receiver *r, const char *path, char *out, size_t outsz)
{
	snprintf(out, outsz, "http://127.0.0.1:%d%s", r->port, path);
}
