/*
 * bootstrap.c: first start of a data directory: the account, its root
 * access key, and the AWS CLI files (credentials, config) that let a
 * client talk to the server with nothing but the directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli/cli_int.h"
#include "crypto/crypto.h"

/* Writes `data` to DIR/NAME atomically (temp file, fsync, rename, fsync dir), mode 0600. */
static enum gh_err
write_file(const char *dir, const char *name, struct gh_slice data)
{
    char path[4096];

    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        return GH_ERR_TOO_LARGE;
    return gh_cli_file_write(path, data, 0600);
}

static enum gh_err
write_client_files(const char *dir, struct gh_slice akid, const struct gh_secret *secret)
{
    struct gh_buf b;
    enum gh_err err;

    gh_buf_init(&b, 4096);
    gh_buf_putf(&b, "[default]\naws_access_key_id = %.*s\naws_secret_access_key = ", GH_SP(akid));
    gh_buf_put(&b, (struct gh_slice){(const char *)secret->bytes, secret->len});
    gh_buf_puts(&b, "\n");
    if ((err = gh_buf_status(&b)) == GH_OK)
        err = write_file(dir, "credentials", gh_buf_slice(&b));
    gh_buf_cleanup(&b); /* wipes the secret copy */
    if (err != GH_OK)
        return err;
    return write_file(dir, "config", GH_S("[default]\nregion = us-east-1\n"));
}

static bool
file_exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;

    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        return false;
    return stat(path, &st) == 0;
}

/* First start: a new account and root key in one transaction. */
static enum gh_err
create_account(struct gh_store *store, const char *dir, const char *want, char account[13])
{
    struct gh_store_tx *tx = NULL;
    struct gh_access_key key;
    struct gh_secret secret = {{0}, 0};
    char akid[21], sk[41];
    int64_t now = gh_now_s();
    enum gh_err err;

    if (want != NULL) {
        memcpy(account, want, 12);
        account[12] = '\0';
    } else if ((err = gh_random_account_id(account)) != GH_OK) {
        return err;
    }
    if ((err = gh_random_key_id("AKIA", account, akid)) != GH_OK ||
        (err = gh_random_secret_key(sk)) != GH_OK)
        goto done;
    if ((err = gh_secret_set(&secret, sk, 40)) != GH_OK)
        goto done;
    memset(&key, 0, sizeof(key));
    key.id = (struct gh_slice){akid, 20};
    key.account = (struct gh_slice){account, 12};
    key.user_name = GH_S("");
    key.status = GH_KEY_ACTIVE;
    key.created = now;
    if ((err = gh_store_tx_begin(store, true, &tx)) != GH_OK)
        goto done;
    if ((err = gh_store_account_create(tx, account, now)) != GH_OK ||
        (err = gh_store_access_key_create(tx, &key, &secret)) != GH_OK ||
        (err = gh_store_meta_set(tx, "account_id", (struct gh_slice){account, 12})) != GH_OK ||
        (err = gh_store_meta_set(tx, "root_access_key_id", key.id)) != GH_OK) {
        gh_store_tx_rollback(tx);
        goto done;
    }
    if ((err = gh_store_tx_commit(tx)) != GH_OK)
        goto done;
    err = write_client_files(dir, key.id, &secret);
done:
    OPENSSL_cleanse(sk, sizeof(sk));
    gh_secret_wipe(&secret);
    return err;
}

/* Later starts: rewrite the client files if someone removed them. */
static enum gh_err
restore_client_files(struct gh_store *store, const char *dir)
{
    struct gh_store_tx *tx = NULL;
    struct gh_arena a;
    struct gh_slice akid;
    struct gh_access_key key;
    struct gh_secret secret = {{0}, 0};
    enum gh_err err;

    if (file_exists(dir, "credentials") && file_exists(dir, "config"))
        return GH_OK;
    gh_arena_init(&a);
    if ((err = gh_store_tx_begin(store, false, &tx)) != GH_OK)
        goto done;
    if ((err = gh_store_meta_get(tx, &a, "root_access_key_id", &akid)) != GH_OK ||
        (err = gh_store_access_key_get(tx, &a, akid, &key, &secret)) != GH_OK)
        goto done;
    err = write_client_files(dir, akid, &secret);
done:
    gh_store_tx_rollback(tx);
    gh_secret_wipe(&secret);
    gh_arena_cleanup(&a);
    return err;
}

enum gh_err
gh_cli_bootstrap(struct gh_store *store, const char *dir, const char *want_account,
                 char account[13], struct gh_diag *diag)
{
    struct gh_store_tx *tx = NULL;
    struct gh_arena a;
    struct gh_slice stored = GH_SLICE_NULL;
    enum gh_err err;

    gh_arena_init(&a);
    if ((err = gh_store_tx_begin(store, false, &tx)) != GH_OK) {
        gh_diag_set(diag, "cannot read the store in %s", dir);
        goto done;
    }
    err = gh_store_meta_get(tx, &a, "account_id", &stored);
    gh_store_tx_rollback(tx);
    if (err == GH_ERR_NOT_FOUND) {
        if ((err = create_account(store, dir, want_account, account)) != GH_OK)
            gh_diag_set(diag, "cannot create the account in %s (%s)", dir, gh_err_str(err));
        goto done;
    }
    if (err != GH_OK || stored.len != 12) {
        gh_diag_set(diag, "the store in %s has no valid account id", dir);
        err = err == GH_OK ? GH_ERR_INTERNAL : err;
        goto done;
    }
    memcpy(account, stored.ptr, 12);
    account[12] = '\0';
    if (want_account != NULL && strcmp(want_account, account) != 0) {
        gh_diag_set(diag, "%s already holds account %s; drop --account-id or use another --data-dir",
                    dir, account);
        err = GH_ERR_INVALID_INPUT;
        goto done;
    }
    if ((err = restore_client_files(store, dir)) != GH_OK)
        gh_diag_set(diag, "cannot write %s/credentials (%s)", dir, gh_err_str(err));
done:
    gh_arena_cleanup(&a);
    return err;
}
