/*
 * console_int.h: what the console's files share: the sign-in rate
 * limiter, the static file table and the console itself.
 */
#ifndef GH_CONSOLE_INT_H
#define GH_CONSOLE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "console/console.h"

/* ---- failed sign-in counting (limit.c) ---- */

#define GH_CONSOLE_LIMIT_SLOTS 4096
#define GH_CONSOLE_LIMIT_KEY_MAX 160

struct gh_console_limit_slot {
    char key[GH_CONSOLE_LIMIT_KEY_MAX]; /* "u:ACCOUNT:lowercased user" / "a:ADDR"; "" = free */
    int64_t window_start;
    unsigned fails;
};

struct gh_console_limit {
    pthread_mutex_t lock;
    struct gh_console_limit_slot slots[GH_CONSOLE_LIMIT_SLOTS];
};

GH_MUST_CHECK enum gh_err gh_console_limit_init(struct gh_console_limit *l);
void gh_console_limit_cleanup(struct gh_console_limit *l);
/* True when `key` has `max` or more failures in the window that holds `now`. */
bool gh_console_limit_blocked(struct gh_console_limit *l, struct gh_slice key, unsigned max,
                              int64_t now);
/* Counts one failure for `key`. */
void gh_console_limit_fail(struct gh_console_limit *l, struct gh_slice key, int64_t now);
/* Forgets `key` (a successful sign-in clears the user's count). */
void gh_console_limit_clear(struct gh_console_limit *l, struct gh_slice key);

/* ---- the bundle (files.c) ---- */

struct gh_console_file {
    char *name; /* "index.html", "assets/main-3FA2C1.js" */
    char *data;
    size_t len;
    const char *content_type; /* static */
    bool immutable;           /* content-hashed name: cached for a year */
};

struct gh_console_files {
    struct gh_console_file *items;
    size_t count;
};

/* Reads index.html and assets/ of `dir`; an absent directory gives an empty set. */
GH_MUST_CHECK enum gh_err gh_console_files_load(const char *dir, struct gh_console_files *out);
void gh_console_files_cleanup(struct gh_console_files *f);
/* The file at `name` (relative, already checked), or NULL. */
const struct gh_console_file *gh_console_files_find(const struct gh_console_files *f,
                                                    struct gh_slice name);
/* The content type for a file name by extension. */
const char *gh_console_content_type(struct gh_slice name);

/* ---- the console (console.c, signin.c) ---- */

struct gh_console {
    struct gh_store *store;
    struct gh_api *api; /* the auth snapshot (key ring) and sign-outs */
    struct gh_console_files files;
    struct gh_console_limit limit;
    char dummy_hash[160]; /* argon2id of random bytes: unknown users cost a verification too */
};

/* The meta key holding `account`'s root console password hash, into out. */
void gh_console_root_key(struct gh_slice account, char out[64]);

/* POST /console/signin and /console/signout (signin.c). */
void gh_console_signin(struct gh_console *c, struct gh_http_req *req, struct gh_http_resp *resp,
                       int64_t now);
void gh_console_signout(struct gh_console *c, struct gh_http_req *req, struct gh_http_resp *resp,
                        int64_t now);
/* A JSON error body {"error":{"code":..,"message":..}} with `status`. */
void gh_console_error(struct gh_http_resp *resp, int status, const char *code, const char *message);

/* Argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane). */
GH_MUST_CHECK enum gh_err gh_console_hash_password(struct gh_slice pw, struct gh_buf *out);
/* True when `pw` matches the encoded argon2id `hash` (NUL-terminated). */
bool gh_console_password_ok(const char *hash, struct gh_slice pw);

#endif
