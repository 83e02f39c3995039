/*
 * assume_role.c: AssumeRole: the guest pass. The role's trust policy and
 * the caller's identity-based policies decide, as AWS does; the answer is
 * a session token that carries the role, the session name, its tags and
 * session policies until it expires.
 */
#include <stdio.h>
#include <string.h>

#include "sts/sts_int.h"

/* arn:aws:iam::ACCOUNT:role/PATH/NAME -> account, path ("/a/b/") and name. */
static bool
parse_role_arn(struct gh_slice arn, struct gh_slice *account, struct gh_slice *path,
               struct gh_slice *name)
{
    static const struct gh_slice prefix = GH_SLICE_INIT("arn:aws:iam::");
    struct gh_slice rest, res;
    long slash;

    if (!gh_slice_starts_with(arn, prefix))
        return false;
    rest = gh_slice_sub(arn, prefix.len, arn.len);
    if (rest.len < 13 || rest.ptr[12] != ':')
        return false;
    *account = gh_slice_sub(rest, 0, 12);
    for (size_t i = 0; i < 12; i++)
        if (account->ptr[i] < '0' || account->ptr[i] > '9')
            return false;
    res = gh_slice_sub(rest, 13, rest.len);
    if (!gh_slice_starts_with(res, GH_S("role/")))
        return false;
    res = gh_slice_sub(res, 4, res.len); /* "/PATH/NAME" */
    slash = -1;
    for (size_t i = 0; i < res.len; i++)
        if (res.ptr[i] == '/')
            slash = (long)i;
    if (slash < 0 || (size_t)slash + 1 >= res.len)
        return false;
    *path = gh_slice_sub(res, 0, (size_t)slash + 1);
    *name = gh_slice_sub(res, (size_t)slash + 1, res.len);
    return true;
}

static enum gh_err
denied(struct gh_call *c, struct gh_slice role_arn)
{
    /* AWS STS words a refused AssumeRole without naming the reason, so it
     * tells nothing about the role or its trust policy. */
    return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                        "User: %.*s is not authorized to perform: sts:AssumeRole on resource: %.*s",
                        GH_SP(c->caller->arn), GH_SP(role_arn));
}

static enum gh_err
add(struct gh_policy_ctx *ctx, const char *key, enum gh_policy_type t, struct gh_slice v)
{
    return gh_policy_ctx_add(ctx, gh_slice_from_cstr(key), t, v);
}

/* The request's STS condition keys (AWS: "Available keys for AWS STS"). */
static enum gh_err
request_keys(struct gh_call *c, struct gh_policy_ctx *ctx, const struct gh_session *s,
             struct gh_slice external_id)
{
    enum gh_err err;

    if ((err = add(ctx, "sts:RoleSessionName", GH_PT_STRING, s->session_name)) != GH_OK)
        return err;
    if (external_id.ptr != NULL &&
        (err = add(ctx, "sts:ExternalId", GH_PT_STRING, external_id)) != GH_OK)
        return err;
    if (s->source_identity.len > 0 &&
        (err = add(ctx, "sts:SourceIdentity", GH_PT_STRING, s->source_identity)) != GH_OK)
        return err;
    if (s->ntags > 0) {
        for (size_t i = 0; i < s->ntags; i++) {
            char *k = gh_arena_printf(c->arena, "aws:RequestTag/%.*s", GH_SP(s->tags[i].key));
            if (k == NULL)
                return GH_ERR_NOMEM;
            if ((err = add(ctx, k, GH_PT_STRING, s->tags[i].value)) != GH_OK ||
                (err = add(ctx, "aws:TagKeys", GH_PT_STRING, s->tags[i].key)) != GH_OK)
                return err;
        }
    }
    for (size_t i = 0; i < s->ntransitive; i++)
        if ((err = add(ctx, "sts:TransitiveTagKeys", GH_PT_STRING, s->transitive[i])) != GH_OK)
            return err;
    return GH_OK;
}

/*
 * Does the trust policy of `role` together with the caller's policies
 * allow `action` (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity)?
 */
