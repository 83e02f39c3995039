/*
 * test_http.c: the form/query parser and the XML writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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
    assert_string_equal(b.ptr, "<User><UserName>a&amp;b</UserName><N>-3</N><IsTruncated>false"
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_form_limit),
        cmocka_unit_test(test_xml),
        cmocka_unit_test(test_form_nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
