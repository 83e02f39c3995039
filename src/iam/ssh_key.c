/*
 * ssh_key.c: a user's SSH public keys (UploadSSHPublicKey, GetSSHPublicKey,
 * ListSSHPublicKeys, UpdateSSHPublicKey, DeleteSSHPublicKey): ssh-rsa or
 * PEM RSA keys parsed with OpenSSL, kept as records of kind "ssh" owned by
 * the user, with the MD5 fingerprint AWS shows.
 */
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <string.h>

#include "crypto/crypto.h"
#include "iam/iam_ext.h"

/* AWS IAM UploadSSHPublicKey: "The minimum bit-length of the public key is 2048 bits." */
#define SSH_RSA_BITS_MIN 2048
/* Larger moduli than OpenSSH accepts are refused too (bounded work). */
#define SSH_RSA_BITS_MAX 16384
#define SSH_KEY_ID_LEN 21 /* AWS IAM: APKA + 17 characters */
#define MD5_LEN 16

static const struct gh_param_rule shape_key_id = {NULL, 20, 128, "[\\w]+",
                                                  gh_iam_is_word}; /* publicKeyIdType */

static const struct gh_iam_cred cred = {
    GH_IAM_REC_SSH, "Public Key", "SSHPublicKeyId", &shape_key_id, &gh_iam_shape_user_name, false};

/* One SSH wire-format string (uint32 length + bytes) from `*in`. */
static bool
ssh_string(struct gh_slice *in, struct gh_slice *out)
{
    uint32_t n;

    if (in->len < 4)
        return false;
    n = (uint32_t)(unsigned char)in->ptr[0] << 24 | (uint32_t)(unsigned char)in->ptr[1] << 16 |
        (uint32_t)(unsigned char)in->ptr[2] << 8 | (uint32_t)(unsigned char)in->ptr[3];
    if (n > in->len - 4)
        return false;
    *out = (struct gh_slice){in->ptr + 4, n};
    in->ptr += 4 + n;
    in->len -= 4 + n;
    return true;
}

/* The RSA key of n and e (big-endian magnitudes). */
static enum gh_err
rsa_from_ne(struct gh_slice n, struct gh_slice e, EVP_PKEY **out)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    BIGNUM *bn = BN_bin2bn((const unsigned char *)n.ptr, (int)n.len, NULL);
    BIGNUM *be = BN_bin2bn((const unsigned char *)e.ptr, (int)e.len, NULL);
    enum gh_err err = GH_ERR_NOMEM;

    *out = NULL;
    if (bld == NULL || bn == NULL || be == NULL)
        goto done;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL)
        goto done;
    err = GH_IAM_ERR_BAD_KEY;
    if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto done;
    err = GH_OK;
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return err;
}

/* Writes one SSH mpint (positive: a leading zero when the top bit is set). */
static enum gh_err
put_mpint(struct gh_buf *b, const BIGNUM *v)
{
    int n = BN_num_bytes(v);
    unsigned char tmp[SSH_RSA_BITS_MAX / 8 + 1];
    size_t len, off = 0;

    if (n < 0 || (size_t)n > sizeof(tmp) - 1)
        return GH_IAM_ERR_BAD_KEY; /* over SSH_RSA_BITS_MAX */
    tmp[0] = 0;
    (void)BN_bn2bin(v, tmp + 1);
    len = (size_t)n;
    if (n > 0 && (tmp[1] & 0x80))
        len++; /* keep the zero byte */
    else
        off = 1;
    unsigned char hdr[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                            (unsigned char)(len >> 8), (unsigned char)len};
    gh_buf_put(b, (struct gh_slice){(const char *)hdr, 4});
    gh_buf_put(b, (struct gh_slice){(const char *)tmp + off, len});
    return gh_buf_status(b);
}

/* The ssh-rsa wire blob of an RSA key. */
static enum gh_err
blob_of_rsa(const EVP_PKEY *pk, struct gh_buf *out)
{
    BIGNUM *n = NULL, *e = NULL;
    enum gh_err err = GH_IAM_ERR_BAD_KEY;

    if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
        goto done;
    gh_buf_put(out, GH_S("\0\0\0\7ssh-rsa"));
    if ((err = put_mpint(out, e)) == GH_OK)
        err = put_mpint(out, n);
done:
    BN_free(n);
    BN_free(e);
    return err;
}

