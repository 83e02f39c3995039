/*
 * service_role.c: AssumeRoleForService, a gatehouse extension to STS: the
 * path by which a host standing in for an AWS service (an EC2 instance,
 * an ECS task, a Lambda function) gets the role credentials that service
 * would deliver. The caller must be allowed to iam:PassRole the role to
 * that service, and the role's trust policy must trust the service
 * principal, as AWS requires before an instance or task runs with a role.
 */
#include <stdio.h>
#include <string.h>

#include "sts/sts_int.h"

/* The service principals a host may stand in for. */
static const char *const services[] = {"ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
                                       "lambda.amazonaws.com"};

static bool
is_service(struct gh_slice v)
{
    for (size_t i = 0; i < GH_ARRAY_LEN(services); i++)
        if (gh_slice_eq_cstr(v, services[i]))
            return true;
    return false;
}

static bool
is_profile_name(struct gh_slice v)
{
    /* AWS IAM instanceProfileNameType: [\w+=,.@-]+ */
    return gh_slice_is_charset(v, "_+=,.@-");
}

static const struct gh_param_rule service_rule = {"servicePrincipal", 1, 64, NULL, NULL};
static const struct gh_param_rule profile_rule = {"instanceProfileName", 1, 128, "[\\w+=,.@-]+",
                                                  is_profile_name};

/* arn:aws:iam::ACCOUNT:role/PATH/NAME -> account, path ("/a/b/") and name. */
static bool
role_arn_split(struct gh_slice arn, struct gh_slice *account, struct gh_slice *path,
               struct gh_slice *name)
{
    static const struct gh_slice prefix = GH_SLICE_INIT("arn:aws:iam::");
    struct gh_slice rest, res;
    long slash = -1;

    if (!gh_slice_starts_with(arn, prefix))
        return false;
    rest = gh_slice_sub(arn, prefix.len, arn.len - prefix.len);
    if (rest.len < 13 || rest.ptr[12] != ':')
        return false;
    *account = gh_slice_sub(rest, 0, 12);
    for (size_t i = 0; i < 12; i++)
        if (account->ptr[i] < '0' || account->ptr[i] > '9')
            return false;
    res = gh_slice_sub(rest, 13, rest.len - 13);
    if (!gh_slice_starts_with(res, GH_S("role/")))
        return false;
    res = gh_slice_sub(res, 4, res.len - 4); /* "/PATH/NAME" */
    for (size_t i = 0; i < res.len; i++)
        if (res.ptr[i] == '/')
            slash = (long)i;
    if (slash < 0 || (size_t)slash + 1 >= res.len)
        return false;
    *path = gh_slice_sub(res, 0, (size_t)slash + 1);
    *name = gh_slice_sub(res, (size_t)slash + 1, res.len - (size_t)slash - 1);
    return true;
}

/*
 * Does the role's trust policy let `service` perform sts:AssumeRole on
 * it? The service is the principal, as when EC2 or ECS assumes the role.
 * `*explicit_deny` tells an explicit Deny from a missing Allow.
 */
static enum gh_err
trusts(struct gh_call *c, const struct gh_role *role, struct gh_slice role_arn,
       struct gh_slice service, bool *allowed, bool *explicit_deny)
{
    struct gh_policy *trust = NULL;
    struct gh_policy_src src;
    struct gh_policy_principal pp;
    struct gh_policy_ctx ctx;
    struct gh_policy_result r;
    struct gh_diag diag;
    char now_iso[21], epoch[24];
    char *now_s, *epoch_s;
    enum gh_err err;

