/* SPDX-License-Identifier: MIT */
/*
 * Secret hygiene of the client layer, checked on the real code paths: jansson under the wiping
 * allocator the provider installs, scwclient_do() over real HTTP on loopback (a one-shot
 * responder thread in this file plays the API), and the trace log. A wipe observer
 * (mem_set_wipe_observer) records which marker secrets were inside wiped ranges: the create
 * answer's raw bytes, the X-Auth-Token header line, the request body with a password, in the
 * client's buffers and in net/httpc's (request head, receive buffer, answer body). The log
 * at trace must show the redacted bodies and never a marker, including on error answers whose
 * body (JSON or not) echoes the secrets.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "client/scwclient.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "test.h"

#define SECRET "0b7e4c2a-61d9-4f3e-8a25-c9d1e07f3b58" /* the key's secret in the create answer */
#define TOKEN "7d3f9e21-4a6b-4c8d-9e0f-1a2b3c4d5e6f"  /* the client's own secret (X-Auth-Token) */
#define PASSWORD "Pa55-word-marker-91c3"

enum { M_RAW_ANSWER, M_SECRET, M_HEADER, M_TOKEN, M_BODY_PW, M_PW, M_N };
static const char *markers[M_N] = {
	[M_RAW_ANSWER] = "\"secret_key\": \"" SECRET "\"", /* only the raw answer has this spacing */
	[M_SECRET] = SECRET,
	[M_HEADER] = "X-Auth-Token: " TOKEN,
	[M_TOKEN] = TOKEN,
	[M_BODY_PW] = "\"password\":\"" PASSWORD "\"", /* the serialised request body */
	[M_PW] = PASSWORD,
};
static int seen[M_N];
static int wipes;

static void observe(const void *p, size_t n, void *ud)
{
	int i;

	(void)ud;
	wipes++;
	for (i = 0; i < M_N; i++)
		if (n >= strlen(markers[i]) && memmem(p, n, markers[i], strlen(markers[i])))
			seen[i]++;
}

static void watch(void)
{
	memset(seen, 0, sizeof(seen));
	wipes = 0;
	mem_set_wipe_observer(observe, NULL);
}

static void unwatch(void)
{
	mem_set_wipe_observer(NULL, NULL);
}

/* ---- a one-shot HTTP responder on 127.0.0.1 ---- */

struct responder {
	int lfd;
	int port;
	const char *answer; /* full HTTP response */
	pthread_t th;
};

