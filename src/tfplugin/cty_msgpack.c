/* SPDX-License-Identifier: MIT */
/*
 * cty_msgpack: the schema-driven msgpack form of cty values (tfplugin6 DynamicValue.msgpack),
 * following go-cty's rules: objects are maps holding exactly their attributes, unknowns are
 * extension values (type 0, or type 12 carrying a refinement map), numbers arrive as any integer
 * width, float32/64 or a decimal string, a dynamic value is [type JSON, value]. The decoder is
 * strict and bounded (depth, lengths checked against the remaining input before any allocation);
 * the encoder writes the most compact forms, as go-cty does.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "tfplugin/cty.h"

#define REFINE_MAX 1024 /* go-cty rejects larger refinement bodies */

enum tok_kind { T_NIL, T_BOOL, T_UINT, T_INT, T_F32, T_F64, T_STR, T_BIN, T_ARR, T_MAP, T_EXT };

struct tok {
	enum tok_kind k;
	int b;
	uint64_t u;
	int64_t i;
	double d;
	size_t len;          /* str/bin/ext byte length; arr/map entry count */
	const uint8_t *data; /* str/bin/ext body */
	int8_t ext;
};

struct dec {
	const uint8_t *p;
	size_t n, pos;
	const char *why;
};

static int fail(struct dec *d, const char *why)
{
	if (!d->why)
		d->why = why;
	return ERR_PARSE;
}

static uint64_t be(const uint8_t *p, size_t k)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < k; i++)
		x = (x << 8) | p[i];
	return x;
}

/* Read k bytes as a big-endian integer. */
static int take(struct dec *d, size_t k, uint64_t *x)
{
	if (d->n - d->pos < k)
		return fail(d, "truncated msgpack");
	*x = be(d->p + d->pos, k);
	d->pos += k;
	return 0;
}

static int take_body(struct dec *d, struct tok *t, uint64_t len)
{
	if (len > d->n - d->pos)
		return fail(d, "truncated msgpack");
	t->len = (size_t)len;
	t->data = d->p + d->pos;
	d->pos += (size_t)len;
	return 0;
}

static int next(struct dec *d, struct tok *t)
{
	uint64_t x = 0;
	uint8_t c;
	int r = 0;

	memset(t, 0, sizeof(*t));
	if (d->pos >= d->n)
		return fail(d, "truncated msgpack");
	c = d->p[d->pos++];
	if (c <= 0x7f) {
		t->k = T_UINT;
		t->u = c;
	} else if (c >= 0xe0) {
		t->k = T_INT;
		t->i = (int8_t)c;
	} else if ((c & 0xe0) == 0xa0) {
		t->k = T_STR;
		r = take_body(d, t, c & 0x1f);
	} else if ((c & 0xf0) == 0x90) {
		t->k = T_ARR;
		t->len = c & 0x0f;
	} else if ((c & 0xf0) == 0x80) {
		t->k = T_MAP;
		t->len = c & 0x0f;
	} else {
		switch (c) {
		case 0xc0: t->k = T_NIL; break;
		case 0xc2:
		case 0xc3:
			t->k = T_BOOL;
			t->b = c == 0xc3;
			break;
		case 0xcc:
		case 0xcd:
		case 0xce:
		case 0xcf:
			t->k = T_UINT;
			r = take(d, (size_t)1 << (c - 0xcc), &t->u);
			break;
		case 0xd0:
		case 0xd1:
		case 0xd2:
		case 0xd3: {
			size_t k = (size_t)1 << (c - 0xd0);

			t->k = T_INT;
			r = take(d, k, &x);
			/* sign-extend from k bytes */
			if (k < 8 && (x >> (k * 8 - 1)) & 1)
				x |= ~(uint64_t)0 << (k * 8);
			t->i = (int64_t)x;
			break;
		}
		case 0xca: {
			uint32_t w;
			float f;

			t->k = T_F32;
			r = take(d, 4, &x);
			w = (uint32_t)x;
			memcpy(&f, &w, sizeof(f));
			t->d = f;
			break;
		}
		case 0xcb:
			t->k = T_F64;
			r = take(d, 8, &x);
			memcpy(&t->d, &x, sizeof(t->d));
			break;
		case 0xd9:
		case 0xda:
		case 0xdb:
			t->k = T_STR;
			r = take(d, (size_t)1 << (c - 0xd9), &x);
			if (r == 0)
				r = take_body(d, t, x);
			break;
		case 0xc4:
		case 0xc5:
		case 0xc6:
			t->k = T_BIN;
			r = take(d, (size_t)1 << (c - 0xc4), &x);
			if (r == 0)
				r = take_body(d, t, x);
			break;
		case 0xdc:
		case 0xdd:
			t->k = T_ARR;
			r = take(d, c == 0xdc ? 2 : 4, &x);
			t->len = (size_t)x;
			break;
		case 0xde:
		case 0xdf:
			t->k = T_MAP;
			r = take(d, c == 0xde ? 2 : 4, &x);
			t->len = (size_t)x;
			break;
		case 0xd4:
		case 0xd5:
		case 0xd6:
		case 0xd7:
		case 0xd8:
			t->k = T_EXT;
			r = take(d, 1, &x);
			t->ext = (int8_t)x;
			if (r == 0)
				r = take_body(d, t, (uint64_t)1 << (c - 0xd4));
			break;
		case 0xc7:
		case 0xc8:
		case 0xc9: {
			uint64_t len;

			t->k = T_EXT;
			r = take(d, (size_t)1 << (c - 0xc7), &len);
			if (r == 0)
				r = take(d, 1, &x);
			t->ext = (int8_t)x;
			if (r == 0)
				r = take_body(d, t, len);
			break;
		}
		default: return fail(d, "invalid msgpack byte");
		}
	}
	if (r < 0)
		return r;
	/* every element takes at least one byte: refuse counts the input cannot hold */
	if (t->k == T_ARR && t->len > d->n - d->pos)
		return fail(d, "msgpack array longer than input");
	if (t->k == T_MAP && t->len > (d->n - d->pos) / 2)
		return fail(d, "msgpack map longer than input");
	return 0;
}

