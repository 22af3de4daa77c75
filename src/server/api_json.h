/* SPDX-License-Identifier: MIT */
/*
 * api_json: the response bodies of scw-iamd, written directly into a capped buffer in the
 * exact protojson shape of the spec: field order of the proto, explicit nulls, the unset bearer
 * omitted and the set one last, RFC 3339 UTC timestamps with 0/3/6/9 fraction digits. Error
 * bodies have their keys sorted, as the real API does. All functions return 0 or ERR_TOOBIG /
 * ERR_NOMEM from the buffer.
 */
#ifndef SERVER_API_JSON_H
#define SERVER_API_JSON_H
#include "common/buf.h"
#include "server/api_parse.h"
#include "store/store.h"

/* secret: the secret key to show (create only), NULL writes "secret_key":null. */
int api_json_key(struct buf *b, const struct store_key *k, const char *secret);
int api_json_app(struct buf *b, const struct store_app *a);
int api_json_user(struct buf *b, const struct store_user *u);
int api_json_key_list(struct buf *b, const struct store_key_list *l);
int api_json_app_list(struct buf *b, const struct store_app_list *l);
int api_json_user_list(struct buf *b, const struct store_user_list *l);
int api_json_group(struct buf *b, const struct store_group *g);
int api_json_policy(struct buf *b, const struct store_policy *p);
int api_json_rule(struct buf *b, const struct store_rule *r);
int api_json_group_list(struct buf *b, const struct store_group_list *l);
int api_json_policy_list(struct buf *b, const struct store_policy_list *l);
int api_json_rule_list(struct buf *b, const struct store_rule_list *l);
int api_json_rules_set(struct buf *b, const struct store_rule_list *l);

int api_json_err_invalid(struct buf *b, const struct api_invalid *inv);
int api_json_err_not_found(struct buf *b, const char *resource, const char *resource_id);
/* reason: "invalid_argument", "not_found", "expired". */
int api_json_err_auth(struct buf *b, const char *reason);
int api_json_err_permissions(struct buf *b, const char *action, const char *resource);
int api_json_err_quota(struct buf *b, uint32_t current, uint32_t quota, const char *resource);
int api_json_err_precondition(struct buf *b, const char *precondition, const char *help);
/* {"message":...,"type":...} for the other cases (405, 500, conflict). */
int api_json_err_plain(struct buf *b, const char *type, const char *message);

#endif
