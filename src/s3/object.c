/*
 * object.c: object operations: PutObject (conditional If-None-Match),
 * GetObject/HeadObject (Range, If-Match, If-None-Match,
 * If-Modified-Since, If-Unmodified-Since), DeleteObject, DeleteObjects,
 * CopyObject and object tagging, each authorized with S3's actions and
 * condition keys (s3:ExistingObjectTag/KEY, s3:RequestObjectTag/KEY, s3:x-amz-acl).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "s3/s3_int.h"

/* Stored request headers besides user metadata (AWS S3 PutObject). */
static const char *const stored_headers[] = {"Cache-Control", "Content-Disposition",
                                             "Content-Language", "Expires",
                                             "x-amz-website-redirect-location"};

#define KEYS_MAX 24

struct gh_slice
s3_etag(struct s3_req *r, const uint8_t md5[16], unsigned parts)
{
    char hex[32];
    char *s;

    gh_hex_encode(md5, 16, hex);
    s = parts > 0 ? gh_arena_printf(r->arena, "\"%.32s-%u\"", hex, parts)
                  : gh_arena_printf(r->arena, "\"%.32s\"", hex);
    return s == NULL ? GH_SLICE_NULL : gh_slice_from_cstr(s);
}

enum s3_code
s3_meta_from_request(struct s3_req *r, struct gh_buf *out)
{
    size_t meta_bytes = 0;

    for (size_t i = 0; i < r->http->nheaders; i++) {
        struct gh_slice n = r->http->headers[i].name, v = gh_slice_trim(r->http->headers[i].value);
        char lower[256];
        if (n.len < sizeof(lower) && n.len > 11 && gh_slice_case_eq(gh_slice_sub(n, 0, 11), GH_S("x-amz-meta-"))) {
            for (size_t k = 0; k < n.len; k++)
                lower[k] = (char)(n.ptr[k] >= 'A' && n.ptr[k] <= 'Z' ? n.ptr[k] + 32 : n.ptr[k]);
            meta_bytes += n.len - 11 + v.len;
            s3_form_add(out, (struct gh_slice){lower, n.len}, v);
            continue;
        }
        for (size_t k = 0; k < GH_ARRAY_LEN(stored_headers); k++)
            if (gh_slice_case_eq(n, gh_slice_from_cstr(stored_headers[k])))
                s3_form_add(out, gh_slice_from_cstr(stored_headers[k]), v);
        if (gh_slice_case_eq(n, GH_S("Content-Encoding"))) {
            /* aws-chunked is the transfer's encoding, not the object's. */
            struct gh_slice rest = v, part;
            struct gh_buf keep;
            gh_buf_init(&keep, 1024);
            while (gh_slice_split(&rest, ',', &part)) {
                part = gh_slice_trim(part);
                if (part.len == 0 || gh_slice_eq_cstr(part, "aws-chunked"))
                    continue;
                if (keep.len > 0)
                    gh_buf_puts(&keep, ",");
                gh_buf_put(&keep, part);
            }
            if (keep.len > 0)
                s3_form_add(out, GH_S("Content-Encoding"), gh_buf_slice(&keep));
            gh_buf_cleanup(&keep);
        }
    }
    /*
     * The checksum checked on the way in (PutObject), for GET/HEAD with
     * x-amz-checksum-mode; AWS S3 gives a single-part object's the type
     * FULL_OBJECT (multipart uploads say COMPOSITE or FULL_OBJECT).
     */
    if (r->sink.ck_header != NULL) {
        s3_form_add(out, gh_slice_from_cstr(r->sink.ck_header), gh_slice_from_cstr(r->sink.ck_b64));
        s3_form_add(out, GH_S("x-amz-checksum-type"), GH_S("FULL_OBJECT"));
    }
    /* AWS S3: user-defined metadata is limited to 2 KB. */
    if (meta_bytes > GH_S3_META_MAX)
        return s3_fail(r, S3_METADATA_TOO_LARGE, NULL);
    return gh_buf_status(out) == GH_OK ? S3_OK : s3_fail(r, S3_METADATA_TOO_LARGE, NULL);
}

