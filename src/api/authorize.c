/*
 * authorize.c: the authorization decision for a call. The account root may
 * do everything; any other principal is decided by the policy engine over
 * its identity-based policies, permissions boundary and session policies,
 * with the request's global condition keys. An error anywhere denies.
 */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"

/* The loader of a call: its transaction, arena and compiled-policy cache. */
static struct gh_api_loader
loader(struct gh_call *c)
{
    return (struct gh_api_loader){c->tx, c->arena, c->api_cache};
}

static enum gh_err
list_add(struct gh_call *c, struct policy_list *l, struct gh_slice doc, enum gh_policy_kind kind,
         struct gh_slice id, enum gh_policy_origin origin)
{
    struct gh_api_loader ld = loader(c);

    return gh_api_list_add(&ld, l, doc, kind, id, origin);
}

static enum gh_err
managed_doc(struct gh_call *c, struct gh_slice arn, struct gh_slice *doc)
{
    struct gh_api_loader ld = loader(c);

    return gh_api_managed_doc(&ld, arn, doc);
}

static enum gh_err
entity_policies(struct gh_call *c, struct policy_list *l, struct gh_slice id,
                const char *inline_prefix, struct gh_slice name)
{
    struct gh_api_loader ld = loader(c);

    return gh_api_entity_policies(&ld, l, id, inline_prefix, name);
}

/*
 * The unique id (AIDA/AROA) of the user or role behind `p`: the one sealed
 * in a session token, or a long-term key's user's; empty for a principal
 * named by ARN only.
 */
static struct gh_slice
entity_id_of(const struct gh_principal *p)
{
    if (p->session_info != NULL)
        return p->session_info->entity_id;
    if (p->type == GH_PRINCIPAL_USER)
        return p->user_id;
    return GH_SLICE_NULL;
}

/*
 * The identity policies and boundary of user or role `id` from its
 * principal snapshot (no store read when warm); `with_groups` false keeps
 * only its own policies.
 */
static enum gh_err
from_snapshot(struct gh_call *c, const struct gh_principal *p, enum gh_api_psnap_kind kind,
              struct gh_slice id, bool with_groups, struct gh_api_policies *out)
{
    struct gh_api_psnap *s = NULL;
    enum gh_err err =
        gh_api_psnap_get(c->api_cache, c->store, gh_slice_from_cstr(p->account), kind, id, &s);

    if (err != GH_OK)
        return err; /* a deleted user or role can do nothing */
    out->snap = s;
    out->snap_identity = with_groups ? s->nidentity : s->nown;
    out->entity_id = s->id;
    out->boundary = s->boundary;
    return GH_OK;
}

/*
 * The lists a load fills (about 8 KiB each, zeroed): only for what the
 * snapshots do not hold, so a warm request allocates neither.
 */
static enum gh_err
need_lists(struct gh_call *c, struct gh_api_policies *out)
{
    if ((out->identity == NULL &&
         (out->identity = gh_arena_alloc(c->arena, sizeof(*out->identity))) == NULL) ||
        (out->extra == NULL &&
         (out->extra = gh_arena_alloc(c->arena, sizeof(*out->extra))) == NULL))
        return GH_ERR_NOMEM;
    return GH_OK;
}

/* Managed policy `arn` as a session policy, from its snapshot. */
static enum gh_err
session_arn(struct gh_call *c, struct policy_list *l, struct gh_slice arn)
{
    struct gh_api_psnap *s = NULL;
    enum gh_err err;

    if (l->count == GH_API_SRC_MAX)
        return GH_ERR_LIMIT;
    if ((err = gh_api_psnap_get(c->api_cache, c->store, gh_api_policy_account(arn),
                                GH_API_PSNAP_POLICY, arn, &s)) != GH_OK)
        return err;
    l->owned[l->count] = gh_policy_ref(s->owned[0]);
    l->items[l->count] = (struct gh_policy_src){
        .policy = l->owned[l->count], .id = arn, .origin = GH_ORIGIN_MANAGED};
    l->count++;
    gh_api_psnap_unref(s);
    return GH_OK;
}

