/*
 * http.h: the HTTP server (libmicrohttpd, thread pool, keep-alive), the
 * request/response types every handler sees, form/query parsing and the
 * XML writer.
 */
#ifndef GH_HTTP_H
#define GH_HTTP_H

#include "core/core.h"

/* Extra headers a response may carry (S3 objects: user metadata, ETag ...). */
#define GH_HTTP_RESP_HEADERS_MAX 64

struct gh_http_header {
    struct gh_slice name; /* as received (case preserved) */
    struct gh_slice value;
};

/* One request; everything in it is owned by `arena` (freed after the response). */
struct gh_http_req {
    struct gh_arena *arena;
    struct gh_slice method;
    struct gh_slice path;  /* raw, still percent-encoded, without the query */
    struct gh_slice query; /* raw, after '?', may be empty */
    const struct gh_http_header *headers;
    size_t nheaders;
    struct gh_slice body;
    char remote_addr[64]; /* numeric, no port */
    bool tls;
};

/*
 * True when `host` is a loopback address: IPv4 127.0.0.0/8, IPv6 ::1, or
 * 127.0.0.0/8 mapped into IPv6 (::ffff:127.x.y.z, as a dual-stack socket
 * reports an IPv4 peer), or the name "localhost" (RFC 6761 section 6.3).
 * Numeric forms only otherwise: "127.example.com" is not loopback.
 * For remote_addr above and for a configured listen host.
 */
bool gh_http_is_loopback(const char *host);

struct gh_http_resp {
    int status;
    const char *content_type; /* static string; NULL = none (or given in headers) */
    struct gh_buf body;
    struct gh_http_header headers[GH_HTTP_RESP_HEADERS_MAX]; /* extra headers; slices must
                                                               outlive the response (arena) */
    size_t nheaders;
    /*
     * Body from a file instead of `body`: when body_fd_set, `fd_len` bytes
     * of `body_fd` from `fd_off` are sent (zero-copy) and the server closes
     * the descriptor; for HEAD only its length is announced.
     */
    bool body_fd_set;
    int body_fd;
    uint64_t fd_off;
    uint64_t fd_len;
};

/* First header named `name` (ASCII case-insensitive); ptr NULL when absent. */
struct gh_slice gh_http_header_get(const struct gh_http_req *req, const char *name);
/* How many headers named `name`. */
size_t gh_http_header_count(const struct gh_http_req *req, const char *name);
/* Adds a header to the response (both slices borrowed; keep them alive). */
GH_MUST_CHECK enum gh_err gh_http_resp_header(struct gh_http_resp *resp, const char *name,
                                              struct gh_slice value);

/*
 * The application's entry point: fills `resp` (status, content type, body).
 * Called on a pool thread; the request belongs to that thread.
 */
struct gh_http_handler {
    void (*handle)(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp);
    void *ctx;
};

/*
 * A handler that takes request bodies piece by piece instead of buffered
 * (the S3 service's uploads). For each request, after the headers:
 * `begin` sees the request (req->body empty) and answers
 *  - GH_HTTP_STREAM_PASS: not ours; the request takes the buffered path
 *    (body_max, then `handler`);
 *  - GH_HTTP_STREAM_RESPOND: `resp` is filled now (an error); the body is
 *    not read;
 *  - GH_HTTP_STREAM_TAKE: `*state` gets the handler's request state; each
 *    body piece goes to `body` (a failure stops delivery: the remaining
 *    body is discarded and `end` gets the error), then `end` fills `resp`.
 * `done` always follows TAKE, once the response is sent or the connection
 * dies, and frees the state. `req` (and its arena) lives until then.
 */
enum gh_http_stream_verdict {
    GH_HTTP_STREAM_PASS = 0,
    GH_HTTP_STREAM_RESPOND,
    GH_HTTP_STREAM_TAKE,
};

struct gh_http_stream {
    enum gh_http_stream_verdict (*begin)(void *ctx, struct gh_http_req *req,
                                         struct gh_http_resp *resp, void **state);
    enum gh_err (*body)(void *state, const char *data, size_t len);
    void (*end)(void *state, enum gh_err body_err, struct gh_http_resp *resp);
    void (*done)(void *state);
    void *ctx;
};

struct gh_http_server;

/*
 * As gh_http_server_start, with `stream` (borrowed; must outlive the
 * server) consulted first for every request.
 */
GH_MUST_CHECK enum gh_err gh_http_server_start_stream(const char *listen, unsigned threads,
                                                      size_t body_max,
                                                      struct gh_http_handler handler,
                                                      const struct gh_http_stream *stream,
                                                      struct gh_http_server **out);

/*
 * Starts listening on "HOST:PORT" (IPv4 or [IPv6]; port 0 picks a free one)
 * with `threads` workers. Bodies over `body_max` are refused with 413
 * before being read in full.
 */
GH_MUST_CHECK enum gh_err gh_http_server_start(const char *listen, unsigned threads,
                                               size_t body_max, struct gh_http_handler handler,
                                               struct gh_http_server **out);
/* ---- HTTPS (libmicrohttpd through GnuTLS) ---- */

/* Largest certificate-chain or key file read (a chain of a few certificates is ~10 KiB). */
#define GH_HTTP_TLS_PEM_MAX ((size_t)1024 * 1024)

/*
 * A server certificate (chain) and its private key, PEM, each
 * NUL-terminated with no NUL inside. `key_pem` is a secret: heap memory
 * that gh_http_tls_cleanup wipes before freeing.
 */
struct gh_http_tls {
    char *cert_pem;
    size_t cert_len;
    char *key_pem;
    size_t key_len;
};

