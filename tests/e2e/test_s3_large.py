"""test_s3_large.py: uploads big enough (over 8 MiB) for the S3 sink to hand the MD5 to its helper thread: signed and presigned PutObject, CopyObject, the ETag against hashlib, the bytes read back, and an upload cut off half-way (nothing stored, no temporary file left, the server still serving)."""
import hashlib
import http.client
import os
import re
import socket
import time
import urllib.parse

import boto3
import botocore.config
import botocore.exceptions
import pytest

MIB = 1024 * 1024


def _v4(gh):
    """A client whose presigned URLs are SigV4 (the streamed upload path)."""
    return boto3.client("s3", endpoint_url=gh.endpoint, region_name="us-east-1",
                        aws_access_key_id=gh.root_key, aws_secret_access_key=gh.root_secret,
                        config=botocore.config.Config(signature_version="s3v4"))


def _etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def test_large_put_copy_get(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="big")
    # Not a multiple of the helper's 1 MiB buffers, so the last one is partial.
    body = os.urandom(20 * MIB + 12345)
    put = s3.put_object(Bucket="big", Key="signed.bin", Body=body)  # signed payload hash
    assert put["ETag"] == _etag(body)
    got = s3.get_object(Bucket="big", Key="signed.bin")
    assert got["ETag"] == _etag(body) and got["Body"].read() == body
    part = s3.get_object(Bucket="big", Key="signed.bin", Range="bytes=%d-%d" % (9 * MIB, 9 * MIB + 99))
    assert part["Body"].read() == body[9 * MIB:9 * MIB + 100]

    copy = s3.copy_object(Bucket="big", Key="copy.bin", CopySource={"Bucket": "big", "Key": "signed.bin"})
    assert copy["CopyObjectResult"]["ETag"] == _etag(body)
    assert s3.get_object(Bucket="big", Key="copy.bin")["Body"].read() == body

    # Presigned: UNSIGNED-PAYLOAD, the MD5 alone.
    other = os.urandom(12 * MIB)
    url = _v4(gh).generate_presigned_url("put_object", Params={"Bucket": "big", "Key": "presigned.bin"},
                                         ExpiresIn=300)
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request("PUT", "%s?%s" % (u.path, u.query), body=other)
        r = conn.getresponse()
        data = r.read()
        assert r.status == 200 and r.getheader("ETag") == _etag(other), (r.status, data[:500])
    finally:
        conn.close()
    got = s3.get_object(Bucket="big", Key="presigned.bin")
    assert got["ETag"] == _etag(other) and got["Body"].read() == other
    gh.check_logs()


def test_large_put_cut_off_stores_nothing(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="cut")
    url = _v4(gh).generate_presigned_url("put_object", Params={"Bucket": "cut", "Key": "half.bin"},
                                         ExpiresIn=300)
    u = urllib.parse.urlsplit(url)
    head = ("PUT %s?%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n"
            % (u.path, u.query, u.netloc, 32 * MIB)).encode()
    s = socket.create_connection(("127.0.0.1", gh.port), timeout=30)
    try:
        s.sendall(head)
        chunk = os.urandom(MIB)
        for _ in range(16):  # half of what was announced, past the helper's start
            s.sendall(chunk)
        time.sleep(0.5)
    finally:
        s.close()
    tmp = os.path.join(gh.data_dir, "s3", "tmp")
    deadline = time.monotonic() + 20
    while os.listdir(tmp) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert os.listdir(tmp) == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket="cut", Key="half.bin")
    assert e.value.response["Error"]["Code"] in ("404", "NoSuchKey")
    s3.put_object(Bucket="cut", Key="after.bin", Body=b"still serving")
    assert s3.get_object(Bucket="cut", Key="after.bin")["Body"].read() == b"still serving"
    gh.check_logs()
