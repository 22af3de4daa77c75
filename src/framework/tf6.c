/* SPDX-License-Identifier: MIT */
/*
 * tf6 (TEMPORARY, transport branch only): a stand-in for the real provider logic behind
 * framework/tf6.h, so that the transport can be built and tested end to end before the `cty`
 * branch lands. It answers GetProviderSchema with an empty provider schema and returns
 * ERR_UNSUPPORTED for every other method. The lead replaces this file with cty's tf6.c on merge.
 */
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "framework/tf6.h"
#include "tfplugin6.pb-c.h"

int tf6_init(void)
{
	return 0;
}

int tf6_method_is_streaming(const char *method)
{
	return strcmp(method, "ListResource") == 0 || strcmp(method, "ReadStateBytes") == 0 ||
	       strcmp(method, "InvokeAction") == 0;
}

static int get_provider_schema(struct tf6_call *call)
{
	ProtobufCMessage *req;
	Tfplugin6__GetProviderSchema__Response resp;
	Tfplugin6__Schema schema;
	Tfplugin6__Schema__Block block;
	size_t n;
	int r;

	/* Nested messages have no typed pack/unpack helpers: use the descriptors. The *_init()
	 * functions avoid the INIT macros, which cast away const. */
	req = protobuf_c_message_unpack(&tfplugin6__get_provider_schema__request__descriptor, NULL, call->req_len,
					call->req);
	if (!req)
		return ERR_PARSE;
	protobuf_c_message_free_unpacked(req, NULL);
	tfplugin6__get_provider_schema__response__init(&resp);
	tfplugin6__schema__init(&schema);
	tfplugin6__schema__block__init(&block);
	schema.block = &block;
	resp.provider = &schema;
	n = protobuf_c_message_get_packed_size(&resp.base);
	r = buf_reserve(call->resp, n);
	if (r < 0)
		return r;
	protobuf_c_message_pack(&resp.base, (uint8_t *)call->resp->data + call->resp->len);
	call->resp->len += n;
	call->resp->data[call->resp->len] = '\0';
	return 0;
}

int tf6_dispatch(struct tf6_call *call)
{
	if (strcmp(call->method, "GetProviderSchema") == 0)
		return get_provider_schema(call);
	return ERR_UNSUPPORTED;
}

void tf6_shutdown(void)
{
}
