/* SPDX-License-Identifier: MIT */
/*
 * iam_user: scaleway_iam_user, resource and data source, on client/iam.h. A user is created as a
 * member (POST /users with member{}); email, names, phone number, locale and tags are PATCHed in
 * place and the username goes through update-username. Nothing is a silent no-op, unlike the
 * reference provider:
 *   - organization_id forces a replacement (the API cannot move a user);
 *   - a new password (or a bumped password_wo_version, with password_wo) is set in place through
 *     POST /users/{id}/update-password; removing password from the configuration keeps the
 *     current one (the API cannot unset a password);
 *   - send_password_email and send_welcome_email only matter at creation: changing them later
 *     is stored with a plan-time warning saying it sends nothing.
 * The password is sensitive and never logged; password_wo is write-only (never in plan or state)
 * and needs password_wo_version, which is bumped to send a new one. As in the reference provider's
 * state, unset first_name, last_name and phone_number are "" (Optional+Computed; removing one
 * clears it) and timestamps are whole seconds in UTC. Import reads the user and warns about the
 * password only once it is found. The data source reads a user by ID, or by email over every
 * page of the organization's users (the API has no email filter), and fills user_id.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "provider/config.h"
#include "provider/iam_user.h"
#include "provider/tfutil.h"

static struct cty_type iamuser_tags_type = CTY_LIST_OF(&cty_string);

static const char *const iamuser_api_attrs[] = { "email",  "username", "first_name",      "last_name", "phone_number",
						 "locale", "tags",     "organization_id", "password",  NULL };

#define IAMUSER_RE_EMAIL "^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$"
#define IAMUSER_RE_USERNAME "^[^[:space:][:cntrl:]]+$"
#define IAMUSER_RE_LOCALE "^[A-Za-z]{2,8}([_-][A-Za-z0-9]{2,8})?$"

static const struct fw_attr iamuser_attrs[] = {
	{ .name = "id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "The ID of the user (a UUID)." },
	{ .name = "email",
	  .type = &cty_string,
	  .flags = FW_REQUIRED,
	  .description = "The email address of the user. Updated in place.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(3, 254),
						       FW_V_REGEX(IAMUSER_RE_EMAIL, "an email address"),
						       { 0 } } },
	{ .name = "username",
	  .type = &cty_string,
	  .flags = FW_REQUIRED,
	  .description = "The username, unique in the organization (1 to 64 characters, no spaces). Updated in "
			 "place (update-username).",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 64),
						       FW_V_REGEX(IAMUSER_RE_USERNAME, "a username without spaces"),
						       { 0 } } },
	{ .name = "first_name",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The first name (at most 64 characters). \"\" when unset; removing it clears it.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(0, 64), { 0 } } },
	{ .name = "last_name",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The last name (at most 64 characters). \"\" when unset; removing it clears it.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(0, 64), { 0 } } },
	{ .name = "phone_number",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The phone number (at most 32 characters). \"\" when unset; removing it clears it.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(0, 32), { 0 } } },
	{ .name = "locale",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The locale, such as en_US (the API's default when unset).",
	  .validators = (const struct fw_validator[]){ FW_V_REGEX(IAMUSER_RE_LOCALE, "a locale such as en_US"),
						       { 0 } } },
	{ .name = "tags",
	  .type = &iamuser_tags_type,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "Tags of the user (at most 10, order kept); [] when unset. An empty list, or removing the "
			 "attribute, clears them.",
	  .validators = (const struct fw_validator[]){ TFUTIL_V_TAGS, { 0 } } },
	{ .name = "organization_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .plan = FW_PLAN_REPLACE,
	  .description = "The organization of the user (a UUID). Defaults to the provider's organization. Changing "
			 "it replaces the user.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "password",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_SENSITIVE,
	  .description = "The user's password (8 to 128 characters; kept in state, sensitive). Changing it sets the "
			 "new password in place (update-password); removing it keeps the current one. Conflicts with "
			 "password_wo.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(8, 128), { 0 } } },
	{ .name = "password_wo",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_SENSITIVE | FW_WRITE_ONLY,
	  .description = "Write-only password (never stored), sent at creation and whenever password_wo_version "
			 "changes. Requires password_wo_version; conflicts with password.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(8, 128), { 0 } } },
	{ .name = "password_wo_version",
	  .type = &cty_number,
	  .flags = FW_OPTIONAL,
	  .description = "Version of password_wo; changing it sets the current password_wo as the user's new "
			 "password, in place." },
	{ .name = "send_password_email",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL,
	  .description = "Whether the API emails the password at creation. Has no effect later." },
	{ .name = "send_welcome_email",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL,
	  .description = "Whether the API sends a welcome email at creation. Has no effect later." },
	{ .name = "created_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Creation time (RFC 3339)." },
	{ .name = "updated_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_UNKNOWN_ON_UPDATE,
	  .description = "Last update time (RFC 3339)." },
	{ .name = "deletable",
	  .type = &cty_bool,
	  .flags = FW_COMPUTED,
	  .description = "Whether the user can be deleted (owners cannot)." },
	{ .name = "last_login_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "Last login time (RFC 3339), null when never." },
	{ .name = "type", .type = &cty_string, .flags = FW_COMPUTED, .description = "owner or member." },
	{ .name = "status",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "invitation_pending or activated (deprecated by the API)." },
	{ .name = "mfa", .type = &cty_bool, .flags = FW_COMPUTED, .description = "Whether MFA is enabled." },
	{ .name = "account_root_user_id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "The account root user ID (empty for members)." },
	{ .name = "locked", .type = &cty_bool, .flags = FW_COMPUTED, .description = "Whether the user is locked." },
	{ 0 },
};

static const char *const iamuser_pw_conflict[] = { "password", "password_wo", NULL };

static const struct fw_rule iamuser_rules[] = {
	{ .kind = FW_AT_MOST_ONE_OF, .attrs = iamuser_pw_conflict },
	{ 0 },
};

static int iamuser_validate(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d)
{
	(void)ctx;
	if (!fw_is_null(config, "password_wo") && fw_is_null(config, "password_wo_version")) {
		fw_error(d, "password_wo_version", "Missing required argument",
			 "password_wo_version must be set together with password_wo (bump it to send a new "
			 "password_wo).");
		return ERR_INVAL;
	}
	return 0;
}

/* Unset names and phone number are planned as "" (the reference provider's state); warn when a
 * create-only setting changes on an existing user: nothing will be sent. */
