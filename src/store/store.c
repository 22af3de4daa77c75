/* SPDX-License-Identifier: MIT */
/*
 * store: engine selection, the calls every engine answers the same way, and the release
 * helpers of the record types. The rules are in rules.c, the reads in query.c, the SQL in sql.c.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/store_int.h"

int store_url_is_pg(const char *url)
{
	return url && (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11));
}

int store_open_flags(const char *url, unsigned flags, struct store **out, char *detail, size_t detail_len)
{
	*out = NULL;
	if (detail && detail_len)
		detail[0] = '\0';
	if (!url || !*url)
		return ERR_INVAL;
	if (store_url_is_pg(url))
		return store_pg_open(url, flags, out, detail, detail_len);
	if (!strncmp(url, "sqlite:", 7))
		return store_sqlite_open(url + 7, flags, out, detail, detail_len);
	if (strstr(url, "://")) {
		if (detail && detail_len)
			snprintf(detail, detail_len, "unsupported database URL scheme (postgresql://... or a file path)");
		return ERR_UNSUPPORTED;
	}
	return store_sqlite_open(url, flags, out, detail, detail_len);
}

int store_open(const char *url, struct store **out, char *detail, size_t detail_len)
{
	return store_open_flags(url, STORE_OPEN_CREATE, out, detail, detail_len);
}

void store_close(struct store *s)
{
	if (s) {
		store_authcache_free(s->auth_cache);
		s->auth_cache = NULL;
		s->ops->close(s);
	}
}

const char *store_backend(const struct store *s)
{
	return s->ops->name;
}

void store_stats(struct store *s, struct store_stats *out)
{
	memset(out, 0, sizeof(*out));
	s->ops->stats(s, out);
}

int store_read_begin(struct store *s)
{
	return s->ops->read_begin ? s->ops->read_begin(s) : 0;
}

void store_read_end(struct store *s)
{
	if (s->ops->read_end)
		s->ops->read_end(s);
}

/* ---- release ---- */

void store_rec_release(const struct rec_desc *desc, void *rec)
{
	size_t i;

	for (i = 0; i < desc->n; i++) {
		const struct rec_field *f = &desc->f[i];

		if (f->flags & REC_NOCOL)
			continue;
		if (f->kind == REC_STR) {
			free(*REC_AT(rec, f, char *));
			*REC_AT(rec, f, char *) = NULL;
		} else if (f->kind == REC_TAGS) {
			store_tags_release(REC_AT(rec, f, struct store_tags));
		} else if (f->kind == REC_SCOPE) {
			store_tags_release(&((struct store_rule *)rec)->project_ids);
		}
	}
}

void store_tags_release(struct store_tags *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

int store_tags_copy(struct store_tags *dst, const struct store_tags *src)
{
	size_t i;

	dst->n = 0;
	dst->v = mem_calloc(src->n, sizeof(char *));
	if (!dst->v)
		return ERR_NOMEM;
	for (i = 0; i < src->n; i++) {
		dst->v[i] = mem_strndup(src->v[i], strlen(src->v[i]));
		if (!dst->v[i]) {
			dst->n = i;
			store_tags_release(dst);
			return ERR_NOMEM;
		}
	}
	dst->n = src->n;
	return 0;
}

void store_key_release(struct store_key *k)
{
	store_rec_release(&rec_key, k);
}

void store_app_release(struct store_app *a)
{
	store_rec_release(&rec_app, a);
}

void store_user_release(struct store_user *u)
{
	store_rec_release(&rec_user, u);
}

void store_group_release(struct store_group *g)
{
	store_rec_release(&rec_group, g);
}

void store_policy_release(struct store_policy *p)
{
	store_rec_release(&rec_policy, p);
}

void store_rule_release(struct store_rule *r)
{
	store_rec_release(&rec_rule, r);
}

#define LIST_RELEASE(fname, ltype, release)          \
	void fname(ltype *l)                         \
	{                                            \
		size_t i;                            \
		for (i = 0; i < l->n; i++)           \
			release(&l->v[i]);           \
		free(l->v);                          \
		l->v = NULL;                         \
		l->n = 0;                            \
	}

LIST_RELEASE(store_key_list_release, struct store_key_list, store_key_release)
LIST_RELEASE(store_app_list_release, struct store_app_list, store_app_release)
LIST_RELEASE(store_user_list_release, struct store_user_list, store_user_release)
LIST_RELEASE(store_group_list_release, struct store_group_list, store_group_release)
LIST_RELEASE(store_policy_list_release, struct store_policy_list, store_policy_release)
LIST_RELEASE(store_rule_list_release, struct store_rule_list, store_rule_release)
