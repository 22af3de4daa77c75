/* SPDX-License-Identifier: MIT */
/*
 * scwclient: HTTP calls to the Scaleway API over net/httpc with retries, error-body parsing and
 * redacted logging. See scwclient.h for the contract and docs/client.md for the retry policy.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <strings.h>
#include <time.h>

#include "client/scwclient.h"
#include "client/scwconfig.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rand.h"
#include "common/timeutil.h"
#include "net/httpc.h"

#define SCWCLIENT_RESP_MAX (16u << 20)
#define SCWCLIENT_REQ_MAX (4u << 20)
#define SCWCLIENT_URL_MAX 8192
#define SCWCLIENT_LOG_BODY_MAX 4096

struct scwclient {
	char *base;                   /* api_url */
	char *token;                  /* secret: wiped on free */
	char hostport[300];           /* "host:port" of base, the port made explicit (for error messages) */
	char url_origin[600];         /* how base was chosen: "environment: SCW_API_URL" ("" when unknown) */
	enum log_level attempt_level; /* per-attempt lines and bodies: LOG_DEBUG with SCW_DEBUG, else LOG_TRACE */
	char ua[SCWCLIENT_UA_MAX + 1];
	int insecure;
	long connect_timeout_ms, timeout_ms, backoff_base_ms, backoff_max_ms, retry_after_max_ms;
	int max_retries;
	struct httpc *http; /* keep-alive connections, shared by every thread */
	/* create journal (see scwclient.h), under jlock */
	pthread_mutex_t jlock;
	struct jscope {
		char *scope;
		int inflight;
		int locked;
	} * scopes;
	size_t nscopes;
	char **known;
	size_t nknown;
};

#define SCWCLIENT_JOURNAL_MAX 65536

int scwclient_global_init(void)
{
	return 0; /* net/httpc sets OpenSSL up on its first https request */
}

static int cancelled(const volatile int *cancel)
{
	return cancel && *cancel;
}

/* Printable ASCII only, at most SCWCLIENT_UA_MAX characters (the API's limit). */
static void build_ua(struct scwclient *c, const char *pv, const char *tv)
{
	const char *extra = getenv("TF_APPEND_USER_AGENT");
	size_t i, n;

	n = (size_t)snprintf(c->ua, sizeof(c->ua), "terraform-provider-scaleway-c/%s terraform/%s%s%s", pv ? pv : "dev",
			     tv ? tv : "unknown", extra && extra[0] ? " " : "", extra ? extra : "");
	if (n >= sizeof(c->ua))
		n = sizeof(c->ua) - 1;
	for (i = 0; i < n; i++)
		if ((unsigned char)c->ua[i] < 0x20 || (unsigned char)c->ua[i] > 0x7e)
			c->ua[i] = ' ';
	while (n > 0 && c->ua[n - 1] == ' ')
		c->ua[--n] = '\0';
}

int scwclient_debug_env(void)
{
	const char *v = getenv("SCW_DEBUG");

	return v && *v && strcmp(v, "0") != 0 && strcasecmp(v, "false") != 0;
}

/* "host:port" of an http(s) URL, with the scheme's port when none is written. */
static void host_port(const char *url, char *out, size_t outlen)
{
	int https = strncmp(url, "https://", 8) == 0;
	const char *h = url + (https ? 8 : 7), *end = h + strcspn(h, "/?#");
	const char *colon = NULL, *p;

	for (p = h; p < end; p++) {
		if (*p == ']')
			colon = NULL; /* an IPv6 literal's colons are not a port */
		else if (*p == ':')
			colon = p;
	}
	if (colon && *h == '[' && !memchr(h, ']', (size_t)(colon - h)))
		colon = NULL;
	if (colon)
		snprintf(out, outlen, "%.*s", (int)(end - h), h);
	else
		snprintf(out, outlen, "%.*s:%s", (int)(end - h), h, https ? "443" : "80");
}