/* Whether this libmicrohttpd was built with TLS (MHD_FEATURE_TLS). */
bool gh_http_tls_is_supported(void);

/*
 * Reads `cert_path` (PEM certificate, chain allowed: the server's first)
 * and `key_path` (unencrypted PEM private key) into `out` and checks
 * that the key belongs to the certificate. On failure `out` holds
 * nothing and `diag` says what is wrong with which file: GH_ERR_IO (cannot
 * read), GH_ERR_TOO_LARGE (over GH_HTTP_TLS_PEM_MAX), GH_ERR_INVALID_INPUT
 * (not PEM, encrypted key, key does not match), GH_ERR_NOMEM.
 */
GH_MUST_CHECK enum gh_err gh_http_tls_load(const char *cert_path, const char *key_path,
                                           struct gh_http_tls *out, struct gh_diag *diag);
/* Wipes the key and frees both; leaves `t` empty. Safe on an empty or zeroed `t`. */
void gh_http_tls_cleanup(struct gh_http_tls *t);

/*
 * As gh_http_server_start_stream, serving HTTPS (TLS 1.2 and 1.3) with
 * `tls` (copied: the caller may clean it up at once; the server keeps its
 * copy of the key until gh_http_server_stop, which wipes it). Requests
 * served here have req->tls set. GH_ERR_NOT_IMPLEMENTED when
 * libmicrohttpd has no TLS; GH_ERR_IO when it refuses to start (the
 * reason is logged on stderr).
 */
GH_MUST_CHECK enum gh_err gh_http_server_start_tls(const char *listen, unsigned threads,
                                                   size_t body_max, struct gh_http_handler handler,
                                                   const struct gh_http_stream *stream,
                                                   const struct gh_http_tls *tls,
                                                   struct gh_http_server **out);

/* ---- connection limits ---- */

/*
 * How many connections one listener holds, and how long a quiet one
 * lives. libmicrohttpd's timeouts count inactivity: a client that keeps
 * sending (a long upload) is never cut.
 */
struct gh_http_limits {
    unsigned conn_max;         /* concurrent connections, every client together */
    unsigned conn_per_ip_max;  /* concurrent connections from one address */
    unsigned header_timeout_s; /* quiet time allowed before a request's headers are in */
    unsigned body_timeout_s;   /* quiet time allowed from then until its answer is sent */
};

/*
 * Connections this process's open-file limit (RLIMIT_NOFILE, soft) can
 * carry: two descriptors each (the socket and a file being sent or
 * received), after a reserve for the store and the rest. At least 1.
 */
unsigned gh_http_conn_fd_budget(void);

/*
 * The defaults (core/limits.h GH_HTTP_*_DEFAULT), with conn_max lowered to
 * `fd_budget` (see gh_http_conn_fd_budget) and conn_per_ip_max to a
 * quarter of conn_max when they do not fit.
 */
void gh_http_limits_default(unsigned fd_budget, struct gh_http_limits *out);

/*
 * As gh_http_server_start_stream (`tls` NULL) or gh_http_server_start_tls,
 * with `limits` (copied; NULL = gh_http_limits_default over the whole
 * budget). Each value must be at least 1 and conn_per_ip_max at most
 * conn_max, else GH_ERR_INVALID_INPUT.
 */
GH_MUST_CHECK enum gh_err gh_http_server_start_opts(const char *listen, unsigned threads,
                                                    size_t body_max, struct gh_http_handler handler,
                                                    const struct gh_http_stream *stream,
                                                    const struct gh_http_tls *tls,
                                                    const struct gh_http_limits *limits,
                                                    struct gh_http_server **out);

/* The bound port (useful with port 0). */
unsigned gh_http_server_port(const struct gh_http_server *s);
/* Stops accepting, lets requests in flight finish, frees. NULL is a no-op. */
void gh_http_server_stop(struct gh_http_server *s);

/* ---- form and query strings ---- */

struct gh_param {
    struct gh_slice name;  /* decoded */
    struct gh_slice value; /* decoded */
};

struct gh_params {
    struct gh_param *items;
    size_t count;
};

/*
 * Parses application/x-www-form-urlencoded data (a body, or a query
 * string with plus_space false). Decoded into the arena. At most
 * GH_FORM_PARAMS_MAX pairs. A bad %-escape gives GH_ERR_MALFORMED_QUERY;
 * a repeated name gives GH_ERR_INVALID_QUERY_PARAMETER with its name in diag.
 */
GH_MUST_CHECK enum gh_err gh_form_parse(struct gh_arena *a, struct gh_slice in, bool plus_space,
                                        struct gh_params *out, struct gh_diag *diag);
/* The value of `name` (exact, case-sensitive as AWS); ptr NULL when absent. */
struct gh_slice gh_params_get(const struct gh_params *p, const char *name);
bool gh_params_has(const struct gh_params *p, const char *name);

/* ---- XML writer (into a gh_buf; errors are sticky in the buffer) ---- */

void gh_xml_open(struct gh_buf *b, const char *tag);
void gh_xml_close(struct gh_buf *b, const char *tag);
/* <tag>escaped value</tag> */
void gh_xml_elem(struct gh_buf *b, const char *tag, struct gh_slice value);
void gh_xml_elem_cstr(struct gh_buf *b, const char *tag, const char *value);
void gh_xml_elem_int(struct gh_buf *b, const char *tag, int64_t v);
void gh_xml_elem_bool(struct gh_buf *b, const char *tag, bool v);
/* ISO 8601 with "Z", as AWS writes dates: 2026-11-25T16:21:10Z */
void gh_xml_elem_time(struct gh_buf *b, const char *tag, int64_t t);

#endif
