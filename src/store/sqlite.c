/* SPDX-License-Identifier: MIT */
/*
 * sqlite: the SQLite engine of the store. One database file in WAL mode with synchronous=FULL (a
 * commit is on disk before it is acknowledged), foreign keys on, a busy_timeout, and a
 * schema_version table driving migrations. The file is created 0600 (the -wal/-shm files
 * inherit its mode).
 *
 * Concurrency: each calling thread reads through its own connection (opened on first use, kept
 * in thread-local storage, closed at store_close), so readers never wait for each other or for
 * the writer. Every write goes through one writer thread doing group commit: callers queue an
 * operation and sleep; the writer takes the whole queue, runs each operation inside its own
 * SAVEPOINT of one IMMEDIATE transaction (a failing operation rolls back alone), commits once
 * (one fsync for the batch) and only then wakes the callers. Writes are therefore serial, and
 * the rules of rules.c see every earlier write. Statements are prepared once per connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/store_int.h"

/* The engine's own statements. */
enum sq_own { SQ_BEGIN, SQ_COMMIT, SQ_BEGIN_READ, SQ_SAVEPOINT, SQ_RELEASE, SQ_ROLLBACK_TO, SQ_NOWN };
static const char *const sq_own_sql[SQ_NOWN] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",  [SQ_COMMIT] = "COMMIT",      [SQ_BEGIN_READ] = "BEGIN",
	[SQ_SAVEPOINT] = "SAVEPOINT op", [SQ_RELEASE] = "RELEASE op", [SQ_ROLLBACK_TO] = "ROLLBACK TO op",
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
	/* 2: the count is kept by the store's rules (rules.c), the same on every engine. */
	"DROP TRIGGER api_keys_count_ins;"
	"DROP TRIGGER api_keys_count_del;"
	"UPDATE organizations SET api_key_count ="
	" (SELECT count(*) FROM api_keys k WHERE k.organization_id = organizations.id);",
	/* 3: organization names (scw-iamd admin organization create/list), unique when set. */
	"ALTER TABLE organizations ADD COLUMN name TEXT NOT NULL DEFAULT '';"
	"UPDATE organizations SET name = 'default' WHERE is_default = 1;"
	"CREATE UNIQUE INDEX organizations_name ON organizations(name) WHERE name <> '';",
	/* 4: groups, policies and their rules (access.c) */
	"CREATE TABLE iam_groups ("
	" id TEXT PRIMARY KEY,"
	" organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,"
	" created_s INTEGER NOT NULL, created_ns INTEGER NOT NULL,"
	" updated_s INTEGER NOT NULL, updated_ns INTEGER NOT NULL,"
	" name TEXT NOT NULL, description TEXT NOT NULL,"
	" user_ids TEXT NOT NULL DEFAULT '[]', application_ids TEXT NOT NULL DEFAULT '[]',"
	" tags TEXT NOT NULL DEFAULT '[]',"
	" editable INTEGER NOT NULL, deletable INTEGER NOT NULL, managed INTEGER NOT NULL,"
	" UNIQUE (organization_id, name));"
	"CREATE INDEX iam_groups_org ON iam_groups(organization_id, created_s, created_ns);"
	"CREATE TABLE policies ("
	" id TEXT PRIMARY KEY,"
	" name TEXT NOT NULL, description TEXT NOT NULL,"
	" organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,"
	" created_s INTEGER NOT NULL, created_ns INTEGER NOT NULL,"
	" updated_s INTEGER NOT NULL, updated_ns INTEGER NOT NULL,"
	" editable INTEGER NOT NULL, deletable INTEGER NOT NULL, managed INTEGER NOT NULL,"
	" nb_rules INTEGER NOT NULL, nb_scopes INTEGER NOT NULL, nb_permission_sets INTEGER NOT NULL,"
	" tags TEXT NOT NULL DEFAULT '[]',"
	" user_id TEXT, group_id TEXT, application_id TEXT);"
	"CREATE INDEX policies_org ON policies(organization_id, created_s, created_ns);"
	"CREATE TABLE policy_rules ("
	" id TEXT PRIMARY KEY,"
	" policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,"
	" pos INTEGER NOT NULL,"
	" permission_set_names TEXT NOT NULL, scope_type INTEGER NOT NULL, cond TEXT NOT NULL,"
	" organization_id TEXT, project_ids TEXT NOT NULL DEFAULT '[]');"
	"CREATE INDEX policy_rules_policy ON policy_rules(policy_id, pos);",
};
#define SQ_SCHEMA_VERSION ((int)(sizeof(sq_migrations) / sizeof(sq_migrations[0])))

