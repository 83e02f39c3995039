/*
 * test_core.c: slices, number parsing, UTF-8, encodings, time and the
 * bounded buffer, table-driven.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

static void
test_parse_u64(void **state)
{
    static const struct {
        const char *in;
        uint64_t max;
        enum gh_err err;
        uint64_t want;
    } cases[] = {
        {"0", 10, GH_OK, 0},
        {"10", 10, GH_OK, 10},
        {"11", 10, GH_ERR_VALIDATION, 0},
        {"", 10, GH_ERR_VALIDATION, 0},
        {"-1", 10, GH_ERR_VALIDATION, 0},
        {" 1", 10, GH_ERR_VALIDATION, 0},
        {"1a", 10, GH_ERR_VALIDATION, 0},
        {"18446744073709551615", UINT64_MAX, GH_OK, UINT64_MAX},
        {"18446744073709551616", UINT64_MAX, GH_ERR_VALIDATION, 0},
        {"604800", 604800, GH_OK, 604800},
        {"604801", 604800, GH_ERR_VALIDATION, 0},
        {"9", 5, GH_ERR_VALIDATION, 0}, /* a digit above max once wrapped max - d */
        {"99", 6, GH_ERR_VALIDATION, 0},
        {"5", 5, GH_OK, 5},
    };
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        uint64_t v = 99;
        assert_int_equal(gh_parse_u64(gh_slice_from_cstr(cases[i].in), cases[i].max, &v),
                         cases[i].err);
        assert_true(v == cases[i].want);
    }
}

static void
test_parse_i64(void **state)
{
    int64_t v;

    (void)state;
    assert_int_equal(gh_parse_i64(GH_S("-5"), -10, 10, &v), GH_OK);
    assert_true(v == -5);
    assert_int_equal(gh_parse_i64(GH_S("-11"), -10, 10, &v), GH_ERR_VALIDATION);
    assert_int_equal(gh_parse_i64(GH_S("11"), -10, 10, &v), GH_ERR_VALIDATION);
    assert_int_equal(gh_parse_i64(GH_S("-9223372036854775808"), INT64_MIN, INT64_MAX, &v), GH_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(gh_parse_i64(GH_S("9223372036854775808"), INT64_MIN, INT64_MAX, &v),
                     GH_ERR_VALIDATION);
    assert_int_equal(gh_parse_i64(GH_S("-"), -10, 10, &v), GH_ERR_VALIDATION);
}

/* Files beside the binary: the test binary's own directory, and a buffer too small. */
static void
test_path_beside_exe(void **state)
{
    char out[4096], small[4];
    const char *slash;

    (void)state;
    assert_int_equal(gh_path_beside_exe("console/index.html", out, sizeof(out)), GH_OK);
    slash = strrchr(out, '/');
    assert_non_null(slash);
    assert_string_equal(slash, "/index.html");
    assert_non_null(strstr(out, "/console/index.html"));
    assert_int_equal(out[0], '/');
    assert_int_equal(gh_path_beside_exe("console/index.html", small, sizeof(small)),
                     GH_ERR_TOO_LARGE);
    assert_string_equal(small, "");
}

/* The AWS name charsets: letters, digits and the extra set; never NUL. */
static void
test_is_charset(void **state)
{
    (void)state;
    assert_true(gh_slice_is_charset(GH_S("Bob_1+=,.@-"), "_+=,.@-"));
    assert_true(gh_slice_is_charset(GH_S(""), "_+=,.@-"));
    assert_false(gh_slice_is_charset(GH_S("bob admin"), "_+=,.@-"));
    assert_false(gh_slice_is_charset(GH_S("bob/x"), "_+=,.@-"));
    /* strchr(set, 0) finds the terminator: the helper must not. */
    assert_false(gh_slice_is_charset((struct gh_slice){"ab\0cd", 5}, "_+=,.@-"));
    assert_false(gh_slice_is_charset((struct gh_slice){"\0", 1}, ""));
    assert_false(gh_slice_is_charset(GH_S("caf\xc3\xa9"), "_"));
}

static void
test_utf8(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        bool ok;
    } cases[] = {
        {"plain", 5, true},
        {"caf\xc3\xa9", 5, true},
        {"\xe2\x82\xac", 3, true},
        {"\xf0\x9f\x98\x80", 4, true},
        {"\xc3", 1, false},             /* truncated */
        {"\xc0\xaf", 2, false},         /* overlong */
        {"\xe0\x80\xaf", 3, false},     /* overlong */
        {"\xed\xa0\x80", 3, false},     /* surrogate */
        {"\xf4\x90\x80\x80", 4, false}, /* above U+10FFFF */
        {"\xff", 1, false},
        {"a\xe2\x82", 3, false},
    };
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++)
        assert_int_equal(gh_utf8_is_valid((struct gh_slice){cases[i].in, cases[i].len}),
                         cases[i].ok);
}

