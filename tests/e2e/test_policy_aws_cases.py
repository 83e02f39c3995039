"""test_policy_aws_cases.py: policy-engine decisions and MalformedPolicyDocument outcomes checked
against AWS's documented behaviour, through the real aws CLI: AWS managed policies in the simulator,
Deny with NotPrincipal on principals with a permissions boundary, managed-policy versions,
vendor-less condition keys, S3 access point ARNs, W3C dates and resource-format messages."""
import json

from conftest import cli_error
from helpers import ALLOW_ALL, compact

MANAGED_ACTIONS = ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions",
                   "iam:ListEntitiesForPolicy", "iam:ListPolicyTags",
                   "iam:GenerateServiceLastAccessedDetails"]
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def user_profile(gh, name, inline=ALLOW_ALL):
    """Creates user `name` with an inline policy and a CLI profile of the same name."""
    gh.aws("iam", "create-user", "--user-name", name)
    gh.aws("iam", "put-user-policy", "--user-name", name, "--policy-name", "p",
           "--policy-document", compact(inline))
    k = gh.aws("iam", "create-access-key", "--user-name", name)["AccessKey"]
    gh.add_profile(name, k["AccessKeyId"], k["SecretAccessKey"])
    return f"arn:aws:iam::{gh.account_id}:user/{name}"


def cli_fails(gh, code, message, *args, profile=None):
    cp = gh.aws(*args, profile=profile, check=False)
    assert cp.returncode != 0, f"aws {' '.join(map(str, args))} succeeded: {cp.stdout}"
    assert cli_error(cp) == (code, message), cp.stderr


def test_aws_managed_policy_is_not_another_accounts_resource(gh):
    # AWS IAM "AWS managed policies": created and administered by AWS, available to every
    # account; "aws" in arn:aws:iam::aws:policy/NAME is not an account, so cross-account
    # evaluation does not apply. The simulator must agree with the real call.
    arn = user_profile(gh, "pat")
    got = gh.aws("iam", "get-policy", "--policy-arn", ADMIN, profile="pat")
    assert got["Policy"]["Arn"] == ADMIN
    out = gh.aws("iam", "simulate-principal-policy", "--policy-source-arn", arn,
                 "--action-names", *MANAGED_ACTIONS, "--resource-arns", ADMIN)
    for r in out["EvaluationResults"]:
        assert r["EvalDecision"] == "allowed", r
        assert "Resource Policy" not in r.get("EvalDecisionDetails", {}), r
    out = gh.aws("iam", "simulate-custom-policy", "--policy-input-list", compact(ALLOW_ALL),
                 "--caller-arn", arn, "--action-names", *MANAGED_ACTIONS, "--resource-arns", ADMIN)
    assert [r["EvalDecision"] for r in out["EvaluationResults"]] == ["allowed"] * len(MANAGED_ACTIONS)


