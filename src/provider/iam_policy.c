/* SPDX-License-Identifier: MIT */
/*
 * iam_policy: the scaleway_iam_policy resource (the official schema: name, description, tags,
 * organization_id, exactly one of user_id / group_id / application_id / no_principal, and
 * repeatable `rule` blocks). Unlike the reference provider:
 *   - rules are checked at plan time when known: organization_id XOR project_ids, every
 *     permission set in the catalogue (common/iam_permsets), one scope type per rule,
 *     organization-level sets only with organization_id (the API would fail at apply);
 *   - organization_id forces a replacement (the API cannot move a policy; the reference provider
 *     silently ignores a change);
 *   - a read sets every principal attribute (null for the others) and no_principal, so a principal
 *     changed outside Terraform shows as one clean diff instead of two principals in state;
 *   - rules are read page by page (none lost past the first page);
 *   - a generated name (tf-policy-<random>) is chosen once, at create.
 * Create: one POST with the rules. Update: one PATCH with what changed (principal included),
 * then PUT /rules with the whole list when the rules changed. Import by ID (a UUID).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/iam_access.h"
#include "common/err.h"
#include "common/iam_permsets.h"
#include "common/mem.h"
#include "common/rand.h"
#include "provider/config.h"
#include "provider/iam_policy.h"
#include "provider/tfutil.h"

static struct cty_type pol_list = CTY_LIST_OF(&cty_string);
static struct cty_type pol_set = CTY_SET_OF(&cty_string);

static const char *const pol_principals[] = { "user_id", "group_id", "application_id", "no_principal", NULL };
static const struct fw_rule pol_rules[] = { { FW_EXACTLY_ONE_OF, pol_principals }, { 0 } };
static const char *const pol_api_attrs[] = { "name",    "description", "tags",           "organization_id",
					     "user_id", "group_id",    "application_id", "rule",
					     NULL };

static const struct fw_attr pol_rule_attrs[] = {
	{ .name = "organization_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "The organization the permission sets apply to (exactly one of organization_id and "
			 "project_ids). With project-level sets: every current and future project of it.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "project_ids",
	  .type = &pol_list,
	  .flags = FW_OPTIONAL,
	  .description = "The projects the permission sets apply to (project-level sets only).",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "permission_set_names",
	  .type = &pol_set,
	  .flags = FW_REQUIRED,
	  .description = "The permission sets granted, such as IAMReadOnly or AllProductsFullAccess (all of one scope "
			 "type)." },
	{ .name = "condition",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "A condition (a CEL expression on request.ip, request.user_agent and request.time) that must "
			 "hold for the rule to apply.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 1000), { 0 } } },
	{ 0 },
};

static const struct fw_attr pol_attrs[] = {
	{ .name = "id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "The ID of the policy (a UUID)." },
	{ .name = "name",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The name of the policy (1 to 64 characters). When unset, tf-policy-<random> is chosen once.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 64), { 0 } } },
	{ .name = "description",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The description of the policy (at most 200 characters); \"\" when unset.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(0, 200), { 0 } } },
	{ .name = "tags",
	  .type = &pol_list,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "Tags of the policy (at most 10); [] when unset. An empty list, or removing it, clears them.",
	  .validators = (const struct fw_validator[]){ TFUTIL_V_TAGS, { 0 } } },
	{ .name = "organization_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .plan = FW_PLAN_REPLACE,
	  .description = "The organization of the policy (defaults to the provider's). Changing it replaces the policy.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "user_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description =
		  "The user the policy applies to (exactly one of user_id, group_id, application_id, no_principal).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "group_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "The group the policy applies to (its members get the permissions).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "application_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "The application the policy applies to.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "no_principal",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL,
	  .description = "true: the policy applies to nobody (it grants nothing until a principal is set)." },
	{ .name = "rule",
	  .flags = FW_REQUIRED,
	  .block = pol_rule_attrs,
	  .description = "The rules of the policy, in order: permission sets and where they apply." },
	{ .name = "editable",
	  .type = &cty_bool,
	  .flags = FW_COMPUTED,
	  .description = "Whether the policy can be edited." },
	{ .name = "created_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "When the policy was created (RFC 3339)." },
	{ .name = "updated_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_UNKNOWN_ON_UPDATE,
	  .description = "When the policy was last updated (RFC 3339)." },
	{ 0 },
};

/* ---- plan-time checks of the rules ---- */

