/* SPDX-License-Identifier: MIT */
/*
 * iam_api_key: the scaleway_iam_api_key resource on the framework (framework/fw.h) and the typed
 * IAM calls (client/iam.h). Differences from the reference provider, on purpose (see
 * docs/scaleway-iam-api.md section 7.5): exactly one of application_id / user_id is required at
 * validate time (and at plan time when references make them unknown), and changing either
 * replaces the key (the bearer cannot change); description and default_project_id are updated in
 * place (the API PATCHes them); an unset description is "" in state, as the reference provider
 * stores it (so that its state gives an empty plan here). As the resource's documentation
 * promises, setting, changing or removing expires_at replaces the key: rotation (expires_at
 * moved forward) must give a new secret, never keep the old one alive. expires_at is checked as RFC 3339 at validate time and
 * as a future instant when it is set or changed; equal instants written with different offsets
 * never produce a diff (nor a replacement).
 * secret_key is set once, from the create answer, and kept; it is sensitive and never logged.
 * The create answer fills the whole state (no follow-up read that could fail and lose the key).
 * A key deleted outside Terraform disappears from state (and is planned for creation); deleting
 * an absent key succeeds; import by access key reads the key and, only once it is found, warns
 * that the secret is not available.
 *
 * The data source scaleway_iam_api_key reads one key by access key (format checked at validate
 * time); a missing key is an error that names it, on the access_key attribute.
 */
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "common/timeutil.h"
#include "provider/config.h"
#include "provider/provider.h"
#include "provider/tfutil.h"

static const char *const key_bearers[] = { "application_id", "user_id", NULL };

/* Attributes an API error may name (argument names map onto these). */
static const char *const key_api_attrs[] = { "description", "application_id",     "user_id",
					     "expires_at",  "default_project_id", NULL };

