"""test_iam_account.py: the account-level and per-user credential actions of issue 4 through /usr/bin/aws and boto3: virtual MFA devices (TOTP codes computed here from the Base32 seed), login profiles and the password policy, OIDC and SAML providers, the account alias, GetAccountSummary, GetAccountAuthorizationDetails, the credential report, GetAccessKeyLastUsed, service-linked roles, SSH public keys and signing certificates."""
import base64
import csv
import datetime
import hashlib
import hmac
import io
import json
import re
import struct
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from conftest import cli_error
from helpers import TRUST_EC2, expect_error


def totp(seed_b32, step):
    """RFC 6238 TOTP (HMAC-SHA1, 6 digits) of a Base32 seed at 30-second step `step`."""
    key = base64.b32decode(seed_b32 + "=" * (-len(seed_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % code


def user_client(gh, iam, name):
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k, gh.client("iam", access_key=k["AccessKeyId"], secret=k["SecretAccessKey"])


# ---- MFA ----

def test_virtual_mfa_lifecycle(gh, tmp_path):
    iam = gh.client("iam")
    iam.create_user(UserName="alice")
    seed_file = tmp_path / "seed.txt"
    out = gh.aws("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "alice-phone",
                 "--outfile", str(seed_file), "--bootstrap-method", "Base32StringSeed")
    serial = out["VirtualMFADevice"]["SerialNumber"]
    assert serial == f"arn:aws:iam::{gh.account_id}:mfa/alice-phone"
    seed = seed_file.read_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", seed)
    # boto3 sees the QR code as PNG bytes.
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName="spare", Tags=[{"Key": "k", "Value": "v"}])
    assert dev["VirtualMFADevice"]["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n")
    expect_error(lambda: iam.create_virtual_mfa_device(VirtualMFADeviceName="spare"), "EntityAlreadyExists")

    step = int(time.time()) // 30
    expect_error(lambda: iam.enable_mfa_device(UserName="alice", SerialNumber=serial,
                                               AuthenticationCode1="000000", AuthenticationCode2="000000"),
                 "InvalidAuthenticationCode", status=403)
    # Two consecutive codes; wrong order is refused.
    expect_error(lambda: iam.enable_mfa_device(UserName="alice", SerialNumber=serial,
                                               AuthenticationCode1=totp(seed, step + 1),
                                               AuthenticationCode2=totp(seed, step)),
                 "InvalidAuthenticationCode")
    gh.aws("iam", "enable-mfa-device", "--user-name", "alice", "--serial-number", serial,
           "--authentication-code1", totp(seed, step), "--authentication-code2", totp(seed, step + 1))
    devs = gh.aws("iam", "list-mfa-devices", "--user-name", "alice")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in devs] == [("alice", serial)]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in assigned] == [serial]
    assert assigned[0]["User"]["UserName"] == "alice"
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in unassigned] == [f"arn:aws:iam::{gh.account_id}:mfa/spare"]
    assert iam.list_mfa_device_tags(SerialNumber=unassigned[0]["SerialNumber"])["Tags"] == [
        {"Key": "k", "Value": "v"}]

    expect_error(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial), "DeleteConflict")
    expect_error(lambda: iam.delete_user(UserName="alice"), "DeleteConflict",
                 "Cannot delete entity, must delete MFA device first.")
    gh.aws("iam", "deactivate-mfa-device", "--user-name", "alice", "--serial-number", serial)
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []
    gh.aws("iam", "delete-virtual-mfa-device", "--serial-number", serial)
    expect_error(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial), "NoSuchEntity")
    iam.delete_user(UserName="alice")


# ---- login profiles and the password policy ----

