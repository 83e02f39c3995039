/*
 * test_iam.c: the IAM actions run against a real SQLite store in a temp
 * directory, their XML compared byte for byte with golden files
 * (tests/data/xml/<Action>/<case>.xml; GH_UPDATE_GOLDEN=1 rewrites them),
 * plus tables of AWS validation messages and the shape predicates.
 */

/* This file's golden files keep a secret's length. */
#define IAM_FIXTURE_ID_PREFIXES "AIDA", "AROA", "ANPA", "AKIA"
#define IAM_FIXTURE_SECRET_FILL
#include "iam_fixture.h"

#define TRUST                                                                                      \
    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "        \
    "{\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}"
#define S3READ                                                                                     \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\","     \
    "\"Resource\":\"*\"}]}"

static void
test_users(void **state)
{
    struct fixture *f = *state;

    EXPECT_GOLDEN(f, "CreateUser", "path_and_tags", "UserName", "Bob", "Path", "/division/",
                  "Tags.member.1.Key", "team", "Tags.member.1.Value", "castle", );
    EXPECT_GOLDEN(f, "CreateUser", "plain", "UserName", "alice", );
    /* AWS IAM: names are unique case-insensitively. */
    EXPECT_ERR(f, "EntityAlreadyExists", "User with name BOB already exists.", "CreateUser",
               "UserName", "BOB");
    EXPECT_GOLDEN(f, "GetUser", "with_tags", "UserName", "bob", );
    EXPECT_GOLDEN(f, "GetUser", "root", );
    EXPECT_GOLDEN(f, "ListUsers", "all", );
    EXPECT_GOLDEN(f, "ListUsers", "page1", "MaxItems", "1", );
    EXPECT_GOLDEN(f, "ListUsers", "prefix", "PathPrefix", "/div", );
    EXPECT_ERR(f, "NoSuchEntity", "The user with name nobody cannot be found.", "GetUser",
               "UserName", "nobody");
    EXPECT_OK(f, "UpdateUser", "UserName", "alice", "NewUserName", "alice2", "NewPath", "/x/");
    EXPECT_GOLDEN(f, "GetUser", "renamed", "UserName", "alice2", );
    EXPECT_ERR(f, "EntityAlreadyExists", "User with name bob already exists.", "UpdateUser",
               "UserName", "alice2", "NewUserName", "bob");
    EXPECT_GOLDEN(f, "DeleteUser", "ok", "UserName", "alice2", );
    EXPECT_ERR(f, "NoSuchEntity", "The user with name alice2 cannot be found.", "DeleteUser",
               "UserName", "alice2");
}

static void
test_user_non_user_caller(void **state)
{
    struct fixture *f = *state;

    f->caller.type = GH_PRINCIPAL_ASSUMED_ROLE;
    /* Authorization comes after: this is decided on the parameters alone. */
    EXPECT_ERR(f, "ValidationError", "Must specify userName when calling with non-User credentials",
               "GetUser");
    f->caller.type = GH_PRINCIPAL_ROOT;
}

