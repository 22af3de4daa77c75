/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the resource framework: Terraform's validate/plan/apply/read rules on the example
 * resource fwtest_thing (tests/framework/fwtest.c, which keeps objects as files in a temp dir),
 * a deliberately buggy resource, and the tfplugin6 mapping through tf6_dispatch() with real
 * protobuf-c messages.
 */
#include "fwfixture.h"

TEST(init_rejects_invalid_schemas)
{
	static const struct fw_attr bad1[] = { { .name = "Bad-Name", .type = &cty_string, .flags = FW_OPTIONAL },
					       { 0 } };
	static const struct fw_attr bad2[] = { { .name = "x", .type = &cty_string, .flags = FW_REQUIRED | FW_COMPUTED },
					       { 0 } };
	static const struct fw_attr bad3[] = { { .name = "x", .type = &cty_string, .flags = 0 }, { 0 } };
	static const char *const ghost[] = { "x", "ghost", NULL };
	static const struct fw_rule bad_rule[] = { { .kind = FW_AT_MOST_ONE_OF, .attrs = ghost }, { 0 } };
	static const struct fw_attr ok_attrs[] = { { .name = "x", .type = &cty_string, .flags = FW_OPTIONAL }, { 0 } };
	struct fw_provider p = { .name = "t" };
	struct fw *bad = NULL;

	p.attrs = bad1;
	ASSERT_EQ_INT(fw_new(&p, &bad), ERR_INVAL);
	p.attrs = bad2;
	ASSERT_EQ_INT(fw_new(&p, &bad), ERR_INVAL);
	p.attrs = bad3;
	ASSERT_EQ_INT(fw_new(&p, &bad), ERR_INVAL);
	p.attrs = ok_attrs;
	p.rules = bad_rule;
	ASSERT_EQ_INT(fw_new(&p, &bad), ERR_INVAL);
	p.rules = NULL;
	ASSERT_EQ_INT(fw_new(&p, &bad), 0);
	fw_free(bad);
	setup();
}

TEST(validate_reports_attribute_paths_and_hides_sensitive_values)
{
	struct cty_value c;
	struct fw_diags d;

	fw_diags_init(&d);
	thing_config(&c, "a-name-that-is-much-too-long-for-the-limit");
	fw_set_cstring(&c, "group_id", "not-a-uuid");
	fw_set_cstring(&c, "password_wo", "short");
	fw_set_cstring(&c, "expires_at", "2001-01-01T00:00:00Z");
	ASSERT_EQ_INT(fw_validate_config(&ctx0, fwtest_attrs, fwtest_rules, &c, &d), ERR_INVAL);
	ASSERT(diag_has(&d, "name", "between 1 and 32"));
	ASSERT(diag_has(&d, "name", "a-name-that-is-much-too-long")); /* non-sensitive value echoed */
	ASSERT(diag_has(&d, "group_id", "UUID"));
	ASSERT(diag_has(&d, "group_id", "Exactly one of")); /* the second one set is pointed at */
	ASSERT(diag_has(&d, "password_wo", "between 8 and 128"));
	ASSERT(!diag_mentions(&d, "short")); /* the write-only value is never echoed */
	ASSERT(diag_has(&d, "expires_at", "in the future"));
	ASSERT(diag_has(&d, "password_wo", "\"password_version\" must be set")); /* required-with */
	fw_diags_release(&d);
	cty_value_release(&c);

	/* neither owner nor group: whole-block error; an unknown owner is tolerated */
	fw_diags_init(&d);
	thing_config(&c, "ok");
	fw_set_null(&c, "owner_id");
	ASSERT_EQ_INT(fw_validate_config(&ctx0, fwtest_attrs, fwtest_rules, &c, &d), ERR_INVAL);
	ASSERT(diag_has(&d, NULL, "Exactly one of"));
	fw_diags_release(&d);
	fw_diags_init(&d);
	cty_value_unknown(cty_object_attr(&c, "owner_id"), &cty_string);
	fw_set_value(&c, "expires_at", cty_object_attr(&c, "owner_id")); /* unknown */
	ASSERT_EQ_INT(fw_validate_config(&ctx0, fwtest_attrs, fwtest_rules, &c, &d), 0);
	ASSERT_EQ_INT(d.n, 0);
	fw_diags_release(&d);
	cty_value_release(&c);
}

TEST(element_validators_report_element_paths)
{
	static const char *const tags[] = { "ok", "", "much-too-long-for-a-tag" };
	static const char *const six[] = { "a", "b", "c", "d", "e", "f" };
	struct cty_value c;
	struct fw_diags d;
	size_t i, hits = 0;

	fw_diags_init(&d);
	thing_config(&c, "ok");
	fw_set_strings(&c, "tags", tags, 3);
	ASSERT_EQ_INT(fw_validate_config(&ctx0, fwtest_attrs, fwtest_rules, &c, &d), ERR_INVAL);
	ASSERT_EQ_INT(d.n, 2);
	for (i = 0; i < d.n; i++) {
		ASSERT_EQ_INT(d.v[i].npath, 2);
		ASSERT_EQ_STR(d.v[i].path[0].name, "tags");
		ASSERT_EQ_INT(d.v[i].path[1].kind, FW_STEP_INDEX);
		hits += (size_t)d.v[i].path[1].index;
		ASSERT(strstr(d.v[i].detail, "between 1 and 16 characters"));
	}
	ASSERT_EQ_INT(hits, 3); /* elements 1 and 2 */
	fw_diags_release(&d);
	fw_diags_init(&d);
	fw_set_strings(&c, "tags", six, 6);
	ASSERT_EQ_INT(fw_validate_config(&ctx0, fwtest_attrs, fwtest_rules, &c, &d), ERR_INVAL);
	ASSERT(diag_has(&d, "tags", "between 0 and 5 elements (got 6)"));
	fw_diags_release(&d);
	cty_value_release(&c);
}

