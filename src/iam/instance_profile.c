/*
 * instance_profile.c: instance profiles: CreateInstanceProfile,
 * GetInstanceProfile, DeleteInstanceProfile, ListInstanceProfiles, the
 * role a profile holds (AddRoleToInstanceProfile,
 * RemoveRoleFromInstanceProfile, ListInstanceProfilesForRole) and the
 * profile's tags.
 */
#include "iam/iam_ext.h"

/* AWS IAM: instanceProfileNameType, 1..128 of [\w+=,.@-]. */
const struct gh_param_rule gh_iam_shape_instance_profile_name = {NULL, 1, 128, "[\\w+=,.@-]+",
                                                                 gh_iam_is_name};

static void
name_param(struct gh_call *c, struct gh_slice *out)
{
    gh_iam_str(c, "InstanceProfileName", &gh_iam_shape_instance_profile_name, true, out);
}

/* As gh_iam_user_load, for instance profile `name`. */
static enum gh_err
profile_load(struct gh_call *c, const char *action, struct gh_slice name,
             struct gh_instance_profile *out, struct gh_slice *arn)
{
    /* AWS IAM: NoSuchEntity "Instance Profile X cannot be found." */
    static const struct gh_iam_entity_kind kind = {"instance-profile", "Instance Profile ", false};
    enum gh_err found =
        gh_store_instance_profile_get(c->tx, c->arena, gh_iam_account(c), name, out);
    struct gh_iam_entity_ref e = {out->path, out->name, out->id, GH_SLICE_NULL};

    return gh_iam_entity_authorize(c, action, &kind, name, found, &e, NULL, arn);
}

/*
 * The InstanceProfile shape: Path, InstanceProfileName, InstanceProfileId,
 * Arn, CreateDate, Roles, and Tags when `tags` is not NULL and not empty.
 */
static enum gh_err
profile_render(struct gh_call *c, const struct gh_instance_profile *p,
               const struct gh_store_tag *tags, size_t ntags)
{
    struct gh_slice arn = gh_iam_arn(c, p->account, "instance-profile", p->path, p->name);
    struct gh_role *roles;
    size_t nroles;
    enum gh_err err;

    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_store_instance_profile_roles(c->tx, c->arena, p->id, &roles, &nroles)) != GH_OK)
        return err;
    gh_xml_elem(c->result, "Path", p->path);
    gh_xml_elem(c->result, "InstanceProfileName", p->name);
    gh_xml_elem(c->result, "InstanceProfileId", p->id);
    gh_xml_elem(c->result, "Arn", arn);
    gh_xml_elem_time(c->result, "CreateDate", p->created);
    gh_xml_open(c->result, "Roles");
    for (size_t i = 0; i < nroles; i++) {
        gh_xml_open(c->result, "member");
        if ((err = gh_iam_role_held_render(c, &roles[i])) != GH_OK)
            return err;
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "Roles");
    gh_iam_tags_render(c->result, tags, ntags, false);
    return gh_buf_status(c->result);
}

