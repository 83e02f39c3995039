/*
 * access_key.c: long-term access keys. The secret is sealed with the
 * master key (AES-256-GCM) with the key id as AAD, so the database alone
 * reveals no secret and a sealed secret moved to another row will not open.
 */
#include <string.h>

#include "store/store_int.h"

#define KEY_COLS                                                                                   \
    "k.id, k.account, coalesce(u.name, ''), k.status, k.created, k.last_used,"                     \
    " k.last_used_service, k.last_used_region, k.sealed, k.user_id"
#define KEY_FROM " FROM access_keys k LEFT JOIN users u ON u.id = k.user_id AND k.user_id <> ''"

static enum gh_err
key_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_access_key *k = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &k->id)) != GH_OK ||
        (err = store_col(a, st, 1, &k->account)) != GH_OK ||
        (err = store_col(a, st, 2, &k->user_name)) != GH_OK ||
        (err = store_col(a, st, 6, &k->last_used_service)) != GH_OK ||
        (err = store_col(a, st, 7, &k->last_used_region)) != GH_OK ||
        (err = store_col(a, st, 9, &k->user_id)) != GH_OK)
        return err;
    k->status = sqlite3_column_int(st, 3) == GH_KEY_INACTIVE ? GH_KEY_INACTIVE : GH_KEY_ACTIVE;
    k->created = sqlite3_column_int64(st, 4);
    k->last_used = sqlite3_column_int64(st, 5);
    return GH_OK;
}

/* The owner's id: '' for the root (empty user name), else the user's id. */
static enum gh_err
owner_id(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice user_name,
         char id[STORE_ID_MAX])
{
    id[0] = '\0';
    if (user_name.len == 0)
        return GH_OK;
    return store_user_id(tx, account, user_name, id);
}

