/* SPDX-License-Identifier: MIT */
/*
 * pg: the PostgreSQL engine of the store (libpq). A pool of connections shared by every thread
 * (SCW_IAMD_DB_POOL, default 16), each statement prepared once per connection, values bound as
 * parameters (the secret hash in binary). Write transactions run at READ COMMITTED; the rules
 * (rules.c) lock the organization's row first (SELECT ... FOR UPDATE), which serialises the
 * writes of one organization across every instance on the database, so quotas and unique names
 * stay exact; a serialization failure or deadlock is retried. COMMIT returns once PostgreSQL has
 * made the transaction durable (synchronous_commit as configured by the operator, on by default).
 *
 * Authentications and the grants of non-owner bearers are cached PG_AUTH_CACHE_MS (authcache.c):
 * a key deleted or revoked, or a policy, rule or membership changed, on another instance takes
 * effect here within that bound, on this instance at once.
 *
 * Faults: a connection that broke (server stopped, network gone) makes the call fail at once
 * with ERR_IO (503 for the client) and is re-established on a later call, so service resumes by
 * itself when the database comes back. Reads run without a transaction, or in one REPEATABLE
 * READ snapshot for lists.
 *
 * Schema: versioned migrations under an advisory lock (several instances may start at once).
 * Without STORE_OPEN_CREATE, a database holding no schema is refused with the command to run.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/store_int.h"

#define PG_POOL_DEFAULT 16
#define PG_ACQUIRE_WAIT_MS 5000
#define PG_RETRIES 20
#define PG_AUTH_CACHE_MS 500
#define PG_MIGRATION_LOCK 7235401 /* pg_advisory_xact_lock key of the schema migrations */

