"""test_workload.py: workload credentials with real clients: `gatehouse instance` (IMDSv2) read by /usr/bin/aws and boto3, its start-up refusals (no iam:PassRole, a role that does not trust EC2), the IMDS token rules, refresh before expiry under faketime, `gatehouse exec` (container credentials) and `gatehouse credential-process`."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import AWS_CLI, SANITIZER_MARKERS, cli_error, free_port, gatehouse_bin
from helpers import TRUST_EC2, expect_error  # noqa: F401

FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


def trust(service):
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    })


def seed(gh, role="ec2-s3-read-role", profile="web", service="ec2.amazonaws.com"):
    """The seed scenario: a role trusting `service`, S3 read access, an instance profile holding it."""
    gh.aws("iam", "create-role", "--role-name", role, "--assume-role-policy-document", trust(service))
    gh.aws("iam", "attach-role-policy", "--role-name", role, "--policy-arn", S3_READ)
    gh.aws("iam", "create-instance-profile", "--instance-profile-name", profile)
    gh.aws("iam", "add-role-to-instance-profile", "--instance-profile-name", profile, "--role-name", role)


def admin_env(gh, profile=None):
    """Environment for a gatehouse client command run with the server's root credentials (or a profile)."""
    e = gh.cli_env(profile)
    e["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
    e["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return e


def workload_env(extra):
    """A client environment with no credentials but what `extra` points at."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/gatehouse-e2e-credentials"
    e["AWS_CONFIG_FILE"] = "/nonexistent/gatehouse-e2e-config"
    e["AWS_DEFAULT_REGION"] = "us-east-1"
    e["AWS_PAGER"] = ""
    e["AWS_MAX_ATTEMPTS"] = "1"
    e.update(extra)
    return e


class Instance:
    """A running `gatehouse instance`."""

    def __init__(self, gh, tmp, profile="web", args=(), env=None, port=None, binary=None):
        self.gh = gh
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.out_path = os.path.join(tmp, f"instance-{self.port}.out")
        self.err_path = os.path.join(tmp, f"instance-{self.port}.err")
        cmd = [binary or gatehouse_bin(), "instance", "--endpoint", gh.endpoint, "--instance-profile", profile,
               "--listen", f"127.0.0.1:{self.port}"] + list(args)
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=self.err, stdin=subprocess.DEVNULL,
                                     env=env or admin_env(gh))

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            with open(self.out_path) as f:
                if "serving IMDSv2" in f.read():
                    return True
            time.sleep(0.05)
        raise AssertionError("gatehouse instance did not start")

    def wait_exit(self, timeout=30):
        rc = self.proc.wait(timeout=timeout)
        self.out.close()
        self.err.close()
        return rc

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        rc = self.wait_exit()
        err = self.stderr()
        for line in err.splitlines():
            assert not any(m in line for m in SANITIZER_MARKERS), f"sanitizer: {line}\n{err[-4000:]}"
        for s in self.gh.secrets:
            assert s not in err, "a secret appears in the instance's output"
        assert rc == 0, f"gatehouse instance exited {rc} on SIGTERM:\n{err[-4000:]}"

    def http(self, method, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
        finally:
            conn.close()

    def token(self, ttl="21600"):
        st, _, body = self.http("PUT", "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": ttl})
        assert st == 200, (st, body)
        return body

    def get(self, path, token=None):
        return self.http("GET", path, {"X-aws-ec2-metadata-token": token or self.token()})


@pytest.fixture
def instance(gh, tmp_path):
    made = []

    def start(**kw):
        inst = Instance(gh, str(tmp_path), **kw)
        made.append(inst)
        return inst

    yield start
    for inst in made:
        if inst.proc.returncode is None and inst.proc.poll() is None:
            inst.stop()


def run_aws(gh, env, *args):
    return subprocess.run([AWS_CLI, "--endpoint-url", gh.endpoint, "--output", "json"] + list(args),
                          capture_output=True, text=True, env=env, timeout=120)


INSTANCE_ARN = r"arn:aws:sts::{acct}:assumed-role/ec2-s3-read-role/i-[0-9a-f]{{17}}"


def test_instance_seed_scenario_aws_cli(gh, instance):
    seed(gh)
    inst = instance()
    assert inst.wait_ready(), inst.stderr()
    env = workload_env({"AWS_EC2_METADATA_SERVICE_ENDPOINT": inst.url})
    cp = run_aws(gh, env, "sts", "get-caller-identity")
    assert cp.returncode == 0, cp.stderr
    arn = json.loads(cp.stdout)["Arn"]
    assert re.fullmatch(INSTANCE_ARN.format(acct=gh.account_id), arn), arn
    # The session is named after the instance id IMDS reports.
    _, _, iid = inst.get("/latest/meta-data/instance-id")
    assert arn.endswith("/" + iid)
    cp = run_aws(gh, env, "iam", "create-user", "--user-name", "intruder")
    assert cp.returncode == 254, (cp.returncode, cp.stderr)  # the CLI's "the service returned an error"
    assert cli_error(cp) == ("AccessDenied", f"User: {arn} is not authorized to perform: iam:CreateUser on "
                             f"resource: arn:aws:iam::{gh.account_id}:user/intruder because no identity-based "
                             "policy allows the iam:CreateUser action"), cp.stderr
    inst.stop()


BOTO3_SCRIPT = r"""
import json, sys, boto3, botocore.exceptions
s = boto3.session.Session(region_name="us-east-1")
sts = s.client("sts", endpoint_url=sys.argv[1])
iam = s.client("iam", endpoint_url=sys.argv[1])
out = {"arn": sts.get_caller_identity()["Arn"], "method": s.get_credentials().method}
try:
    iam.create_user(UserName="intruder")
    out["write"] = "allowed"
except botocore.exceptions.ClientError as e:
    out["write"] = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
print(json.dumps(out))
"""


def test_instance_seed_scenario_boto3(gh, instance):
    seed(gh)
    inst = instance()
    assert inst.wait_ready(), inst.stderr()
    env = workload_env({"AWS_EC2_METADATA_SERVICE_ENDPOINT": inst.url})
    cp = subprocess.run([sys.executable, "-c", BOTO3_SCRIPT, gh.endpoint], capture_output=True, text=True,
                        env=env, timeout=120)
    assert cp.returncode == 0, cp.stderr
    out = json.loads(cp.stdout)
    assert out["method"] == "iam-role"
    assert re.fullmatch(INSTANCE_ARN.format(acct=gh.account_id), out["arn"]), out
    assert out["write"][0] == "AccessDenied"
    assert "is not authorized to perform: iam:CreateUser" in out["write"][1]
    inst.stop()


def test_instance_refuses_role_not_trusting_ec2(gh, instance):
    seed(gh, role="lambda-role", profile="fn", service="lambda.amazonaws.com")
    inst = instance(profile="fn")
    assert not inst.wait_ready()
    assert inst.wait_exit() == 1
    err = inst.stderr()
    assert "cannot start" in err and "the role does not trust ec2.amazonaws.com" in err, err


def test_instance_refuses_caller_without_passrole(gh, instance):
    seed(gh)
    gh.aws("iam", "create-user", "--user-name", "ops")
    key = gh.aws("iam", "create-access-key", "--user-name", "ops")["AccessKey"]
    gh.add_profile("ops", key["AccessKeyId"], key["SecretAccessKey"])
    inst = instance(args=["--profile", "ops"], env=admin_env(gh, profile="ops"))
    assert not inst.wait_ready()
    assert inst.wait_exit() == 1
    err = inst.stderr()
    # The refusal names the profile asked for, never its role (test_sec_federation.py).
    assert f"User: arn:aws:iam::{gh.account_id}:user/ops is not authorized to perform: iam:PassRole on " \
           f"the role of instance profile web" in err, err
    assert "ec2-s3-read-role" not in err, err

    # PassRole only towards ECS: iam:PassedToService is ec2.amazonaws.com here, so still refused.
    only_ecs = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
        "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}}]}
    gh.aws("iam", "put-user-policy", "--user-name", "ops", "--policy-name", "pass",
           "--policy-document", json.dumps(only_ecs))
    inst = instance(args=["--profile", "ops"], env=admin_env(gh, profile="ops"))
    assert not inst.wait_ready()
    assert inst.wait_exit() == 1
    assert "iam:PassRole" in inst.stderr()

    # PassRole towards EC2: it starts.
    only_ecs["Statement"][0]["Condition"]["StringEquals"]["iam:PassedToService"] = "ec2.amazonaws.com"
    gh.aws("iam", "put-user-policy", "--user-name", "ops", "--policy-name", "pass",
           "--policy-document", json.dumps(only_ecs))
    inst = instance(args=["--profile", "ops"], env=admin_env(gh, profile="ops"))
    assert inst.wait_ready(), inst.stderr()
    inst.stop()


TTL = "X-aws-ec2-metadata-token-ttl-seconds"
TOK = "X-aws-ec2-metadata-token"


def test_imds_token_ttl_bounds(gh, instance):
    seed(gh)
    inst = instance()
    assert inst.wait_ready(), inst.stderr()
    for ttl in ("1", "21600"):
        st, headers, body = inst.http("PUT", "/latest/api/token", {TTL: ttl})
        assert st == 200 and headers[TTL.lower()] == ttl and len(body) == 56
    for ttl in ("0", "21601", "-5", "ten", ""):
        st, _, _ = inst.http("PUT", "/latest/api/token", {TTL: ttl})
        assert st == 400, ttl
    st, _, _ = inst.http("PUT", "/latest/api/token")
    assert st == 400
    inst.stop()


def test_imds_put_with_x_forwarded_for_refused(gh, instance):
    seed(gh)
    inst = instance()
    assert inst.wait_ready(), inst.stderr()
    st, _, body = inst.http("PUT", "/latest/api/token", {TTL: "60", "X-Forwarded-For": "203.0.113.7"})
    assert st == 403 and len(body) != 56
    inst.stop()


def test_imds_get_needs_valid_unexpired_token(gh, instance):
    seed(gh)
    inst = instance()
    assert inst.wait_ready(), inst.stderr()
    # IMDSv1 (no token) is refused by default.
    st, _, _ = inst.http("GET", "/latest/meta-data/instance-id")
    assert st == 401
    st, _, _ = inst.http("GET", "/latest/meta-data/instance-id", {TOK: "A" * 56})
    assert st == 401
    short = inst.token(ttl="1")
    st, _, iid = inst.http("GET", "/latest/meta-data/instance-id", {TOK: short})
    assert st == 200 and re.fullmatch(r"i-[0-9a-f]{17}", iid)
    time.sleep(2.2)
    st, _, _ = inst.http("GET", "/latest/meta-data/instance-id", {TOK: short})
    assert st == 401
    inst.stop()


def test_imds_v1_allowed_with_flag(gh, instance):
    seed(gh)
    inst = instance(args=["--imds-v1"])
    assert inst.wait_ready(), inst.stderr()
    st, _, body = inst.http("GET", "/latest/meta-data/iam/security-credentials/")
    assert st == 200 and body == "ec2-s3-read-role"
    inst.stop()


def test_imds_paths(gh, instance):
    seed(gh)
    inst = instance()
    assert inst.wait_ready(), inst.stderr()
    tok = inst.token()
    st, _, body = inst.get("/latest/meta-data/iam/security-credentials/", tok)
    assert (st, body) == (200, "ec2-s3-read-role")
    st, _, body = inst.get("/latest/meta-data/iam/security-credentials/ec2-s3-read-role", tok)
    assert st == 200
    c = json.loads(body)
    gh.secrets.add(c["SecretAccessKey"])
    assert set(c) == {"Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    assert c["Code"] == "Success" and c["Type"] == "AWS-HMAC" and c["AccessKeyId"].startswith("ASIA")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["Expiration"])
    st, _, body = inst.get("/latest/meta-data/iam/info", tok)
    info = json.loads(body)
    prof = gh.aws("iam", "get-instance-profile", "--instance-profile-name", "web")["InstanceProfile"]
    assert info["InstanceProfileArn"] == prof["Arn"] and info["InstanceProfileId"] == prof["InstanceProfileId"]
    _, _, iid = inst.get("/latest/meta-data/instance-id", tok)
    assert inst.get("/latest/meta-data/placement/region", tok)[2] == "us-east-1"
    assert inst.get("/latest/meta-data/placement/availability-zone", tok)[2] == "us-east-1a"
    doc = json.loads(inst.get("/latest/dynamic/instance-identity/document", tok)[2])
    assert doc["instanceId"] == iid and doc["accountId"] == gh.account_id and doc["region"] == "us-east-1"
    assert inst.get("/latest/meta-data/iam/security-credentials/other-role", tok)[0] == 404
    inst.stop()


# ---- refresh under faketime ----

LONG_CLIENT = r"""
import json, os, select, sys, boto3
s = boto3.session.Session(region_name="us-east-1")
sts = s.client("sts", endpoint_url=sys.argv[1])
while not os.path.exists(sys.argv[2]):
    try:
        arn = sts.get_caller_identity()["Arn"]
        key = s.get_credentials().get_frozen_credentials().access_key
        print(json.dumps({"ok": True, "key": key, "arn": arn}), flush=True)
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"ok": False, "error": str(e)}), flush=True)
    select.select([], [], [], 0.3)  # time.sleep fails under libfaketime with a real monotonic clock
