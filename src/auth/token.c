/*
 * token.c: session tokens. A token is self-contained: a version byte, the
 * id of the token key that sealed it, and the session sealed with
 * AES-256-GCM (version and key id authenticated as AAD). Opening needs no
 * database read; anything altered, or sealed by another installation's
 * key, fails to open.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"

#define TOKEN_VERSION 1
#define HDR_LEN 5 /* version + key id */

/* ---- serialization of the session (only ever parsed after AEAD open) ---- */

static void
put_u8(struct gh_buf *b, uint8_t v)
{
    gh_buf_put(b, (struct gh_slice){(const char *)&v, 1});
}

static void
put_i64(struct gh_buf *b, int64_t v)
{
    uint8_t x[8];
    uint64_t u = (uint64_t)v;

    for (int i = 7; i >= 0; i--) {
        x[i] = (uint8_t)(u & 0xFF);
        u >>= 8;
    }
    gh_buf_put(b, (struct gh_slice){(const char *)x, 8});
}

static void
put_str(struct gh_buf *b, struct gh_slice s)
{
    uint8_t l[2];

    if (s.len > 0xFFFF) {
        b->failed = true;
        b->err = GH_ERR_TOO_LARGE;
        return;
    }
    l[0] = (uint8_t)(s.len >> 8);
    l[1] = (uint8_t)(s.len & 0xFF);
    gh_buf_put(b, (struct gh_slice){(const char *)l, 2});
    gh_buf_put(b, s);
}

struct reader {
    const uint8_t *p;
    size_t left;
    bool bad;
};

static uint8_t
get_u8(struct reader *r)
{
    if (r->left < 1) {
        r->bad = true;
        return 0;
    }
    r->left--;
    return *r->p++;
}

static int64_t
get_i64(struct reader *r)
{
    uint64_t u = 0;

    if (r->left < 8) {
        r->bad = true;
        return 0;
    }
    for (int i = 0; i < 8; i++)
        u = (u << 8) | r->p[i];
    r->p += 8;
    r->left -= 8;
    return (int64_t)u;
}

static struct gh_slice
get_str(struct reader *r, struct gh_arena *a)
{
    size_t n;
    struct gh_slice out = GH_S("");

    if (r->left < 2) {
        r->bad = true;
        return out;
    }
    n = (size_t)r->p[0] << 8 | r->p[1];
    r->p += 2;
    r->left -= 2;
    if (r->left < n) {
        r->bad = true;
        return out;
    }
    if (gh_arena_dup(a, (struct gh_slice){(const char *)r->p, n}, &out) != GH_OK) {
        r->bad = true;
        out = GH_S("");
    }
    r->p += n;
    r->left -= n;
    return out;
}

static void
encode(const struct gh_session *s, struct gh_buf *b)
{
    put_u8(b, (uint8_t)s->type);
    put_str(b, gh_slice_from_cstr(s->access_key_id));
    put_str(b, (struct gh_slice){(const char *)s->secret.bytes, s->secret.len});
    put_str(b, gh_slice_from_cstr(s->account));
    put_i64(b, s->issued);
    put_i64(b, s->expires);
    put_u8(b, (uint8_t)((s->mfa ? 1 : 0) | (s->chained ? 2 : 0) | (s->console ? 4 : 0)));
    put_i64(b, s->mfa_time);
    put_str(b, s->name);
    put_str(b, s->path);
    put_str(b, s->entity_id);
    put_str(b, s->session_name);
    put_str(b, s->source_identity);
    put_str(b, s->policy);
    put_u8(b, (uint8_t)s->npolicy_arns);
    for (size_t i = 0; i < s->npolicy_arns; i++)
        put_str(b, s->policy_arns[i]);
    put_u8(b, (uint8_t)s->ntags);
    for (size_t i = 0; i < s->ntags; i++) {
        put_str(b, s->tags[i].key);
        put_str(b, s->tags[i].value);
    }
    put_u8(b, (uint8_t)s->ntransitive);
    for (size_t i = 0; i < s->ntransitive; i++)
        put_str(b, s->transitive[i]);
}

