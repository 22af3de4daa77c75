/* SPDX-License-Identifier: MIT */
/*
 * fw: the resource framework. A provider, its resources and data sources are declared once, as
 * static tables (attributes with type, flags, validators and plan modifiers) plus callbacks that
 * work on cty object values. The framework applies Terraform's rules centrally (validation with
 * attribute paths, unknown computed values on create, prior computed values kept on update,
 * requires-replace, write-only values never planned or stored, known planned values never changed
 * at apply) so that no resource re-implements them. tf6.c maps the tfplugin6 RPCs onto it.
 *
 * Declaring a resource (see docs/framework.md):
 *
 *   static const struct fw_attr thing_attrs[] = {
 *       { .name = "id", .type = &cty_string, .flags = FW_COMPUTED, .description = "..." },
 *       { .name = "name", .type = &cty_string, .flags = FW_REQUIRED, .plan = FW_PLAN_REPLACE,
 *         .validators = (const struct fw_validator[]){ FW_V_LEN(1, 64), { 0 } } },
 *       { 0 } };
 *   const struct fw_resource thing = { .type_name = "scaleway_thing", .attrs = thing_attrs,
 *       .create = thing_create, .read = thing_read, .update = thing_update, .del = thing_delete };
 *
 * and listing &thing in the provider's `resources` table. Callbacks must never log or put in a
 * diagnostic the value of a sensitive or write-only attribute.
 */
#ifndef FRAMEWORK_FW_H
#define FRAMEWORK_FW_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "tfplugin/cty.h"

/* ---- diagnostics ---- */

enum fw_severity { FW_ERROR = 1, FW_WARNING = 2 };
enum fw_step_kind { FW_STEP_ATTR, FW_STEP_KEY, FW_STEP_INDEX };

#define FW_PATH_MAX 8

struct fw_step {
	enum fw_step_kind kind;
	char *name;    /* FW_STEP_ATTR: attribute name; FW_STEP_KEY: map key (owned copies) */
	int64_t index; /* FW_STEP_INDEX: list or tuple index */
};

struct fw_diag {
	enum fw_severity severity;
	char *summary;
	char *detail;
	size_t npath;
	struct fw_step path[FW_PATH_MAX];
};

struct fw_diags {
	size_t n, cap;
	struct fw_diag *v;
	int lost; /* diagnostics dropped for lack of memory (reported as one generic error) */
};

void fw_diags_init(struct fw_diags *d);
void fw_diags_release(struct fw_diags *d);
/* 1 when an error (or a lost diagnostic) is present. */
int fw_diags_has_error(const struct fw_diags *d);
/* Add a diagnostic about top-level attribute attr (NULL: the whole block). detail is printf-style
 * and may be NULL. Returns 0 or ERR_NOMEM (then d->lost is set: nothing is silently dropped). */
