/* SPDX-License-Identifier: MIT */
/*
 * tf6_list: ListResource (server streaming) and the extra checks of ValidateListResourceConfig.
 * The list callback reads pages lazily and calls fw_list_emit() per object; each call here
 * builds one ListResource.Event (identity, display name, and when asked the full object with
 * every sensitive and write-only attribute null) in its own arena and sends it at once, so memory
 * does not grow with the number of results. Errors end the stream with one Event carrying only
 * diagnostics.
 */
#include <stdio.h>
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "common/log.h"
#include "framework/fw.h"
#include "framework/tf6_pb.h"

struct list_run {
	struct fw_list_out out; /* first: the callback gets &out */
	struct tf6_req *q;
	const struct fw_resource *res;
	const struct cty_type *rtype;
};

static int send_event(struct tf6_req *q, Tfplugin6__ListResource__Event *ev)
{
	struct buf b;
	int r;

	if (!q->call->emit)
		return ERR_INTERNAL;
	buf_init_secret(&b, 256u << 20);
	r = tf6_pack(&b, &ev->base);
	if (r == 0)
		r = q->call->emit(q->call->emit_ctx, (const uint8_t *)b.data, b.len);
	buf_release(&b);
	return r;
}

static int emit_event(struct fw_list_out *out, const struct cty_value *state, const char *display_name)
{
	struct list_run *lr = (struct list_run *)out;
	struct tf6_req *q = lr->q;
	struct arena a = { 0 };
	Tfplugin6__ListResource__Event ev;
	struct cty_value obj;
	size_t i;
	int r;

	if (fw_ctx_cancelled(&q->ctx))
		return ERR_CANCELED;
	if (state->st != CTY_KNOWN || state->type != lr->rtype)
		return ERR_INVAL;
	tfplugin6__list_resource__event__init(&ev);
	ev.display_name = ar_strdup(&a, display_name ? display_name : "");
	ev.identity = identity_pb(&a, &q->ctx, lr->res, state, &q->d);
	if (!ev.identity) {
		ar_free(&a);
		fw_error(&q->d, NULL, "Provider error", "A %s result has no identity.", lr->res->type_name);
		return ERR_INTERNAL;
	}
	if (out->include_object) {
		r = cty_value_copy(&obj, state);
		for (i = 0; r == 0 && lr->res->attrs[i].name; i++) {
			if (lr->res->attrs[i].flags & (FW_SENSITIVE | FW_WRITE_ONLY))
				r = fw_set_null(&obj, lr->res->attrs[i].name);
		}
		if (r == 0) {
			ev._resource_object_case = TFPLUGIN6__LIST_RESOURCE__EVENT___RESOURCE_OBJECT_RESOURCE_OBJECT;
			ev.resource_object = dv_encode(&a, &obj, lr->rtype, &q->d);
		}
		cty_value_release(&obj);
		if (r < 0) {
			ar_free(&a);
			return r;
		}
	}
	r = a.oom ? ERR_NOMEM : send_event(q, &ev);
	ar_free(&a);
	return r;
}

int tf6_list_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__ListResource__Request *rq = (const void *)req;
	const struct cty_type *t = NULL;
	const struct fw_list *l = (const struct fw_list *)tf6_find(q, FW_KIND_LIST, q->type_name, &t);
	struct list_run lr = { .q = q };
	struct cty_value config;
	char count[24];
	int r = 0;

	cty_value_null(&config, t ? t : &cty_dynamic);
	if (l && rq->limit < 0)
		fw_error(&q->d, NULL, "Invalid limit", "The list limit must be zero or more, got %lld.",
			 (long long)rq->limit);
	if (l && !fw_diags_has_error(&q->d) &&
	    dv_decode(rq->config, t, &config, "list resource configuration", &q->d) == 0) {
		if (config.st == CTY_NULL) /* a list block without config: no filter */
			r = cty_value_object(&config, t);
		if (r == 0 && !cty_value_wholly_known(&config))
			fw_error(&q->d, NULL, "Invalid configuration", "The list configuration must be known.");
		else if (r == 0)
			fw_validate_config(&q->ctx, l->attrs, l->rules, &config, &q->d);
		if (r == 0 && !fw_diags_has_error(&q->d) && l->validate)
			l->validate(&q->ctx, &config, &q->d);
		if (r == 0 && !fw_diags_has_error(&q->d)) {
			lr.res = l->resource;
			lr.rtype = fw_resource_type(q->fw, l->resource);
			lr.out.emit = emit_event;
			lr.out.limit = rq->limit;
			lr.out.include_object = rq->include_resource_object;
			r = l->list(&q->ctx, &config, &lr.out, &q->d);
			if (r == ERR_CANCELED || fw_ctx_cancelled(&q->ctx)) {
				cty_value_release(&config);
				return ERR_CANCELED;
			}
			if (r < 0 && !fw_diags_has_error(&q->d))
				fw_error(&q->d, NULL, "List failed", "Listing %s failed: %s.", l->type_name,
					 err_str(r));
		}
	}
	cty_value_release(&config);
	snprintf(count, sizeof(count), "%lld", (long long)lr.out.count);
	log_kv(LOG_DEBUG, "List results sent", "results", count, NULL);
	if (q->d.n || q->d.lost) {
		Tfplugin6__ListResource__Event ev;
		size_t n = 0;

		tfplugin6__list_resource__event__init(&ev);
		ev.diagnostic = diags_pb(q->a, &q->d, &n);
		ev.n_diagnostic = n;
		return q->a->oom ? ERR_NOMEM : send_event(q, &ev);
	}
	return 0;
}

int tf6_validate_list_extras(struct tf6_req *q, const ProtobufCMessage *req)
{
	const Tfplugin6__ValidateListResourceConfig__Request *rq = (const void *)req;
	struct cty_value limit, inc;

	if (dv_decode(rq->limit, &cty_number, &limit, "limit", &q->d) == 0 && limit.st == CTY_KNOWN) {
		int64_t n;

		if (cty_number_to_int64(&limit, &n) < 0 || n < 0)
			fw_error(&q->d, NULL, "Invalid limit",
				 "The list block's limit must be a whole number, zero "
				 "or more.");
	}
	dv_decode(rq->include_resource_object, &cty_bool, &inc, "include_resource", &q->d);
	cty_value_release(&limit);
	cty_value_release(&inc);
	return 0;
}
