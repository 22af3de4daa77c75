/* SPDX-License-Identifier: MIT */
/*
 * net/httpc against a scripted HTTP server on loopback (a thread in this file: it reads each
 * request head and body and answers with the next scripted bytes, or closes, or stays silent),
 * plain and over TLS (a certificate made here, trusted through SSL_CERT_FILE): bodies by length,
 * chunks and end of stream, keep-alive reuse, the one silent re-send on a stale reused connection
 * and none for fresh requests, timeouts, caps, malformed answers, certificate and host name checks,
 * proxies (absolute form, CONNECT, NO_PROXY). Includes httpc.c for its URL and NO_PROXY helpers.
 * In the normal build it links OpenSSL statically, as the provider does (mk/provider.mk), so the
 * https cases run on net/osslmini's reduced provider.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>

#include "net/httpc.c"
#include "test.h"

#define ACT_MAX 8

enum act_kind { ACT_REPLY, ACT_CLOSE, ACT_SILENT };
struct act {
	enum act_kind kind;
	const char *bytes;
	int close_after;
};

struct srv {
	int lfd, port;
	SSL_CTX *tls;
	struct act acts[ACT_MAX];
	int nacts, next;
	int conns;       /* connections accepted */
	char last[8192]; /* the last request head received */
	int stop;
	pthread_t th;
};

static ssize_t srv_read(SSL *ssl, int fd, char *p, size_t n)
{
	size_t got;

	if (ssl)
		return SSL_read_ex(ssl, p, n, &got) == 1 ? (ssize_t)got : 0;
	return recv(fd, p, n, 0);
}

static void srv_write(SSL *ssl, int fd, const char *p, size_t n)
{
	size_t done;

	if (ssl)
		SSL_write_ex(ssl, p, n, &done);
	else if (send(fd, p, n, MSG_NOSIGNAL) < 0)
		return;
}

/* One request head + Content-Length body; 0 at EOF. */
static int srv_request(struct srv *s, SSL *ssl, int fd)
{
	char buf[8192];
	size_t len = 0;
	ssize_t k;
	char *end, *cl;
	size_t body = 0;

	for (;;) {
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end) {
			cl = strcasestr(buf, "\r\nContent-Length: ");
			body = cl && cl < end ? (size_t)strtoul(cl + 18, NULL, 10) : 0;
			if (len >= (size_t)(end + 4 - buf) + body)
				break;
		}
		if (len >= sizeof(buf) - 1)
			return 0;
		k = srv_read(ssl, fd, buf + len, sizeof(buf) - 1 - len);
		if (k <= 0)
			return 0;
		len += (size_t)k;
	}
	snprintf(s->last, sizeof(s->last), "%s", buf);
	return 1;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	int fd, alive;
	SSL *ssl;
	struct act *a;

	while (!s->stop) {
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0 || s->stop) {
			if (fd >= 0)
				close(fd);
			break;
		}
		s->conns++;
		ssl = NULL;
		if (s->tls) {
			ssl = SSL_new(s->tls);
			SSL_set_fd(ssl, fd);
			if (SSL_accept(ssl) != 1) {
				SSL_free(ssl);
				close(fd);
				continue;
			}
		}
		for (alive = 1; alive && srv_request(s, ssl, fd);) {
			a = s->next < s->nacts ? &s->acts[s->next++] : NULL;
			if (!a || a->kind == ACT_CLOSE) {
				alive = 0;
			} else if (a->kind == ACT_SILENT) {
				while (!s->stop)
					usleep(10000);
				alive = 0;
			} else {
				srv_write(ssl, fd, a->bytes, strlen(a->bytes));
				alive = !a->close_after;
			}
		}
		if (ssl)
			SSL_free(ssl);
		close(fd);
	}
	return NULL;
}

static void srv_start(struct srv *s, SSL_CTX *tls)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	memset(s, 0, sizeof(*s));
	s->tls = tls;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s->lfd, 8) != 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&sa, &len) != 0)
		abort();
	s->port = ntohs(sa.sin_port);
}

static void srv_go(struct srv *s)
{
	pthread_create(&s->th, NULL, srv_main, s);
}

