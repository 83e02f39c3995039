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
