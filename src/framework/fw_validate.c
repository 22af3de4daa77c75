/* SPDX-License-Identifier: MIT */
/*
 * fw_validate: the stock validators (UUID, length, regex, one-of, RFC 3339, URL), semantic
 * equality of instants, and configuration validation (validators with attribute and element
 * paths, cross-attribute rules).
 */
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rand.h"
#include "common/timeutil.h"
#include "framework/fw.h"

/* ---- validators ---- */

static int is_str(const struct cty_value *v)
{
	return v->st == CTY_KNOWN && v->type->kind == CTY_STRING && v->s;
}

int fw_v_uuid(const struct fw_validator *self, const struct cty_value *v, struct buf *why)
{
	if (is_str(v) && uuid_is_valid(v->s, v->len))
		return 0;
	buf_append_str(why, "must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
	return ERR_INVAL;
}

/* Length in characters (UTF-8 code points), as Terraform's length() counts. */
static size_t utf8_len(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	}
	return c;
}

int fw_v_len(const struct fw_validator *self, const struct cty_value *v, struct buf *why)
{
	size_t n;

	if (v->st == CTY_KNOWN && (v->type->kind == CTY_LIST || v->type->kind == CTY_SET || v->type->kind == CTY_MAP)) {
		if ((int64_t)v->n >= self->min && (self->max <= 0 || (int64_t)v->n <= self->max))
			return 0;
		if (self->max > 0)
			buf_printf(why, "must have between %lld and %lld elements (got %zu)", (long long)self->min,
				   (long long)self->max, v->n);
		else
			buf_printf(why, "must have at least %lld elements (got %zu)", (long long)self->min, v->n);
		return ERR_INVAL;
	}
	if (!is_str(v))
		return 0;
	n = utf8_len(v->s, v->len);
	if ((int64_t)n >= self->min && (self->max <= 0 || (int64_t)n <= self->max))
		return 0;
	if (self->max > 0)
		buf_printf(why, "must be between %lld and %lld characters long (got %zu)", (long long)self->min,
			   (long long)self->max, n);
	else
		buf_printf(why, "must be at least %lld characters long (got %zu)", (long long)self->min, n);
	return ERR_INVAL;
}

int fw_v_regex(const struct fw_validator *self, const struct cty_value *v, struct buf *why)
{
	regex_t re;
	int ok;

	if (!is_str(v))
		return 0;
	if (regcomp(&re, self->pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		buf_append_str(why, "internal error: bad validation pattern");
		return ERR_INTERNAL;
	}
	ok = strlen(v->s) == v->len && regexec(&re, v->s, 0, NULL, 0) == 0;
	regfree(&re);
	if (ok)
		return 0;
	buf_printf(why, "must be %s (%s)", self->what ? self->what : "well-formed", self->pattern);
	return ERR_INVAL;
}

int fw_v_one_of(const struct fw_validator *self, const struct cty_value *v, struct buf *why)
{
	size_t i;

	if (!is_str(v))
		return 0;
	for (i = 0; self->one_of[i]; i++) {
		if (strlen(self->one_of[i]) == v->len && memcmp(self->one_of[i], v->s, v->len) == 0)
			return 0;
	}
	buf_append_str(why, "must be one of:");
	for (i = 0; self->one_of[i]; i++)
		buf_printf(why, "%s \"%s\"", i ? "," : "", self->one_of[i]);
	return ERR_INVAL;
}

int fw_v_rfc3339(const struct fw_validator *self, const struct cty_value *v, struct buf *why)
{
	struct tstamp t;

	if (!is_str(v) || time_rfc3339_parse(v->s, v->len, &t) == 0)
		return 0;
	buf_append_str(why, "must be an RFC 3339 timestamp such as 2030-01-02T15:04:05Z");
	return ERR_INVAL;
}

int fw_v_rfc3339_future(const struct fw_validator *self, const struct cty_value *v, struct buf *why)
{
	struct tstamp t;

	if (!is_str(v))
		return 0;
	if (time_rfc3339_parse(v->s, v->len, &t) != 0)
		return fw_v_rfc3339(self, v, why);
	if (time_cmp(t, time_now()) > 0)
		return 0;
	buf_append_str(why, "must be in the future");
	return ERR_INVAL;
}

int fw_v_http_url(const struct fw_validator *self, const struct cty_value *v, struct buf *why)
{
	const char *s, *host;
	size_t i;

	if (!is_str(v))
		return 0;
	s = v->s;
	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		host = NULL;
	for (i = 0; host && i < v->len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f)
			host = NULL;
	}
	if (host && (*host == '\0' || *host == '/' || *host == '?' || *host == '#'))
		host = NULL;
	if (host)
		return 0; /* a trailing slash is fine: users of the URL strip it */
	buf_append_str(why, "must be an absolute http:// or https:// URL with a host");
	return ERR_INVAL;
}

