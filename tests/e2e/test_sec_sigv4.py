"""test_sec_sigv4.py: what a SigV4 signature must cover. Unsigned x-amz-*
headers are refused (AWS S3 AccessDenied with HeadersNotSigned; IAM/STS
SignatureDoesNotMatch), S3 requests signed in the Authorization header must
carry x-amz-content-sha256, and S3 never answers with XML 1.0 cannot carry
(object keys with control characters)."""
import datetime
import hashlib
import urllib.parse
import xml.etree.ElementTree as ET

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import pytest
from botocore.exceptions import ClientError

NOT_SIGNED = "There were headers present in the request which were not signed"
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")


def _s3(gh):
    return boto3.session.Session().client(
        "s3", endpoint_url=gh.endpoint, region_name="us-east-1", aws_access_key_id=gh.root_key,
        aws_secret_access_key=gh.root_secret,
        config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def _path(url):
    u = urllib.parse.urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


def _exists(s3, bucket, key):
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, e.response
        return False


def _s3_signed(gh, method, path, body=b"", headers=None):
    """A header-signed S3 request as botocore's S3 signer makes it (with
    x-amz-content-sha256), for the raw requests no SDK call sends."""
    url = gh.endpoint + path
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers or {})
    creds = botocore.credentials.Credentials(gh.root_key, gh.root_secret)
    botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    return gh.http(method, path, body=body, headers=dict(req.headers.items()))


def _well_formed(r):
    ET.fromstring(r.body)  # raises on anything XML 1.0 cannot parse


# ---- unsigned x-amz-* headers ----

def test_presigned_put_cannot_become_a_copy(gh):
    """A presigned PutObject URL signs only host: an unsigned x-amz-copy-source
    must not turn it into a CopyObject of any object the signer can read."""
    s3 = _s3(gh)
    s3.create_bucket(Bucket="vault")
    s3.put_object(Bucket="vault", Key="secret.txt", Body=b"top secret")
    s3.create_bucket(Bucket="drop")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "drop", "Key": "upload.txt"},
                                    ExpiresIn=300)
    r = gh.http("PUT", _path(url), body=b"", headers={"x-amz-copy-source": "vault/secret.txt"})
    assert (r.status, r.code, r.message) == (403, "AccessDenied", NOT_SIGNED), r
    assert r.find("HeadersNotSigned") == "x-amz-copy-source", r
    assert r.find("RequestId") and r.find("HostId"), r
    assert not _exists(s3, "drop", "upload.txt")
    # The URL still does what it was signed for.
    r = gh.http("PUT", _path(url), body=b"uploaded")
    assert r.status == 200, r
    assert s3.get_object(Bucket="drop", Key="upload.txt")["Body"].read() == b"uploaded"


def test_presigned_upload_part_cannot_copy_across_buckets(gh):
    s3 = _s3(gh)
    s3.create_bucket(Bucket="vault")
    s3.put_object(Bucket="vault", Key="secret.txt", Body=b"top secret " * 1000)
    s3.create_bucket(Bucket="drop")
    up = s3.create_multipart_upload(Bucket="drop", Key="big.bin")["UploadId"]
    url = s3.generate_presigned_url(
        "upload_part", Params={"Bucket": "drop", "Key": "big.bin", "UploadId": up, "PartNumber": 1},
        ExpiresIn=300)
    r = gh.http("PUT", _path(url), body=b"",
                headers={"x-amz-copy-source": "/vault/secret.txt", "X-Amz-Copy-Source-Range": "bytes=0-9"})
    assert (r.status, r.code, r.message) == (403, "AccessDenied", NOT_SIGNED), r
    assert r.find("HeadersNotSigned") == "x-amz-copy-source, x-amz-copy-source-range", r
    assert s3.list_parts(Bucket="drop", Key="big.bin", UploadId=up).get("Parts", []) == []
    r = gh.http("PUT", _path(url), body=b"part one")
    assert r.status == 200, r
    parts = s3.list_parts(Bucket="drop", Key="big.bin", UploadId=up)["Parts"]
    assert [p["Size"] for p in parts] == [len(b"part one")]


def test_presigned_put_unsigned_metadata_and_tagging_refused(gh):
    s3 = _s3(gh)
    s3.create_bucket(Bucket="drop")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "drop", "Key": "k"}, ExpiresIn=300)
    r = gh.http("PUT", _path(url), body=b"x",
                headers={"x-amz-meta-owner": "mallory", "x-amz-tagging": "public=yes",
                         "X-Amz-Meta-Owner": "again"})
    assert (r.status, r.code, r.message) == (403, "AccessDenied", NOT_SIGNED), r
    assert r.find("HeadersNotSigned") == "x-amz-meta-owner, x-amz-tagging", r
    assert not _exists(s3, "drop", "k")
    # Presigned with the metadata signed (botocore puts it in SignedHeaders), it works.
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "drop", "Key": "k",
                                                          "Metadata": {"owner": "alice"}}, ExpiresIn=300)
    assert "x-amz-meta-owner" in urllib.parse.unquote(url), url
    r = gh.http("PUT", _path(url), body=b"x", headers={"x-amz-meta-owner": "alice"})
    assert r.status == 200, r
    assert s3.head_object(Bucket="drop", Key="k")["Metadata"] == {"owner": "alice"}


