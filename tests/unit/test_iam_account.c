/*
 * test_iam_account.c: the account alias (one per account, unique across
 * the store, AWS's pattern, replacement on create), GetAccountSummary's
 * counts and quotas, and GetAccountAuthorizationDetails with its filters
 * and Marker/MaxItems pages; the credential report and
 * GetAccessKeyLastUsed with gh_iam_key_used; service-linked roles and
 * their protection.
 */
#include "iam_fixture.h"

#define OTHER "210987654321"

/* Group and instance-profile ids too are random (the fixture fixes the others). */
static void
mask_ids(char *s)
{
    static const char *const prefixes[] = {"AGPA", "AIPA"};

    for (size_t k = 0; k < GH_ARRAY_LEN(prefixes); k++)
        for (char *p = strstr(s, prefixes[k]); p != NULL; p = strstr(p + 4, prefixes[k]))
            for (size_t i = 4; (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '2' && p[i] <= '7'); i++)
                p[i] = 'X';
}

#define GOLDEN_MASKED(f, action, name, ...)                                                        \
    do {                                                                                           \
        struct reply r_;                                                                           \
        call((f), &r_, action, __VA_ARGS__ NULL);                                                  \
        mask_ids(r_.xml);                                                                          \
        golden(&r_, action, name);                                                                 \
        reply_free(&r_);                                                                           \
    } while (0)

static void
as_account(struct fixture *f, const char *account)
{
    memcpy(f->caller.account, account, 13);
}

static void
test_alias(void **state)
{
    struct fixture *f = *state;
    struct gh_store_tx *tx;

    EXPECT_GOLDEN(f, "ListAccountAliases", "none", );
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value 'Bad-Alias' at 'accountAlias' failed to satisfy "
               "constraint: Member must satisfy regular expression pattern: "
               "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
               "CreateAccountAlias", "AccountAlias", "Bad-Alias");
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value 'a--b' at 'accountAlias' failed to satisfy "
               "constraint: Member must satisfy regular expression pattern: "
               "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
               "CreateAccountAlias", "AccountAlias", "a--b");
    EXPECT_ERR(f, "ValidationError",
               "2 validation errors detected: Value 'ab' at 'accountAlias' failed to satisfy "
               "constraint: Member must have length greater than or equal to 3; Value 'ab' at "
               "'accountAlias' failed to satisfy constraint: Member must satisfy regular "
               "expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
               "CreateAccountAlias", "AccountAlias", "ab");
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value 'abc-' at 'accountAlias' failed to satisfy "
               "constraint: Member must satisfy regular expression pattern: "
               "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
               "CreateAccountAlias", "AccountAlias", "abc-");
    EXPECT_OK(f, "CreateAccountAlias", "AccountAlias", "castle-gate");
    EXPECT_GOLDEN(f, "ListAccountAliases", "one", );
    EXPECT_ERR(f, "EntityAlreadyExists", "The account alias castle-gate already exists.",
               "CreateAccountAlias", "AccountAlias", "castle-gate");
    /* AWS IAM: a second alias replaces the first. */
    EXPECT_OK(f, "CreateAccountAlias", "AccountAlias", "castle-2");
    EXPECT_GOLDEN(f, "ListAccountAliases", "replaced", );

    /* Another account of the store cannot take it, but can take the freed one. */
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_account_create(tx, OTHER, NOW), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    as_account(f, OTHER);
    EXPECT_GOLDEN(f, "ListAccountAliases", "none", );
    EXPECT_ERR(f, "EntityAlreadyExists", "The account alias castle-2 already exists.",
               "CreateAccountAlias", "AccountAlias", "castle-2");
    EXPECT_OK(f, "CreateAccountAlias", "AccountAlias", "castle-gate");
    EXPECT_ERR(f, "NoSuchEntity", "The account alias castle-2 cannot be found.",
               "DeleteAccountAlias", "AccountAlias", "castle-2");
    as_account(f, ACCOUNT);
    EXPECT_OK(f, "DeleteAccountAlias", "AccountAlias", "castle-2");
    EXPECT_GOLDEN(f, "ListAccountAliases", "none", );
    EXPECT_ERR(f, "NoSuchEntity", "The account alias castle-2 cannot be found.",
               "DeleteAccountAlias", "AccountAlias", "castle-2");
}

#define TRUST                                                                                      \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":" \
    "\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
#define PERMS                                                                                      \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\","     \
    "\"Resource\":\"*\"}]}"

