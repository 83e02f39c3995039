/*
 * fuzz_s3_chunked.c: libFuzzer harness for the aws-chunked body decoder
 * (framing, chunk signatures, trailers) writing into a real sink. The
 * first byte picks signed chunks (bit 0), an x-amz-trailer checksum
 * (bit 1) and the feed step (bits 2..7); the rest is the body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s3/s3_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void
tmp_dir_remove(void)
{
    (void)rmdir(dir);
}

/* One temporary directory for the process's sinks (each file is removed). */
static const char *
tmp_dir(void)
{
    if (dir[0] == '\0') {
        (void)snprintf(dir, sizeof(dir), "/tmp/gh-fuzz-s3-XXXXXX");
        if (mkdtemp(dir) == NULL)
            abort();
        (void)atexit(tmp_dir_remove);
    }
    return dir;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gh_s3 s3; /* large: keep it off the stack */
    static struct s3_req r;
    struct gh_arena arena;
    struct gh_http_req http;
    struct gh_http_header hdr = {GH_S("x-amz-trailer"), GH_S("x-amz-checksum-crc32")};
    const char *body;
    size_t n, step, off = 0;
    enum s3_code code;

    if (size == 0)
        return 0;
    memset(&s3, 0, sizeof(s3));
    memset(&r, 0, sizeof(r));
    memset(&http, 0, sizeof(http));
    (void)snprintf(s3.tmp_dir, sizeof(s3.tmp_dir), "%s", tmp_dir());
    gh_arena_init(&arena);
    http.arena = &arena;
    if (data[0] & 2) {
        http.headers = &hdr;
        http.nheaders = 1;
    }
    r.s3 = &s3;
    r.http = &http;
    r.arena = &arena;
    r.sink.fd = -1;
    gh_buf_init(&r.extra, 4096);
    gh_buf_init(&r.chunked.trailer, 4096);
    r.chunked.signed_chunks = (data[0] & 1) != 0;
    if (r.chunked.signed_chunks) {
        gh_hmac_sha256("AWS4key", 7, "20130524", 8, r.chunked.signing_key);
        memset(r.chunked.prev_sig, 'a', 64);
        r.chunked.amz_date = GH_S("20130524T000000Z");
        r.chunked.scope = GH_S("20130524/us-east-1/s3/aws4_request");
    }
    step = (size_t)(data[0] >> 2) + 1;
    body = (const char *)data + 1;
    n = size - 1;
    code = s3_sink_open(&r);
    while (code == S3_OK && off < n) {
        size_t take = n - off < step ? n - off : step;
        code = s3_chunked_feed(&r, body + off, take);
        off += take;
    }
    if (code == S3_OK)
        code = s3_chunked_finish(&r);
    /* The decoded size never exceeds the input. */
    if (r.sink.size > n)
        abort();
    if (r.chunked.chunk_hash_on)
        gh_sha256_cleanup(&r.chunked.chunk_hash);
    s3_sink_cleanup(&r.sink);
    gh_buf_cleanup(&r.extra);
    gh_buf_cleanup(&r.chunked.trailer);
    gh_arena_cleanup(&arena);
    return 0;
}
