/*
 * test_console.c: the console's server side: the stored sign-outs, the
 * sign-in rate limiter, static files with their security headers, root
 * and user sign-in (generic failures, throttling, MFA asked for, password
 * change forced through a session policy) and sign-out revocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "console/console_int.h"
#include "crypto/crypto.h"

#define ACCT "123456789012"
#define NOW 1764087670

struct fx {
    char dir[64];
    char bundle[96];
    struct gh_secret master;
    struct gh_store *store;
    struct gh_keyring *ring;
    struct gh_api_config config;
    struct gh_api *api;
    struct gh_console *console;
};

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct gh_store_tx *tx;
    char path[160];

    assert_non_null(f);
    (void)snprintf(f->dir, sizeof(f->dir), "/tmp/gh-console-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gh_store_master_key_load(f->dir, &f->master), GH_OK);
    assert_int_equal(gh_store_open(f->dir, &f->master, &f->store), GH_OK);
    assert_int_equal(gh_keyring_load(f->store, &f->master, &f->ring), GH_OK);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_account_create(tx, ACCT, NOW), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    (void)snprintf(f->bundle, sizeof(f->bundle), "%s/bundle", f->dir);
    assert_int_equal(mkdir(f->bundle, 0700), 0);
    (void)snprintf(path, sizeof(path), "%s/assets", f->bundle);
    assert_int_equal(mkdir(path, 0700), 0);
    (void)snprintf(path, sizeof(path), "%s/index.html", f->bundle);
    write_file(path, "<!doctype html><title>t</title>");
    (void)snprintf(path, sizeof(path), "%s/assets/main-ABCD2345.js", f->bundle);
    write_file(path, "console.log(1)");
    (void)snprintf(path, sizeof(path), "%s/assets/.hidden", f->bundle);
    write_file(path, "secret");
    static const struct gh_service *const services[] = {NULL};
    f->config.region = "us-east-1";
    struct gh_api_deps ad = {
        .store = f->store, .keyring = f->ring, .config = &f->config, .services = services};
    assert_int_equal(gh_api_new(&ad, &f->api), GH_OK);
    struct gh_console_deps d = {.store = f->store, .api = f->api, .assets_dir = f->bundle};
    assert_int_equal(gh_console_new(&d, &f->console), GH_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    gh_console_free(f->console);
    gh_api_free(f->api);
    gh_keyring_unref(f->ring);
    gh_store_close(f->store);
    gh_secret_wipe(&f->master);
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* One request through the handler. */
struct call {
    struct gh_arena arena;
    struct gh_http_req req;
    struct gh_http_resp resp;
    struct gh_http_header hdrs[2];
};

static void
call_run(struct gh_console *c, struct call *k, const char *method, const char *path,
         const char *body, bool header, const char *addr)
{
    memset(k, 0, sizeof(*k));
    gh_arena_init(&k->arena);
    k->req.arena = &k->arena;
    k->req.method = gh_slice_from_cstr(method);
    k->req.path = gh_slice_from_cstr(path);
    k->req.body = gh_slice_from_cstr(body != NULL ? body : "");
    k->hdrs[0] = (struct gh_http_header){GH_S("X-Gatehouse-Console"), GH_S("1")};
    k->req.headers = k->hdrs;
    k->req.nheaders = header ? 1 : 0;
    (void)snprintf(k->req.remote_addr, sizeof(k->req.remote_addr), "%s", addr);
    k->resp.status = 0;
    gh_buf_init(&k->resp.body, 0);
    gh_console_handle(c, &k->req, &k->resp);
}

static void
call_done(struct call *k)
{
    gh_buf_cleanup(&k->resp.body);
    gh_arena_cleanup(&k->arena);
}

static struct gh_slice
resp_header(const struct call *k, const char *name)
{
    for (size_t i = 0; i < k->resp.nheaders; i++)
        if (gh_slice_case_eq(k->resp.headers[i].name, gh_slice_from_cstr(name)))
            return k->resp.headers[i].value;
    return GH_SLICE_NULL;
}

