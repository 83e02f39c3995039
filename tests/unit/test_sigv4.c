/*
 * test_sigv4.c: SigV4 verifier and signer against the AWS signing test
 * suite (GH_CONFORMANCE_DIR/sigv4/v4) and AWS's error cases as a table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/core.h"
#include "crypto/crypto.h"

#define MAX_HEADERS 32

/* A request read from the suite's text form. */
struct hreq {
    struct gh_slice method, path, query, body;
    struct gh_http_header h[MAX_HEADERS];
    size_t n;
};

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error("%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);                   \
            print_error(__VA_ARGS__);                                                              \
            print_error("\n");                                                                     \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n;

    *len = 0;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (p = malloc((size_t)n + 1)) != NULL) {
        *len = fread(p, 1, (size_t)n, f);
        p[*len] = '\0';
    }
    fclose(f);
    return p;
}

/*
 * "METHOD TARGET HTTP/1.1\nName:value\n ...\n\nbody". The target may hold
 * spaces; lines starting with a space continue the previous header (obs-fold).
 */
static void
parse_http(const char *txt, size_t len, struct hreq *r)
{
    const char *end = txt + len, *p = txt, *nl, *sp1, *sp2;

    memset(r, 0, sizeof(*r));
    nl = memchr(p, '\n', (size_t)(end - p));
    assert_non_null(nl);
    sp1 = memchr(p, ' ', (size_t)(nl - p));
    assert_non_null(sp1);
    for (sp2 = nl - 1; sp2 > sp1 && *sp2 != ' '; sp2--)
        ;
    assert_true(sp2 > sp1);
    r->method = (struct gh_slice){p, (size_t)(sp1 - p)};
    {
        struct gh_slice target = {sp1 + 1, (size_t)(sp2 - sp1 - 1)};
        long q = gh_slice_index(target, '?');

        r->path = q < 0 ? target : gh_slice_sub(target, 0, (size_t)q);
        r->query = q < 0 ? GH_S("") : gh_slice_sub(target, (size_t)q + 1, target.len);
    }
    p = nl + 1;
    while (p < end) {
        const char *le = memchr(p, '\n', (size_t)(end - p)), *colon;

        if (le == NULL)
            le = end;
        if (le == p) { /* blank line: body follows */
            p = le + 1;
            break;
        }
        if ((*p == ' ' || *p == '\t') && r->n > 0) {
            struct gh_http_header *h = &r->h[r->n - 1];
            h->value.len = (size_t)(le - h->value.ptr);
        } else {
            colon = memchr(p, ':', (size_t)(le - p));
            assert_non_null(colon);
            assert_true(r->n < MAX_HEADERS);
            r->h[r->n].name = (struct gh_slice){p, (size_t)(colon - p)};
            r->h[r->n].value = (struct gh_slice){colon + 1, (size_t)(le - colon - 1)};
            r->n++;
        }
        p = le + 1;
    }
    r->body = p < end ? (struct gh_slice){p, (size_t)(end - p)} : GH_S("");
}

static struct gh_sigv4_request
to_sreq(const struct hreq *r, bool normalize, bool omit)
{
    return (struct gh_sigv4_request){
        .method = r->method,
        .path = r->path,
        .query = r->query,
        .headers = r->h,
        .nheaders = r->n,
        .body = r->body,
        .normalize_path = normalize,
        .omit_session_token = omit,
    };
}

/* parse + verify, as the server does. */
static enum gh_err
check_req(const struct gh_sigv4_request *req, const struct gh_secret *secret, int64_t now,
          struct gh_sigv4_key_cache *cache, struct gh_diag *diag)
{
    struct gh_arena a;
    struct gh_sigv4_auth auth;
    enum gh_err err;

    gh_arena_init(&a);
    err = gh_sigv4_parse(req, &a, &auth, diag);
    if (err == GH_OK)
        err = gh_sigv4_verify(req, &auth, secret, now, cache, &a, diag);
    gh_arena_cleanup(&a);
    return err;
}

static const char *
jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL ? s : "";
}

static char *
append_x(struct gh_arena *a, struct gh_slice s)
{
    char *p = gh_arena_alloc(a, s.len + 2);

    assert_non_null(p);
    if (s.len > 0)
        memcpy(p, s.ptr, s.len);
    p[s.len] = 'x';
    return p;
}

static bool
in_list(struct gh_slice list, struct gh_slice name)
{
    struct gh_slice n;

    while (list.len > 0 && gh_slice_split(&list, ';', &n))
        if (gh_slice_case_eq(n, name))
            return true;
    return false;
}

