/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the retry decisions of client/scwclient (the .c is included to reach its
 * statics): full-jitter backoff bounds and spread, and which failures are retried for safe
 * requests versus creates.
 */
#include "client/scwclient.c"
#include "test.h"

static struct scwclient *mkc(long base, long max)
{
	struct scwclient_opts o = { 0 };
	struct scwclient *c = NULL;

	o.api_url = "http://127.0.0.1:9";
	o.backoff_base_ms = base;
	o.backoff_max_ms = max;
	if (scwclient_new(&o, &c) != 0)
		abort();
	return c;
}

TEST(full_jitter_stays_under_the_exponential_ceiling_and_spreads)
{
	struct scwclient *c = mkc(100, 1000);
	long v, lo, hi;
	double sum;
	int retry, i;

	for (retry = 0; retry < 8; retry++) {
		long ceil = 100L << retry;

		if (ceil > 1000)
			ceil = 1000;
		lo = ceil;
		hi = 0;
		sum = 0;
		for (i = 0; i < 2000; i++) {
			v = backoff_ms(c, retry);
			ASSERT(v >= 0 && v <= ceil);
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
			sum += (double)v;
		}
		/* uniform on [0, ceil]: mean ~ ceil/2, and values reach both ends */
		ASSERT(sum / 2000 > ceil * 0.4 && sum / 2000 < ceil * 0.6);
		ASSERT(lo < ceil / 10 && hi > ceil * 9 / 10);
	}
	scwclient_free(c);
}

TEST(retry_decisions_for_safe_requests_and_creates)
{
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_OK, 200), OUT_DONE);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_OK, 404), OUT_DONE);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_OK, 429), OUT_RETRY);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_OK, 500), OUT_RETRY);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_OK, 503), OUT_RETRY);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_OK, 501), OUT_DONE);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_E_RECV, 0), OUT_RETRY);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_E_TIMEOUT, 0), OUT_RETRY);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_E_URL, 0), OUT_DONE);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_OK, 429), OUT_RETRY);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_E_CONNECT, 0), OUT_RETRY);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_OK, 500), OUT_AMBIGUOUS);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_OK, 503), OUT_AMBIGUOUS);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_OK, 501), OUT_DONE);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_E_NOTHING, 0), OUT_AMBIGUOUS);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_E_TIMEOUT, 0), OUT_AMBIGUOUS);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_NEVER, HTTPC_OK, 503), OUT_DONE);
	/* nothing reached the server: a create may be sent again */
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_E_RESOLVE, 0), OUT_RETRY);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_E_TLS, 0), OUT_RETRY);
	/* a certificate that does not verify is not a passing failure */
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_SAFE, HTTPC_E_TLS_VERIFY, 0), OUT_DONE);
	ASSERT_EQ_INT(classify(SCWCLIENT_RETRY_CREATE, HTTPC_E_PARTIAL, 0), OUT_AMBIGUOUS);
}

TEST(user_agent_is_capped_and_printable)
{
	struct scwclient_opts o = { 0 };
	struct scwclient *c = NULL;
	char big[700];
	size_t i;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[5] = '\n';
	setenv("TF_APPEND_USER_AGENT", big, 1);
	o.api_url = "https://api.scaleway.com";
	o.provider_version = "1.0.0";
	o.terraform_version = "1.11.4";
	ASSERT_EQ_INT(scwclient_new(&o, &c), 0);
	ASSERT_EQ_UINT(strlen(scwclient_user_agent(c)), SCWCLIENT_UA_MAX);
	ASSERT(!strncmp(scwclient_user_agent(c), "terraform-provider-scaleway-c/1.0.0 terraform/1.11.4 aaaaa a", 60));
	for (i = 0; i < SCWCLIENT_UA_MAX; i++)
		ASSERT(scwclient_user_agent(c)[i] >= 0x20 && scwclient_user_agent(c)[i] <= 0x7e);
	scwclient_free(c);
	unsetenv("TF_APPEND_USER_AGENT");
	/* trailing slash and missing scheme are refused */
	o.api_url = "https://api.scaleway.com/";
	ASSERT_EQ_INT(scwclient_new(&o, &c), ERR_INVAL);
	o.api_url = "api.scaleway.com";
	ASSERT_EQ_INT(scwclient_new(&o, &c), ERR_INVAL);
}

int main(void)
{
	if (scwclient_global_init() != 0)
		return 2;
	RUN(full_jitter_stays_under_the_exponential_ceiling_and_spreads);
	RUN(retry_decisions_for_safe_requests_and_creates);
	RUN(user_agent_is_capped_and_printable);
	return test_done();
}
