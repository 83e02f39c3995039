/*
 * core.h: the vocabulary every module shares: errors and their AWS
 * mapping, byte slices, bounded buffers, per-request arenas, time and the
 * encodings (hex, base64, percent, XML) the wire formats need.
 */
#ifndef GH_CORE_H
#define GH_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/limits.h"

#define GH_MUST_CHECK __attribute__((warn_unused_result))
#define GH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define GH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Every failure a function can report. The table in err.c maps each to the
 * AWS error a client sees (Code, Sender/Receiver, HTTP status); handlers
 * never choose a status themselves.
 */
enum gh_err {
    GH_OK = 0,
    GH_ERR_INTERNAL = -1,        /* InternalFailure, 500 */
    GH_ERR_NOMEM = -2,           /* ServiceFailure, 500 */
    GH_ERR_IO = -3,              /* ServiceFailure, 500 */
    GH_ERR_TOO_LARGE = -4,       /* RequestEntityTooLarge, 413 */
    GH_ERR_NOT_FOUND = -5,       /* NoSuchEntity, 404 */
    GH_ERR_EXISTS = -6,          /* EntityAlreadyExists, 409 */
    GH_ERR_VALIDATION = -7,      /* ValidationError, 400 */
    GH_ERR_INVALID_INPUT = -8,   /* InvalidInput, 400 */
    GH_ERR_MISSING_PARAM = -9,   /* MissingParameter, 400 */
    GH_ERR_INVALID_PARAM = -10,  /* InvalidParameterValue, 400 */
    GH_ERR_INVALID_ACTION = -11, /* InvalidAction, 400 */
    GH_ERR_MALFORMED_QUERY = -12, /* MalformedQueryString, 404 */
    GH_ERR_LIMIT = -13,          /* LimitExceeded, 409 */
    GH_ERR_DELETE_CONFLICT = -14, /* DeleteConflict, 409 */
    GH_ERR_MALFORMED_POLICY = -15, /* MalformedPolicyDocument, 400 */
    GH_ERR_ACCESS_DENIED = -16,  /* AccessDenied, 403 */
    GH_ERR_MISSING_AUTH = -17,   /* MissingAuthenticationToken, 403 */
    GH_ERR_INCOMPLETE_SIG = -18, /* IncompleteSignature, 400 */
    GH_ERR_INVALID_TOKEN_ID = -19, /* InvalidClientTokenId, 403 */
    GH_ERR_SIGNATURE = -20,      /* SignatureDoesNotMatch, 403 */
    GH_ERR_REQUEST_EXPIRED = -21, /* RequestExpired, 400 */
    GH_ERR_EXPIRED_TOKEN = -22,  /* ExpiredToken, 400 */
    GH_ERR_SIGNATURE_EXPIRED = -23, /* SignatureDoesNotMatch "Signature expired", 403 */
    GH_ERR_INVALID_VERSION = -24, /* InvalidAction (unknown Version), 400 */
    GH_ERR_UNMODIFIABLE = -25,   /* UnmodifiableEntity, 400 */
    GH_ERR_CONCURRENT = -26,     /* ConcurrentModification, 409 */
    GH_ERR_PACKED_POLICY = -27,  /* PackedPolicyTooLarge, 400 */
    GH_ERR_QUERY_AUTH = -28,     /* AuthorizationQueryParametersError, 400 */
    GH_ERR_NOT_IMPLEMENTED = -29, /* NotImplemented, 501 */
    GH_ERR_METHOD = -30,         /* MethodNotAllowed (non-POST/GET), 405 */
    GH_ERR_INVALID_QUERY_PARAMETER = -31, /* InvalidQueryParameter 400 */
    GH_ERR_INVALID_IDENTITY_TOKEN = -32, /* InvalidIdentityToken, 400 */
    GH_ERR_EXPIRED_TOKEN_EXCEPTION = -33, /* ExpiredTokenException (STS federation), 400 */
    GH_ERR_IDP_REJECTED_CLAIM = -34, /* IDPRejectedClaim, 403 */
    GH_ERR_IDP_COMMUNICATION = -35, /* IDPCommunicationError, 400 */
    GH_ERR_INVALID_AUTH_CODE = -36,  /* InvalidAuthenticationCode, 403 */
    GH_ERR_PASSWORD_POLICY = -37,    /* PasswordPolicyViolation, 400 */
    GH_ERR_REPORT_NOT_PRESENT = -38, /* ReportNotPresent, 410 */
    GH_ERR_REPORT_EXPIRED = -39,     /* ReportExpired, 410 */
    GH_ERR_REPORT_IN_PROGRESS = -40, /* ReportInProgress, 404 */
    GH_ERR_TEMP_UNMODIFIABLE = -41,  /* EntityTemporarilyUnmodifiable, 409 */
    GH_ERR_INVALID_PUBLIC_KEY = -42, /* InvalidPublicKey, 400 */
    GH_ERR_KEY_ENCODING = -43,       /* UnrecognizedPublicKeyEncoding, 400 */
    GH_ERR_DUPLICATE_SSH_KEY = -44,  /* DuplicateSSHPublicKey, 400 */
    GH_ERR_MALFORMED_CERT = -45,     /* MalformedCertificate, 400 */
    GH_ERR_INVALID_CERT = -46,       /* InvalidCertificate, 400 */
    GH_ERR_DUPLICATE_CERT = -47,     /* DuplicateCertificate, 409 */
    GH_ERR_INVALID_USER_TYPE = -48,  /* InvalidUserType, 400 */
};
#define GH_ERR_COUNT 49

