/* SPDX-License-Identifier: MIT */
/*
 * server: gRPC over nghttp2 (see server.h): connection I/O (TLS or plain), the epoll loop, server
 * start and stop. Calls and workers are in call.c, HTTP/2 streams in stream.c (server_int.h).
 */
#include <errno.h>
#include <pthread.h>
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
#include "grpc/server_int.h"
#include "net/tls.h"

/* ---- connections ---- */

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
	nghttp2_session_callbacks *cbs = gs_session_callbacks();
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
		gs_call_detach(c->calls);
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
		gs_process_dirty(c->srv);
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
	gs_wake(s);
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
				gs_process_dirty(s);
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
		gs_call_unref_locked(call);
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
