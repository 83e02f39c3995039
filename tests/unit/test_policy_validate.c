/*
 * test_policy_validate.c: policy parsing and validation: AWS's
 * MalformedPolicyDocument messages for each rule, per policy kind, JSON
 * error positions, statement positions and the quota character count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "policy/policy.h"
#include "policy/policy_int.h"

#define ID GH_POLICY_IDENTITY
#define RS GH_POLICY_RESOURCE
#define TR GH_POLICY_TRUST
#define MG GH_POLICY_MANAGED

#define V "\"Version\":\"2012-10-17\","
#define OK_STMT "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}"

static const struct {
    enum gh_policy_kind kind;
    const char *doc;
    const char *msg; /* NULL: valid */
} cases[] = {
    /* valid documents */
    {ID, "{" V "\"Statement\":[" OK_STMT "]}", NULL},
    {ID, "{" V "\"Statement\":" OK_STMT "}", NULL},
    {ID, "{\"Version\":\"2008-10-17\",\"Statement\":[" OK_STMT "]}", NULL},
    {ID, "{\"Statement\":[" OK_STMT "]}", NULL},
    {ID,
     "{" V
     "\"Id\":\"x\",\"Statement\":[{\"Sid\":\"A1\",\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\"],"
     "\"NotResource\":\"arn:aws:iam::123456789012:user/*\"}]}",
     NULL},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
     "\"Condition\":{\"StringEquals\":{\"aws:username\":\"bob\"},\"Bool\":{\"aws:SecureTransport\":"
     "true},"
     "\"NumericLessThan\":{\"s3:max-keys\":10},\"ForAnyValue:StringLike\":{\"aws:TagKeys\":[\"a*\"]"
     "},"
     "\"IpAddressIfExists\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"2001:db8::/32\"]},"
     "\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"},\"Null\":{\"aws:"
     "TokenIssueTime\":\"true\"}}}]}",
     NULL},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"Condition\":{\"StringEqualz\":{}}}]}",
     NULL},
    {TR,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
     "\"Action\":\"sts:AssumeRole\"}]}",
     NULL},
    {TR,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"123456789012\",\"arn:"
     "aws:iam::123456789012:root\","
     "\"arn:aws:iam::123456789012:user/a/b\",\"arn:aws:iam::123456789012:role/"
     "r\",\"arn:aws:sts::123456789012:assumed-role/r/s\"]},"
     "\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}]}",
     NULL},
    {TR,
     "{" V
     "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}]}",
     NULL},
    {TR,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::"
     "123456789012:oidc-provider/token.actions.githubusercontent.com\"},"
     "\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}",
     NULL},
    {RS,
     "{" V "\"Statement\":[{\"Sid\":\"public "
     "read\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:GetObject\","
     "\"Resource\":\"arn:aws:s3:::b/*\"}]}",
     NULL},
    {ID,
     "{" V "\"Statement\":[{\"Sid\":\"\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*"
     "\"},{\"Sid\":\"\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     NULL},
    /* AWS IAM CreatePolicy: a managed policy must be of Version 2012-10-17 (moto's
     * AWS-verified cases), checked after the grammar, before legacy parsing and Sids. */
    {MG, "{" V "\"Statement\":[" OK_STMT "]}", NULL},
    {MG, "{\"Statement\":[" OK_STMT "]}", "Policy document must be version 2012-10-17 or greater."},
    {MG, "{\"Version\":\"2008-10-17\",\"Statement\":" OK_STMT "}",
     "Policy document must be version 2012-10-17 or greater."},
    {MG,
     "{\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*"
     "\"},{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     "Policy document must be version 2012-10-17 or greater."},
    {MG,
     "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"allow\",\"Action\":\"s3:*\","
     "\"Resource\":\"*\"}]}",
     "Policy document must be version 2012-10-17 or greater."},
    {MG, "{\"Statement\":[{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}",
     "Policy document must be version 2012-10-17 or greater."},
    {MG, "{\"Version\":\"2013-10-17\",\"Statement\":[" OK_STMT "]}", "Syntax errors in policy."},
    {MG, "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"X\":1}]}",
     "Syntax errors in policy."},
    {MG, "{\"Statement\":[]}", "Syntax errors in policy."},
    {ID,
     "{\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*"
     "\"},{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     "Statement IDs (SID) in a single policy must be unique."},
    /* not JSON */
    {ID, "", "This policy contains invalid Json"},
    {ID, "{", "This policy contains invalid Json"},
    {ID, "{" V "\"Statement\":[" OK_STMT ",]}", "This policy contains invalid Json"},
    {ID, "{\"Version\":\"2012-10-17\",\"Version\":\"2012-10-17\",\"Statement\":[" OK_STMT "]}",
     "This policy contains invalid Json"},
    /* grammar */
    {ID, "[]", "Syntax errors in policy."},
    {ID, "{" V "\"Statement\":[" OK_STMT "],\"Foo\":1}", "Syntax errors in policy."},
    {ID,
     "{" V
     "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Bogus\":1}]}",
     "Syntax errors in policy."},
    {ID, "{\"Version\":\"2012-10-18\",\"Statement\":[" OK_STMT "]}", "Syntax errors in policy."},
    {ID, "{\"Version\":2012,\"Statement\":[" OK_STMT "]}", "Syntax errors in policy."},
    {ID, "{" V "\"Statement\":[]}", "Syntax errors in policy."},
    {ID, "{\"Version\":\"2012-10-17\"}", "Syntax errors in policy."},
    {ID, "{" V "\"Statement\":[{\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     "Syntax errors in policy."},
    {ID, "{" V "\"Statement\":[{\"Effect\":\"Permit\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     "Syntax errors in policy."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"NotAction\":\"s3:x\","
     "\"Resource\":\"*\"}]}",
     "Syntax errors in policy."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"NotResource\":\"*\"}]}",
     "Syntax errors in policy."},
    {ID, "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[1],\"Resource\":\"*\"}]}",
     "Syntax errors in policy."},
    {ID, "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":null}]}",
     "Syntax errors in policy."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"Condition\":{\"StringEqualz\":{\"aws:x\":\"y\"}}}]}",
     "Syntax errors in policy."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"Condition\":{\"NullIfExists\":{\"aws:x\":\"true\"}}}]}",
     "Syntax errors in policy."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"Condition\":{\"StringEquals\":\"x\"}}]}",
     "Syntax errors in policy."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"Condition\":{\"StringEquals\":{\"aws:x\":[[\"y\"]]}}}]}",
     "Syntax errors in policy."},
    {ID,
     "{" V
     "\"Statement\":[{\"Sid\":5,\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     "Syntax errors in policy."},
    /* kinds */
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
     "\"Resource\":\"*\"}]}",
     "Policy document should not specify a principal."},
    {GH_POLICY_BOUNDARY,
     "{" V "\"Statement\":[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"123456789012\"},"
     "\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     "Policy document should not specify a principal."},
    {TR, "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}]}",
     "Missing required field Principal"},
    {RS, "{" V "\"Statement\":[" OK_STMT "]}", "Missing required field Principal"},
    {TR,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\","
     "\"Resource\":\"*\"}]}",
     "Has prohibited field Resource"},
    {TR,
     "{" V
     "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\"}]}",
     "AssumeRole policy may only specify STS AssumeRole actions."},
    {TR,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"bob\"},\"Action\":\"sts:"
     "AssumeRole\"}]}",
     "Invalid principal in policy: \"AWS\":\"bob\""},
    {TR,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
     "123456789012:role/*\"},\"Action\":\"sts:AssumeRole\"}]}",
     "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/*\""},
    {TR,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Foo\":\"x\"},\"Action\":\"sts:"
     "AssumeRole\"}]}",
     "Invalid principal in policy: \"Foo\":\"x\""},
    /* legacy parsing */
    {ID, "{" V "\"Statement\":[{\"Effect\":\"allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     "The policy failed legacy parsing"},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"tomorrow\"}}}]}",
     "The policy failed legacy parsing"},
    {ID,
     "{" V
     "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3::b\"}]}",
     "The policy failed legacy parsing"},
    /* Sid */
    {ID,
     "{" V "\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*"
     "\"},{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     "Statement IDs (SID) in a single policy must be unique."},
    {ID,
     "{" V "\"Statement\":[{\"Sid\":\"a "
     "b\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
     "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
     "expression [0-9A-Za-z]*"},
    /* required elements */
    {ID, "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}",
     "Policy statement must contain actions."},
    {ID, "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}]}",
     "Policy statement must contain actions."},
    {ID, "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}]}",
     "Policy statement must contain resources."},
    {ID, "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":[]}]}",
     "Policy statement must contain resources."},
    /* formats */
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"bucket\"}]}",
     "Resource bucket must be in ARN format or \"*\"."},
    {ID,
     "{" V
     "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:foo:s3:::b\"}]}",
     "Partition \"foo\" is not valid for resource \"arn:foo:s3:::b\"."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws\"}]}",
     "Resource vendor must be fully qualified and cannot contain regexes."},
    {ID,
     "{" V
     "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s*:::b\"}]}",
     "Resource vendor must be fully qualified and cannot contain regexes."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"arn:aws:iam:"
     "us-east-1:123456789012:user/x\"}]}",
     "IAM resource arn:aws:iam:us-east-1:123456789012:user/x cannot contain region information."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:us-"
     "east-1::b\"}]}",
     "Resource arn:aws:s3:us-east-1::b can not contain region information."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"arn:aws:iam::"
     "123456789012:bogus/x\"}]}",
     "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, "
     "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
     "oidc-provider/, report/, access-report/."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"CreateUser\",\"Resource\":\"*\"}]}",
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
    {ID, "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:a:b\",\"Resource\":\"*\"}]}",
     "Actions/Condition can contain only one colon."},
    {ID, "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"i am:x\",\"Resource\":\"*\"}]}",
     "Vendor i am is not valid"},
    /* AWS IAM: condition keys need no vendor prefix (moto's AWS-verified valid documents). */
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"Condition\":{\"StringEquals\":{\"username\":\"x\"}}}]}",
     NULL},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"Condition\":{\"StringEqualsIfExists\":{\"a\":\"asf\"}}}]}",
     NULL},
    {MG,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
     "\"Condition\":{\"ForAnyValue:StringLike\":{\"k\":[\"a*\"]},\"NumericLessThan\":"
     "{\"n\":\"1\"},\"DateGreaterThan\":{\"d\":\"2019-01-01T00:00:00Z\"}}}]}",
     NULL},
    {RS,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
     "\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"Bool\":{\"secure\":\"true\"}}}]}",
     NULL},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"CreateUser\",\"Resource\":\"*\","
     "\"Condition\":{\"StringEquals\":{\"a\":\"b\"}}}]}",
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
/* AWS S3 "Using access points" and the S3 service authorization reference: regional S3
 * resources carry their Region; buckets and objects do not. */
