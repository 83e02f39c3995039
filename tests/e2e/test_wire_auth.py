"""test_wire_auth.py: the Query protocol on the wire (XML shapes, bad input of every kind, size limits) and SigV4 authentication (wrong secret, unknown or inactive key, no auth, clock skew, presigned URLs), with raw signed requests."""
import datetime
import re
import socket
import urllib.parse
import urllib.request

from conftest import cli_error
from helpers import all_users, expect_error, snapshot

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
SIG_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
BAD_TOKEN = "The security token included in the request is invalid."
AMZ_DATE = r"\d{8}T\d{6}Z"


def assert_error_shape(r, ns, status, code, message=None):
    assert r.status == status, r
    assert r.code == code, r
    if message is not None:
        assert r.message == message, r
    assert r.xml is not None and r.xml.tag == f"{{{ns}}}ErrorResponse", r
    assert r.error_type == "Sender", r
    assert r.find("RequestId"), r
    assert "xml" in r.headers.get("content-type", ""), r.headers


# ---- response shapes ----

def test_success_xml_shape(gh):
    r = gh.query("ListUsers")
    assert r.status == 200, r
    assert r.xml.tag == f"{{{IAM_NS}}}ListUsersResponse"
    assert r.find("IsTruncated") == "false"
    assert r.find("RequestId")
    r = gh.query("GetCallerIdentity", service="sts")
    assert r.status == 200, r
    assert r.xml.tag == f"{{{STS_NS}}}GetCallerIdentityResponse"
    assert r.find("Arn") == f"arn:aws:iam::{gh.account_id}:root"
    assert r.find("RequestId")


def test_unknown_action(gh):
    # AWS IAM (Coral) wording, e.g. fog-aws#368: "Could not find operation
    # ReplaceIamInstanceProfileAssociation for version 2010-05-08".
    r = gh.query("FooBar")
    assert_error_shape(r, IAM_NS, 400, "InvalidAction", "Could not find operation FooBar for version 2010-05-08")
    r = gh.query("AssumeRole", service="iam")  # an STS action sent to IAM
    assert_error_shape(r, IAM_NS, 400, "InvalidAction", "Could not find operation AssumeRole for version 2010-05-08")


def test_unknown_version(gh):
    r = gh.signed({"Action": "ListUsers", "Version": "2099-01-01"})
    assert (r.status, r.code) == (400, "InvalidAction"), r
    assert r.message == "Could not find operation ListUsers for version 2099-01-01", r


def test_missing_required_parameter(gh):
    iam = gh.client("iam")
    before = snapshot(iam)
    r = gh.query("CreateUser")
    assert r.status == 400, r
    assert r.code in ("ValidationError", "MissingParameter"), r
    assert "userName" in r.message or "UserName" in r.message, r
    r = gh.query("CreateRole", {"RoleName": "x"})
    assert r.status == 400 and r.code in ("ValidationError", "MissingParameter"), r
    assert "assumeRolePolicyDocument" in r.message or "AssumeRolePolicyDocument" in r.message, r
    assert snapshot(iam) == before


def test_bad_name_validation_raw(gh):
    r = gh.query("CreateUser", {"UserName": "bad name!"})
    assert_error_shape(r, IAM_NS, 400, "ValidationError",
                       "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
    assert all_users(gh.client("iam")) == []


def test_malformed_form_encoding(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="keep")
    before = snapshot(iam)
    for body in (b"Action=CreateUser&Version=2010-05-08&UserName=a%ZZb",
                 b"Action=CreateUser&Version=2010-05-08&UserName=ab%2",
                 b"Action=CreateUser&Version=2010-05-08&UserName=a%"):
        r = gh.signed(body)
        assert 400 <= r.status < 500, (body, r)
        assert r.code, (body, r)
    assert snapshot(iam) == before


def test_duplicate_parameters(gh):
    iam = gh.client("iam")
    before = snapshot(iam)
    r = gh.signed(b"Action=CreateUser&Version=2010-05-08&UserName=a&UserName=b")
    assert r.status == 400, r
    assert r.code, r
    r = gh.signed(b"Action=CreateUser&Action=DeleteUser&Version=2010-05-08&UserName=a")
    assert r.status == 400, r
    assert snapshot(iam) == before


def test_non_utf8_name(gh):
    iam = gh.client("iam")
    before = snapshot(iam)
    r = gh.signed(b"Action=CreateUser&Version=2010-05-08&UserName=%FF%FEab")
    assert (r.status, r.code) == (400, "ValidationError"), r
    r = gh.signed(b"Action=CreateUser&Version=2010-05-08&UserName=a%C0%AFb")  # overlong '/'
    assert (r.status, r.code) == (400, "ValidationError"), r
    assert snapshot(iam) == before


def _raw_request(gh, path, headers, body):
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{gh.port}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k.lower() not in ("host", "content-length"))
    return head.encode() + b"\r\n" + body


