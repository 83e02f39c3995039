/*
 * evaluate.c: deciding a request: which statements of a policy apply
 * (action, resource, principal, conditions), and how the policies of a
 * request combine, as AWS IAM's "Policy evaluation logic" describes it.
 * No allocation: candidates come from the compiled service index and
 * results go into the caller's fixed-size result.
 */
#include <string.h>

#include "policy/policy_int.h"

/* What one policy said. */
struct verdict {
    bool allow;
    bool deny;
    enum gh_pmatch pm; /* strongest Principal match among applicable Allows */
};

/* Statements seen with each effect, before the decision picks one side. */
struct hits {
    struct gh_policy_hit h[GH_POLICY_HITS_MAX];
    size_t n;
    bool truncated;
};

/* `pats`: when the service index chose the statement, the patterns naming the service. */
static bool
action_applies(const struct gh_stmt *st, const struct gh_policy_ctx *c, const uint32_t *pats,
               uint32_t npat)
{
    bool m = false;

    if (pats != NULL) {
        for (uint32_t i = 0; i < npat && !m; i++)
            m = gh_pat_match(&st->actions[pats[i]], c->action_lower, false, c);
        return m; /* indexed statements have no NotAction */
    }
    for (uint32_t i = 0; i < st->nact && !m; i++)
        m = gh_pat_match(&st->actions[i], c->action_lower, false, c);
    return m != st->not_action;
}

static bool
resource_applies(const struct gh_stmt *st, const struct gh_policy_ctx *c)
{
    bool m = st->res_any;

    for (uint32_t i = 0; i < st->nres && !m; i++)
        m = gh_pat_match_arn(&st->resources[i], c->resource, c->res_colon, c->res_ncolon, c);
    return m != st->not_resource;
}

/*
 * `bounded`: the caller has a permissions boundary. AWS IAM "Permissions
 * boundaries for IAM entities" and "NotPrincipal": "The NotPrincipal
 * element with a Deny effect will always deny any IAM principal that has
 * a permissions boundary policy attached, regardless of the values
 * specified in the NotPrincipal element."
 */
static bool
stmt_applies(const struct gh_stmt *st, const struct gh_policy_ctx *c, const uint32_t *pats,
             uint32_t npat, bool bounded, const struct gh_policy_binds *b, enum gh_pmatch *pm,
             struct gh_policy_result *res)
{
    *pm = GH_PM_NONE;
    if (!action_applies(st, c, pats, npat) || !resource_applies(st, c))
        return false;
    if (st->has_principal) {
        if (st->not_principal) {
            if (!(st->deny && bounded) &&
                !gh_principal_not_match(st->principals, st->nprin, &c->principal, b))
                return false;
            *pm = GH_PM_WILDCARD;
        } else if ((*pm = gh_principal_match(st->principals, st->nprin, &c->principal, b)) ==
                   GH_PM_NONE) {
            return false;
        }
    }
    return st->ncond == 0 || gh_cond_eval(st->conds, st->ncond, c, res);
}

static void
hit_add(struct hits *h, const struct gh_policy_src *src, enum gh_policy_role role, uint32_t idx,
        const struct gh_stmt *st)
{
    struct gh_policy_hit *x;

    if (h == NULL)
        return;
    if (h->n == GH_POLICY_HITS_MAX) {
        h->truncated = true;
        return;
    }
    x = &h->h[h->n++];
    x->source_id = src->id;
    x->origin = src->origin;
    x->role = role;
    x->statement = idx;
    x->sid = st->sid;
    x->deny = st->deny;
    x->start = st->start;
    x->end = st->end;
}

static void
stmt_eval(const struct gh_policy_src *src, enum gh_policy_role role, uint32_t idx,
          const uint32_t *pats, uint32_t npat, const struct gh_policy_ctx *c, bool bounded,
          struct verdict *v, struct hits *allow, struct hits *deny, struct gh_policy_result *res)
{
    const struct gh_stmt *st = &src->policy->stmts[idx];
    const struct gh_policy_binds b = {src->bind, src->bind_count};
    enum gh_pmatch pm;

