/*
 * test_policy_eval.c: the evaluation case tables, written from AWS's IAM
 * documentation of each condition operator and each evaluation rule:
 * tests/data/policy/conditions.txt (one condition block, one request,
 * allowed or not) and tests/data/policy/eval.txt (named policies, then
 * requests over sets of them with the expected decision, reason, hits and
 * missing keys). Also the context API and the AccessDenied wording.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"

#define MAX_POL 128
#define MAX_SET 8

static char *
slurp(const char *rel)
{
    const char *dir = getenv("GH_SOURCE_DIR");
    char path[1024];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : ".", rel);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Cuts *s at the next `sep` (NUL-terminating the field); NULL when *s is exhausted. */
static char *
field(char **s, char sep)
{
    char *f = *s, *e;

    if (f == NULL)
        return NULL;
    e = strchr(f, sep);
    if (e != NULL) {
        *e = '\0';
        *s = e + 1;
    } else {
        *s = NULL;
    }
    return f;
}

static enum gh_policy_type
type_of(const char *t)
{
    static const char *const names[] = {"string", "number", "date", "bool", "binary", "ip", "arn"};
    for (size_t i = 0; i < GH_ARRAY_LEN(names); i++)
        if (strcmp(t, names[i]) == 0)
            return (enum gh_policy_type)i;
    fail_msg("unknown type %s", t);
    return GH_PT_STRING;
}

/* "NAME~TYPE~VALUE" adds a value; "NAME~TYPE" declares an empty set. */
static void
ctx_key(struct gh_policy_ctx *c, char *spec, int line)
{
    char *t = strchr(spec, '~'), *v;

    if (t == NULL)
        fail_msg("line %d: bad key %s", line, spec);
    *t++ = '\0';
    v = strchr(t, '~');
    if (v == NULL) {
        assert_int_equal(gh_policy_ctx_add_empty(c, gh_slice_from_cstr(spec), type_of(t)), GH_OK);
        return;
    }
    *v++ = '\0';
    if (gh_policy_ctx_add(c, gh_slice_from_cstr(spec), type_of(t), gh_slice_from_cstr(v)) != GH_OK)
        fail_msg("line %d: bad value %s for %s", line, v, spec);
}

static struct gh_slice
arn_account(struct gh_slice arn)
{
    struct gh_slice s = arn, part = GH_SLICE_NULL;
    for (int i = 0; i < 5; i++)
        if (!gh_slice_split(&s, ':', &part))
            return GH_SLICE_NULL;
    return part;
}

/* "user,ARN", "assumed,SESSION-ARN,ROLE-ARN", "root,ACCT", "service,NAME", "web,PROVIDER" ... */
static void
set_principal(struct gh_policy_ctx *c, char *spec)
{
    struct gh_policy_principal p = {0};
    char *a = strchr(spec, ','), *b = NULL;

    if (a != NULL) {
        *a++ = '\0';
        b = strchr(a, ',');
        if (b != NULL)
            *b++ = '\0';
    }
    if (strcmp(spec, "anon") == 0) {
        p.type = GH_PRINCIPAL_ANONYMOUS;
    } else if (strcmp(spec, "service") == 0) {
        p.type = GH_PRINCIPAL_SERVICE;
        p.service = gh_slice_from_cstr(a);
    } else if (strcmp(spec, "web") == 0 || strcmp(spec, "saml") == 0) {
        p.type = spec[0] == 'w' ? GH_PRINCIPAL_WEB_IDENTITY : GH_PRINCIPAL_SAML;
        p.provider = gh_slice_from_cstr(a);
    } else if (strcmp(spec, "root") == 0) {
        p.type = GH_PRINCIPAL_ROOT;
        p.account = gh_slice_from_cstr(a);
        p.arn = gh_slice_from_cstr(b != NULL ? b : "");
    } else {
        if (strcmp(spec, "user") == 0)
            p.type = GH_PRINCIPAL_USER;
        else if (strcmp(spec, "assumed") == 0)
            p.type = GH_PRINCIPAL_ASSUMED_ROLE;
        else if (strcmp(spec, "role") == 0)
            p.type = GH_PRINCIPAL_ROLE;
        else if (strcmp(spec, "feduser") == 0)
            p.type = GH_PRINCIPAL_FEDERATED_USER;
        else
            fail_msg("unknown principal type %s", spec);
        p.arn = gh_slice_from_cstr(a);
        p.account = arn_account(p.arn);
        if (b != NULL)
            p.role_arn = gh_slice_from_cstr(b);
    }
    gh_policy_ctx_set_principal(c, &p);
}

