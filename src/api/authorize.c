/*
 * authorize.c: the authorization decision for a call. Root of the account
 * may do everything; every other principal is decided by the policy
 * engine, and an error anywhere denies.
 */
#include <string.h>

#include "api/api_int.h"

enum gh_err
gh_call_authorize(struct gh_call *c, const char *action, struct gh_slice resource)
{
    const struct gh_principal *p = c->caller;

    if (p->type == GH_PRINCIPAL_ROOT)
        return GH_OK;
    /* AWS: "User: ARN is not authorized to perform: ACTION on resource: ARN
     * because no identity-based policy allows the ACTION action". Until the
     * policy engine is wired in, nothing but root is allowed (fail closed). */
    return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                        "User: %.*s is not authorized to perform: %s on resource: %.*s because no "
                        "identity-based policy allows the %s action",
                        GH_SP(p->arn), action, GH_SP(resource), action);
}
