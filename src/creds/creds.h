/*
 * creds.h: the workload credential endpoints: the role credentials a host
 * holds and refreshes (gh_creds_cache), the IMDSv2 instance metadata
 * service (imds.c) and the container credentials endpoint (container.c)
 * that SDKs read on their own, and the reading of STS responses that
 * carry the credentials (sts_xml.c).
 */
#ifndef GH_CREDS_H
#define GH_CREDS_H

#include "core/core.h"
#include "crypto/crypto.h"
#include "http/http.h"

/* AWS EC2 IMDSv2: X-aws-ec2-metadata-token-ttl-seconds is 1..21600. */
#define GH_CREDS_IMDS_TTL_MAX_S 21600
/* Live IMDSv2 tokens kept at once; the oldest is dropped beyond it. */
#define GH_CREDS_IMDS_TOKENS_MAX 4096
/* Characters of an IMDSv2 token (base64 of 42 random bytes). */
#define GH_CREDS_IMDS_TOKEN_LEN 56
/*
 * AWS EC2: "we make new credentials available at least five minutes
 * before the expiration of the old credentials". SDKs refresh 15 minutes
 * before expiry (botocore's advisory window), so a new set is fetched 20
 * minutes (or a quarter of the lifetime, if longer) before expiry.
 */
#define GH_CREDS_REFRESH_MARGIN_S (20 * 60)
/* Wait between failed refresh attempts. */
#define GH_CREDS_RETRY_S 30

/* One set of role credentials and what it belongs to. */
struct gh_creds_set {
    char access_key_id[21];
    struct gh_secret secret; /* the 40-character secret access key */
    char *token;             /* heap, NUL-terminated; the session token */
    int64_t expires;         /* Expiration */
    int64_t updated;         /* LastUpdated: when this set was obtained */
    char role_arn[1024];
    char role_name[65];
    char account[13];
    char assumed_arn[1200]; /* arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION */
    char profile_arn[1024]; /* EC2 only; empty otherwise */
    char profile_id[32];    /* AIPA...; EC2 only */
};

/* Wipes the secret and frees the token; the set can be filled again. */
void gh_creds_set_clear(struct gh_creds_set *s);
/* A deep copy of `src` into `dst` (cleared first). */
GH_MUST_CHECK enum gh_err gh_creds_set_copy(struct gh_creds_set *dst,
                                            const struct gh_creds_set *src);
/* When a set should be replaced: `margin` before expiry (see GH_CREDS_REFRESH_MARGIN_S). */
int64_t gh_creds_set_refresh_at(const struct gh_creds_set *s);

/*
 * ---- reading STS responses (sts_xml.c) ----
 * The text of the first <tag>...</tag> in `xml`, entity-decoded into the
 * arena; GH_ERR_NOT_FOUND when absent. Enough for the fixed shapes STS
 * answers with (no CDATA, no attributes on these elements).
 */
GH_MUST_CHECK enum gh_err gh_creds_xml_text(struct gh_arena *a, struct gh_slice xml,
                                            const char *tag, struct gh_slice *out);
/*
 * Fills `out` from an AssumeRole / AssumeRoleForService response
 * (Credentials, AssumedRoleUser, and RoleArn / InstanceProfileArn /
 * InstanceProfileId when present). GH_ERR_INVALID_INPUT when a required
 * element is missing or malformed. `now` becomes out->updated.
 */
GH_MUST_CHECK enum gh_err gh_creds_sts_parse(struct gh_slice xml, int64_t now,
                                             struct gh_creds_set *out);

/*
 * ---- the credentials a host holds (cache.c) ----
 * A fetcher obtains a new set (from the gatehouse server); on failure it
 * writes a one-line reason (never a secret) into `why`.
 */
struct gh_creds_fetcher {
    GH_MUST_CHECK enum gh_err (*fetch)(void *ctx, struct gh_creds_set *out, char *why,
                                       size_t why_len);
    void *ctx;
};

struct gh_creds_cache;

GH_MUST_CHECK enum gh_err gh_creds_cache_new(struct gh_creds_fetcher f,
                                             struct gh_creds_cache **out);
/* Stops the refresher (if started), wipes and frees. NULL does nothing. */
void gh_creds_cache_free(struct gh_creds_cache *c);
/* Fetches a set now and makes it current; on failure the old set stays. */
GH_MUST_CHECK enum gh_err gh_creds_cache_refresh(struct gh_creds_cache *c, char *why,
                                                 size_t why_len);
/* Installs `s` (copied) as the current set. */
GH_MUST_CHECK enum gh_err gh_creds_cache_put(struct gh_creds_cache *c,
                                             const struct gh_creds_set *s);
/*
 * A copy of the current set into `out` (caller clears it), or
 * GH_ERR_NOT_FOUND when there is none or it has expired at `now`.
 */
GH_MUST_CHECK enum gh_err gh_creds_cache_get(struct gh_creds_cache *c, int64_t now,
                                             struct gh_creds_set *out);
/*
 * Starts a thread that replaces the set at gh_creds_set_refresh_at, and
 * retries every GH_CREDS_RETRY_S seconds after a failure (each failure is
 * reported on stderr, prefixed with `who`).
 */
GH_MUST_CHECK enum gh_err gh_creds_cache_start(struct gh_creds_cache *c, const char *who);

/* Writes `s` as a JSON string (quotes and escapes) into `b`. */
void gh_creds_json_str(struct gh_buf *b, struct gh_slice s);

/* ---- IMDSv2 (imds.c) ---- */

struct gh_creds_imds_config {
    struct gh_creds_cache *cache; /* borrowed */
    bool allow_v1;                /* answer GETs without a token (IMDSv1) */
    bool loopback_only;           /* refuse callers that are not 127.0.0.0/8 or ::1 */
    char instance_id[20];         /* i- and 17 hex digits */
    char account[13];
    char region[64];
    char availability_zone[72];
    char local_ipv4[16];
    int64_t launched; /* pendingTime of the identity document */
};

struct gh_creds_imds;

/* Fills instance_id with a random "i-" + 17 hex digits. */
GH_MUST_CHECK enum gh_err gh_creds_instance_id(char out[20]);
/* A handler over `cfg` (copied); for gh_http_server_start or called directly. */
GH_MUST_CHECK enum gh_err gh_creds_imds_new(const struct gh_creds_imds_config *cfg,
                                            struct gh_creds_imds **out);
void gh_creds_imds_free(struct gh_creds_imds *m);
/* The HTTP handler (ctx is a struct gh_creds_imds). */
void gh_creds_imds_handle(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp);

/* ---- container credentials endpoint (container.c) ---- */

/* The path the endpoint answers on. */
#define GH_CREDS_CONTAINER_PATH "/v1/credentials"

struct gh_creds_container;

/*
 * A handler that answers GET GH_CREDS_CONTAINER_PATH with the cache's
 * credentials when the Authorization header equals `auth_token` (copied;
 * compared in constant time). Loopback callers only.
 */
GH_MUST_CHECK enum gh_err gh_creds_container_new(struct gh_creds_cache *cache,
                                                 struct gh_slice auth_token,
                                                 struct gh_creds_container **out);
void gh_creds_container_free(struct gh_creds_container *c);
void gh_creds_container_handle(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp);

#endif
