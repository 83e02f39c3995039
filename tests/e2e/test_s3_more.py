"""test_s3_more.py: the S3 service across accounts (a bucket policy granting an account made with `aws organizations create-account`, intersected with that account's identity policies; explicit Deny wins), crash safety of PutObject under SIGKILL, and aws:ResourceTag/* from bucket tags."""
import hashlib
import json
import os
import signal
import threading
import time

import botocore.exceptions
import pytest

from test_cross_account import create_account_b, creds, doc, make_user


def _denied(fn):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn()
    assert e.value.response["Error"]["Code"] == "AccessDenied", e.value.response
    return e.value.response["Error"].get("Message", "")


def _enter_b(gh, b):
    """Credentials of OrganizationAccountAccessRole in B, via an admin user of A."""
    org_role = f"arn:aws:iam::{b}:role/OrganizationAccountAccessRole"
    make_user(gh, "orgadmin", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": org_role}))
    out = gh.aws("sts", "assume-role", "--role-arn", org_role, "--role-session-name", "setup",
                 profile="orgadmin")
    return creds(out)


def test_cross_account_bucket_policy(gh):
    a = gh.account_id
    b = create_account_b(gh)
    s3a = gh.client("s3")
    s3a.create_bucket(Bucket="xacct")
    for k in ("shared/x", "shared/secret-1", "private/y"):
        s3a.put_object(Bucket="xacct", Key=k, Body=k.encode())
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadShared", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{b}:root"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::xacct/shared/*"},
        {"Sid": "ListShared", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{b}:root"},
         "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::xacct",
         "Condition": {"StringLike": {"s3:prefix": "shared/*"}}},
        {"Sid": "NoSecrets", "Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{b}:root"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::xacct/shared/secret-*"},
    ]}
    s3a.put_bucket_policy(Bucket="xacct", Policy=json.dumps(policy))

    # Inside B: a role trusting B's root that may read any S3 object by its own
    # policies, assumed from the organization role; and a user with no policy.
    in_b = _enter_b(gh, b)
    iam_b = gh.client("iam", *in_b)
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{b}:root"}, "Action": "sts:AssumeRole"})
    iam_b.create_role(RoleName="s3-reader", AssumeRolePolicyDocument=trust)
    iam_b.put_role_policy(RoleName="s3-reader", PolicyName="read", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}))
    iam_b.create_role(RoleName="no-s3", AssumeRolePolicyDocument=trust)
    iam_b.put_role_policy(RoleName="no-s3", PolicyName="other", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}))
    sts_b = gh.client("sts", *in_b)
    reader = creds(sts_b.assume_role(RoleArn=f"arn:aws:iam::{b}:role/s3-reader", RoleSessionName="rr"))
    bare = creds(sts_b.assume_role(RoleArn=f"arn:aws:iam::{b}:role/no-s3", RoleSessionName="nn"))
    assert gh.client("sts", *reader).get_caller_identity()["Account"] == b

    s3r = gh.client("s3", *reader)
    # Allowed by both B's identity policy and A's bucket policy.
    assert s3r.get_object(Bucket="xacct", Key="shared/x")["Body"].read() == b"shared/x"
    assert [o["Key"] for o in s3r.list_objects_v2(Bucket="xacct", Prefix="shared/")["Contents"]] == \
        ["shared/secret-1", "shared/x"]
    # The bucket policy grants nothing outside shared/.
    msg = _denied(lambda: s3r.get_object(Bucket="xacct", Key="private/y"))
    assert f"arn:aws:sts::{b}:assumed-role/s3-reader/rr" in msg and "s3:GetObject" in msg, msg
    _denied(lambda: s3r.list_objects_v2(Bucket="xacct", Prefix="private/"))
    _denied(lambda: s3r.list_objects_v2(Bucket="xacct"))
    # No write was granted, whatever B's policy says.
    _denied(lambda: s3r.put_object(Bucket="xacct", Key="shared/new", Body=b"x"))
    # An explicit Deny in the bucket policy beats both Allows.
    msg = _denied(lambda: s3r.get_object(Bucket="xacct", Key="shared/secret-1"))
    assert "explicit deny" in msg, msg

    # Cross-account needs both sides: without an identity Allow in B, the
    # bucket policy's grant to B alone does not suffice.
    s3n = gh.client("s3", *bare)
    _denied(lambda: s3n.get_object(Bucket="xacct", Key="shared/x"))
    _denied(lambda: s3n.list_objects_v2(Bucket="xacct", Prefix="shared/"))
    # Nor does the organization role's AdministratorAccess reach A's bucket
    # outside what the bucket policy grants.
    s3o = gh.client("s3", *in_b)
    assert s3o.get_object(Bucket="xacct", Key="shared/x")["Body"].read() == b"shared/x"
    _denied(lambda: s3o.get_object(Bucket="xacct", Key="private/y"))
    _denied(lambda: s3o.delete_object(Bucket="xacct", Key="shared/x"))
    # B's callers cannot read or change A's bucket policy.
    _denied(lambda: s3o.get_bucket_policy(Bucket="xacct"))
    _denied(lambda: s3o.put_bucket_policy(Bucket="xacct", Policy=json.dumps(policy)))

    # Within A, a user with no S3 policy is not helped by a grant to B.
    keys = make_user(gh, "plain-a")
    _denied(lambda: gh.client("s3", *keys).get_object(Bucket="xacct", Key="shared/x"))
    # Granting A's user in the bucket policy suffices within the same account.
    policy["Statement"].append({"Sid": "PlainA", "Effect": "Allow",
                                "Principal": {"AWS": f"arn:aws:iam::{a}:user/plain-a"},
                                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::xacct/private/*"})
    s3a.put_bucket_policy(Bucket="xacct", Policy=json.dumps(policy))
    assert gh.client("s3", *keys).get_object(Bucket="xacct", Key="private/y")["Body"].read() == b"private/y"


def _listed(s3, bucket):
    keys, token = [], None
    while True:
        kw = {"Bucket": bucket}
        if token:
            kw["ContinuationToken"] = token
        r = s3.list_objects_v2(**kw)
        keys += [(o["Key"], o["Size"], o["ETag"]) for o in r.get("Contents", [])]
        if not r.get("IsTruncated"):
            return keys
        token = r["NextContinuationToken"]


def test_sigkill_during_puts_keeps_acknowledged_objects(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="crash")
    acked, attempted = {}, {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(tid):
        c = gh.client("s3")
        i = 0
        while not stop.is_set():
            key = f"t{tid}/obj-{i:05d}"
            size = (1, 4096, 300 * 1024, 3 * 1024 * 1024)[i % 4]
            body = os.urandom(size)
            with lock:
                attempted[key] = body
            try:
                c.put_object(Bucket="crash", Key=key, Body=body)
            except Exception:  # the server went away mid-request
                return
            with lock:
                acked[key] = body
            i += 1

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    rc = gh.stop(sig=signal.SIGKILL)
    assert rc == -signal.SIGKILL
    stop.set()
    for t in threads:
        t.join(timeout=60)
    with lock:
        acked_now, attempted_now = dict(acked), dict(attempted)
    assert len(acked_now) >= 12

    gh.start()
    s3 = gh.client("s3")
    listed = _listed(s3, "crash")
    names = {k for k, _, _ in listed}
    # Every acknowledged object is there, byte for byte.
    for key, body in acked_now.items():
        assert key in names, key
        got = s3.get_object(Bucket="crash", Key=key)["Body"].read()
        assert hashlib.sha256(got).digest() == hashlib.sha256(body).digest(), key
    # Anything else listed was in flight and is whole, never partial.
    for key, size, etag in listed:
        assert key in attempted_now, key
        body = attempted_now[key]
        assert size == len(body) and etag == '"%s"' % hashlib.md5(body).hexdigest(), key
        assert s3.get_object(Bucket="crash", Key=key)["Body"].read() == body
    # No temporary file survives the restart.
    tmp = os.path.join(gh.data_dir, "s3", "tmp")
    assert os.listdir(tmp) == []
    # The service still works on the same data.
    s3.put_object(Bucket="crash", Key="after", Body=b"after")
    assert s3.get_object(Bucket="crash", Key="after")["Body"].read() == b"after"


def test_resource_tag_from_bucket_tags(gh):
    s3 = gh.client("s3")
    for name, team in (("blue-bkt", "blue"), ("red-bkt", "red"), ("plain-bkt", None)):
        s3.create_bucket(Bucket=name)
        s3.put_object(Bucket=name, Key="k", Body=name.encode())
        if team:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "team", "Value": team}]})
    keys = make_user(gh, "blue-dev", doc(
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/Stage": "frozen"}}}))
    dev = gh.client("s3", *keys)
    assert dev.get_object(Bucket="blue-bkt", Key="k")["Body"].read() == b"blue-bkt"
    assert [o["Key"] for o in dev.list_objects_v2(Bucket="blue-bkt")["Contents"]] == ["k"]
    _denied(lambda: dev.get_object(Bucket="red-bkt", Key="k"))
    _denied(lambda: dev.list_objects_v2(Bucket="red-bkt"))
    _denied(lambda: dev.get_object(Bucket="plain-bkt", Key="k"))
    # Retagging the bucket changes the answer at once; tag keys match
    # without regard to case, values exactly.
    s3.put_bucket_tagging(Bucket="red-bkt", Tagging={"TagSet": [{"Key": "Team", "Value": "blue"}]})
    assert dev.get_object(Bucket="red-bkt", Key="k")["Body"].read() == b"red-bkt"
    s3.put_bucket_tagging(Bucket="red-bkt", Tagging={"TagSet": [{"Key": "team", "Value": "Blue"}]})
    _denied(lambda: dev.get_object(Bucket="red-bkt", Key="k"))
    s3.put_bucket_tagging(Bucket="blue-bkt", Tagging={"TagSet": [
        {"Key": "team", "Value": "blue"}, {"Key": "stage", "Value": "frozen"}]})
    msg = _denied(lambda: dev.get_object(Bucket="blue-bkt", Key="k"))
    assert "explicit deny" in msg, msg
    assert [o["Key"] for o in dev.list_objects_v2(Bucket="blue-bkt")["Contents"]] == ["k"]
    s3.delete_bucket_tagging(Bucket="blue-bkt")
    _denied(lambda: dev.list_objects_v2(Bucket="blue-bkt"))
    # In a bucket policy too: deny everyone but the owner while tagged locked.
    s3.put_bucket_tagging(Bucket="plain-bkt", Tagging={"TagSet": [{"Key": "team", "Value": "blue"}]})
    assert dev.get_object(Bucket="plain-bkt", Key="k")["Body"].read() == b"plain-bkt"
    s3.put_bucket_policy(Bucket="plain-bkt", Policy=doc(
        {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{gh.account_id}:user/blue-dev"},
         "Action": "s3:*", "Resource": ["arn:aws:s3:::plain-bkt", "arn:aws:s3:::plain-bkt/*"],
         "Condition": {"StringEquals": {"aws:ResourceTag/lock": "on"}}}))
    assert dev.get_object(Bucket="plain-bkt", Key="k")["Body"].read() == b"plain-bkt"
    s3.put_bucket_tagging(Bucket="plain-bkt", Tagging={"TagSet": [
        {"Key": "team", "Value": "blue"}, {"Key": "lock", "Value": "on"}]})
    _denied(lambda: dev.get_object(Bucket="plain-bkt", Key="k"))