int scwclient_new(const struct scwclient_opts *o, struct scwclient **out)
{
	struct scwclient *c;
	size_t n;
	int r;

	*out = NULL;
	if (!o || !o->api_url)
		return ERR_INVAL;
	n = strlen(o->api_url);
	if (n == 0 || o->api_url[n - 1] == '/' ||
	    (strncmp(o->api_url, "http://", 7) != 0 && strncmp(o->api_url, "https://", 8) != 0))
		return ERR_INVAL;
	c = mem_calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	pthread_mutex_init(&c->jlock, NULL);
	c->base = mem_strndup(o->api_url, n);
	if (o->secret_key)
		c->token = mem_strndup(o->secret_key, strlen(o->secret_key));
	if (!c->base || (o->secret_key && !c->token)) {
		r = ERR_NOMEM;
		goto out;
	}
	c->insecure = o->insecure;
	c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 60000;
	{
		struct httpc_opts ho = { c->connect_timeout_ms, c->timeout_ms, c->insecure };

		r = httpc_new(&ho, &c->http);
		if (r < 0)
			goto out;
	}
	c->max_retries = o->max_retries == 0 ? 3 : (o->max_retries < 0 ? 0 : o->max_retries);
	c->backoff_base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms : 1000;
	c->backoff_max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : 30000;
	c->retry_after_max_ms = o->retry_after_max_ms > 0 ? o->retry_after_max_ms : 120000;
	build_ua(c, o->provider_version, o->terraform_version);
	host_port(c->base, c->hostport, sizeof(c->hostport));
	if (o->api_url_source && o->api_url_origin && strcmp(o->api_url_source, o->api_url_origin) != 0)
		snprintf(c->url_origin, sizeof(c->url_origin), "%s: %s", o->api_url_source, o->api_url_origin);
	else if (o->api_url_source || o->api_url_origin)
		snprintf(c->url_origin, sizeof(c->url_origin), "%s",
			 o->api_url_source ? o->api_url_source : o->api_url_origin);
	c->attempt_level = scwclient_debug_env() ? LOG_DEBUG : LOG_TRACE;
	r = 0;
out:
	if (r < 0) {
		scwclient_free(c);
		return r;
	}
	*out = c;
	return 0;
}

void scwclient_opts_from_config(struct scwclient_opts *o, const struct scwconfig *cfg)
{
	const char *insecure = scwconfig_get(cfg, SCWCONFIG_INSECURE);

	o->api_url = scwconfig_get(cfg, SCWCONFIG_API_URL);
	o->api_url_source = scwconfig_source_name(cfg->v[SCWCONFIG_API_URL].source);
	o->api_url_origin = cfg->v[SCWCONFIG_API_URL].origin;
	o->secret_key = scwconfig_get(cfg, SCWCONFIG_SECRET_KEY);
	o->insecure = insecure && !strcmp(insecure, "true");
}

void scwclient_free(struct scwclient *c)
{
	size_t i;

	if (!c)
		return;
	httpc_free(c->http);
	pthread_mutex_destroy(&c->jlock);
	for (i = 0; i < c->nscopes; i++)
		free(c->scopes[i].scope);
	free(c->scopes);
	for (i = 0; i < c->nknown; i++)
		free(c->known[i]);
	free(c->known);
	mem_free_secret_str(c->token);
	free(c->base);
	free(c);
}

const char *scwclient_user_agent(const struct scwclient *c)
{
	return c->ua;
}

/* ---- create journal ---- */

/* The scope's slot, created when add is set. Called under jlock. */
static struct jscope *jscope_find(struct scwclient *c, const char *scope, int add)
{
	struct jscope *ns;
	size_t i;

	for (i = 0; i < c->nscopes; i++)
		if (!strcmp(c->scopes[i].scope, scope))
			return &c->scopes[i];
	if (!add || c->nscopes >= SCWCLIENT_JOURNAL_MAX)
		return NULL;
	ns = realloc(c->scopes, (c->nscopes + 1) * sizeof(*ns));
	if (!ns)
		return NULL;
	c->scopes = ns;
	ns[c->nscopes].scope = mem_strndup(scope, strlen(scope));
	if (!ns[c->nscopes].scope)
		return NULL;
	ns[c->nscopes].inflight = 0;
	ns[c->nscopes].locked = 0;
	return &c->scopes[c->nscopes++];
}

/* Wait until the scope is free for what = 0 (a request: not locked) or 1 (the lock: not locked
 * and nothing in flight), then take it. */