def test_unsigned_content_sha256_is_tolerated(gh):
    """AWS S3 does not require x-amz-content-sha256 be signed, and a presigned
    URL leaves it out: UNSIGNED-PAYLOAD added by a client still works."""
    s3 = _s3(gh)
    s3.create_bucket(Bucket="drop")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "drop", "Key": "k"}, ExpiresIn=300)
    r = gh.http("PUT", _path(url), body=b"body", headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    assert r.status == 200, r
    # Not x-amz-*: SDKs leave x-amzn-trace-id and User-Agent unsigned.
    r = gh.http("PUT", _path(url), body=b"body2", headers={"X-Amzn-Trace-Id": "Root=1-abc", "User-Agent": "t"})
    assert r.status == 200, r
    assert s3.get_object(Bucket="drop", Key="k")["Body"].read() == b"body2"


def test_header_signed_s3_unsigned_amz_header_refused(gh):
    s3 = _s3(gh)
    s3.create_bucket(Bucket="vault")
    s3.put_object(Bucket="vault", Key="secret.txt", Body=b"top secret")
    s3.create_bucket(Bucket="drop")
    url = gh.endpoint + "/drop/copy.txt"
    req = botocore.awsrequest.AWSRequest(method="PUT", url=url, data=b"")
    botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(gh.root_key, gh.root_secret),
                              "s3", "us-east-1").add_auth(req)
    headers = dict(req.headers.items())
    headers["x-amz-copy-source"] = "vault/secret.txt"
    r = gh.http("PUT", "/drop/copy.txt", body=b"", headers=headers)
    assert (r.status, r.code, r.message) == (403, "AccessDenied", NOT_SIGNED), r
    assert r.find("HeadersNotSigned") == "x-amz-copy-source", r
    assert not _exists(s3, "drop", "copy.txt")
    # A session token header left out of SignedHeaders is named too.
    del headers["x-amz-copy-source"]
    headers["X-Amz-Security-Token"] = "token"
    r = gh.http("PUT", "/drop/copy.txt", body=b"", headers=headers)
    assert (r.status, r.code, r.find("HeadersNotSigned")) == (403, "AccessDenied", "x-amz-security-token"), r


def test_query_and_json_unsigned_amz_header_refused(gh):
    """IAM/STS: SignatureDoesNotMatch, the canonicalization error AWS documents
    (IAM User Guide, "Troubleshoot signed requests")."""
    for service, params in (("sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}),
                            ("iam", {"Action": "CreateUser", "Version": "2010-05-08", "UserName": "u1"})):
        path, headers, body = gh.signed(params, service=service, send=False)
        r = gh.http("POST", path, body=body, headers=headers)
        if service == "iam":
            assert r.status == 200, r
            params["UserName"] = "u2"
            path, headers, body = gh.signed(params, service=service, send=False)
        headers["X-Amz-Meta-Evil"] = "1"
        r = gh.http("POST", path, body=body, headers=headers)
        assert (r.status, r.code, r.message) == (403, "SignatureDoesNotMatch", MISMATCH), r
    assert [u["UserName"] for u in gh.client("iam").list_users()["Users"]] == ["u1"]


def test_real_clients_still_pass(gh, tmp_path):
    """boto3 (checksums, trailers, multipart, copy, tagging, metadata, STS/IAM)
    and the aws CLI sign every x-amz-* header they send."""
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="okay")
    s3.put_object(Bucket="okay", Key="a", Body=b"a" * 100, Metadata={"m": "v"}, Tagging="t=1",
                  ChecksumAlgorithm="CRC32")
    s3.copy_object(Bucket="okay", Key="b", CopySource="okay/a", MetadataDirective="REPLACE",
                   Metadata={"n": "w"})
    assert s3.head_object(Bucket="okay", Key="b")["Metadata"] == {"n": "w"}
    src = tmp_path / "big.bin"
    src.write_bytes(b"x" * (9 * 1024 * 1024))
    assert gh.aws("s3", "cp", str(src), "s3://okay/big.bin", check=False).returncode == 0
    assert gh.aws("s3", "cp", "s3://okay/big.bin", str(tmp_path / "back.bin"), check=False).returncode == 0
    assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()
    assert gh.client("sts").get_caller_identity()["Arn"].endswith(":root")
    gh.client("iam").create_user(UserName="fine")


# ---- x-amz-content-sha256 on header-signed S3 requests ----

MISSING_SHA = "Missing required header for this request: x-amz-content-sha256"


