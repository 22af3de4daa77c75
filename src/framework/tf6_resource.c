/* SPDX-License-Identifier: MIT */
/*
 * tf6_resource: the managed-resource RPCs (upgrade, read, plan, apply, import, config
 * generation, identity upgrade) and the data source read, on the frame of tf6.c. Each decodes its
 * DynamicValues with the declaration's type, calls the engine (fw_plan.c) and encodes the result,
 * with the resource's identity wherever the protocol carries one.
 */
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "framework/fw.h"
#include "framework/tf6_pb.h"

#define RESOURCE(q, type) ((const struct fw_resource *)tf6_find((q), FW_KIND_RESOURCE, (q)->type_name, (type)))

int tf6_upgrade_resource_state(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__UpgradeResourceState__Request *rq = (const void *)req;
	Tfplugin6__UpgradeResourceState__Response *rs = (void *)resp;
	const struct cty_type *t;
	const struct fw_resource *res = RESOURCE(q, &t);
	struct cty_value state;

	if (!res)
		return 0;
	if (rq->raw_state && rq->raw_state->n_flatmap && !rq->raw_state->json.len) {
		fw_error(&q->d, NULL, "Unsupported state format",
			 "State in the pre-0.12 flatmap format cannot be "
			 "upgraded by this provider; refresh it with Terraform 0.12 or later first.");
		return 0;
	}
	cty_value_null(&state, t);
	{
		const char *json = rq->raw_state ? (const char *)rq->raw_state->json.data : "";
		size_t len = rq->raw_state ? rq->raw_state->json.len : 0;

		if (fw_upgrade(&q->ctx, res, rq->version, len ? json : "null", len ? len : 4, &state, &q->d) == 0)
			rs->upgraded_state = dv_encode(q->a, &state, t, &q->d);
		cty_value_release(&state);
	}
	return 0;
}

int tf6_upgrade_resource_identity(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__UpgradeResourceIdentity__Request *rq = (const void *)req;
	Tfplugin6__UpgradeResourceIdentity__Response *rs = (void *)resp;
	const struct cty_type *t = NULL;
	const struct fw_decl *idd;
	struct cty_value idv;
	const char *why = NULL;
	const char *json = rq->raw_identity ? (const char *)rq->raw_identity->json.data : NULL;
	size_t len = rq->raw_identity ? rq->raw_identity->json.len : 0, i;

	if (!RESOURCE(q, NULL))
		return 0;
	idd = tf6_find(q, FW_KIND_IDENTITY, q->type_name, &t);
	if (!idd)
		return 0;
	if (rq->version != idd->version) {
		fw_error(&q->d, NULL, "Unsupported identity version",
			 "Resource %s has identity schema version %lld; an identity stored at version %lld cannot be "
			 "upgraded.",
			 q->type_name, (long long)idd->version, (long long)rq->version);
		return 0;
	}
	cty_value_null(&idv, t);
	if (!json || !len || cty_json_decode(json, len, t, &idv, &why) < 0 || idv.st != CTY_KNOWN) {
		fw_error(&q->d, NULL, "Invalid stored identity", "The identity could not be read%s%s.", why ? ": " : "",
			 why ? why : (json && len ? "" : ": it is missing"));
		cty_value_release(&idv);
		return 0;
	}
	for (i = 0; idd->attrs[i].name; i++) {
		const struct cty_value *v = cty_object_attr(&idv, idd->attrs[i].name);

		if ((idd->attrs[i].flags & FW_REQUIRED) && (!v || v->st != CTY_KNOWN)) {
			fw_error(&q->d, NULL, "Invalid stored identity", "The identity has no \"%s\".",
				 idd->attrs[i].name);
			cty_value_release(&idv);
			return 0;
		}
	}
	rs->upgraded_identity = ar_alloc(q->a, sizeof(*rs->upgraded_identity));
	if (rs->upgraded_identity) {
		tfplugin6__resource_identity_data__init(rs->upgraded_identity);
		rs->upgraded_identity->identity_data = dv_encode(q->a, &idv, t, &q->d);
	}
	cty_value_release(&idv);
	return 0;
}

int tf6_read_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__ReadResource__Request *rq = (const void *)req;
	Tfplugin6__ReadResource__Response *rs = (void *)resp;
	const struct cty_type *t;
	const struct fw_resource *res = RESOURCE(q, &t);
	struct cty_value cur, out;

	if (!res)
		return 0;
	cty_value_null(&out, t);
	if (dv_decode(rq->current_state, t, &cur, "current state", &q->d) == 0) {
		fw_read(&q->ctx, res, &cur, &out, &q->d);
		rs->new_state = dv_encode(q->a, &out, t, &q->d);
		rs->new_identity = identity_pb(q->a, &q->ctx, res, &out, &q->d);
		rs->private_ = rq->private_; /* opaque: round-trips */
	}
	cty_value_release(&cur);
	cty_value_release(&out);
	return 0;
}

static void requires_replace_pb(struct tf6_req *q, Tfplugin6__PlanResourceChange__Response *rs,
				const struct fw_replace *rep)
{
	size_t i;

	rs->requires_replace = ar_alloc(q->a, (rep->n + 1) * sizeof(*rs->requires_replace));
	for (i = 0; rs->requires_replace && i < rep->n; i++) {
		struct fw_step st = { .kind = FW_STEP_ATTR, .name = (char *)(uintptr_t)rep->attrs[i] };

		rs->requires_replace[rs->n_requires_replace++] = path_pb(q->a, &st, 1);
	}
}

