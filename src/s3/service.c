/*
 * service.c: the S3 request life cycle: path-style routing to an
 * operation by method and sub-resource, authentication, the body (data
 * streamed to a file through aws-chunked decoding and digests, XML
 * documents buffered), integrity checks, and the response. Serves both
 * the streaming entry (gh_s3_stream) and the buffered one (gh_s3_handle).
 */
#include <assert.h>
#include <openssl/crypto.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "s3/s3_int.h"

enum level { LV_SERVICE = 0, LV_BUCKET, LV_OBJECT };

struct route {
    const char *method;
    enum level level;
    const char *sub; /* query parameter that selects it; NULL = none of the known ones */
    struct s3_op op;
};

/* AWS S3 API reference: each operation's method, path and sub-resource. */
static const struct route routes[] = {
    {"GET", LV_SERVICE, NULL, {"ListBuckets", s3_op_list_buckets, false}},
    {"PUT", LV_BUCKET, "tagging", {"PutBucketTagging", s3_op_put_bucket_tagging, false}},
    {"GET", LV_BUCKET, "tagging", {"GetBucketTagging", s3_op_get_bucket_tagging, false}},
    {"DELETE", LV_BUCKET, "tagging", {"DeleteBucketTagging", s3_op_delete_bucket_tagging, false}},
    {"PUT", LV_BUCKET, "policy", {"PutBucketPolicy", s3_op_put_bucket_policy, false}},
    {"GET", LV_BUCKET, "policy", {"GetBucketPolicy", s3_op_get_bucket_policy, false}},
    {"DELETE", LV_BUCKET, "policy", {"DeleteBucketPolicy", s3_op_delete_bucket_policy, false}},
    {"GET", LV_BUCKET, "location", {"GetBucketLocation", s3_op_get_bucket_location, false}},
    {"GET", LV_BUCKET, "uploads", {"ListMultipartUploads", s3_op_list_uploads, false}},
    {"POST", LV_BUCKET, "delete", {"DeleteObjects", s3_op_delete_objects, false}},
    {"PUT", LV_BUCKET, NULL, {"CreateBucket", s3_op_create_bucket, false}},
    {"HEAD", LV_BUCKET, NULL, {"HeadBucket", s3_op_head_bucket, false}},
    {"DELETE", LV_BUCKET, NULL, {"DeleteBucket", s3_op_delete_bucket, false}},
    {"GET", LV_BUCKET, NULL, {"ListObjects", s3_op_list_objects, false}},
    {"PUT", LV_OBJECT, "tagging", {"PutObjectTagging", s3_op_put_object_tagging, false}},
    {"GET", LV_OBJECT, "tagging", {"GetObjectTagging", s3_op_get_object_tagging, false}},
    {"DELETE", LV_OBJECT, "tagging", {"DeleteObjectTagging", s3_op_delete_object_tagging, false}},
    {"POST", LV_OBJECT, "uploads", {"CreateMultipartUpload", s3_op_create_multipart, false}},
    {"PUT", LV_OBJECT, "uploadId", {"UploadPart", s3_op_upload_part, true}},
    {"POST", LV_OBJECT, "uploadId", {"CompleteMultipartUpload", s3_op_complete_multipart, false}},
    {"DELETE", LV_OBJECT, "uploadId", {"AbortMultipartUpload", s3_op_abort_multipart, false}},
    {"GET", LV_OBJECT, "uploadId", {"ListParts", s3_op_list_parts, false}},
    {"PUT", LV_OBJECT, NULL, {"PutObject", s3_op_put_object, true}},
    {"GET", LV_OBJECT, NULL, {"GetObject", s3_op_get_object, false}},
    {"HEAD", LV_OBJECT, NULL, {"HeadObject", s3_op_get_object, false}},
    {"DELETE", LV_OBJECT, NULL, {"DeleteObject", s3_op_delete_object, false}},
};

