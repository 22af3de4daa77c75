/* SPDX-License-Identifier: MIT */
/* The store's contract suite: every engine must pass it. The engine-independent tests run on the
 * real SQLite engine (a temporary database file) and, when SCW_TEST_PG names a PostgreSQL server
 * (scripts/with-postgres sets it; make check always does), again on a fresh PostgreSQL database
 * each. The first two and the last test look at SQLite specifics. */
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "store/store.h"
#include "test.h"

static char dir[256];
static char dbpath[1024];
static int on_pg; /* the current pass runs on PostgreSQL */

/* A new empty database: a file path, or a PostgreSQL database created for the test. */
static void fresh_db(void)
{
	static int n;
	char sql[128];
	PGconn *c;
	PGresult *r;

	n++;
	if (!on_pg) {
		snprintf(dbpath, sizeof(dbpath), "%s/t%d.db", dir, n);
		return;
	}
	snprintf(sql, sizeof(sql), "CREATE DATABASE contract_%d_%d", (int)getpid(), n);
	c = PQconnectdb(getenv("SCW_TEST_PG"));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		printf("# %s: %s\n", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	snprintf(dbpath, sizeof(dbpath), "postgresql:///contract_%d_%d?host=%s&user=%s", (int)getpid(), n,
		 getenv("SCW_TEST_PG_HOST"), getenv("SCW_TEST_PG_USER"));
}

static struct store *open_store(void)
{
	struct store *s = NULL;
	char detail[256];

	if (store_open(dbpath, &s, detail, sizeof(detail)) != 0) {
		printf("# store_open: %s\n", detail);
		return NULL;
	}
	return s;
}

static void hash_of(int i, uint8_t h[STORE_HASH_LEN])
{
	memset(h, 0, STORE_HASH_LEN);
	memcpy(h, &i, sizeof(i));
	h[31] = 0x5a;
}

static struct tstamp ts(int64_t sec)
{
	struct tstamp t = { sec, 0 };

	return t;
}

/* A key of org for the bearer, created at second sec. */
static int add_key(struct store *s, const char *org, enum store_bearer bt, const char *bearer, int i, int64_t sec,
		   uint32_t quota, struct store_key *out, struct store_detail *d)
{
	uint8_t h[STORE_HASH_LEN];
	char desc[32];
	int r;

	memset(out, 0, sizeof(*out));
	rand_access_key(out->access_key);
	snprintf(out->organization_id, sizeof(out->organization_id), "%s", org);
	snprintf(desc, sizeof(desc), "key-%d", i);
	out->description = desc;
	out->created_at = out->updated_at = ts(sec);
	out->editable = out->deletable = 1;
	snprintf(out->creation_ip, sizeof(out->creation_ip), "127.0.0.1");
	out->bearer_type = bt;
	snprintf(out->bearer_id, sizeof(out->bearer_id), "%s", bearer);
	hash_of(i, h);
	r = store_key_create(s, out, h, quota, d);
	out->description = NULL;
	return r;
}

static int add_app(struct store *s, const char *org, const char *name, struct store_app *a)
{
	char nm[64], empty[] = "";

	memset(a, 0, sizeof(*a));
	rand_uuid_v4(a->id);
	snprintf(a->organization_id, sizeof(a->organization_id), "%s", org);
	snprintf(nm, sizeof(nm), "%s", name);
	a->name = nm;
	a->description = empty;
	a->created_at = a->updated_at = time_now();
	a->editable = a->deletable = 1;
	return store_app_create(s, a, NULL);
}

TEST(open_creates_private_file_and_schema_version)
{
	struct store *s;
	struct stat st;
	sqlite3 *db;
	sqlite3_stmt *q;
	int v = -1;

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_STR(store_backend(s), "sqlite");
	store_close(s);
	ASSERT_EQ_INT(stat(dbpath, &st), 0);
	ASSERT_EQ_INT(st.st_mode & 0777, 0600);
	/* Reopening does not re-run migrations. */
	s = open_store();
	ASSERT(s != NULL);
	store_close(s);
	ASSERT_EQ_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_prepare_v2(db, "SELECT count(*), max(version) FROM schema_version", -1, &q, NULL),
		      SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int(q, 1);
	ASSERT_EQ_INT(sqlite3_column_int(q, 0), v); /* one row per migration, from version 1 */
	sqlite3_finalize(q);
	sqlite3_close(db);
	ASSERT(v >= 3);
}

/* A database of schema version 1 (key count kept by triggers) is migrated to the current version:
 * the triggers go, the count is recomputed from the keys, and the rules keep it from then on. */
TEST(sqlite_v1_database_migrates_with_exact_counts)
{
	struct store_bootstrap b;
	struct store_key k;
	struct store_detail d;
	struct store *s;
	sqlite3 *db;
	int i;

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	for (i = 0; i < 3; i++)
		ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 60 + i, 1, 0, &k, &d), 0);
	store_close(s);
	/* Back to version 1 as an older scw-iamd left it: triggers, and a count that differs. */
	ASSERT_EQ_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	ASSERT_EQ_INT(
		sqlite3_exec(
			db,
			"CREATE TRIGGER api_keys_count_ins AFTER INSERT ON api_keys BEGIN"
			" UPDATE organizations SET api_key_count = api_key_count + 1 WHERE id = NEW.organization_id;"
			" END;"
			"CREATE TRIGGER api_keys_count_del AFTER DELETE ON api_keys BEGIN"
			" UPDATE organizations SET api_key_count = api_key_count - 1 WHERE id = OLD.organization_id;"
			" END;"
			"UPDATE organizations SET api_key_count = 42;"
			/* and without what later migrations added (organization names, groups, policies) */
			"DROP INDEX organizations_name;"
			"ALTER TABLE organizations DROP COLUMN name;"
			"DROP TABLE policy_rules; DROP TABLE policies; DROP TABLE iam_groups;"
			"DELETE FROM schema_version WHERE version >= 2;",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	s = open_store();
	ASSERT(s != NULL);
	/* 3 keys: a quota of 4 admits exactly one more, and each create counts once (no trigger). */
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 70, 1, 4, &k, &d), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 71, 1, 4, &k, &d), ERR_QUOTA);
	ASSERT_EQ_UINT(d.current, 4);
	store_close(s);
}

