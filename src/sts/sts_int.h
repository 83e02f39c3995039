/*
 * sts_int.h: the STS action handlers and what they share.
 */
#ifndef GH_STS_INT_H
#define GH_STS_INT_H

#include "api/api.h"
#include "auth/auth.h"
#include "sts/sts.h"

/* AWS STS session lengths (API reference, DurationSeconds). */
#define GH_STS_ROLE_DEFAULT_S 3600
#define GH_STS_CHAINED_MAX_S 3600
#define GH_STS_USER_SESSION_DEFAULT_S 43200
#define GH_STS_USER_SESSION_MAX_S 129600
#define GH_STS_ROOT_SESSION_MAX_S 3600
#define GH_STS_SESSION_MIN_S 900

extern const struct gh_param_rule gh_sts_shape_role_arn;
extern const struct gh_param_rule gh_sts_shape_session_name;
extern const struct gh_param_rule gh_sts_shape_source_identity;
extern const struct gh_param_rule gh_sts_shape_external_id;
extern const struct gh_param_rule gh_sts_shape_serial;
extern const struct gh_param_rule gh_sts_shape_token_code;
extern const struct gh_param_rule gh_sts_shape_policy;
extern const struct gh_param_rule gh_sts_shape_federated_name;

/* Reads Policy, PolicyArns, Tags and TransitiveTagKeys into `s`, validated. */
GH_MUST_CHECK enum gh_err gh_sts_session_params(struct gh_call *c, struct gh_session *s,
                                                bool allow_tags);
/* Compiles the session policy, checks the PolicyArns exist, computes PackedPolicySize (-1 when none). */
GH_MUST_CHECK enum gh_err gh_sts_session_policies_check(struct gh_call *c,
                                                        const struct gh_session *s,
                                                        int *packed_pct);
/* Verifies an MFA code for the caller (AccessDenied when it does not verify). */
GH_MUST_CHECK enum gh_err gh_sts_mfa_check(struct gh_call *c, struct gh_slice serial,
                                          struct gh_slice code);
/* Carries the transitive session tags of `prev` into `s` (role chaining). */
GH_MUST_CHECK enum gh_err gh_sts_inherit_tags(struct gh_call *c, const struct gh_session *prev,
                                             struct gh_session *s);
/* A new ASIA key id and secret in `s`. */
GH_MUST_CHECK enum gh_err gh_sts_mint(struct gh_call *c, struct gh_session *s);
/* Seals `s` and writes <Credentials>. */
GH_MUST_CHECK enum gh_err gh_sts_credentials_render(struct gh_call *c, const struct gh_session *s);

GH_MUST_CHECK enum gh_err gh_sts_get_caller_identity(struct gh_call *c);
GH_MUST_CHECK enum gh_err gh_sts_get_session_token(struct gh_call *c);
GH_MUST_CHECK enum gh_err gh_sts_assume_role(struct gh_call *c);
GH_MUST_CHECK enum gh_err gh_sts_get_federation_token(struct gh_call *c);
GH_MUST_CHECK enum gh_err gh_sts_get_access_key_info(struct gh_call *c);
GH_MUST_CHECK enum gh_err gh_sts_decode_authorization_message(struct gh_call *c);
/* gatehouse extension: role credentials for a host standing in for a service. */
GH_MUST_CHECK enum gh_err gh_sts_assume_role_for_service(struct gh_call *c);

/* ---- federation (web_identity.c, saml.c) ---- */

struct gh_fed_tag;

/* What a federated assume-role asks for; ctx already holds the provider's keys. */
struct gh_fed_grant {
    const char *action;         /* "sts:AssumeRoleWithWebIdentity" */
    struct gh_slice role_arn;
    int64_t duration_s;
    struct gh_policy_ctx *ctx;  /* principal and condition keys set */
    /* When not empty: the assertion's replay key, used up (until
     * `use_once_until`) once the trust policy allows, before credentials
     * are made; a second use is InvalidIdentityToken. */
    struct gh_slice use_once_key;
    int64_t use_once_until;
};

/* arn:aws:iam::ACCOUNT:role/PATH/NAME -> parts; GH_ERR_VALIDATION otherwise. */
GH_MUST_CHECK enum gh_err gh_sts_fed_role_arn(struct gh_slice arn, struct gh_slice *account,
                                              struct gh_slice *path, struct gh_slice *name);
/* Adds condition key PREFIX+SUFFIX = v (string). */
GH_MUST_CHECK enum gh_err gh_sts_fed_key(struct gh_call *c, struct gh_policy_ctx *ctx,
                                         struct gh_slice prefix, const char *suffix,
                                         struct gh_slice v);
/* Session tags given by the IdP into `s` (AWS's limits). */
GH_MUST_CHECK enum gh_err gh_sts_fed_tags(struct gh_call *c, const struct gh_fed_tag *tags,
                                          size_t ntags, const struct gh_slice *trans,
                                          size_t ntrans, struct gh_session *s);
/* sts:RoleSessionName, aws:CurrentTime/EpochTime, aws:RequestTag/..., aws:TagKeys. */
GH_MUST_CHECK enum gh_err gh_sts_fed_request_keys(struct gh_call *c, struct gh_policy_ctx *ctx,
                                                  const struct gh_session *s);
/*
 * The role, its MaxSessionDuration, session policies, the trust policy's
 * decision (and sts:TagSession when tags), the single use of the
 * assertion (g->use_once_key), then the session: writes
 * Credentials, AssumedRoleUser and PackedPolicySize. The caller wipes
 * s->secret.
 */
GH_MUST_CHECK enum gh_err gh_sts_fed_finish(struct gh_call *c, const struct gh_fed_grant *g,
                                            struct gh_session *s);
GH_MUST_CHECK enum gh_err gh_sts_assume_role_with_web_identity(struct gh_call *c);
GH_MUST_CHECK enum gh_err gh_sts_assume_role_with_saml(struct gh_call *c);

#endif
