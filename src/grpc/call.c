/* SPDX-License-Identifier: MIT */
/*
 * call: gRPC calls and the worker pool that runs their handlers (see server_int.h).
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "grpc/frame.h"
#include "grpc/server_int.h"

void gs_wake(struct grpc_server *s)
{
	uint64_t one = 1;
	ssize_t n = write(s->efd, &one, sizeof(one));

	(void)n; /* EAGAIN means the counter is already non-zero: the loop will wake anyway */
}

/* ---- calls ---- */

struct grpc_call *gs_call_new(struct gconn *c, int32_t id)
{
	struct grpc_call *call = mem_calloc(1, sizeof(*call));

	if (!call)
		return NULL;
	call->conn = c;
	call->id = id;
	call->srv = c->srv;
	call->refs = 1;
	/* Secret buffers (wiped on growth and release): requests carry the provider config and
	 * prior states, responses the new states, and both may hold secret keys and passwords. */
	buf_init_secret(&call->req, c->srv->o.max_request + GRPC_PREFIX_LEN);
	buf_init_secret(&call->out, STREAM_QUEUE_MAX + c->srv->o.max_response + GRPC_PREFIX_LEN);
	buf_init_secret(&call->resp, c->srv->o.max_response + GRPC_PREFIX_LEN);
	call->cnext = c->calls;
	if (c->calls)
		c->calls->cprev = call;
	c->calls = call;
	return call;
}

/* Drop a reference; the caller holds s->mu. */
void gs_call_unref_locked(struct grpc_call *call)
{
	if (--call->refs > 0)
		return;
	free(call->path);
	buf_release(&call->req);
	buf_release(&call->out);
	buf_release(&call->resp);
	free(call->status_msg);
	free(call);
}

void gs_call_unref(struct grpc_call *call)
{
	struct grpc_server *s = call->srv;

	pthread_mutex_lock(&s->mu);
	gs_call_unref_locked(call);
	pthread_mutex_unlock(&s->mu);
}

/* Loop thread: the stream is gone (closed, reset, connection lost). */
void gs_call_detach(struct grpc_call *call)
{
	struct gconn *c = call->conn;
	struct grpc_server *s = call->srv;

	if (!c)
		return;
	if (call->cprev)
		call->cprev->cnext = call->cnext;
	else
		c->calls = call->cnext;
	if (call->cnext)
		call->cnext->cprev = call->cprev;
	call->cnext = call->cprev = NULL;
	call->conn = NULL;
	if (c->h2)
		nghttp2_session_set_stream_user_data(c->h2, call->id, NULL);
	pthread_mutex_lock(&s->mu);
	__atomic_store_n(&call->cancel, 1, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&s->drain_cv);
	gs_call_unref_locked(call);
	pthread_mutex_unlock(&s->mu);
}

/* Caller holds s->mu: queue the call for the loop's attention (takes a reference). */
static void mark_dirty_locked(struct grpc_call *call)
{
	if (call->dirty)
		return;
	call->dirty = 1;
	call->refs++;
	call->dnext = call->srv->dirty;
	call->srv->dirty = call;
}

const char *grpc_call_path(const struct grpc_call *c)
{
	return c->path;
}

const uint8_t *grpc_call_request(const struct grpc_call *c, size_t *len)
{
	*len = c->msg_len;
	return c->msg;
}

struct buf *grpc_call_response(struct grpc_call *c)
{
	return &c->resp;
}

const volatile int *grpc_call_cancel_flag(const struct grpc_call *c)
{
	return &c->cancel;
}

void grpc_call_set_message(struct grpc_call *c, const char *msg)
{
	char *m = msg ? mem_strndup(msg, strnlen(msg, STATUS_MSG_MAX)) : NULL;

	pthread_mutex_lock(&c->srv->mu);
	free(c->status_msg);
	c->status_msg = m;
	pthread_mutex_unlock(&c->srv->mu);
}

