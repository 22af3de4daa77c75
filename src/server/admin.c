/* SPDX-License-Identifier: MIT */
/* admin: operator commands on the database (see admin.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/compat.h"
#include "common/err.h"
#include "common/rand.h"
#include "server/admin.h"
#include "server/api_json.h"
#include "server/cli.h"

#define ORG_NAME_MAX 255

static const char usage_admin[] =
	"usage: scw-iamd admin organization create --db DB --name NAME [--key-file PATH]\n"
	"       scw-iamd admin organization list --db DB\n"
	"       scw-iamd admin key list --db DB --organization-id ORG\n"
	"       scw-iamd admin key revoke --db DB ACCESS_KEY\n"
	"\n"
	"Operator commands, run on the database itself (a server running on it sees the change at once).\n"
	"\n"
	"  organization create   a new organization with its default project and owner user, and an\n"
	"                        admin API key for the owner; prints the same JSON object as bootstrap:\n"
	"                        {\"organization_id\",\"project_id\",\"user_id\",\"access_key\",\"secret_key\"}\n"
	"  organization list     every organization: {\"organizations\":[...],\"total_count\":N}\n"
	"  key list              an organization's API keys, as the API lists them (never a secret):\n"
	"                        {\"api_keys\":[...],\"total_count\":N}\n"
	"  key revoke            delete an API key whatever its organization: it authenticates no more\n"
	"\n"
	"  --db DB               the database given to bootstrap and serve\n"
	"  --key-file PATH       server key hashing the secrets (default: DB.key; organization create)\n"
	"  --name NAME           organization name: 1 to 255 bytes, no control character, unique\n"
	"  --organization-id ORG an organization's UUID\n"
	"  --help, --version\n";

struct admin_opts {
	const char *db, *key_file, *name, *org;
	const char *arg; /* the one positional argument */
};

/* Parse the options after "admin NOUN VERB"; 0, or the exit status of a usage error / --help
 * (*done set). */
static int parse(int argc, char **argv, int want_arg, struct admin_opts *o, int *done)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "organization-id", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	*done = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'k': o->key_file = optarg; break;
		case 'n': o->name = optarg; break;
		case 'o': o->org = optarg; break;
		case 'h':
			fputs(usage_admin, stdout);
			*done = 1;
			return 0;
		case 'V':
			puts("scw-iamd " SCW_IAMD_VERSION);
			*done = 1;
			return 0;
		default:
			*done = 1;
			return cli_usage_error(usage_admin, "unknown or incomplete option", argv[optind - 1]);
		}
	}
	if (want_arg && optind < argc)
		o->arg = argv[optind++];
	*done = 1;
	if (optind < argc)
		return cli_usage_error(usage_admin, "unexpected argument", argv[optind]);
	if (want_arg && !o->arg)
		return cli_usage_error(usage_admin, "missing argument", want_arg == 1 ? "ACCESS_KEY" : NULL);
	if (!o->db)
		return cli_usage_error(usage_admin, "--db is required", NULL);
	*done = 0;
	return 0;
}

static int fail(const char *what, int r)
{
	fprintf(stderr, "scw-iamd: %s: %s\n", what, err_str(r));
	return 1;
}

static int utf8_ok(const char *s)
{
	json_t *j = json_string(s); /* NULL when s is not valid UTF-8 */

	json_decref(j);
	return j != NULL;
}

static int org_create(const struct admin_opts *o)
{
	struct store *s;
	struct secret_key key;
	struct store_bootstrap b;
	size_t i, n = o->name ? strlen(o->name) : 0;
	int r;

	if (!o->name)
		return cli_usage_error(usage_admin, "--name is required", NULL);
	for (i = 0; i < n && (unsigned char)o->name[i] >= 0x20 && o->name[i] != 0x7f; i++)
		;
	if (n == 0 || n > ORG_NAME_MAX || i < n || !utf8_ok(o->name)) {
		fprintf(stderr, "scw-iamd: --name must be 1 to %d bytes of UTF-8 text without control characters\n",
			ORG_NAME_MAX);
		return 2;
	}
	if (cli_open(o->db, o->key_file, CLI_OPEN_EXISTING, &s, &key) < 0)
		return 1;
	r = store_org_create(s, o->name, &b);
	if (r == ERR_EXISTS)
		fprintf(stderr, "scw-iamd: an organization named \"%s\" already exists (admin organization list)\n",
			o->name);
	else if (r < 0)
		fail("cannot create the organization", r);
	if (r == 0) {
		r = cli_print_admin_key(s, &key, &b, "scw-iamd admin organization create");
		if (r < 0)
			fail("organization created, but its admin key could not be minted", r);
	}
	store_close(s);
	secret_key_release(&key);
	return r < 0 ? 1 : 0;
}

static int print_json(json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int r = text ? 0 : ERR_NOMEM;

	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(j);
	return r;
}

static int org_list(const struct admin_opts *o)
{
	struct store_org_list l;
	struct store *s;
	struct secret_key key;
	json_t *orgs = json_array();
	size_t i;
	int r;

	if (cli_open(o->db, NULL, CLI_OPEN_NO_KEY, &s, &key) < 0) {
		json_decref(orgs);
		return 1;
	}
	r = store_org_list(s, &l);
	for (i = 0; r == 0 && i < l.n; i++) {
		char ts[TIME_RFC3339_MAX];

		time_rfc3339_format(l.v[i].created_at, ts);
		if (json_array_append_new(orgs, json_pack("{s:s, s:s, s:s, s:b, s:s, s:I}", "id", l.v[i].id, "name",
							  l.v[i].name, "created_at", ts, "default", l.v[i].is_default,
							  "project_id", l.v[i].project_id, "api_keys",
							  (json_int_t)l.v[i].api_keys)) < 0)
			r = ERR_NOMEM;
	}
	if (r == 0)
		r = print_json(json_pack("{s:O, s:I}", "organizations", orgs, "total_count", (json_int_t)l.n));
	if (r < 0)
		fail("cannot list the organizations", r);
	json_decref(orgs);
	store_org_list_release(&l);
	store_close(s);
	return r < 0 ? 1 : 0;
}

