/*
 * group.c: IAM groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup,
 * ListGroups, memberships (AddUserToGroup, RemoveUserFromGroup,
 * ListGroupsForUser). A group's policies are in attach.c and inline.c.
 */
#include "iam/iam_int.h"

/* AWS IAM: groupNameType, 1..128 of [\w+=,.@-]. */
const struct gh_param_rule gh_iam_shape_group_name = {NULL, 1, 128, "[\\w+=,.@-]+", gh_iam_is_name};

enum gh_err
gh_iam_group_load(struct gh_call *c, const char *action, struct gh_slice name, struct gh_group *out,
                  struct gh_slice *arn)
{
    /* AWS IAM: NoSuchEntity "The group with name X cannot be found." */
    static const struct gh_iam_entity_kind kind = {"group", "The group with name ", false};
    enum gh_err found = gh_store_group_get(c->tx, c->arena, gh_iam_account(c), name, out);
    struct gh_iam_entity_ref e = {out->path, out->name, out->id, GH_SLICE_NULL};

    return gh_iam_entity_authorize(c, action, &kind, name, found, &e, NULL, arn);
}

/* The Group shape's members (Path, GroupName, GroupId, Arn, CreateDate). */
static enum gh_err
group_render(struct gh_call *c, const struct gh_group *g)
{
    struct gh_slice arn = gh_iam_arn(c, g->account, "group", g->path, g->name);

    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    gh_xml_elem(c->result, "Path", g->path);
    gh_xml_elem(c->result, "GroupName", g->name);
    gh_xml_elem(c->result, "GroupId", g->id);
    gh_xml_elem(c->result, "Arn", arn);
    gh_xml_elem_time(c->result, "CreateDate", g->created);
    return gh_buf_status(c->result);
}

/* <Groups><member>Group</member>...</Groups> */
static enum gh_err
groups_render(struct gh_call *c, const struct gh_group *gs, size_t n)
{
    enum gh_err err;

    gh_xml_open(c->result, "Groups");
    for (size_t i = 0; i < n; i++) {
        gh_xml_open(c->result, "member");
        if ((err = group_render(c, &gs[i])) != GH_OK)
            return err;
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "Groups");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_CreateGroup(struct gh_call *c)
{
    struct gh_slice name, path, arn, account = gh_iam_account(c);
    struct gh_group g;
    char id[32];
    enum gh_err err;

    gh_iam_str(c, "Path", &gh_iam_shape_path, false, &path);
    gh_iam_str(c, "GroupName", &gh_iam_shape_group_name, true, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if (path.ptr == NULL)
        path = GH_S("/");
    if ((arn = gh_iam_arn(c, account, "group", path, name)).ptr == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_call_authorize(c, "iam:CreateGroup", arn)) != GH_OK)
        return err;
    if ((err = gh_random_id("AGPA", 21, id)) != GH_OK)
        return err;
    g = (struct gh_group){
        .account = account,
        .name = name,
        .path = path,
        .id = gh_slice_from_cstr(id),
        .created = c->now,
    };
    err = gh_store_group_create(c->tx, &g);
    if (err == GH_ERR_EXISTS)
        /* AWS IAM: EntityAlreadyExists "Group with name X already exists." */
        return gh_call_fail(c, GH_ERR_EXISTS, "Group with name %.*s already exists.", GH_SP(name));
    if (err != GH_OK)
        return err;
    gh_xml_open(c->result, "Group");
    if ((err = group_render(c, &g)) != GH_OK)
        return err;
    gh_xml_close(c->result, "Group");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_GetGroup(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_user *users;
    struct gh_group g;
    size_t n;
    enum gh_err err;

    gh_iam_str(c, "GroupName", &gh_iam_shape_group_name, true, &name);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_group_load(c, "iam:GetGroup", name, &g, &arn)) != GH_OK)
        return err;
    if ((err = gh_store_group_members(c->tx, c->arena, g.id, &page, &users, &n, &more)) != GH_OK)
        return err;
    /* AWS IAM: GetGroupResult is Group, Users, IsTruncated, Marker. */
    gh_xml_open(c->result, "Group");
    if ((err = group_render(c, &g)) != GH_OK)
        return err;
    gh_xml_close(c->result, "Group");
    if ((err = gh_iam_users_render(c, users, n)) != GH_OK)
        return err;
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_UpdateGroup(struct gh_call *c)
{
    struct gh_slice name, new_name, new_path, arn;
    struct gh_group g;
    enum gh_err err;

    gh_iam_str(c, "GroupName", &gh_iam_shape_group_name, true, &name);
    gh_iam_str(c, "NewPath", &gh_iam_shape_path, false, &new_path);
    gh_iam_str(c, "NewGroupName", &gh_iam_shape_group_name, false, &new_name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_group_load(c, "iam:UpdateGroup", name, &g, &arn)) != GH_OK)
        return err;
    if (new_name.ptr != NULL || new_path.ptr != NULL) {
        /* AWS IAM: renaming or moving needs the permission on the new ARN too. */
        struct gh_slice to = gh_iam_arn(c, g.account, "group", new_path.ptr ? new_path : g.path,
                                        new_name.ptr ? new_name : g.name);
        if (to.ptr == NULL)
            return GH_ERR_NOMEM;
        if (!gh_slice_eq(to, arn) && (err = gh_call_authorize(c, "iam:UpdateGroup", to)) != GH_OK)
            return err;
    }
    err = gh_store_group_update(c->tx, g.account, g.name, new_name, new_path);
    if (err == GH_ERR_EXISTS)
        return gh_call_fail(c, GH_ERR_EXISTS, "Group with name %.*s already exists.",
                            GH_SP(new_name));
    return err;
}

