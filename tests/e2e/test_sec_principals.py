"""test_sec_principals.py: user and role ARNs in trust policies and bucket policies bind to the
entity's unique id when the policy is saved (AWS IAM "Principal" element: "When you save the
policy, AWS transforms the ARN to a unique principal ID"), so a user or role deleted and
re-created under the same name is not trusted; a deleted principal shows as its id; a renamed
user stays trusted and shows under its new ARN; a policy naming a user or role that does not
exist is refused."""
import json
import urllib.parse

from helpers import expect_error


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(*principals):
    return doc({"Effect": "Allow", "Principal": {"AWS": list(principals) if len(principals) > 1
                                                 else principals[0]}, "Action": "sts:AssumeRole"})


def user_arn(gh, name, path="/"):
    return f"arn:aws:iam::{gh.account_id}:user{path}{name}"


def role_arn(gh, name):
    return f"arn:aws:iam::{gh.account_id}:role/{name}"


def make_user(gh, name, *statements, path="/"):
    """A user with an inline policy of `statements` (if any) and an access key: (user id, keys)."""
    iam = gh.client("iam")
    uid = iam.create_user(UserName=name, Path=path)["User"]["UserId"]
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=doc(*statements))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return uid, (k["AccessKeyId"], k["SecretAccessKey"])


def drop_user(gh, name):
    iam = gh.client("iam")
    for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
    for p in iam.list_user_policies(UserName=name)["PolicyNames"]:
        iam.delete_user_policy(UserName=name, PolicyName=p)
    iam.delete_user(UserName=name)


def allow_assume(arn):
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn}


def assume(gh, keys, arn, session="sess"):
    c = gh.client("sts", *keys).assume_role(RoleArn=arn, RoleSessionName=session)["Credentials"]
    return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]


def refused_assume(gh, keys, who, arn):
    expect_error(lambda: assume(gh, keys, arn), "AccessDenied",
                 f"User: {who} is not authorized to perform: sts:AssumeRole on resource: {arn}", status=403)


def trust_principals(gh, role):
    """The AWS principals GetRole shows in the role's trust policy."""
    d = gh.client("iam").get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(d, str):
        d = json.loads(urllib.parse.unquote(d))
    p = d["Statement"][0]["Principal"]["AWS"]
    return p if isinstance(p, list) else [p]


def test_trust_policy_does_not_trust_recreated_user(gh):
    role = role_arn(gh, "deploy")
    old_id, keys = make_user(gh, "bob", allow_assume(role))
    iam = gh.client("iam")
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=trust(user_arn(gh, "bob")))
    assume(gh, keys, role)
    # While bob exists, GetRole shows the ARN as written.
    assert trust_principals(gh, "deploy") == [user_arn(gh, "bob")]

    drop_user(gh, "bob")
    new_id, keys2 = make_user(gh, "bob", allow_assume(role))
    assert new_id != old_id
    refused_assume(gh, keys2, user_arn(gh, "bob"), role)
    # AWS IAM: once the principal is deleted the policy shows its unique id.
    assert trust_principals(gh, "deploy") == [old_id]
    # The binding survives a restart.
    gh.restart()
    refused_assume(gh, keys2, user_arn(gh, "bob"), role)
    assert trust_principals(gh, "deploy") == [old_id]

    # Saving the ARN again binds the new bob (AWS: "you must edit the role to replace the ARN").
    gh.client("iam").update_assume_role_policy(RoleName="deploy", PolicyDocument=trust(user_arn(gh, "bob")))
    assume(gh, keys2, role)
    assert trust_principals(gh, "deploy") == [user_arn(gh, "bob")]


def test_trust_policy_does_not_trust_recreated_role_sessions(gh):
    target = role_arn(gh, "target")
    _, keys = make_user(gh, "ops", allow_assume(role_arn(gh, "hop")))
    iam = gh.client("iam")
    hop_policy = doc(allow_assume(target))
    old_id = iam.create_role(RoleName="hop", AssumeRolePolicyDocument=trust(user_arn(gh, "ops")))["Role"]["RoleId"]
    iam.put_role_policy(RoleName="hop", PolicyName="p", PolicyDocument=hop_policy)
    iam.create_role(RoleName="target", AssumeRolePolicyDocument=trust(role_arn(gh, "hop")))
    # A role ARN in Principal covers that role's sessions.
    assume(gh, assume(gh, keys, role_arn(gh, "hop")), target, "chain")

    iam.delete_role_policy(RoleName="hop", PolicyName="p")
    iam.delete_role(RoleName="hop")
    new_id = iam.create_role(RoleName="hop", AssumeRolePolicyDocument=trust(user_arn(gh, "ops")))["Role"]["RoleId"]
    iam.put_role_policy(RoleName="hop", PolicyName="p", PolicyDocument=hop_policy)
    assert new_id != old_id
    hop = assume(gh, keys, role_arn(gh, "hop"))
    refused_assume(gh, hop, f"arn:aws:sts::{gh.account_id}:assumed-role/hop/sess", target)
    assert old_id.startswith("AROA")
    assert trust_principals(gh, "target") == [old_id]


