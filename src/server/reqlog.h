/* SPDX-License-Identifier: MIT */
/*
 * reqlog: the per-request log lines of scw-iamd, in the same hclog JSON shape as common/log
 * ({"@level":"info","@message":"request","@module":"scw-iamd","@timestamp":...,"method":...}),
 * written in batches: request threads append to a capped buffer and a logger thread writes it
 * out as soon as it is not empty; the lines queued while it writes form its next batch, so
 * under load a request costs no write(2) while an idle server still logs each request at once.
 * After a batch the logger sleeps 1 ms before it looks again, unwoken, so that under load the
 * request threads never signal it: lines reach the file at most ~1 ms late.
 * When the buffer is full the request thread writes its line itself: lines are never dropped. Only the
 * fields given here are logged: never header values, bodies or secrets.
 */
#ifndef SERVER_REQLOG_H
#define SERVER_REQLOG_H
#include <stdint.h>

struct reqlog;

/* Start the logger writing to fd. ERR_NOMEM. */
int reqlog_start(int fd, struct reqlog **out);
/* Queue one line. latency_ns: time spent on the request. access_key: the authenticated
 * caller's access key (never a secret); error_type, error_reason: of an error answer. These
 * three are left out of the line when "". Thread-safe. */
void reqlog_request(struct reqlog *l, const char *method, const char *path, int status, uint64_t latency_ns,
		    const char *request_id, const char *remote, const char *access_key, const char *error_type,
		    const char *error_reason);
/* Write what is queued, stop the thread, free. NULL is fine. */
void reqlog_stop(struct reqlog *l);

#endif
