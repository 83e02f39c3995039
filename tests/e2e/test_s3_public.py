"""test_s3_public.py: S3 correctness at the edges: anonymous (unsigned) requests decided by public bucket policies alone (curl, boto3 UNSIGNED), the signed payload hash checked from the headers before the body and against the streamed body after, orphaned data files swept at start, and the server's memory staying flat for a 1 GiB object streamed up and down."""
import hashlib
import json
import os
import re
import socket
import subprocess
import time

import boto3
import botocore
import botocore.config
import pytest

from helpers import expect_error

ACCESS_DENIED = "Access Denied"


def _curl(gh, method, path, data=None):
    """An unsigned request through curl: (status, body bytes)."""
    args = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method]
    if data is not None:
        args += ["--data-binary", data]
    args.append(gh.endpoint + path)
    out = subprocess.run(args, capture_output=True, timeout=60)
    assert out.returncode == 0, out
    body, _, status = out.stdout.rpartition(b"\n")
    return int(status), body


def _code(body):
    m = re.search(rb"<Code>([^<]*)</Code>", body)
    return m.group(1).decode() if m else None


def _unsigned(gh):
    return boto3.session.Session().client(
        "s3", endpoint_url=gh.endpoint, region_name="us-east-1",
        config=botocore.config.Config(signature_version=botocore.UNSIGNED,
                                      retries={"total_max_attempts": 1, "mode": "standard"}))


