/*
 * server.c: the HTTP front end on libmicrohttpd: a thread pool over
 * epoll, keep-alive, raw (still-encoded) paths and queries for SigV4,
 * bounded headers and bodies, clean shutdown, and HTTPS through
 * libmicrohttpd's GnuTLS.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "http/http.h"

struct gh_http_server {
    struct MHD_Daemon *daemon;
    struct gh_http_handler handler;
    const struct gh_http_stream *stream; /* NULL = every request is buffered */
    size_t body_max;
    struct gh_http_limits limits;
    unsigned port;
    bool tls;
    /* HTTPS: libmicrohttpd keeps pointers to these; wiped and freed at stop. */
    char *cert_pem;
    char *key_pem;
    size_t key_len;
};

/* One request's state, from the URI callback to the completion callback. */
struct conn_req {
    struct gh_arena arena;
    struct gh_slice uri; /* raw request target */
    struct gh_buf body;
    bool too_large;
    bool started;
    bool body_timeout; /* the connection's timeout is limits.body_timeout_s */
    /* Streamed requests (struct gh_http_stream): */
    const struct gh_http_stream *stream; /* set once `begin` took the request */
    void *state;
    enum gh_err body_err;
    struct gh_http_req req;
};

static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct conn_req *r = calloc(1, sizeof(*r));
    char *query = strchr(uri, '?');

    (void)cls;
    (void)conn;
    if (r != NULL) {
        gh_arena_init(&r->arena);
        gh_buf_init(&r->body, 0);
        if (gh_arena_dup(&r->arena, gh_slice_from_cstr(uri), &r->uri) != GH_OK)
            r->uri = GH_SLICE_NULL;
    }
    /*
     * libmicrohttpd (0.9.75) next splits the query into one record per
     * parameter in the connection's GH_HEADERS_BYTES_MAX pool; ~920 short
     * parameters exhaust it, and that failure left the connection
     * unanswered until it timed out. Nothing reads those records: the raw
     * query copied above is parsed by gh_form_parse, which refuses more
     * than GH_FORM_PARAMS_MAX. So end the query it would split where it
     * starts (this callback may process the URI before it is parsed).
     */
    if (query != NULL)
        query[1] = '\0';
    return r;
}

/* The connection's inactivity timeout from now on. */
static void
conn_timeout(struct MHD_Connection *conn, unsigned timeout_s)
{
    (void)MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, timeout_s);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
          enum MHD_RequestTerminationCode toe)
{
    struct conn_req *r = *con_cls;

    /*
     * Answered and kept alive: the connection keeps the longer timeout while
     * it idles, as a load balancer's idle timeout does. Cutting it after the
     * short header timeout raced clients that reuse pooled connections
     * (botocore/urllib3 saw ConnectionClosedError when its next request met
     * the close); the per-address limit bounds what idle connections cost.
     */
    (void)cls;
    (void)conn;
    (void)toe;
    if (r == NULL)
        return;
    if (r->stream != NULL)
        r->stream->done(r->state);
    gh_buf_cleanup(&r->body);
    gh_arena_cleanup(&r->arena);
    free(r);
    *con_cls = NULL;
}

/* Leave URLs as sent: SigV4 signs the encoded form. */
static size_t
no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

struct header_list {
    struct gh_arena *arena;
    struct gh_http_header *items;
    size_t count;
    size_t cap;
    bool overflow;
};

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct header_list *h = cls;

    (void)kind;
    if (h->count == h->cap) {
        h->overflow = true;
        return MHD_NO;
    }
    h->items[h->count].name = gh_slice_from_cstr(key);
    h->items[h->count].value = gh_slice_from_cstr(value == NULL ? "" : value);
    h->count++;
    return MHD_YES;
}

static enum MHD_Result
send_plain(struct MHD_Connection *conn, unsigned status, const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    if (resp == NULL)
        return MHD_NO;
    (void)MHD_add_response_header(resp, "Content-Type", "text/plain");
    ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

bool
gh_http_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (strcmp(host, "localhost") == 0)
        return true;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) != 1)
        return false;
    if (IN6_IS_ADDR_LOOPBACK(&a6))
        return true;
    return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

static void
remote_addr(struct MHD_Connection *conn, char out[64])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci == NULL ? NULL : ci->client_addr;

    out[0] = '\0';
    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET)
        (void)inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                        64);
    else if (sa->sa_family == AF_INET6)
        (void)inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                        64);
}

