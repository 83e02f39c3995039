/*
 * test_iam_groups.c: groups, policy versions, instance profiles and
 * permissions boundaries, run against a real SQLite store in a temp
 * directory, their XML compared byte for byte with golden files
 * (tests/data/xml/<Action>/<case>.xml; GH_UPDATE_GOLDEN=1 rewrites them).
 */

/* This file's golden files mask AGPA/AIPA ids and keep a secret's length. */
#define IAM_FIXTURE_ID_PREFIXES "AIDA", "AROA", "ANPA", "AKIA", "AGPA", "AIPA"
#define IAM_FIXTURE_SECRET_FILL
#include "iam_fixture.h"

#define TRUST                                                                                      \
    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "        \
    "{\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}"
#define S3READ                                                                                     \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\","     \
    "\"Resource\":\"*\"}]}"

#define BIG_DOC_HEAD                                                                               \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\","     \
    "\"Resource\":\"arn:aws:s3:::" /* the filler must be a valid ARN: the engine validates */
#define BIG_DOC_TAIL "\"}]}"

/* A policy document of at least `chars` non-whitespace characters (heap). */
static char *
big_doc(size_t chars)
{
    size_t head = strlen(BIG_DOC_HEAD), tail = strlen(BIG_DOC_TAIL);
    size_t fill = chars > head + tail ? chars - head - tail : 1;
    char *s = malloc(head + fill + tail + 1);

    assert_non_null(s);
    memcpy(s, BIG_DOC_HEAD, head);
    memset(s + head, 'a', fill);
    memcpy(s + head + fill, BIG_DOC_TAIL, tail + 1);
    return s;
}