static void
run_case(const char *dir, const char *name, const char *variant, struct gh_sigv4_key_cache *cache)
{
    char path[1024];
    json_t *ctx, *creds;
    json_error_t jerr;
    char *txt, *want_cr, *want_sts, *want_sig;
    size_t txt_len, cr_len, sts_len, sig_len;
    struct hreq r;
    struct gh_sigv4_request req;
    struct gh_sigv4_auth auth;
    struct gh_secret secret;
    struct gh_arena a;
    struct gh_diag diag;
    struct gh_buf cr, sts, out;
    int64_t now;
    bool query = strcmp(variant, "query") == 0;
    bool normalize, omit;
    const char *token;
    enum gh_err err;

    snprintf(path, sizeof(path), "%s/%s/context.json", dir, name);
    ctx = json_load_file(path, 0, &jerr);
    CHECK(ctx != NULL, "%s: %s", path, jerr.text);
    creds = json_object_get(ctx, "credentials");
    token = jstr(creds, "token");
    normalize = json_is_true(json_object_get(ctx, "normalize"));
    omit = json_is_true(json_object_get(ctx, "omit_session_token"));
    assert_int_equal(gh_secret_set(&secret, jstr(creds, "secret_access_key"),
                                   strlen(jstr(creds, "secret_access_key"))),
                     GH_OK);
    assert_int_equal(gh_time_parse_iso8601(gh_slice_from_cstr(jstr(ctx, "timestamp")), &now),
                     GH_OK);

#define LOAD(var, lenvar, suffix)                                                                  \
    snprintf(path, sizeof(path), "%s/%s/%s-%s", dir, name, variant, suffix);                       \
    var = read_all(path, &lenvar);                                                                 \
    CHECK(var != NULL, "cannot read %s", path)
    LOAD(txt, txt_len, "signed-request.txt");
    LOAD(want_cr, cr_len, "canonical-request.txt");
    LOAD(want_sts, sts_len, "string-to-sign.txt");
    LOAD(want_sig, sig_len, "signature.txt");
#undef LOAD

    parse_http(txt, txt_len, &r);
    req = to_sreq(&r, normalize, omit);
    gh_arena_init(&a);
    gh_buf_init(&cr, 0);
    gh_buf_init(&sts, 0);
    gh_buf_init(&out, 0);

    err = gh_sigv4_parse(&req, &a, &auth, &diag);
    CHECK(err == GH_OK, "%s/%s: parse: %s (%s)", name, variant, gh_err_str(err), diag.text);
    CHECK(auth.presigned == query, "%s/%s", name, variant);
    CHECK(gh_slice_eq_cstr(auth.access_key_id, jstr(creds, "access_key_id")), "%s", name);
    CHECK(gh_slice_eq_cstr(auth.region, jstr(ctx, "region")), "%s", name);
    CHECK(gh_slice_eq_cstr(auth.service, jstr(ctx, "service")), "%s", name);
    CHECK(auth.request_time == now, "%s", name);
    CHECK(gh_slice_eq(auth.signature, (struct gh_slice){want_sig, sig_len}), "%s", name);
    if (query)
        CHECK(auth.expires_s == json_integer_value(json_object_get(ctx, "expiration_in_seconds")),
              "%s", name);

    /* Byte for byte: canonical request and string to sign. */
    err = gh_sigv4_canonical(&req, &auth, &a, &cr, &sts, &diag);
    CHECK(err == GH_OK, "%s/%s: canonical: %s (%s)", name, variant, gh_err_str(err), diag.text);
    CHECK(gh_slice_eq(gh_buf_slice(&cr), (struct gh_slice){want_cr, cr_len}),
          "%s/%s canonical request:\n--- got\n%s\n--- want\n%s", name, variant, cr.ptr, want_cr);
    CHECK(gh_slice_eq(gh_buf_slice(&sts), (struct gh_slice){want_sts, sts_len}),
          "%s/%s string to sign:\n--- got\n%s\n--- want\n%s", name, variant, sts.ptr, want_sts);

    /* Accepted at the context's time, with and without (cold, then warm) cache. */
    err = gh_sigv4_verify(&req, &auth, &secret, now, NULL, &a, &diag);
    CHECK(err == GH_OK, "%s/%s: verify: %s (%s)", name, variant, gh_err_str(err), diag.text);
    for (int i = 0; i < 2; i++) {
        err = check_req(&req, &secret, now, cache, &diag);
        CHECK(err == GH_OK, "%s/%s: cached verify: %s (%s)", name, variant, gh_err_str(err),
              diag.text);
    }

    /* The signer reproduces what the suite sent. */
    {
        struct hreq rs = r;
        struct gh_sigv4_signing s = {
            .access_key_id = auth.access_key_id,
            .secret = &secret,
            .session_token = query ? gh_slice_from_cstr(token) : GH_S(""),
            .region = auth.region,
            .service = auth.service,
            .time = now,
            .signed_headers = auth.signed_headers,
        };
        struct gh_sigv4_request sr;
        size_t k = 0;

        for (size_t i = 0; i < r.n; i++)
            if (!gh_slice_case_eq(r.h[i].name, GH_S("authorization")))
                rs.h[k++] = r.h[i];
        rs.n = k;
        if (query) {
            const char *at = strstr(r.query.ptr, "X-Amz-Algorithm=");
            assert_non_null(at);
            assert_true(at < r.query.ptr + r.query.len);
            rs.query = (struct gh_slice){r.query.ptr, (size_t)(at - r.query.ptr)};
            if (rs.query.len > 0)
                rs.query.len--; /* the '&' */
        }
        sr = to_sreq(&rs, normalize, omit);
        if (query) {
            err = gh_sigv4_presign(&sr, &s, auth.expires_s, &a, &out);
            CHECK(err == GH_OK, "%s: presign: %s", name, gh_err_str(err));
            CHECK(gh_slice_eq(gh_buf_slice(&out), r.query), "%s presign:\n got %s\nwant %.*s", name,
                  out.ptr, GH_SP(r.query));
        } else {
            err = gh_sigv4_sign(&sr, &s, &a, &out);
            CHECK(err == GH_OK, "%s: sign: %s", name, gh_err_str(err));
            struct gh_slice want = GH_SLICE_NULL;
            for (size_t i = 0; i < r.n; i++)
                if (gh_slice_case_eq(r.h[i].name, GH_S("authorization")))
                    want = r.h[i].value;
            CHECK(gh_slice_eq(gh_buf_slice(&out), want), "%s sign:\n got %s\nwant %.*s", name,
                  out.ptr, GH_SP(want));
        }
    }

    /* Any change to a signed part is refused. */
    {
        struct hreq m;
        struct gh_sigv4_request mr;
        struct gh_slice rest, piece;

        for (size_t i = 0; i < r.n; i++) {
            if (!in_list(auth.signed_headers, r.h[i].name))
                continue;
            m = r;
            m.h[i].value = gh_slice_from_cstr(append_x(&a, r.h[i].value));
            mr = to_sreq(&m, normalize, omit);
            CHECK(check_req(&mr, &secret, now, NULL, &diag) != GH_OK, "%s/%s: header %.*s changed",
                  name, variant, GH_SP(r.h[i].name));
        }
        m = r;
        m.path = gh_slice_from_cstr(append_x(&a, r.path));
        mr = to_sreq(&m, normalize, omit);
        CHECK(check_req(&mr, &secret, now, NULL, &diag) != GH_OK, "%s/%s: path", name, variant);

        m = r;
        m.body = gh_slice_from_cstr(append_x(&a, r.body));
        mr = to_sreq(&m, normalize, omit);
        CHECK(check_req(&mr, &secret, now, NULL, &diag) != GH_OK, "%s/%s: body", name, variant);

        m = r;
        m.method = GH_S("PUT");
        mr = to_sreq(&m, normalize, omit);
        CHECK(check_req(&mr, &secret, now, NULL, &diag) != GH_OK, "%s/%s: method", name, variant);

        /* Each query parameter but the signature itself, and one added. */
        rest = r.query;
        while (rest.len > 0 && gh_slice_split(&rest, '&', &piece)) {
            size_t off = (size_t)(piece.ptr - r.query.ptr);
            char *q;

            if (gh_slice_starts_with(piece, GH_S("X-Amz-Signature=")))
                continue;
            if (omit && gh_slice_starts_with(piece, GH_S("X-Amz-Security-Token=")))
                continue; /* by definition not signed in this case */
            q = gh_arena_alloc(&a, r.query.len + 2);
            assert_non_null(q);
            memcpy(q, r.query.ptr, off + piece.len);
            q[off + piece.len] = 'x';
            memcpy(q + off + piece.len + 1, r.query.ptr + off + piece.len,
                   r.query.len - off - piece.len);
            m = r;
            m.query = (struct gh_slice){q, r.query.len + 1};
            mr = to_sreq(&m, normalize, omit);
            CHECK(check_req(&mr, &secret, now, NULL, &diag) != GH_OK, "%s/%s: query %.*s", name,
                  variant, GH_SP(piece));
        }
        m = r;
        m.query = gh_slice_from_cstr(
            gh_arena_printf(&a, "%.*s%sExtra=1", GH_SP(r.query), r.query.len ? "&" : ""));
        mr = to_sreq(&m, normalize, omit);
        CHECK(check_req(&mr, &secret, now, NULL, &diag) != GH_OK, "%s/%s: extra query", name,
              variant);

        /* Wrong secret. */
        {
            struct gh_secret bad = secret;
            bad.bytes[0] ^= 1;
            CHECK(check_req(&req, &bad, now, cache, &diag) == GH_ERR_SIGNATURE, "%s", name);
        }
        /*
         * omit_session_token cases put the token in after signing (AWS IoT
         * style). iam/sts/s3 sign it, so without the flag they are refused.
         */
        if (omit) {
            mr = to_sreq(&r, normalize, false);
            CHECK(check_req(&mr, &secret, now, NULL, &diag) != GH_OK, "%s/%s: unsigned token", name,
                  variant);
        }
    }

    gh_buf_cleanup(&cr);
    gh_buf_cleanup(&sts);
    gh_buf_cleanup(&out);
    gh_arena_cleanup(&a);
    gh_secret_wipe(&secret);
    free(txt);
    free(want_cr);
    free(want_sts);
    free(want_sig);
    json_decref(ctx);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every case of the AWS SigV4 suite, header and presigned forms. */
static void
test_conformance(void **state)
{
    const char *root = getenv("GH_CONFORMANCE_DIR");
    char dir[1024];
    char *names[256];
    size_t n = 0;
    DIR *d;
    struct dirent *e;
    struct gh_sigv4_key_cache *cache = gh_sigv4_key_cache_new();

    (void)state;
    assert_non_null(root);
    assert_non_null(cache);
    snprintf(dir, sizeof(dir), "%s/sigv4/v4", root);
    d = opendir(dir);
    CHECK(d != NULL, "cannot open %s", dir);
    while ((e = readdir(d)) != NULL && n < GH_ARRAY_LEN(names))
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(names[0]), name_cmp);
    assert_true(n >= 38); /* the suite's v4 cases; none skipped */
    for (size_t i = 0; i < n; i++) {
        run_case(dir, names[i], "header", cache);
        run_case(dir, names[i], "query", cache);
        free(names[i]);
    }
    gh_sigv4_key_cache_free(cache);
}

