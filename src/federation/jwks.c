/*
 * jwks.c: the issuers' signing keys: OIDC discovery and JWKS fetched over
 * verified HTTPS with libcurl (system CAs plus --oidc-ca-file), bounded in
 * time and size, and cached per issuer for the max-age the issuer gives.
 * The cache lock is never held across a fetch.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "federation/federation.h"

struct entry {
    char *iss;                /* NULL = free slot */
    struct gh_fed_jwks *keys; /* NULL until a fetch succeeded */
    int64_t expires_ms;       /* monotonic */
    int64_t failed_until_ms;  /* monotonic; no new fetch before */
    int64_t refreshed_ms;     /* monotonic; last forced refresh, 0 = none */
    int64_t used_ms;
};

struct gh_fed {
    pthread_mutex_t mu;
    struct entry e[GH_FED_ISSUERS_MAX];
    STACK_OF(X509) * cas; /* extra trust anchors; immutable after gh_fed_new */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void
curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum gh_err
gh_fed_new(const char *ca_file, struct gh_fed **out)
{
    struct gh_fed *f;
    FILE *fp;
    X509 *x;

    *out = NULL;
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return GH_ERR_INTERNAL;
    if ((f = calloc(1, sizeof(*f))) == NULL)
        return GH_ERR_NOMEM;
    pthread_mutex_init(&f->mu, NULL);
    if (ca_file != NULL) {
        if ((f->cas = sk_X509_new_null()) == NULL) {
            gh_fed_free(f);
            return GH_ERR_NOMEM;
        }
        if ((fp = fopen(ca_file, "r")) == NULL) {
            gh_fed_free(f);
            return GH_ERR_IO;
        }
        while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL)
            if (sk_X509_push(f->cas, x) <= 0)
                X509_free(x);
        fclose(fp);
        if (sk_X509_num(f->cas) == 0) {
            gh_fed_free(f);
            return GH_ERR_INVALID_INPUT;
        }
    }
    *out = f;
    return GH_OK;
}

void
gh_fed_free(struct gh_fed *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < GH_FED_ISSUERS_MAX; i++) {
        free(f->e[i].iss);
        gh_fed_jwks_unref(f->e[i].keys);
    }
    sk_X509_pop_free(f->cas, X509_free);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

/* ---- one HTTPS GET ---- */

struct fetch {
    struct gh_buf body;
    int64_t max_age_s; /* -1 when not given */
    bool no_store;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
    struct fetch *ft = arg;

    if (gh_buf_append(&ft->body, p, size * n) != GH_OK)
        return 0; /* over the cap: curl aborts the transfer */
    return size * n;
}

/* Cache-Control: max-age=N (RFC 9111), no-store / no-cache. */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
    struct fetch *ft = arg;
    struct gh_slice h = {p, size * n}, name, v;

    if (!gh_slice_split(&h, ':', &name) ||
        !gh_slice_case_eq(gh_slice_trim(name), GH_S("Cache-Control")))
        return size * n;
    while (gh_slice_split(&h, ',', &v)) {
        v = gh_slice_trim(v);
        while (v.len > 0 && (v.ptr[v.len - 1] == '\r' || v.ptr[v.len - 1] == '\n'))
            v.len--;
        if (gh_slice_starts_with(v, GH_S("max-age="))) {
            uint64_t age;
            if (gh_parse_u64(gh_slice_sub(v, 8, v.len), GH_FED_JWKS_TTL_MAX_S, &age) == GH_OK)
                ft->max_age_s = (int64_t)age;
            else
                ft->max_age_s = GH_FED_JWKS_TTL_MAX_S;
        } else if (gh_slice_case_eq(v, GH_S("no-store")) || gh_slice_case_eq(v, GH_S("no-cache"))) {
            ft->no_store = true;
        }
    }
    return size * n;
}

