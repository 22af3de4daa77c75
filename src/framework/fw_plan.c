/* SPDX-License-Identifier: MIT */
/*
 * fw_plan: Terraform's plan and apply rules (docs/plugin-protocol.md §7), applied centrally.
 * Plan: computed attributes unknown on create, prior values kept on update (unless
 * FW_PLAN_UNKNOWN_ON_UPDATE), semantic equality keeps the prior form, write-only values null,
 * requires_replace from FW_PLAN_REPLACE, and a self-check of the result against
 * objchange.AssertPlanValid. Apply: the callback's state is reconciled with the plan so that a
 * known planned value is never changed (a semantic-equal form is replaced by the planned one; a
 * real difference is reported as a provider bug and the planned value is kept). Read, import,
 * upgrade and data source reads get the same write-only and wholly-known guarantees.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "framework/fw.h"

#define BUG_SUMMARY "Provider produced an inconsistent result (provider bug)"

static int computed_only(const struct fw_attr *a)
{
	return (a->flags & (FW_COMPUTED | FW_OPTIONAL | FW_REQUIRED)) == FW_COMPUTED;
}

static struct cty_value *slot(const struct cty_value *obj, const struct fw_attr *a)
{
	return cty_object_attr(obj, a->name);
}

static void set_unknown(struct cty_value *v)
{
	const struct cty_type *t = v->type;

	cty_value_release(v);
	cty_value_unknown(v, t);
}

static void set_null(struct cty_value *v)
{
	const struct cty_type *t = v->type;

	cty_value_release(v);
	cty_value_null(v, t);
}

/* Write-only attributes are null everywhere but in config. */
static void null_write_only(const struct fw_attr *attrs, struct cty_value *obj)
{
	size_t i;

	if (obj->st != CTY_KNOWN)
		return;
	for (i = 0; attrs[i].name; i++) {
		if (attrs[i].flags & FW_WRITE_ONLY) {
			struct cty_value *v = slot(obj, &attrs[i]);

			if (v)
				set_null(v);
		}
	}
}

/* Unknowns cannot be stored: replace them by null and report the bug. */
static void null_unknowns(const struct fw_attr *attrs, struct cty_value *obj, struct fw_diags *d, const char *what)
{
	size_t i;

	if (obj->st != CTY_KNOWN)
		return;
	for (i = 0; attrs[i].name; i++) {
		struct cty_value *v = slot(obj, &attrs[i]);

		if (v && !cty_value_wholly_known(v)) {
			fw_error(d, attrs[i].name, BUG_SUMMARY,
				 "%s left attribute \"%s\" unknown; it was stored as null.", what, attrs[i].name);
			set_null(v);
		}
	}
}

/* objchange.AssertPlanValid, per top-level attribute; a violation is our bug, said clearly. */
static void assert_plan_valid(const struct fw_resource *r, const struct cty_value *prior,
			      const struct cty_value *config, const struct cty_value *planned, struct fw_diags *d)
{
	size_t i;

	for (i = 0; r->attrs[i].name; i++) {
		const struct fw_attr *a = &r->attrs[i];
		struct cty_value *pv = slot(planned, a), *cv = slot(config, a);
		struct cty_value *ov = prior->st == CTY_KNOWN ? slot(prior, a) : NULL;

		if (!pv || !cv)
			continue;
		if (a->flags & FW_WRITE_ONLY) {
			if (pv->st != CTY_NULL)
				fw_error(d, a->name, BUG_SUMMARY, "Planned a value for write-only attribute \"%s\".",
					 a->name);
			continue;
		}
		if (computed_only(a) || cty_value_equal(pv, cv))
			continue;
		if (ov && ov->st != CTY_NULL && cv->st != CTY_NULL && cty_value_equal(pv, ov))
			continue;
		if ((a->flags & FW_COMPUTED) && cv->st == CTY_NULL)
			continue;
		fw_error(d, a->name, BUG_SUMMARY,
			 "The planned value of \"%s\" matches neither the configuration nor the "
			 "prior state.",
			 a->name);
	}
}

/* Exactly-one-of and at-most-one-of rules seen with the plan's configuration, where a value
 * unknown until apply (a reference to another resource) counts as set: two such references
 * cannot both end up null, and validation, which must tolerate unknowns, let them through.
 * Two known values were already reported at validate time. */