static void srv_add(struct srv *s, enum act_kind kind, const char *bytes, int close_after)
{
	s->acts[s->nacts].kind = kind;
	s->acts[s->nacts].bytes = bytes;
	s->acts[s->nacts].close_after = close_after;
	s->nacts++;
}

static void srv_stop(struct srv *s)
{
	int fd;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	s->stop = 1;
	sa.sin_port = htons((uint16_t)s->port);
	fd = socket(AF_INET, SOCK_STREAM, 0); /* wakes accept() */
	if (fd >= 0) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
			(void)0;
		close(fd);
	}
	pthread_join(s->th, NULL);
	close(s->lfd);
}

static struct httpc *mk(long timeout_ms, int insecure)
{
	struct httpc_opts o = { 2000, timeout_ms, insecure };
	struct httpc *h = NULL;

	if (httpc_new(&o, &h) != 0)
		abort();
	return h;
}

static enum httpc_err get(struct httpc *h, const char *url, int fresh, struct httpc_response *resp)
{
	static const char *const hdrs[] = { "Accept: application/json" };
	struct httpc_request rq = { .method = "GET", .url = url, .headers = hdrs, .nheaders = 1, .fresh = fresh };

	return httpc_do(h, &rq, resp);
}

static char *url_of(const struct srv *s, const char *scheme, const char *host, const char *path)
{
	static char u[256];

	snprintf(u, sizeof(u), "%s://%s:%d%s", scheme, host, s->port, path);
	return u;
}

#define OK200(body) "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id:  r-1 \r\nContent-Length: " body

TEST(length_answers_keep_the_connection_and_headers_are_found)
{
	struct srv s;
	struct httpc *h = mk(5000, 0);
	struct httpc_response r;
	char v[64];

	srv_start(&s, NULL);
	srv_add(&s, ACT_REPLY, OK200("7\r\n\r\n{\"a\":1}"), 0);
	srv_add(&s, ACT_REPLY, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}", 0);
	srv_go(&s);
	ASSERT_EQ_INT(get(h, url_of(&s, "http", "127.0.0.1", "/iam/v1alpha1/api-keys?page=1"), 0, &r), HTTPC_OK);
	ASSERT_EQ_INT(r.status, 200);
	ASSERT_EQ_STR(r.body.data, "{\"a\":1}");
	ASSERT_EQ_STR(httpc_response_header(&r, "x-request-id", v, sizeof(v)), "r-1");
	ASSERT(httpc_response_header(&r, "Retry-After", v, sizeof(v)) == NULL);
	ASSERT(strstr(s.last, "GET /iam/v1alpha1/api-keys?page=1 HTTP/1.1\r\n") == s.last);
	ASSERT(strstr(s.last, "\r\nAccept: application/json\r\n") != NULL);
	ASSERT(strstr(s.last, "Content-Length") == NULL); /* a GET without a body */
	httpc_response_release(&r);
	ASSERT_EQ_INT(get(h, url_of(&s, "http", "127.0.0.1", "/x"), 0, &r), HTTPC_OK);
	ASSERT_EQ_INT(r.status, 404);
	ASSERT_EQ_STR(r.body.data, "{}");
	httpc_response_release(&r);
	ASSERT_EQ_UINT(httpc_connections_opened(h), 1);
	httpc_free(h);
	srv_stop(&s);
	ASSERT_EQ_INT(s.conns, 1);
}

