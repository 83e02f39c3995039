/*
 * service_linked.c: service-linked roles: CreateServiceLinkedRole,
 * DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus, and the
 * guard that keeps such roles out of reach of the ordinary role actions.
 */
#include <stdio.h>
#include <string.h>

#include "iam/iam_ext.h"

/* AWS IAM: service-linked roles live under /aws-service-role/SERVICE/. */
#define SLR_PATH_PREFIX "/aws-service-role/"

/*
 * The services whose service-linked roles this server knows: the role
 * name AWS gives each, its AWS managed permissions policy, and whether the
 * service takes a CustomSuffix (AWS IAM User Guide, "AWS services that
 * work with IAM", each service's service-linked role page).
 */
struct slr_service {
    const char *principal;
    const char *role_name;
    const char *policy; /* under arn:aws:iam::aws:policy/aws-service-role/ */
    bool suffix;
};

static const struct slr_service services[] = {
    {"elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing",
     "AWSElasticLoadBalancingServiceRolePolicy", false},
    {"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy",
     true},
    {"ecs.amazonaws.com", "AWSServiceRoleForECS", "AmazonECSServiceRolePolicy", false},
    {"rds.amazonaws.com", "AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy", false},
    {"spot.amazonaws.com", "AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy", false},
    {"organizations.amazonaws.com", "AWSServiceRoleForOrganizations",
     "AWSOrganizationsServiceTrustPolicy", false},
    {"elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalk",
     "AWSElasticBeanstalkServiceRolePolicy", true},
};

static const struct slr_service *
service_find(struct gh_slice principal)
{
    for (size_t i = 0; i < GH_ARRAY_LEN(services); i++)
        if (gh_slice_eq_cstr(principal, services[i].principal))
            return &services[i];
    return NULL;
}

static bool
is_service_linked(const struct gh_role *r)
{
    return gh_slice_starts_with(r->path, GH_S(SLR_PATH_PREFIX));
}

enum gh_err
gh_iam_role_guard(struct gh_call *c)
{
    /* AWS IAM: what only the service may do to its service-linked role. */
    static const char *const guarded[] = {
        "DeleteRole",       "UpdateAssumeRolePolicy",     "UpdateRole",
        "PutRolePolicy",    "DeleteRolePolicy",           "AttachRolePolicy",
        "DetachRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
    };
    struct gh_slice name, arn;
    struct gh_role r;
    char action[64];
    size_t i = 0;
    enum gh_err err;

    while (i < GH_ARRAY_LEN(guarded) && strcmp(c->action->name, guarded[i]) != 0)
        i++;
    if (i == GH_ARRAY_LEN(guarded) || c->params == NULL)
        return GH_OK;
    /* A missing or malformed name is the handler's to report. */
    name = gh_params_get(c->params, "RoleName");
    if (name.len == 0 || name.len > 64 || !gh_iam_is_name(name))
        return GH_OK;
    err = gh_store_role_get(c->tx, c->arena, gh_iam_account(c), name, &r);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && !is_service_linked(&r)))
        return GH_OK;
    if (err != GH_OK)
        return err;
    /* As the handler would: the caller must be allowed the action before learning more. */
    (void)snprintf(action, sizeof(action), "iam:%s", guarded[i]);
    if ((arn = gh_iam_arn(c, r.account, "role", r.path, r.name)).ptr == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_call_authorize(c, action, arn)) != GH_OK)
        return err;
    return gh_call_fail(c, GH_ERR_UNMODIFIABLE,
                        "Cannot perform the operation on the protected role '%.*s' - "
                        "this role is only modifiable by AWS",
                        GH_SP(r.name));
}