TEST(plan_create_marks_computed_unknown_and_nulls_write_only)
{
	struct cty_value c, prior, prop, planned;
	struct fw_replace rep;
	struct fw_diags d;

	fw_diags_init(&d);
	thing_config(&c, "alpha");
	fw_set_cstring(&c, "password_wo", "long enough password");
	fw_set_int(&c, "size", 3);
	cty_value_null(&prior, thing_t());
	proposed_from(&prop, &c, NULL);
	ASSERT_EQ_INT(fw_plan(&ctx0, &fwtest_thing, &prior, &prop, &c, &planned, &rep, &d), 0);
	ASSERT_EQ_INT(d.n, 0);
	ASSERT(fw_is_unknown(&planned, "id"));
	ASSERT(fw_is_unknown(&planned, "secret"));
	ASSERT(fw_is_unknown(&planned, "created_at"));
	ASSERT(fw_is_unknown(&planned, "region"));
	ASSERT(!fw_is_unknown(&planned, "size")); /* optional+computed set in config stays */
	ASSERT(fw_is_null(&planned, "password_wo"));
	ASSERT(fw_is_null(&planned, "description"));
	ASSERT_EQ_STR(fw_get_string(&planned, "name"), "alpha");
	ASSERT_EQ_INT(rep.n, 0);
	cty_value_release(&planned);
	/* optional+computed null in config: unknown */
	fw_set_null(&c, "size");
	cty_value_release(&prop);
	proposed_from(&prop, &c, NULL);
	ASSERT_EQ_INT(fw_plan(&ctx0, &fwtest_thing, &prior, &prop, &c, &planned, &rep, &d), 0);
	ASSERT(fw_is_unknown(&planned, "size"));
	cty_value_release(&planned);
	cty_value_release(&prop);
	cty_value_release(&c);
	fw_diags_release(&d);
}

/* Create a thing through the framework and return its state. */
static void create_thing(struct cty_value *state, const char *name, const char *expires)
{
	struct cty_value c, prior, prop, planned;
	struct fw_replace rep;
	struct fw_diags d;

	fw_diags_init(&d);
	thing_config(&c, name);
	if (expires)
		fw_set_cstring(&c, "expires_at", expires);
	cty_value_null(&prior, thing_t());
	proposed_from(&prop, &c, NULL);
	fw_plan(&ctx0, &fwtest_thing, &prior, &prop, &c, &planned, &rep, &d);
	fw_apply(&ctx0, &fwtest_thing, &prior, &planned, &c, state, &d);
	if (d.n)
		printf("# unexpected diagnostic: %s: %s\n", d.v[0].summary, d.v[0].detail);
	cty_value_release(&c);
	cty_value_release(&prop);
	cty_value_release(&planned);
	fw_diags_release(&d);
}

TEST(apply_create_keeps_planned_spelling_and_fills_computed)
{
	struct cty_value st;
	char path[4096];

	create_thing(&st, "alpha", "2031-01-01T02:00:00+02:00");
	ASSERT_EQ_INT(st.st, CTY_KNOWN);
	ASSERT(cty_value_wholly_known(&st));
	ASSERT(fw_get_string(&st, "id"));
	ASSERT(uuid_is_valid(fw_get_string(&st, "secret"), 36));
	/* the "API" stored 2031-01-01T00:00:00Z: an equal instant keeps the configured spelling */
	ASSERT_EQ_STR(fw_get_string(&st, "expires_at"), "2031-01-01T02:00:00+02:00");
	ASSERT_EQ_STR(cty_object_attr(&st, "size")->s, "1");
	ASSERT(fw_is_null(&st, "password_wo"));
	ASSERT_EQ_INT(fwtest_path(fw_get_string(&st, "id"), path, sizeof(path)), 0);
	ASSERT_EQ_INT(access(path, F_OK), 0);
	cty_value_release(&st);
}