/* Migrations: append only; index i brings the schema to version i + 1. */
static const char *const pg_migrations[] = {
	"CREATE TABLE meta (key text COLLATE \"C\" PRIMARY KEY, value text NOT NULL);"
	"CREATE TABLE organizations ("
	" id text COLLATE \"C\" PRIMARY KEY, is_default integer NOT NULL DEFAULT 0,"
	" created_s bigint NOT NULL, created_ns integer NOT NULL,"
	" api_key_count integer NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX organizations_default ON organizations(is_default) WHERE is_default = 1;"
	"CREATE TABLE projects ("
	" id text COLLATE \"C\" PRIMARY KEY,"
	" organization_id text COLLATE \"C\" NOT NULL REFERENCES organizations(id),"
	" is_default integer NOT NULL DEFAULT 0,"
	" created_s bigint NOT NULL, created_ns integer NOT NULL);"
	"CREATE INDEX projects_org ON projects(organization_id);"
	"CREATE TABLE applications ("
	" id text COLLATE \"C\" PRIMARY KEY,"
	" organization_id text COLLATE \"C\" NOT NULL REFERENCES organizations(id),"
	" name text COLLATE \"C\" NOT NULL, description text NOT NULL,"
	" created_s bigint NOT NULL, created_ns integer NOT NULL,"
	" updated_s bigint NOT NULL, updated_ns integer NOT NULL,"
	" editable integer NOT NULL, deletable integer NOT NULL, managed integer NOT NULL,"
	" tags text NOT NULL DEFAULT '[]');"
	"CREATE INDEX applications_org ON applications(organization_id, created_s, created_ns);"
	"CREATE TABLE users ("
	" id text COLLATE \"C\" PRIMARY KEY,"
	" organization_id text COLLATE \"C\" NOT NULL REFERENCES organizations(id),"
	" email text COLLATE \"C\" NOT NULL, username text COLLATE \"C\" NOT NULL,"
	" first_name text NOT NULL, last_name text NOT NULL, phone_number text NOT NULL,"
	" locale text NOT NULL,"
	" created_s bigint NOT NULL, created_ns integer NOT NULL,"
	" updated_s bigint NOT NULL, updated_ns integer NOT NULL,"
	" last_login_s bigint, last_login_ns integer,"
	" deletable integer NOT NULL, type integer NOT NULL, status integer NOT NULL,"
	" mfa integer NOT NULL DEFAULT 0, account_root_user_id text NOT NULL DEFAULT '',"
	" locked integer NOT NULL DEFAULT 0, tags text NOT NULL DEFAULT '[]',"
	" password_hash text,"
	" UNIQUE (organization_id, username));"
	"CREATE UNIQUE INDEX users_org_email ON users(organization_id, lower(email));"
	"CREATE TABLE api_keys ("
	" access_key text COLLATE \"C\" PRIMARY KEY,"
	" secret_hash bytea NOT NULL UNIQUE,"
	" organization_id text COLLATE \"C\" NOT NULL REFERENCES organizations(id),"
	" description text COLLATE \"C\" NOT NULL,"
	" created_s bigint NOT NULL, created_ns integer NOT NULL,"
	" updated_s bigint NOT NULL, updated_ns integer NOT NULL,"
	" expires_s bigint, expires_ns integer,"
	" default_project_id text NOT NULL,"
	" editable integer NOT NULL, deletable integer NOT NULL, managed integer NOT NULL,"
	" creation_ip text NOT NULL,"
	" application_id text COLLATE \"C\" REFERENCES applications(id),"
	" user_id text COLLATE \"C\" REFERENCES users(id),"
	" CHECK ((application_id IS NULL) <> (user_id IS NULL)));"
	"CREATE INDEX api_keys_org ON api_keys(organization_id, created_s, created_ns);"
	"CREATE INDEX api_keys_app ON api_keys(application_id);"
	"CREATE INDEX api_keys_user ON api_keys(user_id);",
	/* 2: organization names (scw-iamd admin organization create/list), unique when set. */
	"ALTER TABLE organizations ADD COLUMN name text COLLATE \"C\" NOT NULL DEFAULT '';"
	"UPDATE organizations SET name = 'default' WHERE is_default = 1;"
	"CREATE UNIQUE INDEX organizations_name ON organizations(name) WHERE name <> '';",
	/* 3: groups, policies and their rules (access.c) */
	"CREATE TABLE iam_groups ("
	" id TEXT COLLATE \"C\" PRIMARY KEY,"
	" organization_id TEXT COLLATE \"C\" NOT NULL REFERENCES organizations(id),"
	" created_s bigint NOT NULL, created_ns INTEGER NOT NULL,"
	" updated_s bigint NOT NULL, updated_ns INTEGER NOT NULL,"
	" name TEXT COLLATE \"C\" NOT NULL, description TEXT NOT NULL,"
	" user_ids TEXT NOT NULL DEFAULT '[]', application_ids TEXT NOT NULL DEFAULT '[]',"
	" tags TEXT NOT NULL DEFAULT '[]',"
	" editable INTEGER NOT NULL, deletable INTEGER NOT NULL, managed INTEGER NOT NULL,"
	" UNIQUE (organization_id, name));"
	"CREATE INDEX iam_groups_org ON iam_groups(organization_id, created_s, created_ns);"
	"CREATE TABLE policies ("
	" id TEXT COLLATE \"C\" PRIMARY KEY,"
	" name TEXT COLLATE \"C\" NOT NULL, description TEXT NOT NULL,"
	" organization_id TEXT COLLATE \"C\" NOT NULL REFERENCES organizations(id),"
	" created_s bigint NOT NULL, created_ns INTEGER NOT NULL,"
	" updated_s bigint NOT NULL, updated_ns INTEGER NOT NULL,"
	" editable INTEGER NOT NULL, deletable INTEGER NOT NULL, managed INTEGER NOT NULL,"
	" nb_rules INTEGER NOT NULL, nb_scopes INTEGER NOT NULL, nb_permission_sets INTEGER NOT NULL,"
	" tags TEXT NOT NULL DEFAULT '[]',"
	" user_id TEXT COLLATE \"C\", group_id TEXT COLLATE \"C\", application_id TEXT COLLATE \"C\");"
	"CREATE INDEX policies_org ON policies(organization_id, created_s, created_ns);"
	"CREATE TABLE policy_rules ("
	" id TEXT COLLATE \"C\" PRIMARY KEY,"
	" policy_id TEXT COLLATE \"C\" NOT NULL REFERENCES policies(id),"
	" pos INTEGER NOT NULL,"
	" permission_set_names TEXT NOT NULL, scope_type INTEGER NOT NULL, cond TEXT NOT NULL,"
	" organization_id TEXT COLLATE \"C\", project_ids TEXT NOT NULL DEFAULT '[]');"
	"CREATE INDEX policy_rules_policy ON policy_rules(policy_id, pos);",
};
#define PG_SCHEMA_VERSION ((int)(sizeof(pg_migrations) / sizeof(pg_migrations[0])))
_Static_assert(Q_N <= 64, "one bit per prepared statement");