/* Sub-resources this service does not implement (answered NotImplemented). */
static const char *const unsupported[] = {
    "acl", "versioning", "cors", "lifecycle", "website", "encryption", "versions",
    "notification", "logging", "replication", "object-lock", "ownershipControls",
    "publicAccessBlock", "retention", "legal-hold", "attributes", "restore", "select",
    "accelerate", "requestPayment", "analytics", "metrics", "inventory", "intelligent-tiering",
    "torrent", "versionId", "policyStatus", "website", "renameObject",
};

static const char *const known_subs[] = {"tagging", "policy", "location", "uploads", "delete",
                                         "uploadId"};

/* splitmix64's finaliser: a bijection on 64 bits, so distinct inputs give distinct ids. */
static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/*
 * Request id and host id: unique within the process (a counter through a
 * bijection) and unlikely to repeat across restarts (a key drawn at start).
 * They are not secrets; drawing them from gh_random on every request was
 * 5% of a 4 KB GetObject.
 */
static void
make_ids(struct s3_req *r)
{
    uint64_t n = atomic_fetch_add_explicit(&r->s3->id_next, 1, memory_order_relaxed);
    uint64_t v[3];
    uint8_t b[24];
    char hex[48];

    v[0] = mix64(n + r->s3->id_key[0]);
    v[1] = mix64(v[0] ^ r->s3->id_key[1]);
    v[2] = mix64(v[1] + r->s3->id_key[0]);
    for (int i = 0; i < 24; i++)
        b[i] = (uint8_t)(v[i / 8] >> (56 - 8 * (i % 8)));
    gh_hex_encode(b, sizeof(b), hex);
    for (int i = 0; i < 16; i++) /* S3 request ids: 16 upper-case hex digits */
        r->rid[i] = (char)(hex[i] >= 'a' ? hex[i] - 32 : hex[i]);
    r->rid[16] = '\0';
    memcpy(r->host_id, hex + 16, 32);
    r->host_id[32] = '\0';
}

/* Splits "/bucket/key..." (still encoded) into decoded bucket and key. */
static enum s3_code
parse_path(struct s3_req *r)
{
    struct gh_slice p = r->http->path, b;

    if (p.len == 0 || p.ptr[0] != '/')
        return s3_fail(r, S3_INVALID_REQUEST, "The request path is not valid.");
    p = gh_slice_sub(p, 1, p.len - 1);
    if (p.len == 0)
        return S3_OK;
    long slash = gh_slice_index(p, '/');
    b = slash < 0 ? p : gh_slice_sub(p, 0, (size_t)slash);
    if (gh_uri_decode(r->arena, b, false, &r->bucket) != GH_OK)
        return s3_fail(r, S3_INVALID_BUCKET_NAME, NULL);
    if (slash >= 0 && (size_t)slash + 1 < p.len) {
        struct gh_slice k = gh_slice_sub(p, (size_t)slash + 1, p.len - (size_t)slash - 1);
        if (gh_uri_decode(r->arena, k, false, &r->key) != GH_OK)
            return s3_fail(r, S3_INVALID_ARGUMENT, "The object key is not valid.");
        if (r->key.len > GH_S3_KEY_MAX)
            return s3_fail(r, S3_KEY_TOO_LONG, NULL);
        if (!gh_utf8_is_valid(r->key))
            return s3_fail(r, S3_INVALID_ARGUMENT, "Object key must be valid UTF-8.");
        if (s3_key_has_nul(r->key))
            return s3_fail(r, S3_INVALID_ARGUMENT, "Object key must not contain a NUL character.");
    }
    return S3_OK;
}