"""


def test_refresh_before_expiry_under_faketime(gh_factory, tmp_path, monkeypatch):
    """Server, instance and a long-running boto3 client share one fake clock.
    Moving it forward makes the instance fetch a new set before the old one
    expires; the client keeps working across the change; after the role is
    removed from the profile no new set comes and the old one lapses."""
    if not os.path.exists(FAKETIME_LIB):
        pytest.skip("libfaketime is not installed")
    clock = tmp_path / "faketime"
    clock.write_text("+0\n")
    real = gatehouse_bin()
    wrapper = tmp_path / "gatehouse-faketime"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"export LD_PRELOAD={FAKETIME_LIB} FAKETIME_TIMESTAMP_FILE={clock} FAKETIME_NO_CACHE=1"
        " FAKETIME_DONT_FAKE_MONOTONIC=1\n"
        'export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"\n'
        f'exec {real} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("GATEHOUSE_BIN", str(wrapper))
    gh = gh_factory()
    fake = {"LD_PRELOAD": FAKETIME_LIB, "FAKETIME_TIMESTAMP_FILE": str(clock), "FAKETIME_NO_CACHE": "1",
            # Timeouts (keep-alive, MHD's connection timeout) stay on the real clock.
            "FAKETIME_DONT_FAKE_MONOTONIC": "1"}

    def admin(*args):
        cp = subprocess.run([AWS_CLI, "--endpoint-url", gh.endpoint, "--output", "json"] + list(args),
                            capture_output=True, text=True, env=gh.cli_env(env=fake), timeout=120)
        assert cp.returncode == 0, cp.stderr
        return cp

    def set_clock(offset):
        clock.write_text(offset + "\n")
        time.sleep(0.5)

    seed(gh)
    inst = Instance(gh, str(tmp_path), binary=str(wrapper), env=admin_env(gh))
    try:
        assert inst.wait_ready(), inst.stderr()
        tok = inst.token()
        first = json.loads(inst.get("/latest/meta-data/iam/security-credentials/ec2-s3-read-role", tok)[2])
        gh.secrets.add(first["SecretAccessKey"])

        stop = tmp_path / "stop-client"
        client_out = open(tmp_path / "client.out", "w")
        client = subprocess.Popen([sys.executable, "-c", LONG_CLIENT, gh.endpoint, str(stop)],
                                  stdout=client_out, stderr=subprocess.STDOUT,
                                  env=workload_env(dict(fake, AWS_EC2_METADATA_SERVICE_ENDPOINT=inst.url)))

        def client_lines():
            with open(tmp_path / "client.out") as f:
                return [json.loads(line) for line in f if line.startswith("{")]

        def wait_for(pred, what, timeout=30):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if pred():
                    return
                time.sleep(0.2)
            raise AssertionError(f"timed out waiting for {what}\ninstance: {inst.stderr()[-2000:]}\n"
                                 f"client: {open(tmp_path / 'client.out').read()[-2000:]}")

        wait_for(lambda: len(client_lines()) >= 3, "the client's first calls")
        # 45 minutes on: inside the refresh margin (20 minutes before a one-hour expiry).
        set_clock("+45m")
        wait_for(lambda: "credentials refreshed" in inst.stderr(), "the instance's refresh")
        tok = inst.token()
        second = json.loads(inst.get("/latest/meta-data/iam/security-credentials/ec2-s3-read-role", tok)[2])
        gh.secrets.add(second["SecretAccessKey"])
        assert second["AccessKeyId"] != first["AccessKeyId"]
        assert second["Expiration"] > first["Expiration"]
        # 55 minutes on: the client is inside botocore's mandatory refresh window.
        set_clock("+55m")
        n = len(client_lines())
        wait_for(lambda: len(client_lines()) >= n + 3, "client calls after the change")
        # 70 minutes on: the first set has expired on the server; the client must use the new one.
        set_clock("+70m")
        n = len(client_lines())
        wait_for(lambda: len(client_lines()) >= n + 3, "client calls after the first set expired")
        lines = client_lines()
        failed = [x for x in lines if not x["ok"]]
        assert not failed, failed[:3]
        keys = [x["key"] for x in lines]
        assert keys[0] == first["AccessKeyId"] and keys[-1] == second["AccessKeyId"], set(keys)
        stop.write_text("")
        client.wait(timeout=30)
        client_out.close()

        # Removing the role from the profile stops the next refresh.
        admin("iam", "remove-role-from-instance-profile", "--instance-profile-name", "web",
              "--role-name", "ec2-s3-read-role")
        set_clock("+95m")  # past the second set's refresh point (it expires about +105m)
        wait_for(lambda: "cannot refresh the credentials" in inst.stderr(), "a refused refresh")
        assert "has no role" in inst.stderr()
        tok = inst.token()
        st, _, body = inst.get("/latest/meta-data/iam/security-credentials/ec2-s3-read-role", tok)
        assert st == 200 and json.loads(body)["AccessKeyId"] == second["AccessKeyId"]
        set_clock("+110m")  # the second set has expired: no credentials any more
        tok = inst.token()
        assert inst.get("/latest/meta-data/iam/security-credentials/", tok)[0] == 404
    finally:
        clock.write_text("+110m\n")
        inst.stop()


# ---- gatehouse exec ----

def exec_env(gh):
    e = admin_env(gh)
    return e


def test_exec_runs_command_as_role(gh, tmp_path):
    gh.aws("iam", "create-role", "--role-name", "task-role", "--assume-role-policy-document",
           trust("ecs-tasks.amazonaws.com"))
    arn = f"arn:aws:iam::{gh.account_id}:role/task-role"
    cp = subprocess.run([gatehouse_bin(), "exec", "--endpoint", gh.endpoint, "--role-arn", arn, "--",
                         AWS_CLI, "--endpoint-url", gh.endpoint, "--output", "json", "sts", "get-caller-identity"],
                        capture_output=True, text=True, env=exec_env(gh), timeout=120)
    assert cp.returncode == 0, cp.stderr
    got = json.loads(cp.stdout)["Arn"]
    assert re.fullmatch(rf"arn:aws:sts::{gh.account_id}:assumed-role/task-role/[0-9a-f]{{32}}", got), got


EXEC_PROBE = r"""
import json, os, urllib.request, urllib.error
uri, tok = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"], os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
out = {"env": sorted(k for k in os.environ if k.startswith("AWS_")),
       "creds_file": open(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).read(), "token_len": len(tok)}