int fw_semeq_rfc3339(const struct cty_value *a, const struct cty_value *b)
{
	struct tstamp ta, tb;

	if (!is_str(a) || !is_str(b))
		return 0;
	if (time_rfc3339_parse(a->s, a->len, &ta) != 0 || time_rfc3339_parse(b->s, b->len, &tb) != 0)
		return 0;
	return time_cmp(ta, tb) == 0;
}

/* ---- config validation ---- */

static int count_set(const struct cty_value *config, const char *const *names, size_t *nset, size_t *nunknown,
		     const char **second)
{
	size_t i;

	*nset = *nunknown = 0;
	*second = NULL;
	for (i = 0; names[i]; i++) {
		struct cty_value *v = cty_object_attr(config, names[i]);

		if (!v)
			continue;
		if (v->st == CTY_UNKNOWN)
			(*nunknown)++;
		else if (v->st == CTY_KNOWN) {
			(*nset)++;
			if (*nset == 2)
				*second = names[i];
		}
	}
	return 0;
}

static void names_list(struct buf *b, const char *const *names)
{
	size_t i;

	for (i = 0; names[i]; i++)
		buf_printf(b, "%s\"%s\"", i == 0 ? "" : names[i + 1] ? ", " : " and ", names[i]);
}

static void check_rule(const struct fw_rule *rule, const struct cty_value *config, struct fw_diags *d)
{
	size_t nset, nunk;
	const char *second;
	struct buf b;

	count_set(config, rule->attrs, &nset, &nunk, &second);
	buf_init(&b, 1024);
	names_list(&b, rule->attrs);
	switch (rule->kind) {
	case FW_EXACTLY_ONE_OF:
		if (nset > 1)
			fw_error(d, second, "Invalid attribute combination", "Exactly one of %s must be set, not several.",
				 b.data ? b.data : "");
		else if (nset == 0 && nunk == 0)
			fw_error(d, NULL, "Missing required argument", "Exactly one of %s must be set.",
				 b.data ? b.data : "");
		break;
	case FW_AT_MOST_ONE_OF:
		if (nset > 1)
			fw_error(d, second, "Conflicting attributes", "Only one of %s may be set.", b.data ? b.data : "");
		break;
	case FW_AT_LEAST_ONE_OF:
		if (nset == 0 && nunk == 0)
			fw_error(d, NULL, "Missing required argument", "At least one of %s must be set.",
				 b.data ? b.data : "");
		break;
	case FW_REQUIRED_WITH: {
		struct cty_value *first = cty_object_attr(config, rule->attrs[0]);
		size_t i;

		if (!first || first->st != CTY_KNOWN)
			break;
		for (i = 1; rule->attrs[i]; i++) {
			struct cty_value *v = cty_object_attr(config, rule->attrs[i]);

			if (v && v->st == CTY_NULL)
				fw_error(d, rule->attrs[0], "Missing required argument",
					 "\"%s\" must be set when \"%s\" is set.", rule->attrs[i], rule->attrs[0]);
		}
		break;
	}
	}
	buf_release(&b);
}

/* Run a validator list on one known value; path NULL: the attribute itself, else [attr, element].
 * The value is echoed only for a short non-sensitive string. */
static void run_validators(const struct fw_attr *a, const struct fw_validator *vs, const struct cty_value *v,
			   const struct fw_step *elem_path, struct fw_diags *d)
{
	struct fw_step top = { .kind = FW_STEP_ATTR, .name = (char *)(uintptr_t)a->name };
	const struct fw_step *path = elem_path ? elem_path : &top;
	size_t npath = elem_path ? 2 : 1, k;
	char where[96];

	if (elem_path && elem_path[1].kind == FW_STEP_INDEX)
		snprintf(where, sizeof(where), " element %lld", (long long)elem_path[1].index);
	else if (elem_path)
		snprintf(where, sizeof(where), " element \"%.60s\"", elem_path[1].name);
	else if (v->type->kind != a->type->kind)
		snprintf(where, sizeof(where), " element");
	else
		where[0] = '\0';
	for (k = 0; vs && vs[k].fn; k++) {
		struct buf why;

		buf_init(&why, 2048);
		if (vs[k].fn(&vs[k], v, &why) < 0) {
			if ((a->flags & (FW_SENSITIVE | FW_WRITE_ONLY)) || v->type->kind != CTY_STRING || v->len > 256)
				fw_diag_path(d, FW_ERROR, path, npath, "Invalid attribute value", "Attribute \"%s\"%s %s.",
					     a->name, where, why.data ? why.data : "is invalid");
			else
				fw_diag_path(d, FW_ERROR, path, npath, "Invalid attribute value",
					     "Attribute \"%s\"%s value \"%s\" %s.", a->name, where, v->s,
					     why.data ? why.data : "is invalid");
		}
		buf_release(&why);
	}
}