TEST(plan_update_keeps_prior_computed_and_unknowns_updated_at)
{
	struct cty_value st, c, prop, planned;
	struct fw_replace rep;
	struct fw_diags d;

	fw_diags_init(&d);
	create_thing(&st, "alpha", "2031-01-01T00:00:00Z");
	/* same instant, another offset, no other change: planned == prior, no replace, updated_at kept */
	thing_config(&c, "alpha");
	fw_set_cstring(&c, "expires_at", "2030-12-31T23:00:00-01:00");
	proposed_from(&prop, &c, &st);
	ASSERT_EQ_INT(fw_plan(&ctx0, &fwtest_thing, &st, &prop, &c, &planned, &rep, &d), 0);
	ASSERT(cty_value_equal(&planned, &st));
	ASSERT_EQ_INT(rep.n, 0);
	cty_value_release(&planned);
	cty_value_release(&prop);
	/* description change: in place; updated_at unknown; secret, id, created_at kept */
	fw_set_cstring(&c, "description", "new");
	proposed_from(&prop, &c, &st);
	ASSERT_EQ_INT(fw_plan(&ctx0, &fwtest_thing, &st, &prop, &c, &planned, &rep, &d), 0);
	ASSERT_EQ_INT(rep.n, 0);
	ASSERT(fw_is_unknown(&planned, "updated_at"));
	ASSERT_EQ_STR(fw_get_string(&planned, "secret"), fw_get_string(&st, "secret"));
	ASSERT_EQ_STR(fw_get_string(&planned, "id"), fw_get_string(&st, "id"));
	ASSERT_EQ_STR(fw_get_string(&planned, "expires_at"), "2031-01-01T00:00:00Z");
	cty_value_release(&planned);
	cty_value_release(&prop);
	/* name and owner change: requires replace on both paths */
	fw_set_cstring(&c, "name", "beta");
	fw_set_cstring(&c, "owner_id", UUID2);
	proposed_from(&prop, &c, &st);
	ASSERT_EQ_INT(fw_plan(&ctx0, &fwtest_thing, &st, &prop, &c, &planned, &rep, &d), 0);
	ASSERT_EQ_INT(rep.n, 2);
	ASSERT_EQ_STR(rep.attrs[0], "name");
	ASSERT_EQ_STR(rep.attrs[1], "owner_id");
	cty_value_release(&planned);
	cty_value_release(&prop);
	/* an unknown replace-attribute value also requires replace */
	cty_value_release(&c);
	thing_config(&c, "alpha");
	cty_value_release(cty_object_attr(&c, "owner_id"));
	cty_value_unknown(cty_object_attr(&c, "owner_id"), &cty_string);
	proposed_from(&prop, &c, &st);
	ASSERT_EQ_INT(fw_plan(&ctx0, &fwtest_thing, &st, &prop, &c, &planned, &rep, &d), 0);
	ASSERT_EQ_INT(rep.n, 1);
	ASSERT_EQ_STR(rep.attrs[0], "owner_id");
	cty_value_release(&planned);
	cty_value_release(&prop);
	/* destroy: proposed null -> planned null */
	cty_value_null(&prop, thing_t());
	ASSERT_EQ_INT(fw_plan(&ctx0, &fwtest_thing, &st, &prop, &prop, &planned, &rep, &d), 0);
	ASSERT_EQ_INT(planned.st, CTY_NULL);
	ASSERT_EQ_INT(d.n, 0);
	cty_value_release(&c);
	cty_value_release(&st);
	fw_diags_release(&d);
}

TEST(apply_update_read_drift_delete)
{
	struct cty_value st, c, prop, planned, out, gone;
	struct fw_replace rep;
	struct fw_diags d;
	char path[4096];

	fw_diags_init(&d);
	create_thing(&st, "alpha", NULL);
	thing_config(&c, "alpha");
	fw_set_cstring(&c, "description", "changed");
	proposed_from(&prop, &c, &st);
	ASSERT_EQ_INT(fw_plan(&ctx0, &fwtest_thing, &st, &prop, &c, &planned, &rep, &d), 0);
	ASSERT_EQ_INT(fw_apply(&ctx0, &fwtest_thing, &st, &planned, &c, &out, &d), 0);
	ASSERT_EQ_INT(d.n, 0);
	ASSERT_EQ_STR(fw_get_string(&out, "description"), "changed");
	ASSERT(!fw_is_unknown(&out, "updated_at"));
	ASSERT_EQ_STR(fw_get_string(&out, "secret"), fw_get_string(&st, "secret"));
	cty_value_release(&planned);
	cty_value_release(&prop);
	/* read sees the stored object; the file holds expires_at in UTC, state keeps its spelling */
	ASSERT_EQ_INT(fw_read(&ctx0, &fwtest_thing, &out, &planned, &d), 0);
	ASSERT(cty_value_equal(&planned, &out));
	cty_value_release(&planned);
	/* deleted outside: read answers null */
	fwtest_path(fw_get_string(&out, "id"), path, sizeof(path));
	ASSERT_EQ_INT(unlink(path), 0);
	ASSERT_EQ_INT(fw_read(&ctx0, &fwtest_thing, &out, &gone, &d), 0);
	ASSERT_EQ_INT(gone.st, CTY_NULL);
	/* deleting an absent object succeeds; new state null */
	cty_value_null(&planned, thing_t());
	ASSERT_EQ_INT(fw_apply(&ctx0, &fwtest_thing, &out, &planned, &planned, &gone, &d), 0);
	ASSERT_EQ_INT(gone.st, CTY_NULL);
	ASSERT_EQ_INT(d.n, 0);
	cty_value_release(&out);
	cty_value_release(&c);
	cty_value_release(&st);
	fw_diags_release(&d);
}

