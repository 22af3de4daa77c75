/* SPDX-License-Identifier: MIT */
/*
 * server: gRPC over nghttp2 (see server.h). Layout of this file: calls (the state shared by the
 * loop and a worker, guarded by the server mutex), the worker pool, nghttp2 callbacks (requests
 * in, responses out through a deferred data provider), connection I/O (TLS or plain), and the
 * epoll loop.
 *
 * Sharing rule: nghttp2 sessions, sockets, SSL objects and a call's request/route fields belong
 * to the loop thread. A call's output queue, done/status fields and reference count are guarded
 * by s->mu. Workers never touch nghttp2: they queue bytes, mark the call dirty and wake the loop
 * through an eventfd; the loop then submits headers or resumes the deferred data provider.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "grpc/frame.h"
#include "grpc/server.h"
#include "net/tls.h"

#define DEFAULT_MAX_REQUEST ((size_t)64 << 20)
#define DEFAULT_MAX_RESPONSE ((size_t)256 << 20)
#define DEFAULT_MAX_WORKERS 64
#define STREAM_QUEUE_MAX ((size_t)4 << 20) /* emit blocks past this much unsent output */
#define WBUF_FILL (64 * 1024)               /* coalesce frames up to this before a write */
#define WBUF_MAX ((size_t)8 << 20)
#define READ_CHUNK (64 * 1024)
#define MAX_CONNS 64
#define STATUS_MSG_MAX 1024
#define STREAM_WINDOW (1 << 20)
#define CONN_WINDOW (8 << 20)

enum tag { TAG_LISTEN = 1, TAG_EVENT, TAG_CONN };

struct gconn;

struct grpc_call {
	/* loop thread only */
	struct gconn *conn; /* NULL once the stream or connection is gone */
	int32_t id;
	char *path;
	struct grpc_route route;
	int routed;          /* 0 until the router found the path */
	int bad_request;     /* a header we refuse (content-type, encoding) */
	int too_big;
	int responded;       /* response headers (or a Trailers-Only reply) submitted */
	int dispatched;
	struct buf req;      /* raw DATA bytes; read-only for the worker after dispatch */
	const uint8_t *msg;  /* the request message inside req */
	size_t msg_len;
	struct grpc_call *cnext, *cprev; /* the connection's calls */

	/* shared, under s->mu */
	struct grpc_server *srv;
	int refs;
	volatile int cancel;
	struct buf out;      /* framed bytes not yet handed to nghttp2 */
	size_t out_off;
	int done;            /* the handler returned: status/msg are final */
	int status;
	char *status_msg;
	int dirty;
	struct grpc_call *dnext; /* dirty list */
	struct grpc_call *jnext; /* job queue */

	/* worker only, while running */
	struct buf resp;
};

struct gconn {
	enum tag tag;
	struct grpc_server *srv;
	int fd;
	SSL *ssl;
	int handshaking;
	int ssl_want_write;
	nghttp2_session *h2;
	struct buf wbuf;
	size_t woff;
	uint32_t events;      /* current epoll interest */
	struct grpc_call *calls;
	int dead;             /* closed; freed at the end of the loop iteration */
	struct gconn *next, *prev;
};

struct grpc_server {
	struct grpc_server_opts o;
	enum tag listen_tag, event_tag;
	int epfd, efd;
	volatile sig_atomic_t stop;
	struct gconn *conns;
	struct gconn *dead; /* closed connections awaiting free (epoll may still name them) */
	int nconns;
	int nlive;          /* connections past TLS + ALPN (their HTTP/2 session started) */

	pthread_mutex_t mu;
	pthread_cond_t work_cv, drain_cv, idle_cv;
	struct grpc_call *jhead, *jtail; /* queued jobs */
	int njobs;
	struct grpc_call *dirty;
	pthread_t *workers;
	int nworkers, nidle, nbusy, quit;
};

static void wake(struct grpc_server *s)
{
	uint64_t one = 1;
	ssize_t n = write(s->efd, &one, sizeof(one));

	(void)n; /* EAGAIN means the counter is already non-zero: the loop will wake anyway */
}

