"""test_sec_federation.py: federation hardening, with the real aws CLI and boto3:
unknown-kid JWKS refetches capped per issuer (a counting HTTPS issuer in front of
`gatehouse oidc-issuer`), OIDC provider URLs with user-info/query/fragment refused,
AssumeRoleForService authorizing before it tells anything about an instance profile,
AddRoleToInstanceProfile requiring iam:PassRole, and a SAML assertion accepted once."""
import base64
import http.server
import json
import os
import secrets
import ssl
import subprocess
import threading
import urllib.request

import boto3
import botocore
import pytest

from conftest import cli_error, free_port, gatehouse_bin
from helpers import TRUST_EC2, expect_error

UNKNOWN_KID = ("Couldn't retrieve verification key from your identity provider,  please reference "
               "AssumeRoleWithWebIdentity documentation for requirements")
INVALID_TOKEN = ("The web identity token that was passed could not be validated by AWS. Get a new "
                 "identity token from the identity provider and then retry the request.")


def run(*args):
    cp = subprocess.run([gatehouse_bin(), *args], capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, f"gatehouse {' '.join(args)}: {cp.stderr}"
    return cp.stdout


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# ---- 9: unknown kids cannot make the server hammer the issuer ----


class CountingIssuer:
    """An HTTPS OIDC issuer that counts the discovery and JWKS requests it
    answers. The keys are those of a `gatehouse oidc-issuer serve` behind it;
    the TLS certificate is that issuer's (127.0.0.1, signed by its CA)."""

    def __init__(self, upstream, idir):
        self.hits = {"discovery": 0, "jwks": 0}
        self.lock = threading.Lock()
        port = free_port()
        self.url = f"https://127.0.0.1:{port}"
        up_ctx = ssl.create_default_context(cafile=os.path.join(idir, "ca.pem"))
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    kind = "discovery"
                    body = json.dumps({"issuer": outer.url,
                                       "jwks_uri": outer.url + "/.well-known/jwks.json"}).encode()
                elif self.path == "/.well-known/jwks.json":
                    kind = "jwks"
                    with urllib.request.urlopen(upstream + "/.well-known/jwks.json", context=up_ctx,
                                                timeout=10) as r:
                        body = r.read()
                else:
                    self.send_error(404)
                    return
                with outer.lock:
                    outer.hits[kind] += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(idir, "tls.pem"), os.path.join(idir, "tls.key"))
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def count(self, kind):
        with self.lock:
            return self.hits[kind]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def counting_issuer(tmp_path):
    idir = str(tmp_path / "issuer")
    port = free_port()
    p = subprocess.Popen([gatehouse_bin(), "oidc-issuer", "serve", "--listen", f"127.0.0.1:{port}",
                          "--dir", idir], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info = dict(p.stdout.readline().split() for _ in range(2))
    ci = CountingIssuer(info["issuer"], idir)
    # Tokens minted from this directory now name the counting issuer as iss.
    with open(os.path.join(idir, "issuer"), "w") as f:
        f.write(ci.url)
    ci.dir = idir
    ci.ca_file = info["ca-file"]
    yield ci
    ci.close()
    p.terminate()
    p.wait(timeout=10)


def test_unknown_kids_force_at_most_one_jwks_refetch(gh_factory, counting_issuer):
    iss = counting_issuer
    g = gh_factory(extra_args=("--oidc-ca-file", iss.ca_file))
    host = iss.url[len("https://"):]
    g.aws("iam", "create-open-id-connect-provider", "--url", iss.url,
          "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "a" * 40)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{g.account_id}:oidc-provider/{host}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host}:aud": "sts.amazonaws.com"}}}]}
    arn = g.aws("iam", "create-role", "--role-name", "ci", "--assume-role-policy-document",
                json.dumps(trust))["Role"]["Arn"]
    tok = run("oidc-issuer", "mint", "--dir", iss.dir, "--sub", "repo:acme/app",
              "--aud", "sts.amazonaws.com").strip()
    out = g.aws("sts", "assume-role-with-web-identity", "--role-arn", arn, "--role-session-name", "ok",
                "--web-identity-token", tok)
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/ci/ok")
    assert iss.count("jwks") == 1 and iss.count("discovery") == 1

    # The same claims under headers naming kids the issuer never had: nothing to
    # verify them with, so each is refused, and the issuer is asked again at
    # most once in the minute, however many arrive.
    h, p, s = tok.split(".")
    header = json.loads(unb64url(h))
    sts = boto3.client("sts", endpoint_url=g.endpoint, region_name="us-east-1",
                       config=botocore.config.Config(signature_version=botocore.UNSIGNED,
                                                     retries={"max_attempts": 1}))
    for i in range(12):
        header["kid"] = secrets.token_hex(8)
        forged = ".".join([b64url(json.dumps(header).encode()), p, s])
        expect_error(lambda: sts.assume_role_with_web_identity(
            RoleArn=arn, RoleSessionName=f"k{i}", WebIdentityToken=forged),
            "InvalidIdentityToken", UNKNOWN_KID, status=400)
    assert iss.count("jwks") <= 2, iss.hits
    assert iss.count("discovery") <= 2, iss.hits

    # The known kid is still served from the cache.
    out = g.aws("sts", "assume-role-with-web-identity", "--role-arn", arn, "--role-session-name", "ok2",
                "--web-identity-token", tok)
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/ci/ok2")
    assert iss.count("jwks") <= 2, iss.hits


