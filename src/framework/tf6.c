/* SPDX-License-Identifier: MIT */
/*
 * tf6: the tfplugin6 Provider service on top of the framework. Each RPC request is unpacked with
 * protobuf-c (through an allocator that wipes memory on free: configs and states carry secrets),
 * its DynamicValues are decoded with the schema's cty type, the framework does the work, and the
 * response (msgpack values, diagnostics with attribute paths) is built in a per-call arena and
 * packed into call->resp. RPCs for features this provider does not offer (ephemeral and list
 * resources, actions, state stores, functions, moves, config generation) answer a clear error
 * diagnostic; streaming and client-streaming ones answer ERR_UNSUPPORTED (gRPC UNIMPLEMENTED).
 * tf6_init() lives in the provider layer, which owns the provider definition and calls fw_init().
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "framework/fw.h"
#include "framework/tf6.h"
#include "tfplugin6.pb-c.h"

#define VALUE_MAX (256u << 20) /* msgpack of one value; terraform-plugin-go's message cap */

/* ---- memory: an arena for responses, a wiping allocator for requests ---- */

struct ablk {
	struct ablk *next;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct ablk *head;
	int oom;
};

static void *ar_alloc(struct arena *a, size_t n)
{
	struct ablk *b;

	if (n > SIZE_MAX - sizeof(*b)) {
		a->oom = 1;
		return NULL;
	}
	b = calloc(1, sizeof(*b) + n);
	if (!b) {
		a->oom = 1;
		return NULL;
	}
	b->size = n;
	b->next = a->head;
	a->head = b;
	return b->data;
}

static char *ar_strdup(struct arena *a, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *p = ar_alloc(a, n + 1);

	if (p && n)
		memcpy(p, s, n);
	return p;
}

static void ar_free(struct arena *a)
{
	while (a->head) {
		struct ablk *b = a->head;

		a->head = b->next;
		mem_freezero(b, sizeof(*b) + b->size);
	}
}

static void *pb_alloc(void *ad, size_t n)
{
	size_t *p;

	if (n > SIZE_MAX - sizeof(max_align_t))
		return NULL;
	p = malloc(sizeof(max_align_t) + n);
	if (!p)
		return NULL;
	*p = n;
	return (unsigned char *)p + sizeof(max_align_t);
}

static void pb_free(void *ad, void *ptr)
{
	unsigned char *p;

	if (!ptr)
		return;
	p = (unsigned char *)ptr - sizeof(max_align_t);
	mem_freezero(p, sizeof(max_align_t) + *(size_t *)(void *)p);
}

static ProtobufCAllocator wiping_allocator = { .alloc = pb_alloc, .free = pb_free };

static ProtobufCMessage *unpack(const ProtobufCMessageDescriptor *desc, const struct tf6_call *call)
{
	return protobuf_c_message_unpack(desc, &wiping_allocator, call->req_len, call->req);
}

static void unpack_free(ProtobufCMessage *m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, &wiping_allocator);
}

static int pack(struct tf6_call *call, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	int r = buf_reserve(call->resp, n);

	if (r < 0)
		return r;
	protobuf_c_message_pack(m, (uint8_t *)call->resp->data + call->resp->len);
	call->resp->len += n;
	call->resp->data[call->resp->len] = '\0';
	return 0;
}

/* ---- values and diagnostics ---- */

/* Decode a DynamicValue (missing = null). A malformed value becomes an error diagnostic. */
static int dv_decode(const Tfplugin6__DynamicValue *dv, const struct cty_type *t, struct cty_value *out,
		     const char *what, struct fw_diags *d)
{
	const char *why = NULL;
	int r;

	cty_value_null(out, t);
	if (!dv || (dv->msgpack.len == 0 && dv->json.len == 0))
		return 0;
	if (dv->msgpack.len)
		r = cty_msgpack_decode(dv->msgpack.data, dv->msgpack.len, t, out, &why);
	else
		r = cty_json_decode((const char *)dv->json.data, dv->json.len, t, out, &why);
	if (r < 0)
		fw_error(d, NULL, "Invalid value from Terraform", "The %s could not be decoded: %s.", what,
			 why ? why : err_str(r));
	return r;
}

static Tfplugin6__DynamicValue *dv_encode(struct arena *a, const struct cty_value *v, const struct cty_type *t,
					  struct fw_diags *d)
{
	Tfplugin6__DynamicValue *dv = ar_alloc(a, sizeof(*dv));
	struct buf b;
	int r;

	if (!dv)
		return NULL;
	tfplugin6__dynamic_value__init(dv);
	buf_init_secret(&b, VALUE_MAX);
	r = cty_msgpack_encode(v, t, &b);
	if (r == 0) {
		dv->msgpack.data = ar_alloc(a, b.len ? b.len : 1);
		if (dv->msgpack.data) {
			memcpy(dv->msgpack.data, b.data, b.len);
			dv->msgpack.len = b.len;
		}
	} else {
		fw_error(d, NULL, "Provider error", "A value could not be encoded: %s.", err_str(r));
	}
	buf_release(&b);
	return dv;
}

