/* SPDX-License-Identifier: MIT */
/*
 * record: each API record (API key, application, user, group, policy, rule) described once, as an ordered table of
 * fields. The order is the JSON order of the spec (protojson field order); the same table gives
 * the storage columns (store/sql.c selects, inserts and decodes rows with it) and the response
 * bodies (server/api_json.c writes them with it); request bodies are parsed into the record by
 * its fields (server/api_parse.c). A field that is JSON only (the secret shown
 * once, two_factor_enabled), storage only, or computed by the database says so in its flags.
 */
#ifndef STORE_RECORD_H
#define STORE_RECORD_H
#include <stddef.h>

#include "store/store.h"

enum rec_kind {
	REC_ID,     /* char[size], copied */
	REC_STR,    /* char *, owned; JSON writes "" for NULL */
	REC_TS,     /* struct tstamp: columns <name>_s and <name>_ns, JSON RFC 3339 */
	REC_OPT_TS, /* struct tstamp plus an int "has" flag at flag_off; NULL / null when unset */
	REC_BOOL,   /* int */
	REC_U32,    /* uint32_t */
	REC_ENUM,   /* enum stored as an integer, JSON as names[v] (names[0] for unknown values) */
	REC_TAGS,   /* struct store_tags: a JSON array of strings in one text column */
	REC_SECRET, /* JSON only: the secret key given to the writer, null otherwise */
	REC_BEARER, /* struct store_key's bearer: columns application_id and user_id, JSON the set one */
	REC_PRINCIPAL, /* struct store_policy's principal: columns user_id, group_id, application_id;
			* JSON the set one, else "no_principal":true */
	REC_SCOPE,  /* struct store_rule's scope: columns organization_id (NULL for projects) and
		     * project_ids (JSON array); JSON organization_id or project_ids */
};

#define REC_NOCOL 1u  /* no column (JSON only) */
#define REC_NOJSON 2u /* not in the JSON body */
#define REC_EXPR 4u   /* column computed by expr: selected, never written */

struct rec_field {
	const char *name; /* JSON name */
	const char *col;  /* column name (prefix of <col>_s/<col>_ns for timestamps) */
	enum rec_kind kind;
	unsigned flags;
	size_t off;      /* offset of the member in the record struct */
	size_t size;     /* REC_ID: size of the array */
	size_t flag_off; /* REC_OPT_TS: offset of the int "has" flag */
	const char *expr;                  /* REC_EXPR: SQL expression of the value */
	const char *const *names;          /* REC_ENUM */
	unsigned n_names;
};

struct rec_desc {
	const char *table;  /* SQL table */
	const char *pk;     /* primary key column, breaks ties in lists */
	const char *list;   /* JSON member holding a list of them */
	const struct rec_field *f;
	size_t n;
};

extern const struct rec_desc rec_key, rec_app, rec_user, rec_group, rec_policy, rec_rule;

/* The field of desc whose JSON name is name, or NULL. */
const struct rec_field *rec_find(const struct rec_desc *desc, const char *name);
/* Number of columns field f occupies in a row (0 for REC_NOCOL). */
size_t rec_ncols(const struct rec_field *f);
/* The value of member f of record rec. */
#define REC_AT(rec, f, type) ((type *)((char *)(rec) + (f)->off))
#define REC_CAT(rec, f, type) ((const type *)((const char *)(rec) + (f)->off))

#endif
