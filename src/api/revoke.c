/*
 * revoke.c: revoked sessions. `gatehouse sessions revoke` records, per
 * role name, a time before which its sessions no longer count; console
 * sign-out records a session's temporary key until it expires. The
 * server keeps an immutable snapshot of both (part of the auth snapshot,
 * rebuilt when the store changes) and checks it for every session.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"

#define KIND "session-revocation"
/* Record ids of revocations by role name; older records hold a role id (AROA...). */
#define BY_NAME "role:"

struct revoked_role {
    char account[13];
    char key[72]; /* BY_NAME + role name (compared case-insensitively), or a role id */
    int64_t before;
};

struct gh_api_revocations {
    size_t nroles;
    struct revoked_role *roles;
    size_t nsignouts;
    char (*signouts)[21]; /* temporary access key ids, sorted (memcmp order) */
};

enum gh_err
gh_api_revocations_load(struct gh_store *store, int64_t now, struct gh_api_revocations **out)
{
    struct gh_store_tx *tx = NULL;
    struct gh_arena a;
    struct gh_store_rec *rs;
    struct gh_store_signout *so;
    struct gh_api_revocations *r = NULL;
    size_t n = 0, nso = 0;
    enum gh_err err;

    *out = NULL;
    gh_arena_init(&a);
    if ((err = gh_store_tx_begin(store, false, &tx)) != GH_OK)
        goto done;
    /* Records of this kind across every account (account {NULL,0}). */
    if ((err = gh_store_rec_list_kind(tx, &a, GH_S(KIND), &rs, &n)) != GH_OK ||
        (err = gh_store_signout_list(tx, &a, now, &so, &nso)) != GH_OK)
        goto done;
    if ((r = calloc(1, sizeof(*r))) == NULL ||
        (n > 0 && (r->roles = calloc(n, sizeof(*r->roles))) == NULL) ||
        (nso > 0 && (r->signouts = calloc(nso, sizeof(*r->signouts))) == NULL)) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t before = 0;
        struct revoked_role *it = &r->roles[r->nroles];
        if (rs[i].account.len != 12 || rs[i].id.len >= sizeof(it->key) ||
            gh_parse_u64(rs[i].data, INT64_MAX, &before) != GH_OK)
            continue;
        memcpy(it->account, rs[i].account.ptr, 12);
        memcpy(it->key, rs[i].id.ptr, rs[i].id.len);
        it->before = (int64_t)before;
        r->nroles++;
    }
    for (size_t i = 0; i < nso; i++) {
        if (so[i].access_key_id.len >= sizeof(r->signouts[0]))
            continue; /* not a key we issue; nothing can present it */
        memcpy(r->signouts[r->nsignouts], so[i].access_key_id.ptr, so[i].access_key_id.len);
        r->nsignouts++;
    }
    *out = r;
    r = NULL;
done:
    gh_store_tx_rollback(tx);
    gh_arena_cleanup(&a);
    gh_api_revocations_free(r);
    return err;
}

void
gh_api_revocations_free(struct gh_api_revocations *r)
{
    if (r == NULL)
        return;
    free(r->roles);
    free(r->signouts);
    free(r);
}

bool
gh_api_session_revoked(const struct gh_api_revocations *r, const struct gh_session *s)
{
    if (r == NULL)
        return false;
    if (s->type == GH_PRINCIPAL_ASSUMED_ROLE) {
        for (size_t i = 0; i < r->nroles; i++) {
            const struct revoked_role *it = &r->roles[i];
            bool match;
            if (strcmp(it->account, s->account) != 0 || s->issued >= it->before)
                continue;
            /* AWS IAM: role names are unique case-insensitively, so a revocation
             * by name reaches every role that ever had the name, in any case. */
            if (strncmp(it->key, BY_NAME, strlen(BY_NAME)) == 0)
                match = gh_slice_case_eq(gh_slice_from_cstr(it->key + strlen(BY_NAME)), s->name);
            else
                match = gh_slice_eq_cstr(s->entity_id, it->key);
            if (match)
                return true;
        }
    }
    /* Signed out (console): a binary search over the sorted key ids. */
    size_t lo = 0, hi = r->nsignouts;
    size_t len = strlen(s->access_key_id);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(r->signouts[mid], s->access_key_id, sizeof(r->signouts[0]));
        if (c == 0)
            return len > 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
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
    char *data, *id;
    enum gh_err err;

    gh_arena_init(&a);
    if ((err = gh_store_tx_begin(store, true, &tx)) != GH_OK)
        goto done;
    if ((err = gh_store_role_get(tx, &a, account, role_name, &role)) != GH_OK) {
        gh_diag_set(diag, "the role with name %.*s cannot be found in account %.*s",
                    GH_SP(role_name), GH_SP(account));
        goto done;
    }
    /*
     * Keyed by the name, not the role's id: a role deleted and re-created
     * under the same name has a new id, and the revocation must still
     * reach the sessions issued under the old one.
     */
    if ((data = gh_arena_printf(&a, "%lld", (long long)before)) == NULL ||
        (id = gh_arena_printf(&a, BY_NAME "%.*s", GH_SP(role.name))) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    memset(&rec, 0, sizeof(rec));
    rec.account = account;
    rec.kind = GH_S(KIND);
    rec.id = gh_slice_from_cstr(id);
    rec.owner = GH_S(""); /* outlives the role: never purged with it */
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
