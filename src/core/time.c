/*
 * time.c: clocks and the timestamp formats on the wire: ISO 8601 (XML
 * bodies, policies), the compact SigV4 form (X-Amz-Date) and the HTTP date
 * (Date, Last-Modified, If-Modified-Since).
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

int64_t
gh_now_s(void)
{
    /* time(), not clock_gettime(CLOCK_REALTIME): faketime covers both, and
     * this is the simplest call it intercepts. */
    return (int64_t)time(NULL);
}

int64_t
gh_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
to_tm(int64_t t, struct tm *tm)
{
    time_t tt = (time_t)t;

    memset(tm, 0, sizeof(*tm));
    if (gmtime_r(&tt, tm) == NULL)
        memset(tm, 0, sizeof(*tm));
}

void
gh_time_iso8601(int64_t t, char out[static 21])
{
    struct tm tm;

    to_tm(t, &tm);
    (void)strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
gh_time_amz(int64_t t, char out[static 17])
{
    struct tm tm;

    to_tm(t, &tm);
    (void)strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static const char day_names[] = "SunMonTueWedThuFriSat";
static const char month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static void
put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

void
gh_time_http(int64_t t, char out[static 30])
{
    struct tm tm;
    int y;

    to_tm(t, &tm);
    y = tm.tm_year + 1900;
    if (y < 0 || y > 9999) { /* not representable in the 4-digit form */
        to_tm(0, &tm);
        y = 1970;
    }
    /* Names spelt here, not by strftime's %a/%b: they must not follow the locale. */
    memcpy(out, "Thu, 01 Jan 1970 00:00:00 GMT", 30);
    memcpy(out, day_names + 3 * (tm.tm_wday % 7), 3);
    put2(out + 5, tm.tm_mday);
    memcpy(out + 8, month_names + 3 * (tm.tm_mon % 12), 3);
    put2(out + 12, y / 100);
    put2(out + 14, y % 100);
    put2(out + 17, tm.tm_hour);
    put2(out + 20, tm.tm_min);
    put2(out + 23, tm.tm_sec);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
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

static bool
is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool
valid_date(int64_t y, unsigned m, unsigned d)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && is_leap(y) ? 1u : 0u);
}

static bool
digits(const char *p, size_t n, unsigned *out)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return true;
}

static int64_t
compose(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
}

enum gh_err
gh_time_parse_amz(struct gh_slice s, int64_t *out)
{
    unsigned y, mo, d, h, mi, sec;
    const char *p = s.ptr;

    *out = 0;
    if (s.len != 16 || p[8] != 'T' || p[15] != 'Z')
        return GH_ERR_VALIDATION;
    if (!digits(p, 4, &y) || !digits(p + 4, 2, &mo) || !digits(p + 6, 2, &d) ||
        !digits(p + 9, 2, &h) || !digits(p + 11, 2, &mi) || !digits(p + 13, 2, &sec))
        return GH_ERR_VALIDATION;
    if (!valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60)
        return GH_ERR_VALIDATION;
    *out = compose(y, mo, d, h, mi, sec);
    return GH_OK;
}

/*
 * RFC 7231 section 7.1.1.1 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT".
 * Names are case-sensitive; the day name must be one of the seven but, being
 * redundant (RFC 7231), is not checked against the date. The obsolete RFC 850
 * and asctime forms are refused: no caller accepted them.
 */
enum gh_err
gh_time_parse_http(struct gh_slice s, int64_t *out)
{
    unsigned y, mo = 0, d, h, mi, sec;
    const char *p;
    bool day_ok = false;

    *out = 0;
    s = gh_slice_trim(s);
    p = s.ptr;
    if (s.len != 29 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' || p[11] != ' ' || p[16] != ' ' ||
        p[19] != ':' || p[22] != ':' || p[25] != ' ' || memcmp(p + 26, "GMT", 3) != 0)
        return GH_ERR_VALIDATION;
    for (unsigned i = 0; i < 7; i++)
        if (memcmp(p, day_names + 3 * i, 3) == 0)
            day_ok = true;
    for (unsigned i = 0; i < 12; i++)
        if (memcmp(p + 8, month_names + 3 * i, 3) == 0)
            mo = i + 1;
    if (!day_ok || mo == 0)
        return GH_ERR_VALIDATION;
    if (!digits(p + 5, 2, &d) || !digits(p + 12, 4, &y) || !digits(p + 17, 2, &h) ||
        !digits(p + 20, 2, &mi) || !digits(p + 23, 2, &sec))
        return GH_ERR_VALIDATION;
    if (!valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60)
        return GH_ERR_VALIDATION;
    *out = compose(y, mo, d, h, mi, sec);
    return GH_OK;
}

enum gh_err
gh_time_parse_iso8601(struct gh_slice s, int64_t *out)
{
    unsigned y, mo, d, h = 0, mi = 0, sec = 0;
    const char *p = s.ptr;
    size_t i;
    int64_t off = 0;

    *out = 0;
    if (s.len < 10 || p[4] != '-' || p[7] != '-')
        return GH_ERR_VALIDATION;
    if (!digits(p, 4, &y) || !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) ||
        !valid_date(y, mo, d))
        return GH_ERR_VALIDATION;
    i = 10;
    if (i < s.len) {
        if (p[i] != 'T' && p[i] != 't' && p[i] != ' ')
            return GH_ERR_VALIDATION;
        i++;
        if (s.len - i < 5 || !digits(p + i, 2, &h) || p[i + 2] != ':' ||
            !digits(p + i + 3, 2, &mi))
            return GH_ERR_VALIDATION;
        i += 5;
        if (i < s.len && p[i] == ':') {
            if (s.len - i < 3 || !digits(p + i + 1, 2, &sec))
                return GH_ERR_VALIDATION;
            i += 3;
            if (i < s.len && p[i] == '.') {
                size_t n = 0;
                i++;
                while (i < s.len && p[i] >= '0' && p[i] <= '9') {
                    i++;
                    n++;
                }
                if (n == 0)
                    return GH_ERR_VALIDATION;
            }
        }
        if (h > 23 || mi > 59 || sec > 60)
            return GH_ERR_VALIDATION;
        if (i < s.len && (p[i] == 'Z' || p[i] == 'z')) {
            i++;
        } else if (i < s.len && (p[i] == '+' || p[i] == '-')) {
            unsigned oh, om;
            int sign = p[i] == '-' ? -1 : 1;
            if (s.len - i < 6 || !digits(p + i + 1, 2, &oh) || p[i + 3] != ':' ||
                !digits(p + i + 4, 2, &om) || oh > 23 || om > 59)
                return GH_ERR_VALIDATION;
            off = sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
            i += 6;
        }
    }
    if (i != s.len)
        return GH_ERR_VALIDATION;
    *out = compose(y, mo, d, h, mi, sec) - off;
    return GH_OK;
}
