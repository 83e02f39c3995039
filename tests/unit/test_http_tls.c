/*
 * test_http_tls.c: HTTPS on the HTTP server: loading and checking the
 * certificate and key files, and requests over TLS (req->tls set) beside
 * plain HTTP (req->tls clear), driven by libcurl.
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
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "http/http.h"

/* A scratch directory with two self-signed pairs: a (cert.pem, key.pem) and b (other*.pem). */
struct fixture {
    char dir[64];
    char cert[128], key[128], other_cert[128], other_key[128];
};

static void
path_in(const struct fixture *f, const char *name, char *out, size_t n)
{
    int w = snprintf(out, n, "%s/%s", f->dir, name);

    assert_true(w > 0 && (size_t)w < n);
}

static void
write_text(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* A P-256 key and a one-day self-signed certificate for 127.0.0.1 and localhost. */
static void
make_pair(const char *cert_path, const char *key_path)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name;
    X509_EXTENSION *ext;
    X509V3_CTX v3;
    FILE *fp;

    assert_non_null(key);
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -60));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    name = X509_get_subject_name(x);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                                (const unsigned char *)"localhost", -1, -1, 0),
                     1);
    assert_int_equal(X509_set_issuer_name(x, name), 1);
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    assert_non_null(fp = fopen(cert_path, "wb"));
    assert_int_equal(PEM_write_X509(fp, x), 1);
    assert_int_equal(fclose(fp), 0);
    assert_non_null(fp = fopen(key_path, "wb"));
    assert_int_equal(PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL), 1);
    assert_int_equal(fclose(fp), 0);
    X509_free(x);
    EVP_PKEY_free(key);
}

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    memcpy(f->dir, "/tmp/gh-test-tls-XXXXXX", sizeof("/tmp/gh-test-tls-XXXXXX"));
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    path_in(f, "cert.pem", f->cert, sizeof(f->cert));
    path_in(f, "key.pem", f->key, sizeof(f->key));
    path_in(f, "other-cert.pem", f->other_cert, sizeof(f->other_cert));
    path_in(f, "other-key.pem", f->other_key, sizeof(f->other_key));
    make_pair(f->cert, f->key);
    make_pair(f->other_cert, f->other_key);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    static const char *const names[] = {"cert.pem", "key.pem", "other-cert.pem", "other-key.pem",
                                        "empty.pem", "nul.pem", "big.pem", "chain.pem"};
    char p[128];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        path_in(f, names[i], p, sizeof(p));
        (void)unlink(p);
    }
    (void)rmdir(f->dir);
    free(f);
    return 0;
}

static void
test_load_good(void **state)
{
    struct fixture *f = *state;
    struct gh_http_tls t;
    struct gh_diag d;

    assert_int_equal(gh_http_tls_load(f->cert, f->key, &t, &d), GH_OK);
    assert_non_null(t.cert_pem);
    assert_non_null(t.key_pem);
    assert_int_equal(strlen(t.cert_pem), t.cert_len);
    assert_int_equal(strlen(t.key_pem), t.key_len);
    assert_non_null(strstr(t.cert_pem, "BEGIN CERTIFICATE"));
    assert_non_null(strstr(t.key_pem, "PRIVATE KEY"));
    gh_http_tls_cleanup(&t);
    assert_null(t.cert_pem);
    assert_null(t.key_pem);
    assert_int_equal(t.key_len, 0);
    gh_http_tls_cleanup(&t); /* twice is harmless */
}

/* A chain file: the server certificate first, then another one. */
static void
test_load_chain(void **state)
{
    struct fixture *f = *state;
    struct gh_http_tls a, b, t;
    struct gh_diag d;
    char chain[128];
    char *both;

    assert_int_equal(gh_http_tls_load(f->cert, f->key, &a, &d), GH_OK);
    assert_int_equal(gh_http_tls_load(f->other_cert, f->other_key, &b, &d), GH_OK);
    both = malloc(a.cert_len + b.cert_len);
    assert_non_null(both);
    memcpy(both, a.cert_pem, a.cert_len);
    memcpy(both + a.cert_len, b.cert_pem, b.cert_len);
    path_in(f, "chain.pem", chain, sizeof(chain));
    write_text(chain, both, a.cert_len + b.cert_len);
    free(both);
    assert_int_equal(gh_http_tls_load(chain, f->key, &t, &d), GH_OK);
    assert_int_equal(t.cert_len, a.cert_len + b.cert_len);
    gh_http_tls_cleanup(&t);
    /* The key must match the first certificate of the chain. */
    assert_int_equal(gh_http_tls_load(chain, f->other_key, &t, &d), GH_ERR_INVALID_INPUT);
    gh_http_tls_cleanup(&a);
    gh_http_tls_cleanup(&b);
}

