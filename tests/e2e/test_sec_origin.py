"""S3 content never runs with the console's rights. Every S3 answer (objects
through GetObject and HeadObject, public and presigned reads, uploads,
listings, errors) carries `X-Content-Type-Options: nosniff` and
`Content-Security-Policy: sandbox`, so an uploaded HTML page gets an opaque
origin and no script."""
import json
import urllib.parse

import botocore.exceptions
import pytest

HTML = b"<!doctype html><script>document.title = 'ran'</script><p>hi</p>"
ISOLATION = {"x-content-type-options": "nosniff", "content-security-policy": "sandbox"}


def assert_isolated(headers, what):
    headers = {k.lower(): v for k, v in headers.items()}
    for k, v in ISOLATION.items():
        assert headers.get(k) == v, f"{what}: {k} is {headers.get(k)!r}"


def public_html(gh, bucket="site"):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    put = s3.put_object(Bucket=bucket, Key="x.html", Body=HTML, ContentType="text/html")
    return s3, put


def test_s3_object_answers_are_sandboxed(gh):
    s3, put = public_html(gh)
    assert_isolated(put["ResponseMetadata"]["HTTPHeaders"], "PutObject")
    got = s3.get_object(Bucket="site", Key="x.html")
    assert got["Body"].read() == HTML
    assert got["ContentType"] == "text/html"
    assert_isolated(got["ResponseMetadata"]["HTTPHeaders"], "GetObject")
    head = s3.head_object(Bucket="site", Key="x.html")
    assert_isolated(head["ResponseMetadata"]["HTTPHeaders"], "HeadObject")
    lst = s3.list_objects_v2(Bucket="site")
    assert [o["Key"] for o in lst["Contents"]] == ["x.html"]
    assert_isolated(lst["ResponseMetadata"]["HTTPHeaders"], "ListObjectsV2")

    # What a browser does: an unsigned GET of the public page.
    r = gh.http("GET", "/site/x.html")
    assert r.status == 200 and r.body == HTML
    assert r.headers["content-type"] == "text/html"
    assert_isolated(r.headers, "anonymous GetObject")
    r = gh.http("HEAD", "/site/x.html")
    assert r.status == 200
    assert_isolated(r.headers, "anonymous HeadObject")

    # A presigned link that asks for text/html.
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": "site", "Key": "x.html", "ResponseContentType": "text/html"})
    u = urllib.parse.urlsplit(url)
    r = gh.http("GET", f"{u.path}?{u.query}")
    assert r.status == 200 and r.body == HTML
    assert r.headers["content-type"] == "text/html"
    assert_isolated(r.headers, "presigned GetObject")


def test_s3_errors_are_sandboxed(gh):
    s3, _ = public_html(gh)
    # Error pages echo the key and bucket: they are user content too.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket="site", Key="<script>alert(1)</script>.html")
    assert e.value.response["Error"]["Code"] == "NoSuchKey"
    assert e.value.response["Error"]["Message"] == "The specified key does not exist."
    assert_isolated(e.value.response["ResponseMetadata"]["HTTPHeaders"], "NoSuchKey")
    # AWS S3: without s3:ListBucket a missing key is AccessDenied, not NoSuchKey.
    r = gh.http("GET", "/site/%3Cscript%3E.html")
    assert r.status == 403 and r.code == "AccessDenied"
    assert_isolated(r.headers, "anonymous missing key")
    r = gh.http("GET", "/nobucket/%3Cb%3Ex%3C%2Fb%3E")
    assert r.status == 404 and r.code == "NoSuchBucket"
    assert_isolated(r.headers, "NoSuchBucket")
    r = gh.http("PUT", "/site/y.html", body=HTML, headers={"Content-Type": "text/html"})
    assert r.status == 403 and r.code == "AccessDenied"
    assert_isolated(r.headers, "anonymous PutObject denied")


def test_s3_isolation_headers_survive_many_metadata_headers(gh):
    """The isolation headers come first, so user metadata cannot crowd them out."""
    s3, _ = public_html(gh)
    meta = {f"m{i}": "v" for i in range(56)}  # as many as SigV4's 64 signed headers allow
    s3.put_object(Bucket="site", Key="meta.html", Body=HTML, ContentType="text/html", Metadata=meta)
    r = gh.http("GET", "/site/meta.html")
    assert r.status == 200 and r.body == HTML
    assert_isolated(r.headers, "GetObject with 56 metadata headers")
