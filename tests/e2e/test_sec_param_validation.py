"""test_sec_param_validation.py: one parameter validator (gh_call_check_str)
for IAM and STS, one message set.

STS session tags used to be checked by a copy that had drifted from the
framework's: a key that was not UTF-8 got a pattern error quoting the bytes
(now the framework's single "Member must be valid UTF-8" error, the bytes
not echoed), and an empty value was also held to its pattern (not visible
for the tag shapes, whose predicates accept ""; pinned here). AWS: "1 validation error detected: Value '' at 'tags.1.member.key' failed to
satisfy constraint: Member must have length greater than or equal to 1", as
IAM already answers for the same shape (botocore sts/2011-06-15 tagKeyType:
min 1, max 128, pattern [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)."""

ROLE = "arn:aws:iam::123456789012:role/nobody"


def _assume(gh, key, value="v"):
    return gh.query("AssumeRole", {"RoleArn": ROLE, "RoleSessionName": "sess",
                                   "Tags.member.1.Key": key, "Tags.member.1.Value": value},
                    service="sts")


def test_sts_empty_tag_key_fails_length_only(gh):
    r = _assume(gh, "")
    assert r.status == 400
    assert r.code == "ValidationError"
    assert r.message == ("1 validation error detected: Value '' at 'tags.1.member.key' failed to "
                         "satisfy constraint: Member must have length greater than or equal to 1")


def test_iam_empty_tag_key_same_message_shape(gh):
    r = gh.query("CreateUser", {"UserName": "u1", "Tags.member.1.Key": "", "Tags.member.1.Value": "v"})
    assert r.status == 400
    assert r.code == "ValidationError"
    assert r.message == ("1 validation error detected: Value '' at 'tags.1.member.key' failed to "
                         "satisfy constraint: Member must have length greater than or equal to 1")


def test_sts_tag_key_not_utf8(gh):

    body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + ROLE + \
        "&RoleSessionName=sess&Tags.member.1.Key=k%FF&Tags.member.1.Value=v"
    r = gh.signed(body, service="sts")
    assert r.status == 400
    assert r.code == "ValidationError"
    assert r.message == ("1 validation error detected: Value '(invalid UTF-8)' at "
                         "'tags.1.member.key' failed to satisfy constraint: Member must be "
                         "valid UTF-8")


def test_sts_tag_value_checked_as_before(gh):
    r = _assume(gh, "k", "a" * 257)
    assert r.status == 400
    assert r.message == ("1 validation error detected: Value '" + "a" * 256 + "' at "
                         "'tags.1.member.value' failed to satisfy constraint: Member must have "
                         "length less than or equal to 256")