static void
default_ctx(struct gh_policy_ctx *c)
{
    static char who[64];

    memcpy(who, "user,arn:aws:iam::111122223333:user/bob", 40);
    assert_int_equal(gh_policy_ctx_set_action(c, GH_S("s3:GetObject")), GH_OK);
    assert_int_equal(gh_policy_ctx_set_resource(c, GH_S("arn:aws:s3:::bucket/key")), GH_OK);
    set_principal(c, who);
}

/* conditions.txt: EXPECT(A|D) TAB condition-JSON [TAB key-spec]... */
static void
test_conditions(void **state)
{
    char *text = slurp("tests/data/policy/conditions.txt");
    char *rest = text, *ln;
    int line = 0, ncases = 0;

    (void)state;
    while ((ln = field(&rest, '\n')) != NULL) {
        char *fields[16], *fs = ln, *f;
        size_t nf = 0;
        struct gh_arena a;
        struct gh_policy_ctx c;
        struct gh_policy *p = NULL;
        struct gh_diag d;
        struct gh_policy_result r;
        struct gh_policy_src src = {0};
        char doc[4096];

        line++;
        if (ln[0] == '#' || ln[0] == '\0')
            continue;
        while (nf < 16 && (f = field(&fs, '\t')) != NULL)
            fields[nf++] = f;
        assert_true(nf >= 2);
        snprintf(doc, sizeof(doc),
                 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:"
                 "GetObject\","
                 "\"Resource\":\"*\",\"Condition\":%s}]}",
                 fields[1]);
        if (gh_policy_compile(gh_slice_from_cstr(doc), GH_POLICY_IDENTITY, &d, &p) != GH_OK)
            fail_msg("conditions line %d: %s: %s", line, fields[1], d.text);
        gh_arena_init(&a);
        gh_policy_ctx_init(&c, &a);
        default_ctx(&c);
        for (size_t i = 2; i < nf; i++)
            ctx_key(&c, fields[i], line);
        src.policy = p;
        src.id = GH_S("cond");
        assert_int_equal(gh_policy_eval(&src, GH_ROLE_IDENTITY, &c, &r), GH_OK);
        if ((r.decision == GH_ALLOW) != (fields[0][0] == 'A'))
            fail_msg("conditions line %d: %s: got %s", line, fields[1],
                     gh_policy_decision_str(r.decision));
        gh_arena_cleanup(&a);
        gh_policy_unref(p);
        ncases++;
    }
    free(text);
    assert_true(ncases >= 150);
    printf("conditions.txt: %d cases\n", ncases);
}

struct named {
    char name[64];
    struct gh_policy *p;
};

static struct gh_policy *
find_pol(struct named *pols, size_t n, const char *name, int line)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(pols[i].name, name) == 0)
            return pols[i].p;
    fail_msg("eval line %d: unknown policy %s", line, name);
    return NULL;
}

static size_t
pol_list(struct named *pols, size_t np, char *list, struct gh_policy_src *out, int line)
{
    size_t n = 0;
    char *rest = list, *nm;

    while (n < MAX_SET && (nm = field(&rest, ',')) != NULL) {
        out[n].policy = find_pol(pols, np, nm, line);
        out[n].id = gh_slice_from_cstr(nm);
        out[n].origin = strncmp(nm, "arn:", 4) == 0 ? GH_ORIGIN_MANAGED : GH_ORIGIN_INLINE;
        n++;
    }
    return n;
}

static const char *const reasons[] = {
    [GH_REASON_NO_IDENTITY_ALLOW] = "no-identity",
    [GH_REASON_ALLOWED] = "allowed",
    [GH_REASON_DENY_SCP] = "deny-scp",
    [GH_REASON_NO_SCP_ALLOW] = "no-scp",
    [GH_REASON_DENY_RESOURCE] = "deny-resource",
    [GH_REASON_NO_RESOURCE_ALLOW] = "no-resource",
    [GH_REASON_DENY_IDENTITY] = "deny-identity",
    [GH_REASON_DENY_BOUNDARY] = "deny-boundary",
    [GH_REASON_NO_BOUNDARY_ALLOW] = "no-boundary",
    [GH_REASON_DENY_SESSION] = "deny-session",
    [GH_REASON_NO_SESSION_ALLOW] = "no-session",
};

