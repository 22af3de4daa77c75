/* SPDX-License-Identifier: MIT */
/*
 * tfutil: helpers shared by the IAM application and user resources and data sources (see
 * tfutil.h): list attributes to C arrays, API answers to state without spurious diffs (timestamps
 * in whole seconds), the tags validator, the default organization and the data sources' lookup
 * by key.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "common/timeutil.h"
#include "provider/config.h"
#include "provider/tfutil.h"

int tfutil_strings(const struct cty_value *obj, const char *attr, const char ***out, size_t *n)
{
	const struct cty_value *v = cty_object_attr(obj, attr);
	const char **a;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!v || v->st == CTY_NULL)
		return 0;
	if (v->st != CTY_KNOWN)
		return ERR_INVAL;
	a = mem_calloc(v->n + 1, sizeof(*a));
	if (!a)
		return ERR_NOMEM;
	for (i = 0; i < v->n; i++) {
		if (v->items[i].st != CTY_KNOWN) {
			free(a);
			return ERR_INVAL;
		}
		a[i] = v->items[i].s;
	}
	*out = a;
	*n = v->n;
	return 0;
}

int tfutil_str_changed(const struct cty_value *a, const struct cty_value *b, const char *attr)
{
	const char *x = fw_get_string(a, attr), *y = fw_get_string(b, attr);

	return strcmp(x ? x : "", y ? y : "") != 0;
}

int tfutil_changed_tags(const struct cty_value *prior, const struct cty_value *planned, const char ***out, size_t *n,
			int *set, const char *summary, struct fw_diags *d)
{
	int r;

	*out = NULL;
	*n = 0;
	*set = 0;
	if (cty_value_equal(cty_object_attr(prior, "tags"), cty_object_attr(planned, "tags")))
		return 0;
	r = tfutil_strings(planned, "tags", out, n);
	if (r < 0) {
		fw_error(d, "tags", summary, "The tags are not all known.");
		return r;
	}
	*set = 1;
	return 0;
}

int tfutil_set_time(struct cty_value *state, const char *attr, const char *api)
{
	char out[TIME_RFC3339_MAX];
	struct tstamp t;

	if (!api || time_rfc3339_parse(api, strlen(api), &t) < 0)
		return fw_set_cstring(state, attr, api);
	time_rfc3339_format_sec(t, out);
	return fw_set_cstring(state, attr, out);
}

int tfutil_plan_empty(const struct cty_value *config, struct cty_value *planned, const char *const *attrs)
{
	const struct cty_value *v;
	size_t i;
	int r = 0;

	if (planned->st != CTY_KNOWN)
		return 0;
	for (i = 0; r == 0 && attrs[i]; i++) {
		if (!fw_is_null(config, attrs[i]) || !(v = cty_object_attr(planned, attrs[i])))
			continue;
		r = v->type->kind == CTY_STRING ? fw_set_cstring(planned, attrs[i], "")
						: fw_set_strings(planned, attrs[i], NULL, 0);
	}
	return r;
}

/* Characters (UTF-8 code points) in s[0..n). */
static size_t tfutil_utf8_len(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	}
	return c;
}

int tfutil_v_tags(const struct fw_validator *self, const struct cty_value *v, struct buf *why)
{
	int64_t max = self->max > 0 ? self->max : TFUTIL_TAGS_MAX;
	size_t i;

	if (v->st != CTY_KNOWN)
		return 0;
	if ((int64_t)v->n > max) {
		buf_printf(why, "must hold at most %lld tags (got %zu)", (long long)max, v->n);
		return ERR_INVAL;
	}
	for (i = 0; i < v->n; i++) {
		const struct cty_value *e = &v->items[i];
		size_t len;

		if (e->st == CTY_NULL) {
			buf_printf(why, "element %zu must not be null", i);
			return ERR_INVAL;
		}
		if (e->st != CTY_KNOWN)
			continue;
		len = tfutil_utf8_len(e->s, e->len);
		if (len == 0 || len > TFUTIL_TAG_LEN_MAX) {
			buf_printf(why, "element %zu must be 1 to %d characters long (got %zu)", i, TFUTIL_TAG_LEN_MAX,
				   len);
			return ERR_INVAL;
		}
	}
	return 0;
}

const char *tfutil_organization(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d)
{
	const char *org = fw_get_string(config, "organization_id");

	if (!org)
		org = provider_setting(ctx, SCWCONFIG_ORGANIZATION_ID);
	if (!org)
		fw_error(d, "organization_id", "Missing organization",
			 "Set organization_id here, or the provider's organization_id (or SCW_DEFAULT_ORGANIZATION_ID, "
			 "or default_organization_id in the Scaleway config file).");
	return org;
}

int tfutil_plan_organization(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			     struct cty_value *planned, struct fw_diags *d)
{
	const char *org;

	if (prior || planned->st != CTY_KNOWN || !fw_is_null(config, "organization_id"))
		return 0;
	org = tfutil_organization(ctx, config, d);
	if (!org)
		return ERR_INVAL;
	return fw_set_cstring(planned, "organization_id", org);
}

void tfutil_set_null(struct cty_value *state)
{
	const struct cty_type *t = state->type;

	cty_value_release(state);
	cty_value_null(state, t);
}

int tfutil_pick(const struct tfutil_lookup *lk, const void *items, size_t n, size_t size, const char *org,
		const char *key, size_t *at, struct fw_diags *d)
{
	size_t i, found = 0;

	*at = 0;
	for (i = 0; i < n; i++) {
		const char *v = *(char *const *)(const void *)((const char *)items + i * size + lk->key_off);

		if (v && (lk->nocase ? strcasecmp(v, key) : strcmp(v, key)) == 0) {
			if (!found)
				*at = i;
			found++;
		}
	}
	if (found == 1)
		return 0;
	if (found)
		fw_error(d, lk->attr, lk->several, "%zu %s of organization %s %s \"%s\"; use %s instead.", found,
			 lk->nouns, org, lk->are, key, lk->id_attr);
	else
		fw_error(d, lk->attr, lk->not_found, "No %s of organization %s %s \"%s\".", lk->noun, org, lk->is, key);
	return ERR_NOTFOUND;
}

void tfutil_ds_get_error(const struct tfutil_lookup *lk, int r, const struct iam_call *call, const char *id,
			 struct fw_diags *d)
{
	if (r == ERR_NOTFOUND)
		fw_error(d, lk->id_attr, lk->not_found, "No %s has the ID %s (%s).", lk->noun, id, lk->id_attr);
	else
		provider_api_error(d, lk->read_summary, r, call, NULL);
}

int tfutil_generate_name(const char *prefix, char *out, size_t size)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[12];
	size_t i, p = strlen(prefix);
	int r;

	if (p + sizeof(rnd) + 1 > size)
		return ERR_TOOBIG;
	r = rand_bytes(rnd, sizeof(rnd));
	if (r < 0)
		return r;
	memcpy(out, prefix, p);
	for (i = 0; i < sizeof(rnd); i++)
		out[p + i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	out[p + sizeof(rnd)] = '\0';
	return 0;
}
