/*
 * console_int.h: what the console's files share: the sign-in rate
 * limiter, the static file table and the console itself.
 */
#ifndef GH_CONSOLE_INT_H
#define GH_CONSOLE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "console/console.h"

/* ---- sign-in attempt counting (limit.c) ---- */

#define GH_CONSOLE_LIMIT_SLOTS 4096
#define GH_CONSOLE_LIMIT_KEY_MAX 160
/* Keys one attempt is counted against at most (address, user, account). */
#define GH_CONSOLE_LIMIT_TAKE_MAX 4

struct gh_console_limit_slot {
    char key[GH_CONSOLE_LIMIT_KEY_MAX]; /* "a:ADDR" / "u:ACCOUNT:user" / "c:ACCOUNT"; "" = free */
    int64_t window_start;
    unsigned fails; /* attempts counted in the window (given back when not a wrong guess) */
    unsigned max;   /* the limit for this key */
};

struct gh_console_limit {
    pthread_mutex_t lock;
    uint8_t hash_key[GH_SIPHASH_KEY_LEN]; /* random per process */
    struct gh_console_limit_slot slots[GH_CONSOLE_LIMIT_SLOTS];
};

/* One key an attempt counts against, with its limit per window. */
struct gh_console_limit_key {
    struct gh_slice key;
    unsigned max;
};

GH_MUST_CHECK enum gh_err gh_console_limit_init(struct gh_console_limit *l);
void gh_console_limit_cleanup(struct gh_console_limit *l);
/*
 * Counts one attempt against each of keys[0..n) and returns true; or
 * counts nothing and returns false (refuse the attempt) when one key
 * already has `max` attempts in the window holding `now`, when a key is
 * empty or too long, or when a key has no slot: its probed slots are all
 * held by keys at their limits, which are never pushed out (fail closed).
 * Counting before the password is checked means parallel guesses cannot
 * all pass one check.
 */
GH_MUST_CHECK bool gh_console_limit_take(struct gh_console_limit *l,
                                         const struct gh_console_limit_key *keys, size_t n,
                                         int64_t now);
/* Uncounts one attempt of `key` (taken for a sign-in that was not a wrong guess). */
void gh_console_limit_give_back(struct gh_console_limit *l, struct gh_slice key, int64_t now);
/* Forgets `key` (a successful sign-in clears the user's count). */
void gh_console_limit_clear(struct gh_console_limit *l, struct gh_slice key);
/* The home slot of `key` (its probes follow it); for tests. */
size_t gh_console_limit_home(const struct gh_console_limit *l, struct gh_slice key);

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
