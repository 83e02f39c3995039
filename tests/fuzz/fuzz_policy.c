/*
 * fuzz_policy.c: libFuzzer harness for policy parsing and evaluation: the
 * input is compiled as each kind of policy and, when it compiles, decided
 * against a fixed request context with keys of every type.
 */
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
decide(const struct gh_policy *p, enum gh_policy_kind kind)
{
    struct gh_arena a;
    struct gh_policy_ctx c;
    struct gh_policy_result r;
    struct gh_policy_src src = {.policy = p, .id = GH_S("fuzz"), .origin = GH_ORIGIN_INLINE};
    struct gh_policy_set set = {0};
    struct gh_policy_principal who = {
        .type = GH_PRINCIPAL_ASSUMED_ROLE,
        .arn = GH_S("arn:aws:sts::111122223333:assumed-role/app/s1"),
        .account = GH_S("111122223333"),
        .role_arn = GH_S("arn:aws:iam::111122223333:role/app"),
    };
    struct gh_buf b;

    gh_arena_init(&a);
    gh_policy_ctx_init(&c, &a);
    if (gh_policy_ctx_set_action(&c, GH_S("s3:GetObject")) != GH_OK ||
        gh_policy_ctx_set_resource(&c, GH_S("arn:aws:s3:::bucket/home/bob/key")) != GH_OK ||
        gh_policy_ctx_add(&c, GH_S("aws:username"), GH_PT_STRING, GH_S("bob")) != GH_OK ||
        gh_policy_ctx_add(&c, GH_S("aws:TagKeys"), GH_PT_STRING, GH_S("a")) != GH_OK ||
        gh_policy_ctx_add(&c, GH_S("aws:TagKeys"), GH_PT_STRING, GH_S("b")) != GH_OK ||
        gh_policy_ctx_add(&c, GH_S("aws:SourceIp"), GH_PT_IP, GH_S("10.1.2.3")) != GH_OK ||
        gh_policy_ctx_add(&c, GH_S("aws:CurrentTime"), GH_PT_DATE, GH_S("2024-05-01T12:00:00Z")) !=
            GH_OK ||
        gh_policy_ctx_add(&c, GH_S("aws:SecureTransport"), GH_PT_BOOL, GH_S("true")) != GH_OK ||
        gh_policy_ctx_add(&c, GH_S("s3:max-keys"), GH_PT_NUMBER, GH_S("10")) != GH_OK ||
        gh_policy_ctx_add(&c, GH_S("aws:SourceArn"), GH_PT_ARN,
                          GH_S("arn:aws:sns:us-east-1:1:t")) != GH_OK ||
        gh_policy_ctx_add(&c, GH_S("ex:bin"), GH_PT_BINARY, GH_S("QUJD")) != GH_OK)
        goto done;
    gh_policy_ctx_set_principal(&c, &who);
    if (kind == GH_POLICY_IDENTITY) {
        set.identity = &src;
        set.identity_count = 1;
    } else {
        set.resource = &src;
    }
    if (gh_policy_decide(&set, &c, &r) == GH_OK) {
        gh_buf_init(&b, 4096);
        gh_policy_reason_write(&r, c.action, &b);
        gh_buf_cleanup(&b);
    }
done:
    gh_arena_cleanup(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum gh_policy_kind kinds[] = {GH_POLICY_IDENTITY, GH_POLICY_RESOURCE,
                                                GH_POLICY_TRUST};
    struct gh_slice in = {(const char *)data, size};

    (void)gh_policy_doc_chars(in);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        struct gh_policy *p = NULL;
        struct gh_diag diag;

        if (gh_policy_compile(in, kinds[i], &diag, &p) == GH_OK) {
            decide(p, kinds[i]);
            gh_policy_unref(p);
        }
    }
    return 0;
}