/* 0 when org is an organization of s; prints why not. */
static int org_exists(struct store *s, const char *org)
{
	char project[STORE_ID_LEN + 1];
	int r = store_org_default_project(s, org, project);

	if (r == ERR_NOTFOUND)
		fprintf(stderr, "scw-iamd: no organization %s in this database (admin organization list)\n", org);
	else if (r < 0)
		fail("cannot read the organization", r);
	return r;
}

static int key_list(const struct admin_opts *o)
{
	struct store *s;
	struct secret_key key;
	struct store_key_filter f;
	struct buf b;
	uint32_t page, total = 0;
	size_t i, shown = 0;
	int r;

	if (!o->org)
		return cli_usage_error(usage_admin, "--organization-id is required", NULL);
	if (!uuid_is_valid(o->org, strlen(o->org))) {
		fprintf(stderr, "scw-iamd: --organization-id must be a UUID: %s\n", o->org);
		return 2;
	}
	if (cli_open(o->db, NULL, CLI_OPEN_NO_KEY, &s, &key) < 0)
		return 1;
	buf_init(&b, 1u << 30);
	r = org_exists(s, o->org);
	if (r == 0)
		r = buf_append_str(&b, "{\"api_keys\":[");
	for (page = 1; r == 0; page++) {
		struct store_key_list l = { 0 };

		memset(&f, 0, sizeof(f));
		f.organization_id = o->org;
		f.editable = f.expired = -1;
		f.now = time_now();
		f.page.order = STORE_ORDER_CREATED_AT;
		f.page.page = page;
		f.page.page_size = 100;
		r = store_key_list(s, &f, &l);
		for (i = 0; r == 0 && i < l.n; i++) {
			if (shown++)
				r = buf_append_byte(&b, ',');
			if (r == 0)
				r = api_json_key(&b, &l.v[i], NULL);
		}
		total = l.total;
		store_key_list_release(&l);
		if (r < 0 || i < 100 || shown >= total)
			break;
	}
	if (r == 0)
		r = buf_printf(&b, "],\"total_count\":%u}\n", (unsigned)total);
	if (r == 0)
		fwrite(b.data, 1, b.len, stdout);
	else if (r != ERR_NOTFOUND)
		fail("cannot list the API keys", r);
	buf_release(&b);
	store_close(s);
	return r < 0 ? 1 : 0;
}

static int key_revoke(const struct admin_opts *o)
{
	struct store_org_list l;
	struct store_key k;
	struct store *s;
	struct secret_key key;
	const char *org = NULL;
	size_t i;
	int r;

	if (strlen(o->arg) != ACCESS_KEY_LEN || strncmp(o->arg, "SCW", 3) != 0) {
		fprintf(stderr, "scw-iamd: not an access key (SCW and 17 characters): %s\n", o->arg);
		return 2;
	}
	if (cli_open(o->db, NULL, CLI_OPEN_NO_KEY, &s, &key) < 0)
		return 1;
	r = store_org_list(s, &l);
	for (i = 0; r == 0 && !org && i < l.n; i++) {
		int g = store_key_get(s, l.v[i].id, o->arg, &k);

		if (g == 0) {
			org = l.v[i].id;
			store_key_release(&k);
		} else if (g != ERR_NOTFOUND) {
			r = g;
		}
	}
	if (r == 0 && !org) {
		fprintf(stderr, "scw-iamd: no API key %s in this database (admin key list --organization-id ORG)\n",
			o->arg);
		r = ERR_NOTFOUND;
	}
	if (r == 0) {
		r = store_key_revoke(s, o->arg);
		if (r == 0)
			printf("{\"access_key\":\"%s\",\"organization_id\":\"%s\",\"revoked\":true}\n", o->arg, org);
		else if (r != ERR_NOTFOUND) /* deleted meanwhile: say so below */
			fail("cannot revoke the API key", r);
		else
			fprintf(stderr, "scw-iamd: API key %s was deleted meanwhile\n", o->arg);
	} else if (r != ERR_NOTFOUND) {
		fail("cannot look the API key up", r);
	}
	store_org_list_release(&l);
	store_close(s);
	return r < 0 ? 1 : 0;
}

int admin_main(int argc, char **argv)
{
	static const struct {
		const char *noun, *verb;
		int want_arg;
		int (*run)(const struct admin_opts *o);
	} cmds[] = {
		{ "organization", "create", 0, org_create },
		{ "organization", "list", 0, org_list },
		{ "key", "list", 0, key_list },
		{ "key", "revoke", 1, key_revoke },
	};
	struct admin_opts o;
	size_t i;
	int r, done;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc < 2)
			return cli_usage_error(usage_admin, "missing subcommand", NULL);
		fputs(usage_admin, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("scw-iamd " SCW_IAMD_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].noun) != 0 || argc < 3 || strcmp(argv[2], cmds[i].verb) != 0)
			continue;
		r = parse(argc - 2, argv + 2, cmds[i].want_arg, &o, &done);
		if (done)
			return r;
		return cmds[i].run(&o);
	}
	if (argc >= 3 && strcmp(argv[2], "--help") == 0) {
		fputs(usage_admin, stdout);
		return 0;
	}
	return cli_usage_error(usage_admin, "unknown admin command", argc >= 3 ? argv[2] : argv[1]);
}