#define RES(r)                                                                                     \
    "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"" r "\"}]}"
    {ID, RES("arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap/object/*"), NULL},
    {ID, RES("arn:aws:s3:us-west-2:123456789012:accesspoint/test"), NULL},
    {ID, RES("arn:aws:s3:us-west-2:123456789012:accesspoint/*"), NULL},
    {ID, RES("arn:aws:s3:us-west-2:123456789012:job/1234"), NULL},
    {ID, RES("arn:aws:s3:us-west-2:123456789012:storage-lens/cfg"), NULL},
    {MG, RES("arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap/object/*"), NULL},
    {RS,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
     "\"Resource\":\"arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap/object/*\"}]}",
     NULL},
    /* aws/aws-cdk#22445: "Resource arn:aws:s3:us-west-2:123456789:test/athena can not contain
     * region information." */
    {ID, RES("arn:aws:s3:us-west-2:123456789:test/athena"),
     "Resource arn:aws:s3:us-west-2:123456789:test/athena can not contain region information."},
    {ID, RES("arn:aws:s3:us-west-2:123456789012:bucket/accesspoint/x"),
     "Resource arn:aws:s3:us-west-2:123456789012:bucket/accesspoint/x can not contain region "
     "information."},
    {ID, RES("arn:aws:s3"), "Resource arn:aws:s3 can not contain region information."},