/* ---- table-driven AWS error cases on an IAM-style request ---- */

#define AKID "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define BODY "Action=ListUsers&Version=2010-05-08"

/* 2026-11-25T16:25:00Z */
static int64_t
t_now(void)
{
    int64_t t;
    assert_int_equal(gh_time_parse_amz(GH_S("20261125T162500Z"), &t), GH_OK);
    return t;
}

struct fixture {
    struct gh_arena a;
    struct gh_secret secret;
    struct gh_http_header h[8];
    char amz[17];
    struct gh_buf authz;
    struct gh_sigv4_request req;
};

/* A POST to IAM signed at `t` for `service` (header auth). */
static void
fx_sign(struct fixture *f, int64_t t, const char *service, const char *extra_name,
        const char *extra_value)
{
    struct gh_sigv4_signing s;
    size_t n = 0;

    gh_arena_init(&f->a);
    assert_int_equal(gh_secret_set(&f->secret, SECRET, strlen(SECRET)), GH_OK);
    gh_time_amz(t, f->amz);
    f->h[n++] = (struct gh_http_header){GH_S("Host"), GH_S("iam.amazonaws.com")};
    f->h[n++] = (struct gh_http_header){GH_S("Content-Type"),
                                        GH_S("application/x-www-form-urlencoded; charset=utf-8")};
    f->h[n++] = (struct gh_http_header){GH_S("X-Amz-Date"), (struct gh_slice){f->amz, 16}};
    if (extra_name != NULL)
        f->h[n++] = (struct gh_http_header){gh_slice_from_cstr(extra_name),
                                            gh_slice_from_cstr(extra_value)};
    f->req = (struct gh_sigv4_request){
        .method = GH_S("POST"),
        .path = GH_S("/"),
        .query = GH_S(""),
        .headers = f->h,
        .nheaders = n,
        .body = GH_S(BODY),
        .normalize_path = strcmp(service, "s3") != 0,
    };
    s = (struct gh_sigv4_signing){
        .access_key_id = GH_S(AKID),
        .secret = &f->secret,
        .region = GH_S("us-east-1"),
        .service = gh_slice_from_cstr(service),
        .time = t,
    };
    gh_buf_init(&f->authz, 0);
    assert_int_equal(gh_sigv4_sign(&f->req, &s, &f->a, &f->authz), GH_OK);
    f->h[n++] = (struct gh_http_header){GH_S("Authorization"), gh_buf_slice(&f->authz)};
    f->req.nheaders = n;
}

static void
fx_cleanup(struct fixture *f)
{
    gh_buf_cleanup(&f->authz);
    gh_arena_cleanup(&f->a);
    gh_secret_wipe(&f->secret);
}

static void
test_skew(void **state)
{
    static const struct {
        int64_t delta;
        enum gh_err err;
        const char *msg;
    } cases[] = {
        {0, GH_OK, ""},
        {-900, GH_OK, ""},
        {900, GH_OK, ""},
        {-901, GH_ERR_SIGNATURE_EXPIRED,
         "Signature expired: 20261125T160959Z is now earlier than 20261125T161000Z "
         "(20261125T162500Z - 15 min.)"},
        {-1500, GH_ERR_SIGNATURE_EXPIRED,
         "Signature expired: 20261125T160000Z is now earlier than 20261125T161000Z "
         "(20261125T162500Z - 15 min.)"},
        {901, GH_ERR_SIGNATURE_EXPIRED,
         "Signature not yet current: 20261125T164001Z is still later than 20261125T164000Z "
         "(20261125T162500Z + 15 min.)"},
    };
    int64_t now = t_now();

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct fixture f;
        struct gh_diag diag;
        enum gh_err err;

        fx_sign(&f, now + cases[i].delta, "iam", NULL, NULL);
        err = check_req(&f.req, &f.secret, now, NULL, &diag);
        CHECK(err == cases[i].err, "delta %lld: %s (%s)", (long long)cases[i].delta,
              gh_err_str(err), diag.text);
        assert_string_equal(diag.text, cases[i].msg);
        CHECK(strcmp(gh_err_info(err)->code, err == GH_OK ? "OK" : "SignatureDoesNotMatch") == 0,
              "code");
        fx_cleanup(&f);
    }
}

