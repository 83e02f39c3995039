/*
 * api_int.h: internals shared by the api module's files.
 */
#ifndef GH_API_INT_H
#define GH_API_INT_H

#include <stdatomic.h>

#include "api/api.h"

/* "MaxItems" -> "maxItems": the member name AWS shows in messages. */
void gh_api_member_name(const char *param, char *out, size_t n);

/* ---- principal resolution (principal.c) ---- */

struct gh_api_principals;

GH_MUST_CHECK enum gh_err gh_api_principals_new(struct gh_api_principals **out);
void gh_api_principals_free(struct gh_api_principals *p);
/*
 * The secret and principal of long-term key `akid`: GH_ERR_INVALID_TOKEN_ID
 * when unknown or inactive. Strings in `out` are arena-owned; the caller
 * wipes `secret`.
 */
GH_MUST_CHECK enum gh_err gh_api_principal_resolve(struct gh_api_principals *pc,
                                                   struct gh_store *store, struct gh_arena *a,
                                                   struct gh_slice akid, struct gh_secret *secret,
                                                   struct gh_principal *out);
/* ---- compiled-policy cache (cache.c) ---- */

GH_MUST_CHECK enum gh_err gh_api_cache_new(struct gh_api_cache **out);
void gh_api_cache_free(struct gh_api_cache *c);

/* The principal snapshots (psnap.c) the cache holds; NULL when it has none. */
struct gh_api_psnaps *gh_api_cache_psnaps(struct gh_api_cache *c);

/* ---- policy loading and principal snapshots (psnap.c) ---- */

/* How many identity policies one principal can carry: AWS quotas of 10 managed
 * + inline ones (bounded by size) + groups; far above any legal set. */
#define GH_API_SRC_MAX 256

struct policy_list {
    struct gh_policy_src items[GH_API_SRC_MAX];
    struct gh_policy *owned[GH_API_SRC_MAX];
    size_t count;
};

/* Where policies are loaded from: a read transaction, the arena that owns
 * the strings, the compiled-policy cache (NULL: compile each time). */
struct gh_api_loader {
    struct gh_store_tx *tx;
    struct gh_arena *arena;
    struct gh_api_cache *cache;
};

void gh_api_list_release(struct policy_list *l);
GH_MUST_CHECK enum gh_err gh_api_list_add(const struct gh_api_loader *ld, struct policy_list *l,
                                          struct gh_slice doc, enum gh_policy_kind kind,
                                          struct gh_slice id, enum gh_policy_origin origin);
/* The default version's document of managed policy `arn`. */
GH_MUST_CHECK enum gh_err gh_api_managed_doc(const struct gh_api_loader *ld, struct gh_slice arn,
                                             struct gh_slice *doc);
/* Managed and inline policies attached to entity `id` ("user/NAME" names inline ones). */
GH_MUST_CHECK enum gh_err gh_api_entity_policies(const struct gh_api_loader *ld,
                                                 struct policy_list *l, struct gh_slice id,
                                                 const char *inline_prefix, struct gh_slice name);
/* The policies of user `user_id`'s groups (origins GROUP_MANAGED / GROUP_INLINE). */
GH_MUST_CHECK enum gh_err gh_api_user_group_policies(const struct gh_api_loader *ld,
                                                     struct policy_list *l,
                                                     struct gh_slice user_id);

/* POLICY: a managed policy by ARN, compiled as a session policy (account:
 * the ARN's, "aws" for AWS managed ones; gh_api_policy_account). */
enum gh_api_psnap_kind {
    GH_API_PSNAP_ACCOUNT,
    GH_API_PSNAP_USER,
    GH_API_PSNAP_ROLE,
    GH_API_PSNAP_POLICY
};

/* The account field of policy ARN `arn` (empty when it has none). */
struct gh_slice gh_api_policy_account(struct gh_slice arn);

/*
 * One principal as authorization sees it, loaded at its account's policy
 * generation `generation`. Immutable; whoever holds a reference may read
 * it (gh_api_psnap_unref).
 */
