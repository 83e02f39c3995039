/*
 * test_jwt.c: OIDC tokens: parsing, refused algorithms, signatures with
 * RSA and EC keys, tampering, unknown kids, issuer/audience/time checks,
 * the session-tags claim, and an issuer that cannot be reached.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <cmocka.h>

#include "alloc_fail.h"

#include "federation/federation.h"

#define ISS "https://issuer.example.com/tenant"
#define NOW 1800000000LL

struct keys {
    char *rsa_priv, *ec_priv, *jwks;
};

static struct keys K;

static char *
jwk_json(cjose_jwk_t *k, bool priv)
{
    cjose_err e;
    char *s = cjose_jwk_to_json(k, priv, &e);
    assert_non_null(s);
    return s;
}

static int
setup(void **state)
{
    static const uint8_t e65537[] = {1, 0, 1};
    cjose_err e;
    cjose_jwk_t *rsa = cjose_jwk_create_RSA_random(2048, e65537, 3, &e);
    cjose_jwk_t *ec = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &e);
    char *rp, *ep, buf[8192];

    assert_non_null(rsa);
    assert_non_null(ec);
    assert_true(cjose_jwk_set_kid(rsa, "rsa-1", 5, &e));
    assert_true(cjose_jwk_set_kid(ec, "ec-1", 4, &e));
    K.rsa_priv = jwk_json(rsa, true);
    K.ec_priv = jwk_json(ec, true);
    rp = jwk_json(rsa, false);
    ep = jwk_json(ec, false);
    (void)snprintf(buf, sizeof(buf), "{\"keys\":[%s,%s,{\"kty\":\"oct\",\"k\":\"AAAA\"}]}", rp, ep);
    K.jwks = strdup(buf);
    free(rp);
    free(ep);
    cjose_jwk_release(rsa);
    cjose_jwk_release(ec);
    (void)state;
    return 0;
}

static int
teardown(void **state)
{
    free(K.rsa_priv);
    free(K.ec_priv);
    free(K.jwks);
    (void)state;
    return 0;
}

/* A token over `claims` signed with `priv`. */
static char *
mint(const char *priv, const char *claims)
{
    struct gh_buf b;
    char *s;

    gh_buf_init(&b, 0);
    assert_int_equal(
        gh_fed_jwt_sign(gh_slice_from_cstr(priv), NULL, gh_slice_from_cstr(claims), &b), GH_OK);
    s = strdup(b.ptr);
    gh_buf_cleanup(&b);
    return s;
}

static const char *std_claims =
    "{\"iss\":\"" ISS "\",\"sub\":\"repo:acme/app:ref:refs/heads/main\","
    "\"aud\":\"sts.amazonaws.com\",\"exp\":1800000600,"
    "\"iat\":1799999990,\"nbf\":1799999990,\"amr\":[\"pwd\",\"mfa\"]}";

static const struct gh_slice client_ids[] = {GH_SLICE_INIT("sts.amazonaws.com"),
                                             GH_SLICE_INIT("other")};
static const struct gh_fed_oidc_provider prov = {GH_SLICE_INIT("issuer.example.com/tenant"),
                                                 client_ids, 2};

static void
verify_all(const char *tok, enum gh_err want_parse, enum gh_err want_sig, enum gh_err want_claims,
           int64_t now)
{
    struct gh_arena a;
    struct gh_fed_jwt t;
    struct gh_fed_jwks *k = NULL;
    struct gh_diag d;
    struct gh_slice aud;

    gh_arena_init(&a);
    assert_int_equal(gh_fed_jwt_parse(&a, gh_slice_from_cstr(tok), &t, &d), want_parse);
    if (want_parse == GH_OK) {
        assert_int_equal(gh_fed_jwks_parse(gh_slice_from_cstr(K.jwks), &k), GH_OK);
        assert_int_equal(gh_fed_jwks_count(k), 2); /* the oct key is skipped */
        assert_int_equal(gh_fed_jwt_verify_sig(&t, k, &d), want_sig);
        if (want_sig == GH_OK)
            assert_int_equal(gh_fed_jwt_check_claims(&t, &prov, now, &aud, &d), want_claims);
        gh_fed_jwks_unref(k);
    }
    gh_arena_cleanup(&a);
}

