/*
 * inline.c: inline policies of users, roles and groups: Put*, Get*,
 * Delete* and List*Policies.
 */
#include "iam/iam_int.h"

/* Which kind of entity holds the policy, and what its actions differ in. */
enum holder { HOLDER_USER, HOLDER_ROLE, HOLDER_GROUP };

static const struct {
    const char *param; /* the entity's name parameter, and GetXPolicy's element */
    const struct gh_param_rule *shape;
    const char *noun; /* "The <noun> policy with name X cannot be found." */
    enum gh_iam_doc_kind doc;
    /* The entity's other policies are those of another name in any case
     * (groups), or of another exact spelling (users and roles, as before). */
    bool others_any_case;
    const char *put_action, *get_action, *delete_action, *list_action;
} holders[] = {
    [HOLDER_USER] = {"UserName", &gh_iam_shape_existing_user_name, "user", GH_IAM_DOC_USER_INLINE,
                     false, "iam:PutUserPolicy", "iam:GetUserPolicy", "iam:DeleteUserPolicy",
                     "iam:ListUserPolicies"},
    [HOLDER_ROLE] = {"RoleName", &gh_iam_shape_role_name, "role", GH_IAM_DOC_ROLE_INLINE, false,
                     "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy",
                     "iam:ListRolePolicies"},
    [HOLDER_GROUP] = {"GroupName", &gh_iam_shape_group_name, "group", GH_IAM_DOC_GROUP_INLINE, true,
                      "iam:PutGroupPolicy", "iam:GetGroupPolicy", "iam:DeleteGroupPolicy",
                      "iam:ListGroupPolicies"},
};

/* The user, role or group an inline policy belongs to. */
struct owner {
    enum holder h;
    struct gh_slice id;
    struct gh_slice name; /* stored spelling */
};

/* Reads the holder's name parameter and `policy_name` (PolicyName, when not NULL). */
static void
owner_param(struct gh_call *c, enum holder h, struct gh_slice *name, struct gh_slice *policy_name)
{
    gh_iam_str(c, holders[h].param, holders[h].shape, true, name);
    if (policy_name != NULL)
        gh_iam_str(c, "PolicyName", &gh_iam_shape_policy_name, true, policy_name);
}

static enum gh_err
owner_load(struct gh_call *c, enum holder h, const char *action, struct gh_slice name,
           struct owner *out)
{
    struct gh_slice arn;
    struct gh_user u;
    struct gh_role r;
    struct gh_group g;
    enum gh_err err;

    out->h = h;
    switch (h) {
    case HOLDER_ROLE:
        if ((err = gh_iam_role_load(c, action, name, &r, &arn)) != GH_OK)
            return err;
        out->id = r.id;
        out->name = r.name;
        break;
    case HOLDER_GROUP:
        if ((err = gh_iam_group_load(c, action, name, &g, &arn)) != GH_OK)
            return err;
        out->id = g.id;
        out->name = g.name;
        break;
    default:
        if ((err = gh_iam_user_load(c, action, name, &u, &arn)) != GH_OK)
            return err;
        out->id = u.id;
        out->name = u.name;
        break;
    }
    return GH_OK;
}

static enum gh_err
not_found(struct gh_call *c, const struct owner *o, struct gh_slice policy)
{
    /* AWS IAM: NoSuchEntity "The user policy with name X cannot be found." */
    return gh_call_fail(c, GH_ERR_NOT_FOUND, "The %s policy with name %.*s cannot be found.",
                        holders[o->h].noun, GH_SP(policy));
}

/* Characters the owner's other inline policies take (AWS IAM: the quota is for all together). */
static enum gh_err
others_chars(struct gh_call *c, const struct owner *o, struct gh_slice except, size_t *out)
{
    struct gh_store_page page = {GH_SLICE_NULL, GH_IAM_MAX_ITEMS_MAX};
    struct gh_store_more more = {0};
    struct gh_slice *names, doc;
    bool any_case = holders[o->h].others_any_case;
    size_t n;
    enum gh_err err;

    *out = 0;
    do {
        if ((err = gh_store_inline_list(c->tx, c->arena, o->id, &page, &names, &n, &more)) != GH_OK)
            return err;
        for (size_t i = 0; i < n; i++) {
            if (any_case ? gh_slice_case_eq(names[i], except) : gh_slice_eq(names[i], except))
                continue;
            if ((err = gh_store_inline_get(c->tx, c->arena, o->id, names[i], &doc)) != GH_OK)
                return err;
            *out += gh_iam_doc_chars(doc);
        }
        page.marker = more.next_marker;
    } while (more.truncated);
    return GH_OK;
}