/* Fills `req` from the connection; false when there are too many headers. */
static bool
build_req(const struct gh_http_server *s, struct MHD_Connection *conn, struct conn_req *r,
          const char *method, struct gh_http_req *req)
{
    struct header_list hl = {&r->arena, NULL, 0, GH_HEADERS_COUNT_MAX, false};
    struct gh_slice uri = r->uri, path;
    long q;

    memset(req, 0, sizeof(*req));
    hl.items = gh_arena_alloc(&r->arena, sizeof(*hl.items) * hl.cap);
    if (hl.items == NULL)
        return false;
    (void)MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &hl);
    if (hl.overflow)
        return false;
    q = gh_slice_index(uri, '?');
    path = q < 0 ? uri : gh_slice_sub(uri, 0, (size_t)q);
    req->arena = &r->arena;
    req->method = gh_slice_from_cstr(method);
    req->path = path;
    req->query = q < 0 ? GH_SLICE_NULL : gh_slice_sub(uri, (size_t)q + 1, uri.len);
    req->headers = hl.items;
    req->nheaders = hl.count;
    req->tls = s->tls; /* aws:SecureTransport */
    remote_addr(conn, req->remote_addr);
    return true;
}

static void
resp_init(struct gh_http_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 500;
    resp->content_type = "text/plain";
    resp->body_fd = -1;
    gh_buf_init(&resp->body, 0);
}

/* A response body handed to libmicrohttpd: the gh_buf's block, whole. */
struct owned_body {
    char *ptr;
    size_t cap;
};

/*
 * libmicrohttpd's free callback for an owned_body: wipes the block before
 * it goes back to the allocator. A CreateAccessKey, STS or console-session
 * answer carries a secret; MHD_RESPMEM_MUST_COPY would have made a copy
 * that libmicrohttpd frees with a plain free(), unwiped (STYLE "Secrets").
 */
static void
owned_body_free(void *cls)
{
    struct owned_body *b = cls;

    gh_free_wiped(b->ptr, b->cap);
    free(b);
}

/*
 * A response over `body`, whose block libmicrohttpd takes (no copy) and
 * wipes through owned_body_free once the response is destroyed. On
 * success `body` is left empty; on failure it still owns its block.
 */
static struct MHD_Response *
buffer_response(struct gh_buf *body)
{
    struct owned_body *b;
    struct MHD_Response *mr;

    if (body->len == 0) /* nothing to wipe; libmicrohttpd refuses a NULL buffer */
        return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if ((b = malloc(sizeof(*b))) == NULL)
        return NULL;
    b->ptr = body->ptr;
    b->cap = body->cap;
    /* libmicrohttpd 0.9.73+ (Debian 12 has 0.9.75); it calls the callback
     * only for a response it created, so a failure here leaves `body` ours. */
    mr = MHD_create_response_from_buffer_with_free_callback_cls(body->len, body->ptr,
                                                                owned_body_free, b);
    if (mr == NULL) {
        free(b);
        return NULL;
    }
    body->ptr = NULL; /* transferred: libmicrohttpd frees it through owned_body_free */
    body->len = 0;
    body->cap = 0;
    return mr;
}