/* The AWS face of an error: its Code, Type (Sender/Receiver), HTTP status. */
struct gh_err_info {
    const char *code;
    bool sender;
    int http_status;
};

/* Never NULL; unknown codes map to InternalFailure. */
const struct gh_err_info *gh_err_info(enum gh_err err);
/* A short English name for logs ("not found"); never NULL. */
const char *gh_err_str(enum gh_err err);

/*
 * Diagnostics from a parser: where (1-based line and column, 0 if unknown)
 * and what, in AWS's words when AWS has words for it.
 */
struct gh_diag {
    int line;
    int column;
    char text[512];
};

void gh_diag_clear(struct gh_diag *d);
void gh_diag_set(struct gh_diag *d, const char *fmt, ...) GH_PRINTF(2, 3);

/* ---- slices: borrowed bytes, not NUL-terminated ---- */

struct gh_slice {
    const char *ptr;
    size_t len;
};

#define GH_SLICE_NULL ((struct gh_slice){NULL, 0})
/* A slice over a string literal: GH_S("abc"). */
#define GH_S(lit) ((struct gh_slice){(lit), sizeof(lit) - 1})
/* The same as an initializer, for static tables: {GH_SLICE_INIT("abc"), ...}. */
#define GH_SLICE_INIT(lit) {(lit), sizeof(lit) - 1}
/* For printf: printf("%.*s", GH_SP(s)). */
#define GH_SP(s) (int)(s).len, (s).ptr

struct gh_slice gh_slice_from_cstr(const char *s);
struct gh_slice gh_slice_sub(struct gh_slice s, size_t off, size_t len);
bool gh_slice_eq(struct gh_slice a, struct gh_slice b);
bool gh_slice_eq_cstr(struct gh_slice a, const char *b);
/* ASCII case-insensitive. */
bool gh_slice_case_eq(struct gh_slice a, struct gh_slice b);
bool gh_slice_starts_with(struct gh_slice s, struct gh_slice prefix);
bool gh_slice_ends_with(struct gh_slice s, struct gh_slice suffix);
/* Byte-wise order, as memcmp then length. */
int gh_slice_cmp(struct gh_slice a, struct gh_slice b);
/* Index of the first `c`, or -1. */
long gh_slice_index(struct gh_slice s, char c);
/*
 * Cut `*s` at the first `sep`: `*head` gets what is before it and `*s`
 * moves past it. With no `sep` left, `*head` gets all of `*s`, `*s`
 * becomes empty and the call still returns true; it returns false only
 * when `*s` was already empty (ptr NULL or len 0 and no separator).
 */
bool gh_slice_split(struct gh_slice *s, char sep, struct gh_slice *head);
/* Strip ASCII spaces and tabs at both ends. */
struct gh_slice gh_slice_trim(struct gh_slice s);
/* Whole slice must be decimal digits in [0, max]; no sign, no spaces. */
GH_MUST_CHECK enum gh_err gh_parse_u64(struct gh_slice s, uint64_t max, uint64_t *out);
/* Optional leading '-', then as gh_parse_u64 within [min, max]. */
GH_MUST_CHECK enum gh_err gh_parse_i64(struct gh_slice s, int64_t min, int64_t max, int64_t *out);
/*
 * The code point of the well-formed UTF-8 sequence at s.ptr[*i], *i moved
 * past it; -1, *i unchanged, when the bytes there start none (a stray
 * continuation byte, an overlong form, a surrogate, beyond U+10FFFF, cut
 * short) or *i is at the end.
 */
