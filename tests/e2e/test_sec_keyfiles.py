"""Key files written by the built-in test issuers are private: `gatehouse
oidc-issuer` writes ca.key, tls.key and keys/*.json, and `gatehouse saml-idp`
writes idp.key, with mode 0600 (certificates and the issuer name stay 0644),
even under a permissive umask; key files an older version left readable
are made private on the next start."""
import os
import stat
import subprocess

from conftest import free_port, gatehouse_bin


def _umask022():
    os.umask(0o022)


def run(*args):
    cp = subprocess.run([gatehouse_bin(), *args], capture_output=True, text=True, timeout=60,
                        preexec_fn=_umask022)
    assert cp.returncode == 0, f"gatehouse {' '.join(args)}: {cp.stderr}"
    return cp


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def serve_issuer(d):
    """Starts `oidc-issuer serve` until it has printed its two lines, then stops it."""
    port = free_port()
    p = subprocess.Popen([gatehouse_bin(), "oidc-issuer", "serve", "--listen", f"127.0.0.1:{port}",
                          "--dir", d], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=_umask022)
    try:
        lines = [p.stdout.readline() for _ in range(2)]
        assert all(lines), p.stderr.read()
    finally:
        p.terminate()
        p.wait(timeout=10)


def test_oidc_issuer_key_files_are_0600(tmp_path):
    d = str(tmp_path / "issuer")
    serve_issuer(d)
    run("oidc-issuer", "rotate", "--dir", d)
    keys = sorted(os.listdir(os.path.join(d, "keys")))
    assert keys == ["0001.json", "0002.json"]
    for name in ("ca.key", "tls.key", "keys/0001.json", "keys/0002.json"):
        assert mode(os.path.join(d, name)) == 0o600, name
    for name in ("ca.pem", "tls.pem", "issuer"):
        assert mode(os.path.join(d, name)) == 0o644, name
    assert mode(os.path.join(d, "keys")) == 0o700
    # No temporary file is left behind.
    assert not [n for n in os.listdir(d) + keys if n.endswith(".tmp")]


def test_oidc_issuer_tightens_key_files_of_an_older_version(tmp_path):
    d = str(tmp_path / "issuer")
    serve_issuer(d)
    for name in ("ca.key", "tls.key", "keys/0001.json"):
        os.chmod(os.path.join(d, name), 0o644)
    serve_issuer(d)
    for name in ("ca.key", "tls.key", "keys/0001.json"):
        assert mode(os.path.join(d, name)) == 0o600, name


def test_saml_idp_key_file_is_0600(tmp_path):
    d = str(tmp_path / "idp")
    md = run("saml-idp", "metadata", "--dir", d).stdout
    assert "X509Certificate" in md
    assert mode(os.path.join(d, "idp.key")) == 0o600
    assert mode(os.path.join(d, "idp.pem")) == 0o644
