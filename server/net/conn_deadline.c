/* conn_deadline.c - connection deadlines: a sorted queue per timeout length, the loop's timer. */
#include "net/conn.h"
#include "net/conn_int.h"

void conn_timeq_unlink(conn *c)
{
	struct io_timeq *q;

	if (!c->timeq)
		return;
	q = &c->io->timeq[c->timeq - 1];
	if (c->tq_prev)
		c->tq_prev->tq_next = c->tq_next;
	else
		q->head = c->tq_next;
	if (c->tq_next)
		c->tq_next->tq_prev = c->tq_prev;
	else
		q->tail = c->tq_prev;
	c->tq_prev = c->tq_next = NULL;
	c->timeq = 0;
}

/*
 * The deadline `ms` after `from` goes into the queue for `ms`, at its tail
 * unless `from` was before the last one's (then a few steps back): the queue
 * stays sorted. Should every queue be taken (more timeout lengths than
 * IO_TIMEQS), the connection is in none and conn_tick() alone closes it,
 * within a second.
 */
void conn_set_deadline_from(conn *c, int64_t from, int ms)
{
	io_thread *io = c->io;
	struct io_timeq *q;
	conn *after;
	int i, k = -1;

	conn_timeq_unlink(c);
	c->deadline = from + ms;
	for (i = 0; i < IO_TIMEQS && k < 0; i++)
		if (io->timeq[i].ms == ms)
			k = i;
	for (i = 0; i < IO_TIMEQS && k < 0; i++)
		if (!io->timeq[i].head)
			k = i;
	if (k < 0)
		return;
	q = &io->timeq[k];
	q->ms = ms;
	/* By the deadline each was queued with: one cleared since (parked on the store) keeps
	 * its place until it reaches the head and is dropped. */
	for (after = q->tail; after && after->tq_at > c->deadline; after = after->tq_prev)
		;
	c->tq_prev = after;
	c->tq_next = after ? after->tq_next : q->head;
	if (c->tq_prev)
		c->tq_prev->tq_next = c;
	else
		q->head = c;
	if (c->tq_next)
		c->tq_next->tq_prev = c;
	else
		q->tail = c;
	c->tq_at = c->deadline;
	c->timeq = k + 1;
}

void conn_set_deadline(conn *c, int ms)
{
	conn_set_deadline_from(c, loop_now(c->io->loop), ms);
}

/* The earliest deadline of the queue heads; drops those whose deadline was cleared. 0 for none. */
static int64_t timeq_first(io_thread *io)
{
	int64_t first = 0;
	int i;

	for (i = 0; i < IO_TIMEQS; i++) {
		conn *c = io->timeq[i].head;

		while (c && !c->deadline) { /* parked on the store since */
			conn_timeq_unlink(c);
			c = io->timeq[i].head;
		}
		if (c && (!first || c->deadline < first))
			first = c->deadline;
	}
	return first;
}

static void on_deadline(loop *l, void *data)
{
	io_thread *io = data;
	int64_t now = loop_now(l);
	int i;

	for (i = 0; i < IO_TIMEQS; i++) {
		conn *c;

		while ((c = io->timeq[i].head) && (!c->deadline || c->deadline <= now)) {
			if (c->deadline)
				conn_close(c); /* unlinks it */
			else
				conn_timeq_unlink(c);
		}
	}
}

void conn_arm_timer(io_thread *io)
{
	loop_set_timer(io->loop, timeq_first(io), on_deadline, io);
}
