/* SPDX-License-Identifier: MIT */
/*
 * iam_user: the scaleway_iam_user resource and data source. Exported names use the prefix
 * iamuser_ (the client layer already owns iam_user_*). See docs/resources/iam_user.md and
 * docs/data-sources/iam_user.md.
 */
#ifndef PROVIDER_IAM_USER_H
#define PROVIDER_IAM_USER_H
#include "client/iam.h"
#include "framework/fw.h"

extern const struct fw_resource iamuser_resource;
extern const struct fw_data_source iamuser_data_source;
/* The resource's full state for a user (cty_value_release it). */
int iamuser_state(const struct fw_ctx *ctx, const struct iam_user *u, struct cty_value *state);

#endif
