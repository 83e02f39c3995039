/*
 * tag.c: tags of any entity (user, role, policy ...), keyed by its unique
 * id; keys unique case-insensitively, listed in insertion order.
 */
#include <string.h>

#include "store/store_int.h"

enum gh_err
gh_store_tags_put(struct gh_store_tx *tx, struct gh_slice entity_id,
                  const struct gh_store_tag *tags, size_t count)
{
    enum gh_err err = GH_OK;

    for (size_t i = 0; i < count && err == GH_OK; i++) {
        sqlite3_stmt *st = NULL;

        /* AWS IAM: tagging an existing key overwrites it; the new spelling
         * of the key wins and it keeps its place. */
        if ((err = store_stmt(tx->c,
                              "INSERT INTO tags(entity_id, key, value) VALUES (?1, ?2, ?3)"
                              " ON CONFLICT(entity_id, key)"
                              " DO UPDATE SET key = excluded.key, value = excluded.value",
                              &st)) != GH_OK)
            break;
        if ((err = store_bind(st, 1, entity_id)) == GH_OK &&
            (err = store_bind(st, 2, tags[i].key)) == GH_OK &&
            (err = store_bind(st, 3, tags[i].value)) == GH_OK)
            err = store_step_done(st);
        store_stmt_done(st);
    }
    return err;
}

enum gh_err
gh_store_tags_remove(struct gh_store_tx *tx, struct gh_slice entity_id, const struct gh_slice *keys,
                     size_t count)
{
    enum gh_err err = GH_OK;

    /* AWS IAM: untagging a key that is not there is not an error. */
    for (size_t i = 0; i < count && err == GH_OK; i++) {
        sqlite3_stmt *st = NULL;

        if ((err = store_stmt(tx->c, "DELETE FROM tags WHERE entity_id = ?1 AND key = ?2", &st)) !=
            GH_OK)
            break;
        if ((err = store_bind(st, 1, entity_id)) == GH_OK &&
            (err = store_bind(st, 2, keys[i])) == GH_OK)
            err = store_step_done(st);
        store_stmt_done(st);
    }
    return err;
}

/* Columns: key, value. */
static enum gh_err
tag_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_store_tag *t = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &t->key)) != GH_OK)
        return err;
    return store_col(a, st, 1, &t->value);
}

enum gh_err
gh_store_tags_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice entity_id,
                   struct gh_store_tag **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    *out = NULL;
    *count = 0;
    if ((err = store_stmt(tx->c, "SELECT key, value FROM tags WHERE entity_id = ?1 ORDER BY seq",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, entity_id)) == GH_OK)
        err = store_rows_read(a, st, -1, sizeof(**out), tag_row, -1, -1, (void **)out, count, NULL);
    store_stmt_done(st);
    return err;
}
