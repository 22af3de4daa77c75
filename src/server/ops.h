/* SPDX-License-Identifier: MIT */
/*
 * ops: what an operator sees of a running scw-iamd, without a token:
 *   GET /healthz   {"status":"ok",...} 200 when the store answers a cheap probe (store_ping),
 *                  {"status":"unavailable",...} 503 when it does not;
 *   GET /metrics   the Prometheus text format 0.0.4: requests by route template, method and
 *                  status, a latency histogram, authentication failures by reason, database pool
 *                  use, the password-hash load, build information.
 * The HTTP front (http.c) serves these two routes on the API's listener or on a listener of
 * their own (scw-iamd serve --ops-listen), and reports every finished request here.
 *
 * Counting costs no lock: counters are sharded by thread (each thread takes a shard on its
 * first request) and moved with relaxed C11 atomics; a scrape sums the shards. Label values
 * are interned in small fixed tables (routes, statuses, reasons); a value past a table's size is
 * counted under "other", so cardinality stays bounded whatever clients send.
 *
 * Threads: every function may be called from any thread once ops_new() has returned.
 */
#ifndef SERVER_OPS_H
#define SERVER_OPS_H
#include <stddef.h>
#include <stdint.h>

#include "server/api.h"
#include "store/store.h"

struct ops;
struct http_server;

/* version and store are kept (not copied): they must outlive the ops. ERR_NOMEM. */
int ops_new(struct store *store, const char *version, struct ops **out);
void ops_free(struct ops *o);
/* Report the connections, requests in flight and password-hash load of the API's listener h
 * (http_stats) in /metrics. h must outlive its use: call ops_watch_http(o, NULL) before
 * stopping it. */
void ops_watch_http(struct ops *o, struct http_server *h);

/* The route template of path when it is one of ours ("/healthz", "/metrics"), else NULL. */
const char *ops_route(const char *path);
/* Answer an ops route (or, for any other path, the API's not_found JSON for "route"): fills
 * resp (status, body, route) and *content_type (static). Runs the store probe for /healthz
 * and /metrics. */
void ops_handle(struct ops *o, const char *method, const char *path, struct api_resp *resp, const char **content_type);

/* One finished request. route: a template or NULL (no route matched); status < 0 when the
 * connection ended without an answer. */
void ops_observe(struct ops *o, const char *route, const char *method, int status, uint64_t latency_ns);

/* Classify an error answer of the API: its "type" and its reason (the "reason", "precondition" or
 * "resource" member, or the first detail's "argument_name" and "reason"), both "" when the body
 * is not such JSON. Counts an authentication failure (type denied_authentication) by reason. */
void ops_count_error(struct ops *o, const char *body, size_t len, char *type, size_t type_len, char *reason,
		     size_t reason_len);

#endif
