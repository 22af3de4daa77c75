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
#include <errno.h>
#include <fcntl.h>
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
#include "server/admin.h"
#include "server/api.h"
#include "server/cli.h"
#include "server/http.h"
#include "server/ops.h"
#include "server/secret.h"
#include "store/store.h"

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
	"  --threads N            HTTP threads, each running an epoll loop (default 2; 8 on\n"
	"                         PostgreSQL, where a GET waits for a database round trip)\n"
	"  --write-workers N      threads running writes; concurrent writes share a commit (default 64)\n"
	"  --log-level LEVEL      trace, debug, info (default), warn, error, off\n"
	"  --hash-concurrency N   password hashes computed at once (default: the core count); a few more\n"
	"                         wait up to 2 s, the others get 429 with Retry-After\n"
	"  --max-connections N    open connections in total (default 8192; over it: 503)\n"
	"  --per-ip-connections N open connections per client address (IPv6: per /64; default 256;\n"
	"                         over it: 429)\n"
	"  --head-timeout S       seconds for a whole request head, and for idle keep-alive (default 20)\n"
	"  --body-timeout S       seconds for a whole request body and its answer (default 60)\n"
	"  --help, --version\n";

/* Connections need descriptors: take the hard limit as the soft one. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
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
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'k': key_file = optarg; break;
		case 'h': fputs(usage_bootstrap, stdout); return 0;
		case 'V': puts("scw-iamd " SCW_IAMD_VERSION); return 0;
		default: return cli_usage_error(usage_bootstrap, "unknown or incomplete option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(usage_bootstrap, "unexpected argument", argv[optind]);
	if (!db)
		return cli_usage_error(usage_bootstrap, "--db is required", NULL);
	r = cli_open(db, key_file, CLI_OPEN_CREATE, &s, &key);
	if (r < 0)
		return 1;
	r = store_bootstrap(s, &b);
	if (r == 0)
		r = cli_print_admin_key(s, &key, &b, "scw-iamd bootstrap admin key");
	if (r < 0)
		fprintf(stderr, "scw-iamd: bootstrap failed: %s\n", err_str(r));
	store_close(s);
	secret_key_release(&key);
	return r < 0 ? 1 : 0;
}

/* Read a PEM file for TLS (at most 1 MiB) into a NUL-terminated buffer. secret: the buffer is
 * wiped on every growth and at release (a private key). */
static int read_pem(const char *path, int secret, struct buf *out)
{
	char chunk[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;
	ssize_t n;

	if (secret)
		buf_init_secret(out, 1u << 20);
	else
		buf_init(out, 1u << 20);
	if (fd < 0) {
		fprintf(stderr, "scw-iamd: cannot read %s: %s\n", path, strerror(errno));
		return ERR_IO;
	}
	while (r == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "scw-iamd: cannot read %s: %s\n", path, strerror(errno));
			r = ERR_IO;
		} else {
			r = buf_append(out, chunk, (size_t)n);
			if (r < 0)
				fprintf(stderr, "scw-iamd: %s is too large for a PEM file\n", path);
		}
	}
	mem_wipe(chunk, sizeof(chunk));
	close(fd);
	if (r == 0)
		r = buf_append_byte(out, 0);
	if (r == 0 && !strstr(out->data, "-----BEGIN ")) {
		fprintf(stderr, "scw-iamd: %s is not a PEM file\n", path);
		r = ERR_PARSE;
	}
	return r;
}

#define SERVE_THREADS_SQLITE 2
#define SERVE_THREADS_PG 8

struct serve_opts {
	const char *db, *key_file, *listen, *ops_listen, *tls_cert, *tls_key;
	enum log_level level;
	uint32_t quota, threads, workers;
	uint32_t hashes, max_conns, per_ip, head_s, body_s;
};