static bool
snap_revoked(struct gh_api *api, const char *akid)
{
    struct gh_session s;
    struct gh_api_snap *snap = gh_api_snap_get(api);
    bool r;

    memset(&s, 0, sizeof(s));
    s.type = GH_PRINCIPAL_USER;
    memcpy(s.account, ACCT, sizeof(s.account));
    (void)snprintf(s.access_key_id, sizeof(s.access_key_id), "%s", akid);
    r = gh_api_snap_revoked(snap, &s);
    gh_api_snap_unref(snap);
    return r;
}

static void
test_signouts(void **state)
{
    struct fx *f = *state;
    struct gh_store_tx *tx;
    struct gh_store_signout *rows;
    struct gh_arena a;
    struct gh_api *again = NULL;
    struct gh_session s;
    size_t n;
    int64_t now = gh_now_s();

    /* The store: live rows up to a bound, expired ones pruned on the next put. */
    struct gh_store_signout so = {GH_S("ASIAAAAAAAAAAAAAAAAA"), GH_S(ACCT), now + 100};
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_signout_put(tx, &so, now, 2), GH_OK);
    so.access_key_id = GH_S("ASIAAAAAAAAAAAAAAAAB");
    so.expires = now + 10;
    assert_int_equal(gh_store_signout_put(tx, &so, now, 2), GH_OK);
    so.access_key_id = GH_S("ASIAAAAAAAAAAAAAAAAC");
    assert_int_equal(gh_store_signout_put(tx, &so, now, 2), GH_ERR_LIMIT);
    so.expires = now + 50;
    assert_int_equal(gh_store_signout_put(tx, &so, now + 10, 2), GH_OK); /* B expired */
    so.expires = now; /* already expired: nothing to remember */
    so.access_key_id = GH_S("ASIAAAAAAAAAAAAAAAAD");
    assert_int_equal(gh_store_signout_put(tx, &so, now, 2), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    gh_arena_init(&a);
    assert_int_equal(gh_store_tx_begin(f->store, false, &tx), GH_OK);
    assert_int_equal(gh_store_signout_list(tx, &a, now, &rows, &n), GH_OK);
    assert_int_equal(n, 2);
    assert_true(gh_slice_eq_cstr(rows[0].access_key_id, "ASIAAAAAAAAAAAAAAAAA"));
    assert_true(gh_slice_eq_cstr(rows[1].access_key_id, "ASIAAAAAAAAAAAAAAAAC"));
    assert_int_equal(gh_store_signout_list(tx, &a, now + 100, &rows, &n), GH_OK);
    assert_int_equal(n, 0); /* past every expiry: refused as expired anyway */
    gh_store_tx_rollback(tx);
    gh_arena_cleanup(&a);

    /* The api: a sign-out is in the next snapshot at once ... */
    memset(&s, 0, sizeof(s));
    s.type = GH_PRINCIPAL_USER;
    memcpy(s.account, ACCT, sizeof(s.account));
    memcpy(s.access_key_id, "ASIAEEEEEEEEEEEEEEEE", 21);
    s.expires = now + 3600;
    assert_false(snap_revoked(f->api, "ASIAEEEEEEEEEEEEEEEE"));
    assert_int_equal(gh_api_sign_out(f->api, &s, now), GH_OK);
    assert_true(snap_revoked(f->api, "ASIAEEEEEEEEEEEEEEEE"));
    assert_true(snap_revoked(f->api, "ASIAAAAAAAAAAAAAAAAA"));
    assert_false(snap_revoked(f->api, "ASIAEEEEEEEEEEEEEEEF"));
    assert_false(snap_revoked(f->api, "ASIAEEEEEEEEEEEEEEE"));
    /* ... and a server started later on the same store (a restart) has it too. */
    static const struct gh_service *const none[] = {NULL};
    struct gh_api_config cfg = {.region = "us-east-1"};
    struct gh_api_deps d = {
        .store = f->store, .keyring = f->ring, .config = &cfg, .services = none};
    assert_int_equal(gh_api_new(&d, &again), GH_OK);
    assert_true(snap_revoked(again, "ASIAEEEEEEEEEEEEEEEE"));
    assert_false(snap_revoked(again, "ASIAEEEEEEEEEEEEEEEF"));
    gh_api_free(again);
}