TEST(apply_never_changes_a_known_planned_value)
{
	const struct cty_type *t = fw_resource_type(fw, &buggy);
	struct cty_value c, prior, planned, out;
	struct fw_replace rep;
	struct fw_diags d;

	fw_diags_init(&d);
	cty_value_object(&c, t);
	fw_set_cstring(&c, "name", "mine");
	cty_value_null(&prior, t);
	ASSERT_EQ_INT(fw_plan(&ctx0, &buggy, &prior, &c, &c, &planned, &rep, &d), 0);
	ASSERT(fw_is_unknown(&planned, "size"));
	ASSERT_EQ_INT(fw_apply(&ctx0, &buggy, &prior, &planned, &c, &out, &d), ERR_INVAL);
	ASSERT(diag_has(&d, "name", "provider bug"));
	ASSERT(diag_has(&d, "size", "still unknown"));
	ASSERT_EQ_STR(fw_get_string(&out, "name"), "mine"); /* planned value kept */
	ASSERT_EQ_INT(cty_object_attr(&out, "size")->st, CTY_NULL);
	ASSERT(cty_value_wholly_known(&out));
	fw_diags_release(&d);
	/* a failed delete keeps the prior state */
	fw_diags_init(&d);
	cty_value_release(&planned);
	cty_value_null(&planned, t);
	cty_value_release(&prior);
	cty_value_copy(&prior, &out);
	cty_value_release(&out);
	ASSERT_EQ_INT(fw_apply(&ctx0, &buggy, &prior, &planned, &planned, &out, &d), ERR_IO);
	ASSERT(cty_value_equal(&out, &prior));
	ASSERT(diag_mentions(&d, "the API said no"));
	fw_diags_release(&d);
	cty_value_release(&out);
	cty_value_release(&prior);
	cty_value_release(&c);
}

TEST(failed_create_that_created_nothing_leaves_no_state_and_one_error)
{
	const struct cty_type *t = fw_resource_type(fw, &refused);
	struct cty_value c, prior, planned, out;
	struct fw_replace rep;
	struct fw_diags d;

	fw_diags_init(&d);
	cty_value_object(&c, t);
	fw_set_cstring(&c, "name", "mine");
	cty_value_null(&prior, t);
	ASSERT_EQ_INT(fw_plan(&ctx0, &refused, &prior, &c, &c, &planned, &rep, &d), 0);
	ASSERT(fw_is_unknown(&planned, "id"));
	ASSERT(fw_apply(&ctx0, &refused, &prior, &planned, &c, &out, &d) < 0);
	ASSERT_EQ_INT(out.st, CTY_NULL); /* no phantom with a null id */
	ASSERT_EQ_UINT(d.n, 1);          /* the callback's error only, no "provider bug" */
	ASSERT(diag_mentions(&d, "HTTP 401"));
	fw_diags_release(&d);
	cty_value_release(&planned);
	cty_value_release(&c);
}

TEST(plan_counts_unknown_values_in_exactly_one_of_rules)
{
	struct cty_value c, prior, prop, planned;
	struct fw_replace rep;
	struct fw_diags d;

	/* both members of an exactly-one-of rule set, one of them unknown until apply: validate
	 * tolerates it (an unknown might turn out null), the plan fails naming both */
	thing_config(&c, "n");
	cty_value_release(cty_object_attr(&c, "group_id"));
	cty_value_unknown(cty_object_attr(&c, "group_id"), &cty_string);
	fw_diags_init(&d);
	ASSERT_EQ_INT(fw_validate_config(&ctx0, fwtest_thing.attrs, fwtest_thing.rules, &c, &d), 0);
	fw_diags_release(&d);
	cty_value_null(&prior, thing_t());
	proposed_from(&prop, &c, NULL);
	fw_diags_init(&d);
	ASSERT_EQ_INT(fw_plan(&ctx0, &fwtest_thing, &prior, &prop, &c, &planned, &rep, &d), ERR_INVAL);
	ASSERT(diag_has(&d, "group_id", "both set"));
	ASSERT(diag_mentions(&d, "\"owner_id\" and \"group_id\""));
	fw_diags_release(&d);
	cty_value_release(&planned);
	cty_value_release(&prop);
	cty_value_release(&c);
}

TEST(import_and_upgrade)
{
	struct cty_value st, full;
	struct fw_diags d;
	struct buf js;

	fw_diags_init(&d);
	create_thing(&full, "imported", NULL);
	ASSERT_EQ_INT(fw_import(&ctx0, &fwtest_thing, fw_get_string(&full, "id"), &st, &d), 0);
	ASSERT_EQ_STR(fw_get_string(&st, "id"), fw_get_string(&full, "id"));
	ASSERT(fw_is_null(&st, "name"));
	cty_value_release(&st);
	/* upgrade: missing attributes null, dropped attributes ignored, numbers exact, write-only null */
	buf_init(&js, 4096);
	buf_printf(&js,
		   "{\"id\":\"%s\",\"name\":\"n\",\"size\":123456789012345678901234567890,\"removed\":1,"
		   "\"password_wo\":\"leak\"}",
		   fw_get_string(&full, "id"));
	ASSERT_EQ_INT(fw_upgrade(&ctx0, &fwtest_thing, 0, js.data, js.len, &st, &d), 0);
	ASSERT_EQ_STR(cty_object_attr(&st, "size")->s, "123456789012345678901234567890");
	ASSERT(fw_is_null(&st, "password_wo"));
	ASSERT(fw_is_null(&st, "tags"));
	cty_value_release(&st);
	ASSERT_EQ_INT(fw_upgrade(&ctx0, &fwtest_thing, 5, js.data, js.len, &st, &d), ERR_UNSUPPORTED);
	ASSERT(diag_mentions(&d, "newer provider"));
	cty_value_release(&st);
	fw_diags_release(&d);
	fw_diags_init(&d);
	ASSERT(fw_upgrade(&ctx0, &fwtest_thing, 0, "{\"name\":[1]}", 12, &st, &d) < 0);
	ASSERT(diag_mentions(&d, "cannot be read"));
	cty_value_release(&st);
	buf_release(&js);
	cty_value_release(&full);
	fw_diags_release(&d);
}

