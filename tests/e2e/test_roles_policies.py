"""test_roles_policies.py: roles, managed policies and versions, attachments, inline policies and AWS managed policies, with AWS's quotas and error messages."""
import json
import re
import urllib.parse

from conftest import cli_error
from helpers import (ALLOW_ALL, ALLOW_S3_READ, TRUST_EC2, compact, doc_of_size, expect_error, pretty,
                     snapshot)

AWS_MANAGED = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess", "IAMReadOnlyAccess",
               "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess"]


def test_role_lifecycle(gh, tmp_path):
    trust_file = tmp_path / "trust.json"
    trust_file.write_text(json.dumps(TRUST_EC2, indent=2))
    out = gh.aws("iam", "create-role", "--role-name", "ec2-s3-read-role", "--path", "/svc/",
                 "--assume-role-policy-document", f"file://{trust_file}",
                 "--description", "reads s3", "--max-session-duration", "7200",
                 "--tags", "Key=team,Value=data", "Key=env,Value=test")
    r = out["Role"]
    assert r["RoleName"] == "ec2-s3-read-role" and r["Path"] == "/svc/"
    assert r["Arn"] == f"arn:aws:iam::{gh.account_id}:role/svc/ec2-s3-read-role"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", r["RoleId"])
    assert r["AssumeRolePolicyDocument"] == TRUST_EC2  # the CLI decodes the URL-encoded document
    got = gh.aws("iam", "get-role", "--role-name", "ec2-s3-read-role")["Role"]
    assert got["Description"] == "reads s3"
    assert got["MaxSessionDuration"] == 7200
    assert sorted((t["Key"], t["Value"]) for t in got["Tags"]) == [("env", "test"), ("team", "data")]
    assert got["AssumeRolePolicyDocument"] == TRUST_EC2
    iam = gh.client("iam")
    iam.update_role(RoleName="ec2-s3-read-role", Description="new words", MaxSessionDuration=43200)
    got = iam.get_role(RoleName="ec2-s3-read-role")["Role"]
    assert got["Description"] == "new words" and got["MaxSessionDuration"] == 43200
    new_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    gh.aws("iam", "update-assume-role-policy", "--role-name", "ec2-s3-read-role",
           "--policy-document", json.dumps(new_trust))
    assert iam.get_role(RoleName="ec2-s3-read-role")["Role"]["AssumeRolePolicyDocument"] == new_trust
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    assert sorted(x["RoleName"] for x in gh.aws("iam", "list-roles")["Roles"]) == ["ec2-s3-read-role", "other"]
    assert [x["RoleName"] for x in iam.list_roles(PathPrefix="/svc/")["Roles"]] == ["ec2-s3-read-role"]
    gh.aws("iam", "delete-role", "--role-name", "other")
    expect_error(lambda: iam.get_role(RoleName="other"), "NoSuchEntity",
                 "The role with name other cannot be found.", 404)


