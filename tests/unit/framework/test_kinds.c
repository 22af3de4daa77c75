/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the framework's kinds beyond resources and data sources: list resources streamed
 * through tf6_dispatch() (laziness, limit, secrets nulled, errors as events), config generation,
 * the kinds table, and ephemerals that Terraform leaves open (closed at shutdown).
 */
#include "fwfixture.h"

/* Server-streaming calls: collect the events. */
struct events {
	size_t n;
	Tfplugin6__ListResource__Event *v[400];
};

static int collect(void *ctx, const uint8_t *msg, size_t len)
{
	struct events *ev = ctx;

	if (ev->n >= 400)
		return ERR_RANGE;
	ev->v[ev->n] = (void *)protobuf_c_message_unpack(&tfplugin6__list_resource__event__descriptor, NULL, len, msg);
	return ev->v[ev->n++] ? 0 : ERR_PARSE;
}

static void events_free(struct events *ev)
{
	while (ev->n)
		protobuf_c_message_free_unpacked(&ev->v[--ev->n]->base, NULL);
}

static int list_call(struct events *ev, const struct cty_value *config, int64_t limit, int include)
{
	static const volatile int no_cancel = 0;
	Tfplugin6__ListResource__Request req;
	Tfplugin6__DynamicValue dv;
	uint8_t tmp[4096];
	struct buf b, out;
	struct tf6_call c = {
		.method = "ListResource", .resp = &out, .cancel = &no_cancel, .emit = collect, .emit_ctx = ev
	};
	int r;

	buf_init(&b, 1 << 16);
	buf_init(&out, 1 << 16);
	tfplugin6__list_resource__request__init(&req);
	req.type_name = (char *)(uintptr_t) "fwtest_thing";
	if (config) {
		dv_set(&dv, &b, config);
		req.config = &dv;
	}
	req.limit = limit;
	req.include_resource_object = include;
	c.req = tmp;
	c.req_len = protobuf_c_message_pack(&req.base, tmp);
	r = tf6_dispatch(fw, &c);
	ASSERT_EQ_INT(out.len, 0); /* streamed: nothing in the unary response */
	buf_release(&b);
	buf_release(&out);
	return r;
}

