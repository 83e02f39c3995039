/*
 * iam_int.h: what the IAM action files share: the botocore model's
 * parameter shapes, ARN building, entity look-ups and XML renderers.
 * Only src/iam/ and its unit test include it.
 */
#ifndef GH_IAM_INT_H
#define GH_IAM_INT_H

#include "api/api.h"
#include "iam/iam.h"

/*
 * The model's string shapes (botocore iam/2010-05-08 service-2.json). The
 * `member` field is left NULL: gh_iam_str derives it from the parameter
 * name, as AWS does in its messages ("UserName" -> "userName").
 */
extern const struct gh_param_rule gh_iam_shape_user_name;          /* userNameType */
extern const struct gh_param_rule gh_iam_shape_existing_user_name; /* existingUserNameType */
extern const struct gh_param_rule gh_iam_shape_role_name;          /* roleNameType */
extern const struct gh_param_rule gh_iam_shape_policy_name;        /* policyNameType */
extern const struct gh_param_rule gh_iam_shape_path;               /* pathType */
extern const struct gh_param_rule gh_iam_shape_path_prefix;        /* pathPrefixType */
extern const struct gh_param_rule gh_iam_shape_policy_path;        /* policyPathType */
extern const struct gh_param_rule gh_iam_shape_policy_document;    /* policyDocumentType */
extern const struct gh_param_rule gh_iam_shape_arn;                /* arnType */
extern const struct gh_param_rule gh_iam_shape_access_key_id;      /* accessKeyIdType */
extern const struct gh_param_rule gh_iam_shape_role_description;   /* roleDescriptionType */
extern const struct gh_param_rule gh_iam_shape_policy_description; /* policyDescriptionType */
extern const struct gh_param_rule gh_iam_shape_version_id;         /* policyVersionIdType */
extern const struct gh_param_rule gh_iam_shape_tag_key;            /* tagKeyType */
extern const struct gh_param_rule gh_iam_shape_tag_value;          /* tagValueType */

/* Pattern predicates (exported for the unit test). */
bool gh_iam_is_name(struct gh_slice v);
bool gh_iam_is_path(struct gh_slice v);
bool gh_iam_is_path_prefix(struct gh_slice v);
bool gh_iam_is_policy_path(struct gh_slice v);
bool gh_iam_is_policy_document(struct gh_slice v);
bool gh_iam_is_word(struct gh_slice v);
bool gh_iam_is_role_description(struct gh_slice v);
bool gh_iam_is_version_id(struct gh_slice v);
bool gh_iam_is_tag_key(struct gh_slice v);
bool gh_iam_is_tag_value(struct gh_slice v);

/* gh_call_str with `shape`, its member named after `name` ("UserName" -> "userName"). */
void gh_iam_str(struct gh_call *c, const char *name, const struct gh_param_rule *shape,
                bool required, struct gh_slice *out);

/*
 * An enum parameter: `*index` gets the position of the value in `values`
 * (NULL-terminated), or -1 when absent. A value outside the set records
 * AWS's "Member must satisfy enum value set: [A, B]" validation error.
 */
void gh_iam_enum(struct gh_call *c, const char *name, const char *const *values, bool required,
                 int *index);

/* Records AWS's "Value null at 'member' ... Member must not be null" validation error. */
void gh_iam_null(struct gh_call *c, const char *member);

/* A tag list "Tags.member.N.Key/Value" (at most 50, keys unique case-insensitively). */
struct gh_iam_tags {
    struct gh_store_tag *items;
    size_t count;
};
/*
 * Reads and validates; read it after the other parameters, then call
 * gh_call_validated. Fails the call with LimitExceeded (over 50) or
 * InvalidInput (a key twice) when no validation error came first.
 */
GH_MUST_CHECK enum gh_err gh_iam_tags_read(struct gh_call *c, const char *name, bool required,
                                           struct gh_iam_tags *out);
/* Renders <Tags><member><Key/><Value/></member>...</Tags> (nothing when count is 0 and !always). */
void gh_iam_tags_render(struct gh_buf *b, const struct gh_store_tag *tags, size_t count,
                        bool always);

/* The caller's account as a slice. */
struct gh_slice gh_iam_account(const struct gh_call *c);

/*
 * "arn:aws:iam::ACCOUNT:KIND" + path + name (path "/" or "/a/b/"), in the
 * arena; {NULL,0} on NOMEM.
 */
