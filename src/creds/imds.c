/*
 * imds.c: the EC2 instance metadata service as SDKs read it (IMDSv2):
 * session tokens from PUT /latest/api/token, kept hashed in a bounded
 * table with their expiry, then the iam/, placement/ and identity
 * document paths. AWS EC2 User Guide, "Use the Instance Metadata Service
 * to access instance metadata" and "Retrieve security credentials from
 * instance metadata".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <openssl/crypto.h>

#include "creds/creds.h"

struct token_slot {
    uint8_t hash[GH_SHA256_LEN]; /* SHA-256 of the token: the table holds no token */
    int64_t expires;             /* 0 = free */
};

struct gh_creds_imds {
    struct gh_creds_imds_config cfg;
    pthread_mutex_t lock; /* guards `slots` for one scan */
    struct token_slot slots[GH_CREDS_IMDS_TOKENS_MAX];
};

enum gh_err
gh_creds_instance_id(char out[20])
{
    uint8_t r[9];
    char hex[18];
    enum gh_err err;

    if ((err = gh_random(r, sizeof(r))) != GH_OK)
        return err;
    gh_hex_encode(r, sizeof(r), hex);
    memcpy(out, "i-", 2);
    memcpy(out + 2, hex, 17); /* AWS: i- and 17 hexadecimal characters */
    out[19] = '\0';
    return GH_OK;
}

enum gh_err
gh_creds_imds_new(const struct gh_creds_imds_config *cfg, struct gh_creds_imds **out)
{
    struct gh_creds_imds *m = calloc(1, sizeof(*m));

    *out = NULL;
    if (m == NULL)
        return GH_ERR_NOMEM;
    m->cfg = *cfg;
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return GH_ERR_INTERNAL;
    }
    *out = m;
    return GH_OK;
}

void
gh_creds_imds_free(struct gh_creds_imds *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->lock);
    OPENSSL_cleanse(m->slots, sizeof(m->slots));
    free(m);
}

/* Stores a new token's hash; a full table drops the token closest to expiry. */
static void
token_store(struct gh_creds_imds *m, const uint8_t hash[GH_SHA256_LEN], int64_t expires,
            int64_t now)
{
    size_t victim = 0;

    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < GH_CREDS_IMDS_TOKENS_MAX; i++) {
        if (m->slots[i].expires <= now) {
            victim = i;
            break;
        }
        if (m->slots[i].expires < m->slots[victim].expires)
            victim = i;
    }
    memcpy(m->slots[victim].hash, hash, GH_SHA256_LEN);
    m->slots[victim].expires = expires;
    pthread_mutex_unlock(&m->lock);
}

/* Is `tok` a token this service issued that has not expired? Constant time per slot. */
static bool
token_valid(struct gh_creds_imds *m, struct gh_slice tok, int64_t now)
{
    uint8_t hash[GH_SHA256_LEN];
    bool ok = false;

    if (tok.len != GH_CREDS_IMDS_TOKEN_LEN)
        return false;
    gh_sha256(tok.ptr, tok.len, hash);
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < GH_CREDS_IMDS_TOKENS_MAX; i++)
        if (gh_ct_eq(m->slots[i].hash, hash, sizeof(hash)) && m->slots[i].expires > now)
            ok = true;
    pthread_mutex_unlock(&m->lock);
    OPENSSL_cleanse(hash, sizeof(hash));
    return ok;
}

static void
answer(struct gh_http_resp *resp, int status, const char *body)
{
    resp->status = status;
    resp->content_type = "text/plain";
    gh_buf_reset(&resp->body);
    gh_buf_puts(&resp->body, body);
}

