/* SPDX-License-Identifier: MIT */
/* httpc: a small HTTP/1.1 client on OpenSSL (see httpc.h): URLs, proxies, connections, the exchange.
 * Reading an answer is in httpc_read.c. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "net/httpc.h"
#include "net/httpc_int.h"
#include "net/osslmini.h"

#define HOST_MAX 256
#define KEY_MAX (HOST_MAX * 2 + 32)
#define BODY_MAX_DEFAULT ((size_t)16 << 20)
#define REQ_HEAD_MAX (64 * 1024)
#define INLINE_BODY_MAX (64 * 1024) /* bodies up to this go out in the same write as the head */
#define IDLE_MAX 16
#define SLICE_MS 50 /* cancel flags are checked at least this often */

struct hconn {
	int fd;
	SSL *ssl;
	char key[KEY_MAX]; /* the origin (and proxy) it is connected to */
	struct hconn *next;
};

struct httpc {
	struct httpc_opts o;
	pthread_mutex_t mu;
	SSL_CTX *ctx; /* made on the first https request */
	int ctx_failed;
	struct hconn *idle;
	size_t nidle;
	unsigned long opened;
};

struct url {
	int tls;
	char host[HOST_MAX]; /* without brackets */
	char port[8];
	int ipv6;
	const char *target; /* path and query; "" means "/" */
};

/* ---- time and waiting ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int cancelled(const struct httpc_request *req)
{
	return (req->cancel && *req->cancel) || (req->stop && *req->stop);
}

/* Wait until fd is ready for events, the deadline passes or a cancel flag is set. */
static enum httpc_err wait_fd(int fd, short events, uint64_t deadline, const struct httpc_request *req)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t now;
	int r;

	for (;;) {
		if (cancelled(req))
			return HTTPC_E_CANCELED;
		now = now_ms();
		if (now >= deadline)
			return HTTPC_E_TIMEOUT;
		r = poll(&p, 1, (int)(deadline - now < SLICE_MS ? deadline - now : SLICE_MS));
		if (r > 0)
			return HTTPC_OK;
		if (r < 0 && errno != EINTR)
			return HTTPC_E_RECV;
	}
}

/* ---- URLs and proxies ---- */

/* scheme://host[:port][target]. Userinfo is refused, except in a proxy URL (its credentials). */
static int parse_url(const char *u, struct url *out, int proxy)
{
	const char *p, *h, *he, *at;
	size_t n;
	long port;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!strncasecmp(u, "https://", 8)) {
		out->tls = 1;
		p = u + 8;
	} else if (!strncasecmp(u, "http://", 7)) {
		p = u + 7;
	} else if (proxy && !strstr(u, "://")) {
		p = u; /* a proxy given as host:port */
	} else {
		return -1;
	}
	if (proxy && out->tls)
		return -1; /* https:// proxies are not supported */
	if (proxy) {
		at = memchr(p, '@', strcspn(p, "/?#"));
		if (at)
			p = at + 1;
	}
	h = p;
	if (*h == '[') {
		he = strchr(h, ']');
		if (!he)
			return -1;
		h++;
		out->ipv6 = 1;
		p = he + 1;
	} else {
		he = h + strcspn(h, ":/?#@");
		p = he;
	}
	n = (size_t)(he - h);
	if (n == 0 || n >= sizeof(out->host))
		return -1;
	memcpy(out->host, h, n);
	out->host[n] = '\0';
	if (*p == ':') {
		n = strspn(p + 1, "0123456789");
		if (n == 0 || n > 5)
			return -1;
		port = strtol(p + 1, &end, 10);
		if (port <= 0 || port > 65535)
			return -1;
		memcpy(out->port, p + 1, n);
		out->port[n] = '\0';
		p += 1 + n;
	} else {
		snprintf(out->port, sizeof(out->port), "%s", proxy ? "1080" : out->tls ? "443" : "80");
	}
	if (*p && *p != '/' && *p != '?')
		return -1;
	out->target = p;
	return 0;
}

/* NO_PROXY: comma-separated names; "*" matches every host; "example.com" and ".example.com"
 * match that name and its subdomains. */
static int no_proxy(const char *host)
{
	const char *np = getenv("no_proxy"), *p, *e;
	size_t hl = strlen(host), n;

	if (!np || !*np)
		np = getenv("NO_PROXY");
	if (!np)
		return 0;
	for (p = np; *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && *p == '*')
			return 1;
		if (n > 0 && *p == '.') {
			p++;
			n--;
		}
		if (n == 0 || n > hl)
			continue;
		if (!strncasecmp(host + hl - n, p, n) && (hl == n || host[hl - n - 1] == '.'))
			return 1;
	}
	return 0;
}

