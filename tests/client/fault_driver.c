/* SPDX-License-Identifier: MIT */
/*
 * fault_driver: drives client/scwclient and client/iam against the fault-injecting test double
 * (tests/client/fault_server.py) and prints TAP. Usage: fault_driver BASE_URL TOKEN LOGDIR.
 * Each test arms faults through the double's /_fault endpoints, makes real HTTP calls through
 * the client, then checks the outcome and the double's request log (attempt count, timing,
 * headers, client ports) -- behaviour, not internals.
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "client/iam.h"
#include "client/scwclient.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timeutil.h"
#include "../unit/test.h"

#define APP "0b1c2d3e-0000-4000-8000-0000000000aa"

static const char *base, *token, *logdir;

static size_t ctl_body(char *p, size_t s, size_t n, void *ud)
{
	return buf_append(ud, p, s * n) == 0 ? s * n : 0;
}

/* Talk to the double's control endpoints (libcurl: an independent client, not the code under test). */
static json_t *ctl(const char *path, const char *body)
{
	CURL *h = curl_easy_init();
	struct buf url, out;
	json_t *j = NULL;

	buf_init(&url, 1024);
	buf_init(&out, 1 << 24);
	buf_printf(&url, "%s%s", base, path);
	curl_easy_setopt(h, CURLOPT_URL, url.data);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ctl_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(h) == CURLE_OK && out.len)
		j = json_loadb(out.data, out.len, 0, NULL);
	curl_easy_cleanup(h);
	buf_release(&url);
	buf_release(&out);
	return j;
}

static void arm(const char *faults_json)
{
	struct buf b;

	buf_init(&b, 8192);
	buf_printf(&b, "{\"faults\":%s}", faults_json);
	json_decref(ctl("/_fault/arm", b.data));
	buf_release(&b);
}

static void reset_double(void)
{
	json_decref(ctl("/_fault/reset", "{}"));
}

/* Requests the double saw whose "METHOD path" starts with prefix. */
static size_t seen(const char *prefix, json_t **log_out)
{
	json_t *j = ctl("/_fault/log", NULL), *e;
	size_t i, n = 0;
	char line[4096];

	json_array_foreach(json_object_get(j, "log"), i, e)
	{
		snprintf(line, sizeof(line), "%s %s", json_string_value(json_object_get(e, "method")),
			 json_string_value(json_object_get(e, "path")));
		if (!strncmp(line, prefix, strlen(prefix)))
			n++;
	}
	if (log_out)
		*log_out = j;
	else
		json_decref(j);
	return n;
}

static int stored(const char *what)
{
	json_t *j = ctl("/_fault/log", NULL);
	int n = (int)json_integer_value(json_object_get(j, what));

	json_decref(j);
	return n;
}

static struct scwclient *mk(long timeout_ms, int retries, long base_ms, long ra_max_ms)
{
	struct scwclient_opts o = { 0 };
	struct scwclient *c = NULL;

	o.api_url = base;
	o.secret_key = token;
	o.provider_version = "1.2.3";
	o.terraform_version = "1.11.4";
	o.timeout_ms = timeout_ms;
	o.connect_timeout_ms = 1000;
	o.max_retries = retries;
	o.backoff_base_ms = base_ms;
	o.backoff_max_ms = 400;
	o.retry_after_max_ms = ra_max_ms;
	if (scwclient_new(&o, &c) != 0)
		abort();
	return c;
}

static double secs_since(uint64_t t0)
{
	return (double)(time_mono_ns() - t0) / 1e9;
}

/* Create one key directly (no fault) and return its access key in out[21]. */
static void make_key(struct scwclient *c, const char *desc, char out[21])
{
	struct iam_call call = { c, NULL, { 0 }, 0, 0, NULL };
	struct iam_api_key_create in = { APP, NULL, NULL, NULL, desc };
	struct iam_api_key k;

	if (iam_api_key_create(&call, &in, &k) != 0)
		abort();
	snprintf(out, 21, "%s", k.access_key);
	iam_api_key_release(&k);
	iam_call_release(&call);
}