def test_role_errors(gh):
    iam = gh.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    before = snapshot(iam)
    expect_error(lambda: iam.create_role(RoleName="R", AssumeRolePolicyDocument=json.dumps(TRUST_EC2)),
                 "EntityAlreadyExists", "Role with name R already exists.", 409)
    expect_error(lambda: iam.create_role(RoleName="m", AssumeRolePolicyDocument=json.dumps(TRUST_EC2),
                                         MaxSessionDuration=43201), "ValidationError", status=400,
                 message_contains="maxSessionDuration")
    expect_error(lambda: iam.update_role(RoleName="r", MaxSessionDuration=50000), "ValidationError", status=400,
                 message_contains="maxSessionDuration")
    # AWS CLI output quoted in AWSCookbook/Security#2.
    expect_error(lambda: iam.create_role(RoleName="m", AssumeRolePolicyDocument="not json"),
                 "MalformedPolicyDocument", "This policy contains invalid Json", 400)
    # A trust policy names a Principal and has no Resource.
    expect_error(lambda: iam.create_role(RoleName="m", AssumeRolePolicyDocument=json.dumps(ALLOW_ALL)),
                 "MalformedPolicyDocument", "Has prohibited field Resource", 400)
    no_principal = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    expect_error(lambda: iam.create_role(RoleName="m", AssumeRolePolicyDocument=json.dumps(no_principal)),
                 "MalformedPolicyDocument", status=400)
    with_resource = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}]}
    expect_error(lambda: iam.update_assume_role_policy(RoleName="r", PolicyDocument=json.dumps(with_resource)),
                 "MalformedPolicyDocument", "Has prohibited field Resource", 400)
    expect_error(lambda: iam.update_assume_role_policy(RoleName="r", PolicyDocument="{}"),
                 "MalformedPolicyDocument", status=400)
    expect_error(lambda: iam.update_assume_role_policy(RoleName="nope", PolicyDocument=json.dumps(TRUST_EC2)),
                 "NoSuchEntity", "The role with name nope cannot be found.", 404)
    expect_error(lambda: iam.delete_role(RoleName="nope"), "NoSuchEntity",
                 "The role with name nope cannot be found.", 404)
    assert snapshot(iam) == before
    # MaxSessionDuration below 3600 (botocore refuses it client-side: send it raw).
    r = gh.query("CreateRole", {"RoleName": "m", "AssumeRolePolicyDocument": json.dumps(TRUST_EC2),
                                "MaxSessionDuration": "3599"})
    assert (r.status, r.code) == (400, "ValidationError"), r
    assert "maxSessionDuration" in r.message
    assert snapshot(iam) == before


def test_role_delete_conflicts(gh):
    iam = gh.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    expect_error(lambda: iam.delete_role(RoleName="r"), "DeleteConflict",
                 "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    iam.put_role_policy(RoleName="r", PolicyName="inl", PolicyDocument=json.dumps(ALLOW_S3_READ))
    expect_error(lambda: iam.delete_role(RoleName="r"), "DeleteConflict",
                 "Cannot delete entity, must delete policies first.", 409)
    iam.delete_role_policy(RoleName="r", PolicyName="inl")
    iam.delete_role(RoleName="r")
    assert iam.list_roles()["Roles"] == []


def test_managed_policy_lifecycle(gh):
    iam = gh.client("iam")
    out = gh.aws("iam", "create-policy", "--policy-name", "s3read", "--path", "/team/",
                 "--description", "read it", "--policy-document", json.dumps(ALLOW_S3_READ))["Policy"]
    arn = f"arn:aws:iam::{gh.account_id}:policy/team/s3read"
    assert out["Arn"] == arn and out["DefaultVersionId"] == "v1" and out["AttachmentCount"] == 0
    assert re.fullmatch(r"ANPA[A-Z2-7]{17}", out["PolicyId"])
    assert out["IsAttachable"] is True
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["PolicyName"] == "s3read" and got["Description"] == "read it"
    v = gh.aws("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")["PolicyVersion"]
    assert v["Document"] == ALLOW_S3_READ and v["IsDefaultVersion"] is True and v["VersionId"] == "v1"
    # On the wire the document is URL-encoded (the SDKs decode it).
    raw = gh.query("GetPolicyVersion", {"PolicyArn": arn, "VersionId": "v1"})
    assert raw.status == 200, raw
    wire = raw.find("Document")
    assert wire.startswith("%7B"), wire[:40]
    assert json.loads(urllib.parse.unquote(wire)) == ALLOW_S3_READ
    expect_error(lambda: iam.get_policy_version(PolicyArn=arn, VersionId="v9"), "NoSuchEntity", status=404)
    expect_error(lambda: iam.create_policy(PolicyName="S3READ", PolicyDocument=json.dumps(ALLOW_ALL)),
                 "EntityAlreadyExists", "A policy called S3READ already exists. Duplicate names are not allowed.", 409)
    iam.create_policy(PolicyName="other", PolicyDocument=json.dumps(ALLOW_ALL))
    local = sorted(p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"])
    assert local == ["other", "s3read"]
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local", PathPrefix="/team/")["Policies"]] == ["s3read"]
    gh.aws("iam", "delete-policy", "--policy-arn", arn)
    expect_error(lambda: iam.get_policy(PolicyArn=arn), "NoSuchEntity", f"Policy {arn} was not found.", 404)


def test_list_policies_scope_and_only_attached(gh):
    iam = gh.client("iam")
    pag = iam.get_paginator("list_policies")
    aws_names = {p["PolicyName"] for pg in pag.paginate(Scope="AWS") for p in pg["Policies"]}
    for n in AWS_MANAGED:
        assert n in aws_names, f"AWS managed policy {n} missing"
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/")
               for pg in pag.paginate(Scope="AWS") for p in pg["Policies"])
    mine = iam.create_policy(PolicyName="mine", PolicyDocument=json.dumps(ALLOW_ALL))["Policy"]
    iam.create_policy(PolicyName="unused", PolicyDocument=json.dumps(ALLOW_ALL))
    all_names = {p["PolicyName"] for pg in pag.paginate(Scope="All") for p in pg["Policies"]}
    assert {"mine", "unused"} | set(AWS_MANAGED) <= all_names
    iam.create_user(UserName="u")
    iam.attach_user_policy(UserName="u", PolicyArn=mine["Arn"])
    iam.attach_user_policy(UserName="u", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    attached = sorted(p["PolicyName"] for pg in pag.paginate(Scope="All", OnlyAttached=True) for p in pg["Policies"])
    assert attached == ["ReadOnlyAccess", "mine"]
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]] == ["mine"]
    assert iam.get_policy(PolicyArn=mine["Arn"])["Policy"]["AttachmentCount"] == 1