static struct gh_slice *
get_list(struct reader *r, struct gh_arena *a, size_t *count)
{
    size_t n = get_u8(r);
    struct gh_slice *items;

    *count = 0;
    if (r->bad || n == 0)
        return NULL;
    if ((items = gh_arena_alloc(a, n * sizeof(*items))) == NULL) {
        r->bad = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        items[i] = get_str(r, a);
    *count = n;
    return items;
}

static enum gh_err
decode(struct gh_slice plain, struct gh_arena *a, struct gh_session *s)
{
    struct reader r = {(const uint8_t *)plain.ptr, plain.len, false};
    struct gh_slice akid, secret, account;
    uint8_t flags;
    size_t n;

    s->type = (enum gh_principal_type)get_u8(&r);
    akid = get_str(&r, a);
    secret = get_str(&r, a);
    account = get_str(&r, a);
    s->issued = get_i64(&r);
    s->expires = get_i64(&r);
    flags = get_u8(&r);
    s->mfa = (flags & 1) != 0;
    s->chained = (flags & 2) != 0;
    s->console = (flags & 4) != 0;
    s->mfa_time = get_i64(&r);
    s->name = get_str(&r, a);
    s->path = get_str(&r, a);
    s->entity_id = get_str(&r, a);
    s->session_name = get_str(&r, a);
    s->source_identity = get_str(&r, a);
    s->policy = get_str(&r, a);
    s->policy_arns = get_list(&r, a, &s->npolicy_arns);
    n = get_u8(&r);
    if (!r.bad && n > 0) {
        if ((s->tags = gh_arena_alloc(a, n * sizeof(*s->tags))) == NULL)
            return GH_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) {
            s->tags[i].key = get_str(&r, a);
            s->tags[i].value = get_str(&r, a);
        }
        s->ntags = n;
    }
    s->transitive = get_list(&r, a, &s->ntransitive);
    if (r.bad || r.left != 0 || akid.len != 20 || account.len != 12 ||
        gh_secret_set(&s->secret, secret.ptr, secret.len) != GH_OK) {
        if (secret.len > 0)
            OPENSSL_cleanse((void *)secret.ptr, secret.len);
        return GH_ERR_INVALID_TOKEN_ID;
    }
    OPENSSL_cleanse((void *)secret.ptr, secret.len); /* the arena copy */
    memcpy(s->access_key_id, akid.ptr, 20);
    s->access_key_id[20] = '\0';
    memcpy(s->account, account.ptr, 12);
    s->account[12] = '\0';
    return GH_OK;
}

enum gh_err
gh_session_seal(const struct gh_keyring *kr, const struct gh_session *s, struct gh_buf *out)
{
    struct gh_buf plain, sealed;
    const struct gh_secret *key;
    uint32_t id;
    uint8_t hdr[HDR_LEN];
    enum gh_err err;

    if ((err = gh_keyring_current(kr, &id, &key)) != GH_OK)
        return err;
    hdr[0] = TOKEN_VERSION;
    hdr[1] = (uint8_t)(id >> 24);
    hdr[2] = (uint8_t)(id >> 16);
    hdr[3] = (uint8_t)(id >> 8);
    hdr[4] = (uint8_t)id;
    gh_buf_init(&plain, GH_SESSION_TOKEN_MAX);
    gh_buf_init(&sealed, GH_SESSION_TOKEN_MAX);
    encode(s, &plain);
    if ((err = gh_buf_status(&plain)) != GH_OK)
        goto done;
    if ((err = gh_buf_append(&sealed, hdr, sizeof(hdr))) != GH_OK)
        goto done;
    if ((err = gh_aead_seal(key, (struct gh_slice){(const char *)hdr, sizeof(hdr)},
                            gh_buf_slice(&plain), &sealed)) != GH_OK)
        goto done;
    err = gh_base64_encode(out, (const uint8_t *)sealed.ptr, sealed.len);
done:
    gh_buf_cleanup(&plain); /* wipes the plaintext secret */
    gh_buf_cleanup(&sealed);
    return err;
}

enum gh_err
gh_session_open(const struct gh_keyring *kr, struct gh_slice token, struct gh_arena *a,
                struct gh_session *out)
{
    struct gh_buf raw, plain;
    const struct gh_secret *key;
    const uint8_t *p;
    uint32_t id;
    enum gh_err err = GH_ERR_INVALID_TOKEN_ID;

    memset(out, 0, sizeof(*out));
    if (token.len == 0 || token.len > GH_SESSION_TOKEN_MAX)
        return GH_ERR_INVALID_TOKEN_ID;
    gh_buf_init(&raw, GH_SESSION_TOKEN_MAX);
    gh_buf_init(&plain, GH_SESSION_TOKEN_MAX);
    if (gh_base64_decode(token, false, &raw) != GH_OK || raw.len < HDR_LEN + GH_AEAD_OVERHEAD)
        goto done;
    p = (const uint8_t *)raw.ptr;
    if (p[0] != TOKEN_VERSION)
        goto done;
    id = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    if (gh_keyring_find(kr, id, &key) != GH_OK)
        goto done;
    if (gh_aead_open(key, (struct gh_slice){raw.ptr, HDR_LEN},
                     gh_slice_sub(gh_buf_slice(&raw), HDR_LEN, raw.len), &plain) != GH_OK)
        goto done;
    err = decode(gh_buf_slice(&plain), a, out);
done:
    gh_buf_cleanup(&raw);
    gh_buf_cleanup(&plain);
    if (err != GH_OK) {
        gh_secret_wipe(&out->secret);
        memset(out, 0, sizeof(*out));
    }
    return err;
}
