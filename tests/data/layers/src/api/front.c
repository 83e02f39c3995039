/* front.c: api/ uses its own entry points. */
#include "api/api.h"

void
gh_api_handle(void *api)
{
    (void)gh_api_authenticate(api);
}