/* The one decoder: each boundary of each sequence length, and what it refuses. */
static void
test_utf8_next(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        int32_t cp; /* -1: refused */
        size_t used;
    } cases[] = {
        {"\x00", 1, 0, 1},
        {"\x7f", 1, 0x7F, 1},
        {"\xc2\x80", 2, 0x80, 2},
        {"\xdf\xbf", 2, 0x7FF, 2},
        {"\xe0\xa0\x80", 3, 0x800, 3},
        {"\xed\x9f\xbf", 3, 0xD7FF, 3}, /* last before the surrogates */
        {"\xee\x80\x80", 3, 0xE000, 3}, /* first after them */
        {"\xef\xbf\xbf", 3, 0xFFFF, 3},
        {"\xf0\x90\x80\x80", 4, 0x10000, 4},
        {"\xf4\x8f\xbf\xbf", 4, 0x10FFFF, 4},
        {"\xc0\x80", 2, -1, 0},         /* overlong NUL */
        {"\xc1\xbf", 2, -1, 0},         /* overlong */
        {"\xe0\x9f\xbf", 3, -1, 0},     /* overlong U+07FF */
        {"\xf0\x8f\xbf\xbf", 4, -1, 0}, /* overlong U+FFFF */
        {"\xed\xa0\x80", 3, -1, 0},     /* U+D800 */
        {"\xed\xbf\xbf", 3, -1, 0},     /* U+DFFF */
        {"\xf4\x90\x80\x80", 4, -1, 0}, /* U+110000 */
        {"\xf5\x80\x80\x80", 4, -1, 0},
        {"\x80", 1, -1, 0},         /* stray continuation */
        {"\xe2\x82", 2, -1, 0},     /* cut short */
        {"\xe2\x28\xa1", 3, -1, 0}, /* bad continuation */
        {"\xfe", 1, -1, 0},
    };
    size_t i;
    struct gh_slice two = GH_S("a\xc3\xa9");

    (void)state;
    for (size_t k = 0; k < GH_ARRAY_LEN(cases); k++) {
        i = 0;
        assert_int_equal(gh_utf8_next((struct gh_slice){cases[k].in, cases[k].len}, &i),
                         cases[k].cp);
        assert_int_equal(i, cases[k].used);
    }
    /* Walks a string code point by code point; nothing past the end. */
    i = 0;
    assert_int_equal(gh_utf8_next(two, &i), 'a');
    assert_int_equal(gh_utf8_next(two, &i), 0xE9);
    assert_int_equal(i, 3);
    assert_int_equal(gh_utf8_next(two, &i), -1);
    assert_int_equal(i, 3);
    /* A sequence that starts inside the slice but ends past it is cut short. */
    i = 0;
    assert_int_equal(gh_utf8_next((struct gh_slice){"\xc3\xa9", 1}, &i), -1);
}