struct pg_store;

#define PG_PIPE_MAX 16

struct store_conn {
	PGconn *pg;
	uint64_t prepared; /* bit id: statement "q<id>" is prepared on this connection */
	int busy, broken;
	int in_write; /* inside pg_write: statements may be pipelined */
	int pipe;     /* in libpq pipeline mode: queued statements' results are not read yet */
	int queued;
	struct pg_item {
		int prep; /* the statement id this item prepares, or -1: a statement */
		store_row_fn row;
		void *ctx;
		int64_t *changes;
	} q[PG_PIPE_MAX]; /* what each queued item's results go to */
	struct pg_store *s;
};

struct pg_store {
	struct store base;
	char *url;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store_conn *conns; /* pool_max slots; pg == NULL: not connected yet */
	uint32_t pool_max, busy, waiting;
	uint64_t retries, errors;
	pthread_key_t pinned; /* the calling thread's connection between read_begin and read_end */
	int pinned_ok;
};

static const struct store_ops pg_ops;

static PGconn *pg_connect(const char *url)
{
	/* Defaults a setting in the URI (processed after them) overrides: a connect timeout, and TCP
	 * timeouts so that a database host gone silent fails requests within seconds, not minutes. */
	static const char *const keys[] = { "connect_timeout",  "application_name",
					    "keepalives_idle",  "keepalives_interval",
					    "keepalives_count", "tcp_user_timeout",
					    "dbname",           NULL };
	const char *vals[] = { "3", "scw-iamd", "5", "2", "2", "5000", url, NULL };

	return PQconnectdbParams(keys, vals, 1);
}

/* Map a failed result (or NULL) of connection c to an error. */
static int pg_result_err(struct store_conn *c, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(c->pg) != CONNECTION_OK || (state && (!strncmp(state, "08", 2) || !strncmp(state, "57", 2)))) {
		c->broken = 1;
		return ERR_IO;
	}
	if (!state)
		return res ? ERR_DB : ERR_NOMEM;
	if (!strcmp(state, "23505"))
		return ERR_EXISTS;
	if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
		return ERR_AGAIN;
	log_kv(LOG_ERROR, "postgresql error", "op", what, "sqlstate", state, "error",
	       PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), NULL);
	return ERR_DB;
}