def test_oversized_body(gh):
    iam = gh.client("iam")
    before = snapshot(iam)
    body = b"Action=CreateUser&Version=2010-05-08&UserName=big&Path=%2F" + b"a" * (2 * 1024 * 1024) + b"%2F"
    path, headers, body = gh.signed(body, send=False)
    status, got = gh.send_raw(_raw_request(gh, path, headers, body))
    assert status == 413, got[:300]
    assert gh.http("GET", "/healthz").status == 200
    assert snapshot(iam) == before


def test_oversized_headers(gh):
    path, headers, body = gh.signed({"Action": "ListUsers", "Version": "2010-05-08"}, send=False,
                                    extra_headers={"X-Filler": "a" * (128 * 1024)})
    status, got = gh.send_raw(_raw_request(gh, path, headers, body))
    assert status in (400, 413, 431), got[:300]
    hdrs = {f"X-H{i}": "v" for i in range(300)}
    path, headers, body = gh.signed({"Action": "ListUsers", "Version": "2010-05-08"}, send=False, extra_headers=hdrs)
    status, got = gh.send_raw(_raw_request(gh, path, headers, body))
    assert status in (400, 413, 431), got[:300]
    assert gh.http("GET", "/healthz").status == 200


def test_garbage_requests_keep_server_alive(gh):
    s = socket.create_connection(("127.0.0.1", gh.port), timeout=5)
    s.sendall(b"NOT-HTTP \x00\xff\r\n\r\n")
    try:
        s.recv(4096)
    except OSError:
        pass
    s.close()
    r = gh.http("DELETE", "/", body=b"")
    assert 400 <= r.status < 500, r
    r = gh.http("POST", "/", body=b"Action=ListUsers&Version=2010-05-08",
                headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": "AWS4-HMAC-SHA256 junk"})
    assert 400 <= r.status < 500 and r.code in ("IncompleteSignature", "InvalidClientTokenId",
                                                "SignatureDoesNotMatch", "MissingAuthenticationToken"), r
    assert gh.http("GET", "/healthz").status == 200


# ---- authentication ----

def test_wrong_secret(gh):
    bad = "x" * 40
    r = gh.query("ListUsers", access_key=gh.root_key, secret=bad)
    assert_error_shape(r, IAM_NS, 403, "SignatureDoesNotMatch", SIG_MISMATCH)
    expect_error(lambda: gh.client("sts", gh.root_key, bad).get_caller_identity(), "SignatureDoesNotMatch",
                 SIG_MISMATCH, 403)
    cp = gh.aws("sts", "get-caller-identity", env={"AWS_ACCESS_KEY_ID": gh.root_key, "AWS_SECRET_ACCESS_KEY": bad},
                check=False)
    assert cp.returncode == 254, (cp.returncode, cp.stderr)  # the CLI's "the service returned an error"
    assert cli_error(cp) == ("SignatureDoesNotMatch", SIG_MISMATCH), cp.stderr


def test_tampered_body(gh):
    path, headers, body = gh.signed({"Action": "CreateUser", "Version": "2010-05-08", "UserName": "a"}, send=False)
    r = gh.http("POST", path, body=body.replace(b"UserName=a", b"UserName=b"), headers=headers)
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert all_users(gh.client("iam")) == []


def test_unknown_key(gh):
    r = gh.query("ListUsers", access_key="AKIAZZZZZZZZZZZZZZZZ", secret="y" * 40)
    assert_error_shape(r, IAM_NS, 403, "InvalidClientTokenId", BAD_TOKEN)
    expect_error(lambda: gh.client("sts", "AKIAZZZZZZZZZZZZZZZZ", "y" * 40).get_caller_identity(),
                 "InvalidClientTokenId", BAD_TOKEN, 403)


def test_inactive_key(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="u")
    k = iam.create_access_key(UserName="u")["AccessKey"]
    sts = gh.client("sts", k["AccessKeyId"], k["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"].endswith(":user/u")
    iam.update_access_key(UserName="u", AccessKeyId=k["AccessKeyId"], Status="Inactive")
    expect_error(sts.get_caller_identity, "InvalidClientTokenId", BAD_TOKEN, 403)
    iam.update_access_key(UserName="u", AccessKeyId=k["AccessKeyId"], Status="Active")
    assert sts.get_caller_identity()["Arn"].endswith(":user/u")


def test_missing_authentication(gh):
    for service, body, ns in (("iam", b"Action=ListUsers&Version=2010-05-08", IAM_NS),
                              ("sts", b"Action=GetCallerIdentity&Version=2011-06-15", STS_NS)):
        r = gh.http("POST", "/", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert_error_shape(r, ns, 403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        r = gh.http("GET", "/?" + body.decode())
        assert (r.status, r.code) == (403, "MissingAuthenticationToken"), r


def test_clock_skew(gh):
    now = datetime.datetime.utcnow()
    past = now - datetime.timedelta(minutes=20)
    r = gh.query("GetCallerIdentity", service="sts", when=past)
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    m = re.fullmatch(rf"Signature expired: ({AMZ_DATE}) is now earlier than ({AMZ_DATE}) \(({AMZ_DATE}) - 15 min\.\)",
                     r.message or "")
    assert m, r.message
    assert m.group(1) == past.strftime("%Y%m%dT%H%M%SZ")
    fmt = "%Y%m%dT%H%M%SZ"
    t_earliest = datetime.datetime.strptime(m.group(2), fmt)
    t_now = datetime.datetime.strptime(m.group(3), fmt)
    assert t_now - t_earliest == datetime.timedelta(minutes=15)
    assert abs((t_now - now).total_seconds()) < 120
    future = now + datetime.timedelta(minutes=20)
    r = gh.query("GetCallerIdentity", service="sts", when=future)
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert re.fullmatch(rf"Signature not yet current: {AMZ_DATE} is still later than {AMZ_DATE} \({AMZ_DATE} \+ 15 min\.\)",
                        r.message or ""), r.message
    # Ten minutes off is inside the window.
    r = gh.query("GetCallerIdentity", service="sts", when=now - datetime.timedelta(minutes=10))
    assert r.status == 200, r


def test_presigned_get(gh):
    sts = gh.client("sts")
    url = sts.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=300, HttpMethod="GET")
    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200
        body = resp.read().decode()
    assert f"<Arn>arn:aws:iam::{gh.account_id}:root</Arn>" in body
    # Change one character of the signature: refused.
    sig = re.search(r"X-Amz-Signature=([0-9a-f]+)", url).group(1)
    bad = url.replace(sig, ("0" if sig[0] != "0" else "1") + sig[1:])
    r = gh.http("GET", bad[len(gh.endpoint):])
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    # An IAM call presigned the same way.
    iam_url = gh.client("iam").generate_presigned_url("list_users", Params={}, ExpiresIn=60, HttpMethod="GET")
    r = gh.http("GET", iam_url[len(gh.endpoint):])
    assert r.status == 200 and r.xml.tag == f"{{{IAM_NS}}}ListUsersResponse", r


def test_presigned_expired(gh):
    import time

    url = gh.client("sts").generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=1, HttpMethod="GET")
    time.sleep(2.2)
    r = gh.http("GET", url[len(gh.endpoint):])
    assert r.status in (400, 403), r
    assert r.code in ("AccessDenied", "ExpiredToken", "RequestExpired", "SignatureDoesNotMatch"), r
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert q["X-Amz-Expires"] == ["1"]