static void
test_split_trim(void **state)
{
    struct gh_slice s = GH_S("a/b//c"), h;

    (void)state;
    assert_true(gh_slice_split(&s, '/', &h) && gh_slice_eq_cstr(h, "a"));
    assert_true(gh_slice_split(&s, '/', &h) && gh_slice_eq_cstr(h, "b"));
    assert_true(gh_slice_split(&s, '/', &h) && gh_slice_eq_cstr(h, ""));
    assert_true(gh_slice_split(&s, '/', &h) && gh_slice_eq_cstr(h, "c"));
    assert_false(gh_slice_split(&s, '/', &h));
    assert_true(gh_slice_eq_cstr(gh_slice_trim(GH_S(" \t x y \t")), "x y"));
    assert_true(gh_slice_case_eq(GH_S("Content-Type"), GH_S("content-type")));
    assert_true(gh_slice_cmp(GH_S("ab"), GH_S("abc")) < 0);
}

static void
test_base64_hex(void **state)
{
    static const struct {
        const char *raw, *b64;
    } cases[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foobar", "Zm9vYmFy"},
    };
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_buf b, d;
        gh_buf_init(&b, 0);
        gh_buf_init(&d, 0);
        assert_int_equal(gh_base64_encode(&b, (const uint8_t *)cases[i].raw, strlen(cases[i].raw)),
                         GH_OK);
        assert_true(gh_slice_eq_cstr(gh_buf_slice(&b), cases[i].b64));
        assert_int_equal(gh_base64_decode(gh_buf_slice(&b), false, &d), GH_OK);
        assert_true(gh_slice_eq_cstr(gh_buf_slice(&d), cases[i].raw));
        gh_buf_cleanup(&b);
        gh_buf_cleanup(&d);
    }
    struct gh_buf d;
    gh_buf_init(&d, 0);
    assert_int_equal(gh_base64_decode(GH_S("Zg="), false, &d), GH_ERR_VALIDATION);
    gh_buf_reset(&d);
    assert_int_equal(gh_base64_decode(GH_S("Zh=="), false, &d), GH_ERR_VALIDATION); /* not canonical */
    gh_buf_reset(&d);
    assert_int_equal(gh_base64_decode(GH_S("Z!=="), false, &d), GH_ERR_VALIDATION);
    gh_buf_cleanup(&d);

    uint8_t bytes[3];
    char hex[6];
    assert_int_equal(gh_hex_decode(GH_S("0aFf10"), bytes, 3), GH_OK);
    gh_hex_encode(bytes, 3, hex);
    assert_memory_equal(hex, "0aff10", 6);
    assert_int_equal(gh_hex_decode(GH_S("0aFf1"), bytes, 3), GH_ERR_VALIDATION);
    assert_int_equal(gh_hex_decode(GH_S("0aFf1g"), bytes, 3), GH_ERR_VALIDATION);
}

static void
test_uri(void **state)
{
    struct gh_buf b;
    struct gh_arena a;
    struct gh_slice out;

    (void)state;
    gh_buf_init(&b, 0);
    assert_int_equal(gh_uri_encode(&b, GH_S("a b/c~d*e+\xc3\xa9"), false), GH_OK);
    assert_true(gh_slice_eq_cstr(gh_buf_slice(&b), "a%20b%2Fc~d%2Ae%2B%C3%A9"));
    gh_buf_reset(&b);
    assert_int_equal(gh_uri_encode(&b, GH_S("/a b/"), true), GH_OK);
    assert_true(gh_slice_eq_cstr(gh_buf_slice(&b), "/a%20b/"));
    gh_buf_cleanup(&b);

    gh_arena_init(&a);
    assert_int_equal(gh_uri_decode(&a, GH_S("a+b%2Fc"), true, &out), GH_OK);
    assert_true(gh_slice_eq_cstr(out, "a b/c"));
    assert_int_equal(gh_uri_decode(&a, GH_S("a+b"), false, &out), GH_OK);
    assert_true(gh_slice_eq_cstr(out, "a+b"));
    assert_int_equal(gh_uri_decode(&a, GH_S("%4"), true, &out), GH_ERR_MALFORMED_QUERY);
    assert_int_equal(gh_uri_decode(&a, GH_S("%zz"), true, &out), GH_ERR_MALFORMED_QUERY);
    gh_arena_cleanup(&a);
}

