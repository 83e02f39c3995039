"""test_s3.py: the S3-compatible service end to end with /usr/bin/aws s3, s3api and boto3: buckets, objects, listing, conditional reads and writes, the seed scenario with an AmazonS3ReadOnlyAccess role, bucket policies (SecureTransport deny), presigned URLs fetched with curl, aws-chunked signed uploads and a 100 MB multipart round trip."""
import hashlib
import json
import os
import subprocess
import urllib.request

import botocore.exceptions
import pytest

from conftest import cli_error
from s3sign import streaming_put


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_bucket_crud_and_errors(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="alpha-bucket")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="alpha-bucket")
    assert _err(e) == "BucketAlreadyOwnedByYou"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="Bad_Name")
    assert _err(e) == "InvalidBucketName"
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert names == ["alpha-bucket"]
    s3.head_bucket(Bucket="alpha-bucket")
    assert s3.get_bucket_location(Bucket="alpha-bucket")["LocationConstraint"] is None
    s3.put_object(Bucket="alpha-bucket", Key="k", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_bucket(Bucket="alpha-bucket")
    assert _err(e) == "BucketNotEmpty"
    s3.put_bucket_tagging(Bucket="alpha-bucket", Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    assert s3.get_bucket_tagging(Bucket="alpha-bucket")["TagSet"] == [{"Key": "team", "Value": "a"}]
    s3.delete_bucket_tagging(Bucket="alpha-bucket")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_tagging(Bucket="alpha-bucket")
    assert _err(e) == "NoSuchTagSet"
    s3.delete_object(Bucket="alpha-bucket", Key="k")
    s3.delete_bucket(Bucket="alpha-bucket")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket="alpha-bucket", Key="k")
    assert _err(e) == "NoSuchBucket"


def test_objects_listing_and_conditions(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="objs")
    for k in ["a/1", "a/2", "b/1", "c", "d"]:
        s3.put_object(Bucket="objs", Key=k, Body=k.encode(), ContentType="text/plain",
                      Metadata={"owner": "me"}, Tagging="t=v")
    o = s3.get_object(Bucket="objs", Key="a/1")
    assert o["Body"].read() == b"a/1"
    assert o["ETag"] == '"%s"' % hashlib.md5(b"a/1").hexdigest()
    assert o["ContentType"] == "text/plain" and o["Metadata"] == {"owner": "me"}
    assert s3.get_object(Bucket="objs", Key="c", Range="bytes=0-0")["Body"].read() == b"c"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket="objs", Key="c", Range="bytes=5-9")
    assert _err(e) == "InvalidRange"
    r = s3.list_objects_v2(Bucket="objs", Delimiter="/")
    assert [c["Key"] for c in r["Contents"]] == ["c", "d"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "b/"]
    r = s3.list_objects_v2(Bucket="objs", MaxKeys=2)
    assert [c["Key"] for c in r["Contents"]] == ["a/1", "a/2"] and r["IsTruncated"]
    r = s3.list_objects_v2(Bucket="objs", MaxKeys=2, ContinuationToken=r["NextContinuationToken"])
    assert [c["Key"] for c in r["Contents"]] == ["b/1", "c"]
    r = s3.list_objects_v2(Bucket="objs", StartAfter="b/1")
    assert [c["Key"] for c in r["Contents"]] == ["c", "d"]
    assert [c["Key"] for c in s3.list_objects(Bucket="objs", Prefix="a/")["Contents"]] == ["a/1", "a/2"]
    # If-None-Match: a matching ETag reads 304; a conditional write of an existing key fails.
    etag = s3.head_object(Bucket="objs", Key="c")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket="objs", Key="c", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket="objs", Key="c", IfMatch='"nope"')
    assert _err(e) == "PreconditionFailed"
    r = gh.http("PUT", "/objs/c", body=b"new", headers={"If-None-Match": "*"})
    assert r.status in (403, 412)  # unsigned: refused before the condition
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.meta.events.register("before-call.s3.PutObject",
                                lambda params, **kw: params["headers"].__setitem__("If-None-Match", "*"))
        s3.put_object(Bucket="objs", Key="c", Body=b"new")
    assert _err(e) == "PreconditionFailed"
    assert s3.get_object_tagging(Bucket="objs", Key="d")["TagSet"] == [{"Key": "t", "Value": "v"}]
    s3.copy_object(Bucket="objs", Key="d2", CopySource="objs/d")
    assert s3.get_object(Bucket="objs", Key="d2")["Body"].read() == b"d"
    r = s3.delete_objects(Bucket="objs", Delete={"Objects": [{"Key": "a/1"}, {"Key": "a/2"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["a/1", "a/2"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket="objs", Key="a/1")
    assert _err(e) == "NoSuchKey"


def _readonly_role_session(gh):
    iam = gh.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": f"arn:aws:iam::{gh.account_id}:root"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="s3-read-role", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="s3-read-role",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    iam.create_user(UserName="eng")
    iam.put_user_policy(UserName="eng", PolicyName="assume", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                  "Resource": "*"}]}))
    k = iam.create_access_key(UserName="eng")["AccessKey"]
    gh.add_profile("eng", k["AccessKeyId"], k["SecretAccessKey"])
    out = gh.aws("sts", "assume-role", "--role-arn", f"arn:aws:iam::{gh.account_id}:role/s3-read-role",
                 "--role-session-name", "reader", profile="eng")
    c = out["Credentials"]
    gh.add_profile("reader", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    return c


def test_seed_scenario_readonly_role(gh, tmp_path):
    assert gh.aws("s3", "mb", "s3://my-secure-bucket", check=False).returncode == 0
    src = tmp_path / "report.txt"
    src.write_bytes(b"quarterly numbers\n")
    assert gh.aws("s3", "cp", str(src), "s3://my-secure-bucket/reports/report.txt", check=False).returncode == 0
    _readonly_role_session(gh)
    cp = gh.aws("s3", "ls", "s3://my-secure-bucket/reports/", profile="reader", check=False)
    assert cp.returncode == 0 and "report.txt" in cp.stdout, cp.stderr
    dst = tmp_path / "down.txt"
    cp = gh.aws("s3", "cp", "s3://my-secure-bucket/reports/report.txt", str(dst), profile="reader",
                check=False)
    assert cp.returncode == 0, cp.stderr
    assert dst.read_bytes() == b"quarterly numbers\n"
    cp = gh.aws("s3api", "put-object", "--bucket", "my-secure-bucket", "--key", "x", "--body", str(src),
                profile="reader", check=False)
    code, msg = cli_error(cp)
    assert code == "AccessDenied"
    assert "assumed-role/s3-read-role/reader is not authorized to perform: s3:PutObject" in msg


def test_bucket_policy_secure_transport_and_validation(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="tls-only")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*",
                                                      "Resource": "*"}]}))
    assert _err(e) == "MalformedPolicy"
    pol = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps(pol))
    assert json.loads(s3.get_bucket_policy(Bucket="tls-only")["Policy"]) == pol
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket="tls-only", Key="k", Body=b"x")
    assert _err(e) == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_objects_v2(Bucket="tls-only")
    assert _err(e) == "AccessDenied"
    s3.delete_bucket_policy(Bucket="tls-only")  # the owner's root can always recover
    s3.put_object(Bucket="tls-only", Key="k", Body=b"x")