def test_deny_notprincipal_denies_a_principal_with_a_boundary(gh, tmp_path):
    # AWS IAM "Permissions boundaries for IAM entities" / "NotPrincipal": "The NotPrincipal element
    # with a Deny effect will always deny any IAM principal that has a permissions boundary policy
    # attached, regardless of the values specified in the NotPrincipal element."
    acct = gh.account_id
    bob = user_profile(gh, "bob", inline={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    gh.aws("s3api", "create-bucket", "--bucket", "np-bucket")
    body = tmp_path / "body"
    body.write_bytes(b"data")
    gh.aws("s3api", "put-object", "--bucket", "np-bucket", "--key", "k", "--body", body)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowBob", "Effect": "Allow", "Principal": {"AWS": bob}, "Action": "s3:*",
         "Resource": "arn:aws:s3:::np-bucket/*"},
        {"Sid": "OnlyBob", "Effect": "Deny",
         "NotPrincipal": {"AWS": [bob, f"arn:aws:iam::{acct}:root"]},
         "Action": "s3:*", "Resource": "arn:aws:s3:::np-bucket/*"}]}
    gh.aws("s3api", "put-bucket-policy", "--bucket", "np-bucket", "--policy", compact(policy))
    get = ("s3api", "get-object", "--bucket", "np-bucket", "--key", "k", tmp_path / "out")
    gh.aws(*get, profile="bob")  # listed in NotPrincipal: the Deny does not apply
    boundary = gh.aws("iam", "create-policy", "--policy-name", "s3-only", "--policy-document",
                      compact({"Version": "2012-10-17", "Statement": [
                          {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))["Policy"]["Arn"]
    gh.aws("iam", "put-user-permissions-boundary", "--user-name", "bob",
           "--permissions-boundary", boundary)
    cli_fails(gh, "AccessDenied",
              f"User: {bob} is not authorized to perform: s3:GetObject on resource: "
              "arn:aws:s3:::np-bucket/k with an explicit deny in a resource-based policy",
              *get, profile="bob")
    # The simulator agrees: explicitDeny by the resource policy's OnlyBob statement.
    out = gh.aws("iam", "simulate-principal-policy", "--policy-source-arn", bob,
                 "--action-names", "s3:GetObject", "--resource-arns", "arn:aws:s3:::np-bucket/k",
                 "--resource-policy", compact(policy))
    r = out["EvaluationResults"][0]
    assert r["EvalDecision"] == "explicitDeny", r
    assert [m["SourcePolicyId"] for m in r["MatchedStatements"]] == ["ResourcePolicy"]
    gh.aws("iam", "delete-user-permissions-boundary", "--user-name", "bob")
    gh.aws(*get, profile="bob")


def test_managed_policy_must_be_version_2012(gh):
    # AWS IAM CreatePolicy / CreatePolicyVersion: MalformedPolicyDocument "Policy document must be
    # version 2012-10-17 or greater." (moto's AWS-verified validation cases); checked after the
    # grammar and before Sid uniqueness; inline policies still accept both versions.
    stmt = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}
    msg = "Policy document must be version 2012-10-17 or greater."
    no_version = {"Statement": stmt}
    v2008 = {"Version": "2008-10-17", "Statement": stmt}
    dup_sid = {"Statement": [dict(stmt, Sid="A"), dict(stmt, Sid="A")]}
    for doc in (no_version, v2008, dup_sid):
        cli_fails(gh, "MalformedPolicyDocument", msg, "iam", "create-policy", "--policy-name", "old",
                  "--policy-document", compact(doc))
    assert gh.aws("iam", "list-policies", "--scope", "Local")["Policies"] == []
    cli_fails(gh, "MalformedPolicyDocument", "Syntax errors in policy.", "iam", "create-policy",
              "--policy-name", "old", "--policy-document",
              compact({"Version": "2013-10-17", "Statement": stmt}))
    arn = gh.aws("iam", "create-policy", "--policy-name", "new", "--policy-document",
                 compact({"Version": "2012-10-17", "Statement": stmt}))["Policy"]["Arn"]
    cli_fails(gh, "MalformedPolicyDocument", msg, "iam", "create-policy-version", "--policy-arn", arn,
              "--policy-document", compact(v2008))
    versions = gh.aws("iam", "list-policy-versions", "--policy-arn", arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v1"]
    gh.aws("iam", "create-user", "--user-name", "inl")
    for name, doc in (("none", no_version), ("v2008", v2008)):
        gh.aws("iam", "put-user-policy", "--user-name", "inl", "--policy-name", name,
               "--policy-document", compact(doc))
    assert sorted(gh.aws("iam", "list-user-policies", "--user-name", "inl")["PolicyNames"]) == ["none", "v2008"]


def _doc(resource="*", condition=None, action="s3:GetObject"):
    stmt = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        stmt["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [stmt]}


def _create_all(gh, name, doc):
    """CreatePolicy, PutUserPolicy and PutRolePolicy all accept `doc`."""
    gh.aws("iam", "create-policy", "--policy-name", name, "--policy-document", compact(doc))
    gh.aws("iam", "put-user-policy", "--user-name", "u", "--policy-name", name,
           "--policy-document", compact(doc))
    gh.aws("iam", "put-role-policy", "--role-name", "r", "--policy-name", name,
           "--policy-document", compact(doc))


def _setup_holders(gh):
    gh.aws("iam", "create-user", "--user-name", "u")
    gh.aws("iam", "create-role", "--role-name", "r", "--assume-role-policy-document",
           compact({"Version": "2012-10-17", "Statement": [
               {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}))


def test_condition_keys_need_no_vendor_prefix(gh):
    # AWS IAM accepts condition keys without a vendor prefix (moto's AWS-verified valid
    # documents); only actions must be prefaced by a vendor.
    _setup_holders(gh)
    _create_all(gh, "novendor", _doc(condition={"StringEqualsIfExists": {"a": "asf"}}))
    cli_fails(gh, "MalformedPolicyDocument",
              "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
              "iam", "create-policy", "--policy-name", "noaction", "--policy-document",
              compact(_doc(action="GetObject", condition={"StringEquals": {"a": "b"}})))
    # The key is an ordinary context key: the simulator asks for it and matches it.
    doc = compact(_doc(condition={"StringEquals": {"teamname": "red"}}))
    out = gh.aws("iam", "simulate-custom-policy", "--policy-input-list", doc,
                 "--action-names", "s3:GetObject")
    assert out["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert out["EvaluationResults"][0]["MissingContextValues"] == ["teamname"]
    out = gh.aws("iam", "simulate-custom-policy", "--policy-input-list", doc,
                 "--action-names", "s3:GetObject", "--context-entries",
                 "ContextKeyName=teamname,ContextKeyValues=red,ContextKeyType=string")
    assert out["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_s3_access_point_arns_may_carry_a_region(gh):
    # AWS S3 "Using access points": arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME[/object/KEY].
    _setup_holders(gh)
    ap = "arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap/object/*"
    _create_all(gh, "ap", _doc(resource=[ap, "arn:aws:s3:us-west-2:123456789012:accesspoint/test"]))
    # A bucket or object ARN still may not (aws/aws-cdk#22445).
    bad = "arn:aws:s3:us-west-2:123456789:test/athena"
    cli_fails(gh, "MalformedPolicyDocument", f"Resource {bad} can not contain region information.",
              "iam", "create-policy", "--policy-name", "bad", "--policy-document",
              compact(_doc(resource=bad)))
    # The simulator matches an access point ARN (of the caller's account) like any other.
    own = f"arn:aws:s3:us-east-1:{gh.account_id}:accesspoint/my-ap/object/"
    out = gh.aws("iam", "simulate-custom-policy", "--policy-input-list",
                 compact(_doc(resource=own + "*")), "--action-names", "s3:GetObject",
                 "--resource-arns", own + "k", "arn:aws:s3:::my-bucket/k")
    assert [r["EvalDecision"] for r in out["EvaluationResults"]] == ["allowed", "implicitDeny"]


def test_w3c_year_month_dates(gh):
    # AWS IAM "Date condition operators": W3C ISO 8601 date formats, such as YYYY-MM.
    _setup_holders(gh)
    _create_all(gh, "ym", _doc(condition={"DateGreaterThan": {"aws:CurrentTime": "2019-07"}}))
    cli_fails(gh, "MalformedPolicyDocument", "The policy failed legacy parsing", "iam",
              "create-policy", "--policy-name", "bad", "--policy-document",
              compact(_doc(condition={"DateGreaterThan": {"aws:CurrentTime": "2019-13"}})))
    doc = compact(_doc(condition={"DateLessThan": {"aws:CurrentTime": "2019-07"}}))
    decisions = []
    for when in ("2019-06-30T23:59:59Z", "2019-07-01T00:00:00Z"):
        out = gh.aws("iam", "simulate-custom-policy", "--policy-input-list", doc,
                     "--action-names", "s3:GetObject", "--context-entries",
                     f"ContextKeyName=aws:CurrentTime,ContextKeyValues={when},ContextKeyType=date")
        decisions.append(out["EvaluationResults"][0]["EvalDecision"])
    assert decisions == ["allowed", "implicitDeny"]


def test_resource_format_messages(gh):
    # AWS IAM MalformedPolicyDocument wording for bad resources (moto's AWS-verified cases).
    cases = [
        ("a:bsdfdsafsad", 'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".'),
        ("a:b:c:d:e:f:g:h", 'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".'),
        ("aws:s3:::example_bucket", 'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".'),
        ("arn:error:s3:::example_bucket",
         'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".'),
        ("arn:aws::us-east-1:123456789012:thing", "The policy failed legacy parsing"),
        ("sdfsadf", 'Resource sdfsadf must be in ARN format or "*".'),
    ]
    for resource, msg in cases:
        cli_fails(gh, "MalformedPolicyDocument", msg, "iam", "create-policy", "--policy-name", "p",
                  "--policy-document", compact(_doc(resource=resource)))
    assert gh.aws("iam", "list-policies", "--scope", "Local")["Policies"] == []