int32_t gh_utf8_next(struct gh_slice s, size_t *i);
/* True when the bytes are well-formed UTF-8 (no overlongs, no surrogates). */
bool gh_utf8_is_valid(struct gh_slice s);
/*
 * True when every byte of `s` is an ASCII letter or digit or one of the
 * characters of `extra` (a C string): the AWS name charsets such as
 * [\w+=,.@-] are gh_slice_is_charset(s, "_+=,.@-"). A NUL byte never
 * matches (strchr would find the terminator). True for an empty slice.
 */
bool gh_slice_is_charset(struct gh_slice s, const char *extra);

/* ---- arenas: one per request, freed in one call ---- */

struct gh_arena_chunk;
struct gh_arena {
    struct gh_arena_chunk *head;
    size_t used_total;
    size_t max_total; /* 0 = GH_ARENA_MAX */
};

void gh_arena_init(struct gh_arena *a);
/* Wipes and frees every chunk (arenas hold decoded passwords and keys); `a` is empty after. */
void gh_arena_cleanup(struct gh_arena *a);
/* 16-byte aligned, zeroed; NULL when out of memory or over the cap. */
void *gh_arena_alloc(struct gh_arena *a, size_t n);
/* A NUL-terminated copy of `s`; NULL on NOMEM. */
char *gh_arena_strndup(struct gh_arena *a, struct gh_slice s);
/* A slice copy (with a NUL after it for library edges). */
GH_MUST_CHECK enum gh_err gh_arena_dup(struct gh_arena *a, struct gh_slice s, struct gh_slice *out);
char *gh_arena_printf(struct gh_arena *a, const char *fmt, ...) GH_PRINTF(2, 3);

/* ---- counted allocation: for libraries that hide their failures ---- */

/*
 * malloc that counts, per thread, the allocations that failed. Installed
 * once at start-up as jansson's allocator (json_set_alloc_funcs with
 * free): jansson 2.14 turns some allocation failures into syntax errors
 * and ignores others, dropping a character from a string it parses
 * (jansson issue #362), so a parse that saw a failure must be refused
 * as GH_ERR_NOMEM whatever json_loadb answered.
 */
void *gh_alloc_counted(size_t n);
/* How many gh_alloc_counted calls failed on this thread so far: read it
 * before and after a library call; a change means that call ran out. */
unsigned long gh_alloc_failures(void);

/* ---- buffers: growable output with a hard maximum ---- */

struct gh_buf {
    char *ptr; /* always NUL-terminated after ptr[len] when non-NULL */
    size_t len;
    size_t cap;
    size_t max; /* appends past max fail with GH_ERR_TOO_LARGE */
    bool failed; /* sticky: set on the first failed append */
    enum gh_err err;
};

/* Heap-backed; `max` 0 means GH_BUF_MAX. */
void gh_buf_init(struct gh_buf *b, size_t max);
/* Frees and wipes (buffers may have held secrets). */
void gh_buf_cleanup(struct gh_buf *b);
/* Wipes the `n` bytes of heap block `p` (OPENSSL_cleanse), then frees it; NULL does nothing. */
void gh_free_wiped(void *p, size_t n);
void gh_buf_reset(struct gh_buf *b);
GH_MUST_CHECK enum gh_err gh_buf_append(struct gh_buf *b, const void *p, size_t n);
/* Extends the buffer by n zero bytes; *out points at them (valid until the next append). */
GH_MUST_CHECK enum gh_err gh_buf_extend(struct gh_buf *b, size_t n, char **out);
GH_MUST_CHECK enum gh_err gh_buf_append_slice(struct gh_buf *b, struct gh_slice s);
GH_MUST_CHECK enum gh_err gh_buf_append_cstr(struct gh_buf *b, const char *s);
GH_MUST_CHECK enum gh_err gh_buf_append_char(struct gh_buf *b, char c);
GH_MUST_CHECK enum gh_err gh_buf_printf(struct gh_buf *b, const char *fmt, ...) GH_PRINTF(2, 3);
GH_MUST_CHECK enum gh_err gh_buf_vprintf(struct gh_buf *b, const char *fmt, va_list ap)
    GH_PRINTF(2, 0);
/*
 * The sticky-error forms: they do nothing once the buffer has failed, so a
 * writer can emit many pieces and check gh_buf_status once at the end.
 */
