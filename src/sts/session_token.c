/*
 * session_token.c: GetSessionToken: temporary credentials for an IAM user
 * (or the account root) with the caller's own permissions, for MFA-gated
 * work and for handing out short-lived keys.
 */
#include <string.h>

#include "sts/sts_int.h"

/*
 * AWS STS GetSessionToken: "No permissions are required for users to
 * perform this operation"; it must be called with long-term credentials;
 * users get 900..129600 s (default 43200), the root user at most 3600 s,
 * longer requests by root being cut to one hour.
 */
enum gh_err
gh_sts_get_session_token(struct gh_call *c)
{
    const struct gh_principal *p = c->caller;
    struct gh_session s;
    struct gh_slice serial, code;
    int64_t duration = 0;
    bool has_duration = false;
    enum gh_err err;

    memset(&s, 0, sizeof(s));
    gh_call_int(c, "DurationSeconds", "durationSeconds", GH_STS_SESSION_MIN_S,
                GH_STS_USER_SESSION_MAX_S, false, &duration, &has_duration);
    gh_call_str(c, "SerialNumber", &gh_sts_shape_serial, false, &serial);
    gh_call_str(c, "TokenCode", &gh_sts_shape_token_code, false, &code);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if (p->session_info != NULL)
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "Cannot call GetSessionToken with session credentials");
    if (p->type != GH_PRINCIPAL_USER && p->type != GH_PRINCIPAL_ROOT)
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "Cannot call GetSessionToken with these credentials");
    if ((serial.ptr != NULL) != (code.ptr != NULL))
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "MultiFactorAuthentication failed, SerialNumber and TokenCode must "
                            "be given together.");
    if (serial.ptr != NULL) {
        if ((err = gh_sts_mfa_check(c, serial, code)) != GH_OK)
            return err;
        s.mfa = true;
        s.mfa_time = c->now;
    }
    if (!has_duration)
        duration = p->type == GH_PRINCIPAL_ROOT ? GH_STS_ROOT_SESSION_MAX_S
                                                : GH_STS_USER_SESSION_DEFAULT_S;
    if (p->type == GH_PRINCIPAL_ROOT && duration > GH_STS_ROOT_SESSION_MAX_S)
        duration = GH_STS_ROOT_SESSION_MAX_S;

    s.type = p->type;
    memcpy(s.account, p->account, sizeof(s.account));
    s.name = p->name;
    s.path = p->path;
    s.entity_id = p->user_id;
    s.session_name = GH_S("");
    s.source_identity = GH_S("");
    s.policy = GH_S("");
    s.issued = c->now;
    s.expires = c->now + duration;
    if ((err = gh_sts_mint(c, &s)) != GH_OK)
        return gh_call_fail(c, err, "The credentials could not be created.");
    err = gh_sts_credentials_render(c, &s);
    gh_secret_wipe(&s.secret);
    return err;
}
