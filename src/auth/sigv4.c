/*
 * sigv4.c: reads and checks AWS Signature Version 4 authentication (the
 * Authorization header or a presigned query): parsing with AWS's error
 * messages, the canonical request, the string to sign and the
 * constant-time signature check. Key derivation and its cache live in
 * sigv4_cache.c, the client-side signer in sigv4_sign.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/core.h"
#include "crypto/crypto.h"

/*
 * Longest Authorization header value accepted. AWS front ends refuse much
 * beyond 8 KiB per header (see GH_HEADERS_BYTES_MAX in core/limits.h);
 * 64 signed headers of ~100 bytes plus the credential fit well within it.
 */
#define AUTH_HEADER_MAX 8192

/* AWS IAM "Troubleshoot signed requests": the canonicalization error text. */
#define MSG_MISMATCH                                                                               \
    "The request signature we calculated does not match the signature you provided. Check "        \
    "your AWS Secret Access Key and signing method. Consult the service documentation for "        \
    "details."
/* AWS IAM/STS: MissingAuthenticationToken. */
#define MSG_MISSING "Request is missing Authentication Token"
#define MSG_QUERY_REEXAMINE "Re-examine the query-string parameters."
/* AWS S3 AuthorizationQueryParametersError texts (also used for iam/sts). */
#define MSG_S3_QUERY_REQUIRED                                                                      \
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "       \
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
#define MSG_DATE_FORMAT "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""

struct qparam {
    struct gh_slice name;  /* decoded */
    struct gh_slice value; /* decoded */
};

static bool
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool
gh_sigv4_is_s3(struct gh_slice service)
{
    return gh_slice_eq_cstr(service, "s3");
}

/* First header named `name` (ASCII case-insensitive); ptr NULL when absent. */
static struct gh_slice
hdr_first(const struct gh_sigv4_request *req, const char *name)
{
    struct gh_slice n = gh_slice_from_cstr(name);

    for (size_t i = 0; i < req->nheaders; i++)
        if (gh_slice_case_eq(req->headers[i].name, n))
            return req->headers[i].value.ptr != NULL ? req->headers[i].value : GH_S("");
    return GH_SLICE_NULL;
}

/*
 * Splits a raw query at '&' and decodes each name and value (no '+' to
 * space: SigV4 clients send %20). Repeats are kept, empty pieces skipped.
 */
static enum gh_err
query_parse(struct gh_arena *a, struct gh_slice q, struct qparam **out, size_t *n,
            struct gh_diag *diag)
{
    struct gh_slice rest = q, piece;
    size_t cap = 1, k = 0;
    struct qparam *p;
    enum gh_err err;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < q.len; i++)
        if (q.ptr[i] == '&')
            cap++;
    if (cap > GH_FORM_PARAMS_MAX) {
        gh_diag_set(diag, "Too many query-string parameters (more than %d).", GH_FORM_PARAMS_MAX);
        return GH_ERR_TOO_LARGE;
    }
    if ((p = gh_arena_alloc(a, cap * sizeof(*p))) == NULL)
        return GH_ERR_NOMEM;
    while (rest.len > 0 && gh_slice_split(&rest, '&', &piece)) {
        struct gh_slice name = piece, value = GH_S("");
        long eq = gh_slice_index(piece, '=');

        if (piece.len == 0)
            continue;
        if (eq >= 0) {
            name = gh_slice_sub(piece, 0, (size_t)eq);
            value = gh_slice_sub(piece, (size_t)eq + 1, piece.len);
        }
        if ((err = gh_uri_decode(a, name, false, &p[k].name)) != GH_OK ||
            (err = gh_uri_decode(a, value, false, &p[k].value)) != GH_OK) {
            if (err == GH_ERR_MALFORMED_QUERY)
                gh_diag_set(diag, "Malformed percent-encoding in query string parameter '%.*s'.",
                            GH_SP(name));
            return err;
        }
        k++;
    }
    *out = p;
    *n = k;
    return GH_OK;
}

/* ---- canonical request ---- */

enum gh_err
gh_sigv4_canon_uri(struct gh_buf *b, struct gh_slice path, bool normalize, bool double_encode,
                   struct gh_arena *a)
{
    struct gh_slice p = path;

