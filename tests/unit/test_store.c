/*
 * test_store.c: the SQLite store: CRUD of each entity, case-insensitive
 * names, pagination, generations, rollback, sealed secrets, the master key
 * file, crash durability under SIGKILL and the AWS managed policies.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "core/core.h"
#include "crypto/crypto.h"
#include "store/store.h"

#define ACCT "123456789012"
#define ACCT2 "210987654321"

struct fx {
    char dir[64];
    struct gh_secret master;
    struct gh_store *s;
    struct gh_arena a;
};

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
fx_open(struct fx *f)
{
    assert_int_equal(gh_store_open(f->dir, &f->master, &f->s), GH_OK);
}

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct gh_store_tx *tx;

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/gh-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gh_store_master_key_load(f->dir, &f->master), GH_OK);
    fx_open(f);
    gh_arena_init(&f->a);
    assert_int_equal(gh_store_tx_begin(f->s, true, &tx), GH_OK);
    assert_int_equal(gh_store_account_create(tx, ACCT, 1000), GH_OK);
    assert_int_equal(gh_store_account_create(tx, ACCT2, 1000), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    gh_store_close(f->s);
    gh_arena_cleanup(&f->a);
    gh_secret_wipe(&f->master);
    nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static struct gh_store_tx *
wtx(struct fx *f)
{
    struct gh_store_tx *tx = NULL;

    assert_int_equal(gh_store_tx_begin(f->s, true, &tx), GH_OK);
    return tx;
}

static struct gh_store_tx *
rtx(struct fx *f)
{
    struct gh_store_tx *tx = NULL;

    assert_int_equal(gh_store_tx_begin(f->s, false, &tx), GH_OK);
    return tx;
}

static void
assert_slice(struct gh_slice s, const char *want)
{
    if (!gh_slice_eq_cstr(s, want))
        fail_msg("got '%.*s', want '%s'", GH_SP(s), want);
}

static struct gh_user
mk_user(const char *name, const char *id, const char *path)
{
    struct gh_user u = {
        .account = GH_S(ACCT),
        .name = gh_slice_from_cstr(name),
        .path = gh_slice_from_cstr(path),
        .id = gh_slice_from_cstr(id),
        .created = 1700000000,
    };
    return u;
}

/* ---- master key ---- */

static void
test_master_key_file(void **state)
{
    struct fx *f = *state;
    char path[128];
    struct stat sb;
    struct gh_secret again;
    struct gh_diag diag;
    int fd;

    snprintf(path, sizeof(path), "%s/master.key", f->dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 32);
    assert_int_equal(f->master.len, 32);
    /* Loading again gives the same key, not a new one. */
    assert_int_equal(gh_store_master_key_load_diag(f->dir, &diag, &again), GH_OK);
    assert_true(gh_secret_eq(&again, &f->master));
    /* A key others may read is refused, with a message saying how to fix it. */
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(gh_store_master_key_load_diag(f->dir, &diag, &again), GH_ERR_ACCESS_DENIED);
    assert_int_equal(again.len, 0);
    assert_non_null(strstr(diag.text, "chmod 600"));
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(gh_store_master_key_load_diag(f->dir, &diag, &again), GH_ERR_ACCESS_DENIED);
    /* A key of the wrong size is refused too. */
    assert_int_equal(chmod(path, 0600), 0);
    fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    assert_int_equal(gh_store_master_key_load_diag(f->dir, &diag, &again), GH_ERR_VALIDATION);
    assert_non_null(strstr(diag.text, "33 bytes"));
    assert_int_equal(truncate(path, 32), 0);
    assert_int_equal(gh_store_master_key_load_diag(f->dir, &diag, &again), GH_OK);
    assert_true(gh_secret_eq(&again, &f->master));
    gh_secret_wipe(&again);
}

