"""helpers.py: policy documents of chosen sizes and assertions on AWS errors shared by the e2e tests."""
import json

import pytest
from botocore.exceptions import ClientError

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
ALLOW_S3_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}],
}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def doc_of_size(compact_len, trust=False):
    """A valid policy whose compact JSON (no whitespace) is about
    compact_len characters (within 40 below it); trust=True gives a trust
    policy. Returns the dict."""
    stmt = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": []}
    if trust:
        stmt = {"Effect": "Allow", "Principal": {"AWS": []}, "Action": "sts:AssumeRole"}
    doc = {"Version": "2012-10-17", "Statement": [stmt]}
    i = 0
    while True:
        if trust:
            item = "arn:aws:iam::%012d:root" % (100000000000 + i)
            stmt["Principal"]["AWS"].append(item)
        else:
            item = "arn:aws:s3:::bucket-%05d/*" % i
            stmt["Resource"].append(item)
        if len(compact(doc)) > compact_len:
            (stmt["Principal"]["AWS"] if trust else stmt["Resource"]).pop()
            return doc
        i += 1


def compact(doc):
    return json.dumps(doc, separators=(",", ":"))


def pretty(doc):
    return json.dumps(doc, indent=8)


def expect_error(fn, code, message=None, status=None, message_contains=None):
    """Runs fn, which must raise a botocore ClientError with `code` (and the
    exact `message` / HTTP `status` when given). Returns the error dict."""
    with pytest.raises(ClientError) as ei:
        fn()
    err = ei.value.response["Error"]
    meta = ei.value.response.get("ResponseMetadata", {})
    assert err.get("Code") == code, f"expected {code}, got {err} (HTTP {meta.get('HTTPStatusCode')})"
    if message is not None:
        assert err.get("Message") == message, f"message: {err.get('Message')!r} != {message!r}"
    if message_contains is not None:
        assert message_contains in (err.get("Message") or ""), f"message {err.get('Message')!r} lacks {message_contains!r}"
    if status is not None:
        assert meta.get("HTTPStatusCode") == status, f"HTTP {meta.get('HTTPStatusCode')} != {status} for {code}"
    return err


def all_users(iam):
    return sorted(u["UserName"] for p in iam.get_paginator("list_users").paginate() for u in p["Users"])


def snapshot(iam):
    """What the account holds, for 'unchanged after a rejected write' checks."""
    users = all_users(iam)
    roles = sorted(r["RoleName"] for p in iam.get_paginator("list_roles").paginate() for r in p["Roles"])
    pols = sorted(
        (p["Arn"], p["AttachmentCount"], p["DefaultVersionId"])
        for pg in iam.get_paginator("list_policies").paginate(Scope="Local")
        for p in pg["Policies"]
    )
    detail = {}
    for u in users:
        detail["u:" + u] = (
            sorted(k["AccessKeyId"] + k["Status"] for k in iam.list_access_keys(UserName=u)["AccessKeyMetadata"]),
            sorted(p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=u)["AttachedPolicies"]),
            sorted(iam.list_user_policies(UserName=u)["PolicyNames"]),
        )
    for r in roles:
        role = iam.get_role(RoleName=r)["Role"]
        detail["r:" + r] = (
            json.dumps(role.get("AssumeRolePolicyDocument"), sort_keys=True),
            role.get("Description"),
            role.get("MaxSessionDuration"),
            sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=r)["AttachedPolicies"]),
            sorted(iam.list_role_policies(RoleName=r)["PolicyNames"]),
        )
    return users, roles, pols, detail
