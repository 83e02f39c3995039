/*
 * buf.c: growable output buffers with a hard maximum; freed buffers are
 * wiped because some of them carry secrets on their way to a client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/core.h"

void
gh_buf_init(struct gh_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max == 0 ? GH_BUF_MAX : max;
    b->failed = false;
    b->err = GH_OK;
}

void
gh_free_wiped(void *p, size_t n)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p, n);
    free(p);
}

void
gh_buf_cleanup(struct gh_buf *b)
{
    gh_free_wiped(b->ptr, b->cap);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
    b->err = GH_OK;
}

void
gh_buf_reset(struct gh_buf *b)
{
    b->len = 0;
    if (b->ptr != NULL)
        b->ptr[0] = '\0';
    b->failed = false;
    b->err = GH_OK;
}

static enum gh_err
fail(struct gh_buf *b, enum gh_err err)
{
    b->failed = true;
    b->err = err;
    return err;
}

static enum gh_err
reserve(struct gh_buf *b, size_t n)
{
    size_t cap;
    char *p;

    if (b->failed)
        return b->err;
    if (n > b->max || b->len > b->max - n)
        return fail(b, GH_ERR_TOO_LARGE);
    if (b->len + n + 1 <= b->cap)
        return GH_OK;
    cap = b->cap == 0 ? 256 : b->cap;
    while (cap < b->len + n + 1)
        cap *= 2;
    /* Not realloc: the old block may hold secret bytes and must be wiped. */
    p = malloc(cap);
    if (p == NULL)
        return fail(b, GH_ERR_NOMEM);
    if (b->ptr != NULL) {
        memcpy(p, b->ptr, b->len);
        gh_free_wiped(b->ptr, b->cap);
    }
    b->ptr = p;
    b->cap = cap;
    return GH_OK;
}

enum gh_err
gh_buf_append(struct gh_buf *b, const void *p, size_t n)
{
    enum gh_err err = reserve(b, n);

    if (err != GH_OK)
        return err;
    if (n > 0)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return GH_OK;
}

enum gh_err
gh_buf_extend(struct gh_buf *b, size_t n, char **out)
{
    enum gh_err err = reserve(b, n);

    *out = NULL;
    if (err != GH_OK)
        return err;
    memset(b->ptr + b->len, 0, n);
    *out = b->ptr + b->len;
    b->len += n;
    b->ptr[b->len] = '\0';
    return GH_OK;
}

enum gh_err
gh_buf_append_slice(struct gh_buf *b, struct gh_slice s)
{
    return gh_buf_append(b, s.ptr, s.len);
}

enum gh_err
gh_buf_append_cstr(struct gh_buf *b, const char *s)
{
    return gh_buf_append(b, s, strlen(s));
}

enum gh_err
gh_buf_append_char(struct gh_buf *b, char c)
{
    return gh_buf_append(b, &c, 1);
}

enum gh_err
gh_buf_vprintf(struct gh_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    enum gh_err err;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return fail(b, GH_ERR_INTERNAL);
    if ((err = reserve(b, (size_t)n)) != GH_OK)
        return err;
    (void)vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return GH_OK;
}

enum gh_err
gh_buf_printf(struct gh_buf *b, const char *fmt, ...)
{
    va_list ap;
    enum gh_err err;

    va_start(ap, fmt);
    err = gh_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return err;
}

void
gh_buf_put(struct gh_buf *b, struct gh_slice s)
{
    if (gh_buf_append(b, s.ptr, s.len) != GH_OK)
        return; /* sticky: gh_buf_status reports it */
}

void
gh_buf_puts(struct gh_buf *b, const char *s)
{
    if (gh_buf_append(b, s, strlen(s)) != GH_OK)
        return; /* sticky: gh_buf_status reports it */
}

void
gh_buf_putf(struct gh_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (gh_buf_vprintf(b, fmt, ap) != GH_OK) {
        /* sticky: gh_buf_status reports it */
    }
    va_end(ap);
}

enum gh_err
gh_buf_status(const struct gh_buf *b)
{
    return b->failed ? b->err : GH_OK;
}

struct gh_slice
gh_buf_slice(const struct gh_buf *b)
{
    return (struct gh_slice){b->ptr == NULL ? "" : b->ptr, b->len};
}