    if (p.len == 0)
        p = GH_S("/");
    if (normalize) {
        /* AWS SigV4 (non-S3): RFC 3986 dot-segment removal, empty segments dropped. */
        size_t nseg = 1, k = 0, len = 0;
        struct gh_slice *seg, rest = p, s;
        bool trailing = false;
        char *out;

        for (size_t i = 0; i < p.len; i++)
            if (p.ptr[i] == '/')
                nseg++;
        if ((seg = gh_arena_alloc(a, nseg * sizeof(*seg))) == NULL)
            return GH_ERR_NOMEM;
        while (rest.len > 0 && gh_slice_split(&rest, '/', &s)) {
            trailing = false;
            if (s.len == 0 || gh_slice_eq_cstr(s, ".")) {
                trailing = gh_slice_eq_cstr(s, ".");
                continue;
            }
            if (gh_slice_eq_cstr(s, "..")) {
                if (k > 0)
                    k--;
                trailing = true;
                continue;
            }
            seg[k++] = s;
        }
        if (p.ptr[p.len - 1] == '/')
            trailing = true;
        for (size_t i = 0; i < k; i++)
            len += 1 + seg[i].len;
        if ((out = gh_arena_alloc(a, len + 2)) == NULL)
            return GH_ERR_NOMEM;
        len = 0;
        for (size_t i = 0; i < k; i++) {
            out[len++] = '/';
            memcpy(out + len, seg[i].ptr, seg[i].len);
            len += seg[i].len;
        }
        if (k == 0 || trailing)
            out[len++] = '/';
        p = (struct gh_slice){out, len};
    }
    if (!double_encode) {
        struct gh_slice dec;

        /* AWS SigV4 (S3): the path is encoded once; a bad escape stays as sent. */
        enum gh_err err = gh_uri_decode(a, p, false, &dec);

        if (err == GH_ERR_NOMEM)
            return err;
        if (err == GH_OK)
            p = dec;
    }
    return gh_uri_encode(b, p, true);
}

static int
qparam_cmp(const void *x, const void *y)
{
    const struct qparam *a = x, *b = y;
    int c = gh_slice_cmp(a->name, b->name);

    return c != 0 ? c : gh_slice_cmp(a->value, b->value);
}

/* AWS SigV4: decode, re-encode each name and value, sort by encoded name then value. */
static enum gh_err
canon_query(struct gh_buf *b, const struct gh_sigv4_request *req, const struct gh_sigv4_auth *auth,
            struct gh_arena *a, struct gh_diag *diag)
{
    struct qparam *p;
    size_t n, k = 0;
    struct gh_buf tmp;
    enum gh_err err;

    if ((err = query_parse(a, req->query, &p, &n, diag)) != GH_OK)
        return err;
    gh_buf_init(&tmp, 0);
    for (size_t i = 0; i < n; i++) {
        struct gh_slice en, ev;

        if (auth->presigned && gh_slice_eq_cstr(p[i].name, "X-Amz-Signature"))
            continue;
        if (auth->presigned && req->omit_session_token &&
            gh_slice_eq_cstr(p[i].name, "X-Amz-Security-Token"))
            continue;
        gh_buf_reset(&tmp);
        if ((err = gh_uri_encode(&tmp, p[i].name, false)) != GH_OK ||
            (err = gh_arena_dup(a, gh_buf_slice(&tmp), &en)) != GH_OK)
            goto done;
        gh_buf_reset(&tmp);
        if ((err = gh_uri_encode(&tmp, p[i].value, false)) != GH_OK ||
            (err = gh_arena_dup(a, gh_buf_slice(&tmp), &ev)) != GH_OK)
            goto done;
        p[k].name = en;
        p[k].value = ev;
        k++;
    }
    if (k > 1)
        qsort(p, k, sizeof(*p), qparam_cmp);
    for (size_t i = 0; i < k; i++) {
        if (i > 0)
            gh_buf_put(b, GH_S("&"));
        gh_buf_put(b, p[i].name);
        gh_buf_put(b, GH_S("="));
        gh_buf_put(b, p[i].value);
    }
    err = gh_buf_status(b);
done:
    gh_buf_cleanup(&tmp);
    return err;
}

/* AWS SigV4: trim, and turn each run of spaces into one (obs-fold included). */
static void
put_trimmed(struct gh_buf *b, struct gh_slice v)
{
    size_t i = 0;
    bool any = false;

    while (i < v.len) {
        size_t start;

        while (i < v.len && is_ws(v.ptr[i]))
            i++;
        if (i == v.len)
            break;
        start = i;
        while (i < v.len && !is_ws(v.ptr[i]))
            i++;
        if (any)
            gh_buf_put(b, GH_S(" "));
        gh_buf_put(b, gh_slice_sub(v, start, i - start));
        any = true;
    }
}

