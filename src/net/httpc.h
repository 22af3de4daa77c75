/* SPDX-License-Identifier: MIT */
/*
 * httpc: the small HTTP/1.1 client the API client needs, on the OpenSSL the provider already
 * links (no libcurl: loading it and its ~30 libraries cost every API launch 17 M instructions
 * and 8 MiB; docs/provider-transport.md, "RSS").
 *
 * What it does: http:// and https:// URLs; DNS through getaddrinfo, every address tried; one
 * overall deadline per request (connect deadline inside it); keep-alive connections pooled per
 * origin and reused by any thread; TLS 1.2+ with the peer verified against the system CA
 * directory (SSL_CERT_DIR / SSL_CERT_FILE override it) and the host name checked, SNI, unless
 * insecure; bodies delimited by Content-Length, chunked coding or the connection's end; proxies
 * from http_proxy / HTTPS_PROXY / NO_PROXY like curl (http:// proxies, CONNECT for https, Basic
 * credentials from the proxy URL). A request on a reused connection that dies before any answer
 * byte is sent again once on a new connection (what libcurl does), unless the request asked for a
 * fresh connection: then the failure is reported, so a create is never sent twice unseen.
 *
 * Secrets: the request head (it carries X-Auth-Token), the body and the answer are held in
 * wiping buffers; TLS connections clear their plaintext buffers (SSL_OP_CLEANSE_PLAINTEXT).
 * Thread-safe: one struct httpc serves concurrent httpc_do() calls.
 */
#ifndef NET_HTTPC_H
#define NET_HTTPC_H
#include <stddef.h>

#include "common/buf.h"

enum httpc_err {
	HTTPC_OK = 0,
	HTTPC_E_URL,           /* malformed or unsupported URL */
	HTTPC_E_RESOLVE,       /* the host name did not resolve: nothing sent */
	HTTPC_E_RESOLVE_PROXY, /* the proxy's name did not resolve: nothing sent */
	HTTPC_E_CONNECT,       /* no address accepted a connection (or the proxy refused the tunnel) */
	HTTPC_E_TLS,           /* TLS handshake failed: nothing sent */
	HTTPC_E_TLS_VERIFY,    /* the server's certificate or name did not verify: nothing sent */
	HTTPC_E_SEND,          /* the connection failed while sending */
	HTTPC_E_RECV,          /* the connection failed while receiving */
	HTTPC_E_NOTHING,       /* the server closed the connection without an answer */
	HTTPC_E_PARTIAL,       /* the answer's body ended early */
	HTTPC_E_PROTO,         /* not a valid HTTP/1.x answer */
	HTTPC_E_TIMEOUT,       /* the request's deadline passed */
	HTTPC_E_TOOBIG,        /* the answer's head or body is over its cap */
	HTTPC_E_CANCELED,      /* a cancel flag was set */
	HTTPC_E_NOMEM,
};

struct httpc;

struct httpc_opts {
	long connect_timeout_ms; /* <= 0: 10 s */
	long timeout_ms;         /* the whole request; <= 0: 60 s */
	int insecure;            /* no certificate or host name check */
};

struct httpc_request {
	const char *method;         /* "GET", "POST", ... */
	const char *url;            /* http[s]://host[:port][/path?query] */
	const char *const *headers; /* "Name: value" lines (no CRLF); Host and Content-Length are added */
	size_t nheaders;
	const void *body; /* sent with a Content-Length when has_body */
	size_t body_len;
	int has_body;
	int fresh;                  /* a new connection, and no silent re-send */
	const volatile int *cancel; /* either flag set: the request stops (HTTPC_E_CANCELED); may be NULL */
	const volatile int *stop;
	size_t max_body; /* cap on the answer's body; 0: 16 MiB */
};

struct httpc_response {
	int status;      /* 0 when there is no answer */
	struct buf head; /* the header lines as received (wiping buffer) */
	struct buf body; /* the body, decoded from chunks (wiping buffer) */
};

/* 0, ERR_NOMEM, ERR_TLS (the TLS context could not be set up). */
int httpc_new(const struct httpc_opts *o, struct httpc **out);
/* Close every pooled connection and free. NULL is fine. */
void httpc_free(struct httpc *h);
/* One exchange. resp is initialised here (release it with httpc_response_release in every
 * case); resp->status is set when an answer head arrived. Returns the outcome. */
enum httpc_err httpc_do(struct httpc *h, const struct httpc_request *req, struct httpc_response *resp);
void httpc_response_release(struct httpc_response *resp);
/* The value of the first header field called name (case-insensitive), without surrounding
 * whitespace, copied into out (truncated to outsz - 1); NULL when absent. */
const char *httpc_response_header(const struct httpc_response *resp, const char *name, char *out, size_t outsz);
/* A short English description of e ("Couldn't connect to server", ...). */
const char *httpc_strerror(enum httpc_err e);
/* Connections opened since httpc_new (for tests of reuse). */
unsigned long httpc_connections_opened(const struct httpc *h);

#endif
