/* SPDX-License-Identifier: MIT */
/*
 * iam_group: scaleway_iam_group (resource and data source) and scaleway_iam_group_membership.
 * See docs/resources/iam_group.md, iam_group_membership.md and docs/data-sources/iam_group.md.
 */
#ifndef PROVIDER_IAM_GROUP_H
#define PROVIDER_IAM_GROUP_H
#include "framework/fw.h"

extern const struct fw_resource iamgroup_resource, iamgroupmember_resource;
extern const struct fw_data_source iamgroup_data_source;

struct iam_group;
/* The resource's state of an API group (list resources). */
int iamgroup_state(const struct fw_ctx *ctx, const struct iam_group *g, struct cty_value *state);

#endif