/* The proxy URL for a target, as curl picks it; NULL for none. */
static const char *proxy_for(const struct url *u)
{
	const char *v;

	if (u->tls) {
		v = getenv("https_proxy");
		if (!v || !*v)
			v = getenv("HTTPS_PROXY");
	} else {
		v = getenv("http_proxy"); /* curl ignores HTTP_PROXY (CGI's "Proxy:" header) */
	}
	if (!v || !*v)
		v = getenv("all_proxy");
	if (!v || !*v)
		v = getenv("ALL_PROXY");
	if (!v || !*v || no_proxy(u->host))
		return NULL;
	return v;
}

/* "user:pass" of a proxy URL, Basic-encoded into out ("" when none). */
static int proxy_auth(const char *purl, struct buf *out)
{
	const char *p = strstr(purl, "://"), *at, *end;
	size_t n;
	int len;

	p = p ? p + 3 : purl;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (!at)
		return 0;
	n = (size_t)(at - p);
	if (n > 1024 || buf_reserve(out, 4 * ((n + 2) / 3) + 1) < 0)
		return -1;
	len = EVP_EncodeBlock((unsigned char *)out->data + out->len, (const unsigned char *)p, (int)n);
	out->len += (size_t)len;
	out->data[out->len] = '\0';
	return 0;
}

/* ---- connections ---- */

static void conn_close(struct hconn *c)
{
	if (!c)
		return;
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static enum httpc_err tcp_connect(const char *host, const char *port, uint64_t deadline,
				  const struct httpc_request *req, int proxy, int *out)
{
	struct addrinfo hints, *res = NULL, *ai;
	enum httpc_err e = HTTPC_E_CONNECT, w;
	int fd, one = 1, err;
	socklen_t len;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	if (getaddrinfo(host, port, &hints, &res) != 0 || !res)
		return proxy ? HTTPC_E_RESOLVE_PROXY : HTTPC_E_RESOLVE;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
			close(fd);
			continue;
		}
		w = wait_fd(fd, POLLOUT, deadline, req);
		err = 0;
		len = sizeof(err);
		if (w == HTTPC_OK && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
			*out = fd;
			e = HTTPC_OK;
			break;
		}
		close(fd);
		if (w == HTTPC_E_CANCELED) {
			e = w;
			break;
		}
	}
	freeaddrinfo(res);
	return e;
}

/* Write all of p; HTTPC_E_SEND when the connection fails. */
static enum httpc_err conn_write(struct hconn *c, const void *p, size_t n, uint64_t deadline,
				 const struct httpc_request *req)
{
	const uint8_t *q = p;
	size_t done;
	ssize_t k;
	enum httpc_err w;
	int e;

	while (n > 0) {
		if (c->ssl) {
			ERR_clear_error();
			if (SSL_write_ex(c->ssl, q, n, &done) == 1) {
				q += done;
				n -= done;
				continue;
			}
			e = SSL_get_error(c->ssl, 0);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				return HTTPC_E_SEND;
			w = wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, req);
		} else {
			k = send(c->fd, q, n, MSG_NOSIGNAL);
			if (k > 0) {
				q += k;
				n -= (size_t)k;
				continue;
			}
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				return HTTPC_E_SEND;
			w = wait_fd(c->fd, POLLOUT, deadline, req);
		}
		if (w != HTTPC_OK)
			return w;
	}
	return HTTPC_OK;
}

/* Read some bytes: > 0, 0 at the end of the stream, -1 with *err set. */
static long conn_read(struct hconn *c, void *p, size_t n, uint64_t deadline, const struct httpc_request *req,
		      enum httpc_err *err)
{
	size_t got;
	ssize_t k;
	enum httpc_err w;
	int e;

	for (;;) {
		if (c->ssl) {
			ERR_clear_error();
			if (SSL_read_ex(c->ssl, p, n, &got) == 1)
				return (long)got;
			e = SSL_get_error(c->ssl, 0);
			if (e == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
				*err = HTTPC_E_RECV;
				return -1;
			}
			w = wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, req);
		} else {
			k = recv(c->fd, p, n, 0);
			if (k >= 0)
				return (long)k;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				*err = HTTPC_E_RECV;
				return -1;
			}
			w = wait_fd(c->fd, POLLIN, deadline, req);
		}
		if (w != HTTPC_OK) {
			*err = w;
			return -1;
		}
	}
}

