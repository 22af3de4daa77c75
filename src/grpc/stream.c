/* SPDX-License-Identifier: MIT */
/*
 * stream: HTTP/2 streams of the gRPC server: requests in, responses out (see server_int.h).
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "grpc/frame.h"
#include "grpc/server_int.h"

/* ---- responses ---- */

/* nghttp2 copies header names and values (NGHTTP2_NV_FLAG_NONE) but its struct is not const. */
static nghttp2_nv mknv(const char *name, const char *value, size_t vlen)
{
	nghttp2_nv nv = { (uint8_t *)(uintptr_t)name, (uint8_t *)(uintptr_t)value, strlen(name), vlen,
			  NGHTTP2_NV_FLAG_NONE };

	return nv;
}

static ssize_t data_read_cb(nghttp2_session *h2, int32_t id, uint8_t *dst, size_t length, uint32_t *flags,
			    nghttp2_data_source *source, void *ud)
{
	struct grpc_call *call = source->ptr;
	struct grpc_server *s = call->srv;
	size_t avail;
	ssize_t n = 0;

	pthread_mutex_lock(&s->mu);
	avail = call->out.len - call->out_off;
	if (avail > 0) {
		n = (ssize_t)(avail < length ? avail : length);
		memcpy(dst, call->out.data + call->out_off, (size_t)n);
		call->out_off += (size_t)n;
		if (call->out_off == call->out.len) {
			buf_reset(&call->out); /* secret: wipes the sent bytes */
			call->out_off = 0;
			if (call->out.cap > (1u << 20))
				buf_release(&call->out); /* do not keep a big unary response around */
		}
		pthread_cond_broadcast(&s->drain_cv);
	} else if (call->done) {
		struct buf msg;
		char code[12];
		nghttp2_nv tr[2];
		size_t ntr = 1;

		buf_init(&msg, 4 * STATUS_MSG_MAX);
		snprintf(code, sizeof(code), "%d", call->status);
		tr[0] = mknv("grpc-status", code, strlen(code));
		if (call->status != GRPC_STATUS_OK && call->status_msg &&
		    grpc_pct_encode(&msg, call->status_msg, strlen(call->status_msg)) == 0 && msg.len) {
			tr[1] = mknv("grpc-message", msg.data, msg.len);
			ntr = 2;
		}
		*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		if (nghttp2_submit_trailer(h2, id, tr, ntr) != 0)
			n = NGHTTP2_ERR_CALLBACK_FAILURE;
		buf_release(&msg);
	} else {
		n = NGHTTP2_ERR_DEFERRED;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* Loop thread: a complete reply with no body ("Trailers-Only"). */
void gs_reply_status(struct grpc_call *call, int status, const char *msg)
{
	struct buf enc;
	char code[12];
	nghttp2_nv nv[4];
	size_t n = 3;

	if (!call->conn || call->responded)
		return;
	call->responded = 1;
	buf_init(&enc, 4 * STATUS_MSG_MAX);
	snprintf(code, sizeof(code), "%d", status);
	nv[0] = mknv(":status", "200", 3);
	nv[1] = mknv("content-type", "application/grpc", 16);
	nv[2] = mknv("grpc-status", code, strlen(code));
	if (msg && *msg && grpc_pct_encode(&enc, msg, strnlen(msg, STATUS_MSG_MAX)) == 0) {
		nv[3] = mknv("grpc-message", enc.data, enc.len);
		n = 4;
	}
	if (status != GRPC_STATUS_OK)
		log_debug("gRPC %s: %s %s", call->path ? call->path : "?", grpc_status_name(status), msg ? msg : "");
	nghttp2_submit_response(call->conn->h2, call->id, nv, n, NULL);
	buf_release(&enc);
}

/* Loop thread: response headers followed by the call's output queue and trailers. */
static void reply_start(struct grpc_call *call)
{
	nghttp2_nv nv[2];
	nghttp2_data_provider prd;

	if (!call->conn || call->responded)
		return;
	call->responded = 1;
	nv[0] = mknv(":status", "200", 3);
	nv[1] = mknv("content-type", "application/grpc", 16);
	prd.source.ptr = call;
	prd.read_callback = data_read_cb;
	if (nghttp2_submit_response(call->conn->h2, call->id, nv, 2, &prd) != 0)
		nghttp2_submit_rst_stream(call->conn->h2, NGHTTP2_FLAG_NONE, call->id, NGHTTP2_INTERNAL_ERROR);
}

/* Loop thread: act on what workers published (new output, finished handlers). */
void gs_process_dirty(struct grpc_server *s)
{
	struct grpc_call *list, *call, *next;

	pthread_mutex_lock(&s->mu);
	list = s->dirty;
	s->dirty = NULL;
	for (call = list; call; call = call->dnext)
		call->dirty = 0;
	pthread_mutex_unlock(&s->mu);
	for (call = list; call; call = next) {
		int done, status, empty;
		char *msg = NULL;

		next = call->dnext;
		pthread_mutex_lock(&s->mu);
		done = call->done;
		status = call->status;
		empty = call->out.len == call->out_off;
		if (done && call->status_msg)
			msg = mem_strndup(call->status_msg, strlen(call->status_msg));
		pthread_mutex_unlock(&s->mu);
		if (call->conn && !call->responded) {
			if (done && empty && status != GRPC_STATUS_OK)
				gs_reply_status(call, status, msg);
			else
				reply_start(call);
		} else if (call->conn) {
			nghttp2_session_resume_data(call->conn->h2, call->id);
		}
		free(msg);
		gs_call_unref(call);
	}
}

/* ---- requests ---- */

static int on_begin_headers(nghttp2_session *h2, const nghttp2_frame *frame, void *ud)
{
	struct gconn *c = ud;
	struct grpc_call *call;

	if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	call = gs_call_new(c, frame->hd.stream_id);
	if (!call)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	nghttp2_session_set_stream_user_data(h2, frame->hd.stream_id, call);
	return 0;
}

static int on_header(nghttp2_session *h2, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
		     const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
	struct grpc_call *call = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);

	if (!call || frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	if (namelen == 5 && memcmp(name, ":path", 5) == 0) {
		free(call->path);
		call->path = mem_strndup((const char *)value, valuelen);
		if (!call->path)
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	} else if (namelen == 7 && memcmp(name, ":method", 7) == 0) {
		if (valuelen != 4 || memcmp(value, "POST", 4) != 0)
			call->bad_request = 1;
	} else if (namelen == 12 && memcmp(name, "content-type", 12) == 0) {
		if (valuelen < 16 || memcmp(value, "application/grpc", 16) != 0 ||
		    (valuelen > 16 && value[16] != '+' && value[16] != ';'))
			call->bad_request = 1;
	} else if (namelen == 13 && memcmp(name, "grpc-encoding", 13) == 0) {
		if (valuelen != 8 || memcmp(value, "identity", 8) != 0)
			call->bad_request = 2;
	}
	return 0;
}

/* Loop thread: the request headers are complete. */
static void request_headers_done(struct grpc_server *s, struct grpc_call *call)
{
	if (call->bad_request || !call->path)
		return; /* answered at the end of the request */
	if (s->o.router(s->o.router_ud, call->path, &call->route) == 0)
		call->routed = 1;
	if (call->routed && call->route.kind == GRPC_HOLD)
		reply_start(call); /* headers now, then nothing until the end */
}

/* Loop thread: the client half-closed; check the request and run the handler. */
static void request_complete(struct grpc_server *s, struct grpc_call *call)
{
	const uint8_t *msg = NULL;
	size_t off = 0, len = 0, extra_len;
	const uint8_t *extra;
	int compressed = 0, more, r;

	if (call->responded || call->dispatched)
		return;
	if (call->bad_request == 2) {
		gs_reply_status(call, GRPC_STATUS_UNIMPLEMENTED, "compression is not supported");
		return;
	}
	if (call->bad_request || !call->path) {
		gs_reply_status(call, GRPC_STATUS_INTERNAL, "not a gRPC request (method, path or content-type)");
		return;
	}
	if (!call->routed) {
		char m[STATUS_MSG_MAX];

		snprintf(m, sizeof(m), "unknown method %s", call->path);
		gs_reply_status(call, GRPC_STATUS_UNIMPLEMENTED, m);
		return;
	}
	if (call->route.kind == GRPC_HOLD)
		return;
	r = grpc_message_next((const uint8_t *)call->req.data, call->req.len, &off, &msg, &len, &compressed);
	more = grpc_message_next((const uint8_t *)call->req.data, call->req.len, &off, &extra, &extra_len, &compressed);
	if (r < 0 || more != ERR_EOF) {
		gs_reply_status(call, GRPC_STATUS_INTERNAL,
				r == ERR_EOF ? "missing request message"
				: r < 0      ? "malformed request framing"
					     : "more than one request message");
		return;
	}
	if (compressed) {
		gs_reply_status(call, GRPC_STATUS_UNIMPLEMENTED, "compressed messages are not supported");
		return;
	}
	call->msg = msg;
	call->msg_len = len;
	gs_dispatch(s, call);
}

static int on_data_chunk(nghttp2_session *h2, uint8_t flags, int32_t id, const uint8_t *data, size_t len, void *ud)
{
	struct gconn *c = ud;
	struct grpc_call *call = nghttp2_session_get_stream_user_data(h2, id);

	if (!call || call->too_big || call->dispatched || call->responded)
		return 0;
	if (call->routed && call->route.kind == GRPC_HOLD)
		return 0; /* broker messages: read (flow control credits them) and dropped */
	if (buf_append(&call->req, data, len) < 0) {
		call->too_big = 1;
		buf_release(&call->req);
		gs_reply_status(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "request message too large");
		(void)c;
	}
	return 0;
}

static int on_frame_recv(nghttp2_session *h2, const nghttp2_frame *frame, void *ud)
{
	struct gconn *c = ud;
	struct grpc_call *call;

	switch (frame->hd.type) {
	case NGHTTP2_HEADERS:
	case NGHTTP2_DATA:
		call = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
		if (!call)
			break;
		if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
			request_headers_done(c->srv, call);
		if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
			request_complete(c->srv, call);
		break;
	case NGHTTP2_GOAWAY: log_debug("peer sent GOAWAY (error %u)", frame->goaway.error_code); break;
	default: break;
	}
	return 0;
}

static int on_frame_send(nghttp2_session *h2, const nghttp2_frame *frame, void *ud)
{
	struct gconn *c = ud;
	struct grpc_call *call;

	if (frame->hd.type != NGHTTP2_HEADERS || !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	call = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
	if (call && call->routed && (call->route.flags & GRPC_ROUTE_STOP_AFTER))
		c->srv->stop = 1;
	return 0;
}

static int on_stream_close(nghttp2_session *h2, int32_t id, uint32_t error_code, void *ud)
{
	struct grpc_call *call = nghttp2_session_get_stream_user_data(h2, id);

	if (call) {
		if (error_code != NGHTTP2_NO_ERROR)
			log_debug("stream %d (%s) reset: error %u", id, call->path ? call->path : "?", error_code);
		gs_call_detach(call);
	}
	return 0;
}

nghttp2_session_callbacks *gs_session_callbacks(void)
{
	nghttp2_session_callbacks *cbs = NULL;

	if (nghttp2_session_callbacks_new(&cbs) != 0)
		return NULL;
	nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	return cbs;
}