def test_header_signed_s3_without_content_sha256_refused(gh):
    """Signed over the empty body (SigV4Auth hashes b"") and sent with another
    body: without x-amz-content-sha256 nothing binds the body to the signature."""
    s3 = _s3(gh)
    s3.create_bucket(Bucket="drop")
    path, headers, _ = gh.signed(b"", service="s3", method="PUT", path="/drop/obj", send=False)
    assert "x-amz-content-sha256" not in {k.lower() for k in headers}
    headers["Content-Length"] = "4"
    r = gh.http("PUT", path, body=b"evil", headers=headers)
    assert (r.status, r.code, r.message) == (400, "InvalidRequest", MISSING_SHA), r
    assert not _exists(s3, "drop", "obj")
    # A GET needs it as well.
    path, headers, _ = gh.signed(b"", service="s3", method="GET", path="/drop", send=False)
    r = gh.http("GET", path, headers=headers)
    assert (r.status, r.code, r.message) == (400, "InvalidRequest", MISSING_SHA), r
    # With the header (the empty body's hash), the body must match it.
    r = _s3_signed(gh, "GET", "/drop")
    assert r.status == 200, r
    path, headers, _ = gh.signed(b"", service="s3", method="PUT", path="/drop/obj", send=False,
                                 extra_headers={"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()})
    headers["Content-Length"] = "4"
    r = gh.http("PUT", path, body=b"evil", headers=headers)
    assert (r.status, r.code) == (400, "XAmzContentSHA256Mismatch"), r
    assert not _exists(s3, "drop", "obj")


def test_presigned_needs_no_content_sha256(gh):
    s3 = _s3(gh)
    s3.create_bucket(Bucket="drop")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "drop", "Key": "p"}, ExpiresIn=300)
    r = gh.http("PUT", _path(url), body=b"presigned")
    assert r.status == 200, r
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "drop", "Key": "p"}, ExpiresIn=300)
    r = gh.http("GET", _path(url))
    assert (r.status, r.body) == (200, b"presigned"), r


# ---- object keys and XML 1.0 ----

def test_control_character_keys_never_make_invalid_xml(gh):
    """AWS S3 accepts keys with C0 controls and lists them with encoding-type=url
    (which the aws CLI and boto3 always send); without it AWS writes "&#x1;",
    which no XML parser reads. gatehouse refuses that listing instead."""
    s3 = _s3(gh)
    s3.create_bucket(Bucket="ctl")
    s3.put_object(Bucket="ctl", Key="plain.txt", Body=b"p")
    s3.put_object(Bucket="ctl", Key="a\x01b", Body=b"c")
    assert s3.get_object(Bucket="ctl", Key="a\x01b")["Body"].read() == b"c"
    # boto3 asks for encoding-type=url and decodes the keys.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="ctl")["Contents"]] == ["a\x01b", "plain.txt"]
    assert [o["Key"] for o in s3.list_objects(Bucket="ctl")["Contents"]] == ["a\x01b", "plain.txt"]
    cp = gh.aws("s3", "ls", "s3://ctl/", check=False)
    assert cp.returncode == 0 and "plain.txt" in cp.stdout, cp
    # Raw, with encoding-type=url: percent-encoded, well-formed.
    r = _s3_signed(gh, "GET", "/ctl?list-type=2&encoding-type=url")
    assert r.status == 200, r
    _well_formed(r)
    assert r.findall("Key") == ["a%01b", "plain.txt"], r
    # Without it: refused with well-formed XML, never "&#x01;".
    for q in ("list-type=2", "", "list-type=2&prefix=a%01"):
        r = _s3_signed(gh, "GET", "/ctl" + ("?" + q if q else ""))
        assert (r.status, r.code) == (400, "InvalidArgument"), r
        assert r.find("ArgumentName") == "encoding-type", r
        _well_formed(r)
        assert b"&#x" not in r.body, r
    # A listing that does not reach the key is fine.
    r = _s3_signed(gh, "GET", "/ctl?list-type=2&prefix=plain")
    assert r.status == 200 and r.findall("Key") == ["plain.txt"], r
    # CreateMultipartUpload echoes the key: still parseable by botocore.
    up = s3.create_multipart_upload(Bucket="ctl", Key="m\x02k")
    assert up["UploadId"]
    s3.abort_multipart_upload(Bucket="ctl", Key="m\x02k", UploadId=up["UploadId"])


def test_nul_in_key_refused(gh):
    s3 = _s3(gh)
    s3.create_bucket(Bucket="nul")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="nul", Key="a\x00b", Body=b"x")
    err = e.value.response["Error"]
    assert (err["Code"], err["Message"]) == ("InvalidArgument", "Object key must not contain a NUL character.")
    assert s3.list_objects_v2(Bucket="nul")["KeyCount"] == 0
    s3.put_object(Bucket="nul", Key="a", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="nul", Key="c", CopySource={"Bucket": "nul", "Key": "a\x00b"})
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    res = s3.delete_objects(Bucket="nul", Delete={"Objects": [{"Key": "a"}]})
    assert [d["Key"] for d in res["Deleted"]] == ["a"]