enum gh_err
gh_api_principal_policies(struct gh_call *c, const struct gh_principal *p,
                          struct gh_api_policies *out)
{
    enum gh_err err;
    struct gh_slice boundary = GH_SLICE_NULL;
    /* Principals that carry their unique id (keys, sessions) are read from
     * their snapshot when the call has a cache; a principal named by ARN
     * only (SimulatePrincipalPolicy) is read from the store. */
    bool snap = c->api_cache != NULL && c->store != NULL;

    memset(out, 0, sizeof(*out));
    if (p->type == GH_PRINCIPAL_ROOT || p->type == GH_PRINCIPAL_ANONYMOUS) {
        return GH_OK; /* no identity-based policies */
    } else if (p->type == GH_PRINCIPAL_USER && snap && entity_id_of(p).len > 0) {
        if ((err = from_snapshot(c, p, GH_API_PSNAP_USER, entity_id_of(p), true, out)) != GH_OK)
            return err;
    } else if (p->type == GH_PRINCIPAL_USER) {
        struct gh_user u;
        struct gh_slice id = entity_id_of(p);
        if ((err = need_lists(c, out)) != GH_OK)
            return err;
        /* By unique id when the principal carries one (keys, sessions): a
         * namesake of a deleted user is another user. By name only for a
         * principal built from an ARN (SimulatePrincipalPolicy). */
        err = id.len > 0
                  ? gh_store_user_get_by_id(c->tx, c->arena, gh_slice_from_cstr(p->account), id, &u)
                  : gh_store_user_get(c->tx, c->arena, gh_slice_from_cstr(p->account), p->name, &u);
        if (err != GH_OK)
            return err;
        if ((err = entity_policies(c, out->identity, u.id, "user", u.name)) != GH_OK)
            return err;
        {
            /* AWS IAM: a user also has the managed and inline policies of its groups
             * (at most 10 groups, so this is bounded). */
            struct gh_group *gs;
            size_t ng;
            if ((err = gh_store_user_groups(c->tx, c->arena, u.id, NULL, &gs, &ng, NULL)) != GH_OK)
                return err;
            for (size_t g = 0; g < ng; g++) {
                size_t first = out->identity->count;
                if ((err = entity_policies(c, out->identity, gs[g].id, "group", gs[g].name)) !=
                    GH_OK)
                    return err;
                for (size_t k = first; k < out->identity->count; k++)
                    out->identity->items[k].origin =
                        out->identity->items[k].origin == GH_ORIGIN_MANAGED
                            ? GH_ORIGIN_GROUP_MANAGED
                            : GH_ORIGIN_GROUP_INLINE;
            }
        }
        boundary = u.boundary_arn;
        out->entity_id = u.id;
    } else if (p->type == GH_PRINCIPAL_ASSUMED_ROLE && snap && entity_id_of(p).len > 0) {
        if ((err = from_snapshot(c, p, GH_API_PSNAP_ROLE, entity_id_of(p), true, out)) != GH_OK)
            return err;
    } else if (p->type == GH_PRINCIPAL_ASSUMED_ROLE) {
        struct gh_role r;
        struct gh_slice id = entity_id_of(p);
        if ((err = need_lists(c, out)) != GH_OK)
            return err;
        err = id.len > 0
                  ? gh_store_role_get_by_id(c->tx, c->arena, gh_slice_from_cstr(p->account), id, &r)
                  : gh_store_role_get(c->tx, c->arena, gh_slice_from_cstr(p->account), p->name, &r);
        if (err != GH_OK)
            return err; /* a deleted role's sessions can do nothing */
        if ((err = entity_policies(c, out->identity, r.id, "role", r.name)) != GH_OK)
            return err;
        boundary = r.boundary_arn;
        out->entity_id = r.id;
    } else if (p->type == GH_PRINCIPAL_FEDERATED_USER && p->session_info != NULL) {
        /* AWS STS GetFederationToken: the calling IAM user's policies
         * intersected with the session policies; with no session policy
         * the session has no permissions at all. */
        const struct gh_session *fs = p->session_info;
        struct gh_user u;
        if ((err = need_lists(c, out)) != GH_OK)
            return err;
        if (fs->policy.len == 0 && fs->npolicy_arns == 0)
            return GH_ERR_ACCESS_DENIED;
        if (gh_slice_eq_cstr(fs->entity_id, p->account)) {
            /* Called by the root user, who may do everything: only the
             * session policies limit the session. */
            static const struct gh_slice all =
                GH_SLICE_INIT("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                              "\"Action\":\"*\",\"Resource\":\"*\"}]}");
            if ((err = list_add(c, out->identity, all, GH_POLICY_IDENTITY, GH_S("root"),
                                GH_ORIGIN_OTHER)) != GH_OK)
                return err;
        } else if (snap) {
            /* The user's own policies (not its groups'). */
            if ((err = from_snapshot(c, p, GH_API_PSNAP_USER, fs->entity_id, false, out)) != GH_OK)
                return err;
        } else {
            if ((err = gh_store_user_get_by_id(c->tx, c->arena, gh_slice_from_cstr(p->account),
                                               fs->entity_id, &u)) != GH_OK)
                return err;
            if ((err = entity_policies(c, out->identity, u.id, "user", u.name)) != GH_OK)
                return err;
            boundary = u.boundary_arn;
            out->entity_id = u.id;
        }
    } else {
        return GH_ERR_ACCESS_DENIED;
    }
    if (boundary.len > 0) {
        struct gh_slice doc;
        if ((err = managed_doc(c, boundary, &doc)) != GH_OK ||
            (err = list_add(c, out->extra, doc, GH_POLICY_BOUNDARY, boundary, GH_ORIGIN_MANAGED)) !=
                GH_OK)
            return err;
        out->boundary = &out->extra->items[out->extra->count - 1];
    }
    if (p->session_info != NULL &&
        (p->session_info->policy.len > 0 || p->session_info->npolicy_arns > 0)) {
        const struct gh_session *s = p->session_info;
        size_t first;
        if ((err = need_lists(c, out)) != GH_OK)
            return err;
        first = out->extra->count;
        if (s->policy.len > 0 && (err = list_add(c, out->extra, s->policy, GH_POLICY_SESSION,
                                                 GH_S("session policy"), GH_ORIGIN_OTHER)) != GH_OK)
            return err;
        for (size_t i = 0; i < s->npolicy_arns; i++) {
            struct gh_slice doc;
            if (snap) {
                if ((err = session_arn(c, out->extra, s->policy_arns[i])) != GH_OK)
                    return err;
            } else if ((err = managed_doc(c, s->policy_arns[i], &doc)) != GH_OK ||
                       (err = list_add(c, out->extra, doc, GH_POLICY_SESSION, s->policy_arns[i],
                                       GH_ORIGIN_MANAGED)) != GH_OK) {
                return err;
            }
        }
        out->session = &out->extra->items[first];
        out->session_count = out->extra->count - first;
        out->has_session_policies = out->session_count > 0;
    }
    return GH_OK;
}

