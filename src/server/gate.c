/* SPDX-License-Identifier: MIT */
/* gate: connection budget, first-head checks and deadlines in front of libmicrohttpd (gate.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rand.h"
#include "common/timeutil.h"
#include "server/api_json.h"
#include "server/gate.h"
#include "server/validate.h"

#define IP_BUCKETS 4096
#define LINGER_NS (2000ull * 1000000ull)
#define TICK_MS 250
#define ACCEPT_BATCH 32

enum gconn_state {
	GC_PENDING, /* ours: waiting for a complete first head */
	GC_LINGER,  /* ours: answered, half-closed, dropping what the client still sends */
	GC_MHD,     /* handed to libmicrohttpd */
};

struct ipcount {
	uint8_t key[16];
	unsigned n;
	struct ipcount *next;
};

struct gate;

struct gconn {
	struct gate *g;
	int fd;
	enum gconn_state state;
	atomic_llong deadline; /* monotonic ns; 0 = none */
	struct sockaddr_storage addr;
	socklen_t alen;
	struct ipcount *ip;
	struct gconn *prev, *next;
};

struct gate {
	struct gate_config cfg;
	struct MHD_Daemon *d;
	int listen_fd, ep, stop_pipe[2];
	pthread_t thread;
	int running;
	pthread_mutex_t mu; /* everything below */
	struct gconn **byfd;
	size_t nfd;
	struct gconn *head;
	struct ipcount *ips[IP_BUCKETS];
	unsigned open, pending;
	char peek[VLD_HEAD_MAX + 1];
};

static uint64_t now_ns(void)
{
	return time_mono_ns();
}

void gate_addr_key(const struct sockaddr_storage *ss, uint8_t key[16])
{
	memset(key, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		memcpy(key, a, 16);
		if (!IN6_IS_ADDR_V4MAPPED(a))
			memset(key + 8, 0, 8); /* the /64 prefix */
	}
}

static struct ipcount **ip_bucket(struct gate *g, const uint8_t key[16])
{
	return &g->ips[mem_hash(key, 16) % IP_BUCKETS];
}

static struct ipcount *ip_find(struct gate *g, const uint8_t key[16])
{
	struct ipcount **b = ip_bucket(g, key), *e;

	for (e = *b; e; e = e->next)
		if (!memcmp(e->key, key, 16))
			return e;
	e = mem_calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	memcpy(e->key, key, 16);
	e->next = *b;
	*b = e;
	return e;
}

/* Drop one connection of e; e is freed when it was the last. */
static void ip_put(struct gate *g, struct ipcount *e)
{
	struct ipcount **q;

	if (e->n && --e->n)
		return;
	for (q = ip_bucket(g, e->key); *q; q = &(*q)->next) {
		if (*q == e) {
			*q = e->next;
			free(e);
			return;
		}
	}
}

/* Unlink and free c (g->mu held); the caller closes or has closed the socket. */
static void conn_forget(struct gate *g, struct gconn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if ((size_t)c->fd < g->nfd && g->byfd[c->fd] == c)
		g->byfd[c->fd] = NULL;
	if (c->state != GC_MHD)
		g->pending--;
	g->open--;
	ip_put(g, c->ip);
	free(c);
}

static void conn_close(struct gate *g, struct gconn *c)
{
	epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	conn_forget(g, c);
}