TEST(newer_schema_is_refused_and_unknown_scheme_unsupported)
{
	struct store *s = NULL;
	sqlite3 *db;
	char detail[256] = "";

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	store_close(s);
	ASSERT_EQ_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_exec(db, "INSERT INTO schema_version VALUES (99, 0)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ASSERT_EQ_INT(store_open(dbpath, &s, detail, sizeof(detail)), ERR_UNSUPPORTED);
	ASSERT(s == NULL);
	ASSERT(strstr(detail, "newer") != NULL);
	ASSERT_EQ_INT(store_open("mysql://localhost/iam", &s, detail, sizeof(detail)), ERR_UNSUPPORTED);
	ASSERT_EQ_INT(store_open("", &s, detail, sizeof(detail)), ERR_INVAL);
}

TEST(bootstrap_is_idempotent_and_meta_round_trips)
{
	struct store_bootstrap a, b;
	struct store *s;
	char proj[STORE_ID_LEN + 1], small[4], out[64];

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &a), 0);
	ASSERT_EQ_INT(a.created, 1);
	ASSERT(uuid_is_valid(a.organization_id, strlen(a.organization_id)));
	ASSERT_EQ_STR(a.project_id, a.organization_id);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	ASSERT_EQ_INT(b.created, 0);
	ASSERT_EQ_STR(a.organization_id, b.organization_id);
	ASSERT_EQ_STR(a.user_id, b.user_id);
	ASSERT_EQ_INT(store_org_default_project(s, a.organization_id, proj), 0);
	ASSERT_EQ_STR(proj, a.project_id);
	ASSERT_EQ_INT(store_org_default_project(s, "00000000-0000-4000-8000-000000000000", proj), ERR_NOTFOUND);
	ASSERT_EQ_INT(store_meta_get(s, "k", out, sizeof(out)), ERR_NOTFOUND);
	ASSERT_EQ_INT(store_meta_set(s, "k", "value-1"), 0);
	ASSERT_EQ_INT(store_meta_set(s, "k", "value-2"), 0);
	ASSERT_EQ_INT(store_meta_get(s, "k", out, sizeof(out)), 0);
	ASSERT_EQ_STR(out, "value-2");
	ASSERT_EQ_INT(store_meta_get(s, "k", small, sizeof(small)), ERR_TOOBIG);
	store_close(s);
}