static int skip(struct dec *d, int depth)
{
	struct tok t;
	size_t i, cnt;
	int r;

	if (depth > CTY_MAX_DEPTH)
		return fail(d, "msgpack nested too deeply");
	r = next(d, &t);
	if (r < 0)
		return r;
	cnt = t.k == T_ARR ? t.len : t.k == T_MAP ? 2 * t.len : 0;
	for (i = 0; i < cnt; i++) {
		r = skip(d, depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
static int utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* Shortest decimal text that reads back as exactly d. */
static int double_text(double d, char *out, size_t outsz)
{
	int p;

	if (isnan(d))
		return ERR_PARSE;
	if (isinf(d)) {
		snprintf(out, outsz, "%s", d < 0 ? "-Inf" : "+Inf");
		return 0;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(out, outsz, "%.*e", p - 1, d);
		if (strtod(out, NULL) == d)
			return 0;
	}
	return 0;
}

static int number_from_tok(struct dec *d, const struct tok *t, struct cty_value *out)
{
	char tmp[64];
	int r;

	switch (t->k) {
	case T_UINT: snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)t->u); break;
	case T_INT: snprintf(tmp, sizeof(tmp), "%lld", (long long)t->i); break;
	case T_F32:
	case T_F64:
		if (double_text(t->d, tmp, sizeof(tmp)) < 0)
			return fail(d, "NaN is not a number");
		break;
	case T_STR:
		r = cty_value_number_text(out, (const char *)t->data, t->len);
		return r == ERR_PARSE ? fail(d, "malformed number string") : r;
	default: return fail(d, "number expected");
	}
	return cty_value_number_text(out, tmp, strlen(tmp));
}

static int decode_value(struct dec *d, const struct cty_type *t, struct cty_value *out, int depth);

static int decode_refinements(struct dec *outer, const struct tok *ext, const struct cty_type *t, struct cty_value *out)
{
	struct dec d = { .p = ext->data, .n = ext->len };
	struct cty_refine *rf = NULL;
	struct tok m, k, v;
	size_t i;
	int r;

	if (ext->ext != 12)
		return fail(outer, "unsupported msgpack extension");
	if (ext->len > REFINE_MAX)
		return fail(outer, "oversize unknown value refinement");
	cty_value_unknown(out, t);
	r = next(&d, &m);
	if (r < 0 || m.k != T_MAP)
		return fail(outer, "refinement body is not a map");
	if (t->kind == CTY_DYNAMIC)
		return 0; /* go-cty ignores refinements of a dynamic unknown */
	rf = mem_calloc(1, sizeof(*rf));
	if (!rf)
		return ERR_NOMEM;
	rf->len_min = rf->len_max = -1;
	out->rf = rf;
	for (i = 0; i < m.len; i++) {
		r = next(&d, &k);
		if (r < 0 || (k.k != T_UINT && k.k != T_INT))
			goto bad;
		switch (k.k == T_UINT ? (int64_t)(k.u > 100 ? 100 : k.u) : k.i) {
		case 1:
			r = next(&d, &v);
			if (r < 0 || v.k != T_BOOL)
				goto bad;
			if (v.b) { /* "definitely null": collapses into a known null */
				cty_value_release(out);
				cty_value_null(out, t);
				return 0;
			}
			rf->not_null = 1;
			break;
		case 2:
			r = next(&d, &v);
			if (r < 0 || v.k != T_STR || t->kind != CTY_STRING || !utf8_valid(v.data, v.len))
				goto bad;
			free(rf->prefix);
			rf->prefix = mem_strndup((const char *)v.data, v.len);
			if (!rf->prefix)
				return ERR_NOMEM;
			rf->prefix_len = v.len;
			break;
		case 3:
		case 4: {
			struct tok a, bo;
			struct cty_value num = { 0 };
			int key = k.k == T_UINT ? (int)k.u : (int)k.i;

			if (t->kind != CTY_NUMBER)
				goto bad;
			r = next(&d, &a);
			if (r < 0 || a.k != T_ARR || a.len != 2)
				goto bad;
			r = next(&d, &v);
			if (r < 0)
				goto bad;
			r = number_from_tok(&d, &v, &num);
			if (r < 0)
				goto bad;
			r = next(&d, &bo);
			if (r < 0 || bo.k != T_BOOL) {
				cty_value_release(&num);
				goto bad;
			}
			if (key == 3) {
				free(rf->lower);
				rf->lower = num.s;
				rf->lower_incl = bo.b;
			} else {
				free(rf->upper);
				rf->upper = num.s;
				rf->upper_incl = bo.b;
			}
			break;
		}
		case 5:
		case 6: {
			int key = k.k == T_UINT ? (int)k.u : (int)k.i;
			int64_t bound;

			if (t->kind != CTY_LIST && t->kind != CTY_SET && t->kind != CTY_MAP)
				goto bad;
			r = next(&d, &v);
			if (r < 0 || (v.k != T_UINT && v.k != T_INT))
				goto bad;
			if (v.k == T_UINT && v.u > INT64_MAX)
				goto bad;
			bound = v.k == T_UINT ? (int64_t)v.u : v.i;
			if (bound < 0)
				goto bad;
			if (key == 5)
				rf->len_min = bound;
			else
				rf->len_max = bound;
			break;
		}
		default: /* future refinements: skip their value */
			r = skip(&d, 1);
			if (r < 0)
				goto bad;
		}
	}
	return 0; /* trailing bytes after the map are allowed (go-cty) */
bad:
	return fail(outer, "malformed unknown value refinement");
}

static int decode_string(struct dec *d, const struct tok *t, struct cty_value *out)
{
	if (t->k != T_STR && t->k != T_BIN)
		return fail(d, "string expected");
	if (!utf8_valid(t->data, t->len))
		return fail(d, "string is not valid UTF-8");
	return cty_value_string(out, (const char *)t->data, t->len);
}

static int cty_value_cmp_(const void *a, const void *b)
{
	return cty_value_cmp(a, b);
}

struct map_pair {
	char *k;
	struct cty_value v;
};

static int pair_cmp(const void *a, const void *b)
{
	return strcmp(((const struct map_pair *)a)->k, ((const struct map_pair *)b)->k);
}

/* Sort a map's keys with their values. */
static int sort_map(struct cty_value *m)
{
	struct map_pair *tmp;
	size_t i;

	if (m->n < 2)
		return 0;
	tmp = mem_calloc(m->n, sizeof(*tmp));
	if (!tmp)
		return ERR_NOMEM;
	for (i = 0; i < m->n; i++) {
		tmp[i].k = m->keys[i];
		tmp[i].v = m->items[i];
	}
	qsort(tmp, m->n, sizeof(*tmp), pair_cmp);
	for (i = 0; i < m->n; i++) {
		m->keys[i] = tmp[i].k;
		m->items[i] = tmp[i].v;
	}
	free(tmp);
	return 0;
}

static int decode_value(struct dec *d, const struct cty_type *t, struct cty_value *out, int depth)
{
	struct tok tk;
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	out->type = t;
	if (depth > CTY_MAX_DEPTH)
		return fail(d, "msgpack nested too deeply");
	r = next(d, &tk);
	if (r < 0)
		return r;
	if (tk.k == T_NIL) {
		cty_value_null(out, t);
		return 0;
	}
	if (tk.k == T_EXT) {
		if (tk.len <= 1) {
			cty_value_unknown(out, t);
			return 0;
		}
		return decode_refinements(d, &tk, t, out);
	}
	switch (t->kind) {
	case CTY_DYNAMIC: {
		struct tok ty;
		struct cty_type *dt = NULL;

		if (tk.k != T_ARR || tk.len != 2)
			return fail(d, "dynamic value must be [type, value]");
		r = next(d, &ty);
		if (r < 0)
			return r;
		if (ty.k != T_STR && ty.k != T_BIN)
			return fail(d, "dynamic type must be JSON bytes");
		r = cty_type_from_json((const char *)ty.data, ty.len, &dt);
		if (r < 0)
			return r == ERR_NOMEM ? r : fail(d, "malformed dynamic type");
		r = decode_value(d, dt, out, depth + 1);
		if (r < 0) {
			cty_value_release(out);
			cty_type_free(dt);
			return r;
		}
		if (dt->heap) {
			out->dtype = dt;
			out->type = dt;
		}
		return 0;
	}
	case CTY_STRING: return decode_string(d, &tk, out);
	case CTY_NUMBER: return number_from_tok(d, &tk, out);
	case CTY_BOOL:
		if (tk.k != T_BOOL)
			return fail(d, "bool expected");
		cty_value_bool(out, tk.b);
		return 0;
	case CTY_LIST:
	case CTY_SET:
	case CTY_TUPLE:
		if (tk.k != T_ARR)
			return fail(d, "array expected");
		if (t->kind == CTY_TUPLE && tk.len != t->n)
			return fail(d, "tuple length mismatch");
		r = cty_value_collection(out, t, tk.len);
		if (r < 0)
			return r;
		for (i = 0; i < tk.len; i++) {
			r = decode_value(d, t->kind == CTY_TUPLE ? t->elems[i] : t->elem, &out->items[i], depth + 1);
			if (r < 0)
				goto fail_out;
		}
		if (t->kind == CTY_SET && out->n > 1) {
			/* sets are kept sorted (a canonical order); equal known elements collapse */
			size_t w = 1;

			qsort(out->items, out->n, sizeof(*out->items), cty_value_cmp_);
			for (i = 1; i < out->n; i++) {
				if (out->items[i].st == CTY_KNOWN &&
				    cty_value_cmp_(&out->items[w - 1], &out->items[i]) == 0) {
					cty_value_release(&out->items[i]);
					continue;
				}
				if (w != i)
					out->items[w] = out->items[i];
				w++;
			}
			out->n = w;
		}
		return 0;
	case CTY_MAP:
		if (tk.k != T_MAP)
			return fail(d, "map expected");
		r = cty_value_collection(out, t, tk.len);
		if (r < 0)
			return r;
		for (i = 0; i < tk.len; i++) {
			struct tok k;

			r = next(d, &k);
			if (r < 0)
				goto fail_out;
			if (k.k != T_STR || memchr(k.data, 0, k.len) || !utf8_valid(k.data, k.len)) {
				r = fail(d, "map key must be a string");
				goto fail_out;
			}
			out->keys[i] = mem_strndup((const char *)k.data, k.len);
			if (!out->keys[i]) {
				r = ERR_NOMEM;
				goto fail_out;
			}
			r = decode_value(d, t->elem, &out->items[i], depth + 1);
			if (r < 0)
				goto fail_out;
		}
		r = sort_map(out);
		if (r < 0)
			goto fail_out;
		for (i = 1; i < out->n; i++) {
			if (strcmp(out->keys[i - 1], out->keys[i]) == 0) {
				r = fail(d, "duplicate map key");
				goto fail_out;
			}
		}
		return 0;
	case CTY_OBJECT: {
		unsigned char *seen = NULL;

		if (tk.k != T_MAP)
			return fail(d, "object expected");
		if (tk.len != t->n)
			return fail(d, "object has the wrong number of attributes");
		r = cty_value_object(out, t);
		if (r < 0)
			return r;
		seen = mem_calloc(t->n ? t->n : 1, 1);
		if (!seen) {
			r = ERR_NOMEM;
			goto fail_out;
		}
		for (i = 0; i < tk.len; i++) {
			struct tok k;
			char name[256];
			long idx = -1;

			r = next(d, &k);
			if (r == 0 && k.k == T_STR && k.len < sizeof(name)) {
				memcpy(name, k.data, k.len);
				name[k.len] = '\0';
				idx = cty_type_attr_index(t, name);
			}
			if (r == 0 && (idx < 0 || seen[idx]))
				r = fail(d, idx < 0 ? "unsupported object attribute" : "duplicate object attribute");
			if (r < 0) {
				free(seen);
				goto fail_out;
			}
			seen[idx] = 1;
			r = decode_value(d, t->elems[idx], &out->items[idx], depth + 1);
			if (r < 0) {
				free(seen);
				goto fail_out;
			}
		}
		free(seen);
		return 0;
	}
	}
	return fail(d, "unsupported type");
fail_out:
	cty_value_release(out);
	return r;
}

int cty_msgpack_decode(const uint8_t *p, size_t n, const struct cty_type *t, struct cty_value *out, const char **why)
{
	struct dec d = { .p = p, .n = n };
	int r = decode_value(&d, t, out, 0);

	if (r == 0 && d.pos != n)
		r = fail(&d, "trailing bytes after msgpack value");
	if (r < 0) {
		cty_value_release(out);
		cty_value_null(out, t);
		if (why)
			*why = d.why ? d.why : err_str(r);
	}
	return r;
}

/* ---- encoder ---- */

static int put_hdr(struct buf *b, uint8_t c, uint64_t x, size_t k)
{
	uint8_t tmp[9];
	size_t i;

	tmp[0] = c;
	for (i = 0; i < k; i++)
		tmp[1 + i] = (uint8_t)(x >> (8 * (k - 1 - i)));
	return buf_append(b, tmp, 1 + k);
}

static int put_int(struct buf *b, int64_t v)
{
	if (v >= 0) {
		if (v <= 0x7f)
			return buf_append_byte(b, (uint8_t)v);
		if (v <= 0xff)
			return put_hdr(b, 0xcc, (uint64_t)v, 1);
		if (v <= 0xffff)
			return put_hdr(b, 0xcd, (uint64_t)v, 2);
		if (v <= 0xffffffffLL)
			return put_hdr(b, 0xce, (uint64_t)v, 4);
		return put_hdr(b, 0xcf, (uint64_t)v, 8);
	}
	if (v >= -32)
		return buf_append_byte(b, (uint8_t)(int8_t)v);
	if (v >= INT8_MIN)
		return put_hdr(b, 0xd0, (uint64_t)v & 0xff, 1);
	if (v >= INT16_MIN)
		return put_hdr(b, 0xd1, (uint64_t)v & 0xffff, 2);
	if (v >= INT32_MIN)
		return put_hdr(b, 0xd2, (uint64_t)v & 0xffffffffULL, 4);
	return put_hdr(b, 0xd3, (uint64_t)v, 8);
}

static int put_str_hdr(struct buf *b, size_t n, int bin)
{
	if (bin)
		return n <= 0xff     ? put_hdr(b, 0xc4, n, 1)
		       : n <= 0xffff ? put_hdr(b, 0xc5, n, 2)
				     : put_hdr(b, 0xc6, n, 4);
	if (n <= 31)
		return buf_append_byte(b, (uint8_t)(0xa0 | n));
	return n <= 0xff ? put_hdr(b, 0xd9, n, 1) : n <= 0xffff ? put_hdr(b, 0xda, n, 2) : put_hdr(b, 0xdb, n, 4);
}

static int put_str(struct buf *b, const char *s, size_t n, int bin)
{
	int r;

	if (n > 0xffffffffULL)
		return ERR_TOOBIG;
	r = put_str_hdr(b, n, bin);
	return r < 0 ? r : buf_append(b, s, n);
}

static int put_arr_hdr(struct buf *b, size_t n)
{
	if (n <= 15)
		return buf_append_byte(b, (uint8_t)(0x90 | n));
	return n <= 0xffff ? put_hdr(b, 0xdc, n, 2) : put_hdr(b, 0xdd, n, 4);
}

static int put_map_hdr(struct buf *b, size_t n)
{
	if (n <= 15)
		return buf_append_byte(b, (uint8_t)(0x80 | n));
	return n <= 0xffff ? put_hdr(b, 0xde, n, 2) : put_hdr(b, 0xdf, n, 4);
}

static int put_f64(struct buf *b, double d)
{
	uint64_t x;

	memcpy(&x, &d, sizeof(x));
	return put_hdr(b, 0xcb, x, 8);
}

/* int64 when exact, else float64 when exact, else the decimal string (go-cty's choice). */
static int put_number(struct buf *b, const char *s, size_t n)
{
	char *end, tmp[64];
	long long x;
	double dv;
	struct buf canon;
	int r;

	if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0)
		return put_f64(b, s[0] == '-' ? -INFINITY : INFINITY);
	if (!strchr(s, '.') && !strchr(s, 'e')) {
		errno = 0;
		x = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0')
			return put_int(b, x);
	}
	dv = strtod(s, &end);
	if (*end == '\0' && isfinite(dv) && double_text(dv, tmp, sizeof(tmp)) == 0) {
		buf_init(&canon, CTY_MAX_NUMBER_TEXT + 16);
		r = cty_number_canon(tmp, strlen(tmp), &canon);
		if (r == 0 && canon.len == n && memcmp(canon.data, s, n) == 0) {
			buf_release(&canon);
			return put_f64(b, dv);
		}
		buf_release(&canon);
	}
	return put_str(b, s, n, 0);
}

