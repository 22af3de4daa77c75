/* SPDX-License-Identifier: MIT */
/*
 * fw: the framework's registry (the one provider definition and its object types), diagnostics,
 * value helpers for callbacks, the stock validators and config validation. The plan/apply rules
 * are in fw_plan.c; the tfplugin6 mapping in tf6.c.
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

/* ---- registry ---- */

struct fw_reg {
	const struct fw_provider *p;
	struct cty_type *ptype;
	size_t nres, nds, neph;
	struct cty_type **rtypes;
	struct cty_type **dtypes;
	struct cty_type **etypes;
	pthread_mutex_t lock;
	void *data;
	volatile int stop;
};

static struct fw_reg reg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int name_valid(const char *s)
{
	size_t i;

	if (!s || !*s)
		return 0;
	for (i = 0; s[i]; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	}
	return 1;
}

static int attrs_check(const char *what, const struct fw_attr *attrs, const struct fw_rule *rules)
{
	size_t i, j;

	for (i = 0; attrs && attrs[i].name; i++) {
		unsigned f = attrs[i].flags;

		if (!name_valid(attrs[i].name) || !attrs[i].type ||
		    !(f & (FW_REQUIRED | FW_OPTIONAL | FW_COMPUTED)) ||
		    ((f & FW_REQUIRED) && (f & (FW_OPTIONAL | FW_COMPUTED))) ||
		    ((f & FW_WRITE_ONLY) && (f & FW_COMPUTED))) {
			log_error("schema %s: attribute %s has an invalid name, type or flags", what, attrs[i].name);
			return ERR_INVAL;
		}
	}
	for (i = 0; rules && rules[i].attrs; i++) {
		for (j = 0; rules[i].attrs[j]; j++) {
			size_t k;

			for (k = 0; attrs[k].name && strcmp(attrs[k].name, rules[i].attrs[j]) != 0; k++)
				;
			if (!attrs[k].name) {
				log_error("schema %s: rule names unknown attribute %s", what, rules[i].attrs[j]);
				return ERR_INVAL;
			}
		}
	}
	return 0;
}

int fw_attrs_type(const struct fw_attr *attrs, struct cty_type **out)
{
	struct cty_type *t;
	size_t n = 0, i;
	int r;

	*out = NULL;
	while (attrs && attrs[n].name)
		n++;
	t = cty_type_object_new(n);
	if (!t)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		t->names[i] = mem_strndup(attrs[i].name, strlen(attrs[i].name));
		t->elems[i] = attrs[i].type; /* static schema types: heap = 0, never freed */
		if (!t->names[i]) {
			cty_type_free(t);
			return ERR_NOMEM;
		}
	}
	r = cty_type_object_sort(t);
	if (r < 0) {
		cty_type_free(t);
		return r;
	}
	*out = t;
	return 0;
}

void fw_shutdown(void)
{
	size_t i;

	pthread_mutex_lock(&reg.lock);
	if (reg.p && reg.p->release && reg.data)
		reg.p->release(reg.data);
	reg.data = NULL;
	pthread_mutex_unlock(&reg.lock);
	for (i = 0; i < reg.nres; i++)
		cty_type_free(reg.rtypes[i]);
	for (i = 0; i < reg.nds; i++)
		cty_type_free(reg.dtypes[i]);
	for (i = 0; i < reg.neph; i++)
		cty_type_free(reg.etypes[i]);
	free(reg.rtypes);
	free(reg.dtypes);
	free(reg.etypes);
	cty_type_free(reg.ptype);
	reg.rtypes = reg.dtypes = reg.etypes = NULL;
	reg.ptype = NULL;
	reg.nres = reg.nds = reg.neph = 0;
	reg.p = NULL;
	reg.stop = 0;
}

