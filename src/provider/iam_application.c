/* SPDX-License-Identifier: MIT */
/*
 * iam_application: scaleway_iam_application, resource and data source, on the client layer's
 * typed IAM calls (client/iam.h). Unlike the reference provider: organization_id forces a
 * replacement (the API cannot move an application), deletable, managed and nb_api_keys are
 * exposed (nb_api_keys is computed only and kept from the prior state at plan time, so keys
 * created elsewhere never show as a diff), a generated name is chosen once at create and kept,
 * and the data source reads every page of the list and matches names exactly, failing with the
 * attribute named on zero or several matches, and fills application_id with what it found.
 * Timestamps are whole seconds in UTC, as the reference provider stores them. A read of a
 * deleted application removes it from state; deleting an absent one succeeds.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "provider/config.h"
#include "provider/iam_application.h"
#include "provider/tfutil.h"

static struct cty_type iamapp_tags_type = CTY_LIST_OF(&cty_string);

static const char *const iamapp_api_attrs[] = { "name", "description", "tags", "organization_id", NULL };

static const struct fw_attr iamapp_attrs[] = {
	{ .name = "id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "The ID of the application (a UUID)." },
	{ .name = "name",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The name of the application (1 to 64 characters). When unset, a name "
			 "tf-application-<random> is generated once, at creation, and kept.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 64), { 0 } } },
	{ .name = "description",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The description of the application (at most 200 characters); \"\" when unset, and "
			 "removing it clears it.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(0, 200), { 0 } } },
	{ .name = "tags",
	  .type = &iamapp_tags_type,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "Tags of the application (at most 10, order kept); [] when unset. An empty list, or "
			 "removing the attribute, clears them.",
	  .validators = (const struct fw_validator[]){ TFUTIL_V_TAGS, { 0 } } },
	{ .name = "organization_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .plan = FW_PLAN_REPLACE,
	  .description = "The organization of the application (a UUID). Defaults to the provider's "
			 "organization. Changing it replaces the application.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "created_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "When the application was created (RFC 3339)." },
	{ .name = "updated_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_UNKNOWN_ON_UPDATE,
	  .description = "When the application was last updated (RFC 3339)." },
	{ .name = "editable",
	  .type = &cty_bool,
	  .flags = FW_COMPUTED,
	  .description = "Whether the application can be edited (false for product-managed ones)." },
	{ .name = "deletable",
	  .type = &cty_bool,
	  .flags = FW_COMPUTED,
	  .description = "Whether the application can be deleted." },
	{ .name = "managed",
	  .type = &cty_bool,
	  .flags = FW_COMPUTED,
	  .description = "Whether the application is managed by a Scaleway product." },
	{ .name = "nb_api_keys",
	  .type = &cty_number,
	  .flags = FW_COMPUTED,
	  .description = "The number of API keys of the application when it was last read. Never causes a diff." },
	{ 0 },
};

int iamapp_generate_name(char *out)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static const char prefix[] = "tf-application-";
	unsigned char rnd[IAMAPP_NAME_GEN_LEN];
	size_t i, p = sizeof(prefix) - 1;
	int r = rand_bytes(rnd, sizeof(rnd));

	if (r < 0)
		return r;
	memcpy(out, prefix, p);
	for (i = p; i < IAMAPP_NAME_GEN_LEN; i++)
		out[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	out[IAMAPP_NAME_GEN_LEN] = '\0';
	return 0;
}

/* Write an API application into a resource or data source object. */
static int iamapp_fill(struct cty_value *obj, const struct iam_application *a)
{
	int r = fw_set_cstring(obj, "id", a->id);

	if (r == 0)
		r = fw_set_cstring(obj, "name", a->name);
	if (r == 0)
		r = fw_set_cstring(obj, "description", a->description ? a->description : "");
	if (r == 0)
		r = fw_set_strings(obj, "tags", (const char *const *)a->tags, a->ntags);
	if (r == 0)
		r = fw_set_cstring(obj, "organization_id", a->organization_id);
	if (r == 0)
		r = tfutil_set_time(obj, "created_at", a->created_at);
	if (r == 0)
		r = tfutil_set_time(obj, "updated_at", a->updated_at);
	if (r == 0)
		r = fw_set_bool(obj, "editable", a->editable);
	if (r == 0)
		r = fw_set_bool(obj, "deletable", a->deletable);
	if (r == 0)
		r = fw_set_bool(obj, "managed", a->managed);
	if (r == 0)
		r = fw_set_int(obj, "nb_api_keys", (int64_t)a->nb_api_keys);
	return r;
}

/* Unset description and tags planned as "" and [] (the reference provider's state), then the
 * organization. */
