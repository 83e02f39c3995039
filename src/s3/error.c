/*
 * error.c: S3's error codes, statuses and default messages (AWS S3 API
 * reference, "Error responses"), the XML error document, and small
 * response helpers (headers, dates).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "s3/s3_int.h"

struct code_info {
    const char *name;
    int status;
    const char *message;
};

/* AWS S3 "List of error codes": code, HTTP status, default message. */
static const struct code_info codes[S3_CODE_COUNT] = {
    [S3_OK] = {"OK", 200, ""},
    [S3_ACCESS_DENIED] = {"AccessDenied", 403, "Access Denied"},
    [S3_BAD_DIGEST] = {"BadDigest", 400,
                       "The Content-MD5 you specified did not match what we received."},
    [S3_BUCKET_EXISTS] = {"BucketAlreadyExists", 409,
                          "The requested bucket name is not available. The bucket namespace is "
                          "shared by all users of the system. Please select a different name and "
                          "try again."},
    [S3_BUCKET_OWNED] = {"BucketAlreadyOwnedByYou", 409,
                         "Your previous request to create the named bucket succeeded and you "
                         "already own it."},
    [S3_BUCKET_NOT_EMPTY] = {"BucketNotEmpty", 409, "The bucket you tried to delete is not empty"},
    [S3_ENTITY_TOO_LARGE] = {"EntityTooLarge", 400,
                             "Your proposed upload exceeds the maximum allowed size"},
    [S3_ENTITY_TOO_SMALL] = {"EntityTooSmall", 400,
                             "Your proposed upload is smaller than the minimum allowed size"},
    [S3_EXPIRED_TOKEN] = {"ExpiredToken", 400, "The provided token has expired."},
    [S3_INCOMPLETE_BODY] = {"IncompleteBody", 400,
                            "You did not provide the number of bytes specified by the "
                            "Content-Length HTTP header"},
    [S3_INTERNAL] = {"InternalError", 500, "We encountered an internal error. Please try again."},
    [S3_INVALID_ACCESS_KEY] = {"InvalidAccessKeyId", 403,
                               "The AWS Access Key Id you provided does not exist in our records."},
    [S3_INVALID_ARGUMENT] = {"InvalidArgument", 400, "Invalid Argument"},
    [S3_INVALID_BUCKET_NAME] = {"InvalidBucketName", 400, "The specified bucket is not valid."},
    [S3_INVALID_DIGEST] = {"InvalidDigest", 400, "The Content-MD5 you specified was invalid."},
    [S3_INVALID_PART] = {"InvalidPart", 400,
                         "One or more of the specified parts could not be found.  The part may "
                         "not have been uploaded, or the specified entity tag may not match the "
                         "part's entity tag."},
    [S3_INVALID_PART_ORDER] = {"InvalidPartOrder", 400,
                               "The list of parts was not in ascending order. Parts must be "
                               "ordered by part number."},
    [S3_INVALID_RANGE] = {"InvalidRange", 416, "The requested range is not satisfiable"},
    [S3_INVALID_REQUEST] = {"InvalidRequest", 400, "Invalid Request"},
    [S3_INVALID_TAG] = {"InvalidTag", 400, "The tag provided was not a valid tag."},
    [S3_INVALID_TOKEN] = {"InvalidToken", 400,
                          "The provided token is malformed or otherwise invalid."},
    [S3_KEY_TOO_LONG] = {"KeyTooLongError", 400, "Your key is too long"},
    [S3_MALFORMED_POLICY] = {"MalformedPolicy", 400, "Policies must be valid JSON"},
    /* AWS S3: a trailer checksum other than the one x-amz-trailer declared (versity/versitygw#1691). */
    [S3_MALFORMED_TRAILER] = {"MalformedTrailerError", 400,
                              "The request contained trailing data that was not well-formed or did "
                              "not conform to our published schema."},
    [S3_MALFORMED_XML] = {"MalformedXML", 400,
                          "The XML you provided was not well-formed or did not validate against "
                          "our published schema"},
    [S3_METADATA_TOO_LARGE] = {"MetadataTooLarge", 400,
                               "Your metadata headers exceed the maximum allowed metadata size"},
    [S3_METHOD_NOT_ALLOWED] = {"MethodNotAllowed", 405,
                               "The specified method is not allowed against this resource."},
    [S3_MISSING_CONTENT_LENGTH] = {"MissingContentLength", 411,
                                   "You must provide the Content-Length HTTP header."},
    [S3_NO_SUCH_BUCKET] = {"NoSuchBucket", 404, "The specified bucket does not exist"},
    [S3_NO_SUCH_BUCKET_POLICY] = {"NoSuchBucketPolicy", 404, "The bucket policy does not exist"},
    [S3_NO_SUCH_KEY] = {"NoSuchKey", 404, "The specified key does not exist."},
    [S3_NO_SUCH_TAG_SET] = {"NoSuchTagSet", 404, "The TagSet does not exist"},
    [S3_NO_SUCH_UPLOAD] = {"NoSuchUpload", 404,
                           "The specified upload does not exist. The upload ID may be invalid, or "
                           "the upload may have been aborted or completed."},
    [S3_NOT_IMPLEMENTED] = {"NotImplemented", 501,
                            "A header you provided implies functionality that is not implemented"},
    [S3_NOT_MODIFIED] = {"NotModified", 304, "Not Modified"},
    [S3_PRECONDITION_FAILED] = {"PreconditionFailed", 412,
                                "At least one of the pre-conditions you specified did not hold"},
    [S3_SIGNATURE] = {"SignatureDoesNotMatch", 403,
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your key and signing method."},
    [S3_SKEWED] = {"RequestTimeTooSkewed", 403,
                   "The difference between the request time and the current time is too large."},
    [S3_AUTH_HEADER_MALFORMED] = {"AuthorizationHeaderMalformed", 400,
                                  "The authorization header is malformed."},
    [S3_AUTH_QUERY_ERROR] = {"AuthorizationQueryParametersError", 400,
                             "Query-string authentication requires the Signature, Expires and "
                             "AWSAccessKeyId parameters"},
    [S3_SHA256_MISMATCH] = {"XAmzContentSHA256Mismatch", 400,
                            "The provided 'x-amz-content-sha256' header does not match what was "
                            "computed."},
    [S3_MISSING_SECURITY_HEADER] = {"MissingSecurityHeader", 400,
                                    "Your request was missing a required header"},
};

int
s3_code_status(enum s3_code code)
{
    return code > 0 && code < S3_CODE_COUNT ? codes[code].status : 500;
}

const char *
s3_code_name(enum s3_code code)
{
    return code > 0 && code < S3_CODE_COUNT ? codes[code].name : "InternalError";
}

enum s3_code
s3_fail(struct s3_req *r, enum s3_code code, const char *fmt, ...)
{
    va_list ap;

    r->code = code;
    if (fmt == NULL) {
        (void)snprintf(r->message, sizeof(r->message), "%s",
                       code < S3_CODE_COUNT ? codes[code].message : "");
        return code;
    }
    va_start(ap, fmt);
    (void)vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
    return code;
}

void
s3_fail_extra(struct s3_req *r, const char *tag, struct gh_slice value)
{
    gh_xml_elem(&r->extra, tag, value);
}

enum s3_code
s3_from_call(struct s3_req *r, enum gh_err err)
{
    if (err == GH_ERR_ACCESS_DENIED)
        return s3_fail(r, S3_ACCESS_DENIED, "%s",
                       r->call.message[0] ? r->call.message : "Access Denied");
    return s3_fail(r, S3_INTERNAL, NULL);
}

void
s3_header(struct s3_req *r, struct gh_http_resp *resp, const char *name, struct gh_slice v)
{
    struct gh_slice copy;

    if (gh_arena_dup(r->arena, v, &copy) != GH_OK)
        return;
    if (gh_http_resp_header(resp, name, copy) != GH_OK) {
        /* full: the header is dropped */
    }
}

void
s3_headerf(struct s3_req *r, struct gh_http_resp *resp, const char *name, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return;
    s3_header(r, resp, name, (struct gh_slice){buf, (size_t)n});
}

void
s3_xml_begin(struct gh_buf *b, const char *root)
{
    gh_buf_putf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s "
                   "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
                root);
}

