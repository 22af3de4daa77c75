/* SPDX-License-Identifier: MIT */
/* reqlog: batched request log lines (see reqlog.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/json_esc.h"
#include "common/mem.h"
#include "common/timeutil.h"
#include "server/reqlog.h"

#define REQLOG_MAX (1u << 20)   /* queued bytes before request threads write themselves */
#define REQLOG_LINE_MAX 8192

struct reqlog {
	int fd;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct buf q;
	int stop;
	int idle; /* the logger sleeps: the next line must wake it */
	pthread_t thread;
};

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void *reqlog_main(void *arg)
{
	struct reqlog *l = arg;
	struct buf out;

	buf_init(&out, REQLOG_MAX);
	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->q.len && !l->stop) {
			l->idle = 1;
			pthread_cond_wait(&l->cv, &l->mu);
		}
		l->idle = 0;
		if (!l->q.len)
			break;
		/* Swap the queue out and write it without holding the lock: lines queued
		 * meanwhile form the next batch. */
		{
			struct buf tmp = l->q;

			l->q = out;
			out = tmp;
		}
		pthread_mutex_unlock(&l->mu);
		write_all(l->fd, out.data, out.len);
		buf_reset(&out);
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	buf_release(&out);
	return NULL;
}

int reqlog_start(int fd, struct reqlog **out)
{
	struct reqlog *l = mem_calloc(1, sizeof(*l));

	*out = NULL;
	if (!l)
		return ERR_NOMEM;
	l->fd = fd;
	buf_init(&l->q, REQLOG_MAX);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	if (pthread_create(&l->thread, NULL, reqlog_main, l) != 0) {
		pthread_mutex_destroy(&l->mu);
		pthread_cond_destroy(&l->cv);
		free(l);
		return ERR_NOMEM;
	}
	*out = l;
	return 0;
}

void reqlog_request(struct reqlog *l, const char *method, const char *path, int status, uint64_t latency_ns,
		    const char *request_id, const char *remote)
{
	char line[REQLOG_LINE_MAX], ts[TIME_RFC3339_MAX];
	struct tstamp now = time_now();
	struct buf b;
	int r;

	/* The line is built in a fixed stack buffer: no allocation per request. */
	b.data = line;
	b.len = 0;
	b.cap = sizeof(line);
	b.max = sizeof(line) - 1;
	b.secret = 0;
	line[0] = '\0';
	time_rfc3339_format_sec(now, ts);
	r = buf_printf(&b, "{\"@level\":\"info\",\"@message\":\"request\",\"@module\":\"scw-iamd\","
			   "\"@timestamp\":\"%.19s.%06dZ\",\"method\":", ts, (int)(now.nsec / 1000));
	if (r == 0)
		r = json_esc_append(&b, method, strlen(method));
	if (r == 0)
		r = buf_append_str(&b, ",\"path\":");
	if (r == 0)
		r = json_esc_append(&b, path, strlen(path));
	if (r == 0)
		r = buf_printf(&b, ",\"status\":\"%d\",\"latency_ms\":\"%llu.%03llu\",\"request_id\":", status,
			       (unsigned long long)(latency_ns / 1000000), (unsigned long long)(latency_ns / 1000 % 1000));
	if (r == 0)
		r = json_esc_append(&b, request_id, strlen(request_id));
	if (r == 0)
		r = buf_append_str(&b, ",\"remote\":");
	if (r == 0)
		r = json_esc_append(&b, remote, strlen(remote));
	if (r == 0)
		r = buf_append_str(&b, "}\n");
	if (r < 0)
		return; /* only an absurdly long path gets here; it is not worth a line */
	pthread_mutex_lock(&l->mu);
	if (buf_append(&l->q, line, b.len) < 0) {
		/* Queue full: keep the order simple and write this one ourselves. */
		pthread_mutex_unlock(&l->mu);
		write_all(l->fd, line, b.len);
		return;
	}
	if (l->idle) {
		l->idle = 0;
		pthread_cond_signal(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
}

void reqlog_stop(struct reqlog *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	buf_release(&l->q);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l);
}
