/*
 * account.c: account-wide IAM actions: the account alias
 * (Create/Delete/ListAccountAliases), GetAccountSummary and
 * GetAccountAuthorizationDetails.
 */
#include <string.h>

#include "iam/iam_ext.h"

/* AWS IAM quotas reported by GetAccountSummary ("IAM object quotas"). */
#define SERVER_CERTIFICATES_QUOTA 20
#define INSTANCE_PROFILES_QUOTA 1000
#define POLICY_VERSIONS_IN_USE_QUOTA 10000
#define ATTACHED_POLICIES_QUOTA 10
/* AWS IAM: the STS global endpoint issues version 1 tokens unless changed. */
#define GLOBAL_ENDPOINT_TOKEN_VERSION 1

/* AWS IAM: accountAliasType ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$, 3..63 characters. */
static bool
is_account_alias(struct gh_slice v)
{
    if (v.len < 3 || v.len > 63)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        char ch = v.ptr[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');

        if (alnum)
            continue;
        if (ch != '-' || i == 0 || i == v.len - 1 || v.ptr[i - 1] == '-')
            return false;
    }
    return true;
}

static const struct gh_param_rule shape_alias = {
    NULL, 3, 63, "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", is_account_alias};

/* The account's alias record (at most one), or GH_ERR_NOT_FOUND. */
static enum gh_err
alias_of(struct gh_call *c, struct gh_store_rec *out)
{
    struct gh_store_rec *v;
    size_t n;
    enum gh_err err;

    /* Aliases are global to the store (account ""); owner = the account holding it. */
    if ((err = gh_store_rec_list(c->tx, c->arena, GH_S(""), GH_S(GH_IAM_REC_ALIAS),
                                 gh_iam_account(c), &v, &n)) != GH_OK)
        return err;
    if (n == 0)
        return GH_ERR_NOT_FOUND;
    *out = v[0];
    return GH_OK;
}

enum gh_err
gh_iam_CreateAccountAlias(struct gh_call *c)
{
    struct gh_slice alias;
    struct gh_store_rec have, r;
    enum gh_err err;

    gh_iam_str(c, "AccountAlias", &shape_alias, true, &alias);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:CreateAccountAlias", GH_S("*"))) != GH_OK)
        return err;
    err = gh_store_rec_get(c->tx, c->arena, GH_S(""), GH_S(GH_IAM_REC_ALIAS), alias, &have, NULL);
    if (err == GH_OK)
        /* AWS IAM: aliases are unique across all accounts, this one's own included. */
        return gh_call_fail(c, GH_ERR_EXISTS, "The account alias %.*s already exists.",
                            GH_SP(alias));
    if (err != GH_ERR_NOT_FOUND)
        return err;
    /* AWS IAM: an account has one alias; creating another replaces it. */
    err = alias_of(c, &have);
    if (err == GH_OK)
        err = gh_store_rec_delete(c->tx, GH_S(""), GH_S(GH_IAM_REC_ALIAS), have.id);
    if (err != GH_OK && err != GH_ERR_NOT_FOUND)
        return err;
    r = (struct gh_store_rec){
        .account = GH_S(""),
        .kind = GH_S(GH_IAM_REC_ALIAS),
        .id = alias,
        .owner = gh_iam_account(c),
        .created = c->now,
        .updated = c->now,
        .data = GH_S(""),
    };
    return gh_store_rec_put(c->tx, &r, NULL, false);
}

enum gh_err
gh_iam_DeleteAccountAlias(struct gh_call *c)
{
    struct gh_slice alias;
    struct gh_store_rec have;
    enum gh_err err;

    gh_iam_str(c, "AccountAlias", &shape_alias, true, &alias);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:DeleteAccountAlias", GH_S("*"))) != GH_OK)
        return err;
    err = alias_of(c, &have);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && !gh_slice_eq(have.id, alias)))
        /* AWS IAM: NoSuchEntity unless it is this account's current alias. */
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "The account alias %.*s cannot be found.",
                            GH_SP(alias));
    if (err != GH_OK)
        return err;
    return gh_store_rec_delete(c->tx, GH_S(""), GH_S(GH_IAM_REC_ALIAS), have.id);
}

