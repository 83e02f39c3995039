/*
 * test_iam_keys.c: SSH public keys (ssh-rsa and PEM parsing, MD5
 * fingerprints, SSH/PEM encodings, the 2048-bit minimum, duplicates, the
 * 5-key quota) and signing certificates (PEM X.509 parsing, expiry,
 * duplicates across users, the 2-certificate quota), with keys and
 * certificates made by OpenSSL in the test.
 */
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "iam_fixture.h"

/* A generated RSA key with what the server must show for it. */
struct key {
    EVP_PKEY *pk;
    char ssh[4200]; /* "ssh-rsa BASE64 comment" */
    char b64[3000]; /* the blob's base64 */
    char fp[48];    /* MD5 of the blob, aa:bb:... */
    char pem[4096]; /* PEM_write_bio_PUBKEY */
};

static size_t
put_u32(unsigned char *p, size_t n)
{
    p[0] = (unsigned char)(n >> 24);
    p[1] = (unsigned char)(n >> 16);
    p[2] = (unsigned char)(n >> 8);
    p[3] = (unsigned char)n;
    return 4;
}

/* RFC 4251 mpint of a positive number. */
static size_t
put_mpint(unsigned char *p, const BIGNUM *v)
{
    unsigned char tmp[1100];
    int n = BN_bn2bin(v, tmp + 1);
    size_t len = (size_t)n, off = 1;

    tmp[0] = 0;
    if (tmp[1] & 0x80) {
        len++;
        off = 0;
    }
    put_u32(p, len);
    memcpy(p + 4, tmp + off, len);
    return 4 + len;
}

static void
key_make(struct key *k, int bits)
{
    unsigned char blob[2048], md[16];
    size_t n = 0;
    BIGNUM *bn = NULL, *be = NULL;
    BIO *bio;
    char *p;
    long len;

    memset(k, 0, sizeof(*k));
    k->pk = EVP_RSA_gen((unsigned)bits);
    assert_non_null(k->pk);
    assert_int_equal(EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_N, &bn), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_E, &be), 1);
    n += put_u32(blob, 7);
    memcpy(blob + n, "ssh-rsa", 7);
    n += 7;
    n += put_mpint(blob + n, be);
    n += put_mpint(blob + n, bn);
    BN_free(bn);
    BN_free(be);
    assert_true(EVP_EncodeBlock((unsigned char *)k->b64, blob, (int)n) > 0);
    (void)snprintf(k->ssh, sizeof(k->ssh), "ssh-rsa %s alice@example", k->b64);
    assert_int_equal(EVP_Digest(blob, n, md, NULL, EVP_md5(), NULL), 1);
    for (size_t i = 0; i < 16; i++)
        (void)snprintf(k->fp + 3 * i, 4, i < 15 ? "%02x:" : "%02x", md[i]);
    bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PUBKEY(bio, k->pk), 1);
    len = BIO_get_mem_data(bio, &p);
    assert_true(len > 0 && (size_t)len < sizeof(k->pem));
    memcpy(k->pem, p, (size_t)len);
    BIO_free(bio);
}

static void
key_free(struct key *k)
{
    EVP_PKEY_free(k->pk);
    k->pk = NULL;
}

/* A self-signed PEM certificate valid over [NOW+from_s, NOW+to_s] into out. */
static void
cert_make(EVP_PKEY *pk, const char *cn, int64_t from_s, int64_t to_s, char *out, size_t cap)
{
    X509 *x = X509_new();
    X509_NAME *name;
    BIO *bio;
    char *p;
    long len;

    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(NOW + from_s)));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(NOW + to_s)));
    name = X509_get_subject_name(x);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0),
        1);
    assert_int_equal(X509_set_issuer_name(x, name), 1);
    assert_int_equal(X509_set_pubkey(x, pk), 1);
    assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
    bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_X509(bio, x), 1);
    len = BIO_get_mem_data(bio, &p);
    assert_true(len > 0 && (size_t)len < cap);
    memcpy(out, p, (size_t)len);
    out[len] = '\0';
    BIO_free(bio);
    X509_free(x);
}

/* Replaces every `from` in *s by `to` (heap string). */
static void
subst(char **s, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to);
    char *p;

    while ((p = strstr(*s, from)) != NULL) {
        size_t off = (size_t)(p - *s), len = strlen(*s);
        char *t = malloc(len - nf + nt + 1);

        assert_non_null(t);
        memcpy(t, *s, off);
        memcpy(t + off, to, nt);
        memcpy(t + off + nt, p + nf, len - off - nf + 1);
        free(*s);
        *s = t;
    }
}

