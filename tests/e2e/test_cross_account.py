"""test_cross_account.py: two accounts made with `aws organizations`, entered through OrganizationAccountAccessRole, and a partner role in account B that trusts account A with an ExternalId: cross-account AssumeRole needs both B's trust policy and A's identity policy."""
import json

from conftest import cli_error
from helpers import expect_error


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def make_user(gh, name, policy=None):
    iam = gh.client("iam")
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    gh.add_profile(name, k["AccessKeyId"], k["SecretAccessKey"])
    return k["AccessKeyId"], k["SecretAccessKey"]


def create_account_b(gh):
    """create-organization and create-account with the CLI; returns B's account id."""
    org = gh.aws("organizations", "create-organization")["Organization"]
    assert org["MasterAccountId"] == gh.account_id and org["FeatureSet"] == "ALL"
    st = gh.aws("organizations", "create-account", "--email", "b@example.com", "--account-name", "B")
    req_id = st["CreateAccountStatus"]["Id"]
    st = gh.aws("organizations", "describe-create-account-status", "--create-account-request-id", req_id)
    st = st["CreateAccountStatus"]
    assert st["State"] == "SUCCEEDED", st
    b = st["AccountId"]
    assert len(b) == 12 and b.isdigit() and b != gh.account_id
    accounts = gh.aws("organizations", "list-accounts")["Accounts"]
    assert sorted(a["Id"] for a in accounts) == sorted([gh.account_id, b])
    return b


def creds(out):
    c = out["Credentials"]
    return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]


def test_cross_account_external_id(gh):
    a = gh.account_id
    b = create_account_b(gh)
    org_role = f"arn:aws:iam::{b}:role/OrganizationAccountAccessRole"

    # An administrator of A enters B through OrganizationAccountAccessRole.
    make_user(gh, "admin", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": org_role}))
    out = gh.aws("sts", "assume-role", "--role-arn", org_role, "--role-session-name", "setup", profile="admin")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{b}:assumed-role/OrganizationAccountAccessRole/setup"
    gh.add_profile("in-b", *creds(out))
    me = gh.aws("sts", "get-caller-identity", profile="in-b")
    assert me["Account"] == b and me["Arn"] == out["AssumedRoleUser"]["Arn"]
    assert gh.aws("sts", "get-access-key-info", "--access-key-id", out["Credentials"]["AccessKeyId"])["Account"] == b

    # From inside B: a role trusting account A, guarded by an ExternalId.
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a}:root"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"sts:ExternalId": "partner-7f3f"}}})
    role = gh.aws("iam", "create-role", "--role-name", "partner", "--assume-role-policy-document", trust,
                  profile="in-b")["Role"]
    partner = f"arn:aws:iam::{b}:role/partner"
    assert role["Arn"] == partner
    gh.aws("iam", "put-role-policy", "--role-name", "partner", "--policy-name", "read-roles", "--policy-document",
           doc({"Effect": "Allow", "Action": ["iam:GetRole", "iam:ListRoles"], "Resource": "*"}), profile="in-b")
    # The role lives in B, not in A.
    cp = gh.aws("iam", "get-role", "--role-name", "partner", check=False)
    assert cli_error(cp)[0] == "NoSuchEntity", cp.stderr

    # A user of A allowed to assume it: refused without the ExternalId, admitted with it.
    make_user(gh, "dev", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": partner}))
    refused = f"User: arn:aws:iam::{a}:user/dev is not authorized to perform: sts:AssumeRole on resource: {partner}"
    cp = gh.aws("sts", "assume-role", "--role-arn", partner, "--role-session-name", "pp", profile="dev", check=False)
    assert cli_error(cp) == ("AccessDenied", refused), cp.stderr
    cp = gh.aws("sts", "assume-role", "--role-arn", partner, "--role-session-name", "pp", "--external-id", "wrong-id",
                profile="dev", check=False)
    assert cli_error(cp) == ("AccessDenied", refused), cp.stderr
    out = gh.aws("sts", "assume-role", "--role-arn", partner, "--role-session-name", "pp", "--external-id",
                 "partner-7f3f", profile="dev")
    gh.add_profile("partner", *creds(out))
    me = gh.aws("sts", "get-caller-identity", profile="partner")
    assert me["Account"] == b and me["Arn"] == f"arn:aws:sts::{b}:assumed-role/partner/pp"
    # The session acts in B with the role's permissions only.
    names = [r["RoleName"] for r in gh.aws("iam", "list-roles", profile="partner")["Roles"]]
    assert "partner" in names and "OrganizationAccountAccessRole" in names
    cp = gh.aws("iam", "create-user", "--user-name", "x", profile="partner", check=False)
    assert cli_error(cp) == (
        "AccessDenied",
        f"User: arn:aws:sts::{b}:assumed-role/partner/pp is not authorized to perform: iam:CreateUser on "
        f"resource: arn:aws:iam::{b}:user/x because no identity-based policy allows the iam:CreateUser action"), \
        cp.stderr

    # B's trust allows A, but A's user has no sts:AssumeRole: both sides are needed.
    keys = make_user(gh, "nobody")
    expect_error(lambda: gh.client("sts", *keys).assume_role(RoleArn=partner, RoleSessionName="nn",
                                                             ExternalId="partner-7f3f"),
                 "AccessDenied",
                 f"User: arn:aws:iam::{a}:user/nobody is not authorized to perform: sts:AssumeRole on resource: "
                 f"{partner}")
    # Allowing sts:AssumeRole on other resources only does not help either.
    keys = make_user(gh, "elsewhere", doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                                           "Resource": f"arn:aws:iam::{a}:role/*"}))
    expect_error(lambda: gh.client("sts", *keys).assume_role(RoleArn=partner, RoleSessionName="nn",
                                                             ExternalId="partner-7f3f"), "AccessDenied")
    # A's root may not assume roles at all.
    expect_error(lambda: gh.client("sts").assume_role(RoleArn=partner, RoleSessionName="rr",
                                                      ExternalId="partner-7f3f"),
                 "AccessDenied", "Roles may not be assumed by root accounts.")


