/*
 * jwt.c: OIDC ID tokens: parsing a compact JWS into its claims, checking
 * issuer, audience and times as AWS STS does, and verifying the signature
 * with cjose against a JWKS.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <jansson.h>

#include "federation/federation.h"

/* AWS STS API reference, AssumeRoleWithWebIdentity errors. */
#define MSG_INVALID                                                                                \
    "The web identity token that was passed could not be validated by AWS. Get a new identity "    \
    "token from the identity provider and then retry the request."
#define MSG_NOT_JWT                                                                                \
    "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access "     \
    "Token)"

struct jwks_key {
    cjose_jwk_t *jwk;
    char *kid; /* NULL when the key has none */
    cjose_jwk_kty_t kty;
    int curve; /* EC: cjose_jwk_ec_curve; -1 otherwise */
};

struct gh_fed_jwks {
    atomic_int refs;
    struct jwks_key keys[GH_FED_JWKS_KEYS_MAX];
    size_t n;
};

/* The accepted algorithms (AWS IAM: RS256/384/512, ES256/384 for OIDC). */
static const char *const algs[] = {"RS256", "RS384", "RS512", "ES256", "ES384"};

static bool
alg_ok(struct gh_slice alg)
{
    for (size_t i = 0; i < GH_ARRAY_LEN(algs); i++)
        if (gh_slice_eq_cstr(alg, algs[i]))
            return true;
    return false;
}

static enum gh_err
bad(struct gh_diag *d, const char *msg)
{
    gh_diag_set(d, "%s", msg);
    return GH_ERR_INVALID_IDENTITY_TOKEN;
}

/* base64url part -> JSON object (new reference). */
static enum gh_err
part_json(struct gh_slice part, json_t **out)
{
    struct gh_buf b;
    json_error_t jerr;
    enum gh_err err;
    unsigned long failed;

    *out = NULL;
    gh_buf_init(&b, GH_FED_JWT_MAX);
    if ((err = gh_base64_decode(part, true, &b)) != GH_OK) {
        gh_buf_cleanup(&b);
        return err == GH_ERR_NOMEM ? err : GH_ERR_INVALID_IDENTITY_TOKEN;
    }
    failed = gh_alloc_failures();
    *out = json_loadb(b.ptr == NULL ? "" : b.ptr, b.len, JSON_REJECT_DUPLICATES, &jerr);
    gh_buf_cleanup(&b);
    /* jansson out of memory may have dropped a character of a claim
     * ("sub", "aud") or read as bad JSON (core.h gh_alloc_counted). */
    if (gh_alloc_failures() != failed) {
        json_decref(*out);
        *out = NULL;
        return GH_ERR_NOMEM;
    }
    if (*out == NULL)
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    }
    return GH_OK;
}

static enum gh_err
str_dup(struct gh_arena *a, json_t *v, struct gh_slice *out)
{
    return gh_arena_dup(a, (struct gh_slice){json_string_value(v), json_string_length(v)}, out);
}

/* A string claim, or GH_ERR_INVALID_IDENTITY_TOKEN when present and not a string. */
static enum gh_err
opt_str(struct gh_arena *a, json_t *obj, const char *k, struct gh_slice *out)
{
    json_t *v = json_object_get(obj, k);

    *out = GH_S("");
    if (v == NULL)
        return GH_OK;
    if (!json_is_string(v))
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    return str_dup(a, v, out);
}

/* A string or an array of strings (aud, amr, transitive keys). */
static enum gh_err
str_list(struct gh_arena *a, json_t *v, struct gh_slice **out, size_t *n)
{
    size_t count = json_is_string(v) ? 1 : json_is_array(v) ? json_array_size(v) : 0;
    enum gh_err err;

    *out = NULL;
    *n = 0;
    if (v == NULL)
        return GH_OK;
    if (!json_is_string(v) && !json_is_array(v))
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    if (count > GH_FED_VALUES_MAX)
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    if (count == 0)
        return GH_OK;
    if ((*out = gh_arena_alloc(a, count * sizeof(**out))) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_is_string(v) ? v : json_array_get(v, i);
        if (!json_is_string(e))
            return GH_ERR_INVALID_IDENTITY_TOKEN;
        if ((err = str_dup(a, e, &(*out)[i])) != GH_OK)
            return err;
    }
    *n = count;
    return GH_OK;
}