enum gh_err
s3_parse_http_date(struct gh_slice s, int64_t *out)
{
    /* RFC 7231 IMF-fixdate, else the ISO 8601 form S3 also takes. */
    if (gh_time_parse_http(s, out) == GH_OK)
        return GH_OK;
    return gh_time_parse_iso8601(gh_slice_trim(s), out);
}

void
s3_xml_time(struct gh_buf *b, const char *tag, int64_t t)
{
    char iso[21];

    gh_time_iso8601(t, iso);
    /* S3 lists times with milliseconds: 2009-10-12T17:50:30.000Z */
    gh_buf_putf(b, "<%s>%.19s.000Z</%s>", tag, iso, tag);
}

void
s3_render_error(struct s3_req *r, struct gh_http_resp *resp)
{
    enum s3_code code = r->code == S3_OK ? S3_INTERNAL : r->code;

    gh_buf_reset(&resp->body);
    resp->body_fd_set = false;
    resp->status = s3_code_status(code);
    resp->content_type = "application/xml";
    /* HEAD answers carry no body; 304 never has one. */
    if (gh_slice_eq_cstr(r->http->method, "HEAD") || code == S3_NOT_MODIFIED) {
        resp->content_type = NULL;
        return;
    }
    gh_buf_puts(&resp->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
    gh_xml_elem_cstr(&resp->body, "Code", s3_code_name(code));
    gh_xml_elem_cstr(&resp->body, "Message",
                     r->message[0] ? r->message : codes[code].message);
    /* An element cut short by the buffer's cap would be malformed XML: all or nothing. */
    if (gh_buf_status(&r->extra) == GH_OK)
        gh_buf_put(&resp->body, gh_buf_slice(&r->extra));
    gh_xml_elem_cstr(&resp->body, "RequestId", r->rid);
    gh_xml_elem_cstr(&resp->body, "HostId", r->host_id);
    gh_buf_puts(&resp->body, "</Error>");
}
