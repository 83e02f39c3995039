/*
 * chunked.c: the aws-chunked body encoding (AWS S3 "Signature
 * Calculations for the Authorization Header: Transferring Payload in
 * Multiple Chunks"): "hex-size[;chunk-signature=SIG]\r\nDATA\r\n" ...,
 * a final zero-size chunk, then optional trailers ("x-amz-checksum-
 * crc32:VALUE", "x-amz-trailer-signature:SIG") and an empty line. Each
 * chunk signature chains from the previous one and is checked here.
 */
#include <openssl/crypto.h>
#include <string.h>

#include "s3/s3_int.h"

enum { ST_HEADER = 0, ST_DATA, ST_DATA_CR, ST_DATA_LF, ST_TRAILER, ST_DONE };

/* AWS SigV4 streaming: the hash of an empty string in every chunk's string to sign. */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static bool
sig_ok(struct s3_chunked *c, const char *algo, const char *data_hash_hex, const char *want)
{
    struct gh_buf sts;
    uint8_t mac[GH_SHA256_LEN], got[GH_SHA256_LEN];
    bool ok;

    gh_buf_init(&sts, 1024);
    gh_buf_putf(&sts, "%s\n%.*s\n%.*s\n%s\n", algo, GH_SP(c->amz_date), GH_SP(c->scope),
                c->prev_sig);
    if (strcmp(algo, "AWS4-HMAC-SHA256-PAYLOAD") == 0)
        gh_buf_putf(&sts, "%s\n", EMPTY_SHA256);
    gh_buf_puts(&sts, data_hash_hex);
    if (gh_buf_status(&sts) != GH_OK || strlen(want) != 64 ||
        gh_hex_decode((struct gh_slice){want, 64}, got, sizeof(got)) != GH_OK) {
        gh_buf_cleanup(&sts);
        return false;
    }
    gh_hmac_sha256(c->signing_key, sizeof(c->signing_key), sts.ptr, sts.len, mac);
    gh_buf_cleanup(&sts);
    ok = CRYPTO_memcmp(mac, got, sizeof(mac)) == 0;
    OPENSSL_cleanse(mac, sizeof(mac));
    if (ok)
        memcpy(c->prev_sig, want, 65);
    return ok;
}

static enum s3_code
chunk_end(struct s3_req *r)
{
    struct s3_chunked *c = &r->chunked;
    uint8_t h[GH_SHA256_LEN];
    char hex[65];

    if (!c->signed_chunks)
        return S3_OK;
    gh_sha256_final(&c->chunk_hash, h);
    gh_sha256_cleanup(&c->chunk_hash);
    c->chunk_hash_on = false;
    gh_hex_encode(h, sizeof(h), hex);
    hex[64] = '\0';
    if (!sig_ok(c, "AWS4-HMAC-SHA256-PAYLOAD", hex, c->want_sig))
        return s3_fail(r, S3_SIGNATURE, NULL);
    return S3_OK;
}

/* "1000;chunk-signature=abc..." */
static enum s3_code
header_line(struct s3_req *r)
{
    struct s3_chunked *c = &r->chunked;
    struct gh_slice line = {c->line, c->line_len}, size, ext;
    uint64_t n = 0;

    (void)gh_slice_split(&line, ';', &size);
    ext = line;
    size = gh_slice_trim(size);
    if (size.len == 0 || size.len > 16)
        return s3_fail(r, S3_INCOMPLETE_BODY, "The aws-chunked body is malformed.");
    for (size_t i = 0; i < size.len; i++) {
        char ch = size.ptr[i];
        int v = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : -1;
        if (v < 0)
            return s3_fail(r, S3_INCOMPLETE_BODY, "The aws-chunked body is malformed.");
        n = n * 16 + (uint64_t)v;
    }
    c->want_sig[0] = '\0';
    if (c->signed_chunks) {
        if (!gh_slice_starts_with(ext, GH_S("chunk-signature=")) || ext.len != 16 + 64)
            return s3_fail(r, S3_SIGNATURE, NULL);
        memcpy(c->want_sig, ext.ptr + 16, 64);
        c->want_sig[64] = '\0';
        if (gh_sha256_init(&c->chunk_hash) != GH_OK)
            return s3_fail(r, S3_INTERNAL, NULL);
        c->chunk_hash_on = true;
    }
    c->left = n;
    if (n == 0) {
        enum s3_code code = chunk_end(r);
        if (code != S3_OK)
            return code;
        c->final_seen = true;
        c->state = ST_TRAILER;
        return S3_OK;
    }
    c->state = ST_DATA;
    return S3_OK;
}

