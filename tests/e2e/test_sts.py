"""test_sts.py: temporary credentials end to end with /usr/bin/aws and boto3: AssumeRole (trust policies, ExternalId, MFA, chaining and duration limits, session policies and tags, expiry under faketime, tampered and foreign tokens), GetSessionToken, GetFederationToken, GetAccessKeyInfo, and the `gatehouse sessions revoke` / `gatehouse keys rotate` administration commands against a live server."""
import base64
import configparser
import datetime
import hashlib
import hmac
import json
import os
import struct
import subprocess
import time

import boto3
import botocore.exceptions
import botocore.session
import pytest

from conftest import cli_error, gatehouse_bin, random_account_id
from helpers import expect_error

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"


# ---- helpers ----

def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", condition=None):
    s = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        s["Condition"] = condition
    return s


def trust(principal_arn, actions="sts:AssumeRole", condition=None):
    s = {"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": actions}
    if condition:
        s["Condition"] = condition
    return doc(s)


def user_arn(gh, name):
    return f"arn:aws:iam::{gh.account_id}:user/{name}"


def role_arn(gh, name):
    return f"arn:aws:iam::{gh.account_id}:role/{name}"


def new_user(gh, name, *statements):
    """An IAM user with an inline policy of `statements` (none: no policy); returns (key, secret)."""
    iam = gh.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=doc(*statements))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def new_role(gh, name, trust_doc, managed=(), inline=None, max_session=None):
    iam = gh.client("iam")
    kw = {"RoleName": name, "AssumeRolePolicyDocument": trust_doc}
    if max_session:
        kw["MaxSessionDuration"] = max_session
    iam.create_role(**kw)
    for arn in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=inline)
    return role_arn(gh, name)


def sts_of(gh, keys):
    return gh.client("sts", *keys)


def creds_of(resp):
    c = resp["Credentials"]
    return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]


