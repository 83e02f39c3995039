/*
 * iam_ext.h: what the credential, provider and account files of src/iam/
 * share (mfa.c, login_profile.c, provider.c, account.c ...): record kinds,
 * JSON helpers for record data, tags of records, the user a per-user
 * action is about, and the AWS error codes core/ does not have yet.
 * Only src/iam/ and its unit tests include it.
 */
#ifndef GH_IAM_EXT_H
#define GH_IAM_EXT_H

#include <jansson.h>

#include "iam/iam_int.h"

/* AWS error codes of these actions, by their gh_err in core/ (core.h). */
#define GH_IAM_ERR_AUTH_CODE GH_ERR_INVALID_AUTH_CODE          /* InvalidAuthenticationCode */
#define GH_IAM_ERR_PASSWORD_POLICY GH_ERR_PASSWORD_POLICY      /* PasswordPolicyViolation */
#define GH_IAM_ERR_REPORT_NOT_PRESENT GH_ERR_REPORT_NOT_PRESENT /* ReportNotPresent */
#define GH_IAM_ERR_BAD_KEY GH_ERR_INVALID_PUBLIC_KEY           /* InvalidPublicKey */
#define GH_IAM_ERR_BAD_CERT GH_ERR_MALFORMED_CERT              /* MalformedCertificate */
#define GH_IAM_ERR_DUPLICATE GH_ERR_DUPLICATE_SSH_KEY          /* DuplicateSSHPublicKey */
#define GH_IAM_ERR_USER_TYPE GH_ERR_INVALID_USER_TYPE          /* InvalidUserType */

/* Record kinds (gh_store_rec.kind). */
#define GH_IAM_REC_MFA "mfa"          /* id = serial (ARN); owner = user id once enabled */
#define GH_IAM_REC_LOGIN "login"      /* id = user id */
#define GH_IAM_REC_PWPOLICY "pwpolicy" /* id = "policy" */
#define GH_IAM_REC_OIDC "oidc"        /* id = ARN */
#define GH_IAM_REC_SAML "saml"        /* id = ARN */
#define GH_IAM_REC_ALIAS "alias"      /* account "", id = alias; owner = account */
#define GH_IAM_REC_SSH "ssh"          /* id = APKA...; owner = user id */
#define GH_IAM_REC_CERT "cert"        /* id = certificate id; owner = user id */
#define GH_IAM_REC_REPORT "report"    /* id = "credential" */
#define GH_IAM_REC_TASK "slrtask"     /* id = deletion task id */
#define GH_IAM_REC_VERSION_SEQ "pvseq" /* id = policy id (ANPA...); status = highest version issued */

/* AWS IAM quotas used here ("IAM object quotas"). */
#define GH_IAM_SSH_KEYS_PER_USER 5
#define GH_IAM_SIGNING_CERTS_PER_USER 2
#define GH_IAM_MFA_PER_USER 8
#define GH_IAM_OIDC_CLIENT_IDS_MAX 100
#define GH_IAM_OIDC_THUMBPRINTS_MAX 5
#define GH_IAM_OIDC_PROVIDERS_MAX 100
#define GH_IAM_SAML_PROVIDERS_MAX 100
#define GH_IAM_USERS_QUOTA 5000
#define GH_IAM_GROUPS_QUOTA 300
#define GH_IAM_ROLES_QUOTA 1000
#define GH_IAM_POLICIES_QUOTA 1500

/* The record's data as a JSON object (new reference; an empty object when data is empty). */
GH_MUST_CHECK enum gh_err gh_iam_rec_json(const struct gh_store_rec *r, json_t **out);
/* `obj` serialised into the arena (compact, keys sorted) as *out. */
GH_MUST_CHECK enum gh_err gh_iam_json_dump(struct gh_call *c, json_t *obj, struct gh_slice *out);
/* Member `key` of `obj` as a slice into the JSON (valid while obj lives); "" when absent. */
struct gh_slice gh_iam_json_str(json_t *obj, const char *key);
int64_t gh_iam_json_int(json_t *obj, const char *key);

/*
 * The user a per-user credential action is about: the named one, else the
 * calling user (root and role sessions get AWS's ValidationError unless
 * `root_ok`, where *u is zeroed for the root). Authorizes `action` on the
 * user's ARN.
 */