/* PUT /latest/api/token */
static void
token_issue(struct gh_creds_imds *m, struct gh_http_req *req, struct gh_http_resp *resp)
{
    struct gh_slice ttl_h = gh_http_header_get(req, "X-aws-ec2-metadata-token-ttl-seconds");
    uint8_t raw[42], hash[GH_SHA256_LEN];
    struct gh_buf tok;
    uint64_t ttl = 0;
    char *ttl_s;
    int64_t now = gh_now_s();

    /* AWS EC2: a PUT carrying X-Forwarded-For is refused, so a proxy or
     * forwarded request cannot obtain a token (403 Forbidden). */
    if (gh_http_header_get(req, "X-Forwarded-For").ptr != NULL) {
        answer(resp, 403, "Forbidden\n");
        return;
    }
    /* AWS EC2: 400 when the TTL is missing or outside 1..21600 seconds. */
    if (ttl_h.ptr == NULL ||
        gh_http_header_count(req, "X-aws-ec2-metadata-token-ttl-seconds") != 1 ||
        gh_parse_u64(gh_slice_trim(ttl_h), GH_CREDS_IMDS_TTL_MAX_S, &ttl) != GH_OK || ttl == 0) {
        answer(resp, 400,
               "Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be an integer "
               "from 1 to 21600\n");
        return;
    }
    if (gh_random(raw, sizeof(raw)) != GH_OK) {
        answer(resp, 500, "Internal Server Error\n");
        return;
    }
    gh_buf_init(&tok, 128);
    if (gh_base64_encode(&tok, raw, sizeof(raw)) != GH_OK || tok.len != GH_CREDS_IMDS_TOKEN_LEN ||
        (ttl_s = gh_arena_printf(req->arena, "%llu", (unsigned long long)ttl)) == NULL) {
        OPENSSL_cleanse(raw, sizeof(raw));
        gh_buf_cleanup(&tok);
        answer(resp, 500, "Internal Server Error\n");
        return;
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    gh_sha256(tok.ptr, tok.len, hash);
    token_store(m, hash, now + (int64_t)ttl, now);
    OPENSSL_cleanse(hash, sizeof(hash));
    answer(resp, 200, "");
    gh_buf_put(&resp->body, gh_buf_slice(&tok));
    gh_buf_cleanup(&tok);
    /* AWS EC2: the answer repeats the TTL in the same header. */
    if (gh_http_resp_header(resp, "X-aws-ec2-metadata-token-ttl-seconds",
                            gh_slice_from_cstr(ttl_s)) != GH_OK)
        answer(resp, 500, "Internal Server Error\n");
}

/* "/a/b/" and "/a/b" name the same listing. */
static bool
path_is(struct gh_slice path, const char *want)
{
    struct gh_slice w = gh_slice_from_cstr(want);

    if (gh_slice_eq(path, w))
        return true;
    return path.len == w.len + 1 && path.ptr[path.len - 1] == '/' &&
           gh_slice_eq(gh_slice_sub(path, 0, w.len), w);
}

/* The JSON of iam/security-credentials/ROLE, laid out as EC2 writes it. */
static void
creds_json(struct gh_buf *b, const struct gh_creds_set *s)
{
    char updated[21], expires[21];

    gh_time_iso8601(s->updated, updated);
    gh_time_iso8601(s->expires, expires);
    gh_buf_putf(b,
                "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"%s\",\n"
                "  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"%s\",\n"
                "  \"SecretAccessKey\" : ",
                updated, s->access_key_id);
    gh_creds_json_str(b, (struct gh_slice){(const char *)s->secret.bytes, s->secret.len});
    gh_buf_puts(b, ",\n  \"Token\" : ");
    gh_creds_json_str(b, gh_slice_from_cstr(s->token));
    gh_buf_putf(b, ",\n  \"Expiration\" : \"%s\"\n}", expires);
}

static void
info_json(struct gh_buf *b, const struct gh_creds_set *s)
{
    char updated[21];

    gh_time_iso8601(s->updated, updated);
    gh_buf_putf(b,
                "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"%s\",\n"
                "  \"InstanceProfileArn\" : ",
                updated);
    gh_creds_json_str(b, gh_slice_from_cstr(s->profile_arn));
    gh_buf_puts(b, ",\n  \"InstanceProfileId\" : ");
    gh_creds_json_str(b, gh_slice_from_cstr(s->profile_id));
    gh_buf_puts(b, "\n}");
}

static void
identity_document(struct gh_buf *b, const struct gh_creds_imds_config *cfg)
{
    struct utsname u;
    char pending[21];

    if (uname(&u) != 0)
        (void)snprintf(u.machine, sizeof(u.machine), "x86_64");
    gh_time_iso8601(cfg->launched, pending);
    gh_buf_puts(b, "{\n  \"accountId\" : ");
    gh_creds_json_str(b, gh_slice_from_cstr(cfg->account));
    gh_buf_puts(b, ",\n  \"architecture\" : ");
    gh_creds_json_str(b, gh_slice_from_cstr(u.machine));
    gh_buf_puts(b, ",\n  \"availabilityZone\" : ");
    gh_creds_json_str(b, gh_slice_from_cstr(cfg->availability_zone));
    gh_buf_puts(b, ",\n  \"billingProducts\" : null,\n  \"devpayProductCodes\" : null,\n"
                   "  \"marketplaceProductCodes\" : null,\n  \"instanceId\" : ");
    gh_creds_json_str(b, gh_slice_from_cstr(cfg->instance_id));
    gh_buf_puts(b, ",\n  \"kernelId\" : null,\n  \"pendingTime\" : ");
    gh_creds_json_str(b, gh_slice_from_cstr(pending));
    gh_buf_puts(b, ",\n  \"privateIp\" : ");
    gh_creds_json_str(b, gh_slice_from_cstr(cfg->local_ipv4));
    gh_buf_puts(b, ",\n  \"ramdiskId\" : null,\n  \"region\" : ");
    gh_creds_json_str(b, gh_slice_from_cstr(cfg->region));
    gh_buf_puts(b, ",\n  \"version\" : \"2017-09-30\"\n}");
}

static void
serve_get(struct gh_creds_imds *m, struct gh_slice path, struct gh_http_resp *resp)
{
    static const struct gh_slice creds_prefix =
        GH_SLICE_INIT("/latest/meta-data/iam/security-credentials/");
    const struct gh_creds_imds_config *cfg = &m->cfg;
    struct gh_creds_set s;
    struct gh_buf *b = &resp->body;
    bool have;

    answer(resp, 200, "");
    if (path_is(path, "")) {
        gh_buf_puts(b, "latest");
        return;
    }
    if (path_is(path, "/latest")) {
        gh_buf_puts(b, "dynamic\nmeta-data");
        return;
    }
    if (path_is(path, "/latest/meta-data")) {
        gh_buf_puts(b, "hostname\niam/\ninstance-id\nlocal-hostname\nlocal-ipv4\nplacement/");
        return;
    }
    if (path_is(path, "/latest/meta-data/instance-id")) {
        gh_buf_puts(b, cfg->instance_id);
        return;
    }
    if (path_is(path, "/latest/meta-data/local-ipv4")) {
        gh_buf_puts(b, cfg->local_ipv4);
        return;
    }
    if (path_is(path, "/latest/meta-data/hostname") ||
        path_is(path, "/latest/meta-data/local-hostname")) {
        /* AWS EC2: ip-A-B-C-D.REGION.compute.internal */
        gh_buf_puts(b, "ip-");
        for (const char *p = cfg->local_ipv4; *p != '\0'; p++)
            gh_buf_put(b, (struct gh_slice){*p == '.' ? "-" : p, 1});
        gh_buf_putf(b, ".%s.compute.internal", cfg->region);
        return;
    }
    if (path_is(path, "/latest/meta-data/placement")) {
        gh_buf_puts(b, "availability-zone\nregion");
        return;
    }
    if (path_is(path, "/latest/meta-data/placement/region")) {
        gh_buf_puts(b, cfg->region);
        return;
    }
    if (path_is(path, "/latest/meta-data/placement/availability-zone")) {
        gh_buf_puts(b, cfg->availability_zone);
        return;
    }
    if (path_is(path, "/latest/dynamic")) {
        gh_buf_puts(b, "instance-identity/");
        return;
    }
    if (path_is(path, "/latest/dynamic/instance-identity")) {
        gh_buf_puts(b, "document");
        return;
    }
    if (path_is(path, "/latest/dynamic/instance-identity/document")) {
        identity_document(b, cfg);
        return;
    }
    if (!gh_slice_starts_with(path, GH_S("/latest/meta-data/iam")) ||
        (path.len > 21 && path.ptr[21] != '/')) {
        answer(resp, 404, "Not Found\n");
        return;
    }
    /* AWS EC2: with no role (none attached, or its credentials gone) the
     * iam/ paths do not exist. */
    have = gh_creds_cache_get(cfg->cache, gh_now_s(), &s) == GH_OK;
    if (!have) {
        answer(resp, 404, "Not Found\n");
        return;
    }
    if (path_is(path, "/latest/meta-data/iam"))
        gh_buf_puts(b, "info\nsecurity-credentials/");
    else if (path_is(path, "/latest/meta-data/iam/info"))
        info_json(b, &s);
    else if (path_is(path, "/latest/meta-data/iam/security-credentials"))
        gh_buf_puts(b, s.role_name);
    else if (gh_slice_starts_with(path, creds_prefix) &&
             path_is(gh_slice_sub(path, creds_prefix.len, path.len), s.role_name))
        creds_json(b, &s);
    else
        answer(resp, 404, "Not Found\n");
    gh_creds_set_clear(&s);
}

void
gh_creds_imds_handle(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp)
{
    struct gh_creds_imds *m = ctx;
    struct gh_slice tok;
    bool get = gh_slice_eq_cstr(req->method, "GET") || gh_slice_eq_cstr(req->method, "HEAD");

    if (m->cfg.loopback_only && !gh_http_is_loopback(req->remote_addr)) {
        answer(resp, 403, "Forbidden\n");
        return;
    }
    if (gh_slice_eq_cstr(req->method, "PUT")) {
        if (!gh_slice_eq_cstr(req->path, "/latest/api/token"))
            answer(resp, 405, "Method Not Allowed\n");
        else
            token_issue(m, req, resp);
        return;
    }
    if (!get) {
        answer(resp, 405, "Method Not Allowed\n");
        return;
    }
    /* AWS EC2 IMDSv2: a GET with a token must carry a valid, unexpired
     * one (401 otherwise); without a token it is IMDSv1, refused (401)
     * when IMDSv2 is required. */
    tok = gh_http_header_get(req, "X-aws-ec2-metadata-token");
    if (tok.ptr != NULL ? !token_valid(m, tok, gh_now_s()) : !m->cfg.allow_v1) {
        answer(resp, 401, "Unauthorized\n");
        return;
    }
    serve_get(m, req->path, resp);
}
