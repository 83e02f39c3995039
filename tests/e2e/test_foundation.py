"""test_foundation.py: bootstrap of the data directory, restarts, caller identity, users and access keys through the real aws CLI and boto3."""
import configparser
import os
import re
import signal
import stat
import subprocess

import json

import pytest

from conftest import Gatehouse, ServerFailed, cli_error, gatehouse_bin, random_account_id
from helpers import ALLOW_ALL, all_users, expect_error, snapshot

KEY_RE = re.compile(r"^AKIA[A-Z2-7]{16}$")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_bootstrap_files_and_modes(gh):
    d = gh.data_dir
    creds = os.path.join(d, "credentials")
    assert mode(creds) == 0o600, oct(mode(creds))
    assert mode(os.path.join(d, "master.key")) == 0o600
    assert os.path.getsize(os.path.join(d, "master.key")) > 0
    cp = configparser.ConfigParser()
    cp.read(creds)
    assert cp.sections() == ["default"]
    assert KEY_RE.match(cp["default"]["aws_access_key_id"])
    assert len(cp["default"]["aws_secret_access_key"]) == 40
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(d, "config"))
    assert cfg["default"]["region"] == "us-east-1"
    # The database alone must not reveal the root secret (sealed under master.key).
    for name in os.listdir(d):
        p = os.path.join(d, name)
        if name == "credentials" or not os.path.isfile(p):
            continue
        with open(p, "rb") as f:
            assert gh.root_secret.encode() not in f.read(), f"root secret stored in clear in {name}"


def test_cli_caller_identity_root(gh):
    out = gh.aws("sts", "get-caller-identity")
    assert out["Account"] == gh.account_id_arg
    assert out["Arn"] == f"arn:aws:iam::{gh.account_id_arg}:root"
    assert out["UserId"] == gh.account_id_arg


def test_healthz(gh):
    r = gh.http("GET", "/healthz")
    assert r.status == 200
    assert r.body.strip() == b"ok"


def test_random_account_id(gh_factory):
    g = gh_factory(account_id=None)
    ident = g.client("sts").get_caller_identity()
    assert re.fullmatch(r"\d{12}", ident["Account"])
    assert ident["Arn"] == f"arn:aws:iam::{ident['Account']}:root"


def test_restart_keeps_everything(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="alice", Path="/eng/")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=json.dumps(ALLOW_TRUST_ACCOUNT(gh.account_id)))
    pol = iam.create_policy(PolicyName="p1", PolicyDocument=json.dumps(ALLOW_ALL))["Policy"]
    iam.attach_user_policy(UserName="alice", PolicyArn=pol["Arn"])
    iam.put_role_policy(RoleName="r1", PolicyName="inl", PolicyDocument=json.dumps(ALLOW_ALL))
    before = snapshot(iam)
    root_key, master = gh.root_key, open(os.path.join(gh.data_dir, "master.key"), "rb").read()
    with open(os.path.join(gh.data_dir, "credentials")) as f:
        creds_before = f.read()

    gh.restart()

    assert gh.root_key == root_key
    with open(os.path.join(gh.data_dir, "credentials")) as f:
        assert f.read() == creds_before
    assert open(os.path.join(gh.data_dir, "master.key"), "rb").read() == master
    iam = gh.client("iam")
    assert snapshot(iam) == before
    assert gh.client("sts").get_caller_identity()["Account"] == gh.account_id_arg
    # The user's key still signs after the restart (its secret was unsealed).
    ident = gh.client("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::{gh.account_id_arg}:user/eng/alice"


def ALLOW_TRUST_ACCOUNT(acct):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "sts:AssumeRole"}],
    }


def test_restart_reuses_random_account(gh_factory):
    """A random account id chosen on the first start is kept by later ones."""
    g = gh_factory(account_id=None)
    acct = g.account_id
    g.restart()
    assert g.client("sts").get_caller_identity()["Account"] == acct