static bool
take1(struct gh_console_limit *l, const char *key, unsigned max, int64_t now)
{
    struct gh_console_limit_key k = {gh_slice_from_cstr(key), max};
    return gh_console_limit_take(l, &k, 1, now);
}

static void
test_limiter(void **state)
{
    struct fx *f = *state;
    struct gh_console_limit *l = &f->console->limit;

    for (unsigned i = 0; i < 3; i++)
        assert_true(take1(l, "u:x", 3, NOW + i));
    assert_false(take1(l, "u:x", 3, NOW + 3));
    assert_false(take1(l, "u:x", 3, NOW + 4)); /* a refusal counts nothing, and stays one */
    assert_true(take1(l, "u:y", 3, NOW + 3));
    /* A new window starts fresh. */
    assert_true(take1(l, "u:x", 3, NOW + GH_CONSOLE_FAIL_WINDOW_S));
    gh_console_limit_clear(l, GH_S("u:x"));
    for (unsigned i = 0; i < 3; i++)
        assert_true(take1(l, "u:x", 3, NOW + 3));
    /* An attempt given back (not a wrong guess) frees its place. */
    gh_console_limit_give_back(l, GH_S("u:x"), NOW + 3);
    assert_true(take1(l, "u:x", 3, NOW + 3));
    assert_false(take1(l, "u:x", 3, NOW + 3));
    /* Keys that cannot be stored are refused, never let through. */
    char big[GH_CONSOLE_LIMIT_KEY_MAX + 1];
    memset(big, 'k', sizeof(big));
    struct gh_console_limit_key bk = {(struct gh_slice){big, sizeof(big)}, 3};
    assert_false(gh_console_limit_take(l, &bk, 1, NOW));
    /* Several keys: nothing is counted unless all may take one more. */
    struct gh_console_limit_key two[] = {{GH_S("a:10.9.9.9"), 2}, {GH_S("u:x"), 3}};
    assert_false(gh_console_limit_take(l, two, 2, NOW + 3));
    assert_true(take1(l, "a:10.9.9.9", 2, NOW + 3));
    assert_true(take1(l, "a:10.9.9.9", 2, NOW + 3));
    assert_false(take1(l, "a:10.9.9.9", 2, NOW + 3));
    /* Many other keys cannot flush one out of its probe window for free. */
    for (unsigned i = 0; i < 100; i++) {
        char k[32];
        (void)snprintf(k, sizeof(k), "a:10.0.0.%u", i);
        assert_true(take1(l, k, 20, NOW));
    }
    assert_true(take1(l, "a:10.0.0.5", 2, NOW));
    assert_false(take1(l, "a:10.0.0.5", 2, NOW));
}

/*
 * Eviction: keys that share the victim's home slot (found with the
 * table's own hash key, which a client never sees) fill its probes. A
 * key at its limit is never pushed out; once every probed slot is at its
 * limit, new keys there are refused (fail closed), not given a slot.
 */