TEST(list_streams_lazily_up_to_the_limit_without_secrets)
{
	const struct cty_type *lt = fw_list_type(fw, &things);
	struct events ev = { 0 };
	struct cty_value cfg, obj, idv;
	size_t i;

	ASSERT(lt && fw_find_list(fw, "fwtest_thing") == &things);
	/* no config block: no filter, every result */
	ASSERT_EQ_INT(list_call(&ev, NULL, 0, 0), 0);
	ASSERT_EQ_INT(ev.n, 250);
	ASSERT_EQ_INT(produced, 250);
	ASSERT_EQ_STR(ev.v[41]->display_name, "t-42");
	ASSERT(ev.v[41]->identity && !ev.v[41]->_resource_object_case && ev.v[41]->n_diagnostic == 0);
	ASSERT_EQ_INT(cty_msgpack_decode(ev.v[41]->identity->identity_data->msgpack.data,
					 ev.v[41]->identity->identity_data->msgpack.len,
					 fw_identity_type(fw, &fwtest_thing), &idv, NULL),
		      0);
	ASSERT_EQ_STR(fw_get_string(&idv, "id"), "t-42");
	cty_value_release(&idv);
	events_free(&ev);
	/* limit 7 with full objects: 7 events, the callback stopped at the 7th, no secret anywhere */
	ASSERT_EQ_INT(list_call(&ev, NULL, 7, 1), 0);
	ASSERT_EQ_INT(ev.n, 7);
	ASSERT_EQ_INT(produced, 7);
	for (i = 0; i < ev.n; i++) {
		uint8_t raw[4096];
		size_t n = protobuf_c_message_pack(&ev.v[i]->base, raw);

		ASSERT(ev.v[i]->_resource_object_case && ev.v[i]->resource_object);
		ASSERT(!memmem(raw, n, "hunter2", 7));
	}
	ASSERT_EQ_INT(cty_msgpack_decode(ev.v[0]->resource_object->msgpack.data, ev.v[0]->resource_object->msgpack.len,
					 thing_t(), &obj, NULL),
		      0);
	ASSERT_EQ_STR(fw_get_string(&obj, "name"), "t-1");
	ASSERT(fw_is_null(&obj, "secret") && fw_is_null(&obj, "password_wo"));
	cty_value_release(&obj);
	events_free(&ev);
	/* an invalid filter: one event with the diagnostic on its attribute, the callback never called */
	produced = -1;
	cty_value_object(&cfg, lt);
	fw_set_cstring(&cfg, "owner_id", "nope");
	ASSERT_EQ_INT(list_call(&ev, &cfg, 0, 0), 0);
	ASSERT(ev.n == 1 && ev.v[0]->n_diagnostic == 1 && produced == -1 && !ev.v[0]->identity);
	ASSERT_EQ_STR(ev.v[0]->diagnostic[0]->attribute->steps[0]->attribute_name, "owner_id");
	events_free(&ev);
	/* a failure after some results: the results, then the error as the last event */
	fw_set_null(&cfg, "owner_id");
	fw_set_int(&cfg, "count", 13);
	ASSERT_EQ_INT(list_call(&ev, &cfg, 0, 0), 0);
	ASSERT(ev.n == 14 && ev.v[13]->n_diagnostic == 1 && !ev.v[13]->identity);
	ASSERT_EQ_STR(ev.v[13]->diagnostic[0]->summary, "Unlucky");
	events_free(&ev);
	/* a negative limit is refused */
	ASSERT_EQ_INT(list_call(&ev, NULL, -1, 0), 0);
	ASSERT(ev.n == 1 && ev.v[0]->n_diagnostic == 1 && strstr(ev.v[0]->diagnostic[0]->summary, "limit"));
	events_free(&ev);
	cty_value_release(&cfg);
}

TEST(generate_config_drops_computed_only_and_write_only)
{
	struct cty_value st, conf;
	struct fw_diags d;

	fw_diags_init(&d);
	cty_value_object(&st, thing_t());
	fw_set_cstring(&st, "id", "x-1");
	fw_set_cstring(&st, "name", "kept");
	fw_set_cstring(&st, "owner_id", UUID1);
	fw_set_cstring(&st, "secret", "s3cr3t");
	fw_set_cstring(&st, "password_wo", "never");
	fw_set_cstring(&st, "updated_at", "2030-01-01T00:00:00Z");
	ASSERT_EQ_INT(fw_generate_config(&ctx0, &fwtest_thing, &st, &conf, &d), 0);
	ASSERT_EQ_STR(fw_get_string(&conf, "name"), "kept");
	ASSERT_EQ_STR(fw_get_string(&conf, "owner_id"), UUID1);
	ASSERT(fw_is_null(&conf, "id") && fw_is_null(&conf, "secret") && fw_is_null(&conf, "password_wo") &&
	       fw_is_null(&conf, "updated_at"));
	cty_value_release(&conf);
	/* an unknown state cannot be turned into a configuration */
	cty_value_release(&st);
	cty_value_unknown(&st, thing_t());
	ASSERT(fw_generate_config(&ctx0, &fwtest_thing, &st, &conf, &d) < 0 && fw_diags_has_error(&d));
	ASSERT(conf.st == CTY_NULL);
	cty_value_release(&st);
	fw_diags_release(&d);
}

TEST(kinds_table_checks_every_kind)
{
	static const struct fw_list no_resource = { .type_name = "x", .list = things_list };
	static const struct fw_list *const bad_lists[] = { &no_resource, NULL };
	struct fw_provider p = test_provider;
	struct fw *bad = NULL;
	size_t k, total = 0;

	p.lists = bad_lists;
	ASSERT_EQ_INT(fw_new(&p, &bad), ERR_INVAL);
	ASSERT(bad == NULL);
	for (k = 0; k < FW_NKINDS; k++) {
		ASSERT(fw_kinds[k].what && fw_kinds[k].schema_rpc && fw_kinds[k].schema_field);
		total += fw_count(fw, k);
	}
	/* 3 resources (thing, buggy, refused), 1 data source, 1 ephemeral, 1 list, 3 identities */
	ASSERT_EQ_INT(total, 9);
	ASSERT_EQ_INT(fw_count(fw, FW_KIND_IDENTITY), 3);
	ASSERT(fw_find(fw, FW_KIND_IDENTITY, "fwtest_thing", NULL) != NULL);
	ASSERT(fw_find(fw, FW_KIND_LIST, "nope", NULL) == NULL);
}

