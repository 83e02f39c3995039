/*
 * web_identity.c: AssumeRoleWithWebIdentity (unsigned, as in AWS): an
 * OIDC ID token from an IAM OIDC provider's issuer buys a role session
 * when the role's trust policy allows the provider and the token's
 * claims. Also what AssumeRoleWithSAML shares with it (gh_sts_fed_*).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "federation/federation.h"
#include "iam/iam.h"
#include "sts/sts_int.h"

static bool
is_token(struct gh_slice v)
{
    /* [\u0009\u000A\u000D\u0020-\u00FF]+ */
    for (size_t i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)v.ptr[i];
        if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
            return false;
    }
    return true;
}

/* botocore sts/2011-06-15: clientTokenType 4..20000, SAMLAssertionType 4..100000. */
static const struct gh_param_rule shape_token = {
    "webIdentityToken", 4, GH_FED_JWT_MAX, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", is_token};

enum gh_err
gh_sts_fed_role_arn(struct gh_slice arn, struct gh_slice *account, struct gh_slice *path,
                    struct gh_slice *name)
{
    static const struct gh_slice prefix = GH_SLICE_INIT("arn:aws:iam::");
    struct gh_slice rest, res;
    long slash = -1;

    if (!gh_slice_starts_with(arn, prefix))
        return GH_ERR_VALIDATION;
    rest = gh_slice_sub(arn, prefix.len, arn.len);
    if (rest.len < 13 || rest.ptr[12] != ':')
        return GH_ERR_VALIDATION;
    *account = gh_slice_sub(rest, 0, 12);
    for (size_t i = 0; i < 12; i++)
        if (account->ptr[i] < '0' || account->ptr[i] > '9')
            return GH_ERR_VALIDATION;
    res = gh_slice_sub(rest, 13, rest.len);
    if (!gh_slice_starts_with(res, GH_S("role/")))
        return GH_ERR_VALIDATION;
    res = gh_slice_sub(res, 4, res.len);
    for (size_t i = 0; i < res.len; i++)
        if (res.ptr[i] == '/')
            slash = (long)i;
    if (slash < 0 || (size_t)slash + 1 >= res.len)
        return GH_ERR_VALIDATION;
    *path = gh_slice_sub(res, 0, (size_t)slash + 1);
    *name = gh_slice_sub(res, (size_t)slash + 1, res.len);
    return GH_OK;
}

enum gh_err
gh_sts_fed_key(struct gh_call *c, struct gh_policy_ctx *ctx, struct gh_slice prefix,
               const char *suffix, struct gh_slice v)
{
    char *k = gh_arena_printf(c->arena, "%.*s%s", GH_SP(prefix), suffix);

    if (k == NULL)
        return GH_ERR_NOMEM;
    return gh_policy_ctx_add(ctx, gh_slice_from_cstr(k), GH_PT_STRING, v);
}

static enum gh_err
denied(struct gh_call *c, const char *action)
{
    /* AWS STS: "Not authorized to perform sts:AssumeRoleWithWebIdentity". */
    return gh_call_fail(c, GH_ERR_ACCESS_DENIED, "Not authorized to perform %s", action);
}

enum gh_err
gh_sts_fed_finish(struct gh_call *c, const struct gh_fed_grant *g, struct gh_session *s)
{
    struct gh_slice account, path, name;
    struct gh_role role;
    struct gh_policy *trust_policy = NULL;
    struct gh_policy_src trust;
    struct gh_policy_result r;
    struct gh_diag diag;
    int packed = -1;
    enum gh_err err;

    if (gh_sts_fed_role_arn(g->role_arn, &account, &path, &name) != GH_OK)
        return gh_call_fail(c, GH_ERR_VALIDATION, "%.*s is invalid", GH_SP(g->role_arn));
    /* A role that does not exist reads as a refusal. */
    err = gh_store_role_get(c->tx, c->arena, account, name, &role);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && !gh_slice_eq(role.path, path)))
        return denied(c, g->action);
    if (err != GH_OK)
        return gh_call_fail(c, err, "The role could not be read.");
    /* AWS STS DurationSeconds: up to the role's MaxSessionDuration. */
    if (g->duration_s > role.max_session_s)
        return gh_call_fail(c, GH_ERR_VALIDATION,
                            "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                            "this role.");
    if ((err = gh_sts_session_policies_check(c, s, &packed)) != GH_OK)
        return err;

    err = gh_api_policy_compiled(c->api_cache, role.trust_policy, GH_POLICY_TRUST, &diag,
                                 &trust_policy);
    if (err != GH_OK)
        return denied(c, g->action); /* a broken trust policy trusts nobody */
    trust = (struct gh_policy_src){
        .policy = trust_policy, .id = g->role_arn, .origin = GH_ORIGIN_OTHER};
    /* The trust policy alone decides: the caller has no identity policies. */
    if ((err = gh_api_principals_src(c->arena, role.trust_bind, &trust)) != GH_OK ||
        (err = gh_policy_ctx_set_action(g->ctx, gh_slice_from_cstr(g->action))) != GH_OK ||
        (err = gh_policy_ctx_set_resource(g->ctx, g->role_arn)) != GH_OK ||
        (err = gh_policy_eval(&trust, GH_ROLE_RESOURCE, g->ctx, &r)) != GH_OK)
        goto fail;
    if (r.decision != GH_ALLOW) {
        err = denied(c, g->action);
        goto done;
    }
    /* AWS STS: a source identity set by the IdP needs sts:SetSourceIdentity. */
    if (s->source_identity.len > 0) {
        if ((err = gh_policy_ctx_set_action(g->ctx, GH_S("sts:SetSourceIdentity"))) != GH_OK ||
            (err = gh_policy_eval(&trust, GH_ROLE_RESOURCE, g->ctx, &r)) != GH_OK)
            goto fail;
        if (r.decision != GH_ALLOW) {
            err = denied(c, "sts:SetSourceIdentity");
            goto done;
        }
    }
    /* AWS STS: session tags passed by the IdP need sts:TagSession too. */
    if (s->ntags > 0 || s->ntransitive > 0) {
        if ((err = gh_policy_ctx_set_action(g->ctx, GH_S("sts:TagSession"))) != GH_OK ||
            (err = gh_policy_eval(&trust, GH_ROLE_RESOURCE, g->ctx, &r)) != GH_OK)
            goto fail;
        if (r.decision != GH_ALLOW) {
            err = denied(c, "sts:TagSession");
            goto done;
        }
    }

    /* SAML 2.0 Profiles 4.1.4.5: "The service provider MUST ensure that
     * bearer assertions are not replayed, by maintaining the set of used ID
     * values for the length of time for which the assertion would be
     * considered valid". Used up only once every check has passed, so a
     * refused request does not burn the assertion. AWS documents no
     * message for a replay; this is STS's InvalidIdentityToken text. */
    if (g->use_once_key.len > 0) {
        err = gh_store_assertion_use(c->store, g->use_once_key, g->use_once_until, c->now);
        if (err == GH_ERR_EXISTS) {
            err = gh_call_fail(c, GH_ERR_INVALID_IDENTITY_TOKEN, "%s",
                               "The web identity token that was passed could not be validated "
                               "by AWS. Get a new identity token from the identity provider and "
                               "then retry the request.");
            goto done;
        }
        if (err != GH_OK) {
            err = gh_call_fail(c, err, "The assertion could not be recorded.");
            goto done;
        }
    }

    s->type = GH_PRINCIPAL_ASSUMED_ROLE;
    memcpy(s->account, role.account.ptr, 12);
    s->account[12] = '\0';
    s->name = role.name;
    s->path = role.path;
    s->entity_id = role.id;
    s->issued = c->now;
    s->expires = c->now + g->duration_s;
    if (s->source_identity.ptr == NULL)
        s->source_identity = GH_S("");
    if ((err = gh_sts_mint(c, s)) != GH_OK) {
        err = gh_call_fail(c, err, "The credentials could not be created.");
        goto done;
    }
    if ((err = gh_sts_credentials_render(c, s)) != GH_OK)
        goto done;
    gh_xml_open(c->result, "AssumedRoleUser");
    gh_buf_putf(c->result, "<AssumedRoleId>%.*s:%.*s</AssumedRoleId>", GH_SP(role.id),
                GH_SP(s->session_name));
    gh_buf_putf(c->result, "<Arn>arn:aws:sts::%s:assumed-role/%.*s/%.*s</Arn>", s->account,
                GH_SP(role.name), GH_SP(s->session_name));
    gh_xml_close(c->result, "AssumedRoleUser");
    if (packed >= 0)
        gh_xml_elem_int(c->result, "PackedPolicySize", packed);
    err = GH_OK;
    goto done;
fail:
    err = err == GH_ERR_NOMEM ? gh_call_fail(c, err, "The service is out of memory.")
                              : denied(c, g->action);
done:
    gh_policy_unref(trust_policy);
    return err;
}