static void
test_limiter_no_eviction(void **state)
{
    struct fx *f = *state;
    struct gh_console_limit *l = &f->console->limit;
    const char *victim = "u:" ACCT ":victim";
    size_t home = gh_console_limit_home(l, gh_slice_from_cstr(victim));
    char same[16][32];
    unsigned n = 0;

    for (unsigned i = 0; n < 16; i++) {
        assert_true(i < 10000000u);
        (void)snprintf(same[n], sizeof(same[n]), "u:" ACCT ":x%u", i);
        if (gh_console_limit_home(l, gh_slice_from_cstr(same[n])) == home)
            n++;
    }
    for (unsigned i = 0; i < GH_CONSOLE_FAILS_PER_USER; i++)
        assert_true(take1(l, victim, GH_CONSOLE_FAILS_PER_USER, NOW));
    assert_false(take1(l, victim, GH_CONSOLE_FAILS_PER_USER, NOW));
    /* Under-limit neighbours are pushed out by each other, never the victim. */
    for (unsigned i = 0; i < 16; i++)
        assert_true(take1(l, same[i], GH_CONSOLE_FAILS_PER_USER, NOW + 1 + i));
    assert_false(take1(l, victim, GH_CONSOLE_FAILS_PER_USER, NOW + 20));
    /* Seven neighbours at their limits: the probes are full of live, over-limit keys. */
    for (unsigned i = 9; i < 16; i++)
        for (unsigned j = 1; j < GH_CONSOLE_FAILS_PER_USER; j++)
            assert_true(take1(l, same[i], GH_CONSOLE_FAILS_PER_USER, NOW + 30));
    assert_false(take1(l, same[0], GH_CONSOLE_FAILS_PER_USER, NOW + 40)); /* fail closed */
    assert_false(take1(l, victim, GH_CONSOLE_FAILS_PER_USER, NOW + 40));
    /* When their window is over, the slots are free again. */
    assert_true(take1(l, same[0], GH_CONSOLE_FAILS_PER_USER, NOW + 31 + GH_CONSOLE_FAIL_WINDOW_S));
    assert_true(take1(l, victim, GH_CONSOLE_FAILS_PER_USER, NOW + GH_CONSOLE_FAIL_WINDOW_S));
}

static void
test_static_files(void **state)
{
    struct fx *f = *state;
    struct call k;

    call_run(f->console, &k, "GET", "/console", NULL, false, "127.0.0.1");
    assert_int_equal(k.resp.status, 200);
    assert_string_equal(k.resp.content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(k.resp.body.ptr, "<title>t</title>"));
    assert_true(gh_slice_starts_with(resp_header(&k, "Content-Security-Policy"),
                                     GH_S("default-src 'none'; script-src 'self';")));
    assert_true(gh_slice_eq_cstr(resp_header(&k, "X-Content-Type-Options"), "nosniff"));
    assert_true(gh_slice_eq_cstr(resp_header(&k, "Referrer-Policy"), "no-referrer"));
    assert_true(gh_slice_eq_cstr(resp_header(&k, "Cache-Control"), "no-store"));
    call_done(&k);

    call_run(f->console, &k, "GET", "/console/assets/main-ABCD2345.js", NULL, false, "127.0.0.1");
    assert_int_equal(k.resp.status, 200);
    assert_string_equal(k.resp.content_type, "text/javascript; charset=utf-8");
    assert_true(
        gh_slice_eq_cstr(resp_header(&k, "Cache-Control"), "public, max-age=31536000, immutable"));
    assert_true(gh_slice_eq_cstr(resp_header(&k, "X-Content-Type-Options"), "nosniff"));
    call_done(&k);

    static const char *const missing[] = {
        "/console/assets/../index.html", "/console/assets/.hidden",
        "/console/assets/%2e%2e/index.html", "/console/../master.key", "/console/nope"};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        call_run(f->console, &k, "GET", missing[i], NULL, false, "127.0.0.1");
        assert_int_equal(k.resp.status, 404);
        assert_null(strstr(k.resp.body.ptr, "secret"));
        call_done(&k);
    }
    call_run(f->console, &k, "HEAD", "/console/assets/main-ABCD2345.js", NULL, false, "127.0.0.1");
    assert_int_equal(k.resp.status, 200);
    assert_true(gh_slice_eq_cstr(resp_header(&k, "Cache-Control"),
                                 "public, max-age=31536000, immutable"));
    call_done(&k);
    call_run(f->console, &k, "POST", "/console/", NULL, true, "127.0.0.1");
    assert_int_equal(k.resp.status, 405);
    call_done(&k);
    call_run(f->console, &k, "GET", "/console/signin", NULL, true, "127.0.0.1");
    assert_int_equal(k.resp.status, 405);
    call_done(&k);
    /* Without the custom header (a cross-site form post) nothing is checked. */
    call_run(f->console, &k, "POST", "/console/signin", "account=" ACCT "&password=x", false,
             "127.0.0.1");
    assert_int_equal(k.resp.status, 403);
    call_done(&k);
}

