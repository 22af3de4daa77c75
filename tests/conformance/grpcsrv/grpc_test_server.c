/* SPDX-License-Identifier: MIT */
/*
 * grpc_test_server: the gRPC layer (src/grpc) alone, with test methods, for the conformance
 * client (tests/conformance/goplugin) to drive with a real grpc-go. Plaintext h2c on a fresh
 * unix socket whose path it prints on stdout. Methods (requests and responses are raw bytes):
 *   /test.T/Echo        unary: the request back
 *   /test.T/Big         unary: request "N": N bytes of a known pattern
 *   /test.T/Stream      server stream: request "COUNT SIZE": COUNT messages, message i is SIZE
 *                       bytes, the first 8 holding i as decimal text
 *   /test.T/StreamFail  server stream: two messages, then status FAILED_PRECONDITION
 *   /test.T/Fail        unary: request "CODE MESSAGE": that status and message
 *   /test.T/Delay       unary: request "MS": sleep MS milliseconds (cancellable), answer "done"
 *   /test.T/Hang        unary: block until cancelled, count the cancellation
 *   /test.T/Stats       unary: "cancelled=N" (calls that saw their cancel flag)
 *   /test.T/Quit        unary: reply, then stop the server (like go-plugin's Shutdown)
 * Requests are capped at 8 MiB. SIGTERM stops it too.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "grpc/server.h"
#include "net/unixsock.h"

static volatile int cancelled_count;
static struct grpc_server *volatile g_srv;

static void on_term(int sig)
{
	if (g_srv)
		grpc_server_stop(g_srv);
}

static long req_num(struct grpc_call *c, int which)
{
	size_t len;
	const uint8_t *p = grpc_call_request(c, &len);
	char tmp[64], *s, *end = NULL;
	long v = -1;

	if (len >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	s = tmp;
	while (which-- > 0) {
		s = strchr(s, ' ');
		if (!s)
			return -1;
		s++;
	}
	v = strtol(s, &end, 10);
	return end == s ? -1 : v;
}

/* Sleep up to ms, waking every millisecond to check the cancel flag. 1 when cancelled. */
static int sleep_cancellable(struct grpc_call *c, long ms)
{
	const volatile int *cancel = grpc_call_cancel_flag(c);
	struct timespec ts = { 0, 1000000 };
	long i;

	for (i = 0; i < ms; i++) {
		if (*cancel) {
			__atomic_add_fetch(&cancelled_count, 1, __ATOMIC_SEQ_CST);
			return 1;
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int h_echo(void *ud, struct grpc_call *c)
{
	size_t len;
	const uint8_t *p = grpc_call_request(c, &len);

	return buf_append(grpc_call_response(c), p, len) < 0 ? GRPC_STATUS_RESOURCE_EXHAUSTED : GRPC_STATUS_OK;
}

static int h_big(void *ud, struct grpc_call *c)
{
	long n = req_num(c, 0), i;
	struct buf *out = grpc_call_response(c);

	if (n < 0 || buf_reserve(out, (size_t)n) < 0)
		return GRPC_STATUS_INVALID_ARGUMENT;
	for (i = 0; i < n; i++)
		out->data[i] = (char)('a' + i % 26);
	out->len = (size_t)n;
	return GRPC_STATUS_OK;
}

static int h_stream(void *ud, struct grpc_call *c)
{
	long count = req_num(c, 0), size = req_num(c, 1), i;
	uint8_t *msg;
	int r = 0;

	if (count < 0 || size < 8 || size > (32 << 20))
		return GRPC_STATUS_INVALID_ARGUMENT;
	msg = malloc((size_t)size);
	if (!msg)
		return GRPC_STATUS_RESOURCE_EXHAUSTED;
	memset(msg, 'x', (size_t)size);
	for (i = 0; i < count && r == 0; i++) {
		char head[24];

		snprintf(head, sizeof(head), "%08ld", i);
		memcpy(msg, head, 8);
		r = grpc_call_emit(c, msg, (size_t)size);
	}
	free(msg);
	return r == ERR_CANCELED ? GRPC_STATUS_CANCELLED : r < 0 ? GRPC_STATUS_INTERNAL : GRPC_STATUS_OK;
}

static int h_stream_fail(void *ud, struct grpc_call *c)
{
	grpc_call_emit(c, (const uint8_t *)"one", 3);
	grpc_call_emit(c, (const uint8_t *)"two", 3);
	grpc_call_set_message(c, "stopped after two");
	return GRPC_STATUS_FAILED_PRECONDITION;
}

static int h_fail(void *ud, struct grpc_call *c)
{
	size_t len;
	const uint8_t *p = grpc_call_request(c, &len);
	const uint8_t *sp = memchr(p, ' ', len);
	long code = req_num(c, 0);
	char *msg;

	if (!sp || code < 0)
		return GRPC_STATUS_INVALID_ARGUMENT;
	msg = mem_strndup((const char *)sp + 1, len - (size_t)(sp + 1 - p));
	grpc_call_set_message(c, msg);
	free(msg);
	return (int)code;
}

static int h_delay(void *ud, struct grpc_call *c)
{
	long ms = req_num(c, 0);

	if (ms < 0)
		return GRPC_STATUS_INVALID_ARGUMENT;
	if (sleep_cancellable(c, ms))
		return GRPC_STATUS_CANCELLED;
	return buf_append_str(grpc_call_response(c), "done") < 0 ? GRPC_STATUS_INTERNAL : GRPC_STATUS_OK;
}

static int h_hang(void *ud, struct grpc_call *c)
{
	return sleep_cancellable(c, 60000) ? GRPC_STATUS_CANCELLED : GRPC_STATUS_DEADLINE_EXCEEDED;
}

static int h_stats(void *ud, struct grpc_call *c)
{
	return buf_printf(grpc_call_response(c), "cancelled=%d", __atomic_load_n(&cancelled_count, __ATOMIC_SEQ_CST)) <
			       0
		       ? GRPC_STATUS_INTERNAL
		       : GRPC_STATUS_OK;
}

static int h_quit(void *ud, struct grpc_call *c)
{
	return GRPC_STATUS_OK;
}

static const struct {
	const char *path;
	enum grpc_kind kind;
	grpc_handler_fn fn;
	int flags;
} routes[] = {
	{ "/test.T/Echo", GRPC_UNARY, h_echo, 0 },
	{ "/test.T/Big", GRPC_UNARY, h_big, 0 },
	{ "/test.T/Stream", GRPC_SERVER_STREAM, h_stream, 0 },
	{ "/test.T/StreamFail", GRPC_SERVER_STREAM, h_stream_fail, 0 },
	{ "/test.T/Fail", GRPC_UNARY, h_fail, 0 },
	{ "/test.T/Delay", GRPC_UNARY, h_delay, 0 },
	{ "/test.T/Hang", GRPC_UNARY, h_hang, 0 },
	{ "/test.T/Stats", GRPC_UNARY, h_stats, 0 },
	{ "/test.T/Quit", GRPC_UNARY, h_quit, GRPC_ROUTE_STOP_AFTER },
	{ "/test.T/Hold", GRPC_HOLD, NULL, 0 },
};

static int route(void *ud, const char *path, struct grpc_route *r)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(path, routes[i].path) == 0) {
			r->kind = routes[i].kind;
			r->fn = routes[i].fn;
			r->ud = NULL;
			r->flags = routes[i].flags;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

int main(void)
{
	struct unixsock sock = { .fd = -1 };
	struct grpc_server_opts o;
	struct grpc_server *srv = NULL;
	struct sigaction sa;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	log_setup(log_level_parse(getenv("TF_LOG"), LOG_WARN), 2, "grpc-test-server");
	r = unixsock_listen(&sock, NULL, NULL);
	if (r < 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.listen_fd = sock.fd;
	o.router = route;
	o.max_request = 8 << 20;
	r = grpc_server_new(&o, &srv);
	if (r < 0)
		goto out;
	printf("%s\n", sock.path);
	fflush(stdout);
	g_srv = srv;
	r = grpc_server_run(srv);
out:
	g_srv = NULL;
	grpc_server_free(srv);
	unixsock_close(&sock);
	return r < 0 ? 1 : 0;
}