static int iamuser_modify_plan(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			       struct cty_value *planned, struct fw_diags *d)
{
	static const char *const create_only[] = { "send_password_email", "send_welcome_email" };
	static const char *const empty_when_unset[] = { "first_name", "last_name", "phone_number", "tags", NULL };
	size_t i;
	int r = tfutil_plan_empty(config, planned, empty_when_unset);

	if (r < 0)
		return r;
	if (!prior)
		return tfutil_plan_organization(ctx, prior, config, planned, d);
	if (prior->st != CTY_KNOWN || planned->st != CTY_KNOWN)
		return 0;
	for (i = 0; i < sizeof(create_only) / sizeof(create_only[0]); i++) {
		const struct cty_value *a = cty_object_attr(prior, create_only[i]);
		const struct cty_value *b = cty_object_attr(planned, create_only[i]);

		if (a && b && !cty_value_equal(a, b) && !(a->st == CTY_NULL && b->st == CTY_KNOWN && !b->b))
			fw_warning(
				d, create_only[i], "Setting only used at creation",
				"%s is only sent when the user is created; changing it on an existing user is stored "
				"but sends nothing.",
				create_only[i]);
	}
	return 0;
}

static int iamuser_fill(struct cty_value *obj, const struct iam_user *u)
{
	int r = fw_set_cstring(obj, "id", u->id);

	if (r == 0)
		r = fw_set_cstring(obj, "email", u->email);
	if (r == 0)
		r = fw_set_cstring(obj, "username", u->username);
	if (r == 0)
		r = fw_set_cstring(obj, "first_name", u->first_name ? u->first_name : "");
	if (r == 0)
		r = fw_set_cstring(obj, "last_name", u->last_name ? u->last_name : "");
	if (r == 0)
		r = fw_set_cstring(obj, "phone_number", u->phone_number ? u->phone_number : "");
	if (r == 0)
		r = fw_set_cstring(obj, "locale", u->locale ? u->locale : "");
	if (r == 0)
		r = fw_set_strings(obj, "tags", (const char *const *)u->tags, u->ntags);
	if (r == 0)
		r = fw_set_cstring(obj, "organization_id", u->organization_id);
	if (r == 0)
		r = tfutil_set_time(obj, "created_at", u->created_at);
	if (r == 0)
		r = tfutil_set_time(obj, "updated_at", u->updated_at);
	if (r == 0)
		r = fw_set_bool(obj, "deletable", u->deletable);
	if (r == 0)
		r = tfutil_set_time(obj, "last_login_at", u->last_login_at);
	if (r == 0)
		r = fw_set_cstring(obj, "type", u->type ? u->type : "");
	if (r == 0)
		r = fw_set_cstring(obj, "status", u->status ? u->status : "");
	if (r == 0)
		r = fw_set_bool(obj, "mfa", u->mfa);
	if (r == 0)
		r = fw_set_cstring(obj, "account_root_user_id", u->account_root_user_id ? u->account_root_user_id : "");
	if (r == 0)
		r = fw_set_bool(obj, "locked", u->locked);
	return r;
}

