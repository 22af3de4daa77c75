/* SPDX-License-Identifier: MIT */
/*
 * cty: Terraform's value model in C. Types (string, number, bool, dynamic, list, set, map, tuple,
 * object with optional attributes) and values (null, unknown, unknown with refinements, known),
 * plus the three wire forms Terraform uses: the JSON type spec of schema attributes, the
 * schema-driven msgpack of DynamicValue (cty_msgpack.c) and the JSON of stored state handed to
 * UpgradeResourceState (cty_json.c). Numbers are kept exact as canonical decimal text, never as a
 * double. Everything here is pure computation: no I/O, no logging (values may be secrets).
 *
 * Types are immutable trees shared by pointer. Nodes with heap = 0 (the primitive singletons and
 * static declarations in schemas) are never freed; cty_type_free() frees heap nodes only.
 * Values own their contents (strings, elements, a dynamic value's decoded type) and are released
 * with cty_value_release(); a value's `type` pointer is borrowed except when it equals `dtype`.
 */
#ifndef TFPLUGIN_CTY_H
#define TFPLUGIN_CTY_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Decoder limits: nesting depth, string/number/collection sizes. */
#define CTY_MAX_DEPTH 64
#define CTY_MAX_NUMBER_TEXT 512
#define CTY_MAX_EXP 10000 /* |decimal exponent| of a number */

enum cty_kind {
	CTY_STRING,
	CTY_NUMBER,
	CTY_BOOL,
	CTY_DYNAMIC,
	CTY_LIST,
	CTY_SET,
	CTY_MAP,
	CTY_TUPLE,
	CTY_OBJECT,
};

struct cty_type {
	enum cty_kind kind;
	int heap;                /* 1: allocated by cty_type_*_new, freed by cty_type_free */
	struct cty_type *elem;   /* list, set, map: element type */
	size_t n;                /* tuple: element count; object: attribute count */
	struct cty_type **elems; /* tuple element types; object attribute types (same order as names) */
	char **names;            /* object: attribute names, sorted bytewise ascending, unique */
	unsigned char *optional; /* object: optional flags (type constraints only) or NULL */
};

/* Primitive singletons (heap = 0). */
extern struct cty_type cty_string, cty_number, cty_bool, cty_dynamic;

/* Static declaration helpers for schemas: CTY_LIST_OF(&cty_string) etc. */
#define CTY_LIST_OF(t)                        \
	{                                     \
		.kind = CTY_LIST, .elem = (t) \
	}
#define CTY_SET_OF(t)                        \
	{                                    \
		.kind = CTY_SET, .elem = (t) \
	}
#define CTY_MAP_OF(t)                        \
	{                                    \
		.kind = CTY_MAP, .elem = (t) \
	}

/* New heap collection type owning elem (elem is freed on failure too). NULL on ENOMEM. */
struct cty_type *cty_type_collection_new(enum cty_kind kind, struct cty_type *elem);
/* New heap object/tuple type with n attribute slots, all NULL: the caller fills names (strdup'd)
 * and elems, then calls cty_type_object_sort(). NULL on ENOMEM. */
struct cty_type *cty_type_object_new(size_t n);
struct cty_type *cty_type_tuple_new(size_t n);
/* Sort an object's attributes by name. ERR_INVAL on duplicate or invalid names. */
int cty_type_object_sort(struct cty_type *t);
/* Free a heap type tree (static nodes inside are left alone). NULL is fine. */
void cty_type_free(struct cty_type *t);
/* Deep copy into a heap tree. NULL on ENOMEM. */
struct cty_type *cty_type_copy(const struct cty_type *t);
/* 1 when the two types are the same type (optional flags ignored). */
int cty_type_equal(const struct cty_type *a, const struct cty_type *b);
/* Index of attribute name in an object type, or -1. */
long cty_type_attr_index(const struct cty_type *t, const char *name);
/* Type spec JSON: "string", ["list","number"], ["object",{"a":"bool"},["a"]] ... */
int cty_type_from_json(const char *s, size_t n, struct cty_type **out);
int cty_type_to_json(const struct cty_type *t, struct buf *out);

enum cty_state { CTY_NULL = 0, CTY_UNKNOWN, CTY_KNOWN };

