/*
 * meta.c: installation settings (key/value) and accounts.
 */
#include <string.h>

#include "store/store_int.h"

enum gh_err
gh_store_meta_get(struct gh_store_tx *tx, struct gh_arena *a, const char *key, struct gh_slice *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    *out = GH_SLICE_NULL;
    if ((err = store_stmt(tx->c, "SELECT value FROM meta WHERE key = ?1", &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, gh_slice_from_cstr(key))) != GH_OK)
        goto done;
    if ((err = store_step(st, &row)) != GH_OK)
        goto done;
    if (!row) {
        err = GH_ERR_NOT_FOUND;
        goto done;
    }
    err = store_col(a, st, 0, out);
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_meta_set(struct gh_store_tx *tx, const char *key, struct gh_slice value)
{
    sqlite3_stmt *st = NULL;
    struct gh_slice k = gh_slice_from_cstr(key);
    enum gh_err err;

    /* "store." keys are the store's own (the generation): not settable. */
    if (k.len == 0 || gh_slice_starts_with(k, GH_S("store.")))
        return GH_ERR_INVALID_PARAM;
    if ((err = store_stmt(tx->c,
                          "INSERT INTO meta(key, value) VALUES (?1, ?2)"
                          " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, k)) == GH_OK && (err = store_bind(st, 2, value)) == GH_OK)
        err = store_step_done(st);
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_account_create(struct gh_store_tx *tx, const char *account_id, int64_t now)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c, "INSERT INTO accounts(id, created) VALUES (?1, ?2)", &st)) !=
        GH_OK)
        return err;
    if ((err = store_bind(st, 1, gh_slice_from_cstr(account_id))) == GH_OK &&
        (err = store_bind_i64(st, 2, now)) == GH_OK)
        err = store_step_done(st);
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_account_exists(struct gh_store_tx *tx, const char *account_id)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row = false;

    if ((err = store_stmt(tx->c, "SELECT 1 FROM accounts WHERE id = ?1", &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, gh_slice_from_cstr(account_id))) == GH_OK)
        err = store_step(st, &row);
    store_stmt_done(st);
    if (err == GH_OK && !row)
        err = GH_ERR_NOT_FOUND;
    return err;
}
