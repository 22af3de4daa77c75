/* SPDX-License-Identifier: MIT */
/*
 * timeutil: RFC 3339 timestamps without libc's gmtime/localtime. A timestamp is seconds since the
 * Unix epoch (UTC) plus nanoseconds. Parsing accepts "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)"
 * (T and Z in either case), checks every field's range (calendar days, leap years) and normalises
 * the offset away. Formatting always writes UTC with "Z".
 */
#ifndef COMMON_TIMEUTIL_H
#define COMMON_TIMEUTIL_H
#include <stddef.h>
#include <stdint.h>

struct tstamp {
	int64_t sec;  /* seconds since 1970-01-01T00:00:00Z */
	int32_t nsec; /* 0..999999999 */
};

#define TIME_RFC3339_MAX 40 /* buffer size that fits any formatted timestamp and its NUL */

/* Parse s[0..n). 0 on success; ERR_PARSE for bad syntax, ERR_RANGE for a field out of range
 * (month 13, Feb 30, hour 24, offset 24:00, year out of 0000..9999 after normalisation). */
int time_rfc3339_parse(const char *s, size_t n, struct tstamp *out);
/* Format as UTC "Z" with 0, 3, 6 or 9 fraction digits, the fewest that keep the value exact
 * (protojson style). out must hold TIME_RFC3339_MAX bytes. Returns the length written. */
size_t time_rfc3339_format(struct tstamp t, char *out);
/* Format as UTC with whole seconds ("2006-01-02T15:04:05Z"), the fraction truncated. */
size_t time_rfc3339_format_sec(struct tstamp t, char *out);
/* Current wall-clock time (CLOCK_REALTIME). */
struct tstamp time_now(void);
/* Monotonic clock in nanoseconds, for latencies. */
uint64_t time_mono_ns(void);
/* -1, 0, 1 as a is before, equal to, after b. */
int time_cmp(struct tstamp a, struct tstamp b);
/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d);
void time_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