struct gh_api_psnap {
    atomic_uint refs;
    uint64_t generation;
    enum gh_api_psnap_kind kind;
    char account[13];
    struct gh_slice id;         /* AIDA/AROA, or the account id */
    struct gh_slice name, path; /* users and roles */
    struct gh_policy_src *identity; /* its own policies (the first nown), then its groups' */
    size_t nidentity, nown;
    const struct gh_policy_src *boundary; /* NULL: none; else &boundary_src */
    struct gh_policy_src boundary_src;
    struct gh_policy **owned; /* the references behind identity and boundary */
    size_t nowned;
    struct gh_store_tag *tags;
    size_t ntags;
    /* One allocation with the struct: the arrays and strings above. */
};

struct gh_api_psnaps;

GH_MUST_CHECK enum gh_err gh_api_psnaps_new(struct gh_api_psnaps **out);
void gh_api_psnaps_free(struct gh_api_psnaps *p);
/*
 * The snapshot of principal `id` of `account`, current at its account's
 * policy generation, loaded (in its own read transaction) when the cached
 * one is stale or missing. GH_ERR_NOT_FOUND when the entity does not
 * exist. Release with gh_api_psnap_unref.
 */
GH_MUST_CHECK enum gh_err gh_api_psnap_get(struct gh_api_cache *cache, struct gh_store *store,
                                           struct gh_slice account, enum gh_api_psnap_kind kind,
                                           struct gh_slice id, struct gh_api_psnap **out);
/* The cached current snapshot of user or role `id`, or NULL; never loads. */
struct gh_api_psnap *gh_api_psnap_peek(struct gh_api_cache *cache, struct gh_store *store,
                                       struct gh_slice account, struct gh_slice id);
void gh_api_psnap_unref(struct gh_api_psnap *s);

/* ---- authorization helpers (authorize.c) ---- */

/* ---- revoked sessions (revoke.c) ---- */

struct gh_api_revocations;

/*
 * A snapshot of every role-session revocation and of the console
 * sign-outs still live at `now`; free with gh_api_revocations_free.
 */
GH_MUST_CHECK enum gh_err gh_api_revocations_load(struct gh_store *store, int64_t now,
                                                  struct gh_api_revocations **out);
void gh_api_revocations_free(struct gh_api_revocations *r);
/* Was session `s` revoked (its role's sessions by name or id, or signed out)? */
bool gh_api_session_revoked(const struct gh_api_revocations *r, const struct gh_session *s);

/* ---- sessions against the store (session.c) ---- */

/*
 * Does the entity a session was issued to still exist, with the unique id
 * sealed in the token? GH_ERR_INVALID_TOKEN_ID when not; other errors
 * when the store could not tell. A user session's name and path become
 * the user's current ones (a renamed user keeps its sessions; `a` owns
 * the copies), so nothing later finds a namesake by the old name.
 */
GH_MUST_CHECK enum gh_err gh_api_session_entity_check(struct gh_api_cache *cache,
                                                      struct gh_store *store, struct gh_arena *a,
                                                      struct gh_session *s);

/* ---- the auth snapshot (snapshot.c) ---- */

/*
 * What authentication reads that other processes may change: the token
 * key ring and the revocations. Immutable once published; each request
 * holds a reference while it runs.
 */
struct gh_api_snap {
    atomic_uint refs;
    uint64_t generation;                    /* the store's, before it was loaded */
    struct gh_keyring *keyring;             /* a reference */
    struct gh_api_revocations *revocations; /* owned */
};

/* A snapshot of the store at `generation` with `kr` (referenced); refs 1. */
GH_MUST_CHECK enum gh_err gh_api_snap_new(struct gh_store *store, uint64_t generation,
                                          struct gh_keyring *kr, struct gh_api_snap **out);

/* ---- encoded authorization failure messages (explain.c) ---- */

/* Seals the explanation of a denial; the base64 text is appended to `out`. */
GH_MUST_CHECK enum gh_err gh_api_explain_seal(struct gh_call *c, const struct gh_principal *p,
                                              const char *action, struct gh_slice resource,
                                              const struct gh_policy_result *r,
                                              struct gh_buf *out);

#endif
