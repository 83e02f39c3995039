/*
 * list.c: ListObjectsV2 and ListObjects (V1): prefix, delimiter roll-up
 * into CommonPrefixes, start-after / marker, continuation tokens,
 * max-keys, encoding-type=url; authorized as s3:ListBucket with the
 * s3:prefix, s3:delimiter and s3:max-keys condition keys.
 */
#include <stdio.h>
#include <string.h>

#include "s3/s3_int.h"

struct entry {
    bool is_prefix;
    struct gh_slice key;
    const struct gh_s3_object_rec *obj;
};

/* A key with encoding-type=url (AWS S3 lets clients ask for it, the CLI does). */
static void
put_key(struct gh_buf *b, const char *tag, struct gh_slice v, bool url)
{
    if (!url) {
        gh_xml_elem(b, tag, v);
        return;
    }
    gh_buf_putf(b, "<%s>", tag);
    if (gh_uri_encode(b, v, true) != GH_OK)
        return;
    gh_buf_putf(b, "</%s>", tag);
}

/* Everything after every key that starts with `p`: p + 0xFF (never in UTF-8). */
static struct gh_slice
past_prefix(struct s3_req *r, struct gh_slice p)
{
    char *s = gh_arena_alloc(r->arena, p.len + 2);

    if (s == NULL)
        return p;
    memcpy(s, p.ptr, p.len);
    s[p.len] = (char)0xFF;
    return (struct gh_slice){s, p.len + 1};
}

enum gh_err
s3_list_token_encode(struct gh_buf *out, struct gh_slice after)
{
    if (after.len == 0 || after.len > GH_S3_KEY_MAX + 1)
        return GH_ERR_VALIDATION;
    return gh_base64_encode(out, (const uint8_t *)after.ptr, after.len);
}

enum gh_err
s3_list_token_decode(struct gh_arena *a, struct gh_slice token, struct gh_slice *after)
{
    struct gh_buf dec;
    enum gh_err err;

    *after = GH_SLICE_NULL;
    /* A token never decodes to more than a key and the 0xFF past_prefix adds. */
    if (token.len == 0 || token.len > 4 * ((GH_S3_KEY_MAX + 1 + 2) / 3))
        return GH_ERR_VALIDATION;
    gh_buf_init(&dec, GH_S3_KEY_MAX + 1);
    err = gh_base64_decode(token, false, &dec);
    if (err == GH_OK && (dec.len == 0 || dec.len > GH_S3_KEY_MAX + 1))
        err = GH_ERR_VALIDATION;
    if (err == GH_OK)
        err = gh_arena_dup(a, gh_buf_slice(&dec), after);
    gh_buf_cleanup(&dec);
    return err == GH_ERR_NOMEM ? err : (err != GH_OK ? GH_ERR_VALIDATION : GH_OK);
}