void gh_buf_put(struct gh_buf *b, struct gh_slice s);
void gh_buf_puts(struct gh_buf *b, const char *s);
void gh_buf_putf(struct gh_buf *b, const char *fmt, ...) GH_PRINTF(2, 3);
GH_MUST_CHECK enum gh_err gh_buf_status(const struct gh_buf *b);
struct gh_slice gh_buf_slice(const struct gh_buf *b);

/* ---- time ---- */

/* Wall-clock seconds since the epoch (honours faketime in tests). */
int64_t gh_now_s(void);
/* Milliseconds, monotonic, for timeouts and benchmarks. */
int64_t gh_mono_ms(void);
/* "2026-11-25T16:21:10Z" into out (>= 21 bytes). */
void gh_time_iso8601(int64_t t, char out[static 21]);
/* "20261125T162110Z" into out (>= 17 bytes). */
void gh_time_amz(int64_t t, char out[static 17]);
/* "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 7231 IMF-fixdate) into out (>= 30 bytes). */
void gh_time_http(int64_t t, char out[static 30]);
/*
 * Parses an RFC 7231 IMF-fixdate, surrounding blanks ignored (header values).
 * The obsolete RFC 850 and asctime forms are refused.
 */
GH_MUST_CHECK enum gh_err gh_time_parse_http(struct gh_slice s, int64_t *out);
/* Parses "YYYYMMDDTHHMMSSZ". */
GH_MUST_CHECK enum gh_err gh_time_parse_amz(struct gh_slice s, int64_t *out);
/*
 * Parses ISO 8601 as AWS accepts it in policies and parameters:
 * "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ", fractional seconds, "+hh:mm" offsets.
 */
GH_MUST_CHECK enum gh_err gh_time_parse_iso8601(struct gh_slice s, int64_t *out);

/* ---- encodings ---- */

/* Lower-case hex; out must hold 2*n bytes (no NUL written). */
void gh_hex_encode(const uint8_t *in, size_t n, char *out);
/* Exactly 2*n hex digits (either case) into n bytes. */
GH_MUST_CHECK enum gh_err gh_hex_decode(struct gh_slice in, uint8_t *out, size_t n);
GH_MUST_CHECK enum gh_err gh_base64_encode(struct gh_buf *out, const uint8_t *in, size_t n);
/* Standard alphabet with padding; `url` selects the URL-safe alphabet without padding. */
GH_MUST_CHECK enum gh_err gh_base64_decode(struct gh_slice in, bool url, struct gh_buf *out);
/*
 * AWS SigV4 URI encoding: everything but A-Z a-z 0-9 - _ . ~ as %XX with
 * upper-case hex; '/' kept when `keep_slash`.
 */
GH_MUST_CHECK enum gh_err gh_uri_encode(struct gh_buf *out, struct gh_slice in, bool keep_slash);
/*
 * Percent-decoding; '+' becomes a space when `plus_space` (form bodies).
 * A '%' not followed by two hex digits fails with GH_ERR_MALFORMED_QUERY.
 */
GH_MUST_CHECK enum gh_err gh_uri_decode(struct gh_arena *a, struct gh_slice in, bool plus_space,
                                        struct gh_slice *out);

/* ---- files installed beside the binary ---- */

/*
 * "DIR/rel" in `out`, where DIR is the directory of this process's
 * executable (/proc/self/exe): where the build puts the console bundle and
 * the AWS data. GH_ERR_NOT_FOUND when the executable's path is unknown,
 * GH_ERR_TOO_LARGE when it does not fit `out_len`; `out` is "" on failure.
 */
GH_MUST_CHECK enum gh_err gh_path_beside_exe(const char *rel, char *out, size_t out_len);

/* ---- keyed hashing ---- */

#define GH_SIPHASH_KEY_LEN 16
/*
 * SipHash-2-4 of `in` under the 128-bit `key`: for hash tables keyed by
 * client input, with a random key per process so buckets cannot be aimed at.
 */
uint64_t gh_siphash24(const uint8_t key[GH_SIPHASH_KEY_LEN], struct gh_slice in);

/*
 * XML text/attribute escaping of & < > " ' and CR (as &#x0d;). The output
 * is always XML 1.0: a byte that is not valid UTF-8, and a character XML
 * 1.0 cannot carry even as a reference (C0 controls but tab, LF and CR;
 * U+FFFE, U+FFFF), is written as U+FFFD. Where the exact text matters
 * (S3 object keys), check gh_xml_is_text first and refuse, or encode.
 */
void gh_xml_escape(struct gh_buf *out, struct gh_slice in);
/* True when every character of `s` is valid UTF-8 that XML 1.0 can carry. */
bool gh_xml_is_text(struct gh_slice s);

#endif