static int journal_take(struct scwclient *c, const char *scope, const volatile int *cancel, int what)
{
	uint64_t limit = (uint64_t)(c->timeout_ms + c->backoff_max_ms) * (uint64_t)(c->max_retries + 2);
	uint64_t end = time_mono_ns() + limit * 1000000u;
	struct timespec ts = { 0, 5000000L };
	struct jscope *j;
	int r;

	for (;;) {
		pthread_mutex_lock(&c->jlock);
		j = jscope_find(c, scope, 1);
		r = j ? 1 : ERR_NOMEM;
		if (j && !j->locked && (what == 0 || j->inflight == 0)) {
			if (what == 0)
				j->inflight++;
			else
				j->locked = 1;
			r = 0;
		}
		pthread_mutex_unlock(&c->jlock);
		if (r <= 0)
			return r;
		if (cancelled(cancel))
			return ERR_CANCELED;
		if (time_mono_ns() >= end)
			return ERR_TIMEOUT;
		nanosleep(&ts, NULL);
	}
}

int scwclient_journal_begin(struct scwclient *c, const char *scope, const volatile int *cancel)
{
	return journal_take(c, scope, cancel, 0);
}

int scwclient_journal_lock(struct scwclient *c, const char *scope, const volatile int *cancel)
{
	return journal_take(c, scope, cancel, 1);
}

void scwclient_journal_unlock(struct scwclient *c, const char *scope)
{
	struct jscope *j;

	pthread_mutex_lock(&c->jlock);
	j = jscope_find(c, scope, 0);
	if (j)
		j->locked = 0;
	pthread_mutex_unlock(&c->jlock);
}

void scwclient_journal_end(struct scwclient *c, const char *scope, const char *created_id)
{
	struct jscope *j;
	char **nk;

	pthread_mutex_lock(&c->jlock);
	j = jscope_find(c, scope, 0);
	if (j && j->inflight > 0)
		j->inflight--;
	if (created_id && c->nknown < SCWCLIENT_JOURNAL_MAX) {
		nk = realloc(c->known, (c->nknown + 1) * sizeof(*nk));
		if (nk) {
			c->known = nk;
			nk[c->nknown] = mem_strndup(created_id, strlen(created_id));
			if (nk[c->nknown])
				c->nknown++;
		}
	}
	pthread_mutex_unlock(&c->jlock);
}

int scwclient_journal_known(struct scwclient *c, const char *id)
{
	size_t i;
	int found = 0;

	if (!id)
		return 0;
	pthread_mutex_lock(&c->jlock);
	for (i = 0; i < c->nknown && !found; i++)
		found = !strcmp(c->known[i], id);
	pthread_mutex_unlock(&c->jlock);
	return found;
}

/* ---- logging with secrets redacted ---- */

static void redact(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
		{
			if ((!strcmp(k, "secret_key") || !strcmp(k, "password")) && !json_is_null(v))
				json_object_set_new(j, k, json_string("<redacted>"));
			else
				redact(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) redact(v);
	}
}

static int dump_cb(const char *p, size_t n, void *ud)
{
	return buf_append(ud, p, n) < 0 ? -1 : 0;
}

/* Serialise j into out. Going through a callback into our own buffer (rather than
 * json_dumps()) means no jansson-allocated string ever reaches free(): jansson's allocator is
 * the wiping one in the provider (see docs/secrets.md). */