void
s3_object_headers(struct s3_req *r, struct gh_http_resp *resp, const struct gh_s3_object_rec *o)
{
    struct gh_params meta, tags;
    struct gh_diag diag;
    char date[30];
    /*
     * AWS S3 GetObject/HeadObject: the stored checksum only with
     * x-amz-checksum-mode: ENABLED, and only for the whole object (it does
     * not describe a range).
     */
    bool sums = gh_slice_case_eq(gh_slice_trim(gh_http_header_get(r->http, "x-amz-checksum-mode")),
                                 GH_S("ENABLED")) &&
                gh_http_header_get(r->http, "Range").ptr == NULL;

    gh_time_http(o->modified, date);
    s3_header(r, resp, "Last-Modified", gh_slice_from_cstr(date));
    s3_header(r, resp, "ETag", o->etag);
    if (gh_form_parse(r->arena, o->meta, false, &meta, &diag) == GH_OK)
        for (size_t i = 0; i < meta.count; i++) {
            char *n;
            if (!sums && gh_slice_starts_with(meta.items[i].name, GH_S("x-amz-checksum-")))
                continue;
            n = gh_arena_strndup(r->arena, meta.items[i].name);
            if (n != NULL)
                s3_header(r, resp, n, meta.items[i].value);
        }
    if (o->tags.len > 0 && gh_form_parse(r->arena, o->tags, true, &tags, &diag) == GH_OK)
        s3_headerf(r, resp, "x-amz-tagging-count", "%zu", tags.count);
}

/* s3:ExistingObjectTag/KEY for each tag of the object. */
static size_t
existing_tag_keys(struct s3_req *r, struct gh_slice tags_form, struct gh_api_key *keys, size_t max)
{
    struct gh_params tags;
    struct gh_diag diag;
    size_t n = 0;

    if (tags_form.len == 0 || gh_form_parse(r->arena, tags_form, true, &tags, &diag) != GH_OK)
        return 0;
    for (size_t i = 0; i < tags.count && n < max; i++) {
        char *k = gh_arena_printf(r->arena, "s3:ExistingObjectTag/%.*s", GH_SP(tags.items[i].name));
        if (k == NULL)
            break;
        keys[n++] = (struct gh_api_key){gh_slice_from_cstr(k), GH_PT_STRING, tags.items[i].value,
                                        false};
    }
    return n;
}

/*
 * AWS S3: a missing key reads NoSuchKey only to callers who may list the
 * bucket; others get AccessDenied, so keys cannot be probed.
 */
static enum s3_code
missing_key(struct s3_req *r, const struct gh_s3_bucket_rec *b)
{
    if (s3_authorize(r, "s3:ListBucket", s3_arn(r, r->bucket, GH_SLICE_NULL), b, NULL, 0) != S3_OK)
        return s3_fail(r, S3_ACCESS_DENIED, "Access Denied");
    s3_fail(r, S3_NO_SUCH_KEY, NULL);
    s3_fail_extra(r, "Key", r->key);
    return r->code;
}

/* Strong ETag comparison of a header list ("a", "b" or *). */
static bool
etag_matches(struct gh_slice header, struct gh_slice etag)
{
    struct gh_slice rest = header, part;
    struct gh_slice bare = etag.len >= 2 ? gh_slice_sub(etag, 1, etag.len - 2) : etag;

    while (gh_slice_split(&rest, ',', &part)) {
        part = gh_slice_trim(part);
        if (gh_slice_starts_with(part, GH_S("W/")))
            part = gh_slice_sub(part, 2, part.len - 2);
        if (gh_slice_eq_cstr(part, "*") || gh_slice_eq(part, etag) || gh_slice_eq(part, bare))
            return true;
    }
    return false;
}

/* AWS S3 (RFC 7232): the conditional headers of GetObject/HeadObject. */
static enum s3_code
conditions(struct s3_req *r, const struct gh_s3_object_rec *o, struct gh_http_resp *resp)
{
    struct gh_slice im = gh_http_header_get(r->http, "If-Match");
    struct gh_slice inm = gh_http_header_get(r->http, "If-None-Match");
    struct gh_slice ims = gh_http_header_get(r->http, "If-Modified-Since");
    struct gh_slice ius = gh_http_header_get(r->http, "If-Unmodified-Since");
    int64_t t;

    if (im.ptr != NULL && !etag_matches(im, o->etag))
        return s3_fail(r, S3_PRECONDITION_FAILED, NULL);
    if (im.ptr == NULL && ius.ptr != NULL && s3_parse_http_date(ius, &t) == GH_OK &&
        o->modified > t)
        return s3_fail(r, S3_PRECONDITION_FAILED, NULL);
    if (inm.ptr != NULL && etag_matches(inm, o->etag)) {
        s3_object_headers(r, resp, o);
        return s3_fail(r, S3_NOT_MODIFIED, NULL);
    }
    if (inm.ptr == NULL && ims.ptr != NULL && s3_parse_http_date(ims, &t) == GH_OK &&
        o->modified <= t) {
        s3_object_headers(r, resp, o);
        return s3_fail(r, S3_NOT_MODIFIED, NULL);
    }
    return S3_OK;
}

