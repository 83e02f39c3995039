/*
 * api_int.h: internals shared by the api module's files.
 */
#ifndef GH_API_INT_H
#define GH_API_INT_H

#include "api/api.h"

/* Appends one "Value ... at 'member' failed to satisfy constraint: ..." entry. */
void gh_api_validation_add(struct gh_call *c, struct gh_slice value, bool is_null,
                           const char *member, const char *constraint);
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

struct policy_list;

/* The policies that apply to a principal's requests. */
struct gh_api_policies {
    struct policy_list *identity;      /* managed + inline of the user or role */
    struct policy_list *extra;         /* boundary and session policies */
    const struct gh_policy_src *boundary;
    const struct gh_policy_src *session;
    size_t session_count;
    bool has_session_policies;
    struct gh_slice entity_id;         /* AIDA/AROA of the user or role */
};

/* Loads (and compiles, through the cache) the policies of `p`. Release with
 * gh_api_policies_release whatever it returns. */
GH_MUST_CHECK enum gh_err gh_api_principal_policies(struct gh_call *c, const struct gh_principal *p,
                                                    struct gh_api_policies *out);
void gh_api_policies_release(struct gh_api_policies *p);

#endif
