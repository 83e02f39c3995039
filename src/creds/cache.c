/*
 * cache.c: the role credentials a host holds: the current set behind a
 * small lock, replaced by a refresher thread well before it expires, and
 * the JSON string writer the endpoints share.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "creds/creds.h"

struct gh_creds_cache {
    struct gh_creds_fetcher fetcher;
    pthread_mutex_t lock; /* guards `cur` for the few lines of a copy or swap */
    struct gh_creds_set cur;
    bool have;
    pthread_t thread;
    bool started;
    atomic_bool stop;
    char who[64];
};

void
gh_creds_set_clear(struct gh_creds_set *s)
{
    if (s->token != NULL) {
        OPENSSL_cleanse(s->token, strlen(s->token));
        free(s->token);
    }
    OPENSSL_cleanse(s, sizeof(*s));
    s->token = NULL;
}

enum gh_err
gh_creds_set_copy(struct gh_creds_set *dst, const struct gh_creds_set *src)
{
    size_t n;

    memcpy(dst, src, sizeof(*dst));
    dst->token = NULL;
    if (src->token == NULL)
        return GH_OK;
    n = strlen(src->token);
    if ((dst->token = malloc(n + 1)) == NULL) {
        OPENSSL_cleanse(dst, sizeof(*dst));
        return GH_ERR_NOMEM;
    }
    memcpy(dst->token, src->token, n + 1);
    return GH_OK;
}

int64_t
gh_creds_set_refresh_at(const struct gh_creds_set *s)
{
    int64_t life = s->expires - s->updated, margin = GH_CREDS_REFRESH_MARGIN_S;

    if (life / 4 > margin)
        margin = life / 4;
    /* A set shorter-lived than the margin is refreshed half way. */
    if (margin >= life)
        margin = life / 2;
    return s->expires - margin;
}

enum gh_err
gh_creds_cache_new(struct gh_creds_fetcher f, struct gh_creds_cache **out)
{
    struct gh_creds_cache *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (c == NULL)
        return GH_ERR_NOMEM;
    c->fetcher = f;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return GH_ERR_INTERNAL;
    }
    atomic_init(&c->stop, false);
    *out = c;
    return GH_OK;
}

void
gh_creds_cache_free(struct gh_creds_cache *c)
{
    if (c == NULL)
        return;
    if (c->started) {
        atomic_store(&c->stop, true);
        (void)pthread_join(c->thread, NULL);
    }
    gh_creds_set_clear(&c->cur);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

enum gh_err
gh_creds_cache_put(struct gh_creds_cache *c, const struct gh_creds_set *s)
{
    struct gh_creds_set copy, old;
    enum gh_err err;

    if ((err = gh_creds_set_copy(&copy, s)) != GH_OK)
        return err;
    pthread_mutex_lock(&c->lock);
    old = c->cur;
    c->cur = copy;
    c->have = true;
    pthread_mutex_unlock(&c->lock);
    gh_creds_set_clear(&old); /* outside the lock */
    OPENSSL_cleanse(&copy, sizeof(copy));
    return GH_OK;
}

enum gh_err
gh_creds_cache_refresh(struct gh_creds_cache *c, char *why, size_t why_len)
{
    struct gh_creds_set fresh;
    enum gh_err err;

    memset(&fresh, 0, sizeof(fresh));
    if (why_len > 0)
        why[0] = '\0';
    err = c->fetcher.fetch(c->fetcher.ctx, &fresh, why, why_len);
    if (err == GH_OK)
        err = gh_creds_cache_put(c, &fresh);
    gh_creds_set_clear(&fresh);
    return err;
}

enum gh_err
gh_creds_cache_get(struct gh_creds_cache *c, int64_t now, struct gh_creds_set *out)
{
    enum gh_err err = GH_ERR_NOT_FOUND;

    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&c->lock);
    if (c->have && c->cur.expires > now)
        err = gh_creds_set_copy(out, &c->cur);
    pthread_mutex_unlock(&c->lock);
    return err;
}

static void *
refresher(void *arg)
{
    struct gh_creds_cache *c = arg;
    int64_t next = 0;

    pthread_mutex_lock(&c->lock);
    if (c->have)
        next = gh_creds_set_refresh_at(&c->cur);
    pthread_mutex_unlock(&c->lock);
    while (!atomic_load(&c->stop)) {
        /* Short sleeps, so a stop request and a clock change are seen soon. */
        struct timespec ts = {0, 200 * 1000 * 1000};
        int64_t now = gh_now_s();
        if (now >= next) {
            char why[512];
            if (gh_creds_cache_refresh(c, why, sizeof(why)) == GH_OK) {
                pthread_mutex_lock(&c->lock);
                next = gh_creds_set_refresh_at(&c->cur);
                pthread_mutex_unlock(&c->lock);
                fprintf(stderr, "%s: credentials refreshed\n", c->who);
            } else {
                fprintf(stderr, "%s: cannot refresh the credentials (will retry in %d s): %s\n",
                        c->who, GH_CREDS_RETRY_S, why[0] != '\0' ? why : "unknown error");
                next = now + GH_CREDS_RETRY_S;
            }
        }
        (void)nanosleep(&ts, NULL);
    }
    return NULL;
}

enum gh_err
gh_creds_cache_start(struct gh_creds_cache *c, const char *who)
{
    if (c->started)
        return GH_OK;
    (void)snprintf(c->who, sizeof(c->who), "%s", who);
    if (pthread_create(&c->thread, NULL, refresher, c) != 0)
        return GH_ERR_INTERNAL;
    c->started = true;
    return GH_OK;
}

void
gh_creds_json_str(struct gh_buf *b, struct gh_slice s)
{
    gh_buf_puts(b, "\"");
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        if (ch == '"' || ch == '\\')
            gh_buf_putf(b, "\\%c", ch);
        else if (ch < 0x20)
            gh_buf_putf(b, "\\u%04x", ch);
        else
            gh_buf_put(b, (struct gh_slice){(const char *)&s.ptr[i], 1});
    }
    gh_buf_puts(b, "\"");
}
