/* SPDX-License-Identifier: MIT */
/*
 * provider: the definition of terraform-provider-scaleway for the framework (src/framework/fw.h):
 * the provider block schema with its plan-time validation, and the tables that register
 * resources and data sources. tf6_init() (framework/tf6.h) is implemented here: it hands this
 * definition to fw_init().
 */
#ifndef PROVIDER_PROVIDER_H
#define PROVIDER_PROVIDER_H
#include "framework/fw.h"

extern const struct fw_provider provider_scaleway;
extern const struct fw_resource provider_iam_api_key;

/* Validation patterns of the provider block (also used by the configuration loader). */
#define PROVIDER_RE_ACCESS_KEY "^SCW[A-Z0-9]{17}$"
#define PROVIDER_RE_REGION "^[a-z]{2}-[a-z]{3,7}$"
#define PROVIDER_RE_ZONE "^[a-z]{2}-[a-z]{3,7}-[0-9]{1,2}$"

#endif
