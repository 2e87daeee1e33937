/*
 * time.c - libffc's dates: ISO 8601 and RFC 3339 dates and times to Unix
 * milliseconds (a time without an offset is UTC), and back as UTC, by
 * arithmetic (no time zone database, no locale).
 */
#include <stdio.h>
#include <string.h>

#include "ffc/ffc.h"

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int ffc_parse_time(const char *s, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, frac_ms = 0, offset_min = 0;
	if (!s || !ms)
		return FFC_EINVAL;
	size_t n = strlen(s);
	if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return FFC_EINVAL;
	const char *p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (strlen(p) < 6 || digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi))
			return FFC_EINVAL;
		p += 6;
		if (*p == ':') {
			if (digits(p + 1, 2, &sec))
				return FFC_EINVAL;
			p += 3;
			/* A fraction of a second, to the millisecond (RFC 3339
			 * allows any number of digits; nanoseconds are the most
			 * any writer gives). */
			if (*p == '.') {
				int k = 0;
				for (p++; *p >= '0' && *p <= '9'; p++, k++)
					if (k < 3)
						frac_ms = frac_ms * 10 + (*p - '0');
				if (k == 0 || k > 9)
					return FFC_EINVAL;
				for (; k < 3; k++)
					frac_ms *= 10;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (strlen(p) < 6 || digits(p + 1, 2, &oh) || p[3] != ':' ||
			    digits(p + 4, 2, &om) || oh > 23 || om > 59)
				return FFC_EINVAL;
			offset_min = (*p == '-' ? -1 : 1) * (oh * 60 + om);
			p += 6;
		}
	}
	if (*p != '\0')
		return FFC_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
		return FFC_EINVAL;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	*ms = ((days * 24 + h) * 60 + mi - offset_min) * INT64_C(60000) + sec * INT64_C(1000) +
	      frac_ms;
	return FFC_OK;
}

void ffc_format_time(int64_t ms, char *buf, size_t len)
{
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	/* civil_from_days */
	int64_t z = days + 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned d = doy - (153 * mp + 2) / 5 + 1;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, len, "%04lld-%02u-%02u %02d:%02d", (long long)y, m, d, (int)(rem / 3600),
	         (int)(rem % 3600 / 60));
}
