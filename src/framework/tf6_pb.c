/* SPDX-License-Identifier: MIT */
/*
 * tf6_pb: protobuf conversion for the tfplugin6 mapping (see tf6_pb.h): arenas and the wiping
 * allocator, DynamicValues, diagnostics, schemas, identities, and generic field access through
 * protobuf-c's descriptors.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "framework/tf6_pb.h"

#define VALUE_MAX (256u << 20) /* msgpack of one value; terraform-plugin-go's message cap */

/* ---- memory: an arena for responses, a wiping allocator for requests ---- */

struct ablk {
	struct ablk *next;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

void *ar_alloc(struct arena *a, size_t n)
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

char *ar_strdup(struct arena *a, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *p = ar_alloc(a, n + 1);

	if (p && n)
		memcpy(p, s, n);
	return p;
}

void ar_free(struct arena *a)
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

ProtobufCMessage *tf6_unpack(const ProtobufCMessageDescriptor *desc, const struct tf6_call *call)
{
	return protobuf_c_message_unpack(desc, &wiping_allocator, call->req_len, call->req);
}

void tf6_unpack_free(ProtobufCMessage *m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, &wiping_allocator);
}

int tf6_pack(struct buf *out, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	int r = buf_reserve(out, n);

	if (r < 0)
		return r;
	protobuf_c_message_pack(m, (uint8_t *)out->data + out->len);
	out->len += n;
	out->data[out->len] = '\0';
	return 0;
}

/* ---- generic access by .proto names ---- */

const ProtobufCMethodDescriptor *tf6_method(const char *name)
{
	unsigned i;

	for (i = 0; name && i < tfplugin6__provider__descriptor.n_methods; i++) {
		if (strcmp(tfplugin6__provider__descriptor.methods[i].name, name) == 0)
			return &tfplugin6__provider__descriptor.methods[i];
	}
	return NULL;
}

ProtobufCMessage *pb_new(struct arena *a, const ProtobufCMessageDescriptor *desc)
{
	ProtobufCMessage *m = ar_alloc(a, desc->sizeof_message);

	if (m)
		protobuf_c_message_init(desc, m);
	return m;
}

const ProtobufCFieldDescriptor *pb_field(const ProtobufCMessageDescriptor *desc, const char *name)
{
	return protobuf_c_message_descriptor_get_field_by_name(desc, name);
}

void pb_set_ptr(ProtobufCMessage *m, const char *field, const void *p)
{
	const ProtobufCFieldDescriptor *f = pb_field(m->descriptor, field);

	if (f)
		memcpy((char *)m + f->offset, &p, sizeof(p));
}

const void *pb_get_ptr(const ProtobufCMessage *m, const char *field)
{
	const ProtobufCFieldDescriptor *f = pb_field(m->descriptor, field);
	const void *p = NULL;

	if (f)
		memcpy(&p, (const char *)m + f->offset, sizeof(p));
	return p;
}

void pb_set_repeated(ProtobufCMessage *m, const char *field, void *v, size_t n)
{
	const ProtobufCFieldDescriptor *f = pb_field(m->descriptor, field);

	if (!f || f->label != PROTOBUF_C_LABEL_REPEATED)
		return;
	memcpy((char *)m + f->quantifier_offset, &n, sizeof(n));
	memcpy((char *)m + f->offset, &v, sizeof(v));
}

/* ---- values and diagnostics ---- */

