/* SPDX-License-Identifier: MIT */
/*
 * store_int: what a storage engine implements, and the helpers the engine-independent part of
 * the store (rules.c: writes and their rules; query.c: reads; sql.c: statements and rows) uses.
 *
 * An engine (sqlite.c, pg.c) is small: it opens and migrates its database, hands out
 * connections for reads and runs write transactions (retrying them when the database asks), and
 * runs one statement with bound values, calling back for each row. Everything else (the SQL of
 * every statement, the mapping of records to rows, quotas, uniqueness, cascades, expiry) lives
 * above the engines, written once. Statements use $1, $2... placeholders; an engine whose
 * database spells them otherwise rewrites them when it prepares a statement.
 *
 * Only the store's own files include this header.
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H
#include "common/buf.h"
#include "store/record.h"
#include "store/store.h"

struct store_conn; /* one engine connection */

enum sv_type { SV_NULL = 0, SV_TEXT, SV_INT, SV_BLOB };
struct sval {
	enum sv_type t;
	const char *s; /* SV_TEXT (NUL-terminated), SV_BLOB (len bytes) */
	size_t len;
	int64_t i;
};

/* One result row: col() gives column c as text (NULL for SQL NULL), len its length. */
struct srow {
	void *impl;
	int i;
	const char *(*col)(const struct srow *r, int c, size_t *len);
	/* Optional: column c as an integer without a text form (SQLite); *is_null set. NULL: the
	 * text of col is parsed (store_col_int). */
	int64_t (*col_int)(const struct srow *r, int c, int *is_null);
};

typedef int (*store_row_fn)(const struct srow *r, void *ctx);
typedef int (*store_conn_fn)(struct store_conn *c, void *arg);

/* What differs between the SQL dialects of the engines (sql.c builds every statement with it). */
struct store_dialect {
	const char *hex_open, *hex_close; /* around a blob column: its value in lowercase hexadecimal */
	const char *for_update;           /* "" / " FOR UPDATE": lock the selected rows until commit */
	const char *table_lock;           /* statement serialising bootstraps ("SELECT 1" when writes are serial) */
	const char *strpos_fn;            /* "instr" / "strpos" */
	const char *tag_open, *tag_close; /* around "<table>": "a tag of <table>.tags equals " */
	/* "<elems_open><column><elems_close> = $n)": an element of the JSON array column equals $n
	 * (elems_close ends with "WHERE value"; the caller adds the comparison and the ")") */
	const char *elems_open, *elems_close;
};

struct store_ops {
	const char *name;
	void (*close)(struct store *s);
	void (*stats)(struct store *s, struct store_stats *out);
	int (*read_begin)(struct store *s); /* optional */
	void (*read_end)(struct store *s);  /* optional */
	/* Run fn with a connection to read; snapshot: fn's reads see one consistent state. */
	int (*read)(struct store *s, int snapshot, store_conn_fn fn, void *arg);
	/* Run fn inside a write transaction, durable when 0 is returned; fn's error rolls its work
	 * back. fn may run more than once (the engine retries serialization failures): it must set
	 * its outputs afresh each time. */
	int (*write)(struct store *s, store_conn_fn fn, void *arg);
	/* Run statement id (0 <= id < Q_N: prepared once per connection) or, id < 0, the text sql.
	 * row (may be NULL) is called for each row; changes (may be NULL) receives the number of
	 * rows written. Errors: ERR_EXISTS (a unique constraint), ERR_IO (the database is
	 * unreachable), ERR_AGAIN (retry the transaction), ERR_DB, ERR_NOMEM. */
	int (*run)(struct store_conn *c, int id, const char *sql, const struct sval *args, int n, store_row_fn row,
		   void *ctx, int64_t *changes);
	/* Optional: run a statement of a write transaction whose results may wait. The engine may
	 * send it later, with the next run, flush or the COMMIT (PostgreSQL pipelines them: one
	 * round trip); its rows reach row then, and its error is that call's. Without it: run. */
	int (*run_later)(struct store_conn *c, int id, const char *sql, const struct sval *args, int n,
			 store_row_fn row, void *ctx);
	/* Optional: deliver the results of every statement run_later queued. */
	int (*flush)(struct store_conn *c);
	/* Optional check store_ping() runs before its query: what a query on an open connection
	 * cannot see (SQLite: the file removed, renamed, replaced or made inaccessible). ERR_IO. */
	int (*ping)(struct store *s);
};

