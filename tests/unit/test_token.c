/*
 * test_token.c: session tokens: round trip, tamper resistance (every byte
 * flipped), tokens of another installation, key rotation.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"

struct fixture {
    char dir[64];
    struct gh_secret master;
    struct gh_store *store;
    struct gh_keyring *ring;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    (void)snprintf(f->dir, sizeof(f->dir), "/tmp/gh-token-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gh_store_master_key_load(f->dir, &f->master), GH_OK);
    assert_int_equal(gh_store_open(f->dir, &f->master, &f->store), GH_OK);
    assert_int_equal(gh_keyring_load(f->store, &f->master, &f->ring), GH_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    gh_keyring_unref(f->ring);
    gh_store_close(f->store);
    gh_secret_wipe(&f->master);
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void
sample(struct gh_session *s)
{
    static struct gh_session_tag tags[] = {{GH_SLICE_INIT("team"), GH_SLICE_INIT("blue")},
                                           {GH_SLICE_INIT("cost"), GH_SLICE_INIT("")}};
    static struct gh_slice arns[] = {GH_SLICE_INIT("arn:aws:iam::aws:policy/ReadOnlyAccess")};
    static struct gh_slice trans[] = {GH_SLICE_INIT("team")};

    memset(s, 0, sizeof(*s));
    s->type = GH_PRINCIPAL_ASSUMED_ROLE;
    memcpy(s->access_key_id, "ASIAABCDEFGHIJKLMNOP", 21);
    assert_int_equal(gh_secret_set(&s->secret, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 40), GH_OK);
    memcpy(s->account, "123456789012", 13);
    s->name = GH_S("ec2-s3-read-role");
    s->path = GH_S("/");
    s->entity_id = GH_S("AROAEXAMPLEEXAMPLEEX");
    s->session_name = GH_S("i-0123");
    s->source_identity = GH_S("alice");
    s->issued = 1700000000;
    s->expires = 1700003600;
    s->mfa = true;
    s->mfa_time = 1699999999;
    s->policy = GH_S("{\"Version\":\"2012-10-17\"}");
    s->policy_arns = arns;
    s->npolicy_arns = 1;
    s->tags = tags;
    s->ntags = 2;
    s->transitive = trans;
    s->ntransitive = 1;
}

static void
test_round_trip(void **state)
{
    struct fixture *f = *state;
    struct gh_session in, out;
    struct gh_buf tok;
    struct gh_arena a;

    sample(&in);
    gh_buf_init(&tok, 0);
    gh_arena_init(&a);
    assert_int_equal(gh_session_seal(f->ring, &in, &tok), GH_OK);
    /* The secret never appears in the token in the clear. */
    assert_null(memmem(tok.ptr, tok.len, "wJalrXUtnFEMI", 13));
    assert_int_equal(gh_session_open(f->ring, gh_buf_slice(&tok), &a, &out), GH_OK);
    assert_int_equal(out.type, in.type);
    assert_string_equal(out.access_key_id, in.access_key_id);
    assert_true(gh_secret_eq(&out.secret, &in.secret));
    assert_string_equal(out.account, "123456789012");
    assert_true(gh_slice_eq(out.name, in.name));
    assert_true(gh_slice_eq(out.session_name, in.session_name));
    assert_true(gh_slice_eq(out.source_identity, in.source_identity));
    assert_true(out.issued == in.issued && out.expires == in.expires);
    assert_true(out.mfa && !out.chained && out.mfa_time == in.mfa_time);
    assert_true(gh_slice_eq(out.policy, in.policy));
    assert_int_equal(out.npolicy_arns, 1);
    assert_true(gh_slice_eq(out.policy_arns[0], in.policy_arns[0]));
    assert_int_equal(out.ntags, 2);
    assert_true(gh_slice_eq(out.tags[1].key, GH_S("cost")));
    assert_true(gh_slice_eq(out.tags[1].value, GH_S("")));
    assert_int_equal(out.ntransitive, 1);
    gh_secret_wipe(&out.secret);
    gh_secret_wipe(&in.secret);
    gh_arena_cleanup(&a);
    gh_buf_cleanup(&tok);
}

