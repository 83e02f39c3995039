/*
 * page.c: Marker/MaxItems pagination and the row-reading loop shared by
 * every list. A marker is opaque to clients: base64 of the last returned
 * sort key (one or two parts joined by a newline, which no IAM name or
 * account id contains).
 */
#include <string.h>

#include "store/store_int.h"

enum gh_err
store_page_limit(const struct gh_store_page *page, int64_t *limit)
{
    *limit = -1; /* SQLite: a negative LIMIT means none */
    if (page == NULL)
        return GH_OK;
    /* AWS IAM: MaxItems is 1..1000. */
    if (page->max_items < 1 || page->max_items > GH_IAM_MAX_ITEMS_MAX)
        return GH_ERR_VALIDATION;
    *limit = (int64_t)page->max_items;
    return GH_OK;
}

enum gh_err
store_marker_decode(struct gh_arena *a, const struct gh_store_page *page, struct gh_slice *k1,
                    struct gh_slice *k2)
{
    struct gh_buf b;
    struct gh_slice raw;
    enum gh_err err;
    long nl;

    *k1 = GH_S("");
    *k2 = GH_S("");
    if (page == NULL || page->marker.len == 0)
        return GH_OK;
    if (page->marker.len > 4096)
        return GH_ERR_VALIDATION;
    gh_buf_init(&b, 4096);
    if (gh_base64_decode(page->marker, false, &b) != GH_OK) {
        err = GH_ERR_VALIDATION; /* not a marker we issued */
        goto done;
    }
    if ((err = gh_arena_dup(a, gh_buf_slice(&b), &raw)) != GH_OK)
        goto done;
    nl = gh_slice_index(raw, '\n');
    if (nl < 0) {
        *k1 = raw;
    } else {
        *k1 = gh_slice_sub(raw, 0, (size_t)nl);
        *k2 = gh_slice_sub(raw, (size_t)nl + 1, raw.len - (size_t)nl - 1);
    }
    if (k1->len == 0)
        err = GH_ERR_VALIDATION;
done:
    gh_buf_cleanup(&b);
    return err;
}

enum gh_err
store_marker_encode(struct gh_arena *a, struct gh_slice k1, struct gh_slice k2,
                    struct gh_slice *out)
{
    struct gh_buf raw, enc;
    enum gh_err err;

    *out = GH_SLICE_NULL;
    gh_buf_init(&raw, 0);
    gh_buf_init(&enc, 0);
    gh_buf_put(&raw, k1);
    if (k2.len > 0) {
        gh_buf_puts(&raw, "\n");
        gh_buf_put(&raw, k2);
    }
    if ((err = gh_buf_status(&raw)) != GH_OK)
        goto done;
    if ((err = gh_base64_encode(&enc, (const uint8_t *)raw.ptr, raw.len)) != GH_OK)
        goto done;
    err = gh_arena_dup(a, gh_buf_slice(&enc), out);
done:
    gh_buf_cleanup(&raw);
    gh_buf_cleanup(&enc);
    return err;
}

enum gh_err
store_grow(struct gh_arena *a, void **v, size_t *cap, size_t n, size_t size)
{
    size_t ncap;
    void *nv;

    if (n < *cap)
        return GH_OK;
    ncap = *cap == 0 ? 16 : *cap * 2;
    if (ncap > SIZE_MAX / size)
        return GH_ERR_NOMEM;
    if ((nv = gh_arena_alloc(a, ncap * size)) == NULL)
        return GH_ERR_NOMEM;
    if (n > 0)
        memcpy(nv, *v, n * size);
    *v = nv;
    *cap = ncap;
    return GH_OK;
}

enum gh_err
store_rows_read(struct gh_arena *a, sqlite3_stmt *st, int64_t limit, size_t size,
                enum gh_err (*row)(struct gh_arena *, sqlite3_stmt *, void *), int key_col,
                int key2_col, void **out, size_t *count, struct gh_store_more *more)
{
    struct gh_slice k1 = GH_SLICE_NULL, k2 = GH_SLICE_NULL;
    unsigned char *v = NULL;
    size_t n = 0, cap = 0;
    enum gh_err err;
    bool has;

    for (;;) {
        if ((err = store_step(st, &has)) != GH_OK)
            return err;
        if (!has)
            break;
        if (limit >= 0 && (int64_t)n == limit) {
            more->truncated = true;
            break;
        }
        if ((err = store_grow(a, (void **)&v, &cap, n, size)) != GH_OK)
            return err;
        memset(v + n * size, 0, size);
        if ((err = row(a, st, v + n * size)) != GH_OK)
            return err;
        /* The marker's key, kept for the last row only when it may be needed. */
        if (limit >= 0 && ((err = store_col(a, st, key_col, &k1)) != GH_OK ||
                           (key2_col >= 0 && (err = store_col(a, st, key2_col, &k2)) != GH_OK)))
            return err;
        n++;
    }
    if (limit >= 0 && more->truncated &&
        (err = store_marker_encode(a, k1, k2, &more->next_marker)) != GH_OK)
        return err;
    *out = v;
    *count = n;
    return GH_OK;
}

static void
list_clear(void **out, size_t *count, struct gh_store_more *more)
{
    *out = NULL;
    *count = 0;
    memset(more, 0, sizeof(*more));
}

enum gh_err
store_list_run(struct gh_store_tx *tx, struct gh_arena *a, const struct store_list *q,
               const struct gh_slice *args, size_t nargs, const struct gh_store_page *page,
               void **out, size_t *count, struct gh_store_more *more)
{
    struct gh_store_more ignored;
    sqlite3_stmt *st = NULL;
    struct gh_slice m1, m2;
    int64_t limit;
    enum gh_err err;
    int i = 1;

    if (more == NULL)
        more = &ignored;
    list_clear(out, count, more);
    if ((err = store_page_limit(page, &limit)) != GH_OK ||
        (err = store_marker_decode(a, page, &m1, &m2)) != GH_OK)
        return err;
    if ((err = store_stmt(tx->c, q->sql, &st)) != GH_OK)
        return err;
    for (size_t k = 0; k < nargs && err == GH_OK; k++)
        err = store_bind(st, i++, args[k]);
    if (err == GH_OK)
        err = store_bind(st, i++, m1);
    if (err == GH_OK && q->key2_col >= 0)
        err = store_bind(st, i++, m2);
    if (err == GH_OK)
        err = store_bind_i64(st, i, limit < 0 ? -1 : limit + 1);
    if (err == GH_OK)
        err = store_rows_read(a, st, limit, q->size, q->row, q->key_col, q->key2_col, out, count,
                              more);
    store_stmt_done(st);
    if (err != GH_OK)
        list_clear(out, count, more);
    return err;
}