def test_login_profile_and_password_policy(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="bob")
    gh.aws("iam", "update-account-password-policy", "--minimum-password-length", "14",
           "--require-symbols", "--require-numbers", "--password-reuse-prevention", "2")
    pol = iam.get_account_password_policy()["PasswordPolicy"]
    assert pol["MinimumPasswordLength"] == 14 and pol["RequireSymbols"] and pol["RequireNumbers"]
    assert pol["PasswordReusePrevention"] == 2

    cp = gh.aws("iam", "create-login-profile", "--user-name", "bob", "--password", "short1!", check=False)
    assert cp.returncode == 254, (cp.returncode, cp.stderr)
    assert cli_error(cp) == ("PasswordPolicyViolation", "Password should have a minimum length of 14")
    expect_error(lambda: iam.create_login_profile(UserName="bob", Password="longenoughbutnosymbol1"),
                 "PasswordPolicyViolation", "Password should have at least one symbol", status=400)
    lp = gh.aws("iam", "create-login-profile", "--user-name", "bob", "--password", "Gate-house-2026!",
                "--password-reset-required")["LoginProfile"]
    assert lp["UserName"] == "bob" and lp["PasswordResetRequired"] is True
    expect_error(lambda: iam.create_login_profile(UserName="bob", Password="Gate-house-2026!"),
                 "EntityAlreadyExists", "Login Profile for user bob already exists.")
    got = iam.get_login_profile(UserName="bob")["LoginProfile"]
    assert got["PasswordResetRequired"] is True
    iam.update_login_profile(UserName="bob", Password="Another-pass-2026?", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="bob")["LoginProfile"]["PasswordResetRequired"] is False
    expect_error(lambda: iam.update_login_profile(UserName="bob", Password="weak"), "PasswordPolicyViolation")
    expect_error(lambda: iam.delete_user(UserName="bob"), "DeleteConflict",
                 "Cannot delete entity, must delete login profile first.")
    iam.delete_login_profile(UserName="bob")
    expect_error(lambda: iam.get_login_profile(UserName="bob"), "NoSuchEntity")
    gh.aws("iam", "delete-account-password-policy")
    expect_error(lambda: iam.get_account_password_policy(), "NoSuchEntity")
    iam.delete_user(UserName="bob")


# ---- identity providers ----

THUMB_A = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
THUMB_B = "6938fd4d98bab03faadb97b34396831e3780aea1"

SAML_METADATA_TEMPLATE = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>CERT</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


def test_oidc_provider_lifecycle(gh):
    iam = gh.client("iam")
    arn = gh.aws("iam", "create-open-id-connect-provider", "--url", "https://token.actions.githubusercontent.com",
                 "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", THUMB_A,
                 "--tags", "Key=team,Value=ci")["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{gh.account_id}:oidc-provider/token.actions.githubusercontent.com"
    expect_error(lambda: iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["x"], ThumbprintList=[THUMB_A]),
        "EntityAlreadyExists")
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com"] and got["ThumbprintList"] == [THUMB_A]
    assert got["Tags"] == [{"Key": "team", "Value": "ci"}]
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert [p["Arn"] for p in listed] == [arn]

    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="my-app")
    gh.aws("iam", "remove-client-id-from-open-id-connect-provider", "--open-id-connect-provider-arn", arn,
           "--client-id", "sts.amazonaws.com")
    gh.aws("iam", "update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", arn,
           "--thumbprint-list", THUMB_A, THUMB_B)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["ClientIDList"] == ["my-app"]
    assert sorted(got["ThumbprintList"]) == sorted([THUMB_A, THUMB_B])
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["team"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [
        {"Key": "env", "Value": "prod"}]
    expect_error(lambda: iam.create_open_id_connect_provider(Url="http://insecure.example.com",
                                                             ThumbprintList=[THUMB_A]), "InvalidInput")
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    expect_error(lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn), "NoSuchEntity")
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def saml_metadata():
    """IdP metadata with a signing certificate (the API wants at least 1000 characters)."""
    key = rsa_key()
    now = datetime.datetime.now(datetime.timezone.utc)
    pem = self_signed(key, "idp.example.com", now - datetime.timedelta(days=1), now + datetime.timedelta(days=365))
    body = "".join(pem.strip().splitlines()[1:-1])
    return SAML_METADATA_TEMPLATE.replace("CERT", body)


def test_saml_provider_lifecycle(gh, tmp_path):
    iam = gh.client("iam")
    SAML_METADATA = saml_metadata()
    md = tmp_path / "metadata.xml"
    md.write_text(SAML_METADATA)
    arn = gh.aws("iam", "create-saml-provider", "--name", "Corp", "--saml-metadata-document", f"file://{md}",
                 "--tags", "Key=owner,Value=it")["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{gh.account_id}:saml-provider/Corp"
    expect_error(lambda: iam.create_saml_provider(Name="Corp", SAMLMetadataDocument=SAML_METADATA),
                 "EntityAlreadyExists")
    expect_error(lambda: iam.create_saml_provider(Name="Bad", SAMLMetadataDocument="<not-metadata/>" + " " * 1000),
                 "InvalidInput")
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert "IDPSSODescriptor" in got["SAMLMetadataDocument"]
    assert got["Tags"] == [{"Key": "owner", "Value": "it"}]
    assert [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]] == [arn]
    updated = SAML_METADATA.replace("https://idp.example.com/sso", "https://idp2.example.com/sso")
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=updated)["SAMLProviderArn"] == arn
    assert "idp2.example.com" in iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"]
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["owner"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]
    gh.aws("iam", "delete-saml-provider", "--saml-provider-arn", arn)
    expect_error(lambda: iam.get_saml_provider(SAMLProviderArn=arn), "NoSuchEntity")