/* AWS IAM "Date condition operators": W3C ISO 8601 forms (YYYY-MM) */
#define DATE(op, v)                                                                                \
    "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","           \
    "\"Condition\":{\"" op "\":{\"aws:CurrentTime\":" v "}}}]}"
    {ID, DATE("DateGreaterThan", "\"2019-07\""), NULL},
    {ID, DATE("DateLessThanEquals", "[\"2019-07\",\"2019-07-16\",\"2019-07-16T12:00Z\"]"), NULL},
    {MG, DATE("DateEquals", "\"2019-12\""), NULL},
    {ID, DATE("DateNotEqualsIfExists", "\"2019-07-16T12:00:00.123+02:00\""), NULL},
    {ID, DATE("DateGreaterThan", "\"1563278400\""), NULL},
    {ID, DATE("DateGreaterThan", "\"2019-13\""), "The policy failed legacy parsing"},
    {ID, DATE("DateGreaterThan", "\"2019-7\""), "The policy failed legacy parsing"},
    {ID, DATE("DateGreaterThan", "\"2019-07-\""), "The policy failed legacy parsing"},
    {ID, DATE("DateGreaterThan", "\"2019-07-32\""), "The policy failed legacy parsing"},
    /* Resource formats, in AWS's words (moto's AWS-verified cases) */
    {ID, RES(""), "Resource  must be in ARN format or \"*\"."},
    {ID, RES("sdfsadf"), "Resource sdfsadf must be in ARN format or \"*\"."},
    {ID, RES("a:bsdfdsafsad"),
     "Partition \"bsdfdsafsad\" is not valid for resource \"arn:bsdfdsafsad:*:*:*:*\"."},
    {ID, RES("a:b:cadfsdf"), "Partition \"b\" is not valid for resource \"arn:b:cadfsdf:*:*:*\"."},
    {ID, RES("a:b:c:d:e:f:g:h"),
     "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."},
    {ID, RES("aws:s3:::example_bucket"),
     "Partition \"s3\" is not valid for resource \"arn:s3:::example_bucket:*\"."},
    {ID, RES("s3::example-bucket/*"),
     "Partition \"\" is not valid for resource \"arn::example-bucket/*:*:*:*\"."},
    {ID, RES("arn:error:s3:::example_bucket"),
     "Partition \"error\" is not valid for resource \"arn:error:s3:::example_bucket\"."},
    {ID, RES("arn:foo:"), "Partition \"foo\" is not valid for resource \"arn:foo:*:*:*:*\"."},
    {ID, RES("arn:foo:s3:us-east-1::"),
     "Partition \"foo\" is not valid for resource \"arn:foo:s3:us-east-1::\"."},
    {ID,
     "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":["
     "\"arn:error:s3:::example_bucket\",\"arn:error:s3::example_bucket\"]}]}",
     "Partition \"error\" is not valid for resource \"arn:error:s3:::example_bucket\"."},
    {ID, RES("arn:aws:s3::example_bucket"), "The policy failed legacy parsing"},
    {ID, RES("arn:aws::us-east-1:123456789012:thing"), "The policy failed legacy parsing"},
    {ID, RES("arn:aws:::::x"), "The policy failed legacy parsing"},
    {ID, RES("arn:aws:"), "The policy failed legacy parsing"},
    {ID, RES("arn:aws"), "Resource vendor must be fully qualified and cannot contain regexes."},
    {ID, RES("x:aws:s3:::b"), "Resource x:aws:s3:::b must be in ARN format or \"*\"."},
    {ID, RES("arn:aws-cn:s3:::b"), NULL},
#undef RES
#undef DATE
};

