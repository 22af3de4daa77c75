/* SPDX-License-Identifier: MIT */
/*
 * err: the project's one error space. Functions return int: 0 on success, a negative ERR_* on
 * failure. Human detail travels in an optional out-parameter, never in the return value.
 * The table below generates the enum, err_name() and err_str().
 */
#ifndef COMMON_ERR_H
#define COMMON_ERR_H

#define ERR_MAP(X)                       \
	X(NOMEM, "out of memory")        \
	X(INVAL, "invalid argument")     \
	X(RANGE, "value out of range")   \
	X(TOOBIG, "input too large")     \
	X(PARSE, "malformed input")      \
	X(IO, "input/output error")      \
	X(NOTFOUND, "not found")         \
	X(EXISTS, "already exists")      \
	X(PERM, "permission denied")     \
	X(AUTH, "authentication failed") \
	X(EXPIRED, "expired")            \
	X(QUOTA, "quota exceeded")       \
	X(CONFLICT, "conflict")          \
	X(TIMEOUT, "timed out")          \
	X(CANCELED, "canceled")          \
	X(TLS, "TLS error")              \
	X(PROTO, "protocol error")       \
	X(UNSUPPORTED, "not supported")  \
	X(DB, "database error")          \
	X(AGAIN, "try again")            \
	X(EOF, "end of input")           \
	X(INTERNAL, "internal error")

enum err_code {
	ERR_OK_ = 0,
#define ERR_ENUM_(name, str) ERR_##name##_INDEX_,
	ERR_MAP(ERR_ENUM_)
#undef ERR_ENUM_
		ERR_COUNT_
};

/* Negative codes: ERR_NOMEM == -1, ERR_INVAL == -2, ... */
#define ERR_VALUE_(name, str) ERR_##name = -(ERR_##name##_INDEX_),
enum { ERR_MAP(ERR_VALUE_) ERR_LAST_ = -ERR_COUNT_ };
#undef ERR_VALUE_

/* Symbolic name ("ERR_NOMEM") of a code; "ERR_UNKNOWN" for values outside the table. Static storage. */
const char *err_name(int r);
/* Human text of a code ("out of memory"); "success" for 0. Static storage. */
const char *err_str(int r);

#endif
