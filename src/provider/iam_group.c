/* SPDX-License-Identifier: MIT */
/*
 * iam_group: scaleway_iam_group (resource and data source) and scaleway_iam_group_membership,
 * with the official schemas. Unlike the reference provider:
 *   - organization_id forces a replacement (the API cannot move a group);
 *   - external_membership is read as false after an import (and whenever it is unset), so the
 *     plan right after an import is empty;
 *   - setting user_ids or application_ids together with external_membership = true is a
 *     plan-time warning (the lists would be silently ignored);
 *   - membership changes are one PUT members call (both lists), never a remove-member per member;
 *   - scaleway_iam_group_membership checks its UUIDs at plan time, refuses an import ID that is
 *     not <group>/user/<user> or <group>/app/<application>, and reads the group to find the member.
 * The data source finds a name by an exact match.
 */
#include <stdlib.h>
#include <string.h>

#include "client/iam_access.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "provider/config.h"
#include "provider/iam_group.h"
#include "provider/tfutil.h"

static struct cty_type grp_list = CTY_LIST_OF(&cty_string);
static struct cty_type grp_set = CTY_SET_OF(&cty_string);
static const char *const grp_api_attrs[] = { "name",     "description",     "tags", "organization_id",
					     "user_ids", "application_ids", NULL };