enum s3_code
s3_op_list_objects(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    bool v2 = gh_slice_eq_cstr(gh_params_get(&r->q, "list-type"), "2");
    struct gh_slice prefix = gh_params_get(&r->q, "prefix");
    struct gh_slice delim = gh_params_get(&r->q, "delimiter");
    struct gh_slice mk = gh_params_get(&r->q, "max-keys");
    struct gh_slice enc = gh_params_get(&r->q, "encoding-type");
    struct gh_slice start_after = gh_params_get(&r->q, "start-after");
    struct gh_slice token = gh_params_get(&r->q, "continuation-token");
    struct gh_slice marker = gh_params_get(&r->q, "marker");
    struct gh_slice after = GH_S("");
    struct gh_api_key keys[3];
    size_t nkeys = 0, count = 0, cap;
    struct entry *out;
    uint64_t max_keys = GH_S3_LIST_MAX;
    bool truncated = false, url = gh_slice_eq_cstr(enc, "url");
    enum s3_code code;
    char mkbuf[24];

    if (prefix.ptr == NULL)
        prefix = GH_S("");
    if (delim.ptr == NULL)
        delim = GH_S("");
    if (enc.ptr != NULL && !url)
        return s3_fail(r, S3_INVALID_ARGUMENT, "Invalid Encoding Method specified in Request");
    if (mk.ptr != NULL) {
        if (gh_parse_u64(mk, INT32_MAX, &max_keys) != GH_OK)
            return s3_fail(r, S3_INVALID_ARGUMENT, "Provided max-keys not an integer or within "
                                                   "integer range");
        if (max_keys > GH_S3_LIST_MAX)
            max_keys = GH_S3_LIST_MAX;
    }
    /* AWS S3 condition keys of ListBucket. */
    keys[nkeys++] = (struct gh_api_key){GH_S("s3:prefix"), GH_PT_STRING, prefix, false};
    if (delim.len > 0)
        keys[nkeys++] = (struct gh_api_key){GH_S("s3:delimiter"), GH_PT_STRING, delim, false};
    int n = snprintf(mkbuf, sizeof(mkbuf), "%llu", (unsigned long long)max_keys);
    keys[nkeys++] = (struct gh_api_key){GH_S("s3:max-keys"), GH_PT_NUMBER,
                                        (struct gh_slice){mkbuf, (size_t)n}, false};
    if ((code = s3_tx_begin(r, false)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK ||
        (code = s3_authorize(r, "s3:ListBucket", s3_arn(r, r->bucket, GH_SLICE_NULL), &b, keys,
                             nkeys)) != S3_OK)
        return code;
    if (v2 && token.ptr != NULL) {
        if (s3_list_token_decode(r->arena, token, &after) != GH_OK)
            return s3_fail(r, S3_INVALID_ARGUMENT, "The continuation token provided is incorrect");
    } else if (v2 && start_after.ptr != NULL) {
        after = start_after;
    } else if (!v2 && marker.ptr != NULL) {
        after = marker;
    }
    /* A marker that is itself a common prefix resumes after everything under it. */
    if (delim.len > 0 && after.len > prefix.len && gh_slice_starts_with(after, prefix) &&
        gh_slice_ends_with(after, delim) && (!v2 || token.ptr == NULL))
        after = past_prefix(r, after);
    cap = (size_t)max_keys + 1;
    if ((out = gh_arena_alloc(r->arena, cap * sizeof(*out))) == NULL)
        return s3_fail(r, S3_INTERNAL, NULL);
    /* Each pass fetches what is left to fill; a common prefix re-seeks past itself. */
    while (count < max_keys) {
        struct gh_s3_object_rec *v;
        size_t nv, want = (size_t)(max_keys - count);
        bool reseek = false;
        if (gh_store_s3_object_list(r->call.tx, r->arena, r->bucket, prefix, after, want, &v,
                                    &nv) != GH_OK)
            return s3_fail(r, S3_INTERNAL, NULL);
        for (size_t i = 0; i < nv && count < max_keys; i++) {
            struct gh_slice rest = gh_slice_sub(v[i].key, prefix.len, v[i].key.len - prefix.len);
            long at = -1;
            if (delim.len > 0)
                for (size_t k = 0; k + delim.len <= rest.len && at < 0; k++)
                    if (memcmp(rest.ptr + k, delim.ptr, delim.len) == 0)
                        at = (long)k;
            if (at >= 0) {
                struct gh_slice cp = gh_slice_sub(v[i].key, 0, prefix.len + (size_t)at + delim.len);
                out[count++] = (struct entry){true, cp, NULL};
                after = past_prefix(r, cp);
                reseek = true;
                break;
            }
            out[count++] = (struct entry){false, v[i].key, &v[i]};
            after = v[i].key;
        }
        if (!reseek && nv < want)
            break; /* the bucket has no more */
    }
    if (count == max_keys && max_keys > 0) {
        struct gh_s3_object_rec *v;
        size_t nv;
        if (gh_store_s3_object_list(r->call.tx, r->arena, r->bucket, prefix, after, 1, &v, &nv) !=
            GH_OK)
            return s3_fail(r, S3_INTERNAL, NULL);
        truncated = nv > 0;
    }
    /*
     * AWS S3 (ListObjectsV2 EncodingType): "An object key can contain any
     * Unicode character. However, the XML 1.0 parser can't parse certain
     * characters, such as characters with an ASCII value from 0 to 10. For
     * characters that aren't supported in XML 1.0, you can add this
     * parameter to request that Amazon S3 encode the keys in the response."
     * AWS then sends them anyway, as "&#x1;", which no XML parser accepts
     * (boto/boto3#2347). Here such a listing is refused instead, naming the
     * way out; the aws CLI and boto3 always ask for encoding-type=url.
     */
    if (!url) {
        bool ok = gh_xml_is_text(prefix) && gh_xml_is_text(delim) &&
                  (start_after.ptr == NULL || gh_xml_is_text(start_after)) &&
                  (marker.ptr == NULL || gh_xml_is_text(marker));
        for (size_t i = 0; i < count && ok; i++)
            ok = gh_xml_is_text(out[i].key);
        if (!ok) {
            s3_fail(r, S3_INVALID_ARGUMENT,
                    "The listing contains object keys with characters XML 1.0 cannot represent; "
                    "list them with encoding-type=url.");
            s3_fail_extra(r, "ArgumentName", GH_S("encoding-type"));
            return r->code;
        }
    }
    resp->status = 200;
    resp->content_type = "application/xml";
    struct gh_buf *x = &resp->body;
    s3_xml_begin(x, "ListBucketResult");
    gh_xml_elem(x, "Name", r->bucket);
    put_key(x, "Prefix", prefix, url);
    if (v2) {
        if (token.ptr != NULL)
            gh_xml_elem(x, "ContinuationToken", token);
        if (start_after.ptr != NULL)
            put_key(x, "StartAfter", start_after, url);
        gh_xml_elem_int(x, "KeyCount", (int64_t)count);
    } else {
        put_key(x, "Marker", marker.ptr != NULL ? marker : GH_S(""), url);
    }
    gh_xml_elem_int(x, "MaxKeys", (int64_t)max_keys);
    if (delim.len > 0)
        put_key(x, "Delimiter", delim, url);
    if (url)
        gh_xml_elem_cstr(x, "EncodingType", "url");
    gh_xml_elem_bool(x, "IsTruncated", truncated);
    if (truncated && v2) {
        struct gh_buf tok;
        gh_buf_init(&tok, 8192);
        if (s3_list_token_encode(&tok, after) != GH_OK) {
            gh_buf_cleanup(&tok);
            return s3_fail(r, S3_INTERNAL, NULL);
        }
        gh_xml_elem(x, "NextContinuationToken", gh_buf_slice(&tok));
        gh_buf_cleanup(&tok);
    }
    /* AWS S3 V1: NextMarker only when a delimiter was given. */
    if (truncated && !v2 && delim.len > 0 && count > 0)
        put_key(x, "NextMarker", out[count - 1].key, url);
    for (size_t i = 0; i < count; i++) {
        if (out[i].is_prefix)
            continue;
        gh_buf_puts(x, "<Contents>");
        put_key(x, "Key", out[i].key, url);
        s3_xml_time(x, "LastModified", out[i].obj->modified);
        gh_xml_elem(x, "ETag", out[i].obj->etag);
        gh_xml_elem_int(x, "Size", (int64_t)out[i].obj->size);
        gh_xml_elem_cstr(x, "StorageClass", "STANDARD");
        gh_buf_puts(x, "</Contents>");
    }
    for (size_t i = 0; i < count; i++) {
        if (!out[i].is_prefix)
            continue;
        gh_buf_puts(x, "<CommonPrefixes>");
        put_key(x, "Prefix", out[i].key, url);
        gh_buf_puts(x, "</CommonPrefixes>");
    }
    gh_buf_puts(x, "</ListBucketResult>");
    return S3_OK;
}
