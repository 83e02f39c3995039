/*
 * sigv4_cache.c: SigV4 signing-key derivation and a bounded, sharded cache
 * of derived keys (one small mutex per shard, never one lock for all),
 * keyed by access key id, scope and a keyed hash of the secret so that a
 * changed secret never reuses an old key.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/core.h"
#include "crypto/crypto.h"

/* 16 shards x 64 entries: a key per (access key, day, region, service) for ~1000 callers. */
#define SHARDS 16
#define SHARD_ENTRIES 64

struct entry {
    bool used;
    uint8_t id[GH_SHA256_LEN];  /* SHA-256 of access key id, date, region, service */
    uint8_t tag[GH_SHA256_LEN]; /* HMAC(cache salt, secret) */
    uint8_t key[GH_SHA256_LEN]; /* the signing key */
};

struct shard {
    pthread_mutex_t mu;
    unsigned next; /* round-robin victim */
    struct entry e[SHARD_ENTRIES];
    char pad[64]; /* keep neighbouring shards' locks off one cache line */
};

struct gh_sigv4_key_cache {
    uint8_t salt[GH_SHA256_LEN]; /* so a tag reveals nothing about a secret off this process */
    struct shard shards[SHARDS];
};

struct gh_sigv4_key_cache *
gh_sigv4_key_cache_new(void)
{
    struct gh_sigv4_key_cache *c = calloc(1, sizeof(*c));
    size_t i;

    if (c == NULL)
        return NULL;
    if (gh_random(c->salt, sizeof(c->salt)) != GH_OK) {
        free(c);
        return NULL;
    }
    for (i = 0; i < SHARDS; i++)
        if (pthread_mutex_init(&c->shards[i].mu, NULL) != 0)
            break;
    if (i < SHARDS) {
        while (i-- > 0)
            pthread_mutex_destroy(&c->shards[i].mu);
        OPENSSL_cleanse(c, sizeof(*c));
        free(c);
        return NULL;
    }
    return c;
}

void
gh_sigv4_key_cache_free(struct gh_sigv4_key_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < SHARDS; i++)
        pthread_mutex_destroy(&c->shards[i].mu);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}

void
gh_sigv4_signature(const uint8_t key[GH_SHA256_LEN], struct gh_slice string_to_sign,
                   uint8_t out[GH_SHA256_LEN])
{
    gh_hmac_sha256(key, GH_SHA256_LEN, string_to_sign.ptr != NULL ? string_to_sign.ptr : "",
                   string_to_sign.len, out);
}

/* AWS SigV4: kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request"). */
static void
derive(const struct gh_secret *secret, struct gh_slice date, struct gh_slice region,
       struct gh_slice service, uint8_t out[GH_SHA256_LEN])
{
    uint8_t k0[4 + sizeof(secret->bytes)], k1[GH_SHA256_LEN], k2[GH_SHA256_LEN];

    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret->bytes, secret->len);
    gh_hmac_sha256(k0, 4 + secret->len, date.ptr != NULL ? date.ptr : "", date.len, k1);
    gh_hmac_sha256(k1, sizeof(k1), region.ptr != NULL ? region.ptr : "", region.len, k2);
    gh_hmac_sha256(k2, sizeof(k2), service.ptr != NULL ? service.ptr : "", service.len, k1);
    gh_hmac_sha256(k1, sizeof(k1), GH_SIGV4_TERMINATOR, sizeof(GH_SIGV4_TERMINATOR) - 1, out);
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(k1, sizeof(k1));
    OPENSSL_cleanse(k2, sizeof(k2));
}

/* Length-prefixed fields, so "ab"+"c" and "a"+"bc" differ. */
static void
put_field(struct gh_sha256_ctx *h, struct gh_slice s)
{
    uint8_t len[4] = {(uint8_t)(s.len >> 24), (uint8_t)(s.len >> 16), (uint8_t)(s.len >> 8),
                      (uint8_t)s.len};

    gh_sha256_update(h, len, sizeof(len));
    if (s.len > 0)
        gh_sha256_update(h, s.ptr, s.len);
}

enum gh_err
gh_sigv4_key_get(struct gh_sigv4_key_cache *cache, const struct gh_secret *secret,
                 struct gh_slice access_key_id, struct gh_slice date, struct gh_slice region,
                 struct gh_slice service, uint8_t out[GH_SHA256_LEN])
{
    uint8_t id[GH_SHA256_LEN], tag[GH_SHA256_LEN];
    struct gh_sha256_ctx h;
    struct shard *sh;
    struct entry *slot = NULL;
    enum gh_err err;

    if (secret->len > sizeof(secret->bytes))
        return GH_ERR_INTERNAL;
    if (cache == NULL) {
        derive(secret, date, region, service, out);
        return GH_OK;
    }
    if ((err = gh_sha256_init(&h)) != GH_OK)
        return err;
    put_field(&h, access_key_id);
    put_field(&h, date);
    put_field(&h, region);
    put_field(&h, service);
    gh_sha256_final(&h, id);
    gh_sha256_cleanup(&h);
    gh_hmac_sha256(cache->salt, sizeof(cache->salt), secret->bytes, secret->len, tag);

    sh = &cache->shards[id[0] % SHARDS];
    pthread_mutex_lock(&sh->mu);
    for (size_t i = 0; i < SHARD_ENTRIES; i++) {
        struct entry *e = &sh->e[i];

        if (e->used && memcmp(e->id, id, sizeof(id)) == 0) {
            if (CRYPTO_memcmp(e->tag, tag, sizeof(tag)) == 0) {
                memcpy(out, e->key, GH_SHA256_LEN);
                pthread_mutex_unlock(&sh->mu);
                OPENSSL_cleanse(tag, sizeof(tag));
                return GH_OK;
            }
            slot = e; /* same scope, new secret: replace in place */
            break;
        }
    }
    pthread_mutex_unlock(&sh->mu);

    /* Derive outside the lock: four HMACs are the expensive part. */
    derive(secret, date, region, service, out);

    pthread_mutex_lock(&sh->mu);
    if (slot == NULL || !(slot->used && memcmp(slot->id, id, sizeof(id)) == 0)) {
        slot = &sh->e[sh->next];
        sh->next = (sh->next + 1) % SHARD_ENTRIES;
    }
    OPENSSL_cleanse(slot, sizeof(*slot));
    slot->used = true;
    memcpy(slot->id, id, sizeof(id));
    memcpy(slot->tag, tag, sizeof(tag));
    memcpy(slot->key, out, GH_SHA256_LEN);
    pthread_mutex_unlock(&sh->mu);
    OPENSSL_cleanse(tag, sizeof(tag));
    return GH_OK;
}
