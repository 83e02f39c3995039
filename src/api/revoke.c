/*
 * revoke.c: revoked role sessions. `gatehouse sessions revoke` records,
 * per role, a time before which its sessions no longer count; the server
 * keeps an immutable snapshot of those records, rebuilt when the store
 * changes, and checks it for every request made with a role session.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"

#define KIND "session-revocation"

struct gh_api_revocations {
    size_t count;
    struct {
        char account[13];
        char role_id[32];
        int64_t before;
    } items[];
};

enum gh_err
gh_api_revocations_load(struct gh_store *store, struct gh_api_revocations **out)
{
    struct gh_store_tx *tx = NULL;
    struct gh_arena a;
    struct gh_store_rec *rs;
    struct gh_api_revocations *r = NULL;
    size_t n = 0;
    enum gh_err err;

    *out = NULL;
    gh_arena_init(&a);
    if ((err = gh_store_tx_begin(store, false, &tx)) != GH_OK)
        goto done;
    /* Records of this kind across every account (account {NULL,0}). */
    if ((err = gh_store_rec_list_kind(tx, &a, GH_S(KIND), &rs, &n)) != GH_OK)
        goto done;
    if ((r = calloc(1, sizeof(*r) + n * sizeof(r->items[0]))) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t before = 0;
        if (rs[i].account.len != 12 || rs[i].id.len >= sizeof(r->items[0].role_id) ||
            gh_parse_u64(rs[i].data, INT64_MAX, &before) != GH_OK)
            continue;
        memcpy(r->items[r->count].account, rs[i].account.ptr, 12);
        memcpy(r->items[r->count].role_id, rs[i].id.ptr, rs[i].id.len);
        r->items[r->count].before = (int64_t)before;
        r->count++;
    }
    *out = r;
    r = NULL;
done:
    gh_store_tx_rollback(tx);
    gh_arena_cleanup(&a);
    free(r);
    return err;
}

void
gh_api_revocations_free(struct gh_api_revocations *r)
{
    free(r);
}

bool
gh_api_session_revoked(const struct gh_api_revocations *r, const char *account,
                       struct gh_slice role_id, int64_t issued)
{
    if (r == NULL)
        return false;
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->items[i].account, account) == 0 &&
            gh_slice_eq_cstr(role_id, r->items[i].role_id) && issued < r->items[i].before)
            return true;
    return false;
}

enum gh_err
gh_api_revoke_sessions(struct gh_store *store, struct gh_slice account, struct gh_slice role_name,
                       int64_t before, struct gh_diag *diag)
{
    struct gh_store_tx *tx = NULL;
    struct gh_arena a;
    struct gh_role role;
    struct gh_store_rec rec;
    char *data;
    enum gh_err err;

    gh_arena_init(&a);
    if ((err = gh_store_tx_begin(store, true, &tx)) != GH_OK)
        goto done;
    if ((err = gh_store_role_get(tx, &a, account, role_name, &role)) != GH_OK) {
        gh_diag_set(diag, "the role with name %.*s cannot be found in account %.*s",
                    GH_SP(role_name), GH_SP(account));
        goto done;
    }
    if ((data = gh_arena_printf(&a, "%lld", (long long)before)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    memset(&rec, 0, sizeof(rec));
    rec.account = account;
    rec.kind = GH_S(KIND);
    rec.id = role.id;
    rec.owner = role.id;
    rec.created = gh_now_s();
    rec.data = gh_slice_from_cstr(data);
    if ((err = gh_store_rec_put(tx, &rec, NULL, true)) != GH_OK)
        goto done;
    err = gh_store_tx_commit(tx);
    tx = NULL;
done:
    gh_store_tx_rollback(tx);
    gh_arena_cleanup(&a);
    return err;
}