# ---- the account ----

def test_account_alias(gh):
    iam = gh.client("iam")
    assert iam.list_account_aliases()["AccountAliases"] == []
    cp = gh.aws("iam", "create-account-alias", "--account-alias", "Bad_Alias", check=False)
    assert cli_error(cp)[0] == "ValidationError"
    gh.aws("iam", "create-account-alias", "--account-alias", "castle-gate")
    assert gh.aws("iam", "list-account-aliases")["AccountAliases"] == ["castle-gate"]
    iam.create_account_alias(AccountAlias="castle-gate-2")  # replaces the first
    assert iam.list_account_aliases()["AccountAliases"] == ["castle-gate-2"]
    expect_error(lambda: iam.delete_account_alias(AccountAlias="castle-gate"), "NoSuchEntity")
    iam.delete_account_alias(AccountAlias="castle-gate-2")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_account_summary_counts(gh):
    iam = gh.client("iam")
    before = iam.get_account_summary()["SummaryMap"]
    assert before["Users"] == 0 and before["UsersQuota"] == 5000
    assert before["AccountAccessKeysPresent"] == 1
    for n in ("u1", "u2", "u3"):
        iam.create_user(UserName=n)
    iam.create_group(GroupName="g1")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.create_policy(PolicyName="p1", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    iam.create_instance_profile(InstanceProfileName="ip1")
    after = gh.aws("iam", "get-account-summary")["SummaryMap"]
    assert after["Users"] == before["Users"] + 3
    assert after["Groups"] == before["Groups"] + 1
    assert after["Roles"] == before["Roles"] + 1
    assert after["Policies"] == before["Policies"] + 1
    assert after["InstanceProfiles"] == before["InstanceProfiles"] + 1


def test_account_authorization_details_filters(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="dora")
    iam.put_user_policy(UserName="dora", PolicyName="inline", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="dora")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    users = iam.get_account_authorization_details(Filter=["User"])
    assert [u["UserName"] for u in users["UserDetailList"]] == ["dora"]
    assert users["UserDetailList"][0]["GroupList"] == ["ops"]
    assert users["UserDetailList"][0]["UserPolicyList"][0]["PolicyName"] == "inline"
    assert users["RoleDetailList"] == [] and users["GroupDetailList"] == []
    roles = gh.aws("iam", "get-account-authorization-details", "--filter", "Role")
    assert [r["RoleName"] for r in roles["RoleDetailList"]] == ["app"]
    assert roles["RoleDetailList"][0]["AssumeRolePolicyDocument"] == TRUST_EC2
    assert roles["UserDetailList"] == []
    both = iam.get_account_authorization_details(Filter=["User", "Group"])
    assert [g["GroupName"] for g in both["GroupDetailList"]] == ["ops"]
    assert both["RoleDetailList"] == []
    expect_error(lambda: iam.get_account_authorization_details(Filter=["Robots"]), "ValidationError")


def test_credential_report(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="erin")
    k = iam.create_access_key(UserName="erin")["AccessKey"]
    gh.track({"SecretAccessKey": k["SecretAccessKey"]})
    expect_error(lambda: iam.get_credential_report(), "ReportNotPresent", status=410)
    state = iam.generate_credential_report()["State"]
    for _ in range(50):
        if state == "COMPLETE":
            break
        time.sleep(0.1)
        state = iam.generate_credential_report()["State"]
    assert state == "COMPLETE"
    rep = iam.get_credential_report()
    assert rep["ReportFormat"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(rep["Content"].decode())))
    assert rows[0]["user"] == "<root_account>"
    assert rows[0]["arn"] == f"arn:aws:iam::{gh.account_id}:root"
    assert rows[0]["access_key_1_active"] == "true"
    erin = [r for r in rows if r["user"] == "erin"]
    assert len(erin) == 1
    assert erin[0]["access_key_1_active"] == "true" and erin[0]["password_enabled"] == "false"
    assert erin[0]["cert_1_active"] == "false"
    # The CLI shows the same report base64-encoded.
    cli = gh.aws("iam", "get-credential-report")
    assert base64.b64decode(cli["Content"]) == rep["Content"]


