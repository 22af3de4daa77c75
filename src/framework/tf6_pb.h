/* SPDX-License-Identifier: MIT */
/*
 * tf6_pb: the protobuf side of the tfplugin6 mapping (internal to src/framework). Responses are
 * built in a per-call arena (wiped on free); requests are unpacked with an allocator that wipes
 * memory on free (configs and states carry secrets). DynamicValues <-> cty values, diagnostics
 * with attribute paths, schemas from attribute tables, identity data, timestamps, and generic
 * access to message fields by their .proto names (so that one piece of code serves every kind).
 */
#ifndef FRAMEWORK_TF6_PB_H
#define FRAMEWORK_TF6_PB_H
#include <stddef.h>
#include <stdint.h>

#include "framework/fw.h"
#include "framework/tf6.h"
#include "tfplugin6.pb-c.h"

struct ablk;
struct arena {
	struct ablk *head;
	int oom;
};

void *ar_alloc(struct arena *a, size_t n);
char *ar_strdup(struct arena *a, const char *s);
void ar_free(struct arena *a);

/* The request of call (NULL: malformed), unpacked with the wiping allocator. */
ProtobufCMessage *tf6_unpack(const ProtobufCMessageDescriptor *desc, const struct tf6_call *call);
void tf6_unpack_free(ProtobufCMessage *m);
/* Serialize m into buf (appended). */
int tf6_pack(struct buf *out, const ProtobufCMessage *m);
/* The tfplugin6.Provider method named name, or NULL. */
const ProtobufCMethodDescriptor *tf6_method(const char *name);

/* Generic field access by .proto field name (the field must exist with that shape). */
ProtobufCMessage *pb_new(struct arena *a, const ProtobufCMessageDescriptor *desc);
const ProtobufCFieldDescriptor *pb_field(const ProtobufCMessageDescriptor *desc, const char *name);
/* A singular pointer field (string or message). */
void pb_set_ptr(ProtobufCMessage *m, const char *field, const void *p);
const void *pb_get_ptr(const ProtobufCMessage *m, const char *field);
/* A repeated field (array of pointers, n entries). */
void pb_set_repeated(ProtobufCMessage *m, const char *field, void *v, size_t n);

/* Decode a DynamicValue (missing = null). A malformed value becomes an error diagnostic. */
int dv_decode(const Tfplugin6__DynamicValue *dv, const struct cty_type *t, struct cty_value *out, const char *what,
	      struct fw_diags *d);
Tfplugin6__DynamicValue *dv_encode(struct arena *a, const struct cty_value *v, const struct cty_type *t,
				   struct fw_diags *d);
Tfplugin6__AttributePath *path_pb(struct arena *a, const struct fw_step *steps, size_t n);
Tfplugin6__Diagnostic **diags_pb(struct arena *a, const struct fw_diags *d, size_t *n);
/* Schema of an attribute table. */
Tfplugin6__Schema *schema_pb(struct arena *a, const struct fw_attr *attrs, int64_t version, const char *description);
/* Identity schema of an identity declaration. */
Tfplugin6__ResourceIdentitySchema *identity_schema_pb(struct arena *a, const struct fw_decl *idd);
/* The identity of a resource's state (NULL when it has none or the state is null). */
Tfplugin6__ResourceIdentityData *identity_pb(struct arena *a, const struct fw_ctx *ctx, const struct fw_resource *r,
					     const struct cty_value *state, struct fw_diags *d);
Google__Protobuf__Timestamp *timestamp_pb(struct arena *a, int64_t unix_sec);
/* Copy bytes into the arena (private data may be secret: the arena is wiped). */
ProtobufCBinaryData bytes_pb(struct arena *a, const struct buf *b);

/* ---- the handlers' frame (tf6.c): one per call ---- */

struct tf6_req {
	struct fw *fw;
	struct tf6_call *call;
	struct arena *a;
	struct fw_ctx ctx;
	struct fw_diags d;     /* become the response's diagnostics */
	const char *type_name; /* of the request, when it has one */
};

/* A handler: req is the unpacked request, resp the response to fill (the frame adds the
 * diagnostics, packs and frees). Server-streaming handlers emit their messages themselves. */
typedef int (*tf6_fn)(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);

/* tf6_resource.c */
int tf6_upgrade_resource_state(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_upgrade_resource_identity(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_read_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_plan_resource_change(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_apply_resource_change(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_import_resource_state(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_generate_resource_config(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_read_data_source(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
/* tf6_ephemeral.c */
int tf6_open_ephemeral_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_renew_ephemeral_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_close_ephemeral_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
/* tf6_list.c */
int tf6_list_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp);
int tf6_validate_list_extras(struct tf6_req *q, const ProtobufCMessage *req);

/* The declaration of kind k named type_name, or NULL after an error diagnostic naming it. */
const struct fw_decl *tf6_find(struct tf6_req *q, enum fw_kind_id k, const char *type_name,
			       const struct cty_type **type);

#endif