/* Header-auth parse failures and their AWS messages. */
static void
test_header_errors(void **state)
{
    static const struct {
        const char *authz; /* NULL: no Authorization header */
        bool date;         /* send X-Amz-Date */
        enum gh_err err;
        const char *msg;
    } cases[] = {
        {NULL, true, GH_ERR_MISSING_AUTH, "Request is missing Authentication Token"},
        {"AWS4-HMAC-SHA256 Credential=" AKID "/20261125/us-east-1/iam/aws4_request", true,
         GH_ERR_INCOMPLETE_SIG,
         "Authorization header requires 'Signature' parameter. Authorization header requires "
         "'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" AKID
         "/20261125/us-east-1/iam/aws4_request"},
        {"Basic dXNlcjpwYXNz", false, GH_ERR_INCOMPLETE_SIG,
         "Authorization header requires 'Credential' parameter. Authorization header requires "
         "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
         "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
         "Authorization=Basic dXNlcjpwYXNz"},
        {"AWS4-HMAC-SHA256 Credential=" AKID "/20261125/us-east-1/iam/aws4_request, "
         "SignedHeaders=host;x-amz-date, Signature=00",
         false, GH_ERR_INCOMPLETE_SIG,
         "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
         "Authorization=AWS4-HMAC-SHA256 Credential=" AKID "/20261125/us-east-1/iam/aws4_request, "
         "SignedHeaders=host;x-amz-date, Signature=00"},
        {"AWS4-HMAC-SHA256 Credential= " AKID "/20261125/us-east-1/iam/aws4_request, "
         "SignedHeaders=host, Signature=00",
         true, GH_ERR_INCOMPLETE_SIG,
         "'" AKID "/20261125/us-east-1/iam/aws4_request' not a valid key=value pair (missing "
         "equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= " AKID
         "/20261125/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00'."},
        {"AWS4-HMAC-SHA256 Credential=" AKID "/20261125/us-east-1/aws4_request, "
         "SignedHeaders=host, Signature=00",
         true, GH_ERR_INCOMPLETE_SIG,
         "Credential must have exactly 5 slash-delimited elements, e.g. "
         "keyid/date/region/service/term, got '" AKID "/20261125/us-east-1/aws4_request'"},
        {"AWS4-HMAC-SHA256 Credential=" AKID "/20261125/us-east-1/iam/aws5_request, "
         "SignedHeaders=host, Signature=00",
         true, GH_ERR_SIGNATURE,
         "Credential should be scoped with a valid terminator: 'aws4_request', not "
         "'aws5_request'."},
        {"AWS4-HMAC-SHA256 Credential=" AKID "/20261124/us-east-1/iam/aws4_request, "
         "SignedHeaders=host, Signature=00",
         true, GH_ERR_SIGNATURE,
         "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
         "HTTP: '20261124' != '20261125', from '20261125T162500Z'."},
        {"AWS4-HMAC-SHA256 Credential=" AKID "/20261125//iam/aws4_request, "
         "SignedHeaders=host, Signature=00",
         true, GH_ERR_SIGNATURE, "Credential should be scoped to a valid region, not ''."},
        {"AWS4-HMAC-SHA256 Credential=" AKID "/20261125/us-east-1/iam/aws4_request, "
         "SignedHeaders=x-amz-date, Signature=00",
         true, GH_ERR_SIGNATURE,
         "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
        {"AWS4-HMAC-SHA256 Credential=" AKID "/20261125/us-east-1/iam/aws4_request, "
         "SignedHeaders=host;;x-amz-date, Signature=00",
         true, GH_ERR_INCOMPLETE_SIG,
         "SignedHeaders contains an empty header name: 'host;;x-amz-date'."},
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_http_header h[3];
        size_t n = 0;
        struct gh_sigv4_request req;
        struct gh_sigv4_auth auth;
        struct gh_arena a;
        struct gh_diag diag;
        enum gh_err err;

        h[n++] = (struct gh_http_header){GH_S("Host"), GH_S("iam.amazonaws.com")};
        if (cases[i].date)
            h[n++] = (struct gh_http_header){GH_S("X-Amz-Date"), GH_S("20261125T162500Z")};
        if (cases[i].authz != NULL)
            h[n++] =
                (struct gh_http_header){GH_S("Authorization"), gh_slice_from_cstr(cases[i].authz)};
        req = (struct gh_sigv4_request){.method = GH_S("POST"),
                                        .path = GH_S("/"),
                                        .headers = h,
                                        .nheaders = n,
                                        .normalize_path = true};
        gh_arena_init(&a);
        err = gh_sigv4_parse(&req, &a, &auth, &diag);
        CHECK(err == cases[i].err, "case %zu: %s (%s)", i, gh_err_str(err), diag.text);
        assert_string_equal(diag.text, cases[i].msg);
        assert_true(auth.access_key_id.len == 0); /* cleared on failure */
        gh_arena_cleanup(&a);
    }
}

/* Presigned query errors, expiry bounds and expiry. */
static void
test_presigned(void **state)
{
    static const struct {
        const char *query;
        enum gh_err err;
        const char *msg;
    } cases[] = {
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00", GH_ERR_INCOMPLETE_SIG,
         "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string "
         "parameters must include 'X-Amz-Date'. AWS query-string parameters must include "
         "'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Expires'. "
         "Re-examine the query-string parameters."},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID
         "%2F20261125%2Fus-east-1%2Fs3%2Faws4_request",
         GH_ERR_QUERY_AUTH,
         "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
         "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=" AKID
         "%2F20261125%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261125T162500Z"
         "&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Signature=00",
         GH_ERR_QUERY_AUTH, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\""},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID
         "%2F20261125%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261125T162500Z"
         "&X-Amz-SignedHeaders=host&X-Amz-Expires=604801&X-Amz-Signature=00",
         GH_ERR_QUERY_AUTH, "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID
         "%2F20261125%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261125T162500Z"
         "&X-Amz-SignedHeaders=host&X-Amz-Expires=604800&X-Amz-Signature=00",
         GH_OK, ""},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID
         "%2F20261125%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261125T162500Z"
         "&X-Amz-SignedHeaders=host&X-Amz-Expires=-1&X-Amz-Signature=00",
         GH_ERR_QUERY_AUTH, "X-Amz-Expires must be non-negative"},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID
         "%2F20261125%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261125T162500Z"
         "&X-Amz-SignedHeaders=host&X-Amz-Expires=soon&X-Amz-Signature=00",
         GH_ERR_QUERY_AUTH, "X-Amz-Expires should be a number"},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID
         "%2F20261125%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=2026-11-25"
         "&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Signature=00",
         GH_ERR_QUERY_AUTH,
         "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID
         "%2F20261125%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261125T162500Z"
         "&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Signature=00&X-Amz-Signature=11",
         GH_ERR_QUERY_AUTH,
         "AWS query-string parameters must not repeat 'X-Amz-Signature'. Re-examine the "
         "query-string parameters."},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID
         "%2F20261126%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20261125T162500Z"
         "&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Signature=00",
         GH_ERR_SIGNATURE,
         "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
         "HTTP: '20261126' != '20261125', from '20261125T162500Z'."},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=bad&X-Amz-Date=20261125T162500Z"
         "&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Signature=00",
         GH_ERR_INCOMPLETE_SIG,
         "Credential must have exactly 5 slash-delimited elements, e.g. "
         "keyid/date/region/service/term, got 'bad'"},
    };
    struct gh_http_header h[] = {{GH_S("Host"), GH_S("iam.amazonaws.com")}};

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_sigv4_request req = {.method = GH_S("GET"),
                                       .path = GH_S("/"),
                                       .query = gh_slice_from_cstr(cases[i].query),
                                       .headers = h,
                                       .nheaders = 1,
                                       .normalize_path = true};
        struct gh_sigv4_auth auth;
        struct gh_arena a;
        struct gh_diag diag;
        enum gh_err err;

        gh_arena_init(&a);
        err = gh_sigv4_parse(&req, &a, &auth, &diag);
        CHECK(err == cases[i].err, "case %zu: %s (%s)", i, gh_err_str(err), diag.text);
        assert_string_equal(diag.text, cases[i].msg);
        gh_arena_cleanup(&a);
    }

    /* Both mechanisms at once. */
    {
        struct gh_http_header h2[] = {{GH_S("Host"), GH_S("iam.amazonaws.com")},
                                      {GH_S("Authorization"), GH_S("AWS4-HMAC-SHA256 x=y")}};
        struct gh_sigv4_request req = {.method = GH_S("GET"),
                                       .path = GH_S("/"),
                                       .query = GH_S("X-Amz-Signature=00"),
                                       .headers = h2,
                                       .nheaders = 2,
                                       .normalize_path = true};
        struct gh_sigv4_auth auth;
        struct gh_arena a;
        struct gh_diag diag;

        gh_arena_init(&a);
        assert_int_equal(gh_sigv4_parse(&req, &a, &auth, &diag), GH_ERR_INVALID_PARAM);
        gh_arena_cleanup(&a);
    }

    /* Expiry: valid through request time + X-Amz-Expires, then refused. */
    {
        static const char *services[] = {"sts", "s3"};
        int64_t now = t_now();

        for (size_t sv = 0; sv < 2; sv++) {
            struct gh_secret secret;
            struct gh_arena a;
            struct gh_buf q;
            struct gh_diag diag;
            struct gh_sigv4_request req = {.method = GH_S("GET"),
                                           .path = GH_S("/"),
                                           .query =
                                               GH_S("Action=GetCallerIdentity&Version=2011-06-15"),
                                           .headers = h,
                                           .nheaders = 1,
                                           .normalize_path = sv == 0};
            struct gh_sigv4_signing s = {.access_key_id = GH_S(AKID),
                                         .secret = &secret,
                                         .session_token = GH_S("tok/en+=="),
                                         .region = GH_S("us-east-1"),
                                         .service = gh_slice_from_cstr(services[sv]),
                                         .time = now};
            enum gh_err err;

            assert_int_equal(gh_secret_set(&secret, SECRET, strlen(SECRET)), GH_OK);
            gh_arena_init(&a);
            gh_buf_init(&q, 0);
            assert_int_equal(gh_sigv4_presign(&req, &s, 60, &a, &q), GH_OK);
            req.query = gh_buf_slice(&q);
            assert_int_equal(check_req(&req, &secret, now, NULL, &diag), GH_OK);
            assert_int_equal(check_req(&req, &secret, now + 60, NULL, &diag), GH_OK);
            err = check_req(&req, &secret, now + 61, NULL, &diag);
            assert_int_equal(err, sv == 0 ? GH_ERR_REQUEST_EXPIRED : GH_ERR_ACCESS_DENIED);
            assert_string_equal(diag.text, "Request has expired");
            /* Signed in the future beyond the skew. */
            assert_int_equal(check_req(&req, &secret, now - 901, NULL, &diag),
                             GH_ERR_SIGNATURE_EXPIRED);
            gh_buf_cleanup(&q);
            gh_arena_cleanup(&a);
        }
    }
}