/* A NumericDate (RFC 7519): seconds, integer or real. */
static enum gh_err
num_claim(json_t *obj, const char *k, bool required, int64_t *out, bool *present)
{
    json_t *v = json_object_get(obj, k);
    double d;

    *out = 0;
    if (present != NULL)
        *present = false;
    if (v == NULL)
        return required ? GH_ERR_INVALID_IDENTITY_TOKEN : GH_OK;
    if (!json_is_number(v))
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    d = json_number_value(v);
    if (!(d >= 0 && d < 1e13))
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    *out = (int64_t)d;
    if (present != NULL)
        *present = true;
    return GH_OK;
}

/*
 * AWS STS: session tags from the "https://aws.amazon.com/tags" claim:
 * {"principal_tags": {"Key": ["Value"]}, "transitive_tag_keys": ["Key"]}.
 */
static enum gh_err
tags_claim(struct gh_arena *a, json_t *claims, struct gh_fed_jwt *t)
{
    json_t *tc = json_object_get(claims, "https://aws.amazon.com/tags");
    json_t *pt, *val;
    const char *key;
    size_t i = 0;
    enum gh_err err;

    if (tc == NULL)
        return GH_OK;
    if (!json_is_object(tc))
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    pt = json_object_get(tc, "principal_tags");
    if (pt != NULL) {
        if (!json_is_object(pt) || json_object_size(pt) > 50) /* AWS STS: 50 session tags */
            return GH_ERR_INVALID_IDENTITY_TOKEN;
        if (json_object_size(pt) > 0 &&
            (t->tags = gh_arena_alloc(a, json_object_size(pt) * sizeof(*t->tags))) == NULL)
            return GH_ERR_NOMEM;
        json_object_foreach(pt, key, val)
        {
            json_t *s =
                json_is_array(val) && json_array_size(val) == 1 ? json_array_get(val, 0) : val;
            if (!json_is_string(s))
                return GH_ERR_INVALID_IDENTITY_TOKEN;
            if ((err = gh_arena_dup(a, gh_slice_from_cstr(key), &t->tags[i].key)) != GH_OK ||
                (err = str_dup(a, s, &t->tags[i].value)) != GH_OK)
                return err;
            i++;
        }
        t->ntags = i;
    }
    return str_list(a, json_object_get(tc, "transitive_tag_keys"), &t->transitive, &t->ntransitive);
}

enum gh_err
gh_fed_jwt_parse(struct gh_arena *a, struct gh_slice token, struct gh_fed_jwt *out,
                 struct gh_diag *diag)
{
    struct gh_slice rest, parts[3];
    json_t *hdr = NULL, *claims = NULL, *v;
    size_t n = 0;
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    gh_diag_clear(diag);
    token = gh_slice_trim(token);
    while (token.len > 0 && (token.ptr[token.len - 1] == '\n' || token.ptr[token.len - 1] == '\r'))
        token.len--;
    if (token.len > GH_FED_JWT_MAX)
        return bad(diag, MSG_NOT_JWT);
    rest = token;
    for (size_t i = 0; i < token.len; i++)
        if (token.ptr[i] == '.')
            n++;
    if (n != 2)
        return bad(diag, MSG_NOT_JWT);
    for (size_t i = 0; i < 3; i++)
        if (!gh_slice_split(&rest, '.', &parts[i]) || parts[i].len == 0)
            return bad(diag, MSG_NOT_JWT);
    if ((err = part_json(parts[0], &hdr)) != GH_OK || (err = part_json(parts[1], &claims)) != GH_OK)
        goto fail;
    if ((err = gh_arena_dup(a, token, &out->compact)) != GH_OK)
        goto fail;

