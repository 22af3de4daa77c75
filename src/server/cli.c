/* SPDX-License-Identifier: MIT */
/* cli: shared pieces of the scw-iamd commands (see cli.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/mem.h"
#include "server/api.h"
#include "server/cli.h"

#define FPR_META_KEY "secret_key_fingerprint"

int cli_usage_error(const char *usage, const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "scw-iamd: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fputs(usage, stderr);
	return 2;
}

/* s as one shell word: as is when it is plainly safe, else in single quotes. */
static void shell_word(FILE *f, const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._,:=+@%-") == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* db as it may be printed: a PostgreSQL URI may carry a password, it is never echoed. */
static const char *db_name(const char *db)
{
	return store_url_is_pg(db) ? "(PostgreSQL URI)" : db;
}

static void never_bootstrapped(const char *db, const char *key_file, const char *why)
{
	fprintf(stderr,
		"scw-iamd: database %s %s: it was never bootstrapped.\n"
		"scw-iamd: create it (a default organization, its project, an owner and an admin key) with:\n"
		"  scw-iamd bootstrap --db ",
		db, why);
	shell_word(stderr, db);
	if (key_file) {
		fputs(" --key-file ", stderr);
		shell_word(stderr, key_file);
	}
	fputc('\n', stderr);
}

/* The SQLite file named by db, or NULL when db is a URL of another engine. */
static const char *sqlite_path(const char *db)
{
	if (!strncmp(db, "sqlite:", 7))
		return db + 7;
	return strstr(db, "://") ? NULL : db;
}

int cli_open(const char *db, const char *key_file, enum cli_open_mode mode, struct store **s, struct secret_key *key)
{
	char detail[4300] = "", fpr[SECRET_FPR_LEN + 1], stored[SECRET_FPR_LEN + 8], path[4096];
	const char *file = sqlite_path(db), *given_key = key_file;
	struct stat st;
	int r;

	*s = NULL;
	memset(key, 0, sizeof(*key));
	if (!key_file && mode != CLI_OPEN_NO_KEY && store_url_is_pg(db)) {
		fprintf(stderr,
			"scw-iamd: --key-file is required with a PostgreSQL database "
			"(the key every instance shares)\n");
		return ERR_INVAL;
	}
	if (!key_file) {
		snprintf(path, sizeof(path), "%s.key", db);
		key_file = path;
	}
	if (mode != CLI_OPEN_CREATE && file && stat(file, &st) != 0) {
		if (errno == ENOENT)
			never_bootstrapped(db, given_key, "does not exist");
		else
			fprintf(stderr, "scw-iamd: cannot open database %s: %s\n", db, strerror(errno));
		return ERR_NOTFOUND;
	}
	/* Without STORE_OPEN_CREATE, an engine refuses a database without schema (ERR_NOTFOUND, and
	 * the detail names the command to run). */
	r = store_open_flags(db, mode == CLI_OPEN_CREATE ? STORE_OPEN_CREATE : 0, s, detail, sizeof(detail));
	if (r < 0) {
		fprintf(stderr, "scw-iamd: cannot open database %s: %s\n", db_name(db),
			detail[0] ? detail : err_str(r));
		*s = NULL;
		return r;
	}
	r = store_meta_get(*s, FPR_META_KEY, stored, sizeof(stored));
	if (r == ERR_NOTFOUND && mode != CLI_OPEN_CREATE) {
		if (store_url_is_pg(db))
			fprintf(stderr,
				"scw-iamd: this PostgreSQL database was never bootstrapped (no secret-hashing key); "
				"run: scw-iamd bootstrap --db <the same URI> --key-file <key file>\n");
		else
			never_bootstrapped(db, given_key, "has no organization and no secret-hashing key yet");
		goto out;
	}
	if (mode == CLI_OPEN_NO_KEY) {
		if (r < 0)
			snprintf(detail, sizeof(detail), "cannot read database %s: %s", db_name(db), err_str(r));
		goto out;
	}
	if (r == ERR_NOTFOUND) {
		/* A database without secrets yet: create (or adopt) the key file and record it. */
		r = secret_key_load(key_file, 1, key, detail, sizeof(detail));
		if (r == 0)
			r = secret_key_fingerprint(key, fpr);
		if (r == 0)
			r = store_meta_set(*s, FPR_META_KEY, fpr);
	} else if (r == 0) {
		r = secret_key_load(key_file, 0, key, detail, sizeof(detail));
		if (r == 0)
			r = secret_key_fingerprint(key, fpr);
		if (r == 0 && strcmp(fpr, stored) != 0) {
			snprintf(detail, sizeof(detail), "key file %s does not belong to this database", key_file);
			r = ERR_PERM;
		}
	}
out:
	if (r < 0) {
		if (detail[0] || r != ERR_NOTFOUND || mode == CLI_OPEN_CREATE)
			fprintf(stderr, "scw-iamd: %s\n", detail[0] ? detail : err_str(r));
		store_close(*s);
		*s = NULL;
		secret_key_release(key);
	}
	return r;
}

int cli_print_admin_key(struct store *s, const struct secret_key *key, const struct store_bootstrap *b,
			const char *description)
{
	char secret[UUID_STR_LEN + 1];
	struct store_detail d;
	struct store_key k;
	struct api api;
	int r;

	api_init(&api, s, key, 0);
	r = api_mint_key(&api, b->organization_id, STORE_BEARER_USER, b->user_id, description, "127.0.0.1", &k, secret,
			 &d);
	if (r < 0)
		return r;
	printf("{\"organization_id\":\"%s\",\"project_id\":\"%s\",\"user_id\":\"%s\",\"access_key\":\"%s\","
	       "\"secret_key\":\"%s\"}\n",
	       b->organization_id, b->project_id, b->user_id, k.access_key, secret);
	fflush(stdout);
	mem_wipe(secret, sizeof(secret));
	store_key_release(&k);
	return 0;
}