static int pg_exec(struct store_conn *c, const char *sql)
{
	PGresult *res = PQexec(c->pg, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int r = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_result_err(c, res, sql);

	PQclear(res);
	return r;
}

static const char *pg_col(const struct srow *r, int c, size_t *len)
{
	PGresult *res = r->impl;

	if (PQgetisnull(res, r->i, c))
		return NULL;
	if (len)
		*len = (size_t)PQgetlength(res, r->i, c);
	return PQgetvalue(res, r->i, c);
}

#define PG_MAX_ARGS 256

/* Statement parameters in libpq's form (integers as text, blobs binary). */
struct pg_params {
	const char *vals[PG_MAX_ARGS];
	int lens[PG_MAX_ARGS], fmts[PG_MAX_ARGS];
	char ints[PG_MAX_ARGS][24];
};

static int pg_bind(struct pg_params *p, const struct sval *args, int n)
{
	int i;

	if (n > PG_MAX_ARGS)
		return ERR_TOOBIG;
	for (i = 0; i < n; i++) {
		p->lens[i] = 0;
		p->fmts[i] = 0;
		switch (args[i].t) {
		case SV_NULL: p->vals[i] = NULL; break;
		case SV_TEXT: p->vals[i] = args[i].s; break;
		case SV_INT:
			snprintf(p->ints[i], sizeof(p->ints[i]), "%lld", (long long)args[i].i);
			p->vals[i] = p->ints[i];
			break;
		case SV_BLOB:
			p->vals[i] = args[i].s;
			p->lens[i] = (int)args[i].len;
			p->fmts[i] = 1;
			break;
		}
	}
	return 0;
}

/* Rows and changed-row count of a successful result. */
static int pg_rows(PGresult *res, store_row_fn row, void *ctx, int64_t *changes)
{
	struct srow rw = { res, 0, pg_col, NULL };
	int i, r = 0, nrows = PQntuples(res);

	for (i = 0; i < nrows && r == 0 && row; i++) {
		rw.i = i;
		r = row(&rw, ctx);
	}
	if (r == 0 && changes)
		*changes = strtoll(PQcmdTuples(res), NULL, 10);
	return r;
}

/*
 * Pipelines (libpq pipeline mode) inside write transactions: BEGIN and the writes whose outcome
 * is only needed at commit (store_run_later) are queued, and go out with the next statement
 * whose rows are needed, or with the COMMIT: one round trip where there were several, which
 * shortens the time a transaction holds its organization's row lock. An error of a queued
 * statement is the error of the statement or COMMIT that carried it (the transaction is
 * aborted either way, as it would have been).
 */
static int pipe_finish(struct store_conn *c);

static int pipe_send(struct store_conn *c, int id, const char *sql, const struct sval *args, int n, store_row_fn row,
		     void *ctx, int64_t *changes)
{
	struct pg_item *it;
	struct pg_params p;
	char name[16];
	int r = pg_bind(&p, args, n), ok;

	if (r < 0)
		return r;
	if (c->pipe && c->queued + 2 > PG_PIPE_MAX && (r = pipe_finish(c)) < 0)
		return r;
	if (!c->pipe) {
		if (!PQenterPipelineMode(c->pg))
			return pg_result_err(c, NULL, "pipeline");
		c->pipe = 1;
		c->queued = 0;
	}
	if (id >= 0) {
		snprintf(name, sizeof(name), "q%d", id);
		if (!(c->prepared & (1ull << id))) {
			if (!PQsendPrepare(c->pg, name, sql, 0, NULL))
				return pg_result_err(c, NULL, "prepare");
			c->prepared |= 1ull << id;
			c->q[c->queued++] = (struct pg_item){ id, NULL, NULL, NULL };
		}
		ok = PQsendQueryPrepared(c->pg, name, n, p.vals, p.lens, p.fmts, 0);
	} else {
		ok = PQsendQueryParams(c->pg, sql, n, NULL, p.vals, p.lens, p.fmts, 0);
	}
	if (!ok)
		return pg_result_err(c, NULL, "send");
	it = &c->q[c->queued++];
	*it = (struct pg_item){ -1, row, ctx, changes };
	return 0;
}

/* Send the queue, read every result into its item's row/changes, leave pipeline mode. Returns
 * the first error. */
static int pipe_finish(struct store_conn *c)
{
	PGresult *res;
	ExecStatusType st;
	int i, r = 0;

	if (!c->pipe)
		return 0;
	if (!PQpipelineSync(c->pg)) {
		r = ERR_IO;
		goto broken;
	}
	for (i = 0; i < c->queued; i++) {
		while ((res = PQgetResult(c->pg)) != NULL) {
			st = PQresultStatus(res);
			if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
				if (r == 0)
					r = pg_rows(res, c->q[i].row, c->q[i].ctx, c->q[i].changes);
			} else {
				if (c->q[i].prep >= 0)
					c->prepared &= ~(1ull << c->q[i].prep);
				if (r == 0)
					r = st == PGRES_PIPELINE_ABORTED ? ERR_DB : pg_result_err(c, res, "pipeline");
			}
			PQclear(res);
		}
		if (PQstatus(c->pg) != CONNECTION_OK) {
			r = ERR_IO;
			goto broken;
		}
	}
	res = PQgetResult(c->pg);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	PQclear(res);
	if (st != PGRES_PIPELINE_SYNC || !PQexitPipelineMode(c->pg)) {
		r = r ? r : ERR_IO;
		goto broken;
	}
	c->pipe = 0;
	c->queued = 0;
	return r;
broken:
	/* A connection that failed inside a pipeline is dropped, not reset: reconnect afresh. */
	PQfinish(c->pg);
	c->pg = NULL;
	c->broken = 1;
	c->prepared = 0;
	c->pipe = 0;
	c->queued = 0;
	return r;
}

