/* SPDX-License-Identifier: MIT */
/*
 * transport: method table of terraform-provider-scaleway (see transport.h). Handlers here are
 * thin: they adapt grpc_call to tf6_call, or answer go-plugin's housekeeping services.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "framework/tf6.h"
#include "grpc/health/v1/health.pb-c.h"
#include "provider/transport.h"

int transport_status_from_err(int r)
{
	switch (r) {
	case 0: return GRPC_STATUS_OK;
	case ERR_UNSUPPORTED: return GRPC_STATUS_UNIMPLEMENTED;
	case ERR_PARSE: return GRPC_STATUS_INVALID_ARGUMENT;
	case ERR_CANCELED: return GRPC_STATUS_CANCELLED;
	default: return GRPC_STATUS_INTERNAL;
	}
}

static int emit_adapter(void *ctx, const uint8_t *msg, size_t len)
{
	return grpc_call_emit(ctx, msg, len);
}

static int tf6_handler(void *ud, struct grpc_call *gc)
{
	const char *path = grpc_call_path(gc);
	struct tf6_call call;
	char msg[256];
	int r, status;

	memset(&call, 0, sizeof(call));
	call.method = path + strlen(TRANSPORT_TF6_PREFIX);
	call.req = grpc_call_request(gc, &call.req_len);
	call.resp = grpc_call_response(gc);
	call.emit = emit_adapter;
	call.emit_ctx = gc;
	call.cancel = grpc_call_cancel_flag(gc);
	r = tf6_dispatch(ud, &call);
	status = transport_status_from_err(r);
	if (status == GRPC_STATUS_UNIMPLEMENTED)
		snprintf(msg, sizeof(msg), "method %s is not implemented by terraform-provider-scaleway", call.method);
	else if (status == GRPC_STATUS_INVALID_ARGUMENT)
		snprintf(msg, sizeof(msg), "%s: malformed request message", call.method);
	else if (status != GRPC_STATUS_OK)
		snprintf(msg, sizeof(msg), "%s: %s", call.method, err_str(r));
	if (status != GRPC_STATUS_OK) {
		grpc_call_set_message(gc, msg);
		log_kv(status == GRPC_STATUS_UNIMPLEMENTED ? LOG_DEBUG : LOG_WARN, "tfplugin6 call failed", "method",
		       call.method, "error", err_str(r), NULL);
	}
	return status;
}

static int shutdown_handler(void *ud, struct grpc_call *gc)
{
	log_debug("GRPCController.Shutdown: stopping once the reply is sent");
	return GRPC_STATUS_OK; /* an empty plugin.Empty; the route's STOP_AFTER ends the server */
}

static int health_handler(void *ud, struct grpc_call *gc)
{
	Grpc__Health__V1__HealthCheckRequest *req;
	Grpc__Health__V1__HealthCheckResponse resp;
	struct buf *out = grpc_call_response(gc);
	const uint8_t *p;
	size_t len, n;
	int known, r;

	p = grpc_call_request(gc, &len);
	req = grpc__health__v1__health_check_request__unpack(NULL, len, p);
	if (!req)
		return GRPC_STATUS_INVALID_ARGUMENT;
	known = strcmp(req->service, "") == 0 || strcmp(req->service, "plugin") == 0;
	grpc__health__v1__health_check_request__free_unpacked(req, NULL);
	if (!known) {
		grpc_call_set_message(gc, "unknown service");
		return GRPC_STATUS_NOT_FOUND;
	}
	grpc__health__v1__health_check_response__init(&resp);
	resp.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
	n = grpc__health__v1__health_check_response__get_packed_size(&resp);
	r = buf_reserve(out, n);
	if (r < 0)
		return GRPC_STATUS_RESOURCE_EXHAUSTED;
	grpc__health__v1__health_check_response__pack(&resp, (uint8_t *)out->data + out->len);
	out->len += n;
	return GRPC_STATUS_OK;
}

int transport_route(void *ud, const char *path, struct grpc_route *route)
{
	size_t plen = strlen(TRANSPORT_TF6_PREFIX);

	memset(route, 0, sizeof(*route));
	if (strncmp(path, TRANSPORT_TF6_PREFIX, plen) == 0 && path[plen]) {
		const char *method = path + plen;

		/* Client streaming has no place in the unary/server-streaming model: state stores are
		 * not implemented, so say so before reading its messages. */
		if (strcmp(method, "WriteStateBytes") == 0)
			return ERR_NOTFOUND;
		route->kind = tf6_method_is_streaming(method) ? GRPC_SERVER_STREAM : GRPC_UNARY;
		route->fn = tf6_handler;
		route->ud = ud;
		return 0;
	}
	if (strcmp(path, "/plugin.GRPCController/Shutdown") == 0) {
		route->kind = GRPC_UNARY;
		route->fn = shutdown_handler;
		route->flags = GRPC_ROUTE_STOP_AFTER;
		return 0;
	}
	if (strcmp(path, "/plugin.GRPCStdio/StreamStdio") == 0 || strcmp(path, "/plugin.GRPCBroker/StartStream") == 0) {
		route->kind = GRPC_HOLD;
		return 0;
	}
	if (strcmp(path, "/grpc.health.v1.Health/Check") == 0) {
		route->kind = GRPC_UNARY;
		route->fn = health_handler;
		return 0;
	}
	return ERR_NOTFOUND;
}