/* "bytes=a-b", "bytes=a-", "bytes=-n": one range, as S3 serves. */
enum s3_code
s3_range_parse(struct s3_req *r, struct gh_slice h, uint64_t size, bool *has, uint64_t *off,
            uint64_t *len)
{
    struct gh_slice spec, first, last;
    uint64_t a = 0, b = 0;

    *has = false;
    h = gh_slice_trim(h);
    if (!gh_slice_starts_with(h, GH_S("bytes=")))
        return S3_OK; /* AWS S3 ignores a range it does not understand */
    spec = gh_slice_sub(h, 6, h.len - 6);
    if (gh_slice_index(spec, ',') >= 0)
        return S3_OK;
    long dash = gh_slice_index(spec, '-');
    if (dash < 0)
        return S3_OK;
    first = gh_slice_trim(gh_slice_sub(spec, 0, (size_t)dash));
    last = gh_slice_trim(gh_slice_sub(spec, (size_t)dash + 1, spec.len - (size_t)dash - 1));
    if (first.len == 0) {
        if (gh_parse_u64(last, UINT64_MAX, &b) != GH_OK)
            return S3_OK;
        if (b == 0 || size == 0)
            goto unsatisfiable;
        if (b > size)
            b = size;
        *off = size - b;
        *len = b;
    } else {
        if (gh_parse_u64(first, UINT64_MAX, &a) != GH_OK)
            return S3_OK;
        if (last.len == 0)
            b = size == 0 ? 0 : size - 1;
        else if (gh_parse_u64(last, UINT64_MAX, &b) != GH_OK || b < a)
            return S3_OK;
        if (a >= size)
            goto unsatisfiable;
        if (b >= size)
            b = size - 1;
        *off = a;
        *len = b - a + 1;
    }
    *has = true;
    return S3_OK;
unsatisfiable:
    s3_fail(r, S3_INVALID_RANGE, NULL);
    s3_fail_extra(r, "RangeRequested", h);
    char sz[32];
    int n = snprintf(sz, sizeof(sz), "%llu", (unsigned long long)size);
    s3_fail_extra(r, "ActualObjectSize", (struct gh_slice){sz, (size_t)n});
    return r->code;
}

/* Opens the object's data file; false when it vanished (replaced meanwhile). */
static int
open_data(struct s3_req *r, struct gh_slice data_id)
{
    char path[1200];

    s3_data_path(r->s3, data_id, path, sizeof(path));
    return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * Objects up to this size are read into the response: libmicrohttpd then
 * sends headers and body in one call, where a file response costs a send
 * of the headers and a sendfile (a 4 KB GetObject spent a quarter of its
 * time in those two system calls).
 */
#define S3_GET_INLINE_MAX ((uint64_t)64 * 1024)

/* Reads `len` bytes at `off` into `out`; false (out emptied) on a short read or error. */
static bool
read_inline(int fd, uint64_t off, uint64_t len, struct gh_buf *out)
{
    char *p = NULL;
    size_t got = 0;

    gh_buf_reset(out);
    if (len > 0 && gh_buf_extend(out, (size_t)len, &p) != GH_OK) {
        gh_buf_cleanup(out);
        return false;
    }
    while (got < len) {
        ssize_t n = pread(fd, p + got, (size_t)len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* the file is shorter than its row says: serve it as a file, which fails */
            gh_buf_cleanup(out);
            return false;
        }
        got += (size_t)n;
    }
    return true;
}

enum s3_code
s3_op_get_object(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_object_rec o;
    struct gh_api_key keys[KEYS_MAX];
    size_t nkeys;
    enum s3_code code;
    enum gh_err err;
    bool has_range = false;
    uint64_t off = 0, len = 0;
    int fd = -1;

    for (int attempt = 0; attempt < 3 && fd < 0; attempt++) {
        if ((code = s3_tx_begin(r, false)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK)
            return code;
        err = gh_store_s3_object_get(r->call.tx, r->arena, r->bucket, r->key, &o);
        if (err != GH_OK && err != GH_ERR_NOT_FOUND)
            return s3_fail(r, S3_INTERNAL, NULL);
        nkeys = err == GH_OK ? existing_tag_keys(r, o.tags, keys, KEYS_MAX) : 0;
        if ((code = s3_authorize(r, "s3:GetObject", s3_arn(r, r->bucket, r->key), &b, keys,
                                 nkeys)) != S3_OK)
            return code;
        if (err == GH_ERR_NOT_FOUND)
            return missing_key(r, &b);
        fd = open_data(r, o.data_id);
        (void)s3_tx_end(r, false);
        if (fd < 0 && errno != ENOENT)
            return s3_fail(r, S3_INTERNAL, NULL);
    }
    if (fd < 0)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = conditions(r, &o, resp)) != S3_OK)
        goto fail;
    struct gh_slice range = gh_http_header_get(r->http, "Range");
    if (range.ptr != NULL && (code = s3_range_parse(r, range, o.size, &has_range, &off, &len)) != S3_OK)
        goto fail;
    if (!has_range) {
        off = 0;
        len = o.size;
    }
    resp->status = has_range ? 206 : 200;
    resp->content_type = NULL;
    struct gh_slice rct = gh_params_get(&r->q, "response-content-type");
    s3_header(r, resp, "Content-Type", rct.ptr != NULL ? rct : o.content_type);
    s3_header(r, resp, "Accept-Ranges", GH_S("bytes"));
    if (has_range)
        s3_headerf(r, resp, "Content-Range", "bytes %llu-%llu/%llu", (unsigned long long)off,
                   (unsigned long long)(off + len - 1), (unsigned long long)o.size);
    s3_object_headers(r, resp, &o);
    if (len <= S3_GET_INLINE_MAX && !gh_slice_eq_cstr(r->http->method, "HEAD") &&
        read_inline(fd, off, len, &resp->body)) {
        (void)close(fd);
        return S3_OK;
    }
    resp->body_fd_set = true;
    resp->body_fd = fd;
    resp->fd_off = off;
    resp->fd_len = len;
    return S3_OK;
fail:
    (void)close(fd);
    return code;
}