/* Queues `resp` (its buffer, or its file) and releases it. */
static enum MHD_Result
send_resp(struct MHD_Connection *conn, struct conn_req *r, struct gh_http_resp *resp)
{
    struct MHD_Response *mr;
    enum MHD_Result ret;

    if (resp->body_fd_set) {
        mr = MHD_create_response_from_fd_at_offset64(resp->fd_len, resp->body_fd, resp->fd_off);
        if (mr == NULL)
            (void)close(resp->body_fd);
    } else {
        mr = buffer_response(&resp->body);
    }
    gh_buf_cleanup(&resp->body);
    if (mr == NULL)
        return MHD_NO;
    if (resp->content_type != NULL)
        (void)MHD_add_response_header(mr, "Content-Type", resp->content_type);
    for (size_t i = 0; i < resp->nheaders; i++) {
        const char *n = gh_arena_strndup(&r->arena, resp->headers[i].name);
        const char *v = gh_arena_strndup(&r->arena, resp->headers[i].value);
        if (n != NULL && v != NULL)
            (void)MHD_add_response_header(mr, n, v);
    }
    ret = MHD_queue_response(conn, (unsigned)resp->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result
respond(struct gh_http_server *s, struct MHD_Connection *conn, struct conn_req *r,
        const char *method)
{
    struct gh_http_req req;
    struct gh_http_resp resp;

    if (!build_req(s, conn, r, method, &req))
        return send_plain(conn, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, "too many headers\n");
    req.body = gh_buf_slice(&r->body);
    resp_init(&resp);
    s->handler.handle(s->handler.ctx, &req, &resp);
    return send_resp(conn, r, &resp);
}

/*
 * Offers the request to the stream handler once its headers are in.
 * Returns true when the handler took it or answered (*ret is set).
 */
static bool
stream_begin(struct gh_http_server *s, struct MHD_Connection *conn, struct conn_req *r,
             const char *method, enum MHD_Result *ret)
{
    struct gh_http_resp resp;
    enum gh_http_stream_verdict v;
    void *state = NULL;

    if (!build_req(s, conn, r, method, &r->req)) {
        *ret = send_plain(conn, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, "too many headers\n");
        return true;
    }
    resp_init(&resp);
    v = s->stream->begin(s->stream->ctx, &r->req, &resp, &state);
    if (v == GH_HTTP_STREAM_PASS) {
        gh_buf_cleanup(&resp.body);
        return false;
    }
    if (v == GH_HTTP_STREAM_RESPOND) {
        *ret = send_resp(conn, r, &resp);
        return true;
    }
    gh_buf_cleanup(&resp.body);
    r->stream = s->stream;
    r->state = state;
    *ret = MHD_YES;
    return true;
}

static enum MHD_Result
stream_end(struct conn_req *r, struct MHD_Connection *conn)
{
    struct gh_http_resp resp;

    resp_init(&resp);
    r->stream->end(r->state, r->body_err, &resp);
    return send_resp(conn, r, &resp);
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
               const char *version, const char *upload_data, size_t *upload_data_size,
               void **con_cls)
{
    struct gh_http_server *s = cls;
    struct conn_req *r = *con_cls;

    (void)url;
    (void)version;
    if (r == NULL)
        return MHD_NO; /* the URI callback ran out of memory: drop the connection */
    if (!r->body_timeout && s->limits.body_timeout_s != s->limits.header_timeout_s) {
        /* The headers are in: a long upload or a slow answer may pause longer. */
        conn_timeout(conn, s->limits.body_timeout_s);
        r->body_timeout = true;
    }
    if (r->stream != NULL) {
        if (*upload_data_size > 0) {
            if (r->body_err == GH_OK)
                r->body_err = r->stream->body(r->state, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        return stream_end(r, conn);
    }
    if (!r->started) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        uint64_t n = 0;
        enum MHD_Result sret;
        r->started = true;
        if (s->stream != NULL && stream_begin(s, conn, r, method, &sret))
            return sret;
        r->body.max = s->body_max;
        if (cl != NULL && gh_parse_u64(gh_slice_from_cstr(cl), UINT64_MAX, &n) == GH_OK &&
            n > s->body_max)
            r->too_large = true;
        if (r->too_large) /* refuse before reading any of it */
            return send_plain(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!r->too_large && gh_buf_append(&r->body, upload_data, *upload_data_size) != GH_OK)
            r->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_large) {
        /* Refused before parsing; the connection is closed after the reply. */
        return send_plain(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
    }
    return respond(s, conn, r, method);
}

static void log_mhd(void *cls, const char *fmt, va_list ap) GH_PRINTF(2, 0);

static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("gatehouse: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

static enum gh_err
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    struct gh_slice l = gh_slice_from_cstr(listen), host, port;
    char hostbuf[64];
    uint64_t p;
    long colon = -1;

    memset(ss, 0, sizeof(*ss));
    for (size_t i = 0; i < l.len; i++)
        if (l.ptr[i] == ':')
            colon = (long)i;
    if (colon < 0)
        return GH_ERR_INVALID_INPUT;
    host = gh_slice_sub(l, 0, (size_t)colon);
    port = gh_slice_sub(l, (size_t)colon + 1, l.len);
    if (gh_parse_u64(port, 65535, &p) != GH_OK)
        return GH_ERR_INVALID_INPUT;
    if (host.len >= 2 && host.ptr[0] == '[' && host.ptr[host.len - 1] == ']')
        host = gh_slice_sub(host, 1, host.len - 2);
    if (host.len == 0 || host.len >= sizeof(hostbuf))
        return GH_ERR_INVALID_INPUT;
    memcpy(hostbuf, host.ptr, host.len);
    hostbuf[host.len] = '\0';
    struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;
    if (inet_pton(AF_INET, hostbuf, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)p);
        *len = sizeof(*in4);
        return GH_OK;
    }
    if (inet_pton(AF_INET6, hostbuf, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)p);
        *len = sizeof(*in6);
        return GH_OK;
    }
    if (strcmp(hostbuf, "localhost") == 0) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)p);
        in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        *len = sizeof(*in4);
        return GH_OK;
    }
    return GH_ERR_INVALID_INPUT;
}