/*
 * Rebuilds r->xml from the raw answer with `from` replaced by `to` first,
 * so a random key or certificate body cannot be half-masked by normalize.
 */
static void
remask(struct reply *r, const char *from1, const char *to1, const char *from2, const char *to2)
{
    free(r->xml);
    r->xml = strdup(r->raw);
    assert_non_null(r->xml);
    subst(&r->xml, from1, to1);
    if (from2 != NULL)
        subst(&r->xml, from2, to2);
    normalize(r->xml);
}

/* Certificate ids are random: one fixed word in their place. */
static void
mask_cert_ids(char **s)
{
    char *p;

    for (p = strstr(*s, "<CertificateId>"); p != NULL; p = strstr(p + 1, "<CertificateId>")) {
        char *q = p + strlen("<CertificateId>"), *e = strchr(q, '<');
        assert_non_null(e);
        if (e - q >= 6) {
            memcpy(q, "CERTID", 6);
            memmove(q + 6, e, strlen(e) + 1);
        }
    }
}

static void
add_user(struct fixture *f, const char *name)
{
    EXPECT_OK(f, "CreateUser", "UserName", name);
}

/* Uploads `body` for `user`; the new key's id into id[32]. */
static void
upload_key(struct fixture *f, const char *user, const char *body, char id[32])
{
    struct reply r;

    call(f, &r, "UploadSSHPublicKey", "UserName", user, "SSHPublicKeyBody", body, NULL);
    if (r.err != GH_OK)
        fail_msg("upload: %s %s", r.code, r.message);
    xml_text(r.raw, "SSHPublicKeyId", id, 32);
    reply_free(&r);
}

static void
test_ssh_lifecycle(void **state)
{
    struct fixture *f = *state;
    struct key k;
    struct reply r;
    char id[32], fp[64], body[4096];

    key_make(&k, 2048);
    add_user(f, "alice");
    call(f, &r, "UploadSSHPublicKey", "UserName", "alice", "SSHPublicKeyBody", k.ssh, NULL);
    assert_int_equal(r.err, GH_OK);
    xml_text(r.raw, "SSHPublicKeyId", id, sizeof(id));
    xml_text(r.raw, "Fingerprint", fp, sizeof(fp));
    assert_string_equal(fp, k.fp);
    assert_int_equal(strlen(id), 21);
    assert_int_equal(strncmp(id, "APKA", 4), 0);
    remask(&r, k.b64, "BLOB", k.fp, "FINGERPRINT");
    golden(&r, "UploadSSHPublicKey", "ok");
    reply_free(&r);

    /* SSH encoding: the key as uploaded. */
    call(f, &r, "GetSSHPublicKey", "UserName", "alice", "SSHPublicKeyId", id, "Encoding", "SSH",
         NULL);
    assert_int_equal(r.err, GH_OK);
    remask(&r, k.b64, "BLOB", k.fp, "FINGERPRINT");
    golden(&r, "GetSSHPublicKey", "ssh");
    reply_free(&r);

    /* PEM encoding: OpenSSL's SubjectPublicKeyInfo PEM of the same key. */
    call(f, &r, "GetSSHPublicKey", "UserName", "alice", "SSHPublicKeyId", id, "Encoding", "PEM",
         NULL);
    assert_int_equal(r.err, GH_OK);
    xml_text(r.raw, "SSHPublicKeyBody", body, sizeof(body));
    assert_string_equal(body, k.pem);
    remask(&r, k.pem, "PEM", k.fp, "FINGERPRINT");
    golden(&r, "GetSSHPublicKey", "pem");
    reply_free(&r);

    EXPECT_GOLDEN(f, "ListSSHPublicKeys", "one", "UserName", "alice", );
    EXPECT_OK(f, "UpdateSSHPublicKey", "UserName", "alice", "SSHPublicKeyId", id, "Status",
              "Inactive");
    EXPECT_GOLDEN(f, "ListSSHPublicKeys", "inactive", "UserName", "alice", );
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must delete SSH public keys first.",
               "DeleteUser", "UserName", "alice");

    /* Another user's key is not found through this one. */
    add_user(f, "bob");
    EXPECT_ERR(f, "NoSuchEntity", "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found.",
               "DeleteSSHPublicKey", "UserName", "bob", "SSHPublicKeyId", "APKAXXXXXXXXXXXXXXXXX");
    call(f, &r, "DeleteSSHPublicKey", "UserName", "bob", "SSHPublicKeyId", id, NULL);
    assert_string_equal(r.code, "NoSuchEntity");
    reply_free(&r);

    EXPECT_OK(f, "DeleteSSHPublicKey", "UserName", "alice", "SSHPublicKeyId", id);
    call(f, &r, "GetSSHPublicKey", "UserName", "alice", "SSHPublicKeyId", id, "Encoding", "SSH",
         NULL);
    assert_string_equal(r.code, "NoSuchEntity");
    reply_free(&r);
    EXPECT_GOLDEN(f, "ListSSHPublicKeys", "empty", "UserName", "alice", );
    EXPECT_OK(f, "DeleteUser", "UserName", "alice");
    key_free(&k);
}

