/*
 * err.c: the one table that maps gatehouse errors to what AWS clients see
 * (error Code, Sender/Receiver type, HTTP status), and diagnostics helpers.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

struct row {
    enum gh_err err;
    struct gh_err_info info;
    const char *str;
};

/* AWS IAM/STS "Common Errors" give the codes and statuses. */
static const struct row rows[] = {
    {GH_OK, {"OK", false, 200}, "ok"},
    {GH_ERR_INTERNAL, {"InternalFailure", false, 500}, "internal error"},
    {GH_ERR_NOMEM, {"ServiceFailure", false, 500}, "out of memory"},
    {GH_ERR_IO, {"ServiceFailure", false, 500}, "i/o error"},
    {GH_ERR_TOO_LARGE, {"RequestEntityTooLarge", true, 413}, "too large"},
    {GH_ERR_NOT_FOUND, {"NoSuchEntity", true, 404}, "not found"},
    {GH_ERR_EXISTS, {"EntityAlreadyExists", true, 409}, "already exists"},
    {GH_ERR_VALIDATION, {"ValidationError", true, 400}, "validation error"},
    {GH_ERR_INVALID_INPUT, {"InvalidInput", true, 400}, "invalid input"},
    {GH_ERR_MISSING_PARAM, {"MissingParameter", true, 400}, "missing parameter"},
    {GH_ERR_INVALID_PARAM, {"InvalidParameterValue", true, 400}, "invalid parameter"},
    {GH_ERR_INVALID_ACTION, {"InvalidAction", true, 400}, "invalid action"},
    {GH_ERR_MALFORMED_QUERY, {"MalformedQueryString", true, 404}, "malformed query"},
    {GH_ERR_LIMIT, {"LimitExceeded", true, 409}, "limit exceeded"},
    {GH_ERR_DELETE_CONFLICT, {"DeleteConflict", true, 409}, "delete conflict"},
    {GH_ERR_MALFORMED_POLICY, {"MalformedPolicyDocument", true, 400}, "malformed policy"},
    {GH_ERR_ACCESS_DENIED, {"AccessDenied", true, 403}, "access denied"},
    {GH_ERR_MISSING_AUTH, {"MissingAuthenticationToken", true, 403}, "missing authentication"},
    {GH_ERR_INCOMPLETE_SIG, {"IncompleteSignature", true, 400}, "incomplete signature"},
    {GH_ERR_INVALID_TOKEN_ID, {"InvalidClientTokenId", true, 403}, "invalid client token id"},
    {GH_ERR_SIGNATURE, {"SignatureDoesNotMatch", true, 403}, "signature mismatch"},
    {GH_ERR_REQUEST_EXPIRED, {"RequestExpired", true, 400}, "request expired"},
    {GH_ERR_EXPIRED_TOKEN, {"ExpiredToken", true, 400}, "expired token"},
    {GH_ERR_SIGNATURE_EXPIRED, {"SignatureDoesNotMatch", true, 403}, "signature expired"},
    {GH_ERR_INVALID_VERSION, {"InvalidAction", true, 400}, "invalid version"},
    {GH_ERR_UNMODIFIABLE, {"UnmodifiableEntity", true, 400}, "unmodifiable entity"},
    {GH_ERR_CONCURRENT, {"ConcurrentModification", true, 409}, "concurrent modification"},
    {GH_ERR_PACKED_POLICY, {"PackedPolicyTooLarge", true, 400}, "packed policy too large"},
    {GH_ERR_QUERY_AUTH, {"AuthorizationQueryParametersError", true, 400}, "bad query auth"},
    {GH_ERR_NOT_IMPLEMENTED, {"NotImplemented", true, 501}, "not implemented"},
    {GH_ERR_METHOD, {"MethodNotAllowed", true, 405}, "method not allowed"},
    {GH_ERR_INVALID_QUERY_PARAMETER, {"InvalidQueryParameter", true, 400}, "invalid query parameter"},
    /* AWS STS API reference, AssumeRoleWithWebIdentity / AssumeRoleWithSAML errors. */
    {GH_ERR_INVALID_IDENTITY_TOKEN, {"InvalidIdentityToken", true, 400}, "invalid identity token"},
    {GH_ERR_EXPIRED_TOKEN_EXCEPTION, {"ExpiredTokenException", true, 400}, "expired identity token"},
    {GH_ERR_IDP_REJECTED_CLAIM, {"IDPRejectedClaim", true, 403}, "identity provider rejected claim"},
    {GH_ERR_IDP_COMMUNICATION, {"IDPCommunicationError", true, 400}, "identity provider unreachable"},
    /* AWS IAM API reference, each action's Errors section. */
    {GH_ERR_INVALID_AUTH_CODE, {"InvalidAuthenticationCode", true, 403}, "invalid MFA code"},
    {GH_ERR_PASSWORD_POLICY, {"PasswordPolicyViolation", true, 400}, "password policy violation"},
    {GH_ERR_REPORT_NOT_PRESENT, {"ReportNotPresent", true, 410}, "report not present"},
    {GH_ERR_REPORT_EXPIRED, {"ReportExpired", true, 410}, "report expired"},
    {GH_ERR_REPORT_IN_PROGRESS, {"ReportInProgress", true, 404}, "report in progress"},
    {GH_ERR_TEMP_UNMODIFIABLE, {"EntityTemporarilyUnmodifiable", true, 409}, "temporarily unmodifiable"},
    {GH_ERR_INVALID_PUBLIC_KEY, {"InvalidPublicKey", true, 400}, "invalid public key"},
    {GH_ERR_KEY_ENCODING, {"UnrecognizedPublicKeyEncoding", true, 400}, "unrecognized key encoding"},
    {GH_ERR_DUPLICATE_SSH_KEY, {"DuplicateSSHPublicKey", true, 400}, "duplicate SSH key"},
    {GH_ERR_MALFORMED_CERT, {"MalformedCertificate", true, 400}, "malformed certificate"},
    {GH_ERR_INVALID_CERT, {"InvalidCertificate", true, 400}, "invalid certificate"},
    {GH_ERR_DUPLICATE_CERT, {"DuplicateCertificate", true, 409}, "duplicate certificate"},
    {GH_ERR_INVALID_USER_TYPE, {"InvalidUserType", true, 400}, "invalid user type"},
};

static const struct row *
find(enum gh_err err)
{
    for (size_t i = 0; i < GH_ARRAY_LEN(rows); i++)
        if (rows[i].err == err)
            return &rows[i];
    return &rows[1]; /* InternalFailure */
}

const struct gh_err_info *
gh_err_info(enum gh_err err)
{
    return &find(err)->info;
}

const char *
gh_err_str(enum gh_err err)
{
    return find(err)->str;
}

void
gh_diag_clear(struct gh_diag *d)
{
    if (d == NULL)
        return;
    d->line = 0;
    d->column = 0;
    d->text[0] = '\0';
}

void
gh_diag_set(struct gh_diag *d, const char *fmt, ...)
{
    va_list ap;

    if (d == NULL)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(d->text, sizeof(d->text), fmt, ap);
    va_end(ap);
}
