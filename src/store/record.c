/* SPDX-License-Identifier: MIT */
/* record: the field tables of the API records (see record.h). */
#include <string.h>

#include "common/compat.h"
#include "store/record.h"

#define F(json, column, k, fl, type, member) \
	{ .name = json, .col = column, .kind = k, .flags = fl, .off = offsetof(type, member) }
#define FID(json, type, member) \
	{ .name = json, .col = json, .kind = REC_ID, .off = offsetof(type, member), .size = sizeof(((type *)0)->member) }

static const struct rec_field key_fields[] = {
	FID("access_key", struct store_key, access_key),
	{ .name = "secret_key", .kind = REC_SECRET, .flags = REC_NOCOL },
	{ .name = "organization_id", .col = "organization_id", .kind = REC_ID, .flags = REC_NOJSON,
	  .off = offsetof(struct store_key, organization_id), .size = STORE_ID_LEN + 1 },
	F("description", "description", REC_STR, 0, struct store_key, description),
	F("created_at", "created", REC_TS, 0, struct store_key, created_at),
	F("updated_at", "updated", REC_TS, 0, struct store_key, updated_at),
	{ .name = "expires_at", .col = "expires", .kind = REC_OPT_TS, .off = offsetof(struct store_key, expires_at),
	  .flag_off = offsetof(struct store_key, has_expires) },
	FID("default_project_id", struct store_key, default_project_id),
	F("editable", "editable", REC_BOOL, 0, struct store_key, editable),
	F("deletable", "deletable", REC_BOOL, 0, struct store_key, deletable),
	F("managed", "managed", REC_BOOL, 0, struct store_key, managed),
	FID("creation_ip", struct store_key, creation_ip),
	{ .name = "bearer", .kind = REC_BEARER, .off = offsetof(struct store_key, bearer_type) },
	{ .name = "bearer_is_owner", .kind = REC_BOOL, .flags = REC_EXPR | REC_NOJSON,
	  .off = offsetof(struct store_key, bearer_is_owner),
	  .expr = "(SELECT count(*) FROM users u WHERE u.id = api_keys.user_id AND u.type = 1)" },
};

static const struct rec_field app_fields[] = {
	FID("id", struct store_app, id),
	F("name", "name", REC_STR, 0, struct store_app, name),
	F("description", "description", REC_STR, 0, struct store_app, description),
	F("created_at", "created", REC_TS, 0, struct store_app, created_at),
	F("updated_at", "updated", REC_TS, 0, struct store_app, updated_at),
	FID("organization_id", struct store_app, organization_id),
	F("editable", "editable", REC_BOOL, 0, struct store_app, editable),
	F("deletable", "deletable", REC_BOOL, 0, struct store_app, deletable),
	F("managed", "managed", REC_BOOL, 0, struct store_app, managed),
	{ .name = "nb_api_keys", .kind = REC_U32, .flags = REC_EXPR, .off = offsetof(struct store_app, nb_api_keys),
	  .expr = "(SELECT count(*) FROM api_keys k WHERE k.application_id = applications.id)" },
	F("tags", "tags", REC_TAGS, 0, struct store_app, tags),
};

static const char *const user_types[] = { "unknown_type", "owner", "member" };
static const char *const user_statuses[] = { "unknown_status", "invitation_pending", "activated" };

static const struct rec_field user_fields[] = {
	FID("id", struct store_user, id),
	F("email", "email", REC_STR, 0, struct store_user, email),
	F("username", "username", REC_STR, 0, struct store_user, username),
	F("first_name", "first_name", REC_STR, 0, struct store_user, first_name),
	F("last_name", "last_name", REC_STR, 0, struct store_user, last_name),
	F("phone_number", "phone_number", REC_STR, 0, struct store_user, phone_number),
	F("locale", "locale", REC_STR, 0, struct store_user, locale),
	F("created_at", "created", REC_TS, 0, struct store_user, created_at),
	F("updated_at", "updated", REC_TS, 0, struct store_user, updated_at),
	FID("organization_id", struct store_user, organization_id),
	F("deletable", "deletable", REC_BOOL, 0, struct store_user, deletable),
	{ .name = "last_login_at", .col = "last_login", .kind = REC_OPT_TS,
	  .off = offsetof(struct store_user, last_login_at), .flag_off = offsetof(struct store_user, has_last_login) },
	{ .name = "type", .col = "type", .kind = REC_ENUM, .off = offsetof(struct store_user, type),
	  .names = user_types, .n_names = 3 },
	F("two_factor_enabled", NULL, REC_BOOL, REC_NOCOL, struct store_user, mfa),
	{ .name = "status", .col = "status", .kind = REC_ENUM, .off = offsetof(struct store_user, status),
	  .names = user_statuses, .n_names = 3 },
	F("mfa", "mfa", REC_BOOL, 0, struct store_user, mfa),
	FID("account_root_user_id", struct store_user, account_root_user_id),
	F("tags", "tags", REC_TAGS, 0, struct store_user, tags),
	F("locked", "locked", REC_BOOL, 0, struct store_user, locked),
};