static void
run_case(struct named *pols, size_t np, char *ln, int line)
{
    struct gh_policy_src id[MAX_SET], rp[1], pb[1], sp[MAX_SET], scp[MAX_SET];
    struct gh_policy_set set = {0};
    struct gh_arena a;
    struct gh_policy_ctx c;
    struct gh_policy_result r;
    char *rest = ln, *f, *expect = NULL, *reason = NULL, *hitsid = NULL, *miss = NULL,
         *nohit = NULL;
    long nhits = -1;

    gh_arena_init(&a);
    gh_policy_ctx_init(&c, &a);
    default_ctx(&c);
    while ((f = field(&rest, '\t')) != NULL) {
        char *eq = strchr(f, '=');
        if (eq == NULL)
            continue; /* the "case" word and free text */
        *eq++ = '\0';
        if (strcmp(f, "expect") == 0)
            expect = eq;
        else if (strcmp(f, "reason") == 0)
            reason = eq;
        else if (strcmp(f, "id") == 0)
            set.identity_count = pol_list(pols, np, eq, id, line), set.identity = id;
        else if (strcmp(f, "rp") == 0)
            (void)pol_list(pols, np, eq, rp, line), set.resource = rp;
        else if (strcmp(f, "cross") == 0)
            set.cross_account = eq[0] == '1';
        else if (strcmp(f, "pb") == 0)
            (void)pol_list(pols, np, eq, pb, line), set.boundary = pb;
        else if (strcmp(f, "sp") == 0)
            set.session_count = pol_list(pols, np, eq, sp, line), set.session = sp;
        else if (strcmp(f, "scp") == 0)
            set.scp_count = pol_list(pols, np, eq, scp, line), set.scp = scp;
        else if (strcmp(f, "act") == 0)
            assert_int_equal(gh_policy_ctx_set_action(&c, gh_slice_from_cstr(eq)), GH_OK);
        else if (strcmp(f, "res") == 0)
            assert_int_equal(gh_policy_ctx_set_resource(&c, gh_slice_from_cstr(eq)), GH_OK);
        else if (strcmp(f, "who") == 0)
            set_principal(&c, eq);
        else if (strcmp(f, "k") == 0)
            ctx_key(&c, eq, line);
        else if (strcmp(f, "bounded") == 0)
            gh_policy_ctx_set_bounded(&c, eq[0] == '1');
        else if (strcmp(f, "hits") == 0)
            nhits = strtol(eq, NULL, 10);
        else if (strcmp(f, "sid") == 0)
            hitsid = eq;
        else if (strcmp(f, "miss") == 0)
            miss = eq;
        else if (strcmp(f, "nomiss") == 0)
            nohit = eq;
        else
            fail_msg("eval line %d: unknown field %s", line, f);
    }
    assert_non_null(expect);
    assert_int_equal(gh_policy_decide(&set, &c, &r), GH_OK);
    {
        const char *got = r.decision == GH_ALLOW           ? "allow"
                          : r.decision == GH_DENY_EXPLICIT ? "deny"
                                                           : "implicit";
        if (strcmp(got, expect) != 0)
            fail_msg("eval line %d: got %s (%s) want %s", line, got, reasons[r.reason], expect);
    }
    if (reason != NULL && strcmp(reasons[r.reason], reason) != 0)
        fail_msg("eval line %d: reason %s want %s", line, reasons[r.reason], reason);
    if (nhits >= 0 && (long)r.hit_count != nhits)
        fail_msg("eval line %d: %zu hits want %ld", line, r.hit_count, nhits);
    if (hitsid != NULL && (r.hit_count == 0 || !gh_slice_eq_cstr(r.hits[0].sid, hitsid)))
        fail_msg("eval line %d: first hit sid want %s", line, hitsid);
    if (miss != NULL) {
        bool found = false;
        for (size_t i = 0; i < r.missing_count; i++)
            found = found || gh_slice_case_eq(r.missing[i], gh_slice_from_cstr(miss));
        if (!found)
            fail_msg("eval line %d: missing key %s not reported", line, miss);
    }
    if (nohit != NULL && r.missing_count != 0)
        fail_msg("eval line %d: unexpected missing keys", line);
    gh_arena_cleanup(&a);
}

