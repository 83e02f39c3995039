/*
 * bucket.c: bucket operations: CreateBucket (AWS naming rules),
 * HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation, bucket
 * tagging and bucket policies (validated as resource-based policies).
 */
#include <string.h>

#include "s3/s3_int.h"

enum s3_code
s3_tx_begin(struct s3_req *r, bool write)
{
    if (gh_store_tx_begin(r->s3->store, write, &r->call.tx) != GH_OK) {
        r->call.tx = NULL;
        return s3_fail(r, S3_INTERNAL, NULL);
    }
    return S3_OK;
}

enum s3_code
s3_tx_end(struct s3_req *r, bool commit)
{
    struct gh_store_tx *tx = r->call.tx;

    r->call.tx = NULL;
    if (tx == NULL)
        return S3_OK;
    if (!commit) {
        gh_store_tx_rollback(tx);
        return S3_OK;
    }
    return gh_store_tx_commit(tx) == GH_OK ? S3_OK : s3_fail(r, S3_INTERNAL, NULL);
}

enum s3_code
s3_bucket_load(struct s3_req *r, struct gh_s3_bucket_rec *b)
{
    enum gh_err err = gh_store_s3_bucket_get(r->call.tx, r->arena, r->bucket, b);

    if (err == GH_ERR_NOT_FOUND) {
        s3_fail(r, S3_NO_SUCH_BUCKET, NULL);
        s3_fail_extra(r, "BucketName", r->bucket);
        return r->code;
    }
    return err == GH_OK ? S3_OK : s3_fail(r, S3_INTERNAL, NULL);
}

/* AWS S3 "General purpose bucket naming rules". */
bool
s3_bucket_name_ok(struct gh_slice n)
{
    static const char *const bad_prefix[] = {"xn--", "sthree-", "amzn-s3-demo-"};
    static const char *const bad_suffix[] = {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"};
    bool all_ip = true;
    int dots = 0;

    if (n.len < 3 || n.len > 63)
        return false;
    for (size_t i = 0; i < n.len; i++) {
        char c = n.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
            return false;
        if (c == '.' && i > 0 && n.ptr[i - 1] == '.')
            return false;
        if (c == '.')
            dots++;
        else if (!(c >= '0' && c <= '9'))
            all_ip = false;
    }
    if (n.ptr[0] == '.' || n.ptr[0] == '-' || n.ptr[n.len - 1] == '.' || n.ptr[n.len - 1] == '-')
        return false;
    if (all_ip && dots == 3)
        return false; /* formatted as an IP address */
    for (size_t i = 0; i < GH_ARRAY_LEN(bad_prefix); i++)
        if (gh_slice_starts_with(n, gh_slice_from_cstr(bad_prefix[i])))
            return false;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad_suffix); i++)
        if (gh_slice_ends_with(n, gh_slice_from_cstr(bad_suffix[i])))
            return false;
    return true;
}

/* S3 canonical user ids are 64 hex digits; ours derive from the account. */
static void
owner_xml(struct gh_buf *b, struct gh_slice account)
{
    char hex[64];

    gh_sha256_hex(account.ptr, account.len, hex);
    gh_buf_puts(b, "<Owner>");
    gh_xml_elem(b, "ID", (struct gh_slice){hex, 64});
    gh_xml_elem(b, "DisplayName", account);
    gh_buf_puts(b, "</Owner>");
}

static void
xml_ok(struct gh_http_resp *resp)
{
    resp->status = 200;
    resp->content_type = "application/xml";
}

static void
no_content(struct gh_http_resp *resp)
{
    resp->status = 204;
    resp->content_type = NULL;
}

