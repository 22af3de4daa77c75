/* SPDX-License-Identifier: MIT */
/*
 * scwclient: the Scaleway API client the provider's resources call, over net/httpc. It sends one
 * JSON request (jansson in, jansson out), with the X-Auth-Token header, the provider's
 * User-Agent, connect and total timeouts, and retries with exponential backoff and full jitter
 * on 429, 5xx except 501, and connection errors and timeouts, honouring Retry-After (seconds or
 * an HTTP date, capped), up to a maximum number of retries, and stopping as soon as the caller's
 * cancel flag is set (checked between attempts, while waiting, and during a transfer).
 *
 * Creates (POST) are not idempotent. A create request is retried only when it provably was not
 * processed: the connection could not be established, or the answer was 429 (rate limiting
 * happens before the request reaches the service). When a create fails in a way that leaves its
 * outcome unknown (reset or timeout after sending, 5xx), the client stops and reports it as
 * ambiguous; the typed calls in client/iam.c then reconcile by listing before trying again (see
 * docs/client.md). Error bodies are parsed into struct scwclient_error.
 *
 * Threads: one struct scwclient may be used from several threads at once. Easy handles are kept
 * in a pool (one per concurrent caller) and share one connection cache, so connections are
 * reused across calls. Logging: one debug line per call (method, path, status, latency_ms,
 * attempts); each attempt and its bodies (every "secret_key" and "password" value replaced by
 * "<redacted>") at trace, or at debug when SCW_DEBUG is set (as in the official SDK); the token
 * and headers are never logged. A transport failure's message names the URL, its host:port and
 * the number of attempts.
 */
#ifndef CLIENT_SCWCLIENT_H
#define CLIENT_SCWCLIENT_H
#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"

#define SCWCLIENT_UA_MAX 512

struct scwclient_opts {
	const char *api_url;           /* "https://api.scaleway.com" (no trailing slash); required */
	const char *api_url_source;    /* how api_url was chosen, for error messages: "environment", ... */
	const char *api_url_origin;    /* and exactly where: "SCW_API_URL", "profile \"p\" in /path", ... */
	const char *secret_key;        /* sent as X-Auth-Token; copied, wiped on free; NULL: no header */
	const char *provider_version;  /* for the User-Agent; NULL: "dev" */
	const char *terraform_version; /* for the User-Agent; NULL: "unknown" */
	int insecure;                  /* 1: do not verify TLS certificates */
	long connect_timeout_ms;       /* 0: 10000 */
	long timeout_ms;               /* per attempt, whole transfer; 0: 60000 */
	int max_retries;               /* retries after the first attempt; 0: 3; negative: none */
	long backoff_base_ms;          /* first backoff ceiling; 0: 1000 */
	long backoff_max_ms;           /* backoff ceiling cap; 0: 30000 */
	long retry_after_max_ms;       /* cap on a server's Retry-After; 0: 120000 */
};

/* How a request may be retried. */
enum scwclient_retry {
	SCWCLIENT_RETRY_SAFE,   /* GET, PATCH, DELETE and action POSTs with the same result when
	                         * repeated: retried on every retryable failure */
	SCWCLIENT_RETRY_CREATE, /* POST that creates: retried only when it was not processed */
	SCWCLIENT_RETRY_NEVER   /* a single attempt */
};

struct scwclient_request {
	const char *method; /* "GET", "POST", "PATCH", "DELETE" */
	const char *path;   /* path and query, already encoded: "/iam/v1alpha1/api-keys?page=1" */
	const json_t *body; /* NULL: no body; borrowed */
	enum scwclient_retry retry;
	const volatile int *cancel; /* may be NULL; non-zero stops the call with ERR_CANCELED */
	const volatile int *stop;   /* a second such flag (e.g. the provider-wide StopProvider) */
};

struct scwclient_error_detail {
	char *argument_name; /* invalid_arguments */
	char *reason;        /* invalid_arguments: unknown|required|format|constraint */
	char *help_message;  /* invalid_arguments */
	char *resource;      /* quotas_exceeded / permissions_denied */
	char *action;        /* permissions_denied */
	long long current;   /* quotas_exceeded */
	long long quota;     /* quotas_exceeded */
};

/* A non-2xx answer (or a transport failure: status 0). Strings are owned, NULL when absent. */
struct scwclient_error {
	long status;
	char *type;     /* "invalid_arguments", "not_found", "denied_authentication", ... */
	char *message;  /* the API's message, or the HTTP status line for non-JSON bodies, or
	                      * the transport error */
	char *resource; /* not_found, transient_state, precondition... */
	char *resource_id;
	char *reason;        /* denied_authentication: invalid_argument|not_found|expired */
	char *method;        /* denied_authentication */
	char *precondition;  /* precondition_failed */
	char *help_message;  /* precondition_failed */
	char *current_state; /* transient_state */
	char *request_id;    /* X-Request-Id response header */
	struct scwclient_error_detail *details;
	size_t ndetails;
	int attempts; /* HTTP attempts made by the call (scwclient_do sets it) */
};