/* bob in group readers, role app in profile app-profile, policy p1 with two versions. */
static void
populate(struct fixture *f)
{
    EXPECT_OK(f, "CreateUser", "UserName", "bob", "Tags.member.1.Key", "team",
              "Tags.member.1.Value", "gate");
    EXPECT_OK(f, "CreateUser", "UserName", "carol", "Path", "/staff/");
    EXPECT_OK(f, "PutUserPolicy", "UserName", "bob", "PolicyName", "inline1", "PolicyDocument",
              PERMS);
    EXPECT_OK(f, "CreateGroup", "GroupName", "readers");
    EXPECT_OK(f, "AddUserToGroup", "GroupName", "readers", "UserName", "bob");
    EXPECT_OK(f, "PutGroupPolicy", "GroupName", "readers", "PolicyName", "gp", "PolicyDocument",
              PERMS);
    EXPECT_OK(f, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", TRUST);
    EXPECT_OK(f, "CreateInstanceProfile", "InstanceProfileName", "app-profile");
    EXPECT_OK(f, "AddRoleToInstanceProfile", "InstanceProfileName", "app-profile", "RoleName",
              "app");
    EXPECT_OK(f, "CreatePolicy", "PolicyName", "p1", "PolicyDocument", PERMS);
    EXPECT_OK(f, "CreatePolicyVersion", "PolicyArn", "arn:aws:iam::" ACCOUNT ":policy/p1",
              "PolicyDocument", PERMS, "SetAsDefault", "true");
    EXPECT_OK(f, "AttachRolePolicy", "RoleName", "app", "PolicyArn",
              "arn:aws:iam::" ACCOUNT ":policy/p1");
    EXPECT_OK(f, "AttachUserPolicy", "UserName", "bob", "PolicyArn",
              "arn:aws:iam::aws:policy/ReadOnlyAccess");
    EXPECT_OK(f, "AttachGroupPolicy", "GroupName", "readers", "PolicyArn",
              "arn:aws:iam::aws:policy/ReadOnlyAccess");
}

static void
test_summary(void **state)
{
    struct fixture *f = *state;

    EXPECT_GOLDEN(f, "GetAccountSummary", "empty", );
    populate(f);
    EXPECT_OK(f, "CreateVirtualMFADevice", "VirtualMFADeviceName", "phone");
    EXPECT_GOLDEN(f, "GetAccountSummary", "populated", );
}

static void
test_details(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char marker[32];

    populate(f);
    GOLDEN_MASKED(f, "GetAccountAuthorizationDetails", "user_filter", "Filter.member.1", "User", );
    GOLDEN_MASKED(f, "GetAccountAuthorizationDetails", "role_group", "Filter.member.1", "Role",
                  "Filter.member.2", "Group", );
    GOLDEN_MASKED(f, "GetAccountAuthorizationDetails", "policies", "Filter.member.1",
                  "LocalManagedPolicy", "Filter.member.2", "AWSManagedPolicy", );
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value 'Users' at 'filter.1.member' failed to satisfy "
               "constraint: Member must satisfy enum value set: [Role, AWSManagedPolicy, "
               "LocalManagedPolicy, User, Group]",
               "GetAccountAuthorizationDetails", "Filter.member.1", "Users");

    /* Pages: 2 users, 1 group, 1 role, 2 policies = 6 items, 4 then 2. */
    call(f, &r, "GetAccountAuthorizationDetails", "MaxItems", "4", NULL);
    assert_int_equal(r.err, GH_OK);
    mask_ids(r.xml);
    golden(&r, "GetAccountAuthorizationDetails", "page1");
    xml_text(r.raw, "Marker", marker, sizeof(marker));
    reply_free(&r);
    call(f, &r, "GetAccountAuthorizationDetails", "MaxItems", "4", "Marker", marker, NULL);
    assert_int_equal(r.err, GH_OK);
    mask_ids(r.xml);
    golden(&r, "GetAccountAuthorizationDetails", "page2");
    assert_null(strstr(r.raw, "<Marker>"));
    reply_free(&r);
    EXPECT_ERR(f, "InvalidInput", "Invalid Marker.", "GetAccountAuthorizationDetails", "Marker",
               "99");
}

/* The decoded Content of GetCredentialReport into a heap string. */
static char *
report_csv(struct fixture *f)
{
    struct reply r;
    struct gh_buf dec;
    char *b64 = malloc(1 << 20), *out;

    assert_non_null(b64);
    call(f, &r, "GetCredentialReport", NULL);
    assert_int_equal(r.err, GH_OK);
    assert_non_null(strstr(r.raw, "<ReportFormat>text/csv</ReportFormat><GeneratedTime>"
                                  "2025-11-25T16:21:10Z</GeneratedTime>"));
    xml_text(r.raw, "Content", b64, 1 << 20);
    gh_buf_init(&dec, 0);
    assert_int_equal(gh_base64_decode(gh_slice_from_cstr(b64), false, &dec), GH_OK);
    out = strndup(dec.ptr, dec.len);
    assert_non_null(out);
    gh_buf_cleanup(&dec);
    reply_free(&r);
    free(b64);
    return out;
}