/* One "name:value[,value...]\n" line per signed header, in the listed order. */
static enum gh_err
canon_headers(struct gh_buf *b, const struct gh_sigv4_request *req, struct gh_slice signed_headers)
{
    struct gh_slice rest = signed_headers, name;

    while (rest.len > 0 && gh_slice_split(&rest, ';', &name)) {
        bool first = true;

        for (size_t i = 0; i < name.len; i++) {
            char c = name.ptr[i];
            char lc = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
            gh_buf_put(b, (struct gh_slice){&lc, 1});
        }
        gh_buf_put(b, GH_S(":"));
        /* AWS SigV4: repeated headers joined by ',' in the order received. */
        for (size_t i = 0; i < req->nheaders; i++) {
            if (!gh_slice_case_eq(req->headers[i].name, name))
                continue;
            if (!first)
                gh_buf_put(b, GH_S(","));
            put_trimmed(b, req->headers[i].value);
            first = false;
        }
        gh_buf_put(b, GH_S("\n"));
    }
    return gh_buf_status(b);
}

/*
 * The payload hash line. AWS SigV4: the hex SHA-256 of the body; S3 also
 * takes x-amz-content-sha256 UNSIGNED-PAYLOAD / STREAMING-* as sent, and a
 * presigned S3 URL without it signs UNSIGNED-PAYLOAD. Other services hash
 * the body themselves, so a header that disagrees cannot verify.
 */
static enum gh_err
payload_hash(const struct gh_sigv4_request *req, const struct gh_sigv4_auth *auth, char hex[65],
             struct gh_slice *out, struct gh_diag *diag)
{
    struct gh_slice hdr = hdr_first(req, "x-amz-content-sha256");
    struct gh_slice body_hex = {hex, 64};

    if (req->payload_hash_hex.ptr != NULL) {
        /* The caller digests the body as it streams and compares at the end. */
        uint8_t bin[GH_SHA256_LEN];
        if (req->payload_hash_hex.len != 64 ||
            gh_hex_decode(req->payload_hash_hex, bin, sizeof(bin)) != GH_OK) {
            gh_diag_set(diag, "The provided 'x-amz-content-sha256' header must be a valid SHA256.");
            return GH_ERR_SIGNATURE;
        }
        memcpy(hex, req->payload_hash_hex.ptr, 64);
    } else {
        gh_sha256_hex(req->body.ptr != NULL ? req->body.ptr : "", req->body.len, hex);
    }
    hex[64] = '\0';
    *out = body_hex;
    if (gh_sigv4_is_s3(auth->service)) {
        if (hdr.ptr == NULL) {
            if (auth->presigned)
                *out = GH_S("UNSIGNED-PAYLOAD");
            return GH_OK;
        }
        hdr = gh_slice_trim(hdr);
        if (gh_slice_eq_cstr(hdr, "UNSIGNED-PAYLOAD") ||
            gh_slice_starts_with(hdr, GH_S("STREAMING-"))) {
            *out = hdr;
            return GH_OK;
        }
        if (!gh_slice_eq(hdr, body_hex)) {
            /* AWS S3: XAmzContentSHA256Mismatch. */
            gh_diag_set(diag, "The provided 'x-amz-content-sha256' header does not match what "
                              "was computed.");
            return GH_ERR_SIGNATURE;
        }
        return GH_OK;
    }
    if (hdr.ptr != NULL && !gh_slice_eq(gh_slice_trim(hdr), body_hex)) {
        gh_diag_set(diag, "%s", MSG_MISMATCH);
        return GH_ERR_SIGNATURE;
    }
    return GH_OK;
}

enum gh_err
gh_sigv4_canonical(const struct gh_sigv4_request *req, const struct gh_sigv4_auth *auth,
                   struct gh_arena *a, struct gh_buf *canonical_request,
                   struct gh_buf *string_to_sign, struct gh_diag *diag)
{
    struct gh_buf cr;
    char hex[65], crhex[64];
    struct gh_slice ph;
    bool s3 = gh_sigv4_is_s3(auth->service);
    enum gh_err err;

    gh_diag_clear(diag);
    gh_buf_init(&cr, 0);
    if ((err = payload_hash(req, auth, hex, &ph, diag)) != GH_OK)
        goto done;
    gh_buf_put(&cr, req->method);
    gh_buf_put(&cr, GH_S("\n"));
    if ((err = gh_sigv4_canon_uri(&cr, req->path, req->normalize_path && !s3, !s3, a)) != GH_OK)
        goto done;
    gh_buf_put(&cr, GH_S("\n"));
    if ((err = canon_query(&cr, req, auth, a, diag)) != GH_OK)
        goto done;
    gh_buf_put(&cr, GH_S("\n"));
    if ((err = canon_headers(&cr, req, auth->signed_headers)) != GH_OK)
        goto done;
    gh_buf_put(&cr, GH_S("\n"));
    gh_buf_put(&cr, auth->signed_headers);
    gh_buf_put(&cr, GH_S("\n"));
    gh_buf_put(&cr, ph);
    if ((err = gh_buf_status(&cr)) != GH_OK)
        goto done;
    if (canonical_request != NULL &&
        (err = gh_buf_append_slice(canonical_request, gh_buf_slice(&cr))) != GH_OK)
        goto done;
    if (string_to_sign != NULL) {
        gh_sha256_hex(cr.ptr, cr.len, crhex);
        gh_buf_putf(string_to_sign, "%s\n%.*s\n%.*s/%.*s/%.*s/%s\n%.64s", GH_SIGV4_ALGORITHM,
                    GH_SP(auth->amz_date), GH_SP(auth->date), GH_SP(auth->region),
                    GH_SP(auth->service), GH_SIGV4_TERMINATOR, crhex);
        err = gh_buf_status(string_to_sign);
    }
done:
    gh_buf_cleanup(&cr);
    return err;
}

