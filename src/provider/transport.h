/* SPDX-License-Identifier: MIT */
/*
 * transport: the provider's gRPC method table. It serves go-plugin's own services
 * (GRPCController/Shutdown: reply then stop; GRPCStdio/StreamStdio and GRPCBroker/StartStream:
 * held open, nothing sent; grpc.health.v1.Health/Check: "plugin" and "" are SERVING) and sends
 * every "/tfplugin6.Provider/<Method>" call to tf6_dispatch() on a worker, mapping its result to
 * a gRPC status: 0 OK, ERR_UNSUPPORTED UNIMPLEMENTED, ERR_PARSE INVALID_ARGUMENT, ERR_CANCELED
 * CANCELLED, anything else INTERNAL.
 */
#ifndef PROVIDER_TRANSPORT_H
#define PROVIDER_TRANSPORT_H

#include "grpc/server.h"

#define TRANSPORT_TF6_PREFIX "/tfplugin6.Provider/"

/* A grpc_router_fn; ud is the struct fw * that tfplugin6 calls are dispatched to. */
int transport_route(void *ud, const char *path, struct grpc_route *route);
/* The gRPC status for a tf6_dispatch() return value. */
int transport_status_from_err(int r);

#endif
