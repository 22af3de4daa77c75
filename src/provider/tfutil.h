/* SPDX-License-Identifier: MIT */
/*
 * tfutil: small helpers shared by the application and user resources and data sources: turning a
 * list-of-strings attribute into a borrowed C array for the client layer, writing API answers
 * into state in the reference provider's form (unset strings and lists planned as "" and [],
 * timestamps in whole seconds), a plan-time validator for tag lists, the organization to use
 * when the configuration names none, and the data sources' lookup of one object among a listed
 * organization's (exact match, diagnostics naming the attribute on zero or several matches).
 * No API calls and no logging here.
 */
#ifndef PROVIDER_TFUTIL_H
#define PROVIDER_TFUTIL_H
#include <stddef.h>

#include "client/iam.h"
#include "framework/fw.h"

#define TFUTIL_TAGS_MAX 10
#define TFUTIL_TAG_LEN_MAX 128

/* The known strings of list attribute attr of obj as a borrowed array (valid while obj lives;
 * free the array itself with free()). *out is NULL and *n 0 when the attribute is null.
 * ERR_INVAL when the list or an element is unknown or null, ERR_NOMEM. */
int tfutil_strings(const struct cty_value *obj, const char *attr, const char ***out, size_t *n);

/* 1 when string attribute attr differs between two objects (null and "" count as equal). */
int tfutil_str_changed(const struct cty_value *a, const struct cty_value *b, const char *attr);

/* For an update: when the tags differ between prior and planned, *set = 1 and the planned ones as
 * tfutil_strings() gives them; else *set = 0, *out NULL and *n 0. ERR_INVAL with an error
 * diagnostic on tags (under summary) when they are not all known. */
int tfutil_changed_tags(const struct cty_value *prior, const struct cty_value *planned, const char ***out, size_t *n,
			int *set, const char *summary, struct fw_diags *d);

/* Set a timestamp attribute from an API value in the reference provider's form: whole seconds,
 * UTC, "2035-07-06T09:00:00Z" (the fraction truncated). NULL sets null; an unparsable value is
 * stored as given. */
int tfutil_set_time(struct cty_value *state, const char *attr, const char *api);
/* modify_plan helper: each Optional+Computed string or list-of-strings attribute of attrs
 * (NULL-terminated) that the configuration leaves null is planned as "" or [] (the reference
 * provider's "unset"), so that removing it from the configuration clears it and a state written
 * with ""/[] stays without diff. */
int tfutil_plan_empty(const struct cty_value *config, struct cty_value *planned, const char *const *attrs);

/* Validator for a list of tags: at most self->max items (TFUTIL_TAGS_MAX when 0), each 1 to
 * TFUTIL_TAG_LEN_MAX characters. Unknown elements are accepted (checked again at apply). */
int tfutil_v_tags(const struct fw_validator *self, const struct cty_value *v, struct buf *why);
#define TFUTIL_V_TAGS                                       \
	{                                                   \
		.fn = tfutil_v_tags, .max = TFUTIL_TAGS_MAX \
	}

/* The organization an object is created in: the configuration's organization_id, else the
 * provider's. NULL (with an error diagnostic on organization_id) when neither is set. */
const char *tfutil_organization(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d);

/* Plan-time default of organization_id on create (prior NULL): the configuration's value, else
 * the provider's, shown in the plan; an error on organization_id when neither exists, so the
 * mistake is caught before any API call. Nothing to do on update. */
int tfutil_plan_organization(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			     struct cty_value *planned, struct fw_diags *d);

/* Forget an object deleted outside Terraform: state becomes null (of its type), so that the next
 * plan creates it again. */
void tfutil_set_null(struct cty_value *state);

/* What a data source looks an object up by, besides its ID, and the words of its diagnostics:
 * "No <noun> of organization <org> <is> \"<key>\"." and "<n> <nouns> of organization <org> <are>
 * \"<key>\"; use <id_attr> instead." on attr; "No <noun> has the ID <id> (<id_attr>)." on id_attr. */
struct tfutil_lookup {
	const char *attr;         /* the key attribute: "name" */
	const char *id_attr;      /* the ID attribute: "application_id" */
	const char *noun;         /* "application" */
	const char *nouns;        /* "applications" */
	const char *is;           /* "is named" */
	const char *are;          /* "are named" */
	const char *not_found;    /* summary: "Application not found" */
	const char *several;      /* summary: "Several applications match" */
	const char *read_summary; /* summary of a failed read: "Cannot read the application" */
	size_t key_off;           /* offset of the char * member of an item compared with the key */
	int nocase;               /* 1: compared without regard to case */
};

/* *at: the index of the single item of items[0..n) (each size bytes) whose key member equals key.
 * ERR_NOTFOUND with an error diagnostic on lk->attr when none or several match (org, the
 * organization searched, is only named in it). */
int tfutil_pick(const struct tfutil_lookup *lk, const void *items, size_t n, size_t size, const char *org,
		const char *key, size_t *at, struct fw_diags *d);

/* Diagnostics for a data source's failed read by ID (r < 0 from the get of call): "not found" on
 * lk->id_attr for ERR_NOTFOUND, else the API error under lk->read_summary. */
void tfutil_ds_get_error(const struct tfutil_lookup *lk, int r, const struct iam_call *call, const char *id,
			 struct fw_diags *d);

/* A name for an object whose configuration sets none: prefix followed by 12 random lowercase
 * letters and digits, into out (size bytes, at least strlen(prefix) + 13). */
#define TFUTIL_NAME_GEN_MAX 64
int tfutil_generate_name(const char *prefix, char *out, size_t size);

#endif
