/*
 * record.c: generic IAM records keyed by (account, kind, id): MFA
 * devices, login profiles, password policy, identity providers, aliases,
 * SSH keys, signing certificates, reports. Secrets are sealed with the
 * master key, AAD binding them to their row's key.
 */
#include <string.h>

#include "store/store_int.h"

#define REC_COLS "account, kind, id, owner, status, created, updated, data"

/* AAD = account NUL kind NUL id: a sealed secret moved to another row will not open. */
static enum gh_err
rec_aad(struct gh_slice account, struct gh_slice kind, struct gh_slice id, struct gh_buf *b)
{
    gh_buf_put(b, account);
    gh_buf_put(b, GH_S("\0"));
    gh_buf_put(b, kind);
    gh_buf_put(b, GH_S("\0"));
    gh_buf_put(b, id);
    return gh_buf_status(b);
}

static enum gh_err
rec_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_store_rec *r = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &r->account)) != GH_OK ||
        (err = store_col(a, st, 1, &r->kind)) != GH_OK ||
        (err = store_col(a, st, 2, &r->id)) != GH_OK ||
        (err = store_col(a, st, 3, &r->owner)) != GH_OK ||
        (err = store_col(a, st, 7, &r->data)) != GH_OK)
        return err;
    r->status = sqlite3_column_int64(st, 4);
    r->created = sqlite3_column_int64(st, 5);
    r->updated = sqlite3_column_int64(st, 6);
    return GH_OK;
}

enum gh_err
gh_store_rec_put(struct gh_store_tx *tx, const struct gh_store_rec *r,
                 const struct gh_secret *secret, bool replace)
{
    sqlite3_stmt *st = NULL;
    struct gh_buf aad, sealed;
    enum gh_err err;

    gh_buf_init(&aad, 4096);
    gh_buf_init(&sealed, 1024);
    if (r->kind.len == 0 || r->id.len == 0) {
        err = GH_ERR_INVALID_PARAM;
        goto done;
    }
    if (secret != NULL) {
        if ((err = rec_aad(r->account, r->kind, r->id, &aad)) != GH_OK ||
            (err = gh_aead_seal(&tx->s->master, gh_buf_slice(&aad),
                                (struct gh_slice){(const char *)secret->bytes, secret->len},
                                &sealed)) != GH_OK)
            goto done;
    }
    if (replace)
        err = store_stmt(tx->c,
                         "INSERT INTO records(" REC_COLS ", sealed)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                         " ON CONFLICT(account, kind, id) DO UPDATE SET owner = excluded.owner,"
                         " status = excluded.status, updated = excluded.updated,"
                         " data = excluded.data, sealed = coalesce(excluded.sealed, sealed)",
                         &st);
    else
        err = store_stmt(tx->c,
                         "INSERT INTO records(" REC_COLS ", sealed)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                         &st);
    if (err != GH_OK)
        goto done;
    if ((err = store_bind(st, 1, r->account)) != GH_OK ||
        (err = store_bind(st, 2, r->kind)) != GH_OK || (err = store_bind(st, 3, r->id)) != GH_OK ||
        (err = store_bind(st, 4, r->owner)) != GH_OK ||
        (err = store_bind_i64(st, 5, r->status)) != GH_OK ||
        (err = store_bind_i64(st, 6, r->created)) != GH_OK ||
        (err = store_bind_i64(st, 7, r->updated)) != GH_OK ||
        (err = store_bind(st, 8, r->data)) != GH_OK)
        goto done;
    err = secret != NULL ? store_bind_blob(st, 9, gh_buf_slice(&sealed)) : store_bind_null(st, 9);
    if (err != GH_OK)
        goto done;
    err = store_step_done(st);
done:
    store_stmt_done(st);
    gh_buf_cleanup(&sealed);
    gh_buf_cleanup(&aad);
    return err;
}

enum gh_err
gh_store_rec_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                 struct gh_slice kind, struct gh_slice id, struct gh_store_rec *out,
                 struct gh_secret *secret)
{
    sqlite3_stmt *st = NULL;
    struct gh_buf aad, plain;
    enum gh_err err;
    bool row;