TEST(key_lifecycle_auth_update_delete)
{
	struct store_bootstrap b;
	struct store_key k, got, upd;
	struct store_key_patch p = { 0 };
	struct store_detail d;
	struct store *s;
	uint8_t h[STORE_HASH_LEN];
	char desc[] = "changed";

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 1, 1000, 0, &k, &d), 0);
	ASSERT_EQ_STR(k.default_project_id, b.project_id); /* filled in from the organization */
	hash_of(1, h);
	ASSERT_EQ_INT(store_auth(s, h, &got), 0);
	ASSERT_EQ_STR(got.access_key, k.access_key);
	ASSERT_EQ_STR(got.organization_id, b.organization_id);
	ASSERT_EQ_INT(got.bearer_type, STORE_BEARER_USER);
	ASSERT_EQ_STR(got.description, "key-1");
	store_key_release(&got);
	hash_of(2, h);
	ASSERT_EQ_INT(store_auth(s, h, &got), ERR_NOTFOUND);
	/* Another organization does not see it. */
	ASSERT_EQ_INT(store_key_get(s, "00000000-0000-4000-8000-000000000000", k.access_key, &got), ERR_NOTFOUND);
	p.description = desc;
	p.set_expires = 1;
	p.expires_at = ts(5000);
	p.now = ts(2000);
	ASSERT_EQ_INT(store_key_update(s, b.organization_id, k.access_key, &p, &upd), 0);
	ASSERT_EQ_STR(upd.description, "changed");
	ASSERT_EQ_INT(upd.has_expires, 1);
	ASSERT_EQ_INT(upd.expires_at.sec, 5000);
	ASSERT_EQ_INT(upd.updated_at.sec, 2000);
	ASSERT_EQ_INT(upd.created_at.sec, 1000);
	store_key_release(&upd);
	ASSERT_EQ_INT(store_key_update(s, b.organization_id, "SCW00000000000000000", &p, &upd), ERR_NOTFOUND);
	ASSERT_EQ_INT(store_key_delete(s, b.organization_id, k.access_key), 0);
	ASSERT_EQ_INT(store_key_delete(s, b.organization_id, k.access_key), ERR_NOTFOUND);
	hash_of(1, h);
	ASSERT_EQ_INT(store_auth(s, h, &got), ERR_NOTFOUND);
	store_close(s);
}

TEST(key_rules_bearer_must_exist_and_quota)
{
	struct store_bootstrap b;
	struct store_key k;
	struct store_detail d;
	struct store_app a;
	struct store *s;

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_APPLICATION, "11111111-1111-4111-8111-111111111111", 1,
			      1, 0, &k, &d),
		      ERR_NOTFOUND);
	ASSERT_EQ_STR(d.resource, "application");
	ASSERT_EQ_STR(d.resource_id, "11111111-1111-4111-8111-111111111111");
	/* The owner exists, but not in another organization. */
	ASSERT_EQ_INT(add_key(s, "22222222-2222-4222-8222-222222222222", STORE_BEARER_USER, b.user_id, 2, 1, 0, &k, &d),
		      ERR_NOTFOUND);
	ASSERT_EQ_STR(d.resource, "user");
	ASSERT_EQ_INT(add_app(s, b.organization_id, "quota", &a), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_APPLICATION, a.id, 3, 1, 2, &k, &d), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_APPLICATION, a.id, 4, 1, 2, &k, &d), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_APPLICATION, a.id, 5, 1, 2, &k, &d), ERR_QUOTA);
	ASSERT_EQ_UINT(d.current, 2);
	ASSERT_EQ_UINT(d.quota, 2);
	ASSERT_EQ_STR(d.resource, "api_keys");
	/* A cascade frees the quota: the rules keep the count exact. */
	ASSERT_EQ_INT(store_app_delete(s, b.organization_id, a.id), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 6, 1, 1, &k, &d), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 7, 1, 1, &k, &d), ERR_QUOTA);
	/* An insert that fails at the database (the same secret hash again: PostgreSQL reports it with
	 * the COMMIT that carries the pipelined insert) rolls the whole create back, count included:
	 * with a quota of 3 the next key fits and the one after is refused with current = 3. */
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 6, 1, 0, &k, &d), ERR_EXISTS);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 8, 1, 3, &k, &d), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 9, 1, 3, &k, &d), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 10, 1, 3, &k, &d), ERR_QUOTA);
	ASSERT_EQ_UINT(d.current, 3);
	store_close(s);
}

