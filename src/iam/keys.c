/*
 * keys.c: the service condition keys IAM actions put in their request
 * context (aws:RequestTag/KEY, aws:TagKeys, iam:PolicyARN,
 * iam:PermissionsBoundary, iam:ResourceTag/KEY ...) and the entity
 * look-ups that authorize with them.
 */
#include <string.h>

#include "iam/iam_int.h"

/* AWS IAM: 50 tags per request and per entity, each giving two keys, plus a few singles. */
#define KEYS_MAX (GH_IAM_TAGS_MAX * 4 + 8)

enum gh_err
gh_iam_keys_add(struct gh_call *c, struct gh_iam_keys *k, struct gh_slice key,
                enum gh_policy_type type, struct gh_slice value, bool empty)
{
    if (k->items == NULL &&
        (k->items = gh_arena_alloc(c->arena, KEYS_MAX * sizeof(*k->items))) == NULL)
        return GH_ERR_NOMEM;
    if (k->count == KEYS_MAX)
        return GH_ERR_LIMIT;
    k->items[k->count++] = (struct gh_api_key){key, type, value, empty};
    return GH_OK;
}

static bool
has_key(const struct gh_iam_keys *k, const char *key)
{
    for (size_t i = 0; k != NULL && i < k->count; i++)
        if (gh_slice_case_eq(k->items[i].key, gh_slice_from_cstr(key)))
            return true;
    return false;
}

/* "PREFIX/KEY" in the arena. */
static enum gh_err
tag_key(struct gh_call *c, const char *prefix, struct gh_slice tag, struct gh_slice *out)
{
    char *s = gh_arena_printf(c->arena, "%s/%.*s", prefix, GH_SP(tag));

    if (s == NULL)
        return GH_ERR_NOMEM;
    *out = gh_slice_from_cstr(s);
    return GH_OK;
}

enum gh_err
gh_iam_keys_request_tags(struct gh_call *c, struct gh_iam_keys *k, const struct gh_store_tag *tags,
                         size_t n)
{
    enum gh_err err;

    /* AWS IAM "Controlling access during AWS requests": aws:RequestTag/KEY
     * for each tag in the request, aws:TagKeys with all their keys. With no
     * tags in the request neither key is present. */
    for (size_t i = 0; i < n; i++) {
        struct gh_slice key;
        if ((err = tag_key(c, "aws:RequestTag", tags[i].key, &key)) != GH_OK ||
            (err = gh_iam_keys_add(c, k, key, GH_PT_STRING, tags[i].value, false)) != GH_OK ||
            (err = gh_iam_keys_add(c, k, GH_S("aws:TagKeys"), GH_PT_STRING, tags[i].key, false)) !=
                GH_OK)
            return err;
    }
    return GH_OK;
}

enum gh_err
gh_iam_keys_tag_keys(struct gh_call *c, struct gh_iam_keys *k, const struct gh_slice *keys,
                     size_t n)
{
    enum gh_err err;

    for (size_t i = 0; i < n; i++)
        if ((err = gh_iam_keys_add(c, k, GH_S("aws:TagKeys"), GH_PT_STRING, keys[i], false)) !=
            GH_OK)
            return err;
    return GH_OK;
}

enum gh_err
gh_iam_keys_resource_tags(struct gh_call *c, struct gh_iam_keys *k, struct gh_slice entity_id)
{
    struct gh_store_tag *tags;
    size_t n;
    enum gh_err err;

    if ((err = gh_api_entity_tags(c, gh_iam_account(c), entity_id, &tags, &n)) != GH_OK)
        return err;
    /* AWS IAM: users, roles and policies answer both iam:ResourceTag/KEY and
     * aws:ResourceTag/KEY with their tags. */
    for (size_t i = 0; i < n; i++) {
        struct gh_slice iam_key, aws_key;
        if ((err = tag_key(c, "iam:ResourceTag", tags[i].key, &iam_key)) != GH_OK ||
            (err = tag_key(c, "aws:ResourceTag", tags[i].key, &aws_key)) != GH_OK ||
            (err = gh_iam_keys_add(c, k, iam_key, GH_PT_STRING, tags[i].value, false)) != GH_OK ||
            (err = gh_iam_keys_add(c, k, aws_key, GH_PT_STRING, tags[i].value, false)) != GH_OK)
            return err;
    }
    return GH_OK;
}

enum gh_err
gh_iam_authorize(struct gh_call *c, const char *action, struct gh_slice resource,
                 const struct gh_iam_keys *k)
{
    struct gh_api_keys keys = {k != NULL ? k->items : NULL, k != NULL ? k->count : 0};

    if (resource.ptr == NULL)
        return GH_ERR_NOMEM; /* an ARN the arena could not build */
    return gh_call_authorize_ctx(c, action, resource, &keys);
}

enum gh_err
gh_iam_create_authorize(struct gh_call *c, const char *action, const char *kind,
                        struct gh_slice name, const struct gh_iam_tags *tags,
                        struct gh_slice boundary, struct gh_slice *path, struct gh_slice *arn)
{
    struct gh_iam_keys keys = {0};
    enum gh_err err;

