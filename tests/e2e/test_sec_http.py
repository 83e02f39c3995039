"""test_sec_http.py: connection exhaustion: a URL with very many query
parameters gets a prompt answer instead of hanging its connection."""
import socket
import time

# Generous bounds: a server that works answers in milliseconds; one that
# does not hangs far longer (libmicrohttpd held such connections 60 s).
ANSWER_BOUND_S = 15


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