/* Refinements of an unknown value (go-cty msgpack ext 12). */
struct cty_refine {
	int not_null; /* 1: definitely not null */
	char *prefix; /* string prefix (NUL-terminated copy) or NULL */
	size_t prefix_len;
	char *lower, *upper; /* number bounds as canonical decimal text, or NULL */
	int lower_incl, upper_incl;
	int64_t len_min, len_max; /* collection length bounds, -1 when absent */
};

struct cty_value {
	enum cty_state st;
	const struct cty_type *type; /* the type at this position; a known dynamic's concrete type */
	struct cty_type *dtype;      /* owned concrete type of a value decoded in a dynamic slot */
	struct cty_refine *rf;       /* unknown only: refinements or NULL */
	int b;                       /* bool */
	char *s;                     /* string bytes (NUL-terminated) or a number's canonical text */
	size_t len;                  /* length of s */
	size_t n;                    /* elements (list/set/tuple/map) or attributes (object) */
	struct cty_value *items;     /* n values; object: in the type's attribute order */
	char **keys;                 /* map: n keys, sorted bytewise, unique */
};

/* Free the contents; the value becomes null of no type. */
void cty_value_release(struct cty_value *v);
/* Constructors: each first releases nothing (v must be zeroed or released). */
void cty_value_null(struct cty_value *v, const struct cty_type *t);
void cty_value_unknown(struct cty_value *v, const struct cty_type *t);
int cty_value_string(struct cty_value *v, const char *s, size_t n);
/* Number from decimal text (validated and canonicalised): ERR_PARSE / ERR_RANGE. */
int cty_value_number_text(struct cty_value *v, const char *s, size_t n);
int cty_value_number_int(struct cty_value *v, int64_t i);
void cty_value_bool(struct cty_value *v, int b);
/* An object of type t (kind OBJECT) with every attribute null. */
int cty_value_object(struct cty_value *v, const struct cty_type *t);
/* A list/set/tuple/map of type t with n null elements (map: keys must be set by the caller). */
int cty_value_collection(struct cty_value *v, const struct cty_type *t, size_t n);
/* Deep copy. */
int cty_value_copy(struct cty_value *dst, const struct cty_value *src);
/* Replace dst with a deep copy of src (dst released first, even on failure). */
int cty_value_assign(struct cty_value *dst, const struct cty_value *src);

/* Attribute of an object value by name, or NULL (also when v is not a known object). */
struct cty_value *cty_object_attr(const struct cty_value *v, const char *name);
/* Structural equality: both null, both unknown (refinements ignored), or equal known values
 * (sets compared regardless of order, numbers by canonical text). */
int cty_value_equal(const struct cty_value *a, const struct cty_value *b);
/* A total order over values of one type (null < unknown < known; strings bytewise; numbers by
 * canonical text, which is all equality needs; collections element by element). Used to keep
 * decoded sets in a canonical order. */
int cty_value_cmp(const struct cty_value *a, const struct cty_value *b);
/* 1 when no unknown appears anywhere inside v. */
int cty_value_wholly_known(const struct cty_value *v);
/* Number helpers: parse a known number to int64 (ERR_RANGE if not an integer in range). */
int cty_number_to_int64(const struct cty_value *v, int64_t *out);

/* Canonical decimal text of a number written in JSON/Go syntax ("1e3" -> "1000", "0.50" -> "0.5",
 * "-0" -> "0", "+Inf"/"-Inf" kept). ERR_PARSE for bad syntax, ERR_RANGE for huge exponents. */
int cty_number_canon(const char *s, size_t n, struct buf *out);

/* msgpack (DynamicValue.msgpack) under type t. Decoding is strict: objects need exactly their
 * attributes, trailing bytes are an error, any ext of length <= 1 is an unknown, a longer ext
 * must be type 12 (refined unknown). why (optional) receives a static reason on error. */
int cty_msgpack_decode(const uint8_t *p, size_t n, const struct cty_type *t, struct cty_value *out, const char **why);
int cty_msgpack_encode(const struct cty_value *v, const struct cty_type *t, struct buf *out);

/* JSON value (state's attributes object) under type t. Numbers keep their exact text. Object
 * attributes missing from the JSON become null; JSON members that the type lacks are dropped
 * (attributes removed from the schema). Unknowns cannot appear in JSON. */
int cty_json_decode(const char *s, size_t n, const struct cty_type *t, struct cty_value *out, const char **why);

#endif
