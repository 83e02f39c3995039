/*
 * multipart.c: multipart uploads: CreateMultipartUpload, UploadPart
 * (and UploadPartCopy), CompleteMultipartUpload (parts concatenated into
 * one durable file; ETag as AWS computes it: the MD5 of the parts'
 * binary MD5s, "-N"), AbortMultipartUpload, ListParts and
 * ListMultipartUploads; flexible checksums per part and the object's
 * checksum of checksums.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "s3/s3_int.h"

/*
 * The checksum algorithms an upload may name (AWS S3 API reference,
 * CreateMultipartUpload x-amz-checksum-algorithm; CRC64NVME is not served).
 */
struct ck_alg {
    enum s3_checksum ck;
    const char *name;   /* x-amz-checksum-algorithm, stored */
    const char *lower;  /* as S3's messages spell it */
    const char *header; /* x-amz-checksum-... */
    const char *elem;   /* <ChecksumCRC32> ... */
    size_t raw_len;     /* decoded bytes */
};

static const struct ck_alg ck_algs[] = {
    {CK_CRC32, "CRC32", "crc32", "x-amz-checksum-crc32", "ChecksumCRC32", 4},
    {CK_CRC32C, "CRC32C", "crc32c", "x-amz-checksum-crc32c", "ChecksumCRC32C", 4},
    {CK_SHA1, "SHA1", "sha1", "x-amz-checksum-sha1", "ChecksumSHA1", 20},
    {CK_SHA256, "SHA256", "sha256", "x-amz-checksum-sha256", "ChecksumSHA256", 32},
};

/* By name, any case; NULL for an empty or unknown one. */
static const struct ck_alg *
alg_by_name(struct gh_slice name)
{
    for (size_t i = 0; i < GH_ARRAY_LEN(ck_algs); i++)
        if (gh_slice_case_eq(name, gh_slice_from_cstr(ck_algs[i].name)))
            return &ck_algs[i];
    return NULL;
}

static const struct ck_alg *
alg_by_header(const char *header)
{
    for (size_t i = 0; header != NULL && i < GH_ARRAY_LEN(ck_algs); i++)
        if (strcmp(header, ck_algs[i].header) == 0)
            return &ck_algs[i];
    return NULL;
}

/* Writes <ChecksumX>value</ChecksumX> when the part (or object) has one. */
static void
xml_checksum(struct gh_buf *x, struct gh_slice algorithm, struct gh_slice value)
{
    const struct ck_alg *a = alg_by_name(algorithm);

    if (a != NULL && value.len > 0)
        gh_xml_elem(x, a->elem, value);
}

/*
 * The upload's checksum type, kept with its stored headers (and so the
 * object's: GetObject/HeadObject return x-amz-checksum-type with the
 * checksum): true for FULL_OBJECT.
 */
static bool
is_full_object(struct s3_req *r, struct gh_slice meta)
{
    struct gh_params p;
    struct gh_diag diag;

    return meta.len > 0 && gh_form_parse(r->arena, meta, false, &p, &diag) == GH_OK &&
           gh_slice_eq_cstr(gh_params_get(&p, "x-amz-checksum-type"), "FULL_OBJECT");
}

/* Loads the bucket and the upload named by ?uploadId (for this key); authorizes. */
static enum s3_code
upload_load(struct s3_req *r, bool write, const char *action, struct gh_s3_bucket_rec *b,
            struct gh_s3_upload_rec *u)
{
    struct gh_slice id = gh_params_get(&r->q, "uploadId");
    enum s3_code code;
    enum gh_err err;

    if ((code = s3_tx_begin(r, write)) != S3_OK || (code = s3_bucket_load(r, b)) != S3_OK ||
        (code = s3_authorize(r, action, s3_arn(r, r->bucket, r->key), b, NULL, 0)) != S3_OK)
        return code;
    err = gh_store_s3_upload_get(r->call.tx, r->arena, id, u);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && (!gh_slice_eq(u->bucket, r->bucket) ||
                                                     !gh_slice_eq(u->key, r->key)))) {
        s3_fail(r, S3_NO_SUCH_UPLOAD, NULL);
        s3_fail_extra(r, "UploadId", id);
        return r->code;
    }
    return err == GH_OK ? S3_OK : s3_fail(r, S3_INTERNAL, NULL);
}