static void
test_ssh_pem_upload(void **state)
{
    struct fixture *f = *state;
    struct key k;
    struct reply r;
    char id[32], fp[64], body[4096];

    key_make(&k, 3072);
    add_user(f, "carol");
    upload_key(f, "carol", k.pem, id);
    /* The SSH encoding of a key uploaded as PEM is built from the key. */
    call(f, &r, "GetSSHPublicKey", "UserName", "carol", "SSHPublicKeyId", id, "Encoding", "SSH",
         NULL);
    assert_int_equal(r.err, GH_OK);
    xml_text(r.raw, "Fingerprint", fp, sizeof(fp));
    assert_string_equal(fp, k.fp);
    xml_text(r.raw, "SSHPublicKeyBody", body, sizeof(body));
    assert_int_equal(strncmp(body, "ssh-rsa ", 8), 0);
    assert_string_equal(body + 8, k.b64);
    reply_free(&r);
    /* The same key in the other format is a duplicate. */
    EXPECT_ERR(f, "DuplicateSSHPublicKey",
               "The request was rejected because the SSH public key is already associated with "
               "the specified IAM user.",
               "UploadSSHPublicKey", "UserName", "carol", "SSHPublicKeyBody", k.ssh);
    key_free(&k);
}

static void
test_ssh_errors(void **state)
{
    struct fixture *f = *state;
    struct key small, keys[6];
    struct reply r;
    char id[32], bad[4200];
    const char *const invalid =
        "The request was rejected because the public key is malformed or otherwise invalid.";
    const char *const encoding = "The request was rejected because the public key encoding "
                                 "format is unsupported or unrecognized.";

    add_user(f, "dave");
    key_make(&small, 1024);
    /* AWS IAM: at least 2048 bits. */
    EXPECT_ERR(f, "InvalidPublicKey", invalid, "UploadSSHPublicKey", "UserName", "dave",
               "SSHPublicKeyBody", small.ssh);
    EXPECT_ERR(f, "InvalidPublicKey", invalid, "UploadSSHPublicKey", "UserName", "dave",
               "SSHPublicKeyBody", small.pem);
    EXPECT_ERR(f, "UnrecognizedPublicKeyEncoding", encoding, "UploadSSHPublicKey", "UserName",
               "dave", "SSHPublicKeyBody",
               "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
    EXPECT_ERR(f, "UnrecognizedPublicKeyEncoding", encoding, "UploadSSHPublicKey", "UserName",
               "dave", "SSHPublicKeyBody", "not a key at all");
    EXPECT_ERR(f, "InvalidPublicKey", invalid, "UploadSSHPublicKey", "UserName", "dave",
               "SSHPublicKeyBody", "ssh-rsa !!!notbase64!!!");
    EXPECT_ERR(f, "InvalidPublicKey", invalid, "UploadSSHPublicKey", "UserName", "dave",
               "SSHPublicKeyBody", "ssh-rsa");
    /* A blob that says ssh-dss inside an ssh-rsa line. */
    EXPECT_ERR(f, "InvalidPublicKey", invalid, "UploadSSHPublicKey", "UserName", "dave",
               "SSHPublicKeyBody", "ssh-rsa AAAAB3NzaC1kc3MAAAABAQ==");
    /* Truncated blob. */
    key_make(&keys[0], 2048);
    (void)snprintf(bad, sizeof(bad), "ssh-rsa %.*s", (int)(strlen(keys[0].b64) - 8), keys[0].b64);
    EXPECT_ERR(f, "InvalidPublicKey", invalid, "UploadSSHPublicKey", "UserName", "dave",
               "SSHPublicKeyBody", bad);
    EXPECT_ERR(f, "NoSuchEntity", "The user with name nobody cannot be found.",
               "UploadSSHPublicKey", "UserName", "nobody", "SSHPublicKeyBody", keys[0].ssh);
    call(f, &r, "GetSSHPublicKey", "UserName", "dave", "SSHPublicKeyId", "APKAXXXXXXXXXXXXXXXXX",
         "Encoding", "DER", NULL);
    assert_string_equal(r.code, "ValidationError");
    assert_non_null(strstr(r.message, "Member must satisfy enum value set: [SSH, PEM]"));
    reply_free(&r);
    call(f, &r, "UploadSSHPublicKey", "UserName", "dave", NULL);
    assert_string_equal(r.code, "ValidationError");
    assert_non_null(strstr(r.message, "'sSHPublicKeyBody'"));
    reply_free(&r);

    /* AWS IAM quota: 5 keys per user; the duplicate check comes first. */
    upload_key(f, "dave", keys[0].ssh, id);
    EXPECT_ERR(f, "DuplicateSSHPublicKey",
               "The request was rejected because the SSH public key is already associated with "
               "the specified IAM user.",
               "UploadSSHPublicKey", "UserName", "dave", "SSHPublicKeyBody", keys[0].ssh);
    for (size_t i = 1; i < 6; i++) {
        key_make(&keys[i], 2048);
        if (i < 5)
            upload_key(f, "dave", keys[i].ssh, id);
    }
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for PublicKeysPerUser: 5",
               "UploadSSHPublicKey", "UserName", "dave", "SSHPublicKeyBody", keys[5].ssh);
    /* Paging over the five. */
    call(f, &r, "ListSSHPublicKeys", "UserName", "dave", "MaxItems", "2", NULL);
    assert_int_equal(r.err, GH_OK);
    assert_non_null(strstr(r.raw, "<IsTruncated>true</IsTruncated>"));
    reply_free(&r);
    /* Another user may hold the same key. */
    add_user(f, "erin");
    upload_key(f, "erin", keys[5].ssh, id);
    for (size_t i = 0; i < 6; i++)
        key_free(&keys[i]);
    key_free(&small);
}

