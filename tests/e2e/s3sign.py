"""s3sign.py: hand-built S3 uploads in the aws-chunked encoding (AWS SigV4
streaming: signed chunks, signed or unsigned trailers), CRC32C, and the
base64 checksums S3 uses, for e2e tests that need bytes no SDK will send."""
import base64
import datetime
import hashlib
import hmac
import zlib

SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    """CRC-32C (Castagnoli), as S3's x-amz-checksum-crc32c."""
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def checksum_b64(alg, data):
    """The base64 value of x-amz-checksum-ALG for `data` (alg: CRC32, CRC32C, SHA1, SHA256)."""
    alg = alg.upper()
    if alg == "CRC32":
        raw = zlib.crc32(data).to_bytes(4, "big")
    elif alg == "CRC32C":
        raw = crc32c(data).to_bytes(4, "big")
    elif alg == "SHA1":
        raw = hashlib.sha1(data).digest()
    elif alg == "SHA256":
        raw = hashlib.sha256(data).digest()
    else:
        raise ValueError(alg)
    return base64.b64encode(raw).decode()


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signing_key(secret, day, region="us-east-1", service="s3"):
    k = _hmac(("AWS4" + secret).encode(), day)
    for part in (region, service, "aws4_request"):
        k = _hmac(k, part)
    return k


def streaming_put(gh, path, data, chunk, mode=SIGNED, trailer=None, tamper=None, extra_headers=None):
    """PUTs `data` at `path` ("/bucket/key") in aws-chunked pieces of `chunk`
    bytes, signed as `mode` (SIGNED, SIGNED_TRAILER or UNSIGNED_TRAILER)
    with the root key. `trailer` is (name, value), e.g.
    ("x-amz-checksum-crc32", checksum_b64("CRC32", data)), declared in
    x-amz-trailer and sent after the final chunk. `tamper` breaks one thing
    after signing: "chunk" (a data byte), "chunk-signature" (the final
    chunk's), "trailer-value" (the checksum, after its signature was
    computed), "trailer-signature", "no-trailer" (x-amz-trailer declared,
    nothing sent), "no-trailer-signature". Returns the server's Response."""
    now = datetime.datetime.utcnow()
    amz = now.strftime("%Y%m%dT%H%M%SZ")
    day = now.strftime("%Y%m%d")
    scope = f"{day}/us-east-1/s3/aws4_request"
    signed_chunks = mode in (SIGNED, SIGNED_TRAILER)
    sizes = [min(chunk, len(data) - i) for i in range(0, len(data), chunk)] + [0]

    # The body first (its length is signed); chunk signatures need the seed,
    # so build the headers and seed, then the body, then Content-Length.
    headers = {"host": f"127.0.0.1:{gh.port}", "x-amz-date": amz, "x-amz-content-sha256": mode,
               "x-amz-decoded-content-length": str(len(data)), "content-encoding": "aws-chunked"}
    if trailer is not None:
        headers["x-amz-trailer"] = trailer[0]
    if extra_headers:
        headers.update({k.lower(): v for k, v in extra_headers.items()})
    k = signing_key(gh.root_secret, day)
    body = bytearray()
    prev = None
    if signed_chunks:
        # Content-Length is signed, so it must be known first: compute it from the sizes.
        length = 0
        for s in sizes:
            length += len(f"{s:x};chunk-signature=") + 64 + 2 + s + 2
    else:
        length = sum(len(f"{s:x}") + 2 + s + 2 for s in sizes)
    if trailer is not None and tamper != "no-trailer":
        length -= 2  # the final chunk's CRLF is followed by the trailer lines instead
        length += len(f"{trailer[0]}:{trailer[1]}\r\n")
        if mode == SIGNED_TRAILER and tamper != "no-trailer-signature":
            length += len("x-amz-trailer-signature:") + 64 + 2
        length += 2
    headers["content-length"] = str(length)
    signed = ";".join(sorted(headers))
    canon = "\n".join(["PUT", path, "", "".join(f"{h}:{headers[h]}\n" for h in sorted(headers)), signed, mode])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canon.encode()).hexdigest()])
    prev = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={gh.root_key}/{scope}, "
                                f"SignedHeaders={signed}, Signature={prev}")
    off = 0
    for s in sizes:
        piece = data[off:off + s]
        off += s
        if signed_chunks:
            csts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz, scope, prev, EMPTY_SHA256,
                              hashlib.sha256(piece).hexdigest()])
            sig = hmac.new(k, csts.encode(), hashlib.sha256).hexdigest()
            if tamper == "chunk-signature" and s == 0:
                sig = "0" * 64
            head = f"{s:x};chunk-signature={sig}\r\n"
            prev = sig
        else:
            head = f"{s:x}\r\n"
        if tamper == "chunk" and s > 0 and off == s:
            piece = bytes([piece[0] ^ 1]) + piece[1:]
        body += head.encode() + piece
        if s > 0 or trailer is None or tamper == "no-trailer":
            body += b"\r\n"
    if trailer is not None and tamper != "no-trailer":
        name, value = trailer
        line = f"{name}:{value}"
        # AWS SigV4 trailers: the string to sign hashes the trailer lines, each "name:value\n".
        tsts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz, scope, prev,
                          hashlib.sha256((line + "\n").encode()).hexdigest()])
        tsig = hmac.new(k, tsts.encode(), hashlib.sha256).hexdigest()
        if tamper == "trailer-value":
            value = checksum_b64("CRC32", b"something else") if "crc32" in name else value[::-1]
            line = f"{name}:{value}"
        if tamper == "trailer-signature":
            tsig = "0" * 64
        body += (line + "\r\n").encode()
        if mode == SIGNED_TRAILER and tamper != "no-trailer-signature":
            body += f"x-amz-trailer-signature:{tsig}\r\n".encode()
        body += b"\r\n"
    assert len(body) == length, (len(body), length)
    del headers["host"]
    return gh.http("PUT", path, body=bytes(body), headers=headers)
