/*
 * test_iam_login.c: console passwords (login profiles) and the account
 * password policy: AWS's default policy, a custom policy's rules in
 * AWS's words, reuse prevention, ChangePassword by the user itself.
 */
#include "iam_fixture.h"

static void
test_password_policy(void **state)
{
    struct fixture *f = *state;

    EXPECT_ERR(f, "NoSuchEntity",
               "The Password Policy with domain name " ACCOUNT " cannot be found.",
               "GetAccountPasswordPolicy");
    EXPECT_ERR(f, "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.",
               "DeleteAccountPasswordPolicy");
    EXPECT_OK(f, "UpdateAccountPasswordPolicy");
    EXPECT_GOLDEN(f, "GetAccountPasswordPolicy", "defaults", );
    EXPECT_OK(f, "UpdateAccountPasswordPolicy", "MinimumPasswordLength", "12", "RequireSymbols",
              "true", "RequireNumbers", "true", "RequireUppercaseCharacters", "true",
              "RequireLowercaseCharacters", "true", "AllowUsersToChangePassword", "true",
              "MaxPasswordAge", "90", "PasswordReusePrevention", "2", "HardExpiry", "false");
    EXPECT_GOLDEN(f, "GetAccountPasswordPolicy", "strict", );
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value '5' at 'minimumPasswordLength' failed to "
               "satisfy constraint: Member must have value greater than or equal to 6",
               "UpdateAccountPasswordPolicy", "MinimumPasswordLength", "5");
    EXPECT_OK(f, "DeleteAccountPasswordPolicy");
}

static void
test_login_profiles(void **state)
{
    struct fixture *f = *state;

    EXPECT_OK(f, "CreateUser", "UserName", "bob");
    /* AWS's default policy: 8 characters, three kinds of character. */
    EXPECT_ERR(f, "PasswordPolicyViolation", "Password does not conform to the account password policy.",
               "CreateLoginProfile", "UserName", "bob", "Password", "short1A");
    EXPECT_ERR(f, "PasswordPolicyViolation", "Password does not conform to the account password policy.",
               "CreateLoginProfile", "UserName", "bob", "Password", "alllowercase1");
    EXPECT_GOLDEN(f, "CreateLoginProfile", "reset", "UserName", "bob", "Password", "Castle-Gate-1",
                  "PasswordResetRequired", "true", );
    EXPECT_ERR(f, "EntityAlreadyExists", "Login Profile for user bob already exists.",
               "CreateLoginProfile", "UserName", "bob", "Password", "Castle-Gate-1");
    EXPECT_GOLDEN(f, "GetLoginProfile", "bob", "UserName", "bob", );
    EXPECT_ERR(f, "NoSuchEntity", "The user with name nobody cannot be found.", "GetLoginProfile",
               "UserName", "nobody");
    /* AWS IAM: a user with a password cannot be deleted. */
    EXPECT_ERR(f, "DeleteConflict", "Cannot delete entity, must delete login profile first.",
               "DeleteUser", "UserName", "bob");

    EXPECT_OK(f, "UpdateAccountPasswordPolicy", "MinimumPasswordLength", "10", "RequireSymbols",
              "true", "RequireNumbers", "true", "RequireUppercaseCharacters", "true",
              "RequireLowercaseCharacters", "true", "PasswordReusePrevention", "2",
              "AllowUsersToChangePassword", "true");
    EXPECT_ERR(f, "PasswordPolicyViolation", "Password should have a minimum length of 10",
               "UpdateLoginProfile", "UserName", "bob", "Password", "Aa1!");
    EXPECT_ERR(f, "PasswordPolicyViolation", "Password should have at least one uppercase letter",
               "UpdateLoginProfile", "UserName", "bob", "Password", "aaaaaaaaa1!");
    EXPECT_ERR(f, "PasswordPolicyViolation", "Password should have at least one lowercase letter",
               "UpdateLoginProfile", "UserName", "bob", "Password", "AAAAAAAAA1!");
    EXPECT_ERR(f, "PasswordPolicyViolation", "Password should have at least one number",
               "UpdateLoginProfile", "UserName", "bob", "Password", "AAAAAaaaaa!");
    EXPECT_ERR(f, "PasswordPolicyViolation", "Password should have at least one symbol",
               "UpdateLoginProfile", "UserName", "bob", "Password", "AAAAAaaaaa1");
    EXPECT_ERR(f, "PasswordPolicyViolation", "Password should not be one of your previous 2 passwords.",
               "UpdateLoginProfile", "UserName", "bob", "Password", "Castle-Gate-1");
    EXPECT_OK(f, "UpdateLoginProfile", "UserName", "bob", "Password", "Castle-Gate-2",
              "PasswordResetRequired", "false");
    EXPECT_GOLDEN(f, "GetLoginProfile", "no_reset", "UserName", "bob", );

    /* ChangePassword: the user's own, with the old password. */
    EXPECT_ERR(f, "InvalidUserType", "Only IAM Users can change their own password.",
               "ChangePassword", "OldPassword", "Castle-Gate-2", "NewPassword", "Castle-Gate-3");
    f->caller.type = GH_PRINCIPAL_USER;
    f->caller.name = GH_S("bob");
    f->caller.arn = GH_S("arn:aws:iam::" ACCOUNT ":user/bob");
    EXPECT_ERR(f, "InvalidInput", "The old password was incorrect.", "ChangePassword",
               "OldPassword", "Castle-Gate-1", "NewPassword", "Castle-Gate-3");
    EXPECT_ERR(f, "PasswordPolicyViolation", "Password should have at least one symbol", "ChangePassword",
               "OldPassword", "Castle-Gate-2", "NewPassword", "CastleGate33");
    EXPECT_OK(f, "ChangePassword", "OldPassword", "Castle-Gate-2", "NewPassword", "Castle-Gate-3");
    f->caller.type = GH_PRINCIPAL_ROOT;
    f->caller.arn = GH_S("arn:aws:iam::" ACCOUNT ":root");
    EXPECT_GOLDEN(f, "GetLoginProfile", "changed", "UserName", "bob", );
    EXPECT_OK(f, "DeleteLoginProfile", "UserName", "bob");
    EXPECT_ERR(f, "NoSuchEntity", "Login Profile for User bob cannot be found.",
               "DeleteLoginProfile", "UserName", "bob");
    EXPECT_OK(f, "DeleteUser", "UserName", "bob");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_password_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_profiles, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
