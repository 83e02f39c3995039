/*
 * inline.c: inline policies of users, roles and groups, keyed by the
 * entity's unique id; names unique case-insensitively per entity.
 */
#include <string.h>

#include "store/store_int.h"

enum gh_err
gh_store_inline_put(struct gh_store_tx *tx, struct gh_slice entity_id, struct gh_slice name,
                    struct gh_slice document)
{
    const struct gh_slice args[] = {entity_id, name, document};

    return store_run(tx,
                     "INSERT INTO inline_policies(entity_id, name, document)"
                     " VALUES (?1, ?2, ?3) ON CONFLICT(entity_id, name)"
                     " DO UPDATE SET name = excluded.name, document = excluded.document",
                     args, GH_ARRAY_LEN(args), false);
}

enum gh_err
gh_store_inline_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice entity_id,
                    struct gh_slice name, struct gh_slice *document)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    *document = GH_SLICE_NULL;
    if ((err = store_stmt(tx->c,
                          "SELECT document FROM inline_policies WHERE entity_id = ?1 AND name = ?2",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, entity_id)) == GH_OK && (err = store_bind(st, 2, name)) == GH_OK &&
        (err = store_step(st, &row)) == GH_OK)
        err = row ? store_col(a, st, 0, document) : GH_ERR_NOT_FOUND;
    store_stmt_done(st);
    if (err != GH_OK)
        *document = GH_SLICE_NULL;
    return err;
}

enum gh_err
gh_store_inline_delete(struct gh_store_tx *tx, struct gh_slice entity_id, struct gh_slice name)
{
    const struct gh_slice args[] = {entity_id, name};

    return store_run(tx, "DELETE FROM inline_policies WHERE entity_id = ?1 AND name = ?2", args,
                     GH_ARRAY_LEN(args), true);
}

/* A policy name (a struct gh_slice) from column 0. */
static enum gh_err
name_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    return store_col(a, st, 0, out);
}

enum gh_err
gh_store_inline_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice entity_id,
                     const struct gh_store_page *page, struct gh_slice **names, size_t *count,
                     struct gh_store_more *more)
{
    static const struct store_list q = {"SELECT name FROM inline_policies WHERE entity_id = ?1"
                                        " AND name > ?2 ORDER BY name LIMIT ?3",
                                        sizeof(struct gh_slice), name_row, 0, -1};

    return store_list_run(tx, a, &q, &entity_id, 1, page, (void **)names, count, more);
}