static void *respond(void *ud)
{
	struct responder *rs = ud;
	char req[16384];
	size_t got = 0;
	int fd = accept(rs->lfd, NULL, NULL);
	struct timeval tv = { .tv_sec = 5 };

	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* Read the head and the body (Content-Length), bounded by the buffer and the timeout. */
	for (;;) {
		ssize_t n = recv(fd, req + got, sizeof(req) - 1 - got, 0);
		char *end, *cl;
		size_t want;

		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		end = strstr(req, "\r\n\r\n");
		if (!end)
			continue;
		cl = strcasestr(req, "Content-Length:");
		want = (size_t)(end + 4 - req) + (cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0);
		if (got >= want || got >= sizeof(req) - 1)
			break;
	}
	send(fd, rs->answer, strlen(rs->answer), MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

static int responder_start(struct responder *rs, const char *answer)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);

	rs->answer = answer;
	rs->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (rs->lfd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(rs->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(rs->lfd, 4) < 0 ||
	    getsockname(rs->lfd, (struct sockaddr *)&a, &al) < 0) {
		close(rs->lfd);
		return -1;
	}
	rs->port = ntohs(a.sin_port);
	return pthread_create(&rs->th, NULL, respond, rs) == 0 ? 0 : -1;
}

static void responder_stop(struct responder *rs)
{
	pthread_join(rs->th, NULL);
	close(rs->lfd);
}

static struct scwclient *client_for(const struct responder *rs)
{
	struct scwclient_opts o;
	struct scwclient *c = NULL;
	char url[64];

	memset(&o, 0, sizeof(o));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", rs->port);
	o.api_url = url;
	o.secret_key = TOKEN;
	o.max_retries = -1;
	o.timeout_ms = 5000;
	if (scwclient_new(&o, &c) != 0)
		return NULL;
	return c;
}

static json_t *user_body(void)
{
	return json_pack("{s:s, s:s}", "email", "a@example.com", "password", PASSWORD);
}

static char *http_answer(int status, const char *ctype, const char *body)
{
	struct buf b;

	buf_init(&b, 8192);
	buf_printf(&b, "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		   status, ctype, strlen(body), body);
	return buf_steal(&b, NULL);
}

/* One call of the client against a canned answer; fills *resp. */
static int call_once(const char *answer, struct scwclient_response *resp)
{
	struct responder rs;
	struct scwclient *c;
	struct scwclient_request req = { .method = "POST",
					 .path = "/iam/v1alpha1/users",
					 .retry = SCWCLIENT_RETRY_NEVER };
	json_t *body = user_body();
	int r;

	if (!body || responder_start(&rs, answer) < 0)
		return ERR_IO;
	c = client_for(&rs);
	req.body = body;
	r = c ? scwclient_do(c, &req, resp) : ERR_NOMEM;
	responder_stop(&rs);
	json_decref(body);
	scwclient_free(c);
	return r;
}

/* ---- tests ---- */

TEST(default_jansson_allocator_does_not_wipe)
{
	/* The control: with jansson's own malloc/free nothing is wiped, so the next test's
	 * observation is due to the hook. Runs before the hook is installed. */
	json_t *j = json_loads("{\"secret_key\":\"" SECRET "\"}", 0, NULL);

	ASSERT(j != NULL);
	watch();
	json_decref(j);
	unwatch();
	ASSERT_EQ_INT(seen[M_SECRET], 0);
}

TEST(wiping_jansson_allocator_wipes_parsed_secrets)
{
	json_t *j, *copy;

	json_set_alloc_funcs(mem_wiping_malloc, mem_wiping_free); /* as the provider's main() */
	j = json_loads("{\"access_key\":\"SCWXXXXXXXXXXXXXXXXX\",\"secret_key\":\"" SECRET "\"}", 0, NULL);
	ASSERT(j != NULL);
	copy = json_deep_copy(j);
	ASSERT(copy != NULL);
	watch();
	json_object_set_new(copy, "secret_key", json_string("<redacted>")); /* frees the old string */
	json_decref(j);
	unwatch();
	ASSERT(seen[M_SECRET] >= 2); /* the replaced copy and the original */
	json_decref(copy);
}

TEST(create_answer_token_and_password_are_wiped)
{
	char *answer = http_answer(200, "application/json",
				   "{\"access_key\": \"SCWAAAAAAAAAAAAAAAAA\", \"secret_key\": \"" SECRET "\"}");
	struct scwclient_response resp;
	int r;

	ASSERT(answer != NULL);
	watch();
	r = call_once(answer, &resp);
	if (r == 0)
		ASSERT_EQ_STR(json_string_value(json_object_get(resp.json, "secret_key")), SECRET);
	scwclient_response_release(&resp);
	unwatch();
	free(answer);
	ASSERT_EQ_INT(r, 0);
	printf("# wiped ranges holding: raw answer %d, header %d, password body %d, secret %d, token %d\n",
	       seen[M_RAW_ANSWER], seen[M_HEADER], seen[M_BODY_PW], seen[M_SECRET], seen[M_TOKEN]);
	/* httpc's receive buffer and the answer body it hands over. */
	ASSERT(seen[M_RAW_ANSWER] >= 2);
	/* Our formatted header line, and httpc's request head (wiped as it grows and when freed). */
	ASSERT(seen[M_HEADER] >= 3);
	/* The serialised request body, and httpc's request head that carries it. */
	ASSERT(seen[M_BODY_PW] >= 2);
	ASSERT(seen[M_SECRET] >= 2); /* ... and the parsed secret_key string (jansson) */
	ASSERT(seen[M_TOKEN] >= 2);  /* ... and the client's copy of the token */
}

static char *slurp(int fd)
{
	struct buf b;
	char chunk[4096];
	ssize_t n;

	buf_init(&b, 1 << 20);
	lseek(fd, 0, SEEK_SET);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			break;
		buf_append(&b, chunk, (size_t)n);
	}
	if (!b.data)
		buf_append_str(&b, "");
	return buf_steal(&b, NULL);
}

static int has_any_marker(const char *s)
{
	return strstr(s, SECRET) || strstr(s, TOKEN) || strstr(s, PASSWORD);
}

TEST(trace_log_never_holds_a_secret_even_on_error_bodies)
{
	char path[] = "/tmp/scw-secret-log-XXXXXX";
	int fd = mkstemp(path);
	char *answers[3], *log = NULL;
	struct scwclient_response resp;
	int rc[3], i, msg_clean = 1;

	ASSERT(fd >= 0);
	unlink(path);
	answers[0] = http_answer(200, "application/json",
				 "{\"secret_key\": \"" SECRET "\", \"password\": \"" PASSWORD "\"}");
	/* An error whose JSON body echoes the secrets, in the message too. */
	answers[1] = http_answer(400, "application/json",
				 "{\"type\":\"invalid_arguments\",\"message\":\"bad\",\"secret_key\":\"" SECRET
				 "\",\"password\":\"" PASSWORD "\",\"details\":[]}");
	/* A non-JSON error body holding a secret (a proxy page, say). */
	answers[2] = http_answer(502, "text/html", "<html>token " TOKEN " secret " SECRET "</html>");
	log_setup(LOG_TRACE, fd, "test");
	for (i = 0; i < 3; i++) {
		rc[i] = call_once(answers[i], &resp);
		if (resp.err.message && has_any_marker(resp.err.message))
			msg_clean = 0;
		scwclient_response_release(&resp);
		free(answers[i]);
	}
	log_setup(LOG_OFF, 2, NULL);
	log = slurp(fd);
	close(fd);
	ASSERT_EQ_INT(rc[0], 0);
	ASSERT(rc[1] < 0);
	ASSERT(rc[2] < 0);
	ASSERT(msg_clean);
	/* Positive controls: the bodies were logged, redacted, and the raw body by length. */
	ASSERT(strstr(log, "scaleway api request body") != NULL);
	ASSERT(strstr(log, "scaleway api response body") != NULL);
	ASSERT(strstr(log, "scaleway api error body") != NULL);
	ASSERT(strstr(log, "<redacted>") != NULL);
	ASSERT(strstr(log, "body_bytes") != NULL);
	ASSERT(strstr(log, "a@example.com") != NULL);
	if (has_any_marker(log)) {
		free(log);
		TEST_FAIL_("a secret reached the trace log");
	}
	free(log);
}

int main(void)
{
	if (scwclient_global_init() != 0) {
		printf("not ok 1 - client initialised\n1..1\n");
		return 1;
	}
	RUN(default_jansson_allocator_does_not_wipe);
	RUN(wiping_jansson_allocator_wipes_parsed_secrets);
	RUN(create_answer_token_and_password_are_wiped);
	RUN(trace_log_never_holds_a_secret_even_on_error_bodies);
	return test_done();
}