struct gh_slice gh_iam_arn(struct gh_call *c, struct gh_slice account, const char *kind,
                           struct gh_slice path, struct gh_slice name);

/* The resource ARN a List* action is authorized on: "arn:aws:iam::ACCOUNT:KIND/". */
struct gh_slice gh_iam_list_arn(struct gh_call *c, const char *kind);

/*
 * The start of ListUsers, ListRoles, ListGroups, ListInstanceProfiles:
 * reads PathPrefix (*prefix "" when absent) and Marker/MaxItems into
 * *page, then authorizes `action` on gh_iam_list_arn(c, kind).
 */
GH_MUST_CHECK enum gh_err gh_iam_path_list_begin(struct gh_call *c, const char *action,
                                                 const char *kind, struct gh_slice *prefix,
                                                 struct gh_store_page *page);

/*
 * Loads user `name` and authorizes `action` on its ARN (or on
 * "user/NAME" when absent, so existence is not revealed to the
 * unauthorized). NoSuchEntity in AWS's words when it does not exist.
 */
GH_MUST_CHECK enum gh_err gh_iam_user_load(struct gh_call *c, const char *action,
                                           struct gh_slice name, struct gh_user *out,
                                           struct gh_slice *arn);
GH_MUST_CHECK enum gh_err gh_iam_role_load(struct gh_call *c, const char *action,
                                           struct gh_slice name, struct gh_role *out,
                                           struct gh_slice *arn);

/* Writes `doc` percent-encoded (RFC 3986), as AWS returns documents. */
void gh_iam_doc_render(struct gh_call *c, const char *tag, struct gh_slice doc);

/* The <User> element's children; `full` adds PermissionsBoundary and Tags (GetUser). */
GH_MUST_CHECK enum gh_err gh_iam_user_render(struct gh_call *c, const struct gh_user *u, bool full,
                                             const struct gh_store_tag *tags, size_t ntags);
/* <Users> with a <member> of gh_iam_user_render(..., false, ...) for each (ListUsers, GetGroup). */
GH_MUST_CHECK enum gh_err gh_iam_users_render(struct gh_call *c, const struct gh_user *users,
                                              size_t n);
/*
 * A role's children inside an InstanceProfile (role.c): Path, RoleName,
 * RoleId, Arn, CreateDate and AssumeRolePolicyDocument, as AWS shows them
 * (AWS CLI reference, get-instance-profile example output).
 */
GH_MUST_CHECK enum gh_err gh_iam_role_held_render(struct gh_call *c, const struct gh_role *r);
/*
 * <AssumeRolePolicyDocument>: the role's trust policy URL-encoded, its
 * bound principals shown under their current ARNs, or as their unique ids
 * once deleted (role.c).
 */
GH_MUST_CHECK enum gh_err gh_iam_trust_render(struct gh_call *c, const struct gh_role *r);
/* "PermissionsBoundary" with its type and ARN. */
void gh_iam_boundary_render(struct gh_buf *b, struct gh_slice arn);
/* CreateUser's and CreateRole's PermissionsBoundary (boundary.c): GH_OK when
 * absent ({NULL,0}); NoSuchEntity in AWS's words unless it names a stored
 * managed policy. */
GH_MUST_CHECK enum gh_err gh_iam_boundary_check(struct gh_call *c, struct gh_slice arn);

/* "arn:aws:iam::aws:policy/...": an AWS managed policy. */
bool gh_iam_policy_is_aws(struct gh_slice arn);
/*
 * Loads a managed policy by ARN for this account (or AWS's): GH_ERR_NOT_FOUND
 * with no message when absent or another account's; InvalidInput (call
 * failed) when `arn` is not a policy ARN.
 */
GH_MUST_CHECK enum gh_err gh_iam_policy_find(struct gh_call *c, struct gh_slice arn,
                                             struct gh_policy_rec *out);