/* GATEHOUSE_MASTER_KEY: hex or base64, must agree with a key file, never left in the environment. */
static void
test_master_key_env(void **state)
{
    struct fx *f = *state;
    char hex[65], empty[128], path[160];
    struct gh_secret k;
    struct gh_diag diag;
    struct stat sb;

    /* The fixture's file key, given as hex: accepted, and the variable is gone afterwards. */
    gh_hex_encode(f->master.bytes, 32, hex);
    hex[64] = '\0';
    assert_int_equal(setenv("GATEHOUSE_MASTER_KEY", hex, 1), 0);
    assert_int_equal(gh_store_master_key_load_diag(f->dir, &diag, &k), GH_OK);
    assert_true(gh_secret_eq(&k, &f->master));
    assert_null(getenv("GATEHOUSE_MASTER_KEY"));
    /* Another key than the file's is refused, naming both, never the bytes. */
    assert_int_equal(setenv("GATEHOUSE_MASTER_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1), 0);
    assert_int_equal(gh_store_master_key_load_diag(f->dir, &diag, &k), GH_ERR_VALIDATION);
    assert_int_equal(k.len, 0);
    assert_non_null(strstr(diag.text, "differs from"));
    assert_null(strstr(diag.text, "AAAA"));
    /* Without a file, the variable is the key (base64) and no file is made. */
    snprintf(empty, sizeof(empty), "%s/envkey", f->dir);
    assert_int_equal(mkdir(empty, 0700), 0);
    assert_int_equal(setenv("GATEHOUSE_MASTER_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1), 0);
    assert_int_equal(gh_store_master_key_load_diag(empty, &diag, &k), GH_OK);
    assert_int_equal(k.len, 32);
    assert_int_equal(k.bytes[0], 0);
    snprintf(path, sizeof(path), "%s/master.key", empty);
    assert_int_equal(stat(path, &sb), -1);
    /* Wrong lengths and alphabets are refused. */
    const char *bad[] = {"00", "zz00000000000000000000000000000000000000000000000000000000000000",
                         "AAAA", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(setenv("GATEHOUSE_MASTER_KEY", bad[i], 1), 0);
        assert_int_equal(gh_store_master_key_load_diag(empty, &diag, &k), GH_ERR_VALIDATION);
        assert_non_null(strstr(diag.text, "64 hex digits"));
        assert_null(getenv("GATEHOUSE_MASTER_KEY"));
    }
    assert_int_equal(rmdir(empty), 0);
    gh_secret_wipe(&k);
}

/* ---- accounts and meta ---- */

static void
test_accounts_meta(void **state)
{
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    struct gh_slice v;

    assert_int_equal(gh_store_account_create(tx, ACCT, 5), GH_ERR_EXISTS);
    assert_int_equal(gh_store_account_exists(tx, ACCT), GH_OK);
    assert_int_equal(gh_store_account_exists(tx, "999999999999"), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_meta_get(tx, &f->a, "bootstrap", &v), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_meta_set(tx, "bootstrap", GH_S(ACCT)), GH_OK);
    assert_int_equal(gh_store_meta_set(tx, "bootstrap", GH_S(ACCT2)), GH_OK);
    assert_int_equal(gh_store_meta_set(tx, "store.generation", GH_S("0")), GH_ERR_INVALID_PARAM);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    tx = rtx(f);
    assert_int_equal(gh_store_meta_get(tx, &f->a, "bootstrap", &v), GH_OK);
    assert_slice(v, ACCT2);
    gh_store_tx_rollback(tx);
}

/* ---- users ---- */

static void
test_user_crud(void **state)
{
    static const char *const spellings[] = {"Alice", "alice", "ALICE", "aLiCe"};
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    struct gh_user u = mk_user("Alice", "AIDAAAAAAAAAAAAAAAAA1", "/eng/"), got;

    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    /* AWS IAM: names are unique case-insensitively. */
    u.id = GH_S("AIDAAAAAAAAAAAAAAAAA2");
    for (size_t i = 0; i < GH_ARRAY_LEN(spellings); i++) {
        u.name = gh_slice_from_cstr(spellings[i]);
        assert_int_equal(gh_store_user_create(tx, &u), GH_ERR_EXISTS);
    }
    /* ... per account: another account may use the name. */
    u.account = GH_S(ACCT2);
    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    /* An account that does not exist cannot hold users. */
    u.account = GH_S("555555555555");
    u.id = GH_S("AIDAAAAAAAAAAAAAAAAA3");
    assert_int_equal(gh_store_user_create(tx, &u), GH_ERR_NOT_FOUND);
    /* Lookups in any case give the stored spelling. */
    for (size_t i = 0; i < GH_ARRAY_LEN(spellings); i++) {
        assert_int_equal(
            gh_store_user_get(tx, &f->a, GH_S(ACCT), gh_slice_from_cstr(spellings[i]), &got),
            GH_OK);
        assert_slice(got.name, "Alice");
        assert_slice(got.id, "AIDAAAAAAAAAAAAAAAAA1");
        assert_slice(got.path, "/eng/");
        assert_slice(got.account, ACCT);
        assert_int_equal(got.created, 1700000000);
    }
    assert_int_equal(gh_store_user_get(tx, &f->a, GH_S(ACCT), GH_S("bob"), &got), GH_ERR_NOT_FOUND);
    assert_null(got.name.ptr);
    /* Boundary. */
    assert_int_equal(gh_store_user_set_boundary(tx, GH_S(ACCT), GH_S("alice"),
                                                GH_S("arn:aws:iam::aws:policy/PowerUserAccess")),
                     GH_OK);
    assert_int_equal(gh_store_user_set_boundary(tx, GH_S(ACCT), GH_S("nobody"), GH_S("x")),
                     GH_ERR_NOT_FOUND);
    /* Rename and move; the name is taken in another spelling only by itself. */
    assert_int_equal(
        gh_store_user_update(tx, GH_S(ACCT), GH_S("alice"), GH_S("ALICE"), GH_SLICE_NULL), GH_OK);
    assert_int_equal(gh_store_user_get(tx, &f->a, GH_S(ACCT), GH_S("alice"), &got), GH_OK);
    assert_slice(got.name, "ALICE");
    assert_slice(got.path, "/eng/");
    assert_slice(got.boundary_arn, "arn:aws:iam::aws:policy/PowerUserAccess");
    u = mk_user("Bob", "AIDAAAAAAAAAAAAAAAAA4", "/");
    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    assert_int_equal(
        gh_store_user_update(tx, GH_S(ACCT), GH_S("bob"), GH_S("alice"), GH_SLICE_NULL),
        GH_ERR_EXISTS);
    assert_int_equal(
        gh_store_user_update(tx, GH_S(ACCT), GH_S("alice"), GH_S("Carol"), GH_S("/ops/")), GH_OK);
    assert_int_equal(gh_store_user_get(tx, &f->a, GH_S(ACCT), GH_S("alice"), &got),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_user_get(tx, &f->a, GH_S(ACCT), GH_S("carol"), &got), GH_OK);
    assert_slice(got.path, "/ops/");
    assert_slice(got.id, "AIDAAAAAAAAAAAAAAAAA1");
    assert_int_equal(gh_store_user_update(tx, GH_S(ACCT), GH_S("nobody"), GH_S("x"), GH_SLICE_NULL),
                     GH_ERR_NOT_FOUND);
    /* Delete. */
    assert_int_equal(gh_store_user_delete(tx, GH_S(ACCT), GH_S("CAROL")), GH_OK);
    assert_int_equal(gh_store_user_get(tx, &f->a, GH_S(ACCT), GH_S("carol"), &got),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_user_delete(tx, GH_S(ACCT), GH_S("carol")), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    /* Committed: visible to a reader. */
    tx = rtx(f);
    assert_int_equal(gh_store_user_get(tx, &f->a, GH_S(ACCT), GH_S("BOB"), &got), GH_OK);
    assert_slice(got.name, "Bob");
    gh_store_tx_rollback(tx);
}

/* Collects every user of ACCT with pages of `max`, checking the page flags. */
static size_t
list_all_users(struct fx *f, size_t max, struct gh_slice prefix, char (*names)[32], size_t cap)
{
    struct gh_store_tx *tx = rtx(f);
    struct gh_store_page page = {GH_SLICE_NULL, max};
    size_t total = 0, pages = 0;

    for (;;) {
        struct gh_user *v;
        struct gh_store_more more;
        size_t n;

        assert_int_equal(gh_store_user_list(tx, &f->a, GH_S(ACCT), prefix, &page, &v, &n, &more),
                         GH_OK);
        assert_true(n <= max);
        for (size_t i = 0; i < n; i++) {
            assert_true(total < cap);
            assert_true(v[i].name.len < 32);
            memcpy(names[total], v[i].name.ptr, v[i].name.len);
            names[total][v[i].name.len] = '\0';
            total++;
        }
        pages++;
        if (!more.truncated) {
            assert_int_equal(more.next_marker.len, 0);
            break;
        }
        assert_int_equal(n, max);
        assert_true(more.next_marker.len > 0);
        page.marker = more.next_marker;
        assert_true(pages < 2000);
    }
    gh_store_tx_rollback(tx);
    return total;
}

static void
test_user_pagination_1000(void **state)
{
    static const size_t sizes[] = {100, 7, 1, 1000};
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    static char names[1100][32];

    /* Mixed case, so the order must be case-insensitive to come out sorted. */
    for (int i = 0; i < 1000; i++) {
        char name[32], id[32];
        struct gh_user u;

        snprintf(name, sizeof(name), "%s%04d", i % 2 ? "User" : "user", i);
        snprintf(id, sizeof(id), "AIDA%017d", i);
        u = mk_user(name, id, i % 4 == 0 ? "/four/" : "/");
        assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    }
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    for (size_t s = 0; s < GH_ARRAY_LEN(sizes); s++) {
        size_t n = list_all_users(f, sizes[s], GH_SLICE_NULL, names, 1100);

        assert_int_equal(n, 1000);
        for (size_t i = 0; i < n; i++) {
            char want[32];

            snprintf(want, sizeof(want), "%s%04zu", i % 2 ? "User" : "user", i);
            assert_string_equal(names[i], want);
        }
    }
    assert_int_equal(list_all_users(f, 7, GH_S("/four/"), names, 1100), 250);
    assert_string_equal(names[249], "user0996");
    assert_int_equal(list_all_users(f, 7, GH_S("/nope/"), names, 1100), 0);
    /* Bad markers and sizes are refused, not guessed at. */
    {
        struct gh_store_page bad = {GH_S("!!not base64!!"), 10};
        struct gh_user *v;
        struct gh_store_more more;
        size_t n;

        tx = rtx(f);
        assert_int_equal(
            gh_store_user_list(tx, &f->a, GH_S(ACCT), GH_SLICE_NULL, &bad, &v, &n, &more),
            GH_ERR_VALIDATION);
        bad.marker = GH_SLICE_NULL;
        bad.max_items = 0;
        assert_int_equal(
            gh_store_user_list(tx, &f->a, GH_S(ACCT), GH_SLICE_NULL, &bad, &v, &n, &more),
            GH_ERR_VALIDATION);
        bad.max_items = 1001;
        assert_int_equal(
            gh_store_user_list(tx, &f->a, GH_S(ACCT), GH_SLICE_NULL, &bad, &v, &n, &more),
            GH_ERR_VALIDATION);
        gh_store_tx_rollback(tx);
    }
}

/* ---- generation, rollback ---- */

static void
test_generation_and_rollback(void **state)
{
    struct fx *f = *state;
    uint64_t g0 = gh_store_generation(f->s);
    struct gh_user u = mk_user("gen", "AIDAGEN00000000000001", "/"), got;
    struct gh_store_tx *tx;

    assert_true(g0 >= 1); /* setup committed once */
    tx = wtx(f);
    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    assert_int_equal(gh_store_generation(f->s), g0); /* not before commit */
    gh_store_tx_rollback(tx);
    assert_int_equal(gh_store_generation(f->s), g0);
    /* The rolled-back user left nothing behind. */
    tx = rtx(f);
    assert_int_equal(gh_store_user_get(tx, &f->a, GH_S(ACCT), GH_S("gen"), &got), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    assert_int_equal(gh_store_generation(f->s), g0); /* read commits do not bump */
    tx = wtx(f);
    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    assert_int_equal(gh_store_generation(f->s), g0 + 1);
    /* A failed write that is rolled back does not bump either. */
    tx = wtx(f);
    assert_int_equal(gh_store_user_create(tx, &u), GH_ERR_EXISTS);
    gh_store_tx_rollback(tx);
    assert_int_equal(gh_store_generation(f->s), g0 + 1);
    /* Persisted: monotonic across restarts. */
    gh_store_close(f->s);
    f->s = NULL;
    fx_open(f);
    assert_int_equal(gh_store_generation(f->s), g0 + 1);
    tx = wtx(f);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    assert_int_equal(gh_store_generation(f->s), g0 + 2);
}

/* ---- used assertions (SAML replay protection) ---- */

static void
test_assertion_used_once(void **state)
{
    struct fx *f = *state;
    uint64_t g0 = gh_store_generation(f->s);
    struct gh_store_tx *tx;

    assert_int_equal(gh_store_assertion_use(f->s, GH_S("key-a"), 2000, 1000), GH_OK);
    assert_int_equal(gh_store_assertion_use(f->s, GH_S("key-a"), 2000, 1500), GH_ERR_EXISTS);
    assert_int_equal(gh_store_assertion_use(f->s, GH_S("key-b"), 2000, 1500), GH_OK);
    assert_int_equal(gh_store_generation(f->s), g0); /* no cached decision depends on it */
    /* Beside a request's open read transaction, as AssumeRoleWithSAML calls it. */
    tx = rtx(f);
    assert_int_equal(gh_store_assertion_use(f->s, GH_S("key-c"), 2000, 1500), GH_OK);
    gh_store_tx_rollback(tx);
    /* Remembered across a restart, until it expires; then forgotten. */
    gh_store_close(f->s);
    f->s = NULL;
    fx_open(f);
    assert_int_equal(gh_store_assertion_use(f->s, GH_S("key-a"), 2000, 1999), GH_ERR_EXISTS);
    assert_int_equal(gh_store_assertion_use(f->s, GH_S("key-a"), 3000, 2000), GH_OK);
    assert_int_equal(gh_store_assertion_use(f->s, GH_S("key-a"), 3000, 2500), GH_ERR_EXISTS);
    assert_int_equal(gh_store_assertion_use(f->s, GH_S(""), 3000, 2000), GH_ERR_INVALID_PARAM);
}

/* ---- roles ---- */

static void
test_role_crud(void **state)
{
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    struct gh_role r = {
        .account = GH_S(ACCT),
        .name = GH_S("ec2-s3-read-role"),
        .path = GH_S("/"),
        .id = GH_S("AROAAAAAAAAAAAAAAAAA1"),
        .trust_policy = GH_S("{\"Version\":\"2012-10-17\"}"),
        .max_session_s = 3600,
        .created = 42,
    };
    struct gh_role got, *v;
    struct gh_store_page page = {GH_SLICE_NULL, 1};
    struct gh_store_more more;
    size_t n;

    assert_int_equal(gh_store_role_create(tx, &r), GH_OK);
    r.name = GH_S("EC2-S3-READ-ROLE");
    r.id = GH_S("AROAAAAAAAAAAAAAAAAA2");
    assert_int_equal(gh_store_role_create(tx, &r), GH_ERR_EXISTS);
    r.name = GH_S("second");
    r.path = GH_S("/svc/");
    assert_int_equal(gh_store_role_create(tx, &r), GH_OK);
    assert_int_equal(gh_store_role_get(tx, &f->a, GH_S(ACCT), GH_S("Ec2-S3-Read-Role"), &got),
                     GH_OK);
    assert_slice(got.name, "ec2-s3-read-role");
    assert_slice(got.trust_policy, "{\"Version\":\"2012-10-17\"}");
    assert_int_equal(got.trust_bind.len, 0); /* none given: none stored */
    {
        struct gh_role *unbound;
        size_t nunbound;

        /* Unbound: listed for the start-up pass; bound ones are not. */
        assert_int_equal(gh_store_role_list_unbound(tx, &f->a, &unbound, &nunbound), GH_OK);
        assert_int_equal(nunbound, 2);
        assert_slice(unbound[0].name, "ec2-s3-read-role");
        assert_slice(unbound[1].name, "second");
    }
    assert_int_equal(got.max_session_s, 3600);
    assert_int_equal(got.description.len, 0);
    got.description = GH_S("reads S3");
    got.max_session_s = 43200;
    got.trust_bind = GH_S("{\"arn:aws:iam::" ACCT ":user/bob\":\"AIDABOB\"}");
    got.name = GH_S("EC2-s3-read-role"); /* matched case-insensitively */
    assert_int_equal(gh_store_role_update(tx, &got), GH_OK);
    assert_int_equal(gh_store_role_get(tx, &f->a, GH_S(ACCT), GH_S("ec2-s3-read-role"), &got),
                     GH_OK);
    assert_slice(got.trust_bind, "{\"arn:aws:iam::" ACCT ":user/bob\":\"AIDABOB\"}");
    {
        struct gh_role *unbound;
        size_t nunbound;

        assert_int_equal(gh_store_role_list_unbound(tx, &f->a, &unbound, &nunbound), GH_OK);
        assert_int_equal(nunbound, 1);
        assert_slice(unbound[0].name, "second");
    }
    /* By unique id (rendering a binding), in its own account only. */
    assert_int_equal(
        gh_store_role_get_by_id(tx, &f->a, GH_S(ACCT), GH_S("AROAAAAAAAAAAAAAAAAA1"), &got), GH_OK);
    assert_slice(got.name, "ec2-s3-read-role");
    assert_int_equal(gh_store_role_get_by_id(tx, &f->a, GH_S("999999999999"),
                                             GH_S("AROAAAAAAAAAAAAAAAAA1"), &got),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(
        gh_store_role_get_by_id(tx, &f->a, GH_S(ACCT), GH_S("AROAAAAAAAAAAAAAAAAA9"), &got),
        GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_role_get(tx, &f->a, GH_S(ACCT), GH_S("ec2-s3-read-role"), &got),
                     GH_OK);
    assert_slice(got.description, "reads S3");
    assert_int_equal(got.max_session_s, 43200);
    assert_slice(got.name, "ec2-s3-read-role");
    got.name = GH_S("nope");
    assert_int_equal(gh_store_role_update(tx, &got), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_role_list(tx, &f->a, GH_S(ACCT), GH_SLICE_NULL, &page, &v, &n, &more),
                     GH_OK);
    assert_int_equal(n, 1);
    assert_slice(v[0].name, "ec2-s3-read-role");
    assert_true(more.truncated);
    page.marker = more.next_marker;
    assert_int_equal(gh_store_role_list(tx, &f->a, GH_S(ACCT), GH_SLICE_NULL, &page, &v, &n, &more),
                     GH_OK);
    assert_int_equal(n, 1);
    assert_slice(v[0].name, "second");
    assert_false(more.truncated);
    assert_int_equal(gh_store_role_list(tx, &f->a, GH_S(ACCT), GH_S("/svc/"), NULL, &v, &n, &more),
                     GH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(gh_store_role_delete(tx, GH_S(ACCT), GH_S("SECOND")), GH_OK);
    assert_int_equal(gh_store_role_delete(tx, GH_S(ACCT), GH_S("second")), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_role_get(tx, &f->a, GH_S(ACCT), GH_S("second"), &got),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

/* ---- attachments, inline policies, tags survive a rename ---- */

static void
test_rename_keeps_tags_and_attachments(void **state)
{
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    struct gh_user u = mk_user("dev", "AIDADEV00000000000001", "/");
    struct gh_store_tag tags[] = {{GH_S("team"), GH_S("a")}, {GH_S("env"), GH_S("prod")}};
    struct gh_store_tag retag = {GH_S("TEAM"), GH_S("b")};
    struct gh_store_tag *tv;
    struct gh_attached *av;
    struct gh_store_more more;
    struct gh_slice doc, *names;
    size_t n;

    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    assert_int_equal(gh_store_tags_put(tx, u.id, tags, 2), GH_OK);
    assert_int_equal(gh_store_attach(tx, u.id, GH_S("arn:aws:iam::aws:policy/ReadOnlyAccess")),
                     GH_OK);
    assert_int_equal(gh_store_attach(tx, u.id, GH_S("arn:aws:iam::aws:policy/ReadOnlyAccess")),
                     GH_OK); /* idempotent */
    assert_int_equal(gh_store_attach(tx, u.id, GH_S("arn:aws:iam::aws:policy/IAMFullAccess")),
                     GH_OK);
    assert_int_equal(gh_store_attach(tx, u.id, GH_S("arn:aws:iam::aws:policy/NoSuchPolicy")),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_inline_put(tx, u.id, GH_S("p1"), GH_S("{}")), GH_OK);
    assert_int_equal(gh_store_inline_put(tx, u.id, GH_S("P1"), GH_S("{\"a\":1}")), GH_OK);
    assert_int_equal(
        gh_store_user_update(tx, GH_S(ACCT), GH_S("dev"), GH_S("developer"), GH_S("/x/")), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);

    tx = rtx(f);
    assert_int_equal(gh_store_tags_list(tx, &f->a, u.id, &tv, &n), GH_OK);
    assert_int_equal(n, 2);
    assert_slice(tv[0].key, "team");
    assert_slice(tv[1].key, "env");
    assert_int_equal(gh_store_attached_list(tx, &f->a, u.id, GH_SLICE_NULL, NULL, &av, &n, &more),
                     GH_OK);
    assert_int_equal(n, 2);
    assert_slice(av[0].policy_name, "IAMFullAccess"); /* by name */
    assert_slice(av[1].policy_arn, "arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert_int_equal(gh_store_attached_count(tx, u.id, &n), GH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(gh_store_inline_count(tx, u.id, &n), GH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(gh_store_inline_get(tx, &f->a, u.id, GH_S("p1"), &doc), GH_OK);
    assert_slice(doc, "{\"a\":1}");
    assert_int_equal(gh_store_inline_list(tx, &f->a, u.id, NULL, &names, &n, &more), GH_OK);
    assert_int_equal(n, 1);
    assert_slice(names[0], "P1");
    gh_store_tx_rollback(tx);

    /* Tag overwrite keeps the place, takes the new spelling; removal. */
    tx = wtx(f);
    assert_int_equal(gh_store_tags_put(tx, u.id, &retag, 1), GH_OK);
    assert_int_equal(gh_store_tags_list(tx, &f->a, u.id, &tv, &n), GH_OK);
    assert_int_equal(n, 2);
    assert_slice(tv[0].key, "TEAM");
    assert_slice(tv[0].value, "b");
    assert_int_equal(gh_store_tags_remove(tx, u.id, (struct gh_slice[]){GH_S("Env"), GH_S("x")}, 2),
                     GH_OK);
    assert_int_equal(gh_store_tags_list(tx, &f->a, u.id, &tv, &n), GH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(gh_store_detach(tx, u.id, GH_S("arn:aws:iam::aws:policy/IAMFullAccess")),
                     GH_OK);
    assert_int_equal(gh_store_detach(tx, u.id, GH_S("arn:aws:iam::aws:policy/IAMFullAccess")),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_inline_delete(tx, u.id, GH_S("p1")), GH_OK);
    assert_int_equal(gh_store_inline_delete(tx, u.id, GH_S("p1")), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_inline_get(tx, &f->a, u.id, GH_S("p1"), &doc), GH_ERR_NOT_FOUND);
    /* Purge removes the rest. */
    assert_int_equal(gh_store_inline_put(tx, u.id, GH_S("p2"), GH_S("{}")), GH_OK);
    assert_int_equal(gh_store_entity_purge(tx, u.id), GH_OK);
    assert_int_equal(gh_store_tags_list(tx, &f->a, u.id, &tv, &n), GH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(gh_store_attached_count(tx, u.id, &n), GH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(gh_store_inline_count(tx, u.id, &n), GH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

/* ---- access keys ---- */

static void
make_key(struct fx *f, struct gh_store_tx *tx, const char *id, const char *user, const char *secret,
         int64_t created)
{
    struct gh_access_key k = {
        .id = gh_slice_from_cstr(id),
        .account = GH_S(ACCT),
        .user_name = gh_slice_from_cstr(user),
        .status = GH_KEY_ACTIVE,
        .created = created,
    };
    struct gh_secret sec;

    (void)f;
    assert_int_equal(gh_secret_set(&sec, secret, strlen(secret)), GH_OK);
    assert_int_equal(gh_store_access_key_create(tx, &k, &sec), GH_OK);
    gh_secret_wipe(&sec);
}

static void
test_access_key_crud(void **state)
{
    static const char secret1[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    struct gh_user u = mk_user("keyed", "AIDAKEY00000000000001", "/");
    struct gh_access_key got, *v;
    struct gh_secret sec;
    size_t n;

    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    make_key(f, tx, "AKIAAAAAAAAAAAAAAAA1", "keyed", secret1, 10);
    make_key(f, tx, "AKIAAAAAAAAAAAAAAAA2", "keyed", "other-secret", 20);
    make_key(f, tx, "AKIAROOTAAAAAAAAAAA1", "", "root-secret", 5);
    {
        struct gh_access_key k = {
            .id = GH_S("AKIAAAAAAAAAAAAAAAA3"), .account = GH_S(ACCT), .user_name = GH_S("ghost")};
        assert_int_equal(gh_secret_set(&sec, "s", 1), GH_OK);
        assert_int_equal(gh_store_access_key_create(tx, &k, &sec), GH_ERR_NOT_FOUND);
        k.user_name = GH_S("keyed");
        k.id = GH_S("AKIAAAAAAAAAAAAAAAA1");
        assert_int_equal(gh_store_access_key_create(tx, &k, &sec), GH_ERR_EXISTS);
    }
    assert_int_equal(gh_store_access_key_get(tx, &f->a, GH_S("AKIAAAAAAAAAAAAAAAA1"), &got, &sec),
                     GH_OK);
    assert_slice(got.user_name, "keyed");
    assert_int_equal(got.status, GH_KEY_ACTIVE);
    assert_int_equal(sec.len, strlen(secret1));
    assert_memory_equal(sec.bytes, secret1, sec.len);
    assert_int_equal(gh_store_access_key_get(tx, &f->a, GH_S("AKIAROOTAAAAAAAAAAA1"), &got, NULL),
                     GH_OK);
    assert_int_equal(got.user_name.len, 0);
    assert_int_equal(gh_store_access_key_get(tx, &f->a, GH_S("AKIANOPE"), &got, &sec),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(sec.len, 0);
    /* The user's keys, oldest first; the root's apart. */
    assert_int_equal(gh_store_access_key_list(tx, &f->a, GH_S(ACCT), GH_S("KEYED"), &v, &n), GH_OK);
    assert_int_equal(n, 2);
    assert_slice(v[0].id, "AKIAAAAAAAAAAAAAAAA1");
    assert_slice(v[1].id, "AKIAAAAAAAAAAAAAAAA2");
    assert_int_equal(gh_store_access_key_list(tx, &f->a, GH_S(ACCT), GH_SLICE_NULL, &v, &n), GH_OK);
    assert_int_equal(n, 1);
    assert_slice(v[0].id, "AKIAROOTAAAAAAAAAAA1");
    /* Status, touch, delete: only through the owning user. */
    assert_int_equal(gh_store_access_key_set_status(tx, GH_S(ACCT), GH_SLICE_NULL,
                                                    GH_S("AKIAAAAAAAAAAAAAAAA1"), GH_KEY_INACTIVE),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_access_key_set_status(tx, GH_S(ACCT), GH_S("keyed"),
                                                    GH_S("AKIAAAAAAAAAAAAAAAA1"), GH_KEY_INACTIVE),
                     GH_OK);
    assert_int_equal(gh_store_access_key_touch(tx, GH_S("AKIAAAAAAAAAAAAAAAA1"), 99, GH_S("iam"),
                                               GH_S("us-east-1")),
                     GH_OK);
    assert_int_equal(gh_store_access_key_get(tx, &f->a, GH_S("AKIAAAAAAAAAAAAAAAA1"), &got, NULL),
                     GH_OK);
    assert_int_equal(got.status, GH_KEY_INACTIVE);
    assert_int_equal(got.last_used, 99);
    assert_slice(got.last_used_service, "iam");
    assert_slice(got.last_used_region, "us-east-1");
    /* Keys follow a renamed user (keyed by its id). */
    assert_int_equal(
        gh_store_user_update(tx, GH_S(ACCT), GH_S("keyed"), GH_S("renamed"), GH_SLICE_NULL), GH_OK);
    assert_int_equal(gh_store_access_key_get(tx, &f->a, GH_S("AKIAAAAAAAAAAAAAAAA2"), &got, NULL),
                     GH_OK);
    assert_slice(got.user_name, "renamed");
    assert_int_equal(
        gh_store_access_key_delete(tx, GH_S(ACCT), GH_S("keyed"), GH_S("AKIAAAAAAAAAAAAAAAA2")),
        GH_ERR_NOT_FOUND);
    assert_int_equal(
        gh_store_access_key_delete(tx, GH_S(ACCT), GH_S("renamed"), GH_S("AKIAAAAAAAAAAAAAAAA2")),
        GH_OK);
    assert_int_equal(gh_store_access_key_get(tx, &f->a, GH_S("AKIAAAAAAAAAAAAAAAA2"), &got, NULL),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    gh_secret_wipe(&sec);
}

static bool
file_contains(const char *path, const void *needle, size_t n)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long len;
    bool found;

    if (fp == NULL)
        return false; /* absent (e.g. -wal after a clean close) */
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    len = ftell(fp);
    assert_true(len >= 0);
    rewind(fp);
    buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    found = memmem(buf, (size_t)len, needle, n) != NULL;
    free(buf);
    return found;
}

static void
assert_db_files_clean(struct fx *f, const char *needle)
{
    static const char *const files[] = {"gatehouse.db", "gatehouse.db-wal"};
    char path[128];

    for (size_t i = 0; i < GH_ARRAY_LEN(files); i++) {
        snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
        assert_false(file_contains(path, needle, strlen(needle)));
    }
}

static void
test_secret_not_in_db_files(void **state)
{
    static const char secret[] = "Zq8SecretNeverStoredInTheClear0123456789";
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    char path[128];
    sqlite3 *db;

    make_key(f, tx, "AKIASECRETTESTAAAAAA", "", secret, 1);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    assert_db_files_clean(f, secret);
    /* Move everything from the WAL into the main file and look again. */
    snprintf(path, sizeof(path), "%s/gatehouse.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_true(file_contains(path, "AKIASECRETTESTAAAAAA", 20)); /* the row is there */
    assert_db_files_clean(f, secret);
    gh_store_close(f->s);
    f->s = NULL;
    assert_db_files_clean(f, secret);
    fx_open(f);
}

static void
test_sealed_secret_bound_to_key_id(void **state)
{
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    struct gh_access_key got;
    struct gh_secret sec;
    char path[128];
    sqlite3 *db;

    make_key(f, tx, "AKIASWAPAAAAAAAAAAA1", "", "secret-one", 1);
    make_key(f, tx, "AKIASWAPAAAAAAAAAAA2", "", "secret-two", 2);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    /* An attacker with the database swaps the sealed secrets of two rows. */
    snprintf(path, sizeof(path), "%s/gatehouse.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TEMP TABLE orig AS SELECT id, sealed FROM access_keys"
                     " WHERE id IN ('AKIASWAPAAAAAAAAAAA1', 'AKIASWAPAAAAAAAAAAA2');"
                     "UPDATE access_keys SET sealed = (SELECT sealed FROM orig WHERE orig.id ="
                     " CASE access_keys.id WHEN 'AKIASWAPAAAAAAAAAAA1' THEN 'AKIASWAPAAAAAAAAAAA2'"
                     " ELSE 'AKIASWAPAAAAAAAAAAA1' END)"
                     " WHERE id IN ('AKIASWAPAAAAAAAAAAA1', 'AKIASWAPAAAAAAAAAAA2')",
                     NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 2);
    sqlite3_close(db);
    tx = rtx(f);
    assert_int_equal(gh_store_access_key_get(tx, &f->a, GH_S("AKIASWAPAAAAAAAAAAA1"), &got, &sec),
                     GH_ERR_INTERNAL);
    assert_int_equal(sec.len, 0);
    assert_null(got.id.ptr);
    assert_int_equal(gh_store_access_key_get(tx, &f->a, GH_S("AKIASWAPAAAAAAAAAAA2"), &got, &sec),
                     GH_ERR_INTERNAL);
    /* Metadata alone still reads. */
    assert_int_equal(gh_store_access_key_get(tx, &f->a, GH_S("AKIASWAPAAAAAAAAAAA2"), &got, NULL),
                     GH_OK);
    gh_store_tx_rollback(tx);
    /* Another master key opens nothing either. */
    {
        struct gh_store *s2;
        struct gh_secret other;
        struct gh_store_tx *t2;

        make_key(f, (tx = wtx(f)), "AKIAOTHERKEYAAAAAAA1", "", "s3cr3t", 3);
        assert_int_equal(gh_store_tx_commit(tx), GH_OK);
        assert_int_equal(gh_random(other.bytes, 32), GH_OK);
        other.len = 32;
        assert_int_equal(gh_store_open(f->dir, &other, &s2), GH_OK);
        assert_int_equal(gh_store_tx_begin(s2, false, &t2), GH_OK);
        assert_int_equal(
            gh_store_access_key_get(t2, &f->a, GH_S("AKIAOTHERKEYAAAAAAA1"), &got, &sec),
            GH_ERR_INTERNAL);
        gh_store_tx_rollback(t2);
        gh_store_close(s2);
        gh_secret_wipe(&other);
    }
}

/* ---- policies ---- */

static void
test_policy_crud(void **state)
{
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    struct gh_policy_rec p = {
        .account = GH_S(ACCT),
        .name = GH_S("S3Reader"),
        .path = GH_S("/app/"),
        .id = GH_S("ANPAAAAAAAAAAAAAAAAA1"),
        .arn = GH_S("arn:aws:iam::" ACCT ":policy/app/S3Reader"),
        .description = GH_S("reads"),
        .created = 100,
    };
    struct gh_policy_rec got;
    struct gh_policy_version v, *vv;
    size_t n;

    assert_int_equal(gh_store_policy_create(tx, &p, GH_S("{\"v\":1}")), GH_OK);
    p.name = GH_S("s3reader");
    p.id = GH_S("ANPAAAAAAAAAAAAAAAAA2");
    p.arn = GH_S("arn:aws:iam::" ACCT ":policy/s3reader");
    assert_int_equal(gh_store_policy_create(tx, &p, GH_S("{}")), GH_ERR_EXISTS);
    assert_int_equal(
        gh_store_policy_get(tx, &f->a, GH_S("arn:aws:iam::" ACCT ":policy/app/S3Reader"), &got),
        GH_OK);
    assert_slice(got.name, "S3Reader");
    assert_slice(got.default_version, "v1");
    assert_slice(got.description, "reads");
    assert_true(got.attachable);
    assert_int_equal(got.attachment_count, 0);
    assert_int_equal(got.created, 100);
    assert_int_equal(got.updated, 100);
    v = (struct gh_policy_version){GH_S("v2"), GH_S("{\"v\":2}"), false, 200};
    assert_int_equal(gh_store_policy_version_add(tx, got.arn, &v), GH_OK);
    assert_int_equal(gh_store_policy_version_add(tx, got.arn, &v), GH_ERR_EXISTS);
    v = (struct gh_policy_version){GH_S("v3"), GH_S("{\"v\":3}"), true, 300};
    assert_int_equal(gh_store_policy_version_add(tx, got.arn, &v), GH_OK);
    assert_int_equal(gh_store_policy_version_add(tx, GH_S("arn:aws:iam::" ACCT ":policy/none"), &v),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_policy_version_list(tx, &f->a, got.arn, true, &vv, &n), GH_OK);
    assert_int_equal(n, 3);
    assert_slice(vv[0].version_id, "v3");
    assert_true(vv[0].is_default);
    assert_slice(vv[2].version_id, "v1");
    assert_false(vv[2].is_default);
    assert_int_equal(gh_store_policy_version_get(tx, &f->a, got.arn, GH_S("v2"), &v), GH_OK);
    assert_slice(v.document, "{\"v\":2}");
    assert_false(v.is_default);
    assert_int_equal(gh_store_policy_set_default(tx, got.arn, GH_S("v2"), 400), GH_OK);
    assert_int_equal(gh_store_policy_set_default(tx, got.arn, GH_S("v9"), 400), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_policy_get(tx, &f->a, got.arn, &got), GH_OK);
    assert_slice(got.default_version, "v2");
    assert_int_equal(got.updated, 400);
    assert_int_equal(gh_store_policy_version_delete(tx, got.arn, GH_S("v1")), GH_OK);
    assert_int_equal(gh_store_policy_version_delete(tx, got.arn, GH_S("v1")), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_policy_version_get(tx, &f->a, got.arn, GH_S("v1"), &v),
                     GH_ERR_NOT_FOUND);
    /* Boundary usage and attachments are counted. */
    {
        struct gh_user u = mk_user("bounded", "AIDABOUND000000000001", "/");

        u.boundary_arn = got.arn;
        assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
        assert_int_equal(gh_store_attach(tx, u.id, got.arn), GH_OK);
        assert_int_equal(gh_store_policy_get(tx, &f->a, got.arn, &got), GH_OK);
        assert_int_equal(got.boundary_usage_count, 1);
        assert_int_equal(got.attachment_count, 1);
        assert_int_equal(gh_store_policy_delete(tx, got.arn), GH_OK);
        assert_int_equal(gh_store_attached_count(tx, u.id, &n), GH_OK);
        assert_int_equal(n, 0); /* attachments go with the policy */
    }
    assert_int_equal(gh_store_policy_delete(tx, got.arn), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_policy_version_list(tx, &f->a, got.arn, true, &vv, &n),
                     GH_ERR_NOT_FOUND);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

static const char *const aws_names[] = {
    "AdministratorAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "IAMFullAccess",
    "IAMReadOnlyAccess",   "PowerUserAccess",    "ReadOnlyAccess",
};

static void
test_aws_managed_policies(void **state)
{
    static const struct {
        const char *name, *id, *version;
    } want[] = {
        {"AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "v1"},
        {"PowerUserAccess", "ANPAJYRXTHIB4FOVS3ZXS", "v12"},
        {"ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ", "v119"},
        {"IAMFullAccess", "ANPAI7XKCFMBPM3QQRRVQ", "v2"},
        {"IAMReadOnlyAccess", "ANPAJKSO7NDY4T57MWDSQ", "v4"},
        {"AmazonS3FullAccess", "ANPAIFIR6V6BVTRAHWINE", "v2"},
        {"AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M", "v3"},
    };
    struct fx *f = *state;
    struct gh_store_tx *tx = wtx(f);
    struct gh_policy_rec got, *v;
    struct gh_policy_version ver;
    struct gh_store_more more;
    struct gh_role r = {.account = GH_S(ACCT),
                        .name = GH_S("reader"),
                        .path = GH_S("/"),
                        .id = GH_S("AROAREADER0000000001"),
                        .trust_policy = GH_S("{}"),
                        .max_session_s = 3600};
    struct gh_policy_rec local = {.account = GH_S(ACCT),
                                  .name = GH_S("AdministratorAccess"), /* same name, allowed */
                                  .path = GH_S("/"),
                                  .id = GH_S("ANPALOCAL00000000001"),
                                  .arn = GH_S("arn:aws:iam::" ACCT ":policy/AdministratorAccess")};
    size_t n;

    for (size_t i = 0; i < GH_ARRAY_LEN(want); i++) {
        char arn[128];
        json_error_t jerr;
        json_t *doc;

        snprintf(arn, sizeof(arn), "arn:aws:iam::aws:policy/%s", want[i].name);
        assert_int_equal(gh_store_policy_get(tx, &f->a, gh_slice_from_cstr(arn), &got), GH_OK);
        assert_slice(got.account, "aws");
        assert_slice(got.name, want[i].name);
        assert_slice(got.id, want[i].id);
        assert_slice(got.path, "/");
        assert_slice(got.default_version, want[i].version);
        assert_true(got.attachable);
        assert_true(got.description.len > 0);
        assert_int_equal(gh_store_policy_version_get(tx, &f->a, got.arn, got.default_version, &ver),
                         GH_OK);
        assert_true(ver.is_default);
        doc = json_loadb(ver.document.ptr, ver.document.len, JSON_REJECT_DUPLICATES, &jerr);
        if (doc == NULL)
            fail_msg("%s: %s", want[i].name, jerr.text);
        assert_string_equal(json_string_value(json_object_get(doc, "Version")), "2012-10-17");
        assert_true(json_is_array(json_object_get(doc, "Statement")));
        json_decref(doc);
    }
    /* Attachable: attach one to a role and see the count. */
    assert_int_equal(gh_store_role_create(tx, &r), GH_OK);
    assert_int_equal(
        gh_store_attach(tx, r.id, GH_S("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")), GH_OK);
    assert_int_equal(gh_store_policy_create(tx, &local, GH_S("{}")), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);

    tx = rtx(f);
    /* Scope=AWS: exactly the AWS policies, by name. */
    assert_int_equal(gh_store_policy_list(tx, &f->a, GH_S(ACCT), GH_SCOPE_AWS, GH_POLICY_USE_ANY,
                                          GH_SLICE_NULL, NULL, &v, &n, &more),
                     GH_OK);
    assert_int_equal(n, GH_ARRAY_LEN(aws_names));
    for (size_t i = 0; i < n; i++) {
        assert_slice(v[i].name, aws_names[i]);
        assert_int_equal(v[i].attachment_count,
                         strcmp(aws_names[i], "AmazonS3ReadOnlyAccess") == 0 ? 1 : 0);
    }
    /* Scope=Local: only ours. */
    assert_int_equal(gh_store_policy_list(tx, &f->a, GH_S(ACCT), GH_SCOPE_LOCAL, GH_POLICY_USE_ANY,
                                          GH_SLICE_NULL, NULL, &v, &n, &more),
                     GH_OK);
    assert_int_equal(n, 1);
    assert_slice(v[0].account, ACCT);
    /* Another account sees AWS's but not ours. */
    assert_int_equal(gh_store_policy_list(tx, &f->a, GH_S(ACCT2), GH_SCOPE_ALL, GH_POLICY_USE_ANY,
                                          GH_SLICE_NULL, NULL, &v, &n, &more),
                     GH_OK);
    assert_int_equal(n, GH_ARRAY_LEN(aws_names));
    /* OnlyAttached. */
    assert_int_equal(gh_store_policy_list(tx, &f->a, GH_S(ACCT), GH_SCOPE_ALL,
                                          GH_POLICY_USE_PERMISSIONS, GH_SLICE_NULL, NULL, &v, &n,
                                          &more),
                     GH_OK);
    assert_int_equal(n, 1);
    assert_slice(v[0].name, "AmazonS3ReadOnlyAccess");
    assert_int_equal(v[0].attachment_count, 1);
    /* Scope=All in pages of 1: both AdministratorAccess policies, no repeats. */
    {
        struct gh_store_page page = {GH_SLICE_NULL, 1};
        size_t total = 0;

        for (;;) {
            assert_int_equal(gh_store_policy_list(tx, &f->a, GH_S(ACCT), GH_SCOPE_ALL,
                                                  GH_POLICY_USE_ANY, GH_SLICE_NULL, &page, &v, &n,
                                                  &more),
                             GH_OK);
            assert_int_equal(n, 1);
            if (total < 2)
                assert_slice(v[0].name, "AdministratorAccess");
            if (total == 0)
                assert_slice(v[0].account, ACCT); /* digits sort before "aws" */
            total++;
            if (!more.truncated)
                break;
            page.marker = more.next_marker;
        }
        assert_int_equal(total, GH_ARRAY_LEN(aws_names) + 1);
    }
    gh_store_tx_rollback(tx);
}

/* ---- concurrency: readers see snapshots while one writer works ---- */

static void
test_reader_snapshot(void **state)
{
    struct fx *f = *state;
    struct gh_store_tx *r = rtx(f), *w;
    struct gh_user u = mk_user("late", "AIDALATE000000000001", "/"), got;

    /* Start the snapshot with a read. */
    assert_int_equal(gh_store_user_get(r, &f->a, GH_S(ACCT), GH_S("late"), &got), GH_ERR_NOT_FOUND);
    w = wtx(f);
    assert_int_equal(gh_store_user_create(w, &u), GH_OK);
    assert_int_equal(gh_store_tx_commit(w), GH_OK);
    assert_int_equal(gh_store_user_get(r, &f->a, GH_S(ACCT), GH_S("late"), &got), GH_ERR_NOT_FOUND);
    gh_store_tx_rollback(r);
    r = rtx(f);
    assert_int_equal(gh_store_user_get(r, &f->a, GH_S(ACCT), GH_S("late"), &got), GH_OK);
    gh_store_tx_rollback(r);
}

/* ---- concurrency: writers serialised, readers in parallel ---- */

#define CONC_THREADS 4
#define CONC_COMMITS 40

struct conc_arg {
    struct fx *f;
    int n;
    bool writer;
    bool ok;
};

static void *
conc_run(void *p)
{
    struct conc_arg *c = p;
    struct gh_arena a;
    uint64_t last = 0;

    gh_arena_init(&a);
    c->ok = true;
    for (int i = 0; i < CONC_COMMITS && c->ok; i++) {
        struct gh_store_tx *tx;
        char name[32], id[32];
        struct gh_user u;

        if (gh_store_tx_begin(c->f->s, c->writer, &tx) != GH_OK) {
            c->ok = false;
            break;
        }
        snprintf(name, sizeof(name), "t%d-%03d", c->n, i);
        snprintf(id, sizeof(id), "AIDACONC%02d%011d", c->n, i);
        u = mk_user(name, id, "/");
        if (c->writer) {
            c->ok = gh_store_user_create(tx, &u) == GH_OK && gh_store_tx_commit(tx) == GH_OK;
        } else {
            struct gh_user *v;
            struct gh_store_more more;
            struct gh_store_page page = {GH_SLICE_NULL, 1000};
            size_t n;
            uint64_t g = gh_store_generation(c->f->s);

            c->ok = g >= last && gh_store_user_list(tx, &a, GH_S(ACCT), GH_SLICE_NULL, &page, &v,
                                                    &n, &more) == GH_OK;
            last = g;
            c->ok = gh_store_tx_commit(tx) == GH_OK && c->ok;
        }
    }
    gh_arena_cleanup(&a);
    return NULL;
}

static void
test_concurrent_writers_and_readers(void **state)
{
    struct fx *f = *state;
    struct conc_arg args[2 * CONC_THREADS];
    pthread_t th[2 * CONC_THREADS];
    uint64_t g0 = gh_store_generation(f->s);
    struct gh_store_tx *tx;
    struct gh_user *v;
    struct gh_store_more more;
    size_t n;

    for (int i = 0; i < 2 * CONC_THREADS; i++) {
        args[i] = (struct conc_arg){f, i, i < CONC_THREADS, false};
        assert_int_equal(pthread_create(&th[i], NULL, conc_run, &args[i]), 0);
    }
    for (int i = 0; i < 2 * CONC_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_true(args[i].ok);
    }
    /* Every write committed exactly once, each bumping the generation. */
    assert_int_equal(gh_store_generation(f->s), g0 + CONC_THREADS * CONC_COMMITS);
    tx = rtx(f);
    assert_int_equal(gh_store_user_list(tx, &f->a, GH_S(ACCT), GH_SLICE_NULL, NULL, &v, &n, &more),
                     GH_OK);
    assert_int_equal(n, CONC_THREADS * CONC_COMMITS);
    gh_store_tx_rollback(tx);
}

/* ---- crash durability ---- */

#define CRASH_COMMITS 400

static void
crash_child(const char *dir, int wfd)
{
    struct gh_secret key;
    struct gh_store *s;

    if (gh_store_master_key_load(dir, &key) != GH_OK || gh_store_open(dir, &key, &s) != GH_OK)
        _exit(3);
    for (int i = 0; i < CRASH_COMMITS; i++) {
        struct gh_store_tx *tx;
        char name[32], id[32];
        struct gh_user u;
        struct gh_store_tag tag = {GH_S("seq"), GH_SLICE_NULL};

        snprintf(name, sizeof(name), "crash%04d", i);
        snprintf(id, sizeof(id), "AIDACRASH%012d", i);
        u = mk_user(name, id, "/");
        tag.value = gh_slice_from_cstr(name);
        if (gh_store_tx_begin(s, true, &tx) != GH_OK)
            _exit(4);
        /* Two rows per transaction: after a crash, both or neither. */
        if (gh_store_user_create(tx, &u) != GH_OK || gh_store_tags_put(tx, u.id, &tag, 1) != GH_OK)
            _exit(5);
        if (gh_store_tx_commit(tx) != GH_OK)
            _exit(6);
        if (write(wfd, &i, sizeof(i)) != (ssize_t)sizeof(i)) /* acknowledged */
            _exit(7);
    }
    _exit(0);
}

static void
test_crash_durability_sigkill(void **state)
{
    struct fx *f = *state;
    uint8_t rnd;
    int fds[2], last = -1, got, status, stop_after;
    pid_t pid;

    assert_int_equal(gh_random(&rnd, 1), GH_OK);
    stop_after = 20 + rnd % 200; /* a random point well inside the run */
    gh_store_close(f->s);        /* the child is the only writer */
    f->s = NULL;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        crash_child(f->dir, fds[1]);
    }
    close(fds[1]);
    while (last + 1 < stop_after && read(fds[0], &got, sizeof(got)) == (ssize_t)sizeof(got)) {
        assert_int_equal(got, last + 1);
        last = got;
    }
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* Commits reported before the kill landed are acknowledged too. */
    while (read(fds[0], &got, sizeof(got)) == (ssize_t)sizeof(got)) {
        assert_int_equal(got, last + 1);
        last = got;
    }
    close(fds[0]);
    assert_true(last >= 0);

    fx_open(f);
    {
        struct gh_store_tx *tx = rtx(f);
        int present = 0;

        for (int i = 0; i < CRASH_COMMITS; i++) {
            char name[32];
            struct gh_user u;
            struct gh_store_tag *tags;
            size_t n;
            enum gh_err err;

            snprintf(name, sizeof(name), "crash%04d", i);
            err = gh_store_user_get(tx, &f->a, GH_S(ACCT), gh_slice_from_cstr(name), &u);
            if (i <= last)
                assert_int_equal(err, GH_OK); /* every acknowledged commit is there */
            if (err == GH_ERR_NOT_FOUND) {
                present = i;
                /* Consistent: nothing after the first missing one. */
                for (int j = i + 1; j < CRASH_COMMITS; j++) {
                    snprintf(name, sizeof(name), "crash%04d", j);
                    assert_int_equal(
                        gh_store_user_get(tx, &f->a, GH_S(ACCT), gh_slice_from_cstr(name), &u),
                        GH_ERR_NOT_FOUND);
                }
                break;
            }
            assert_int_equal(err, GH_OK);
            present = i + 1;
            assert_int_equal(gh_store_tags_list(tx, &f->a, u.id, &tags, &n), GH_OK);
            assert_int_equal(n, 1);
            assert_slice(tags[0].value, name);
        }
        assert_true(present >= last + 1);
        gh_store_tx_rollback(tx);
    }
}

/* ---- the AWS managed policy catalog ---- */

struct cat_pol {
    const char *arn;
    unsigned def;       /* default version number */
    const char *doc[2]; /* documents of v2 (or NULL) and v1, newest first */
};

static void
put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void
put64(uint8_t *p, int64_t v)
{
    put32(p, (uint32_t)(uint64_t)v);
    put32(p + 4, (uint32_t)((uint64_t)v >> 32));
}

/* Writes a catalog in convert.mjs's layout (policies sorted by the caller). */
static void
cat_write(const char *path, const struct cat_pol *ps, size_t n)
{
    static uint8_t buf[65536];
    uint8_t *pol, *ver, *str, *doc;
    size_t nv = 0, slen = 0, dlen = 0, vi = 0, total;
    FILE *fp;

    for (size_t i = 0; i < n; i++) {
        nv += ps[i].doc[0] != NULL ? 2 : 1;
        slen += strlen(ps[i].arn);
    }
    memset(buf, 0, sizeof(buf));
    pol = buf + 96;
    ver = pol + n * 40;
    str = ver + nv * 24;
    doc = str + slen + 6; /* the ARNs, then the label "test@1" */
    slen = 0;
    for (size_t i = 0; i < n; i++) {
        size_t first = vi;
        memcpy(str + slen, ps[i].arn, strlen(ps[i].arn));
        put32(pol + i * 40, (uint32_t)slen);
        put32(pol + i * 40 + 4, (uint32_t)strlen(ps[i].arn));
        slen += strlen(ps[i].arn);
        for (int j = 0; j < 2; j++) {
            z_stream z;
            if (ps[i].doc[j] == NULL)
                continue;
            memset(&z, 0, sizeof(z));
            assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                             Z_OK);
            z.next_in = (Bytef *)(uintptr_t)ps[i].doc[j];
            z.avail_in = (uInt)strlen(ps[i].doc[j]);
            z.next_out = doc + dlen;
            z.avail_out = (uInt)(sizeof(buf) - (size_t)(doc - buf) - dlen);
            assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
            put32(ver + vi * 24, (uint32_t)(2 - j));
            put32(ver + vi * 24 + 4, (uint32_t)dlen);
            put32(ver + vi * 24 + 8, (uint32_t)z.total_out);
            put32(ver + vi * 24 + 12, (uint32_t)strlen(ps[i].doc[j]));
            put64(ver + vi * 24 + 16, 1500000000 + (int64_t)j);
            dlen += z.total_out;
            deflateEnd(&z);
            vi++;
        }
        put32(pol + i * 40 + 8, (uint32_t)first);
        put32(pol + i * 40 + 12, (uint32_t)(vi - first));
        put32(pol + i * 40 + 16, ps[i].def);
        put64(pol + i * 40 + 24, 1400000000);
        put64(pol + i * 40 + 32, 1600000000);
    }
    memcpy(str + slen, "test@1", 6);
    total = (size_t)(doc - buf) + dlen;
    memcpy(buf, "GHAWSMP1", 8);
    const uint32_t head[] = {(uint32_t)n,
                             (uint32_t)nv,
                             96,
                             (uint32_t)(ver - buf),
                             (uint32_t)(str - buf),
                             (uint32_t)slen + 6,
                             (uint32_t)(doc - buf),
                             (uint32_t)dlen,
                             (uint32_t)slen,
                             6,
                             (uint32_t)total};
    for (size_t i = 0; i < GH_ARRAY_LEN(head); i++)
        put32(buf + 8 + 4 * i, head[i]);
    gh_sha256(buf + 96, total - 96, buf + 64);
    assert_non_null(fp = fopen(path, "wb"));
    assert_int_equal(fwrite(buf, 1, total, fp), total);
    fclose(fp);
}

#define AWS_ARN(p) "arn:aws:iam::aws:policy" p
#define DOC_A1                                                                                     \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a:1\","         \
    "\"Resource\":\"*\"}]}"
#define DOC_A2                                                                                     \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a:2\","         \
    "\"Resource\":\"*\"}]}"
#define DOC_B1                                                                                     \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"b:1\","         \
    "\"Resource\":\"*\"}]}"

static void
test_aws_catalog(void **state)
{
    struct fx *f = *state;
    const struct cat_pol full[] = {
        {AWS_ARN("/Alpha"), 2, {DOC_A2, DOC_A1}},
        {AWS_ARN("/service-role/Beta"), 1, {NULL, DOC_B1}},
    };
    const struct cat_pol less[] = {{AWS_ARN("/service-role/Beta"), 1, {NULL, DOC_B1}}};
    struct gh_aws_catalog *c1 = NULL, *c2 = NULL, *bad = NULL;
    struct gh_policy_version v, *vv;
    struct gh_policy_rec p, *ps;
    struct gh_store_more more;
    struct gh_store_tx *tx;
    struct gh_diag diag;
    char path[128], path2[128];
    size_t n;
    uint8_t byte;
    int fd;

    snprintf(path, sizeof(path), "%s/full.bin", f->dir);
    snprintf(path2, sizeof(path2), "%s/less.bin", f->dir);
    cat_write(path, full, GH_ARRAY_LEN(full));
    cat_write(path2, less, GH_ARRAY_LEN(less));
    assert_int_equal(gh_store_catalog_open(path, &diag, &c1), GH_OK);
    assert_int_equal(gh_store_catalog_count(c1), 2);
    assert_true(gh_slice_eq_cstr(gh_store_catalog_label(c1), "test@1"));
    assert_int_equal(gh_store_catalog_use(f->s, c1), GH_OK);

    tx = rtx(f);
    /* Listed in the store beside the built-in seven, path from the ARN. */
    assert_int_equal(gh_store_policy_list(tx, &f->a, GH_S(ACCT), GH_SCOPE_AWS, GH_POLICY_USE_ANY,
                                          GH_S("/service-role/"), NULL, &ps, &n, &more),
                     GH_OK);
    assert_int_equal(n, 1);
    assert_true(gh_slice_eq_cstr(ps[0].name, "Beta"));
    assert_int_equal(gh_store_policy_get(tx, &f->a, GH_S(AWS_ARN("/Alpha")), &p), GH_OK);
    assert_true(gh_slice_eq_cstr(p.default_version, "v2"));
    assert_true(gh_slice_eq_cstr(p.path, "/"));
    assert_int_equal(p.id.len, 21);
    assert_int_equal(p.updated, 1600000000);
    /* Every version, from the catalog; documents only when asked for. */
    assert_int_equal(
        gh_store_policy_version_get(tx, &f->a, GH_S(AWS_ARN("/Alpha")), GH_S("v1"), &v), GH_OK);
    assert_true(gh_slice_eq_cstr(v.document, DOC_A1));
    assert_false(v.is_default);
    assert_int_equal(
        gh_store_policy_version_get(tx, &f->a, GH_S(AWS_ARN("/Alpha")), GH_S("v3"), &v),
        GH_ERR_NOT_FOUND);
    assert_int_equal(
        gh_store_policy_version_list(tx, &f->a, GH_S(AWS_ARN("/alpha")), false, &vv, &n), GH_OK);
    assert_int_equal(n, 2);
    assert_true(gh_slice_eq_cstr(vv[0].version_id, "v2") && vv[0].is_default);
    assert_int_equal(vv[0].document.len, 0);
    gh_store_tx_rollback(tx);

    tx = wtx(f);
    assert_int_equal(gh_store_attach(tx, GH_S("AIDAENTITY"), GH_S(AWS_ARN("/Alpha"))), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);

    /* A later catalog without Alpha (deprecated by AWS): attached, it stays,
     * readable at its default version, no longer attachable. */
    assert_int_equal(gh_store_catalog_open(path2, &diag, &c2), GH_OK);
    assert_int_equal(gh_store_catalog_use(f->s, c2), GH_OK);
    tx = rtx(f);
    assert_int_equal(gh_store_policy_get(tx, &f->a, GH_S(AWS_ARN("/Alpha")), &p), GH_OK);
    assert_false(p.attachable);
    assert_int_equal(p.attachment_count, 1);
    assert_int_equal(
        gh_store_policy_version_get(tx, &f->a, GH_S(AWS_ARN("/Alpha")), GH_S("v2"), &v), GH_OK);
    assert_true(gh_slice_eq_cstr(v.document, DOC_A2) && v.is_default);
    gh_store_tx_rollback(tx);
    /* A boundary keeps its document too. */
    {
        struct gh_user u = mk_user("Bounded", "AIDABOUNDEDAAAAAAAAA", "/");
        u.account = GH_S(ACCT);
        u.boundary_arn = GH_S(AWS_ARN("/service-role/Beta"));
        tx = wtx(f);
        assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
        assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    }
    /* With no catalog at all, Alpha (attached) and Beta (a boundary) stay
     * readable from the store; the built-in seven are back. */
    assert_int_equal(gh_store_catalog_use(f->s, NULL), GH_OK);
    tx = rtx(f);
    assert_int_equal(
        gh_store_policy_version_get(tx, &f->a, GH_S(AWS_ARN("/service-role/Beta")), GH_S("v1"), &v),
        GH_OK);
    assert_true(gh_slice_eq_cstr(v.document, DOC_B1));
    assert_int_equal(gh_store_policy_get(tx, &f->a, GH_S(AWS_ARN("/ReadOnlyAccess")), &p), GH_OK);
    assert_true(p.attachable);
    assert_int_equal(gh_store_policy_version_get(tx, &f->a, GH_S(AWS_ARN("/ReadOnlyAccess")),
                                                 p.default_version, &v),
                     GH_OK);
    gh_store_tx_rollback(tx);

    /* Damage is refused: one flipped byte, or a cut file. */
    assert_true((fd = open(path, O_RDWR)) >= 0);
    assert_int_equal(pread(fd, &byte, 1, 200), 1);
    byte ^= 1;
    assert_int_equal(pwrite(fd, &byte, 1, 200), 1);
    assert_int_equal(gh_store_catalog_open(path, &diag, &bad), GH_ERR_VALIDATION);
    assert_non_null(strstr(diag.text, "checksum"));
    assert_int_equal(ftruncate(fd, 150), 0);
    close(fd);
    assert_int_equal(gh_store_catalog_open(path, &diag, &bad), GH_ERR_VALIDATION);
    assert_null(bad);
    assert_int_equal(gh_store_catalog_open("/nonexistent/x.bin", &diag, &bad), GH_ERR_NOT_FOUND);

    /* The store must drop its pointer before the catalogs go. */
    gh_store_close(f->s);
    f->s = NULL;
    gh_store_catalog_free(c1);
    gh_store_catalog_free(c2);
    fx_open(f);
}

/* The catalog the build made (make / make test) loads, if npm was there. */
static void
test_aws_catalog_built(void **state)
{
    struct fx *f = *state;
    const char *path = getenv("GH_AWS_DATA");
    struct gh_aws_catalog *c = NULL;
    struct gh_policy_version v;
    struct gh_store_tx *tx;
    struct gh_diag diag;

    if (path == NULL || access(path, R_OK) != 0)
        skip();
    assert_int_equal(gh_store_catalog_open(path, &diag, &c), GH_OK);
    assert_true(gh_store_catalog_count(c) > 1000);
    assert_int_equal(gh_store_catalog_use(f->s, c), GH_OK);
    tx = rtx(f);
    assert_int_equal(
        gh_store_policy_version_get(
            tx, &f->a, GH_S(AWS_ARN("/service-role/AWSLambdaBasicExecutionRole")), GH_S("v1"), &v),
        GH_OK);
    assert_non_null(strstr(v.document.ptr, "logs:CreateLogGroup"));
    gh_store_tx_rollback(tx);
    gh_store_close(f->s);
    f->s = NULL;
    gh_store_catalog_free(c);
    fx_open(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_master_key_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_master_key_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_meta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_crud, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_pagination_1000, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generation_and_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role_crud, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rename_keeps_tags_and_attachments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_key_crud, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_not_in_db_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sealed_secret_bound_to_key_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_crud, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aws_managed_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aws_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aws_catalog_built, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers_and_readers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_durability_sigkill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assertion_used_once, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
