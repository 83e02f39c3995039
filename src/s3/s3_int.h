/*
 * s3_int.h: what the S3 service's files share: the per-request state,
 * S3 errors, the body sink (temporary file, digests, aws-chunked
 * decoding), the XML reader and the operations.
 */
#ifndef GH_S3_INT_H
#define GH_S3_INT_H

#include <openssl/evp.h>
#include <stdatomic.h>

#include "s3/s3.h"

struct gh_s3 {
    struct gh_api *api;
    struct gh_store *store;
    char region[32];
    char dir[1024];     /* DIR/s3 */
    char data_dir[1100]; /* DIR/s3/data: one file per object or part, named by data id */
    char tmp_dir[1100];  /* DIR/s3/tmp: uploads in progress */
    _Atomic uint64_t id_next; /* request ids: a counter ... */
    uint64_t id_key[2];       /* ... mixed with a key drawn at start (service.c) */
    _Atomic unsigned hashers; /* upload MD5 threads running (file.c) */
};

/* S3 error codes (AWS S3 API reference, "Error responses"). */
enum s3_code {
    S3_OK = 0,
    S3_ACCESS_DENIED,
    S3_BAD_DIGEST,
    S3_BUCKET_EXISTS,
    S3_BUCKET_OWNED,
    S3_BUCKET_NOT_EMPTY,
    S3_ENTITY_TOO_LARGE,
    S3_ENTITY_TOO_SMALL,
    S3_EXPIRED_TOKEN,
    S3_INCOMPLETE_BODY,
    S3_INTERNAL,
    S3_INVALID_ACCESS_KEY,
    S3_INVALID_ARGUMENT,
    S3_INVALID_BUCKET_NAME,
    S3_INVALID_DIGEST,
    S3_INVALID_PART,
    S3_INVALID_PART_ORDER,
    S3_INVALID_RANGE,
    S3_INVALID_REQUEST,
    S3_INVALID_TAG,
    S3_INVALID_TOKEN,
    S3_KEY_TOO_LONG,
    S3_MALFORMED_POLICY,
    S3_MALFORMED_TRAILER,
    S3_MALFORMED_XML,
    S3_METADATA_TOO_LARGE,
    S3_METHOD_NOT_ALLOWED,
    S3_MISSING_CONTENT_LENGTH,
    S3_NO_SUCH_BUCKET,
    S3_NO_SUCH_BUCKET_POLICY,
    S3_NO_SUCH_KEY,
    S3_NO_SUCH_TAG_SET,
    S3_NO_SUCH_UPLOAD,
    S3_NOT_IMPLEMENTED,
    S3_NOT_MODIFIED,
    S3_PRECONDITION_FAILED,
    S3_SIGNATURE,
    S3_SKEWED,
    S3_AUTH_HEADER_MALFORMED,
    S3_AUTH_QUERY_ERROR,
    S3_SHA256_MISMATCH,
    S3_MISSING_SECURITY_HEADER,
    S3_CODE_COUNT
};

/* How the body is signed (x-amz-content-sha256). */
enum s3_payload {
    PAYLOAD_HEX = 0,         /* hex SHA-256 of the body (or absent: none given) */
    PAYLOAD_UNSIGNED,        /* UNSIGNED-PAYLOAD */
    PAYLOAD_CHUNKED_SIGNED,  /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD */
    PAYLOAD_CHUNKED_SIGNED_TRAILER, /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER */
    PAYLOAD_CHUNKED_UNSIGNED_TRAILER, /* STREAMING-UNSIGNED-PAYLOAD-TRAILER */
};

enum s3_checksum { CK_NONE = 0, CK_CRC32, CK_CRC32C, CK_SHA256, CK_SHA1 };

/* aws-chunked decoding state. */
struct s3_chunked {
    int state; /* see chunked.c */
    char line[512];
    size_t line_len;
    uint64_t left;   /* data bytes left in the current chunk */
    char want_sig[65]; /* signature announced for the current chunk */
    char prev_sig[65];
    uint8_t signing_key[GH_SHA256_LEN];
    bool signed_chunks;
    bool signed_trailer;
    struct gh_sha256_ctx chunk_hash;
    bool chunk_hash_on;
    struct gh_buf trailer; /* the trailer lines as received */
    struct gh_slice scope; /* date/region/s3/aws4_request */
    struct gh_slice amz_date;
    bool final_seen;
    bool done;
};

