/* SPDX-License-Identifier: MIT */
/* Unit tests of server/ops: counting, label tables, error classification, the exposition and
 * /healthz on a real SQLite store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/ops.c"
#include "test.h"

static char dir[128];

static struct store *open_store(void)
{
	char p[256], detail[256];
	struct store *s = NULL;

	snprintf(p, sizeof(p), "%s/ops.db", dir);
	if (store_open(p, &s, detail, sizeof(detail)) < 0)
		return NULL;
	return s;
}

static char *metrics_text(struct ops *o)
{
	struct api_resp resp;
	const char *ct = NULL;
	size_t n;
	char *t;

	api_resp_init(&resp);
	ops_handle(o, "GET", "/metrics", &resp, &ct);
	if (resp.status != 200 || strncmp(ct, "text/plain; version=0.0.4", 25) != 0) {
		api_resp_release(&resp);
		return NULL;
	}
	buf_append_byte(&resp.body, 0);
	t = buf_steal(&resp.body, &n);
	api_resp_release(&resp);
	return t;
}

TEST(requests_counted_by_route_method_status_and_histogram_buckets)
{
	struct store *s = open_store();
	struct ops *o = NULL;
	char *t;

	ASSERT(s != NULL);
	ASSERT_EQ_INT(ops_new(s, "9.9.9", &o), 0);
	ops_observe(o, "/iam/v1alpha1/api-keys", "GET", 200, 200000);        /* 0.2 ms: first bucket */
	ops_observe(o, "/iam/v1alpha1/api-keys", "GET", 200, 250000);        /* on the bound: first bucket */
	ops_observe(o, "/iam/v1alpha1/api-keys", "GET", 200, 3000000000ull); /* 3 s: only +Inf */
	ops_observe(o, "/iam/v1alpha1/api-keys", "PUT", 405, 1000);
	ops_observe(o, NULL, "GET", 404, 1000);
	ops_observe(o, "/healthz", "GET", -1, 1000);
	t = metrics_text(o);
	ASSERT(t != NULL);
	ASSERT(strstr(
		t, "scw_iamd_http_requests_total{route=\"/iam/v1alpha1/api-keys\",method=\"GET\",status=\"200\"} 3\n"));
	ASSERT(strstr(
		t,
		"scw_iamd_http_requests_total{route=\"/iam/v1alpha1/api-keys\",method=\"other\",status=\"405\"} 1\n"));
	ASSERT(strstr(t, "scw_iamd_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n"));
	ASSERT(strstr(t, "scw_iamd_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"none\"} 1\n"));
	ASSERT(strstr(t, "_bucket{route=\"/iam/v1alpha1/api-keys\",method=\"GET\",le=\"0.00025\"} 2\n"));
	ASSERT(strstr(t, "_bucket{route=\"/iam/v1alpha1/api-keys\",method=\"GET\",le=\"2.5\"} 2\n"));
	ASSERT(strstr(t, "_bucket{route=\"/iam/v1alpha1/api-keys\",method=\"GET\",le=\"+Inf\"} 3\n"));
	ASSERT(strstr(t, "_sum{route=\"/iam/v1alpha1/api-keys\",method=\"GET\"} 3.000450000\n"));
	ASSERT(strstr(t, "_count{route=\"/iam/v1alpha1/api-keys\",method=\"GET\"} 3\n"));
	ASSERT(strstr(t, "scw_iamd_build_info{version=\"9.9.9\",backend=\"sqlite\"} 1\n"));
	ASSERT(strstr(t, "scw_iamd_db_up 1\n"));
	ASSERT(t[strlen(t) - 1] == '\n');
	free(t);
	ops_free(o);
	store_close(s);
}

TEST(label_tables_are_bounded_and_overflow_to_other)
{
	struct labels l;
	char v[32];
	unsigned i, first;

	labels_init(&l, OPS_ROUTES);
	first = labels_index(&l, "a");
	ASSERT_EQ_UINT(first, 0);
	ASSERT_EQ_UINT(labels_index(&l, "a"), 0);
	for (i = 0; i < 100; i++) {
		snprintf(v, sizeof(v), "/r/%u", i);
		ASSERT(labels_index(&l, v) < OPS_ROUTES);
	}
	ASSERT_EQ_UINT(labels_index(&l, "/r/99"), OPS_ROUTES - 1);
	ASSERT_EQ_STR(labels_at(&l, OPS_ROUTES - 1), "other");
	ASSERT_EQ_STR(labels_at(&l, 1), "/r/0");
	pthread_mutex_destroy(&l.mu);
}

