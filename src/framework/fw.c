/* SPDX-License-Identifier: MIT */
/*
 * fw: diagnostics and the value helpers for callbacks. The registry of a provider is in
 * fw_reg.c, validators in fw_validate.c, the plan/apply rules in fw_plan.c, the tfplugin6 mapping
 * in tf6*.c.
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

/* ---- diagnostics ---- */

void fw_diags_init(struct fw_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void fw_diags_release(struct fw_diags *d)
{
	size_t i, j;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].summary);
		free(d->v[i].detail);
		for (j = 0; j < d->v[i].npath; j++)
			free(d->v[i].path[j].name);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int fw_diags_has_error(const struct fw_diags *d)
{
	size_t i;

	if (d->lost)
		return 1;
	for (i = 0; i < d->n; i++) {
		if (d->v[i].severity == FW_ERROR)
			return 1;
	}
	return 0;
}

static int diag_vadd(struct fw_diags *d, enum fw_severity sev, const struct fw_step *path, size_t npath,
		     const char *summary, const char *fmt, va_list ap)
{
	struct fw_diag *g;
	struct buf b;
	size_t i;
	int r = 0;

	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 4;
		struct fw_diag *nv = d->cap < 4096 ? realloc(d->v, ncap * sizeof(*nv)) : NULL;

		if (!nv) {
			d->lost = 1;
			return ERR_NOMEM;
		}
		d->v = nv;
		d->cap = ncap;
	}
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->severity = sev;
	g->summary = mem_strndup(summary, strlen(summary));
	if (fmt) {
		buf_init(&b, 8192);
		r = buf_vprintf(&b, fmt, ap);
		g->detail = r == 0 ? buf_steal(&b, NULL) : NULL;
		buf_release(&b);
	}
	if (!g->summary || (fmt && !g->detail))
		r = ERR_NOMEM;
	for (i = 0; r == 0 && i < npath && i < FW_PATH_MAX; i++) {
		g->path[i] = path[i];
		g->path[i].name = NULL;
		if (path[i].kind != FW_STEP_INDEX) {
			g->path[i].name = mem_strndup(path[i].name, strlen(path[i].name));
			if (!g->path[i].name)
				r = ERR_NOMEM;
		}
		g->npath = i + 1;
	}
	if (r < 0) {
		free(g->summary);
		free(g->detail);
		for (i = 0; i < g->npath; i++)
			free(g->path[i].name);
		d->lost = 1;
		return r;
	}
	d->n++;
	return 0;
}

int fw_diag(struct fw_diags *d, enum fw_severity sev, const char *attr, const char *summary, const char *fmt, ...)
{
	struct fw_step st = { .kind = FW_STEP_ATTR, .name = (char *)(uintptr_t)attr };
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = diag_vadd(d, sev, &st, attr ? 1 : 0, summary, fmt, ap);
	va_end(ap);
	return r;
}

