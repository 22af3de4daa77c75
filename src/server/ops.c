/* SPDX-License-Identifier: MIT */
/*
 * ops: health check and Prometheus metrics of scw-iamd (see ops.h). The request counters and
 * the latency histogram live in per-thread shards of plain arrays indexed by interned labels;
 * a scrape sums the shards and prints only the series that moved.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timeutil.h"
#include "server/api_json.h"
#include "server/http.h"
#include "server/ops.h"

#define OPS_SHARDS 8
#define OPS_LABEL_MAX 64 /* bytes of one interned label value */
#define OPS_ROUTES 16    /* route templates, the last one being "other" */
#define OPS_STATUSES 24
#define OPS_REASONS 16

static const char *const methods[] = { "GET", "POST", "PATCH", "DELETE", "HEAD", "other" };
#define OPS_METHODS (sizeof(methods) / sizeof(methods[0]))

/* Upper bounds of the latency buckets, in nanoseconds and as printed; +Inf follows. */
static const uint64_t bucket_ns[] = { 250000,   500000,    1000000,   2500000,   5000000,    10000000,   25000000,
				      50000000, 100000000, 250000000, 500000000, 1000000000, 2500000000u };
static const char *const bucket_le[] = { "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
					 "0.05",    "0.1",    "0.25",  "0.5",    "1",     "2.5" };
#define OPS_BUCKETS (sizeof(bucket_ns) / sizeof(bucket_ns[0]) + 1)

/* A small set of label values, appended once and then read without a lock. The last slot
 * is "other": values past the table's size land there. */
struct labels {
	_Atomic(const char *) v[OPS_STATUSES];
	atomic_uint n;
	unsigned cap;
	pthread_mutex_t mu;
	char text[OPS_STATUSES][OPS_LABEL_MAX];
};

struct hist {
	atomic_uint_fast64_t b[OPS_BUCKETS]; /* per bucket, not cumulative */
	atomic_uint_fast64_t sum_ns;
};

struct shard {
	atomic_uint_fast64_t req[OPS_ROUTES][OPS_METHODS][OPS_STATUSES];
	struct hist lat[OPS_ROUTES][OPS_METHODS];
	atomic_uint_fast64_t auth[OPS_REASONS];
} __attribute__((aligned(64)));

struct ops {
	struct store *store;
	const char *version;
	struct tstamp started;
	atomic_uint next_shard;
	atomic_int healthy;                 /* last probe: 1 ok, 0 failing, -1 never probed (to log changes only) */
	_Atomic(struct http_server *) http; /* the API's listener, for its http_stats */
	struct labels routes, statuses, reasons;
	struct shard *shards;
};

/* ---- label tables ---- */

static void labels_init(struct labels *l, unsigned cap)
{
	memset(l, 0, sizeof(*l));
	l->cap = cap;
	atomic_init(&l->n, 0);
	pthread_mutex_init(&l->mu, NULL);
	memcpy(l->text[cap - 1], "other", 6);
	atomic_init(&l->v[cap - 1], l->text[cap - 1]);
}

static unsigned labels_find(struct labels *l, const char *s, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const char *v = atomic_load_explicit(&l->v[i], memory_order_acquire);

		if (v == s || !strcmp(v, s))
			return i;
	}
	return l->cap;
}

/* Index of s, interning it on first sight. */
static unsigned labels_index(struct labels *l, const char *s)
{
	unsigned n = atomic_load_explicit(&l->n, memory_order_acquire);
	unsigned i = labels_find(l, s, n);
	size_t len;

	if (i < l->cap)
		return i;
	len = strlen(s);
	if (len >= OPS_LABEL_MAX)
		return l->cap - 1;
	pthread_mutex_lock(&l->mu);
	n = atomic_load_explicit(&l->n, memory_order_relaxed);
	i = labels_find(l, s, n);
	if (i == l->cap) {
		if (n < l->cap - 1) {
			memcpy(l->text[n], s, len + 1);
			atomic_store_explicit(&l->v[n], l->text[n], memory_order_release);
			atomic_store_explicit(&l->n, n + 1, memory_order_release);
			i = n;
		} else {
			i = l->cap - 1;
		}
	}
	pthread_mutex_unlock(&l->mu);
	return i;
}