/* ---- parsing ---- */

/* The 4th element of a credential ("AKID/date/region/service/term"), if any. */
static struct gh_slice
cred_service(struct gh_slice cred)
{
    struct gh_slice part = GH_SLICE_NULL;

    for (int i = 0; i < 4; i++)
        if (!gh_slice_split(&cred, '/', &part))
            return GH_SLICE_NULL;
    return part;
}

/*
 * Credential scope, signed headers and date checks shared by both forms.
 * `cred` is the whole Credential value.
 */
static enum gh_err
check_scope(const struct gh_sigv4_request *req, struct gh_slice cred, bool token_in_query,
            struct gh_sigv4_auth *out, struct gh_diag *diag)
{
    struct gh_slice rest = cred, part[5], term, sh, name;
    size_t nslash = 0, nsh = 0;
    bool host = false;

    for (size_t i = 0; i < cred.len; i++)
        if (cred.ptr[i] == '/')
            nslash++;
    if (nslash != 4) {
        if (out->presigned && gh_sigv4_is_s3(cred_service(cred))) {
            gh_diag_set(diag, "Error parsing the X-Amz-Credential parameter; the Credential is "
                              "mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/"
                              "aws4_request\".");
            return GH_ERR_QUERY_AUTH;
        }
        /* AWS (IAM/STS front end) wording for a malformed credential. */
        gh_diag_set(diag,
                    "Credential must have exactly 5 slash-delimited elements, e.g. "
                    "keyid/date/region/service/term, got '%.*s'",
                    GH_SP(cred));
        return GH_ERR_INCOMPLETE_SIG;
    }
    for (int i = 0; i < 5; i++) {
        part[i] = GH_S("");
        if (rest.len > 0)
            (void)gh_slice_split(&rest, '/', &part[i]);
    }
    out->access_key_id = part[0];
    out->date = part[1];
    out->region = part[2];
    out->service = part[3];
    term = part[4];
    if (out->access_key_id.len == 0) {
        gh_diag_set(diag,
                    "Credential must have exactly 5 slash-delimited elements, e.g. "
                    "keyid/date/region/service/term, got '%.*s'",
                    GH_SP(cred));
        return GH_ERR_INCOMPLETE_SIG;
    }
    /* AWS IAM "Troubleshoot signed requests": credential scope errors. */
    if (!gh_slice_eq_cstr(term, GH_SIGV4_TERMINATOR)) {
        gh_diag_set(diag,
                    "Credential should be scoped with a valid terminator: 'aws4_request', "
                    "not '%.*s'.",
                    GH_SP(term));
        return GH_ERR_SIGNATURE;
    }
    if (out->region.len == 0) {
        gh_diag_set(diag, "Credential should be scoped to a valid region, not ''.");
        return GH_ERR_SIGNATURE;
    }
    if (out->service.len == 0) {
        gh_diag_set(diag, "Credential should be scoped to correct service: ''.");
        return GH_ERR_SIGNATURE;
    }
    if (!gh_slice_eq(out->date, gh_slice_sub(out->amz_date, 0, 8))) {
        gh_diag_set(diag,
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                    "date from HTTP: '%.*s' != '%.*s', from '%.*s'.",
                    GH_SP(out->date), GH_SP(gh_slice_sub(out->amz_date, 0, 8)),
                    GH_SP(out->amz_date));
        return GH_ERR_SIGNATURE;
    }
    sh = out->signed_headers;
    while (sh.len > 0 && gh_slice_split(&sh, ';', &name)) {
        if (name.len == 0) {
            gh_diag_set(diag, "SignedHeaders contains an empty header name: '%.*s'.",
                        GH_SP(out->signed_headers));
            return GH_ERR_INCOMPLETE_SIG;
        }
        if (++nsh > GH_SIGV4_SIGNED_HEADERS_MAX) {
            gh_diag_set(diag, "SignedHeaders lists more than %d headers.",
                        GH_SIGV4_SIGNED_HEADERS_MAX);
            return GH_ERR_INCOMPLETE_SIG;
        }
        if (gh_slice_case_eq(name, GH_S("host")))
            host = true;
    }
    if (!host) {
        gh_diag_set(diag, "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                          "Authorization.");
        return GH_ERR_SIGNATURE;
    }
    /*
     * A session token sent as a header must be covered by the signature
     * (unless it came as a presigned query parameter, which always is).
     * S3 names it in HeadersNotSigned instead (gh_sigv4_verify).
     */
    if (!req->omit_session_token && !gh_sigv4_is_s3(out->service) &&
        hdr_first(req, "x-amz-security-token").ptr != NULL && !(out->presigned && token_in_query)) {
        bool covered = false;

        sh = out->signed_headers;
        while (sh.len > 0 && gh_slice_split(&sh, ';', &name))
            if (gh_slice_case_eq(name, GH_S("x-amz-security-token")))
                covered = true;
        if (!covered) {
            gh_diag_set(diag, "%s", MSG_MISMATCH);
            return GH_ERR_SIGNATURE;
        }
    }
    return GH_OK;
}

/* The request time of header auth: X-Amz-Date, else Date. */
static enum gh_err
header_date(const struct gh_sigv4_request *req, struct gh_arena *a, struct gh_sigv4_auth *out,
            bool *present, struct gh_diag *diag)
{
    struct gh_slice xd = hdr_first(req, "x-amz-date"), d;
    char amz[17];

    *present = false;
    if (xd.ptr != NULL) {
        *present = true;
        xd = gh_slice_trim(xd);
        if (gh_time_parse_amz(xd, &out->request_time) != GH_OK) {
            gh_diag_set(diag, "%s", MSG_DATE_FORMAT);
            return GH_ERR_INCOMPLETE_SIG;
        }
        out->amz_date = xd;
        return GH_OK;
    }
    if ((d = hdr_first(req, "date")).ptr == NULL)
        return GH_OK;
    *present = true;
    if (gh_time_parse_http(d, &out->request_time) != GH_OK) {
        gh_diag_set(diag, "Date must be in the RFC 7231 format \"EEE, dd MMM yyyy HH:mm:ss "
                          "'GMT'\"");
        return GH_ERR_INCOMPLETE_SIG;
    }
    gh_time_amz(out->request_time, amz);
    return gh_arena_dup(a, (struct gh_slice){amz, 16}, &out->amz_date);
}

static enum gh_err
parse_header(const struct gh_sigv4_request *req, struct gh_slice v, struct gh_arena *a,
             struct gh_sigv4_auth *out, struct gh_diag *diag)
{
    struct gh_slice all = gh_slice_trim(v), rest, algo;
    struct gh_slice cred = GH_SLICE_NULL, sh = GH_SLICE_NULL, sig = GH_SLICE_NULL;
    bool has_date = false;
    long sp;
    enum gh_err err;
    struct gh_buf msg;