enum gh_err
gh_http_server_start(const char *listen, unsigned threads, size_t body_max,
                     struct gh_http_handler handler, struct gh_http_server **out)
{
    return gh_http_server_start_stream(listen, threads, body_max, handler, NULL, out);
}

static void
server_free(struct gh_http_server *s)
{
    if (s->key_pem != NULL) {
        OPENSSL_cleanse(s->key_pem, s->key_len);
        free(s->key_pem);
    }
    free(s->cert_pem);
    free(s);
}

/* A NUL-terminated heap copy of `len` bytes (PEM for libmicrohttpd). */
static char *
pem_dup(const char *p, size_t len)
{
    char *c = malloc(len + 1);

    if (c != NULL) {
        memcpy(c, p, len);
        c[len] = '\0';
    }
    return c;
}

/*
 * AWS: TLS 1.2 is the minimum on every AWS API endpoint since June 2023
 * (AWS Security Blog, "TLS 1.2 to become the minimum TLS protocol level for
 * all AWS API endpoints"); GnuTLS's NORMAL set limited to TLS 1.2 and 1.3.
 */
static const char TLS_PRIORITIES[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";

/* Descriptors kept back from connections: the store, logs, the S3 directory, libcurl. */
#define FDS_RESERVED 128u

unsigned
gh_http_conn_fd_budget(void)
{
    struct rlimit rl;
    rlim_t n;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1;
    n = rl.rlim_cur;
    if (n == RLIM_INFINITY || n > (rlim_t)UINT32_MAX)
        n = (rlim_t)UINT32_MAX;
    if (n <= FDS_RESERVED + 2)
        return 1;
    return (unsigned)((n - FDS_RESERVED) / 2);
}

void
gh_http_limits_default(unsigned fd_budget, struct gh_http_limits *out)
{
    out->conn_max = fd_budget < GH_HTTP_CONN_MAX_DEFAULT ? fd_budget : GH_HTTP_CONN_MAX_DEFAULT;
    if (out->conn_max == 0)
        out->conn_max = 1;
    out->conn_per_ip_max = GH_HTTP_CONN_PER_IP_DEFAULT;
    if (out->conn_per_ip_max > out->conn_max / 4)
        out->conn_per_ip_max = out->conn_max / 4 > 0 ? out->conn_max / 4 : 1;
    out->header_timeout_s = GH_HTTP_HEADER_TIMEOUT_S_DEFAULT;
    out->body_timeout_s = GH_HTTP_BODY_TIMEOUT_S_DEFAULT;
}

static bool
limits_are_valid(const struct gh_http_limits *l, unsigned threads)
{
    /* libmicrohttpd shares conn_max out among its threads: each needs one. */
    return l->conn_max >= threads && l->conn_per_ip_max >= 1 && l->conn_per_ip_max <= l->conn_max &&
           l->header_timeout_s >= 1 && l->body_timeout_s >= 1;
}

static enum gh_err
server_start(const char *listen, unsigned threads, size_t body_max, struct gh_http_handler handler,
             const struct gh_http_stream *stream, const struct gh_http_tls *tls,
             const struct gh_http_limits *limits, struct gh_http_server **out)
{
    struct gh_http_server *s;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    const union MHD_DaemonInfo *di;
    enum gh_err err;
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    /* HTTPS options; empty (the END entry first) for plain HTTP. */
    struct MHD_OptionItem tls_opts[4] = {{MHD_OPTION_END, 0, NULL}};

    *out = NULL;
    if (tls != NULL && !gh_http_tls_is_supported())
        return GH_ERR_NOT_IMPLEMENTED;
    if ((err = parse_listen(listen, &ss, &sslen)) != GH_OK)
        return err;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return GH_ERR_NOMEM;
    s->handler = handler;
    s->stream = stream;
    s->body_max = body_max;
    if (limits != NULL)
        s->limits = *limits;
    else
        gh_http_limits_default(gh_http_conn_fd_budget(), &s->limits);
    if (!limits_are_valid(&s->limits, threads)) {
        free(s);
        return GH_ERR_INVALID_INPUT;
    }
    if (tls != NULL) {
        if (tls->cert_pem == NULL || tls->key_pem == NULL) {
            free(s);
            return GH_ERR_INVALID_INPUT;
        }
        s->tls = true;
        s->cert_pem = pem_dup(tls->cert_pem, tls->cert_len);
        s->key_pem = pem_dup(tls->key_pem, tls->key_len);
        s->key_len = tls->key_len + 1;
        if (s->cert_pem == NULL || s->key_pem == NULL) {
            server_free(s);
            return GH_ERR_NOMEM;
        }
        flags |= MHD_USE_TLS;
        tls_opts[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert_pem};
        tls_opts[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key_pem};
        tls_opts[2] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
                                              (void *)(uintptr_t)TLS_PRIORITIES};
        tls_opts[3] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    }
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, access_handler, s, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log, s, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, s,
        /* Bounds the request line and header block (GH_HEADERS_BYTES_MAX). */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)GH_HEADERS_BYTES_MAX,
        /* One address gets a share of the connections; a quiet one is closed. */
        MHD_OPTION_CONNECTION_LIMIT, s->limits.conn_max, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        s->limits.conn_per_ip_max, MHD_OPTION_CONNECTION_TIMEOUT, s->limits.header_timeout_s,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (s->daemon == NULL) {
        server_free(s);
        return GH_ERR_IO;
    }
    di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di == NULL ? 0 : di->port;
    *out = s;
    return GH_OK;
}