static void
test_rsa_and_ec_verify(void **state)
{
    char *r = mint(K.rsa_priv, std_claims), *e = mint(K.ec_priv, std_claims);

    verify_all(r, GH_OK, GH_OK, GH_OK, NOW);
    verify_all(e, GH_OK, GH_OK, GH_OK, NOW);
    free(r);
    free(e);
    (void)state;
}

static void
test_parse_fields(void **state)
{
    char *r = mint(K.rsa_priv, "{\"iss\":\"" ISS "\",\"sub\":\"s\",\"aud\":[\"a\",\"b\"],"
                               "\"azp\":\"z\",\"exp\":5,\"https://aws.amazon.com/tags\":{"
                               "\"principal_tags\":{\"team\":[\"blue\"]},"
                               "\"transitive_tag_keys\":[\"team\"]}}");
    struct gh_arena a;
    struct gh_fed_jwt t;
    struct gh_diag d;

    gh_arena_init(&a);
    assert_int_equal(gh_fed_jwt_parse(&a, gh_slice_from_cstr(r), &t, &d), GH_OK);
    assert_true(gh_slice_eq_cstr(t.alg, "RS256"));
    assert_true(gh_slice_eq_cstr(t.kid, "rsa-1"));
    assert_true(gh_slice_eq_cstr(t.iss, ISS));
    assert_int_equal(t.naud, 2);
    assert_true(gh_slice_eq_cstr(t.aud[1], "b"));
    assert_true(gh_slice_eq_cstr(t.azp, "z"));
    assert_int_equal(t.exp, 5);
    assert_int_equal(t.ntags, 1);
    assert_true(gh_slice_eq_cstr(t.tags[0].key, "team"));
    assert_true(gh_slice_eq_cstr(t.tags[0].value, "blue"));
    assert_int_equal(t.ntransitive, 1);
    gh_arena_cleanup(&a);
    free(r);
    (void)state;
}

static void
test_tampered(void **state)
{
    char *r = mint(K.rsa_priv, std_claims);
    char *dot = strrchr(r, '.');

    /* Flip a character of the signature. */
    dot[5] = dot[5] == 'A' ? 'B' : 'A';
    verify_all(r, GH_OK, GH_ERR_INVALID_IDENTITY_TOKEN, GH_OK, NOW);
    free(r);
    /* Change the claims but keep the signature. */
    r = mint(K.rsa_priv, std_claims);
    {
        char *p1 = strchr(r, '.') + 1;
        p1[3] = p1[3] == 'x' ? 'y' : 'x';
    }
    {
        struct gh_arena a;
        struct gh_fed_jwt t;
        struct gh_fed_jwks *k = NULL;
        struct gh_diag d;
        gh_arena_init(&a);
        if (gh_fed_jwt_parse(&a, gh_slice_from_cstr(r), &t, &d) == GH_OK) {
            assert_int_equal(gh_fed_jwks_parse(gh_slice_from_cstr(K.jwks), &k), GH_OK);
            assert_int_equal(gh_fed_jwt_verify_sig(&t, k, &d), GH_ERR_INVALID_IDENTITY_TOKEN);
            gh_fed_jwks_unref(k);
        }
        gh_arena_cleanup(&a);
    }
    free(r);
    (void)state;
}

static char *
b64url(const char *s)
{
    struct gh_buf b;
    char *out;

    gh_buf_init(&b, 0);
    assert_int_equal(gh_base64_encode(&b, (const uint8_t *)s, strlen(s)), GH_OK);
    out = strdup(b.ptr);
    gh_buf_cleanup(&b);
    for (char *p = out; *p; p++) {
        if (*p == '+')
            *p = '-';
        else if (*p == '/')
            *p = '_';
        else if (*p == '=')
            *p = '\0';
    }
    return out;
}

