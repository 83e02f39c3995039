/*
 * test_iam_simulate.c: SimulateCustomPolicy and SimulatePrincipalPolicy:
 * decisions, deciding statements with their positions and source names,
 * missing context keys, context entries, boundaries, resource policies,
 * pagination and AWS's errors.
 */
#include "iam_fixture.h"

#define ALLOW_S3                                                                                   \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","        \
    "\"Resource\":\"*\"}]}"
#define DENY_PUT                                                                                   \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoPut\",\"Effect\":\"Deny\","           \
    "\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}"
#define AFTER_2018                                                                                 \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\","   \
    "\"Resource\":\"*\",\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":"                  \
    "\"2018-08-16T12:00:00Z\"}}}}"

#define CALL_OK(f, r, ...)                                                                         \
    do {                                                                                           \
        call((f), (r), __VA_ARGS__, NULL);                                                         \
        if ((r)->err != GH_OK)                                                                     \
            fail_msg("line %d: %s %s", __LINE__, (r)->code, (r)->message);                         \
    } while (0)

/* Every fragment must appear in `xml`, each after the one before. */
static void
has_in_order(const char *xml, const char *const *frags, int line)
{
    const char *at = xml;

    for (size_t i = 0; frags[i] != NULL; i++) {
        const char *p = strstr(at, frags[i]);
        if (p == NULL)
            fail_msg("line %d: no %s after offset %td in %s", line, frags[i], at - xml, xml);
        at = p + strlen(frags[i]);
    }
}
#define HAS(xml, ...)                                                                              \
    do {                                                                                           \
        static const char *const frags_[] = {__VA_ARGS__, NULL};                                   \
        has_in_order((xml), frags_, __LINE__);                                                     \
    } while (0)

static size_t
count_of(const char *xml, const char *frag)
{
    size_t n = 0;

    for (const char *p = strstr(xml, frag); p != NULL; p = strstr(p + 1, frag))
        n++;
    return n;
}

static void
test_custom_allow_and_golden(void **state)
{
    struct fixture *f = *state;

    /* AWS CLI example (simulate-custom-policy): allowed by PolicyInputList.1,
     * its statement from Line 1 Column 38 to Line 1 Column 167 of this document. */
    EXPECT_GOLDEN(f, "SimulateCustomPolicy", "date_allowed", "PolicyInputList.member.1", AFTER_2018,
                  "ActionNames.member.1", "dynamodb:CreateBackup",
                  "ContextEntries.member.1.ContextKeyName", "aws:CurrentTime",
                  "ContextEntries.member.1.ContextKeyValues.member.1", "2019-04-25T11:00:00Z",
                  "ContextEntries.member.1.ContextKeyType", "date", );
    /* The same before the date: an implicit deny with no statements. */
    EXPECT_GOLDEN(f, "SimulateCustomPolicy", "date_denied", "PolicyInputList.member.1", AFTER_2018,
                  "ActionNames.member.1", "dynamodb:CreateBackup",
                  "ContextEntries.member.1.ContextKeyName", "aws:CurrentTime",
                  "ContextEntries.member.1.ContextKeyValues.member.1", "2018-04-25T11:00:00Z",
                  "ContextEntries.member.1.ContextKeyType", "date", );
}

