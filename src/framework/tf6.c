/* SPDX-License-Identifier: MIT */
/*
 * tf6: the tfplugin6 Provider service on top of the framework. One frame serves every RPC: the
 * method's request and response types come from protobuf-c's service descriptor, the request is
 * unpacked with a wiping allocator, the handler fills the response (values, diagnostics with
 * attribute paths) in a per-call arena, and the frame adds the diagnostics and packs it. The
 * handlers that concern every kind of declaration (metadata, schemas, config validation) iterate
 * fw_kinds[]; the others are in tf6_resource.c, tf6_ephemeral.c and tf6_list.c; the protobuf
 * conversion is in tf6_pb.c. Features this provider does not offer (actions, state stores,
 * functions, moves) answer a clear error diagnostic; unknown and client-streaming methods answer
 * ERR_UNSUPPORTED (gRPC UNIMPLEMENTED).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rand.h"
#include "framework/fw.h"
#include "framework/tf6.h"
#include "framework/tf6_pb.h"

static const char *const unknown_summary[FW_NKINDS] = {
	[FW_KIND_RESOURCE] = "Unknown resource type",
	[FW_KIND_DATA_SOURCE] = "Unknown data source",
	[FW_KIND_EPHEMERAL] = "Unknown ephemeral resource type",
	[FW_KIND_LIST] = "Unknown list resource type",
	[FW_KIND_IDENTITY] = "Resource without identity",
};

const struct fw_decl *tf6_find(struct tf6_req *q, enum fw_kind_id k, const char *type_name,
			       const struct cty_type **type)
{
	const struct fw_decl *decl = fw_find(q->fw, k, type_name, type);

	if (!decl)
		fw_error(&q->d, NULL, unknown_summary[k], "This provider has no %s \"%s\".", fw_kinds[k].what,
			 type_name ? type_name : "");
	return decl;
}

static int caps_pb(struct arena *a, ProtobufCMessage *resp)
{
	Tfplugin6__ServerCapabilities *caps = ar_alloc(a, sizeof(*caps));

	if (!caps)
		return ERR_NOMEM;
	tfplugin6__server_capabilities__init(caps);
	caps->plan_destroy = 1;
	caps->get_provider_schema_optional = 1;
	caps->generate_resource_config = 1;
	pb_set_ptr(resp, "server_capabilities", caps);
	return 0;
}

/* GetMetadata: the type names of every kind. */
static int h_get_metadata(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	int k;

	if (caps_pb(q->a, resp) < 0)
		return ERR_NOMEM;
	for (k = 0; k < FW_NKINDS; k++) {
		const ProtobufCFieldDescriptor *f;
		size_t n = fw_count(q->fw, k), i;
		ProtobufCMessage **v;

		if (!fw_kinds[k].metadata_field)
			continue;
		f = pb_field(resp->descriptor, fw_kinds[k].metadata_field);
		v = ar_alloc(q->a, (n + 1) * sizeof(*v));
		for (i = 0; v && i < n; i++) {
			v[i] = pb_new(q->a, f->descriptor);
			if (!v[i])
				return ERR_NOMEM;
			pb_set_ptr(v[i], "type_name", fw_entry(q->fw, k, i, NULL)->type_name);
		}
		pb_set_repeated(resp, fw_kinds[k].metadata_field, v, v ? n : 0);
	}
	return 0;
}

/* GetProviderSchema and GetResourceIdentitySchemas: one map per kind served by this RPC. */
static int h_schemas(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const struct fw_provider *p = fw_provider(q->fw);
	int k;

	if (strcmp(q->call->method, "GetProviderSchema") == 0) {
		Tfplugin6__Schema *ps = schema_pb(q->a, p->attrs, 0, p->description);

		if (!ps || caps_pb(q->a, resp) < 0)
			return ERR_NOMEM;
		pb_set_ptr(resp, "provider", ps);
	}
	for (k = 0; k < FW_NKINDS; k++) {
		const ProtobufCFieldDescriptor *f;
		size_t n = fw_count(q->fw, k), i;
		ProtobufCMessage **v;

		if (strcmp(fw_kinds[k].schema_rpc, q->call->method) != 0)
			continue;
		f = pb_field(resp->descriptor, fw_kinds[k].schema_field);
		v = ar_alloc(q->a, (n + 1) * sizeof(*v));
		for (i = 0; v && i < n; i++) {
			const struct fw_decl *decl = fw_entry(q->fw, k, i, NULL);
			const void *s = k == FW_KIND_IDENTITY
						? (const void *)identity_schema_pb(q->a, decl)
						: (const void *)schema_pb(q->a, decl->attrs, decl->version,
									  decl->description);

			v[i] = pb_new(q->a, f->descriptor);
			if (!v[i] || !s)
				return ERR_NOMEM;
			pb_set_ptr(v[i], "key", decl->type_name);
			pb_set_ptr(v[i], "value", s);
		}
		pb_set_repeated(resp, fw_kinds[k].schema_field, v, v ? n : 0);
	}
	return 0;
}

