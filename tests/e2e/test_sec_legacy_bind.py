"""test_sec_legacy_bind.py: trust policies and bucket policies saved before principal bindings
existed (stored bindings '') are bound once when the server starts, before it serves a request
(AWS IAM "Principal" element: "When you save the policy, AWS transforms the ARN to a unique
principal ID ... if you delete the role or user, then the relationship is broken ... even if you
recreate the user or role"). A user deleted before the upgrade is bound to nobody, so a namesake
created afterwards is refused, while principals that still exist keep their access.

A legacy row is simulated by clearing roles.trust_bind / s3_buckets.policy_bind in DIR/gatehouse.db
while the server is stopped. (A restart moves the server to a new port: clients are made anew.)"""
import json
import os
import sqlite3

from helpers import expect_error
from test_sec_principals import (allow_assume, assume, drop_user, make_user, refused_assume,
                                 role_arn, trust, trust_principals, user_arn)

# What a principal deleted before the pass is bound to (and shown as): no caller's id.
UNBOUND = "gatehouse:deleted-before-binding"
PASS_LOG = "stored trust and bucket policies saved before principal bindings"


def db(gh, sql, *args):
    """Runs one statement on the stopped server's store; returns its rows."""
    con = sqlite3.connect(os.path.join(gh.data_dir, "gatehouse.db"))
    try:
        rows = con.execute(sql, args).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def forget_bindings(gh):
    """Makes every stored trust and bucket policy look saved before bindings existed."""
    gh.stop()
    db(gh, "UPDATE roles SET trust_bind = ''")
    db(gh, "UPDATE s3_buckets SET policy_bind = ''")


def test_legacy_trust_policy_does_not_trust_user_recreated_after_upgrade(gh):
    role = role_arn(gh, "deploy")
    _, bob = make_user(gh, "bob", allow_assume(role))
    _, carol = make_user(gh, "carol", allow_assume(role))
    iam = gh.client("iam")
    iam.create_role(RoleName="deploy",
                    AssumeRolePolicyDocument=trust(user_arn(gh, "bob"), user_arn(gh, "carol")))
    # A trust policy naming no user or role: saved with empty-but-present bindings.
    iam.create_role(RoleName="acct", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{gh.account_id}:root"))
    assume(gh, bob, role)
    assume(gh, carol, role)
    drop_user(gh, "bob")  # deleted before the upgrade

    forget_bindings(gh)
    assert db(gh, "SELECT name, trust_bind FROM roles WHERE name IN ('deploy', 'acct') ORDER BY name") == [
        ("acct", ""), ("deploy", "")]
    gh.start()

    _, bob2 = make_user(gh, "bob", allow_assume(role))
    refused_assume(gh, bob2, user_arn(gh, "bob"), role)
    assume(gh, carol, role)  # still exists: still trusted, now by its id
    assert trust_principals(gh, "deploy") == [UNBOUND, user_arn(gh, "carol")]

    # Done once: every row is bound ("{}" when it names no user or role), a restart binds nothing.
    gh.stop()
    assert PASS_LOG in gh.logs[-1][1]
    rows = dict(db(gh, "SELECT name, trust_bind FROM roles WHERE name IN ('deploy', 'acct')"))
    assert rows["acct"] == "{}"
    assert json.loads(rows["deploy"])[user_arn(gh, "bob")] == UNBOUND
    assert db(gh, "SELECT count(*) FROM roles WHERE trust_bind = ''") == [(0,)]
    gh.start()
    refused_assume(gh, bob2, user_arn(gh, "bob"), role)
    assume(gh, carol, role)
    gh.stop()
    assert PASS_LOG not in gh.logs[-1][1]
    gh.start()

    # Saving the trust policy again binds the new bob, as for any deleted principal.
    gh.client("iam").update_assume_role_policy(RoleName="deploy", PolicyDocument=trust(user_arn(gh, "bob")))
    assume(gh, bob2, role)


def test_legacy_bucket_policy_does_not_grant_user_recreated_after_upgrade(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="sec-legacy")
    s3.put_object(Bucket="sec-legacy", Key="k", Body=b"data")
    _, erin = make_user(gh, "erin")
    _, dave = make_user(gh, "dave")
    s3.put_bucket_policy(Bucket="sec-legacy", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": [user_arn(gh, "erin"), user_arn(gh, "dave")]},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::sec-legacy/*"}]}))
    assert gh.client("s3", *erin).get_object(Bucket="sec-legacy", Key="k")["Body"].read() == b"data"
    drop_user(gh, "erin")  # deleted before the upgrade

    forget_bindings(gh)
    gh.start()
    _, erin2 = make_user(gh, "erin")
    expect_error(lambda: gh.client("s3", *erin2).get_object(Bucket="sec-legacy", Key="k"),
                 "AccessDenied", f"User: {user_arn(gh, 'erin')} is not authorized to perform: s3:GetObject "
                 "on resource: arn:aws:s3:::sec-legacy/k because no identity-based policy allows the "
                 "s3:GetObject action", status=403)
    assert gh.client("s3", *dave).get_object(Bucket="sec-legacy", Key="k")["Body"].read() == b"data"
    shown = json.loads(gh.client("s3").get_bucket_policy(Bucket="sec-legacy")["Policy"])
    assert shown["Statement"][0]["Principal"]["AWS"] == [UNBOUND, user_arn(gh, "dave")]

    gh.restart()  # idempotent: the binding stays
    expect_error(lambda: gh.client("s3", *erin2).get_object(Bucket="sec-legacy", Key="k"),
                 "AccessDenied", status=403)
    assert gh.client("s3", *dave).get_object(Bucket="sec-legacy", Key="k")["Body"].read() == b"data"
    gh.stop()
    assert PASS_LOG not in gh.logs[-1][1]
    assert db(gh, "SELECT policy_bind <> '' FROM s3_buckets WHERE name = 'sec-legacy'") == [(1,)]
    gh.start()