enum gh_err
gh_api_group_policies(struct gh_call *c, const struct gh_group *g, struct gh_api_policies *out)
{
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    if ((out->identity = gh_arena_alloc(c->arena, sizeof(*out->identity))) == NULL ||
        (out->extra = gh_arena_alloc(c->arena, sizeof(*out->extra))) == NULL)
        return GH_ERR_NOMEM;
    if ((err = entity_policies(c, out->identity, g->id, "group", g->name)) != GH_OK)
        return err;
    for (size_t k = 0; k < out->identity->count; k++)
        out->identity->items[k].origin = out->identity->items[k].origin == GH_ORIGIN_MANAGED
                                             ? GH_ORIGIN_GROUP_MANAGED
                                             : GH_ORIGIN_GROUP_INLINE;
    out->entity_id = g->id;
    return GH_OK;
}

void
gh_api_policies_release(struct gh_api_policies *p)
{
    gh_api_psnap_unref(p->snap);
    p->snap = NULL;
    if (p->identity != NULL)
        gh_api_list_release(p->identity);
    if (p->extra != NULL)
        gh_api_list_release(p->extra);
}

void
gh_api_policies_set(const struct gh_api_policies *p, struct gh_policy_set *set)
{
    if (p->snap != NULL) {
        set->identity = p->snap->identity;
        set->identity_count = p->snap_identity;
    } else {
        set->identity = p->identity == NULL ? NULL : p->identity->items;
        set->identity_count = p->identity == NULL ? 0 : p->identity->count;
    }
    set->boundary = p->boundary;
    set->session = p->session;
    set->session_count = p->session_count;
}

