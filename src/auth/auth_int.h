/*
 * auth_int.h: what the auth module's own files (and its unit tests) share:
 * SigV4 constants, signing-key derivation through the key cache, and the
 * canonical-URI step exposed for table tests.
 */
#ifndef GH_AUTH_INT_H
#define GH_AUTH_INT_H

#include "auth/auth.h"
#include "core/core.h"
#include "crypto/crypto.h"

#define GH_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define GH_SIGV4_TERMINATOR "aws4_request"

/*
 * The SigV4 signing key HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region),
 * service), "aws4_request"), taken from `cache` when it holds one for the
 * same access key id, scope and secret (cache may be NULL). The caller
 * wipes `out`.
 */
GH_MUST_CHECK enum gh_err gh_sigv4_key_get(struct gh_sigv4_key_cache *cache,
                                           const struct gh_secret *secret,
                                           struct gh_slice access_key_id, struct gh_slice date,
                                           struct gh_slice region, struct gh_slice service,
                                           uint8_t out[GH_SHA256_LEN]);

/* HMAC-SHA256 of the string to sign under the signing key. */
void gh_sigv4_signature(const uint8_t key[GH_SHA256_LEN], struct gh_slice string_to_sign,
                        uint8_t out[GH_SHA256_LEN]);

/*
 * Appends the canonical URI of a raw request path: dot segments removed and
 * '//' collapsed when `normalize`; each byte encoded once more (AWS SigV4:
 * every service but S3 double-encodes) when `double_encode`, else decoded
 * and re-encoded once (S3).
 */
GH_MUST_CHECK enum gh_err gh_sigv4_canon_uri(struct gh_buf *b, struct gh_slice path, bool normalize,
                                             bool double_encode, struct gh_arena *a);

/* True when the credential scope names S3 (payload and path rules differ). */
bool gh_sigv4_is_s3(struct gh_slice service);

#endif