TEST(ephemerals_left_open_are_closed_at_shutdown)
{
	Tfplugin6__OpenEphemeralResource__Request oreq;
	Tfplugin6__OpenEphemeralResource__Response *o1, *o2;
	Tfplugin6__CloseEphemeralResource__Request creq;
	Tfplugin6__DynamicValue dconf;
	struct buf out, b1;
	struct cty_value c;
	char p1[4096], p2[4096];

	buf_init(&out, 1 << 20);
	buf_init(&b1, 1 << 20);
	setenv("FWTEST_EPH_DIR", tmpdir, 1);
	cty_value_object(&c, fw_ephemeral_type(fw, &fwtest_token));
	fw_set_cstring(&c, "name", "left");
	tfplugin6__open_ephemeral_resource__request__init(&oreq);
	oreq.type_name = (char *)(uintptr_t) "fwtest_token";
	dv_set(&dconf, &b1, &c);
	oreq.config = &dconf;
	ASSERT_EQ_INT(call("OpenEphemeralResource", &oreq.base, &out), 0);
	o1 = (void *)protobuf_c_message_unpack(&tfplugin6__open_ephemeral_resource__response__descriptor, NULL, out.len,
					       (const uint8_t *)out.data);
	ASSERT_EQ_INT(call("OpenEphemeralResource", &oreq.base, &out), 0);
	o2 = (void *)protobuf_c_message_unpack(&tfplugin6__open_ephemeral_resource__response__descriptor, NULL, out.len,
					       (const uint8_t *)out.data);
	ASSERT(o1 && o2 && o1->private_.len == 36 && o2->private_.len == 36);
	snprintf(p1, sizeof(p1), "%s/closed-%.36s", tmpdir, (const char *)o1->private_.data);
	snprintf(p2, sizeof(p2), "%s/closed-%.36s", tmpdir, (const char *)o2->private_.data);
	/* Terraform closes the first one; the second is left open (as after a failed apply) */
	tfplugin6__close_ephemeral_resource__request__init(&creq);
	creq.type_name = (char *)(uintptr_t) "fwtest_token";
	creq._private_case = TFPLUGIN6__CLOSE_EPHEMERAL_RESOURCE__REQUEST___PRIVATE_PRIVATE;
	creq.private_ = o1->private_;
	ASSERT_EQ_INT(call("CloseEphemeralResource", &creq.base, &out), 0);
	ASSERT_EQ_INT(access(p1, F_OK), 0);
	unlink(p1);
	ASSERT(access(p2, F_OK) != 0);
	/* shutdown (StopProvider first does not prevent it): only the one left open is closed */
	ASSERT_EQ_INT(call("StopProvider", NULL, &out), 0);
	setup(); /* fw_free + fw_new */
	ASSERT_EQ_INT(access(p2, F_OK), 0);
	ASSERT(access(p1, F_OK) != 0);
	unsetenv("FWTEST_EPH_DIR");
	protobuf_c_message_free_unpacked(&o1->base, NULL);
	protobuf_c_message_free_unpacked(&o2->base, NULL);
	cty_value_release(&c);
	buf_release(&b1);
	buf_release(&out);
}

int main(void)
{
	if (fixture_begin() < 0)
		return 1;
	RUN(list_streams_lazily_up_to_the_limit_without_secrets);
	RUN(generate_config_drops_computed_only_and_write_only);
	RUN(kinds_table_checks_every_kind);
	RUN(ephemerals_left_open_are_closed_at_shutdown);
	fixture_end();
	return test_done();
}