enum gh_err
gh_sts_fed_tags(struct gh_call *c, const struct gh_fed_tag *tags, size_t ntags,
                const struct gh_slice *trans, size_t ntrans, struct gh_session *s)
{
    /* AWS STS: at most 50 session tags; transitive keys must be among them. */
    if (ntags > 50)
        return gh_call_fail(c, GH_ERR_INVALID_PARAM, "Session tags cannot exceed 50.");
    if (ntags > 0) {
        if ((s->tags = gh_arena_alloc(c->arena, ntags * sizeof(*s->tags))) == NULL)
            return GH_ERR_NOMEM;
        for (size_t i = 0; i < ntags; i++) {
            for (size_t j = 0; j < i; j++)
                if (gh_slice_case_eq(tags[i].key, tags[j].key))
                    return gh_call_fail(c, GH_ERR_INVALID_PARAM,
                                        "Duplicate tag keys found. Please note that Tag keys are "
                                        "case insensitive.");
            s->tags[i].key = tags[i].key;
            s->tags[i].value = tags[i].value;
        }
        s->ntags = ntags;
    }
    for (size_t i = 0; i < ntrans; i++) {
        bool found = false;
        for (size_t j = 0; j < ntags; j++)
            found = found || gh_slice_case_eq(trans[i], tags[j].key);
        if (!found)
            return gh_call_fail(c, GH_ERR_INVALID_PARAM,
                                "The specified transitive tag key must be included in the "
                                "requested tags.");
    }
    s->transitive = (struct gh_slice *)trans;
    s->ntransitive = ntrans;
    return GH_OK;
}