struct scwclient_response {
	long status;                /* last HTTP status; 0 when no answer was received */
	json_t *json;               /* parsed 2xx body (NULL when empty, e.g. 204); owned */
	struct scwclient_error err; /* filled when the call failed */
	int attempts;               /* HTTP attempts made */
	int ambiguous;              /* a create failed and may have been processed anyway */
};

struct scwclient;
struct scwconfig;

/* Fill the connection options of o from a resolved configuration (api_url, secret key,
 * insecure); other members are left as they are. The strings are borrowed from cfg, which must
 * outlive scwclient_new() (the client copies what it keeps). */
void scwclient_opts_from_config(struct scwclient_opts *o, const struct scwconfig *cfg);

/* Create a client. 0, ERR_INVAL (no api_url, bad url), ERR_NOMEM.
 * Call scwclient_global_init() once per process before the first client. */
int scwclient_new(const struct scwclient_opts *opts, struct scwclient **out);
/* Free the client, its handles and connections; the token is wiped. NULL is fine. No call may
 * be in progress. */
void scwclient_free(struct scwclient *c);
/* Nothing to set up any more (kept for callers): 0. */
int scwclient_global_init(void);
/* 1 when SCW_DEBUG asks for the client's request log (set, and neither "0" nor "false"). */
int scwclient_debug_env(void);
/* The User-Agent the client sends. Lives as long as c. */
const char *scwclient_user_agent(const struct scwclient *c);

/*
 * Perform one API call with retries. resp is initialised here; release it with
 * scwclient_response_release() whatever the result. Returns 0 for a 2xx answer, else:
 * ERR_INVAL (400), ERR_AUTH (401), ERR_PERM (403), ERR_QUOTA (403 quotas_exceeded),
 * ERR_NOTFOUND (404), ERR_CONFLICT (409, 412), ERR_AGAIN (429 after the last retry),
 * ERR_IO (5xx or connection failure after the last retry, or an ambiguous create),
 * ERR_TIMEOUT (the last attempt timed out), ERR_CANCELED, ERR_PROTO (a 2xx body that is not
 * JSON, or another status), ERR_NOMEM, ERR_TOOBIG (response over 16 MiB).
 */
int scwclient_do(struct scwclient *c, const struct scwclient_request *req, struct scwclient_response *resp);
void scwclient_response_release(struct scwclient_response *resp);

/* Parse an error body (len bytes, need not be NUL-terminated) into e for an answer with the
 * given status and status line ("429 Too Many Requests"; may be NULL). Never fails on bad
 * input: a non-JSON body gives message = status line. 0 or ERR_NOMEM. Release with
 * scwclient_error_release(). */
int scwclient_error_parse(long status, const char *status_line, const char *body, size_t len,
			  struct scwclient_error *e);
void scwclient_error_release(struct scwclient_error *e);
/* Append a one-line human description to out ("invalid argument(s): expires_at does not respect
 * constraint, <help>", "API key is expired", ...). 0, ERR_TOOBIG, ERR_NOMEM. */
int scwclient_error_format(const struct scwclient_error *e, struct buf *out);
/* Map an API argument name to the provider attribute name: "expires_at" -> "expires_at",
 * "member.username" -> "username", "tags[2]" or "tags.2" -> "tags". Writes a NUL-terminated
 * name into out. 0, ERR_INVAL (empty/NULL arg), ERR_TOOBIG (out too small). */
int scwclient_error_attr(const char *arg, char *out, size_t outlen);

/*
 * Create journal: lets the creates of one process tell their own objects apart from their
 * siblings' when an answer is lost (see client/iam.c). A scope names what a create makes
 * ("api-key\n<bearer>\n<description>"); ids are the created objects' ids.
 *   begin: a create request of this scope is about to be sent; waits while the scope is
 *          locked. 0, ERR_CANCELED, ERR_TIMEOUT, ERR_NOMEM;
 *   end:   that request finished; created_id (may be NULL) is remembered as known;
 *   lock:  wait until no create request of the scope is in flight and no one else holds the
 *          lock, then hold it (new requests of the scope wait). 0, ERR_CANCELED, ERR_TIMEOUT;
 *   unlock: release it;
 *   known: 1 when id was created by this process through this client.
 * Waits are bounded by the client's longest possible call.
 */
int scwclient_journal_begin(struct scwclient *c, const char *scope, const volatile int *cancel);
void scwclient_journal_end(struct scwclient *c, const char *scope, const char *created_id);
int scwclient_journal_lock(struct scwclient *c, const char *scope, const volatile int *cancel);
void scwclient_journal_unlock(struct scwclient *c, const char *scope);
int scwclient_journal_known(struct scwclient *c, const char *id);

/* Percent-encode s for a URL query value or path segment, appending to out. */
int scwclient_escape(struct buf *out, const char *s);

#endif