/* A directory of OpenSSL hash links ("1a2b3c4d.0")? */
static int hashed_dir(const char *d)
{
	DIR *dir = opendir(d);
	struct dirent *e;
	int found = 0;

	if (!dir)
		return 0;
	while (!found && (e = readdir(dir)))
		found = strlen(e->d_name) >= 10 && strspn(e->d_name, "0123456789abcdef") == 8 && e->d_name[8] == '.';
	closedir(dir);
	return found;
}

/* The trusted CAs: SSL_CERT_FILE and/or SSL_CERT_DIR when set; else the hashed directory of this
 * OpenSSL build (read lazily: only the issuer's file), else the first bundle of the usual places
 * (Go's list for Linux: Debian, Fedora/RHEL, openSUSE, CentOS, Alpine), parsed whole. The binary
 * links OpenSSL statically, so the build machine's default path may not exist where it runs. */
static int load_cas(SSL_CTX *ctx)
{
	static const char *const dirs[] = { "/etc/ssl/certs", "/etc/pki/tls/certs" };
	static const char *const bundles[] = { "/etc/ssl/certs/ca-certificates.crt",
					       "/etc/pki/tls/certs/ca-bundle.crt",
					       "/etc/ssl/ca-bundle.pem",
					       "/etc/pki/tls/cacert.pem",
					       "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
					       "/etc/ssl/cert.pem" };
	const char *file = getenv("SSL_CERT_FILE"), *dir = getenv("SSL_CERT_DIR");
	size_t i;

	if ((file && *file) || (dir && *dir))
		return (!file || !*file || SSL_CTX_load_verify_file(ctx, file) == 1) &&
		       (!dir || !*dir || SSL_CTX_load_verify_dir(ctx, dir) == 1);
	if (hashed_dir(X509_get_default_cert_dir()))
		return SSL_CTX_load_verify_dir(ctx, X509_get_default_cert_dir());
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (hashed_dir(dirs[i]))
			return SSL_CTX_load_verify_dir(ctx, dirs[i]);
	for (i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++)
		if (access(bundles[i], R_OK) == 0)
			return SSL_CTX_load_verify_file(ctx, bundles[i]);
	return 0;
}

static SSL_CTX *client_ctx(struct httpc *h)
{
	SSL_CTX *ctx;
	static const unsigned char alpn[] = "\x08http/1.1";
	int ok = 1;

	pthread_mutex_lock(&h->mu);
	if (h->ctx || h->ctx_failed) {
		ctx = h->ctx;
		pthread_mutex_unlock(&h->mu);
		return ctx;
	}
	OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL);
	osslmini_load();
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx) {
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CLEANSE_PLAINTEXT |
						 SSL_OP_IGNORE_UNEXPECTED_EOF);
		SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1);
		if (!h->o.insecure) {
			SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
			ok = load_cas(ctx);
		}
		if (!ok) {
			log_error("https: cannot load the CA certificates (SSL_CERT_FILE, SSL_CERT_DIR)");
			SSL_CTX_free(ctx);
			ctx = NULL;
		}
	}
	h->ctx = ctx;
	h->ctx_failed = ctx == NULL;
	pthread_mutex_unlock(&h->mu);
	return ctx;
}

static enum httpc_err tls_start(struct httpc *h, struct hconn *c, const struct url *u, uint64_t deadline,
				const struct httpc_request *req)
{
	SSL_CTX *ctx = client_ctx(h);
	X509_VERIFY_PARAM *vp;
	enum httpc_err w;
	long vr;
	int e, ip;
	unsigned char addr[16];

	if (!ctx)
		return HTTPC_E_TLS_VERIFY; /* no trusted CAs (logged): nothing to retry */
	c->ssl = SSL_new(ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
		return HTTPC_E_NOMEM;
	ip = inet_pton(AF_INET, u->host, addr) == 1 || inet_pton(AF_INET6, u->host, addr) == 1;
	if (!ip)
		SSL_set_tlsext_host_name(c->ssl, u->host);
	if (!h->o.insecure) {
		vp = SSL_get0_param(c->ssl);
		if (ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, u->host) != 1 : SSL_set1_host(c->ssl, u->host) != 1)
			return HTTPC_E_TLS;
	}
	for (;;) {
		ERR_clear_error();
		if (SSL_connect(c->ssl) == 1)
			return HTTPC_OK;
		e = SSL_get_error(c->ssl, 0);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			vr = SSL_get_verify_result(c->ssl);
			if (vr != X509_V_OK) {
				log_kv(LOG_DEBUG, "https: the server's certificate did not verify", "host", u->host,
				       "reason", X509_verify_cert_error_string(vr), NULL);
				return HTTPC_E_TLS_VERIFY;
			}
			return HTTPC_E_TLS;
		}
		w = wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, req);
		if (w != HTTPC_OK)
			return w;
	}
}

