/* SPDX-License-Identifier: MIT */
/*
 * fw_reg: a provider registered with the framework (struct fw). Every kind of declaration is
 * described once in fw_kinds[] (where its table is in struct fw_provider, the callbacks it needs,
 * its tfplugin6 names); registration walks the kinds, checks each declaration and builds its cty
 * object type. Identity is a derived kind: one entry per resource with an identity.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "framework/fw.h"

static int check_resource(const struct fw_decl *decl)
{
	const struct fw_resource *r = (const struct fw_resource *)decl;

	return r->version >= 0 && r->create && r->read && r->del ? 0 : ERR_INVAL;
}

static int check_data_source(const struct fw_decl *decl)
{
	return ((const struct fw_data_source *)decl)->read ? 0 : ERR_INVAL;
}

static int check_ephemeral(const struct fw_decl *decl)
{
	return ((const struct fw_ephemeral *)decl)->open ? 0 : ERR_INVAL;
}

static int check_list(const struct fw_decl *decl)
{
	const struct fw_list *l = (const struct fw_list *)decl;

	return l->list && l->resource && strcmp(l->resource->type_name, l->type_name) == 0 ? 0 : ERR_INVAL;
}

const struct fw_kind fw_kinds[FW_NKINDS] = {
	[FW_KIND_RESOURCE] = { "resource", offsetof(struct fw_provider, resources), check_resource,
			       "GetProviderSchema", "resource_schemas", "resources", "ValidateResourceConfig" },
	[FW_KIND_DATA_SOURCE] = { "data source", offsetof(struct fw_provider, data_sources), check_data_source,
				  "GetProviderSchema", "data_source_schemas", "data_sources",
				  "ValidateDataResourceConfig" },
	[FW_KIND_EPHEMERAL] = { "ephemeral resource", offsetof(struct fw_provider, ephemerals), check_ephemeral,
				"GetProviderSchema", "ephemeral_resource_schemas", "ephemeral_resources",
				"ValidateEphemeralResourceConfig" },
	[FW_KIND_LIST] = { "list resource", offsetof(struct fw_provider, lists), check_list, "GetProviderSchema",
			   "list_resource_schemas", "list_resources", "ValidateListResourceConfig" },
	[FW_KIND_IDENTITY] = { "resource identity", offsetof(struct fw_provider, resources), NULL,
			       "GetResourceIdentitySchemas", "identity_schemas", NULL, NULL },
};

/* The default identity: the object's id, which is all an import needs. */
static const struct fw_attr default_identity[] = {
	{ .name = "id", .type = &cty_string, .flags = FW_REQUIRED,
	  .description = "The identifier of the object (the same as its id attribute)." },
	{ 0 },
};

struct fw_entry {
	const struct fw_decl *decl;
	struct cty_type *type;
	struct fw_decl own; /* FW_KIND_IDENTITY: the derived declaration decl points to */
};

/* An ephemeral resource opened and not closed yet, with its private bytes (wiped on free). */
struct fw_open {
	struct fw_open *next;
	const struct fw_ephemeral *e;
	size_t len;
	uint8_t priv[];
};

