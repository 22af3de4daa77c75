/* SPDX-License-Identifier: MIT */
/* log: hclog-compatible JSON lines, one write(2) per line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/compat.h"
#include "common/json_esc.h"
#include "common/log.h"
#include "common/timeutil.h"

static enum log_level min_level = LOG_INFO;
static int log_fd = 2;
static const char *log_module;

static _Thread_local const char *const *ctx_kv;

void log_context(const char *const *kv)
{
	ctx_kv = kv;
}

static const char *const level_names[] = { "trace", "debug", "info", "warn", "error", "off" };

void log_setup(enum log_level min, int fd, const char *module)
{
	min_level = min;
	log_fd = fd;
	log_module = module;
}

enum log_level log_level_parse(const char *s, enum log_level dflt)
{
	int i;

	if (!s || !*s)
		return dflt;
	if (!strcasecmp(s, "json"))
		return LOG_TRACE;
	for (i = LOG_TRACE; i <= LOG_OFF; i++)
		if (!strcasecmp(s, level_names[i]))
			return (enum log_level)i;
	return dflt;
}

int log_enabled(enum log_level level)
{
	return level >= min_level && level < LOG_OFF;
}

static void emit(enum log_level level, const char *msg, va_list *kv)
{
	char ts[TIME_RFC3339_MAX], tsbuf[48];
	struct tstamp now = time_now();
	struct buf b;
	const char *k;
	size_t off = 0, i;

	buf_init(&b, 1 << 16);
	/* hclog wants exactly 6 fraction digits: format whole seconds, then splice in microseconds. */
	time_rfc3339_format_sec(now, ts);
	snprintf(tsbuf, sizeof(tsbuf), "%.19s.%06dZ", ts, now.nsec / 1000);
	buf_printf(&b, "{\"@level\":\"%s\",\"@message\":", level_names[level]);
	json_esc_append(&b, msg ? msg : "", msg ? strlen(msg) : 0);
	if (log_module) {
		buf_append_str(&b, ",\"@module\":");
		json_esc_append(&b, log_module, strlen(log_module));
	}
	buf_printf(&b, ",\"@timestamp\":\"%s\"", tsbuf);
	for (i = 0; ctx_kv && ctx_kv[i]; i += 2) {
		if (!ctx_kv[i + 1])
			continue;
		buf_append_byte(&b, ',');
		json_esc_append(&b, ctx_kv[i], strlen(ctx_kv[i]));
		buf_append_byte(&b, ':');
		json_esc_append(&b, ctx_kv[i + 1], strlen(ctx_kv[i + 1]));
	}
	for (k = kv ? va_arg(*kv, const char *) : NULL; k; k = va_arg(*kv, const char *)) {
		const char *v = va_arg(*kv, const char *);

		buf_append_byte(&b, ',');
		json_esc_append(&b, k, strlen(k));
		buf_append_byte(&b, ':');
		if (v)
			json_esc_append(&b, v, strlen(v));
		else
			buf_append_str(&b, "null");
	}
	if (buf_append_str(&b, "}\n") < 0) {
		/* Line over the cap: say so instead of writing a truncated object. */
		buf_reset(&b);
		buf_printf(&b, "{\"@level\":\"%s\",\"@message\":\"log line too long\",\"@timestamp\":\"%s\"}\n",
			   level_names[level], tsbuf);
	}
	while (off < b.len) {
		ssize_t w = write(log_fd, b.data + off, b.len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	buf_release(&b);
}

void log_kv(enum log_level level, const char *msg, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, msg);
	emit(level, msg, &ap);
	va_end(ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(level, line, NULL);
}
