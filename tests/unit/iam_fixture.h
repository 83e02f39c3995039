/*
 * iam_fixture.h: the harness of the IAM unit tests: a real SQLite store in
 * a temp directory, calls run as the front door runs them, XML compared
 * with golden files (tests/data/xml/<Action>/<case>.xml; GH_UPDATE_GOLDEN=1
 * rewrites them). Included by exactly one test file per executable.
 *
 * Parameters, #defined before the #include (each file keeps the golden
 * files it was written with):
 * - IAM_FIXTURE_ID_PREFIXES: the id prefixes whose random tails become X,
 *   as a list of string literals; default below.
 * - IAM_FIXTURE_SECRET_FILL: each character of a <SecretAccessKey> becomes
 *   'S' (its length kept) and no other element is masked; by default the
 *   secret-like elements (blobs below) become the one word SECRET.
 */
#ifndef GH_TEST_IAM_FIXTURE_H
#define GH_TEST_IAM_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api.h"
#include "iam/iam.h"
#include "iam/iam_ext.h"

#define ACCOUNT "123456789012"
#define NOW 1764087670 /* 2025-11-25T16:21:10Z: a fixed clock */
#define RID "c0ffee00-0000-4000-8000-000000000000"

struct fixture {
    char dir[64];
    struct gh_store *store;
    struct gh_api_config config;
    struct gh_principal caller;
};

/* What one call answered, rendered as the front door renders it. */
struct reply {
    enum gh_err err;
    char code[64];
    char message[2048];
    char *xml; /* heap; ids and secrets replaced by fixed text */
    char *raw; /* heap; as answered */
};

static void
reply_free(struct reply *r)
{
    free(r->xml);
    free(r->raw);
    r->xml = NULL;
    r->raw = NULL;
}

#ifndef IAM_FIXTURE_ID_PREFIXES
#define IAM_FIXTURE_ID_PREFIXES "AIDA", "AROA", "ANPA", "AKIA", "APKA", "ASCA"
#endif

/* Replaces random identifiers and secrets so golden files can be fixed. */
static void
normalize(char *s)
{
    static const char *const prefixes[] = {IAM_FIXTURE_ID_PREFIXES};
    char *p;

    for (size_t k = 0; k < GH_ARRAY_LEN(prefixes); k++) {
        for (p = strstr(s, prefixes[k]); p != NULL; p = strstr(p + 4, prefixes[k])) {
            size_t n = 4;
            while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '2' && p[n] <= '7'))
                n++;
            for (size_t i = 4; i < n; i++)
                p[i] = 'X';
        }
    }
#ifdef IAM_FIXTURE_SECRET_FILL
    for (p = strstr(s, "<SecretAccessKey>"); p != NULL; p = strstr(p + 1, "<SecretAccessKey>")) {
        char *q = p + strlen("<SecretAccessKey>");
        while (*q != '<' && *q != '\0')
            *q++ = 'S';
    }
#else
    static const char *const blobs[] = {"<SecretAccessKey>", "<Base32StringSeed>", "<QRCodePNG>",
                                        "<DeletionTaskId>"};
    for (size_t k = 0; k < GH_ARRAY_LEN(blobs); k++) {
        /* Contents vary in length (a PNG's size follows its seed): one fixed word. */
        for (p = strstr(s, blobs[k]); p != NULL; p = strstr(p + 1, blobs[k])) {
            char *q = p + strlen(blobs[k]), *e = q;
            while (*e != '<' && *e != '\0')
                e++;
            if (e - q >= 6) {
                memcpy(q, "SECRET", 6);
                memmove(q + 6, e, strlen(e) + 1);
            }
        }
    }
#endif
}

/* Runs `action` with NULL-terminated name/value pairs as the framework does. */
static void
call(struct fixture *f, struct reply *r, const char *action, ...)
{
    const struct gh_action *a = NULL;
    struct gh_arena arena;
    struct gh_buf form, result, out;
    struct gh_params params;
    struct gh_diag diag;
    struct gh_call c;
    va_list ap;
    const char *name;
    bool first = true;

    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < gh_iam_service.nactions; i++)
        if (strcmp(gh_iam_service.actions[i].name, action) == 0)
            a = &gh_iam_service.actions[i];
    assert_non_null(a);
    gh_arena_init(&arena);
    gh_buf_init(&form, 0);
    gh_buf_init(&result, 0);
    gh_buf_init(&out, 0);
    va_start(ap, action);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        gh_buf_putf(&form, "%s%s=", first ? "" : "&", name);
        assert_int_equal(gh_uri_encode(&form, gh_slice_from_cstr(value), false), GH_OK);
        first = false;
    }
    va_end(ap);
    assert_int_equal(gh_form_parse(&arena, gh_buf_slice(&form), true, &params, &diag), GH_OK);

    memset(&c, 0, sizeof(c));
    c.arena = &arena;
    c.params = &params;
    c.service = &gh_iam_service;
    c.action = a;
    c.caller = &f->caller;
    c.store = f->store;
    c.config = &f->config;
    c.now = NOW;
    c.request_id = RID;
    c.result = &result;
    assert_int_equal(gh_store_tx_begin(f->store, (a->flags & GH_ACTION_WRITE) != 0, &c.tx), GH_OK);
    r->err = a->fn(&c);
    if (r->err == GH_OK && c.err != GH_OK)
        r->err = c.err;
    if (r->err == GH_OK && (a->flags & GH_ACTION_WRITE))
        r->err = gh_store_tx_commit(c.tx);
    else
        gh_store_tx_rollback(c.tx);
    if (r->err == GH_OK) {
        gh_buf_putf(&out, "<%sResponse xmlns=\"%s\">", action, gh_iam_service.xmlns);
        if (!(a->flags & GH_ACTION_NO_RESULT)) {
            gh_buf_putf(&out, "<%sResult>", action);
            gh_buf_put(&out, gh_buf_slice(&result));
            gh_buf_putf(&out, "</%sResult>", action);
        }
        gh_buf_putf(&out,
                    "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>",
                    RID, action);
    } else {
        const struct gh_err_info *info = gh_err_info(r->err);
        (void)snprintf(r->code, sizeof(r->code), "%s", info->code);
        (void)snprintf(r->message, sizeof(r->message), "%s", c.message);
        gh_buf_putf(&out, "<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type><Code>%s</Code>",
                    gh_iam_service.xmlns, info->sender ? "Sender" : "Receiver", info->code);
        gh_xml_elem_cstr(&out, "Message", c.message);
        gh_buf_putf(&out, "</Error><RequestId>%s</RequestId></ErrorResponse>", RID);
    }
    assert_int_equal(gh_buf_status(&out), GH_OK);
    r->xml = strdup(out.ptr);
    r->raw = strdup(out.ptr);
    assert_non_null(r->xml);
    assert_non_null(r->raw);
    normalize(r->xml);
    gh_buf_cleanup(&out);
    gh_buf_cleanup(&result);
    gh_buf_cleanup(&form);
    gh_arena_cleanup(&arena);
}

