"""test_s3_checksums.py: S3 flexible checksums end to end with real
clients: boto3 and the aws CLI over HTTPS (aws-chunked bodies with
STREAMING-UNSIGNED-PAYLOAD-TRAILER and the checksum in a trailer) and over
HTTP (x-amz-checksum-* headers), hand-built signed trailers, wrong
checksums refused with BadDigest, and aws:SecureTransport over HTTPS."""
import json
import os
import subprocess

import boto3
import botocore.config
import botocore.exceptions
import pytest

from conftest import AWS_CLI
from helpers import expect_error
from s3sign import SIGNED, SIGNED_TRAILER, UNSIGNED_TRAILER, checksum_b64, streaming_put

# What Debian's botocore computes without awscrt (CRC32C needs it); CRC32C
# is covered by the hand-built requests below.
SDK_ALGS = ["CRC32", "SHA256", "SHA1"]


def s3_client(gh, https):
    """A boto3 S3 client with the root key, over https (verified against the
    test certificate) or http; `.sent` collects the headers of each request."""
    c = boto3.session.Session().client(
        "s3", endpoint_url=gh.https_endpoint if https else gh.endpoint, region_name="us-east-1",
        aws_access_key_id=gh.root_key, aws_secret_access_key=gh.root_secret,
        verify=gh.ca_file if https else None,
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                      connect_timeout=5, read_timeout=60))
    sent = []

    def _record(request, **_kw):
        sent.append({k.lower(): v for k, v in request.headers.items()})

    c.meta.events.register("before-send.s3.*", _record)
    c.sent = sent
    return c


def _text(v):
    return v.decode() if isinstance(v, bytes) else v


def assert_trailer_request(headers, alg):
    """The SDK sent the body aws-chunked with the checksum in a trailer."""
    assert _text(headers["x-amz-content-sha256"]) == UNSIGNED_TRAILER, headers
    assert _text(headers["x-amz-trailer"]) == f"x-amz-checksum-{alg.lower()}", headers
    assert "aws-chunked" in _text(headers["content-encoding"]), headers
    assert f"x-amz-checksum-{alg.lower()}" not in headers


def test_https_put_object_trailer_checksums(gh_tls):
    s3 = s3_client(gh_tls, https=True)
    s3.create_bucket(Bucket="sums")
    # Over 1 MiB: botocore's aws-chunked wrapper sends several chunks.
    data = os.urandom(1536 * 1024 + 7)
    for alg in SDK_ALGS:
        key = f"obj-{alg}"
        want = checksum_b64(alg, data)
        r = s3.put_object(Bucket="sums", Key=key, Body=data, ChecksumAlgorithm=alg)
        assert_trailer_request(s3.sent[-1], alg)
        # AWS S3 PutObject: the checksum is echoed in x-amz-checksum-ALG.
        assert r.get(f"Checksum{alg}") == want, r
        got = s3.get_object(Bucket="sums", Key=key)
        assert got["Body"].read() == data
        # AWS S3: with x-amz-checksum-mode: ENABLED, GET and HEAD return the stored checksum
        # (botocore then checks the body against it as it reads).
        got = s3.get_object(Bucket="sums", Key=key, ChecksumMode="ENABLED")
        assert got.get(f"Checksum{alg}") == want, got
        assert got["Body"].read() == data
        head = s3.head_object(Bucket="sums", Key=key, ChecksumMode="ENABLED")
        assert head.get(f"Checksum{alg}") == want, head
        # Without the mode, no checksum header.
        head = s3.head_object(Bucket="sums", Key=key)
        assert f"Checksum{alg}" not in head, head
    # A ranged GET covers part of the object: the whole object's checksum is not returned.
    got = s3.get_object(Bucket="sums", Key="obj-CRC32", Range="bytes=0-99", ChecksumMode="ENABLED")
    assert got["Body"].read() == data[:100]
    assert "ChecksumCRC32" not in got, got