enum gh_err
gh_sts_fed_request_keys(struct gh_call *c, struct gh_policy_ctx *ctx, const struct gh_session *s)
{
    char now_s[21], epoch_s[24];
    enum gh_err err;

    gh_time_iso8601(c->now, now_s);
    (void)snprintf(epoch_s, sizeof(epoch_s), "%lld", (long long)c->now);
    if ((err = gh_policy_ctx_add(ctx, GH_S("sts:RoleSessionName"), GH_PT_STRING,
                                 s->session_name)) != GH_OK ||
        (err = gh_policy_ctx_add(ctx, GH_S("aws:CurrentTime"), GH_PT_DATE,
                                 gh_slice_from_cstr(gh_arena_strndup(c->arena,
                                                                     gh_slice_from_cstr(now_s))))) !=
            GH_OK ||
        (err = gh_policy_ctx_add(ctx, GH_S("aws:EpochTime"), GH_PT_DATE,
                                 gh_slice_from_cstr(gh_arena_strndup(
                                     c->arena, gh_slice_from_cstr(epoch_s))))) != GH_OK)
        return err;
    if (s->source_identity.len > 0 &&
        (err = gh_policy_ctx_add(ctx, GH_S("sts:SourceIdentity"), GH_PT_STRING,
                                 s->source_identity)) != GH_OK)
        return err;
    for (size_t i = 0; i < s->ntags; i++) {
        char *k = gh_arena_printf(c->arena, "aws:RequestTag/%.*s", GH_SP(s->tags[i].key));
        if (k == NULL)
            return GH_ERR_NOMEM;
        if ((err = gh_policy_ctx_add(ctx, gh_slice_from_cstr(k), GH_PT_STRING,
                                     s->tags[i].value)) != GH_OK ||
            (err = gh_policy_ctx_add(ctx, GH_S("aws:TagKeys"), GH_PT_STRING, s->tags[i].key)) !=
                GH_OK)
            return err;
    }
    for (size_t i = 0; i < s->ntransitive; i++)
        if ((err = gh_policy_ctx_add(ctx, GH_S("sts:TransitiveTagKeys"), GH_PT_STRING,
                                     s->transitive[i])) != GH_OK)
            return err;
    return GH_OK;
}