/* Handlers, one per action (named after it). */
#define GH_IAM_ACTIONS(X)                                                                          \
    X(CreateUser, GH_ACTION_WRITE)                                                                 \
    X(GetUser, 0)                                                                                  \
    X(UpdateUser, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                           \
    X(DeleteUser, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                           \
    X(ListUsers, 0)                                                                                \
    X(CreateAccessKey, GH_ACTION_WRITE)                                                            \
    X(ListAccessKeys, 0)                                                                           \
    X(UpdateAccessKey, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                      \
    X(DeleteAccessKey, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                      \
    X(CreateRole, GH_ACTION_WRITE)                                                                 \
    X(GetRole, 0)                                                                                  \
    X(UpdateRole, GH_ACTION_WRITE)                                                                 \
    X(UpdateRoleDescription, GH_ACTION_WRITE)                                                      \
    X(UpdateAssumeRolePolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                               \
    X(DeleteRole, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                           \
    X(ListRoles, 0)                                                                                \
    X(CreatePolicy, GH_ACTION_WRITE)                                                               \
    X(GetPolicy, 0)                                                                                \
    X(DeletePolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                         \
    X(ListPolicies, 0)                                                                             \
    X(GetPolicyVersion, 0)                                                                         \
    X(AttachUserPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                     \
    X(DetachUserPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                     \
    X(AttachRolePolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                     \
    X(DetachRolePolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                     \
    X(ListAttachedUserPolicies, 0)                                                                 \
    X(ListAttachedRolePolicies, 0)                                                                 \
    X(PutUserPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                        \
    X(GetUserPolicy, 0)                                                                            \
    X(DeleteUserPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                     \
    X(ListUserPolicies, 0)                                                                         \
    X(PutRolePolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                        \
    X(GetRolePolicy, 0)                                                                            \
    X(DeleteRolePolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                     \
    X(ListRolePolicies, 0)                                                                         \
    X(TagUser, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                              \
    X(UntagUser, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                            \
    X(ListUserTags, 0)                                                                             \
    X(TagRole, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                              \
    X(UntagRole, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                            \
    X(ListRoleTags, 0)                                                                             \
    X(TagPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                            \
    X(UntagPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                          \
    X(ListPolicyTags, 0)                                                                           \
    X(CreateVirtualMFADevice, GH_ACTION_WRITE)                                                     \
    X(EnableMFADevice, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                      \
    X(DeactivateMFADevice, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                  \
    X(ResyncMFADevice, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                      \
    X(ListMFADevices, 0)                                                                           \
    X(ListVirtualMFADevices, 0)                                                                    \
    X(DeleteVirtualMFADevice, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                               \
    X(TagMFADevice, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                         \
    X(UntagMFADevice, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                       \
    X(ListMFADeviceTags, 0)                                                                        \
    X(CreateLoginProfile, GH_ACTION_WRITE)                                                         \
    X(GetLoginProfile, 0)                                                                          \
    X(UpdateLoginProfile, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                   \
    X(DeleteLoginProfile, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                   \
    X(ChangePassword, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                       \
    X(UpdateAccountPasswordPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                          \
    X(GetAccountPasswordPolicy, 0)                                                                 \
    X(DeleteAccountPasswordPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                          \
    X(CreateOpenIDConnectProvider, GH_ACTION_WRITE)                                                \
    X(GetOpenIDConnectProvider, 0)                                                                 \
    X(DeleteOpenIDConnectProvider, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                          \
    X(ListOpenIDConnectProviders, 0)                                                               \
    X(AddClientIDToOpenIDConnectProvider, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                   \
    X(RemoveClientIDFromOpenIDConnectProvider, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)              \
    X(UpdateOpenIDConnectProviderThumbprint, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                \
    X(TagOpenIDConnectProvider, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                             \
    X(UntagOpenIDConnectProvider, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                           \
    X(ListOpenIDConnectProviderTags, 0)                                                            \
    X(CreateSAMLProvider, GH_ACTION_WRITE)                                                         \
    X(GetSAMLProvider, 0)                                                                          \
    X(UpdateSAMLProvider, GH_ACTION_WRITE)                                                         \
    X(DeleteSAMLProvider, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                   \
    X(ListSAMLProviders, 0)                                                                        \
    X(TagSAMLProvider, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                      \
    X(UntagSAMLProvider, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                    \
    X(ListSAMLProviderTags, 0)

/*
 * ---- groups, policy versions, instance profiles, permissions boundaries
 * (group.c, policy_version.c, instance_profile.c, boundary.c) ----
 */

/* AWS IAM quota: a user is in at most 10 groups. */
#define GH_IAM_GROUPS_PER_USER 10
/* AWS IAM quota: an instance profile holds at most one role. */
#define GH_IAM_ROLES_PER_INSTANCE_PROFILE 1

extern const struct gh_param_rule gh_iam_shape_group_name;            /* groupNameType */
extern const struct gh_param_rule gh_iam_shape_instance_profile_name; /* instanceProfileNameType */

/* As gh_iam_user_load, for group `name` ("The group with name X cannot be found."). */
GH_MUST_CHECK enum gh_err gh_iam_group_load(struct gh_call *c, const char *action,
                                            struct gh_slice name, struct gh_group *out,
                                            struct gh_slice *arn);

/*
 * DeleteUser's and DeleteRole's extra conflicts, for user.c and role.c to
 * call before deleting: fail the call with DeleteConflict in AWS's words
 * while the user is in a group / the role is in an instance profile.
 */
GH_MUST_CHECK enum gh_err gh_iam_user_groups_conflict(struct gh_call *c, struct gh_slice user_id);
GH_MUST_CHECK enum gh_err gh_iam_role_profiles_conflict(struct gh_call *c,
                                                        struct gh_slice role_id);
/*
 * DeleteUser's, DeleteRole's and DeleteGroup's conflict with policies
 * (attach.c): fails the call with DeleteConflict in AWS's words while the
 * entity has managed policies attached, then while it has inline ones.
 */
GH_MUST_CHECK enum gh_err gh_iam_policies_conflict(struct gh_call *c, struct gh_slice entity_id);

#define GH_IAM_ACTIONS_GROUPS(X)                                                                   \
    X(CreateGroup, GH_ACTION_WRITE)                                                                \
    X(GetGroup, 0)                                                                                 \
    X(UpdateGroup, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                          \
    X(DeleteGroup, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                          \
    X(ListGroups, 0)                                                                               \
    X(AddUserToGroup, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                       \
    X(RemoveUserFromGroup, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                  \
    X(ListGroupsForUser, 0)                                                                        \
    X(AttachGroupPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                    \
    X(DetachGroupPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                    \
    X(ListAttachedGroupPolicies, 0)                                                                \
    X(PutGroupPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                       \
    X(GetGroupPolicy, 0)                                                                           \
    X(DeleteGroupPolicy, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                    \
    X(ListGroupPolicies, 0)                                                                        \
    X(CreatePolicyVersion, GH_ACTION_WRITE)                                                        \
    X(ListPolicyVersions, 0)                                                                       \
    X(DeletePolicyVersion, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                  \
    X(SetDefaultPolicyVersion, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                              \
    X(ListEntitiesForPolicy, 0)                                                                    \
    X(CreateInstanceProfile, GH_ACTION_WRITE)                                                      \
    X(GetInstanceProfile, 0)                                                                       \
    X(DeleteInstanceProfile, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                \
    X(ListInstanceProfiles, 0)                                                                     \
    X(AddRoleToInstanceProfile, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                             \
    X(RemoveRoleFromInstanceProfile, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                        \
    X(ListInstanceProfilesForRole, 0)                                                              \
    X(TagInstanceProfile, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                   \
    X(UntagInstanceProfile, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                 \
    X(ListInstanceProfileTags, 0)                                                                  \
    X(PutUserPermissionsBoundary, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                           \
    X(DeleteUserPermissionsBoundary, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                        \
    X(PutRolePermissionsBoundary, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                           \
    X(DeleteRolePermissionsBoundary, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)

/*
 * ---- service condition keys (keys.c) ----
 * The request-specific keys an IAM action adds to its authorization, in
 * the call's arena: aws:RequestTag/KEY + aws:TagKeys for tags in the
 * request, aws:TagKeys for Untag*, iam:PolicyARN, iam:PermissionsBoundary,
 * iam:ResourceTag/KEY + aws:ResourceTag/KEY of the entity acted on.
 */
struct gh_iam_keys {
    struct gh_api_key *items; /* arena; NULL until the first key */
    size_t count;
};

/* Adds one key (values borrowed; `empty` = present with no values). GH_ERR_LIMIT past 208. */
GH_MUST_CHECK enum gh_err gh_iam_keys_add(struct gh_call *c, struct gh_iam_keys *k,
                                          struct gh_slice key, enum gh_policy_type type,
                                          struct gh_slice value, bool empty);
/* aws:RequestTag/KEY for each tag and aws:TagKeys with every key (nothing for n == 0). */
GH_MUST_CHECK enum gh_err gh_iam_keys_request_tags(struct gh_call *c, struct gh_iam_keys *k,
                                                   const struct gh_store_tag *tags, size_t n);
/* aws:TagKeys with `keys` (Untag*). */
GH_MUST_CHECK enum gh_err gh_iam_keys_tag_keys(struct gh_call *c, struct gh_iam_keys *k,
                                               const struct gh_slice *keys, size_t n);
/* iam:ResourceTag/KEY and aws:ResourceTag/KEY from the tags of entity `entity_id`. */
GH_MUST_CHECK enum gh_err gh_iam_keys_resource_tags(struct gh_call *c, struct gh_iam_keys *k,
                                                    struct gh_slice entity_id);
/* gh_call_authorize_ctx with `k` (NULL = no extra keys); NOMEM when `resource` is {NULL,0}. */
GH_MUST_CHECK enum gh_err gh_iam_authorize(struct gh_call *c, const char *action,
                                           struct gh_slice resource, const struct gh_iam_keys *k);
/*
 * CreateUser's, CreateRole's and CreatePolicy's authorization: *path "/"
 * when absent, *arn the new entity's (`kind`, *path, `name`), and
 * `action` authorized on it with aws:RequestTag/KEY and aws:TagKeys for
 * `tags` and iam:PermissionsBoundary for `boundary` when given ({NULL,0}
 * when not).
 */
GH_MUST_CHECK enum gh_err gh_iam_create_authorize(struct gh_call *c, const char *action,
                                                  const char *kind, struct gh_slice name,
                                                  const struct gh_iam_tags *tags,
                                                  struct gh_slice boundary, struct gh_slice *path,
                                                  struct gh_slice *arn);
/*
 * gh_iam_user_load / gh_iam_role_load with `extra` keys (may be NULL);
 * an existing entity adds its tags as iam:/aws:ResourceTag/KEY and, for
 * the actions AWS lists, its boundary as iam:PermissionsBoundary.
 */
GH_MUST_CHECK enum gh_err gh_iam_user_load_keys(struct gh_call *c, const char *action,
                                                struct gh_slice name,
                                                const struct gh_iam_keys *extra,
                                                struct gh_user *out, struct gh_slice *arn);
GH_MUST_CHECK enum gh_err gh_iam_role_load_keys(struct gh_call *c, const char *action,
                                                struct gh_slice name,
                                                const struct gh_iam_keys *extra,
                                                struct gh_role *out, struct gh_slice *arn);

/* What loading one kind of entity by name needs to know of it. */
struct gh_iam_entity_kind {
    const char *arn_type; /* "user", "role", "group", "instance-profile" */
    const char *missing;  /* NoSuchEntity: this, the name, " cannot be found." */
    bool keyed;           /* its tags (and boundary) are condition keys, as for users and roles */
};

/* The members of a loaded entity that its ARN and condition keys come from. */
struct gh_iam_entity_ref {
    struct gh_slice path, name, id, boundary;
};

/*
 * The rest of every entity load once the store has answered `found` for
 * `name` (GH_OK with `e` read, GH_ERR_NOT_FOUND, or an error, returned as
 * is): sets *arn (the entity's, or the one it would have at path "/"),
 * authorizes `action` on it with `extra` (may be NULL) and, when k->keyed
 * and it exists, its keys as gh_iam_user_load_keys adds them; then fails
 * the call with NoSuchEntity when it does not exist.
 */
GH_MUST_CHECK enum gh_err
gh_iam_entity_authorize(struct gh_call *c, const char *action, const struct gh_iam_entity_kind *k,
                        struct gh_slice name, enum gh_err found, const struct gh_iam_entity_ref *e,
                        const struct gh_iam_keys *extra, struct gh_slice *arn);

/* The policy simulator (simulate.c). */
#define GH_IAM_ACTIONS_SIMULATE(X)                                                                 \
    X(SimulatePrincipalPolicy, 0)                                                                  \
    X(SimulateCustomPolicy, 0)

#define GH_IAM_DECLARE(name, flags) GH_MUST_CHECK enum gh_err gh_iam_##name(struct gh_call *c);
GH_IAM_ACTIONS(GH_IAM_DECLARE)
GH_IAM_ACTIONS_GROUPS(GH_IAM_DECLARE)
GH_IAM_ACTIONS_SIMULATE(GH_IAM_DECLARE)
#undef GH_IAM_DECLARE

#endif
