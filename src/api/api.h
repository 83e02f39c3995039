/*
 * api.h: the AWS Query protocol framework shared by IAM and STS: a call's
 * context, parameter access with AWS's validation messages, the
 * transaction around each action, and response/error rendering.
 */
#ifndef GH_API_H
#define GH_API_H

#include <jansson.h>

#include "auth/auth.h"
#include "core/core.h"
#include "http/http.h"
#include "policy/policy.h"
#include "store/store.h"

struct gh_call;
struct gh_api_cache;
struct gh_api_snap;
struct gh_policy;
struct gh_policy_ctx;
struct gh_policy_result;

/* Action flags. */
#define GH_ACTION_WRITE 0x1     /* runs inside a write transaction */
#define GH_ACTION_NO_RESULT 0x2 /* response has no <ActionResult> element (e.g. DeleteUser) */
#define GH_ACTION_UNSIGNED 0x4  /* may be called without a signature (AssumeRoleWithWebIdentity) */

struct gh_action {
    const char *name; /* "CreateUser" */
    GH_MUST_CHECK enum gh_err (*fn)(struct gh_call *c);
    unsigned flags;
};

/* How a service's requests and responses are encoded. */
enum gh_protocol {
    GH_PROTO_QUERY = 0, /* form parameters in, XML out (IAM, STS) */
    GH_PROTO_JSON,      /* AWS JSON 1.1: X-Amz-Target, JSON in and out (Organizations) */
};

struct gh_service {
    const char *name;    /* SigV4 scope service: "iam", "sts" */
    enum gh_protocol protocol;
    const char *target_prefix; /* JSON: "AWSOrganizationsV20161128" */
    const char *version; /* "2010-05-08" */
    const char *xmlns;   /* "https://iam.amazonaws.com/doc/2010-05-08/" */
    const struct gh_action *actions;
    size_t nactions;
};

/* What an authorization denial does (`gatehouse serve --enforce=on|log`). */
enum gh_api_enforce {
    GH_ENFORCE_ON = 0, /* deny with AccessDenied (the zero value: fail closed) */
    GH_ENFORCE_LOG,    /* allow, and log the would-be AccessDenied to stderr */
};

struct gh_fed; /* federation/federation.h: issuer-key cache (thread-safe) */

/* Server-wide settings a handler may read. Immutable while serving. */
struct gh_api_config {
    const char *region; /* "us-east-1" */
    unsigned managed_policies_per_role; /* AWS default quota 10 */
    struct gh_fed *federation; /* OIDC/SAML verification; NULL = federation off */
    enum gh_api_enforce enforce;
    bool encode_denials; /* AccessDenied carries an encoded explanation (DecodeAuthorizationMessage) */
};

/*
 * One Query API call. The handler reads parameters, uses `tx`, writes the
 * children of <ActionResult> into `result`, and returns GH_OK, or returns
 * gh_call_fail(...) with AWS's error and message.
 */
struct gh_call {
    struct gh_arena *arena;
    const struct gh_http_req *http;
    const struct gh_params *params; /* Query services */
    json_t *in;                     /* JSON services: the request object (borrowed) */
    json_t *out;                    /* JSON services: the handler's result object (owned by the call) */
    const char *code;               /* JSON services: error __type; NULL = derived from err */
    const struct gh_service *service;
    const struct gh_action *action;
    const struct gh_principal *caller; /* never NULL; ANONYMOUS when unsigned */
    struct gh_store *store;
    struct gh_store_tx *tx; /* write tx for GH_ACTION_WRITE, else a read tx */
    const struct gh_api_config *config;
    const struct gh_keyring *keyring; /* seals session tokens (STS); from `snap` */
    struct gh_api_snap *snap;         /* the auth snapshot the call holds (gh_api_call_cleanup) */
    struct gh_api_cache *api_cache;   /* compiled policies */
    int64_t now;
    const char *request_id;
    struct gh_buf *result;
    /* Set by gh_call_fail and the parameter checks: */
    enum gh_err err;
    char message[2048];
    unsigned nvalidation; /* validation errors gathered so far */
    char validation[2048];
};

/*
 * Records the error `err` with a message (printf-style; never put secrets
 * in it) and returns `err`, so handlers write `return gh_call_fail(...)`.
 */