struct store_conn {
	sqlite3 *db;
	int busy; /* counted in sq_store.busy: inside a read snapshot or a call */
	sqlite3_stmt *st[Q_N];
	sqlite3_stmt *own[SQ_NOWN];
	struct store_conn *next;
};

struct sq_op {
	store_conn_fn fn;
	void *arg;
	int r;
	int done;
	pthread_cond_t cv; /* signalled when done */
	struct sq_op *next;
};

struct sq_store {
	struct store base;
	char *path;
	pthread_key_t tls;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;
	struct store_conn *readers; /* every reader connection, closed at close */
	uint32_t n_readers, queued;
	atomic_uint busy; /* connections in use now (stats) */
	dev_t dev;        /* the file opened, for ping */
	ino_t ino;
	struct store_conn *writer;
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
	case SQLITE_ROW: return 0;
	case SQLITE_NOMEM: return ERR_NOMEM;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN: return ERR_IO;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return ERR_AGAIN;
	case SQLITE_CONSTRAINT:
		return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ? ERR_EXISTS : ERR_DB;
	default: return ERR_DB;
	}
}

static int sq_fail(struct store_conn *c, int rc, const char *what)
{
	int r = sq_err(rc);

	if (r != ERR_EXISTS)
		log_kv(LOG_ERROR, "sqlite error", "op", what, "error", sqlite3_errmsg(c->db), NULL);
	return r < 0 ? r : ERR_DB;
}

static int sq_exec(struct store_conn *c, const char *sql)
{
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(c, rc, sql);
	return 0;
}

/* SQLite numbers parameters ?N: rewrite the shared $N placeholders. */
static int sq_prepare(struct store_conn *c, const char *sql, int persistent, sqlite3_stmt **out)
{
	size_t n = strlen(sql), i;
	char *t = mem_strndup(sql, n);
	int rc;

	if (!t)
		return ERR_NOMEM;
	for (i = 0; i < n; i++)
		if (t[i] == '$' && i + 1 < n && t[i + 1] >= '0' && t[i + 1] <= '9')
			t[i] = '?';
	rc = sqlite3_prepare_v3(c->db, t, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, out, NULL);
	free(t);
	if (rc != SQLITE_OK)
		return sq_fail(c, rc, "prepare");
	return 0;
}

static const char *sq_col(const struct srow *r, int c, size_t *len)
{
	sqlite3_stmt *st = (sqlite3_stmt *)r->impl;
	const char *v;

	if (sqlite3_column_type(st, c) == SQLITE_NULL)
		return NULL;
	v = (const char *)sqlite3_column_text(st, c);
	if (len)
		*len = (size_t)sqlite3_column_bytes(st, c);
	return v;
}

/* Integers read as integers: sqlite3_column_text on an INTEGER column would convert it to text in
 * place (an allocation and a conversion per column). */
static int64_t sq_col_int(const struct srow *r, int c, int *is_null)
{
	sqlite3_stmt *st = (sqlite3_stmt *)r->impl;

	*is_null = sqlite3_column_type(st, c) == SQLITE_NULL;
	return *is_null ? 0 : sqlite3_column_int64(st, c);
}

static int sq_run(struct store_conn *c, int id, const char *sql, const struct sval *args, int n, store_row_fn row,
		  void *ctx, int64_t *changes)
{
	sqlite3_stmt *st = NULL;
	struct srow rw = { NULL, 0, sq_col, sq_col_int };
	int i, r = 0, rc;

	if (id >= 0 && c->st[id]) {
		st = c->st[id];
	} else {
		r = sq_prepare(c, sql, id >= 0, &st);
		if (r < 0)
			return r;
		if (id >= 0)
			c->st[id] = st;
	}
	for (i = 0; i < n; i++) {
		switch (args[i].t) {
		case SV_NULL: sqlite3_bind_null(st, i + 1); break;
		case SV_TEXT: sqlite3_bind_text(st, i + 1, args[i].s, -1, SQLITE_STATIC); break;
		case SV_INT: sqlite3_bind_int64(st, i + 1, args[i].i); break;
		case SV_BLOB: sqlite3_bind_blob(st, i + 1, args[i].s, (int)args[i].len, SQLITE_STATIC); break;
		}
	}
	rw.impl = st;
	for (rc = sqlite3_step(st); rc == SQLITE_ROW && r == 0; rc = sqlite3_step(st)) {
		if (row)
			r = row(&rw, ctx);
		rw.i++;
	}
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = sq_fail(c, rc, "step");
	if (r == 0 && changes)
		*changes = sqlite3_changes(c->db);
	if (id >= 0) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st); /* values were bound SQLITE_STATIC */
	} else {
		sqlite3_finalize(st);
	}
	return r;
}