def test_master_key_from_environment(tmp_path, monkeypatch):
    """GATEHOUSE_MASTER_KEY replaces DIR/master.key: no key file is written, the
    sealed secrets open again on restart with the same variable, and a server
    given another key refuses to start instead of serving undecryptable keys."""
    key = os.urandom(32).hex()
    monkeypatch.setenv("GATEHOUSE_MASTER_KEY", key)
    g = Gatehouse(tmp_path, account_id=random_account_id())
    g.start()
    try:
        assert not os.path.exists(os.path.join(g.data_dir, "master.key"))
        iam = g.client("iam")
        iam.create_user(UserName="envkey")
        ak = iam.create_access_key(UserName="envkey")["AccessKey"]
        g.restart()
        ident = g.client("sts", ak["AccessKeyId"], ak["SecretAccessKey"]).get_caller_identity()
        assert ident["Arn"].endswith(":user/envkey")
        assert g.stop() == 0
        monkeypatch.setenv("GATEHOUSE_MASTER_KEY", os.urandom(32).hex())
        with pytest.raises(ServerFailed) as e:
            g.start()
        assert key not in str(e.value)
        monkeypatch.setenv("GATEHOUSE_MASTER_KEY", "not a key")
        with pytest.raises(ServerFailed) as e:
            g.start()
        assert "64 hex digits" in str(e.value)
    finally:
        g.stop()
    g.check_logs()


def test_sigint_stops_cleanly(gh):
    gh.client("iam").create_user(UserName="before-sigint")
    rc = gh.stop(signal.SIGINT)
    assert rc == 0
    gh.start()
    assert "before-sigint" in all_users(gh.client("iam"))


def test_bad_usage_exit_status(gh):
    cp = subprocess.run([gatehouse_bin(), "serve", "--no-such-flag"], capture_output=True, text=True, timeout=30)
    assert cp.returncode == 2, (cp.returncode, cp.stderr)
    assert cp.stderr.strip(), "bad usage must say what is wrong on stderr"


def test_caller_identity_user(gh):
    iam = gh.client("iam")
    u = iam.create_user(UserName="bob")["User"]
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", u["UserId"]), u["UserId"]
    assert u["Arn"] == f"arn:aws:iam::{gh.account_id}:user/bob"
    k = iam.create_access_key(UserName="bob")["AccessKey"]
    assert KEY_RE.match(k["AccessKeyId"])
    assert len(k["SecretAccessKey"]) == 40
    assert k["Status"] == "Active"
    ident = gh.client("sts", k["AccessKeyId"], k["SecretAccessKey"]).get_caller_identity()
    assert ident == {**ident, "UserId": u["UserId"], "Account": gh.account_id, "Arn": u["Arn"]}
    # The same through the CLI with a profile.
    gh.add_profile("bob", k["AccessKeyId"], k["SecretAccessKey"])
    out = gh.aws("sts", "get-caller-identity", profile="bob")
    assert out["Arn"] == u["Arn"] and out["UserId"] == u["UserId"]


def test_user_lifecycle_cli(gh):
    out = gh.aws("iam", "create-user", "--user-name", "carol", "--path", "/team/",
                 "--tags", "Key=dept,Value=eng")
    u = out["User"]
    assert u["UserName"] == "carol" and u["Path"] == "/team/"
    assert u["Arn"] == f"arn:aws:iam::{gh.account_id}:user/team/carol"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?", u["CreateDate"].replace("+00:00", "Z"))
    got = gh.aws("iam", "get-user", "--user-name", "carol")["User"]
    assert got["UserId"] == u["UserId"] and got["Arn"] == u["Arn"]
    assert got.get("Tags") == [{"Key": "dept", "Value": "eng"}]
    names = [x["UserName"] for x in gh.aws("iam", "list-users")["Users"]]
    assert names == ["carol"]
    # Rename and move.
    gh.aws("iam", "update-user", "--user-name", "carol", "--new-user-name", "carol2", "--new-path", "/ops/")
    got = gh.aws("iam", "get-user", "--user-name", "carol2")["User"]
    assert got["Path"] == "/ops/" and got["UserId"] == u["UserId"]
    assert got["Arn"] == f"arn:aws:iam::{gh.account_id}:user/ops/carol2"
    cp = gh.aws("iam", "get-user", "--user-name", "carol", check=False)
    assert cp.returncode == 254, (cp.returncode, cp.stderr)  # the CLI's "the service returned an error"
    assert cli_error(cp) == ("NoSuchEntity", "The user with name carol cannot be found.")
    # PathPrefix filter.
    gh.aws("iam", "create-user", "--user-name", "dave")
    assert [x["UserName"] for x in gh.aws("iam", "list-users", "--path-prefix", "/ops/")["Users"]] == ["carol2"]
    gh.aws("iam", "delete-user", "--user-name", "carol2")
    assert [x["UserName"] for x in gh.aws("iam", "list-users")["Users"]] == ["dave"]


