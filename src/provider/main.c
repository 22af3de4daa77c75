/* SPDX-License-Identifier: MIT */
/*
 * terraform-provider-scaleway: process entry point. Implements go-plugin's server side of the
 * launch as Terraform drives it: magic-cookie check, protocol 6 negotiation, AutoMTLS (or h2c
 * when TF_DISABLE_PLUGIN_TLS is set), a unix socket, the handshake line on stdout (flushed, then
 * stdout goes to /dev/null), and the gRPC server until GRPCController.Shutdown, the end of the
 * last connection, or SIGTERM. "-debug" serves plaintext for TF_REATTACH_PROVIDERS instead,
 * until SIGTERM; "-version" prints the version and exits. SIGINT is ignored (Terraform sends StopProvider), SIGPIPE too, and a crash
 * writes a "fatal error:" line that Terraform shows to the user.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/scwclient.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "framework/fw.h"
#include "grpc/server.h"
#include "net/goplugin.h"
#include "net/tls.h"
#include "net/unixsock.h"
#include "provider/config.h"
#include "provider/provider.h"
#include "provider/transport.h"

#define PROVIDER_PROTOCOL 6
#define PROVIDER_SOURCE "registry.terraform.io/scaleway/scaleway"

static struct grpc_server *volatile g_server;

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Set by SIGTERM at any time, also before the server exists (right after the handshake line):
 * main() checks it once g_server is published, so no SIGTERM is ever lost. */
static volatile sig_atomic_t g_term_pending;

static void on_term(int sig)
{
	struct grpc_server *s = g_server;

	g_term_pending = 1;
	if (s)
		grpc_server_stop(s);
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV: segmentation violation";
	case SIGBUS: return "SIGBUS: bus error";
	case SIGILL: return "SIGILL: illegal instruction";
	case SIGFPE: return "SIGFPE: floating-point exception";
	case SIGABRT: return "SIGABRT: abort";
	default: return "unexpected signal";
	}
}

