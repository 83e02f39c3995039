/*
 * sigv4_sign.c: the client side of SigV4 (Authorization header values and
 * presigned query strings), built on the verifier's own canonicalisation
 * so that tests and benchmarks sign exactly what the server checks.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/core.h"
#include "crypto/crypto.h"

static int
slice_cmp(const void *x, const void *y)
{
    return gh_slice_cmp(*(const struct gh_slice *)x, *(const struct gh_slice *)y);
}

/* Every header name of `req`, lower-cased, sorted, once: "host;x-amz-date". */
static enum gh_err
all_headers(const struct gh_sigv4_request *req, struct gh_arena *a, struct gh_slice *out)
{
    struct gh_slice *names;
    size_t k = 0, len = 0;
    char *p;

    *out = GH_S("");
    if (req->nheaders == 0)
        return GH_OK;
    if ((names = gh_arena_alloc(a, req->nheaders * sizeof(*names))) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < req->nheaders; i++) {
        struct gh_slice n = req->headers[i].name;
        char *l;

        if (gh_slice_case_eq(n, GH_S("authorization")))
            continue;
        if ((l = gh_arena_alloc(a, n.len + 1)) == NULL)
            return GH_ERR_NOMEM;
        for (size_t j = 0; j < n.len; j++)
            l[j] = (n.ptr[j] >= 'A' && n.ptr[j] <= 'Z') ? (char)(n.ptr[j] + 32) : n.ptr[j];
        names[k++] = (struct gh_slice){l, n.len};
    }
    if (k == 0)
        return GH_OK;
    qsort(names, k, sizeof(*names), slice_cmp);
    for (size_t i = 0; i < k; i++)
        len += names[i].len + 1;
    if ((p = gh_arena_alloc(a, len)) == NULL)
        return GH_ERR_NOMEM;
    len = 0;
    for (size_t i = 0; i < k; i++) {
        if (i > 0 && gh_slice_eq(names[i], names[i - 1]))
            continue;
        if (len > 0)
            p[len++] = ';';
        memcpy(p + len, names[i].ptr, names[i].len);
        len += names[i].len;
    }
    *out = (struct gh_slice){p, len};
    return GH_OK;
}

/* The auth a verifier would parse from what we are about to send. */
static enum gh_err
auth_for(const struct gh_sigv4_request *req, const struct gh_sigv4_signing *s, bool presigned,
         struct gh_arena *a, struct gh_sigv4_auth *auth)
{
    char amz[17];
    enum gh_err err;

    memset(auth, 0, sizeof(*auth));
    gh_time_amz(s->time, amz);
    if ((err = gh_arena_dup(a, (struct gh_slice){amz, 16}, &auth->amz_date)) != GH_OK)
        return err;
    auth->presigned = presigned;
    auth->access_key_id = s->access_key_id;
    auth->date = gh_slice_sub(auth->amz_date, 0, 8);
    auth->region = s->region;
    auth->service = s->service;
    auth->security_token = s->session_token;
    auth->request_time = s->time;
    auth->signed_headers = s->signed_headers;
    if (auth->signed_headers.len == 0)
        return all_headers(req, a, &auth->signed_headers);
    return GH_OK;
}

/* Signs `sts` and appends the lower-case hex signature to `out`. */
static enum gh_err
put_signature(const struct gh_sigv4_signing *s, const struct gh_sigv4_auth *auth,
              struct gh_slice sts, struct gh_buf *out)
{
    uint8_t key[GH_SHA256_LEN], sig[GH_SHA256_LEN];
    char hex[2 * GH_SHA256_LEN];
    enum gh_err err;

    if ((err = gh_sigv4_key_get(NULL, s->secret, auth->access_key_id, auth->date, auth->region,
                                auth->service, key)) != GH_OK)
        return err;
    gh_sigv4_signature(key, sts, sig);
    gh_hex_encode(sig, sizeof(sig), hex);
    err = gh_buf_append(out, hex, sizeof(hex));
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(sig, sizeof(sig));
    OPENSSL_cleanse(hex, sizeof(hex));
    return err;
}

