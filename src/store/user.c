/*
 * user.c: IAM users: create, get, rename/move, boundary, delete, list.
 */
#include <string.h>

#include "store/store_int.h"

#define USER_COLS STORE_USER_COLS("")

enum gh_err
store_user_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_user *u = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &u->account)) != GH_OK ||
        (err = store_col(a, st, 1, &u->name)) != GH_OK ||
        (err = store_col(a, st, 2, &u->path)) != GH_OK ||
        (err = store_col(a, st, 3, &u->id)) != GH_OK ||
        (err = store_col(a, st, 4, &u->boundary_arn)) != GH_OK)
        return err;
    u->created = sqlite3_column_int64(st, 5);
    u->password_last_used = sqlite3_column_int64(st, 6);
    return GH_OK;
}

enum gh_err
gh_store_user_create(struct gh_store_tx *tx, const struct gh_user *u)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "INSERT INTO users(" USER_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, u->account)) != GH_OK ||
        (err = store_bind(st, 2, u->name)) != GH_OK ||
        (err = store_bind(st, 3, u->path.len > 0 ? u->path : GH_S("/"))) != GH_OK ||
        (err = store_bind(st, 4, u->id)) != GH_OK ||
        (err = store_bind(st, 5, u->boundary_arn)) != GH_OK ||
        (err = store_bind_i64(st, 6, u->created)) != GH_OK ||
        (err = store_bind_i64(st, 7, u->password_last_used)) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) == GH_OK)
        err = store_catalog_keep(tx, u->boundary_arn);
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_user_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                  struct gh_slice name, struct gh_user *out)
{
    const struct gh_slice args[] = {account, name};

    return store_get(tx, a, "SELECT " USER_COLS " FROM users WHERE account = ?1 AND name = ?2",
                     args, GH_ARRAY_LEN(args), store_user_row, out, sizeof(*out));
}

enum gh_err
store_user_id(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice name,
              char id[STORE_ID_MAX])
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    id[0] = '\0';
    if ((err = store_stmt(tx->c, "SELECT id FROM users WHERE account = ?1 AND name = ?2", &st)) !=
        GH_OK)
        return err;
    if ((err = store_bind(st, 1, account)) != GH_OK || (err = store_bind(st, 2, name)) != GH_OK)
        goto done;
    if ((err = store_step(st, &row)) != GH_OK)
        goto done;
    if (!row) {
        err = GH_ERR_NOT_FOUND;
        goto done;
    }
    {
        const unsigned char *p = sqlite3_column_text(st, 0);
        int n = sqlite3_column_bytes(st, 0);

        if (p == NULL || n <= 0 || n >= STORE_ID_MAX) {
            err = p == NULL ? GH_ERR_NOMEM : GH_ERR_INTERNAL;
            goto done;
        }
        memcpy(id, p, (size_t)n);
        id[n] = '\0';
    }
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
store_rename(struct gh_store_tx *tx, const char *sql, struct gh_slice account, struct gh_slice name,
             struct gh_slice new_name, struct gh_slice new_path)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c, sql, &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, account)) != GH_OK || (err = store_bind(st, 2, name)) != GH_OK)
        goto done;
    if ((err = new_name.len > 0 ? store_bind(st, 3, new_name) : store_bind_null(st, 3)) != GH_OK ||
        (err = new_path.len > 0 ? store_bind(st, 4, new_path) : store_bind_null(st, 4)) != GH_OK ||
        (err = store_step_done(st)) != GH_OK)
        goto done;
    if (store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_user_update(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice name,
                     struct gh_slice new_name, struct gh_slice new_path)
{
    return store_rename(tx,
                        "UPDATE users SET name = coalesce(?3, name), path = coalesce(?4, path)"
                        " WHERE account = ?1 AND name = ?2",
                        account, name, new_name, new_path);
}

enum gh_err
gh_store_user_set_boundary(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice name,
                           struct gh_slice boundary_arn)
{
    const struct gh_slice args[] = {account, name, boundary_arn};
    enum gh_err err;

    if ((err = store_run(tx, "UPDATE users SET boundary_arn = ?3 WHERE account = ?1 AND name = ?2",
                         args, GH_ARRAY_LEN(args), true)) != GH_OK)
        return err;
    /* An AWS policy in use keeps its document, as an attached one does. */
    return store_catalog_keep(tx, boundary_arn);
}

enum gh_err
gh_store_user_delete(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice name)
{
    char id[STORE_ID_MAX];
    struct gh_slice uid;
    enum gh_err err;

    if ((err = store_user_id(tx, account, name, id)) != GH_OK)
        return err;
    uid = gh_slice_from_cstr(id);
    if ((err = store_run(tx, "DELETE FROM tags WHERE entity_id = ?1", &uid, 1, false)) != GH_OK)
        return err;
    return store_run(tx, "DELETE FROM users WHERE id = ?1", &uid, 1, false);
}

enum gh_err
gh_store_user_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                   struct gh_slice path_prefix, const struct gh_store_page *page,
                   struct gh_user **out, size_t *count, struct gh_store_more *more)
{
    static const struct store_list q = {
        "SELECT " USER_COLS " FROM users WHERE account = ?1"
        " AND substr(path, 1, length(?2)) = ?2 AND name > ?3 ORDER BY name LIMIT ?4",
        sizeof(struct gh_user), store_user_row, 1, -1};
    const struct gh_slice args[] = {account, path_prefix};

    return store_list_run(tx, a, &q, args, GH_ARRAY_LEN(args), page, (void **)out, count, more);
}
