/* SPDX-License-Identifier: MIT */
/*
 * cty: types, values, exact decimal numbers and the JSON type spec. The wire codecs live in
 * cty_msgpack.c and cty_json.c. See cty.h for the ownership rules.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "tfplugin/cty.h"

struct cty_type cty_string = { .kind = CTY_STRING };
struct cty_type cty_number = { .kind = CTY_NUMBER };
struct cty_type cty_bool = { .kind = CTY_BOOL };
struct cty_type cty_dynamic = { .kind = CTY_DYNAMIC };

/* ---- types ---- */

struct cty_type *cty_type_collection_new(enum cty_kind kind, struct cty_type *elem)
{
	struct cty_type *t = mem_calloc(1, sizeof(*t));

	if (!t) {
		cty_type_free(elem);
		return NULL;
	}
	t->kind = kind;
	t->heap = 1;
	t->elem = elem;
	return t;
}

static struct cty_type *type_multi_new(enum cty_kind kind, size_t n)
{
	struct cty_type *t = mem_calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->kind = kind;
	t->heap = 1;
	t->n = n;
	t->elems = mem_calloc(n ? n : 1, sizeof(*t->elems));
	if (kind == CTY_OBJECT)
		t->names = mem_calloc(n ? n : 1, sizeof(*t->names));
	if (!t->elems || (kind == CTY_OBJECT && !t->names)) {
		free(t->elems);
		free(t->names);
		free(t);
		return NULL;
	}
	return t;
}

struct cty_type *cty_type_object_new(size_t n)
{
	return type_multi_new(CTY_OBJECT, n);
}

struct cty_type *cty_type_tuple_new(size_t n)
{
	return type_multi_new(CTY_TUPLE, n);
}

int cty_type_object_sort(struct cty_type *t)
{
	size_t i, j;

	/* insertion sort keeps names, types and optional flags together; n is small */
	for (i = 1; i < t->n; i++) {
		for (j = i; j > 0 && strcmp(t->names[j - 1], t->names[j]) > 0; j--) {
			char *nm = t->names[j];
			struct cty_type *ty = t->elems[j];

			t->names[j] = t->names[j - 1];
			t->elems[j] = t->elems[j - 1];
			t->names[j - 1] = nm;
			t->elems[j - 1] = ty;
			if (t->optional) {
				unsigned char o = t->optional[j];

				t->optional[j] = t->optional[j - 1];
				t->optional[j - 1] = o;
			}
		}
	}
	for (i = 0; i < t->n; i++) {
		if (!t->names[i] || !t->elems[i])
			return ERR_INVAL;
		if (i > 0 && strcmp(t->names[i - 1], t->names[i]) == 0)
			return ERR_INVAL;
	}
	return 0;
}

void cty_type_free(struct cty_type *t)
{
	size_t i;

	if (!t || !t->heap)
		return;
	cty_type_free(t->elem);
	for (i = 0; i < t->n; i++) {
		if (t->elems)
			cty_type_free(t->elems[i]);
		if (t->names)
			free(t->names[i]);
	}
	free(t->elems);
	free(t->names);
	free(t->optional);
	free(t);
}

struct cty_type *cty_type_copy(const struct cty_type *t)
{
	struct cty_type *c;
	size_t i;

	switch (t->kind) {
	case CTY_STRING: return &cty_string;
	case CTY_NUMBER: return &cty_number;
	case CTY_BOOL: return &cty_bool;
	case CTY_DYNAMIC: return &cty_dynamic;
	case CTY_LIST:
	case CTY_SET:
	case CTY_MAP: {
		struct cty_type *e = cty_type_copy(t->elem);

		return e ? cty_type_collection_new(t->kind, e) : NULL;
	}
	case CTY_TUPLE:
	case CTY_OBJECT: break;
	}
	c = type_multi_new(t->kind, t->n);
	if (!c)
		return NULL;
	if (t->optional) {
		c->optional = mem_calloc(t->n ? t->n : 1, 1);
		if (!c->optional)
			goto fail;
		memcpy(c->optional, t->optional, t->n);
	}
	for (i = 0; i < t->n; i++) {
		c->elems[i] = cty_type_copy(t->elems[i]);
		if (!c->elems[i])
			goto fail;
		if (t->kind == CTY_OBJECT) {
			c->names[i] = mem_strndup(t->names[i], strlen(t->names[i]));
			if (!c->names[i])
				goto fail;
		}
	}
	return c;
fail:
	cty_type_free(c);
	return NULL;
}

