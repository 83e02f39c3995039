/*
 * encode.c: hex, base64, percent-encoding (SigV4's and forms') and XML
 * escaping.
 */
#include <string.h>

#include "core/core.h"

static const char hexdig[] = "0123456789abcdef";
static const char HEXDIG[] = "0123456789ABCDEF";

void
gh_hex_encode(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdig[in[i] >> 4];
        out[2 * i + 1] = hexdig[in[i] & 15];
    }
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum gh_err
gh_hex_decode(struct gh_slice in, uint8_t *out, size_t n)
{
    if (in.len != 2 * n)
        return GH_ERR_VALIDATION;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval((unsigned char)in.ptr[2 * i]);
        int lo = hexval((unsigned char)in.ptr[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return GH_ERR_VALIDATION;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return GH_OK;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

enum gh_err
gh_base64_encode(struct gh_buf *out, const uint8_t *in, size_t n)
{
    char q[4];

    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t rem = n - i;
        if (rem > 1)
            v |= (uint32_t)in[i + 1] << 8;
        if (rem > 2)
            v |= in[i + 2];
        q[0] = b64[(v >> 18) & 63];
        q[1] = b64[(v >> 12) & 63];
        q[2] = rem > 1 ? b64[(v >> 6) & 63] : '=';
        q[3] = rem > 2 ? b64[v & 63] : '=';
        gh_buf_put(out, (struct gh_slice){q, 4});
    }
    return gh_buf_status(out);
}

static int
b64val(int c, bool url)
{
    const char *alpha = url ? b64url : b64;
    const char *p = c == 0 ? NULL : strchr(alpha, c);

    return p == NULL ? -1 : (int)(p - alpha);
}

enum gh_err
gh_base64_decode(struct gh_slice in, bool url, struct gh_buf *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t pad = 0;

    for (size_t i = 0; i < in.len; i++) {
        int c = (unsigned char)in.ptr[i];
        int v;
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad > 0)
            return GH_ERR_VALIDATION; /* data after padding */
        if ((v = b64val(c, url)) < 0)
            return GH_ERR_VALIDATION;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            gh_buf_put(out, (struct gh_slice){(const char[]){(char)((acc >> bits) & 0xFF)}, 1});
        }
    }
    if (pad > 2 || (!url && (in.len % 4) != 0) || bits >= 6)
        return GH_ERR_VALIDATION;
    /* Leftover bits must be zero: a canonical encoding has one form. */
    if ((acc & ((1u << bits) - 1)) != 0)
        return GH_ERR_VALIDATION;
    return gh_buf_status(out);
}

static bool
unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

enum gh_err
gh_uri_encode(struct gh_buf *out, struct gh_slice in, bool keep_slash)
{
    for (size_t i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.ptr[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            gh_buf_put(out, (struct gh_slice){(const char *)&in.ptr[i], 1});
        } else {
            char e[3] = {'%', HEXDIG[c >> 4], HEXDIG[c & 15]};
            gh_buf_put(out, (struct gh_slice){e, 3});
        }
    }
    return gh_buf_status(out);
}

enum gh_err
gh_uri_decode(struct gh_arena *a, struct gh_slice in, bool plus_space, struct gh_slice *out)
{
    char *p;
    size_t n = 0;

    *out = GH_SLICE_NULL;
    if (gh_slice_index(in, '%') < 0 && (!plus_space || gh_slice_index(in, '+') < 0)) {
        *out = in; /* nothing to decode: borrow */
        return GH_OK;
    }
    if ((p = gh_arena_alloc(a, in.len + 1)) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < in.len; i++) {
        char c = in.ptr[i];
        if (c == '%') {
            int hi, lo;
            if (in.len - i < 3)
                return GH_ERR_MALFORMED_QUERY;
            hi = hexval((unsigned char)in.ptr[i + 1]);
            lo = hexval((unsigned char)in.ptr[i + 2]);
            if (hi < 0 || lo < 0)
                return GH_ERR_MALFORMED_QUERY;
            p[n++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            p[n++] = ' ';
        } else {
            p[n++] = c;
        }
    }
    p[n] = '\0';
    *out = (struct gh_slice){p, n};
    return GH_OK;
}

/*
 * One character of `p`: its UTF-8 length in *len (1 for a byte that starts
 * no valid sequence) and whether XML 1.0 allows it: Char ::= #x9 | #xA |
 * #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] (XML 1.0
 * Fifth Edition, section 2.2). A character reference to anything else
 * ("&#x0;") is not well-formed either (section 4.1, "Well-formedness
 * constraint: Legal Character").
 */
static bool
xml_char(const unsigned char *p, size_t avail, size_t *len)
{
    size_t i = 0;
    int32_t cp = gh_utf8_next((struct gh_slice){(const char *)p, avail}, &i);

    *len = i > 0 ? i : 1; /* past a byte that starts no valid sequence */
    if (cp < 0)
        return false;
    if (cp < 0x80)
        return cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r';
    return cp != 0xFFFE && cp != 0xFFFF;
}

bool
gh_xml_is_text(struct gh_slice s)
{
    size_t i = 0, n;

    while (i < s.len) {
        if (!xml_char((const unsigned char *)s.ptr + i, s.len - i, &n))
            return false;
        i += n;
    }
    return true;
}

void
gh_xml_escape(struct gh_buf *out, struct gh_slice in)
{
    size_t run = 0, i = 0;

    while (i < in.len) {
        unsigned char c = (unsigned char)in.ptr[i];
        const char *rep = NULL;
        size_t n = 1;

        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default:
            /* A literal CR would be read back as LF; never a character XML
             * 1.0 cannot carry: U+FFFD in its place. */
            if (c == '\r')
                rep = "&#x0d;";
            else if (!xml_char((const unsigned char *)in.ptr + i, in.len - i, &n))
                rep = "\xEF\xBF\xBD";
        }
        if (rep != NULL) {
            gh_buf_put(out, (struct gh_slice){in.ptr + i - run, run});
            run = 0;
            gh_buf_puts(out, rep);
        } else {
            run += n;
        }
        i += n;
    }
    gh_buf_put(out, (struct gh_slice){in.ptr + in.len - run, run});
}