static int iamuser_create(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
			  struct fw_diags *d)
{
	struct iam_user_create in;
	struct iam_user u;
	struct iam_call call;
	const char **tags = NULL;
	int r, b;

	memset(&u, 0, sizeof(u));
	memset(&in, 0, sizeof(in));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	in.organization_id = tfutil_organization(ctx, config, d);
	if (!in.organization_id) {
		r = ERR_INVAL;
		goto out;
	}
	in.email = fw_get_string(config, "email");
	in.username = fw_get_string(config, "username");
	in.first_name = fw_get_string(config, "first_name");
	in.last_name = fw_get_string(config, "last_name");
	in.phone_number = fw_get_string(config, "phone_number");
	in.locale = fw_get_string(config, "locale");
	/* Borrowed from the config, which the framework wipes; never copied or logged here. */
	in.password = fw_get_string(config, "password");
	if (!in.password)
		in.password = fw_get_string(config, "password_wo");
	if (fw_get_bool(config, "send_password_email", &b) == 0)
		in.send_password_email = b;
	if (fw_get_bool(config, "send_welcome_email", &b) == 0)
		in.send_welcome_email = b;
	r = tfutil_strings(config, "tags", &tags, &in.ntags);
	if (r < 0) {
		fw_error(d, "tags", "Cannot create the user", "The tags are not all known.");
		goto out;
	}
	in.tags = tags;
	r = iam_user_create(&call, &in, &u);
	if (r < 0) {
		provider_api_error(d, "Cannot create the user", r, &call, iamuser_api_attrs);
		goto out;
	}
	r = iamuser_fill(state, &u);
out:
	free(tags);
	iam_user_release(&u);
	iam_call_release(&call);
	return r;
}

static int iamuser_get(struct iam_call *call, const char *id, struct cty_value *state)
{
	struct iam_user u;
	int r;

	memset(&u, 0, sizeof(u));
	r = iam_user_get(call, id, &u);
	if (r == 0)
		r = iamuser_fill(state, &u);
	iam_user_release(&u);
	return r;
}

static int iamuser_read(const struct fw_ctx *ctx, struct cty_value *state, struct fw_diags *d)
{
	return provider_read(ctx, iamuser_get, fw_get_string(state, "id"), state, "Cannot read the user", d);
}

/* The new value of string attr when it changed between prior and planned ("" for a cleared one),
 * else NULL (left unchanged). */
static const char *iamuser_changed(const struct cty_value *prior, const struct cty_value *planned, const char *attr)
{
	const char *y = fw_get_string(planned, attr);

	if (!tfutil_str_changed(prior, planned, attr))
		return NULL;
	if (!y && fw_is_unknown(planned, attr))
		return NULL; /* optional+computed left to the API */
	return y ? y : "";
}

/* A new password, or a new password_wo_version with password_wo set, goes through update-password.
 * A password removed from the configuration is left as it is: the API cannot unset one. */
static int iamuser_update_password(struct iam_call *call, const char *id, const struct cty_value *prior,
				   const struct cty_value *config, const struct cty_value *state, struct fw_diags *d)
{
	const char *pw = fw_get_string(state, "password");
	const char *old = fw_get_string(prior, "password");
	struct iam_user u;
	int r;

	if (!pw || (old && strcmp(old, pw) == 0)) {
		pw = NULL;
		if (!cty_value_equal(cty_object_attr(prior, "password_wo_version"),
				     cty_object_attr(state, "password_wo_version")))
			pw = fw_get_string(config, "password_wo");
	}
	if (!pw)
		return 0;
	memset(&u, 0, sizeof(u));
	r = iam_user_update_password(call, id, pw, &u);
	if (r < 0)
		provider_api_error(d, "Cannot change the password", r, call, iamuser_api_attrs);
	iam_user_release(&u);
	return r;
}