static void
test_time(void **state)
{
    static const struct {
        const char *in;
        enum gh_err err;
        int64_t want;
    } iso[] = {
        {"2015-08-30T12:36:00Z", GH_OK, 1440938160},
        {"2015-08-30", GH_OK, 1440892800},
        {"2015-08-30T12:36:00.123Z", GH_OK, 1440938160},
        {"2015-08-30T14:36:00+02:00", GH_OK, 1440938160},
        {"2016-02-29T00:00:00Z", GH_OK, 1456704000},
        {"2015-02-29T00:00:00Z", GH_ERR_VALIDATION, 0},
        {"2015-13-01", GH_ERR_VALIDATION, 0},
        {"2015-08-30T25:00:00Z", GH_ERR_VALIDATION, 0},
        {"2015-08-30T12:36:00Zjunk", GH_ERR_VALIDATION, 0},
        {"not a date", GH_ERR_VALIDATION, 0},
    };
    int64_t t;
    char buf[21], amz[17];

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(iso); i++) {
        assert_int_equal(gh_time_parse_iso8601(gh_slice_from_cstr(iso[i].in), &t), iso[i].err);
        assert_true(t == iso[i].want);
    }
    assert_int_equal(gh_time_parse_amz(GH_S("20150830T123600Z"), &t), GH_OK);
    assert_true(t == 1440938160);
    assert_int_equal(gh_time_parse_amz(GH_S("20150830T123600"), &t), GH_ERR_VALIDATION);
    assert_int_equal(gh_time_parse_amz(GH_S("20150230T123600Z"), &t), GH_ERR_VALIDATION);
    gh_time_iso8601(1440938160, buf);
    assert_string_equal(buf, "2015-08-30T12:36:00Z");
    gh_time_amz(1440938160, amz);
    assert_string_equal(amz, "20150830T123600Z");
}