/* One trailer line ("name:value"); an empty line ends the body. */
static enum s3_code
trailer_line(struct s3_req *r)
{
    struct s3_chunked *c = &r->chunked;
    struct gh_slice line = {c->line, c->line_len}, name;

    if (line.len == 0) {
        c->state = ST_DONE;
        c->done = true;
        return S3_OK;
    }
    (void)gh_slice_split(&line, ':', &name);
    name = gh_slice_trim(name);
    line = gh_slice_trim(line);
    if (gh_slice_case_eq(name, GH_S("x-amz-trailer-signature"))) {
        uint8_t h[GH_SHA256_LEN];
        char hex[65], want[65];
        if (!c->signed_trailer || line.len != 64)
            return s3_fail(r, S3_SIGNATURE, NULL);
        /* AWS: the trailer's string to sign hashes the trailer lines, each "name:value\n". */
        gh_sha256(c->trailer.ptr != NULL ? c->trailer.ptr : "", c->trailer.len, h);
        gh_hex_encode(h, sizeof(h), hex);
        hex[64] = '\0';
        memcpy(want, line.ptr, 64);
        want[64] = '\0';
        if (!sig_ok(c, "AWS4-HMAC-SHA256-TRAILER", hex, want))
            return s3_fail(r, S3_SIGNATURE, NULL);
        c->signed_trailer = false; /* checked */
        return S3_OK;
    }
    if (gh_buf_append_slice(&c->trailer, name) != GH_OK ||
        gh_buf_append_char(&c->trailer, ':') != GH_OK ||
        gh_buf_append_slice(&c->trailer, line) != GH_OK ||
        gh_buf_append_char(&c->trailer, '\n') != GH_OK)
        return s3_fail(r, S3_INVALID_REQUEST, "The trailer is too large.");
    if (gh_slice_starts_with(name, GH_S("x-amz-checksum-"))) {
        /* AWS S3: only the checksum x-amz-trailer declared may trail (else it went unchecked). */
        if (!gh_slice_case_eq(name, gh_slice_trim(gh_http_header_get(r->http, "x-amz-trailer"))))
            return s3_fail(r, S3_MALFORMED_TRAILER, NULL);
        return s3_checksum_check(r, line);
    }
    return S3_OK;
}

enum s3_code
s3_chunked_feed(struct s3_req *r, const char *p, size_t n)
{
    struct s3_chunked *c = &r->chunked;
    enum s3_code code;
    size_t i = 0;

    while (i < n) {
        switch (c->state) {
        case ST_HEADER:
        case ST_TRAILER:
            if (p[i] == '\n') {
                if (c->line_len > 0 && c->line[c->line_len - 1] == '\r')
                    c->line_len--;
                code = c->state == ST_HEADER ? header_line(r) : trailer_line(r);
                c->line_len = 0;
                if (code != S3_OK)
                    return code;
            } else {
                if (c->line_len + 1 >= sizeof(c->line))
                    return s3_fail(r, S3_INCOMPLETE_BODY, "The aws-chunked body is malformed.");
                c->line[c->line_len++] = p[i];
            }
            i++;
            break;
        case ST_DATA: {
            size_t take = n - i < c->left ? n - i : (size_t)c->left;
            if (c->chunk_hash_on)
                gh_sha256_update(&c->chunk_hash, p + i, take);
            if ((code = s3_sink_write(r, p + i, take)) != S3_OK)
                return code;
            c->left -= take;
            i += take;
            if (c->left == 0)
                c->state = ST_DATA_CR;
            break;
        }
        case ST_DATA_CR:
            if (p[i] != '\r')
                return s3_fail(r, S3_INCOMPLETE_BODY, "The aws-chunked body is malformed.");
            c->state = ST_DATA_LF;
            i++;
            break;
        case ST_DATA_LF:
            if (p[i] != '\n')
                return s3_fail(r, S3_INCOMPLETE_BODY, "The aws-chunked body is malformed.");
            i++;
            if ((code = chunk_end(r)) != S3_OK)
                return code;
            c->state = ST_HEADER;
            break;
        case ST_DONE:
        default:
            return s3_fail(r, S3_INCOMPLETE_BODY, "Data after the end of the aws-chunked body.");
        }
    }
    return S3_OK;
}

enum s3_code
s3_chunked_finish(struct s3_req *r)
{
    struct s3_chunked *c = &r->chunked;

    /* Without trailers, the body may end right after the final chunk's CRLF
     * or after one more empty line. */
    if (c->state == ST_TRAILER && c->line_len == 0 && c->trailer.len == 0 && !c->signed_trailer)
        c->done = true;
    if (!c->done || !c->final_seen)
        return s3_fail(r, S3_INCOMPLETE_BODY, NULL);
    if (c->signed_trailer)
        return s3_fail(r, S3_SIGNATURE, NULL); /* the trailer signature never came */
    if (r->sink.ck != CK_NONE) { /* no trailer checked it */
        static const char *const names[] = {"", "x-amz-checksum-crc32", "x-amz-checksum-crc32c",
                                            "x-amz-checksum-sha256", "x-amz-checksum-sha1"};
        struct gh_slice given = gh_http_header_get(r->http, names[r->sink.ck]);
        /*
         * AWS S3: a checksum header is checked on an aws-chunked body too, even
         * when x-amz-trailer announced it (the AWS SDK for Java v2 sends both and
         * no trailer; S3 accepts, pgsty/silo#143).
         */
        if (given.ptr != NULL)
            return s3_checksum_check(r, given);
        if (gh_http_header_get(r->http, "x-amz-trailer").ptr != NULL)
            return s3_fail(r, S3_INVALID_REQUEST, "The trailer checksum was not sent.");
    }
    return S3_OK;
}
