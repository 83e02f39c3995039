/* s3/auth.c: calls back up into the front door (gh_api_call_init is fine). */
#include "api/api.h"

int
s3_auth(void *api, void *c)
{
    gh_api_call_init(api, c);
    return gh_api_authenticate(api);
}