static Tfplugin6__AttributePath *path_pb(struct arena *a, const struct fw_step *steps, size_t n)
{
	Tfplugin6__AttributePath *p = ar_alloc(a, sizeof(*p));
	size_t i;

	if (!p)
		return NULL;
	tfplugin6__attribute_path__init(p);
	p->steps = ar_alloc(a, (n ? n : 1) * sizeof(*p->steps));
	if (!p->steps)
		return p;
	for (i = 0; i < n; i++) {
		Tfplugin6__AttributePath__Step *s = ar_alloc(a, sizeof(*s));

		if (!s)
			return p;
		tfplugin6__attribute_path__step__init(s);
		switch (steps[i].kind) {
		case FW_STEP_ATTR:
			s->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
			s->attribute_name = ar_strdup(a, steps[i].name);
			break;
		case FW_STEP_KEY:
			s->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
			s->element_key_string = ar_strdup(a, steps[i].name);
			break;
		case FW_STEP_INDEX:
			s->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
			s->element_key_int = steps[i].index;
			break;
		}
		p->steps[p->n_steps++] = s;
	}
	return p;
}

static Tfplugin6__Diagnostic **diags_pb(struct arena *a, const struct fw_diags *d, size_t *n)
{
	Tfplugin6__Diagnostic **v;
	size_t i, total = d->n + (d->lost ? 1 : 0);

	*n = 0;
	if (!total)
		return NULL;
	v = ar_alloc(a, total * sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < total; i++) {
		Tfplugin6__Diagnostic *g = ar_alloc(a, sizeof(*g));

		if (!g)
			break;
		tfplugin6__diagnostic__init(g);
		if (i == d->n) {
			g->severity = TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR;
			g->summary = ar_strdup(a, "Provider out of memory");
			g->detail = ar_strdup(a, "Some diagnostics could not be recorded.");
		} else {
			g->severity = d->v[i].severity == FW_WARNING ? TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING
								     : TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR;
			g->summary = ar_strdup(a, d->v[i].summary);
			g->detail = ar_strdup(a, d->v[i].detail ? d->v[i].detail : "");
			if (d->v[i].npath)
				g->attribute = path_pb(a, d->v[i].path, d->v[i].npath);
		}
		if (!g->summary || !g->detail)
			break;
		v[(*n)++] = g;
	}
	return v;
}

static void ctx_init(struct fw_ctx *ctx, const struct tf6_call *call)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cancel = call->cancel;
	ctx->stop = fw_stop_flag();
	ctx->provider_data = fw_provider_data();
}

/* ---- schemas ---- */

static Tfplugin6__Schema *schema_pb(struct arena *a, const struct fw_attr *attrs, int64_t version,
				    const char *description)
{
	Tfplugin6__Schema *s = ar_alloc(a, sizeof(*s));
	Tfplugin6__Schema__Block *b = ar_alloc(a, sizeof(*b));
	size_t n = 0, i;

	if (!s || !b)
		return NULL;
	tfplugin6__schema__init(s);
	tfplugin6__schema__block__init(b);
	s->version = version;
	s->block = b;
	b->version = version;
	b->description = ar_strdup(a, description ? description : "");
	while (attrs && attrs[n].name)
		n++;
	b->attributes = ar_alloc(a, (n ? n : 1) * sizeof(*b->attributes));
	if (!b->attributes || !b->description)
		return NULL;
	for (i = 0; i < n; i++) {
		Tfplugin6__Schema__Attribute *at = ar_alloc(a, sizeof(*at));
		struct buf tj;

		if (!at)
			return NULL;
		tfplugin6__schema__attribute__init(at);
		at->name = ar_strdup(a, attrs[i].name);
		at->description = ar_strdup(a, attrs[i].description ? attrs[i].description : "");
		at->required = (attrs[i].flags & FW_REQUIRED) != 0;
		at->optional = (attrs[i].flags & FW_OPTIONAL) != 0;
		at->computed = (attrs[i].flags & FW_COMPUTED) != 0;
		at->sensitive = (attrs[i].flags & FW_SENSITIVE) != 0;
		at->write_only = (attrs[i].flags & FW_WRITE_ONLY) != 0;
		buf_init(&tj, 1 << 16);
		if (cty_type_to_json(attrs[i].type, &tj) == 0) {
			at->type.data = ar_alloc(a, tj.len);
			if (at->type.data) {
				memcpy(at->type.data, tj.data, tj.len);
				at->type.len = tj.len;
			}
		}
		buf_release(&tj);
		if (!at->name || !at->description || !at->type.len)
			return NULL;
		b->attributes[b->n_attributes++] = at;
	}
	return s;
}

