/*
 * limit.c: counts failed console sign-ins per user and per client address
 * in fixed windows, so password guessing is slowed without a store write.
 * A small hashed table: each key probes 8 slots and, when none is its own
 * or free, takes over the one whose window is oldest.
 */
#include <string.h>

#include "console/console_int.h"

#define PROBES 8

static size_t
hash_of(struct gh_slice key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (size_t i = 0; i < key.len; i++) {
        h ^= (unsigned char)key.ptr[i];
        h *= 1099511628211ULL;
    }
    return (size_t)(h % GH_CONSOLE_LIMIT_SLOTS);
}

enum gh_err
gh_console_limit_init(struct gh_console_limit *l)
{
    memset(l->slots, 0, sizeof(l->slots));
    return pthread_mutex_init(&l->lock, NULL) == 0 ? GH_OK : GH_ERR_NOMEM;
}

void
gh_console_limit_cleanup(struct gh_console_limit *l)
{
    pthread_mutex_destroy(&l->lock);
}

/* The slot of `key` (lock held); with `create`, a free or the oldest one. */
static struct gh_console_limit_slot *
find(struct gh_console_limit *l, struct gh_slice key, bool create)
{
    size_t h = hash_of(key);
    struct gh_console_limit_slot *victim = NULL;

    for (size_t p = 0; p < PROBES; p++) {
        struct gh_console_limit_slot *s = &l->slots[(h + p) % GH_CONSOLE_LIMIT_SLOTS];
        if (s->key[0] != '\0' && gh_slice_eq_cstr(key, s->key))
            return s;
        if (victim == NULL || s->key[0] == '\0' ||
            (victim->key[0] != '\0' && s->window_start < victim->window_start))
            victim = s;
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof(*victim));
    memcpy(victim->key, key.ptr, key.len);
    return victim;
}

static bool
key_ok(struct gh_slice key)
{
    return key.len > 0 && key.len < GH_CONSOLE_LIMIT_KEY_MAX &&
           memchr(key.ptr, '\0', key.len) == NULL;
}

bool
gh_console_limit_blocked(struct gh_console_limit *l, struct gh_slice key, unsigned max, int64_t now)
{
    struct gh_console_limit_slot *s;
    bool blocked = false;

    if (!key_ok(key))
        return true; /* fail closed: such keys are never built */
    pthread_mutex_lock(&l->lock);
    s = find(l, key, false);
    if (s != NULL && now - s->window_start < GH_CONSOLE_FAIL_WINDOW_S && s->fails >= max)
        blocked = true;
    pthread_mutex_unlock(&l->lock);
    return blocked;
}

void
gh_console_limit_fail(struct gh_console_limit *l, struct gh_slice key, int64_t now)
{
    struct gh_console_limit_slot *s;

    if (!key_ok(key))
        return;
    pthread_mutex_lock(&l->lock);
    s = find(l, key, true);
    if (s->fails == 0 || now - s->window_start >= GH_CONSOLE_FAIL_WINDOW_S) {
        s->window_start = now;
        s->fails = 0;
    }
    s->fails++;
    pthread_mutex_unlock(&l->lock);
}

void
gh_console_limit_clear(struct gh_console_limit *l, struct gh_slice key)
{
    struct gh_console_limit_slot *s;

    if (!key_ok(key))
        return;
    pthread_mutex_lock(&l->lock);
    if ((s = find(l, key, false)) != NULL)
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&l->lock);
}
