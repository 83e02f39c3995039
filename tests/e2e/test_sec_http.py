"""test_sec_http.py: connection exhaustion: idle connections from one address
must not take the server from everyone else, a partial request is cut
after a few seconds while a slow upload is not, and a URL with very many
query parameters gets a prompt answer instead of hanging its connection."""
import errno
import resource
import selectors
import socket
import subprocess
import time
import urllib.parse

import boto3
import botocore.config
import pytest
from conftest import gatehouse_bin

IDLE_SOCKETS = 2000
PARTIAL = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
# Generous bounds: a server that works answers in milliseconds; one that
# does not hangs far longer (libmicrohttpd held such connections 60 s).
ANSWER_BOUND_S = 15


def _raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"the hard open-file limit ({hard}) is below the {need} this test needs")
    if soft == resource.RLIM_INFINITY or soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    return soft, hard


def _read_answer(s, bound_s):
    """Reads until the server closes or a full answer is in; returns the bytes."""
    got = b""
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not chunk:
            break
        got += chunk
        head, sep, body = got.partition(b"\r\n\r\n")
        if sep:
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    if len(body) >= int(line.split(b":", 1)[1]):
                        return got
    return got


def _request_from(src, port, request, bound_s=ANSWER_BOUND_S):
    """Sends `request` from source address `src` to 127.0.0.1:port; returns the answer."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((src, 0))
        s.settimeout(bound_s)
        s.connect(("127.0.0.1", port))
        s.sendall(request)
        return _read_answer(s, bound_s)
    finally:
        s.close()


def _status(answer):
    if not answer.startswith(b"HTTP/1."):
        return None
    return int(answer.split(b" ", 2)[1])


def _open_idle(port, n):
    """Opens up to n connections from 127.0.0.1, each sending the start of a
    request and then nothing. Non-blocking, so a server that stops accepting
    cannot stall the loop; returns the sockets (all to be closed)."""
    socks = []
    sel = selectors.DefaultSelector()
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.setblocking(False)
            rc = s.connect_ex(("127.0.0.1", port))
            if rc in (0, errno.EINPROGRESS):
                sel.register(s, selectors.EVENT_WRITE)
        deadline = time.monotonic() + 10
        pending = len(sel.get_map())
        while pending and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.5):
                s = key.fileobj
                sel.unregister(s)
                pending -= 1
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    try:
                        s.send(PARTIAL)
                    except OSError:
                        pass  # the server refused this one: as it should past the limit
    finally:
        sel.close()
    return socks


def test_idle_connections_from_one_address_leave_room_for_others(gh):
    _raise_nofile(IDLE_SOCKETS + 256)
    socks = []
    try:
        socks = _open_idle(gh.port, IDLE_SOCKETS)
        time.sleep(0.5)  # let the server take (and refuse) what it will
        answer = _request_from("127.0.0.2", gh.port,
                               b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert _status(answer) == 200, f"/healthz from 127.0.0.2 got {answer[:200]!r}"
        assert answer.endswith(b"ok\n")
    finally:
        for s in socks:
            s.close()
    # And the flooding address itself is served again once it lets go.
    assert gh.http("GET", "/healthz", timeout=ANSWER_BOUND_S).status == 200


def test_partial_request_is_cut_within_seconds(gh):
    s = socket.create_connection(("127.0.0.1", gh.port), timeout=ANSWER_BOUND_S)
    try:
        s.sendall(PARTIAL)
        start = time.monotonic()
        got = _read_answer(s, 50)
        waited = time.monotonic() - start
    finally:
        s.close()
    # Closed (nothing answered) well before libmicrohttpd's old 60 s, with room to spare.
    assert got == b"" and waited < 30, f"a partial request was held {waited:.1f}s ({got[:100]!r})"


def test_slow_upload_survives_pauses_longer_than_the_header_timeout(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="slow")
    # A SigV4 presigned URL: the streamed upload path.
    v4 = boto3.client("s3", endpoint_url=gh.endpoint, region_name="us-east-1",
                      aws_access_key_id=gh.root_key, aws_secret_access_key=gh.root_secret,
                      config=botocore.config.Config(signature_version="s3v4"))
    url = v4.generate_presigned_url("put_object", Params={"Bucket": "slow", "Key": "k"}, ExpiresIn=300)
    u = urllib.parse.urlsplit(url)
    body = b"x" * 4096
    head = (f"PUT {u.path}?{u.query} HTTP/1.1\r\nHost: {u.netloc}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    s = socket.create_connection(("127.0.0.1", gh.port), timeout=ANSWER_BOUND_S)
    try:
        s.sendall(head + body[:1000])
        time.sleep(7)  # longer than the default header timeout (5 s), far below the body's (60 s)
        s.sendall(body[1000:])
        answer = _read_answer(s, ANSWER_BOUND_S)
    finally:
        s.close()
    assert _status(answer) == 200, answer[:300]
    assert s3.get_object(Bucket="slow", Key="k")["Body"].read() == body


def test_thousand_query_parameters_answer_promptly(gh):
    # Under GH_FORM_PARAMS_MAX (1024): served as usual.
    q = "&".join(f"p{i}=x" for i in range(1000))
    answer = _request_from("127.0.0.1", gh.port,
                           f"GET /healthz?{q} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert _status(answer) == 200, answer[:300]


def test_too_many_query_parameters_get_an_aws_error(gh):
    q = "&".join(f"p{i}=x" for i in range(2000))
    r = gh.http("GET", f"/?Action=GetCallerIdentity&Version=2011-06-15&{q}", timeout=ANSWER_BOUND_S)
    assert r.status == 413, r
    assert r.code == "RequestEntityTooLarge", r
    assert r.message == "Too many parameters: at most 1024 are accepted", r
    # And the server answers the next request as usual.
    assert gh.http("GET", "/healthz", timeout=ANSWER_BOUND_S).status == 200


@pytest.mark.parametrize("args, message", [
    (["--max-connections", "0"], "--max-connections must be a positive number"),
    (["--max-connections-per-ip", "x"], "--max-connections-per-ip must be a positive number"),
    (["--header-timeout", "0"], "--header-timeout must be 1 to 3600 seconds"),
    (["--body-timeout", "86401"], "--body-timeout must be 1 to 86400 seconds"),
    (["--max-connections", "8", "--max-connections-per-ip", "9"],
     "--max-connections-per-ip must not exceed --max-connections"),
])
def test_bad_limit_options_are_refused(tmp_path, args, message):
    cp = subprocess.run([gatehouse_bin(), "serve", "--data-dir", str(tmp_path / "d"), *args],
                        capture_output=True, text=True, timeout=30)
    assert cp.returncode == 2, cp.stderr
    assert cp.stderr.splitlines()[0] == f"gatehouse serve: {message}", cp.stderr
    assert not (tmp_path / "d").exists()  # refused before anything was created