def test_renamed_user_stays_trusted_and_its_old_name_does_not(gh):
    role = role_arn(gh, "r")
    uid, keys = make_user(gh, "carol", allow_assume(role), path="/team/")
    iam = gh.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(user_arn(gh, "carol", "/team/")))
    # AWS IAM "Renaming an IAM user": "Any resource or role policies that refer to the user as the
    # principal ... are automatically updated to use the new name or path."
    iam.update_user(UserName="carol", NewUserName="carol2", NewPath="/ops/")
    assume(gh, keys, role)
    _, other = make_user(gh, "carol", allow_assume(role), path="/team/")
    refused_assume(gh, other, user_arn(gh, "carol", "/team/"), role)
    assert trust_principals(gh, "r") == [user_arn(gh, "carol2", "/ops/")]


def test_trust_policy_naming_missing_principal_is_refused(gh):
    iam = gh.client("iam")
    make_user(gh, "dave", path="/p/")
    for arn in (user_arn(gh, "nobody"), role_arn(gh, "nothing"),
                user_arn(gh, "dave"),          # wrong path: that user does not exist
                user_arn(gh, "DAVE", "/p/")):  # ARNs are case-sensitive
        expect_error(lambda: iam.create_role(RoleName="x", AssumeRolePolicyDocument=trust(arn)),
                     "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{arn}"', status=400)
    expect_error(lambda: iam.get_role(RoleName="x"), "NoSuchEntity")

    good = user_arn(gh, "dave", "/p/")
    iam.create_role(RoleName="x", AssumeRolePolicyDocument=trust(good))
    bad = user_arn(gh, "ghost")
    expect_error(lambda: iam.update_assume_role_policy(RoleName="x", PolicyDocument=trust(good, bad)),
                 "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{bad}"', status=400)
    assert trust_principals(gh, "x") == [good]
    # An account this server does not host cannot be checked: kept as written.
    foreign = "arn:aws:iam::999999999999:user/someone"
    if gh.account_id != "999999999999":
        iam.update_assume_role_policy(RoleName="x", PolicyDocument=trust(good, foreign))
        assert trust_principals(gh, "x") == [good, foreign]


def test_bucket_policy_does_not_grant_recreated_user(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="sec-principals")
    s3.put_object(Bucket="sec-principals", Key="k", Body=b"data")
    old_id, keys = make_user(gh, "erin")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Erin", "Effect": "Allow", "Principal": {"AWS": user_arn(gh, "erin")},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::sec-principals/*"}]}, indent=2)
    s3.put_bucket_policy(Bucket="sec-principals", Policy=policy)
    # Within one account a bucket policy naming the user allows on its own.
    assert gh.client("s3", *keys).get_object(Bucket="sec-principals", Key="k")["Body"].read() == b"data"
    assert s3.get_bucket_policy(Bucket="sec-principals")["Policy"] == policy

    drop_user(gh, "erin")
    _, keys2 = make_user(gh, "erin")
    expect_error(lambda: gh.client("s3", *keys2).get_object(Bucket="sec-principals", Key="k"),
                 "AccessDenied", f"User: {user_arn(gh, 'erin')} is not authorized to perform: s3:GetObject "
                 "on resource: arn:aws:s3:::sec-principals/k because no identity-based policy allows the "
                 "s3:GetObject action", status=403)
    shown = json.loads(s3.get_bucket_policy(Bucket="sec-principals")["Policy"])
    assert shown["Statement"][0]["Principal"]["AWS"] == old_id


def test_bucket_policy_not_principal_binds_too(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="sec-notp")
    s3.put_object(Bucket="sec-notp", Key="k", Body=b"data")
    _, keys = make_user(gh, "frank", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    # Deny everyone but frank (and the account, as NotPrincipal requires).
    s3.put_bucket_policy(Bucket="sec-notp", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": [f"arn:aws:iam::{gh.account_id}:root", user_arn(gh, "frank")]},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::sec-notp/*"}]}))
    assert gh.client("s3", *keys).get_object(Bucket="sec-notp", Key="k")["Body"].read() == b"data"
    drop_user(gh, "frank")
    _, keys2 = make_user(gh, "frank", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    expect_error(lambda: gh.client("s3", *keys2).get_object(Bucket="sec-notp", Key="k"),
                 "AccessDenied", f"User: {user_arn(gh, 'frank')} is not authorized to perform: s3:GetObject "
                 "on resource: arn:aws:s3:::sec-notp/k with an explicit deny in a resource-based policy",
                 status=403)


def test_bucket_policy_naming_missing_principal_is_refused(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="sec-missing")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user_arn(gh, "nobody")},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::sec-missing/*"}]})
    # AWS S3: MalformedPolicy "Invalid principal in policy".
    expect_error(lambda: s3.put_bucket_policy(Bucket="sec-missing", Policy=policy),
                 "MalformedPolicy", "Invalid principal in policy", status=400)
    expect_error(lambda: s3.get_bucket_policy(Bucket="sec-missing"), "NoSuchBucketPolicy")