static void
test_not_built(void **state)
{
    struct fx *f = *state;
    struct gh_console *c = NULL;
    struct gh_console_deps d = {.store = f->store, .api = f->api, .assets_dir = "/nonexistent"};
    struct call k;

    assert_int_equal(gh_console_new(&d, &c), GH_OK);
    call_run(c, &k, "GET", "/console/", NULL, false, "127.0.0.1");
    assert_int_equal(k.resp.status, 503);
    assert_non_null(strstr(k.resp.body.ptr, "make"));
    assert_true(gh_slice_starts_with(resp_header(&k, "Content-Security-Policy"),
                                     GH_S("default-src 'none'")));
    call_done(&k);
    gh_console_free(c);
}

static json_t *
body_json(const struct call *k)
{
    json_t *o = json_loadb(k->resp.body.ptr, k->resp.body.len, 0, NULL);
    assert_non_null(o);
    return o;
}

static void
assert_generic_failure(const struct call *k)
{
    json_t *o = body_json(k);
    assert_int_equal(k->resp.status, 401);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "error"), "message")),
                        "Your authentication information is incorrect. Please try again.");
    json_decref(o);
}

static void
test_root_signin_and_signout(void **state)
{
    struct fx *f = *state;
    struct gh_session s;
    struct gh_arena a;
    struct call k;
    char form[8192];
    json_t *o;

    assert_int_equal(gh_console_root_password_set(f->store, GH_S(ACCT), GH_S("")),
                     GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_console_root_password_set(f->store, GH_S("999999999999"), GH_S("pw")),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_console_root_password_set(f->store, GH_S(ACCT), GH_S("Root-pass-1")),
                     GH_OK);

    /* Wrong password, unknown account, unknown user: one message. */
    call_run(f->console, &k, "POST", "/console/signin", "account=" ACCT "&username=&password=wrong",
             true, "10.0.0.1");
    assert_generic_failure(&k);
    call_done(&k);
    call_run(f->console, &k, "POST", "/console/signin",
             "account=000000000000&username=&password=Root-pass-1", true, "10.0.0.1");
    assert_generic_failure(&k);
    call_done(&k);
    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=nobody&password=Root-pass-1", true, "10.0.0.1");
    assert_generic_failure(&k);
    call_done(&k);

    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=&password=Root-pass-1", true, "10.0.0.1");
    assert_int_equal(k.resp.status, 200);
    assert_string_equal(k.resp.content_type, "application/json");
    o = body_json(&k);
    const char *akid = json_string_value(json_object_get(o, "accessKeyId"));
    const char *token = json_string_value(json_object_get(o, "sessionToken"));
    assert_non_null(akid);
    assert_int_equal(strncmp(akid, "ASIA", 4), 0);
    assert_int_equal(strlen(json_string_value(json_object_get(o, "secretAccessKey"))), 40);
    assert_string_equal(json_string_value(json_object_get(o, "arn")), "arn:aws:iam::" ACCT ":root");
    assert_true(json_is_true(json_object_get(o, "root")));
    assert_true(json_is_false(json_object_get(o, "mfa")));
    call_done(&k);

    /* The token is a GetSessionToken-style session of the root user, 12 h. */
    gh_arena_init(&a);
    memset(&s, 0, sizeof(s));
    assert_int_equal(gh_session_open(f->ring, gh_slice_from_cstr(token), &a, &s), GH_OK);
    assert_int_equal(s.type, GH_PRINCIPAL_ROOT);
    assert_string_equal(s.access_key_id, akid);
    assert_string_equal(s.account, ACCT);
    assert_int_equal(s.expires - s.issued, GH_CONSOLE_SESSION_S);
    gh_secret_wipe(&s.secret);
    gh_arena_cleanup(&a);

    /* The account alias signs in as well as the id. */
    struct gh_store_tx *tx;
    struct gh_store_rec alias = {.account = GH_S(""),
                                 .kind = GH_S("alias"),
                                 .id = GH_S("my-corp"),
                                 .owner = GH_S(ACCT),
                                 .created = NOW,
                                 .updated = NOW,
                                 .data = GH_S("")};
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_rec_put(tx, &alias, NULL, false), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    call_run(f->console, &k, "POST", "/console/signin",
             "account=my-corp&username=&password=Root-pass-1", true, "10.0.0.1");
    assert_int_equal(k.resp.status, 200);
    call_done(&k);
    call_run(f->console, &k, "POST", "/console/signin",
             "account=my-corpx&username=&password=Root-pass-1", true, "10.0.0.1");
    assert_generic_failure(&k);
    call_done(&k);

    /* Sign-out revokes exactly that key. */
    assert_false(snap_revoked(f->api, akid));
    (void)snprintf(form, sizeof(form), "sessionToken=%s", token);
    for (char *p = form; *p != '\0'; p++) /* '+' and '/' of base64 must be escaped in a form */
        if (*p == '+' || *p == '/' || *p == '=') {
            if (p == form + strlen("sessionToken"))
                continue;
            size_t rest = strlen(p + 1);
            assert_true(strlen(form) + 3 < sizeof(form));
            memmove(p + 3, p + 1, rest + 1);
            char c = *p;
            p[0] = '%';
            p[1] = "0123456789ABCDEF"[(unsigned char)c >> 4];
            p[2] = "0123456789ABCDEF"[(unsigned char)c & 15];
            p += 2;
        }
    call_run(f->console, &k, "POST", "/console/signout", form, true, "10.0.0.1");
    assert_int_equal(k.resp.status, 200);
    call_done(&k);
    assert_true(snap_revoked(f->api, akid));
    json_decref(o);

    call_run(f->console, &k, "POST", "/console/signout", "sessionToken=garbage", true, "10.0.0.1");
    assert_int_equal(k.resp.status, 400);
    call_done(&k);
}