enum gh_err
gh_http_server_start_stream(const char *listen, unsigned threads, size_t body_max,
                            struct gh_http_handler handler, const struct gh_http_stream *stream,
                            struct gh_http_server **out)
{
    return server_start(listen, threads, body_max, handler, stream, NULL, NULL, out);
}

enum gh_err
gh_http_server_start_tls(const char *listen, unsigned threads, size_t body_max,
                         struct gh_http_handler handler, const struct gh_http_stream *stream,
                         const struct gh_http_tls *tls, struct gh_http_server **out)
{
    *out = NULL;
    if (tls == NULL)
        return GH_ERR_INVALID_INPUT;
    return server_start(listen, threads, body_max, handler, stream, tls, NULL, out);
}

enum gh_err
gh_http_server_start_opts(const char *listen, unsigned threads, size_t body_max,
                          struct gh_http_handler handler, const struct gh_http_stream *stream,
                          const struct gh_http_tls *tls, const struct gh_http_limits *limits,
                          struct gh_http_server **out)
{
    return server_start(listen, threads, body_max, handler, stream, tls, limits, out);
}

unsigned
gh_http_server_port(const struct gh_http_server *s)
{
    return s->port;
}

void
gh_http_server_stop(struct gh_http_server *s)
{
    if (s == NULL)
        return;
    /* Stop accepting first, then let the pool finish what it is serving. */
    (void)MHD_quiesce_daemon(s->daemon);
    MHD_stop_daemon(s->daemon);
    server_free(s);
}

struct gh_slice
gh_http_header_get(const struct gh_http_req *req, const char *name)
{
    struct gh_slice n = gh_slice_from_cstr(name);

    for (size_t i = 0; i < req->nheaders; i++)
        if (gh_slice_case_eq(req->headers[i].name, n))
            return req->headers[i].value;
    return GH_SLICE_NULL;
}

size_t
gh_http_header_count(const struct gh_http_req *req, const char *name)
{
    struct gh_slice n = gh_slice_from_cstr(name);
    size_t count = 0;

    for (size_t i = 0; i < req->nheaders; i++)
        if (gh_slice_case_eq(req->headers[i].name, n))
            count++;
    return count;
}

enum gh_err
gh_http_resp_header(struct gh_http_resp *resp, const char *name, struct gh_slice value)
{
    if (resp->nheaders == GH_ARRAY_LEN(resp->headers))
        return GH_ERR_TOO_LARGE;
    resp->headers[resp->nheaders].name = gh_slice_from_cstr(name);
    resp->headers[resp->nheaders].value = value;
    resp->nheaders++;
    return GH_OK;
}