    if (!stmt_applies(st, c, pats, npat, bounded, &b, &pm, res))
        return;
    if (st->deny) {
        v->deny = true;
        hit_add(deny, src, role, idx, st);
    } else {
        v->allow = true;
        if (pm > v->pm)
            v->pm = pm;
        hit_add(allow, src, role, idx, st);
    }
}

/*
 * Evaluates the statements of one policy that may name the request's
 * service, in order: those the service index lists for it (with only their
 * patterns naming it) merged with those that may match any service.
 */
static void
policy_eval(const struct gh_policy_src *src, enum gh_policy_role role,
            const struct gh_policy_ctx *c, bool bounded, struct verdict *v, struct hits *allow,
            struct hits *deny, struct gh_policy_result *res)
{
    const struct gh_policy *p = src->policy;
    const struct gh_svc_index *ix = gh_policy_svc_find(
        p, (struct gh_slice){c->action_lower.ptr, c->service_len}, c->service_hash);
    const uint32_t *a = p->any_stmts;
    const struct gh_svc_hit *b = ix != NULL ? ix->hits : NULL;
    uint32_t na = p->nany, nb = ix != NULL ? ix->n : 0, ia = 0, ib = 0;

    memset(v, 0, sizeof(*v));
    while (ia < na || ib < nb) {
        if (ib >= nb || (ia < na && a[ia] < b[ib].stmt)) {
            stmt_eval(src, role, a[ia++], NULL, 0, c, bounded, v, allow, deny, res);
        } else {
            const struct gh_svc_hit *h = &b[ib++];
            stmt_eval(src, role, h->stmt, &p->stmts[h->stmt].act_order[h->first], h->n, c, bounded,
                      v, allow, deny, res);
        }
    }
}

/* The union of a group of policies (identity, session). */
static void
group_eval(const struct gh_policy_src *srcs, size_t n, enum gh_policy_role role,
           const struct gh_policy_ctx *c, bool bounded, struct verdict *v, struct hits *allow,
           struct hits *deny, struct gh_policy_result *res)
{
    memset(v, 0, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        struct verdict one;

        if (srcs[i].policy == NULL)
            continue;
        policy_eval(&srcs[i], role, c, bounded, &one, allow, deny, res);
        v->allow = v->allow || one.allow;
        v->deny = v->deny || one.deny;
        if (one.pm > v->pm)
            v->pm = one.pm;
    }
}

/*
 * Clears what a result says: its decision (an implicit deny), reason and
 * counts. The entries past the counts are never read, and clearing the
 * whole (1.5 KB) cost more than the rest of a decision over a few policies.
 */
static void
result_clear(struct gh_policy_result *out)
{
    out->decision = GH_DENY_IMPLICIT;
    out->reason = GH_REASON_NO_IDENTITY_ALLOW;
    out->hit_count = 0;
    out->hits_truncated = false;
    out->missing_count = 0;
}

static void
finish(struct gh_policy_result *out, enum gh_decision d, enum gh_policy_reason r,
       const struct hits *h)
{
    out->decision = d;
    out->reason = r;
    if (h != NULL) {
        memcpy(out->hits, h->h, h->n * sizeof(h->h[0]));
        out->hit_count = h->n;
        out->hits_truncated = h->truncated;
    }
}

/* Deny hits of one role first, so hits[0] names the policy the message cites. */
static void
finish_deny(struct gh_policy_result *out, enum gh_policy_reason r, enum gh_policy_role role,
            const struct hits *deny)
{
    struct hits sorted;

    sorted.n = 0;
    sorted.truncated = deny->truncated;
    for (size_t pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < deny->n; i++)
            if ((deny->h[i].role == role) == (pass == 0))
                sorted.h[sorted.n++] = deny->h[i];
    finish(out, GH_DENY_EXPLICIT, r, &sorted);
}