/* An idle connection to key that still looks open (no byte and no EOF waiting), or NULL. */
static struct hconn *pool_take(struct httpc *h, const char *key)
{
	struct hconn **pp, *c;
	struct pollfd p;

	pthread_mutex_lock(&h->mu);
	for (pp = &h->idle; *pp;) {
		c = *pp;
		if (strcmp(c->key, key) != 0) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		h->nidle--;
		p.fd = c->fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 0) == 0) {
			pthread_mutex_unlock(&h->mu);
			c->next = NULL;
			return c;
		}
		conn_close(c); /* closed by the server, or unexpected bytes: not reusable */
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void pool_put(struct httpc *h, struct hconn *c)
{
	pthread_mutex_lock(&h->mu);
	if (h->nidle < IDLE_MAX) {
		c->next = h->idle;
		h->idle = c;
		h->nidle++;
		c = NULL;
	}
	pthread_mutex_unlock(&h->mu);
	conn_close(c);
}

/* A new connection to u, through the proxy purl when set (a CONNECT tunnel for https). */
static enum httpc_err conn_open(struct httpc *h, const struct url *u, const char *purl, const char *key,
				uint64_t deadline, const struct httpc_request *req, struct hconn **out)
{
	struct hconn *c = calloc(1, sizeof(*c));
	struct url pu;
	struct buf head, auth;
	enum httpc_err e;
	uint64_t cdl = now_ms() + (uint64_t)h->o.connect_timeout_ms;
	char line[12], ch;
	uint32_t tail = 0;
	long n;
	size_t got = 0;

	if (!c)
		return HTTPC_E_NOMEM;
	c->fd = -1;
	snprintf(c->key, sizeof(c->key), "%s", key);
	if (cdl > deadline)
		cdl = deadline;
	if (purl) {
		if (parse_url(purl, &pu, 1) < 0) {
			conn_close(c);
			return HTTPC_E_URL;
		}
		e = tcp_connect(pu.host, pu.port, cdl, req, 1, &c->fd);
	} else {
		e = tcp_connect(u->host, u->port, cdl, req, 0, &c->fd);
	}
	if (e == HTTPC_E_TIMEOUT)
		e = deadline <= now_ms() ? HTTPC_E_TIMEOUT : HTTPC_E_CONNECT;
	if (e == HTTPC_OK)
		__atomic_add_fetch(&h->opened, 1, __ATOMIC_RELAXED);
	if (e == HTTPC_OK && purl && u->tls) {
		/* CONNECT host:port; the tunnel is up on a 2xx, whose head we read to its end. */
		buf_init_secret(&head, 4096);
		buf_init_secret(&auth, 4096);
		e = proxy_auth(purl, &auth) < 0 ? HTTPC_E_NOMEM : HTTPC_OK;
		if (e == HTTPC_OK &&
		    buf_printf(&head, "CONNECT %s%s%s:%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n%s%s%s\r\n", u->ipv6 ? "[" : "",
			       u->host, u->ipv6 ? "]" : "", u->port, u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "",
			       u->port, auth.len ? "Proxy-Authorization: Basic " : "", auth.len ? auth.data : "",
			       auth.len ? "\r\n" : "") < 0)
			e = HTTPC_E_NOMEM;
		if (e == HTTPC_OK)
			e = conn_write(c, head.data, head.len, cdl, req);
		if (e == HTTPC_E_SEND)
			e = HTTPC_E_CONNECT;
		/* Byte by byte, so that nothing of the tunnelled stream is consumed; the status line's
		 * first 12 bytes are kept, the end of the head is found by its last four bytes. */
		while (e == HTTPC_OK && tail != 0x0d0a0d0au) {
			if (got > 64 * 1024) {
				e = HTTPC_E_CONNECT;
				break;
			}
			n = conn_read(c, &ch, 1, cdl, req, &e);
			if (n == 0)
				e = HTTPC_E_CONNECT;
			if (n <= 0)
				break;
			if (got < sizeof(line))
				line[got] = ch;
			got++;
			tail = tail << 8 | (uint8_t)ch;
		}
		if (e == HTTPC_E_RECV || e == HTTPC_E_TIMEOUT)
			e = deadline <= now_ms() ? HTTPC_E_TIMEOUT : HTTPC_E_CONNECT;
		buf_release(&head);
		buf_release(&auth);
		if (e == HTTPC_OK && !(got >= 12 && !memcmp(line, "HTTP/1.", 7) && line[9] == '2')) {
			log_kv(LOG_DEBUG, "https proxy refused the tunnel", "proxy", pu.host, NULL);
			e = HTTPC_E_CONNECT;
		}
	}
	if (e == HTTPC_OK && u->tls)
		e = tls_start(h, c, u, cdl, req);
	if (e == HTTPC_E_TIMEOUT && deadline > now_ms())
		e = HTTPC_E_CONNECT;
	if (e != HTTPC_OK) {
		conn_close(c);
		return e;
	}
	*out = c;
	return HTTPC_OK;
}