    if (v.len > AUTH_HEADER_MAX) {
        gh_diag_set(diag, "Authorization header is longer than %d bytes.", AUTH_HEADER_MAX);
        return GH_ERR_INCOMPLETE_SIG;
    }
    rest = all;
    sp = -1;
    for (size_t i = 0; i < rest.len; i++)
        if (is_ws(rest.ptr[i])) {
            sp = (long)i;
            break;
        }
    algo = sp < 0 ? rest : gh_slice_sub(rest, 0, (size_t)sp);
    rest = sp < 0 ? GH_S("") : gh_slice_sub(rest, (size_t)sp, rest.len);
    if (gh_slice_eq_cstr(algo, GH_SIGV4_ALGORITHM)) {
        size_t i = 0;

        /* AWS: parameters are key=value, separated by ',' and spaces. */
        while (i < rest.len) {
            size_t start;
            struct gh_slice tok, key, val;
            long eq;

            while (i < rest.len && (is_ws(rest.ptr[i]) || rest.ptr[i] == ','))
                i++;
            if (i == rest.len)
                break;
            start = i;
            while (i < rest.len && !is_ws(rest.ptr[i]) && rest.ptr[i] != ',')
                i++;
            tok = gh_slice_sub(rest, start, i - start);
            if ((eq = gh_slice_index(tok, '=')) < 0) {
                gh_diag_set(diag,
                            "'%.*s' not a valid key=value pair (missing equal-sign) in "
                            "Authorization header: '%.*s'.",
                            GH_SP(tok), GH_SP(all));
                return GH_ERR_INCOMPLETE_SIG;
            }
            key = gh_slice_sub(tok, 0, (size_t)eq);
            val = gh_slice_sub(tok, (size_t)eq + 1, tok.len);
            if (gh_slice_eq_cstr(key, "Credential") && cred.ptr == NULL)
                cred = val;
            else if (gh_slice_eq_cstr(key, "SignedHeaders") && sh.ptr == NULL)
                sh = val;
            else if (gh_slice_eq_cstr(key, "Signature") && sig.ptr == NULL)
                sig = val;
        }
    }
    if ((err = header_date(req, a, out, &has_date, diag)) != GH_OK)
        return err;
    if (cred.ptr == NULL || sh.ptr == NULL || sig.ptr == NULL || !has_date) {
        /* AWS: every missing part is named, then the header is echoed. */
        gh_buf_init(&msg, sizeof(diag->text));
        if (cred.ptr == NULL)
            gh_buf_puts(&msg, "Authorization header requires 'Credential' parameter. ");
        if (sig.ptr == NULL)
            gh_buf_puts(&msg, "Authorization header requires 'Signature' parameter. ");
        if (sh.ptr == NULL)
            gh_buf_puts(&msg, "Authorization header requires 'SignedHeaders' parameter. ");
        if (!has_date)
            gh_buf_puts(&msg, "Authorization header requires existence of either a "
                              "'X-Amz-Date' or a 'Date' header. ");
        gh_buf_putf(&msg, "Authorization=%.*s", GH_SP(all));
        gh_diag_set(diag, "%.*s", GH_SP(gh_buf_slice(&msg)));
        gh_buf_cleanup(&msg);
        return GH_ERR_INCOMPLETE_SIG;
    }
    out->signed_headers = sh;
    out->signature = sig;
    out->security_token = hdr_first(req, "x-amz-security-token");
    if (out->security_token.ptr == NULL)
        out->security_token = GH_S("");
    out->security_token = gh_slice_trim(out->security_token);
    return check_scope(req, cred, false, out, diag);
}

/* Index of the only parameter named `name`: -1 absent, -2 repeated. */
static long
qfind(const struct qparam *p, size_t n, const char *name)
{
    long at = -1;

    for (size_t i = 0; i < n; i++)
        if (gh_slice_eq_cstr(p[i].name, name)) {
            if (at >= 0)
                return -2;
            at = (long)i;
        }
    return at;
}

static enum gh_err
parse_query(const struct gh_sigv4_request *req, const struct qparam *p, size_t n,
            struct gh_sigv4_auth *out, struct gh_diag *diag)
{
    static const char *const names[] = {"X-Amz-Algorithm", "X-Amz-Credential",    "X-Amz-Signature",
                                        "X-Amz-Date",      "X-Amz-SignedHeaders", "X-Amz-Expires"};
    long at[GH_ARRAY_LEN(names)];
    bool missing = false, s3;
    long tok;
    int64_t exp;
    struct gh_buf msg;