GH_MUST_CHECK enum gh_err gh_iam_target_user(struct gh_call *c, const char *action,
                                             struct gh_slice given, bool root_ok,
                                             struct gh_user *u);

/*
 * Tag, Untag and List...Tags for an entity whose tags are keyed by
 * `entity_id` (a record's ARN or serial, or a user's, role's, policy's or
 * instance profile's unique id). The caller has read the parameters
 * (gh_iam_tags_read, gh_iam_tag_keys_read, gh_call_page), loaded and
 * authorized the entity.
 */
GH_MUST_CHECK enum gh_err gh_iam_rec_tag(struct gh_call *c, struct gh_slice entity_id,
                                         const struct gh_iam_tags *tags);
GH_MUST_CHECK enum gh_err gh_iam_rec_untag(struct gh_call *c, struct gh_slice entity_id,
                                           const struct gh_slice *keys, size_t nkeys);
GH_MUST_CHECK enum gh_err gh_iam_rec_tags_list(struct gh_call *c, struct gh_slice entity_id,
                                               const struct gh_store_page *page);
/* Reads and validates TagKeys.member.N (required). */
GH_MUST_CHECK enum gh_err gh_iam_tag_keys_read(struct gh_call *c, struct gh_slice **keys,
                                               size_t *nkeys);

/* Index-based Marker for small in-memory lists: *start from the marker (InvalidInput if bad). */
GH_MUST_CHECK enum gh_err gh_iam_index_marker(struct gh_call *c, const struct gh_store_page *page,
                                              size_t n, size_t *start);
/* Writes IsTruncated/Marker for an index-paged list that showed [start, end) of n. */
void gh_iam_index_page_end(struct gh_call *c, size_t end, size_t n);

/* Base64 of `n` bytes as an XML element. */
void gh_iam_elem_base64(struct gh_call *c, const char *tag, const void *p, size_t n);

/*
 * Checks `password` against the account's password policy (AWS's default
 * policy when none is set) and, with `history` (a JSON array of earlier
 * argon2 hashes, may be NULL), its reuse rule. Fails the call with
 * PasswordPolicyViolation in AWS's words; GH_OK when acceptable.
 */
GH_MUST_CHECK enum gh_err gh_iam_password_check(struct gh_call *c, struct gh_slice password,
                                                json_t *history);
/* The policy's PasswordReusePrevention (0 = none). */
GH_MUST_CHECK enum gh_err gh_iam_password_reuse(struct gh_call *c, int64_t *out);

/* Whether the policy lets users change their own password (AllowUsersToChangePassword). */
GH_MUST_CHECK enum gh_err gh_iam_password_allows_change(struct gh_call *c, bool *out);

/*
 * DeleteUser's conflicts with the credentials kept here (login profile,
 * signing certificates, SSH keys, MFA devices): fails the call with
 * DeleteConflict in AWS's words while any exists.
 */
GH_MUST_CHECK enum gh_err gh_iam_user_credentials_conflict(struct gh_call *c,
                                                           const struct gh_user *u);

/*
 * ---- a user's credentials kept as records with an id and a status: SSH
 * public keys and signing certificates (user_cred.c) ----
 */

/* What the actions of one kind of credential differ in. */
struct gh_iam_cred {
    const char *kind;                       /* record kind: GH_IAM_REC_SSH, _CERT, _MFA */
    const char *noun;                       /* "The <noun> with id X cannot be found." */
    const char *id_param;                   /* "SSHPublicKeyId", "CertificateId" */
    const struct gh_param_rule *id_shape;   /* its shape */
    const struct gh_param_rule *user_shape; /* UserName's shape */
    bool root_ok;                           /* the root holds these too; UserName optional */
};

/* publicKeyMaterialType, the same as certificateBodyType. */
extern const struct gh_param_rule gh_iam_shape_cred_body;
/* "Active" or "Inactive" for a record's status (enum gh_key_status). */
const char *gh_iam_cred_status_name(int64_t status);
/* Whose records: the user's unique id, or the account id for the root (*u zeroed). */
struct gh_slice gh_iam_cred_owner(struct gh_call *c, const struct gh_user *u);
/* The owner's record `id` of kind k into *r; fails the call with
 * NoSuchEntity in AWS's words when absent or another's. */
GH_MUST_CHECK enum gh_err gh_iam_cred_load(struct gh_call *c, const struct gh_iam_cred *k,
                                           const struct gh_user *u, struct gh_slice id,
                                           struct gh_store_rec *r);