def test_attach_detach(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    p = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(ALLOW_S3_READ))["Policy"]
    gh.aws("iam", "attach-user-policy", "--user-name", "u", "--policy-arn", p["Arn"])
    gh.aws("iam", "attach-role-policy", "--role-name", "r", "--policy-arn",
           "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    iam.attach_role_policy(RoleName="r", PolicyArn=p["Arn"])
    au = gh.aws("iam", "list-attached-user-policies", "--user-name", "u")["AttachedPolicies"]
    assert au == [{"PolicyName": "p", "PolicyArn": p["Arn"]}]
    ar = sorted((x["PolicyName"], x["PolicyArn"]) for x in iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"])
    assert ar == [("AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"), ("p", p["Arn"])]
    assert iam.get_policy(PolicyArn=p["Arn"])["Policy"]["AttachmentCount"] == 2
    # Attaching twice is a no-op, as in AWS.
    iam.attach_user_policy(UserName="u", PolicyArn=p["Arn"])
    assert len(iam.list_attached_user_policies(UserName="u")["AttachedPolicies"]) == 1
    expect_error(lambda: iam.delete_policy(PolicyArn=p["Arn"]), "DeleteConflict",
                 "Cannot delete a policy attached to entities.", 409)
    missing = f"arn:aws:iam::{gh.account_id}:policy/nope"
    expect_error(lambda: iam.attach_user_policy(UserName="u", PolicyArn=missing), "NoSuchEntity",
                 f"Policy {missing} does not exist or is not attachable.", 404)
    expect_error(lambda: iam.attach_role_policy(RoleName="nope", PolicyArn=p["Arn"]), "NoSuchEntity",
                 "The role with name nope cannot be found.", 404)
    expect_error(lambda: iam.attach_user_policy(UserName="u", PolicyArn="not-an-arn-but-long-enough"), "InvalidInput", status=400)
    gh.aws("iam", "detach-user-policy", "--user-name", "u", "--policy-arn", p["Arn"])
    iam.detach_role_policy(RoleName="r", PolicyArn=p["Arn"])
    expect_error(lambda: iam.detach_role_policy(RoleName="r", PolicyArn=p["Arn"]), "NoSuchEntity", status=404)
    assert iam.list_attached_user_policies(UserName="u")["AttachedPolicies"] == []
    iam.delete_policy(PolicyArn=p["Arn"])


def test_eleventh_attachment_limit(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    arns = [iam.create_policy(PolicyName=f"p{i}", PolicyDocument=json.dumps(ALLOW_ALL))["Policy"]["Arn"]
            for i in range(11)]
    for a in arns[:10]:
        iam.attach_user_policy(UserName="u", PolicyArn=a)
        iam.attach_role_policy(RoleName="r", PolicyArn=a)
    before = snapshot(iam)
    expect_error(lambda: iam.attach_user_policy(UserName="u", PolicyArn=arns[10]), "LimitExceeded",
                 "Cannot exceed quota for PoliciesPerUser: 10", 409)
    expect_error(lambda: iam.attach_role_policy(RoleName="r", PolicyArn=arns[10]), "LimitExceeded",
                 "Cannot exceed quota for PoliciesPerRole: 10", 409)
    assert snapshot(iam) == before


def test_inline_policies(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    gh.aws("iam", "put-user-policy", "--user-name", "u", "--policy-name", "a", "--policy-document", json.dumps(ALLOW_ALL))
    iam.put_user_policy(UserName="u", PolicyName="b", PolicyDocument=json.dumps(ALLOW_S3_READ))
    # Put again replaces.
    iam.put_user_policy(UserName="u", PolicyName="a", PolicyDocument=json.dumps(ALLOW_S3_READ))
    assert gh.aws("iam", "list-user-policies", "--user-name", "u")["PolicyNames"] == ["a", "b"]
    got = gh.aws("iam", "get-user-policy", "--user-name", "u", "--policy-name", "a")
    assert got["UserName"] == "u" and got["PolicyName"] == "a" and got["PolicyDocument"] == ALLOW_S3_READ
    iam.put_role_policy(RoleName="r", PolicyName="rp", PolicyDocument=json.dumps(ALLOW_ALL))
    got = iam.get_role_policy(RoleName="r", PolicyName="rp")
    assert got["RoleName"] == "r" and got["PolicyDocument"] == ALLOW_ALL
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == ["rp"]
    expect_error(lambda: iam.get_user_policy(UserName="u", PolicyName="zz"), "NoSuchEntity",
                 "The user policy with name zz cannot be found.", 404)
    expect_error(lambda: iam.get_role_policy(RoleName="r", PolicyName="zz"), "NoSuchEntity",
                 "The role policy with name zz cannot be found.", 404)
    expect_error(lambda: iam.put_user_policy(UserName="nobody", PolicyName="a", PolicyDocument=json.dumps(ALLOW_ALL)),
                 "NoSuchEntity", "The user with name nobody cannot be found.", 404)
    gh.aws("iam", "delete-user-policy", "--user-name", "u", "--policy-name", "a")
    iam.delete_role_policy(RoleName="r", PolicyName="rp")
    assert iam.list_user_policies(UserName="u")["PolicyNames"] == ["b"]
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == []
    expect_error(lambda: iam.delete_role_policy(RoleName="r", PolicyName="rp"), "NoSuchEntity", status=404)


def test_malformed_policy_documents(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="u")
    before = snapshot(iam)
    expect_error(lambda: iam.create_policy(PolicyName="p", PolicyDocument="{not json"),
                 "MalformedPolicyDocument", "Syntax errors in policy.", 400)
    no_stmt = json.dumps({"Version": "2012-10-17"})
    expect_error(lambda: iam.create_policy(PolicyName="p", PolicyDocument=no_stmt), "MalformedPolicyDocument", status=400)
    expect_error(lambda: iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument="[1,2"),
                 "MalformedPolicyDocument", "Syntax errors in policy.", 400)
    expect_error(lambda: iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=no_stmt),
                 "MalformedPolicyDocument", status=400)
    # A Principal has no place in an identity policy.
    expect_error(lambda: iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(TRUST_EC2)),
                 "MalformedPolicyDocument", "Policy document should not specify a principal.", 400)
    no_resource = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}
    expect_error(lambda: iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(no_resource)),
                 "MalformedPolicyDocument", "Policy statement must contain resources.", 400)
    expect_error(lambda: iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=json.dumps(no_resource)),
                 "MalformedPolicyDocument", "Policy statement must contain resources.", 400)
    bad_effect = {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}
    expect_error(lambda: iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(bad_effect)),
                 "MalformedPolicyDocument", status=400)
    assert snapshot(iam) == before