static int pol_rule_error(struct fw_diags *d, size_t i, const char *attr, const char *summary, const char *detail)
{
	char rule[] = "rule", name[32];
	struct fw_step path[3] = { { FW_STEP_ATTR, rule, 0 },
				   { FW_STEP_INDEX, NULL, (int64_t)i },
				   { FW_STEP_ATTR, name, 0 } };

	snprintf(name, sizeof(name), "%s", attr ? attr : "");
	fw_diag_path(d, FW_ERROR, path, attr ? 3 : 2, summary, "%s", detail);
	return ERR_INVAL;
}

static int pol_validate(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d)
{
	const struct cty_value *rules = cty_object_attr(config, "rule");
	size_t i, j;
	int r = 0;

	(void)ctx;
	for (i = 0; rules && rules->st == CTY_KNOWN && i < rules->n; i++) {
		const struct cty_value *ru = &rules->items[i];
		const struct cty_value *org = cty_object_attr(ru, "organization_id");
		const struct cty_value *prj = cty_object_attr(ru, "project_ids");
		const struct cty_value *sets = cty_object_attr(ru, "permission_set_names");
		int has_org, has_prj, scope = 0;

		if (ru->st != CTY_KNOWN || !org || !prj || !sets)
			continue;
		if (org->st == CTY_UNKNOWN || prj->st == CTY_UNKNOWN)
			goto sets; /* decided at apply */
		has_org = org->st == CTY_KNOWN;
		has_prj = prj->st == CTY_KNOWN && prj->n > 0;
		if (has_org == has_prj)
			r = pol_rule_error(d, i, has_org ? "project_ids" : NULL, "Invalid rule scope",
					   "Set exactly one of organization_id and project_ids (a non-empty list).");
sets:
		if (sets->st != CTY_KNOWN)
			continue;
		for (j = 0; j < sets->n; j++) {
			const struct iam_permset *ps;

			if (sets->items[j].st != CTY_KNOWN)
				continue;
			ps = iam_permset_find(sets->items[j].s);
			if (!ps) {
				r = pol_rule_error(
					d, i, "permission_set_names", "Unknown permission set",
					"A permission set name is not one of Scaleway's (names are case-sensitive, "
					"such as IAMReadOnly).");
				continue;
			}
			if (scope && scope != (int)ps->scope)
				r = pol_rule_error(d, i, "permission_set_names",
						   "Permission sets of different scope types",
						   "All the permission sets of one rule must be of the same scope type "
						   "(organization or projects); use one rule for each.");
			scope = (int)ps->scope;
		}
		if (scope == IAM_SCOPE_ORGANIZATION && prj->st == CTY_KNOWN && prj->n > 0)
			r = pol_rule_error(
				d, i, "project_ids", "Organization-level permission sets on projects",
				"Organization-level permission sets (IAM, billing, projects...) apply to the "
				"organization: use organization_id.");
	}
	return r;
}

/* ---- state ---- */

static int pol_set_strings(struct cty_value *obj, const char *attr, char *const *v, size_t n)
{
	return fw_set_strings(obj, attr, (const char *const *)v, n);
}

/* The rule blocks from the API's rules. */
static int pol_fill_rules(struct cty_value *state, const struct iam_rule *rules, size_t n)
{
	struct cty_value *slot = cty_object_attr(state, "rule");
	struct cty_value list;
	size_t i;
	int r;

	if (!slot)
		return ERR_INTERNAL;
	memset(&list, 0, sizeof(list));
	r = cty_value_collection(&list, slot->type, n);
	for (i = 0; r == 0 && i < n; i++) {
		struct cty_value *o = &list.items[i];

		r = cty_value_object(o, slot->type->elem);
		if (r == 0)
			r = fw_set_cstring(o, "organization_id", rules[i].organization_id);
		if (r == 0 && rules[i].nprojects)
			r = pol_set_strings(o, "project_ids", rules[i].project_ids, rules[i].nprojects);
		if (r == 0)
			r = pol_set_strings(o, "permission_set_names", rules[i].permission_set_names, rules[i].nsets);
		if (r == 0 && rules[i].condition && rules[i].condition[0])
			r = fw_set_cstring(o, "condition", rules[i].condition);
	}
	if (r == 0)
		r = fw_set_value(state, "rule", &list);
	cty_value_release(&list);
	return r;
}