/*
 * List... (UserName, Marker, MaxItems): <list_elem> with a <member> for
 * each of the user's records, its children written by `render`.
 */
GH_MUST_CHECK enum gh_err gh_iam_cred_list(struct gh_call *c, const struct gh_iam_cred *k,
                                           const char *action, const char *list_elem,
                                           enum gh_err (*render)(struct gh_call *c,
                                                                 const struct gh_user *u,
                                                                 const struct gh_store_rec *r));
/* Update... (UserName, the id, Status) and Delete... (UserName, the id). */
GH_MUST_CHECK enum gh_err gh_iam_cred_update(struct gh_call *c, const struct gh_iam_cred *k,
                                             const char *action);
GH_MUST_CHECK enum gh_err gh_iam_cred_delete(struct gh_call *c, const struct gh_iam_cred *k,
                                             const char *action);

/*
 * ---- account, reports, service-linked roles, SSH keys, signing
 * certificates (account.c, report.c, service_linked.c, ssh_key.c,
 * signing_cert.c) ----
 */

/*
 * Run by the action table before each role action: fails the call with
 * UnmodifiableEntity in AWS's words when the action is one AWS keeps to
 * itself for service-linked roles (DeleteRole, UpdateAssumeRolePolicy,
 * UpdateRole, Put/DeleteRolePolicy, Attach/DetachRolePolicy,
 * Put/DeleteRolePermissionsBoundary) and RoleName names such a role (path
 * /aws-service-role/...), after authorizing the action on it; GH_OK
 * otherwise, leaving parameter checks to the handler.
 */
GH_MUST_CHECK enum gh_err gh_iam_role_guard(struct gh_call *c);

/*
 * Records that access key `akid` authenticated a request for `service` in
 * `region` at `now` (GetAccessKeyLastUsed, the credential report): for the
 * front door to call after authentication, outside any transaction. It
 * writes, in its own write transaction, only when the stored time is over
 * 60 s old; a small sharded in-process cache of recent writes spares the
 * read in between. GH_ERR_NOT_FOUND for an unknown (e.g. temporary) key.
 */
GH_MUST_CHECK enum gh_err gh_iam_key_used(struct gh_store *s, struct gh_slice akid,
                                          struct gh_slice service, struct gh_slice region,
                                          int64_t now);

#define GH_IAM_ACTIONS_ACCOUNT(X)                                                                  \
    X(CreateAccountAlias, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                   \
    X(DeleteAccountAlias, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                   \
    X(ListAccountAliases, 0)                                                                       \
    X(GetAccountSummary, 0)                                                                        \
    X(GetAccountAuthorizationDetails, 0)                                                           \
    X(GenerateCredentialReport, GH_ACTION_WRITE)                                                   \
    X(GetCredentialReport, 0)                                                                      \
    X(GetAccessKeyLastUsed, 0)                                                                     \
    X(CreateServiceLinkedRole, GH_ACTION_WRITE)                                                    \
    X(DeleteServiceLinkedRole, GH_ACTION_WRITE)                                                    \
    X(GetServiceLinkedRoleDeletionStatus, 0)

/* SSH public keys (ssh_key.c) and signing certificates (signing_cert.c). */
#define GH_IAM_ACTIONS_KEYS(X)                                                                     \
    X(UploadSSHPublicKey, GH_ACTION_WRITE)                                                         \
    X(GetSSHPublicKey, 0)                                                                          \
    X(ListSSHPublicKeys, 0)                                                                        \
    X(UpdateSSHPublicKey, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                   \
    X(DeleteSSHPublicKey, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                                   \
    X(UploadSigningCertificate, GH_ACTION_WRITE)                                                   \
    X(ListSigningCertificates, 0)                                                                  \
    X(UpdateSigningCertificate, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)                             \
    X(DeleteSigningCertificate, GH_ACTION_WRITE | GH_ACTION_NO_RESULT)

#define GH_IAM_DECLARE_EXT(name, flags) GH_MUST_CHECK enum gh_err gh_iam_##name(struct gh_call *c);
GH_IAM_ACTIONS_ACCOUNT(GH_IAM_DECLARE_EXT)
GH_IAM_ACTIONS_KEYS(GH_IAM_DECLARE_EXT)
#undef GH_IAM_DECLARE_EXT

#endif
