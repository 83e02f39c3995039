/*
 * test_policy_match.c: the wildcard matcher checked against a naive
 * recursive matcher kept here (exhaustively over short patterns and
 * subjects on "ab*?", then on 100,000 random cases), plus ARN segment
 * matching and policy variables in patterns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

/* The obviously correct, exponential matcher. */
static bool
naive_match(const char *p, size_t pn, const char *s, size_t sn)
{
    if (pn == 0)
        return sn == 0;
    if (p[0] == '*')
        return naive_match(p + 1, pn - 1, s, sn) || (sn > 0 && naive_match(p, pn, s + 1, sn - 1));
    if (sn == 0)
        return false;
    if (p[0] == '?' || p[0] == s[0])
        return naive_match(p + 1, pn - 1, s + 1, sn - 1);
    return false;
}

static void
fill(char *out, size_t len, const char *alpha, size_t na, uint64_t code)
{
    for (size_t i = 0; i < len; i++) {
        out[i] = alpha[code % na];
        code /= na;
    }
}

static void
test_exhaustive(void **state)
{
    static const char pa[] = "ab*?", sa[] = "ab";
    char p[6], s[6];

    (void)state;
    for (size_t pl = 0; pl <= 5; pl++) {
        uint64_t pc = 1;
        for (size_t i = 0; i < pl; i++)
            pc *= 4;
        for (uint64_t pi = 0; pi < pc; pi++) {
            fill(p, pl, pa, 4, pi);
            for (size_t sl = 0; sl <= 5; sl++) {
                uint64_t scount = 1u << sl;
                for (uint64_t si = 0; si < scount; si++) {
                    fill(s, sl, sa, 2, si);
                    bool want = naive_match(p, pl, s, sl);
                    bool got =
                        gh_policy_wild_match((struct gh_slice){p, pl}, (struct gh_slice){s, sl});
                    if (want != got)
                        fail_msg("pattern '%.*s' subject '%.*s': want %d", (int)pl, p, (int)sl, s,
                                 want);
                }
            }
        }
    }
}

static uint64_t
xorshift(uint64_t *st)
{
    uint64_t x = *st;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *st = x;
}

static void
test_random_100k(void **state)
{
    static const char pa[] = "abc*?:/", sa[] = "abc:/";
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    char p[24], s[32];

    (void)state;
    for (size_t n = 0; n < 100000; n++) {
        size_t pl = xorshift(&seed) % sizeof(p), sl = xorshift(&seed) % sizeof(s);

        for (size_t i = 0; i < pl; i++) {
            uint64_t r = xorshift(&seed) % 10;
            /* weight towards stars so that backtracking gets exercised */
            p[i] = r >= 7 ? '*' : pa[xorshift(&seed) % (sizeof(pa) - 1)];
        }
        for (size_t i = 0; i < sl; i++)
            s[i] = sa[xorshift(&seed) % (sizeof(sa) - 1)];
        /* Half the time build the subject from the pattern, so matches occur. */
        if (n % 2 == 0) {
            sl = 0;
            for (size_t i = 0; i < pl && sl < sizeof(s); i++) {
                if (p[i] == '*') {
                    size_t k = xorshift(&seed) % 3;
                    while (k-- > 0 && sl < sizeof(s))
                        s[sl++] = sa[xorshift(&seed) % (sizeof(sa) - 1)];
                } else {
                    s[sl++] = p[i] == '?' ? 'c' : p[i];
                }
            }
        }
        bool want = naive_match(p, pl, s, sl);
        bool got = gh_policy_wild_match((struct gh_slice){p, pl}, (struct gh_slice){s, sl});
        if (want != got)
            fail_msg("case %zu: pattern '%.*s' subject '%.*s': want %d", n, (int)pl, p, (int)sl, s,
                     want);
    }
}

