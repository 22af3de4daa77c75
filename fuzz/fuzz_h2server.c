/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the gRPC server's HTTP/2 input path: bytes from a client go through nghttp2 and our
 * callbacks (request assembly, routing, framing checks, Trailers-Only replies, RST_STREAM,
 * response data provider) with handlers run inline. The output goes to a socketpair that is
 * drained and discarded. Includes server.c to reach the connection internals.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "grpc/server.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int h_echo(void *ud, struct grpc_call *c)
{
	size_t len;
	const uint8_t *p = grpc_call_request(c, &len);

	return buf_append(grpc_call_response(c), p, len) < 0 ? GRPC_STATUS_RESOURCE_EXHAUSTED : GRPC_STATUS_OK;
}

static int h_stream(void *ud, struct grpc_call *c)
{
	size_t len;
	const uint8_t *p = grpc_call_request(c, &len);
	int i;

	for (i = 0; i < 3; i++)
		if (grpc_call_emit(c, p, len) < 0)
			return GRPC_STATUS_CANCELLED;
	grpc_call_set_message(c, "done \xff%");
	return GRPC_STATUS_ABORTED;
}

static int route(void *ud, const char *path, struct grpc_route *r)
{
	memset(r, 0, sizeof(*r));
	if (strcmp(path, "/test.T/Echo") == 0) {
		r->kind = GRPC_UNARY;
		r->fn = h_echo;
	} else if (strcmp(path, "/test.T/Stream") == 0) {
		r->kind = GRPC_SERVER_STREAM;
		r->fn = h_stream;
	} else if (strcmp(path, "/test.T/Hold") == 0) {
		r->kind = GRPC_HOLD;
	} else if (strcmp(path, "/test.T/Quit") == 0) {
		r->kind = GRPC_UNARY;
		r->fn = h_echo;
		r->flags = GRPC_ROUTE_STOP_AFTER;
	} else {
		return ERR_NOTFOUND;
	}
	return 0;
}

static void drain(int fd)
{
	char sink[65536];

	while (read(fd, sink, sizeof(sink)) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct grpc_server_opts o;
	struct grpc_server *s = NULL;
	struct gconn *c;
	int sv[2];
	size_t off = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
		return 0;
	memset(&o, 0, sizeof(o));
	o.listen_fd = -1;
	o.router = route;
	o.max_workers = -1;
	o.max_request = 1 << 16;
	o.max_response = 1 << 16;
	log_setup(LOG_OFF, 2, NULL);
	if (grpc_server_new(&o, &s) < 0)
		goto out;
	c = conn_new(s, sv[0]);
	if (!c)
		goto out;
	sv[0] = -1; /* owned by the connection now */
	/* Feed in uneven chunks, so frames split across reads as they do on a socket. */
	while (off < size && !c->dead) {
		size_t n = size - off < 7 + off % 61 ? size - off : 7 + off % 61;

		if (conn_recv_bytes(c, data + off, n) < 0) {
			conn_close(c);
			break;
		}
		off += n;
		gs_process_dirty(s);
		if (conn_flush(c) < 0) {
			conn_close(c);
			break;
		}
		drain(sv[1]);
	}
	free_dead(s);
out:
	grpc_server_free(s);
	if (sv[0] >= 0)
		close(sv[0]);
	close(sv[1]);
	return 0;
}
