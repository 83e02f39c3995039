/*
 * common.c: what every IAM action uses: ARNs, entity look-ups with
 * authorization, and the XML pieces shared by several responses.
 */
#include "iam/iam_int.h"

struct gh_slice
gh_iam_account(const struct gh_call *c)
{
    return gh_slice_from_cstr(c->caller->account);
}

struct gh_slice
gh_iam_arn(struct gh_call *c, struct gh_slice account, const char *kind, struct gh_slice path,
           struct gh_slice name)
{
    /* AWS IAM: arn:aws:iam::123456789012:user/division/name for path /division/. */
    char *s = gh_arena_printf(c->arena, "arn:aws:iam::%.*s:%s%.*s%.*s", GH_SP(account), kind,
                              GH_SP(path), GH_SP(name));

    return s != NULL ? gh_slice_from_cstr(s) : GH_SLICE_NULL;
}

struct gh_slice
gh_iam_list_arn(struct gh_call *c, const char *kind)
{
    /* AWS IAM: List* actions are authorized on the kind's root, e.g. arn:aws:iam::ACCT:user/ */
    return gh_iam_arn(c, gh_iam_account(c), kind, GH_S("/"), GH_S(""));
}

enum gh_err
gh_iam_path_list_begin(struct gh_call *c, const char *action, const char *kind,
                       struct gh_slice *prefix, struct gh_store_page *page)
{
    enum gh_err err;

    gh_iam_str(c, "PathPrefix", &gh_iam_shape_path_prefix, false, prefix);
    gh_call_page(c, page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if (prefix->ptr == NULL)
        *prefix = GH_S(""); /* every path */
    return gh_call_authorize(c, action, gh_iam_list_arn(c, kind));
}

enum gh_err
gh_iam_user_load(struct gh_call *c, const char *action, struct gh_slice name, struct gh_user *out,
                 struct gh_slice *arn)
{
    /* keys.c: with the entity's tags (and boundary) as condition keys. */
    return gh_iam_user_load_keys(c, action, name, NULL, out, arn);
}

enum gh_err
gh_iam_role_load(struct gh_call *c, const char *action, struct gh_slice name, struct gh_role *out,
                 struct gh_slice *arn)
{
    /* keys.c: with the entity's tags (and boundary) as condition keys. */
    return gh_iam_role_load_keys(c, action, name, NULL, out, arn);
}

void
gh_iam_doc_render(struct gh_call *c, const char *tag, struct gh_slice doc)
{
    /* AWS IAM: documents come back URL-encoded (RFC 3986), which is XML-safe as it is. */
    gh_xml_open(c->result, tag);
    if (gh_uri_encode(c->result, doc, false) != GH_OK)
        return; /* sticky in c->result; the handler's gh_buf_status reports it */
    gh_xml_close(c->result, tag);
}

void
gh_iam_boundary_render(struct gh_buf *b, struct gh_slice arn)
{
    if (arn.len == 0)
        return;
    gh_xml_open(b, "PermissionsBoundary");
    gh_xml_elem_cstr(b, "PermissionsBoundaryType", "PermissionsBoundaryPolicy");
    gh_xml_elem(b, "PermissionsBoundaryArn", arn);
    gh_xml_close(b, "PermissionsBoundary");
}

enum gh_err
gh_iam_user_render(struct gh_call *c, const struct gh_user *u, bool full,
                   const struct gh_store_tag *tags, size_t ntags)
{
    struct gh_slice arn = gh_iam_arn(c, u->account, "user", u->path, u->name);

    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    /* AWS IAM: the User shape's order; List* leaves out PermissionsBoundary and Tags. */
    gh_xml_elem(c->result, "Path", u->path);
    gh_xml_elem(c->result, "UserName", u->name);
    gh_xml_elem(c->result, "UserId", u->id);
    gh_xml_elem(c->result, "Arn", arn);
    gh_xml_elem_time(c->result, "CreateDate", u->created);
    if (u->password_last_used != 0)
        gh_xml_elem_time(c->result, "PasswordLastUsed", u->password_last_used);
    if (full) {
        gh_iam_boundary_render(c->result, u->boundary_arn);
        gh_iam_tags_render(c->result, tags, ntags, false);
    }
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_users_render(struct gh_call *c, const struct gh_user *users, size_t n)
{
    enum gh_err err;

    gh_xml_open(c->result, "Users");
    for (size_t i = 0; i < n; i++) {
        gh_xml_open(c->result, "member");
        if ((err = gh_iam_user_render(c, &users[i], false, NULL, 0)) != GH_OK)
            return err;
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "Users");
    return gh_buf_status(c->result);
}