static enum s3_code
route(struct s3_req *r)
{
    enum level lv = r->bucket.len == 0 ? LV_SERVICE : r->key.ptr == NULL ? LV_BUCKET : LV_OBJECT;
    const char *sub = NULL;
    struct gh_diag diag;

    if (gh_form_parse(r->arena, r->http->query, false, &r->q, &diag) != GH_OK)
        return s3_fail(r, S3_INVALID_ARGUMENT, "%s", diag.text[0] ? diag.text : "Bad query");
    for (size_t i = 0; i < GH_ARRAY_LEN(unsupported); i++)
        if (gh_params_has(&r->q, unsupported[i]))
            return s3_fail(r, S3_NOT_IMPLEMENTED, "The %s sub-resource is not implemented.",
                           unsupported[i]);
    for (size_t i = 0; i < GH_ARRAY_LEN(known_subs) && sub == NULL; i++)
        if (gh_params_has(&r->q, known_subs[i]))
            sub = known_subs[i];
    for (size_t i = 0; i < GH_ARRAY_LEN(routes); i++) {
        const struct route *rt = &routes[i];
        if (rt->level != lv || !gh_slice_eq_cstr(r->http->method, rt->method))
            continue;
        if ((rt->sub == NULL) != (sub == NULL) || (sub != NULL && strcmp(sub, rt->sub) != 0))
            continue;
        r->op = &rt->op;
        return S3_OK;
    }
    return s3_fail(r, S3_METHOD_NOT_ALLOWED, NULL);
}