int fw_init(const struct fw_provider *p)
{
	size_t i;
	int r;

	fw_shutdown();
	r = attrs_check("provider", p->attrs, p->rules);
	if (r == 0)
		r = fw_attrs_type(p->attrs, &reg.ptype);
	for (i = 0; r == 0 && p->resources && p->resources[i]; i++)
		;
	reg.nres = i;
	for (i = 0; r == 0 && p->data_sources && p->data_sources[i]; i++)
		;
	reg.nds = r == 0 ? i : 0;
	for (i = 0; r == 0 && p->ephemerals && p->ephemerals[i]; i++)
		;
	reg.neph = r == 0 ? i : 0;
	if (r == 0) {
		reg.rtypes = mem_calloc(reg.nres + 1, sizeof(*reg.rtypes));
		reg.dtypes = mem_calloc(reg.nds + 1, sizeof(*reg.dtypes));
		reg.etypes = mem_calloc(reg.neph + 1, sizeof(*reg.etypes));
		if (!reg.rtypes || !reg.dtypes || !reg.etypes)
			r = ERR_NOMEM;
	}
	for (i = 0; r == 0 && i < reg.nres; i++) {
		const struct fw_resource *res = p->resources[i];

		if (!name_valid(res->type_name) || res->version < 0 || !res->create || !res->read || !res->del) {
			log_error("resource %s: invalid name, version or missing callbacks", res->type_name);
			r = ERR_INVAL;
			break;
		}
		r = attrs_check(res->type_name, res->attrs, res->rules);
		if (r == 0)
			r = fw_attrs_type(res->attrs, &reg.rtypes[i]);
	}
	for (i = 0; r == 0 && i < reg.nds; i++) {
		const struct fw_data_source *ds = p->data_sources[i];

		if (!name_valid(ds->type_name) || !ds->read) {
			r = ERR_INVAL;
			break;
		}
		r = attrs_check(ds->type_name, ds->attrs, ds->rules);
		if (r == 0)
			r = fw_attrs_type(ds->attrs, &reg.dtypes[i]);
	}
	for (i = 0; r == 0 && i < reg.neph; i++) {
		const struct fw_ephemeral *e = p->ephemerals[i];

		if (!name_valid(e->type_name) || !e->open) {
			r = ERR_INVAL;
			break;
		}
		r = attrs_check(e->type_name, e->attrs, e->rules);
		if (r == 0)
			r = fw_attrs_type(e->attrs, &reg.etypes[i]);
	}
	if (r < 0) {
		reg.p = p; /* so that shutdown frees the partial tables */
		fw_shutdown();
		return r;
	}
	reg.p = p;
	return 0;
}

const struct fw_provider *fw_provider(void)
{
	return reg.p;
}

const struct cty_type *fw_provider_type(void)
{
	return reg.ptype;
}

const struct cty_type *fw_resource_type(const struct fw_resource *r)
{
	size_t i;

	for (i = 0; i < reg.nres; i++) {
		if (reg.p->resources[i] == r)
			return reg.rtypes[i];
	}
	return NULL;
}

const struct cty_type *fw_data_source_type(const struct fw_data_source *ds)
{
	size_t i;

	for (i = 0; i < reg.nds; i++) {
		if (reg.p->data_sources[i] == ds)
			return reg.dtypes[i];
	}
	return NULL;
}

const struct cty_type *fw_ephemeral_type(const struct fw_ephemeral *e)
{
	size_t i;

	for (i = 0; i < reg.neph; i++) {
		if (reg.p->ephemerals[i] == e)
			return reg.etypes[i];
	}
	return NULL;
}

const struct fw_ephemeral *fw_find_ephemeral(const char *type_name)
{
	size_t i;

	for (i = 0; type_name && i < reg.neph; i++) {
		if (strcmp(reg.p->ephemerals[i]->type_name, type_name) == 0)
			return reg.p->ephemerals[i];
	}
	return NULL;
}

const struct fw_resource *fw_find_resource(const char *type_name)
{
	size_t i;

	for (i = 0; type_name && i < reg.nres; i++) {
		if (strcmp(reg.p->resources[i]->type_name, type_name) == 0)
			return reg.p->resources[i];
	}
	return NULL;
}

const struct fw_data_source *fw_find_data_source(const char *type_name)
{
	size_t i;

	for (i = 0; type_name && i < reg.nds; i++) {
		if (strcmp(reg.p->data_sources[i]->type_name, type_name) == 0)
			return reg.p->data_sources[i];
	}
	return NULL;
}

void fw_set_provider_data(void *data)
{
	void *old;

	pthread_mutex_lock(&reg.lock);
	old = reg.data;
	reg.data = data;
	pthread_mutex_unlock(&reg.lock);
	if (old && old != data && reg.p && reg.p->release)
		reg.p->release(old);
}

void *fw_provider_data(void)
{
	void *d;

	pthread_mutex_lock(&reg.lock);
	d = reg.data;
	pthread_mutex_unlock(&reg.lock);
	return d;
}

void fw_stop(void)
{
	__atomic_store_n(&reg.stop, 1, __ATOMIC_SEQ_CST);
}

const volatile int *fw_stop_flag(void)
{
	return &reg.stop;
}

int fw_ctx_cancelled(const struct fw_ctx *ctx)
{
	return (ctx->cancel && *ctx->cancel) || (ctx->stop && *ctx->stop);
}

struct cty_type *fw_identity_type(void)
{
	static char id_name[] = "id";
	static char *names[] = { id_name };
	static struct cty_type *elems[] = { &cty_string };
	static struct cty_type t = { .kind = CTY_OBJECT, .n = 1, .names = names, .elems = elems };

	return &t;
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