static void
test_throttling(void **state)
{
    struct fx *f = *state;
    struct call k;

    assert_int_equal(gh_console_root_password_set(f->store, GH_S(ACCT), GH_S("Root-pass-1")),
                     GH_OK);
    for (unsigned i = 0; i < GH_CONSOLE_FAILS_PER_USER; i++) {
        call_run(f->console, &k, "POST", "/console/signin",
                 "account=" ACCT "&username=&password=guess", true, "10.0.0.2");
        assert_generic_failure(&k);
        call_done(&k);
    }
    /* Now even the right password is refused for a while, from any address. */
    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=&password=Root-pass-1", true, "10.0.0.3");
    assert_int_equal(k.resp.status, 429);
    call_done(&k);
    /* Per address: many users from one address. */
    for (unsigned i = 0; i < GH_CONSOLE_FAILS_PER_ADDR; i++) {
        char form[128];
        (void)snprintf(form, sizeof(form), "account=" ACCT "&username=u%u&password=x", i);
        call_run(f->console, &k, "POST", "/console/signin", form, true, "10.0.0.4");
        assert_generic_failure(&k);
        call_done(&k);
    }
    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=other&password=x", true, "10.0.0.4");
    assert_int_equal(k.resp.status, 429);
    call_done(&k);
}

/* FNV-1a, the limiter's old public hash: what an attacker could aim with. */
static size_t
fnv_slot(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (size_t)(h % 4096);
}

/*
 * The hostile review's attack: root's counter is at its limit; eight
 * failures with user names whose limiter key collided with root's under
 * the old public FNV-1a hash took over its slots and wiped the count, so
 * guessing could go on. Now the count survives and the right password is
 * still refused.
 */
