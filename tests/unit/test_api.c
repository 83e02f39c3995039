/*
 * test_api.c: the api's identity rules: a long-term key belongs to its
 * user's unique id (a deleted user's key is dead, never the root's, and a
 * namesake does not inherit it); role-session revocations reach every
 * role that had the name; the auth snapshot survives many refreshes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_int.h"

#define ACCOUNT "123456789012"
#define KEY "AKIATEMPTEMPTEMPTEMP"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

struct fixture {
    char dir[64];
    struct gh_secret master;
    struct gh_store *store;
    struct gh_keyring *ring;
    struct gh_api_config config;
    struct gh_api *api;
};

static int
setup(void **state)
{
    static const struct gh_service *const services[] = {NULL};
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_store_tx *tx;

    assert_non_null(f);
    (void)snprintf(f->dir, sizeof(f->dir), "/tmp/gh-api-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gh_store_master_key_load(f->dir, &f->master), GH_OK);
    assert_int_equal(gh_store_open(f->dir, &f->master, &f->store), GH_OK);
    assert_int_equal(gh_keyring_load(f->store, &f->master, &f->ring), GH_OK);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_account_create(tx, ACCOUNT, 1), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    f->config.region = "us-east-1";
    struct gh_api_deps deps = {
        .store = f->store, .keyring = f->ring, .config = &f->config, .services = services};
    assert_int_equal(gh_api_new(&deps, &f->api), GH_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    gh_api_free(f->api);
    gh_keyring_unref(f->ring);
    gh_store_close(f->store);
    gh_secret_wipe(&f->master);
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void
user_create(struct fixture *f, const char *name, const char *id)
{
    struct gh_user u = {
        GH_S(ACCOUNT), gh_slice_from_cstr(name), GH_S("/"), gh_slice_from_cstr(id), GH_S(""), 1, 0};
    struct gh_store_tx *tx;

    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

static void
user_delete(struct fixture *f, const char *name)
{
    struct gh_store_tx *tx;

    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_user_delete(tx, GH_S(ACCOUNT), gh_slice_from_cstr(name)), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

static enum gh_err
resolve(struct fixture *f, struct gh_api_principals *pc, struct gh_arena *a, struct gh_principal *p)
{
    struct gh_secret secret;
    enum gh_err err = gh_api_principal_resolve(pc, f->store, a, GH_S(KEY), &secret, p);

    gh_secret_wipe(&secret);
    return err;
}

/*
 * A key left behind by a deleted user (the store allows it; IAM refuses
 * DeleteUser while keys exist, which this must not depend on) used to
 * resolve to the account root, because its user's name no longer joined.
 */
static void
test_key_of_deleted_user(void **state)
{
    struct fixture *f = *state;
    struct gh_api_principals *pc = NULL;
    struct gh_store_tx *tx;
    struct gh_access_key k;
    struct gh_secret s;
    struct gh_principal p;
    struct gh_arena a;

    gh_arena_init(&a);
    assert_int_equal(gh_api_principals_new(&pc), GH_OK);
    user_create(f, "temp-contractor", "AIDATEMPCONTRACTOR01");
    memset(&k, 0, sizeof(k));
    k.id = GH_S(KEY);
    k.account = GH_S(ACCOUNT);
    k.user_name = GH_S("temp-contractor");
    k.created = 1;
    assert_int_equal(gh_secret_set(&s, SECRET, 40), GH_OK);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_access_key_create(tx, &k, &s), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    gh_secret_wipe(&s);

    assert_int_equal(resolve(f, pc, &a, &p), GH_OK);
    assert_int_equal(p.type, GH_PRINCIPAL_USER);
    assert_true(gh_slice_eq_cstr(p.user_id, "AIDATEMPCONTRACTOR01"));

    user_delete(f, "temp-contractor");
    assert_int_equal(resolve(f, pc, &a, &p), GH_ERR_INVALID_TOKEN_ID);
    assert_int_equal(p.type, 0);
    /* A namesake (any case) does not inherit the key. */
    user_create(f, "Temp-Contractor", "AIDATEMPCONTRACTOR02");
    assert_int_equal(resolve(f, pc, &a, &p), GH_ERR_INVALID_TOKEN_ID);

    gh_api_principals_free(pc);
    gh_arena_cleanup(&a);
}

