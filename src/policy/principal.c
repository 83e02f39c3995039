/*
 * principal.c: matching the Principal and NotPrincipal elements against
 * the caller: accounts, user/role/session ARNs, "*", services, federated
 * providers and canonical users.
 */
#include "policy/policy_int.h"

static bool
is_aws_principal(enum gh_principal_type t)
{
    return t == GH_PRINCIPAL_ROOT || t == GH_PRINCIPAL_USER || t == GH_PRINCIPAL_ROLE ||
           t == GH_PRINCIPAL_ASSUMED_ROLE || t == GH_PRINCIPAL_FEDERATED_USER;
}

/* The unique id `arn` was bound to when the policy was saved, or NULL. */
static const struct gh_policy_bind *
bound(const struct gh_policy_binds *b, struct gh_slice arn)
{
    for (size_t i = 0; b != NULL && i < b->n; i++)
        if (gh_slice_eq(b->v[i].arn, arn))
            return &b->v[i];
    return NULL;
}

/* Does a binding name a role (arn:aws:iam::ACCT:role/...) rather than a user? */
static bool
bound_is_role(const struct gh_policy_bind *bd)
{
    static const size_t kind = 13 + 12 + 1; /* "arn:aws:iam::" "ACCT:" */

    return bd->arn.len > kind && bd->arn.ptr[kind] == 'r';
}

/*
 * AWS IAM "Principal": a user or role ARN in a saved policy names the
 * entity by its unique id, so it matches the caller only while the caller
 * is that very user or role (or a session of that role), even after a
 * rename, and never a user or role re-created under the same name.
 */
static enum gh_pmatch
bound_match(const struct gh_policy_bind *bd, const struct gh_policy_principal *p)
{
    if (p->id.len == 0 || !gh_slice_eq(p->id, bd->id))
        return GH_PM_NONE;
    if (bound_is_role(bd))
        return p->type == GH_PRINCIPAL_ROLE           ? GH_PM_DIRECT
               : p->type == GH_PRINCIPAL_ASSUMED_ROLE ? GH_PM_ROLE
                                                      : GH_PM_NONE;
    return p->type == GH_PRINCIPAL_USER ? GH_PM_DIRECT : GH_PM_NONE;
}

static enum gh_pmatch
entry_match(const struct gh_pentry *e, const struct gh_policy_principal *p,
            const struct gh_policy_binds *b)
{
    const struct gh_policy_bind *bd;

    switch ((enum gh_pe_kind)e->kind) {
    case GH_PE_ALL:
        /* AWS IAM "Principal": "*" and {"AWS": "*"} mean everyone,
         * anonymous callers included. */
        return GH_PM_WILDCARD;
    case GH_PE_ACCOUNT:
        /* AWS IAM: naming an account (id or :root ARN) delegates to that
         * account: any of its principals matches, and its own
         * identity-based policies must then allow. */
        if (!is_aws_principal(p->type) || !gh_slice_eq(p->account, e->value))
            return GH_PM_NONE;
        return p->type == GH_PRINCIPAL_ROOT ? GH_PM_DIRECT : GH_PM_ACCOUNT;
    case GH_PE_ARN:
        if (!is_aws_principal(p->type))
            return GH_PM_NONE;
        if ((bd = bound(b, e->value)) != NULL)
            return bound_match(bd, p);
        if (gh_slice_eq(p->arn, e->value))
            return GH_PM_DIRECT;
        /* AWS IAM "Role session principals": a role ARN in Principal
         * matches the sessions of that role (arn:aws:sts::ACCT:
         * assumed-role/NAME/SESSION carries no path, so the caller gives
         * the role's full ARN). */
        if (p->type == GH_PRINCIPAL_ASSUMED_ROLE && p->role_arn.len > 0 &&
            gh_slice_eq(p->role_arn, e->value))
            return GH_PM_ROLE;
        return GH_PM_NONE;
    case GH_PE_SERVICE:
        return p->type == GH_PRINCIPAL_SERVICE && gh_slice_case_eq(p->service, e->value)
                   ? GH_PM_DIRECT
                   : GH_PM_NONE;
    case GH_PE_FEDERATED:
        return (p->type == GH_PRINCIPAL_WEB_IDENTITY || p->type == GH_PRINCIPAL_SAML) &&
                       gh_slice_eq(p->provider, e->value)
                   ? GH_PM_DIRECT
                   : GH_PM_NONE;
    case GH_PE_CANONICAL:
        return p->canonical_id.len > 0 && gh_slice_eq(p->canonical_id, e->value) ? GH_PM_DIRECT
                                                                                 : GH_PM_NONE;
    }
    return GH_PM_NONE;
}

