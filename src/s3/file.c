/*
 * file.c: object bytes on disk. An upload is written to DIR/s3/tmp,
 * digested as it arrives (MD5 for the ETag, the x-amz-checksum-* the
 * client asked for), fsynced, then renamed into DIR/s3/data and the
 * directory fsynced, before any row names it: a crash never leaves a
 * half-written object visible.
 */
#define _GNU_SOURCE /* sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s3/s3_int.h"

static uint32_t crc_table[2][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
    /* Reflected polynomials: CRC-32 (IEEE 802.3) and CRC-32C (Castagnoli). */
    static const uint32_t poly[2] = {0xEDB88320u, 0x82F63B78u};

    for (int t = 0; t < 2; t++)
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? poly[t] ^ (c >> 1) : c >> 1;
            crc_table[t][i] = c;
        }
}

static uint32_t
crc_run(int t, uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;

    (void)pthread_once(&crc_once, crc_init);
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[t][(crc ^ b[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

uint32_t
gh_s3_crc32(uint32_t crc, const void *p, size_t n)
{
    return crc_run(0, crc, p, n);
}

uint32_t
gh_s3_crc32c(uint32_t crc, const void *p, size_t n)
{
    return crc_run(1, crc, p, n);
}

enum gh_err
s3_new_id(char out[33])
{
    uint8_t b[16];
    enum gh_err err = gh_random(b, sizeof(b));

    if (err != GH_OK)
        return err;
    gh_hex_encode(b, sizeof(b), out);
    out[32] = '\0';
    return GH_OK;
}

void
s3_data_path(const struct gh_s3 *s3, struct gh_slice data_id, char *out, size_t n)
{
    (void)snprintf(out, n, "%s/%.*s", s3->data_dir, GH_SP(gh_slice_sub(data_id, 0, 64)));
}

void
s3_data_remove(const struct gh_s3 *s3, struct gh_slice data_id)
{
    char path[1200];

    if (data_id.len == 0)
        return;
    s3_data_path(s3, data_id, path, sizeof(path));
    (void)unlink(path);
}

/*
 * Large uploads: the MD5 (for the ETag, always needed, and one serial
 * stream) is computed by a helper thread while the request's thread
 * receives the next megabyte and writes the last one: a 1 GB PutObject
 * spent two thirds of its time in MD5, one step after the other with
 * receiving and writing. The request's thread also starts the disk
 * writing every HS_SYNC bytes (sync_file_range), so the fsync before the
 * answer finds little left to do; that fsync is unchanged and nothing is
 * acknowledged before it. Bounded: HS_NBUF buffers of HS_BUF bytes per
 * upload and at most HS_THREADS_MAX helpers at once (beyond that, an
 * upload digests in its own thread, as small ones do).
 */
#define HS_BUF ((size_t)1 << 20)
#define HS_NBUF 4
#define HS_START ((uint64_t)8 << 20) /* bytes digested inline before a helper starts */
#define HS_SYNC ((uint64_t)8 << 20)
#define HS_THREADS_MAX 8

struct s3_hasher {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    EVP_MD_CTX *md5;          /* the sink's: only the helper touches it while it runs */
    _Atomic unsigned *active; /* gh_s3's count of helpers */
    char *buf[HS_NBUF];
    size_t len[HS_NBUF];
    unsigned first;  /* oldest queued buffer */
    unsigned queued; /* buffers first .. first+queued-1 wait for (or are in) the digest */
    bool stop;
    bool failed;
    /* The request thread's own: */
    unsigned cur; /* the buffer it fills: always (first + queued) % HS_NBUF */
    size_t fill;
    int fd;
    uint64_t written, synced; /* file bytes written, and handed to writeback */
};

static bool
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static void *
hasher_main(void *arg)
{
    struct s3_hasher *h = arg;

    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (h->queued == 0 && !h->stop)
            pthread_cond_wait(&h->cv, &h->mu);
        if (h->queued == 0)
            break; /* stopped and drained */
        unsigned i = h->first;
        bool ok = !h->failed;
        pthread_mutex_unlock(&h->mu);
        if (ok)
            ok = EVP_DigestUpdate(h->md5, h->buf[i], h->len[i]) == 1;
        pthread_mutex_lock(&h->mu);
        if (!ok)
            h->failed = true;
        h->first = (h->first + 1) % HS_NBUF;
        h->queued--;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static void
hasher_free(struct s3_hasher *h)
{
    for (int i = 0; i < HS_NBUF; i++)
        free(h->buf[i]);
    free(h);
}

/* A helper for the sink's MD5 and file (`written` bytes so far); NULL when none can start. */
static struct s3_hasher *
hasher_start(EVP_MD_CTX *md5, int fd, uint64_t written, _Atomic unsigned *active)
{
    struct s3_hasher *h;
    bool mu = false, cv = false;

    if (atomic_fetch_add(active, 1) >= HS_THREADS_MAX) {
        atomic_fetch_sub(active, 1);
        return NULL;
    }
    if ((h = calloc(1, sizeof(*h))) == NULL)
        goto fail;
    h->md5 = md5;
    h->fd = fd;
    h->written = h->synced = written;
    h->active = active;
    for (int i = 0; i < HS_NBUF; i++)
        if ((h->buf[i] = malloc(HS_BUF)) == NULL)
            goto fail;
    if (!(mu = pthread_mutex_init(&h->mu, NULL) == 0))
        goto fail;
    if (!(cv = pthread_cond_init(&h->cv, NULL) == 0))
        goto fail;
    if (pthread_create(&h->thread, NULL, hasher_main, h) != 0)
        goto fail;
    return h;
fail:
    if (h != NULL) {
        if (cv)
            pthread_cond_destroy(&h->cv);
        if (mu)
            pthread_mutex_destroy(&h->mu);
        hasher_free(h);
    }
    atomic_fetch_sub(active, 1);
    return NULL;
}

/*
 * Writes the buffer being filled (if it has bytes) to the file, queues it
 * for the digest and waits for a free one; false when a write or the
 * digest failed.
 */
static bool
hasher_flush(struct s3_hasher *h)
{
    bool ok = true;

    if (h->fill > 0) {
        ok = write_all(h->fd, h->buf[h->cur], h->fill);
        h->written += h->fill;
        if (ok && h->written - h->synced >= HS_SYNC) {
            (void)sync_file_range(h->fd, (off_t)h->synced, (off_t)(h->written - h->synced),
                                  SYNC_FILE_RANGE_WRITE);
            h->synced = h->written;
        }
    }
    pthread_mutex_lock(&h->mu);
    if (!ok)
        h->failed = true;
    if (h->fill > 0 && ok) {
        h->len[h->cur] = h->fill;
        h->queued++;
        h->cur = (h->cur + 1) % HS_NBUF;
        pthread_cond_broadcast(&h->cv);
    }
    h->fill = 0;
    while (h->queued == HS_NBUF && !h->failed)
        pthread_cond_wait(&h->cv, &h->mu);
    ok = !h->failed;
    pthread_mutex_unlock(&h->mu);
    return ok;
}

static bool
hasher_put(struct s3_hasher *h, const char *p, size_t n)
{
    while (n > 0) {
        size_t take = HS_BUF - h->fill < n ? HS_BUF - h->fill : n;
        memcpy(h->buf[h->cur] + h->fill, p, take); /* not queued: ours alone */
        h->fill += take;
        p += take;
        n -= take;
        if (h->fill == HS_BUF && !hasher_flush(h))
            return false;
    }
    return true;
}

/*
 * Writes and digests what is left (or, `discard`, nothing more: the upload
 * is abandoned), stops the helper and frees it; false when a write or the
 * digest failed. The MD5 context is the caller's again afterwards.
 */
static bool
hasher_stop(struct s3_hasher *h, bool discard)
{
    bool ok = true;

    if (h == NULL)
        return true;
    if (!discard)
        ok = hasher_flush(h);
    pthread_mutex_lock(&h->mu);
    if (discard)
        h->failed = true; /* the helper skips what is left */
    h->stop = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    (void)pthread_join(h->thread, NULL);
    ok = ok && !h->failed;
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    atomic_fetch_sub(h->active, 1);
    hasher_free(h);
    return ok;
}

enum s3_code
s3_sink_open(struct s3_req *r)
{
    struct s3_sink *s = &r->sink;
    struct gh_slice ck;

    if (s3_new_id(s->data_id) != GH_OK)
        return s3_fail(r, S3_INTERNAL, NULL);
    (void)snprintf(s->tmp_path, sizeof(s->tmp_path), "%s/%s", r->s3->tmp_dir, s->data_id);
    s->fd = open(s->tmp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (s->fd < 0) {
        s->tmp_path[0] = '\0';
        return s3_fail(r, S3_INTERNAL, NULL);
    }
    r->sink_open = true;
    s->md5 = EVP_MD_CTX_new();
    if (s->md5 == NULL || EVP_DigestInit_ex(s->md5, EVP_md5(), NULL) != 1)
        return s3_fail(r, S3_INTERNAL, NULL);
    /* The checksum the client asked us to check (header or trailer). */
    ck = gh_http_header_get(r->http, "x-amz-trailer");
    if (ck.ptr == NULL) {
        if (gh_http_header_get(r->http, "x-amz-checksum-crc32").ptr != NULL)
            ck = GH_S("x-amz-checksum-crc32");
        else if (gh_http_header_get(r->http, "x-amz-checksum-crc32c").ptr != NULL)
            ck = GH_S("x-amz-checksum-crc32c");
        else if (gh_http_header_get(r->http, "x-amz-checksum-sha256").ptr != NULL)
            ck = GH_S("x-amz-checksum-sha256");
        else if (gh_http_header_get(r->http, "x-amz-checksum-sha1").ptr != NULL)
            ck = GH_S("x-amz-checksum-sha1");
    }
    ck = gh_slice_trim(ck);
    if (ck.ptr == NULL || ck.len == 0)
        s->ck = CK_NONE;
    else if (gh_slice_case_eq(ck, GH_S("x-amz-checksum-crc32")))
        s->ck = CK_CRC32;
    else if (gh_slice_case_eq(ck, GH_S("x-amz-checksum-crc32c")))
        s->ck = CK_CRC32C;
    else if (gh_slice_case_eq(ck, GH_S("x-amz-checksum-sha256")))
        s->ck = CK_SHA256;
    else if (gh_slice_case_eq(ck, GH_S("x-amz-checksum-sha1")))
        s->ck = CK_SHA1;
    else
        return s3_fail(r, S3_INVALID_ARGUMENT, "Value for x-amz-trailer header is invalid.");
    if (s->ck == CK_NONE)
        s->ck = r->ck_want; /* UploadPartCopy: the upload's algorithm, computed here */
    if (s->ck == CK_SHA1) {
        s->sha1 = EVP_MD_CTX_new();
        if (s->sha1 == NULL || EVP_DigestInit_ex(s->sha1, EVP_sha1(), NULL) != 1)
            return s3_fail(r, S3_INTERNAL, NULL);
    }
    /* One SHA-256 pass serves both the checksum and the signed payload hash. */
    if (s->ck == CK_SHA256 || r->payload_check) {
        s->sha256 = EVP_MD_CTX_new();
        if (s->sha256 == NULL || EVP_DigestInit_ex(s->sha256, EVP_sha256(), NULL) != 1)
            return s3_fail(r, S3_INTERNAL, NULL);
    }
    return S3_OK;
}

enum s3_code
s3_sink_write(struct s3_req *r, const void *p, size_t n)
{
    struct s3_sink *s = &r->sink;
    const char *b = p;

    if (s->size + n > (r->op != NULL && r->op->fn == s3_op_upload_part ? GH_S3_PUT_MAX
                                                                         : GH_S3_PUT_MAX))
        return s3_fail(r, S3_ENTITY_TOO_LARGE, NULL);
    if (s->h == NULL && !s->h_tried && s->size >= HS_START) {
        s->h_tried = true;
        s->h = hasher_start(s->md5, s->fd, s->size, &r->s3->hashers);
    }
    if (s->h == NULL)
        (void)EVP_DigestUpdate(s->md5, p, n);
    switch (s->ck) {
    case CK_CRC32:
        s->crc = gh_s3_crc32(s->crc, p, n);
        break;
    case CK_CRC32C:
        s->crc = gh_s3_crc32c(s->crc, p, n);
        break;
    case CK_SHA1:
        (void)EVP_DigestUpdate(s->sha1, p, n);
        break;
    case CK_SHA256: /* below */
    case CK_NONE:
        break;
    }
    if (s->sha256 != NULL)
        (void)EVP_DigestUpdate(s->sha256, p, n);
    if (s->h != NULL ? !hasher_put(s->h, b, n) : !write_all(s->fd, b, n))
        return s3_fail(r, S3_INTERNAL, NULL);
    s->size += n;
    return S3_OK;
}

enum s3_code
s3_sink_finish(struct s3_req *r, uint8_t md5[16])
{
    struct s3_sink *s = &r->sink;
    unsigned int len = 16;
    bool done = hasher_stop(s->h, false); /* the last bytes written, the MD5 ours again */

    s->h = NULL;
    if (!done || EVP_DigestFinal_ex(s->md5, md5, &len) != 1)
        return s3_fail(r, S3_INTERNAL, NULL);
    if (fsync(s->fd) != 0)
        return s3_fail(r, S3_INTERNAL, NULL);
    return S3_OK;
}

enum s3_code
s3_sink_sha256(struct s3_req *r, uint8_t out[32])
{
    struct s3_sink *s = &r->sink;
    unsigned int len = 32;

    if (!s->sha256_final) {
        if (s->sha256 == NULL || EVP_DigestFinal_ex(s->sha256, s->sha256_md, &len) != 1)
            return s3_fail(r, S3_INTERNAL, NULL);
        s->sha256_final = true;
    }
    memcpy(out, s->sha256_md, 32);
    return S3_OK;
}

static enum s3_code
fsync_dir(struct s3_req *r, const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return s3_fail(r, S3_INTERNAL, NULL);
    rc = fsync(fd);
    (void)close(fd);
    return rc == 0 ? S3_OK : s3_fail(r, S3_INTERNAL, NULL);
}

enum s3_code
s3_sink_commit(struct s3_req *r)
{
    struct s3_sink *s = &r->sink;
    char path[1200];

    s3_data_path(r->s3, gh_slice_from_cstr(s->data_id), path, sizeof(path));
    if (rename(s->tmp_path, path) != 0)
        return s3_fail(r, S3_INTERNAL, NULL);
    s->tmp_path[0] = '\0';
    return fsync_dir(r, r->s3->data_dir);
}

void
s3_sink_cleanup(struct s3_sink *s)
{
    (void)hasher_stop(s->h, true); /* before the digest is freed */
    s->h = NULL;
    s->h_tried = false;
    if (s->fd > 0)
        (void)close(s->fd);
    s->fd = -1;
    if (s->tmp_path[0] != '\0')
        (void)unlink(s->tmp_path);
    s->tmp_path[0] = '\0';
    EVP_MD_CTX_free(s->md5);
    EVP_MD_CTX_free(s->sha256);
    EVP_MD_CTX_free(s->sha1);
    s->md5 = s->sha256 = s->sha1 = NULL;
}

/*
 * Finalises the sink's checksum into base64 (b64, initialised by the
 * caller) and names it; S3_OK with an empty b64 when none was asked.
 */
static enum s3_code
checksum_final(struct s3_req *r, struct gh_buf *b64, const char **name, const char **header)
{
    struct s3_sink *s = &r->sink;
    uint8_t d[32];
    unsigned int len = 0;

    *name = "";
    *header = NULL;
    switch (s->ck) {
    case CK_NONE:
        return S3_OK;
    case CK_CRC32:
    case CK_CRC32C:
        d[0] = (uint8_t)(s->crc >> 24);
        d[1] = (uint8_t)(s->crc >> 16);
        d[2] = (uint8_t)(s->crc >> 8);
        d[3] = (uint8_t)s->crc;
        len = 4;
        *name = s->ck == CK_CRC32 ? "CRC32" : "CRC32C";
        *header = s->ck == CK_CRC32 ? "x-amz-checksum-crc32" : "x-amz-checksum-crc32c";
        break;
    case CK_SHA256:
        if (s3_sink_sha256(r, d) != S3_OK)
            return r->code;
        len = 32;
        *name = "SHA256";
        *header = "x-amz-checksum-sha256";
        break;
    case CK_SHA1:
        if (EVP_DigestFinal_ex(s->sha1, d, &len) != 1)
            return s3_fail(r, S3_INTERNAL, NULL);
        *name = "SHA1";
        *header = "x-amz-checksum-sha1";
        break;
    }
    s->ck = CK_NONE; /* a digest is finalised once */
    if (gh_base64_encode(b64, d, len) != GH_OK || b64->len >= sizeof(s->ck_b64))
        return s3_fail(r, S3_INTERNAL, NULL);
    return S3_OK;
}

/* Keeps a verified (or computed) checksum: echoed, stored. */
static void
checksum_keep(struct s3_sink *s, const struct gh_buf *b64, const char *header)
{
    memcpy(s->ck_b64, b64->ptr, b64->len);
    s->ck_b64[b64->len] = '\0';
    s->ck_header = header;
}

enum s3_code
s3_checksum_take(struct s3_req *r)
{
    struct gh_buf b64;
    const char *name, *header;
    enum s3_code code;

    gh_buf_init(&b64, 128);
    if ((code = checksum_final(r, &b64, &name, &header)) == S3_OK && header != NULL)
        checksum_keep(&r->sink, &b64, header);
    gh_buf_cleanup(&b64);
    return code;
}

enum s3_code
s3_checksum_check(struct s3_req *r, struct gh_slice want)
{
    struct gh_buf b64;
    const char *name, *header;
    enum s3_code code;

    gh_buf_init(&b64, 128);
    code = checksum_final(r, &b64, &name, &header);
    if (code == S3_OK && header != NULL) {
        if (!gh_slice_eq(gh_slice_trim(want), gh_buf_slice(&b64)))
            /*
             * AWS S3: BadDigest "The CRC32 you specified did not match the calculated checksum."
             * (upper-case, as in S3's answers quoted in aws/aws-sdk-ruby#3322).
             */
            code = s3_fail(r, S3_BAD_DIGEST, "The %s you specified did not match the calculated "
                                             "checksum.", name);
        else /* AWS S3: PutObject and UploadPart echo it; GET/HEAD return it on request. */
            checksum_keep(&r->sink, &b64, header);
    }
    gh_buf_cleanup(&b64);
    return code;
}
