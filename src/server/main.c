/* SPDX-License-Identifier: MIT */
/*
 * scw-iamd: command line of the IAM server.
 *   scw-iamd bootstrap --db PATH     create the database, default organization, project and
 *                                    owner if needed; mint an admin key; print one JSON object
 *   scw-iamd serve --listen HOST:PORT --db PATH [--api-key-quota N] [--threads N]
 *                                    [--log-level LEVEL] [--key-file PATH]
 * Every command takes --help and --version; a bad flag is a usage error (exit 2). serve stops
 * gracefully on SIGTERM/SIGINT: no new connections, in-flight requests finish, queued writes
 * commit, the database is checkpointed and closed.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "server/api.h"
#include "server/http.h"
#include "server/secret.h"
#include "store/store.h"

#define VERSION "0.1.0"
#define FPR_META_KEY "secret_key_fingerprint"

static const char usage_main[] =
	"usage: scw-iamd COMMAND [OPTIONS]\n"
	"\n"
	"A Scaleway IAM v1alpha1 compatible API server (API keys, applications, users).\n"
	"\n"
	"commands:\n"
	"  bootstrap --db PATH                 create the database and an admin API key\n"
	"  serve --listen HOST:PORT --db PATH  serve the API\n"
	"\n"
	"  --help, --version                   on every command\n";

static const char usage_bootstrap[] =
	"usage: scw-iamd bootstrap --db PATH [--key-file PATH]\n"
	"\n"
	"Create the database if needed, the default organization, its default project and an owner\n"
	"user when absent, then mint a new admin API key for the owner and print one JSON object:\n"
	"{\"organization_id\",\"project_id\",\"user_id\",\"access_key\",\"secret_key\"}\n"
	"\n"
	"  --db PATH|URI      SQLite database file (created 0600), or a PostgreSQL URI\n"
	"                     (postgresql://...: the schema is created)\n"
	"  --key-file PATH    server key hashing the secrets (default: PATH.key, created 0600;\n"
	"                     required with a URI: every instance on the database shares it)\n"
	"  --help, --version\n";

static const char usage_serve[] =
	"usage: scw-iamd serve --listen HOST:PORT --db PATH [OPTIONS]\n"
	"\n"
	"  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080; port 0 = any free port)\n"
	"  --db PATH|URI          SQLite database file (created 0600 when absent), or a\n"
	"                         PostgreSQL URI (postgresql://...; run bootstrap first)\n"
	"  --key-file PATH        server key hashing the secrets (default: PATH.key; required\n"
	"                         with a URI)\n"
	"  --api-key-quota N      API keys per organization (default 100, 0 = unlimited)\n"
	"  --threads N            HTTP threads, each running an epoll loop (default 2)\n"
	"  --write-workers N      threads running writes; concurrent writes share a commit (default 64)\n"
	"  --log-level LEVEL      trace, debug, info (default), warn, error, off\n"
	"  --hash-concurrency N   password hashes computed at once (default: the core count); a few more\n"
	"                         wait up to 2 s, the others get 429 with Retry-After\n"
	"  --max-connections N    open connections in total (default 8192; over it: 503)\n"
	"  --per-ip-connections N open connections per client address (default 256; over it: 429)\n"
	"  --head-timeout S       seconds for a whole request head, and for idle keep-alive (default 20)\n"
	"  --body-timeout S       seconds for a whole request body and its answer (default 60)\n"
	"  --help, --version\n";

static int usage_error(const char *usage, const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "scw-iamd: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fputs(usage, stderr);
	return 2;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return ERR_INVAL;
	v = strtoull(s, &end, 10);
	if (*end || v > UINT32_MAX)
		return ERR_RANGE;
	*out = (uint32_t)v;
	return 0;
}

/* Connections need descriptors: take the hard limit as the soft one. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Open the store and the server key, checking that they belong together. create: bootstrap
 * (creates a PostgreSQL schema; serve refuses a database never bootstrapped). */