/* Where a streamed body goes: a temporary file and its digests. */
struct s3_sink {
    int fd;
    char tmp_path[1200];
    char data_id[33];
    uint64_t size;
    EVP_MD_CTX *md5;
    EVP_MD_CTX *sha256; /* x-amz-checksum-sha256, or a signed payload hash, to check */
    uint8_t sha256_md[32]; /* its digest, once final */
    bool sha256_final;
    EVP_MD_CTX *sha1;
    uint32_t crc;
    enum s3_checksum ck;
    struct s3_hasher *h; /* large uploads: the thread that computes their MD5 (file.c) */
    bool h_tried;
    /* The checksum that matched (x-amz-checksum-NAME: base64): echoed, stored. NULL if none. */
    const char *ck_header;
    char ck_b64[48];
};

struct s3_op;
struct s3_hasher;

/* One S3 request, from headers to response. */
struct s3_req {
    struct gh_s3 *s3;
    struct gh_http_req *http;
    struct gh_arena *arena;
    char rid[17];
    char host_id[33];
    struct gh_params q;       /* decoded query parameters */
    struct gh_slice bucket;   /* decoded; empty for the service */
    struct gh_slice key;      /* decoded; empty for bucket requests */
    const struct s3_op *op;
    struct gh_principal caller;
    struct gh_slice auth_service;
    bool anonymous;
    bool payload_check;      /* signed with a hex payload hash: the body must match it */
    char payload_sha256[65]; /* that hash (x-amz-content-sha256), as sent */
    bool presigned;
    struct gh_slice akid;
    struct gh_sigv4_auth sig; /* parsed signature (has_sig) */
    bool has_sig;
    enum s3_payload payload;
    enum s3_checksum ck_want; /* computed at s3_sink_open when no header asks (UploadPartCopy) */
    struct gh_call call;
    struct gh_buf result;
    /* Body handling. */
    bool wants_data; /* streamed to a file */
    struct s3_sink sink;
    bool sink_open;
    struct s3_chunked chunked;
    bool is_chunked;
    uint8_t md5[16];      /* of the data body, once complete */
    uint64_t decoded_len; /* x-amz-decoded-content-length, or Content-Length */
    bool has_len;
    struct gh_buf body; /* non-data bodies (XML), bounded */
    /* Outcome. */
    enum s3_code code;
    char message[1024];
    struct gh_buf extra; /* extra XML elements for the error (<Key>, <BucketName> ...) */
};

/* An operation: dispatch by method and sub-resource. */
struct s3_op {
    const char *name;
    enum s3_code (*fn)(struct s3_req *r, struct gh_http_resp *resp);
    bool data;  /* body is object data (streamed to a file) */
};

/* ---- error.c ---- */
/* Records an error with a message; returns `code`. */
enum s3_code s3_fail(struct s3_req *r, enum s3_code code, const char *fmt, ...) GH_PRINTF(3, 4);
/* Adds <tag>value</tag> to the error document. */
void s3_fail_extra(struct s3_req *r, const char *tag, struct gh_slice value);
/* The HTTP status and AWS code of an error. */
int s3_code_status(enum s3_code code);
const char *s3_code_name(enum s3_code code);
/* The error response (XML, or bare status for HEAD). */
void s3_render_error(struct s3_req *r, struct gh_http_resp *resp);
/* Maps a call failure (authorization, store) to an S3 error. */
enum s3_code s3_from_call(struct s3_req *r, enum gh_err err);
/* Adds a response header (value copied into the arena). */
void s3_header(struct s3_req *r, struct gh_http_resp *resp, const char *name, struct gh_slice v);
void s3_headerf(struct s3_req *r, struct gh_http_resp *resp, const char *name, const char *fmt,
                ...) GH_PRINTF(4, 5);
/* Starts an XML response body with the declaration. */
void s3_xml_begin(struct gh_buf *b, const char *root);
/* ISO 8601 with milliseconds as S3 lists it. */
void s3_xml_time(struct gh_buf *b, const char *tag, int64_t t);
/* A conditional request's date: RFC 7231 IMF-fixdate, else ISO 8601. */
GH_MUST_CHECK enum gh_err s3_parse_http_date(struct gh_slice s, int64_t *out);

/* ---- auth.c ---- */
/*
 * Authenticates from the headers alone (a hex payload hash is taken as
 * claimed and set for s3_payload_check); unsigned requests are anonymous.
 */
