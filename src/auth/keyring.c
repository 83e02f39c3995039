/*
 * keyring.c: the token keys that seal session tokens. Kept in the store,
 * sealed under the master key; immutable once loaded and shared by
 * reference, so a rotation publishes a new ring without locking readers.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"

#define META_KEY "token_keys"
#define AAD "gatehouse/token-keys/1"
/* AWS STS: the longest session (GetSessionToken/GetFederationToken) is 36 h;
 * a key retired longer ago than that (plus an hour of slack) opens nothing. */
#define KEY_KEEP_S (129600 + 3600)
#define ENTRY_LEN (4 + 8 + GH_AEAD_KEY_LEN)

struct key_entry {
    uint32_t id;
    int64_t created;
    struct gh_secret key;
};

struct gh_keyring {
    atomic_uint refs;
    size_t n;
    uint32_t current;
    struct key_entry keys[GH_KEYRING_MAX];
};

static void
keyring_free(struct gh_keyring *kr)
{
    for (size_t i = 0; i < kr->n; i++)
        gh_secret_wipe(&kr->keys[i].key);
    OPENSSL_cleanse(kr, sizeof(*kr));
    free(kr);
}

struct gh_keyring *
gh_keyring_ref(struct gh_keyring *kr)
{
    if (kr != NULL)
        atomic_fetch_add(&kr->refs, 1);
    return kr;
}

void
gh_keyring_unref(struct gh_keyring *kr)
{
    if (kr != NULL && atomic_fetch_sub(&kr->refs, 1) == 1)
        keyring_free(kr);
}

enum gh_err
gh_keyring_current(const struct gh_keyring *kr, uint32_t *id, const struct gh_secret **key)
{
    *key = NULL;
    *id = 0;
    for (size_t i = 0; i < kr->n; i++) {
        if (kr->keys[i].id == kr->current) {
            *id = kr->current;
            *key = &kr->keys[i].key;
            return GH_OK;
        }
    }
    return GH_ERR_INTERNAL;
}

enum gh_err
gh_keyring_find(const struct gh_keyring *kr, uint32_t id, const struct gh_secret **key)
{
    *key = NULL;
    for (size_t i = 0; i < kr->n; i++) {
        if (kr->keys[i].id == id) {
            *key = &kr->keys[i].key;
            return GH_OK;
        }
    }
    return GH_ERR_NOT_FOUND;
}

size_t
gh_keyring_count(const struct gh_keyring *kr)
{
    return kr->n;
}

static enum gh_err
decode_ring(struct gh_slice plain, struct gh_keyring *kr)
{
    const uint8_t *p = (const uint8_t *)plain.ptr;

    if (plain.len == 0 || plain.len % ENTRY_LEN != 0 || plain.len / ENTRY_LEN > GH_KEYRING_MAX)
        return GH_ERR_INTERNAL;
    kr->n = plain.len / ENTRY_LEN;
    for (size_t i = 0; i < kr->n; i++, p += ENTRY_LEN) {
        uint64_t c = 0;
        kr->keys[i].id = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        for (int k = 0; k < 8; k++)
            c = (c << 8) | p[4 + k];
        kr->keys[i].created = (int64_t)c;
        if (gh_secret_set(&kr->keys[i].key, p + 12, GH_AEAD_KEY_LEN) != GH_OK)
            return GH_ERR_INTERNAL;
        if (kr->keys[i].id > kr->current)
            kr->current = kr->keys[i].id; /* the newest key seals */
    }
    return GH_OK;
}

static enum gh_err
encode_ring(const struct gh_keyring *kr, struct gh_buf *out)
{
    for (size_t i = 0; i < kr->n; i++) {
        uint8_t e[12];
        uint64_t c = (uint64_t)kr->keys[i].created;
        uint32_t id = kr->keys[i].id;
        e[0] = (uint8_t)(id >> 24);
        e[1] = (uint8_t)(id >> 16);
        e[2] = (uint8_t)(id >> 8);
        e[3] = (uint8_t)id;
        for (int k = 7; k >= 0; k--) {
            e[4 + k] = (uint8_t)(c & 0xFF);
            c >>= 8;
        }
        gh_buf_put(out, (struct gh_slice){(const char *)e, sizeof(e)});
        gh_buf_put(out, (struct gh_slice){(const char *)kr->keys[i].key.bytes, GH_AEAD_KEY_LEN});
    }
    return gh_buf_status(out);
}