static enum gh_err
add_key(struct gh_policy_ctx *ctx, const char *key, enum gh_policy_type t, struct gh_slice v)
{
    return gh_policy_ctx_add(ctx, gh_slice_from_cstr(key), t, v);
}

enum gh_err
gh_api_entity_tags(struct gh_call *c, struct gh_slice account, struct gh_slice entity_id,
                   struct gh_store_tag **out, size_t *count)
{
    struct gh_api_psnap *ps;
    enum gh_err err = GH_OK;

    *out = NULL;
    *count = 0;
    /* The current snapshot equals the committed state; a write transaction
     * may have changed the tags since, so it reads its own. */
    ps = c->tx != NULL && gh_store_tx_is_write(c->tx)
             ? NULL
             : gh_api_psnap_peek(c->api_cache, c->store, account, entity_id);
    if (ps == NULL)
        return gh_store_tags_list(c->tx, c->arena, entity_id, out, count);
    if (ps->ntags > 0 && (*out = gh_arena_alloc(c->arena, ps->ntags * sizeof(**out))) == NULL)
        err = GH_ERR_NOMEM;
    for (size_t i = 0; err == GH_OK && i < ps->ntags; i++)
        if ((err = gh_arena_dup(c->arena, ps->tags[i].key, &(*out)[i].key)) == GH_OK)
            err = gh_arena_dup(c->arena, ps->tags[i].value, &(*out)[i].value);
    if (err == GH_OK)
        *count = ps->ntags;
    else
        *out = NULL;
    gh_api_psnap_unref(ps);
    return err;
}

enum gh_err
gh_api_context_fill(struct gh_call *c, const struct gh_principal *p, struct gh_slice entity_id,
                    struct gh_policy_ctx *ctx)
{
    struct gh_policy_principal pp;
    char now_iso[21], epoch[24], issued[21];
    const char *ptype;
    enum gh_err err;
    /* A call with no HTTP request (unit tests, tools) has no transport keys. */
    struct gh_slice ua =
        c->http != NULL ? gh_http_header_get(c->http, "User-Agent") : GH_SLICE_NULL;
    bool tls = c->http != NULL && c->http->tls;
    const char *remote = c->http != NULL ? c->http->remote_addr : "";
    struct gh_store_tag *tags = NULL;
    size_t ntags = 0;

    memset(&pp, 0, sizeof(pp));
    pp.type = p->type;
    pp.arn = p->arn;
    pp.account = gh_slice_from_cstr(p->account);
    if (p->type == GH_PRINCIPAL_ASSUMED_ROLE) {
        const char *role = gh_arena_printf(c->arena, "arn:aws:iam::%s:role%.*s%.*s", p->account,
                                           GH_SP(p->path), GH_SP(p->name));
        if (role == NULL)
            return GH_ERR_NOMEM;
        pp.role_arn = gh_slice_from_cstr(role);
    }
    /* The unique id that bound Principal ARNs match (policy/bind.c): the
     * user's AIDA..., or the role's AROA... before ":SESSION". */
    if (p->type == GH_PRINCIPAL_USER || p->type == GH_PRINCIPAL_ROLE ||
        p->type == GH_PRINCIPAL_ASSUMED_ROLE) {
        long colon = gh_slice_index(p->user_id, ':');
        pp.id = colon < 0 ? p->user_id : gh_slice_sub(p->user_id, 0, (size_t)colon);
    }
    gh_policy_ctx_set_principal(ctx, &pp);