/* ---- calls ---- */

static struct grpc_call *call_new(struct gconn *c, int32_t id)
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
static void call_unref_locked(struct grpc_call *call)
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

static void call_unref(struct grpc_call *call)
{
	struct grpc_server *s = call->srv;

	pthread_mutex_lock(&s->mu);
	call_unref_locked(call);
	pthread_mutex_unlock(&s->mu);
}

/* Loop thread: the stream is gone (closed, reset, connection lost). */
static void call_detach(struct grpc_call *call)
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
	call_unref_locked(call);
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
		wake(s);
	return r;
}

/* ---- worker pool ---- */

/* Run one call's handler and publish its result (any thread). */
static void call_run(struct grpc_call *call)
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
	wake(s);
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
		call_run(call);
		call_unref(call); /* the worker's reference */
		pthread_mutex_lock(&s->mu);
		s->nbusy--;
		if (s->nbusy == 0 && !s->jhead)
			pthread_cond_broadcast(&s->idle_cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Loop thread: hand the call to a worker (or run it inline when max_workers < 0). */
static int dispatch(struct grpc_server *s, struct grpc_call *call)
{
	int r = 0;

	call->dispatched = 1;
	pthread_mutex_lock(&s->mu);
	call->refs++;
	if (s->o.max_workers < 0) {
		pthread_mutex_unlock(&s->mu);
		call_run(call);
		call_unref(call);
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

/* ---- responses ---- */

/* nghttp2 copies header names and values (NGHTTP2_NV_FLAG_NONE) but its struct is not const. */
static nghttp2_nv mknv(const char *name, const char *value, size_t vlen)
{
	nghttp2_nv nv = { (uint8_t *)(uintptr_t)name, (uint8_t *)(uintptr_t)value, strlen(name), vlen,
			  NGHTTP2_NV_FLAG_NONE };

	return nv;
}

static ssize_t data_read_cb(nghttp2_session *h2, int32_t id, uint8_t *dst, size_t length, uint32_t *flags,
			    nghttp2_data_source *source, void *ud)
{
	struct grpc_call *call = source->ptr;
	struct grpc_server *s = call->srv;
	size_t avail;
	ssize_t n = 0;

	pthread_mutex_lock(&s->mu);
	avail = call->out.len - call->out_off;
	if (avail > 0) {
		n = (ssize_t)(avail < length ? avail : length);
		memcpy(dst, call->out.data + call->out_off, (size_t)n);
		call->out_off += (size_t)n;
		if (call->out_off == call->out.len) {
			buf_reset(&call->out); /* secret: wipes the sent bytes */
			call->out_off = 0;
			if (call->out.cap > (1u << 20))
				buf_release(&call->out); /* do not keep a big unary response around */
		}
		pthread_cond_broadcast(&s->drain_cv);
	} else if (call->done) {
		struct buf msg;
		char code[12];
		nghttp2_nv tr[2];
		size_t ntr = 1;

		buf_init(&msg, 4 * STATUS_MSG_MAX);
		snprintf(code, sizeof(code), "%d", call->status);
		tr[0] = mknv("grpc-status", code, strlen(code));
		if (call->status != GRPC_STATUS_OK && call->status_msg &&
		    grpc_pct_encode(&msg, call->status_msg, strlen(call->status_msg)) == 0 && msg.len) {
			tr[1] = mknv("grpc-message", msg.data, msg.len);
			ntr = 2;
		}
		*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		if (nghttp2_submit_trailer(h2, id, tr, ntr) != 0)
			n = NGHTTP2_ERR_CALLBACK_FAILURE;
		buf_release(&msg);
	} else {
		n = NGHTTP2_ERR_DEFERRED;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* Loop thread: a complete reply with no body ("Trailers-Only"). */
static void reply_status(struct grpc_call *call, int status, const char *msg)
{
	struct buf enc;
	char code[12];
	nghttp2_nv nv[4];
	size_t n = 3;

	if (!call->conn || call->responded)
		return;
	call->responded = 1;
	buf_init(&enc, 4 * STATUS_MSG_MAX);
	snprintf(code, sizeof(code), "%d", status);
	nv[0] = mknv(":status", "200", 3);
	nv[1] = mknv("content-type", "application/grpc", 16);
	nv[2] = mknv("grpc-status", code, strlen(code));
	if (msg && *msg && grpc_pct_encode(&enc, msg, strnlen(msg, STATUS_MSG_MAX)) == 0) {
		nv[3] = mknv("grpc-message", enc.data, enc.len);
		n = 4;
	}
	if (status != GRPC_STATUS_OK)
		log_debug("gRPC %s: %s %s", call->path ? call->path : "?", grpc_status_name(status), msg ? msg : "");
	nghttp2_submit_response(call->conn->h2, call->id, nv, n, NULL);
	buf_release(&enc);
}

/* Loop thread: response headers followed by the call's output queue and trailers. */
static void reply_start(struct grpc_call *call)
{
	nghttp2_nv nv[2];
	nghttp2_data_provider prd;

	if (!call->conn || call->responded)
		return;
	call->responded = 1;
	nv[0] = mknv(":status", "200", 3);
	nv[1] = mknv("content-type", "application/grpc", 16);
	prd.source.ptr = call;
	prd.read_callback = data_read_cb;
	if (nghttp2_submit_response(call->conn->h2, call->id, nv, 2, &prd) != 0)
		nghttp2_submit_rst_stream(call->conn->h2, NGHTTP2_FLAG_NONE, call->id, NGHTTP2_INTERNAL_ERROR);
}

/* Loop thread: act on what workers published (new output, finished handlers). */
static void process_dirty(struct grpc_server *s)
{
	struct grpc_call *list, *call, *next;

	pthread_mutex_lock(&s->mu);
	list = s->dirty;
	s->dirty = NULL;
	for (call = list; call; call = call->dnext)
		call->dirty = 0;
	pthread_mutex_unlock(&s->mu);
	for (call = list; call; call = next) {
		int done, status, empty;
		char *msg = NULL;

		next = call->dnext;
		pthread_mutex_lock(&s->mu);
		done = call->done;
		status = call->status;
		empty = call->out.len == call->out_off;
		if (done && call->status_msg)
			msg = mem_strndup(call->status_msg, strlen(call->status_msg));
		pthread_mutex_unlock(&s->mu);
		if (call->conn && !call->responded) {
			if (done && empty && status != GRPC_STATUS_OK)
				reply_status(call, status, msg);
			else
				reply_start(call);
		} else if (call->conn) {
			nghttp2_session_resume_data(call->conn->h2, call->id);
		}
		free(msg);
		call_unref(call);
	}
}

/* ---- requests ---- */

static int on_begin_headers(nghttp2_session *h2, const nghttp2_frame *frame, void *ud)
{
	struct gconn *c = ud;
	struct grpc_call *call;

	if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	call = call_new(c, frame->hd.stream_id);
	if (!call)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	nghttp2_session_set_stream_user_data(h2, frame->hd.stream_id, call);
	return 0;
}

static int on_header(nghttp2_session *h2, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
		     const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
	struct grpc_call *call = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);

	if (!call || frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	if (namelen == 5 && memcmp(name, ":path", 5) == 0) {
		free(call->path);
		call->path = mem_strndup((const char *)value, valuelen);
		if (!call->path)
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	} else if (namelen == 7 && memcmp(name, ":method", 7) == 0) {
		if (valuelen != 4 || memcmp(value, "POST", 4) != 0)
			call->bad_request = 1;
	} else if (namelen == 12 && memcmp(name, "content-type", 12) == 0) {
		if (valuelen < 16 || memcmp(value, "application/grpc", 16) != 0 ||
		    (valuelen > 16 && value[16] != '+' && value[16] != ';'))
			call->bad_request = 1;
	} else if (namelen == 13 && memcmp(name, "grpc-encoding", 13) == 0) {
		if (valuelen != 8 || memcmp(value, "identity", 8) != 0)
			call->bad_request = 2;
	}
	return 0;
}

/* Loop thread: the request headers are complete. */
static void request_headers_done(struct grpc_server *s, struct grpc_call *call)
{
	if (call->bad_request || !call->path)
		return; /* answered at the end of the request */
	if (s->o.router(s->o.router_ud, call->path, &call->route) == 0)
		call->routed = 1;
	if (call->routed && call->route.kind == GRPC_HOLD)
		reply_start(call); /* headers now, then nothing until the end */
}

/* Loop thread: the client half-closed; check the request and run the handler. */
static void request_complete(struct grpc_server *s, struct grpc_call *call)
{
	const uint8_t *msg = NULL;
	size_t off = 0, len = 0, extra_len;
	const uint8_t *extra;
	int compressed = 0, more, r;

	if (call->responded || call->dispatched)
		return;
	if (call->bad_request == 2) {
		reply_status(call, GRPC_STATUS_UNIMPLEMENTED, "compression is not supported");
		return;
	}
	if (call->bad_request || !call->path) {
		reply_status(call, GRPC_STATUS_INTERNAL, "not a gRPC request (method, path or content-type)");
		return;
	}
	if (!call->routed) {
		char m[STATUS_MSG_MAX];

		snprintf(m, sizeof(m), "unknown method %s", call->path);
		reply_status(call, GRPC_STATUS_UNIMPLEMENTED, m);
		return;
	}
	if (call->route.kind == GRPC_HOLD)
		return;
	r = grpc_message_next((const uint8_t *)call->req.data, call->req.len, &off, &msg, &len, &compressed);
	more = grpc_message_next((const uint8_t *)call->req.data, call->req.len, &off, &extra, &extra_len,
				 &compressed);
	if (r < 0 || more != ERR_EOF) {
		reply_status(call, GRPC_STATUS_INTERNAL,
			     r == ERR_EOF ? "missing request message" : r < 0 ? "malformed request framing"
									   : "more than one request message");
		return;
	}
	if (compressed) {
		reply_status(call, GRPC_STATUS_UNIMPLEMENTED, "compressed messages are not supported");
		return;
	}
	call->msg = msg;
	call->msg_len = len;
	dispatch(s, call);
}

static int on_data_chunk(nghttp2_session *h2, uint8_t flags, int32_t id, const uint8_t *data, size_t len, void *ud)
{
	struct gconn *c = ud;
	struct grpc_call *call = nghttp2_session_get_stream_user_data(h2, id);

	if (!call || call->too_big || call->dispatched || call->responded)
		return 0;
	if (call->routed && call->route.kind == GRPC_HOLD)
		return 0; /* broker messages: read (flow control credits them) and dropped */
	if (buf_append(&call->req, data, len) < 0) {
		call->too_big = 1;
		buf_release(&call->req);
		reply_status(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "request message too large");
		(void)c;
	}
	return 0;
}

static int on_frame_recv(nghttp2_session *h2, const nghttp2_frame *frame, void *ud)
{
	struct gconn *c = ud;
	struct grpc_call *call;

	switch (frame->hd.type) {
	case NGHTTP2_HEADERS:
	case NGHTTP2_DATA:
		call = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
		if (!call)
			break;
		if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
			request_headers_done(c->srv, call);
		if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
			request_complete(c->srv, call);
		break;
	case NGHTTP2_GOAWAY:
		log_debug("peer sent GOAWAY (error %u)", frame->goaway.error_code);
		break;
	default:
		break;
	}
	return 0;
}

static int on_frame_send(nghttp2_session *h2, const nghttp2_frame *frame, void *ud)
{
	struct gconn *c = ud;
	struct grpc_call *call;

	if (frame->hd.type != NGHTTP2_HEADERS || !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	call = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
	if (call && call->routed && (call->route.flags & GRPC_ROUTE_STOP_AFTER))
		c->srv->stop = 1;
	return 0;
}

static int on_stream_close(nghttp2_session *h2, int32_t id, uint32_t error_code, void *ud)
{
	struct grpc_call *call = nghttp2_session_get_stream_user_data(h2, id);

	if (call) {
		if (error_code != NGHTTP2_NO_ERROR)
			log_debug("stream %d (%s) reset: error %u", id, call->path ? call->path : "?", error_code);
		call_detach(call);
	}
	return 0;
}

/* ---- connections ---- */

static nghttp2_session_callbacks *session_callbacks(void)
{
	nghttp2_session_callbacks *cbs = NULL;

	if (nghttp2_session_callbacks_new(&cbs) != 0)
		return NULL;
	nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	return cbs;
}

/* nghttp2's memory goes through the wiping allocator: its frame buffers hold copies of the
 * DATA it sends (responses carry states with secrets) until the session is deleted. */
static void *h2_malloc(size_t n, void *ud)
{
	(void)ud;
	return mem_wiping_malloc(n);
}

static void h2_free(void *p, void *ud)
{
	(void)ud;
	mem_wiping_free(p);
}

static void *h2_calloc(size_t n, size_t size, void *ud)
{
	void *p;

	(void)ud;
	if (size && n > SIZE_MAX / size)
		return NULL;
	p = mem_wiping_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static void *h2_realloc(void *p, size_t n, void *ud)
{
	(void)ud;
	return mem_wiping_realloc(p, n);
}

static nghttp2_mem h2_mem = { NULL, h2_malloc, h2_free, h2_calloc, h2_realloc };

/* Create the HTTP/2 session and queue our SETTINGS (sent at once: grpc-go waits for it). */
static int conn_start_h2(struct gconn *c)
{
	nghttp2_session_callbacks *cbs = session_callbacks();
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 128 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW },
	};
	int r = ERR_NOMEM;

	if (!cbs)
		return ERR_NOMEM;
	if (nghttp2_session_server_new3(&c->h2, cbs, c, NULL, &h2_mem) != 0)
		goto out;
	r = ERR_PROTO;
	if (nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) != 0 ||
	    nghttp2_session_set_local_window_size(c->h2, NGHTTP2_FLAG_NONE, 0, CONN_WINDOW) != 0)
		goto out;
	c->srv->nlive++;
	r = 0;
out:
	if (r < 0) {
		nghttp2_session_del(c->h2);
		c->h2 = NULL;
	}
	nghttp2_session_callbacks_del(cbs);
	return r;
}

static void conn_close(struct gconn *c)
{
	struct grpc_server *s = c->srv;
	int live = c->h2 != NULL;

	if (c->dead)
		return;
	while (c->calls)
		call_detach(c->calls);
	if (c->fd >= 0)
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	if (live)
		s->nlive--;
	nghttp2_session_del(c->h2);
	if (c->ssl) {
		if (!c->handshaking)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	buf_release(&c->wbuf);
	if (c->prev)
		c->prev->next = c->next;
	else if (s->conns == c)
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	c->dead = 1;
	c->fd = -1;
	c->ssl = NULL;
	c->h2 = NULL;
	c->prev = NULL;
	c->next = s->dead;
	s->dead = c;
	/* Only a client that got through TLS counts: a refused stranger cannot stop the server. */
	if (live && s->nlive == 0 && s->o.stop_on_last_close) {
		log_debug("last connection closed: stopping");
		s->stop = 1;
	}
}

/* Raw write of p[0..n): bytes written, 0 when it would block, or ERR_IO. */
static ssize_t conn_write(struct gconn *c, const uint8_t *p, size_t n)
{
	if (c->ssl) {
		size_t w = 0;
		int e;

		ERR_clear_error();
		if (SSL_write_ex(c->ssl, p, n, &w) == 1)
			return (ssize_t)w;
		e = SSL_get_error(c->ssl, 0);
		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
			return 0;
		return ERR_IO;
	}
	for (;;) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w >= 0)
			return w;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return ERR_IO;
	}
}

/* Raw read: bytes read, 0 when it would block, ERR_EOF, or ERR_IO. */
static ssize_t conn_read(struct gconn *c, uint8_t *p, size_t n)
{
	if (c->ssl) {
		size_t got = 0;
		int e;

		ERR_clear_error();
		if (SSL_read_ex(c->ssl, p, n, &got) == 1)
			return (ssize_t)got;
		e = SSL_get_error(c->ssl, 0);
		if (e == SSL_ERROR_WANT_READ)
			return 0;
		if (e == SSL_ERROR_WANT_WRITE) {
			c->ssl_want_write = 1;
			return 0;
		}
		return e == SSL_ERROR_ZERO_RETURN ? ERR_EOF : ERR_IO;
	}
	for (;;) {
		ssize_t got = recv(c->fd, p, n, 0);

		if (got > 0)
			return got;
		if (got == 0)
			return ERR_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return ERR_IO;
	}
}

/* Write what nghttp2 has to send, coalescing frames. 0 (possibly with bytes left for
 * EPOLLOUT), or a negative ERR_* when the connection is broken. */
static int conn_flush(struct gconn *c)
{
	for (;;) {
		while (c->woff < c->wbuf.len) {
			ssize_t w = conn_write(c, (const uint8_t *)c->wbuf.data + c->woff, c->wbuf.len - c->woff);

			if (w < 0)
				return (int)w;
			if (w == 0)
				return 0;
			c->woff += (size_t)w;
		}
		buf_reset(&c->wbuf);
		c->woff = 0;
		if (!c->h2)
			return 0;
		while (c->wbuf.len < WBUF_FILL) {
			const uint8_t *data = NULL;
			ssize_t n = nghttp2_session_mem_send(c->h2, &data);
			int r;

			if (n < 0)
				return ERR_PROTO;
			if (n == 0)
				break;
			r = buf_append(&c->wbuf, data, (size_t)n);
			if (r < 0)
				return r;
		}
		if (c->wbuf.len == 0)
			return 0;
	}
}

static void conn_update_events(struct gconn *c)
{
	struct epoll_event ev = { 0 };
	uint32_t want = EPOLLIN | EPOLLRDHUP;

	if (c->woff < c->wbuf.len || c->ssl_want_write)
		want |= EPOLLOUT;
	if (want == c->events || c->fd < 0)
		return;
	ev.events = want;
	ev.data.ptr = c;
	if (epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = want;
}

/* Feed received bytes to nghttp2. 0 or a negative ERR_*. */
static int conn_recv_bytes(struct gconn *c, const uint8_t *p, size_t n)
{
	ssize_t used = nghttp2_session_mem_recv(c->h2, p, n);

	if (used < 0) {
		log_debug("HTTP/2 error from peer: %s", nghttp2_strerror((int)used));
		return ERR_PROTO;
	}
	return 0;
}

/* Finish the TLS handshake. 1 when done, 0 when it needs more I/O, negative on failure. */
static int conn_handshake(struct gconn *c)
{
	int rc, e;

	ERR_clear_error();
	rc = SSL_accept(c->ssl);
	if (rc == 1) {
		c->handshaking = 0;
		c->ssl_want_write = 0;
		if (!tls_alpn_is_h2(c->ssl)) {
			log_warn("TLS client did not negotiate ALPN h2: closing");
			return ERR_TLS;
		}
		return conn_start_h2(c) < 0 ? ERR_NOMEM : 1;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ) {
		c->ssl_want_write = 0;
		return 0;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		c->ssl_want_write = 1;
		return 0;
	}
	{
		char msg[256];
		unsigned long err = ERR_get_error();

		ERR_error_string_n(err, msg, sizeof(msg));
		log_warn("TLS handshake failed: %s", err ? msg : "connection closed");
		ERR_clear_error();
	}
	return ERR_TLS;
}

/* Loop thread: service a connection after an event. Closes it when it is finished or broken. */
static void conn_service(struct gconn *c)
{
	uint8_t rb[READ_CHUNK];
	size_t rb_used = 0; /* bytes of rb to wipe: decrypted request frames carry secrets */
	int r = 0;

	if (c->dead)
		return;
	if (c->handshaking) {
		r = conn_handshake(c);
		if (r <= 0)
			goto out;
	}
	c->ssl_want_write = 0;
	/* Read until the socket is dry: TLS may buffer records that epoll cannot see. */
	for (;;) {
		ssize_t n = conn_read(c, rb, sizeof(rb));

		if (n == 0)
			break;
		if (n < 0) {
			r = (int)n;
			goto out;
		}
		if ((size_t)n > rb_used)
			rb_used = (size_t)n;
		r = conn_recv_bytes(c, rb, (size_t)n);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	mem_wipe(rb, rb_used);
	if (r >= 0 && c->h2) {
		/* Handlers run inline (max_workers < 0) publish straight away. */
		process_dirty(c->srv);
		r = conn_flush(c);
	}
	if (r >= 0 && c->h2 && !nghttp2_session_want_read(c->h2) && !nghttp2_session_want_write(c->h2) &&
	    c->woff >= c->wbuf.len)
		r = ERR_EOF;
	if (r < 0) {
		if (r != ERR_EOF && r != ERR_TLS)
			log_debug("closing connection: %s", err_str(r));
		conn_close(c);
		return;
	}
	conn_update_events(c);
}

static struct gconn *conn_new(struct grpc_server *s, int fd)
{
	struct gconn *c = mem_calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->tag = TAG_CONN;
	c->srv = s;
	c->fd = fd;
	buf_init_secret(&c->wbuf, WBUF_MAX); /* plaintext HTTP/2 frames before TLS */
	if (s->o.ssl_ctx) {
		c->ssl = SSL_new(s->o.ssl_ctx);
		if (!c->ssl || !SSL_set_fd(c->ssl, fd))
			goto fail;
		SSL_set_accept_state(c->ssl);
		c->handshaking = 1;
	} else if (conn_start_h2(c) < 0) {
		goto fail;
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	return c;
fail:
	SSL_free(c->ssl);
	nghttp2_session_del(c->h2);
	buf_release(&c->wbuf);
	free(c);
	return NULL;
}

static void accept_all(struct grpc_server *s)
{
	for (;;) {
		struct epoll_event ev = { 0 };
		struct gconn *c;
		int fd = accept4(s->o.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		if (s->nconns >= MAX_CONNS) {
			log_warn("too many connections: refusing one");
			close(fd);
			continue;
		}
		c = conn_new(s, fd);
		if (!c) {
			close(fd);
			continue;
		}
		ev.events = c->events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			conn_close(c);
			continue;
		}
		log_debug("connection accepted (%s)", s->o.ssl_ctx ? "TLS" : "h2c");
		/* Plaintext: our SETTINGS go out now. TLS: wait for the ClientHello. */
		conn_service(c);
	}
}

/* ---- server ---- */

int grpc_server_new(const struct grpc_server_opts *opts, struct grpc_server **out)
{
	struct grpc_server *s = mem_calloc(1, sizeof(*s));
	struct epoll_event ev = { 0 };
	int r = ERR_IO;

	*out = NULL;
	if (!s)
		return ERR_NOMEM;
	s->o = *opts;
	if (!s->o.max_request)
		s->o.max_request = DEFAULT_MAX_REQUEST;
	if (!s->o.max_response)
		s->o.max_response = DEFAULT_MAX_RESPONSE;
	if (!s->o.max_workers)
		s->o.max_workers = DEFAULT_MAX_WORKERS;
	s->listen_tag = TAG_LISTEN;
	s->event_tag = TAG_EVENT;
	s->epfd = s->efd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work_cv, NULL);
	pthread_cond_init(&s->drain_cv, NULL);
	pthread_cond_init(&s->idle_cv, NULL);
	if (s->o.max_workers > 0) {
		s->workers = mem_calloc((size_t)s->o.max_workers, sizeof(*s->workers));
		if (!s->workers) {
			r = ERR_NOMEM;
			goto out;
		}
	}
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->epfd < 0 || s->efd < 0)
		goto out;
	ev.events = EPOLLIN;
	ev.data.ptr = &s->event_tag;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->efd, &ev) != 0)
		goto out;
	if (s->o.listen_fd >= 0) {
		ev.data.ptr = &s->listen_tag;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->o.listen_fd, &ev) != 0)
			goto out;
	}
	*out = s;
	s = NULL;
	r = 0;
out:
	grpc_server_free(s);
	return r;
}

