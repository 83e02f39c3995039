"""Federation end to end: AssumeRoleWithWebIdentity against the built-in OIDC
issuer (GitHub-Actions trust policy, audience, expiry, tampering, unknown
provider, key rotation, the SDK's token-file path) and AssumeRoleWithSAML
against the built-in IdP (happy path, unsigned, other key, wrapping,
expired, another role), with /usr/bin/aws and boto3."""
import base64
import json
import os
import re
import subprocess
import time

import boto3
import botocore
import pytest

from conftest import cli_error, free_port, gatehouse_bin


def run(*args, check=True):
    cp = subprocess.run([gatehouse_bin(), *args], capture_output=True, text=True, timeout=60)
    if check:
        assert cp.returncode == 0, f"gatehouse {' '.join(args)}: {cp.stderr}"
    return cp


@pytest.fixture
def issuer(tmp_path):
    d = str(tmp_path / "issuer")
    port = free_port()
    p = subprocess.Popen([gatehouse_bin(), "oidc-issuer", "serve", "--listen", f"127.0.0.1:{port}",
                          "--dir", d], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [p.stdout.readline().split() for _ in range(2)]
    info = dict(lines)
    assert info["issuer"] == f"https://127.0.0.1:{port}"
    info["dir"] = d
    info["host"] = f"127.0.0.1:{port}"
    yield info
    p.terminate()
    p.wait(timeout=10)


@pytest.fixture
def fed(gh_factory, issuer):
    g = gh_factory(extra_args=("--oidc-ca-file", issuer["ca-file"]))
    g.issuer = issuer
    return g


def mint(issuer, *args):
    return run("oidc-issuer", "mint", "--dir", issuer["dir"], *args).stdout.strip()


def github_role(g, name="gha-deploy", sub="repo:acme/app:ref:refs/heads/main"):
    host = g.issuer["host"]
    g.aws("iam", "create-open-id-connect-provider", "--url", g.issuer["issuer"],
          "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "a" * 40)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{g.account_id}:oidc-provider/{host}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{host}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{host}:sub": sub},
            },
        }],
    }
    return g.aws("iam", "create-role", "--role-name", name, "--assume-role-policy-document",
                 json.dumps(trust))["Role"]["Arn"]


def assume(g, role_arn, token, session="ci"):
    return g.aws("sts", "assume-role-with-web-identity", "--role-arn", role_arn,
                 "--role-session-name", session, "--web-identity-token", token, check=False)


# AWS STS: the messages of AssumeRoleWithWebIdentity's refusals.
NOT_AUTHORIZED_WEB = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
NOT_AUTHORIZED_SAML = "Not authorized to perform sts:AssumeRoleWithSAML"
NOT_VALIDATED = ("The web identity token that was passed could not be validated by AWS. Get a new "
                 "identity token from the identity provider and then retry the request.")
EXPIRED_OR_INVALID = ("The web identity token that was passed is expired or is not valid. Get a new "
                      "identity token from the identity provider and then retry the request.")
SAML_UNSIGNED = "The SAML response is not signed."
SAML_BAD_SIGNATURE = "Response signature invalid"


def error_code(cp):
    """(code, message) of a refused aws CLI call: exit status 254 is the CLI's
    'the service returned an error', so a crash or a usage error does not pass."""
    assert cp.returncode == 254, (cp.returncode, cp.stdout, cp.stderr)
    return cli_error(cp)


