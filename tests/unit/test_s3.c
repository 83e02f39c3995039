/*
 * test_s3.c: the S3 service's parsers: the aws-chunked decoder (framing,
 * chunk signatures with AWS's published example, trailing checksums),
 * Range headers, bucket name rules, ListObjectsV2 continuation tokens,
 * the multipart ETag, x-amz-content-sha256 on header-signed requests and
 * NUL in keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "s3/s3_int.h"

/* ---- aws-chunked decoding into a real sink ---- */

struct fx {
    struct gh_s3 s3;
    struct gh_arena arena;
    struct gh_http_req http;
    struct gh_http_header hdrs[2];
    struct s3_req r;
    char dir[64];
};

/* AWS S3 "Signature Calculations ... Transferring Payload in Multiple Chunks",
 * example: secret, date and the seed signature of its PUT request. */
#define EX_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EX_DATE "20130524T000000Z"
#define EX_SCOPE "20130524/us-east-1/s3/aws4_request"
#define EX_SEED "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
#define EX_SIG1 "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
#define EX_SIG2 "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
#define EX_SIG3 "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"

static void
fx_init(struct fx *f, bool signed_chunks, const char *trailer)
{
    memset(f, 0, sizeof(*f));
    (void)snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-s3-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    (void)snprintf(f->s3.tmp_dir, sizeof(f->s3.tmp_dir), "%s", f->dir);
    gh_arena_init(&f->arena);
    f->http.arena = &f->arena;
    if (trailer != NULL) {
        f->hdrs[0].name = GH_S("x-amz-trailer");
        f->hdrs[0].value = gh_slice_from_cstr(trailer);
        f->http.headers = f->hdrs;
        f->http.nheaders = 1;
    }
    f->r.s3 = &f->s3;
    f->r.http = &f->http;
    f->r.arena = &f->arena;
    f->r.sink.fd = -1;
    gh_buf_init(&f->r.extra, 4096);
    gh_buf_init(&f->r.chunked.trailer, 4096);
    f->r.chunked.signed_chunks = signed_chunks;
    if (signed_chunks) {
        static const char kin[] = "AWS4" EX_SECRET;
        uint8_t k[GH_SHA256_LEN];
        gh_hmac_sha256(kin, strlen(kin), "20130524", 8, k);
        gh_hmac_sha256(k, sizeof(k), "us-east-1", 9, k);
        gh_hmac_sha256(k, sizeof(k), "s3", 2, k);
        gh_hmac_sha256(k, sizeof(k), "aws4_request", 12, f->r.chunked.signing_key);
        memcpy(f->r.chunked.prev_sig, EX_SEED, 65);
        f->r.chunked.amz_date = GH_S(EX_DATE);
        f->r.chunked.scope = GH_S(EX_SCOPE);
    }
    assert_int_equal(s3_sink_open(&f->r), S3_OK);
}

static void
fx_done(struct fx *f)
{
    if (f->r.chunked.chunk_hash_on)
        gh_sha256_cleanup(&f->r.chunked.chunk_hash);
    s3_sink_cleanup(&f->r.sink);
    gh_buf_cleanup(&f->r.extra);
    gh_buf_cleanup(&f->r.chunked.trailer);
    gh_arena_cleanup(&f->arena);
    assert_int_equal(rmdir(f->dir), 0);
}

/* Feeds `in` in pieces of `step` bytes (0: whole), then finishes. */
static enum s3_code
decode(struct fx *f, const char *in, size_t n, size_t step)
{
    enum s3_code code = S3_OK;
    size_t off = 0;

    if (step == 0)
        step = n == 0 ? 1 : n;
    while (off < n && code == S3_OK) {
        size_t take = n - off < step ? n - off : step;
        code = s3_chunked_feed(&f->r, in + off, take);
        off += take;
    }
    if (code == S3_OK)
        code = s3_chunked_finish(&f->r);
    return code;
}

/* The bytes the sink received. */
static size_t
sunk(struct fx *f, char *out, size_t cap)
{
    FILE *fp = fopen(f->r.sink.tmp_path, "rb");
    size_t n;

    assert_non_null(fp);
    n = fread(out, 1, cap, fp);
    (void)fclose(fp);
    return n;
}