static int pg_run(struct store_conn *c, int id, const char *sql, const struct sval *args, int n, store_row_fn row,
		  void *ctx, int64_t *changes)
{
	struct pg_params p;
	char name[16];
	PGresult *res;
	ExecStatusType st;
	int r;

	if (c->pipe) {
		r = pipe_send(c, id, sql, args, n, row, ctx, changes);
		if (r < 0) {
			pipe_finish(c);
			return r;
		}
		return pipe_finish(c);
	}
	r = pg_bind(&p, args, n);
	if (r < 0)
		return r;
	if (id >= 0) {
		snprintf(name, sizeof(name), "q%d", id);
		if (!(c->prepared & (1ull << id))) {
			res = PQprepare(c->pg, name, sql, 0, NULL);
			if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
				r = pg_result_err(c, res, "prepare");
				PQclear(res);
				return r;
			}
			PQclear(res);
			c->prepared |= 1ull << id;
		}
		res = PQexecPrepared(c->pg, name, n, p.vals, p.lens, p.fmts, 0);
	} else {
		res = PQexecParams(c->pg, sql, n, NULL, p.vals, p.lens, p.fmts, 0);
	}
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		r = pg_result_err(c, res, id >= 0 ? name : "query");
	else
		r = pg_rows(res, row, ctx, changes);
	PQclear(res);
	return r;
}

/* A statement whose results may wait for the next pg_run, pg_flush or the commit: queued inside
 * a write transaction, else run at once. */
static int pg_run_later(struct store_conn *c, int id, const char *sql, const struct sval *args, int n, store_row_fn row,
			void *ctx)
{
	int r;

	if (!c->in_write)
		return pg_run(c, id, sql, args, n, row, ctx, NULL);
	r = pipe_send(c, id, sql, args, n, row, ctx, NULL);
	if (r < 0 && c->pipe)
		pipe_finish(c);
	return r;
}

/* ---- the pool ---- */

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* (Re)connect c if it is not usable. ERR_IO when the database cannot be reached. */
static int conn_ready(struct pg_store *s, struct store_conn *c)
{
	if (c->pg && !c->broken && PQstatus(c->pg) == CONNECTION_OK)
		return 0;
	c->prepared = 0;
	c->broken = 0;
	if (c->pg)
		PQreset(c->pg);
	else
		c->pg = pg_connect(s->url);
	if (!c->pg)
		return ERR_NOMEM;
	if (PQstatus(c->pg) != CONNECTION_OK) {
		log_kv(LOG_WARN, "postgresql unreachable", "error", PQerrorMessage(c->pg), NULL);
		return ERR_IO;
	}
	return 0;
}

static int acquire(struct pg_store *s, struct store_conn **out)
{
	struct timespec deadline;
	struct store_conn *c = NULL;
	uint32_t i;
	int r;

	deadline_in(&deadline, PG_ACQUIRE_WAIT_MS);
	pthread_mutex_lock(&s->mu);
	for (;;) {
		/* Prefer a connected slot, then an empty one. */
		for (i = 0; i < s->pool_max && !c; i++)
			if (!s->conns[i].busy && s->conns[i].pg)
				c = &s->conns[i];
		for (i = 0; i < s->pool_max && !c; i++)
			if (!s->conns[i].busy)
				c = &s->conns[i];
		if (c)
			break;
		s->waiting++;
		r = pthread_cond_timedwait(&s->cv, &s->mu, &deadline);
		s->waiting--;
		if (r != 0) {
			pthread_mutex_unlock(&s->mu);
			return ERR_TIMEOUT;
		}
	}
	c->busy = 1;
	s->busy++;
	pthread_mutex_unlock(&s->mu);
	r = conn_ready(s, c);
	if (r < 0) {
		pthread_mutex_lock(&s->mu);
		c->busy = 0;
		s->busy--;
		s->errors++;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		return r;
	}
	*out = c;
	return 0;
}