static void plan_rules(const struct fw_resource *r, const struct cty_value *config, struct fw_diags *d)
{
	size_t i, k, nset, nunknown;
	const char *last;
	struct buf names;

	for (i = 0; r->rules && r->rules[i].attrs; i++) {
		const struct fw_rule *rule = &r->rules[i];

		if (rule->kind != FW_EXACTLY_ONE_OF && rule->kind != FW_AT_MOST_ONE_OF)
			continue;
		nset = nunknown = 0;
		last = NULL;
		buf_init(&names, 1024);
		for (k = 0; rule->attrs[k]; k++) {
			const struct cty_value *v = cty_object_attr(config, rule->attrs[k]);

			if (!v || v->st == CTY_NULL)
				continue;
			nunknown += v->st == CTY_UNKNOWN;
			buf_printf(&names, "%s\"%s\"", nset ? " and " : "", rule->attrs[k]);
			nset++;
			last = rule->attrs[k];
		}
		if (nset > 1 && nunknown)
			fw_error(d, last, "Invalid attribute combination",
				 "Only one of %s may be set, but they are %s set (a value known only after apply, "
				 "such as a reference to another resource, counts as set).",
				 names.data ? names.data : "", nset == 2 ? "both" : "all");
		buf_release(&names);
	}
}

int fw_plan(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *prior,
	    const struct cty_value *proposed, const struct cty_value *config, struct cty_value *planned,
	    struct fw_replace *replace, struct fw_diags *d)
{
	const struct cty_type *t = fw_resource_type(ctx->fw, r);
	int creating = prior->st != CTY_KNOWN, changed = 0, rc;
	size_t i;

	replace->n = 0;
	cty_value_null(planned, t);
	if (proposed->st != CTY_KNOWN)
		return 0; /* destroy: the planned state is null */
	plan_rules(r, config, d);
	if (fw_diags_has_error(d))
		return ERR_INVAL;
	rc = cty_value_copy(planned, proposed);
	if (rc < 0)
		return rc;
	for (i = 0; r->attrs[i].name; i++) {
		const struct fw_attr *a = &r->attrs[i];
		struct cty_value *pv = slot(planned, a), *cv = slot(config, a);
		struct cty_value *ov = creating ? NULL : slot(prior, a);

		if (!pv)
			continue;
		if (a->flags & FW_WRITE_ONLY) {
			set_null(pv);
			continue;
		}
		if (creating) {
			/* Computed values not given in config are what the API will tell us. */
			if ((a->flags & FW_COMPUTED) && cv && cv->st == CTY_NULL)
				set_unknown(pv);
			continue;
		}
		/* Update: an equal value in another spelling keeps the prior spelling. */
		if (a->semeq && ov && ov->st == CTY_KNOWN && pv->st == CTY_KNOWN && !cty_value_equal(pv, ov) &&
		    a->semeq(pv, ov)) {
			rc = cty_value_assign(pv, ov);
			if (rc < 0)
				return rc;
		}
		if (ov && !computed_only(a) && !cty_value_equal(pv, ov))
			changed = 1;
	}
	for (i = 0; !creating && r->attrs[i].name; i++) {
		const struct fw_attr *a = &r->attrs[i];
		struct cty_value *pv = slot(planned, a), *cv = slot(config, a), *ov = slot(prior, a);

		if (!pv || !ov || (a->flags & FW_WRITE_ONLY))
			continue;
		if (changed && (a->plan & FW_PLAN_UNKNOWN_ON_UPDATE) && !(a->plan & FW_PLAN_USE_STATE) &&
		    (a->flags & FW_COMPUTED) && cv && cv->st == CTY_NULL)
			set_unknown(pv);
		if ((a->plan & FW_PLAN_REPLACE) && (pv->st == CTY_UNKNOWN || !cty_value_equal(pv, ov)) &&
		    replace->n < sizeof(replace->attrs) / sizeof(replace->attrs[0]))
			replace->attrs[replace->n++] = a->name;
	}
	if (r->modify_plan) {
		rc = r->modify_plan(ctx, creating ? NULL : prior, config, planned, d);
		if (rc < 0 || fw_diags_has_error(d))
			return rc < 0 ? rc : ERR_INVAL;
		null_write_only(r->attrs, planned);
	}
	assert_plan_valid(r, prior, config, planned, d);
	return fw_diags_has_error(d) ? ERR_INVAL : 0;
}

/* Make state agree with every known planned value (AssertObjectCompatible). */
static void reconcile(const struct fw_resource *r, const struct cty_value *planned, struct cty_value *state,
		      struct fw_diags *d)
{
	size_t i;