static void
test_groups(void **state)
{
    struct fixture *f = *state;

    EXPECT_GOLDEN(f, "CreateGroup", "path", "GroupName", "Admins", "Path", "/castle/", );
    EXPECT_GOLDEN(f, "CreateGroup", "plain", "GroupName", "guards", );
    /* AWS IAM: names are unique case-insensitively. */
    EXPECT_ERR(f, "EntityAlreadyExists", "Group with name ADMINS already exists.", "CreateGroup",
               "GroupName", "ADMINS");
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value 'a b' at 'groupName' failed to satisfy "
               "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
               "CreateGroup", "GroupName", "a b");
    EXPECT_OK(f, "CreateUser", "UserName", "alice");
    EXPECT_OK(f, "CreateUser", "UserName", "bob", "Path", "/staff/");
    EXPECT_GOLDEN(f, "GetGroup", "empty", "GroupName", "admins", );
    EXPECT_OK(f, "AddUserToGroup", "GroupName", "Admins", "UserName", "bob");
    EXPECT_OK(f, "AddUserToGroup", "GroupName", "Admins", "UserName", "alice");
    EXPECT_OK(f, "AddUserToGroup", "GroupName", "Admins", "UserName", "ALICE"); /* again: no-op */
    EXPECT_OK(f, "AddUserToGroup", "GroupName", "guards", "UserName", "alice");
    EXPECT_ERR(f, "NoSuchEntity", "The user with name carol cannot be found.", "AddUserToGroup",
               "GroupName", "Admins", "UserName", "carol");
    EXPECT_ERR(f, "NoSuchEntity", "The group with name nobody cannot be found.", "AddUserToGroup",
               "GroupName", "nobody", "UserName", "alice");
    EXPECT_GOLDEN(f, "GetGroup", "members", "GroupName", "Admins", );
    EXPECT_GOLDEN(f, "GetGroup", "page1", "GroupName", "Admins", "MaxItems", "1", );
    EXPECT_GOLDEN(f, "ListGroups", "all", );
    EXPECT_GOLDEN(f, "ListGroups", "prefix", "PathPrefix", "/castle", );
    EXPECT_GOLDEN(f, "ListGroups", "page1", "MaxItems", "1", );
    EXPECT_GOLDEN(f, "ListGroupsForUser", "alice", "UserName", "alice", );
    EXPECT_GOLDEN(f, "ListGroupsForUser", "bob", "UserName", "bob", );

    /* AWS IAM: deleting needs members, then managed, then inline policies gone. */
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must remove users from group first.",
               "DeleteGroup", "GroupName", "guards");
    EXPECT_OK(f, "RemoveUserFromGroup", "GroupName", "guards", "UserName", "alice");
    EXPECT_OK(f, "RemoveUserFromGroup", "GroupName", "guards", "UserName", "alice");
    EXPECT_GOLDEN(f, "ListGroupsForUser", "alice_one", "UserName", "alice", );
    EXPECT_OK(f, "CreatePolicy", "PolicyName", "read", "PolicyDocument", S3READ);
    EXPECT_OK(f, "AttachGroupPolicy", "GroupName", "guards", "PolicyArn",
              "arn:aws:iam::" ACCOUNT ":policy/read");
    EXPECT_OK(f, "AttachGroupPolicy", "GroupName", "guards", "PolicyArn",
              "arn:aws:iam::aws:policy/ReadOnlyAccess");
    EXPECT_ERR(f, "NoSuchEntity",
               "Policy arn:aws:iam::" ACCOUNT ":policy/none does not exist or is not attachable.",
               "AttachGroupPolicy", "GroupName", "guards", "PolicyArn",
               "arn:aws:iam::" ACCOUNT ":policy/none");
    EXPECT_GOLDEN(f, "ListAttachedGroupPolicies", "two", "GroupName", "guards", );
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must detach all policies first.",
               "DeleteGroup", "GroupName", "guards");
    EXPECT_OK(f, "DetachGroupPolicy", "GroupName", "guards", "PolicyArn",
              "arn:aws:iam::" ACCOUNT ":policy/read");
    EXPECT_OK(f, "DetachGroupPolicy", "GroupName", "guards", "PolicyArn",
              "arn:aws:iam::aws:policy/ReadOnlyAccess");
    EXPECT_ERR(f, "NoSuchEntity", "Policy arn:aws:iam::" ACCOUNT ":policy/read was not found.",
               "DetachGroupPolicy", "GroupName", "guards", "PolicyArn",
               "arn:aws:iam::" ACCOUNT ":policy/read");
    EXPECT_OK(f, "PutGroupPolicy", "GroupName", "guards", "PolicyName", "inline1", "PolicyDocument",
              S3READ);
    EXPECT_GOLDEN(f, "GetGroupPolicy", "inline1", "GroupName", "guards", "PolicyName", "inline1", );
    EXPECT_GOLDEN(f, "ListGroupPolicies", "one", "GroupName", "guards", );
    EXPECT_ERR(f, "NoSuchEntity", "The group policy with name nope cannot be found.",
               "GetGroupPolicy", "GroupName", "guards", "PolicyName", "nope");
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must delete policies first.",
               "DeleteGroup", "GroupName", "guards");
    EXPECT_OK(f, "DeleteGroupPolicy", "GroupName", "guards", "PolicyName", "inline1");
    EXPECT_ERR(f, "NoSuchEntity", "The group policy with name inline1 cannot be found.",
               "DeleteGroupPolicy", "GroupName", "guards", "PolicyName", "inline1");
    EXPECT_GOLDEN(f, "DeleteGroup", "ok", "GroupName", "guards", );
    EXPECT_ERR(f, "NoSuchEntity", "The group with name guards cannot be found.", "GetGroup",
               "GroupName", "guards");

    /* Rename and move keep members. */
    EXPECT_OK(f, "UpdateGroup", "GroupName", "Admins", "NewGroupName", "Keepers", "NewPath",
              "/keep/");
    EXPECT_GOLDEN(f, "GetGroup", "renamed", "GroupName", "keepers", );
    EXPECT_ERR(f, "NoSuchEntity", "The group with name Admins cannot be found.", "GetGroup",
               "GroupName", "Admins");
    /* AWS IAM: a user still in a group cannot be deleted; once removed it can. */
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must remove users from group first.",
               "DeleteUser", "UserName", "bob");
    EXPECT_OK(f, "RemoveUserFromGroup", "GroupName", "keepers", "UserName", "bob");
    EXPECT_OK(f, "DeleteUser", "UserName", "bob");
    EXPECT_GOLDEN(f, "GetGroup", "after_user_delete", "GroupName", "keepers", );
}