/* The one HTTP-date parser (SigV4 Date header, S3 conditional requests). */
static void
test_time_http(void **state)
{
    static const struct {
        const char *in;
        enum gh_err err;
        int64_t want;
    } cases[] = {
        {"Sun, 30 Aug 2015 12:36:00 GMT", GH_OK, 1440938160},
        {"  Sun, 30 Aug 2015 12:36:00 GMT\t", GH_OK, 1440938160}, /* header OWS */
        {"Mon, 30 Aug 2015 12:36:00 GMT", GH_OK, 1440938160},     /* day name redundant */
        {"Thu, 01 Jan 1970 00:00:00 GMT", GH_OK, 0},
        {"Mon, 29 Feb 2016 00:00:00 GMT", GH_OK, 1456704000},    /* leap day */
        {"Tue, 29 Feb 2000 00:00:00 GMT", GH_OK, 951782400},     /* 400-year leap */
        {"Fri, 31 Dec 2027 23:59:60 GMT", GH_OK, 1830297600},    /* leap second */
        {"Sat, 29 Feb 2015 00:00:00 GMT", GH_ERR_VALIDATION, 0}, /* not a leap year */
        {"Thu, 29 Feb 1900 00:00:00 GMT", GH_ERR_VALIDATION, 0}, /* century, not leap */
        {"Xyz, 30 Aug 2015 12:36:00 GMT", GH_ERR_VALIDATION, 0}, /* bad day name */
        {"sun, 30 Aug 2015 12:36:00 GMT", GH_ERR_VALIDATION, 0}, /* names are case-sensitive */
        {"Sun, 30 aug 2015 12:36:00 GMT", GH_ERR_VALIDATION, 0},
        {"Sun, 30 Agu 2015 12:36:00 GMT", GH_ERR_VALIDATION, 0}, /* bad month */
        {"Sun, 00 Aug 2015 12:36:00 GMT", GH_ERR_VALIDATION, 0}, /* day 0 */
        {"Sun, 31 Sep 2015 12:36:00 GMT", GH_ERR_VALIDATION, 0}, /* day 31 of a 30-day month */
        {"Sun, 30 Aug 2015 24:00:00 GMT", GH_ERR_VALIDATION, 0},
        {"Sun, 30 Aug 2015 12:60:00 GMT", GH_ERR_VALIDATION, 0},
        {"Sun, 30 Aug 2015 12:36:61 GMT", GH_ERR_VALIDATION, 0},
        {"Sun, 3a Aug 2015 12:36:00 GMT", GH_ERR_VALIDATION, 0}, /* not digits */
        {"Sun, 30 Aug 2015 12:36:00 UTC", GH_ERR_VALIDATION, 0},
        {"Sun, 30 Aug 2015 12:36:00XGMT", GH_ERR_VALIDATION, 0},  /* was accepted by S3's copy */
        {"Sun, 30 Aug 2015 12:36:00 GMTx", GH_ERR_VALIDATION, 0}, /* trailing garbage */
        {"Sun, 30 Aug 2015 12:36:00 GMT x", GH_ERR_VALIDATION, 0},
        {"Sun, 30 Aug 2015 12:36:00", GH_ERR_VALIDATION, 0},
        {"Sunday, 30-Aug-15 12:36:00 GMT", GH_ERR_VALIDATION, 0}, /* RFC 850: obsolete */
        {"Sun Aug 30 12:36:00 2015", GH_ERR_VALIDATION, 0},       /* asctime: obsolete */
        {"2015-08-30T12:36:00Z", GH_ERR_VALIDATION, 0},
        {"", GH_ERR_VALIDATION, 0},
    };
    int64_t t;
    char out[30];

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        t = -1;
        assert_int_equal(gh_time_parse_http(gh_slice_from_cstr(cases[i].in), &t), cases[i].err);
        assert_true(t == cases[i].want);
    }
    gh_time_http(1440938160, out);
    assert_string_equal(out, "Sun, 30 Aug 2015 12:36:00 GMT");
    gh_time_http(0, out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    gh_time_http(1456704000, out);
    assert_string_equal(out, "Mon, 29 Feb 2016 00:00:00 GMT");
    assert_int_equal(gh_time_parse_http(gh_slice_from_cstr(out), &t), GH_OK);
    assert_true(t == 1456704000);
}