    /* AWS IAM "global condition context keys". */
    gh_time_iso8601(c->now, now_iso);
    (void)snprintf(epoch, sizeof(epoch), "%lld", (long long)c->now);
    switch (p->type) {
    case GH_PRINCIPAL_ROOT:
        ptype = "Account";
        break;
    case GH_PRINCIPAL_USER:
        ptype = "User";
        break;
    case GH_PRINCIPAL_ASSUMED_ROLE:
        ptype = "AssumedRole";
        break;
    case GH_PRINCIPAL_FEDERATED_USER:
        ptype = "FederatedUser";
        break;
    default:
        ptype = "Anonymous";
        break;
    }
    char *now_s = gh_arena_strndup(c->arena, gh_slice_from_cstr(now_iso));
    char *epoch_s = gh_arena_strndup(c->arena, gh_slice_from_cstr(epoch));
    char *ptype_s = (char *)ptype;
    if (now_s == NULL || epoch_s == NULL)
        return GH_ERR_NOMEM;
    if ((err = add_key(ctx, "aws:PrincipalArn", GH_PT_ARN,
                       pp.role_arn.len > 0 ? pp.role_arn : p->arn)) != GH_OK ||
        (err = add_key(ctx, "aws:PrincipalAccount", GH_PT_STRING, pp.account)) != GH_OK ||
        (err = add_key(ctx, "aws:PrincipalType", GH_PT_STRING, gh_slice_from_cstr(ptype_s))) !=
            GH_OK ||
        (err = add_key(ctx, "aws:userid", GH_PT_STRING, p->user_id)) != GH_OK ||
        (err = add_key(ctx, "aws:CurrentTime", GH_PT_DATE, gh_slice_from_cstr(now_s))) != GH_OK ||
        (err = add_key(ctx, "aws:EpochTime", GH_PT_DATE, gh_slice_from_cstr(epoch_s))) != GH_OK ||
        (err = add_key(ctx, "aws:SecureTransport", GH_PT_BOOL,
                       tls ? GH_S("true") : GH_S("false"))) != GH_OK ||
        (err = add_key(ctx, "aws:RequestedRegion", GH_PT_STRING,
                       gh_slice_from_cstr(c->config->region))) != GH_OK ||
        (err = add_key(ctx, "aws:ViaAWSService", GH_PT_BOOL, GH_S("false"))) != GH_OK)
        return err;
    if (p->type == GH_PRINCIPAL_USER &&
        (err = add_key(ctx, "aws:username", GH_PT_STRING, p->name)) != GH_OK)
        return err;
    if (remote[0] != '\0' &&
        (err = add_key(ctx, "aws:SourceIp", GH_PT_IP, gh_slice_from_cstr(remote))) != GH_OK)
        return err;
    if (ua.ptr != NULL && (err = add_key(ctx, "aws:UserAgent", GH_PT_STRING, ua)) != GH_OK)
        return err;
    /* AWS: aws:MultiFactorAuthPresent is present only for temporary
     * credentials, or when the request itself proves MFA (AssumeRole with
     * SerialNumber and TokenCode: the principal then carries mfa). */
    if (p->session_info == NULL && p->mfa) {
        char *age = gh_arena_printf(c->arena, "%lld", (long long)(c->now - p->mfa_time));
        if (age == NULL)
            return GH_ERR_NOMEM;
        if ((err = add_key(ctx, "aws:MultiFactorAuthPresent", GH_PT_BOOL, GH_S("true"))) != GH_OK ||
            (err = add_key(ctx, "aws:MultiFactorAuthAge", GH_PT_NUMBER, gh_slice_from_cstr(age))) !=
                GH_OK)
            return err;
    }
    if (p->session_info != NULL) {
        const struct gh_session *s = p->session_info;
        gh_time_iso8601(s->issued, issued);
        char *issued_s = gh_arena_strndup(c->arena, gh_slice_from_cstr(issued));
        if (issued_s == NULL)
            return GH_ERR_NOMEM;
        if ((err = add_key(ctx, "aws:MultiFactorAuthPresent", GH_PT_BOOL,
                           s->mfa || p->mfa ? GH_S("true") : GH_S("false"))) != GH_OK ||
            (err = add_key(ctx, "aws:TokenIssueTime", GH_PT_DATE, gh_slice_from_cstr(issued_s))) !=
                GH_OK)
            return err;
        if (s->mfa || p->mfa) {
            char *age = gh_arena_printf(c->arena, "%lld",
                                        (long long)(c->now - (p->mfa ? p->mfa_time : s->mfa_time)));
            if (age == NULL)
                return GH_ERR_NOMEM;
            if ((err = add_key(ctx, "aws:MultiFactorAuthAge", GH_PT_NUMBER,
                               gh_slice_from_cstr(age))) != GH_OK)
                return err;
        }
        if (s->source_identity.len > 0 &&
            (err = add_key(ctx, "aws:SourceIdentity", GH_PT_STRING, s->source_identity)) != GH_OK)
            return err;
    }
    /* aws:PrincipalTag/KEY: the entity's tags, then session tags, which win. */
    if (entity_id.len > 0 && (err = gh_api_entity_tags(c, gh_slice_from_cstr(p->account), entity_id,
                                                       &tags, &ntags)) != GH_OK)
        return err;
    for (size_t i = 0; i < ntags; i++) {
        bool overridden = false;
        if (p->session_info != NULL)
            for (size_t j = 0; j < p->session_info->ntags; j++)
                if (gh_slice_case_eq(p->session_info->tags[j].key, tags[i].key))
                    overridden = true;
        if (overridden)
            continue;
        char *k = gh_arena_printf(c->arena, "aws:PrincipalTag/%.*s", GH_SP(tags[i].key));
        if (k == NULL)
            return GH_ERR_NOMEM;
        if ((err = add_key(ctx, k, GH_PT_STRING, tags[i].value)) != GH_OK)
            return err;
    }
    if (p->session_info != NULL) {
        for (size_t j = 0; j < p->session_info->ntags; j++) {
            const struct gh_session_tag *t = &p->session_info->tags[j];
            char *k = gh_arena_printf(c->arena, "aws:PrincipalTag/%.*s", GH_SP(t->key));
            if (k == NULL)
                return GH_ERR_NOMEM;
            if ((err = add_key(ctx, k, GH_PT_STRING, t->value)) != GH_OK)
                return err;
        }
    }
    return GH_OK;
}