for name, hdr in (("none", None), ("bad", "x" * len(tok)), ("good", tok)):
    req = urllib.request.Request(uri, headers={"Authorization": hdr} if hdr else {})
    try:
        with urllib.request.urlopen(req) as r:
            out[name] = [r.status, json.loads(r.read())]
    except urllib.error.HTTPError as e:
        out[name] = [e.code, None]
print(json.dumps(out))
raise SystemExit(7)
"""


def test_exec_endpoint_and_environment(gh):
    gh.aws("iam", "create-role", "--role-name", "fn-role", "--assume-role-policy-document",
           trust("lambda.amazonaws.com"))
    arn = f"arn:aws:iam::{gh.account_id}:role/fn-role"
    env = exec_env(gh)
    env.update({"AWS_ACCESS_KEY_ID": gh.root_key, "AWS_SECRET_ACCESS_KEY": gh.root_secret,
                "AWS_SESSION_TOKEN": "x", "AWS_PROFILE": "default"})
    # With AWS_PROFILE set the gatehouse command itself reads the default profile of the data dir.
    cp = subprocess.run([gatehouse_bin(), "exec", "--endpoint", gh.endpoint, "--role-arn", arn,
                         "--service", "lambda.amazonaws.com", "--", sys.executable, "-c", EXEC_PROBE],
                        capture_output=True, text=True, env=env, timeout=120)
    assert cp.returncode == 7, cp.stderr  # the command's own exit status
    out = json.loads(cp.stdout)
    for gone in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        assert gone not in out["env"]
    assert out["creds_file"] == "" and out["token_len"] == 64
    assert out["none"][0] == 401 and out["bad"][0] == 403
    status, body = out["good"]
    gh.secrets.add(body["SecretAccessKey"])
    assert status == 200
    assert set(body) >= {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "RoleArn", "AccountId"}
    assert body["RoleArn"] == arn and body["AccountId"] == gh.account_id


def test_exec_refuses_untrusting_role_and_forwards_signals(gh):
    gh.aws("iam", "create-role", "--role-name", "task-role", "--assume-role-policy-document",
           trust("ecs-tasks.amazonaws.com"))
    arn = f"arn:aws:iam::{gh.account_id}:role/task-role"
    cp = subprocess.run([gatehouse_bin(), "exec", "--endpoint", gh.endpoint, "--role-arn", arn,
                         "--service", "lambda.amazonaws.com", "--", "true"],
                        capture_output=True, text=True, env=exec_env(gh), timeout=60)
    assert cp.returncode == 1 and "the role does not trust lambda.amazonaws.com" in cp.stderr, cp.stderr
    p = subprocess.Popen([gatehouse_bin(), "exec", "--endpoint", gh.endpoint, "--role-arn", arn, "--",
                          sys.executable, "-c",
                          "import signal,sys,time\n"
                          "signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))\n"
                          "print('ready', flush=True)\n"
                          "time.sleep(60)\n"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=exec_env(gh))
    assert p.stdout.readline().strip() == "ready"
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=30) == 42, p.stderr.read()


# ---- gatehouse credential-process ----

def test_credential_process_profile(gh, tmp_path):
    # AWS IAM: a trust policy may name only a user that exists (it is bound to its unique id).
    gh.aws("iam", "create-user", "--user-name", "dev")
    gh.aws("iam", "create-role", "--role-name", "admin-role", "--assume-role-policy-document", json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{gh.account_id}:user/dev"},
                       "Action": "sts:AssumeRole"}]}))
    key = gh.aws("iam", "create-access-key", "--user-name", "dev")["AccessKey"]
    gh.secrets.add(key["SecretAccessKey"])
    creds = tmp_path / "cp-credentials"
    creds.write_text(f"[dev]\naws_access_key_id = {key['AccessKeyId']}\n"
                     f"aws_secret_access_key = {key['SecretAccessKey']}\n")
    arn = f"arn:aws:iam::{gh.account_id}:role/admin-role"
    config = tmp_path / "cp-config"
    config.write_text("[profile admin]\nregion = us-east-1\n"
                      f"credential_process = {gatehouse_bin()} credential-process --endpoint {gh.endpoint} "
                      f"--role-arn {arn} --profile dev --role-session-name laptop\n")
    env = workload_env({"AWS_SHARED_CREDENTIALS_FILE": str(creds), "AWS_CONFIG_FILE": str(config)})
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
    cp = subprocess.run([gatehouse_bin(), "credential-process", "--endpoint", gh.endpoint, "--role-arn", arn,
                         "--profile", "dev"], capture_output=True, text=True, env=env, timeout=60)
    assert cp.returncode == 0, cp.stderr
    out = json.loads(cp.stdout)
    gh.secrets.add(out["SecretAccessKey"])
    assert out["Version"] == 1 and out["AccessKeyId"].startswith("ASIA")
    assert set(out) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    cp = run_aws(gh, env, "sts", "get-caller-identity", "--profile", "admin")
    assert cp.returncode == 0, cp.stderr
    assert json.loads(cp.stdout)["Arn"] == f"arn:aws:sts::{gh.account_id}:assumed-role/admin-role/laptop"
