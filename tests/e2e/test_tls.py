"""test_tls.py: `gatehouse serve --tls-listen`: HTTPS beside HTTP for the
IAM/STS API and health, TLS 1.2+ only, clear refusals of bad certificate
and key files and of incomplete options, and the key never in the logs."""
import os
import socket
import ssl
import subprocess

import boto3
import pytest

from conftest import free_port, gatehouse_bin


def _serve(tmp_path, *args):
    """Runs `gatehouse serve` that must refuse to start; returns (status, stderr)."""
    cp = subprocess.run([gatehouse_bin(), "serve", "--listen", f"127.0.0.1:{free_port()}",
                         "--data-dir", str(tmp_path / "data"), *args],
                        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    return cp.returncode, cp.stderr


def _pair(d, cn):
    cert, key = str(d / f"{cn}.pem"), str(d / f"{cn}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", f"/CN={cn}"], check=True, capture_output=True, timeout=120)
    return cert, key


def test_https_serves_the_api_beside_http(gh_tls):
    gh = gh_tls
    ctx = ssl.create_default_context(cafile=gh.ca_file)
    with socket.create_connection(("127.0.0.1", gh.tls_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            assert s.version() in ("TLSv1.2", "TLSv1.3")
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            got = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
    assert got.startswith(b"HTTP/1.1 200"), got[:200]
    for endpoint in (gh.endpoint, gh.https_endpoint):
        iam = boto3.session.Session().client("iam", endpoint_url=endpoint, region_name="us-east-1",
                                             aws_access_key_id=gh.root_key,
                                             aws_secret_access_key=gh.root_secret,
                                             verify=gh.ca_file if endpoint.startswith("https") else None)
        iam.create_user(UserName="u-" + endpoint.split(":")[0])
    names = sorted(u["UserName"] for u in gh.client("iam").list_users()["Users"])
    assert names == ["u-http", "u-https"]
    # The key stays out of every log line (checked at teardown with the other secrets).
    with open(gh.tls_key) as f:
        gh.secrets.update(line for line in f.read().splitlines() if line and not line.startswith("-----"))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_https_refuses_tls_1_1(gh_tls):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(gh_tls.ca_file)
    try:
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        pytest.skip("this OpenSSL cannot offer TLS 1.1 at all")
    with socket.create_connection(("127.0.0.1", gh_tls.tls_port), timeout=10) as raw:
        with pytest.raises((ssl.SSLError, ConnectionResetError)):
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                s.recv(10)


def test_bad_certificate_or_key_stops_the_server(tmp_path):
    cert, key = _pair(tmp_path, "one")
    other_cert, other_key = _pair(tmp_path, "two")
    enc = str(tmp_path / "enc.key")
    subprocess.run(["openssl", "pkey", "-in", key, "-aes256", "-passout", "pass:secret", "-out", enc],
                   check=True, capture_output=True, timeout=60)
    port = f"127.0.0.1:{free_port()}"
    cases = [
        ((cert, other_key), f"the private key in {other_key} does not belong to the certificate in {cert}"),
        ((key, key), f"the TLS certificate file {key} holds no PEM certificate"),
        ((cert, cert), f"the TLS key file {cert} holds no unencrypted PEM private key"),
        ((cert, enc), f"the TLS key file {enc} holds no unencrypted PEM private key"),
        ((cert, str(tmp_path / "none.key")), "cannot read the TLS private key file"),
    ]
    for (c, k), says in cases:
        rc, err = _serve(tmp_path, "--tls-listen", port, "--tls-cert", c, "--tls-key", k)
        assert rc == 1, err
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("gatehouse serve: ") and says in lines[0], err
        assert "PRIVATE KEY" not in err
    # A good pair on a port that is taken: a clear refusal too.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        taken = f"127.0.0.1:{busy.getsockname()[1]}"
        rc, err = _serve(tmp_path, "--tls-listen", taken, "--tls-cert", other_cert, "--tls-key", other_key)
    assert rc == 1 and f"cannot serve HTTPS on {taken}" in err, err


@pytest.mark.parametrize("args,says", [
    (["--tls-listen", "127.0.0.1:1"], "HTTPS needs all three of --tls-listen, --tls-cert and --tls-key"),
    (["--tls-cert", "a.pem", "--tls-key", "a.key"], "HTTPS needs all three"),
    (["--tls-listen", "127.0.0.1:1", "--tls-cert", "a.pem"], "HTTPS needs all three"),
])
def test_incomplete_tls_options_are_usage_errors(tmp_path, args, says):
    rc, err = _serve(tmp_path, *args)
    assert rc == 2 and says in err, err
    assert not os.path.exists(tmp_path / "data"), "nothing is created on a usage error"


def test_cli_copies_and_presigned_urls_over_https(gh_tls, tmp_path):
    """Large bodies over TLS both ways (the CLI's multipart upload and its
    ranged parallel download), and a presigned URL fetched with curl."""
    gh = gh_tls
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(20 * 1024 * 1024 + 11))
    base = ["/usr/bin/aws", "--endpoint-url", gh.https_endpoint, "--ca-bundle", gh.ca_file]
    for args in (["s3", "mb", "s3://tls-big"], ["s3", "cp", str(src), "s3://tls-big/big.bin"],
                 ["s3", "cp", "s3://tls-big/big.bin", str(tmp_path / "back.bin")]):
        cp = subprocess.run(base + args, capture_output=True, text=True, env=gh.cli_env(), timeout=300)
        assert cp.returncode == 0, cp.stderr
    assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()
    cp = subprocess.run(base + ["s3", "presign", "s3://tls-big/big.bin"], capture_output=True, text=True,
                        env=gh.cli_env(), timeout=60)
    assert cp.returncode == 0 and cp.stdout.startswith(gh.https_endpoint + "/"), cp
    out = subprocess.run(["curl", "-sf", "--cacert", gh.ca_file, "-r", "0-99", cp.stdout.strip()],
                         capture_output=True, timeout=60)
    assert out.returncode == 0 and out.stdout == src.read_bytes()[:100], out.stderr