/* What every test starts from: a client with the given settings (see mk()), a call on it, the
 * double reset and, unless desc is NULL, one key made there with that description (f->ak). */
struct fx {
	struct scwclient *c;
	struct iam_call call;
	struct iam_api_key k; /* the last answer of fx_get() */
	char ak[21];
};

static void fx_start(struct fx *f, long timeout_ms, int retries, long base_ms, long ra_max_ms, const char *desc)
{
	memset(f, 0, sizeof(*f));
	f->c = mk(timeout_ms, retries, base_ms, ra_max_ms);
	f->call.client = f->c;
	reset_double();
	if (desc)
		make_key(f->c, desc, f->ak);
}

static void fx_end(struct fx *f)
{
	iam_api_key_release(&f->k);
	iam_call_release(&f->call);
	scwclient_free(f->c);
}

/* Arm faults (unless NULL), then GET the key f->ak into f->k; *el (unless NULL): seconds taken. */
static int fx_get(struct fx *f, const char *faults, double *el)
{
	uint64_t t0;
	int r;

	iam_api_key_release(&f->k);
	if (faults)
		arm(faults);
	t0 = time_mono_ns();
	r = iam_api_key_get(&f->call, f->ak, &f->k);
	if (el)
		*el = secs_since(t0);
	return r;
}

/* An HTTP date (IMF-fixdate) ahead_s seconds from now. */
static void http_date(char *out, size_t n, int ahead_s)
{
	time_t when = time(NULL) + ahead_s;
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

TEST(plain_calls_send_token_user_agent_and_reuse_one_connection)
{
	struct fx f;
	json_t *log, *e;
	size_t i;
	long port = -1;
	int same = 1;

	fx_start(&f, 5000, 3, 50, 5000, "plain");
	ASSERT_EQ_INT(fx_get(&f, NULL, NULL), 0);
	ASSERT_EQ_STR(f.k.access_key, f.ak);
	ASSERT_EQ_STR(f.k.application_id, APP);
	ASSERT(f.k.secret_key == NULL);
	ASSERT(f.k.user_id == NULL);
	ASSERT_EQ_INT(fx_get(&f, NULL, NULL), 0);
	ASSERT_EQ_UINT(seen("", &log), 3);
	json_array_foreach(json_object_get(log, "log"), i, e)
	{
		const char *ua = json_string_value(json_object_get(e, "ua"));

		ASSERT_EQ_STR(json_string_value(json_object_get(e, "token")), token);
		ASSERT(ua && !strncmp(ua, "terraform-provider-scaleway-c/1.2.3 terraform/1.11.4 extra/7", 60));
		if (port >= 0 && port != (long)json_integer_value(json_object_get(e, "port")))
			same = 0;
		port = (long)json_integer_value(json_object_get(e, "port"));
	}
	json_decref(log);
	ASSERT(same); /* keep-alive: one TCP connection for the three calls */
	fx_end(&f);
}

TEST(retry_after_seconds_is_honoured_on_429)
{
	struct fx f;
	double el;

	fx_start(&f, 5000, 3, 10, 5000, "ra");
	ASSERT_EQ_INT(fx_get(&f,
			     "[{\"match\":\"GET /iam/v1alpha1/api-keys/\",\"action\":\"status\",\"status\":429,"
			     "\"retry_after\":\"1\"}]",
			     &el),
		      0);
	ASSERT_EQ_UINT(seen("GET", NULL), 2);
	ASSERT(el >= 0.95 && el < 3.0); /* backoff alone would be <= 10 ms */
	fx_end(&f);
}

TEST(retry_after_http_date_and_cap)
{
	struct fx f;
	char date[64], faults[512];
	double el;

	fx_start(&f, 5000, 3, 10, 700, "date");
	http_date(date, sizeof(date), 5);
	/* an HTTP date 5 s ahead, capped to 0.7 s; then 3600 s, capped as well (bounds leave room
	 * for a loaded machine yet stay below what an uncapped wait would take) */
	snprintf(faults, sizeof(faults),
		 "[{\"match\":\"GET /iam/v1alpha1/api-keys/\",\"action\":\"status\",\"status\":503,"
		 "\"retry_after\":\"%s\"},{\"match\":\"GET /iam/v1alpha1/api-keys/\",\"action\":\"status\","
		 "\"status\":429,\"retry_after\":\"3600\"}]",
		 date);
	ASSERT_EQ_INT(fx_get(&f, faults, &el), 0);
	ASSERT_EQ_UINT(seen("GET", NULL), 3);
	ASSERT(el >= 1.35 && el < 3.5);
	scwclient_free(f.c);

	/* uncapped (cap 10 s): the date is waited for */
	f.c = mk(5000, 3, 10, 10000);
	f.call.client = f.c;
	http_date(date, sizeof(date), 2);
	snprintf(faults, sizeof(faults),
		 "[{\"match\":\"GET /iam/v1alpha1/api-keys/\",\"action\":\"status\","
		 "\"status\":503,\"retry_after\":\"%s\"}]",
		 date);
	ASSERT_EQ_INT(fx_get(&f, faults, &el), 0);
	ASSERT(el >= 0.9 && el < 3.5);
	fx_end(&f);
}

TEST(server_errors_are_retried_with_bounded_backoff_then_reported)
{
	struct fx f;
	double el;

	fx_start(&f, 5000, 3, 100, 5000, "5xx");
	ASSERT_EQ_INT(
		fx_get(&f,
		       "[{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":500},"
		       "{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":503,\"text\":\"<html>down</html>\"},"
		       "{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":502}]",
		       NULL),
		0);
	ASSERT_EQ_UINT(seen("GET", NULL), 4);

	/* always failing: 1 + 3 retries, then the last status is reported */
	reset_double();
	make_key(f.c, "5xx", f.ak);
	ASSERT_EQ_INT(
		fx_get(&f,
		       "[{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":500},"
		       "{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":500},"
		       "{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":500},"
		       "{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":503,\"text\":\"<html>down</html>\"},"
		       "{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":500}]",
		       &el),
		ERR_IO);
	ASSERT_EQ_UINT(seen("GET", NULL), 4);
	ASSERT_EQ_INT(f.call.err.status, 503);
	ASSERT_EQ_STR(f.call.err.message, "503 Service Unavailable");
	ASSERT(el < 0.1 + 0.2 + 0.4 + 2.0); /* full jitter below 100, 200, 400 ms ceilings */
	fx_end(&f);
}