enum s3_code s3_authenticate(struct s3_req *r);
/*
 * The body is complete: when the signature covered a hex payload hash
 * (r->payload_check), the body's SHA-256 must be it, else
 * XAmzContentSHA256Mismatch. `sha256` is the body's digest.
 */
enum s3_code s3_payload_check(struct s3_req *r, const uint8_t sha256[32]);
/* Prepares aws-chunked decoding (derives the chunk signing key). */
enum s3_code s3_chunked_prepare(struct s3_req *r);
/*
 * Authorizes `action` on `resource` for the caller, with the bucket's
 * policy and owner and extra condition keys. S3_OK or AccessDenied.
 */
enum s3_code s3_authorize(struct s3_req *r, const char *action, struct gh_slice resource,
                          const struct gh_s3_bucket_rec *bucket, const struct gh_api_key *keys,
                          size_t nkeys);
/* "arn:aws:s3:::bucket" / "arn:aws:s3:::bucket/key" in the arena. */
struct gh_slice s3_arn(struct s3_req *r, struct gh_slice bucket, struct gh_slice key);

/* ---- chunked.c ---- */
/* Feeds raw body bytes through the aws-chunked decoder into the sink. */
enum s3_code s3_chunked_feed(struct s3_req *r, const char *p, size_t n);
/* After the last byte: the decoder must be complete, trailers checked. */
enum s3_code s3_chunked_finish(struct s3_req *r);

/* ---- file.c ---- */
enum s3_code s3_sink_open(struct s3_req *r);
enum s3_code s3_sink_write(struct s3_req *r, const void *p, size_t n);
/* fsyncs; fills the MD5 and checks the requested checksum. */
enum s3_code s3_sink_finish(struct s3_req *r, uint8_t md5[16]);
/* The SHA-256 of what was written (final once asked; needs r->payload_check or
 * an x-amz-checksum-sha256 at s3_sink_open). */
enum s3_code s3_sink_sha256(struct s3_req *r, uint8_t out[32]);
/* Moves the finished temporary file into the data directory (fsynced). */
enum s3_code s3_sink_commit(struct s3_req *r);
/* Removes the temporary file if still there; frees digests. */
void s3_sink_cleanup(struct s3_sink *s);
/* The path of a data file into out. */
void s3_data_path(const struct gh_s3 *s3, struct gh_slice data_id, char *out, size_t n);
/* Unlinks a data file (after the row that named it is gone). */
void s3_data_remove(const struct gh_s3 *s3, struct gh_slice data_id);
/* A fresh random data id (32 hex). */
GH_MUST_CHECK enum gh_err s3_new_id(char out[33]);
/* Verifies an x-amz-checksum-* header value against what the sink computed. */
enum s3_code s3_checksum_check(struct s3_req *r, struct gh_slice want);
/*
 * Finalises the sink's checksum (asked for or r->ck_want) without a value
 * to compare: sets sink.ck_header / ck_b64 (unset when none was computed).
 */
enum s3_code s3_checksum_take(struct s3_req *r);

/* ---- xml.c: a small reader for request documents ---- */
struct s3_xml_node {
    struct gh_slice name; /* local name (prefix dropped) */
    struct gh_slice text; /* unescaped text content (arena) */
    int parent;           /* index, -1 for the root */
    int depth;
};
struct s3_xml {
    struct s3_xml_node *nodes;
    size_t count;
};
/* Parses `in` (at most GH_S3_XML_BODY_MAX); GH_ERR_VALIDATION when malformed. */
GH_MUST_CHECK enum gh_err s3_xml_parse(struct gh_arena *a, struct gh_slice in, struct s3_xml *out);
/* First child of node `parent` named `name` at or after index `from`; -1 when none. */
int s3_xml_child(const struct s3_xml *x, int parent, const char *name, int from);

/* ---- meta.c: stored headers and tags ---- */
/* Appends name=value (percent-encoded) to a form-encoded list. */
void s3_form_add(struct gh_buf *b, struct gh_slice name, struct gh_slice value);
/* x-amz-tagging / stored tags into (key, value) pairs; INVALID_TAG on bad input. */
enum s3_code s3_tags_parse(struct s3_req *r, struct gh_slice form, size_t max, struct gh_params *out);
/* <Tagging><TagSet><Tag>... body into form-encoded tags. */
enum s3_code s3_tags_from_xml(struct s3_req *r, struct gh_slice body, size_t max,
                              struct gh_buf *out);
void s3_tags_to_xml(struct gh_buf *b, const struct gh_params *tags);

