/*
 * attach.c: managed policy attachments of users, roles and groups:
 * Attach*, Detach* and ListAttached*Policies; the policy conflicts of
 * Delete*.
 */
#include "iam/iam_int.h"

/* Which kind of entity holds the attachments, and what its actions differ in. */
enum holder { HOLDER_USER, HOLDER_ROLE, HOLDER_GROUP };

static const struct {
    const char *param; /* the entity's name parameter */
    const struct gh_param_rule *shape;
    const char *quota; /* AWS IAM quota name */
    const char *attach_action, *detach_action, *list_action;
} holders[] = {
    [HOLDER_USER] = {"UserName", &gh_iam_shape_user_name, "PoliciesPerUser", "iam:AttachUserPolicy",
                     "iam:DetachUserPolicy", "iam:ListAttachedUserPolicies"},
    [HOLDER_ROLE] = {"RoleName", &gh_iam_shape_role_name, "PoliciesPerRole", "iam:AttachRolePolicy",
                     "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"},
    [HOLDER_GROUP] = {"GroupName", &gh_iam_shape_group_name, "PoliciesPerGroup",
                      "iam:AttachGroupPolicy", "iam:DetachGroupPolicy",
                      "iam:ListAttachedGroupPolicies"},
};

/* A user, role or group, as the attachment actions see it. */
struct entity {
    struct gh_slice id;
    struct gh_slice arn;
};

static enum gh_err
entity_load(struct gh_call *c, enum holder h, const char *action, struct gh_slice name,
            const struct gh_iam_keys *keys, struct entity *out)
{
    struct gh_user u;
    struct gh_role r;
    struct gh_group g;
    enum gh_err err;

    switch (h) {
    case HOLDER_ROLE:
        if ((err = gh_iam_role_load_keys(c, action, name, keys, &r, &out->arn)) == GH_OK)
            out->id = r.id;
        break;
    case HOLDER_GROUP:
        /* A group's actions are authorized without condition keys. */
        if ((err = gh_iam_group_load(c, action, name, &g, &out->arn)) == GH_OK)
            out->id = g.id;
        break;
    default:
        if ((err = gh_iam_user_load_keys(c, action, name, keys, &u, &out->arn)) == GH_OK)
            out->id = u.id;
        break;
    }
    return err;
}

static enum gh_err
attach(struct gh_call *c, enum holder h)
{
    struct gh_slice name, arn;
    struct gh_store_page page = {GH_SLICE_NULL, GH_IAM_MAX_ITEMS_MAX};
    struct gh_store_more more = {0};
    struct gh_attached *att;
    struct gh_policy_rec p;
    struct gh_iam_keys keys = {0};
    struct entity e;
    size_t n, quota;
    enum gh_err err;

    gh_iam_str(c, holders[h].param, holders[h].shape, true, &name);
    gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, &arn);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    /* AWS IAM: Attach*Policy answers iam:PolicyARN. */
    if ((err = gh_iam_keys_add(c, &keys, GH_S("iam:PolicyARN"), GH_PT_ARN, arn, false)) != GH_OK)
        return err;
    if ((err = entity_load(c, h, holders[h].attach_action, name, &keys, &e)) != GH_OK)
        return err;
    err = gh_iam_policy_find(c, arn, &p);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && !p.attachable))
        /* AWS IAM: NoSuchEntity "Policy ARN does not exist or is not attachable." */
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Policy %.*s does not exist or is not attachable.",
                            GH_SP(arn));
    if (err != GH_OK)
        return err;
    if ((err = gh_store_attached_list(c->tx, c->arena, e.id, GH_S(""), &page, &att, &n, &more)) !=
        GH_OK)
        return err;
    for (size_t i = 0; i < n; i++)
        if (gh_slice_eq(att[i].policy_arn, p.arn))
            return GH_OK; /* AWS IAM: attaching again changes nothing */
    quota = GH_IAM_MANAGED_POLICIES_PER_ENTITY;
    if (h == HOLDER_ROLE && c->config != NULL && c->config->managed_policies_per_role > 0)
        quota = c->config->managed_policies_per_role;
    if (n >= quota)
        /* AWS IAM: LimitExceeded "Cannot exceed quota for PoliciesPerUser: 10" */
        return gh_call_fail(c, GH_ERR_LIMIT, "Cannot exceed quota for %s: %zu", holders[h].quota,
                            quota);
    return gh_store_attach(c->tx, e.id, p.arn);
}