int grpc_call_emit(struct grpc_call *c, const uint8_t *msg, size_t len)
{
	struct grpc_server *s = c->srv;
	uint8_t pre[GRPC_PREFIX_LEN];
	int r = grpc_prefix_write(pre, len);

	if (r < 0)
		return r;
	if (len > s->o.max_response)
		return ERR_TOOBIG;
	pthread_mutex_lock(&s->mu);
	while (!c->cancel && c->out.len - c->out_off > STREAM_QUEUE_MAX && s->o.max_workers >= 0)
		pthread_cond_wait(&s->drain_cv, &s->mu);
	if (c->cancel) {
		r = ERR_CANCELED;
		goto out;
	}
	if (c->out_off > 0) {
		memmove(c->out.data, c->out.data + c->out_off, c->out.len - c->out_off);
		c->out.len -= c->out_off;
		mem_wipe(c->out.data + c->out.len, c->out_off); /* the stale tail of the shifted bytes */
		c->out_off = 0;
	}
	r = buf_append(&c->out, pre, sizeof(pre));
	if (r == 0)
		r = buf_append(&c->out, msg, len);
	if (r == 0)
		mark_dirty_locked(c);
out:
	pthread_mutex_unlock(&s->mu);
	if (r == 0)
		gs_wake(s);
	return r;
}

/* ---- worker pool ---- */

/* Run one call's handler and publish its result (any thread). */
void gs_call_run(struct grpc_call *call)
{
	struct grpc_server *s = call->srv;
	int status = GRPC_STATUS_CANCELLED;

	if (!call->cancel)
		status = call->route.fn(call->route.ud, call);
	if (status < 0 || status > GRPC_STATUS_UNAUTHENTICATED)
		status = GRPC_STATUS_INTERNAL;
	pthread_mutex_lock(&s->mu);
	if (status == GRPC_STATUS_OK && call->route.kind == GRPC_UNARY) {
		uint8_t pre[GRPC_PREFIX_LEN];
		size_t n = call->resp.len;
		int r = grpc_prefix_write(pre, n);

		/* Frame the response in place: shift it right by the prefix length. */
		if (r == 0)
			r = buf_reserve(&call->resp, GRPC_PREFIX_LEN);
		if (r == 0) {
			if (n)
				memmove(call->resp.data + GRPC_PREFIX_LEN, call->resp.data, n);
			memcpy(call->resp.data, pre, GRPC_PREFIX_LEN);
			call->resp.len = n + GRPC_PREFIX_LEN;
			call->resp.data[call->resp.len] = '\0';
			buf_release(&call->out);
			call->out = call->resp;
			call->out_off = 0;
			buf_init_secret(&call->resp, 0);
		} else {
			status = GRPC_STATUS_RESOURCE_EXHAUSTED;
		}
	} else {
		buf_release(&call->resp);
	}
	call->status = status;
	call->done = 1;
	mark_dirty_locked(call);
	pthread_mutex_unlock(&s->mu);
	gs_wake(s);
}

static void *worker_main(void *arg)
{
	struct grpc_server *s = arg;
	struct grpc_call *call;
	sigset_t all;

	/* Signals are for the main thread (the loop): never run a handler in a worker. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->jhead && !s->quit) {
			s->nidle++;
			pthread_cond_wait(&s->work_cv, &s->mu);
			s->nidle--;
		}
		if (!s->jhead)
			break;
		call = s->jhead;
		s->jhead = call->jnext;
		if (!s->jhead)
			s->jtail = NULL;
		s->njobs--;
		s->nbusy++;
		pthread_mutex_unlock(&s->mu);
		gs_call_run(call);
		gs_call_unref(call); /* the worker's reference */
		pthread_mutex_lock(&s->mu);
		s->nbusy--;
		if (s->nbusy == 0 && !s->jhead)
			pthread_cond_broadcast(&s->idle_cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Loop thread: hand the call to a worker (or run it inline when max_workers < 0). */
int gs_dispatch(struct grpc_server *s, struct grpc_call *call)
{
	int r = 0;

	call->dispatched = 1;
	pthread_mutex_lock(&s->mu);
	call->refs++;
	if (s->o.max_workers < 0) {
		pthread_mutex_unlock(&s->mu);
		gs_call_run(call);
		gs_call_unref(call);
		return 0;
	}
	call->jnext = NULL;
	if (s->jtail)
		s->jtail->jnext = call;
	else
		s->jhead = call;
	s->jtail = call;
	s->njobs++;
	if (s->njobs > s->nidle && s->nworkers < s->o.max_workers) {
		r = pthread_create(&s->workers[s->nworkers], NULL, worker_main, s);
		if (r == 0)
			s->nworkers++;
		else if (s->nworkers == 0)
			log_error("cannot start a worker thread: %s", strerror(r));
		r = 0; /* an existing worker will take the job */
	}
	pthread_cond_signal(&s->work_cv);
	pthread_mutex_unlock(&s->mu);
	return r;
}