static int has_id(const struct fw_resource *r)
{
	const struct cty_type *t = fw_resource_type(r);
	long i = cty_type_attr_index(t, "id");

	return i >= 0 && t->elems[i]->kind == CTY_STRING;
}

/* ---- identity: {id = <the id attribute>} for every resource with a string id ---- */

static Tfplugin6__ResourceIdentityData *identity_pb(struct arena *a, const struct fw_resource *r,
						    const struct cty_value *state, struct fw_diags *d)
{
	Tfplugin6__ResourceIdentityData *idd;
	struct cty_value idv;
	struct cty_value *sv;

	if (!has_id(r) || state->st != CTY_KNOWN)
		return NULL;
	sv = cty_object_attr(state, "id");
	if (!sv || sv->st == CTY_NULL)
		return NULL;
	if (cty_value_object(&idv, fw_identity_type()) < 0 || cty_value_copy(&idv.items[0], sv) < 0) {
		cty_value_release(&idv);
		return NULL;
	}
	idd = ar_alloc(a, sizeof(*idd));
	if (idd) {
		tfplugin6__resource_identity_data__init(idd);
		idd->identity_data = dv_encode(a, &idv, fw_identity_type(), d);
	}
	cty_value_release(&idv);
	return idd;
}

/* ---- handlers ---- */

static int h_get_metadata(struct tf6_call *call, struct arena *a)
{
	const struct fw_provider *p = fw_provider();
	Tfplugin6__GetMetadata__Response resp;
	Tfplugin6__ServerCapabilities caps;
	size_t i, n;

	tfplugin6__get_metadata__response__init(&resp);
	tfplugin6__server_capabilities__init(&caps);
	caps.plan_destroy = 1;
	caps.get_provider_schema_optional = 1;
	resp.server_capabilities = &caps;
	for (n = 0; p->resources && p->resources[n]; n++)
		;
	resp.resources = ar_alloc(a, (n + 1) * sizeof(*resp.resources));
	for (i = 0; resp.resources && i < n; i++) {
		Tfplugin6__GetMetadata__ResourceMetadata *m = ar_alloc(a, sizeof(*m));

		if (!m)
			break;
		tfplugin6__get_metadata__resource_metadata__init(m);
		m->type_name = ar_strdup(a, p->resources[i]->type_name);
		resp.resources[resp.n_resources++] = m;
	}
	for (n = 0; p->data_sources && p->data_sources[n]; n++)
		;
	resp.data_sources = ar_alloc(a, (n + 1) * sizeof(*resp.data_sources));
	for (i = 0; resp.data_sources && i < n; i++) {
		Tfplugin6__GetMetadata__DataSourceMetadata *m = ar_alloc(a, sizeof(*m));

		if (!m)
			break;
		tfplugin6__get_metadata__data_source_metadata__init(m);
		m->type_name = ar_strdup(a, p->data_sources[i]->type_name);
		resp.data_sources[resp.n_data_sources++] = m;
	}
	return a->oom ? ERR_NOMEM : pack(call, &resp.base);
}

static int h_get_provider_schema(struct tf6_call *call, struct arena *a)
{
	const struct fw_provider *p = fw_provider();
	Tfplugin6__GetProviderSchema__Response resp;
	Tfplugin6__ServerCapabilities caps;
	size_t i, n;

	tfplugin6__get_provider_schema__response__init(&resp);
	tfplugin6__server_capabilities__init(&caps);
	caps.plan_destroy = 1;
	caps.get_provider_schema_optional = 1;
	resp.server_capabilities = &caps;
	resp.provider = schema_pb(a, p->attrs, 0, p->description);
	for (n = 0; p->resources && p->resources[n]; n++)
		;
	resp.resource_schemas = ar_alloc(a, (n + 1) * sizeof(*resp.resource_schemas));
	for (i = 0; resp.resource_schemas && i < n; i++) {
		Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *e = ar_alloc(a, sizeof(*e));
		const struct fw_resource *r = p->resources[i];

		if (!e)
			break;
		tfplugin6__get_provider_schema__response__resource_schemas_entry__init(e);
		e->key = ar_strdup(a, r->type_name);
		e->value = schema_pb(a, r->attrs, r->version, r->description);
		resp.resource_schemas[resp.n_resource_schemas++] = e;
	}
	for (n = 0; p->data_sources && p->data_sources[n]; n++)
		;
	resp.data_source_schemas = ar_alloc(a, (n + 1) * sizeof(*resp.data_source_schemas));
	for (i = 0; resp.data_source_schemas && i < n; i++) {
		Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry *e = ar_alloc(a, sizeof(*e));
		const struct fw_data_source *ds = p->data_sources[i];

		if (!e)
			break;
		tfplugin6__get_provider_schema__response__data_source_schemas_entry__init(e);
		e->key = ar_strdup(a, ds->type_name);
		e->value = schema_pb(a, ds->attrs, 0, ds->description);
		resp.data_source_schemas[resp.n_data_source_schemas++] = e;
	}
	if (a->oom || !resp.provider)
		return ERR_NOMEM;
	return pack(call, &resp.base);
}