/* Signature format, token, payload hash, repeated query parameters, key cache. */
static void
test_signature_cases(void **state)
{
    int64_t now = t_now();
    struct gh_diag diag;
    struct fixture f;

    (void)state;
    /* Bad hex and wrong length: SignatureDoesNotMatch. */
    {
        static const char *sigs[] = {
            "zz00000000000000000000000000000000000000000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000",
            "",
        };
        for (size_t i = 0; i < GH_ARRAY_LEN(sigs); i++) {
            char *v;
            const char *at;

            fx_sign(&f, now, "iam", NULL, NULL);
            at = strstr(f.authz.ptr, "Signature=");
            assert_non_null(at);
            v = gh_arena_printf(&f.a, "%.*s%s", (int)(at - f.authz.ptr + 10), f.authz.ptr, sigs[i]);
            f.h[f.req.nheaders - 1].value = gh_slice_from_cstr(v);
            assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
            assert_string_equal(diag.text,
                                "The request signature we calculated does not match the "
                                "signature you provided. Check your AWS Secret Access Key and "
                                "signing method. Consult the service documentation for details.");
            fx_cleanup(&f);
        }
    }
    /* A signed session token verifies; an unsigned one does not. */
    fx_sign(&f, now, "sts", "X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLE");
    assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_OK);
    {
        struct gh_sigv4_auth auth;
        assert_int_equal(gh_sigv4_parse(&f.req, &f.a, &auth, &diag), GH_OK);
        assert_true(gh_slice_eq_cstr(auth.security_token, "FQoGZXIvYXdzEXAMPLE"));
    }
    fx_cleanup(&f);
    {
        struct gh_http_header extra[10];
        fx_sign(&f, now, "sts", NULL, NULL);
        memcpy(extra, f.h, f.req.nheaders * sizeof(extra[0]));
        extra[f.req.nheaders] = (struct gh_http_header){GH_S("X-Amz-Security-Token"), GH_S("t")};
        f.req.headers = extra;
        f.req.nheaders++;
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
        fx_cleanup(&f);
    }
    /* x-amz-content-sha256: UNSIGNED-PAYLOAD only for s3; a wrong hash never. */
    {
        struct gh_http_header extra[10];
        fx_sign(&f, now, "iam", NULL, NULL);
        memcpy(extra, f.h, f.req.nheaders * sizeof(extra[0]));
        extra[f.req.nheaders] =
            (struct gh_http_header){GH_S("x-amz-content-sha256"), GH_S("UNSIGNED-PAYLOAD")};
        f.req.headers = extra;
        f.req.nheaders++;
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
        fx_cleanup(&f);
    }
    fx_sign(&f, now, "s3", "x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_OK);
    f.req.body = GH_S("anything");
    assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_OK);
    fx_cleanup(&f);
    {
        char hex[65];
        gh_sha256_hex(BODY, strlen(BODY), hex);
        hex[64] = '\0';
        fx_sign(&f, now, "s3", "x-amz-content-sha256", hex);
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_OK);
        f.req.body = GH_S("Action=DeleteUser");
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
        assert_string_equal(diag.text, "The provided 'x-amz-content-sha256' header does not "
                                       "match what was computed.");
        fx_cleanup(&f);
        /* The same for iam, whose hash AWS computes from the body itself. */
        fx_sign(&f, now, "iam", "x-amz-content-sha256", hex);
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_OK);
        f.req.body = GH_S("Action=DeleteUser");
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
        fx_cleanup(&f);
    }

    /* Repeated query parameters: sorted by value too, each one signed. */
    {
        struct gh_buf cr;
        struct gh_sigv4_auth auth;

        fx_sign(&f, now, "iam", NULL, NULL);
        /* re-sign with a query */
        fx_cleanup(&f);
        gh_arena_init(&f.a);
        assert_int_equal(gh_secret_set(&f.secret, SECRET, strlen(SECRET)), GH_OK);
        gh_time_amz(now, f.amz);
        f.h[0] = (struct gh_http_header){GH_S("Host"), GH_S("iam.amazonaws.com")};
        f.h[1] = (struct gh_http_header){GH_S("X-Amz-Date"), (struct gh_slice){f.amz, 16}};
        f.req = (struct gh_sigv4_request){.method = GH_S("GET"),
                                          .path = GH_S("/"),
                                          .query = GH_S("a=2&b=&a=1&Action=ListUsers"),
                                          .headers = f.h,
                                          .nheaders = 2,
                                          .normalize_path = true};
        struct gh_sigv4_signing s = {.access_key_id = GH_S(AKID),
                                     .secret = &f.secret,
                                     .region = GH_S("us-east-1"),
                                     .service = GH_S("iam"),
                                     .time = now};
        gh_buf_init(&f.authz, 0);
        assert_int_equal(gh_sigv4_sign(&f.req, &s, &f.a, &f.authz), GH_OK);
        f.h[2] = (struct gh_http_header){GH_S("Authorization"), gh_buf_slice(&f.authz)};
        f.req.nheaders = 3;
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_OK);
        assert_int_equal(gh_sigv4_parse(&f.req, &f.a, &auth, &diag), GH_OK);
        gh_buf_init(&cr, 0);
        assert_int_equal(gh_sigv4_canonical(&f.req, &auth, &f.a, &cr, NULL, &diag), GH_OK);
        assert_non_null(strstr(cr.ptr, "\nAction=ListUsers&a=1&a=2&b=\n"));
        gh_buf_cleanup(&cr);
        f.req.query = GH_S("a=1&a=2&b=&Action=ListUsers"); /* order of repeats is not signed */
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_OK);
        f.req.query = GH_S("a=1&a=3&b=&Action=ListUsers");
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
        f.req.query = GH_S("a=1&b=&Action=ListUsers");
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);

        /* Key cache: a changed secret never reuses the old derived key. */
        {
            struct gh_sigv4_key_cache *c = gh_sigv4_key_cache_new();
            struct gh_secret other;

            assert_non_null(c);
            f.req.query = GH_S("a=2&b=&a=1&Action=ListUsers");
            assert_int_equal(check_req(&f.req, &f.secret, now, c, &diag), GH_OK);
            assert_int_equal(check_req(&f.req, &f.secret, now, c, &diag), GH_OK);
            assert_int_equal(gh_secret_set(&other, "x" SECRET, strlen(SECRET) + 1), GH_OK);
            assert_int_equal(check_req(&f.req, &other, now, c, &diag), GH_ERR_SIGNATURE);
            assert_int_equal(check_req(&f.req, &f.secret, now, c, &diag), GH_OK);
            gh_sigv4_key_cache_free(c);
            gh_sigv4_key_cache_free(NULL);
        }
        fx_cleanup(&f);
    }

    /* Date header instead of X-Amz-Date. */
    {
        struct gh_sigv4_auth auth;

        fx_sign(&f, now, "iam", NULL, NULL);
        fx_cleanup(&f);
        gh_arena_init(&f.a);
        assert_int_equal(gh_secret_set(&f.secret, SECRET, strlen(SECRET)), GH_OK);
        f.h[0] = (struct gh_http_header){GH_S("Host"), GH_S("iam.amazonaws.com")};
        f.h[1] = (struct gh_http_header){GH_S("Date"), GH_S("Wed, 25 Nov 2026 16:25:00 GMT")};
        f.req = (struct gh_sigv4_request){.method = GH_S("GET"),
                                          .path = GH_S("/"),
                                          .headers = f.h,
                                          .nheaders = 2,
                                          .normalize_path = true};
        struct gh_sigv4_signing s = {.access_key_id = GH_S(AKID),
                                     .secret = &f.secret,
                                     .region = GH_S("us-east-1"),
                                     .service = GH_S("iam"),
                                     .time = now};
        gh_buf_init(&f.authz, 0);
        assert_int_equal(gh_sigv4_sign(&f.req, &s, &f.a, &f.authz), GH_OK);
        f.h[2] = (struct gh_http_header){GH_S("Authorization"), gh_buf_slice(&f.authz)};
        f.req.nheaders = 3;
        assert_int_equal(gh_sigv4_parse(&f.req, &f.a, &auth, &diag), GH_OK);
        assert_true(gh_slice_eq_cstr(auth.amz_date, "20261125T162500Z"));
        assert_int_equal(auth.request_time, now);
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_OK);
        fx_cleanup(&f);
    }
}

