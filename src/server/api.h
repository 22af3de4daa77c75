/* SPDX-License-Identifier: MIT */
/*
 * api: the Scaleway IAM v1alpha1 API of scw-iamd, independent of the HTTP library. The HTTP
 * front (http.c) turns each request into a struct api_req and sends back the struct api_resp
 * that api_handle() fills: routing, authentication (X-Auth-Token), organization scoping, the
 * business rules and the exact JSON shapes of the spec all live behind this call.
 *
 * Threads: api_handle() may run on many threads at once; struct api is read-only after
 * api_init() and the store is thread-safe.
 */
#ifndef SERVER_API_H
#define SERVER_API_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "server/api_parse.h"
#include "server/secret.h"
#include "store/store.h"

#define API_BODY_MAX (64 * 1024) /* request bodies above this are refused (413) */
#define API_RESP_MAX (1 << 20)
#define API_GROUP_QUOTA 50  /* groups per organization (Scaleway's) */
#define API_POLICY_QUOTA 50 /* policies per organization (Scaleway's) */

struct api {
	struct store *store;
	const struct secret_key *key;
	uint32_t key_quota; /* API keys per organization, 0 = unlimited */
	uint32_t group_quota, policy_quota; /* groups and policies per organization (50), 0 = unlimited */
};

struct api_req {
	const char *method;           /* "GET", "POST", ... */
	const char *path;             /* decoded path, without the query string */
	const struct api_qparam *query;
	size_t n_query;
	const char *auth_token;       /* X-Auth-Token value, NULL when absent (a secret: never log) */
	const char *client_ip;        /* textual address of the peer */
	const char *user_agent;       /* User-Agent value or NULL (policy conditions) */
	const char *body;
	size_t body_len;
	int body_too_big;             /* the body was over API_BODY_MAX and was dropped */
	int too_many_params;          /* the query had more parameters than the front keeps */
	struct tstamp now;
};

struct api_resp {
	int status;
	struct buf body; /* JSON, or empty for 204; capped at API_RESP_MAX */
	/* For the request log and the metrics (never a secret): */
	const char *route; /* the route template matched ("/iam/v1alpha1/api-keys/{access_key}"), static; NULL: none */
	char caller[ACCESS_KEY_LEN + 1]; /* access key of the authenticated caller, "" when none */
};

void api_init(struct api *a, struct store *s, const struct secret_key *key, uint32_t key_quota);
/* Serve one request. resp->body must be initialised by the caller (api_resp_init). Never fails:
 * every problem becomes an error status and body. */
void api_handle(const struct api *a, const struct api_req *req, struct api_resp *resp);
void api_resp_init(struct api_resp *resp);
void api_resp_release(struct api_resp *resp);

/* Mint a new API key for a bearer of org (used by bootstrap): fills k and the secret
 * (UUID_STR_LEN + 1 bytes; wipe it after use). quota 0 = unlimited. */
int api_mint_key(const struct api *a, const char *org, enum store_bearer bearer_type, const char *bearer_id,
		 const char *description, const char *creation_ip, struct store_key *k,
		 char secret[UUID_STR_LEN + 1], struct store_detail *d);

#endif
