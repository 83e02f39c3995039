/*
 * explain.c: a decision in AWS's words: the tail of the AccessDenied
 * message and SimulatePrincipalPolicy's EvalDecision names.
 */
#include "policy/policy_int.h"

const char *
gh_policy_decision_str(enum gh_decision d)
{
    switch (d) {
    case GH_ALLOW:
        return "allowed";
    case GH_DENY_EXPLICIT:
        return "explicitDeny";
    case GH_DENY_IMPLICIT:
        break;
    }
    return "implicitDeny";
}

void
gh_policy_reason_write(const struct gh_policy_result *r, struct gh_slice action, struct gh_buf *out)
{
    const char *none = NULL, *deny = NULL;

    /* AWS IAM "Access denied error messages": "... because no
     * identity-based policy allows the ACTION action" or "... with an
     * explicit deny in an identity-based policy: POLICY-ARN". */
    switch (r->reason) {
    case GH_REASON_ALLOWED:
        return;
    case GH_REASON_NO_IDENTITY_ALLOW:
        none = "identity-based policy";
        break;
    case GH_REASON_NO_RESOURCE_ALLOW:
        none = "resource-based policy";
        break;
    case GH_REASON_NO_BOUNDARY_ALLOW:
        none = "permissions boundary";
        break;
    case GH_REASON_NO_SESSION_ALLOW:
        none = "session policy";
        break;
    case GH_REASON_NO_SCP_ALLOW:
        none = "service control policy";
        break;
    case GH_REASON_DENY_IDENTITY:
        deny = "an identity-based policy";
        break;
    case GH_REASON_DENY_RESOURCE:
        deny = "a resource-based policy";
        break;
    case GH_REASON_DENY_BOUNDARY:
        deny = "a permissions boundary";
        break;
    case GH_REASON_DENY_SESSION:
        deny = "a session policy";
        break;
    case GH_REASON_DENY_SCP:
        deny = "a service control policy";
        break;
    }
    if (none != NULL) {
        gh_buf_putf(out, "because no %s allows the %.*s action", none, GH_SP(action));
        return;
    }
    gh_buf_putf(out, "with an explicit deny in %s", deny);
    /* Only a managed policy has an ARN to cite. */
    if (r->reason == GH_REASON_DENY_IDENTITY && r->hit_count > 0 &&
        (r->hits[0].origin == GH_ORIGIN_MANAGED || r->hits[0].origin == GH_ORIGIN_GROUP_MANAGED) &&
        gh_slice_starts_with(r->hits[0].source_id, GH_S("arn:")))
        gh_buf_putf(out, ": %.*s", GH_SP(r->hits[0].source_id));
}