/* s3:RequestObjectTag/KEY for each tag of x-amz-tagging; s3:x-amz-acl. */
static enum s3_code
put_keys(struct s3_req *r, struct gh_slice tagging, struct gh_api_key *keys, size_t *n)
{
    struct gh_params tags;
    struct gh_slice acl = gh_http_header_get(r->http, "x-amz-acl");
    enum s3_code code;

    *n = 0;
    if (acl.ptr != NULL)
        keys[(*n)++] = (struct gh_api_key){GH_S("s3:x-amz-acl"), GH_PT_STRING, acl, false};
    if ((code = s3_tags_parse(r, tagging, GH_S3_OBJECT_TAGS_MAX, &tags)) != S3_OK)
        return code;
    for (size_t i = 0; i < tags.count && *n < KEYS_MAX; i++) {
        char *k = gh_arena_printf(r->arena, "s3:RequestObjectTag/%.*s", GH_SP(tags.items[i].name));
        if (k == NULL)
            return s3_fail(r, S3_INTERNAL, NULL);
        keys[(*n)++] = (struct gh_api_key){gh_slice_from_cstr(k), GH_PT_STRING,
                                           tags.items[i].value, false};
    }
    return S3_OK;
}

enum s3_code
s3_put_authorize_early(struct s3_req *r)
{
    struct gh_s3_bucket_rec b;
    struct gh_api_key keys[KEYS_MAX];
    size_t nkeys = 0;
    enum s3_code code;

    if (gh_http_header_get(r->http, "x-amz-copy-source").ptr != NULL)
        return S3_OK; /* no body to spare; the copy checks both sides itself */
    /* PutObject's keys as store_object gives them; UploadPart authorizes with none. */
    if (r->op->fn == s3_op_put_object &&
        (code = put_keys(r, gh_http_header_get(r->http, "x-amz-tagging"), keys, &nkeys)) != S3_OK)
        return code;
    if ((code = s3_tx_begin(r, false)) == S3_OK && (code = s3_bucket_load(r, &b)) == S3_OK)
        code = s3_authorize(r, "s3:PutObject", s3_arn(r, r->bucket, r->key), &b, keys, nkeys);
    (void)s3_tx_end(r, false);
    return code;
}

