/*
 * session.c: a session against the store: the role or user it was issued
 * to must still exist under the unique id sealed in its token. Answered
 * from the principal snapshot (psnap.c), so a warm session reads nothing.
 */
#include "api/api_int.h"

enum gh_err
gh_api_session_entity_check(struct gh_api_cache *cache, struct gh_store *store, struct gh_arena *a,
                            struct gh_session *s)
{
    struct gh_slice account = gh_slice_from_cstr(s->account);
    struct gh_api_psnap *snap = NULL;
    enum gh_api_psnap_kind kind;
    enum gh_err err;

    /*
     * A session belongs to the unique id sealed in its token, never to a
     * name: a deleted role or user is gone for its sessions even when a
     * namesake (names compare case-insensitively) is created later.
     */
    switch (s->type) {
    case GH_PRINCIPAL_ASSUMED_ROLE:
        kind = GH_API_PSNAP_ROLE;
        break;
    case GH_PRINCIPAL_USER:
        kind = GH_API_PSNAP_USER;
        break;
    case GH_PRINCIPAL_FEDERATED_USER:
        /* GetFederationToken: called by the root (entity = the account) or a user. */
        kind = gh_slice_eq(s->entity_id, account) ? GH_API_PSNAP_ACCOUNT : GH_API_PSNAP_USER;
        break;
    case GH_PRINCIPAL_ROOT:
        kind = GH_API_PSNAP_ACCOUNT;
        break;
    default:
        return GH_ERR_INVALID_TOKEN_ID;
    }
    err = gh_api_psnap_get(cache, store, account, kind,
                           kind == GH_API_PSNAP_ACCOUNT ? account : s->entity_id, &snap);
    if (err == GH_OK && s->type == GH_PRINCIPAL_USER) {
        /* The user's current name and path (a renamed user keeps its sessions). */
        if ((err = gh_arena_dup(a, snap->name, &s->name)) == GH_OK)
            err = gh_arena_dup(a, snap->path, &s->path);
    }
    gh_api_psnap_unref(snap);
    if (err == GH_ERR_NOT_FOUND)
        err = GH_ERR_INVALID_TOKEN_ID;
    return err;
}
