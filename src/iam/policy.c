/*
 * policy.c: managed policies: CreatePolicy, GetPolicy, DeletePolicy,
 * ListPolicies and GetPolicyVersion, and the policy look-up by ARN that
 * attachments share.
 */
#include "iam/iam_int.h"

/* The account part of "arn:aws:iam::ACCOUNT:policy/...", or {NULL,0}. */
static struct gh_slice
arn_account(struct gh_slice arn)
{
    struct gh_slice rest, account;
    const struct gh_slice head = GH_S("arn:aws:iam::");

    if (!gh_slice_starts_with(arn, head))
        return GH_SLICE_NULL;
    rest = gh_slice_sub(arn, head.len, arn.len - head.len);
    if (!gh_slice_split(&rest, ':', &account) || account.len == 0 ||
        !gh_slice_starts_with(rest, GH_S("policy/")))
        return GH_SLICE_NULL;
    return account;
}

bool
gh_iam_policy_is_aws(struct gh_slice arn)
{
    return gh_slice_eq_cstr(arn_account(arn), "aws");
}

enum gh_err
gh_iam_policy_find(struct gh_call *c, struct gh_slice arn, struct gh_policy_rec *out)
{
    struct gh_slice account = arn_account(arn);

    if (account.ptr == NULL)
        /* AWS IAM: InvalidInput "ARN x is not valid." */
        return gh_call_fail(c, GH_ERR_INVALID_INPUT, "ARN %.*s is not valid.", GH_SP(arn));
    /* Another account's policies are not visible from this one. */
    if (!gh_slice_eq_cstr(account, "aws") && !gh_slice_eq(account, gh_iam_account(c)))
        return GH_ERR_NOT_FOUND;
    return gh_store_policy_get(c->tx, c->arena, arn, out);
}

/* Which response a Policy element is for. */
enum policy_view {
    POLICY_FULL,   /* CreatePolicy, GetPolicy: with Description and Tags */
    POLICY_LISTED, /* ListPolicies: without them */
};

static void
policy_render(struct gh_call *c, const struct gh_policy_rec *p, enum policy_view view,
              const struct gh_store_tag *tags, size_t ntags)
{
    struct gh_buf *b = c->result;

    gh_xml_elem(b, "PolicyName", p->name);
    gh_xml_elem(b, "PolicyId", p->id);
    gh_xml_elem(b, "Arn", p->arn);
    gh_xml_elem(b, "Path", p->path);
    gh_xml_elem(b, "DefaultVersionId", p->default_version);
    gh_xml_elem_int(b, "AttachmentCount", p->attachment_count);
    gh_xml_elem_int(b, "PermissionsBoundaryUsageCount", p->boundary_usage_count);
    gh_xml_elem_bool(b, "IsAttachable", p->attachable);
    if (view == POLICY_FULL && p->description.len > 0)
        gh_xml_elem(b, "Description", p->description);
    gh_xml_elem_time(b, "CreateDate", p->created);
    gh_xml_elem_time(b, "UpdateDate", p->updated);
    if (view == POLICY_FULL)
        gh_iam_tags_render(b, tags, ntags, false);
}

