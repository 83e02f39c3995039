"""conftest.py: starts a gatehouse server per test (own port, own data dir) and hands the test a helper to drive it with /usr/bin/aws, boto3 and raw SigV4-signed requests; on teardown checks a clean exit, no sanitizer report and no leaked secret."""
import configparser
import datetime
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

AWS_CLI = "/usr/bin/aws"
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error", "ThreadSanitizer")
STARTUP_TIMEOUT_S = 30
STOP_TIMEOUT_S = 20

# The client side must not pick up the developer's AWS settings: drop every
# AWS_* variable from this process (boto3 runs in it) and point the shared
# files at nothing. Each client gets its credentials explicitly.
for _k in list(os.environ):
    if _k.startswith("AWS_"):
        del os.environ[_k]
os.environ["AWS_CONFIG_FILE"] = "/nonexistent/gatehouse-e2e-config"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/gatehouse-e2e-credentials"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402  (after the environment is cleaned)
import botocore.auth  # noqa: E402
import botocore.awsrequest  # noqa: E402
import botocore.config  # noqa: E402
import botocore.credentials  # noqa: E402


def gatehouse_bin():
    path = os.environ.get("GATEHOUSE_BIN")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "build-test", "gatehouse")
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        pytest.fail(f"gatehouse binary not found at {path}; set GATEHOUSE_BIN or run `make e2e`")
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def random_account_id():
    return "".join(random.choice("0123456789") for _ in range(12))


class ServerFailed(Exception):
    pass