static void
test_chunked_framing(void **state)
{
    static const struct {
        const char *in;
        const char *trailer; /* x-amz-trailer header, or NULL */
        enum s3_code code;
        const char *data; /* decoded, when code is S3_OK */
    } cases[] = {
        {"5\r\nhello\r\n0\r\n\r\n", NULL, S3_OK, "hello"},
        {"5\r\nhello\r\n0\r\n", NULL, S3_OK, "hello"}, /* body may stop after the final chunk */
        {"3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n", NULL, S3_OK, "hello"},
        {"A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", NULL, S3_OK, "0123456789abcdefghij"},
        {"5;foo=bar\r\nhello\r\n0\r\n\r\n", NULL, S3_OK, "hello"}, /* unsigned: extension ignored */
        {"0\r\n\r\n", NULL, S3_OK, ""},
        {"5\nhello\r\n0\n\n", NULL, S3_OK, "hello"}, /* bare LF ends a line */
        {"", NULL, S3_INCOMPLETE_BODY, NULL},
        {"5\r\nhell", NULL, S3_INCOMPLETE_BODY, NULL},
        {"5\r\nhello\r\n", NULL, S3_INCOMPLETE_BODY, NULL}, /* no final chunk */
        {"5\r\nhelloX\r\n0\r\n\r\n", NULL, S3_INCOMPLETE_BODY, NULL},
        {"5\r\nhello\rX0\r\n\r\n", NULL, S3_INCOMPLETE_BODY, NULL},
        {"zz\r\nhello\r\n0\r\n\r\n", NULL, S3_INCOMPLETE_BODY, NULL},
        {"\r\nhello\r\n0\r\n\r\n", NULL, S3_INCOMPLETE_BODY, NULL},
        {"-5\r\nhello\r\n0\r\n\r\n", NULL, S3_INCOMPLETE_BODY, NULL},
        {"00000000000000005\r\nhello\r\n0\r\n\r\n", NULL, S3_INCOMPLETE_BODY, NULL}, /* 17 digits */
        {"5\r\nhello\r\n0\r\n\r\nmore", NULL, S3_INCOMPLETE_BODY, NULL},
        {"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n", "x-amz-checksum-crc32", S3_OK,
         "hello"},
        {"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", "x-amz-checksum-crc32",
         S3_BAD_DIGEST, NULL},
        {"5\r\nhello\r\n0\r\nx-amz-checksum-sha256:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=\r\n\r\n",
         "x-amz-checksum-sha256", S3_OK, "hello"},
        {"5\r\nhello\r\n0\r\n\r\n", "x-amz-checksum-crc32", S3_INVALID_REQUEST, NULL},
        {"5\r\nhello\r\n0\r\nx-amz-trailer-signature:" EX_SIG1 "\r\n\r\n", NULL, S3_SIGNATURE,
         NULL}, /* a trailer signature nobody announced */
    };
    static const size_t steps[] = {0, 1, 2, 7};
    char got[256];

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++)
        for (size_t s = 0; s < GH_ARRAY_LEN(steps); s++) {
            struct fx f;
            enum s3_code code;
            fx_init(&f, false, cases[i].trailer);
            code = decode(&f, cases[i].in, strlen(cases[i].in), steps[s]);
            if (code != cases[i].code)
                fail_msg("case %zu step %zu: got %d, want %d", i, steps[s], (int)code,
                         (int)cases[i].code);
            if (code == S3_OK) {
                size_t n = sunk(&f, got, sizeof(got));
                assert_int_equal(n, strlen(cases[i].data));
                assert_memory_equal(got, cases[i].data, n);
                assert_int_equal(f.r.sink.size, n);
            }
            fx_done(&f);
        }
}

static void
test_chunked_line_limit(void **state)
{
    struct fx f;
    char line[700];

    (void)state;
    memset(line, '0', sizeof(line));
    fx_init(&f, false, NULL);
    assert_int_equal(s3_chunked_feed(&f.r, line, sizeof(line)), S3_INCOMPLETE_BODY);
    fx_done(&f);
}

/* AWS's example body: 64 KiB and 1 KiB of 'a', each chunk signed. */
static size_t
example_body(char *out, size_t cap, const char *s1, const char *s2, const char *s3)
{
    size_t n = 0;
    int w;

    w = snprintf(out, cap, "10000;chunk-signature=%s\r\n", s1);
    n += (size_t)w;
    memset(out + n, 'a', 65536);
    n += 65536;
    w = snprintf(out + n, cap - n, "\r\n400;chunk-signature=%s\r\n", s2);
    n += (size_t)w;
    memset(out + n, 'a', 1024);
    n += 1024;
    w = snprintf(out + n, cap - n, "\r\n0;chunk-signature=%s\r\n\r\n", s3);
    n += (size_t)w;
    assert_true(n < cap);
    return n;
}