TEST(app_cascade_and_nb_api_keys)
{
	struct store_bootstrap b;
	struct store_key k1, k2;
	struct store_detail d;
	struct store_app a, got;
	struct store *s;
	uint8_t h[STORE_HASH_LEN];

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	ASSERT_EQ_INT(add_app(s, b.organization_id, "casc", &a), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_APPLICATION, a.id, 1, 1, 0, &k1, &d), 0);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_APPLICATION, a.id, 2, 2, 0, &k2, &d), 0);
	ASSERT_EQ_INT(store_app_get(s, b.organization_id, a.id, &got), 0);
	ASSERT_EQ_UINT(got.nb_api_keys, 2);
	store_app_release(&got);
	ASSERT_EQ_INT(store_app_delete(s, b.organization_id, a.id), 0);
	ASSERT_EQ_INT(store_app_get(s, b.organization_id, a.id, &got), ERR_NOTFOUND);
	ASSERT_EQ_INT(store_key_get(s, b.organization_id, k1.access_key, &k2), ERR_NOTFOUND);
	hash_of(1, h);
	ASSERT_EQ_INT(store_auth(s, h, &k2), ERR_NOTFOUND);
	store_close(s);
}

TEST(users_unique_names_and_owner_not_deletable)
{
	struct store_bootstrap b;
	struct store_user u, got;
	struct store_user_patch p = { 0 };
	struct store_detail d;
	struct store *s;
	char email[] = "a@example.com", email2[] = "A@EXAMPLE.COM", name[] = "alice", empty[] = "", loc[] = "en_US";
	char owner[] = "owner";

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	memset(&u, 0, sizeof(u));
	rand_uuid_v4(u.id);
	snprintf(u.organization_id, sizeof(u.organization_id), "%s", b.organization_id);
	u.email = email;
	u.username = name;
	u.first_name = u.last_name = u.phone_number = empty;
	u.locale = loc;
	u.deletable = 1;
	u.type = STORE_USER_MEMBER;
	u.status = STORE_STATUS_ACTIVATED;
	ASSERT_EQ_INT(store_user_create(s, &u, "scrypt$x", &d), 0);
	rand_uuid_v4(u.id);
	u.email = email2;
	ASSERT_EQ_INT(store_user_create(s, &u, NULL, &d), ERR_EXISTS);
	ASSERT_EQ_STR(d.resource, "username");
	u.username = owner;
	ASSERT_EQ_INT(store_user_create(s, &u, NULL, &d), ERR_EXISTS);
	ASSERT_EQ_STR(d.resource, "username");
	p.username = owner;
	p.now = time_now();
	ASSERT_EQ_INT(store_user_update(s, b.organization_id, b.user_id, &p, &got, &d), 0); /* its own name */
	store_user_release(&got);
	ASSERT_EQ_INT(store_user_delete(s, b.organization_id, b.user_id), ERR_PERM);
	ASSERT_EQ_INT(store_user_get(s, b.organization_id, b.user_id, &got), 0);
	ASSERT_EQ_INT(got.type, STORE_USER_OWNER);
	ASSERT_EQ_STR(got.account_root_user_id, got.id);
	store_user_release(&got);
	store_close(s);
}

TEST(lists_page_order_filters_and_total)
{
	struct store_bootstrap b;
	struct store_key k;
	struct store_key_patch p = { 0 };
	struct store_key_filter f;
	struct store_key_list l;
	struct store_detail d;
	struct store *s;
	char keys[25][ACCESS_KEY_LEN + 1];
	int i;

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	for (i = 0; i < 25; i++) {
		ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, i, 100 + i, 0, &k, &d), 0);
		memcpy(keys[i], k.access_key, sizeof(keys[i]));
	}
	p.set_expires = 1;
	p.expires_at = ts(50);
	p.now = ts(200);
	ASSERT_EQ_INT(store_key_update(s, b.organization_id, keys[3], &p, &k), 0);
	store_key_release(&k);
	memset(&f, 0, sizeof(f));
	f.organization_id = b.organization_id;
	f.editable = f.expired = -1;
	f.page.page = 3;
	f.page.page_size = 10;
	ASSERT_EQ_INT(store_key_list(s, &f, &l), 0);
	ASSERT_EQ_UINT(l.total, 25);
	ASSERT_EQ_UINT(l.n, 5);
	ASSERT_EQ_STR(l.v[0].access_key, keys[20]);
	store_key_list_release(&l);
	f.page.page = 1;
	f.page.desc = 1;
	ASSERT_EQ_INT(store_key_list(s, &f, &l), 0);
	ASSERT_EQ_STR(l.v[0].access_key, keys[24]);
	store_key_list_release(&l);
	f.expired = 1;
	f.now = ts(60);
	ASSERT_EQ_INT(store_key_list(s, &f, &l), 0);
	ASSERT_EQ_UINT(l.total, 1);
	ASSERT_EQ_STR(l.v[0].access_key, keys[3]);
	store_key_list_release(&l);
	f.expired = 0;
	ASSERT_EQ_INT(store_key_list(s, &f, &l), 0);
	ASSERT_EQ_UINT(l.total, 24);
	store_key_list_release(&l);
	f.now = ts(40); /* before the expiry: nothing is expired yet */
	ASSERT_EQ_INT(store_key_list(s, &f, &l), 0);
	ASSERT_EQ_UINT(l.total, 25);
	store_key_list_release(&l);
	f.expired = -1;
	f.description = "key-7";
	ASSERT_EQ_INT(store_key_list(s, &f, &l), 0);
	ASSERT_EQ_UINT(l.total, 1);
	ASSERT_EQ_STR(l.v[0].access_key, keys[7]);
	store_key_list_release(&l);
	f.page.page_size = 0;
	ASSERT_EQ_INT(store_key_list(s, &f, &l), ERR_RANGE);
	store_close(s);
}