    for (size_t i = 0; i < GH_ARRAY_LEN(names); i++) {
        at[i] = qfind(p, n, names[i]);
        if (at[i] == -2) {
            gh_diag_set(diag, "AWS query-string parameters must not repeat '%s'. %s", names[i],
                        MSG_QUERY_REEXAMINE);
            return GH_ERR_QUERY_AUTH;
        }
        missing |= at[i] < 0;
    }
    s3 = at[1] >= 0 ? gh_sigv4_is_s3(cred_service(p[at[1]].value)) : !req->normalize_path;
    if (missing) {
        if (s3) {
            gh_diag_set(diag, "%s", MSG_S3_QUERY_REQUIRED);
            return GH_ERR_QUERY_AUTH;
        }
        gh_buf_init(&msg, sizeof(diag->text));
        for (size_t i = 0; i < GH_ARRAY_LEN(names); i++)
            if (at[i] < 0)
                gh_buf_putf(&msg, "AWS query-string parameters must include '%s'. ", names[i]);
        gh_buf_puts(&msg, MSG_QUERY_REEXAMINE);
        gh_diag_set(diag, "%.*s", GH_SP(gh_buf_slice(&msg)));
        gh_buf_cleanup(&msg);
        return GH_ERR_INCOMPLETE_SIG;
    }
    if (!gh_slice_eq_cstr(p[at[0]].value, GH_SIGV4_ALGORITHM)) {
        gh_diag_set(diag, "X-Amz-Algorithm only supports \"%s\"", GH_SIGV4_ALGORITHM);
        return GH_ERR_QUERY_AUTH;
    }
    /* AWS S3 AuthorizationQueryParametersError texts for X-Amz-Expires. */
    if (gh_parse_i64(p[at[5]].value, INT64_MIN / 2, INT64_MAX / 2, &exp) != GH_OK) {
        gh_diag_set(diag, "X-Amz-Expires should be a number");
        return GH_ERR_QUERY_AUTH;
    }
    if (exp < 0) {
        gh_diag_set(diag, "X-Amz-Expires must be non-negative");
        return GH_ERR_QUERY_AUTH;
    }
    if (exp > GH_SIGV4_EXPIRES_MAX) {
        gh_diag_set(diag, "X-Amz-Expires must be less than a week (in seconds) that is %d",
                    GH_SIGV4_EXPIRES_MAX);
        return GH_ERR_QUERY_AUTH;
    }
    out->expires_s = exp;
    out->amz_date = p[at[3]].value;
    if (gh_time_parse_amz(out->amz_date, &out->request_time) != GH_OK) {
        gh_diag_set(diag, "%s", MSG_DATE_FORMAT);
        return GH_ERR_QUERY_AUTH;
    }
    out->signature = p[at[2]].value;
    out->signed_headers = p[at[4]].value;
    if ((tok = qfind(p, n, "X-Amz-Security-Token")) == -2) {
        gh_diag_set(diag, "AWS query-string parameters must not repeat 'X-Amz-Security-Token'. %s",
                    MSG_QUERY_REEXAMINE);
        return GH_ERR_QUERY_AUTH;
    }
    out->security_token = tok >= 0 ? p[tok].value : GH_S("");
    if (tok < 0 && hdr_first(req, "x-amz-security-token").ptr != NULL)
        out->security_token = gh_slice_trim(hdr_first(req, "x-amz-security-token"));
    return check_scope(req, p[at[1]].value, tok >= 0, out, diag);
}

enum gh_err
gh_sigv4_parse(const struct gh_sigv4_request *req, struct gh_arena *a, struct gh_sigv4_auth *out,
               struct gh_diag *diag)
{
    struct gh_slice authz = hdr_first(req, "authorization");
    struct qparam *p = NULL;
    size_t n = 0;
    bool query_auth = false;
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    gh_diag_clear(diag);
    if ((err = query_parse(a, req->query, &p, &n, diag)) != GH_OK)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (gh_slice_eq_cstr(p[i].name, "X-Amz-Algorithm") ||
            gh_slice_eq_cstr(p[i].name, "X-Amz-Credential") ||
            gh_slice_eq_cstr(p[i].name, "X-Amz-Signature"))
            query_auth = true;
    if (authz.ptr != NULL && query_auth) {
        /* AWS S3 InvalidArgument wording; gatehouse refuses the ambiguity everywhere. */
        gh_diag_set(diag, "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                          "parameter, Signature query string parameter or the Authorization "
                          "header should be specified");
        err = GH_ERR_INVALID_PARAM;
        goto done;
    }
    if (authz.ptr == NULL && !query_auth) {
        gh_diag_set(diag, "%s", MSG_MISSING);
        err = GH_ERR_MISSING_AUTH;
        goto done;
    }
    out->presigned = query_auth;
    err = query_auth ? parse_query(req, p, n, out, diag) : parse_header(req, authz, a, out, diag);
done:
    if (err != GH_OK)
        memset(out, 0, sizeof(*out)); /* nothing half-built */
    return err;
}

/* ---- verification ---- */

static bool
is_signed(struct gh_slice signed_headers, struct gh_slice name)
{
    struct gh_slice rest = signed_headers, n;

    while (rest.len > 0 && gh_slice_split(&rest, ';', &n))
        if (gh_slice_case_eq(n, name))
            return true;
    return false;
}

/*
 * AWS S3: a request that carries an x-amz-* header its signature does not
 * cover is refused, AccessDenied "There were headers present in the request
 * which were not signed", the headers listed in HeadersNotSigned, as
 * "x-amz-meta-s1, x-amz-tagging" (apache/arrow-rs-object-store#484,
 * soto-project/soto-core#99). SigV4 itself only demands host, so without
 * this a presigned PutObject URL (SignedHeaders=host) could carry any
 * x-amz-copy-source, x-amz-tagging or x-amz-meta-* its holder liked.
 */
bool
gh_sigv4_unsigned_headers(const struct gh_sigv4_request *req, const struct gh_sigv4_auth *auth,
                          struct gh_buf *out)
{
    bool any = false;