static void
test_chunked_signatures(void **state)
{
    static const size_t steps[] = {0, 1000, 65536 + 80};
    size_t cap = 70000, n;
    char *body = malloc(cap);
    struct fx f;

    (void)state;
    assert_non_null(body);
    n = example_body(body, cap, EX_SIG1, EX_SIG2, EX_SIG3);
    for (size_t s = 0; s < GH_ARRAY_LEN(steps); s++) {
        fx_init(&f, true, NULL);
        assert_int_equal(decode(&f, body, n, steps[s]), S3_OK);
        assert_int_equal(f.r.sink.size, 66560);
        fx_done(&f);
    }
    /* One altered data byte breaks its chunk's signature. */
    body[100] = 'b';
    fx_init(&f, true, NULL);
    assert_int_equal(decode(&f, body, n, 0), S3_SIGNATURE);
    fx_done(&f);
    body[100] = 'a';
    /* Signatures chain: swapped, wrong, or the final one missing. */
    n = example_body(body, cap, EX_SIG2, EX_SIG1, EX_SIG3);
    fx_init(&f, true, NULL);
    assert_int_equal(decode(&f, body, n, 0), S3_SIGNATURE);
    fx_done(&f);
    n = example_body(body, cap, EX_SIG1, EX_SIG2, EX_SEED);
    fx_init(&f, true, NULL);
    assert_int_equal(decode(&f, body, n, 0), S3_SIGNATURE);
    fx_done(&f);
    n = example_body(body, cap, EX_SIG1, EX_SIG2, "short");
    fx_init(&f, true, NULL);
    assert_int_equal(decode(&f, body, n, 0), S3_SIGNATURE);
    fx_done(&f);
    fx_init(&f, true, NULL);
    assert_int_equal(decode(&f, "5\r\nhello\r\n0\r\n\r\n", 16, 0), S3_SIGNATURE); /* unsigned */
    fx_done(&f);
    /* Cut before the final chunk. */
    n = example_body(body, cap, EX_SIG1, EX_SIG2, EX_SIG3);
    fx_init(&f, true, NULL);
    assert_int_equal(decode(&f, body, n - 90, 0), S3_INCOMPLETE_BODY);
    fx_done(&f);
    free(body);
}

/* ---- Range ---- */

static void
test_range(void **state)
{
    static const struct {
        const char *h;
        uint64_t size;
        enum s3_code code;
        bool has;
        uint64_t off, len;
    } cases[] = {
        {"bytes=0-0", 10, S3_OK, true, 0, 1},
        {"bytes=0-9", 10, S3_OK, true, 0, 10},
        {"bytes=2-5", 10, S3_OK, true, 2, 4},
        {"bytes=5-100", 10, S3_OK, true, 5, 5}, /* end clamped */
        {"bytes=5-", 10, S3_OK, true, 5, 5},
        {"bytes=-3", 10, S3_OK, true, 7, 3},
        {"bytes=-30", 10, S3_OK, true, 0, 10},
        {" bytes=1-2 ", 10, S3_OK, true, 1, 2},
        {"bytes=10-", 10, S3_INVALID_RANGE, false, 0, 0},
        {"bytes=10-20", 10, S3_INVALID_RANGE, false, 0, 0},
        {"bytes=-0", 10, S3_INVALID_RANGE, false, 0, 0},
        {"bytes=0-0", 0, S3_INVALID_RANGE, false, 0, 0},
        {"bytes=-5", 0, S3_INVALID_RANGE, false, 0, 0},
        /* Ignored, as S3 ignores them: the whole object is served. */
        {"bytes=5-2", 10, S3_OK, false, 0, 0},
        {"bytes=0-1,3-4", 10, S3_OK, false, 0, 0},
        {"items=0-1", 10, S3_OK, false, 0, 0},
        {"bytes=a-b", 10, S3_OK, false, 0, 0},
        {"bytes=5", 10, S3_OK, false, 0, 0},
        {"bytes=-", 10, S3_OK, false, 0, 0},
        {"bytes=99999999999999999999-", 10, S3_OK, false, 0, 0},
        {"", 10, S3_OK, false, 0, 0},
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct s3_req r;
        struct gh_arena a;
        bool has = true;
        uint64_t off = 77, len = 77;
        enum s3_code code;
        memset(&r, 0, sizeof(r));
        gh_arena_init(&a);
        r.arena = &a;
        gh_buf_init(&r.extra, 4096);
        code = s3_range_parse(&r, gh_slice_from_cstr(cases[i].h), cases[i].size, &has, &off, &len);
        if (code != cases[i].code || has != cases[i].has)
            fail_msg("case %zu (%s): code %d has %d", i, cases[i].h, (int)code, (int)has);
        if (has) {
            assert_int_equal(off, cases[i].off);
            assert_int_equal(len, cases[i].len);
        }
        if (code == S3_INVALID_RANGE)
            assert_non_null(strstr(r.extra.ptr, "<ActualObjectSize>"));
        gh_buf_cleanup(&r.extra);
        gh_arena_cleanup(&a);
    }
}