    *allowed = false;
    *explicit_deny = false;
    err = gh_api_policy_compiled(c->api_cache, role->trust_policy, GH_POLICY_TRUST, &diag, &trust);
    if (err == GH_ERR_MALFORMED_POLICY)
        return GH_OK; /* a broken trust policy trusts nobody */
    if (err != GH_OK)
        return err;
    memset(&pp, 0, sizeof(pp));
    pp.type = GH_PRINCIPAL_SERVICE;
    pp.arn = service;
    pp.service = service;
    gh_policy_ctx_init(&ctx, c->arena);
    gh_policy_ctx_set_principal(&ctx, &pp);
    gh_time_iso8601(c->now, now_iso);
    (void)snprintf(epoch, sizeof(epoch), "%lld", (long long)c->now);
    now_s = gh_arena_strndup(c->arena, gh_slice_from_cstr(now_iso));
    epoch_s = gh_arena_strndup(c->arena, gh_slice_from_cstr(epoch));
    if (now_s == NULL || epoch_s == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    /* AWS IAM global keys of a request made by a service principal: the
     * service's name, and the account on whose behalf it acts. */
    if ((err = gh_policy_ctx_set_action(&ctx, GH_S("sts:AssumeRole"))) != GH_OK ||
        (err = gh_policy_ctx_set_resource(&ctx, role_arn)) != GH_OK ||
        (err = gh_policy_ctx_add(&ctx, GH_S("aws:PrincipalServiceName"), GH_PT_STRING, service)) !=
            GH_OK ||
        (err = gh_policy_ctx_add(&ctx, GH_S("aws:SourceAccount"), GH_PT_STRING,
                                 gh_slice_from_cstr(c->caller->account))) != GH_OK ||
        (err = gh_policy_ctx_add(&ctx, GH_S("aws:CurrentTime"), GH_PT_DATE,
                                 gh_slice_from_cstr(now_s))) != GH_OK ||
        (err = gh_policy_ctx_add(&ctx, GH_S("aws:EpochTime"), GH_PT_DATE,
                                 gh_slice_from_cstr(epoch_s))) != GH_OK)
        goto done;
    src = (struct gh_policy_src){.policy = trust, .id = role_arn, .origin = GH_ORIGIN_OTHER};
    /* Unreadable principal bindings trust nobody (the error denies). */
    if ((err = gh_api_principals_src(c->arena, role->trust_bind, &src)) != GH_OK)
        goto done;
    memset(&r, 0, sizeof(r));
    if ((err = gh_policy_eval(&src, GH_ROLE_RESOURCE, &ctx, &r)) != GH_OK)
        goto done;
    *allowed = r.decision == GH_ALLOW;
    *explicit_deny = r.decision == GH_DENY_EXPLICIT;
done:
    gh_policy_unref(trust);
    return err;
}

/*
 * The role in instance profile `name` of the caller's account, and its
 * ARN. GH_ERR_NOT_FOUND, with no message set, when there is no such
 * profile (*found false) or it holds no role (*found true): the caller
 * decides what to say once it has authorized the request.
 */
static enum gh_err
profile_role(struct gh_call *c, struct gh_slice name, struct gh_instance_profile *prof,
             struct gh_role *role, bool *found)
{
    struct gh_slice account = gh_slice_from_cstr(c->caller->account);
    struct gh_role *roles = NULL;
    size_t nroles = 0;
    enum gh_err err;

    *found = false;
    if ((err = gh_store_instance_profile_get(c->tx, c->arena, account, name, prof)) != GH_OK)
        return err;
    *found = true;
    if ((err = gh_store_instance_profile_roles(c->tx, c->arena, prof->id, &roles, &nroles)) !=
        GH_OK)
        return err;
    if (nroles == 0)
        return GH_ERR_NOT_FOUND;
    *role = roles[0]; /* AWS IAM: a profile holds at most one role */
    return GH_OK;
}

/*
 * Instance profile `name`: its role, authorized for iam:PassRole (with
 * `extra` keys) before anything about the profile is told. The decision
 * is on the profile's role when it holds one; for a profile that does not
 * exist or holds no role, on the ARN "role/" + wildcard (any role of the
 * account): only a caller who may pass any role learns that. Every other
 * caller gets the
 * same AccessDenied, naming neither the role nor whether the profile
 * exists (a gatehouse extension: AWS has no such action, so no wording).
 */
static enum gh_err
profile_pass(struct gh_call *c, struct gh_slice name, const struct gh_api_keys *extra,
             struct gh_instance_profile *prof, struct gh_role *role, struct gh_slice *role_arn)
{
    const struct gh_principal *p = c->caller;
    bool found = false;
    enum gh_err err = profile_role(c, name, prof, role, &found);