    for (size_t i = 0; i < req->nheaders; i++) {
        struct gh_slice name = req->headers[i].name;
        bool seen = false;

        if (name.len < 6 || !gh_slice_case_eq(gh_slice_sub(name, 0, 6), GH_S("x-amz-")) ||
            gh_slice_case_eq(name, GH_S("x-amz-content-sha256")) ||
            (req->omit_session_token && gh_slice_case_eq(name, GH_S("x-amz-security-token"))) ||
            is_signed(auth->signed_headers, name))
            continue;
        for (size_t j = 0; j < i && !seen; j++)
            seen = gh_slice_case_eq(req->headers[j].name, name);
        if (seen)
            continue;
        if (out != NULL) {
            if (any)
                gh_buf_put(out, GH_S(", "));
            for (size_t k = 0; k < name.len; k++) {
                char c = name.ptr[k];
                char lc = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
                gh_buf_put(out, (struct gh_slice){&lc, 1});
            }
        }
        any = true;
    }
    return any;
}

static enum gh_err
check_time(const struct gh_sigv4_auth *auth, int64_t now, struct gh_diag *diag)
{
    char t[17], lim[17], n[17];

    gh_time_amz(auth->request_time, t);
    gh_time_amz(now, n);
    /* AWS: a request is valid within 15 minutes either side of the server clock. */
    if (auth->request_time > now + GH_SIGV4_SKEW_S) {
        gh_time_amz(now + GH_SIGV4_SKEW_S, lim);
        gh_diag_set(diag, "Signature not yet current: %s is still later than %s (%s + %d min.)", t,
                    lim, n, GH_SIGV4_SKEW_S / 60);
        return GH_ERR_SIGNATURE_EXPIRED;
    }
    if (auth->presigned) {
        if (now > auth->request_time + auth->expires_s) {
            /*
             * AWS S3: AccessDenied "Request has expired". IAM/STS: RequestExpired
             * (the wording AWS uses there is not documented; S3's is reused).
             */
            gh_diag_set(diag, "Request has expired");
            return gh_sigv4_is_s3(auth->service) ? GH_ERR_ACCESS_DENIED : GH_ERR_REQUEST_EXPIRED;
        }
        return GH_OK;
    }
    if (auth->request_time < now - GH_SIGV4_SKEW_S) {
        gh_time_amz(now - GH_SIGV4_SKEW_S, lim);
        gh_diag_set(diag, "Signature expired: %s is now earlier than %s (%s - %d min.)", t, lim, n,
                    GH_SIGV4_SKEW_S / 60);
        return GH_ERR_SIGNATURE_EXPIRED;
    }
    return GH_OK;
}

enum gh_err
gh_sigv4_verify(const struct gh_sigv4_request *req, const struct gh_sigv4_auth *auth,
                const struct gh_secret *secret, int64_t now, struct gh_sigv4_key_cache *cache,
                struct gh_arena *a, struct gh_diag *diag)
{
    uint8_t key[GH_SHA256_LEN], want[GH_SHA256_LEN], got[GH_SHA256_LEN];
    struct gh_buf sts;
    enum gh_err err;