def test_get_user_without_name_is_caller(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="erin")
    iam.attach_user_policy(UserName="erin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    k = iam.create_access_key(UserName="erin")["AccessKey"]
    me = gh.client("iam", k["AccessKeyId"], k["SecretAccessKey"]).get_user()["User"]
    assert me["UserName"] == "erin"
    assert me["Arn"] == f"arn:aws:iam::{gh.account_id}:user/erin"
    root = iam.get_user()["User"]
    assert root["Arn"] == f"arn:aws:iam::{gh.account_id}:root"


def test_user_name_unique_case_insensitive(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="alice")
    before = snapshot(iam)
    expect_error(lambda: iam.create_user(UserName="Alice"), "EntityAlreadyExists",
                 "User with name Alice already exists.", 409)
    expect_error(lambda: iam.create_user(UserName="alice"), "EntityAlreadyExists",
                 "User with name alice already exists.", 409)
    iam.create_user(UserName="zed")
    expect_error(lambda: iam.update_user(UserName="zed", NewUserName="ALICE"), "EntityAlreadyExists", status=409)
    iam.delete_user(UserName="zed")
    assert snapshot(iam) == before
    # Lookups are case-insensitive too, as in AWS.
    assert iam.get_user(UserName="ALICE")["User"]["UserName"] == "alice"


def test_user_validation_errors(gh):
    iam = gh.client("iam")
    before = snapshot(iam)
    expect_error(
        lambda: iam.create_user(UserName="bad name!"), "ValidationError",
        "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+", 400)
    expect_error(lambda: iam.create_user(UserName="x" * 65), "ValidationError", status=400,
                 message_contains="Member must have length less than or equal to 64")
    expect_error(lambda: iam.create_user(UserName="ok", Path="no-slashes"), "ValidationError", status=400,
                 message_contains="'path'")
    expect_error(lambda: iam.get_user(UserName="nobody"), "NoSuchEntity",
                 "The user with name nobody cannot be found.", 404)
    expect_error(lambda: iam.delete_user(UserName="nobody"), "NoSuchEntity",
                 "The user with name nobody cannot be found.", 404)
    expect_error(lambda: iam.update_user(UserName="nobody", NewPath="/x/"), "NoSuchEntity", status=404)
    assert snapshot(iam) == before


def test_access_keys(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="kim")
    k1 = gh.aws("iam", "create-access-key", "--user-name", "kim")["AccessKey"]
    assert k1["UserName"] == "kim" and k1["Status"] == "Active"
    k2 = iam.create_access_key(UserName="kim")["AccessKey"]
    before = snapshot(iam)
    expect_error(lambda: iam.create_access_key(UserName="kim"), "LimitExceeded",
                 "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    assert snapshot(iam) == before
    meta = gh.aws("iam", "list-access-keys", "--user-name", "kim")["AccessKeyMetadata"]
    assert sorted(m["AccessKeyId"] for m in meta) == sorted([k1["AccessKeyId"], k2["AccessKeyId"]])
    assert all("SecretAccessKey" not in m for m in meta)
    assert all(m["UserName"] == "kim" and m["Status"] == "Active" for m in meta)
    gh.aws("iam", "update-access-key", "--user-name", "kim", "--access-key-id", k1["AccessKeyId"], "--status", "Inactive")
    st = {m["AccessKeyId"]: m["Status"] for m in iam.list_access_keys(UserName="kim")["AccessKeyMetadata"]}
    assert st == {k1["AccessKeyId"]: "Inactive", k2["AccessKeyId"]: "Active"}
    expect_error(lambda: iam.update_access_key(UserName="kim", AccessKeyId=k1["AccessKeyId"], Status="Sleeping"),
                 "ValidationError", status=400)
    gh.aws("iam", "delete-access-key", "--user-name", "kim", "--access-key-id", k1["AccessKeyId"])
    expect_error(lambda: iam.delete_access_key(UserName="kim", AccessKeyId=k1["AccessKeyId"]), "NoSuchEntity",
                 f"The Access Key with id {k1['AccessKeyId']} cannot be found.", 404)
    # A key of another user is not found under this one.
    iam.create_user(UserName="lee")
    expect_error(lambda: iam.delete_access_key(UserName="lee", AccessKeyId=k2["AccessKeyId"]), "NoSuchEntity", status=404)
    assert [m["AccessKeyId"] for m in iam.list_access_keys(UserName="kim")["AccessKeyMetadata"]] == [k2["AccessKeyId"]]
    # Root: list without a user name lists the caller's (root's) keys.
    root_keys = [m["AccessKeyId"] for m in iam.list_access_keys()["AccessKeyMetadata"]]
    assert gh.root_key in root_keys


def test_delete_user_conflicts(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="mo")
    k = iam.create_access_key(UserName="mo")["AccessKey"]
    expect_error(lambda: iam.delete_user(UserName="mo"), "DeleteConflict",
                 "Cannot delete entity, must delete access keys first.", 409)
    iam.delete_access_key(UserName="mo", AccessKeyId=k["AccessKeyId"])
    iam.attach_user_policy(UserName="mo", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    expect_error(lambda: iam.delete_user(UserName="mo"), "DeleteConflict",
                 "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_user_policy(UserName="mo", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.put_user_policy(UserName="mo", PolicyName="inl", PolicyDocument=json.dumps(ALLOW_ALL))
    expect_error(lambda: iam.delete_user(UserName="mo"), "DeleteConflict",
                 "Cannot delete entity, must delete policies first.", 409)
    assert "mo" in all_users(iam)
    iam.delete_user_policy(UserName="mo", PolicyName="inl")
    iam.delete_user(UserName="mo")
    assert all_users(iam) == []
    # The deleted user's key no longer authenticates.
    expect_error(lambda: gh.client("sts", k["AccessKeyId"], k["SecretAccessKey"]).get_caller_identity(),
                 "InvalidClientTokenId", status=403)


def test_sigterm_under_load_loses_nothing_acknowledged(gh):
    """Requests in flight at SIGTERM finish; every acknowledged write survives."""
    import threading
    import time

    from botocore.exceptions import BotoCoreError, ClientError

    acked, errors = [], []
    stop = threading.Event()

    def writer(t):
        iam = gh.client("iam")
        i = 0
        while not stop.is_set() and i < 400:
            name = f"load-{t}-{i}"
            try:
                iam.create_user(UserName=name)
                acked.append(name)
            except ClientError as e:
                errors.append(e.response["Error"].get("Code"))
                return
            except (BotoCoreError, OSError):
                return  # the server went away: expected after SIGTERM
            i += 1

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(acked) < 40 and time.monotonic() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    rc = gh.stop()
    stop.set()
    for t in threads:
        t.join(30)
    assert rc == 0, gh.logs[-1][1][-3000:]
    assert not errors, errors
    assert acked, "no write was acknowledged before SIGTERM"
    gh.start()
    have = set(all_users(gh.client("iam")))
    lost = [n for n in acked if n not in have]
    assert not lost, f"{len(lost)} acknowledged users lost: {lost[:5]}"