GH_MUST_CHECK enum gh_err gh_call_fail(struct gh_call *c, enum gh_err err, const char *fmt, ...)
    GH_PRINTF(3, 4);

/*
 * What a string parameter must satisfy, as in the botocore model's shapes:
 * `member` is the camelCase name AWS puts in messages ("userName"),
 * min_len/max_len in characters (0 max = no limit), and `pattern` the
 * regular expression shown in the message, checked by `ok` (NULL = any).
 */
struct gh_param_rule {
    const char *member;
    size_t min_len;
    size_t max_len;
    const char *pattern;
    bool (*ok)(struct gh_slice v);
};

/*
 * Reads a string parameter. Absent and required: records AWS's
 * "Value null at 'member' failed to satisfy constraint: Member must not be
 * null" validation error. Present: checks UTF-8, length and pattern,
 * recording each failure as AWS words it. Absent and optional: *out gets
 * {NULL, 0}. Always returns; check gh_call_validated afterwards.
 */
void gh_call_str(struct gh_call *c, const char *name, const struct gh_param_rule *rule,
                 bool required, struct gh_slice *out);
/*
 * The checks of gh_call_str on a value already read (a member of a list or
 * tag parameter): UTF-8, then length, then pattern (an empty value fails only
 * its length), each failure recorded with AWS's message.
 */
void gh_call_check_str(struct gh_call *c, struct gh_slice v, const struct gh_param_rule *rule);
/* An integer parameter in [min, max]; `*present` false when absent. */
void gh_call_int(struct gh_call *c, const char *name, const char *member, int64_t min, int64_t max,
                 bool required, int64_t *out, bool *present);
/* A boolean parameter ("true"/"false"). */
void gh_call_bool(struct gh_call *c, const char *name, bool *out, bool *present);
/*
 * Records one validation error: "Value 'v' at 'member' failed to satisfy
 * constraint: CONSTRAINT" ("Value null at ..." when is_null), for checks
 * the helpers above do not cover.
 */
void gh_api_validation_add(struct gh_call *c, struct gh_slice value, bool is_null,
                           const char *member, const char *constraint);
/*
 * GH_OK when no validation error was recorded; otherwise fails the call
 * with ValidationError and AWS's "N validation error(s) detected: ..." text.
 */
GH_MUST_CHECK enum gh_err gh_call_validated(struct gh_call *c);

/*
 * A list parameter in the Query form "Name.member.N" (N from 1). Returns
 * the values in order; stops at the first gap. At most `max` items, else a
 * validation error "Member must have length less than or equal to MAX".
 */
GH_MUST_CHECK enum gh_err gh_call_list(struct gh_call *c, const char *name, const char *member,
                                       size_t max, struct gh_slice **out, size_t *count);

/* A Tags.member.N.Key / .Value list. */
struct gh_tag {
    struct gh_slice key;
    struct gh_slice value;
};
GH_MUST_CHECK enum gh_err gh_call_tags(struct gh_call *c, const char *name, struct gh_tag **out,
                                       size_t *count);

/* Marker/MaxItems pagination parameters (MaxItems 1..1000, default 100). */
void gh_call_page(struct gh_call *c, struct gh_store_page *out);
/* Writes <IsTruncated> and, when truncated, <Marker>. */
void gh_call_page_end(struct gh_call *c, bool truncated, struct gh_slice next_marker);

/*
 * Authorizes the caller for `action` ("iam:CreateUser") on `resource`
 * (an ARN) with the policy engine; GH_OK when allowed, otherwise fails
 * the call with AccessDenied in AWS's wording. Root is always allowed.
 */
GH_MUST_CHECK enum gh_err gh_call_authorize(struct gh_call *c, const char *action,
                                            struct gh_slice resource);

/* An extra condition key for one authorization (iam:PolicyARN, aws:TagKeys ...). */
struct gh_api_key {
    struct gh_slice key;
    enum gh_policy_type type;
    struct gh_slice value;
    bool empty; /* present with no values (a multi-valued key's empty set) */
};

struct gh_api_keys {
    const struct gh_api_key *items;
    size_t count;
};

/* Options of one authorization. */
struct gh_authz_opts {
    const struct gh_api_keys *keys;             /* extra condition keys; NULL = none */
    const struct gh_policy_src *resource_policy; /* e.g. a bucket policy; NULL = none */
    struct gh_slice resource_account;           /* the resource's owner; empty = the caller's */
};

