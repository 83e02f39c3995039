/*
 * s3.h: the S3-compatible protected service: REST-XML, path-style on the
 * gatehouse endpoint, SigV4 scope "s3". Buckets and objects with their
 * metadata in the store and object bytes as files under the data
 * directory; every request authorized by the policy engine with S3's
 * action names, condition keys and bucket policies.
 */
#ifndef GH_S3_H
#define GH_S3_H

#include "api/api.h"
#include "core/core.h"
#include "http/http.h"
#include "store/store.h"

/* AWS S3: a single PUT carries at most 5 GiB. */
#define GH_S3_PUT_MAX ((uint64_t)5 * 1024 * 1024 * 1024)
/* AWS S3: parts are 5 MiB..5 GiB (the last may be smaller), numbered 1..10000. */
#define GH_S3_PART_MIN ((uint64_t)5 * 1024 * 1024)
#define GH_S3_PARTS_MAX 10000
/* AWS S3: object keys are at most 1024 bytes of UTF-8. */
#define GH_S3_KEY_MAX 1024
/* AWS S3: user-defined metadata is at most 2 KB (names and values). */
#define GH_S3_META_MAX 2048
/* AWS S3: bucket policies are at most 20 KB. */
#define GH_S3_POLICY_MAX (20 * 1024)
/* AWS S3: 50 tags on a bucket, 10 on an object. */
#define GH_S3_BUCKET_TAGS_MAX 50
#define GH_S3_OBJECT_TAGS_MAX 10
/* AWS S3: DeleteObjects takes at most 1000 keys; lists return at most 1000. */
#define GH_S3_LIST_MAX 1000
/* Request bodies that are parsed (XML documents) are buffered up to this. */
#define GH_S3_XML_BODY_MAX ((size_t)1024 * 1024)

struct gh_s3;

struct gh_s3_config {
    struct gh_api *api;     /* authentication and authorization (borrowed) */
    struct gh_store *store; /* borrowed */
    const char *data_dir;   /* object files go under DIR/s3 (copied) */
    const char *region;     /* "us-east-1" */
};

/*
 * Creates the service: makes DIR/s3/data and DIR/s3/tmp, removes
 * temporary files a crash left behind and data files that no object or
 * part references (call it before serving). *out is freed with gh_s3_free.
 */
GH_MUST_CHECK enum gh_err gh_s3_new(const struct gh_s3_config *cfg, struct gh_s3 **out);
void gh_s3_free(struct gh_s3 *s3);

/* The buffered handler, for gh_api_set_rest (unsigned and small requests). */
void gh_s3_handle(void *s3, struct gh_http_req *req, struct gh_http_resp *resp);

/*
 * The streaming handler for gh_http_server_start_stream: takes every
 * request signed for service "s3" (header or presigned), streaming
 * uploads to disk and downloads from it; passes everything else on.
 */
void gh_s3_stream(struct gh_s3 *s3, struct gh_http_stream *out);

/* CRC-32 (IEEE) and CRC-32C (Castagnoli), continued from `crc` (0 to start). */
uint32_t gh_s3_crc32(uint32_t crc, const void *p, size_t n);
uint32_t gh_s3_crc32c(uint32_t crc, const void *p, size_t n);

#endif
