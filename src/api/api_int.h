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
GH_MUST_CHECK enum gh_err gh_api_session_entity_check(struct gh_store *store, struct gh_arena *a,
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