    if (err != GH_OK && err != GH_ERR_NOT_FOUND)
        return gh_call_fail(c, err, "The instance profile could not be read.");
    if (err == GH_OK)
        role_arn->ptr = gh_arena_printf(c->arena, "arn:aws:iam::%.*s:role%.*s%.*s",
                                        GH_SP(role->account), GH_SP(role->path), GH_SP(role->name));
    else
        role_arn->ptr = gh_arena_printf(c->arena, "arn:aws:iam::%s:role/*", p->account);
    if (role_arn->ptr == NULL)
        return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
    role_arn->len = strlen(role_arn->ptr);
    {
        enum gh_err az = gh_call_authorize_ctx(c, "iam:PassRole", *role_arn, extra);
        if (az == GH_ERR_ACCESS_DENIED)
            return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                                "User: %.*s is not authorized to perform: iam:PassRole on the role "
                                "of instance profile %.*s",
                                GH_SP(p->arn), GH_SP(name));
        if (az != GH_OK)
            return az;
    }
    if (!found)
        /* AWS IAM: NoSuchEntity "Instance Profile X cannot be found." */
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Instance Profile %.*s cannot be found.",
                            GH_SP(name));
    if (err == GH_ERR_NOT_FOUND)
        /* AWS EC2: an instance whose profile holds no role gets no credentials. */
        return gh_call_fail(c, GH_ERR_NOT_FOUND,
                            "Instance Profile %.*s has no role, so there are no credentials to "
                            "deliver.",
                            GH_SP(prof->name));
    return GH_OK;
}