static void
test_group_quotas(void **state)
{
    struct fixture *f = *state;
    char name[16], *doc;

    EXPECT_OK(f, "CreateUser", "UserName", "busy");
    for (int i = 0; i < 11; i++) {
        (void)snprintf(name, sizeof(name), "g%02d", i);
        EXPECT_OK(f, "CreateGroup", "GroupName", name);
        if (i < 10)
            EXPECT_OK(f, "AddUserToGroup", "GroupName", name, "UserName", "busy");
    }
    /* AWS IAM: a user is in at most 10 groups. */
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10", "AddUserToGroup",
               "GroupName", "g10", "UserName", "busy");
    /* Already a member: still fine at the quota. */
    EXPECT_OK(f, "AddUserToGroup", "GroupName", "g00", "UserName", "busy");

    /* AWS IAM: 10 managed policies per group. */
    for (int i = 0; i < 11; i++) {
        (void)snprintf(name, sizeof(name), "p%02d", i);
        EXPECT_OK(f, "CreatePolicy", "PolicyName", name, "PolicyDocument", S3READ);
    }
    for (int i = 0; i < 10; i++) {
        char arn[64];
        (void)snprintf(arn, sizeof(arn), "arn:aws:iam::" ACCOUNT ":policy/p%02d", i);
        EXPECT_OK(f, "AttachGroupPolicy", "GroupName", "g10", "PolicyArn", arn);
    }
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for PoliciesPerGroup: 10",
               "AttachGroupPolicy", "GroupName", "g10", "PolicyArn",
               "arn:aws:iam::" ACCOUNT ":policy/p10");

    /* AWS IAM: a group's inline policies share 5120 characters. */
    doc = big_doc(5121);
    EXPECT_ERR(f, "LimitExceeded", "Maximum policy size of 5120 bytes exceeded for group g01",
               "PutGroupPolicy", "GroupName", "g01", "PolicyName", "big", "PolicyDocument", doc);
    free(doc);
    doc = big_doc(5120);
    EXPECT_OK(f, "PutGroupPolicy", "GroupName", "g01", "PolicyName", "big", "PolicyDocument", doc);
    /* Replacing the same policy does not count it twice. */
    EXPECT_OK(f, "PutGroupPolicy", "GroupName", "g01", "PolicyName", "BIG", "PolicyDocument", doc);
    free(doc);
    EXPECT_ERR(f, "LimitExceeded", "Maximum policy size of 5120 bytes exceeded for group g01",
               "PutGroupPolicy", "GroupName", "g01", "PolicyName", "small", "PolicyDocument",
               S3READ);
}