static enum s3_code
payload_mode(struct s3_req *r)
{
    struct gh_slice ph = gh_slice_trim(gh_http_header_get(r->http, "x-amz-content-sha256"));
    struct gh_slice dl = gh_http_header_get(r->http, "x-amz-decoded-content-length");
    struct gh_slice cl = gh_http_header_get(r->http, "Content-Length");
    uint64_t n;

    r->payload = PAYLOAD_HEX;
    if (gh_slice_eq_cstr(ph, "UNSIGNED-PAYLOAD"))
        r->payload = PAYLOAD_UNSIGNED;
    else if (gh_slice_eq_cstr(ph, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"))
        r->payload = PAYLOAD_CHUNKED_SIGNED;
    else if (gh_slice_eq_cstr(ph, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"))
        r->payload = PAYLOAD_CHUNKED_SIGNED_TRAILER;
    else if (gh_slice_eq_cstr(ph, "STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
        r->payload = PAYLOAD_CHUNKED_UNSIGNED_TRAILER;
    else if (gh_slice_starts_with(ph, GH_S("STREAMING-")))
        return s3_fail(r, S3_NOT_IMPLEMENTED, "The payload signing method %.*s is not supported.",
                       GH_SP(gh_slice_sub(ph, 0, 64)));
    r->is_chunked = r->payload >= PAYLOAD_CHUNKED_SIGNED;
    r->chunked.signed_chunks =
        r->payload == PAYLOAD_CHUNKED_SIGNED || r->payload == PAYLOAD_CHUNKED_SIGNED_TRAILER;
    r->chunked.signed_trailer = r->payload == PAYLOAD_CHUNKED_SIGNED_TRAILER;
    if (r->is_chunked) {
        if (dl.ptr == NULL || gh_parse_u64(gh_slice_trim(dl), UINT64_MAX, &n) != GH_OK)
            return s3_fail(r, S3_MISSING_CONTENT_LENGTH, NULL);
        r->decoded_len = n;
        r->has_len = true;
    } else if (cl.ptr != NULL && gh_parse_u64(gh_slice_trim(cl), UINT64_MAX, &n) == GH_OK) {
        r->decoded_len = n;
        r->has_len = true;
    }
    return S3_OK;
}

/* Everything that can be decided from the headers. */
static enum s3_code
req_start(struct s3_req *r)
{
    enum s3_code code;

    make_ids(r);
    gh_buf_init(&r->result, 0);
    gh_buf_init(&r->body, GH_S3_XML_BODY_MAX);
    gh_buf_init(&r->extra, 64 * 1024);
    gh_buf_init(&r->chunked.trailer, 4096);
    r->sink.fd = -1;
    gh_api_call_init(r->s3->api, r->http, &r->caller, &r->result, &r->call);
    r->call.request_id = r->rid;
    if ((code = parse_path(r)) != S3_OK || (code = route(r)) != S3_OK ||
        (code = payload_mode(r)) != S3_OK)
        return code;
    if ((code = s3_authenticate(r)) != S3_OK)
        return code;
    r->wants_data = r->op->data;
    /*
     * An anonymous upload is decided by the bucket policy alone, so decide
     * it before the body: a refused one costs no disk and no transfer.
     */
    if (r->wants_data && r->anonymous && (code = s3_put_authorize_early(r)) != S3_OK)
        return code;
    if (r->wants_data) {
        if (r->has_len && r->decoded_len > GH_S3_PUT_MAX)
            return s3_fail(r, S3_ENTITY_TOO_LARGE, NULL);
        if (!r->has_len && gh_http_header_get(r->http, "Transfer-Encoding").ptr == NULL)
            return s3_fail(r, S3_MISSING_CONTENT_LENGTH, NULL);
        if ((code = s3_sink_open(r)) != S3_OK)
            return code;
    }
    if (r->is_chunked && (code = s3_chunked_prepare(r)) != S3_OK)
        return code;
    return S3_OK;
}

static enum s3_code
req_body(struct s3_req *r, const char *p, size_t n)
{
    if (r->wants_data) {
        if (r->is_chunked)
            return s3_chunked_feed(r, p, n);
        return s3_sink_write(r, p, n);
    }
    if (gh_buf_append(&r->body, p, n) != GH_OK)
        return s3_fail(r, S3_ENTITY_TOO_LARGE, "Your request was too big.");
    return S3_OK;
}

/* Content-MD5 (base64) against the body's MD5. */
static enum s3_code
check_md5(struct s3_req *r, const uint8_t md5[16])
{
    struct gh_slice want = gh_http_header_get(r->http, "Content-MD5");
    struct gh_buf dec;
    enum s3_code code = S3_OK;

    if (want.ptr == NULL)
        return S3_OK;
    gh_buf_init(&dec, 64);
    if (gh_base64_decode(gh_slice_trim(want), false, &dec) != GH_OK || dec.len != 16)
        code = s3_fail(r, S3_INVALID_DIGEST, NULL);
    else if (memcmp(dec.ptr, md5, 16) != 0)
        code = s3_fail(r, S3_BAD_DIGEST, NULL);
    gh_buf_cleanup(&dec);
    return code;
}

/* The body is complete: integrity, the signed payload hash included. */
static enum s3_code
req_body_done(struct s3_req *r)
{
    enum s3_code code;

    if (!r->wants_data) {
        if (r->payload_check) {
            uint8_t sha[GH_SHA256_LEN];
            gh_sha256(r->body.ptr != NULL ? r->body.ptr : "", r->body.len, sha);
            if ((code = s3_payload_check(r, sha)) != S3_OK)
                return code;
        }
        if (r->body.len > 0 && gh_http_header_get(r->http, "Content-MD5").ptr != NULL) {
            uint8_t md5[16];
            unsigned int len = 16;
            if (EVP_Digest(r->body.ptr, r->body.len, md5, &len, EVP_md5(), NULL) != 1)
                return s3_fail(r, S3_INTERNAL, NULL);
            return check_md5(r, md5);
        }
        return S3_OK;
    }
    if (r->is_chunked && (code = s3_chunked_finish(r)) != S3_OK)
        return code;
    if (r->has_len && r->sink.size != r->decoded_len)
        return s3_fail(r, S3_INCOMPLETE_BODY, NULL);
    uint8_t md5[16];
    if ((code = s3_sink_finish(r, md5)) != S3_OK)
        return code;
    if (r->payload_check) {
        /* The SHA-256 the sink computed as the body streamed in. */
        uint8_t sha[GH_SHA256_LEN];
        if ((code = s3_sink_sha256(r, sha)) != S3_OK || (code = s3_payload_check(r, sha)) != S3_OK)
            return code;
    }
    if ((code = check_md5(r, md5)) != S3_OK)
        return code;
    if (!r->is_chunked && r->sink.ck != CK_NONE) {
        static const char *const names[] = {"", "x-amz-checksum-crc32", "x-amz-checksum-crc32c",
                                            "x-amz-checksum-sha256", "x-amz-checksum-sha1"};
        if ((code = s3_checksum_check(r, gh_http_header_get(r->http, names[r->sink.ck]))) !=
            S3_OK)
            return code;
    }
    /* Keep the MD5 for the operation: the ETag. */
    memcpy(r->md5, md5, sizeof(md5));
    return S3_OK;
}

/*
 * Every S3 answer can carry user content (an object, or a key echoed in an
 * error), and S3 shares the console's origin unless the console has its
 * own listener: the browser must neither sniff it into HTML nor give it
 * the origin's rights. "sandbox" gives the document an opaque origin with
 * no scripts, so an uploaded page cannot reach the console's document,
 * storage or requests. Set first, so user metadata cannot crowd them out.
 */
static void
isolation_headers(struct gh_http_resp *resp)
{
    assert(resp->nheaders == 0);
    if (gh_http_resp_header(resp, "X-Content-Type-Options", GH_S("nosniff")) != GH_OK ||
        gh_http_resp_header(resp, "Content-Security-Policy", GH_S("sandbox")) != GH_OK)
        resp->status = 500; /* cannot happen: the first two of GH_HTTP_RESP_HEADERS_MAX */
}

static void
common_headers(struct s3_req *r, struct gh_http_resp *resp)
{
    s3_header(r, resp, "x-amz-request-id", gh_slice_from_cstr(r->rid));
    s3_header(r, resp, "x-amz-id-2", gh_slice_from_cstr(r->host_id));
}

static void
req_finish(struct s3_req *r, struct gh_http_resp *resp)
{
    enum s3_code code = r->code;

    resp->nheaders = 0;
    isolation_headers(resp);
    if (code == S3_OK)
        code = req_body_done(r);
    if (code == S3_OK && r->op != NULL) {
        r->code = S3_OK;
        code = r->op->fn(r, resp);
        /* AWS S3: PutObject and UploadPart answer with the checksum they checked. */
        if (code == S3_OK && r->sink.ck_header != NULL)
            s3_header(r, resp, r->sink.ck_header, gh_slice_from_cstr(r->sink.ck_b64));
        if (r->call.tx != NULL) {
            gh_store_tx_rollback(r->call.tx);
            r->call.tx = NULL;
        }
    }
    if (code != S3_OK) {
        if (r->code == S3_OK)
            r->code = code;
        if (resp->body_fd_set) {
            (void)close(resp->body_fd);
            resp->body_fd_set = false;
        }
        resp->nheaders = 0;
        isolation_headers(resp);
        s3_render_error(r, resp);
    } else if (gh_buf_status(&resp->body) != GH_OK) {
        r->code = S3_INTERNAL;
        s3_render_error(r, resp);
    }
    common_headers(r, resp);
}

static void
req_free(struct s3_req *r)
{
    if (r->call.tx != NULL)
        gh_store_tx_rollback(r->call.tx);
    gh_api_call_cleanup(&r->call); /* the auth snapshot it held */
    if (r->chunked.chunk_hash_on)
        gh_sha256_cleanup(&r->chunked.chunk_hash);
    OPENSSL_cleanse(r->chunked.signing_key, sizeof(r->chunked.signing_key));
    s3_sink_cleanup(&r->sink);
    gh_buf_cleanup(&r->result);
    gh_buf_cleanup(&r->body);
    gh_buf_cleanup(&r->extra);
    gh_buf_cleanup(&r->chunked.trailer);
    free(r);
}

static struct s3_req *
req_new(struct gh_s3 *s3, struct gh_http_req *http)
{
    struct s3_req *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return NULL;
    r->s3 = s3;
    r->http = http;
    r->arena = http->arena;
    r->sink.fd = -1;
    return r;
}

/* ---- buffered entry ---- */

void
gh_s3_handle(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp)
{
    struct s3_req *r = req_new(ctx, req);

    if (r == NULL) {
        resp->status = 503;
        return;
    }
    if (req_start(r) == S3_OK && req->body.len > 0)
        (void)req_body(r, req->body.ptr, req->body.len);
    req_finish(r, resp);
    req_free(r);
}

/* ---- streaming entry ---- */

static bool
signed_for_s3(const struct gh_http_req *req)
{
    struct gh_slice auth = gh_http_header_get(req, "Authorization");

    for (size_t i = 0; auth.ptr != NULL && i + 16 <= auth.len; i++)
        if (memcmp(auth.ptr + i, "/s3/aws4_request", 16) == 0)
            return true;
    for (size_t i = 0; req->query.ptr != NULL && i + 20 <= req->query.len; i++)
        if (memcmp(req->query.ptr + i, "%2Fs3%2Faws4_request", 20) == 0)
            return true;
    return false;
}

/* Does the (still encoded) query have parameter `name`? */
static bool
query_has(struct gh_slice q, const char *name)
{
    struct gh_slice part, n = gh_slice_from_cstr(name);

    while (gh_slice_split(&q, '&', &part))
        if (gh_slice_case_eq(part, n) ||
            (part.len > n.len && part.ptr[n.len] == '=' &&
             gh_slice_case_eq(gh_slice_sub(part, 0, n.len), n)))
            return true;
    return false;
}

/*
 * An unsigned upload: no Authorization header and no signature in the
 * query, a PUT (PutObject, UploadPart) or a multipart POST to a path below
 * a bucket. IAM, STS and Organizations calls all target "/"; the console
 * and /healthz have their own paths. Such a request can only be S3's, so
 * it streams too instead of being buffered (and capped) by the front door.
 */
static bool
anonymous_upload(const struct gh_http_req *req)
{
    struct gh_slice con = GH_S("/console"); /* GH_CONSOLE_PREFIX: console/ comes after s3/ */

    if (gh_http_header_get(req, "Authorization").ptr != NULL ||
        query_has(req->query, "X-Amz-Signature") || query_has(req->query, "X-Amz-Credential") ||
        query_has(req->query, "Signature") || query_has(req->query, "AWSAccessKeyId"))
        return false;
    if (req->path.len < 2 || req->path.ptr[0] != '/' || gh_slice_eq_cstr(req->path, "/healthz"))
        return false;
    if (gh_slice_starts_with(req->path, con) &&
        (req->path.len == con.len || req->path.ptr[con.len] == '/'))
        return false;
    if (gh_slice_eq_cstr(req->method, "PUT"))
        return true;
    return gh_slice_eq_cstr(req->method, "POST") &&
           (query_has(req->query, "uploads") || query_has(req->query, "uploadId"));
}

static enum gh_http_stream_verdict
stream_begin(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp, void **state)
{
    struct s3_req *r;

    *state = NULL;
    if ((!signed_for_s3(req) && !anonymous_upload(req)) ||
        gh_slice_eq_cstr(req->path, "/healthz"))
        return GH_HTTP_STREAM_PASS;
    if ((r = req_new(ctx, req)) == NULL) {
        resp->status = 503;
        return GH_HTTP_STREAM_RESPOND;
    }
    if (req_start(r) != S3_OK) {
        req_finish(r, resp);
        req_free(r);
        return GH_HTTP_STREAM_RESPOND;
    }
    *state = r;
    return GH_HTTP_STREAM_TAKE;
}

static enum gh_err
stream_body(void *state, const char *data, size_t len)
{
    struct s3_req *r = state;

    return req_body(r, data, len) == S3_OK ? GH_OK : GH_ERR_INVALID_INPUT;
}

static void
stream_end(void *state, enum gh_err body_err, struct gh_http_resp *resp)
{
    struct s3_req *r = state;

    (void)body_err; /* r->code holds the reason */
    req_finish(r, resp);
}

static void
stream_done(void *state)
{
    if (state != NULL)
        req_free(state);
}

void
gh_s3_stream(struct gh_s3 *s3, struct gh_http_stream *out)
{
    out->begin = stream_begin;
    out->body = stream_body;
    out->end = stream_end;
    out->done = stream_done;
    out->ctx = s3;
}

/* ---- life cycle ---- */

static enum gh_err
mkdir_p(const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return GH_ERR_IO;
    return GH_OK;
}

/* A crash may leave temporary uploads behind; nothing names them. */
static void
sweep_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1400];

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        (void)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        (void)unlink(path);
    }
    (void)closedir(d);
}

static bool
is_data_id(const char *name)
{
    size_t n = 0;

    for (; name[n] != '\0'; n++)
        if (!((name[n] >= '0' && name[n] <= '9') || (name[n] >= 'a' && name[n] <= 'f')))
            return false;
    return n == 32; /* s3_new_id: 32 lower-case hex digits */
}

/*
 * A crash between a data file's rename into DIR/s3/data and the commit of
 * the row naming it leaves a file that no object or part references:
 * remove those. Runs once, before the server accepts requests, and only
 * on regular files named like data ids and last written before `start`
 * (anything newer is not a leftover of an earlier run). A store error
 * stops the sweep: when in doubt, a file is kept.
 */
static void
sweep_data(const struct gh_s3 *s3, const struct timespec *start)
{
    DIR *d = opendir(s3->data_dir);
    struct gh_store_tx *tx = NULL;
    struct dirent *e;
    struct stat st;
    char path[1400];
    size_t removed = 0;

    if (d == NULL)
        return;
    if (s3->store == NULL || gh_store_tx_begin(s3->store, false, &tx) != GH_OK) {
        (void)closedir(d);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        bool referenced = true;

        if (!is_data_id(e->d_name))
            continue;
        (void)snprintf(path, sizeof(path), "%s/%s", s3->data_dir, e->d_name);
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (st.st_mtim.tv_sec > start->tv_sec ||
            (st.st_mtim.tv_sec == start->tv_sec && st.st_mtim.tv_nsec >= start->tv_nsec))
            continue;
        if (gh_store_s3_data_referenced(tx, (struct gh_slice){e->d_name, 32}, &referenced) !=
            GH_OK)
            break;
        if (!referenced && unlink(path) == 0)
            removed++;
    }
    gh_store_tx_rollback(tx);
    (void)closedir(d);
    if (removed > 0)
        fprintf(stderr, "gatehouse: s3: removed %zu data file(s) no object or part referenced "
                        "(left by an interrupted upload)\n",
                removed);
}

enum gh_err
gh_s3_new(const struct gh_s3_config *cfg, struct gh_s3 **out)
{
    struct gh_s3 *s3 = calloc(1, sizeof(*s3));
    struct timespec start;
    int n;

    *out = NULL;
    if (s3 == NULL)
        return GH_ERR_NOMEM;
    s3->api = cfg->api;
    s3->store = cfg->store;
    (void)snprintf(s3->region, sizeof(s3->region), "%s", cfg->region);
    n = snprintf(s3->dir, sizeof(s3->dir), "%s/s3", cfg->data_dir);
    if (n < 0 || (size_t)n >= sizeof(s3->dir)) {
        free(s3);
        return GH_ERR_INVALID_INPUT;
    }
    (void)snprintf(s3->data_dir, sizeof(s3->data_dir), "%s/data", s3->dir);
    (void)snprintf(s3->tmp_dir, sizeof(s3->tmp_dir), "%s/tmp", s3->dir);
    if (gh_random(s3->id_key, sizeof(s3->id_key)) != GH_OK) {
        free(s3);
        return GH_ERR_INTERNAL;
    }
    if (mkdir_p(s3->dir) != GH_OK || mkdir_p(s3->data_dir) != GH_OK ||
        mkdir_p(s3->tmp_dir) != GH_OK) {
        free(s3);
        return GH_ERR_IO;
    }
    sweep_tmp(s3->tmp_dir);
    if (clock_gettime(CLOCK_REALTIME, &start) == 0)
        sweep_data(s3, &start);
    *out = s3;
    return GH_OK;
}

void
gh_s3_free(struct gh_s3 *s3)
{
    free(s3);
}
