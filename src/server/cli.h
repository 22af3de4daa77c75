/* SPDX-License-Identifier: MIT */
/*
 * cli: what the scw-iamd commands share (main.c: bootstrap, serve; admin.c: admin ...):
 * usage errors, opening the database with its secret-hashing key, and minting the admin key
 * whose JSON bootstrap and "admin organization create" print. Messages go to stderr, prefixed
 * "scw-iamd: "; nothing here ever prints a secret but the one minted key, on stdout.
 */
#ifndef SERVER_CLI_H
#define SERVER_CLI_H
#include "server/secret.h"
#include "store/store.h"

#define SCW_IAMD_VERSION "0.1.0"

/* Print msg (and arg) then the usage to stderr; returns 2, the exit status of a usage error. */
int cli_usage_error(const char *usage, const char *msg, const char *arg);

enum cli_open_mode {
	CLI_OPEN_CREATE,   /* bootstrap: create the database and the key file when absent */
	CLI_OPEN_EXISTING, /* serve, admin: the database must have been bootstrapped (says how otherwise) */
	CLI_OPEN_NO_KEY,   /* admin listings and revocation: bootstrapped, the key file is not read */
};

/* Open the store and (unless CLI_OPEN_NO_KEY) the server key, checking they belong together.
 * key_file NULL: DB.key. On failure the reason is printed and both are released. */
int cli_open(const char *db, const char *key_file, enum cli_open_mode mode, struct store **s, struct secret_key *key);

/* Mint an admin key for the owner of b's organization and print the bootstrap JSON line
 * {"organization_id","project_id","user_id","access_key","secret_key"}. description names
 * the key. The secret is wiped after printing. */
int cli_print_admin_key(struct store *s, const struct secret_key *key, const struct store_bootstrap *b,
			const char *description);

#endif