enum gh_err
gh_sigv4_sign(const struct gh_sigv4_request *req, const struct gh_sigv4_signing *s,
              struct gh_arena *a, struct gh_buf *out)
{
    struct gh_sigv4_auth auth;
    struct gh_buf sts;
    struct gh_diag diag;
    enum gh_err err;

    gh_buf_init(&sts, 0);
    if ((err = auth_for(req, s, false, a, &auth)) != GH_OK)
        goto done;
    if ((err = gh_sigv4_canonical(req, &auth, a, NULL, &sts, &diag)) != GH_OK)
        goto done;
    gh_buf_putf(out, "%s Credential=%.*s/%.*s/%.*s/%.*s/%s, SignedHeaders=%.*s, Signature=",
                GH_SIGV4_ALGORITHM, GH_SP(auth.access_key_id), GH_SP(auth.date), GH_SP(auth.region),
                GH_SP(auth.service), GH_SIGV4_TERMINATOR, GH_SP(auth.signed_headers));
    if ((err = gh_buf_status(out)) != GH_OK)
        goto done;
    err = put_signature(s, &auth, gh_buf_slice(&sts), out);
done:
    gh_buf_cleanup(&sts);
    return err;
}

enum gh_err
gh_sigv4_presign(const struct gh_sigv4_request *req, const struct gh_sigv4_signing *s,
                 int64_t expires_s, struct gh_arena *a, struct gh_buf *out)
{
    struct gh_sigv4_auth auth;
    struct gh_sigv4_request r = *req;
    struct gh_buf q, sts;
    struct gh_diag diag;
    enum gh_err err;

    gh_buf_init(&q, 0);
    gh_buf_init(&sts, 0);
    if ((err = auth_for(req, s, true, a, &auth)) != GH_OK)
        goto done;
    auth.expires_s = expires_s;
    /* The order the AWS SDKs (and the conformance suite) use. */
    gh_buf_put(&q, req->query);
    if (req->query.len > 0)
        gh_buf_puts(&q, "&");
    gh_buf_puts(&q, "X-Amz-Algorithm=" GH_SIGV4_ALGORITHM "&X-Amz-Credential=");
    gh_buf_putf(&sts, "%.*s/%.*s/%.*s/%.*s/%s", GH_SP(auth.access_key_id), GH_SP(auth.date),
                GH_SP(auth.region), GH_SP(auth.service), GH_SIGV4_TERMINATOR);
    if ((err = gh_buf_status(&sts)) != GH_OK ||
        (err = gh_uri_encode(&q, gh_buf_slice(&sts), false)) != GH_OK)
        goto done;
    gh_buf_reset(&sts);
    gh_buf_putf(&q, "&X-Amz-Date=%.*s&X-Amz-SignedHeaders=", GH_SP(auth.amz_date));
    if ((err = gh_uri_encode(&q, auth.signed_headers, false)) != GH_OK)
        goto done;
    gh_buf_putf(&q, "&X-Amz-Expires=%lld", (long long)expires_s);
    if (s->session_token.len > 0) {
        gh_buf_puts(&q, "&X-Amz-Security-Token=");
        if ((err = gh_uri_encode(&q, s->session_token, false)) != GH_OK)
            goto done;
    }
    if ((err = gh_buf_status(&q)) != GH_OK)
        goto done;
    r.query = gh_buf_slice(&q);
    if ((err = gh_sigv4_canonical(&r, &auth, a, NULL, &sts, &diag)) != GH_OK)
        goto done;
    gh_buf_puts(&q, "&X-Amz-Signature=");
    if ((err = gh_buf_status(&q)) != GH_OK ||
        (err = put_signature(s, &auth, gh_buf_slice(&sts), &q)) != GH_OK ||
        (err = gh_buf_append_slice(out, gh_buf_slice(&q))) != GH_OK)
        goto done;
done:
    gh_buf_cleanup(&q);
    gh_buf_cleanup(&sts);
    return err;
}