static void
test_canon_uri(void **state)
{
    static const struct {
        const char *in;
        bool normalize, double_encode;
        const char *out;
    } cases[] = {
        {"", true, true, "/"},
        {"/", false, false, "/"},
        {"/a/b/../c/./d", true, true, "/a/c/d"},
        {"/a/b/..", true, true, "/a/"},
        {"/../..", true, true, "/"},
        {"//a//b//", true, true, "/a/b/"},
        {"/a%20b", true, true, "/a%2520b"},
        {"/a%20b/c+d", false, false, "/a%20b/c%2Bd"},
        {"/a b", false, false, "/a%20b"},
        {"/a%2Fb", false, false, "/a/b"},
        {"/bad%zz", false, false, "/bad%25zz"},
        {"/./a/.", false, true, "/./a/."},
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_arena a;
        struct gh_buf b;

        gh_arena_init(&a);
        gh_buf_init(&b, 0);
        assert_int_equal(gh_sigv4_canon_uri(&b, gh_slice_from_cstr(cases[i].in), cases[i].normalize,
                                            cases[i].double_encode, &a),
                         GH_OK);
        CHECK(strcmp(b.ptr, cases[i].out) == 0, "%s -> %s, want %s", cases[i].in, b.ptr,
              cases[i].out);
        gh_buf_cleanup(&b);
        gh_arena_cleanup(&a);
    }
}