enum s3_code
s3_op_list_buckets(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec *v;
    size_t n;
    enum s3_code code;
    struct gh_slice acct = gh_slice_from_cstr(r->caller.account);

    if ((code = s3_tx_begin(r, false)) != S3_OK)
        return code;
    if (r->anonymous)
        return s3_fail(r, S3_ACCESS_DENIED, NULL);
    if ((code = s3_authorize(r, "s3:ListAllMyBuckets", s3_arn(r, GH_S(""), GH_SLICE_NULL), NULL,
                             NULL, 0)) != S3_OK)
        return code;
    if (gh_store_s3_bucket_list(r->call.tx, r->arena, acct, &v, &n) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    xml_ok(resp);
    s3_xml_begin(&resp->body, "ListAllMyBucketsResult");
    owner_xml(&resp->body, acct);
    gh_buf_puts(&resp->body, "<Buckets>");
    for (size_t i = 0; i < n; i++) {
        gh_buf_puts(&resp->body, "<Bucket>");
        gh_xml_elem(&resp->body, "Name", v[i].name);
        s3_xml_time(&resp->body, "CreationDate", v[i].created);
        gh_buf_puts(&resp->body, "</Bucket>");
    }
    gh_buf_puts(&resp->body, "</Buckets></ListAllMyBucketsResult>");
    return S3_OK;
}

enum s3_code
s3_op_create_bucket(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b, old;
    struct gh_api_key keys[1];
    size_t nkeys = 0;
    struct gh_slice acl = gh_http_header_get(r->http, "x-amz-acl");
    enum s3_code code;
    enum gh_err err;

    if (!s3_bucket_name_ok(r->bucket))
        return s3_fail(r, S3_INVALID_BUCKET_NAME, NULL);
    if (r->body.len > 0) {
        struct s3_xml x;
        if (s3_xml_parse(r->arena, gh_buf_slice(&r->body), &x) != GH_OK || x.count == 0 ||
            !gh_slice_eq_cstr(x.nodes[0].name, "CreateBucketConfiguration"))
            return s3_fail(r, S3_MALFORMED_XML, NULL);
    }
    if (acl.ptr != NULL)
        keys[nkeys++] = (struct gh_api_key){GH_S("s3:x-amz-acl"), GH_PT_STRING, acl, false};
    if ((code = s3_tx_begin(r, true)) != S3_OK)
        return code;
    if (r->anonymous)
        return s3_fail(r, S3_ACCESS_DENIED, NULL);
    if ((code = s3_authorize(r, "s3:CreateBucket", s3_arn(r, r->bucket, GH_SLICE_NULL), NULL, keys,
                             nkeys)) != S3_OK)
        return code;
    err = gh_store_s3_bucket_get(r->call.tx, r->arena, r->bucket, &old);
    if (err == GH_OK) {
        s3_fail(r, gh_slice_eq_cstr(old.account, r->caller.account) ? S3_BUCKET_OWNED
                                                                    : S3_BUCKET_EXISTS,
                NULL);
        s3_fail_extra(r, "BucketName", r->bucket);
        return r->code;
    }
    if (err != GH_ERR_NOT_FOUND)
        return s3_fail(r, S3_INTERNAL, NULL);
    memset(&b, 0, sizeof(b));
    b.name = r->bucket;
    b.account = gh_slice_from_cstr(r->caller.account);
    b.region = gh_slice_from_cstr(r->s3->region);
    b.created = gh_now_s();
    if (gh_store_s3_bucket_create(r->call.tx, &b) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_end(r, true)) != S3_OK)
        return code;
    resp->status = 200;
    resp->content_type = NULL;
    s3_headerf(r, resp, "Location", "/%.*s", GH_SP(r->bucket));
    return S3_OK;
}