static void
test_policy_versions(void **state)
{
    struct fixture *f = *state;
    const char *arn = "arn:aws:iam::" ACCOUNT ":policy/versioned";

    EXPECT_OK(f, "CreatePolicy", "PolicyName", "versioned", "PolicyDocument", S3READ);
    EXPECT_GOLDEN(f, "CreatePolicyVersion", "default", "PolicyArn", arn, "PolicyDocument", S3READ,
                  "SetAsDefault", "true", );
    EXPECT_GOLDEN(f, "CreatePolicyVersion", "not_default", "PolicyArn", arn, "PolicyDocument",
                  S3READ, );
    EXPECT_GOLDEN(f, "ListPolicyVersions", "three", "PolicyArn", arn, );
    EXPECT_GOLDEN(f, "ListPolicyVersions", "page1", "PolicyArn", arn, "MaxItems", "2", );
    EXPECT_GOLDEN(f, "ListPolicyVersions", "page2", "PolicyArn", arn, "Marker", "2", );
    EXPECT_GOLDEN(f, "GetPolicyVersion", "v2_default", "PolicyArn", arn, "VersionId", "v2", );
    EXPECT_OK(f, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", S3READ);
    EXPECT_OK(f, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", S3READ);
    /* AWS IAM: at most 5 versions. */
    EXPECT_ERR(f, "LimitExceeded",
               "A managed policy can have up to 5 versions. Before you create a new version, you "
               "must delete an existing version.",
               "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", S3READ);
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete the default version of a policy.",
               "DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v2");
    EXPECT_ERR(f, "DeleteConflict",
               "This policy has more than one version. Before you delete a policy, you must "
               "delete the policy's versions. The default version is deleted with the policy.",
               "DeletePolicy", "PolicyArn", arn);
    EXPECT_OK(f, "SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v4");
    EXPECT_ERR(f, "NoSuchEntity",
               "Policy arn:aws:iam::" ACCOUNT ":policy/versioned version v9 does not exist or is "
               "not attachable.",
               "SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v9");
    EXPECT_ERR(f, "NoSuchEntity",
               "Policy arn:aws:iam::" ACCOUNT ":policy/versioned version v9 does not exist or is "
               "not attachable.",
               "DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v9");
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value 'x1' at 'versionId' failed to satisfy "
               "constraint: Member must satisfy regular expression pattern: "
               "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
               "DeletePolicyVersion", "PolicyArn", arn, "VersionId", "x1");
    EXPECT_GOLDEN(f, "GetPolicy", "after_versions", "PolicyArn", arn, );
    for (int v = 1; v <= 5; v++) {
        char id[4];
        (void)snprintf(id, sizeof(id), "v%d", v);
        if (v != 4)
            EXPECT_OK(f, "DeletePolicyVersion", "PolicyArn", arn, "VersionId", id);
    }
    /* The next version number follows the highest ever issued (v5, deleted): never reused. */
    EXPECT_GOLDEN(f, "CreatePolicyVersion", "after_deletes", "PolicyArn", arn, "PolicyDocument",
                  S3READ, );
    EXPECT_OK(f, "DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v6");
    EXPECT_OK(f, "DeletePolicy", "PolicyArn", arn);
    EXPECT_ERR(f, "NoSuchEntity", "Policy arn:aws:iam::" ACCOUNT ":policy/versioned was not found.",
               "ListPolicyVersions", "PolicyArn", arn);
    EXPECT_GOLDEN(f, "ListPolicyVersions", "aws_managed", "PolicyArn",
                  "arn:aws:iam::aws:policy/ReadOnlyAccess", );
    EXPECT_ERR(f, "AccessDenied",
               "User: arn:aws:iam::" ACCOUNT ":root is not authorized to perform: "
               "iam:CreatePolicyVersion on resource: policy arn:aws:iam::aws:policy/ReadOnlyAccess",
               "CreatePolicyVersion", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess",
               "PolicyDocument", S3READ);
}

static void
test_entities_for_policy(void **state)
{
    struct fixture *f = *state;
    const char *arn = "arn:aws:iam::" ACCOUNT ":policy/shared";

    EXPECT_OK(f, "CreatePolicy", "PolicyName", "shared", "PolicyDocument", S3READ);
    EXPECT_OK(f, "CreateGroup", "GroupName", "devs");
    EXPECT_OK(f, "CreateUser", "UserName", "dora", "Path", "/eng/");
    EXPECT_OK(f, "CreateUser", "UserName", "ed");
    EXPECT_OK(f, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", TRUST);
    EXPECT_GOLDEN(f, "ListEntitiesForPolicy", "none", "PolicyArn", arn, );
    EXPECT_OK(f, "AttachGroupPolicy", "GroupName", "devs", "PolicyArn", arn);
    EXPECT_OK(f, "AttachUserPolicy", "UserName", "dora", "PolicyArn", arn);
    EXPECT_OK(f, "AttachUserPolicy", "UserName", "ed", "PolicyArn", arn);
    EXPECT_OK(f, "AttachRolePolicy", "RoleName", "app", "PolicyArn", arn);
    EXPECT_GOLDEN(f, "ListEntitiesForPolicy", "all", "PolicyArn", arn, );
    EXPECT_GOLDEN(f, "ListEntitiesForPolicy", "users", "PolicyArn", arn, "EntityFilter", "User", );
    EXPECT_GOLDEN(f, "ListEntitiesForPolicy", "path", "PolicyArn", arn, "PathPrefix", "/eng/", );
    EXPECT_GOLDEN(f, "ListEntitiesForPolicy", "page1", "PolicyArn", arn, "MaxItems", "2", );
    {
        /* The second page starts after the marker the first gave. */
        struct reply r;
        char marker[256];
        const char *p, *q;

        call(f, &r, "ListEntitiesForPolicy", "PolicyArn", arn, "MaxItems", "2", NULL);
        assert_int_equal(r.err, GH_OK);
        p = strstr(r.xml, "<Marker>");
        assert_non_null(p);
        p += strlen("<Marker>");
        q = strchr(p, '<');
        assert_true(q != NULL && (size_t)(q - p) < sizeof(marker));
        memcpy(marker, p, (size_t)(q - p));
        marker[q - p] = '\0';
        reply_free(&r);
        EXPECT_GOLDEN(f, "ListEntitiesForPolicy", "page2", "PolicyArn", arn, "Marker", marker, );
    }
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value 'Thing' at 'entityFilter' failed to satisfy "
               "constraint: Member must satisfy enum value set: [User, Role, Group, "
               "LocalManagedPolicy, AWSManagedPolicy]",
               "ListEntitiesForPolicy", "PolicyArn", arn, "EntityFilter", "Thing");
    EXPECT_OK(f, "PutRolePermissionsBoundary", "RoleName", "app", "PermissionsBoundary", arn);
    EXPECT_GOLDEN(f, "ListEntitiesForPolicy", "boundary", "PolicyArn", arn, "PolicyUsageFilter",
                  "PermissionsBoundary", );
}