static const struct rec_field group_fields[] = {
	FID("id", struct store_group, id),
	F("created_at", "created", REC_TS, 0, struct store_group, created_at),
	F("updated_at", "updated", REC_TS, 0, struct store_group, updated_at),
	FID("organization_id", struct store_group, organization_id),
	F("name", "name", REC_STR, 0, struct store_group, name),
	F("description", "description", REC_STR, 0, struct store_group, description),
	F("user_ids", "user_ids", REC_TAGS, 0, struct store_group, user_ids),
	F("application_ids", "application_ids", REC_TAGS, 0, struct store_group, application_ids),
	F("tags", "tags", REC_TAGS, 0, struct store_group, tags),
	F("editable", "editable", REC_BOOL, 0, struct store_group, editable),
	F("deletable", "deletable", REC_BOOL, 0, struct store_group, deletable),
	F("managed", "managed", REC_BOOL, 0, struct store_group, managed),
};

static const struct rec_field policy_fields[] = {
	FID("id", struct store_policy, id),
	F("name", "name", REC_STR, 0, struct store_policy, name),
	F("description", "description", REC_STR, 0, struct store_policy, description),
	FID("organization_id", struct store_policy, organization_id),
	F("created_at", "created", REC_TS, 0, struct store_policy, created_at),
	F("updated_at", "updated", REC_TS, 0, struct store_policy, updated_at),
	F("editable", "editable", REC_BOOL, 0, struct store_policy, editable),
	F("deletable", "deletable", REC_BOOL, 0, struct store_policy, deletable),
	F("managed", "managed", REC_BOOL, 0, struct store_policy, managed),
	F("nb_rules", "nb_rules", REC_U32, 0, struct store_policy, nb_rules),
	F("nb_scopes", "nb_scopes", REC_U32, 0, struct store_policy, nb_scopes),
	F("nb_permission_sets", "nb_permission_sets", REC_U32, 0, struct store_policy, nb_permission_sets),
	F("tags", "tags", REC_TAGS, 0, struct store_policy, tags),
	{ .name = "principal", .kind = REC_PRINCIPAL, .off = offsetof(struct store_policy, principal_type) },
};

static const char *const scope_types[] = { "unknown_scope_type", "projects", "organization", "account_root_user" };

static const struct rec_field rule_fields[] = {
	FID("id", struct store_rule, id),
	{ .name = "policy_id", .col = "policy_id", .kind = REC_ID, .flags = REC_NOJSON,
	  .off = offsetof(struct store_rule, policy_id), .size = STORE_ID_LEN + 1 },
	F("pos", "pos", REC_U32, REC_NOJSON, struct store_rule, pos),
	F("permission_set_names", "permission_set_names", REC_TAGS, 0, struct store_rule, permission_set_names),
	{ .name = "permission_sets_scope_type", .col = "scope_type", .kind = REC_ENUM,
	  .off = offsetof(struct store_rule, scope_type), .names = scope_types, .n_names = 4 },
	F("condition", "cond", REC_STR, 0, struct store_rule, condition),
	{ .name = "scope", .kind = REC_SCOPE, .off = offsetof(struct store_rule, organization_id) },
};

#define NF(a) (sizeof(a) / sizeof((a)[0]))
const struct rec_desc rec_key = { "api_keys", "access_key", "api_keys", key_fields, NF(key_fields) };
const struct rec_desc rec_app = { "applications", "id", "applications", app_fields, NF(app_fields) };
const struct rec_desc rec_user = { "users", "id", "users", user_fields, NF(user_fields) };
const struct rec_desc rec_group = { "iam_groups", "id", "groups", group_fields, NF(group_fields) };
const struct rec_desc rec_policy = { "policies", "id", "policies", policy_fields, NF(policy_fields) };
const struct rec_desc rec_rule = { "policy_rules", "id", "rules", rule_fields, NF(rule_fields) };

size_t rec_ncols(const struct rec_field *f)
{
	if (f->flags & REC_NOCOL)
		return 0;
	switch (f->kind) {
	case REC_TS:
	case REC_OPT_TS:
	case REC_BEARER:
	case REC_SCOPE:
		return 2;
	case REC_PRINCIPAL:
		return 3;
	default:
		return 1;
	}
}

const struct rec_field *rec_find(const struct rec_desc *desc, const char *name)
{
	size_t i;

	for (i = 0; i < desc->n; i++)
		if (!strcmp(desc->f[i].name, name))
			return &desc->f[i];
	return NULL;
}