enum gh_err
gh_policy_decide(const struct gh_policy_set *set, const struct gh_policy_ctx *c,
                 struct gh_policy_result *out)
{
    struct hits allow, deny; /* only n and truncated need clearing: h[] is written before read */
    struct verdict id, rs = {0}, bd = {0}, ss = {0}, scp = {0};
    bool scp_all = true, trust, bounded;

    result_clear(out);
    allow.n = deny.n = 0;
    allow.truncated = deny.truncated = false;
    if (c == NULL || set == NULL || c->action_lower.len == 0)
        return GH_ERR_INVALID_INPUT;
    /* A boundary in the set is the caller's; the context may say so too. */
    bounded = c->principal_bounded || (set->boundary != NULL && set->boundary->policy != NULL);

    /* AWS IAM "Policy evaluation logic": every applicable policy is
     * evaluated; an explicit deny in any of them ends it. */
    for (size_t i = 0; i < set->scp_count; i++) {
        struct verdict one = {0};
        if (set->scp[i].policy != NULL)
            policy_eval(&set->scp[i], GH_ROLE_SCP, c, bounded, &one, &allow, &deny, out);
        scp.deny = scp.deny || one.deny;
        scp_all = scp_all && one.allow;
    }
    if (set->resource != NULL && set->resource->policy != NULL)
        policy_eval(set->resource, GH_ROLE_RESOURCE, c, bounded, &rs, &allow, &deny, out);
    group_eval(set->identity, set->identity_count, GH_ROLE_IDENTITY, c, bounded, &id, &allow, &deny,
               out);
    if (set->boundary != NULL && set->boundary->policy != NULL)
        policy_eval(set->boundary, GH_ROLE_BOUNDARY, c, bounded, &bd, &allow, &deny, out);
    group_eval(set->session, set->session_count, GH_ROLE_SESSION, c, bounded, &ss, &allow, &deny,
               out);

    if (scp.deny)
        return finish_deny(out, GH_REASON_DENY_SCP, GH_ROLE_SCP, &deny), GH_OK;
    if (rs.deny)
        return finish_deny(out, GH_REASON_DENY_RESOURCE, GH_ROLE_RESOURCE, &deny), GH_OK;
    if (id.deny)
        return finish_deny(out, GH_REASON_DENY_IDENTITY, GH_ROLE_IDENTITY, &deny), GH_OK;
    if (bd.deny)
        return finish_deny(out, GH_REASON_DENY_BOUNDARY, GH_ROLE_BOUNDARY, &deny), GH_OK;
    if (ss.deny)
        return finish_deny(out, GH_REASON_DENY_SESSION, GH_ROLE_SESSION, &deny), GH_OK;

    /* AWS Organizations: with SCPs in force, they must allow too. */
    if (set->scp_count > 0 && !scp_all)
        return finish(out, GH_DENY_IMPLICIT, GH_REASON_NO_SCP_ALLOW, NULL), GH_OK;

