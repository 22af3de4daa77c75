/* SPDX-License-Identifier: MIT */
/*
 * iam_application: the scaleway_iam_application resource and data source. Exported names use
 * the prefix iamapp_ (the client layer already owns iam_application_*). See
 * docs/resources/iam_application.md and docs/data-sources/iam_application.md.
 */
#ifndef PROVIDER_IAM_APPLICATION_H
#define PROVIDER_IAM_APPLICATION_H
#include "client/iam.h"
#include "framework/fw.h"

extern const struct fw_resource iamapp_resource;
extern const struct fw_data_source iamapp_data_source;

/* Name given to an application whose configuration sets none: "tf-application-" followed by
 * 12 random lowercase letters and digits. out must hold IAMAPP_NAME_GEN_LEN + 1 bytes. */
#define IAMAPP_NAME_GEN_LEN 27
int iamapp_generate_name(char *out);
/* The resource's full state for an application (cty_value_release it). */
int iamapp_state(const struct fw_ctx *ctx, const struct iam_application *a, struct cty_value *state);

#endif
