/* SPDX-License-Identifier: MIT */
/*
 * api_parse_int: the field and query helpers of api_parse.c, shared with the other request
 * parsers of the server (api_parse_access.c). Same conventions as api_parse.h: every bad argument
 * is added to struct api_invalid and parsing goes on (api_p_merge keeps the worst result).
 */
#ifndef SERVER_API_PARSE_INT_H
#define SERVER_API_PARSE_INT_H
#include <jansson.h>

#include "server/api_parse.h"

struct order_name {
	const char *name; /* NULL ends a table */
	enum store_order order;
	int desc;
};

/* order_by values of lists ordered by creation, update or name (applications, groups). */
extern const struct order_name api_p_name_orders[];

int api_p_load_object(const char *body, size_t len, json_t **out, struct api_invalid *inv);
/* Member k of o, NULL when absent or null. */
json_t *api_p_member(json_t *o, const char *k);
int api_p_str(json_t *o, const char *k, const char *argname, size_t max, int required, char **out,
	      struct api_invalid *inv);
int api_p_uuid(json_t *o, const char *k, char out[STORE_ID_LEN + 1], int *present, struct api_invalid *inv);
int api_p_bool(json_t *o, const char *k, const char *argname, int *out, struct api_invalid *inv);
int api_p_tags(json_t *o, const char *k, struct store_tags *out, int *present, struct api_invalid *inv);
int api_p_merge(int r, int fr);
/* The field rules of validate.c for argument argname (s, n bytes): 0, or ERR_INVAL with inv filled. */
int api_p_vld_arg(const char *argname, const char *s, size_t n, struct api_invalid *inv);
/* page, page_size, order_by (from orders): 1 when k was one of them. */
int api_p_qpage(const char *k, const char *v, const struct order_name *orders, struct store_page *pg, int *r,
		struct api_invalid *inv);
void api_p_page_init(struct store_page *pg);
int api_p_qbool(const char *k, const char *v, int *out, struct api_invalid *inv);
int api_p_quuid(const char *k, const char *v, char out[STORE_ID_LEN + 1], struct api_invalid *inv);
/* One more UUID of a repeated parameter. */
int api_p_qrepeat_uuid(const char *k, const char *v, char (*slots)[STORE_ID_LEN + 1], const char **ptrs, size_t *n,
		       struct api_invalid *inv);

#endif
