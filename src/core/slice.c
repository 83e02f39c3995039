/*
 * slice.c: borrowed byte ranges: comparison, splitting, number parsing
 * and UTF-8 validation, none of which needs a NUL terminator.
 */
#include <string.h>

#include "core/core.h"

struct gh_slice
gh_slice_from_cstr(const char *s)
{
    return s == NULL ? GH_SLICE_NULL : (struct gh_slice){s, strlen(s)};
}

struct gh_slice
gh_slice_sub(struct gh_slice s, size_t off, size_t len)
{
    if (off > s.len)
        off = s.len;
    if (len > s.len - off)
        len = s.len - off;
    return (struct gh_slice){s.ptr == NULL ? NULL : s.ptr + off, len};
}

bool
gh_slice_eq(struct gh_slice a, struct gh_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool
gh_slice_eq_cstr(struct gh_slice a, const char *b)
{
    return gh_slice_eq(a, gh_slice_from_cstr(b));
}

static int
lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool
gh_slice_case_eq(struct gh_slice a, struct gh_slice b)
{
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++)
        if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)b.ptr[i]))
            return false;
    return true;
}

bool
gh_slice_starts_with(struct gh_slice s, struct gh_slice prefix)
{
    return s.len >= prefix.len && gh_slice_eq(gh_slice_sub(s, 0, prefix.len), prefix);
}

bool
gh_slice_ends_with(struct gh_slice s, struct gh_slice suffix)
{
    return s.len >= suffix.len && gh_slice_eq(gh_slice_sub(s, s.len - suffix.len, suffix.len), suffix);
}

int
gh_slice_cmp(struct gh_slice a, struct gh_slice b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n == 0 ? 0 : memcmp(a.ptr, b.ptr, n);

    if (c != 0)
        return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

long
gh_slice_index(struct gh_slice s, char c)
{
    const char *p = s.len == 0 ? NULL : memchr(s.ptr, c, s.len);

    return p == NULL ? -1 : (long)(p - s.ptr);
}

bool
gh_slice_split(struct gh_slice *s, char sep, struct gh_slice *head)
{
    long i;

    if (s->len == 0) {
        *head = *s;
        return false;
    }
    i = gh_slice_index(*s, sep);
    if (i < 0) {
        *head = *s;
        s->ptr += s->len;
        s->len = 0;
        return true;
    }
    *head = (struct gh_slice){s->ptr, (size_t)i};
    s->ptr += i + 1;
    s->len -= (size_t)i + 1;
    return true;
}

struct gh_slice
gh_slice_trim(struct gh_slice s)
{
    while (s.len > 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}

enum gh_err
gh_parse_u64(struct gh_slice s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    *out = 0;
    if (s.len == 0 || s.len > 20)
        return GH_ERR_VALIDATION;
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned char)s.ptr[i] - '0';
        if (d > 9)
            return GH_ERR_VALIDATION;
        if (d > max || v > (max - d) / 10) /* d > max: max - d would wrap */
            return GH_ERR_VALIDATION;
        v = v * 10 + d;
    }
    *out = v;
    return GH_OK;
}

enum gh_err
gh_parse_i64(struct gh_slice s, int64_t min, int64_t max, int64_t *out)
{
    bool neg = s.len > 0 && s.ptr[0] == '-';
    uint64_t mag;
    enum gh_err err;

    *out = 0;
    if (neg)
        s = gh_slice_sub(s, 1, s.len - 1);
    if ((err = gh_parse_u64(s, (uint64_t)INT64_MAX + 1, &mag)) != GH_OK)
        return err;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1 || (mag > 0 && -(int64_t)(mag - 1) - 1 < min))
            return GH_ERR_VALIDATION;
        *out = mag == 0 ? 0 : -(int64_t)(mag - 1) - 1;
        return GH_OK;
    }
    if (mag > (uint64_t)max)
        return GH_ERR_VALIDATION;
    if ((int64_t)mag < min)
        return GH_ERR_VALIDATION;
    *out = (int64_t)mag;
    return GH_OK;
}

bool
gh_slice_is_charset(struct gh_slice s, const char *extra)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
            continue;
        if (ch == '\0' || strchr(extra, ch) == NULL)
            return false;
    }
    return true;
}

int32_t
gh_utf8_next(struct gh_slice s, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s.ptr + *i;
    size_t n, avail = s.len - *i;
    int32_t cp;

    if (*i >= s.len)
        return -1;
    if (p[0] < 0x80) {
        *i += 1;
        return p[0];
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF) { /* 0xC0, 0xC1 only start overlongs */
        n = 1;
        cp = p[0] & 0x1F;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 2;
        cp = p[0] & 0x0F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 3;
        cp = p[0] & 0x07;
    } else {
        return -1;
    }
    if (avail <= n)
        return -1;
    for (size_t k = 1; k <= n; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return -1; /* overlong, beyond U+10FFFF or a surrogate */
    *i += n + 1;
    return cp;
}

bool
gh_utf8_is_valid(struct gh_slice s)
{
    size_t i = 0;

    while (i < s.len)
        if (gh_utf8_next(s, &i) < 0)
            return false;
    return true;
}
