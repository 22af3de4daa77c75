/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite: the SQLite backend of the storage interface. One database file in WAL mode with
 * synchronous=FULL (a commit is on disk before it is acknowledged), foreign keys on, a
 * busy_timeout, and a schema_version table driving migrations. The file is created 0600 (the
 * -wal/-shm files inherit its mode).
 *
 * Concurrency: each calling thread reads through its own connection (opened on first use, kept
 * in thread-local storage, closed at store_close), so readers never wait for each other or for
 * the writer. Every write goes through one writer thread doing group commit: callers queue an
 * operation and sleep; the writer takes the whole queue, runs each operation inside its own
 * SAVEPOINT of one IMMEDIATE transaction (a failing operation rolls back alone), commits once
 * (one fsync for the batch) and only then wakes the callers. Business checks (bearer exists,
 * quota, unique usernames) run inside that transaction, so they are atomic with the write.
 * Statements on the hot paths are prepared once per connection and reused.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/store_int.h"

/* ---- statements prepared once per connection ---- */

#define KEY_COLS                                                                         \
	"access_key, organization_id, description, created_s, created_ns, updated_s, "   \
	"updated_ns, expires_s, expires_ns, default_project_id, editable, deletable, "   \
	"managed, creation_ip, application_id, user_id"
#define APP_COLS                                                                         \
	"a.id, a.name, a.description, a.created_s, a.created_ns, a.updated_s, a.updated_ns, " \
	"a.organization_id, a.editable, a.deletable, a.managed, "                        \
	"(SELECT count(*) FROM api_keys k WHERE k.application_id = a.id), a.tags"
#define USER_COLS                                                                        \
	"id, email, username, first_name, last_name, phone_number, locale, created_s, "  \
	"created_ns, updated_s, updated_ns, last_login_s, last_login_ns, organization_id, " \
	"deletable, type, status, mfa, account_root_user_id, locked, tags"

enum sq_stmt_id {
	SQ_AUTH,
	SQ_KEY_GET,
	SQ_APP_GET,
	SQ_USER_GET,
	SQ_META_GET,
	SQ_DEFAULT_PROJECT,
	SQ_BEGIN,
	SQ_COMMIT,
	SQ_BEGIN_READ,
	SQ_SAVEPOINT,
	SQ_RELEASE,
	SQ_ROLLBACK_TO,
	SQ_APP_IN_ORG,
	SQ_USER_IN_ORG,
	SQ_KEY_COUNT,
	SQ_KEY_INSERT,
	SQ_NSTMT
};

static const char *const sq_sql[SQ_NSTMT] = {
	[SQ_AUTH] = "SELECT " KEY_COLS ", secret_hash FROM api_keys WHERE secret_hash = ?1",
	[SQ_KEY_GET] = "SELECT " KEY_COLS " FROM api_keys WHERE access_key = ?1 AND organization_id = ?2",
	[SQ_APP_GET] = "SELECT " APP_COLS " FROM applications a WHERE a.id = ?1 AND a.organization_id = ?2",
	[SQ_USER_GET] = "SELECT " USER_COLS " FROM users WHERE id = ?1 AND organization_id = ?2",
	[SQ_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[SQ_DEFAULT_PROJECT] = "SELECT id FROM projects WHERE organization_id = ?1 AND is_default = 1",
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_BEGIN_READ] = "BEGIN",
	[SQ_SAVEPOINT] = "SAVEPOINT op",
	[SQ_RELEASE] = "RELEASE op",
	[SQ_ROLLBACK_TO] = "ROLLBACK TO op",
	[SQ_APP_IN_ORG] = "SELECT 1 FROM applications WHERE id = ?1 AND organization_id = ?2",
	[SQ_USER_IN_ORG] = "SELECT 1 FROM users WHERE id = ?1 AND organization_id = ?2",
	[SQ_KEY_COUNT] = "SELECT api_key_count FROM organizations WHERE id = ?1",
	[SQ_KEY_INSERT] = "INSERT INTO api_keys (access_key, secret_hash, organization_id, description,"
			  " created_s, created_ns, updated_s, updated_ns, expires_s, expires_ns,"
			  " default_project_id, editable, deletable, managed, creation_ip, application_id,"
			  " user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
			  " ?15, ?16, ?17)",
};

/* ---- schema migrations: append only; index i brings the schema to version i + 1 ---- */

static const char *const sq_migrations[] = {
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE organizations ("
	" id TEXT PRIMARY KEY, is_default INTEGER NOT NULL DEFAULT 0,"
	" created_s INTEGER NOT NULL, created_ns INTEGER NOT NULL,"
	" api_key_count INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE projects ("
	" id TEXT PRIMARY KEY,"
	" organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,"
	" is_default INTEGER NOT NULL DEFAULT 0,"
	" created_s INTEGER NOT NULL, created_ns INTEGER NOT NULL);"
	"CREATE INDEX projects_org ON projects(organization_id);"
	"CREATE TABLE applications ("
	" id TEXT PRIMARY KEY,"
	" organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, description TEXT NOT NULL,"
	" created_s INTEGER NOT NULL, created_ns INTEGER NOT NULL,"
	" updated_s INTEGER NOT NULL, updated_ns INTEGER NOT NULL,"
	" editable INTEGER NOT NULL, deletable INTEGER NOT NULL, managed INTEGER NOT NULL,"
	" tags TEXT NOT NULL DEFAULT '[]');"
	"CREATE INDEX applications_org ON applications(organization_id, created_s, created_ns);"
	"CREATE TABLE users ("
	" id TEXT PRIMARY KEY,"
	" organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,"
	" email TEXT NOT NULL COLLATE NOCASE, username TEXT NOT NULL,"
	" first_name TEXT NOT NULL, last_name TEXT NOT NULL, phone_number TEXT NOT NULL,"
	" locale TEXT NOT NULL,"
	" created_s INTEGER NOT NULL, created_ns INTEGER NOT NULL,"
	" updated_s INTEGER NOT NULL, updated_ns INTEGER NOT NULL,"
	" last_login_s INTEGER, last_login_ns INTEGER,"
	" deletable INTEGER NOT NULL, type INTEGER NOT NULL, status INTEGER NOT NULL,"
	" mfa INTEGER NOT NULL DEFAULT 0, account_root_user_id TEXT NOT NULL DEFAULT '',"
	" locked INTEGER NOT NULL DEFAULT 0, tags TEXT NOT NULL DEFAULT '[]',"
	" password_hash TEXT,"
	" UNIQUE (organization_id, username), UNIQUE (organization_id, email));"
	"CREATE TABLE api_keys ("
	" access_key TEXT PRIMARY KEY,"
	" secret_hash BLOB NOT NULL UNIQUE,"
	" organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,"
	" description TEXT NOT NULL,"
	" created_s INTEGER NOT NULL, created_ns INTEGER NOT NULL,"
	" updated_s INTEGER NOT NULL, updated_ns INTEGER NOT NULL,"
	" expires_s INTEGER, expires_ns INTEGER,"
	" default_project_id TEXT NOT NULL,"
	" editable INTEGER NOT NULL, deletable INTEGER NOT NULL, managed INTEGER NOT NULL,"
	" creation_ip TEXT NOT NULL,"
	" application_id TEXT REFERENCES applications(id) ON DELETE CASCADE,"
	" user_id TEXT REFERENCES users(id) ON DELETE CASCADE,"
	" CHECK ((application_id IS NULL) <> (user_id IS NULL)));"
	"CREATE INDEX api_keys_org ON api_keys(organization_id, created_s, created_ns);"
	"CREATE INDEX api_keys_app ON api_keys(application_id);"
	"CREATE INDEX api_keys_user ON api_keys(user_id);"
	/* The per-organization key count behind the quota, kept exact by triggers (cascaded
	 * deletes fire them too). */
	"CREATE TRIGGER api_keys_count_ins AFTER INSERT ON api_keys BEGIN"
	" UPDATE organizations SET api_key_count = api_key_count + 1 WHERE id = NEW.organization_id;"
	" END;"
	"CREATE TRIGGER api_keys_count_del AFTER DELETE ON api_keys BEGIN"
	" UPDATE organizations SET api_key_count = api_key_count - 1 WHERE id = OLD.organization_id;"
	" END;",
	/* 2: organization names (admin organization create/list). */
	"ALTER TABLE organizations ADD COLUMN name TEXT NOT NULL DEFAULT '';"
	"UPDATE organizations SET name = 'default' WHERE is_default = 1;",
};
#define SQ_SCHEMA_VERSION ((int)(sizeof(sq_migrations) / sizeof(sq_migrations[0])))

struct sq_conn {
	sqlite3 *db;
	int in_tx; /* counted in pool.in_use (a read snapshot) */
	sqlite3_stmt *st[SQ_NSTMT];
	struct sq_conn *next;
};

struct sq_op {
	int (*fn)(struct sq_conn *c, void *arg);
	void *arg;
	int r;
	int done;
	pthread_cond_t cv; /* signalled when done */
	struct sq_op *next;
};

struct sq_store {
	struct store base;
	char *path;
	dev_t dev; /* the file opened, so that ping sees it replaced or gone */
	ino_t ino;
	pthread_key_t tls;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;
	struct sq_conn *readers; /* every reader connection, closed at close */
	struct sq_conn *writer;
	struct sq_op *head, *tail;
	int stop;
	pthread_t thread;
	int thread_started;
};

static const struct store_ops sq_ops;

static int sq_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_NOMEM:
		return ERR_NOMEM;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
		return ERR_IO;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ERR_AGAIN;
	default:
		return ERR_DB;
	}
}