int fw_diag_path(struct fw_diags *d, enum fw_severity sev, const struct fw_step *path, size_t npath,
		 const char *summary, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = diag_vadd(d, sev, path, npath, summary, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- value helpers ---- */

static struct cty_value *attr_slot(const struct cty_value *obj, const char *attr)
{
	return cty_object_attr(obj, attr);
}

const char *fw_get_string(const struct cty_value *obj, const char *attr)
{
	struct cty_value *v = attr_slot(obj, attr);

	if (!v || v->st != CTY_KNOWN || v->type->kind != CTY_STRING)
		return NULL;
	return v->s;
}

int fw_get_bool(const struct cty_value *obj, const char *attr, int *out)
{
	struct cty_value *v = attr_slot(obj, attr);

	if (!v || v->st != CTY_KNOWN || v->type->kind != CTY_BOOL)
		return ERR_NOTFOUND;
	*out = v->b;
	return 0;
}

int fw_get_int(const struct cty_value *obj, const char *attr, int64_t *out)
{
	struct cty_value *v = attr_slot(obj, attr);

	if (!v || v->st != CTY_KNOWN)
		return ERR_NOTFOUND;
	return cty_number_to_int64(v, out);
}

int fw_is_null(const struct cty_value *obj, const char *attr)
{
	struct cty_value *v = attr_slot(obj, attr);

	return !v || v->st == CTY_NULL;
}

int fw_is_unknown(const struct cty_value *obj, const char *attr)
{
	struct cty_value *v = attr_slot(obj, attr);

	return v && v->st == CTY_UNKNOWN;
}

/* Replace the attribute with tmp (consumed). */
static int put(struct cty_value *obj, const char *attr, struct cty_value *tmp)
{
	struct cty_value *v = attr_slot(obj, attr);
	const struct cty_type *t;

	if (!v) {
		cty_value_release(tmp);
		return ERR_NOTFOUND;
	}
	t = v->type;
	cty_value_release(v);
	*v = *tmp;
	if (v->st == CTY_NULL || v->type->kind == CTY_DYNAMIC)
		v->type = t;
	return 0;
}

int fw_set_null(struct cty_value *obj, const char *attr)
{
	struct cty_value *v = attr_slot(obj, attr);
	const struct cty_type *t;

	if (!v)
		return ERR_NOTFOUND;
	t = v->type;
	cty_value_release(v);
	cty_value_null(v, t);
	return 0;
}

int fw_set_string(struct cty_value *obj, const char *attr, const char *s, size_t n)
{
	struct cty_value tmp;
	int r = cty_value_string(&tmp, s, n);

	return r < 0 ? r : put(obj, attr, &tmp);
}

int fw_set_cstring(struct cty_value *obj, const char *attr, const char *s)
{
	return s ? fw_set_string(obj, attr, s, strlen(s)) : fw_set_null(obj, attr);
}

int fw_set_bool(struct cty_value *obj, const char *attr, int b)
{
	struct cty_value tmp;

	cty_value_bool(&tmp, b);
	return put(obj, attr, &tmp);
}

int fw_set_int(struct cty_value *obj, const char *attr, int64_t i)
{
	struct cty_value tmp;
	int r = cty_value_number_int(&tmp, i);

	return r < 0 ? r : put(obj, attr, &tmp);
}

int fw_set_value(struct cty_value *obj, const char *attr, const struct cty_value *val)
{
	struct cty_value tmp;
	int r = cty_value_copy(&tmp, val);

	return r < 0 ? r : put(obj, attr, &tmp);
}

int fw_set_strings(struct cty_value *obj, const char *attr, const char *const *items, size_t n)
{
	struct cty_value *v = attr_slot(obj, attr);
	struct cty_value tmp;
	size_t i;
	int r;

	if (!v || (v->type->kind != CTY_LIST && v->type->kind != CTY_SET))
		return ERR_NOTFOUND;
	r = cty_value_collection(&tmp, v->type, n);
	for (i = 0; r == 0 && i < n; i++)
		r = cty_value_string(&tmp.items[i], items[i], strlen(items[i]));
	if (r < 0) {
		cty_value_release(&tmp);
		return r;
	}
	if (v->type->kind == CTY_SET && n > 1) {
		/* canonical order, no duplicates: the same form the decoders produce */
		size_t w = 1, j;

		for (i = 1; i < tmp.n; i++) {
			for (j = i; j > 0 && cty_value_cmp(&tmp.items[j - 1], &tmp.items[j]) > 0; j--) {
				struct cty_value x = tmp.items[j];

				tmp.items[j] = tmp.items[j - 1];
				tmp.items[j - 1] = x;
			}
		}
		for (i = 1; i < tmp.n; i++) {
			if (cty_value_cmp(&tmp.items[w - 1], &tmp.items[i]) == 0) {
				cty_value_release(&tmp.items[i]);
				continue;
			}
			if (w != i)
				tmp.items[w] = tmp.items[i];
			w++;
		}
		tmp.n = w;
	}
	return put(obj, attr, &tmp);
}