static const struct fw_attr grp_attrs[] = {
	{ .name = "id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "The ID of the group (a UUID)." },
	{ .name = "name",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The name of the group (1 to 64 characters, unique in the organization). When unset, "
			 "tf-group-<random> is chosen once.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 64), { 0 } } },
	{ .name = "description",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The description of the group (at most 200 characters); \"\" when unset.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(0, 200), { 0 } } },
	{ .name = "tags",
	  .type = &grp_list,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "Tags of the group (at most 10); [] when unset.",
	  .validators = (const struct fw_validator[]){ TFUTIL_V_TAGS, { 0 } } },
	{ .name = "user_ids",
	  .type = &grp_set,
	  .flags = FW_OPTIONAL,
	  .description = "The users of the group (ignored when external_membership is true).",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "application_ids",
	  .type = &grp_set,
	  .flags = FW_OPTIONAL,
	  .description = "The applications of the group (ignored when external_membership is true).",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "external_membership",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "true: members are managed elsewhere (scaleway_iam_group_membership); user_ids and "
			 "application_ids are then ignored. Default false." },
	{ .name = "organization_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .plan = FW_PLAN_REPLACE,
	  .description = "The organization of the group (defaults to the provider's). Changing it replaces the group.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "created_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "When the group was created (RFC 3339)." },
	{ .name = "updated_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_UNKNOWN_ON_UPDATE,
	  .description = "When the group was last updated (RFC 3339)." },
	{ 0 },
};

static int grp_external(const struct cty_value *obj)
{
	int b = 0;

	return fw_get_bool(obj, "external_membership", &b) == 0 && b;
}

static int grp_validate(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d)
{
	(void)ctx;
	if (grp_external(config) && (!fw_is_null(config, "user_ids") || !fw_is_null(config, "application_ids")))
		fw_warning(d, "external_membership", "Member lists ignored",
			   "With external_membership = true, user_ids and application_ids are ignored: manage the "
			   "members with scaleway_iam_group_membership.");
	return 0;
}

/* Members from the API into a list attribute: an empty answer leaves a null attribute null. */
static int grp_set_members(struct cty_value *obj, const char *attr, char **v, size_t n)
{
	if (!n && fw_is_null(obj, attr))
		return 0;
	return fw_set_strings(obj, attr, (const char *const *)v, n);
}

static int grp_fill(struct cty_value *obj, const struct iam_group *g, int members)
{
	int r = fw_set_cstring(obj, "id", g->id);

	if (r == 0)
		r = fw_set_cstring(obj, "name", g->name);
	if (r == 0)
		r = fw_set_cstring(obj, "description", g->description ? g->description : "");
	if (r == 0)
		r = fw_set_strings(obj, "tags", (const char *const *)g->tags, g->ntags);
	if (r == 0)
		r = fw_set_cstring(obj, "organization_id", g->organization_id);
	if (r == 0 && members)
		r = grp_set_members(obj, "user_ids", g->user_ids, g->nusers);
	if (r == 0 && members)
		r = grp_set_members(obj, "application_ids", g->application_ids, g->napps);
	if (r == 0)
		r = tfutil_set_time(obj, "created_at", g->created_at);
	if (r == 0)
		r = tfutil_set_time(obj, "updated_at", g->updated_at);
	return r;
}

/* description, tags planned as "" and [] when unset, external_membership as false, then the
 * organization. */
static int grp_modify_plan(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			   struct cty_value *planned, struct fw_diags *d)
{
	static const char *const empty_when_unset[] = { "description", "tags", NULL };
	int r;

	if (planned->st != CTY_KNOWN)
		return 0;
	r = tfutil_plan_empty(config, planned, empty_when_unset);
	if (r == 0 && fw_is_null(config, "external_membership"))
		r = fw_set_bool(planned, "external_membership", 0);
	return r < 0 ? r : tfutil_plan_organization(ctx, prior, config, planned, d);
}

/* PUT members with the lists of obj. */
static int grp_put_members(struct iam_call *call, const char *id, const struct cty_value *obj)
{
	const char **users = NULL, **apps = NULL;
	size_t nu = 0, na = 0;
	int r = tfutil_strings(obj, "user_ids", &users, &nu);

	if (r == 0)
		r = tfutil_strings(obj, "application_ids", &apps, &na);
	if (r == 0)
		r = iam_group_set_members(call, id, users, nu, apps, na, NULL);
	free(users);
	free(apps);
	return r;
}

static int grp_get(struct iam_call *call, const char *id, struct cty_value *state)
{
	struct iam_group g;
	int r;

	memset(&g, 0, sizeof(g));
	r = iam_group_get(call, id, &g);
	if (r == 0 && fw_is_null(state, "external_membership")) /* imported: the default */
		r = fw_set_bool(state, "external_membership", 0);
	if (r == 0)
		r = grp_fill(state, &g, !grp_external(state));
	iam_group_release(&g);
	return r;
}

static int grp_create(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
		      struct fw_diags *d)
{
	struct iam_group_write in;
	struct iam_group g;
	struct iam_call call;
	char gen[TFUTIL_NAME_GEN_MAX];
	const char **tags = NULL;
	int r;

	memset(&in, 0, sizeof(in));
	memset(&g, 0, sizeof(g));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	in.organization_id = tfutil_organization(ctx, config, d);
	if (!in.organization_id) {
		r = ERR_INVAL;
		goto out;
	}
	in.name = fw_get_string(config, "name");
	if (!in.name && (r = tfutil_generate_name("tf-group-", gen, sizeof(gen))) == 0)
		in.name = gen;
	in.description = fw_get_string(config, "description");
	if (r == 0)
		r = tfutil_strings(config, "tags", &tags, &in.ntags);
	in.tags = tags;
	if (r == 0)
		r = iam_group_create(&call, &in, &g);
	if (r < 0) {
		provider_api_error(d, "Cannot create the group", r, &call, grp_api_attrs);
		tfutil_set_null(state);
		goto out;
	}
	if (!grp_external(state) && (!fw_is_null(config, "user_ids") || !fw_is_null(config, "application_ids"))) {
		r = grp_put_members(&call, g.id, state);
		if (r < 0) {
			provider_api_error(d, "Cannot set the members of the new group", r, &call, grp_api_attrs);
			fw_set_cstring(state, "id", g.id); /* created: Terraform taints it */
			goto out;
		}
	}
	r = provider_refresh(&call, grp_get, g.id, state, "Cannot read the new group", d);
out:
	free(tags);
	iam_group_release(&g);
	iam_call_release(&call);
	return r;
}

static int grp_read(const struct fw_ctx *ctx, struct cty_value *state, struct fw_diags *d)
{
	return provider_read(ctx, grp_get, fw_get_string(state, "id"), state, "Cannot read the group", d);
}

static int grp_update(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
		      struct cty_value *state, struct fw_diags *d)
{
	struct iam_group_write in;
	struct iam_group g;
	struct iam_call call;
	const char **tags = NULL;
	const char *id = fw_get_string(prior, "id");
	int r;

	(void)config;
	memset(&in, 0, sizeof(in));
	memset(&g, 0, sizeof(g));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	if (tfutil_str_changed(prior, state, "name"))
		in.name = fw_get_string(state, "name");
	if (tfutil_str_changed(prior, state, "description"))
		in.description = fw_get_string(state, "description") ? fw_get_string(state, "description") : "";
	r = tfutil_changed_tags(prior, state, &tags, &in.ntags, &in.set_tags, "Cannot update the group", d);
	in.tags = tags;
	if (r == 0 && (in.name || in.description || in.set_tags)) {
		r = iam_group_update(&call, id, &in, &g);
		iam_group_release(&g);
	}
	if (r == 0 && !grp_external(state) &&
	    (grp_external(prior) ||
	     !cty_value_equal(cty_object_attr(prior, "user_ids"), cty_object_attr(state, "user_ids")) ||
	     !cty_value_equal(cty_object_attr(prior, "application_ids"), cty_object_attr(state, "application_ids"))))
		r = grp_put_members(&call, id, state);
	if (r < 0)
		provider_api_error(d, "Cannot update the group", r, &call, grp_api_attrs);
	else
		r = provider_refresh(&call, grp_get, id, state, "Cannot read the updated group", d);
	free(tags);
	iam_call_release(&call);
	return r;
}

static int grp_delete(const struct fw_ctx *ctx, const struct cty_value *prior, struct fw_diags *d)
{
	return provider_delete(ctx, iam_group_delete, fw_get_string(prior, "id"), "Cannot delete the group", d);
}

static int grp_import(const struct fw_ctx *ctx, const char *id, struct cty_value *state, struct fw_diags *d)
{
	int r;

	(void)ctx;
	if (!uuid_is_valid(id, strlen(id))) {
		fw_error(d, "id", "Invalid import ID",
			 "A group is imported by its ID, a UUID such as 11111111-2222-4333-8444-555555555555.");
		return ERR_INVAL;
	}
	r = fw_set_cstring(state, "id", id);
	return r < 0 ? r : fw_set_bool(state, "external_membership", 0);
}

int iamgroup_state(const struct fw_ctx *ctx, const struct iam_group *g, struct cty_value *state)
{
	int r = cty_value_object(state, fw_resource_type(ctx->fw, &iamgroup_resource));

	if (r == 0)
		r = fw_set_bool(state, "external_membership", 0);
	if (r == 0)
		r = grp_fill(state, g, 1);
	if (r == 0) /* a full object: the lists even when empty */
		r = fw_set_strings(state, "user_ids", (const char *const *)g->user_ids, g->nusers);
	if (r == 0)
		r = fw_set_strings(state, "application_ids", (const char *const *)g->application_ids, g->napps);
	return r;
}

const struct fw_resource iamgroup_resource = {
	.type_name = "scaleway_iam_group",
	.description = "Manages a Scaleway IAM group: users and applications that policies can name together.",
	.attrs = grp_attrs,
	.validate = grp_validate,
	.modify_plan = grp_modify_plan,
	.create = grp_create,
	.read = grp_read,
	.update = grp_update,
	.del = grp_delete,
	.import = grp_import,
};

/* ---- data source ---- */

static const char *const grp_ds_keys[] = { "group_id", "name", NULL };
static const struct fw_rule grp_ds_rules[] = { { FW_EXACTLY_ONE_OF, grp_ds_keys }, { 0 } };

static const struct fw_attr grp_ds_attrs[] = {
	{ .name = "id", .type = &cty_string, .flags = FW_COMPUTED, .description = "The ID of the group." },
	{ .name = "group_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "The ID of the group to read (exactly one of group_id and name).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "name",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The exact name of the group to read (exactly one of group_id and name).",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 64), { 0 } } },
	{ .name = "organization_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The organization searched by name (defaults to the provider's).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "description", .type = &cty_string, .flags = FW_COMPUTED, .description = "The description." },
	{ .name = "tags", .type = &grp_list, .flags = FW_COMPUTED, .description = "The tags." },
	{ .name = "user_ids", .type = &grp_set, .flags = FW_COMPUTED, .description = "The users of the group." },
	{ .name = "application_ids", .type = &grp_set, .flags = FW_COMPUTED, .description = "Its applications." },
	{ .name = "created_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Creation time." },
	{ .name = "updated_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Last update time." },
	{ 0 },
};

static int grp_ds_read(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
		       struct fw_diags *d)
{
	struct iam_group g;
	struct iam_call call;
	const char *id = fw_get_string(config, "group_id"), *name = fw_get_string(config, "name");
	const char *org = NULL;
	int r;

	memset(&g, 0, sizeof(g));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	if (id) {
		r = iam_group_get(&call, id, &g);
	} else if ((org = tfutil_organization(ctx, config, d)) != NULL) {
		r = iam_group_find(&call, org, name ? name : "", &g);
	} else {
		r = ERR_INVAL;
		goto out;
	}
	if (r == ERR_NOTFOUND)
		fw_error(d, id ? "group_id" : "name", "Group not found",
			 id ? "No group has the ID %s." : "No group of organization %s is named \"%s\".", id ? id : org,
			 name ? name : "");
	else if (r < 0)
		provider_api_error(d, "Cannot read the group", r, &call, NULL);
	if (r == 0)
		r = grp_fill(state, &g, 0);
	if (r == 0)
		r = fw_set_strings(state, "user_ids", (const char *const *)g.user_ids, g.nusers);
	if (r == 0)
		r = fw_set_strings(state, "application_ids", (const char *const *)g.application_ids, g.napps);
	if (r == 0)
		r = fw_set_cstring(state, "group_id", g.id);
out:
	iam_group_release(&g);
	iam_call_release(&call);
	return r;
}

const struct fw_data_source iamgroup_data_source = {
	.type_name = "scaleway_iam_group",
	.description = "Reads a Scaleway IAM group by ID or by exact name.",
	.attrs = grp_ds_attrs,
	.rules = grp_ds_rules,
	.read = grp_ds_read,
};

/* ---- scaleway_iam_group_membership ---- */

static const char *const mem_one[] = { "user_id", "application_id", NULL };
static const struct fw_rule mem_rules[] = { { FW_EXACTLY_ONE_OF, mem_one }, { 0 } };

static const struct fw_attr mem_attrs[] = {
	{ .name = "id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "<group_id>/user/<user_id> or <group_id>/app/<application_id>." },
	{ .name = "group_id",
	  .type = &cty_string,
	  .flags = FW_REQUIRED,
	  .plan = FW_PLAN_REPLACE,
	  .description = "The group.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "user_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .plan = FW_PLAN_REPLACE,
	  .description = "The user to add (exactly one of user_id and application_id).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "application_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .plan = FW_PLAN_REPLACE,
	  .description = "The application to add (exactly one of user_id and application_id).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ 0 },
};

static int mem_set_id(struct cty_value *state)
{
	const char *g = fw_get_string(state, "group_id"), *u = fw_get_string(state, "user_id");
	const char *a = fw_get_string(state, "application_id");
	char id[128];

	snprintf(id, sizeof(id), "%s/%s/%s", g ? g : "", u ? "user" : "app", u ? u : a ? a : "");
	return fw_set_cstring(state, "id", id);
}

static int mem_create(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
		      struct fw_diags *d)
{
	struct iam_call call;
	int r = provider_call(ctx, &call, d);

	if (r < 0)
		return r;
	r = iam_group_add_member(&call, fw_get_string(config, "group_id"), fw_get_string(config, "user_id"),
				 fw_get_string(config, "application_id"));
	if (r < 0) {
		provider_api_error(d, "Cannot add the member", r, &call, NULL);
		tfutil_set_null(state);
	} else {
		r = mem_set_id(state);
	}
	iam_call_release(&call);
	return r;
}

static int mem_read(const struct fw_ctx *ctx, struct cty_value *state, struct fw_diags *d)
{
	struct iam_group g;
	struct iam_call call;
	const char *u = fw_get_string(state, "user_id"), *a = fw_get_string(state, "application_id");
	size_t i, n;
	char **v;
	int r = provider_call(ctx, &call, d), found = 0;

	if (r < 0)
		return r;
	r = iam_group_get(&call, fw_get_string(state, "group_id"), &g);
	if (r == ERR_NOTFOUND) {
		tfutil_set_null(state);
		r = 0;
		goto out;
	}
	if (r < 0) {
		provider_api_error(d, "Cannot read the group", r, &call, NULL);
		goto out;
	}
	v = u ? g.user_ids : g.application_ids;
	n = u ? g.nusers : g.napps;
	for (i = 0; i < n; i++)
		if (!strcmp(v[i], u ? u : a ? a : ""))
			found = 1;
	if (!found)
		tfutil_set_null(state); /* removed outside Terraform */
	else
		r = mem_set_id(state);
	iam_group_release(&g);
out:
	iam_call_release(&call);
	return r;
}

static int mem_delete(const struct fw_ctx *ctx, const struct cty_value *prior, struct fw_diags *d)
{
	struct iam_call call;
	int r = provider_call(ctx, &call, d);

	if (r < 0)
		return r;
	r = iam_group_remove_member(&call, fw_get_string(prior, "group_id"), fw_get_string(prior, "user_id"),
				    fw_get_string(prior, "application_id"));
	if (r == ERR_NOTFOUND)
		r = 0; /* gone already */
	if (r < 0)
		provider_api_error(d, "Cannot remove the member", r, &call, NULL);
	iam_call_release(&call);
	return r;
}

static int mem_import(const struct fw_ctx *ctx, const char *id, struct cty_value *state, struct fw_diags *d)
{
	const char *s1 = strchr(id, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	char group[64], kind[8];
	int r;

	(void)ctx;
	if (!s1 || !s2 || (size_t)(s1 - id) >= sizeof(group) || (size_t)(s2 - s1 - 1) >= sizeof(kind))
		goto bad;
	memcpy(group, id, (size_t)(s1 - id));
	group[s1 - id] = '\0';
	memcpy(kind, s1 + 1, (size_t)(s2 - s1 - 1));
	kind[s2 - s1 - 1] = '\0';
	if (!uuid_is_valid(group, strlen(group)) || !uuid_is_valid(s2 + 1, strlen(s2 + 1)) ||
	    (strcmp(kind, "user") != 0 && strcmp(kind, "app") != 0))
		goto bad;
	r = fw_set_cstring(state, "id", id);
	if (r == 0)
		r = fw_set_cstring(state, "group_id", group);
	if (r == 0)
		r = fw_set_cstring(state, kind[0] == 'u' ? "user_id" : "application_id", s2 + 1);
	return r;
bad:
	fw_error(d, "id", "Invalid import ID",
		 "A membership is imported as <group_id>/user/<user_id> or <group_id>/app/<application_id> (UUIDs).");
	return ERR_INVAL;
}

const struct fw_resource iamgroupmember_resource = {
	.type_name = "scaleway_iam_group_membership",
	.description = "Adds one user or one application to a Scaleway IAM group.",
	.attrs = mem_attrs,
	.rules = mem_rules,
	.create = mem_create,
	.read = mem_read,
	.del = mem_delete,
	.import = mem_import,
};
