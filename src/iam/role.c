/*
 * role.c: CreateRole, GetRole, UpdateRole, UpdateRoleDescription,
 * UpdateAssumeRolePolicy, DeleteRole and ListRoles.
 */
#include "iam/iam_int.h"

/* Which response a Role element is for: AWS leaves out different members in each. */
enum role_view {
    ROLE_CREATED, /* CreateRole: no MaxSessionDuration, no RoleLastUsed */
    ROLE_FULL,    /* GetRole, UpdateRoleDescription */
    ROLE_LISTED,  /* ListRoles: no PermissionsBoundary, Tags or RoleLastUsed */
    ROLE_HELD,    /* inside an InstanceProfile: up to AssumeRolePolicyDocument only */
};

/*
 * AWS IAM "Principal" element: "When you save the policy, AWS transforms
 * the ARN to a unique principal ID": binds the user and role ARNs of trust
 * policy `doc` (already checked by gh_iam_doc_check) to their entities.
 * One that names no existing user or role is refused:
 * MalformedPolicyDocument "Invalid principal in policy: "AWS":"ARN"".
 */
static enum gh_err
trust_bind(struct gh_call *c, struct gh_slice doc, struct gh_slice *bind)
{
    struct gh_policy *p = NULL;
    struct gh_diag diag;
    struct gh_slice bad;
    enum gh_err err;

    gh_diag_clear(&diag);
    if ((err = gh_policy_compile(doc, GH_POLICY_TRUST, &diag, &p)) != GH_OK)
        return err == GH_ERR_NOMEM ? err : GH_ERR_INTERNAL; /* validated before */
    err = gh_api_principals_bind(c->tx, c->arena, p, bind, &bad);
    gh_policy_unref(p);
    if (err == GH_ERR_MALFORMED_POLICY)
        return gh_call_fail(c, err, "Invalid principal in policy: \"AWS\":\"%.*s\"", GH_SP(bad));
    return err;
}

enum gh_err
gh_iam_trust_render(struct gh_call *c, const struct gh_role *r)
{
    struct gh_slice doc;
    enum gh_err err;

    /* AWS IAM: a bound principal shows as its current ARN, or as its unique
     * id once deleted; the trust policy comes URL-encoded. */
    if ((err = gh_api_principals_render(c->tx, c->arena, r->trust_policy, r->trust_bind, &doc)) !=
        GH_OK)
        return err;
    gh_iam_doc_render(c, "AssumeRolePolicyDocument", doc);
    return gh_buf_status(c->result);
}

static enum gh_err
role_render(struct gh_call *c, const struct gh_role *r, enum role_view view,
            const struct gh_store_tag *tags, size_t ntags)
{
    struct gh_slice arn = gh_iam_arn(c, r->account, "role", r->path, r->name);
    struct gh_buf *b = c->result;
    enum gh_err err;

    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    gh_xml_elem(b, "Path", r->path);
    gh_xml_elem(b, "RoleName", r->name);
    gh_xml_elem(b, "RoleId", r->id);
    gh_xml_elem(b, "Arn", arn);
    gh_xml_elem_time(b, "CreateDate", r->created);
    if ((err = gh_iam_trust_render(c, r)) != GH_OK)
        return err;
    if (view == ROLE_HELD)
        return gh_buf_status(b);
    if (r->description.len > 0)
        gh_xml_elem(b, "Description", r->description);
    if (view != ROLE_CREATED)
        gh_xml_elem_int(b, "MaxSessionDuration", r->max_session_s);
    if (view != ROLE_LISTED) {
        gh_iam_boundary_render(b, r->boundary_arn);
        gh_iam_tags_render(b, tags, ntags, false);
    }
    if (view == ROLE_FULL) {
        /* AWS IAM: RoleLastUsed is always there, empty until the role is first used. */
        gh_xml_open(b, "RoleLastUsed");
        if (r->last_used != 0) {
            gh_xml_elem_time(b, "LastUsedDate", r->last_used);
            gh_xml_elem(b, "Region", r->last_used_region);
        }
        gh_xml_close(b, "RoleLastUsed");
    }
    return gh_buf_status(b);
}

enum gh_err
gh_iam_role_held_render(struct gh_call *c, const struct gh_role *r)
{
    return role_render(c, r, ROLE_HELD, NULL, 0);
}