/* Async-signal-safe: one write, then die of the same signal (the handler was reset). */
static void on_crash(int sig)
{
	char line[160];
	const char *name = signal_name(sig);
	size_t n = 0, k = strlen(name);
	static const char head[] = "fatal error: terraform-provider-scaleway crashed: ";

	memcpy(line, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	if (k > sizeof(line) - n - 2)
		k = sizeof(line) - n - 2;
	memcpy(line + n, name, k);
	n += k;
	line[n++] = '\n';
	write_all(2, line, n);
	raise(sig);
}

static void setup_signals(void)
{
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;
	const int crash[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaltstack(&ss, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
	for (i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		sigaction(crash[i], &sa, NULL);
}

static void setup_logging(void)
{
	const char *lvl = getenv("TF_LOG_PROVIDER");
	enum log_level min;

	if (!lvl || !*lvl)
		lvl = getenv("TF_LOG");
	min = log_level_parse(lvl, LOG_ERROR);

	/* SCW_DEBUG (the official SDK's switch) turns on the API client's request log at debug. */
	if (scwclient_debug_env() && min > LOG_DEBUG)
		min = LOG_DEBUG;
	log_setup(min, 2, "provider.terraform-provider-scaleway");
}

/* A fatal startup problem: Terraform shows the first stdout line to the user
 * ("Unrecognized remote plugin message: ..."), and the log gets it too. */
static void startup_error(const char *msg)
{
	struct buf b;

	log_error("%s", msg);
	buf_init(&b, 4096);
	if (buf_printf(&b, "terraform-provider-scaleway: %s\n", msg) == 0)
		write_all(1, b.data, b.len);
	buf_release(&b);
}

static int env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

int main(int argc, char **argv)
{
	struct unixsock sock = { .fd = -1 };
	struct tls_server *tls = NULL;
	struct grpc_server *srv = NULL;
	struct grpc_server_opts opts;
	struct buf line, why;
	const uint8_t *der = NULL;
	size_t der_len = 0;
	int r, debug = 0, i;
	struct fw *fw = NULL;

	/* One malloc arena for every thread. glibc gives each new thread that allocates an arena of
	 * its own (up to 8 per core): the worker pool's threads made an API launch with 10 parallel
	 * calls map about 1 MiB more of partly used heaps. Our calls are short; the lock contention
	 * of a shared arena is not measurable here (docs/provider-transport.md, "RSS"). */
	mallopt(M_ARENA_MAX, 1);
	/* First, before any JSON exists: every jansson allocation (API answers holding secret keys,
	 * request bodies holding passwords, state JSON) is wiped when jansson frees it. */
	json_set_alloc_funcs(mem_wiping_malloc, mem_wiping_free);
	buf_init(&line, 16384);
	buf_init(&why, 1024);
	setup_signals();
	setup_logging();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-debug") == 0 || strcmp(argv[i], "--debug") == 0) {
			debug = 1;
		} else if (strcmp(argv[i], "-version") == 0 || strcmp(argv[i], "--version") == 0) {
			printf("terraform-provider-scaleway %s (scw-iam, plugin protocol %d, %s)\n", PROVIDER_VERSION,
			       PROVIDER_PROTOCOL, PROVIDER_SOURCE);
			r = 0;
			goto out;
		} else {
			fprintf(stderr, "usage: %s [-debug | -version]\n", argv[0]);
			r = ERR_INVAL;
			goto out;
		}
	}
	if (!debug && !goplugin_cookie_ok(getenv(GOPLUGIN_COOKIE_KEY))) {
		write_all(2, GOPLUGIN_NOT_A_PROGRAM, strlen(GOPLUGIN_NOT_A_PROGRAM));
		r = ERR_PERM;
		goto out;
	}
	if (!debug) {
		r = goplugin_pick_version(getenv("PLUGIN_PROTOCOL_VERSIONS"), PROVIDER_PROTOCOL, &why);
		if (r < 0) {
			startup_error(why.data ? why.data : "protocol negotiation failed");
			goto out;
		}
	}
	if (!debug && env_set("PLUGIN_CLIENT_CERT") && !env_set("TF_DISABLE_PLUGIN_TLS")) {
		r = tls_server_new(getenv("PLUGIN_CLIENT_CERT"), &tls);
		if (r < 0) {
			startup_error("cannot set up TLS with the client certificate in PLUGIN_CLIENT_CERT");
			goto out;
		}
		der = tls_server_cert_der(tls, &der_len);
	}
	r = fw_new(provider_served(), &fw);
	if (r < 0) {
		startup_error("provider initialisation failed");
		goto out;
	}
	r = unixsock_listen(&sock, NULL, NULL);
	if (r < 0) {
		startup_error("cannot listen on a unix socket (see PLUGIN_UNIX_SOCKET_DIR, TMPDIR)");
		goto out;
	}
	memset(&opts, 0, sizeof(opts));
	opts.listen_fd = sock.fd;
	opts.ssl_ctx = tls ? tls_server_ctx(tls) : NULL;
	opts.router = transport_route;
	opts.router_ud = fw;
	opts.max_request = (size_t)256 << 20; /* terraform-plugin-go's limit: states and configs can be big */
	opts.stop_on_last_close = !debug;
	r = grpc_server_new(&opts, &srv);
	if (r < 0) {
		startup_error("cannot start the gRPC server");
		goto out;
	}
	if (debug) {
		r = goplugin_reattach_json(&line, PROVIDER_SOURCE, PROVIDER_PROTOCOL, (long)getpid(), "unix",
					   sock.path);
		if (r == 0) {
			printf("Provider started in debug mode. To attach Terraform, set in your shell:\n\n"
			       "\tTF_REATTACH_PROVIDERS='%s'\n\nStop it with SIGTERM (kill %ld).\n",
			       line.data, (long)getpid());
			fflush(stdout);
		}
	} else {
		r = goplugin_handshake_line(&line, PROVIDER_PROTOCOL, "unix", sock.path, der, der_len);
		if (r == 0) {
			/* The one line Terraform reads; then stdout goes nowhere, so that nothing written
			 * later can fill the pipe Terraform stops draining. */
			int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

			write_all(1, line.data, line.len);
			if (devnull >= 0) {
				dup2(devnull, 1);
				close(devnull);
			}
			if (tls)
				tls_server_warm(tls); /* while Terraform connects */
		}
	}
	if (r < 0)
		goto out;
	log_kv(LOG_DEBUG, "plugin server listening", "address", sock.path, "tls", tls ? "true" : "false", "debug",
	       debug ? "true" : "false", NULL);
	g_server = srv;
	if (g_term_pending)
		grpc_server_stop(srv); /* SIGTERM arrived before g_server was set */
	r = grpc_server_run(srv);
out:
	g_server = NULL;
	grpc_server_free(srv);
	unixsock_close(&sock);
	fw_free(fw);
	tls_server_free(tls);
	buf_release(&line);
	buf_release(&why);
	return r < 0 ? 1 : 0;
}