struct conc {
	struct store *s;
	const char *org, *user;
	int base, fails;
};

static void *conc_main(void *arg)
{
	struct conc *c = arg;
	struct store_key k;
	struct store_detail d;
	int i;

	for (i = 0; i < 25; i++)
		if (add_key(c->s, c->org, STORE_BEARER_USER, c->user, c->base + i, 1, 0, &k, &d) != 0)
			c->fails++;
	return NULL;
}

TEST(concurrent_writers_group_commit_and_durable_after_reopen)
{
	struct store_bootstrap b;
	struct store_key_filter f;
	struct store_key_list l;
	struct store *s;
	pthread_t th[8];
	struct conc c[8];
	int i, fails = 0;

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	for (i = 0; i < 8; i++) {
		c[i].s = s;
		c[i].org = b.organization_id;
		c[i].user = b.user_id;
		c[i].base = 1000 * (i + 1);
		c[i].fails = 0;
		ASSERT_EQ_INT(pthread_create(&th[i], NULL, conc_main, &c[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		fails += c[i].fails;
	}
	ASSERT_EQ_INT(fails, 0);
	store_close(s);
	s = open_store();
	ASSERT(s != NULL);
	memset(&f, 0, sizeof(f));
	f.organization_id = b.organization_id;
	f.editable = f.expired = -1;
	f.page.page = 1;
	f.page.page_size = 1;
	ASSERT_EQ_INT(store_key_list(s, &f, &l), 0);
	ASSERT_EQ_UINT(l.total, 200);
	store_key_list_release(&l);
	store_close(s);
}

TEST(read_snapshot_is_consistent_until_ended)
{
	struct store_bootstrap b;
	struct store_key k, got;
	struct store_detail d;
	struct store *s;

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	ASSERT_EQ_INT(store_read_begin(s), 0);
	ASSERT_EQ_INT(store_org_default_project(s, b.organization_id, got.default_project_id), 0);
	/* A write committed after the snapshot started (the writer is another connection)... */
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 1, 1, 0, &k, &d), 0);
	/* ...is not visible inside it, and is once it ends. */
	ASSERT_EQ_INT(store_key_get(s, b.organization_id, k.access_key, &got), ERR_NOTFOUND);
	store_read_end(s);
	ASSERT_EQ_INT(store_key_get(s, b.organization_id, k.access_key, &got), 0);
	store_key_release(&got);
	store_read_end(s); /* ending twice is harmless */
	store_close(s);
}

/* The admin paths: a new organization (not the default) and the revocation of a key by its
 * access key alone; both keep the per-organization quota count exact. */
TEST(org_create_and_key_revoke)
{
	struct store_bootstrap b, o, again;
	struct store_key k, got;
	struct store_detail d;
	uint8_t h[STORE_HASH_LEN];
	struct store *s;

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	ASSERT_EQ_INT(store_org_create(s, "second", &o), 0);
	ASSERT_EQ_INT(o.created, 1);
	ASSERT(strcmp(o.organization_id, b.organization_id) != 0);
	ASSERT_EQ_STR(o.project_id, o.organization_id);
	ASSERT(o.user_id[0] != 0);
	ASSERT_EQ_INT(store_bootstrap(s, &again), 0);
	ASSERT_EQ_STR(again.organization_id, b.organization_id); /* the default stays the default */
	ASSERT_EQ_INT(add_key(s, o.organization_id, STORE_BEARER_USER, o.user_id, 41, 1, 1, &k, &d), 0);
	ASSERT_EQ_INT(add_key(s, o.organization_id, STORE_BEARER_USER, o.user_id, 42, 1, 1, &got, &d), ERR_QUOTA);
	/* Quotas are per organization: the default one is untouched. */
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, b.user_id, 43, 1, 1, &got, &d), 0);
	ASSERT_EQ_INT(store_key_revoke(s, k.access_key), 0);
	hash_of(41, h);
	ASSERT_EQ_INT(store_auth(s, h, &got), ERR_NOTFOUND);
	ASSERT_EQ_INT(store_key_revoke(s, k.access_key), ERR_NOTFOUND);
	ASSERT_EQ_INT(add_key(s, o.organization_id, STORE_BEARER_USER, o.user_id, 44, 1, 1, &k, &d), 0);
	store_close(s);
}