static int dump_json(const json_t *j, struct buf *out)
{
	if (json_dump_callback(j, dump_cb, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
		return out->len >= out->max ? ERR_TOOBIG : ERR_NOMEM;
	return 0;
}

/* Log a body at level (trace, or debug with SCW_DEBUG). JSON is re-serialised with secrets
 * redacted; anything else is logged only as its length (it could hold anything). */
static void log_body(enum log_level level, const char *what, const char *method, const char *path, const json_t *j,
		     size_t raw_len)
{
	json_t *copy;
	struct buf txt;
	char len[32];

	if (!log_enabled(level))
		return;
	if (j) {
		/* The copy holds the secrets until redact() replaces them (jansson's free wipes). */
		buf_init_secret(&txt, SCWCLIENT_REQ_MAX + SCWCLIENT_RESP_MAX);
		copy = json_deep_copy(j);
		if (copy) {
			redact(copy);
			if (dump_json(copy, &txt) < 0)
				buf_reset(&txt);
			json_decref(copy);
		}
		if (txt.data && txt.len > SCWCLIENT_LOG_BODY_MAX)
			memcpy(txt.data + SCWCLIENT_LOG_BODY_MAX - 3, "...", 4);
		log_kv(level, what, "method", method, "path", path, "body", txt.len ? txt.data : "?", NULL);
		buf_release(&txt);
		return;
	}
	snprintf(len, sizeof(len), "%zu", raw_len);
	log_kv(level, what, "method", method, "path", path, "body_bytes", len, NULL);
}

/* ---- error bodies ---- */

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? mem_strndup(s, strlen(s)) : NULL;
}

static int set_owned(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? mem_strndup(s, strlen(s)) : NULL;
	return (s && !*dst) ? ERR_NOMEM : 0;
}

void scwclient_error_release(struct scwclient_error *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->ndetails; i++) {
		free(e->details[i].argument_name);
		free(e->details[i].reason);
		free(e->details[i].help_message);
		free(e->details[i].resource);
		free(e->details[i].action);
	}
	free(e->details);
	free(e->type);
	free(e->message);
	free(e->resource);
	free(e->resource_id);
	free(e->reason);
	free(e->method);
	free(e->precondition);
	free(e->help_message);
	free(e->current_state);
	free(e->request_id);
	memset(e, 0, sizeof(*e));
}

static long long json_ll(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	if (json_is_real(v)) {
		double d = json_real_value(v);

		/* Out-of-range (or NaN) reals would be undefined behaviour to convert. */
		return d > -9.2e18 && d < 9.2e18 ? (long long)d : 0;
	}
	return 0;
}

int scwclient_error_parse(long status, const char *status_line, const char *body, size_t len, struct scwclient_error *e)
{
	json_t *root = NULL, *details, *d;
	size_t i, n;
	int r = 0;

	memset(e, 0, sizeof(*e));
	e->status = status;
	if (body && len)
		root = json_loadb(body, len, 0, NULL);
	if (!json_is_object(root)) {
		char tmp[64];

		if (!status_line) {
			snprintf(tmp, sizeof(tmp), "HTTP status %ld", status);
			status_line = tmp;
		}
		r = set_owned(&e->message, status_line);
		goto out;
	}
	e->type = dup_str(root, "type");
	e->message = dup_str(root, "message");
	e->resource = dup_str(root, "resource");
	e->resource_id = dup_str(root, "resource_id");
	e->reason = dup_str(root, "reason");
	e->method = dup_str(root, "method");
	e->precondition = dup_str(root, "precondition");
	e->help_message = dup_str(root, "help_message");
	e->current_state = dup_str(root, "current_state");
	if (!e->message && status_line)
		r = set_owned(&e->message, status_line);
	details = json_object_get(root, "details");
	if (!json_is_array(details))
		details = json_object_get(root, "fields"); /* legacy invalid_request_error */
	n = json_is_array(details) ? json_array_size(details) : 0;
	if (r == 0 && n) {
		e->details = mem_calloc(n, sizeof(*e->details));
		if (!e->details) {
			r = ERR_NOMEM;
			goto out;
		}
		json_array_foreach(details, i, d)
		{
			struct scwclient_error_detail *x = &e->details[e->ndetails];

			if (!json_is_object(d))
				continue;
			x->argument_name = dup_str(d, "argument_name");
			x->reason = dup_str(d, "reason");
			x->help_message = dup_str(d, "help_message");
			x->resource = dup_str(d, "resource");
			x->action = dup_str(d, "action");
			x->current = json_ll(d, "current");
			x->quota = json_ll(d, "quota");
			e->ndetails++;
		}
	}
out:
	json_decref(root);
	return r;
}

static const char *reason_text(const char *reason)
{
	if (!reason)
		return NULL;
	if (!strcmp(reason, "invalid_argument"))
		return "invalid API key format or empty value";
	if (!strcmp(reason, "not_found"))
		return "API key does not exist";
	if (!strcmp(reason, "expired"))
		return "API key is expired";
	return NULL;
}

static const char *reason_verb(const char *reason)
{
	if (!reason)
		return "is invalid";
	if (!strcmp(reason, "required"))
		return "is required";
	if (!strcmp(reason, "format"))
		return "is wrongly formatted";
	if (!strcmp(reason, "constraint"))
		return "does not respect constraint";
	return "is invalid";
}

