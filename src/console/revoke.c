/*
 * revoke.c: the set of console sessions signed out before their expiry,
 * keyed by their temporary access key id (ASIA...). An open-addressed
 * table kept at most half full; expired entries are dropped by rebuilding
 * it when it fills, so lookups never meet a deleted slot.
 */
#include <stdlib.h>
#include <string.h>

#include "console/console_int.h"

static size_t
slot_of(struct gh_slice akid)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (size_t i = 0; i < akid.len; i++) {
        h ^= (unsigned char)akid.ptr[i];
        h *= 1099511628211ULL;
    }
    return (size_t)(h % GH_CONSOLE_REVOKED_MAX);
}

enum gh_err
gh_console_revoked_init(struct gh_console_revoked *r)
{
    memset(r->slots, 0, sizeof(r->slots));
    atomic_init(&r->count, 0);
    return pthread_rwlock_init(&r->lock, NULL) == 0 ? GH_OK : GH_ERR_NOMEM;
}

void
gh_console_revoked_cleanup(struct gh_console_revoked *r)
{
    pthread_rwlock_destroy(&r->lock);
}

static void
put(struct gh_console_revoked *r, const char *akid, int64_t expires)
{
    size_t i = slot_of(gh_slice_from_cstr(akid));

    while (r->slots[i].akid[0] != '\0' && strcmp(r->slots[i].akid, akid) != 0)
        i = (i + 1) % GH_CONSOLE_REVOKED_MAX;
    if (r->slots[i].akid[0] == '\0')
        atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
    memcpy(r->slots[i].akid, akid, sizeof(r->slots[i].akid));
    if (expires > r->slots[i].expires)
        r->slots[i].expires = expires;
}

/* Keeps only live entries (called with the write lock held). */
static void
rebuild(struct gh_console_revoked *r, int64_t now)
{
    struct gh_console_revoked_slot *live = NULL;
    size_t n = 0;

    live = calloc(GH_CONSOLE_REVOKED_MAX, sizeof(*live));
    if (live == NULL)
        return; /* keep everything: more remembered is never less safe */
    for (size_t i = 0; i < GH_CONSOLE_REVOKED_MAX; i++)
        if (r->slots[i].akid[0] != '\0' && r->slots[i].expires > now)
            live[n++] = r->slots[i];
    memset(r->slots, 0, sizeof(r->slots));
    atomic_store_explicit(&r->count, 0, memory_order_relaxed);
    for (size_t i = 0; i < n; i++)
        put(r, live[i].akid, live[i].expires);
    free(live);
}

enum gh_err
gh_console_revoked_add(struct gh_console_revoked *r, struct gh_slice akid, int64_t expires,
                       int64_t now)
{
    char key[21];
    enum gh_err err = GH_OK;

    if (akid.len == 0 || akid.len >= sizeof(key) || memchr(akid.ptr, '\0', akid.len) != NULL)
        return GH_ERR_INVALID_INPUT;
    if (expires <= now)
        return GH_OK; /* already refused as ExpiredToken */
    memcpy(key, akid.ptr, akid.len);
    key[akid.len] = '\0';
    pthread_rwlock_wrlock(&r->lock);
    if (atomic_load_explicit(&r->count, memory_order_relaxed) >= GH_CONSOLE_REVOKED_MAX / 2)
        rebuild(r, now);
    if (atomic_load_explicit(&r->count, memory_order_relaxed) >= GH_CONSOLE_REVOKED_MAX / 2)
        err = GH_ERR_LIMIT;
    else
        put(r, key, expires);
    pthread_rwlock_unlock(&r->lock);
    return err;
}

bool
gh_console_revoked_has(struct gh_console_revoked *r, struct gh_slice akid, int64_t now)
{
    bool found = false;
    size_t i;

    if (atomic_load_explicit(&r->count, memory_order_acquire) == 0)
        return false;
    pthread_rwlock_rdlock(&r->lock);
    i = slot_of(akid);
    for (size_t probes = 0; probes < GH_CONSOLE_REVOKED_MAX && r->slots[i].akid[0] != '\0';
         probes++) {
        if (gh_slice_eq_cstr(akid, r->slots[i].akid)) {
            found = r->slots[i].expires > now;
            break;
        }
        i = (i + 1) % GH_CONSOLE_REVOKED_MAX;
    }
    pthread_rwlock_unlock(&r->lock);
    return found;
}
