/*
 * validate.c: AWS's checks on a policy document, in AWS's order, with
 * AWS's MalformedPolicyDocument messages: grammar ("Syntax errors in
 * policy."), legacy parsing, unique Sids, required Action and Resource,
 * ARN and action formats, and what each kind of policy may hold.
 */
#include <string.h>
#include <strings.h>

#include "policy/policy_int.h"

#define SYNTAX "Syntax errors in policy."
#define LEGACY "The policy failed legacy parsing"

static enum gh_err
fail(struct gh_diag *d, const char *msg)
{
    gh_diag_set(d, "%s", msg);
    return GH_ERR_MALFORMED_POLICY;
}

static struct gh_slice
jslice(const json_t *s)
{
    return (struct gh_slice){json_string_value(s), json_string_length(s)};
}

static bool
is_identity_kind(enum gh_policy_kind k)
{
    return k == GH_POLICY_IDENTITY || k == GH_POLICY_BOUNDARY || k == GH_POLICY_SESSION ||
           k == GH_POLICY_SCP || k == GH_POLICY_MANAGED;
}

json_t *
gh_policy_statements(json_t *root)
{
    json_t *st = json_object_get(root, "Statement");
    json_t *arr;

    if (json_is_array(st))
        return json_incref(st);
    arr = json_array();
    if (arr != NULL && json_array_append(arr, st) != 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static bool
in_list(const char *k, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(k, list[i]) == 0)
            return true;
    return false;
}

/* String, or array of strings (possibly empty). */
static bool
str_or_list(const json_t *v)
{
    size_t i;
    json_t *e;

    if (v == NULL || json_is_string(v))
        return true;
    if (!json_is_array(v))
        return false;
    json_array_foreach(v, i, e) if (!json_is_string(e)) return false;
    return true;
}

static bool
cond_value_ok(const json_t *v)
{
    return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

static bool
principal_syntax(const json_t *p)
{
    const char *k;
    json_t *v;

    if (json_is_string(p))
        return strcmp(json_string_value(p), "*") == 0;
    if (!json_is_object(p) || json_object_size(p) == 0)
        return false;
    json_object_foreach((json_t *)p, k,
                        v) if (!str_or_list(v) ||
                               (json_is_array(v) && json_array_size(v) == 0)) return false;
    return true;
}

static enum gh_err
syntax(json_t *root, struct gh_diag *d)
{
    static const char *const top[] = {"Version", "Id", "Statement", NULL};
    static const char *const fields[] = {"Sid",       "Effect",      "Action",    "NotAction",
                                         "Resource",  "NotResource", "Principal", "NotPrincipal",
                                         "Condition", NULL};
    const char *k;
    json_t *v, *st, *sts, *ver;
    size_t i;
    enum gh_err err = GH_OK;

    if (!json_is_object(root))
        return fail(d, SYNTAX);
    json_object_foreach(root, k, v) if (!in_list(k, top)) return fail(d, SYNTAX);
    ver = json_object_get(root, "Version");
    if (ver != NULL &&
        (!json_is_string(ver) || (strcmp(json_string_value(ver), "2012-10-17") != 0 &&
                                  strcmp(json_string_value(ver), "2008-10-17") != 0)))
        return fail(d, SYNTAX);
    v = json_object_get(root, "Id");
    if (v != NULL && !json_is_string(v))
        return fail(d, SYNTAX);
    st = json_object_get(root, "Statement");
    if (st == NULL || !(json_is_object(st) || (json_is_array(st) && json_array_size(st) > 0)))
        return fail(d, SYNTAX);
    if ((sts = gh_policy_statements(root)) == NULL)
        return GH_ERR_NOMEM;
    json_array_foreach(sts, i, st)
    {
        const char *ck;
        json_t *cv, *eff;

        if (!json_is_object(st)) {
            err = fail(d, SYNTAX);
            goto done;
        }
        json_object_foreach(st, k, v) if (!in_list(k, fields))
        {
            err = fail(d, SYNTAX);
            goto done;
        }
        if ((json_object_get(st, "Action") && json_object_get(st, "NotAction")) ||
            (json_object_get(st, "Resource") && json_object_get(st, "NotResource")) ||
            (json_object_get(st, "Principal") && json_object_get(st, "NotPrincipal"))) {
            err = fail(d, SYNTAX);
            goto done;
        }
        eff = json_object_get(st, "Effect");
        if (!json_is_string(eff) || (strcasecmp(json_string_value(eff), "Allow") != 0 &&
                                     strcasecmp(json_string_value(eff), "Deny") != 0)) {
            err = fail(d, SYNTAX);
            goto done;
        }
        if (!str_or_list(json_object_get(st, "Action")) ||
            !str_or_list(json_object_get(st, "NotAction")) ||
            !str_or_list(json_object_get(st, "Resource")) ||
            !str_or_list(json_object_get(st, "NotResource"))) {
            err = fail(d, SYNTAX);
            goto done;
        }
        v = json_object_get(st, "Sid");
        if (v != NULL && !json_is_string(v)) {
            err = fail(d, SYNTAX);
            goto done;
        }
        if (((v = json_object_get(st, "Principal")) != NULL && !principal_syntax(v)) ||
            ((v = json_object_get(st, "NotPrincipal")) != NULL && !principal_syntax(v))) {
            err = fail(d, SYNTAX);
            goto done;
        }
        cv = json_object_get(st, "Condition");
        if (cv == NULL)
            continue;
        if (!json_is_object(cv)) {
            err = fail(d, SYNTAX);
            goto done;
        }
        json_object_foreach(cv, ck, v)
        {
            struct gh_cond c;
            const char *kk;
            json_t *kv;

            if (!json_is_object(v)) {
                err = fail(d, SYNTAX);
                goto done;
            }
            json_object_foreach(v, kk, kv)
            {
                size_t j;
                json_t *e;

                if (json_is_array(kv)) {
                    json_array_foreach(kv, j, e) if (!cond_value_ok(e))
                    {
                        err = fail(d, SYNTAX);
                        goto done;
                    }
                } else if (!cond_value_ok(kv)) {
                    err = fail(d, SYNTAX);
                    goto done;
                }
            }
            /* An unknown operator is an error unless its block is empty. */
            if (!gh_cond_op_parse(gh_slice_from_cstr(ck), &c) && json_object_size(v) > 0) {
                err = fail(d, SYNTAX);
                goto done;
            }
        }
    }
done:
    json_decref(sts);
    return err;
}

/* Calls fn on each string of a string-or-list element; stops at its first error. */
#define EACH_STR(v, s, body)                                                                       \
    do {                                                                                           \
        size_t i_;                                                                                 \
        json_t *e_;                                                                                \
        if (json_is_string(v)) {                                                                   \
            struct gh_slice s = jslice(v);                                                         \
            body;                                                                                  \
        } else if (json_is_array(v)) {                                                             \
            json_array_foreach(v, i_, e_)                                                          \
            {                                                                                      \
                struct gh_slice s = jslice(e_);                                                    \
                body;                                                                              \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static size_t
count_char(struct gh_slice s, char c)
{
    size_t n = 0;

    for (size_t i = 0; i < s.len; i++)
        n += s.ptr[i] == c;
    return n;
}

static bool
has_double_colon(struct gh_slice s)
{
    for (size_t i = 0; i + 1 < s.len; i++)
        if (s.ptr[i] == ':' && s.ptr[i + 1] == ':')
            return true;
    return false;
}

/* The `i`th ':'-separated field of `s` (0-based); empty when there are fewer. */
static struct gh_slice
colon_field(struct gh_slice s, size_t i)
{
    struct gh_slice f = GH_SLICE_NULL;

    for (size_t k = 0; k <= i; k++) {
        if (!gh_slice_split(&s, ':', &f))
            return GH_SLICE_NULL;
    }
    return f;
}

/*
 * AWS IAM legacy parsing of a resource (moto's AWS-verified cases): an ARN
 * with fewer than five colons may not hold "::" ("arn:aws:s3::b"), and its
 * service field may not be empty ("arn:aws::us-east-1:1:x").
 */
static bool
resource_legacy_ok(struct gh_slice r)
{
    if (gh_slice_eq_cstr(r, "*"))
        return true;
    if (count_char(r, ':') < 5 && has_double_colon(r))
        return false;
    return count_char(r, ':') < 2 || colon_field(r, 2).len > 0;
}

/*
 * AWS S3: resources that live in a Region carry it in their ARN: access
 * points ("Using access points": arn:aws:s3:REGION:ACCOUNT:accesspoint/
 * NAME[/object/KEY]), and in the service authorization reference
 * ("Actions, resources, and condition keys for Amazon S3") batch
 * operations jobs, Storage Lens configurations and groups, and Access
 * Grants instances. Buckets and objects (arn:aws:s3:::BUCKET/KEY) do not.
 */
static bool
s3_regional(struct gh_slice res)
{
    static const char *const types[] = {"accesspoint/",        "job/",           "storage-lens/",
                                        "storage-lens-group/", "access-grants/", NULL};

    for (size_t i = 0; types[i] != NULL; i++)
        if (gh_slice_starts_with(res, gh_slice_from_cstr(types[i])))
            return true;
    return false;
}

/*
 * AWS IAM: the resource formats CreatePolicy refuses, with its words (and
 * moto's AWS-verified messages). The text before the first colon is not
 * read for the message: "a:b:c" is reported as partition "b" of
 * "arn:b:c:*:*:*"; fields that are present stay as they are, even empty,
 * and only missing ones read "*".
 */
static bool
resource_format(struct gh_slice r, struct gh_diag *d)
{
    static const char *const iam_paths[] = {"user/",
                                            "federated-user/",
                                            "role/",
                                            "group/",
                                            "instance-profile/",
                                            "mfa/",
                                            "server-certificate/",
                                            "policy/",
                                            "sms-mfa/",
                                            "saml-provider/",
                                            "oidc-provider/",
                                            "report/",
                                            "access-report/",
                                            NULL};
    struct gh_slice rest, head, partition, part[4] = {{0}};
    size_t n = 0;
    bool more;

    if (gh_slice_eq_cstr(r, "*"))
        return true;
    rest = r;
    if (!gh_slice_split(&rest, ':', &head) || gh_slice_index(r, ':') < 0) {
        gh_diag_set(d, "Resource %.*s must be in ARN format or \"*\".", GH_SP(r));
        return false;
    }
    more = gh_slice_index(rest, ':') >= 0;
    (void)gh_slice_split(&rest, ':', &partition);
    /* The fields after the partition: service, region, account, then the rest. */
    if (more) {
        while (n < 3 && gh_slice_index(rest, ':') >= 0)
            (void)gh_slice_split(&rest, ':', &part[n++]);
        part[n++] = rest;
    }
    if (!gh_slice_eq_cstr(partition, "aws") && !gh_slice_eq_cstr(partition, "aws-cn") &&
        !gh_slice_eq_cstr(partition, "aws-us-gov")) {
        const char *star = "*";
#define PART(i) (int)((i) < n ? part[i].len : 1), ((i) < n ? part[i].ptr : star)
        /* A lone empty service field reads "*" too (AWS: "arn:x:" gives "arn:x:*:*:*:*"). */
        bool svc = n > 1 || (n == 1 && part[0].len > 0);
        gh_diag_set(
            d, "Partition \"%.*s\" is not valid for resource \"arn:%.*s:%.*s:%.*s:%.*s:%.*s\".",
            GH_SP(partition), GH_SP(partition), (int)(svc ? part[0].len : 1),
            svc ? part[0].ptr : star, PART(1), PART(2), PART(3));
#undef PART
        return false;
    }
    if (!gh_slice_eq_cstr(head, "arn")) {
        /* A valid partition behind something else than "arn": AWS's answer is
         * not documented; refuse it as not an ARN (fail closed). */
        gh_diag_set(d, "Resource %.*s must be in ARN format or \"*\".", GH_SP(r));
        return false;
    }
    if (n == 0 || gh_slice_index(part[0], '*') >= 0 || gh_slice_index(part[0], '?') >= 0) {
        gh_diag_set(d, "Resource vendor must be fully qualified and cannot contain regexes.");
        return false;
    }
    /* AWS IAM: IAM and S3 resources carry no region (an ARN ending at its
     * service counts as one that does); S3's regional resources excepted. */
    if (n == 1 || part[1].len > 0) {
        if (gh_slice_eq_cstr(part[0], "iam")) {
            gh_diag_set(d, "IAM resource %.*s cannot contain region information.", GH_SP(r));
            return false;
        }
        if (gh_slice_eq_cstr(part[0], "s3") && !(n == 4 && s3_regional(part[3]))) {
            gh_diag_set(d, "Resource %.*s can not contain region information.", GH_SP(r));
            return false;
        }
    }
    if (n == 4 && gh_slice_eq_cstr(part[0], "iam") && !gh_slice_eq_cstr(part[3], "*")) {
        bool ok = false;
        for (size_t i = 0; iam_paths[i] != NULL && !ok; i++)
            ok = gh_slice_starts_with(part[3], gh_slice_from_cstr(iam_paths[i]));
        if (!ok) {
            gh_diag_set(d, "IAM resource path must either be \"*\" or start with user/, "
                           "federated-user/, role/, group/, instance-profile/, mfa/, "
                           "server-certificate/, policy/, sms-mfa/, saml-provider/, "
                           "oidc-provider/, report/, access-report/.");
            return false;
        }
    }
    return true;
}

static bool
action_format(struct gh_slice a, struct gh_diag *d)
{
    long c = gh_slice_index(a, ':');
    struct gh_slice vendor;

    if (gh_slice_eq_cstr(a, "*"))
        return true;
    if (c < 0) {
        gh_diag_set(d,
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
        return false;
    }
    if (gh_slice_index(gh_slice_sub(a, (size_t)c + 1, a.len), ':') >= 0) {
        gh_diag_set(d, "Actions/Condition can contain only one colon.");
        return false;
    }
    vendor = gh_slice_sub(a, 0, (size_t)c);
    if (gh_slice_eq_cstr(vendor, "*"))
        return true;
    for (size_t i = 0; i < vendor.len; i++) {
        char ch = vendor.ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.')) {
            gh_diag_set(d, "Vendor %.*s is not valid", GH_SP(vendor));
            return false;
        }
    }
    return true;
}

static bool
all_digits(struct gh_slice s, size_t n)
{
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
    return true;
}

/* AWS principal: "*", an account id, or an IAM/STS principal ARN; no partial wildcards. */
static bool
aws_principal_ok(struct gh_slice v)
{
    struct gh_slice acct, res;

    if (gh_slice_eq_cstr(v, "*") || all_digits(v, 12))
        return true;
    if (gh_slice_index(v, '*') >= 0 || gh_slice_index(v, '?') >= 0)
        return false;
    if (v.len == 21 &&
        (gh_slice_starts_with(v, GH_S("AIDA")) || gh_slice_starts_with(v, GH_S("AROA"))))
        return true; /* unique ids, as AWS shows for deleted principals */
    if (gh_slice_starts_with(v, GH_S("arn:aws:iam::")))
        res = gh_slice_sub(v, 13, v.len);
    else if (gh_slice_starts_with(v, GH_S("arn:aws:sts::")))
        res = gh_slice_sub(v, 13, v.len);
    else
        return false;
    acct = gh_slice_sub(res, 0, 12);
    if (!all_digits(acct, 12) || res.len < 14 || res.ptr[12] != ':')
        return false;
    res = gh_slice_sub(res, 13, res.len);
    if (v.ptr[8] == 'i')
        return gh_slice_eq_cstr(res, "root") ||
               (gh_slice_starts_with(res, GH_S("user/")) && res.len > 5) ||
               (gh_slice_starts_with(res, GH_S("role/")) && res.len > 5);
    return (gh_slice_starts_with(res, GH_S("assumed-role/")) && res.len > 13) ||
           (gh_slice_starts_with(res, GH_S("federated-user/")) && res.len > 15);
}

static bool
principal_values(const json_t *p, struct gh_diag *d)
{
    const char *k;
    json_t *v;

    if (json_is_string(p))
        return true;
    json_object_foreach((json_t *)p, k, v)
    {
        bool known = strcmp(k, "AWS") == 0 || strcmp(k, "Service") == 0 ||
                     strcmp(k, "Federated") == 0 || strcmp(k, "CanonicalUser") == 0;
        EACH_STR(v, s, {
            bool ok = known && s.len > 0;
            if (ok && strcmp(k, "AWS") == 0)
                ok = aws_principal_ok(s);
            else if (ok)
                ok = (gh_slice_index(s, '*') < 0 || gh_slice_eq_cstr(s, "*")) &&
                     gh_slice_index(s, ' ') < 0;
            if (!ok) {
                gh_diag_set(d, "Invalid principal in policy: \"%s\":\"%.*s\"", k, GH_SP(s));
                return false;
            }
        });
    }
    return true;
}

static bool
sid_alnum(struct gh_slice s)
{
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
            return false;
    }
    return true;
}

static bool
trust_action(struct gh_slice a)
{
    /* AWS IAM: a trust policy grants only STS actions (sts:AssumeRole,
     * sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity,
     * sts:TagSession, sts:SetSourceIdentity, sts:SetContext). */
    return gh_slice_eq_cstr(a, "*") ||
           (a.len > 4 && gh_slice_case_eq(gh_slice_sub(a, 0, 4), GH_S("sts:")));
}

enum gh_err
gh_policy_validate(json_t *root, enum gh_policy_kind kind, struct gh_diag *d)
{
    enum gh_err err;
    json_t *sts = NULL, *st, *v;
    size_t i, j;
    struct gh_diag res_err;
    bool have_res_err = false;

    if ((err = syntax(root, d)) != GH_OK)
        return err;
    /*
     * AWS IAM CreatePolicy / CreatePolicyVersion: MalformedPolicyDocument
     * "Policy document must be version 2012-10-17 or greater." for a
     * managed policy without Version or with 2008-10-17, checked after the
     * grammar and before legacy parsing and Sid uniqueness (moto's
     * AWS-verified validation order). Inline policies accept both.
     */
    if (kind == GH_POLICY_MANAGED) {
        json_t *ver = json_object_get(root, "Version");
        if (!json_is_string(ver) || strcmp(json_string_value(ver), "2012-10-17") != 0)
            return fail(d, "Policy document must be version 2012-10-17 or greater.");
    }
    if ((sts = gh_policy_statements(root)) == NULL)
        return GH_ERR_NOMEM;
    err = GH_ERR_MALFORMED_POLICY;
    gh_diag_clear(&res_err);

    /* What each kind may hold. */
    json_array_foreach(sts, i, st)
    {
        bool has_p = json_object_get(st, "Principal") || json_object_get(st, "NotPrincipal");
        if (is_identity_kind(kind) && has_p) {
            fail(d, "Policy document should not specify a principal.");
            goto done;
        }
        if (kind == GH_POLICY_TRUST && json_object_get(st, "Resource")) {
            fail(d, "Has prohibited field Resource");
            goto done;
        }
        if (kind == GH_POLICY_TRUST && json_object_get(st, "NotResource")) {
            fail(d, "Has prohibited field NotResource");
            goto done;
        }
        if ((kind == GH_POLICY_TRUST || kind == GH_POLICY_RESOURCE) && !has_p) {
            fail(d, "Missing required field Principal");
            goto done;
        }
    }

    /* Legacy parsing: exact Effect case, dates, short ARNs with "::". */
    json_array_foreach(sts, i, st)
    {
        const char *ck;
        json_t *cv = json_object_get(st, "Condition");
        const char *eff = json_string_value(json_object_get(st, "Effect"));
        const char *rk[] = {"Resource", "NotResource"};

        if (strcmp(eff, "Allow") != 0 && strcmp(eff, "Deny") != 0) {
            fail(d, LEGACY);
            goto done;
        }
        for (size_t r = 0; r < 2; r++) {
            v = json_object_get(st, rk[r]);
            EACH_STR(v, s, {
                if (!have_res_err && !resource_format(s, &res_err))
                    have_res_err = true;
            });
            if (!have_res_err) {
                EACH_STR(v, s, {
                    if (!resource_legacy_ok(s)) {
                        fail(d, LEGACY);
                        goto done;
                    }
                });
            }
        }
        if (cv == NULL)
            continue;
        json_object_foreach(cv, ck, v)
        {
            struct gh_cond c;
            const char *kk;
            json_t *kv;

            if (!gh_cond_op_parse(gh_slice_from_cstr(ck), &c) || c.op < GH_OP_DATE_EQ ||
                c.op > GH_OP_DATE_GE)
                continue;
            json_object_foreach(v, kk, kv)
            {
                size_t n = json_is_array(kv) ? json_array_size(kv) : 1;

                for (j = 0; j < n; j++) {
                    json_t *e = json_is_array(kv) ? json_array_get(kv, j) : kv;
                    int64_t t;

                    if (json_is_string(e) && !gh_parse_date(jslice(e), &t)) {
                        fail(d, LEGACY);
                        goto done;
                    }
                }
            }
        }
    }

    /* AWS IAM: "Statement IDs (SID) in a single policy must be unique." */
    json_array_foreach(sts, i, st)
    {
        const char *sid = json_string_value(json_object_get(st, "Sid"));
        json_t *o;

        if (sid == NULL || sid[0] == '\0')
            continue;
        for (j = 0; j < i; j++) {
            o = json_array_get(sts, j);
            const char *osid = json_string_value(json_object_get(o, "Sid"));
            if (osid != NULL && strcmp(osid, sid) == 0) {
                fail(d, "Statement IDs (SID) in a single policy must be unique.");
                goto done;
            }
        }
    }
    json_array_foreach(sts, i, st)
    {
        json_t *a = json_object_get(st, "Action");
        if (a == NULL)
            a = json_object_get(st, "NotAction");
        if (a == NULL || (json_is_array(a) && json_array_size(a) == 0)) {
            fail(d, "Policy statement must contain actions.");
            goto done;
        }
    }
    if (kind != GH_POLICY_TRUST) {
        json_array_foreach(sts, i, st)
        {
            json_t *r = json_object_get(st, "Resource");
            if (r == NULL)
                r = json_object_get(st, "NotResource");
            if (r == NULL || (json_is_array(r) && json_array_size(r) == 0)) {
                fail(d, "Policy statement must contain resources.");
                goto done;
            }
        }
    }
    if (have_res_err) {
        fail(d, res_err.text);
        goto done;
    }
    json_array_foreach(sts, i, st)
    {
        const char *ak[] = {"Action", "NotAction"};
        for (size_t r = 0; r < 2; r++) {
            v = json_object_get(st, ak[r]);
            EACH_STR(v, s, {
                if (!action_format(s, d))
                    goto done;
                if (kind == GH_POLICY_TRUST && !trust_action(s)) {
                    fail(d, "AssumeRole policy may only specify STS AssumeRole actions.");
                    goto done;
                }
            });
        }
    }
    /* AWS IAM accepts condition keys without a vendor prefix ({"StringEquals":
     * {"a": "b"}}, moto's AWS-verified valid documents): only actions need one. */
    json_array_foreach(sts, i, st)
    {
        if (((v = json_object_get(st, "Principal")) != NULL && !principal_values(v, d)) ||
            ((v = json_object_get(st, "NotPrincipal")) != NULL && !principal_values(v, d)))
            goto done;
        /* AWS IAM: in IAM identity policies "Statement IDs (SID) must be
         * alpha-numeric"; resource-based policies allow more. */
        if (is_identity_kind(kind) && (v = json_object_get(st, "Sid")) != NULL &&
            !sid_alnum(jslice(v))) {
            fail(d,
                 "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
                 "regular expression [0-9A-Za-z]*");
            goto done;
        }
    }
    err = GH_OK;
done:
    json_decref(sts);
    return err;
}