static int iamapp_modify_plan(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			      struct cty_value *planned, struct fw_diags *d)
{
	static const char *const empty_when_unset[] = { "description", "tags", NULL };
	int r = tfutil_plan_empty(config, planned, empty_when_unset);

	return r < 0 ? r : tfutil_plan_organization(ctx, prior, config, planned, d);
}

static int iamapp_create(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
			 struct fw_diags *d)
{
	struct iam_application_create in;
	struct iam_application a;
	struct iam_call call;
	char gen[IAMAPP_NAME_GEN_LEN + 1];
	const char **tags = NULL;
	int r;

	memset(&a, 0, sizeof(a));
	memset(&in, 0, sizeof(in));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	in.organization_id = tfutil_organization(ctx, config, d);
	if (!in.organization_id) {
		r = ERR_INVAL;
		goto out;
	}
	in.name = fw_get_string(config, "name");
	if (!in.name) {
		r = iamapp_generate_name(gen);
		if (r < 0) {
			fw_error(d, "name", "Cannot create the application", "No random name: %s.", err_str(r));
			goto out;
		}
		in.name = gen;
	}
	in.description = fw_get_string(config, "description");
	r = tfutil_strings(config, "tags", &tags, &in.ntags);
	if (r < 0) {
		fw_error(d, "tags", "Cannot create the application", "The tags are not all known: %s.", err_str(r));
		goto out;
	}
	in.tags = tags;
	r = iam_application_create(&call, &in, &a);
	if (r < 0) {
		provider_api_error(d, "Cannot create the application", r, &call, iamapp_api_attrs);
		goto out;
	}
	r = iamapp_fill(state, &a);
out:
	free(tags);
	iam_application_release(&a);
	iam_call_release(&call);
	return r;
}

static int iamapp_get(struct iam_call *call, const char *id, struct cty_value *state)
{
	struct iam_application a;
	int r;

	memset(&a, 0, sizeof(a));
	r = iam_application_get(call, id, &a);
	if (r == 0)
		r = iamapp_fill(state, &a);
	iam_application_release(&a);
	return r;
}

static int iamapp_read(const struct fw_ctx *ctx, struct cty_value *state, struct fw_diags *d)
{
	return provider_read(ctx, iamapp_get, fw_get_string(state, "id"), state, "Cannot read the application", d);
}

static int iamapp_update(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			 struct cty_value *state, struct fw_diags *d)
{
	struct iam_application_update in;
	struct iam_application a;
	struct iam_call call;
	const char **tags = NULL;
	const char *id = fw_get_string(prior, "id");
	const char *desc;
	int r;

	memset(&a, 0, sizeof(a));
	memset(&in, 0, sizeof(in));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	if (tfutil_str_changed(prior, state, "name"))
		in.name = fw_get_string(state, "name");
	if (tfutil_str_changed(prior, state, "description")) {
		desc = fw_get_string(state, "description");
		in.description = desc ? desc : "";
	}
	r = tfutil_changed_tags(prior, state, &tags, &in.ntags, &in.set_tags, "Cannot update the application", d);
	if (r < 0)
		goto out;
	in.tags = tags;
	if (in.name || in.description || in.set_tags)
		r = iam_application_update(&call, id, &in, &a);
	else
		r = iam_application_get(&call, id, &a);
	if (r < 0) {
		provider_api_error(d, "Cannot update the application", r, &call, iamapp_api_attrs);
		goto out;
	}
	r = iamapp_fill(state, &a);
out:
	free(tags);
	iam_application_release(&a);
	iam_call_release(&call);
	return r;
}

static int iamapp_delete(const struct fw_ctx *ctx, const struct cty_value *prior, struct fw_diags *d)
{
	return provider_delete(ctx, iam_application_delete, fw_get_string(prior, "id"), "Cannot delete the application",
			       d);
}

static int iamapp_import(const struct fw_ctx *ctx, const char *id, struct cty_value *state, struct fw_diags *d)
{
	(void)ctx;
	if (!uuid_is_valid(id, strlen(id))) {
		fw_error(d, "id", "Invalid import ID",
			 "An application is imported by its ID, a UUID such as 11111111-2222-4333-8444-555555555555.");
		return ERR_INVAL;
	}
	return fw_set_cstring(state, "id", id);
}

const struct fw_resource iamapp_resource = {
	.type_name = "scaleway_iam_application",
	.description = "Manages a Scaleway IAM application, a non-human principal that can hold API keys.",
	.attrs = iamapp_attrs,
	.modify_plan = iamapp_modify_plan,
	.create = iamapp_create,
	.read = iamapp_read,
	.update = iamapp_update,
	.del = iamapp_delete,
	.import = iamapp_import,
};