static int h_get_resource_identity_schemas(struct tf6_call *call, struct arena *a)
{
	const struct fw_provider *p = fw_provider();
	Tfplugin6__GetResourceIdentitySchemas__Response resp;
	size_t i, n;

	tfplugin6__get_resource_identity_schemas__response__init(&resp);
	for (n = 0; p->resources && p->resources[n]; n++)
		;
	resp.identity_schemas = ar_alloc(a, (n + 1) * sizeof(*resp.identity_schemas));
	for (i = 0; resp.identity_schemas && i < n; i++) {
		Tfplugin6__GetResourceIdentitySchemas__Response__IdentitySchemasEntry *e;
		Tfplugin6__ResourceIdentitySchema *s;
		Tfplugin6__ResourceIdentitySchema__IdentityAttribute *at;

		if (!has_id(p->resources[i]))
			continue;
		e = ar_alloc(a, sizeof(*e));
		s = ar_alloc(a, sizeof(*s));
		at = ar_alloc(a, sizeof(*at));
		if (!e || !s || !at)
			break;
		tfplugin6__get_resource_identity_schemas__response__identity_schemas_entry__init(e);
		tfplugin6__resource_identity_schema__init(s);
		tfplugin6__resource_identity_schema__identity_attribute__init(at);
		at->name = ar_strdup(a, "id");
		at->type.data = (uint8_t *)ar_strdup(a, "\"string\"");
		at->type.len = 8;
		at->required_for_import = 1;
		at->description = ar_strdup(a, "The identifier of the object (the same as the id attribute).");
		s->identity_attributes = ar_alloc(a, sizeof(*s->identity_attributes));
		if (!s->identity_attributes)
			break;
		s->identity_attributes[0] = at;
		s->n_identity_attributes = 1;
		e->key = ar_strdup(a, p->resources[i]->type_name);
		e->value = s;
		resp.identity_schemas[resp.n_identity_schemas++] = e;
	}
	return a->oom ? ERR_NOMEM : pack(call, &resp.base);
}

static int h_get_functions(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__GetFunctions__Response resp;

	tfplugin6__get_functions__response__init(&resp);
	return pack(call, &resp.base);
}

static int h_stop_provider(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__StopProvider__Response resp;

	fw_stop();
	log_info("StopProvider: cancelling in-flight operations");
	tfplugin6__stop_provider__response__init(&resp);
	return pack(call, &resp.base);
}