static void
test_custom_decisions(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    /* Missing context key: reported, and the Allow does not apply. */
    CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1", AFTER_2018,
            "ActionNames.member.1", "dynamodb:GetItem");
    HAS(r.xml, "<EvalActionName>dynamodb:GetItem</EvalActionName>",
        "<EvalResourceName>*</EvalResourceName>", "<EvalDecision>implicitDeny</EvalDecision>",
        "<MissingContextValues><member>aws:CurrentTime</member></MissingContextValues>");
    assert_null(strstr(r.xml, "EvalDecisionDetails")); /* same account, "*": absent */
    reply_free(&r);

    /* Explicit deny wins over an allow in another input; only the Deny is listed. */
    CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1", ALLOW_S3,
            "PolicyInputList.member.2", DENY_PUT, "ActionNames.member.1", "s3:PutObject",
            "ActionNames.member.2", "s3:GetObject");
    HAS(r.xml, "<EvalActionName>s3:PutObject</EvalActionName>",
        "<EvalDecision>explicitDeny</EvalDecision>",
        "<SourcePolicyId>PolicyInputList.2</SourcePolicyId><SourcePolicyType>none</"
        "SourcePolicyType>",
        "<EvalActionName>s3:GetObject</EvalActionName>", "<EvalDecision>allowed</EvalDecision>",
        "<SourcePolicyId>PolicyInputList.1</SourcePolicyId>");
    assert_int_equal(count_of(r.xml, "<SourcePolicyId>"), 2);
    HAS(r.xml, "</EvaluationResults><IsTruncated>false</IsTruncated>");
    reply_free(&r);

    /* A multi-valued key of type stringList against ForAllValues. */
    CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
            "\"iam:TagUser\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:StringEquals\":"
            "{\"aws:TagKeys\":[\"team\",\"env\"]}}}]}",
            "ActionNames.member.1", "iam:TagUser", "ContextEntries.member.1.ContextKeyName",
            "aws:TagKeys", "ContextEntries.member.1.ContextKeyValues.member.1", "team",
            "ContextEntries.member.1.ContextKeyValues.member.2", "cost",
            "ContextEntries.member.1.ContextKeyType", "stringList");
    HAS(r.xml, "<EvalDecision>implicitDeny</EvalDecision>");
    reply_free(&r);
}

static void
test_custom_resources_and_pages(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    const char *pol = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                      "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::pub/*\"}]}";

    CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1", pol, "ActionNames.member.1",
            "s3:GetObject", "ResourceArns.member.1", "arn:aws:s3:::pub/a.txt",
            "ResourceArns.member.2", "arn:aws:s3:::priv/a.txt");
    /* One result per action and resource, each with its ResourceSpecificResults;
     * within one account with resource ARNs, an empty EvalDecisionDetails. */
    HAS(r.xml, "<EvalResourceName>arn:aws:s3:::pub/a.txt</EvalResourceName>",
        "<EvalDecision>allowed</EvalDecision>", "<EvalDecisionDetails></EvalDecisionDetails>",
        "<ResourceSpecificResults><member><EvalResourceName>arn:aws:s3:::pub/a.txt</"
        "EvalResourceName><EvalResourceDecision>allowed</EvalResourceDecision>",
        "<EvalResourceName>arn:aws:s3:::priv/a.txt</EvalResourceName>",
        "<EvalDecision>implicitDeny</EvalDecision>");
    reply_free(&r);

    /* MaxItems/Marker page through the action x resource results. */
    CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1", pol, "ActionNames.member.1",
            "s3:GetObject", "ActionNames.member.2", "s3:PutObject", "ResourceArns.member.1",
            "arn:aws:s3:::pub/a.txt", "MaxItems", "1");
    assert_int_equal(count_of(r.xml, "<EvalActionName>"), 1);
    HAS(r.xml, "<IsTruncated>true</IsTruncated><Marker>1</Marker>");
    reply_free(&r);
    CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1", pol, "ActionNames.member.1",
            "s3:GetObject", "ActionNames.member.2", "s3:PutObject", "ResourceArns.member.1",
            "arn:aws:s3:::pub/a.txt", "MaxItems", "1", "Marker", "1");
    HAS(r.xml, "<EvalActionName>s3:PutObject</EvalActionName>", "<IsTruncated>false</IsTruncated>");
    reply_free(&r);
    EXPECT_ERR(f, "InvalidInput", "Invalid Marker.", "SimulateCustomPolicy",
               "PolicyInputList.member.1", pol, "ActionNames.member.1", "s3:GetObject", "Marker",
               "7");
}