enum s3_code
s3_op_create_multipart(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_upload_rec u;
    struct gh_buf meta, tags;
    struct gh_params tp;
    char id[33];
    enum s3_code code;
    struct gh_slice t = gh_http_header_get(r->http, "x-amz-tagging");
    struct gh_slice ah = gh_http_header_get(r->http, "x-amz-checksum-algorithm");
    struct gh_slice th = gh_slice_trim(gh_http_header_get(r->http, "x-amz-checksum-type"));
    const struct ck_alg *alg = NULL;
    bool full = false;

    if (ah.ptr != NULL && (alg = alg_by_name(gh_slice_trim(ah))) == NULL)
        return s3_fail(r, S3_INVALID_REQUEST, "Checksum algorithm provided is unsupported. Please "
                                              "try again with any of the valid types: [CRC32, "
                                              "CRC32C, SHA1, SHA256]");
    /*
     * AWS S3 "Checking object integrity": COMPOSITE (the checksum of the
     * parts' checksums) is the type of these algorithms unless FULL_OBJECT
     * is asked, which only the CRCs support (they linearize).
     */
    if (th.ptr != NULL) {
        full = gh_slice_case_eq(th, GH_S("FULL_OBJECT"));
        if (!full && !gh_slice_case_eq(th, GH_S("COMPOSITE")))
            return s3_fail(r, S3_INVALID_REQUEST, "Value for x-amz-checksum-type header is "
                                                  "invalid.");
        if (alg == NULL)
            return s3_fail(r, S3_INVALID_REQUEST, "The x-amz-checksum-type header can only be "
                                                  "used with the x-amz-checksum-algorithm header.");
        if (full && alg->ck != CK_CRC32 && alg->ck != CK_CRC32C)
            return s3_fail(r, S3_INVALID_REQUEST, "The FULL_OBJECT checksum type cannot be used "
                                                  "with the %s checksum algorithm.", alg->lower);
    }
    gh_buf_init(&meta, 8192);
    gh_buf_init(&tags, 8192);
    if ((code = s3_meta_from_request(r, &meta)) != S3_OK)
        goto done;
    if (alg != NULL)
        s3_form_add(&meta, GH_S("x-amz-checksum-type"),
                    full ? GH_S("FULL_OBJECT") : GH_S("COMPOSITE"));
    if (t.ptr != NULL) {
        if ((code = s3_tags_parse(r, t, GH_S3_OBJECT_TAGS_MAX, &tp)) != S3_OK)
            goto done;
        for (size_t i = 0; i < tp.count; i++)
            s3_form_add(&tags, tp.items[i].name, tp.items[i].value);
    }
    if ((code = s3_tx_begin(r, true)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK ||
        (code = s3_authorize(r, "s3:PutObject", s3_arn(r, r->bucket, r->key), &b, NULL, 0)) !=
            S3_OK)
        goto done;
    if (s3_new_id(id) != GH_OK) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto done;
    }
    memset(&u, 0, sizeof(u));
    u.id = gh_slice_from_cstr(id);
    u.bucket = r->bucket;
    u.key = r->key;
    u.content_type = gh_http_header_get(r->http, "Content-Type");
    if (u.content_type.ptr == NULL)
        u.content_type = GH_S("binary/octet-stream");
    u.meta = gh_buf_slice(&meta);
    u.tags = gh_buf_slice(&tags);
    u.initiator = r->caller.arn;
    u.created = gh_now_s();
    u.checksum_algorithm = alg != NULL ? gh_slice_from_cstr(alg->name) : GH_S("");
    if (gh_store_s3_upload_create(r->call.tx, &u) != GH_OK) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto done;
    }
    if ((code = s3_tx_end(r, true)) != S3_OK)
        goto done;
    resp->status = 200;
    resp->content_type = "application/xml";
    if (alg != NULL) {
        s3_header(r, resp, "x-amz-checksum-algorithm", gh_slice_from_cstr(alg->name));
        s3_header(r, resp, "x-amz-checksum-type", full ? GH_S("FULL_OBJECT") : GH_S("COMPOSITE"));
    }
    s3_xml_begin(&resp->body, "InitiateMultipartUploadResult");
    gh_xml_elem(&resp->body, "Bucket", r->bucket);
    gh_xml_elem(&resp->body, "Key", r->key);
    gh_xml_elem_cstr(&resp->body, "UploadId", id);
    gh_buf_puts(&resp->body, "</InitiateMultipartUploadResult>");
done:
    gh_buf_cleanup(&meta);
    gh_buf_cleanup(&tags);
    return code;
}