	for (i = 0; r->attrs[i].name; i++) {
		const struct fw_attr *a = &r->attrs[i];
		struct cty_value *pv = slot(planned, a), *sv = slot(state, a);

		if (!pv || !sv)
			continue;
		if (a->flags & FW_WRITE_ONLY) {
			set_null(sv);
			continue;
		}
		if (!cty_value_wholly_known(pv)) {
			if (!cty_value_wholly_known(sv)) {
				fw_error(d, a->name, BUG_SUMMARY,
					 "Attribute \"%s\" is still unknown after apply; it was "
					 "stored as null.",
					 a->name);
				set_null(sv);
			}
			continue;
		}
		if (cty_value_equal(pv, sv))
			continue;
		if (!(a->semeq && sv->st == CTY_KNOWN && pv->st == CTY_KNOWN && a->semeq(pv, sv)))
			fw_error(d, a->name, BUG_SUMMARY,
				 "Apply returned a value of \"%s\" different from the planned one; "
				 "the planned value was kept.",
				 a->name);
		if (cty_value_assign(sv, pv) < 0) {
			fw_error(d, a->name, "Out of memory", "Cannot store attribute \"%s\".", a->name);
			set_null(sv);
		}
	}
}

/* A create that failed before anything existed: the resource has an "id" attribute and the
 * callback left it unset (null or unknown). */
static int created_nothing(const struct fw_resource *r, const struct cty_value *state)
{
	const struct cty_value *id = cty_object_attr(state, "id");

	(void)r;
	return id && (id->st != CTY_KNOWN || (id->type->kind == CTY_STRING && id->len == 0));
}

int fw_apply(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *prior,
	     const struct cty_value *planned, const struct cty_value *config, struct cty_value *new_state,
	     struct fw_diags *d)
{
	const struct cty_type *t = fw_resource_type(ctx->fw, r);
	int rc = 0;

	cty_value_null(new_state, t);
	if (planned->st != CTY_KNOWN) {
		/* delete */
		if (prior->st != CTY_KNOWN)
			return 0;
		if (fw_ctx_cancelled(ctx)) {
			fw_error(d, NULL, "Operation cancelled", "The provider was asked to stop before deleting.");
			rc = ERR_CANCELED;
		} else {
			rc = r->del(ctx, prior, d);
		}
		if (rc < 0 || fw_diags_has_error(d)) {
			/* still there: keep the prior state */
			int r2 = cty_value_copy(new_state, prior);

			return r2 < 0 ? r2 : (rc < 0 ? rc : ERR_INVAL);
		}
		return 0;
	}
	if (fw_ctx_cancelled(ctx)) {
		fw_error(d, NULL, "Operation cancelled", "The provider was asked to stop before applying.");
		if (prior->st == CTY_KNOWN)
			return cty_value_copy(new_state, prior) < 0 ? ERR_NOMEM : ERR_CANCELED;
		return ERR_CANCELED;
	}
	rc = cty_value_copy(new_state, planned);
	if (rc < 0)
		return rc;
	if (prior->st != CTY_KNOWN)
		rc = r->create(ctx, config, new_state, d);
	else if (r->update)
		rc = r->update(ctx, prior, config, new_state, d);
	else {
		fw_error(d, NULL, BUG_SUMMARY, "Resource %s cannot be updated in place.", r->type_name);
		rc = ERR_UNSUPPORTED;
	}
	if (rc < 0 || fw_diags_has_error(d)) {
		if (prior->st == CTY_KNOWN) {
			/* failed update: the prior state stands */
			cty_value_release(new_state);
			if (cty_value_copy(new_state, prior) < 0)
				cty_value_null(new_state, t);
		} else if (new_state->st == CTY_KNOWN && !created_nothing(r, new_state)) {
			/* failed create that created something: keep what is known (Terraform taints it) */
			null_unknowns(r->attrs, new_state, d, "A failed create");
			null_write_only(r->attrs, new_state);
		} else {
			/* failed create that created nothing: no state at all, only the callback's
			 * diagnostics (never a phantom with a null id that a later destroy would trip on) */
			cty_value_release(new_state);
			cty_value_null(new_state, t);
		}
		return rc < 0 ? rc : ERR_INVAL;
	}
	if (new_state->st != CTY_KNOWN) {
		fw_error(d, NULL, BUG_SUMMARY, "Apply of %s returned no object and no error.", r->type_name);
		return ERR_INTERNAL;
	}
	reconcile(r, planned, new_state, d);
	null_write_only(r->attrs, new_state);
	return fw_diags_has_error(d) ? ERR_INVAL : 0;
}