static void
test_credential_report(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char akid[32], *csv;
    struct gh_store_tx *tx;
    struct gh_access_key k;
    struct gh_arena a;

    EXPECT_ERR(f, "ReportNotPresent",
               "The request was rejected because the credential report does not exist. To "
               "generate a credential report, use GenerateCredentialReport.",
               "GetCredentialReport");
    EXPECT_OK(f, "CreateUser", "UserName", "bob");
    EXPECT_OK(f, "CreateUser", "UserName", "amy");
    EXPECT_OK(f, "CreateLoginProfile", "UserName", "bob", "Password", "Castle-Gate-1");
    call(f, &r, "CreateAccessKey", "UserName", "bob", NULL);
    assert_int_equal(r.err, GH_OK);
    xml_text(r.raw, "AccessKeyId", akid, sizeof(akid));
    reply_free(&r);
    EXPECT_OK(f, "UpdateAccountPasswordPolicy", "MaxPasswordAge", "90");
    EXPECT_GOLDEN(f, "GenerateCredentialReport", "started", );
    EXPECT_GOLDEN(f, "GenerateCredentialReport", "complete", );
    csv = report_csv(f);
    {
        char want[2048];

        (void)snprintf(
            want, sizeof(want),
            "user,arn,user_creation_time,password_enabled,password_last_used,"
            "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
            "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
            "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
            "access_key_2_last_used_date,access_key_2_last_used_region,"
            "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
            "cert_2_last_rotated\n"
            "<root_account>,arn:aws:iam::" ACCOUNT ":root,2025-11-25T16:21:10+00:00,not_supported,"
            "no_information,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,"
            "N/A,N/A,N/A,false,N/A,false,N/A\n"
            "amy,arn:aws:iam::" ACCOUNT ":user/amy,2025-11-25T16:21:10+00:00,false,N/A,N/A,N/A,"
            "false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
            "bob,arn:aws:iam::" ACCOUNT ":user/bob,2025-11-25T16:21:10+00:00,true,no_information,"
            "2025-11-25T16:21:10+00:00,2026-02-23T16:21:10+00:00,false,true,"
            "2025-11-25T16:21:10+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n");
        assert_string_equal(csv, want);
    }
    free(csv);

    /* GetAccessKeyLastUsed: N/A until gh_iam_key_used records a use. */
    EXPECT_GOLDEN(f, "GetAccessKeyLastUsed", "never", "AccessKeyId", akid, );
    EXPECT_ERR(f, "NoSuchEntity", "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found",
               "GetAccessKeyLastUsed", "AccessKeyId", "AKIAAAAAAAAAAAAAAAAA");
    assert_int_equal(
        gh_iam_key_used(f->store, gh_slice_from_cstr(akid), GH_S("iam"), GH_S("us-east-1"), NOW),
        GH_OK);
    EXPECT_GOLDEN(f, "GetAccessKeyLastUsed", "used", "AccessKeyId", akid, );
    /* Within 60 s nothing is written; after, the new use is. */
    assert_int_equal(gh_iam_key_used(f->store, gh_slice_from_cstr(akid), GH_S("s3"),
                                     GH_S("eu-west-1"), NOW + 30),
                     GH_OK);
    gh_arena_init(&a);
    assert_int_equal(gh_store_tx_begin(f->store, false, &tx), GH_OK);
    assert_int_equal(gh_store_access_key_get(tx, &a, gh_slice_from_cstr(akid), &k, NULL), GH_OK);
    assert_int_equal(k.last_used, NOW);
    assert_true(gh_slice_eq_cstr(k.last_used_service, "iam"));
    gh_store_tx_rollback(tx);
    assert_int_equal(gh_iam_key_used(f->store, gh_slice_from_cstr(akid), GH_S("s3"),
                                     GH_S("eu-west-1"), NOW + 61),
                     GH_OK);
    assert_int_equal(gh_store_tx_begin(f->store, false, &tx), GH_OK);
    assert_int_equal(gh_store_access_key_get(tx, &a, gh_slice_from_cstr(akid), &k, NULL), GH_OK);
    assert_int_equal(k.last_used, NOW + 61);
    assert_true(gh_slice_eq_cstr(k.last_used_service, "s3"));
    assert_true(gh_slice_eq_cstr(k.last_used_region, "eu-west-1"));
    gh_store_tx_rollback(tx);
    gh_arena_cleanup(&a);
    assert_int_equal(
        gh_iam_key_used(f->store, GH_S("ASIAXXXXXXXXXXXXXXXX"), GH_S("s3"), GH_S("eu-west-1"), NOW),
        GH_ERR_NOT_FOUND);
}

#define SLR "AWSServiceRoleForAutoScaling"
#define SLR_MSG                                                                                    \
    "Cannot perform the operation on the protected role '" SLR                                     \
    "' - this role is only modifiable by AWS"