/* Writes the object row for data file `data_id` (already in the data directory). */
static enum s3_code
store_object(struct s3_req *r, struct gh_slice data_id, uint64_t size, struct gh_slice etag,
             struct gh_slice content_type, struct gh_slice meta, struct gh_slice tags,
             const char *action, bool check_inm)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_object_rec o, cur;
    struct gh_api_key keys[KEYS_MAX];
    struct gh_slice old = GH_S("");
    size_t nkeys = 0;
    enum s3_code code;
    enum gh_err err;

    if ((code = put_keys(r, tags, keys, &nkeys)) != S3_OK)
        return code;
    if ((code = s3_tx_begin(r, true)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK ||
        (code = s3_authorize(r, action, s3_arn(r, r->bucket, r->key), &b, keys, nkeys)) != S3_OK)
        return code;
    if (check_inm) {
        struct gh_slice inm = gh_http_header_get(r->http, "If-None-Match");
        struct gh_slice im = gh_http_header_get(r->http, "If-Match");
        if (inm.ptr != NULL || im.ptr != NULL) {
            err = gh_store_s3_object_get(r->call.tx, r->arena, r->bucket, r->key, &cur);
            if (err != GH_OK && err != GH_ERR_NOT_FOUND)
                return s3_fail(r, S3_INTERNAL, NULL);
            /* AWS S3 conditional writes: If-None-Match: * fails when the key exists. */
            if (inm.ptr != NULL && err == GH_OK && etag_matches(inm, cur.etag))
                return s3_fail(r, S3_PRECONDITION_FAILED, NULL);
            if (im.ptr != NULL && (err != GH_OK || !etag_matches(im, cur.etag))) {
                if (err != GH_OK)
                    return missing_key(r, &b);
                return s3_fail(r, S3_PRECONDITION_FAILED, NULL);
            }
        }
    }
    memset(&o, 0, sizeof(o));
    o.bucket = r->bucket;
    o.key = r->key;
    o.data_id = data_id;
    o.size = size;
    o.etag = etag;
    o.content_type = content_type.len > 0 ? content_type : GH_S("binary/octet-stream");
    o.meta = meta;
    o.tags = tags;
    o.modified = gh_now_s();
    if (gh_store_s3_object_put(r->call.tx, r->arena, &o, &old) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_end(r, true)) != S3_OK)
        return code;
    s3_data_remove(r->s3, old); /* no row names it any more */
    return S3_OK;
}

/* x-amz-tagging into the stored (form) encoding. */
static enum s3_code
request_tags(struct s3_req *r, struct gh_buf *out)
{
    struct gh_slice t = gh_http_header_get(r->http, "x-amz-tagging");
    struct gh_params tags;
    enum s3_code code;

    if (t.ptr == NULL)
        return S3_OK;
    if ((code = s3_tags_parse(r, t, GH_S3_OBJECT_TAGS_MAX, &tags)) != S3_OK)
        return code;
    for (size_t i = 0; i < tags.count; i++)
        s3_form_add(out, tags.items[i].name, tags.items[i].value);
    return S3_OK;
}

enum s3_code
s3_op_put_object(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_buf meta, tags;
    struct gh_slice etag, data_id;
    enum s3_code code;

    if (gh_http_header_get(r->http, "x-amz-copy-source").ptr != NULL)
        return s3_op_copy_object(r, resp);
    gh_buf_init(&meta, 8192);
    gh_buf_init(&tags, 8192);
    if ((code = s3_meta_from_request(r, &meta)) != S3_OK || (code = request_tags(r, &tags)) != S3_OK)
        goto done;
    etag = s3_etag(r, r->md5, 0);
    if (gh_arena_dup(r->arena, gh_slice_from_cstr(r->sink.data_id), &data_id) != GH_OK) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto done;
    }
    /* Durable before any row names it: fsynced file, renamed, directory fsynced. */
    if ((code = s3_sink_commit(r)) != S3_OK)
        goto done;
    code = store_object(r, data_id, r->sink.size, etag, gh_http_header_get(r->http, "Content-Type"),
                        gh_buf_slice(&meta), gh_buf_slice(&tags), "s3:PutObject", true);
    if (code != S3_OK) {
        s3_data_remove(r->s3, data_id);
        goto done;
    }
    resp->status = 200;
    resp->content_type = NULL;
    s3_header(r, resp, "ETag", etag);
done:
    gh_buf_cleanup(&meta);
    gh_buf_cleanup(&tags);
    return code;
}

enum s3_code
s3_op_delete_object(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_slice old = GH_S("");
    enum s3_code code;
    enum gh_err err;

    if ((code = s3_tx_begin(r, true)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK ||
        (code = s3_authorize(r, "s3:DeleteObject", s3_arn(r, r->bucket, r->key), &b, NULL, 0)) !=
            S3_OK)
        return code;
    err = gh_store_s3_object_delete(r->call.tx, r->arena, r->bucket, r->key, &old);
    if (err != GH_OK && err != GH_ERR_NOT_FOUND)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_end(r, err == GH_OK)) != S3_OK)
        return code;
    s3_data_remove(r->s3, old);
    /* AWS S3: deleting a key that is not there succeeds. */
    resp->status = 204;
    resp->content_type = NULL;
    return S3_OK;
}