TEST(data_source_reads_and_reports_missing_objects)
{
	const struct cty_type *t = fw_data_source_type(fw, &fwtest_ds);
	struct cty_value thing, c, out;
	struct fw_diags d;

	fw_diags_init(&d);
	create_thing(&thing, "seen-by-ds", NULL);
	cty_value_object(&c, t);
	fw_set_cstring(&c, "id", fw_get_string(&thing, "id"));
	ASSERT_EQ_INT(fw_read_data(&ctx0, &fwtest_ds, &c, &out, &d), 0);
	ASSERT_EQ_STR(fw_get_string(&out, "name"), "seen-by-ds");
	ASSERT_EQ_STR(fw_get_string(&out, "id"), fw_get_string(&thing, "id"));
	cty_value_release(&out);
	fw_set_cstring(&c, "id", "00000000-0000-4000-8000-000000000000");
	ASSERT(fw_read_data(&ctx0, &fwtest_ds, &c, &out, &d) < 0);
	ASSERT(diag_has(&d, "id", "No fwtest_thing"));
	ASSERT_EQ_INT(out.st, CTY_NULL);
	cty_value_release(&c);
	cty_value_release(&thing);
	fw_diags_release(&d);
}

TEST(tf6_schema_and_metadata)
{
	Tfplugin6__GetProviderSchema__Request req;
	Tfplugin6__GetProviderSchema__Response *resp;
	struct buf out;
	size_t i, j;
	int seen = 0;

	buf_init(&out, 1 << 20);
	tfplugin6__get_provider_schema__request__init(&req);
	ASSERT_EQ_INT(call("GetProviderSchema", &req.base, &out), 0);
	resp = (void *)protobuf_c_message_unpack(&tfplugin6__get_provider_schema__response__descriptor, NULL, out.len,
						 (const uint8_t *)out.data);
	ASSERT(resp);
	ASSERT(resp->server_capabilities && resp->server_capabilities->plan_destroy &&
	       resp->server_capabilities->get_provider_schema_optional);
	ASSERT_EQ_INT(resp->provider->block->n_attributes, 8);
	ASSERT_EQ_INT(resp->n_resource_schemas, 3);
	for (i = 0; i < resp->n_resource_schemas; i++) {
		Tfplugin6__Schema__Block *b = resp->resource_schemas[i]->value->block;

		if (strcmp(resp->resource_schemas[i]->key, "fwtest_thing") != 0)
			continue;
		for (j = 0; j < b->n_attributes; j++) {
			Tfplugin6__Schema__Attribute *a = b->attributes[j];

			if (strcmp(a->name, "password_wo") == 0) {
				ASSERT(a->write_only && a->sensitive && a->optional && !a->computed);
				seen++;
			}
			if (strcmp(a->name, "tags") == 0) {
				ASSERT_EQ_INT(a->type.len, 17);
				ASSERT_EQ_MEM(a->type.data, "[\"list\",\"string\"]", 17);
				seen++;
			}
		}
	}
	ASSERT_EQ_INT(seen, 2);
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	ASSERT_EQ_INT(call("GetResourceIdentitySchemas", NULL, &out), 0);
	{
		Tfplugin6__GetResourceIdentitySchemas__Response *ir = (void *)protobuf_c_message_unpack(
			&tfplugin6__get_resource_identity_schemas__response__descriptor, NULL, out.len,
			(const uint8_t *)out.data);

		ASSERT(ir && ir->n_identity_schemas == 3);
		ASSERT_EQ_STR(ir->identity_schemas[0]->value->identity_attributes[0]->name, "id");
		protobuf_c_message_free_unpacked(&ir->base, NULL);
	}
	buf_release(&out);
}