/* Signs GET `path`?`query` for `service` at `now`, header auth or presigned; verifies it
 * under an arena capped at `cap` bytes (0 = uncapped). */
static enum gh_err
signed_under_cap(const char *service, bool presign, size_t cap)
{
    int64_t now = t_now();
    char amz[17];
    struct gh_secret secret;
    struct gh_http_header h[4];
    size_t n = 0;
    struct gh_arena sa, a;
    struct gh_buf out;
    struct gh_sigv4_auth auth;
    struct gh_diag diag;
    bool s3 = strcmp(service, "s3") == 0;
    struct gh_sigv4_request req;
    struct gh_sigv4_signing s = {.access_key_id = GH_S(AKID),
                                 .secret = &secret,
                                 .region = GH_S("us-east-1"),
                                 .service = gh_slice_from_cstr(service),
                                 .time = now};
    enum gh_err err;

    assert_int_equal(gh_secret_set(&secret, SECRET, strlen(SECRET)), GH_OK);
    gh_time_amz(now, amz);
    h[n++] = (struct gh_http_header){GH_S("Host"), GH_S("example.amazonaws.com")};
    if (!presign)
        h[n++] = (struct gh_http_header){GH_S("X-Amz-Date"), (struct gh_slice){amz, 16}};
    req = (struct gh_sigv4_request){.method = GH_S("GET"),
                                    .path = GH_S("/a/./b%20c/../d//e"),
                                    .query = GH_S("z=%E1%88%B4&a=b%2Fc&a=a"),
                                    .headers = h,
                                    .nheaders = n,
                                    .normalize_path = !s3};
    gh_arena_init(&sa);
    gh_buf_init(&out, 0);
    if (presign) {
        assert_int_equal(gh_sigv4_presign(&req, &s, 300, &sa, &out), GH_OK);
        req.query = gh_buf_slice(&out);
    } else {
        assert_int_equal(gh_sigv4_sign(&req, &s, &sa, &out), GH_OK);
        h[n++] = (struct gh_http_header){GH_S("Authorization"), gh_buf_slice(&out)};
        req.nheaders = n;
    }
    gh_arena_init(&a);
    a.max_total = cap;
    err = gh_sigv4_parse(&req, &a, &auth, &diag);
    if (err == GH_OK)
        err = gh_sigv4_verify(&req, &auth, &secret, now, NULL, &a, &diag);
    gh_arena_cleanup(&a);
    gh_buf_cleanup(&out);
    gh_arena_cleanup(&sa);
    gh_secret_wipe(&secret);
    return err;
}

/* Arena exhaustion at every step gives GH_ERR_NOMEM (never a wrong verdict), then success. */
static void
test_nomem(void **state)
{
    static const char *services[] = {"iam", "s3"};

    (void)state;
    for (size_t sv = 0; sv < GH_ARRAY_LEN(services); sv++) {
        for (int presign = 0; presign < 2; presign++) {
            size_t cap;
            int fails = 0;
            enum gh_err err = GH_ERR_NOMEM;

            for (cap = 16; cap < 65536 && err == GH_ERR_NOMEM; cap += 16) {
                err = signed_under_cap(services[sv], presign, cap);
                if (err == GH_ERR_NOMEM)
                    fails++;
            }
            CHECK(err == GH_OK, "%s presign=%d: %s at cap %zu", services[sv], presign,
                  gh_err_str(err), cap);
            assert_true(fails > 0);
            assert_int_equal(signed_under_cap(services[sv], presign, 0), GH_OK);
        }
    }
}

struct thread_arg {
    struct gh_sigv4_key_cache *cache;
    int id;
    int failures;
};

static void *
verify_loop(void *p)
{
    struct thread_arg *t = p;

    for (int i = 0; i < 200; i++) {
        struct fixture f;
        struct gh_diag diag;
        /* A few scopes per thread, so shards see hits, misses and evictions. */
        const char *svc = (i + t->id) % 3 == 0 ? "iam" : (i + t->id) % 3 == 1 ? "sts" : "s3";

        fx_sign(&f, t_now() - (i % 5) * 86400, svc, NULL, NULL);
        if (check_req(&f.req, &f.secret, t_now() - (i % 5) * 86400, t->cache, &diag) != GH_OK)
            t->failures++;
        f.secret.bytes[1] ^= 4; /* a rotated secret must not hit the cached key */
        if (check_req(&f.req, &f.secret, t_now() - (i % 5) * 86400, t->cache, &diag) !=
            GH_ERR_SIGNATURE)
            t->failures++;
        fx_cleanup(&f);
    }
    return NULL;
}

