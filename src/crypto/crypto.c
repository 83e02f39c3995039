/*
 * crypto.c: OpenSSL 3 behind gatehouse's small crypto interface. Every
 * stack copy of key material is cleansed before return.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto/crypto.h"

enum gh_err
gh_secret_set(struct gh_secret *s, const void *p, size_t n)
{
    gh_secret_wipe(s);
    if (n > sizeof(s->bytes))
        return GH_ERR_TOO_LARGE;
    memcpy(s->bytes, p, n);
    s->len = n;
    return GH_OK;
}

void
gh_secret_wipe(struct gh_secret *s)
{
    OPENSSL_cleanse(s->bytes, sizeof(s->bytes));
    s->len = 0;
}

bool
gh_secret_eq(const struct gh_secret *a, const struct gh_secret *b)
{
    return a->len == b->len && CRYPTO_memcmp(a->bytes, b->bytes, a->len) == 0;
}

void
gh_sha256(const void *p, size_t n, uint8_t out[GH_SHA256_LEN])
{
    unsigned int len = 0;

    if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1)
        memset(out, 0, GH_SHA256_LEN); /* cannot happen with a built-in digest */
}

void
gh_sha256_hex(const void *p, size_t n, char out[64])
{
    uint8_t h[GH_SHA256_LEN];

    gh_sha256(p, n, h);
    gh_hex_encode(h, sizeof(h), out);
}

enum gh_err
gh_sha256_init(struct gh_sha256_ctx *c)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    c->md = NULL;
    if (md == NULL)
        return GH_ERR_NOMEM;
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return GH_ERR_INTERNAL;
    }
    c->md = md;
    return GH_OK;
}

void
gh_sha256_update(struct gh_sha256_ctx *c, const void *p, size_t n)
{
    (void)EVP_DigestUpdate(c->md, p, n);
}

void
gh_sha256_final(struct gh_sha256_ctx *c, uint8_t out[GH_SHA256_LEN])
{
    unsigned int len = 0;

    if (EVP_DigestFinal_ex(c->md, out, &len) != 1)
        memset(out, 0, GH_SHA256_LEN);
}

void
gh_sha256_cleanup(struct gh_sha256_ctx *c)
{
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

void
gh_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
               uint8_t out[GH_SHA256_LEN])
{
    unsigned int len = 0;

    if (HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &len) == NULL)
        memset(out, 0, GH_SHA256_LEN);
}

enum gh_err
gh_random(void *p, size_t n)
{
    if (n > INT32_MAX || RAND_bytes(p, (int)n) != 1)
        return GH_ERR_INTERNAL;
    return GH_OK;
}

enum gh_err
gh_random_string(const char *alphabet, size_t n, char *out)
{
    size_t k = strlen(alphabet);
    /* Largest multiple of k below 256: bytes at or above it are redrawn. */
    unsigned limit = 256 - (256 % (unsigned)k);
    uint8_t pool[64];
    size_t used = sizeof(pool), i = 0;
    enum gh_err err = GH_OK;

    if (k == 0 || k > 256)
        return GH_ERR_INTERNAL;
    while (i < n) {
        if (used == sizeof(pool)) {
            if ((err = gh_random(pool, sizeof(pool))) != GH_OK)
                goto done;
            used = 0;
        }
        uint8_t b = pool[used++];
        if (b < limit)
            out[i++] = alphabet[b % k];
    }
done:
    OPENSSL_cleanse(pool, sizeof(pool));
    return err;
}