static int encode_refined(const struct cty_value *v, const struct cty_type *t, struct buf *out)
{
	const struct cty_refine *rf = v->rf;
	struct buf body;
	size_t cnt = 0;
	int r = 0;

	if (t->kind == CTY_DYNAMIC || !rf)
		return buf_append(out, "\xd4\x00\x00", 3);
	if (rf->not_null)
		cnt++;
	if (t->kind == CTY_STRING && rf->prefix && rf->prefix_len)
		cnt++;
	if (t->kind == CTY_NUMBER)
		cnt += (rf->lower != NULL) + (rf->upper != NULL);
	if (t->kind == CTY_LIST || t->kind == CTY_SET || t->kind == CTY_MAP)
		cnt += (rf->len_min > 0) + (rf->len_max >= 0);
	if (cnt == 0)
		return buf_append(out, "\xd4\x00\x00", 3);
	buf_init(&body, REFINE_MAX);
	r = put_map_hdr(&body, cnt);
	if (r == 0 && rf->not_null)
		r = buf_append(&body, "\x01\xc2", 2);
	if (r == 0 && t->kind == CTY_STRING && rf->prefix && rf->prefix_len) {
		r = buf_append_byte(&body, 2);
		if (r == 0)
			r = put_str(&body, rf->prefix, rf->prefix_len > 256 ? 255 : rf->prefix_len, 0);
	}
	if (r == 0 && t->kind == CTY_NUMBER && rf->lower) {
		r = buf_append(&body, "\x03\x92", 2);
		if (r == 0)
			r = put_number(&body, rf->lower, strlen(rf->lower));
		if (r == 0)
			r = buf_append_byte(&body, rf->lower_incl ? 0xc3 : 0xc2);
	}
	if (r == 0 && t->kind == CTY_NUMBER && rf->upper) {
		r = buf_append(&body, "\x04\x92", 2);
		if (r == 0)
			r = put_number(&body, rf->upper, strlen(rf->upper));
		if (r == 0)
			r = buf_append_byte(&body, rf->upper_incl ? 0xc3 : 0xc2);
	}
	if (r == 0 && (t->kind == CTY_LIST || t->kind == CTY_SET || t->kind == CTY_MAP)) {
		if (rf->len_min > 0) {
			r = buf_append_byte(&body, 5);
			if (r == 0)
				r = put_int(&body, rf->len_min);
		}
		if (r == 0 && rf->len_max >= 0) {
			r = buf_append_byte(&body, 6);
			if (r == 0)
				r = put_int(&body, rf->len_max);
		}
	}
	if (r == 0)
		r = body.len <= 0xff ? put_hdr(out, 0xc7, body.len, 1) : put_hdr(out, 0xc8, body.len, 2);
	if (r == 0)
		r = buf_append_byte(out, 12);
	if (r == 0)
		r = buf_append(out, body.data, body.len);
	buf_release(&body);
	return r;
}