static void
test_access_keys(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char id[32];
    const char *p, *q;

    EXPECT_OK(f, "CreateUser", "UserName", "carol");
    EXPECT_GOLDEN(f, "CreateAccessKey", "for_user", "UserName", "carol", );
    call(f, &r, "CreateAccessKey", "UserName", "CAROL", NULL);
    assert_int_equal(r.err, GH_OK);
    reply_free(&r);
    /* AWS IAM: two keys per user. */
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2",
               "CreateAccessKey", "UserName", "carol");
    EXPECT_GOLDEN(f, "ListAccessKeys", "two", "UserName", "carol", );
    EXPECT_GOLDEN(f, "ListAccessKeys", "page1", "UserName", "carol", "MaxItems", "1", );
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must delete access keys first.",
               "DeleteUser", "UserName", "carol");
    EXPECT_ERR(f, "NoSuchEntity", "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.",
               "DeleteAccessKey", "UserName", "carol", "AccessKeyId", "AKIAAAAAAAAAAAAAAAAA");
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value 'Paused' at 'status' failed to satisfy "
               "constraint: Member must satisfy enum value set: [Active, Inactive]",
               "UpdateAccessKey", "UserName", "carol", "AccessKeyId", "AKIAAAAAAAAAAAAAAAAA",
               "Status", "Paused");

    /* The real ids: read them back unnormalized from the store. */
    {
        struct gh_store_tx *tx;
        struct gh_arena a;
        struct gh_access_key *keys;
        size_t n;

        gh_arena_init(&a);
        assert_int_equal(gh_store_tx_begin(f->store, false, &tx), GH_OK);
        assert_int_equal(gh_store_access_key_list(tx, &a, GH_S(ACCOUNT), GH_S("carol"), &keys, &n),
                         GH_OK);
        assert_int_equal(n, 2);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(keys[i].id.len, 20);
            memcpy(id, keys[i].id.ptr, 20);
            id[20] = '\0';
            EXPECT_OK(f, "UpdateAccessKey", "UserName", "carol", "AccessKeyId", id, "Status",
                      "Inactive");
        }
        gh_store_tx_rollback(tx);
        gh_arena_cleanup(&a);
    }
    call(f, &r, "ListAccessKeys", "UserName", "carol", NULL);
    assert_non_null(strstr(r.xml, "<Status>Inactive</Status>"));
    assert_null(strstr(r.xml, "<Status>Active</Status>"));
    reply_free(&r);
    {
        struct gh_store_tx *tx;
        struct gh_arena a;
        struct gh_access_key *keys;
        size_t n;

        gh_arena_init(&a);
        assert_int_equal(gh_store_tx_begin(f->store, false, &tx), GH_OK);
        assert_int_equal(gh_store_access_key_list(tx, &a, GH_S(ACCOUNT), GH_S("carol"), &keys, &n),
                         GH_OK);
        gh_store_tx_rollback(tx);
        for (size_t i = 0; i < n; i++) {
            memcpy(id, keys[i].id.ptr, 20);
            id[20] = '\0';
            EXPECT_OK(f, "DeleteAccessKey", "UserName", "carol", "AccessKeyId", id);
        }
        gh_arena_cleanup(&a);
    }
    EXPECT_OK(f, "DeleteUser", "UserName", "carol");

    /* The root's own keys: no UserName, and the secret is shown once, 40 characters. */
    call(f, &r, "CreateAccessKey", NULL);
    assert_int_equal(r.err, GH_OK);
    assert_null(strstr(r.xml, "<UserName>"));
    p = strstr(r.xml, "<SecretAccessKey>");
    q = strstr(r.xml, "</SecretAccessKey>");
    assert_non_null(p);
    assert_int_equal(q - p - (long)strlen("<SecretAccessKey>"), 40);
    reply_free(&r);
}

static void
test_validation(void **state)
{
    static const struct {
        const char *action, *name, *value, *message;
    } cases[] = {
        {"CreateUser", "UserName", "a*b",
         "1 validation error detected: Value 'a*b' at 'userName' failed to satisfy constraint: "
         "Member must satisfy regular expression pattern: [\\w+=,.@-]+"},
        {"CreateUser", "UserName",
         "u1234567890123456789012345678901234567890123456789012345678901234",
         "1 validation error detected: Value "
         "'u1234567890123456789012345678901234567890123456789012345678901234' at 'userName' "
         "failed to satisfy constraint: Member must have length less than or equal to 64"},
        {"CreateUser", "Path", "nopath",
         "2 validation errors detected: Value null at 'userName' failed to satisfy constraint: "
         "Member must not be null; Value 'nopath' at 'path' failed to satisfy constraint: Member "
         "must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)"},
        {"GetRole", "RoleName", "",
         "1 validation error detected: Value '' at 'roleName' failed to satisfy constraint: "
         "Member must have length greater than or equal to 1"},
        {"ListRoles", "MaxItems", "0",
         "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: "
         "Member must have value greater than or equal to 1"},
        {"ListUsers", "PathPrefix", "x",
         "1 validation error detected: Value 'x' at 'pathPrefix' failed to satisfy constraint: "
         "Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*"},
        {"GetPolicy", "PolicyArn", "arn:aws:iam::1:p",
         "1 validation error detected: Value 'arn:aws:iam::1:p' at 'policyArn' failed to satisfy "
         "constraint: Member must have length greater than or equal to 20"},
        {"ListPolicies", "Scope", "Mine",
         "1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: "
         "Member must satisfy enum value set: [All, AWS, Local]"},
        {"CreatePolicy", "Path", "/a//",
         "3 validation errors detected: Value null at 'policyName' failed to satisfy constraint: "
         "Member must not be null; Value '/a//' at 'path' failed to satisfy constraint: Member "
         "must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/; Value null at "
         "'policyDocument' failed to satisfy constraint: Member must not be null"},
        {"TagUser", "Tags.member.1.Key", "bad*key",
         "3 validation errors detected: Value null at 'userName' failed to satisfy constraint: "
         "Member must not be null; Value 'bad*key' at 'tags.1.member.key' failed to satisfy "
         "constraint: Member must satisfy regular expression pattern: "
         "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+; Value null at 'tags.1.member.value' failed to satisfy "
         "constraint: Member must not be null"},
    };
    struct fixture *f = *state;

    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++)
        EXPECT_ERR(f, "ValidationError", cases[i].message, cases[i].action, cases[i].name,
                   cases[i].value);
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy "
               "constraint: Member must have value greater than or equal to 3600",
               "CreateRole", "RoleName", "r", "AssumeRolePolicyDocument", TRUST,
               "MaxSessionDuration", "100");
}

