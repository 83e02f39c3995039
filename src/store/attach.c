/*
 * attach.c: managed-policy attachments of users, roles and groups, keyed
 * by the entity's unique id so a rename keeps them.
 */
#include <string.h>

#include "store/store_int.h"

enum gh_err
gh_store_attach(struct gh_store_tx *tx, struct gh_slice entity_id, struct gh_slice policy_arn)
{
    const struct gh_slice args[] = {entity_id, policy_arn};
    struct gh_arena a;
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    if ((err = store_stmt(tx->c, "SELECT 1 FROM policies WHERE arn = ?1", &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, policy_arn)) == GH_OK && (err = store_step(st, &row)) == GH_OK &&
        !row)
        err = GH_ERR_NOT_FOUND;
    store_stmt_done(st);
    if (err != GH_OK)
        return err;
    /* AWS IAM: attaching an attached policy again succeeds and changes nothing. */
    if ((err = store_run(tx,
                         "INSERT OR IGNORE INTO attachments(entity_id, policy_id)"
                         " SELECT ?1, id FROM policies WHERE arn = ?2",
                         args, GH_ARRAY_LEN(args), false)) != GH_OK ||
        tx->s->catalog == NULL)
        return err;
    /* An attached AWS policy keeps its document in the store, so it stays
     * readable should a later catalog drop it (AWS deprecation). */
    gh_arena_init(&a);
    err = store_catalog_snapshot(tx->c, tx->s->catalog, &a, policy_arn);
    gh_arena_cleanup(&a);
    return err;
}

enum gh_err
gh_store_detach(struct gh_store_tx *tx, struct gh_slice entity_id, struct gh_slice policy_arn)
{
    const struct gh_slice args[] = {entity_id, policy_arn};

    return store_run(tx,
                     "DELETE FROM attachments WHERE entity_id = ?1"
                     " AND policy_id = (SELECT id FROM policies WHERE arn = ?2)",
                     args, GH_ARRAY_LEN(args), true);
}

/* Columns: name, arn, account (the marker's second part). */
static enum gh_err
attached_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_attached *t = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &t->policy_name)) != GH_OK)
        return err;
    return store_col(a, st, 1, &t->policy_arn);
}

enum gh_err
gh_store_attached_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice entity_id,
                       struct gh_slice path_prefix, const struct gh_store_page *page,
                       struct gh_attached **out, size_t *count, struct gh_store_more *more)
{
    static const struct store_list q = {
        "SELECT p.name, p.arn, p.account FROM attachments t JOIN policies p ON p.id = t.policy_id"
        " WHERE t.entity_id = ?1 AND substr(p.path, 1, length(?2)) = ?2"
        " AND (p.name > ?3 OR (p.name = ?3 AND p.account > ?4))"
        " ORDER BY p.name, p.account LIMIT ?5",
        sizeof(struct gh_attached), attached_row, 0, 2};
    const struct gh_slice args[] = {entity_id, path_prefix};

    return store_list_run(tx, a, &q, args, GH_ARRAY_LEN(args), page, (void **)out, count, more);
}

/* count(*) of `sql` with ?1 = entity_id. */
static enum gh_err
count_of(struct gh_store_tx *tx, const char *sql, struct gh_slice entity_id, size_t *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    *out = 0;
    if ((err = store_stmt(tx->c, sql, &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, entity_id)) == GH_OK && (err = store_step(st, &row)) == GH_OK &&
        row)
        *out = (size_t)sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_attached_count(struct gh_store_tx *tx, struct gh_slice entity_id, size_t *out)
{
    return count_of(tx, "SELECT count(*) FROM attachments WHERE entity_id = ?1", entity_id, out);
}

enum gh_err
gh_store_inline_count(struct gh_store_tx *tx, struct gh_slice entity_id, size_t *out)
{
    return count_of(tx, "SELECT count(*) FROM inline_policies WHERE entity_id = ?1", entity_id,
                    out);
}

enum gh_err
gh_store_entity_purge(struct gh_store_tx *tx, struct gh_slice entity_id)
{
    static const char *const sql[] = {
        "DELETE FROM tags WHERE entity_id = ?1",
        "DELETE FROM attachments WHERE entity_id = ?1",
        "DELETE FROM inline_policies WHERE entity_id = ?1",
    };
    enum gh_err err = GH_OK;

    for (size_t i = 0; i < GH_ARRAY_LEN(sql) && err == GH_OK; i++)
        err = store_run(tx, sql[i], &entity_id, 1, false);
    return err;
}