    gh_diag_clear(diag);
    gh_buf_init(&sts, 0);
    memset(key, 0, sizeof(key));
    memset(want, 0, sizeof(want));
    if (gh_sigv4_unsigned_headers(req, auth, NULL)) {
        /*
         * AWS S3 answers AccessDenied (above). IAM, STS and the JSON services
         * document only the canonicalization error for a request whose
         * signature does not cover it (IAM User Guide, "Troubleshoot signed
         * requests"): SignatureDoesNotMatch, as for an unsigned token.
         */
        if (gh_sigv4_is_s3(auth->service)) {
            gh_diag_set(diag, "There were headers present in the request which were not signed");
            err = GH_ERR_ACCESS_DENIED;
        } else {
            gh_diag_set(diag, "%s", MSG_MISMATCH);
            err = GH_ERR_SIGNATURE;
        }
        goto done;
    }
    if ((err = check_time(auth, now, diag)) != GH_OK)
        goto done;
    if ((err = gh_sigv4_canonical(req, auth, a, NULL, &sts, diag)) != GH_OK)
        goto done;
    if ((err = gh_sigv4_key_get(cache, secret, auth->access_key_id, auth->date, auth->region,
                                auth->service, key)) != GH_OK)
        goto done;
    gh_sigv4_signature(key, gh_buf_slice(&sts), want);
    /* AWS SigV4: the client's hex is public, so decode it first; compare binary in constant time.
     */
    if (gh_hex_decode(auth->signature, got, sizeof(got)) != GH_OK ||
        CRYPTO_memcmp(got, want, sizeof(want)) != 0) {
        gh_diag_set(diag, "%s", MSG_MISMATCH);
        err = GH_ERR_SIGNATURE;
        goto done;
    }
    err = GH_OK;
done:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(want, sizeof(want));
    OPENSSL_cleanse(got, sizeof(got));
    gh_buf_cleanup(&sts);
    return err;
}