    if (path->ptr == NULL)
        *path = GH_S("/");
    if ((*arn = gh_iam_arn(c, gh_iam_account(c), kind, *path, name)).ptr == NULL)
        return GH_ERR_NOMEM;
    /* AWS IAM: Create* answers aws:RequestTag/KEY, aws:TagKeys and (users, roles)
     * iam:PermissionsBoundary. */
    if ((err = gh_iam_keys_request_tags(c, &keys, tags->items, tags->count)) != GH_OK ||
        (boundary.ptr != NULL && (err = gh_iam_keys_add(c, &keys, GH_S("iam:PermissionsBoundary"),
                                                        GH_PT_ARN, boundary, false)) != GH_OK))
        return err;
    return gh_iam_authorize(c, action, *arn, &keys);
}

/*
 * AWS IAM (service authorization reference): the actions on an existing
 * user or role that answer iam:PermissionsBoundary with its current one.
 */
static bool
takes_boundary(const char *action)
{
    static const char *const actions[] = {
        "iam:AttachUserPolicy",
        "iam:DetachUserPolicy",
        "iam:PutUserPolicy",
        "iam:DeleteUserPolicy",
        "iam:DeleteUserPermissionsBoundary",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:DeleteRolePermissionsBoundary",
    };

    for (size_t i = 0; i < GH_ARRAY_LEN(actions); i++)
        if (strcmp(actions[i], action) == 0)
            return true;
    return false;
}

/* The keys of an action on an existing entity: `extra`, its tags, its boundary. */
static enum gh_err
entity_keys(struct gh_call *c, const char *action, const struct gh_iam_keys *extra,
            struct gh_slice id, struct gh_slice boundary, struct gh_iam_keys *out)
{
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    if (c->caller->type == GH_PRINCIPAL_ROOT)
        return GH_OK; /* root is not decided by policies: skip the tag read */
    for (size_t i = 0; extra != NULL && i < extra->count; i++)
        if ((err = gh_iam_keys_add(c, out, extra->items[i].key, extra->items[i].type,
                                   extra->items[i].value, extra->items[i].empty)) != GH_OK)
            return err;
    if ((err = gh_iam_keys_resource_tags(c, out, id)) != GH_OK)
        return err;
    if (boundary.len > 0 && takes_boundary(action) && !has_key(extra, "iam:PermissionsBoundary"))
        return gh_iam_keys_add(c, out, GH_S("iam:PermissionsBoundary"), GH_PT_ARN, boundary, false);
    return GH_OK;
}

enum gh_err
gh_iam_entity_authorize(struct gh_call *c, const char *action, const struct gh_iam_entity_kind *k,
                        struct gh_slice name, enum gh_err found, const struct gh_iam_entity_ref *e,
                        const struct gh_iam_keys *extra, struct gh_slice *arn)
{
    struct gh_slice account = gh_iam_account(c);
    struct gh_iam_keys keys = {0};
    enum gh_err err;

    if (found == GH_OK) {
        *arn = gh_iam_arn(c, account, k->arn_type, e->path, e->name);
        if (k->keyed && (err = entity_keys(c, action, extra, e->id, e->boundary, &keys)) != GH_OK)
            return err;
    } else if (found == GH_ERR_NOT_FOUND) {
        *arn = gh_iam_arn(c, account, k->arn_type, GH_S("/"), name);
        if (extra != NULL)
            keys = *extra;
    } else {
        return found;
    }
    if (arn->ptr == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_iam_authorize(c, action, *arn, &keys)) != GH_OK)
        return err;
    if (found == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "%s%.*s cannot be found.", k->missing,
                            GH_SP(name));
    return GH_OK;
}

enum gh_err
gh_iam_user_load_keys(struct gh_call *c, const char *action, struct gh_slice name,
                      const struct gh_iam_keys *extra, struct gh_user *out, struct gh_slice *arn)
{
    /* AWS IAM: NoSuchEntity "The user with name X cannot be found." */
    static const struct gh_iam_entity_kind kind = {"user", "The user with name ", true};
    enum gh_err found = gh_store_user_get(c->tx, c->arena, gh_iam_account(c), name, out);
    struct gh_iam_entity_ref e = {out->path, out->name, out->id, out->boundary_arn};

    return gh_iam_entity_authorize(c, action, &kind, name, found, &e, extra, arn);
}

enum gh_err
gh_iam_role_load_keys(struct gh_call *c, const char *action, struct gh_slice name,
                      const struct gh_iam_keys *extra, struct gh_role *out, struct gh_slice *arn)
{
    /* AWS IAM: NoSuchEntity "The role with name X cannot be found." */
    static const struct gh_iam_entity_kind kind = {"role", "The role with name ", true};
    enum gh_err found = gh_store_role_get(c->tx, c->arena, gh_iam_account(c), name, out);
    struct gh_iam_entity_ref e = {out->path, out->name, out->id, out->boundary_arn};

    return gh_iam_entity_authorize(c, action, &kind, name, found, &e, extra, arn);
}