def assume(gh, keys, arn, session="s1", **kw):
    resp = sts_of(gh, keys).assume_role(RoleArn=arn, RoleSessionName=session, **kw)
    return creds_of(resp), resp


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def admin_env():
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
    e["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return e


def gatehouse_cmd(*args):
    cp = subprocess.run([gatehouse_bin()] + list(args), capture_output=True, text=True, env=admin_env(),
                        timeout=60)
    for line in (cp.stderr + cp.stdout).splitlines():
        assert "Sanitizer" not in line and "runtime error" not in line, cp.stderr
    return cp


def totp(seed_b32, step):
    """RFC 6238 TOTP (SHA-1, 6 digits) of a Base32 seed at 30-second step `step`."""
    key = base64.b32decode(seed_b32 + "=" * (-len(seed_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def seed_scenario(gh, user="alice", role="s3-reader"):
    """A user allowed to assume a role that trusts it and holds AmazonS3ReadOnlyAccess."""
    arn = role_arn(gh, role)
    keys = new_user(gh, user, allow("sts:AssumeRole", arn))
    new_role(gh, role, trust(user_arn(gh, user)), managed=[S3_READ])
    return keys, arn


# ---- AssumeRole ----

def test_seed_scenario_aws_cli(gh):
    """The issue's scenario with the real CLI: assume, see the assumed-role
    ARN, be refused IAM writes with AWS's exact message."""
    keys, arn = seed_scenario(gh)
    gh.add_profile("alice", *keys)
    before = utcnow()
    out = gh.aws("sts", "assume-role", "--role-arn", arn, "--role-session-name", "cli-session", profile="alice")
    c = out["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA") and len(c["AccessKeyId"]) == 20
    exp = datetime.datetime.fromisoformat(c["Expiration"].replace("Z", "+00:00"))
    assert abs((exp - before).total_seconds() - 3600) < 120, c["Expiration"]  # default one hour
    session_arn = f"arn:aws:sts::{gh.account_id}:assumed-role/s3-reader/cli-session"
    assert out["AssumedRoleUser"]["Arn"] == session_arn
    role_id = gh.client("iam").get_role(RoleName="s3-reader")["Role"]["RoleId"]
    assert out["AssumedRoleUser"]["AssumedRoleId"] == f"{role_id}:cli-session"

    gh.add_profile("session", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    me = gh.aws("sts", "get-caller-identity", profile="session")
    assert me == {"UserId": f"{role_id}:cli-session", "Account": gh.account_id, "Arn": session_arn}

    cp = gh.aws("iam", "create-user", "--user-name", "intruder", profile="session", check=False)
    assert cp.returncode == 254, (cp.returncode, cp.stderr)  # the CLI's "the service returned an error"
    assert cli_error(cp) == (
        "AccessDenied",
        f"User: {session_arn} is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{gh.account_id}:user/intruder because no identity-based policy allows the "
        "iam:CreateUser action"), cp.stderr
    cp = gh.aws("iam", "attach-role-policy", "--role-name", "s3-reader", "--policy-arn",
                "arn:aws:iam::aws:policy/AdministratorAccess", profile="session", check=False)
    assert cli_error(cp)[0] == "AccessDenied", cp.stderr
    assert [p["PolicyName"] for p in gh.client("iam").list_attached_role_policies(
        RoleName="s3-reader")["AttachedPolicies"]] == ["AmazonS3ReadOnlyAccess"]


def test_root_cannot_assume_roles(gh):
    new_role(gh, "r", trust(f"arn:aws:iam::{gh.account_id}:root"))
    expect_error(lambda: gh.client("sts").assume_role(RoleArn=role_arn(gh, "r"), RoleSessionName="ss"),
                 "AccessDenied", "Roles may not be assumed by root accounts.", status=403)


def test_role_that_does_not_exist_is_a_refusal(gh):
    keys = new_user(gh, "u", allow("sts:AssumeRole"))
    sts = sts_of(gh, keys)
    for arn in (role_arn(gh, "nope"), "arn:aws:iam::123456789012:role/nope",
                f"arn:aws:iam::{gh.account_id}:role/some/path/nope"):
        expect_error(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="ss"), "AccessDenied",
                     f"User: {user_arn(gh, 'u')} is not authorized to perform: sts:AssumeRole on resource: {arn}",
                     status=403)
    # A role that exists but under another path is as absent as one that does not.
    new_role(gh, "real", trust(user_arn(gh, "u")))
    arn = f"arn:aws:iam::{gh.account_id}:role/other/real"
    expect_error(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="ss"), "AccessDenied",
                 f"User: {user_arn(gh, 'u')} is not authorized to perform: sts:AssumeRole on resource: {arn}")
    # Raw: the refusal carries no credentials at all.
    r = gh.query("AssumeRole", {"RoleArn": role_arn(gh, "nope"), "RoleSessionName": "ss"}, service="sts",
                 access_key=keys[0], secret=keys[1])
    assert r.status == 403 and r.code == "AccessDenied", r
    assert b"SecretAccessKey" not in r.body and b"ASIA" not in r.body, r.body


def test_trust_must_name_the_caller(gh):
    keys = new_user(gh, "u", allow("sts:AssumeRole"))
    new_user(gh, "other")
    arn = new_role(gh, "r", trust(user_arn(gh, "other")))
    expect_error(lambda: assume(gh, keys, arn), "AccessDenied",
                 f"User: {user_arn(gh, 'u')} is not authorized to perform: sts:AssumeRole on resource: {arn}")


def test_chaining_cap(gh):
    keys = new_user(gh, "u", allow("sts:AssumeRole"))
    first = new_role(gh, "first", trust(user_arn(gh, "u")), inline=doc(allow("sts:AssumeRole")),
                     max_session=43200)
    second = new_role(gh, "second", trust(first), max_session=43200)
    sess, _ = assume(gh, keys, first, DurationSeconds=7200)  # not chained: up to MaxSessionDuration
    sts = sts_of(gh, sess)
    expect_error(lambda: sts.assume_role(RoleArn=second, RoleSessionName="cc", DurationSeconds=7200),
                 "ValidationError",
                 "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
                 status=400)
    before = utcnow()
    resp = sts.assume_role(RoleArn=second, RoleSessionName="cc", DurationSeconds=3600)
    assert abs((resp["Credentials"]["Expiration"] - before).total_seconds() - 3600) < 120
    chained = creds_of(resp)
    assert sts_of(gh, chained).get_caller_identity()["Arn"] == \
        f"arn:aws:sts::{gh.account_id}:assumed-role/second/cc"
    # Chaining from the chained session is capped the same way.
    expect_error(lambda: sts_of(gh, chained).assume_role(RoleArn=first, RoleSessionName="dd", DurationSeconds=3601),
                 "ValidationError",
                 "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")


def test_max_session_duration(gh):
    keys = new_user(gh, "u", allow("sts:AssumeRole"))
    arn = new_role(gh, "r", trust(user_arn(gh, "u")))  # MaxSessionDuration defaults to 3600
    expect_error(lambda: assume(gh, keys, arn, DurationSeconds=3601), "ValidationError",
                 "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", status=400)
    gh.client("iam").update_role(RoleName="r", MaxSessionDuration=7200)
    before = utcnow()
    _, resp = assume(gh, keys, arn, DurationSeconds=7200)
    assert abs((resp["Credentials"]["Expiration"] - before).total_seconds() - 7200) < 120
    expect_error(lambda: assume(gh, keys, arn, DurationSeconds=7201), "ValidationError",
                 "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    # Below the model's minimum of 900 (raw: boto3 would refuse it client-side).
    r = gh.query("AssumeRole", {"RoleArn": arn, "RoleSessionName": "ss", "DurationSeconds": "899"},
                 service="sts", access_key=keys[0], secret=keys[1])
    assert r.status == 400 and r.code == "ValidationError", r
    assert r.message == ("1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
                         "constraint: Member must have value greater than or equal to 900"), r


def test_external_id(gh):
    keys = new_user(gh, "u", allow("sts:AssumeRole"))
    arn = new_role(gh, "partner", trust(user_arn(gh, "u"),
                                        condition={"StringEquals": {"sts:ExternalId": "Unique-ID-4711"}}))
    msg = f"User: {user_arn(gh, 'u')} is not authorized to perform: sts:AssumeRole on resource: {arn}"
    expect_error(lambda: assume(gh, keys, arn), "AccessDenied", msg, status=403)
    expect_error(lambda: assume(gh, keys, arn, ExternalId="Unique-ID-4712"), "AccessDenied", msg)
    sess, _ = assume(gh, keys, arn, ExternalId="Unique-ID-4711")
    assert sts_of(gh, sess).get_caller_identity()["Arn"].endswith(":assumed-role/partner/s1")


def _mfa_setup(gh, user, trust_condition):
    """A user with an enabled virtual MFA device and a role whose trust needs MFA.
    Returns (keys, role arn, serial, seed, last step used)."""
    iam = gh.client("iam")
    arn = role_arn(gh, "mfa-role")
    keys = new_user(gh, user, allow("sts:AssumeRole", arn))
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{user}-phone")["VirtualMFADevice"]
    seed = dev["Base32StringSeed"]
    seed = seed.decode() if isinstance(seed, bytes) else seed
    step = int(time.time()) // 30
    iam.enable_mfa_device(UserName=user, SerialNumber=dev["SerialNumber"],
                          AuthenticationCode1=totp(seed, step - 2), AuthenticationCode2=totp(seed, step - 1))
    new_role(gh, "mfa-role", trust(user_arn(gh, user), condition=trust_condition),
             inline=doc(allow("iam:ListUsers")))
    return keys, arn, dev["SerialNumber"], seed, step - 1


MFA_PRESENT = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_mfa_wrong_code_and_no_code_are_refused(gh):
    keys, arn, serial, seed, last = _mfa_setup(gh, "alice", MFA_PRESENT)
    expect_error(lambda: assume(gh, keys, arn), "AccessDenied",
                 f"User: {user_arn(gh, 'alice')} is not authorized to perform: sts:AssumeRole on resource: {arn}")
    good = totp(seed, int(time.time()) // 30)
    wrong = "%06d" % ((int(good) + 1) % 1000000)
    expect_error(lambda: assume(gh, keys, arn, SerialNumber=serial, TokenCode=wrong), "AccessDenied",
                 "MultiFactorAuthentication failed with invalid MFA one time pass code.")
    # A code without the serial number (and the reverse) is refused, not ignored.
    r = gh.query("AssumeRole", {"RoleArn": arn, "RoleSessionName": "ss", "TokenCode": good}, service="sts",
                 access_key=keys[0], secret=keys[1])
    assert r.code == "AccessDenied" and b"SessionToken" not in r.body, r


def test_mfa_assume_role_with_code(gh):
    keys, arn, serial, seed, last = _mfa_setup(gh, "alice", MFA_PRESENT)
    step = max(int(time.time()) // 30, last + 1)
    sess, _ = assume(gh, keys, arn, SerialNumber=serial, TokenCode=totp(seed, step))
    me = sts_of(gh, sess).get_caller_identity()
    assert me["Arn"] == f"arn:aws:sts::{gh.account_id}:assumed-role/mfa-role/s1"
    assert gh.client("iam", *sess).list_users()["Users"]
    # The same code again is a replay.
    expect_error(lambda: assume(gh, keys, arn, session="s2", SerialNumber=serial, TokenCode=totp(seed, step)),
                 "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")


def test_mfa_via_get_session_token(gh):
    """The other AWS path: GetSessionToken with a code, then AssumeRole with
    those credentials and no code; aws:MultiFactorAuthPresent is true."""
    keys, arn, serial, seed, last = _mfa_setup(gh, "alice", MFA_PRESENT)
    step = max(int(time.time()) // 30, last + 1)
    resp = sts_of(gh, keys).get_session_token(SerialNumber=serial, TokenCode=totp(seed, step))
    mfa_sess = creds_of(resp)
    sess, _ = assume(gh, mfa_sess, arn)
    assert sts_of(gh, sess).get_caller_identity()["Arn"].endswith(":assumed-role/mfa-role/s1")
    # Without MFA the same user's session token does not satisfy the trust policy.
    plain = creds_of(sts_of(gh, keys).get_session_token())
    expect_error(lambda: assume(gh, plain, arn), "AccessDenied",
                 f"User: {user_arn(gh, 'alice')} is not authorized to perform: sts:AssumeRole on resource: {arn}")


def test_session_policy_narrows(gh):
    keys = new_user(gh, "u", allow("sts:AssumeRole"))
    arn = new_role(gh, "admin", trust(user_arn(gh, "u")), inline=doc(allow("iam:*")))
    wide, _ = assume(gh, keys, arn, session="wide")
    assert "u" in [u["UserName"] for u in gh.client("iam", *wide).list_users()["Users"]]
    narrow, resp = assume(gh, keys, arn, session="narrow", Policy=doc(allow("iam:GetUser")))
    assert 0 < resp["PackedPolicySize"] <= 100
    iam = gh.client("iam", *narrow)
    assert iam.get_user(UserName="u")["User"]["UserName"] == "u"
    err = expect_error(lambda: iam.list_users(), "AccessDenied", status=403)
    session_arn = f"arn:aws:sts::{gh.account_id}:assumed-role/admin/narrow"
    assert err["Message"].startswith(f"User: {session_arn} is not authorized to perform: iam:ListUsers on resource: ")
    assert err["Message"].endswith("because no session policy allows the iam:ListUsers action"), err
    # A session policy cannot grant what the role lacks.
    keys2 = new_user(gh, "v", allow("sts:AssumeRole"))
    arn2 = new_role(gh, "getter", trust(user_arn(gh, "v")), inline=doc(allow("iam:GetUser")))
    s2, _ = assume(gh, keys2, arn2, Policy=doc(allow("iam:*")))
    expect_error(lambda: gh.client("iam", *s2).list_users(), "AccessDenied",
                 message_contains="because no identity-based policy allows the iam:ListUsers action")
    # Managed policies as session policies (PolicyArns) narrow too.
    pol = gh.client("iam").create_policy(PolicyName="only-get-role", PolicyDocument=doc(allow("iam:GetRole")))
    s3, _ = assume(gh, keys, arn, session="arns", PolicyArns=[{"arn": pol["Policy"]["Arn"]}])
    assert gh.client("iam", *s3).get_role(RoleName="admin")["Role"]["RoleName"] == "admin"
    expect_error(lambda: gh.client("iam", *s3).get_user(UserName="u"), "AccessDenied")
    # A malformed session policy is refused before any credentials are made.
    expect_error(lambda: assume(gh, keys, arn, Policy="{not json"), "MalformedPolicyDocument")


def test_session_tags_in_role_policy(gh):
    acct = gh.account_id
    keys = new_user(gh, "u", allow(["sts:AssumeRole", "sts:TagSession"]))
    arn = new_role(gh, "tagged", trust(user_arn(gh, "u"), actions=["sts:AssumeRole", "sts:TagSession"]),
                   inline=doc(allow("iam:GetUser", f"arn:aws:iam::{acct}:user/${{aws:PrincipalTag/team}}-*")))
    iam = gh.client("iam")
    for name in ("blue-1", "red-1"):
        iam.create_user(UserName=name)
    blue, _ = assume(gh, keys, arn, session="bb", Tags=[{"Key": "team", "Value": "blue"}])
    red, _ = assume(gh, keys, arn, session="rr", Tags=[{"Key": "team", "Value": "red"}])
    untagged, _ = assume(gh, keys, arn, session="nn")
    assert gh.client("iam", *blue).get_user(UserName="blue-1")["User"]["UserName"] == "blue-1"
    expect_error(lambda: gh.client("iam", *blue).get_user(UserName="red-1"), "AccessDenied")
    assert gh.client("iam", *red).get_user(UserName="red-1")["User"]["UserName"] == "red-1"
    expect_error(lambda: gh.client("iam", *red).get_user(UserName="blue-1"), "AccessDenied")
    # No tag: the variable does not resolve and the statement matches nothing.
    expect_error(lambda: gh.client("iam", *untagged).get_user(UserName="blue-1"), "AccessDenied")
    expect_error(lambda: gh.client("iam", *untagged).get_user(UserName="-1"), "AccessDenied")

    # Without sts:TagSession in the trust policy, tagging is refused.
    arn2 = new_role(gh, "notags", trust(user_arn(gh, "u")))
    expect_error(lambda: assume(gh, keys, arn2, Tags=[{"Key": "team", "Value": "blue"}]), "AccessDenied",
                 f"User: {user_arn(gh, 'u')} is not authorized to perform: sts:TagSession on resource: {arn2}")
    assume(gh, keys, arn2)  # untagged still works


def test_boto3_assume_role_profile(gh, tmp_path):
    """botocore's AssumeRoleCredentialFetcher, configured the usual way
    (role_arn + source_profile), against the server: only the endpoint is
    pointed at gatehouse."""
    keys = new_user(gh, "dev", allow("sts:AssumeRole"))
    arn = new_role(gh, "deployer", trust(user_arn(gh, "dev"), condition={
        "StringEquals": {"sts:ExternalId": "ext-1"}}), inline=doc(allow("iam:ListRoles")))
    cfg = configparser.ConfigParser()
    cfg["profile dev"] = {"region": "us-east-1", "aws_access_key_id": keys[0], "aws_secret_access_key": keys[1]}
    cfg["profile deploy"] = {"region": "us-east-1", "role_arn": arn, "source_profile": "dev",
                             "role_session_name": "ci-run", "external_id": "ext-1", "duration_seconds": "1800"}
    path = tmp_path / "aws-config"
    with open(path, "w") as f:
        cfg.write(f)
    bs = botocore.session.Session()
    bs.set_config_variable("config_file", str(path))
    bs.set_config_variable("credentials_file", "/nonexistent/gatehouse-e2e-credentials")
    bs.set_config_variable("profile", "deploy")
    provider = bs.get_component("credential_provider").get_provider("assume-role")
    make = provider._client_creator
    provider._client_creator = lambda service, **kw: make(service, endpoint_url=gh.endpoint, **kw)
    session = boto3.session.Session(botocore_session=bs)
    sts = session.client("sts", endpoint_url=gh.endpoint)
    me = sts.get_caller_identity()
    assert me["Arn"] == f"arn:aws:sts::{gh.account_id}:assumed-role/deployer/ci-run"
    frozen = session.get_credentials().get_frozen_credentials()
    gh.secrets.add(frozen.secret_key)
    assert frozen.access_key.startswith("ASIA") and frozen.token
    roles = session.client("iam", endpoint_url=gh.endpoint).list_roles()["Roles"]
    assert "deployer" in [r["RoleName"] for r in roles]
    expect_error(lambda: session.client("iam", endpoint_url=gh.endpoint).list_users(), "AccessDenied")


# ---- expiry, tampering, foreign tokens ----

def _faketime_server(gh_factory, tmp_path, monkeypatch):
    if not os.path.exists(FAKETIME_LIB):
        pytest.skip("libfaketime is not installed")
    clock = tmp_path / "faketime"
    clock.write_text("+0\n")
    wrapper = tmp_path / "gatehouse-faketime"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"export LD_PRELOAD={FAKETIME_LIB} FAKETIME_TIMESTAMP_FILE={clock} FAKETIME_NO_CACHE=1\n"
        'export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"\n'
        f'exec {gatehouse_bin()} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("GATEHOUSE_BIN", str(wrapper))
    gh = gh_factory()
    fake_env = {"LD_PRELOAD": FAKETIME_LIB, "FAKETIME_TIMESTAMP_FILE": str(clock), "FAKETIME_NO_CACHE": "1"}
    return gh, clock, fake_env


def test_expired_token_under_faketime(gh_factory, tmp_path, monkeypatch):
    gh, clock, fake_env = _faketime_server(gh_factory, tmp_path, monkeypatch)
    keys, arn = seed_scenario(gh)
    sess, resp = assume(gh, keys, arn, DurationSeconds=900)
    gh.add_profile("session", *sess)
    gh.add_profile("alice", *keys)
    assert gh.aws("sts", "get-caller-identity", profile="session")["Arn"].endswith("/s3-reader/s1")

    # Two hours on, for the server and for the client that signs.
    clock.write_text("+2h\n")
    time.sleep(0.6)
    cp = gh.aws("sts", "get-caller-identity", profile="session", env=fake_env, check=False)
    assert cp.returncode == 254, (cp.returncode, cp.stdout, cp.stderr)
    assert cli_error(cp) == ("ExpiredToken", EXPIRED_TOKEN), cp.stderr
    cp = gh.aws("iam", "list-users", profile="session", env=fake_env, check=False)
    assert cli_error(cp) == ("ExpiredToken", EXPIRED_TOKEN), cp.stderr
    later = utcnow().replace(tzinfo=None) + datetime.timedelta(hours=2)
    r = gh.query("GetCallerIdentity", service="sts", access_key=sess[0], secret=sess[1], token=sess[2], when=later)
    assert (r.status, r.code, r.message) == (400, "ExpiredToken", EXPIRED_TOKEN), r
    # Long-term keys still work at that time, and a new session does.
    out = gh.aws("sts", "assume-role", "--role-arn", arn, "--role-session-name", "fresh", profile="alice",
                 env=fake_env)
    exp = datetime.datetime.fromisoformat(out["Credentials"]["Expiration"].replace("Z", "+00:00"))
    assert exp > utcnow() + datetime.timedelta(hours=2, minutes=50), out["Credentials"]["Expiration"]
    c = out["Credentials"]
    gh.add_profile("fresh", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    assert gh.aws("sts", "get-caller-identity", profile="fresh", env=fake_env)["Arn"].endswith("/fresh")

    # Just before the expiry the first session still worked: move the clock to 14 minutes.
    clock.write_text("+14m\n")
    time.sleep(0.6)
    soon = utcnow().replace(tzinfo=None) + datetime.timedelta(minutes=14)
    r = gh.query("GetCallerIdentity", service="sts", access_key=sess[0], secret=sess[1], token=sess[2], when=soon)
    assert r.status == 200, r


def test_tampered_token(gh):
    keys, arn = seed_scenario(gh)
    ak, sk, tok = assume(gh, keys, arn)[0]
    assert gh.client("sts", ak, sk, tok).get_caller_identity()["Arn"].endswith("/s1")
    for pos in (len(tok) // 2, 10, len(tok) - 5):
        ch = tok[pos]
        flipped = tok[:pos] + ("A" if ch != "A" else "B") + tok[pos + 1:]
        expect_error(lambda: gh.client("sts", ak, sk, flipped).get_caller_identity(), "InvalidClientTokenId",
                     INVALID_TOKEN, status=403)
    # Truncated, empty-looking and garbage tokens.
    for bad in (tok[:-8], tok[: len(tok) // 2], "x" * 40):
        expect_error(lambda: gh.client("sts", ak, sk, bad).get_caller_identity(), "InvalidClientTokenId",
                     INVALID_TOKEN)
    # The temporary key without its token, and with another session's token.
    expect_error(lambda: gh.client("sts", ak, sk).get_caller_identity(), "InvalidClientTokenId", INVALID_TOKEN)
    other = assume(gh, keys, arn, session="s2")[0]
    expect_error(lambda: gh.client("sts", ak, sk, other[2]).get_caller_identity(), "InvalidClientTokenId",
                 INVALID_TOKEN)
    # A token on a long-term key.
    expect_error(lambda: gh.client("sts", keys[0], keys[1], tok).get_caller_identity(), "InvalidClientTokenId",
                 INVALID_TOKEN)
    # The right token with a wrong secret is a signature mismatch.
    expect_error(lambda: gh.client("sts", ak, sk[:-1] + ("A" if sk[-1] != "A" else "B"), tok).get_caller_identity(),
                 "SignatureDoesNotMatch")


def test_token_from_another_data_dir(gh_factory):
    a = gh_factory()
    b = gh_factory()
    ka, arn_a = seed_scenario(a)
    sess = assume(a, ka, arn_a)[0]
    assert a.client("sts", *sess).get_caller_identity()["Account"] == a.account_id
    b.secrets.add(sess[1])
    expect_error(lambda: b.client("sts", *sess).get_caller_identity(), "InvalidClientTokenId", INVALID_TOKEN,
                 status=403)
    # Even with the same user, role and account layout in the other store.
    kb, _ = seed_scenario(b)
    expect_error(lambda: b.client("iam", *sess).list_users(), "InvalidClientTokenId", INVALID_TOKEN)


# ---- GetSessionToken ----

def test_get_session_token(gh):
    keys = new_user(gh, "u", allow("iam:ListUsers"), allow("sts:AssumeRole"))
    before = utcnow()
    resp = sts_of(gh, keys).get_session_token()
    c = resp["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA")
    assert abs((c["Expiration"] - before).total_seconds() - 43200) < 120  # default 12 hours
    sess = creds_of(resp)
    me = sts_of(gh, sess).get_caller_identity()
    assert me["Arn"] == user_arn(gh, "u") and me["Account"] == gh.account_id
    # Explicit durations within 900..129600.
    resp = sts_of(gh, keys).get_session_token(DurationSeconds=129600)
    assert abs((resp["Credentials"]["Expiration"] - utcnow()).total_seconds() - 129600) < 120
    r = gh.query("GetSessionToken", {"DurationSeconds": "129601"}, service="sts", access_key=keys[0], secret=keys[1])
    assert r.status == 400 and r.code == "ValidationError", r
    # With session credentials: refused, whichever kind they are.
    expect_error(lambda: sts_of(gh, sess).get_session_token(), "AccessDenied",
                 "Cannot call GetSessionToken with session credentials", status=403)
    arn = new_role(gh, "r", trust(user_arn(gh, "u")))
    role_sess = assume(gh, keys, arn)[0]
    expect_error(lambda: sts_of(gh, role_sess).get_session_token(), "AccessDenied",
                 "Cannot call GetSessionToken with session credentials")


def test_get_session_token_root_capped_at_one_hour(gh):
    sts = gh.client("sts")
    for kw in ({}, {"DurationSeconds": 7200}, {"DurationSeconds": 129600}):
        before = utcnow()
        resp = sts.get_session_token(**kw)
        gh.track(resp)
        assert abs((resp["Credentials"]["Expiration"] - before).total_seconds() - 3600) < 120, kw
    resp = sts.get_session_token(DurationSeconds=900)
    assert abs((resp["Credentials"]["Expiration"] - utcnow()).total_seconds() - 900) < 120
    sess = creds_of(resp)
    assert sts_of(gh, sess).get_caller_identity()["Arn"] == f"arn:aws:iam::{gh.account_id}:root"


def test_session_token_without_mfa_cannot_call_iam(gh):
    """AWS STS GetSessionToken: "You cannot call any IAM API operations
    unless MFA authentication information is included in the request"."""
    keys = new_user(gh, "u", allow("iam:*"))
    sess = creds_of(sts_of(gh, keys).get_session_token())
    assert gh.client("iam", *keys).list_users()["Users"]
    expect_error(lambda: gh.client("iam", *sess).list_users(), "AccessDenied")


# ---- GetFederationToken ----

def test_get_federation_token(gh):
    gh.client("organizations").create_organization(FeatureSet="ALL")
    keys = new_user(gh, "proxy", allow("sts:GetFederationToken"), allow(["organizations:Describe*",
                                                                        "organizations:List*"]))
    sts = sts_of(gh, keys)
    fed_arn = f"arn:aws:sts::{gh.account_id}:federated-user/bob"
    # No policy: a session with no permissions at all.
    resp = sts.get_federation_token(Name="bob")
    assert resp["FederatedUser"] == {"FederatedUserId": f"{gh.account_id}:bob", "Arn": fed_arn}
    assert abs((resp["Credentials"]["Expiration"] - utcnow()).total_seconds() - 43200) < 120
    bare = creds_of(resp)
    me = sts_of(gh, bare).get_caller_identity()
    assert me["Arn"] == fed_arn and me["UserId"] == f"{gh.account_id}:bob" and me["Account"] == gh.account_id
    err = expect_error(lambda: gh.client("organizations", *bare).describe_organization(), "AccessDeniedException")
    # With a policy: the intersection of the user's permissions and the policy.
    resp = sts.get_federation_token(Name="bob", Policy=doc(allow(["organizations:DescribeOrganization",
                                                                  "organizations:CreateAccount"])))
    assert 0 < resp["PackedPolicySize"] <= 100
    fed = creds_of(resp)
    org = gh.client("organizations", *fed)
    assert org.describe_organization()["Organization"]["MasterAccountId"] == gh.account_id
    expect_error(lambda: org.list_roots(), "AccessDeniedException")  # not in the session policy
    expect_error(lambda: org.create_account(Email="x@example.com", AccountName="x"),
                 "AccessDeniedException")  # not in the user's policy
    # Only long-term credentials may ask; the caller needs sts:GetFederationToken.
    expect_error(lambda: sts_of(gh, fed).get_federation_token(Name="again"), "AccessDenied",
                 "Cannot call GetFederationToken with session credentials")
    noperm = new_user(gh, "noperm")
    err = expect_error(lambda: sts_of(gh, noperm).get_federation_token(Name="bob"), "AccessDenied")
    assert err["Message"].startswith(f"User: {user_arn(gh, 'noperm')} is not authorized to perform: "
                                     f"sts:GetFederationToken on resource: {fed_arn}"), err
    # Root: at most one hour.
    resp = gh.client("sts").get_federation_token(Name="rootfed", DurationSeconds=7200,
                                                 Policy=doc(allow("organizations:*")))
    gh.track(resp)
    assert abs((resp["Credentials"]["Expiration"] - utcnow()).total_seconds() - 3600) < 120


def test_federation_token_cannot_call_iam(gh):
    """AWS STS GetFederationToken: "You cannot call any IAM operations using
    the AWS CLI or the AWS API", whatever the policies say."""
    keys = new_user(gh, "proxy", allow("sts:GetFederationToken"), allow("iam:*"))
    fed = creds_of(sts_of(gh, keys).get_federation_token(Name="bob", Policy=doc(allow("iam:*"))))
    expect_error(lambda: gh.client("iam", *fed).list_users(), "AccessDenied")


# ---- GetAccessKeyInfo ----

def test_get_access_key_info(gh_factory):
    a = gh_factory(account_id="4" + random_account_id()[1:])
    b = gh_factory(account_id="7" + random_account_id()[1:])
    keys, arn = seed_scenario(a)
    sess = assume(a, keys, arn)[0]
    sts = a.client("sts")
    for key_id in (a.root_key, keys[0], sess[0]):
        assert sts.get_access_key_info(AccessKeyId=key_id)["Account"] == a.account_id, key_id
    # Another installation's keys decode to their own account.
    assert sts.get_access_key_info(AccessKeyId=b.root_key)["Account"] == b.account_id
    assert b.client("sts").get_access_key_info(AccessKeyId=sess[0])["Account"] == a.account_id
    # Unlike GetCallerIdentity it needs sts:GetAccessKeyInfo: the S3-read session lacks it.
    expect_error(lambda: a.client("sts", *sess).get_access_key_info(AccessKeyId=keys[0]), "AccessDenied",
                 f"User: arn:aws:sts::{a.account_id}:assumed-role/s3-reader/s1 is not authorized to perform: "
                 "sts:GetAccessKeyInfo on resource: * because no identity-based policy allows the "
                 "sts:GetAccessKeyInfo action")
    r = a.query("GetAccessKeyInfo", {"AccessKeyId": "short"}, service="sts")
    assert r.status == 400 and r.code == "ValidationError", r


def test_get_access_key_info_leading_zero_account(gh_factory):
    """AWS account ids are any 12 digits, leading zeros included; the ids
    of temporary keys (which are not stored) must decode to them too."""
    a = gh_factory(account_id="012345678901")
    keys, arn = seed_scenario(a)
    sess = assume(a, keys, arn)[0]
    assert a.client("sts", *sess).get_caller_identity()["Account"] == "012345678901"
    for key_id in (a.root_key, keys[0], sess[0]):
        assert a.client("sts").get_access_key_info(AccessKeyId=key_id)["Account"] == "012345678901", key_id


# ---- administration against a live server ----

def _poll(fn, timeout):
    """Calls fn until it returns truthy or `timeout` seconds pass; returns the elapsed seconds or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if fn():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def _refused(gh, sess):
    try:
        gh.client("sts", *sess).get_caller_identity()
        return False
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidClientTokenId", e.response["Error"]
        return True


def test_sessions_revoke(gh):
    keys, arn = seed_scenario(gh)
    other_arn = new_role(gh, "other", trust(user_arn(gh, "alice")))
    gh.client("iam").put_user_policy(UserName="alice", PolicyName="inline",
                                     PolicyDocument=doc(allow("sts:AssumeRole")))
    live = assume(gh, keys, arn)[0]
    unrelated = assume(gh, keys, other_arn)[0]
    assert gh.client("sts", *live).get_caller_identity()
    time.sleep(1.1)  # the sessions were issued strictly before the revocation's second
    cp = gatehouse_cmd("sessions", "revoke", "--role", "s3-reader", "--data-dir", gh.data_dir)
    assert cp.returncode == 0, cp.stderr
    # The server notices within about half a second; the bound is generous so a
    # loaded machine does not fail the test (no timing assertions in tests).
    elapsed = _poll(lambda: _refused(gh, live), 10.0)
    assert elapsed is not None, "the revoked session still works 10 s after `gatehouse sessions revoke`"
    expect_error(lambda: gh.client("iam", *live).list_users(), "InvalidClientTokenId", INVALID_TOKEN)
    # Other roles' sessions and new sessions of the same role work.
    assert gh.client("sts", *unrelated).get_caller_identity()["Arn"].endswith("/other/s1")
    fresh = assume(gh, keys, arn, session="after")[0]
    assert gh.client("sts", *fresh).get_caller_identity()["Arn"].endswith("/s3-reader/after")
    # Still so after a restart (the revocation is stored).
    gh.restart()
    expect_error(lambda: gh.client("sts", *live).get_caller_identity(), "InvalidClientTokenId", INVALID_TOKEN)
    assert gh.client("sts", *fresh).get_caller_identity()["Arn"].endswith("/s3-reader/after")
    # Bad usage is an error, not a silent no-op.
    cp = gatehouse_cmd("sessions", "revoke", "--data-dir", gh.data_dir)
    assert cp.returncode == 2, (cp.returncode, cp.stderr)  # bad usage exits 2 (CONTRIBUTING.md "Command line")
    assert cp.stderr.startswith("usage: gatehouse sessions revoke --role NAME "), cp.stderr


def test_keys_rotate(gh):
    keys, arn = seed_scenario(gh)
    old = assume(gh, keys, arn, session="old")[0]
    cp = gatehouse_cmd("keys", "rotate", "--data-dir", gh.data_dir)
    assert cp.returncode == 0, cp.stderr
    time.sleep(1.0)
    assert gh.client("sts", *old).get_caller_identity()["Arn"].endswith("/old")
    new = assume(gh, keys, arn, session="new")[0]
    assert gh.client("sts", *new).get_caller_identity()["Arn"].endswith("/new")
    cp = gatehouse_cmd("keys", "rotate", "--data-dir", gh.data_dir)
    assert cp.returncode == 0, cp.stderr
    gh.restart()
    for s, name in ((old, "old"), (new, "new")):
        assert gh.client("sts", *s).get_caller_identity()["Arn"].endswith("/" + name)
    newest = assume(gh, keys, arn, session="newest")[0]
    assert gh.client("sts", *newest).get_caller_identity()["Arn"].endswith("/newest")


def test_detach_takes_effect_on_live_session(gh):
    iam = gh.client("iam")
    keys = new_user(gh, "u", allow("sts:AssumeRole"))
    pol = iam.create_policy(PolicyName="list-users", PolicyDocument=doc(allow("iam:ListUsers")))["Policy"]["Arn"]
    arn = new_role(gh, "r", trust(user_arn(gh, "u")), managed=[pol],
                   inline=doc(allow("iam:GetUser")))
    sess = assume(gh, keys, arn)[0]
    s_iam = gh.client("iam", *sess)
    assert s_iam.list_users()["Users"]
    iam.detach_role_policy(RoleName="r", PolicyArn=pol)
    expect_error(lambda: s_iam.list_users(), "AccessDenied",
                 message_contains="because no identity-based policy allows the iam:ListUsers action")
    # Inline policy changes too.
    assert s_iam.get_user(UserName="u")
    iam.delete_role_policy(RoleName="r", PolicyName="inline")
    expect_error(lambda: s_iam.get_user(UserName="u"), "AccessDenied")
    # And an attached one comes into force at once.
    iam.attach_role_policy(RoleName="r", PolicyArn=pol)
    assert s_iam.list_users()["Users"]


def test_session_token_sts_limited(gh):
    """AWS STS GetSessionToken: "You cannot call any STS API except
    AssumeRole or GetCallerIdentity" with the credentials it returns."""
    keys = new_user(gh, "u", allow("sts:*"))
    arn = new_role(gh, "r", trust(user_arn(gh, "u")))
    sess = creds_of(sts_of(gh, keys).get_session_token())
    assert sts_of(gh, keys).get_access_key_info(AccessKeyId=keys[0])["Account"] == gh.account_id
    assert sts_of(gh, sess).get_caller_identity()["Arn"] == user_arn(gh, "u")
    assert assume(gh, sess, arn)[1]["AssumedRoleUser"]["Arn"].endswith(":assumed-role/r/s1")
    expect_error(lambda: sts_of(gh, sess).get_access_key_info(AccessKeyId=keys[0]), "AccessDenied")


def test_federation_token_sts_limited(gh):
    """AWS STS GetFederationToken: "You cannot call any STS operations
    except GetCallerIdentity" with the credentials it returns."""
    keys = new_user(gh, "proxy", allow("sts:*"))
    arn = new_role(gh, "r", trust(f"arn:aws:iam::{gh.account_id}:root"))
    fed = creds_of(sts_of(gh, keys).get_federation_token(Name="bob", Policy=doc(allow("sts:*"))))
    assert sts_of(gh, fed).get_caller_identity()["Arn"] == f"arn:aws:sts::{gh.account_id}:federated-user/bob"
    assert assume(gh, keys, arn)[0]  # the user itself may assume the role
    expect_error(lambda: assume(gh, fed, arn), "AccessDenied")
    expect_error(lambda: sts_of(gh, fed).get_access_key_info(AccessKeyId=keys[0]), "AccessDenied")


def test_transitive_tags_follow_a_chain(gh):
    acct = gh.account_id
    keys = new_user(gh, "u", allow(["sts:AssumeRole", "sts:TagSession"]))
    first = new_role(gh, "first", trust(user_arn(gh, "u"), actions=["sts:AssumeRole", "sts:TagSession"]),
                     inline=doc(allow(["sts:AssumeRole", "sts:TagSession"])))
    second = new_role(gh, "second", trust(first, actions=["sts:AssumeRole", "sts:TagSession"]),
                      inline=doc(allow("iam:GetUser", f"arn:aws:iam::{acct}:user/${{aws:PrincipalTag/team}}-*")))
    gh.client("iam").create_user(UserName="blue-1")
    gh.client("iam").create_user(UserName="red-1")
    tagged, _ = assume(gh, keys, first, Tags=[{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "x1"}],
                       TransitiveTagKeys=["team"])
    chained = creds_of(sts_of(gh, tagged).assume_role(RoleArn=second, RoleSessionName="chained"))
    gh.secrets.add(chained[1])
    assert gh.client("iam", *chained).get_user(UserName="blue-1")["User"]["UserName"] == "blue-1"
    expect_error(lambda: gh.client("iam", *chained).get_user(UserName="red-1"), "AccessDenied")
    # A transitive tag cannot be set again further down the chain.
    expect_error(lambda: sts_of(gh, tagged).assume_role(RoleArn=second, RoleSessionName="again",
                                                        Tags=[{"Key": "team", "Value": "red"}]),
                 "InvalidParameterValue")
    # A non-transitive tag does not follow: with only "cost" transitive, team is gone.
    other, _ = assume(gh, keys, first, session="other", Tags=[{"Key": "team", "Value": "blue"},
                                                             {"Key": "cost", "Value": "x1"}],
                      TransitiveTagKeys=["cost"])
    chained2 = creds_of(sts_of(gh, other).assume_role(RoleArn=second, RoleSessionName="chained2"))
    gh.secrets.add(chained2[1])
    expect_error(lambda: gh.client("iam", *chained2).get_user(UserName="blue-1"), "AccessDenied")
    # A TransitiveTagKeys entry must name a tag of the request.
    expect_error(lambda: assume(gh, keys, first, session="bad", Tags=[{"Key": "team", "Value": "blue"}],
                                TransitiveTagKeys=["nope"]), "InvalidParameterValue")


def test_token_issue_time_revocation_policy(gh):
    """The AWS console's "Revoke active sessions": an inline deny on
    aws:TokenIssueTime older than a moment refuses sessions issued before it."""
    keys = new_user(gh, "u", allow("sts:AssumeRole"))
    arn = new_role(gh, "r", trust(user_arn(gh, "u")), inline=doc(allow("iam:ListUsers")))
    old = assume(gh, keys, arn, session="old")[0]
    assert gh.client("iam", *old).list_users()["Users"]
    time.sleep(1.1)
    cutoff = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    time.sleep(1.1)
    gh.client("iam").put_role_policy(RoleName="r", PolicyName="AWSRevokeOlderSessions", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}}}))
    expect_error(lambda: gh.client("iam", *old).list_users(), "AccessDenied",
                 f"User: arn:aws:sts::{gh.account_id}:assumed-role/r/old is not authorized to perform: "
                 f"iam:ListUsers on resource: arn:aws:iam::{gh.account_id}:user/ with an explicit deny in an "
                 "identity-based policy")
    new = assume(gh, keys, arn, session="new")[0]
    assert gh.client("iam", *new).list_users()["Users"]


def test_source_identity(gh):
    keys = new_user(gh, "u", allow(["sts:AssumeRole", "sts:SetSourceIdentity"]))
    first = new_role(gh, "first", trust(user_arn(gh, "u"), actions=["sts:AssumeRole", "sts:SetSourceIdentity"]),
                     inline=doc(allow("sts:AssumeRole")))
    plain = new_role(gh, "plain", trust(user_arn(gh, "u")))
    # (The next role of a chain allows sts:SetSourceIdentity too, as AWS's examples do.)
    second = new_role(gh, "second", trust(first, actions=["sts:AssumeRole", "sts:SetSourceIdentity"]))
    sess, resp = assume(gh, keys, first, SourceIdentity="alice@example.com")
    assert resp["SourceIdentity"] == "alice@example.com"
    # Without sts:SetSourceIdentity in the trust policy it is refused.
    expect_error(lambda: assume(gh, keys, plain, SourceIdentity="alice@example.com"), "AccessDenied",
                 f"User: {user_arn(gh, 'u')} is not authorized to perform: sts:SetSourceIdentity on resource: {plain}")
    # It follows a chain and cannot be changed there.
    resp = sts_of(gh, sess).assume_role(RoleArn=second, RoleSessionName="chained")
    gh.track(resp)
    assert resp["SourceIdentity"] == "alice@example.com"
    expect_error(lambda: sts_of(gh, sess).assume_role(RoleArn=second, RoleSessionName="chained2",
                                                      SourceIdentity="mallory@example.com"), "AccessDenied")
