/*
 * alloc_fail.h: the test allocator of CONTRIBUTING.md "Tests": fail the n-th
 * allocation, raising n until the call succeeds, and expect GH_ERR_NOMEM
 * each time (leaks on the failure paths are found by LeakSanitizer in the
 * `make test` build).
 *
 * A test that includes this (once) is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup (see
 * CMakeLists.txt, GH_ALLOC_FAIL_TESTS), so every allocation made by
 * gatehouse's own code (the static module libraries, linked into the test)
 * goes through the counter below. Shared libraries allocate on their own:
 * af_init() routes jansson's allocations through it too (json_set_alloc_funcs),
 * counted only while af_json_counted is set, and then through
 * gh_alloc_counted as in the server: jansson 2.14's lexer reports some
 * allocation failures as syntax errors and ignores others (lex_save drops
 * the character it could not store, so a document parses with a letter
 * missing: jansson issue #362, unfixed in Debian 12), so only a caller
 * that checks gh_alloc_failures around json_loadb survives a sweep. The
 * others (cjose, libxml2, xmlsec, OpenSSL) are not counted.
 */
#ifndef GH_TEST_ALLOC_FAIL_H
#define GH_TEST_ALLOC_FAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/core.h"

static unsigned long af_count;   /* allocations since the run began */
static unsigned long af_fail_at; /* the one to fail (1-based); 0 = none */
static bool af_json_counted;     /* jansson's allocations count too */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

/* True when this allocation is the one to fail. */
static inline bool
af_tick(void)
{
    return af_fail_at != 0 && ++af_count == af_fail_at;
}

void *
__wrap_malloc(size_t n)
{
    return af_tick() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t k, size_t n)
{
    return af_tick() ? NULL : __real_calloc(k, n);
}

void *
__wrap_realloc(void *p, size_t n)
{
    return af_tick() ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
    return af_tick() ? NULL : __real_strdup(s);
}

/* gatehouse's own jansson allocator (cli/main.c), which counts the
 * failures callers check around json_loadb, when counted. */
static inline void *
af_json_malloc(size_t n)
{
    return af_json_counted ? gh_alloc_counted(n) : __real_malloc(n);
}

/* Routes jansson's allocations through the counter. Call first in main(). */
static inline void
af_init(void)
{
    json_set_alloc_funcs(af_json_malloc, free);
}

/*
 * Runs `fn(ctx)` failing its 1st, 2nd ... allocation until a run makes
 * fewer allocations than the one to fail; that run must return GH_OK and
 * every run before it GH_ERR_NOMEM (never another error, never success
 * with a lost allocation), or `also` when not GH_OK: the error a library
 * reports for its own allocation failure (still a refusal, never a
 * success). `fn` releases what it built. Returns how many failures were
 * injected.
 */
static inline unsigned long
af_torture_or(const char *what, enum gh_err also, enum gh_err (*fn)(void *ctx), void *ctx)
{
    unsigned long n;

    for (n = 1;; n++) {
        enum gh_err err;

        af_count = 0;
        af_fail_at = n;
        err = fn(ctx);
        af_fail_at = 0;
        if (af_count < n) {
            if (err != GH_OK) {
                print_error("%s: %s with no allocation failed\n", what, gh_err_str(err));
                fail();
            }
            break;
        }
        if (err != GH_ERR_NOMEM && (also == GH_OK || err != also)) {
            print_error("%s: allocation %lu failed, got %s instead of GH_ERR_NOMEM\n", what, n,
                        gh_err_str(err));
            fail();
        }
    }
    assert_true(n > 1); /* at least one allocation was failed */
    return n - 1;
}

/* af_torture_or with nothing but GH_ERR_NOMEM accepted for a failure. */
static inline unsigned long
af_torture(const char *what, enum gh_err (*fn)(void *ctx), void *ctx)
{
    return af_torture_or(what, GH_OK, fn, ctx);
}

#endif
