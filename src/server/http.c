/* SPDX-License-Identifier: MIT */
/*
 * http: libmicrohttpd glue for scw-iamd. Each request gets a small context at its first
 * callback (request id, clock, capped body buffer); the body is accumulated as it arrives and
 * the request is answered once it is complete. A Content-Length above the cap is refused
 * before the body is read. Graceful stop: quiesce the listening socket, wait for the in-flight
 * counter to reach zero, then stop the daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rand.h"
#include "server/api_json.h"
#include "server/gate.h"
#include "server/http.h"
#include "server/reqlog.h"
#include "server/secret.h"
#include "server/validate.h"

#define HTTP_MAX_PARAMS VLD_QUERY_PARAMS_MAX
#define HTTP_PATH_MAX 2048
#define HTTP_QUERY_MAX VLD_QUERY_MAX
#define HTTP_TOKEN_MAX 128
#define HTTP_REQUEST_ID_MAX 64

struct hreq;

struct http_server {
	struct MHD_Daemon *d;
	const struct api *api;
	struct ops *ops;
	int serve_api, ops_elsewhere;
	int listen_fd;
	struct gate *gate;
	atomic_int stopping;      /* http_stop() has begun */
	atomic_int inflight;
	struct reqlog *log;       /* NULL when request lines are not wanted */
	/* Write requests run on these workers while their connection is suspended. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hreq *head, *tail;
	int stop;
	pthread_t *workers;
	unsigned n_workers;
};

struct hreq {
	int started;              /* on_request has seen this request */
	int query_too_long;       /* the query string was over HTTP_QUERY_MAX bytes (dropped) */
	struct buf body;
	int too_big;
	int status;
	uint64_t t0;
	size_t nq;
	int too_many;
	struct MHD_Connection *conn;
	struct hreq *next;        /* in the worker queue */
	int dispatched;           /* handed to a worker; the connection is suspended */
	atomic_int ready;         /* the worker has filled resp */
	struct api_req req;
	struct api_resp resp;     /* filled by the worker */
	const char *ctype;        /* Content-Type of the answer; NULL: JSON */
	char err_type[48];        /* of an error answer, for the log */
	char err_reason[128];
	/* Not zeroed (written before being read): */
	char request_id[HTTP_REQUEST_ID_MAX + 1];
	char method[16];
	char ip[64];
	char path[HTTP_PATH_MAX];
	char token[HTTP_TOKEN_MAX + 1];
	struct api_qparam q[HTTP_MAX_PARAMS];
};

static void client_ip(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	char host[NI_MAXHOST];
	socklen_t len;

	out[0] = '\0';
	if (!sa)
		return;
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		return;
	/* An IPv4 peer on a dual-stack socket: show the IPv4 form, as the real API does. */
	{
		const char *v = strncmp(host, "::ffff:", 7) == 0 && strchr(host, '.') ? host + 7 : host;
		size_t vn = strnlen(v, n - 1);

		memcpy(out, v, vn);
		out[vn] = 0;
	}
}

/* Request ids only correlate a response with its log line: a UUID v4 drawn from a per-thread
 * xorshift generator seeded from the CSPRNG, which spares a CSPRNG call (and OpenSSL's fork
 * check) per request. Object ids and secrets still come from rand_uuid_v4(). */