/* Compares with (or, with GH_UPDATE_GOLDEN=1, writes) tests/data/xml/<action>/<name>.xml. */
static void
golden(const struct reply *r, const char *action, const char *name)
{
    const char *src = getenv("GH_SOURCE_DIR");
    char path[1024], dir[512], want[65536];
    FILE *fp;
    size_t n;

    (void)snprintf(dir, sizeof(dir), "%s/tests/data/xml/%s", src != NULL ? src : ".", action);
    (void)snprintf(path, sizeof(path), "%s/%s.xml", dir, name);
    if (getenv("GH_UPDATE_GOLDEN") != NULL) {
        (void)mkdir(dir, 0755);
        fp = fopen(path, "w");
        assert_non_null(fp);
        fprintf(fp, "%s\n", r->xml);
        fclose(fp);
        return;
    }
    fp = fopen(path, "r");
    if (fp == NULL)
        fail_msg("missing golden file %s", path);
    n = fread(want, 1, sizeof(want) - 1, fp);
    fclose(fp);
    want[n] = '\0';
    if (n > 0 && want[n - 1] == '\n')
        want[n - 1] = '\0';
    if (strcmp(want, r->xml) != 0)
        fail_msg("%s differs:\nwant %s\ngot  %s", path, want, r->xml);
}

/* A call that must fail with `code` and exactly `message`. */
#define EXPECT_ERR(f, want_code, want_msg, ...)                                                    \
    do {                                                                                           \
        struct reply r_;                                                                           \
        call((f), &r_, __VA_ARGS__, NULL);                                                         \
        if (r_.err == GH_OK || strcmp(r_.code, (want_code)) != 0 ||                                \
            strcmp(r_.message, (want_msg)) != 0)                                                   \
            fail_msg("line %d: want %s \"%s\", got %s \"%s\"", __LINE__, (want_code), (want_msg),  \
                     r_.code, r_.message);                                                         \
        reply_free(&r_);                                                                           \
    } while (0)

#define EXPECT_OK(f, ...)                                                                          \
    do {                                                                                           \
        struct reply r_;                                                                           \
        call((f), &r_, __VA_ARGS__, NULL);                                                         \
        if (r_.err != GH_OK)                                                                       \
            fail_msg("line %d: %s %s", __LINE__, r_.code, r_.message);                             \
        reply_free(&r_);                                                                           \
    } while (0)

/* A call that must succeed and match its golden file. */
#define EXPECT_GOLDEN(f, action, name, ...)                                                        \
    do {                                                                                           \
        struct reply r_;                                                                           \
        call((f), &r_, action, __VA_ARGS__ NULL);                                                  \
        golden(&r_, action, name);                                                                 \
        reply_free(&r_);                                                                           \
    } while (0)

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_secret master;
    struct gh_store_tx *tx;

    assert_non_null(f);
    (void)snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-iamx-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gh_store_master_key_load(f->dir, &master), GH_OK);
    assert_int_equal(gh_store_open(f->dir, &master, &f->store), GH_OK);
    gh_secret_wipe(&master);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_account_create(tx, ACCOUNT, NOW - 86400), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    f->config.region = "us-east-1";
    f->config.managed_policies_per_role = 10;
    f->caller.type = GH_PRINCIPAL_ROOT;
    memcpy(f->caller.account, ACCOUNT, 13);
    f->caller.arn = GH_S("arn:aws:iam::" ACCOUNT ":root");
    f->caller.user_id = GH_S(ACCOUNT);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    gh_store_close(f->store);
    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

/* The text of the first <tag> in `xml` into out (NUL-terminated), or fails the test. */
__attribute__((unused)) static void
xml_text(const char *xml, const char *tag, char *out, size_t cap)
{
    char open[64];
    const char *p, *q;

    (void)snprintf(open, sizeof(open), "<%s>", tag);
    p = strstr(xml, open);
    if (p == NULL)
        fail_msg("no <%s> in %s", tag, xml);
    p += strlen(open);
    q = strchr(p, '<');
    assert_non_null(q);
    assert_true((size_t)(q - p) < cap);
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
}

#endif