static void
test_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_policy *p = (struct gh_policy *)1;
        struct gh_diag d;
        enum gh_err err =
            gh_policy_compile(gh_slice_from_cstr(cases[i].doc), cases[i].kind, &d, &p);

        if (cases[i].msg == NULL) {
            if (err != GH_OK)
                fail_msg("case %zu: unexpected error '%s' for %s", i, d.text, cases[i].doc);
            assert_non_null(p);
            gh_policy_unref(p);
        } else {
            if (err != GH_ERR_MALFORMED_POLICY)
                fail_msg("case %zu: accepted %s", i, cases[i].doc);
            assert_null(p);
            if (strcmp(d.text, cases[i].msg) != 0)
                fail_msg("case %zu: got '%s' want '%s'", i, d.text, cases[i].msg);
        }
    }
}

static void
test_json_error_position(void **state)
{
    struct gh_policy *p;
    struct gh_diag d;

    (void)state;
    assert_int_equal(
        gh_policy_compile(GH_S("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}"), ID,
                          &d, &p),
        GH_ERR_MALFORMED_POLICY);
    assert_int_equal(d.line, 3);
    assert_true(d.column > 0);
}

static void
test_statement_positions(void **state)
{
    static const char doc[] =
        "{\n"
        "  \"Version\": \"2012-10-17\",\n"
        "  \"Statement\": [\n"
        "    {\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n"
        "    {\n"
        "      \"Sid\": \"B\", \"Effect\": \"Deny\", \"Action\": \"s3:x\", \"Resource\": \"*\"\n"
        "    }\n"
        "  ]\n"
        "}\n";
    struct gh_policy *p;
    struct gh_diag d;

    (void)state;
    assert_int_equal(gh_policy_compile(GH_S(doc), ID, &d, &p), GH_OK);
    assert_int_equal(gh_policy_statement_count(p), 2);
    assert_int_equal(p->stmts[0].start.line, 4);
    assert_int_equal(p->stmts[0].start.column, 5);
    assert_int_equal(p->stmts[0].end.line, 4);
    assert_int_equal(p->stmts[1].start.line, 5);
    assert_int_equal(p->stmts[1].start.column, 5);
    assert_int_equal(p->stmts[1].end.line, 7);
    assert_int_equal(p->stmts[1].end.column, 5);
    assert_true(gh_slice_eq_cstr(p->stmts[1].sid, "B"));
    assert_true(gh_slice_eq_cstr(gh_policy_version(p), "2012-10-17"));
    assert_ptr_equal(gh_policy_ref(p), p);
    gh_policy_unref(p);
    gh_policy_unref(p);
    gh_policy_unref(NULL);
}