static int iamuser_update(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			  struct cty_value *state, struct fw_diags *d)
{
	struct iam_user_update in;
	struct iam_user u;
	struct iam_call call;
	const char **tags = NULL;
	const char *id = fw_get_string(prior, "id");
	const char *username;
	int r;

	memset(&u, 0, sizeof(u));
	memset(&in, 0, sizeof(in));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	in.email = iamuser_changed(prior, state, "email");
	in.first_name = iamuser_changed(prior, state, "first_name");
	in.last_name = iamuser_changed(prior, state, "last_name");
	in.phone_number = iamuser_changed(prior, state, "phone_number");
	in.locale = iamuser_changed(prior, state, "locale");
	r = tfutil_changed_tags(prior, state, &tags, &in.ntags, &in.set_tags, "Cannot update the user", d);
	if (r < 0)
		goto out;
	in.tags = tags;
	if (in.email || in.first_name || in.last_name || in.phone_number || in.locale || in.set_tags) {
		r = iam_user_update(&call, id, &in, &u);
		if (r < 0) {
			provider_api_error(d, "Cannot update the user", r, &call, iamuser_api_attrs);
			goto out;
		}
		iam_user_release(&u);
		memset(&u, 0, sizeof(u));
	}
	r = iamuser_update_password(&call, id, prior, config, state, d);
	if (r < 0)
		goto out;
	username = iamuser_changed(prior, state, "username");
	if (username) {
		r = iam_user_update_username(&call, id, username, &u);
		if (r < 0) {
			provider_api_error(d, "Cannot change the username", r, &call, iamuser_api_attrs);
			goto out;
		}
		iam_user_release(&u);
		memset(&u, 0, sizeof(u));
	}
	/* One read at the end: PATCH answers with the old updated_at (seen on the real API). */
	r = iam_user_get(&call, id, &u);
	if (r < 0) {
		provider_api_error(d, "Cannot read the updated user", r, &call, NULL);
		goto out;
	}
	r = iamuser_fill(state, &u);
out:
	free(tags);
	iam_user_release(&u);
	iam_call_release(&call);
	return r;
}

static int iamuser_delete(const struct fw_ctx *ctx, const struct cty_value *prior, struct fw_diags *d)
{
	return provider_delete(ctx, iam_user_delete, fw_get_string(prior, "id"), "Cannot delete the user", d);
}

static int iamuser_import(const struct fw_ctx *ctx, const char *id, struct cty_value *state, struct fw_diags *d)
{
	struct iam_user u;
	struct iam_call call;
	int r;

	if (!uuid_is_valid(id, strlen(id))) {
		fw_error(d, "id", "Invalid import ID",
			 "A user is imported by its ID, a UUID such as 11111111-2222-4333-8444-555555555555.");
		return ERR_INVAL;
	}
	memset(&u, 0, sizeof(u));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	r = iam_user_get(&call, id, &u);
	if (r == ERR_NOTFOUND)
		fw_error(d, NULL, "Cannot import the user", "No user has the ID %s.", id);
	else if (r < 0)
		provider_api_error(d, "Cannot import the user", r, &call, NULL);
	if (r == 0)
		r = iamuser_fill(state, &u);
	/* Only now that the user is known to exist: a failed import says nothing about passwords. */
	if (r == 0)
		fw_warning(d, NULL, "Password not imported",
			   "The API never returns a user's password: password and password_wo_version are null after "
			   "import.");
	iam_user_release(&u);
	iam_call_release(&call);
	return r;
}

const struct fw_resource iamuser_resource = {
	.type_name = "scaleway_iam_user",
	.description = "Manages a Scaleway IAM user (a member of the organization).",
	.attrs = iamuser_attrs,
	.rules = iamuser_rules,
	.validate = iamuser_validate,
	.modify_plan = iamuser_modify_plan,
	.create = iamuser_create,
	.read = iamuser_read,
	.update = iamuser_update,
	.del = iamuser_delete,
	.import = iamuser_import,
};

/* ---- data source ---- */

static const char *const iamuser_ds_keys[] = { "user_id", "email", NULL };

static const struct fw_rule iamuser_ds_rules[] = {
	{ .kind = FW_EXACTLY_ONE_OF, .attrs = iamuser_ds_keys },
	{ 0 },
};