static CURLcode
on_ssl_ctx(CURL *curl, void *ssl_ctx, void *arg)
{
    const struct gh_fed *f = arg;
    X509_STORE *st = SSL_CTX_get_cert_store((SSL_CTX *)ssl_ctx);

    (void)curl;
    for (int i = 0; f->cas != NULL && i < sk_X509_num(f->cas); i++)
        if (X509_STORE_add_cert(st, sk_X509_value(f->cas, i)) != 1)
            ERR_clear_error(); /* already present */
    return CURLE_OK;
}

/* GETs `url` (https only) before `deadline_ms`; GH_ERR_IDP_COMMUNICATION with diag. */
static enum gh_err
https_get(const struct gh_fed *f, const char *url, int64_t deadline_ms, struct fetch *ft,
          struct gh_diag *diag)
{
    CURL *c;
    CURLcode rc;
    long status = 0;
    int64_t left = deadline_ms - gh_mono_ms();
    char errbuf[CURL_ERROR_SIZE];

    if (left <= 0) {
        gh_diag_set(diag, "timed out");
        return GH_ERR_IDP_COMMUNICATION;
    }
    if (strncmp(url, "https://", 8) != 0) {
        gh_diag_set(diag, "not an https URL");
        return GH_ERR_IDP_COMMUNICATION;
    }
    if ((c = curl_easy_init()) == NULL)
        return GH_ERR_NOMEM;
    errbuf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)left);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE, (long)GH_FED_FETCH_BODY_MAX);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, ft);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, ft);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "gatehouse-sts");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (f->cas != NULL) {
        curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
        curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, (void *)f);
    }
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        gh_diag_set(diag, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return GH_ERR_IDP_COMMUNICATION;
    }
    if (status != 200) {
        gh_diag_set(diag, "HTTP status %ld", status);
        return GH_ERR_IDP_COMMUNICATION;
    }
    return GH_OK;
}

/*
 * Is `iss` https://HOST[:PORT][/PATH] whose discovery URL (iss +
 * "/.well-known/openid-configuration") stays on that host and path? No
 * user-info, query, fragment, backslash, whitespace or control character.
 * IAM refuses such provider URLs at creation; this keeps a provider stored
 * before that check from steering the fetch elsewhere.
 */
static bool
is_fetchable_issuer(struct gh_slice iss)
{
    if (!gh_slice_starts_with(iss, GH_S("https://")) || iss.len == 8)
        return false;
    for (size_t i = 8; i < iss.len; i++) {
        unsigned char ch = (unsigned char)iss.ptr[i];
        if (ch <= 0x20 || ch >= 0x7f || ch == '?' || ch == '#' || ch == '\\' || ch == '%')
            return false;
        /* '@' before the first '/' is user-info. */
        if (ch == '@' && memchr(iss.ptr + 8, '/', i - 8) == NULL)
            return false;
    }
    return iss.ptr[8] != '/';
}

/* Discovery, then the JWKS; *ttl_s from the JWKS response's max-age. */
static enum gh_err
fetch_keys(const struct gh_fed *f, struct gh_slice iss, struct gh_fed_jwks **out, int64_t *ttl_s,
           struct gh_diag *diag)
{
    int64_t deadline = gh_mono_ms() + GH_FED_FETCH_TIMEOUT_MS;
    struct fetch disc = {.max_age_s = -1}, ks = {.max_age_s = -1};
    struct gh_slice base = iss;
    char *url = NULL, *jwks_url = NULL;
    json_t *doc = NULL, *ju;
    json_error_t jerr;
    enum gh_err err;
    unsigned long failed;

