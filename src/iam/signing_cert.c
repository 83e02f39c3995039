/*
 * signing_cert.c: a user's X.509 signing certificates
 * (UploadSigningCertificate, ListSigningCertificates,
 * UpdateSigningCertificate, DeleteSigningCertificate): PEM parsed with
 * OpenSSL, kept as records of kind "cert" owned by the user.
 */
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "crypto/crypto.h"
#include "iam/iam_ext.h"

/* AWS IAM: certificate ids are upper-case letters and digits (certificateIdType: 24-128). */
#define CERT_ID_LEN 32
#define CERT_ID_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static const struct gh_param_rule shape_cert_id = {NULL, 24, 128, "[\\w]+",
                                                   gh_iam_is_word}; /* certificateIdType */

/* AWS IAM: these actions "manage root user credentials even if the account has no users". */
static const struct gh_iam_cred cred = {GH_IAM_REC_CERT,
                                        "Certificate",
                                        "CertificateId",
                                        &shape_cert_id,
                                        &gh_iam_shape_existing_user_name,
                                        true};

/*
 * Parses one PEM certificate: *digest gets the SHA-256 hex of its DER (65
 * bytes with the NUL). Fails the call with MalformedCertificate when it is
 * not a PEM X.509 certificate or has expired, InvalidCertificate when it
 * is not valid yet.
 */
static enum gh_err
cert_parse(struct gh_call *c, struct gh_slice body, char digest[65])
{
    BIO *bio = BIO_new_mem_buf(body.ptr, (int)body.len);
    X509 *x = NULL;
    unsigned char *der = NULL, md[GH_SHA256_LEN];
    time_t now = (time_t)c->now;
    int n;
    enum gh_err err = GH_ERR_NOMEM;

    if (bio == NULL)
        goto done;
    if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL || (n = i2d_X509(x, &der)) <= 0) {
        /* AWS IAM: MalformedCertificate, as it words it for unparseable PEM. */
        err = gh_call_fail(c, GH_IAM_ERR_BAD_CERT,
                           "Unable to parse certificate. Please ensure the certificate is in PEM "
                           "format.");
        goto done;
    }
    if (X509_cmp_time(X509_get0_notAfter(x), &now) < 0) {
        /* AWS IAM: "rejected because the certificate was malformed or expired". */
        err = gh_call_fail(c, GH_IAM_ERR_BAD_CERT, "The certificate has expired.");
        goto done;
    }
    if (X509_cmp_time(X509_get0_notBefore(x), &now) > 0) {
        err = gh_call_fail(c, GH_ERR_INVALID_CERT, "The certificate is not yet valid.");
        goto done;
    }
    if (EVP_Digest(der, (size_t)n, md, NULL, EVP_sha256(), NULL) != 1) {
        err = GH_ERR_INTERNAL;
        goto done;
    }
    gh_hex_encode(md, sizeof(md), digest);
    digest[64] = '\0';
    err = GH_OK;
done:
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(bio);
    return err;
}

/* The children of a SigningCertificate element (no UserName for the root's, as for its keys). */
static void
cert_render(struct gh_call *c, const struct gh_user *u, const struct gh_store_rec *r,
            struct gh_slice body)
{
    if (u->name.len > 0)
        gh_xml_elem(c->result, "UserName", u->name);
    gh_xml_elem(c->result, "CertificateId", r->id);
    gh_xml_elem(c->result, "CertificateBody", body);
    gh_xml_elem_cstr(c->result, "Status", gh_iam_cred_status_name(r->status));
    gh_xml_elem_time(c->result, "UploadDate", r->created);
}

enum gh_err
gh_iam_UploadSigningCertificate(struct gh_call *c)
{
    struct gh_slice name, body, data;
    struct gh_store_rec r, *all;
    struct gh_user u;
    size_t n, mine = 0;
    char digest[65], id[CERT_ID_LEN + 1];
    json_t *obj = NULL;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, false, &name);
    gh_iam_str(c, "CertificateBody", &gh_iam_shape_cred_body, true, &body);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, "iam:UploadSigningCertificate", name, true, &u)) != GH_OK)
        return err;
    if ((err = cert_parse(c, body, digest)) != GH_OK)
        return err;
    /* AWS IAM: DuplicateCertificate when the certificate is any user's in the account. */
    if ((err = gh_store_rec_list(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_CERT),
                                 GH_SLICE_NULL, &all, &n)) != GH_OK)
        return err;
    for (size_t i = 0; i < n; i++) {
        json_t *o = NULL;
        bool same;

        if ((err = gh_iam_rec_json(&all[i], &o)) != GH_OK)
            return err;
        same = gh_slice_eq(gh_iam_json_str(o, "sha256"), gh_slice_from_cstr(digest));
        json_decref(o);
        if (same)
            return gh_call_fail(c, GH_ERR_DUPLICATE_CERT,
                                "The request was rejected because the same certificate is "
                                "associated with an IAM user in the account.");
        if (gh_slice_eq(all[i].owner, gh_iam_cred_owner(c, &u)))
            mine++;
    }
    if (mine >= GH_IAM_SIGNING_CERTS_PER_USER)
        /* AWS IAM quota: 2 signing certificates per user. */
        return gh_call_fail(c, GH_ERR_LIMIT,
                            "Cannot exceed quota for SigningCertificatesPerUser: %d",
                            GH_IAM_SIGNING_CERTS_PER_USER);
    if ((err = gh_random_string(CERT_ID_ALPHABET, CERT_ID_LEN, id)) != GH_OK)
        return err;
    id[CERT_ID_LEN] = '\0';
    if ((obj = json_pack("{s:s%,s:s}", "body", body.ptr, body.len, "sha256", digest)) == NULL)
        return GH_ERR_NOMEM;
    err = gh_iam_json_dump(c, obj, &data);
    json_decref(obj);
    if (err != GH_OK)
        return err;
    r = (struct gh_store_rec){
        .account = gh_iam_account(c),
        .kind = GH_S(GH_IAM_REC_CERT),
        .owner = gh_iam_cred_owner(c, &u),
        .status = GH_KEY_ACTIVE,
        .created = c->now,
        .updated = c->now,
        .data = data,
    };
    if ((err = gh_arena_dup(c->arena, gh_slice_from_cstr(id), &r.id)) != GH_OK)
        return err;
    if ((err = gh_store_rec_put(c->tx, &r, NULL, false)) != GH_OK)
        return err;
    gh_xml_open(c->result, "Certificate");
    cert_render(c, &u, &r, body);
    gh_xml_close(c->result, "Certificate");
    return gh_buf_status(c->result);
}

/* A list member: the certificate with its body from the record. */
static enum gh_err
cert_member_render(struct gh_call *c, const struct gh_user *u, const struct gh_store_rec *r)
{
    json_t *o = NULL;
    enum gh_err err;

    if ((err = gh_iam_rec_json(r, &o)) != GH_OK)
        return err;
    cert_render(c, u, r, gh_iam_json_str(o, "body"));
    json_decref(o);
    return GH_OK;
}

enum gh_err
gh_iam_ListSigningCertificates(struct gh_call *c)
{
    return gh_iam_cred_list(c, &cred, "iam:ListSigningCertificates", "Certificates",
                            cert_member_render);
}

enum gh_err
gh_iam_UpdateSigningCertificate(struct gh_call *c)
{
    return gh_iam_cred_update(c, &cred, "iam:UpdateSigningCertificate");
}

enum gh_err
gh_iam_DeleteSigningCertificate(struct gh_call *c)
{
    return gh_iam_cred_delete(c, &cred, "iam:DeleteSigningCertificate");
}