static int encode_value(const struct cty_value *v, const struct cty_type *t, struct buf *out, int depth)
{
	size_t i;
	int r = 0;

	if (depth > CTY_MAX_DEPTH)
		return ERR_TOOBIG;
	if (v->st == CTY_NULL)
		return buf_append_byte(out, 0xc0);
	if (v->st == CTY_UNKNOWN)
		return encode_refined(v, t, out);
	if (t->kind == CTY_DYNAMIC) {
		struct buf tj;

		if (v->type->kind == CTY_DYNAMIC)
			return ERR_INVAL;
		buf_init(&tj, 1 << 20);
		r = cty_type_to_json(v->type, &tj);
		if (r == 0)
			r = buf_append_byte(out, 0x92);
		if (r == 0)
			r = put_str(out, tj.data, tj.len, 1);
		buf_release(&tj);
		return r < 0 ? r : encode_value(v, v->type, out, depth + 1);
	}
	if (v->type->kind != t->kind && v->type->kind != CTY_DYNAMIC)
		return ERR_INVAL;
	switch (t->kind) {
	case CTY_STRING: return v->s ? put_str(out, v->s, v->len, 0) : ERR_INVAL;
	case CTY_NUMBER: return v->s ? put_number(out, v->s, v->len) : ERR_INVAL;
	case CTY_BOOL: return buf_append_byte(out, v->b ? 0xc3 : 0xc2);
	case CTY_LIST:
	case CTY_SET:
	case CTY_TUPLE:
		if (t->kind == CTY_TUPLE && v->n != t->n)
			return ERR_INVAL;
		r = put_arr_hdr(out, v->n);
		for (i = 0; r == 0 && i < v->n; i++)
			r = encode_value(&v->items[i], t->kind == CTY_TUPLE ? t->elems[i] : t->elem, out, depth + 1);
		return r;
	case CTY_MAP:
		if (!v->keys && v->n)
			return ERR_INVAL;
		r = put_map_hdr(out, v->n);
		for (i = 0; r == 0 && i < v->n; i++) {
			r = put_str(out, v->keys[i], strlen(v->keys[i]), 0);
			if (r == 0)
				r = encode_value(&v->items[i], t->elem, out, depth + 1);
		}
		return r;
	case CTY_OBJECT:
		if (v->n != t->n)
			return ERR_INVAL;
		r = put_map_hdr(out, t->n);
		for (i = 0; r == 0 && i < t->n; i++) {
			r = put_str(out, t->names[i], strlen(t->names[i]), 0);
			if (r == 0)
				r = encode_value(&v->items[i], t->elems[i], out, depth + 1);
		}
		return r;
	case CTY_DYNAMIC: break;
	}
	return ERR_INVAL;
}

int cty_msgpack_encode(const struct cty_value *v, const struct cty_type *t, struct buf *out)
{
	size_t start = out->len;
	int r = encode_value(v, t, out, 0);

	if (r < 0 && out->data) {
		out->len = start; /* leave the buffer as it was */
		out->data[start] = '\0';
	}
	return r;
}