int cty_type_equal(const struct cty_type *a, const struct cty_type *b)
{
	size_t i;

	if (a == b)
		return 1;
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case CTY_LIST:
	case CTY_SET:
	case CTY_MAP: return cty_type_equal(a->elem, b->elem);
	case CTY_TUPLE:
	case CTY_OBJECT:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++) {
			if (a->kind == CTY_OBJECT && strcmp(a->names[i], b->names[i]) != 0)
				return 0;
			if (!cty_type_equal(a->elems[i], b->elems[i]))
				return 0;
		}
		return 1;
	default: return 1;
	}
}

long cty_type_attr_index(const struct cty_type *t, const char *name)
{
	size_t lo = 0, hi;

	if (t->kind != CTY_OBJECT)
		return -1;
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->names[mid], name);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- type spec JSON ---- */

static int type_from_jv(json_t *j, int depth, struct cty_type **out)
{
	const char *kw;
	json_t *arg;
	struct cty_type *t = NULL, *e = NULL;
	int r = ERR_PARSE;

	*out = NULL;
	if (depth > CTY_MAX_DEPTH)
		return ERR_TOOBIG;
	if (json_is_string(j)) {
		kw = json_string_value(j);
		if (strcmp(kw, "string") == 0)
			*out = &cty_string;
		else if (strcmp(kw, "number") == 0)
			*out = &cty_number;
		else if (strcmp(kw, "bool") == 0)
			*out = &cty_bool;
		else if (strcmp(kw, "dynamic") == 0)
			*out = &cty_dynamic;
		return *out ? 0 : ERR_PARSE;
	}
	if (!json_is_array(j) || json_array_size(j) < 2 || !json_is_string(json_array_get(j, 0)))
		return ERR_PARSE;
	kw = json_string_value(json_array_get(j, 0));
	arg = json_array_get(j, 1);
	if (strcmp(kw, "list") == 0 || strcmp(kw, "set") == 0 || strcmp(kw, "map") == 0) {
		if (json_array_size(j) != 2)
			return ERR_PARSE;
		r = type_from_jv(arg, depth + 1, &e);
		if (r < 0)
			return r;
		t = cty_type_collection_new(kw[0] == 'l' ? CTY_LIST : kw[0] == 's' ? CTY_SET : CTY_MAP, e);
		if (!t)
			return ERR_NOMEM;
		*out = t;
		return 0;
	}
	if (strcmp(kw, "tuple") == 0) {
		size_t i;

		if (json_array_size(j) != 2 || !json_is_array(arg))
			return ERR_PARSE;
		t = cty_type_tuple_new(json_array_size(arg));
		if (!t)
			return ERR_NOMEM;
		for (i = 0; i < t->n; i++) {
			r = type_from_jv(json_array_get(arg, i), depth + 1, &t->elems[i]);
			if (r < 0)
				goto fail;
		}
		*out = t;
		return 0;
	}
	if (strcmp(kw, "object") == 0) {
		const char *key;
		json_t *val, *opt = json_array_get(j, 2);
		size_t i = 0;

		if (json_array_size(j) > 3 || !json_is_object(arg) || (opt && !json_is_array(opt)))
			return ERR_PARSE;
		t = cty_type_object_new(json_object_size(arg));
		if (!t)
			return ERR_NOMEM;
		json_object_foreach(arg, key, val)
		{
			t->names[i] = mem_strndup(key, strlen(key));
			if (!t->names[i]) {
				r = ERR_NOMEM;
				goto fail;
			}
			r = type_from_jv(val, depth + 1, &t->elems[i]);
			if (r < 0)
				goto fail;
			i++;
		}
		r = cty_type_object_sort(t);
		if (r < 0) {
			r = ERR_PARSE;
			goto fail;
		}
		if (opt && json_array_size(opt) > 0) {
			t->optional = mem_calloc(t->n ? t->n : 1, 1);
			if (!t->optional) {
				r = ERR_NOMEM;
				goto fail;
			}
			for (i = 0; i < json_array_size(opt); i++) {
				json_t *o = json_array_get(opt, i);
				long k = json_is_string(o) ? cty_type_attr_index(t, json_string_value(o)) : -1;

				if (k < 0) {
					r = ERR_PARSE;
					goto fail;
				}
				t->optional[k] = 1;
			}
		}
		*out = t;
		return 0;
	}
	return ERR_PARSE;
fail:
	cty_type_free(t);
	return r;
}