static void release(struct pg_store *s, struct store_conn *c, int r)
{
	/* A connection left inside a transaction by a broken call is not reused as is. */
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		c->broken = 1;
	pthread_mutex_lock(&s->mu);
	if (r == ERR_IO)
		s->errors++;
	c->busy = 0;
	s->busy--;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* The calling thread's pinned connection (store_read_begin), else one from the pool. */
static int conn_get(struct pg_store *s, struct store_conn **out, int *pinned)
{
	*out = s->pinned_ok ? pthread_getspecific(s->pinned) : NULL;
	*pinned = *out != NULL;
	return *pinned ? 0 : acquire(s, out);
}

static void conn_put(struct pg_store *s, struct store_conn *c, int pinned, int r)
{
	if (!pinned)
		release(s, c, r);
	else if (r == ERR_IO)
		c->broken = 1;
}

/* One connection for the whole request: one pool round per GET instead of one per statement. */
static int pg_read_begin(struct store *base)
{
	struct pg_store *s = (struct pg_store *)base;
	struct store_conn *c;
	int r;

	if (!s->pinned_ok || pthread_getspecific(s->pinned))
		return 0;
	r = acquire(s, &c);
	if (r == 0)
		pthread_setspecific(s->pinned, c);
	return r;
}

static void pg_read_end(struct store *base)
{
	struct pg_store *s = (struct pg_store *)base;
	struct store_conn *c = s->pinned_ok ? pthread_getspecific(s->pinned) : NULL;

	if (!c)
		return;
	pthread_setspecific(s->pinned, NULL);
	release(s, c, c->broken ? ERR_IO : 0);
}

static int pg_read(struct store *base, int snapshot, store_conn_fn fn, void *arg)
{
	struct pg_store *s = (struct pg_store *)base;
	struct store_conn *c;
	int pinned, r = conn_get(s, &c, &pinned);

	if (r < 0)
		return r;
	if (snapshot)
		r = pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	if (r == 0)
		r = fn(c, arg);
	if (snapshot && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		pg_exec(c, r == 0 ? "COMMIT" : "ROLLBACK");
	conn_put(s, c, pinned, r);
	return r;
}

static int pg_write(struct store *base, store_conn_fn fn, void *arg)
{
	struct pg_store *s = (struct pg_store *)base;
	struct store_conn *c;
	int attempt, pinned, r = conn_get(s, &c, &pinned);

	if (r < 0)
		return r;
	for (attempt = 0; attempt < PG_RETRIES; attempt++) {
		/* BEGIN goes out with the first statement, COMMIT with the writes still queued. */
		c->in_write = 1;
		r = pipe_send(c, -1, "BEGIN", NULL, 0, NULL, NULL, NULL);
		if (r == 0)
			r = fn(c, arg);
		if (r == 0)
			r = pipe_send(c, -1, "COMMIT", NULL, 0, NULL, NULL, NULL);
		if (r == 0)
			r = pipe_finish(c);
		else if (c->pipe)
			pipe_finish(c);
		c->in_write = 0;
		if (r < 0 && c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE && PQstatus(c->pg) == CONNECTION_OK)
			pg_exec(c, "ROLLBACK");
		if (r != ERR_AGAIN)
			break;
		pthread_mutex_lock(&s->mu);
		s->retries++;
		pthread_mutex_unlock(&s->mu);
		usleep((useconds_t)(1000 * (attempt + 1)));
	}
	conn_put(s, c, pinned, r);
	return r;
}

static void pg_stats(struct store *base, struct store_stats *out)
{
	struct pg_store *s = (struct pg_store *)base;
	uint32_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->pool_max; i++)
		if (s->conns[i].pg)
			out->conns++;
	out->conns_busy = s->busy;
	out->conns_max = s->pool_max;
	out->waiting = s->waiting;
	out->retries = s->retries;
	out->errors = s->errors;
	pthread_mutex_unlock(&s->mu);
}

static void pg_close(struct store *base)
{
	struct pg_store *s = (struct pg_store *)base;
	uint32_t i;

	for (i = 0; s->conns && i < s->pool_max; i++)
		if (s->conns[i].pg)
			PQfinish(s->conns[i].pg);
	free(s->conns);
	if (s->pinned_ok)
		pthread_key_delete(s->pinned);
	if (s->url) {
		mem_wipe(s->url, strlen(s->url)); /* may hold a password */
		free(s->url);
	}
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* ---- schema ---- */

static int migrate(struct store_conn *c, unsigned flags, char *detail, size_t dlen)
{
	char sql[160], v[16] = "0";
	int version, i, r;
	PGresult *res;

	r = pg_exec(c, "BEGIN");
	if (r == 0) {
		snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d)", PG_MIGRATION_LOCK);
		r = pg_exec(c, sql);
	}
	if (r < 0)
		goto out;
	res = PQexec(c->pg, "SELECT to_regclass('schema_version') IS NOT NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = pg_result_err(c, res, "schema");
		PQclear(res);
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		if (!(flags & STORE_OPEN_CREATE)) {
			snprintf(detail, dlen,
				 "this PostgreSQL database was never bootstrapped (no scw-iamd schema); "
				 "run: scw-iamd bootstrap --db <the same URI> --key-file <key file>");
			r = ERR_NOTFOUND;
			goto out;
		}
		r = pg_exec(c, "CREATE TABLE schema_version (version integer NOT NULL, applied_s bigint NOT NULL)");
	} else {
		PQclear(res);
		res = PQexec(c->pg, "SELECT coalesce(max(version), 0) FROM schema_version");
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			snprintf(v, sizeof(v), "%s", PQgetvalue(res, 0, 0));
		else
			r = pg_result_err(c, res, "schema_version");
		PQclear(res);
	}
	version = (int)strtol(v, NULL, 10);
	if (r == 0 && version > PG_SCHEMA_VERSION) {
		snprintf(detail, dlen, "database schema version %d is newer than this program (%d)", version,
			 PG_SCHEMA_VERSION);
		r = ERR_UNSUPPORTED;
	}
	for (i = version; r == 0 && i < PG_SCHEMA_VERSION; i++) {
		r = pg_exec(c, pg_migrations[i]);
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version (version, applied_s) VALUES (%d, %lld)", i + 1,
			 (long long)time_now().sec);
		if (r == 0)
			r = pg_exec(c, sql);
		if (r == 0)
			log_kv(LOG_INFO, "database schema migrated", "engine", "postgresql", NULL);
	}
	if (r == 0)
		r = pg_exec(c, "COMMIT");
out:
	if (r < 0) {
		if (PQstatus(c->pg) == CONNECTION_OK)
			pg_exec(c, "ROLLBACK");
		if (!detail[0])
			snprintf(detail, dlen, "schema migration failed: %s", PQerrorMessage(c->pg));
	}
	return r;
}

