/* SPDX-License-Identifier: MIT */
/*
 * tfutil: small helpers shared by the application and user resources and data sources: turning a
 * list-of-strings attribute into a borrowed C array for the client layer, writing API answers
 * into state without creating spurious diffs (the API answers "" and [] for what the
 * configuration left null), a plan-time validator for tag lists, and the organization to use
 * when the configuration names none. No API calls and no logging here.
 */
#ifndef PROVIDER_TFUTIL_H
#define PROVIDER_TFUTIL_H
#include <stddef.h>

#include "framework/fw.h"

#define TFUTIL_TAGS_MAX 10
#define TFUTIL_TAG_LEN_MAX 128

/* The known strings of list attribute attr of obj as a borrowed array (valid while obj lives;
 * free the array itself with free()). *out is NULL and *n 0 when the attribute is null.
 * ERR_INVAL when the list or an element is unknown or null, ERR_NOMEM. */
int tfutil_strings(const struct cty_value *obj, const char *attr, const char ***out, size_t *n);

/* Set string attribute attr from an API value, except that an empty (or NULL) API value leaves a
 * null attribute null: the API writes "" for "unset". */
int tfutil_set_api_string(struct cty_value *state, const char *attr, const char *api);
/* Same for a list of strings: [] from the API leaves a null attribute null. */
int tfutil_set_api_strings(struct cty_value *state, const char *attr, char *const *items, size_t n);

/* Validator for a list of tags: at most self->max items (TFUTIL_TAGS_MAX when 0), each 1 to
 * TFUTIL_TAG_LEN_MAX characters. Unknown elements are accepted (checked again at apply). */
int tfutil_v_tags(const struct fw_validator *self, const struct cty_value *v, struct buf *why);
#define TFUTIL_V_TAGS { .fn = tfutil_v_tags, .max = TFUTIL_TAGS_MAX }

/* The organization an object is created in: the configuration's organization_id, else the
 * provider's. NULL (with an error diagnostic on organization_id) when neither is set. */
const char *tfutil_organization(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d);

#endif