enum s3_code
s3_op_delete_objects(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct s3_xml x;
    struct gh_slice *olds;
    size_t nold = 0, nobj = 0;
    bool quiet = false;
    int obj = -1, q;
    enum s3_code code;

    if (s3_xml_parse(r->arena, gh_buf_slice(&r->body), &x) != GH_OK || x.count == 0 ||
        !gh_slice_eq_cstr(x.nodes[0].name, "Delete"))
        return s3_fail(r, S3_MALFORMED_XML, NULL);
    if ((q = s3_xml_child(&x, 0, "Quiet", 0)) >= 0)
        quiet = gh_slice_eq_cstr(x.nodes[q].text, "true");
    while ((obj = s3_xml_child(&x, 0, "Object", obj + 1)) >= 0)
        nobj++;
    if (nobj == 0 || nobj > GH_S3_LIST_MAX)
        return s3_fail(r, S3_MALFORMED_XML, NULL);
    if ((olds = gh_arena_alloc(r->arena, nobj * sizeof(*olds))) == NULL)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_begin(r, true)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK)
        return code;
    s3_xml_begin(&resp->body, "DeleteResult");
    while ((obj = s3_xml_child(&x, 0, "Object", obj + 1)) >= 0) {
        int k = s3_xml_child(&x, obj, "Key", obj + 1);
        struct gh_slice key = k >= 0 ? x.nodes[k].text : GH_S("");
        enum gh_err err;
        if (k < 0 || key.len == 0 || key.len > GH_S3_KEY_MAX || s3_key_has_nul(key)) {
            gh_buf_puts(&resp->body, "<Error>");
            gh_xml_elem(&resp->body, "Key", key);
            gh_xml_elem_cstr(&resp->body, "Code", "InvalidArgument");
            gh_xml_elem_cstr(&resp->body, "Message", "Invalid key");
            gh_buf_puts(&resp->body, "</Error>");
            continue;
        }
        if (s3_authorize(r, "s3:DeleteObject", s3_arn(r, r->bucket, key), &b, NULL, 0) != S3_OK) {
            gh_buf_puts(&resp->body, "<Error>");
            gh_xml_elem(&resp->body, "Key", key);
            gh_xml_elem_cstr(&resp->body, "Code", "AccessDenied");
            gh_xml_elem_cstr(&resp->body, "Message", r->message);
            gh_buf_puts(&resp->body, "</Error>");
            r->code = S3_OK;
            r->message[0] = '\0';
            continue;
        }
        err = gh_store_s3_object_delete(r->call.tx, r->arena, r->bucket, key, &olds[nold]);
        if (err == GH_OK)
            nold++;
        else if (err != GH_ERR_NOT_FOUND)
            return s3_fail(r, S3_INTERNAL, NULL);
        if (!quiet) {
            gh_buf_puts(&resp->body, "<Deleted>");
            gh_xml_elem(&resp->body, "Key", key);
            gh_buf_puts(&resp->body, "</Deleted>");
        }
    }
    gh_buf_puts(&resp->body, "</DeleteResult>");
    if ((code = s3_tx_end(r, true)) != S3_OK)
        return code;
    for (size_t i = 0; i < nold; i++)
        s3_data_remove(r->s3, olds[i]);
    resp->status = 200;
    resp->content_type = "application/xml";
    return S3_OK;
}

/* Copies a data file into a new temporary file, fsynced and renamed into place. */
enum s3_code
s3_copy_data(struct s3_req *r, struct gh_slice src_id, uint64_t off, uint64_t len, char new_id[33],
          uint8_t md5[16])
{
    char path[1200];
    int in;
    char buf[65536];
    enum s3_code code = S3_OK;

    s3_data_path(r->s3, src_id, path, sizeof(path));
    if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return s3_fail(r, S3_INTERNAL, NULL);
    if (r->sink_open) { /* the (empty) request body's sink: start afresh */
        s3_sink_cleanup(&r->sink);
        memset(&r->sink, 0, sizeof(r->sink));
        r->sink.fd = -1;
        r->sink_open = false;
    }
    if ((code = s3_sink_open(r)) != S3_OK)
        goto done;
    while (len > 0) {
        size_t want = len < sizeof(buf) ? (size_t)len : sizeof(buf);
        ssize_t got = pread(in, buf, want, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            code = s3_fail(r, S3_INTERNAL, NULL);
            goto done;
        }
        if ((code = s3_sink_write(r, buf, (size_t)got)) != S3_OK)
            goto done;
        off += (uint64_t)got;
        len -= (uint64_t)got;
    }
    if ((code = s3_sink_finish(r, md5)) != S3_OK || (code = s3_sink_commit(r)) != S3_OK)
        goto done;
    memcpy(new_id, r->sink.data_id, 33);
done:
    (void)close(in);
    return code;
}

