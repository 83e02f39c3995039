/*
 * admin.c: `gatehouse keys rotate` and `gatehouse sessions revoke`:
 * maintenance on a data directory, safe while the server runs (SQLite
 * serialises the writers; the server notices within a second).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "auth/auth.h"
#include "cli/cli_int.h"
#include "store/store.h"

struct opened {
    struct gh_secret master;
    struct gh_store *store;
};

static int
open_dir(const char *cmd, const char *dir, struct opened *o)
{
    enum gh_err err;

    memset(o, 0, sizeof(*o));
    if ((err = gh_store_master_key_load(dir, &o->master)) != GH_OK) {
        fprintf(stderr, "gatehouse %s: cannot load %s/master.key (%s); is --data-dir right?\n", cmd,
                dir, gh_err_str(err));
        return 1;
    }
    if ((err = gh_store_open(dir, &o->master, &o->store)) != GH_OK) {
        fprintf(stderr, "gatehouse %s: cannot open the store in %s (%s)\n", cmd, dir,
                gh_err_str(err));
        gh_secret_wipe(&o->master);
        return 1;
    }
    return 0;
}

static void
close_dir(struct opened *o)
{
    gh_store_close(o->store);
    gh_secret_wipe(&o->master);
}

int
gh_cli_keys(int argc, char **argv)
{
    const char *dir = "./data";
    struct opened o;
    struct gh_keyring *kr = NULL;
    const struct gh_secret *k;
    uint32_t id;
    enum gh_err err;

    if (argc < 2 || strcmp(argv[1], "rotate") != 0) {
        fputs("usage: gatehouse keys rotate [--data-dir DIR]\n", stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else {
            fprintf(stderr, "gatehouse keys: unknown option '%s'; usage: gatehouse keys rotate "
                            "[--data-dir DIR]\n", argv[i]);
            return 2;
        }
    }
    if (open_dir("keys", dir, &o) != 0)
        return 1;
    err = gh_keyring_rotate(o.store, &o.master, &kr);
    if (err == GH_OK && gh_keyring_current(kr, &id, &k) == GH_OK)
        printf("token key %u now seals new session tokens; %zu key(s) open existing ones\n", id,
               gh_keyring_count(kr));
    else
        fprintf(stderr, "gatehouse keys: rotation failed (%s)\n", gh_err_str(err));
    gh_keyring_unref(kr);
    close_dir(&o);
    return err == GH_OK ? 0 : 1;
}

int
gh_cli_sessions(int argc, char **argv)
{
    const char *dir = "./data", *role = NULL, *account = NULL, *before = NULL;
    struct opened o;
    struct gh_diag diag;
    struct gh_arena a;
    struct gh_slice acct = GH_SLICE_NULL;
    int64_t when = gh_now_s();
    enum gh_err err;

    if (argc < 2 || strcmp(argv[1], "revoke") != 0)
        goto usage;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else if (strcmp(argv[i], "--account") == 0 && i + 1 < argc)
            account = argv[++i];
        else if (strcmp(argv[i], "--before") == 0 && i + 1 < argc)
            before = argv[++i];
        else
            goto usage;
    }
    if (role == NULL)
        goto usage;
    if (before != NULL && gh_time_parse_iso8601(gh_slice_from_cstr(before), &when) != GH_OK) {
        fprintf(stderr, "gatehouse sessions: --before wants an ISO 8601 time such as "
                        "2026-11-25T12:00:00Z, not '%s'\n", before);
        return 2;
    }
    if (open_dir("sessions", dir, &o) != 0)
        return 1;
    gh_arena_init(&a);
    if (account != NULL) {
        acct = gh_slice_from_cstr(account);
    } else {
        struct gh_store_tx *tx = NULL;
        if ((err = gh_store_tx_begin(o.store, false, &tx)) == GH_OK)
            err = gh_store_meta_get(tx, &a, "account_id", &acct);
        gh_store_tx_rollback(tx);
        if (err != GH_OK) {
            fprintf(stderr, "gatehouse sessions: %s holds no account; pass --account ID\n", dir);
            gh_arena_cleanup(&a);
            close_dir(&o);
            return 1;
        }
    }
    gh_diag_clear(&diag);
    err = gh_api_revoke_sessions(o.store, acct, gh_slice_from_cstr(role), when, &diag);
    if (err == GH_OK) {
        char iso[21];
        gh_time_iso8601(when, iso);
        printf("sessions of role %s issued before %s are revoked\n", role, iso);
    } else {
        fprintf(stderr, "gatehouse sessions: %s\n", diag.text[0] ? diag.text : gh_err_str(err));
    }
    gh_arena_cleanup(&a);
    close_dir(&o);
    return err == GH_OK ? 0 : 1;
usage:
    fputs("usage: gatehouse sessions revoke --role NAME [--account ID] [--before TIME] "
          "[--data-dir DIR]\n",
          stderr);
    return 2;
}