static void
test_signin_collisions_keep_the_count(void **state)
{
    struct fx *f = *state;
    struct call k;
    size_t target = fnv_slot("u:" ACCT ":(root)");
    unsigned found = 0;

    assert_int_equal(gh_console_root_password_set(f->store, GH_S(ACCT), GH_S("Root-pass-1")),
                     GH_OK);
    for (unsigned i = 0; i < GH_CONSOLE_FAILS_PER_USER; i++) {
        call_run(f->console, &k, "POST", "/console/signin",
                 "account=" ACCT "&username=&password=guess", true, "10.0.2.1");
        assert_generic_failure(&k);
        call_done(&k);
    }
    for (unsigned i = 0; found < 12; i++) {
        char key[64], form[128], addr[32];
        assert_true(i < 10000000u);
        (void)snprintf(key, sizeof(key), "u:" ACCT ":c%u", i);
        if (fnv_slot(key) != target)
            continue;
        (void)snprintf(form, sizeof(form), "account=" ACCT "&username=c%u&password=x", i);
        (void)snprintf(addr, sizeof(addr), "10.0.3.%u", found++);
        call_run(f->console, &k, "POST", "/console/signin", form, true, addr);
        assert_generic_failure(&k);
        call_done(&k);
    }
    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=&password=Root-pass-1", true, "10.0.2.2");
    assert_int_equal(k.resp.status, 429);
    call_done(&k);
}

/* A user with a login profile as src/iam stores it (record "login" by user id). */
static void
user_with_login(struct fx *f, const char *name, const char *pw, bool reset, bool mfa)
{
    struct gh_store_tx *tx;
    struct gh_buf hash;
    struct gh_user u = {0};
    char id[22], data[512];

    assert_int_equal(gh_random_id("AIDA", 21, id), GH_OK);
    u.account = GH_S(ACCT);
    u.name = gh_slice_from_cstr(name);
    u.path = GH_S("/");
    u.id = gh_slice_from_cstr(id);
    u.created = NOW;
    gh_buf_init(&hash, 1024);
    assert_int_equal(gh_console_hash_password(gh_slice_from_cstr(pw), &hash), GH_OK);
    (void)snprintf(data, sizeof(data), "{\"hash\":\"%s\",\"reset\":%s,\"changed\":%lld}", hash.ptr,
                   reset ? "true" : "false", (long long)gh_now_s());
    gh_buf_cleanup(&hash);
    struct gh_store_rec r = {.account = GH_S(ACCT),
                             .kind = GH_S("login"),
                             .id = u.id,
                             .owner = u.id,
                             .created = NOW,
                             .updated = NOW,
                             .data = gh_slice_from_cstr(data)};
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    assert_int_equal(gh_store_rec_put(tx, &r, NULL, false), GH_OK);
    if (mfa) {
        struct gh_secret seed;
        char serial[64];
        (void)snprintf(serial, sizeof(serial), "arn:aws:iam::" ACCT ":mfa/%s", name);
        assert_int_equal(gh_secret_set(&seed, "12345678901234567890", 20), GH_OK);
        struct gh_store_rec m = {.account = GH_S(ACCT),
                                 .kind = GH_S("mfa"),
                                 .id = gh_slice_from_cstr(serial),
                                 .owner = u.id,
                                 .created = NOW,
                                 .updated = NOW,
                                 .data = GH_S("{}")};
        assert_int_equal(gh_store_rec_put(tx, &m, &seed, false), GH_OK);
        gh_secret_wipe(&seed);
    }
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

/*
 * Per account: failures spread over many user names and addresses stop at
 * GH_CONSOLE_FAILS_PER_ACCOUNT; the account's alias counts as its id, for
 * the account and for each user.
 */
static void
test_signin_account_limit(void **state)
{
    struct fx *f = *state;
    struct gh_store_tx *tx;
    struct call k;
    char form[128], addr[32];

    user_with_login(f, "alice", "Alice-pass-1", false, false);
    user_with_login(f, "bob", "Bob-pass-1", false, false);
    struct gh_store_rec alias = {.account = GH_S(""),
                                 .kind = GH_S("alias"),
                                 .id = GH_S("acme-test"),
                                 .owner = GH_S(ACCT),
                                 .created = NOW,
                                 .updated = NOW,
                                 .data = GH_S("{}")};
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_rec_put(tx, &alias, NULL, false), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);

    /* Per user, whether the account is named by id or by alias. */
    for (unsigned i = 0; i < GH_CONSOLE_FAILS_PER_USER; i++) {
        (void)snprintf(form, sizeof(form), "account=%s&username=bob&password=x",
                       i % 2 == 0 ? ACCT : "acme-test");
        call_run(f->console, &k, "POST", "/console/signin", form, true, "10.0.4.1");
        assert_generic_failure(&k);
        call_done(&k);
    }
    call_run(f->console, &k, "POST", "/console/signin",
             "account=acme-test&username=bob&password=Bob-pass-1", true, "10.0.4.2");
    assert_int_equal(k.resp.status, 429);
    call_done(&k);
    /* Per account: the rest of its allowance on names that do not exist, from many addresses. */
    for (unsigned i = GH_CONSOLE_FAILS_PER_USER; i < GH_CONSOLE_FAILS_PER_ACCOUNT; i++) {
        (void)snprintf(form, sizeof(form), "account=%s&username=n%u&password=x",
                       i % 2 == 0 ? ACCT : "acme-test", i);
        (void)snprintf(addr, sizeof(addr), "10.0.5.%u", i / 10);
        call_run(f->console, &k, "POST", "/console/signin", form, true, addr);
        assert_generic_failure(&k);
        call_done(&k);
    }
    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=alice&password=Alice-pass-1", true, "10.0.6.1");
    assert_int_equal(k.resp.status, 429);
    call_done(&k);
    /* Another account is not affected. */
    call_run(f->console, &k, "POST", "/console/signin",
             "account=210987654321&username=alice&password=x", true, "10.0.6.1");
    assert_generic_failure(&k);
    call_done(&k);
}