/* A document of `chars` non-whitespace characters (padded inside a Sid), plus spaces. */
static char *
doc_of(size_t chars, bool trust)
{
    const char *head = trust ? "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                               "\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\",\"Sid\":\""
                             : "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                               "\"Resource\":\"*\",\"Sid\":\"";
    const char *tail = "\"}]}";
    size_t fixed = strlen(head) + strlen(tail);
    char *s = malloc(chars + 64 + 100);
    size_t n = 0;

    assert_non_null(s);
    assert_true(chars > fixed);
    memcpy(s, head, strlen(head));
    n = strlen(head);
    for (size_t i = 0; i < chars - fixed; i++)
        s[n++] = 'a';
    memcpy(s + n, tail, strlen(tail));
    n += strlen(tail);
    memset(s + n, ' ', 64); /* whitespace does not count */
    s[n + 64] = '\0';
    return s;
}

static void
test_roles(void **state)
{
    struct fixture *f = *state;
    char *doc;

    EXPECT_GOLDEN(f, "CreateRole", "ec2", "RoleName", "ec2-s3-read-role", "Path", "/app/",
                  "AssumeRolePolicyDocument", TRUST, "Description", "Workloads on EC2",
                  "Tags.member.1.Key", "env", "Tags.member.1.Value", "test", );
    EXPECT_ERR(f, "EntityAlreadyExists", "Role with name EC2-S3-READ-ROLE already exists.",
               "CreateRole", "RoleName", "EC2-S3-READ-ROLE", "AssumeRolePolicyDocument", TRUST);
    EXPECT_GOLDEN(f, "GetRole", "ec2", "RoleName", "ec2-s3-read-role", );
    EXPECT_GOLDEN(f, "UpdateRole", "ok", "RoleName", "ec2-s3-read-role", "MaxSessionDuration",
                  "7200", );
    EXPECT_GOLDEN(f, "UpdateRoleDescription", "ok", "RoleName", "ec2-s3-read-role", "Description",
                  "New words", );
    EXPECT_GOLDEN(f, "ListRoles", "one", );
    EXPECT_ERR(f, "NoSuchEntity", "The role with name ghost cannot be found.", "GetRole",
               "RoleName", "ghost");

    /* AWS IAM: trust policies hold 2048 characters, whitespace not counted. */
    doc = doc_of(2048, true);
    EXPECT_OK(f, "UpdateAssumeRolePolicy", "RoleName", "ec2-s3-read-role", "PolicyDocument", doc);
    free(doc);
    doc = doc_of(2049, true);
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048",
               "UpdateAssumeRolePolicy", "RoleName", "ec2-s3-read-role", "PolicyDocument", doc);
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", "CreateRole",
               "RoleName", "big", "AssumeRolePolicyDocument", doc);
    free(doc);
    /* AWS IAM: the engine's MalformedPolicyDocument wording (src/policy). */
    EXPECT_ERR(f, "MalformedPolicyDocument", "This policy contains invalid Json", "CreateRole",
               "RoleName", "bad", "AssumeRolePolicyDocument", "{\"Statement\": [");
    EXPECT_ERR(f, "MalformedPolicyDocument", "This policy contains invalid Json", "CreateRole",
               "RoleName", "dup", "AssumeRolePolicyDocument",
               "{\"Statement\": [], \"Statement\": []}");
    EXPECT_ERR(f, "MalformedPolicyDocument", "Syntax errors in policy.", "CreateRole", "RoleName",
               "bad", "AssumeRolePolicyDocument", "{\"Version\": \"2012-10-17\"}");
    EXPECT_ERR(f, "MalformedPolicyDocument", "Missing required field Principal", "CreateRole",
               "RoleName", "bad", "AssumeRolePolicyDocument",
               "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
               "\"Action\": \"sts:AssumeRole\"}]}");
    /* ... but identity policies word a JSON syntax error as AWS's PutUserPolicy,
     * CreatePolicy and PutRolePolicy do. */
    EXPECT_ERR(f, "MalformedPolicyDocument", "Syntax errors in policy.", "PutRolePolicy",
               "RoleName", "ec2-s3-read-role", "PolicyName", "p", "PolicyDocument", "{not json");
    EXPECT_ERR(f, "MalformedPolicyDocument", "Policy document should not specify a principal.",
               "PutRolePolicy", "RoleName", "ec2-s3-read-role", "PolicyName", "p",
               "PolicyDocument",
               "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
               "\"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}");

    EXPECT_OK(f, "PutRolePolicy", "RoleName", "ec2-s3-read-role", "PolicyName", "inline",
              "PolicyDocument", S3READ);
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must delete policies first.",
               "DeleteRole", "RoleName", "ec2-s3-read-role");
    EXPECT_OK(f, "DeleteRolePolicy", "RoleName", "ec2-s3-read-role", "PolicyName", "inline");
    EXPECT_GOLDEN(f, "DeleteRole", "ok", "RoleName", "ec2-s3-read-role", );
    EXPECT_GOLDEN(f, "ListRoles", "none", );
}