int fw_read(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *current,
	    struct cty_value *new_state, struct fw_diags *d)
{
	const struct cty_type *t = fw_resource_type(ctx->fw, r);
	size_t i;
	int rc;

	cty_value_null(new_state, t);
	if (current->st != CTY_KNOWN)
		return 0;
	rc = cty_value_copy(new_state, current);
	if (rc < 0)
		return rc;
	rc = r->read(ctx, new_state, d);
	if (rc < 0 || fw_diags_has_error(d)) {
		/* keep the current state on error: Terraform must not forget the object */
		cty_value_release(new_state);
		rc = rc < 0 ? rc : ERR_INVAL;
		return cty_value_copy(new_state, current) < 0 ? ERR_NOMEM : rc;
	}
	if (new_state->st != CTY_KNOWN)
		return 0; /* gone */
	/* equal values in another spelling keep the stored spelling: no spurious drift */
	for (i = 0; r->attrs[i].name; i++) {
		const struct fw_attr *a = &r->attrs[i];
		struct cty_value *nv = slot(new_state, a), *ov = slot(current, a);

		if (a->semeq && nv && ov && nv->st == CTY_KNOWN && ov->st == CTY_KNOWN && !cty_value_equal(nv, ov) &&
		    a->semeq(nv, ov)) {
			rc = cty_value_assign(nv, ov);
			if (rc < 0)
				return rc;
		}
	}
	null_unknowns(r->attrs, new_state, d, "Read");
	null_write_only(r->attrs, new_state);
	return fw_diags_has_error(d) ? ERR_INVAL : 0;
}

int fw_import(const struct fw_ctx *ctx, const struct fw_resource *r, const char *id, struct cty_value *state,
	      struct fw_diags *d)
{
	const struct cty_type *t = fw_resource_type(ctx->fw, r);
	int rc = cty_value_object(state, t);

	if (rc < 0)
		return rc;
	if (r->import) {
		rc = r->import(ctx, id, state, d);
	} else if (cty_type_attr_index(t, "id") >= 0) {
		rc = fw_set_cstring(state, "id", id);
	} else {
		fw_error(d, NULL, "Import not supported", "Resource %s cannot be imported.", r->type_name);
		rc = ERR_UNSUPPORTED;
	}
	if (rc < 0 || fw_diags_has_error(d)) {
		cty_value_release(state);
		cty_value_null(state, t);
		return rc < 0 ? rc : ERR_INVAL;
	}
	null_unknowns(r->attrs, state, d, "Import");
	null_write_only(r->attrs, state);
	return 0;
}

int fw_upgrade(const struct fw_ctx *ctx, const struct fw_resource *r, int64_t version, const char *json,
	       size_t json_len, struct cty_value *state, struct fw_diags *d)
{
	const struct cty_type *t = fw_resource_type(ctx->fw, r);
	const char *why = NULL;
	int rc;

	if (version > r->version) {
		cty_value_null(state, t);
		fw_error(d, NULL, "Unsupported state version",
			 "The state of %s was written by a newer provider "
			 "(schema version %lld, this provider knows %lld).",
			 r->type_name, (long long)version, (long long)r->version);
		return ERR_UNSUPPORTED;
	}
	rc = cty_json_decode(json, json_len, t, state, &why);
	if (rc < 0) {
		fw_error(d, NULL, "Invalid stored state", "The stored state of %s cannot be read: %s.", r->type_name,
			 why ? why : err_str(rc));
		return rc;
	}
	if (version < r->version && r->upgrade) {
		rc = r->upgrade(ctx, version, state, d);
		if (rc < 0 || fw_diags_has_error(d)) {
			cty_value_release(state);
			cty_value_null(state, t);
			return rc < 0 ? rc : ERR_INVAL;
		}
	}
	null_write_only(r->attrs, state);
	return 0;
}

int fw_read_data(const struct fw_ctx *ctx, const struct fw_data_source *ds, const struct cty_value *config,
		 struct cty_value *state, struct fw_diags *d)
{
	const struct cty_type *t = fw_data_source_type(ctx->fw, ds);
	size_t i;
	int rc;