int fw_diag(struct fw_diags *d, enum fw_severity sev, const char *attr, const char *summary,
	    const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
/* Same with a full attribute path. */
int fw_diag_path(struct fw_diags *d, enum fw_severity sev, const struct fw_step *path, size_t npath,
		 const char *summary, const char *detail_fmt, ...) __attribute__((format(printf, 6, 7)));
#define fw_error(d, attr, summary, ...) fw_diag((d), FW_ERROR, (attr), (summary), __VA_ARGS__)
#define fw_warning(d, attr, summary, ...) fw_diag((d), FW_WARNING, (attr), (summary), __VA_ARGS__)

/* ---- schema declarations ---- */

enum fw_attr_flags {
	FW_REQUIRED = 1 << 0,
	FW_OPTIONAL = 1 << 1,
	FW_COMPUTED = 1 << 2,  /* with FW_OPTIONAL: optional+computed */
	FW_SENSITIVE = 1 << 3, /* redacted by Terraform; never echoed by the framework */
	FW_WRITE_ONLY = 1 << 4 /* config only: always null in plans and state */
};

enum fw_plan_flags {
	/* A change of this attribute (known different value, or unknown) replaces the resource. */
	FW_PLAN_REPLACE = 1 << 0,
	/* Computed attribute: on update keep the prior value (UseStateForUnknown). This is the
	 * framework's default for every computed attribute; the flag states it explicitly and wins
	 * over FW_PLAN_UNKNOWN_ON_UPDATE. */
	FW_PLAN_USE_STATE = 1 << 1,
	/* Computed attribute that the API changes on every update (e.g. updated_at): planned unknown
	 * whenever any other attribute changes. */
	FW_PLAN_UNKNOWN_ON_UPDATE = 1 << 2,
};

struct fw_validator;
/* 0 when v (known, non-null) is valid; else a negative ERR_* with a reason appended to why
 * (the reason must not contain the value: the framework adds it when not sensitive). */
typedef int (*fw_validate_fn)(const struct fw_validator *self, const struct cty_value *v, struct buf *why);

struct fw_validator {
	fw_validate_fn fn;
	int64_t min, max;           /* lengths (FW_V_LEN) */
	const char *pattern;        /* POSIX extended regex anchored by the author (FW_V_REGEX) */
	const char *what;           /* human name of the expected form (FW_V_REGEX) */
	const char *const *one_of;  /* NULL-terminated allowed strings (FW_V_ONE_OF) */
};

int fw_v_uuid(const struct fw_validator *self, const struct cty_value *v, struct buf *why);
/* Strings: length in characters; lists, sets and maps: number of elements (unknown collections
 * pass). max <= 0: no upper bound. */
int fw_v_len(const struct fw_validator *self, const struct cty_value *v, struct buf *why);
int fw_v_regex(const struct fw_validator *self, const struct cty_value *v, struct buf *why);
int fw_v_one_of(const struct fw_validator *self, const struct cty_value *v, struct buf *why);
int fw_v_rfc3339(const struct fw_validator *self, const struct cty_value *v, struct buf *why);
int fw_v_rfc3339_future(const struct fw_validator *self, const struct cty_value *v, struct buf *why);
int fw_v_http_url(const struct fw_validator *self, const struct cty_value *v, struct buf *why);

#define FW_V_UUID { .fn = fw_v_uuid }
#define FW_V_LEN(lo, hi) { .fn = fw_v_len, .min = (lo), .max = (hi) }
#define FW_V_REGEX(re, descr) { .fn = fw_v_regex, .pattern = (re), .what = (descr) }
#define FW_V_ONE_OF(list) { .fn = fw_v_one_of, .one_of = (list) }
#define FW_V_RFC3339 { .fn = fw_v_rfc3339 }
#define FW_V_RFC3339_FUTURE { .fn = fw_v_rfc3339_future }
#define FW_V_HTTP_URL { .fn = fw_v_http_url }

/* Semantic equality: 1 when two known values of the attribute mean the same thing. */
typedef int (*fw_semeq_fn)(const struct cty_value *a, const struct cty_value *b);
/* RFC 3339 strings denoting the same instant ("2030-01-01T01:00:00+01:00" == "...T00:00:00Z"). */
int fw_semeq_rfc3339(const struct cty_value *a, const struct cty_value *b);

struct fw_attr {
	const char *name;          /* ^[a-z0-9_]+$; NULL ends the table */
	const char *description;
	struct cty_type *type;
	unsigned flags;            /* enum fw_attr_flags */
	unsigned plan;             /* enum fw_plan_flags */
	const struct fw_validator *validators; /* ends with { 0 }; NULL: none */
	/* List, set or map attributes: validators run on every known, non-null element; errors carry
	 * the element's path (list index, map key; a set stops at the attribute). */
	const struct fw_validator *elem_validators;
	fw_semeq_fn semeq;         /* keep the prior (or planned) form of an equal value */
	/* A nested block of NestingMode LIST (HCL `name { ... }`, repeatable, order kept): its
	 * attributes (no computed ones; no deeper blocks). The value is a list of objects of them
	 * (type left NULL: the framework builds it); FW_REQUIRED means at least one block. */
	const struct fw_attr *block;
};

enum fw_rule_kind {
	FW_EXACTLY_ONE_OF, /* exactly one of attrs set (unknowns tolerated at validate time) */
	FW_AT_MOST_ONE_OF, /* conflicts-with: at most one set */
	FW_AT_LEAST_ONE_OF,
	FW_REQUIRED_WITH, /* when attrs[0] is set, every other attribute of attrs must be set too */
};

struct fw_rule {
	enum fw_rule_kind kind;
	const char *const *attrs; /* NULL-terminated; a NULL attrs ends the rule table */
};

/* ---- callbacks ---- */

struct fw_ctx {
	const volatile int *cancel; /* the call was cancelled (client went away) */
	/* StopProvider was received: process-wide, never reset. A lower layer that polls one flag
	 * (the API client's retry loop and transfers) should be given this one; a call cancelled by
	 * the transport alone (its connection gone) ends with the process anyway. */
	const volatile int *stop;
	void *provider_data;        /* what the provider's configure callback stored, or NULL */
	const char *terraform_version;
	struct fw *fw;              /* the registered provider this call belongs to */
};

/* 1 once the current operation should stop (cancelled call or StopProvider). */
int fw_ctx_cancelled(const struct fw_ctx *ctx);

/*
 * Every declaration (resource, data source, ephemeral resource, list resource) starts with the
 * same head, so that the framework and the tfplugin6 mapping handle every kind through one table
 * (struct fw_kind) instead of one copy per kind. Declarations name the fields directly
 * (`.type_name = ...`); the framework reads them through `.decl`.
 */
#define FW_DECL_FIELDS                                                                                  \
	const char *type_name;                                                                          \
	const char *description;                                                                        \
	int64_t version; /* schema version (resources; 0 elsewhere) */                                  \
	const struct fw_attr *attrs;                                                                    \
	const struct fw_rule *rules;                                                                    \
	/* Extra configuration checks after the validators and rules (config wholly an object). */      \
	int (*validate)(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d)

struct fw_decl {
	FW_DECL_FIELDS;
};

#define FW_DECL_HEAD                                                                                    \
	union {                                                                                         \
		struct fw_decl decl;                                                                    \
		struct {                                                                                \
			FW_DECL_FIELDS;                                                                 \
		};                                                                                      \
	}

/*
 * Callback conventions: values are cty objects of the resource's type; `state` arrives as a copy
 * of the planned (create/update) or current (read) value, and the callback sets what it learns
 * with the fw_set_* helpers. Return 0, or a negative ERR_* after adding an error diagnostic.
 * A create that created nothing sets state to null (cty_value_release + cty_value_null).
 * A read that finds the object gone sets state to null.
 */
struct fw_resource {
	FW_DECL_HEAD;
	/* After the framework's plan rules: adjust planned (prior is null on create). Optional. */
	int (*modify_plan)(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			   struct cty_value *planned, struct fw_diags *d);
	int (*create)(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
		      struct fw_diags *d);
	int (*read)(const struct fw_ctx *ctx, struct cty_value *state, struct fw_diags *d);
	int (*update)(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
		      struct cty_value *state, struct fw_diags *d);
	int (*del)(const struct fw_ctx *ctx, const struct cty_value *prior, struct fw_diags *d);
	/* Import by id. Optional: by default the state is {id = id, everything else null}. */
	int (*import)(const struct fw_ctx *ctx, const char *id, struct cty_value *state, struct fw_diags *d);
	/* Upgrade state stored at an older version: JSON decoded under the current type (missing
	 * attributes null) is passed in state for adjustment. Optional. */
	int (*upgrade)(const struct fw_ctx *ctx, int64_t from_version, struct cty_value *state, struct fw_diags *d);
	/* Resource identity (Terraform >= 1.12): attributes copied by name from the state. NULL: the
	 * default {id (string, required for import)} when the resource has a string "id". */
	const struct fw_attr *identity;
	/* GenerateResourceConfig: config arrives built from state (computed-only, write-only and
	 * null attributes null); adjust it. Optional. */
	int (*generate_config)(const struct fw_ctx *ctx, const struct cty_value *state, struct cty_value *config,
			       struct fw_diags *d);
};

struct fw_data_source {
	FW_DECL_HEAD;
	/* state arrives as the config with computed-only attributes null. */
	int (*read)(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
		    struct fw_diags *d);
};

/* An ephemeral resource (Terraform >= 1.10): opened during plan and apply, never stored. */
struct fw_ephemeral {
	FW_DECL_HEAD;
	/* result arrives as the config with computed-only attributes null; fill them. priv (a capped,
	 * wiped buffer) may receive opaque bytes that Terraform hands back to renew and close;
	 * *renew_at (Unix seconds, 0 = never) asks Terraform to call renew by then. */
	int (*open)(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *result,
		    struct buf *priv, int64_t *renew_at, struct fw_diags *d);
	/* Optional: extend the lease; new_priv replaces the private bytes. */
	int (*renew)(const struct fw_ctx *ctx, const uint8_t *priv, size_t priv_len, struct buf *new_priv,
		     int64_t *renew_at, struct fw_diags *d);
	/* Optional: release what open obtained. */
	int (*close)(const struct fw_ctx *ctx, const uint8_t *priv, size_t priv_len, struct fw_diags *d);
};

/* Where a list resource's results go (terraform query, Terraform >= 1.14). */
struct fw_list_out {
	/* Set by the framework: send one result. 0, or a negative ERR_* (ERR_CANCELED: client gone). */
	int (*emit)(struct fw_list_out *out, const struct cty_value *state, const char *display_name);
	void *emit_ctx;
	int64_t limit;       /* results wanted (<= 0: no limit) */
	int64_t count;       /* results sent so far */
	int include_object;  /* the caller wants full objects (callbacks may skip extra reads when 0) */
};

/* Send one result: state is a full, known object of the listed resource's type (never a secret:
 * sensitive and write-only attributes are nulled here anyway); display_name names it for humans.
 * 0: go on; 1: stop reading (limit reached); negative ERR_*: stop and return it. */
int fw_list_emit(struct fw_list_out *out, const struct cty_value *state, const char *display_name);

/* A list resource: type_name is the listed resource's type, attrs the filters of the list
 * block's `config` (a list block without config = every filter null). */
struct fw_list {
	FW_DECL_HEAD;
	const struct fw_resource *resource; /* the type of each result and its identity */
	/* Read the objects page by page (lazily: stop as soon as fw_list_emit returns 1) and emit
	 * each. config is known (a missing config arrives as an object of nulls). */
	int (*list)(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_list_out *out,
		    struct fw_diags *d);
};

struct fw_provider {
	const char *name; /* "scaleway" */
	const char *description;
	const struct fw_attr *attrs;
	const struct fw_rule *rules;
	int (*validate)(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_diags *d);
	/* ConfigureProvider: config may hold unknowns only outside CLI import. *data is kept and
	 * handed to every later callback as ctx->provider_data; release frees it. */
	int (*configure)(const struct fw_ctx *ctx, const struct cty_value *config, void **data, struct fw_diags *d);
	void (*release)(void *data);
	const struct fw_resource *const *resources;       /* NULL-terminated */
	const struct fw_data_source *const *data_sources; /* NULL-terminated */
	const struct fw_ephemeral *const *ephemerals;     /* NULL-terminated; may be NULL */
	const struct fw_list *const *lists;               /* NULL-terminated; may be NULL */
};

/* ---- kinds: one description per kind of declaration, iterated by the engine and by tf6 ---- */

enum fw_kind_id {
	FW_KIND_RESOURCE,
	FW_KIND_DATA_SOURCE,
	FW_KIND_EPHEMERAL,
	FW_KIND_LIST,
	FW_KIND_IDENTITY, /* one entry per resource with an identity: its identity "schema" */
	FW_NKINDS
};

struct fw_kind {
	const char *what;  /* "resource", for messages */
	size_t table;      /* offsetof(struct fw_provider, <NULL-terminated table>) */
	/* 0 when the declaration has the callbacks this kind needs. */
	int (*check)(const struct fw_decl *decl);
	/* tfplugin6 mapping (field and RPC names of tfplugin6.proto) */
	const char *schema_rpc;     /* the RPC whose response carries the schemas */
	const char *schema_field;   /* its map<string, ...> field */
	const char *metadata_field; /* GetMetadata.Response repeated field; NULL: none */
	const char *validate_rpc;   /* Validate...Config; NULL: none */
};

extern const struct fw_kind fw_kinds[FW_NKINDS];

/* ---- value helpers for callbacks (obj must be a known object; attr must exist) ---- */

/* Known non-null string attribute, else NULL. Valid while obj lives. */
const char *fw_get_string(const struct cty_value *obj, const char *attr);
/* Known non-null bool attribute into *out: 0, or ERR_NOTFOUND when null/unknown/absent. */
int fw_get_bool(const struct cty_value *obj, const char *attr, int *out);
int fw_get_int(const struct cty_value *obj, const char *attr, int64_t *out);
int fw_is_null(const struct cty_value *obj, const char *attr);
int fw_is_unknown(const struct cty_value *obj, const char *attr);
int fw_set_null(struct cty_value *obj, const char *attr);
int fw_set_string(struct cty_value *obj, const char *attr, const char *s, size_t n);
int fw_set_cstring(struct cty_value *obj, const char *attr, const char *s); /* NULL s sets null */
int fw_set_bool(struct cty_value *obj, const char *attr, int b);
int fw_set_int(struct cty_value *obj, const char *attr, int64_t i);
/* Deep copy of v into the attribute. */
int fw_set_value(struct cty_value *obj, const char *attr, const struct cty_value *v);
/* List/set of strings (the attribute's type decides which). */
int fw_set_strings(struct cty_value *obj, const char *attr, const char *const *items, size_t n);

/* ---- the engine (used by tf6.c and by tests) ---- */

/* A provider registered with the framework: its declarations checked, their object types built,
 * the configured provider data and the StopProvider flag. Passed explicitly (ctx->fw, the
 * tf6_dispatch argument); there is no global registry. */
struct fw;

/* Check the schemas (names, flags, rules, callbacks) and build the types. ERR_INVAL with a log
 * line on a bad schema. */
int fw_new(const struct fw_provider *p, struct fw **out);
/* Releases the provider data too. NULL is a no-op. */
void fw_free(struct fw *fw);
const struct fw_provider *fw_provider(const struct fw *fw);
const struct cty_type *fw_provider_type(const struct fw *fw);
/* Entries of a kind, in declaration order. */
size_t fw_count(const struct fw *fw, enum fw_kind_id k);
const struct fw_decl *fw_entry(const struct fw *fw, enum fw_kind_id k, size_t i, const struct cty_type **type);
/* The entry of kind k named type_name (NULL when none); *type (if non-NULL) gets its object type. */
const struct fw_decl *fw_find(const struct fw *fw, enum fw_kind_id k, const char *type_name,
			      const struct cty_type **type);
/* Object type of a registered declaration (NULL when not registered with fw). */
const struct cty_type *fw_decl_type(const struct fw *fw, enum fw_kind_id k, const struct fw_decl *decl);
#define fw_resource_type(fw, r) fw_decl_type((fw), FW_KIND_RESOURCE, &(r)->decl)
#define fw_data_source_type(fw, ds) fw_decl_type((fw), FW_KIND_DATA_SOURCE, &(ds)->decl)
#define fw_ephemeral_type(fw, e) fw_decl_type((fw), FW_KIND_EPHEMERAL, &(e)->decl)
#define fw_list_type(fw, l) fw_decl_type((fw), FW_KIND_LIST, &(l)->decl)
/* Identity type of a resource (NULL when it has no identity). */
#define fw_identity_type(fw, r) fw_decl_type((fw), FW_KIND_IDENTITY, fw_find((fw), FW_KIND_IDENTITY, (r)->type_name, NULL))
/* Typed views of fw_find (declarations start with their head, so the casts are exact). */
#define fw_find_resource(fw, name) ((const struct fw_resource *)fw_find((fw), FW_KIND_RESOURCE, (name), NULL))
#define fw_find_data_source(fw, name) ((const struct fw_data_source *)fw_find((fw), FW_KIND_DATA_SOURCE, (name), NULL))
#define fw_find_ephemeral(fw, name) ((const struct fw_ephemeral *)fw_find((fw), FW_KIND_EPHEMERAL, (name), NULL))
#define fw_find_list(fw, name) ((const struct fw_list *)fw_find((fw), FW_KIND_LIST, (name), NULL))
/* Build a heap object type from an attribute table (exposed for tests). */
int fw_attrs_type(const struct fw_attr *attrs, struct cty_type **out);
/* The configured provider data (released with the provider's release callback when replaced). */
void fw_set_provider_data(struct fw *fw, void *data);
void *fw_provider_data(struct fw *fw);
void fw_stop(struct fw *fw);
const volatile int *fw_stop_flag(const struct fw *fw);
/* Ephemeral resources opened and not closed yet (with a close callback and private bytes): the
 * tf6 handlers record opens, renewals and closes; fw_close_leftovers (run by fw_free, when the
 * provider shuts down) closes what Terraform left open, as Terraform 1.11 does after a failed apply. */
void fw_ephemeral_opened(struct fw *fw, const struct fw_ephemeral *e, const uint8_t *priv, size_t len);
void fw_ephemeral_closed(struct fw *fw, const struct fw_ephemeral *e, const uint8_t *priv, size_t len);
void fw_close_leftovers(struct fw *fw);
/* A context for one call: the provider data, the stop flag, the call's cancel flag. */
void fw_ctx_init(struct fw_ctx *ctx, struct fw *fw, const volatile int *cancel);

/* Validation of a config object (may hold unknowns): validators, rules, the callback. */
int fw_validate_config(const struct fw_ctx *ctx, const struct fw_attr *attrs, const struct fw_rule *rules,
		       const struct cty_value *config, struct fw_diags *d);

/* One attribute path of a requires_replace answer (top-level attribute names). */
struct fw_replace {
	size_t n;
	const char *attrs[64];
};

/* PlanResourceChange. planned receives the plan (null for a destroy). */
int fw_plan(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *prior,
	    const struct cty_value *proposed, const struct cty_value *config, struct cty_value *planned,
	    struct fw_replace *replace, struct fw_diags *d);
/* ApplyResourceChange. new_state receives the state to store (null after a delete). */
int fw_apply(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *prior,
	     const struct cty_value *planned, const struct cty_value *config, struct cty_value *new_state,
	     struct fw_diags *d);
/* ReadResource. new_state null = gone. */
int fw_read(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *current,
	    struct cty_value *new_state, struct fw_diags *d);
int fw_import(const struct fw_ctx *ctx, const struct fw_resource *r, const char *id, struct cty_value *state,
	      struct fw_diags *d);
/* UpgradeResourceState from raw JSON. */
int fw_upgrade(const struct fw_ctx *ctx, const struct fw_resource *r, int64_t version, const char *json,
	       size_t json_len, struct cty_value *state, struct fw_diags *d);
int fw_read_data(const struct fw_ctx *ctx, const struct fw_data_source *ds, const struct cty_value *config,
		 struct cty_value *state, struct fw_diags *d);

/* GenerateResourceConfig: the configuration a user would write for state (computed-only,
 * write-only and sensitive-computed attributes null), then the resource's generate_config. */
int fw_generate_config(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *state,
		       struct cty_value *config, struct fw_diags *d);
/* The identity object of a resource's state (null when the state is null or has no id yet). */
int fw_identity_of(const struct fw_ctx *ctx, const struct fw_resource *r, const struct cty_value *state,
		   struct cty_value *identity);

/* OpenEphemeralResource: result checked like a create plan (configured arguments unchanged,
 * wholly known). A config that is not wholly known gives an unknown result without calling open. */
int fw_open_ephemeral(const struct fw_ctx *ctx, const struct fw_ephemeral *e, const struct cty_value *config,
		      struct cty_value *result, struct buf *priv, int64_t *renew_at, struct fw_diags *d);

#endif