static void
test_load_refused(void **state)
{
    struct fixture *f = *state;
    struct gh_http_tls t;
    struct gh_diag d;
    char empty[128], nul[128], big[128], missing[128];
    FILE *fp;

    path_in(f, "empty.pem", empty, sizeof(empty));
    path_in(f, "nul.pem", nul, sizeof(nul));
    path_in(f, "big.pem", big, sizeof(big));
    path_in(f, "missing.pem", missing, sizeof(missing));
    write_text(empty, "", 0);
    write_text(nul, "-----BEGIN\0CERTIFICATE-----\n", 28);
    assert_non_null(fp = fopen(big, "wb"));
    assert_int_equal(ftruncate(fileno(fp), (off_t)GH_HTTP_TLS_PEM_MAX + 1), 0);
    assert_int_equal(fclose(fp), 0);

    static const struct {
        /* paths[]: 0 cert, 1 key, 2/3 the other pair, 4 empty, 5 nul, 6 big, 7 missing */
        int cert;
        int key;
        enum gh_err want;
        const char *says;
    } cases[] = {
        {0, 3, GH_ERR_INVALID_INPUT, "does not belong to the certificate"},
        {2, 1, GH_ERR_INVALID_INPUT, "does not belong to the certificate"},
        {1, 1, GH_ERR_INVALID_INPUT, "holds no PEM certificate"},
        {0, 0, GH_ERR_INVALID_INPUT, "holds no unencrypted PEM private key"},
        {4, 1, GH_ERR_INVALID_INPUT, "empty or not PEM"},
        {0, 5, GH_ERR_INVALID_INPUT, "empty or not PEM"},
        {6, 1, GH_ERR_TOO_LARGE, "larger than"},
        {7, 1, GH_ERR_IO, "cannot read the TLS certificate file"},
        {0, 7, GH_ERR_IO, "cannot read the TLS private key file"},
    };
    const char *paths[] = {f->cert, f->key, f->other_cert, f->other_key, empty, nul, big, missing};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&t, 0xA5, sizeof(t)); /* out-params are cleared on entry */
        assert_int_equal(gh_http_tls_load(paths[cases[i].cert], paths[cases[i].key], &t, &d),
                         cases[i].want);
        assert_null(t.cert_pem);
        assert_null(t.key_pem);
        if (strstr(d.text, cases[i].says) == NULL)
            fail_msg("case %zu: diag %s lacks %s", i, d.text, cases[i].says);
    }
}

/* The handler answers "tls" or "plain" as the server saw the request. */
static void
answer_tls(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp)
{
    (void)ctx;
    resp->status = 200;
    if (gh_buf_append_cstr(&resp->body, req->tls ? "tls" : "plain") != GH_OK)
        resp->status = 500;
}

static size_t
collect(char *p, size_t size, size_t n, void *ud)
{
    struct gh_buf *b = ud;

    return gh_buf_append(b, p, size * n) == GH_OK ? size * n : 0;
}

/* GETs url; returns the curl result, fills status and body. */
static CURLcode
fetch(const char *url, const char *ca_file, long *status, struct gh_buf *body)
{
    CURL *c = curl_easy_init();
    CURLcode rc;

    assert_non_null(c);
    gh_buf_reset(body);
    *status = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (ca_file != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    return rc;
}

static void
test_serve_https(void **state)
{
    struct fixture *f = *state;
    struct gh_http_handler h = {answer_tls, NULL};
    struct gh_http_server *https = NULL, *http = NULL;
    struct gh_http_tls t;
    struct gh_diag d;
    struct gh_buf body;
    char url[128];
    long status;

    if (!gh_http_tls_is_supported())
        skip();
    assert_int_equal(gh_http_tls_load(f->cert, f->key, &t, &d), GH_OK);
    assert_int_equal(gh_http_server_start_tls("127.0.0.1:0", 2, 1024, h, NULL, &t, &https), GH_OK);
    gh_http_tls_cleanup(&t); /* the server holds its own copy */
    assert_int_equal(gh_http_server_start("127.0.0.1:0", 2, 1024, h, &http), GH_OK);
    gh_buf_init(&body, 4096);

    /* HTTPS, the certificate verified against itself (SAN IP:127.0.0.1). */
    (void)snprintf(url, sizeof(url), "https://127.0.0.1:%u/x", gh_http_server_port(https));
    assert_int_equal(fetch(url, f->cert, &status, &body), CURLE_OK);
    assert_int_equal(status, 200);
    assert_true(gh_slice_eq_cstr(gh_buf_slice(&body), "tls"));
    /* A client that trusts another certificate refuses the server's. */
    assert_int_not_equal(fetch(url, f->other_cert, &status, &body), CURLE_OK);
    /* Plain HTTP to the HTTPS port gets no answer from the handler. */
    (void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", gh_http_server_port(https));
    if (fetch(url, NULL, &status, &body) == CURLE_OK)
        assert_false(gh_slice_eq_cstr(gh_buf_slice(&body), "tls"));
    /* The plain server beside it marks its requests as not TLS. */
    (void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", gh_http_server_port(http));
    assert_int_equal(fetch(url, NULL, &status, &body), CURLE_OK);
    assert_int_equal(status, 200);
    assert_true(gh_slice_eq_cstr(gh_buf_slice(&body), "plain"));

    gh_buf_cleanup(&body);
    gh_http_server_stop(https);
    gh_http_server_stop(http);
}

static void
test_start_tls_needs_pem(void **state)
{
    struct gh_http_handler h = {answer_tls, NULL};
    struct gh_http_server *s = (struct gh_http_server *)1;
    struct gh_http_tls empty = {NULL, 0, NULL, 0};

    (void)state;
    assert_int_equal(gh_http_server_start_tls("127.0.0.1:0", 1, 1024, h, NULL, NULL, &s),
                     GH_ERR_INVALID_INPUT);
    assert_null(s);
    s = (struct gh_http_server *)1;
    if (gh_http_tls_is_supported())
        assert_int_equal(gh_http_server_start_tls("127.0.0.1:0", 1, 1024, h, NULL, &empty, &s),
                         GH_ERR_INVALID_INPUT);
    else
        assert_int_equal(gh_http_server_start_tls("127.0.0.1:0", 1, 1024, h, NULL, &empty, &s),
                         GH_ERR_NOT_IMPLEMENTED);
    assert_null(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_good),
        cmocka_unit_test(test_load_chain),
        cmocka_unit_test(test_load_refused),
        cmocka_unit_test(test_serve_https),
        cmocka_unit_test(test_start_tls_needs_pem),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