int cty_type_from_json(const char *s, size_t n, struct cty_type **out)
{
	json_error_t jerr;
	json_t *j = json_loadb(s, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	int r;

	*out = NULL;
	if (!j)
		return ERR_PARSE;
	r = type_from_jv(j, 0, out);
	json_decref(j);
	return r;
}

int cty_type_to_json(const struct cty_type *t, struct buf *out)
{
	size_t i;
	int r = 0, any = 0;

	switch (t->kind) {
	case CTY_STRING: return buf_append_str(out, "\"string\"");
	case CTY_NUMBER: return buf_append_str(out, "\"number\"");
	case CTY_BOOL: return buf_append_str(out, "\"bool\"");
	case CTY_DYNAMIC: return buf_append_str(out, "\"dynamic\"");
	case CTY_LIST:
	case CTY_SET:
	case CTY_MAP:
		r = buf_append_str(out, t->kind == CTY_LIST  ? "[\"list\","
					: t->kind == CTY_SET ? "[\"set\","
							     : "[\"map\",");
		if (r == 0)
			r = cty_type_to_json(t->elem, out);
		return r < 0 ? r : buf_append_byte(out, ']');
	case CTY_TUPLE:
		r = buf_append_str(out, "[\"tuple\",[");
		for (i = 0; r == 0 && i < t->n; i++) {
			if (i)
				r = buf_append_byte(out, ',');
			if (r == 0)
				r = cty_type_to_json(t->elems[i], out);
		}
		return r < 0 ? r : buf_append_str(out, "]]");
	case CTY_OBJECT:
		r = buf_append_str(out, "[\"object\",{");
		for (i = 0; r == 0 && i < t->n; i++) {
			if (i)
				r = buf_append_byte(out, ',');
			if (r == 0)
				r = buf_printf(out, "\"%s\":", t->names[i]); /* names are [a-z0-9_] */
			if (r == 0)
				r = cty_type_to_json(t->elems[i], out);
		}
		if (r == 0)
			r = buf_append_byte(out, '}');
		for (i = 0; r == 0 && t->optional && i < t->n; i++) {
			if (!t->optional[i])
				continue;
			r = buf_printf(out, "%s\"%s\"", any ? "," : ",[", t->names[i]);
			any = 1;
		}
		if (r == 0 && any)
			r = buf_append_byte(out, ']');
		return r < 0 ? r : buf_append_byte(out, ']');
	}
	return ERR_INVAL;
}

/* ---- numbers ---- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int cty_number_canon(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, nd = 0, first, last;
	int neg = 0, any = 0, r;
	long long exp10 = 0, e = 0;
	char digits[CTY_MAX_NUMBER_TEXT];

	if (n == 0 || n > CTY_MAX_NUMBER_TEXT)
		return n ? ERR_TOOBIG : ERR_PARSE;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		i++;
	}
	if (n - i == 3 && memcmp(s + i, "Inf", 3) == 0)
		return buf_append_str(out, neg ? "-Inf" : "+Inf");
	/* mantissa: digits [. digits]; value = digits * 10^exp10 */
	for (; i < n && is_digit(s[i]); i++, any = 1)
		digits[nd++] = s[i];
	if (i < n && s[i] == '.') {
		i++;
		for (; i < n && is_digit(s[i]); i++, any = 1) {
			digits[nd++] = s[i];
			exp10--;
		}
	}
	if (!any)
		return ERR_PARSE;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0, edig = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-')) {
			eneg = s[i] == '-';
			i++;
		}
		for (; i < n && is_digit(s[i]); i++, edig = 1) {
			if (e < 1000000000LL)
				e = e * 10 + (s[i] - '0');
		}
		if (!edig)
			return ERR_PARSE;
		exp10 += eneg ? -e : e;
	}
	if (i != n)
		return ERR_PARSE;
	for (first = 0; first < nd && digits[first] == '0'; first++)
		;
	if (first == nd)
		return buf_append_byte(out, '0');
	for (last = nd; digits[last - 1] == '0'; last--)
		exp10++;
	nd = last - first;
	/* decimal exponent of the leading digit */
	if (exp10 + (long long)nd - 1 > CTY_MAX_EXP || exp10 + (long long)nd - 1 < -CTY_MAX_EXP)
		return ERR_RANGE;
	r = neg ? buf_append_byte(out, '-') : 0;
	if (r < 0)
		return r;
	if (exp10 >= 0 && exp10 + (long long)nd <= 64) {
		r = buf_append(out, digits + first, nd);
		for (e = 0; r == 0 && e < exp10; e++)
			r = buf_append_byte(out, '0');
		return r;
	}
	if (exp10 < 0 && (long long)nd + exp10 > 0) {
		size_t p = (size_t)((long long)nd + exp10);

		r = buf_append(out, digits + first, p);
		if (r == 0)
			r = buf_append_byte(out, '.');
		return r < 0 ? r : buf_append(out, digits + first + p, nd - p);
	}
	if (exp10 < 0 && (long long)nd + exp10 > -20) {
		r = buf_append_str(out, "0.");
		for (e = (long long)nd + exp10; r == 0 && e < 0; e++)
			r = buf_append_byte(out, '0');
		return r < 0 ? r : buf_append(out, digits + first, nd);
	}
	r = buf_append(out, digits + first, 1);
	if (r == 0 && nd > 1) {
		r = buf_append_byte(out, '.');
		if (r == 0)
			r = buf_append(out, digits + first + 1, nd - 1);
	}
	return r < 0 ? r : buf_printf(out, "e%lld", exp10 + (long long)nd - 1);
}

