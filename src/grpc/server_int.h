/* SPDX-License-Identifier: MIT */
/*
 * server_int: what the gRPC server's files share (see server.h for the interface). The server is
 * three files along its seams:
 *   call.c    calls (the state shared by the loop and a worker, guarded by the server mutex) and
 *             the worker pool that runs handlers;
 *   stream.c  HTTP/2 streams: nghttp2 callbacks for requests in, responses out through a deferred
 *             data provider;
 *   server.c  connection I/O (TLS or plain), the epoll loop, server start and stop.
 *
 * Sharing rule: nghttp2 sessions, sockets, SSL objects and a call's request/route fields belong
 * to the loop thread. A call's output queue, done/status fields and reference count are guarded
 * by s->mu. Workers never touch nghttp2: they queue bytes, mark the call dirty and wake the loop
 * through an eventfd; the loop then submits headers or resumes the deferred data provider.
 * Not for use outside src/grpc (and its tests).
 */
#ifndef GRPC_SERVER_INT_H
#define GRPC_SERVER_INT_H
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include "common/buf.h"
#include "grpc/server.h"

#define DEFAULT_MAX_REQUEST ((size_t)64 << 20)
#define DEFAULT_MAX_RESPONSE ((size_t)256 << 20)
#define DEFAULT_MAX_WORKERS 64
#define STREAM_QUEUE_MAX ((size_t)4 << 20) /* emit blocks past this much unsent output */
#define WBUF_FILL (64 * 1024)              /* coalesce frames up to this before a write */
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
	int routed;      /* 0 until the router found the path */
	int bad_request; /* a header we refuse (content-type, encoding) */
	int too_big;
	int responded; /* response headers (or a Trailers-Only reply) submitted */
	int dispatched;
	struct buf req;     /* raw DATA bytes; read-only for the worker after dispatch */
	const uint8_t *msg; /* the request message inside req */
	size_t msg_len;
	struct grpc_call *cnext, *cprev; /* the connection's calls */

	/* shared, under s->mu */
	struct grpc_server *srv;
	int refs;
	volatile int cancel;
	struct buf out; /* framed bytes not yet handed to nghttp2 */
	size_t out_off;
	int done; /* the handler returned: status/msg are final */
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
	uint32_t events; /* current epoll interest */
	struct grpc_call *calls;
	int dead; /* closed; freed at the end of the loop iteration */
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
	int nlive; /* connections past TLS + ALPN (their HTTP/2 session started) */

	pthread_mutex_t mu;
	pthread_cond_t work_cv, drain_cv, idle_cv;
	struct grpc_call *jhead, *jtail; /* queued jobs */
	int njobs;
	struct grpc_call *dirty;
	pthread_t *workers;
	int nworkers, nidle, nbusy, quit;
};

/* call.c */
void gs_wake(struct grpc_server *s);
struct grpc_call *gs_call_new(struct gconn *c, int32_t id);
void gs_call_unref_locked(struct grpc_call *call);
void gs_call_unref(struct grpc_call *call);
void gs_call_detach(struct grpc_call *call);
void gs_call_run(struct grpc_call *call);
int gs_dispatch(struct grpc_server *s, struct grpc_call *call);

/* stream.c */
void gs_reply_status(struct grpc_call *call, int status, const char *msg);
void gs_process_dirty(struct grpc_server *s);
nghttp2_session_callbacks *gs_session_callbacks(void);

#endif
