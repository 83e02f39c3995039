/*
 * principal.c: from an access key id to its secret and principal, through
 * a sharded cache validated against the key's account's policy generation
 * (which key and user writes move, and last-used touches do not), so a
 * warm request reads no database and a write is seen by the next request.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"

#define SHARDS 64
#define SHARD_MAX 512 /* entries per shard before the oldest is dropped */

struct entry {
    struct entry *next;
    uint64_t generation; /* the account's policy generation */
    bool cacheable;      /* no write committed while it was loaded */
    struct gh_secret secret;
    enum gh_principal_type type;
    enum gh_key_status status;
    char account[13];
    char *akid, *arn, *user_id, *name, *path; /* one block with the entry */
};

struct shard {
    pthread_mutex_t lock;
    struct entry *head;
    size_t count;
};

struct gh_api_principals {
    struct shard shards[SHARDS];
};

static uint64_t
hash(struct gh_slice s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (size_t i = 0; i < s.len; i++) {
        h ^= (unsigned char)s.ptr[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void
entry_free(struct entry *e)
{
    if (e == NULL)
        return;
    gh_secret_wipe(&e->secret);
    free(e);
}

enum gh_err
gh_api_principals_new(struct gh_api_principals **out)
{
    struct gh_api_principals *p = calloc(1, sizeof(*p));

    *out = NULL;
    if (p == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < SHARDS; i++)
        pthread_mutex_init(&p->shards[i].lock, NULL);
    *out = p;
    return GH_OK;
}

void
gh_api_principals_free(struct gh_api_principals *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < SHARDS; i++) {
        struct entry *e = p->shards[i].head;
        while (e != NULL) {
            struct entry *next = e->next;
            entry_free(e);
            e = next;
        }
        pthread_mutex_destroy(&p->shards[i].lock);
    }
    free(p);
}

static char *
put(char **cursor, struct gh_slice s)
{
    char *p = *cursor;

    if (s.len > 0)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    *cursor += s.len + 1;
    return p;
}

/* Builds a cache entry from the store (one read transaction). */
static enum gh_err
load(struct gh_store *store, struct gh_arena *a, struct gh_slice akid, struct entry **out)
{
    struct gh_store_tx *tx = NULL;
    struct gh_access_key key;
    struct gh_user user;
    struct gh_secret secret = {{0}, 0};
    struct entry *e = NULL;
    struct gh_slice arn, user_id, name = GH_SLICE_NULL, path = GH_SLICE_NULL;
    enum gh_principal_type type;
    enum gh_err err;
    char *cur;
    /* Any commit moves the store-wide generation before a policy one: if it
     * is unchanged across the load and the read of the account's policy
     * generation, that generation describes what was loaded. */
    uint64_t before = gh_store_generation(store);

    *out = NULL;
    memset(&user, 0, sizeof(user));
    if ((err = gh_store_tx_begin(store, false, &tx)) != GH_OK)
        return err;
    if ((err = gh_store_access_key_get(tx, a, akid, &key, &secret)) != GH_OK)
        goto done;
    if (key.user_id.len == 0) {
        type = GH_PRINCIPAL_ROOT;
        arn.ptr = gh_arena_printf(a, "arn:aws:iam::%.*s:root", GH_SP(key.account));
        arn.len = arn.ptr == NULL ? 0 : strlen(arn.ptr);
        user_id = key.account;
    } else {
        type = GH_PRINCIPAL_USER;
        /* A key belongs to its user's unique id: when that user is gone, the
         * key is dead, whoever has the name now (NOT_FOUND: unknown key). */
        if ((err = gh_store_user_get_by_id(tx, a, key.account, key.user_id, &user)) != GH_OK)
            goto done;
        arn.ptr = gh_arena_printf(a, "arn:aws:iam::%.*s:user%.*s%.*s", GH_SP(key.account),
                                  GH_SP(user.path), GH_SP(user.name));
        arn.len = arn.ptr == NULL ? 0 : strlen(arn.ptr);
        user_id = user.id;
        name = user.name;
        path = user.path;
    }
    if (arn.ptr == NULL || key.account.len != 12) {
        err = arn.ptr == NULL ? GH_ERR_NOMEM : GH_ERR_INTERNAL;
        goto done;
    }
    e = calloc(1, sizeof(*e) + akid.len + arn.len + user_id.len + name.len + path.len + 5);
    if (e == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    cur = (char *)(e + 1);
    e->akid = put(&cur, akid);
    e->arn = put(&cur, arn);
    e->user_id = put(&cur, user_id);
    e->name = put(&cur, name);
    e->path = put(&cur, path);
    memcpy(e->account, key.account.ptr, 12);
    e->account[12] = '\0';
    e->type = type;
    e->status = key.status;
    e->generation = gh_store_policy_generation(store, key.account);
    e->cacheable = gh_store_generation(store) == before;
    e->secret = secret;
    *out = e;
    e = NULL;
done:
    gh_secret_wipe(&secret);
    gh_store_tx_rollback(tx);
    entry_free(e);
    return err;
}

static enum gh_err
dup_into(struct gh_arena *a, const char *s, struct gh_slice *out)
{
    return gh_arena_dup(a, gh_slice_from_cstr(s), out);
}

static enum gh_err
fill(const struct entry *e, struct gh_arena *a, struct gh_secret *secret, struct gh_principal *p)
{
    enum gh_err err;

    *secret = e->secret;
    p->type = e->type;
    memcpy(p->account, e->account, sizeof(p->account));
    if ((err = dup_into(a, e->arn, &p->arn)) != GH_OK ||
        (err = dup_into(a, e->user_id, &p->user_id)) != GH_OK ||
        (err = dup_into(a, e->name, &p->name)) != GH_OK ||
        (err = dup_into(a, e->path, &p->path)) != GH_OK ||
        (err = dup_into(a, e->akid, &p->access_key_id)) != GH_OK)
        return err;
    return GH_OK;
}

enum gh_err
gh_api_principal_resolve(struct gh_api_principals *pc, struct gh_store *store, struct gh_arena *a,
                         struct gh_slice akid, struct gh_secret *secret, struct gh_principal *out)
{
    struct shard *sh = &pc->shards[hash(akid) % SHARDS];
    struct entry *e, *fresh = NULL, **pp;
    enum gh_err err = GH_OK;
    bool hit = false;

    memset(out, 0, sizeof(*out));
    gh_secret_wipe(secret);
    pthread_mutex_lock(&sh->lock);
    for (e = sh->head; e != NULL; e = e->next) {
        if (strlen(e->akid) == akid.len && memcmp(e->akid, akid.ptr, akid.len) == 0 &&
            e->generation == gh_store_policy_generation(store, gh_slice_from_cstr(e->account))) {
            hit = true;
            if (e->status == GH_KEY_ACTIVE)
                err = fill(e, a, secret, out);
            else
                err = GH_ERR_INVALID_TOKEN_ID;
            break;
        }
    }
    pthread_mutex_unlock(&sh->lock);
    if (hit)
        goto done;

    err = load(store, a, akid, &fresh);
    if (err == GH_ERR_NOT_FOUND) {
        err = GH_ERR_INVALID_TOKEN_ID;
        goto done;
    }
    if (err != GH_OK)
        goto done;
    err = fresh->status == GH_KEY_ACTIVE ? fill(fresh, a, secret, out) : GH_ERR_INVALID_TOKEN_ID;
    if (!fresh->cacheable)
        goto done; /* used once; the next request loads again */

    pthread_mutex_lock(&sh->lock);
    /* Replace any older entry for the key; drop the oldest when full. */
    for (pp = &sh->head; *pp != NULL;) {
        struct entry *cur = *pp;
        if (strcmp(cur->akid, fresh->akid) == 0) {
            *pp = cur->next;
            entry_free(cur);
            sh->count--;
        } else {
            pp = &cur->next;
        }
    }
    if (sh->count >= SHARD_MAX) {
        for (pp = &sh->head; (*pp)->next != NULL; pp = &(*pp)->next)
            ;
        entry_free(*pp);
        *pp = NULL;
        sh->count--;
    }
    fresh->next = sh->head;
    sh->head = fresh;
    sh->count++;
    fresh = NULL;
    pthread_mutex_unlock(&sh->lock);
done:
    entry_free(fresh);
    if (err != GH_OK) {
        gh_secret_wipe(secret);
        memset(out, 0, sizeof(*out));
    }
    return err;
}