TEST(chunked_and_end_of_stream_bodies_and_1xx)
{
	struct srv s;
	struct httpc *h = mk(5000, 0);
	struct httpc_response r;
	static const char *const hdrs[] = { "Content-Type: application/json" };
	struct httpc_request rq = {
		.method = "POST", .headers = hdrs, .nheaders = 1, .body = "{\"d\":2}", .body_len = 7, .has_body = 1
	};

	srv_start(&s, NULL);
	srv_add(&s, ACT_REPLY,
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"3;ext=1\r\n{\"k\r\nB\r\n\":\"chunks\"}\r\n0\r\nTrailer: x\r\n\r\n",
		0);
	srv_add(&s, ACT_REPLY, "HTTP/1.0 200 OK\r\n\r\nuntil the end", 1);
	srv_go(&s);
	rq.url = url_of(&s, "http", "127.0.0.1", "/p");
	ASSERT_EQ_INT(httpc_do(h, &rq, &r), HTTPC_OK);
	ASSERT_EQ_INT(r.status, 200);
	ASSERT_EQ_STR(r.body.data, "{\"k\":\"chunks\"}");
	ASSERT(strstr(s.last, "\r\nContent-Length: 7\r\n\r\n{\"d\":2}") != NULL);
	httpc_response_release(&r);
	ASSERT_EQ_INT(get(h, rq.url, 0, &r), HTTPC_OK);
	ASSERT_EQ_STR(r.body.data, "until the end");
	httpc_response_release(&r);
	ASSERT_EQ_UINT(httpc_connections_opened(h), 1); /* the chunked answer kept it open */
	httpc_free(h);
	srv_stop(&s);
}

TEST(stale_reused_connection_is_retried_once_but_never_for_fresh_requests)
{
	struct srv s;
	struct httpc *h = mk(5000, 0);
	struct httpc_response r;

	srv_start(&s, NULL);
	srv_add(&s, ACT_REPLY, OK200("2\r\n\r\n{}"), 0);
	srv_add(&s, ACT_CLOSE, NULL, 0);                     /* reads the 2nd request, closes without an answer */
	srv_add(&s, ACT_REPLY, OK200("4\r\n\r\n\"ok\""), 1); /* (one connection at a time) */
	srv_add(&s, ACT_CLOSE, NULL, 0);                     /* a fresh request whose answer is lost */
	srv_go(&s);
	ASSERT_EQ_INT(get(h, url_of(&s, "http", "127.0.0.1", "/a"), 0, &r), HTTPC_OK);
	httpc_response_release(&r);
	/* Reused connection dies before an answer byte: sent again once on a new connection. */
	ASSERT_EQ_INT(get(h, url_of(&s, "http", "127.0.0.1", "/b"), 0, &r), HTTPC_OK);
	ASSERT_EQ_STR(r.body.data, "\"ok\"");
	httpc_response_release(&r);
	ASSERT_EQ_UINT(httpc_connections_opened(h), 2);
	/* Fresh: a new connection even though one is idle, and the lost answer is reported. */
	ASSERT_EQ_INT(get(h, url_of(&s, "http", "127.0.0.1", "/c"), 1, &r), HTTPC_E_NOTHING);
	ASSERT_EQ_INT(r.status, 0);
	httpc_response_release(&r);
	ASSERT_EQ_UINT(httpc_connections_opened(h), 3);
	httpc_free(h);
	srv_stop(&s);
	ASSERT_EQ_INT(s.next, 4); /* exactly four requests reached the server */
}

