/*
 * alloc.c: the allocator gatehouse installs for a library that hides its
 * own allocation failures (jansson), counting them so a caller can tell
 * that its call ran out of memory.
 */
#include <stdlib.h>

#include "core/core.h"

/*
 * Per thread, not one process-wide atomic: a library call (json_loadb)
 * runs on its caller's thread and allocates only there, so the failures
 * this thread counted between two readings are exactly those of the
 * caller's own call; a shared counter would also see another request's
 * failure, and each allocation would touch a cache line every thread
 * writes. This is not a "last error" (STYLE "Errors"): the count only
 * grows, is never reset, and is no call's result; a caller compares two
 * readings it took around its own call (gh_alloc_failures).
 */
static _Thread_local unsigned long failures;

void *
gh_alloc_counted(size_t n)
{
    void *p = malloc(n);

    if (p == NULL && n != 0)
        failures++;
    return p;
}

unsigned long
gh_alloc_failures(void)
{
    return failures;
}