static void request_id(char out[UUID_STR_LEN + 1])
{
	static _Thread_local uint64_t state;
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	size_t i, o = 0;

	while (!state) {
		if (rand_bytes(&state, sizeof(state)) < 0)
			state = time_mono_ns() | 1;
	}
	for (i = 0; i < 16; i += 8) {
		uint64_t x;

		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		x = state * 0x2545f4914f6cdd1dull;
		memcpy(b + i, &x, 8);
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

/* The client's X-Request-Id when it is a plain token, else a new one. */
static void take_request_id(struct MHD_Connection *conn, char out[HTTP_REQUEST_ID_MAX + 1])
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	size_t n = v ? strlen(v) : 0;

	if (n && n <= HTTP_REQUEST_ID_MAX &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == n) {
		memcpy(out, v, n + 1);
		return;
	}
	request_id(out);
}

/* Copy s into out (n bytes), truncated and NUL-terminated, like snprintf("%s") without
 * the format machinery (this runs twice per request). */
static void copy_trunc(char *out, size_t n, const char *s)
{
	size_t len = strnlen(s, n - 1);

	memcpy(out, s, len);
	out[len] = '\0';
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	struct hreq *h = cls;

	(void)kind;
	if (h->nq >= HTTP_MAX_PARAMS) {
		h->too_many = 1;
		return MHD_NO;
	}
	h->q[h->nq].k = k;
	h->q[h->nq].v = v;
	h->nq++;
	return MHD_YES;
}

static int content_length_too_big(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (!cl)
		return 0;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno != 0 || n > API_BODY_MAX;
}

/* The request goes to the API, not to ops (health, metrics). */
static int for_api(const struct http_server *s, const struct hreq *h)
{
	return s->serve_api && (s->ops_elsewhere || !ops_route(h->path));
}

static enum MHD_Result respond(struct http_server *s, struct MHD_Connection *conn, struct hreq *h,
			       struct api_resp *resp)
{
	struct MHD_Response *r;
	size_t len = 0;
	char *data = buf_steal(&resp->body, &len);
	enum MHD_Result ret;

	if (resp->status >= 400 && data)
		ops_count_error(s->ops, data, len, h->err_type, sizeof(h->err_type), h->err_reason, sizeof(h->err_reason));
	if (!data)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, h->ctype ? h->ctype : "application/json");
	MHD_add_response_header(r, "X-Request-Id", h->request_id);
	MHD_add_response_header(r, MHD_HTTP_HEADER_SERVER, "scw-iamd");
	if (resp->status == 405)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, for_api(s, h) ? "GET, POST, PATCH, DELETE" : "GET, HEAD");
	if (resp->status == 429 || resp->status == 503)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	if (atomic_load(&s->stopping)) /* kept-alive clients go elsewhere while we drain */
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	h->status = resp->status;
	/* Counted when queued, not when completed: a client that has its answer sees it counted. */
	ops_observe(s->ops, resp->route, h->method, resp->status, time_mono_ns() - h->t0);
	ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* X-Auth-Token without the optional whitespace around it (RFC 9110 5.5); NULL when absent. */
static const char *auth_token(struct MHD_Connection *conn, struct hreq *h)
{
	const char *v = NULL;
	size_t n = 0;

	if (MHD_lookup_connection_value_n(conn, MHD_HEADER_KIND, "X-Auth-Token", 12, &v, &n) != MHD_YES || !v)
		return NULL;
	vld_trim_ows(&v, &n);
	if (n > HTTP_TOKEN_MAX)
		n = HTTP_TOKEN_MAX; /* longer than any token: it stays invalid */
	memcpy(h->token, v, n);
	h->token[n] = '\0';
	return h->token;
}

static void build_req(struct MHD_Connection *conn, struct hreq *h)
{
	struct api_req *req = &h->req;

	memset(req, 0, sizeof(*req));
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_param, h);
	req->method = h->method;
	req->path = h->path;
	req->query = h->q;
	req->n_query = h->nq;
	req->too_many_params = h->too_many;
	req->auth_token = auth_token(conn, h);
	req->client_ip = h->ip;
	req->user_agent = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
	req->body = h->body.data ? h->body.data : "";
	req->body_len = h->body.len;
	req->body_too_big = h->too_big;
	req->now = time_now();
	req->now.nsec -= req->now.nsec % 1000; /* the real API stores microseconds */
}

/* Limits and bytes the front refuses before the API sees the request: a head over 16 KiB
 * (431), a query over HTTP_QUERY_MAX bytes (414), control bytes in a query key or value (400
 * naming it; ids in the path are checked by the API, which names them). 1 when resp holds such
 * an answer. */
static int front_refusal(struct MHD_Connection *conn, struct hreq *h, struct api_resp *resp)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	struct api_invalid inv = { 0 };
	size_t i;

	if (ci && ci->header_size > VLD_HEAD_MAX) {
		resp->status = 431;
		api_invalid_add(&inv, "request", "constraint", "the request head must not exceed 16 KiB");
	} else if (h->query_too_long) {
		resp->status = 414;
		api_invalid_add(&inv, "query", "constraint", "the query string must not exceed %d bytes",
				HTTP_QUERY_MAX);
	} else {
		for (i = 0; i < h->nq && !inv.n; i++) {
			const char *k = h->q[i].k, *v = h->q[i].v;

			if (vld_has_ctl(k, strlen(k)))
				api_invalid_add(&inv, "query", "format", "query keys must not hold control characters");
			else if (v && vld_has_ctl(v, strlen(v)))
				api_invalid_add(&inv, k, "format", "%s must not hold control characters", k);
		}
		resp->status = 400;
	}
	if (!inv.n)
		return 0;
	if (api_json_err_invalid(&resp->body, &inv) < 0)
		resp->status = 500;
	return 1;
}

