/* buf.c: two banned calls (sprintf, strtok) among decoys. */
#include <openssl/rand.h>
#include <string.h>

#include "core/core.h"

int
gh_decoy_use(struct gh_decoy *d, struct gh_decoy v, char *b, size_t n)
{
    char q = '\'';
    const char *s = "// not a comment: strcpy(b, s)";

    snprintf(b, n, "%d%c%s", d->rand + v.gets, q, s);
    sprintf(b, "%d", 1);
    return strtok(b, ",") != NULL;
}

/* A banned function taken as a value is a use too. */
static char *(*const copy)(char *, const char *) = strcpy;