static enum s3_code
part_number(struct s3_req *r, int64_t *out)
{
    uint64_t n = 0;

    if (gh_parse_u64(gh_params_get(&r->q, "partNumber"), GH_S3_PARTS_MAX, &n) != GH_OK || n < 1)
        return s3_fail(r, S3_INVALID_ARGUMENT, "Part number must be an integer between 1 and "
                                               "10000, inclusive");
    *out = (int64_t)n;
    return S3_OK;
}

enum s3_code
s3_op_upload_part(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_upload_rec u;
    struct gh_s3_part_rec p;
    struct gh_slice old = GH_S(""), data_id, etag;
    bool copy = gh_http_header_get(r->http, "x-amz-copy-source").ptr != NULL;
    uint8_t md5[16];
    char new_id[33];
    const struct ck_alg *want, *got;
    enum s3_code code;

    memset(&p, 0, sizeof(p));
    if ((code = part_number(r, &p.part)) != S3_OK)
        return code;
    /* The upload's checksum algorithm decides which checksum each part carries. */
    if ((code = upload_load(r, false, "s3:PutObject", &b, &u)) != S3_OK)
        return code;
    (void)s3_tx_end(r, false);
    want = alg_by_name(u.checksum_algorithm);
    got = alg_by_header(r->sink.ck_header);
    /* FULL_OBJECT: the object's CRC is computed whole at Complete; a part's is optional. */
    if (want != NULL && got == NULL && is_full_object(r, u.meta))
        want = NULL;
    /*
     * AWS S3: an upload created with an algorithm refuses a part without
     * that checksum: InvalidRequest "Checksum Type mismatch occurred,
     * expected checksum Type: sha256, actual checksum Type: null" (as S3
     * answered in apache/arrow-rs#6793 and apache/opendal#4533).
     */
    if (!copy && want != NULL && got != want)
        return s3_fail(r, S3_INVALID_REQUEST, "Checksum Type mismatch occurred, expected checksum "
                                              "Type: %s, actual checksum Type: %s", want->lower,
                       got != NULL ? got->lower : "null");
    if (copy) {
        struct gh_s3_bucket_rec sb;
        struct gh_s3_object_rec so;
        uint64_t off = 0, len;
        struct gh_slice range = gh_http_header_get(r->http, "x-amz-copy-source-range");
        if ((code = s3_copy_source(r, &sb, &so)) != S3_OK)
            return code;
        len = so.size;
        if (range.ptr != NULL) {
            struct gh_slice spec = gh_slice_trim(range), a, z;
            uint64_t x = 0, y = 0;
            if (!gh_slice_starts_with(spec, GH_S("bytes=")))
                return s3_fail(r, S3_INVALID_ARGUMENT, "The x-amz-copy-source-range value must "
                                                       "be of the form bytes=first-last");
            spec = gh_slice_sub(spec, 6, spec.len - 6);
            (void)gh_slice_split(&spec, '-', &a);
            z = spec;
            if (gh_parse_u64(a, UINT64_MAX, &x) != GH_OK ||
                gh_parse_u64(z, UINT64_MAX, &y) != GH_OK || y < x || y >= so.size)
                return s3_fail(r, S3_INVALID_RANGE, NULL);
            off = x;
            len = y - x + 1;
        }
        /* AWS S3 UploadPartCopy: the part's checksum is computed with the upload's algorithm. */
        r->ck_want = want != NULL ? want->ck : CK_NONE;
        if ((code = s3_copy_data(r, so.data_id, off, len, new_id, md5)) != S3_OK)
            return code;
        if ((code = s3_checksum_take(r)) != S3_OK) {
            s3_data_remove(r->s3, gh_slice_from_cstr(new_id));
            return code;
        }
        p.size = len;
    } else {
        memcpy(md5, r->md5, sizeof(md5));
        memcpy(new_id, r->sink.data_id, sizeof(new_id));
        if ((code = s3_sink_commit(r)) != S3_OK)
            return code;
        p.size = r->sink.size;
    }
    etag = s3_etag(r, md5, 0);
    if (gh_arena_dup(r->arena, gh_slice_from_cstr(new_id), &data_id) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = upload_load(r, true, "s3:PutObject", &b, &u)) != S3_OK)
        goto fail;
    p.upload_id = u.id;
    p.data_id = data_id;
    p.etag = etag;
    p.modified = gh_now_s();
    if ((got = alg_by_header(r->sink.ck_header)) != NULL) {
        p.checksum_algorithm = gh_slice_from_cstr(got->name);
        p.checksum = gh_slice_from_cstr(r->sink.ck_b64); /* lives as long as r */
    }
    if (gh_store_s3_part_put(r->call.tx, r->arena, &p, &old) != GH_OK) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto fail;
    }
    if ((code = s3_tx_end(r, true)) != S3_OK)
        goto fail;
    s3_data_remove(r->s3, old);
    resp->status = 200;
    if (copy) {
        resp->content_type = "application/xml";
        s3_xml_begin(&resp->body, "CopyPartResult");
        s3_xml_time(&resp->body, "LastModified", p.modified);
        gh_xml_elem(&resp->body, "ETag", etag);
        xml_checksum(&resp->body, p.checksum_algorithm, p.checksum);
        gh_buf_puts(&resp->body, "</CopyPartResult>");
        r->sink.ck_header = NULL; /* in the document, not a header */
    } else {
        resp->content_type = NULL;
        s3_header(r, resp, "ETag", etag);
    }
    return S3_OK;