/* Answer a request on the calling (HTTP) thread. */
static enum MHD_Result handle(struct http_server *s, struct MHD_Connection *conn, struct hreq *h)
{
	enum MHD_Result ret;

	build_req(conn, h);
	api_resp_init(&h->resp);
	if (!for_api(s, h))
		ops_handle(s->ops, h->method, h->path, &h->resp, &h->ctype);
	else if (!front_refusal(conn, h, &h->resp))
		api_handle(s->api, &h->req, &h->resp);
	ret = respond(s, conn, h, &h->resp);
	api_resp_release(&h->resp);
	return ret;
}

/* Writes wait for a durable commit: run them on a worker so the HTTP thread keeps serving
 * its other connections, and so that concurrent writes can share one commit. */
static enum MHD_Result dispatch(struct http_server *s, struct MHD_Connection *conn, struct hreq *h)
{
	enum MHD_Result ret;

	build_req(conn, h);
	api_resp_init(&h->resp);
	if (!front_refusal(conn, h, &h->resp)) {
		h->conn = conn;
		h->next = NULL;
		pthread_mutex_lock(&s->mu);
		if (!s->stop) {
			/* Queued before the workers are told to stop: they run it before exiting. */
			h->dispatched = 1;
			gate_request_busy(conn);
			MHD_suspend_connection(conn);
			if (s->tail)
				s->tail->next = h;
			else
				s->head = h;
			s->tail = h;
			pthread_cond_signal(&s->cv);
			pthread_mutex_unlock(&s->mu);
			return MHD_YES;
		}
		pthread_mutex_unlock(&s->mu);
		/* Stopping: a connection suspended now would never be resumed. */
		h->resp.status = 503;
		if (api_json_err_plain(&h->resp.body, "service_unavailable", "the server is stopping") < 0)
			h->resp.status = 500;
	}
	ret = respond(s, conn, h, &h->resp);
	api_resp_release(&h->resp);
	return ret;
}

static void *worker_main(void *arg)
{
	struct http_server *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct hreq *h;

		while (!s->head && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->head)
			break;
		h = s->head;
		s->head = h->next;
		if (!s->head)
			s->tail = NULL;
		pthread_mutex_unlock(&s->mu);
		api_handle(s->api, &h->req, &h->resp);
		atomic_store(&h->ready, 1);
		MHD_resume_connection(h->conn);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static struct hreq *new_hreq(void)
{
	struct hreq *h = malloc(sizeof(*h));

	if (!h)
		return NULL;
	memset(h, 0, offsetof(struct hreq, request_id));
	atomic_init(&h->ready, 0);
	h->t0 = time_mono_ns();
	return h;
}

/* MHD_OPTION_URI_LOG_CALLBACK: the raw request target, before libmicrohttpd splits the query
 * into parameters in its fixed per-connection pool (which more than ~500 of them overflow, and
 * libmicrohttpd then neither answers nor closes). A query over HTTP_QUERY_MAX bytes or with
 * more than HTTP_MAX_PARAMS parameters is cut off here, in the connection's own buffer, and
 * answered 414 or 400 by the front or the API. Returns the request's context. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct hreq *h = new_hreq();
	char *q = memchr(uri, '?', strlen(uri)); /* the buffer is libmicrohttpd's and writable */
	size_t i, amps = 0;

	(void)cls;
	(void)conn;
	if (!h || !q)
		return h;
	for (i = 1; q[i]; i++)
		amps += q[i] == '&';
	if (i - 1 > HTTP_QUERY_MAX || amps >= HTTP_MAX_PARAMS) {
		if (i - 1 > HTTP_QUERY_MAX)
			h->query_too_long = 1;
		else
			h->too_many = 1;
		q[1] = '\0';
	}
	return h;
}