def test_github_actions_trust_policy(fed):
    arn = github_role(fed)
    tok = mint(fed.issuer, "--preset", "github-actions", "--repo", "acme/app", "--ref",
               "refs/heads/main")
    cp = assume(fed, arn, tok)
    assert cp.returncode == 0, cp.stderr
    out = cp.json
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{fed.account_id}:assumed-role/gha-deploy/ci"
    assert out["SubjectFromWebIdentityToken"] == "repo:acme/app:ref:refs/heads/main"
    assert out["Audience"] == "sts.amazonaws.com"
    assert out["Provider"] == fed.issuer["issuer"]
    c = out["Credentials"]
    sts = boto3.client("sts", endpoint_url=fed.endpoint, region_name="us-east-1",
                       aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                       aws_session_token=c["SessionToken"])
    assert sts.get_caller_identity()["Arn"] == out["AssumedRoleUser"]["Arn"]

    # Another repository, and a pull_request token of the same repository, are refused.
    other = mint(fed.issuer, "--preset", "github-actions", "--repo", "evil/app")
    assert error_code(assume(fed, arn, other)) == ("AccessDenied", NOT_AUTHORIZED_WEB)
    pr = mint(fed.issuer, "--preset", "github-actions", "--repo", "acme/app", "--event",
              "pull_request")
    assert error_code(assume(fed, arn, pr)) == ("AccessDenied", NOT_AUTHORIZED_WEB)


def test_token_errors(fed):
    arn = github_role(fed)
    host = fed.issuer["host"]
    wrong_aud = mint(fed.issuer, "--sub", "repo:acme/app:ref:refs/heads/main", "--aud", "other")
    assert error_code(assume(fed, arn, wrong_aud)) == ("InvalidIdentityToken", "Incorrect token audience")
    expired = mint(fed.issuer, "--preset", "github-actions", "--repo", "acme/app", "--ttl", "-3600")
    code, msg = error_code(assume(fed, arn, expired))
    # AWS STS words it so, with no space before the second time.
    m = re.fullmatch(r"Token expired: current date/time (\d+) must be before the expiration date/time(\d+)", msg)
    assert code == "ExpiredTokenException" and m, (code, msg)
    assert int(m.group(1)) - int(m.group(2)) >= 3600, msg
    good = mint(fed.issuer, "--preset", "github-actions", "--repo", "acme/app")
    h, p, s = good.split(".")
    tampered = ".".join([h, p, ("A" if s[0] != "A" else "B") + s[1:]])
    assert error_code(assume(fed, arn, tampered)) == ("InvalidIdentityToken", NOT_VALIDATED)
    # Claims changed under the old signature.
    claims = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    claims["sub"] = "repo:acme/app:ref:refs/heads/main"
    claims["repository"] = "acme/app"
    p2 = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert error_code(assume(fed, arn, ".".join([h, p2, s]))) == ("InvalidIdentityToken", NOT_VALIDATED)
    # alg none.
    none_h = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
    assert error_code(assume(fed, arn, f"{none_h}.{p}.x")) == ("InvalidIdentityToken", NOT_VALIDATED)
    assert error_code(assume(fed, arn, "not-a-token")) == (
        "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an "
        "Access Token)")
    # Unknown provider: the role of an account with no such provider.
    fed.aws("iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn",
            f"arn:aws:iam::{fed.account_id}:oidc-provider/{host}")
    assert error_code(assume(fed, arn, good)) == (
        "InvalidIdentityToken", f"No OpenIDConnect provider found in your account for https://{host}")


def test_key_rotation_and_sdk_token_file(fed, tmp_path):
    arn = github_role(fed)
    first = mint(fed.issuer, "--preset", "github-actions", "--repo", "acme/app")
    assert assume(fed, arn, first).returncode == 0
    kid = run("oidc-issuer", "rotate", "--dir", fed.issuer["dir"]).stdout.strip()
    second = mint(fed.issuer, "--preset", "github-actions", "--repo", "acme/app")
    hdr = json.loads(base64.urlsafe_b64decode(second.split(".")[0] + "=="))
    assert hdr["kid"] == kid
    cp = assume(fed, arn, second)
    assert cp.returncode == 0, cp.stderr  # the new kid made the server re-fetch the JWKS

    # The SDK path, as on EKS: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN.
    tf = tmp_path / "token"
    tf.write_text(second)
    env = {"AWS_WEB_IDENTITY_TOKEN_FILE": str(tf), "AWS_ROLE_ARN": arn,
           "AWS_ROLE_SESSION_NAME": "eks-pod", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
           "AWS_ENDPOINT_URL": fed.endpoint}
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(env)
    # botocore 1.29 / awscli 2.9 (Debian 12) predate AWS_ENDPOINT_URL, so the SDK's own
    # web-identity provider is given an STS client for the server; it reads the token file.
    code = ("import boto3,botocore.session,botocore.credentials as bc,os;"
            "s=botocore.session.get_session();"
            f"mk=lambda *a,**k: s.create_client('sts',region_name='us-east-1',endpoint_url='{fed.endpoint}');"
            "p=bc.AssumeRoleWithWebIdentityProvider(load_config=lambda:{},client_creator=mk,"
            "profile_name='default');"
            "s.get_component('credential_provider').insert_before('env',p);"
            f"print(boto3.Session(botocore_session=s).client('sts',endpoint_url='{fed.endpoint}')"
            ".get_caller_identity()['Arn'])")
    cp = subprocess.run(["/usr/bin/python3", "-c", code], env=e, capture_output=True, text=True,
                        timeout=60)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip().endswith(":assumed-role/gha-deploy/eks-pod")