static void
test_certificates(void **state)
{
    struct fixture *f = *state;
    struct key k;
    struct reply r;
    char cert1[8192], cert2[8192], cert3[8192], expired[8192], future[8192], id[160];
    char root_id[160];

    key_make(&k, 2048);
    cert_make(k.pk, "one", -86400, 365 * 86400, cert1, sizeof(cert1));
    cert_make(k.pk, "two", -86400, 365 * 86400, cert2, sizeof(cert2));
    cert_make(k.pk, "three", -86400, 365 * 86400, cert3, sizeof(cert3));
    cert_make(k.pk, "old", -2 * 86400, -3600, expired, sizeof(expired));
    cert_make(k.pk, "later", 86400, 365 * 86400, future, sizeof(future));
    add_user(f, "alice");
    add_user(f, "bob");

    call(f, &r, "UploadSigningCertificate", "UserName", "alice", "CertificateBody", cert1, NULL);
    assert_int_equal(r.err, GH_OK);
    xml_text(r.raw, "CertificateId", id, sizeof(id));
    assert_int_equal(strlen(id), 32);
    for (const char *p = id; *p != '\0'; p++)
        assert_true((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'));
    remask(&r, cert1, "CERT", NULL, NULL);
    mask_cert_ids(&r.xml);
    golden(&r, "UploadSigningCertificate", "ok");
    reply_free(&r);

    EXPECT_ERR(f, "DuplicateCertificate",
               "The request was rejected because the same certificate is associated with an IAM "
               "user in the account.",
               "UploadSigningCertificate", "UserName", "bob", "CertificateBody", cert1);
    EXPECT_ERR(f, "MalformedCertificate",
               "Unable to parse certificate. Please ensure the certificate is in PEM format.",
               "UploadSigningCertificate", "UserName", "bob", "CertificateBody",
               "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    EXPECT_ERR(f, "MalformedCertificate",
               "Unable to parse certificate. Please ensure the certificate is in PEM format.",
               "UploadSigningCertificate", "UserName", "bob", "CertificateBody", k.pem);
    EXPECT_ERR(f, "MalformedCertificate", "The certificate has expired.",
               "UploadSigningCertificate", "UserName", "bob", "CertificateBody", expired);
    EXPECT_ERR(f, "InvalidCertificate", "The certificate is not yet valid.",
               "UploadSigningCertificate", "UserName", "bob", "CertificateBody", future);
    /* AWS IAM: without UserName the caller's own, the root's too; its have no UserName. */
    call(f, &r, "UploadSigningCertificate", "CertificateBody", cert3, NULL);
    assert_int_equal(r.err, GH_OK);
    assert_null(strstr(r.raw, "<UserName>"));
    xml_text(r.raw, "CertificateId", root_id, sizeof(root_id));
    reply_free(&r);
    call(f, &r, "ListSigningCertificates", NULL);
    assert_int_equal(r.err, GH_OK);
    assert_non_null(strstr(r.raw, root_id));
    assert_null(strstr(r.raw, id));
    reply_free(&r);
    call(f, &r, "DeleteSigningCertificate", "UserName", "alice", "CertificateId", root_id, NULL);
    assert_string_equal(r.code, "NoSuchEntity");
    reply_free(&r);
    EXPECT_OK(f, "DeleteSigningCertificate", "CertificateId", root_id);

    /* AWS IAM quota: 2 certificates per user. */
    EXPECT_OK(f, "UploadSigningCertificate", "UserName", "alice", "CertificateBody", cert2);
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for SigningCertificatesPerUser: 2",
               "UploadSigningCertificate", "UserName", "alice", "CertificateBody", cert3);
    EXPECT_OK(f, "UploadSigningCertificate", "UserName", "bob", "CertificateBody", cert3);

    call(f, &r, "ListSigningCertificates", "UserName", "alice", NULL);
    assert_int_equal(r.err, GH_OK);
    assert_non_null(strstr(r.raw, id));
    remask(&r, cert1, "CERT1", cert2, "CERT2");
    mask_cert_ids(&r.xml);
    /* Record order follows the random ids: compare one member's shape only. */
    assert_non_null(strstr(r.xml, "<member><UserName>alice</UserName><CertificateId>CERTID"
                                  "</CertificateId><CertificateBody>CERT1</CertificateBody>"
                                  "<Status>Active</Status><UploadDate>2025-11-25T16:21:10Z"
                                  "</UploadDate></member>"));
    assert_non_null(strstr(r.xml, "<CertificateBody>CERT2</CertificateBody>"));
    assert_null(strstr(r.xml, cert3));
    reply_free(&r);

    EXPECT_OK(f, "UpdateSigningCertificate", "UserName", "alice", "CertificateId", id, "Status",
              "Inactive");
    call(f, &r, "ListSigningCertificates", "UserName", "alice", NULL);
    assert_non_null(strstr(r.raw, "<Status>Inactive</Status>"));
    reply_free(&r);
    EXPECT_ERR(f, "NoSuchEntity",
               "The Certificate with id ABCDEFGHIJKLMNOPQRSTUVWXYZ cannot be found.",
               "UpdateSigningCertificate", "UserName", "alice", "CertificateId",
               "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "Status", "Active");
    call(f, &r, "DeleteSigningCertificate", "UserName", "bob", "CertificateId", id, NULL);
    assert_string_equal(r.code, "NoSuchEntity");
    reply_free(&r);
    call(f, &r, "UpdateSigningCertificate", "UserName", "alice", "CertificateId", "SHORT", "Status",
         "Active", NULL);
    assert_string_equal(r.code, "ValidationError");
    reply_free(&r);
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must delete signing certificates first.",
               "DeleteUser", "UserName", "alice");
    EXPECT_OK(f, "DeleteSigningCertificate", "UserName", "alice", "CertificateId", id);
    /* The deleted certificate may be uploaded again. */
    EXPECT_OK(f, "UploadSigningCertificate", "UserName", "alice", "CertificateBody", cert1);
    EXPECT_GOLDEN(f, "ListSigningCertificates", "no_user", "UserName", "nobody-here", );
    key_free(&k);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ssh_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ssh_pem_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ssh_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certificates, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