/* ValidateProviderConfig and Validate<kind>Config: validators, rules, the declaration's check. */
static int h_validate(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const struct fw_provider *p = fw_provider(q->fw);
	struct fw_decl pdecl = { .type_name = p->name, .attrs = p->attrs, .rules = p->rules, .validate = p->validate };
	const struct fw_decl *decl = NULL;
	const struct cty_type *t = NULL;
	struct cty_value config;
	int k;

	if (strcmp(q->call->method, "ValidateProviderConfig") == 0) {
		decl = &pdecl;
		t = fw_provider_type(q->fw);
	}
	for (k = 0; !decl && k < FW_NKINDS; k++) {
		if (fw_kinds[k].validate_rpc && strcmp(fw_kinds[k].validate_rpc, q->call->method) == 0)
			break;
	}
	if (!decl && k < FW_NKINDS)
		decl = tf6_find(q, k, q->type_name, &t);
	if (!decl)
		return 0;
	if (dv_decode(pb_get_ptr(req, "config"), t, &config, "configuration", &q->d) == 0) {
		fw_validate_config(&q->ctx, decl->attrs, decl->rules, &config, &q->d);
		if (decl->validate && config.st == CTY_KNOWN)
			decl->validate(&q->ctx, &config, &q->d);
	}
	cty_value_release(&config);
	if (k == FW_KIND_LIST)
		return tf6_validate_list_extras(q, req);
	return 0;
}

static int h_configure_provider(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__ConfigureProvider__Request *rq = (const void *)req;
	const struct fw_provider *p = fw_provider(q->fw);
	struct cty_value config;
	void *data = NULL;

	q->ctx.terraform_version = rq->terraform_version;
	if (dv_decode(rq->config, fw_provider_type(q->fw), &config, "provider configuration", &q->d) == 0 &&
	    p->configure) {
		int r = p->configure(&q->ctx, &config, &data, &q->d);

		if (r == 0 && !fw_diags_has_error(&q->d))
			fw_set_provider_data(q->fw, data);
		else if (data && p->release)
			p->release(data);
	}
	cty_value_release(&config);
	return 0;
}

static int h_stop_provider(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	fw_stop(q->fw);
	log_info("StopProvider: cancelling in-flight operations");
	return 0;
}

static int h_get_functions(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	return 0;
}

static int h_call_function(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__CallFunction__Request *rq = (const void *)req;
	Tfplugin6__CallFunction__Response *rs = (void *)resp;
	const char *name = rq->name ? rq->name : "";
	Tfplugin6__FunctionError *fe = ar_alloc(q->a, sizeof(*fe));
	size_t n = strlen(name) + strlen(fw_provider(q->fw)->name) + 64;

	if (!fe)
		return ERR_NOMEM;
	tfplugin6__function_error__init(fe);
	fe->text = ar_alloc(q->a, n);
	if (!fe->text)
		return ERR_NOMEM;
	snprintf(fe->text, n, "The %s provider has no function \"%s\".", fw_provider(q->fw)->name, name);
	rs->error = fe;
	return 0;
}

/* Features this provider does not have: a response with one error diagnostic. */
static const struct {
	const char *method, *what;
} unsupported[] = {
	{ "MoveResourceState", "Moving state across resource types" },
	{ "ValidateStateStoreConfig", "State stores" },
	{ "ConfigureStateStore", "State stores" },
	{ "LockState", "State stores" },
	{ "UnlockState", "State stores" },
	{ "GetStates", "State stores" },
	{ "DeleteState", "State stores" },
	{ "PlanAction", "Actions" },
	{ "ValidateActionConfig", "Actions" },
};

static int h_unsupported(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	size_t i;

	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		if (strcmp(unsupported[i].method, q->call->method) == 0)
			fw_error(&q->d, NULL, "Not supported by this provider",
				 "%s are not supported by the %s provider (RPC %s).", unsupported[i].what,
				 fw_provider(q->fw)->name, q->call->method);
	}
	return 0;
}

/* ---- dispatch ---- */

