/*
 * role.c: IAM roles: create, get, update, delete, list.
 */
#include <string.h>

#include "store/store_int.h"

#define ROLE_COLS STORE_ROLE_COLS("")

enum gh_err
store_role_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_role *r = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &r->account)) != GH_OK ||
        (err = store_col(a, st, 1, &r->name)) != GH_OK ||
        (err = store_col(a, st, 2, &r->path)) != GH_OK ||
        (err = store_col(a, st, 3, &r->id)) != GH_OK ||
        (err = store_col(a, st, 4, &r->trust_policy)) != GH_OK ||
        (err = store_col(a, st, 5, &r->description)) != GH_OK ||
        (err = store_col(a, st, 6, &r->boundary_arn)) != GH_OK ||
        (err = store_col(a, st, 10, &r->last_used_region)) != GH_OK ||
        (err = store_col(a, st, 11, &r->trust_bind)) != GH_OK)
        return err;
    r->max_session_s = sqlite3_column_int64(st, 7);
    r->created = sqlite3_column_int64(st, 8);
    r->last_used = sqlite3_column_int64(st, 9);
    return GH_OK;
}

enum gh_err
gh_store_role_create(struct gh_store_tx *tx, const struct gh_role *r)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "INSERT INTO roles(" ROLE_COLS ")"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, r->account)) != GH_OK ||
        (err = store_bind(st, 2, r->name)) != GH_OK ||
        (err = store_bind(st, 3, r->path.len > 0 ? r->path : GH_S("/"))) != GH_OK ||
        (err = store_bind(st, 4, r->id)) != GH_OK ||
        (err = store_bind(st, 5, r->trust_policy)) != GH_OK ||
        (err = store_bind(st, 6, r->description)) != GH_OK ||
        (err = store_bind(st, 7, r->boundary_arn)) != GH_OK ||
        (err = store_bind_i64(st, 8, r->max_session_s)) != GH_OK ||
        (err = store_bind_i64(st, 9, r->created)) != GH_OK ||
        (err = store_bind_i64(st, 10, r->last_used)) != GH_OK ||
        (err = store_bind(st, 11, r->last_used_region)) != GH_OK ||
        (err = store_bind(st, 12, r->trust_bind.ptr != NULL ? r->trust_bind : GH_S(""))) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) == GH_OK)
        err = store_catalog_keep(tx, r->boundary_arn);
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_role_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                  struct gh_slice name, struct gh_role *out)
{
    const struct gh_slice args[] = {account, name};

    return store_get(tx, a, "SELECT " ROLE_COLS " FROM roles WHERE account = ?1 AND name = ?2",
                     args, GH_ARRAY_LEN(args), store_role_row, out, sizeof(*out));
}

enum gh_err
gh_store_role_update(struct gh_store_tx *tx, const struct gh_role *r)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "UPDATE roles SET description = ?3, max_session_s = ?4,"
                          " trust_policy = ?5, boundary_arn = ?6, trust_bind = ?7"
                          " WHERE account = ?1 AND name = ?2",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, r->account)) != GH_OK ||
        (err = store_bind(st, 2, r->name)) != GH_OK ||
        (err = store_bind(st, 3, r->description)) != GH_OK ||
        (err = store_bind_i64(st, 4, r->max_session_s)) != GH_OK ||
        (err = store_bind(st, 5, r->trust_policy)) != GH_OK ||
        (err = store_bind(st, 6, r->boundary_arn)) != GH_OK ||
        (err = store_bind(st, 7, r->trust_bind.ptr != NULL ? r->trust_bind : GH_S(""))) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
    /* An AWS policy in use keeps its document, as an attached one does. */
    if (err == GH_OK)
        err = store_catalog_keep(tx, r->boundary_arn);
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_role_delete(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice name)
{
    const struct gh_slice args[] = {account, name};
    enum gh_err err;

    /* Tags go with the role (its id is looked up inside the statement). */
    if ((err = store_run(tx,
                         "DELETE FROM tags WHERE entity_id ="
                         " (SELECT id FROM roles WHERE account = ?1 AND name = ?2)",
                         args, GH_ARRAY_LEN(args), false)) != GH_OK)
        return err;
    return store_run(tx, "DELETE FROM roles WHERE account = ?1 AND name = ?2", args,
                     GH_ARRAY_LEN(args), true);
}

enum gh_err
gh_store_role_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                   struct gh_slice path_prefix, const struct gh_store_page *page,
                   struct gh_role **out, size_t *count, struct gh_store_more *more)
{
    static const struct store_list q = {
        "SELECT " ROLE_COLS " FROM roles WHERE account = ?1"
        " AND substr(path, 1, length(?2)) = ?2 AND name > ?3 ORDER BY name LIMIT ?4",
        sizeof(struct gh_role), store_role_row, 1, -1};
    const struct gh_slice args[] = {account, path_prefix};

    return store_list_run(tx, a, &q, args, GH_ARRAY_LEN(args), page, (void **)out, count, more);
}

enum gh_err
gh_store_role_list_unbound(struct gh_store_tx *tx, struct gh_arena *a, struct gh_role **out,
                           size_t *count)
{
    /* ?1, ?2: the (unused) page marker; ?3 the limit. */
    static const struct store_list q = {
        "SELECT " ROLE_COLS " FROM roles WHERE trust_bind = ''"
        " AND (account, name) > (?1, ?2) ORDER BY account, name LIMIT ?3",
        sizeof(struct gh_role), store_role_row, 0, 1};

    return store_list_run(tx, a, &q, NULL, 0, NULL, (void **)out, count, NULL);
}