/*
 * The full form: the caller's identity-based side, the resource-based
 * policy, same-account union and cross-account intersection, as AWS
 * decides. Root of the resource's account is allowed unless the resource
 * policy explicitly denies.
 */
GH_MUST_CHECK enum gh_err gh_call_authorize_opts(struct gh_call *c, const char *action,
                                                 struct gh_slice resource,
                                                 const struct gh_authz_opts *o);

/* gh_call_authorize with request-specific condition keys (may be NULL). */
GH_MUST_CHECK enum gh_err gh_call_authorize_ctx(struct gh_call *c, const char *action,
                                                struct gh_slice resource,
                                                const struct gh_api_keys *extra);

/*
 * The compiled form of `doc` as a policy of `kind`, shared through the
 * server's cache (content-addressed, so never stale). *out holds a
 * reference. GH_ERR_MALFORMED_POLICY with AWS's message in diag.
 */
GH_MUST_CHECK enum gh_err gh_api_policy_compiled(struct gh_api_cache *c, struct gh_slice doc,
                                                 enum gh_policy_kind kind, struct gh_diag *diag,
                                                 struct gh_policy **out);

/*
 * ---- principal bindings of stored resource-based policies (bind.c) ----
 * AWS IAM "Principal": "When you save the policy, AWS transforms the ARN
 * to a unique principal ID ... if you delete the role or user, then the
 * relationship is broken ... even if you recreate the user or role".
 */

/*
 * Binds the IAM user and role ARNs that `p` (a document about to be
 * stored) names in Principal/NotPrincipal to those entities' unique ids;
 * *bind gets the stored form (gh_policy_bind_encode; "{}" when none), in
 * arena `a`. An ARN in an account this store hosts must name an existing
 * user or role, path and name exactly as written: otherwise
 * GH_ERR_MALFORMED_POLICY with *bad set to an arena copy of that ARN (the
 * caller words the error as its service does). ARNs of accounts it does not host are left
 * unbound (they match by name).
 */
GH_MUST_CHECK enum gh_err gh_api_principals_bind(struct gh_store_tx *tx, struct gh_arena *a,
                                                 const struct gh_policy *p, struct gh_slice *bind,
                                                 struct gh_slice *bad);
/*
 * The one-time pass for documents saved before bindings existed (stored
 * bindings ""): binds every such role trust policy and bucket policy as
 * gh_api_principals_bind would, except that a hosted ARN naming no user or
 * role (deleted before the upgrade) is bound to an id no caller has, so it
 * trusts nobody (fail closed; shown as that id, like a deleted principal).
 * One write transaction; idempotent (bound rows read "{...}" or "{}"); a
 * document that no longer compiles is left as it is. *count: rows bound.
 */
GH_MUST_CHECK enum gh_err gh_api_principals_bind_legacy(struct gh_store *store, size_t *count);
/*
 * Puts the stored bindings `bind` into src->bind/bind_count (arena `a`).
 * GH_ERR_INTERNAL when they do not parse: the caller must then deny.
 */
GH_MUST_CHECK enum gh_err gh_api_principals_src(struct gh_arena *a, struct gh_slice bind,
                                                struct gh_policy_src *src);
/*
 * The stored document `doc` as AWS shows it now: unchanged while every
 * bound principal still exists under the ARN written; otherwise each
 * bound ARN replaced by the entity's current ARN (a renamed or moved
 * user), or by its unique id once it is deleted. *out is `doc` or
 * arena-owned.
 */
GH_MUST_CHECK enum gh_err gh_api_principals_render(struct gh_store_tx *tx, struct gh_arena *a,
                                                   struct gh_slice doc, struct gh_slice bind,
                                                   struct gh_slice *out);

/*
 * Fills the global condition keys of a request by `p` (aws:PrincipalArn,
 * aws:CurrentTime, aws:SourceIp, aws:PrincipalTag/... from `entity_id`'s
 * tags and the session's ...) and sets the context's principal.
 */
GH_MUST_CHECK enum gh_err gh_api_context_fill(struct gh_call *c, const struct gh_principal *p,
                                              struct gh_slice entity_id,
                                              struct gh_policy_ctx *ctx);

