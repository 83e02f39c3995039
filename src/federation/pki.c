/*
 * pki.c: keys and certificates for the built-in test issuer and IdP: a CA,
 * an HTTPS server certificate it signs, and self-signed signing
 * certificates. Never used on the request path.
 */
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "federation/federation.h"

static bool
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    bool ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
        return false;
    ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static enum gh_err
pem_out(BIO *b, struct gh_buf *out)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);

    if (n <= 0)
        return GH_ERR_INTERNAL;
    return gh_buf_append(out, p, (size_t)n);
}

enum gh_err
gh_fed_pki_issue(const char *cn, const char *san, bool is_ca, bool rsa, struct gh_slice ca_key_pem,
                 struct gh_slice ca_cert_pem, int days, struct gh_buf *key_out,
                 struct gh_buf *cert_out)
{
    EVP_PKEY *key = NULL, *ca_key = NULL;
    X509 *cert = NULL, *ca = NULL;
    X509_NAME *name;
    BIO *kb = NULL, *cb = NULL, *in = NULL;
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    enum gh_err err = GH_ERR_INTERNAL;

    key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    if (key == NULL || (cert = X509_new()) == NULL)
        goto done;
    if (ca_key_pem.len > 0) {
        if ((in = BIO_new_mem_buf(ca_key_pem.ptr, (int)ca_key_pem.len)) == NULL ||
            (ca_key = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL)) == NULL)
            goto done;
        BIO_free(in);
        if ((in = BIO_new_mem_buf(ca_cert_pem.ptr, (int)ca_cert_pem.len)) == NULL ||
            (ca = PEM_read_bio_X509(in, NULL, NULL, NULL)) == NULL)
            goto done;
    }
    if (RAND_bytes(serial, sizeof(serial)) != 1)
        goto done;
    serial[0] &= 0x7F;
    if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
        BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL)
        goto done;
    X509_set_version(cert, 2);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400);
    X509_set_pubkey(cert, key);
    name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(cert, ca != NULL ? X509_get_subject_name(ca) : name);
    if (!add_ext(cert, ca != NULL ? ca : cert, NID_basic_constraints,
                 is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
        !add_ext(cert, ca != NULL ? ca : cert, NID_key_usage,
                 is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment") ||
        !add_ext(cert, ca != NULL ? ca : cert, NID_subject_key_identifier, "hash") ||
        (san != NULL && !add_ext(cert, ca != NULL ? ca : cert, NID_subject_alt_name, san)) ||
        (san != NULL && !add_ext(cert, ca != NULL ? ca : cert, NID_ext_key_usage, "serverAuth")))
        goto done;
    if (X509_sign(cert, ca_key != NULL ? ca_key : key, EVP_sha256()) <= 0)
        goto done;
    if ((kb = BIO_new(BIO_s_mem())) == NULL || (cb = BIO_new(BIO_s_mem())) == NULL ||
        PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) != 1 ||
        PEM_write_bio_X509(cb, cert) != 1)
        goto done;
    if ((err = pem_out(kb, key_out)) == GH_OK)
        err = pem_out(cb, cert_out);
done:
    BN_free(bn);
    BIO_free(in);
    BIO_free(kb);
    BIO_free(cb);
    X509_free(ca);
    X509_free(cert);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    return err;
}