/*
 * eval.txt: "policy NAME KIND" then the JSON on following lines up to a
 * line "end"; "case<TAB>field=value..." lines decide one request.
 */
static void
test_eval_table(void **state)
{
    char *text = slurp("tests/data/policy/eval.txt");
    struct named pols[MAX_POL];
    size_t np = 0;
    int line = 0, ncases = 0;
    char *cur = text;

    (void)state;
    while (cur != NULL && *cur != '\0') {
        char *nl = strchr(cur, '\n');
        char *ln = cur;

        if (nl != NULL)
            *nl = '\0';
        cur = nl != NULL ? nl + 1 : NULL;
        line++;
        if (strncmp(ln, "policy ", 7) == 0) {
            char *spec = ln + 7, *name = field(&spec, ' '), *kind = spec;
            char json[8192] = "";
            size_t jl = 0;
            struct gh_diag d;
            enum gh_policy_kind k;

            assert_non_null(kind);
            assert_true(strlen(name) < sizeof(pols[0].name));
            k = strcmp(kind, "identity") == 0   ? GH_POLICY_IDENTITY
                : strcmp(kind, "resource") == 0 ? GH_POLICY_RESOURCE
                : strcmp(kind, "trust") == 0    ? GH_POLICY_TRUST
                : strcmp(kind, "boundary") == 0 ? GH_POLICY_BOUNDARY
                : strcmp(kind, "session") == 0  ? GH_POLICY_SESSION
                                                : GH_POLICY_SCP;
            while (cur != NULL && *cur != '\0') {
                char *l2 = cur, *n2 = strchr(cur, '\n');
                if (n2 != NULL)
                    *n2 = '\0';
                cur = n2 != NULL ? n2 + 1 : NULL;
                line++;
                if (strcmp(l2, "end") == 0)
                    break;
                jl += (size_t)snprintf(json + jl, sizeof(json) - jl, "%s\n", l2);
                assert_true(jl < sizeof(json));
            }
            assert_true(np < MAX_POL);
            memcpy(pols[np].name, name, strlen(name) + 1);
            if (gh_policy_compile((struct gh_slice){json, jl}, k, &d, &pols[np].p) != GH_OK)
                fail_msg("eval line %d: policy %s: %s", line, name, d.text);
            np++;
        } else if (strncmp(ln, "case", 4) == 0) {
            run_case(pols, np, ln, line);
            ncases++;
        }
    }
    for (size_t i = 0; i < np; i++)
        gh_policy_unref(pols[i].p);
    free(text);
    printf("eval.txt: %d cases\n", ncases);
    assert_true(ncases >= 100);
}

static void
test_context(void **state)
{
    struct gh_arena a;
    struct gh_policy_ctx c;

    (void)state;
    gh_arena_init(&a);
    gh_policy_ctx_init(&c, &a);
    assert_int_equal(gh_policy_ctx_set_action(&c, GH_S("CreateUser")), GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_policy_ctx_set_action(&c, GH_S("iam:")), GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_policy_ctx_set_action(&c, GH_S("IAM:CreateUser")), GH_OK);
    assert_int_equal(gh_policy_ctx_add(&c, GH_S("aws:SourceIp"), GH_PT_IP, GH_S("10.0.0.300")),
                     GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_policy_ctx_add(&c, GH_S("n"), GH_PT_NUMBER, GH_S("12x")),
                     GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_policy_ctx_add(&c, GH_S("d"), GH_PT_DATE, GH_S("yesterday")),
                     GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_policy_ctx_add(&c, GH_S("b"), GH_PT_BOOL, GH_S("yes")),
                     GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_policy_ctx_add(&c, GH_S("x"), GH_PT_BINARY, GH_S("!!")),
                     GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_policy_ctx_count(&c, GH_S("aws:SourceIp")), -1);
    for (int i = 0; i < 100; i++)
        assert_int_equal(gh_policy_ctx_add(&c, GH_S("aws:TagKeys"), GH_PT_STRING, GH_S("k")),
                         GH_OK);
    assert_int_equal(gh_policy_ctx_count(&c, GH_S("AWS:tagkeys")), 100);
    assert_int_equal(gh_policy_ctx_add_empty(&c, GH_S("aws:RequestTag/x"), GH_PT_STRING), GH_OK);
    assert_int_equal(gh_policy_ctx_count(&c, GH_S("aws:requesttag/X")), 0);
    gh_arena_cleanup(&a);
}