static void
test_instance_profiles(void **state)
{
    struct fixture *f = *state;

    EXPECT_GOLDEN(f, "CreateInstanceProfile", "path_and_tags", "InstanceProfileName", "web", "Path",
                  "/app/", "Tags.member.1.Key", "env", "Tags.member.1.Value", "test", );
    EXPECT_GOLDEN(f, "CreateInstanceProfile", "plain", "InstanceProfileName", "batch", );
    EXPECT_ERR(f, "EntityAlreadyExists", "Instance Profile WEB already exists.",
               "CreateInstanceProfile", "InstanceProfileName", "WEB");
    EXPECT_OK(f, "CreateRole", "RoleName", "ec2-s3-read-role", "Path", "/app/",
              "AssumeRolePolicyDocument", TRUST);
    EXPECT_OK(f, "CreateRole", "RoleName", "other", "AssumeRolePolicyDocument", TRUST);
    EXPECT_OK(f, "AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName",
              "ec2-s3-read-role");
    /* AWS IAM: one role per profile, the same one again included. */
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
               "AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName", "other");
    EXPECT_ERR(f, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
               "AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName",
               "ec2-s3-read-role");
    EXPECT_ERR(f, "NoSuchEntity", "The role with name ghost cannot be found.",
               "AddRoleToInstanceProfile", "InstanceProfileName", "batch", "RoleName", "ghost");
    EXPECT_OK(f, "AddRoleToInstanceProfile", "InstanceProfileName", "batch", "RoleName",
              "ec2-s3-read-role");
    EXPECT_GOLDEN(f, "GetInstanceProfile", "with_role", "InstanceProfileName", "web", );
    EXPECT_GOLDEN(f, "ListInstanceProfiles", "all", );
    EXPECT_GOLDEN(f, "ListInstanceProfiles", "prefix", "PathPrefix", "/app/", );
    EXPECT_GOLDEN(f, "ListInstanceProfiles", "page1", "MaxItems", "1", );
    EXPECT_GOLDEN(f, "ListInstanceProfilesForRole", "two", "RoleName", "ec2-s3-read-role", );
    EXPECT_GOLDEN(f, "ListInstanceProfilesForRole", "none", "RoleName", "other", );
    EXPECT_ERR(f, "DeleteConflict",
               "Cannot delete entity, must remove roles from instance profile first.",
               "DeleteInstanceProfile", "InstanceProfileName", "web");

    EXPECT_OK(f, "TagInstanceProfile", "InstanceProfileName", "web", "Tags.member.1.Key", "team",
              "Tags.member.1.Value", "castle", "Tags.member.2.Key", "ENV", "Tags.member.2.Value",
              "prod");
    EXPECT_GOLDEN(f, "ListInstanceProfileTags", "two", "InstanceProfileName", "web", );
    EXPECT_OK(f, "UntagInstanceProfile", "InstanceProfileName", "web", "TagKeys.member.1", "team");
    EXPECT_GOLDEN(f, "ListInstanceProfileTags", "one", "InstanceProfileName", "web", );
    EXPECT_ERR(f, "NoSuchEntity", "Instance Profile nope cannot be found.",
               "ListInstanceProfileTags", "InstanceProfileName", "nope");

    EXPECT_OK(f, "RemoveRoleFromInstanceProfile", "InstanceProfileName", "web", "RoleName",
              "ec2-s3-read-role");
    EXPECT_ERR(f, "NoSuchEntity", "The role with name ec2-s3-read-role cannot be found.",
               "RemoveRoleFromInstanceProfile", "InstanceProfileName", "web", "RoleName",
               "ec2-s3-read-role");
    EXPECT_GOLDEN(f, "DeleteInstanceProfile", "ok", "InstanceProfileName", "web", );
    EXPECT_ERR(f, "NoSuchEntity", "Instance Profile web cannot be found.", "GetInstanceProfile",
               "InstanceProfileName", "web");
    /* Recreated under the same name: the old tags are gone. */
    EXPECT_OK(f, "CreateInstanceProfile", "InstanceProfileName", "web");
    EXPECT_GOLDEN(f, "ListInstanceProfileTags", "none", "InstanceProfileName", "web", );
}