/* ---- one exchange ---- */

struct rd_io {
	struct hconn *c;
	const struct httpc_request *req;
	uint64_t deadline;
};

static long rd_io_read(void *io, void *p, size_t n, enum httpc_err *err)
{
	struct rd_io *x = io;

	return conn_read(x->c, p, n, x->deadline, x->req, err);
}

static enum httpc_err build_head(const struct httpc_request *req, const struct url *u, const char *purl,
				 struct buf *head)
{
	int def = !strcmp(u->port, u->tls ? "443" : "80");
	size_t i;

	if (buf_printf(head, "%s ", req->method) < 0)
		return HTTPC_E_NOMEM;
	if (purl && !u->tls && /* absolute form to an http proxy */
	    buf_printf(head, "http://%s%s%s:%s", u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "", u->port) < 0)
		return HTTPC_E_NOMEM;
	if (buf_printf(head, "%s%s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n", *u->target == '/' ? "" : "/", u->target,
		       u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "", def ? "" : ":", def ? "" : u->port) < 0)
		return HTTPC_E_NOMEM;
	if (purl && !u->tls) {
		struct buf auth;
		int r;

		buf_init_secret(&auth, 4096);
		r = proxy_auth(purl, &auth);
		if (r == 0 && auth.len)
			r = buf_printf(head, "Proxy-Authorization: Basic %s\r\n", auth.data);
		buf_release(&auth);
		if (r < 0)
			return HTTPC_E_NOMEM;
	}
	for (i = 0; i < req->nheaders; i++)
		if (buf_printf(head, "%s\r\n", req->headers[i]) < 0)
			return HTTPC_E_NOMEM;
	if ((req->has_body || !strcmp(req->method, "POST") || !strcmp(req->method, "PUT") ||
	     !strcmp(req->method, "PATCH")) &&
	    buf_printf(head, "Content-Length: %zu\r\n", req->has_body ? req->body_len : 0) < 0)
		return HTTPC_E_NOMEM;
	if (buf_append(head, "\r\n", 2) < 0)
		return HTTPC_E_NOMEM;
	if (req->has_body && req->body_len <= INLINE_BODY_MAX && buf_append(head, req->body, req->body_len) < 0)
		return HTTPC_E_NOMEM;
	return HTTPC_OK;
}

enum httpc_err httpc_do(struct httpc *h, const struct httpc_request *req, struct httpc_response *resp)
{
	struct url u;
	struct buf head;
	struct rd r;
	struct rd_io io;
	struct hconn *c = NULL;
	const char *purl;
	char key[KEY_MAX];
	uint64_t deadline = now_ms() + (uint64_t)h->o.timeout_ms;
	enum httpc_err e;
	int keep, attempt, reused;