int scwclient_error_format(const struct scwclient_error *e, struct buf *out)
{
	const char *t = e->type ? e->type : "";
	size_t i;
	int r = 0;

	if (!strcmp(t, "invalid_arguments") && e->ndetails) {
		r = buf_append_str(out, "invalid argument(s): ");
		for (i = 0; r == 0 && i < e->ndetails; i++) {
			const struct scwclient_error_detail *d = &e->details[i];

			r = buf_printf(out, "%s%s %s", i ? "; " : "", d->argument_name ? d->argument_name : "?",
				       reason_verb(d->reason));
			if (r == 0 && d->help_message && d->help_message[0])
				r = buf_printf(out, ", %s", d->help_message);
		}
	} else if (!strcmp(t, "denied_authentication")) {
		const char *rt = reason_text(e->reason);

		r = buf_printf(out, "denied authentication: %s", rt ? rt : (e->message ? e->message : "?"));
	} else if (!strcmp(t, "quotas_exceeded") && e->ndetails) {
		r = buf_append_str(out, "quota exceeded:");
		for (i = 0; r == 0 && i < e->ndetails; i++)
			r = buf_printf(out, "%s %s (%lld of %lld)", i ? "," : "",
				       e->details[i].resource ? e->details[i].resource : "?", e->details[i].current,
				       e->details[i].quota);
	} else if (!strcmp(t, "permissions_denied")) {
		r = buf_append_str(out, "insufficient permissions");
		for (i = 0; r == 0 && i < e->ndetails; i++)
			r = buf_printf(out, "%s %s %s", i ? "," : ":",
				       e->details[i].action ? e->details[i].action : "?",
				       e->details[i].resource ? e->details[i].resource : "?");
	} else if (!strcmp(t, "not_found")) {
		r = buf_printf(out, "%s %s is not found", e->resource ? e->resource : "resource",
			       e->resource_id ? e->resource_id : "");
	} else if (!strcmp(t, "precondition_failed")) {
		r = buf_printf(out, "precondition failed: %s%s%s", e->precondition ? e->precondition : "?",
			       e->help_message ? ", " : "", e->help_message ? e->help_message : "");
	} else if (!strcmp(t, "transient_state")) {
		r = buf_printf(out, "%s %s is in a transient state (%s)", e->resource ? e->resource : "resource",
			       e->resource_id ? e->resource_id : "", e->current_state ? e->current_state : "?");
	} else {
		r = buf_append_str(out, e->message ? e->message : "unknown error");
	}
	if (r == 0 && e->status)
		r = buf_printf(out, " (HTTP %ld%s%s)", e->status, e->request_id ? ", request " : "",
			       e->request_id ? e->request_id : "");
	return r;
}

int scwclient_error_attr(const char *arg, char *out, size_t outlen)
{
	const char *start, *end, *p;
	size_t n;

	if (!arg || !arg[0])
		return ERR_INVAL;
	end = arg + strlen(arg);
	/* Drop trailing list indexes: "tags[2]" and "tags.2" name the attribute "tags". */
	for (;;) {
		if (end > arg && end[-1] == ']') {
			for (p = end - 1; p > arg && *p != '['; p--)
				;
			if (*p != '[')
				break; /* unbalanced: keep the name as it is */
			end = p;
			continue;
		}
		for (p = end; p > arg && p[-1] >= '0' && p[-1] <= '9'; p--)
			;
		if (p < end && p > arg && p[-1] == '.') {
			end = p - 1;
			continue;
		}
		break;
	}
	/* The attribute is the last dotted component ("member.username" -> "username"). */
	for (start = end; start > arg && start[-1] != '.'; start--)
		;
	n = (size_t)(end - start);
	if (n == 0)
		return ERR_INVAL;
	if (n + 1 > outlen)
		return ERR_TOOBIG;
	memcpy(out, start, n);
	out[n] = '\0';
	return 0;
}

int scwclient_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int r = 0;

	for (; r == 0 && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		    ch == '_' || ch == '.' || ch == '~')
			r = buf_append_byte(out, ch);
		else
			r = buf_printf(out, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
	return r;
}

/* ---- retries ---- */

/* An HTTP date (RFC 9110 section 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime
 * forms) as seconds since the epoch; -1 when it is none of them. */
