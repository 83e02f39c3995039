"""test_sec_sessions.py: sessions follow identities, not names (a deleted and
re-created role or user lends nothing to the old sessions); revocations and
key rotation keep reaching a long-running server; console sign-out survives
a restart."""
import base64
import json
import os
import subprocess
import time
import urllib.parse

from botocore.exceptions import ClientError

from conftest import gatehouse_bin
from helpers import expect_error

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
INVALID_TOKEN = "The security token included in the request is invalid."
S3_INVALID_TOKEN = "The provided token is malformed or otherwise invalid."


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust_user(gh, user):
    return doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{gh.account_id}:user/{user}"},
                "Action": "sts:AssumeRole"})


def creds(resp):
    c = resp["Credentials"]
    return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]


def gatehouse_cmd(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
    cp = subprocess.run([gatehouse_bin()] + list(args), capture_output=True, text=True, env=env, timeout=60)
    for line in (cp.stderr + cp.stdout).splitlines():
        assert "Sanitizer" not in line and "runtime error" not in line, cp.stderr
    return cp


def poll(fn, timeout):
    """Calls fn until it returns truthy or `timeout` seconds pass; True when it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fn():
            return True
        time.sleep(0.05)
    return False


def refused(gh, sess):
    try:
        gh.client("sts", *sess).get_caller_identity()
        return False
    except ClientError as e:
        return e.response["Error"]["Code"] == "InvalidClientTokenId"


def new_user_with_key(gh, name, policy=None):
    iam = gh.client("iam")
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def delete_user(gh, name):
    iam = gh.client("iam")
    for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
    for p in iam.list_user_policies(UserName=name)["PolicyNames"]:
        iam.delete_user_policy(UserName=name, PolicyName=p)
    for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=name, PolicyArn=p["PolicyArn"])
    try:
        iam.delete_login_profile(UserName=name)
    except ClientError:
        pass
    iam.delete_user(UserName=name)


def console_signin(gh, user, password):
    body = urllib.parse.urlencode({"account": gh.account_id, "username": user, "password": password})
    r = gh.http("POST", "/console/signin", body=body.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "X-Gatehouse-Console": "1"})
    assert r.status == 200, r
    o = json.loads(r.body)
    gh.secrets.add(o["secretAccessKey"])
    return o["accessKeyId"], o["secretAccessKey"], o["sessionToken"]


def console_signout(gh, token):
    body = urllib.parse.urlencode({"sessionToken": token})
    r = gh.http("POST", "/console/signout", body=body.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "X-Gatehouse-Console": "1"})
    assert r.status == 200, r


def token_key_id(token):
    """The id of the token key that sealed a session token (bytes 1..4 after the version)."""
    raw = base64.b64decode(token)
    return raw[1:5]


# ---- item 1: sessions follow unique ids ----

def test_role_session_dies_with_its_role(gh):
    """A session of a deleted role has no permissions, and a re-created role of
    the same name (here with AdministratorAccess) lends it none: every call with
    it fails closed as an invalid token, as the role's unique id is gone."""
    iam = gh.client("iam")
    keys = new_user_with_key(gh, "deployer", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    iam.create_role(RoleName="ci-readonly", AssumeRolePolicyDocument=trust_user(gh, "deployer"))
    old = creds(gh.client("sts", *keys).assume_role(
        RoleArn=f"arn:aws:iam::{gh.account_id}:role/ci-readonly", RoleSessionName="old"))
    expect_error(lambda: gh.client("iam", *old).list_users(), "AccessDenied")
    iam.delete_role(RoleName="ci-readonly")
    iam.create_role(RoleName="ci-readonly", AssumeRolePolicyDocument=trust_user(gh, "deployer"))
    iam.attach_role_policy(RoleName="ci-readonly", PolicyArn=ADMIN)
    # The old session: refused on every call, IAM, STS and S3 alike.
    expect_error(lambda: gh.client("iam", *old).list_users(), "InvalidClientTokenId", INVALID_TOKEN, status=403)
    expect_error(lambda: gh.client("iam", *old).create_user(UserName="backdoor"), "InvalidClientTokenId",
                 INVALID_TOKEN)
    expect_error(lambda: gh.client("sts", *old).get_caller_identity(), "InvalidClientTokenId", INVALID_TOKEN)
    expect_error(lambda: gh.client("s3", *old).list_buckets(), "InvalidToken", S3_INVALID_TOKEN)
    assert "backdoor" not in [u["UserName"] for u in iam.list_users()["Users"]]
    # A session of the new role has the new role's rights.
    new = creds(gh.client("sts", *keys).assume_role(
        RoleArn=f"arn:aws:iam::{gh.account_id}:role/ci-readonly", RoleSessionName="new"))
    assert gh.client("iam", *new).list_users()["Users"]
    # Revoking by name reaches every session of the name; the new one too.
    time.sleep(1.1)
    cp = gatehouse_cmd("sessions", "revoke", "--role", "CI-READONLY", "--data-dir", gh.data_dir)
    assert cp.returncode == 0, cp.stderr
    assert poll(lambda: refused(gh, new), 5.0), "the revoked session still works"
    expect_error(lambda: gh.client("iam", *new).list_users(), "InvalidClientTokenId", INVALID_TOKEN)


def test_session_token_of_recreated_user(gh):
    """GetSessionToken credentials of a deleted user do not come back to life
    when a user of the same name (any case) is created with admin rights."""
    iam = gh.client("iam")
    keys = new_user_with_key(gh, "temp-contractor")
    old = creds(gh.client("sts", *keys).get_session_token())
    expect_error(lambda: gh.client("s3", *old).list_buckets(), "AccessDenied")
    delete_user(gh, "temp-contractor")
    iam.create_user(UserName="Temp-Contractor")
    iam.attach_user_policy(UserName="Temp-Contractor", PolicyArn=ADMIN)
    expect_error(lambda: gh.client("s3", *old).list_buckets(), "InvalidToken", S3_INVALID_TOKEN, status=400)
    expect_error(lambda: gh.client("sts", *old).get_caller_identity(), "InvalidClientTokenId", INVALID_TOKEN)
    expect_error(lambda: gh.client("sts", *old).assume_role(
        RoleArn=f"arn:aws:iam::{gh.account_id}:role/x", RoleSessionName="s1"), "InvalidClientTokenId",
        INVALID_TOKEN)


def test_console_session_of_recreated_user(gh):
    """A console session of a deleted user is refused once the user is gone,
    whoever takes the name afterwards."""
    iam = gh.client("iam")
    iam.create_user(UserName="temp-contractor")
    iam.create_login_profile(UserName="temp-contractor", Password="Console-pass-1")
    old = console_signin(gh, "temp-contractor", "Console-pass-1")
    expect_error(lambda: gh.client("iam", *old).list_users(), "AccessDenied")
    delete_user(gh, "temp-contractor")
    iam.create_user(UserName="Temp-Contractor")
    iam.attach_user_policy(UserName="Temp-Contractor", PolicyArn=ADMIN)
    expect_error(lambda: gh.client("iam", *old).list_users(), "InvalidClientTokenId", INVALID_TOKEN)
    expect_error(lambda: gh.client("iam", *old).attach_user_policy(UserName="temp-contractor", PolicyArn=ADMIN),
                 "InvalidClientTokenId", INVALID_TOKEN)


def test_renamed_user_keeps_its_sessions(gh):
    """The other side of the rule: a session belongs to the user's unique id,
    so renaming the user (UpdateUser) neither breaks its sessions nor hands
    them to a new user that takes the old name."""
    iam = gh.client("iam")
    keys = new_user_with_key(gh, "alice", doc({"Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "iam:GetUser"],
                                                "Resource": "*"}))
    alice_id = iam.get_user(UserName="alice")["User"]["UserId"]
    iam.create_login_profile(UserName="alice", Password="Console-pass-1")
    sess = creds(gh.client("sts", *keys).get_session_token())
    console = console_signin(gh, "alice", "Console-pass-1")
    assert "Buckets" in gh.client("s3", *sess).list_buckets()
    iam.update_user(UserName="alice", NewUserName="alice2")
    iam.create_user(UserName="alice")  # no permissions
    assert "Buckets" in gh.client("s3", *sess).list_buckets()
    assert "Buckets" in gh.client("s3", *keys).list_buckets()
    # GetUser with no UserName names the caller: the renamed user, not the namesake.
    me = gh.client("iam", *console).get_user()["User"]
    assert (me["UserName"], me["UserId"]) == ("alice2", alice_id)
    me = gh.client("iam", *keys).get_user()["User"]
    assert (me["UserName"], me["UserId"]) == ("alice2", alice_id)


# ---- item 5: refreshes never stop reaching the server ----

def test_revoke_and_rotate_after_many_refreshes(gh):
    """More than 100 generation changes, each picked up by the server's
    periodic refresh, and `gatehouse sessions revoke` and `gatehouse keys
    rotate` still take effect on the running server."""
    iam = gh.client("iam")
    keys = new_user_with_key(gh, "u", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_user(gh, "u"))
    arn = f"arn:aws:iam::{gh.account_id}:role/r"
    for i in range(110):
        iam.tag_user(UserName="u", Tags=[{"Key": "n", "Value": str(i)}])  # a write: a new generation
        time.sleep(0.6)  # the server refreshes every 0.5 s
    sess = creds(gh.client("sts", *keys).assume_role(RoleArn=arn, RoleSessionName="s1"))
    before = token_key_id(sess[2])
    time.sleep(1.1)  # issued strictly before the revocation's second
    cp = gatehouse_cmd("sessions", "revoke", "--role", "r", "--data-dir", gh.data_dir)
    assert cp.returncode == 0, cp.stderr
    assert poll(lambda: refused(gh, sess), 5.0), "the revocation never reached the running server"
    cp = gatehouse_cmd("keys", "rotate", "--data-dir", gh.data_dir)
    assert cp.returncode == 0, cp.stderr

    def rotated():
        t = creds(gh.client("sts", *keys).assume_role(RoleArn=arn, RoleSessionName="n1"))[2]
        return token_key_id(t) != before
    assert poll(rotated, 5.0), "new session tokens are still sealed with the old token key"


# ---- item 8: console sign-out survives a restart ----

def test_console_signout_survives_restart(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="carol")
    iam.attach_user_policy(UserName="carol", PolicyArn=ADMIN)
    iam.create_login_profile(UserName="carol", Password="Console-pass-1")
    out = console_signin(gh, "carol", "Console-pass-1")
    kept = console_signin(gh, "carol", "Console-pass-1")
    assert gh.client("iam", *out).list_users()["Users"]
    console_signout(gh, out[2])
    expect_error(lambda: gh.client("iam", *out).list_users(), "InvalidClientTokenId", INVALID_TOKEN)
    gh.restart()
    expect_error(lambda: gh.client("iam", *out).list_users(), "InvalidClientTokenId", INVALID_TOKEN)
    expect_error(lambda: gh.client("sts", *out).get_caller_identity(), "InvalidClientTokenId", INVALID_TOKEN)
    expect_error(lambda: gh.client("s3", *out).list_buckets(), "InvalidToken", S3_INVALID_TOKEN)
    # The other session of the same user is untouched.
    assert gh.client("iam", *kept).list_users()["Users"]