static void
test_service_linked(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char task[256], status[256];

    EXPECT_GOLDEN(f, "CreateServiceLinkedRole", "autoscaling", "AWSServiceName",
                  "autoscaling.amazonaws.com", "Description", "for the fleet", );
    EXPECT_ERR(f, "InvalidInput",
               "Service role name " SLR " has been taken in this account, please try a different "
               "suffix.",
               "CreateServiceLinkedRole", "AWSServiceName", "autoscaling.amazonaws.com");
    EXPECT_OK(f, "CreateServiceLinkedRole", "AWSServiceName", "autoscaling.amazonaws.com",
              "CustomSuffix", "ci");
    EXPECT_OK(f, "GetRole", "RoleName", SLR "_ci");
    EXPECT_ERR(f, "InvalidInput", "Custom suffix is not allowed for ecs.amazonaws.com",
               "CreateServiceLinkedRole", "AWSServiceName", "ecs.amazonaws.com", "CustomSuffix",
               "x");
    EXPECT_ERR(f, "InvalidInput", "Invalid ServiceName: nothing.amazonaws.com",
               "CreateServiceLinkedRole", "AWSServiceName", "nothing.amazonaws.com");
    EXPECT_OK(f, "CreateServiceLinkedRole", "AWSServiceName", "elasticloadbalancing.amazonaws.com");
    EXPECT_OK(f, "GetRole", "RoleName", "AWSServiceRoleForElasticLoadBalancing");

    /* AWS IAM: only the service changes its role. */
    EXPECT_ERR(f, "UnmodifiableEntity", SLR_MSG, "DeleteRole", "RoleName", SLR);
    EXPECT_ERR(f, "UnmodifiableEntity", SLR_MSG, "UpdateAssumeRolePolicy", "RoleName", SLR,
               "PolicyDocument", TRUST);
    EXPECT_ERR(f, "UnmodifiableEntity", SLR_MSG, "PutRolePolicy", "RoleName", SLR, "PolicyName",
               "x", "PolicyDocument", PERMS);
    EXPECT_ERR(f, "UnmodifiableEntity", SLR_MSG, "AttachRolePolicy", "RoleName", SLR, "PolicyArn",
               "arn:aws:iam::aws:policy/ReadOnlyAccess");
    EXPECT_ERR(f, "UnmodifiableEntity", SLR_MSG, "UpdateRole", "RoleName", SLR,
               "MaxSessionDuration", "7200");
    EXPECT_ERR(f, "UnmodifiableEntity", SLR_MSG, "PutRolePermissionsBoundary", "RoleName", SLR,
               "PermissionsBoundary", "arn:aws:iam::aws:policy/ReadOnlyAccess");
    EXPECT_OK(f, "UpdateRoleDescription", "RoleName", SLR, "Description", "edited");
    /* An ordinary role is not guarded, and is not service-linked. */
    EXPECT_OK(f, "CreateRole", "RoleName", "plain", "AssumeRolePolicyDocument", TRUST);
    EXPECT_OK(f, "PutRolePolicy", "RoleName", "plain", "PolicyName", "x", "PolicyDocument", PERMS);
    EXPECT_ERR(f, "InvalidInput", "Role plain is not a service-linked role.",
               "DeleteServiceLinkedRole", "RoleName", "plain");

    call(f, &r, "DeleteServiceLinkedRole", "RoleName", SLR, NULL);
    assert_int_equal(r.err, GH_OK);
    golden(&r, "DeleteServiceLinkedRole", "autoscaling");
    xml_text(r.raw, "DeletionTaskId", task, sizeof(task));
    reply_free(&r);
    assert_int_equal(strncmp(task, "task/aws-service-role/autoscaling.amazonaws.com/" SLR "/",
                             strlen("task/aws-service-role/autoscaling.amazonaws.com/" SLR "/")),
                     0);
    assert_int_equal(strlen(task),
                     strlen("task/aws-service-role/autoscaling.amazonaws.com/" SLR "/") + 36);
    call(f, &r, "GetServiceLinkedRoleDeletionStatus", "DeletionTaskId", task, NULL);
    assert_int_equal(r.err, GH_OK);
    xml_text(r.raw, "Status", status, sizeof(status));
    assert_string_equal(status, "SUCCEEDED");
    reply_free(&r);
    EXPECT_ERR(f, "NoSuchEntity", "The role with name " SLR " cannot be found.", "GetRole",
               "RoleName", SLR);
    EXPECT_ERR(f, "NoSuchEntity", "Deletion task task/aws-service-role/x/y/z cannot be found.",
               "GetServiceLinkedRoleDeletionStatus", "DeletionTaskId",
               "task/aws-service-role/x/y/z");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alias, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_details, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credential_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_service_linked, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
