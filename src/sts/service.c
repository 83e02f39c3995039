/*
 * service.c: the STS dispatch table.
 */
#include "sts/sts_int.h"

static const struct gh_action actions[] = {
    {"AssumeRole", gh_sts_assume_role, 0},
    {"AssumeRoleForService", gh_sts_assume_role_for_service, 0}, /* gatehouse extension */
    {"AssumeRoleWithSAML", gh_sts_assume_role_with_saml, GH_ACTION_UNSIGNED},
    {"AssumeRoleWithWebIdentity", gh_sts_assume_role_with_web_identity, GH_ACTION_UNSIGNED},
    {"DecodeAuthorizationMessage", gh_sts_decode_authorization_message, 0},
    {"GetAccessKeyInfo", gh_sts_get_access_key_info, 0},
    {"GetCallerIdentity", gh_sts_get_caller_identity, 0},
    {"GetFederationToken", gh_sts_get_federation_token, 0},
    {"GetSessionToken", gh_sts_get_session_token, 0},
};

const struct gh_service gh_sts_service = {
    .name = "sts",
    .version = "2011-06-15",
    .xmlns = "https://sts.amazonaws.com/doc/2011-06-15/",
    .actions = actions,
    .nactions = GH_ARRAY_LEN(actions),
};