static int sq_fail(struct sq_conn *c, int rc, const char *what)
{
	log_kv(LOG_ERROR, "sqlite error", "op", what, "error", sqlite3_errmsg(c->db), NULL);
	return sq_err(rc) < 0 ? sq_err(rc) : ERR_DB;
}

static int sq_exec(struct sq_conn *c, const char *sql)
{
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(c, rc, sql);
	return 0;
}

/* The cached statement id of connection c, reset and unbound. */
static int sq_stmt(struct sq_conn *c, enum sq_stmt_id id, sqlite3_stmt **out)
{
	int rc;

	if (!c->st[id]) {
		rc = sqlite3_prepare_v3(c->db, sq_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->st[id], NULL);
		if (rc != SQLITE_OK)
			return sq_fail(c, rc, "prepare");
	}
	sqlite3_reset(c->st[id]);
	sqlite3_clear_bindings(c->st[id]);
	*out = c->st[id];
	return 0;
}

static int sq_prepare(struct sq_conn *c, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(c->db, sql, -1, out, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(c, rc, "prepare");
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_ts(sqlite3_stmt *st, int i, struct tstamp t)
{
	sqlite3_bind_int64(st, i, t.sec);
	sqlite3_bind_int(st, i + 1, t.nsec);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);

	return t ? mem_strndup((const char *)t, (size_t)n) : mem_strndup("", 0);
}

static void col_copy(sqlite3_stmt *st, int i, char *out, size_t out_size)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);

	if (!t)
		n = 0;
	if (n >= out_size)
		n = out_size - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

static struct tstamp col_ts(sqlite3_stmt *st, int i)
{
	struct tstamp t;

	t.sec = sqlite3_column_int64(st, i);
	t.nsec = sqlite3_column_int(st, i + 1);
	return t;
}

/* ---- tags: a JSON array of strings in one column ---- */

static int tags_encode(const struct store_tags *t, char **out)
{
	json_t *a = json_array();
	size_t i;
	int r = 0;

	*out = NULL;
	if (!a)
		return ERR_NOMEM;
	for (i = 0; i < t->n && r == 0; i++)
		if (json_array_append_new(a, json_string(t->v[i])) != 0)
			r = ERR_NOMEM;
	if (r == 0) {
		*out = json_dumps(a, JSON_COMPACT);
		if (!*out)
			r = ERR_NOMEM;
	}
	json_decref(a);
	return r;
}

static int tags_decode(const char *s, struct store_tags *t)
{
	json_t *a = json_loads(s ? s : "[]", 0, NULL);
	size_t i, n;
	int r = 0;

	t->v = NULL;
	t->n = 0;
	if (!a || !json_is_array(a)) {
		json_decref(a);
		return ERR_DB;
	}
	n = json_array_size(a);
	t->v = mem_calloc(n, sizeof(char *));
	if (!t->v) {
		r = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(a, i);

		if (!json_is_string(e)) {
			r = ERR_DB;
			goto out;
		}
		t->v[i] = mem_strndup(json_string_value(e), json_string_length(e));
		if (!t->v[i]) {
			r = ERR_NOMEM;
			goto out;
		}
		t->n = i + 1;
	}
out:
	if (r < 0)
		store_tags_release(t);
	json_decref(a);
	return r;
}

/* ---- rows to records ---- */

static int row_key(sqlite3_stmt *st, struct store_key *k)
{
	memset(k, 0, sizeof(*k));
	col_copy(st, 0, k->access_key, sizeof(k->access_key));
	col_copy(st, 1, k->organization_id, sizeof(k->organization_id));
	k->description = col_dup(st, 2);
	k->created_at = col_ts(st, 3);
	k->updated_at = col_ts(st, 5);
	k->has_expires = sqlite3_column_type(st, 7) != SQLITE_NULL;
	if (k->has_expires)
		k->expires_at = col_ts(st, 7);
	col_copy(st, 9, k->default_project_id, sizeof(k->default_project_id));
	k->editable = sqlite3_column_int(st, 10);
	k->deletable = sqlite3_column_int(st, 11);
	k->managed = sqlite3_column_int(st, 12);
	col_copy(st, 13, k->creation_ip, sizeof(k->creation_ip));
	if (sqlite3_column_type(st, 14) != SQLITE_NULL) {
		k->bearer_type = STORE_BEARER_APPLICATION;
		col_copy(st, 14, k->bearer_id, sizeof(k->bearer_id));
	} else {
		k->bearer_type = STORE_BEARER_USER;
		col_copy(st, 15, k->bearer_id, sizeof(k->bearer_id));
	}
	return k->description ? 0 : ERR_NOMEM;
}

static int row_app(sqlite3_stmt *st, struct store_app *a)
{
	memset(a, 0, sizeof(*a));
	col_copy(st, 0, a->id, sizeof(a->id));
	a->name = col_dup(st, 1);
	a->description = col_dup(st, 2);
	a->created_at = col_ts(st, 3);
	a->updated_at = col_ts(st, 5);
	col_copy(st, 7, a->organization_id, sizeof(a->organization_id));
	a->editable = sqlite3_column_int(st, 8);
	a->deletable = sqlite3_column_int(st, 9);
	a->managed = sqlite3_column_int(st, 10);
	a->nb_api_keys = (uint32_t)sqlite3_column_int64(st, 11);
	if (!a->name || !a->description) {
		store_app_release(a);
		return ERR_NOMEM;
	}
	return tags_decode((const char *)sqlite3_column_text(st, 12), &a->tags);
}

static int row_user(sqlite3_stmt *st, struct store_user *u)
{
	memset(u, 0, sizeof(*u));
	col_copy(st, 0, u->id, sizeof(u->id));
	u->email = col_dup(st, 1);
	u->username = col_dup(st, 2);
	u->first_name = col_dup(st, 3);
	u->last_name = col_dup(st, 4);
	u->phone_number = col_dup(st, 5);
	u->locale = col_dup(st, 6);
	u->created_at = col_ts(st, 7);
	u->updated_at = col_ts(st, 9);
	u->has_last_login = sqlite3_column_type(st, 11) != SQLITE_NULL;
	if (u->has_last_login)
		u->last_login_at = col_ts(st, 11);
	col_copy(st, 13, u->organization_id, sizeof(u->organization_id));
	u->deletable = sqlite3_column_int(st, 14);
	u->type = (enum store_user_type)sqlite3_column_int(st, 15);
	u->status = (enum store_user_status)sqlite3_column_int(st, 16);
	u->mfa = sqlite3_column_int(st, 17);
	col_copy(st, 18, u->account_root_user_id, sizeof(u->account_root_user_id));
	u->locked = sqlite3_column_int(st, 19);
	if (!u->email || !u->username || !u->first_name || !u->last_name || !u->phone_number ||
	    !u->locale) {
		store_user_release(u);
		return ERR_NOMEM;
	}
	return tags_decode((const char *)sqlite3_column_text(st, 20), &u->tags);
}

/* Step a single-row statement: 0 with a row, ERR_NOTFOUND without. */
static int step_one(struct sq_conn *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return ERR_NOTFOUND;
	return sq_fail(c, rc, "step");
}

static int step_done(struct sq_conn *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	return sq_fail(c, rc, "step");
}

/* ---- connections ---- */

static void conn_close(struct sq_conn *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < SQ_NSTMT; i++)
		sqlite3_finalize(c->st[i]);
	sqlite3_close_v2(c->db);
	free(c);
}