/* Run one of the engine's own statements (cached). */
static int sq_own(struct store_conn *c, enum sq_own id)
{
	int rc;

	if (!c->own[id]) {
		rc = sqlite3_prepare_v3(c->db, sq_own_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->own[id], NULL);
		if (rc != SQLITE_OK)
			return sq_fail(c, rc, "prepare");
	}
	rc = sqlite3_step(c->own[id]);
	sqlite3_reset(c->own[id]);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_fail(c, rc, sq_own_sql[id]);
	return 0;
}

/* ---- connections ---- */

static void conn_close(struct store_conn *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < Q_N; i++)
		sqlite3_finalize(c->st[i]);
	for (i = 0; i < SQ_NOWN; i++)
		sqlite3_finalize(c->own[i]);
	sqlite3_close_v2(c->db);
	free(c);
}
static int conn_open(const char *path, int writer, struct store_conn **out, char *detail, size_t dlen)
{
	struct store_conn *c = mem_calloc(1, sizeof(*c));
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
static int sq_reader(struct sq_store *s, struct store_conn **out)
{
	struct store_conn *c = pthread_getspecific(s->tls);
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
	s->n_readers++;
	pthread_mutex_unlock(&s->mu);
	pthread_setspecific(s->tls, c);
	*out = c;
	return 0;
}

/* ---- the writer: group commit ---- */

static void run_batch(struct sq_store *s, struct sq_op *batch)
{
	struct store_conn *c = s->writer;
	struct sq_op *op;
	int r = sq_own(c, SQ_BEGIN);

	for (op = batch; op; op = op->next) {
		if (r < 0) {
			op->r = r;
			continue;
		}
		op->r = sq_own(c, SQ_SAVEPOINT);
		if (op->r == 0)
			op->r = op->fn(c, op->arg);
		if (op->r < 0 && sq_own(c, SQ_ROLLBACK_TO) < 0)
			r = ERR_DB;
		if (r == 0 && sq_own(c, SQ_RELEASE) < 0)
			r = ERR_DB;
	}
	if (r == 0)
		r = sq_own(c, SQ_COMMIT);
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
		atomic_fetch_add_explicit(&s->busy, 1, memory_order_relaxed);
		run_batch(s, batch);
		atomic_fetch_sub_explicit(&s->busy, 1, memory_order_relaxed);
		pthread_mutex_lock(&s->mu);
		for (op = batch; op; op = next) {
			next = op->next; /* op lives on a caller's stack: done releases it */
			op->done = 1;
			s->queued--;
			pthread_cond_signal(&op->cv);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Run fn inside the next committed batch; returns its result once the batch is durable. */
static int sq_write(struct store *base, store_conn_fn fn, void *arg)
{
	struct sq_store *s = (struct sq_store *)base;
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
	s->queued++;
	pthread_cond_signal(&s->work_cv);
	while (!op.done)
		pthread_cond_wait(&op.cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	pthread_cond_destroy(&op.cv);
	return op.r;
}

/* ---- open, migrate, close ---- */

static int schema_version(struct store_conn *c, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(c->db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : sq_fail(c, rc, "schema_version");
}

static int migrate(struct store_conn *c, char *detail, size_t dlen)
{
	char sql[128];
	int version = 0, i, r;

	r = sq_exec(c,
		    "CREATE TABLE IF NOT EXISTS schema_version ("
		    " version INTEGER NOT NULL, applied_s INTEGER NOT NULL)");
	if (r == 0)
		r = sq_exec(c, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	r = schema_version(c, &version);
	if (r == 0 && version > SQ_SCHEMA_VERSION) {
		if (detail && dlen)
			snprintf(detail, dlen, "database schema version %d is newer than this program (%d)", version,
				 SQ_SCHEMA_VERSION);
		r = ERR_UNSUPPORTED;
	}
	for (i = version; r == 0 && i < SQ_SCHEMA_VERSION; i++) {
		r = sq_exec(c, sq_migrations[i]);
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version (version, applied_s) VALUES (%d, %lld)", i + 1,
			 (long long)time_now().sec);
		if (r == 0)
			r = sq_exec(c, sql);
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
	struct store_conn *c, *next;

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

int store_sqlite_open(const char *path, unsigned flags, struct store **out, char *detail, size_t dlen)
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
	s->base.dialect = &store_dialect_sqlite;
	s->base.sql = store_sql_texts(&store_dialect_sqlite);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work_cv, NULL);
	if (pthread_key_create(&s->tls, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->work_cv);
		free(s);
		return ERR_NOMEM;
	}
	s->path = mem_strndup(path, strlen(path));
	r = s->path && s->base.sql ? 0 : ERR_NOMEM;
	if (r == 0)
		r = create_private(path, detail, dlen);
	if (r == 0)
		r = conn_open(path, 1, &s->writer, detail, dlen);
	if (r == 0)
		r = migrate(s->writer, detail, dlen);
	if (r == 0) {
		struct stat st;

		if (stat(path, &st) == 0) {
			s->dev = st.st_dev;
			s->ino = st.st_ino;
		}
	}
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

/* Count c in use (once, however deep the calls nest) or not. */
static int conn_busy(struct sq_store *s, struct store_conn *c, int busy)
{
	if (busy == c->busy)
		return 0;
	c->busy = busy;
	if (busy)
		atomic_fetch_add_explicit(&s->busy, 1, memory_order_relaxed);
	else
		atomic_fetch_sub_explicit(&s->busy, 1, memory_order_relaxed);
	return 1;
}

static int sq_read_begin(struct store *base)
{
	struct store_conn *c;
	int r = sq_reader((struct sq_store *)base, &c);

	if (r == 0 && sqlite3_get_autocommit(c->db))
		r = sq_own(c, SQ_BEGIN_READ);
	if (r == 0)
		conn_busy((struct sq_store *)base, c, 1);
	return r;
}

static void sq_read_end(struct store *base)
{
	struct store_conn *c = pthread_getspecific(((struct sq_store *)base)->tls);

	if (c)
		conn_busy((struct sq_store *)base, c, 0);
	/* The cached COMMIT: sqlite3_exec() would parse and prepare it on every request. */
	if (c && !sqlite3_get_autocommit(c->db) && sq_own(c, SQ_COMMIT) < 0)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL); /* a read snapshot: nothing to lose */
}

static int sq_read(struct store *base, int snapshot, store_conn_fn fn, void *arg)
{
	struct store_conn *c;
	int began = 0, counted = 0, r = sq_reader((struct sq_store *)base, &c);

	if (r == 0 && snapshot && sqlite3_get_autocommit(c->db)) {
		r = sq_own(c, SQ_BEGIN_READ);
		began = r == 0;
	}
	if (r == 0) {
		counted = conn_busy((struct sq_store *)base, c, 1);
		r = fn(c, arg);
		if (counted)
			conn_busy((struct sq_store *)base, c, 0);
	}
	if (began && sq_own(c, SQ_COMMIT) < 0)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL); /* a read snapshot: nothing to lose */
	return r;
}

static void sq_stats(struct store *base, struct store_stats *out)
{
	struct sq_store *s = (struct sq_store *)base;

	pthread_mutex_lock(&s->mu);
	out->conns = s->n_readers + 1;
	out->waiting = s->queued;
	pthread_mutex_unlock(&s->mu);
	out->conns_busy = atomic_load_explicit(&s->busy, memory_order_relaxed);
}

/* What a query on an open connection cannot see: the file removed, renamed away, replaced, or
 * no longer readable and writable by this process (new connections would fail). */
static int sq_ping(struct store *base)
{
	struct sq_store *s = (struct sq_store *)base;
	struct stat st;

	if (stat(s->path, &st) != 0 || st.st_dev != s->dev || st.st_ino != s->ino || access(s->path, R_OK | W_OK) != 0)
		return ERR_IO;
	return 0;
}

static const struct store_ops sq_ops = {
	.name = "sqlite",
	.close = sq_close,
	.stats = sq_stats,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.read = sq_read,
	.write = sq_write,
	.run = sq_run,
	.ping = sq_ping,
};
