/* SPDX-License-Identifier: MIT */
/*
 * log: structured log lines, one JSON object per line written with a single write(2):
 *   {"@level":"info","@message":"...","@module":"...","@timestamp":"...000000Z","key":"value",...}
 * This is hclog's JSON format, which Terraform reads from a provider's stderr, and the server's
 * request log format. Callers must never pass secrets (API secret keys, TLS keys, passwords) as
 * a message or a value: there is no redaction here, by design the secrets never reach this module.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H
#include <stdarg.h>

enum log_level { LOG_TRACE, LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

/* Configure the process-wide logger (call once, before threads start). module may be NULL. */
void log_setup(enum log_level min, int fd, const char *module);
/* Parse a TF_LOG-style level name ("TRACE", "debug", "JSON" = trace, "OFF"); unknown or NULL
 * gives dflt. */
enum log_level log_level_parse(const char *s, enum log_level dflt);
/* 1 when a line at this level would be written. */
int log_enabled(enum log_level level);
/* Write one line. Extra fields come as key, value string pairs, terminated by a NULL key.
 * Values NULL are written as JSON null. */
void log_kv(enum log_level level, const char *msg, ...);
/* Fields added to every line this thread writes until cleared: key, value pairs ending with a
 * NULL key (pairs with a NULL value are skipped). The array must live until log_context(NULL).
 * The provider's RPC dispatch sets tf_rpc, tf_resource_type and tf_req_id here, as Go providers do. */
void log_context(const char *const *kv);
/* printf-style message without extra fields. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_trace(...) log_msg(LOG_TRACE, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
