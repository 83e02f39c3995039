/*
 * test_http.c: the form/query parser, the XML writer, and the server's
 * hand-over of response bodies to libmicrohttpd.
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "alloc_fail.h"
#include "http/http.h"

static void
test_form(void **state)
{
    static const struct {
        const char *in;
        enum gh_err err;
        size_t count;
        const char *name, *value; /* of the last pair */
    } cases[] = {
        {"", GH_OK, 0, NULL, NULL},
        {"Action=ListUsers", GH_OK, 1, "Action", "ListUsers"},
        {"a=1&b=x+y%2Bz", GH_OK, 2, "b", "x y+z"},
        {"a=1&&b=2&", GH_OK, 2, "b", "2"},
        {"flag", GH_OK, 1, "flag", ""},
        {"a=", GH_OK, 1, "a", ""},
        {"a%3Db=c", GH_OK, 1, "a=b", "c"},
        {"a=%E2%82%AC", GH_OK, 1, "a", "\xe2\x82\xac"},
        {"a=%zz", GH_ERR_MALFORMED_QUERY, 0, NULL, NULL},
        {"a=%4", GH_ERR_MALFORMED_QUERY, 0, NULL, NULL},
        {"a=1&a=2", GH_ERR_INVALID_QUERY_PARAMETER, 0, NULL, NULL},
        {"a=1&%61=2", GH_ERR_INVALID_QUERY_PARAMETER, 0, NULL, NULL},
    };
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_arena a;
        struct gh_params p;
        struct gh_diag d;

        gh_arena_init(&a);
        assert_int_equal(gh_form_parse(&a, gh_slice_from_cstr(cases[i].in), true, &p, &d),
                         cases[i].err);
        if (cases[i].err == GH_OK) {
            assert_int_equal(p.count, cases[i].count);
            if (cases[i].count > 0) {
                assert_true(gh_slice_eq_cstr(p.items[p.count - 1].name, cases[i].name));
                assert_true(gh_slice_eq_cstr(p.items[p.count - 1].value, cases[i].value));
                assert_true(gh_slice_eq_cstr(gh_params_get(&p, cases[i].name), cases[i].value));
            }
        } else {
            assert_true(d.text[0] != '\0');
        }
        gh_arena_cleanup(&a);
    }
}

static void
test_form_limit(void **state)
{
    struct gh_arena a;
    struct gh_params p;
    struct gh_diag d;
    struct gh_buf b;

    (void)state;
    gh_buf_init(&b, 0);
    for (int i = 0; i <= GH_FORM_PARAMS_MAX; i++)
        gh_buf_putf(&b, "%sp%d=1", i ? "&" : "", i);
    gh_arena_init(&a);
    assert_int_equal(gh_form_parse(&a, gh_buf_slice(&b), true, &p, &d), GH_ERR_TOO_LARGE);
    gh_arena_cleanup(&a);
    gh_buf_cleanup(&b);
}

static void
test_xml(void **state)
{
    struct gh_buf b;

    (void)state;
    gh_buf_init(&b, 0);
    gh_xml_open(&b, "User");
    gh_xml_elem(&b, "UserName", GH_S("a&b"));
    gh_xml_elem_int(&b, "N", -3);
    gh_xml_elem_bool(&b, "IsTruncated", false);
    gh_xml_elem_time(&b, "CreateDate", 1440938160);
    gh_xml_close(&b, "User");
    assert_string_equal(b.ptr,
                        "<User><UserName>a&amp;b</UserName><N>-3</N><IsTruncated>false"
                        "</IsTruncated><CreateDate>2015-08-30T12:36:00Z</CreateDate></User>");
    gh_buf_cleanup(&b);
}

/* A form body that fills several arena chunks (16 KiB each). */
static enum gh_err
form_once(void *ctx)
{
    const struct gh_slice *body = ctx;
    struct gh_arena a;
    struct gh_params p;
    struct gh_diag d;
    enum gh_err err;

    gh_arena_init(&a);
    err = gh_form_parse(&a, *body, true, &p, &d);
    if (err == GH_OK) {
        assert_int_equal(p.count, 200);
        assert_int_equal(gh_params_get(&p, "Policy.member.199").len, 200);
    }
    gh_arena_cleanup(&a);
    return err;
}