static void
test_buf_limits(void **state)
{
    struct gh_buf b;

    (void)state;
    gh_buf_init(&b, 8);
    assert_int_equal(gh_buf_append_cstr(&b, "12345678"), GH_OK);
    assert_int_equal(gh_buf_append_cstr(&b, "9"), GH_ERR_TOO_LARGE);
    gh_buf_puts(&b, "x"); /* sticky: ignored */
    assert_int_equal(gh_buf_status(&b), GH_ERR_TOO_LARGE);
    assert_int_equal(b.len, 8);
    gh_buf_reset(&b);
    assert_int_equal(gh_buf_printf(&b, "%d-%s", 42, "ab"), GH_OK);
    assert_string_equal(b.ptr, "42-ab");
    gh_buf_cleanup(&b);

    gh_buf_init(&b, 0);
    gh_xml_escape(&b, GH_S("a<b>&\"'\r"));
    assert_string_equal(b.ptr, "a&lt;b&gt;&amp;&quot;&apos;&#x0d;");
    gh_buf_cleanup(&b);

    /*
     * Never XML 1.0 can't carry (XML 1.0 section 2.2 Char): C0 controls but
     * tab/LF/CR, U+FFFE/U+FFFF, and bytes that are not UTF-8 become U+FFFD;
     * everything else passes as it is.
     */
    {
        static const struct {
            const char *in;
            size_t len;
            const char *out;
            bool text;
        } cases[] = {
            {"a\0b", 3,
             "a\xEF\xBF\xBD"
             "b",
             false},
            {"\x01\x08\x0b\x0c\x1f", 5,
             "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", false},
            {"t\tn\n", 4, "t\tn\n", true},
            {"\r", 1, "&#x0d;", true},
            {"\x7f caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBD", 20,
             "\x7f caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBD", true},
            {"\xEF\xBF\xBE|\xEF\xBF\xBF", 7, "\xEF\xBF\xBD|\xEF\xBF\xBD", false},
            {"\xff\xc3", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", false}, /* not UTF-8; truncated */
            {"\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", false}, /* overlong '/' */
            {"\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", false}, /* surrogate */
            {"<\x01>", 3, "&lt;\xEF\xBF\xBD&gt;", false},
        };
        for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
            struct gh_slice in = {cases[i].in, cases[i].len};
            gh_buf_init(&b, 0);
            gh_xml_escape(&b, in);
            assert_int_equal(gh_buf_status(&b), GH_OK);
            assert_int_equal(b.len, strlen(cases[i].out));
            assert_memory_equal(b.ptr, cases[i].out, b.len);
            assert_int_equal(gh_xml_is_text(in), cases[i].text);
            /* The output itself is always text XML can carry. */
            assert_true(gh_xml_is_text(gh_buf_slice(&b)));
            gh_buf_cleanup(&b);
        }
    }
}

static void
test_arena(void **state)
{
    struct gh_arena a;
    char *p;

    (void)state;
    gh_arena_init(&a);
    for (int i = 0; i < 1000; i++) {
        p = gh_arena_alloc(&a, 100);
        assert_non_null(p);
        assert_true(((uintptr_t)p & 15) == 0);
        assert_int_equal(p[99], 0);
    }
    p = gh_arena_printf(&a, "%s-%d", "x", 7);
    assert_string_equal(p, "x-7");
    a.max_total = a.used_total + 64;
    assert_null(gh_arena_alloc(&a, 1024)); /* over the cap */
    gh_arena_cleanup(&a);
}

/*
 * This test is linked with -Wl,--wrap=free (CMakeLists.txt): every free()
 * in gatehouse's code comes here first, so a test can look at a block's
 * bytes as they are handed back to the allocator.
 */
void __real_free(void *p);
void __wrap_free(void *p);

static struct {
    struct gh_slice secret; /* ptr NULL: not watching */
    int freed;              /* blocks freed while watching */
    int leaked;             /* ... that still held `secret` */
} watch;

static bool
has_bytes(const unsigned char *p, size_t n, struct gh_slice s)
{
    for (size_t i = 0; i + s.len <= n; i++)
        if (memcmp(p + i, s.ptr, s.len) == 0)
            return true;
    return false;
}

void
__wrap_free(void *p)
{
    if (p != NULL && watch.secret.ptr != NULL) {
        watch.freed++;
        if (has_bytes(p, malloc_usable_size(p), watch.secret))
            watch.leaked++;
    }
    __real_free(p);
}

static void
watch_start(struct gh_slice secret)
{
    watch.secret = secret;
    watch.freed = 0;
    watch.leaked = 0;
}

