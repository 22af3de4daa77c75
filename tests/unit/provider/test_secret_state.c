/* SPDX-License-Identifier: MIT */
/*
 * A state holding a secret key, through the real provider (fw_new + tf6_dispatch) as
 * Terraform sends it: UpgradeResourceState of a scaleway_iam_api_key whose raw JSON state holds
 * secret_key. With the provider's allocators in place (jansson's wiping allocator installed as in
 * main(), protobuf-c's wiping allocator inside tf6), every copy the provider makes of the secret
 * is wiped on release: the unpacked request, jansson's parse, the cty value, the encoded answer.
 * A wipe observer (mem_set_wipe_observer) sees each range just before it is cleared.
 */
#include <jansson.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "framework/tf6.h"
#include "provider/provider.h"
#include "test.h"
#include "tfplugin6.pb-c.h"

#define MARK "6e2d8b4f-0a1c-4e3d-9f5b-7c8a6d4e2f10"

static int seen_mark;
static struct fw *fw;

static void observe(const void *p, size_t n, void *ud)
{
	(void)ud;
	if (n >= strlen(MARK) && memmem(p, n, MARK, strlen(MARK)))
		seen_mark++;
}

static char state_json[] =
	"{\"id\":\"SCWABCDEFGHJKMNPQRST\",\"access_key\":\"SCWABCDEFGHJKMNPQRST\",\"secret_key\":\"" MARK
	"\","
	"\"application_id\":null,\"user_id\":\"11111111-2222-4333-8444-555555555555\",\"description\":\"d\","
	"\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":null,"
	"\"default_project_id\":\"11111111-2222-4333-8444-666666666666\",\"editable\":true,"
	"\"creation_ip\":\"127.0.0.1\"}";

TEST(upgrade_state_with_secret_wipes_every_copy)
{
	static const volatile int no_cancel = 0;
	Tfplugin6__UpgradeResourceState__Request req;
	Tfplugin6__RawState raw;
	char type_name[] = "scaleway_iam_api_key";
	uint8_t packed[8192];
	struct buf resp;
	struct tf6_call c = { .method = "UpgradeResourceState", .cancel = &no_cancel };
	int r, during;

	tfplugin6__upgrade_resource_state__request__init(&req);
	tfplugin6__raw_state__init(&raw);
	req.type_name = type_name;
	req.version = 0;
	raw.json.data = (uint8_t *)state_json;
	raw.json.len = strlen(state_json);
	req.raw_state = &raw;
	ASSERT(protobuf_c_message_get_packed_size(&req.base) < sizeof(packed));
	c.req = packed;
	c.req_len = protobuf_c_message_pack(&req.base, packed);
	buf_init_secret(&resp, 1 << 20); /* as the gRPC server's response buffer */
	c.resp = &resp;
	seen_mark = 0;
	mem_set_wipe_observer(observe, NULL);
	r = tf6_dispatch(fw, &c);
	during = seen_mark;
	mem_set_wipe_observer(NULL, NULL);
	ASSERT_EQ_INT(r, 0);
	/* The answer carries the secret in the upgraded state (so this test can see it go). */
	ASSERT(resp.len > 0 && memmem(resp.data, resp.len, MARK, strlen(MARK)) != NULL);
	/* Copies wiped inside the call: the unpacked raw state (protobuf-c), jansson's parsed
	 * string, the number-marked JSON copy, the cty string, the msgpack encoding buffer. */
	printf("# %d wiped copies of the secret during the call\n", during);
	ASSERT(during >= 4);
	seen_mark = 0;
	mem_set_wipe_observer(observe, NULL);
	buf_release(&resp);
	mem_set_wipe_observer(NULL, NULL);
	ASSERT_EQ_INT(seen_mark, 1);
}

int main(void)
{
	json_set_alloc_funcs(mem_wiping_malloc, mem_wiping_free); /* as the provider's main() */
	if (fw_new(provider_served(), &fw) != 0) {
		printf("not ok 1 - fw_new\n1..1\n");
		return 1;
	}
	RUN(upgrade_state_with_secret_wipes_every_copy);
	fw_free(fw);
	return test_done();
}
