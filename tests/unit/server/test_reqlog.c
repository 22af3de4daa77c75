/* SPDX-License-Identifier: MIT */
/* Unit tests of server/reqlog: batched request lines reach the file, complete and in order. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "server/reqlog.h"
#include "test.h"

static char path[64];

static char *slurp(size_t *n)
{
	static char data[1 << 24];
	int fd = open(path, O_RDONLY);
	ssize_t r;

	*n = 0;
	if (fd < 0)
		return NULL;
	while ((r = read(fd, data + *n, sizeof(data) - 1 - *n)) > 0)
		*n += (size_t)r;
	close(fd);
	data[*n] = '\0';
	return data;
}

TEST(lines_are_flushed_at_stop_with_escaping)
{
	struct reqlog *l;
	size_t n;
	char *d;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ASSERT(fd >= 0);
	ASSERT_EQ_INT(reqlog_start(fd, &l), 0);
	reqlog_request(l, "GET", "/iam/v1alpha1/api-keys", 200, 1500000, "11111111-1111-4111-8111-111111111111",
		       "127.0.0.1", "", "", "");
	reqlog_request(l, "POST", "/a\"b\n", 400, 20, "22222222-2222-4222-8222-222222222222", "::1",
		       "SCWAAAAAAAAAAAAAAAAA", "invalid_arguments", "name: \"constraint\"");
	reqlog_stop(l);
	close(fd);
	d = slurp(&n);
	ASSERT(d != NULL);
	{
		static const char head[] =
			"{\"@level\":\"info\",\"@message\":\"request\",\"@module\":\"scw-iamd\",\"@timestamp\":\"";

		ASSERT(strncmp(d, head, sizeof(head) - 1) == 0);
	}
	ASSERT(strstr(d,
		      "\"method\":\"GET\",\"path\":\"/iam/v1alpha1/api-keys\",\"status\":\"200\",\"latency_ms\":\"1.500\","
		      "\"request_id\":\"11111111-1111-4111-8111-111111111111\",\"remote\":\"127.0.0.1\"}\n") != NULL);
	ASSERT(strstr(d, "\"path\":\"/a\\\"b\\n\",\"status\":\"400\"") != NULL);
	/* The caller and the error, when given, close the line; absent ones are left out. */
	ASSERT(strstr(d,
		      "\"remote\":\"::1\",\"access_key\":\"SCWAAAAAAAAAAAAAAAAA\",\"error_type\":\"invalid_arguments\","
		      "\"error_reason\":\"name: \\\"constraint\\\"\"}\n") != NULL);
	ASSERT(strstr(d, "GET") < strstr(d, "POST"));
}

struct many {
	struct reqlog *l;
	int id;
};

static void *many_main(void *arg)
{
	struct many *m = arg;
	char rid[40];
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(rid, sizeof(rid), "t%d-%d", m->id, i);
		reqlog_request(m->l, "GET", "/x", 200, 1, rid, "127.0.0.1", "", "", "");
	}
	return NULL;
}

TEST(no_line_lost_or_torn_under_concurrency)
{
	struct reqlog *l;
	pthread_t th[4];
	struct many m[4];
	size_t n, lines = 0, i;
	char *d;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ASSERT(fd >= 0);
	ASSERT_EQ_INT(reqlog_start(fd, &l), 0);
	for (i = 0; i < 4; i++) {
		m[i].l = l;
		m[i].id = (int)i;
		pthread_create(&th[i], NULL, many_main, &m[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	reqlog_stop(l);
	close(fd);
	d = slurp(&n);
	for (i = 0; i < n; i++) {
		if (d[i] == '\n') {
			lines++;
			if (i + 1 < n && d[i + 1] != '{')
				TEST_FAIL_("torn line after byte %zu", i);
		}
	}
	ASSERT_EQ_UINT(lines, 20000);
	ASSERT(strstr(d, "\"request_id\":\"t3-4999\"") != NULL);
}

TEST(timestamp_and_numbers_are_formatted)
{
	struct reqlog *l;
	struct tstamp before = time_now(), after, ts;
	size_t n;
	char *d, *p, *q;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ASSERT(fd >= 0);
	ASSERT_EQ_INT(reqlog_start(fd, &l), 0);
	reqlog_request(l, "GET", "/a", 0, 20, "r1", "", "", "", "");
	reqlog_request(l, "DELETE", "/b", 204, 12003004005ull, "r2", "10.0.0.1", "", "", "");
	reqlog_request(l, "GET", "/c", 503, 999999, "r3", "::1", "", "", "");
	reqlog_stop(l);
	close(fd);
	after = time_now();
	d = slurp(&n);
	ASSERT(d != NULL);
	ASSERT(strstr(d,
		      "\"path\":\"/a\",\"status\":\"0\",\"latency_ms\":\"0.000\",\"request_id\":\"r1\",\"remote\":\"\"}\n") !=
	       NULL);
	ASSERT(strstr(d, "\"status\":\"204\",\"latency_ms\":\"12003.004\",\"request_id\":\"r2\"") != NULL);
	ASSERT(strstr(d, "\"status\":\"503\",\"latency_ms\":\"0.999\",") != NULL);
	/* Every line's timestamp: YYYY-MM-DDTHH:MM:SS.uuuuuuZ, between before and after. */
	for (p = strstr(d, "\"@timestamp\":\""); p; p = strstr(q, "\"@timestamp\":\"")) {
		p += strlen("\"@timestamp\":\"");
		q = strchr(p, '"');
		ASSERT(q != NULL);
		ASSERT_EQ_UINT((size_t)(q - p), 27);
		ASSERT(p[19] == '.' && p[26] == 'Z' && strspn(p + 20, "0123456789") == 6);
		ASSERT_EQ_INT(time_rfc3339_parse(p, (size_t)(q - p), &ts), 0);
		ASSERT(time_cmp(ts, before) >= 0 || ts.sec == before.sec);
		ASSERT(time_cmp(ts, after) <= 0);
	}
}

/* An idle logger writes a line without waiting for more (or for stop), also after it lingered
 * and went back to sleep. */
static int wait_for(const char *needle)
{
	int i;
	size_t n;

	for (i = 0; i < 200; i++) {
		char *d = slurp(&n);

		if (d && strstr(d, needle))
			return 1;
		usleep(5000);
	}
	return 0;
}

TEST(idle_logger_writes_each_line_promptly)
{
	struct reqlog *l;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ASSERT(fd >= 0);
	ASSERT_EQ_INT(reqlog_start(fd, &l), 0);
	reqlog_request(l, "GET", "/first", 200, 1, "p1", "127.0.0.1", "", "", "");
	ASSERT(wait_for("\"request_id\":\"p1\""));
	usleep(50000); /* well past the linger: the logger sleeps until signalled */
	reqlog_request(l, "GET", "/second", 200, 1, "p2", "127.0.0.1", "", "", "");
	ASSERT(wait_for("\"request_id\":\"p2\""));
	reqlog_stop(l);
	close(fd);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/scw-reqlog-%d.log", (int)getpid());
	RUN(lines_are_flushed_at_stop_with_escaping);
	RUN(no_line_lost_or_torn_under_concurrency);
	RUN(timestamp_and_numbers_are_formatted);
	RUN(idle_logger_writes_each_line_promptly);
	unlink(path);
	return test_done();
}
