/* SPDX-License-Identifier: MIT */
/*
 * jfields: JSON objects of the API decoded into C structs through field tables (JSON name, kind,
 * offset of the member), so that every object type of the client shares one decoder and one
 * release routine (iam.c: keys, applications, users; iam_access.c: policies, rules, groups).
 */
#ifndef CLIENT_JFIELDS_H
#define CLIENT_JFIELDS_H
#include <stddef.h>

#include <jansson.h>

enum jf_kind {
	JF_STR,    /* char *, NULL when missing or null */
	JF_SECRET, /* char *, wiped before free */
	JF_BOOL,   /* int */
	JF_U32,    /* uint32_t */
	JF_STRS,   /* char ** (NULL-terminated) and its size_t count at off2 */
};

struct jfield {
	const char *name;
	enum jf_kind kind;
	size_t off, off2;
};

#define JF_S(T, m)                                   \
	{                                            \
#m, JF_STR, offsetof(struct T, m), 0 \
	}
#define JF_B(T, m)                                    \
	{                                             \
#m, JF_BOOL, offsetof(struct T, m), 0 \
	}
#define JF_U(T, m)                                   \
	{                                            \
#m, JF_U32, offsetof(struct T, m), 0 \
	}
#define JF_A(T, m, n)                                                     \
	{                                                                 \
#m, JF_STRS, offsetof(struct T, m), offsetof(struct T, n) \
	}
#define JF_N(t) (sizeof(t) / sizeof((t)[0]))

/* Decode JSON object o into obj (size bytes, zeroed first). Missing or null members stay zero.
 * ERR_PROTO when o is not an object or a member has the wrong JSON type, ERR_NOMEM; obj is
 * released on failure. */
int jfields_decode(const struct jfield *f, size_t n, size_t size, json_t *o, void *obj);
/* Free the members of obj and zero its size bytes. */
void jfields_release(const struct jfield *f, size_t n, size_t size, void *obj);

#endif