def test_policy_size_quotas(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))

    # Managed: 6144 characters without whitespace.
    ok = doc_of_size(6100)
    assert len(pretty(ok)) > 6144 >= len(compact(ok))
    iam.create_policy(PolicyName="big-ok", PolicyDocument=pretty(ok))
    before = snapshot(iam)
    expect_error(lambda: iam.create_policy(PolicyName="big", PolicyDocument=compact(doc_of_size(6300))),
                 "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)
    assert snapshot(iam) == before

    # Inline user policies: 2048 for all of the user's together.
    ok = doc_of_size(1800)
    assert len(pretty(ok)) > 2048
    iam.put_user_policy(UserName="u", PolicyName="one", PolicyDocument=pretty(ok))
    before = snapshot(iam)
    expect_error(lambda: iam.put_user_policy(UserName="u", PolicyName="two", PolicyDocument=compact(doc_of_size(400))),
                 "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user u", 409)
    assert snapshot(iam) == before
    iam.create_user(UserName="v")
    before = snapshot(iam)
    expect_error(lambda: iam.put_user_policy(UserName="v", PolicyName="x", PolicyDocument=compact(doc_of_size(2200))),
                 "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user v", 409)
    assert snapshot(iam) == before

    # Inline role policies: 10240.
    ok = doc_of_size(10000)
    assert len(pretty(ok)) > 10240
    iam.put_role_policy(RoleName="r", PolicyName="one", PolicyDocument=pretty(ok))
    before = snapshot(iam)
    expect_error(lambda: iam.put_role_policy(RoleName="r", PolicyName="two", PolicyDocument=compact(doc_of_size(500))),
                 "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role r", 409)
    assert snapshot(iam) == before

    # Trust policies: 2048.
    ok = doc_of_size(1950, trust=True)
    assert len(pretty(ok)) > 2048
    iam.create_role(RoleName="trusting", AssumeRolePolicyDocument=pretty(ok))
    before = snapshot(iam)
    big = compact(doc_of_size(2300, trust=True))
    expect_error(lambda: iam.create_role(RoleName="t2", AssumeRolePolicyDocument=big),
                 "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)
    assert snapshot(iam) == before
    expect_error(lambda: iam.update_assume_role_policy(RoleName="r", PolicyDocument=big),
                 "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)
    assert snapshot(iam) == before


def test_aws_managed_policies(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    for name in AWS_MANAGED:
        arn = f"arn:aws:iam::aws:policy/{name}"
        p = iam.get_policy(PolicyArn=arn)["Policy"]
        assert p["PolicyName"] == name and p["Arn"] == arn and p["IsAttachable"] is True
        v = iam.get_policy_version(PolicyArn=arn, VersionId=p["DefaultVersionId"])["PolicyVersion"]
        assert v["Document"]["Statement"], name
        iam.attach_user_policy(UserName="u", PolicyArn=arn)
        iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    admin = iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
                                   VersionId=iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
                                   ["Policy"]["DefaultVersionId"])["PolicyVersion"]["Document"]
    stmts = admin["Statement"] if isinstance(admin["Statement"], list) else [admin["Statement"]]
    assert {"Effect": "Allow", "Action": "*", "Resource": "*"} in stmts
    assert len(iam.list_attached_user_policies(UserName="u")["AttachedPolicies"]) == len(AWS_MANAGED)
    for name in AWS_MANAGED:
        arn = f"arn:aws:iam::aws:policy/{name}"
        iam.detach_user_policy(UserName="u", PolicyArn=arn)
        cp = gh.aws("iam", "delete-policy", "--policy-arn", arn, check=False)
        assert cp.returncode == 254, (name, cp.returncode, cp.stderr)  # the service refused it
        # AWS managed policies belong to AWS's account: even the root user is denied.
        assert cli_error(cp) == (
            "AccessDenied", f"User: arn:aws:iam::{gh.account_id}:root is not authorized to perform: "
            f"iam:DeletePolicy on resource: policy {arn}"), cp.stderr
        assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == name