struct store {
	const struct store_ops *ops;
	const struct store_dialect *dialect;
	const char *const *sql;             /* text of each statement id, built for the dialect (sql.c) */
	struct store_authcache *auth_cache; /* NULL: every authentication reads the database */
};

/* authcache.c: successful authentications kept at most ttl_ms (see there). */
struct store_authcache *store_authcache_new(int ttl_ms);
void store_authcache_free(struct store_authcache *c);
uint64_t store_authcache_gen(struct store_authcache *c);
int store_authcache_get(struct store_authcache *c, const uint8_t hash[STORE_HASH_LEN], struct store_key *out);
void store_authcache_put(struct store_authcache *c, const uint8_t hash[STORE_HASH_LEN], const struct store_key *k,
			 uint64_t gen);
/* The grants of a non-owner bearer, kept like authentications (a deep copy each way). */
int store_authcache_grants_get(struct store_authcache *c, const char *org, enum store_bearer type, const char *bearer,
			       struct store_grant_list *out);
void store_authcache_grants_put(struct store_authcache *c, const char *org, enum store_bearer type, const char *bearer,
				const struct store_grant_list *g, uint64_t gen);
/* A key, policy, rule or group was changed here: forget every entry. NULL is fine. */
void store_authcache_bump(struct store_authcache *c);
/* A write that changes who may do what (keys, bearers, policies, rules, groups): s->ops->write,
 * then the cached authentications and grants are forgotten (rules.c). */
int store_write_access(struct store *s, store_conn_fn fn, void *arg);

/* ---- statements (sql.c) ---- */
enum store_q {
	Q_AUTH,
	Q_KEY_GET,
	Q_APP_GET,
	Q_USER_GET,
	Q_META_GET,
	Q_META_SET,
	Q_DEFAULT_PROJECT,
	Q_ORG_LOCK,
	Q_APP_IN_ORG,
	Q_USER_IN_ORG,
	Q_KEY_INSERT,
	Q_APP_INSERT,
	Q_USER_INSERT,
	Q_KEY_UPDATE,
	Q_APP_UPDATE,
	Q_USER_UPDATE,
	Q_KEY_DELETABLE,
	Q_APP_DELETABLE,
	Q_USER_DELETABLE,
	Q_KEY_DELETE,
	Q_APP_DELETE,
	Q_USER_DELETE,
	Q_KEYS_OF_APP_DELETE,
	Q_KEYS_OF_USER_DELETE,
	Q_USER_BY_USERNAME,
	Q_USER_BY_EMAIL,
	Q_DEFAULT_ORG,
	Q_ORG_INSERT,
	Q_PROJECT_INSERT,
	Q_OWNER_OF_ORG,
	Q_BOOTSTRAP_LOCK,
	Q_PING,
	Q_KEY_COUNT_ADD,
	Q_KEY_ORG,
	Q_ORG_LIST,
	/* groups, policies, rules (access.c) */
	Q_GROUP_GET,
	Q_GROUP_INSERT,
	Q_GROUP_COUNT,
	Q_GROUP_BY_NAME,
	Q_GROUP_UPDATE,
	Q_GROUP_MEMBERS_SET,
	Q_GROUP_IN_ORG,
	Q_GROUP_DELETE,
	Q_GROUPS_WITH_MEMBER,
	Q_POLICIES_ORPHAN_USER,
	Q_POLICIES_ORPHAN_APP,
	Q_POLICIES_ORPHAN_GROUP,
	Q_POLICY_GET,
	Q_POLICY_INSERT,
	Q_POLICY_COUNT,
	Q_POLICY_UPDATE,
	Q_POLICY_COUNTS,
	Q_POLICY_DELETE,
	Q_RULES_OF_POLICY_DELETE,
	Q_RULE_INSERT,
	Q_RULES_COUNT,
	Q_RULES_PAGE,
	Q_POLICY_IN_ORG,
	Q_GRANTS,
	Q_N
};