class Response:
    """A raw HTTP answer, with the AWS error fields parsed when present."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.code = None
        self.message = None
        self.error_type = None
        self.xml = None
        try:
            self.xml = ET.fromstring(body) if body else None
        except ET.ParseError:
            self.xml = None
        if self.xml is not None:
            for el in self.xml.iter():
                tag = el.tag.split("}")[-1]
                if tag == "Code" and self.code is None:
                    self.code = el.text
                elif tag == "Message" and self.message is None:
                    self.message = el.text
                elif tag == "Type" and self.error_type is None:
                    self.error_type = el.text

    def find(self, name):
        """Text of the first element named `name` (namespace ignored)."""
        if self.xml is None:
            return None
        for el in self.xml.iter():
            if el.tag.split("}")[-1] == name:
                return el.text
        return None

    def findall(self, name):
        if self.xml is None:
            return []
        return [el.text for el in self.xml.iter() if el.tag.split("}")[-1] == name]

    def __repr__(self):
        return f"<Response {self.status} code={self.code!r} message={self.message!r} body={self.body[:300]!r}>"


class _FixedTimeSigV4(botocore.auth.SigV4Auth):
    """SigV4 with a chosen signing time (botocore always uses now)."""

    def __init__(self, credentials, service, region, when):
        super().__init__(credentials, service, region)
        self._when = when

    def add_auth(self, request):
        request.context["timestamp"] = self._when.strftime(botocore.auth.SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        sts = self.string_to_sign(request, canonical)
        self._inject_signature_to_request(request, self.signature(sts, request))


def cli_error(cp):
    """(code, message) from the aws CLI's stderr line
    'An error occurred (Code) when calling the Op operation: Message'."""
    m = re.search(r"An error occurred \(([^)]*)\) when calling the \w+ operation(?: \([^)]*\))?: (.*)", cp.stderr)
    if not m:
        return (None, cp.stderr.strip())
    return (m.group(1), m.group(2).strip())


class Gatehouse:
    """One running server and the ways to talk to it."""

    def __init__(self, tmp_path, account_id=None, extra_args=()):
        self.tmp = str(tmp_path)
        self.data_dir = os.path.join(self.tmp, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.account_id_arg = account_id
        self.extra_args = list(extra_args)
        self.port = None
        self.endpoint = None
        self.proc = None
        self.secrets = set()
        self.logs = []  # (stdout, stderr) of every finished run
        self._run = 0
        self.profiles_file = os.path.join(self.tmp, "profiles.ini")
        self.profiles_config = os.path.join(self.tmp, "profiles-config.ini")
        self.profiles = {}

    # ---- process ----

    def start(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._run += 1
        self._out_path = os.path.join(self.tmp, f"server-{self._run}.out")
        self._err_path = os.path.join(self.tmp, f"server-{self._run}.err")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
        args = [gatehouse_bin(), "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir]
        if self.account_id_arg:
            args += ["--account-id", self.account_id_arg]
        args += self.extra_args
        self._out = open(self._out_path, "wb")
        self._err = open(self._err_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self._out, stderr=self._err, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                self._close_logs()
                raise ServerFailed(
                    f"gatehouse exited with {self.proc.returncode} before /healthz answered:\n{self.logs[-1][1][-4000:]}"
                )
            try:
                r = self.http("GET", "/healthz", timeout=2)
                if r.status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                self._close_logs()
                raise ServerFailed(f"/healthz did not answer 200 within {STARTUP_TIMEOUT_S}s")
            time.sleep(0.05)
        self._load_credentials()

    def _close_logs(self):
        self._out.close()
        self._err.close()
        with open(self._out_path, "rb") as f:
            out = f.read().decode("utf-8", "replace")
        with open(self._err_path, "rb") as f:
            err = f.read().decode("utf-8", "replace")
        self.logs.append((out, err))

    def stop(self, sig=signal.SIGTERM):
        """Stops the server; returns its exit status. Logs land in self.logs."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._close_logs()
                self.proc = None
                raise AssertionError(f"gatehouse did not stop within {STOP_TIMEOUT_S}s of signal {sig}")
        rc = self.proc.returncode
        self._close_logs()
        self.proc = None
        return rc

    def restart(self):
        rc = self.stop()
        assert rc == 0, f"gatehouse exited with status {rc} on SIGTERM:\n{self.logs[-1][1][-4000:]}"
        self.start()

    def check_logs(self):
        """Asserts no sanitizer report and no secret in any run's output."""
        problems = []
        for i, (out, err) in enumerate(self.logs, 1):
            for line in err.splitlines() + out.splitlines():
                if any(m in line for m in SANITIZER_MARKERS):
                    problems.append(f"run {i}: sanitizer: {line}")
            for s in self.secrets:
                if s and (s in out or s in err):
                    problems.append(f"run {i}: a secret access key ({s[:4]}...) appears in the server output")
        assert not problems, "\n".join(problems) + "\n--- stderr of last run ---\n" + (self.logs[-1][1][-4000:] if self.logs else "")

    # ---- credentials ----

    def _load_credentials(self):
        cp = configparser.ConfigParser()
        with open(os.path.join(self.data_dir, "credentials")) as f:
            cp.read_file(f)
        self.root_key = cp["default"]["aws_access_key_id"].strip()
        self.root_secret = cp["default"]["aws_secret_access_key"].strip()
        self.secrets.add(self.root_secret)
        if self.account_id_arg:
            self.account_id = self.account_id_arg
        else:
            self.account_id = self.client("sts").get_caller_identity()["Account"]

    def track(self, obj):
        """Records every SecretAccessKey inside a parsed response."""
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k == "SecretAccessKey" and isinstance(v, str):
                    self.secrets.add(v)
                else:
                    self.track(v)
        elif isinstance(obj, list):
            for v in obj:
                self.track(v)

    def add_profile(self, name, access_key, secret, token=None):
        """A named profile for aws(..., profile=name) (kept outside the data dir)."""
        self.secrets.add(secret)
        self.profiles[name] = (access_key, secret, token)
        cp = configparser.ConfigParser()
        cp["default"] = {"aws_access_key_id": self.root_key, "aws_secret_access_key": self.root_secret}
        for n, (k, s, t) in self.profiles.items():
            cp[n] = {"aws_access_key_id": k, "aws_secret_access_key": s}
            if t:
                cp[n]["aws_session_token"] = t
        with open(self.profiles_file, "w") as f:
            cp.write(f)
        os.chmod(self.profiles_file, 0o600)
        cfg = configparser.ConfigParser()
        cfg["default"] = {"region": "us-east-1"}
        for n in self.profiles:
            cfg[f"profile {n}"] = {"region": "us-east-1"}
        with open(self.profiles_config, "w") as f:
            cfg.write(f)

    # ---- clients ----

    def cli_env(self, profile=None, env=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        e["AWS_CONFIG_FILE"] = self.profiles_config if profile else os.path.join(self.data_dir, "config")
        e["AWS_SHARED_CREDENTIALS_FILE"] = (
            self.profiles_file if profile else os.path.join(self.data_dir, "credentials")
        )
        e["AWS_PAGER"] = ""
        e["AWS_EC2_METADATA_DISABLED"] = "true"
        e["AWS_MAX_ATTEMPTS"] = "1"
        e["AWS_RETRY_MODE"] = "standard"
        if env:
            e.update(env)
        return e

    def aws(self, *args, profile=None, env=None, check=True, timeout=120):
        """Runs /usr/bin/aws with the server's endpoint and JSON output.
        check=True: parsed JSON ({} for empty output), failing the test on
        a non-zero exit. check=False: the CompletedProcess."""
        cmd = [AWS_CLI, "--endpoint-url", self.endpoint, "--output", "json"]
        if profile:
            cmd += ["--profile", profile]
        cmd += [str(a) for a in args]
        if env:
            for k in ("AWS_SECRET_ACCESS_KEY",):
                if env.get(k):
                    self.secrets.add(env[k])
        cp = subprocess.run(cmd, capture_output=True, text=True, env=self.cli_env(profile, env), timeout=timeout)
        parsed = None
        if cp.returncode == 0 and cp.stdout.strip():
            try:
                parsed = json.loads(cp.stdout)
            except ValueError:
                parsed = None
            self.track(parsed)
        if not check:
            cp.json = parsed
            return cp
        assert cp.returncode == 0, f"aws {' '.join(cmd[5:])} exited {cp.returncode}:\n{cp.stderr}"
        if not cp.stdout.strip():
            return {}
        assert parsed is not None, f"aws printed non-JSON output: {cp.stdout[:500]}"
        return parsed

    def client(self, service, access_key=None, secret=None, token=None):
        """A boto3 client for `service` (default: root credentials)."""
        if access_key is None:
            access_key, secret = self.root_key, self.root_secret
        if secret:
            self.secrets.add(secret)
        c = boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=access_key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                          connect_timeout=5, read_timeout=60),
        )

        def _record(parsed=None, **_kw):
            if parsed:
                self.track(parsed)

        c.meta.events.register("after-call.*.*", _record)
        return c

    # ---- raw HTTP ----

    def http(self, method, path, body=b"", headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def send_raw(self, data, timeout=10):
        """Writes `data` (a whole HTTP request) in chunks, stopping early
        when the server answers or closes; returns (status or None, bytes
        received). For requests a server should refuse before reading them
        in full."""
        import select

        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        got = b""
        try:
            for i in range(0, len(data), 16384):
                r, _, _ = select.select([s], [], [], 0)
                if r:
                    break
                try:
                    s.sendall(data[i:i + 16384])
                except (BrokenPipeError, ConnectionResetError):
                    break
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                got += chunk
                if b"\r\n\r\n" in got:
                    head, _, rest = got.partition(b"\r\n\r\n")
                    m = re.search(rb"content-length:\s*(\d+)", head, re.I)
                    if m and len(rest) >= int(m.group(1)):
                        break
        finally:
            s.close()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", got)
        return (int(m.group(1)) if m else None), got

    def signed(self, body, service="iam", access_key=None, secret=None, token=None, when=None,
               method="POST", path="/", query="", extra_headers=None, send=True):
        """A SigV4-signed request with the exact body bytes (str params are
        form-encoded; bytes go out as they are). Returns a Response, or the
        (path, headers, body) triple with send=False."""
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        if access_key is None:
            access_key, secret = self.root_key, self.root_secret
        url = self.endpoint + path + (("?" + query) if query else "")
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        if extra_headers:
            headers.update(extra_headers)
        req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
        creds = botocore.credentials.Credentials(access_key, secret, token)
        when = when or datetime.datetime.utcnow()
        _FixedTimeSigV4(creds, service, "us-east-1", when).add_auth(req)
        hdrs = {k: v for k, v in req.headers.items()}
        full_path = path + (("?" + query) if query else "")
        if not send:
            return full_path, hdrs, body
        return self.http(method, full_path, body=body, headers=hdrs)

    def query(self, action, params=None, service="iam", **kw):
        """Signed Query request: Action, Version and params."""
        version = "2010-05-08" if service == "iam" else "2011-06-15"
        p = {"Action": action, "Version": version}
        p.update(params or {})
        return self.signed(p, service=service, **kw)


def _running(g):
    """Starts `g` for one test; afterwards it must stop cleanly (unless the
    test stopped it) with no sanitizer report or secret in its logs."""
    try:
        g.start()
    except ServerFailed as e:
        pytest.fail(str(e))
    yield g
    rc = g.stop()
    if rc is not None:  # None: the test stopped it already
        assert rc == 0, f"gatehouse exited with status {rc} on SIGTERM:\n{g.logs[-1][1][-4000:]}"
    g.check_logs()


@pytest.fixture
def gh(tmp_path):
    """A fresh server in its own data dir, with a known account id."""
    yield from _running(Gatehouse(tmp_path, account_id=random_account_id()))


@pytest.fixture
def gh_factory(tmp_path):
    """Builds servers with custom arguments; each is stopped and checked at teardown."""
    made = []

    def make(account_id="random", extra_args=(), start=True, sub="s"):
        acct = random_account_id() if account_id == "random" else account_id
        d = tmp_path / f"{sub}{len(made)}"
        d.mkdir()
        g = Gatehouse(d, account_id=acct, extra_args=extra_args)
        made.append(g)
        if start:
            g.start()
        return g

    yield make
    for g in made:
        rc = g.stop()
        if rc is not None:
            assert rc == 0, f"gatehouse exited with status {rc} on SIGTERM:\n{g.logs[-1][1][-4000:]}"
        g.check_logs()


@pytest.fixture(scope="session")
def tls_pair(tmp_path_factory):
    """A throwaway self-signed certificate for 127.0.0.1 and localhost (the
    `openssl` CLI): (cert_path, key_path), one per test session."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def gh_tls(tmp_path, tls_pair):
    """A fresh server that also serves HTTPS: gh.https_endpoint, and
    gh.ca_file to verify it with (clients: verify=gh.ca_file)."""
    cert, key = tls_pair
    tls_port = free_port()
    g = Gatehouse(tmp_path, account_id=random_account_id(),
                  extra_args=["--tls-listen", f"127.0.0.1:{tls_port}", "--tls-cert", cert, "--tls-key", key])
    g.tls_port = tls_port
    g.https_endpoint = f"https://127.0.0.1:{tls_port}"
    g.ca_file = cert
    g.tls_key = key
    yield from _running(g)