	memset(resp, 0, sizeof(*resp));
	buf_init_secret(&resp->head, HEAD_MAX);
	buf_init_secret(&resp->body, req->max_body ? req->max_body : BODY_MAX_DEFAULT);
	if (parse_url(req->url, &u, 0) < 0)
		return HTTPC_E_URL;
	purl = proxy_for(&u);
	snprintf(key, sizeof(key), "%s://%s:%s|%s", u.tls ? "https" : "http", u.host, u.port, purl ? purl : "");
	buf_init_secret(&head, REQ_HEAD_MAX + INLINE_BODY_MAX);
	e = build_head(req, &u, purl, &head);
	memset(&r, 0, sizeof(r));
	for (attempt = 0; e == HTTPC_OK; attempt++) {
		if (cancelled(req)) {
			e = HTTPC_E_CANCELED;
			break;
		}
		c = (req->fresh || attempt > 0) ? NULL : pool_take(h, key);
		reused = c != NULL;
		if (!c) {
			e = conn_open(h, &u, purl, key, deadline, req, &c);
			if (e != HTTPC_OK)
				break;
		}
		e = conn_write(c, head.data, head.len, deadline, req);
		if (e == HTTPC_OK && req->has_body && req->body_len > INLINE_BODY_MAX)
			e = conn_write(c, req->body, req->body_len, deadline, req);
		if (e == HTTPC_OK) {
			mem_wiping_free(r.b);
			memset(&r, 0, sizeof(r));
			io.c = c;
			io.req = req;
			io.deadline = deadline;
			r.read = rd_io_read;
			r.io = &io;
			e = httpc_read_answer(&r, req->method, resp, &keep);
		}
		if (e == HTTPC_OK) {
			if (keep)
				pool_put(h, c);
			else
				conn_close(c);
			c = NULL;
			break;
		}
		conn_close(c);
		c = NULL;
		/* A reused connection the server had already closed: once more on a new one. */
		if (!(reused && r.total == 0 && (e == HTTPC_E_SEND || e == HTTPC_E_RECV || e == HTTPC_E_NOTHING)))
			break;
		resp->status = 0;
		buf_reset(&resp->head);
		buf_reset(&resp->body);
		e = HTTPC_OK;
	}
	if (e != HTTPC_OK)
		resp->status = 0;
	mem_wiping_free(r.b);
	buf_release(&head);
	return e;
}

/* ---- the rest of the interface ---- */

int httpc_new(const struct httpc_opts *o, struct httpc **out)
{
	struct httpc *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return ERR_NOMEM;
	if (o)
		h->o = *o;
	if (h->o.connect_timeout_ms <= 0)
		h->o.connect_timeout_ms = 10000;
	if (h->o.timeout_ms <= 0)
		h->o.timeout_ms = 60000;
	pthread_mutex_init(&h->mu, NULL);
	*out = h;
	return 0;
}

void httpc_free(struct httpc *h)
{
	struct hconn *c;

	if (!h)
		return;
	while ((c = h->idle)) {
		h->idle = c->next;
		conn_close(c);
	}
	SSL_CTX_free(h->ctx);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

void httpc_response_release(struct httpc_response *resp)
{
	if (!resp)
		return;
	buf_release(&resp->head);
	buf_release(&resp->body);
	resp->status = 0;
}

const char *httpc_response_header(const struct httpc_response *resp, const char *name, char *out, size_t outsz)
{
	const char *p = resp->head.data, *e, *v;
	size_t n, vlen;

	if (!p || outsz == 0)
		return NULL;
	for (; *p; p = e + 2) {
		e = strstr(p, "\r\n");
		if (!e)
			break;
		n = (size_t)(e - p);
		if (httpc_hdr_is(p, n, name, &v, &vlen)) {
			if (vlen >= outsz)
				vlen = outsz - 1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return out;
		}
	}
	return NULL;
}

unsigned long httpc_connections_opened(const struct httpc *h)
{
	return __atomic_load_n(&h->opened, __ATOMIC_RELAXED);
}

const char *httpc_strerror(enum httpc_err e)
{
	switch (e) {
	case HTTPC_OK: return "No error";
	case HTTPC_E_URL: return "URL using bad/illegal format or missing URL";
	case HTTPC_E_RESOLVE: return "Couldn't resolve host name";
	case HTTPC_E_RESOLVE_PROXY: return "Couldn't resolve proxy name";
	case HTTPC_E_CONNECT: return "Couldn't connect to server";
	case HTTPC_E_TLS: return "SSL connect error";
	case HTTPC_E_TLS_VERIFY: return "SSL peer certificate or host name did not verify";
	case HTTPC_E_SEND: return "Failed sending data to the peer";
	case HTTPC_E_RECV: return "Failure when receiving data from the peer";
	case HTTPC_E_NOTHING: return "Server returned nothing (no headers, no data)";
	case HTTPC_E_PARTIAL: return "Transferred a partial file";
	case HTTPC_E_PROTO: return "Weird server reply";
	case HTTPC_E_TIMEOUT: return "Timeout was reached";
	case HTTPC_E_TOOBIG: return "Answer too large";
	case HTTPC_E_CANCELED: return "Operation canceled";
	case HTTPC_E_NOMEM: return "Out of memory";
	}
	return "Unknown error";
}