static void
test_refused_algorithms(void **state)
{
    const char *hdrs[] = {"{\"alg\":\"none\"}", "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}",
                          "{\"alg\":\"PS256\"}", "{\"alg\":\"RS256\",\"crit\":[\"x\"]}",
                          "{\"kid\":\"rsa-1\"}"};
    char *body = b64url(std_claims);

    for (size_t i = 0; i < GH_ARRAY_LEN(hdrs); i++) {
        char *h = b64url(hdrs[i]), tok[2048];
        (void)snprintf(tok, sizeof(tok), "%s.%s.c2ln", h, body);
        verify_all(tok, GH_ERR_INVALID_IDENTITY_TOKEN, GH_OK, GH_OK, NOW);
        (void)snprintf(tok, sizeof(tok), "%s.%s.", h, body);
        verify_all(tok, GH_ERR_INVALID_IDENTITY_TOKEN, GH_OK, GH_OK, NOW);
        free(h);
    }
    free(body);
    (void)state;
}

static void
test_malformed(void **state)
{
    const char *bad[] = {"",    "a",           "a.b",      "a.b.c.d",
                         "...", "e30.e30.e30", "!!.!!.!!", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"};
    char *big = malloc(GH_FED_JWT_MAX + 10);

    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++)
        verify_all(bad[i], GH_ERR_INVALID_IDENTITY_TOKEN, GH_OK, GH_OK, NOW);
    memset(big, 'A', GH_FED_JWT_MAX + 9);
    big[10] = '.';
    big[20] = '.';
    big[GH_FED_JWT_MAX + 9] = '\0';
    verify_all(big, GH_ERR_INVALID_IDENTITY_TOKEN, GH_OK, GH_OK, NOW);
    free(big);
    (void)state;
}

static void
test_unknown_kid_and_wrong_key_type(void **state)
{
    cjose_err e;
    static const uint8_t e65537[] = {1, 0, 1};
    cjose_jwk_t *other = cjose_jwk_create_RSA_random(2048, e65537, 3, &e);
    char *priv, *tok;
    struct gh_arena a;
    struct gh_fed_jwt t;
    struct gh_fed_jwks *k = NULL;
    struct gh_diag d;

    assert_true(cjose_jwk_set_kid(other, "rsa-2", 5, &e));
    priv = jwk_json(other, true);
    tok = mint(priv, std_claims);
    gh_arena_init(&a);
    assert_int_equal(gh_fed_jwt_parse(&a, gh_slice_from_cstr(tok), &t, &d), GH_OK);
    assert_int_equal(gh_fed_jwks_parse(gh_slice_from_cstr(K.jwks), &k), GH_OK);
    assert_false(gh_fed_jwks_has_kid(k, t.kid));
    assert_int_equal(gh_fed_jwt_verify_sig(&t, k, &d), GH_ERR_NOT_FOUND);
    assert_non_null(strstr(d.text, "Couldn't retrieve verification key"));
    /* Same kid as a published key, another key: the signature fails. */
    free(priv);
    free(tok);
    assert_true(cjose_jwk_set_kid(other, "rsa-1", 5, &e));
    priv = jwk_json(other, true);
    tok = mint(priv, std_claims);
    assert_int_equal(gh_fed_jwt_parse(&a, gh_slice_from_cstr(tok), &t, &d), GH_OK);
    assert_int_equal(gh_fed_jwt_verify_sig(&t, k, &d), GH_ERR_INVALID_IDENTITY_TOKEN);
    /* An ES256 header naming the RSA key never verifies. */
    free(tok);
    {
        struct gh_buf b;
        gh_buf_init(&b, 0);
        assert_int_equal(gh_fed_jwt_sign(gh_slice_from_cstr(K.ec_priv), NULL,
                                         gh_slice_from_cstr(std_claims), &b),
                         GH_OK);
        tok = strdup(b.ptr);
        gh_buf_cleanup(&b);
    }
    assert_int_equal(gh_fed_jwt_parse(&a, gh_slice_from_cstr(tok), &t, &d), GH_OK);
    t.kid = GH_S("rsa-1");
    assert_int_equal(gh_fed_jwt_verify_sig(&t, k, &d), GH_ERR_INVALID_IDENTITY_TOKEN);
    gh_fed_jwks_unref(k);
    gh_arena_cleanup(&a);
    free(priv);
    free(tok);
    cjose_jwk_release(other);
    (void)state;
}