static void
test_worst_case_bounded(void **state)
{
    char p[4001], s[4000];

    (void)state;
    /* "*a*a*a...b" against "aaaa...": quadratic at most, never exponential. */
    for (size_t i = 0; i < 4000; i += 2) {
        p[i] = '*';
        p[i + 1] = 'a';
    }
    p[4000] = 'b';
    memset(s, 'a', sizeof(s));
    assert_false(
        gh_policy_wild_match((struct gh_slice){p, sizeof(p)}, (struct gh_slice){s, sizeof(s)}));
}

static bool
arn_match(const char *pat, const char *subj, struct gh_policy_ctx *c)
{
    struct gh_arena a;
    struct gh_pat p;
    bool r;

    gh_arena_init(&a);
    assert_int_equal(
        gh_pat_compile(&a, gh_slice_from_cstr(pat), GH_PAT_WILD | GH_PAT_ARN | GH_PAT_VARS, &p),
        GH_OK);
    r = gh_pat_match(&p, gh_slice_from_cstr(subj), false, c);
    gh_arena_cleanup(&a);
    return r;
}

static void
test_arn_segments(void **state)
{
    struct gh_arena a;
    struct gh_policy_ctx c;

    (void)state;
    gh_arena_init(&a);
    gh_policy_ctx_init(&c, &a);
    assert_int_equal(gh_policy_ctx_add(&c, GH_S("aws:username"), GH_PT_STRING, GH_S("bob")), GH_OK);
    assert_int_equal(
        gh_policy_ctx_add(&c, GH_S("aws:PrincipalTag/team"), GH_PT_STRING, GH_S("a:b")), GH_OK);

    assert_true(arn_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", &c));
    assert_false(arn_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucketx/a", &c));
    /* AWS IAM: each ARN component is matched on its own: '*' stays inside it. */
    assert_true(arn_match("arn:aws:iam::*:user/bob", "arn:aws:iam::123456789012:user/bob", &c));
    assert_false(arn_match("arn:aws:iam::*:bob", "arn:aws:iam::123456789012:user/bob", &c));
    /* a pattern with fewer components leaves the rest to its last one */
    assert_true(arn_match("arn:aws:iam::*", "arn:aws:iam::123456789012:user/bob", &c));
    assert_true(arn_match("arn:aws:iam::*:*", "arn:aws:iam::123456789012:user/bob", &c));
    assert_true(
        arn_match("arn:aws:iam:*:123456789012:user/bob", "arn:aws:iam::123456789012:user/bob", &c));
    assert_false(
        arn_match("arn:aws:iam:?:123456789012:user/bob", "arn:aws:iam::123456789012:user/bob", &c));
    assert_true(arn_match("arn:aws:*", "arn:aws:iam::123456789012:user/bob", &c));
    assert_true(arn_match("*", "anything", &c));
    assert_false(arn_match("arn:aws:s3:::b", "arn:aws:s3:::B", &c));
    /* variables: substituted text is literal and may hold ':' */
    assert_true(
        arn_match("arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::123456789012:user/bob", &c));
    assert_false(arn_match("arn:aws:iam::*:user/${aws:username}",
                           "arn:aws:iam::123456789012:user/bobby", &c));
    assert_true(arn_match("arn:aws:s3:::b/${aws:PrincipalTag/team}/*", "arn:aws:s3:::b/a:b/x", &c));
    assert_false(arn_match("arn:aws:s3:::b/${aws:missing}/*", "arn:aws:s3:::b//x", &c));
    assert_true(arn_match("arn:aws:s3:::b/${aws:missing, 'none'}/*", "arn:aws:s3:::b/none/x", &c));
    assert_true(arn_match("arn:aws:s3:::b/${*}${?}${$}", "arn:aws:s3:::b/*?$", &c));
    assert_false(arn_match("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", &c));
    assert_true(arn_match("arn:aws:s3:::b/${aws:username", "arn:aws:s3:::b/${aws:username", &c));
    gh_arena_cleanup(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exhaustive),
        cmocka_unit_test(test_random_100k),
        cmocka_unit_test(test_worst_case_bounded),
        cmocka_unit_test(test_arn_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
