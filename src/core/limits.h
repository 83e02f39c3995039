/*
 * limits.h: every hard bound on input, in one place, each citing the AWS
 * quota it copies or the reason it exists.
 */
#ifndef GH_LIMITS_H
#define GH_LIMITS_H

/* Largest per-request arena: a bad request cannot take more memory. */
#define GH_ARENA_MAX ((size_t)64 * 1024 * 1024)
/* Default cap of a gh_buf. */
#define GH_BUF_MAX ((size_t)16 * 1024 * 1024)

/* IAM/STS Query bodies: AWS documents no figure; 1 MiB is far above the
 * largest legal request (a 131072-character policy, URL-encoded). */
#define GH_FORM_BODY_MAX ((size_t)1024 * 1024)
/* Parameters in one Query request. */
#define GH_FORM_PARAMS_MAX 1024
/* Request headers, all together (AWS front ends refuse much beyond 8 KiB per
 * header; libmicrohttpd's memory limit bounds the whole header block). */
#define GH_HEADERS_BYTES_MAX ((size_t)64 * 1024)
#define GH_HEADERS_COUNT_MAX 128

/*
 * Connections (defaults of `gatehouse serve`). AWS documents none; these
 * keep one client from holding every connection: per address far below the
 * total, and a request's headers must arrive within a few seconds.
 */
#define GH_HTTP_CONN_MAX_DEFAULT 4096u
#define GH_HTTP_CONN_PER_IP_DEFAULT 256u
/* Inactivity allowed until a request's headers are in (and between keep-alive requests). */
#define GH_HTTP_HEADER_TIMEOUT_S_DEFAULT 5u
/* Inactivity allowed once they are: the body, the handler, the answer (uploads keep sending). */
#define GH_HTTP_BODY_TIMEOUT_S_DEFAULT 60u

/* AWS SigV4: presigned URLs may live at most 7 days. */
#define GH_SIGV4_EXPIRES_MAX 604800
/* AWS SigV4: requests are accepted within 15 minutes of server time. */
#define GH_SIGV4_SKEW_S (15 * 60)
#define GH_SIGV4_SIGNED_HEADERS_MAX 64

/* AWS IAM quotas (IAM and AWS STS quotas, "IAM object quotas"). */
#define GH_IAM_ACCESS_KEYS_PER_USER 2
#define GH_IAM_MANAGED_POLICIES_PER_ENTITY 10
#define GH_IAM_POLICY_VERSIONS_MAX 5
#define GH_IAM_TAGS_MAX 50
#define GH_IAM_USER_INLINE_BYTES 2048
#define GH_IAM_ROLE_INLINE_BYTES 10240
#define GH_IAM_GROUP_INLINE_BYTES 5120
#define GH_IAM_MANAGED_POLICY_BYTES 6144
#define GH_IAM_TRUST_POLICY_BYTES 2048
/* AWS IAM: the policyDocument shape allows 131072 characters. */
#define GH_IAM_POLICY_DOC_CHARS_MAX 131072
#define GH_IAM_MAX_ITEMS_MAX 1000
#define GH_IAM_MAX_ITEMS_DEFAULT 100

/* JSON nesting accepted in a policy document. */
#define GH_JSON_DEPTH_MAX 32

#endif