def test_unreachable_issuer_is_bounded(gh_factory, tmp_path):
    g = gh_factory()
    # A listener that accepts and never answers.
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    host = f"127.0.0.1:{s.getsockname()[1]}"
    g.aws("iam", "create-open-id-connect-provider", "--url", f"https://{host}",
          "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "a" * 40)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Federated": f"arn:aws:iam::{g.account_id}:oidc-provider/{host}"},
        "Action": "sts:AssumeRoleWithWebIdentity"}]}
    arn = g.aws("iam", "create-role", "--role-name", "r", "--assume-role-policy-document",
                json.dumps(trust))["Role"]["Arn"]
    idir = str(tmp_path / "iss")
    run("oidc-issuer", "rotate", "--dir", idir)
    with open(os.path.join(idir, "issuer"), "w") as f:
        f.write(f"https://{host}")
    tok = mint({"dir": idir}, "--sub", "x", "--aud", "sts.amazonaws.com")
    t0 = time.monotonic()
    cp = assume(g, arn, tok)
    assert time.monotonic() - t0 < 15
    assert error_code(cp) == (
        "IDPCommunicationError", "The request could not be fulfilled because the identity provider (IDP) that was "
        "asked to verify the incoming identity token could not be reached. This is often a transient error caused "
        "by network conditions. Retry the request a limited number of times and wait between attempts to be less "
        "likely to cause an issue.")
    # Other requests are served meanwhile.
    assert g.aws("sts", "get-caller-identity")["Account"] == g.account_id
    s.close()


# ---- SAML ----


