/* SPDX-License-Identifier: MIT */
/*
 * iam_api_key_ephemeral: the ephemeral scaleway_iam_api_key (Terraform >= 1.10). The key exists
 * only while Terraform runs: Open creates it, Close deletes it (a key already gone is fine), so no
 * plan, apply or destroy leaves a key behind and the secret is never written to state or plan.
 * Unlike the reference provider (docs/scaleway-iam-api.md section 7.5 item 5) the description is
 * sent verbatim (null as ""), an unset expires_at is not a crash, and keys are deleted.
 *
 * Without expires_at the key gets a short expiry (EPH_TTL_S, one hour): the safety net if
 * Terraform is killed before Close. Terraform is asked to renew it EPH_RENEW_BEFORE_S before that
 * expiry; Renew moves the expiry EPH_TTL_S further. A configured expires_at is kept as given (no
 * renewal). The private bytes handed back to Renew and Close are "<access key> <0|1>" (1: the
 * expiry is ours to extend); they never hold the secret.
 *
 * Validation (ValidateEphemeralResourceConfig, before any API call): exactly one of
 * application_id / user_id, UUIDs, description length, expires_at RFC 3339 and in the future.
 */
#include <stdio.h>
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "common/rand.h"
#include "common/timeutil.h"
#include "provider/config.h"
#include "provider/provider.h"

#define EPH_TTL_S 3600         /* default expiry: one hour from Open (or the last Renew) */
#define EPH_RENEW_BEFORE_S 600 /* ask for a renewal ten minutes before it */

static const char *const eph_bearers[] = { "application_id", "user_id", NULL };

static const char *const eph_api_attrs[] = { "description", "application_id",     "user_id",
					     "expires_at",  "default_project_id", NULL };

