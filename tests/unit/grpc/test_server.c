/* SPDX-License-Identifier: MIT */
/*
 * The gRPC server's wire behaviour, checked frame by frame with an nghttp2 client session over a
 * socketpair (handlers inline): server preface first, response headers and trailers, Trailers-Only
 * errors as a single HEADERS frame, percent-encoded grpc-message, request caps, compressed
 * messages, RST_STREAM detaching a call, and STOP_AFTER. Includes server.c and stream.c for their
 * internals (connections; mknv).
 */
#include <sys/socket.h>
#include <unistd.h>

#include "grpc/server.c"
#include "grpc/stream.c"
#include "test.h"

/* ---- handlers ---- */

static int h_echo(void *ud, struct grpc_call *c)
{
	size_t len;
	const uint8_t *p = grpc_call_request(c, &len);

	return buf_append(grpc_call_response(c), p, len) < 0 ? GRPC_STATUS_RESOURCE_EXHAUSTED : GRPC_STATUS_OK;
}

static int h_fail(void *ud, struct grpc_call *c)
{
	grpc_call_set_message(c, "50% off\nnow");
	return GRPC_STATUS_FAILED_PRECONDITION;
}

static int h_stream(void *ud, struct grpc_call *c)
{
	grpc_call_emit(c, (const uint8_t *)"a", 1);
	grpc_call_emit(c, (const uint8_t *)"bc", 2);
	return GRPC_STATUS_OK;
}

static int route(void *ud, const char *path, struct grpc_route *r)
{
	memset(r, 0, sizeof(*r));
	if (!strcmp(path, "/t.T/Echo")) {
		r->kind = GRPC_UNARY;
		r->fn = h_echo;
	} else if (!strcmp(path, "/t.T/Fail")) {
		r->kind = GRPC_UNARY;
		r->fn = h_fail;
	} else if (!strcmp(path, "/t.T/Stream")) {
		r->kind = GRPC_SERVER_STREAM;
		r->fn = h_stream;
	} else if (!strcmp(path, "/t.T/Hold")) {
		r->kind = GRPC_HOLD;
	} else if (!strcmp(path, "/t.T/Quit")) {
		r->kind = GRPC_UNARY;
		r->fn = h_echo;
		r->flags = GRPC_ROUTE_STOP_AFTER;
	} else {
		return ERR_NOTFOUND;
	}
	return 0;
}

/* ---- a client session recording what it receives ---- */

#define MAXF 64

struct rec {
	int nframes;
	uint8_t ftype[MAXF], fflags[MAXF];
	int32_t fsid[MAXF];
	char hdrs[4096]; /* "sid:name=value\n" lines */
	size_t hlen;
	uint8_t data[1 << 16];
	size_t dlen;
	int rst;
};

static int c_on_frame(nghttp2_session *h, const nghttp2_frame *f, void *ud)
{
	struct rec *r = ud;

	if (r->nframes < MAXF) {
		r->ftype[r->nframes] = f->hd.type;
		r->fflags[r->nframes] = f->hd.flags;
		r->fsid[r->nframes] = f->hd.stream_id;
		r->nframes++;
	}
	if (f->hd.type == NGHTTP2_RST_STREAM)
		r->rst++;
	return 0;
}

static int c_on_header(nghttp2_session *h, const nghttp2_frame *f, const uint8_t *n, size_t nl, const uint8_t *v,
		       size_t vl, uint8_t fl, void *ud)
{
	struct rec *r = ud;
	int k = snprintf(r->hdrs + r->hlen, sizeof(r->hdrs) - r->hlen, "%d:%.*s=%.*s\n", f->hd.stream_id, (int)nl,
			 (const char *)n, (int)vl, (const char *)v);

	if (k > 0 && (size_t)k < sizeof(r->hdrs) - r->hlen)
		r->hlen += (size_t)k;
	return 0;
}

static int c_on_data(nghttp2_session *h, uint8_t fl, int32_t sid, const uint8_t *d, size_t len, void *ud)
{
	struct rec *r = ud;

	if (r->dlen + len <= sizeof(r->data)) {
		memcpy(r->data + r->dlen, d, len);
		r->dlen += len;
	}
	return 0;
}

struct rig {
	struct grpc_server *s;
	struct gconn *c;
	int peer;
	nghttp2_session *cl;
	struct rec rec;
};