/* A parsed key: its ssh-rsa blob and key object. */
struct ssh_key {
    struct gh_buf blob;
    EVP_PKEY *pk;
};

static void
ssh_key_cleanup(struct ssh_key *k)
{
    gh_buf_cleanup(&k->blob);
    EVP_PKEY_free(k->pk);
    k->pk = NULL;
}

/* "ssh-rsa BASE64 [comment]" into k (blob and key). */
static enum gh_err
parse_openssh(struct gh_slice body, struct ssh_key *k)
{
    struct gh_slice type, b64, rest, t, e, n;
    size_t i;
    enum gh_err err;

    /* Fields are separated by spaces or tabs; the comment may hold anything. */
    for (i = 0; i < body.len && body.ptr[i] != ' ' && body.ptr[i] != '\t'; i++)
        ;
    type = (struct gh_slice){body.ptr, i};
    rest = gh_slice_trim((struct gh_slice){body.ptr + i, body.len - i});
    if (!gh_slice_eq(type, GH_S("ssh-rsa")))
        /* AWS IAM: only ssh-rsa keys (and PEM) are accepted. */
        return GH_ERR_KEY_ENCODING;
    for (i = 0; i < rest.len && rest.ptr[i] != ' ' && rest.ptr[i] != '\t'; i++)
        ;
    b64 = (struct gh_slice){rest.ptr, i};
    if (b64.len == 0 || gh_base64_decode(b64, false, &k->blob) != GH_OK)
        return GH_IAM_ERR_BAD_KEY;
    rest = gh_buf_slice(&k->blob);
    if (!ssh_string(&rest, &t) || !gh_slice_eq(t, GH_S("ssh-rsa")) || !ssh_string(&rest, &e) ||
        !ssh_string(&rest, &n) || rest.len != 0 || e.len == 0 || n.len == 0 || (e.ptr[0] & 0x80) ||
        (n.ptr[0] & 0x80) || n.len > SSH_RSA_BITS_MAX / 8 + 1 || e.len > 8)
        return GH_IAM_ERR_BAD_KEY;
    if ((err = rsa_from_ne(n, e, &k->pk)) != GH_OK)
        return err;
    return GH_OK;
}

/* A PEM RSA public key ("BEGIN PUBLIC KEY", SubjectPublicKeyInfo) into k. */
static enum gh_err
parse_pem(struct gh_slice body, struct ssh_key *k)
{
    BIO *bio = BIO_new_mem_buf(body.ptr, (int)body.len);
    enum gh_err err;

    if (bio == NULL)
        return GH_ERR_NOMEM;
    k->pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (k->pk == NULL || !EVP_PKEY_is_a(k->pk, "RSA"))
        return GH_IAM_ERR_BAD_KEY;
    err = blob_of_rsa(k->pk, &k->blob);
    return err;
}

/*
 * Parses an uploaded key: GH_ERR_KEY_ENCODING for a format AWS does not
 * take, GH_IAM_ERR_BAD_KEY for a malformed or too-short key.
 */
static enum gh_err
key_parse(struct gh_slice body, struct ssh_key *k)
{
    enum gh_err err;

    body = gh_slice_trim(body);
    if (gh_slice_starts_with(body, GH_S("-----BEGIN ")))
        err = parse_pem(body, k);
    else
        err = parse_openssh(body, k);
    if (err != GH_OK)
        return err;
    if (EVP_PKEY_get_bits(k->pk) < SSH_RSA_BITS_MIN || EVP_PKEY_get_bits(k->pk) > SSH_RSA_BITS_MAX)
        return GH_IAM_ERR_BAD_KEY;
    return GH_OK;
}

/* AWS IAM: the fingerprint is the MD5 of the key blob, colon-separated hex. */
static enum gh_err
fingerprint(struct gh_call *c, struct gh_slice blob, struct gh_slice *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char hex[2 * MD5_LEN], *p;

    if (EVP_Digest(blob.ptr, blob.len, md, &mdlen, EVP_md5(), NULL) != 1 || mdlen != MD5_LEN)
        return GH_ERR_INTERNAL;
    gh_hex_encode(md, MD5_LEN, hex);
    if ((p = gh_arena_alloc(c->arena, 3 * MD5_LEN)) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < MD5_LEN; i++) {
        p[3 * i] = hex[2 * i];
        p[3 * i + 1] = hex[2 * i + 1];
        p[3 * i + 2] = ':';
    }
    *out = (struct gh_slice){p, 3 * MD5_LEN - 1};
    return GH_OK;
}