enum gh_err
gh_iam_ListAccountAliases(struct gh_call *c)
{
    struct gh_store_page page;
    struct gh_store_rec have;
    enum gh_err err;

    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:ListAccountAliases", GH_S("*"))) != GH_OK)
        return err;
    err = alias_of(c, &have);
    if (err != GH_OK && err != GH_ERR_NOT_FOUND)
        return err;
    gh_xml_open(c->result, "AccountAliases");
    if (err == GH_OK)
        gh_xml_elem(c->result, "member", have.id);
    gh_xml_close(c->result, "AccountAliases");
    gh_xml_elem_bool(c->result, "IsTruncated", false);
    return gh_buf_status(c->result);
}

/* ---- GetAccountSummary ---- */

/* Every entity of a kind, paged through the store's lists. */
#define LIST_ALL(fn, c, T, out, n)                                                                 \
    do {                                                                                           \
        struct gh_store_page p_ = {GH_SLICE_NULL, GH_IAM_MAX_ITEMS_MAX};                           \
        struct gh_store_more m_ = {0};                                                             \
        T *chunk_;                                                                                 \
        size_t k_;                                                                                 \
        *(n) = 0;                                                                                  \
        *(out) = NULL;                                                                             \
        do {                                                                                       \
            T *all_;                                                                               \
            if ((err = fn) != GH_OK)                                                               \
                return err;                                                                        \
            if ((all_ = gh_arena_alloc((c)->arena, sizeof(T) * (*(n) + k_ + 1))) == NULL)          \
                return GH_ERR_NOMEM;                                                               \
            if (*(n) > 0)                                                                          \
                memcpy(all_, *(out), sizeof(T) * *(n));                                            \
            if (k_ > 0)                                                                            \
                memcpy(all_ + *(n), chunk_, sizeof(T) * k_);                                       \
            *(out) = all_;                                                                         \
            *(n) += k_;                                                                            \
            p_.marker = m_.next_marker;                                                            \
        } while (m_.truncated);                                                                    \
    } while (0)

static enum gh_err
all_users(struct gh_call *c, struct gh_user **out, size_t *n)
{
    enum gh_err err;

    LIST_ALL(
        gh_store_user_list(c->tx, c->arena, gh_iam_account(c), GH_S(""), &p_, &chunk_, &k_, &m_), c,
        struct gh_user, out, n);
    return GH_OK;
}

static enum gh_err
all_groups(struct gh_call *c, struct gh_group **out, size_t *n)
{
    enum gh_err err;

    LIST_ALL(
        gh_store_group_list(c->tx, c->arena, gh_iam_account(c), GH_S(""), &p_, &chunk_, &k_, &m_),
        c, struct gh_group, out, n);
    return GH_OK;
}

static enum gh_err
all_roles(struct gh_call *c, struct gh_role **out, size_t *n)
{
    enum gh_err err;

    LIST_ALL(
        gh_store_role_list(c->tx, c->arena, gh_iam_account(c), GH_S(""), &p_, &chunk_, &k_, &m_), c,
        struct gh_role, out, n);
    return GH_OK;
}

static enum gh_err
all_profiles(struct gh_call *c, struct gh_instance_profile **out, size_t *n)
{
    enum gh_err err;

    LIST_ALL(gh_store_instance_profile_list(c->tx, c->arena, gh_iam_account(c), GH_S(""), &p_,
                                            &chunk_, &k_, &m_),
             c, struct gh_instance_profile, out, n);
    return GH_OK;
}

static enum gh_err
all_policies(struct gh_call *c, enum gh_policy_scope scope, bool only_attached,
             struct gh_policy_rec **out, size_t *n)
{
    enum gh_err err;

    LIST_ALL(gh_store_policy_list(c->tx, c->arena, gh_iam_account(c), scope,
                                  only_attached ? GH_POLICY_USE_PERMISSIONS : GH_POLICY_USE_ANY,
                                  GH_S(""), &p_, &chunk_, &k_, &m_),
             c, struct gh_policy_rec, out, n);
    return GH_OK;
}