/* Reads the ring inside `tx`; GH_ERR_NOT_FOUND when none is stored. */
static enum gh_err
read_ring(struct gh_store_tx *tx, const struct gh_secret *master, struct gh_keyring *kr)
{
    struct gh_arena a;
    struct gh_slice stored;
    struct gh_buf sealed, plain;
    enum gh_err err;

    gh_arena_init(&a);
    gh_buf_init(&sealed, 0);
    gh_buf_init(&plain, 0);
    if ((err = gh_store_meta_get(tx, &a, META_KEY, &stored)) != GH_OK)
        goto done;
    if ((err = gh_base64_decode(stored, false, &sealed)) != GH_OK)
        goto done;
    if ((err = gh_aead_open(master, GH_S(AAD), gh_buf_slice(&sealed), &plain)) != GH_OK)
        goto done;
    err = decode_ring(gh_buf_slice(&plain), kr);
done:
    gh_buf_cleanup(&plain);
    gh_buf_cleanup(&sealed);
    gh_arena_cleanup(&a);
    return err;
}

static enum gh_err
write_ring(struct gh_store_tx *tx, const struct gh_secret *master, const struct gh_keyring *kr)
{
    struct gh_buf plain, sealed, b64;
    enum gh_err err;

    gh_buf_init(&plain, 0);
    gh_buf_init(&sealed, 0);
    gh_buf_init(&b64, 0);
    if ((err = encode_ring(kr, &plain)) != GH_OK)
        goto done;
    if ((err = gh_aead_seal(master, GH_S(AAD), gh_buf_slice(&plain), &sealed)) != GH_OK)
        goto done;
    if ((err = gh_base64_encode(&b64, (const uint8_t *)sealed.ptr, sealed.len)) != GH_OK)
        goto done;
    err = gh_store_meta_set(tx, META_KEY, gh_buf_slice(&b64));
done:
    gh_buf_cleanup(&plain);
    gh_buf_cleanup(&sealed);
    gh_buf_cleanup(&b64);
    return err;
}

static enum gh_err
add_key(struct gh_keyring *kr, int64_t now)
{
    uint8_t k[GH_AEAD_KEY_LEN];
    uint32_t id = kr->current + 1;
    enum gh_err err;
    size_t keep = 0;

    /* Drop keys whose successor has sealed for longer than any token lives. */
    for (size_t i = 0; i < kr->n; i++) {
        bool superseded = false;
        for (size_t j = 0; j < kr->n; j++)
            if (kr->keys[j].id > kr->keys[i].id && now - kr->keys[j].created > KEY_KEEP_S)
                superseded = true;
        if (superseded) {
            gh_secret_wipe(&kr->keys[i].key);
            continue;
        }
        kr->keys[keep++] = kr->keys[i];
    }
    kr->n = keep;
    if (kr->n == GH_KEYRING_MAX)
        return GH_ERR_LIMIT;
    if ((err = gh_random(k, sizeof(k))) != GH_OK)
        return err;
    kr->keys[kr->n].id = id;
    kr->keys[kr->n].created = now;
    err = gh_secret_set(&kr->keys[kr->n].key, k, sizeof(k));
    OPENSSL_cleanse(k, sizeof(k));
    if (err != GH_OK)
        return err;
    kr->n++;
    kr->current = id;
    return GH_OK;
}

static enum gh_err
load_or_rotate(struct gh_store *store, const struct gh_secret *master, bool rotate,
               struct gh_keyring **out)
{
    struct gh_keyring *kr = calloc(1, sizeof(*kr));
    struct gh_store_tx *tx = NULL;
    enum gh_err err;
    bool write = rotate;

    *out = NULL;
    if (kr == NULL)
        return GH_ERR_NOMEM;
    atomic_init(&kr->refs, 1);
    if (!write) {
        /* Most starts find a ring; only the first writes one. */
        if ((err = gh_store_tx_begin(store, false, &tx)) != GH_OK)
            goto done;
        err = read_ring(tx, master, kr);
        gh_store_tx_rollback(tx);
        tx = NULL;
        if (err == GH_OK)
            goto done;
        if (err != GH_ERR_NOT_FOUND)
            goto done;
        write = true;
    }
    if ((err = gh_store_tx_begin(store, true, &tx)) != GH_OK)
        goto done;
    memset(kr->keys, 0, sizeof(kr->keys));
    kr->n = 0;
    kr->current = 0;
    err = read_ring(tx, master, kr);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && rotate))
        err = add_key(kr, gh_now_s());
    else if (err == GH_OK) {
        gh_store_tx_rollback(tx); /* another process created it first */
        tx = NULL;
        goto done;
    }
    if (err == GH_OK)
        err = write_ring(tx, master, kr);
    if (err == GH_OK)
        err = gh_store_tx_commit(tx);
    else
        gh_store_tx_rollback(tx);
    tx = NULL;
done:
    if (err != GH_OK) {
        keyring_free(kr);
        return err;
    }
    *out = kr;
    return GH_OK;
}

enum gh_err
gh_keyring_load(struct gh_store *store, const struct gh_secret *master, struct gh_keyring **out)
{
    return load_or_rotate(store, master, false, out);
}

enum gh_err
gh_keyring_rotate(struct gh_store *store, const struct gh_secret *master, struct gh_keyring **out)
{
    return load_or_rotate(store, master, true, out);
}