static long long http_date(const char *v)
{
	static const char *const forms[] = { "%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
					     "%a %b %e %H:%M:%S %Y" };
	struct tm tm;
	const char *end;
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(v, forms[i], &tm);
		if (end && *end == '\0')
			return (long long)timegm(&tm);
	}
	return -1;
}

/* Retry-After as milliseconds (seconds or an HTTP date), capped; -1 when absent or unusable. */
static long retry_after_ms(struct scwclient *c, const struct httpc_response *hr)
{
	char val[128];
	const char *v = httpc_response_header(hr, "Retry-After", val, sizeof(val));
	char *end;
	long long secs, when;

	if (!v)
		return -1;
	errno = 0;
	secs = strtoll(v, &end, 10);
	if (end != v && errno == 0) {
		if (*end || secs < 0)
			return -1;
	} else {
		when = http_date(v);
		if (when < 0)
			return -1;
		secs = when - (long long)time_now().sec;
		if (secs < 0)
			secs = 0;
	}
	if (secs > c->retry_after_max_ms / 1000)
		return c->retry_after_max_ms;
	return (long)(secs * 1000);
}

/* Full jitter: uniform in [0, min(max, base * 2^retry)]. */
static long backoff_ms(struct scwclient *c, int retry)
{
	uint64_t ceil = (uint64_t)c->backoff_base_ms, rnd = 0;
	int i;

	for (i = 0; i < retry && ceil < (uint64_t)c->backoff_max_ms; i++)
		ceil *= 2;
	if (ceil > (uint64_t)c->backoff_max_ms)
		ceil = (uint64_t)c->backoff_max_ms;
	if (rand_bytes(&rnd, sizeof(rnd)) < 0)
		return (long)ceil;
	return (long)(rnd % (ceil + 1));
}

/* Sleep ms milliseconds in short slices; ERR_CANCELED as soon as the flag is set. */
static int sleep_cancellable(long ms, const volatile int *cancel, const volatile int *stop)
{
	uint64_t end = time_mono_ns() + (uint64_t)ms * 1000000u, now;
	struct timespec ts;

	for (;;) {
		if (cancelled(cancel) || cancelled(stop))
			return ERR_CANCELED;
		now = time_mono_ns();
		if (now >= end)
			return 0;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)((end - now) < 20000000u ? (end - now) : 20000000u);
		nanosleep(&ts, NULL);
	}
}

enum outcome {
	OUT_DONE,      /* final answer (any status) */
	OUT_RETRY,     /* retry (safe for this request) */
	OUT_AMBIGUOUS, /* create whose outcome is unknown: stop */
};

/* Failures where nothing reached the server. */
static int not_sent(enum httpc_err e)
{
	return e == HTTPC_E_CONNECT || e == HTTPC_E_RESOLVE || e == HTTPC_E_RESOLVE_PROXY || e == HTTPC_E_TLS;
}

/* Failures during or after sending: the server may have acted on the request. */
static int transport_retryable(enum httpc_err e)
{
	return not_sent(e) || e == HTTPC_E_TIMEOUT || e == HTTPC_E_SEND || e == HTTPC_E_RECV || e == HTTPC_E_NOTHING ||
	       e == HTTPC_E_PARTIAL;
}

static enum outcome classify(enum scwclient_retry policy, enum httpc_err he, long status)
{
	int not_processed, retryable;

	if (policy == SCWCLIENT_RETRY_NEVER)
		return OUT_DONE;
	if (he != HTTPC_OK) {
		retryable = transport_retryable(he);
		not_processed = not_sent(he);
	} else {
		retryable = status == 429 || (status >= 500 && status <= 599 && status != 501);
		not_processed = status == 429;
	}
	if (!retryable)
		return OUT_DONE;
	if (policy == SCWCLIENT_RETRY_CREATE && !not_processed)
		return OUT_AMBIGUOUS;
	return OUT_RETRY;
}

static int status_to_err(long status, const struct scwclient_error *e)
{
	if (status >= 200 && status <= 299)
		return 0;
	switch (status) {
	case 400: return ERR_INVAL;
	case 401: return ERR_AUTH;
	case 403: return (e->type && !strcmp(e->type, "quotas_exceeded")) ? ERR_QUOTA : ERR_PERM;
	case 404: return ERR_NOTFOUND;
	case 409:
	case 412: return ERR_CONFLICT;
	case 429: return ERR_AGAIN;
	default: return status >= 500 ? ERR_IO : ERR_PROTO;
	}
}