enum gh_err
gh_random_id(const char *prefix, size_t len, char *out)
{
    size_t n = strlen(prefix);
    enum gh_err err;

    if (n > len)
        return GH_ERR_INTERNAL;
    memcpy(out, prefix, n);
    if ((err = gh_random_string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", len - n, out + n)) != GH_OK)
        return err;
    out[len] = '\0';
    return GH_OK;
}

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

enum gh_err
gh_random_key_id(const char *prefix, const char *account, char out[21])
{
    uint64_t acct = 0, rnd = 0;
    uint8_t r[5];
    enum gh_err err;

    if (strlen(prefix) != 4 || strlen(account) != 12)
        return GH_ERR_INTERNAL;
    for (size_t i = 0; i < 12; i++) {
        if (account[i] < '0' || account[i] > '9')
            return GH_ERR_INTERNAL;
        acct = acct * 10 + (uint64_t)(account[i] - '0');
    }
    if ((err = gh_random(r, sizeof(r))) != GH_OK)
        return err;
    for (size_t i = 0; i < sizeof(r); i++)
        rnd = (rnd << 8) | r[i];
    memcpy(out, prefix, 4);
    /* 80 bits = 16 Base32 digits: 40 of account, 40 random. */
    for (int i = 0; i < 8; i++)
        out[4 + i] = b32[(acct >> (35 - 5 * i)) & 31];
    for (int i = 0; i < 8; i++)
        out[12 + i] = b32[(rnd >> (35 - 5 * i)) & 31];
    out[20] = '\0';
    OPENSSL_cleanse(r, sizeof(r));
    return GH_OK;
}

enum gh_err
gh_key_id_account(struct gh_slice id, char out[13])
{
    uint64_t acct = 0;

    out[0] = '\0';
    if (id.len != 20)
        return GH_ERR_VALIDATION;
    for (size_t i = 4; i < 12; i++) {
        const char *p = memchr(b32, id.ptr[i], 32);
        if (p == NULL || id.ptr[i] == '\0')
            return GH_ERR_VALIDATION;
        acct = (acct << 5) | (uint64_t)(p - b32);
    }
    if (acct > 999999999999ULL) /* account ids may start with 0 */
        return GH_ERR_VALIDATION;
    for (int i = 11; i >= 0; i--) {
        out[i] = (char)('0' + acct % 10);
        acct /= 10;
    }
    out[12] = '\0';
    return GH_OK;
}

enum gh_err
gh_random_secret_key(char out[41])
{
    enum gh_err err = gh_random_string(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40, out);

    out[40] = '\0';
    return err;
}

enum gh_err
gh_random_account_id(char out[13])
{
    enum gh_err err;

    if ((err = gh_random_string("123456789", 1, out)) != GH_OK)
        return err;
    if ((err = gh_random_string("0123456789", 11, out + 1)) != GH_OK)
        return err;
    out[12] = '\0';
    return GH_OK;
}

bool
gh_ct_eq(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

enum gh_err
gh_aead_seal(const struct gh_secret *key, struct gh_slice aad, struct gh_slice pt,
             struct gh_buf *out)
{
    EVP_CIPHER_CTX *c = NULL;
    uint8_t nonce[GH_AEAD_NONCE_LEN], tag[GH_AEAD_TAG_LEN];
    size_t start = out->len;
    int n = 0;
    enum gh_err err = GH_ERR_INTERNAL;

    if (key->len != GH_AEAD_KEY_LEN || pt.len > INT32_MAX || aad.len > INT32_MAX)
        return GH_ERR_INTERNAL;
    if ((err = gh_random(nonce, sizeof(nonce))) != GH_OK)
        return err;
    if ((err = gh_buf_append(out, nonce, sizeof(nonce))) != GH_OK)
        return err;
    char *room;
    if ((err = gh_buf_extend(out, pt.len + sizeof(tag), &room)) != GH_OK)
        goto done;
    err = GH_ERR_INTERNAL;
    if ((c = EVP_CIPHER_CTX_new()) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key->bytes, nonce) != 1)
        goto done;
    if (aad.len > 0 && EVP_EncryptUpdate(c, NULL, &n, (const uint8_t *)aad.ptr, (int)aad.len) != 1)
        goto done;
    uint8_t *ct = (uint8_t *)room;
    if (pt.len > 0 && EVP_EncryptUpdate(c, ct, &n, (const uint8_t *)pt.ptr, (int)pt.len) != 1)
        goto done;
    if (EVP_EncryptFinal_ex(c, ct + pt.len, &n) != 1)
        goto done;
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, sizeof(tag), tag) != 1)
        goto done;
    memcpy(ct + pt.len, tag, sizeof(tag));
    err = GH_OK;
done:
    if (err != GH_OK && out->ptr != NULL && out->len >= start) {
        OPENSSL_cleanse(out->ptr + start, out->len - start);
        out->len = start;
        out->ptr[start] = '\0';
    }
    EVP_CIPHER_CTX_free(c);
    return err;
}

enum gh_err
gh_aead_open(const struct gh_secret *key, struct gh_slice aad, struct gh_slice sealed,
             struct gh_buf *out)
{
    EVP_CIPHER_CTX *c = NULL;
    const uint8_t *p = (const uint8_t *)sealed.ptr;
    size_t ct_len, start = out->len;
    uint8_t tag[GH_AEAD_TAG_LEN];
    int n = 0;
    enum gh_err err = GH_ERR_SIGNATURE;

    if (key->len != GH_AEAD_KEY_LEN || aad.len > INT32_MAX)
        return GH_ERR_INTERNAL;
    if (sealed.len < GH_AEAD_OVERHEAD || sealed.len > INT32_MAX)
        return GH_ERR_SIGNATURE;
    ct_len = sealed.len - GH_AEAD_OVERHEAD;
    memcpy(tag, p + GH_AEAD_NONCE_LEN + ct_len, sizeof(tag));
    char *room;
    if ((err = gh_buf_extend(out, ct_len, &room)) != GH_OK)
        goto done;
    err = GH_ERR_INTERNAL;
    if ((c = EVP_CIPHER_CTX_new()) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key->bytes, p) != 1)
        goto done;
    if (aad.len > 0 && EVP_DecryptUpdate(c, NULL, &n, (const uint8_t *)aad.ptr, (int)aad.len) != 1)
        goto done;
    uint8_t *pt = (uint8_t *)room;
    if (ct_len > 0 && EVP_DecryptUpdate(c, pt, &n, p + GH_AEAD_NONCE_LEN, (int)ct_len) != 1)
        goto done;
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, sizeof(tag), tag) != 1)
        goto done;
    err = EVP_DecryptFinal_ex(c, pt + ct_len, &n) == 1 ? GH_OK : GH_ERR_SIGNATURE;
done:
    if (err != GH_OK && out->ptr != NULL && out->len >= start) {
        OPENSSL_cleanse(out->ptr + start, out->len - start);
        out->len = start;
        out->ptr[start] = '\0';
    }
    EVP_CIPHER_CTX_free(c);
    return err;
}
