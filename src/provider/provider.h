/* SPDX-License-Identifier: MIT */
/*
 * provider: the definition of terraform-provider-scaleway for the framework (src/framework/fw.h):
 * the provider block schema with its plan-time validation, and the tables that register
 * resources, data sources, ephemeral and list resources. main.c registers provider_served()
 * with fw_new() (framework/fw.h) and hands the result to the transport.
 */
#ifndef PROVIDER_PROVIDER_H
#define PROVIDER_PROVIDER_H
#include "client/iam.h"
#include "framework/fw.h"

extern const struct fw_provider provider_scaleway;
/* The definition main.c serves (init.c: provider_scaleway; the test binary: its own). */
const struct fw_provider *provider_served(void);
extern const struct fw_resource provider_iam_api_key;
extern const struct fw_data_source provider_iam_api_key_ds;
extern const struct fw_ephemeral provider_iam_api_key_ephemeral;
extern const struct fw_list provider_iam_api_key_list, provider_iam_application_list, provider_iam_user_list;
extern const struct fw_list provider_iam_group_list, provider_iam_policy_list;
/* The resource's full state for an API key (cty_value_release it). */
int provider_api_key_state(const struct fw_ctx *ctx, const struct iam_api_key *k, struct cty_value *state);

/* Validation patterns of the provider block (also used by the configuration loader). */
#define PROVIDER_RE_ACCESS_KEY "^SCW[A-Z0-9]{17}$"
#define PROVIDER_RE_REGION "^[a-z]{2}-[a-z]{3,7}$"
#define PROVIDER_RE_ZONE "^[a-z]{2}-[a-z]{3,7}-[0-9]{1,2}$"

/* Cross-attribute checks of the provider block (a zone outside the region is a warning). */
int provider_validate(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d);

#endif