enum gh_err
gh_store_access_key_create(struct gh_store_tx *tx, const struct gh_access_key *k,
                           const struct gh_secret *secret)
{
    sqlite3_stmt *st = NULL;
    char uid[STORE_ID_MAX];
    struct gh_buf sealed;
    enum gh_err err;

    gh_buf_init(&sealed, 1024);
    if (k->id.len == 0 || secret == NULL || secret->len == 0) {
        err = GH_ERR_INVALID_PARAM;
        goto done;
    }
    if ((err = owner_id(tx, k->account, k->user_name, uid)) != GH_OK)
        goto done;
    if ((err = gh_aead_seal(&tx->s->master, k->id,
                            (struct gh_slice){(const char *)secret->bytes, secret->len},
                            &sealed)) != GH_OK)
        goto done;
    if ((err = store_stmt(tx->c,
                          "INSERT INTO access_keys(id, account, user_id, status, created,"
                          " last_used, last_used_service, last_used_region, sealed)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                          &st)) != GH_OK)
        goto done;
    if ((err = store_bind(st, 1, k->id)) != GH_OK ||
        (err = store_bind(st, 2, k->account)) != GH_OK ||
        (err = store_bind(st, 3, gh_slice_from_cstr(uid))) != GH_OK ||
        (err = store_bind_i64(st, 4, k->status)) != GH_OK ||
        (err = store_bind_i64(st, 5, k->created)) != GH_OK ||
        (err = store_bind_i64(st, 6, k->last_used)) != GH_OK ||
        (err = store_bind(st, 7, k->last_used_service)) != GH_OK ||
        (err = store_bind(st, 8, k->last_used_region)) != GH_OK ||
        (err = store_bind_blob(st, 9, gh_buf_slice(&sealed))) != GH_OK)
        goto done;
    err = store_step_done(st);
done:
    store_stmt_done(st);
    gh_buf_cleanup(&sealed);
    return err;
}

enum gh_err
gh_store_access_key_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice id,
                        struct gh_access_key *out, struct gh_secret *secret)
{
    sqlite3_stmt *st = NULL;
    struct gh_buf plain;
    enum gh_err err;
    bool row;

    memset(out, 0, sizeof(*out));
    if (secret != NULL)
        gh_secret_wipe(secret);
    gh_buf_init(&plain, sizeof(secret->bytes));
    if ((err = store_stmt(tx->c, "SELECT " KEY_COLS KEY_FROM " WHERE k.id = ?1", &st)) != GH_OK)
        goto done;
    if ((err = store_bind(st, 1, id)) != GH_OK || (err = store_step(st, &row)) != GH_OK)
        goto done;
    if (!row) {
        err = GH_ERR_NOT_FOUND;
        goto done;
    }
    if ((err = key_row(a, st, out)) != GH_OK)
        goto done;
    if (secret != NULL) {
        struct gh_slice sealed = {sqlite3_column_blob(st, 8), (size_t)sqlite3_column_bytes(st, 8)};

        /* AAD = the row's own id: a secret copied from another row fails here. */
        if (gh_aead_open(&tx->s->master, out->id, sealed, &plain) != GH_OK ||
            gh_secret_set(secret, plain.ptr, plain.len) != GH_OK) {
            err = GH_ERR_INTERNAL; /* wrong master key or tampered row */
            goto done;
        }
    }
done:
    store_stmt_done(st);
    gh_buf_cleanup(&plain); /* wipes */
    if (err != GH_OK) {
        memset(out, 0, sizeof(*out));
        if (secret != NULL)
            gh_secret_wipe(secret);
    }
    return err;
}

enum gh_err
gh_store_access_key_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                         struct gh_slice user_name, struct gh_access_key **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    char uid[STORE_ID_MAX];
    enum gh_err err;

    *out = NULL;
    *count = 0;
    if ((err = owner_id(tx, account, user_name, uid)) != GH_OK)
        return err;
    if ((err = store_stmt(tx->c,
                          "SELECT " KEY_COLS KEY_FROM " WHERE k.account = ?1 AND k.user_id = ?2"
                          " ORDER BY k.created, k.id",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, account)) != GH_OK ||
        (err = store_bind(st, 2, gh_slice_from_cstr(uid))) != GH_OK)
        goto done;
    err = store_rows_read(a, st, -1, sizeof(**out), key_row, -1, -1, (void **)out, count, NULL);
done:
    store_stmt_done(st);
    if (err != GH_OK) {
        *out = NULL;
        *count = 0;
    }
    return err;
}

enum gh_err
gh_store_access_key_set_status(struct gh_store_tx *tx, struct gh_slice account,
                               struct gh_slice user_name, struct gh_slice id,
                               enum gh_key_status status)
{
    sqlite3_stmt *st = NULL;
    char uid[STORE_ID_MAX];
    enum gh_err err;

    if ((err = owner_id(tx, account, user_name, uid)) != GH_OK)
        return err;
    if ((err = store_stmt(tx->c,
                          "UPDATE access_keys SET status = ?4"
                          " WHERE id = ?1 AND account = ?2 AND user_id = ?3",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, id)) != GH_OK || (err = store_bind(st, 2, account)) != GH_OK ||
        (err = store_bind(st, 3, gh_slice_from_cstr(uid))) != GH_OK ||
        (err = store_bind_i64(st, 4, status)) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_access_key_delete(struct gh_store_tx *tx, struct gh_slice account,
                           struct gh_slice user_name, struct gh_slice id)
{
    sqlite3_stmt *st = NULL;
    char uid[STORE_ID_MAX];
    enum gh_err err;

    if ((err = owner_id(tx, account, user_name, uid)) != GH_OK)
        return err;
    if ((err = store_stmt(tx->c,
                          "DELETE FROM access_keys WHERE id = ?1 AND account = ?2 AND user_id = ?3",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, id)) != GH_OK || (err = store_bind(st, 2, account)) != GH_OK ||
        (err = store_bind(st, 3, gh_slice_from_cstr(uid))) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_access_key_touch(struct gh_store_tx *tx, struct gh_slice id, int64_t when,
                          struct gh_slice service, struct gh_slice region)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "UPDATE access_keys SET last_used = ?2, last_used_service = ?3,"
                          " last_used_region = ?4 WHERE id = ?1",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, id)) != GH_OK || (err = store_bind_i64(st, 2, when)) != GH_OK ||
        (err = store_bind(st, 3, service)) != GH_OK || (err = store_bind(st, 4, region)) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
done:
    store_stmt_done(st);
    return err;
}
