"""test_sec_signin_limit.py: the console sign-in limiter through the real
server. Five wrong passwords for a user lock that user's sign-in for the
window even with the right password; failures under other names and from
other addresses neither reset that count nor lock an unrelated user.
(The hash-collision eviction attack itself is replayed in-process by
tests/unit/test_console.c, since it needs the process's SipHash key.)"""
import http.client
import json
import urllib.parse

WRONG = "Your authentication information is incorrect. Please try again."
THROTTLED = "Too many failed sign-in attempts. Wait a few minutes and try again."


def signin(gh, user, password, source="127.0.0.1"):
    body = urllib.parse.urlencode({"account": gh.account_id, "username": user, "password": password})
    conn = http.client.HTTPConnection("127.0.0.1", gh.port, timeout=60, source_address=(source, 0))
    try:
        conn.request("POST", "/console/signin", body=body.encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "X-Gatehouse-Console": "1"})
        r = conn.getresponse()
        data = json.loads(r.read())
    finally:
        conn.close()
    if r.status == 200:
        gh.secrets.add(data["secretAccessKey"])
        return 200, None, None
    return r.status, data["error"]["code"], data["error"]["message"]


def make_user(gh, name):
    iam = gh.client("iam")
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Console-pass-1", PasswordResetRequired=False)


def test_user_locked_after_five_failures_and_not_reset_by_others(gh):
    make_user(gh, "alice")
    make_user(gh, "bob")
    for _ in range(5):
        assert signin(gh, "alice", "wrong-password") == (401, "SignInFailed", WRONG)
    # The right password is refused too while the window lasts.
    assert signin(gh, "alice", "Console-pass-1") == (429, "Throttling", THROTTLED)
    # Many failures under other names, spread over addresses so the
    # per-address limit (20) is not what stops them, do not free alice.
    for i in range(45):
        status, code, _ = signin(gh, f"nobody-{i}", "x", source=f"127.0.0.{2 + i // 15}")
        assert (status, code) == (401, "SignInFailed")
    assert signin(gh, "alice", "Console-pass-1", source="127.0.0.9") == (429, "Throttling", THROTTLED)
    # An unrelated user signs in.
    assert signin(gh, "bob", "Console-pass-1", source="127.0.0.9") == (200, None, None)


def test_address_locked_after_twenty_failures(gh):
    make_user(gh, "carol")
    for i in range(20):
        assert signin(gh, f"guess-{i}", "x", source="127.0.0.5") == (401, "SignInFailed", WRONG)
    assert signin(gh, "carol", "Console-pass-1", source="127.0.0.5") == (429, "Throttling", THROTTLED)
    assert signin(gh, "carol", "Console-pass-1", source="127.0.0.6") == (200, None, None)