static void
test_policies(void **state)
{
    struct fixture *f = *state;
    char name[32], arn[96];

    EXPECT_OK(f, "CreateUser", "UserName", "dave");
    EXPECT_OK(f, "CreateRole", "RoleName", "worker", "AssumeRolePolicyDocument", TRUST);
    EXPECT_GOLDEN(f, "CreatePolicy", "s3read", "PolicyName", "S3Read", "Path", "/team/",
                  "PolicyDocument", S3READ, "Description", "Read buckets", );
    EXPECT_ERR(f, "EntityAlreadyExists",
               "A policy called s3read already exists. Duplicate names are not allowed.",
               "CreatePolicy", "PolicyName", "s3read", "PolicyDocument", S3READ);
    EXPECT_GOLDEN(f, "GetPolicyVersion", "v1", "PolicyArn",
                  "arn:aws:iam::" ACCOUNT ":policy/team/S3Read", "VersionId", "v1", );
    EXPECT_ERR(f, "NoSuchEntity",
               "Policy arn:aws:iam::" ACCOUNT ":policy/team/S3Read version v2 does not exist or "
               "is not attachable.",
               "GetPolicyVersion", "PolicyArn", "arn:aws:iam::" ACCOUNT ":policy/team/S3Read",
               "VersionId", "v2");
    EXPECT_OK(f, "AttachUserPolicy", "UserName", "dave", "PolicyArn",
              "arn:aws:iam::" ACCOUNT ":policy/team/S3Read");
    EXPECT_OK(f, "AttachUserPolicy", "UserName", "dave", "PolicyArn",
              "arn:aws:iam::" ACCOUNT ":policy/team/S3Read"); /* idempotent */
    EXPECT_OK(f, "AttachRolePolicy", "RoleName", "worker", "PolicyArn",
              "arn:aws:iam::" ACCOUNT ":policy/team/S3Read");
    EXPECT_GOLDEN(f, "GetPolicy", "attached_twice", "PolicyArn",
                  "arn:aws:iam::" ACCOUNT ":policy/team/S3Read", );
    EXPECT_GOLDEN(f, "ListAttachedUserPolicies", "one", "UserName", "dave", );
    EXPECT_GOLDEN(f, "ListAttachedRolePolicies", "prefix_miss", "RoleName", "worker", "PathPrefix",
                  "/other/", );
    EXPECT_GOLDEN(f, "ListPolicies", "local", "Scope", "Local", );
    EXPECT_ERR(f, "NoSuchEntity",
               "Policy arn:aws:iam::" ACCOUNT ":policy/Nope does not exist or is not attachable.",
               "AttachUserPolicy", "UserName", "dave", "PolicyArn",
               "arn:aws:iam::" ACCOUNT ":policy/Nope");
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete a policy attached to entities.", "DeletePolicy",
               "PolicyArn", "arn:aws:iam::" ACCOUNT ":policy/team/S3Read");
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must detach all policies first.",
               "DeleteUser", "UserName", "dave");
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must detach all policies first.",
               "DeleteRole", "RoleName", "worker");

    /* AWS IAM: at most 10 managed policies per user. */
    for (int i = 0; i < 10; i++) {
        (void)snprintf(name, sizeof(name), "P%d", i);
        (void)snprintf(arn, sizeof(arn), "arn:aws:iam::%s:policy/%s", ACCOUNT, name);
        EXPECT_OK(f, "CreatePolicy", "PolicyName", name, "PolicyDocument", S3READ);
        if (i < 9)
            EXPECT_OK(f, "AttachUserPolicy", "UserName", "dave", "PolicyArn", arn);
        else
            EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10",
                       "AttachUserPolicy", "UserName", "dave", "PolicyArn", arn);
    }
    f->config.managed_policies_per_role = 1;
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 1", "AttachRolePolicy",
               "RoleName", "worker", "PolicyArn", "arn:aws:iam::" ACCOUNT ":policy/P0");
    f->config.managed_policies_per_role = 10;

    EXPECT_OK(f, "DetachUserPolicy", "UserName", "dave", "PolicyArn",
              "arn:aws:iam::" ACCOUNT ":policy/team/S3Read");
    EXPECT_ERR(f, "NoSuchEntity",
               "Policy arn:aws:iam::" ACCOUNT ":policy/team/S3Read was not found.",
               "DetachUserPolicy", "UserName", "dave", "PolicyArn",
               "arn:aws:iam::" ACCOUNT ":policy/team/S3Read");
    EXPECT_OK(f, "DetachRolePolicy", "RoleName", "worker", "PolicyArn",
              "arn:aws:iam::" ACCOUNT ":policy/team/S3Read");
    EXPECT_GOLDEN(f, "DeletePolicy", "ok", "PolicyArn",
                  "arn:aws:iam::" ACCOUNT ":policy/team/S3Read", );
    EXPECT_ERR(f, "NoSuchEntity",
               "Policy arn:aws:iam::" ACCOUNT ":policy/team/S3Read was not found.", "GetPolicy",
               "PolicyArn", "arn:aws:iam::" ACCOUNT ":policy/team/S3Read");
    EXPECT_ERR(f, "InvalidInput", "ARN arn:aws:s3:::bucket/not-a-policy is not valid.", "GetPolicy",
               "PolicyArn", "arn:aws:s3:::bucket/not-a-policy");
    /* Another account's policy is not this account's to see. */
    EXPECT_ERR(f, "NoSuchEntity", "Policy arn:aws:iam::210987654321:policy/P0 was not found.",
               "GetPolicy", "PolicyArn", "arn:aws:iam::210987654321:policy/P0");
}

