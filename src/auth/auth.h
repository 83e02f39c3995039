/*
 * auth.h: who is calling. SigV4 verification (Authorization header or
 * presigned query) and the principal it resolves to.
 */
#ifndef GH_AUTH_H
#define GH_AUTH_H

#include "core/core.h"
#include "crypto/crypto.h"
#include "http/http.h"
#include "policy/policy.h"

/* enum gh_principal_type comes from the policy engine (policy/policy.h). */

struct gh_session;

/* The authenticated caller of one request; arena-owned strings. */
struct gh_principal {
    enum gh_principal_type type;
    char account[13];          /* 12-digit account id */
    struct gh_slice arn;       /* arn:aws:iam::ACCOUNT:root | user/PATH/NAME | sts assumed-role ARN */
    struct gh_slice user_id;   /* account id for root, AIDA... for users, AROA...:session */
    struct gh_slice name;      /* user name, role name, federated name; empty for root */
    struct gh_slice path;      /* user or role path */
    struct gh_slice session;   /* role session name */
    struct gh_slice access_key_id;
    bool mfa;                  /* aws:MultiFactorAuthPresent */
    int64_t token_issued;      /* session credentials: issue time; 0 otherwise */
    int64_t mfa_time;          /* when MFA was proven (mfa true) */
    const struct gh_session *session_info; /* temporary credentials; NULL for long-term keys */
};

/* ==== SigV4 (owner: sigv4.c, sigv4_sign.c, sigv4_cache.c) ==== */

/* What the verifier needs of a request; everything borrowed. */
struct gh_sigv4_request {
    struct gh_slice method;
    struct gh_slice path;  /* raw as on the wire, percent-encoded, no query */
    struct gh_slice query; /* raw after '?', may be empty */
    const struct gh_http_header *headers; /* as received, repeats allowed */
    size_t nheaders;
    struct gh_slice body; /* whole body: the payload hash when x-amz-content-sha256 is absent */
    bool normalize_path;  /* true for iam/sts (dot segments, '//'), false for s3 */
    /*
     * AWS IoT style: X-Amz-Security-Token was added after signing, so it is
     * left out of the canonical query and may be an unsigned header. Always
     * false for iam/sts/s3 (there the token must be signed when present).
     */
    bool omit_session_token;
    /*
     * A body not read yet (S3 streaming uploads): the 64-hex SHA-256 the
     * client claims in x-amz-content-sha256. When set, the payload line is
     * checked against it instead of hashing `body`, so the signature can be
     * verified from the headers alone; the caller must then digest the body
     * and refuse it when it differs (S3 XAmzContentSHA256Mismatch). Not
     * 64 hex digits: GH_ERR_SIGNATURE. Empty (ptr NULL) = hash `body`.
     */
    struct gh_slice payload_hash_hex;
};

/* What the Authorization header or the presigned query says (slices borrow
 * from the request or the arena given to gh_sigv4_parse). */
struct gh_sigv4_auth {
    bool presigned;
    struct gh_slice access_key_id;
    struct gh_slice date;           /* YYYYMMDD of the credential scope */
    struct gh_slice region;
    struct gh_slice service;
    struct gh_slice signed_headers; /* "host;x-amz-date", as sent */
    struct gh_slice signature;      /* hex, as sent (not yet checked) */
    struct gh_slice security_token; /* X-Amz-Security-Token; empty when absent */
    struct gh_slice amz_date;       /* "YYYYMMDDTHHMMSSZ" that goes into the string to sign */
    int64_t request_time;           /* X-Amz-Date (or the Date header) */
    int64_t expires_s;              /* presigned X-Amz-Expires; 0 for header auth */
};

/* Derived signing keys shared by all threads; opaque, sharded locks. */
struct gh_sigv4_key_cache;

/*
 * Reads the SigV4 authentication of `req` (Authorization header, or the
 * X-Amz-* query parameters of a presigned URL) into `out` without any
 * secret. Errors carry AWS's message in diag->text:
 * GH_ERR_MISSING_AUTH (no authentication at all), GH_ERR_INCOMPLETE_SIG,
 * GH_ERR_QUERY_AUTH (X-Amz-Expires / X-Amz-Algorithm), GH_ERR_SIGNATURE
 * (credential scope: terminator, date != X-Amz-Date, empty region/service,
 * host not signed), GH_ERR_NOMEM. `out` is zeroed first.
 */