/* ---- bucket names ---- */

static void
test_bucket_names(void **state)
{
    static const struct {
        const char *name;
        bool ok;
    } cases[] = {
        {"abc", true},
        {"my-bucket.2026", true},
        {"a.b-c", true},
        {"0123456789", true},
        {"192.168.5.4x", true},
        {"ab", false},
        {"Abc", false},
        {"a_b", false},
        {"ab ", false},
        {".abc", false},
        {"abc.", false},
        {"-abc", false},
        {"abc-", false},
        {"a..b", false},
        {"192.168.5.4", false},
        {"xn--abc", false},
        {"sthree-abc", false},
        {"amzn-s3-demo-x", false},
        {"abc-s3alias", false},
        {"abc--ol-s3", false},
        {"abc.mrap", false},
        {"abc--x-s3", false},
        {"abc--table-s3", false},
        {"a\xc3\xa9z", false},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true},   /* 63 */
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false}, /* 64 */
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++)
        if (s3_bucket_name_ok(gh_slice_from_cstr(cases[i].name)) != cases[i].ok)
            fail_msg("bucket name %s: want %s", cases[i].name, cases[i].ok ? "ok" : "refused");
}

/* ---- continuation tokens ---- */

static void
test_list_tokens(void **state)
{
    static const char *const keys[] = {"a", "photos/2026/", "k\xc3\xa9y with spaces",
                                       "prefix/\xff"};
    static const char *const bad[] = {"", "!!!!", "YQ", "YQ=", "=", "Y Q==",
                                      /* 1026 bytes once decoded */
                                      NULL};
    struct gh_arena a;
    struct gh_slice after;
    char big[GH_S3_KEY_MAX + 2];

    (void)state;
    gh_arena_init(&a);
    for (size_t i = 0; i < GH_ARRAY_LEN(keys); i++) {
        struct gh_buf tok;
        gh_buf_init(&tok, 8192);
        assert_int_equal(s3_list_token_encode(&tok, gh_slice_from_cstr(keys[i])), GH_OK);
        assert_int_equal(s3_list_token_decode(&a, gh_buf_slice(&tok), &after), GH_OK);
        assert_true(gh_slice_eq_cstr(after, keys[i]));
        gh_buf_cleanup(&tok);
    }
    assert_int_equal(s3_list_token_decode(&a, GH_S("YQ=="), &after), GH_OK);
    assert_true(gh_slice_eq_cstr(after, "a"));
    for (size_t i = 0; bad[i] != NULL; i++)
        if (s3_list_token_decode(&a, gh_slice_from_cstr(bad[i]), &after) != GH_ERR_VALIDATION)
            fail_msg("token \"%s\" accepted", bad[i]);
    /* The longest a key can be, plus the 0xFF after a common prefix. */
    memset(big, 'k', sizeof(big));
    for (size_t len = GH_S3_KEY_MAX + 1; len <= GH_S3_KEY_MAX + 2; len++) {
        struct gh_buf tok;
        gh_buf_init(&tok, 8192);
        enum gh_err want = len <= GH_S3_KEY_MAX + 1 ? GH_OK : GH_ERR_VALIDATION;
        assert_int_equal(s3_list_token_encode(&tok, (struct gh_slice){big, len}), want);
        gh_buf_reset(&tok);
        assert_int_equal(gh_base64_encode(&tok, (const uint8_t *)big, len), GH_OK);
        assert_int_equal(s3_list_token_decode(&a, gh_buf_slice(&tok), &after), want);
        gh_buf_cleanup(&tok);
    }
    assert_int_equal(s3_list_token_encode(NULL, GH_S("")), GH_ERR_VALIDATION);
    gh_arena_cleanup(&a);
}

/* ---- what a header signature must carry ---- */

/*
 * AWS S3: a request signed in the Authorization header without
 * x-amz-content-sha256 is refused before any credential is looked up
 * (400 InvalidRequest), so nothing but the headers is needed here.
 */
