/* SPDX-License-Identifier: MIT */
/*
 * iam_user: the scaleway_iam_user resource and data source. Exported names use the prefix
 * iamuser_ (the client layer already owns iam_user_*). See docs/resources/iam_user.md and
 * docs/data-sources/iam_user.md.
 */
#ifndef PROVIDER_IAM_USER_H
#define PROVIDER_IAM_USER_H
#include "framework/fw.h"

extern const struct fw_resource iamuser_resource;
extern const struct fw_data_source iamuser_data_source;

#endif