static int pol_fill(struct cty_value *state, const struct iam_policy *p, const struct iam_rule *rules, size_t n)
{
	int r = fw_set_cstring(state, "id", p->id);

	if (r == 0)
		r = fw_set_cstring(state, "name", p->name);
	if (r == 0)
		r = fw_set_cstring(state, "description", p->description ? p->description : "");
	if (r == 0)
		r = pol_set_strings(state, "tags", p->tags, p->ntags);
	if (r == 0)
		r = fw_set_cstring(state, "organization_id", p->organization_id);
	/* every principal attribute, so that exactly one (or no_principal) is set */
	if (r == 0)
		r = fw_set_cstring(state, "user_id", p->user_id);
	if (r == 0)
		r = fw_set_cstring(state, "group_id", p->group_id);
	if (r == 0)
		r = fw_set_cstring(state, "application_id", p->application_id);
	if (r == 0)
		r = p->user_id || p->group_id || p->application_id ? fw_set_null(state, "no_principal")
								   : fw_set_bool(state, "no_principal", 1);
	if (r == 0)
		r = pol_fill_rules(state, rules, n);
	if (r == 0)
		r = fw_set_bool(state, "editable", p->editable);
	if (r == 0)
		r = tfutil_set_time(state, "created_at", p->created_at);
	if (r == 0)
		r = tfutil_set_time(state, "updated_at", p->updated_at);
	return r;
}

/* GET the policy and its rules into state. */
static int pol_get(struct iam_call *call, const char *id, struct cty_value *state)
{
	struct iam_policy p;
	struct iam_rule *rules = NULL;
	size_t n = 0;
	int r;

	memset(&p, 0, sizeof(p));
	r = iam_policy_get(call, id, &p);
	if (r == 0)
		r = iam_rules_list(call, id, &rules, &n);
	if (r == 0)
		r = pol_fill(state, &p, rules, n);
	iam_rules_release(rules, n);
	iam_policy_release(&p);
	return r;
}

/* Unset description and tags planned as "" and [] (as the reference provider stores them), then
 * the organization. */
static int pol_modify_plan(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			   struct cty_value *planned, struct fw_diags *d)
{
	static const char *const empty_when_unset[] = { "description", "tags", NULL };
	int r = tfutil_plan_empty(config, planned, empty_when_unset);

	return r < 0 ? r : tfutil_plan_organization(ctx, prior, config, planned, d);
}

/* ---- requests ---- */

/* The rule specs of an object's rule blocks (borrowed strings; free specs and the arrays). */
static int pol_specs(const struct cty_value *obj, struct iam_rule_spec **out, size_t *n)
{
	const struct cty_value *rules = cty_object_attr(obj, "rule");
	struct iam_rule_spec *v;
	size_t i;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (!rules || rules->st != CTY_KNOWN)
		return ERR_INVAL;
	v = mem_calloc(rules->n + 1, sizeof(*v));
	if (!v)
		return ERR_NOMEM;
	for (i = 0; i < rules->n && r == 0; i++) {
		const struct cty_value *ru = &rules->items[i];
		const char **sets = NULL, **prj = NULL;

		v[i].organization_id = fw_get_string(ru, "organization_id");
		v[i].condition = fw_get_string(ru, "condition");
		r = tfutil_strings(ru, "permission_set_names", &sets, &v[i].nsets);
		if (r == 0)
			r = tfutil_strings(ru, "project_ids", &prj, &v[i].nprojects);
		v[i].permission_set_names = sets;
		v[i].project_ids = prj;
	}
	*out = v;
	*n = rules->n;
	return r;
}

static void pol_specs_free(struct iam_rule_spec *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free((void *)(uintptr_t)v[i].permission_set_names); /* allocated by tfutil_strings */
		free((void *)(uintptr_t)v[i].project_ids);
	}
	free(v);
}

/* The principal attributes of obj into w (none set: no principal). */
static void pol_principal(const struct cty_value *obj, struct iam_policy_write *w)
{
	w->user_id = fw_get_string(obj, "user_id");
	w->group_id = fw_get_string(obj, "group_id");
	w->application_id = fw_get_string(obj, "application_id");
}

static int pol_create(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
		      struct fw_diags *d)
{
	struct iam_policy_write in;
	struct iam_policy p;
	struct iam_rule_spec *specs = NULL;
	struct iam_call call;
	char gen[TFUTIL_NAME_GEN_MAX];
	const char **tags = NULL;
	size_t nspecs = 0;
	int r;

	memset(&in, 0, sizeof(in));
	memset(&p, 0, sizeof(p));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	in.organization_id = tfutil_organization(ctx, config, d);
	if (!in.organization_id) {
		r = ERR_INVAL;
		goto out;
	}
	in.name = fw_get_string(config, "name");
	if (!in.name && (r = tfutil_generate_name("tf-policy-", gen, sizeof(gen))) == 0)
		in.name = gen;
	in.description = fw_get_string(config, "description");
	if (r == 0)
		r = tfutil_strings(config, "tags", &tags, &in.ntags);
	in.tags = tags;
	pol_principal(config, &in);
	if (r == 0)
		r = pol_specs(config, &specs, &nspecs);
	if (r < 0) {
		fw_error(d, NULL, "Cannot create the policy", "The configuration is not wholly known: %s.", err_str(r));
		goto out;
	}
	in.rules = specs;
	in.nrules = nspecs;
	r = iam_policy_create(&call, &in, &p);
	if (r < 0) {
		provider_api_error(d, "Cannot create the policy", r, &call, pol_api_attrs);
		tfutil_set_null(state);
		goto out;
	}
	r = provider_refresh(&call, pol_get, p.id, state, "Cannot read the new policy", d);
out:
	pol_specs_free(specs, nspecs);
	free(tags);
	iam_policy_release(&p);
	iam_call_release(&call);
	return r;
}