static void
test_auth_requires_content_sha256(void **state)
{
    struct gh_arena a;
    struct gh_http_req http;
    struct gh_http_header h[3] = {
        {GH_S("Host"), GH_S("127.0.0.1:7878")},
        {GH_S("X-Amz-Date"), GH_S("20261125T162500Z")},
        {GH_S("Authorization"),
         GH_S("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261125/us-east-1/s3/"
              "aws4_request, SignedHeaders=host;x-amz-date, Signature="
              "0000000000000000000000000000000000000000000000000000000000000000")},
    };
    struct s3_req r;

    (void)state;
    gh_arena_init(&a);
    memset(&http, 0, sizeof(http));
    memset(&r, 0, sizeof(r));
    http.arena = &a;
    http.method = GH_S("PUT");
    http.path = GH_S("/bucket/key");
    http.query = GH_S("");
    http.headers = h;
    http.nheaders = GH_ARRAY_LEN(h);
    r.http = &http;
    r.arena = &a;
    gh_buf_init(&r.extra, 4096);
    assert_int_equal(s3_authenticate(&r), S3_INVALID_REQUEST);
    assert_string_equal(r.message,
                        "Missing required header for this request: x-amz-content-sha256");
    assert_string_equal(s3_code_name(r.code), "InvalidRequest");
    assert_int_equal(s3_code_status(r.code), 400);
    gh_buf_cleanup(&r.extra);
    gh_arena_cleanup(&a);
}

/* A NUL would cut "%.*s"-built ARNs short: such keys are refused. */
static void
test_key_nul(void **state)
{
    (void)state;
    assert_false(s3_key_has_nul(GH_S("a/b\x01c")));
    assert_false(s3_key_has_nul(GH_S("")));
    assert_true(s3_key_has_nul((struct gh_slice){"a\0b", 3}));
    assert_true(s3_key_has_nul((struct gh_slice){"\0", 1}));
}

/* ---- multipart ETag ---- */

static void
test_multipart_etag(void **state)
{
    /* MD5("a") and MD5("b"); the expected values are MD5 over their binary
     * concatenation, computed independently (Python hashlib). */
    struct gh_slice two[] = {GH_S("\"0cc175b9c0f1b6a831c399e269772661\""),
                             GH_S("92eb5ffee6ae2fec3ad71c777531578f")};
    struct gh_slice one[] = {GH_S(" \"0cc175b9c0f1b6a831c399e269772661\" ")};
    struct gh_slice bad1[] = {GH_S("\"0cc175b9c0f1b6a831c399e26977266\"")};
    struct gh_slice bad2[] = {GH_S("zzc175b9c0f1b6a831c399e269772661")};
    struct gh_slice bad3[] = {GH_S("\"0cc175b9c0f1b6a831c399e269772661-2\"")};
    uint8_t md5[16];
    char hex[33];
    struct s3_req r;
    struct gh_arena a;
    struct gh_slice etag;

    (void)state;
    assert_int_equal(s3_multipart_md5(two, 2, md5), GH_OK);
    gh_hex_encode(md5, 16, hex);
    hex[32] = '\0';
    assert_string_equal(hex, "96e024ba2074fe77e8e965ba43a704be");
    assert_int_equal(s3_multipart_md5(one, 1, md5), GH_OK);
    gh_hex_encode(md5, 16, hex);
    assert_memory_equal(hex, "b6ff9a06b7e20bcb2858c5b8ff744aea", 32);
    assert_int_equal(s3_multipart_md5(bad1, 1, md5), GH_ERR_VALIDATION);
    assert_int_equal(s3_multipart_md5(bad2, 1, md5), GH_ERR_VALIDATION);
    assert_int_equal(s3_multipart_md5(bad3, 1, md5), GH_ERR_VALIDATION);
    /* The ETag shown: quoted hex and the part count. */
    memset(&r, 0, sizeof(r));
    gh_arena_init(&a);
    r.arena = &a;
    assert_int_equal(s3_multipart_md5(two, 2, md5), GH_OK);
    etag = s3_etag(&r, md5, 2);
    assert_true(gh_slice_eq_cstr(etag, "\"96e024ba2074fe77e8e965ba43a704be-2\""));
    etag = s3_etag(&r, md5, 0);
    assert_true(gh_slice_eq_cstr(etag, "\"96e024ba2074fe77e8e965ba43a704be\""));
    gh_arena_cleanup(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunked_framing),
        cmocka_unit_test(test_chunked_line_limit),
        cmocka_unit_test(test_chunked_signatures),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_bucket_names),
        cmocka_unit_test(test_list_tokens),
        cmocka_unit_test(test_multipart_etag),
        cmocka_unit_test(test_auth_requires_content_sha256),
        cmocka_unit_test(test_key_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
