/*
 * crypto.h: the only doors to key material: hashing, HMAC, randomness,
 * AES-256-GCM sealing, constant-time comparison and the gh_secret holder.
 */
#ifndef GH_CRYPTO_H
#define GH_CRYPTO_H

#include "core/core.h"

#define GH_SHA256_LEN 32
#define GH_AEAD_KEY_LEN 32
#define GH_AEAD_NONCE_LEN 12
#define GH_AEAD_TAG_LEN 16
/* Sealed output = nonce || ciphertext || tag. */
#define GH_AEAD_OVERHEAD (GH_AEAD_NONCE_LEN + GH_AEAD_TAG_LEN)

/* Secret bytes live only here; fixed size so no realloc leaves a copy. */
struct gh_secret {
    uint8_t bytes[64];
    size_t len;
};

/* Copies `n` bytes (n <= 64) into `s`; GH_ERR_TOO_LARGE otherwise. */
GH_MUST_CHECK enum gh_err gh_secret_set(struct gh_secret *s, const void *p, size_t n);
/* Wipes the secret. */
void gh_secret_wipe(struct gh_secret *s);
/* Constant-time equality of two secrets (length is not secret). */
bool gh_secret_eq(const struct gh_secret *a, const struct gh_secret *b);

void gh_sha256(const void *p, size_t n, uint8_t out[GH_SHA256_LEN]);
/* Lower-case hex SHA-256 into out[64] (no NUL). */
void gh_sha256_hex(const void *p, size_t n, char out[64]);
/* Incremental SHA-256 (for streamed bodies). */
struct gh_sha256_ctx {
    void *md; /* EVP_MD_CTX */
};
GH_MUST_CHECK enum gh_err gh_sha256_init(struct gh_sha256_ctx *c);
void gh_sha256_update(struct gh_sha256_ctx *c, const void *p, size_t n);
void gh_sha256_final(struct gh_sha256_ctx *c, uint8_t out[GH_SHA256_LEN]);
void gh_sha256_cleanup(struct gh_sha256_ctx *c);

void gh_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                    uint8_t out[GH_SHA256_LEN]);

/* CSPRNG bytes (RAND_bytes). */
GH_MUST_CHECK enum gh_err gh_random(void *p, size_t n);
/* A uniformly random string of `n` characters from `alphabet` (no modulo bias). */
GH_MUST_CHECK enum gh_err gh_random_string(const char *alphabet, size_t n, char *out);

/*
 * AWS-style identifiers: `prefix` ("AKIA", "AIDA", "AROA", "ANPA" ...)
 * followed by random characters of A-Z and 2-7 up to `len` characters in
 * all (20 for access key ids, 21 for unique ids); out gets len+1 bytes.
 */
GH_MUST_CHECK enum gh_err gh_random_id(const char *prefix, size_t len, char *out);
/*
 * An access key id that carries its account, as AWS's do (so
 * GetAccessKeyInfo needs no lookup): `prefix` ("AKIA", "ASIA") and 16
 * Base32 characters of 40 bits of account number then 40 random bits.
 */
GH_MUST_CHECK enum gh_err gh_random_key_id(const char *prefix, const char *account, char out[21]);
/* The account encoded in such an id; GH_ERR_VALIDATION when it holds none. */
GH_MUST_CHECK enum gh_err gh_key_id_account(struct gh_slice id, char out[13]);
/* A 40-character secret access key of A-Z a-z 0-9 + /. */
GH_MUST_CHECK enum gh_err gh_random_secret_key(char out[41]);
/* A 12-digit account id not starting with 0. */
GH_MUST_CHECK enum gh_err gh_random_account_id(char out[13]);

/* Constant-time equality of two equal-length byte strings. */
bool gh_ct_eq(const void *a, const void *b, size_t n);

/*
 * AES-256-GCM. Seal appends nonce || ciphertext || tag for `pt` to `out`,
 * authenticating `aad` too. Open reverses it; any change to the sealed
 * bytes or the aad gives GH_ERR_SIGNATURE and leaves `out` untouched.
 */
GH_MUST_CHECK enum gh_err gh_aead_seal(const struct gh_secret *key, struct gh_slice aad,
                                       struct gh_slice pt, struct gh_buf *out);
GH_MUST_CHECK enum gh_err gh_aead_open(const struct gh_secret *key, struct gh_slice aad,
                                       struct gh_slice sealed, struct gh_buf *out);

#endif