int cty_number_to_int64(const struct cty_value *v, int64_t *out)
{
	char *end;
	long long x;

	if (v->st != CTY_KNOWN || v->type->kind != CTY_NUMBER || !v->s)
		return ERR_INVAL;
	if (strchr(v->s, '.') || strchr(v->s, 'e') || strchr(v->s, 'I'))
		return ERR_RANGE;
	errno = 0;
	x = strtoll(v->s, &end, 10);
	if (errno || *end)
		return ERR_RANGE;
	*out = x;
	return 0;
}

/* ---- values ---- */

static void refine_free(struct cty_refine *rf)
{
	if (!rf)
		return;
	free(rf->prefix);
	free(rf->lower);
	free(rf->upper);
	free(rf);
}

void cty_value_release(struct cty_value *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v->items && i < v->n; i++)
		cty_value_release(&v->items[i]);
	for (i = 0; v->keys && i < v->n; i++)
		free(v->keys[i]);
	free(v->items);
	free(v->keys);
	if (v->s) {
		mem_wipe(v->s, v->len); /* strings may be secrets */
		free(v->s);
	}
	refine_free(v->rf);
	cty_type_free(v->dtype);
	memset(v, 0, sizeof(*v));
	v->type = &cty_dynamic;
}

void cty_value_null(struct cty_value *v, const struct cty_type *t)
{
	memset(v, 0, sizeof(*v));
	v->st = CTY_NULL;
	v->type = t;
}

void cty_value_unknown(struct cty_value *v, const struct cty_type *t)
{
	memset(v, 0, sizeof(*v));
	v->st = CTY_UNKNOWN;
	v->type = t;
}