bool
s3_key_has_nul(struct gh_slice key)
{
    return key.len > 0 && memchr(key.ptr, '\0', key.len) != NULL;
}

/* x-amz-copy-source: "[/]bucket/key" (URL-encoded), no versions here. */
enum s3_code
s3_copy_source(struct s3_req *r, struct gh_s3_bucket_rec *sb, struct gh_s3_object_rec *so)
{
    struct gh_slice src = gh_slice_trim(gh_http_header_get(r->http, "x-amz-copy-source")), dec;
    struct gh_slice sbucket, skey, saved_bucket = r->bucket;
    struct gh_api_key keys[KEYS_MAX];
    size_t nkeys;
    enum gh_err err;
    enum s3_code code;

    if (gh_slice_index(src, '?') >= 0)
        return s3_fail(r, S3_NOT_IMPLEMENTED, "Object versions are not implemented.");
    if (gh_uri_decode(r->arena, src, false, &dec) != GH_OK)
        return s3_fail(r, S3_INVALID_ARGUMENT, "Invalid copy source encoding");
    if (dec.len > 0 && dec.ptr[0] == '/')
        dec = gh_slice_sub(dec, 1, dec.len - 1);
    long slash = gh_slice_index(dec, '/');
    if (slash <= 0 || (size_t)slash + 1 >= dec.len)
        return s3_fail(r, S3_INVALID_ARGUMENT, "Invalid copy source object key");
    sbucket = gh_slice_sub(dec, 0, (size_t)slash);
    skey = gh_slice_sub(dec, (size_t)slash + 1, dec.len - (size_t)slash - 1);
    if (s3_key_has_nul(dec))
        return s3_fail(r, S3_INVALID_ARGUMENT, "Invalid copy source object key");
    if ((code = s3_tx_begin(r, false)) != S3_OK)
        return code;
    r->bucket = sbucket;
    code = s3_bucket_load(r, sb);
    r->bucket = saved_bucket;
    if (code != S3_OK)
        return code;
    err = gh_store_s3_object_get(r->call.tx, r->arena, sbucket, skey, so);
    if (err != GH_OK && err != GH_ERR_NOT_FOUND)
        return s3_fail(r, S3_INTERNAL, NULL);
    nkeys = err == GH_OK ? existing_tag_keys(r, so->tags, keys, KEYS_MAX) : 0;
    if ((code = s3_authorize(r, "s3:GetObject", s3_arn(r, sbucket, skey), sb, keys, nkeys)) !=
        S3_OK)
        return code;
    (void)s3_tx_end(r, false);
    if (err == GH_ERR_NOT_FOUND) {
        s3_fail(r, S3_NO_SUCH_KEY, NULL);
        s3_fail_extra(r, "Key", skey);
        return r->code;
    }
    /* AWS S3: x-amz-copy-source-if-match / -if-none-match. */
    struct gh_slice cim = gh_http_header_get(r->http, "x-amz-copy-source-if-match");
    struct gh_slice cinm = gh_http_header_get(r->http, "x-amz-copy-source-if-none-match");
    if ((cim.ptr != NULL && !etag_matches(cim, so->etag)) ||
        (cinm.ptr != NULL && etag_matches(cinm, so->etag)))
        return s3_fail(r, S3_PRECONDITION_FAILED, NULL);
    return S3_OK;
}