static void
role_create(struct fixture *f, const char *name, const char *id)
{
    struct gh_store_tx *tx;
    struct gh_role r;

    memset(&r, 0, sizeof(r));
    r.account = GH_S(ACCOUNT);
    r.name = gh_slice_from_cstr(name);
    r.path = GH_S("/");
    r.id = gh_slice_from_cstr(id);
    r.trust_policy = GH_S("{}");
    r.description = GH_S("");
    r.boundary_arn = GH_S("");
    r.max_session_s = 3600;
    r.created = 1;
    r.last_used_region = GH_S("");
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_role_create(tx, &r), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

static bool
revoked(struct fixture *f, const char *name, const char *id, int64_t issued)
{
    struct gh_api_revocations *rv = NULL;
    struct gh_session s;
    bool r;

    memset(&s, 0, sizeof(s));
    s.type = GH_PRINCIPAL_ASSUMED_ROLE;
    memcpy(s.account, ACCOUNT, sizeof(s.account));
    memcpy(s.access_key_id, "ASIAAAAAAAAAAAAAAAAA", 21);
    s.name = gh_slice_from_cstr(name);
    s.entity_id = gh_slice_from_cstr(id);
    s.issued = issued;
    assert_int_equal(gh_api_revocations_load(f->store, gh_now_s(), &rv), GH_OK);
    r = gh_api_session_revoked(rv, &s);
    gh_api_revocations_free(rv);
    return r;
}

/* `gatehouse sessions revoke --role NAME` after the role was re-created. */
static void
test_revoke_by_name(void **state)
{
    struct fixture *f = *state;
    struct gh_store_tx *tx;
    struct gh_diag diag;

    role_create(f, "ci-readonly", "AROACIREADONLYOLD001");
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_role_delete(tx, GH_S(ACCOUNT), GH_S("ci-readonly")), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    role_create(f, "CI-ReadOnly", "AROACIREADONLYNEW001");
    gh_diag_clear(&diag);
    assert_int_equal(
        gh_api_revoke_sessions(f->store, GH_S(ACCOUNT), GH_S("ci-readonly"), 1000, &diag), GH_OK);
    /* Old and new ids, any case of the name; only before the cut-off. */
    assert_true(revoked(f, "ci-readonly", "AROACIREADONLYOLD001", 999));
    assert_true(revoked(f, "CI-ReadOnly", "AROACIREADONLYNEW001", 999));
    assert_false(revoked(f, "ci-readonly", "AROACIREADONLYOLD001", 1000));
    assert_false(revoked(f, "ci-readonly-2", "AROACIREADONLYOTHER1", 999));
    /* A role that does not exist is an error that names it. */
    assert_int_equal(gh_api_revoke_sessions(f->store, GH_S(ACCOUNT), GH_S("nope"), 1000, &diag),
                     GH_ERR_NOT_FOUND);
    assert_non_null(strstr(diag.text, "nope"));

    /* A record written by an older gatehouse (keyed by role id) still counts. */
    struct gh_store_rec rec = {.account = GH_S(ACCOUNT),
                               .kind = GH_S("session-revocation"),
                               .id = GH_S("AROALEGACYLEGACY0001"),
                               .owner = GH_S("AROALEGACYLEGACY0001"),
                               .created = 1,
                               .data = GH_S("500")};
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_rec_put(tx, &rec, NULL, true), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    assert_true(revoked(f, "legacy", "AROALEGACYLEGACY0001", 499));
    assert_false(revoked(f, "legacy", "AROALEGACYLEGACY0002", 499));
}

/*
 * Many refreshes, each after a write: every one publishes a new snapshot
 * (the old one freed once unreferenced), and a snapshot a request holds
 * stays valid across them.
 */
static void
test_snapshot_refreshes(void **state)
{
    struct fixture *f = *state;
    struct gh_api_snap *held = gh_api_snap_get(f->api), *cur;
    struct gh_keyring *kr = NULL;
    struct gh_diag diag;
    uint32_t id_before, id_after;
    const struct gh_secret *k;

    assert_int_equal(gh_keyring_current(gh_api_snap_keyring(held), &id_before, &k), GH_OK);
    role_create(f, "r", "AROARRRRRRRRRRRRRRR1");
    for (int i = 0; i < 200; i++) {
        char name[32];
        (void)snprintf(name, sizeof(name), "u%d", i);
        char id[32];
        (void)snprintf(id, sizeof(id), "AIDAUSER%012d", i);
        user_create(f, name, id);
        assert_int_equal(gh_api_refresh(f->api, &f->master), GH_OK);
    }
    /* A revocation and a rotation after all that still reach the api. */
    gh_diag_clear(&diag);
    assert_int_equal(
        gh_api_revoke_sessions(f->store, GH_S(ACCOUNT), GH_S("r"), gh_now_s() + 10, &diag), GH_OK);
    assert_int_equal(gh_keyring_rotate(f->store, &f->master, &kr), GH_OK);
    gh_keyring_unref(kr);
    assert_int_equal(gh_api_refresh(f->api, &f->master), GH_OK);
    cur = gh_api_snap_get(f->api);
    assert_int_equal(gh_keyring_current(gh_api_snap_keyring(cur), &id_after, &k), GH_OK);
    assert_int_not_equal(id_before, id_after);
    struct gh_session s;
    memset(&s, 0, sizeof(s));
    s.type = GH_PRINCIPAL_ASSUMED_ROLE;
    memcpy(s.account, ACCOUNT, sizeof(s.account));
    memcpy(s.access_key_id, "ASIAAAAAAAAAAAAAAAAA", 21);
    s.name = GH_S("r");
    s.entity_id = GH_S("AROARRRRRRRRRRRRRRR1");
    s.issued = gh_now_s();
    assert_true(gh_api_snap_revoked(cur, &s));
    assert_false(gh_api_snap_revoked(held, &s)); /* the held one is unchanged */
    assert_int_equal(gh_keyring_current(gh_api_snap_keyring(held), &id_after, &k), GH_OK);
    assert_int_equal(id_before, id_after);
    gh_api_snap_unref(cur);
    gh_api_snap_unref(held);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_of_deleted_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_refreshes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