int cty_value_string(struct cty_value *v, const char *s, size_t n)
{
	memset(v, 0, sizeof(*v));
	v->type = &cty_string;
	v->s = mem_strndup(n ? s : "", n);
	if (!v->s)
		return ERR_NOMEM;
	v->len = n;
	v->st = CTY_KNOWN;
	return 0;
}

int cty_value_number_text(struct cty_value *v, const char *s, size_t n)
{
	struct buf b;
	int r;

	memset(v, 0, sizeof(*v));
	v->type = &cty_number;
	buf_init(&b, CTY_MAX_NUMBER_TEXT + 16);
	r = cty_number_canon(s, n, &b);
	/* The canonical text can be longer than what it was written as ("5.2...e03" grows into
	 * "5.2...e+514"): a value's text stays within what every decoder accepts, so that an accepted
	 * value always survives an encode/decode round trip (found by fuzz_cty_json). */
	if (r == 0 && b.len > CTY_MAX_NUMBER_TEXT)
		r = ERR_TOOBIG;
	if (r < 0) {
		buf_release(&b);
		return r;
	}
	v->s = buf_steal(&b, &v->len);
	v->st = CTY_KNOWN;
	return 0;
}

int cty_value_number_int(struct cty_value *v, int64_t i)
{
	char tmp[32];
	int k = snprintf(tmp, sizeof(tmp), "%lld", (long long)i);

	return cty_value_number_text(v, tmp, (size_t)k);
}

void cty_value_bool(struct cty_value *v, int b)
{
	memset(v, 0, sizeof(*v));
	v->type = &cty_bool;
	v->st = CTY_KNOWN;
	v->b = b ? 1 : 0;
}

int cty_value_collection(struct cty_value *v, const struct cty_type *t, size_t n)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	v->type = t;
	v->items = mem_calloc(n ? n : 1, sizeof(*v->items));
	if (!v->items)
		return ERR_NOMEM;
	if (t->kind == CTY_MAP) {
		v->keys = mem_calloc(n ? n : 1, sizeof(*v->keys));
		if (!v->keys) {
			free(v->items);
			v->items = NULL;
			return ERR_NOMEM;
		}
	}
	v->n = n;
	for (i = 0; i < n; i++) {
		const struct cty_type *et = t->kind == CTY_TUPLE || t->kind == CTY_OBJECT ? t->elems[i] : t->elem;

		cty_value_null(&v->items[i], et);
	}
	v->st = CTY_KNOWN;
	return 0;
}

int cty_value_object(struct cty_value *v, const struct cty_type *t)
{
	return cty_value_collection(v, t, t->n);
}

static int refine_copy(struct cty_refine **dst, const struct cty_refine *src)
{
	struct cty_refine *rf;

	*dst = NULL;
	if (!src)
		return 0;
	rf = mem_calloc(1, sizeof(*rf));
	if (!rf)
		return ERR_NOMEM;
	*rf = *src;
	rf->prefix = src->prefix ? mem_strndup(src->prefix, src->prefix_len) : NULL;
	rf->lower = src->lower ? mem_strndup(src->lower, strlen(src->lower)) : NULL;
	rf->upper = src->upper ? mem_strndup(src->upper, strlen(src->upper)) : NULL;
	if ((src->prefix && !rf->prefix) || (src->lower && !rf->lower) || (src->upper && !rf->upper)) {
		refine_free(rf);
		return ERR_NOMEM;
	}
	*dst = rf;
	return 0;
}

