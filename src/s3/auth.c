/*
 * auth.c: who is calling the S3 service and may they: SigV4 through the
 * api front door (paths signed without normalisation), S3's wording of
 * authentication errors, the chunk signing key for aws-chunked bodies,
 * and authorization with the bucket policy as the resource-based policy.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "s3/s3_int.h"

/* SigV4 of the request as the verifier sees it (body as given). */
static struct gh_sigv4_request
sigv4_req(const struct s3_req *r)
{
    struct gh_sigv4_request sr = {
        .method = r->http->method,
        .path = r->http->path,
        .query = r->http->query,
        .headers = r->http->headers,
        .nheaders = r->http->nheaders,
        .body = r->http->body,
        .normalize_path = false,
        .payload_hash_hex =
            r->payload_check ? (struct gh_slice){r->payload_sha256, 64} : GH_SLICE_NULL,
    };
    return sr;
}

/* AWS S3 SignatureDoesNotMatch carries what we signed, so clients can compare. */
static enum s3_code
signature_error(struct s3_req *r)
{
    struct gh_sigv4_request sr = sigv4_req(r);
    struct gh_buf cr, sts;
    struct gh_diag diag;

    s3_fail(r, S3_SIGNATURE, NULL);
    if (!r->has_sig)
        return r->code;
    gh_buf_init(&cr, 64 * 1024);
    gh_buf_init(&sts, 4096);
    s3_fail_extra(r, "AWSAccessKeyId", r->sig.access_key_id);
    if (gh_sigv4_canonical(&sr, &r->sig, r->arena, &cr, &sts, &diag) == GH_OK) {
        s3_fail_extra(r, "StringToSign", gh_buf_slice(&sts));
        s3_fail_extra(r, "SignatureProvided", r->sig.signature);
        s3_fail_extra(r, "CanonicalRequest", gh_buf_slice(&cr));
    }
    gh_buf_cleanup(&cr);
    gh_buf_cleanup(&sts);
    return r->code;
}

static enum s3_code
auth_error(struct s3_req *r, enum gh_err err, const struct gh_diag *diag)
{
    switch (err) {
    case GH_ERR_INVALID_TOKEN_ID:
        if (r->sig.security_token.len > 0)
            return s3_fail(r, S3_INVALID_TOKEN, NULL);
        return s3_fail(r, S3_INVALID_ACCESS_KEY, NULL);
    case GH_ERR_EXPIRED_TOKEN:
        return s3_fail(r, S3_EXPIRED_TOKEN, NULL);
    case GH_ERR_SIGNATURE:
        if (strstr(diag->text, "x-amz-content-sha256") != NULL)
            return s3_fail(r, S3_SHA256_MISMATCH, NULL);
        if (strstr(diag->text, "Credential should be scoped") != NULL ||
            strstr(diag->text, "Date in Credential scope") != NULL)
            return s3_fail(r, S3_AUTH_HEADER_MALFORMED, "%s", diag->text);
        return signature_error(r);
    case GH_ERR_SIGNATURE_EXPIRED:
        if (r->presigned)
            return s3_fail(r, S3_ACCESS_DENIED, "Request has expired");
        return s3_fail(r, S3_SKEWED, NULL);
    case GH_ERR_ACCESS_DENIED:
        if (r->has_sig) {
            struct gh_sigv4_request sr = sigv4_req(r);
            struct gh_buf names;

            gh_buf_init(&names, GH_HEADERS_BYTES_MAX); /* room for every name */
            if (gh_sigv4_unsigned_headers(&sr, &r->sig, &names)) {
                /* AWS S3: AccessDenied with the unsigned x-amz-* headers named. */
                s3_fail(r, S3_ACCESS_DENIED, "%s", diag->text);
                s3_fail_extra(r, "HeadersNotSigned", gh_buf_slice(&names));
                gh_buf_cleanup(&names);
                return r->code;
            }
            gh_buf_cleanup(&names);
        }
        /* AWS S3: a presigned URL used after X-Amz-Expires. */
        return s3_fail(r, S3_ACCESS_DENIED, "Request has expired");
    case GH_ERR_REQUEST_EXPIRED:
        /* AWS S3: a presigned URL used after X-Amz-Expires. */
        return s3_fail(r, S3_ACCESS_DENIED, "Request has expired");
    case GH_ERR_INCOMPLETE_SIG:
        return s3_fail(r, S3_AUTH_HEADER_MALFORMED, "%s",
                       diag->text[0] ? diag->text : "The authorization header is malformed.");
    case GH_ERR_QUERY_AUTH:
        return s3_fail(r, S3_AUTH_QUERY_ERROR, "%s", diag->text[0] ? diag->text : "");
    case GH_ERR_NOMEM:
        return s3_fail(r, S3_INTERNAL, NULL);
    default:
        return s3_fail(r, S3_ACCESS_DENIED, "%s", diag->text[0] ? diag->text : "Access Denied");
    }
}

