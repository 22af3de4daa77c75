/* SPDX-License-Identifier: MIT */
/*
 * http: the HTTP/1.1 front of scw-iamd on libmicrohttpd (epoll, a pool of worker threads,
 * keep-alive). Reads are answered on the HTTP threads; writes (POST, PATCH, DELETE) are
 * handed to a pool of write workers while their connection is suspended, so that an HTTP
 * thread never sleeps on a commit and concurrent writes share one group commit. It collects each request (body capped at API_BODY_MAX, query parameters,
 * X-Auth-Token, peer address), hands it to api_handle(), sends the JSON answer with
 * Content-Type application/json and an X-Request-Id, and writes one log line per request
 * (method, path, status, latency, request id, the caller's access key, the error type and
 * reason; never a header value but the request id, never a body) through the batched
 * request logger. A client's X-Request-Id (1-64 characters of [A-Za-z0-9._:-]) is echoed;
 * otherwise a new one is made. Every answered request is counted by ops (metrics).
 */
#ifndef SERVER_HTTP_H
#define SERVER_HTTP_H
#include <stddef.h>

#include "server/api.h"
#include "server/ops.h"

#define HTTP_DEFAULT_MAX_CONNS 8192  /* total budget of open connections */
#define HTTP_DEFAULT_PER_IP 256      /* open connections per client address (a CI fleet behind NAT) */
#define HTTP_DEFAULT_HEAD_TIMEOUT 20 /* seconds for a whole request head, bytes do not extend it */
#define HTTP_DEFAULT_BODY_TIMEOUT 60 /* seconds for a whole request body */

struct http_config {
	const char *listen;      /* "HOST:PORT", "[V6]:PORT"; port 0 picks a free one */
	unsigned threads;        /* HTTP threads (epoll each), >= 1 */
	unsigned write_workers;  /* threads running write requests (their commits are grouped) */
	int log_fd;              /* where request lines go (batched, see reqlog.h) when info is on */
	unsigned max_conns;      /* 0: HTTP_DEFAULT_MAX_CONNS (see gate.h for the other limits) */
	unsigned per_ip_conns;   /* 0: HTTP_DEFAULT_PER_IP */
	unsigned head_timeout_s; /* 0: HTTP_DEFAULT_HEAD_TIMEOUT */
	unsigned body_timeout_s; /* 0: HTTP_DEFAULT_BODY_TIMEOUT */
	struct ops *ops;         /* counts every request; serves /healthz and /metrics */
	int serve_api;           /* 1: the API (and the ops routes unless ops_elsewhere); 0: only the ops routes */
	int ops_elsewhere;       /* the ops routes have their own listener: 404 here */
	/* HTTPS when both are set: PEM text (libmicrohttpd on GnuTLS). The key's memory is only
	 * read during http_start(); the caller wipes it afterwards. */
	const char *tls_cert_pem, *tls_key_pem;
};

/* What the server is doing right now (for metrics). */
struct http_stats {
	unsigned inflight;       /* requests received and not yet answered */
	unsigned connections;    /* open connections */
	unsigned pending_heads;  /* connections still sending their first request head */
	unsigned hashes_running; /* password hashes being computed */
	unsigned hashes_waiting; /* requests waiting for a hashing slot */
};

struct http_server;

/* 0 when addr is a well-formed "HOST:PORT" (detail says what is wrong otherwise): lets the CLI
 * refuse a bad flag before it opens anything. ERR_INVAL. */
int http_listen_check(const char *addr, char *detail, size_t dlen);
/* Bind and start serving. bound receives the actual "HOST:PORT". ERR_INVAL for a malformed
 * listen address, ERR_IO when it cannot be bound (detail says why), ERR_INTERNAL when the HTTP
 * library refuses to start. */
int http_start(const struct http_config *cfg, const struct api *api, struct http_server **out, char *bound,
	       size_t bound_len, char *detail, size_t dlen);
/* Stop accepting, let in-flight requests finish (up to drain_ms), then stop the workers and
 * free everything. NULL is fine. */
void http_stop(struct http_server *s, unsigned drain_ms);
/* Snapshot of the counters above; s NULL gives zeros. */
void http_stats(struct http_server *s, struct http_stats *st);

#endif