TEST(bad_answers_caps_and_timeouts)
{
	struct srv s;
	struct httpc *h = mk(5000, 0), *slow = mk(300, 0);
	struct httpc_response r;
	struct httpc_request rq = { .method = "GET", .max_body = 8 };
	uint64_t t0;

	srv_start(&s, NULL);
	srv_add(&s, ACT_REPLY, "SMTP ready\r\n\r\n", 1);
	srv_add(&s, ACT_REPLY, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 1);
	srv_add(&s, ACT_REPLY, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n123456789", 1);
	srv_add(&s, ACT_REPLY, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", 1);
	srv_add(&s, ACT_SILENT, NULL, 0);
	srv_go(&s);
	ASSERT_EQ_INT(get(h, url_of(&s, "http", "127.0.0.1", "/"), 0, &r), HTTPC_E_PROTO);
	httpc_response_release(&r);
	ASSERT_EQ_INT(get(h, url_of(&s, "http", "127.0.0.1", "/"), 0, &r), HTTPC_E_PARTIAL);
	httpc_response_release(&r);
	rq.url = url_of(&s, "http", "127.0.0.1", "/");
	ASSERT_EQ_INT(httpc_do(h, &rq, &r), HTTPC_E_TOOBIG);
	httpc_response_release(&r);
	ASSERT_EQ_INT(get(h, url_of(&s, "http", "127.0.0.1", "/"), 0, &r), HTTPC_E_PROTO);
	httpc_response_release(&r);
	t0 = now_ms();
	ASSERT_EQ_INT(get(slow, url_of(&s, "http", "127.0.0.1", "/"), 0, &r), HTTPC_E_TIMEOUT);
	ASSERT(now_ms() - t0 >= 250 && now_ms() - t0 < 3000);
	httpc_response_release(&r);
	httpc_free(h);
	httpc_free(slow);
	srv_stop(&s);
	/* Nobody listens there any more. */
	h = mk(5000, 0);
	ASSERT_EQ_INT(get(h, url_of(&s, "http", "127.0.0.1", "/"), 0, &r), HTTPC_E_CONNECT);
	httpc_response_release(&r);
	ASSERT_EQ_INT(get(h, "ftp://127.0.0.1/", 0, &r), HTTPC_E_URL);
	httpc_response_release(&r);
	ASSERT_EQ_INT(get(h, "http://user@127.0.0.1/", 0, &r), HTTPC_E_URL);
	httpc_response_release(&r);
	httpc_free(h);
}

TEST(cancel_flag_stops_a_waiting_request)
{
	struct srv s;
	struct httpc *h = mk(10000, 0);
	struct httpc_response r;
	static volatile int cancel = 1;
	struct httpc_request rq = { .method = "GET", .cancel = &cancel };

	srv_start(&s, NULL);
	srv_go(&s);
	rq.url = url_of(&s, "http", "127.0.0.1", "/");
	ASSERT_EQ_INT(httpc_do(h, &rq, &r), HTTPC_E_CANCELED);
	httpc_response_release(&r);
	httpc_free(h);
	srv_stop(&s);
}

/* ---- TLS ---- */

/* The test's TLS server lives in a library context of its own (OpenSSL's default provider), so
 * that the client side is httpc's alone: in the normal build this binary links OpenSSL statically
 * like the provider, and httpc then runs on net/osslmini's provider (checked below). */
static OSSL_LIB_CTX *srvlib;

static X509 *make_cert(const char *alg, EVP_PKEY **keyp)
{
	EVP_PKEY *key = !strcmp(alg, "EC") ? EVP_PKEY_Q_keygen(srvlib, NULL, "EC", "P-256")
					   : EVP_PKEY_Q_keygen(srvlib, NULL, "RSA", (size_t)2048);
	X509 *x = X509_new_ex(srvlib, NULL);
	X509_NAME *n;
	X509_EXTENSION *ext;
	X509V3_CTX v3;

	if (!key || !x)
		return NULL;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, key, EVP_sha256());
	*keyp = key;
	return x;
}

static void tls_checks(const char *alg)
{
	struct srv s;
	struct httpc *h;
	struct httpc_response r;
	EVP_PKEY *key = NULL;
	X509 *crt = make_cert(alg, &key);
	SSL_CTX *ctx = SSL_CTX_new_ex(srvlib, NULL, TLS_server_method());
	char path[] = "/tmp/scw-httpc-ca-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	ASSERT(f && ctx && crt);
	PEM_write_X509(f, crt);
	fclose(f);
	ASSERT(SSL_CTX_use_certificate(ctx, crt) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1);
	srv_start(&s, ctx);
	srv_add(&s, ACT_REPLY, OK200("5\r\n\r\n\"tls\""), 1);
	srv_add(&s, ACT_REPLY, OK200("5\r\n\r\n\"any\""), 1);
	srv_go(&s);
	/* Not in the trusted set (a directory without it): refused before any request. */
	setenv("SSL_CERT_DIR", "/nonexistent-scw-dir", 1);
	h = mk(5000, 0);
	ASSERT_EQ_INT(get(h, url_of(&s, "https", "localhost", "/"), 0, &r), HTTPC_E_TLS_VERIFY);
	httpc_response_release(&r);
	httpc_free(h);
	unsetenv("SSL_CERT_DIR");
	/* Trusted through SSL_CERT_FILE: served; the name must match (an IP is not "localhost"). */
	setenv("SSL_CERT_FILE", path, 1);
	h = mk(5000, 0);
	ASSERT_EQ_INT(get(h, url_of(&s, "https", "localhost", "/"), 0, &r), HTTPC_OK);
	ASSERT_EQ_STR(r.body.data, "\"tls\"");
	ASSERT(strstr(s.last, "\r\nHost: localhost:") != NULL);
	httpc_response_release(&r);
	ASSERT_EQ_INT(get(h, url_of(&s, "https", "127.0.0.1", "/"), 0, &r), HTTPC_E_TLS_VERIFY);
	httpc_response_release(&r);
	httpc_free(h);
	unsetenv("SSL_CERT_FILE");
	/* insecure: neither is checked. */
	h = mk(5000, 1);
	ASSERT_EQ_INT(get(h, url_of(&s, "https", "127.0.0.1", "/"), 0, &r), HTTPC_OK);
	ASSERT_EQ_STR(r.body.data, "\"any\"");
	httpc_response_release(&r);
	httpc_free(h);
	srv_stop(&s);
	unlink(path);
	X509_free(crt);
	EVP_PKEY_free(key);
	SSL_CTX_free(ctx);
}

TEST(tls_with_an_ec_certificate_checks_peer_and_host_name)
{
	tls_checks("EC");
}

TEST(tls_with_an_rsa_certificate_checks_peer_and_host_name)
{
	tls_checks("RSA");
}

TEST(trusted_cas_come_from_the_system_or_the_environment)
{
	SSL_CTX *t = SSL_CTX_new(TLS_client_method());

	ASSERT(t != NULL);
	/* This machine has a CA store (Debian: hashed /etc/ssl/certs). */
	ASSERT(hashed_dir("/etc/ssl/certs") || access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0);
	ASSERT_EQ_INT(load_cas(t), 1);
	ASSERT_EQ_INT(hashed_dir("/nonexistent-scw-dir"), 0);
	setenv("SSL_CERT_FILE", "/nonexistent-scw-file.pem", 1);
	ASSERT_EQ_INT(load_cas(t), 0); /* named but unreadable: an error, not a fallback */
	unsetenv("SSL_CERT_FILE");
	SSL_CTX_free(t);
}

TEST(static_openssl_runs_on_the_reduced_provider)
{
#ifdef TEST_STATIC_OPENSSL
	ASSERT_EQ_INT(osslmini_load(), 1);
	/* ... alone: OpenSSL's default provider never came up in the default context. */
	ASSERT_EQ_INT(OSSL_PROVIDER_available(NULL, "scw-tls"), 1);
	ASSERT_EQ_INT(OSSL_PROVIDER_available(NULL, "default"), 0);
#else
	ASSERT_EQ_INT(osslmini_load(), 0); /* a shared libcrypto: OpenSSL's default provider */
#endif
}

/* ---- proxies ---- */

TEST(proxies_from_the_environment)
{
	struct srv s;
	struct httpc *h = mk(5000, 0);
	struct httpc_response r;
	struct url u;

	srv_start(&s, NULL);
	srv_add(&s, ACT_REPLY, OK200("2\r\n\r\n{}"), 1);
	srv_add(&s, ACT_REPLY, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", 1);
	srv_go(&s);
	/* The scripted server plays the proxy: absolute form, credentials in Basic. */
	{
		char purl[128];

		snprintf(purl, sizeof(purl), "http://ann:s3cret@127.0.0.1:%d/", s.port);
		setenv("http_proxy", purl, 1);
	}
	ASSERT_EQ_INT(get(h, "http://api.example.invalid:8080/iam?x=1", 0, &r), HTTPC_OK);
	ASSERT(strstr(s.last, "GET http://api.example.invalid:8080/iam?x=1 HTTP/1.1\r\n") == s.last);
	ASSERT(strstr(s.last, "\r\nHost: api.example.invalid:8080\r\n") != NULL);
	ASSERT(strstr(s.last, "\r\nProxy-Authorization: Basic YW5uOnMzY3JldA==\r\n") != NULL);
	httpc_response_release(&r);
	/* https through it: a CONNECT tunnel, which this proxy refuses. */
	setenv("HTTPS_PROXY", getenv("http_proxy"), 1);
	ASSERT_EQ_INT(get(h, "https://api.example.invalid/iam", 0, &r), HTTPC_E_CONNECT);
	ASSERT(strstr(s.last,
		      "CONNECT api.example.invalid:443 HTTP/1.1\r\nHost: api.example.invalid:443\r\n"
		      "Proxy-Authorization: Basic YW5uOnMzY3JldA==\r\n\r\n") == s.last);
	httpc_response_release(&r);
	unsetenv("HTTPS_PROXY");
	/* NO_PROXY: the name and its subdomains, "*" for all; other names still go through it. */
	setenv("no_proxy", "localhost, .example.invalid", 1);
	ASSERT(no_proxy("api.example.invalid") && no_proxy("example.invalid") && no_proxy("LOCALHOST"));
	ASSERT(!no_proxy("badexample.invalid") && !no_proxy("example.invalid.org"));
	ASSERT_EQ_INT(parse_url("http://api.example.invalid/", &u, 0), 0);
	ASSERT(proxy_for(&u) == NULL);
	ASSERT_EQ_INT(parse_url("http://other.test/", &u, 0), 0);
	ASSERT(proxy_for(&u) != NULL);
	setenv("no_proxy", "*", 1);
	ASSERT(proxy_for(&u) == NULL);
	unsetenv("no_proxy");
	unsetenv("http_proxy");
	ASSERT(proxy_for(&u) == NULL);
	httpc_free(h);
	srv_stop(&s);
}

TEST(urls)
{
	struct url u;

	ASSERT_EQ_INT(parse_url("https://api.scaleway.com/iam/v1alpha1/users?page=2", &u, 0), 0);
	ASSERT(u.tls && !strcmp(u.host, "api.scaleway.com") && !strcmp(u.port, "443"));
	ASSERT_EQ_STR(u.target, "/iam/v1alpha1/users?page=2");
	ASSERT_EQ_INT(parse_url("http://[::1]:8080", &u, 0), 0);
	ASSERT(u.ipv6 && !strcmp(u.host, "::1") && !strcmp(u.port, "8080") && !strcmp(u.target, ""));
	ASSERT_EQ_INT(parse_url("http://h:0/", &u, 0), -1);
	ASSERT_EQ_INT(parse_url("http://h:65536/", &u, 0), -1);
	ASSERT_EQ_INT(parse_url("http://:80/", &u, 0), -1);
	ASSERT_EQ_INT(parse_url("http://h#frag", &u, 0), -1);
	ASSERT_EQ_INT(parse_url("proxy.corp:3128", &u, 1), 0);
	ASSERT(!strcmp(u.host, "proxy.corp") && !strcmp(u.port, "3128"));
	ASSERT_EQ_INT(parse_url("http://u:p@proxy.corp", &u, 1), 0);
	ASSERT(!strcmp(u.host, "proxy.corp") && !strcmp(u.port, "1080"));
	ASSERT_EQ_INT(parse_url("https://proxy.corp", &u, 1), -1);
}

int main(void)
{
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	/* As the provider starts OpenSSL (net/tls.c, net/httpc.c): without the system openssl.cnf,
	 * then the reduced provider, before anything else uses OpenSSL's default context. */
	OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL);
	osslmini_load();
	srvlib = OSSL_LIB_CTX_new();
	RUN(urls);
	RUN(length_answers_keep_the_connection_and_headers_are_found);
	RUN(chunked_and_end_of_stream_bodies_and_1xx);
	RUN(stale_reused_connection_is_retried_once_but_never_for_fresh_requests);
	RUN(bad_answers_caps_and_timeouts);
	RUN(cancel_flag_stops_a_waiting_request);
	RUN(tls_with_an_ec_certificate_checks_peer_and_host_name);
	RUN(tls_with_an_rsa_certificate_checks_peer_and_host_name);
	RUN(trusted_cas_come_from_the_system_or_the_environment);
	RUN(static_openssl_runs_on_the_reduced_provider);
	RUN(proxies_from_the_environment);
	OSSL_LIB_CTX_free(srvlib);
	return test_done();
}