static int open_all(const char *db, const char *key_file, int create, struct store **s, struct secret_key *key)
{
	char detail[4300] = "", fpr[SECRET_FPR_LEN + 1], stored[SECRET_FPR_LEN + 8], path[4096];
	int r;

	if (!key_file && store_url_is_pg(db)) {
		/* A URI may carry a password: never echo it. */
		fprintf(stderr, "scw-iamd: --key-file is required with a PostgreSQL database "
				"(the key every instance shares)\n");
		return ERR_INVAL;
	}
	if (!key_file) {
		snprintf(path, sizeof(path), "%s.key", db);
		key_file = path;
	}
	r = store_open_flags(db, create ? STORE_OPEN_CREATE : 0, s, detail, sizeof(detail));
	if (r < 0) {
		fprintf(stderr, "scw-iamd: cannot open database %s: %s\n", store_url_is_pg(db) ? "(PostgreSQL)" : db,
			detail[0] ? detail : err_str(r));
		return r;
	}
	r = store_meta_get(*s, FPR_META_KEY, stored, sizeof(stored));
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
	if (r < 0) {
		fprintf(stderr, "scw-iamd: %s\n", detail[0] ? detail : err_str(r));
		store_close(*s);
		*s = NULL;
		secret_key_release(key);
	}
	return r;
}