/* Label value i, or NULL when the slot is unused. */
static const char *labels_at(struct labels *l, unsigned i)
{
	if (i == l->cap - 1)
		return l->text[i];
	return i < atomic_load_explicit(&l->n, memory_order_acquire) ? l->text[i] : NULL;
}

/* ---- life ---- */

int ops_new(struct store *store, const char *version, struct ops **out)
{
	struct ops *o = mem_calloc(1, sizeof(*o));

	*out = NULL;
	if (!o)
		return ERR_NOMEM;
	o->shards = aligned_alloc(64, OPS_SHARDS * sizeof(struct shard));
	if (!o->shards) {
		free(o);
		return ERR_NOMEM;
	}
	/* All-zero bytes are valid zero atomics on every platform we build for. */
	memset(o->shards, 0, OPS_SHARDS * sizeof(struct shard));
	o->store = store;
	o->version = version;
	o->started = time_now();
	atomic_init(&o->next_shard, 0);
	atomic_init(&o->healthy, -1);
	labels_init(&o->routes, OPS_ROUTES);
	labels_init(&o->statuses, OPS_STATUSES);
	labels_init(&o->reasons, OPS_REASONS);
	*out = o;
	return 0;
}

void ops_watch_http(struct ops *o, struct http_server *h)
{
	atomic_store(&o->http, h);
}

void ops_free(struct ops *o)
{
	if (!o)
		return;
	pthread_mutex_destroy(&o->routes.mu);
	pthread_mutex_destroy(&o->statuses.mu);
	pthread_mutex_destroy(&o->reasons.mu);
	free(o->shards);
	free(o);
}

/* ---- counting ---- */

static struct shard *my_shard(struct ops *o)
{
	static _Thread_local unsigned idx; /* shard + 1; 0 = not chosen yet */

	if (!idx)
		idx = atomic_fetch_add_explicit(&o->next_shard, 1, memory_order_relaxed) % OPS_SHARDS + 1;
	return &o->shards[idx - 1];
}