/* The Role element of CreateServiceLinkedRole (CreateRole's members). */
static enum gh_err
role_render(struct gh_call *c, const struct gh_role *r)
{
    struct gh_slice arn = gh_iam_arn(c, r->account, "role", r->path, r->name);
    enum gh_err err;

    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    gh_xml_open(c->result, "Role");
    gh_xml_elem(c->result, "Path", r->path);
    gh_xml_elem(c->result, "RoleName", r->name);
    gh_xml_elem(c->result, "RoleId", r->id);
    gh_xml_elem(c->result, "Arn", arn);
    gh_xml_elem_time(c->result, "CreateDate", r->created);
    if ((err = gh_iam_trust_render(c, r)) != GH_OK)
        return err;
    if (r->description.len > 0)
        gh_xml_elem(c->result, "Description", r->description);
    gh_xml_elem_int(c->result, "MaxSessionDuration", r->max_session_s);
    gh_xml_close(c->result, "Role");
    return gh_buf_status(c->result);
}

static const struct gh_param_rule shape_service = {NULL, 1, 128, "[\\w+=,.@-]+", NULL};
static const struct gh_param_rule shape_suffix = {NULL, 1, 64, "[\\w+=,.@-]+", NULL};

enum gh_err
gh_iam_CreateServiceLinkedRole(struct gh_call *c)
{
    struct gh_slice principal, desc, suffix, path, name, arn, account = gh_iam_account(c);
    struct gh_param_rule rs = shape_service, rx = shape_suffix;
    const struct slr_service *svc;
    struct gh_policy_rec pol;
    struct gh_role r;
    char id[32], *trust, *pol_arn, *path_s, *name_s;
    enum gh_err err;

    rs.ok = gh_iam_is_name; /* groupNameType's pattern */
    rx.ok = gh_iam_is_name;
    gh_iam_str(c, "AWSServiceName", &rs, true, &principal);
    gh_iam_str(c, "Description", &gh_iam_shape_role_description, false, &desc);
    gh_iam_str(c, "CustomSuffix", &rx, false, &suffix);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((svc = service_find(principal)) == NULL)
        /* AWS IAM: InvalidInput for a service without service-linked roles. */
        return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Invalid ServiceName: %.*s", GH_SP(principal));
    if (suffix.ptr != NULL && !svc->suffix)
        return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Custom suffix is not allowed for %s",
                            svc->principal);
    path_s = gh_arena_printf(c->arena, SLR_PATH_PREFIX "%s/", svc->principal);
    /* AWS IAM: the suffix joins the service's name with an underscore. */
    name_s = suffix.ptr != NULL
                 ? gh_arena_printf(c->arena, "%s_%.*s", svc->role_name, GH_SP(suffix))
                 : gh_arena_printf(c->arena, "%s", svc->role_name);
    trust =
        gh_arena_printf(c->arena,
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        "\"Principal\":{\"Service\":[\"%s\"]},\"Action\":[\"sts:AssumeRole\"]}]}",
                        svc->principal);
    pol_arn = gh_arena_printf(c->arena, "arn:aws:iam::aws:policy/aws-service-role/%s", svc->policy);
    if (path_s == NULL || name_s == NULL || trust == NULL || pol_arn == NULL)
        return GH_ERR_NOMEM;
    path = gh_slice_from_cstr(path_s);
    name = gh_slice_from_cstr(name_s);
    if (name.len > 64)
        return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Role name %.*s is too long.", GH_SP(name));
    if ((arn = gh_iam_arn(c, account, "role", path, name)).ptr == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_call_authorize(c, "iam:CreateServiceLinkedRole", arn)) != GH_OK)
        return err;
    if ((err = gh_random_id("AROA", 21, id)) != GH_OK)
        return err;
    r = (struct gh_role){
        .account = account,
        .name = name,
        .path = path,
        .id = gh_slice_from_cstr(id),
        .trust_policy = gh_slice_from_cstr(trust),
        .description = desc.ptr != NULL ? desc : GH_S(""),
        .boundary_arn = GH_S(""),
        .max_session_s = 3600,
        .created = c->now,
        .last_used_region = GH_S(""),
    };
    err = gh_store_role_create(c->tx, &r);
    if (err == GH_ERR_EXISTS)
        /* AWS IAM: InvalidInput, not EntityAlreadyExists, for a second one. */
        return gh_call_fail(c, GH_ERR_INVALID_INPUT,
                            "Service role name %.*s has been taken in this account, please try "
                            "a different suffix.",
                            GH_SP(name));
    if (err != GH_OK)
        return err;
    /* The service's permissions, when this server carries that AWS managed policy. */
    err = gh_store_policy_get(c->tx, c->arena, gh_slice_from_cstr(pol_arn), &pol);
    if (err == GH_OK)
        err = gh_store_attach(c->tx, r.id, pol.arn);
    if (err != GH_OK && err != GH_ERR_NOT_FOUND)
        return err;
    return role_render(c, &r);
}