enum s3_code
s3_authenticate(struct s3_req *r)
{
    struct gh_sigv4_request sr = sigv4_req(r);
    struct gh_diag diag;
    struct gh_slice ph = gh_slice_trim(gh_http_header_get(r->http, "x-amz-content-sha256"));
    enum gh_err err;

    gh_diag_clear(&diag);
    err = gh_sigv4_parse(&sr, r->arena, &r->sig, &diag);
    if (err == GH_ERR_MISSING_AUTH) {
        /* AWS S3: no Authorization header and no presigned query is an
         * anonymous request, decided by the bucket policy alone. */
        r->anonymous = true;
        memset(&r->caller, 0, sizeof(r->caller));
        r->caller.type = GH_PRINCIPAL_ANONYMOUS;
        return S3_OK;
    }
    if (err != GH_OK)
        return auth_error(r, err, &diag);
    r->has_sig = true;
    r->presigned = r->sig.presigned;
    r->akid = r->sig.access_key_id;
    if (!gh_slice_eq_cstr(r->sig.service, "s3"))
        return s3_fail(r, S3_AUTH_HEADER_MALFORMED,
                       "The authorization header is malformed; incorrect service \"%.*s\". This "
                       "endpoint belongs to \"s3\".",
                       GH_SP(gh_slice_sub(r->sig.service, 0, 32)));
    /*
     * AWS S3: a request signed in the Authorization header must say what its
     * body hashes to (sig-v4-header-based-auth: "required for all AWS
     * Signature Version 4 requests"); without it the signature would be
     * checked against the empty body's hash and any body accepted. 400
     * InvalidRequest "Missing required header for this request:
     * x-amz-content-sha256" (aws/aws-cli#2138, awslabs/aws-sdk-rust#291).
     * A presigned URL signs UNSIGNED-PAYLOAD and needs none.
     */
    if (!r->presigned && gh_http_header_get(r->http, "x-amz-content-sha256").ptr == NULL)
        return s3_fail(r, S3_INVALID_REQUEST,
                       "Missing required header for this request: x-amz-content-sha256");
    if (r->payload == PAYLOAD_HEX && ph.len == 64) {
        /*
         * AWS S3: the signature covers x-amz-content-sha256, so it is
         * checked now, from the headers, before any byte of the body is
         * accepted; the body's SHA-256, computed as it streams, must then
         * equal the claim (s3_payload_check). Whether or not the body is
         * already here, one rule.
         */
        memcpy(r->payload_sha256, ph.ptr, 64);
        r->payload_sha256[64] = '\0';
        r->payload_check = true;
        err = gh_api_authenticate_hashed(r->s3->api, r->http, false,
                                         (struct gh_slice){r->payload_sha256, 64}, gh_now_s(),
                                         &r->auth_service, &r->caller, &diag);
    } else {
        /* UNSIGNED-PAYLOAD, STREAMING-* (chunk signatures), or a presigned
         * URL with no header (it signs UNSIGNED-PAYLOAD). */
        err = gh_api_authenticate(r->s3->api, r->http, false, gh_now_s(), &r->auth_service,
                                  &r->caller, &diag);
    }
    if (err != GH_OK)
        return auth_error(r, err, &diag);
    return S3_OK;
}

enum s3_code
s3_payload_check(struct s3_req *r, const uint8_t sha256[32])
{
    char hex[65];

    if (!r->payload_check)
        return S3_OK;
    gh_hex_encode(sha256, 32, hex);
    hex[64] = '\0';
    /* AWS S3: lower-case hex, compared as sent (the hash is not secret). */
    if (memcmp(hex, r->payload_sha256, 64) != 0)
        return s3_fail(r, S3_SHA256_MISMATCH, NULL);
    return S3_OK;
}