static void rig_pump(struct rig *g)
{
	int i;

	for (i = 0; i < 20; i++) {
		const uint8_t *out;
		ssize_t n;
		uint8_t buf[1 << 16];

		for (n = nghttp2_session_mem_send(g->cl, &out); n > 0; n = nghttp2_session_mem_send(g->cl, &out))
			ASSERT_EQ_INT(write(g->peer, out, (size_t)n), n);
		if (!g->c->dead)
			conn_service(g->c);
		n = read(g->peer, buf, sizeof(buf));
		if (n > 0)
			ASSERT_EQ_INT(nghttp2_session_mem_recv(g->cl, buf, (size_t)n), n);
	}
}

static void rig_init(struct rig *g, size_t max_request)
{
	struct grpc_server_opts o;
	nghttp2_session_callbacks *cbs;
	int sv[2];

	memset(g, 0, sizeof(*g));
	memset(&o, 0, sizeof(o));
	o.listen_fd = -1;
	o.router = route;
	o.max_workers = -1;
	o.max_request = max_request;
	ASSERT_EQ_INT(grpc_server_new(&o, &g->s), 0);
	ASSERT_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	g->c = conn_new(g->s, sv[0]);
	ASSERT(g->c != NULL);
	g->peer = sv[1];
	nghttp2_session_callbacks_new(&cbs);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, c_on_frame);
	nghttp2_session_callbacks_set_on_header_callback(cbs, c_on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, c_on_data);
	nghttp2_session_client_new(&g->cl, cbs, &g->rec);
	nghttp2_session_callbacks_del(cbs);
	nghttp2_submit_settings(g->cl, NGHTTP2_FLAG_NONE, NULL, 0); /* the client preface */
}

static void rig_free(struct rig *g)
{
	nghttp2_session_del(g->cl);
	grpc_server_free(g->s);
	close(g->peer);
}

/* One request body at a time (the tests send them one after the other). */
static struct {
	uint8_t b[1 << 20];
	size_t len, off;
} src;

