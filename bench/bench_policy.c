/*
 * bench_policy.c: policy decisions per second on one core, in process:
 * hot (policy compiled once, context prepared, decide only) and cold
 * (parse + validate + compile + decide per call), median of 3 runs, with
 * the ratio to the peers' published figures (iam-simulate ~95 us with the
 * policy pre-parsed, cedar ~142 us pre-parsed). Not a timed test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "policy/policy.h"

#define PEER_IAM_SIMULATE_US 95.0
#define PEER_CEDAR_US 142.0

/* Five statements with wildcards, one with a condition. */
static const char doc[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"ReadHome\",\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s3:List*\"],"
    "\"Resource\":\"arn:aws:s3:::bucket/home/${aws:username}/*\"},"
    "{\"Sid\":\"Iam\",\"Effect\":\"Allow\",\"Action\":\"iam:*AccessKey*\",\"Resource\":\"arn:aws:"
    "iam::*:user/${aws:username}\"},"
    "{\"Sid\":\"Ec2\",\"Effect\":\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"},"
    "{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":\"s3:Delete*\",\"Resource\":\"arn:aws:s3:"
    "::bucket/*\"},"
    "{\"Sid\":\"Put\",\"Effect\":\"Allow\",\"Action\":\"s3:Put*\",\"Resource\":\"arn:aws:s3:::"
    "bucket/*\","
    "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}]}";

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
ctx_fill(struct gh_policy_ctx *c, struct gh_arena *a)
{
    const struct gh_policy_principal who = {
        .type = GH_PRINCIPAL_USER,
        .arn = GH_S("arn:aws:iam::111122223333:user/bob"),
        .account = GH_S("111122223333"),
    };

    gh_policy_ctx_init(c, a);
    gh_policy_ctx_set_principal(c, &who);
    if (gh_policy_ctx_set_action(c, GH_S("s3:PutObject")) != GH_OK ||
        gh_policy_ctx_set_resource(c, GH_S("arn:aws:s3:::bucket/home/bob/file.txt")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:username"), GH_PT_STRING, GH_S("bob")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:SourceIp"), GH_PT_IP, GH_S("10.1.2.3")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:CurrentTime"), GH_PT_DATE, GH_S("2024-05-01T12:00:00Z")) !=
            GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:SecureTransport"), GH_PT_BOOL, GH_S("true")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:PrincipalAccount"), GH_PT_STRING, GH_S("111122223333")) !=
            GH_OK)
        return -1;
    return 0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One run: us per decision. */
static double
run(const struct gh_policy_ctx *c, const struct gh_policy *p, bool cold, long n)
{
    struct gh_policy_src src = {.policy = p,
                                .id = GH_S("arn:aws:iam::111122223333:policy/bench"),
                                .origin = GH_ORIGIN_MANAGED};
    struct gh_policy_set set = {.identity = &src, .identity_count = 1};
    struct gh_policy_result r;
    long allowed = 0;
    double t0 = now_s();

    for (long i = 0; i < n; i++) {
        if (cold) {
            struct gh_policy *q = NULL;
            struct gh_diag d;
            if (gh_policy_compile(GH_S(doc), GH_POLICY_IDENTITY, &d, &q) != GH_OK)
                return -1;
            src.policy = q;
            if (gh_policy_decide(&set, c, &r) != GH_OK)
                return -1;
            gh_policy_unref(q);
        } else if (gh_policy_decide(&set, c, &r) != GH_OK) {
            return -1;
        }
        allowed += r.decision == GH_ALLOW;
    }
    if (allowed != n)
        return -1; /* the benchmark request must be allowed */
    return (now_s() - t0) * 1e6 / (double)n;
}

static int
report(const char *name, const struct gh_policy_ctx *c, const struct gh_policy *p, bool cold,
       long n)
{
    double us[3];

    for (int i = 0; i < 3; i++)
        if ((us[i] = run(c, p, cold, n)) < 0)
            return -1;
    qsort(us, 3, sizeof(us[0]), cmp_double);
    printf("policy %-5s decision: %10.0f decisions/s  %8.3f us  (x%.0f vs iam-simulate %.0f us, "
           "x%.0f vs cedar %.0f us; target %s)\n",
           name, 1e6 / us[1], us[1], PEER_IAM_SIMULATE_US / us[1], PEER_IAM_SIMULATE_US,
           PEER_CEDAR_US / us[1], PEER_CEDAR_US, cold ? "<= 20 us" : "<= 2 us");
    return 0;
}

int
main(void)
{
    struct gh_arena a;
    struct gh_policy_ctx c;
    struct gh_policy *p = NULL;
    struct gh_diag d;
    int rc = 1;

    gh_arena_init(&a);
    if (gh_policy_compile(GH_S(doc), GH_POLICY_IDENTITY, &d, &p) != GH_OK) {
        fprintf(stderr, "bench_policy: %s\n", d.text);
        goto done;
    }
    if (ctx_fill(&c, &a) != 0)
        goto done;
    if (report("hot", &c, p, false, 2000000) != 0 || report("cold", &c, p, true, 50000) != 0) {
        fprintf(stderr, "bench_policy: the benchmark request was not allowed\n");
        goto done;
    }
    rc = 0;
done:
    gh_policy_unref(p);
    gh_arena_cleanup(&a);
    return rc;
}