enum gh_err
gh_iam_DeleteGroup(struct gh_call *c)
{
    struct gh_slice name, arn;
    size_t nmembers;
    struct gh_group g;
    enum gh_err err;

    gh_iam_str(c, "GroupName", &gh_iam_shape_group_name, true, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_group_load(c, "iam:DeleteGroup", name, &g, &arn)) != GH_OK)
        return err;
    if ((err = gh_store_group_member_count(c->tx, g.id, &nmembers)) != GH_OK)
        return err;
    /* AWS IAM: DeleteConflict, one dependent kind at a time. */
    if (nmembers > 0)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must remove users from group first.");
    if ((err = gh_iam_policies_conflict(c, g.id)) != GH_OK)
        return err;
    if ((err = gh_store_group_delete(c->tx, g.account, g.name)) != GH_OK)
        return err;
    return gh_store_entity_purge(c->tx, g.id);
}

enum gh_err
gh_iam_ListGroups(struct gh_call *c)
{
    struct gh_slice prefix;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_group *gs;
    size_t n;
    enum gh_err err;

    if ((err = gh_iam_path_list_begin(c, "iam:ListGroups", "group", &prefix, &page)) != GH_OK)
        return err;
    if ((err = gh_store_group_list(c->tx, c->arena, gh_iam_account(c), prefix, &page, &gs, &n,
                                   &more)) != GH_OK)
        return err;
    if ((err = groups_render(c, gs, n)) != GH_OK)
        return err;
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}

/* ---- memberships ---- */

/* Reads GroupName and UserName, authorizes `action` on the group, loads both. */
static enum gh_err
membership_load(struct gh_call *c, const char *action, struct gh_group *g, struct gh_user *u)
{
    struct gh_slice gname, uname, arn;
    enum gh_err err;

    gh_iam_str(c, "GroupName", &gh_iam_shape_group_name, true, &gname);
    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, true, &uname);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_group_load(c, action, gname, g, &arn)) != GH_OK)
        return err;
    err = gh_store_user_get(c->tx, c->arena, g->account, uname, u);
    if (err == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "The user with name %.*s cannot be found.",
                            GH_SP(uname));
    return err;
}

enum gh_err
gh_iam_AddUserToGroup(struct gh_call *c)
{
    struct gh_group g, *gs;
    struct gh_user u;
    size_t n;
    enum gh_err err;

    if ((err = membership_load(c, "iam:AddUserToGroup", &g, &u)) != GH_OK)
        return err;
    if ((err = gh_store_user_groups(c->tx, c->arena, u.id, NULL, &gs, &n, NULL)) != GH_OK)
        return err;
    for (size_t i = 0; i < n; i++)
        if (gh_slice_eq(gs[i].id, g.id))
            return GH_OK; /* AWS IAM: adding a member again changes nothing */
    if (n >= GH_IAM_GROUPS_PER_USER)
        /* AWS IAM: LimitExceeded "Cannot exceed quota for GroupsPerUser: 10" */
        return gh_call_fail(c, GH_ERR_LIMIT, "Cannot exceed quota for GroupsPerUser: %d",
                            GH_IAM_GROUPS_PER_USER);
    return gh_store_group_member_add(c->tx, g.id, u.id);
}

enum gh_err
gh_iam_RemoveUserFromGroup(struct gh_call *c)
{
    struct gh_group g;
    struct gh_user u;
    enum gh_err err;

    if ((err = membership_load(c, "iam:RemoveUserFromGroup", &g, &u)) != GH_OK)
        return err;
    err = gh_store_group_member_remove(c->tx, g.id, u.id);
    /* AWS IAM answers success when the user is not a member (observed:
     * cloud-custodian/cloud-custodian#4730, "there's no error returned"). */
    return err == GH_ERR_NOT_FOUND ? GH_OK : err;
}

enum gh_err
gh_iam_ListGroupsForUser(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_group *gs;
    struct gh_user u;
    size_t n;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, true, &name);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_user_load(c, "iam:ListGroupsForUser", name, &u, &arn)) != GH_OK)
        return err;
    if ((err = gh_store_user_groups(c->tx, c->arena, u.id, &page, &gs, &n, &more)) != GH_OK)
        return err;
    if ((err = groups_render(c, gs, n)) != GH_OK)
        return err;
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_user_groups_conflict(struct gh_call *c, struct gh_slice user_id)
{
    size_t n;
    enum gh_err err;

    if ((err = gh_store_user_group_count(c->tx, user_id, &n)) != GH_OK)
        return err;
    if (n > 0)
        /* AWS IAM: DeleteUser while the user is in a group. */
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must remove users from group first.");
    return GH_OK;
}