/* Named organizations (admin organization create/list); ping and connection stats. */
TEST(organizations_named_listed_and_stats)
{
	struct store_bootstrap a, b, again;
	struct store_org_list l;
	struct store_stats st;
	struct store *s;
	size_t i, found = 0;

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_ping(s), 0);
	ASSERT_EQ_INT(store_bootstrap(s, &a), 0);
	ASSERT_EQ_INT(store_org_create(s, "team b", &b), 0);
	ASSERT_EQ_INT(b.created, 1);
	ASSERT_EQ_STR(b.project_id, b.organization_id);
	ASSERT(strcmp(b.organization_id, a.organization_id) != 0);
	ASSERT_EQ_INT(store_org_create(s, "team b", &again), ERR_EXISTS);
	ASSERT_EQ_INT(store_org_create(s, "default", &again), ERR_EXISTS);
	ASSERT_EQ_INT(store_org_list(s, &l), 0);
	ASSERT_EQ_UINT(l.n, 2);
	for (i = 0; i < l.n; i++) {
		if (!strcmp(l.v[i].id, a.organization_id) && !strcmp(l.v[i].name, "default") && l.v[i].is_default &&
		    l.v[i].api_keys == 0 && !strcmp(l.v[i].project_id, a.project_id))
			found++;
		if (!strcmp(l.v[i].id, b.organization_id) && !strcmp(l.v[i].name, "team b") && !l.v[i].is_default &&
		    !strcmp(l.v[i].project_id, b.project_id) && l.v[i].created_at.sec > 0)
			found++;
	}
	store_org_list_release(&l);
	ASSERT_EQ_UINT(found, 2);
	ASSERT_EQ_INT(store_bootstrap(s, &again), 0); /* still the default organization */
	ASSERT_EQ_STR(again.organization_id, a.organization_id);
	store_stats(s, &st);
	ASSERT(st.conns >= 1);
	ASSERT_EQ_UINT(st.conns_busy, 0);
	ASSERT_EQ_INT(store_read_begin(s), 0);
	store_stats(s, &st);
	ASSERT_EQ_UINT(st.conns_busy, 1); /* the request's connection: SQLite's snapshot, PostgreSQL's pinned one */
	store_read_end(s);
	store_stats(s, &st);
	ASSERT_EQ_UINT(st.conns_busy, 0);
	if (!on_pg) {
		/* The file gone from where it was opened: the probe says so (open connections alone would not). */
		char moved[1100];

		snprintf(moved, sizeof(moved), "%s.moved", dbpath);
		ASSERT_EQ_INT(rename(dbpath, moved), 0);
		ASSERT_EQ_INT(store_ping(s), ERR_IO);
		ASSERT_EQ_INT(rename(moved, dbpath), 0);
		ASSERT_EQ_INT(store_ping(s), 0);
	}
	store_close(s);
}

/* Groups, policies and rules: quotas, unique group names, members in order, the grants of a
 * bearer through a group, rules replaced, the owner flag of a key, and the cascades. */
static struct store_tags one_tag(char *v)
{
	static char *slot[4];
	static int i;
	struct store_tags t;

	slot[i % 4] = v;
	t.v = &slot[i++ % 4];
	t.n = v ? 1 : 0;
	return t;
}

