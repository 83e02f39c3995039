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