/* A random RFC 4122 version 4 UUID (lower-case hex) into out[37]. */
static enum gh_err
uuid4(char out[37])
{
    uint8_t b[16];
    char hex[33];
    enum gh_err err;

    if ((err = gh_random(b, sizeof(b))) != GH_OK)
        return err;
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    gh_hex_encode(b, sizeof(b), hex);
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = '\0';
    return GH_OK;
}

enum gh_err
gh_iam_DeleteServiceLinkedRole(struct gh_call *c)
{
    struct gh_slice name, arn, task, service;
    struct gh_store_rec t;
    struct gh_role r;
    char uuid[37], *s;
    enum gh_err err;

    gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_role_load(c, "iam:DeleteServiceLinkedRole", name, &r, &arn)) != GH_OK)
        return err;
    if (!is_service_linked(&r))
        return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Role %.*s is not a service-linked role.",
                            GH_SP(r.name));
    /* The service is the path's middle: /aws-service-role/SERVICE/. */
    service =
        gh_slice_sub(r.path, strlen(SLR_PATH_PREFIX), r.path.len - strlen(SLR_PATH_PREFIX) - 1);
    if ((err = uuid4(uuid)) != GH_OK)
        return err;
    /* AWS IAM: task/aws-service-role/SERVICE/ROLE/UUID. */
    if ((s = gh_arena_printf(c->arena, "task/aws-service-role/%.*s/%.*s/%s", GH_SP(service),
                             GH_SP(r.name), uuid)) == NULL)
        return GH_ERR_NOMEM;
    task = gh_slice_from_cstr(s);
    /* This server's services hold no resources through the role: deletion completes now. */
    if ((err = gh_iam_role_profiles_conflict(c, r.id)) != GH_OK)
        return err;
    if ((err = gh_store_role_delete(c->tx, r.account, r.name)) != GH_OK ||
        (err = gh_store_entity_purge(c->tx, r.id)) != GH_OK)
        return err;
    t = (struct gh_store_rec){
        .account = gh_iam_account(c),
        .kind = GH_S(GH_IAM_REC_TASK),
        .id = task,
        .owner = GH_S(""),
        .status = 0,
        .created = c->now,
        .updated = c->now,
        .data = GH_S("{\"status\":\"SUCCEEDED\"}"),
    };
    if ((err = gh_store_rec_put(c->tx, &t, NULL, false)) != GH_OK)
        return err;
    gh_xml_elem(c->result, "DeletionTaskId", task);
    return gh_buf_status(c->result);
}

static const struct gh_param_rule shape_task = {NULL, 1, 1000, NULL, NULL};

enum gh_err
gh_iam_GetServiceLinkedRoleDeletionStatus(struct gh_call *c)
{
    struct gh_slice task;
    struct gh_store_rec t;
    json_t *o = NULL;
    enum gh_err err;

    gh_iam_str(c, "DeletionTaskId", &shape_task, true, &task);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:GetServiceLinkedRoleDeletionStatus", GH_S("*"))) != GH_OK)
        return err;
    if (!gh_slice_starts_with(task, GH_S("task/aws-service-role/")))
        return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Invalid deletion task id: %.*s", GH_SP(task));
    err =
        gh_store_rec_get(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_TASK), task, &t, NULL);
    if (err == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Deletion task %.*s cannot be found.",
                            GH_SP(task));
    if (err != GH_OK || (err = gh_iam_rec_json(&t, &o)) != GH_OK)
        return err;
    gh_xml_elem(c->result, "Status", gh_iam_json_str(o, "status"));
    json_decref(o);
    return gh_buf_status(c->result);
}
