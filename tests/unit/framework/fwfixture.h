/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the framework's unit tests (test_framework.c, test_kinds.c): the example provider
 * (tests/framework/fwtest.c, objects kept as files in a temp dir), a deliberately buggy resource, a
 * resource whose create is refused, a synthetic list resource, the registered struct fw, and calls
 * through tf6_dispatch() with real protobuf-c messages. Included by each test file (one binary each).
 */
#ifndef TESTS_UNIT_FRAMEWORK_FWFIXTURE_H
#define TESTS_UNIT_FRAMEWORK_FWFIXTURE_H
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../framework/fwtest.c"
#include "test.h"
#include "tfplugin6.pb-c.h"

#define UUID1 "11111111-2222-4333-8444-555555555555"
#define UUID2 "21111111-2222-4333-8444-555555555555"

static char tmpdir[64];

/* A resource that breaks the rules: changes a known planned value and leaves one unknown. */
static const struct fw_attr buggy_attrs[] = {
	{ .name = "id", .type = &cty_string, .flags = FW_COMPUTED },
	{ .name = "name", .type = &cty_string, .flags = FW_REQUIRED },
	{ .name = "size", .type = &cty_number, .flags = FW_COMPUTED },
	{ 0 },
};

static __attribute__((unused)) int buggy_create(const struct fw_ctx *ctx, const struct cty_value *config,
						struct cty_value *state, struct fw_diags *d)
{
	fw_set_cstring(state, "id", "b-1");
	return fw_set_cstring(state, "name", "renamed by the API");
}

static __attribute__((unused)) int buggy_read(const struct fw_ctx *ctx, struct cty_value *state, struct fw_diags *d)
{
	return 0;
}

static __attribute__((unused)) int buggy_delete(const struct fw_ctx *ctx, const struct cty_value *prior,
						struct fw_diags *d)
{
	fw_error(d, NULL, "Delete failed", "the API said no");
	return ERR_IO;
}

static const struct fw_resource buggy = {
	.type_name = "fwtest_buggy",
	.attrs = buggy_attrs,
	.create = buggy_create,
	.read = buggy_read,
	.del = buggy_delete,
};

/* A resource whose API refuses every create (a 401, say), leaving state as the plan gave it. */
static __attribute__((unused)) int refused_create(const struct fw_ctx *ctx, const struct cty_value *config,
						  struct cty_value *state, struct fw_diags *d)
{
	fw_error(d, NULL, "Cannot create", "denied authentication (HTTP 401)");
	return ERR_AUTH;
}

static const struct fw_resource refused = {
	.type_name = "fwtest_refused",
	.attrs = buggy_attrs,
	.create = refused_create,
	.read = buggy_read,
	.del = buggy_delete,
};

static const struct fw_resource *const test_resources[] = { &fwtest_thing, &buggy, &refused, NULL };
static const struct fw_data_source *const test_data_sources[] = { &fwtest_ds, NULL };
static const struct fw_ephemeral *const test_ephemerals[] = { &fwtest_token, NULL };

/* A list of synthetic things t-1..t-<count> (filter "count", default 250), each with a secret and a
 * write-only value set, so that the framework's nulling shows; produced records how many the
 * callback built before fw_list_emit said stop (laziness). */