static void
test_custom_boundary_and_resource_policy(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    /* A boundary caps what the identity policy allows. */
    CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
            "\"Resource\":\"*\"}]}",
            "PermissionsBoundaryPolicyInputList.member.1", ALLOW_S3, "ActionNames.member.1",
            "iam:CreateUser", "ActionNames.member.2", "s3:ListBucket");
    HAS(r.xml, "<EvalActionName>iam:CreateUser</EvalActionName>",
        "<EvalDecision>implicitDeny</EvalDecision>",
        "<PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>false<",
        "<EvalActionName>s3:ListBucket</EvalActionName>", "<EvalDecision>allowed</EvalDecision>",
        "<AllowedByPermissionsBoundary>true<");
    reply_free(&r);

    /* A resource policy naming the caller allows on its own within one account. */
    CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1", DENY_PUT, "ResourcePolicy",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
            "{\"AWS\":\"arn:aws:iam::" ACCOUNT ":user/bob\"},\"Action\":\"s3:GetObject\","
            "\"Resource\":\"arn:aws:s3:::b/*\"}]}",
            "CallerArn", "arn:aws:iam::" ACCOUNT ":user/bob", "ActionNames.member.1",
            "s3:GetObject", "ResourceArns.member.1", "arn:aws:s3:::b/k");
    HAS(r.xml, "<EvalDecision>allowed</EvalDecision>",
        "<SourcePolicyId>ResourcePolicy</SourcePolicyId><SourcePolicyType>resource<");
    reply_free(&r);

    /* Another account's resource: both sides must allow; the details say which did not. */
    CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1", ALLOW_S3, "CallerArn",
            "arn:aws:iam::" ACCOUNT ":user/bob", "ResourceOwner", "arn:aws:iam::210987654321:root",
            "ActionNames.member.1", "s3:GetObject", "ResourceArns.member.1",
            "arn:aws:s3:::other/k");
    HAS(r.xml, "<EvalDecision>implicitDeny</EvalDecision>",
        "<EvalDecisionDetails><entry><key>IAM Policy</key><value>allowed</value></entry>"
        "<entry><key>Resource Policy</key><value>implicitDeny</value></entry>");
    reply_free(&r);

    EXPECT_ERR(f, "InvalidInput",
               "CallerArn is required when ResourcePolicy is given and PolicySourceArn is not an "
               "IAM user.",
               "SimulateCustomPolicy", "PolicyInputList.member.1", ALLOW_S3, "ResourcePolicy",
               ALLOW_S3, "ActionNames.member.1", "s3:GetObject");
}

/*
 * AWS IAM "AWS managed policies": available to every account; the "aws" in
 * arn:aws:iam::aws:policy/NAME is not an account, so the simulator must
 * not evaluate them cross-account (a real GetPolicy by the same user is
 * allowed by its identity policy alone).
 */
static void
test_custom_aws_managed_not_cross_account(void **state)
{
    static const char *const actions[] = {
        "iam:GetPolicy",          "iam:GetPolicyVersion",
        "iam:ListPolicyVersions", "iam:ListEntitiesForPolicy",
        "iam:ListPolicyTags",     "iam:GenerateServiceLastAccessedDetails",
    };
    static const char *const policies[] = {
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    };
    struct fixture *f = *state;

    for (size_t i = 0; i < GH_ARRAY_LEN(actions); i++) {
        for (size_t j = 0; j < GH_ARRAY_LEN(policies); j++) {
            struct reply r;

            CALL_OK(f, &r, "SimulateCustomPolicy", "PolicyInputList.member.1",
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    "\"Action\":\"*\",\"Resource\":\"*\"}]}",
                    "CallerArn", "arn:aws:iam::" ACCOUNT ":user/bob", "ActionNames.member.1",
                    actions[i], "ResourceArns.member.1", policies[j]);
            if (strstr(r.xml, "<EvalDecision>allowed</EvalDecision>") == NULL ||
                strstr(r.xml, "Resource Policy") != NULL)
                fail_msg("%s on %s: %s", actions[i], policies[j], r.xml);
            reply_free(&r);
        }
    }
}

static void
test_custom_errors(void **state)
{
    struct fixture *f = *state;

    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value null at 'actionNames' failed to satisfy "
               "constraint: Member must not be null",
               "SimulateCustomPolicy", "PolicyInputList.member.1", ALLOW_S3);
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value null at 'policyInputList' failed to satisfy "
               "constraint: Member must not be null",
               "SimulateCustomPolicy", "ActionNames.member.1", "s3:GetObject");
    EXPECT_ERR(f, "InvalidInput", "PolicyInputList.1: This policy contains invalid Json",
               "SimulateCustomPolicy", "PolicyInputList.member.1", "{", "ActionNames.member.1",
               "s3:GetObject");
    EXPECT_ERR(f, "InvalidInput",
               "Invalid action name nothing: it must be SERVICE:ACTION, e.g. iam:CreateUser.",
               "SimulateCustomPolicy", "PolicyInputList.member.1", ALLOW_S3, "ActionNames.member.1",
               "nothing");
    EXPECT_ERR(f, "InvalidInput",
               "Invalid value soon for context key aws:CurrentTime of type date.",
               "SimulateCustomPolicy", "PolicyInputList.member.1", AFTER_2018,
               "ActionNames.member.1", "dynamodb:GetItem", "ContextEntries.member.1.ContextKeyName",
               "aws:CurrentTime", "ContextEntries.member.1.ContextKeyValues.member.1", "soon",
               "ContextEntries.member.1.ContextKeyType", "date");
    EXPECT_ERR(f, "InvalidInput",
               "Invalid CallerArn arn:aws:iam::" ACCOUNT
               ":role/r: it must be the ARN of an IAM user.",
               "SimulateCustomPolicy", "PolicyInputList.member.1", ALLOW_S3, "ActionNames.member.1",
               "s3:GetObject", "CallerArn", "arn:aws:iam::" ACCOUNT ":role/r");
}

