/*
 * cache.c: compiled policies, addressed by the SHA-256 of their kind and
 * document. A document's text decides its compiled form, so an entry is
 * never stale: a changed policy is a different key. Sharded locks; each
 * lock guards a few lines, never the compile.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "crypto/crypto.h"

#define SHARDS 32
#define SHARD_MAX 256

struct entry {
    struct entry *next;
    uint8_t key[GH_SHA256_LEN];
    struct gh_policy *policy;
};

struct shard {
    pthread_mutex_t lock;
    struct entry *head;
    size_t count;
};

struct gh_api_cache {
    struct shard shards[SHARDS];
    struct gh_api_psnaps *psnaps; /* principal snapshots (psnap.c) */
};

struct gh_api_psnaps *
gh_api_cache_psnaps(struct gh_api_cache *c)
{
    return c == NULL ? NULL : c->psnaps;
}

enum gh_err
gh_api_cache_new(struct gh_api_cache **out)
{
    struct gh_api_cache *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (c == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < SHARDS; i++)
        pthread_mutex_init(&c->shards[i].lock, NULL);
    if (gh_api_psnaps_new(&c->psnaps) != GH_OK) {
        gh_api_cache_free(c);
        return GH_ERR_NOMEM;
    }
    *out = c;
    return GH_OK;
}

void
gh_api_cache_free(struct gh_api_cache *c)
{
    if (c == NULL)
        return;
    /* Snapshots first: they hold references to compiled policies. */
    gh_api_psnaps_free(c->psnaps);
    for (size_t i = 0; i < SHARDS; i++) {
        struct entry *e = c->shards[i].head;
        while (e != NULL) {
            struct entry *next = e->next;
            gh_policy_unref(e->policy);
            free(e);
            e = next;
        }
        pthread_mutex_destroy(&c->shards[i].lock);
    }
    free(c);
}

enum gh_err
gh_api_policy_compiled(struct gh_api_cache *c, struct gh_slice doc, enum gh_policy_kind kind,
                       struct gh_diag *diag, struct gh_policy **out)
{
    struct gh_sha256_ctx h;
    uint8_t key[GH_SHA256_LEN], k = (uint8_t)kind;
    struct shard *sh;
    struct entry *e, **pp;
    struct gh_policy *p = NULL;
    enum gh_err err;

    *out = NULL;
    gh_diag_clear(diag);
    if ((err = gh_sha256_init(&h)) != GH_OK)
        return err;
    gh_sha256_update(&h, &k, 1);
    gh_sha256_update(&h, doc.ptr, doc.len);
    gh_sha256_final(&h, key);
    gh_sha256_cleanup(&h);
    sh = &c->shards[key[0] % SHARDS];

    pthread_mutex_lock(&sh->lock);
    for (e = sh->head; e != NULL; e = e->next)
        if (memcmp(e->key, key, sizeof(key)) == 0) {
            p = gh_policy_ref(e->policy);
            break;
        }
    pthread_mutex_unlock(&sh->lock);
    if (p != NULL) {
        *out = p;
        return GH_OK;
    }

    if ((err = gh_policy_compile(doc, kind, diag, &p)) != GH_OK)
        return err;
    if ((e = calloc(1, sizeof(*e))) == NULL) {
        *out = p; /* uncached, still usable */
        return GH_OK;
    }
    memcpy(e->key, key, sizeof(key));
    e->policy = gh_policy_ref(p);
    pthread_mutex_lock(&sh->lock);
    if (sh->count >= SHARD_MAX) { /* drop the oldest */
        for (pp = &sh->head; (*pp)->next != NULL; pp = &(*pp)->next)
            ;
        gh_policy_unref((*pp)->policy);
        free(*pp);
        *pp = NULL;
        sh->count--;
    }
    e->next = sh->head;
    sh->head = e;
    sh->count++;
    pthread_mutex_unlock(&sh->lock);
    *out = p;
    return GH_OK;
}
