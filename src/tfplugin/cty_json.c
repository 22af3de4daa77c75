/* SPDX-License-Identifier: MIT */
/*
 * cty_json: decode the JSON of stored state (UpgradeResourceState's raw_state.json) into a cty
 * value of the current schema type. jansson parses; it would turn big or precise numbers into
 * doubles (or refuse integers beyond int64), so before parsing, every number token outside a
 * string is rewritten as a string holding a NUL marker and the exact text ("\u0000" + digits).
 * Genuine strings cannot start with NUL: an escaped \u0000 in the input is refused. The number
 * text itself is then validated by cty_number_canon(). Decoding follows go-cty's JSON rules
 * (dynamic values are {"value":…, "type":…}), fills missing object attributes with null and
 * drops members the type does not have (attributes removed from the schema).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "tfplugin/cty.h"

#define JSON_STATE_MAX (64u << 20)

static int is_num_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Copy s into out with every number token replaced by "\u0000<token>". */
static int mark_numbers(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;
	int r = 0, in_str = 0;

	while (r == 0 && i < n) {
		char c = s[i];

		if (in_str) {
			if (c == '\\') {
				if (i + 1 >= n)
					return ERR_PARSE;
				if (s[i + 1] == 'u' && n - i >= 6 && memcmp(s + i + 2, "0000", 4) == 0)
					return ERR_PARSE; /* NUL inside a string would fake a number */
				r = buf_append(out, s + i, 2);
				i += 2;
				continue;
			}
			if (c == '"')
				in_str = 0;
			r = buf_append_byte(out, (uint8_t)c);
			i++;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			r = buf_append_byte(out, '"');
			i++;
			continue;
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			size_t j = i;

			while (j < n && is_num_char(s[j]))
				j++;
			if (j - i > CTY_MAX_NUMBER_TEXT)
				return ERR_TOOBIG;
			r = buf_append_str(out, "\"\\u0000");
			if (r == 0)
				r = buf_append(out, s + i, j - i);
			if (r == 0)
				r = buf_append_byte(out, '"');
			i = j;
			continue;
		}
		r = buf_append_byte(out, (uint8_t)c);
		i++;
	}
	return r;
}

/* The exact number text of a marked string, or NULL. */
static const char *number_text(json_t *j, size_t *len)
{
	const char *s;

	if (!json_is_string(j))
		return NULL;
	s = json_string_value(j);
	*len = json_string_length(j);
	if (*len < 1 || s[0] != '\0')
		return NULL;
	*len -= 1;
	return s + 1;
}

static int from_jv(json_t *j, const struct cty_type *t, struct cty_value *out, int depth, const char **why);

/* A number in key position ({1:2}) was turned into a marked string: that input is not JSON. */
static int has_marked_key(json_t *j)
{
	const char *key;
	json_t *val;

	json_object_foreach(j, key, val)
	{
		if (key[0] == '\0')
			return 1;
	}
	return 0;
}

static int dump_cb(const char *p, size_t n, void *ud)
{
	return buf_append(ud, p, n) < 0 ? -1 : 0;
}

static int from_jv_dynamic(json_t *j, struct cty_value *out, int depth, const char **why)
{
	json_t *jt = json_object_get(j, "type"), *jv = json_object_get(j, "value");
	struct buf tj;
	struct cty_type *dt = NULL;
	int r;

	if (!json_is_object(j) || !jt || !jv) {
		*why = "dynamic value must be {\"value\":…,\"type\":…}";
		return ERR_PARSE;
	}
	/* Into our own buffer, not json_dumps(): jansson's memory must go back through jansson's
	 * free (the provider installs a wiping allocator, docs/secrets.md). */
	buf_init(&tj, 1 << 20);
	r = json_dump_callback(jt, dump_cb, &tj, JSON_ENCODE_ANY | JSON_COMPACT) == 0 ? 0 : ERR_NOMEM;
	if (r == 0)
		r = cty_type_from_json(tj.data ? tj.data : "", tj.len, &dt);
	buf_release(&tj);
	if (r < 0) {
		*why = "malformed dynamic type";
		return r;
	}
	r = from_jv(jv, dt, out, depth + 1, why);
	if (r < 0) {
		cty_type_free(dt);
		return r;
	}
	if (dt->heap) {
		out->dtype = dt;
		out->type = dt;
	}
	return 0;
}