static int serve_parse(int argc, char **argv, struct serve_opts *o, int *exit_now)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "ops-listen", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, 'd' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "tls-cert", required_argument, NULL, 'X' },
		{ "tls-key", required_argument, NULL, 'Y' },
		{ "hash-concurrency", required_argument, NULL, 'H' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "per-ip-connections", required_argument, NULL, 'P' },
		{ "head-timeout", required_argument, NULL, 'T' },
		{ "body-timeout", required_argument, NULL, 'B' },
		{ "api-key-quota", required_argument, NULL, 'q' },
		{ "threads", required_argument, NULL, 't' },
		{ "write-workers", required_argument, NULL, 'w' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char detail[512];
	int c;

	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8080";
	o->level = LOG_INFO;
	o->quota = 100;
	o->threads = 0; /* the engine's default, below */
	o->workers = 64;
	{
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		o->hashes = ncpu > 0 && ncpu < 1024 ? (uint32_t)ncpu : 2;
	}
	*exit_now = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': o->listen = optarg; break;
		case 'o': o->ops_listen = optarg; break;
		case 'd': o->db = optarg; break;
		case 'k': o->key_file = optarg; break;
		case 'X': o->tls_cert = optarg; break;
		case 'Y': o->tls_key = optarg; break;
		case 'H':
			if (parse_u32(optarg, &o->hashes) < 0 || o->hashes < 1 || o->hashes > 1024)
				return cli_usage_error(usage_serve, "--hash-concurrency wants a number from 1 to 1024",
						       optarg);
			break;
		case 'C':
			if (parse_u32(optarg, &o->max_conns) < 0 || o->max_conns < 4 || o->max_conns > 1000000)
				return cli_usage_error(usage_serve,
						       "--max-connections wants a number from 4 to 1000000", optarg);
			break;
		case 'P':
			if (parse_u32(optarg, &o->per_ip) < 0 || o->per_ip < 1 || o->per_ip > 1000000)
				return cli_usage_error(usage_serve,
						       "--per-ip-connections wants a number from 1 to 1000000", optarg);
			break;
		case 'T':
			if (parse_u32(optarg, &o->head_s) < 0 || o->head_s < 1 || o->head_s > 3600)
				return cli_usage_error(usage_serve, "--head-timeout wants seconds from 1 to 3600",
						       optarg);
			break;
		case 'B':
			if (parse_u32(optarg, &o->body_s) < 0 || o->body_s < 1 || o->body_s > 3600)
				return cli_usage_error(usage_serve, "--body-timeout wants seconds from 1 to 3600",
						       optarg);
			break;
		case 'q':
			if (parse_u32(optarg, &o->quota) < 0)
				return cli_usage_error(usage_serve, "--api-key-quota wants a number", optarg);
			break;
		case 't':
			if (parse_u32(optarg, &o->threads) < 0 || o->threads < 1 || o->threads > 256)
				return cli_usage_error(usage_serve, "--threads wants a number from 1 to 256", optarg);
			break;
		case 'w':
			if (parse_u32(optarg, &o->workers) < 0 || o->workers < 1 || o->workers > 1024)
				return cli_usage_error(usage_serve, "--write-workers wants a number from 1 to 1024",
						       optarg);
			break;
		case 'L':
			o->level = log_level_parse(optarg, (enum log_level) - 1);
			if ((int)o->level < 0)
				return cli_usage_error(usage_serve, "unknown --log-level", optarg);
			break;
		case 'h':
			fputs(usage_serve, stdout);
			*exit_now = 1;
			return 0;
		case 'V':
			puts("scw-iamd " SCW_IAMD_VERSION);
			*exit_now = 1;
			return 0;
		default: return cli_usage_error(usage_serve, "unknown or incomplete option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(usage_serve, "unexpected argument", argv[optind]);
	if (!o->db)
		return cli_usage_error(usage_serve, "--db is required", NULL);
	if (!o->tls_cert != !o->tls_key)
		return cli_usage_error(usage_serve, "--tls-cert and --tls-key go together", NULL);
	/* A GET on PostgreSQL waits for a database round trip on its HTTP thread: more threads keep
	 * the cores busy meanwhile (SQLite reads never wait on a network). */
	if (!o->threads)
		o->threads = store_url_is_pg(o->db) ? SERVE_THREADS_PG : SERVE_THREADS_SQLITE;
	/* Addresses are checked before anything is opened: a typo never touches the database. */
	if (http_listen_check(o->listen, detail, sizeof(detail)) < 0 ||
	    (o->ops_listen && http_listen_check(o->ops_listen, detail, sizeof(detail)) < 0)) {
		fprintf(stderr, "scw-iamd: %s\n", detail);
		return 1;
	}
	return 0;
}

/* Start one listener; log it. */
static int listen_on(struct http_config *cfg, const struct api *api, struct http_server **out, const char *what)
{
	char bound[128] = "", detail[512] = "";
	int r = http_start(cfg, api, out, bound, sizeof(bound), detail, sizeof(detail));

	if (r < 0) {
		fprintf(stderr, "scw-iamd: %s\n", detail[0] ? detail : err_str(r));
		return r;
	}
	log_kv(LOG_INFO, what, "address", bound, "tls", cfg->tls_cert_pem ? "on" : "off", "routes",
	       !cfg->serve_api      ? "/healthz /metrics"
	       : cfg->ops_elsewhere ? "api"
				    : "api /healthz /metrics",
	       NULL);
	/* The same on stderr even when logs are off, for scripts waiting for the port. */
	if (!log_enabled(LOG_INFO))
		fprintf(stderr, "scw-iamd %s on %s\n", what, bound);
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	struct serve_opts o;
	struct http_config cfg, ops_cfg;
	struct http_server *http = NULL, *ops_http = NULL;
	struct store *s = NULL;
	struct ops *ops = NULL;
	struct secret_key key;
	struct buf cert, tls_key;
	struct api api;
	sigset_t set;
	int r, sig = 0, exit_now;

	r = serve_parse(argc, argv, &o, &exit_now);
	if (r != 0 || exit_now)
		return r;
	buf_init(&cert, 1);
	buf_init_secret(&tls_key, 1);
	log_setup(o.level, 2, "scw-iamd");

	/* Signals are taken by sigwait() below: block them before any thread starts. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o.tls_cert && (read_pem(o.tls_cert, 0, &cert) < 0 || read_pem(o.tls_key, 1, &tls_key) < 0)) {
		buf_release(&cert);
		buf_release(&tls_key);
		return 1;
	}
	r = cli_open(o.db, o.key_file, CLI_OPEN_EXISTING, &s, &key);
	if (r < 0) {
		buf_release(&cert);
		buf_release(&tls_key);
		return 1;
	}
	api_init(&api, s, &key, o.quota);
	r = ops_new(s, SCW_IAMD_VERSION, &ops);
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = o.listen;
	cfg.threads = o.threads;
	cfg.write_workers = o.workers;
	cfg.log_fd = 2;
	cfg.ops = ops;
	cfg.serve_api = 1;
	cfg.ops_elsewhere = o.ops_listen != NULL;
	cfg.tls_cert_pem = cert.data;
	cfg.tls_key_pem = tls_key.data;
	cfg.max_conns = o.max_conns;
	cfg.per_ip_conns = o.per_ip;
	cfg.head_timeout_s = o.head_s;
	cfg.body_timeout_s = o.body_s;
	secret_pw_gate_init(o.hashes, 8 * o.hashes, 2000);
	raise_fd_limit();
	if (r == 0)
		r = listen_on(&cfg, &api, &http, "listening");
	if (r == 0)
		ops_watch_http(ops, http);
	/* The key's text is no longer needed: libmicrohttpd has loaded it. */
	buf_release(&tls_key);
	buf_release(&cert);
	if (r == 0 && o.ops_listen) {
		ops_cfg = cfg;
		ops_cfg.listen = o.ops_listen;
		ops_cfg.threads = 1;
		ops_cfg.write_workers = 1;
		ops_cfg.serve_api = 0;
		ops_cfg.tls_cert_pem = ops_cfg.tls_key_pem = NULL;
		r = listen_on(&ops_cfg, &api, &ops_http, "ops listening");
	}
	if (r < 0)
		goto out;
	{
		char q[16], t[16], w[16];

		snprintf(q, sizeof(q), "%u", (unsigned)o.quota);
		snprintf(t, sizeof(t), "%u", (unsigned)o.threads);
		snprintf(w, sizeof(w), "%u", (unsigned)o.workers);
		log_kv(LOG_INFO, "serving", "db", store_url_is_pg(o.db) ? "(postgresql uri)" : o.db, "backend",
		       store_backend(s), "api_key_quota", q, "threads", t, "write_workers", w, "version",
		       SCW_IAMD_VERSION, NULL);
	}
	sigwait(&set, &sig);
	log_kv(LOG_INFO, "stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
out:
	http_stop(ops_http, 1000);
	if (ops)
		ops_watch_http(ops, NULL);
	http_stop(http, 10000);
	ops_free(ops);
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
		return cli_usage_error(usage_main, "missing command", NULL);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("scw-iamd " SCW_IAMD_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "bootstrap"))
		return cmd_bootstrap(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "admin"))
		return admin_main(argc - 1, argv + 1);
	return cli_usage_error(usage_main, "unknown command", argv[1]);
}