fail:
    s3_data_remove(r->s3, data_id);
    return code;
}

/* All parts of an upload (at most 10000). */
static enum s3_code
all_parts(struct s3_req *r, struct gh_slice upload_id, struct gh_s3_part_rec **out, size_t *n)
{
    if (gh_store_s3_part_list(r->call.tx, r->arena, upload_id, 0, GH_S3_PARTS_MAX, out, n) !=
        GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    return S3_OK;
}

static struct gh_slice
unquote(struct gh_slice e)
{
    e = gh_slice_trim(e);
    if (e.len >= 2 && e.ptr[0] == '"' && e.ptr[e.len - 1] == '"')
        return gh_slice_sub(e, 1, e.len - 2);
    return e;
}

enum gh_err
s3_multipart_md5(const struct gh_slice *etags, size_t n, uint8_t md5[16])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t bin[16];
    unsigned int mdlen = 16;
    enum gh_err err = GH_OK;

    if (md == NULL || EVP_DigestInit_ex(md, EVP_md5(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return GH_ERR_NOMEM;
    }
    /* AWS S3: the MD5 of the concatenated binary MD5s of the parts. */
    for (size_t i = 0; i < n && err == GH_OK; i++) {
        struct gh_slice e = unquote(etags[i]);
        if (e.len != 32 || gh_hex_decode(e, bin, sizeof(bin)) != GH_OK)
            err = GH_ERR_VALIDATION;
        else if (EVP_DigestUpdate(md, bin, sizeof(bin)) != 1)
            err = GH_ERR_NOMEM;
    }
    if (err == GH_OK && EVP_DigestFinal_ex(md, md5, &mdlen) != 1)
        err = GH_ERR_NOMEM;
    EVP_MD_CTX_free(md);
    return err;
}

/*
 * AWS S3 "Checking object integrity" (multipart uploads): the object's
 * checksum is the algorithm over the concatenated binary checksums of
 * its parts, base64, then "-" and the part count.
 */
static enum s3_code
composite_checksum(struct s3_req *r, const struct ck_alg *alg,
                   struct gh_s3_part_rec *const *parts, size_t n, struct gh_slice *out)
{
    EVP_MD_CTX *md = NULL;
    struct gh_buf raw, b64;
    uint32_t crc = 0;
    uint8_t d[32];
    unsigned int len = 0;
    enum s3_code code = S3_OK;
    char *s;

    gh_buf_init(&raw, 64);
    gh_buf_init(&b64, 128);
    if (alg->ck == CK_SHA1 || alg->ck == CK_SHA256) {
        md = EVP_MD_CTX_new();
        if (md == NULL ||
            EVP_DigestInit_ex(md, alg->ck == CK_SHA1 ? EVP_sha1() : EVP_sha256(), NULL) != 1) {
            code = s3_fail(r, S3_INTERNAL, NULL);
            goto done;
        }
    }
    for (size_t i = 0; i < n; i++) {
        gh_buf_reset(&raw);
        /* Every part of such an upload was refused without this checksum (UploadPart). */
        if (!gh_slice_eq_cstr(parts[i]->checksum_algorithm, alg->name) ||
            gh_base64_decode(parts[i]->checksum, false, &raw) != GH_OK ||
            raw.len != alg->raw_len) {
            code = s3_fail(r, S3_INVALID_PART, NULL);
            goto done;
        }
        if (md != NULL) {
            if (EVP_DigestUpdate(md, raw.ptr, raw.len) != 1) {
                code = s3_fail(r, S3_INTERNAL, NULL);
                goto done;
            }
        } else
            crc = alg->ck == CK_CRC32 ? gh_s3_crc32(crc, raw.ptr, raw.len)
                                      : gh_s3_crc32c(crc, raw.ptr, raw.len);
    }
    if (md != NULL) {
        if (EVP_DigestFinal_ex(md, d, &len) != 1) {
            code = s3_fail(r, S3_INTERNAL, NULL);
            goto done;
        }
    } else {
        d[0] = (uint8_t)(crc >> 24);
        d[1] = (uint8_t)(crc >> 16);
        d[2] = (uint8_t)(crc >> 8);
        d[3] = (uint8_t)crc;
        len = 4;
    }
    if (gh_base64_encode(&b64, d, len) != GH_OK ||
        (s = gh_arena_printf(r->arena, "%.*s-%zu", (int)b64.len, b64.ptr, n)) == NULL) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto done;
    }
    *out = gh_slice_from_cstr(s);
done:
    EVP_MD_CTX_free(md);
    gh_buf_cleanup(&raw);
    gh_buf_cleanup(&b64);
    return code;
}

/* The upload's stored headers and the object's checksum (x-amz-checksum-...: value). */
static enum s3_code
object_meta(struct s3_req *r, struct gh_slice meta, const struct ck_alg *alg,
            struct gh_slice value, struct gh_slice *out)
{
    struct gh_buf b;
    enum s3_code code = S3_OK;

    *out = meta;
    if (alg == NULL)
        return S3_OK;
    gh_buf_init(&b, 16384);
    gh_buf_put(&b, meta);
    s3_form_add(&b, gh_slice_from_cstr(alg->header), value);
    if (gh_buf_status(&b) != GH_OK || gh_arena_dup(r->arena, gh_buf_slice(&b), out) != GH_OK)
        code = s3_fail(r, S3_INTERNAL, NULL);
    gh_buf_cleanup(&b);
    return code;
}

enum s3_code
s3_op_complete_multipart(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_upload_rec u;
    struct gh_s3_part_rec *parts, **chosen;
    struct gh_s3_object_rec o;
    struct s3_xml x;
    struct gh_slice old = GH_S(""), data_id, etag, sum = GH_S(""), ometa;
    const struct ck_alg *alg;
    bool full;
    size_t nparts, nchosen = 0;
    int part = -1;
    int64_t last = 0;
    uint64_t total = 0;
    struct gh_slice *etags;
    uint8_t md5[16], whole_md5[16];
    enum s3_code code;

    if (s3_xml_parse(r->arena, gh_buf_slice(&r->body), &x) != GH_OK || x.count == 0 ||
        !gh_slice_eq_cstr(x.nodes[0].name, "CompleteMultipartUpload"))
        return s3_fail(r, S3_MALFORMED_XML, NULL);
    if ((code = upload_load(r, false, "s3:PutObject", &b, &u)) != S3_OK ||
        (code = all_parts(r, u.id, &parts, &nparts)) != S3_OK)
        return code;
    if ((chosen = gh_arena_alloc(r->arena, (nparts + 1) * sizeof(*chosen))) == NULL)
        return s3_fail(r, S3_INTERNAL, NULL);
    alg = alg_by_name(u.checksum_algorithm);
    full = alg != NULL && is_full_object(r, u.meta);
    while ((part = s3_xml_child(&x, 0, "Part", part + 1)) >= 0) {
        int pn = s3_xml_child(&x, part, "PartNumber", part + 1);
        int pe = s3_xml_child(&x, part, "ETag", part + 1);
        uint64_t num;
        struct gh_s3_part_rec *found = NULL;
        if (pn < 0 || pe < 0 || gh_parse_u64(gh_slice_trim(x.nodes[pn].text), GH_S3_PARTS_MAX,
                                             &num) != GH_OK)
            return s3_fail(r, S3_MALFORMED_XML, NULL);
        if ((int64_t)num <= last)
            return s3_fail(r, S3_INVALID_PART_ORDER, NULL);
        last = (int64_t)num;
        for (size_t i = 0; i < nparts; i++)
            if (parts[i].part == (int64_t)num)
                found = &parts[i];
        if (found == NULL || !gh_slice_eq(unquote(found->etag), unquote(x.nodes[pe].text)))
            return s3_fail(r, S3_INVALID_PART, NULL);
        /* AWS S3 CompletedPart: a part's Checksum* must be the one UploadPart verified. */
        for (size_t k = 0; k < GH_ARRAY_LEN(ck_algs); k++) {
            int ce = s3_xml_child(&x, part, ck_algs[k].elem, part + 1);
            /*
             * AWS S3 (as answered in apache/opendal#4580): "The upload was created
             * using a crc32c checksum. The complete request must include the
             * checksum for each part. It was missing for part 1 in the request."
             */
            if (ce < 0 && alg == &ck_algs[k] && !full)
                return s3_fail(r, S3_INVALID_REQUEST,
                               "The upload was created using a %s checksum. The complete request "
                               "must include the checksum for each part. It was missing for part "
                               "%llu in the request.",
                               alg->lower, (unsigned long long)num);
            if (ce >= 0 && (!gh_slice_eq_cstr(found->checksum_algorithm, ck_algs[k].name) ||
                            !gh_slice_eq(gh_slice_trim(x.nodes[ce].text), found->checksum)))
                return s3_fail(r, S3_INVALID_PART, NULL);
        }
        if (nchosen == nparts)
            return s3_fail(r, S3_INVALID_PART, NULL);
        chosen[nchosen++] = found;
    }
    if (nchosen == 0)
        return s3_fail(r, S3_MALFORMED_XML, "The XML you provided was not well-formed or did not "
                                            "validate against our published schema");
    /* AWS S3: every part but the last is at least 5 MiB. */
    for (size_t i = 0; i + 1 < nchosen; i++)
        if (chosen[i]->size < GH_S3_PART_MIN) {
            s3_fail(r, S3_ENTITY_TOO_SMALL, NULL);
            char sz[32];
            int n = snprintf(sz, sizeof(sz), "%llu", (unsigned long long)chosen[i]->size);
            s3_fail_extra(r, "ProposedSize", (struct gh_slice){sz, (size_t)n});
            s3_fail_extra(r, "MinSizeAllowed", GH_S("5242880"));
            return r->code;
        }
    if (alg != NULL && !full &&
        (code = composite_checksum(r, alg, chosen, nchosen, &sum)) != S3_OK)
        return code;
    (void)s3_tx_end(r, false);
    /* Concatenate into one new durable file; the ETag hashes the parts' MD5s. */
    if ((etags = gh_arena_alloc(r->arena, nchosen * sizeof(*etags))) == NULL)
        return s3_fail(r, S3_INTERNAL, NULL);
    for (size_t i = 0; i < nchosen; i++) {
        etags[i] = chosen[i]->etag;
        total += chosen[i]->size;
    }
    if (s3_multipart_md5(etags, nchosen, md5) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    r->ck_want = full ? alg->ck : CK_NONE; /* FULL_OBJECT: the CRC of the whole, as it is joined */
    if ((code = s3_sink_open(r)) != S3_OK)
        return code;
    for (size_t i = 0; i < nchosen; i++) {
        char path[1200];
        char buf[65536];
        int in;
        s3_data_path(r->s3, chosen[i]->data_id, path, sizeof(path));
        if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            return s3_fail(r, S3_INVALID_PART, NULL);
        for (;;) {
            ssize_t got = read(in, buf, sizeof(buf));
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                (void)close(in);
                return s3_fail(r, S3_INTERNAL, NULL);
            }
            if (got == 0)
                break;
            if ((code = s3_sink_write(r, buf, (size_t)got)) != S3_OK) {
                (void)close(in);
                return code;
            }
        }
        (void)close(in);
    }
    if ((code = s3_sink_finish(r, whole_md5)) != S3_OK)
        return code;
    if (full) {
        /* AWS S3: a full-object checksum sent with Complete must be the object's. */
        struct gh_slice given = gh_http_header_get(r->http, alg->header);
        if ((code = given.ptr != NULL ? s3_checksum_check(r, given) : s3_checksum_take(r)) != S3_OK)
            return code;
        if (alg_by_header(r->sink.ck_header) != alg)
            return s3_fail(r, S3_INVALID_REQUEST, "The upload was created using a %s checksum; "
                                                  "the request names another.", alg->lower);
        if (gh_arena_dup(r->arena, gh_slice_from_cstr(r->sink.ck_b64), &sum) != GH_OK)
            return s3_fail(r, S3_INTERNAL, NULL);
        r->sink.ck_header = NULL; /* in the document, not a header */
    }
    if ((code = object_meta(r, u.meta, alg, sum, &ometa)) != S3_OK ||
        (code = s3_sink_commit(r)) != S3_OK)
        return code;
    etag = s3_etag(r, md5, (unsigned)nchosen);
    if (gh_arena_dup(r->arena, gh_slice_from_cstr(r->sink.data_id), &data_id) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = upload_load(r, true, "s3:PutObject", &b, &u)) != S3_OK)
        goto fail;
    memset(&o, 0, sizeof(o));
    o.bucket = r->bucket;
    o.key = r->key;
    o.data_id = data_id;
    o.size = total;
    o.etag = etag;
    o.content_type = u.content_type;
    o.meta = ometa; /* the upload's stored headers and the object's checksum */
    o.tags = u.tags;
    o.modified = gh_now_s();
    if (gh_store_s3_object_put(r->call.tx, r->arena, &o, &old) != GH_OK ||
        gh_store_s3_upload_delete(r->call.tx, u.id) != GH_OK) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto fail;
    }
    if ((code = s3_tx_end(r, true)) != S3_OK)
        goto fail;
    s3_data_remove(r->s3, old);
    for (size_t i = 0; i < nparts; i++)
        s3_data_remove(r->s3, parts[i].data_id);
    resp->status = 200;
    resp->content_type = "application/xml";
    s3_xml_begin(&resp->body, "CompleteMultipartUploadResult");
    gh_buf_putf(&resp->body, "<Location>/%.*s/", GH_SP(r->bucket));
    gh_xml_escape(&resp->body, r->key);
    gh_buf_puts(&resp->body, "</Location>");
    gh_xml_elem(&resp->body, "Bucket", r->bucket);
    gh_xml_elem(&resp->body, "Key", r->key);
    gh_xml_elem(&resp->body, "ETag", etag);
    if (alg != NULL) {
        gh_xml_elem(&resp->body, alg->elem, sum);
        gh_xml_elem_cstr(&resp->body, "ChecksumType", full ? "FULL_OBJECT" : "COMPOSITE");
    }
    gh_buf_puts(&resp->body, "</CompleteMultipartUploadResult>");
    return S3_OK;