GH_MUST_CHECK enum gh_err gh_sigv4_parse(const struct gh_sigv4_request *req, struct gh_arena *a,
                                         struct gh_sigv4_auth *out, struct gh_diag *diag);

/*
 * Checks `auth` (from gh_sigv4_parse on the same `req`) against the secret
 * of auth->access_key_id at time `now`: every x-amz-* header signed
 * (gh_sigv4_unsigned_headers), clock skew (GH_SIGV4_SKEW_S) or presigned
 * expiry, payload hash, then the signature in constant time.
 * GH_OK, or GH_ERR_SIGNATURE_EXPIRED ("Signature expired: ..." / "Signature
 * not yet current: ..."), GH_ERR_REQUEST_EXPIRED (presigned URL past
 * X-Amz-Expires; GH_ERR_ACCESS_DENIED for s3), GH_ERR_ACCESS_DENIED for s3
 * with an unsigned x-amz-* header ("There were headers present in the
 * request which were not signed"; GH_ERR_SIGNATURE elsewhere),
 * GH_ERR_SIGNATURE, GH_ERR_NOMEM. `cache` may be NULL. Keys and computed
 * signatures are wiped.
 */
GH_MUST_CHECK enum gh_err gh_sigv4_verify(const struct gh_sigv4_request *req,
                                          const struct gh_sigv4_auth *auth,
                                          const struct gh_secret *secret, int64_t now,
                                          struct gh_sigv4_key_cache *cache, struct gh_arena *a,
                                          struct gh_diag *diag);

/*
 * The x-amz-* headers of `req` that auth->signed_headers does not name,
 * each once, lower case, in the order received, joined by ", " (the form
 * of AWS S3's HeadersNotSigned element) and appended to `out` (may be
 * NULL). x-amz-content-sha256 is exempt, as AWS S3 does not require it be
 * signed (its value is the canonical request's payload line, so a changed
 * value fails the signature anyway); so is x-amz-security-token when
 * req->omit_session_token. True when there is at least one.
 */
bool gh_sigv4_unsigned_headers(const struct gh_sigv4_request *req, const struct gh_sigv4_auth *auth,
                               struct gh_buf *out);

/*
 * The canonical request and string to sign SigV4 defines for `req` under
 * `auth` (tests, debugging, the signer). Appended to the two buffers;
 * either may be NULL. GH_ERR_SIGNATURE (with diag) when the payload hash
 * header is not acceptable, GH_ERR_TOO_LARGE / GH_ERR_NOMEM.
 */
GH_MUST_CHECK enum gh_err gh_sigv4_canonical(const struct gh_sigv4_request *req,
                                             const struct gh_sigv4_auth *auth, struct gh_arena *a,
                                             struct gh_buf *canonical_request,
                                             struct gh_buf *string_to_sign, struct gh_diag *diag);

/* A bounded cache of derived signing keys; NULL on NOMEM. */
struct gh_sigv4_key_cache *gh_sigv4_key_cache_new(void);
/* Wipes and frees; NULL does nothing. */
void gh_sigv4_key_cache_free(struct gh_sigv4_key_cache *c);

/* ---- client side (tests, benchmarks, `gatehouse` clients) ---- */

struct gh_sigv4_signing {
    struct gh_slice access_key_id;
    const struct gh_secret *secret;
    struct gh_slice session_token; /* presign: added as X-Amz-Security-Token; empty = none */
    struct gh_slice region;
    struct gh_slice service;
    int64_t time;                  /* request time (X-Amz-Date) */
    /* Lower-case, ';'-separated, sorted; empty = every header in `req`. */
    struct gh_slice signed_headers;
};

/*
 * The Authorization header value for `req`, which must already carry the
 * headers to sign (Host, X-Amz-Date with `s->time`, X-Amz-Security-Token,
 * x-amz-content-sha256 ...). Appended to `out`.
 */
