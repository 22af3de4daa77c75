/* SPDX-License-Identifier: MIT */
/*
 * store: backend selection and dispatch of the storage interface, plus the release helpers of
 * the record types. No SQL here: see store_sqlite.c.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/store_int.h"

int store_open(const char *url, struct store **out, char *detail, size_t detail_len)
{
	*out = NULL;
	if (!url || !*url)
		return ERR_INVAL;
	if (!strncmp(url, "sqlite:", 7))
		return store_sqlite_open(url + 7, out, detail, detail_len);
	if (strstr(url, "://")) {
		if (detail && detail_len)
			snprintf(detail, detail_len, "unsupported database URL scheme");
		return ERR_UNSUPPORTED;
	}
	return store_sqlite_open(url, out, detail, detail_len);
}

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

const char *store_backend(const struct store *s)
{
	return s->ops->name;
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

int store_meta_get(struct store *s, const char *key, char *out, size_t out_len)
{
	return s->ops->meta_get(s, key, out, out_len);
}

int store_meta_set(struct store *s, const char *key, const char *value)
{
	return s->ops->meta_set(s, key, value);
}

int store_bootstrap(struct store *s, struct store_bootstrap *out)
{
	return s->ops->bootstrap(s, out);
}

int store_org_create(struct store *s, const char *name, struct store_bootstrap *out)
{
	return s->ops->org_create ? s->ops->org_create(s, name, out) : ERR_UNSUPPORTED;
}

int store_org_list(struct store *s, struct store_org_list *out)
{
	out->v = NULL;
	out->n = 0;
	return s->ops->org_list ? s->ops->org_list(s, out) : ERR_UNSUPPORTED;
}

void store_org_list_release(struct store_org_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int store_ping(struct store *s, char *detail, size_t dlen)
{
	if (detail && dlen)
		detail[0] = '\0';
	return s->ops->ping ? s->ops->ping(s, detail, dlen) : 0;
}

void store_pool_stats(const struct store *s, struct store_pool_stats *out)
{
	out->open = atomic_load_explicit(&s->pool.open, memory_order_relaxed);
	out->in_use = atomic_load_explicit(&s->pool.in_use, memory_order_relaxed);
	out->waiting = atomic_load_explicit(&s->pool.waiting, memory_order_relaxed);
	out->max = s->pool.max;
}

int store_org_default_project(struct store *s, const char *org, char out[STORE_ID_LEN + 1])
{
	return s->ops->org_default_project(s, org, out);
}

int store_auth(struct store *s, const uint8_t hash[STORE_HASH_LEN], struct store_key *out)
{
	return s->ops->auth(s, hash, out);
}

int store_key_create(struct store *s, struct store_key *k, const uint8_t hash[STORE_HASH_LEN],
		     uint32_t quota, struct store_detail *d)
{
	return s->ops->key_create(s, k, hash, quota, d);
}

int store_key_get(struct store *s, const char *org, const char *ak, struct store_key *out)
{
	return s->ops->key_get(s, org, ak, out);
}

int store_key_update(struct store *s, const char *org, const char *ak,
		     const struct store_key_patch *p, struct store_key *out)
{
	return s->ops->key_update(s, org, ak, p, out);
}

int store_key_delete(struct store *s, const char *org, const char *ak)
{
	return s->ops->key_delete(s, org, ak);
}

int store_key_list(struct store *s, const struct store_key_filter *f, struct store_key_list *out)
{
	return s->ops->key_list(s, f, out);
}

int store_app_create(struct store *s, const struct store_app *a, struct store_detail *d)
{
	return s->ops->app_create(s, a, d);
}

int store_app_get(struct store *s, const char *org, const char *id, struct store_app *out)
{
	return s->ops->app_get(s, org, id, out);
}

int store_app_update(struct store *s, const char *org, const char *id,
		     const struct store_app_patch *p, struct store_app *out)
{
	return s->ops->app_update(s, org, id, p, out);
}

int store_app_delete(struct store *s, const char *org, const char *id)
{
	return s->ops->app_delete(s, org, id);
}

int store_app_list(struct store *s, const struct store_app_filter *f, struct store_app_list *out)
{
	return s->ops->app_list(s, f, out);
}

int store_user_create(struct store *s, const struct store_user *u, const char *password_hash,
		      struct store_detail *d)
{
	return s->ops->user_create(s, u, password_hash, d);
}

int store_user_get(struct store *s, const char *org, const char *id, struct store_user *out)
{
	return s->ops->user_get(s, org, id, out);
}

int store_user_update(struct store *s, const char *org, const char *id,
		      const struct store_user_patch *p, struct store_user *out, struct store_detail *d)
{
	return s->ops->user_update(s, org, id, p, out, d);
}

int store_user_delete(struct store *s, const char *org, const char *id)
{
	return s->ops->user_delete(s, org, id);
}

int store_user_list(struct store *s, const struct store_user_filter *f, struct store_user_list *out)
{
	return s->ops->user_list(s, f, out);
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
	free(k->description);
	k->description = NULL;
}

void store_app_release(struct store_app *a)
{
	free(a->name);
	free(a->description);
	a->name = a->description = NULL;
	store_tags_release(&a->tags);
}

void store_user_release(struct store_user *u)
{
	free(u->email);
	free(u->username);
	free(u->first_name);
	free(u->last_name);
	free(u->phone_number);
	free(u->locale);
	u->email = u->username = u->first_name = u->last_name = u->phone_number = u->locale = NULL;
	store_tags_release(&u->tags);
}

void store_key_list_release(struct store_key_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		store_key_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void store_app_list_release(struct store_app_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		store_app_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void store_user_list_release(struct store_user_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		store_user_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