/* ---- data source ---- */

static const char *const iamapp_ds_keys[] = { "application_id", "name", NULL };

static const struct fw_rule iamapp_ds_rules[] = {
	{ .kind = FW_EXACTLY_ONE_OF, .attrs = iamapp_ds_keys },
	{ 0 },
};

static const struct fw_attr iamapp_ds_attrs[] = {
	{ .name = "id", .type = &cty_string, .flags = FW_COMPUTED, .description = "The ID of the application." },
	{ .name = "application_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The ID of the application to read (exactly one of application_id and name); set from "
			 "the application found when it is read by name.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "name",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The exact name of the application to read (exactly one of application_id and name).",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 64), { 0 } } },
	{ .name = "organization_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The organization searched by name (defaults to the provider's).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "description", .type = &cty_string, .flags = FW_COMPUTED, .description = "The description." },
	{ .name = "tags", .type = &iamapp_tags_type, .flags = FW_COMPUTED, .description = "The tags." },
	{ .name = "created_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Creation time." },
	{ .name = "updated_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Last update time." },
	{ .name = "editable", .type = &cty_bool, .flags = FW_COMPUTED, .description = "Whether it can be edited." },
	{ .name = "deletable", .type = &cty_bool, .flags = FW_COMPUTED, .description = "Whether it can be deleted." },
	{ .name = "managed", .type = &cty_bool, .flags = FW_COMPUTED, .description = "Whether a product manages it." },
	{ .name = "nb_api_keys", .type = &cty_number, .flags = FW_COMPUTED, .description = "Its number of API keys." },
	{ 0 },
};

static const struct tfutil_lookup iamapp_lookup = {
	.attr = "name",
	.id_attr = "application_id",
	.noun = "application",
	.nouns = "applications",
	.is = "is named",
	.are = "are named",
	.not_found = "Application not found",
	.several = "Several applications match",
	.read_summary = "Cannot read the application",
	.key_off = offsetof(struct iam_application, name),
	.nocase = 0,
};

static int iamapp_ds_by_name(const struct fw_ctx *ctx, struct iam_call *call, const struct cty_value *config,
			     const char *name, struct iam_application *out, struct fw_diags *d)
{
	struct iam_application_filter f;
	struct iam_application_list l;
	size_t at;
	int r;

	memset(&f, 0, sizeof(f));
	memset(&l, 0, sizeof(l));
	f.editable = -1;
	f.name = name;
	f.organization_id = tfutil_organization(ctx, config, d);
	if (!f.organization_id)
		return ERR_INVAL;
	r = iam_application_list(call, &f, &l); /* every page */
	if (r < 0) {
		provider_api_error(d, "Cannot list the applications", r, call, NULL);
		goto out;
	}
	r = tfutil_pick(&iamapp_lookup, l.items, l.n, sizeof(l.items[0]), f.organization_id, name, &at, d);
	if (r < 0)
		goto out;
	*out = l.items[at];
	memset(&l.items[at], 0, sizeof(l.items[at]));
out:
	iam_application_list_release(&l);
	return r;
}

static int iamapp_ds_read(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
			  struct fw_diags *d)
{
	struct iam_application a;
	struct iam_call call;
	const char *id = fw_get_string(config, "application_id");
	const char *name = fw_get_string(config, "name");
	int r;

	memset(&a, 0, sizeof(a));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	if (id) {
		r = iam_application_get(&call, id, &a);
		if (r < 0)
			tfutil_ds_get_error(&iamapp_lookup, r, &call, id, d);
	} else if (name) {
		r = iamapp_ds_by_name(ctx, &call, config, name, &a, d);
	} else {
		fw_error(d, NULL, "Missing argument", "Set application_id or name.");
		r = ERR_INVAL;
	}
	if (r == 0)
		r = iamapp_fill(state, &a);
	if (r == 0)
		r = fw_set_cstring(state, "application_id", a.id); /* also when looked up by name */
	iam_application_release(&a);
	iam_call_release(&call);
	return r;
}

const struct fw_data_source iamapp_data_source = {
	.type_name = "scaleway_iam_application",
	.description = "Reads a Scaleway IAM application by ID or by exact name.",
	.attrs = iamapp_ds_attrs,
	.rules = iamapp_ds_rules,
	.read = iamapp_ds_read,
};

/* The resource's full state for an API application (used by the list resource). */
int iamapp_state(const struct fw_ctx *ctx, const struct iam_application *a, struct cty_value *state)
{
	int r = cty_value_object(state, fw_resource_type(ctx->fw, &iamapp_resource));

	return r < 0 ? r : iamapp_fill(state, a);
}