static void
hmac(const uint8_t *key, size_t key_len, struct gh_slice msg, uint8_t out[GH_SHA256_LEN])
{
    gh_hmac_sha256(key, key_len, msg.ptr, msg.len, out);
}

enum s3_code
s3_chunked_prepare(struct s3_req *r)
{
    struct s3_chunked *c = &r->chunked;
    struct gh_secret secret = {{0}, 0};
    uint8_t k[GH_SHA256_LEN], kin[4 + sizeof(secret.bytes)];
    enum s3_code code = S3_OK;
    enum gh_err err = GH_OK;

    if (!r->has_sig)
        return s3_fail(r, S3_ACCESS_DENIED, "aws-chunked uploads must be signed");
    memcpy(c->prev_sig, r->sig.signature.ptr, r->sig.signature.len < 64 ? r->sig.signature.len : 64);
    c->prev_sig[64] = '\0';
    c->amz_date = r->sig.amz_date;
    c->scope.ptr = gh_arena_printf(r->arena, "%.*s/%.*s/%.*s/aws4_request", GH_SP(r->sig.date),
                                   GH_SP(r->sig.region), GH_SP(r->sig.service));
    if (c->scope.ptr == NULL)
        return s3_fail(r, S3_INTERNAL, NULL);
    c->scope.len = strlen(c->scope.ptr);
    if (!c->signed_chunks && !c->signed_trailer)
        return S3_OK;
    /* The secret of the signing key: from the session token, or the store. */
    if (r->sig.security_token.len > 0) {
        struct gh_session s;
        err = gh_session_open(r->call.keyring, r->sig.security_token, r->arena, &s);
        if (err == GH_OK) {
            secret = s.secret;
            gh_secret_wipe(&s.secret);
        }
    } else {
        struct gh_access_key ak;
        struct gh_store_tx *tx = NULL;
        if ((err = gh_store_tx_begin(r->s3->store, false, &tx)) == GH_OK) {
            err = gh_store_access_key_get(tx, r->arena, r->akid, &ak, &secret);
            gh_store_tx_rollback(tx);
        }
    }
    if (err != GH_OK || secret.len > sizeof(secret.bytes)) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto done;
    }
    /* AWS SigV4: kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service),
     * "aws4_request"). */
    memcpy(kin, "AWS4", 4);
    memcpy(kin + 4, secret.bytes, secret.len);
    hmac(kin, 4 + secret.len, r->sig.date, k);
    hmac(k, sizeof(k), r->sig.region, k);
    hmac(k, sizeof(k), r->sig.service, k);
    hmac(k, sizeof(k), GH_S("aws4_request"), c->signing_key);
done:
    OPENSSL_cleanse(kin, sizeof(kin));
    OPENSSL_cleanse(k, sizeof(k));
    gh_secret_wipe(&secret);
    return code;
}

struct gh_slice
s3_arn(struct s3_req *r, struct gh_slice bucket, struct gh_slice key)
{
    char *s;

    if (bucket.len == 0)
        s = gh_arena_printf(r->arena, "arn:aws:s3:::*");
    else if (key.ptr == NULL)
        s = gh_arena_printf(r->arena, "arn:aws:s3:::%.*s", GH_SP(bucket));
    else
        s = gh_arena_printf(r->arena, "arn:aws:s3:::%.*s/%.*s", GH_SP(bucket), GH_SP(key));
    return s == NULL ? GH_SLICE_NULL : gh_slice_from_cstr(s);
}

/*
 * The request's condition keys plus aws:ResourceTag/KEY for each tag of
 * the bucket. AWS S3 answers aws:ResourceTag from bucket tags once ABAC
 * is enabled on a general purpose bucket (S3 User Guide, "Using tags
 * with S3 general purpose buckets"); gatehouse has no PutBucketAbac and
 * treats every bucket as enabled, for bucket and object actions alike.
 * Stored tags were validated when put; an unreadable set adds nothing.
 */