static int conn_open(const char *path, int writer, struct sq_conn **out, char *detail, size_t dlen)
{
	struct sq_conn *c = mem_calloc(1, sizeof(*c));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc, r = 0;

	*out = NULL;
	if (!c)
		return ERR_NOMEM;
	rc = sqlite3_open_v2(path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		if (detail && dlen)
			snprintf(detail, dlen, "cannot open database %s: %s", path,
				 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		r = sq_err(rc) < 0 ? sq_err(rc) : ERR_DB;
		goto out;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 5000);
	r = sq_exec(c, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");
	if (r == 0 && writer)
		r = sq_exec(c, "PRAGMA journal_mode = WAL;");
	if (r == 0 && !writer)
		r = sq_exec(c, "PRAGMA query_only = 1;");
	if (r < 0 && detail && dlen)
		snprintf(detail, dlen, "cannot configure database %s: %s", path, sqlite3_errmsg(c->db));
out:
	if (r < 0)
		conn_close(c);
	else
		*out = c;
	return r;
}

/* The calling thread's reader connection. */
static int sq_reader(struct sq_store *s, struct sq_conn **out)
{
	struct sq_conn *c = pthread_getspecific(s->tls);
	int r;

	if (c) {
		*out = c;
		return 0;
	}
	r = conn_open(s->path, 0, &c, NULL, 0);
	if (r < 0)
		return r;
	pthread_mutex_lock(&s->mu);
	c->next = s->readers;
	s->readers = c;
	pthread_mutex_unlock(&s->mu);
	store_pool_add(&s->base.pool.open, 1);
	pthread_setspecific(s->tls, c);
	*out = c;
	return 0;
}

/* ---- the writer: group commit ---- */

/* Run a cached statement that returns no row. */
static int sq_run(struct sq_conn *c, enum sq_stmt_id id)
{
	sqlite3_stmt *st;
	int r = sq_stmt(c, id, &st);

	if (r == 0)
		r = step_done(c, st);
	sqlite3_reset(st);
	return r;
}

static void run_batch(struct sq_store *s, struct sq_op *batch)
{
	struct sq_conn *c = s->writer;
	struct sq_op *op;
	int r = sq_run(c, SQ_BEGIN);

	for (op = batch; op; op = op->next) {
		if (r < 0) {
			op->r = r;
			continue;
		}
		op->r = sq_run(c, SQ_SAVEPOINT);
		if (op->r == 0)
			op->r = op->fn(c, op->arg);
		if (op->r < 0 && sq_run(c, SQ_ROLLBACK_TO) < 0)
			r = ERR_DB;
		if (r == 0 && sq_run(c, SQ_RELEASE) < 0)
			r = ERR_DB;
	}
	if (r == 0)
		r = sq_run(c, SQ_COMMIT);
	if (r < 0) {
		/* Nothing of this batch is durable: every operation fails. */
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		for (op = batch; op; op = op->next)
			if (op->r == 0)
				op->r = r;
	}
}

static void *writer_main(void *arg)
{
	struct sq_store *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct sq_op *batch, *op, *next;

		while (!s->head && !s->stop)
			pthread_cond_wait(&s->work_cv, &s->mu);
		if (!s->head)
			break;
		batch = s->head;
		s->head = s->tail = NULL;
		pthread_mutex_unlock(&s->mu);
		for (op = batch; op; op = op->next)
			store_pool_add(&s->base.pool.waiting, -1);
		store_pool_add(&s->base.pool.in_use, 1);
		run_batch(s, batch);
		store_pool_add(&s->base.pool.in_use, -1);
		pthread_mutex_lock(&s->mu);
		for (op = batch; op; op = next) {
			next = op->next; /* op lives on a caller's stack: done releases it */
			op->done = 1;
			pthread_cond_signal(&op->cv);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Run fn inside the next committed batch; returns its result once the batch is durable. */
static int sq_write(struct sq_store *s, int (*fn)(struct sq_conn *, void *), void *arg)
{
	struct sq_op op;

	memset(&op, 0, sizeof(op));
	op.fn = fn;
	op.arg = arg;
	pthread_cond_init(&op.cv, NULL);
	pthread_mutex_lock(&s->mu);
	if (s->stop) {
		pthread_mutex_unlock(&s->mu);
		pthread_cond_destroy(&op.cv);
		return ERR_CANCELED;
	}
	if (s->tail)
		s->tail->next = &op;
	else
		s->head = &op;
	s->tail = &op;
	store_pool_add(&s->base.pool.waiting, 1);
	pthread_cond_signal(&s->work_cv);
	while (!op.done)
		pthread_cond_wait(&op.cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	pthread_cond_destroy(&op.cv);
	return op.r;
}

/* ---- open, migrate, close ---- */

static int migrate(struct sq_conn *c, char *detail, size_t dlen)
{
	sqlite3_stmt *st = NULL;
	int version = 0, i, r;

	r = sq_exec(c, "CREATE TABLE IF NOT EXISTS schema_version ("
		       " version INTEGER NOT NULL, applied_s INTEGER NOT NULL)");
	if (r < 0)
		return r;
	r = sq_exec(c, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	r = sq_prepare(c, "SELECT coalesce(max(version), 0) FROM schema_version", &st);
	if (r == 0)
		r = step_one(c, st);
	if (r == 0)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (r == 0 && version > SQ_SCHEMA_VERSION) {
		if (detail && dlen)
			snprintf(detail, dlen, "database schema version %d is newer than this program (%d)",
				 version, SQ_SCHEMA_VERSION);
		r = ERR_UNSUPPORTED;
	}
	for (i = version; r == 0 && i < SQ_SCHEMA_VERSION; i++) {
		r = sq_exec(c, sq_migrations[i]);
		if (r == 0)
			r = sq_prepare(c, "INSERT INTO schema_version (version, applied_s) VALUES (?1, ?2)", &st);
		if (r == 0) {
			sqlite3_bind_int(st, 1, i + 1);
			sqlite3_bind_int64(st, 2, time_now().sec);
			r = step_done(c, st);
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if (r == 0)
		r = sq_exec(c, "COMMIT");
	if (r < 0) {
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		if (detail && dlen && !detail[0])
			snprintf(detail, dlen, "schema migration failed: %s", sqlite3_errmsg(c->db));
	}
	return r;
}

/* Create the file owner-only before SQLite opens it (SQLite gives -wal/-shm the same mode). */
static int create_private(const char *path, char *detail, size_t dlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (detail && dlen)
		snprintf(detail, dlen, "cannot create %s: %s", path, strerror(errno));
	return ERR_IO;
}

static void sq_close(struct store *base)
{
	struct sq_store *s = (struct sq_store *)base;
	struct sq_conn *c, *next;

	if (s->thread_started) {
		pthread_mutex_lock(&s->mu);
		s->stop = 1;
		pthread_cond_broadcast(&s->work_cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
	}
	for (c = s->readers; c; c = next) {
		next = c->next;
		conn_close(c);
	}
	if (s->writer) {
		/* Fold the WAL back into the database so the file stands alone. */
		sqlite3_exec(s->writer->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
		conn_close(s->writer);
	}
	pthread_key_delete(s->tls);
	pthread_cond_destroy(&s->work_cv);
	pthread_mutex_destroy(&s->mu);
	free(s->path);
	free(s);
}

static void sq_global_setup(void)
{
	/* Memory statistics take a process-wide mutex on every SQLite allocation: off. Only
	 * possible before SQLite initialises; harmless (SQLITE_MISUSE) afterwards. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_sqlite_open(const char *path, struct store **out, char *detail, size_t dlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_store *s;
	int r;

	pthread_once(&once, sq_global_setup);
	*out = NULL;
	if (detail && dlen)
		detail[0] = '\0';
	if (!path || !*path)
		return ERR_INVAL;
	s = mem_calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->base.ops = &sq_ops;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work_cv, NULL);
	if (pthread_key_create(&s->tls, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->work_cv);
		free(s);
		return ERR_NOMEM;
	}
	s->path = mem_strndup(path, strlen(path));
	r = s->path ? 0 : ERR_NOMEM;
	if (r == 0)
		r = create_private(path, detail, dlen);
	if (r == 0)
		r = conn_open(path, 1, &s->writer, detail, dlen);
	if (r == 0) {
		struct stat st;

		store_pool_add(&s->base.pool.open, 1);
		if (stat(path, &st) == 0) {
			s->dev = st.st_dev;
			s->ino = st.st_ino;
		}
	}
	if (r == 0)
		r = migrate(s->writer, detail, dlen);
	if (r == 0 && pthread_create(&s->thread, NULL, writer_main, s) != 0)
		r = ERR_NOMEM;
	if (r == 0)
		s->thread_started = 1;
	if (r < 0) {
		sq_close(&s->base);
		return r;
	}
	*out = &s->base;
	return 0;
}

/* ---- read snapshots ---- */

static int sq_read_begin(struct store *base)
{
	struct sq_conn *c;
	int r = sq_reader((struct sq_store *)base, &c);

	if (r == 0 && sqlite3_get_autocommit(c->db))
		r = sq_run(c, SQ_BEGIN_READ);
	if (r == 0 && !c->in_tx) {
		c->in_tx = 1;
		store_pool_add(&base->pool.in_use, 1);
	}
	return r;
}

static void sq_read_end(struct store *base)
{
	struct sq_conn *c = pthread_getspecific(((struct sq_store *)base)->tls);

	if (c && c->in_tx) {
		c->in_tx = 0;
		store_pool_add(&base->pool.in_use, -1);
	}
	/* The cached COMMIT: sqlite3_exec() would parse and prepare it on every request. */
	if (c && !sqlite3_get_autocommit(c->db) && sq_run(c, SQ_COMMIT) < 0)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL); /* a read snapshot: nothing to lose */
}

/* ---- meta ---- */

static int sq_meta_get(struct store *base, const char *key, char *out, size_t out_len)
{
	struct sq_store *s = (struct sq_store *)base;
	struct sq_conn *c;
	sqlite3_stmt *st;
	size_t n;
	int r = sq_reader(s, &c);

	if (r == 0)
		r = sq_stmt(c, SQ_META_GET, &st);
	if (r < 0)
		return r;
	bind_text(st, 1, key);
	r = step_one(c, st);
	if (r == 0) {
		n = (size_t)sqlite3_column_bytes(st, 0);
		if (n >= out_len)
			r = ERR_TOOBIG;
		else
			col_copy(st, 0, out, out_len);
	}
	sqlite3_reset(st);
	return r;
}

struct meta_set_arg {
	const char *key, *value;
};

static int op_meta_set(struct sq_conn *c, void *arg)
{
	struct meta_set_arg *a = arg;
	sqlite3_stmt *st = NULL;
	int r = sq_prepare(c, "INSERT INTO meta (key, value) VALUES (?1, ?2)"
			      " ON CONFLICT (key) DO UPDATE SET value = excluded.value", &st);

	if (r == 0) {
		bind_text(st, 1, a->key);
		bind_text(st, 2, a->value);
		r = step_done(c, st);
	}
	sqlite3_finalize(st);
	return r;
}

static int sq_meta_set(struct store *base, const char *key, const char *value)
{
	struct meta_set_arg a = { key, value };

	return sq_write((struct sq_store *)base, op_meta_set, &a);
}

/* ---- organizations, projects, bootstrap ---- */

static int exec_bind(struct sq_conn *c, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int i, r = sq_prepare(c, sql, &st);

	if (r < 0)
		return r;
	va_start(ap, fmt);
	for (i = 0; fmt[i]; i++) {
		if (fmt[i] == 's')
			bind_text(st, i + 1, va_arg(ap, const char *));
		else
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	r = step_done(c, st);
	sqlite3_finalize(st);
	return r;
}

/* One text column of the first row of sql bound with one text parameter. */
static int query_text(struct sq_conn *c, const char *sql, const char *p1, const char *p2,
		      char *out, size_t out_size)
{
	sqlite3_stmt *st = NULL;
	int r = sq_prepare(c, sql, &st);

	if (r < 0)
		return r;
	bind_text(st, 1, p1);
	if (p2)
		bind_text(st, 2, p2);
	r = step_one(c, st);
	if (r == 0 && out)
		col_copy(st, 0, out, out_size);
	sqlite3_finalize(st);
	return r;
}

static int insert_user(struct sq_conn *c, const struct store_user *u, const char *password_hash)
{
	sqlite3_stmt *st = NULL;
	char *tags = NULL;
	int r = tags_encode(&u->tags, &tags);

	if (r == 0)
		r = sq_prepare(c, "INSERT INTO users (id, organization_id, email, username, first_name,"
				  " last_name, phone_number, locale, created_s, created_ns, updated_s,"
				  " updated_ns, last_login_s, last_login_ns, deletable, type, status, mfa,"
				  " account_root_user_id, locked, tags, password_hash) VALUES (?1, ?2, ?3,"
				  " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
				  " ?19, ?20, ?21, ?22)", &st);
	if (r < 0)
		goto out;
	bind_text(st, 1, u->id);
	bind_text(st, 2, u->organization_id);
	bind_text(st, 3, u->email);
	bind_text(st, 4, u->username);
	bind_text(st, 5, u->first_name);
	bind_text(st, 6, u->last_name);
	bind_text(st, 7, u->phone_number);
	bind_text(st, 8, u->locale);
	bind_ts(st, 9, u->created_at);
	bind_ts(st, 11, u->updated_at);
	if (u->has_last_login)
		bind_ts(st, 13, u->last_login_at);
	sqlite3_bind_int(st, 15, u->deletable);
	sqlite3_bind_int(st, 16, (int)u->type);
	sqlite3_bind_int(st, 17, (int)u->status);
	sqlite3_bind_int(st, 18, u->mfa);
	bind_text(st, 19, u->account_root_user_id);
	sqlite3_bind_int(st, 20, u->locked);
	bind_text(st, 21, tags);
	bind_text(st, 22, password_hash);
	r = step_done(c, st);
out:
	sqlite3_finalize(st);
	free(tags);
	return r;
}

_Static_assert(STORE_USER_OWNER == 1, "op_bootstrap's SQL spells the owner type as 1");

/* Insert an organization and its default project (which, as on Scaleway, has the
 * organization's UUID) into b. */
static int org_insert(struct sq_conn *c, const char *name, int is_default, struct tstamp now,
		      struct store_bootstrap *b)
{
	int r = rand_uuid_v4(b->organization_id);

	if (r == 0)
		r = exec_bind(c, "INSERT INTO organizations (id, is_default, created_s, created_ns, name)"
				 " VALUES (?1, ?2, ?3, ?4, ?5)", "siiis", b->organization_id, (int64_t)is_default,
			      (int64_t)now.sec, (int64_t)now.nsec, name);
	if (r == 0)
		r = exec_bind(c, "INSERT INTO projects (id, organization_id, is_default, created_s,"
				 " created_ns) VALUES (?1, ?1, 1, ?2, ?3)", "sii",
			      b->organization_id, (int64_t)now.sec, (int64_t)now.nsec);
	if (r == 0)
		b->created = 1;
	return r;
}

/* Fill b->project_id and b->user_id for b->organization_id, creating its owner when absent. */
static int org_owner(struct sq_conn *c, struct tstamp now, struct store_bootstrap *b)
{
	char email[] = "owner@scw-iamd.localhost", username[] = "owner", empty[] = "", locale[] = "en_US";
	struct store_user u;
	int r = query_text(c, "SELECT id FROM projects WHERE organization_id = ?1 AND is_default = 1",
			   b->organization_id, NULL, b->project_id, sizeof(b->project_id));

	if (r < 0)
		return r;
	r = query_text(c, "SELECT id FROM users WHERE organization_id = ?1 AND type = 1"
			  " ORDER BY created_s, created_ns LIMIT 1", b->organization_id, NULL,
		       b->user_id, sizeof(b->user_id));
	if (r != ERR_NOTFOUND)
		return r;
	memset(&u, 0, sizeof(u));
	r = rand_uuid_v4(u.id);
	if (r < 0)
		return r;
	memcpy(u.organization_id, b->organization_id, sizeof(u.organization_id));
	memcpy(u.account_root_user_id, u.id, sizeof(u.account_root_user_id));
	u.email = email;
	u.username = username;
	u.first_name = u.last_name = u.phone_number = empty;
	u.locale = locale;
	u.created_at = u.updated_at = now;
	u.deletable = 0;
	u.type = STORE_USER_OWNER;
	u.status = STORE_STATUS_ACTIVATED;
	r = insert_user(c, &u, NULL);
	if (r == 0)
		memcpy(b->user_id, u.id, sizeof(b->user_id));
	return r;
}

static struct tstamp now_us(void)
{
	struct tstamp now = time_now();

	now.nsec -= now.nsec % 1000; /* microseconds, as the API shows them */
	return now;
}

static int op_bootstrap(struct sq_conn *c, void *arg)
{
	struct store_bootstrap *b = arg;
	struct tstamp now = now_us();
	int r;

	b->created = 0;
	r = query_text(c, "SELECT id FROM organizations WHERE is_default = 1", NULL, NULL,
		       b->organization_id, sizeof(b->organization_id));
	if (r == ERR_NOTFOUND)
		r = org_insert(c, "default", 1, now, b);
	return r < 0 ? r : org_owner(c, now, b);
}

static int sq_bootstrap(struct store *base, struct store_bootstrap *out)
{
	memset(out, 0, sizeof(*out));
	return sq_write((struct sq_store *)base, op_bootstrap, out);
}

struct org_create_arg {
	const char *name;
	struct store_bootstrap *b;
};

static int op_org_create(struct sq_conn *c, void *arg)
{
	struct org_create_arg *a = arg;
	struct tstamp now = now_us();
	int r = query_text(c, "SELECT id FROM organizations WHERE name = ?1", a->name, NULL, NULL, 0);

	if (r == 0)
		return ERR_EXISTS;
	if (r != ERR_NOTFOUND)
		return r;
	r = org_insert(c, a->name, 0, now, a->b);
	return r < 0 ? r : org_owner(c, now, a->b);
}

static int sq_org_create(struct store *base, const char *name, struct store_bootstrap *out)
{
	struct org_create_arg a = { name, out };

	memset(out, 0, sizeof(*out));
	return sq_write((struct sq_store *)base, op_org_create, &a);
}

static int sq_org_list(struct store *base, struct store_org_list *out)
{
	struct sq_conn *c;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r = sq_reader((struct sq_store *)base, &c);

	if (r == 0)
		r = sq_prepare(c, "SELECT o.id, o.name, o.created_s, o.created_ns, o.is_default, o.api_key_count,"
				  " coalesce(p.id, '') FROM organizations o LEFT JOIN projects p"
				  " ON p.organization_id = o.id AND p.is_default = 1"
				  " ORDER BY o.created_s, o.created_ns, o.id", &st);
	while (r == 0) {
		struct store_org *o;
		int rc = sqlite3_step(st);

		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			r = sq_fail(c, rc, "organization list");
			break;
		}
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct store_org *v = realloc(out->v, ncap * sizeof(*v));

			if (!v) {
				r = ERR_NOMEM;
				break;
			}
			out->v = v;
			cap = ncap;
		}
		o = &out->v[out->n];
		memset(o, 0, sizeof(*o));
		col_copy(st, 0, o->id, sizeof(o->id));
		o->name = col_dup(st, 1);
		o->created_at = col_ts(st, 2);
		o->is_default = sqlite3_column_int(st, 4);
		o->api_keys = (uint32_t)sqlite3_column_int64(st, 5);
		col_copy(st, 6, o->project_id, sizeof(o->project_id));
		out->n++;
		if (!o->name)
			r = ERR_NOMEM;
	}
	sqlite3_finalize(st);
	if (r < 0)
		store_org_list_release(out);
	return r;
}

/* The file is still the one opened (not removed, renamed or replaced), the process may still
 * read and write it, and a query reading the schema answers. */
static int sq_ping(struct store *base, char *detail, size_t dlen)
{
	struct sq_store *s = (struct sq_store *)base;
	struct sq_conn *c;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	int r;

	if (stat(s->path, &sb) != 0) {
		snprintf(detail, dlen, "database file %s: %s", s->path, strerror(errno));
		return ERR_IO;
	}
	if (sb.st_dev != s->dev || sb.st_ino != s->ino) {
		snprintf(detail, dlen, "database file %s was replaced since it was opened", s->path);
		return ERR_IO;
	}
	if (access(s->path, R_OK | W_OK) != 0) {
		snprintf(detail, dlen, "database file %s: %s", s->path, strerror(errno));
		return ERR_IO;
	}
	r = sq_reader(s, &c);
	if (r == 0)
		r = sq_prepare(c, "SELECT count(*) FROM schema_version", &st);
	if (r == 0)
		r = step_one(c, st);
	if (r < 0)
		snprintf(detail, dlen, "database %s does not answer: %s", s->path, err_str(r));
	sqlite3_finalize(st);
	return r;
}

static int default_project(struct sq_conn *c, const char *org, char out[STORE_ID_LEN + 1])
{
	sqlite3_stmt *st;
	int r = sq_stmt(c, SQ_DEFAULT_PROJECT, &st);

	if (r < 0)
		return r;
	bind_text(st, 1, org);
	r = step_one(c, st);
	if (r == 0)
		col_copy(st, 0, out, STORE_ID_LEN + 1);
	sqlite3_reset(st);
	return r;
}

static int sq_org_default_project(struct store *base, const char *org, char out[STORE_ID_LEN + 1])
{
	struct sq_conn *c;
	int r = sq_reader((struct sq_store *)base, &c);

	return r < 0 ? r : default_project(c, org, out);
}

/* ---- API keys ---- */

static int key_get(struct sq_conn *c, const char *org, const char *ak, struct store_key *out)
{
	sqlite3_stmt *st;
	int r = sq_stmt(c, SQ_KEY_GET, &st);

	if (r < 0)
		return r;
	bind_text(st, 1, ak);
	bind_text(st, 2, org);
	r = step_one(c, st);
	if (r == 0)
		r = row_key(st, out);
	sqlite3_reset(st);
	return r;
}

static int sq_auth(struct store *base, const uint8_t hash[STORE_HASH_LEN], struct store_key *out)
{
	struct sq_conn *c;
	sqlite3_stmt *st;
	const void *h;
	int r = sq_reader((struct sq_store *)base, &c);

	memset(out, 0, sizeof(*out));
	if (r == 0)
		r = sq_stmt(c, SQ_AUTH, &st);
	if (r < 0)
		return r;
	sqlite3_bind_blob(st, 1, hash, STORE_HASH_LEN, SQLITE_STATIC);
	r = step_one(c, st);
	if (r == 0) {
		h = sqlite3_column_blob(st, 16);
		/* The index found it; the constant-time check is the one that decides. */
		if (!h || sqlite3_column_bytes(st, 16) != STORE_HASH_LEN || !mem_ct_eq(h, hash, STORE_HASH_LEN))
			r = ERR_NOTFOUND;
	}
	if (r == 0)
		r = row_key(st, out);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

static int sq_key_get(struct store *base, const char *org, const char *ak, struct store_key *out)
{
	struct sq_conn *c;
	int r = sq_reader((struct sq_store *)base, &c);

	memset(out, 0, sizeof(*out));
	return r < 0 ? r : key_get(c, org, ak, out);
}

struct key_create_arg {
	struct store_key *k;
	const uint8_t *hash;
	uint32_t quota;
	struct store_detail *d;
};

static int op_key_create(struct sq_conn *c, void *arg)
{
	struct key_create_arg *a = arg;
	struct store_key *k = a->k;
	sqlite3_stmt *st;
	int app = k->bearer_type == STORE_BEARER_APPLICATION;
	int r = sq_stmt(c, app ? SQ_APP_IN_ORG : SQ_USER_IN_ORG, &st);

	if (r < 0)
		return r;
	bind_text(st, 1, k->bearer_id);
	bind_text(st, 2, k->organization_id);
	r = step_one(c, st);
	sqlite3_reset(st);
	if (r == ERR_NOTFOUND) {
		a->d->resource = app ? "application" : "user";
		snprintf(a->d->resource_id, sizeof(a->d->resource_id), "%s", k->bearer_id);
	}
	if (r < 0)
		return r;
	if (a->quota) {
		r = sq_stmt(c, SQ_KEY_COUNT, &st);
		if (r < 0)
			return r;
		bind_text(st, 1, k->organization_id);
		r = step_one(c, st);
		if (r == 0 && sqlite3_column_int64(st, 0) >= (int64_t)a->quota) {
			a->d->resource = "api_keys";
			a->d->current = (uint32_t)sqlite3_column_int64(st, 0);
			a->d->quota = a->quota;
			r = ERR_QUOTA;
		}
		sqlite3_reset(st);
		if (r < 0)
			return r;
	}
	if (!k->default_project_id[0]) {
		r = default_project(c, k->organization_id, k->default_project_id);
		if (r < 0)
			return r == ERR_NOTFOUND ? ERR_DB : r;
	}
	r = sq_stmt(c, SQ_KEY_INSERT, &st);
	if (r < 0)
		return r;
	bind_text(st, 1, k->access_key);
	sqlite3_bind_blob(st, 2, a->hash, STORE_HASH_LEN, SQLITE_STATIC);
	bind_text(st, 3, k->organization_id);
	bind_text(st, 4, k->description ? k->description : "");
	bind_ts(st, 5, k->created_at);
	bind_ts(st, 7, k->updated_at);
	if (k->has_expires)
		bind_ts(st, 9, k->expires_at);
	bind_text(st, 11, k->default_project_id);
	sqlite3_bind_int(st, 12, k->editable);
	sqlite3_bind_int(st, 13, k->deletable);
	sqlite3_bind_int(st, 14, k->managed);
	bind_text(st, 15, k->creation_ip);
	bind_text(st, app ? 16 : 17, k->bearer_id);
	r = step_done(c, st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st); /* the hash was bound SQLITE_STATIC */
	return r;
}

static int sq_key_create(struct store *base, struct store_key *k, const uint8_t hash[STORE_HASH_LEN],
			 uint32_t quota, struct store_detail *d)
{
	struct store_detail dummy;
	struct key_create_arg a = { k, hash, quota, d ? d : &dummy };

	memset(a.d, 0, sizeof(*a.d));
	if (k->bearer_type != STORE_BEARER_APPLICATION && k->bearer_type != STORE_BEARER_USER)
		return ERR_INVAL;
	return sq_write((struct sq_store *)base, op_key_create, &a);
}

struct key_update_arg {
	const char *org, *ak;
	const struct store_key_patch *p;
	struct store_key *out;
};

static int op_key_update(struct sq_conn *c, void *arg)
{
	struct key_update_arg *a = arg;
	sqlite3_stmt *st = NULL;
	int r = sq_prepare(c, "UPDATE api_keys SET description = coalesce(?1, description),"
			      " default_project_id = coalesce(?2, default_project_id),"
			      " expires_s = CASE WHEN ?3 THEN ?4 ELSE expires_s END,"
			      " expires_ns = CASE WHEN ?3 THEN ?5 ELSE expires_ns END,"
			      " updated_s = ?6, updated_ns = ?7"
			      " WHERE access_key = ?8 AND organization_id = ?9", &st);

	if (r < 0)
		return r;
	bind_text(st, 1, a->p->description);
	bind_text(st, 2, a->p->default_project_id);
	sqlite3_bind_int(st, 3, a->p->set_expires);
	bind_ts(st, 4, a->p->expires_at);
	bind_ts(st, 6, a->p->now);
	bind_text(st, 8, a->ak);
	bind_text(st, 9, a->org);
	r = step_done(c, st);
	sqlite3_finalize(st);
	if (r == 0 && sqlite3_changes(c->db) == 0)
		r = ERR_NOTFOUND;
	if (r == 0)
		r = key_get(c, a->org, a->ak, a->out);
	return r;
}

static int sq_key_update(struct store *base, const char *org, const char *ak,
			 const struct store_key_patch *p, struct store_key *out)
{
	struct key_update_arg a = { org, ak, p, out };
	int r;

	memset(out, 0, sizeof(*out));
	r = sq_write((struct sq_store *)base, op_key_update, &a);
	if (r < 0)
		store_key_release(out);
	return r;
}

struct del_arg {
	const char *sql_check, *sql_del;
	const char *org, *id;
};

static int op_delete(struct sq_conn *c, void *arg)
{
	struct del_arg *a = arg;
	char deletable[8];
	int r = query_text(c, a->sql_check, a->id, a->org, deletable, sizeof(deletable));

	if (r < 0)
		return r;
	if (strcmp(deletable, "1") != 0)
		return ERR_PERM;
	r = exec_bind(c, a->sql_del, "ss", a->id, a->org);
	if (r == 0 && sqlite3_changes(c->db) == 0)
		r = ERR_NOTFOUND;
	return r;
}

static int sq_key_delete(struct store *base, const char *org, const char *ak)
{
	struct del_arg a = { "SELECT deletable FROM api_keys WHERE access_key = ?1 AND organization_id = ?2",
			     "DELETE FROM api_keys WHERE access_key = ?1 AND organization_id = ?2", org, ak };

	return sq_write((struct sq_store *)base, op_delete, &a);
}

/* ---- list queries: a WHERE clause built from the filter, bound twice (count and page) ---- */

struct qbind {
	int is_text;
	const char *s;
	int64_t i;
};

struct qb {
	struct buf where;
	struct qbind b[256];
	int n;
	int err;
};

static void qb_init(struct qb *q)
{
	buf_init(&q->where, 1 << 16);
	q->n = 0;
	q->err = 0;
}

static void qb_sql(struct qb *q, const char *sql)
{
	if (!q->err)
		q->err = buf_append_str(&q->where, sql);
}

static void qb_text(struct qb *q, const char *s)
{
	if (q->n >= (int)(sizeof(q->b) / sizeof(q->b[0]))) {
		q->err = ERR_TOOBIG;
		return;
	}
	q->b[q->n].is_text = 1;
	q->b[q->n].s = s;
	q->n++;
	if (!q->err)
		q->err = buf_printf(&q->where, "?%d", q->n);
}

static void qb_int(struct qb *q, int64_t v)
{
	if (q->n >= (int)(sizeof(q->b) / sizeof(q->b[0]))) {
		q->err = ERR_TOOBIG;
		return;
	}
	q->b[q->n].is_text = 0;
	q->b[q->n].i = v;
	q->n++;
	if (!q->err)
		q->err = buf_printf(&q->where, "?%d", q->n);
}

/* " AND col IN (?, ?, ...)" */
static void qb_in(struct qb *q, const char *col, const char *const *v, size_t n)
{
	size_t i;

	if (!n)
		return;
	qb_sql(q, " AND ");
	qb_sql(q, col);
	qb_sql(q, " IN (");
	for (i = 0; i < n; i++) {
		if (i)
			qb_sql(q, ", ");
		qb_text(q, v[i]);
	}
	qb_sql(q, ")");
}

static void qb_eq(struct qb *q, const char *col, const char *v)
{
	if (!v)
		return;
	qb_sql(q, " AND ");
	qb_sql(q, col);
	qb_sql(q, " = ");
	qb_text(q, v);
}

static void qb_bool(struct qb *q, const char *col, int v)
{
	if (v < 0)
		return;
	qb_sql(q, " AND ");
	qb_sql(q, col);
	qb_sql(q, " = ");
	qb_int(q, v ? 1 : 0);
}

static void qb_bind(struct qb *q, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < q->n; i++) {
		if (q->b[i].is_text)
			bind_text(st, i + 1, q->b[i].s);
		else
			sqlite3_bind_int64(st, i + 1, q->b[i].i);
	}
}

/* Runs "SELECT count(*) FROM <from> WHERE 1<where>" and "SELECT <cols> FROM <from> WHERE
 * 1<where> ORDER BY <order> LIMIT/OFFSET" in one read transaction; calls row() per row. */
static int run_list(struct sq_conn *c, const char *cols, const char *from, struct qb *q,
		    const char *order, const struct store_page *pg, uint32_t *total,
		    int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	struct buf sql;
	sqlite3_stmt *st = NULL;
	int r, rc, began = 0;
	int64_t offset = ((int64_t)pg->page - 1) * (int64_t)pg->page_size;

	buf_init(&sql, 1 << 17);
	r = q->err;
	if (r == 0 && sqlite3_get_autocommit(c->db)) {
		r = sq_exec(c, "BEGIN");
		if (r == 0)
			began = 1;
	}
	if (r == 0)
		r = buf_printf(&sql, "SELECT count(*) FROM %s WHERE 1%s", from, q->where.data ? q->where.data : "");
	if (r == 0)
		r = sq_prepare(c, sql.data, &st);
	if (r == 0) {
		qb_bind(q, st);
		r = step_one(c, st);
	}
	if (r == 0)
		*total = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	buf_reset(&sql);
	if (r == 0)
		r = buf_printf(&sql, "SELECT %s FROM %s WHERE 1%s ORDER BY %s LIMIT %u OFFSET %lld", cols,
			       from, q->where.data ? q->where.data : "", order, pg->page_size,
			       (long long)offset);
	if (r == 0)
		r = sq_prepare(c, sql.data, &st);
	if (r == 0) {
		qb_bind(q, st);
		for (rc = sqlite3_step(st); rc == SQLITE_ROW && r == 0; rc = sqlite3_step(st))
			r = row(st, ctx);
		if (r == 0 && rc != SQLITE_DONE)
			r = sq_fail(c, rc, "list");
	}
	sqlite3_finalize(st);
	if (began)
		sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	buf_release(&sql);
	return r;
}

static int order_sql(const struct store_page *pg, const char *tiebreak, char *out, size_t n)
{
	const char *d = pg->desc ? "DESC" : "ASC";
	const char *c1 = NULL, *c2 = NULL;
	size_t len;

	switch (pg->order) {
	case STORE_ORDER_CREATED_AT: c1 = "created_s"; c2 = "created_ns"; break;
	case STORE_ORDER_UPDATED_AT: c1 = "updated_s"; c2 = "updated_ns"; break;
	case STORE_ORDER_EXPIRES_AT: c1 = "expires_s"; c2 = "expires_ns"; break;
	case STORE_ORDER_LAST_LOGIN: c1 = "last_login_s"; c2 = "last_login_ns"; break;
	case STORE_ORDER_ACCESS_KEY: c1 = "access_key"; break;
	case STORE_ORDER_NAME: c1 = "name"; break;
	case STORE_ORDER_EMAIL: c1 = "email"; break;
	case STORE_ORDER_USERNAME: c1 = "username"; break;
	default: return ERR_INVAL;
	}
	if (c2)
		snprintf(out, n, "%s %s, %s %s", c1, d, c2, d);
	else
		snprintf(out, n, "%s %s", c1, d);
	/* Ties are broken by creation then the primary key, in the same direction. */
	len = strlen(out);
	snprintf(out + len, n - len, ", created_s %s, created_ns %s, %s %s", d, d, tiebreak, d);
	return 0;
}

struct list_ctx {
	void *v;
	size_t n, cap, elem;
	int (*conv)(sqlite3_stmt *st, void *elem);
};

static int list_row(sqlite3_stmt *st, void *arg)
{
	struct list_ctx *l = arg;
	int r;

	if (l->n >= l->cap)
		return ERR_INTERNAL;
	r = l->conv(st, (char *)l->v + l->n * l->elem);
	if (r == 0)
		l->n++;
	return r;
}

static int conv_key(sqlite3_stmt *st, void *e) { return row_key(st, e); }
static int conv_app(sqlite3_stmt *st, void *e) { return row_app(st, e); }
static int conv_user(sqlite3_stmt *st, void *e) { return row_user(st, e); }

static int check_page(const struct store_page *pg)
{
	if (pg->page < 1 || pg->page_size < 1 || pg->page_size > 100)
		return ERR_RANGE;
	return 0;
}

static int sq_key_list(struct store *base, const struct store_key_filter *f, struct store_key_list *out)
{
	struct list_ctx l = { NULL, 0, 0, sizeof(struct store_key), conv_key };
	struct sq_conn *c;
	struct qb q;
	char order[256];
	int r;

	memset(out, 0, sizeof(*out));
	r = check_page(&f->page);
	if (r == 0)
		r = order_sql(&f->page, "access_key", order, sizeof(order));
	if (r == 0)
		r = sq_reader((struct sq_store *)base, &c);
	if (r < 0)
		return r;
	qb_init(&q);
	qb_eq(&q, "organization_id", f->organization_id);
	qb_bool(&q, "editable", f->editable);
	if (f->expired == 1) {
		qb_sql(&q, " AND expires_s IS NOT NULL AND (expires_s < ");
		qb_int(&q, f->now.sec);
		qb_sql(&q, " OR (expires_s = ");
		qb_int(&q, f->now.sec);
		qb_sql(&q, " AND expires_ns <= ");
		qb_int(&q, f->now.nsec);
		qb_sql(&q, "))");
	} else if (f->expired == 0) {
		qb_sql(&q, " AND (expires_s IS NULL OR expires_s > ");
		qb_int(&q, f->now.sec);
		qb_sql(&q, " OR (expires_s = ");
		qb_int(&q, f->now.sec);
		qb_sql(&q, " AND expires_ns > ");
		qb_int(&q, f->now.nsec);
		qb_sql(&q, "))");
	}
	qb_eq(&q, "access_key", f->access_key);
	qb_eq(&q, "description", f->description);
	if (f->bearer_type == STORE_BEARER_APPLICATION) {
		qb_sql(&q, " AND application_id IS NOT NULL");
		qb_eq(&q, "application_id", f->bearer_id);
	} else if (f->bearer_type == STORE_BEARER_USER) {
		qb_sql(&q, " AND user_id IS NOT NULL");
		qb_eq(&q, "user_id", f->bearer_id);
	} else if (f->bearer_id) {
		qb_sql(&q, " AND (application_id = ");
		qb_text(&q, f->bearer_id);
		qb_sql(&q, " OR user_id = ");
		qb_text(&q, f->bearer_id);
		qb_sql(&q, ")");
	}
	qb_in(&q, "access_key", f->access_keys, f->n_access_keys);
	qb_eq(&q, "application_id", f->application_id);
	qb_eq(&q, "user_id", f->user_id);
	l.cap = f->page.page_size;
	l.v = mem_calloc(l.cap, l.elem);
	r = l.v ? 0 : ERR_NOMEM;
	if (r == 0)
		r = run_list(c, KEY_COLS, "api_keys", &q, order, &f->page, &out->total, list_row, &l);
	buf_release(&q.where);
	out->v = l.v;
	out->n = l.n;
	if (r < 0)
		store_key_list_release(out);
	return r;
}

/* ---- applications ---- */

static int app_get(struct sq_conn *c, const char *org, const char *id, struct store_app *out)
{
	sqlite3_stmt *st;
	int r = sq_stmt(c, SQ_APP_GET, &st);

	if (r < 0)
		return r;
	bind_text(st, 1, id);
	bind_text(st, 2, org);
	r = step_one(c, st);
	if (r == 0)
		r = row_app(st, out);
	sqlite3_reset(st);
	return r;
}

static int sq_app_get(struct store *base, const char *org, const char *id, struct store_app *out)
{
	struct sq_conn *c;
	int r = sq_reader((struct sq_store *)base, &c);

	memset(out, 0, sizeof(*out));
	return r < 0 ? r : app_get(c, org, id, out);
}

struct app_create_arg {
	const struct store_app *a;
};

static int op_app_create(struct sq_conn *c, void *arg)
{
	const struct store_app *a = ((struct app_create_arg *)arg)->a;
	sqlite3_stmt *st = NULL;
	char *tags = NULL;
	int r = query_text(c, "SELECT id FROM organizations WHERE id = ?1", a->organization_id, NULL,
			   NULL, 0);

	if (r == 0)
		r = tags_encode(&a->tags, &tags);
	if (r == 0)
		r = sq_prepare(c, "INSERT INTO applications (id, organization_id, name, description,"
				  " created_s, created_ns, updated_s, updated_ns, editable, deletable,"
				  " managed, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
			       &st);
	if (r == 0) {
		bind_text(st, 1, a->id);
		bind_text(st, 2, a->organization_id);
		bind_text(st, 3, a->name);
		bind_text(st, 4, a->description ? a->description : "");
		bind_ts(st, 5, a->created_at);
		bind_ts(st, 7, a->updated_at);
		sqlite3_bind_int(st, 9, a->editable);
		sqlite3_bind_int(st, 10, a->deletable);
		sqlite3_bind_int(st, 11, a->managed);
		bind_text(st, 12, tags);
		r = step_done(c, st);
	}
	sqlite3_finalize(st);
	free(tags);
	return r;
}

static int sq_app_create(struct store *base, const struct store_app *a, struct store_detail *d)
{
	struct app_create_arg arg = { a };

	if (d)
		memset(d, 0, sizeof(*d));
	return sq_write((struct sq_store *)base, op_app_create, &arg);
}

struct app_update_arg {
	const char *org, *id;
	const struct store_app_patch *p;
	struct store_app *out;
};

static int op_app_update(struct sq_conn *c, void *arg)
{
	struct app_update_arg *a = arg;
	sqlite3_stmt *st = NULL;
	char *tags = NULL;
	int r = 0;

	if (a->p->set_tags)
		r = tags_encode(&a->p->tags, &tags);
	if (r == 0)
		r = sq_prepare(c, "UPDATE applications SET name = coalesce(?1, name),"
				  " description = coalesce(?2, description), tags = coalesce(?3, tags),"
				  " updated_s = ?4, updated_ns = ?5 WHERE id = ?6 AND organization_id = ?7",
			       &st);
	if (r == 0) {
		bind_text(st, 1, a->p->name);
		bind_text(st, 2, a->p->description);
		bind_text(st, 3, tags);
		bind_ts(st, 4, a->p->now);
		bind_text(st, 6, a->id);
		bind_text(st, 7, a->org);
		r = step_done(c, st);
	}
	sqlite3_finalize(st);
	free(tags);
	if (r == 0 && sqlite3_changes(c->db) == 0)
		r = ERR_NOTFOUND;
	if (r == 0)
		r = app_get(c, a->org, a->id, a->out);
	return r;
}

static int sq_app_update(struct store *base, const char *org, const char *id,
			 const struct store_app_patch *p, struct store_app *out)
{
	struct app_update_arg a = { org, id, p, out };
	int r;

	memset(out, 0, sizeof(*out));
	r = sq_write((struct sq_store *)base, op_app_update, &a);
	if (r < 0)
		store_app_release(out);
	return r;
}

static int sq_app_delete(struct store *base, const char *org, const char *id)
{
	struct del_arg a = { "SELECT deletable FROM applications WHERE id = ?1 AND organization_id = ?2",
			     "DELETE FROM applications WHERE id = ?1 AND organization_id = ?2", org, id };

	return sq_write((struct sq_store *)base, op_delete, &a);
}

static int sq_app_list(struct store *base, const struct store_app_filter *f, struct store_app_list *out)
{
	struct list_ctx l = { NULL, 0, 0, sizeof(struct store_app), conv_app };
	struct sq_conn *c;
	struct qb q;
	char order[256];
	int r;

	memset(out, 0, sizeof(*out));
	r = check_page(&f->page);
	if (r == 0 && f->page.order != STORE_ORDER_CREATED_AT && f->page.order != STORE_ORDER_UPDATED_AT &&
	    f->page.order != STORE_ORDER_NAME)
		r = ERR_INVAL;
	if (r == 0)
		r = order_sql(&f->page, "id", order, sizeof(order));
	if (r == 0)
		r = sq_reader((struct sq_store *)base, &c);
	if (r < 0)
		return r;
	qb_init(&q);
	qb_eq(&q, "a.organization_id", f->organization_id);
	if (f->name) {
		qb_sql(&q, " AND instr(lower(a.name), lower(");
		qb_text(&q, f->name);
		qb_sql(&q, ")) > 0");
	}
	if (f->tag) {
		qb_sql(&q, " AND EXISTS (SELECT 1 FROM json_each(a.tags) WHERE value = ");
		qb_text(&q, f->tag);
		qb_sql(&q, ")");
	}
	qb_bool(&q, "a.editable", f->editable);
	qb_in(&q, "a.id", f->ids, f->n_ids);
	l.cap = f->page.page_size;
	l.v = mem_calloc(l.cap, l.elem);
	r = l.v ? 0 : ERR_NOMEM;
	if (r == 0)
		r = run_list(c, APP_COLS, "applications a", &q, order, &f->page, &out->total, list_row, &l);
	buf_release(&q.where);
	out->v = l.v;
	out->n = l.n;
	if (r < 0)
		store_app_list_release(out);
	return r;
}

/* ---- users ---- */

static int user_get(struct sq_conn *c, const char *org, const char *id, struct store_user *out)
{
	sqlite3_stmt *st;
	int r = sq_stmt(c, SQ_USER_GET, &st);

	if (r < 0)
		return r;
	bind_text(st, 1, id);
	bind_text(st, 2, org);
	r = step_one(c, st);
	if (r == 0)
		r = row_user(st, out);
	sqlite3_reset(st);
	return r;
}

static int sq_user_get(struct store *base, const char *org, const char *id, struct store_user *out)
{
	struct sq_conn *c;
	int r = sq_reader((struct sq_store *)base, &c);

	memset(out, 0, sizeof(*out));
	return r < 0 ? r : user_get(c, org, id, out);
}

/* ERR_EXISTS when another user of org (not self) already has this username / email. */
static int user_unique(struct sq_conn *c, const char *org, const char *self, const char *username,
		       const char *email, struct store_detail *d)
{
	static const char *const sql[2] = {
		"SELECT id FROM users WHERE organization_id = ?1 AND username = ?2 AND id <> ?3",
		"SELECT id FROM users WHERE organization_id = ?1 AND email = ?2 AND id <> ?3",
	};
	const char *vals[2] = { username, email };
	int i, r = 0;

	for (i = 0; i < 2 && r == 0; i++) {
		sqlite3_stmt *st = NULL;

		if (!vals[i])
			continue;
		r = sq_prepare(c, sql[i], &st);
		if (r == 0) {
			bind_text(st, 1, org);
			bind_text(st, 2, vals[i]);
			bind_text(st, 3, self ? self : "");
			r = step_one(c, st);
			if (r == 0) {
				r = ERR_EXISTS;
				d->resource = i == 0 ? "username" : "email";
				snprintf(d->resource_id, sizeof(d->resource_id), "%s", vals[i]);
			} else if (r == ERR_NOTFOUND) {
				r = 0;
			}
		}
		sqlite3_finalize(st);
	}
	return r;
}

struct user_create_arg {
	const struct store_user *u;
	const char *password_hash;
	struct store_detail *d;
};

static int op_user_create(struct sq_conn *c, void *arg)
{
	struct user_create_arg *a = arg;
	int r = user_unique(c, a->u->organization_id, NULL, a->u->username, a->u->email, a->d);

	if (r == 0)
		r = insert_user(c, a->u, a->password_hash);
	return r;
}

static int sq_user_create(struct store *base, const struct store_user *u, const char *password_hash,
			  struct store_detail *d)
{
	struct store_detail dummy;
	struct user_create_arg a = { u, password_hash, d ? d : &dummy };

	memset(a.d, 0, sizeof(*a.d));
	return sq_write((struct sq_store *)base, op_user_create, &a);
}

struct user_update_arg {
	const char *org, *id;
	const struct store_user_patch *p;
	struct store_user *out;
	struct store_detail *d;
};

static int op_user_update(struct sq_conn *c, void *arg)
{
	struct user_update_arg *a = arg;
	const struct store_user_patch *p = a->p;
	sqlite3_stmt *st = NULL;
	char *tags = NULL;
	int r = query_text(c, "SELECT id FROM users WHERE id = ?1 AND organization_id = ?2", a->id,
			   a->org, NULL, 0);

	if (r == 0)
		r = user_unique(c, a->org, a->id, p->username, p->email, a->d);
	if (r == 0 && p->set_tags)
		r = tags_encode(&p->tags, &tags);
	if (r == 0)
		r = sq_prepare(c, "UPDATE users SET email = coalesce(?1, email),"
				  " first_name = coalesce(?2, first_name), last_name = coalesce(?3, last_name),"
				  " phone_number = coalesce(?4, phone_number), locale = coalesce(?5, locale),"
				  " username = coalesce(?6, username), tags = coalesce(?7, tags),"
				  " password_hash = coalesce(?12, password_hash),"
				  " updated_s = ?8, updated_ns = ?9 WHERE id = ?10 AND organization_id = ?11",
			       &st);
	if (r == 0) {
		bind_text(st, 1, p->email);
		bind_text(st, 2, p->first_name);
		bind_text(st, 3, p->last_name);
		bind_text(st, 4, p->phone_number);
		bind_text(st, 5, p->locale);
		bind_text(st, 6, p->username);
		bind_text(st, 7, tags);
		bind_ts(st, 8, p->now);
		bind_text(st, 10, a->id);
		bind_text(st, 11, a->org);
		bind_text(st, 12, p->password_hash);
		r = step_done(c, st);
	}
	sqlite3_finalize(st);
	free(tags);
	if (r == 0)
		r = user_get(c, a->org, a->id, a->out);
	return r;
}

static int sq_user_update(struct store *base, const char *org, const char *id,
			  const struct store_user_patch *p, struct store_user *out, struct store_detail *d)
{
	struct store_detail dummy;
	struct user_update_arg a = { org, id, p, out, d ? d : &dummy };
	int r;

	memset(out, 0, sizeof(*out));
	memset(a.d, 0, sizeof(*a.d));
	r = sq_write((struct sq_store *)base, op_user_update, &a);
	if (r < 0)
		store_user_release(out);
	return r;
}

static int sq_user_delete(struct store *base, const char *org, const char *id)
{
	struct del_arg a = { "SELECT deletable FROM users WHERE id = ?1 AND organization_id = ?2",
			     "DELETE FROM users WHERE id = ?1 AND organization_id = ?2", org, id };

	return sq_write((struct sq_store *)base, op_delete, &a);
}

static int sq_user_list(struct store *base, const struct store_user_filter *f, struct store_user_list *out)
{
	struct list_ctx l = { NULL, 0, 0, sizeof(struct store_user), conv_user };
	struct sq_conn *c;
	struct qb q;
	char order[256];
	int r;

	memset(out, 0, sizeof(*out));
	r = check_page(&f->page);
	if (r == 0 && (f->page.order == STORE_ORDER_EXPIRES_AT || f->page.order == STORE_ORDER_ACCESS_KEY ||
		       f->page.order == STORE_ORDER_NAME))
		r = ERR_INVAL;
	if (r == 0)
		r = order_sql(&f->page, "id", order, sizeof(order));
	if (r == 0)
		r = sq_reader((struct sq_store *)base, &c);
	if (r < 0)
		return r;
	qb_init(&q);
	qb_eq(&q, "organization_id", f->organization_id);
	if (f->tag) {
		qb_sql(&q, " AND EXISTS (SELECT 1 FROM json_each(users.tags) WHERE value = ");
		qb_text(&q, f->tag);
		qb_sql(&q, ")");
	}
	qb_bool(&q, "mfa", f->mfa);
	if (f->type != STORE_USER_UNKNOWN) {
		qb_sql(&q, " AND type = ");
		qb_int(&q, (int64_t)f->type);
	}
	qb_in(&q, "id", f->ids, f->n_ids);
	l.cap = f->page.page_size;
	l.v = mem_calloc(l.cap, l.elem);
	r = l.v ? 0 : ERR_NOMEM;
	if (r == 0)
		r = run_list(c, USER_COLS, "users", &q, order, &f->page, &out->total, list_row, &l);
	buf_release(&q.where);
	out->v = l.v;
	out->n = l.n;
	if (r < 0)
		store_user_list_release(out);
	return r;
}

static const struct store_ops sq_ops = {
	.name = "sqlite",
	.close = sq_close,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.bootstrap = sq_bootstrap,
	.org_create = sq_org_create,
	.org_list = sq_org_list,
	.ping = sq_ping,
	.org_default_project = sq_org_default_project,
	.auth = sq_auth,
	.key_create = sq_key_create,
	.key_get = sq_key_get,
	.key_update = sq_key_update,
	.key_delete = sq_key_delete,
	.key_list = sq_key_list,
	.app_create = sq_app_create,
	.app_get = sq_app_get,
	.app_update = sq_app_update,
	.app_delete = sq_app_delete,
	.app_list = sq_app_list,
	.user_create = sq_user_create,
	.user_get = sq_user_get,
	.user_update = sq_user_update,
	.user_delete = sq_user_delete,
	.user_list = sq_user_list,
};
