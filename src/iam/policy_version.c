/*
 * policy_version.c: versions of managed policies (CreatePolicyVersion,
 * ListPolicyVersions, DeletePolicyVersion, SetDefaultPolicyVersion) and
 * the entities that use a policy (ListEntitiesForPolicy).
 */
#include <stdio.h>

#include "iam/iam_ext.h"
#include "iam/iam_int.h"

/*
 * Reads PolicyArn, authorizes `action` on it and loads the policy
 * (NoSuchEntity "Policy ARN was not found." when absent). With `write`,
 * AWS managed policies are refused: they belong to AWS's account.
 */
static enum gh_err
policy_load(struct gh_call *c, const char *action, bool write, struct gh_slice arn,
            struct gh_policy_rec *p)
{
    enum gh_err found, err;

    found = gh_iam_policy_find(c, arn, p);
    if (found != GH_OK && found != GH_ERR_NOT_FOUND)
        return found;
    if ((err = gh_call_authorize(c, action, arn)) != GH_OK)
        return err;
    if (found == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Policy %.*s was not found.", GH_SP(arn));
    if (write && gh_iam_policy_is_aws(arn))
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "User: %.*s is not authorized to perform: %s on resource: policy %.*s",
                            GH_SP(c->caller->arn), action, GH_SP(arn));
    return GH_OK;
}

/* "vN" -> N; 0 when not of that form. */
static uint64_t
version_number(struct gh_slice id)
{
    uint64_t n;

    if (id.len < 2 || id.ptr[0] != 'v' ||
        gh_parse_u64(gh_slice_sub(id, 1, id.len - 1), UINT32_MAX, &n) != GH_OK)
        return 0;
    return n;
}

static enum gh_err
version_not_found(struct gh_call *c, struct gh_slice arn, struct gh_slice version)
{
    /* AWS IAM: NoSuchEntity "Policy ARN version V does not exist or is not attachable." */
    return gh_call_fail(c, GH_ERR_NOT_FOUND,
                        "Policy %.*s version %.*s does not exist or is not attachable.", GH_SP(arn),
                        GH_SP(version));
}

/* The PolicyVersion shape without Document (CreatePolicyVersion, ListPolicyVersions). */
static void
version_render(struct gh_call *c, const struct gh_policy_version *v)
{
    gh_xml_elem(c->result, "VersionId", v->version_id);
    gh_xml_elem_bool(c->result, "IsDefaultVersion", v->is_default);
    gh_xml_elem_time(c->result, "CreateDate", v->created);
}

/*
 * The number of a new version of `p`: one above both `*next` (the highest
 * stored) and the highest ever issued, which it records.
 */
static enum gh_err
version_seq(struct gh_call *c, const struct gh_policy_rec *p, uint64_t *next)
{
    struct gh_store_rec r;
    enum gh_err err;

    err = gh_store_rec_get(c->tx, c->arena, p->account, GH_S(GH_IAM_REC_VERSION_SEQ), p->id, &r,
                           NULL);
    if (err == GH_OK && r.status > 0 && (uint64_t)r.status > *next)
        *next = (uint64_t)r.status;
    else if (err != GH_OK && err != GH_ERR_NOT_FOUND)
        return err;
    *next += 1;
    r = (struct gh_store_rec){
        .account = p->account,
        .kind = GH_S(GH_IAM_REC_VERSION_SEQ),
        .id = p->id,
        .owner = p->id,
        .status = (int64_t)*next,
        .created = c->now,
        .updated = c->now,
        .data = GH_S("{}"),
    };
    return gh_store_rec_put(c->tx, &r, NULL, true);
}

enum gh_err
gh_iam_CreatePolicyVersion(struct gh_call *c)
{
    struct gh_slice arn, doc;
    struct gh_policy_rec p;
    struct gh_policy_version *vs, v;
    size_t n;
    uint64_t next = 0;
    bool set_default;
    char id[24];
    enum gh_err err;

    gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, &arn);
    gh_iam_str(c, "PolicyDocument", &gh_iam_shape_policy_document, true, &doc);
    gh_call_bool(c, "SetAsDefault", &set_default, NULL);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = policy_load(c, "iam:CreatePolicyVersion", true, arn, &p)) != GH_OK)
        return err;
    if ((err = gh_store_policy_version_list(c->tx, c->arena, p.arn, false, &vs, &n)) != GH_OK)
        return err;
    if (n >= GH_IAM_POLICY_VERSIONS_MAX)
        /* AWS IAM: LimitExceeded at 5 versions. */
        return gh_call_fail(c, GH_ERR_LIMIT,
                            "A managed policy can have up to %d versions. Before you create a new "
                            "version, you must delete an existing version.",
                            GH_IAM_POLICY_VERSIONS_MAX);
    if ((err = gh_iam_doc_check(c, GH_IAM_DOC_MANAGED, doc, 0, p.name)) != GH_OK)
        return err;
    /* AWS IAM numbers versions upwards and never reuses a number, even the
     * deleted newest one: the highest number issued is kept in a record. */
    for (size_t i = 0; i < n; i++)
        if (version_number(vs[i].version_id) > next)
            next = version_number(vs[i].version_id);
    if ((err = version_seq(c, &p, &next)) != GH_OK)
        return err;
    (void)snprintf(id, sizeof(id), "v%llu", (unsigned long long)next);
    v = (struct gh_policy_version){
        .version_id = gh_slice_from_cstr(id),
        .document = doc,
        .is_default = set_default,
        .created = c->now,
    };
    if ((err = gh_store_policy_version_add(c->tx, p.arn, &v)) != GH_OK)
        return err;
    gh_xml_open(c->result, "PolicyVersion");
    version_render(c, &v);
    gh_xml_close(c->result, "PolicyVersion");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_ListPolicyVersions(struct gh_call *c)
{
    struct gh_slice arn;
    struct gh_store_page page;
    struct gh_policy_rec p;
    struct gh_policy_version *vs;
    size_t n, start = 0, end;
    uint64_t at;
    char next[24];
    enum gh_err err;

    gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, &arn);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = policy_load(c, "iam:ListPolicyVersions", false, arn, &p)) != GH_OK)
        return err;
    if ((err = gh_store_policy_version_list(c->tx, c->arena, p.arn, false, &vs, &n)) != GH_OK)
        return err;
    /* At most 5 versions, so the marker is the index of the next one. */
    if (page.marker.len > 0) {
        if (gh_parse_u64(page.marker, n, &at) != GH_OK)
            return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Invalid Marker.");
        start = (size_t)at;
    }
    end = n - start > page.max_items ? start + page.max_items : n;
    gh_xml_open(c->result, "Versions");
    for (size_t i = start; i < end; i++) {
        gh_xml_open(c->result, "member");
        version_render(c, &vs[i]);
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "Versions");
    (void)snprintf(next, sizeof(next), "%zu", end);
    gh_call_page_end(c, end < n, gh_slice_from_cstr(next));
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_DeletePolicyVersion(struct gh_call *c)
{
    struct gh_slice arn, version;
    struct gh_policy_rec p;
    struct gh_policy_version v;
    enum gh_err err;

    gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, &arn);
    gh_iam_str(c, "VersionId", &gh_iam_shape_version_id, true, &version);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = policy_load(c, "iam:DeletePolicyVersion", true, arn, &p)) != GH_OK)
        return err;
    err = gh_store_policy_version_get(c->tx, c->arena, p.arn, version, &v);
    if (err == GH_ERR_NOT_FOUND)
        return version_not_found(c, arn, version);
    if (err != GH_OK)
        return err;
    if (v.is_default)
        /* AWS IAM: DeleteConflict "Cannot delete the default version of a policy." */
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete the default version of a policy.");
    return gh_store_policy_version_delete(c->tx, p.arn, v.version_id);
}