fail:
    s3_data_remove(r->s3, data_id);
    return code;
}

enum s3_code
s3_op_abort_multipart(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_upload_rec u;
    struct gh_s3_part_rec *parts;
    size_t n;
    enum s3_code code;

    if ((code = upload_load(r, true, "s3:AbortMultipartUpload", &b, &u)) != S3_OK ||
        (code = all_parts(r, u.id, &parts, &n)) != S3_OK)
        return code;
    if (gh_store_s3_upload_delete(r->call.tx, u.id) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_end(r, true)) != S3_OK)
        return code;
    for (size_t i = 0; i < n; i++)
        s3_data_remove(r->s3, parts[i].data_id);
    resp->status = 204;
    resp->content_type = NULL;
    return S3_OK;
}

enum s3_code
s3_op_list_parts(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_upload_rec u;
    struct gh_s3_part_rec *parts;
    size_t n;
    uint64_t max = 1000, marker = 0;
    struct gh_slice mp = gh_params_get(&r->q, "max-parts");
    struct gh_slice pm = gh_params_get(&r->q, "part-number-marker");
    enum s3_code code;

    if ((mp.ptr != NULL && gh_parse_u64(mp, INT32_MAX, &max) != GH_OK) ||
        (pm.ptr != NULL && gh_parse_u64(pm, INT32_MAX, &marker) != GH_OK))
        return s3_fail(r, S3_INVALID_ARGUMENT, "Invalid part number marker or max parts");
    if (max > 1000)
        max = 1000;
    if ((code = upload_load(r, false, "s3:ListMultipartUploadParts", &b, &u)) != S3_OK)
        return code;
    if (gh_store_s3_part_list(r->call.tx, r->arena, u.id, (int64_t)marker, (size_t)max + 1, &parts,
                              &n) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    bool truncated = n > max;
    if (truncated)
        n = (size_t)max;
    resp->status = 200;
    resp->content_type = "application/xml";
    struct gh_buf *x = &resp->body;
    s3_xml_begin(x, "ListPartsResult");
    gh_xml_elem(x, "Bucket", r->bucket);
    gh_xml_elem(x, "Key", r->key);
    gh_xml_elem(x, "UploadId", u.id);
    gh_xml_elem_int(x, "PartNumberMarker", (int64_t)marker);
    if (n > 0)
        gh_xml_elem_int(x, "NextPartNumberMarker", parts[n - 1].part);
    gh_xml_elem_int(x, "MaxParts", (int64_t)max);
    gh_xml_elem_bool(x, "IsTruncated", truncated);
    gh_xml_elem_cstr(x, "StorageClass", "STANDARD");
    if (u.checksum_algorithm.len > 0) {
        gh_xml_elem(x, "ChecksumAlgorithm", u.checksum_algorithm);
        gh_xml_elem_cstr(x, "ChecksumType",
                         is_full_object(r, u.meta) ? "FULL_OBJECT" : "COMPOSITE");
    }
    for (size_t i = 0; i < n; i++) {
        gh_buf_puts(x, "<Part>");
        gh_xml_elem_int(x, "PartNumber", parts[i].part);
        s3_xml_time(x, "LastModified", parts[i].modified);
        gh_xml_elem(x, "ETag", parts[i].etag);
        gh_xml_elem_int(x, "Size", (int64_t)parts[i].size);
        xml_checksum(x, parts[i].checksum_algorithm, parts[i].checksum);
        gh_buf_puts(x, "</Part>");
    }
    gh_buf_puts(x, "</ListPartsResult>");
    return S3_OK;
}

enum s3_code
s3_op_list_uploads(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_s3_upload_rec *v;
    size_t n;
    uint64_t max = 1000;
    struct gh_slice mu = gh_params_get(&r->q, "max-uploads");
    struct gh_slice prefix = gh_params_get(&r->q, "prefix");
    struct gh_slice km = gh_params_get(&r->q, "key-marker");
    struct gh_slice im = gh_params_get(&r->q, "upload-id-marker");
    enum s3_code code;

    if (mu.ptr != NULL && gh_parse_u64(mu, INT32_MAX, &max) != GH_OK)
        return s3_fail(r, S3_INVALID_ARGUMENT, "Invalid max-uploads");
    if (max > 1000)
        max = 1000;
    if ((code = s3_tx_begin(r, false)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK ||
        (code = s3_authorize(r, "s3:ListBucketMultipartUploads",
                             s3_arn(r, r->bucket, GH_SLICE_NULL), &b, NULL, 0)) != S3_OK)
        return code;
    if (gh_store_s3_upload_list(r->call.tx, r->arena, r->bucket, prefix, km,
                                im.ptr != NULL ? im : GH_S(""), (size_t)max + 1, &v, &n) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    bool truncated = n > max;
    if (truncated)
        n = (size_t)max;
    resp->status = 200;
    resp->content_type = "application/xml";
    struct gh_buf *x = &resp->body;
    s3_xml_begin(x, "ListMultipartUploadsResult");
    gh_xml_elem(x, "Bucket", r->bucket);
    gh_xml_elem(x, "KeyMarker", km.ptr != NULL ? km : GH_S(""));
    gh_xml_elem(x, "UploadIdMarker", im.ptr != NULL ? im : GH_S(""));
    if (truncated && n > 0) {
        gh_xml_elem(x, "NextKeyMarker", v[n - 1].key);
        gh_xml_elem(x, "NextUploadIdMarker", v[n - 1].id);
    }
    gh_xml_elem_int(x, "MaxUploads", (int64_t)max);
    gh_xml_elem_bool(x, "IsTruncated", truncated);
    for (size_t i = 0; i < n; i++) {
        gh_buf_puts(x, "<Upload>");
        gh_xml_elem(x, "Key", v[i].key);
        gh_xml_elem(x, "UploadId", v[i].id);
        gh_buf_puts(x, "<Initiator>");
        gh_xml_elem(x, "ID", v[i].initiator);
        gh_xml_elem(x, "DisplayName", v[i].initiator);
        gh_buf_puts(x, "</Initiator>");
        gh_xml_elem_cstr(x, "StorageClass", "STANDARD");
        s3_xml_time(x, "Initiated", v[i].created);
        if (v[i].checksum_algorithm.len > 0)
            gh_xml_elem(x, "ChecksumAlgorithm", v[i].checksum_algorithm);
        gh_buf_puts(x, "</Upload>");
    }
    gh_buf_puts(x, "</ListMultipartUploadsResult>");
    return S3_OK;
}
