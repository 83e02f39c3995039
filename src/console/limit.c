/*
 * limit.c: counts console sign-in attempts per client address, per user
 * and per account in fixed windows, so password guessing is slowed
 * without a store write. A hashed table of GH_CONSOLE_LIMIT_SLOTS: a key
 * lives in one of the PROBES slots after its home slot. The hash is
 * SipHash-2-4 under a key drawn at start, so clients cannot choose names
 * that share slots; a key at its limit is never pushed out while its
 * window lasts, and when no slot can be had the attempt is refused.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "console/console_int.h"
#include "crypto/crypto.h"

#define PROBES 8

size_t
gh_console_limit_home(const struct gh_console_limit *l, struct gh_slice key)
{
    return (size_t)(gh_siphash24(l->hash_key, key) % GH_CONSOLE_LIMIT_SLOTS);
}

enum gh_err
gh_console_limit_init(struct gh_console_limit *l)
{
    enum gh_err err;

    memset(l->slots, 0, sizeof(l->slots));
    if ((err = gh_random(l->hash_key, sizeof(l->hash_key))) != GH_OK)
        return err;
    return pthread_mutex_init(&l->lock, NULL) == 0 ? GH_OK : GH_ERR_NOMEM;
}

void
gh_console_limit_cleanup(struct gh_console_limit *l)
{
    OPENSSL_cleanse(l->hash_key, sizeof(l->hash_key));
    pthread_mutex_destroy(&l->lock);
}

/* True when `s` counts nothing now: free, no failures, or its window is over. */
static bool
is_idle(const struct gh_console_limit_slot *s, int64_t now)
{
    return s->key[0] == '\0' || s->fails == 0 || now - s->window_start >= GH_CONSOLE_FAIL_WINDOW_S;
}

/* True when `s` has reached its limit in a window that still holds `now`. */
static bool
is_over(const struct gh_console_limit_slot *s, int64_t now)
{
    return !is_idle(s, now) && s->fails >= s->max;
}

/* The slot that holds `key` (lock held), or NULL. */
static struct gh_console_limit_slot *
find(struct gh_console_limit *l, size_t home, struct gh_slice key)
{
    for (size_t p = 0; p < PROBES; p++) {
        struct gh_console_limit_slot *s = &l->slots[(home + p) % GH_CONSOLE_LIMIT_SLOTS];
        if (s->key[0] != '\0' && gh_slice_eq_cstr(key, s->key))
            return s;
    }
    return NULL;
}

/*
 * A slot for a new key (lock held): an idle one, else the one under its
 * limit whose window is oldest; NULL when every probed slot is at its
 * limit (the caller refuses: an over-limit count is never dropped).
 */
static struct gh_console_limit_slot *
claim(struct gh_console_limit *l, size_t home, struct gh_slice key, int64_t now)
{
    struct gh_console_limit_slot *victim = NULL;

    for (size_t p = 0; p < PROBES; p++) {
        struct gh_console_limit_slot *s = &l->slots[(home + p) % GH_CONSOLE_LIMIT_SLOTS];
        if (is_idle(s, now)) {
            victim = s;
            break;
        }
        if (!is_over(s, now) && (victim == NULL || s->window_start < victim->window_start))
            victim = s;
    }
    if (victim == NULL)
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
gh_console_limit_take(struct gh_console_limit *l, const struct gh_console_limit_key *keys, size_t n,
                      int64_t now)
{
    struct gh_console_limit_slot *slot[GH_CONSOLE_LIMIT_TAKE_MAX];
    size_t home[GH_CONSOLE_LIMIT_TAKE_MAX];
    bool ok = false;

    if (n == 0 || n > GH_CONSOLE_LIMIT_TAKE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!key_ok(keys[i].key) || keys[i].max == 0)
            return false; /* fail closed: such keys are never built */
        home[i] = gh_console_limit_home(l, keys[i].key); /* outside the lock */
    }
    pthread_mutex_lock(&l->lock);
    /* Nothing is counted unless every key may take one more attempt. */
    for (size_t i = 0; i < n; i++) {
        slot[i] = find(l, home[i], keys[i].key);
        if (slot[i] != NULL && is_over(slot[i], now))
            goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (slot[i] == NULL && (slot[i] = claim(l, home[i], keys[i].key, now)) == NULL)
            goto done; /* the probed slots are all over their limits: fail closed */
    for (size_t i = 0; i < n; i++) {
        struct gh_console_limit_slot *s = slot[i];
        if (is_idle(s, now)) {
            s->window_start = now;
            s->fails = 0;
        }
        s->max = keys[i].max;
        s->fails++;
    }
    ok = true;
done:
    pthread_mutex_unlock(&l->lock);
    return ok;
}

void
gh_console_limit_give_back(struct gh_console_limit *l, struct gh_slice key, int64_t now)
{
    struct gh_console_limit_slot *s;
    size_t home;

    if (!key_ok(key))
        return;
    home = gh_console_limit_home(l, key);
    pthread_mutex_lock(&l->lock);
    if ((s = find(l, home, key)) != NULL && !is_idle(s, now))
        s->fails--;
    pthread_mutex_unlock(&l->lock);
}

void
gh_console_limit_clear(struct gh_console_limit *l, struct gh_slice key)
{
    struct gh_console_limit_slot *s;
    size_t home;

    if (!key_ok(key))
        return;
    home = gh_console_limit_home(l, key);
    pthread_mutex_lock(&l->lock);
    if ((s = find(l, home, key)) != NULL)
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&l->lock);
}