def test_https_multipart_upload_part_checksums(gh_tls):
    s3 = s3_client(gh_tls, https=True)
    s3.create_bucket(Bucket="mpu-sums")
    parts_data = [os.urandom(5 * 1024 * 1024), os.urandom(300 * 1024 + 3)]
    for alg in SDK_ALGS:
        key = f"big-{alg}"
        up = s3.create_multipart_upload(Bucket="mpu-sums", Key=key, ChecksumAlgorithm=alg)
        parts = []
        for n, piece in enumerate(parts_data, 1):
            r = s3.upload_part(Bucket="mpu-sums", Key=key, UploadId=up["UploadId"], PartNumber=n,
                               Body=piece, ChecksumAlgorithm=alg)
            assert_trailer_request(s3.sent[-1], alg)
            assert r.get(f"Checksum{alg}") == checksum_b64(alg, piece), r
            parts.append({"ETag": r["ETag"], "PartNumber": n, f"Checksum{alg}": r[f"Checksum{alg}"]})
        s3.complete_multipart_upload(Bucket="mpu-sums", Key=key, UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": parts})
        assert s3.get_object(Bucket="mpu-sums", Key=key)["Body"].read() == b"".join(parts_data)


def test_http_header_checksums(gh):
    s3 = s3_client(gh, https=False)
    s3.create_bucket(Bucket="hsums")
    data = os.urandom(70000)
    for alg in SDK_ALGS:
        want = checksum_b64(alg, data)
        r = s3.put_object(Bucket="hsums", Key=alg, Body=data, ChecksumAlgorithm=alg)
        sent = s3.sent[-1]
        # Over http botocore sends the checksum as a header and signs the payload.
        assert _text(sent[f"x-amz-checksum-{alg.lower()}"]) == want, sent
        assert "x-amz-trailer" not in sent
        assert r.get(f"Checksum{alg}") == want, r
        assert s3.get_object(Bucket="hsums", Key=alg)["Body"].read() == data
        assert s3.head_object(Bucket="hsums", Key=alg, ChecksumMode="ENABLED").get(f"Checksum{alg}") == want


@pytest.mark.parametrize("alg", SDK_ALGS)
def test_wrong_checksum_is_bad_digest_and_stores_nothing(gh, alg):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="bad")
    s3.put_object(Bucket="bad", Key="kept", Body=b"first version")
    wrong = checksum_b64(alg, b"not the body")
    # AWS S3: BadDigest, "The CRC32 you specified did not match the calculated checksum."
    # (the algorithm upper-case, as in S3's answers quoted in aws/aws-sdk-ruby#3322 and
    # botocore users' logs).
    for key in ("kept", "new"):
        expect_error(lambda: s3.put_object(Bucket="bad", Key=key, Body=b"second version",
                                           ChecksumAlgorithm=alg, **{f"Checksum{alg}": wrong}),
                     "BadDigest", f"The {alg} you specified did not match the calculated checksum.", 400)
    assert s3.get_object(Bucket="bad", Key="kept")["Body"].read() == b"first version"
    expect_error(lambda: s3.head_object(Bucket="bad", Key="new"), "404")


def test_https_wrong_checksum_header_is_bad_digest(gh_tls):
    """A checksum value the caller gives goes in a header even over https."""
    s3 = s3_client(gh_tls, https=True)
    s3.create_bucket(Bucket="bad-tls")
    expect_error(lambda: s3.put_object(Bucket="bad-tls", Key="k", Body=b"body", ChecksumAlgorithm="SHA256",
                                       ChecksumSHA256=checksum_b64("SHA256", b"other")),
                 "BadDigest", "The SHA256 you specified did not match the calculated checksum.", 400)
    expect_error(lambda: s3.head_object(Bucket="bad-tls", Key="k"), "404")