static const struct fw_attr thing_filters[] = {
	{ .name = "count", .type = &cty_number, .flags = FW_OPTIONAL },
	{ .name = "owner_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ 0 },
};
static int produced;

static __attribute__((unused)) int things_list(const struct fw_ctx *ctx, const struct cty_value *config,
					       struct fw_list_out *out, struct fw_diags *d)
{
	int64_t count = 250, i;
	int r = 0;

	fw_get_int(config, "count", &count);
	produced = 0;
	for (i = 1; r == 0 && i <= count; i++) {
		struct cty_value st;
		char id[32];

		snprintf(id, sizeof(id), "t-%lld", (long long)i);
		cty_value_object(&st, fw_resource_type(ctx->fw, &fwtest_thing));
		fw_set_cstring(&st, "id", id);
		fw_set_cstring(&st, "name", id);
		fw_set_cstring(&st, "secret", "hunter2-secret");
		fw_set_cstring(&st, "password_wo", "hunter2-password");
		produced++;
		r = fw_list_emit(out, &st, id);
		cty_value_release(&st);
	}
	if (count == 13)
		fw_error(d, NULL, "Unlucky", "the API failed after the first results");
	return r < 0 ? r : 0;
}

static const struct fw_list things = {
	.type_name = "fwtest_thing",
	.attrs = thing_filters,
	.resource = &fwtest_thing,
	.list = things_list,
};
static const struct fw_list *const test_lists[] = { &things, NULL };
static struct fw_provider test_provider;
static struct fw *fw;
static struct fw_ctx ctx0;

static __attribute__((unused)) void setup(void)
{
	test_provider = provider_scaleway;
	test_provider.name = "fwtest";
	test_provider.resources = test_resources;
	test_provider.data_sources = test_data_sources;
	test_provider.ephemerals = test_ephemerals;
	test_provider.lists = test_lists;
	fw_free(fw);
	if (fw_new(&test_provider, &fw) != 0) {
		printf("Bail out! fw_new failed\n");
		exit(1);
	}
	fw_ctx_init(&ctx0, fw, NULL);
}

static __attribute__((unused)) const struct cty_type *thing_t(void)
{
	return fw_resource_type(fw, &fwtest_thing);
}

/* A config of fwtest_thing: name + owner_id, everything else null. */
static __attribute__((unused)) void thing_config(struct cty_value *c, const char *name)
{
	cty_value_object(c, thing_t());
	fw_set_cstring(c, "name", name);
	fw_set_cstring(c, "owner_id", UUID1);
}

/* Terraform's proposed new state: config, plus prior values of computed attributes null in config. */
static __attribute__((unused)) void proposed_from(struct cty_value *p, const struct cty_value *config,
						  const struct cty_value *prior)
{
	size_t i;

	cty_value_copy(p, config);
	for (i = 0; fwtest_attrs[i].name; i++) {
		const char *nm = fwtest_attrs[i].name;

		if ((fwtest_attrs[i].flags & FW_COMPUTED) && fw_is_null(config, nm) && prior && prior->st == CTY_KNOWN)
			fw_set_value(p, nm, cty_object_attr(prior, nm));
	}
}

static __attribute__((unused)) int diag_has(const struct fw_diags *d, const char *attr, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct fw_diag *g = &d->v[i];
		int path_ok = attr ? g->npath == 1 && strcmp(g->path[0].name, attr) == 0 : g->npath == 0;

		if (path_ok && (strstr(g->summary, needle) || (g->detail && strstr(g->detail, needle))))
			return 1;
	}
	return 0;
}

static __attribute__((unused)) int diag_mentions(const struct fw_diags *d, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (strstr(d->v[i].summary, needle) || (d->v[i].detail && strstr(d->v[i].detail, needle)))
			return 1;
	}
	return 0;
}

/* ---- through tf6_dispatch with protobuf ---- */

static __attribute__((unused)) int call(const char *method, const ProtobufCMessage *req, struct buf *resp)
{
	static const volatile int no_cancel = 0;
	uint8_t tmp[65536];
	struct tf6_call c = { .method = method, .resp = resp, .cancel = &no_cancel };
	size_t n = req ? protobuf_c_message_pack(req, tmp) : 0;

	buf_reset(resp);
	c.req = tmp;
	c.req_len = n;
	return tf6_dispatch(fw, &c);
}

static __attribute__((unused)) void dv_set(Tfplugin6__DynamicValue *dv, struct buf *b, const struct cty_value *v)
{
	tfplugin6__dynamic_value__init(dv);
	buf_reset(b);
	cty_msgpack_encode(v, v->type, b);
	dv->msgpack.data = (uint8_t *)b->data;
	dv->msgpack.len = b->len;
}

/* The temp dir of fwtest objects: created before the tests, emptied and removed after. */
static __attribute__((unused)) int fixture_begin(void)
{
	char tmpl[] = "/tmp/fwtest-XXXXXX";

	if (!mkdtemp(tmpl)) {
		printf("Bail out! mkdtemp\n");
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);
	setenv("FWTEST_DIR", tmpdir, 1);
	setup();
	return 0;
}

static __attribute__((unused)) void fixture_end(void)
{
	DIR *dir;
	struct dirent *e;

	fw_free(fw);
	fw = NULL;
	dir = opendir(tmpdir);
	for (e = dir ? readdir(dir) : NULL; e; e = readdir(dir)) {
		char p[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		unlink(p);
	}
	if (dir)
		closedir(dir);
	rmdir(tmpdir);
}

#endif