/* CONTRIBUTING.md "Tests": each allocation of the form parser fails in turn with
 * GH_ERR_NOMEM, never a malformed-request error or a partial parameter list. */
static void
test_form_nomem(void **state)
{
    struct gh_buf b;
    struct gh_slice body;

    (void)state;
    gh_buf_init(&b, 0);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(gh_buf_printf(&b, "%sPolicy.member.%d=", i > 0 ? "&" : "", i), GH_OK);
        for (int j = 0; j < 100; j++) /* "%41+" decodes to "A ": 200 bytes a value */
            assert_int_equal(gh_buf_append(&b, "%41+", 4), GH_OK);
    }
    body = gh_buf_slice(&b);
    assert_true(af_torture("form", form_once, &body) > 2);
    gh_buf_cleanup(&b);
}

/*
 * Linked with -Wl,--wrap=free and --wrap of libmicrohttpd's two buffer
 * constructors (CMakeLists.txt): each block gatehouse frees, and each body
 * the server hands libmicrohttpd, pass through here while a test watches.
 * libmicrohttpd's own free() calls (the copy MHD_RESPMEM_MUST_COPY makes)
 * are not wrapped, which is why a body it copies is counted as a failure.
 */
void __real_free(void *p);
void __wrap_free(void *p);
struct MHD_Response *__real_MHD_create_response_from_buffer(size_t size, void *buffer,
                                                            enum MHD_ResponseMemoryMode mode);
struct MHD_Response *__wrap_MHD_create_response_from_buffer(size_t size, void *buffer,
                                                            enum MHD_ResponseMemoryMode mode);
struct MHD_Response *__real_MHD_create_response_from_buffer_with_free_callback_cls(
    size_t size, const void *buffer, MHD_ContentReaderFreeCallback crfc, void *crfc_cls);
struct MHD_Response *__wrap_MHD_create_response_from_buffer_with_free_callback_cls(
    size_t size, const void *buffer, MHD_ContentReaderFreeCallback crfc, void *crfc_cls);

static struct {
    struct gh_slice secret;      /* ptr NULL: not watching */
    _Atomic(const void *) given; /* the body block handed to libmicrohttpd */
    atomic_int copied;           /* bodies libmicrohttpd was asked to copy */
    atomic_int given_freed;      /* `given` came back to free() */
    atomic_int leaked;           /* blocks freed still holding `secret` */
} hw;

static bool
holds(const unsigned char *p, size_t n, struct gh_slice s)
{
    for (size_t i = 0; i + s.len <= n; i++)
        if (memcmp(p + i, s.ptr, s.len) == 0)
            return true;
    return false;
}

void
__wrap_free(void *p)
{
    if (p != NULL && hw.secret.ptr != NULL) {
        if (holds(p, malloc_usable_size(p), hw.secret))
            atomic_fetch_add(&hw.leaked, 1);
        if (p == atomic_load(&hw.given))
            atomic_fetch_add(&hw.given_freed, 1);
    }
    __real_free(p);
}

struct MHD_Response *
__wrap_MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode)
{
    if (hw.secret.ptr != NULL && size > 0 && mode == MHD_RESPMEM_MUST_COPY)
        atomic_fetch_add(&hw.copied, 1);
    return __real_MHD_create_response_from_buffer(size, buffer, mode);
}

struct MHD_Response *
__wrap_MHD_create_response_from_buffer_with_free_callback_cls(size_t size, const void *buffer,
                                                              MHD_ContentReaderFreeCallback crfc,
                                                              void *crfc_cls)
{
    if (hw.secret.ptr != NULL)
        atomic_store(&hw.given, buffer);
    return __real_MHD_create_response_from_buffer_with_free_callback_cls(size, buffer, crfc,
                                                                         crfc_cls);
}