static void add(atomic_uint_fast64_t *c, uint64_t v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static unsigned method_index(const char *m)
{
	unsigned i;

	for (i = 0; i < OPS_METHODS - 1; i++)
		if (!strcmp(m, methods[i]))
			return i;
	return OPS_METHODS - 1;
}

void ops_observe(struct ops *o, const char *route, const char *method, int status, uint64_t latency_ns)
{
	struct shard *sh = my_shard(o);
	unsigned r = labels_index(&o->routes, route ? route : "unmatched");
	unsigned m = method_index(method);
	unsigned s, b = 0;
	char code[8];

	if (status >= 100 && status <= 999) {
		code[0] = (char)('0' + status / 100);
		code[1] = (char)('0' + status / 10 % 10);
		code[2] = (char)('0' + status % 10);
		code[3] = '\0';
	} else {
		memcpy(code, "none", 5); /* the connection ended before an answer */
	}
	s = labels_index(&o->statuses, code);
	while (b < OPS_BUCKETS - 1 && latency_ns > bucket_ns[b])
		b++;
	add(&sh->req[r][m][s], 1);
	add(&sh->lat[r][m].b[b], 1);
	add(&sh->lat[r][m].sum_ns, latency_ns);
}

static void copy_str(char *out, size_t n, const char *s)
{
	size_t len = s ? strnlen(s, n - 1) : 0;

	if (len)
		memcpy(out, s, len);
	out[len] = '\0';
}

void ops_count_error(struct ops *o, const char *body, size_t len, char *type, size_t type_len, char *reason,
		     size_t reason_len)
{
	json_t *j = len ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *d0 = json_array_get(json_object_get(j, "details"), 0);
	const char *t = json_string_value(json_object_get(j, "type"));
	const char *why = NULL;
	static const char *const members[] = { "reason", "precondition", "resource" };
	size_t i;

	type[0] = reason[0] = '\0';
	copy_str(type, type_len, t);
	for (i = 0; !why && i < sizeof(members) / sizeof(members[0]); i++)
		why = json_string_value(json_object_get(j, members[i]));
	if (why) {
		copy_str(reason, reason_len, why);
	} else if (d0) {
		const char *arg = json_string_value(json_object_get(d0, "argument_name"));
		const char *r = json_string_value(json_object_get(d0, "reason"));

		if (!arg)
			arg = json_string_value(json_object_get(d0, "resource"));
		snprintf(reason, reason_len, "%s%s%s", arg ? arg : "", arg && r ? ": " : "", r ? r : "");
	}
	if (o && t && !strcmp(t, "denied_authentication"))
		add(&my_shard(o)->auth[labels_index(&o->reasons, reason[0] ? reason : "unknown")], 1);
	json_decref(j);
}

/* ---- /healthz ---- */

const char *ops_route(const char *path)
{
	if (!strcmp(path, "/healthz"))
		return "/healthz";
	if (!strcmp(path, "/metrics"))
		return "/metrics";
	return NULL;
}

/* Probe the store; log when the answer changes (a flood of probes cannot flood the log). */
static int probe(struct ops *o)
{
	int r = store_ping(o->store);
	int now = r == 0, before = atomic_exchange(&o->healthy, now);

	if (now != before) {
		if (now)
			log_kv(before < 0 ? LOG_DEBUG : LOG_INFO, "database reachable", "backend",
			       store_backend(o->store), NULL);
		else
			log_kv(LOG_ERROR, "database unreachable", "backend", store_backend(o->store), "error",
			       err_str(r), NULL);
	}
	return r;
}

static int health(struct ops *o, struct buf *b, int *status)
{
	int r = probe(o);

	*status = r == 0 ? 200 : 503;
	return buf_printf(b, "{\"status\":\"%s\",\"database\":\"%s\",\"backend\":\"%s\",\"version\":\"%s\"}",
			  r == 0 ? "ok" : "unavailable", r == 0 ? "ok" : "unreachable", store_backend(o->store),
			  o->version);
}

/* ---- /metrics ---- */

/* A label value, escaped as the text format wants (backslash, double quote, newline). */
static int put_label(struct buf *b, const char *name, const char *v, int first)
{
	int r = buf_printf(b, "%s%s=\"", first ? "" : ",", name);

	for (; r == 0 && *v; v++) {
		if (*v == '\\' || *v == '"')
			r = buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			r = buf_append_str(b, "\\n");
		else
			r = buf_append_byte(b, (uint8_t)*v);
	}
	return r ? r : buf_append_byte(b, '"');
}

static int head(struct buf *b, const char *name, const char *type, const char *help)
{
	return buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int seconds(struct buf *b, uint64_t ns)
{
	return buf_printf(b, "%llu.%09llu", (unsigned long long)(ns / 1000000000u),
			  (unsigned long long)(ns % 1000000000u));
}

static uint64_t get(const atomic_uint_fast64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* The sum over the shards of the counter that c is in shard 0. */
static uint64_t total(const struct ops *o, const atomic_uint_fast64_t *c)
{
	uintptr_t off = (uintptr_t)c - (uintptr_t)&o->shards[0];
	uint64_t n = 0;
	size_t k;

	for (k = 0; k < OPS_SHARDS; k++)
		n += get((const atomic_uint_fast64_t *)((uintptr_t)&o->shards[k] + off));
	return n;
}

static int put_requests(struct ops *o, struct buf *b)
{
	unsigned r, m, s;
	int rc = head(b, "scw_iamd_http_requests_total", "counter",
		      "HTTP requests answered, by route template, method and status code.");

	for (r = 0; rc == 0 && r < OPS_ROUTES; r++) {
		const char *route = labels_at(&o->routes, r);

		for (m = 0; rc == 0 && route && m < OPS_METHODS; m++) {
			for (s = 0; rc == 0 && s < OPS_STATUSES; s++) {
				const char *code = labels_at(&o->statuses, s);
				uint64_t n = total(o, &o->shards[0].req[r][m][s]);

				if (!n || !code)
					continue;
				rc = buf_append_str(b, "scw_iamd_http_requests_total{");
				if (rc == 0)
					rc = put_label(b, "route", route, 1);
				if (rc == 0)
					rc = put_label(b, "method", methods[m], 0);
				if (rc == 0)
					rc = put_label(b, "status", code, 0);
				if (rc == 0)
					rc = buf_printf(b, "} %llu\n", (unsigned long long)n);
			}
		}
	}
	return rc;
}

static int put_series_labels(struct buf *b, const char *series, const char *route, const char *method)
{
	int r = buf_printf(b, "%s{", series);

	if (r == 0)
		r = put_label(b, "route", route, 1);
	if (r == 0)
		r = put_label(b, "method", method, 0);
	return r;
}

static int put_latency(struct ops *o, struct buf *b)
{
	static const char name[] = "scw_iamd_http_request_duration_seconds";
	unsigned r, m, i;
	int rc = head(b, name, "histogram",
		      "Time from the request's first byte to its answer, by route template and method.");

	for (r = 0; rc == 0 && r < OPS_ROUTES; r++) {
		const char *route = labels_at(&o->routes, r);

		for (m = 0; rc == 0 && route && m < OPS_METHODS; m++) {
			uint64_t n[OPS_BUCKETS], sum = total(o, &o->shards[0].lat[r][m].sum_ns), cum = 0;

			for (i = 0; i < OPS_BUCKETS; i++) {
				n[i] = total(o, &o->shards[0].lat[r][m].b[i]);
				cum += n[i];
			}
			if (!cum)
				continue;
			cum = 0;
			for (i = 0; rc == 0 && i < OPS_BUCKETS; i++) {
				cum += n[i];
				rc = put_series_labels(b, "scw_iamd_http_request_duration_seconds_bucket", route,
						       methods[m]);
				if (rc == 0)
					rc = buf_printf(b, ",le=\"%s\"} %llu\n",
							i < OPS_BUCKETS - 1 ? bucket_le[i] : "+Inf",
							(unsigned long long)cum);
			}
			if (rc == 0)
				rc = put_series_labels(b, "scw_iamd_http_request_duration_seconds_sum", route,
						       methods[m]);
			if (rc == 0)
				rc = buf_append_str(b, "} ");
			if (rc == 0)
				rc = seconds(b, sum);
			if (rc == 0)
				rc = put_series_labels(b, "\nscw_iamd_http_request_duration_seconds_count", route,
						       methods[m]);
			if (rc == 0)
				rc = buf_printf(b, "} %llu\n", (unsigned long long)cum);
		}
	}
	return rc;
}

static int put_auth(struct ops *o, struct buf *b)
{
	unsigned i;
	int r = head(b, "scw_iamd_auth_failures_total", "counter",
		     "Requests refused with denied_authentication, by reason (invalid_argument: no or malformed "
		     "X-Auth-Token; not_found: unknown secret key; expired).");

	for (i = 0; r == 0 && i < OPS_REASONS; i++) {
		const char *reason = labels_at(&o->reasons, i);
		uint64_t n = total(o, &o->shards[0].auth[i]);

		if (!reason || !n)
			continue;
		r = buf_append_str(b, "scw_iamd_auth_failures_total{");
		if (r == 0)
			r = put_label(b, "reason", reason, 1);
		if (r == 0)
			r = buf_printf(b, "} %llu\n", (unsigned long long)n);
	}
	return r;
}

static int gauge(struct buf *b, const char *name, const char *help, const char *labels, uint64_t v)
{
	int r = head(b, name, "gauge", help);

	return r ? r : buf_printf(b, "%s%s %llu\n", name, labels, (unsigned long long)v);
}

static int put_gauges(struct ops *o, struct buf *b, int db_up)
{
	struct store_stats p;
	struct http_stats h;
	int r;

	store_stats(o->store, &p);
	http_stats(atomic_load(&o->http), &h); /* zeros without a listener */
	r = gauge(b, "scw_iamd_db_up", "1 when the database answered the probe of this scrape.", "", (uint64_t)db_up);
	if (r == 0)
		r = head(b, "scw_iamd_db_connections", "gauge",
			 "Database connections: open, and in_use (inside a transaction now).");
	if (r == 0)
		r = buf_printf(
			b, "scw_iamd_db_connections{state=\"open\"} %u\nscw_iamd_db_connections{state=\"in_use\"} %u\n",
			p.conns, p.conns_busy);
	if (r == 0)
		r = gauge(b, "scw_iamd_db_connections_max",
			  "Connection pool limit (0: none; SQLite opens one reader per thread).", "", p.conns_max);
	if (r == 0)
		r = gauge(b, "scw_iamd_db_waiting",
			  "Callers waiting for a connection (SQLite: writes queued for the writer).", "", p.waiting);
	if (r == 0)
		r = head(b, "scw_iamd_db_retries_total", "counter",
			 "Transactions retried after a serialization failure.");
	if (r == 0)
		r = buf_printf(b, "scw_iamd_db_retries_total %llu\n", (unsigned long long)p.retries);
	if (r == 0)
		r = head(b, "scw_iamd_db_errors_total", "counter",
			 "Calls that failed because the database was unreachable.");
	if (r == 0)
		r = buf_printf(b, "scw_iamd_db_errors_total %llu\n", (unsigned long long)p.errors);
	if (r == 0)
		r = gauge(b, "scw_iamd_password_hash_running", "Password hashes (scrypt) being computed now.", "",
			  h.hashes_running);
	if (r == 0)
		r = gauge(b, "scw_iamd_password_hash_queued", "Requests waiting for a password-hashing slot.", "",
			  h.hashes_waiting);
	if (r == 0)
		r = gauge(b, "scw_iamd_http_requests_in_flight", "Requests received and not yet answered.", "",
			  h.inflight);
	if (r == 0)
		r = head(b, "scw_iamd_http_connections", "gauge",
			 "Open connections of the API's listener, and those still sending their first request head.");
	if (r == 0)
		r = buf_printf(b,
			       "scw_iamd_http_connections{state=\"open\"} %u\n"
			       "scw_iamd_http_connections{state=\"pending_head\"} %u\n",
			       h.connections, h.pending_heads);
	if (r == 0)
		r = head(b, "scw_iamd_build_info", "gauge", "Version and storage engine of this scw-iamd.");
	if (r == 0)
		r = buf_printf(b, "scw_iamd_build_info{version=\"%s\",backend=\"%s\"} 1\n", o->version,
			       store_backend(o->store));
	if (r == 0)
		r = head(b, "scw_iamd_start_time_seconds", "gauge",
			 "Start time of the process, in seconds since the epoch.");
	if (r == 0)
		r = buf_printf(b, "scw_iamd_start_time_seconds %lld\n", (long long)o->started.sec);
	return r;
}

static int metrics(struct ops *o, struct buf *b)
{
	int up = probe(o) == 0;
	int r = put_requests(o, b);

	if (r == 0)
		r = put_latency(o, b);
	if (r == 0)
		r = put_auth(o, b);
	if (r == 0)
		r = put_gauges(o, b, up);
	return r;
}

void ops_handle(struct ops *o, const char *method, const char *path, struct api_resp *resp, const char **content_type)
{
	const char *route = ops_route(path);
	int r, status = 200;

	buf_reset(&resp->body);
	resp->route = route;
	*content_type = "application/json";
	if (!route) {
		status = 404;
		r = api_json_err_not_found(&resp->body, "route", path);
	} else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		status = 405;
		r = api_json_err_plain(&resp->body, "method_not_allowed", "method not allowed on this resource");
	} else if (route[1] == 'h') {
		r = health(o, &resp->body, &status);
	} else {
		*content_type = "text/plain; version=0.0.4; charset=utf-8";
		r = metrics(o, &resp->body);
	}
	if (r < 0) {
		buf_reset(&resp->body);
		*content_type = "application/json";
		status = 500;
		api_json_err_plain(&resp->body, "internal_error", "internal error");
	}
	resp->status = status;
}
