/*
 * page.c: Marker/MaxItems pagination shared by every list. A marker is
 * opaque to clients: base64 of the last returned sort key (one or two
 * parts joined by a newline, which no IAM name or account id contains).
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