static const struct fw_attr eph_attrs[] = {
	{ .name = "application_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "The application bearing the key. Exactly one of application_id and user_id must be set.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "user_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "The user bearing the key. Exactly one of application_id and user_id must be set.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "description",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "A description of the key (at most 200 characters), sent as written.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(0, 200), { 0 } } },
	{ .name = "expires_at",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "When the key expires (RFC 3339, in the future). When unset, the key expires one hour after "
			 "it is opened and Terraform renews it while it runs; it is deleted when Terraform closes it "
			 "either way.",
	  .validators = (const struct fw_validator[]){ FW_V_RFC3339_FUTURE, { 0 } } },
	{ .name = "default_project_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_COMPUTED,
	  .description = "The project used by default with this key. Defaults to the organization's default project.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "access_key", .type = &cty_string, .flags = FW_COMPUTED, .description = "The access key." },
	{ .name = "secret_key",
	  .type = &cty_string,
	  .flags = FW_COMPUTED | FW_SENSITIVE,
	  .description = "The secret key. Never stored in state or plan." },
	{ .name = "created_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "When the key was created (RFC 3339)." },
	{ .name = "updated_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "When the key was last updated (RFC 3339)." },
	{ .name = "creation_ip",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .description = "The IP address the key was created from." },
	{ 0 },
};

static const struct fw_rule eph_rules[] = {
	{ .kind = FW_EXACTLY_ONE_OF, .attrs = eph_bearers },
	{ 0 },
};

/* Results copied from the resource's view of the key (iam_api_key.c maps the API answer). */
static const char *const eph_results[] = { "access_key", "secret_key", "created_at", "updated_at", "creation_ip", NULL };

static void expiry_in(int64_t secs, char out[TIME_RFC3339_MAX], int64_t *at)
{
	struct tstamp t = time_now();

	t.sec += secs;
	t.nsec = 0;
	*at = t.sec;
	time_rfc3339_format_sec(t, out);
}

static int priv_put(struct buf *priv, const char *access_key, int ours)
{
	return buf_printf(priv, "%s %d", access_key, ours ? 1 : 0);
}

/* The access key and the "expiry is ours" flag from the private bytes. 1 when there are none
 * (nothing was opened: Terraform skips Open while the configuration is unknown). */
static int priv_get(const uint8_t *p, size_t n, char ak[ACCESS_KEY_LEN + 1], int *ours, struct fw_diags *d)
{
	if (!p || !n)
		return 1;
	if (n != ACCESS_KEY_LEN + 2 || p[ACCESS_KEY_LEN] != ' ' || (p[n - 1] != '0' && p[n - 1] != '1') ||
	    !access_key_is_valid((const char *)p, ACCESS_KEY_LEN)) {
		fw_error(d, NULL, "Invalid ephemeral key data",
			 "Terraform handed back private data this provider did not write; the key cannot be found.");
		return ERR_INVAL;
	}
	memcpy(ak, p, ACCESS_KEY_LEN);
	ak[ACCESS_KEY_LEN] = '\0';
	*ours = p[n - 1] == '1';
	return 0;
}

static int eph_open(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *result,
		    struct buf *priv, int64_t *renew_at, struct fw_diags *d)
{
	char exp[TIME_RFC3339_MAX];
	struct iam_api_key_create in;
	struct cty_value st;
	struct iam_call call;
	struct iam_api_key k;
	int64_t exp_at = 0;
	size_t i;
	int r, ours;

	memset(&k, 0, sizeof(k));
	memset(&in, 0, sizeof(in));
	cty_value_null(&st, &cty_dynamic);
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	in.application_id = fw_get_string(config, "application_id");
	in.user_id = fw_get_string(config, "user_id");
	in.description = fw_get_string(config, "description"); /* verbatim; NULL is sent as "" */
	in.default_project_id = fw_get_string(config, "default_project_id");
	in.expires_at = fw_get_string(config, "expires_at");
	ours = in.expires_at == NULL;
	if (ours) {
		expiry_in(EPH_TTL_S, exp, &exp_at);
		in.expires_at = exp;
	}
	r = iam_api_key_create(&call, &in, &k);
	if (r < 0) {
		provider_api_error(d, "Cannot create the ephemeral API key", r, &call, eph_api_attrs);
		goto out;
	}
	r = provider_api_key_state(ctx, &k, &st);
	for (i = 0; r == 0 && eph_results[i]; i++)
		r = fw_set_value(result, eph_results[i], cty_object_attr(&st, eph_results[i]));
	if (r == 0 && fw_is_null(config, "expires_at"))
		r = fw_set_value(result, "expires_at", cty_object_attr(&st, "expires_at"));
	if (r == 0 && fw_is_null(config, "default_project_id"))
		r = fw_set_value(result, "default_project_id", cty_object_attr(&st, "default_project_id"));
	if (r == 0)
		r = priv_put(priv, k.access_key, ours);
	if (r < 0) {
		/* the key exists but cannot be handed over: do not leave it behind */
		iam_api_key_delete(&call, k.access_key);
		fw_error(d, NULL, "Cannot store the ephemeral API key", "%s.", err_str(r));
		goto out;
	}
	if (ours)
		*renew_at = exp_at - EPH_RENEW_BEFORE_S;
out:
	cty_value_release(&st);
	iam_api_key_release(&k);
	iam_call_release(&call);
	return r;
}

static int eph_renew(const struct fw_ctx *ctx, const uint8_t *p, size_t n, struct buf *new_priv, int64_t *renew_at,
		     struct fw_diags *d)
{
	char ak[ACCESS_KEY_LEN + 1], exp[TIME_RFC3339_MAX];
	struct iam_api_key_update up;
	struct iam_call call;
	struct iam_api_key k;
	int64_t exp_at;
	int r, ours;

	r = priv_get(p, n, ak, &ours, d);
	if (r != 0 || !ours)
		return r < 0 ? r : 0; /* nothing opened, or a configured expiry (the user's): nothing to extend */
	memset(&k, 0, sizeof(k));
	memset(&up, 0, sizeof(up));
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	expiry_in(EPH_TTL_S, exp, &exp_at);
	up.expires_at = exp;
	r = iam_api_key_update(&call, ak, &up, &k);
	if (r < 0) {
		provider_api_error(d, "Cannot renew the ephemeral API key", r, &call, NULL);
	} else {
		r = priv_put(new_priv, ak, 1);
		*renew_at = exp_at - EPH_RENEW_BEFORE_S;
	}
	iam_api_key_release(&k);
	iam_call_release(&call);
	return r;
}

static int eph_close(const struct fw_ctx *ctx, const uint8_t *p, size_t n, struct fw_diags *d)
{
	char ak[ACCESS_KEY_LEN + 1];
	int ours, r = priv_get(p, n, ak, &ours, d);

	if (r != 0)
		return r < 0 ? r : 0;
	return provider_delete(ctx, iam_api_key_delete, ak, "Cannot delete the ephemeral API key", d);
}

const struct fw_ephemeral provider_iam_api_key_ephemeral = {
	.type_name = "scaleway_iam_api_key",
	.description =
		"An IAM API key that exists only while Terraform runs: created when opened, deleted when "
		"closed, never stored in state or plan.",
	.attrs = eph_attrs,
	.rules = eph_rules,
	.open = eph_open,
	.renew = eph_renew,
	.close = eph_close,
};