static void
test_doc_chars(void **state)
{
    (void)state;
    assert_int_equal(gh_policy_doc_chars(GH_S("{ \"a b\" : [ 1 ,\n\t2 ] }")), 13);
    assert_int_equal(gh_policy_doc_chars(GH_S("\"\\\" x\"")), 6);
    assert_int_equal(gh_policy_doc_chars(GH_S("\"\xc3\xa9\"")), 3);
    assert_int_equal(gh_policy_doc_chars(GH_S("")), 0);
}

static void
test_index(void **state)
{
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":[\"IAM:Get*\",\"iam:List*\",\"s3:GetObject\"],"
        "\"Resource\":\"*\"},"
        "{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"},"
        "{\"Effect\":\"Allow\",\"Action\":\"*:Describe*\",\"Resource\":\"*\"},"
        "{\"Effect\":\"Deny\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"*\"}]}";
    struct gh_policy *p;
    struct gh_diag d;

    (void)state;
    assert_int_equal(gh_policy_compile(GH_S(doc), ID, &d, &p), GH_OK);
    assert_int_equal(p->nsvc, 2);
    assert_true(gh_slice_eq_cstr(p->svc[0].service, "iam"));
    assert_int_equal(p->svc[0].n, 1);
    /* Statement 0's patterns grouped by service: iam's two, then s3's one. */
    assert_int_equal(p->svc[0].hits[0].stmt, 0);
    assert_int_equal(p->svc[0].hits[0].n, 2);
    assert_int_equal(p->stmts[0].act_order[p->svc[0].hits[0].first], 0);
    assert_int_equal(p->stmts[0].act_order[p->svc[0].hits[0].first + 1], 1);
    assert_true(gh_slice_eq_cstr(p->svc[1].service, "s3"));
    assert_int_equal(p->svc[1].n, 2);
    assert_int_equal(p->svc[1].hits[0].stmt, 0);
    assert_int_equal(p->svc[1].hits[0].n, 1);
    assert_int_equal(p->stmts[0].act_order[p->svc[1].hits[0].first], 2);
    assert_int_equal(p->svc[1].hits[1].stmt, 3);
    assert_true(gh_policy_svc_find(p, GH_S("s3"), gh_key_hash(GH_S("s3"))) == &p->svc[1]);
    assert_null(gh_policy_svc_find(p, GH_S("ec2"), gh_key_hash(GH_S("ec2"))));
    assert_int_equal(p->nany, 2);
    assert_int_equal(p->any_stmts[0], 1);
    assert_int_equal(p->any_stmts[1], 2);
    gh_policy_unref(p);
}

