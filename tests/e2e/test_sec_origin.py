"""S3 content never runs with the console's rights. Every S3 answer (objects
through GetObject and HeadObject, public and presigned reads, uploads,
listings, errors) carries `X-Content-Type-Options: nosniff` and
`Content-Security-Policy: sandbox`, so an uploaded HTML page gets an opaque
origin and no script; and `gatehouse serve --console-listen HOST:PORT` puts
the console on its own origin: there it is served with /healthz and the
IAM/STS calls it makes (POST /), never S3; the main listener then answers
404 under /console while S3 and IAM work as before."""
import json
import subprocess
import urllib.parse

import botocore.exceptions
import pytest

from conftest import free_port, gatehouse_bin

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


@pytest.fixture
def split(gh_factory):
    """A server whose console has its own listener."""
    port = free_port()
    g = gh_factory(extra_args=("--console-listen", f"127.0.0.1:{port}"))
    g.console_port = port
    return g


def on_console(g, fn, *args, **kw):
    """Runs g.http / g.signed against the console's listener (Host included)."""
    saved = g.port, g.endpoint
    g.port, g.endpoint = g.console_port, f"http://127.0.0.1:{g.console_port}"
    try:
        return fn(*args, **kw)
    finally:
        g.port, g.endpoint = saved


def console_http(g, method, path, body=b"", headers=None):
    return on_console(g, g.http, method, path, body=body, headers=headers)


def test_console_listen_serves_the_console_only_there(split):
    g = split
    r = console_http(g, "GET", "/healthz")
    assert r.status == 200 and r.body == b"ok\n"
    r = console_http(g, "GET", "/console/")
    assert r.status == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert b"<!doctype html>" in r.body.lower()
    # Sign-in goes to the console's listener (wrong password: the generic answer).
    form = urllib.parse.urlencode({"account": g.account_id_arg, "username": "", "password": "nope"})
    hdrs = {"Content-Type": "application/x-www-form-urlencoded", "X-Gatehouse-Console": "1"}
    r = console_http(g, "POST", "/console/signin", body=form, headers=hdrs)
    assert r.status == 401
    assert json.loads(r.body)["error"] == {
        "code": "SignInFailed",
        "message": "Your authentication information is incorrect. Please try again."}

    # The main listener has no console any more.
    for method, path, body in (("GET", "/console/", b""), ("GET", "/console", b""),
                               ("GET", "/console/index.html", b""), ("POST", "/console/signin", form)):
        r = g.http(method, path, body=body, headers=hdrs if method == "POST" else None)
        assert r.status == 404, (method, path, r)
        assert json.loads(r.body)["error"] == {
            "code": "NotFound", "message": "The console is not served on this address."}
        assert_isolated(r.headers, f"main {path}")
    assert g.http("GET", "/healthz").status == 200


def test_console_listen_leaves_s3_and_iam_alone(split):
    g = split
    s3, _ = public_html(g)
    assert s3.get_object(Bucket="site", Key="x.html")["Body"].read() == HTML
    iam = g.client("iam")
    iam.create_user(UserName="alice")
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice"]
    assert g.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{g.account_id_arg}:root"

    # The console's listener answers the console's IAM and STS calls (same origin) ...
    r = on_console(g, g.query, "ListUsers")
    assert r.status == 200, r
    assert r.findall("UserName") == ["alice"]
    assert_isolated(r.headers, "console listener ListUsers")
    r = on_console(g, g.query, "GetCallerIdentity", service="sts")
    assert r.status == 200 and r.find("Arn") == f"arn:aws:iam::{g.account_id_arg}:root"

    # ... and never S3: no object, no listing, not even signed.
    r = console_http(g, "GET", "/site/x.html")
    assert r.status == 404
    assert json.loads(r.body)["error"]["code"] == "NotFound"
    r = on_console(g, g.signed, b"", service="s3", method="GET", path="/site/x.html")
    assert r.status == 404 and r.body != HTML
    r = on_console(g, g.signed, b"", service="s3", method="POST", path="/")
    assert r.status == 400 and r.code == "InvalidAction", r
    assert r.body.find(b"x.html") < 0


def test_console_listen_must_be_its_own_address(tmp_path):
    port = free_port()
    cp = subprocess.run([gatehouse_bin(), "serve", "--listen", f"127.0.0.1:{port}", "--data-dir",
                         str(tmp_path / "d"), "--console-listen", f"127.0.0.1:{port}"],
                        capture_output=True, text=True, timeout=30)
    assert cp.returncode == 2
    assert "--console-listen must differ from --listen" in cp.stderr