/* Decode a DynamicValue (missing = null). A malformed value becomes an error diagnostic. */
int dv_decode(const Tfplugin6__DynamicValue *dv, const struct cty_type *t, struct cty_value *out,
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

Tfplugin6__DynamicValue *dv_encode(struct arena *a, const struct cty_value *v, const struct cty_type *t,
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

Tfplugin6__AttributePath *path_pb(struct arena *a, const struct fw_step *steps, size_t n)
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

Tfplugin6__Diagnostic **diags_pb(struct arena *a, const struct fw_diags *d, size_t *n)
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

/* ---- schemas and identities ---- */

/* A cty type as its JSON type spec, in the arena (len 0 on failure). */
static ProtobufCBinaryData type_pb(struct arena *a, const struct cty_type *t)
{
	ProtobufCBinaryData out = { 0, NULL };
	struct buf tj;

	buf_init(&tj, 1 << 16);
	if (cty_type_to_json(t, &tj) == 0 && tj.len) {
		out.data = ar_alloc(a, tj.len);
		if (out.data) {
			memcpy(out.data, tj.data, tj.len);
			out.len = tj.len;
		}
	}
	buf_release(&tj);
	return out;
}

/* A schema block: the attributes, and the nested blocks (fw_attr.block) as NestingMode LIST. */
static Tfplugin6__Schema__Block *block_pb(struct arena *a, const struct fw_attr *attrs, int64_t version,
					  const char *description)
{
	Tfplugin6__Schema__Block *b = ar_alloc(a, sizeof(*b));
	size_t n = 0, i;

	if (!b)
		return NULL;
	tfplugin6__schema__block__init(b);
	b->version = version;
	b->description = ar_strdup(a, description ? description : "");
	while (attrs && attrs[n].name)
		n++;
	b->attributes = ar_alloc(a, (n ? n : 1) * sizeof(*b->attributes));
	b->block_types = ar_alloc(a, (n ? n : 1) * sizeof(*b->block_types));
	if (!b->attributes || !b->block_types || !b->description)
		return NULL;
	for (i = 0; i < n; i++) {
		Tfplugin6__Schema__Attribute *at;

		if (attrs[i].block) {
			Tfplugin6__Schema__NestedBlock *nb = ar_alloc(a, sizeof(*nb));

			if (!nb)
				return NULL;
			tfplugin6__schema__nested_block__init(nb);
			nb->type_name = ar_strdup(a, attrs[i].name);
			nb->block = block_pb(a, attrs[i].block, 0, attrs[i].description);
			nb->nesting = TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__LIST;
			nb->min_items = (attrs[i].flags & FW_REQUIRED) ? 1 : 0;
			if (!nb->type_name || !nb->block)
				return NULL;
			b->block_types[b->n_block_types++] = nb;
			continue;
		}
		at = ar_alloc(a, sizeof(*at));
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
		at->type = type_pb(a, attrs[i].type);
		if (!at->name || !at->description || !at->type.len)
			return NULL;
		b->attributes[b->n_attributes++] = at;
	}
	return b;
}

Tfplugin6__Schema *schema_pb(struct arena *a, const struct fw_attr *attrs, int64_t version,
				    const char *description)
{
	Tfplugin6__Schema *s = ar_alloc(a, sizeof(*s));

	if (!s)
		return NULL;
	tfplugin6__schema__init(s);
	s->version = version;
	s->block = block_pb(a, attrs, version, description);
	return s->block ? s : NULL;
}

Tfplugin6__ResourceIdentitySchema *identity_schema_pb(struct arena *a, const struct fw_decl *idd)
{
	Tfplugin6__ResourceIdentitySchema *s = ar_alloc(a, sizeof(*s));
	size_t n = 0, i;

	if (!s)
		return NULL;
	tfplugin6__resource_identity_schema__init(s);
	s->version = idd->version;
	while (idd->attrs[n].name)
		n++;
	s->identity_attributes = ar_alloc(a, (n ? n : 1) * sizeof(*s->identity_attributes));
	if (!s->identity_attributes)
		return NULL;
	for (i = 0; i < n; i++) {
		Tfplugin6__ResourceIdentitySchema__IdentityAttribute *at = ar_alloc(a, sizeof(*at));
		if (!at)
			return NULL;
		tfplugin6__resource_identity_schema__identity_attribute__init(at);
		at->name = ar_strdup(a, idd->attrs[i].name);
		at->description = ar_strdup(a, idd->attrs[i].description ? idd->attrs[i].description : "");
		at->required_for_import = (idd->attrs[i].flags & FW_REQUIRED) != 0;
		at->optional_for_import = !at->required_for_import;
		at->type = type_pb(a, idd->attrs[i].type);
		if (!at->name || !at->description || !at->type.len)
			return NULL;
		s->identity_attributes[s->n_identity_attributes++] = at;
	}
	return s;
}

Tfplugin6__ResourceIdentityData *identity_pb(struct arena *a, const struct fw_ctx *ctx, const struct fw_resource *r,
					     const struct cty_value *state, struct fw_diags *d)
{
	Tfplugin6__ResourceIdentityData *idd = NULL;
	struct cty_value idv;

	if (fw_identity_of(ctx, r, state, &idv) == 0 && idv.st == CTY_KNOWN) {
		idd = ar_alloc(a, sizeof(*idd));
		if (idd) {
			tfplugin6__resource_identity_data__init(idd);
			idd->identity_data = dv_encode(a, &idv, idv.type, d);
		}
	}
	cty_value_release(&idv);
	return idd;
}

Google__Protobuf__Timestamp *timestamp_pb(struct arena *a, int64_t unix_sec)
{
	Google__Protobuf__Timestamp *ts = ar_alloc(a, sizeof(*ts));

	if (ts) {
		google__protobuf__timestamp__init(ts);
		ts->seconds = unix_sec;
	}
	return ts;
}

/* Copy bytes into the arena (private data may be secret: the arena is wiped). */
ProtobufCBinaryData bytes_pb(struct arena *a, const struct buf *b)
{
	ProtobufCBinaryData out = { 0, NULL };

	out.data = ar_alloc(a, b->len ? b->len : 1);
	if (out.data && b->len) {
		memcpy(out.data, b->data, b->len);
		out.len = b->len;
	}
	return out;
}