static int cmd_bootstrap(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *key_file = NULL;
	struct store *s = NULL;
	struct secret_key key;
	struct store_bootstrap b;
	struct store_key k;
	struct store_detail d;
	struct api api;
	char secret[UUID_STR_LEN + 1];
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'k': key_file = optarg; break;
		case 'h': fputs(usage_bootstrap, stdout); return 0;
		case 'V': puts("scw-iamd " VERSION); return 0;
		default: return usage_error(usage_bootstrap, "unknown or incomplete option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(usage_bootstrap, "unexpected argument", argv[optind]);
	if (!db)
		return usage_error(usage_bootstrap, "--db is required", NULL);
	r = open_all(db, key_file, 1, &s, &key);
	if (r < 0)
		return 1;
	api_init(&api, s, &key, 0);
	r = store_bootstrap(s, &b);
	if (r == 0)
		r = api_mint_key(&api, b.organization_id, STORE_BEARER_USER, b.user_id, "scw-iamd bootstrap admin key",
				 "127.0.0.1", &k, secret, &d);
	if (r < 0) {
		fprintf(stderr, "scw-iamd: bootstrap failed: %s\n", err_str(r));
	} else {
		printf("{\"organization_id\":\"%s\",\"project_id\":\"%s\",\"user_id\":\"%s\",\"access_key\":\"%s\","
		       "\"secret_key\":\"%s\"}\n",
		       b.organization_id, b.project_id, b.user_id, k.access_key, secret);
		fflush(stdout);
		mem_wipe(secret, sizeof(secret));
		store_key_release(&k);
	}
	store_close(s);
	secret_key_release(&key);
	return r < 0 ? 1 : 0;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "db", required_argument, NULL, 'd' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "api-key-quota", required_argument, NULL, 'q' },
		{ "threads", required_argument, NULL, 't' },
		{ "write-workers", required_argument, NULL, 'w' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "hash-concurrency", required_argument, NULL, 'H' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "per-ip-connections", required_argument, NULL, 'P' },
		{ "head-timeout", required_argument, NULL, 'T' },
		{ "body-timeout", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *key_file = NULL, *listen_addr = "127.0.0.1:8080";
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t hashes = ncpu > 0 && ncpu < 1024 ? (uint32_t)ncpu : 2, max_conns = 0, per_ip = 0, head_s = 0,
		 body_s = 0;
	enum log_level level = LOG_INFO;
	uint32_t quota = 100, threads = 2, workers = 64;
	struct http_config cfg;
	struct http_server *http = NULL;
	struct store *s = NULL;
	struct secret_key key;
	struct api api;
	char bound[128] = "", detail[512] = "";
	sigset_t set;
	int c, r, sig = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen_addr = optarg; break;
		case 'd': db = optarg; break;
		case 'k': key_file = optarg; break;
		case 'q':
			if (parse_u32(optarg, &quota) < 0)
				return usage_error(usage_serve, "--api-key-quota wants a number", optarg);
			break;
		case 't':
			if (parse_u32(optarg, &threads) < 0 || threads < 1 || threads > 256)
				return usage_error(usage_serve, "--threads wants a number from 1 to 256", optarg);
			break;
		case 'w':
			if (parse_u32(optarg, &workers) < 0 || workers < 1 || workers > 1024)
				return usage_error(usage_serve, "--write-workers wants a number from 1 to 1024", optarg);
			break;
		case 'L':
			level = log_level_parse(optarg, (enum log_level)-1);
			if ((int)level < 0)
				return usage_error(usage_serve, "unknown --log-level", optarg);
			break;
		case 'H':
			if (parse_u32(optarg, &hashes) < 0 || hashes < 1 || hashes > 1024)
				return usage_error(usage_serve, "--hash-concurrency wants a number from 1 to 1024", optarg);
			break;
		case 'C':
			if (parse_u32(optarg, &max_conns) < 0 || max_conns < 4 || max_conns > 1000000)
				return usage_error(usage_serve, "--max-connections wants a number from 4 to 1000000", optarg);
			break;
		case 'P':
			if (parse_u32(optarg, &per_ip) < 0 || per_ip < 1 || per_ip > 1000000)
				return usage_error(usage_serve, "--per-ip-connections wants a number from 1 to 1000000", optarg);
			break;
		case 'T':
			if (parse_u32(optarg, &head_s) < 0 || head_s < 1 || head_s > 3600)
				return usage_error(usage_serve, "--head-timeout wants seconds from 1 to 3600", optarg);
			break;
		case 'B':
			if (parse_u32(optarg, &body_s) < 0 || body_s < 1 || body_s > 3600)
				return usage_error(usage_serve, "--body-timeout wants seconds from 1 to 3600", optarg);
			break;
		case 'h': fputs(usage_serve, stdout); return 0;
		case 'V': puts("scw-iamd " VERSION); return 0;
		default: return usage_error(usage_serve, "unknown or incomplete option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(usage_serve, "unexpected argument", argv[optind]);
	if (!db)
		return usage_error(usage_serve, "--db is required", NULL);
	log_setup(level, 2, "scw-iamd");

	/* Signals are taken by sigwait() below: block them before any thread starts. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	r = open_all(db, key_file, 0, &s, &key);
	if (r < 0)
		return 1;
	api_init(&api, s, &key, quota);
	cfg.listen = listen_addr;
	cfg.threads = threads;
	cfg.write_workers = workers;
	cfg.log_fd = 2;
	cfg.max_conns = max_conns;
	cfg.per_ip_conns = per_ip;
	cfg.head_timeout_s = head_s;
	cfg.body_timeout_s = body_s;
	secret_pw_gate_init(hashes, 8 * hashes, 2000);
	raise_fd_limit();
	r = http_start(&cfg, &api, &http, bound, sizeof(bound), detail, sizeof(detail));
	if (r < 0) {
		fprintf(stderr, "scw-iamd: %s\n", detail[0] ? detail : err_str(r));
		goto out;
	}
	{
		char q[16], t[16], w[16];

		snprintf(q, sizeof(q), "%u", (unsigned)quota);
		snprintf(t, sizeof(t), "%u", (unsigned)threads);
		snprintf(w, sizeof(w), "%u", (unsigned)workers);
		log_kv(LOG_INFO, "listening", "address", bound, "db", store_url_is_pg(db) ? "(postgresql uri)" : db, "backend", store_backend(s),
		       "api_key_quota", q, "threads", t, "write_workers", w, "version", VERSION, NULL);
		/* The same on stderr even when logs are off, for scripts waiting for the port. */
		if (!log_enabled(LOG_INFO))
			fprintf(stderr, "scw-iamd listening on %s\n", bound);
	}
	sigwait(&set, &sig);
	log_kv(LOG_INFO, "stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
	http_stop(http, 10000);
	http = NULL;
out:
	store_close(s);
	secret_key_release(&key);
	if (r == 0)
		log_kv(LOG_INFO, "stopped", NULL);
	return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	umask(077);
	if (argc < 2)
		return usage_error(usage_main, "missing command", NULL);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("scw-iamd " VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "bootstrap"))
		return cmd_bootstrap(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	return usage_error(usage_main, "unknown command", argv[1]);
}
