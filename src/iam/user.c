/*
 * user.c: CreateUser, GetUser, UpdateUser, DeleteUser and ListUsers.
 */
#include "iam/iam_ext.h"

enum gh_err
gh_iam_CreateUser(struct gh_call *c)
{
    struct gh_slice name, path, boundary, arn, account = gh_iam_account(c);
    struct gh_iam_tags tags;
    struct gh_user u;
    char id[32];
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_user_name, true, &name);
    gh_iam_str(c, "Path", &gh_iam_shape_path, false, &path);
    gh_iam_str(c, "PermissionsBoundary", &gh_iam_shape_arn, false, &boundary);
    if ((err = gh_iam_tags_read(c, "Tags", false, &tags)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_create_authorize(c, "iam:CreateUser", "user", name, &tags, boundary, &path,
                                       &arn)) != GH_OK)
        return err;
    if ((err = gh_iam_boundary_check(c, boundary)) != GH_OK)
        return err;
    if ((err = gh_random_id("AIDA", 21, id)) != GH_OK)
        return err;
    u = (struct gh_user){
        .account = account,
        .name = name,
        .path = path,
        .id = gh_slice_from_cstr(id),
        .boundary_arn = boundary.ptr != NULL ? boundary : GH_S(""),
        .created = c->now,
    };
    err = gh_store_user_create(c->tx, &u);
    if (err == GH_ERR_EXISTS)
        /* AWS IAM: EntityAlreadyExists "User with name X already exists." */
        return gh_call_fail(c, GH_ERR_EXISTS, "User with name %.*s already exists.", GH_SP(name));
    if (err != GH_OK)
        return err;
    if (tags.count > 0 && (err = gh_store_tags_put(c->tx, u.id, tags.items, tags.count)) != GH_OK)
        return err;
    gh_xml_open(c->result, "User");
    if ((err = gh_iam_user_render(c, &u, true, tags.items, tags.count)) != GH_OK)
        return err;
    gh_xml_close(c->result, "User");
    return gh_buf_status(c->result);
}

/* The account root as GetUser shows it: no Path or UserName, the account id as UserId. */
static enum gh_err
root_render(struct gh_call *c)
{
    struct gh_access_key *keys;
    size_t n;
    int64_t created = c->now;
    enum gh_err err;

    if ((err = gh_call_authorize(c, "iam:GetUser", c->caller->arn)) != GH_OK)
        return err;
    /* The store keeps no account creation date yet; the root's first key is made with the
     * account at bootstrap, so its date is the account's. */
    if ((err = gh_store_access_key_list(c->tx, c->arena, gh_iam_account(c), GH_S(""), &keys, &n)) !=
        GH_OK)
        return err;
    for (size_t i = 0; i < n; i++)
        if (keys[i].created < created)
            created = keys[i].created;
    gh_xml_open(c->result, "User");
    gh_xml_elem(c->result, "UserId", gh_iam_account(c));
    gh_xml_elem(c->result, "Arn", c->caller->arn);
    gh_xml_elem_time(c->result, "CreateDate", created);
    gh_xml_close(c->result, "User");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_GetUser(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_store_tag *tags;
    size_t ntags;
    struct gh_user u;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, false, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if (name.ptr == NULL) {
        /* AWS IAM: without UserName, the user whose key signed the request. */
        if (c->caller->type == GH_PRINCIPAL_ROOT)
            return root_render(c);
        if (c->caller->type != GH_PRINCIPAL_USER)
            return gh_call_fail(c, GH_ERR_VALIDATION,
                                "Must specify userName when calling with non-User credentials");
        name = c->caller->name;
    }
    if ((err = gh_iam_user_load(c, "iam:GetUser", name, &u, &arn)) != GH_OK)
        return err;
    if ((err = gh_store_tags_list(c->tx, c->arena, u.id, &tags, &ntags)) != GH_OK)
        return err;
    gh_xml_open(c->result, "User");
    if ((err = gh_iam_user_render(c, &u, true, tags, ntags)) != GH_OK)
        return err;
    gh_xml_close(c->result, "User");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_UpdateUser(struct gh_call *c)
{
    struct gh_slice name, new_name, new_path, arn;
    struct gh_user u;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, true, &name);
    gh_iam_str(c, "NewPath", &gh_iam_shape_path, false, &new_path);
    gh_iam_str(c, "NewUserName", &gh_iam_shape_user_name, false, &new_name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_user_load(c, "iam:UpdateUser", name, &u, &arn)) != GH_OK)
        return err;
    err = gh_store_user_update(c->tx, u.account, u.name, new_name, new_path);
    if (err == GH_ERR_EXISTS)
        return gh_call_fail(c, GH_ERR_EXISTS, "User with name %.*s already exists.",
                            GH_SP(new_name));
    return err;
}

enum gh_err
gh_iam_DeleteUser(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_access_key *keys;
    size_t nkeys;
    struct gh_user u;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, true, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_user_load(c, "iam:DeleteUser", name, &u, &arn)) != GH_OK)
        return err;
    if ((err = gh_store_access_key_list(c->tx, c->arena, u.account, u.name, &keys, &nkeys)) !=
        GH_OK)
        return err;
    /* AWS IAM: DeleteConflict, one dependent kind at a time (the password first). */
    if ((err = gh_iam_user_credentials_conflict(c, &u)) != GH_OK)
        return err;
    if (nkeys > 0)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must delete access keys first.");
    if ((err = gh_iam_policies_conflict(c, u.id)) != GH_OK ||
        (err = gh_iam_user_groups_conflict(c, u.id)) != GH_OK)
        return err;
    return gh_store_user_delete(c->tx, u.account, u.name);
}

enum gh_err
gh_iam_ListUsers(struct gh_call *c)
{
    struct gh_slice prefix;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_user *users;
    size_t n;
    enum gh_err err;

    if ((err = gh_iam_path_list_begin(c, "iam:ListUsers", "user", &prefix, &page)) != GH_OK)
        return err;
    if ((err = gh_store_user_list(c->tx, c->arena, gh_iam_account(c), prefix, &page, &users, &n,
                                  &more)) != GH_OK)
        return err;
    if ((err = gh_iam_users_render(c, users, n)) != GH_OK)
        return err;
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}
