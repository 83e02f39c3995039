"""test_sec_http_date.py: the one HTTP-date parser (core gh_time_parse_http)
behind S3's conditional requests and Last-Modified.

RFC 7231 section 7.1.1.1: an HTTP date is the IMF-fixdate
"Sun, 06 Nov 1994 08:49:37 GMT"; a conditional header whose date does not
parse is ignored (RFC 7232 section 3.3), so the object comes back whole."""
import datetime
import hashlib

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _get(gh, headers):
    hdrs = {"x-amz-content-sha256": EMPTY_SHA256}
    hdrs.update(headers)
    return gh.signed(b"", service="s3", method="GET", path="/dates/k", extra_headers=hdrs)


def test_if_modified_since_parses_imf_fixdate_only(gh):
    s3 = gh.client("s3")
    s3.create_bucket(Bucket="dates")
    s3.put_object(Bucket="dates", Key="k", Body=b"hello")

    head = s3.head_object(Bucket="dates", Key="k")
    lm = head["ResponseMetadata"]["HTTPHeaders"]["last-modified"]
    # Last-Modified is an IMF-fixdate, spelt in English whatever the locale.
    datetime.datetime.strptime(lm, "%a, %d %b %Y %H:%M:%S GMT")

    future = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1))
    good = future.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert _get(gh, {"If-Modified-Since": good}).status == 304
    assert _get(gh, {"If-Modified-Since": lm}).status == 304

    # A space must separate the time from "GMT": S3's old copy of the parser
    # skipped that byte and took this as a date (304); now it is ignored.
    bad = good[:25] + "X" + good[26:]
    r = _get(gh, {"If-Modified-Since": bad})
    assert r.status == 200 and r.body == b"hello"
    # Not a day name, an obsolete RFC 850 form, trailing garbage: ignored.
    for v in ("Xyz" + good[3:], future.strftime("%A, %d-%b-%y %H:%M:%S GMT"), good + " x"):
        r = _get(gh, {"If-Modified-Since": v})
        assert r.status == 200 and r.body == b"hello", v
