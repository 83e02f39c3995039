/*
 * masterkey.c: the master key: from the environment (GATEHOUSE_MASTER_KEY,
 * 64 hex digits or base64 of 32 bytes) when set, otherwise the file
 * DIR/master.key: 32 CSPRNG bytes, mode 0600, created once with O_EXCL and
 * fsynced with its directory; refused when others may read it or it has
 * the wrong size. Never logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "store/store_int.h"

#define KEY_FILE "master.key"
#define KEY_ENV "GATEHOUSE_MASTER_KEY"

static enum gh_err
fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return GH_ERR_IO;
    rc = fsync(fd);
    close(fd);
    return rc == 0 ? GH_OK : GH_ERR_IO;
}

static enum gh_err
key_create(const char *dir, const char *path, struct gh_diag *diag)
{
    uint8_t key[GH_AEAD_KEY_LEN];
    enum gh_err err = GH_ERR_IO;
    size_t off = 0;
    int fd;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return GH_ERR_EXISTS; /* created meanwhile: the caller reads it */
        gh_diag_set(diag, "cannot create %s: %s", path, strerror(errno));
        return GH_ERR_IO;
    }
    if ((err = gh_random(key, sizeof(key))) != GH_OK) {
        gh_diag_set(diag, "no random bytes for %s", path);
        goto done;
    }
    while (off < sizeof(key)) {
        ssize_t w = write(fd, key + off, sizeof(key) - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            gh_diag_set(diag, "cannot write %s: %s", path, strerror(errno));
            err = GH_ERR_IO;
            goto done;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        gh_diag_set(diag, "cannot fsync %s: %s", path, strerror(errno));
        err = GH_ERR_IO;
        goto done;
    }
    err = GH_OK;
done:
    OPENSSL_cleanse(key, sizeof(key));
    close(fd);
    if (err != GH_OK) {
        unlink(path); /* never leave a short key behind for the next start */
        return err;
    }
    if ((err = fsync_dir(dir)) != GH_OK)
        gh_diag_set(diag, "cannot fsync directory %s", dir);
    return err;
}

static enum gh_err
key_read(const char *path, struct gh_diag *diag, struct gh_secret *out)
{
    enum gh_err err = GH_ERR_IO;
    struct stat sb;
    size_t off = 0;
    int fd;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        gh_diag_set(diag, "cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? GH_ERR_NOT_FOUND : GH_ERR_IO;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        gh_diag_set(diag, "%s is not a regular file", path);
        goto done;
    }
    if ((sb.st_mode & 077) != 0) {
        gh_diag_set(diag, "%s has mode %04o: others may read the master key; run chmod 600 %s",
                    path, (unsigned)(sb.st_mode & 07777), path);
        err = GH_ERR_ACCESS_DENIED;
        goto done;
    }
    if (sb.st_size != GH_AEAD_KEY_LEN) {
        gh_diag_set(diag, "%s has %lld bytes, a master key has %d: restore the right file", path,
                    (long long)sb.st_size, GH_AEAD_KEY_LEN);
        err = GH_ERR_VALIDATION;
        goto done;
    }
    while (off < GH_AEAD_KEY_LEN) {
        ssize_t r = read(fd, out->bytes + off, GH_AEAD_KEY_LEN - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            gh_diag_set(diag, "cannot read %s", path);
            goto done;
        }
        off += (size_t)r;
    }
    out->len = GH_AEAD_KEY_LEN;
    err = GH_OK;
done:
    close(fd);
    if (err != GH_OK)
        gh_secret_wipe(out);
    return err;
}

/*
 * The key from the environment: 64 hex digits or base64 of 32 bytes. The
 * variable is wiped and removed once read, so nothing this process starts
 * inherits it.
 */
static enum gh_err
key_from_env(char *text, struct gh_diag *diag, struct gh_secret *out)
{
    struct gh_slice in = gh_slice_trim(gh_slice_from_cstr(text));
    enum gh_err err = GH_ERR_VALIDATION;
    struct gh_buf b64;

    gh_buf_init(&b64, 64);
    if (in.len == 2 * GH_AEAD_KEY_LEN && gh_hex_decode(in, out->bytes, GH_AEAD_KEY_LEN) == GH_OK) {
        out->len = GH_AEAD_KEY_LEN;
        err = GH_OK;
    } else if (gh_base64_decode(in, false, &b64) == GH_OK && b64.len == GH_AEAD_KEY_LEN) {
        err = gh_secret_set(out, b64.ptr, b64.len);
    }
    if (b64.ptr != NULL)
        OPENSSL_cleanse(b64.ptr, b64.len);
    gh_buf_cleanup(&b64);
    OPENSSL_cleanse(text, strlen(text));
    (void)unsetenv(KEY_ENV);
    if (err != GH_OK) {
        gh_secret_wipe(out);
        gh_diag_set(diag, KEY_ENV " must hold 32 bytes as 64 hex digits or base64 "
                          "(for example: openssl rand -hex 32)");
        return GH_ERR_VALIDATION;
    }
    return GH_OK;
}

enum gh_err
gh_store_master_key_load_diag(const char *dir, struct gh_diag *diag, struct gh_secret *out)
{
    char path[4096];
    enum gh_err err;
    int w;

    char *env = getenv(KEY_ENV);

    gh_secret_wipe(out);
    gh_diag_clear(diag);
    w = snprintf(path, sizeof(path), "%s/" KEY_FILE, dir);
    if (w < 0 || (size_t)w >= sizeof(path)) {
        gh_diag_set(diag, "data directory path too long");
        return GH_ERR_TOO_LARGE;
    }
    if (env != NULL) {
        struct gh_secret file;
        bool same;

        if ((err = key_from_env(env, diag, out)) != GH_OK)
            return err;
        /* Two keys for one directory would be a silent trap: refuse. */
        gh_secret_wipe(&file);
        err = key_read(path, diag, &file);
        if (err == GH_ERR_NOT_FOUND) {
            gh_diag_clear(diag);
            return GH_OK;
        }
        same = err == GH_OK && gh_secret_eq(out, &file);
        gh_secret_wipe(&file);
        if (same)
            return GH_OK;
        gh_secret_wipe(out);
        if (err == GH_OK)
            gh_diag_set(diag, KEY_ENV " differs from %s: keep one of them", path);
        return err == GH_OK ? GH_ERR_VALIDATION : err;
    }
    err = key_read(path, diag, out);
    if (err != GH_ERR_NOT_FOUND)
        return err;
    gh_diag_clear(diag);
    err = key_create(dir, path, diag);
    if (err != GH_OK && err != GH_ERR_EXISTS)
        return err;
    return key_read(path, diag, out);
}

enum gh_err
gh_store_master_key_load(const char *dir, struct gh_secret *out)
{
    struct gh_diag diag;
    enum gh_err err = gh_store_master_key_load_diag(dir, &diag, out);

    /* The diagnostic names the file and the fix, never key bytes. */
    if (err != GH_OK)
        fprintf(stderr, "gatehouse: %s\n", diag.text);
    return err;
}