static enum gh_err
rec_count(struct gh_call *c, const char *kind, size_t *n, size_t *owned)
{
    struct gh_store_rec *v;
    enum gh_err err;

    if ((err = gh_store_rec_list(c->tx, c->arena, gh_iam_account(c), gh_slice_from_cstr(kind),
                                 GH_SLICE_NULL, &v, n)) != GH_OK)
        return err;
    if (owned != NULL) {
        *owned = 0;
        for (size_t i = 0; i < *n; i++)
            if (v[i].owner.len > 0)
                (*owned)++;
    }
    return GH_OK;
}

static void
entry(struct gh_call *c, const char *key, int64_t value)
{
    gh_xml_open(c->result, "entry");
    gh_xml_elem_cstr(c->result, "key", key);
    gh_xml_elem_int(c->result, "value", value);
    gh_xml_close(c->result, "entry");
}

enum gh_err
gh_iam_GetAccountSummary(struct gh_call *c)
{
    struct gh_user *users;
    struct gh_group *groups;
    struct gh_role *roles;
    struct gh_instance_profile *profiles;
    struct gh_policy_rec *policies;
    struct gh_access_key *root_keys;
    size_t nusers, ngroups, nroles, nprofiles, npolicies, nroot_keys, nmfa, nmfa_used, noidc, nsaml;
    int64_t versions = 0;
    enum gh_err err;

    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:GetAccountSummary", GH_S("*"))) != GH_OK)
        return err;
    if ((err = all_users(c, &users, &nusers)) != GH_OK ||
        (err = all_groups(c, &groups, &ngroups)) != GH_OK ||
        (err = all_roles(c, &roles, &nroles)) != GH_OK ||
        (err = all_profiles(c, &profiles, &nprofiles)) != GH_OK ||
        (err = all_policies(c, GH_SCOPE_LOCAL, false, &policies, &npolicies)) != GH_OK ||
        (err = rec_count(c, GH_IAM_REC_MFA, &nmfa, &nmfa_used)) != GH_OK ||
        (err = rec_count(c, GH_IAM_REC_OIDC, &noidc, NULL)) != GH_OK ||
        (err = rec_count(c, GH_IAM_REC_SAML, &nsaml, NULL)) != GH_OK)
        return err;
    if ((err = gh_store_access_key_list(c->tx, c->arena, gh_iam_account(c), GH_S(""), &root_keys,
                                        &nroot_keys)) != GH_OK)
        return err;
    /* AWS IAM: PolicyVersionsInUse counts the versions of the customer managed policies. */
    for (size_t i = 0; i < npolicies; i++) {
        struct gh_policy_version *v;
        size_t nv;

        if ((err = gh_store_policy_version_list(c->tx, c->arena, policies[i].arn, false, &v,
                                                &nv)) != GH_OK)
            return err;
        versions += (int64_t)nv;
    }
    /*
     * AWS IAM: the SummaryMap keys and quotas of the GetAccountSummary
     * reference example (and aws iam get-account-summary output), in
     * the order AWS lists them. Root MFA and root signing certificates
     * are not served here, so their flags are 0.
     */
    gh_xml_open(c->result, "SummaryMap");
    entry(c, "Users", (int64_t)nusers);
    entry(c, "UsersQuota", GH_IAM_USERS_QUOTA);
    entry(c, "Groups", (int64_t)ngroups);
    entry(c, "GroupsQuota", GH_IAM_GROUPS_QUOTA);
    entry(c, "ServerCertificates", 0);
    entry(c, "ServerCertificatesQuota", SERVER_CERTIFICATES_QUOTA);
    entry(c, "UserPolicySizeQuota", GH_IAM_USER_INLINE_BYTES);
    entry(c, "GroupPolicySizeQuota", GH_IAM_GROUP_INLINE_BYTES);
    entry(c, "GroupsPerUserQuota", GH_IAM_GROUPS_PER_USER);
    entry(c, "SigningCertificatesPerUserQuota", GH_IAM_SIGNING_CERTS_PER_USER);
    entry(c, "AccessKeysPerUserQuota", GH_IAM_ACCESS_KEYS_PER_USER);
    entry(c, "MFADevices", (int64_t)nmfa);
    entry(c, "MFADevicesInUse", (int64_t)nmfa_used);
    entry(c, "AccountMFAEnabled", 0);
    entry(c, "AccountAccessKeysPresent", nroot_keys > 0 ? 1 : 0);
    entry(c, "AccountSigningCertificatesPresent", 0);
    entry(c, "AttachedPoliciesPerGroupQuota", ATTACHED_POLICIES_QUOTA);
    entry(c, "AttachedPoliciesPerRoleQuota",
          c->config->managed_policies_per_role > 0 ? (int64_t)c->config->managed_policies_per_role
                                                   : ATTACHED_POLICIES_QUOTA);
    entry(c, "AttachedPoliciesPerUserQuota", ATTACHED_POLICIES_QUOTA);
    entry(c, "Policies", (int64_t)npolicies);
    entry(c, "PoliciesQuota", GH_IAM_POLICIES_QUOTA);
    entry(c, "PolicySizeQuota", GH_IAM_MANAGED_POLICY_BYTES);
    entry(c, "PolicyVersionsInUse", versions);
    entry(c, "PolicyVersionsInUseQuota", POLICY_VERSIONS_IN_USE_QUOTA);
    entry(c, "VersionsPerPolicyQuota", GH_IAM_POLICY_VERSIONS_MAX);
    entry(c, "GlobalEndpointTokenVersion", GLOBAL_ENDPOINT_TOKEN_VERSION);
    entry(c, "Roles", (int64_t)nroles);
    entry(c, "RolesQuota", GH_IAM_ROLES_QUOTA);
    entry(c, "RolePolicySizeQuota", GH_IAM_ROLE_INLINE_BYTES);
    entry(c, "AssumeRolePolicySizeQuota", GH_IAM_TRUST_POLICY_BYTES);
    entry(c, "InstanceProfiles", (int64_t)nprofiles);
    entry(c, "InstanceProfilesQuota", INSTANCE_PROFILES_QUOTA);
    entry(c, "Providers", (int64_t)(noidc + nsaml));
    gh_xml_close(c->result, "SummaryMap");
    return gh_buf_status(c->result);
}