static enum gh_err
profiles_render(struct gh_call *c, const struct gh_instance_profile *ps, size_t n)
{
    enum gh_err err;

    gh_xml_open(c->result, "InstanceProfiles");
    for (size_t i = 0; i < n; i++) {
        gh_xml_open(c->result, "member");
        if ((err = profile_render(c, &ps[i], NULL, 0)) != GH_OK)
            return err;
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "InstanceProfiles");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_CreateInstanceProfile(struct gh_call *c)
{
    struct gh_slice name, path, arn, account = gh_iam_account(c);
    struct gh_iam_tags tags;
    struct gh_instance_profile p;
    char id[32];
    enum gh_err err;

    name_param(c, &name);
    gh_iam_str(c, "Path", &gh_iam_shape_path, false, &path);
    if ((err = gh_iam_tags_read(c, "Tags", false, &tags)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if (path.ptr == NULL)
        path = GH_S("/");
    if ((arn = gh_iam_arn(c, account, "instance-profile", path, name)).ptr == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_call_authorize(c, "iam:CreateInstanceProfile", arn)) != GH_OK)
        return err;
    if ((err = gh_random_id("AIPA", 21, id)) != GH_OK)
        return err;
    p = (struct gh_instance_profile){
        .account = account,
        .name = name,
        .path = path,
        .id = gh_slice_from_cstr(id),
        .created = c->now,
    };
    err = gh_store_instance_profile_create(c->tx, &p);
    if (err == GH_ERR_EXISTS)
        /* AWS IAM: EntityAlreadyExists "Instance Profile X already exists." */
        return gh_call_fail(c, GH_ERR_EXISTS, "Instance Profile %.*s already exists.", GH_SP(name));
    if (err != GH_OK)
        return err;
    if (tags.count > 0 && (err = gh_store_tags_put(c->tx, p.id, tags.items, tags.count)) != GH_OK)
        return err;
    gh_xml_open(c->result, "InstanceProfile");
    if ((err = profile_render(c, &p, tags.items, tags.count)) != GH_OK)
        return err;
    gh_xml_close(c->result, "InstanceProfile");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_GetInstanceProfile(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_instance_profile p;
    struct gh_store_tag *tags;
    size_t ntags;
    enum gh_err err;

    name_param(c, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = profile_load(c, "iam:GetInstanceProfile", name, &p, &arn)) != GH_OK)
        return err;
    if ((err = gh_store_tags_list(c->tx, c->arena, p.id, &tags, &ntags)) != GH_OK)
        return err;
    gh_xml_open(c->result, "InstanceProfile");
    if ((err = profile_render(c, &p, tags, ntags)) != GH_OK)
        return err;
    gh_xml_close(c->result, "InstanceProfile");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_DeleteInstanceProfile(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_instance_profile p;
    struct gh_role *roles;
    size_t nroles;
    enum gh_err err;

    name_param(c, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = profile_load(c, "iam:DeleteInstanceProfile", name, &p, &arn)) != GH_OK)
        return err;
    if ((err = gh_store_instance_profile_roles(c->tx, c->arena, p.id, &roles, &nroles)) != GH_OK)
        return err;
    if (nroles > 0)
        /* AWS IAM: DeleteConflict while the profile holds a role. */
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must remove roles from instance profile first.");
    return gh_store_instance_profile_delete(c->tx, p.account, p.name);
}

enum gh_err
gh_iam_ListInstanceProfiles(struct gh_call *c)
{
    struct gh_slice prefix;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_instance_profile *ps;
    size_t n;
    enum gh_err err;

    if ((err = gh_iam_path_list_begin(c, "iam:ListInstanceProfiles", "instance-profile", &prefix,
                                      &page)) != GH_OK)
        return err;
    if ((err = gh_store_instance_profile_list(c->tx, c->arena, gh_iam_account(c), prefix, &page,
                                              &ps, &n, &more)) != GH_OK)
        return err;
    if ((err = profiles_render(c, ps, n)) != GH_OK)
        return err;
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}

/* Reads InstanceProfileName and RoleName; authorizes `action` on the profile; loads both. */
static enum gh_err
link_load(struct gh_call *c, const char *action, struct gh_instance_profile *p, struct gh_role *r)
{
    struct gh_slice pname, rname, arn;
    enum gh_err err;

    name_param(c, &pname);
    gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &rname);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = profile_load(c, action, pname, p, &arn)) != GH_OK)
        return err;
    err = gh_store_role_get(c->tx, c->arena, p->account, rname, r);
    if (err == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "The role with name %.*s cannot be found.",
                            GH_SP(rname));
    return err;
}

/*
 * AWS IAM AddRoleToInstanceProfile: "The caller of this operation must be
 * granted the PassRole permission on the IAM role by a permissions
 * policy", and for iam:AssociatedResourceArn "The ARN value must be
 * arn:aws:ec2:*:CallerAccountId:instance/" followed by "*" (any instance
 * of any Region; the value set below). A profile's role is passed to
 * EC2, hence iam:PassedToService. Without this, whoever may edit a profile
 * could put any role (an administrator's) in it and run an instance as it.
 */
static enum gh_err
pass_role(struct gh_call *c, const struct gh_role *r)
{
    struct gh_slice arn = gh_iam_arn(c, r->account, "role", r->path, r->name);
    char *inst = gh_arena_printf(c->arena, "arn:aws:ec2:*:%.*s:instance/*", GH_SP(r->account));
    struct gh_api_key keys[2];
    struct gh_api_keys extra = {keys, 2};

    if (arn.ptr == NULL || inst == NULL)
        return GH_ERR_NOMEM;
    keys[0] = (struct gh_api_key){GH_S("iam:PassedToService"), GH_PT_STRING,
                                  GH_S("ec2.amazonaws.com"), false};
    keys[1] = (struct gh_api_key){GH_S("iam:AssociatedResourceArn"), GH_PT_ARN,
                                  gh_slice_from_cstr(inst), false};
    return gh_call_authorize_ctx(c, "iam:PassRole", arn, &extra);
}

