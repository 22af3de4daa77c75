/* SPDX-License-Identifier: MIT */
/* timeutil: RFC 3339 parsing and formatting on our own civil-date arithmetic. */
#include <stdio.h>
#include <time.h>

#include "common/compat.h"
#include "common/err.h"
#include "common/timeutil.h"

int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void time_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Read exactly n decimal digits at s[*i]; advance only on success. */
static int digits(const char *s, size_t len, size_t *i, unsigned n, unsigned *out)
{
	unsigned v = 0, k;

	if (*i + n > len)
		return ERR_PARSE;
	for (k = 0; k < n; k++) {
		char c = s[*i + k];

		if (c < '0' || c > '9')
			return ERR_PARSE;
		v = v * 10 + (unsigned)(c - '0');
	}
	*i += n;
	*out = v;
	return 0;
}

static int expect(const char *s, size_t len, size_t *i, char a, char b)
{
	if (*i >= len || (s[*i] != a && s[*i] != b))
		return ERR_PARSE;
	(*i)++;
	return 0;
}

int time_rfc3339_parse(const char *s, size_t n, struct tstamp *out)
{
	unsigned yr, mo, dy, hh, mi, ss, oh = 0, om = 0;
	int32_t nsec = 0;
	int sign = 0, range_err = 0;
	size_t i = 0;
	int64_t sec;

	if (!s)
		return ERR_PARSE;
	if (digits(s, n, &i, 4, &yr) || expect(s, n, &i, '-', '-') || digits(s, n, &i, 2, &mo) ||
	    expect(s, n, &i, '-', '-') || digits(s, n, &i, 2, &dy) || expect(s, n, &i, 'T', 't') ||
	    digits(s, n, &i, 2, &hh) || expect(s, n, &i, ':', ':') || digits(s, n, &i, 2, &mi) ||
	    expect(s, n, &i, ':', ':') || digits(s, n, &i, 2, &ss))
		return ERR_PARSE;
	if (i < n && s[i] == '.') {
		unsigned nd = 0;
		int32_t scale = 100000000;

		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (nd == 9)
				return ERR_PARSE;
			nsec += (int32_t)(s[i] - '0') * scale;
			scale /= 10;
			nd++;
			i++;
		}
		if (nd == 0)
			return ERR_PARSE;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '+' ? 1 : -1;
		i++;
		if (digits(s, n, &i, 2, &oh) || expect(s, n, &i, ':', ':') || digits(s, n, &i, 2, &om))
			return ERR_PARSE;
	} else {
		return ERR_PARSE;
	}
	if (i != n)
		return ERR_PARSE;
	if (mo < 1 || mo > 12 || dy < 1 || dy > days_in_month(yr, mo) || hh > 23 || mi > 59 || ss > 59 || oh > 23 ||
	    om > 59)
		range_err = 1;
	if (range_err)
		return ERR_RANGE;
	sec = time_days_from_civil(yr, mo, dy) * 86400 + (int64_t)hh * 3600 + mi * 60 + ss;
	sec -= (int64_t)sign * ((int64_t)oh * 3600 + om * 60);
	/* After normalisation the instant must still print as a 4-digit year. */
	if (sec < time_days_from_civil(0, 1, 1) * 86400 || sec >= time_days_from_civil(10000, 1, 1) * 86400)
		return ERR_RANGE;
	out->sec = sec;
	out->nsec = nsec;
	return 0;
}

static size_t format(struct tstamp t, char *out, int frac)
{
	int64_t days = t.sec >= 0 ? t.sec / 86400 : -((-t.sec + 86399) / 86400);
	int64_t rem = t.sec - days * 86400, y;
	unsigned m, d;
	int n;

	time_civil_from_days(days, &y, &m, &d);
	n = snprintf(out, TIME_RFC3339_MAX, "%04lld-%02u-%02uT%02u:%02u:%02u", (long long)y, m, d,
		     (unsigned)(rem / 3600), (unsigned)(rem % 3600 / 60), (unsigned)(rem % 60));
	if (frac && t.nsec) {
		if (t.nsec % 1000000 == 0)
			n += snprintf(out + n, TIME_RFC3339_MAX - (size_t)n, ".%03d", t.nsec / 1000000);
		else if (t.nsec % 1000 == 0)
			n += snprintf(out + n, TIME_RFC3339_MAX - (size_t)n, ".%06d", t.nsec / 1000);
		else
			n += snprintf(out + n, TIME_RFC3339_MAX - (size_t)n, ".%09d", t.nsec);
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return (size_t)n;
}

size_t time_rfc3339_format(struct tstamp t, char *out)
{
	return format(t, out, 1);
}

size_t time_rfc3339_format_sec(struct tstamp t, char *out)
{
	return format(t, out, 0);
}

struct tstamp time_now(void)
{
	struct timespec ts;
	struct tstamp t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t.sec = ts.tv_sec;
	t.nsec = (int32_t)ts.tv_nsec;
	return t;
}

uint64_t time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int time_cmp(struct tstamp a, struct tstamp b)
{
	if (a.sec != b.sec)
		return a.sec < b.sec ? -1 : 1;
	if (a.nsec != b.nsec)
		return a.nsec < b.nsec ? -1 : 1;
	return 0;
}
