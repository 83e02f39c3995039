"""test_policy_enforcement.py: IAM actions decided by the policy engine (AccessDenied in AWS's words, explicit deny, permissions boundaries, service condition keys), --enforce=log, the policy simulator through boto3, and `gatehouse policy eval` exit codes."""
import json
import subprocess

from conftest import gatehouse_bin
from helpers import ALLOW_ALL, compact, expect_error

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def user_client(gh, name, path="/", service="iam"):
    """Creates user `name` (root does it) and returns (client of `service` as that user, access key)."""
    iam = gh.client("iam")
    iam.create_user(UserName=name, Path=path)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return gh.client(service, access_key=key["AccessKeyId"], secret=key["SecretAccessKey"]), key


def denied(gh, who, action, resource, why):
    return (f"User: arn:aws:iam::{gh.account_id}:user/{who} is not authorized to perform: {action} "
            f"on resource: {resource} {why}")


def test_get_only_on_dev_users(gh):
    root = gh.client("iam")
    acct = gh.account_id
    root.create_user(UserName="alice", Path="/dev/")
    root.create_user(UserName="bob", Path="/ops/")
    reader, key = user_client(gh, "reader")
    root.put_user_policy(UserName="reader", PolicyName="dev-read", PolicyDocument=compact({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": f"arn:aws:iam::{acct}:user/dev/*"}]}))

    # Allowed: Get* on users under /dev/.
    assert reader.get_user(UserName="alice")["User"]["Arn"] == f"arn:aws:iam::{acct}:user/dev/alice"
    # Denied elsewhere, with AWS's exact message and HTTP 403.
    expect_error(lambda: reader.get_user(UserName="bob"), "AccessDenied",
                 denied(gh, "reader", "iam:GetUser", f"arn:aws:iam::{acct}:user/ops/bob",
                        "because no identity-based policy allows the iam:GetUser action"), 403)
    expect_error(lambda: reader.create_user(UserName="eve", Path="/dev/"), "AccessDenied",
                 denied(gh, "reader", "iam:CreateUser", f"arn:aws:iam::{acct}:user/dev/eve",
                        "because no identity-based policy allows the iam:CreateUser action"), 403)
    expect_error(lambda: reader.list_users(), "AccessDenied",
                 denied(gh, "reader", "iam:ListUsers", f"arn:aws:iam::{acct}:user/",
                        "because no identity-based policy allows the iam:ListUsers action"), 403)
    # AWS: GetCallerIdentity needs no permission.
    sts = gh.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{acct}:user/reader"


def test_list_user_tags_is_not_get(gh):
    """iam:ListUserTags does not match iam:Get*, so only GetUser is allowed."""
    root = gh.client("iam")
    acct = gh.account_id
    root.create_user(UserName="carl", Path="/dev/")
    reader, _ = user_client(gh, "reader2")
    root.put_user_policy(UserName="reader2", PolicyName="dev-read", PolicyDocument=compact({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": f"arn:aws:iam::{acct}:user/dev/*"}]}))
    reader.get_user(UserName="carl")
    expect_error(lambda: reader.list_user_tags(UserName="carl"), "AccessDenied",
                 denied(gh, "reader2", "iam:ListUserTags", f"arn:aws:iam::{acct}:user/dev/carl",
                        "because no identity-based policy allows the iam:ListUserTags action"), 403)


def test_explicit_deny_beats_group_allow(gh):
    root = gh.client("iam")
    acct = gh.account_id
    dev, _ = user_client(gh, "dave")
    root.create_group(GroupName="admins")
    root.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    root.add_user_to_group(GroupName="admins", UserName="dave")
    # The group's AdministratorAccess lets dave act.
    dev.create_user(UserName="temp1")
    deny_arn = root.create_policy(PolicyName="no-delete-users", PolicyDocument=compact({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "NoDelete", "Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"}]}))[
        "Policy"]["Arn"]
    root.attach_user_policy(UserName="dave", PolicyArn=deny_arn)
    expect_error(lambda: dev.delete_user(UserName="temp1"), "AccessDenied",
                 denied(gh, "dave", "iam:DeleteUser", f"arn:aws:iam::{acct}:user/temp1",
                        f"with an explicit deny in an identity-based policy: {deny_arn}"), 403)
    dev.create_user(UserName="temp2")  # everything else is still allowed

    # The same with the Deny in a second managed policy on the user and the Allow on the user.
    root.create_user(UserName="erin")
    key = root.create_access_key(UserName="erin")["AccessKey"]
    erin = gh.client("iam", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    root.attach_user_policy(UserName="erin", PolicyArn=ADMIN)
    root.attach_user_policy(UserName="erin", PolicyArn=deny_arn)
    expect_error(lambda: erin.delete_user(UserName="temp2"), "AccessDenied",
                 denied(gh, "erin", "iam:DeleteUser", f"arn:aws:iam::{acct}:user/temp2",
                        f"with an explicit deny in an identity-based policy: {deny_arn}"), 403)

    # A Deny in a group's policy beats the user's own Allow.
    root.create_group(GroupName="frozen")
    root.attach_group_policy(GroupName="frozen", PolicyArn=deny_arn)
    root.create_user(UserName="fay")
    key = root.create_access_key(UserName="fay")["AccessKey"]
    fay = gh.client("iam", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    root.put_user_policy(UserName="fay", PolicyName="all", PolicyDocument=compact(ALLOW_ALL))
    root.add_user_to_group(GroupName="frozen", UserName="fay")
    expect_error(lambda: fay.delete_user(UserName="temp2"), "AccessDenied",
                 denied(gh, "fay", "iam:DeleteUser", f"arn:aws:iam::{acct}:user/temp2",
                        f"with an explicit deny in an identity-based policy: {deny_arn}"), 403)


def test_boundary_caps_administrator(gh):
    root = gh.client("iam")
    acct = gh.account_id
    boss, _ = user_client(gh, "boss")
    root.attach_user_policy(UserName="boss", PolicyArn=ADMIN)
    boss.create_user(UserName="before-boundary")
    cap = root.create_policy(PolicyName="read-only-iam", PolicyDocument=compact({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]}))["Policy"]["Arn"]
    root.put_user_permissions_boundary(UserName="boss", PermissionsBoundary=cap)
    assert any(u["UserName"] == "before-boundary" for u in boss.list_users()["Users"])
    expect_error(lambda: boss.create_user(UserName="after-boundary"), "AccessDenied",
                 denied(gh, "boss", "iam:CreateUser", f"arn:aws:iam::{acct}:user/after-boundary",
                        "because no permissions boundary allows the iam:CreateUser action"), 403)
    root.delete_user_permissions_boundary(UserName="boss")
    boss.create_user(UserName="after-boundary")


def test_service_condition_keys(gh):
    root = gh.client("iam")
    acct = gh.account_id
    ops, _ = user_client(gh, "ops")
    root.put_user_policy(UserName="ops", PolicyName="tagged-only", PolicyDocument=compact({
        "Version": "2012-10-17",
        "Statement": [
            # CreateUser only with team=dev (aws:RequestTag) and no other tag keys (aws:TagKeys).
            {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestTag/team": "dev"},
                           "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}},
            # Attach only one policy (iam:PolicyARN), only to users tagged team=dev (iam:ResourceTag).
            {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*",
             "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"},
                           "StringEquals": {"iam:ResourceTag/team": "dev"}}},
        ]}))
    ops.create_user(UserName="tagged", Tags=[{"Key": "team", "Value": "dev"}])
    expect_error(lambda: ops.create_user(UserName="untagged"), "AccessDenied",
                 denied(gh, "ops", "iam:CreateUser", f"arn:aws:iam::{acct}:user/untagged",
                        "because no identity-based policy allows the iam:CreateUser action"), 403)
    expect_error(lambda: ops.create_user(UserName="extra", Tags=[{"Key": "team", "Value": "dev"},
                                                                 {"Key": "cost", "Value": "x"}]),
                 "AccessDenied", status=403)
    ops.attach_user_policy(UserName="tagged", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    expect_error(lambda: ops.attach_user_policy(UserName="tagged", PolicyArn=ADMIN), "AccessDenied",
                 denied(gh, "ops", "iam:AttachUserPolicy", f"arn:aws:iam::{acct}:user/tagged",
                        "because no identity-based policy allows the iam:AttachUserPolicy action"), 403)
    root.create_user(UserName="other")
    expect_error(lambda: ops.attach_user_policy(UserName="other",
                                                PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
                 "AccessDenied", status=403)


def test_enforce_log_allows_and_logs(gh_factory):
    g = gh_factory(extra_args=["--enforce=log"])
    root = g.client("iam")
    acct = g.account_id
    nobody, _ = user_client(g, "nobody")
    created = nobody.create_user(UserName="made-anyway")["User"]
    assert created["Arn"] == f"arn:aws:iam::{acct}:user/made-anyway"
    assert root.get_user(UserName="made-anyway")["User"]["UserName"] == "made-anyway"
    assert g.stop() == 0
    err = g.logs[-1][1]
    want = ("AccessDenied: " + denied(g, "nobody", "iam:CreateUser", f"arn:aws:iam::{acct}:user/made-anyway",
                                      "because no identity-based policy allows the iam:CreateUser action"))
    lines = [line for line in err.splitlines() if "enforce=log" in line and want in line]
    assert len(lines) == 1, err[-3000:]


def test_simulate_custom_policy_shapes(gh):
    iam = gh.client("iam")
    doc = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
           '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')
    out = iam.simulate_custom_policy(
        PolicyInputList=[doc], ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=[{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2019-04-25T11:00:00Z"],
                         "ContextKeyType": "date"}])
    assert out["IsTruncated"] is False
    # The AWS CLI documentation's example, field for field.
    assert out["EvaluationResults"] == [{
        "EvalActionName": "dynamodb:CreateBackup",
        "EvalResourceName": "*",
        "EvalDecision": "allowed",
        "MatchedStatements": [{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none",
                               "StartPosition": {"Line": 1, "Column": 38},
                               "EndPosition": {"Line": 1, "Column": 167}}],
        "MissingContextValues": [],
    }]
    out = iam.simulate_custom_policy(PolicyInputList=[doc], ActionNames=["dynamodb:CreateBackup"])
    r = out["EvaluationResults"][0]
    assert r["EvalDecision"] == "implicitDeny" and r["MissingContextValues"] == ["aws:CurrentTime"]

    # Resources, a boundary, pagination.
    pol = compact({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]})
    bound = compact({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "*"}]})
    kw = dict(PolicyInputList=[pol], PermissionsBoundaryPolicyInputList=[bound],
              ActionNames=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
              ResourceArns=["arn:aws:s3:::b/k"])
    page1 = iam.simulate_custom_policy(MaxItems=2, **kw)
    assert page1["IsTruncated"] is True and len(page1["EvaluationResults"]) == 2
    page2 = iam.simulate_custom_policy(MaxItems=2, Marker=page1["Marker"], **kw)
    assert page2["IsTruncated"] is False
    res = {r["EvalActionName"]: r for r in page1["EvaluationResults"] + page2["EvaluationResults"]}
    assert res["s3:GetObject"]["EvalDecision"] == "allowed"
    assert res["s3:GetObject"]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert res["s3:PutObject"]["EvalDecision"] == "implicitDeny"
    assert res["s3:PutObject"]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    assert res["s3:DeleteObject"]["EvalDecision"] == "explicitDeny"
    assert [m["SourcePolicyId"] for m in res["s3:DeleteObject"]["MatchedStatements"]] == ["PolicyInputList.1"]
    rs = res["s3:GetObject"]["ResourceSpecificResults"]
    assert rs[0]["EvalResourceName"] == "arn:aws:s3:::b/k" and rs[0]["EvalResourceDecision"] == "allowed"
    expect_error(lambda: iam.simulate_custom_policy(PolicyInputList=["{"], ActionNames=["s3:GetObject"]),
                 "InvalidInput", "PolicyInputList.1: This policy contains invalid Json", 400)


def test_simulate_principal_policy(gh):
    root = gh.client("iam")
    acct = gh.account_id
    root.create_user(UserName="sim", Path="/dev/")
    root.put_user_policy(UserName="sim", PolicyName="s3-read", PolicyDocument=compact({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}))
    root.create_group(GroupName="nodelete")
    root.put_group_policy(GroupName="nodelete", PolicyName="deny-delete", PolicyDocument=compact({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}))
    root.add_user_to_group(GroupName="nodelete", UserName="sim")
    root.attach_user_policy(UserName="sim", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    out = root.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{acct}:user/dev/sim",
        ActionNames=["s3:GetObject", "s3:DeleteObject", "iam:ListUsers", "ec2:RunInstances"])
    res = {r["EvalActionName"]: r for r in out["EvaluationResults"]}
    assert res["s3:GetObject"]["EvalDecision"] == "allowed"
    m = res["s3:GetObject"]["MatchedStatements"][0]
    assert (m["SourcePolicyId"], m["SourcePolicyType"]) == ("s3-read", "user")
    assert m["StartPosition"]["Line"] == 1 and m["EndPosition"]["Column"] > m["StartPosition"]["Column"]
    assert res["s3:DeleteObject"]["EvalDecision"] == "explicitDeny"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in res["s3:DeleteObject"]["MatchedStatements"]] == [
        ("deny-delete", "group")]
    assert res["iam:ListUsers"]["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"
    assert res["ec2:RunInstances"]["EvalDecision"] == "implicitDeny"
    expect_error(lambda: root.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{acct}:user/ghost",
                                                        ActionNames=["s3:GetObject"]),
                 "NoSuchEntity", "The user with name ghost cannot be found.", 404)


def test_policy_cli_eval_exit_codes(tmp_path):
    pol = tmp_path / "p.json"
    pol.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "FromOffice", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}, indent=2))
    base = [gatehouse_bin(), "policy", "eval", "--policy", str(pol), "--action", "s3:GetObject",
            "--resource", "arn:aws:s3:::b/key"]
    ok = subprocess.run(base + ["--context", "aws:SourceIp=ip:10.1.2.3"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0] == "allowed" and "Sid FromOffice" in ok.stdout
    no = subprocess.run(base + ["--context", "aws:SourceIp=ip:192.0.2.1"], capture_output=True, text=True)
    assert no.returncode == 1
    assert no.stdout.splitlines()[0] == "implicitDeny"
    assert "because no identity-based policy allows the s3:GetObject action" in no.stdout
    missing = subprocess.run(base, capture_output=True, text=True)
    assert missing.returncode == 1 and "missing context key: aws:SourceIp" in missing.stdout
    bad = subprocess.run(base + ["--context", "aws:SourceIp=ip:not-an-ip"], capture_output=True, text=True)
    assert bad.returncode == 2 and "KEY=TYPE:VALUE" in bad.stderr
    val = subprocess.run([gatehouse_bin(), "policy", "validate", str(pol)], capture_output=True, text=True)
    assert val.returncode == 0 and "valid" in val.stdout
    broken = tmp_path / "broken.json"
    broken.write_text('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}')
    val = subprocess.run([gatehouse_bin(), "policy", "validate", str(broken)], capture_output=True, text=True)
    assert val.returncode == 1 and "MalformedPolicyDocument: Policy statement must contain resources." in val.stderr
