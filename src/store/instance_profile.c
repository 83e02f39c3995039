/*
 * instance_profile.c: IAM instance profiles and the role each holds.
 */
#include <string.h>

#include "store/store_int.h"

#define PROFILE_COLS "p.account, p.name, p.path, p.id, p.created"
#define PROFILE_ROLE_COLS STORE_ROLE_COLS("r.")

static enum gh_err
profile_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_instance_profile *p = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &p->account)) != GH_OK ||
        (err = store_col(a, st, 1, &p->name)) != GH_OK ||
        (err = store_col(a, st, 2, &p->path)) != GH_OK ||
        (err = store_col(a, st, 3, &p->id)) != GH_OK)
        return err;
    p->created = sqlite3_column_int64(st, 4);
    return GH_OK;
}

enum gh_err
gh_store_instance_profile_create(struct gh_store_tx *tx, const struct gh_instance_profile *p)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "INSERT INTO instance_profiles(account, name, path, id, created)"
                          " VALUES (?1, ?2, ?3, ?4, ?5)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, p->account)) == GH_OK &&
        (err = store_bind(st, 2, p->name)) == GH_OK &&
        (err = store_bind(st, 3, p->path.len > 0 ? p->path : GH_S("/"))) == GH_OK &&
        (err = store_bind(st, 4, p->id)) == GH_OK &&
        (err = store_bind_i64(st, 5, p->created)) == GH_OK)
        err = store_step_done(st);
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_instance_profile_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                              struct gh_slice name, struct gh_instance_profile *out)
{
    const struct gh_slice args[] = {account, name};

    return store_get(tx, a,
                     "SELECT " PROFILE_COLS " FROM instance_profiles p"
                     " WHERE p.account = ?1 AND p.name = ?2",
                     args, GH_ARRAY_LEN(args), profile_row, out, sizeof(*out));
}

enum gh_err
gh_store_instance_profile_delete(struct gh_store_tx *tx, struct gh_slice account,
                                 struct gh_slice name)
{
    const struct gh_slice args[] = {account, name};
    enum gh_err err;

    if ((err = store_run(tx,
                         "DELETE FROM tags WHERE entity_id ="
                         " (SELECT id FROM instance_profiles WHERE account = ?1 AND name = ?2)",
                         args, GH_ARRAY_LEN(args), false)) != GH_OK)
        return err;
    /* Role links go by ON DELETE CASCADE. */
    return store_run(tx, "DELETE FROM instance_profiles WHERE account = ?1 AND name = ?2", args,
                     GH_ARRAY_LEN(args), true);
}

enum gh_err
gh_store_instance_profile_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                               struct gh_slice path_prefix, const struct gh_store_page *page,
                               struct gh_instance_profile **out, size_t *count,
                               struct gh_store_more *more)
{
    static const struct store_list q = {
        "SELECT " PROFILE_COLS " FROM instance_profiles p WHERE p.account = ?1"
        " AND substr(p.path, 1, length(?2)) = ?2 AND p.name > ?3 ORDER BY p.name LIMIT ?4",
        sizeof(struct gh_instance_profile), profile_row, 1, -1};
    const struct gh_slice args[] = {account, path_prefix};

    return store_list_run(tx, a, &q, args, GH_ARRAY_LEN(args), page, (void **)out, count, more);
}

enum gh_err
gh_store_instance_profile_role_add(struct gh_store_tx *tx, struct gh_slice profile_id,
                                   struct gh_slice role_id)
{
    const struct gh_slice args[] = {profile_id, role_id};

    return store_run(tx,
                     "INSERT OR IGNORE INTO instance_profile_roles(profile_id, role_id)"
                     " VALUES (?1, ?2)",
                     args, GH_ARRAY_LEN(args), false);
}

enum gh_err
gh_store_instance_profile_role_remove(struct gh_store_tx *tx, struct gh_slice profile_id,
                                      struct gh_slice role_id)
{
    const struct gh_slice args[] = {profile_id, role_id};

    return store_run(tx,
                     "DELETE FROM instance_profile_roles WHERE profile_id = ?1 AND role_id = ?2",
                     args, GH_ARRAY_LEN(args), true);
}

enum gh_err
gh_store_instance_profile_roles(struct gh_store_tx *tx, struct gh_arena *a,
                                struct gh_slice profile_id, struct gh_role **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    *out = NULL;
    *count = 0;
    if ((err = store_stmt(tx->c,
                          "SELECT " PROFILE_ROLE_COLS " FROM instance_profile_roles l"
                          " JOIN roles r ON r.id = l.role_id WHERE l.profile_id = ?1"
                          " ORDER BY l.seq LIMIT ?2",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, profile_id)) == GH_OK &&
        (err = store_bind_i64(st, 2, GH_STORE_PROFILE_ROLES_MAX)) == GH_OK)
        err = store_rows_read(a, st, -1, sizeof(**out), store_role_row, -1, -1, (void **)out, count,
                              NULL);
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_role_instance_profiles(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice role_id,
                                const struct gh_store_page *page, struct gh_instance_profile **out,
                                size_t *count, struct gh_store_more *more)
{
    static const struct store_list q = {
        "SELECT " PROFILE_COLS " FROM instance_profile_roles l"
        " JOIN instance_profiles p ON p.id = l.profile_id"
        " WHERE l.role_id = ?1 AND p.name > ?2 ORDER BY p.name LIMIT ?3",
        sizeof(struct gh_instance_profile), profile_row, 1, -1};

    return store_list_run(tx, a, &q, &role_id, 1, page, (void **)out, count, more);
}

enum gh_err
gh_store_role_instance_profile_count(struct gh_store_tx *tx, struct gh_slice role_id, size_t *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    *out = 0;
    if ((err = store_stmt(tx->c, "SELECT count(*) FROM instance_profile_roles WHERE role_id = ?1",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, role_id)) == GH_OK && (err = store_step(st, &row)) == GH_OK && row)
        *out = (size_t)sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return err;
}
