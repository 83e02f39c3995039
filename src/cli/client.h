/*
 * client.h: the client side of the gatehouse workload commands (instance,
 * exec, credential-process): the caller's AWS credentials from the usual
 * chain, and SigV4-signed STS calls to the gatehouse server over libcurl.
 */
#ifndef GH_CLI_CLIENT_H
#define GH_CLI_CLIENT_H

#include "core/core.h"
#include "creds/creds.h"
#include "crypto/crypto.h"

/* Largest STS answer read (a Credentials response is a few KiB). */
#define GH_CLI_RESPONSE_MAX ((size_t)1024 * 1024)
/* Largest shared-credentials or config file read. */
#define GH_CLI_AWS_FILE_MAX ((size_t)1024 * 1024)

/* The caller's credentials for the gatehouse server. */
struct gh_cli_aws {
    char access_key_id[129];
    struct gh_secret secret;
    char *session_token; /* heap; NULL when none */
    char region[64];
    char source[1400]; /* where they were found, for messages */
};

/* Once per process, before any thread starts (curl_global_init). */
GH_MUST_CHECK enum gh_err gh_cli_client_init(void);

/*
 * Loads credentials as the AWS CLI does: AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN from the environment unless a
 * profile is named; else profile `profile` (or AWS_PROFILE, or "default")
 * of AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials), then of
 * AWS_CONFIG_FILE (default ~/.aws/config). Region from AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's config, else us-east-1. On failure
 * `why` says what is missing.
 */
GH_MUST_CHECK enum gh_err gh_cli_aws_load(const char *profile, struct gh_cli_aws *out, char *why,
                                          size_t why_len);
/* Wipes the secret, frees the token. */
void gh_cli_aws_clear(struct gh_cli_aws *a);

/* Appends "&name=value" (the '&' only when `b` is not empty), URI-encoded. */
void gh_cli_form_add(struct gh_buf *b, const char *name, const char *value);

/*
 * POSTs `form` to the STS Query API at `endpoint`, signed with `a`
 * (service sts, a's region). *status gets the HTTP status, the body goes
 * into `out`. GH_ERR_IO (with `why`) when no answer came.
 */
GH_MUST_CHECK enum gh_err gh_cli_sts_post(const char *endpoint, const struct gh_cli_aws *a,
                                          struct gh_slice form, struct gh_buf *out, long *status,
                                          char *why, size_t why_len);
/*
 * An STS action that answers with Credentials (AssumeRole,
 * AssumeRoleForService) into `out`. An AWS error is GH_ERR_ACCESS_DENIED
 * or another code with "Code: Message" in `why`.
 */
GH_MUST_CHECK enum gh_err gh_cli_sts_credentials(const char *endpoint, const struct gh_cli_aws *a,
                                                 struct gh_slice form, struct gh_creds_set *out,
                                                 char *why, size_t why_len);

#endif