static void
check_claims(const char *claims, int64_t now, enum gh_err want, const char *msg)
{
    char *tok = mint(K.rsa_priv, claims);
    struct gh_arena a;
    struct gh_fed_jwt t;
    struct gh_diag d;
    struct gh_slice aud;

    gh_arena_init(&a);
    assert_int_equal(gh_fed_jwt_parse(&a, gh_slice_from_cstr(tok), &t, &d), GH_OK);
    assert_int_equal(gh_fed_jwt_check_claims(&t, &prov, now, &aud, &d), want);
    if (msg != NULL)
        assert_string_equal(d.text, msg);
    gh_arena_cleanup(&a);
    free(tok);
}

static void
test_claims(void **state)
{
    check_claims(std_claims, NOW, GH_OK, NULL);
    /* The skew tolerance on both sides of exp. */
    check_claims(std_claims, 1800000600 + GH_FED_SKEW_S, GH_OK, NULL);
    check_claims(std_claims, 1800000601 + GH_FED_SKEW_S, GH_ERR_EXPIRED_TOKEN_EXCEPTION,
                 "Token expired: current date/time 1800000901 must be before the expiration "
                 "date/time1800000600");
    /* nbf / iat in the future. */
    check_claims(std_claims, 1799999990 - GH_FED_SKEW_S, GH_OK, NULL);
    check_claims(std_claims, 1799999989 - GH_FED_SKEW_S, GH_ERR_INVALID_IDENTITY_TOKEN, NULL);
    check_claims("{\"iss\":\"" ISS "\",\"aud\":\"x\",\"exp\":1800000600}", NOW,
                 GH_ERR_INVALID_IDENTITY_TOKEN, "Incorrect token audience");
    check_claims("{\"iss\":\"" ISS "\",\"exp\":1800000600}", NOW, GH_ERR_INVALID_IDENTITY_TOKEN,
                 "Incorrect token audience");
    check_claims("{\"iss\":\"" ISS "\",\"aud\":[\"x\",\"other\"],\"exp\":1800000600}", NOW, GH_OK,
                 NULL);
    check_claims("{\"iss\":\"" ISS "\",\"aud\":\"x\",\"azp\":\"other\",\"exp\":1800000600}", NOW,
                 GH_OK, NULL);
    check_claims("{\"iss\":\"" ISS "/\",\"aud\":\"other\",\"exp\":1800000600}", NOW, GH_OK, NULL);
    check_claims("{\"iss\":\"https://evil.example.com/tenant\",\"aud\":\"other\","
                 "\"exp\":1800000600}",
                 NOW, GH_ERR_INVALID_IDENTITY_TOKEN, NULL);
    check_claims("{\"iss\":\"http://issuer.example.com/tenant\",\"aud\":\"other\","
                 "\"exp\":1800000600}",
                 NOW, GH_ERR_INVALID_IDENTITY_TOKEN, NULL);
    (void)state;
}

