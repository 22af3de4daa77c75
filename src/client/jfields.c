/* SPDX-License-Identifier: MIT */
/* jfields: field-table JSON decoding of API objects (see jfields.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/jfields.h"
#include "common/compat.h"
#include "common/err.h"
#include "common/mem.h"

#define AT(obj, off, T) ((T *)(void *)((char *)(obj) + (off)))

void jfields_release(const struct jfield *f, size_t n, size_t size, void *obj)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		switch (f[i].kind) {
		case JF_STR: free(*AT(obj, f[i].off, char *)); break;
		case JF_SECRET: mem_free_secret_str(*AT(obj, f[i].off, char *)); break;
		case JF_STRS: {
			char **v = *AT(obj, f[i].off, char **);

			for (j = 0; v && j < *AT(obj, f[i].off2, size_t); j++)
				free(v[j]);
			free(v);
			break;
		}
		default: break;
		}
	}
	memset(obj, 0, size);
}

static int dup_json_str(json_t *v, char **out)
{
	if (!json_is_string(v))
		return ERR_PROTO;
	*out = mem_strndup(json_string_value(v), json_string_length(v));
	return *out ? 0 : ERR_NOMEM;
}

static int decode_strs(json_t *v, char ***out, size_t *count)
{
	json_t *e;
	size_t j;
	int r;

	if (!json_is_array(v))
		return ERR_PROTO;
	*out = mem_calloc(json_array_size(v) + 1, sizeof(char *));
	if (!*out)
		return ERR_NOMEM;
	json_array_foreach(v, j, e)
	{
		r = dup_json_str(e, &(*out)[j]);
		if (r < 0)
			return r;
		*count = j + 1;
	}
	return 0;
}

int jfields_decode(const struct jfield *f, size_t n, size_t size, json_t *o, void *obj)
{
	size_t i;
	int r = 0;

	memset(obj, 0, size);
	if (!json_is_object(o))
		return ERR_PROTO;
	for (i = 0; i < n && r == 0; i++) {
		json_t *v = json_object_get(o, f[i].name);

		if (!v || json_is_null(v))
			continue;
		switch (f[i].kind) {
		case JF_STR:
		case JF_SECRET: r = dup_json_str(v, AT(obj, f[i].off, char *)); break;
		case JF_BOOL:
			if (!json_is_boolean(v))
				r = ERR_PROTO;
			else
				*AT(obj, f[i].off, int) = json_is_true(v);
			break;
		case JF_U32:
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > (json_int_t)UINT32_MAX)
				r = ERR_PROTO;
			else
				*AT(obj, f[i].off, uint32_t) = (uint32_t)json_integer_value(v);
			break;
		case JF_STRS: r = decode_strs(v, AT(obj, f[i].off, char **), AT(obj, f[i].off2, size_t)); break;
		}
	}
	if (r < 0)
		jfields_release(f, n, size, obj);
	return r;
}
