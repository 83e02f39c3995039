"""test_s3_multipart_checksums.py: S3 flexible checksums on multipart
uploads with boto3 over HTTPS (checksums in aws-chunked trailers) and HTTP
(x-amz-checksum-* headers): CreateMultipartUpload's algorithm, each part's
checksum verified and kept, ListParts showing them, CompleteMultipartUpload
checking the parts' values and answering the checksum of checksums
("base64-N", computed here independently), HEAD/GET with checksum mode,
and the refusals AWS gives (a part without the checksum, a wrong one in
Complete); x-amz-checksum-type FULL_OBJECT for the CRCs. An upload
without an algorithm and `aws s3 cp` are unchanged."""
import base64
import hashlib
import json
import os
import zlib

import boto3
import botocore.config
import pytest

from helpers import expect_error
from s3sign import checksum_b64

MIB = 1024 * 1024


def s3_client(gh, https):
    return boto3.session.Session().client(
        "s3", endpoint_url=gh.https_endpoint if https else gh.endpoint, region_name="us-east-1",
        aws_access_key_id=gh.root_key, aws_secret_access_key=gh.root_secret,
        verify=gh.ca_file if https else None,
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                      connect_timeout=5, read_timeout=120))


def composite(alg, parts):
    """AWS S3's checksum of checksums: the algorithm over the parts' binary
    checksums, base64, "-N" (computed with hashlib / zlib, not the server)."""
    raw = b"".join(base64.b64decode(checksum_b64(alg, p)) for p in parts)
    if alg == "CRC32":
        digest = zlib.crc32(raw).to_bytes(4, "big")
    elif alg == "SHA1":
        digest = hashlib.sha1(raw).digest()
    else:
        digest = hashlib.sha256(raw).digest()
    return f"{base64.b64encode(digest).decode()}-{len(parts)}"


def upload_parts(s3, bucket, key, alg, parts):
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=alg)
    # AWS S3 CreateMultipartUpload: the algorithm is echoed in x-amz-checksum-algorithm.
    assert up.get("ChecksumAlgorithm") == alg, up
    uid = up["UploadId"]
    done = []
    for i, data in enumerate(parts, 1):
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=i, Body=data,
                           ChecksumAlgorithm=alg)
        assert r.get(f"Checksum{alg}") == checksum_b64(alg, data), r
        done.append({"PartNumber": i, "ETag": r["ETag"], f"Checksum{alg}": r[f"Checksum{alg}"]})
    return uid, done