enum gh_err
gh_sts_assume_role_for_service(struct gh_call *c)
{
    const struct gh_principal *p = c->caller;
    struct gh_slice service, role_arn, profile_name, account, path, name, profile_arn = {0};
    struct gh_instance_profile prof;
    struct gh_role role;
    struct gh_session s;
    struct gh_api_key keys[2];
    struct gh_api_keys extra = {keys, 1};
    int64_t duration = 0;
    bool has_duration = false, allowed = false, explicit_deny = false;
    enum gh_err err;

    memset(&s, 0, sizeof(s));
    memset(&prof, 0, sizeof(prof));
    gh_call_str(c, "ServicePrincipal", &service_rule, true, &service);
    if (service.ptr != NULL && !is_service(service))
        gh_api_validation_add(c, service, false, "servicePrincipal",
                              "Member must satisfy enum value set: [ec2.amazonaws.com, "
                              "ecs-tasks.amazonaws.com, lambda.amazonaws.com]");
    gh_call_str(c, "RoleArn", &gh_sts_shape_role_arn, false, &role_arn);
    gh_call_str(c, "InstanceProfileName", &profile_rule, false, &profile_name);
    gh_call_str(c, "RoleSessionName", &gh_sts_shape_session_name, true, &s.session_name);
    gh_call_int(c, "DurationSeconds", "durationSeconds", GH_STS_SESSION_MIN_S, 43200, false,
                &duration, &has_duration);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((role_arn.ptr == NULL) == (profile_name.ptr == NULL))
        return gh_call_fail(c, GH_ERR_INVALID_PARAM,
                            "Exactly one of RoleArn and InstanceProfileName must be given.");
    if (profile_name.ptr != NULL && !gh_slice_eq_cstr(service, "ec2.amazonaws.com"))
        return gh_call_fail(c, GH_ERR_INVALID_PARAM,
                            "InstanceProfileName is only for ServicePrincipal ec2.amazonaws.com.");
    if (p->type == GH_PRINCIPAL_ANONYMOUS)
        return gh_call_fail(c, GH_ERR_MISSING_AUTH, "Request is missing Authentication Token");

    if (profile_name.ptr == NULL && !role_arn_split(role_arn, &account, &path, &name))
        return gh_call_fail(c, GH_ERR_VALIDATION, "%.*s is invalid", GH_SP(role_arn));

    /* (1) AWS IAM: handing a role to a service needs iam:PassRole on the
     * role, with iam:PassedToService naming the service. */
    keys[0] = (struct gh_api_key){GH_S("iam:PassedToService"), GH_PT_STRING, service, false};
    if (gh_slice_eq_cstr(service, "ec2.amazonaws.com")) {
        /* AWS IAM: for EC2 iam:AssociatedResourceArn is the instance's ARN. */
        char *inst = gh_arena_printf(c->arena, "arn:aws:ec2:%s:%s:instance/%.*s", c->config->region,
                                     p->account, GH_SP(s.session_name));
        if (inst == NULL)
            return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
        keys[1] = (struct gh_api_key){GH_S("iam:AssociatedResourceArn"), GH_PT_ARN,
                                      gh_slice_from_cstr(inst), false};
        extra.count = 2;
    }
    if (profile_name.ptr != NULL) {
        if ((err = profile_pass(c, profile_name, &extra, &prof, &role, &role_arn)) != GH_OK)
            return err;
        profile_arn.ptr = gh_arena_printf(c->arena, "arn:aws:iam::%.*s:instance-profile%.*s%.*s",
                                          GH_SP(prof.account), GH_SP(prof.path), GH_SP(prof.name));
        if (profile_arn.ptr == NULL)
            return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
        profile_arn.len = strlen(profile_arn.ptr);
    } else if ((err = gh_call_authorize_ctx(c, "iam:PassRole", role_arn, &extra)) != GH_OK) {
        return err;
    }
    if (profile_name.ptr == NULL) {
        /* AWS IAM: a role can only be passed within its own account. */
        if (!gh_slice_eq_cstr(account, p->account))
            return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                                "User: %.*s is not authorized to perform: iam:PassRole on "
                                "resource: %.*s because the role belongs to another account",
                                GH_SP(p->arn), GH_SP(role_arn));
        err = gh_store_role_get(c->tx, c->arena, account, name, &role);
        if (err == GH_OK && !gh_slice_eq(role.path, path))
            err = GH_ERR_NOT_FOUND;
        if (err == GH_ERR_NOT_FOUND)
            return gh_call_fail(c, err, "The role with name %.*s cannot be found.", GH_SP(name));
        if (err != GH_OK)
            return gh_call_fail(c, err, "The role could not be read.");
    }

    /* (2) The role must trust the service principal. */
    if ((err = trusts(c, &role, role_arn, service, &allowed, &explicit_deny)) != GH_OK)
        return gh_call_fail(c, err, "The role's trust policy could not be evaluated.");
    if (!allowed)
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "%.*s cannot assume role %.*s: the role does not trust %.*s "
                            "(its trust policy %s %.*s to perform sts:AssumeRole)",
                            GH_SP(service), GH_SP(role_arn), GH_SP(service),
                            explicit_deny ? "explicitly denies" : "has no statement that allows",
                            GH_SP(service));

    /* (3) AWS STS DurationSeconds: default one hour, at most the role's
     * MaxSessionDuration. */
    if (!has_duration)
        duration = GH_STS_ROLE_DEFAULT_S;
    if (duration > role.max_session_s)
        return gh_call_fail(c, GH_ERR_VALIDATION,
                            "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                            "this role.");
    s.type = GH_PRINCIPAL_ASSUMED_ROLE;
    memcpy(s.account, role.account.ptr, 12);
    s.account[12] = '\0';
    s.name = role.name;
    s.path = role.path;
    s.entity_id = role.id;
    s.source_identity = GH_S("");
    s.policy = GH_S("");
    s.issued = c->now;
    s.expires = c->now + duration;
    if ((err = gh_sts_mint(c, &s)) != GH_OK) {
        err = gh_call_fail(c, err, "The credentials could not be created.");
        goto done;
    }
    gh_xml_open(c->result, "AssumedRoleUser");
    gh_buf_putf(c->result, "<AssumedRoleId>%.*s:", GH_SP(role.id));
    gh_xml_escape(c->result, s.session_name);
    gh_buf_puts(c->result, "</AssumedRoleId><Arn>");
    gh_buf_putf(c->result, "arn:aws:sts::%s:assumed-role/", s.account);
    gh_xml_escape(c->result, role.name);
    gh_buf_puts(c->result, "/");
    gh_xml_escape(c->result, s.session_name);
    gh_buf_puts(c->result, "</Arn>");
    gh_xml_close(c->result, "AssumedRoleUser");
    if ((err = gh_sts_credentials_render(c, &s)) != GH_OK)
        goto done;
    /* Extension elements: what the host needs to answer as the service does. */
    gh_xml_elem(c->result, "RoleArn", role_arn);
    if (profile_arn.ptr != NULL) {
        gh_xml_elem(c->result, "InstanceProfileArn", profile_arn);
        gh_xml_elem(c->result, "InstanceProfileId", prof.id);
    }
    err = gh_buf_status(c->result);
done:
    gh_secret_wipe(&s.secret);
    return err;
}