TEST(tf6_validate_gives_diagnostics_with_paths)
{
	Tfplugin6__ValidateResourceConfig__Request req;
	Tfplugin6__ValidateResourceConfig__Response *resp;
	Tfplugin6__DynamicValue dv;
	struct cty_value c;
	struct buf out, mp;

	buf_init(&out, 1 << 20);
	buf_init(&mp, 1 << 20);
	thing_config(&c, "ok");
	fw_set_cstring(&c, "owner_id", "bad");
	tfplugin6__validate_resource_config__request__init(&req);
	req.type_name = (char *)(uintptr_t) "fwtest_thing";
	dv_set(&dv, &mp, &c);
	req.config = &dv;
	ASSERT_EQ_INT(call("ValidateResourceConfig", &req.base, &out), 0);
	resp = (void *)protobuf_c_message_unpack(&tfplugin6__validate_resource_config__response__descriptor, NULL,
						 out.len, (const uint8_t *)out.data);
	ASSERT(resp && resp->n_diagnostics == 1);
	ASSERT_EQ_INT(resp->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
	ASSERT(resp->diagnostics[0]->attribute && resp->diagnostics[0]->attribute->n_steps == 1);
	ASSERT_EQ_STR(resp->diagnostics[0]->attribute->steps[0]->attribute_name, "owner_id");
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	/* unknown type name: a diagnostic, not a transport error */
	req.type_name = (char *)(uintptr_t) "fwtest_nope";
	ASSERT_EQ_INT(call("ValidateResourceConfig", &req.base, &out), 0);
	resp = (void *)protobuf_c_message_unpack(&tfplugin6__validate_resource_config__response__descriptor, NULL,
						 out.len, (const uint8_t *)out.data);
	ASSERT(resp && resp->n_diagnostics == 1 && strstr(resp->diagnostics[0]->detail, "fwtest_nope"));
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	/* garbage msgpack: a diagnostic */
	req.type_name = (char *)(uintptr_t) "fwtest_thing";
	dv.msgpack.data = (uint8_t *)(uintptr_t) "\x81\xa1x";
	dv.msgpack.len = 3;
	ASSERT_EQ_INT(call("ValidateResourceConfig", &req.base, &out), 0);
	resp = (void *)protobuf_c_message_unpack(&tfplugin6__validate_resource_config__response__descriptor, NULL,
						 out.len, (const uint8_t *)out.data);
	ASSERT(resp && resp->n_diagnostics == 1 && strstr(resp->diagnostics[0]->detail, "could not be decoded"));
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	cty_value_release(&c);
	buf_release(&mp);
	buf_release(&out);
}

TEST(tf6_plan_and_apply_roundtrip)
{
	Tfplugin6__PlanResourceChange__Request preq;
	Tfplugin6__PlanResourceChange__Response *presp;
	Tfplugin6__ApplyResourceChange__Request areq;
	Tfplugin6__ApplyResourceChange__Response *aresp;
	Tfplugin6__DynamicValue dprior, dprop, dconf, dplan;
	struct cty_value c, prior, planned, st;
	struct buf out, b1, b2, b3;

	buf_init(&out, 1 << 20);
	buf_init(&b1, 1 << 20);
	buf_init(&b2, 1 << 20);
	buf_init(&b3, 1 << 20);
	thing_config(&c, "via-proto");
	cty_value_null(&prior, thing_t());
	tfplugin6__plan_resource_change__request__init(&preq);
	preq.type_name = (char *)(uintptr_t) "fwtest_thing";
	dv_set(&dprior, &b1, &prior);
	dv_set(&dprop, &b2, &c);
	dv_set(&dconf, &b3, &c);
	preq.prior_state = &dprior;
	preq.proposed_new_state = &dprop;
	preq.config = &dconf;
	ASSERT_EQ_INT(call("PlanResourceChange", &preq.base, &out), 0);
	presp = (void *)protobuf_c_message_unpack(&tfplugin6__plan_resource_change__response__descriptor, NULL, out.len,
						  (const uint8_t *)out.data);
	ASSERT(presp && presp->n_diagnostics == 0 && presp->planned_state);
	ASSERT_EQ_INT(cty_msgpack_decode(presp->planned_state->msgpack.data, presp->planned_state->msgpack.len,
					 thing_t(), &planned, NULL),
		      0);
	ASSERT(fw_is_unknown(&planned, "id"));
	{
		/* planned identity of a create: {id = unknown} (allowed for create plans only) */
		struct cty_value idv;
		Tfplugin6__DynamicValue *iv = presp->planned_identity ? presp->planned_identity->identity_data : NULL;

		ASSERT(iv);
		ASSERT_EQ_INT(cty_msgpack_decode(iv->msgpack.data, iv->msgpack.len, fw_identity_type(fw, &fwtest_thing),
						 &idv, NULL),
			      0);
		ASSERT(fw_is_unknown(&idv, "id"));
		cty_value_release(&idv);
	}
	protobuf_c_message_free_unpacked(&presp->base, NULL);

	tfplugin6__apply_resource_change__request__init(&areq);
	areq.type_name = (char *)(uintptr_t) "fwtest_thing";
	dv_set(&dplan, &b2, &planned);
	areq.prior_state = &dprior;
	areq.planned_state = &dplan;
	areq.config = &dconf;
	ASSERT_EQ_INT(call("ApplyResourceChange", &areq.base, &out), 0);
	aresp = (void *)protobuf_c_message_unpack(&tfplugin6__apply_resource_change__response__descriptor, NULL,
						  out.len, (const uint8_t *)out.data);
	ASSERT(aresp && aresp->n_diagnostics == 0 && aresp->new_state);
	ASSERT_EQ_INT(
		cty_msgpack_decode(aresp->new_state->msgpack.data, aresp->new_state->msgpack.len, thing_t(), &st, NULL),
		0);
	ASSERT(cty_value_wholly_known(&st));
	ASSERT_EQ_STR(fw_get_string(&st, "name"), "via-proto");
	ASSERT(aresp->new_identity && aresp->new_identity->identity_data);
	protobuf_c_message_free_unpacked(&aresp->base, NULL);

	/* StopProvider: later applies are cancelled with a diagnostic and keep the prior state */
	ASSERT_EQ_INT(call("StopProvider", NULL, &out), 0);
	areq.prior_state = &dprior;
	ASSERT_EQ_INT(call("ApplyResourceChange", &areq.base, &out), 0);
	aresp = (void *)protobuf_c_message_unpack(&tfplugin6__apply_resource_change__response__descriptor, NULL,
						  out.len, (const uint8_t *)out.data);
	ASSERT(aresp && aresp->n_diagnostics == 1 && strstr(aresp->diagnostics[0]->summary, "cancelled"));
	protobuf_c_message_free_unpacked(&aresp->base, NULL);
	setup(); /* clears the stop flag */

	cty_value_release(&st);
	cty_value_release(&planned);
	cty_value_release(&c);
	buf_release(&b1);
	buf_release(&b2);
	buf_release(&b3);
	buf_release(&out);
}

TEST(tf6_unsupported_and_malformed)
{
	Tfplugin6__MoveResourceState__Response *er;
	Tfplugin6__CallFunction__Response *cf;
	struct buf out;
	static const volatile int no_cancel = 0;
	struct tf6_call c = { .method = "PlanResourceChange",
			      .req = (const uint8_t *)"\xff\xff\xff",
			      .req_len = 3,
			      .cancel = &no_cancel };

	buf_init(&out, 1 << 20);
	ASSERT_EQ_INT(call("MoveResourceState", NULL, &out), 0);
	er = (void *)protobuf_c_message_unpack(&tfplugin6__move_resource_state__response__descriptor, NULL, out.len,
					       (const uint8_t *)out.data);
	ASSERT(er && er->n_diagnostics == 1 && strstr(er->diagnostics[0]->summary, "Not supported"));
	protobuf_c_message_free_unpacked(&er->base, NULL);
	ASSERT_EQ_INT(call("CallFunction", NULL, &out), 0);
	cf = (void *)protobuf_c_message_unpack(&tfplugin6__call_function__response__descriptor, NULL, out.len,
					       (const uint8_t *)out.data);
	ASSERT(cf && cf->error && strstr(cf->error->text, "no function"));
	protobuf_c_message_free_unpacked(&cf->base, NULL);
	ASSERT_EQ_INT(call("ReadStateBytes", NULL, &out), ERR_UNSUPPORTED);
	ASSERT_EQ_INT(call("NoSuchMethod", NULL, &out), ERR_UNSUPPORTED);
	ASSERT_EQ_INT(tf6_method_is_streaming("ListResource"), 1);
	ASSERT_EQ_INT(tf6_method_is_streaming("ReadStateBytes"), 1);
	ASSERT_EQ_INT(tf6_method_is_streaming("PlanResourceChange"), 0);
	c.resp = &out;
	ASSERT_EQ_INT(tf6_dispatch(fw, &c), ERR_PARSE);
	c.method = "GetProviderSchema"; /* ignores its empty request, but not a malformed one */
	c.req = (const uint8_t *)"\x0a\xff";
	c.req_len = 2;
	ASSERT_EQ_INT(tf6_dispatch(fw, &c), ERR_PARSE);
	buf_release(&out);
}

TEST(tf6_ephemeral_open_and_close_with_private_bytes)
{
	Tfplugin6__OpenEphemeralResource__Request oreq;
	Tfplugin6__OpenEphemeralResource__Response *oresp;
	Tfplugin6__CloseEphemeralResource__Request creq;
	Tfplugin6__CloseEphemeralResource__Response *cresp;
	Tfplugin6__DynamicValue dconf;
	struct cty_value c, res;
	struct buf out, b1;
	char closed[4096];

	buf_init(&out, 1 << 20);
	buf_init(&b1, 1 << 20);
	setenv("FWTEST_EPH_DIR", tmpdir, 1);
	cty_value_object(&c, fw_ephemeral_type(fw, &fwtest_token));
	fw_set_cstring(&c, "name", "ci");
	tfplugin6__open_ephemeral_resource__request__init(&oreq);
	oreq.type_name = (char *)(uintptr_t) "fwtest_token";
	dv_set(&dconf, &b1, &c);
	oreq.config = &dconf;
	ASSERT_EQ_INT(call("OpenEphemeralResource", &oreq.base, &out), 0);
	oresp = (void *)protobuf_c_message_unpack(&tfplugin6__open_ephemeral_resource__response__descriptor, NULL,
						  out.len, (const uint8_t *)out.data);
	ASSERT(oresp && oresp->n_diagnostics == 0 && oresp->result);
	ASSERT_EQ_INT(oresp->_private_case, TFPLUGIN6__OPEN_EPHEMERAL_RESOURCE__RESPONSE___PRIVATE_PRIVATE);
	ASSERT_EQ_INT(oresp->private_.len, 36);
	ASSERT_EQ_INT(oresp->_renew_at_case, TFPLUGIN6__OPEN_EPHEMERAL_RESOURCE__RESPONSE___RENEW_AT__NOT_SET);
	ASSERT_EQ_INT(cty_msgpack_decode(oresp->result->msgpack.data, oresp->result->msgpack.len,
					 fw_ephemeral_type(fw, &fwtest_token), &res, NULL),
		      0);
	ASSERT_EQ_INT(strlen(fw_get_string(&res, "token")), 36);
	ASSERT_EQ_MEM(fw_get_string(&res, "token"), oresp->private_.data, 36);
	ASSERT_EQ_STR(fw_get_string(&res, "name"), "ci");

	tfplugin6__close_ephemeral_resource__request__init(&creq);
	creq.type_name = (char *)(uintptr_t) "fwtest_token";
	creq._private_case = TFPLUGIN6__CLOSE_EPHEMERAL_RESOURCE__REQUEST___PRIVATE_PRIVATE;
	creq.private_ = oresp->private_;
	{
		struct buf out2;

		buf_init(&out2, 1 << 20);
		ASSERT_EQ_INT(call("CloseEphemeralResource", &creq.base, &out2), 0);
		cresp = (void *)protobuf_c_message_unpack(&tfplugin6__close_ephemeral_resource__response__descriptor,
							  NULL, out2.len, (const uint8_t *)out2.data);
		ASSERT(cresp && cresp->n_diagnostics == 0);
		protobuf_c_message_free_unpacked(&cresp->base, NULL);
		buf_release(&out2);
	}
	snprintf(closed, sizeof(closed), "%s/closed-%s", tmpdir, fw_get_string(&res, "token"));
	ASSERT_EQ_INT(access(closed, F_OK), 0);
	/* without the private bytes, close reports it */
	creq._private_case = TFPLUGIN6__CLOSE_EPHEMERAL_RESOURCE__REQUEST___PRIVATE__NOT_SET;
	ASSERT_EQ_INT(call("CloseEphemeralResource", &creq.base, &out), 0);
	cresp = (void *)protobuf_c_message_unpack(&tfplugin6__close_ephemeral_resource__response__descriptor, NULL,
						  out.len, (const uint8_t *)out.data);
	ASSERT(cresp && cresp->n_diagnostics == 1);
	protobuf_c_message_free_unpacked(&cresp->base, NULL);
	protobuf_c_message_free_unpacked(&oresp->base, NULL);
	cty_value_release(&res);
	/* unknown config: unknown result, open not called */
	cty_value_release(cty_object_attr(&c, "name"));
	cty_value_unknown(cty_object_attr(&c, "name"), &cty_string);
	{
		struct fw_diags d;
		int64_t renew_at;
		struct buf priv;

		fw_diags_init(&d);
		buf_init(&priv, 1024);
		ASSERT_EQ_INT(fw_open_ephemeral(&ctx0, &fwtest_token, &c, &res, &priv, &renew_at, &d), 0);
		ASSERT(fw_is_unknown(&res, "token"));
		ASSERT_EQ_INT(priv.len, 0);
		buf_release(&priv);
		fw_diags_release(&d);
	}
	unsetenv("FWTEST_EPH_DIR");
	cty_value_release(&res);
	cty_value_release(&c);
	buf_release(&b1);
	buf_release(&out);
}

struct worker {
	int failures;
};

/* Validate and plan the same resource from several threads at once: no shared mutable state. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	Tfplugin6__PlanResourceChange__Request preq;
	Tfplugin6__DynamicValue dprior, dprop;
	struct cty_value c, prior;
	struct buf out, b1, b2;
	int i;

	buf_init(&out, 1 << 20);
	buf_init(&b1, 1 << 20);
	buf_init(&b2, 1 << 20);
	thing_config(&c, "threaded");
	cty_value_null(&prior, thing_t());
	tfplugin6__plan_resource_change__request__init(&preq);
	preq.type_name = (char *)(uintptr_t) "fwtest_thing";
	dv_set(&dprior, &b1, &prior);
	dv_set(&dprop, &b2, &c);
	preq.prior_state = &dprior;
	preq.proposed_new_state = &dprop;
	preq.config = &dprop;
	for (i = 0; i < 200; i++) {
		Tfplugin6__PlanResourceChange__Response *resp;

		if (call("PlanResourceChange", &preq.base, &out) != 0) {
			w->failures++;
			continue;
		}
		resp = (void *)protobuf_c_message_unpack(&tfplugin6__plan_resource_change__response__descriptor, NULL,
							 out.len, (const uint8_t *)out.data);
		if (!resp || resp->n_diagnostics || !resp->planned_state)
			w->failures++;
		if (resp)
			protobuf_c_message_free_unpacked(&resp->base, NULL);
	}
	cty_value_release(&c);
	buf_release(&out);
	buf_release(&b1);
	buf_release(&b2);
	return NULL;
}

TEST(concurrent_calls_are_independent)
{
	pthread_t th[6];
	struct worker w[6];
	int i;

	memset(w, 0, sizeof(w));
	for (i = 0; i < 6; i++)
		ASSERT_EQ_INT(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	for (i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		ASSERT_EQ_INT(w[i].failures, 0);
	}
}

int main(void)
{
	if (fixture_begin() < 0)
		return 1;
	RUN(init_rejects_invalid_schemas);
	RUN(validate_reports_attribute_paths_and_hides_sensitive_values);
	RUN(element_validators_report_element_paths);
	RUN(plan_create_marks_computed_unknown_and_nulls_write_only);
	RUN(apply_create_keeps_planned_spelling_and_fills_computed);
	RUN(plan_update_keeps_prior_computed_and_unknowns_updated_at);
	RUN(apply_update_read_drift_delete);
	RUN(apply_never_changes_a_known_planned_value);
	RUN(failed_create_that_created_nothing_leaves_no_state_and_one_error);
	RUN(plan_counts_unknown_values_in_exactly_one_of_rules);
	RUN(import_and_upgrade);
	RUN(data_source_reads_and_reports_missing_objects);
	RUN(tf6_schema_and_metadata);
	RUN(tf6_validate_gives_diagnostics_with_paths);
	RUN(tf6_plan_and_apply_roundtrip);
	RUN(tf6_unsupported_and_malformed);
	RUN(tf6_ephemeral_open_and_close_with_private_bytes);
	RUN(concurrent_calls_are_independent);
	fixture_end();
	return test_done();
}