/* Documents that reach every allocation of the compiler: JSON, statements,
 * patterns, principals, condition blocks and values, variables, the index. */
static const struct {
    enum gh_policy_kind kind;
    const char *json;
} torture_docs[] = {
    {GH_POLICY_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Read\",\"Effect\":\"Allow\","
     "\"Action\":[\"s3:Get*\",\"s3:List*\",\"iam:GetUser\"],"
     "\"Resource\":[\"arn:aws:s3:::b-${aws:username}/*\",\"arn:aws:s3:::b\"],"
     "\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"home/${aws:username}/*\",\"x\"]},"
     "\"NumericLessThan\":{\"s3:max-keys\":10},\"Bool\":{\"aws:SecureTransport\":true},"
     "\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}},"
     "{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"NotResource\":\"*\","
     "\"Condition\":{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}},"
     "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"},
    {GH_POLICY_TRUST,
     "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
     "\"Principal\":{\"AWS\":[\"arn:aws:iam::123456789012:root\",\"111122223333\"],"
     "\"Service\":\"ec2.amazonaws.com\",\"Federated\":\"cognito-identity.amazonaws.com\"},"
     "\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"],"
     "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"e-1\"}}}}"},
    {GH_POLICY_RESOURCE,
     "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"NotPrincipal\":"
     "{\"AWS\":\"arn:aws:iam::123456789012:user/a\"},\"Action\":\"s3:*\","
     "\"Resource\":\"arn:aws:s3:::b/*\"}]}"},
};

static enum gh_err
compile_once(void *ctx)
{
    const size_t *i = ctx;
    struct gh_policy *p = NULL;
    struct gh_diag diag;
    enum gh_err err;

    err = gh_policy_compile(gh_slice_from_cstr(torture_docs[*i].json), torture_docs[*i].kind, &diag,
                            &p);
    if (err == GH_OK)
        assert_true(gh_policy_statement_count(p) > 0);
    gh_policy_unref(p);
    return err;
}

/* CONTRIBUTING.md "Tests": every allocation of the compiler fails in turn with
 * GH_ERR_NOMEM (not MalformedPolicyDocument, not a policy missing a part). */
static void
test_compile_nomem(void **state)
{
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(torture_docs); i++)
        assert_true(af_torture(torture_docs[i].json, compile_once, &i) > 0);
}

/*
 * jansson's first allocation failing leaves no error text: that is
 * GH_ERR_NOMEM, not "This policy contains invalid Json" (it was). Its
 * later allocations: test_compile_nomem_json_sweep.
 */
static void
test_compile_nomem_json(void **state)
{
    size_t i = 0;

    (void)state;
    af_json_counted = true;
    af_count = 0;
    af_fail_at = 1;
    assert_int_equal(compile_once(&i), GH_ERR_NOMEM);
    af_fail_at = 0;
    af_json_counted = false;
    assert_int_equal(compile_once(&i), GH_OK);
}

/* Long strings: each grows jansson's lexer buffer (16 bytes at first)
 * several times, the allocation jansson 2.14 ignores when it fails. */
static const struct {
    enum gh_policy_kind kind;
    const char *json;
} long_docs[] = {
    {GH_POLICY_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyTheVeryLongBucketEverywhere\","
     "\"Effect\":\"Deny\",\"Action\":[\"s3:GetObjectVersionAttributes\",\"s3:PutObject\"],"
     "\"Resource\":\"arn:aws:s3:::a-very-long-bucket-name-that-grows-the-lexer-buffer/"
     "with/a/deep/prefix/under/it/*\",\"Condition\":{\"StringNotEqualsIgnoreCase\":"
     "{\"aws:PrincipalTag/department-of-long-names\":\"the-engineering-department-x\"}}},"
     "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"},
    {GH_POLICY_RESOURCE,
     "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":"
     "\"arn:aws:iam::123456789012:role/a-role-with-a-rather-long-name-for-the-test\"},"
     "\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::a-very-long-bucket-name-"
     "that-grows-the-lexer-buffer/*\"}}"},
};

static bool
same_pat(const struct gh_pat *a, const struct gh_pat *b)
{
    return gh_slice_eq(a->raw, b->raw) && a->ntok == b->ntok && a->nvar == b->nvar &&
           a->wild == b->wild && a->any == b->any && a->nseg == b->nseg;
}

/* Two compilations of one document hold the same statements, element by element. */
static bool
same_policy(const struct gh_policy *a, const struct gh_policy *b)
{
    if (a->kind != b->kind || !gh_slice_eq(a->version, b->version) || a->vars != b->vars ||
        a->nstmt != b->nstmt || a->nsvc != b->nsvc || a->nany != b->nany)
        return false;
    for (uint32_t i = 0; i < a->nstmt; i++) {
        const struct gh_stmt *x = &a->stmts[i], *y = &b->stmts[i];

        if (x->deny != y->deny || x->not_action != y->not_action ||
            x->not_resource != y->not_resource || x->has_principal != y->has_principal ||
            x->not_principal != y->not_principal || x->res_any != y->res_any ||
            !gh_slice_eq(x->sid, y->sid) || x->nact != y->nact || x->nres != y->nres ||
            x->nprin != y->nprin || x->ncond != y->ncond)
            return false;
        for (uint32_t j = 0; j < x->nact; j++)
            if (!same_pat(&x->actions[j], &y->actions[j]))
                return false;
        for (uint32_t j = 0; j < x->nres; j++)
            if (!same_pat(&x->resources[j], &y->resources[j]))
                return false;
        for (uint32_t j = 0; j < x->nprin; j++)
            if (x->principals[j].kind != y->principals[j].kind ||
                !gh_slice_eq(x->principals[j].value, y->principals[j].value))
                return false;
        for (uint32_t j = 0; j < x->ncond; j++) {
            const struct gh_cond *c = &x->conds[j], *d = &y->conds[j];

            if (c->op != d->op || c->set != d->set || c->negate != d->negate ||
                c->if_exists != d->if_exists || !gh_slice_eq(c->key, d->key) || c->nval != d->nval)
                return false;
            for (uint32_t k = 0; k < c->nval; k++)
                if (!gh_slice_eq(c->vals[k].raw, d->vals[k].raw) || c->vals[k].ok != d->vals[k].ok)
                    return false;
        }
    }
    return true;
}

/*
 * Every allocation of compiling a document with long strings, jansson's
 * included, fails in turn: each run compiles exactly the policy of the
 * unfailed run, or is GH_ERR_NOMEM; never another policy (jansson 2.14
 * drops the character it could not store, issue #362: the Resource
 * "arn:aws:s3:::a-very-long-..." parsed as "...avery-long...", and the
 * Deny no longer matched) and never MalformedPolicyDocument.
 */
static void
test_compile_nomem_json_sweep(void **state)
{
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(long_docs); i++) {
        struct gh_slice doc = gh_slice_from_cstr(long_docs[i].json);
        struct gh_policy *ref = NULL;
        struct gh_diag diag;
        unsigned long n, nomem = 0;

        assert_int_equal(gh_policy_compile(doc, long_docs[i].kind, &diag, &ref), GH_OK);
        for (n = 1;; n++) {
            struct gh_policy *p = NULL;
            enum gh_err err;

            af_json_counted = true;
            af_count = 0;
            af_fail_at = n;
            err = gh_policy_compile(doc, long_docs[i].kind, &diag, &p);
            af_fail_at = 0;
            af_json_counted = false;
            if (err == GH_OK) {
                if (!same_policy(ref, p)) {
                    print_error("doc %zu: allocation %lu failed: compiled another policy\n", i, n);
                    fail();
                }
            } else if (err != GH_ERR_NOMEM) {
                print_error("doc %zu: allocation %lu failed: %s (%s)\n", i, n, gh_err_str(err),
                            diag.text);
                fail();
            } else {
                nomem++;
            }
            gh_policy_unref(p);
            if (af_count < n) { /* no allocation failed: the sweep is over */
                assert_int_equal(err, GH_OK);
                break;
            }
        }
        assert_true(nomem > 10); /* jansson's allocations were reached */
        gh_policy_unref(ref);
    }
}

int
main(void)
{
    af_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_json_error_position),
        cmocka_unit_test(test_statement_positions),
        cmocka_unit_test(test_doc_chars),
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_compile_nomem),
        cmocka_unit_test(test_compile_nomem_json),
        cmocka_unit_test(test_compile_nomem_json_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