TEST(not_implemented_is_not_retried)
{
	struct fx f;

	fx_start(&f, 5000, 3, 10, 5000, "501");
	ASSERT_EQ_INT(fx_get(&f, "[{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":501}]", NULL), ERR_IO);
	ASSERT_EQ_UINT(seen("GET", NULL), 1);
	ASSERT_EQ_INT(f.call.err.status, 501);
	fx_end(&f);
}

TEST(connection_reset_is_retried)
{
	struct fx f;

	fx_start(&f, 5000, 3, 10, 5000, "rst");
	ASSERT_EQ_INT(
		fx_get(&f,
		       "[{\"match\":\"GET /iam\",\"action\":\"reset\"},{\"match\":\"GET /iam\",\"action\":\"reset\"}]",
		       NULL),
		0);
	ASSERT_EQ_STR(f.k.access_key, f.ak);
	ASSERT_EQ_UINT(seen("GET", NULL), 3);
	fx_end(&f);
}

TEST(slow_answers_time_out_and_are_bounded)
{
	struct fx f;
	double el;

	fx_start(&f, 400, 2, 10, 5000, "slow");
	ASSERT_EQ_INT(fx_get(&f, "[{\"match\":\"GET /iam\",\"action\":\"slow\",\"seconds\":2}]", &el), 0);
	ASSERT(el >= 0.35 && el < 1.9); /* the slow answer takes 2 s */
	ASSERT_EQ_UINT(seen("GET", NULL), 2);

	ASSERT_EQ_INT(fx_get(&f,
			     "[{\"match\":\"GET /iam\",\"action\":\"slow\",\"seconds\":2},"
			     "{\"match\":\"GET /iam\",\"action\":\"slow\",\"seconds\":2},"
			     "{\"match\":\"GET /iam\",\"action\":\"slow\",\"seconds\":2}]",
			     &el),
		      ERR_TIMEOUT);
	ASSERT(el >= 1.1 && el < 4.0); /* 3 attempts of 0.4 s plus small backoffs; 6 s if uncut */
	/* the message names the URL, its host:port and the attempts */
	ASSERT(f.call.err.message && strstr(f.call.err.message, "GET http://127.0.0.1:") &&
	       strstr(f.call.err.message, "/iam/v1alpha1/api-keys/") && strstr(f.call.err.message, "after 3 attempts"));
	fx_end(&f);
}