int store_pg_open(const char *url, unsigned flags, struct store **out, char *detail, size_t dlen)
{
	struct pg_store *s = mem_calloc(1, sizeof(*s));
	const char *env = getenv("SCW_IAMD_DB_POOL");
	char dummy[1];
	int r = 0;

	*out = NULL;
	if (!detail || !dlen) {
		detail = dummy;
		dlen = sizeof(dummy);
	}
	detail[0] = '\0';
	if (!s)
		return ERR_NOMEM;
	s->base.ops = &pg_ops;
	s->base.dialect = &store_dialect_pg;
	s->base.sql = store_sql_texts(&store_dialect_pg);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->pinned_ok = pthread_key_create(&s->pinned, NULL) == 0;
	s->pool_max = PG_POOL_DEFAULT;
	if (env && strtol(env, NULL, 10) > 0 && strtol(env, NULL, 10) <= 1000)
		s->pool_max = (uint32_t)strtol(env, NULL, 10);
	s->url = mem_strndup(url, strlen(url));
	s->conns = mem_calloc(s->pool_max, sizeof(*s->conns));
	if (!s->url || !s->conns || !s->base.sql)
		r = ERR_NOMEM;
	if (r == 0) {
		s->conns[0].s = s;
		s->conns[0].pg = pg_connect(url);
		if (!s->conns[0].pg) {
			r = ERR_NOMEM;
		} else if (PQstatus(s->conns[0].pg) != CONNECTION_OK) {
			/* libpq's message names host and port, never the password */
			snprintf(detail, dlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(s->conns[0].pg));
			r = ERR_IO;
		}
	}
	if (r == 0)
		r = migrate(&s->conns[0], flags, detail, dlen);
	/* One round trip per authenticated request instead of two (three for a bearer that reads
	 * its grants); a change made on another instance applies here within PG_AUTH_CACHE_MS. */
	if (r == 0 && !(s->base.auth_cache = store_authcache_new(PG_AUTH_CACHE_MS)))
		r = ERR_NOMEM;
	if (r < 0) {
		pg_close(&s->base);
		return r;
	}
	*out = &s->base;
	return 0;
}

static const struct store_ops pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.stats = pg_stats,
	.read_begin = pg_read_begin,
	.read_end = pg_read_end,
	.read = pg_read,
	.write = pg_write,
	.run = pg_run,
	.run_later = pg_run_later,
	.flush = pipe_finish,
};
