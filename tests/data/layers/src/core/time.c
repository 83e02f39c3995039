/* time.c: a banned call listed in the self-test's exceptions. */
#include <time.h>

#include "core/core.h"

struct tm *
gh_decoy_time(const time_t *t)
{
    return gmtime(t);
}
