/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the tfplugin6 request path: protobuf-c unpacking, DynamicValue decoding under the schema,
 * the framework's rules and response packing. The first byte picks the RPC; the rest is the
 * request message. The example provider (tests/framework/fwtest.c) supplies a resource and a data
 * source; FWTEST_DIR is left unset, so its callbacks fail cleanly instead of writing files.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../tests/framework/fwtest.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {
	"GetProviderSchema",
	"ValidateProviderConfig",
	"ValidateResourceConfig",
	"ValidateDataResourceConfig",
	"UpgradeResourceState",
	"ConfigureProvider",
	"ReadResource",
	"PlanResourceChange",
	"ApplyResourceChange",
	"ImportResourceState",
	"ReadDataSource",
	"GetMetadata",
	"GetResourceIdentitySchemas",
	"UpgradeResourceIdentity",
	"CallFunction",
	"OpenEphemeralResource",
	"MoveResourceState",
	"GetFunctions",
	"ValidateEphemeralResourceConfig",
	"RenewEphemeralResource",
	"CloseEphemeralResource",
	"ValidateListResourceConfig",
	"GenerateResourceConfig",
	"ListResource",
};

static int drop(void *ctx, const uint8_t *msg, size_t len)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fw *fw;
	static const volatile int no_cancel = 0;
	struct tf6_call call = { .cancel = &no_cancel, .emit = drop };
	struct buf resp;

	if (!fw) {
		unsetenv("FWTEST_DIR");
		if (fw_new(fwtest_definition(), &fw) != 0)
			abort();
	}
	if (size < 1)
		return 0;
	buf_init(&resp, 64u << 20);
	call.method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	call.req = data + 1;
	call.req_len = size - 1;
	call.resp = &resp;
	tf6_dispatch(fw, &call);
	buf_release(&resp);
	return 0;
}