void grpc_server_stop(struct grpc_server *s)
{
	s->stop = 1;
	wake(s);
}

static void free_dead(struct grpc_server *s)
{
	while (s->dead) {
		struct gconn *c = s->dead;

		s->dead = c->next;
		free(c);
	}
}

int grpc_server_run(struct grpc_server *s)
{
	struct epoll_event evs[32];

	while (!s->stop) {
		int n = epoll_wait(s->epfd, evs, 32, -1), i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait: %s", strerror(errno));
			return ERR_IO;
		}
		for (i = 0; i < n; i++) {
			enum tag *t = evs[i].data.ptr;

			if (*t == TAG_LISTEN) {
				accept_all(s);
			} else if (*t == TAG_EVENT) {
				uint64_t v;
				ssize_t rd = read(s->efd, &v, sizeof(v));
				struct gconn *c, *next;

				(void)rd;
				process_dirty(s);
				for (c = s->conns; c; c = next) {
					next = c->next;
					if (c->h2 && (nghttp2_session_want_write(c->h2) || c->woff < c->wbuf.len))
						conn_service(c);
				}
			}
		}
		for (i = 0; i < n; i++) {
			enum tag *t = evs[i].data.ptr;

			if (*t == TAG_CONN)
				conn_service((struct gconn *)t); /* a no-op if it died earlier in this batch */
		}
		free_dead(s);
	}
	return 0;
}