/* The validators of a nested block's attributes, on every block; errors at <block>[i].<attr>
 * (values are not echoed). */
static void block_validate(const struct fw_attr *a, const struct cty_value *v, struct fw_diags *d)
{
	size_t i, j, k, e;

	for (i = 0; i < v->n; i++) {
		for (j = 0; a->block[j].name; j++) {
			const struct fw_attr *b = &a->block[j];
			const struct cty_value *w = cty_object_attr(&v->items[i], b->name);
			struct fw_step path[3] = { { .kind = FW_STEP_ATTR, .name = (char *)(uintptr_t)a->name },
						   { .kind = FW_STEP_INDEX, .index = (int64_t)i },
						   { .kind = FW_STEP_ATTR, .name = (char *)(uintptr_t)b->name } };

			if (!w || w->st != CTY_KNOWN)
				continue;
			for (e = 0; e < 2; e++) { /* the attribute's validators, then its elements' */
				const struct fw_validator *vs = e ? b->elem_validators : b->validators;
				size_t n = e ? w->n : 1;

				for (k = 0; vs && k < n; k++) {
					const struct cty_value *x = e ? &w->items[k] : w;
					size_t m;

					for (m = 0; x->st == CTY_KNOWN && vs[m].fn; m++) {
						struct buf why;

						buf_init(&why, 2048);
						if (vs[m].fn(&vs[m], x, &why) < 0)
							fw_diag_path(d, FW_ERROR, path, 3, "Invalid attribute value",
								     "Attribute \"%s\" of %s block %zu%s %s.", b->name, a->name,
								     i + 1, e ? " (an element)" : "",
								     why.data ? (const char *)why.data : "is invalid");
						buf_release(&why);
					}
				}
			}
		}
	}
}

int fw_validate_config(const struct fw_ctx *ctx, const struct fw_attr *attrs, const struct fw_rule *rules,
		       const struct cty_value *config, struct fw_diags *d)
{
	size_t i, k;

	if (config->st != CTY_KNOWN)
		return 0;
	for (i = 0; attrs && attrs[i].name; i++) {
		const struct fw_attr *a = &attrs[i];
		struct cty_value *v = cty_object_attr(config, a->name);

		if (!v || v->st != CTY_KNOWN)
			continue;
		if ((a->flags & (FW_COMPUTED | FW_OPTIONAL | FW_REQUIRED)) == FW_COMPUTED) {
			fw_error(d, a->name, "Invalid configuration", "Attribute \"%s\" is read-only (computed by the provider) "
				 "and cannot be set.", a->name);
			continue;
		}
		if (a->block) {
			block_validate(a, v, d);
			continue;
		}
		run_validators(a, a->validators, v, NULL, d);
		if (a->elem_validators && (v->type->kind == CTY_LIST || v->type->kind == CTY_SET ||
					   v->type->kind == CTY_MAP)) {
			for (k = 0; k < v->n; k++) {
				struct fw_step st[2] = { { .kind = FW_STEP_ATTR, .name = (char *)(uintptr_t)a->name } };

				if (v->items[k].st != CTY_KNOWN)
					continue;
				if (v->type->kind == CTY_LIST) {
					st[1].kind = FW_STEP_INDEX;
					st[1].index = (int64_t)k;
				} else if (v->type->kind == CTY_MAP) {
					st[1].kind = FW_STEP_KEY;
					st[1].name = v->keys[k];
				}
				run_validators(a, a->elem_validators, &v->items[k], v->type->kind == CTY_SET ? NULL : st, d);
			}
		}
	}
	for (i = 0; rules && rules[i].attrs; i++)
		check_rule(&rules[i], config, d);
	return fw_diags_has_error(d) ? ERR_INVAL : 0;
}