/* ---- GetAccountAuthorizationDetails ---- */

enum {
    F_USER = 0,
    F_ROLE,
    F_GROUP,
    F_LOCAL,
    F_AWS,
};

/* <NAME><member><PolicyName/><PolicyDocument/></member>...</NAME> for entity `id`'s inline
 * policies. */
static enum gh_err
inline_render(struct gh_call *c, const char *tag, struct gh_slice id)
{
    struct gh_store_page page = {GH_SLICE_NULL, GH_IAM_MAX_ITEMS_MAX};
    struct gh_store_more more = {0};
    struct gh_slice *names, doc;
    size_t n;
    enum gh_err err;

    gh_xml_open(c->result, tag);
    do {
        if ((err = gh_store_inline_list(c->tx, c->arena, id, &page, &names, &n, &more)) != GH_OK)
            return err;
        for (size_t i = 0; i < n; i++) {
            if ((err = gh_store_inline_get(c->tx, c->arena, id, names[i], &doc)) != GH_OK)
                return err;
            gh_xml_open(c->result, "member");
            gh_xml_elem(c->result, "PolicyName", names[i]);
            gh_iam_doc_render(c, "PolicyDocument", doc);
            gh_xml_close(c->result, "member");
        }
        page.marker = more.next_marker;
    } while (more.truncated);
    gh_xml_close(c->result, tag);
    return gh_buf_status(c->result);
}