enum s3_code
s3_op_head_bucket(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    enum s3_code code;

    if ((code = s3_tx_begin(r, false)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK ||
        (code = s3_authorize(r, "s3:ListBucket", s3_arn(r, r->bucket, GH_SLICE_NULL), &b, NULL,
                             0)) != S3_OK)
        return code;
    resp->status = 200;
    resp->content_type = NULL;
    s3_header(r, resp, "x-amz-bucket-region", b.region);
    return S3_OK;
}

enum s3_code
s3_op_delete_bucket(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    enum s3_code code;
    bool empty = false;

    if ((code = s3_tx_begin(r, true)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK ||
        (code = s3_authorize(r, "s3:DeleteBucket", s3_arn(r, r->bucket, GH_SLICE_NULL), &b, NULL,
                             0)) != S3_OK)
        return code;
    if (gh_store_s3_bucket_is_empty(r->call.tx, r->bucket, &empty) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if (!empty) {
        s3_fail(r, S3_BUCKET_NOT_EMPTY, NULL);
        s3_fail_extra(r, "BucketName", r->bucket);
        return r->code;
    }
    if (gh_store_s3_bucket_delete(r->call.tx, r->bucket) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_end(r, true)) != S3_OK)
        return code;
    no_content(resp);
    return S3_OK;
}

enum s3_code
s3_op_get_bucket_location(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    enum s3_code code;

    if ((code = s3_tx_begin(r, false)) != S3_OK || (code = s3_bucket_load(r, &b)) != S3_OK ||
        (code = s3_authorize(r, "s3:GetBucketLocation", s3_arn(r, r->bucket, GH_SLICE_NULL), &b,
                             NULL, 0)) != S3_OK)
        return code;
    xml_ok(resp);
    gh_buf_puts(&resp->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint "
                             "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    /* AWS S3: buckets in us-east-1 have a null LocationConstraint. */
    if (!gh_slice_eq_cstr(b.region, "us-east-1"))
        gh_xml_escape(&resp->body, b.region);
    gh_buf_puts(&resp->body, "</LocationConstraint>");
    return S3_OK;
}

/* Loads the bucket and authorizes `action` on it; tx opened as asked. */
static enum s3_code
bucket_op(struct s3_req *r, bool write, const char *action, struct gh_s3_bucket_rec *b)
{
    enum s3_code code;

    if ((code = s3_tx_begin(r, write)) != S3_OK || (code = s3_bucket_load(r, b)) != S3_OK)
        return code;
    return s3_authorize(r, action, s3_arn(r, r->bucket, GH_SLICE_NULL), b, NULL, 0);
}

enum s3_code
s3_op_put_bucket_tagging(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_buf tags;
    enum s3_code code;

    gh_buf_init(&tags, 64 * 1024);
    if ((code = bucket_op(r, true, "s3:PutBucketTagging", &b)) != S3_OK ||
        (code = s3_tags_from_xml(r, gh_buf_slice(&r->body), GH_S3_BUCKET_TAGS_MAX, &tags)) !=
            S3_OK)
        goto done;
    if (gh_store_s3_bucket_set_tags(r->call.tx, r->bucket, gh_buf_slice(&tags)) != GH_OK) {
        code = s3_fail(r, S3_INTERNAL, NULL);
        goto done;
    }
    if ((code = s3_tx_end(r, true)) == S3_OK)
        no_content(resp);
done:
    gh_buf_cleanup(&tags);
    return code;
}

enum s3_code
s3_op_get_bucket_tagging(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_params tags;
    enum s3_code code;

    if ((code = bucket_op(r, false, "s3:GetBucketTagging", &b)) != S3_OK)
        return code;
    if (b.tags.len == 0) {
        s3_fail(r, S3_NO_SUCH_TAG_SET, NULL);
        s3_fail_extra(r, "BucketName", r->bucket);
        return r->code;
    }
    if ((code = s3_tags_parse(r, b.tags, GH_S3_BUCKET_TAGS_MAX, &tags)) != S3_OK)
        return code;
    xml_ok(resp);
    s3_xml_begin(&resp->body, "Tagging");
    s3_tags_to_xml(&resp->body, &tags);
    gh_buf_puts(&resp->body, "</Tagging>");
    return S3_OK;
}

enum s3_code
s3_op_delete_bucket_tagging(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    enum s3_code code;

    /* AWS S3: DeleteBucketTagging is authorized as s3:PutBucketTagging. */
    if ((code = bucket_op(r, true, "s3:PutBucketTagging", &b)) != S3_OK)
        return code;
    if (gh_store_s3_bucket_set_tags(r->call.tx, r->bucket, GH_S("")) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_end(r, true)) == S3_OK)
        no_content(resp);
    return code;
}

/*
 * AWS S3: the root user of the bucket's account may always manage the
 * bucket policy, even when the policy denies everyone (lock-out recovery).
 */
static enum s3_code
policy_op(struct s3_req *r, bool write, const char *action, struct gh_s3_bucket_rec *b)
{
    enum s3_code code;

    if ((code = s3_tx_begin(r, write)) != S3_OK || (code = s3_bucket_load(r, b)) != S3_OK)
        return code;
    if (r->caller.type == GH_PRINCIPAL_ROOT && gh_slice_eq_cstr(b->account, r->caller.account))
        return S3_OK;
    return s3_authorize(r, action, s3_arn(r, r->bucket, GH_SLICE_NULL), b, NULL, 0);
}

enum s3_code
s3_op_put_bucket_policy(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_policy *p = NULL;
    struct gh_diag diag;
    struct gh_slice doc = gh_buf_slice(&r->body), bind, bad;
    enum s3_code code;
    enum gh_err err;

    if ((code = policy_op(r, true, "s3:PutBucketPolicy", &b)) != S3_OK)
        return code;
    if (doc.len == 0)
        return s3_fail(r, S3_MALFORMED_POLICY, "Policies must be valid JSON and the first byte "
                                               "must be '{'");
    if (doc.len > GH_S3_POLICY_MAX)
        return s3_fail(r, S3_MALFORMED_POLICY, "Policy exceeds the maximum allowed document "
                                               "size.");
    gh_diag_clear(&diag);
    /* Validated as a resource-based policy: a Principal is required. */
    if (gh_policy_compile(doc, GH_POLICY_RESOURCE, &diag, &p) != GH_OK)
        return s3_fail(r, S3_MALFORMED_POLICY, "%s",
                       diag.text[0] ? diag.text : "Policies must be valid JSON");
    /* AWS IAM "Principal": user and role ARNs are bound to the entities'
     * unique ids when saved; one naming no such user or role is refused
     * (AWS S3: MalformedPolicy "Invalid principal in policy"). */
    err = gh_api_principals_bind(r->call.tx, r->arena, p, &bind, &bad);
    gh_policy_unref(p);
    if (err == GH_ERR_MALFORMED_POLICY)
        return s3_fail(r, S3_MALFORMED_POLICY, "Invalid principal in policy");
    if (err != GH_OK || gh_store_s3_bucket_set_policy(r->call.tx, r->bucket, doc, bind) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_end(r, true)) == S3_OK)
        no_content(resp);
    return code;
}

enum s3_code
s3_op_get_bucket_policy(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    struct gh_slice shown;
    enum s3_code code;

    if ((code = policy_op(r, false, "s3:GetBucketPolicy", &b)) != S3_OK)
        return code;
    if (b.policy.len == 0) {
        s3_fail(r, S3_NO_SUCH_BUCKET_POLICY, NULL);
        s3_fail_extra(r, "BucketName", r->bucket);
        return r->code;
    }
    /* AWS IAM "Principal": a bound principal shows as its current ARN, or
     * as its unique id once deleted. */
    if (gh_api_principals_render(r->call.tx, r->arena, b.policy, b.policy_bind, &shown) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    resp->status = 200;
    resp->content_type = "application/json";
    gh_buf_put(&resp->body, shown);
    return S3_OK;
}

enum s3_code
s3_op_delete_bucket_policy(struct s3_req *r, struct gh_http_resp *resp)
{
    struct gh_s3_bucket_rec b;
    enum s3_code code;

    if ((code = policy_op(r, true, "s3:DeleteBucketPolicy", &b)) != S3_OK)
        return code;
    if (gh_store_s3_bucket_set_policy(r->call.tx, r->bucket, GH_S(""), GH_S("")) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    if ((code = s3_tx_end(r, true)) == S3_OK)
        no_content(resp);
    return code;
}