static enum gh_err
put(struct gh_call *c, enum holder h)
{
    struct gh_slice name, policy, doc;
    struct owner o;
    size_t others;
    enum gh_err err;

    owner_param(c, h, &name, &policy);
    gh_iam_str(c, "PolicyDocument", &gh_iam_shape_policy_document, true, &doc);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = owner_load(c, h, holders[h].put_action, name, &o)) != GH_OK)
        return err;
    if ((err = others_chars(c, &o, policy, &others)) != GH_OK)
        return err;
    if ((err = gh_iam_doc_check(c, holders[h].doc, doc, others, o.name)) != GH_OK)
        return err;
    return gh_store_inline_put(c->tx, o.id, policy, doc);
}

static enum gh_err
get(struct gh_call *c, enum holder h)
{
    struct gh_slice name, policy, doc;
    struct owner o;
    enum gh_err err;

    owner_param(c, h, &name, &policy);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = owner_load(c, h, holders[h].get_action, name, &o)) != GH_OK)
        return err;
    err = gh_store_inline_get(c->tx, c->arena, o.id, policy, &doc);
    if (err == GH_ERR_NOT_FOUND)
        return not_found(c, &o, policy);
    if (err != GH_OK)
        return err;
    gh_xml_elem(c->result, holders[h].param, o.name);
    gh_xml_elem(c->result, "PolicyName", policy);
    gh_iam_doc_render(c, "PolicyDocument", doc);
    return gh_buf_status(c->result);
}

static enum gh_err
del(struct gh_call *c, enum holder h)
{
    struct gh_slice name, policy;
    struct owner o;
    enum gh_err err;

    owner_param(c, h, &name, &policy);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = owner_load(c, h, holders[h].delete_action, name, &o)) != GH_OK)
        return err;
    err = gh_store_inline_delete(c->tx, o.id, policy);
    return err == GH_ERR_NOT_FOUND ? not_found(c, &o, policy) : err;
}

static enum gh_err
list(struct gh_call *c, enum holder h)
{
    struct gh_slice name, *names;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct owner o;
    size_t n;
    enum gh_err err;

    owner_param(c, h, &name, NULL);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = owner_load(c, h, holders[h].list_action, name, &o)) != GH_OK)
        return err;
    if ((err = gh_store_inline_list(c->tx, c->arena, o.id, &page, &names, &n, &more)) != GH_OK)
        return err;
    gh_xml_open(c->result, "PolicyNames");
    for (size_t i = 0; i < n; i++)
        gh_xml_elem(c->result, "member", names[i]);
    gh_xml_close(c->result, "PolicyNames");
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_PutUserPolicy(struct gh_call *c)
{
    return put(c, HOLDER_USER);
}

enum gh_err
gh_iam_GetUserPolicy(struct gh_call *c)
{
    return get(c, HOLDER_USER);
}

enum gh_err
gh_iam_DeleteUserPolicy(struct gh_call *c)
{
    return del(c, HOLDER_USER);
}

enum gh_err
gh_iam_ListUserPolicies(struct gh_call *c)
{
    return list(c, HOLDER_USER);
}

enum gh_err
gh_iam_PutRolePolicy(struct gh_call *c)
{
    return put(c, HOLDER_ROLE);
}

enum gh_err
gh_iam_GetRolePolicy(struct gh_call *c)
{
    return get(c, HOLDER_ROLE);
}

enum gh_err
gh_iam_DeleteRolePolicy(struct gh_call *c)
{
    return del(c, HOLDER_ROLE);
}

enum gh_err
gh_iam_ListRolePolicies(struct gh_call *c)
{
    return list(c, HOLDER_ROLE);
}

enum gh_err
gh_iam_PutGroupPolicy(struct gh_call *c)
{
    return put(c, HOLDER_GROUP);
}

enum gh_err
gh_iam_GetGroupPolicy(struct gh_call *c)
{
    return get(c, HOLDER_GROUP);
}

enum gh_err
gh_iam_DeleteGroupPolicy(struct gh_call *c)
{
    return del(c, HOLDER_GROUP);
}

enum gh_err
gh_iam_ListGroupPolicies(struct gh_call *c)
{
    return list(c, HOLDER_GROUP);
}
