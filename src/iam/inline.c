/*
 * inline.c: inline policies of users and roles: Put*, Get*, Delete* and
 * List*Policies.
 */
#include "iam/iam_int.h"

/* The user or role an inline policy belongs to. */
struct owner {
    bool role;
    struct gh_slice id;
    struct gh_slice name; /* stored spelling */
};

static void
owner_param(struct gh_call *c, bool role, struct gh_slice *name)
{
    if (role)
        gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, name);
    else
        gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, true, name);
}

static enum gh_err
owner_load(struct gh_call *c, bool role, const char *action, struct gh_slice name,
           struct owner *out)
{
    struct gh_slice arn;
    struct gh_user u;
    struct gh_role r;
    enum gh_err err;

    out->role = role;
    if (role) {
        if ((err = gh_iam_role_load(c, action, name, &r, &arn)) != GH_OK)
            return err;
        out->id = r.id;
        out->name = r.name;
    } else {
        if ((err = gh_iam_user_load(c, action, name, &u, &arn)) != GH_OK)
            return err;
        out->id = u.id;
        out->name = u.name;
    }
    return GH_OK;
}

static enum gh_err
not_found(struct gh_call *c, const struct owner *o, struct gh_slice policy)
{
    /* AWS IAM: NoSuchEntity "The user policy with name X cannot be found." */
    return gh_call_fail(c, GH_ERR_NOT_FOUND, "The %s policy with name %.*s cannot be found.",
                        o->role ? "role" : "user", GH_SP(policy));
}

/* Characters the owner's other inline policies take (AWS IAM: the quota is for all together). */
static enum gh_err
others_chars(struct gh_call *c, const struct owner *o, struct gh_slice except, size_t *out)
{
    struct gh_store_page page = {GH_SLICE_NULL, GH_IAM_MAX_ITEMS_MAX};
    struct gh_store_more more = {0};
    struct gh_slice *names, doc;
    size_t n;
    enum gh_err err;

    *out = 0;
    do {
        if ((err = gh_store_inline_list(c->tx, c->arena, o->id, &page, &names, &n, &more)) != GH_OK)
            return err;
        for (size_t i = 0; i < n; i++) {
            if (gh_slice_eq(names[i], except))
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
put(struct gh_call *c, bool role)
{
    struct gh_slice name, policy, doc;
    struct owner o;
    size_t others;
    enum gh_err err;

    owner_param(c, role, &name);
    gh_iam_str(c, "PolicyName", &gh_iam_shape_policy_name, true, &policy);
    gh_iam_str(c, "PolicyDocument", &gh_iam_shape_policy_document, true, &doc);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = owner_load(c, role, role ? "iam:PutRolePolicy" : "iam:PutUserPolicy", name, &o)) !=
        GH_OK)
        return err;
    if ((err = others_chars(c, &o, policy, &others)) != GH_OK)
        return err;
    if ((err = gh_iam_doc_check(c, role ? GH_IAM_DOC_ROLE_INLINE : GH_IAM_DOC_USER_INLINE, doc,
                                others, o.name)) != GH_OK)
        return err;
    return gh_store_inline_put(c->tx, o.id, policy, doc);
}

static enum gh_err
get(struct gh_call *c, bool role)
{
    struct gh_slice name, policy, doc;
    struct owner o;
    enum gh_err err;

    owner_param(c, role, &name);
    gh_iam_str(c, "PolicyName", &gh_iam_shape_policy_name, true, &policy);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = owner_load(c, role, role ? "iam:GetRolePolicy" : "iam:GetUserPolicy", name, &o)) !=
        GH_OK)
        return err;
    err = gh_store_inline_get(c->tx, c->arena, o.id, policy, &doc);
    if (err == GH_ERR_NOT_FOUND)
        return not_found(c, &o, policy);
    if (err != GH_OK)
        return err;
    gh_xml_elem(c->result, role ? "RoleName" : "UserName", o.name);
    gh_xml_elem(c->result, "PolicyName", policy);
    gh_iam_doc_render(c, "PolicyDocument", doc);
    return gh_buf_status(c->result);
}

static enum gh_err
del(struct gh_call *c, bool role)
{
    struct gh_slice name, policy;
    struct owner o;
    enum gh_err err;

    owner_param(c, role, &name);
    gh_iam_str(c, "PolicyName", &gh_iam_shape_policy_name, true, &policy);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = owner_load(c, role, role ? "iam:DeleteRolePolicy" : "iam:DeleteUserPolicy", name,
                          &o)) != GH_OK)
        return err;
    err = gh_store_inline_delete(c->tx, o.id, policy);
    return err == GH_ERR_NOT_FOUND ? not_found(c, &o, policy) : err;
}

static enum gh_err
list(struct gh_call *c, bool role)
{
    struct gh_slice name, *names;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct owner o;
    size_t n;
    enum gh_err err;

    owner_param(c, role, &name);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = owner_load(c, role, role ? "iam:ListRolePolicies" : "iam:ListUserPolicies", name,
                          &o)) != GH_OK)
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
    return put(c, false);
}

enum gh_err
gh_iam_GetUserPolicy(struct gh_call *c)
{
    return get(c, false);
}

enum gh_err
gh_iam_DeleteUserPolicy(struct gh_call *c)
{
    return del(c, false);
}

enum gh_err
gh_iam_ListUserPolicies(struct gh_call *c)
{
    return list(c, false);
}

enum gh_err
gh_iam_PutRolePolicy(struct gh_call *c)
{
    return put(c, true);
}

enum gh_err
gh_iam_GetRolePolicy(struct gh_call *c)
{
    return get(c, true);
}

enum gh_err
gh_iam_DeleteRolePolicy(struct gh_call *c)
{
    return del(c, true);
}

enum gh_err
gh_iam_ListRolePolicies(struct gh_call *c)
{
    return list(c, true);
}