enum gh_pmatch
gh_principal_match(const struct gh_pentry *e, size_t n, const struct gh_policy_principal *p,
                   const struct gh_policy_binds *b)
{
    enum gh_pmatch best = GH_PM_NONE;

    for (size_t i = 0; i < n; i++) {
        enum gh_pmatch m = entry_match(&e[i], p, b);
        if (m > best)
            best = m;
    }
    return best;
}

/* Is this one identity of the caller named in the NotPrincipal list? */
static bool
listed(const struct gh_pentry *e, size_t n, enum gh_pe_kind kind, struct gh_slice v)
{
    for (size_t i = 0; i < n; i++) {
        if (e[i].kind == GH_PE_ALL)
            return true;
        if (e[i].kind == kind && gh_slice_eq(e[i].value, v))
            return true;
    }
    return false;
}

/*
 * Is the caller's own ARN (`arn`: the user's, or the role's for a role
 * session) named in the NotPrincipal list? A bound entry names the entity
 * with the bound unique id (`id`), whatever its ARN now reads; an unbound
 * one names the ARN.
 */
static bool
listed_arn(const struct gh_pentry *e, size_t n, struct gh_slice arn, struct gh_slice id, bool role,
           const struct gh_policy_binds *b)
{
    for (size_t i = 0; i < n; i++) {
        const struct gh_policy_bind *bd;

        if (e[i].kind == GH_PE_ALL)
            return true;
        if (e[i].kind != GH_PE_ARN)
            continue;
        if ((bd = bound(b, e[i].value)) != NULL) {
            if (id.len > 0 && gh_slice_eq(bd->id, id) && bound_is_role(bd) == role)
                return true;
        } else if (gh_slice_eq(e[i].value, arn)) {
            return true;
        }
    }
    return false;
}

bool
gh_principal_not_match(const struct gh_pentry *e, size_t n, const struct gh_policy_principal *p,
                       const struct gh_policy_binds *b)
{
    /*
     * AWS IAM "NotPrincipal": the caller is excluded only when each of its
     * identities is listed: a user needs its ARN and its account's; a role
     * session its session ARN, its role's ARN and its account's ("you must
     * also include the account ARN ... and the role ARN").
     */
    switch (p->type) {
    case GH_PRINCIPAL_ANONYMOUS:
        return !listed(e, n, GH_PE_ALL, GH_SLICE_NULL);
    case GH_PRINCIPAL_SERVICE:
        for (size_t i = 0; i < n; i++)
            if (e[i].kind == GH_PE_ALL ||
                (e[i].kind == GH_PE_SERVICE && gh_slice_case_eq(e[i].value, p->service)))
                return false;
        return true;
    case GH_PRINCIPAL_WEB_IDENTITY:
    case GH_PRINCIPAL_SAML:
        return !listed(e, n, GH_PE_FEDERATED, p->provider);
    case GH_PRINCIPAL_ROOT:
        return !listed(e, n, GH_PE_ACCOUNT, p->account);
    case GH_PRINCIPAL_USER:
    case GH_PRINCIPAL_ROLE:
        return !(listed(e, n, GH_PE_ACCOUNT, p->account) &&
                 listed_arn(e, n, p->arn, p->id, p->type == GH_PRINCIPAL_ROLE, b));
    case GH_PRINCIPAL_FEDERATED_USER:
        return !(listed(e, n, GH_PE_ACCOUNT, p->account) && listed(e, n, GH_PE_ARN, p->arn));
    case GH_PRINCIPAL_ASSUMED_ROLE:
        /* The session ARN (arn:aws:sts::...) is never bound: AWS transforms
         * only user and role ARNs. */
        return !(listed(e, n, GH_PE_ACCOUNT, p->account) && listed(e, n, GH_PE_ARN, p->arn) &&
                 (p->role_arn.len == 0 || listed_arn(e, n, p->role_arn, p->id, true, b)));
    }
    return true;
}
