/*
 * tag.c: tags of users, roles and managed policies: Tag*, Untag* and
 * List*Tags.
 */
#include <stdio.h>

#include "iam/iam_ext.h"

enum kind {
    KIND_USER,
    KIND_ROLE,
    KIND_POLICY,
};

static const char *const kind_word[] = {"User", "Role", "Policy"};

/* Reads the entity parameter (UserName, RoleName or PolicyArn). */
static void
target_param(struct gh_call *c, enum kind k, struct gh_slice *out)
{
    if (k == KIND_USER)
        gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, true, out);
    else if (k == KIND_ROLE)
        gh_iam_str(c, "RoleName", &gh_iam_shape_role_name, true, out);
    else
        gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, out);
}

/* Authorizes `verb` ("Tag", "Untag", "List...Tags") on the entity; its unique id into *id. */
static enum gh_err
target_load(struct gh_call *c, enum kind k, const char *action, struct gh_slice v, bool write,
            struct gh_iam_keys *keys, struct gh_slice *id)
{
    struct gh_slice arn;
    struct gh_user u;
    struct gh_role r;
    struct gh_policy_rec p;
    enum gh_err found, err;

    if (k == KIND_USER) {
        if ((err = gh_iam_user_load_keys(c, action, v, keys, &u, &arn)) == GH_OK)
            *id = u.id;
        return err;
    }
    if (k == KIND_ROLE) {
        if ((err = gh_iam_role_load_keys(c, action, v, keys, &r, &arn)) == GH_OK)
            *id = r.id;
        return err;
    }
    found = gh_iam_policy_find(c, v, &p);
    if (found != GH_OK && found != GH_ERR_NOT_FOUND)
        return found;
    /* AWS IAM: a policy's tags answer iam:ResourceTag/KEY and aws:ResourceTag/KEY. */
    if (found == GH_OK && c->caller->type != GH_PRINCIPAL_ROOT &&
        (err = gh_iam_keys_resource_tags(c, keys, p.id)) != GH_OK)
        return err;
    if ((err = gh_iam_authorize(c, action, v, keys)) != GH_OK)
        return err;
    if (found == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Policy %.*s was not found.", GH_SP(v));
    if (write && gh_iam_policy_is_aws(v))
        /* AWS managed policies belong to AWS's account: nobody else changes them. */
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "User: %.*s is not authorized to perform: %s on resource: policy %.*s",
                            GH_SP(c->caller->arn), action, GH_SP(v));
    *id = p.id;
    return GH_OK;
}

static enum gh_err
tag(struct gh_call *c, enum kind k)
{
    struct gh_slice v, id;
    struct gh_iam_tags tags;
    struct gh_iam_keys keys = {0};
    char action[32];
    enum gh_err err;

    target_param(c, k, &v);
    if ((err = gh_iam_tags_read(c, "Tags", true, &tags)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    (void)snprintf(action, sizeof(action), "iam:Tag%s", kind_word[k]);
    /* AWS IAM: Tag* answers aws:RequestTag/KEY and aws:TagKeys. */
    if ((err = gh_iam_keys_request_tags(c, &keys, tags.items, tags.count)) != GH_OK ||
        (err = target_load(c, k, action, v, true, &keys, &id)) != GH_OK)
        return err;
    return gh_iam_rec_tag(c, id, &tags);
}

static enum gh_err
untag(struct gh_call *c, enum kind k)
{
    struct gh_slice v, id, *keys_in;
    struct gh_iam_keys keys = {0};
    size_t nkeys;
    char action[32];
    enum gh_err err;

    target_param(c, k, &v);
    if ((err = gh_iam_tag_keys_read(c, &keys_in, &nkeys)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    (void)snprintf(action, sizeof(action), "iam:Untag%s", kind_word[k]);
    /* AWS IAM: Untag* answers aws:TagKeys with the keys to remove. */
    if ((err = gh_iam_keys_tag_keys(c, &keys, keys_in, nkeys)) != GH_OK ||
        (err = target_load(c, k, action, v, true, &keys, &id)) != GH_OK)
        return err;
    return gh_iam_rec_untag(c, id, keys_in, nkeys);
}

static enum gh_err
list(struct gh_call *c, enum kind k)
{
    struct gh_slice v, id;
    struct gh_store_page page;
    struct gh_iam_keys keys = {0};
    char action[32];
    enum gh_err err;

    target_param(c, k, &v);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    (void)snprintf(action, sizeof(action), "iam:List%sTags", kind_word[k]);
    if ((err = target_load(c, k, action, v, false, &keys, &id)) != GH_OK)
        return err;
    /* At most 50 tags, so the marker is the index of the next one. */
    return gh_iam_rec_tags_list(c, id, &page);
}

enum gh_err
gh_iam_TagUser(struct gh_call *c)
{
    return tag(c, KIND_USER);
}

enum gh_err
gh_iam_UntagUser(struct gh_call *c)
{
    return untag(c, KIND_USER);
}

enum gh_err
gh_iam_ListUserTags(struct gh_call *c)
{
    return list(c, KIND_USER);
}

enum gh_err
gh_iam_TagRole(struct gh_call *c)
{
    return tag(c, KIND_ROLE);
}

enum gh_err
gh_iam_UntagRole(struct gh_call *c)
{
    return untag(c, KIND_ROLE);
}

enum gh_err
gh_iam_ListRoleTags(struct gh_call *c)
{
    return list(c, KIND_ROLE);
}

enum gh_err
gh_iam_TagPolicy(struct gh_call *c)
{
    return tag(c, KIND_POLICY);
}

enum gh_err
gh_iam_UntagPolicy(struct gh_call *c)
{
    return untag(c, KIND_POLICY);
}

enum gh_err
gh_iam_ListPolicyTags(struct gh_call *c)
{
    return list(c, KIND_POLICY);
}
