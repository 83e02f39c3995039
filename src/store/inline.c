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
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "INSERT INTO inline_policies(entity_id, name, document)"
                          " VALUES (?1, ?2, ?3) ON CONFLICT(entity_id, name)"
                          " DO UPDATE SET name = excluded.name, document = excluded.document",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, entity_id)) == GH_OK && (err = store_bind(st, 2, name)) == GH_OK &&
        (err = store_bind(st, 3, document)) == GH_OK)
        err = store_step_done(st);
    store_stmt_done(st);
    return err;
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
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c, "DELETE FROM inline_policies WHERE entity_id = ?1 AND name = ?2",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, entity_id)) == GH_OK && (err = store_bind(st, 2, name)) == GH_OK &&
        (err = store_step_done(st)) == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_inline_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice entity_id,
                     const struct gh_store_page *page, struct gh_slice **names, size_t *count,
                     struct gh_store_more *more)
{
    sqlite3_stmt *st = NULL;
    struct gh_slice m1, m2;
    struct gh_slice *v = NULL;
    size_t n = 0, cap = 0;
    int64_t limit;
    enum gh_err err;
    bool row;

    *names = NULL;
    *count = 0;
    memset(more, 0, sizeof(*more));
    if ((err = store_page_limit(page, &limit)) != GH_OK ||
        (err = store_marker_decode(a, page, &m1, &m2)) != GH_OK)
        return err;
    if ((err = store_stmt(tx->c,
                          "SELECT name FROM inline_policies WHERE entity_id = ?1 AND name > ?2"
                          " ORDER BY name LIMIT ?3",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, entity_id)) != GH_OK || (err = store_bind(st, 2, m1)) != GH_OK ||
        (err = store_bind_i64(st, 3, limit < 0 ? -1 : limit + 1)) != GH_OK)
        goto done;
    for (;;) {
        if ((err = store_step(st, &row)) != GH_OK)
            goto done;
        if (!row)
            break;
        if (limit >= 0 && (int64_t)n == limit) {
            more->truncated = true;
            break;
        }
        if ((err = store_grow(a, (void **)&v, &cap, n, sizeof(*v))) != GH_OK ||
            (err = store_col(a, st, 0, &v[n])) != GH_OK)
            goto done;
        n++;
    }
    if (more->truncated &&
        (err = store_marker_encode(a, v[n - 1], GH_SLICE_NULL, &more->next_marker)) != GH_OK)
        goto done;
    *names = v;
    *count = n;
done:
    store_stmt_done(st);
    if (err != GH_OK) {
        *names = NULL;
        *count = 0;
        memset(more, 0, sizeof(*more));
    }
    return err;
}