static void
test_tamper(void **state)
{
    struct fixture *f = *state;
    struct gh_session in, out;
    struct gh_buf tok, raw, b64;
    struct gh_arena a;

    sample(&in);
    gh_buf_init(&tok, 0);
    gh_buf_init(&raw, 0);
    gh_arena_init(&a);
    assert_int_equal(gh_session_seal(f->ring, &in, &tok), GH_OK);
    assert_int_equal(gh_base64_decode(gh_buf_slice(&tok), false, &raw), GH_OK);
    /* Flip each bit of each byte in turn: no altered token opens. */
    for (size_t i = 0; i < raw.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            raw.ptr[i] = (char)(raw.ptr[i] ^ (1 << bit));
            gh_buf_init(&b64, 0);
            assert_int_equal(gh_base64_encode(&b64, (const uint8_t *)raw.ptr, raw.len), GH_OK);
            assert_int_equal(gh_session_open(f->ring, gh_buf_slice(&b64), &a, &out),
                             GH_ERR_INVALID_TOKEN_ID);
            gh_buf_cleanup(&b64);
            raw.ptr[i] = (char)(raw.ptr[i] ^ (1 << bit));
        }
    }
    /* Truncations and garbage. */
    for (size_t n = 0; n < tok.len; n += 7)
        assert_int_equal(gh_session_open(f->ring, gh_slice_sub(gh_buf_slice(&tok), 0, n), &a, &out),
                         GH_ERR_INVALID_TOKEN_ID);
    assert_int_equal(gh_session_open(f->ring, GH_S("not base64!"), &a, &out),
                     GH_ERR_INVALID_TOKEN_ID);
    gh_secret_wipe(&in.secret);
    gh_arena_cleanup(&a);
    gh_buf_cleanup(&raw);
    gh_buf_cleanup(&tok);
}

static void
test_other_installation(void **state)
{
    struct fixture *f = *state, *g;
    struct gh_session in, out;
    struct gh_buf tok;
    struct gh_arena a;

    assert_int_equal(setup((void **)&g), 0);
    sample(&in);
    gh_buf_init(&tok, 0);
    gh_arena_init(&a);
    assert_int_equal(gh_session_seal(g->ring, &in, &tok), GH_OK);
    assert_int_equal(gh_session_open(f->ring, gh_buf_slice(&tok), &a, &out),
                     GH_ERR_INVALID_TOKEN_ID);
    gh_secret_wipe(&in.secret);
    gh_arena_cleanup(&a);
    gh_buf_cleanup(&tok);
    assert_int_equal(teardown((void **)&g), 0);
}

static void
test_rotation(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *next = NULL, *again = NULL;
    struct gh_session in, out;
    struct gh_buf old_tok, new_tok;
    struct gh_arena a;
    uint32_t id1, id2;
    const struct gh_secret *k;

    sample(&in);
    gh_buf_init(&old_tok, 0);
    gh_buf_init(&new_tok, 0);
    gh_arena_init(&a);
    assert_int_equal(gh_session_seal(f->ring, &in, &old_tok), GH_OK);
    assert_int_equal(gh_keyring_current(f->ring, &id1, &k), GH_OK);
    assert_int_equal(gh_keyring_rotate(f->store, &f->master, &next), GH_OK);
    assert_int_equal(gh_keyring_current(next, &id2, &k), GH_OK);
    assert_true(id2 > id1);
    assert_int_equal(gh_keyring_count(next), 2);
    /* Old tokens still open with the rotated ring; new ones use the new key. */
    assert_int_equal(gh_session_open(next, gh_buf_slice(&old_tok), &a, &out), GH_OK);
    gh_secret_wipe(&out.secret);
    assert_int_equal(gh_session_seal(next, &in, &new_tok), GH_OK);
    assert_int_equal(gh_session_open(f->ring, gh_buf_slice(&new_tok), &a, &out),
                     GH_ERR_INVALID_TOKEN_ID);
    /* A fresh load sees the rotated ring. */
    assert_int_equal(gh_keyring_load(f->store, &f->master, &again), GH_OK);
    assert_int_equal(gh_session_open(again, gh_buf_slice(&new_tok), &a, &out), GH_OK);
    gh_secret_wipe(&out.secret);
    gh_keyring_unref(again);
    gh_keyring_unref(next);
    gh_secret_wipe(&in.secret);
    gh_arena_cleanup(&a);
    gh_buf_cleanup(&old_tok);
    gh_buf_cleanup(&new_tok);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_installation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