GH_MUST_CHECK enum gh_err gh_sigv4_sign(const struct gh_sigv4_request *req,
                                        const struct gh_sigv4_signing *s, struct gh_arena *a,
                                        struct gh_buf *out);
/*
 * The query string of a presigned URL for `req`: req->query, then
 * X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
 * [-Security-Token], -Signature. Appended to `out`.
 */
GH_MUST_CHECK enum gh_err gh_sigv4_presign(const struct gh_sigv4_request *req,
                                           const struct gh_sigv4_signing *s, int64_t expires_s,
                                           struct gh_arena *a, struct gh_buf *out);

/* ==== end SigV4 ==== */

/* ==== session tokens (owner: token.c, keyring.c) ==== */

#include "store/store.h"

/* AWS STS: session tokens have no documented maximum; ours stay far below. */
#define GH_SESSION_TOKEN_MAX 8192
#define GH_KEYRING_MAX 16

/* The token keys (immutable, shared by reference). */
struct gh_keyring;

/*
 * Loads the token keys from the store (sealed there under `master`),
 * creating the first key on first use. *out holds one reference.
 */
GH_MUST_CHECK enum gh_err gh_keyring_load(struct gh_store *store, const struct gh_secret *master,
                                          struct gh_keyring **out);
/*
 * Adds a new key that seals from now on; older keys keep opening tokens
 * until they cannot hold a live one (36 h + 1 h after being superseded).
 */
GH_MUST_CHECK enum gh_err gh_keyring_rotate(struct gh_store *store, const struct gh_secret *master,
                                            struct gh_keyring **out);
struct gh_keyring *gh_keyring_ref(struct gh_keyring *kr);
void gh_keyring_unref(struct gh_keyring *kr);
size_t gh_keyring_count(const struct gh_keyring *kr);
/* The key that seals new tokens. */
GH_MUST_CHECK enum gh_err gh_keyring_current(const struct gh_keyring *kr, uint32_t *id,
                                             const struct gh_secret **key);
/* GH_ERR_NOT_FOUND when no key has that id. */
GH_MUST_CHECK enum gh_err gh_keyring_find(const struct gh_keyring *kr, uint32_t id,
                                          const struct gh_secret **key);

struct gh_session_tag {
    struct gh_slice key;
    struct gh_slice value;
};

/* What a session token carries. Slices are arena-owned after gh_session_open. */
struct gh_session {
    enum gh_principal_type type;   /* ASSUMED_ROLE, USER or ROOT (GetSessionToken), FEDERATED_USER */
    char access_key_id[21];        /* ASIA... */
    struct gh_secret secret;       /* the session's 40-character secret key */
    char account[13];
    struct gh_slice name;          /* role, user or federated user name */
    struct gh_slice path;          /* role or user path */
    struct gh_slice entity_id;     /* AROA... / AIDA... / account id for root */
    struct gh_slice session_name;  /* RoleSessionName */
    struct gh_slice source_identity;
    int64_t issued;
    int64_t expires;
    bool mfa;                      /* aws:MultiFactorAuthPresent */
    bool chained;                  /* made by AssumeRole from role credentials */
    bool console;                  /* a web console sign-in (not GetSessionToken's limits) */
    int64_t mfa_time;              /* when MFA was proven, for aws:MultiFactorAuthAge */
    struct gh_slice policy;        /* session policy JSON; empty = none */
    struct gh_slice *policy_arns;
    size_t npolicy_arns;           /* at most 10 (AWS) */
    struct gh_session_tag *tags;
    size_t ntags;                  /* at most 50 (AWS) */
    struct gh_slice *transitive;
    size_t ntransitive;
};

/* Seals `s` with the ring's current key; the base64 token is appended to `out`. */
GH_MUST_CHECK enum gh_err gh_session_seal(const struct gh_keyring *kr, const struct gh_session *s,
                                          struct gh_buf *out);
/*
 * Opens a token: GH_ERR_INVALID_TOKEN_ID when it is malformed, altered, or
 * sealed by a key this ring does not hold. Expiry is the caller's check.
 * The caller wipes out->secret.
 */
GH_MUST_CHECK enum gh_err gh_session_open(const struct gh_keyring *kr, struct gh_slice token,
                                          struct gh_arena *a, struct gh_session *out);

#endif