def _policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PUBLIC_READ = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::pub/public/*"}
PUBLIC_LIST = {"Sid": "PublicList", "Effect": "Allow", "Principal": {"AWS": "*"},
               "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::pub"}


def test_anonymous_denied_without_public_policy(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="pub")
    s3.put_object(Bucket="pub", Key="public/a.txt", Body=b"hello")
    for method, path in (("GET", "/pub/public/a.txt"), ("HEAD", "/pub/public/a.txt"),
                         ("GET", "/pub?list-type=2"), ("GET", "/")):
        status, body = _curl(gh, method, path)
        assert status == 403, (method, path, body)
        if method != "HEAD":
            assert _code(body) == "AccessDenied" and b"<Message>Access Denied</Message>" in body, body
    status, body = _curl(gh, "PUT", "/pub/public/new.txt", data="x")
    assert (status, _code(body)) == (403, "AccessDenied"), body
    # An identity-based policy cannot grant anything to an anonymous caller.
    status, _ = _curl(gh, "PUT", "/anon-bucket")
    assert status == 403
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["pub"]


def test_public_read_and_list_policy(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="pub")
    s3.put_object(Bucket="pub", Key="public/a.txt", Body=b"hello")
    s3.put_object(Bucket="pub", Key="private/b.txt", Body=b"secret")
    s3.put_bucket_policy(Bucket="pub", Policy=_policy(PUBLIC_READ, PUBLIC_LIST))

    status, body = _curl(gh, "GET", "/pub/public/a.txt")
    assert (status, body) == (200, b"hello")
    status, body = _curl(gh, "GET", "/pub/private/b.txt")
    assert (status, _code(body)) == (403, "AccessDenied"), body
    status, body = _curl(gh, "GET", "/pub?list-type=2")
    assert status == 200, body
    assert re.findall(rb"<Key>([^<]*)</Key>", body) == [b"private/b.txt", b"public/a.txt"]
    # With s3:ListBucket granted, a missing key reads NoSuchKey (404), as on AWS.
    status, body = _curl(gh, "GET", "/pub/public/missing.txt")
    assert (status, _code(body)) == (404, "NoSuchKey"), body
    # GetObject does not extend to writing, and ListBuckets is never anonymous.
    status, body = _curl(gh, "PUT", "/pub/public/new.txt", data="x")
    assert (status, _code(body)) == (403, "AccessDenied"), body
    status, body = _curl(gh, "DELETE", "/pub/public/a.txt")
    assert (status, _code(body)) == (403, "AccessDenied"), body
    status, body = _curl(gh, "GET", "/")
    assert (status, _code(body)) == (403, "AccessDenied"), body

    anon = _unsigned(gh)
    assert anon.get_object(Bucket="pub", Key="public/a.txt")["Body"].read() == b"hello"
    assert anon.head_object(Bucket="pub", Key="public/a.txt")["ContentLength"] == 5
    keys = [o["Key"] for o in anon.list_objects_v2(Bucket="pub")["Contents"]]
    assert keys == ["private/b.txt", "public/a.txt"]
    expect_error(lambda: anon.put_object(Bucket="pub", Key="public/new.txt", Body=b"x"), "AccessDenied")
    expect_error(lambda: anon.get_object(Bucket="pub", Key="private/b.txt"), "AccessDenied")
    expect_error(lambda: anon.list_buckets(), "AccessDenied")
    expect_error(lambda: anon.get_bucket_policy(Bucket="pub"), "AccessDenied")
    expect_error(lambda: s3.head_object(Bucket="pub", Key="public/new.txt"), "404", status=404)


def test_anonymous_context_keys_and_explicit_deny(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="pub")
    s3.put_object(Bucket="pub", Key="public/a.txt", Body=b"hello")
    s3.put_object(Bucket="pub", Key="typed/c.txt", Body=b"typed")
    anon = _unsigned(gh)
    # Without s3:ListBucket a missing key is AccessDenied: keys cannot be probed.
    s3.put_bucket_policy(Bucket="pub", Policy=_policy(PUBLIC_READ))
    status, body = _curl(gh, "GET", "/pub/public/missing.txt")
    assert (status, _code(body)) == (403, "AccessDenied"), body
    # aws:PrincipalType is "Anonymous"; aws:PrincipalAccount is absent (Null true).
    typed = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::pub/typed/*",
             "Condition": {"StringEquals": {"aws:PrincipalType": "Anonymous", "aws:userid": "anonymous"},
                           "Null": {"aws:PrincipalAccount": "true", "aws:PrincipalArn": "true"}}}
    s3.put_bucket_policy(Bucket="pub", Policy=_policy(PUBLIC_READ, typed))
    assert anon.get_object(Bucket="pub", Key="typed/c.txt")["Body"].read() == b"typed"
    # The root user of the account is not anonymous: that statement does not match it,
    # but it owns the bucket.
    assert s3.get_object(Bucket="pub", Key="typed/c.txt")["Body"].read() == b"typed"

    # An explicit Deny wins over the public Allow: NotIpAddress (we are not in 10/8).
    deny_outside = {"Sid": "OnlyFromTen", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::pub/public/*",
                    "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    s3.put_bucket_policy(Bucket="pub", Policy=_policy(PUBLIC_READ, deny_outside))
    status, body = _curl(gh, "GET", "/pub/public/a.txt")
    assert (status, _code(body)) == (403, "AccessDenied"), body
    expect_error(lambda: anon.get_object(Bucket="pub", Key="public/a.txt"), "AccessDenied")
    # aws:SourceIp is in the anonymous context: a Deny on 127.0.0.0/8 matches it ...
    deny_local = dict(deny_outside, Sid="NotFromLocal",
                      Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})
    s3.put_bucket_policy(Bucket="pub", Policy=_policy(PUBLIC_READ, deny_local))
    status, _ = _curl(gh, "GET", "/pub/public/a.txt")
    assert status == 403
    # ... and one on another network does not.
    deny_other = dict(deny_outside, Sid="NotFromTen", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    s3.put_bucket_policy(Bucket="pub", Policy=_policy(PUBLIC_READ, deny_other))
    status, body = _curl(gh, "GET", "/pub/public/a.txt")
    assert (status, body) == (200, b"hello")


# ---- signed payload hash ----

def _signed_put(gh, path, claimed, secret=None):
    """Headers of a PUT signed with x-amz-content-sha256 = sha256(claimed)."""
    h = hashlib.sha256(claimed).hexdigest()
    p, headers, _ = gh.signed(claimed, service="s3", method="PUT", path=path,
                              access_key=gh.root_key, secret=secret or gh.root_secret,
                              extra_headers={"x-amz-content-sha256": h, "Content-Type": "application/octet-stream"},
                              send=False)
    return p, headers


def _data_files(gh):
    d = os.path.join(gh.data_dir, "s3", "data")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def test_payload_hash_mismatch_stores_nothing(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="hashes")
    before = _data_files(gh)
    claimed = b"A" * 100000
    p, headers = _signed_put(gh, "/hashes/obj", claimed)
    r = gh.http("PUT", p, body=b"B" * 100000, headers=headers)
    assert (r.status, r.code) == (400, "XAmzContentSHA256Mismatch"), r
    expect_error(lambda: s3.head_object(Bucket="hashes", Key="obj"), "404", status=404)
    assert _data_files(gh) == before
    assert os.listdir(os.path.join(gh.data_dir, "s3", "tmp")) == []
    # The right body under the same signature is stored.
    r = gh.http("PUT", p, body=claimed, headers=headers)
    assert r.status == 200, r
    assert s3.get_object(Bucket="hashes", Key="obj")["Body"].read() == claimed
    # A buffered (XML) operation too: the tagging document is checked against its hash.
    doc = b'<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>'
    p, headers, _ = gh.signed(doc, service="s3", method="PUT", path="/hashes", query="tagging",
                              extra_headers={"x-amz-content-sha256": hashlib.sha256(doc).hexdigest()},
                              send=False)
    r = gh.http("PUT", p, body=doc.replace(b"<Value>v", b"<Value>w"), headers=headers)
    assert (r.status, r.code) == (400, "XAmzContentSHA256Mismatch"), r
    expect_error(lambda: s3.get_bucket_tagging(Bucket="hashes"), "NoSuchTagSet")
    r = gh.http("PUT", p, body=doc, headers=headers)
    assert r.status in (200, 204), r
    assert s3.get_bucket_tagging(Bucket="hashes")["TagSet"] == [{"Key": "k", "Value": "v"}]


def _headers_only(gh, path, headers, content_length):
    """Sends only the request head of a PUT announcing `content_length` bytes;
    returns what the server answers without the body (within 10 s)."""
    head = f"PUT {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()
                                                 if k.lower() != "content-length")
    head += f"Content-Length: {content_length}\r\n\r\n"
    s = socket.create_connection(("127.0.0.1", gh.port), timeout=10)
    got = b""
    try:
        s.sendall(head.encode())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and b"</Error>" not in got:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            got += chunk
    finally:
        s.close()
    return got


def test_signature_refused_before_the_body(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="early")
    claimed = b"C" * 1000
    # A wrong secret for a known key: refused from the headers, no body sent at all.
    p, headers = _signed_put(gh, "/early/obj", claimed, secret="x" * 40)
    got = _headers_only(gh, p, headers, 64 * 1024 * 1024)
    assert got.startswith(b"HTTP/1.1 403"), got[:200]
    assert b"<Code>SignatureDoesNotMatch</Code>" in got, got
    # An unknown key too.
    h = hashlib.sha256(claimed).hexdigest()
    p, headers, _ = gh.signed(claimed, service="s3", method="PUT", path="/early/obj",
                              access_key="AKIAZZZZZZZZZZZZZZZZ", secret="y" * 40,
                              extra_headers={"x-amz-content-sha256": h}, send=False)
    got = _headers_only(gh, p, headers, 64 * 1024 * 1024)
    assert got.startswith(b"HTTP/1.1 403") and b"<Code>InvalidAccessKeyId</Code>" in got, got[:400]
    assert os.listdir(os.path.join(gh.data_dir, "s3", "tmp")) == []
    expect_error(lambda: s3.head_object(Bucket="early", Key="obj"), "404", status=404)


# ---- orphaned data files ----

def test_orphaned_data_files_swept_at_start(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="crashy")
    s3.put_object(Bucket="crashy", Key="keep", Body=b"kept bytes")
    up = s3.create_multipart_upload(Bucket="crashy", Key="multi")
    part = s3.upload_part(Bucket="crashy", Key="multi", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"part one")
    live = _data_files(gh)
    assert len(live) == 2
    assert gh.stop() == 0
    data = os.path.join(gh.data_dir, "s3", "data")
    # What a crash between the rename and the commit leaves: a data file no row names.
    stray = os.path.join(data, "0123456789abcdef0123456789abcdef")
    with open(stray, "wb") as f:
        f.write(b"orphan" * 1000)
    an_hour_ago = time.time() - 3600
    os.utime(stray, (an_hour_ago, an_hour_ago))
    # Files not named like data ids are not ours to remove.
    other = os.path.join(data, "not-a-data-id")
    with open(other, "wb") as f:
        f.write(b"x")
    os.utime(other, (an_hour_ago, an_hour_ago))
    gh.start()
    assert not os.path.exists(stray)
    assert os.path.exists(other)
    os.unlink(other)
    assert _data_files(gh) == live
    assert "removed 1 data file" in gh_stderr_so_far(gh)
    s3 = gh.client("s3")  # the restarted server listens on a new port
    assert s3.get_object(Bucket="crashy", Key="keep")["Body"].read() == b"kept bytes"
    s3.complete_multipart_upload(Bucket="crashy", Key="multi", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.get_object(Bucket="crashy", Key="multi")["Body"].read() == b"part one"


def gh_stderr_so_far(gh):
    with open(gh._err_path, "rb") as f:
        return f.read().decode("utf-8", "replace")


# ---- memory ----

def _vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


GIB = 1024 * 1024 * 1024


def test_memory_flat_for_a_1gib_object(gh, tmp_path):
    """A 1 GiB object streamed up (presigned PUT, curl) and down (presigned GET):
    the server's peak RSS grows by less than 64 MiB. A memory bound, not a timing."""
    st = os.statvfs(gh.data_dir)
    if st.f_bavail * st.f_frsize < 3 * GIB:
        pytest.skip("needs 3 GiB of free disk")
    s3 = boto3.session.Session().client(
        "s3", endpoint_url=gh.endpoint, region_name="us-east-1", aws_access_key_id=gh.root_key,
        aws_secret_access_key=gh.root_secret, config=botocore.config.Config(signature_version="s3v4"))
    s3.create_bucket(Bucket="big")
    # Warm the server's code paths with a small object first, so the bound measures the stream.
    s3.put_object(Bucket="big", Key="warm", Body=b"w" * 1024)
    src = tmp_path / "one-gib.bin"
    with open(src, "wb") as f:  # sparse: no disk for the source
        f.truncate(GIB)
    pid = gh.proc.pid
    before = _vm_hwm_kib(pid)
    put = s3.generate_presigned_url("put_object", Params={"Bucket": "big", "Key": "gib"}, ExpiresIn=3600)
    out = subprocess.run(["curl", "-sf", "-T", str(src), put], capture_output=True, timeout=1200)
    assert out.returncode == 0, out
    assert s3.head_object(Bucket="big", Key="gib")["ContentLength"] == GIB
    get = s3.generate_presigned_url("get_object", Params={"Bucket": "big", "Key": "gib"}, ExpiresIn=3600)
    out = subprocess.run(["curl", "-sf", "-o", "/dev/null", "-w", "%{size_download}", get],
                         capture_output=True, timeout=1200)
    assert out.returncode == 0 and out.stdout == str(GIB).encode(), out
    after = _vm_hwm_kib(pid)
    s3.delete_object(Bucket="big", Key="gib")
    src.unlink()
    grown_mib = (after - before) / 1024
    print(f"1 GiB PUT+GET: server peak RSS {before // 1024} MiB -> {after // 1024} MiB (+{grown_mib:.1f} MiB)")
    assert grown_mib < 64, f"server peak RSS grew by {grown_mib:.1f} MiB for a 1 GiB object"


# ---- anonymous uploads stream ----

PUBLIC_DROP = {"Sid": "PublicDrop", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
               "Resource": "arn:aws:s3:::drop/in/*"}


def test_anonymous_upload_streams_and_is_refused_before_the_body(gh, tmp_path):
    """An unsigned PUT is S3's (IAM, STS and Organizations calls target "/"),
    so it streams like a signed one: 5 MB and more with a public policy
    (it was capped at 1 MiB by the front door's buffer), and a refusal is
    decided from the headers, before any of the body is read."""
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="drop")
    s3.put_bucket_policy(Bucket="drop", Policy=_policy(PUBLIC_DROP))
    data = os.urandom(5 * 1024 * 1024 + 17)
    src = tmp_path / "five.bin"
    src.write_bytes(data)
    status, body = _curl(gh, "PUT", "/drop/in/five.bin", data=f"@{src}")
    assert status == 200, body
    got = s3.get_object(Bucket="drop", Key="in/five.bin")
    assert got["Body"].read() == data
    assert got["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'

    # Anonymous multipart upload with boto3 (unsigned), parts of 5 MB.
    anon = _unsigned(gh)
    uid = anon.create_multipart_upload(Bucket="drop", Key="in/multi.bin")["UploadId"]
    parts = [os.urandom(5 * 1024 * 1024), b"last"]
    done = []
    for i, p in enumerate(parts, 1):
        r = anon.upload_part(Bucket="drop", Key="in/multi.bin", UploadId=uid, PartNumber=i, Body=p)
        done.append({"PartNumber": i, "ETag": r["ETag"]})
    anon.complete_multipart_upload(Bucket="drop", Key="in/multi.bin", UploadId=uid,
                                   MultipartUpload={"Parts": done})
    assert s3.get_object(Bucket="drop", Key="in/multi.bin")["Body"].read() == b"".join(parts)

    # Outside the policy's prefix: AccessDenied for a 50 MB body, nothing stored.
    before = _data_files(gh)
    big = tmp_path / "fifty.bin"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    status, body = _curl(gh, "PUT", "/drop/out/fifty.bin", data=f"@{big}")
    assert (status, _code(body)) == (403, "AccessDenied"), body
    # The answer comes from the headers alone: no body byte is sent here.
    got = _headers_only(gh, "/drop/out/head-only.bin", {"Host": f"127.0.0.1:{gh.port}"},
                        64 * 1024 * 1024)
    assert got.startswith(b"HTTP/1.1 403") and b"<Code>AccessDenied</Code>" in got, got[:400]
    # A part for a bucket that does not exist: answered from the headers too.
    got = _headers_only(gh, "/pub-none/k?partNumber=1&uploadId=x", {"Host": "h"}, 64 * 1024 * 1024)
    assert got.startswith(b"HTTP/1.1 404") and b"<Code>NoSuchBucket</Code>" in got, got[:400]
    for key in ("out/fifty.bin", "out/head-only.bin"):
        expect_error(lambda: s3.head_object(Bucket="drop", Key=key), "404", status=404)
    assert _data_files(gh) == before
    assert os.listdir(os.path.join(gh.data_dir, "s3", "tmp")) == []
    # IAM and STS calls are untouched: "/" still goes to the Query API.
    status, body = _curl(gh, "POST", "/?Action=GetCallerIdentity&Version=2011-06-15")
    assert status == 403, (status, body)
    assert re.fullmatch(rb'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender'
                        rb'</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing '
                        rb'Authentication Token</Message></Error><RequestId>[0-9a-f-]{36}</RequestId>'
                        rb'</ErrorResponse>', body), body