static enum gh_err
attached_render(struct gh_call *c, struct gh_slice id)
{
    struct gh_store_page page = {GH_SLICE_NULL, GH_IAM_MAX_ITEMS_MAX};
    struct gh_store_more more = {0};
    struct gh_attached *v;
    size_t n;
    enum gh_err err;

    gh_xml_open(c->result, "AttachedManagedPolicies");
    do {
        if ((err = gh_store_attached_list(c->tx, c->arena, id, GH_S(""), &page, &v, &n, &more)) !=
            GH_OK)
            return err;
        for (size_t i = 0; i < n; i++) {
            gh_xml_open(c->result, "member");
            gh_xml_elem(c->result, "PolicyName", v[i].policy_name);
            gh_xml_elem(c->result, "PolicyArn", v[i].policy_arn);
            gh_xml_close(c->result, "member");
        }
        page.marker = more.next_marker;
    } while (more.truncated);
    gh_xml_close(c->result, "AttachedManagedPolicies");
    return gh_buf_status(c->result);
}

static enum gh_err
tags_render(struct gh_call *c, struct gh_slice id)
{
    struct gh_store_tag *tags;
    size_t n;
    enum gh_err err;

    if ((err = gh_store_tags_list(c->tx, c->arena, id, &tags, &n)) != GH_OK)
        return err;
    gh_iam_tags_render(c->result, tags, n, false);
    return gh_buf_status(c->result);
}

/* AWS IAM: the UserDetail shape in its order. */
static enum gh_err
user_detail(struct gh_call *c, const struct gh_user *u)
{
    struct gh_slice arn = gh_iam_arn(c, u->account, "user", u->path, u->name);
    struct gh_group *groups;
    size_t ngroups;
    enum gh_err err;

    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    gh_xml_elem(c->result, "Path", u->path);
    gh_xml_elem(c->result, "UserName", u->name);
    gh_xml_elem(c->result, "UserId", u->id);
    gh_xml_elem(c->result, "Arn", arn);
    gh_xml_elem_time(c->result, "CreateDate", u->created);
    if ((err = inline_render(c, "UserPolicyList", u->id)) != GH_OK)
        return err;
    if ((err = gh_store_user_groups(c->tx, c->arena, u->id, NULL, &groups, &ngroups, NULL)) !=
        GH_OK)
        return err;
    gh_xml_open(c->result, "GroupList");
    for (size_t i = 0; i < ngroups; i++)
        gh_xml_elem(c->result, "member", groups[i].name);
    gh_xml_close(c->result, "GroupList");
    if ((err = attached_render(c, u->id)) != GH_OK)
        return err;
    gh_iam_boundary_render(c->result, u->boundary_arn);
    return tags_render(c, u->id);
}

static enum gh_err
group_detail(struct gh_call *c, const struct gh_group *g)
{
    struct gh_slice arn = gh_iam_arn(c, g->account, "group", g->path, g->name);
    enum gh_err err;

    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    gh_xml_elem(c->result, "Path", g->path);
    gh_xml_elem(c->result, "GroupName", g->name);
    gh_xml_elem(c->result, "GroupId", g->id);
    gh_xml_elem(c->result, "Arn", arn);
    gh_xml_elem_time(c->result, "CreateDate", g->created);
    if ((err = inline_render(c, "GroupPolicyList", g->id)) != GH_OK)
        return err;
    return attached_render(c, g->id);
}

/* A Role element's leading members (as inside an InstanceProfile). */
static enum gh_err
role_head(struct gh_call *c, const struct gh_role *r)
{
    struct gh_slice arn = gh_iam_arn(c, r->account, "role", r->path, r->name);

    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    gh_xml_elem(c->result, "Path", r->path);
    gh_xml_elem(c->result, "RoleName", r->name);
    gh_xml_elem(c->result, "RoleId", r->id);
    gh_xml_elem(c->result, "Arn", arn);
    gh_xml_elem_time(c->result, "CreateDate", r->created);
    return gh_iam_trust_render(c, r);
}

