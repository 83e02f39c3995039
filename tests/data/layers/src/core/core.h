/* core.h: decoys only. A comment naming strcpy(dst, src) or sprintf is no call. */
#include <stdio.h>

#define GH_DECOY "never atoi(\"1\") or strcat( in a string"
#define GH_QUOTE '"'

struct gh_decoy {
    int rand; /* a member named like a banned call */
    int gets;
};