static void
test_boundaries(void **state)
{
    struct fixture *f = *state;
    const char *arn = "arn:aws:iam::" ACCOUNT ":policy/fence";

    EXPECT_OK(f, "CreatePolicy", "PolicyName", "fence", "PolicyDocument", S3READ);
    EXPECT_OK(f, "CreateUser", "UserName", "fay");
    EXPECT_OK(f, "CreateRole", "RoleName", "bounded", "AssumeRolePolicyDocument", TRUST);
    EXPECT_OK(f, "PutUserPermissionsBoundary", "UserName", "fay", "PermissionsBoundary", arn);
    EXPECT_GOLDEN(f, "GetUser", "with_boundary", "UserName", "fay", );
    EXPECT_GOLDEN(f, "GetPolicy", "boundary_usage", "PolicyArn", arn, );
    EXPECT_ERR(f, "NoSuchEntity",
               "Policy arn:aws:iam::" ACCOUNT ":policy/none does not exist or is not attachable.",
               "PutUserPermissionsBoundary", "UserName", "fay", "PermissionsBoundary",
               "arn:aws:iam::" ACCOUNT ":policy/none");
    EXPECT_ERR(f, "NoSuchEntity", "The user with name ghost cannot be found.",
               "PutUserPermissionsBoundary", "UserName", "ghost", "PermissionsBoundary", arn);
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value null at 'permissionsBoundary' failed to "
               "satisfy constraint: Member must not be null",
               "PutUserPermissionsBoundary", "UserName", "fay");
    /* AWS managed policies may be boundaries. */
    EXPECT_OK(f, "PutRolePermissionsBoundary", "RoleName", "bounded", "PermissionsBoundary",
              "arn:aws:iam::aws:policy/PowerUserAccess");
    EXPECT_GOLDEN(f, "GetRole", "with_boundary", "RoleName", "bounded", );
    EXPECT_OK(f, "DeleteRolePermissionsBoundary", "RoleName", "bounded");
    EXPECT_GOLDEN(f, "GetRole", "boundary_removed", "RoleName", "bounded", );
    EXPECT_OK(f, "DeleteUserPermissionsBoundary", "UserName", "fay");
    EXPECT_GOLDEN(f, "GetUser", "boundary_removed", "UserName", "fay", );
    EXPECT_ERR(f, "NoSuchEntity", "The role with name ghost cannot be found.",
               "DeleteRolePermissionsBoundary", "RoleName", "ghost");
}

/* Every action this file covers is dispatched by the service table. */
static void
test_dispatch(void **state)
{
    static const char *const names[] = {
#define GH_NAME(n, fl) #n,
        GH_IAM_ACTIONS_GROUPS(GH_NAME)
#undef GH_NAME
    };
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(names); i++) {
        bool found = false;
        for (size_t j = 0; j < gh_iam_service.nactions && !found; j++)
            found = strcmp(gh_iam_service.actions[j].name, names[i]) == 0;
        if (!found)
            fail_msg("%s is not dispatched", names[i]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test_setup_teardown(test_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_quotas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entities_for_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instance_profiles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boundaries, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