static ssize_t src_read(nghttp2_session *h, int32_t sid, uint8_t *buf, size_t length, uint32_t *flags,
			nghttp2_data_source *source, void *ud)
{
	size_t n = src.len - src.off < length ? src.len - src.off : length;

	memcpy(buf, src.b + src.off, n);
	src.off += n;
	if (src.off == src.len)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static int32_t rig_call(struct rig *g, const char *path, const uint8_t *body, size_t len, int flag,
			const char *encoding)
{
	nghttp2_nv nv[7];
	size_t n = 0;
	nghttp2_data_provider prd;
	int32_t id;

	nv[n++] = mknv(":method", "POST", 4);
	nv[n++] = mknv(":scheme", "http", 4);
	nv[n++] = mknv(":path", path, strlen(path));
	nv[n++] = mknv(":authority", "unused", 6);
	nv[n++] = mknv("content-type", "application/grpc", 16);
	nv[n++] = mknv("te", "trailers", 8);
	if (encoding)
		nv[n++] = mknv("grpc-encoding", encoding, strlen(encoding));
	src.b[0] = (uint8_t)flag;
	src.b[1] = (uint8_t)(len >> 24);
	src.b[2] = (uint8_t)(len >> 16);
	src.b[3] = (uint8_t)(len >> 8);
	src.b[4] = (uint8_t)len;
	if (len)
		memcpy(src.b + 5, body, len);
	src.len = len + 5;
	src.off = 0;
	prd.source.ptr = &src;
	prd.read_callback = src_read;
	id = nghttp2_submit_request(g->cl, NULL, nv, n, &prd, NULL);
	return id;
}

/* ---- assertions on what came back ---- */

static int has_header(const struct rec *r, int32_t sid, const char *nv)
{
	char want[512];

	snprintf(want, sizeof(want), "%d:%s\n", sid, nv);
	return strstr(r->hdrs, want) != NULL;
}

static int count_frames(const struct rec *r, int32_t sid, uint8_t type)
{
	int i, n = 0;

	for (i = 0; i < r->nframes; i++)
		n += r->fsid[i] == sid && r->ftype[i] == type;
	return n;
}

/* ---- tests ---- */

TEST(server_preface_comes_first)
{
	struct rig g;

	rig_init(&g, 0);
	rig_pump(&g);
	ASSERT(g.rec.nframes >= 1);
	ASSERT_EQ_INT(g.rec.ftype[0], NGHTTP2_SETTINGS);
	ASSERT_EQ_INT(g.rec.fflags[0] & NGHTTP2_FLAG_ACK, 0);
	rig_free(&g);
}

TEST(unary_reply_is_headers_prefixed_data_then_trailers)
{
	struct rig g;
	int32_t id;
	const uint8_t want[] = { 0, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };

	rig_init(&g, 0);
	id = rig_call(&g, "/t.T/Echo", (const uint8_t *)"hello", 5, 0, NULL);
	rig_pump(&g);
	ASSERT(has_header(&g.rec, id, ":status=200"));
	ASSERT(has_header(&g.rec, id, "content-type=application/grpc"));
	ASSERT(has_header(&g.rec, id, "grpc-status=0"));
	ASSERT(strstr(g.rec.hdrs, "grpc-message") == NULL);
	ASSERT_EQ_INT(count_frames(&g.rec, id, NGHTTP2_HEADERS), 2);
	ASSERT_EQ_UINT(g.rec.dlen, sizeof(want));
	ASSERT_EQ_MEM(g.rec.data, want, sizeof(want));
	rig_free(&g);
}

TEST(unknown_method_is_one_trailers_only_headers_frame)
{
	struct rig g;
	int32_t id;
	int i, seen = 0;

	rig_init(&g, 0);
	id = rig_call(&g, "/x.Y/Z", NULL, 0, 0, NULL);
	rig_pump(&g);
	ASSERT_EQ_INT(count_frames(&g.rec, id, NGHTTP2_HEADERS), 1);
	ASSERT_EQ_INT(count_frames(&g.rec, id, NGHTTP2_DATA), 0);
	for (i = 0; i < g.rec.nframes; i++)
		if (g.rec.fsid[i] == id && g.rec.ftype[i] == NGHTTP2_HEADERS)
			seen = g.rec.fflags[i] & NGHTTP2_FLAG_END_STREAM;
	ASSERT(seen);
	ASSERT(has_header(&g.rec, id, ":status=200"));
	ASSERT(has_header(&g.rec, id, "content-type=application/grpc"));
	ASSERT(has_header(&g.rec, id, "grpc-status=12"));
	ASSERT(has_header(&g.rec, id, "grpc-message=unknown method /x.Y/Z"));
	rig_free(&g);
}

TEST(handler_error_message_is_percent_encoded)
{
	struct rig g;
	int32_t id;

	rig_init(&g, 0);
	id = rig_call(&g, "/t.T/Fail", NULL, 0, 0, NULL);
	rig_pump(&g);
	ASSERT(has_header(&g.rec, id, "grpc-status=9"));
	ASSERT(has_header(&g.rec, id, "grpc-message=50%25 off%0Anow"));
	ASSERT_EQ_INT(count_frames(&g.rec, id, NGHTTP2_HEADERS), 1);
	rig_free(&g);
}

TEST(server_stream_sends_each_message_then_ok)
{
	struct rig g;
	int32_t id;
	const uint8_t want[] = { 0, 0, 0, 0, 1, 'a', 0, 0, 0, 0, 2, 'b', 'c' };

	rig_init(&g, 0);
	id = rig_call(&g, "/t.T/Stream", NULL, 0, 0, NULL);
	rig_pump(&g);
	ASSERT_EQ_UINT(g.rec.dlen, sizeof(want));
	ASSERT_EQ_MEM(g.rec.data, want, sizeof(want));
	ASSERT(has_header(&g.rec, id, "grpc-status=0"));
	rig_free(&g);
}

TEST(bad_requests_get_the_right_status)
{
	struct rig g;
	int32_t big, comp, enc;
	uint8_t body[100];

	memset(body, 'x', sizeof(body));
	rig_init(&g, 64);
	big = rig_call(&g, "/t.T/Echo", body, sizeof(body), 0, NULL);
	rig_pump(&g);
	comp = rig_call(&g, "/t.T/Echo", body, 3, 1, NULL);
	rig_pump(&g);
	enc = rig_call(&g, "/t.T/Echo", body, 3, 0, "gzip");
	rig_pump(&g);
	ASSERT(has_header(&g.rec, big, "grpc-status=8"));
	ASSERT(has_header(&g.rec, comp, "grpc-status=12"));
	ASSERT(has_header(&g.rec, enc, "grpc-status=12"));
	ASSERT_EQ_UINT(g.rec.dlen, 0);
	rig_free(&g);
}

TEST(rst_stream_detaches_and_cancels_a_held_call)
{
	struct rig g;
	int32_t id;

	rig_init(&g, 0);
	id = rig_call(&g, "/t.T/Hold", (const uint8_t *)"k", 1, 0, NULL);
	rig_pump(&g);
	ASSERT(g.c->calls != NULL);
	ASSERT(has_header(&g.rec, id, ":status=200")); /* held: headers, nothing else */
	ASSERT_EQ_INT(count_frames(&g.rec, id, NGHTTP2_HEADERS), 1);
	nghttp2_submit_rst_stream(g.cl, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
	rig_pump(&g);
	ASSERT(g.c->calls == NULL);
	rig_free(&g);
}

TEST(stop_after_route_stops_the_server_once_answered)
{
	struct rig g;
	int32_t id;

	rig_init(&g, 0);
	ASSERT_EQ_INT(g.s->stop, 0);
	id = rig_call(&g, "/t.T/Quit", NULL, 0, 0, NULL);
	rig_pump(&g);
	ASSERT(has_header(&g.rec, id, "grpc-status=0"));
	ASSERT_EQ_INT(g.s->stop, 1);
	rig_free(&g);
}

TEST(concurrent_streams_on_one_connection)
{
	struct rig g;
	int32_t a, b;

	rig_init(&g, 0);
	a = rig_call(&g, "/t.T/Hold", NULL, 0, 0, NULL);
	rig_pump(&g);
	b = rig_call(&g, "/t.T/Echo", (const uint8_t *)"z", 1, 0, NULL);
	rig_pump(&g);
	ASSERT(g.c->calls != NULL); /* the held call is still open */
	ASSERT(has_header(&g.rec, b, "grpc-status=0"));
	ASSERT(!has_header(&g.rec, a, "grpc-status=0"));
	rig_free(&g);
}

/* Requests carry the provider config and states, responses the new states: secrets. Every
 * buffer the server keeps them in is wiped (a wipe observer sees each range before it is
 * cleared): the read chunk, the request buffer, the queued response, the frame write buffer. */
#define WIPE_MARK "4d1f6b3a-8c2e-4f5a-9b7d-0e1c3a5b7d9f"
static int wipe_marks;

static void wipe_observe(const void *p, size_t n, void *ud)
{
	if (n >= strlen(WIPE_MARK) && memmem(p, n, WIPE_MARK, strlen(WIPE_MARK)))
		wipe_marks++;
}

TEST(request_and_response_bytes_are_wiped)
{
	struct rig g;
	int32_t id;

	rig_init(&g, 0);
	wipe_marks = 0;
	mem_set_wipe_observer(wipe_observe, NULL);
	id = rig_call(&g, "/t.T/Echo", (const uint8_t *)WIPE_MARK, strlen(WIPE_MARK), 0, NULL);
	rig_pump(&g);
	rig_free(&g);
	mem_set_wipe_observer(NULL, NULL);
	ASSERT(has_header(&g.rec, id, "grpc-status=0"));
	ASSERT(memmem(g.rec.data, g.rec.dlen, WIPE_MARK, strlen(WIPE_MARK)) != NULL);
	printf("# %d wiped ranges held the request or the response\n", wipe_marks);
	ASSERT(wipe_marks >= 4);
}

int main(void)
{
	log_setup(LOG_OFF, 2, NULL);
	RUN(server_preface_comes_first);
	RUN(unary_reply_is_headers_prefixed_data_then_trailers);
	RUN(unknown_method_is_one_trailers_only_headers_frame);
	RUN(handler_error_message_is_percent_encoded);
	RUN(server_stream_sends_each_message_then_ok);
	RUN(bad_requests_get_the_right_status);
	RUN(rst_stream_detaches_and_cancels_a_held_call);
	RUN(stop_after_route_stops_the_server_once_answered);
	RUN(concurrent_streams_on_one_connection);
	RUN(request_and_response_bytes_are_wiped);
	return test_done();
}
