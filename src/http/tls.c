/*
 * tls.c: loads and checks the HTTPS certificate and private key files
 * before libmicrohttpd (GnuTLS) is given them, so a bad file is named in a
 * clear message instead of a daemon that will not start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "http/http.h"

bool
gh_http_tls_is_supported(void)
{
    return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

/*
 * Reads all of `path` into a fresh NUL-terminated heap buffer, allocated
 * once at the file's size so no realloc leaves a copy of a key behind.
 * `what` names the file in diag ("certificate", "private key").
 */
static enum gh_err
read_pem(const char *path, const char *what, char **out, size_t *out_len, struct gh_diag *diag)
{
    enum gh_err err = GH_ERR_IO;
    struct stat st;
    char *buf = NULL;
    size_t cap = 0, len = 0;
    int fd;

    *out = NULL;
    *out_len = 0;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        gh_diag_set(diag, "cannot read the TLS %s file %s: %s", what, path, strerror(errno));
        return GH_ERR_IO;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        gh_diag_set(diag, "the TLS %s file %s is not a regular file", what, path);
        goto done;
    }
    if ((uint64_t)st.st_size > GH_HTTP_TLS_PEM_MAX) {
        gh_diag_set(diag, "the TLS %s file %s is larger than %zu bytes", what, path,
                    GH_HTTP_TLS_PEM_MAX);
        err = GH_ERR_TOO_LARGE;
        goto done;
    }
    cap = (size_t)st.st_size;
    if ((buf = malloc(cap + 1)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    while (len < cap) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* shorter than fstat said: take what is there */
        len += (size_t)n;
    }
    buf[len] = '\0';
    /* libmicrohttpd measures the PEM with strlen: a NUL inside would cut it. */
    if (len == 0 || memchr(buf, '\0', len) != NULL) {
        gh_diag_set(diag, "the TLS %s file %s is empty or not PEM text", what, path);
        err = GH_ERR_INVALID_INPUT;
        goto done;
    }
    *out = buf;
    *out_len = len;
    buf = NULL;
    err = GH_OK;
done:
    if (buf != NULL) {
        OPENSSL_cleanse(buf, cap + 1);
        free(buf);
    }
    (void)close(fd);
    return err;
}

/* Never prompt on the terminal for a passphrase: encrypted keys are refused. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* Parses both PEMs with OpenSSL and checks that the key is the certificate's. */
static enum gh_err
check_pair(const struct gh_http_tls *t, const char *cert_path, const char *key_path,
           struct gh_diag *diag)
{
    enum gh_err err = GH_ERR_INVALID_INPUT;
    BIO *cb = BIO_new_mem_buf(t->cert_pem, (int)t->cert_len);
    BIO *kb = BIO_new_mem_buf(t->key_pem, (int)t->key_len);
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;

    if (cb == NULL || kb == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((cert = PEM_read_bio_X509(cb, NULL, no_passphrase, NULL)) == NULL) {
        gh_diag_set(diag,
                    "the TLS certificate file %s holds no PEM certificate "
                    "(-----BEGIN CERTIFICATE-----)",
                    cert_path);
        goto done;
    }
    if ((key = PEM_read_bio_PrivateKey(kb, NULL, no_passphrase, NULL)) == NULL) {
        gh_diag_set(diag,
                    "the TLS key file %s holds no unencrypted PEM private key "
                    "(encrypted keys are not supported: decrypt it with `openssl pkey`)",
                    key_path);
        goto done;
    }
    if (X509_check_private_key(cert, key) != 1) {
        gh_diag_set(diag, "the private key in %s does not belong to the certificate in %s",
                    key_path, cert_path);
        goto done;
    }
    err = GH_OK;
done:
    ERR_clear_error();
    EVP_PKEY_free(key);
    X509_free(cert);
    BIO_free(kb);
    BIO_free(cb);
    return err;
}

enum gh_err
gh_http_tls_load(const char *cert_path, const char *key_path, struct gh_http_tls *out,
                 struct gh_diag *diag)
{
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    gh_diag_clear(diag);
    if ((err = read_pem(cert_path, "certificate", &out->cert_pem, &out->cert_len, diag)) != GH_OK ||
        (err = read_pem(key_path, "private key", &out->key_pem, &out->key_len, diag)) != GH_OK ||
        (err = check_pair(out, cert_path, key_path, diag)) != GH_OK)
        gh_http_tls_cleanup(out);
    return err;
}

void
gh_http_tls_cleanup(struct gh_http_tls *t)
{
    if (t->key_pem != NULL) {
        OPENSSL_cleanse(t->key_pem, t->key_len + 1);
        free(t->key_pem);
    }
    free(t->cert_pem);
    memset(t, 0, sizeof(*t));
}