enum gh_err
gh_iam_CreatePolicy(struct gh_call *c)
{
    struct gh_slice name, path, doc, desc, arn, account = gh_iam_account(c);
    struct gh_iam_tags tags;
    struct gh_policy_rec p;
    char id[32];
    enum gh_err err;

    gh_iam_str(c, "PolicyName", &gh_iam_shape_policy_name, true, &name);
    gh_iam_str(c, "Path", &gh_iam_shape_policy_path, false, &path);
    gh_iam_str(c, "PolicyDocument", &gh_iam_shape_policy_document, true, &doc);
    gh_iam_str(c, "Description", &gh_iam_shape_policy_description, false, &desc);
    if ((err = gh_iam_tags_read(c, "Tags", false, &tags)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    /* AWS IAM: CreatePolicy answers aws:RequestTag/KEY and aws:TagKeys. */
    if ((err = gh_iam_create_authorize(c, "iam:CreatePolicy", "policy", name, &tags, GH_SLICE_NULL,
                                       &path, &arn)) != GH_OK)
        return err;
    if ((err = gh_iam_doc_check(c, GH_IAM_DOC_MANAGED, doc, 0, name)) != GH_OK)
        return err;
    if ((err = gh_random_id("ANPA", 21, id)) != GH_OK)
        return err;
    p = (struct gh_policy_rec){
        .account = account,
        .name = name,
        .path = path,
        .id = gh_slice_from_cstr(id),
        .arn = arn,
        .description = desc.ptr != NULL ? desc : GH_S(""),
        .default_version = GH_S("v1"),
        .created = c->now,
        .updated = c->now,
        .attachable = true,
    };
    err = gh_store_policy_create(c->tx, &p, doc);
    if (err == GH_ERR_EXISTS)
        /* AWS IAM: EntityAlreadyExists for a taken name. */
        return gh_call_fail(c, GH_ERR_EXISTS,
                            "A policy called %.*s already exists. Duplicate names are not "
                            "allowed.",
                            GH_SP(name));
    if (err != GH_OK)
        return err;
    if (tags.count > 0 && (err = gh_store_tags_put(c->tx, p.id, tags.items, tags.count)) != GH_OK)
        return err;
    gh_xml_open(c->result, "Policy");
    policy_render(c, &p, POLICY_FULL, tags.items, tags.count);
    gh_xml_close(c->result, "Policy");
    return gh_buf_status(c->result);
}

/*
 * Reads PolicyArn, authorizes `action` on it and loads the policy:
 * NoSuchEntity "Policy ARN was not found." when absent (AWS IAM's text for
 * GetPolicy and DeletePolicy).
 */
static enum gh_err
policy_arg(struct gh_call *c, const char *action, struct gh_slice *arn, struct gh_policy_rec *p)
{
    enum gh_err found, err;

    gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, arn);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    found = gh_iam_policy_find(c, *arn, p);
    if (found != GH_OK && found != GH_ERR_NOT_FOUND)
        return found;
    if ((err = gh_call_authorize(c, action, *arn)) != GH_OK)
        return err;
    if (found == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Policy %.*s was not found.", GH_SP(*arn));
    return GH_OK;
}

enum gh_err
gh_iam_GetPolicy(struct gh_call *c)
{
    struct gh_slice arn;
    struct gh_policy_rec p;
    struct gh_store_tag *tags;
    size_t ntags;
    enum gh_err err;

    if ((err = policy_arg(c, "iam:GetPolicy", &arn, &p)) != GH_OK)
        return err;
    if ((err = gh_store_tags_list(c->tx, c->arena, p.id, &tags, &ntags)) != GH_OK)
        return err;
    gh_xml_open(c->result, "Policy");
    policy_render(c, &p, POLICY_FULL, tags, ntags);
    gh_xml_close(c->result, "Policy");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_DeletePolicy(struct gh_call *c)
{
    struct gh_slice arn;
    struct gh_policy_rec p;
    struct gh_policy_version *versions;
    size_t nversions;
    enum gh_err err;

    if ((err = policy_arg(c, "iam:DeletePolicy", &arn, &p)) != GH_OK)
        return err;
    if (gh_iam_policy_is_aws(arn))
        /* AWS managed policies belong to AWS's account: no caller may delete them. */
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "User: %.*s is not authorized to perform: iam:DeletePolicy on "
                            "resource: policy %.*s",
                            GH_SP(c->caller->arn), GH_SP(arn));
    /* AWS IAM: DeleteConflict while attached (as a permissions or boundary policy). */
    if (p.attachment_count > 0 || p.boundary_usage_count > 0)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete a policy attached to entities.");
    if ((err = gh_store_policy_version_list(c->tx, c->arena, arn, false, &versions, &nversions)) !=
        GH_OK)
        return err;
    if (nversions > 1)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "This policy has more than one version. Before you delete a policy, "
                            "you must delete the policy's versions. The default version is "
                            "deleted with the policy.");
    if ((err = gh_store_policy_delete(c->tx, arn)) != GH_OK ||
        (err = gh_store_rec_purge_owner(c->tx, p.account, p.id)) != GH_OK) /* version counter */
        return err;
    return gh_store_entity_purge(c->tx, p.id); /* its tags */
}

enum gh_err
gh_iam_ListPolicies(struct gh_call *c)
{
    static const char *const scopes[] = {"All", "AWS", "Local", NULL};
    static const char *const usages[] = {"PermissionsPolicy", "PermissionsBoundary", NULL};
    static const enum gh_policy_scope scope_of[] = {GH_SCOPE_ALL, GH_SCOPE_AWS, GH_SCOPE_LOCAL};
    struct gh_slice prefix;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_policy_rec *ps;
    size_t n;
    int scope, usage;
    bool only_attached;
    enum gh_err err;

    gh_iam_enum(c, "Scope", scopes, false, &scope);
    gh_call_bool(c, "OnlyAttached", &only_attached, NULL);
    gh_iam_str(c, "PathPrefix", &gh_iam_shape_policy_path, false, &prefix);
    gh_iam_enum(c, "PolicyUsageFilter", usages, false, &usage);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:ListPolicies", gh_iam_list_arn(c, "policy"))) != GH_OK)
        return err;
    if ((err = gh_store_policy_list(
             c->tx, c->arena, gh_iam_account(c), scope_of[scope < 0 ? 0 : scope],
             /* AWS IAM: with OnlyAttached, PolicyUsageFilter says which
              * use counts (a boundary is not an attachment). */
             !only_attached ? GH_POLICY_USE_ANY
             : usage == 1   ? GH_POLICY_USE_BOUNDARY
                            : GH_POLICY_USE_PERMISSIONS,
             prefix.ptr != NULL ? prefix : GH_S(""), &page, &ps, &n, &more)) != GH_OK)
        return err;
    gh_xml_open(c->result, "Policies");
    for (size_t i = 0; i < n; i++) {
        gh_xml_open(c->result, "member");
        policy_render(c, &ps[i], POLICY_LISTED, NULL, 0);
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "Policies");
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_GetPolicyVersion(struct gh_call *c)
{
    struct gh_slice arn, version;
    struct gh_policy_rec p;
    struct gh_policy_version v;
    enum gh_err found, err;

    gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, &arn);
    gh_iam_str(c, "VersionId", &gh_iam_shape_version_id, true, &version);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    found = gh_iam_policy_find(c, arn, &p);
    if (found != GH_OK && found != GH_ERR_NOT_FOUND)
        return found;
    if ((err = gh_call_authorize(c, "iam:GetPolicyVersion", arn)) != GH_OK)
        return err;
    if (found == GH_OK)
        found = gh_store_policy_version_get(c->tx, c->arena, arn, version, &v);
    if (found == GH_ERR_NOT_FOUND)
        /* AWS IAM: NoSuchEntity "Policy ARN version V does not exist or is not attachable." */
        return gh_call_fail(c, GH_ERR_NOT_FOUND,
                            "Policy %.*s version %.*s does not exist or is not attachable.",
                            GH_SP(arn), GH_SP(version));
    if (found != GH_OK)
        return found;
    gh_xml_open(c->result, "PolicyVersion");
    gh_iam_doc_render(c, "Document", v.document);
    gh_xml_elem(c->result, "VersionId", v.version_id);
    gh_xml_elem_bool(c->result, "IsDefaultVersion", v.is_default);
    gh_xml_elem_time(c->result, "CreateDate", v.created);
    gh_xml_close(c->result, "PolicyVersion");
    return gh_buf_status(c->result);
}
