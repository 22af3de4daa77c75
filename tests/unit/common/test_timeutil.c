/* SPDX-License-Identifier: MIT */
#include "common/err.h"
#include "common/timeutil.h"
#include "test.h"

static int parse(const char *s, struct tstamp *t)
{
	return time_rfc3339_parse(s, strlen(s), t);
}

static const char *roundtrip(const char *s, char *out)
{
	struct tstamp t;

	if (parse(s, &t) != 0)
		return "(parse error)";
	time_rfc3339_format(t, out);
	return out;
}

TEST(offset_normalised_to_utc)
{
	char out[TIME_RFC3339_MAX];

	ASSERT_EQ_STR(roundtrip("2035-07-06T11:00:00+02:00", out), "2035-07-06T09:00:00Z");
	ASSERT_EQ_STR(roundtrip("2035-07-06T09:00:00Z", out), "2035-07-06T09:00:00Z");
	ASSERT_EQ_STR(roundtrip("2020-01-01T00:30:00-01:00", out), "2020-01-01T01:30:00Z");
	ASSERT_EQ_STR(roundtrip("2020-01-01T00:30:00+01:00", out), "2019-12-31T23:30:00Z");
}

TEST(fraction_uses_3_6_or_9_digits)
{
	char out[TIME_RFC3339_MAX];

	ASSERT_EQ_STR(roundtrip("2026-06-10T16:12:40.263060Z", out), "2026-06-10T16:12:40.263060Z");
	ASSERT_EQ_STR(roundtrip("2027-03-24T15:10:40.879Z", out), "2027-03-24T15:10:40.879Z");
	ASSERT_EQ_STR(roundtrip("2027-03-24T15:10:40.8Z", out), "2027-03-24T15:10:40.800Z");
	ASSERT_EQ_STR(roundtrip("2027-03-24T15:10:40.000000001Z", out), "2027-03-24T15:10:40.000000001Z");
	ASSERT_EQ_STR(roundtrip("2027-03-24T15:10:40.000Z", out), "2027-03-24T15:10:40Z");
	ASSERT_EQ_STR(roundtrip("2027-03-24t15:10:40z", out), "2027-03-24T15:10:40Z");
}

TEST(bad_syntax_is_rejected)
{
	static const char *bad[] = { "",
				     "2035-07-06",
				     "2035-07-06T09:00:00",
				     "2035-07-06 09:00:00Z",
				     "2035-7-06T09:00:00Z",
				     "2035-07-06T09:00:00.Z",
				     "2035-07-06T09:00:00+0200",
				     "2035-07-06T09:00:00Zjunk",
				     "2035-07-06T09:00:00.1234567890Z",
				     "+035-07-06T09:00:00Z",
				     "2035-07-06T09:00:00+02" };
	struct tstamp t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &t) != ERR_PARSE)
			TEST_FAIL_("accepted \"%s\"", bad[i]);
}

TEST(out_of_range_fields_are_rejected)
{
	static const char *bad[] = { "2035-13-06T09:00:00Z",      "2035-00-06T09:00:00Z",
				     "2035-02-29T09:00:00Z",      "2035-04-31T09:00:00Z",
				     "2035-07-06T24:00:00Z",      "2035-07-06T09:60:00Z",
				     "2035-07-06T09:00:60Z",      "2035-07-06T09:00:00+24:00",
				     "0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01" };
	struct tstamp t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &t) != ERR_RANGE)
			TEST_FAIL_("accepted \"%s\"", bad[i]);
}

/* The instants that print with a 4-digit year, exactly: 0000-01-01T00:00:00Z up to the last
 * nanosecond of 9999, after the offset is applied. */
TEST(year_bounds_are_exact)
{
	char out[TIME_RFC3339_MAX];
	struct tstamp t;

	ASSERT_EQ_STR(roundtrip("9999-12-31T23:59:59.999999999Z", out), "9999-12-31T23:59:59.999999999Z");
	ASSERT_EQ_STR(roundtrip("9999-12-31T23:58:59-00:01", out), "9999-12-31T23:59:59Z");
	ASSERT_EQ_INT(parse("9999-12-31T23:59:00-00:01", &t), ERR_RANGE); /* = 10000-01-01T00:00:00Z */
	ASSERT_EQ_STR(roundtrip("0000-01-01T00:00:00Z", out), "0000-01-01T00:00:00Z");
	ASSERT_EQ_STR(roundtrip("0000-01-01T00:01:00+00:01", out), "0000-01-01T00:00:00Z");
	ASSERT_EQ_INT(parse("0000-01-01T00:00:59+00:01", &t), ERR_RANGE); /* one second before year 0 */
}

TEST(leap_days_and_epoch)
{
	struct tstamp t;

	ASSERT_EQ_INT(parse("2024-02-29T00:00:00Z", &t), 0);
	ASSERT_EQ_INT(parse("2000-02-29T00:00:00Z", &t), 0);
	ASSERT_EQ_INT(parse("1900-02-29T00:00:00Z", &t), ERR_RANGE);
	ASSERT_EQ_INT(parse("1970-01-01T00:00:00Z", &t), 0);
	ASSERT_EQ_INT(t.sec, 0);
	ASSERT_EQ_INT(parse("1969-12-31T23:59:59Z", &t), 0);
	ASSERT_EQ_INT(t.sec, -1);
	ASSERT_EQ_INT(parse("2038-01-19T03:14:08Z", &t), 0);
	ASSERT_EQ_INT(t.sec, 2147483648LL);
}

TEST(negative_seconds_format)
{
	char out[TIME_RFC3339_MAX];
	struct tstamp t = { -1, 500000000 };

	time_rfc3339_format(t, out);
	ASSERT_EQ_STR(out, "1969-12-31T23:59:59.500Z");
	time_rfc3339_format_sec(t, out);
	ASSERT_EQ_STR(out, "1969-12-31T23:59:59Z");
}

TEST(civil_days_roundtrip)
{
	int64_t z, y;
	unsigned m, d;

	for (z = -800000; z <= 800000; z += 37) {
		time_civil_from_days(z, &y, &m, &d);
		ASSERT_EQ_INT(time_days_from_civil(y, m, d), z);
	}
}

TEST(compare)
{
	struct tstamp a = { 10, 1 }, b = { 10, 2 }, c = { 11, 0 };

	ASSERT_EQ_INT(time_cmp(a, b), -1);
	ASSERT_EQ_INT(time_cmp(c, b), 1);
	ASSERT_EQ_INT(time_cmp(a, a), 0);
}

int main(void)
{
	RUN(offset_normalised_to_utc);
	RUN(fraction_uses_3_6_or_9_digits);
	RUN(bad_syntax_is_rejected);
	RUN(out_of_range_fields_are_rejected);
	RUN(year_bounds_are_exact);
	RUN(leap_days_and_epoch);
	RUN(negative_seconds_format);
	RUN(civil_days_roundtrip);
	RUN(compare);
	return test_done();
}