enum gh_err
gh_iam_AddRoleToInstanceProfile(struct gh_call *c)
{
    struct gh_instance_profile p;
    struct gh_role r, *roles;
    size_t nroles;
    enum gh_err err;

    if ((err = link_load(c, "iam:AddRoleToInstanceProfile", &p, &r)) != GH_OK)
        return err;
    if ((err = pass_role(c, &r)) != GH_OK)
        return err;
    if ((err = gh_store_instance_profile_roles(c->tx, c->arena, p.id, &roles, &nroles)) != GH_OK)
        return err;
    if (nroles >= GH_IAM_ROLES_PER_INSTANCE_PROFILE)
        /* AWS IAM: one role per profile, even the same role again:
         * LimitExceeded "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1" */
        return gh_call_fail(c, GH_ERR_LIMIT,
                            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d",
                            GH_IAM_ROLES_PER_INSTANCE_PROFILE);
    return gh_store_instance_profile_role_add(c->tx, p.id, r.id);
}

enum gh_err
gh_iam_RemoveRoleFromInstanceProfile(struct gh_call *c)
{
    struct gh_instance_profile p;
    struct gh_role r;
    enum gh_err err;

    if ((err = link_load(c, "iam:RemoveRoleFromInstanceProfile", &p, &r)) != GH_OK)
        return err;
    err = gh_store_instance_profile_role_remove(c->tx, p.id, r.id);
    if (err == GH_ERR_NOT_FOUND)
        /* AWS IAM: NoSuchEntity when the role is not in the profile. */
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "The role with name %.*s cannot be found.",
                            GH_SP(r.name));
    return err;
}

enum gh_err
gh_iam_ListInstanceProfilesForRole(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_instance_profile *ps;
    struct gh_role r;
    size_t n;
    enum gh_err err;

    gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, &name);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_role_load(c, "iam:ListInstanceProfilesForRole", name, &r, &arn)) != GH_OK)
        return err;
    if ((err = gh_store_role_instance_profiles(c->tx, c->arena, r.id, &page, &ps, &n, &more)) !=
        GH_OK)
        return err;
    if ((err = profiles_render(c, ps, n)) != GH_OK)
        return err;
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_role_profiles_conflict(struct gh_call *c, struct gh_slice role_id)
{
    size_t n;
    enum gh_err err;

    if ((err = gh_store_role_instance_profile_count(c->tx, role_id, &n)) != GH_OK)
        return err;
    if (n > 0)
        /* AWS IAM: DeleteRole while the role is in an instance profile. */
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must remove roles from instance profile first.");
    return GH_OK;
}

/* ---- tags ---- */

enum gh_err
gh_iam_TagInstanceProfile(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_iam_tags tags;
    struct gh_instance_profile p;
    enum gh_err err;

    name_param(c, &name);
    if ((err = gh_iam_tags_read(c, "Tags", true, &tags)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = profile_load(c, "iam:TagInstanceProfile", name, &p, &arn)) != GH_OK)
        return err;
    return gh_iam_rec_tag(c, p.id, &tags);
}

enum gh_err
gh_iam_UntagInstanceProfile(struct gh_call *c)
{
    struct gh_slice name, arn, *keys;
    struct gh_instance_profile p;
    size_t nkeys;
    enum gh_err err;

    name_param(c, &name);
    if ((err = gh_iam_tag_keys_read(c, &keys, &nkeys)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = profile_load(c, "iam:UntagInstanceProfile", name, &p, &arn)) != GH_OK)
        return err;
    return gh_iam_rec_untag(c, p.id, keys, nkeys);
}

enum gh_err
gh_iam_ListInstanceProfileTags(struct gh_call *c)
{
    struct gh_slice name, arn;
    struct gh_store_page page;
    struct gh_instance_profile p;
    enum gh_err err;

    name_param(c, &name);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = profile_load(c, "iam:ListInstanceProfileTags", name, &p, &arn)) != GH_OK)
        return err;
    return gh_iam_rec_tags_list(c, p.id, &page);
}