static void
test_bad_claim_types(void **state)
{
    const char *bad[] = {
        "{\"aud\":\"a\",\"exp\":1}",           /* no iss */
        "{\"iss\":\"" ISS "\",\"aud\":\"a\"}", /* no exp */
        "{\"iss\":\"" ISS "\",\"aud\":\"a\",\"exp\":\"1\"}",
        "{\"iss\":\"" ISS "\",\"aud\":7,\"exp\":1}",
        "{\"iss\":\"" ISS "\",\"aud\":[7],\"exp\":1}",
        "{\"iss\":\"" ISS "\",\"aud\":\"a\",\"exp\":-1}",
        "{\"iss\":\"" ISS "\",\"aud\":\"a\",\"exp\":1,\"https://aws.amazon.com/tags\":7}",
        "[1,2]",
    };

    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        char *tok = mint(K.rsa_priv, bad[i]);
        verify_all(tok, GH_ERR_INVALID_IDENTITY_TOKEN, GH_OK, GH_OK, NOW);
        free(tok);
    }
    (void)state;
}

static void
test_url_host_path(void **state)
{
    assert_true(gh_slice_eq_cstr(gh_fed_url_host_path(GH_S("https://a.b/c/")), "a.b/c"));
    assert_true(gh_slice_eq_cstr(gh_fed_url_host_path(GH_S("a.b")), "a.b"));
    (void)state;
}

static void
test_unreachable_issuer(void **state)
{
    struct gh_fed *f = NULL;
    struct gh_fed_jwks *k = NULL;
    struct gh_diag d;
    int64_t t0 = gh_mono_ms();

    assert_int_equal(gh_fed_new(NULL, &f), GH_OK);
    /* Port 1 on loopback refuses at once; a plain-http issuer is never asked. */
    assert_int_equal(gh_fed_jwks_get(f, GH_S("https://127.0.0.1:1"), false, &k, &d),
                     GH_ERR_IDP_COMMUNICATION);
    assert_null(k);
    /* Within the back-off the issuer is not asked again. */
    assert_int_equal(gh_fed_jwks_get(f, GH_S("https://127.0.0.1:1"), false, &k, &d),
                     GH_ERR_IDP_COMMUNICATION);
    assert_non_null(strstr(d.text, "moments ago"));
    assert_int_equal(gh_fed_jwks_get(f, GH_S("http://127.0.0.1:1"), false, &k, &d),
                     GH_ERR_IDP_COMMUNICATION);
    /* Nor one whose discovery URL would leave the issuer's host or path
     * (a provider stored before IAM refused such URLs). */
    {
        static const char *const steered[] = {
            "https://user:pw@127.0.0.1:1", "https://127.0.0.1:1?x=",
            "https://127.0.0.1:1/a?",      "https://127.0.0.1:1#f",
            "https://127.0.0.1:1/a%2F",    "https:///127.0.0.1:1",
            "https://127.0.0.1:1/a b",     "https://",
        };
        for (size_t i = 0; i < GH_ARRAY_LEN(steered); i++) {
            assert_int_equal(gh_fed_jwks_get(f, gh_slice_from_cstr(steered[i]), false, &k, &d),
                             GH_ERR_IDP_COMMUNICATION);
            assert_null(k);
            if (strstr(d.text, "not an https issuer URL") == NULL)
                fail_msg("%s: %s", steered[i], d.text);
        }
    }
    assert_true(gh_mono_ms() - t0 < GH_FED_FETCH_TIMEOUT_MS);
    gh_fed_free(f);
    assert_int_equal(gh_fed_new("/nonexistent/ca.pem", &f), GH_ERR_IO);
    (void)state;
}

/* A token with every claim the parser copies (lists, tags, amr). */
static enum gh_err
jwt_parse_once(void *ctx)
{
    const char *tok = ctx;
    struct gh_arena a;
    struct gh_fed_jwt t;
    struct gh_diag d;
    enum gh_err err;

    gh_arena_init(&a);
    err = gh_fed_jwt_parse(&a, gh_slice_from_cstr(tok), &t, &d);
    if (err == GH_OK) {
        assert_int_equal(t.naud, 2);
        assert_int_equal(t.ntags, 1);
    }
    gh_arena_cleanup(&a);
    return err;
}