def saml_setup(g, tmp_path, role="saml-admin"):
    idp = str(tmp_path / "idp")
    md = run("saml-idp", "metadata", "--dir", idp).stdout
    prov = g.aws("iam", "create-saml-provider", "--name", "TestIdP",
                 "--saml-metadata-document", md)["SAMLProviderArn"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": prov},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
    arn = g.aws("iam", "create-role", "--role-name", role, "--assume-role-policy-document",
                json.dumps(trust))["Role"]["Arn"]
    return idp, prov, arn


def saml_assume(g, arn, prov, assertion):
    return g.aws("sts", "assume-role-with-saml", "--role-arn", arn, "--principal-arn", prov,
                 "--saml-assertion", assertion, check=False)


def test_saml_happy_path_and_refusals(gh_factory, tmp_path):
    g = gh_factory()
    idp, prov, arn = saml_setup(g, tmp_path)
    a = run("saml-idp", "assert", "--dir", idp, "--subject", "alice", "--role",
            f"{arn},{prov}").stdout.strip()
    cp = saml_assume(g, arn, prov, a)
    assert cp.returncode == 0, cp.stderr
    assert cp.json["AssumedRoleUser"]["Arn"].endswith(":assumed-role/saml-admin/alice")
    assert cp.json["Subject"] == "alice" and cp.json["SubjectType"] == "persistent"

    unsigned = run("saml-idp", "assert", "--dir", idp, "--subject", "alice", "--role",
                   f"{arn},{prov}", "--sign", "none").stdout.strip()
    assert error_code(saml_assume(g, arn, prov, unsigned)) == ("InvalidIdentityToken", SAML_UNSIGNED)
    other = run("saml-idp", "assert", "--dir", str(tmp_path / "other-idp"), "--subject", "alice",
                "--role", f"{arn},{prov}").stdout.strip()
    assert error_code(saml_assume(g, arn, prov, other)) == ("InvalidIdentityToken", SAML_BAD_SIGNATURE)
    missing = prov.replace(":saml-provider/TestIdP", ":saml-provider/Nope")
    assert error_code(saml_assume(g, arn, missing, a)) == ("InvalidIdentityToken", "Specified provider doesn't exist.")
    expired = run("saml-idp", "assert", "--dir", idp, "--subject", "alice", "--role",
                  f"{arn},{prov}", "--ttl", "-3600").stdout.strip()
    assert error_code(saml_assume(g, arn, prov, expired)) == ("ExpiredTokenException", EXPIRED_OR_INVALID)
    wrong_role = run("saml-idp", "assert", "--dir", idp, "--subject", "alice", "--role",
                     f"arn:aws:iam::{g.account_id}:role/other,{prov}").stdout.strip()
    assert error_code(saml_assume(g, arn, prov, wrong_role)) == ("AccessDenied", NOT_AUTHORIZED_SAML)

    # Signature wrapping: the signed assertion moved aside, a forged one in its place.
    xml = base64.b64decode(a).decode()
    start = xml.index("<saml:Assertion")
    end = xml.index("</saml:Assertion>") + len("</saml:Assertion>")
    signed = xml[start:end]
    forged = signed.replace(">alice<", ">mallory<", 1)
    forged = re.sub(r"<(ds:)?Signature[ >].*</(ds:)?Signature>", "", forged, flags=re.S)
    wrapped = xml[:start] + forged + "<samlp:Extensions>" + signed + "</samlp:Extensions>" + xml[end:]
    w = base64.b64encode(wrapped.encode()).decode()
    assert error_code(saml_assume(g, arn, prov, w)) == ("InvalidIdentityToken", SAML_UNSIGNED)
    # The same ID twice (the forged copy keeps the signed one's ID).
    wrapped2 = xml[:start] + signed.replace(">alice<", ">mallory<", 1) + xml[end:]
    w2 = base64.b64encode(wrapped2.encode()).decode()
    assert error_code(saml_assume(g, arn, prov, w2)) == ("InvalidIdentityToken", SAML_BAD_SIGNATURE)
    # Entities refused.
    evil = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]>' + xml[xml.index("<samlp"):]
    assert error_code(saml_assume(g, arn, prov, base64.b64encode(evil.encode()).decode())) == (
        "InvalidIdentityToken", NOT_VALIDATED)


def test_saml_source_identity(gh_factory, tmp_path):
    g = gh_factory()
    idp, prov, arn = saml_setup(g, tmp_path)
    attr = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"

    def assertion(value):
        return run("saml-idp", "assert", "--dir", idp, "--subject", "alice", "--role",
                   f"{arn},{prov}", "--attr", f"{attr}={value}").stdout.strip()

    # AWS STS: setting a source identity needs sts:SetSourceIdentity in the trust policy.
    assert error_code(saml_assume(g, arn, prov, assertion("alice@example.com"))) == (
        "AccessDenied", "Not authorized to perform sts:SetSourceIdentity")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": prov},
        "Action": ["sts:AssumeRoleWithSAML", "sts:SetSourceIdentity"],
        "Condition": {"StringLike": {"sts:SourceIdentity": "*@example.com"}}}]}
    g.aws("iam", "update-assume-role-policy", "--role-name", "saml-admin", "--policy-document",
          json.dumps(trust))
    cp = saml_assume(g, arn, prov, assertion("alice@example.com"))
    assert cp.returncode == 0, cp.stderr
    assert cp.json["SourceIdentity"] == "alice@example.com"
    # The trust policy sees sts:SourceIdentity.
    assert error_code(saml_assume(g, arn, prov, assertion("mallory@evil.test"))) == (
        "AccessDenied", NOT_AUTHORIZED_SAML)
    assert error_code(saml_assume(g, arn, prov, assertion("not valid"))) == (
        "InvalidIdentityToken", 'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"')
