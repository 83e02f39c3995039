/*
 * session.c: a session against the store: the role or user it was issued
 * to must still exist under the unique id sealed in its token.
 */
#include "api/api_int.h"

enum gh_err
gh_api_session_entity_check(struct gh_store *store, struct gh_arena *a, struct gh_session *s)
{
    struct gh_slice account = gh_slice_from_cstr(s->account);
    struct gh_store_tx *tx = NULL;
    struct gh_user u;
    struct gh_role r;
    enum gh_err err;

    if ((err = gh_store_tx_begin(store, false, &tx)) != GH_OK)
        goto done;
    /*
     * A session belongs to the unique id sealed in its token, never to a
     * name: a deleted role or user is gone for its sessions even when a
     * namesake (names compare case-insensitively) is created later.
     */
    switch (s->type) {
    case GH_PRINCIPAL_ASSUMED_ROLE:
        err = gh_store_role_get_by_id(tx, a, account, s->entity_id, &r);
        break;
    case GH_PRINCIPAL_USER:
        err = gh_store_user_get_by_id(tx, a, account, s->entity_id, &u);
        if (err == GH_OK) {
            s->name = u.name;
            s->path = u.path;
        }
        break;
    case GH_PRINCIPAL_FEDERATED_USER:
        /* GetFederationToken: called by the root (entity = the account) or a user. */
        if (gh_slice_eq(s->entity_id, account))
            err = gh_store_account_exists(tx, s->account);
        else
            err = gh_store_user_get_by_id(tx, a, account, s->entity_id, &u);
        break;
    case GH_PRINCIPAL_ROOT:
        err = gh_store_account_exists(tx, s->account);
        break;
    default:
        err = GH_ERR_NOT_FOUND;
        break;
    }
    if (err == GH_ERR_NOT_FOUND)
        err = GH_ERR_INVALID_TOKEN_ID;
done:
    gh_store_tx_rollback(tx);
    return err;
}