static void
test_inline(void **state)
{
    struct fixture *f = *state;
    char *doc;

    EXPECT_OK(f, "CreateUser", "UserName", "erin");
    EXPECT_GOLDEN(f, "PutUserPolicy", "ok", "UserName", "erin", "PolicyName", "read",
                  "PolicyDocument", S3READ, );
    EXPECT_GOLDEN(f, "GetUserPolicy", "read", "UserName", "erin", "PolicyName", "read", );
    EXPECT_GOLDEN(f, "ListUserPolicies", "one", "UserName", "erin", );
    EXPECT_ERR(f, "NoSuchEntity", "The user policy with name other cannot be found.",
               "GetUserPolicy", "UserName", "erin", "PolicyName", "other");
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must delete policies first.",
               "DeleteUser", "UserName", "erin");
    /* AWS IAM: a user's inline policies share 2048 characters. */
    doc = doc_of(2048 - strlen(S3READ), false);
    EXPECT_OK(f, "PutUserPolicy", "UserName", "erin", "PolicyName", "fill", "PolicyDocument", doc);
    free(doc);
    doc = doc_of(2048 - strlen(S3READ) + 1, false);
    EXPECT_ERR(f, "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user erin",
               "PutUserPolicy", "UserName", "erin", "PolicyName", "fill", "PolicyDocument", doc);
    free(doc);
    /* Replacing a policy counts the new text, not the old one. */
    EXPECT_OK(f, "PutUserPolicy", "UserName", "erin", "PolicyName", "read", "PolicyDocument",
              S3READ);
    EXPECT_OK(f, "DeleteUserPolicy", "UserName", "erin", "PolicyName", "read");
    EXPECT_OK(f, "DeleteUserPolicy", "UserName", "erin", "PolicyName", "fill");
    EXPECT_ERR(f, "NoSuchEntity", "The user policy with name read cannot be found.",
               "DeleteUserPolicy", "UserName", "erin", "PolicyName", "read");
    EXPECT_OK(f, "DeleteUser", "UserName", "erin");

    EXPECT_OK(f, "CreateRole", "RoleName", "svc", "AssumeRolePolicyDocument", TRUST);
    EXPECT_OK(f, "PutRolePolicy", "RoleName", "svc", "PolicyName", "read", "PolicyDocument",
              S3READ);
    EXPECT_GOLDEN(f, "GetRolePolicy", "read", "RoleName", "svc", "PolicyName", "read", );
    EXPECT_GOLDEN(f, "ListRolePolicies", "one", "RoleName", "svc", );
    EXPECT_ERR(f, "NoSuchEntity", "The role policy with name x cannot be found.", "GetRolePolicy",
               "RoleName", "svc", "PolicyName", "x");
    doc = doc_of(10241 - strlen(S3READ), false);
    EXPECT_ERR(f, "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role svc",
               "PutRolePolicy", "RoleName", "svc", "PolicyName", "big", "PolicyDocument", doc);
    free(doc);
}