static void
test_arena_wipes_before_free(void **state)
{
    static const char pw[] = "Corr3ct-Horse-Battery-Staple!"; /* a form-decoded password */
    struct gh_slice secret = GH_S(pw), copy;
    struct gh_arena a;
    char *big, *plain;
    /* Called through volatile pointers, or the compiler drops the unused block. */
    void *(*volatile alloc)(size_t) = malloc;
    void (*volatile release)(void *) = free;

    (void)state;
    /* The watch itself: a block freed with the secret in it is seen. */
    plain = alloc(64);
    assert_non_null(plain);
    memcpy(plain + 7, pw, secret.len);
    watch_start(secret);
    release(plain);
    watch.secret = GH_SLICE_NULL;
    assert_int_equal(watch.freed, 1);
    assert_int_equal(watch.leaked, 1);

    /* A small copy in the first chunk, another in a chunk of its own. */
    gh_arena_init(&a);
    assert_non_null(gh_arena_alloc(&a, 40));
    assert_int_equal(gh_arena_dup(&a, secret, &copy), GH_OK);
    big = gh_arena_alloc(&a, (size_t)64 * 1024);
    assert_non_null(big);
    memcpy(big + 1000, pw, secret.len);
    watch_start(secret);
    gh_arena_cleanup(&a);
    watch.secret = GH_SLICE_NULL;
    assert_int_equal(watch.freed, 2);
    assert_int_equal(watch.leaked, 0);
    assert_null(a.head);
}

static void
test_buf_wipes_before_free(void **state)
{
    static const char pw[] = "Password=Tr0ub4dor%263"; /* a request body, as received */
    struct gh_slice secret = GH_S(pw);
    struct gh_buf b;

    (void)state;
    gh_buf_init(&b, 0);
    assert_int_equal(gh_buf_append_slice(&b, secret), GH_OK);
    watch_start(secret);
    for (int i = 0; i < 64; i++) /* grows past its first block: the old one is freed */
        assert_int_equal(gh_buf_append(&b, "0123456789abcdef", 16), GH_OK);
    gh_buf_cleanup(&b);
    watch.secret = GH_SLICE_NULL;
    assert_true(watch.freed >= 2);
    assert_int_equal(watch.leaked, 0);
}

static void
test_err_table(void **state)
{
    (void)state;
    assert_string_equal(gh_err_info(GH_ERR_NOT_FOUND)->code, "NoSuchEntity");
    assert_int_equal(gh_err_info(GH_ERR_NOT_FOUND)->http_status, 404);
    assert_string_equal(gh_err_info(GH_ERR_SIGNATURE)->code, "SignatureDoesNotMatch");
    assert_int_equal(gh_err_info(GH_ERR_ACCESS_DENIED)->http_status, 403);
    assert_false(gh_err_info(GH_ERR_INTERNAL)->sender);
    assert_string_equal(gh_err_info((enum gh_err)-999)->code, "InternalFailure");
}

/*
 * SipHash-2-4 reference vectors (the SipHash paper's vectors.h, vectors_sip64):
 * key 00 01 .. 0f, message 00 01 .. (i-1) for i = 0..63, output as a
 * little-endian 64-bit integer. The paper's worked example is i = 15.
 */
static const uint64_t siphash_vectors[64] = {
    0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
    0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
    0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
    0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
    0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
    0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
    0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
    0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
    0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
    0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
    0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
    0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
    0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
    0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
    0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
    0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

static void
test_siphash(void **state)
{
    uint8_t key[GH_SIPHASH_KEY_LEN], msg[64];

    (void)state;
    for (unsigned i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)i;
    for (unsigned i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)i;
    assert_true(siphash_vectors[15] == 0xa129ca6149be45e5ULL);
    for (size_t i = 0; i < 64; i++)
        assert_true(gh_siphash24(key, (struct gh_slice){(const char *)msg, i}) ==
                    siphash_vectors[i]);
    /* Another key, another hash. */
    key[0] ^= 1;
    assert_true(gh_siphash24(key, (struct gh_slice){(const char *)msg, 15}) != siphash_vectors[15]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_next),
        cmocka_unit_test(test_is_charset),
        cmocka_unit_test(test_path_beside_exe),
        cmocka_unit_test(test_split_trim),
        cmocka_unit_test(test_base64_hex),
        cmocka_unit_test(test_uri),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_time_http),
        cmocka_unit_test(test_buf_limits),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_err_table),
        cmocka_unit_test(test_arena_wipes_before_free),
        cmocka_unit_test(test_buf_wipes_before_free),
        cmocka_unit_test(test_siphash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