static enum gh_err
decide(struct gh_call *c, const struct gh_role *role, struct gh_slice role_arn,
       const struct gh_policy_src *trust, const struct gh_api_policies *mine, const char *action,
       const struct gh_session *s, struct gh_slice external_id, bool *allowed)
{
    const struct gh_principal *p = c->caller;
    struct gh_policy_ctx ctx;
    struct gh_policy_set set;
    struct gh_policy_result r;
    enum gh_err err;

    struct gh_principal proved = *p;

    *allowed = false;
    /* MFA proven in this very request counts as present (AWS STS SerialNumber). */
    if (s->mfa && !p->mfa) {
        proved.mfa = true;
        proved.mfa_time = s->mfa_time;
    }
    gh_policy_ctx_init(&ctx, c->arena);
    if ((err = gh_policy_ctx_set_action(&ctx, gh_slice_from_cstr(action))) != GH_OK ||
        (err = gh_policy_ctx_set_resource(&ctx, role_arn)) != GH_OK ||
        (err = gh_api_context_fill(c, &proved, mine->entity_id, &ctx)) != GH_OK ||
        (err = request_keys(c, &ctx, s, external_id)) != GH_OK)
        return err;
    memset(&set, 0, sizeof(set));
    gh_api_policies_set(mine, &set);
    set.resource = trust;
    set.cross_account = !gh_slice_eq_cstr(role->account, p->account);
    if ((err = gh_policy_decide(&set, &ctx, &r)) != GH_OK)
        return err;
    *allowed = r.decision == GH_ALLOW;
    return GH_OK;
}

