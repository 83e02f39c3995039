/*
 * signout.c: signed-out sessions (console sign-out), one row per temporary
 * access key id, kept until the session would have expired and pruned
 * after, so the table holds only sessions that could still be used.
 */
#include <string.h>

#include "store/store_int.h"

/* Never more rows read at once than a put allows, plus slack for clocks. */
#define SIGNOUT_READ_MAX 100000

static enum gh_err
signout_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_store_signout *s = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &s->access_key_id)) != GH_OK ||
        (err = store_col(a, st, 1, &s->account)) != GH_OK)
        return err;
    s->expires = sqlite3_column_int64(st, 2);
    return GH_OK;
}

enum gh_err
gh_store_signout_put(struct gh_store_tx *tx, const struct gh_store_signout *s, int64_t now,
                     size_t max_live)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;
    int64_t live = 0;

    if (!tx->write || s->access_key_id.len == 0 || s->account.len == 0)
        return GH_ERR_INVALID_PARAM;
    if (s->expires <= now)
        return GH_OK; /* already refused as expired */
    if ((err = store_stmt(tx->c, "DELETE FROM session_signouts WHERE expires <= ?1", &st)) != GH_OK)
        return err;
    if ((err = store_bind_i64(st, 1, now)) != GH_OK || (err = store_step_done(st)) != GH_OK)
        goto done;
    store_stmt_done(st);
    st = NULL;
    if ((err = store_stmt(tx->c, "SELECT count(*) FROM session_signouts", &st)) != GH_OK)
        return err;
    if ((err = store_step(st, &row)) != GH_OK)
        goto done;
    live = row ? sqlite3_column_int64(st, 0) : 0;
    store_stmt_done(st);
    st = NULL;
    if (live < 0 || (uint64_t)live >= max_live)
        return GH_ERR_LIMIT;
    /* A second sign-out of the same key keeps the later expiry. */
    if ((err = store_stmt(tx->c,
                          "INSERT INTO session_signouts(access_key_id, account, expires)"
                          " VALUES (?1, ?2, ?3) ON CONFLICT(access_key_id) DO UPDATE SET"
                          " expires = max(expires, excluded.expires)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, s->access_key_id)) != GH_OK ||
        (err = store_bind(st, 2, s->account)) != GH_OK ||
        (err = store_bind_i64(st, 3, s->expires)) != GH_OK)
        goto done;
    err = store_step_done(st);
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_signout_list(struct gh_store_tx *tx, struct gh_arena *a, int64_t now,
                      struct gh_store_signout **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    *out = NULL;
    *count = 0;
    if ((err = store_stmt(tx->c,
                          "SELECT access_key_id, account, expires FROM session_signouts"
                          " WHERE expires > ?1 ORDER BY access_key_id LIMIT ?2",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind_i64(st, 1, now)) != GH_OK ||
        (err = store_bind_i64(st, 2, SIGNOUT_READ_MAX)) != GH_OK)
        goto done;
    err = store_rows_read(a, st, -1, sizeof(**out), signout_row, -1, -1, (void **)out, count, NULL);
done:
    store_stmt_done(st);
    if (err != GH_OK) {
        *out = NULL;
        *count = 0;
    }
    return err;
}