enum gh_err
gh_api_deny_message(struct gh_call *c, const struct gh_principal *p, const char *action,
                    struct gh_slice resource, const struct gh_policy_result *r)
{
    struct gh_buf msg;
    enum gh_err err;

    gh_buf_init(&msg, sizeof(c->message) - 1);
    /* AWS: "User: ARN is not authorized to perform: ACTION on resource: RES because ..." */
    gh_buf_putf(&msg, "User: %.*s is not authorized to perform: %s on resource: %.*s ",
                GH_SP(p->arn), action, GH_SP(resource));
    gh_policy_reason_write(r, gh_slice_from_cstr(action), &msg);
    if (c->config != NULL && c->config->encode_denials && c->keyring != NULL) {
        /* AWS's form (as EC2 words it): "... Encoded authorization failure message: X" */
        struct gh_buf enc;
        gh_buf_init(&enc, sizeof(c->message) / 2);
        if (gh_api_explain_seal(c, p, action, resource, r, &enc) == GH_OK)
            gh_buf_putf(&msg, ". Encoded authorization failure message: %.*s",
                        GH_SP(gh_buf_slice(&enc)));
        gh_buf_cleanup(&enc);
        if (gh_buf_status(&msg) != GH_OK) { /* too long: the plain message stands */
            gh_buf_reset(&msg);
            gh_buf_putf(&msg, "User: %.*s is not authorized to perform: %s on resource: %.*s ",
                        GH_SP(p->arn), action, GH_SP(resource));
            gh_policy_reason_write(r, gh_slice_from_cstr(action), &msg);
        }
    }
    err = gh_call_fail(c, GH_ERR_ACCESS_DENIED, "%.*s", GH_SP(gh_buf_slice(&msg)));
    gh_buf_cleanup(&msg);
    return err;
}