TEST(groups_policies_rules_grants_and_cascades)
{
	struct store *s;
	struct store_bootstrap b;
	struct store_app app;
	struct store_group g, out;
	struct store_policy p, got;
	struct store_rule rules[2];
	struct store_rule_list rl;
	struct store_grant_list gl;
	struct store_page pg = { STORE_ORDER_CREATED_AT, 0, 1, 100 };
	struct store_detail d;
	struct store_key k, auth;
	uint8_t h[STORE_HASH_LEN];
	char name[] = "g", name2[] = "g2", empty[] = "", pname[] = "p", set1[] = "IAMReadOnly", set2[] = "IAMManager";
	char appid[STORE_ID_LEN + 1], ownerid[STORE_ID_LEN + 1];

	fresh_db();
	s = open_store();
	ASSERT(s != NULL);
	ASSERT_EQ_INT(store_bootstrap(s, &b), 0);
	ASSERT_EQ_INT(add_app(s, b.organization_id, "ci", &app), 0);
	memcpy(appid, app.id, sizeof(appid));
	memcpy(ownerid, b.user_id, sizeof(ownerid));
	memset(&g, 0, sizeof(g));
	rand_uuid_v4(g.id);
	memcpy(g.organization_id, b.organization_id, sizeof(g.organization_id));
	g.name = name;
	g.description = empty;
	g.created_at = g.updated_at = ts(10);
	g.editable = g.deletable = 1;
	ASSERT_EQ_INT(store_group_create(s, &g, 1, &d), 0);
	rand_uuid_v4(g.id);
	ASSERT_EQ_INT(store_group_create(s, &g, 2, &d), ERR_EXISTS);
	ASSERT_EQ_STR(d.resource, "name");
	g.name = name2;
	ASSERT_EQ_INT(store_group_create(s, &g, 1, &d), ERR_QUOTA);
	ASSERT_EQ_STR(d.resource, "groups");
	ASSERT_EQ_INT((int)d.current, 1);
	memcpy(g.id, "00000000-0000-4000-8000-000000000000", STORE_ID_LEN + 1);
	{
		struct store_group_list gls;
		struct store_group_filter f = { 0 };

		f.organization_id = b.organization_id;
		f.page = pg;
		ASSERT_EQ_INT(store_group_list(s, &f, &gls), 0);
		ASSERT_EQ_INT((int)gls.n, 1);
		memcpy(g.id, gls.v[0].id, sizeof(g.id));
		store_group_list_release(&gls);
	}
	{
		struct store_tags users = one_tag(ownerid), apps = one_tag(appid);

		ASSERT_EQ_INT(
			store_group_members(s, b.organization_id, g.id, STORE_MEMBERS_SET, &users, &apps, &out, &d), 0);
		ASSERT_EQ_INT((int)out.user_ids.n, 1);
		ASSERT_EQ_STR(out.application_ids.v[0], appid);
		store_group_release(&out);
		ASSERT_EQ_INT(
			store_group_members(s, b.organization_id, g.id, STORE_MEMBERS_REMOVE, &users, NULL, &out, &d),
			0);
		ASSERT_EQ_INT((int)out.user_ids.n, 0);
		store_group_release(&out);
		ASSERT_EQ_INT(
			store_group_members(s, b.organization_id, g.id, STORE_MEMBERS_REMOVE, &users, NULL, &out, &d),
			ERR_NOTFOUND);
		ASSERT_EQ_STR(d.resource, "");
	}
	memset(&p, 0, sizeof(p));
	memset(rules, 0, sizeof(rules));
	rand_uuid_v4(p.id);
	p.name = pname;
	p.description = empty;
	memcpy(p.organization_id, b.organization_id, sizeof(p.organization_id));
	p.created_at = p.updated_at = ts(11);
	p.principal_type = STORE_PRINCIPAL_GROUP;
	memcpy(p.principal_id, g.id, sizeof(p.principal_id));
	rand_uuid_v4(rules[0].id);
	rand_uuid_v4(rules[1].id);
	rules[0].permission_set_names = one_tag(set1);
	rules[1].permission_set_names = one_tag(set2);
	rules[0].scope_type = rules[1].scope_type = STORE_SCOPE_ORGANIZATION;
	memcpy(rules[0].organization_id, b.organization_id, sizeof(rules[0].organization_id));
	memcpy(rules[1].organization_id, b.organization_id, sizeof(rules[1].organization_id));
	rules[0].condition = rules[1].condition = empty;
	ASSERT_EQ_INT(store_policy_create(s, &p, rules, 2, 0, &d), 0);
	ASSERT_EQ_INT((int)p.nb_rules, 2);
	ASSERT_EQ_INT((int)p.nb_scopes, 1);
	ASSERT_EQ_INT((int)p.nb_permission_sets, 2);
	/* The application holds both rules through its group; the owner's key says owner. */
	ASSERT_EQ_INT(store_grants(s, b.organization_id, STORE_BEARER_APPLICATION, appid, &gl), 0);
	ASSERT_EQ_INT((int)gl.n, 2);
	store_grant_list_release(&gl);
	ASSERT_EQ_INT(add_key(s, b.organization_id, STORE_BEARER_USER, ownerid, 7, 1, 0, &k, &d), 0);
	hash_of(7, h);
	ASSERT_EQ_INT(store_auth(s, h, &auth), 0);
	ASSERT_EQ_INT(auth.bearer_is_owner, 1);
	store_key_release(&auth);
	/* Rules replaced, listed in order. */
	rand_uuid_v4(rules[1].id);
	ASSERT_EQ_INT(store_rules_set(s, b.organization_id, p.id, &rules[1], 1, ts(12), &rl), 0);
	ASSERT_EQ_INT((int)rl.n, 1);
	store_rule_list_release(&rl);
	ASSERT_EQ_INT(store_rule_list(s, b.organization_id, p.id, &pg, &rl), 0);
	ASSERT_EQ_INT((int)rl.total, 1);
	ASSERT_EQ_STR(rl.v[0].permission_set_names.v[0], "IAMManager");
	store_rule_list_release(&rl);
	/* Cascades: the application leaves its group; the group's policy is orphaned. */
	ASSERT_EQ_INT(store_app_delete(s, b.organization_id, appid), 0);
	ASSERT_EQ_INT(store_group_get(s, b.organization_id, g.id, &out), 0);
	ASSERT_EQ_INT((int)out.application_ids.n, 0);
	store_group_release(&out);
	ASSERT_EQ_INT(store_group_delete(s, b.organization_id, g.id), 0);
	ASSERT_EQ_INT(store_policy_get(s, b.organization_id, p.id, &got), 0);
	ASSERT_EQ_INT((int)got.principal_type, STORE_PRINCIPAL_NONE);
	store_policy_release(&got);
	ASSERT_EQ_INT(store_policy_delete(s, b.organization_id, p.id), 0);
	ASSERT_EQ_INT(store_rule_list(s, b.organization_id, p.id, &pg, &rl), ERR_NOTFOUND);
	store_close(s);
}