enum gh_err
gh_sts_assume_role_with_web_identity(struct gh_call *c)
{
    static const char action[] = "sts:AssumeRoleWithWebIdentity";
    struct gh_session s;
    struct gh_slice role_arn, token, provider_id, account, path, name, prefix, audience,
        provider_arn;
    struct gh_fed_jwt t;
    struct gh_iam_provider prov;
    struct gh_fed_oidc_provider fp;
    struct gh_policy_principal pp;
    struct gh_policy_ctx ctx;
    struct gh_fed_grant g;
    struct gh_diag diag;
    int64_t duration = 0;
    bool has_duration = false;
    enum gh_err err;

    memset(&s, 0, sizeof(s));
    gh_call_str(c, "RoleArn", &gh_sts_shape_role_arn, true, &role_arn);
    gh_call_str(c, "RoleSessionName", &gh_sts_shape_session_name, true, &s.session_name);
    gh_call_str(c, "WebIdentityToken", &shape_token, true, &token);
    gh_call_str(c, "ProviderId", NULL, false, &provider_id);
    gh_call_int(c, "DurationSeconds", "durationSeconds", GH_STS_SESSION_MIN_S, 43200, false,
                &duration, &has_duration);
    if ((err = gh_sts_session_params(c, &s, false)) != GH_OK)
        return err;
    if (gh_sts_fed_role_arn(role_arn, &account, &path, &name) != GH_OK)
        return gh_call_fail(c, GH_ERR_VALIDATION, "%.*s is invalid", GH_SP(role_arn));
    /* OAuth 2.0 access tokens of Amazon/Facebook (ProviderId) are not served here. */
    if (provider_id.ptr != NULL)
        return gh_call_fail(c, GH_ERR_INVALID_IDENTITY_TOKEN,
                            "The ID Token provided is not a valid JWT. (You may see this error if "
                            "you sent an Access Token)");
    if (c->config->federation == NULL)
        return gh_call_fail(c, GH_ERR_IDP_COMMUNICATION, "Federation is not enabled.");

    if ((err = gh_fed_jwt_parse(c->arena, token, &t, &diag)) != GH_OK)
        return gh_call_fail(c, err, "%s", diag.text);
    /* AWS STS: the provider is the IAM OIDC provider of the role's account named by iss. */
    prefix = gh_fed_url_host_path(t.iss);
    provider_arn.ptr = gh_arena_printf(c->arena, "arn:aws:iam::%.*s:oidc-provider/%.*s",
                                       GH_SP(account), GH_SP(prefix));
    if (provider_arn.ptr == NULL)
        return GH_ERR_NOMEM;
    provider_arn.len = strlen(provider_arn.ptr);
    err = gh_iam_provider_get(c->tx, c->arena, account, provider_arn, &prov);
    /* AWS STS answers InvalidIdentityToken "No OpenIDConnect provider found in
     * your account for ISS" (as quoted in mozilla-iam/mozilla-aws-cli#127 and
     * aws-actions/configure-aws-credentials#280). */
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && prov.saml))
        return gh_call_fail(c, GH_ERR_INVALID_IDENTITY_TOKEN,
                            "No OpenIDConnect provider found in your account for %.*s",
                            GH_SP(gh_slice_sub(t.iss, 0, 256)));
    if (err != GH_OK)
        return gh_call_fail(c, err, "The identity provider could not be read.");
    fp = (struct gh_fed_oidc_provider){prov.url, prov.client_ids, prov.nclient_ids};
    if ((err = gh_fed_jwt_verify(c->config->federation, &t, &fp, c->now, &audience, &diag)) !=
        GH_OK)
        return gh_call_fail(c, err, "%s", diag.text);

    if ((err = gh_sts_fed_tags(c, t.tags, t.ntags, t.transitive, t.ntransitive, &s)) != GH_OK)
        return err;

    /* The trust policy's view: the provider as principal, its claims as keys. */
    gh_policy_ctx_init(&ctx, c->arena);
    memset(&pp, 0, sizeof(pp));
    pp.type = GH_PRINCIPAL_WEB_IDENTITY;
    pp.provider = provider_arn;
    pp.account = account;
    pp.arn = provider_arn;
    gh_policy_ctx_set_principal(&ctx, &pp);
    prefix = gh_fed_url_host_path(prov.url);
    /* AWS IAM "Available keys for AWS OIDC federation": HOST:aud is azp when
     * present, else aud; HOST:oaud is aud; HOST:sub; HOST:amr (multi-valued). */
    if (t.azp.len > 0)
        err = gh_sts_fed_key(c, &ctx, prefix, ":aud", t.azp);
    for (size_t i = 0; err == GH_OK && i < t.naud; i++) {
        if (t.azp.len == 0)
            err = gh_sts_fed_key(c, &ctx, prefix, ":aud", t.aud[i]);
        if (err == GH_OK)
            err = gh_sts_fed_key(c, &ctx, prefix, ":oaud", t.aud[i]);
    }
    if (err == GH_OK && t.sub.len > 0)
        err = gh_sts_fed_key(c, &ctx, prefix, ":sub", t.sub);
    for (size_t i = 0; err == GH_OK && i < t.namr; i++)
        err = gh_sts_fed_key(c, &ctx, prefix, ":amr", t.amr[i]);
    if (err == GH_OK)
        err = gh_policy_ctx_add(&ctx, GH_S("aws:FederatedProvider"), GH_PT_STRING, provider_arn);
    if (err == GH_OK)
        err = gh_sts_fed_request_keys(c, &ctx, &s);
    if (err != GH_OK)
        return gh_call_fail(c, err == GH_ERR_NOMEM ? err : GH_ERR_INVALID_IDENTITY_TOKEN,
                            "The token's claims could not be read.");

    /* No single use: SDKs present the same token (the EKS token file) at every
     * refresh until it expires, and AWS STS accepts it each time. */
    g = (struct gh_fed_grant){.action = action,
                              .role_arn = role_arn,
                              .duration_s = has_duration ? duration : GH_STS_ROLE_DEFAULT_S,
                              .ctx = &ctx};
    if ((err = gh_sts_fed_finish(c, &g, &s)) != GH_OK)
        goto done;
    gh_xml_elem(c->result, "SubjectFromWebIdentityToken", t.sub);
    gh_xml_elem(c->result, "Provider", t.iss);
    gh_xml_elem(c->result, "Audience", audience);
done:
    gh_secret_wipe(&s.secret);
    return err;
}
