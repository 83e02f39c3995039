"""test_sec_names.py: names with a NUL byte are refused, with boto3 against a
real server. The AWS name patterns ([\\w+=,.@-] and kin) have no NUL; a check
written with strchr() matched NUL against the set's terminator, so
"ab\\x00cd" passed as a role session name (and the session's ARN then said
"ab") and as an IAM user name."""
import json

from helpers import ALLOW_ALL, expect_error

TRUST_ACCOUNT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}


def validation(member, pattern):
    # AWS: "1 validation error detected: Value '...' at 'member' failed to
    # satisfy constraint: Member must satisfy regular expression pattern: P"
    return f"at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"


def test_role_session_name_with_nul_refused(gh):
    iam = gh.client("iam")
    account = gh.client("sts").get_caller_identity()["Account"]
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))
    iam.create_user(UserName="u1")
    iam.put_user_policy(UserName="u1", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    key = iam.create_access_key(UserName="u1")["AccessKey"]
    sts = gh.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    role = f"arn:aws:iam::{account}:role/r1"
    err = expect_error(lambda: sts.assume_role(RoleArn=role, RoleSessionName="ab\x00cd"),
                       "ValidationError", status=400)
    assert validation("roleSessionName", "[\\w+=,.@-]*") in err["Message"]
    expect_error(lambda: sts.assume_role(RoleArn=role, RoleSessionName="ok", ExternalId="ab\x00cd"),
                 "ValidationError", status=400)
    # The same name without the NUL works.
    assert sts.assume_role(RoleArn=role, RoleSessionName="abcd")["AssumedRoleUser"]["Arn"].endswith(
        "/r1/abcd")


def test_iam_user_name_with_nul_refused(gh):
    iam = gh.client("iam")
    err = expect_error(lambda: iam.create_user(UserName="bob\x00admin"), "ValidationError", status=400)
    assert validation("userName", "[\\w+=,.@-]+") in err["Message"]
    assert [u["UserName"] for u in iam.list_users()["Users"]] == []
    expect_error(lambda: iam.create_policy(PolicyName="p", Path="/a\x00b/",
                                           PolicyDocument=json.dumps(ALLOW_ALL)),
                 "ValidationError", status=400)