/* The shared key cache under concurrent verification. */
static void
test_cache_threads(void **state)
{
    pthread_t th[8];
    struct thread_arg args[8];
    struct gh_sigv4_key_cache *c = gh_sigv4_key_cache_new();

    (void)state;
    assert_non_null(c);
    for (int i = 0; i < 8; i++) {
        args[i] = (struct thread_arg){c, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, verify_loop, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    gh_sigv4_key_cache_free(c);
}

/* payload_hash_hex: the signature is checked against a claimed hash, the body not read. */
static void
test_payload_hash_given(void **state)
{
    static const char *const services[] = {"s3", "iam"};
    int64_t now = t_now();
    char hex[65], other[65];
    struct fixture f;
    struct gh_diag diag;
    struct gh_secret wrong;

    (void)state;
    gh_sha256_hex(BODY, strlen(BODY), hex);
    hex[64] = '\0';
    gh_sha256_hex("x", 1, other);
    other[64] = '\0';
    for (size_t i = 0; i < GH_ARRAY_LEN(services); i++) {
        fx_sign(&f, now, services[i], "x-amz-content-sha256", hex);
        f.req.body = GH_SLICE_NULL; /* not read yet */
        f.req.payload_hash_hex = (struct gh_slice){hex, 64};
        CHECK(check_req(&f.req, &f.secret, now, NULL, &diag) == GH_OK, "%s: %s", services[i],
              diag.text);
        /* Still a real signature check: another secret fails. */
        assert_int_equal(gh_secret_set(&wrong, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", 40),
                         GH_OK);
        assert_int_equal(check_req(&f.req, &wrong, now, NULL, &diag), GH_ERR_SIGNATURE);
        gh_secret_wipe(&wrong);
        fx_cleanup(&f);
    }
    /* A claim that is not the header's, or not 64 hex digits, never verifies. */
    fx_sign(&f, now, "s3", "x-amz-content-sha256", hex);
    f.req.body = GH_SLICE_NULL;
    f.req.payload_hash_hex = (struct gh_slice){other, 64};
    assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
    assert_string_equal(diag.text, "The provided 'x-amz-content-sha256' header does not "
                                   "match what was computed.");
    f.req.payload_hash_hex = (struct gh_slice){hex, 63};
    assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
    assert_string_equal(diag.text,
                        "The provided 'x-amz-content-sha256' header must be a valid SHA256.");
    f.req.payload_hash_hex =
        GH_S("zz3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85");
    assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
    /* Unset again: the body is hashed as before (empty body, wrong hash). */
    f.req.payload_hash_hex = GH_SLICE_NULL;
    assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_ERR_SIGNATURE);
    fx_cleanup(&f);
}

/*
 * AWS S3: an x-amz-* header the signature does not cover is refused,
 * AccessDenied with the headers named in HeadersNotSigned; IAM/STS answer
 * SignatureDoesNotMatch. x-amz-content-sha256 may go unsigned.
 */
static void
test_unsigned_headers(void **state)
{
    static const char *const denied = "There were headers present in the request which were "
                                      "not signed";
    static const char *const mismatch =
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.";
    char body_hex[65];
    struct {
        const char *service;
        const char *h[3][2]; /* unsigned headers added after signing */
        enum gh_err err;
        const char *msg;
        const char *names; /* gh_sigv4_unsigned_headers */
    } cases[] = {
        {"s3",
         {{"x-amz-copy-source", "bkt/secret.txt"}},
         GH_ERR_ACCESS_DENIED,
         denied,
         "x-amz-copy-source"},
        {"s3",
         {{"X-Amz-Meta-S1", "t1"}, {"x-amz-tagging", "a=b"}, {"x-amz-meta-s1", "again"}},
         GH_ERR_ACCESS_DENIED,
         denied,
         "x-amz-meta-s1, x-amz-tagging"},
        {"s3",
         {{"X-Amz-Security-Token", "t"}},
         GH_ERR_ACCESS_DENIED,
         denied,
         "x-amz-security-token"},
        {"iam",
         {{"x-amz-copy-source", "bkt/secret.txt"}},
         GH_ERR_SIGNATURE,
         mismatch,
         "x-amz-copy-source"},
        {"sts", {{"X-Amz-Target", "x"}}, GH_ERR_SIGNATURE, mismatch, "x-amz-target"},
        /* Not x-amz-*: SDKs leave these unsigned. */
        {"s3", {{"x-amzn-trace-id", "Root=1"}, {"User-Agent", "aws-cli"}}, GH_OK, "", ""},
        {"iam", {{"x-amzn-trace-id", "Root=1"}}, GH_OK, "", ""},
        /* AWS S3 does not require x-amz-content-sha256 be signed. */
        {"s3", {{"x-amz-content-sha256", body_hex}}, GH_OK, "", ""},
    };
    int64_t now = t_now();

    (void)state;
    gh_sha256_hex(BODY, strlen(BODY), body_hex);
    body_hex[64] = '\0';
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_http_header extra[12];
        struct fixture f;
        struct gh_diag diag;
        struct gh_sigv4_auth auth;
        struct gh_buf names;
        enum gh_err err;

        fx_sign(&f, now, cases[i].service, NULL, NULL);
        memcpy(extra, f.h, f.req.nheaders * sizeof(extra[0]));
        for (size_t k = 0; k < 3 && cases[i].h[k][0] != NULL; k++)
            extra[f.req.nheaders++] = (struct gh_http_header){gh_slice_from_cstr(cases[i].h[k][0]),
                                                              gh_slice_from_cstr(cases[i].h[k][1])};
        f.req.headers = extra;
        err = check_req(&f.req, &f.secret, now, NULL, &diag);
        CHECK(err == cases[i].err, "case %zu: %s (%s)", i, gh_err_str(err), diag.text);
        assert_string_equal(diag.text, cases[i].msg);
        assert_int_equal(gh_sigv4_parse(&f.req, &f.a, &auth, &diag), GH_OK);
        gh_buf_init(&names, 0);
        assert_int_equal(gh_sigv4_unsigned_headers(&f.req, &auth, &names), cases[i].names[0] != 0);
        assert_int_equal(gh_buf_status(&names), GH_OK);
        CHECK(gh_slice_eq_cstr(gh_buf_slice(&names), cases[i].names), "case %zu: '%.*s'", i,
              GH_SP(gh_buf_slice(&names)));
        gh_buf_cleanup(&names);
        fx_cleanup(&f);
    }
    /* Signed, the same headers verify. */
    {
        struct fixture f;
        struct gh_diag diag;

        fx_sign(&f, now, "s3", "x-amz-copy-source", "bkt/secret.txt");
        assert_int_equal(check_req(&f.req, &f.secret, now, NULL, &diag), GH_OK);
        fx_cleanup(&f);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conformance),
        cmocka_unit_test(test_skew),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_presigned),
        cmocka_unit_test(test_signature_cases),
        cmocka_unit_test(test_canon_uri),
        cmocka_unit_test(test_nomem),
        cmocka_unit_test(test_cache_threads),
        cmocka_unit_test(test_payload_hash_given),
        cmocka_unit_test(test_unsigned_headers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
