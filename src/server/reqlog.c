/* SPDX-License-Identifier: MIT */
/* reqlog: batched request log lines (see reqlog.h). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/json_esc.h"
#include "common/mem.h"
#include "common/timeutil.h"
#include "server/reqlog.h"

#define REQLOG_MAX (1u << 20) /* queued bytes before request threads write themselves */
#define REQLOG_LINE_MAX 8192
/* After writing a batch the logger sleeps this long before it looks again, without being
 * woken: under load the lines of that interval form one write and request threads never signal
 * it (a signal per request cost a futex wake and a context switch each). Only when a look finds
 * nothing does it go idle; then the next line wakes it and is written at once. */
#define REQLOG_LINGER_NS (1000 * 1000)

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
			int linger = !l->stop;

			l->q = out;
			out = tmp;
			pthread_mutex_unlock(&l->mu);
			write_all(l->fd, out.data, out.len);
			buf_reset(&out);
			if (linger) {
				/* idle stays 0 meanwhile: request threads do not signal us. */
				struct timespec ts = { 0, REQLOG_LINGER_NS };

				nanosleep(&ts, NULL);
			}
		}
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

/* Append v in decimal, zero-padded to at least width digits. */
static int put_uint(struct buf *b, uint64_t v, int width)
{
	char d[24];
	int n = 0;

	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < (int)sizeof(d));
	while (n < width && n < (int)sizeof(d))
		d[sizeof(d) - 1 - n++] = '0';
	return buf_append(b, d + sizeof(d) - n, (size_t)n);
}

/* The "YYYY-MM-DDTHH:MM:SS" part of now, formatted once per second and thread (this is
 * the hot path of every request; the formatter is printf-based). */
static const char *ts_seconds(struct tstamp now)
{
	static _Thread_local int64_t sec = INT64_MIN;
	static _Thread_local char ts[TIME_RFC3339_MAX];

	if (now.sec != sec) {
		time_rfc3339_format_sec(now, ts);
		ts[19] = '\0';
		sec = now.sec;
	}
	return ts;
}

/* Append ,"name":"value" when value is not "". */
static int put_opt(struct buf *b, const char *name, const char *value)
{
	int r = 0;

	if (!value || !value[0])
		return 0;
	r = buf_append_str(b, name);
	return r ? r : json_esc_append(b, value, strlen(value));
}

void reqlog_request(struct reqlog *l, const char *method, const char *path, int status, uint64_t latency_ns,
		    const char *request_id, const char *remote, const char *access_key, const char *error_type,
		    const char *error_reason)
{
	char line[REQLOG_LINE_MAX];
	struct tstamp now = time_now();
	struct buf b;
	int r;

	/* The line is built in a fixed stack buffer, without printf: no allocation and little
	 * work per request. */
	b.data = line;
	b.len = 0;
	b.cap = sizeof(line);
	b.max = sizeof(line) - 1;
	b.secret = 0;
	line[0] = '\0';
	r = buf_append_str(&b,
			   "{\"@level\":\"info\",\"@message\":\"request\",\"@module\":\"scw-iamd\","
			   "\"@timestamp\":\"");
	if (r == 0)
		r = buf_append_str(&b, ts_seconds(now));
	if (r == 0)
		r = buf_append_str(&b, ".");
	if (r == 0)
		r = put_uint(&b, (uint64_t)(now.nsec / 1000), 6);
	if (r == 0)
		r = buf_append_str(&b, "Z\",\"method\":");
	if (r == 0)
		r = json_esc_append(&b, method, strlen(method));
	if (r == 0)
		r = buf_append_str(&b, ",\"path\":");
	if (r == 0)
		r = json_esc_append(&b, path, strlen(path));
	if (r == 0)
		r = buf_append_str(&b, ",\"status\":\"");
	if (r == 0 && status < 0)
		r = buf_append_str(&b, "-");
	if (r == 0)
		r = put_uint(&b, (uint64_t)(status < 0 ? -(int64_t)status : status), 1);
	if (r == 0)
		r = buf_append_str(&b, "\",\"latency_ms\":\"");
	if (r == 0)
		r = put_uint(&b, latency_ns / 1000000, 1);
	if (r == 0)
		r = buf_append_str(&b, ".");
	if (r == 0)
		r = put_uint(&b, latency_ns / 1000 % 1000, 3);
	if (r == 0)
		r = buf_append_str(&b, "\",\"request_id\":");
	if (r == 0)
		r = json_esc_append(&b, request_id, strlen(request_id));
	if (r == 0)
		r = buf_append_str(&b, ",\"remote\":");
	if (r == 0)
		r = json_esc_append(&b, remote, strlen(remote));
	if (r == 0)
		r = put_opt(&b, ",\"access_key\":", access_key);
	if (r == 0)
		r = put_opt(&b, ",\"error_type\":", error_type);
	if (r == 0)
		r = put_opt(&b, ",\"error_reason\":", error_reason);
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