struct canceller {
	volatile int flag;
	long after_ms;
};

static void *cancel_later(void *ud)
{
	struct canceller *cc = ud;
	struct timespec ts = { cc->after_ms / 1000, (cc->after_ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	cc->flag = 1;
	return NULL;
}

TEST(cancel_flag_stops_waiting_and_retrying)
{
	struct canceller cc = { 0, 300 };
	struct fx f;
	pthread_t th;
	double el;

	fx_start(&f, 5000, 5, 10, 60000, "cancel");
	f.call.cancel = &cc.flag;
	arm("[{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":429,\"retry_after\":\"30\"},"
	    "{\"match\":\"GET /iam\",\"action\":\"status\",\"status\":429,\"retry_after\":\"30\"}]");
	pthread_create(&th, NULL, cancel_later, &cc);
	ASSERT_EQ_INT(fx_get(&f, NULL, &el), ERR_CANCELED);
	pthread_join(th, NULL);
	ASSERT(el >= 0.25 && el < 3.0); /* Retry-After asked for 30 s */
	ASSERT_EQ_UINT(seen("GET", NULL), 1);

	/* during a slow transfer */
	reset_double();
	make_key(f.c, "cancel", f.ak);
	arm("[{\"match\":\"GET /iam\",\"action\":\"slow\",\"seconds\":6}]");
	cc.flag = 0;
	pthread_create(&th, NULL, cancel_later, &cc);
	ASSERT_EQ_INT(fx_get(&f, NULL, &el), ERR_CANCELED);
	pthread_join(th, NULL);
	ASSERT(el < 3.0); /* the answer would take 6 s */

	/* already set: no request at all */
	reset_double();
	snprintf(f.ak, sizeof(f.ak), "SCWAAAAAAAAAAAAAAAAA");
	ASSERT_EQ_INT(fx_get(&f, NULL, NULL), ERR_CANCELED);
	ASSERT_EQ_UINT(seen("", NULL), 0);
	fx_end(&f);
}

static size_t keys_with(struct scwclient *c, const char *desc)
{
	struct iam_call call = { c, NULL, { 0 }, 0, 0, NULL };
	struct iam_api_key_filter f = { NULL, APP, "application", desc, -1, -1, NULL, 0 };
	struct iam_api_key_list l = { NULL, 0 };
	size_t n;

	if (iam_api_key_list(&call, &f, &l) != 0)
		abort();
	n = l.n;
	iam_api_key_list_release(&l);
	iam_call_release(&call);
	return n;
}

TEST(lost_create_answer_leaves_no_duplicate_key)
{
	struct fx f;
	struct iam_api_key_create in = { APP, NULL, NULL, NULL, "lost" };
	struct iam_api_key k;

	fx_start(&f, 5000, 3, 10, 5000, NULL);
	arm("[{\"match\":\"POST /iam/v1alpha1/api-keys\",\"action\":\"process_then_reset\"}]");
	ASSERT_EQ_INT(iam_api_key_create(&f.call, &in, &k), 0);
	ASSERT(k.secret_key && strlen(k.secret_key) == 36);
	ASSERT_EQ_INT(f.call.ambiguous_creates, 1);
	ASSERT_EQ_INT(f.call.orphans_deleted, 1);
	ASSERT_EQ_UINT(seen("POST", NULL), 2);
	ASSERT_EQ_UINT(keys_with(f.c, "lost"), 1);
	ASSERT_EQ_INT(stored("keys"), 1);
	iam_api_key_release(&k);

	/* processed, then a 503: same outcome */
	reset_double();
	arm("[{\"match\":\"POST /iam/v1alpha1/api-keys\",\"action\":\"process_then_status\",\"status\":503}]");
	ASSERT_EQ_INT(iam_api_key_create(&f.call, &in, &k), 0);
	ASSERT(k.secret_key != NULL);
	ASSERT_EQ_INT(stored("keys"), 1);
	ASSERT_EQ_INT(f.call.ambiguous_creates, 2);
	iam_api_key_release(&k);

	/* a key made earlier with the same description is left alone */
	reset_double();
	f.call.orphans_deleted = 0;
	{
		struct timespec ts = { 2, 600000000L };          /* past the reconcile window */
		struct scwclient *other = mk(5000, 3, 10, 5000); /* another process, in effect */
		char old[21];

		make_key(other, "lost", old);
		scwclient_free(other);
		nanosleep(&ts, NULL);
		arm("[{\"match\":\"POST /iam/v1alpha1/api-keys\",\"action\":\"process_then_reset\"}]");
		ASSERT_EQ_INT(iam_api_key_create(&f.call, &in, &k), 0);
		iam_api_key_release(&k);
		ASSERT_EQ_INT(f.call.orphans_deleted, 1);
		ASSERT_EQ_INT(stored("keys"), 2);
		ASSERT_EQ_INT(iam_api_key_get(&f.call, old, &k), 0);
		iam_api_key_release(&k);
	}
	fx_end(&f);
}

struct twin {
	struct scwclient *c;
	int r;
	char ak[21];
	int ambiguous;
};

static void *twin_create(void *ud)
{
	struct twin *t = ud;
	struct iam_call call = { t->c, NULL, { 0 }, 0, 0, NULL };
	struct iam_api_key_create in = { APP, NULL, NULL, NULL, "twin" };
	struct iam_api_key k;

	t->r = iam_api_key_create(&call, &in, &k);
	if (t->r == 0)
		snprintf(t->ak, sizeof(t->ak), "%s", k.access_key);
	t->ambiguous = call.ambiguous_creates;
	iam_api_key_release(&k);
	iam_call_release(&call);
	return NULL;
}

TEST(parallel_identical_creates_keep_each_others_keys_when_one_answer_is_lost)
{
	struct fx f;
	struct twin t[4];
	pthread_t th[4];
	struct iam_api_key k;
	int i, amb = 0;

	fx_start(&f, 5000, 3, 10, 5000, NULL);
	arm("[{\"match\":\"POST /iam/v1alpha1/api-keys\",\"action\":\"process_then_reset\"},"
	    "{\"match\":\"POST /iam/v1alpha1/api-keys\",\"action\":\"slow\",\"seconds\":0.5}]");
	for (i = 0; i < 4; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].c = f.c;
		pthread_create(&th[i], NULL, twin_create, &t[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ_INT(t[i].r, 0);
		amb += t[i].ambiguous;
		ASSERT_EQ_INT(iam_api_key_get(&f.call, t[i].ak, &k), 0);
		iam_api_key_release(&k);
	}
	ASSERT_EQ_INT(amb, 1);
	ASSERT_EQ_INT(stored("keys"), 4);
	fx_end(&f);
}

TEST(create_rejected_with_429_is_retried_without_reconciling)
{
	struct fx f;
	struct iam_api_key_create in = { APP, NULL, NULL, NULL, "rl" };
	struct iam_api_key k;

	fx_start(&f, 5000, 3, 10, 5000, NULL);
	arm("[{\"match\":\"POST /iam/v1alpha1/api-keys\",\"action\":\"status\",\"status\":429,\"retry_after\":\"0\"}]");
	ASSERT_EQ_INT(iam_api_key_create(&f.call, &in, &k), 0);
	ASSERT_EQ_INT(f.call.ambiguous_creates, 0);
	ASSERT_EQ_UINT(seen("POST", NULL), 2);
	ASSERT_EQ_UINT(seen("GET", NULL), 0);
	ASSERT_EQ_INT(stored("keys"), 1);
	iam_api_key_release(&k);
	/* 501 on create: a plain failure, not ambiguous, no retry */
	arm("[{\"match\":\"POST /iam/v1alpha1/api-keys\",\"action\":\"status\",\"status\":501}]");
	ASSERT_EQ_INT(iam_api_key_create(&f.call, &in, &k), ERR_IO);
	ASSERT_EQ_INT(f.call.ambiguous_creates, 0);
	ASSERT_EQ_INT(stored("keys"), 1);
	fx_end(&f);
}

TEST(lost_application_create_answer_adopts_the_created_one)
{
	struct fx f;
	const char *tags[] = { "a", "b" };
	struct iam_application_create in = { "ci-app", NULL, "d", tags, 2 };
	struct iam_application a;

	fx_start(&f, 5000, 3, 10, 5000, NULL);
	arm("[{\"match\":\"POST /iam/v1alpha1/applications\",\"action\":\"process_then_reset\"}]");
	ASSERT_EQ_INT(iam_application_create(&f.call, &in, &a), 0);
	ASSERT_EQ_STR(a.name, "ci-app");
	ASSERT_EQ_UINT(a.ntags, 2);
	ASSERT_EQ_STR(a.tags[1], "b");
	ASSERT_EQ_INT(f.call.ambiguous_creates, 1);
	ASSERT_EQ_UINT(seen("POST", NULL), 1);
	ASSERT_EQ_INT(stored("apps"), 1);
	iam_application_release(&a);
	fx_end(&f);
}

TEST(api_errors_are_parsed_and_mapped)
{
	struct fx f;
	char desc[260], attr[64];
	struct iam_api_key_create in = { APP, NULL, NULL, NULL, desc };
	struct iam_api_key k;
	struct scwclient_opts o = { 0 };
	struct scwclient *bad = NULL;

	fx_start(&f, 5000, 3, 10, 5000, NULL);
	memset(desc, 'x', 250);
	desc[250] = '\0';
	ASSERT_EQ_INT(iam_api_key_create(&f.call, &in, &k), ERR_INVAL);
	ASSERT_EQ_STR(f.call.err.type, "invalid_arguments");
	ASSERT_EQ_UINT(f.call.err.ndetails, 1);
	ASSERT_EQ_INT(scwclient_error_attr(f.call.err.details[0].argument_name, attr, sizeof(attr)), 0);
	ASSERT_EQ_STR(attr, "description");
	ASSERT(f.call.err.request_id && strlen(f.call.err.request_id) == 36);
	ASSERT_EQ_INT(iam_api_key_get(&f.call, "SCWAAAAAAAAAAAAAAAAA", &k), ERR_NOTFOUND);
	ASSERT_EQ_STR(f.call.err.resource, "access_key");
	ASSERT_EQ_INT(iam_api_key_delete(&f.call, "SCWAAAAAAAAAAAAAAAAA"), ERR_NOTFOUND);
	/* wrong token: 401, not retried */
	o.api_url = base;
	o.secret_key = "99999999-9999-4999-8999-999999999999";
	ASSERT_EQ_INT(scwclient_new(&o, &bad), 0);
	f.call.client = bad;
	reset_double();
	ASSERT_EQ_INT(iam_api_key_get(&f.call, "SCWAAAAAAAAAAAAAAAAA", &k), ERR_AUTH);
	ASSERT_EQ_STR(f.call.err.reason, "not_found");
	ASSERT_EQ_UINT(seen("GET", NULL), 1);
	scwclient_free(bad);
	fx_end(&f);
}

TEST(lists_read_every_page)
{
	struct fx f;
	struct iam_api_key_filter filter = { NULL, APP, "application", NULL, -1, -1, NULL, 0 };
	struct iam_api_key_list l = { NULL, 0 };
	char ak[21];
	int i;

	fx_start(&f, 5000, 3, 10, 5000, NULL);
	for (i = 0; i < 205; i++)
		make_key(f.c, "page", ak);
	ASSERT_EQ_INT(iam_api_key_list(&f.call, &filter, &l), 0);
	ASSERT_EQ_UINT(l.n, 205);
	ASSERT_EQ_STR(l.items[204].access_key, ak);
	ASSERT(l.items[0].secret_key == NULL);
	ASSERT_EQ_UINT(seen("GET /iam/v1alpha1/api-keys?", NULL), 3);
	iam_api_key_list_release(&l);
	fx_end(&f);
}

TEST(trace_log_never_shows_the_token_or_a_secret)
{
	struct fx f;
	struct iam_api_key_create in = { APP, NULL, NULL, NULL, "logged" };
	struct iam_user_create uin = { 0 };
	struct iam_api_key k;
	struct iam_user u;
	char path[512], content[1 << 16], secret[40];
	ssize_t n;
	int fd;

	fx_start(&f, 5000, 3, 10, 5000, NULL);
	snprintf(path, sizeof(path), "%s/client-trace.log", logdir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT(fd >= 0);
	log_setup(LOG_TRACE, fd, "provider");
	ASSERT_EQ_INT(iam_api_key_create(&f.call, &in, &k), 0);
	snprintf(secret, sizeof(secret), "%s", k.secret_key);
	iam_api_key_release(&k);
	/* a user create carries a password (the double has no /users: 404, body still logged) */
	uin.email = "a@b.c";
	uin.username = "u";
	uin.password = "Sup3rSecretPassw0rd";
	ASSERT_EQ_INT(iam_user_create(&f.call, &uin, &u), ERR_NOTFOUND);
	log_setup(LOG_OFF, 2, NULL);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, content, sizeof(content) - 1);
	close(fd);
	ASSERT(n > 0);
	content[n] = '\0';
	ASSERT(strstr(content, "\"body\"") != NULL);   /* bodies were logged... */
	ASSERT(strstr(content, "<redacted>") != NULL); /* ...with the secrets replaced */
	ASSERT(strstr(content, secret) == NULL);
	ASSERT(strstr(content, token) == NULL);
	ASSERT(strstr(content, "Sup3rSecretPassw0rd") == NULL);
	fx_end(&f);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: fault_driver BASE_URL TOKEN LOGDIR\n");
		return 2;
	}
	base = argv[1];
	token = argv[2];
	logdir = argv[3];
	setenv("TF_APPEND_USER_AGENT", "extra/7", 1);
	if (scwclient_global_init() != 0)
		return 2;
	log_setup(LOG_OFF, 2, NULL);
	RUN(plain_calls_send_token_user_agent_and_reuse_one_connection);
	RUN(retry_after_seconds_is_honoured_on_429);
	RUN(retry_after_http_date_and_cap);
	RUN(server_errors_are_retried_with_bounded_backoff_then_reported);
	RUN(not_implemented_is_not_retried);
	RUN(connection_reset_is_retried);
	RUN(slow_answers_time_out_and_are_bounded);
	RUN(cancel_flag_stops_waiting_and_retrying);
	RUN(lost_create_answer_leaves_no_duplicate_key);
	RUN(parallel_identical_creates_keep_each_others_keys_when_one_answer_is_lost);
	RUN(create_rejected_with_429_is_retried_without_reconciling);
	RUN(lost_application_create_answer_adopts_the_created_one);
	RUN(api_errors_are_parsed_and_mapped);
	RUN(lists_read_every_page);
	RUN(trace_log_never_shows_the_token_or_a_secret);
	curl_global_cleanup();
	return test_done();
}