int cty_value_copy(struct cty_value *dst, const struct cty_value *src)
{
	size_t i;
	int r = 0;

	memset(dst, 0, sizeof(*dst));
	dst->st = src->st;
	dst->type = src->type;
	dst->b = src->b;
	if (src->dtype) {
		dst->dtype = cty_type_copy(src->dtype);
		if (!dst->dtype)
			goto nomem;
		if (src->type == src->dtype)
			dst->type = dst->dtype;
	}
	r = refine_copy(&dst->rf, src->rf);
	if (r < 0)
		goto out;
	if (src->s) {
		dst->s = mem_strndup(src->s, src->len);
		if (!dst->s)
			goto nomem;
		dst->len = src->len;
	}
	if (src->items) {
		dst->items = mem_calloc(src->n ? src->n : 1, sizeof(*dst->items));
		if (!dst->items)
			goto nomem;
		if (src->keys) {
			dst->keys = mem_calloc(src->n ? src->n : 1, sizeof(*dst->keys));
			if (!dst->keys)
				goto nomem;
		}
		dst->n = src->n;
		for (i = 0; i < src->n; i++) {
			r = cty_value_copy(&dst->items[i], &src->items[i]);
			if (r < 0)
				goto out;
			if (src->keys) {
				dst->keys[i] = mem_strndup(src->keys[i], strlen(src->keys[i]));
				if (!dst->keys[i])
					goto nomem;
			}
		}
	}
	return 0;
nomem:
	r = ERR_NOMEM;
out:
	cty_value_release(dst);
	return r;
}

int cty_value_assign(struct cty_value *dst, const struct cty_value *src)
{
	struct cty_value tmp;
	int r = cty_value_copy(&tmp, src);

	cty_value_release(dst);
	if (r < 0)
		return r;
	*dst = tmp;
	return 0;
}

struct cty_value *cty_object_attr(const struct cty_value *v, const char *name)
{
	long i;

	if (!v || v->st != CTY_KNOWN || v->type->kind != CTY_OBJECT)
		return NULL;
	i = cty_type_attr_index(v->type, name);
	return i < 0 ? NULL : &v->items[i];
}

int cty_value_equal(const struct cty_value *a, const struct cty_value *b)
{
	size_t i, j;

	if (a->st != b->st)
		return 0;
	if (a->st != CTY_KNOWN)
		return 1;
	if (!cty_type_equal(a->type, b->type))
		return 0;
	switch (a->type->kind) {
	case CTY_BOOL: return a->b == b->b;
	case CTY_STRING:
	case CTY_NUMBER: return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	case CTY_DYNAMIC: return 0;
	case CTY_SET:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++) {
			for (j = 0; j < b->n; j++) {
				if (cty_value_equal(&a->items[i], &b->items[j]))
					break;
			}
			if (j == b->n)
				return 0;
		}
		return 1;
	default:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++) {
			if (a->keys && strcmp(a->keys[i], b->keys[i]) != 0)
				return 0;
			if (!cty_value_equal(&a->items[i], &b->items[i]))
				return 0;
		}
		return 1;
	}
}

int cty_value_cmp(const struct cty_value *a, const struct cty_value *b)
{
	size_t i, n;
	int c;

	if (a->st != b->st)
		return a->st < b->st ? -1 : 1;
	if (a->st != CTY_KNOWN)
		return 0;
	if (a->type->kind != b->type->kind)
		return a->type->kind < b->type->kind ? -1 : 1;
	switch (a->type->kind) {
	case CTY_BOOL: return a->b - b->b;
	case CTY_STRING:
	case CTY_NUMBER:
		n = a->len < b->len ? a->len : b->len;
		c = memcmp(a->s, b->s, n);
		if (c)
			return c;
		return a->len < b->len ? -1 : a->len > b->len;
	default:
		n = a->n < b->n ? a->n : b->n;
		for (i = 0; i < n; i++) {
			if (a->keys && b->keys) {
				c = strcmp(a->keys[i], b->keys[i]);
				if (c)
					return c;
			}
			c = cty_value_cmp(&a->items[i], &b->items[i]);
			if (c)
				return c;
		}
		return a->n < b->n ? -1 : a->n > b->n;
	}
}

int cty_value_wholly_known(const struct cty_value *v)
{
	size_t i;

	if (v->st == CTY_UNKNOWN)
		return 0;
	for (i = 0; v->items && i < v->n; i++) {
		if (!cty_value_wholly_known(&v->items[i]))
			return 0;
	}
	return 1;
}
