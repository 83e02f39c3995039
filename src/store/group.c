/*
 * group.c: IAM groups, their memberships, and the entities that use a
 * managed policy (attached to groups, users or roles, or as boundary).
 */
#include <string.h>

#include "store/store_int.h"

#define GROUP_COLS "g.account, g.name, g.path, g.id, g.created"
#define MEMBER_COLS STORE_USER_COLS("u.")

static enum gh_err
group_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_group *g = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &g->account)) != GH_OK ||
        (err = store_col(a, st, 1, &g->name)) != GH_OK ||
        (err = store_col(a, st, 2, &g->path)) != GH_OK ||
        (err = store_col(a, st, 3, &g->id)) != GH_OK)
        return err;
    g->created = sqlite3_column_int64(st, 4);
    return GH_OK;
}

/* Columns: kind, name, id. */
static enum gh_err
entity_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_store_entity *e = out;
    enum gh_err err;

    e->kind = (enum gh_store_entity_kind)sqlite3_column_int(st, 0);
    if ((err = store_col(a, st, 1, &e->name)) != GH_OK ||
        (err = store_col(a, st, 2, &e->id)) != GH_OK)
        return err;
    return GH_OK;
}

enum gh_err
gh_store_group_create(struct gh_store_tx *tx, const struct gh_group *g)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "INSERT INTO groups(account, name, path, id, created)"
                          " VALUES (?1, ?2, ?3, ?4, ?5)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, g->account)) == GH_OK &&
        (err = store_bind(st, 2, g->name)) == GH_OK &&
        (err = store_bind(st, 3, g->path.len > 0 ? g->path : GH_S("/"))) == GH_OK &&
        (err = store_bind(st, 4, g->id)) == GH_OK &&
        (err = store_bind_i64(st, 5, g->created)) == GH_OK)
        err = store_step_done(st);
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_group_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                   struct gh_slice name, struct gh_group *out)
{
    const struct gh_slice args[] = {account, name};

    return store_get(tx, a,
                     "SELECT " GROUP_COLS " FROM groups g WHERE g.account = ?1 AND g.name = ?2",
                     args, GH_ARRAY_LEN(args), group_row, out, sizeof(*out));
}

enum gh_err
gh_store_group_update(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice name,
                      struct gh_slice new_name, struct gh_slice new_path)
{
    return store_rename(tx,
                        "UPDATE groups SET name = coalesce(?3, name), path = coalesce(?4, path)"
                        " WHERE account = ?1 AND name = ?2",
                        account, name, new_name, new_path);
}

enum gh_err
gh_store_group_delete(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice name)
{
    const struct gh_slice args[] = {account, name};

    /* Memberships go by ON DELETE CASCADE. */
    return store_run(tx, "DELETE FROM groups WHERE account = ?1 AND name = ?2", args,
                     GH_ARRAY_LEN(args), true);
}

enum gh_err
gh_store_group_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                    struct gh_slice path_prefix, const struct gh_store_page *page,
                    struct gh_group **out, size_t *count, struct gh_store_more *more)
{
    static const struct store_list q = {
        "SELECT " GROUP_COLS " FROM groups g WHERE g.account = ?1"
        " AND substr(g.path, 1, length(?2)) = ?2 AND g.name > ?3 ORDER BY g.name LIMIT ?4",
        sizeof(struct gh_group), group_row, 1, -1};
    const struct gh_slice args[] = {account, path_prefix};

    return store_list_run(tx, a, &q, args, GH_ARRAY_LEN(args), page, (void **)out, count, more);
}

enum gh_err
gh_store_group_member_add(struct gh_store_tx *tx, struct gh_slice group_id, struct gh_slice user_id)
{
    const struct gh_slice args[] = {group_id, user_id};

    /* AWS IAM: adding a member again succeeds and changes nothing. */
    return store_run(tx, "INSERT OR IGNORE INTO group_members(group_id, user_id) VALUES (?1, ?2)",
                     args, GH_ARRAY_LEN(args), false);
}

enum gh_err
gh_store_group_member_remove(struct gh_store_tx *tx, struct gh_slice group_id,
                             struct gh_slice user_id)
{
    const struct gh_slice args[] = {group_id, user_id};

    return store_run(tx, "DELETE FROM group_members WHERE group_id = ?1 AND user_id = ?2", args,
                     GH_ARRAY_LEN(args), true);
}

enum gh_err
gh_store_group_members(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice group_id,
                       const struct gh_store_page *page, struct gh_user **out, size_t *count,
                       struct gh_store_more *more)
{
    static const struct store_list q = {
        "SELECT " MEMBER_COLS " FROM group_members m JOIN users u ON u.id = m.user_id"
        " WHERE m.group_id = ?1 AND u.name > ?2 ORDER BY u.name LIMIT ?3",
        sizeof(struct gh_user), store_user_row, 1, -1};