# ---- 11: provider URLs that would steer the discovery fetch ----


@pytest.mark.parametrize("url", [
    "https://user:pw@idp.example.com",
    "https://evil.example.com@idp.example.com",
    "https://idp.example.com?x=",
    "https://idp.example.com/tenant?/x",
    "https://idp.example.com#frag",
    "https://idp.example.com/a/../b",
    "https://idp.example.com/a%2F..%2Fb",
])
def test_oidc_provider_url_with_userinfo_query_or_fragment_refused(gh, url):
    cp = gh.aws("iam", "create-open-id-connect-provider", "--url", url, "--client-id-list",
                "sts.amazonaws.com", "--thumbprint-list", "a" * 40, check=False)
    assert cp.returncode != 0, cp.stdout
    assert cli_error(cp) == ("InvalidInput", "Invalid Open ID Connect Provider URL.")
    assert gh.aws("iam", "list-open-id-connect-providers")["OpenIDConnectProviderList"] == []


def test_oidc_provider_url_host_port_path_accepted(gh):
    for url, name in [("https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com"),
                      ("https://127.0.0.1:8443/realms/acme/", "127.0.0.1:8443/realms/acme"),
                      ("https://login.example.com/tenant-1/v2.0", "login.example.com/tenant-1/v2.0")]:
        arn = gh.aws("iam", "create-open-id-connect-provider", "--url", url, "--client-id-list",
                     "sts.amazonaws.com", "--thumbprint-list", "a" * 40)["OpenIDConnectProviderArn"]
        assert arn == f"arn:aws:iam::{gh.account_id}:oidc-provider/{name}"


# ---- 12: instance profiles and iam:PassRole ----


def user_with_policy(gh, name, policy=None):
    gh.aws("iam", "create-user", "--user-name", name)
    if policy is not None:
        gh.aws("iam", "put-user-policy", "--user-name", name, "--policy-name", "p",
               "--policy-document", json.dumps(policy))
    key = gh.aws("iam", "create-access-key", "--user-name", name)["AccessKey"]
    gh.add_profile(name, key["AccessKeyId"], key["SecretAccessKey"])
    return key["AccessKeyId"], key["SecretAccessKey"]


def for_service(gh, profile_name, key):
    return gh.query("AssumeRoleForService", {"ServicePrincipal": "ec2.amazonaws.com",
                                             "InstanceProfileName": profile_name,
                                             "RoleSessionName": "i-0123456789abcdef0"},
                    service="sts", access_key=key[0], secret=key[1])


def test_assume_role_for_service_authorizes_before_looking_up_the_profile(gh):
    gh.aws("iam", "create-role", "--role-name", "admin-role", "--assume-role-policy-document",
           json.dumps(TRUST_EC2))
    gh.aws("iam", "create-instance-profile", "--instance-profile-name", "web")
    gh.aws("iam", "add-role-to-instance-profile", "--instance-profile-name", "web",
           "--role-name", "admin-role")
    gh.aws("iam", "create-instance-profile", "--instance-profile-name", "empty")
    nobody = user_with_policy(gh, "nobody")
    arn = f"arn:aws:iam::{gh.account_id}:user/nobody"

    # A caller who may pass no role cannot tell a profile holding a role from an
    # empty one or one that does not exist, nor learn the role's name.
    for prof in ("web", "empty", "nope"):
        r = for_service(gh, prof, nobody)
        assert (r.status, r.code) == (403, "AccessDenied"), r
        assert r.message == (f"User: {arn} is not authorized to perform: iam:PassRole on the role of "
                             f"instance profile {prof}"), r
        assert "admin-role" not in r.body.decode()

    # Allowed to pass exactly that role: the profile holding it works; the
    # others still say nothing.
    one = user_with_policy(gh, "one", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:PassRole",
        "Resource": f"arn:aws:iam::{gh.account_id}:role/admin-role"}]})
    r = for_service(gh, "web", one)
    assert r.status == 200, r
    gh.secrets.add(r.find("SecretAccessKey"))
    assert r.find("Arn") == f"arn:aws:sts::{gh.account_id}:assumed-role/admin-role/i-0123456789abcdef0"
    for prof in ("empty", "nope"):
        r = for_service(gh, prof, one)
        assert (r.status, r.code) == (403, "AccessDenied"), r

    # A caller who may pass any role learns what is wrong.
    r = for_service(gh, "nope", (gh.root_key, gh.root_secret))
    assert (r.status, r.code, r.message) == (404, "NoSuchEntity", "Instance Profile nope cannot be found."), r
    r = for_service(gh, "empty", (gh.root_key, gh.root_secret))
    assert (r.code, r.message) == (
        "NoSuchEntity", "Instance Profile empty has no role, so there are no credentials to deliver."), r