enum gh_err
gh_sts_assume_role(struct gh_call *c)
{
    const struct gh_principal *p = c->caller;
    const struct gh_session *prev = p->session_info;
    struct gh_session s;
    struct gh_slice role_arn, external_id, serial, code, account, path, name;
    struct gh_role role;
    struct gh_policy *trust_policy = NULL;
    struct gh_policy_src trust;
    struct gh_api_policies mine;
    struct gh_diag diag;
    int64_t duration = 0;
    bool has_duration = false, allowed = false;
    int packed = -1;
    enum gh_err err;

    memset(&s, 0, sizeof(s));
    memset(&mine, 0, sizeof(mine));
    gh_call_str(c, "RoleArn", &gh_sts_shape_role_arn, true, &role_arn);
    gh_call_str(c, "RoleSessionName", &gh_sts_shape_session_name, true, &s.session_name);
    gh_call_int(c, "DurationSeconds", "durationSeconds", GH_STS_SESSION_MIN_S, 43200, false,
                &duration, &has_duration);
    gh_call_str(c, "ExternalId", &gh_sts_shape_external_id, false, &external_id);
    gh_call_str(c, "SerialNumber", &gh_sts_shape_serial, false, &serial);
    gh_call_str(c, "TokenCode", &gh_sts_shape_token_code, false, &code);
    gh_call_str(c, "SourceIdentity", &gh_sts_shape_source_identity, false, &s.source_identity);
    if ((err = gh_sts_session_params(c, &s, true)) != GH_OK)
        return err;

    /* AWS STS: "Roles may not be assumed by root accounts." */
    if (p->type == GH_PRINCIPAL_ROOT)
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED, "Roles may not be assumed by root accounts.");
    /* AWS STS: federated users (GetFederationToken) cannot assume roles;
     * GetSessionToken sessions can. */
    if (p->type != GH_PRINCIPAL_USER && p->type != GH_PRINCIPAL_ASSUMED_ROLE)
        return denied(c, role_arn);
    /* AWS STS: the source identity of a chain cannot change once set. */
    if (prev != NULL && prev->source_identity.len > 0) {
        if (s.source_identity.ptr != NULL && !gh_slice_eq(s.source_identity, prev->source_identity))
            return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                                "SourceIdentity cannot be changed once it is set in a role "
                                "session.");
        s.source_identity = prev->source_identity;
    }
    if (s.source_identity.ptr == NULL)
        s.source_identity = GH_S("");
    if ((serial.ptr != NULL) != (code.ptr != NULL))
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "MultiFactorAuthentication failed, SerialNumber and TokenCode must "
                            "be given together.");

    /* A role that does not exist reads as a refusal, never as NoSuchEntity. */
    if (!parse_role_arn(role_arn, &account, &path, &name))
        return gh_call_fail(c, GH_ERR_VALIDATION, "%.*s is invalid", GH_SP(role_arn));
    err = gh_store_role_get(c->tx, c->arena, account, name, &role);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && !gh_slice_eq(role.path, path)))
        return denied(c, role_arn);
    if (err != GH_OK)
        return gh_call_fail(c, err, "The role could not be read.");

    if (serial.ptr != NULL) {
        if ((err = gh_sts_mfa_check(c, serial, code)) != GH_OK)
            return err;
        s.mfa = true;
        s.mfa_time = c->now;
    } else if (prev != NULL) {
        s.mfa = prev->mfa;
        s.mfa_time = prev->mfa_time;
    }

    /* AWS STS DurationSeconds: up to the role's MaxSessionDuration; one hour
     * when chaining (the caller is itself a role session). */
    s.chained = p->type == GH_PRINCIPAL_ASSUMED_ROLE;
    if (!has_duration)
        duration = GH_STS_ROLE_DEFAULT_S;
    if (s.chained && duration > GH_STS_CHAINED_MAX_S)
        return gh_call_fail(c, GH_ERR_VALIDATION,
                            "The requested DurationSeconds exceeds the 1 hour session limit for "
                            "roles assumed by role chaining.");
    if (duration > role.max_session_s)
        return gh_call_fail(c, GH_ERR_VALIDATION,
                            "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                            "this role.");
    if ((err = gh_sts_session_policies_check(c, &s, &packed)) != GH_OK)
        return err;

    /* Transitive tags of the caller's session carry over (AWS: session tag chaining). */
    if (prev != NULL && prev->ntransitive > 0) {
        if ((err = gh_sts_inherit_tags(c, prev, &s)) != GH_OK)
            return err;
    }

    /* The decision: trust policy (resource side) and the caller's policies. */
    err = gh_api_policy_compiled(c->api_cache, role.trust_policy, GH_POLICY_TRUST, &diag,
                                 &trust_policy);
    if (err != GH_OK)
        return denied(c, role_arn); /* a broken trust policy trusts nobody */
    trust =
        (struct gh_policy_src){.policy = trust_policy, .id = role_arn, .origin = GH_ORIGIN_OTHER};
    /* AWS IAM "Principal": the trust policy's user and role ARNs name the
     * entities bound when it was saved; unreadable bindings trust nobody. */
    if ((err = gh_api_principals_src(c->arena, role.trust_bind, &trust)) != GH_OK ||
        (err = gh_api_principal_policies(c, p, &mine)) != GH_OK)
        goto refuse;
    if ((err = decide(c, &role, role_arn, &trust, &mine, "sts:AssumeRole", &s, external_id,
                      &allowed)) != GH_OK || !allowed)
        goto refuse;
    /* AWS STS: session tags need sts:TagSession, a source identity
     * sts:SetSourceIdentity, both in the trust policy and the caller's. */
    if ((s.ntags > 0 || s.ntransitive > 0) &&
        ((err = decide(c, &role, role_arn, &trust, &mine, "sts:TagSession", &s, external_id,
                       &allowed)) != GH_OK ||
         !allowed))
        goto refuse_action_tag;
    if (s.source_identity.len > 0 && (prev == NULL || prev->source_identity.len == 0) &&
        ((err = decide(c, &role, role_arn, &trust, &mine, "sts:SetSourceIdentity", &s,
                       external_id, &allowed)) != GH_OK ||
         !allowed))
        goto refuse_action_source;

    s.type = GH_PRINCIPAL_ASSUMED_ROLE;
    memcpy(s.account, role.account.ptr, 12);
    s.account[12] = '\0';
    s.name = role.name;
    s.path = role.path;
    s.entity_id = role.id;
    s.issued = c->now;
    s.expires = c->now + duration;
    if ((err = gh_sts_mint(c, &s)) != GH_OK) {
        err = gh_call_fail(c, err, "The credentials could not be created.");
        goto done;
    }
    if (s.source_identity.len > 0)
        gh_xml_elem(c->result, "SourceIdentity", s.source_identity);
    gh_xml_open(c->result, "AssumedRoleUser");
    gh_buf_putf(c->result, "<AssumedRoleId>%.*s:%.*s</AssumedRoleId>", GH_SP(role.id),
                GH_SP(s.session_name));
    gh_buf_putf(c->result, "<Arn>arn:aws:sts::%s:assumed-role/%.*s/%.*s</Arn>", s.account,
                GH_SP(role.name), GH_SP(s.session_name));
    gh_xml_close(c->result, "AssumedRoleUser");
    if ((err = gh_sts_credentials_render(c, &s)) != GH_OK)
        goto done;
    if (packed >= 0)
        gh_xml_elem_int(c->result, "PackedPolicySize", packed);
    err = GH_OK;
    goto done;

refuse_action_tag:
    if (err == GH_ERR_NOMEM) {
        err = gh_call_fail(c, err, "The service is out of memory.");
        goto done;
    }
    err = gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                           "User: %.*s is not authorized to perform: sts:TagSession on resource: "
                           "%.*s",
                           GH_SP(p->arn), GH_SP(role_arn));
    goto done;
refuse_action_source:
    if (err == GH_ERR_NOMEM) {
        err = gh_call_fail(c, err, "The service is out of memory.");
        goto done;
    }
    err = gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                           "User: %.*s is not authorized to perform: sts:SetSourceIdentity on "
                           "resource: %.*s",
                           GH_SP(p->arn), GH_SP(role_arn));
    goto done;
refuse:
    err = err == GH_ERR_NOMEM ? gh_call_fail(c, err, "The service is out of memory.")
                              : denied(c, role_arn);
done:
    gh_secret_wipe(&s.secret);
    gh_api_policies_release(&mine);
    gh_policy_unref(trust_policy);
    return err;
}