/* Wait up to ms for the connection's pending output to drain (best effort at shutdown). */
static void conn_drain(struct gconn *c, int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct epoll_event ev;
		long el;

		if (conn_flush(c) < 0 || c->woff >= c->wbuf.len)
			return;
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= ms)
			return;
		conn_update_events(c);
		epoll_wait(c->srv->epfd, &ev, 1, (int)(ms - el));
	}
}

void grpc_server_free(struct grpc_server *s)
{
	struct timespec dl;
	int i, stuck = 0;

	if (!s)
		return;
	/* Goodbye to every peer, and cancel every call still running. */
	while (s->conns) {
		struct gconn *c = s->conns;

		s->o.stop_on_last_close = 0;
		if (c->h2) {
			nghttp2_session_terminate_session(c->h2, NGHTTP2_NO_ERROR);
			conn_drain(c, 100);
		}
		conn_close(c);
	}
	free_dead(s);
	pthread_mutex_lock(&s->mu);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 2;
	while ((s->nbusy > 0 || s->jhead) && !stuck) {
		if (pthread_cond_timedwait(&s->idle_cv, &s->mu, &dl) == ETIMEDOUT)
			stuck = 1;
	}
	s->quit = 1;
	pthread_cond_broadcast(&s->work_cv);
	pthread_mutex_unlock(&s->mu);
	if (stuck) {
		log_warn("a handler ignored cancellation for 2 s: leaving it behind");
		return;
	}
	for (i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i], NULL);
	/* Dirty entries still hold references. */
	while (s->dirty) {
		struct grpc_call *call = s->dirty;

		s->dirty = call->dnext;
		call_unref_locked(call);
	}
	if (s->efd >= 0)
		close(s->efd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s->workers);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work_cv);
	pthread_cond_destroy(&s->drain_cv);
	pthread_cond_destroy(&s->idle_cv);
	free(s);
}