static const struct fw_attr key_attrs[] = {
	{ .name = "id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "The access key of the API key (SCW followed by 17 characters); the same as access_key." },
	{ .name = "description",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "A description of the key (at most 200 characters). Updated in place; \"\" when unset, "
			 "and removing it clears it.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(0, 200), { 0 } } },
	{ .name = "application_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .plan = FW_PLAN_REPLACE,
	  .description = "The application bearing the key. Exactly one of application_id and user_id must be set; "
			 "changing it creates a new key.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "user_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .plan = FW_PLAN_REPLACE,
	  .description = "The user bearing the key. Exactly one of application_id and user_id must be set; changing "
			 "it creates a new key.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "expires_at",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .plan = FW_PLAN_REPLACE,
	  .semeq = fw_semeq_rfc3339,
	  .description = "When the key expires (RFC 3339, in the future when set or changed). Setting, changing or "
			 "removing it creates a new key (with a new secret); the same instant written with another "
			 "offset is not a change. Leave unset for a key that never expires.",
	  .validators = (const struct fw_validator[]){ FW_V_RFC3339, { 0 } } },
	{ .name = "default_project_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The project used by default with this key (Object Storage). Defaults to the "
			 "organization's default project. Updated in place.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "access_key",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "The access key." },
	{ .name = "secret_key",
	  .type = &cty_string,
	  .flags = FW_COMPUTED | FW_SENSITIVE,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "The secret key. Only known after creation (null after an import)." },
	{ .name = "created_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "When the key was created (RFC 3339)." },
	{ .name = "updated_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_UNKNOWN_ON_UPDATE,
	  .description = "When the key was last updated (RFC 3339)." },
	{ .name = "editable",
	  .type = &cty_bool,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "Whether the key can be edited." },
	{ .name = "creation_ip",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "The IP address the key was created from." },
	{ 0 },
};

static const struct fw_rule key_rules[] = {
	{ .kind = FW_EXACTLY_ONE_OF, .attrs = key_bearers },
	{ 0 },
};

static int same_instant(const char *a, const char *b)
{
	struct tstamp ta, tb;

	if (!a || !b)
		return a == b;
	if (time_rfc3339_parse(a, strlen(a), &ta) < 0 || time_rfc3339_parse(b, strlen(b), &tb) < 0)
		return !strcmp(a, b);
	return time_cmp(ta, tb) == 0;
}

/* Fill state from the API's view of the key, keeping the configured spelling of equal values. */
static int key_fill(struct cty_value *state, const struct iam_api_key *k)
{
	const char *exp = fw_get_string(state, "expires_at");
	int r;

	r = fw_set_cstring(state, "id", k->access_key);
	if (r == 0)
		r = fw_set_cstring(state, "access_key", k->access_key);
	if (r == 0 && k->secret_key)
		r = fw_set_cstring(state, "secret_key", k->secret_key);
	/* An unset description is "" in state, as the reference provider stores it. */
	if (r == 0)
		r = fw_set_cstring(state, "description", k->description ? k->description : "");
	if (r == 0)
		r = fw_set_cstring(state, "application_id", k->application_id);
	if (r == 0)
		r = fw_set_cstring(state, "user_id", k->user_id);
	if (r == 0 && !(exp && same_instant(exp, k->expires_at)))
		r = fw_set_cstring(state, "expires_at", k->expires_at);
	if (r == 0)
		r = fw_set_cstring(state, "default_project_id", k->default_project_id);
	if (r == 0)
		r = tfutil_set_time(state, "created_at", k->created_at);
	if (r == 0)
		r = tfutil_set_time(state, "updated_at", k->updated_at);
	if (r == 0)
		r = fw_set_bool(state, "editable", k->editable);
	if (r == 0)
		r = fw_set_cstring(state, "creation_ip", k->creation_ip);
	return r;
}

static int future(const char *s)
{
	struct tstamp t;

	return s && time_rfc3339_parse(s, strlen(s), &t) == 0 && time_cmp(t, time_now()) > 0;
}

static int key_modify_plan(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			   struct cty_value *planned, struct fw_diags *d)
{
	static const char *const empty_when_unset[] = { "description", NULL };
	const char *want = fw_get_string(config, "expires_at");
	const char *had = prior ? fw_get_string(prior, "expires_at") : NULL;
	int r;

	if (planned->st != CTY_KNOWN)
		return 0;
	r = tfutil_plan_empty(config, planned, empty_when_unset);
	if (r < 0)
		return r;
	/* Future check only when the instant is set or changed: a key that expired since its
	 * creation must not make every later plan fail. */
	if (want && !(had && same_instant(want, had)) && !future(want))
		fw_error(d, "expires_at", "Invalid expires_at",
			 "expires_at must be in the future when it is set or changed.");
	return 0;
}

static int key_create(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
		      struct fw_diags *d)
{
	struct iam_api_key_create in;
	struct iam_call call;
	struct iam_api_key k;
	int r;

	memset(&k, 0, sizeof(k));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	memset(&in, 0, sizeof(in));
	in.application_id = fw_get_string(config, "application_id");
	in.user_id = fw_get_string(config, "user_id");
	in.expires_at = fw_get_string(config, "expires_at");
	in.default_project_id = fw_get_string(config, "default_project_id");
	in.description = fw_get_string(config, "description");
	r = iam_api_key_create(&call, &in, &k);
	if (r < 0) {
		provider_api_error(d, "Cannot create the API key", r, &call, key_api_attrs);
		tfutil_set_null(state);
		goto out;
	}
	r = key_fill(state, &k);
	if (r < 0)
		fw_error(d, NULL, "Cannot store the API key", "%s.", err_str(r));
out:
	iam_api_key_release(&k);
	iam_call_release(&call);
	return r;
}

static int key_get(struct iam_call *call, const char *ak, struct cty_value *state)
{
	struct iam_api_key k;
	int r;

	memset(&k, 0, sizeof(k));
	r = iam_api_key_get(call, ak, &k);
	if (r == 0)
		r = key_fill(state, &k);
	iam_api_key_release(&k);
	return r;
}

static int key_read(const struct fw_ctx *ctx, struct cty_value *state, struct fw_diags *d)
{
	const char *ak = fw_get_string(state, "access_key");

	return provider_read(ctx, key_get, ak ? ak : fw_get_string(state, "id"), state, "Cannot read the API key", d);
}

static int key_update(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
		      struct cty_value *state, struct fw_diags *d)
{
	const char *ak = fw_get_string(prior, "access_key");
	const char *desc = fw_get_string(config, "description"), *odesc = fw_get_string(prior, "description");
	const char *proj = fw_get_string(state, "default_project_id");
	const char *oproj = fw_get_string(prior, "default_project_id");
	struct iam_api_key_update up;
	struct iam_call call;
	struct iam_api_key k;
	int r;

	memset(&k, 0, sizeof(k));
	memset(&up, 0, sizeof(up));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	if (strcmp(desc ? desc : "", odesc ? odesc : "") != 0)
		up.description = desc ? desc : "";
	if (proj && (!oproj || strcmp(proj, oproj) != 0))
		up.default_project_id = proj;
	/* expires_at never changes here: any change is planned as a replacement */
	if (up.description || up.default_project_id)
		r = iam_api_key_update(&call, ak, &up, &k);
	else
		r = iam_api_key_get(&call, ak, &k);
	if (r < 0) {
		provider_api_error(d, "Cannot update the API key", r, &call, key_api_attrs);
		goto out;
	}
	r = key_fill(state, &k);
out:
	iam_api_key_release(&k);
	iam_call_release(&call);
	return r;
}

static int key_delete(const struct fw_ctx *ctx, const struct cty_value *prior, struct fw_diags *d)
{
	const char *ak = fw_get_string(prior, "access_key");

	return provider_delete(ctx, iam_api_key_delete, ak ? ak : fw_get_string(prior, "id"),
			       "Cannot delete the API key", d);
}

static int key_import(const struct fw_ctx *ctx, const char *id, struct cty_value *state, struct fw_diags *d)
{
	struct iam_call call;
	struct iam_api_key k;
	int r;

	if (!id || !access_key_is_valid(id, strlen(id))) {
		fw_error(d, NULL, "Invalid import ID",
			 "Import a scaleway_iam_api_key by its access key: SCW followed by 17 uppercase letters or "
			 "digits (SCWXXXXXXXXXXXXXXXXX).");
		return ERR_INVAL;
	}
	memset(&k, 0, sizeof(k));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	r = iam_api_key_get(&call, id, &k);
	if (r == ERR_NOTFOUND)
		fw_error(d, NULL, "Cannot import the API key",
			 "No API key with access key %s exists (or it is not visible with these credentials).", id);
	else if (r < 0)
		provider_api_error(d, "Cannot import the API key", r, &call, NULL);
	mem_free_secret_str(k.secret_key); /* a GET carries none; drop one a server might send */
	k.secret_key = NULL;
	if (r == 0)
		r = key_fill(state, &k);
	/* Only now that the key is known to exist: an import that fails says nothing about secrets. */
	if (r == 0)
		fw_warning(d, "secret_key", "Secret key not imported",
			   "The API returns a key's secret only when the key is created: after this import, "
			   "secret_key is null in the state of %s.",
			   id);
	iam_api_key_release(&k);
	iam_call_release(&call);
	return r;
}

const struct fw_resource provider_iam_api_key = {
	.type_name = "scaleway_iam_api_key",
	.description = "An IAM API key of an application or a user. The secret key is returned once, at creation.",
	.attrs = key_attrs,
	.rules = key_rules,
	.modify_plan = key_modify_plan,
	.create = key_create,
	.read = key_read,
	.update = key_update,
	.del = key_delete,
	.import = key_import,
};

/* ---- data source ---- */

static const struct fw_attr key_ds_attrs[] = {
	{ .name = "access_key",
	  .type = &cty_string,
	  .flags = FW_REQUIRED,
	  .description = "The access key of the API key to read.",
	  .validators =
		  (const struct fw_validator[]){
			  FW_V_REGEX(PROVIDER_RE_ACCESS_KEY,
				     "an access key: SCW followed by 17 uppercase letters or digits"),
			  { 0 } } },
	{ .name = "id", .type = &cty_string, .flags = FW_COMPUTED, .description = "The access key." },
	{ .name = "description", .type = &cty_string, .flags = FW_COMPUTED, .description = "The description." },
	{ .name = "application_id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "The application bearing the key, or null." },
	{ .name = "user_id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "The user bearing the key, or null." },
	{ .name = "expires_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "When the key expires (RFC 3339, UTC), or null." },
	{ .name = "default_project_id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "The key's default project." },
	{ .name = "created_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Creation time." },
	{ .name = "updated_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Last update time." },
	{ .name = "editable", .type = &cty_bool, .flags = FW_COMPUTED, .description = "Whether it can be edited." },
	{ .name = "creation_ip",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "Where it was created from." },
	{ 0 },
};

static int key_ds_read(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
		       struct fw_diags *d)
{
	const char *ak = fw_get_string(config, "access_key");
	struct iam_call call;
	struct iam_api_key k;
	int r;

	memset(&k, 0, sizeof(k));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	r = iam_api_key_get(&call, ak, &k);
	if (r == ERR_NOTFOUND) {
		fw_error(d, "access_key", "API key not found",
			 "No API key with access key %s exists (or it is not visible with these credentials).", ak);
		goto out;
	}
	if (r < 0) {
		provider_api_error(d, "Cannot read the API key", r, &call, NULL);
		goto out;
	}
	/* The resource's fill serves the data source too. The data source has no secret_key (a GET
	 * carries none; drop one a server might send anyway) and no configured spellings to keep. */
	mem_free_secret_str(k.secret_key);
	k.secret_key = NULL;
	r = key_fill(state, &k);
out:
	iam_api_key_release(&k);
	iam_call_release(&call);
	return r < 0 ? r : (fw_diags_has_error(d) ? ERR_NOTFOUND : 0);
}

const struct fw_data_source provider_iam_api_key_ds = {
	.type_name = "scaleway_iam_api_key",
	.description = "Reads an IAM API key by its access key (the secret key is never available here).",
	.attrs = key_ds_attrs,
	.read = key_ds_read,
};

/* The resource's full state for an API key (the ephemeral and list resources share the mapping). */
int provider_api_key_state(const struct fw_ctx *ctx, const struct iam_api_key *k, struct cty_value *state)
{
	int r = cty_value_object(state, fw_resource_type(ctx->fw, &provider_iam_api_key));

	return r < 0 ? r : key_fill(state, k);
}