static const char *status_reason(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/* One HTTP exchange into *hr (released by the caller in every case). */
static enum httpc_err perform(struct scwclient *c, const struct scwclient_request *req, const char *url,
			      const struct buf *reqbody, struct httpc_response *hr)
{
	struct httpc_request hq;
	const char *hdrs[4];
	struct buf ua, tok; /* tok holds the token: a wiping buffer */
	enum httpc_err e;
	size_t n = 0;

	buf_init(&ua, 512);
	buf_init_secret(&tok, 256);
	hdrs[n++] = "Accept: application/json";
	if (buf_printf(&ua, "User-Agent: %s", c->ua) == 0)
		hdrs[n++] = ua.data;
	if (reqbody)
		hdrs[n++] = "Content-Type: application/json";
	if (c->token && buf_printf(&tok, "X-Auth-Token: %s", c->token) == 0)
		hdrs[n++] = tok.data;
	memset(&hq, 0, sizeof(hq));
	hq.method = req->method;
	hq.url = url;
	hq.headers = hdrs;
	hq.nheaders = n;
	if (reqbody) {
		hq.has_body = 1;
		hq.body = reqbody->data ? reqbody->data : "";
		hq.body_len = reqbody->len;
	}
	/* A request on a reused connection that dies before any answer byte is sent again once.
	 * For a create that the server did process, that is a duplicate nobody sees: creates
	 * therefore go over a fresh connection, where such a failure is reported to us. */
	hq.fresh = req->retry == SCWCLIENT_RETRY_CREATE;
	hq.cancel = req->cancel;
	hq.stop = req->stop;
	hq.max_body = SCWCLIENT_RESP_MAX;
	e = httpc_do(c->http, &hq, hr);
	buf_release(&tok);
	buf_release(&ua);
	return e;
}

void scwclient_response_release(struct scwclient_response *resp)
{
	if (!resp)
		return;
	json_decref(resp->json);
	scwclient_error_release(&resp->err);
	memset(resp, 0, sizeof(*resp));
}

/* A transport failure: names the URL, its host:port, how the URL was chosen and the number of
 * attempts made. */
static int transport_error(struct scwclient *c, struct scwclient_response *resp, enum httpc_err he, const char *method,
			   const char *path)
{
	struct buf b;
	int r;

	buf_init(&b, 1024);
	r = buf_printf(&b, "%s %s%s: %s (%s; API URL from the %s), after %d attempt%s", method, c->base, path,
		       httpc_strerror(he), c->hostport, c->url_origin[0] ? c->url_origin : "caller", resp->attempts,
		       resp->attempts == 1 ? "" : "s");
	if (r == 0)
		r = set_owned(&resp->err.message, b.data);
	buf_release(&b);
	return r;
}

/* The one debug line of each API call: method, path, final status (or error), latency, attempts.
 * Never a body, a header or a token. */
static void log_call(const struct scwclient_request *req, const struct scwclient_response *resp, int r, uint64_t t0)
{
	char status[16], ms[32], attempts[16];

	if (!log_enabled(LOG_DEBUG))
		return;
	snprintf(status, sizeof(status), "%ld", resp->status);
	snprintf(ms, sizeof(ms), "%.1f", (double)(time_mono_ns() - t0) / 1e6);
	snprintf(attempts, sizeof(attempts), "%d", resp->attempts);
	log_kv(LOG_DEBUG, "scaleway api call", "method", req->method, "path", req->path, "status",
	       resp->status ? status : NULL, "latency_ms", ms, "attempts", attempts, r < 0 ? "error" : NULL, err_str(r),
	       NULL); /* "error" only for a failed call */
}

int scwclient_do(struct scwclient *c, const struct scwclient_request *req, struct scwclient_response *resp)
{
	struct httpc_response hr;
	struct buf url, reqbody;
	enum httpc_err he = HTTPC_OK;
	enum outcome oc;
	long status = 0, wait;
	char attempt_s[16], status_s[16];
	uint64_t t0;
	int r = 0, retry;

	memset(resp, 0, sizeof(*resp));
	memset(&hr, 0, sizeof(hr));
	t0 = time_mono_ns();
	buf_init(&url, SCWCLIENT_URL_MAX);
	buf_init_secret(&reqbody, SCWCLIENT_REQ_MAX);
	r = buf_printf(&url, "%s%s", c->base, req->path);
	if (r < 0)
		goto out;
	if (req->body) {
		r = dump_json(req->body, &reqbody); /* a secret buffer: bodies may hold passwords */
		if (r < 0)
			goto out;
	}
	for (retry = 0;; retry++) {
		if (cancelled(req->cancel) || cancelled(req->stop)) {
			r = ERR_CANCELED;
			goto out;
		}
		httpc_response_release(&hr);
		resp->attempts++;
		snprintf(attempt_s, sizeof(attempt_s), "%d", resp->attempts);
		log_kv(c->attempt_level, "scaleway api request", "method", req->method, "path", req->path, "attempt",
		       attempt_s, NULL);
		log_body(c->attempt_level, "scaleway api request body", req->method, req->path, req->body, 0);
		he = perform(c, req, url.data, req->body ? &reqbody : NULL, &hr);
		if (he == HTTPC_E_CANCELED) {
			r = ERR_CANCELED;
			goto out;
		}
		if (he == HTTPC_E_TOOBIG) {
			r = ERR_TOOBIG;
			goto out;
		}
		if (he == HTTPC_E_NOMEM) {
			r = ERR_NOMEM;
			goto out;
		}
		status = he == HTTPC_OK ? hr.status : 0;
		resp->status = status;
		snprintf(status_s, sizeof(status_s), "%ld", status);
		log_kv(c->attempt_level, "scaleway api response", "method", req->method, "path", req->path, "status",
		       he == HTTPC_OK ? status_s : NULL, "error", he == HTTPC_OK ? NULL : httpc_strerror(he), NULL);
		oc = classify(req->retry, he, status);
		if (oc != OUT_RETRY || retry >= c->max_retries) {
			resp->ambiguous = oc == OUT_AMBIGUOUS;
			break;
		}
		wait = he == HTTPC_OK ? retry_after_ms(c, &hr) : -1;
		if (wait < 0)
			wait = backoff_ms(c, retry);
		snprintf(status_s, sizeof(status_s), "%ld", wait);
		log_kv(c->attempt_level, "scaleway api retry", "method", req->method, "path", req->path, "wait_ms",
		       status_s, NULL);
		r = sleep_cancellable(wait, req->cancel, req->stop);
		if (r < 0)
			goto out;
	}
	if (he != HTTPC_OK) {
		r = transport_error(c, resp, he, req->method, req->path);
		if (r == 0)
			r = he == HTTPC_E_TIMEOUT ? ERR_TIMEOUT : ERR_IO;
		goto out;
	}
	if (status >= 200 && status <= 299) {
		if (hr.body.len) {
			resp->json = json_loadb(hr.body.data, hr.body.len, 0, NULL);
			if (!resp->json) {
				r = set_owned(&resp->err.message, "response body is not JSON");
				r = r < 0 ? r : ERR_PROTO;
				goto out;
			}
			log_body(c->attempt_level, "scaleway api response body", req->method, req->path, resp->json, 0);
		}
		r = 0;
		goto out;
	}
	{
		char line[64], rid[256];
		json_t *j = json_loadb(hr.body.data ? hr.body.data : "", hr.body.len, 0, NULL);

		log_body(c->attempt_level, "scaleway api error body", req->method, req->path, j, hr.body.len);
		json_decref(j);
		snprintf(line, sizeof(line), "%ld %s", status, status_reason(status));
		r = scwclient_error_parse(status, line, hr.body.data, hr.body.len, &resp->err);
		if (r < 0)
			goto out;
		if (httpc_response_header(&hr, "X-Request-Id", rid, sizeof(rid)))
			r = set_owned(&resp->err.request_id, rid);
		if (r == 0)
			r = status_to_err(status, &resp->err);
	}
out:
	if (r < 0 && !resp->err.message)
		set_owned(&resp->err.message, err_str(r));
	resp->err.attempts = resp->attempts;
	log_call(req, resp, r, t0);
	httpc_response_release(&hr);
	buf_release(&reqbody);
	buf_release(&url);
	return r;
}