static const struct {
	const char *method;
	tf6_fn fn;
} handlers[] = {
	{ "GetMetadata", h_get_metadata },
	{ "GetProviderSchema", h_schemas },
	{ "GetResourceIdentitySchemas", h_schemas },
	{ "GetFunctions", h_get_functions },
	{ "StopProvider", h_stop_provider },
	{ "ValidateProviderConfig", h_validate },
	{ "ConfigureProvider", h_configure_provider },
	{ "ValidateResourceConfig", h_validate },
	{ "ValidateDataResourceConfig", h_validate },
	{ "ValidateEphemeralResourceConfig", h_validate },
	{ "ValidateListResourceConfig", h_validate },
	{ "UpgradeResourceState", tf6_upgrade_resource_state },
	{ "UpgradeResourceIdentity", tf6_upgrade_resource_identity },
	{ "ReadResource", tf6_read_resource },
	{ "PlanResourceChange", tf6_plan_resource_change },
	{ "ApplyResourceChange", tf6_apply_resource_change },
	{ "ImportResourceState", tf6_import_resource_state },
	{ "GenerateResourceConfig", tf6_generate_resource_config },
	{ "ReadDataSource", tf6_read_data_source },
	{ "CallFunction", h_call_function },
	{ "OpenEphemeralResource", tf6_open_ephemeral_resource },
	{ "RenewEphemeralResource", tf6_renew_ephemeral_resource },
	{ "CloseEphemeralResource", tf6_close_ephemeral_resource },
	{ "ListResource", tf6_list_resource },
	{ "MoveResourceState", h_unsupported },
	{ "ValidateStateStoreConfig", h_unsupported },
	{ "ConfigureStateStore", h_unsupported },
	{ "LockState", h_unsupported },
	{ "UnlockState", h_unsupported },
	{ "GetStates", h_unsupported },
	{ "DeleteState", h_unsupported },
	{ "PlanAction", h_unsupported },
	{ "ValidateActionConfig", h_unsupported },
};

int tf6_method_is_streaming(const char *method)
{
	const ProtobufCMethodDescriptor *m = tf6_method(method);

	/* protobuf-c does not record streaming; these are the server-streaming RPCs of tfplugin6 */
	return m && (strcmp(method, "ListResource") == 0 || strcmp(method, "ReadStateBytes") == 0 ||
		     strcmp(method, "InvokeAction") == 0);
}

static int run(struct fw *fw, struct tf6_call *call, tf6_fn fn, const ProtobufCMethodDescriptor *m)
{
	struct arena a = { 0 };
	struct tf6_req q = { .fw = fw, .call = call, .a = &a };
	char req_id[UUID_STR_LEN + 1] = "";
	const char *logctx[7] = { "tf_rpc", call->method, "tf_resource_type", NULL, "tf_req_id", req_id, NULL };
	ProtobufCMessage *req, *resp;
	const ProtobufCFieldDescriptor *df;
	int r;

	req = tf6_unpack(m->input, call);
	if (!req)
		return ERR_PARSE;
	if (pb_field(m->input, "type_name"))
		q.type_name = pb_get_ptr(req, "type_name");
	rand_uuid_v4_plain(req_id); /* a log correlation id: no need to start OpenSSL's generator */
	logctx[3] = q.type_name && *q.type_name ? q.type_name : NULL;
	log_context(logctx);
	log_trace("Received request");
	fw_diags_init(&q.d);
	fw_ctx_init(&q.ctx, fw, call->cancel);
	resp = pb_new(&a, m->output);
	r = resp ? fn(&q, req, resp) : ERR_NOMEM;
	if (r == 0 && !tf6_method_is_streaming(call->method)) {
		df = pb_field(m->output, "diagnostics");
		if (df && (q.d.n || q.d.lost)) {
			size_t n = 0;
			Tfplugin6__Diagnostic **v = diags_pb(&a, &q.d, &n);

			pb_set_repeated(resp, "diagnostics", v, n);
		}
		r = a.oom ? ERR_NOMEM : tf6_pack(call->resp, resp);
	}
	if (r < 0 && r != ERR_UNSUPPORTED)
		log_kv(LOG_WARN, "Request failed", "error", err_name(r), NULL);
	else
		log_trace("Served request");
	log_context(NULL);
	fw_diags_release(&q.d);
	tf6_unpack_free(req);
	ar_free(&a);
	return r;
}

int tf6_dispatch(struct fw *fw, struct tf6_call *call)
{
	const ProtobufCMethodDescriptor *m = tf6_method(call->method);
	size_t i;

	if (!fw)
		return ERR_INTERNAL;
	if (call->cancel && *call->cancel)
		return ERR_CANCELED;
	for (i = 0; m && i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (strcmp(handlers[i].method, call->method) == 0)
			return run(fw, call, handlers[i].fn, m);
	}
	return ERR_UNSUPPORTED;
}