    /* Header: a signing algorithm we accept; no critical extensions. */
    v = json_object_get(hdr, "alg");
    if (!json_is_string(v) || json_object_get(hdr, "crit") != NULL) {
        err = GH_ERR_INVALID_IDENTITY_TOKEN;
        goto fail;
    }
    if ((err = str_dup(a, v, &out->alg)) != GH_OK)
        goto fail;
    if (!alg_ok(out->alg)) {
        /* `none` and HMAC (a shared secret the issuer cannot publish) never verify. */
        json_decref(hdr);
        json_decref(claims);
        return bad(diag, MSG_INVALID);
    }
    if ((err = opt_str(a, hdr, "kid", &out->kid)) != GH_OK)
        goto fail;

    /* Claims. */
    if (!json_is_string(json_object_get(claims, "iss"))) {
        err = GH_ERR_INVALID_IDENTITY_TOKEN;
        goto fail;
    }
    if ((err = opt_str(a, claims, "iss", &out->iss)) != GH_OK ||
        (err = opt_str(a, claims, "sub", &out->sub)) != GH_OK ||
        (err = opt_str(a, claims, "azp", &out->azp)) != GH_OK ||
        (err = str_list(a, json_object_get(claims, "aud"), &out->aud, &out->naud)) != GH_OK ||
        (err = str_list(a, json_object_get(claims, "amr"), &out->amr, &out->namr)) != GH_OK ||
        (err = num_claim(claims, "exp", true, &out->exp, NULL)) != GH_OK ||
        (err = num_claim(claims, "nbf", false, &out->nbf, &out->has_nbf)) != GH_OK ||
        (err = num_claim(claims, "iat", false, &out->iat, &out->has_iat)) != GH_OK ||
        (err = tags_claim(a, claims, out)) != GH_OK)
        goto fail;
    json_decref(hdr);
    json_decref(claims);
    return GH_OK;
fail:
    json_decref(hdr);
    json_decref(claims);
    memset(out, 0, sizeof(*out));
    if (err == GH_ERR_NOMEM)
        return err;
    return bad(diag, MSG_NOT_JWT);
}

struct gh_slice
gh_fed_url_host_path(struct gh_slice url)
{
    if (gh_slice_starts_with(url, GH_S("https://")))
        url = gh_slice_sub(url, 8, url.len);
    while (url.len > 0 && url.ptr[url.len - 1] == '/')
        url.len--;
    return url;
}

enum gh_err
gh_fed_jwt_check_claims(const struct gh_fed_jwt *t, const struct gh_fed_oidc_provider *p,
                        int64_t now, struct gh_slice *audience, struct gh_diag *diag)
{
    bool found = false;

    gh_diag_clear(diag);
    *audience = GH_SLICE_NULL;
    /* The issuer must be the provider's URL, with its scheme. */
    if (!gh_slice_starts_with(t->iss, GH_S("https://")) ||
        !gh_slice_eq(gh_fed_url_host_path(t->iss), gh_fed_url_host_path(p->url)))
        return bad(diag, MSG_INVALID);
    /* AWS STS: the aud claim (or azp) must be one of the provider's client IDs. */
    for (size_t i = 0; i < t->naud && !found; i++)
        for (size_t j = 0; j < p->nclient_ids && !found; j++)
            if (gh_slice_eq(t->aud[i], p->client_ids[j])) {
                *audience = t->aud[i];
                found = true;
            }
    for (size_t j = 0; j < p->nclient_ids && !found && t->azp.len > 0; j++)
        if (gh_slice_eq(t->azp, p->client_ids[j])) {
            *audience = t->azp;
            found = true;
        }
    if (!found)
        return bad(diag, "Incorrect token audience");
    /* AWS STS wording (no space before the second time is AWS's). */
    if (now > t->exp + GH_FED_SKEW_S) {
        gh_diag_set(diag,
                    "Token expired: current date/time %lld must be before the expiration "
                    "date/time%lld",
                    (long long)now, (long long)t->exp);
        return GH_ERR_EXPIRED_TOKEN_EXCEPTION;
    }
    if ((t->has_nbf && t->nbf > now + GH_FED_SKEW_S) ||
        (t->has_iat && t->iat > now + GH_FED_SKEW_S))
        return bad(diag, MSG_INVALID);
    return GH_OK;
}