static void
test_principal(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    EXPECT_OK(f, "CreateUser", "UserName", "alice", "Path", "/dev/");
    EXPECT_OK(f, "PutUserPolicy", "UserName", "alice", "PolicyName", "s3-all", "PolicyDocument",
              ALLOW_S3);
    EXPECT_OK(f, "AttachUserPolicy", "UserName", "alice", "PolicyArn",
              "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    EXPECT_OK(f, "CreateGroup", "GroupName", "no-put");
    EXPECT_OK(f, "PutGroupPolicy", "GroupName", "no-put", "PolicyName", "deny-put",
              "PolicyDocument", DENY_PUT);
    EXPECT_OK(f, "AddUserToGroup", "GroupName", "no-put", "UserName", "alice");

    CALL_OK(f, &r, "SimulatePrincipalPolicy", "PolicySourceArn",
            "arn:aws:iam::" ACCOUNT ":user/dev/alice", "ActionNames.member.1", "s3:GetObject",
            "ActionNames.member.2", "s3:PutObject", "ActionNames.member.3", "iam:GetUser",
            "ActionNames.member.4", "iam:CreateUser");
    /* AWS IAM: inline policies by name with the entity kind; managed ones by name. */
    HAS(r.xml, "<EvalActionName>s3:GetObject</EvalActionName>",
        "<EvalDecision>allowed</EvalDecision>",
        "<SourcePolicyId>s3-all</SourcePolicyId><SourcePolicyType>user</SourcePolicyType>"
        "<StartPosition><Line>1</Line><Column>",
        "<EvalActionName>s3:PutObject</EvalActionName>",
        "<EvalDecision>explicitDeny</EvalDecision>",
        "<SourcePolicyId>deny-put</SourcePolicyId><SourcePolicyType>group</SourcePolicyType>",
        "<EvalActionName>iam:GetUser</EvalActionName>", "<EvalDecision>allowed</EvalDecision>",
        "<SourcePolicyId>IAMReadOnlyAccess</SourcePolicyId><SourcePolicyType>aws-managed<",
        "<EvalActionName>iam:CreateUser</EvalActionName>",
        "<EvalDecision>implicitDeny</EvalDecision>");
    assert_null(strstr(r.xml, "PermissionsBoundaryDecisionDetail"));
    reply_free(&r);

    /* The group on its own; extra input policies join the entity's. */
    CALL_OK(f, &r, "SimulatePrincipalPolicy", "PolicySourceArn",
            "arn:aws:iam::" ACCOUNT ":group/no-put", "PolicyInputList.member.1", ALLOW_S3,
            "ActionNames.member.1", "s3:PutObject", "ActionNames.member.2", "s3:GetObject");
    HAS(r.xml, "<EvalDecision>explicitDeny</EvalDecision>",
        "<SourcePolicyId>deny-put</SourcePolicyId><SourcePolicyType>group<",
        "<EvalDecision>allowed</EvalDecision>", "<SourcePolicyId>PolicyInputList.1<");
    reply_free(&r);

    /* A boundary on the user caps it; a customer managed one is "user-managed". */
    EXPECT_OK(f, "CreatePolicy", "PolicyName", "only-iam-read", "PolicyDocument",
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
              "\"iam:Get*\",\"Resource\":\"*\"}]}");
    EXPECT_OK(f, "PutUserPermissionsBoundary", "UserName", "alice", "PermissionsBoundary",
              "arn:aws:iam::" ACCOUNT ":policy/only-iam-read");
    CALL_OK(f, &r, "SimulatePrincipalPolicy", "PolicySourceArn",
            "arn:aws:iam::" ACCOUNT ":user/dev/alice", "ActionNames.member.1", "s3:GetObject",
            "ActionNames.member.2", "iam:GetUser");
    HAS(r.xml, "<EvalActionName>s3:GetObject</EvalActionName>",
        "<EvalDecision>implicitDeny</EvalDecision>",
        "<AllowedByPermissionsBoundary>false</AllowedByPermissionsBoundary>",
        "<EvalActionName>iam:GetUser</EvalActionName>", "<EvalDecision>allowed</EvalDecision>",
        "<SourcePolicyType>aws-managed</SourcePolicyType>",
        "<AllowedByPermissionsBoundary>true</AllowedByPermissionsBoundary>");
    reply_free(&r);

    EXPECT_ERR(f, "NoSuchEntity", "The user with name ghost cannot be found.",
               "SimulatePrincipalPolicy", "PolicySourceArn", "arn:aws:iam::" ACCOUNT ":user/ghost",
               "ActionNames.member.1", "s3:GetObject");
    EXPECT_ERR(f, "NoSuchEntity", "The role with name ghost cannot be found.",
               "SimulatePrincipalPolicy", "PolicySourceArn", "arn:aws:iam::" ACCOUNT ":role/ghost",
               "ActionNames.member.1", "s3:GetObject");
    EXPECT_ERR(f, "InvalidInput",
               "Invalid PolicySourceArn arn:aws:s3:::bucket-name-x: it must be the ARN of an IAM "
               "user, group or role.",
               "SimulatePrincipalPolicy", "PolicySourceArn", "arn:aws:s3:::bucket-name-x",
               "ActionNames.member.1", "s3:GetObject");
}

/* A role as the source: its inline policy is of type "role"; a resource policy needs CallerArn. */
static void
test_principal_role(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    EXPECT_OK(f, "CreateRole", "RoleName", "app", "Path", "/svc/", "AssumeRolePolicyDocument",
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
              "{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}");
    EXPECT_OK(f, "PutRolePolicy", "RoleName", "app", "PolicyName", "read", "PolicyDocument",
              ALLOW_S3);
    CALL_OK(f, &r, "SimulatePrincipalPolicy", "PolicySourceArn",
            "arn:aws:iam::" ACCOUNT ":role/svc/app", "ActionNames.member.1", "s3:GetObject",
            "ActionNames.member.2", "sqs:SendMessage");
    HAS(r.xml, "<EvalDecision>allowed</EvalDecision>",
        "<SourcePolicyId>read</SourcePolicyId><SourcePolicyType>role</SourcePolicyType>",
        "<EvalActionName>sqs:SendMessage</EvalActionName>",
        "<EvalDecision>implicitDeny</EvalDecision>");
    reply_free(&r);
    EXPECT_ERR(f, "InvalidInput",
               "CallerArn is required when ResourcePolicy is given and PolicySourceArn is not an "
               "IAM user.",
               "SimulatePrincipalPolicy", "PolicySourceArn",
               "arn:aws:iam::" ACCOUNT ":role/svc/app", "ActionNames.member.1", "s3:GetObject",
               "ResourcePolicy",
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":"
               "\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
    CALL_OK(f, &r, "SimulatePrincipalPolicy", "PolicySourceArn",
            "arn:aws:iam::" ACCOUNT ":role/svc/app", "CallerArn",
            "arn:aws:iam::" ACCOUNT ":user/someone", "ActionNames.member.1", "s3:GetObject",
            "ResourceArns.member.1", "arn:aws:s3:::b/k", "ResourcePolicy",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":"
            "\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
    HAS(r.xml, "<EvalDecision>explicitDeny</EvalDecision>",
        "<SourcePolicyId>ResourcePolicy</SourcePolicyId><SourcePolicyType>resource<");
    reply_free(&r);
}

static void
test_principal_authorized(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    EXPECT_OK(f, "CreateUser", "UserName", "carol");
    EXPECT_OK(f, "CreateUser", "UserName", "dave");
    /* carol may simulate herself only. */
    EXPECT_OK(f, "PutUserPolicy", "UserName", "carol", "PolicyName", "self", "PolicyDocument",
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
              "\"iam:SimulatePrincipalPolicy\",\"Resource\":\"arn:aws:iam::" ACCOUNT
              ":user/${aws:username}\"}]}");
    f->caller.type = GH_PRINCIPAL_USER;
    f->caller.arn = GH_S("arn:aws:iam::" ACCOUNT ":user/carol");
    f->caller.name = GH_S("carol");
    f->caller.user_id = GH_SLICE_NULL; /* named only: policies are found by name */
    f->caller.path = GH_S("/");
    CALL_OK(f, &r, "SimulatePrincipalPolicy", "PolicySourceArn",
            "arn:aws:iam::" ACCOUNT ":user/carol", "ActionNames.member.1",
            "iam:SimulatePrincipalPolicy", "ResourceArns.member.1",
            "arn:aws:iam::" ACCOUNT ":user/carol");
    HAS(r.xml, "<EvalDecision>implicitDeny</EvalDecision>"); /* no aws:username in a simulation */
    reply_free(&r);
    EXPECT_ERR(f, "AccessDenied",
               "User: arn:aws:iam::" ACCOUNT
               ":user/carol is not authorized to perform: iam:SimulatePrincipalPolicy on "
               "resource: arn:aws:iam::" ACCOUNT
               ":user/dave because no identity-based policy allows the "
               "iam:SimulatePrincipalPolicy action",
               "SimulatePrincipalPolicy", "PolicySourceArn", "arn:aws:iam::" ACCOUNT ":user/dave",
               "ActionNames.member.1", "s3:GetObject");
    EXPECT_ERR(f, "AccessDenied",
               "User: arn:aws:iam::" ACCOUNT
               ":user/carol is not authorized to perform: iam:SimulateCustomPolicy on resource: "
               "* because no identity-based policy allows the iam:SimulateCustomPolicy action",
               "SimulateCustomPolicy", "PolicyInputList.member.1", ALLOW_S3, "ActionNames.member.1",
               "s3:GetObject");
}

/* Acts as IAM user `name` (which must exist) from here on. */
static void
become(struct fixture *f, const char *arn, const char *name)
{
    f->caller.type = GH_PRINCIPAL_USER;
    f->caller.arn = gh_slice_from_cstr(arn);
    f->caller.name = gh_slice_from_cstr(name);
    f->caller.user_id = GH_SLICE_NULL; /* named only: policies are found by name */
    f->caller.path = GH_S("/");
}

static void
become_root(struct fixture *f)
{
    f->caller.type = GH_PRINCIPAL_ROOT;
    f->caller.arn = GH_S("arn:aws:iam::" ACCOUNT ":root");
    f->caller.name = GH_S("");
}

/* Service condition keys of IAM actions decide, as in AWS. */
static void
test_condition_keys(void **state)
{
    struct fixture *f = *state;

    EXPECT_OK(f, "CreateUser", "UserName", "ops");
    EXPECT_OK(f, "PutUserPolicy", "UserName", "ops", "PolicyName", "keys", "PolicyDocument",
              "{\"Version\":\"2012-10-17\",\"Statement\":["
              /* Tag roles only with team=dev and no other key. */
              "{\"Effect\":\"Allow\",\"Action\":\"iam:TagRole\",\"Resource\":\"*\","
              "\"Condition\":{\"StringEquals\":{\"aws:RequestTag/team\":\"dev\"},"
              "\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"team\"]}}},"
              /* Remove only the env tag. */
              "{\"Effect\":\"Allow\",\"Action\":\"iam:UntagRole\",\"Resource\":\"*\","
              "\"Condition\":{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"env\"]}}},"
              /* Read only roles tagged team=dev. */
              "{\"Effect\":\"Allow\",\"Action\":\"iam:GetRole\",\"Resource\":\"*\","
              "\"Condition\":{\"StringEquals\":{\"iam:ResourceTag/team\":\"dev\"}}},"
              /* Detach only IAMReadOnlyAccess. */
              "{\"Effect\":\"Allow\",\"Action\":\"iam:DetachRolePolicy\",\"Resource\":\"*\","
              "\"Condition\":{\"ArnEquals\":{\"iam:PolicyARN\":"
              "\"arn:aws:iam::aws:policy/IAMReadOnlyAccess\"}}},"
              /* Create users only with this boundary. */
              "{\"Effect\":\"Allow\",\"Action\":\"iam:CreateUser\",\"Resource\":\"*\","
              "\"Condition\":{\"ArnEquals\":{\"iam:PermissionsBoundary\":"
              "\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}}}]}");
    EXPECT_OK(f, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument",
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
              "{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
              "Tags.member.1.Key", "env", "Tags.member.1.Value", "test");
    EXPECT_OK(f, "AttachRolePolicy", "RoleName", "app", "PolicyArn",
              "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    EXPECT_OK(f, "AttachRolePolicy", "RoleName", "app", "PolicyArn",
              "arn:aws:iam::aws:policy/ReadOnlyAccess");
    become(f, "arn:aws:iam::" ACCOUNT ":user/ops", "ops");

#define OPS_DENIED(act, res)                                                                       \
    "User: arn:aws:iam::" ACCOUNT ":user/ops is not authorized to perform: " act                   \
    " on resource: " res " because no identity-based policy allows the " act " action"
    /* The role is not tagged team=dev yet. */
    EXPECT_ERR(f, "AccessDenied", OPS_DENIED("iam:GetRole", "arn:aws:iam::" ACCOUNT ":role/app"),
               "GetRole", "RoleName", "app");
    EXPECT_ERR(f, "AccessDenied", OPS_DENIED("iam:TagRole", "arn:aws:iam::" ACCOUNT ":role/app"),
               "TagRole", "RoleName", "app", "Tags.member.1.Key", "team", "Tags.member.1.Value",
               "ops");
    EXPECT_ERR(f, "AccessDenied", OPS_DENIED("iam:TagRole", "arn:aws:iam::" ACCOUNT ":role/app"),
               "TagRole", "RoleName", "app", "Tags.member.1.Key", "team", "Tags.member.1.Value",
               "dev", "Tags.member.2.Key", "cost", "Tags.member.2.Value", "1");
    EXPECT_OK(f, "TagRole", "RoleName", "app", "Tags.member.1.Key", "team", "Tags.member.1.Value",
              "dev");
    EXPECT_OK(f, "GetRole", "RoleName", "app");
    EXPECT_ERR(f, "AccessDenied", OPS_DENIED("iam:UntagRole", "arn:aws:iam::" ACCOUNT ":role/app"),
               "UntagRole", "RoleName", "app", "TagKeys.member.1", "team");
    EXPECT_OK(f, "UntagRole", "RoleName", "app", "TagKeys.member.1", "env");
    EXPECT_ERR(f, "AccessDenied",
               OPS_DENIED("iam:DetachRolePolicy", "arn:aws:iam::" ACCOUNT ":role/app"),
               "DetachRolePolicy", "RoleName", "app", "PolicyArn",
               "arn:aws:iam::aws:policy/ReadOnlyAccess");
    EXPECT_OK(f, "DetachRolePolicy", "RoleName", "app", "PolicyArn",
              "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    EXPECT_ERR(f, "AccessDenied", OPS_DENIED("iam:CreateUser", "arn:aws:iam::" ACCOUNT ":user/u1"),
               "CreateUser", "UserName", "u1");
    EXPECT_OK(f, "CreateUser", "UserName", "u2", "PermissionsBoundary",
              "arn:aws:iam::aws:policy/ReadOnlyAccess");
#undef OPS_DENIED
    become_root(f);
}

/* --enforce=log: a denied call goes through (the denial goes to stderr). */
static void
test_enforce_log(void **state)
{
    struct fixture *f = *state;

    EXPECT_OK(f, "CreateUser", "UserName", "nobody");
    become(f, "arn:aws:iam::" ACCOUNT ":user/nobody", "nobody");
    EXPECT_ERR(f, "AccessDenied",
               "User: arn:aws:iam::" ACCOUNT
               ":user/nobody is not authorized to perform: iam:CreateUser on resource: "
               "arn:aws:iam::" ACCOUNT
               ":user/made because no identity-based policy allows the iam:CreateUser action",
               "CreateUser", "UserName", "made");
    f->config.enforce = GH_ENFORCE_LOG;
    EXPECT_OK(f, "CreateUser", "UserName", "made");
    f->config.enforce = GH_ENFORCE_ON;
    become_root(f);
    EXPECT_OK(f, "GetUser", "UserName", "made");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_custom_allow_and_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_decisions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_resources_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_boundary_and_resource_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_aws_managed_not_cross_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_principal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_principal_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_principal_authorized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_condition_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enforce_log, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
