/*
 * console.c: the console's lifecycle, its request routing under /console
 * with the security headers every answer carries, the root console
 * password, and where the built bundle is found.
 */
#include <argon2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "console/console_int.h"
#include "crypto/crypto.h"

/*
 * No inline script or style, nothing from elsewhere: the SDK's requests
 * go to this origin; MFA QR codes are data: images.
 */
static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
                          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static const char not_built[] =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>gatehouse "
    "console</title></head><body><h1>The console is not built</h1><p>Run <code>make</code> on a "
    "machine with npm, or start <code>gatehouse serve</code> with <code>--console-dir "
    "DIR</code> pointing at the built bundle.</p></body></html>\n";

enum gh_err
gh_console_hash_password(struct gh_slice pw, struct gh_buf *out)
{
    /* OWASP's minimum argon2id parameters, as the IAM login profiles use. */
    const uint32_t t = 2, m = 19 * 1024, lanes = 1, salt_len = 16, hash_len = 32;
    uint8_t salt[16];
    size_t len = argon2_encodedlen(t, m, lanes, salt_len, hash_len, Argon2_id);
    char *enc;
    enum gh_err err;

    if ((err = gh_random(salt, sizeof(salt))) != GH_OK)
        return err;
    if ((err = gh_buf_extend(out, len, &enc)) != GH_OK)
        return err;
    if (argon2id_hash_encoded(t, m, lanes, pw.ptr, pw.len, salt, sizeof(salt), hash_len, enc,
                              len) != ARGON2_OK)
        return GH_ERR_NOMEM; /* argon2 fails only on allocation with these parameters */
    out->len = strlen(out->ptr);
    return GH_OK;
}

bool
gh_console_password_ok(const char *hash, struct gh_slice pw)
{
    /* argon2id_verify compares in constant time. */
    return hash != NULL && pw.len > 0 && argon2id_verify(hash, pw.ptr, pw.len) == ARGON2_OK;
}

void
gh_console_root_key(struct gh_slice account, char out[64])
{
    (void)snprintf(out, 64, "console_root_password:%.*s", GH_SP(account));
}

enum gh_err
gh_console_root_password_set(struct gh_store *store, struct gh_slice account,
                             struct gh_slice password)
{
    struct gh_store_tx *tx = NULL;
    struct gh_buf hash;
    char key[64], acct[13];
    enum gh_err err;

    gh_buf_init(&hash, 1024);
    if (password.len == 0 || password.len > GH_CONSOLE_PASSWORD_MAX || account.len != 12 ||
        !gh_utf8_is_valid(password)) {
        err = GH_ERR_INVALID_INPUT;
        goto done;
    }
    memcpy(acct, account.ptr, 12);
    acct[12] = '\0';
    if ((err = gh_console_hash_password(password, &hash)) != GH_OK)
        goto done;
    gh_console_root_key(account, key);
    if ((err = gh_store_tx_begin(store, true, &tx)) != GH_OK)
        goto done;
    if ((err = gh_store_account_exists(tx, acct)) != GH_OK ||
        (err = gh_store_meta_set(tx, key, gh_buf_slice(&hash))) != GH_OK) {
        gh_store_tx_rollback(tx);
        goto done;
    }
    err = gh_store_tx_commit(tx);
done:
    gh_buf_cleanup(&hash);
    return err;
}

enum gh_err
gh_console_dir_default(char *out, size_t out_len)
{
    enum gh_err err = gh_path_beside_exe("console/index.html", out, out_len);

    if (err != GH_OK)
        return err;
    if (access(out, R_OK) != 0) {
        out[0] = '\0';
        return GH_ERR_NOT_FOUND;
    }
    out[strlen(out) - strlen("/index.html")] = '\0';
    return GH_OK;
}

static enum gh_err
dummy_hash_make(char *out, size_t n)
{
    uint8_t pw[24];
    struct gh_buf b;
    enum gh_err err;

    gh_buf_init(&b, n - 1);
    if ((err = gh_random(pw, sizeof(pw))) == GH_OK &&
        (err = gh_console_hash_password((struct gh_slice){(const char *)pw, sizeof(pw)}, &b)) ==
            GH_OK)
        memcpy(out, b.ptr, b.len + 1);
    OPENSSL_cleanse(pw, sizeof(pw));
    gh_buf_cleanup(&b);
    return err;
}

enum gh_err
gh_console_new(const struct gh_console_deps *deps, struct gh_console **out)
{
    struct gh_console *c;
    enum gh_err err;

    *out = NULL;
    if ((c = calloc(1, sizeof(*c))) == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_console_limit_init(&c->limit)) != GH_OK) {
        free(c);
        return err;
    }
    if ((err = gh_console_files_load(deps->assets_dir, &c->files)) != GH_OK) {
        gh_console_limit_cleanup(&c->limit);
        free(c);
        return err;
    }
    if ((err = dummy_hash_make(c->dummy_hash, sizeof(c->dummy_hash))) != GH_OK) {
        gh_console_free(c);
        return err;
    }
    c->store = deps->store;
    c->api = deps->api;
    *out = c;
    return GH_OK;
}