static enum gh_err
role_detail(struct gh_call *c, const struct gh_role *r)
{
    struct gh_store_page page = {GH_SLICE_NULL, GH_IAM_MAX_ITEMS_MAX};
    struct gh_store_more more = {0};
    struct gh_instance_profile *ps;
    size_t nps;
    enum gh_err err;

    if ((err = role_head(c, r)) != GH_OK)
        return err;
    /* AWS IAM: a role is in few instance profiles; one page of 1000 holds them all. */
    if ((err = gh_store_role_instance_profiles(c->tx, c->arena, r->id, &page, &ps, &nps, &more)) !=
        GH_OK)
        return err;
    gh_xml_open(c->result, "InstanceProfileList");
    for (size_t i = 0; i < nps; i++) {
        struct gh_slice arn =
            gh_iam_arn(c, ps[i].account, "instance-profile", ps[i].path, ps[i].name);
        struct gh_role *roles;
        size_t nroles;

        if (arn.ptr == NULL)
            return GH_ERR_NOMEM;
        if ((err = gh_store_instance_profile_roles(c->tx, c->arena, ps[i].id, &roles, &nroles)) !=
            GH_OK)
            return err;
        gh_xml_open(c->result, "member");
        gh_xml_elem(c->result, "Path", ps[i].path);
        gh_xml_elem(c->result, "InstanceProfileName", ps[i].name);
        gh_xml_elem(c->result, "InstanceProfileId", ps[i].id);
        gh_xml_elem(c->result, "Arn", arn);
        gh_xml_elem_time(c->result, "CreateDate", ps[i].created);
        gh_xml_open(c->result, "Roles");
        for (size_t j = 0; j < nroles; j++) {
            gh_xml_open(c->result, "member");
            if ((err = role_head(c, &roles[j])) != GH_OK)
                return err;
            gh_xml_close(c->result, "member");
        }
        gh_xml_close(c->result, "Roles");
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "InstanceProfileList");
    if ((err = inline_render(c, "RolePolicyList", r->id)) != GH_OK)
        return err;
    if ((err = attached_render(c, r->id)) != GH_OK)
        return err;
    gh_iam_boundary_render(c->result, r->boundary_arn);
    if ((err = tags_render(c, r->id)) != GH_OK)
        return err;
    gh_xml_open(c->result, "RoleLastUsed");
    if (r->last_used != 0) {
        gh_xml_elem_time(c->result, "LastUsedDate", r->last_used);
        gh_xml_elem(c->result, "Region", r->last_used_region);
    }
    gh_xml_close(c->result, "RoleLastUsed");
    return gh_buf_status(c->result);
}