static enum s3_code
with_bucket_tags(struct s3_req *r, const struct gh_s3_bucket_rec *bucket,
                 const struct gh_api_key *keys, size_t nkeys, struct gh_api_keys *out)
{
    struct gh_params tags;
    struct gh_diag diag;
    struct gh_api_key *all;

    out->items = keys;
    out->count = nkeys;
    if (bucket == NULL || bucket->tags.len == 0 ||
        gh_form_parse(r->arena, bucket->tags, true, &tags, &diag) != GH_OK || tags.count == 0)
        return S3_OK;
    if (tags.count > GH_S3_BUCKET_TAGS_MAX)
        tags.count = GH_S3_BUCKET_TAGS_MAX;
    all = gh_arena_alloc(r->arena, (nkeys + tags.count) * sizeof(*all));
    if (all == NULL)
        return s3_fail(r, S3_INTERNAL, NULL);
    for (size_t i = 0; i < nkeys; i++)
        all[i] = keys[i];
    for (size_t i = 0; i < tags.count; i++) {
        char *k = gh_arena_printf(r->arena, "aws:ResourceTag/%.*s", GH_SP(tags.items[i].name));
        if (k == NULL)
            return s3_fail(r, S3_INTERNAL, NULL);
        all[nkeys + i] = (struct gh_api_key){gh_slice_from_cstr(k), GH_PT_STRING,
                                             tags.items[i].value, false};
    }
    out->items = all;
    out->count = nkeys + tags.count;
    return S3_OK;
}

static enum gh_err
anon_key(struct gh_policy_ctx *ctx, const char *key, enum gh_policy_type type, struct gh_slice v)
{
    return gh_policy_ctx_add(ctx, gh_slice_from_cstr(key), type, v);
}

/*
 * AWS S3: an anonymous request (no Authorization header, no presigned
 * query) is allowed only by a bucket policy statement whose Principal is
 * "*" or {"AWS": "*"}; it has no identity-based policies, and an explicit
 * Deny still wins. Its request context (AWS IAM "global condition context
 * keys") has aws:PrincipalType "Anonymous" and aws:userid "anonymous", no
 * aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalTag/KEY ("anonymous
 * requests do not include this key"), and the keys of the request itself
 * (aws:SourceIp, aws:SecureTransport, aws:UserAgent, time, S3's own keys).
 * AWS S3 answers the refusal with a bare "Access Denied". Sources: IAM
 * User Guide, reference_policies_variables.html (principal table:
 * "Anonymous caller (Amazon SQS, Amazon SNS, and Amazon S3 only)",
 * aws:userid anonymous, aws:PrincipalType Anonymous) and
 * reference_policies_condition-keys.html (aws:PrincipalArn).
 */