/* ---- JWKS ---- */

static void
jwks_free(struct gh_fed_jwks *k)
{
    for (size_t i = 0; i < k->n; i++) {
        cjose_jwk_release(k->keys[i].jwk);
        free(k->keys[i].kid);
    }
    free(k);
}

struct gh_fed_jwks *
gh_fed_jwks_ref(struct gh_fed_jwks *k)
{
    if (k != NULL)
        atomic_fetch_add(&k->refs, 1);
    return k;
}

void
gh_fed_jwks_unref(struct gh_fed_jwks *k)
{
    if (k != NULL && atomic_fetch_sub(&k->refs, 1) == 1)
        jwks_free(k);
}

size_t
gh_fed_jwks_count(const struct gh_fed_jwks *k)
{
    return k == NULL ? 0 : k->n;
}

enum gh_err
gh_fed_jwks_parse(struct gh_slice json, struct gh_fed_jwks **out)
{
    struct gh_fed_jwks *k = NULL;
    json_error_t jerr;
    json_t *doc, *keys;
    enum gh_err err = GH_ERR_INVALID_INPUT;
    unsigned long failed = gh_alloc_failures();

    *out = NULL;
    if (json.len > GH_FED_FETCH_BODY_MAX)
        return GH_ERR_INVALID_INPUT;
    doc = json_loadb(json.ptr == NULL ? "" : json.ptr, json.len, JSON_REJECT_DUPLICATES, &jerr);
    /* jansson out of memory: a key's "n" or "kid" may have lost a
     * character, or the document read as bad JSON (core.h gh_alloc_counted). */
    if (gh_alloc_failures() != failed) {
        json_decref(doc);
        return GH_ERR_NOMEM;
    }
    if (doc == NULL)
        return GH_ERR_INVALID_INPUT;
    keys = json_object_get(doc, "keys");
    if (!json_is_array(keys))
        goto done;
    if ((k = calloc(1, sizeof(*k))) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    atomic_init(&k->refs, 1);
    for (size_t i = 0; i < json_array_size(keys) && k->n < GH_FED_JWKS_KEYS_MAX; i++) {
        json_t *e = json_array_get(keys, i), *use, *kid, *kty;
        cjose_err cerr;
        cjose_jwk_t *jwk;
        struct jwks_key *slot;

        if (!json_is_object(e))
            continue;
        use = json_object_get(e, "use");
        kty = json_object_get(e, "kty");
        if (use != NULL && !(json_is_string(use) && strcmp(json_string_value(use), "sig") == 0))
            continue;
        if (!json_is_string(kty) || (strcmp(json_string_value(kty), "RSA") != 0 &&
                                     strcmp(json_string_value(kty), "EC") != 0))
            continue;
        /* Only the public half is wanted; a JWKS that publishes "d" is ignored for it. */
        if (json_object_get(e, "d") != NULL)
            continue;
        if ((jwk = cjose_jwk_import_json((cjose_header_t *)e, &cerr)) == NULL)
            continue;
        slot = &k->keys[k->n];
        slot->jwk = jwk;
        slot->kty = cjose_jwk_get_kty(jwk, &cerr);
        slot->curve = slot->kty == CJOSE_JWK_KTY_EC ? (int)cjose_jwk_EC_get_curve(jwk, &cerr) : -1;
        kid = json_object_get(e, "kid");
        if (json_is_string(kid) && (slot->kid = strdup(json_string_value(kid))) == NULL) {
            cjose_jwk_release(jwk);
            err = GH_ERR_NOMEM;
            goto done;
        }
        k->n++;
    }
    /* A key cjose could not import for want of memory (in jansson) was
     * skipped: not a smaller key set to cache, a failure. */
    if (gh_alloc_failures() != failed) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    *out = k;
    k = NULL;
    err = GH_OK;
done:
    if (k != NULL)
        jwks_free(k);
    json_decref(doc);
    return err;
}

static bool
kid_eq(const struct jwks_key *key, struct gh_slice kid)
{
    if (kid.len == 0)
        return true;
    return key->kid != NULL && gh_slice_eq_cstr(kid, key->kid);
}

bool
gh_fed_jwks_has_kid(const struct gh_fed_jwks *k, struct gh_slice kid)
{
    for (size_t i = 0; k != NULL && i < k->n; i++)
        if (kid_eq(&k->keys[i], kid))
            return true;
    return false;
}

/* Does the key's type fit the token's algorithm (no RSA key for ES256 ...)? */
static bool
key_fits(const struct jwks_key *key, struct gh_slice alg)
{
    if (alg.len == 5 && alg.ptr[0] == 'R')
        return key->kty == CJOSE_JWK_KTY_RSA;
    if (gh_slice_eq_cstr(alg, "ES256"))
        return key->kty == CJOSE_JWK_KTY_EC && key->curve == CJOSE_JWK_EC_P_256;
    if (gh_slice_eq_cstr(alg, "ES384"))
        return key->kty == CJOSE_JWK_KTY_EC && key->curve == CJOSE_JWK_EC_P_384;
    return false;
}

enum gh_err
gh_fed_jwt_verify_sig(const struct gh_fed_jwt *t, const struct gh_fed_jwks *k, struct gh_diag *diag)
{
    bool any = false;

    gh_diag_clear(diag);
    if (!alg_ok(t->alg))
        return bad(diag, MSG_INVALID);
    for (size_t i = 0; k != NULL && i < k->n; i++) {
        cjose_err cerr;
        cjose_jws_t *jws;
        bool ok;

        if (!kid_eq(&k->keys[i], t->kid))
            continue;
        any = true;
        if (!key_fits(&k->keys[i], t->alg))
            continue;
        /* Imported afresh for each try: cjose keeps verification state in the jws. */
        if ((jws = cjose_jws_import(t->compact.ptr, t->compact.len, &cerr)) == NULL)
            return bad(diag, MSG_NOT_JWT);
        ok = cjose_jws_verify(jws, k->keys[i].jwk, &cerr);
        cjose_jws_release(jws);
        if (ok)
            return GH_OK;
    }
    if (!any) {
        gh_diag_set(diag, "%s",
                    "Couldn't retrieve verification key from your identity provider,  "
                    "please reference AssumeRoleWithWebIdentity documentation for "
                    "requirements");
        return GH_ERR_NOT_FOUND;
    }
    return bad(diag, MSG_INVALID);
}

/* ---- signing (test issuer) ---- */

enum gh_err
gh_fed_jwt_sign(struct gh_slice jwk_json, const char *alg, struct gh_slice claims_json,
                struct gh_buf *out)
{
    cjose_err cerr;
    cjose_jwk_t *jwk = NULL;
    cjose_header_t *hdr = NULL;
    cjose_jws_t *jws = NULL;
    const char *kid, *ser = NULL;
    enum gh_err err = GH_ERR_INVALID_INPUT;

    if ((jwk = cjose_jwk_import(jwk_json.ptr, jwk_json.len, &cerr)) == NULL)
        goto done;
    if (alg == NULL)
        alg = cjose_jwk_get_kty(jwk, &cerr) == CJOSE_JWK_KTY_EC ? "ES256" : "RS256";
    if ((hdr = cjose_header_new(&cerr)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    kid = cjose_jwk_get_kid(jwk, &cerr);
    if (!cjose_header_set(hdr, CJOSE_HDR_ALG, alg, &cerr) ||
        !cjose_header_set(hdr, "typ", "JWT", &cerr) ||
        (kid != NULL && !cjose_header_set(hdr, CJOSE_HDR_KID, kid, &cerr)))
        goto done;
    if ((jws = cjose_jws_sign(jwk, hdr, (const uint8_t *)claims_json.ptr, claims_json.len,
                              &cerr)) == NULL)
        goto done;
    if (!cjose_jws_export(jws, &ser, &cerr))
        goto done;
    err = gh_buf_append_cstr(out, ser);
done:
    cjose_jws_release(jws);
    cjose_header_release(hdr);
    cjose_jwk_release(jwk);
    return err;
}