/* A CreateAccessKey-like answer: the secret in an XML body. */
static void
answer_secret(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp)
{
    const struct gh_slice *secret = ctx;

    (void)req;
    resp->status = 200;
    resp->content_type = "text/xml";
    if (gh_buf_append_cstr(&resp->body, "<SecretAccessKey>") != GH_OK ||
        gh_buf_append_slice(&resp->body, *secret) != GH_OK ||
        gh_buf_append_cstr(&resp->body, "</SecretAccessKey>") != GH_OK)
        resp->status = 500;
}

/* GET / over a plain socket; the whole answer (headers and body) into `out`. */
static void
http_get(unsigned port, struct gh_buf *out)
{
    static const char rq[] = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    char chunk[512];
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (const struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(send(fd, rq, sizeof(rq) - 1, 0), (ssize_t)(sizeof(rq) - 1));
    while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
        assert_int_equal(gh_buf_append(out, chunk, (size_t)n), GH_OK);
    (void)close(fd);
}

/*
 * STYLE "Secrets": a response body (a CreateAccessKey, STS or console
 * session answer) is wiped before its memory is freed, libmicrohttpd's
 * hold on it included. It used to be copied with MHD_RESPMEM_MUST_COPY,
 * and libmicrohttpd freed its copy unwiped.
 */
static void
test_response_body_wiped(void **state)
{
    static const char key[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    struct gh_slice secret = GH_S(key);
    struct gh_http_handler h = {answer_secret, &secret};
    struct gh_http_server *s = NULL;
    struct gh_buf got;

    (void)state;
    gh_buf_init(&got, 0);
    atomic_store(&hw.given, NULL);
    atomic_store(&hw.copied, 0);
    atomic_store(&hw.given_freed, 0);
    atomic_store(&hw.leaked, 0);
    hw.secret = secret;
    assert_int_equal(gh_http_server_start("127.0.0.1:0", 2, 1024, h, &s), GH_OK);
    http_get(gh_http_server_port(s), &got);
    gh_http_server_stop(s); /* every response destroyed: its body freed */
    hw.secret = GH_SLICE_NULL;

    assert_true(gh_slice_starts_with(gh_buf_slice(&got), GH_S("HTTP/1.1 200")));
    assert_true(holds((const unsigned char *)got.ptr, got.len, secret)); /* it was served */
    assert_int_equal(atomic_load(&hw.copied), 0);      /* never copied by libmicrohttpd */
    assert_non_null(atomic_load(&hw.given));           /* handed over ... */
    assert_int_equal(atomic_load(&hw.given_freed), 1); /* ... and freed through gatehouse */
    assert_int_equal(atomic_load(&hw.leaked), 0);      /* wiped first */
    gh_buf_cleanup(&got);
}

/* The one loopback test: IMDS and container credentials, and `gatehouse instance --listen`. */
static void
test_is_loopback(void **state)
{
    static const struct {
        const char *host;
        bool loopback;
    } cases[] = {
        {"127.0.0.1", true},
        {"127.255.255.254", true},
        {"::1", true},
        {"0:0:0:0:0:0:0:1", true},
        {"::ffff:127.0.0.1", true}, /* an IPv4 peer on a dual-stack socket */
        {"localhost", true},
        {"128.0.0.1", false},
        {"10.0.0.1", false},
        {"0.0.0.0", false},
        {"::", false},
        {"::2", false},
        {"::ffff:10.0.0.1", false},
        {"::127.0.0.1", false},     /* IPv4-compatible, not mapped */
        {"127.example.com", false}, /* a name, not an address */
        {"127.0.0.1 ", false},
        {"localhost.", false},
        {"LOCALHOST.evil", false},
        {"", false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(gh_http_is_loopback(cases[i].host), cases[i].loopback);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_form_limit),
        cmocka_unit_test(test_xml),
        cmocka_unit_test(test_form_nomem),
        cmocka_unit_test(test_response_body_wiped),
        cmocka_unit_test(test_is_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
