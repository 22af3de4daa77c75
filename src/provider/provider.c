/* SPDX-License-Identifier: MIT */
/*
 * provider: terraform-provider-scaleway's definition. The provider block has the reference
 * provider's attributes, all optional (credentials may come from the environment or the Scaleway
 * config file), and each is checked at plan time when known: access key format, UUIDs, region,
 * zone, API URL. Unknown values (from other resources) are accepted at validate time. Resources
 * and data sources are registered by adding them to the two tables below (docs/framework.md).
 */
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "provider/config.h"
#include "provider/iam_application.h"
#include "provider/iam_group.h"
#include "provider/iam_policy.h"
#include "provider/iam_user.h"
#include "provider/provider.h"

static const struct fw_attr provider_attrs[] = {
	{ .name = "access_key", .type = &cty_string, .flags = FW_OPTIONAL,
	  .description = "The Scaleway access key (SCW followed by 17 characters). Defaults to SCW_ACCESS_KEY or the "
			 "config file's profile.",
	  .validators = (const struct fw_validator[]){
		  FW_V_REGEX(PROVIDER_RE_ACCESS_KEY, "an access key: SCW followed by 17 uppercase letters or digits"), { 0 } } },
	{ .name = "secret_key", .type = &cty_string, .flags = FW_OPTIONAL | FW_SENSITIVE,
	  .description = "The Scaleway secret key (a UUID). Defaults to SCW_SECRET_KEY or the config file's profile.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "profile", .type = &cty_string, .flags = FW_OPTIONAL,
	  .description = "The profile of the Scaleway config file to use. Defaults to SCW_PROFILE, then the file's "
			 "active_profile.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 256), { 0 } } },
	{ .name = "project_id", .type = &cty_string, .flags = FW_OPTIONAL,
	  .description = "The default project ID (a UUID). Defaults to SCW_DEFAULT_PROJECT_ID.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "organization_id", .type = &cty_string, .flags = FW_OPTIONAL,
	  .description = "The organization ID (a UUID). Defaults to SCW_DEFAULT_ORGANIZATION_ID.",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "region", .type = &cty_string, .flags = FW_OPTIONAL,
	  .description = "The default region, such as fr-par. Defaults to SCW_DEFAULT_REGION.",
	  .validators = (const struct fw_validator[]){
		  FW_V_REGEX(PROVIDER_RE_REGION, "a region such as fr-par"), { 0 } } },
	{ .name = "zone", .type = &cty_string, .flags = FW_OPTIONAL,
	  .description = "The default zone, such as fr-par-1. Defaults to SCW_DEFAULT_ZONE.",
	  .validators = (const struct fw_validator[]){
		  FW_V_REGEX(PROVIDER_RE_ZONE, "a zone such as fr-par-1"), { 0 } } },
	{ .name = "api_url", .type = &cty_string, .flags = FW_OPTIONAL,
	  .description = "The Scaleway API URL, without a trailing slash. Defaults to SCW_API_URL, then "
			 "https://api.scaleway.com.",
	  .validators = (const struct fw_validator[]){ FW_V_HTTP_URL, { 0 } } },
	{ 0 },
};

/* Registration: one line per resource, data source, ephemeral and list resource (docs/framework.md). */
static const struct fw_resource *const provider_resources[] = {
	&provider_iam_api_key,
	&iamapp_resource,
	&iamuser_resource,
	&iampolicy_resource,
	&iamgroup_resource,
	&iamgroupmember_resource,
	NULL,
};

static const struct fw_data_source *const provider_data_sources[] = {
	&provider_iam_api_key_ds,
	&iamapp_data_source,
	&iamuser_data_source,
	&iamgroup_data_source,
	NULL,
};

static const struct fw_ephemeral *const provider_ephemerals[] = {
	&provider_iam_api_key_ephemeral,
	NULL,
};

static const struct fw_list *const provider_lists[] = {
	&provider_iam_api_key_list,
	&provider_iam_application_list,
	&provider_iam_user_list,
	&provider_iam_group_list,
	&provider_iam_policy_list,
	NULL,
};

const struct fw_provider provider_scaleway = {
	.name = "scaleway",
	.description = "The Scaleway provider manages Scaleway IAM API keys, applications and users.",
	.attrs = provider_attrs,
	.configure = provider_configure,
	.release = provider_release,
	.resources = provider_resources,
	.data_sources = provider_data_sources,
	.ephemerals = provider_ephemerals,
	.lists = provider_lists,
	.validate = provider_validate,
};

/* Both known: a zone of another region is almost certainly a typo. A warning, not an error:
 * IAM is global and neither value is used by its calls. */
int provider_validate(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d)
{
	const char *region = fw_get_string(config, "region"), *zone = fw_get_string(config, "zone");
	size_t n;

	if (!region || !zone)
		return 0;
	n = strlen(region);
	if (strncmp(zone, region, n) != 0 || zone[n] != '-')
		fw_warning(d, "zone", "Zone outside the region",
			   "Zone \"%s\" is not in region \"%s\"; zones of region %s are named %s-1, %s-2, ...", zone,
			   region, region, region, region);
	return 0;
}