def test_cli_put_object_checksum_over_https(gh_tls, tmp_path):
    gh = gh_tls
    gh.client("s3").create_bucket(Bucket="cli-sums")
    src = tmp_path / "f.bin"
    data = os.urandom(200000)
    src.write_bytes(data)
    base = [AWS_CLI, "--endpoint-url", gh.https_endpoint, "--ca-bundle", gh.ca_file, "--output", "json",
            "s3api"]
    cp = subprocess.run(base + ["put-object", "--bucket", "cli-sums", "--key", "f.bin", "--body", str(src),
                                "--checksum-algorithm", "CRC32", "--debug"],
                        capture_output=True, text=True, env=gh.cli_env(), timeout=120)
    assert cp.returncode == 0, cp.stderr[-3000:]
    # The CLI took the trailer path (its --debug log shows the request headers).
    assert UNSIGNED_TRAILER in cp.stderr and "x-amz-checksum-crc32" in cp.stderr
    assert json.loads(cp.stdout).get("ChecksumCRC32") == checksum_b64("CRC32", data), cp.stdout
    out = tmp_path / "back.bin"
    cp = subprocess.run(base + ["get-object", "--bucket", "cli-sums", "--key", "f.bin", "--checksum-mode",
                                "ENABLED", str(out)],
                        capture_output=True, text=True, env=gh.cli_env(), timeout=120)
    assert cp.returncode == 0, cp.stderr
    assert json.loads(cp.stdout).get("ChecksumCRC32") == checksum_b64("CRC32", data), cp.stdout
    assert out.read_bytes() == data


@pytest.mark.parametrize("alg", ["CRC32", "CRC32C", "SHA1", "SHA256"])
def test_hand_built_signed_trailer_accepted(gh, alg):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="signed-trailer")
    data = os.urandom(150000)
    trailer = (f"x-amz-checksum-{alg.lower()}", checksum_b64(alg, data))
    r = streaming_put(gh, "/signed-trailer/obj", data, 65536, SIGNED_TRAILER, trailer)
    assert r.status == 200, r
    assert r.headers.get(f"x-amz-checksum-{alg.lower()}") == trailer[1], r.headers
    assert s3.get_object(Bucket="signed-trailer", Key="obj")["Body"].read() == data
    # The unsigned variant too (what SDKs send over https).
    r = streaming_put(gh, "/signed-trailer/plain", data, 65536, UNSIGNED_TRAILER, trailer)
    assert r.status == 200, r
    assert s3.get_object(Bucket="signed-trailer", Key="plain")["Body"].read() == data
    head = s3.head_object(Bucket="signed-trailer", Key="plain", ChecksumMode="ENABLED")
    assert head["ResponseMetadata"]["HTTPHeaders"].get(f"x-amz-checksum-{alg.lower()}") == trailer[1]


@pytest.mark.parametrize("mode,tamper,code", [
    (SIGNED_TRAILER, "chunk", "SignatureDoesNotMatch"),
    (SIGNED_TRAILER, "chunk-signature", "SignatureDoesNotMatch"),
    (SIGNED_TRAILER, "trailer-signature", "SignatureDoesNotMatch"),
    (SIGNED_TRAILER, "no-trailer-signature", "SignatureDoesNotMatch"),
    # The checksum changed after signing no longer matches the data: checked first.
    (SIGNED_TRAILER, "trailer-value", "BadDigest"),
    (SIGNED_TRAILER, "no-trailer", "SignatureDoesNotMatch"),
    (UNSIGNED_TRAILER, "trailer-value", "BadDigest"),
    (UNSIGNED_TRAILER, "no-trailer", "InvalidRequest"),
])
def test_hand_built_trailer_refused(gh, mode, tamper, code):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="refused")
    data = os.urandom(100000)
    trailer = ("x-amz-checksum-crc32", checksum_b64("CRC32", data))
    r = streaming_put(gh, "/refused/obj", data, 65536, mode, trailer, tamper=tamper)
    assert r.status in (400, 403) and r.code == code, r
    expect_error(lambda: s3.head_object(Bucket="refused", Key="obj"), "404")