static int from_jv(json_t *j, const struct cty_type *t, struct cty_value *out, int depth, const char **why)
{
	const char *s;
	size_t len, i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->type = t;
	if (depth > CTY_MAX_DEPTH) {
		*why = "JSON nested too deeply";
		return ERR_TOOBIG;
	}
	if (json_is_null(j)) {
		cty_value_null(out, t);
		return 0;
	}
	switch (t->kind) {
	case CTY_DYNAMIC: return from_jv_dynamic(j, out, depth, why);
	case CTY_STRING:
		s = number_text(j, &len);
		if (s)
			return cty_value_string(out, s, len);
		if (json_is_boolean(j))
			return cty_value_string(out, json_is_true(j) ? "true" : "false", json_is_true(j) ? 4 : 5);
		if (!json_is_string(j))
			break;
		return cty_value_string(out, json_string_value(j), json_string_length(j));
	case CTY_NUMBER:
		s = number_text(j, &len);
		if (!s && json_is_string(j)) {
			s = json_string_value(j);
			len = json_string_length(j);
		}
		if (!s)
			break;
		r = cty_value_number_text(out, s, len);
		if (r < 0)
			*why = "malformed number";
		return r;
	case CTY_BOOL:
		if (json_is_boolean(j)) {
			cty_value_bool(out, json_is_true(j));
			return 0;
		}
		if (json_is_string(j) &&
		    (strcmp(json_string_value(j), "true") == 0 || strcmp(json_string_value(j), "false") == 0)) {
			cty_value_bool(out, json_string_value(j)[0] == 't');
			return 0;
		}
		break;
	case CTY_LIST:
	case CTY_SET:
	case CTY_TUPLE:
		if (!json_is_array(j) || (t->kind == CTY_TUPLE && json_array_size(j) != t->n))
			break;
		r = cty_value_collection(out, t, json_array_size(j));
		for (i = 0; r == 0 && i < out->n; i++)
			r = from_jv(json_array_get(j, i), t->kind == CTY_TUPLE ? t->elems[i] : t->elem, &out->items[i],
				    depth + 1, why);
		if (r == 0 && t->kind == CTY_SET && out->n > 1) {
			size_t w = 1;

			/* canonical order and no duplicates, as the msgpack decoder does */
			for (i = 1; i < out->n; i++) {
				size_t k;

				for (k = i; k > 0 && cty_value_cmp(&out->items[k - 1], &out->items[k]) > 0; k--) {
					struct cty_value tmp = out->items[k];

					out->items[k] = out->items[k - 1];
					out->items[k - 1] = tmp;
				}
			}
			for (i = 1; i < out->n; i++) {
				if (cty_value_cmp(&out->items[w - 1], &out->items[i]) == 0) {
					cty_value_release(&out->items[i]);
					continue;
				}
				if (w != i)
					out->items[w] = out->items[i];
				w++;
			}
			out->n = w;
		}
		if (r < 0)
			cty_value_release(out);
		return r;
	case CTY_MAP: {
		const char *key;
		json_t *val;

		if (!json_is_object(j) || has_marked_key(j))
			break;
		/* jansson iterates in insertion order; collect then keep keys sorted */
		r = cty_value_collection(out, t, json_object_size(j));
		i = 0;
		json_object_foreach(j, key, val)
		{
			if (r < 0)
				break;
			out->keys[i] = mem_strndup(key, strlen(key));
			if (!out->keys[i]) {
				r = ERR_NOMEM;
				break;
			}
			r = from_jv(val, t->elem, &out->items[i], depth + 1, why);
			i++;
		}
		for (i = 1; r == 0 && i < out->n; i++) {
			size_t k;

			for (k = i; k > 0 && strcmp(out->keys[k - 1], out->keys[k]) > 0; k--) {
				char *kk = out->keys[k];
				struct cty_value tmp = out->items[k];

				out->keys[k] = out->keys[k - 1];
				out->items[k] = out->items[k - 1];
				out->keys[k - 1] = kk;
				out->items[k - 1] = tmp;
			}
		}
		if (r < 0)
			cty_value_release(out);
		return r;
	}
	case CTY_OBJECT:
		if (!json_is_object(j) || has_marked_key(j))
			break;
		r = cty_value_object(out, t);
		for (i = 0; r == 0 && i < t->n; i++) {
			json_t *a = json_object_get(j, t->names[i]);

			if (a)
				r = from_jv(a, t->elems[i], &out->items[i], depth + 1, why);
		}
		if (r < 0)
			cty_value_release(out);
		return r;
	}
	*why = "JSON value does not match the schema type";
	return ERR_PARSE;
}

int cty_json_decode(const char *s, size_t n, const struct cty_type *t, struct cty_value *out, const char **why)
{
	struct buf marked;
	json_error_t jerr;
	json_t *j = NULL;
	const char *reason = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	cty_value_null(out, t);
	if (n > JSON_STATE_MAX) {
		r = ERR_TOOBIG;
		goto out;
	}
	buf_init_secret(&marked, (size_t)n * 8 + 64); /* state JSON holds secrets */
	r = mark_numbers(s, n, &marked);
	if (r == 0) {
		j = json_loadb(marked.data ? marked.data : "", marked.len,
			       JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
		if (!j) {
			r = ERR_PARSE;
			reason = "malformed JSON";
		}
	}
	buf_release(&marked);
	if (r < 0)
		goto out;
	r = from_jv(j, t, out, 0, &reason);
out:
	json_decref(j);
	if (r < 0) {
		cty_value_release(out);
		cty_value_null(out, t);
		if (why)
			*why = reason ? reason : err_str(r);
	}
	return r;
}
