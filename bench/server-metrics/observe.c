/* SPDX-License-Identifier: MIT */
/*
 * bench/server-metrics/observe: the CPU cost of counting one request (ops_observe: the request
 * counter, the latency histogram, the label lookups) on 2 threads, next to the reference measured
 * in the same run: one relaxed atomic add per call on a counter of the thread's own (the least a
 * lock-free count can cost). Also the time to render /metrics with every series populated.
 * Prints "observe_ns REF_NS SCRAPE_US" on one line.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "server/ops.c"

#define CALLS 4000000
#define THREADS 2

static struct ops *o;
static atomic_uint_fast64_t ref_counter[THREADS][8];

static void *run_observe(void *arg)
{
	static const char *const routes[] = { "/iam/v1alpha1/api-keys/{access_key}", "/iam/v1alpha1/api-keys",
					      "/iam/v1alpha1/applications" };
	int i;

	(void)arg;
	for (i = 0; i < CALLS / THREADS; i++)
		ops_observe(o, routes[i % 3], i & 7 ? "GET" : "POST", i & 15 ? 200 : 404,
			    300000u + (unsigned)(i & 4095));
	return NULL;
}

static void *run_ref(void *arg)
{
	atomic_uint_fast64_t *c = &ref_counter[(intptr_t)arg][0];
	int i;

	for (i = 0; i < CALLS / THREADS; i++)
		atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
	return NULL;
}

static double cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double per_call(void *(*fn)(void *), int ref)
{
	pthread_t th[THREADS];
	double t0 = cpu_ns();
	int i;

	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, fn, ref ? (void *)(intptr_t)i : NULL);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	return (cpu_ns() - t0) / CALLS;
}

int main(void)
{
	struct api_resp resp;
	double obs, ref, t0, scrape;
	int i;

	if (ops_new(NULL, "bench", &o) < 0)
		return 1;
	per_call(run_observe, 0); /* warm-up: labels interned, pages touched */
	obs = ref = 1e300;
	for (i = 0; i < 5; i++) { /* best of 5 of each, alternating */
		double a = per_call(run_observe, 0), b = per_call(run_ref, 1);

		obs = a < obs ? a : obs;
		ref = b < ref ? b : ref;
	}
	api_resp_init(&resp);
	t0 = cpu_ns();
	/* The requests, histogram and auth series only: the gauges need a store (none here). */
	for (i = 0; i < 100; i++) {
		buf_reset(&resp.body);
		if (put_requests(o, &resp.body) < 0 || put_latency(o, &resp.body) < 0 || put_auth(o, &resp.body) < 0)
			return 1;
	}
	scrape = (cpu_ns() - t0) / 100 / 1000;
	printf("%.1f %.1f %.1f %zu\n", obs, ref, scrape, resp.body.len);
	api_resp_release(&resp);
	ops_free(o);
	return 0;
}