@pytest.mark.parametrize("https", [True, False], ids=["https", "http"])
@pytest.mark.parametrize("alg", ["SHA256", "CRC32", "SHA1"])
def test_multipart_composite_checksum(gh_tls, https, alg):
    s3 = s3_client(gh_tls, https)
    s3.create_bucket(Bucket="mpck")
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB + 3), os.urandom(1234)]
    key = f"big-{alg}"
    uid, done = upload_parts(s3, "mpck", key, alg, parts)

    listed = s3.list_parts(Bucket="mpck", Key=key, UploadId=uid)
    assert listed.get("ChecksumAlgorithm") == alg, listed
    assert [p.get(f"Checksum{alg}") for p in listed["Parts"]] == \
        [checksum_b64(alg, p) for p in parts], listed
    ups = s3.list_multipart_uploads(Bucket="mpck")["Uploads"]
    assert [u.get("ChecksumAlgorithm") for u in ups if u["UploadId"] == uid] == [alg], ups

    want = composite(alg, parts)
    r = s3.complete_multipart_upload(Bucket="mpck", Key=key, UploadId=uid,
                                     MultipartUpload={"Parts": done})
    assert r.get(f"Checksum{alg}") == want, r
    assert r["ETag"].endswith('-3"'), r
    head = s3.head_object(Bucket="mpck", Key=key, ChecksumMode="ENABLED")
    assert head.get(f"Checksum{alg}") == want, head
    assert head["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "COMPOSITE"
    assert head["ContentLength"] == sum(len(p) for p in parts)
    assert f"Checksum{alg}" not in s3.head_object(Bucket="mpck", Key=key)
    got = s3.get_object(Bucket="mpck", Key=key, ChecksumMode="ENABLED")
    assert got.get(f"Checksum{alg}") == want, got
    assert got["Body"].read() == b"".join(parts)


@pytest.mark.parametrize("https", [True, False], ids=["https", "http"])
def test_multipart_checksum_refusals(gh_tls, https):
    s3 = s3_client(gh_tls, https)
    s3.create_bucket(Bucket="mpck-bad")
    parts = [os.urandom(5 * MIB), os.urandom(100)]
    uid, done = upload_parts(s3, "mpck-bad", "k", "SHA256", parts)

    # A part without the upload's checksum (AWS S3: InvalidRequest).
    expect_error(lambda: s3.upload_part(Bucket="mpck-bad", Key="k", UploadId=uid, PartNumber=3,
                                        Body=b"no checksum"),
                 "InvalidRequest", status=400,
                 message="Checksum Type mismatch occurred, expected checksum Type: sha256, "
                         "actual checksum Type: null")
    # ... or with another algorithm's.
    expect_error(lambda: s3.upload_part(Bucket="mpck-bad", Key="k", UploadId=uid, PartNumber=3,
                                        Body=b"crc32 instead", ChecksumAlgorithm="CRC32"),
                 "InvalidRequest", status=400,
                 message="Checksum Type mismatch occurred, expected checksum Type: sha256, "
                         "actual checksum Type: crc32")
    assert [p["PartNumber"] for p in s3.list_parts(Bucket="mpck-bad", Key="k",
                                                    UploadId=uid)["Parts"]] == [1, 2]

    # A wrong part checksum in Complete: InvalidPart, nothing stored.
    bad = [dict(done[0]), dict(done[1])]
    bad[1]["ChecksumSHA256"] = checksum_b64("SHA256", b"something else")
    expect_error(lambda: s3.complete_multipart_upload(Bucket="mpck-bad", Key="k", UploadId=uid,
                                                      MultipartUpload={"Parts": bad}),
                 "InvalidPart", status=400)
    # A checksum of another algorithm than the part's: InvalidPart too.
    other = [dict(done[0]), {"PartNumber": 2, "ETag": done[1]["ETag"],
                             "ChecksumSHA256": done[1]["ChecksumSHA256"],
                             "ChecksumCRC32": checksum_b64("CRC32", parts[1])}]
    expect_error(lambda: s3.complete_multipart_upload(Bucket="mpck-bad", Key="k", UploadId=uid,
                                                      MultipartUpload={"Parts": other}),
                 "InvalidPart", status=400)
    # The part's checksum left out: AWS S3's InvalidRequest names the part.
    missing = [dict(done[0]), {"PartNumber": 2, "ETag": done[1]["ETag"]}]
    expect_error(lambda: s3.complete_multipart_upload(Bucket="mpck-bad", Key="k", UploadId=uid,
                                                      MultipartUpload={"Parts": missing}),
                 "InvalidRequest", status=400,
                 message="The upload was created using a sha256 checksum. The complete request "
                         "must include the checksum for each part. It was missing for part 2 in "
                         "the request.")
    expect_error(lambda: s3.head_object(Bucket="mpck-bad", Key="k"), "404")
    # The upload is still there and completes with the right values.
    r = s3.complete_multipart_upload(Bucket="mpck-bad", Key="k", UploadId=uid,
                                     MultipartUpload={"Parts": done})
    assert r["ChecksumSHA256"] == composite("SHA256", parts)

    # CreateMultipartUpload with an algorithm S3 does not know here.
    expect_error(lambda: s3.create_multipart_upload(Bucket="mpck-bad", Key="x",
                                                    ChecksumAlgorithm="MD5"),
                 "InvalidRequest", status=400,
                 message_contains="Checksum algorithm provided is unsupported")


def _add_headers(s3, operation, headers):
    """Adds request headers botocore 1.29 has no parameter for (before signing)."""
    def _add(request, **_kw):
        for k, v in headers.items():
            request.headers[k] = v
    s3.meta.events.register(f"before-sign.s3.{operation}", _add)
    return _add


@pytest.mark.parametrize("https", [True, False], ids=["https", "http"])
@pytest.mark.parametrize("alg", ["CRC32", "SHA256"])
def test_checksum_type_header(gh_tls, https, alg):
    """x-amz-checksum-type: COMPOSITE is the default; FULL_OBJECT (CRCs only)
    gives the object the CRC of its whole body instead of the checksum of
    checksums, and parts need no checksum."""
    s3 = s3_client(gh_tls, https)
    s3.create_bucket(Bucket="mpck-type")
    parts = [os.urandom(5 * MIB + 1), b"the end"]
    whole = b"".join(parts)

    hook = _add_headers(s3, "CreateMultipartUpload", {"x-amz-checksum-type": "FULL_OBJECT"})
    if alg == "SHA256":
        expect_error(lambda: s3.create_multipart_upload(Bucket="mpck-type", Key="k",
                                                        ChecksumAlgorithm=alg),
                     "InvalidRequest", status=400,
                     message="The FULL_OBJECT checksum type cannot be used with the sha256 "
                             "checksum algorithm.")
        s3.meta.events.unregister("before-sign.s3.CreateMultipartUpload", hook)
        up = s3.create_multipart_upload(Bucket="mpck-type", Key="k", ChecksumAlgorithm=alg)
        assert up["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "COMPOSITE"
        return
    up = s3.create_multipart_upload(Bucket="mpck-type", Key="k", ChecksumAlgorithm=alg)
    s3.meta.events.unregister("before-sign.s3.CreateMultipartUpload", hook)
    assert up["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "FULL_OBJECT", up
    uid = up["UploadId"]
    r1 = s3.upload_part(Bucket="mpck-type", Key="k", UploadId=uid, PartNumber=1, Body=parts[0],
                        ChecksumAlgorithm=alg)
    # FULL_OBJECT: a part without a checksum is accepted.
    r2 = s3.upload_part(Bucket="mpck-type", Key="k", UploadId=uid, PartNumber=2, Body=parts[1])
    listed = s3.list_parts(Bucket="mpck-type", Key="k", UploadId=uid)
    assert [p.get("ChecksumCRC32") for p in listed["Parts"]] == [checksum_b64(alg, parts[0]), None]
    done = [{"PartNumber": 1, "ETag": r1["ETag"], "ChecksumCRC32": r1["ChecksumCRC32"]},
            {"PartNumber": 2, "ETag": r2["ETag"]}]
    want = checksum_b64(alg, whole)
    # A full-object checksum sent with Complete must be the object's.
    hook = _add_headers(s3, "CompleteMultipartUpload",
                        {"x-amz-checksum-crc32": checksum_b64(alg, b"not the object")})
    expect_error(lambda: s3.complete_multipart_upload(Bucket="mpck-type", Key="k", UploadId=uid,
                                                      MultipartUpload={"Parts": done}),
                 "BadDigest", status=400)
    s3.meta.events.unregister("before-sign.s3.CompleteMultipartUpload", hook)
    expect_error(lambda: s3.head_object(Bucket="mpck-type", Key="k"), "404")
    _add_headers(s3, "CompleteMultipartUpload", {"x-amz-checksum-crc32": want})
    r = s3.complete_multipart_upload(Bucket="mpck-type", Key="k", UploadId=uid,
                                     MultipartUpload={"Parts": done})
    assert r.get("ChecksumCRC32") == want, r
    head = s3.head_object(Bucket="mpck-type", Key="k", ChecksumMode="ENABLED")
    assert head.get("ChecksumCRC32") == want, head
    assert head["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "FULL_OBJECT"
    # botocore checks the body against a full-object CRC as it reads.
    got = s3.get_object(Bucket="mpck-type", Key="k", ChecksumMode="ENABLED")
    assert got.get("ChecksumCRC32") == want
    assert got["Body"].read() == whole


def test_single_part_object_checksum_type(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="mpck-one")
    s3.put_object(Bucket="mpck-one", Key="k", Body=b"one part", ChecksumAlgorithm="SHA256")
    head = s3.head_object(Bucket="mpck-one", Key="k", ChecksumMode="ENABLED")
    assert head.get("ChecksumSHA256") == checksum_b64("SHA256", b"one part"), head
    assert head["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "FULL_OBJECT"
    head = s3.head_object(Bucket="mpck-one", Key="k")
    assert "x-amz-checksum-type" not in head["ResponseMetadata"]["HTTPHeaders"], head


def test_upload_part_copy_gets_the_upload_checksum(gh_tls):
    s3 = s3_client(gh_tls, https=False)
    s3.create_bucket(Bucket="mpck-copy")
    src = os.urandom(5 * MIB + 11)
    s3.put_object(Bucket="mpck-copy", Key="src", Body=src)
    up = s3.create_multipart_upload(Bucket="mpck-copy", Key="dst", ChecksumAlgorithm="CRC32")
    uid = up["UploadId"]
    r = s3.upload_part_copy(Bucket="mpck-copy", Key="dst", UploadId=uid, PartNumber=1,
                            CopySource={"Bucket": "mpck-copy", "Key": "src"})
    # AWS S3 UploadPartCopy: the part's checksum with the upload's algorithm.
    assert r["CopyPartResult"].get("ChecksumCRC32") == checksum_b64("CRC32", src), r
    tail = b"tail"
    r2 = s3.upload_part(Bucket="mpck-copy", Key="dst", UploadId=uid, PartNumber=2, Body=tail,
                        ChecksumAlgorithm="CRC32")
    done = [{"PartNumber": 1, "ETag": r["CopyPartResult"]["ETag"],
             "ChecksumCRC32": r["CopyPartResult"]["ChecksumCRC32"]},
            {"PartNumber": 2, "ETag": r2["ETag"], "ChecksumCRC32": r2["ChecksumCRC32"]}]
    out = s3.complete_multipart_upload(Bucket="mpck-copy", Key="dst", UploadId=uid,
                                       MultipartUpload={"Parts": done})
    assert out["ChecksumCRC32"] == composite("CRC32", [src, tail])
    assert s3.get_object(Bucket="mpck-copy", Key="dst")["Body"].read() == src + tail


@pytest.mark.parametrize("https", [True, False], ids=["https", "http"])
def test_multipart_without_algorithm_unchanged(gh_tls, https):
    s3 = s3_client(gh_tls, https)
    s3.create_bucket(Bucket="mpck-plain")
    up = s3.create_multipart_upload(Bucket="mpck-plain", Key="k")
    assert "ChecksumAlgorithm" not in up, up
    parts = [os.urandom(5 * MIB), b"end"]
    done = []
    for i, data in enumerate(parts, 1):
        r = s3.upload_part(Bucket="mpck-plain", Key="k", UploadId=up["UploadId"], PartNumber=i,
                           Body=data)
        done.append({"PartNumber": i, "ETag": r["ETag"]})
    listed = s3.list_parts(Bucket="mpck-plain", Key="k", UploadId=up["UploadId"])
    assert "ChecksumAlgorithm" not in listed
    assert all(not any(k.startswith("Checksum") for k in p) for p in listed["Parts"]), listed
    r = s3.complete_multipart_upload(Bucket="mpck-plain", Key="k", UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": done})
    assert not any(k.startswith("Checksum") for k in r), r
    md5s = b"".join(hashlib.md5(p).digest() for p in parts)
    assert r["ETag"] == f'"{hashlib.md5(md5s).hexdigest()}-2"'
    head = s3.head_object(Bucket="mpck-plain", Key="k", ChecksumMode="ENABLED")
    assert not any(k.startswith("Checksum") for k in head), head
    assert s3.get_object(Bucket="mpck-plain", Key="k")["Body"].read() == b"".join(parts)


def test_aws_cli_cp_multipart_round_trip(gh, tmp_path):
    gh.aws("s3api", "create-bucket", "--bucket", "mpck-cli")
    src = tmp_path / "big.bin"
    data = os.urandom(20 * MIB + 5)
    src.write_bytes(data)
    cp = gh.aws("s3", "cp", str(src), "s3://mpck-cli/big.bin", timeout=300, check=False)
    assert cp.returncode == 0, cp.stderr
    head = gh.aws("s3api", "head-object", "--bucket", "mpck-cli", "--key", "big.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"'), head  # 8 MiB chunks: a multipart upload
    out = tmp_path / "back.bin"
    cp = gh.aws("s3", "cp", "s3://mpck-cli/big.bin", str(out), timeout=300, check=False)
    assert cp.returncode == 0, cp.stderr
    assert out.read_bytes() == data


def test_aws_cli_s3api_multipart_with_checksums(gh, tmp_path):
    """The README's flow with `aws s3api` (its --checksum-algorithm options)."""
    gh.aws("s3api", "create-bucket", "--bucket", "mpck-s3api")
    up = gh.aws("s3api", "create-multipart-upload", "--bucket", "mpck-s3api", "--key", "k",
                "--checksum-algorithm", "CRC32")
    assert up.get("ChecksumAlgorithm") == "CRC32", up
    parts = [os.urandom(5 * MIB), b"cli tail"]
    done = []
    for i, data in enumerate(parts, 1):
        f = tmp_path / f"part{i}"
        f.write_bytes(data)
        r = gh.aws("s3api", "upload-part", "--bucket", "mpck-s3api", "--key", "k", "--upload-id",
                   up["UploadId"], "--part-number", str(i), "--body", str(f),
                   "--checksum-algorithm", "CRC32")
        assert r.get("ChecksumCRC32") == checksum_b64("CRC32", data), r
        done.append({"PartNumber": i, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
    doc = tmp_path / "parts.json"
    doc.write_text(json.dumps({"Parts": done}))
    r = gh.aws("s3api", "complete-multipart-upload", "--bucket", "mpck-s3api", "--key", "k",
               "--upload-id", up["UploadId"], "--multipart-upload", f"file://{doc}")
    want = composite("CRC32", parts)
    assert r.get("ChecksumCRC32") == want, r
    head = gh.aws("s3api", "head-object", "--bucket", "mpck-s3api", "--key", "k",
                  "--checksum-mode", "ENABLED")
    assert head.get("ChecksumCRC32") == want, head