    *out = NULL;
    gh_buf_init(&disc.body, GH_FED_FETCH_BODY_MAX);
    gh_buf_init(&ks.body, GH_FED_FETCH_BODY_MAX);
    while (base.len > 0 && base.ptr[base.len - 1] == '/')
        base.len--;
    if ((url = malloc(base.len + 64)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    memcpy(url, base.ptr, base.len);
    memcpy(url + base.len, "/.well-known/openid-configuration", 34);
    if ((err = https_get(f, url, deadline, &disc, diag)) != GH_OK)
        goto done;
    failed = gh_alloc_failures();
    doc = json_loadb(disc.body.ptr == NULL ? "" : disc.body.ptr, disc.body.len, 0, &jerr);
    /* jansson out of memory may have dropped a character of jwks_uri (core.h
     * gh_alloc_counted): never fetch keys from another URL than published. */
    if (gh_alloc_failures() != failed) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    ju = json_object_get(doc, "jwks_uri");
    if (!json_is_string(ju)) {
        gh_diag_set(diag, "the discovery document has no jwks_uri");
        err = GH_ERR_IDP_COMMUNICATION;
        goto done;
    }
    if ((jwks_url = strdup(json_string_value(ju))) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((err = https_get(f, jwks_url, deadline, &ks, diag)) != GH_OK)
        goto done;
    err = gh_fed_jwks_parse(gh_buf_slice(&ks.body), out);
    if (err == GH_ERR_INVALID_INPUT || (err == GH_OK && gh_fed_jwks_count(*out) == 0)) {
        gh_fed_jwks_unref(*out);
        *out = NULL;
        gh_diag_set(diag, "the JWKS holds no usable signing key");
        err = GH_ERR_IDP_COMMUNICATION;
        goto done;
    }
    *ttl_s = ks.no_store ? 0 : ks.max_age_s >= 0 ? ks.max_age_s : GH_FED_JWKS_TTL_DEFAULT_S;
done:
    json_decref(doc);
    free(url);
    free(jwks_url);
    gh_buf_cleanup(&disc.body);
    gh_buf_cleanup(&ks.body);
    return err;
}

static struct entry *
find(struct gh_fed *f, struct gh_slice iss)
{
    for (size_t i = 0; i < GH_FED_ISSUERS_MAX; i++)
        if (f->e[i].iss != NULL && gh_slice_eq_cstr(iss, f->e[i].iss))
            return &f->e[i];
    return NULL;
}

/* A slot for `iss` (under the lock): a free one, else the least recently used. */
static struct entry *
claim(struct gh_fed *f, struct gh_slice iss)
{
    struct entry *e = find(f, iss), *lru = &f->e[0];
    char *copy;

    if (e != NULL)
        return e;
    for (size_t i = 0; i < GH_FED_ISSUERS_MAX; i++) {
        if (f->e[i].iss == NULL) {
            lru = &f->e[i];
            break;
        }
        if (f->e[i].used_ms < lru->used_ms)
            lru = &f->e[i];
    }
    if ((copy = malloc(iss.len + 1)) == NULL)
        return NULL;
    memcpy(copy, iss.ptr, iss.len);
    copy[iss.len] = '\0';
    free(lru->iss);
    gh_fed_jwks_unref(lru->keys);
    memset(lru, 0, sizeof(*lru));
    lru->iss = copy;
    return lru;
}

enum gh_err
gh_fed_jwks_get(struct gh_fed *f, struct gh_slice iss, bool refresh, struct gh_fed_jwks **out,
                struct gh_diag *diag)
{
    struct gh_fed_jwks *keys = NULL;
    struct entry *e;
    int64_t now = gh_mono_ms(), ttl_s = 0;
    enum gh_err err;

    *out = NULL;
    gh_diag_clear(diag);
    if (!is_fetchable_issuer(iss)) {
        gh_diag_set(diag, "not an https issuer URL of a host and path");
        return GH_ERR_IDP_COMMUNICATION;
    }
    pthread_mutex_lock(&f->mu);
    e = find(f, iss);
    if (e != NULL) {
        e->used_ms = now;
        if (!refresh && e->keys != NULL && now < e->expires_ms) {
            *out = gh_fed_jwks_ref(e->keys);
            pthread_mutex_unlock(&f->mu);
            return GH_OK;
        }
        /* A forced refresh soon after the last one would only let anyone
         * holding a made-up kid make us fetch from the issuer: the keys we
         * have are the answer. Claimed under the lock, so concurrent
         * unknown kids cause one fetch, not one each. */
        if (refresh && e->keys != NULL) {
            if (e->refreshed_ms != 0 && now - e->refreshed_ms < GH_FED_JWKS_REFRESH_MIN_MS) {
                *out = gh_fed_jwks_ref(e->keys);
                pthread_mutex_unlock(&f->mu);
                return GH_OK;
            }
            e->refreshed_ms = now != 0 ? now : 1;
        }
        if (now < e->failed_until_ms) {
            pthread_mutex_unlock(&f->mu);
            gh_diag_set(diag, "the issuer failed moments ago");
            return GH_ERR_IDP_COMMUNICATION;
        }
    }
    pthread_mutex_unlock(&f->mu);

    /* The fetch runs unlocked: a slow issuer delays only its own callers. */
    err = fetch_keys(f, iss, &keys, &ttl_s, diag);

    pthread_mutex_lock(&f->mu);
    now = gh_mono_ms();
    e = claim(f, iss);
    if (e == NULL) {
        pthread_mutex_unlock(&f->mu);
        gh_fed_jwks_unref(keys);
        return GH_ERR_NOMEM;
    }
    e->used_ms = now;
    if (refresh && e->refreshed_ms == 0)
        e->refreshed_ms = now != 0 ? now : 1; /* a slot (re)claimed while we fetched */
    if (err == GH_OK) {
        gh_fed_jwks_unref(e->keys);
        e->keys = gh_fed_jwks_ref(keys);
        e->expires_ms = now + ttl_s * 1000;
        e->failed_until_ms = 0;
        *out = keys;
        keys = NULL;
    } else if (err == GH_ERR_IDP_COMMUNICATION) {
        e->failed_until_ms = now + GH_FED_FETCH_BACKOFF_MS;
    }
    pthread_mutex_unlock(&f->mu);
    gh_fed_jwks_unref(keys);
    return err;
}

enum gh_err
gh_fed_jwt_verify(struct gh_fed *f, const struct gh_fed_jwt *t,
                  const struct gh_fed_oidc_provider *p, int64_t now, struct gh_slice *audience,
                  struct gh_diag *diag)
{
    struct gh_fed_jwks *keys = NULL;
    enum gh_err err;

    *audience = GH_SLICE_NULL;
    /* The issuer must be the provider before anything is fetched from it. */
    if (!gh_slice_starts_with(t->iss, GH_S("https://")) ||
        !gh_slice_eq(gh_fed_url_host_path(t->iss), gh_fed_url_host_path(p->url))) {
        gh_diag_set(diag, "%s",
                    "The web identity token that was passed could not be validated by AWS. Get a "
                    "new identity token from the identity provider and then retry the request.");
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    }
    if ((err = gh_fed_jwks_get(f, t->iss, false, &keys, diag)) != GH_OK)
        goto done;
    if (!gh_fed_jwks_has_kid(keys, t->kid)) {
        /* A new kid: the issuer may have rotated its keys. Asked once. */
        gh_fed_jwks_unref(keys);
        keys = NULL;
        if ((err = gh_fed_jwks_get(f, t->iss, true, &keys, diag)) != GH_OK)
            goto done;
    }
    err = gh_fed_jwt_verify_sig(t, keys, diag);
    if (err == GH_ERR_NOT_FOUND)
        err = GH_ERR_INVALID_IDENTITY_TOKEN; /* diag already has AWS's wording */
    if (err != GH_OK)
        goto done;
    err = gh_fed_jwt_check_claims(t, p, now, audience, diag);
done:
    if (err == GH_ERR_IDP_COMMUNICATION) {
        /* AWS STS API reference, IDPCommunicationError. */
        gh_diag_set(diag, "%s",
                    "The request could not be fulfilled because the identity provider (IDP) that "
                    "was asked to verify the incoming identity token could not be reached. This "
                    "is often a transient error caused by network conditions. Retry the request "
                    "a limited number of times and wait between attempts to be less likely to "
                    "cause an issue.");
    }
    gh_fed_jwks_unref(keys);
    return err;
}