def test_secure_transport_policy_lets_https_through(gh_tls):
    gh = gh_tls
    plain, tls = s3_client(gh, https=False), s3_client(gh, https=True)
    plain.create_bucket(Bucket="tls-only")
    pol = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    plain.put_bucket_policy(Bucket="tls-only", Policy=json.dumps(pol))
    expect_error(lambda: plain.put_object(Bucket="tls-only", Key="k", Body=b"x"), "AccessDenied")
    tls.put_object(Bucket="tls-only", Key="k", Body=b"over tls", ChecksumAlgorithm="CRC32")
    assert tls.get_object(Bucket="tls-only", Key="k")["Body"].read() == b"over tls"
    assert [o["Key"] for o in tls.list_objects_v2(Bucket="tls-only")["Contents"]] == ["k"]
    expect_error(lambda: plain.get_object(Bucket="tls-only", Key="k"), "AccessDenied")
    # The IAM/STS Query API is served over https too.
    sts = boto3.session.Session().client("sts", endpoint_url=gh.https_endpoint, region_name="us-east-1",
                                         aws_access_key_id=gh.root_key, aws_secret_access_key=gh.root_secret,
                                         verify=gh.ca_file)
    assert sts.get_caller_identity()["Account"] == gh.account_id


def test_https_refuses_an_unknown_certificate(gh_tls):
    """The client checks the server's certificate: a default trust store refuses the test one."""
    s3 = boto3.session.Session().client("s3", endpoint_url=gh_tls.https_endpoint, region_name="us-east-1",
                                        aws_access_key_id=gh_tls.root_key,
                                        aws_secret_access_key=gh_tls.root_secret,
                                        config=botocore.config.Config(retries={"total_max_attempts": 1}))
    with pytest.raises(botocore.exceptions.SSLError):
        s3.list_buckets()


def test_aws_chunked_body_checks_a_checksum_header(gh):
    """A checksum sent as a header is checked on an aws-chunked body too."""
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="chunk-hdr")
    data = os.urandom(100000)
    good = {"x-amz-checksum-crc32": checksum_b64("CRC32", data)}
    bad = {"x-amz-checksum-crc32": checksum_b64("CRC32", b"other")}
    r = streaming_put(gh, "/chunk-hdr/bad", data, 65536, SIGNED, extra_headers=bad)
    assert r.status == 400 and r.code == "BadDigest", r
    assert r.message == "The CRC32 you specified did not match the calculated checksum."
    expect_error(lambda: s3.head_object(Bucket="chunk-hdr", Key="bad"), "404")
    r = streaming_put(gh, "/chunk-hdr/good", data, 65536, SIGNED, extra_headers=good)
    assert r.status == 200 and r.headers.get("x-amz-checksum-crc32") == good["x-amz-checksum-crc32"], r
    # The AWS SDK for Java v2 announces a trailer and sends the value as a header instead.
    announced = dict(good, **{"x-amz-trailer": "x-amz-checksum-crc32"})
    r = streaming_put(gh, "/chunk-hdr/java", data, 65536, SIGNED, extra_headers=announced)
    assert r.status == 200, r
    head = s3.head_object(Bucket="chunk-hdr", Key="java", ChecksumMode="ENABLED")
    assert head.get("ChecksumCRC32") == good["x-amz-checksum-crc32"], head


@pytest.mark.parametrize("declared", ["", "x-amz-checksum-crc32"])
def test_trailer_checksum_must_be_the_declared_one(gh, declared):
    """An undeclared trailer checksum would go unchecked: S3 refuses it as MalformedTrailerError."""
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="undeclared")
    data = os.urandom(5000)
    trailer = ("x-amz-checksum-sha1", checksum_b64("SHA1", b"not the data"))
    r = streaming_put(gh, "/undeclared/k", data, 4096, UNSIGNED_TRAILER, trailer,
                      extra_headers={"x-amz-trailer": declared})
    assert r.status == 400 and r.code == "MalformedTrailerError", r
    expect_error(lambda: s3.head_object(Bucket="undeclared", Key="k"), "404")