/*
 * A policy denial: AccessDenied, or under --enforce=log the request goes
 * on and the would-be denial is logged as one line with the same
 * explanation (ARNs, action, policy ARNs: no secrets).
 */
static enum gh_err
deny(struct gh_call *c, const struct gh_principal *p, const char *action, struct gh_slice resource,
     const struct gh_policy_result *r)
{
    enum gh_err err = gh_api_deny_message(c, p, action, resource, r);

    if (err != GH_ERR_ACCESS_DENIED || c->config == NULL || c->config->enforce != GH_ENFORCE_LOG)
        return err;
    fprintf(stderr,
            "gatehouse: enforce=log: allowed a request AWS would deny: RequestId %s: "
            "AccessDenied: %s\n",
            c->request_id != NULL ? c->request_id : "-", c->message);
    c->err = GH_OK;
    c->message[0] = '\0';
    return GH_OK;
}

static enum gh_err authorize_opts(struct gh_call *c, const char *action, struct gh_slice resource,
                                  const struct gh_authz_opts *o);

/*
 * What temporary credentials may never do, whatever the policies say.
 * AWS STS GetSessionToken: "You cannot call any IAM API operations unless
 * MFA authentication information is included in the request" and "You
 * cannot call any STS API except AssumeRole or GetCallerIdentity".
 * GetFederationToken: "You cannot call any IAM operations" and "You
 * cannot call any STS operations except GetCallerIdentity".
 */
static const char *
session_refusal(const struct gh_principal *p, const char *action)
{
    bool iam = strncmp(action, "iam:", 4) == 0, sts = strncmp(action, "sts:", 4) == 0;

    if (p->session_info == NULL)
        return NULL;
    if (p->type == GH_PRINCIPAL_FEDERATED_USER && (iam || sts))
        return iam ? "federated user sessions cannot call IAM"
                   : "federated user sessions can call no STS action but GetCallerIdentity";
    if ((p->type == GH_PRINCIPAL_USER || p->type == GH_PRINCIPAL_ROOT) &&
        !p->session_info->console) {
        if (iam && !p->session_info->mfa)
            return "GetSessionToken credentials without MFA cannot call IAM";
        if (sts && strcmp(action, "sts:AssumeRole") != 0)
            return "GetSessionToken credentials can call no STS action but AssumeRole and "
                   "GetCallerIdentity";
    }
    return NULL;
}

enum gh_err
gh_call_authorize_opts(struct gh_call *c, const char *action, struct gh_slice resource,
                       const struct gh_authz_opts *o)
{
    const char *refusal = session_refusal(c->caller, action);

    if (refusal != NULL)
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "User: %.*s is not authorized to perform: %s on resource: %.*s "
                            "because %s",
                            GH_SP(c->caller->arn), action, GH_SP(resource), refusal);
    return authorize_opts(c, action, resource, o);
}