static enum gh_err
detach(struct gh_call *c, enum holder h)
{
    struct gh_slice name, arn;
    struct gh_iam_keys keys = {0};
    struct entity e;
    enum gh_err err;

    gh_iam_str(c, holders[h].param, holders[h].shape, true, &name);
    gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, &arn);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    /* AWS IAM: Detach*Policy answers iam:PolicyARN. */
    if ((err = gh_iam_keys_add(c, &keys, GH_S("iam:PolicyARN"), GH_PT_ARN, arn, false)) != GH_OK)
        return err;
    if ((err = entity_load(c, h, holders[h].detach_action, name, &keys, &e)) != GH_OK)
        return err;
    err = gh_store_detach(c->tx, e.id, arn);
    if (err == GH_ERR_NOT_FOUND)
        /* AWS IAM: NoSuchEntity "Policy ARN was not found." */
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Policy %.*s was not found.", GH_SP(arn));
    return err;
}

static enum gh_err
list_attached(struct gh_call *c, enum holder h)
{
    struct gh_slice name, prefix;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_attached *att;
    struct entity e;
    size_t n;
    enum gh_err err;

    gh_iam_str(c, holders[h].param, holders[h].shape, true, &name);
    gh_iam_str(c, "PathPrefix", &gh_iam_shape_policy_path, false, &prefix);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = entity_load(c, h, holders[h].list_action, name, NULL, &e)) != GH_OK)
        return err;
    if ((err = gh_store_attached_list(c->tx, c->arena, e.id, prefix.ptr != NULL ? prefix : GH_S(""),
                                      &page, &att, &n, &more)) != GH_OK)
        return err;
    gh_xml_open(c->result, "AttachedPolicies");
    for (size_t i = 0; i < n; i++) {
        gh_xml_open(c->result, "member");
        gh_xml_elem(c->result, "PolicyName", att[i].policy_name);
        gh_xml_elem(c->result, "PolicyArn", att[i].policy_arn);
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "AttachedPolicies");
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_AttachUserPolicy(struct gh_call *c)
{
    return attach(c, HOLDER_USER);
}

enum gh_err
gh_iam_AttachRolePolicy(struct gh_call *c)
{
    return attach(c, HOLDER_ROLE);
}

enum gh_err
gh_iam_DetachUserPolicy(struct gh_call *c)
{
    return detach(c, HOLDER_USER);
}

enum gh_err
gh_iam_DetachRolePolicy(struct gh_call *c)
{
    return detach(c, HOLDER_ROLE);
}

enum gh_err
gh_iam_ListAttachedUserPolicies(struct gh_call *c)
{
    return list_attached(c, HOLDER_USER);
}

enum gh_err
gh_iam_ListAttachedRolePolicies(struct gh_call *c)
{
    return list_attached(c, HOLDER_ROLE);
}

enum gh_err
gh_iam_AttachGroupPolicy(struct gh_call *c)
{
    return attach(c, HOLDER_GROUP);
}

enum gh_err
gh_iam_DetachGroupPolicy(struct gh_call *c)
{
    return detach(c, HOLDER_GROUP);
}

enum gh_err
gh_iam_ListAttachedGroupPolicies(struct gh_call *c)
{
    return list_attached(c, HOLDER_GROUP);
}

enum gh_err
gh_iam_policies_conflict(struct gh_call *c, struct gh_slice entity_id)
{
    size_t nattached, ninline;
    enum gh_err err;

    if ((err = gh_store_attached_count(c->tx, entity_id, &nattached)) != GH_OK ||
        (err = gh_store_inline_count(c->tx, entity_id, &ninline)) != GH_OK)
        return err;
    /* AWS IAM: DeleteConflict, managed policies before inline ones. */
    if (nattached > 0)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must detach all policies first.");
    if (ninline > 0)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must delete policies first.");
    return GH_OK;
}