    /* AWS IAM "How IAM roles differ from resource-based policies": a role
     * can be assumed only when its trust policy allows the caller, in the
     * same account too; other resource-based policies add to identity
     * policies within one account. */
    trust = set->resource != NULL && set->resource->policy != NULL &&
            set->resource->policy->kind == GH_POLICY_TRUST;
    if (!set->cross_account && rs.allow && rs.pm != GH_PM_ACCOUNT) {
        /*
         * AWS IAM "Policy evaluation logic" (within one account): a
         * resource-based policy that names the IAM user or the role
         * session itself allows on its own; an implicit deny in identity
         * policies, the boundary or session policies does not limit it.
         * Naming the role (or everyone) grants the role's sessions, which
         * the permissions boundary and session policies still limit.
         */
        if (rs.pm == GH_PM_DIRECT)
            return finish(out, GH_ALLOW, GH_REASON_ALLOWED, &allow), GH_OK;
        if (set->boundary != NULL && !bd.allow)
            return finish(out, GH_DENY_IMPLICIT, GH_REASON_NO_BOUNDARY_ALLOW, NULL), GH_OK;
        if (set->session_count > 0 && !ss.allow)
            return finish(out, GH_DENY_IMPLICIT, GH_REASON_NO_SESSION_ALLOW, NULL), GH_OK;
        return finish(out, GH_ALLOW, GH_REASON_ALLOWED, &allow), GH_OK;
    }
    /* AWS IAM "Cross-account policy evaluation logic": the resource's
     * account must allow in its resource-based policy. */
    if ((set->cross_account || trust) && !rs.allow)
        return finish(out, GH_DENY_IMPLICIT, GH_REASON_NO_RESOURCE_ALLOW, NULL), GH_OK;
    if (!id.allow)
        return finish(out, GH_DENY_IMPLICIT, GH_REASON_NO_IDENTITY_ALLOW, NULL), GH_OK;
    /* AWS IAM "Permissions boundaries": effective permissions are the
     * intersection of identity-based policies and the boundary. */
    if (set->boundary != NULL && !bd.allow)
        return finish(out, GH_DENY_IMPLICIT, GH_REASON_NO_BOUNDARY_ALLOW, NULL), GH_OK;
    /* AWS IAM "Session policies": the session's permissions are the
     * intersection of the identity-based policies and the session policies. */
    if (set->session_count > 0 && !ss.allow)
        return finish(out, GH_DENY_IMPLICIT, GH_REASON_NO_SESSION_ALLOW, NULL), GH_OK;
    finish(out, GH_ALLOW, GH_REASON_ALLOWED, &allow);
    return GH_OK;
}

enum gh_err
gh_policy_eval(const struct gh_policy_src *src, enum gh_policy_role role,
               const struct gh_policy_ctx *c, struct gh_policy_result *out)
{
    struct hits allow, deny; /* only n and truncated need clearing: h[] is written before read */
    struct verdict v;
    static const enum gh_policy_reason deny_reason[] = {
        [GH_ROLE_IDENTITY] = GH_REASON_DENY_IDENTITY,
        [GH_ROLE_RESOURCE] = GH_REASON_DENY_RESOURCE,
        [GH_ROLE_BOUNDARY] = GH_REASON_DENY_BOUNDARY,
        [GH_ROLE_SESSION] = GH_REASON_DENY_SESSION,
        [GH_ROLE_SCP] = GH_REASON_DENY_SCP};
    static const enum gh_policy_reason none_reason[] = {
        [GH_ROLE_IDENTITY] = GH_REASON_NO_IDENTITY_ALLOW,
        [GH_ROLE_RESOURCE] = GH_REASON_NO_RESOURCE_ALLOW,
        [GH_ROLE_BOUNDARY] = GH_REASON_NO_BOUNDARY_ALLOW,
        [GH_ROLE_SESSION] = GH_REASON_NO_SESSION_ALLOW,
        [GH_ROLE_SCP] = GH_REASON_NO_SCP_ALLOW};

    result_clear(out);
    allow.n = deny.n = 0;
    allow.truncated = deny.truncated = false;
    if (c == NULL || src == NULL || src->policy == NULL || c->action_lower.len == 0 ||
        (unsigned)role > GH_ROLE_SCP)
        return GH_ERR_INVALID_INPUT;
    policy_eval(src, role, c, c->principal_bounded, &v, &allow, &deny, out);
    if (v.deny)
        finish(out, GH_DENY_EXPLICIT, deny_reason[role], &deny);
    else if (v.allow)
        finish(out, GH_ALLOW, GH_REASON_ALLOWED, &allow);
    else
        finish(out, GH_DENY_IMPLICIT, none_reason[role], NULL);
    return GH_OK;
}