    memset(out, 0, sizeof(*out));
    if (secret != NULL)
        gh_secret_wipe(secret);
    gh_buf_init(&aad, 4096);
    gh_buf_init(&plain, 64);
    if ((err = store_stmt(tx->c,
                          "SELECT " REC_COLS ", sealed FROM records"
                          " WHERE account = ?1 AND kind = ?2 AND id = ?3",
                          &st)) != GH_OK)
        goto done;
    if ((err = store_bind(st, 1, account)) != GH_OK || (err = store_bind(st, 2, kind)) != GH_OK ||
        (err = store_bind(st, 3, id)) != GH_OK || (err = store_step(st, &row)) != GH_OK)
        goto done;
    if (!row) {
        err = GH_ERR_NOT_FOUND;
        goto done;
    }
    if ((err = rec_row(a, st, out)) != GH_OK)
        goto done;
    if (secret != NULL && sqlite3_column_type(st, 8) != SQLITE_NULL) {
        struct gh_slice sealed = {sqlite3_column_blob(st, 8), (size_t)sqlite3_column_bytes(st, 8)};

        if ((err = rec_aad(out->account, out->kind, out->id, &aad)) != GH_OK)
            goto done;
        if (gh_aead_open(&tx->s->master, gh_buf_slice(&aad), sealed, &plain) != GH_OK ||
            gh_secret_set(secret, plain.ptr, plain.len) != GH_OK) {
            err = GH_ERR_INTERNAL; /* wrong master key or tampered row */
            goto done;
        }
    }
done:
    store_stmt_done(st);
    gh_buf_cleanup(&plain); /* wipes */
    gh_buf_cleanup(&aad);
    if (err != GH_OK) {
        memset(out, 0, sizeof(*out));
        if (secret != NULL)
            gh_secret_wipe(secret);
    }
    return err;
}

enum gh_err
gh_store_rec_delete(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice kind,
                    struct gh_slice id)
{
    const struct gh_slice args[] = {account, kind, id};

    return store_run(tx, "DELETE FROM records WHERE account = ?1 AND kind = ?2 AND id = ?3", args,
                     GH_ARRAY_LEN(args), true);
}

enum gh_err
gh_store_rec_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                  struct gh_slice kind, struct gh_slice owner, struct gh_store_rec **out,
                  size_t *count)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    *out = NULL;
    *count = 0;
    /* ?3 NULL = any owner. */
    if ((err = store_stmt(tx->c,
                          "SELECT " REC_COLS " FROM records WHERE account = ?1 AND kind = ?2"
                          " AND (?3 IS NULL OR owner = ?3) ORDER BY id LIMIT ?4",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, account)) != GH_OK || (err = store_bind(st, 2, kind)) != GH_OK ||
        (err = owner.ptr != NULL ? store_bind(st, 3, owner) : store_bind_null(st, 3)) != GH_OK ||
        (err = store_bind_i64(st, 4, GH_STORE_REC_LIST_MAX)) != GH_OK)
        goto done;
    err = store_rows_read(a, st, -1, sizeof(**out), rec_row, -1, -1, (void **)out, count, NULL);
done:
    store_stmt_done(st);
    if (err != GH_OK) {
        *out = NULL;
        *count = 0;
    }
    return err;
}

enum gh_err
gh_store_rec_purge_owner(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice owner)
{
    const struct gh_slice args[] = {account, owner};

    if (owner.len == 0)
        return GH_ERR_INVALID_PARAM; /* "" would match every unowned record */
    return store_run(tx, "DELETE FROM records WHERE account = ?1 AND owner = ?2", args,
                     GH_ARRAY_LEN(args), false);
}

enum gh_err
gh_store_user_get_by_id(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                        struct gh_slice id, struct gh_user *out)
{
    const struct gh_slice args[] = {account, id};

    return store_get(tx, a,
                     "SELECT " STORE_USER_COLS("") " FROM users WHERE account = ?1 AND id = ?2",
                     args, GH_ARRAY_LEN(args), store_user_row, out, sizeof(*out));
}

enum gh_err
gh_store_role_get_by_id(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                        struct gh_slice id, struct gh_role *out)
{
    const struct gh_slice args[] = {account, id};

    return store_get(tx, a,
                     "SELECT " STORE_ROLE_COLS("") " FROM roles WHERE account = ?1 AND id = ?2",
                     args, GH_ARRAY_LEN(args), store_role_row, out, sizeof(*out));
}

enum gh_err
gh_store_rec_list_kind(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice kind,
                       struct gh_store_rec **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    *out = NULL;
    *count = 0;
    if ((err = store_stmt(tx->c,
                          "SELECT " REC_COLS " FROM records WHERE kind = ?1"
                          " ORDER BY account, id LIMIT ?2",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, kind)) != GH_OK ||
        (err = store_bind_i64(st, 2, GH_STORE_REC_LIST_MAX)) != GH_OK)
        goto done;
    err = store_rows_read(a, st, -1, sizeof(**out), rec_row, -1, -1, (void **)out, count, NULL);
done:
    store_stmt_done(st);
    return err;
}