/* ---- operations (bucket.c, object.c, list.c, multipart.c, policy.c) ---- */
enum s3_code s3_op_list_buckets(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_create_bucket(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_head_bucket(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_delete_bucket(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_get_bucket_location(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_put_bucket_tagging(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_get_bucket_tagging(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_delete_bucket_tagging(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_put_bucket_policy(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_get_bucket_policy(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_delete_bucket_policy(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_list_objects(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_put_object(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_copy_object(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_get_object(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_delete_object(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_delete_objects(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_put_object_tagging(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_get_object_tagging(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_delete_object_tagging(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_create_multipart(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_upload_part(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_complete_multipart(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_abort_multipart(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_list_parts(struct s3_req *r, struct gh_http_resp *resp);
enum s3_code s3_op_list_uploads(struct s3_req *r, struct gh_http_resp *resp);

/* Shared by the operations (object.c). */
/* Opens a read (or write) transaction into r->call.tx. */
enum s3_code s3_tx_begin(struct s3_req *r, bool write);
/* Commits (write) or rolls back; S3_OK or InternalError. */
enum s3_code s3_tx_end(struct s3_req *r, bool commit);
/* Loads the bucket (NoSuchBucket when absent). Needs an open tx. */
enum s3_code s3_bucket_load(struct s3_req *r, struct gh_s3_bucket_rec *b);
/* The stored headers (x-amz-meta-*, Cache-Control ...) of a request, form-encoded. */
enum s3_code s3_meta_from_request(struct s3_req *r, struct gh_buf *out);
/* Writes the stored headers and ETag/Last-Modified of an object to a response. */
void s3_object_headers(struct s3_req *r, struct gh_http_resp *resp,
                       const struct gh_s3_object_rec *o);
/*
 * A key with a NUL byte is refused everywhere (InvalidArgument): ARNs and
 * messages are built with printf's "%.*s", which stops at the NUL, so
 * "a\0b" would be authorized as "a". AWS documents no rule for U+0000.
 */
bool s3_key_has_nul(struct gh_slice key);
/* x-amz-copy-source: loads and authorizes (s3:GetObject) the source. */
enum s3_code s3_copy_source(struct s3_req *r, struct gh_s3_bucket_rec *sb,
                            struct gh_s3_object_rec *so);
/* Copies len bytes at off of a data file into a new data file (durable). */
enum s3_code s3_copy_data(struct s3_req *r, struct gh_slice src_id, uint64_t off, uint64_t len,
                          char new_id[33], uint8_t md5[16]);
/*
 * A Range header (bytes=A-B, bytes=A- or bytes=-N) against an object of
 * `size` bytes: sets has, off and len when it selects bytes; has false (S3_OK)
 * for a header S3 ignores (another unit, several ranges, b < a, not a
 * number); InvalidRange when it starts past the end or asks for -0.
 */
enum s3_code s3_range_parse(struct s3_req *r, struct gh_slice h, uint64_t size, bool *has,
                            uint64_t *off, uint64_t *len);
/* AWS S3 "General purpose bucket naming rules" (bucket.c). */
bool s3_bucket_name_ok(struct gh_slice name);
/*
 * ListObjectsV2 continuation tokens (list.c): the base64 of the last key
 * (or common prefix + 0xFF) returned. Decoding refuses empty, malformed
 * and over-long tokens with GH_ERR_VALIDATION.
 */
GH_MUST_CHECK enum gh_err s3_list_token_encode(struct gh_buf *out, struct gh_slice after);
GH_MUST_CHECK enum gh_err s3_list_token_decode(struct gh_arena *a, struct gh_slice token,
                                               struct gh_slice *after);
/*
 * The MD5 a multipart object's ETag shows (multipart.c): MD5 of the
 * parts' binary MD5s, from their ETags (quoted or not, 32 hex);
 * GH_ERR_VALIDATION for an ETag that is not one.
 */
GH_MUST_CHECK enum gh_err s3_multipart_md5(const struct gh_slice *etags, size_t n, uint8_t md5[16]);
/*
 * Anonymous uploads (PutObject, UploadPart): authorizes s3:PutObject from
 * the headers, before any of the body is read, with the condition keys
 * the operation itself uses (object.c). The operation authorizes again.
 */
enum s3_code s3_put_authorize_early(struct s3_req *r);
/* ETag from an MD5 ("\"hex\""), arena-owned. */
struct gh_slice s3_etag(struct s3_req *r, const uint8_t md5[16], unsigned parts);

#endif
