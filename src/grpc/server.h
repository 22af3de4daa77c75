/* SPDX-License-Identifier: MIT */
/*
 * server: a small gRPC server on nghttp2's callback API, over TLS (an SSL_CTX from net/tls) or
 * plaintext h2c with prior knowledge, on an already listening socket.
 *
 * Threads. grpc_server_run() is the event loop (epoll) and runs in the caller's thread; it alone
 * touches sockets, SSL objects and nghttp2 sessions. Handlers run on a worker pool that grows on
 * demand up to max_workers, so a long call never blocks another one (Terraform runs up to 10
 * calls at once, plus StopProvider while they run, plus two streams that stay open).
 *
 * Calls. The router maps a ":path" to a route: UNARY (one request, one response), SERVER_STREAM
 * (one request, any number of responses through grpc_call_emit), or HOLD (accepted and kept
 * open until the client or the server ends it; its requests are read and dropped; this is how
 * go-plugin's stdio and broker streams are served). A handler returns a gRPC status; a non-OK
 * status with nothing sent goes out as a Trailers-Only response. An RST_STREAM from the client,
 * the connection going away or the server stopping sets the call's cancel flag. The request is
 * capped at max_request bytes (RESOURCE_EXHAUSTED beyond), compressed messages are refused.
 *
 * Stop. grpc_server_stop() (thread- and async-signal-safe) ends grpc_server_run(); so does the
 * end of a call whose route has GRPC_ROUTE_STOP_AFTER once its response is written, and, with
 * stop_on_last_close, the close of the last connection.
 */
#ifndef GRPC_SERVER_H
#define GRPC_SERVER_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "common/buf.h"
#include "grpc/frame.h"

struct grpc_server;
struct grpc_call;

enum grpc_kind { GRPC_UNARY, GRPC_SERVER_STREAM, GRPC_HOLD };

/* Returns a grpc_status; see grpc_call_set_message for its detail. Runs on a worker thread. */
typedef int (*grpc_handler_fn)(void *ud, struct grpc_call *call);

#define GRPC_ROUTE_STOP_AFTER 1 /* stop the server once this call's response is written */

struct grpc_route {
	enum grpc_kind kind;
	grpc_handler_fn fn; /* unused for GRPC_HOLD */
	void *ud;
	int flags;
};

/* Fill *route for path ("/pkg.Service/Method"). 0, or ERR_NOTFOUND (answered UNIMPLEMENTED).
 * Called on the loop thread; must not block. */
typedef int (*grpc_router_fn)(void *ud, const char *path, struct grpc_route *route);

struct grpc_server_opts {
	int listen_fd;    /* listening, non-blocking; not closed by the server */
	SSL_CTX *ssl_ctx; /* NULL: plaintext h2c. Otherwise ALPN h2 is required. */
	grpc_router_fn router;
	void *router_ud;
	size_t max_request;     /* cap on one request's bytes; 0 means 64 MiB */
	size_t max_response;    /* cap on one unary response; 0 means 256 MiB */
	int max_workers;        /* 0 means 64; -1 runs handlers inline on the loop (tests, fuzzing) */
	int stop_on_last_close; /* stop once the last connection closes (go-plugin's EOF rule) */
};

/* 0, ERR_NOMEM, ERR_IO (epoll/eventfd). */
int grpc_server_new(const struct grpc_server_opts *opts, struct grpc_server **out);
/* Serve until stopped. 0, or ERR_IO when the event loop itself fails. */
int grpc_server_run(struct grpc_server *s);
/* Ask grpc_server_run to return soon. Safe from any thread and from a signal handler. */
void grpc_server_stop(struct grpc_server *s);
/* Cancel every call, close every connection (GOAWAY first), wait up to 2 s for handlers to
 * return, then free. If a handler is still stuck after that, its memory is leaked on purpose
 * (the process is about to exit) rather than freed under it. NULL is fine. */
void grpc_server_free(struct grpc_server *s);

/* For handlers (valid until the handler returns): */
/* Full method path, e.g. "/tfplugin6.Provider/GetProviderSchema". */
const char *grpc_call_path(const struct grpc_call *c);
/* The request message (without its prefix). */
const uint8_t *grpc_call_request(const struct grpc_call *c, size_t *len);
/* Unary calls: append the serialized response here (capped at max_response). */
struct buf *grpc_call_response(struct grpc_call *c);
/* Server streaming: send one message. Blocks while too much output is queued (back-pressure).
 * 0, ERR_CANCELED (the client went away: stop and return), ERR_TOOBIG, ERR_NOMEM. */
int grpc_call_emit(struct grpc_call *c, const uint8_t *msg, size_t len);
/* Non-zero once the call is cancelled. The pointer is valid until the handler returns. */
const volatile int *grpc_call_cancel_flag(const struct grpc_call *c);
/* Set the grpc-message of a non-OK status (copied, truncated to 1 KiB). */
void grpc_call_set_message(struct grpc_call *c, const char *msg);

#endif