void
gh_console_free(struct gh_console *c)
{
    if (c == NULL)
        return;
    gh_console_files_cleanup(&c->files);
    gh_console_limit_cleanup(&c->limit);
    free(c);
}

void
gh_console_error(struct gh_http_resp *resp, int status, const char *code, const char *message)
{
    resp->status = status;
    resp->content_type = "application/json";
    gh_buf_reset(&resp->body);
    gh_buf_puts(&resp->body, "{\"error\":{\"code\":\"");
    gh_buf_puts(&resp->body, code); /* codes and messages are our own constants */
    gh_buf_puts(&resp->body, "\",\"message\":\"");
    gh_buf_puts(&resp->body, message);
    gh_buf_puts(&resp->body, "\"}}\n");
}

static void
security_headers(struct gh_http_resp *resp, const char *cache)
{
    if (gh_http_resp_header(resp, "Content-Security-Policy", GH_S(csp)) != GH_OK ||
        gh_http_resp_header(resp, "X-Content-Type-Options", GH_S("nosniff")) != GH_OK ||
        gh_http_resp_header(resp, "Referrer-Policy", GH_S("no-referrer")) != GH_OK ||
        gh_http_resp_header(resp, "X-Frame-Options", GH_S("DENY")) != GH_OK ||
        gh_http_resp_header(resp, "Cache-Control", gh_slice_from_cstr(cache)) != GH_OK)
        resp->status = 500; /* cannot happen: 5 of 8 header slots */
}

static void
serve_file(struct gh_console *c, struct gh_slice name, struct gh_http_resp *resp)
{
    const struct gh_console_file *f = gh_console_files_find(&c->files, name);

    if (f == NULL && gh_slice_eq_cstr(name, "index.html")) {
        resp->status = 503;
        resp->content_type = "text/html; charset=utf-8";
        gh_buf_puts(&resp->body, not_built);
        return;
    }
    if (f == NULL) {
        gh_console_error(resp, 404, "NotFound", "No such console file.");
        return;
    }
    resp->status = 200;
    resp->content_type = f->content_type;
    gh_buf_put(&resp->body, (struct gh_slice){f->data, f->len});
    if (gh_buf_status(&resp->body) != GH_OK) {
        gh_buf_reset(&resp->body);
        gh_console_error(resp, 500, "InternalFailure", "The file could not be sent.");
        return;
    }
    if (f->immutable)
        resp->headers[resp->nheaders - 1].value = GH_S("public, max-age=31536000, immutable");
}

void
gh_console_handle(void *console, struct gh_http_req *req, struct gh_http_resp *resp)
{
    struct gh_console *c = console;
    struct gh_slice path = req->path, rest;
    /* HEAD is GET without the body (libmicrohttpd drops it). */
    bool get = gh_slice_eq_cstr(req->method, "GET") || gh_slice_eq_cstr(req->method, "HEAD");
    bool post = gh_slice_eq_cstr(req->method, "POST");
    int64_t now = gh_now_s();

    /* index.html and API answers are never cached; hashed assets are, below. */
    security_headers(resp, "no-store");
    if (!gh_slice_starts_with(path, GH_S(GH_CONSOLE_PREFIX))) {
        gh_console_error(resp, 404, "NotFound", "Not a console path.");
        return;
    }
    rest = gh_slice_sub(path, strlen(GH_CONSOLE_PREFIX), path.len - strlen(GH_CONSOLE_PREFIX));
    if (rest.len == 0 || gh_slice_eq_cstr(rest, "/") || gh_slice_eq_cstr(rest, "/index.html")) {
        if (!get) {
            gh_console_error(resp, 405, "MethodNotAllowed", "Use GET.");
            return;
        }
        serve_file(c, GH_S("index.html"), resp);
        return;
    }
    if (gh_slice_eq_cstr(rest, "/signin") || gh_slice_eq_cstr(rest, "/signout")) {
        if (!post) {
            gh_console_error(resp, 405, "MethodNotAllowed", "Use POST.");
            return;
        }
        /*
         * A custom header cannot be sent across origins without a CORS
         * preflight, which is never granted: no login CSRF, no cross-site sign-out.
         */
        if (!gh_slice_eq_cstr(gh_http_header_get(req, "X-Gatehouse-Console"), "1")) {
            gh_console_error(resp, 403, "AccessDenied", "Missing X-Gatehouse-Console header.");
            return;
        }
        if (gh_slice_eq_cstr(rest, "/signin"))
            gh_console_signin(c, req, resp, now);
        else
            gh_console_signout(c, req, resp, now);
        return;
    }
    if (gh_slice_starts_with(rest, GH_S("/assets/"))) {
        struct gh_slice name = gh_slice_sub(rest, 1, rest.len - 1);
        if (!get) {
            gh_console_error(resp, 405, "MethodNotAllowed", "Use GET.");
            return;
        }
        /* Only names that were loaded match; "..", "%2e" and the like never do. */
        serve_file(c, name, resp);
        return;
    }
    gh_console_error(resp, 404, "NotFound", "No such console page.");
}