static enum gh_err
jwks_parse_once(void *ctx)
{
    struct gh_fed_jwks *k = NULL;
    enum gh_err err;

    (void)ctx;
    err = gh_fed_jwks_parse(gh_slice_from_cstr(K.jwks), &k);
    if (err == GH_OK)
        assert_int_equal(gh_fed_jwks_count(k), 2);
    else
        assert_null(k);
    gh_fed_jwks_unref(k);
    return err;
}

/*
 * CONTRIBUTING.md "Tests": each allocation of the JWT and JWKS parsers fails in turn
 * with GH_ERR_NOMEM, never InvalidIdentityToken (a client error) or a
 * token with a claim missing. jansson's and cjose's own allocations are
 * not failed (see alloc_fail.h).
 */
static void
test_parse_nomem(void **state)
{
    char *r = mint(K.rsa_priv, "{\"iss\":\"" ISS "\",\"sub\":\"s\",\"aud\":[\"a\",\"b\"],"
                               "\"azp\":\"z\",\"exp\":5,\"amr\":[\"pwd\",\"mfa\"],"
                               "\"https://aws.amazon.com/tags\":{"
                               "\"principal_tags\":{\"team\":[\"blue\"]},"
                               "\"transitive_tag_keys\":[\"team\"]}}");

    (void)state;
    assert_true(af_torture("jwt", jwt_parse_once, r) > 0);
    assert_true(af_torture("jwks", jwks_parse_once, NULL) > 2);
    free(r);
}

/* As jwt_parse_once and jwks_parse_once, jansson's allocations failed too;
 * the token's long "sub" must come through whole or not at all. */
static enum gh_err
jwt_parse_json_once(void *ctx)
{
    const char *tok = ctx;
    struct gh_arena a;
    struct gh_fed_jwt t;
    struct gh_diag d;
    enum gh_err err;

    gh_arena_init(&a);
    af_json_counted = true;
    err = gh_fed_jwt_parse(&a, gh_slice_from_cstr(tok), &t, &d);
    af_json_counted = false;
    if (err == GH_OK) {
        assert_true(gh_slice_eq_cstr(t.sub, "repo:acme/a-very-long-repository-name:ref:refs/"
                                            "heads/a-very-long-branch-name"));
        assert_int_equal(t.naud, 2);
        assert_int_equal(t.ntags, 1);
    }
    gh_arena_cleanup(&a);
    return err;
}

static enum gh_err
jwks_parse_json_once(void *ctx)
{
    enum gh_err err;

    af_json_counted = true;
    err = jwks_parse_once(ctx);
    af_json_counted = false;
    return err;
}

/*
 * jansson 2.14 drops a character it cannot store (issue #362) or reports
 * its allocation failure as bad JSON: each of its allocations failing in
 * turn, the token and the JWKS parse whole or are GH_ERR_NOMEM, never
 * InvalidIdentityToken and never a claim with a letter missing.
 */
static void
test_parse_nomem_json(void **state)
{
    char *r =
        mint(K.rsa_priv, "{\"iss\":\"" ISS "\",\"sub\":\"repo:acme/a-very-long-repository-"
                         "name:ref:refs/heads/a-very-long-branch-name\",\"aud\":[\"a\",\"b\"],"
                         "\"exp\":5,\"https://aws.amazon.com/tags\":{"
                         "\"principal_tags\":{\"team\":[\"blue\"]},"
                         "\"transitive_tag_keys\":[\"team\"]}}");

    (void)state;
    assert_true(af_torture("jwt+jansson", jwt_parse_json_once, r) > 10);
    assert_true(af_torture("jwks+jansson", jwks_parse_json_once, NULL) > 10);
    free(r);
}

int
main(void)
{
    af_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_and_ec_verify),
        cmocka_unit_test(test_parse_fields),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_refused_algorithms),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_unknown_kid_and_wrong_key_type),
        cmocka_unit_test(test_claims),
        cmocka_unit_test(test_bad_claim_types),
        cmocka_unit_test(test_url_host_path),
        cmocka_unit_test(test_unreachable_issuer),
        cmocka_unit_test(test_parse_nomem_json),
        cmocka_unit_test(test_parse_nomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