def test_access_key_last_used(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="fay")
    iam.attach_user_policy(UserName="fay", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    k, fay = user_client(gh, iam, "fay")
    before = iam.get_access_key_last_used(AccessKeyId=k["AccessKeyId"])
    assert before["UserName"] == "fay"
    assert "LastUsedDate" not in before["AccessKeyLastUsed"]
    assert before["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    assert before["AccessKeyLastUsed"]["Region"] == "N/A"
    fay.get_user()
    after = gh.aws("iam", "get-access-key-last-used", "--access-key-id", k["AccessKeyId"])["AccessKeyLastUsed"]
    assert after["ServiceName"] == "iam" and after["Region"] == "us-east-1"
    used = datetime.datetime.fromisoformat(after["LastUsedDate"].replace("Z", "+00:00"))
    assert abs((datetime.datetime.now(datetime.timezone.utc) - used).total_seconds()) < 120


def test_service_linked_role(gh):
    iam = gh.client("iam")
    role = gh.aws("iam", "create-service-linked-role", "--aws-service-name", "autoscaling.amazonaws.com")["Role"]
    name = role["RoleName"]
    assert name == "AWSServiceRoleForAutoScaling"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    expect_error(lambda: iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com"),
                 "InvalidInput")
    cp = gh.aws("iam", "update-assume-role-policy", "--role-name", name, "--policy-document",
                json.dumps(TRUST_EC2), check=False)
    assert cli_error(cp)[0] == "UnmodifiableEntity"
    expect_error(lambda: iam.delete_role(RoleName=name), "UnmodifiableEntity")
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/autoscaling.amazonaws.com/{name}/")
    status = gh.aws("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task)["Status"]
    assert status in ("SUCCEEDED", "IN_PROGRESS")
    for _ in range(50):
        if status == "SUCCEEDED":
            break
        time.sleep(0.1)
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"]
    assert status == "SUCCEEDED"
    expect_error(lambda: iam.get_role(RoleName=name), "NoSuchEntity")


# ---- SSH public keys and signing certificates ----

def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def openssh(key):
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()


def md5_fingerprint(ssh_line):
    d = hashlib.md5(base64.b64decode(ssh_line.split()[1])).hexdigest()
    return ":".join(d[i:i + 2] for i in range(0, 32, 2))


def self_signed(key, cn, not_before, not_after):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(not_before)
            .not_valid_after(not_after).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_ssh_public_keys(gh, tmp_path):
    iam = gh.client("iam")
    iam.create_user(UserName="gus")
    key = rsa_key()
    line = openssh(key) + " gus@laptop"
    pub = tmp_path / "id_rsa.pub"
    pub.write_text(line + "\n")
    up = gh.aws("iam", "upload-ssh-public-key", "--user-name", "gus",
                "--ssh-public-key-body", f"file://{pub}")["SSHPublicKey"]
    kid = up["SSHPublicKeyId"]
    assert re.fullmatch(r"APKA[A-Z2-7]{17}", kid)
    assert up["Fingerprint"] == md5_fingerprint(line)
    assert up["Status"] == "Active" and up["UserName"] == "gus"
    expect_error(lambda: iam.upload_ssh_public_key(UserName="gus", SSHPublicKeyBody=line),
                 "DuplicateSSHPublicKey", status=400)
    expect_error(lambda: iam.upload_ssh_public_key(UserName="gus", SSHPublicKeyBody=openssh(rsa_key(1024))),
                 "InvalidPublicKey")
    ec_line = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    expect_error(lambda: iam.upload_ssh_public_key(UserName="gus", SSHPublicKeyBody=ec_line),
                 "UnrecognizedPublicKeyEncoding")

    ssh = iam.get_ssh_public_key(UserName="gus", SSHPublicKeyId=kid, Encoding="SSH")["SSHPublicKey"]
    assert ssh["SSHPublicKeyBody"].split()[:2] == line.split()[:2]
    pem = gh.aws("iam", "get-ssh-public-key", "--user-name", "gus", "--ssh-public-key-id", kid,
                 "--encoding", "PEM")["SSHPublicKey"]["SSHPublicKeyBody"]
    loaded = serialization.load_pem_public_key(pem.encode())
    assert loaded.public_numbers() == key.public_key().public_numbers()

    for _ in range(4):
        iam.upload_ssh_public_key(UserName="gus", SSHPublicKeyBody=openssh(rsa_key()))
    expect_error(lambda: iam.upload_ssh_public_key(UserName="gus", SSHPublicKeyBody=openssh(rsa_key())),
                 "LimitExceeded")
    listed = [k["SSHPublicKeyId"] for p in iam.get_paginator("list_ssh_public_keys").paginate(
        UserName="gus", PaginationConfig={"PageSize": 2}) for k in p["SSHPublicKeys"]]
    assert len(listed) == 5 and kid in listed

    gh.aws("iam", "update-ssh-public-key", "--user-name", "gus", "--ssh-public-key-id", kid, "--status", "Inactive")
    assert iam.get_ssh_public_key(UserName="gus", SSHPublicKeyId=kid, Encoding="SSH")[
        "SSHPublicKey"]["Status"] == "Inactive"
    expect_error(lambda: iam.delete_user(UserName="gus"), "DeleteConflict",
                 "Cannot delete entity, must delete SSH public keys first.")
    for k in listed:
        iam.delete_ssh_public_key(UserName="gus", SSHPublicKeyId=k)
    expect_error(lambda: iam.get_ssh_public_key(UserName="gus", SSHPublicKeyId=kid, Encoding="SSH"),
                 "NoSuchEntity")
    assert iam.list_ssh_public_keys(UserName="gus")["SSHPublicKeys"] == []
    iam.delete_user(UserName="gus")


def test_signing_certificates(gh, tmp_path):
    iam = gh.client("iam")
    iam.create_user(UserName="hal")
    iam.create_user(UserName="ida")
    key = rsa_key()
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    c1 = self_signed(key, "one", now - day, now + 30 * day)
    c2 = self_signed(key, "two", now - day, now + 30 * day)
    c3 = self_signed(key, "three", now - day, now + 30 * day)
    old = self_signed(key, "old", now - 3 * day, now - day)
    pem = tmp_path / "cert.pem"
    pem.write_text(c1)
    cert = gh.aws("iam", "upload-signing-certificate", "--user-name", "hal",
                  "--certificate-body", f"file://{pem}")["Certificate"]
    cid = cert["CertificateId"]
    assert re.fullmatch(r"[A-Z0-9]{24,128}", cid)
    assert cert["Status"] == "Active" and cert["CertificateBody"].strip() == c1.strip()
    expect_error(lambda: iam.upload_signing_certificate(UserName="ida", CertificateBody=c1),
                 "DuplicateCertificate", status=409)
    expect_error(lambda: iam.upload_signing_certificate(UserName="ida", CertificateBody="-----BEGIN CERTIFICATE-----\n"
                                                        "bm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"),
                 "MalformedCertificate")
    expect_error(lambda: iam.upload_signing_certificate(UserName="ida", CertificateBody=old),
                 "MalformedCertificate")
    iam.upload_signing_certificate(UserName="hal", CertificateBody=c2)
    expect_error(lambda: iam.upload_signing_certificate(UserName="hal", CertificateBody=c3), "LimitExceeded")
    listed = gh.aws("iam", "list-signing-certificates", "--user-name", "hal")["Certificates"]
    assert sorted(c["CertificateBody"].strip() for c in listed) == sorted([c1.strip(), c2.strip()])
    iam.update_signing_certificate(UserName="hal", CertificateId=cid, Status="Inactive")
    st = {c["CertificateId"]: c["Status"] for c in iam.list_signing_certificates(UserName="hal")["Certificates"]}
    assert st[cid] == "Inactive"
    expect_error(lambda: iam.delete_signing_certificate(UserName="ida", CertificateId=cid), "NoSuchEntity")
    expect_error(lambda: iam.delete_user(UserName="hal"), "DeleteConflict",
                 "Cannot delete entity, must delete signing certificates first.")

    # The report shows hal's certificates.
    iam.generate_credential_report()
    for _ in range(50):
        if iam.generate_credential_report()["State"] == "COMPLETE":
            break
        time.sleep(0.1)
    rows = {r["user"]: r for r in csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode()))}
    assert {rows["hal"]["cert_1_active"], rows["hal"]["cert_2_active"]} == {"true", "false"}

    for c in listed:
        gh.aws("iam", "delete-signing-certificate", "--user-name", "hal", "--certificate-id", c["CertificateId"])
    assert iam.list_signing_certificates(UserName="hal")["Certificates"] == []
    iam.delete_user(UserName="hal")

    # Without --user-name the root manages its own certificates (which carry no UserName).
    root = gh.aws("iam", "upload-signing-certificate", "--certificate-body", c3)["Certificate"]
    assert "UserName" not in root
    mine = iam.list_signing_certificates()["Certificates"]
    assert [c["CertificateId"] for c in mine] == [root["CertificateId"]]
    iam.delete_signing_certificate(CertificateId=root["CertificateId"])
    assert iam.list_signing_certificates()["Certificates"] == []