def test_presigned_urls_with_curl(gh):
    import boto3
    import botocore.config
    s3 = boto3.session.Session().client(
        "s3", endpoint_url=gh.endpoint, region_name="us-east-1", aws_access_key_id=gh.root_key,
        aws_secret_access_key=gh.root_secret,
        config=botocore.config.Config(signature_version="s3v4"))
    s3.create_bucket(Bucket="pre")
    s3.put_object(Bucket="pre", Key="doc.txt", Body=b"presigned body")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "pre", "Key": "doc.txt"}, ExpiresIn=300)
    out = subprocess.run(["curl", "-sf", url], capture_output=True, timeout=30)
    assert out.returncode == 0 and out.stdout == b"presigned body"
    put = s3.generate_presigned_url("put_object", Params={"Bucket": "pre", "Key": "up.txt"}, ExpiresIn=300)
    out = subprocess.run(["curl", "-sf", "-X", "PUT", "--data-binary", "uploaded", put],
                         capture_output=True, timeout=30)
    assert out.returncode == 0, out
    assert s3.get_object(Bucket="pre", Key="up.txt")["Body"].read() == b"uploaded"
    cli = gh.aws("s3", "presign", "s3://pre/doc.txt", check=False)
    assert cli.returncode == 0
    out = subprocess.run(["curl", "-sf", cli.stdout.strip()], capture_output=True, timeout=30)
    assert out.stdout == b"presigned body"
    bad = url.replace("Signature=", "Signature=0")
    out = subprocess.run(["curl", "-s", bad], capture_output=True, timeout=30)
    assert b"SignatureDoesNotMatch" in out.stdout


def test_chunked_signed_upload(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="chunky")
    data = os.urandom(200000)
    r = streaming_put(gh, "/chunky/obj", data, 65536)
    assert r.status == 200, r
    assert s3.get_object(Bucket="chunky", Key="obj")["Body"].read() == data
    r = streaming_put(gh, "/chunky/bad", data, 65536, tamper="chunk-signature")
    assert r.status == 403 and r.code == "SignatureDoesNotMatch", r
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket="chunky", Key="bad")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_multipart_100mb_round_trip(gh, tmp_path):
    assert gh.aws("s3", "mb", "s3://big", check=False).returncode == 0
    src = tmp_path / "big.bin"
    with open(src, "wb") as f:
        f.write(os.urandom(100 * 1024 * 1024))
    assert gh.aws("s3", "cp", str(src), "s3://big/big.bin", timeout=600, check=False).returncode == 0
    dst = tmp_path / "big.out"
    assert gh.aws("s3", "cp", "s3://big/big.bin", str(dst), timeout=600, check=False).returncode == 0
    with open(src, "rb") as a, open(dst, "rb") as b:
        assert hashlib.sha256(a.read()).digest() == hashlib.sha256(b.read()).digest()
    head = gh.aws("s3api", "head-object", "--bucket", "big", "--key", "big.bin")
    assert head["ETag"].endswith('-13"') and head["ContentLength"] == 100 * 1024 * 1024
    s3 = gh.client("s3")
    up = s3.create_multipart_upload(Bucket="big", Key="small")["UploadId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        p1 = s3.upload_part(Bucket="big", Key="small", UploadId=up, PartNumber=1, Body=b"a")
        p2 = s3.upload_part(Bucket="big", Key="small", UploadId=up, PartNumber=2, Body=b"b")
        s3.complete_multipart_upload(Bucket="big", Key="small", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": p1["ETag"]}, {"PartNumber": 2, "ETag": p2["ETag"]}]})
    assert _err(e) == "EntityTooSmall"
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket="big")["Uploads"]] == [up]
    assert len(s3.list_parts(Bucket="big", Key="small", UploadId=up)["Parts"]) == 2
    s3.abort_multipart_upload(Bucket="big", Key="small", UploadId=up)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_parts(Bucket="big", Key="small", UploadId=up)
    assert _err(e) == "NoSuchUpload"