static enum gh_err
authorize_opts(struct gh_call *c, const char *action, struct gh_slice resource,
               const struct gh_authz_opts *o)
{
    const struct gh_principal *p = c->caller;
    const struct gh_api_keys *extra = o == NULL ? NULL : o->keys;
    struct gh_api_policies pol;
    struct gh_policy_ctx ctx;
    struct gh_policy_result r;
    struct gh_policy_set set;
    bool cross = o != NULL && o->resource_account.len > 0 &&
                 !gh_slice_eq_cstr(o->resource_account, p->account);
    enum gh_err err;

    memset(&r, 0, sizeof(r)); /* an implicit deny until decided */
    memset(&pol, 0, sizeof(pol));
    /* AWS: the account root user has full access to its own account's
     * resources (root session credentials carry no session policy). An
     * explicit deny in a resource policy still applies, so root is only
     * waved through when there is none. */
    if (p->type == GH_PRINCIPAL_ROOT && !cross && (o == NULL || o->resource_policy == NULL))
        return GH_OK;
    if (p->type != GH_PRINCIPAL_ROOT && p->type != GH_PRINCIPAL_ANONYMOUS) {
        if ((err = gh_api_principal_policies(c, p, &pol)) != GH_OK)
            goto deny_release; /* releases whatever it loaded */
    }
    gh_policy_ctx_init(&ctx, c->arena);
    if ((err = gh_policy_ctx_set_action(&ctx, gh_slice_from_cstr(action))) != GH_OK ||
        (err = gh_policy_ctx_set_resource(&ctx, resource)) != GH_OK ||
        (err = gh_api_context_fill(c, p, pol.entity_id, &ctx)) != GH_OK)
        goto deny_release;
    for (size_t i = 0; extra != NULL && i < extra->count; i++) {
        if (extra->items[i].empty)
            err = gh_policy_ctx_add_empty(&ctx, extra->items[i].key, extra->items[i].type);
        else
            err = gh_policy_ctx_add(&ctx, extra->items[i].key, extra->items[i].type,
                                    extra->items[i].value);
        if (err != GH_OK)
            goto deny_release;
    }
    memset(&set, 0, sizeof(set));
    gh_api_policies_set(&pol, &set);
    if (o != NULL)
        set.resource = o->resource_policy;
    set.cross_account = cross;
    if (p->type == GH_PRINCIPAL_ROOT && !cross) {
        /* Root in its own account: allowed unless the resource policy denies. */
        struct gh_policy_result rr;
        memset(&rr, 0, sizeof(rr));
        err = gh_policy_eval(set.resource, GH_ROLE_RESOURCE, &ctx, &rr);
        if (err == GH_OK && rr.decision != GH_DENY_EXPLICIT) {
            gh_api_policies_release(&pol);
            return GH_OK;
        }
        r = rr;
        err = deny(c, p, action, resource, &r);
        gh_api_policies_release(&pol);
        return err;
    }
    err = gh_policy_decide(&set, &ctx, &r);
    if (err == GH_OK && r.decision == GH_ALLOW) {
        gh_api_policies_release(&pol);
        return GH_OK;
    }
    err = deny(c, p, action, resource, &r);
    gh_api_policies_release(&pol);
    return err;
deny_release:
    gh_api_policies_release(&pol);
    if (err == GH_ERR_NOMEM)
        return gh_call_fail(c, err, "The service is out of memory.");
    /* Fail closed: an evaluation error reads as no policy allowing it. */
    memset(&r, 0, sizeof(r));
    return deny(c, p, action, resource, &r);
}

enum gh_err
gh_call_authorize_ctx(struct gh_call *c, const char *action, struct gh_slice resource,
                      const struct gh_api_keys *extra)
{
    struct gh_authz_opts o = {.keys = extra};

    return gh_call_authorize_opts(c, action, resource, &o);
}

enum gh_err
gh_call_authorize(struct gh_call *c, const char *action, struct gh_slice resource)
{
    return gh_call_authorize_ctx(c, action, resource, NULL);
}
