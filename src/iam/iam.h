/*
 * iam.h: the IAM Query API (Version=2010-05-08): users, access keys,
 * roles, managed and inline policies, attachments and tags, as handlers
 * for the api/ framework.
 */
#ifndef GH_IAM_H
#define GH_IAM_H

#include "api/api.h"

/* The IAM service: every action this module serves, for gh_api_deps.services. */
extern const struct gh_service gh_iam_service;

/* What a policy document is for; decides its size quota and grammar. */
enum gh_iam_doc_kind {
    GH_IAM_DOC_USER_INLINE = 0, /* PutUserPolicy: 2048 characters per user, all inline together */
    GH_IAM_DOC_ROLE_INLINE,     /* PutRolePolicy: 10240 per role, all inline together */
    GH_IAM_DOC_MANAGED,         /* CreatePolicy: 6144 */
    GH_IAM_DOC_TRUST,           /* a role's AssumeRolePolicyDocument: 2048 */
    GH_IAM_DOC_GROUP_INLINE,    /* PutGroupPolicy: 5120 per group, all inline together */
};

/*
 * Checks a policy document as AWS does before storing it: the size quota
 * of `kind` counting characters other than whitespace (`others_chars`
 * adds the entity's other inline policies, `entity` names it in the
 * message), then the grammar. Fails the call with LimitExceeded or
 * MalformedPolicyDocument in AWS's words; GH_OK when acceptable.
 */
GH_MUST_CHECK enum gh_err gh_iam_doc_check(struct gh_call *c, enum gh_iam_doc_kind kind,
                                           struct gh_slice doc, size_t others_chars,
                                           struct gh_slice entity);

/* Characters of `doc` that count against AWS's policy size quotas (all but whitespace). */
size_t gh_iam_doc_chars(struct gh_slice doc);

/*
 * Checks an MFA code for STS (AssumeRole, GetSessionToken with
 * SerialNumber and TokenCode): `serial` must be a virtual MFA device of
 * `account` enabled for a user (for `user_name` when not empty), and
 * `code` its TOTP code (RFC 6238, 30 s steps, 6 digits) within one step
 * of `now`. A code is accepted once: the step it came from is recorded,
 * so `tx` must be a write transaction. GH_OK, or GH_ERR_ACCESS_DENIED for
 * any mismatch; other errors are store failures.
 */
GH_MUST_CHECK enum gh_err gh_iam_mfa_verify(struct gh_store_tx *tx, struct gh_slice account,
                                            struct gh_slice serial, struct gh_slice user_name,
                                            struct gh_slice code, int64_t now);

/* An identity provider as federation (AssumeRoleWithWebIdentity / WithSAML) needs it. */
struct gh_iam_provider {
    bool saml;                     /* false: OpenID Connect */
    struct gh_slice arn;
    struct gh_slice url;           /* OIDC: issuer without "https://"; empty for SAML */
    struct gh_slice *client_ids;   /* OIDC audiences */
    size_t nclient_ids;
    struct gh_slice *thumbprints;  /* OIDC: 40 hex digits each */
    size_t nthumbprints;
    struct gh_slice metadata;      /* SAML: the metadata document as given */
    int64_t valid_until;           /* SAML: 0 = none */
    int64_t created;
};

/*
 * Looks up provider `arn` (arn:aws:iam::ACCT:oidc-provider/HOST/PATH or
 * ...:saml-provider/NAME) of `account`; strings in `a`. GH_ERR_NOT_FOUND
 * when there is none.
 */
GH_MUST_CHECK enum gh_err gh_iam_provider_get(struct gh_store_tx *tx, struct gh_arena *a,
                                              struct gh_slice account, struct gh_slice arn,
                                              struct gh_iam_provider *out);

/*
 * Records that long-term key `akid` authenticated a request for `service`
 * in `region` (GetAccessKeyLastUsed, the credential report); at most one
 * write per key per minute. For gh_api_deps.key_used.
 */
GH_MUST_CHECK enum gh_err gh_iam_key_used(struct gh_store *s, struct gh_slice akid,
                                          struct gh_slice service, struct gh_slice region,
                                          int64_t now);

#endif
