/* SPDX-License-Identifier: MIT */
/*
 * tf6: the seam between the gRPC transport and the provider logic. The transport (src/grpc,
 * src/provider/main.c) knows HTTP/2, gRPC framing and go-plugin's own services; for every call to
 * a "/tfplugin6.Provider/<Method>" path it fills a struct tf6_call with the serialized request and
 * calls tf6_dispatch() on a worker thread, with the provider registered by fw_new() (fw.h).
 * Everything about tfplugin6 messages, cty values,
 * schemas and resources lives behind this function. Calls may run concurrently.
 */
#ifndef FRAMEWORK_TF6_H
#define FRAMEWORK_TF6_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "framework/fw.h"

/* Server streaming: called once per response message, in order. Returns 0, or a negative ERR_*
 * (ERR_CANCELED when the client went away) after which the handler must stop and return it. */
typedef int (*tf6_emit_fn)(void *ctx, const uint8_t *msg, size_t len);

struct tf6_call {
	const char *method; /* RPC name without the service prefix, e.g. "GetProviderSchema" */
	const uint8_t *req; /* serialized request message (protobuf) */
	size_t req_len;
	struct buf *resp; /* unary calls: the handler appends the serialized response */
	tf6_emit_fn emit; /* server-streaming calls: messages go here instead of resp */
	void *emit_ctx;
	const volatile int *cancel; /* non-zero once this call is cancelled (RST_STREAM, shutdown) */
};

/* 1 when the method is server-streaming (ListResource, ReadStateBytes, InvokeAction), else 0. */
int tf6_method_is_streaming(const char *method);
/* Handle one call. 0: the reply is in resp (unary) or was emitted (streaming); domain errors are
 * reported as diagnostics inside the reply, never as a return value. ERR_UNSUPPORTED: unknown or
 * unimplemented method (gRPC status UNIMPLEMENTED, with a message naming the method).
 * ERR_PARSE: the request could not be decoded (gRPC INVALID_ARGUMENT). ERR_CANCELED: cancelled
 * (gRPC CANCELLED). Other negative ERR_*: gRPC INTERNAL. */
int tf6_dispatch(struct fw *fw, struct tf6_call *call);

#endif