/*
 * Opens an encoded authorization failure message (base64) sealed by this
 * installation; the JSON explanation is appended to `out`.
 * GH_ERR_VALIDATION when it is not one of ours or was altered.
 */
GH_MUST_CHECK enum gh_err gh_api_explain_open(const struct gh_keyring *kr, struct gh_slice encoded,
                                              struct gh_buf *out);

/* Fails the call with AccessDenied worded as AWS does for result `r`. */
GH_MUST_CHECK enum gh_err gh_api_deny_message(struct gh_call *c, const struct gh_principal *p,
                                              const char *action, struct gh_slice resource,
                                              const struct gh_policy_result *r);

struct policy_list;
struct gh_api_psnap;

/* The policies that apply to a principal's requests. */
struct gh_api_policies {
    struct policy_list *identity;      /* managed + inline of the user or role */
    struct policy_list *extra;         /* boundary and session policies */
    const struct gh_policy_src *boundary;
    const struct gh_policy_src *session;
    size_t session_count;
    bool has_session_policies;
    struct gh_slice entity_id;         /* AIDA/AROA of the user or role */
    /* When set, the identity policies are the snapshot's first snap_identity
     * (a reference: gh_api_policies_release drops it). */
    struct gh_api_psnap *snap;
    size_t snap_identity;
};

/* Loads (and compiles, through the cache) the policies of `p`. Release with
 * gh_api_policies_release whatever it returns. */
GH_MUST_CHECK enum gh_err gh_api_principal_policies(struct gh_call *c, const struct gh_principal *p,
                                                    struct gh_api_policies *out);
void gh_api_policies_release(struct gh_api_policies *p);
/*
 * Loads the managed and inline policies of group `g` into out->identity
 * (origins GROUP_MANAGED / GROUP_INLINE), for SimulatePrincipalPolicy on
 * a group. Release with gh_api_policies_release.
 */
GH_MUST_CHECK enum gh_err gh_api_group_policies(struct gh_call *c, const struct gh_group *g,
                                                struct gh_api_policies *out);
/*
 * The tags of user or role `entity_id` of `account`, in insertion order
 * (arena-owned): from its principal snapshot when a current one is cached
 * and the call's transaction is a read, else from the store.
 */
GH_MUST_CHECK enum gh_err gh_api_entity_tags(struct gh_call *c, struct gh_slice account,
                                             struct gh_slice entity_id, struct gh_store_tag **out,
                                             size_t *count);
/* Puts the identity, boundary and session policies of `p` into `set`. */
void gh_api_policies_set(const struct gh_api_policies *p, struct gh_policy_set *set);

/*
 * Revokes the sessions of role `role_name` in `account` issued before
 * `before` (epoch seconds): requests with them fail as invalid tokens.
 * Runs its own write transaction (used by `gatehouse sessions revoke`).
 */
GH_MUST_CHECK enum gh_err gh_api_revoke_sessions(struct gh_store *store, struct gh_slice account,
                                                 struct gh_slice role_name, int64_t before,
                                                 struct gh_diag *diag);

/* ---- the front door ---- */

struct gh_api;

struct gh_api_deps {
    struct gh_store *store;
    struct gh_keyring *keyring; /* referenced by the api while it lives */
    const struct gh_api_config *config;
    const struct gh_service *const *services; /* NULL-terminated */
    /*
     * Called after a long-term access key authenticated a request (the
     * IAM module records last use for GetAccessKeyLastUsed); may be NULL.
     * Its errors do not fail the request.
     */
    enum gh_err (*key_used)(struct gh_store *s, struct gh_slice akid, struct gh_slice service,
                            struct gh_slice region, int64_t now);
};

GH_MUST_CHECK enum gh_err gh_api_new(const struct gh_api_deps *deps, struct gh_api **out);
void gh_api_free(struct gh_api *api);
/*
 * Picks up what other processes changed in the store (a rotated token key,
 * revoked sessions) into a new auth snapshot; called periodically by the
 * server, off the hot path. Replaced snapshots are freed when their last
 * request drops them, however many refreshes a server lives through.
 */
GH_MUST_CHECK enum gh_err gh_api_refresh(struct gh_api *api, const struct gh_secret *master);

#define GH_API_MOUNTS_MAX 8

