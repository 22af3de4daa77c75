/* SPDX-License-Identifier: MIT */
/*
 * config: the provider's ConfigureProvider and the glue between the framework and the client
 * layer. provider_configure() resolves the configuration (client/scwconfig: provider block >
 * environment > config-file profile > defaults), turns its diagnostics into framework ones
 * (attribute paths for values from the block), and builds the API client that every resource
 * then reaches through provider_client(). provider_api_error() turns a failed API call into
 * diagnostics, with invalid arguments attached to the matching attribute.
 */
#ifndef PROVIDER_CONFIG_H
#define PROVIDER_CONFIG_H
#include "client/iam.h"
#include "client/scwclient.h"
#include "client/scwconfig.h"
#include "framework/fw.h"

#ifndef PROVIDER_VERSION
#define PROVIDER_VERSION "0.1.0"
#endif

/* What ConfigureProvider leaves for the resources (ctx->provider_data). */
struct provider_data {
	struct scwconfig *cfg;
	struct scwclient *client;
};

int provider_configure(const struct fw_ctx *ctx, const struct cty_value *config, void **data, struct fw_diags *d);
void provider_release(void *data);

/* Set up an iam_call on the configured client with the context's cancel and stop flags.
 * ERR_INVAL (with an error diagnostic) when the provider was not configured. */
int provider_call(const struct fw_ctx *ctx, struct iam_call *call, struct fw_diags *d);
/* A configuration value (organization_id, project_id, ...) or NULL. */
const char *provider_setting(const struct fw_ctx *ctx, enum scwconfig_key key);
/* Add diagnostics for API failure r of call ("Cannot create the API key"): one per invalid
 * argument, on the attribute it maps to when that attribute is in attrs (NULL-terminated), else
 * one for the whole resource. Never includes request bodies. */
void provider_api_error(struct fw_diags *d, const char *summary, int r, const struct iam_call *call,
			const char *const *attrs);
/* The common part of a resource's Delete: del(call, id) through a call set up from ctx; an
 * object already gone counts as deleted, and so does a state without an ID (nothing is sent).
 * Other failures become diagnostics under summary. */
int provider_delete(const struct fw_ctx *ctx, int (*del)(struct iam_call *call, const char *id), const char *id,
		    const char *summary, struct fw_diags *d);

/* A resource's GET of object id into state, filled and released inside; the error as is
 * (ERR_NOTFOUND when the object is gone), nothing reported. */
typedef int (*provider_get_fn)(struct iam_call *call, const char *id, struct cty_value *state);
/* The common part of every Read and read-back: get(call, id, state). An object gone nulls state
 * (deleted outside Terraform: the next plan creates it again), and so does a state without an ID
 * (nothing is sent); other failures become diagnostics under summary ("Cannot read the group"). */
int provider_refresh(struct iam_call *call, provider_get_fn get, const char *id, struct cty_value *state,
		     const char *summary, struct fw_diags *d);
/* provider_refresh() through a call set up from ctx: a resource's Read. */
int provider_read(const struct fw_ctx *ctx, provider_get_fn get, const char *id, struct cty_value *state,
		  const char *summary, struct fw_diags *d);

#endif