/* Without STORE_OPEN_CREATE, a PostgreSQL database without the schema is refused, naming the
 * command to run; SQLite keeps creating its file. */
TEST(pg_never_bootstrapped_is_refused)
{
	struct store *s = NULL;
	char detail[512] = "";

	fresh_db();
	if (!on_pg) {
		ASSERT_EQ_INT(store_open_flags(dbpath, 0, &s, detail, sizeof(detail)), 0);
		ASSERT_EQ_INT(store_ping(s), 0);
		store_close(s);
		return;
	}
	ASSERT_EQ_INT(store_open_flags(dbpath, 0, &s, detail, sizeof(detail)), ERR_NOTFOUND);
	ASSERT(s == NULL);
	ASSERT(strstr(detail, "scw-iamd bootstrap") != NULL);
	ASSERT_EQ_INT(store_open_flags(dbpath, STORE_OPEN_CREATE, &s, detail, sizeof(detail)), 0);
	ASSERT_EQ_STR(store_backend(s), "postgresql");
	ASSERT_EQ_INT(store_ping(s), 0);
	store_close(s);
	ASSERT_EQ_INT(store_open_flags(dbpath, 0, &s, detail, sizeof(detail)), 0);
	store_close(s);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/scw-store-test-XXXXXX");
	if (!mkdtemp(dir)) {
		printf("not ok 1 - mkdtemp\n1..1\n");
		return 1;
	}
	RUN(open_creates_private_file_and_schema_version);
	RUN(newer_schema_is_refused_and_unknown_scheme_unsupported);
	RUN(sqlite_v1_database_migrates_with_exact_counts);
	for (on_pg = 0; on_pg < 2; on_pg++) {
		if (on_pg && !getenv("SCW_TEST_PG")) {
			printf("# SCW_TEST_PG unset: the PostgreSQL pass is left out (scripts/with-postgres runs it)\n");
			break;
		}
		printf("# engine: %s\n", on_pg ? "postgresql" : "sqlite");
		RUN(bootstrap_is_idempotent_and_meta_round_trips);
		RUN(key_lifecycle_auth_update_delete);
		RUN(key_rules_bearer_must_exist_and_quota);
		RUN(app_cascade_and_nb_api_keys);
		RUN(users_unique_names_and_owner_not_deletable);
		RUN(lists_page_order_filters_and_total);
		RUN(concurrent_writers_group_commit_and_durable_after_reopen);
		RUN(org_create_and_key_revoke);
		RUN(pg_never_bootstrapped_is_refused);
		RUN(groups_policies_rules_grants_and_cascades);
		RUN(organizations_named_listed_and_stats);
	}
	on_pg = 0;
	RUN(read_snapshot_is_consistent_until_ended);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return test_done();
}