/* <SSHPublicKey> with the body in `body`. */
static void
key_render(struct gh_call *c, const struct gh_user *u, const struct gh_store_rec *r,
           struct gh_slice fp, struct gh_slice body)
{
    gh_xml_open(c->result, "SSHPublicKey");
    gh_xml_elem(c->result, "UserName", u->name);
    gh_xml_elem(c->result, "SSHPublicKeyId", r->id);
    gh_xml_elem(c->result, "Fingerprint", fp);
    gh_xml_elem(c->result, "SSHPublicKeyBody", body);
    gh_xml_elem_cstr(c->result, "Status", gh_iam_cred_status_name(r->status));
    gh_xml_elem_time(c->result, "UploadDate", r->created);
    gh_xml_close(c->result, "SSHPublicKey");
}

enum gh_err
gh_iam_UploadSSHPublicKey(struct gh_call *c)
{
    struct gh_slice name, body, fp, blob64, data;
    struct ssh_key k = {0};
    struct gh_buf b64;
    struct gh_store_rec r, *have;
    struct gh_user u;
    size_t n;
    char id[SSH_KEY_ID_LEN + 1];
    json_t *obj = NULL;
    enum gh_err err;

    gh_buf_init(&k.blob, 16384);
    gh_buf_init(&b64, 32768);
    gh_iam_str(c, "UserName", &gh_iam_shape_user_name, true, &name);
    gh_iam_str(c, "SSHPublicKeyBody", &gh_iam_shape_cred_body, true, &body);
    if ((err = gh_call_validated(c)) != GH_OK)
        goto done;
    if ((err = gh_iam_target_user(c, "iam:UploadSSHPublicKey", name, false, &u)) != GH_OK)
        goto done;
    err = key_parse(body, &k);
    if (err == GH_ERR_KEY_ENCODING) {
        err = gh_call_fail(c, err,
                           "The request was rejected because the public key encoding "
                           "format is unsupported or unrecognized.");
        goto done;
    }
    if (err == GH_IAM_ERR_BAD_KEY) {
        err = gh_call_fail(c, err,
                           "The request was rejected because the public key is malformed "
                           "or otherwise invalid.");
        goto done;
    }
    if (err != GH_OK)
        goto done;
    if ((err = fingerprint(c, gh_buf_slice(&k.blob), &fp)) != GH_OK)
        goto done;
    if ((err = gh_store_rec_list(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_SSH), u.id,
                                 &have, &n)) != GH_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        json_t *o = NULL;
        bool same;

        if ((err = gh_iam_rec_json(&have[i], &o)) != GH_OK)
            goto done;
        same = gh_slice_eq(gh_iam_json_str(o, "fingerprint"), fp);
        json_decref(o);
        if (same) {
            err = gh_call_fail(c, GH_IAM_ERR_DUPLICATE,
                               "The request was rejected because the SSH public key is already "
                               "associated with the specified IAM user.");
            goto done;
        }
    }
    if (n >= GH_IAM_SSH_KEYS_PER_USER) {
        /* AWS IAM quota: 5 SSH public keys per user. */
        err = gh_call_fail(c, GH_ERR_LIMIT, "Cannot exceed quota for PublicKeysPerUser: %d",
                           GH_IAM_SSH_KEYS_PER_USER);
        goto done;
    }
    if ((err = gh_base64_encode(&b64, (const uint8_t *)k.blob.ptr, k.blob.len)) != GH_OK)
        goto done;
    blob64 = gh_buf_slice(&b64);
    body = gh_slice_trim(body);
    if ((obj = json_pack("{s:s%,s:s%,s:s%}", "body", body.ptr, body.len, "blob", blob64.ptr,
                         blob64.len, "fingerprint", fp.ptr, fp.len)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((err = gh_iam_json_dump(c, obj, &data)) != GH_OK)
        goto done;
    if ((err = gh_random_id("APKA", SSH_KEY_ID_LEN, id)) != GH_OK)
        goto done;
    r = (struct gh_store_rec){
        .account = gh_iam_account(c),
        .kind = GH_S(GH_IAM_REC_SSH),
        .owner = u.id,
        .status = GH_KEY_ACTIVE,
        .created = c->now,
        .updated = c->now,
        .data = data,
    };
    if ((err = gh_arena_dup(c->arena, gh_slice_from_cstr(id), &r.id)) != GH_OK)
        goto done;
    if ((err = gh_store_rec_put(c->tx, &r, NULL, false)) != GH_OK)
        goto done;
    key_render(c, &u, &r, fp, body);
    err = gh_buf_status(c->result);
done:
    json_decref(obj);
    ssh_key_cleanup(&k);
    gh_buf_cleanup(&b64);
    return err;
}

/* The key in PEM (SubjectPublicKeyInfo), from its stored blob. */
static enum gh_err
pem_of_blob(struct gh_call *c, struct gh_slice blob64, struct gh_slice *out)
{
    struct ssh_key k = {0};
    BIO *bio = NULL;
    char *p;
    long n;
    enum gh_err err;

    gh_buf_init(&k.blob, 16384);
    if ((p = gh_arena_printf(c->arena, "ssh-rsa %.*s", GH_SP(blob64))) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((err = parse_openssh(gh_slice_from_cstr(p), &k)) != GH_OK)
        goto done;
    err = GH_ERR_NOMEM;
    if ((bio = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_PUBKEY(bio, k.pk) != 1)
        goto done;
    n = BIO_get_mem_data(bio, &p);
    if (n <= 0)
        goto done;
    err = gh_arena_dup(c->arena, (struct gh_slice){p, (size_t)n}, out);
done:
    BIO_free(bio);
    ssh_key_cleanup(&k);
    return err;
}

enum gh_err
gh_iam_GetSSHPublicKey(struct gh_call *c)
{
    static const char *const encodings[] = {"SSH", "PEM", NULL};
    struct gh_slice name, id, body;
    struct gh_store_rec r;
    struct gh_user u;
    int encoding;
    json_t *obj = NULL;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_user_name, true, &name);
    gh_iam_str(c, "SSHPublicKeyId", &shape_key_id, true, &id);
    gh_iam_enum(c, "Encoding", encodings, true, &encoding);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, "iam:GetSSHPublicKey", name, false, &u)) != GH_OK)
        return err;
    if ((err = gh_iam_cred_load(c, &cred, &u, id, &r)) != GH_OK ||
        (err = gh_iam_rec_json(&r, &obj)) != GH_OK)
        return err;
    body = gh_iam_json_str(obj, "body");
    if (encoding == 1)
        err = pem_of_blob(c, gh_iam_json_str(obj, "blob"), &body);
    else if (!gh_slice_starts_with(body, GH_S("ssh-rsa"))) {
        /* Uploaded as PEM: the SSH encoding is built from the key. */
        char *p = gh_arena_printf(c->arena, "ssh-rsa %.*s", GH_SP(gh_iam_json_str(obj, "blob")));
        body = p != NULL ? gh_slice_from_cstr(p) : GH_SLICE_NULL;
        err = p != NULL ? GH_OK : GH_ERR_NOMEM;
    }
    if (err == GH_OK) {
        key_render(c, &u, &r, gh_iam_json_str(obj, "fingerprint"), body);
        err = gh_buf_status(c->result);
    }
    json_decref(obj);
    return err;
}

/* The children of an SSHPublicKeyMetadata member. */
static enum gh_err
key_meta_render(struct gh_call *c, const struct gh_user *u, const struct gh_store_rec *r)
{
    gh_xml_elem(c->result, "UserName", u->name);
    gh_xml_elem(c->result, "SSHPublicKeyId", r->id);
    gh_xml_elem_cstr(c->result, "Status", gh_iam_cred_status_name(r->status));
    gh_xml_elem_time(c->result, "UploadDate", r->created);
    return GH_OK;
}

enum gh_err
gh_iam_ListSSHPublicKeys(struct gh_call *c)
{
    /* The root has no SSH keys: its list is empty. */
    return gh_iam_cred_list(c, &cred, "iam:ListSSHPublicKeys", "SSHPublicKeys", key_meta_render);
}

enum gh_err
gh_iam_UpdateSSHPublicKey(struct gh_call *c)
{
    return gh_iam_cred_update(c, &cred, "iam:UpdateSSHPublicKey");
}

enum gh_err
gh_iam_DeleteSSHPublicKey(struct gh_call *c)
{
    return gh_iam_cred_delete(c, &cred, "iam:DeleteSSHPublicKey");
}
