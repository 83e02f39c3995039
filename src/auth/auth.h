/*
 * auth.h: who is calling. SigV4 verification (Authorization header or
 * presigned query) and the principal it resolves to.
 */
#ifndef GH_AUTH_H
#define GH_AUTH_H

#include "core/core.h"
#include "crypto/crypto.h"
#include "http/http.h"

enum gh_principal_type {
    GH_PRINCIPAL_ANONYMOUS = 0, /* unsigned request (some STS actions) */
    GH_PRINCIPAL_ROOT,
    GH_PRINCIPAL_USER,
    GH_PRINCIPAL_ASSUMED_ROLE,
    GH_PRINCIPAL_FEDERATED_USER,
};

/* The authenticated caller of one request; arena-owned strings. */
struct gh_principal {
    enum gh_principal_type type;
    char account[13];          /* 12-digit account id */
    struct gh_slice arn;       /* arn:aws:iam::ACCOUNT:root | user/PATH/NAME | sts assumed-role ARN */
    struct gh_slice user_id;   /* account id for root, AIDA... for users, AROA...:session */
    struct gh_slice name;      /* user name, role name, federated name; empty for root */
    struct gh_slice path;      /* user or role path */
    struct gh_slice session;   /* role session name */
    struct gh_slice access_key_id;
    bool mfa;                  /* aws:MultiFactorAuthPresent */
    int64_t token_issued;      /* session credentials: issue time; 0 otherwise */
};

#endif