enum gh_err
gh_iam_SetDefaultPolicyVersion(struct gh_call *c)
{
    struct gh_slice arn, version;
    struct gh_policy_rec p;
    enum gh_err err;

    gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, &arn);
    gh_iam_str(c, "VersionId", &gh_iam_shape_version_id, true, &version);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = policy_load(c, "iam:SetDefaultPolicyVersion", true, arn, &p)) != GH_OK)
        return err;
    err = gh_store_policy_set_default(c->tx, p.arn, version, c->now);
    if (err == GH_ERR_NOT_FOUND)
        return version_not_found(c, arn, version);
    return err;
}

enum gh_err
gh_iam_ListEntitiesForPolicy(struct gh_call *c)
{
    static const char *const filters[] = {
        "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy", NULL};
    static const char *const usages[] = {"PermissionsPolicy", "PermissionsBoundary", NULL};
    static const char *const list_tag[] = {"PolicyGroups", "PolicyUsers", "PolicyRoles"};
    static const char *const name_tag[] = {"GroupName", "UserName", "RoleName"};
    static const char *const id_tag[] = {"GroupId", "UserId", "RoleId"};
    struct gh_slice arn, prefix;
    struct gh_store_page page;
    struct gh_store_more more = {0};
    struct gh_store_entity *es;
    struct gh_policy_rec p;
    unsigned kinds;
    size_t n, i = 0;
    int filter, usage;
    enum gh_err err;

    gh_iam_str(c, "PolicyArn", &gh_iam_shape_arn, true, &arn);
    gh_iam_enum(c, "EntityFilter", filters, false, &filter);
    gh_iam_str(c, "PathPrefix", &gh_iam_shape_path, false, &prefix);
    gh_iam_enum(c, "PolicyUsageFilter", usages, false, &usage);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = policy_load(c, "iam:ListEntitiesForPolicy", false, arn, &p)) != GH_OK)
        return err;
    switch (filter) {
    case -1:
        kinds = 0x7;
        break;
    case 0:
        kinds = GH_STORE_ENTITY_BIT(GH_STORE_ENTITY_USER);
        break;
    case 1:
        kinds = GH_STORE_ENTITY_BIT(GH_STORE_ENTITY_ROLE);
        break;
    case 2:
        kinds = GH_STORE_ENTITY_BIT(GH_STORE_ENTITY_GROUP);
        break;
    default:
        kinds = 0;
        break; /* policies are no entities of a policy */
    }
    /* AWS IAM: a boundary is set on users and roles only. */
    if (usage == 1)
        kinds &= ~GH_STORE_ENTITY_BIT(GH_STORE_ENTITY_GROUP);
    if ((err = gh_store_policy_entities(c->tx, c->arena, p.arn, kinds, usage == 1,
                                        prefix.ptr != NULL ? prefix : GH_S(""), &page, &es, &n,
                                        &more)) != GH_OK) {
        if (err == GH_ERR_VALIDATION)
            return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Invalid Marker.");
        return err;
    }
    /* Rows come groups, then users, then roles: one list element per kind, always present. */
    for (int k = GH_STORE_ENTITY_GROUP; k <= GH_STORE_ENTITY_ROLE; k++) {
        gh_xml_open(c->result, list_tag[k]);
        for (; i < n && (int)es[i].kind == k; i++) {
            gh_xml_open(c->result, "member");
            gh_xml_elem(c->result, name_tag[k], es[i].name);
            gh_xml_elem(c->result, id_tag[k], es[i].id);
            gh_xml_close(c->result, "member");
        }
        gh_xml_close(c->result, list_tag[k]);
    }
    gh_call_page_end(c, more.truncated, more.next_marker);
    return gh_buf_status(c->result);
}