enum s3_code
s3_op_copy_object(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec sb;
    struct gh_s3_object_rec so;
    struct gh_buf meta, tags;
    struct gh_slice ct, etag, data_id;
    char new_id[33];
    uint8_t md5[16];
    enum s3_code code;
    bool replace = gh_slice_eq_cstr(gh_http_header_get(r->http, "x-amz-metadata-directive"),
                                    "REPLACE");
    bool replace_tags = gh_slice_eq_cstr(gh_http_header_get(r->http, "x-amz-tagging-directive"),
                                         "REPLACE");

    gh_buf_init(&meta, 8192);
    gh_buf_init(&tags, 8192);
    if ((code = s3_copy_source(r, &sb, &so)) != S3_OK)
        goto done;
    if (replace) {
        if ((code = s3_meta_from_request(r, &meta)) != S3_OK)
            goto done;
        ct = gh_http_header_get(r->http, "Content-Type");
    } else {
        gh_buf_put(&meta, so.meta);
        ct = so.content_type;
    }
    if (replace_tags) {
        if ((code = request_tags(r, &tags)) != S3_OK)
            goto done;
    } else
        gh_buf_put(&tags, so.tags);
    if ((code = s3_copy_data(r, so.data_id, 0, so.size, new_id, md5)) != S3_OK)
        goto done;
    etag = s3_etag(r, md5, 0);
    if (gh_arena_dup(r->arena, gh_slice_from_cstr(new_id), &data_id) != GH_OK) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto done;
    }
    code = store_object(r, data_id, so.size, etag, ct, gh_buf_slice(&meta), gh_buf_slice(&tags),
                        "s3:PutObject", true);
    if (code != S3_OK) {
        s3_data_remove(r->s3, data_id);
        goto done;
    }
    resp->status = 200;
    resp->content_type = "application/xml";
    s3_xml_begin(&resp->body, "CopyObjectResult");
    s3_xml_time(&resp->body, "LastModified", gh_now_s());
    gh_xml_elem(&resp->body, "ETag", etag);
    gh_buf_puts(&resp->body, "</CopyObjectResult>");
done:
    gh_buf_cleanup(&meta);
    gh_buf_cleanup(&tags);
    return code;
}

/* Loads bucket and object, authorizing `action` with the object's tags. */
static enum s3_code
object_op(struct s3_req *r, bool write, const char *action, struct gh_s3_bucket_rec *b,
          struct gh_s3_object_rec *o)
{
    struct gh_api_key keys[KEYS_MAX];
    size_t nkeys;
    enum s3_code code;
    enum gh_err err;

    if ((code = s3_tx_begin(r, write)) != S3_OK || (code = s3_bucket_load(r, b)) != S3_OK)
        return code;
    err = gh_store_s3_object_get(r->call.tx, r->arena, r->bucket, r->key, o);
    if (err != GH_OK && err != GH_ERR_NOT_FOUND)
        return s3_fail(r, S3_INTERNAL, NULL);
    nkeys = err == GH_OK ? existing_tag_keys(r, o->tags, keys, KEYS_MAX) : 0;
    if ((code = s3_authorize(r, action, s3_arn(r, r->bucket, r->key), b, keys, nkeys)) != S3_OK)
        return code;
    if (err == GH_ERR_NOT_FOUND)
        return missing_key(r, b);
    return S3_OK;
}

enum s3_code
s3_op_put_object_tagging(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_object_rec o;
    struct gh_buf tags;
    enum s3_code code;

    gh_buf_init(&tags, 64 * 1024);
    if ((code = s3_tags_from_xml(r, gh_buf_slice(&r->body), GH_S3_OBJECT_TAGS_MAX, &tags)) !=
            S3_OK ||
        (code = object_op(r, true, "s3:PutObjectTagging", &b, &o)) != S3_OK)
        goto done;
    if (gh_store_s3_object_set_tags(r->call.tx, r->bucket, r->key, gh_buf_slice(&tags)) != GH_OK) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto done;
    }
    if ((code = s3_tx_end(r, true)) == S3_OK) {
        resp->status = 200;
        resp->content_type = NULL;
    }
done:
    gh_buf_cleanup(&tags);
    return code;
}

enum s3_code
s3_op_get_object_tagging(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_object_rec o;
    struct gh_params tags;
    enum s3_code code;

    if ((code = object_op(r, false, "s3:GetObjectTagging", &b, &o)) != S3_OK ||
        (code = s3_tags_parse(r, o.tags, GH_S3_OBJECT_TAGS_MAX, &tags)) != S3_OK)
        return code;
    resp->status = 200;
    resp->content_type = "application/xml";
    s3_xml_begin(&resp->body, "Tagging");
    s3_tags_to_xml(&resp->body, &tags);
    gh_buf_puts(&resp->body, "</Tagging>");
    return S3_OK;
}

enum s3_code
s3_op_delete_object_tagging(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_object_rec o;
    enum s3_code code;

    if ((code = object_op(r, true, "s3:DeleteObjectTagging", &b, &o)) != S3_OK)
        return code;
    if (gh_store_s3_object_set_tags(r->call.tx, r->bucket, r->key, GH_S("")) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_end(r, true)) == S3_OK) {
        resp->status = 204;
        resp->content_type = NULL;
    }
    return code;
}