static enum s3_code
authorize_anonymous(struct s3_req *r, const char *action, struct gh_slice resource,
                    const struct gh_policy_src *bucket_policy, const struct gh_api_keys *extra)
{
    struct gh_policy_ctx ctx;
    struct gh_policy_principal pp;
    struct gh_policy_result res;
    struct gh_slice ua = gh_http_header_get(r->http, "User-Agent");
    char now_iso[21], epoch[24];
    struct gh_slice now_s, epoch_s;
    int64_t now = r->call.now != 0 ? r->call.now : gh_now_s();
    enum gh_err err;

    memset(&res, 0, sizeof(res)); /* an implicit deny until decided */
    if (bucket_policy == NULL)
        goto deny;
    gh_time_iso8601(now, now_iso);
    (void)snprintf(epoch, sizeof(epoch), "%lld", (long long)now);
    if (gh_arena_dup(r->arena, gh_slice_from_cstr(now_iso), &now_s) != GH_OK ||
        gh_arena_dup(r->arena, gh_slice_from_cstr(epoch), &epoch_s) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    memset(&pp, 0, sizeof(pp));
    pp.type = GH_PRINCIPAL_ANONYMOUS;
    gh_policy_ctx_init(&ctx, r->arena);
    gh_policy_ctx_set_principal(&ctx, &pp);
    if ((err = gh_policy_ctx_set_action(&ctx, gh_slice_from_cstr(action))) != GH_OK ||
        (err = gh_policy_ctx_set_resource(&ctx, resource)) != GH_OK ||
        (err = anon_key(&ctx, "aws:PrincipalType", GH_PT_STRING, GH_S("Anonymous"))) != GH_OK ||
        (err = anon_key(&ctx, "aws:userid", GH_PT_STRING, GH_S("anonymous"))) != GH_OK ||
        (err = anon_key(&ctx, "aws:CurrentTime", GH_PT_DATE, now_s)) != GH_OK ||
        (err = anon_key(&ctx, "aws:EpochTime", GH_PT_DATE, epoch_s)) != GH_OK ||
        (err = anon_key(&ctx, "aws:SecureTransport", GH_PT_BOOL,
                        r->http->tls ? GH_S("true") : GH_S("false"))) != GH_OK ||
        (err = anon_key(&ctx, "aws:RequestedRegion", GH_PT_STRING,
                        gh_slice_from_cstr(r->s3->region))) != GH_OK ||
        (err = anon_key(&ctx, "aws:ViaAWSService", GH_PT_BOOL, GH_S("false"))) != GH_OK)
        goto deny_err;
    if (r->http->remote_addr[0] != '\0' &&
        (err = anon_key(&ctx, "aws:SourceIp", GH_PT_IP,
                        gh_slice_from_cstr(r->http->remote_addr))) != GH_OK)
        goto deny_err;
    if (ua.ptr != NULL && (err = anon_key(&ctx, "aws:UserAgent", GH_PT_STRING, ua)) != GH_OK)
        goto deny_err;
    for (size_t i = 0; i < extra->count; i++) {
        const struct gh_api_key *k = &extra->items[i];
        err = k->empty ? gh_policy_ctx_add_empty(&ctx, k->key, k->type)
                       : gh_policy_ctx_add(&ctx, k->key, k->type, k->value);
        if (err != GH_OK)
            goto deny_err;
    }
    if ((err = gh_policy_eval(bucket_policy, GH_ROLE_RESOURCE, &ctx, &res)) != GH_OK)
        goto deny_err;
    if (res.decision == GH_ALLOW)
        return S3_OK;
    goto deny;
deny_err:
    if (err == GH_ERR_NOMEM)
        return s3_fail(r, S3_INTERNAL, NULL);
deny:
    /* Fail closed: an evaluation error reads as no statement allowing it. */
    if (r->call.config != NULL && r->call.config->enforce == GH_ENFORCE_LOG) {
        fprintf(stderr,
                "gatehouse: enforce=log: allowed a request AWS would deny: RequestId %s: "
                "AccessDenied: anonymous %s on %.*s\n",
                r->rid, action, GH_SP(resource));
        return S3_OK;
    }
    return s3_fail(r, S3_ACCESS_DENIED, "Access Denied");
}

enum s3_code
s3_authorize(struct s3_req *r, const char *action, struct gh_slice resource,
             const struct gh_s3_bucket_rec *bucket, const struct gh_api_key *keys, size_t nkeys)
{
    struct gh_api_keys extra;
    struct gh_authz_opts o = {.keys = &extra};
    struct gh_policy *pol = NULL;
    struct gh_policy_src src;
    struct gh_diag diag;
    enum gh_err err;

    if (with_bucket_tags(r, bucket, keys, nkeys, &extra) != S3_OK)
        return r->code;
    if (bucket != NULL) {
        o.resource_account = bucket->account;
        if (bucket->policy.len > 0) {
            err = gh_api_policy_compiled(r->call.api_cache, bucket->policy, GH_POLICY_RESOURCE,
                                         &diag, &pol);
            if (err != GH_OK)
                return s3_fail(r, S3_INTERNAL, NULL); /* validated when stored */
            src.policy = pol;
            src.id = GH_S("bucket policy");
            src.origin = GH_ORIGIN_OTHER;
            /* AWS IAM "Principal": its user and role ARNs name the entities
             * bound when it was saved; unreadable bindings allow nothing. */
            if (gh_api_principals_src(r->arena, bucket->policy_bind, &src) != GH_OK) {
                gh_policy_unref(pol);
                return s3_fail(r, S3_INTERNAL, NULL);
            }
            o.resource_policy = &src;
        }
    }
    if (r->anonymous) {
        enum s3_code code = authorize_anonymous(r, action, resource, o.resource_policy, &extra);
        gh_policy_unref(pol);
        return code;
    }
    r->call.err = GH_OK;
    r->call.message[0] = '\0';
    err = gh_call_authorize_opts(&r->call, action, resource, &o);
    gh_policy_unref(pol);
    if (err == GH_OK)
        return S3_OK;
    return s3_from_call(r, err);
}