int tf6_plan_resource_change(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__PlanResourceChange__Request *rq = (const void *)req;
	Tfplugin6__PlanResourceChange__Response *rs = (void *)resp;
	const struct cty_type *t;
	const struct fw_resource *res = RESOURCE(q, &t);
	struct cty_value prior, proposed, config, planned;
	struct fw_replace rep = { 0 };

	if (!res)
		return 0;
	cty_value_null(&proposed, t);
	cty_value_null(&config, t);
	cty_value_null(&planned, t);
	if (dv_decode(rq->prior_state, t, &prior, "prior state", &q->d) == 0 &&
	    dv_decode(rq->proposed_new_state, t, &proposed, "proposed new state", &q->d) == 0 &&
	    dv_decode(rq->config, t, &config, "configuration", &q->d) == 0) {
		if (fw_plan(&q->ctx, res, &prior, &proposed, &config, &planned, &rep, &q->d) == 0 ||
		    planned.st == CTY_KNOWN || proposed.st != CTY_KNOWN) {
			rs->planned_state = dv_encode(q->a, &planned, t, &q->d);
			rs->planned_identity = identity_pb(q->a, &q->ctx, res, &planned, &q->d);
		}
		requires_replace_pb(q, rs, &rep);
		rs->planned_private = rq->prior_private;
	}
	cty_value_release(&prior);
	cty_value_release(&proposed);
	cty_value_release(&config);
	cty_value_release(&planned);
	return 0;
}

int tf6_apply_resource_change(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__ApplyResourceChange__Request *rq = (const void *)req;
	Tfplugin6__ApplyResourceChange__Response *rs = (void *)resp;
	const struct cty_type *t;
	const struct fw_resource *res = RESOURCE(q, &t);
	struct cty_value prior, planned, config, out;

	if (!res)
		return 0;
	cty_value_null(&planned, t);
	cty_value_null(&config, t);
	cty_value_null(&out, t);
	if (dv_decode(rq->prior_state, t, &prior, "prior state", &q->d) == 0 &&
	    dv_decode(rq->planned_state, t, &planned, "planned state", &q->d) == 0 &&
	    dv_decode(rq->config, t, &config, "configuration", &q->d) == 0) {
		fw_apply(&q->ctx, res, &prior, &planned, &config, &out, &q->d);
		rs->new_state = dv_encode(q->a, &out, t, &q->d);
		rs->new_identity = identity_pb(q->a, &q->ctx, res, &out, &q->d);
		rs->private_ = rq->planned_private;
	}
	cty_value_release(&prior);
	cty_value_release(&planned);
	cty_value_release(&config);
	cty_value_release(&out);
	return 0;
}

/* Import by id, or by identity alone (Terraform >= 1.12: `import { identity = {...} }`). */
int tf6_import_resource_state(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__ImportResourceState__Request *rq = (const void *)req;
	Tfplugin6__ImportResourceState__Response *rs = (void *)resp;
	const struct cty_type *t, *it = NULL;
	const struct fw_resource *res = RESOURCE(q, &t);
	Tfplugin6__ImportResourceState__ImportedResource *ir;
	struct cty_value state, idv;
	const char *id = rq->id;

	if (!res)
		return 0;
	cty_value_null(&idv, &cty_dynamic);
	if ((!id || !*id) && rq->identity && fw_find(q->fw, FW_KIND_IDENTITY, res->type_name, &it)) {
		if (dv_decode(rq->identity->identity_data, it, &idv, "identity", &q->d) < 0)
			return 0;
		id = idv.st == CTY_KNOWN ? fw_get_string(&idv, "id") : NULL;
	}
	if (!id || !*id) {
		fw_error(&q->d, NULL, "Missing import identifier",
			 "Importing %s needs its id (or an identity with its id).", res->type_name);
		cty_value_release(&idv);
		return 0;
	}
	if (fw_import(&q->ctx, res, id, &state, &q->d) == 0) {
		ir = ar_alloc(q->a, sizeof(*ir));
		rs->imported_resources = ar_alloc(q->a, sizeof(*rs->imported_resources));
		if (ir && rs->imported_resources) {
			tfplugin6__import_resource_state__imported_resource__init(ir);
			ir->type_name = ar_strdup(q->a, res->type_name);
			ir->state = dv_encode(q->a, &state, t, &q->d);
			ir->identity = identity_pb(q->a, &q->ctx, res, &state, &q->d);
			rs->imported_resources[0] = ir;
			rs->n_imported_resources = 1;
		}
		cty_value_release(&state);
	}
	cty_value_release(&idv);
	return 0;
}

int tf6_generate_resource_config(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__GenerateResourceConfig__Request *rq = (const void *)req;
	Tfplugin6__GenerateResourceConfig__Response *rs = (void *)resp;
	const struct cty_type *t;
	const struct fw_resource *res = RESOURCE(q, &t);
	struct cty_value state, config;

	if (!res)
		return 0;
	if (dv_decode(rq->state, t, &state, "state", &q->d) == 0 &&
	    fw_generate_config(&q->ctx, res, &state, &config, &q->d) == 0) {
		rs->config = dv_encode(q->a, &config, t, &q->d);
		cty_value_release(&config);
	}
	cty_value_release(&state);
	return 0;
}

int tf6_read_data_source(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__ReadDataSource__Request *rq = (const void *)req;
	Tfplugin6__ReadDataSource__Response *rs = (void *)resp;
	const struct cty_type *t;
	const struct fw_data_source *ds = (const struct fw_data_source *)tf6_find(q, FW_KIND_DATA_SOURCE, q->type_name,
										  &t);
	struct cty_value config, state;

	if (!ds)
		return 0;
	if (dv_decode(rq->config, t, &config, "data source configuration", &q->d) == 0) {
		if (fw_read_data(&q->ctx, ds, &config, &state, &q->d) == 0)
			rs->state = dv_encode(q->a, &state, t, &q->d);
		cty_value_release(&state);
	}
	cty_value_release(&config);
	return 0;
}