static void
test_tags(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    EXPECT_OK(f, "CreateUser", "UserName", "frank");
    EXPECT_GOLDEN(f, "TagUser", "ok", "UserName", "frank", "Tags.member.1.Key", "Team",
                  "Tags.member.1.Value", "gate", "Tags.member.2.Key", "cost-center",
                  "Tags.member.2.Value", "", );
    EXPECT_OK(f, "TagUser", "UserName", "frank", "Tags.member.1.Key", "team", "Tags.member.1.Value",
              "keep");
    EXPECT_GOLDEN(f, "ListUserTags", "two", "UserName", "frank", );
    EXPECT_GOLDEN(f, "ListUserTags", "page1", "UserName", "frank", "MaxItems", "1", );
    EXPECT_GOLDEN(f, "ListUserTags", "page2", "UserName", "frank", "Marker", "1", );
    EXPECT_ERR(f, "InvalidInput",
               "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
               "TagUser", "UserName", "frank", "Tags.member.1.Key", "a", "Tags.member.1.Value", "1",
               "Tags.member.2.Key", "A", "Tags.member.2.Value", "2");
    EXPECT_OK(f, "UntagUser", "UserName", "frank", "TagKeys.member.1", "TEAM");
    call(f, &r, "ListUserTags", "UserName", "frank", NULL);
    assert_null(strstr(r.xml, "keep"));
    assert_non_null(strstr(r.xml, "cost-center"));
    reply_free(&r);

    EXPECT_OK(f, "CreateRole", "RoleName", "tagged", "AssumeRolePolicyDocument", TRUST);
    EXPECT_OK(f, "TagRole", "RoleName", "tagged", "Tags.member.1.Key", "k", "Tags.member.1.Value",
              "v");
    EXPECT_GOLDEN(f, "ListRoleTags", "one", "RoleName", "tagged", );
    EXPECT_OK(f, "UntagRole", "RoleName", "tagged", "TagKeys.member.1", "k");

    EXPECT_OK(f, "CreatePolicy", "PolicyName", "Tagged", "PolicyDocument", S3READ);
    EXPECT_OK(f, "TagPolicy", "PolicyArn", "arn:aws:iam::" ACCOUNT ":policy/Tagged",
              "Tags.member.1.Key", "owner", "Tags.member.1.Value", "ops");
    EXPECT_GOLDEN(f, "ListPolicyTags", "one", "PolicyArn",
                  "arn:aws:iam::" ACCOUNT ":policy/Tagged", );
    EXPECT_OK(f, "UntagPolicy", "PolicyArn", "arn:aws:iam::" ACCOUNT ":policy/Tagged",
              "TagKeys.member.1", "owner");

    /* AWS IAM: 50 tags per entity at most. */
    for (int i = 0; i < 50; i++) {
        char k[16];
        (void)snprintf(k, sizeof(k), "k%d", i);
        EXPECT_OK(f, "TagRole", "RoleName", "tagged", "Tags.member.1.Key", k, "Tags.member.1.Value",
                  "v");
    }
    EXPECT_OK(f, "TagRole", "RoleName", "tagged", "Tags.member.1.Key", "K0", "Tags.member.1.Value",
              "replaced"); /* overwrites: still 50 */
    EXPECT_ERR(f, "LimitExceeded", "The number of tags has reached the maximum limit.", "TagRole",
               "RoleName", "tagged", "Tags.member.1.Key", "one-more", "Tags.member.1.Value", "v");
}