struct gh_api_mount {
    const char *prefix; /* "/console": the path itself and everything under "/console/" */
    struct gh_http_handler handler;
};

/* Serves every request under `prefix` with `h` (before any API routing). */
GH_MUST_CHECK enum gh_err gh_api_mount(struct gh_api *api, const char *prefix,
                                       struct gh_http_handler h);
/*
 * The REST service (S3-compatible): requests to a path other than "/",
 * with a method other than GET/POST, or signed for service "s3".
 */
void gh_api_set_rest(struct gh_api *api, struct gh_http_handler h);
/*
 * The auth snapshot: the token key ring and the revoked sessions (role
 * revocations by `gatehouse sessions revoke`, console sign-outs), as the
 * last refresh found them in the store. Immutable; gh_api_snap_get returns
 * the current one with a reference the caller drops with gh_api_snap_unref
 * once its request is done. Never NULL after gh_api_new.
 */
struct gh_api_snap *gh_api_snap_get(struct gh_api *api);
void gh_api_snap_unref(struct gh_api_snap *s);
/* The key ring of `s` (borrowed: lives as long as the reference on `s`). */
const struct gh_keyring *gh_api_snap_keyring(const struct gh_api_snap *s);
/* Is session `session` revoked or signed out in `s`? */
bool gh_api_snap_revoked(const struct gh_api_snap *s, const struct gh_session *session);

/* Signed-out sessions remembered at once, each until its expiry. */
#define GH_API_SIGNOUTS_MAX 8192

/*
 * Signs session `s` out: stores its temporary key as refused until the
 * session expires (so a restart keeps refusing it) and publishes a new
 * snapshot, so the next request with it fails as an invalid token.
 * GH_ERR_LIMIT when too many signed-out sessions are live.
 */
GH_MUST_CHECK enum gh_err gh_api_sign_out(struct gh_api *api, const struct gh_session *s,
                                          int64_t now);

/*
 * Authenticates a SigV4 request for any service (`normalize_path` false
 * for s3): *service gets the credential scope's service, *caller the
 * principal (long-term key or session token). GH_ERR_MISSING_AUTH when
 * the request carries no authentication at all; other errors with AWS's
 * message in diag.
 */
GH_MUST_CHECK enum gh_err gh_api_authenticate(struct gh_api *api, struct gh_http_req *req,
                                              bool normalize_path, int64_t now,
                                              struct gh_slice *service,
                                              struct gh_principal *caller, struct gh_diag *diag);
/*
 * gh_api_authenticate for a body not read yet (S3 streaming uploads): the
 * signature is checked against `payload_hash_hex` (the 64-hex
 * x-amz-content-sha256 the client sent) instead of req->body's hash. The
 * caller must digest the body and refuse it when it differs.
 */
GH_MUST_CHECK enum gh_err gh_api_authenticate_hashed(struct gh_api *api, struct gh_http_req *req,
                                                     bool normalize_path,
                                                     struct gh_slice payload_hash_hex, int64_t now,
                                                     struct gh_slice *service,
                                                     struct gh_principal *caller,
                                                     struct gh_diag *diag);
/*
 * Fills the fields of a call that do not depend on the protocol (arena,
 * request, caller, store, config, auth snapshot and its key ring, policy
 * cache, clock, result buffer), so a REST handler can use
 * gh_call_authorize* and gh_call_fail. The caller opens c->tx itself, and
 * calls gh_api_call_cleanup when the request is done.
 */
void gh_api_call_init(struct gh_api *api, struct gh_http_req *req,
                      const struct gh_principal *caller, struct gh_buf *result,
                      struct gh_call *c);
/* Drops what gh_api_call_init took (the snapshot reference); safe twice. */
void gh_api_call_cleanup(struct gh_call *c);
/* The HTTP handler: routes, authenticates, runs the action, renders. */
void gh_api_handle(void *api, struct gh_http_req *req, struct gh_http_resp *resp);
/*
 * The Query and JSON APIs alone (IAM, STS, Organizations): no /healthz,
 * no mounts, never the REST handler, so nothing stored by users (S3
 * objects) is served; a request signed for S3 gets InvalidAction. For a
 * listener that must not serve user content (the console's own).
 */
void gh_api_handle_query(void *api, struct gh_http_req *req, struct gh_http_resp *resp);

#endif