/* AWS IAM: the ManagedPolicyDetail shape with every version. */
static enum gh_err
policy_detail(struct gh_call *c, const struct gh_policy_rec *p)
{
    struct gh_policy_version *v;
    size_t nv;
    enum gh_err err;

    if ((err = gh_store_policy_version_list(c->tx, c->arena, p->arn, true, &v, &nv)) != GH_OK)
        return err;
    gh_xml_elem(c->result, "PolicyName", p->name);
    gh_xml_elem(c->result, "PolicyId", p->id);
    gh_xml_elem(c->result, "Arn", p->arn);
    gh_xml_elem(c->result, "Path", p->path);
    gh_xml_elem(c->result, "DefaultVersionId", p->default_version);
    gh_xml_elem_int(c->result, "AttachmentCount", p->attachment_count);
    gh_xml_elem_int(c->result, "PermissionsBoundaryUsageCount", p->boundary_usage_count);
    gh_xml_elem_bool(c->result, "IsAttachable", p->attachable);
    if (p->description.len > 0)
        gh_xml_elem(c->result, "Description", p->description);
    gh_xml_elem_time(c->result, "CreateDate", p->created);
    gh_xml_elem_time(c->result, "UpdateDate", p->updated);
    gh_xml_open(c->result, "PolicyVersionList");
    for (size_t i = 0; i < nv; i++) {
        gh_xml_open(c->result, "member");
        gh_iam_doc_render(c, "Document", v[i].document);
        gh_xml_elem(c->result, "VersionId", v[i].version_id);
        gh_xml_elem_bool(c->result, "IsDefaultVersion", v[i].is_default);
        gh_xml_elem_time(c->result, "CreateDate", v[i].created);
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "PolicyVersionList");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_GetAccountAuthorizationDetails(struct gh_call *c)
{
    static const char *const kinds[] = {
        "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy", NULL};
    struct gh_slice *filter;
    size_t nfilter, nusers = 0, ngroups = 0, nroles = 0, nlocal = 0, naws = 0, total, start, end;
    struct gh_store_page page;
    struct gh_user *users = NULL;
    struct gh_group *groups = NULL;
    struct gh_role *roles = NULL;
    struct gh_policy_rec *local = NULL, *aws = NULL;
    bool want[5] = {false};
    enum gh_err err;

    if ((err = gh_call_list(c, "Filter", "filter", 5, &filter, &nfilter)) != GH_OK)
        return err;
    for (size_t i = 0; i < nfilter; i++) {
        size_t k = 0;

        while (kinds[k] != NULL && !gh_slice_eq_cstr(filter[i], kinds[k]))
            k++;
        if (kinds[k] == NULL) {
            char *member = gh_arena_printf(c->arena, "filter.%zu.member", i + 1);

            if (member == NULL)
                return GH_ERR_NOMEM;
            gh_api_validation_add(c, filter[i], false, member,
                                  "Member must satisfy enum value set: [Role, AWSManagedPolicy, "
                                  "LocalManagedPolicy, User, Group]");
            continue;
        }
        want[k] = true;
    }
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if (nfilter == 0)
        for (size_t k = 0; k < 5; k++)
            want[k] = true;
    if ((err = gh_call_authorize(c, "iam:GetAccountAuthorizationDetails", GH_S("*"))) != GH_OK)
        return err;
    if ((want[F_USER] && (err = all_users(c, &users, &nusers)) != GH_OK) ||
        (want[F_GROUP] && (err = all_groups(c, &groups, &ngroups)) != GH_OK) ||
        (want[F_ROLE] && (err = all_roles(c, &roles, &nroles)) != GH_OK) ||
        (want[F_LOCAL] &&
         (err = all_policies(c, GH_SCOPE_LOCAL, false, &local, &nlocal)) != GH_OK) ||
        /* AWS IAM: AWS managed policies appear only when attached to something here. */
        (want[F_AWS] && (err = all_policies(c, GH_SCOPE_AWS, true, &aws, &naws)) != GH_OK))
        return err;
    /* One index over users, groups, roles, then policies: the Marker is a position in it. */
    total = nusers + ngroups + nroles + nlocal + naws;
    if ((err = gh_iam_index_marker(c, &page, total, &start)) != GH_OK)
        return err;
    if (start > total) /* gh_parse_u64 lets a first digit above `max` through */
        return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Invalid Marker.");
    end = total - start > page.max_items ? start + page.max_items : total;
    gh_xml_open(c->result, "UserDetailList");
    for (size_t i = start; i < end && i < nusers; i++) {
        gh_xml_open(c->result, "member");
        if ((err = user_detail(c, &users[i])) != GH_OK)
            return err;
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "UserDetailList");
    gh_xml_open(c->result, "GroupDetailList");
    for (size_t i = start > nusers ? start - nusers : 0; nusers + i < end && i < ngroups; i++) {
        gh_xml_open(c->result, "member");
        if ((err = group_detail(c, &groups[i])) != GH_OK)
            return err;
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "GroupDetailList");
    {
        size_t base = nusers + ngroups;

        gh_xml_open(c->result, "RoleDetailList");
        for (size_t i = start > base ? start - base : 0; base + i < end && i < nroles; i++) {
            gh_xml_open(c->result, "member");
            if ((err = role_detail(c, &roles[i])) != GH_OK)
                return err;
            gh_xml_close(c->result, "member");
        }
        gh_xml_close(c->result, "RoleDetailList");
        base += nroles;
        gh_xml_open(c->result, "Policies");
        for (size_t i = start > base ? start - base : 0; base + i < end && i < nlocal + naws; i++) {
            gh_xml_open(c->result, "member");
            if ((err = policy_detail(c, i < nlocal ? &local[i] : &aws[i - nlocal])) != GH_OK)
                return err;
            gh_xml_close(c->result, "member");
        }
        gh_xml_close(c->result, "Policies");
    }
    gh_iam_index_page_end(c, end, total);
    return gh_buf_status(c->result);
}
