/*
 * console.h: the web console's server side: the built single-page
 * application served as static files under /console with its security
 * headers, console sign-in (account + user + password [+ TOTP]) minting
 * temporary credentials as GetSessionToken does, sign-out that revokes
 * them (stored, so it survives a restart), and the root console password.
 */
#ifndef GH_CONSOLE_H
#define GH_CONSOLE_H

#include "api/api.h"
#include "auth/auth.h"
#include "core/core.h"
#include "http/http.h"
#include "store/store.h"

/* The path the console is mounted at (gh_api_mount). */
#define GH_CONSOLE_PREFIX "/console"
/* AWS console sessions last 12 hours (the GetSessionToken default). */
#define GH_CONSOLE_SESSION_S 43200
/*
 * Failed sign-ins allowed per user, per client address and per account
 * in one window (AWS documents no numbers; these slow guessing to a
 * crawl while a user who mistypes a few times is not locked out).
 */
#define GH_CONSOLE_FAILS_PER_USER 5
#define GH_CONSOLE_FAILS_PER_ADDR 20
#define GH_CONSOLE_FAILS_PER_ACCOUNT 100
#define GH_CONSOLE_FAIL_WINDOW_S 900
/* The bundle: at most this many files, each at most this large. */
#define GH_CONSOLE_FILES_MAX 256
#define GH_CONSOLE_FILE_BYTES_MAX ((size_t)16 * 1024 * 1024)
/* Console passwords: AWS IAM allows 1..128 characters. */
#define GH_CONSOLE_PASSWORD_MAX 128

struct gh_console;

struct gh_console_deps {
    struct gh_store *store;
    /*
     * Borrowed; must outlive the console. Sign-in seals with the key ring
     * of its current auth snapshot, and sign-out is recorded through it.
     */
    struct gh_api *api;
    /*
     * The built bundle (index.html and assets/), read once at start; NULL
     * or a missing index.html serves a page that says how to build it.
     */
    const char *assets_dir;
};

/* *out is owned by the caller (gh_console_free). */
GH_MUST_CHECK enum gh_err gh_console_new(const struct gh_console_deps *deps,
                                         struct gh_console **out);
void gh_console_free(struct gh_console *c);

/* The HTTP handler for everything under GH_CONSOLE_PREFIX (ctx = the console). */
void gh_console_handle(void *console, struct gh_http_req *req, struct gh_http_resp *resp);

/*
 * The console on its own listener (gatehouse serve --console-listen):
 * `api` answers the IAM/STS calls the console makes on its origin; it must
 * serve no user content (gh_api_handle_query). Both borrowed.
 */
struct gh_console_site {
    struct gh_console *console;
    struct gh_http_handler api;
};

/*
 * The console listener's handler (ctx = a struct gh_console_site): GET
 * /healthz, everything under GH_CONSOLE_PREFIX, and POST / to `api`;
 * anything else is 404. S3 and other user content are never served there.
 */
void gh_console_site_handle(void *site, struct gh_http_req *req, struct gh_http_resp *resp);

/*
 * For GH_CONSOLE_PREFIX on the main listener when the console has its own:
 * 404 for every request (ctx unused).
 */
void gh_console_elsewhere_handle(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp);

/*
 * Sets the console password of `account`'s root user (stored as an
 * argon2id hash). GH_ERR_INVALID_INPUT when the password is empty or
 * longer than GH_CONSOLE_PASSWORD_MAX; GH_ERR_NOT_FOUND for no account.
 */
GH_MUST_CHECK enum gh_err gh_console_root_password_set(struct gh_store *store,
                                                       struct gh_slice account,
                                                       struct gh_slice password);

/*
 * Where the built bundle is when no --console-dir is given: "console"
 * next to the running executable (build/gatehouse -> build/console).
 * GH_ERR_NOT_FOUND when it has no index.html.
 */
GH_MUST_CHECK enum gh_err gh_console_dir_default(char *out, size_t out_len);

#endif