static const struct fw_attr iamuser_ds_attrs[] = {
	{ .name = "id", .type = &cty_string, .flags = FW_COMPUTED, .description = "The ID of the user." },
	{ .name = "user_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The ID of the user to read (exactly one of user_id and email); set from the user found "
			 "when it is read by email.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "email",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The email of the user to read, matched without regard to case (exactly one of user_id and "
			 "email).",
	  .validators = (const struct fw_validator[]){ FW_V_REGEX(IAMUSER_RE_EMAIL, "an email address"), { 0 } } },
	{ .name = "organization_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The organization searched by email (defaults to the provider's).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "username", .type = &cty_string, .flags = FW_COMPUTED, .description = "The username." },
	{ .name = "first_name", .type = &cty_string, .flags = FW_COMPUTED, .description = "The first name." },
	{ .name = "last_name", .type = &cty_string, .flags = FW_COMPUTED, .description = "The last name." },
	{ .name = "phone_number", .type = &cty_string, .flags = FW_COMPUTED, .description = "The phone number." },
	{ .name = "locale", .type = &cty_string, .flags = FW_COMPUTED, .description = "The locale." },
	{ .name = "tags", .type = &iamuser_tags_type, .flags = FW_COMPUTED, .description = "The tags." },
	{ .name = "created_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Creation time." },
	{ .name = "updated_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Last update time." },
	{ .name = "deletable", .type = &cty_bool, .flags = FW_COMPUTED, .description = "Whether it can be deleted." },
	{ .name = "last_login_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Last login time." },
	{ .name = "type", .type = &cty_string, .flags = FW_COMPUTED, .description = "owner or member." },
	{ .name = "status", .type = &cty_string, .flags = FW_COMPUTED, .description = "The status." },
	{ .name = "mfa", .type = &cty_bool, .flags = FW_COMPUTED, .description = "Whether MFA is enabled." },
	{ .name = "account_root_user_id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "The account root user ID." },
	{ .name = "locked", .type = &cty_bool, .flags = FW_COMPUTED, .description = "Whether the user is locked." },
	{ 0 },
};

static const struct tfutil_lookup iamuser_lookup = {
	.attr = "email",
	.id_attr = "user_id",
	.noun = "user",
	.nouns = "users",
	.is = "has the email",
	.are = "have the email",
	.not_found = "User not found",
	.several = "Several users match",
	.read_summary = "Cannot read the user",
	.key_off = offsetof(struct iam_user, email),
	.nocase = 1,
};

static int iamuser_ds_by_email(const struct fw_ctx *ctx, struct iam_call *call, const struct cty_value *config,
			       const char *email, struct iam_user *out, struct fw_diags *d)
{
	struct iam_user_filter f;
	struct iam_user_list l;
	size_t at;
	int r;

	memset(&f, 0, sizeof(f));
	memset(&l, 0, sizeof(l));
	f.mfa = -1;
	f.organization_id = tfutil_organization(ctx, config, d);
	if (!f.organization_id)
		return ERR_INVAL;
	r = iam_user_list(call, &f, &l); /* every page: the API has no email filter */
	if (r < 0) {
		provider_api_error(d, "Cannot list the users", r, call, NULL);
		goto out;
	}
	r = tfutil_pick(&iamuser_lookup, l.items, l.n, sizeof(l.items[0]), f.organization_id, email, &at, d);
	if (r < 0)
		goto out;
	*out = l.items[at];
	memset(&l.items[at], 0, sizeof(l.items[at]));
out:
	iam_user_list_release(&l);
	return r;
}

static int iamuser_ds_read(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
			   struct fw_diags *d)
{
	struct iam_user u;
	struct iam_call call;
	const char *id = fw_get_string(config, "user_id");
	const char *email = fw_get_string(config, "email");
	int r;

	memset(&u, 0, sizeof(u));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	if (id) {
		r = iam_user_get(&call, id, &u);
		if (r < 0)
			tfutil_ds_get_error(&iamuser_lookup, r, &call, id, d);
	} else if (email) {
		r = iamuser_ds_by_email(ctx, &call, config, email, &u, d);
	} else {
		fw_error(d, NULL, "Missing argument", "Set user_id or email.");
		r = ERR_INVAL;
	}
	if (r == 0)
		r = iamuser_fill(state, &u);
	if (r == 0 && email) /* matched without regard to case: keep the configured spelling */
		r = fw_set_cstring(state, "email", email);
	if (r == 0)
		r = fw_set_cstring(state, "user_id", u.id); /* also when looked up by email */
	iam_user_release(&u);
	iam_call_release(&call);
	return r;
}

const struct fw_data_source iamuser_data_source = {
	.type_name = "scaleway_iam_user",
	.description = "Reads a Scaleway IAM user by ID or by email.",
	.attrs = iamuser_ds_attrs,
	.rules = iamuser_ds_rules,
	.read = iamuser_ds_read,
};

/* The resource's full state for an API user (used by the list resource; no password). */
int iamuser_state(const struct fw_ctx *ctx, const struct iam_user *u, struct cty_value *state)
{
	int r = cty_value_object(state, fw_resource_type(ctx->fw, &iamuser_resource));

	return r < 0 ? r : iamuser_fill(state, u);
}