def test_add_role_to_instance_profile_requires_passrole(gh):
    gh.aws("iam", "create-role", "--role-name", "admin-role", "--assume-role-policy-document",
           json.dumps(TRUST_EC2))
    gh.aws("iam", "create-instance-profile", "--instance-profile-name", "web")
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["iam:AddRoleToInstanceProfile", "iam:GetInstanceProfile"],
        "Resource": "*"}]}
    user_with_policy(gh, "ops", policy)
    cp = gh.aws("iam", "add-role-to-instance-profile", "--instance-profile-name", "web",
                "--role-name", "admin-role", profile="ops", check=False)
    assert cli_error(cp) == ("AccessDenied",
                             f"User: arn:aws:iam::{gh.account_id}:user/ops is not authorized to perform: "
                             f"iam:PassRole on resource: arn:aws:iam::{gh.account_id}:role/admin-role "
                             f"because no identity-based policy allows the iam:PassRole action")
    assert gh.aws("iam", "get-instance-profile", "--instance-profile-name", "web")["InstanceProfile"]["Roles"] == []

    # PassRole on that role, to EC2 (iam:PassedToService), as AWS documents it.
    policy["Statement"].append({
        "Effect": "Allow", "Action": "iam:PassRole",
        "Resource": f"arn:aws:iam::{gh.account_id}:role/admin-role",
        "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"},
                      "ArnLike": {"iam:AssociatedResourceArn":
                                  f"arn:aws:ec2:*:{gh.account_id}:instance/*"}}})
    gh.aws("iam", "put-user-policy", "--user-name", "ops", "--policy-name", "p",
           "--policy-document", json.dumps(policy))
    gh.aws("iam", "add-role-to-instance-profile", "--instance-profile-name", "web",
           "--role-name", "admin-role", profile="ops")
    roles = gh.aws("iam", "get-instance-profile", "--instance-profile-name", "web")["InstanceProfile"]["Roles"]
    assert [r["RoleName"] for r in roles] == ["admin-role"]


# ---- 13: a SAML assertion buys one session ----


def test_saml_assertion_accepted_once(gh, tmp_path):
    idp = str(tmp_path / "idp")
    md = run("saml-idp", "metadata", "--dir", idp)
    prov = gh.aws("iam", "create-saml-provider", "--name", "TestIdP",
                  "--saml-metadata-document", md)["SAMLProviderArn"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": prov}, "Action": "sts:AssumeRoleWithSAML"}]}
    arn = gh.aws("iam", "create-role", "--role-name", "saml-admin", "--assume-role-policy-document",
                 json.dumps(trust))["Role"]["Arn"]

    def assertion():
        return run("saml-idp", "assert", "--dir", idp, "--subject", "alice", "--role",
                   f"{arn},{prov}").strip()

    def assume(a):
        return gh.aws("sts", "assume-role-with-saml", "--role-arn", arn, "--principal-arn", prov,
                      "--saml-assertion", a, check=False)

    a = assertion()
    cp = assume(a)
    assert cp.returncode == 0, cp.stderr
    assert cp.json["AssumedRoleUser"]["Arn"].endswith(":assumed-role/saml-admin/alice")
    cp = assume(a)
    assert cli_error(cp) == ("InvalidIdentityToken", INVALID_TOKEN)
    # Remembered in the store: a restart does not make it new again.
    gh.restart()
    assert cli_error(assume(a)) == ("InvalidIdentityToken", INVALID_TOKEN)
    # Another assertion from the IdP (another ID) is fine.
    cp = assume(assertion())
    assert cp.returncode == 0, cp.stderr