static void
test_predicates(void **state)
{
    static const struct {
        bool (*fn)(struct gh_slice);
        const char *in;
        bool want;
    } cases[] = {
        {gh_iam_is_name, "a-b_c+d=e,f.g@h", true},
        {gh_iam_is_name, "a b", false},
        {gh_iam_is_name, "\xc3\xa9", false}, /* Java's \w is ASCII */
        {gh_iam_is_path, "/", true},
        {gh_iam_is_path, "//", false},
        {gh_iam_is_path, "/a/", true},
        {gh_iam_is_path, "///", true},
        {gh_iam_is_path, "/a", false},
        {gh_iam_is_path, "/a b/", false},
        {gh_iam_is_path_prefix, "/", true},
        {gh_iam_is_path_prefix, "/abc", true},
        {gh_iam_is_path_prefix, "abc", false},
        {gh_iam_is_policy_path, "/", true},
        {gh_iam_is_policy_path, "/a/b-c/", true},
        {gh_iam_is_policy_path, "//", false},
        {gh_iam_is_policy_path, "/a", false},
        {gh_iam_is_policy_path, "/a~/", false},
        {gh_iam_is_policy_document, "{\t\r\n}", true},
        {gh_iam_is_policy_document, "\xc3\xa9", true},      /* U+00E9 */
        {gh_iam_is_policy_document, "\xe2\x82\xac", false}, /* U+20AC */
        {gh_iam_is_policy_document, "\x01", false},
        {gh_iam_is_word, "AKIA_1", true},
        {gh_iam_is_word, "AKIA-1", false},
        {gh_iam_is_role_description, "Hello, world! \xe2\x82\xac", true},
        {gh_iam_is_role_description, "tab\there", false},
        {gh_iam_is_version_id, "v1", true},
        {gh_iam_is_version_id, "v10.a-b", true},
        {gh_iam_is_version_id, "v0", false},
        {gh_iam_is_version_id, "1", false},
        {gh_iam_is_tag_key, "a b:c/d=e+f-g@h_i.j", true},
        {gh_iam_is_tag_key, "\xc3\xa9t\xc3\xa9", true},
        {gh_iam_is_tag_key, "", false},
        {gh_iam_is_tag_key, "a*b", false},
        {gh_iam_is_tag_key, "\xe2\x82\xac", false}, /* a currency symbol (Sc) */
        {gh_iam_is_tag_value, "", true},
        {gh_iam_is_tag_value, "x,y", false},
    };
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++)
        if (cases[i].fn(gh_slice_from_cstr(cases[i].in)) != cases[i].want)
            fail_msg("case %zu (%s) should be %d", i, cases[i].in, cases[i].want);
    assert_int_equal(gh_iam_doc_chars(GH_S("{ \"a\" :\n\t\"\xc3\xa9\" }")), 9);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predicates),
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_non_user_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