def test_trust_limits_to_the_trusted_account(gh):
    """A role in B trusting only a specific user of A admits nobody else of A,
    and the management account's users need their own permission for
    OrganizationAccountAccessRole."""
    a = gh.account_id
    b = create_account_b(gh)
    org_role = f"arn:aws:iam::{b}:role/OrganizationAccountAccessRole"
    keys = make_user(gh, "plain")
    expect_error(lambda: gh.client("sts", *keys).assume_role(RoleArn=org_role, RoleSessionName="ss"), "AccessDenied",
                 f"User: arn:aws:iam::{a}:user/plain is not authorized to perform: sts:AssumeRole on resource: "
                 f"{org_role}")
    admin = make_user(gh, "admin", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    out = gh.client("sts", *admin).assume_role(RoleArn=org_role, RoleSessionName="setup")
    gh.track(out)
    in_b = gh.client("iam", *creds(out))
    # AWS IAM: a trust policy may name only a user that exists (it is bound to its unique id).
    ci = make_user(gh, "ci", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    in_b.create_role(RoleName="only-ci", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a}:user/ci"}, "Action": "sts:AssumeRole"}))
    only_ci = f"arn:aws:iam::{b}:role/only-ci"
    out = gh.client("sts", *ci).assume_role(RoleArn=only_ci, RoleSessionName="build")
    gh.track(out)
    assert gh.client("sts", *creds(out)).get_caller_identity()["Arn"] == \
        f"arn:aws:sts::{b}:assumed-role/only-ci/build"
    expect_error(lambda: gh.client("sts", *admin).assume_role(RoleArn=only_ci, RoleSessionName="xx"), "AccessDenied",
                 f"User: arn:aws:iam::{a}:user/admin is not authorized to perform: sts:AssumeRole on resource: "
                 f"{only_ci}")
    # The session in B reaches nothing in A.
    in_b_sess = creds(gh.client("sts", *admin).assume_role(RoleArn=org_role, RoleSessionName="again"))
    gh.secrets.add(in_b_sess[1])
    cp_users = gh.client("iam", *in_b_sess).list_users()["Users"]
    assert all(u["Arn"].startswith(f"arn:aws:iam::{b}:") for u in cp_users)
    assert "ci" not in [u["UserName"] for u in cp_users]
