/*
 * boundary.c: permissions boundaries of users and roles:
 * Put/DeleteUserPermissionsBoundary and Put/DeleteRolePermissionsBoundary.
 * GetUser and GetRole show the boundary; api/authorize.c enforces it.
 */
#include "iam/iam_int.h"

enum gh_err
gh_iam_boundary_check(struct gh_call *c, struct gh_slice arn)
{
    struct gh_policy_rec p;
    enum gh_err err;

    if (arn.ptr == NULL)
        return GH_OK;
    err = gh_store_policy_get(c->tx, c->arena, arn, &p);
    if (err == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Policy %.*s does not exist or is not attachable.",
                            GH_SP(arn));
    return err;
}

/* A user or role, as the boundary actions see it. */
struct target {
    bool role;
    struct gh_user u;
    struct gh_role r;
};

/*
 * Loads user or role `name` and authorizes `action` on its ARN, with
 * iam:PermissionsBoundary = `boundary` when given (AWS IAM: the condition
 * key of these actions); then NoSuchEntity in AWS's words when absent.
 */
static enum gh_err
target_load(struct gh_call *c, bool role, const char *action, struct gh_slice name,
            struct gh_slice boundary, struct target *t)
{
    struct gh_slice arn, account = gh_iam_account(c);
    struct gh_api_key key = {GH_S("iam:PermissionsBoundary"), GH_PT_ARN, boundary, false};
    struct gh_api_keys keys = {&key, boundary.ptr != NULL ? 1 : 0};
    enum gh_err found, err;

    t->role = role;
    if (role) {
        found = gh_store_role_get(c->tx, c->arena, account, name, &t->r);
        arn = found == GH_OK ? gh_iam_arn(c, account, "role", t->r.path, t->r.name)
                             : gh_iam_arn(c, account, "role", GH_S("/"), name);
    } else {
        found = gh_store_user_get(c->tx, c->arena, account, name, &t->u);
        arn = found == GH_OK ? gh_iam_arn(c, account, "user", t->u.path, t->u.name)
                             : gh_iam_arn(c, account, "user", GH_S("/"), name);
    }
    if (found != GH_OK && found != GH_ERR_NOT_FOUND)
        return found;
    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_call_authorize_ctx(c, action, arn, &keys)) != GH_OK)
        return err;
    if (found == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "The %s with name %.*s cannot be found.",
                            role ? "role" : "user", GH_SP(name));
    return GH_OK;
}

/* Stores `arn` (empty = none) as the target's boundary. */
static enum gh_err
target_set(struct gh_call *c, struct target *t, struct gh_slice arn)
{
    if (t->role) {
        t->r.boundary_arn = arn;
        return gh_store_role_update(c->tx, &t->r);
    }
    return gh_store_user_set_boundary(c->tx, t->u.account, t->u.name, arn);
}

static enum gh_err
put(struct gh_call *c, bool role)
{
    struct gh_slice name, arn;
    struct gh_policy_rec p;
    struct target t;
    enum gh_err err;

    if (role)
        gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    else
        gh_iam_str(c, "UserName", &gh_iam_shape_user_name, true, &name);
    gh_iam_str(c, "PermissionsBoundary", &gh_iam_shape_arn, true, &arn);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = target_load(
             c, role, role ? "iam:PutRolePermissionsBoundary" : "iam:PutUserPermissionsBoundary",
             name, arn, &t)) != GH_OK)
        return err;
    /* AWS IAM: the boundary must be an existing managed policy (this account's or AWS's). */
    err = gh_iam_policy_find(c, arn, &p);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && !p.attachable))
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Policy %.*s does not exist or is not attachable.",
                            GH_SP(arn));
    if (err != GH_OK)
        return err;
    return target_set(c, &t, p.arn);
}

static enum gh_err
del(struct gh_call *c, bool role)
{
    struct gh_slice name;
    struct target t;
    enum gh_err err;

    if (role)
        gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    else
        gh_iam_str(c, "UserName", &gh_iam_shape_user_name, true, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = target_load(c, role,
                           role ? "iam:DeleteRolePermissionsBoundary"
                                : "iam:DeleteUserPermissionsBoundary",
                           name, GH_SLICE_NULL, &t)) != GH_OK)
        return err;
    return target_set(c, &t, GH_S(""));
}

enum gh_err
gh_iam_PutUserPermissionsBoundary(struct gh_call *c)
{
    return put(c, false);
}

enum gh_err
gh_iam_DeleteUserPermissionsBoundary(struct gh_call *c)
{
    return del(c, false);
}

enum gh_err
gh_iam_PutRolePermissionsBoundary(struct gh_call *c)
{
    return put(c, true);
}

enum gh_err
gh_iam_DeleteRolePermissionsBoundary(struct gh_call *c)
{
    return del(c, true);
}