/* Write a canned JSON answer on a socket that has not been answered yet. */
static void answer(int fd, int status, const char *type, const char *arg, const char *reason, const char *help)
{
	static const char *const texts[] = { [400 - 400] = "Bad Request",
					     [408 - 400] = "Request Timeout",
					     [429 - 400] = "Too Many Requests",
					     [431 - 400] = "Request Header Fields Too Large" };
	struct api_invalid inv = { 0 };
	struct buf body, out;
	char id[UUID_STR_LEN + 1] = "", line[320];
	const char *text = status == 503                                           ? "Service Unavailable"
			   : status >= 400 && status <= 431 && texts[status - 400] ? texts[status - 400]
										   : "Error";
	ssize_t w;
	size_t off = 0;

	buf_init(&body, 4096);
	buf_init(&out, 8192);
	if (arg) {
		api_invalid_add(&inv, arg, reason, "%s", help);
		api_json_err_invalid(&body, &inv);
	} else {
		api_json_err_plain(&body, type, help);
	}
	rand_uuid_v4(id);
	snprintf(line, sizeof(line),
		 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nX-Request-Id: %s\r\n"
		 "Server: scw-iamd\r\n%sConnection: close\r\n\r\n",
		 status, text, body.len, id, status == 429 || status == 503 ? "Retry-After: 1\r\n" : "");
	if (buf_append_str(&out, line) == 0 && buf_append(&out, body.data, body.len) == 0) {
		while (off < out.len) {
			w = send(fd, out.data + off, out.len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	buf_release(&body);
	buf_release(&out);
}

/* Answered: half-close and drop what the client still sends, for up to LINGER_NS. */
static void linger(struct gate *g, struct gconn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->state = GC_LINGER;
	atomic_store(&c->deadline, (long long)(now_ns() + LINGER_NS));
}

static void drain(struct gate *g, struct gconn *c)
{
	char sink[4096];
	ssize_t n;

	do
		n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
	while (n > 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		conn_close(g, c);
}

static void hand_over(struct gate *g, struct gconn *c);

/* The first head may be complete: hand the connection over, answer it, or keep waiting. */
static void examine(struct gate *g, struct gconn *c)
{
	ssize_t n = recv(c->fd, g->peek, sizeof(g->peek), MSG_PEEK | MSG_DONTWAIT);
	size_t head_len;
	enum vld_head_result v;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		conn_close(g, c);
		return;
	}
	if (n < 0)
		return;
	v = vld_head(g->peek, (size_t)n, &head_len);
	switch (v) {
	case VLD_HEAD_INCOMPLETE: return;
	case VLD_HEAD_BAD:
		answer(c->fd, 400, NULL, "request", "format",
		       "the request line must be METHOD SP /path SP HTTP/1.1 and header lines NAME: value");
		linger(g, c);
		return;
	case VLD_HEAD_TOO_BIG:
		answer(c->fd, 431, NULL, "request", "constraint",
		       "the request head must not exceed 16 KiB, 64 header fields and 256 query parameters");
		linger(g, c);
		return;
	case VLD_HEAD_BAD_LENGTH:
		answer(c->fd, 400, NULL, "Content-Length", "format",
		       "the body's length must be one decimal Content-Length or Transfer-Encoding: chunked, not both");
		linger(g, c);
		return;
	case VLD_HEAD_OK: break;
	}
	hand_over(g, c);
}

/* Give c to libmicrohttpd (g->mu held). */
static void hand_over(struct gate *g, struct gconn *c)
{
	struct sockaddr_storage addr;
	socklen_t alen;
	int fd;

	epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, NULL);
	c->state = GC_MHD;
	g->pending--;
	atomic_store(&c->deadline, 0);
	/* libmicrohttpd may start (and even close) the connection on one of its threads before
	 * MHD_add_connection returns: they meet c through g->byfd under g->mu, which we hold. */
	fd = c->fd;
	addr = c->addr;
	alen = c->alen;
	pthread_mutex_unlock(&g->mu);
	if (MHD_add_connection(g->d, fd, (const struct sockaddr *)&addr, alen) != MHD_YES) {
		/* The socket is closed by libmicrohttpd in any case; c may already be gone (when it
		 * was started and closed), so it is only touched when still registered. */
		pthread_mutex_lock(&g->mu);
		if ((size_t)fd < g->nfd && g->byfd[fd] == c) {
			g->pending++; /* conn_forget counts it as ours again */
			c->state = GC_PENDING;
			conn_forget(g, c);
		}
		return;
	}
	pthread_mutex_lock(&g->mu);
}

/* An event of connection c (g->mu held). */
static void on_event(struct gate *g, struct gconn *c)
{
	if (c->state == GC_PENDING)
		examine(g, c);
	else if (c->state == GC_LINGER)
		drain(g, c);
}

/* A budget is reached for a new connection of ip: before refusing it, handle the events already
 * waiting, the end of stream of answered connections whose client has gone among them (a client
 * opening connections one after another would be refused while its previous ones, closed, still
 * count). The work is bounded by the events pending, not by the connections open. The listening
 * socket and the stop pipe are level-triggered: the main loop sees them again. ip is held
 * meanwhile (ip_put frees it). */
static void settle(struct gate *g, struct ipcount *ip)
{
	struct epoll_event evs[64];
	int i, n;

	ip->n++;
	n = epoll_wait(g->ep, evs, 64, 0);
	for (i = 0; i < n; i++)
		if (evs[i].data.ptr && evs[i].data.ptr != (void *)g)
			on_event(g, evs[i].data.ptr);
	ip->n--;
}

static int over_total(const struct gate *g, const struct ipcount *ip)
{
	return g->open >= g->cfg.max_conns || (ip->n >= GATE_RESERVE_PER_IP && g->open >= g->cfg.max_conns / 4 * 3);
}

/* At most ACCEPT_BATCH connections per wake-up (the listening socket is level-triggered), so the
 * events of the connections accepted before are not starved by a stream of new ones. */
static void accept_all(struct gate *g)
{
	for (unsigned batch = 0; batch < ACCEPT_BATCH; batch++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		uint8_t key[16];
		struct ipcount *ip;
		struct gconn *c;
		struct epoll_event ev;
		int fd = accept4(g->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN, or out of descriptors: the next tick tries again */
		gate_addr_key(&ss, key);
		ip = ip_find(g, key);
		if (ip && (over_total(g, ip) || ip->n >= g->cfg.per_ip))
			settle(g, ip);
		if ((size_t)fd >= g->nfd || !ip || over_total(g, ip)) {
			if (!g->cfg.tls)
				answer(fd, 503, "service_unavailable", NULL, NULL, "too many connections; retry later");
			shutdown(fd, SHUT_WR);
			close(fd);
			if (ip && ip->n == 0)
				ip_put(g, ip);
			continue;
		}
		if (ip->n >= g->cfg.per_ip) {
			if (!g->cfg.tls)
				answer(fd, 429, "too_many_requests", NULL, NULL,
				       "too many connections from this address; retry later");
			shutdown(fd, SHUT_WR);
			close(fd);
			continue;
		}
		c = mem_calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			if (ip->n == 0)
				ip_put(g, ip);
			continue;
		}
		ip->n++;
		c->g = g;
		c->fd = fd;
		c->ip = ip;
		c->addr = ss;
		c->alen = sl;
		c->state = GC_PENDING;
		atomic_init(&c->deadline, (long long)(now_ns() + (uint64_t)g->cfg.head_timeout_s * 1000000000ull));
		c->next = g->head;
		if (g->head)
			g->head->prev = c;
		g->head = c;
		g->byfd[fd] = c;
		g->open++;
		g->pending++;
		ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
		ev.data.ptr = c;
		if (epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			conn_forget(g, c);
			continue;
		}
		if (g->cfg.tls)
			hand_over(g, c); /* TLS: libmicrohttpd reads the handshake */
		else
			examine(g, c); /* the head often arrives with the connection */
	}
}

/* Deadlines (g->mu held). */
static void reap(struct gate *g)
{
	uint64_t now = now_ns();
	struct gconn *c, *next;

	for (c = g->head; c; c = next) {
		long long dl = atomic_load(&c->deadline);

		next = c->next;
		if (!dl || (uint64_t)dl > now)
			continue;
		switch (c->state) {
		case GC_PENDING:
			answer(c->fd, 408, NULL, "request", "constraint", "the request head did not arrive in time");
			linger(g, c);
			break;
		case GC_LINGER: conn_close(g, c); break;
		case GC_MHD:
			/* libmicrohttpd sees the end of the stream and closes the connection; the fd
			 * cannot be reused meanwhile: it is closed after gate_notify(CLOSED), which
			 * needs g->mu. */
			atomic_store(&c->deadline, 0);
			shutdown(c->fd, SHUT_RDWR);
			break;
		}
	}
}

static void *gate_main(void *arg)
{
	struct gate *g = arg;
	struct epoll_event evs[64];
	uint64_t next_reap = 0;

	for (;;) {
		int i, listening = 0, n = epoll_wait(g->ep, evs, 64, TICK_MS);

		pthread_mutex_lock(&g->mu);
		for (i = 0; i < n; i++) {
			struct gconn *c = evs[i].data.ptr;

			if (c == NULL) {
				listening = 1; /* after the others: accept_all may close the connections of evs */
			} else if ((void *)c == (void *)g) {
				pthread_mutex_unlock(&g->mu);
				return NULL;
			} else {
				on_event(g, c);
			}
		}
		if (listening)
			accept_all(g);
		if (now_ns() >= next_reap) {
			reap(g);
			accept_all(g); /* retries after running out of descriptors */
			next_reap = now_ns() + 500ull * 1000000ull;
		}
		pthread_mutex_unlock(&g->mu);
	}
}

int gate_new(const struct gate_config *cfg, int listen_fd, struct gate **out)
{
	struct gate *g = mem_calloc(1, sizeof(*g));
	struct epoll_event ev;
	struct rlimit rl;

	*out = NULL;
	if (!g)
		return ERR_NOMEM;
	g->cfg = *cfg;
	g->listen_fd = listen_fd;
	g->stop_pipe[0] = g->stop_pipe[1] = -1;
	pthread_mutex_init(&g->mu, NULL);
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20))
		rl.rlim_cur = 1u << 20;
	g->nfd = (size_t)rl.rlim_cur;
	g->byfd = mem_calloc(g->nfd, sizeof(*g->byfd));
	if (g->nfd > 128 && g->cfg.max_conns > g->nfd - 64)
		g->cfg.max_conns = (unsigned)(g->nfd - 64); /* room for the database, logs, epoll */
	g->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!g->byfd || g->ep < 0 || pipe2(g->stop_pipe, O_CLOEXEC) != 0)
		goto fail;
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, listen_fd, &ev) != 0)
		goto fail;
	ev.data.ptr = g;
	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, g->stop_pipe[0], &ev) != 0)
		goto fail;
	*out = g;
	return 0;