static bool
has_sub(struct gh_slice s, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= s.len; i++)
        if (memcmp(s.ptr + i, needle, n) == 0)
            return true;
    return false;
}

static void
test_user_signin(void **state)
{
    struct fx *f = *state;
    struct gh_session s;
    struct gh_arena a;
    struct call k;
    json_t *o;

    user_with_login(f, "alice", "Alice-pass-1", false, false);
    user_with_login(f, "bob", "Bob-pass-1", true, false);
    user_with_login(f, "carol", "Carol-pass-1", false, true);

    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=alice&password=Bob-pass-1", true, "10.0.1.1");
    assert_generic_failure(&k);
    call_done(&k);
    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=ALICE&password=Alice-pass-1", true, "10.0.1.1");
    assert_int_equal(k.resp.status, 200);
    o = body_json(&k);
    assert_string_equal(json_string_value(json_object_get(o, "userName")), "alice");
    assert_string_equal(json_string_value(json_object_get(o, "arn")),
                        "arn:aws:iam::" ACCT ":user/alice");
    assert_true(json_is_false(json_object_get(o, "passwordChangeRequired")));
    json_decref(o);
    call_done(&k);

    /* A reset password: a session that may only change it. */
    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=bob&password=Bob-pass-1", true, "10.0.1.1");
    assert_int_equal(k.resp.status, 200);
    o = body_json(&k);
    assert_true(json_is_true(json_object_get(o, "passwordChangeRequired")));
    gh_arena_init(&a);
    memset(&s, 0, sizeof(s));
    assert_int_equal(
        gh_session_open(f->ring,
                        gh_slice_from_cstr(json_string_value(json_object_get(o, "sessionToken"))),
                        &a, &s),
        GH_OK);
    assert_int_equal(s.type, GH_PRINCIPAL_USER);
    assert_true(has_sub(s.policy, "iam:ChangePassword"));
    assert_false(has_sub(s.policy, "iam:CreateUser"));
    gh_secret_wipe(&s.secret);
    gh_arena_cleanup(&a);
    json_decref(o);
    call_done(&k);

    /* An MFA device: the code is asked for; a wrong code fails like a wrong password. */
    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=carol&password=Carol-pass-1", true, "10.0.1.1");
    assert_int_equal(k.resp.status, 401);
    o = body_json(&k);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "error"), "code")),
                        "MFARequired");
    json_decref(o);
    call_done(&k);
    call_run(f->console, &k, "POST", "/console/signin",
             "account=" ACCT "&username=carol&password=Carol-pass-1&mfaCode=12345x", true,
             "10.0.1.1");
    assert_generic_failure(&k);
    call_done(&k);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limiter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limiter_no_eviction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signin_collisions_keep_the_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signin_account_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_built, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_signin_and_signout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_signin, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
