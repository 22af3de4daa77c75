/* SPDX-License-Identifier: MIT */
/*
 * config: ConfigureProvider (block -> client/scwconfig -> client/scwclient) and the helpers the
 * resources use to reach the client and report API errors. See config.h.
 */
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "provider/config.h"
#include "provider/tfutil.h"

void provider_release(void *data)
{
	struct provider_data *pd = data;

	if (!pd)
		return;
	scwclient_free(pd->client);
	scwconfig_free(pd->cfg);
	free(pd);
}

int provider_configure(const struct fw_ctx *ctx, const struct cty_value *config, void **data, struct fw_diags *d)
{
	struct scwconfig_input in;
	struct scwclient_opts o;
	struct provider_data *pd;
	size_t i;
	int r;

	*data = NULL;
	memset(&in, 0, sizeof(in));
	in.access_key = fw_get_string(config, "access_key");
	in.secret_key = fw_get_string(config, "secret_key");
	in.profile = fw_get_string(config, "profile");
	in.project_id = fw_get_string(config, "project_id");
	in.organization_id = fw_get_string(config, "organization_id");
	in.region = fw_get_string(config, "region");
	in.zone = fw_get_string(config, "zone");
	in.api_url = fw_get_string(config, "api_url");
	pd = mem_calloc(1, sizeof(*pd));
	if (!pd) {
		fw_error(d, NULL, "Out of memory", "Cannot configure the provider.");
		return ERR_NOMEM;
	}
	r = scwconfig_load(&in, &pd->cfg);
	if (r < 0) {
		fw_error(d, NULL, "Cannot configure the provider", "%s.", err_str(r));
		goto out;
	}
	for (i = 0; i < pd->cfg->ndiags; i++) {
		const struct scwconfig_diag *cd = &pd->cfg->diags[i];

		fw_diag(d, cd->severity == SCWCONFIG_ERROR ? FW_ERROR : FW_WARNING, cd->attribute, cd->summary, "%s",
			cd->detail);
	}
	if (pd->cfg->nerrors) {
		r = ERR_INVAL;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	scwclient_opts_from_config(&o, pd->cfg);
	o.provider_version = PROVIDER_VERSION;
	o.terraform_version = ctx->terraform_version;
	r = scwclient_new(&o, &pd->client);
	if (r < 0) {
		fw_error(d, "api_url", "Cannot configure the provider", "The API client could not be set up: %s.",
			 err_str(r));
		goto out;
	}
	log_kv(LOG_DEBUG, "provider configured", "api_url", scwconfig_get(pd->cfg, SCWCONFIG_API_URL), "access_key",
	       scwconfig_get(pd->cfg, SCWCONFIG_ACCESS_KEY), "credentials_from",
	       pd->cfg->v[SCWCONFIG_SECRET_KEY].origin, NULL);
	*data = pd;
	pd = NULL;
out:
	provider_release(pd);
	return r;
}

int provider_call(const struct fw_ctx *ctx, struct iam_call *call, struct fw_diags *d)
{
	const struct provider_data *pd = ctx->provider_data;

	memset(call, 0, sizeof(*call));
	if (!pd || !pd->client) {
		fw_error(d, NULL, "Provider not configured",
			 "The scaleway provider was not configured before this operation.");
		return ERR_INVAL;
	}
	call->client = pd->client;
	call->cancel = ctx->cancel;
	call->stop = ctx->stop;
	return 0;
}

const char *provider_setting(const struct fw_ctx *ctx, enum scwconfig_key key)
{
	const struct provider_data *pd = ctx->provider_data;

	return pd ? scwconfig_get(pd->cfg, key) : NULL;
}

static int in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list && list[i]; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

void provider_api_error(struct fw_diags *d, const char *summary, int r, const struct iam_call *call,
			const char *const *attrs)
{
	const struct scwclient_error *e = &call->err;
	struct buf text;
	char attr[64];
	size_t i, placed = 0;

	if (r == ERR_CANCELED) {
		fw_error(d, NULL, summary, "The operation was cancelled.");
		return;
	}
	for (i = 0; e->type && !strcmp(e->type, "invalid_arguments") && i < e->ndetails; i++) {
		const struct scwclient_error_detail *x = &e->details[i];

		if (!x->argument_name || scwclient_error_attr(x->argument_name, attr, sizeof(attr)) < 0 ||
		    !in_list(attr, attrs))
			continue;
		fw_error(d, attr, summary, "The API rejected %s (%s)%s%s.", attr, x->reason ? x->reason : "invalid",
			 x->help_message && x->help_message[0] ? ": " : "", x->help_message ? x->help_message : "");
		placed++;
	}
	if (placed)
		return;
	buf_init(&text, 4096);
	if (e->status || e->message)
		scwclient_error_format(e, &text);
	fw_error(d, NULL, summary, "%s%s", text.data ? text.data : err_str(r),
		 call->ambiguous_creates ? " (an earlier attempt lost its answer and was reconciled)" : "");
	buf_release(&text);
}

int provider_refresh(struct iam_call *call, provider_get_fn get, const char *id, struct cty_value *state,
		     const char *summary, struct fw_diags *d)
{
	int r = id && id[0] ? get(call, id, state) : ERR_NOTFOUND;

	if (r == ERR_NOTFOUND) {
		tfutil_set_null(state);
		return 0;
	}
	if (r < 0)
		provider_api_error(d, summary, r, call, NULL);
	return r;
}

int provider_read(const struct fw_ctx *ctx, provider_get_fn get, const char *id, struct cty_value *state,
		  const char *summary, struct fw_diags *d)
{
	struct iam_call call;
	int r;

	if (!id || !id[0]) {
		tfutil_set_null(state); /* no ID: nothing exists to read */
		return 0;
	}
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	r = provider_refresh(&call, get, id, state, summary, d);
	iam_call_release(&call);
	return r;
}

int provider_delete(const struct fw_ctx *ctx, int (*del)(struct iam_call *call, const char *id), const char *id,
		    const char *summary, struct fw_diags *d)
{
	struct iam_call call;
	int r;

	if (!id || !id[0])
		return 0; /* no ID: nothing was ever created (a phantom left by an older version) */
	r = provider_call(ctx, &call, d);
	if (r < 0)
		return r;
	r = del(&call, id);
	if (r == ERR_NOTFOUND)
		r = 0; /* already gone: the goal is reached */
	if (r < 0)
		provider_api_error(d, summary, r, &call, NULL);
	iam_call_release(&call);
	return r;
}