fail:
	g->listen_fd = -1; /* the caller still owns it */
	gate_free(g);
	return ERR_NOMEM;
}

int gate_run(struct gate *g, struct MHD_Daemon *d)
{
	g->d = d;
	if (pthread_create(&g->thread, NULL, gate_main, g) != 0)
		return ERR_NOMEM;
	g->running = 1;
	return 0;
}

void gate_stop(struct gate *g)
{
	struct gconn *c, *next;

	if (!g || !g->running)
		return;
	if (write(g->stop_pipe[1], "x", 1) != 1)
		log_kv(LOG_ERROR, "cannot stop the connection gate", NULL);
	pthread_join(g->thread, NULL);
	g->running = 0;
	pthread_mutex_lock(&g->mu);
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	g->listen_fd = -1;
	for (c = g->head; c; c = next) {
		next = c->next;
		if (c->state != GC_MHD)
			conn_close(g, c);
	}
	pthread_mutex_unlock(&g->mu);
}

void gate_free(struct gate *g)
{
	size_t i;

	if (!g)
		return;
	gate_stop(g);
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	while (g->head) /* connections the daemon never reported closed */
		conn_forget(g, g->head);
	for (i = 0; i < IP_BUCKETS; i++) {
		while (g->ips[i]) {
			struct ipcount *e = g->ips[i];

			g->ips[i] = e->next;
			free(e);
		}
	}
	if (g->ep >= 0)
		close(g->ep);
	if (g->stop_pipe[0] >= 0) {
		close(g->stop_pipe[0]);
		close(g->stop_pipe[1]);
	}
	free(g->byfd);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

void gate_notify(void *cls, struct MHD_Connection *mc, void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	struct gate *g = cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	int fd = ci ? (int)ci->connect_fd : -1;

	pthread_mutex_lock(&g->mu);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = fd >= 0 && (size_t)fd < g->nfd ? g->byfd[fd] : NULL;
	} else if (*socket_context) {
		conn_forget(g, *socket_context);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&g->mu);
}

static struct gconn *conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void set_deadline(struct MHD_Connection *mc, unsigned seconds)
{
	struct gconn *c = conn_of(mc);

	if (c)
		atomic_store(&c->deadline, seconds ? (long long)(now_ns() + seconds * 1000000000ull) : 0);
}

void gate_request_head(struct MHD_Connection *mc)
{
	struct gconn *c = conn_of(mc);

	if (c)
		set_deadline(mc, c->g->cfg.body_timeout_s);
}

void gate_request_busy(struct MHD_Connection *mc)
{
	set_deadline(mc, 0);
}

void gate_request_done(struct MHD_Connection *mc)
{
	struct gconn *c = conn_of(mc);

	if (c)
		set_deadline(mc, c->g->cfg.head_timeout_s);
}

void gate_stats(struct gate *g, unsigned *open, unsigned *pending)
{
	pthread_mutex_lock(&g->mu);
	*open = g->open;
	*pending = g->pending;
	pthread_mutex_unlock(&g->mu);
}