	cty_value_null(state, t);
	if (config->st != CTY_KNOWN) {
		fw_error(d, NULL, "Invalid configuration", "Data source %s has no configuration.", ds->type_name);
		return ERR_INVAL;
	}
	rc = cty_value_copy(state, config);
	if (rc < 0)
		return rc;
	for (i = 0; ds->attrs[i].name; i++) {
		struct cty_value *v = slot(state, &ds->attrs[i]);

		if (v && (computed_only(&ds->attrs[i]) || (ds->attrs[i].flags & FW_WRITE_ONLY)))
			set_null(v);
	}
	rc = ds->read(ctx, config, state, d);
	if (rc == 0 && !fw_diags_has_error(d) && state->st != CTY_KNOWN) {
		fw_error(d, NULL, BUG_SUMMARY, "Data source %s returned no object.", ds->type_name);
		rc = ERR_INTERNAL;
	}
	if (rc < 0 || fw_diags_has_error(d)) {
		cty_value_release(state);
		cty_value_null(state, t);
		return rc < 0 ? rc : ERR_INVAL;
	}
	/* arguments the user set come back as configured */
	for (i = 0; ds->attrs[i].name; i++) {
		const struct fw_attr *a = &ds->attrs[i];
		struct cty_value *sv = slot(state, a), *cv = slot(config, a);

		if (!sv || !cv || computed_only(a) || (a->flags & FW_WRITE_ONLY) || cv->st == CTY_NULL)
			continue;
		if (!cty_value_equal(sv, cv)) {
			if (!(a->semeq && sv->st == CTY_KNOWN && a->semeq(sv, cv)))
				fw_error(d, a->name, BUG_SUMMARY, "Data source changed the configured argument \"%s\".",
					 a->name);
			rc = cty_value_assign(sv, cv);
			if (rc < 0)
				return rc;
		}
	}
	null_unknowns(ds->attrs, state, d, "Data source read");
	null_write_only(ds->attrs, state);
	return fw_diags_has_error(d) ? ERR_INVAL : 0;
}

int fw_open_ephemeral(const struct fw_ctx *ctx, const struct fw_ephemeral *e, const struct cty_value *config,
		      struct cty_value *result, struct buf *priv, int64_t *renew_at, struct fw_diags *d)
{
	const struct cty_type *t = fw_ephemeral_type(ctx->fw, e);
	size_t i;
	int rc, known = cty_value_wholly_known(config);

	*renew_at = 0;
	cty_value_null(result, t);
	if (config->st != CTY_KNOWN) {
		fw_error(d, NULL, "Invalid configuration", "Ephemeral resource %s has no configuration.", e->type_name);
		return ERR_INVAL;
	}
	rc = cty_value_copy(result, config);
	if (rc < 0)
		return rc;
	for (i = 0; e->attrs[i].name; i++) {
		struct cty_value *v = slot(result, &e->attrs[i]);

		if (v && computed_only(&e->attrs[i])) {
			if (known)
				set_null(v);
			else
				set_unknown(v);
		}
	}
	if (!known)
		return 0; /* opened once the configuration is known */
	if (fw_ctx_cancelled(ctx)) {
		fw_error(d, NULL, "Operation cancelled", "The provider was asked to stop.");
		rc = ERR_CANCELED;
	} else {
		rc = e->open(ctx, config, result, priv, renew_at, d);
	}
	if (rc == 0 && !fw_diags_has_error(d) && result->st != CTY_KNOWN) {
		fw_error(d, NULL, BUG_SUMMARY, "Ephemeral resource %s returned no object.", e->type_name);
		rc = ERR_INTERNAL;
	}
	if (rc < 0 || fw_diags_has_error(d)) {
		cty_value_release(result);
		cty_value_null(result, t);
		return rc < 0 ? rc : ERR_INVAL;
	}
	for (i = 0; e->attrs[i].name; i++) {
		const struct fw_attr *a = &e->attrs[i];
		struct cty_value *rv = slot(result, a), *cv = slot(config, a);

		if (!rv || !cv || computed_only(a) || cty_value_equal(rv, cv))
			continue;
		if ((a->flags & FW_COMPUTED) && cv->st == CTY_NULL)
			continue;
		fw_error(d, a->name, BUG_SUMMARY, "Open changed the configured argument \"%s\".", a->name);
		rc = cty_value_assign(rv, cv);
		if (rc < 0)
			return rc;
	}
	null_unknowns(e->attrs, result, d, "Open");
	return fw_diags_has_error(d) ? ERR_INVAL : 0;
}