static enum gh_err
role_render_full(struct gh_call *c, const struct gh_role *r)
{
    struct gh_store_tag *tags;
    size_t ntags;
    enum gh_err err;

    if ((err = gh_store_tags_list(c->tx, c->arena, r->id, &tags, &ntags)) != GH_OK)
        return err;
    gh_xml_open(c->result, "Role");
    if ((err = role_render(c, r, ROLE_FULL, tags, ntags)) != GH_OK)
        return err;
    gh_xml_close(c->result, "Role");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_CreateRole(struct gh_call *c)
{
    struct gh_slice name, path, doc, desc, boundary, arn, bind, account = gh_iam_account(c);
    struct gh_iam_tags tags;
    int64_t max_s;
    bool has_max;
    struct gh_role r;
    char id[32];
    enum gh_err err;

    gh_iam_str(c, "Path", &gh_iam_shape_path, false, &path);
    gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    gh_iam_str(c, "AssumeRolePolicyDocument", &gh_iam_shape_policy_document, true, &doc);
    gh_iam_str(c, "Description", &gh_iam_shape_role_description, false, &desc);
    /* AWS IAM: roleMaxSessionDurationType 3600..43200 seconds. */
    gh_call_int(c, "MaxSessionDuration", "maxSessionDuration", 3600, 43200, false, &max_s,
                &has_max);
    gh_iam_str(c, "PermissionsBoundary", &gh_iam_shape_arn, false, &boundary);
    if ((err = gh_iam_tags_read(c, "Tags", false, &tags)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_create_authorize(c, "iam:CreateRole", "role", name, &tags, boundary, &path,
                                       &arn)) != GH_OK)
        return err;
    if ((err = gh_iam_doc_check(c, GH_IAM_DOC_TRUST, doc, 0, name)) != GH_OK ||
        (err = trust_bind(c, doc, &bind)) != GH_OK)
        return err;
    if ((err = gh_iam_boundary_check(c, boundary)) != GH_OK)
        return err;
    if ((err = gh_random_id("AROA", 21, id)) != GH_OK)
        return err;
    r = (struct gh_role){
        .account = account,
        .name = name,
        .path = path,
        .id = gh_slice_from_cstr(id),
        .trust_policy = doc,
        .trust_bind = bind,
        .description = desc.ptr != NULL ? desc : GH_S(""),
        .boundary_arn = boundary.ptr != NULL ? boundary : GH_S(""),
        .max_session_s = has_max ? max_s : 3600,
        .created = c->now,
        .last_used_region = GH_S(""),
    };
    err = gh_store_role_create(c->tx, &r);
    if (err == GH_ERR_EXISTS)
        /* AWS IAM: EntityAlreadyExists "Role with name X already exists." */
        return gh_call_fail(c, GH_ERR_EXISTS, "Role with name %.*s already exists.", GH_SP(name));
    if (err != GH_OK)
        return err;
    if (tags.count > 0 && (err = gh_store_tags_put(c->tx, r.id, tags.items, tags.count)) != GH_OK)
        return err;
    gh_xml_open(c->result, "Role");
    if ((err = role_render(c, &r, ROLE_CREATED, tags.items, tags.count)) != GH_OK)
        return err;
    gh_xml_close(c->result, "Role");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_GetRole(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_role r;
    enum gh_err err;

    gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_role_load(c, "iam:GetRole", name, &r, &arn)) != GH_OK)
        return err;
    return role_render_full(c, &r);
}

enum gh_err
gh_iam_UpdateRole(struct gh_call *c)
{
    struct gh_slice name, desc, arn;
    int64_t max_s;
    bool has_max;
    struct gh_role r;
    enum gh_err err;

    gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    gh_iam_str(c, "Description", &gh_iam_shape_role_description, false, &desc);
    gh_call_int(c, "MaxSessionDuration", "maxSessionDuration", 3600, 43200, false, &max_s,
                &has_max);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_role_load(c, "iam:UpdateRole", name, &r, &arn)) != GH_OK)
        return err;
    if (desc.ptr != NULL)
        r.description = desc;
    if (has_max)
        r.max_session_s = max_s;
    return gh_store_role_update(c->tx, &r);
}

enum gh_err
gh_iam_UpdateRoleDescription(struct gh_call *c)
{
    struct gh_slice name, desc, arn;
    struct gh_role r;
    enum gh_err err;

    gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    gh_iam_str(c, "Description", &gh_iam_shape_role_description, true, &desc);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_role_load(c, "iam:UpdateRoleDescription", name, &r, &arn)) != GH_OK)
        return err;
    r.description = desc;
    if ((err = gh_store_role_update(c->tx, &r)) != GH_OK)
        return err;
    return role_render_full(c, &r);
}

enum gh_err
gh_iam_UpdateAssumeRolePolicy(struct gh_call *c)
{
    struct gh_slice name, doc, arn, bind;
    struct gh_role r;
    enum gh_err err;

    gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    gh_iam_str(c, "PolicyDocument", &gh_iam_shape_policy_document, true, &doc);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_role_load(c, "iam:UpdateAssumeRolePolicy", name, &r, &arn)) != GH_OK)
        return err;
    if ((err = gh_iam_doc_check(c, GH_IAM_DOC_TRUST, doc, 0, r.name)) != GH_OK ||
        (err = trust_bind(c, doc, &bind)) != GH_OK)
        return err;
    r.trust_policy = doc;
    r.trust_bind = bind;
    return gh_store_role_update(c->tx, &r);
}

enum gh_err
gh_iam_DeleteRole(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_role r;
    enum gh_err err;

    gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_role_load(c, "iam:DeleteRole", name, &r, &arn)) != GH_OK)
        return err;
    /* AWS IAM: DeleteConflict, instance profiles first, then managed
     * policies, then inline ones. */
    if ((err = gh_iam_role_profiles_conflict(c, r.id)) != GH_OK ||
        (err = gh_iam_policies_conflict(c, r.id)) != GH_OK)
        return err;
    if ((err = gh_store_role_delete(c->tx, r.account, r.name)) != GH_OK)
        return err;
    return gh_store_entity_purge(c->tx, r.id); /* its tags */
}

enum gh_err
gh_iam_ListRoles(struct gh_call *c)
{
    struct gh_slice prefix;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_role *roles;
    size_t n;
    enum gh_err err;

    if ((err = gh_iam_path_list_begin(c, "iam:ListRoles", "role", &prefix, &page)) != GH_OK)
        return err;
    if ((err = gh_store_role_list(c->tx, c->arena, gh_iam_account(c), prefix, &page, &roles, &n,
                                  &more)) != GH_OK)
        return err;
    gh_xml_open(c->result, "Roles");
    for (size_t i = 0; i < n; i++) {
        gh_xml_open(c->result, "member");
        if ((err = role_render(c, &roles[i], ROLE_LISTED, NULL, 0)) != GH_OK)
            return err;
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "Roles");
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}
