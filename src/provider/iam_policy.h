/* SPDX-License-Identifier: MIT */
/*
 * iam_policy: the scaleway_iam_policy resource. See docs/resources/iam_policy.md.
 */
#ifndef PROVIDER_IAM_POLICY_H
#define PROVIDER_IAM_POLICY_H
#include "framework/fw.h"

extern const struct fw_resource iampolicy_resource;

struct iam_policy;
/* The resource's state of an API policy, its rules read (list resources). */
int iampolicy_state(const struct fw_ctx *ctx, const struct iam_policy *p, struct cty_value *state);

#endif