TEST(error_bodies_classified_and_auth_failures_counted)
{
	struct store *s = open_store();
	struct ops *o = NULL;
	char type[48], reason[128], *t;
	static const char auth[] =
		"{\"message\":\"authentication is denied\",\"method\":\"api_key\",\"reason\":\"expired\","
		"\"type\":\"denied_authentication\"}";
	static const char inv[] =
		"{\"details\":[{\"argument_name\":\"name\",\"help_message\":\"h\",\"reason\":\"constraint\"}],"
		"\"message\":\"invalid argument(s)\",\"type\":\"invalid_arguments\"}";
	static const char quota[] =
		"{\"details\":[{\"current\":1,\"quota\":1,\"resource\":\"api_keys\"}],\"type\":\"quotas_exceeded\"}";

	ASSERT(s != NULL);
	ASSERT_EQ_INT(ops_new(s, "1", &o), 0);
	ops_count_error(o, auth, sizeof(auth) - 1, type, sizeof(type), reason, sizeof(reason));
	ASSERT_EQ_STR(type, "denied_authentication");
	ASSERT_EQ_STR(reason, "expired");
	ops_count_error(o, inv, sizeof(inv) - 1, type, sizeof(type), reason, sizeof(reason));
	ASSERT_EQ_STR(type, "invalid_arguments");
	ASSERT_EQ_STR(reason, "name: constraint");
	ops_count_error(o, quota, sizeof(quota) - 1, type, sizeof(type), reason, sizeof(reason));
	ASSERT_EQ_STR(type, "quotas_exceeded");
	ASSERT_EQ_STR(reason, "api_keys");
	ops_count_error(o, "<html>", 6, type, sizeof(type), reason, sizeof(reason));
	ASSERT_EQ_STR(type, "");
	ASSERT_EQ_STR(reason, "");
	t = metrics_text(o);
	ASSERT(t != NULL);
	ASSERT(strstr(t, "scw_iamd_auth_failures_total{reason=\"expired\"} 1\n"));
	ASSERT(!strstr(t, "reason=\"constraint\""));
	free(t);
	ops_free(o);
	store_close(s);
}

TEST(label_values_escaped)
{
	struct buf b;

	buf_init(&b, 1024);
	ASSERT_EQ_INT(put_label(&b, "reason", "a\"b\\c\nd", 1), 0);
	ASSERT_EQ_INT(buf_append_byte(&b, 0), 0);
	ASSERT_EQ_STR(b.data, "reason=\"a\\\"b\\\\c\\nd\"");
	buf_release(&b);
}

TEST(healthz_ok_then_unavailable_when_the_file_is_gone)
{
	struct store *s = open_store();
	struct ops *o = NULL;
	struct api_resp resp;
	const char *ct;
	char p[256], q[256];

	ASSERT(s != NULL);
	ASSERT_EQ_INT(ops_new(s, "1", &o), 0);
	api_resp_init(&resp);
	ops_handle(o, "GET", "/healthz", &resp, &ct);
	ASSERT_EQ_INT(resp.status, 200);
	ASSERT_EQ_STR(ct, "application/json");
	snprintf(p, sizeof(p), "%s/ops.db", dir);
	snprintf(q, sizeof(q), "%s/ops.db.moved", dir);
	ASSERT_EQ_INT(rename(p, q), 0);
	ops_handle(o, "GET", "/healthz", &resp, &ct);
	ASSERT_EQ_INT(resp.status, 503);
	ASSERT(memmem(resp.body.data, resp.body.len, "\"status\":\"unavailable\"", 22) != NULL);
	ASSERT_EQ_INT(rename(q, p), 0);
	ops_handle(o, "GET", "/healthz", &resp, &ct);
	ASSERT_EQ_INT(resp.status, 200);
	ops_handle(o, "DELETE", "/healthz", &resp, &ct);
	ASSERT_EQ_INT(resp.status, 405);
	ops_handle(o, "GET", "/other", &resp, &ct);
	ASSERT_EQ_INT(resp.status, 404);
	ASSERT(resp.route == NULL);
	api_resp_release(&resp);
	ops_free(o);
	store_close(s);
}

int main(void)
{
	char cmd[200];

	snprintf(dir, sizeof(dir), "/tmp/scw-ops-test-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	RUN(requests_counted_by_route_method_status_and_histogram_buckets);
	RUN(label_tables_are_bounded_and_overflow_to_other);
	RUN(error_bodies_classified_and_auth_failures_counted);
	RUN(label_values_escaped);
	RUN(healthz_ok_then_unavailable_when_the_file_is_gone);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return test_done();
}