    return store_list_run(tx, a, &q, &group_id, 1, page, (void **)out, count, more);
}

/* count(*) of `sql` with ?1 = id. */
static enum gh_err
count_of(struct gh_store_tx *tx, const char *sql, struct gh_slice id, size_t *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    *out = 0;
    if ((err = store_stmt(tx->c, sql, &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, id)) == GH_OK && (err = store_step(st, &row)) == GH_OK && row)
        *out = (size_t)sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_group_member_count(struct gh_store_tx *tx, struct gh_slice group_id, size_t *out)
{
    return count_of(tx, "SELECT count(*) FROM group_members WHERE group_id = ?1", group_id, out);
}

enum gh_err
gh_store_user_group_count(struct gh_store_tx *tx, struct gh_slice user_id, size_t *out)
{
    return count_of(tx, "SELECT count(*) FROM group_members WHERE user_id = ?1", user_id, out);
}

enum gh_err
gh_store_user_groups(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice user_id,
                     const struct gh_store_page *page, struct gh_group **out, size_t *count,
                     struct gh_store_more *more)
{
    static const struct store_list q = {
        "SELECT " GROUP_COLS " FROM group_members m JOIN groups g ON g.id = m.group_id"
        " WHERE m.user_id = ?1 AND g.name > ?2 ORDER BY g.name LIMIT ?3",
        sizeof(struct gh_group), group_row, 1, -1};

    return store_list_run(tx, a, &q, &user_id, 1, page, (void **)out, count, more);
}

enum gh_err
gh_store_policy_entities(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice arn,
                         unsigned kinds, bool boundary, struct gh_slice path_prefix,
                         const struct gh_store_page *page, struct gh_store_entity **out,
                         size_t *count, struct gh_store_more *more)
{
    sqlite3_stmt *st = NULL;
    struct gh_slice m1, m2;
    int64_t limit, after_kind = -1;
    enum gh_err err;

    *out = NULL;
    *count = 0;
    memset(more, 0, sizeof(*more));
    if ((err = store_page_limit(page, &limit)) != GH_OK ||
        (err = store_marker_decode(a, page, &m1, &m2)) != GH_OK)
        return err;
    if (m1.len > 0) {
        /* The marker is (kind digit, name). */
        if (m1.len != 1 || m1.ptr[0] < '0' || m1.ptr[0] > '2')
            return GH_ERR_VALIDATION;
        after_kind = m1.ptr[0] - '0';
    }
    /* ?2 = kinds mask, ?3 = boundary use instead of attachment. */
    if ((err = store_stmt(
             tx->c,
             "SELECT kind, name, id, CAST(kind AS TEXT) AS k FROM ("
             " SELECT 0 AS kind, g.name AS name, g.id AS id, g.path AS path FROM groups g"
             "  WHERE ?3 = 0 AND EXISTS (SELECT 1 FROM attachments t JOIN policies p"
             "   ON p.id = t.policy_id WHERE t.entity_id = g.id AND p.arn = ?1)"
             " UNION ALL"
             " SELECT 1, u.name, u.id, u.path FROM users u"
             "  WHERE (?3 = 0 AND EXISTS (SELECT 1 FROM attachments t JOIN policies p"
             "   ON p.id = t.policy_id WHERE t.entity_id = u.id AND p.arn = ?1))"
             "   OR (?3 != 0 AND u.boundary_arn = ?1)"
             " UNION ALL"
             " SELECT 2, r.name, r.id, r.path FROM roles r"
             "  WHERE (?3 = 0 AND EXISTS (SELECT 1 FROM attachments t JOIN policies p"
             "   ON p.id = t.policy_id WHERE t.entity_id = r.id AND p.arn = ?1))"
             "   OR (?3 != 0 AND r.boundary_arn = ?1))"
             " WHERE ((?2 >> kind) & 1) = 1 AND substr(path, 1, length(?4)) = ?4"
             " AND (kind > ?5 OR (kind = ?5 AND name > ?6 COLLATE NOCASE))"
             " ORDER BY kind, name COLLATE NOCASE LIMIT ?7",
             &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, arn)) == GH_OK && (err = store_bind_i64(st, 2, kinds)) == GH_OK &&
        (err = store_bind_i64(st, 3, boundary ? 1 : 0)) == GH_OK &&
        (err = store_bind(st, 4, path_prefix)) == GH_OK &&
        (err = store_bind_i64(st, 5, after_kind)) == GH_OK &&
        (err = store_bind(st, 6, m2)) == GH_OK &&
        (err = store_bind_i64(st, 7, limit < 0 ? -1 : limit + 1)) == GH_OK)
        err = store_rows_read(a, st, limit, sizeof(**out), entity_row, 3, 1, (void **)out, count,
                              more);
    store_stmt_done(st);
    if (err != GH_OK)
        memset(more, 0, sizeof(*more)); /* *out and *count are still clear */
    return err;
}