/* MHD_OPTION_UNESCAPE_CALLBACK: percent-decoding without NULs (see vld_unescape). */
static size_t on_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return vld_unescape(s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	struct http_server *s = cls;
	struct hreq *h = *req_cls;

	(void)version;
	if (!h)
		h = *req_cls = new_hreq();
	if (!h)
		return MHD_NO;
	if (!h->started) {
		h->started = 1;
		gate_request_head(conn);
		buf_init_secret(&h->body, API_BODY_MAX);
		take_request_id(conn, h->request_id);
		copy_trunc(h->method, sizeof(h->method), method);
		copy_trunc(h->path, sizeof(h->path), url);
		client_ip(conn, h->ip, sizeof(h->ip));
		*req_cls = h;
		atomic_fetch_add(&s->inflight, 1);
		if (content_length_too_big(conn)) {
			/* Answer now and never read the oversized body (MHD closes the connection). */
			h->too_big = 1;
			return handle(s, conn, h);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!h->too_big && buf_append(&h->body, upload_data, *upload_data_size) < 0) {
			h->too_big = 1;
			buf_release(&h->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (h->status)
		return MHD_YES;
	if (h->dispatched) {
		enum MHD_Result ret;

		if (!atomic_load(&h->ready))
			return MHD_YES; /* spurious call while the worker runs */
		ret = respond(s, conn, h, &h->resp);
		api_resp_release(&h->resp);
		return ret;
	}
	if (is_write(h->method) && !h->too_big && for_api(s, h))
		return dispatch(s, conn, h);
	return handle(s, conn, h);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct hreq *h = *req_cls;

	(void)conn;
	(void)toe;
	if (!h)
		return;
	if (!h->started) { /* refused by libmicrohttpd before the handler saw it */
		free(h);
		*req_cls = NULL;
		return;
	}
	gate_request_done(conn);
	{
		uint64_t ns = time_mono_ns() - h->t0;

		if (!h->status) /* ended before an answer */
			ops_observe(s->ops, h->resp.route, h->method, -1, ns);
		if (s->log)
			reqlog_request(s->log, h->method, h->path, h->status, ns, h->request_id, h->ip, h->resp.caller,
				       h->err_type, h->err_reason);
	}
	buf_release(&h->body);          /* wiped: a body may hold a password */
	mem_wipe(h->token, sizeof(h->token)); /* the secret key of X-Auth-Token */
	free(h);
	*req_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_kv(LOG_WARN, "libmicrohttpd", "detail", line, NULL);
}

/* Split "HOST:PORT" / "[V6]:PORT". */
static int split_listen(const char *addr, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon;
	size_t n;

	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');

		if (!rb || rb[1] != ':')
			return ERR_INVAL;
		n = (size_t)(rb - addr - 1);
		colon = rb + 1;
		if (n >= hn)
			return ERR_INVAL;
		memcpy(host, addr + 1, n);
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return ERR_INVAL;
		n = (size_t)(colon - addr);
		if (n >= hn)
			return ERR_INVAL;
		memcpy(host, addr, n);
	}
	host[n] = '\0';
	n = strlen(colon + 1);
	if (n == 0 || n >= pn || strspn(colon + 1, "0123456789") != n)
		return ERR_INVAL;
	memcpy(port, colon + 1, n + 1);
	return 0;
}

int http_listen_check(const char *addr, char *detail, size_t dlen)
{
	char host[256], port[16];
	int r = split_listen(addr, host, sizeof(host), port, sizeof(port));

	if (r < 0)
		snprintf(detail, dlen, "malformed listen address '%s' (want HOST:PORT)", addr);
	return r;
}

static int bind_listen(const char *addr, int *fd_out, char *bound, size_t bound_len, char *detail, size_t dlen)
{
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[16], h[NI_MAXHOST], p[NI_MAXSERV];
	int fd = -1, one = 1, rc, r = http_listen_check(addr, detail, dlen);

	if (r < 0)
		return r;
	split_listen(addr, host, sizeof(host), port, sizeof(port));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc != 0) {
		snprintf(detail, dlen, "cannot resolve '%s': %s", host, gai_strerror(rc));
		return ERR_INVAL;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		snprintf(detail, dlen, "cannot listen on %s: %s", addr, strerror(errno));
		r = ERR_IO;
		goto out;
	}
	if (getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(bound, bound_len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
	*fd_out = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return r;
}

static void stop_workers(struct http_server *s)
{
	unsigned i;

	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->n_workers; i++)
		pthread_join(s->workers[i], NULL);
	free(s->workers);
	s->workers = NULL;
	s->n_workers = 0;
}

static int start_workers(struct http_server *s, unsigned n)
{
	pthread_attr_t attr;
	int r = 0;

	s->workers = mem_calloc(n, sizeof(pthread_t));
	if (!s->workers)
		return ERR_NOMEM;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1u << 20);
	for (s->n_workers = 0; s->n_workers < n; s->n_workers++) {
		if (pthread_create(&s->workers[s->n_workers], &attr, worker_main, s) != 0) {
			r = ERR_NOMEM;
			break;
		}
	}
	pthread_attr_destroy(&attr);
	return r;
}

static void wait_idle(struct http_server *s, uint64_t deadline)
{
	while (atomic_load(&s->inflight) > 0 && time_mono_ns() < deadline) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
}

int http_start(const struct http_config *cfg, const struct api *api, struct http_server **out,
	       char *bound, size_t bound_len, char *detail, size_t dlen)
{
	struct http_server *s = mem_calloc(1, sizeof(*s));
	struct gate_config gc;
	int tls = cfg->tls_cert_pem && cfg->tls_key_pem;
	struct MHD_OptionItem tls_opts[] = {
		{ tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)(uintptr_t)cfg->tls_key_pem },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)(uintptr_t)cfg->tls_cert_pem },
		{ MHD_OPTION_END, 0, NULL },
	};
	/* One thread: no pool (libmicrohttpd warns about a pool of one). */
	struct MHD_OptionItem pool_opts[] = {
		{ cfg->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)cfg->threads, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};
	int r;

	*out = NULL;
	if (!s)
		return ERR_NOMEM;
	s->api = api;
	s->ops = cfg->ops;
	s->serve_api = cfg->serve_api;
	s->ops_elsewhere = cfg->ops_elsewhere;
	s->listen_fd = -1;
	atomic_init(&s->inflight, 0);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (log_enabled(LOG_INFO) && reqlog_start(cfg->log_fd, &s->log) < 0) {
		snprintf(detail, dlen, "cannot start the request logger");
		r = ERR_NOMEM;
		goto out;
	}
	r = start_workers(s, cfg->write_workers ? cfg->write_workers : 1);
	if (r < 0) {
		snprintf(detail, dlen, "cannot start the write workers");
		goto out;
	}
	r = bind_listen(cfg->listen, &s->listen_fd, bound, bound_len, detail, dlen);
	if (r < 0)
		goto out;
	gc.max_conns = cfg->max_conns ? cfg->max_conns : HTTP_DEFAULT_MAX_CONNS;
	gc.per_ip = cfg->per_ip_conns ? cfg->per_ip_conns : HTTP_DEFAULT_PER_IP;
	gc.head_timeout_s = cfg->head_timeout_s ? cfg->head_timeout_s : HTTP_DEFAULT_HEAD_TIMEOUT;
	gc.body_timeout_s = cfg->body_timeout_s ? cfg->body_timeout_s : HTTP_DEFAULT_BODY_TIMEOUT;
	gc.tls = tls;
	r = gate_new(&gc, s->listen_fd, &s->gate);
	if (r < 0) {
		snprintf(detail, dlen, "cannot start the connection gate");
		goto out;
	}
	s->listen_fd = -1; /* the gate's now */
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
					MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET |
					(tls ? MHD_USE_TLS : 0),
				0, NULL, NULL, on_request, s,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_ARRAY, pool_opts,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_NOTIFY_CONNECTION, gate_notify, s->gate,
				MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
				MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, NULL,
				/* A backstop: the gate's deadlines come first. */
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)300,
				/* The gate keeps the budget; this only has to stay above it. */
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(gc.max_conns + 64),
				/* MHD zeroes this pool between requests: keep it small (headers
				 * and the URL live there; bodies stream through on_request). */
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
				MHD_OPTION_ARRAY, tls_opts,
				MHD_OPTION_END);
	if (!s->d) {
		snprintf(detail, dlen, tls ? "libmicrohttpd could not start (is the TLS certificate or key malformed, "
					     "or do they not match?)"
					   : "libmicrohttpd could not start");
		r = ERR_INTERNAL;
	} else if (gate_run(s->gate, s->d) < 0) {
		snprintf(detail, dlen, "cannot start the connection gate");
		MHD_stop_daemon(s->d);
		r = ERR_NOMEM;
	}
out:
	if (r < 0) {
		if (s->listen_fd >= 0)
			close(s->listen_fd);
		gate_free(s->gate);
		stop_workers(s);
		reqlog_stop(s->log);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void http_stop(struct http_server *s, unsigned drain_ms)
{
	uint64_t deadline;

	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	gate_stop(s->gate); /* no new connections; the ones still sending their first head close */
	deadline = time_mono_ns() + (uint64_t)drain_ms * 1000000u;
	wait_idle(s, deadline);
	/* Workers finish what is queued and resume those connections; give the HTTP threads a
	 * moment to send these last answers before stopping them. */
	stop_workers(s);
	wait_idle(s, time_mono_ns() + 1000000000u);
	MHD_stop_daemon(s->d);
	gate_free(s->gate);
	reqlog_stop(s->log); /* after the daemon: every completed request is in the queue */
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

void http_stats(struct http_server *s, struct http_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!s)
		return;
	st->inflight = (unsigned)atomic_load(&s->inflight);
	gate_stats(s->gate, &st->connections, &st->pending_heads);
	secret_pw_gate_stats(&st->hashes_running, &st->hashes_waiting);
}