extern const struct store_dialect store_dialect_sqlite, store_dialect_pg;
/* The statements of dialect d (built once, static storage); NULL on ERR_NOMEM. */
const char *const *store_sql_texts(const struct store_dialect *d);
/* Select list of record desc (its columns in table order). */
int store_sql_cols(const struct rec_desc *desc, struct buf *out);
/* "SELECT <columns>[, extra] FROM <table> WHERE <where>" and "INSERT INTO <table> (<writable
 * columns>[, extra]) VALUES ($1, ...)" of record desc. */
int store_sql_select(const struct rec_desc *desc, const char *extra, const char *where, struct buf *out);
int store_sql_insert(const struct rec_desc *desc, const char *extra, struct buf *out);
/* Text of statement id >= Q_GROUP_GET (access.c). */
int store_build_access(const struct store_dialect *d, int id, struct buf *b);

/* Run a statement of the store (engine's run with the store's texts). */
int store_run(struct store *s, struct store_conn *c, int id, const struct sval *args, int n, store_row_fn row,
	      void *ctx, int64_t *changes);
/* A statement inside a write transaction whose rows and error may wait for the next store_run,
 * store_flush or the commit (store_ops.run_later): args are consumed at once; row and ctx must
 * stay valid until then, so a caller passing a row callback calls store_flush before it
 * returns. A write whose outcome only matters at commit passes row = NULL. */
int store_run_later(struct store *s, struct store_conn *c, int id, const struct sval *args, int n, store_row_fn row,
		    void *ctx);
int store_flush(struct store *s, struct store_conn *c);
/* Row callback: the first column of the first row as text into out (may be NULL; ERR_TOOBIG
 * when it does not fit); seen counts the rows. */
struct store_text {
	char *out;
	size_t size;
	int seen;
};
int store_text_row(const struct srow *r, void *arg);
/* First column of the first row as text into out (may be NULL): ERR_NOTFOUND without a row. */
int store_run_text(struct store *s, struct store_conn *c, int id, const struct sval *args, int n, char *out,
		   size_t out_size);

/* Column c of row r as an integer (0 when NULL); is_null (may be NULL) tells which. */
int64_t store_col_int(const struct srow *r, int c, int *is_null);

/* Values and rows of records. */
struct sval sv_text(const char *s);
struct sval sv_int(int64_t i);
struct sval sv_blob(const void *p, size_t len);
/* Fill record rec (zeroed first) of desc from row r starting at column first. */
int store_row_rec(const struct rec_desc *desc, const struct srow *r, int first, void *rec);
/* The insert values of record rec: args[] in column order; *tags receives an allocated
 * JSON text to free after the statement ran. Returns the number of values. */
int store_rec_args(const struct rec_desc *desc, const void *rec, struct sval *args, char **tags);
int store_tags_encode(const struct store_tags *t, char **out);
int store_tags_decode(const char *s, struct store_tags *t);

/* Read record desc by statement q bound with a1, a2 into rec (zeroed first); ERR_NOTFOUND. */
int store_get_rec(struct store *s, struct store_conn *c, int q, const char *a1, const char *a2,
		  const struct rec_desc *desc, void *rec);
/* Release the strings of a record of desc. */
void store_rec_release(const struct rec_desc *desc, void *rec);

/* Lock org's row until commit; ERR_NOTFOUND when there is no such organization (rules.c). */
int store_org_lock(struct store *s, struct store_conn *c, const char *org);
void store_detail_set(struct store_detail *d, const char *resource, const char *id);

/* Cascades of a deleted user / application (access.c, called by rules.c inside the delete's
 * transaction): removes it from every group of org and orphans the policies naming it. */
int store_forget_member(struct store *s, struct store_conn *c, const char *org, enum store_bearer type, const char *id);

/* Engines. */
int store_sqlite_open(const char *path, unsigned flags, struct store **out, char *detail, size_t detail_len);
int store_pg_open(const char *url, unsigned flags, struct store **out, char *detail, size_t detail_len);

#endif