static void
test_reason_text(void **state)
{
    static const struct {
        enum gh_policy_reason r;
        enum gh_policy_origin o;
        const char *want;
    } cases[] = {
        {GH_REASON_NO_IDENTITY_ALLOW, GH_ORIGIN_MANAGED,
         "because no identity-based policy allows the iam:CreateUser action"},
        {GH_REASON_NO_BOUNDARY_ALLOW, GH_ORIGIN_MANAGED,
         "because no permissions boundary allows the iam:CreateUser action"},
        {GH_REASON_NO_SESSION_ALLOW, GH_ORIGIN_MANAGED,
         "because no session policy allows the iam:CreateUser action"},
        {GH_REASON_NO_RESOURCE_ALLOW, GH_ORIGIN_MANAGED,
         "because no resource-based policy allows the iam:CreateUser action"},
        {GH_REASON_DENY_IDENTITY, GH_ORIGIN_MANAGED,
         "with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/p"},
        {GH_REASON_DENY_IDENTITY, GH_ORIGIN_INLINE,
         "with an explicit deny in an identity-based policy"},
        {GH_REASON_DENY_BOUNDARY, GH_ORIGIN_MANAGED,
         "with an explicit deny in a permissions boundary"},
        {GH_REASON_DENY_RESOURCE, GH_ORIGIN_OTHER,
         "with an explicit deny in a resource-based policy"},
        {GH_REASON_DENY_SESSION, GH_ORIGIN_OTHER, "with an explicit deny in a session policy"},
        {GH_REASON_ALLOWED, GH_ORIGIN_OTHER, ""},
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_policy_result r = {0};
        struct gh_buf b;

        r.reason = cases[i].r;
        r.hit_count = 1;
        r.hits[0].origin = cases[i].o;
        r.hits[0].source_id = cases[i].o == GH_ORIGIN_MANAGED
                                  ? GH_S("arn:aws:iam::111122223333:policy/p")
                                  : GH_S("user/bob/p");
        gh_buf_init(&b, 0);
        gh_buf_puts(&b, "");
        gh_policy_reason_write(&r, GH_S("iam:CreateUser"), &b);
        assert_int_equal(gh_buf_status(&b), GH_OK);
        assert_true(gh_slice_eq_cstr(gh_buf_slice(&b), cases[i].want));
        gh_buf_cleanup(&b);
    }
    assert_string_equal(gh_policy_decision_str(GH_DENY_IMPLICIT), "implicitDeny");
    assert_string_equal(gh_policy_decision_str(GH_ALLOW), "allowed");
    assert_string_equal(gh_policy_decision_str(GH_DENY_EXPLICIT), "explicitDeny");
}

static void
test_fail_closed(void **state)
{
    struct gh_arena a;
    struct gh_policy_ctx c;
    struct gh_policy_set set = {0};
    struct gh_policy_result r;

    (void)state;
    gh_arena_init(&a);
    gh_policy_ctx_init(&c, &a);
    /* no action set: an error, and the result reads as a deny */
    assert_int_equal(gh_policy_decide(&set, &c, &r), GH_ERR_INVALID_INPUT);
    assert_int_equal(r.decision, GH_DENY_IMPLICIT);
    /* nothing offered: implicit deny */
    default_ctx(&c);
    assert_int_equal(gh_policy_decide(&set, &c, &r), GH_OK);
    assert_int_equal(r.decision, GH_DENY_IMPLICIT);
    assert_int_equal(r.reason, GH_REASON_NO_IDENTITY_ALLOW);
    gh_arena_cleanup(&a);
}

/*
 * AWS IAM "NotPrincipal": a Deny with NotPrincipal always denies a principal
 * with a permissions boundary; a resource policy evaluated on its own
 * (gh_policy_eval) learns of the boundary from the context.
 */