struct fw {
	const struct fw_provider *p;
	struct fw_open *open; /* under lock */
	struct cty_type *ptype;
	size_t n[FW_NKINDS];
	struct fw_entry *e[FW_NKINDS];
	pthread_mutex_t lock;
	void *data;
	volatile int stop;
};

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

		if (attrs[i].block && (attrs_check(what, attrs[i].block, NULL) < 0 || (f & FW_COMPUTED)))
			return ERR_INVAL;
		if (!name_valid(attrs[i].name) || (!attrs[i].type && !attrs[i].block) ||
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
		if (attrs[i].block) { /* list(object(block attributes)), on the heap */
			struct cty_type *obj;

			r = fw_attrs_type(attrs[i].block, &obj);
			t->elems[i] = r == 0 ? cty_type_collection_new(CTY_LIST, obj) : NULL;
		}
		if (!t->names[i] || !t->elems[i]) {
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

static const struct fw_decl *const *kind_table(const struct fw_provider *p, enum fw_kind_id k)
{
	return *(const struct fw_decl *const *const *)(const void *)((const char *)p + fw_kinds[k].table);
}

/* The identity attributes of a resource: its own, else {id} when it has a string id. */
static const struct fw_attr *identity_attrs(const struct fw_resource *r)
{
	size_t i;

	if (r->identity)
		return r->identity;
	for (i = 0; r->attrs && r->attrs[i].name; i++) {
		if (strcmp(r->attrs[i].name, "id") == 0)
			return r->attrs[i].type == &cty_string ? default_identity : NULL;
	}
	return NULL;
}

static int add_kind(struct fw *fw, enum fw_kind_id k)
{
	const struct fw_decl *const *tab = kind_table(fw->p, k);
	size_t n = 0, i;
	int r = 0;

	while (tab && tab[n])
		n++;
	fw->e[k] = mem_calloc(n + 1, sizeof(*fw->e[k]));
	if (!fw->e[k])
		return ERR_NOMEM;
	for (i = 0; r == 0 && i < n; i++) {
		struct fw_entry *e = &fw->e[k][fw->n[k]];
		const struct fw_decl *d = tab[i];

		if (k == FW_KIND_IDENTITY) {
			e->own.type_name = d->type_name;
			e->own.attrs = identity_attrs((const struct fw_resource *)d);
			if (!e->own.attrs)
				continue;
			d = &e->own;
		} else if (!name_valid(d->type_name) || (fw_kinds[k].check && fw_kinds[k].check(d) < 0)) {
			log_error("%s %s: invalid name, version or missing callbacks", fw_kinds[k].what,
				  d->type_name ? d->type_name : "(null)");
			return ERR_INVAL;
		}
		e->decl = d;
		r = attrs_check(d->type_name, d->attrs, d->rules);
		if (r == 0)
			r = fw_attrs_type(d->attrs, &e->type);
		fw->n[k]++;
	}
	return r;
}

int fw_new(const struct fw_provider *p, struct fw **out)
{
	struct fw *fw = mem_calloc(1, sizeof(*fw));
	int r, k;

	*out = NULL;
	if (!fw)
		return ERR_NOMEM;
	fw->p = p;
	pthread_mutex_init(&fw->lock, NULL);
	r = attrs_check("provider", p->attrs, p->rules);
	if (r == 0)
		r = fw_attrs_type(p->attrs, &fw->ptype);
	for (k = 0; r == 0 && k < FW_NKINDS; k++)
		r = add_kind(fw, (enum fw_kind_id)k);
	if (r < 0) {
		fw_free(fw);
		return r;
	}
	*out = fw;
	return 0;
}

void fw_free(struct fw *fw)
{
	size_t i;
	int k;

	if (!fw)
		return;
	fw_close_leftovers(fw);
	if (fw->p->release && fw->data)
		fw->p->release(fw->data);
	for (k = 0; k < FW_NKINDS; k++) {
		for (i = 0; i < fw->n[k]; i++)
			cty_type_free(fw->e[k][i].type);
		free(fw->e[k]);
	}
	cty_type_free(fw->ptype);
	pthread_mutex_destroy(&fw->lock);
	free(fw);
}

const struct fw_provider *fw_provider(const struct fw *fw)
{
	return fw->p;
}

const struct cty_type *fw_provider_type(const struct fw *fw)
{
	return fw->ptype;
}

size_t fw_count(const struct fw *fw, enum fw_kind_id k)
{
	return fw->n[k];
}

const struct fw_decl *fw_entry(const struct fw *fw, enum fw_kind_id k, size_t i, const struct cty_type **type)
{
	if (i >= fw->n[k])
		return NULL;
	if (type)
		*type = fw->e[k][i].type;
	return fw->e[k][i].decl;
}

const struct fw_decl *fw_find(const struct fw *fw, enum fw_kind_id k, const char *type_name,
			      const struct cty_type **type)
{
	size_t i;

	for (i = 0; fw && type_name && i < fw->n[k]; i++) {
		if (strcmp(fw->e[k][i].decl->type_name, type_name) == 0)
			return fw_entry(fw, k, i, type);
	}
	return NULL;
}

const struct cty_type *fw_decl_type(const struct fw *fw, enum fw_kind_id k, const struct fw_decl *decl)
{
	size_t i;

	for (i = 0; fw && decl && i < fw->n[k]; i++) {
		if (fw->e[k][i].decl == decl)
			return fw->e[k][i].type;
	}
	return NULL;
}

static void open_free(struct fw_open *o)
{
	mem_freezero(o, sizeof(*o) + o->len);
}

void fw_ephemeral_opened(struct fw *fw, const struct fw_ephemeral *e, const uint8_t *priv, size_t len)
{
	struct fw_open *o;

	if (!e->close || !len || !(o = mem_calloc(1, sizeof(*o) + len)))
		return; /* nothing to close later (or no memory: Terraform's Close still works) */
	o->e = e;
	o->len = len;
	memcpy(o->priv, priv, len);
	pthread_mutex_lock(&fw->lock);
	o->next = fw->open;
	fw->open = o;
	pthread_mutex_unlock(&fw->lock);
}

void fw_ephemeral_closed(struct fw *fw, const struct fw_ephemeral *e, const uint8_t *priv, size_t len)
{
	struct fw_open **pp, *o = NULL;

	pthread_mutex_lock(&fw->lock);
	for (pp = &fw->open; *pp; pp = &(*pp)->next) {
		if ((*pp)->e == e && (*pp)->len == len && memcmp((*pp)->priv, priv, len) == 0) {
			o = *pp;
			*pp = o->next;
			break;
		}
	}
	pthread_mutex_unlock(&fw->lock);
	if (o)
		open_free(o);
}

void fw_close_leftovers(struct fw *fw)
{
	struct fw_open *o;
	struct fw_diags d;
	struct fw_ctx ctx;

	for (;;) {
		pthread_mutex_lock(&fw->lock);
		o = fw->open;
		if (o)
			fw->open = o->next;
		pthread_mutex_unlock(&fw->lock);
		if (!o)
			return;
		fw_diags_init(&d);
		fw_ctx_init(&ctx, fw, NULL);
		ctx.stop = NULL; /* a StopProvider must not keep the cleanup from running */
		log_kv(LOG_WARN, "Closing an ephemeral resource Terraform left open", "tf_resource_type", o->e->type_name,
		       NULL);
		o->e->close(&ctx, o->priv, o->len, &d);
		if (fw_diags_has_error(&d))
			log_kv(LOG_ERROR, "Closing a left-open ephemeral resource failed", "tf_resource_type",
			       o->e->type_name, "error", d.v[0].summary, NULL);
		fw_diags_release(&d);
		open_free(o);
	}
}

void fw_set_provider_data(struct fw *fw, void *data)
{
	void *old;

	pthread_mutex_lock(&fw->lock);
	old = fw->data;
	fw->data = data;
	pthread_mutex_unlock(&fw->lock);
	if (old && old != data && fw->p->release)
		fw->p->release(old);
}

void *fw_provider_data(struct fw *fw)
{
	void *d;

	pthread_mutex_lock(&fw->lock);
	d = fw->data;
	pthread_mutex_unlock(&fw->lock);
	return d;
}

void fw_stop(struct fw *fw)
{
	__atomic_store_n(&fw->stop, 1, __ATOMIC_SEQ_CST);
}

const volatile int *fw_stop_flag(const struct fw *fw)
{
	return &fw->stop;
}

void fw_ctx_init(struct fw_ctx *ctx, struct fw *fw, const volatile int *cancel)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->fw = fw;
	ctx->cancel = cancel;
	ctx->stop = fw_stop_flag(fw);
	ctx->provider_data = fw_provider_data(fw);
}

int fw_ctx_cancelled(const struct fw_ctx *ctx)
{
	return (ctx->cancel && *ctx->cancel) || (ctx->stop && *ctx->stop);
}

int fw_list_emit(struct fw_list_out *out, const struct cty_value *state, const char *display_name)
{
	int r;

	if (out->limit > 0 && out->count >= out->limit)
		return 1;
	r = out->emit(out, state, display_name);
	if (r < 0)
		return r;
	out->count++;
	return out->limit > 0 && out->count >= out->limit ? 1 : 0;
}

int fw_identity_of(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *state,
		   struct cty_value *identity)
{
	const struct cty_type *t = NULL;
	const struct fw_decl *idd = fw_find(ctx->fw, FW_KIND_IDENTITY, r->type_name, &t);
	size_t i;
	int rc;

	cty_value_null(identity, t ? t : &cty_dynamic);
	if (!idd || state->st != CTY_KNOWN)
		return 0;
	rc = cty_value_object(identity, t);
	for (i = 0; rc == 0 && idd->attrs[i].name; i++) {
		const struct cty_value *v = cty_object_attr(state, idd->attrs[i].name);

		if (!v || v->st == CTY_NULL) {
			/* no id yet: no identity (an unknown id, as in a create plan, gives an unknown one) */
			cty_value_release(identity);
			cty_value_null(identity, t);
			return 0;
		}
		rc = fw_set_value(identity, idd->attrs[i].name, v);
	}
	if (rc < 0) {
		cty_value_release(identity);
		cty_value_null(identity, t);
	}
	return rc;
}

int fw_generate_config(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *state,
		       struct cty_value *config, struct fw_diags *d)
{
	const struct cty_type *t = fw_resource_type(ctx->fw, r);
	size_t i;
	int rc;

	cty_value_null(config, t);
	if (state->st != CTY_KNOWN || !cty_value_wholly_known(state)) {
		fw_error(d, NULL, "Invalid state", "A configuration for %s can only be generated from a known state.",
			 r->type_name);
		return ERR_INVAL;
	}
	rc = cty_value_copy(config, state);
	for (i = 0; rc == 0 && r->attrs[i].name; i++) {
		unsigned f = r->attrs[i].flags;

		if ((f & FW_WRITE_ONLY) || (f & (FW_COMPUTED | FW_OPTIONAL | FW_REQUIRED)) == FW_COMPUTED)
			rc = fw_set_null(config, r->attrs[i].name);
	}
	if (rc == 0 && r->generate_config)
		rc = r->generate_config(ctx, state, config, d);
	if (rc < 0 || fw_diags_has_error(d)) {
		cty_value_release(config);
		cty_value_null(config, t);
		return rc < 0 ? rc : ERR_INVAL;
	}
	return 0;
}