static int h_validate_provider_config(struct tf6_call *call, struct arena *a)
{
	const struct fw_provider *p = fw_provider();
	Tfplugin6__ValidateProviderConfig__Request *req;
	Tfplugin6__ValidateProviderConfig__Response resp;
	struct cty_value config;
	struct fw_diags d;
	struct fw_ctx ctx;
	int r;

	req = (Tfplugin6__ValidateProviderConfig__Request *)unpack(&tfplugin6__validate_provider_config__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	if (dv_decode(req->config, fw_provider_type(), &config, "provider configuration", &d) == 0) {
		fw_validate_config(&ctx, p->attrs, p->rules, &config, &d);
		if (p->validate && config.st == CTY_KNOWN)
			p->validate(&ctx, &config, &d);
	}
	tfplugin6__validate_provider_config__response__init(&resp);
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&config);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static int h_configure_provider(struct tf6_call *call, struct arena *a)
{
	const struct fw_provider *p = fw_provider();
	Tfplugin6__ConfigureProvider__Request *req;
	Tfplugin6__ConfigureProvider__Response resp;
	struct cty_value config;
	struct fw_diags d;
	struct fw_ctx ctx;
	void *data = NULL;
	int r;

	req = (Tfplugin6__ConfigureProvider__Request *)unpack(&tfplugin6__configure_provider__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	ctx.terraform_version = req->terraform_version;
	if (dv_decode(req->config, fw_provider_type(), &config, "provider configuration", &d) == 0 && p->configure) {
		r = p->configure(&ctx, &config, &data, &d);
		if (r == 0 && !fw_diags_has_error(&d))
			fw_set_provider_data(data);
		else if (data && p->release)
			p->release(data);
	}
	tfplugin6__configure_provider__response__init(&resp);
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&config);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static const struct fw_resource *resource_or_diag(const char *type_name, struct fw_diags *d)
{
	const struct fw_resource *r = fw_find_resource(type_name);

	if (!r)
		fw_error(d, NULL, "Unknown resource type", "This provider has no resource type \"%s\".",
			 type_name ? type_name : "");
	return r;
}

static int h_validate_resource_config(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__ValidateResourceConfig__Request *req;
	Tfplugin6__ValidateResourceConfig__Response resp;
	const struct fw_resource *res;
	struct cty_value config;
	struct fw_diags d;
	struct fw_ctx ctx;
	int r;

	req = (Tfplugin6__ValidateResourceConfig__Request *)unpack(&tfplugin6__validate_resource_config__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	cty_value_null(&config, &cty_dynamic);
	res = resource_or_diag(req->type_name, &d);
	if (res && dv_decode(req->config, fw_resource_type(res), &config, "resource configuration", &d) == 0) {
		fw_validate_config(&ctx, res->attrs, res->rules, &config, &d);
		if (res->validate && config.st == CTY_KNOWN)
			res->validate(&ctx, &config, &d);
	}
	tfplugin6__validate_resource_config__response__init(&resp);
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&config);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static const struct fw_data_source *data_source_or_diag(const char *type_name, struct fw_diags *d)
{
	const struct fw_data_source *ds = fw_find_data_source(type_name);

	if (!ds)
		fw_error(d, NULL, "Unknown data source", "This provider has no data source \"%s\".",
			 type_name ? type_name : "");
	return ds;
}

static int h_validate_data_resource_config(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__ValidateDataResourceConfig__Request *req;
	Tfplugin6__ValidateDataResourceConfig__Response resp;
	const struct fw_data_source *ds;
	struct cty_value config;
	struct fw_diags d;
	struct fw_ctx ctx;
	int r;

	req = (Tfplugin6__ValidateDataResourceConfig__Request *)unpack(
		&tfplugin6__validate_data_resource_config__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	cty_value_null(&config, &cty_dynamic);
	ds = data_source_or_diag(req->type_name, &d);
	if (ds && dv_decode(req->config, fw_data_source_type(ds), &config, "data source configuration", &d) == 0) {
		fw_validate_config(&ctx, ds->attrs, ds->rules, &config, &d);
		if (ds->validate && config.st == CTY_KNOWN)
			ds->validate(&ctx, &config, &d);
	}
	tfplugin6__validate_data_resource_config__response__init(&resp);
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&config);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static int h_upgrade_resource_state(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__UpgradeResourceState__Request *req;
	Tfplugin6__UpgradeResourceState__Response resp;
	const struct fw_resource *res;
	struct cty_value state;
	struct fw_diags d;
	struct fw_ctx ctx;
	int r;

	req = (Tfplugin6__UpgradeResourceState__Request *)unpack(&tfplugin6__upgrade_resource_state__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	cty_value_null(&state, &cty_dynamic);
	tfplugin6__upgrade_resource_state__response__init(&resp);
	res = resource_or_diag(req->type_name, &d);
	if (res && req->raw_state && req->raw_state->n_flatmap && !req->raw_state->json.len) {
		fw_error(&d, NULL, "Unsupported state format", "State in the pre-0.12 flatmap format cannot be upgraded "
			 "by this provider; refresh it with Terraform 0.12 or later first.");
	} else if (res) {
		const char *json = req->raw_state ? (const char *)req->raw_state->json.data : "";
		size_t len = req->raw_state ? req->raw_state->json.len : 0;

		if (fw_upgrade(&ctx, res, req->version, len ? json : "null", len ? len : 4, &state, &d) == 0)
			resp.upgraded_state = dv_encode(a, &state, fw_resource_type(res), &d);
	}
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&state);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static int h_upgrade_resource_identity(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__UpgradeResourceIdentity__Request *req;
	Tfplugin6__UpgradeResourceIdentity__Response resp;
	const struct fw_resource *res;
	struct cty_value idv;
	struct fw_diags d;
	const char *why = NULL;
	int r;

	req = (Tfplugin6__UpgradeResourceIdentity__Request *)unpack(
		&tfplugin6__upgrade_resource_identity__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	cty_value_null(&idv, fw_identity_type());
	tfplugin6__upgrade_resource_identity__response__init(&resp);
	res = resource_or_diag(req->type_name, &d);
	if (res && (!has_id(res) || req->version != 0)) {
		fw_error(&d, NULL, "Unsupported identity", "Resource %s has identity schema version 0 with one attribute, "
			 "\"id\".", res->type_name);
	} else if (res) {
		const char *json = req->raw_identity ? (const char *)req->raw_identity->json.data : NULL;
		size_t len = req->raw_identity ? req->raw_identity->json.len : 0;

		if (!json || cty_json_decode(json, len, fw_identity_type(), &idv, &why) < 0 ||
		    !cty_object_attr(&idv, "id") || cty_object_attr(&idv, "id")->st != CTY_KNOWN) {
			fw_error(&d, NULL, "Invalid stored identity", "The identity could not be read%s%s.",
				 why ? ": " : "", why ? why : "");
		} else {
			resp.upgraded_identity = ar_alloc(a, sizeof(*resp.upgraded_identity));
			if (resp.upgraded_identity) {
				tfplugin6__resource_identity_data__init(resp.upgraded_identity);
				resp.upgraded_identity->identity_data = dv_encode(a, &idv, fw_identity_type(), &d);
			}
		}
	}
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&idv);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static int h_read_resource(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__ReadResource__Request *req;
	Tfplugin6__ReadResource__Response resp;
	const struct fw_resource *res;
	struct cty_value cur, out;
	struct fw_diags d;
	struct fw_ctx ctx;
	int r;

	req = (Tfplugin6__ReadResource__Request *)unpack(&tfplugin6__read_resource__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	cty_value_null(&cur, &cty_dynamic);
	cty_value_null(&out, &cty_dynamic);
	tfplugin6__read_resource__response__init(&resp);
	res = resource_or_diag(req->type_name, &d);
	if (res && dv_decode(req->current_state, fw_resource_type(res), &cur, "current state", &d) == 0) {
		fw_read(&ctx, res, &cur, &out, &d);
		resp.new_state = dv_encode(a, &out, fw_resource_type(res), &d);
		resp.new_identity = identity_pb(a, res, &out, &d);
		resp.private_ = req->private_; /* opaque: round-trips */
	}
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&cur);
	cty_value_release(&out);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static int h_plan_resource_change(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__PlanResourceChange__Request *req;
	Tfplugin6__PlanResourceChange__Response resp;
	const struct fw_resource *res;
	struct cty_value prior, proposed, config, planned;
	struct fw_replace rep = { 0 };
	struct fw_diags d;
	struct fw_ctx ctx;
	const struct cty_type *t;
	size_t i;
	int r;

	req = (Tfplugin6__PlanResourceChange__Request *)unpack(&tfplugin6__plan_resource_change__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	cty_value_null(&prior, &cty_dynamic);
	cty_value_null(&proposed, &cty_dynamic);
	cty_value_null(&config, &cty_dynamic);
	cty_value_null(&planned, &cty_dynamic);
	tfplugin6__plan_resource_change__response__init(&resp);
	res = resource_or_diag(req->type_name, &d);
	t = res ? fw_resource_type(res) : NULL;
	if (res && dv_decode(req->prior_state, t, &prior, "prior state", &d) == 0 &&
	    dv_decode(req->proposed_new_state, t, &proposed, "proposed new state", &d) == 0 &&
	    dv_decode(req->config, t, &config, "configuration", &d) == 0) {
		if (fw_plan(&ctx, res, &prior, &proposed, &config, &planned, &rep, &d) == 0 || planned.st == CTY_KNOWN ||
		    proposed.st != CTY_KNOWN) {
			resp.planned_state = dv_encode(a, &planned, t, &d);
			resp.planned_identity = identity_pb(a, res, &planned, &d);
		}
		resp.requires_replace = ar_alloc(a, (rep.n + 1) * sizeof(*resp.requires_replace));
		for (i = 0; resp.requires_replace && i < rep.n; i++) {
			struct fw_step st = { .kind = FW_STEP_ATTR, .name = (char *)(uintptr_t)rep.attrs[i] };

			resp.requires_replace[resp.n_requires_replace++] = path_pb(a, &st, 1);
		}
		resp.planned_private = req->prior_private;
	}
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&prior);
	cty_value_release(&proposed);
	cty_value_release(&config);
	cty_value_release(&planned);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static int h_apply_resource_change(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__ApplyResourceChange__Request *req;
	Tfplugin6__ApplyResourceChange__Response resp;
	const struct fw_resource *res;
	struct cty_value prior, planned, config, out;
	struct fw_diags d;
	struct fw_ctx ctx;
	const struct cty_type *t;
	int r;

	req = (Tfplugin6__ApplyResourceChange__Request *)unpack(&tfplugin6__apply_resource_change__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	cty_value_null(&prior, &cty_dynamic);
	cty_value_null(&planned, &cty_dynamic);
	cty_value_null(&config, &cty_dynamic);
	cty_value_null(&out, &cty_dynamic);
	tfplugin6__apply_resource_change__response__init(&resp);
	res = resource_or_diag(req->type_name, &d);
	t = res ? fw_resource_type(res) : NULL;
	if (res && dv_decode(req->prior_state, t, &prior, "prior state", &d) == 0 &&
	    dv_decode(req->planned_state, t, &planned, "planned state", &d) == 0 &&
	    dv_decode(req->config, t, &config, "configuration", &d) == 0) {
		fw_apply(&ctx, res, &prior, &planned, &config, &out, &d);
		resp.new_state = dv_encode(a, &out, t, &d);
		resp.new_identity = identity_pb(a, res, &out, &d);
		resp.private_ = req->planned_private;
	}
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&prior);
	cty_value_release(&planned);
	cty_value_release(&config);
	cty_value_release(&out);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static int h_import_resource_state(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__ImportResourceState__Request *req;
	Tfplugin6__ImportResourceState__Response resp;
	const struct fw_resource *res;
	struct cty_value state, idv;
	struct fw_diags d;
	struct fw_ctx ctx;
	const char *id;
	int r;

	req = (Tfplugin6__ImportResourceState__Request *)unpack(&tfplugin6__import_resource_state__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	cty_value_null(&state, &cty_dynamic);
	cty_value_null(&idv, fw_identity_type());
	tfplugin6__import_resource_state__response__init(&resp);
	res = resource_or_diag(req->type_name, &d);
	id = req->id;
	if (res && (!id || !*id) && req->identity) {
		/* import by identity (Terraform >= 1.12) */
		if (dv_decode(req->identity->identity_data, fw_identity_type(), &idv, "identity", &d) == 0)
			id = fw_get_string(&idv, "id");
	}
	if (res && (!id || !*id)) {
		fw_error(&d, NULL, "Missing import identifier", "Importing %s needs its id.", res->type_name);
	} else if (res && fw_import(&ctx, res, id, &state, &d) == 0) {
		Tfplugin6__ImportResourceState__ImportedResource *ir = ar_alloc(a, sizeof(*ir));

		resp.imported_resources = ar_alloc(a, sizeof(*resp.imported_resources));
		if (ir && resp.imported_resources) {
			tfplugin6__import_resource_state__imported_resource__init(ir);
			ir->type_name = ar_strdup(a, res->type_name);
			ir->state = dv_encode(a, &state, fw_resource_type(res), &d);
			ir->identity = identity_pb(a, res, &state, &d);
			resp.imported_resources[0] = ir;
			resp.n_imported_resources = 1;
		}
	}
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = a->oom ? ERR_NOMEM : pack(call, &resp.base);
	cty_value_release(&state);
	cty_value_release(&idv);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

static int h_read_data_source(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__ReadDataSource__Request *req;
	Tfplugin6__ReadDataSource__Response resp;
	const struct fw_data_source *ds;
	struct cty_value config, state;
	struct fw_diags d;
	struct fw_ctx ctx;
	int r;

	req = (Tfplugin6__ReadDataSource__Request *)unpack(&tfplugin6__read_data_source__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	fw_diags_init(&d);
	ctx_init(&ctx, call);
	cty_value_null(&config, &cty_dynamic);
	cty_value_null(&state, &cty_dynamic);
	tfplugin6__read_data_source__response__init(&resp);
	ds = data_source_or_diag(req->type_name, &d);
	if (ds && dv_decode(req->config, fw_data_source_type(ds), &config, "data source configuration", &d) == 0 &&
	    fw_read_data(&ctx, ds, &config, &state, &d) == 0)
		resp.state = dv_encode(a, &state, fw_data_source_type(ds), &d);
	resp.diagnostics = diags_pb(a, &d, &resp.n_diagnostics);
	r = pack(call, &resp.base);
	cty_value_release(&config);
	cty_value_release(&state);
	fw_diags_release(&d);
	unpack_free(&req->base);
	return r;
}

/* ---- features this provider does not have: a response with one error diagnostic ---- */

struct unsupported {
	const char *method;
	const ProtobufCMessageDescriptor *resp;
	const char *what;
};

static const struct unsupported unsupported[] = {
	{ "ValidateEphemeralResourceConfig", &tfplugin6__validate_ephemeral_resource_config__response__descriptor,
	  "Ephemeral resources" },
	{ "OpenEphemeralResource", &tfplugin6__open_ephemeral_resource__response__descriptor, "Ephemeral resources" },
	{ "RenewEphemeralResource", &tfplugin6__renew_ephemeral_resource__response__descriptor, "Ephemeral resources" },
	{ "CloseEphemeralResource", &tfplugin6__close_ephemeral_resource__response__descriptor, "Ephemeral resources" },
	{ "ValidateListResourceConfig", &tfplugin6__validate_list_resource_config__response__descriptor,
	  "List resources" },
	{ "MoveResourceState", &tfplugin6__move_resource_state__response__descriptor, "Moving state across resource types" },
	{ "GenerateResourceConfig", &tfplugin6__generate_resource_config__response__descriptor,
	  "Generating resource configuration" },
	{ "ValidateStateStoreConfig", &tfplugin6__validate_state_store__response__descriptor, "State stores" },
	{ "ConfigureStateStore", &tfplugin6__configure_state_store__response__descriptor, "State stores" },
	{ "LockState", &tfplugin6__lock_state__response__descriptor, "State stores" },
	{ "UnlockState", &tfplugin6__unlock_state__response__descriptor, "State stores" },
	{ "GetStates", &tfplugin6__get_states__response__descriptor, "State stores" },
	{ "DeleteState", &tfplugin6__delete_state__response__descriptor, "State stores" },
	{ "PlanAction", &tfplugin6__plan_action__response__descriptor, "Actions" },
	{ "ValidateActionConfig", &tfplugin6__validate_action_config__response__descriptor, "Actions" },
};

static int h_unsupported(struct tf6_call *call, struct arena *a, const struct unsupported *u)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(u->resp, "diagnostics");
	ProtobufCMessage *m = ar_alloc(a, u->resp->sizeof_message);
	struct fw_diags d;
	Tfplugin6__Diagnostic **v;
	size_t n = 0;

	if (!m || !f || f->label != PROTOBUF_C_LABEL_REPEATED)
		return ERR_INTERNAL;
	protobuf_c_message_init(u->resp, m);
	fw_diags_init(&d);
	fw_error(&d, NULL, "Not supported by this provider", "%s are not supported by the %s provider (RPC %s).", u->what,
		 fw_provider()->name, u->method);
	v = diags_pb(a, &d, &n);
	fw_diags_release(&d);
	memcpy((char *)m + f->quantifier_offset, &n, sizeof(n));
	memcpy((char *)m + f->offset, &v, sizeof(v));
	return pack(call, m);
}

static int h_call_function(struct tf6_call *call, struct arena *a)
{
	Tfplugin6__CallFunction__Request *req;
	Tfplugin6__CallFunction__Response resp;
	Tfplugin6__FunctionError fe;
	struct buf b;
	int r;

	req = (Tfplugin6__CallFunction__Request *)unpack(&tfplugin6__call_function__request__descriptor, call);
	if (!req)
		return ERR_PARSE;
	tfplugin6__call_function__response__init(&resp);
	tfplugin6__function_error__init(&fe);
	buf_init(&b, 1024);
	buf_printf(&b, "The %s provider has no function \"%s\".", fw_provider()->name, req->name ? req->name : "");
	fe.text = b.data ? b.data : (char *)(uintptr_t)"unknown function";
	resp.error = &fe;
	r = pack(call, &resp.base);
	buf_release(&b);
	unpack_free(&req->base);
	return r;
}

/* ---- dispatch ---- */

typedef int (*handler_fn)(struct tf6_call *call, struct arena *a);

/* check: the request descriptor of handlers that otherwise ignore their (empty) request, so that
 * a malformed one is still ERR_PARSE. */
static const struct {
	const char *method;
	handler_fn fn;
	const ProtobufCMessageDescriptor *check;
} handlers[] = {
	{ "GetMetadata", h_get_metadata, &tfplugin6__get_metadata__request__descriptor },
	{ "GetProviderSchema", h_get_provider_schema, &tfplugin6__get_provider_schema__request__descriptor },
	{ "GetResourceIdentitySchemas", h_get_resource_identity_schemas,
	  &tfplugin6__get_resource_identity_schemas__request__descriptor },
	{ "GetFunctions", h_get_functions, &tfplugin6__get_functions__request__descriptor },
	{ "StopProvider", h_stop_provider, &tfplugin6__stop_provider__request__descriptor },
	{ "ValidateProviderConfig", h_validate_provider_config, NULL },
	{ "ConfigureProvider", h_configure_provider, NULL },
	{ "ValidateResourceConfig", h_validate_resource_config, NULL },
	{ "ValidateDataResourceConfig", h_validate_data_resource_config, NULL },
	{ "UpgradeResourceState", h_upgrade_resource_state, NULL },
	{ "UpgradeResourceIdentity", h_upgrade_resource_identity, NULL },
	{ "ReadResource", h_read_resource, NULL },
	{ "PlanResourceChange", h_plan_resource_change, NULL },
	{ "ApplyResourceChange", h_apply_resource_change, NULL },
	{ "ImportResourceState", h_import_resource_state, NULL },
	{ "ReadDataSource", h_read_data_source, NULL },
	{ "CallFunction", h_call_function, NULL },
};

int tf6_method_is_streaming(const char *method)
{
	return strcmp(method, "ListResource") == 0 || strcmp(method, "ReadStateBytes") == 0 ||
	       strcmp(method, "InvokeAction") == 0;
}

int tf6_dispatch(struct tf6_call *call)
{
	struct arena a = { 0 };
	size_t i;
	int r = ERR_UNSUPPORTED;

	if (!fw_provider())
		return ERR_INTERNAL;
	if (call->cancel && *call->cancel)
		return ERR_CANCELED;
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (strcmp(handlers[i].method, call->method) == 0) {
			log_debug("tf6: %s", call->method);
			if (handlers[i].check) {
				ProtobufCMessage *m = unpack(handlers[i].check, call);

				if (!m) {
					r = ERR_PARSE;
					goto out;
				}
				unpack_free(m);
			}
			r = handlers[i].fn(call, &a);
			goto out;
		}
	}
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		if (strcmp(unsupported[i].method, call->method) == 0) {
			r = h_unsupported(call, &a, &unsupported[i]);
			goto out;
		}
	}
out:
	ar_free(&a);
	if (r < 0 && r != ERR_UNSUPPORTED)
		log_warn("tf6: %s failed: %s", call->method, err_name(r));
	return r;
}

void tf6_shutdown(void)
{
	fw_shutdown();
}