static int pol_read(const struct fw_ctx *ctx, struct cty_value *state, struct fw_diags *d)
{
	return provider_read(ctx, pol_get, fw_get_string(state, "id"), state, "Cannot read the policy", d);
}

static int pol_update(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
		      struct cty_value *state, struct fw_diags *d)
{
	struct iam_policy_write in;
	struct iam_policy p;
	struct iam_rule_spec *specs = NULL;
	struct iam_call call;
	const char **tags = NULL;
	const char *id = fw_get_string(prior, "id");
	size_t nspecs = 0;
	int r, nop;

	(void)config;
	memset(&in, 0, sizeof(in));
	memset(&p, 0, sizeof(p));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	if (tfutil_str_changed(prior, state, "name"))
		in.name = fw_get_string(state, "name");
	if (tfutil_str_changed(prior, state, "description"))
		in.description = fw_get_string(state, "description") ? fw_get_string(state, "description") : "";
	in.set_principal = tfutil_str_changed(prior, state, "user_id") ||
			   tfutil_str_changed(prior, state, "group_id") ||
			   tfutil_str_changed(prior, state, "application_id") ||
			   fw_get_bool(prior, "no_principal", &nop) != fw_get_bool(state, "no_principal", &nop);
	pol_principal(state, &in);
	r = tfutil_changed_tags(prior, state, &tags, &in.ntags, &in.set_tags, "Cannot update the policy", d);
	in.tags = tags;
	if (r == 0 && (in.name || in.description || in.set_tags || in.set_principal))
		r = iam_policy_update(&call, id, &in, &p);
	if (r == 0 && !cty_value_equal(cty_object_attr(prior, "rule"), cty_object_attr(state, "rule"))) {
		r = pol_specs(state, &specs, &nspecs);
		if (r == 0)
			r = iam_rules_set(&call, id, specs, nspecs);
	}
	if (r < 0)
		provider_api_error(d, "Cannot update the policy", r, &call, pol_api_attrs);
	else
		r = provider_refresh(&call, pol_get, id, state, "Cannot read the updated policy", d);
	pol_specs_free(specs, nspecs);
	free(tags);
	iam_policy_release(&p);
	iam_call_release(&call);
	return r;
}

static int pol_delete(const struct fw_ctx *ctx, const struct cty_value *prior, struct fw_diags *d)
{
	return provider_delete(ctx, iam_policy_delete, fw_get_string(prior, "id"), "Cannot delete the policy", d);
}

static int pol_import(const struct fw_ctx *ctx, const char *id, struct cty_value *state, struct fw_diags *d)
{
	(void)ctx;
	if (!uuid_is_valid(id, strlen(id))) {
		fw_error(d, "id", "Invalid import ID",
			 "A policy is imported by its ID, a UUID such as 11111111-2222-4333-8444-555555555555.");
		return ERR_INVAL;
	}
	return fw_set_cstring(state, "id", id);
}

int iampolicy_state(const struct fw_ctx *ctx, const struct iam_policy *p, struct cty_value *state)
{
	struct iam_rule *rules = NULL;
	struct iam_call call;
	struct fw_diags d;
	size_t n = 0;
	int r = cty_value_object(state, fw_resource_type(ctx->fw, &iampolicy_resource));

	fw_diags_init(&d);
	if (r == 0)
		r = provider_call(ctx, &call, &d);
	if (r == 0) {
		r = iam_rules_list(&call, p->id, &rules, &n);
		iam_call_release(&call);
	}
	if (r == 0)
		r = pol_fill(state, p, rules, n);
	iam_rules_release(rules, n);
	fw_diags_release(&d);
	return r;
}

const struct fw_resource iampolicy_resource = {
	.type_name = "scaleway_iam_policy",
	.description =
		"Manages a Scaleway IAM policy: rules granting permission sets to a user, a group or an application.",
	.attrs = pol_attrs,
	.rules = pol_rules,
	.validate = pol_validate,
	.modify_plan = pol_modify_plan,
	.create = pol_create,
	.read = pol_read,
	.update = pol_update,
	.del = pol_delete,
	.import = pol_import,
};