static void
test_notprincipal_bounded(void **state)
{
    static const struct {
        const char *who; /* set_principal spec */
        bool bounded;
        enum gh_decision want;
    } cases[] = {
        {"user,arn:aws:iam::111122223333:user/bob", false, GH_ALLOW},
        {"user,arn:aws:iam::111122223333:user/bob", true, GH_DENY_EXPLICIT},
        {"user,arn:aws:iam::111122223333:user/alice", false, GH_DENY_EXPLICIT},
        {"user,arn:aws:iam::111122223333:user/alice", true, GH_DENY_EXPLICIT},
        {"root,111122223333,arn:aws:iam::111122223333:root", false, GH_DENY_IMPLICIT},
    };
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{"
        "\"AWS\":\"arn:aws:iam::111122223333:user/bob\"},\"Action\":\"s3:*\",\"Resource\":\"*\"},"
        "{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":[\"arn:aws:iam::111122223333:user/bob\","
        "\"arn:aws:iam::111122223333:root\"]},\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
    struct gh_policy *p = NULL;
    struct gh_diag d;
    struct gh_policy_src src = {0};

    (void)state;
    assert_int_equal(gh_policy_compile(gh_slice_from_cstr(doc), GH_POLICY_RESOURCE, &d, &p), GH_OK);
    src.policy = p;
    src.id = GH_S("bucket policy");
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_arena a;
        struct gh_policy_ctx c;
        struct gh_policy_result r;
        char who[128];

        snprintf(who, sizeof(who), "%s", cases[i].who);
        gh_arena_init(&a);
        gh_policy_ctx_init(&c, &a);
        default_ctx(&c);
        set_principal(&c, who);
        gh_policy_ctx_set_bounded(&c, cases[i].bounded);
        assert_int_equal(gh_policy_eval(&src, GH_ROLE_RESOURCE, &c, &r), GH_OK);
        if (r.decision != cases[i].want)
            fail_msg("case %zu: got %s", i, gh_policy_decision_str(r.decision));
        gh_arena_cleanup(&a);
    }
    gh_policy_unref(p);
}

/* One user or role caller with unique id `id` (role_arn for a role session). */
static enum gh_decision
bound_decision(const struct gh_policy *pol, const struct gh_policy_bind *b, size_t nb,
               enum gh_principal_type type, const char *arn, const char *role_arn, const char *id)
{
    struct gh_arena a;
    struct gh_policy_ctx c;
    struct gh_policy_principal p = {0};
    struct gh_policy_src src = {
        .policy = pol, .id = GH_S("bucket policy"), .bind = b, .bind_count = nb};
    struct gh_policy_result r;

    gh_arena_init(&a);
    gh_policy_ctx_init(&c, &a);
    p.type = type;
    p.arn = gh_slice_from_cstr(arn);
    p.account = GH_S("111122223333");
    p.role_arn = gh_slice_from_cstr(role_arn);
    p.id = gh_slice_from_cstr(id);
    gh_policy_ctx_set_principal(&c, &p);
    assert_int_equal(gh_policy_ctx_set_action(&c, GH_S("s3:GetObject")), GH_OK);
    assert_int_equal(gh_policy_ctx_set_resource(&c, GH_S("arn:aws:s3:::b/k")), GH_OK);
    assert_int_equal(gh_policy_eval(&src, GH_ROLE_RESOURCE, &c, &r), GH_OK);
    gh_arena_cleanup(&a);
    return r.decision;
}

/*
 * AWS IAM "Principal" element: a user or role ARN in a saved policy names
 * the entity by unique id: a re-created namesake is not matched, a renamed
 * entity still is, and a role's binding covers its sessions. Unbound ARNs
 * (documents saved before bindings, other accounts) match by name.
 */
static void
test_bound_principals(void **state)
{
    static const char allow[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        "[\"arn:aws:iam::111122223333:user/bob\",\"arn:aws:iam::111122223333:role/r\"]},"
        "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
    static const char deny[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
        "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"NotPrincipal\":{"
        "\"AWS\":[\"111122223333\",\"arn:aws:iam::111122223333:user/bob\","
        "\"arn:aws:iam::111122223333:role/r\",\"arn:aws:sts::111122223333:assumed-role/r/s\"]},"
        "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
    static const struct gh_policy_bind b[] = {
        {GH_SLICE_INIT("arn:aws:iam::111122223333:user/bob"), GH_SLICE_INIT("AIDAOLDBOB")},
        {GH_SLICE_INIT("arn:aws:iam::111122223333:role/r"), GH_SLICE_INIT("AROAOLDR")},
    };
    const char *bob = "arn:aws:iam::111122223333:user/bob";
    const char *sess = "arn:aws:sts::111122223333:assumed-role/r/s";
    const char *role = "arn:aws:iam::111122223333:role/r";
    struct gh_policy *pa = NULL, *pd = NULL;
    struct gh_diag d;

    (void)state;
    assert_int_equal(gh_policy_compile(gh_slice_from_cstr(allow), GH_POLICY_RESOURCE, &d, &pa),
                     GH_OK);
    assert_int_equal(gh_policy_compile(gh_slice_from_cstr(deny), GH_POLICY_RESOURCE, &d, &pd),
                     GH_OK);
    /* Principal */
    assert_int_equal(bound_decision(pa, b, 2, GH_PRINCIPAL_USER, bob, "", "AIDAOLDBOB"), GH_ALLOW);
    assert_int_equal(bound_decision(pa, b, 2, GH_PRINCIPAL_USER, bob, "", "AIDANEWBOB"),
                     GH_DENY_IMPLICIT);
    assert_int_equal(bound_decision(pa, b, 2, GH_PRINCIPAL_USER, bob, "", ""), GH_DENY_IMPLICIT);
    assert_int_equal(bound_decision(pa, b, 2, GH_PRINCIPAL_USER,
                                    "arn:aws:iam::111122223333:user/renamed", "", "AIDAOLDBOB"),
                     GH_ALLOW);
    assert_int_equal(bound_decision(pa, b, 2, GH_PRINCIPAL_ASSUMED_ROLE, sess, role, "AROAOLDR"),
                     GH_ALLOW);
    assert_int_equal(bound_decision(pa, b, 2, GH_PRINCIPAL_ASSUMED_ROLE, sess, role, "AROANEWR"),
                     GH_DENY_IMPLICIT);
    /* a role's id is not a user's */
    assert_int_equal(bound_decision(pa, b, 2, GH_PRINCIPAL_USER, bob, "", "AROAOLDR"),
                     GH_DENY_IMPLICIT);
    /* unbound: by name */
    assert_int_equal(bound_decision(pa, NULL, 0, GH_PRINCIPAL_USER, bob, "", "AIDANEWBOB"),
                     GH_ALLOW);
    assert_int_equal(bound_decision(pa, b + 1, 1, GH_PRINCIPAL_USER, bob, "", "AIDANEWBOB"),
                     GH_ALLOW);
    /* NotPrincipal: only the bound entities are excepted from the Deny */
    assert_int_equal(bound_decision(pd, b, 2, GH_PRINCIPAL_USER, bob, "", "AIDAOLDBOB"), GH_ALLOW);
    assert_int_equal(bound_decision(pd, b, 2, GH_PRINCIPAL_USER, bob, "", "AIDANEWBOB"),
                     GH_DENY_EXPLICIT);
    assert_int_equal(bound_decision(pd, b, 2, GH_PRINCIPAL_ASSUMED_ROLE, sess, role, "AROAOLDR"),
                     GH_ALLOW);
    assert_int_equal(bound_decision(pd, b, 2, GH_PRINCIPAL_ASSUMED_ROLE, sess, role, "AROANEWR"),
                     GH_DENY_EXPLICIT);
    assert_int_equal(bound_decision(pd, NULL, 0, GH_PRINCIPAL_USER, bob, "", "AIDANEWBOB"),
                     GH_ALLOW);
    gh_policy_unref(pa);
    gh_policy_unref(pd);
}

/* The stored form of bindings, the ARNs a policy binds, and the rewrite for display. */
static void
test_bind_codec(void **state)
{
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":["
        "\"arn:aws:iam::111122223333:user/a/bob\",\"arn:aws:iam::111122223333:root\","
        "\"arn:aws:sts::111122223333:assumed-role/r/s\",\"AIDAGONEGONEGONEGONEX\","
        "\"arn:aws:iam::111122223333:role/r\",\"arn:aws:iam::111122223333:user/a/bob\"]},"
        "\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{"
        "\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/r\"}}}}";
    static const struct gh_policy_bind map[] = {
        {GH_SLICE_INIT("arn:aws:iam::111122223333:role/r"), GH_SLICE_INIT("AROAGONE")},
    };
    struct gh_arena a;
    struct gh_policy *p = NULL;
    struct gh_diag d;
    struct gh_slice *arns, text, out;
    struct gh_policy_bind *b;
    size_t n;

    (void)state;
    gh_arena_init(&a);
    assert_int_equal(gh_policy_compile(gh_slice_from_cstr(doc), GH_POLICY_RESOURCE, &d, &p), GH_OK);
    assert_int_equal(gh_policy_principal_arns(p, &a, &arns, &n), GH_OK);
    assert_int_equal(n, 2); /* once each; no root, session or id */
    assert_true(gh_slice_eq_cstr(arns[0], "arn:aws:iam::111122223333:user/a/bob"));
    assert_true(gh_slice_eq_cstr(arns[1], "arn:aws:iam::111122223333:role/r"));

    assert_int_equal(gh_policy_bind_encode(map, 1, &a, &text), GH_OK);
    assert_true(gh_slice_eq_cstr(text, "{\"arn:aws:iam::111122223333:role/r\":\"AROAGONE\"}"));
    assert_int_equal(gh_policy_bind_parse(text, &a, &b, &n), GH_OK);
    assert_int_equal(n, 1);
    assert_true(gh_slice_eq(b[0].arn, map[0].arn) && gh_slice_eq(b[0].id, map[0].id));
    assert_int_equal(gh_policy_bind_encode(map, 0, &a, &text), GH_OK);
    assert_int_equal(text.len, 0);
    assert_int_equal(gh_policy_bind_parse(GH_S(""), &a, &b, &n), GH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(gh_policy_bind_parse(GH_S("{}"), &a, &b, &n), GH_OK); /* bound, none */
    assert_int_equal(n, 0);
    /* anything else is refused (its policy then trusts nobody) */
    assert_int_equal(gh_policy_bind_parse(GH_S("{"), &a, &b, &n), GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_policy_bind_parse(GH_S("[]"), &a, &b, &n), GH_ERR_INVALID_INPUT);
    assert_int_equal(
        gh_policy_bind_parse(GH_S("{\"arn:aws:iam::111122223333:user/x\":\"\"}"), &a, &b, &n),
        GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_policy_bind_parse(GH_S("{\"bob\":\"AIDAX\"}"), &a, &b, &n),
                     GH_ERR_INVALID_INPUT);

    /* Principal values are rewritten; the Condition's equal string is not. */
    assert_int_equal(gh_policy_principals_rewrite(gh_slice_from_cstr(doc), map, 1, &a, &out),
                     GH_OK);
    assert_true(gh_slice_eq_cstr(
        out,
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{"
        "\"AWS\":[\"arn:aws:iam::111122223333:user/a/bob\",\"arn:aws:iam::111122223333:root\","
        "\"arn:aws:sts::111122223333:assumed-role/r/s\",\"AIDAGONEGONEGONEGONEX\",\"AROAGONE\","
        "\"arn:aws:iam::111122223333:user/a/bob\"]},\"Action\":\"s3:GetObject\",\"Resource\":"
        "\"*\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalArn\":"
        "\"arn:aws:iam::111122223333:role/r\"}}}}"));
    assert_int_equal(gh_policy_principals_rewrite(GH_S("nope"), map, 1, &a, &out),
                     GH_ERR_INVALID_INPUT);

    assert_true(gh_policy_arn_is_user_or_role(GH_S("arn:aws:iam::111122223333:user/x")));
    assert_false(gh_policy_arn_is_user_or_role(GH_S("arn:aws:iam::111122223333:user/")));
    assert_false(gh_policy_arn_is_user_or_role(GH_S("arn:aws:iam::11112222333x:user/x")));
    assert_false(gh_policy_arn_is_user_or_role(GH_S("arn:aws:iam::111122223333:group/x")));
    gh_policy_unref(p);
    gh_arena_cleanup(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conditions),  cmocka_unit_test(test_eval_table),
        cmocka_unit_test(test_context),     cmocka_unit_test(test_reason_text),
        cmocka_unit_test(test_fail_closed), cmocka_unit_test(test_notprincipal_bounded),
        cmocka_unit_test(test_bound_principals), cmocka_unit_test(test_bind_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
